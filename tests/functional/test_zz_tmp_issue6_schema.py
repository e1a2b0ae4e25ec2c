"""TEMPORARY (issue 6 engineer): deeper schemathesis run over the municipality operations only. Deleted after use."""
from __future__ import annotations
import pytest, schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from tests.functional.test_api_schema import api_schema, coordinator_token  # noqa: F401

schema = schemathesis.pytest.from_fixture("api_schema").include(
    path_regex=r"^/api/v1/(municipalities/\{code\}/|national|upcoming|popular|solutions\.(csv|xlsx))")

@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_mine6(case, coordinator_token):  # noqa: F811
    case.call_and_validate(headers={"Authorization": f"Bearer {coordinator_token}"},
        checks=[checks.not_a_server_error, checks.response_schema_conformance, checks.status_code_conformance])
