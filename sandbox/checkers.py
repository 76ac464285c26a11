"""Output checkers: one function each, `(expected, actual) -> accepted`."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

Output = bytes | str | os.PathLike[str]  # bytes are the data; str and paths name a file


def exact(expected: bytes, actual: bytes) -> bool:
    """Byte for byte identical."""
    return expected == actual


def tokens(expected: bytes, actual: bytes) -> bool:
    """Same whitespace-separated tokens; amount and kind of whitespace do not matter."""
    return expected.split() == actual.split()


CHECKERS: dict[str, Callable[[bytes, bytes], bool]] = {"exact": exact, "tokens": tokens}


def check_output(expected: Output, actual: Output, checker: str = "tokens") -> bool:
    """Whether `actual` is accepted against `expected` by the named checker."""
    try:
        check = CHECKERS[checker]
    except KeyError:
        raise ValueError(f"unknown checker {checker!r}; known: {sorted(CHECKERS)}") from None
    return check(_load(expected), _load(actual))


def _load(output: Output) -> bytes:
    if isinstance(output, bytes):
        return output
    return Path(output).read_bytes()
