"""Each user's mail preference (mode, scope, language, a coordinator's work alerts) and the signed one-click
unsubscribe token."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from tracker.auth.audit import record as audit
from tracker.auth.permissions import may
from tracker.db import utcnow
from tracker.errors import NotFound, ValidationError
from tracker.models import MailPreference, User

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
    }


def preference_of(session: Session, user: User) -> dict[str, Any]:
    """The user's preference, the defaults where none is stored."""
    row = session.get(MailPreference, user.id)
    return {**DEFAULTS, "alerts": []} if row is None else _as_dict(row)


def validate(data: dict[str, Any], user: User | None = None) -> dict[str, Any]:
    """The known fields checked against their vocabularies; errors in Danish (422). Work alerts are for
    coordinators (and admins) only."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    vocab = {"mode": MODES, "scope": SCOPES, "language": LANGUAGES}
    for name in data:
        if name not in vocab and name not in ("alerts", "action_reminder_days"):
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
        row = MailPreference(user_id=user.id, **{**DEFAULTS, "alerts": []})
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


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


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
