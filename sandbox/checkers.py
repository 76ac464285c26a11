"""Output checkers, one function each.

Built in, `(expected, actual) -> accepted`: `exact`, `tokens` (the default) and `floats`,
named by a spec string for `check_output`: "exact", "tokens", "float", "float:TOL" (absolute
and relative tolerance both TOL) or "float:ABS:REL", then any of two options in this order:
",nocase" (letters compare case-insensitively, ASCII only) and ",spaces" (whitespace must
match byte for byte, the problem package format's `space_change_sensitive`). The format's
default validator is "tokens,nocase" (and "float:…,nocase" with a tolerance); a plain
"tokens" stays case-sensitive, as problems stored before the options were.

`floats` reads `nan`, `inf` and `infinity` (any case, signed) as numbers, as the Kattis and
DOMjudge default validators do: NaN matches NaN, an infinity the same infinity.

The built-in checkers stream: they read both outputs (bytes, or files named by a str or a
path) a chunk at a time and stop at the first difference, so a contestant's output costs
the judge a few chunks of memory whatever its size, never the whole file or a list of its
tokens. A token is compared in pieces too, so one 60 MiB token costs no more.

- `exact` refuses outputs of different sizes without reading them.
- `tokens` and `floats` apply no size rule: whitespace is free to print, so an output
  any larger than the answer may still be right. A wrong one is refused at its first
  token beyond the answer's last; only a tail of whitespace is read to the end (in chunks).
- `floats` takes a token longer than NUMBER_MAX_BYTES for a word, not a number: it must
  then equal the answer's token byte for byte. No double needs that many characters
  (`printf("%.6f", DBL_MAX)` is 316), and reading a contestant's "number" whole would be
  reading an unbounded token into memory.

Custom: `validate` runs a Kattis output validator (already compiled in a box of its own) as
`validator INPUT ANSWER FEEDBACK_DIR/ < team_output`, in the sandbox like any program. Exit
42 accepts, 43 rejects; anything else, or a limit the validator hits, is a `ValidatorError`
(a judge error, never the contestant's verdict).

Multi-pass problems: the validator asks for another pass by accepting with a `nextpass.in`
in its feedback directory (`next_pass_of` takes it out); the feedback directory lives on
from pass to pass (`fresh_feedback=False`), so the validator may keep its state there.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from sandbox.backend import Box
from sandbox.model import REPORT_BYTES, Limits, SandboxError, Status

Output = bytes | str | os.PathLike[str]  # bytes are the data; str and paths name a file
Checker = Callable[[bytes, bytes], bool]  # what a custom checker function is given
StreamChecker = Callable[[Output, Output], bool]  # a built-in checker: data or files

DEFAULT_FLOAT_TOLERANCE = 1e-6
READ_CHUNK_BYTES = 64 * 1024  # read at a time from each output (any size works: a buffer, not a limit)
NUMBER_MAX_BYTES = 1000  # a longer token is a word to `floats` (module docstring)
VALIDATOR_ACCEPTS, VALIDATOR_REJECTS = 42, 43
NEXT_PASS_BYTES = 64 * 1024 * 1024  # the most a validator's nextpass.in may hold
VALIDATOR_LIMITS = Limits(time_limit_ms=10_000, memory_limit_kb=1024 * 1024, output_limit_kb=8 * 1024)
# A decimal number as contestants print them, or nan/inf spelt out: no hex or "1_000" (float()
# takes those).
_DECIMAL = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NOT_FINITE = re.compile(rb"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
OPTIONS = ("nocase", "spaces")
WHITESPACE = b" \t\n\r\x0b\x0c"  # exactly the bytes bytes.split() splits on
_SPACE = re.compile(b"[" + re.escape(WHITESPACE) + b"]")
_SPACE_RUNS = re.compile(b"([" + re.escape(WHITESPACE) + b"]+)")
_NOT_SPACE = re.compile(b"[^" + re.escape(WHITESPACE) + b"]")


class ValidatorError(SandboxError):
    """The custom checker itself failed: a judge error (JE), not a verdict."""


@dataclass(frozen=True)
class Validation:
    """A custom checker's answer; `feedback` is its judgemessage.txt (cut at REPORT_BYTES)."""

    accepted: bool
    feedback: str


def exact(
    expected: Output, actual: Output, chunk_bytes: int = READ_CHUNK_BYTES, *, case_sensitive: bool = True
) -> bool:
    """Byte for byte identical (ASCII letters in either case unless `case_sensitive`);
    outputs of different sizes are refused unread."""
    fold = _folder(case_sensitive)
    with _opened(expected) as wanted, _opened(actual) as got:
        if _size(wanted) != _size(got):
            return False
        return _same_pieces(fold(_chunks(wanted, chunk_bytes)), fold(_chunks(got, chunk_bytes)))


