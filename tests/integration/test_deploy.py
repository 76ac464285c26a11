"""`codearena deploy` / `destroy` call by call: S3 in moto, CloudFormation, Lambda, CloudFront and
RDS through botocore's Stubber (the exact calls, in order, with realistic answers).

No test here claims the template deploys: moto's create_stack skips API Gateway v2 and drops
layers (see the AWS notes), so the CloudFormation side is the calls deploy makes and how it
reads CloudFormation's answers, not a fake stack.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from moto import mock_aws
from rich.console import Console

from codearena.config import project_root
from codearena_cli import deploy, deploy_release
from codearena_cli.deploy import DeployOptions, DestroyOptions, run_deploy, run_destroy
from codearena_cli.deploy_errors import DeployError
from codearena_cli.entry import main

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account
STACK = "codearena"
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/codearena/0f5e1d10-aaaa-bbbb-cccc-0123456789ab"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/codearena-1/1234"
ARTIFACTS = f"codearena-artifacts-{ACCOUNT}-{REGION}"
WEB_BUCKET = "codearena-web-1a2b3c"
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
OUTPUTS = {
    "RestApiUrl": "https://r3st.execute-api.us-east-1.amazonaws.com/api/",
    "WebSocketUrl": "wss://w5ck.execute-api.us-east-1.amazonaws.com/api",
    "WebUrl": "https://d111111abcdef8.cloudfront.net/",
    "WebBucketName": WEB_BUCKET,
    "DistributionId": "E2QWRUHAPOMQZL",
    "MigrateFunctionName": "codearena-Migrate-x1y2z3",
}
TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Transform": "AWS::Serverless-2016-10-31",
    "Parameters": {
        "ArtifactsBucket": {"Type": "String"},
        "ReleaseVersion": {"Type": "String"},
        "JudgeInstanceType": {
            "Type": "String",
            "Default": "c7i.large",
            "AllowedValues": ["c7i.large", "c7i.xlarge"],
        },
        "JudgeMaxSize": {"Type": "Number", "Default": 4},
    },
    "Resources": {
        "APIHandler": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"CodeUri": "build/chalice/deployment.zip", "Handler": "app.app"},
        },
        "Migrate": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"CodeUri": "build/chalice/deployment.zip", "Handler": "app.migrate"},
        },
        "CoreLayer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "build/layer"}},
    },
}


# --- fixtures -----------------------------------------------------------------------------
@pytest.fixture
def built(tmp_path: Path) -> Path:
    """What `make package` and deploy's build leave: template.yaml, build/{chalice,layer,wheel}."""
    (tmp_path / "template.yaml").write_text(yaml.safe_dump(TEMPLATE))
    chalice = tmp_path / "build" / "chalice"
    chalice.mkdir(parents=True)
    with zipfile.ZipFile(chalice / "deployment.zip", "w") as bundle:
        bundle.writestr("app.py", "app = 'chalice'\n")
    layer = tmp_path / "build" / "layer" / "python" / "codearena"
    layer.mkdir(parents=True)
    (layer / "__init__.py").write_text("CORE = True\n")
    wheel = tmp_path / "build" / "wheel"
    wheel.mkdir()
    (wheel / "codearena-0.1.0-py3-none-any.whl").write_bytes(b"PK-the-wheel")
    return tmp_path / "template.yaml"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "COLUMNS": "200",  # rich tables at full width in captured output
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield


class Clients:
    """The deploy's client factory: moto for S3 and STS, a Stubber for each other service.

    Its clients come from one session for the module: moto's mock_aws makes boto3's default
    session anew for each test, which parses each service's model again (~75 ms a client)."""

    session: boto3.Session | None = None

    def __init__(self) -> None:
        self.made: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}
        for service in ("cloudformation", "lambda", "cloudfront", "rds"):
            client = self._client(service)
            self.made[service] = client
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()

    def __call__(self, service: str) -> Any:
        if service not in self.made:
            self.made[service] = self._client(service)
        return self.made[service]

    @classmethod
    def _client(cls, service: str) -> Any:
        if cls.session is None:
            cls.session = boto3.Session(region_name=REGION)
        return cls.session.client(service)

    @property
    def cfn(self) -> Stubber:
        return self.stubs["cloudformation"]

    def assert_done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def clients(aws: None) -> Clients:
    return Clients()


