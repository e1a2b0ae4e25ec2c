"""The OpenAPI document says which operations need a token: ``security: []`` on the public reads, bearerAuth on
the rest — and the API behaves as it says: anonymous reads of the public ones answer, and every other operation
(writes included, whatever the id) refuses an anonymous caller with 401/403 before looking anything up."""

from __future__ import annotations

from flask.testing import FlaskClient

SAMPLE = {
    "{slug}": "aula",
    "{code}": "101",
    "{key}": "digst_launch",
    "{kind}": "login",
    **{
        f"{{{name}}}": "1"
        for name in (
            "inquiry_id", "proposal_id", "transition_id", "action_id", "idp_id", "change_id", "subscription_id",
            "delivery_id", "token_id",
        )
    },
}  # fmt: skip


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
        assert url is not None, f"{path}: name a sample for its path parameter"
        status = client.get(url).status_code
        assert status not in (401, 403), (path, status)
    for method, path in private:
        url = _filled(path)
        assert url is not None, f"{path}: name a sample for its path parameter"
        status = client.open(url, method=method.upper(), json={}).status_code
        # A write's body is read before its token (an empty one is a 422 that names the missing fields — nothing
        # stored is shown); never a 2xx, and never a 404/409 that would tell an anonymous caller what exists.
        shape_first = status == 422 and "requestBody" in spec["paths"][path][method]
        assert status in (401, 403) or shape_first, (method, path, status)
