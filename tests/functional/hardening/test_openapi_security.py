"""The OpenAPI document says which operations need a token: ``security: []`` on the public reads, bearerAuth on
the rest — and the API behaves as it says (anonymous reads of the public ones answer, the others refuse)."""

from __future__ import annotations

from flask.testing import FlaskClient

SAMPLE = {"{slug}": "aula", "{code}": "101", "{key}": "digst_launch", "{inquiry_id}": "1", "{proposal_id}": "1"}


def _filled(path: str) -> str | None:
    for name, value in SAMPLE.items():
        path = path.replace(name, value)
    return None if "{" in path else path


def test_every_operation_states_its_security_and_the_api_agrees(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    public, private = [], []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            assert "security" in operation, (method, path)
            if operation["security"] == []:
                public.append((method, path))
            else:
                assert operation["security"] == [{"bearerAuth": []}], (method, path)
                private.append((method, path))
    assert ("get", "/api/v1/solutions") in public and ("patch", "/api/v1/solutions/{slug}") in private
    assert all(method == "get" for method, _ in public), "only reads are public"
    for _method, path in public:
        url = _filled(path)
        if url is not None:
            status = client.get(url).status_code
            assert status not in (401, 403), (path, status)
    for method, path in private:
        url = _filled(path)
        if method == "get" and url is not None:
            status = client.get(url).status_code
            assert status in (401, 403), (path, status)
