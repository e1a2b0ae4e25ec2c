"""Each user's mail preference (mode, scope, language, a coordinator's work alerts, which transitions) and the
signed one-click unsubscribe token."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from tracker.auth.audit import record as audit
from tracker.auth.permissions import may
from tracker.clock import timestamp, utcnow
from tracker.errors import NotFound, ValidationError
from tracker.models import MailPreference, User
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.registry.transition_filter import TransitionFilter

MODES = ("immediate", "daily", "weekly", "off")
SCOPES = ("portfolio", "all")
LANGUAGES = ("da", "en")
ALERTS = ("proposals", "sources")  # new proposals to review; source pages changed or sources unhealthy
DEFAULTS: dict[str, Any] = {
    "mode": "daily",
    "scope": "portfolio",
    "language": "da",
    "alerts": [],
    "action_reminder_days": 7,  # days before an action's due day its owner is reminded (None: never)
    "transition_kinds": [],  # transition mail of these kinds only (empty: all)
    "transition_categories": [],  # … of these categories only (empty: all)
    "transition_major_only": False,  # … major changes only
}
# The transition filter's lists and their vocabularies, in the order they are stored and shown.
TRANSITION_LISTS: dict[str, tuple[str, ...]] = {
    "transition_kinds": tuple(TransitionKind),
    "transition_categories": tuple(TransitionCategory),
}
MAX_REMINDER_DAYS = 90
TOKEN_SALT = "tracker.mail.unsubscribe"  # noqa: S105 - a signing namespace, not a secret


def _as_dict(row: MailPreference) -> dict[str, Any]:
    return {
        "mode": row.mode,
        "scope": row.scope,
        "language": row.language,
        "alerts": list(row.alerts or []),
        "action_reminder_days": row.action_reminder_days,
        "transition_kinds": list(row.transition_kinds or []),
        "transition_categories": list(row.transition_categories or []),
        "transition_major_only": bool(row.transition_major_only),
    }


def _fresh_defaults() -> dict[str, Any]:
    """The defaults with lists of their own (never the shared ones)."""
    return {name: list(value) if isinstance(value, list) else value for name, value in DEFAULTS.items()}


def preference_of(session: Session, user: User) -> dict[str, Any]:
    """The user's preference, the defaults where none is stored."""
    row = session.get(MailPreference, user.id)
    return _fresh_defaults() if row is None else _as_dict(row)


def transition_filter(
    kinds: list[str] | None, categories: list[str] | None, major_only: bool | None
) -> TransitionFilter:
    """The narrowing of a user's transition mail, from the stored columns (None, as for a user without a stored
    preference: no narrowing)."""
    return TransitionFilter.of(kinds, categories, True if major_only else None)


def _transition_list(name: str, value: Any, errors: dict[str, str]) -> list[str] | None:
    """A checked list of kinds or categories in the vocabulary's order, or None with the problem in ``errors``,
    naming the values that are not allowed."""
    allowed = TRANSITION_LISTS[name]
    if not isinstance(value, list):
        errors[name] = _("Skal være en liste. Tilladt: %(allowed)s.", allowed=", ".join(allowed))
        return None
    unknown = [f"'{str(item)[:80]}'" for item in value if not isinstance(item, str) or item not in allowed]
    if unknown:
        errors[name] = _(
            "Ukendt værdi: %(values)s. Tilladt: %(allowed)s.",
            values=", ".join(unknown[:10]),
            allowed=", ".join(allowed),
        )
        return None
    return [a for a in allowed if a in value]