@pytest.fixture
def s3(clients: Clients) -> Any:
    return clients("s3")


@pytest.fixture
def web_bucket(s3: Any) -> str:
    """The stack's web bucket as CloudFormation left it, with a file an older release had."""
    s3.create_bucket(Bucket=WEB_BUCKET)
    s3.put_object(Bucket=WEB_BUCKET, Key="js/removed-module.js", Body=b"old")
    return WEB_BUCKET


def console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, highlight=False, color_system=None), out


# --- CloudFormation answers ---------------------------------------------------------------
def stack(
    status: str, parameters: dict[str, str] | None = None, outputs: dict[str, str] | None = None
) -> Any:
    described: dict[str, Any] = {
        "StackName": STACK,
        "StackId": STACK_ID,
        "CreationTime": NOW,
        "StackStatus": status,
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
        "Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in (outputs or {}).items()],
    }
    return {"Stacks": [described]}


def event(
    number: int, logical: str, status: str, kind: str = "AWS::Lambda::Function", reason: str = ""
) -> Any:
    kind = "AWS::CloudFormation::Stack" if logical == STACK else kind
    found: dict[str, Any] = {
        "StackId": STACK_ID,
        "EventId": f"event-{number}",
        "StackName": STACK,
        "LogicalResourceId": logical,
        "PhysicalResourceId": STACK_ID if logical == STACK else f"{logical}-physical",
        "ResourceType": kind,
        "Timestamp": NOW,
        "ResourceStatus": status,
    }
    if reason:
        found["ResourceStatusReason"] = reason
    return found


def events(*newest_first: dict[str, Any]) -> Any:
    return {"StackEvents": list(newest_first)}


def change(action: str, logical: str, kind: str, replacement: str | None = None) -> Any:
    resource: dict[str, Any] = {"Action": action, "LogicalResourceId": logical, "ResourceType": kind}
    if replacement is not None:
        resource["Replacement"] = replacement
    return {"Type": "Resource", "ResourceChange": resource}


CREATE_CHANGES = [
    change("Add", "APIHandler", "AWS::Lambda::Function"),
    change("Add", "Migrate", "AWS::Lambda::Function"),
    change("Add", "CoreLayer", "AWS::Lambda::LayerVersion"),
]
UPDATE_CHANGES = [
    change("Modify", "JudgeLaunchTemplate", "AWS::EC2::LaunchTemplate", "False"),
    change("Modify", "Database", "AWS::RDS::DBInstance", "Conditional"),
    change("Modify", "CoreLayer", "AWS::Lambda::LayerVersion", "True"),
    change("Remove", "OldAlarm", "AWS::CloudWatch::Alarm"),
]
PREVIOUS = {
    "ArtifactsBucket": ARTIFACTS,
    "ReleaseVersion": "0.0.9",
    "JudgeInstanceType": "c7i.large",
    "JudgeMaxSize": "4",
}
MISSING_STACK = "Stack with id codearena does not exist"


def expect_change_set(clients: Clients, kind: str, parameters: list[Any], changes: list[Any]) -> None:
    clients.cfn.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        {
            "StackName": STACK,
            "ChangeSetName": ANY,
            "ChangeSetType": kind,
            "TemplateURL": f"https://{ARTIFACTS}.s3.{REGION}.amazonaws.com/releases/0.1.0/template.yaml",
            "Parameters": parameters,
            "Capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
            "Description": "codearena deploy",
        },
    )
    pending = {"ChangeSetId": CHANGE_SET_ID, "StackId": STACK_ID, "Status": "CREATE_PENDING"}
    clients.cfn.add_response("describe_change_set", pending, {"ChangeSetName": CHANGE_SET_ID})
    computed = {**pending, "Status": "CREATE_COMPLETE", "ExecutionStatus": "AVAILABLE", "Changes": changes}
    clients.cfn.add_response("describe_change_set", computed, {"ChangeSetName": CHANGE_SET_ID})


def expect_wait(clients: Clients, polls: list[tuple[str, list[Any]]]) -> None:
    """Each poll: describe_stacks answering a status, then the events new since the last one."""
    for status, new_events in polls:
        clients.cfn.add_response("describe_stacks", stack(status), {"StackName": STACK_ID})
        clients.cfn.add_response("describe_stack_events", events(*new_events), {"StackName": STACK_ID})


