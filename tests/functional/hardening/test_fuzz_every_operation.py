"""Item 4: a fuzz run over every operation of the OpenAPI document, with every schemathesis check, on the
suite's database (SQLite, or PostgreSQL with TRACKER_TEST_DATABASE_URL). Any 5xx fails it.

Examples per operation are bounded so the run stays within a few minutes on a loaded 2-core machine.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.db import get_db

MAX_EXAMPLES = 12


@pytest.fixture
def fuzz_schema(app: Flask) -> Iterator[schemathesis.BaseSchema]:
    """The live OpenAPI document of the app under test."""
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def admin_token(app: Flask) -> str:
    """An admin's bearer token (every operation reachable) inside the test's transaction."""
    with get_db(app).unit_of_work() as session:
        user, _ = create_user(session, email="fuzz-admin@example.dk", role="admin")
        user.must_change_password = False
        _, token = create_token(session, user, "fuzz")
    return token


schema = schemathesis.pytest.from_fixture("fuzz_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
def test_no_operation_answers_5xx_to_anything(case: schemathesis.Case, admin_token: str) -> None:
    """Generated valid and invalid input, with and without a token: never a server error."""
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    case.validate_response(response, checks=[checks.not_a_server_error])
