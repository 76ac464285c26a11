"""The built-in checkers read outputs a chunk at a time (issue 11, finding 3) and still
answer exactly what comparing whole outputs answered: every case runs at every chunk size
from 1 byte up, so tokens, numbers and whitespace runs are cut at every place possible."""

from __future__ import annotations

import math
import random
import re
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sandbox.checkers import NUMBER_MAX_BYTES, READ_CHUNK_BYTES, exact, floats, tokens

TOKEN_CASES = [
    (b"1 2\n3\n", b"1\n2 3", True),
    (b"1 2\r\n3\r\n", b"1 2\n3\n", True),  # CRLF is whitespace
    (b"a\tb\x0b\x0cc", b" a   b\r\rc \n\n", True),  # every kind, runs of any length
    (b"", b"", True),
    (b"", b" \n\t ", True),
    (b"1", b"", False),
    (b"", b"1", False),
    (b"12 34", b"1234", False),  # a token split in two is not the same
    (b"12 34", b"12 3 4", False),
    (b"12 34", b"12 34 5", False),  # trailing garbage after a matching prefix
    (b"12 34", b"12 345", False),
    (b"12 34\n", b"12 34\n\n\nx", False),
    (b"a\x1cb \x85 \xa0", b"a\x1cb \x85 \xa0", True),  # not whitespace to bytes.split()
    (b"a b", b"a\x1cb", False),
    (b"abc", b"abd", False),
    (b"abc", b"ab", False),
]
# What the float checker took for a number, as it was (copied, not imported: the reference).
WHOLE_NUMBER = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
FLOAT_CASES = [
    (b"1.0 2.5\n", b"1 2.5000001", True),
    (b"0.333333", b"0.3333334", True),
    (b"0.333333", b"0.333", False),
    (b"1000000000", b"1000000500", True),
    (b"3 apples", b"3.0000001\r\napples", True),
    (b"3 apples", b"3 apple", False),
    (b"3 apples", b"3 apples 4", False),  # trailing garbage after a matching prefix
    (b"1 2", b"1 2 3", False),
    (b"1", b"", False),
    (b"", b"  \n", True),
    (b"1", b"nan", False),
    (b"1e999", b"1e999", True),
    (b"3.14159", b"3.141590000001", True),  # cut inside the number at small chunk sizes
    (b"3.14159", b"3.1415", False),
]


def every_chunk_size(*outputs: bytes) -> range:
    return range(1, max(map(len, outputs), default=0) + 2)


@pytest.mark.parametrize(("expected", "actual", "accepted"), TOKEN_CASES)
def test_tokens_at_every_chunk_size(expected: bytes, actual: bytes, accepted: bool) -> None:
    for chunk_bytes in every_chunk_size(expected, actual):
        assert tokens(expected, actual, chunk_bytes) is accepted, chunk_bytes
        assert tokens(actual, expected, chunk_bytes) is accepted, chunk_bytes


@pytest.mark.parametrize(("expected", "actual"), [(e, a) for e, a, _ in TOKEN_CASES])
def test_exact_at_every_chunk_size(expected: bytes, actual: bytes) -> None:
    for chunk_bytes in every_chunk_size(expected, actual):
        assert exact(expected, actual, chunk_bytes) is (expected == actual), chunk_bytes
        assert exact(actual, actual, chunk_bytes), chunk_bytes


@pytest.mark.parametrize(("expected", "actual", "accepted"), FLOAT_CASES)
def test_floats_at_every_chunk_size(expected: bytes, actual: bytes, accepted: bool) -> None:
    for chunk_bytes in every_chunk_size(expected, actual):
        assert floats(expected, actual, chunk_bytes=chunk_bytes) is accepted, chunk_bytes


def test_a_token_longer_than_a_number_can_be_is_a_word() -> None:
    longest = b"0.5" + b"0" * (NUMBER_MAX_BYTES - 3)  # 0.5, as long as a number may be
    assert floats(b"0.5000001", longest)
    assert not floats(b"0.5000001", longest + b"0")  # one byte more: a word, never a number
    assert floats(longest + b"0", longest + b"0")  # a word equals itself
    assert not floats(longest + b"0", b"0.5")
    for chunk_bytes in (1, 7, 999, 1000, 1001, 1002):
        assert floats(b"0.5 x", longest + b" x", chunk_bytes=chunk_bytes), chunk_bytes
        assert not floats(b"0.5 x", longest + b"0 x", chunk_bytes=chunk_bytes), chunk_bytes


@pytest.mark.parametrize("chunk_bytes", [1, 3, 4096, READ_CHUNK_BYTES])
def test_huge_single_tokens_compare_in_pieces(chunk_bytes: int) -> None:
    huge = b"7" * min(1 << 20, 2048 * chunk_bytes)  # thousands of chunks
    for check in (tokens, floats):
        assert check(huge, b"\n" + huge + b"\n", chunk_bytes=chunk_bytes)
        assert not check(huge, huge[:-1] + b"8", chunk_bytes=chunk_bytes)
        assert not check(huge, huge + b"7", chunk_bytes=chunk_bytes)
        assert not check(huge + b" 1", huge + b" 2", chunk_bytes=chunk_bytes)
        assert not check(b"7", huge, chunk_bytes=chunk_bytes)


