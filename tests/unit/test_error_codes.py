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
TESTS = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[a-z_]+\.[a-z0-9_]+$")
# The words codes are made of: English, so a code says what happened to whoever reads a log or a raise. A new
# code may need a new word here; it must be English (the codes were once Danish sentences with the small words
# dropped, and some said the opposite of what happened: "brugeren_findes" for "the user does not exist").
_ENGLISH = """
    a action active address admin allowed already api authorization binding both broker brokers certificate
    change changed changes chars code control created credentials csv current cvr cvrs cycle date deactivated
    delivery description doctype duplicate earliest email empty enabled error event evidence failed feed fetched
    field fields file filter first found fragment gone has header host http https idp idps if import in
    inactive inquiry invalid is itself kept large last latest limit long lookup malformed many match meanwhile
    metadata missing municipality name names no not note nothing only or organisation password pdf planned port
    portfolio precision progress proposal public range reached reason redirect refused required resend resolved
    reversed role root row saved scheme self sent set setup signing since slug snapshot solution solutions source
    space started status subscription suppliers switch taken test to token too totp trusted type unavailable
    unknown unpacks unparsable unreadable unsupported url user utf8 version webhook without wrong xlsx xml zero
    transition one
"""
WORDS = frozenset(_ENGLISH.split())


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


# gunicorn's settings file, not a module of the service: importing it sets PROMETHEUS_MULTIPROC_DIR for the
# workers, which would switch this test process's metrics to files (and it raises nothing).
NOT_IMPORTED = {"gunicorn_conf.py"}


def _raised_sentences() -> list[str]:
    found = []
    for path in sorted(p for p in TRACKER.rglob("*.py") if p.name not in NOT_IMPORTED):
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
    exc = NotFound("registry.solution_not_found", slug="mitid")
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


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_a_code_is_a_short_english_name_of_what_happened(code: str) -> None:
    """``area.name``: ASCII snake_case, at most six words, each an English word of ``WORDS``."""
    area, _, name = code.partition(".")
    assert code.isascii() and re.fullmatch(r"[a-z]+", area) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name)
    words = name.split("_")
    assert len(words) <= 6 and len(name) <= 40, "a code names what happened; the sentence says the rest"
    assert [word for word in words if word not in WORDS] == []


def test_codes_are_unique_in_the_table() -> None:
    """A code written twice in the dict literal would silently keep only the second sentence."""
    source = ast.parse((TRACKER / "error_messages.py").read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in ast.walk(source)
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "MESSAGES" and node.value is not None
    )
    assert isinstance(table, ast.Dict)
    keys = [ast.literal_eval(key) for key in table.keys if key is not None]
    assert len(keys) == len(MESSAGES)
    assert sorted(code for code in set(keys) if keys.count(code) > 1) == []


def _audit_actions() -> set[str]:
    """The names ``audit.record`` stores (``auth.login``): shaped like codes, but the audit log's, not errors'."""
    names: set[str] = set()
    for path in TRACKER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("audit.record") and len(node.args) > 1:
                names |= {n.value for n in ast.walk(node.args[1]) if isinstance(n, ast.Constant)}
    return names


def _cache_keys() -> set[str]:
    """The names that open a cached response's key: ``key = ("api.national", …)``, ``cache_key``, or a key made by
    a key function (``key = private_key("api.actions", …)``)."""
    names: set[str] = set()
    for path in TRACKER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Assign) and [ast.unparse(t).endswith("key") for t in node.targets] == [True]):
                continue
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func).endswith("key") and value.args:
                first = value.args[0]
            elif isinstance(value, ast.Tuple) and value.elts:
                first = value.elts[0]
            else:
                continue
            if isinstance(first, ast.Constant):
                names.add(str(first.value))
    return names


def _code_shaped(areas: set[str]) -> list[tuple[str, str]]:
    """Every string in tracker/, its templates and tests/ shaped like a code of one of ``areas``, with its place."""
    alternatives = "|".join(sorted(areas))
    shape = re.compile(rf"^(?:{alternatives})\.[a-z0-9_]+$")
    found: list[tuple[str, str]] = []
    for root in (TRACKER, TESTS):
        for path in sorted(root.rglob("*.py")):
            if path.name == "error_messages.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and shape.match(node.value):
                    found.append((node.value, f"{path.relative_to(root.parent)}:{node.lineno}"))
    quoted = re.compile(rf"""["']((?:{alternatives})\.[a-z0-9_]+)["']""")
    for path in sorted(TRACKER.rglob("*.html")):
        for match in quoted.finditer(path.read_text(encoding="utf-8")):
            found.append((match.group(1), str(path.relative_to(TRACKER.parent))))
    return found


def test_every_code_named_in_the_tree_exists(app: Flask) -> None:
    """A code that is not in the table would be shown as it is (``DomainError.message``): a typo or a stale name.

    Strings of a code's shape that are no code: endpoints (``url_for("auth.login")``), audit actions, cache keys.
    """
    others = {rule.endpoint for rule in app.url_map.iter_rules()} | _audit_actions() | _cache_keys()
    found = _code_shaped({code.split(".")[0] for code in MESSAGES})
    assert [f"{where}: {code}" for code, where in found if code not in MESSAGES and code not in others] == []


def test_every_sentence_has_an_english_translation() -> None:
    catalog_path = TRACKER / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    with catalog_path.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    translated = {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}
    assert sorted(code for code, sentence in MESSAGES.items() if sentence not in translated) == []


def test_the_api_words_a_code_in_english_when_asked(client: FlaskClient) -> None:
    body = client.get("/api/v1/solutions/findes-ikke?lang=en").get_json()
    assert body["error"]["message"] == "There is no solution with slug 'findes-ikke'."
