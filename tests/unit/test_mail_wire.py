"""Mail serialised once: parts shared by many mails and remembered header folding give the bytes the stdlib
writes for the whole message, and a mail client's parser reads them back."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32

from tracker.notify.compose import _UTF8_QP, serialised_parts
from tracker.notify.transport import WIRE, envelope, wire_bytes

TEXT = "Hej Ida\n\nOmsorg kræver nu Høj fra 1. marts 2027.\n" + "En lang linje med æøå " * 20 + "\n.\nSlut\n"
HTML = "<p>Omsorg kræver nu <strong>Høj</strong> fra 1. marts 2027.</p>\n" * 30
SUBJECT = "TU-tracker: Omsorg kræver nu Høj fra 1. marts 2027 og 7 ændringer mere, og en lang hale af ord"


def _headers(msg: Message, subject: object) -> None:
    msg["Subject"] = subject  # type: ignore[assignment]  # compat32 takes a Header or text
    msg["From"] = "TU-tracker <tu-tracker@example.dk>"
    msg["To"] = "ida@kbh.example.dk"
    msg["Message-ID"] = "<m1@example.dk>"


def test_shared_parts_and_a_folded_subject_give_the_stdlib_bytes_and_parse_back() -> None:
    whole = MIMEMultipart("alternative")
    _headers(whole, Header(SUBJECT, "utf-8", header_name="Subject"))
    whole.attach(MIMEText(TEXT, "plain", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    whole.attach(MIMEText(HTML, "html", _UTF8_QP))  # type: ignore[arg-type]  # a Charset is accepted
    parts = serialised_parts(TEXT, HTML)
    whole.set_boundary(parts.content_type.split('boundary="')[1].rstrip('"'))
    expected = whole.as_bytes(policy=compat32.clone(linesep="\r\n"))

    shared = Message()
    _headers(shared, Header(SUBJECT, "utf-8", header_name="Subject").encode(linesep="\r\n"))
    shared["MIME-Version"] = "1.0"
    shared["Content-Type"] = parts.content_type
    shared.set_payload(parts.payload)
    got = wire_bytes(shared)
    # The same headers (in another order: the multipart's own come first in the stdlib's) and the same body.
    head, _, body = got.partition(b"\r\n\r\n")
    head_expected, _, body_expected = expected.partition(b"\r\n\r\n")
    assert body == body_expected
    assert sorted(head.split(b"\r\n")) == sorted(head_expected.split(b"\r\n"))

    read = message_from_bytes(got, policy=policy.default)
    assert str(read["Subject"]) == SUBJECT
    plain, html = (p.get_content() for p in read.iter_parts())  # type: ignore[attr-defined]  # policy.default parses to an EmailMessage
    assert plain.replace("\r\n", "\n") == TEXT and html.replace("\r\n", "\n") == HTML
    assert envelope(shared) == ("tu-tracker@example.dk", ["ida@kbh.example.dk"])


def test_the_wire_policy_folds_as_compat32_and_remembers_it() -> None:
    long = "<https://tracker.example.dk/mail/afmeld/" + "x" * 120 + ">, <mailto:tu@example.dk?subject=unsubscribe>"
    for name, value in (("List-Unsubscribe", long), ("Subject", SUBJECT), ("To", "a@b.dk")):
        assert WIRE.fold_binary(name, value) == compat32.clone(linesep="\r\n").fold_binary(name, value)
        assert WIRE.fold_binary(name, value) is WIRE.fold_binary(name, value)


def test_a_bcc_or_an_international_address_goes_through_send_message() -> None:
    msg = Message()
    msg["From"] = "tu@example.dk"
    msg["To"] = "ida@kbh.example.dk"
    assert envelope(msg) == ("tu@example.dk", ["ida@kbh.example.dk"])
    msg["Bcc"] = "skjult@example.dk"
    assert envelope(msg) is None
    del msg["Bcc"]
    msg.replace_header("To", "ida@københavn.dk")
    assert envelope(msg) is None
