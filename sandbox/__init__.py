"""Runs untrusted code under limits and reports what happened. Imports nothing of ours.

sb = start_backend()  # Backend: namespaces (bubblewrap) by default, or start_backend("docker")
with sb.box() as box:  # Box
    compiled = box.compile("c", source)
    result = box.run(b"1 2\n", Limits(time_limit_ms=1000, memory_limit_kb=262144))
    accepted = check_output(answer, result.stdout_path, "float:1e-6")
sb.close()

A custom checker (Kattis output validator) is compiled in a box of its own and run per test:
`with sb.box() as checker: checker.compile("cpp", validator_source); validate(checker, …)`.
An interactive problem's interactor likewise, talking to the submission over pipes:
`sandbox.interactive.interact(box, interactor_box, input, answer, limits)`.
"""

from sandbox.backend import BACKENDS, Backend, Box, start_backend
from sandbox.checkers import (
    CHECKERS,
    Checker,
    Validation,
    ValidatorError,
    check_output,
    checker_from_spec,
    exact,
    floats,
    next_pass_of,
    tokens,
    validate,
)
from sandbox.languages import LANGUAGES, Language
from sandbox.model import (
    OUTPUT_LIMIT_KB,
    REPORT_BYTES,
    CompileResult,
    Fifos,
    Input,
    Limits,
    RunResult,
    SandboxError,
    Status,
)
from sandbox.supervisor import Sandbox

__all__ = [
    "BACKENDS",
    "CHECKERS",
    "LANGUAGES",
    "OUTPUT_LIMIT_KB",
    "REPORT_BYTES",
    "Backend",
    "Box",
    "Checker",
    "CompileResult",
    "Fifos",
    "Input",
    "Language",
    "Limits",
    "RunResult",
    "Sandbox",
    "SandboxError",
    "Status",
    "Validation",
    "ValidatorError",
    "check_output",
    "checker_from_spec",
    "exact",
    "floats",
    "next_pass_of",
    "start_backend",
    "tokens",
    "validate",
]
