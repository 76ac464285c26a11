"""The checker options problem packages need (issue 14 point 5): nan/inf as numbers,
case-insensitive and space-sensitive comparison; plain specs keep their old meaning."""

from __future__ import annotations

import pytest

from sandbox.checkers import checker_from_spec


@pytest.mark.parametrize(
    ("spec", "expected", "actual", "accepted"),
    [
        ("float", b"nan", b"NaN", True),
        ("float", b"NaN inf -inf", b"nan Infinity -INF", True),
        ("float", b"nan", b"0", False),
        ("float", b"0", b"nan", False),
        ("float", b"inf", b"-inf", False),
        ("float", b"inf", b"1e308", False),
        ("float", b"1e400", b"1e400", True),
        ("tokens", b"Yes", b"yes", False),  # a stored "tokens" problem stays case-sensitive
        ("tokens,nocase", b"Yes  No\n", b"yes no", True),
        ("tokens,nocase", b"Yes", b"yes!", False),
        ("tokens,spaces", b"a  b\n", b"a  b\n", True),
        ("tokens,spaces", b"a  b\n", b"a b\n", False),
        ("tokens,nocase,spaces", b"A  b\n", b"a  B\n", True),
        ("exact,nocase", b"Ab\n", b"aB\n", True),
        ("float:1e-3,nocase", b"1.0 Yes", b"1.0005 YES", True),
        ("float:1e-3,spaces", b"1.0  x\n", b"1.0005  x\n", True),
        ("float:1e-3,spaces", b"1.0  x\n", b"1.0005 x\n", False),
        ("float:1e-3,spaces", b"1.0  x\n", b"1.01  x\n", False),
        ("float:1e-3,nocase,spaces", b"NaN X", b"nan x", True),
    ],
)
def test_checker_options(spec: str, expected: bytes, actual: bytes, accepted: bool) -> None:
    assert checker_from_spec(spec)(expected, actual) is accepted


@pytest.mark.parametrize(
    "spec", ["tokens,spaces,nocase", "tokens,loud", "float:1e-3,nocase,nocase", "exact:1"]
)
def test_bad_option_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="unknown checker"):
        checker_from_spec(spec)