def tokens(
    expected: Output, actual: Output, chunk_bytes: int = READ_CHUNK_BYTES, *, case_sensitive: bool = True
) -> bool:
    """Same whitespace-separated tokens; amount and kind of whitespace do not matter."""
    fold = _folder(case_sensitive)
    with _opened(expected) as wanted, _opened(actual) as got:
        return _same_pieces(fold(_joined_tokens(wanted, chunk_bytes)), fold(_joined_tokens(got, chunk_bytes)))


def _folder(case_sensitive: bool) -> Callable[[Iterable[bytes]], Iterable[bytes]]:
    """What a stream of pieces is compared as: itself, or lowered (bytes.lower is ASCII only
    and keeps every length, so pieces stay aligned)."""
    if case_sensitive:
        return lambda pieces: pieces
    return lambda pieces: (piece.lower() for piece in pieces)


def floats(
    expected: Output,
    actual: Output,
    abs_tol: float = DEFAULT_FLOAT_TOLERANCE,
    rel_tol: float = DEFAULT_FLOAT_TOLERANCE,
    chunk_bytes: int = READ_CHUNK_BYTES,
    *,
    case_sensitive: bool = True,
) -> bool:
    """Same tokens, where a number in `expected` matches a number within `abs_tol` or
    within `rel_tol` × |expected| (either suffices); other tokens must be identical."""
    fold = _folder(case_sensitive)
    with _opened(expected) as wanted_file, _opened(actual) as got_file:
        wanted, got = _Tokens(wanted_file, chunk_bytes), _Tokens(got_file, chunk_bytes)
        while (wanted_head := wanted.next_head()) is not None:
            got_head = got.next_head()
            if got_head is None:
                return False
            if _is_number(wanted_head):
                if not (_is_number(got_head) and _close(wanted_head, got_head, abs_tol, rel_tol)):
                    return False
            elif not _same_pieces(
                fold(chain([wanted_head], wanted.rest())), fold(chain([got_head], got.rest()))
            ):
                return False
        return got.next_head() is None


def spaced_floats(
    expected: Output,
    actual: Output,
    abs_tol: float = DEFAULT_FLOAT_TOLERANCE,
    rel_tol: float = DEFAULT_FLOAT_TOLERANCE,
    *,
    case_sensitive: bool = True,
) -> bool:
    """`floats` where the whitespace between tokens must also be identical (",spaces").
    Reads both outputs whole: a run's output is bounded by its output limit."""
    wanted, got = _SPACE_RUNS.split(_load(expected)), _SPACE_RUNS.split(_load(actual))
    if len(wanted) != len(got):
        return False
    for index, (want, have) in enumerate(zip(wanted, got, strict=True)):
        if index % 2 or not _is_number(want):  # whitespace runs (odd) and words
            if (want if case_sensitive else want.lower()) != (have if case_sensitive else have.lower()):
                return False
        elif not (_is_number(have) and _close(want, have, abs_tol, rel_tol)):
            return False
    return True


def _is_number(token: bytes) -> bool:
    if len(token) > NUMBER_MAX_BYTES:
        return False
    return _DECIMAL.fullmatch(token) is not None or _NOT_FINITE.fullmatch(token) is not None


def _close(wanted: bytes, got: bytes, abs_tol: float, rel_tol: float) -> bool:
    expected_value, value = float(wanted), float(got)
    if math.isnan(expected_value) or math.isnan(value):
        return math.isnan(expected_value) and math.isnan(value)
    if math.isinf(expected_value) or math.isinf(value):
        if _DECIMAL.fullmatch(wanted) and _DECIMAL.fullmatch(got):  # beyond double range: exactly
            return wanted == got
        return expected_value == value  # an infinity spelt out matches only the same one
    error = abs(value - expected_value)
    return error <= abs_tol or error <= rel_tol * abs(expected_value)


@contextmanager
def _opened(output: Output) -> Iterator[BinaryIO]:
    if isinstance(output, bytes):
        yield io.BytesIO(output)  # shares the bytes, copies nothing
        return
    with open(output, "rb") as file:
        yield file


def _size(stream: BinaryIO) -> int:
    size = stream.seek(0, os.SEEK_END)
    stream.seek(0)
    return size


