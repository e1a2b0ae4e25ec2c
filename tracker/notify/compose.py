"""One mail in words: subject, plain text and HTML parts, links, and the List-Unsubscribe headers (RFC 8058).

Runs inside a request context (the worker makes one); links are absolute on ``BASE_URL``; the
user's language is forced for the framing text and the change lines (the event log's words, in that language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape

from tracker.broadcast.describe import describe, subject_name
from tracker.clock import DANISH_TIME
from tracker.links import absolute_for
from tracker.models import ChangeEvent, MailMessage, User
from tracker.municipalities.readiness_events import expand
from tracker.notify.preferences import unsubscribe_token
from tracker.vocabulary import format_day

_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP  # readable in the raw message, unlike base64


def link(endpoint: str, **values: Any) -> str:
    """An absolute link on ``BASE_URL`` (mail is read far from any request)."""
    return absolute_for(endpoint, **values)


@dataclass
class Line:
    """One change: its words, and a link to the municipality's readiness page when it is about readiness."""

    text: str
    when: datetime
    readiness_url: str | None = None
    municipality: str | None = None


@dataclass
class Group:
    """The changes of one solution (or of one municipality, for events without a solution)."""

    name: str
    url: str | None
    lines: list[Line] = field(default_factory=list)


def _groups(events: list[ChangeEvent], language: str) -> list[Group]:
    groups: dict[str, Group] = {}
    # A bulk change (one event, many rows) is listed row by row, each under its solution.
    for event in (single for listed in events for single in expand(listed)):
        data = event.data or {}
        solution = data.get("solution") or {}
        municipality = data.get("municipality") or {}
        slug = solution.get("slug")
        key = f"s:{slug}" if slug else f"m:{municipality.get('code')}"
        if key not in groups:
            name = str(solution.get("name") or slug) if slug else subject_name(event)
            url = link("web.solution", slug=slug) if slug else None
            groups[key] = Group(name, url)
        line = Line(describe(event, language).summary, event.occurred_at)
        if municipality.get("code"):
            line.readiness_url = link("kommuner.page", code=str(municipality["code"]))
            line.municipality = str(municipality.get("name") or municipality["code"])
        groups[key].lines.append(line)
    return sorted(groups.values(), key=lambda g: g.name.lower())


def _subject(mail: MailMessage, events: list[ChangeEvent], language: str) -> str:
    if mail.kind == "immediate" and events:
        title = describe(events[0], language).title
        title = title if len(title) <= 160 else title[:157] + "..."
        if len(events) == 1:
            return _("TU-tracker: %(title)s", title=title)
        # Changes coalesced into one mail: the first names it, the count says there is more.
        return ngettext(
            "TU-tracker: %(title)s og %(num)d ændring mere",
            "TU-tracker: %(title)s og %(num)d ændringer mere",
            len(events) - 1,
            title=title,
        )
    count = len(events)
    day = format_day(mail.period_end.astimezone(DANISH_TIME).date()) if mail.period_end else ""
    if mail.kind == "weekly":
        return ngettext(
            "TU-tracker: ugens ændringer (%(num)d ændring, uge til %(day)s)",
            "TU-tracker: ugens ændringer (%(num)d ændringer, uge til %(day)s)",
            count,
            day=day,
        )
    return ngettext(
        "TU-tracker: dagens ændringer (%(num)d ændring, %(day)s)",
        "TU-tracker: dagens ændringer (%(num)d ændringer, %(day)s)",
        count,
        day=day,
    )


Bodies = tuple[str, str, str]  # subject, text, html — with UNSUBSCRIBE standing for the reader's own link
UNSUBSCRIBE = "https://unsubscribe.invalid/\u2063"  # a stand-in no template or event text produces


