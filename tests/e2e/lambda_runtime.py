"""A warm Lambda container in miniature, run as `python -I -S lambda_runtime.py TASK LAYER RUNTIME`.

The import path is Lambda's and nothing else: the function bundle (/var/task), the layer's
python/ (/opt/python), the runtime's boto3 (/var/runtime) and the standard library; no
site-packages, no checkout. Each stdin line is a JSON request, each answer one stdout line:

    {"handler": "app.app", "event": {...}}        → {"result": <what the handler returned>}
    {"call": "codearena.db.migrate", "args": [..]} → {"result": <what the function returned>}
    {"import_all": "codearena"}                    → {"result": {"modules": [...], "files": {...}}}

A failure answers {"error": "<type>: <message>", "traceback": "..."}. Only the standard library
may be imported before the path is set.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
import uuid
from typing import Any


class LambdaContext:
    """The attributes Lambda's python runtime gives a handler's `context`."""

    function_name = "codearena-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:codearena-test"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/codearena-test"
    log_stream_name = "test"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def serve(task: str, layer: str, runtime: str) -> None:
    sys.path[:] = [task, layer, runtime, *(path for path in sys.path[1:] if _stdlib(path))]
    protocol = sys.stdout
    sys.stdout = sys.stderr  # whatever the code prints goes to the log, as in Lambda
    for line in sys.stdin:
        protocol.write(json.dumps(_answer(json.loads(line)), default=str) + "\n")
        protocol.flush()


def _stdlib(path: str) -> bool:
    return path.startswith(sys.base_prefix) and "site-packages" not in path


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        if "handler" in request:
            return {"result": _attribute(request["handler"])(request["event"], LambdaContext())}
        if "call" in request:
            return {"result": _attribute(request["call"])(*request.get("args", []))}
        return {"result": _import_all(request["import_all"])}
    except Exception as exc:  # the test reads it; the container stays up for the next request
        return {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}


def _attribute(dotted: str) -> Any:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _import_all(package_name: str) -> dict[str, Any]:
    """Import a module, or every module of a package; where each top-level package imported so
    far was loaded from."""
    package = importlib.import_module(package_name)
    modules = [package_name]
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package_name + "."):
        importlib.import_module(info.name)
        modules.append(info.name)
    this = sys.modules["__main__"]  # this runtime (also aliased __mp_main__ by multiprocessing)
    loaded = sorted({name.split(".")[0] for name, module in sys.modules.items() if module is not this})
    files = {name: getattr(sys.modules[name], "__file__", None) for name in loaded}
    return {"modules": modules, "files": files}


if __name__ == "__main__":
    serve(*sys.argv[1:4])
