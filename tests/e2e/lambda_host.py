"""The functions as shipped: the layer and the function bundle built as `make package` builds
them, unpacked the way Lambda unpacks them, and run in a process that sees nothing else.

Builds are cached under build/ (git-ignored): the layer and the bundle are rebuilt only when
their inputs change (codearena_cli.layer's stamps), the unpacked bundle when the zip changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from codearena_cli.layer import read_stamp, write_stamp
from codearena_cli.package import build_core_layer, build_function_bundle

RUNTIME_SCRIPT = Path(__file__).with_name("lambda_runtime.py")
SHIPPED = "build/shipped"  # the unpacked bundle (task/) and Lambda's own boto3 (runtime/)
API_ID = "abc123"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"
STAGE = "api"
CLIENT_IP = "203.0.113.9"


@dataclass(frozen=True)
class Shipped:
    task: Path  # /var/task: deployment.zip unpacked
    layer: Path  # /opt: the layer as Lambda unpacks it (python/, sql/)
    runtime: Path  # /var/runtime: boto3 and its dependencies

    def size_bytes(self) -> int:
        """Function + layers unpacked, as Lambda counts them against its 250 MB."""
        return sum(path.stat().st_size for top in (self.task, self.layer) for path in _files(top))


def build(root: Path) -> Shipped:
    layer = build_core_layer(root)
    task = _unpacked(root, build_function_bundle(root))
    return Shipped(task=task, layer=layer, runtime=_runtime(root))


def _files(top: Path) -> list[Path]:
    return [path for path in top.rglob("*") if path.is_file()]


def _unpacked(root: Path, bundle: Path) -> Path:
    target = root / SHIPPED / "task"
    stamp = f"{bundle.stat().st_size}:{bundle.stat().st_mtime_ns}"
    if target.is_dir() and read_stamp(root, "shipped-task") == stamp:
        return target
    with _staged(target) as staged:
        with zipfile.ZipFile(bundle) as archive:
            archive.extractall(staged)
    write_stamp(root, "shipped-task", stamp)
    return target


def _runtime(root: Path) -> Path:
    """boto3 at the version the project pins (Lambda's python runtime provides it)."""
    target = root / SHIPPED / "runtime"
    requirement = _pinned(root, "boto3")
    if target.is_dir() and read_stamp(root, "shipped-runtime") == requirement:
        return target
    with _staged(target) as staged:
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "--target", str(staged), requirement], check=True, capture_output=True)
    write_stamp(root, "shipped-runtime", requirement)
    return target


def _pinned(root: Path, name: str) -> str:
    with (root / "pyproject.toml").open("rb") as handle:
        extras = tomllib.load(handle)["project"]["optional-dependencies"]
    return next(line for group in extras.values() for line in group if line.startswith(name + "=="))


class _staged:
    """A directory filled aside, then put at `target` in one rename."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(dir=self.target.parent, prefix=".staging-"))
        return self._tmp

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            shutil.rmtree(self.target, ignore_errors=True)
            os.replace(self._tmp, self.target)
        shutil.rmtree(self._tmp, ignore_errors=True)


class LambdaContainer:
    """One warm container: the handlers' modules are imported once and serve every event."""

    def __init__(self, shipped: Shipped, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_handle: IO[bytes] = log.open("wb")
        argv = [sys.executable, "-I", "-S", str(RUNTIME_SCRIPT)]
        argv += [str(shipped.task), str(shipped.layer / "python"), str(shipped.runtime)]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_handle,
            env=env,
            cwd=shipped.task,
            text=True,
        )

    def request(self, payload: dict[str, Any]) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps(payload) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        assert line, f"the container died:\n{self.output()}"
        answer = json.loads(line)
        assert "error" not in answer, f"{answer.get('traceback')}\nlog:\n{self.output()}"
        return answer["result"]

    def invoke(self, handler: str, event: dict[str, Any]) -> dict[str, Any]:
        result = self.request({"handler": handler, "event": event})
        assert isinstance(result, dict)
        return result

    def rest(
        self, method: str, resource: str, token: str | None = None, body: Any = None, **params: Any
    ) -> tuple[int, Any]:
        """One API Gateway REST call through `app.app`: (status, decoded JSON body)."""
        reply = self.invoke("app.app", rest_event(method, resource, token, body, params))
        return int(reply["statusCode"]), json.loads(reply["body"]) if reply.get("body") else None

    def output(self) -> str:
        self._log_handle.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()  # end of input: the runtime's loop returns
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._log_handle.close()


def rest_event(
    method: str, resource: str, token: str | None, body: Any, params: dict[str, Any]
) -> dict[str, Any]:
    """An API Gateway REST proxy event (payload 1.0), as the stage `api` sends it."""
    path_params = {key: str(value) for key, value in params.items()}
    path = resource.format(**path_params)
    headers = {"Host": DOMAIN, "Content-Type": "application/json", "X-Forwarded-For": CLIENT_IP}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    context = _request_context(resource=resource, path=f"/{STAGE}{path}", method=method)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": context,
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def _request_context(**fields: str) -> dict[str, Any]:
    return {
        "resourcePath": fields["resource"],
        "httpMethod": fields["method"],
        "path": fields["path"],
        "stage": STAGE,
        "apiId": API_ID,
        "domainName": DOMAIN,
        "accountId": "123456789012",
        "protocol": "HTTP/1.1",
        "requestId": str(uuid.uuid4()),
        "requestTimeEpoch": int(time.time() * 1000),
        "identity": {"sourceIp": CLIENT_IP, "userAgent": "pytest"},
    }


def websocket_event(
    route: str, connection_id: str, body: Any = None, token: str | None = None
) -> dict[str, Any]:
    """An API Gateway WebSocket event for $connect, $default or $disconnect."""
    kinds = {"$connect": "CONNECT", "$default": "MESSAGE", "$disconnect": "DISCONNECT"}
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": kinds[route],
            "connectionId": connection_id,
            "domainName": DOMAIN,
            "stage": STAGE,
            "apiId": API_ID,
            "requestId": str(uuid.uuid4()),
            "connectedAt": int(time.time() * 1000),
            "identity": {"sourceIp": CLIENT_IP},
        },
        "isBase64Encoded": False,
    }
    if route == "$connect":
        event["headers"] = {"Host": DOMAIN}
        event["queryStringParameters"] = {"token": token} if token else None
    if body is not None:
        event["body"] = json.dumps(body)
    return event
