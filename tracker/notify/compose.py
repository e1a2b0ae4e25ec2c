"""One mail in words: subject, plain text and HTML parts, links, and the List-Unsubscribe headers (RFC 8058).

Runs inside a request context (the worker makes one); links are absolute on ``BASE_URL``; the
user's language is forced for the framing text and the change lines (the event log's words, in that language).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.charset import QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from io import BytesIO
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
from tracker.notify import transport
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
    # The parts (the reader's own link in them) encoded and serialised once for every mail that shares them: a
    # reader's several mails, or the same change to everyone who shares a link.
    body_key = ("body", key, unsubscribe_url)
    body = cache.get(body_key) if cache is not None else None
    if body is None:
        text = text.replace(UNSUBSCRIBE, unsubscribe_url)
        html = html.replace(str(escape(UNSUBSCRIBE)), str(escape(unsubscribe_url)))
        body = serialised_parts(text, html)
        if cache is not None:
            cache[body_key] = body
    folded_key = ("subject", subject)
    folded = cache.get(folded_key) if cache is not None else None
    if folded is None:  # encoded once (RFC 2047, as a Header folds it): the same text for every mail with it
        folded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
        if cache is not None:
            cache[folded_key] = folded
    msg = Message()
    _headers(msg, mail, user, subject, language, now, unsubscribe_url, folded_subject=folded)
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = body.content_type
    msg.set_payload(body.payload)
    return msg


@dataclass(frozen=True)
class Parts:
    """A mail's text and HTML parts, serialised once: the multipart type (its boundary) and the bytes after the
    headers, as ASCII text (quoted-printable, CRLF) — a message whose payload this is serialises to the same bytes
    as one holding the parts (``email.generator`` writes a multipart's text payload as it is)."""

    content_type: str
    payload: str


def serialised_parts(text: str, html: str) -> Parts:
    """The text and HTML parts as ``multipart/alternative``, built and serialised by the stdlib once."""
    whole = MIMEMultipart("alternative")
    whole.attach(MIMEText(text, "plain", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    whole.attach(MIMEText(html, "html", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    out = BytesIO()
    BytesGenerator(out, policy=transport.WIRE).flatten(whole)  # chooses the boundary (one the parts do not contain)
    _head, _blank, payload = out.getvalue().partition(b"\r\n\r\n")
    return Parts(str(whole["Content-Type"]), payload.decode("ascii"))


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
    # The compat32 MIME classes: building the headers through the modern header registry was most of the
    # mail worker's time (every header parsed back into objects), for the same bytes on the wire.
    msg = MIMEMultipart("alternative")
    _headers(msg, mail, user, subject, language, now, unsubscribe)
    msg.attach(MIMEText(text, "plain", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    msg.attach(MIMEText(html, "html", _UTF8_QP))  # type: ignore[arg-type]  # typeshed says str; a Charset object is what makes quoted-printable
    return msg


@lru_cache(maxsize=64)
def _sender(sender: str) -> tuple[str, str]:
    """The From header and the bare address of ``MAIL_FROM``."""
    address = sender.rpartition("<")[2].rstrip(">").strip() or sender
    name, from_address = parseaddr(sender)
    return (formataddr((name, from_address), charset="utf-8") if name else from_address), address


def _headers(
    msg: Message,
    mail: MailMessage,
    user: User,
    subject: str,
    language: str,
    now: datetime,
    unsubscribe: str,
    *,
    folded_subject: str | None = None,
) -> None:
    sender, address = _sender(str(current_app.config.get("MAIL_FROM") or "TU-tracker <tu-tracker@localhost>"))
    # A Header encodes the spaces inside its encoded words: the default policy's folding can leave the space
    # between two words outside, between two encoded words, where RFC 2047 readers drop it ("7.ændringer").
    # (``folded_subject``: that Header's encoding, made once; compat32 writes it as it is.)
    msg["Subject"] = folded_subject or Header(subject, "utf-8", header_name="Subject")  # type: ignore[assignment]  # compat32 folds a Header
    msg["From"] = sender
    msg["To"] = user.email
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mail.message_id
    # One list for every mail the service sends: filters and spam checkers recognise it (RFC 2919).
    msg["List-Id"] = f"TU-tracker <tu-tracker.{address.rpartition('@')[2] or 'localhost'}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe}>, <mailto:{address}?subject=unsubscribe>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = language
