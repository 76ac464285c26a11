"""`codearena deploy` and `codearena destroy`: CodeArena's CloudFormation stack, end to end.

deploy: build the release (template, layer, chalice bundle, wheel) → put it in the artifacts
bucket → a change set (CREATE or UPDATE), shown → `--dry-run` stops here → execute and wait →
invoke the Migrate function → web/ and its config.json to the web bucket → invalidate CloudFront
→ print the stack's outputs. destroy: empty the web bucket, delete the stack (the database keeps
its final snapshot), wait. CLI code only: never shipped in the Lambda layer.

AWS clients come from one factory (`ClientFactory`: service name → client) so tests pass moto
or botocore-Stubber clients.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from codearena.config import project_root
from codearena_cli import deploy_release as releases
from codearena_cli import deploy_stack as stacks
from codearena_cli import deploy_web as web
from codearena_cli.deploy_errors import FAILED, USAGE, DeployError

# The AWS services the deploy talks to (boto3 types a client by its service's literal name).
Service = Literal["cloudformation", "cloudfront", "lambda", "rds", "s3", "sts"]
ClientFactory = Callable[[Service], Any]
DEFAULT_STACK = "codearena"
READ_TIMEOUT_S: dict[Service, int] = {"lambda": 900}  # the Migrate function may run for its whole timeout
POLL_S = 5.0  # between CloudFormation status reads (its own waiters poll every 5-30 s)
SET_BY_DEPLOY = ("ReleaseVersion",)  # the wheel's version; a release is one version


@dataclass(frozen=True)
class DeployOptions:
    stack_name: str = DEFAULT_STACK
    parameters: dict[str, str] = field(default_factory=dict)
    artifacts_bucket: str | None = None
    dry_run: bool = False
    prebuilt_template: Path | None = None  # --no-build: deploy what was built before
    web_dir: Path = field(default_factory=lambda: project_root() / "web")
    poll_s: float = POLL_S
    timeout_s: float = 90 * 60.0


def session_clients(region: str | None, profile: str | None) -> ClientFactory:
    """Clients of one boto3 session (the usual AWS environment, or --region/--profile)."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(profile_name=profile, region_name=region)
    if not session.region_name:
        raise DeployError("no AWS region: pass --region or set AWS_REGION (or a profile's region)")
    made: dict[Service, Any] = {}

    def client(service: Service) -> Any:
        if service not in made:
            config = Config(read_timeout=READ_TIMEOUT_S.get(service, 60), retries={"mode": "standard"})
            made[service] = session.client(service, config=config)
        return made[service]

    return client


# --- deploy -------------------------------------------------------------------------------
def run_deploy(options: DeployOptions, clients: ClientFactory, console: Console) -> int:
    """Deploy as the module docstring says; the exit code (errors raise DeployError)."""
    cfn = clients("cloudformation")
    previous = stacks.describe_stack(cfn, options.stack_name)
    kind = stacks.change_set_kind(previous, options.stack_name)  # refuse before building anything
    release = _release(options, console)
    _check_given(release, options.parameters, previous if kind == "UPDATE" else None)
    uploaded = _upload(release, options, previous, clients, console)
    parameters = _stack_parameters(
        release, options.parameters, uploaded, previous if kind == "UPDATE" else None
    )
    change_set = _change_set(cfn, options, kind, uploaded, _region(clients), parameters, console)
    if options.dry_run:
        return _dry_run_ends(cfn, change_set, console)
    if change_set.changes:
        _execute(cfn, change_set, options, console)
    return _after_stack(options, clients, console)


def _release(options: DeployOptions, console: Console) -> releases.Release:
    if options.prebuilt_template is not None:
        return releases.prebuilt_release(options.prebuilt_template)
    console.print("building: template.yaml, the core layer, the chalice bundle, the wheel …")
    build_dir = project_root() / "build"
    build_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="codearena-deploy-", dir=build_dir) as tmp:
        try:
            return releases.build_release(project_root(), Path(tmp) / "template.yaml")
        except RuntimeError as exc:  # codearena_cli.package's failed chalice or pip run
            raise DeployError(f"building the release failed: {exc}", FAILED) from exc


