"""Services raise codes, the catalogue holds the sentences (issue 28 item 3).

Read from the source with ``ast``: every ``raise X(…)`` of one of our errors (a class imported from ``tracker`` or
defined in ``tracker``) whose first argument is written out in the raise (a string, an f-string, a sum of them)
must be a code of ``tracker.error_messages``; a sentence raised as it is could not be translated. Refusals of
the permission layer's table (``auth/policies``) words its own refusals, raised through ``require``.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tracker.error_messages import MESSAGES
from tracker.errors import AppError, DomainError, NotFound

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
CODE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")


def _written_out(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_written_out(node.left) or _written_out(node.right))


def _domain_error(module: ModuleType, name: str) -> bool:
    """Whether ``name`` in ``module`` is one of our domain errors (configuration errors for operators are not)."""
    found = getattr(module, name, None)
    return isinstance(found, type) and issubclass(found, DomainError)


def _raised_sentences() -> list[str]:
    found = []
    for path in sorted(TRACKER.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parts = path.relative_to(TRACKER.parent).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args):
                continue
            name = ast.unparse(node.exc.func).split(".")[-1]
            first = node.exc.args[0]
            if not _written_out(first) or not _domain_error(module, name):
                continue
            if isinstance(first, ast.Constant) and CODE.match(first.value) and first.value in MESSAGES:
                continue
            found.append(f"{path.relative_to(TRACKER.parent)}:{node.lineno}: {ast.unparse(node.exc)[:90]}")
    return found


def test_no_sentence_is_raised_only_codes() -> None:
    assert _raised_sentences() == []


def test_every_code_raised_exists_and_every_sentence_is_used() -> None:
    raised: set[str] = set()
    for path in TRACKER.rglob("*.py"):
        if path.name == "error_messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MESSAGES:
                raised.add(node.value)
    assert set(MESSAGES) - raised == set()  # no sentence left behind when its raise goes


def test_the_sentences_take_their_parameters() -> None:
    """Each sentence formats with parameters named in it; a stray ``%`` would raise when shown."""
    for code, sentence in MESSAGES.items():
        names = re.findall(r"%\((\w+)\)s", sentence)
        if names:
            assert sentence % dict.fromkeys(names, "x"), code
        else:
            assert "%(" not in sentence, code


def test_an_error_is_worded_when_shown(app: Flask) -> None:
    exc = NotFound("registry.findes_ingen_loesning_slug", slug="mitid")
    assert (exc.status, exc.code, exc.params) == (404, "not_found", {"slug": "mitid"})
    assert exc.message == str(exc) == "Der findes ingen løsning med slug 'mitid'."  # Danish outside a request
    with app.test_request_context("/?lang=da"):
        assert exc.message == "Der findes ingen løsning med slug 'mitid'."


def test_the_api_words_a_code_in_the_error_body(client: FlaskClient) -> None:
    body = client.get("/api/v1/solutions/findes-ikke").get_json()
    assert body["error"]["code"] == "not_found"
    assert body["error"]["message"] == "Der findes ingen løsning med slug 'findes-ikke'."


def test_a_text_already_worded_passes_as_it_is() -> None:
    assert AppError("Formularen er udløbet.").message == "Formularen er udløbet."
    assert str(DomainError("not.a_code_we_know")) == "not.a_code_we_know"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_codes_are_namespaced_by_package(code: str) -> None:
    assert CODE.match(code)
    assert (TRACKER / code.split(".")[0]).is_dir()


def test_every_sentence_has_an_english_translation() -> None:
    catalog_path = TRACKER / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    assert sorted(code for code, sentence in MESSAGES.items() if sentence not in translated) == []


def test_the_api_words_a_code_in_english_when_asked(client: FlaskClient) -> None:
    body = client.get("/api/v1/solutions/findes-ikke?lang=en").get_json()
    assert body["error"]["message"] == "There is no solution with slug 'findes-ikke'."
