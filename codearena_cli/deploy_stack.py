"""The CloudFormation side of `codearena deploy`/`destroy`: stack state, change sets, waiting."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from codearena_cli.deploy_errors import FAILED, DeployError

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]  # IAM roles; the SAM transform
# States an update cannot start from, and what to do about each.
BUSY = "is busy ({status}): wait until it settles, then run this again"
BLOCKED = {
    "ROLLBACK_COMPLETE": "its creation failed and was rolled back; a stack in ROLLBACK_COMPLETE cannot"
    " be updated: delete it with `codearena destroy --stack-name {name}`, then deploy again",
    "ROLLBACK_FAILED": "its creation failed and so did the rollback: delete it with `codearena destroy"
    " --stack-name {name}` (or in the CloudFormation console), then deploy again",
    "DELETE_FAILED": "a deletion failed part-way: run `codearena destroy --stack-name {name}` again",
    "UPDATE_ROLLBACK_FAILED": "an update's rollback failed: continue the rollback in the CloudFormation"
    " console (ContinueUpdateRollback), then deploy again",
}
ACTION_STYLE = {"Add": "green", "Modify": "yellow", "Remove": "red", "Dynamic": "yellow"}
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class Stack:
    name: str
    stack_id: str
    status: str
    parameters: dict[str, str]
    outputs: dict[str, str]
    reason: str = ""


@dataclass(frozen=True)
class ChangeSet:
    change_set_id: str
    stack_id: str
    kind: str  # CREATE or UPDATE
    changes: list[dict[str, Any]]


def describe_stack(cfn: Any, name: str) -> Stack | None:
    """The stack (by name or id), or None when there is none."""
    try:
        found = cfn.describe_stacks(StackName=name)["Stacks"][0]
    except ClientError as exc:
        if "does not exist" in exc.response.get("Error", {}).get("Message", ""):
            return None
        raise
    return Stack(
        name=found["StackName"],
        stack_id=found["StackId"],
        status=found["StackStatus"],
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in found.get("Parameters", [])},
        outputs={o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])},
        reason=found.get("StackStatusReason", ""),
    )


def change_set_kind(stack: Stack | None, name: str) -> str:
    """CREATE for a new stack, UPDATE for a settled one; refuses the states to fix first."""
    if stack is None or stack.status == "REVIEW_IN_PROGRESS":  # REVIEW: a change set never run
        return "CREATE"
    if stack.status in BLOCKED:
        raise DeployError(f"stack {name} {BLOCKED[stack.status].format(name=name)}")
    if stack.status.endswith("_IN_PROGRESS"):
        raise DeployError(f"stack {name} {BUSY.format(status=stack.status)}")
    return "UPDATE"


# --- parameters ---------------------------------------------------------------------------
def check_parameters(declared: dict[str, dict[str, Any]], given: dict[str, str]) -> None:
    """Refuse a parameter the template does not take, or a value outside its AllowedValues."""
    for name, value in given.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise DeployError(f"the template has no parameter {name} (it takes: {known})")
        allowed = [str(v) for v in declared[name].get("AllowedValues", [])]
        if allowed and value not in allowed:
            raise DeployError(f"{name}={value} is not allowed: choose one of {', '.join(allowed)}")


def stack_parameters(
    declared: dict[str, dict[str, Any]], given: dict[str, str], previous: Stack | None
) -> list[dict[str, Any]]:
    """Given values win; the rest keep the previous stack's value, else the template's default."""
    chosen: list[dict[str, Any]] = []
    for name in sorted(declared):
        if name in given:
            chosen.append({"ParameterKey": name, "ParameterValue": given[name]})
        elif previous is not None and name in previous.parameters:
            chosen.append({"ParameterKey": name, "UsePreviousValue": True})
        elif "Default" not in declared[name]:
            raise DeployError(f"parameter {name} has no default: pass --parameter {name}=VALUE")
    return chosen


# --- change sets --------------------------------------------------------------------------
def create_change_set(
    cfn: Any, name: str, kind: str, template_url: str, parameters: list[dict[str, Any]]
) -> tuple[str, str]:
    """(change set id, stack id) of a new change set; CloudFormation computes it asynchronously."""
    created = cfn.create_change_set(
        StackName=name,
        ChangeSetName=f"codearena-{datetime.now(UTC):%Y%m%d-%H%M%S}",
        ChangeSetType=kind,
        TemplateURL=template_url,
        Parameters=parameters,
        Capabilities=CAPABILITIES,
        Description="codearena deploy",
    )
    return created["Id"], created["StackId"]


def wait_for_change_set(cfn: Any, change_set_id: str, poll_s: float) -> list[dict[str, Any]] | None:
    """The change set's resource changes once computed; None when it would change nothing."""
    while True:
        described = cfn.describe_change_set(ChangeSetName=change_set_id)
        if described["Status"] == "CREATE_COMPLETE":
            return _all_changes(cfn, change_set_id, described)
        if described["Status"] == "FAILED":
            reason = described.get("StatusReason", "")
            if any(marker in reason for marker in NO_CHANGES):
                return None
            raise DeployError(f"CloudFormation refused the change set: {reason}", FAILED)
        time.sleep(poll_s)


def _all_changes(cfn: Any, change_set_id: str, page: dict[str, Any]) -> list[dict[str, Any]]:
    changes = [c["ResourceChange"] for c in page.get("Changes", []) if c.get("Type") == "Resource"]
    while page.get("NextToken"):
        page = cfn.describe_change_set(ChangeSetName=change_set_id, NextToken=page["NextToken"])
        changes += [c["ResourceChange"] for c in page.get("Changes", []) if c.get("Type") == "Resource"]
    return changes