def _upload(
    release: releases.Release,
    options: DeployOptions,
    previous: stacks.Stack | None,
    clients: ClientFactory,
    console: Console,
) -> releases.UploadedRelease:
    s3, region = clients("s3"), _region(clients)
    bucket = options.artifacts_bucket or (previous.parameters.get("ArtifactsBucket") if previous else None)
    bucket = bucket or releases.default_bucket(clients("sts").get_caller_identity()["Account"], region)
    if releases.ensure_bucket(s3, bucket, region):
        console.print(f"created the artifacts bucket {bucket} (private, versioned)")
    uploaded = releases.upload_release(s3, bucket, release)
    sent = ", ".join(uploaded.uploaded) or "nothing (every artifact was already there)"
    console.print(f"release {release.version} in s3://{bucket}/{release.prefix}: uploaded {sent}")
    return uploaded


def _check_given(release: releases.Release, given: dict[str, str], previous: stacks.Stack | None) -> None:
    """Refuse bad or missing parameters before anything is uploaded."""
    stacks.check_parameters(release.parameters(), given)
    for name in SET_BY_DEPLOY:
        if name in given:
            raise DeployError(f"{name} is set by deploy (the wheel's version, {release.version})")
    own = dict.fromkeys(("ArtifactsBucket", "ReleaseVersion"), "set by deploy")
    stacks.stack_parameters(release.parameters(), {**given, **own}, previous)  # raises when one lacks a value


def _stack_parameters(
    release: releases.Release,
    given: dict[str, str],
    uploaded: releases.UploadedRelease,
    previous: stacks.Stack | None,
) -> list[dict[str, Any]]:
    """The command line's values plus what deploy sets itself (when the template declares it)."""
    declared = release.parameters()
    own = {"ArtifactsBucket": uploaded.template.bucket, "ReleaseVersion": release.version}
    chosen = {**given, **{name: value for name, value in own.items() if name in declared}}
    return stacks.stack_parameters(declared, chosen, previous)


def _change_set(
    cfn: Any,
    options: DeployOptions,
    kind: str,
    uploaded: releases.UploadedRelease,
    region: str,
    parameters: list[dict[str, Any]],
    console: Console,
) -> stacks.ChangeSet:
    template_url = uploaded.template.url(region)
    change_set_id, stack_id = stacks.create_change_set(
        cfn, options.stack_name, kind, template_url, parameters
    )
    console.print(f"change set ({kind}) for stack {options.stack_name} in {region}:")
    changes = stacks.wait_for_change_set(cfn, change_set_id, options.poll_s)
    change_set = stacks.ChangeSet(change_set_id, stack_id, kind, changes or [])
    if changes is None:
        console.print("no changes to the stack's resources")
        stacks.discard_change_set(cfn, change_set)
    else:
        console.print(stacks.change_table(changes))
    return change_set


def _dry_run_ends(cfn: Any, change_set: stacks.ChangeSet, console: Console) -> int:
    if change_set.changes:
        stacks.discard_change_set(cfn, change_set)
    console.print(
        "dry run: the change set was deleted; no stack, function or web file changed"
        " (the release stays in the artifacts bucket, where CloudFormation read it)"
    )
    return 0


def _execute(cfn: Any, change_set: stacks.ChangeSet, options: DeployOptions, console: Console) -> None:
    watch = stacks.StackWatch(change_set.stack_id)
    watch.start(cfn)
    cfn.execute_change_set(ChangeSetName=change_set.change_set_id)
    total = len(change_set.changes)
    stack = stacks.wait_for_stack(cfn, watch, total, console, options.poll_s, options.timeout_s)
    if not stacks.succeeded(stack.status):
        console.print(stacks.failure_table(watch, stack))
        advice = stacks.BLOCKED.get(stack.status, "fix the cause above and deploy again")
        raise DeployError(
            f"the {change_set.kind.lower()} failed: stack {stack.name} is {stack.status}; "
            + advice.format(name=stack.name),
            FAILED,
        )
    console.print(f"stack {stack.name}: {stack.status}")