def compose(
    mail: MailMessage,
    user: User,
    events: list[ChangeEvent],
    language: str,
    now: datetime,
    cache: dict[Any, Any] | None = None,
    overdue: list[tuple[str, str]] | None = None,
) -> Message:
    """The complete message, ready to send.

    ``cache`` (one per claimed batch) holds the rendered bodies per language and event list: the 5,000
    readers of one change share one rendering, each message then gets its own unsubscribe link.
    """
    overdue = overdue if mail.kind in ("daily", "weekly") else []  # a digest lists the reader's overdue actions
    key = (
        "changes",
        language,
        mail.kind,
        mail.period_start,
        mail.period_end,
        tuple(e.id for e in events),
        tuple(overdue or ()),
    )
    bodies = cache.get(key) if cache is not None else None
    if bodies is None:
        with force_locale(language):
            subject = _subject(mail, events, language)
            text, html = _render(
                mail, "changes", subject, language, UNSUBSCRIBE, groups=_groups(events, language), overdue=overdue or []
            )
        bodies = (subject, text, html)
        if cache is not None:
            cache[key] = bodies
    subject, text, html = bodies
    unsubscribe_url = _unsubscribe_url(user, cache)
    text = text.replace(UNSUBSCRIBE, unsubscribe_url)
    html = html.replace(str(escape(UNSUBSCRIBE)), str(escape(unsubscribe_url)))
    return _message(mail, user, subject, language, now, text, html, unsubscribe_url)


def _unsubscribe_url(user: User, cache: dict[Any, Any] | None) -> str:
    """The reader's unsubscribe link, signed once per run for a reader with several mails in it."""
    key = ("unsubscribe", user.id)
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = link("mail_web.unsubscribe", token=unsubscribe_token(user))
        if cache is not None:
            cache[key] = found
    return str(found)


def _render(
    mail: MailMessage, template: str, subject: str, language: str, unsubscribe_url: str, **context: Any
) -> tuple[str, str]:
    with force_locale(language):
        context |= {
            "mail": mail,
            "subject": subject,
            "unsubscribe_url": unsubscribe_url,
            "account_url": link("auth.account"),
            "language": language,
        }
        return render_template(f"mail/{template}.txt", **context), render_template(f"mail/{template}.html", **context)


def render(
    mail: MailMessage, user: User, template: str, subject: str, language: str, now: datetime, **context: Any
) -> Message:
    """``mail/<template>.txt`` and ``.html`` in ``language`` as one message with our headers (and unsubscribe)."""
    unsubscribe_url = link("mail_web.unsubscribe", token=unsubscribe_token(user))
    text, html = _render(mail, template, subject, language, unsubscribe_url, **context)
    return _message(mail, user, subject, language, now, text, html, unsubscribe_url)


def _message(
    mail: MailMessage, user: User, subject: str, language: str, now: datetime, text: str, html: str, unsubscribe: str
) -> Message:
    sender = str(current_app.config.get("MAIL_FROM") or "TU-tracker <tu-tracker@localhost>")
    address = sender.rpartition("<")[2].rstrip(">").strip() or sender
    # The compat32 MIME classes: building the headers through the modern header registry was most of the
    # mail worker's time (every header parsed back into objects), for the same bytes on the wire.
    msg = MIMEMultipart("alternative")
    # A Header encodes the spaces inside its encoded words: the default policy's folding can leave the space
    # between two words outside, between two encoded words, where RFC 2047 readers drop it ("7.ændringer").
    msg["Subject"] = Header(subject, "utf-8", header_name="Subject")  # type: ignore[assignment]  # compat32 folds a Header
    name, from_address = parseaddr(sender)
    msg["From"] = formataddr((name, from_address), charset="utf-8") if name else from_address
    msg["To"] = user.email
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mail.message_id
    # One list for every mail the service sends: filters and spam checkers recognise it (RFC 2919).
    msg["List-Id"] = f"TU-tracker <tu-tracker.{address.rpartition('@')[2] or 'localhost'}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe}>, <mailto:{address}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = language
    msg.attach(MIMEText(text, "plain", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    msg.attach(MIMEText(html, "html", _UTF8_QP))  # type: ignore[arg-type]  # typeshed says str; a Charset object is what makes quoted-printable
    return msg