def change_table(changes: list[dict[str, Any]]) -> Table:
    """What the change set adds, modifies and removes; Replacement True means a new resource."""
    table = Table(title=f"{len(changes)} resource changes", title_justify="left")
    for column in ("action", "resource", "type", "replacement"):
        table.add_column(column)
    for change in sorted(changes, key=lambda c: (c.get("Action", ""), c.get("LogicalResourceId", ""))):
        action = change.get("Action", "")
        replace = {"True": "[red]yes[/]", "Conditional": "[yellow]maybe[/]"}
        table.add_row(
            f"[{ACTION_STYLE.get(action, 'white')}]{action}[/]",
            escape(change.get("LogicalResourceId", "")),
            escape(change.get("ResourceType", "")),
            replace.get(change.get("Replacement", ""), ""),
        )
    return table


# --- waiting with progress ----------------------------------------------------------------
@dataclass
class StackWatch:
    """The stack's events since an operation began: what is done, what failed."""

    stack_id: str
    seen: set[str] = field(default_factory=set)
    done: set[str] = field(default_factory=set)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def start(self, cfn: Any) -> None:
        """Everything already in the stack's history belongs to earlier operations."""
        page = cfn.describe_stack_events(StackName=self.stack_id)
        self.seen.update(e["EventId"] for e in page.get("StackEvents", []))

    def new_events(self, cfn: Any) -> list[dict[str, Any]]:
        """Events not shown yet, oldest first (CloudFormation lists newest first)."""
        fresh: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StackName": self.stack_id}
        while True:
            page = cfn.describe_stack_events(**request)
            for event in page.get("StackEvents", []):
                if event["EventId"] in self.seen:
                    return self._take(fresh)
                fresh.append(event)
            if not page.get("NextToken"):
                return self._take(fresh)
            request["NextToken"] = page["NextToken"]

    def _take(self, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
        fresh.reverse()
        for event in fresh:
            self.seen.add(event["EventId"])
            status = event.get("ResourceStatus", "")
            if event.get("PhysicalResourceId") == self.stack_id:
                continue  # the stack's own events; its status is read from describe_stacks
            if status.endswith(("_COMPLETE", "_FAILED", "_SKIPPED")):
                self.done.add(event["LogicalResourceId"])
            if status.endswith("_FAILED"):
                self.failures.append(event)
        return fresh


def wait_for_stack(
    cfn: Any, watch: StackWatch, total: int, console: Console, poll_s: float, timeout_s: float
) -> Stack:
    """Follow the stack until it settles, showing resources done / total and each event."""
    deadline = time.monotonic() + timeout_s
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("starting", total=max(total, 1))
        while True:
            stack = describe_stack(cfn, watch.stack_id)
            if stack is None:
                raise DeployError(f"stack {watch.stack_id} vanished while waiting", FAILED)
            for event in watch.new_events(cfn):
                progress.console.print(event_line(event), highlight=False)
            progress.update(task, completed=min(len(watch.done), total), description=stack.status)
            if settled(stack.status):
                return stack
            if time.monotonic() > deadline:
                raise DeployError(f"still {stack.status} after {timeout_s / 60:.0f} minutes", FAILED)
            time.sleep(poll_s)


def settled(status: str) -> bool:
    return status.endswith(("_COMPLETE", "_FAILED"))


def succeeded(status: str) -> bool:
    return status.endswith("_COMPLETE") and "ROLLBACK" not in status


STATUS_STYLE = (("_FAILED", "red"), ("ROLLBACK", "red"), ("_COMPLETE", "green"), ("", "yellow"))


def event_line(event: dict[str, Any]) -> str:
    status = event.get("ResourceStatus", "")
    style = next(s for suffix, s in STATUS_STYLE if suffix in status)
    when = event.get("Timestamp")
    clock = when.strftime("%H:%M:%S") if isinstance(when, datetime) else ""
    reason = event.get("ResourceStatusReason", "")
    text = f"{clock} [{style}]{status}[/] {escape(event.get('LogicalResourceId', ''))}"
    text += f" ({escape(event.get('ResourceType', ''))})"
    return text + (f": {escape(reason)}" if reason else "")


def failure_table(watch: StackWatch, stack: Stack) -> Table:
    """Why it failed: each failed resource's reason (or the stack's own when none is given)."""
    table = Table(title=f"stack {stack.name}: {stack.status}", title_justify="left")
    for column in ("resource", "type", "status", "reason"):
        table.add_column(column)
    for event in watch.failures:
        table.add_row(
            escape(event.get("LogicalResourceId", "")),
            escape(event.get("ResourceType", "")),
            event.get("ResourceStatus", ""),
            escape(event.get("ResourceStatusReason", "")),
        )
    if not watch.failures:
        table.add_row(stack.name, "AWS::CloudFormation::Stack", stack.status, escape(stack.reason))
    return table


def stack_resources(cfn: Any, stack_id: str) -> list[dict[str, Any]]:
    """Every resource of the stack (list_stack_resources, all pages)."""
    found: list[dict[str, Any]] = []
    request: dict[str, Any] = {"StackName": stack_id}
    while True:
        page = cfn.list_stack_resources(**request)
        found += page.get("StackResourceSummaries", [])
        if not page.get("NextToken"):
            return found
        request["NextToken"] = page["NextToken"]


def discard_change_set(cfn: Any, change_set: ChangeSet) -> None:
    """Delete a change set not executed; a stack it alone created (REVIEW_IN_PROGRESS) goes too."""
    cfn.delete_change_set(ChangeSetName=change_set.change_set_id)
    if change_set.kind == "CREATE":
        cfn.delete_stack(StackName=change_set.stack_id)