def _after_stack(options: DeployOptions, clients: ClientFactory, console: Console) -> int:
    """Migrations, web/, the CDN: every step after the stack (also when it did not change)."""
    stack = stacks.describe_stack(clients("cloudformation"), options.stack_name)
    if stack is None:
        raise DeployError(f"stack {options.stack_name} is gone", FAILED)
    outputs = stack.outputs
    run_migrations(clients("lambda"), _output(outputs, "MigrateFunctionName"), console)
    config = web.web_config(outputs)
    published = web.upload_web(clients("s3"), _output(outputs, "WebBucketName"), options.web_dir, config)
    removed = f", removed {len(published.removed)} old ones" if published.removed else ""
    console.print(f"web: uploaded {len(published.uploaded)} files{removed}")
    distribution = _output(outputs, "DistributionId")
    invalidation = web.invalidate(clients("cloudfront"), distribution, f"codearena-{uuid.uuid4().hex}")
    console.print(f"CloudFront invalidation {invalidation} requested (cached copies go within minutes)")
    console.print(outputs_table(stack))
    return 0


def _output(outputs: dict[str, str], name: str) -> str:
    if not outputs.get(name):
        raise DeployError(f"the stack has no output {name}: was the template updated?", FAILED)
    return outputs[name]


def run_migrations(lambda_client: Any, function_name: str, console: Console) -> list[str]:
    """Invoke the Migrate function synchronously; the migrations it applied."""
    response = lambda_client.invoke(
        FunctionName=function_name, InvocationType="RequestResponse", Payload=b"{}"
    )
    raw = response["Payload"].read()
    payload = json.loads(raw) if raw else None
    if response.get("FunctionError") or not isinstance(payload, dict):
        detail = payload.get("errorMessage", raw) if isinstance(payload, dict) else raw
        raise DeployError(
            f"the stack is deployed but migrations failed ({function_name}): {detail!s};"
            " fix the cause and run `codearena deploy` again (it runs them again)",
            FAILED,
        )
    applied = [str(name) for name in payload.get("applied", [])]
    console.print("migrations: " + (", ".join(applied) if applied else "the schema is current"))
    return applied


def outputs_table(stack: stacks.Stack) -> Table:
    table = Table(title=f"stack {stack.name}", title_justify="left")
    table.add_column("output")
    table.add_column("value")
    for name, value in sorted(stack.outputs.items()):
        table.add_row(name, escape(value))
    return table


def _region(clients: ClientFactory) -> str:
    region: str = clients("cloudformation").meta.region_name
    return region


# --- destroy ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DestroyOptions:
    stack_name: str = DEFAULT_STACK
    yes: bool = False
    poll_s: float = POLL_S
    timeout_s: float = 90 * 60.0


def run_destroy(
    options: DestroyOptions, clients: ClientFactory, console: Console, ask: Callable[[str], str] = input
) -> int:
    """Empty the web bucket, delete the stack and wait; the database keeps a final snapshot."""
    cfn, name = clients("cloudformation"), options.stack_name
    stack = stacks.describe_stack(cfn, name)
    if stack is None:
        raise DeployError(f"there is no stack {name} in {_region(clients)}: nothing to destroy")
    resources = stacks.stack_resources(cfn, stack.stack_id)
    databases = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::RDS::DBInstance"]
    _describe_destruction(stack, resources, databases, console)
    if not options.yes and not _confirmed(name, ask):
        console.print("not destroyed")
        return FAILED
    _prepare_deletion(stack, databases, clients, console)
    watch = stacks.StackWatch(stack.stack_id)
    watch.start(cfn)
    cfn.delete_stack(StackName=stack.stack_id)
    ended = stacks.wait_for_stack(cfn, watch, len(resources), console, options.poll_s, options.timeout_s)
    if ended.status != "DELETE_COMPLETE":
        console.print(stacks.failure_table(watch, ended))
        raise DeployError(f"the deletion failed: stack {name} is {ended.status}", FAILED)
    console.print(f"stack {name} deleted")
    _report_snapshots(clients("rds"), databases, console)
    return 0


def _describe_destruction(
    stack: stacks.Stack, resources: list[dict[str, Any]], databases: list[str], console: Console
) -> None:
    console.print(f"stack {stack.name} ({stack.status}) with {len(resources)} resources will be deleted.")
    for database in databases:
        console.print(f"database {database}: kept as a final snapshot (DeletionPolicy: Snapshot)")
    if stack.outputs.get("WebBucketName"):
        console.print(f"web bucket {stack.outputs['WebBucketName']}: emptied, then deleted")
    if stack.parameters.get("ArtifactsBucket"):
        console.print(f"artifacts bucket {stack.parameters['ArtifactsBucket']}: kept (not in the stack)")