def expect_after_stack(clients: Clients, applied: list[str]) -> None:
    clients.cfn.add_response(
        "describe_stacks", stack("CREATE_COMPLETE", PREVIOUS, OUTPUTS), {"StackName": STACK}
    )
    body = json.dumps({"applied": applied}).encode()
    clients.stubs["lambda"].add_response(
        "invoke",
        {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))},
        {
            "FunctionName": OUTPUTS["MigrateFunctionName"],
            "InvocationType": "RequestResponse",
            "Payload": b"{}",
        },
    )
    paths = {"Quantity": 1, "Items": ["/*"]}
    made = {"Paths": paths, "CallerReference": "codearena-0123"}
    invalidation = {
        "Id": "I2J0I21PCUYOIK",
        "Status": "InProgress",
        "CreateTime": NOW,
        "InvalidationBatch": made,
    }
    clients.stubs["cloudfront"].add_response(
        "create_invalidation",
        {
            "Location": "https://cloudfront.amazonaws.com/2020-05-31/invalidation",
            "Invalidation": invalidation,
        },
        {
            "DistributionId": OUTPUTS["DistributionId"],
            "InvalidationBatch": {"Paths": paths, "CallerReference": ANY},
        },
    )


def object_of(s3: Any, bucket: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = s3.get_object(Bucket=bucket, Key=key)
    found["Data"] = found.pop("Body").read()
    return found


# --- deploy: a new stack, end to end ------------------------------------------------------
def test_deploy_creates_the_stack_then_migrates_publishes_web_and_invalidates(
    clients: Clients, s3: Any, built: Path, web_bucket: str
) -> None:
    clients.cfn.add_client_error(
        "describe_stacks", "ValidationError", MISSING_STACK, 400, {"StackName": STACK}
    )
    parameters = [
        {"ParameterKey": "ArtifactsBucket", "ParameterValue": ARTIFACTS},
        {"ParameterKey": "JudgeMaxSize", "ParameterValue": "8"},
        {"ParameterKey": "ReleaseVersion", "ParameterValue": "0.1.0"},
    ]  # JudgeInstanceType is neither given nor previous: the template's default applies
    expect_change_set(clients, "CREATE", parameters, CREATE_CHANGES)
    clients.cfn.add_response("describe_stack_events", events(event(1, STACK, "REVIEW_IN_PROGRESS")))
    clients.cfn.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    expect_wait(
        clients,
        [
            (
                "CREATE_IN_PROGRESS",
                [event(3, "CoreLayer", "CREATE_COMPLETE"), event(2, STACK, "CREATE_IN_PROGRESS")],
            ),
            (
                "CREATE_COMPLETE",
                [
                    event(6, STACK, "CREATE_COMPLETE"),
                    event(5, "Migrate", "CREATE_COMPLETE"),
                    event(4, "APIHandler", "CREATE_COMPLETE"),
                ],
            ),
        ],
    )
    expect_after_stack(clients, ["0001_initial", "0002_accounts"])
    out_console, out = console()
    options = DeployOptions(
        parameters={"JudgeMaxSize": "8"}, prebuilt_template=built, poll_s=0, web_dir=project_root() / "web"
    )

    assert run_deploy(options, clients, out_console) == 0
    clients.assert_done()

    # the artifacts bucket: made private and versioned
    assert s3.get_bucket_versioning(Bucket=ARTIFACTS)["Status"] == "Enabled"
    blocked = s3.get_public_access_block(Bucket=ARTIFACTS)["PublicAccessBlockConfiguration"]
    assert all(blocked.values()) and len(blocked) == 4
    # the artifacts, under releases/<version>/ with their content types
    prefix = "releases/0.1.0/"
    bundle = object_of(s3, ARTIFACTS, prefix + "deployment.zip")
    assert bundle["Data"] == (built.parent / "build/chalice/deployment.zip").read_bytes()
    assert bundle["ContentType"] == "application/zip"
    layer = zipfile.ZipFile(io.BytesIO(object_of(s3, ARTIFACTS, prefix + "layer.zip")["Data"]))
    assert layer.namelist() == ["python/codearena/__init__.py"]
    assert object_of(s3, ARTIFACTS, prefix + "codearena-0.1.0-py3-none-any.whl")["Data"] == b"PK-the-wheel"
    # the uploaded template points at exactly those object versions
    packaged = yaml.safe_load(object_of(s3, ARTIFACTS, prefix + "template.yaml")["Data"])
    resources = packaged["Resources"]
    bundle_version = s3.head_object(Bucket=ARTIFACTS, Key=prefix + "deployment.zip")["VersionId"]
    expected_code = {"Bucket": ARTIFACTS, "Key": prefix + "deployment.zip", "Version": bundle_version}
    assert resources["APIHandler"]["Properties"]["CodeUri"] == expected_code
    assert resources["Migrate"]["Properties"]["CodeUri"] == expected_code
    layer_version = s3.head_object(Bucket=ARTIFACTS, Key=prefix + "layer.zip")["VersionId"]
    assert resources["CoreLayer"]["Properties"]["ContentUri"] == {
        "Bucket": ARTIFACTS,
        "Key": prefix + "layer.zip",
        "Version": layer_version,
    }
    assert packaged["Parameters"] == TEMPLATE["Parameters"]

    # web/: every file with its type and cache rule, config.json naming the stack's APIs
    index = object_of(s3, WEB_BUCKET, "index.html")
    assert index["Data"] == (project_root() / "web/index.html").read_bytes()
    assert (index["ContentType"], index["CacheControl"]) == ("text/html; charset=utf-8", "no-cache")
    module = object_of(s3, WEB_BUCKET, "js/app.js")
    assert (module["ContentType"], module["CacheControl"]) == (
        "text/javascript; charset=utf-8",
        "public, max-age=300",
    )
    assert object_of(s3, WEB_BUCKET, "app.css")["ContentType"] == "text/css; charset=utf-8"
    config = object_of(s3, WEB_BUCKET, "config.json")
    assert (config["ContentType"], config["CacheControl"]) == ("application/json", "no-cache")
    assert json.loads(config["Data"]) == {
        "apiBase": "https://r3st.execute-api.us-east-1.amazonaws.com/api",
        "webSocketUrl": "wss://w5ck.execute-api.us-east-1.amazonaws.com/api",
    }
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=WEB_BUCKET)["Contents"]}
    local = {
        p.relative_to(project_root() / "web").as_posix()
        for p in (project_root() / "web").rglob("*")
        if p.is_file()
    }
    assert keys == local  # the old release's module is gone

    shown = out.getvalue()
    for line in (
        "Add",
        "APIHandler",
        "CoreLayer",
        "3/3",
        "CREATE_COMPLETE",
        "migrations: 0001_initial, 0002_accounts",
        "I2J0I21PCUYOIK",
        OUTPUTS["WebUrl"],
        OUTPUTS["RestApiUrl"],
    ):
        assert line in shown, line