def test_random_outputs_are_judged_as_whole_outputs_were() -> None:
    """Against the whole-output definitions, on random outputs with random cuts."""
    rng = random.Random(11)
    alphabet = [b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"\x1c", b"a", b"1", b"2", b".", b"e", b"-"]
    for _ in range(3000):
        expected = b"".join(rng.choices(alphabet, k=rng.randint(0, 24)))
        unrelated = b"".join(rng.choices(alphabet, k=9))
        actual = _mutated(rng, expected, alphabet) if rng.random() < 0.7 else unrelated
        chunk_bytes = rng.randint(1, 8)
        case = (expected, actual, chunk_bytes)
        assert tokens(expected, actual, chunk_bytes) is (expected.split() == actual.split()), case
        assert exact(expected, actual, chunk_bytes) is (expected == actual), case
        assert floats(expected, actual, chunk_bytes=chunk_bytes) is _whole_floats(expected, actual), case


def _mutated(rng: random.Random, output: bytes, alphabet: list[bytes]) -> bytes:
    changed = bytearray(output)
    for _ in range(rng.randint(0, 2)):
        where = rng.randint(0, len(changed))
        if rng.random() < 0.5 or where == len(changed):
            changed[where:where] = rng.choice(alphabet)
        else:
            del changed[where]
    return bytes(changed)


def _whole_floats(expected: bytes, actual: bytes, tolerance: float = 1e-6) -> bool:
    """The float checker as it was, on whole outputs (numbers are short here)."""
    wanted, got = expected.split(), actual.split()
    return len(wanted) == len(got) and all(_close(w, g, tolerance) for w, g in zip(wanted, got, strict=True))


def _close(wanted: bytes, got: bytes, tolerance: float) -> bool:
    if not WHOLE_NUMBER.fullmatch(wanted):
        return wanted == got
    if not WHOLE_NUMBER.fullmatch(got):
        return False
    expected_value, value = float(wanted), float(got)
    if math.isinf(expected_value) or math.isinf(value):
        return wanted == got
    return abs(value - expected_value) <= tolerance * max(1.0, abs(expected_value))


# --- reading: early exit, bounded memory --------------------------------------------------
@contextmanager
def bytes_read() -> Iterator[list[int]]:
    """How many bytes this process read (read(2) and friends) inside the block."""
    counted = [0]
    before = _rchar()
    yield counted
    counted[0] = _rchar() - before


def _rchar() -> int:
    fields = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(fields["rchar"])


@contextmanager
def peak_allocated() -> Iterator[list[int]]:
    """The most memory Python code held at once inside the block, in bytes."""
    peak = [0]
    tracemalloc.start()
    try:
        yield peak
        peak[0] = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def hostile_outputs(tmp_path: Path) -> dict[str, Path]:
    """Two million tokens (6 MiB), 64 thousand 100-byte numbers (6.25 MiB) and one 24 MiB
    token."""
    outputs = {name: tmp_path / name for name in ("many_tokens", "numbers", "one_token")}
    outputs["many_tokens"].write_bytes(b"10 " * (2 << 20))
    outputs["numbers"].write_bytes((b"3." + b"1" * 97 + b"\n") * (64 << 10))
    with outputs["one_token"].open("wb") as one:
        for _ in range(8):
            one.write(b"1" * (3 << 20))
    return outputs


@pytest.mark.parametrize("checker", [tokens, floats, exact])
@pytest.mark.parametrize("output", ["many_tokens", "one_token"])
def test_a_wrong_output_is_refused_after_a_chunk_or_two(
    hostile_outputs: dict[str, Path], output: str, checker: Callable[[Path | bytes, Path | bytes], bool]
) -> None:
    with bytes_read() as read:
        assert checker(b"10\n", hostile_outputs[output]) is False
    assert read[0] <= 2 * READ_CHUNK_BYTES + 4096, f"read {read[0]} bytes"


def test_exact_refuses_another_size_unread(hostile_outputs: dict[str, Path], tmp_path: Path) -> None:
    answer = tmp_path / "answer"
    answer.write_bytes(b"10 " * (2 << 20) + b"\n")  # the same but for its last byte
    with bytes_read() as read:
        assert exact(answer, hostile_outputs["many_tokens"]) is False
    assert read[0] <= 4096


@pytest.mark.parametrize("checker", [tokens, floats, exact])
@pytest.mark.parametrize("output", ["numbers", "one_token"])
def test_a_right_output_is_judged_in_bounded_memory(
    hostile_outputs: dict[str, Path], output: str, checker: Callable[[Path | bytes, Path | bytes], bool]
) -> None:
    """Read whole (it matches), yet never held: a few chunks' worth at most (reading the
    two files whole took 12 MiB at least). Tracing slows allocation, hence long tokens here;
    the judge's test (tests/sandbox/test_output_memory.py) has millions of short ones."""
    path = hostile_outputs[output]
    with peak_allocated() as peak:
        assert checker(path, path) is True
    assert peak[0] < 1 << 20, f"{peak[0]} bytes held at once"
