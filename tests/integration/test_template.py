"""template.yaml (DESIGN §2): lints clean, is what `make package` writes, wires every function.

cfn-lint runs with its informational checks too (e.g. I3011, a stateful resource without a
DeletionPolicy): they are cheap to satisfy now and matter once RDS/ElastiCache join infra/. A
finding that does not apply is ignored by rule id in infra/resources.yaml's Metadata, with why.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codearena.cli.package import write_template
from codearena.config import project_root

TEMPLATE = project_root() / "template.yaml"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
CORE_LAYER = {"Ref": "CoreLayer"}
SETTINGS = {
    "CODEARENA_ENV": "production",
    "DATABASE_URL": {"Ref": "DatabaseUrl"},
    "REDIS_URL": {"Ref": "RedisUrl"},
    "CODEARENA_JWT_SECRET": {"Ref": "JwtSecret"},
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TEMPLATE.read_text())
    return loaded


@pytest.fixture(scope="module")
def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] in FUNCTION_TYPES
    }
    assert found, "template.yaml has no Lambda function"
    return found


def test_template_passes_cfn_lint() -> None:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "--", str(TEMPLATE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"cfn-lint on template.yaml:\n{result.stdout}{result.stderr}"


def test_template_is_what_make_package_writes(tmp_path: Path) -> None:
    fresh = tmp_path / "template.yaml"
    write_template(fresh, build_layer=False)
    if fresh.read_bytes() != TEMPLATE.read_bytes():
        diff = difflib.unified_diff(
            TEMPLATE.read_text().splitlines(keepends=True),
            fresh.read_text().splitlines(keepends=True),
            "template.yaml (committed)",
            "template.yaml (regenerated)",
        )
        pytest.fail(
            "template.yaml is out of date with functions/ and infra/: run `make package`"
            " (or `.venv/bin/codearena package` to skip the layer build) and commit it.\n" + "".join(diff),
            pytrace=False,
        )


def test_every_function_has_the_core_layer(
    functions: dict[str, dict[str, Any]], template: dict[str, Any]
) -> None:
    layer = template["Resources"]["CoreLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Properties"]["ContentUri"] == "build/layer"
    for name, properties in functions.items():
        assert CORE_LAYER in properties.get("Layers", []), name
        assert properties["Runtime"] in layer["Properties"]["CompatibleRuntimes"], name
        assert properties["CodeUri"] == "build/chalice/deployment.zip", name


def test_every_function_has_the_settings(
    functions: dict[str, dict[str, Any]], template: dict[str, Any]
) -> None:
    for name, properties in functions.items():
        variables = properties.get("Environment", {}).get("Variables", {})
        assert {key: variables.get(key) for key in SETTINGS} == SETTINGS, name
    parameters = template["Parameters"]
    assert parameters["JwtSecret"]["NoEcho"] is True
    assert parameters["DatabaseUrl"]["NoEcho"] is True


def test_gateway_errors_use_the_error_shape(template: dict[str, Any]) -> None:
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert {"MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)
    bodies = {}
    for kind, response in responses.items():
        # API Gateway substitutes $context.error.messageString with a quoted JSON string.
        text = response["ResponseTemplates"]["application/json"]
        body = json.loads(text.replace("$context.error.messageString", '"a message"'))
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, kind
        bodies[kind] = body
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == 404
    assert bodies["MISSING_AUTHENTICATION_TOKEN"]["error"]["code"] == "route_not_found"
