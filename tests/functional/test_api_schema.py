"""Every operation of the OpenAPI document, exercised by schemathesis against the app.

Fails on any server error or on a response that breaks the document. It grows with the API: new operations
are picked up from the document generated from the code. Write operations run with a coordinator token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import checks

from tracker.auth.tokens import create_token
from tracker.auth.users import create_user
from tracker.db import get_db


@pytest.fixture
def api_schema(app: Flask) -> Iterator[schemathesis.BaseSchema]:
    """The live OpenAPI document of the app under test."""
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def coordinator_token(app: Flask) -> str:
    """A coordinator's bearer token inside the test's transaction."""
    with get_db(app).unit_of_work() as session:
        user, _ = create_user(session, email="schema-coordinator@example.dk", role="coordinator")
        _, token = create_token(session, user, "schemathesis")
    return token


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_and_never_fails(case: schemathesis.Case, coordinator_token: str) -> None:
    """No 5xx and responses that match the document, for generated valid and invalid input."""
    # Over WSGI schemathesis does not undo a content coding as an HTTP client does, so it asks for none; the
    # gzip-compressed answers are read by real clients in test_compressed_clients.
    headers = {"Authorization": f"Bearer {coordinator_token}", "Accept-Encoding": "identity"}
    case.call_and_validate(
        headers=headers,
        checks=[
            checks.not_a_server_error,
            checks.response_schema_conformance,
            checks.status_code_conformance,
        ],
    )
