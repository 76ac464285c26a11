"""What a judge host in an Auto Scaling group talks to, on loopback, for a real process.

`FakeImds` serves IMDSv2 as EC2 does (a token from a PUT, GETs refused without it) with a
target lifecycle state the test switches. `AwsFront` is the process's AWS_ENDPOINT_URL: moto
(on loopback) emulates SetInstanceProtection and CloudWatch but not lifecycle actions
(CompleteLifecycleAction and RecordLifecycleActionHeartbeat raise NotImplemented there), so
the front answers those two itself, as Auto Scaling would, and passes every other request on
to moto; it records every call with the time it arrived. botocore's Stubber cannot stand in
here: it patches a client inside one process, and the host under test is another process.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock
from urllib.parse import parse_qs

import boto3
import httpx

REGION = "eu-west-1"
LIFECYCLE_ACTIONS = ("CompleteLifecycleAction", "RecordLifecycleActionHeartbeat")
_XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"


@dataclass(frozen=True)
class Call:
    at: float  # time.time() when the request arrived
    action: str
    params: dict[str, str]


@dataclass
class Group:
    """An Auto Scaling group in moto with the template's two lifecycle hooks."""

    name: str
    instance_ids: list[str]
    hooks: set[str] = field(default_factory=lambda: {"codearena-launching", "codearena-terminating"})


def aws_client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def create_group(moto_endpoint: str, name: str = "codearena-judges", size: int = 2) -> Group:
    """The group, in a moto emptied first (its state outlives one server: it is per process)."""
    # An EC2 backend made anew (at a reset, or at the first call) loads moto's default AMIs,
    # ~0.25 s of CPU; the template's AMI is never looked up (moto checks none by default).
    with mock.patch.dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false"):
        httpx.post(f"{moto_endpoint}/moto-api/reset", timeout=30).raise_for_status()
        ec2, autoscaling = aws_client("ec2", moto_endpoint), aws_client("autoscaling", moto_endpoint)
        template = {"ImageId": "ami-12c6146b", "InstanceType": "c7i.large"}
        ec2.create_launch_template(LaunchTemplateName=f"{name}-template", LaunchTemplateData=template)
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchTemplate={"LaunchTemplateName": f"{name}-template"},
        MinSize=0,
        MaxSize=4,
        DesiredCapacity=size,
        AvailabilityZones=[f"{REGION}a"],
    )
    group = Group(name, instance_ids(autoscaling, name))
    for hook, transition, default in (
        ("codearena-launching", "LAUNCHING", "ABANDON"),
        ("codearena-terminating", "TERMINATING", "CONTINUE"),
    ):
        autoscaling.put_lifecycle_hook(
            AutoScalingGroupName=name,
            LifecycleHookName=hook,
            LifecycleTransition=f"autoscaling:EC2_INSTANCE_{transition}",
            HeartbeatTimeout=900,
            DefaultResult=default,
        )
    return group


def instance_ids(autoscaling: Any, group: str) -> list[str]:
    found = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"]
    return [instance["InstanceId"] for instance in found[0]["Instances"]]


class FakeImds:
    """IMDSv2 for one instance. `state` is its target lifecycle state (None: no such item)."""

    def __init__(self, instance_id: str, state: str | None = "InService") -> None:
        self.instance_id = instance_id
        self.state = state
        self.reads: list[tuple[float, str | None]] = []  # (time, state answered)
        self.tokens: set[str] = set()
        self.refused = 0  # GETs without a valid token
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def first_read(self, state: str) -> float | None:
        """When the host was first told `state`."""
        return next((at for at, told in list(self.reads) if told == state), None)

    def reads_after(self, since: float) -> int:
        return sum(1 for at, _ in list(self.reads) if at > since)

    def forget_tokens(self) -> None:
        """As a restarted IMDS does: every token issued so far is refused (401)."""
        self.tokens.clear()

    def _answer(self, path: str) -> str | None:
        items = {
            "/latest/meta-data/instance-id": self.instance_id,
            "/latest/meta-data/placement/region": REGION,
        }
        if path == "/latest/meta-data/autoscaling/target-lifecycle-state":
            state = self.state
            self.reads.append((time.time(), state))
            return state
        return items.get(path)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        imds = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds", "")
                if self.path != "/latest/api/token" or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                    return _reply(self, 400, "")
                token = uuid.uuid4().hex
                imds.tokens.add(token)
                _reply(self, 200, token)

            def do_GET(self) -> None:
                if self.headers.get("X-aws-ec2-metadata-token") not in imds.tokens:
                    imds.refused += 1
                    return _reply(self, 401, "")
                answer = imds._answer(self.path)
                _reply(self, 404 if answer is None else 200, answer or "")

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def serving(self) -> Iterator[FakeImds]:
        with _serving(self._server):
            yield self