# --- deploy: the command line -------------------------------------------------------------
@pytest.fixture
def cli_clients(clients: Clients, monkeypatch: pytest.MonkeyPatch) -> Clients:
    """`codearena …` itself, with the one factory answering the stubbed and moto clients."""
    monkeypatch.setattr(deploy, "session_clients", lambda region, profile: clients)
    monkeypatch.setattr(deploy, "POLL_S", 0.0)
    return clients


def test_dry_run_shows_the_change_set_and_changes_nothing(
    cli_clients: Clients, s3: Any, built: Path, web_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_clients.cfn.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", PREVIOUS, OUTPUTS), {"StackName": STACK}
    )
    parameters = [
        {"ParameterKey": "ArtifactsBucket", "ParameterValue": ARTIFACTS},
        {"ParameterKey": "JudgeInstanceType", "ParameterValue": "c7i.xlarge"},
        {"ParameterKey": "JudgeMaxSize", "UsePreviousValue": True},
        {"ParameterKey": "ReleaseVersion", "ParameterValue": "0.1.0"},
    ]
    expect_change_set(cli_clients, "UPDATE", parameters, UPDATE_CHANGES)
    cli_clients.cfn.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    # nothing else is queued: an execute, an invoke or an invalidation would fail the test

    argv = [
        "deploy",
        "--no-build",
        "--template",
        str(built),
        "--dry-run",
        "--parameter",
        "JudgeInstanceType=c7i.xlarge",
    ]
    assert main(argv) == 0
    cli_clients.assert_done()

    shown = capsys.readouterr().out
    rows = {line.split("│")[2].strip(): line for line in shown.splitlines() if line.count("│") >= 5}
    assert set(rows) == {"JudgeLaunchTemplate", "Database", "CoreLayer", "OldAlarm"}
    assert "Modify" in rows["CoreLayer"] and "yes" in rows["CoreLayer"]
    assert "maybe" in rows["Database"] and "Remove" in rows["OldAlarm"]
    assert "yes" not in rows["JudgeLaunchTemplate"]
    assert "dry run" in shown
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=WEB_BUCKET)["Contents"]] == ["js/removed-module.js"]


