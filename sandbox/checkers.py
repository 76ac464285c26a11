"""Output checkers, one function each.

Built in, `(expected, actual) -> accepted`: `exact`, `tokens` (the default) and `floats`,
named by a spec string for `check_output`: "exact", "tokens", "float", "float:TOL" (absolute
and relative tolerance both TOL) or "float:ABS:REL".

Custom: `validate` runs a Kattis output validator (already compiled in a box of its own) as
`validator INPUT ANSWER FEEDBACK_DIR/ < team_output`, in the sandbox like any program. Exit
42 accepts, 43 rejects; anything else, or a limit the validator hits, is a `ValidatorError`
(a judge error, never the contestant's verdict).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sandbox.box import Box
from sandbox.model import Limits, SandboxError, Status

Output = bytes | str | os.PathLike[str]  # bytes are the data; str and paths name a file
Checker = Callable[[bytes, bytes], bool]

DEFAULT_FLOAT_TOLERANCE = 1e-6
VALIDATOR_ACCEPTS, VALIDATOR_REJECTS = 42, 43
VALIDATOR_LIMITS = Limits(time_limit_ms=10_000, memory_limit_kb=1024 * 1024, output_limit_kb=8 * 1024)
FEEDBACK_BYTES = 64 * 1024
# A decimal number as contestants print them: no "inf", "nan", hex or "1_000" (float() takes those).
_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


class ValidatorError(SandboxError):
    """The custom checker itself failed: a judge error (JE), not a verdict."""


@dataclass(frozen=True)
class Validation:
    """A custom checker's answer; `feedback` is its judgemessage.txt (cut at 64 KiB)."""

    accepted: bool
    feedback: str


def exact(expected: bytes, actual: bytes) -> bool:
    """Byte for byte identical."""
    return expected == actual


def tokens(expected: bytes, actual: bytes) -> bool:
    """Same whitespace-separated tokens; amount and kind of whitespace do not matter."""
    return expected.split() == actual.split()


def floats(
    expected: bytes,
    actual: bytes,
    abs_tol: float = DEFAULT_FLOAT_TOLERANCE,
    rel_tol: float = DEFAULT_FLOAT_TOLERANCE,
) -> bool:
    """Same tokens, where a number in `expected` matches a number within `abs_tol` or
    within `rel_tol` × |expected| (either suffices); other tokens must be identical."""
    wanted, got = expected.split(), actual.split()
    return len(wanted) == len(got) and all(
        _token_matches(w, g, abs_tol, rel_tol) for w, g in zip(wanted, got, strict=True)
    )


def _token_matches(wanted: bytes, got: bytes, abs_tol: float, rel_tol: float) -> bool:
    if not _NUMBER.fullmatch(wanted):
        return wanted == got
    if not _NUMBER.fullmatch(got):
        return False
    expected_value, value = float(wanted), float(got)
    if math.isinf(expected_value) or math.isinf(value):  # beyond double range: compare exactly
        return wanted == got
    error = abs(value - expected_value)
    return error <= abs_tol or error <= rel_tol * abs(expected_value)


CHECKERS: dict[str, Checker] = {"exact": exact, "tokens": tokens, "float": floats}


def checker_from_spec(spec: str) -> Checker:
    """The checker a spec string names (see the module docstring); ValueError if none."""
    name, _, arguments = spec.partition(":")
    if name not in CHECKERS or (arguments and name != "float"):
        raise ValueError(f"unknown checker {spec!r}; known: exact, tokens, float[:TOL[:REL]]")
    if not arguments:
        return CHECKERS[name]
    return partial(floats, **_tolerances(spec, arguments))


def _tolerances(spec: str, arguments: str) -> dict[str, float]:
    try:
        values = [float(part) for part in arguments.split(":")]
    except ValueError:
        raise ValueError(f"bad tolerance in checker {spec!r}") from None
    if not 1 <= len(values) <= 2 or any(not 0 <= v < math.inf for v in values):
        raise ValueError(f"checker {spec!r}: give one or two finite, non-negative tolerances")
    return {"abs_tol": values[0], "rel_tol": values[-1]}


def check_output(expected: Output, actual: Output, checker: str | Checker = "tokens") -> bool:
    """Whether `actual` is accepted against `expected` by the checker `checker` names
    (a spec string) or is (a function)."""
    check = checker_from_spec(checker) if isinstance(checker, str) else checker
    return check(_load(expected), _load(actual))


def _load(output: Output) -> bytes:
    if isinstance(output, bytes):
        return output
    return Path(output).read_bytes()


def validate(
    validator: Box,
    input_data: bytes | os.PathLike[str],
    answer: bytes | os.PathLike[str],
    team_output: os.PathLike[str],
    limits: Limits = VALIDATOR_LIMITS,
) -> Validation:
    """Run the output validator compiled in `validator` (`Box.compile`) on one test.

    `team_output` is the contestant's output file (e.g. `RunResult.stdout_path`), given to
    the validator on stdin. Raises ValidatorError when the validator does not answer 42/43.
    """
    paths = (validator.add_file("input", input_data), validator.add_file("answer", answer))
    feedback = validator.add_dir("feedback")
    result = validator.run(team_output, limits, args=(*paths, feedback + "/"), writable_dirs=("feedback",))
    if result.status is Status.RTE and result.exit_code in (VALIDATOR_ACCEPTS, VALIDATOR_REJECTS):
        return Validation(result.exit_code == VALIDATOR_ACCEPTS, _feedback(validator))
    detail = result.stderr[:500].decode(errors="replace")
    raise ValidatorError(
        f"output validator gave {result.status.value}, exit {result.exit_code}, "
        f"signal {result.signal}: {detail}"
    )


def _feedback(validator: Box) -> str:
    path = validator.spec.scratch / "feedback" / "judgemessage.txt"
    try:
        with open(path, "rb", opener=_no_follow) as file:
            return file.read(FEEDBACK_BYTES).decode(errors="replace")
    except OSError:  # none written, or not a regular file
        return ""


def _no_follow(path: str, flags: int) -> int:
    # The validator owns its feedback directory: never follow a link it left there.
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
