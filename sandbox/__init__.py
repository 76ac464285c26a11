"""Runs untrusted code under limits and reports what happened. Imports nothing of ours.

sb = Sandbox.start()
with sb.box() as box:
    compiled = box.compile("c", source)
    result = box.run(b"1 2\n", Limits(time_limit_ms=1000, memory_limit_kb=262144))
sb.close()
"""

from sandbox.box import Box
from sandbox.checkers import check_output
from sandbox.languages import LANGUAGES, Language
from sandbox.model import CompileResult, Limits, RunResult, SandboxError, Status
from sandbox.supervisor import Sandbox

__all__ = [
    "LANGUAGES",
    "Box",
    "CompileResult",
    "Language",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "Status",
    "check_output",
]