def test_dry_run_of_a_new_stack_removes_the_stack_its_change_set_made(clients: Clients, built: Path) -> None:
    clients.cfn.add_client_error(
        "describe_stacks", "ValidationError", MISSING_STACK, 400, {"StackName": STACK}
    )
    parameters = [
        {"ParameterKey": "ArtifactsBucket", "ParameterValue": ARTIFACTS},
        {"ParameterKey": "ReleaseVersion", "ParameterValue": "0.1.0"},
    ]
    expect_change_set(clients, "CREATE", parameters, CREATE_CHANGES)
    clients.cfn.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    clients.cfn.add_response("delete_stack", {}, {"StackName": STACK_ID})  # left in REVIEW_IN_PROGRESS
    out_console, _ = console()
    assert (
        run_deploy(DeployOptions(prebuilt_template=built, dry_run=True, poll_s=0), clients, out_console) == 0
    )
    clients.assert_done()


def test_a_stack_in_rollback_complete_must_be_deleted_first(
    cli_clients: Clients, s3: Any, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_clients.cfn.add_response("describe_stacks", stack("ROLLBACK_COMPLETE"), {"StackName": STACK})
    assert main(["deploy", "--no-build", "--template", str(built)]) == 2
    cli_clients.assert_done()
    error = capsys.readouterr().err
    assert "ROLLBACK_COMPLETE" in error and "codearena destroy --stack-name codearena" in error
    assert s3.list_buckets()["Buckets"] == []  # refused before uploading anything


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("Nope=1", "the template has no parameter Nope (it takes: ArtifactsBucket, JudgeInstanceType,"),
        (
            "JudgeInstanceType=t2.micro",
            "JudgeInstanceType=t2.micro is not allowed: choose one of c7i.large, c7i.xlarge",
        ),
        ("ReleaseVersion=9.9", "ReleaseVersion is set by deploy (the wheel's version, 0.1.0)"),
    ],
)
def test_bad_parameters_are_refused_before_anything_is_uploaded(
    cli_clients: Clients,
    s3: Any,
    built: Path,
    capsys: pytest.CaptureFixture[str],
    argument: str,
    message: str,
) -> None:
    cli_clients.cfn.add_response("describe_stacks", stack("UPDATE_COMPLETE", PREVIOUS), {"StackName": STACK})
    assert main(["deploy", "--no-build", "--template", str(built), "--parameter", argument]) == 2
    assert message in capsys.readouterr().err
    assert s3.list_buckets()["Buckets"] == []