def validate(data: dict[str, Any], user: User | None = None) -> dict[str, Any]:
    """The known fields checked against their vocabularies; errors in Danish (422). Work alerts are for
    coordinators (and admins) only."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    vocab = {"mode": MODES, "scope": SCOPES, "language": LANGUAGES}
    for name in data:
        if name not in DEFAULTS:
            errors[name] = _("Ukendt felt.")
    for name, allowed in vocab.items():
        if name not in data or data[name] is None:
            continue
        value = data[name]
        if not isinstance(value, str) or value not in allowed:
            errors[name] = _("Ukendt værdi. Tilladt: %(allowed)s.", allowed=", ".join(allowed))
        else:
            clean[name] = value
    alerts = data.get("alerts")
    if alerts is not None:
        if not isinstance(alerts, list) or not all(isinstance(a, str) and a in ALERTS for a in alerts):
            errors["alerts"] = _("Ukendt værdi. Tilladt: %(allowed)s.", allowed=", ".join(ALERTS))
        elif alerts and user is not None and not may(user, "mail.work_alerts"):
            errors["alerts"] = _("Arbejdsbeskeder er for KL's koordinatorer.")
        else:
            clean["alerts"] = [a for a in ALERTS if a in alerts]
    if "action_reminder_days" in data:
        days = data["action_reminder_days"]
        if days is not None and (
            not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_REMINDER_DAYS
        ):
            errors["action_reminder_days"] = _(
                "Skal være et antal dage fra 0 til %(max)d, eller null (ingen påmindelser).", max=MAX_REMINDER_DAYS
            )
        else:
            clean["action_reminder_days"] = days
    for name in TRANSITION_LISTS:
        if name in data:
            chosen = _transition_list(name, [] if data[name] is None else data[name], errors)
            if chosen is not None:
                clean[name] = chosen
    if "transition_major_only" in data:
        major_only = data["transition_major_only"]
        if major_only is not None and not isinstance(major_only, bool):
            errors["transition_major_only"] = _("Skal være true eller false.")
        else:
            clean["transition_major_only"] = bool(major_only)
    if errors:
        raise ValidationError(_("Ugyldige mailindstillinger."), {"fields": errors})
    return clean


def set_preference(
    session: Session, user: User, data: dict[str, Any], *, remote_addr: str | None = None, via: str = "account"
) -> dict[str, Any]:
    """Change (part of) the user's preference; returns the whole preference."""
    clean = validate(data, user)
    row = session.get(MailPreference, user.id)
    if row is None:
        row = MailPreference(user_id=user.id, **_fresh_defaults())
        session.add(row)
    before = _as_dict(row)
    for name, value in clean.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    after = _as_dict(row)
    if before != after:
        audit(
            session,
            "mail.preference.changed",
            actor=user,
            object_type="user",
            object_id=str(user.id),
            details={"before": before, "after": after, "via": via},
            remote_addr=remote_addr,
        )
    session.flush()
    return after


class _ClockSigner(TimestampSigner):
    """Stamps and ages tokens by the service's clock (``tracker.clock``), not itsdangerous's ``time.time()``."""

    def get_timestamp(self) -> int:
        """Now, in whole seconds since the epoch."""
        return int(timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT, signer=_ClockSigner)


def unsubscribe_token(user: User) -> str:
    """A signed token naming the user; it expires after ``MAIL_UNSUBSCRIBE_MAX_AGE_DAYS``."""
    return str(_serializer().dumps({"u": user.id}))


def user_of_token(session: Session, token: str) -> User:
    """The user a valid token names; a forged, expired or unknown one is 404 (nothing is changed)."""
    max_age = int(float(current_app.config["MAIL_UNSUBSCRIBE_MAX_AGE_DAYS"]) * 86400)
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise NotFound(_("Afmeldingslinket er udløbet. Log ind og skift dine mailindstillinger under Konto.")) from None
    except BadSignature:
        raise NotFound(_("Afmeldingslinket er ugyldigt.")) from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        raise NotFound(_("Afmeldingslinket er ugyldigt."))
    return user


def unsubscribe(session: Session, token: str, *, remote_addr: str | None = None) -> User:
    """One-click unsubscribe (RFC 8058): the token's user gets mode ``off``."""
    user = user_of_token(session, token)
    set_preference(session, user, {"mode": "off"}, remote_addr=remote_addr, via="unsubscribe")
    return user
