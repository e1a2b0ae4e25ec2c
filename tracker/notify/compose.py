"""One mail in words: subject, plain text and HTML parts, links, and the List-Unsubscribe headers (RFC 8058).

Runs inside a request context (the worker makes one); links are absolute on ``BASE_URL``; the
user's language is forced for the framing text and the change lines (the event log's words, in that language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from tracker.broadcast.describe import describe, subject_name
from tracker.links import absolute_for
from tracker.models import ChangeEvent, MailMessage, User
from tracker.municipalities.readiness_events import expand
from tracker.notify.preferences import unsubscribe_token
from tracker.vocabulary import format_day

DANISH = ZoneInfo("Europe/Copenhagen")


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
    day = format_day(mail.period_end.astimezone(DANISH).date()) if mail.period_end else ""
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


def compose(mail: MailMessage, user: User, events: list[ChangeEvent], language: str, now: datetime) -> EmailMessage:
    """The complete message, ready to send."""
    with force_locale(language):
        subject = _subject(mail, events, language)
        return render(mail, user, "changes", subject, language, now, groups=_groups(events, language))


def render(
    mail: MailMessage, user: User, template: str, subject: str, language: str, now: datetime, **context: Any
) -> EmailMessage:
    """``mail/<template>.txt`` and ``.html`` in ``language`` as one message with our headers (and unsubscribe)."""
    sender = str(current_app.config.get("MAIL_FROM") or "TU-tracker <tu-tracker@localhost>")
    unsubscribe_url = link("mail_web.unsubscribe", token=unsubscribe_token(user))
    address = sender.rpartition("<")[2].rstrip(">").strip() or sender
    with force_locale(language):
        context |= {
            "mail": mail,
            "subject": subject,
            "unsubscribe_url": unsubscribe_url,
            "account_url": link("auth.account"),
            "language": language,
        }
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = user.email
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mail.message_id
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>, <mailto:{address}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg["Content-Language"] = language  # after the parts: set_content moves Content-* headers into them
    return msg
