"""template.yaml (DESIGN §2): lints clean, is what `make package` writes, translates to plain
CloudFormation, wires every function. What each resource must hold: tests/unit/test_template_system.py.

cfn-lint runs with its informational checks and cfn-lint-serverless's rules (`-a
cfn_lint_serverless.rules`). A finding that does not apply is ignored by rule id in the
resource's Metadata in infra/stack/, with why; IGNORED lists them so none is added unnoticed.
A moto create_stack is no deployment test (it skips API Gateway v2 and drops layers), so the
proof here is the linter, SAM's own translator, and the structural tests.
"""

from __future__ import annotations

import copy
import difflib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from codearena.config import project_root
from codearena_cli.package import write_template

TEMPLATE = project_root() / "template.yaml"
FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
CORE_LAYER = {"Ref": "CoreLayer"}
# Every cfn-lint finding the template silences, by resource: each says why in its Metadata.
IGNORED = {"AlertEmailSubscription": ["ES7000"], "JudgeScaling": ["ES1007", "ES4000"]}
# What SAM's translation must yield (issue 12, point 1), with the fewest of each.
TRANSLATED = {
    "AWS::EC2::VPC": 1,
    "AWS::EC2::Subnet": 4,
    "AWS::EC2::NatGateway": 2,
    "AWS::EC2::SecurityGroup": 5,
    "AWS::RDS::DBInstance": 1,
    "AWS::RDS::DBProxy": 1,
    "AWS::RDS::DBProxyTargetGroup": 1,
    "AWS::ElastiCache::ReplicationGroup": 1,
    "AWS::ElastiCache::ParameterGroup": 1,
    "AWS::SecretsManager::Secret": 2,
    "AWS::EC2::LaunchTemplate": 1,
    "AWS::IAM::InstanceProfile": 1,
    "AWS::AutoScaling::AutoScalingGroup": 1,
    "AWS::AutoScaling::ScalingPolicy": 1,
    "AWS::AutoScaling::WarmPool": 1,
    "AWS::Events::Rule": 1,
    "AWS::S3::Bucket": 2,
    "AWS::S3::BucketPolicy": 1,
    "AWS::CloudFront::Distribution": 1,
    "AWS::CloudFront::OriginAccessControl": 1,
    "AWS::ApiGateway::RestApi": 1,
    "AWS::ApiGateway::Stage": 1,
    "AWS::ApiGateway::Account": 1,
    "AWS::ApiGatewayV2::Api": 1,
    "AWS::ApiGatewayV2::Stage": 1,
    "AWS::Lambda::Function": 6,
    "AWS::Lambda::LayerVersion": 1,
    "AWS::Logs::LogGroup": 8,
    "AWS::CloudWatch::Alarm": 2,
    "AWS::SNS::Topic": 1,
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


def cfn_lint(*paths: Path) -> subprocess.CompletedProcess[str]:
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    return subprocess.run(
        [str(cfn_lint), "--include-checks", "I", "-a", "cfn_lint_serverless.rules", "--format", "json"]
        + ["--", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )


# A function with no log group and no tracing, which only the serverless rules find fault with.
BARE = {
    "Transform": "AWS::Serverless-2016-10-31",
    "Resources": {
        "F": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "Runtime": "python3.11",
                "Handler": "a.b",
                "CodeUri": "s3://b/k",
                "Timeout": 3,
                "MemorySize": 128,
            },
        }
    },
}


@pytest.fixture(scope="module")
def findings(translated: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """cfn-lint's findings ("<rule id> <message>") in template.yaml, in its SAM translation and
    in BARE, by file name: one run for the three (each run costs ~1 CPU-s before it lints)."""
    directory = tmp_path_factory.mktemp("cfn-lint")
    (directory / "translated.json").write_text(json.dumps(translated))
    (directory / "bare.yaml").write_text(yaml.safe_dump(BARE))
    result = cfn_lint(TEMPLATE, directory / "translated.json", directory / "bare.yaml")
    try:
        matches = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"cfn-lint did not run:\n{result.stdout}{result.stderr}")
    found: dict[str, list[str]] = {"template.yaml": [], "translated.json": [], "bare.yaml": []}
    for match in matches:
        found[Path(match["Filename"]).name].append(f"{match['Rule']['Id']} {match['Message']}")
    return found


