"""/openapi.json describes exactly the routes app.py registers, as a valid OpenAPI 3.0
document built from their declarations (chalicelib/routes/): a route Chalice serves that its
area does not declare fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis

from chalicelib.openapi import document
from chalicelib.routes import declared
from chalicelib.routing import Route
from codearena.models import Role


@pytest.fixture(scope="module")
def described() -> dict[str, Any]:
    return json.loads(json.dumps(document(declared())))  # what the route serves: plain JSON


def test_every_route_and_only_routes_are_described(described: dict[str, Any]) -> None:
    import app as app_module

    registered = {
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method != "OPTIONS"
    }
    documented = {
        (method.upper(), path) for path, methods in described["paths"].items() for method in methods
    }
    assert documented == registered


def test_the_document_is_valid_openapi(described: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(described)
    schema.validate()
    assert len(list(schema.get_all_operations())) == sum(len(m) for m in described["paths"].values())


def test_ids_in_paths_are_integers_of_at_most_18_digits(described: dict[str, Any]) -> None:
    parameters = described["components"]["parameters"]
    for name in ("cid", "sid", "uid", "pid"):
        assert parameters[name]["schema"] == {"type": "integer", "minimum": 1, "maximum": 10**18 - 1}
    for path, methods in described["paths"].items():
        for operation in methods.values():
            declared = {parameters[p["$ref"].rsplit("/", 1)[1]]["name"] for p in operation["parameters"]}
            in_path = {part[1:-1] for part in path.split("/") if part.startswith("{")}
            assert in_path <= declared, path


def test_bodies_answers_and_errors_are_declared(described: dict[str, Any]) -> None:
    for path, methods in described["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            success = [status for status in responses if status.startswith("2")]
            assert len(success) == 1 and responses[success[0]]["content"], (method, path)
            assert responses["4XX"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
            if method in ("put", "patch") or (
                method == "post"
                and not path.endswith(
                    (
                        "/unfreeze",
                        "/rejudge",
                        "/revoke-tokens",
                        "/registration",
                        "/problems/uploads",
                        "/verify",
                    )
                )
            ):
                content = operation["requestBody"]["content"]
                if "application/zip" in content:  # a package as the body
                    assert content["application/zip"]["schema"]["format"] == "binary", (method, path)
                    continue
                body = content["application/json"]["schema"]
                assert body["type"] == "object" and body["properties"], (method, path)


def test_who_may_call_is_described_from_the_declaration(described: dict[str, Any]) -> None:
    for route in declared():
        operation = described["paths"][route.path][route.method.lower()]
        assert operation.get("x-roles", []) == [role.value for role in route.roles], route.path
        assert operation["description"] == f"Who may call: {route.who}."
        assert ("security" in operation) == (route.token != "none"), route.path
    jury_board = described["paths"]["/admin/contests/{cid}/leaderboard"]["get"]
    assert jury_board["x-roles"] == ["jury", "admin"]
    assert jury_board["description"] == "Who may call: jury, admin."


def test_a_route_needing_roles_needs_a_token() -> None:
    with pytest.raises(ValueError, match="needs a token"):
        Route("GET", "/x", 200, "x", token="optional", roles=(Role.ADMIN,))


def test_request_bodies_carry_an_example(described: dict[str, Any]) -> None:
    """Clients (and tests/e2e/test_faults.py) send the example: every body has one."""
    for path, methods in described["paths"].items():
        for method, operation in methods.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                assert operation["requestBody"]["content"]["application/json"]["schema"]["example"], (
                    method,
                    path,
                )