def test_a_new_stack_needs_every_parameter_without_a_default(
    cli_clients: Clients, s3: Any, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = {**TEMPLATE, "Parameters": {**TEMPLATE["Parameters"], "AlertEmail": {"Type": "String"}}}
    built.write_text(yaml.safe_dump(template))
    cli_clients.cfn.add_client_error(
        "describe_stacks", "ValidationError", MISSING_STACK, 400, {"StackName": STACK}
    )
    assert main(["deploy", "--no-build", "--template", str(built)]) == 2
    assert "parameter AlertEmail has no default: pass --parameter AlertEmail=VALUE" in capsys.readouterr().err
    assert s3.list_buckets()["Buckets"] == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["deploy", "--parameter", "JudgeMaxSize"], "expected NAME=VALUE"),
        (["deploy", "--stack-name", "code_arena"], "a stack name starts with a letter"),
        (["destroy", "--timeout-minutes", "soon"], "expected a positive number of minutes"),
        (["deploy", "--template", "t.yaml"], "--template goes with --no-build"),
    ],
)
def test_bad_options_say_what_is_expected(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code_of(argv) == 2  # argparse exits; a refused combination returns
    assert message in capsys.readouterr().err


def exit_code_of(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exited:
        return int(exited.code or 0)


def test_a_failed_update_prints_each_failed_resource_and_exits_1(
    cli_clients: Clients, built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_clients.cfn.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", PREVIOUS, OUTPUTS), {"StackName": STACK}
    )
    parameters = [
        {"ParameterKey": "ArtifactsBucket", "ParameterValue": ARTIFACTS},
        {"ParameterKey": "JudgeInstanceType", "UsePreviousValue": True},
        {"ParameterKey": "JudgeMaxSize", "UsePreviousValue": True},
        {"ParameterKey": "ReleaseVersion", "ParameterValue": "0.1.0"},
    ]
    expect_change_set(cli_clients, "UPDATE", parameters, UPDATE_CHANGES)
    cli_clients.cfn.add_response("describe_stack_events", events(event(1, STACK, "UPDATE_COMPLETE")))
    cli_clients.cfn.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    refused = (
        'Resource handler returned message: "The instance type c7i.large is not supported in us-east-1e"'
    )
    expect_wait(
        cli_clients,
        [
            (
                "UPDATE_IN_PROGRESS",
                [
                    event(3, "JudgeLaunchTemplate", "UPDATE_IN_PROGRESS", "AWS::EC2::LaunchTemplate"),
                    event(2, STACK, "UPDATE_IN_PROGRESS"),
                ],
            ),
            (
                "UPDATE_ROLLBACK_COMPLETE",
                [
                    event(6, STACK, "UPDATE_ROLLBACK_COMPLETE"),
                    event(
                        5,
                        "CoreLayer",
                        "UPDATE_FAILED",
                        "AWS::Lambda::LayerVersion",
                        "Resource update cancelled",
                    ),
                    event(4, "JudgeLaunchTemplate", "UPDATE_FAILED", "AWS::EC2::LaunchTemplate", refused),
                ],
            ),
        ],
    )
    # no describe_stacks for outputs, no invoke, no invalidation: nothing runs after a failure
    assert main(["deploy", "--no-build", "--template", str(built)]) == 1
    cli_clients.assert_done()
    captured = capsys.readouterr()
    failed = [line for line in captured.out.splitlines() if "UPDATE_FAILED" in line and "│" in line]
    assert len(failed) == 2
    assert "JudgeLaunchTemplate" in failed[0] and "c7i.large is not supported in us-east-1e" in failed[0]
    assert "CoreLayer" in failed[1] and "Resource update cancelled" in failed[1]
    assert "the update failed: stack codearena is UPDATE_ROLLBACK_COMPLETE" in captured.err


def test_no_changes_still_runs_migrations_and_publishes_web(
    clients: Clients, s3: Any, built: Path, web_bucket: str
) -> None:
    clients.cfn.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", PREVIOUS, OUTPUTS), {"StackName": STACK}
    )
    clients.cfn.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    reason = "The submitted information didn't contain changes. Submit different information to create a change set."  # noqa: E501
    answer = {"ChangeSetId": CHANGE_SET_ID, "StackId": STACK_ID, "Status": "FAILED", "StatusReason": reason}
    clients.cfn.add_response("describe_change_set", answer, {"ChangeSetName": CHANGE_SET_ID})
    clients.cfn.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    expect_after_stack(clients, [])
    out_console, out = console()
    assert run_deploy(DeployOptions(prebuilt_template=built, poll_s=0), clients, out_console) == 0
    clients.assert_done()
    assert "no changes to the stack's resources" in out.getvalue()
    assert "migrations: the schema is current" in out.getvalue()
    assert json.loads(object_of(s3, WEB_BUCKET, "config.json")["Data"])["apiBase"].endswith("/api")


def test_a_failed_migration_exits_1_with_its_message(clients: Clients) -> None:
    body = json.dumps(
        {"errorMessage": 'relation "users" already exists', "errorType": "DuplicateTable"}
    ).encode()
    clients.stubs["lambda"].add_response(
        "invoke",
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "Payload": StreamingBody(io.BytesIO(body), len(body)),
        },
    )
    with pytest.raises(DeployError) as failed:
        deploy.run_migrations(clients("lambda"), "codearena-Migrate", console()[0])
    assert failed.value.exit_code == 1
    assert 'relation "users" already exists' in str(failed.value)
    assert "run `codearena deploy` again" in str(failed.value)