class AwsFront:
    """AWS_ENDPOINT_URL for the host: lifecycle actions answered here, the rest sent to moto."""

    def __init__(self, moto_endpoint: str, group: Group) -> None:
        self.group = group
        self.calls: list[Call] = []
        self._moto = httpx.Client(base_url=moto_endpoint, timeout=30)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def of(self, action: str, **params: str) -> list[Call]:
        """The calls of `action` whose parameters include `params`, in order."""
        with self._lock:
            calls = list(self.calls)
        return [c for c in calls if c.action == action and params.items() <= c.params.items()]

    def _record(self, action: str, params: dict[str, str]) -> None:
        with self._lock:
            self.calls.append(Call(time.time(), action, params))

    def _lifecycle_error(self, params: dict[str, str]) -> str | None:
        """What Auto Scaling refuses: an unknown group, hook or instance."""
        if params.get("AutoScalingGroupName") != self.group.name:
            return f"AutoScalingGroup name not found - {params.get('AutoScalingGroupName')}"
        if params.get("LifecycleHookName") not in self.group.hooks:
            return f"No Lifecycle Hook found with name {params.get('LifecycleHookName')}"
        if params.get("InstanceId") not in self.group.instance_ids:
            return f"No active Lifecycle Action found with instance ID {params.get('InstanceId')}"
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                params = _query_params(self.headers.get("Content-Type", ""), body)
                action = params.pop("Action", self.path.rsplit("/", 1)[-1])
                params.pop("Version", None)
                front._record(action, params)
                if action in LIFECYCLE_ACTIONS:
                    return _lifecycle_reply(self, action, front._lifecycle_error(params))
                upstream = front._moto.post(self.path, content=body, headers=_forwarded(self.headers))
                headers = {k: v for k, v in upstream.headers.items() if k.lower() in _PASSED_BACK}
                _reply(self, upstream.status_code, upstream.content, headers)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    @contextmanager
    def serving(self) -> Iterator[AwsFront]:
        with _serving(self._server):
            yield self
        self._moto.close()


_PASSED_BACK = {"content-type", "x-amzn-requestid", "smithy-protocol", "x-amzn-query-error"}


def _query_params(content_type: str, body: bytes) -> dict[str, str]:
    """The parameters of an AWS query-protocol request (Auto Scaling); {} for other bodies."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return {}
    return {key: values[0] for key, values in parse_qs(body.decode()).items()}


def _forwarded(headers: Any) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in {"host", "content-length", "connection"}}


def _lifecycle_reply(handler: BaseHTTPRequestHandler, action: str, error: str | None) -> None:
    request_id = uuid.uuid4()
    if error is not None:
        xml = (
            f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code>'
            f"<Message>{error}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return _reply(handler, 400, xml, {"Content-Type": "text/xml"})
    xml = (
        f'<{action}Response xmlns="{_XMLNS}"><{action}Result/>'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    )
    _reply(handler, 200, xml, {"Content-Type": "text/xml"})


def _reply(
    handler: BaseHTTPRequestHandler, status: int, body: str | bytes, headers: dict[str, str] | None = None
) -> None:
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


@contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, name="fake-aws", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