def _chunks(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    return iter(partial(stream.read, chunk_bytes), b"")


def _same_pieces(left: Iterable[bytes], right: Iterable[bytes]) -> bool:
    """Whether two byte streams, cut into pieces anywhere, are equal; reads up to the first
    difference. Each byte is compared (and sliced) once, whatever the pieces' sizes."""
    left_pieces, right_pieces = iter(left), iter(right)
    a, b, i, j = b"", b"", 0, 0  # each side's current piece and its first byte not compared
    while True:
        if i == len(a):
            a, i = _next_piece(left_pieces), 0
        if j == len(b):
            b, j = _next_piece(right_pieces), 0
        if not a or not b:
            return not a and not b
        common = min(len(a) - i, len(b) - j)
        if a[i : i + common] != b[j : j + common]:
            return False
        i, j = i + common, j + common


def _next_piece(pieces: Iterator[bytes]) -> bytes:
    """The next non-empty piece, or b"" at the end."""
    return next((piece for piece in pieces if piece), b"")


def _joined_tokens(stream: BinaryIO, chunk_bytes: int) -> Iterator[bytes]:
    """The stream's tokens joined by single spaces, in pieces: two outputs have the same
    tokens exactly when these are equal (tokens are non-empty and hold no whitespace)."""
    started = space_due = False
    for chunk in _chunks(stream, chunk_bytes):
        body = b" ".join(chunk.split())  # a chunk's tokens at a time: memory bounded by it
        if not body:
            space_due = started
            continue
        if started and (space_due or chunk[:1].isspace()):
            yield b" "
        yield body
        started, space_due = True, chunk[-1:].isspace()


class _Tokens:
    """The whitespace-separated tokens of a stream for `floats`: the tokens a chunk holds
    whole are split at once (fast); one running on past its chunk is read a bounded head
    first and the rest in pieces on demand, so no token is ever held whole."""

    def __init__(self, stream: BinaryIO, chunk_bytes: int) -> None:
        self._chunks = _chunks(stream, chunk_bytes)
        self._chunk_bytes = chunk_bytes
        self._chunk = b""
        self._at = 0  # the next unread byte of _chunk
        self._whole: Iterator[bytes] = iter(())  # tokens of _chunk before _at, not yet taken
        self._cut = False  # the current token may go on past its head: see rest()

    def next_head(self) -> bytes | None:
        """Move to the next token and return its head; None when none is left. A head of at
        most NUMBER_MAX_BYTES is the whole token; a longer one may go on in `rest()`."""
        self._cut = False
        if (token := next(self._whole, None)) is not None:
            return token
        if not self._skip_space():
            return None
        last_space = max(self._chunk.rfind(space) for space in WHITESPACE)
        if last_space > self._at:  # the tokens up to it end in this chunk
            self._whole = iter(self._chunk[self._at : last_space].split())
            self._at = last_space
            return next(self._whole)
        self._cut = True
        return self._head(NUMBER_MAX_BYTES + 1)

    def rest(self) -> Iterator[bytes]:
        """The unread rest of the current token, a piece at a time."""
        while self._cut and (piece := self._piece(self._chunk_bytes)):
            yield piece

    def _head(self, head_bytes: int) -> bytes:
        pieces: list[bytes] = []
        while head_bytes and (piece := self._piece(head_bytes)):
            pieces.append(piece)
            head_bytes -= len(piece)
        return b"".join(pieces)

    def _skip_space(self) -> bool:
        while self._fill():
            if self._at == 0 and self._chunk.isspace():  # a whitespace tail: chunks at C speed
                self._at = len(self._chunk)
                continue
            start = _NOT_SPACE.search(self._chunk, self._at)
            if start:
                self._at = start.start()
                return True
            self._at = len(self._chunk)
        return False

    def _piece(self, most_bytes: int) -> bytes:
        """Up to `most_bytes` more of the current token; b"" once it has ended."""
        if not self._fill():
            return b""
        stop = min(self._at + most_bytes, len(self._chunk))
        space = _SPACE.search(self._chunk, self._at, stop)
        end = space.start() if space else stop
        piece, self._at = self._chunk[self._at : end], end
        return piece

    def _fill(self) -> bool:
        """Make sure unread bytes are at hand; False at the end of the stream."""
        while self._at >= len(self._chunk):
            self._chunk, self._at = next(self._chunks, b""), 0
            if not self._chunk:
                return False
        return True


CHECKERS: dict[str, StreamChecker] = {"exact": exact, "tokens": tokens, "float": floats}
SPEC_USAGE = "known: exact, tokens, float[:TOL[:REL]], each optionally followed by ,nocase then ,spaces"


def checker_from_spec(spec: str) -> StreamChecker:
    """The checker a spec string names (see the module docstring); ValueError if none."""
    base, *options = spec.split(",")
    name, _, arguments = base.partition(":")
    if name not in CHECKERS or (arguments and name != "float") or not _options_in_order(options):
        raise ValueError(f"unknown checker {spec!r}; {SPEC_USAGE}")
    case_sensitive, spaces = "nocase" not in options, "spaces" in options
    if name != "float":
        whole = exact if spaces or name == "exact" else tokens
        return partial(whole, case_sensitive=case_sensitive)
    abs_tol, rel_tol = _tolerances(spec, arguments) if arguments else (DEFAULT_FLOAT_TOLERANCE,) * 2
    found = spaced_floats if spaces else floats
    return partial(found, abs_tol=abs_tol, rel_tol=rel_tol, case_sensitive=case_sensitive)


def _options_in_order(options: list[str]) -> bool:
    return all(option in OPTIONS for option in options) and options == sorted(set(options), key=OPTIONS.index)


def _tolerances(spec: str, arguments: str) -> tuple[float, float]:
    """(absolute, relative) tolerance; one value is both."""
    try:
        values = [float(part) for part in arguments.split(":")]
    except ValueError:
        raise ValueError(f"bad tolerance in checker {spec!r}") from None
    if not 1 <= len(values) <= 2 or any(not 0 <= v < math.inf for v in values):
        raise ValueError(f"checker {spec!r}: give one or two finite, non-negative tolerances")
    return values[0], values[-1]


def check_output(expected: Output, actual: Output, checker: str | Checker = "tokens") -> bool:
    """Whether `actual` is accepted against `expected` by the checker `checker` names
    (a spec string: streamed, see the module docstring) or is (a function, given both
    outputs whole as bytes)."""
    if isinstance(checker, str):
        return checker_from_spec(checker)(expected, actual)
    return checker(_load(expected), _load(actual))


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
    flags: Sequence[str] = (),
    fresh_feedback: bool = True,
) -> Validation:
    """Run the output validator compiled in `validator` (`Box.compile`) on one test.

    `team_output` is the contestant's output file (e.g. `RunResult.stdout_path`), given to
    the validator on stdin; `flags` follow the feedback directory (the package's
    validator_flags). `fresh_feedback` False keeps the feedback directory of the last run
    (a multi-pass problem's later passes). Raises ValidatorError when the validator does not
    answer 42/43.
    """
    paths = (validator.add_file("input", input_data), validator.add_file("answer", answer))
    feedback = feedback_dir(validator, fresh_feedback)
    result = validator.run(
        team_output, limits, args=(*paths, feedback + "/", *flags), writable_dirs=("feedback",)
    )
    if result.status is Status.RTE and result.exit_code in (VALIDATOR_ACCEPTS, VALIDATOR_REJECTS):
        return Validation(result.exit_code == VALIDATOR_ACCEPTS, feedback_of(validator))
    detail = result.stderr[:500].decode(errors="replace")
    raise ValidatorError(
        f"output validator gave {result.status.value}, exit {result.exit_code}, "
        f"signal {result.signal}: {detail}"
    )