# --- the artifacts ------------------------------------------------------------------------
def test_an_unchanged_artifact_is_not_uploaded_again_and_keeps_its_version(clients: Clients, s3: Any) -> None:
    assert deploy_release.ensure_bucket(s3, ARTIFACTS, REGION) is True
    assert deploy_release.ensure_bucket(s3, ARTIFACTS, REGION) is False
    first, sent = deploy_release.put_once(s3, ARTIFACTS, "releases/1/layer.zip", b"layer v1")
    again, sent_again = deploy_release.put_once(s3, ARTIFACTS, "releases/1/layer.zip", b"layer v1")
    changed, sent_changed = deploy_release.put_once(s3, ARTIFACTS, "releases/1/layer.zip", b"layer v2")
    assert (sent, sent_again, sent_changed) == (True, False, True)
    assert first == again and first.version_id is not None
    assert changed.version_id not in (None, first.version_id)  # a redeploy of 1 still updates Lambda
    versions = s3.list_object_versions(Bucket=ARTIFACTS, Prefix="releases/1/")["Versions"]
    assert len(versions) == 2


def test_the_layer_zips_to_the_same_bytes_every_time(tmp_path: Path) -> None:
    (tmp_path / "python" / "pkg").mkdir(parents=True)
    (tmp_path / "python" / "pkg" / "b.py").write_text("b = 1\n")
    (tmp_path / "python" / "a.py").write_text("a = 1\n")
    first = deploy_release.zip_directory(tmp_path)
    (tmp_path / "python" / "a.py").touch()  # a new mtime: same content
    assert deploy_release.zip_directory(tmp_path) == first
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["python/a.py", "python/pkg/b.py"]


def test_the_committed_template_names_the_contract_artifacts(tmp_path: Path) -> None:
    """template.yaml's local CodeUri/ContentUri become deployment.zip and layer.zip (the contract)."""
    template = yaml.safe_load((project_root() / "template.yaml").read_text())
    for _, _, path in deploy_release._artifact_properties(template):
        target = tmp_path / path
        if path.endswith(".zip"):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"zip")
        else:
            target.mkdir(parents=True, exist_ok=True)
    release = deploy_release.Release("0.1.0", template, tmp_path, tmp_path / "w.whl")
    names = deploy_release.local_artifacts(release)
    assert set(names.values()) == {"deployment.zip", "layer.zip"}
    locations = {
        path: deploy_release.S3Location("b", "releases/0.1.0/" + name, "v1") for path, name in names.items()
    }
    packaged = deploy_release.pointed_at(template, locations)
    assert all(not isinstance(value, str) for _, _, value in deploy_release._artifact_properties(packaged))


# --- destroy ------------------------------------------------------------------------------
DB_INSTANCE = "codearena-database-1x2y3z4w5v6u"
RESOURCES = [
    ("Database", "AWS::RDS::DBInstance", DB_INSTANCE),
    ("WebBucket", "AWS::S3::Bucket", WEB_BUCKET),
    ("APIHandler", "AWS::Lambda::Function", "codearena-APIHandler-abc"),
]


def resources_page() -> Any:
    summaries = [
        {
            "LogicalResourceId": logical,
            "PhysicalResourceId": physical,
            "ResourceType": kind,
            "LastUpdatedTimestamp": NOW,
            "ResourceStatus": "CREATE_COMPLETE",
        }
        for logical, kind, physical in RESOURCES
    ]
    return {"StackResourceSummaries": summaries}


def expect_destroy_start(clients: Clients) -> None:
    clients.cfn.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", PREVIOUS, OUTPUTS), {"StackName": STACK}
    )
    clients.cfn.add_response("list_stack_resources", resources_page(), {"StackName": STACK_ID})


