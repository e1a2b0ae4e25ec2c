"""The permission layer is the only one: no module outside it compares a role, and every route names a policy.

- The code scan parses every module under ``tracker/`` (and greps the templates) for a comparison involving a
  role — ``user.role == …``, ``… in (Role.COORDINATOR, Role.ADMIN)``, ``User.role.in_(…)`` — and for the old
  role-list guards (``require_role(…)``, ``web_user(Role…)``). Only ``tracker/auth/policies.py``,
  ``permissions.py`` and ``protect.py`` may.
- The route check walks ``app.url_map`` (pages and API): every method of every rule must name an action of the
  policy table (``@requires``); public routes say ``@requires("public")``.
- Declared is enforced: every route whose action is not public refuses an anonymous request (401, or the
  login page for a page read), whatever its arguments.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.support.accounts import make_account
from tracker.auth.permissions import policy, role_may
from tracker.auth.policies import POLICIES
from tracker.auth.protect import policy_of

ROOT = Path(__file__).resolve().parents[3]
LAYER = {"tracker/auth/policies.py", "tracker/auth/permissions.py", "tracker/auth/protect.py"}
ROLE_LISTS = {"COORDINATORS", "REVIEWERS", "EDITOR_ROLES", "MANAGER_ROLES"}
ROLE_GUARDS = {"require_role", "web_user"}
TEMPLATE_ROLE = re.compile(
    r"\.role\s*(==|!=|\bin\b|\bnot in\b)|\bin\s*\(\s*[\"'](coordinator|admin|vendor|municipality)"
)


def _mentions_role(node: ast.AST) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr == "role":
            return True
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Role":
            return True
        if isinstance(n, ast.Name) and n.id in ROLE_LISTS:
            return True
    return False


def role_comparisons(source: str) -> list[int]:
    """Line numbers of role comparisons (and role-list guards) in a module's source."""
    lines = []
    for n in ast.walk(ast.parse(source)):
        if isinstance(n, ast.Compare) and any(_mentions_role(x) for x in [n.left, *n.comparators]):
            lines.append(n.lineno)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in ("in_", "notin_"):
            if _mentions_role(n.func.value):
                lines.append(n.lineno)
        elif isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ROLE_GUARDS and n.args:
            lines.append(n.lineno)
    return sorted(lines)


def findings() -> dict[str, list[int]]:
    """Every module and template outside the layer that compares a role, with the lines."""
    found: dict[str, list[int]] = {}
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in LAYER:
            continue
        lines = role_comparisons(path.read_text(encoding="utf-8"))
        if lines:
            found[rel] = lines
    for path in sorted((ROOT / "tracker" / "web" / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        lines = [i for i, line in enumerate(text.splitlines(), 1) if TEMPLATE_ROLE.search(line)]
        if lines:
            found[path.relative_to(ROOT).as_posix()] = lines
    return found


def test_the_scan_sees_a_role_comparison() -> None:
    """The scanner itself: each form it must catch, and what it must leave alone."""
    caught = [
        "if user.role == Role.ADMIN: pass",
        "ok = u.role in COORDINATORS",
        "q = select(User).where(User.role.in_([Role.COORDINATOR]))",
        "x = Role.VENDOR != r",
        "require_role(user, Role.ADMIN)",
        "web_user(*COORDINATORS)",
    ]
    for source in caught:
        assert role_comparisons(source) == [1], source
    for source in ["create_user(role=Role.ADMIN)", "label = LABELS[Role(user.role)]", "web_user()"]:
        assert role_comparisons(source) == [], source


def test_no_role_compared_outside_the_permission_layer() -> None:
    """Outside ``tracker/auth/{policies,permissions,protect}.py`` nobody compares roles: ask ``may``."""
    found = findings()
    assert not found, f"role compared outside the permission layer (ask permissions.may): {found}"


def _methods(rule: object) -> list[str]:
    return sorted(set(getattr(rule, "methods", ())) - {"HEAD", "OPTIONS"})


def test_every_route_names_a_policy(base_app: Flask) -> None:
    """Every rule of ``app.url_map`` (pages and API), every method, names an action the table knows."""
    missing, unknown = [], []
    for rule in base_app.url_map.iter_rules():
        for method in _methods(rule):
            action = policy_of(base_app, rule.endpoint, method)
            if action is None:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
            elif action not in POLICIES:
                unknown.append(f"{method} {rule.rule}: {action}")
    assert not missing, "routes without a policy (add @requires(...)): " + ", ".join(sorted(missing))
    assert not unknown, "routes naming an unknown action: " + ", ".join(unknown)


def _sample_url(rule: object) -> str:
    """The rule's path with a harmless value for each argument (the check comes before any lookup)."""
    path = str(getattr(rule, "rule", ""))
    path = re.sub(r"<int[^>]*>", "1", path)
    path = re.sub(r"<path:[^>]+>", "x", path)
    return re.sub(r"<[^>]+>", "101", path)


def test_declared_is_enforced_for_anonymous_callers(client: FlaskClient) -> None:
    """A route whose action is not public refuses an anonymous caller: 401, or the login page for a page read.

    The API parses a request's body before its view runs (as it always did), so an empty body may be refused
    as invalid first (400/415/422): nothing is done or shown either way."""
    app = client.application
    wrong = []
    for rule in app.url_map.iter_rules():
        for method in _methods(rule):
            action = policy_of(app, rule.endpoint, method)
            if action is None or policy(action).public:
                continue
            resp = client.open(_sample_url(rule), method=method)
            login = resp.status_code == 302 and "/login" in resp.headers.get("Location", "")
            if resp.status_code not in (401, 400, 415, 422) and not login:
                wrong.append(f"{method} {rule.rule} ({action}): {resp.status_code}")
    assert not wrong, "declared but not enforced: " + ", ".join(wrong)


def test_declared_is_enforced_for_roles_the_policy_leaves_out(client: FlaskClient, session: Session) -> None:
    """Every route refuses (403) each role its action does not allow, whatever the arguments: a token of each role
    (pages take it too) on every method of every rule. A refusal worded with the object (the municipality's name)
    comes once the object is loaded, so there a missing object may answer 404 first."""
    app = client.application
    tokens = {
        "vendor": make_account(session, "vendor", "layer-vendor@example.dk", organisation="kmd"),
        "municipality": make_account(session, "municipality", "layer-kbh@example.dk", municipality="101"),
        "coordinator": make_account(session, "coordinator", "layer-coord@example.dk"),
    }
    session.commit()
    wrong, checked = [], 0
    for rule in app.url_map.iter_rules():
        for method in _methods(rule):
            action = policy_of(app, rule.endpoint, method)
            if action is None or policy(action).public or policy(action).any_user:
                continue
            deferred = policy(action).refusal is None and callable(policy(action).others)
            for role, account in tokens.items():
                if role_may(role, action):
                    continue
                checked += 1
                resp = client.open(_sample_url(rule), method=method, headers=account.bearer)
                allowed = {403, 400, 415, 422} | ({404} if deferred else set())
                if resp.status_code not in allowed:
                    wrong.append(f"{role} {method} {rule.rule} ({action}): {resp.status_code}")
    assert checked > 50
    assert not wrong, "a role the policy leaves out got through: " + ", ".join(wrong)