def _confirmed(name: str, ask: Callable[[str], str]) -> bool:
    try:
        return ask(f"Type the stack name ({name}) to delete it: ").strip() == name
    except EOFError:  # no terminal to answer from: --yes is the way
        return False


def _prepare_deletion(
    stack: stacks.Stack, databases: list[str], clients: ClientFactory, console: Console
) -> None:
    """What CloudFormation cannot delete by itself: a full bucket, a deletion-protected database."""
    bucket = stack.outputs.get("WebBucketName")
    if bucket:
        console.print(f"emptied {bucket}: {web.empty_bucket(clients('s3'), bucket)} objects deleted")
    rds = clients("rds")
    for database in databases:
        described = rds.describe_db_instances(DBInstanceIdentifier=database)["DBInstances"][0]
        if described.get("DeletionProtection"):
            rds.modify_db_instance(
                DBInstanceIdentifier=database, DeletionProtection=False, ApplyImmediately=True
            )
            console.print(f"database {database}: deletion protection turned off (the final snapshot stays)")


def _report_snapshots(rds: Any, databases: list[str], console: Console) -> None:
    for database in databases:
        found = rds.describe_db_snapshots(DBInstanceIdentifier=database, SnapshotType="manual")
        snapshots = sorted(found.get("DBSnapshots", []), key=lambda s: str(s.get("SnapshotCreateTime", "")))
        if snapshots:
            last = snapshots[-1]
            console.print(f"final snapshot of {database}: {last['DBSnapshotIdentifier']} ({last['Status']})")
        else:
            console.print(
                f"no snapshot of {database} shows yet: `aws rds describe-db-snapshots"
                f" --db-instance-identifier {database}` lists it once RDS has it"
            )


# --- the command line ---------------------------------------------------------------------
def deploy_command(args: argparse.Namespace) -> int:
    try:
        options = DeployOptions(
            stack_name=args.stack_name,
            parameters=dict(args.parameter),
            artifacts_bucket=args.artifacts_bucket,
            dry_run=args.dry_run,
            prebuilt_template=_prebuilt(args),
            poll_s=POLL_S,
            timeout_s=args.timeout_minutes * 60,
        )
    except DeployError as exc:
        return _refused("deploy", str(exc), exc.exit_code)
    return _guarded("deploy", lambda clients, console: run_deploy(options, clients, console), args)


def _prebuilt(args: argparse.Namespace) -> Path | None:
    if not args.no_build:
        if args.template:
            raise DeployError("--template goes with --no-build (deploy builds its own template)")
        return None
    return Path(args.template) if args.template else project_root() / "template.yaml"


def destroy_command(args: argparse.Namespace) -> int:
    options = DestroyOptions(
        stack_name=args.stack_name, yes=args.yes, poll_s=POLL_S, timeout_s=args.timeout_minutes * 60
    )
    return _guarded("destroy", lambda clients, console: run_destroy(options, clients, console), args)


def _guarded(command: str, action: Callable[[ClientFactory, Console], int], args: argparse.Namespace) -> int:
    """Run with the session's clients; every refusal is one line on stderr and an exit code."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

    logging.getLogger("botocore").setLevel(logging.WARNING)  # not "Found credentials in …"
    try:
        return action(session_clients(args.region, args.profile), Console(highlight=False))
    except DeployError as exc:
        message, code = str(exc), exc.exit_code
    except ClientError as exc:
        error = exc.response.get("Error", {})
        message, code = f"AWS refused {exc.operation_name}: {error.get('Message', error)}", FAILED
    except (NoCredentialsError, ProfileNotFound) as exc:
        message, code = f"{exc} (see `aws configure`, or set AWS_PROFILE)", USAGE
    except BotoCoreError as exc:
        message, code = str(exc), FAILED
    return _refused(command, message, code)


def _refused(command: str, message: str, code: int) -> int:
    print(f"codearena {command}: {message}", file=sys.stderr)
    return code