def feedback_dir(validator: Box, fresh: bool = True) -> str:
    """The validator's feedback directory inside its box: made empty when `fresh` (or missing)."""
    if fresh or not (validator.scratch_dir / "feedback").is_dir():
        return validator.add_dir("feedback")
    return "/box/feedback"


def next_pass_of(validator: Box) -> bytes | None:
    """The nextpass.in a validator wrote in its feedback directory (taken out: the next
    pass starts without one); None when there is none. ValidatorError when it is not a
    regular file or holds more than NEXT_PASS_BYTES."""
    path = validator.scratch_dir / "feedback" / "nextpass.in"
    try:
        with open(path, "rb", opener=_no_follow) as file:
            regular = stat.S_ISREG(os.fstat(file.fileno()).st_mode)
            data = file.read(NEXT_PASS_BYTES + 1) if regular else b""
    except FileNotFoundError:
        return None
    except OSError as exc:  # a link (O_NOFOLLOW), say
        raise ValidatorError(f"the output validator's nextpass.in cannot be read: {exc}") from exc
    path.unlink()
    if not regular or len(data) > NEXT_PASS_BYTES:
        raise ValidatorError(
            f"the output validator's nextpass.in is not a file of at most {NEXT_PASS_BYTES} bytes"
        )
    return data


def feedback_of(validator: Box) -> str:
    """The judgemessage.txt a validator wrote in its feedback directory (cut at REPORT_BYTES)."""
    path = validator.scratch_dir / "feedback" / "judgemessage.txt"
    try:
        with open(path, "rb", opener=_no_follow) as file:
            return file.read(REPORT_BYTES).decode(errors="replace")
    except OSError:  # none written, or not a regular file
        return ""


def _no_follow(path: str, flags: int) -> int:
    # The validator owns its feedback directory: never follow a link it left there.
    return os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK)