def test_destroy_empties_the_web_bucket_deletes_the_stack_and_names_the_snapshot(
    clients: Clients, s3: Any, web_bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=WEB_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=WEB_BUCKET, Key="index.html", Body=b"v1")
    s3.put_object(Bucket=WEB_BUCKET, Key="index.html", Body=b"v2")
    s3.delete_object(Bucket=WEB_BUCKET, Key="js/removed-module.js")  # leaves a delete marker
    expect_destroy_start(clients)
    rds = clients.stubs["rds"]
    rds.add_response(
        "describe_db_instances",
        {"DBInstances": [{"DBInstanceIdentifier": DB_INSTANCE, "DeletionProtection": True}]},
        {"DBInstanceIdentifier": DB_INSTANCE},
    )
    rds.add_response(
        "modify_db_instance",
        {"DBInstance": {"DBInstanceIdentifier": DB_INSTANCE, "DeletionProtection": False}},
        {"DBInstanceIdentifier": DB_INSTANCE, "DeletionProtection": False, "ApplyImmediately": True},
    )
    clients.cfn.add_response("describe_stack_events", events(event(1, STACK, "UPDATE_COMPLETE")))
    clients.cfn.add_response("delete_stack", {}, {"StackName": STACK_ID})
    expect_wait(
        clients,
        [
            (
                "DELETE_IN_PROGRESS",
                [event(3, "APIHandler", "DELETE_COMPLETE"), event(2, STACK, "DELETE_IN_PROGRESS")],
            ),
            (
                "DELETE_COMPLETE",
                [
                    event(6, STACK, "DELETE_COMPLETE"),
                    event(5, "Database", "DELETE_COMPLETE", "AWS::RDS::DBInstance"),
                    event(4, "WebBucket", "DELETE_COMPLETE", "AWS::S3::Bucket"),
                ],
            ),
        ],
    )
    snapshot = "codearena-database-1x2y3z4w5v6u-snapshot-a1b2c3"
    rds.add_response(
        "describe_db_snapshots",
        {
            "DBSnapshots": [
                {
                    "DBSnapshotIdentifier": "an-older-one",
                    "Status": "available",
                    "SnapshotCreateTime": datetime(2026, 1, 1, tzinfo=UTC),
                },
                {"DBSnapshotIdentifier": snapshot, "Status": "available", "SnapshotCreateTime": NOW},
            ]
        },
        {"DBInstanceIdentifier": DB_INSTANCE, "SnapshotType": "manual"},
    )
    out_console, out = console()
    assert run_destroy(DestroyOptions(yes=True, poll_s=0), clients, out_console) == 0
    clients.assert_done()
    assert "Versions" not in s3.list_object_versions(Bucket=WEB_BUCKET)
    assert "DeleteMarkers" not in s3.list_object_versions(Bucket=WEB_BUCKET)
    shown = out.getvalue()
    assert f"final snapshot of {DB_INSTANCE}: {snapshot} (available)" in shown
    assert "kept as a final snapshot (DeletionPolicy: Snapshot)" in shown
    assert f"artifacts bucket {ARTIFACTS}: kept" in shown
    assert "3/3" in shown


def test_destroy_asks_for_the_stack_name_and_a_wrong_answer_deletes_nothing(
    clients: Clients, s3: Any, web_bucket: str
) -> None:
    expect_destroy_start(clients)
    asked: list[str] = []

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return "yes"

    out_console, out = console()
    assert run_destroy(DestroyOptions(poll_s=0), clients, out_console, ask=answer) == 1
    clients.assert_done()  # no delete_stack, no database change
    assert asked == ["Type the stack name (codearena) to delete it: "]
    assert "not destroyed" in out.getvalue()
    assert s3.list_objects_v2(Bucket=WEB_BUCKET)["KeyCount"] == 1


def test_destroy_refuses_a_stack_that_does_not_exist(
    cli_clients: Clients, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_clients.cfn.add_client_error(
        "describe_stacks",
        "ValidationError",
        "Stack with id practice does not exist",
        400,
        {"StackName": "practice"},
    )
    assert main(["destroy", "--stack-name", "practice", "--yes"]) == 2
    cli_clients.assert_done()
    assert "there is no stack practice in us-east-1: nothing to destroy" in capsys.readouterr().err