def test_template_passes_cfn_lint_with_the_serverless_rules(findings: dict[str, list[str]]) -> None:
    assert findings["template.yaml"] == [], "cfn-lint on template.yaml:\n" + "\n".join(
        findings["template.yaml"]
    )


def test_every_ignored_finding_is_named_here(template: dict[str, Any]) -> None:
    ignored = {
        name: resource["Metadata"]["cfn-lint"]["config"]["ignore_checks"]
        for name, resource in template["Resources"].items()
        if "cfn-lint" in resource.get("Metadata", {})
    }
    assert ignored == IGNORED
    assert "cfn-lint" not in template.get("Metadata", {})  # nothing ignored template-wide
    assert not list(project_root().glob(".cfnlintrc*"))


def test_the_serverless_rules_are_loaded(findings: dict[str, list[str]]) -> None:
    # Without them the template passes with a function with no log group and no tracing.
    rules = {finding.split()[0] for finding in findings["bare.yaml"]}
    assert {"WS1000", "WS1004"} <= rules, findings["bare.yaml"]


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


@pytest.fixture(scope="module")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    """template.yaml through SAM's translator, offline (as CloudFormation's transform runs it)."""
    from samtranslator.translator.transform import transform

    sam = copy.deepcopy(template)
    for resource in sam["Resources"].values():  # what `codearena deploy` uploads them as
        for key in ("CodeUri", "ContentUri"):
            if isinstance(resource.get("Properties", {}).get(key), str):
                resource["Properties"][key] = f"s3://artifacts/releases/1/{resource['Properties'][key]}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator insists on one
        result: dict[str, Any] = transform(sam, {}, _NoManagedPolicies())
    # A function's ignored findings follow it to what SAM makes of its events (the rule and
    # the permission named after it), where cfn-lint-serverless reports them again.
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function" and "Metadata" in resource:
            events = resource["Properties"].get("Events", {})
            for derived, made in result["Resources"].items():
                if any(derived.startswith(name + event) for event in events):
                    made["Metadata"] = copy.deepcopy(resource["Metadata"])
    return result


class _NoManagedPolicies:
    """The translator looks managed policies up by name only for `Policies: [Name]`; none here."""

    def load(self) -> dict[str, str]:
        return {}


def test_sam_translates_to_the_whole_system(translated: dict[str, Any]) -> None:
    counts: dict[str, int] = {}
    for resource in translated["Resources"].values():
        counts[resource["Type"]] = counts.get(resource["Type"], 0) + 1
    short = {
        kind: (counts.get(kind, 0), least)
        for kind, least in TRANSLATED.items()
        if counts.get(kind, 0) < least
    }
    assert not short, f"type: (translated, expected at least) {short}"
    assert not [kind for kind in counts if kind.startswith("AWS::Serverless::")]


def test_translated_functions_keep_tracing_vpc_and_the_layer(translated: dict[str, Any]) -> None:
    resources = translated["Resources"]
    [layer] = [name for name, r in resources.items() if r["Type"] == "AWS::Lambda::LayerVersion"]
    [stage] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage"]
    assert stage["TracingEnabled"] is True and stage["MethodSettings"] and stage["AccessLogSetting"]
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Lambda::Function":
            continue
        properties = resource["Properties"]
        assert properties["TracingConfig"] == {"Mode": "Active"}, name
        assert properties["VpcConfig"]["SecurityGroupIds"] == [{"Ref": "FunctionSecurityGroup"}], name
        assert {"Ref": layer} in properties["Layers"], name


def test_translated_template_passes_cfn_lint(findings: dict[str, list[str]]) -> None:
    translated = findings["translated.json"]
    assert translated == [], "cfn-lint on the translated template:\n" + "\n".join(translated)


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
