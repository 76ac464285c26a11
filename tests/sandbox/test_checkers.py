from functools import partial
from pathlib import Path

import pytest

from sandbox import check_output, checker_from_spec, floats


def test_tokens_ignores_whitespace_layout() -> None:
    assert check_output(b"1 2\n3\n", b"1\n2 3")
    assert check_output(b"", b"  \n")
    assert not check_output(b"1 2 3", b"1 2")
    assert not check_output(b"1.0", b"1")


def test_exact_is_byte_for_byte() -> None:
    assert check_output(b"a\n", b"a\n", checker="exact")
    assert not check_output(b"a\n", b"a", checker="exact")


def test_paths_are_read(tmp_path: Path) -> None:
    expected, actual = tmp_path / "expected", tmp_path / "actual"
    expected.write_bytes(b"42\n")
    actual.write_bytes(b"42")
    assert check_output(expected, actual)
    assert check_output(b"42", str(actual))


def test_unknown_checker_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown checker"):
        check_output(b"", b"", checker="regex")


@pytest.mark.parametrize(
    ("expected", "actual", "accepted"),
    [
        (b"1.0 2.5\n", b"1 2.5000001", True),
        (b"0.333333", b"0.3333334", True),  # within 1e-6 absolute
        (b"0.333333", b"0.333", False),
        (b"1000000000", b"1000000500", True),  # within 1e-6 relative
        (b"1000000000", b"1000002000", False),
        (b"-0.5", b"-5e-1", True),
        (b"1e3", b"1000.0000001", True),
        (b"3 apples", b"3.0000001 apples", True),  # words compare exactly
        (b"3 apples", b"3 Apples", False),
        (b"1 2", b"1 2 3", False),
        (b"1", b"", False),
        (b"1", b"nan", False),  # float() takes these; contestants' numbers do not
        (b"1", b"inf", False),
        (b"1", b"0x1", False),
        (b"1000", b"1_000", False),
        (b"nan", b"nan", True),  # not a number to the checker, so an exact token
        (b"1e999", b"1e999", True),  # beyond double range: exact
        (b"1e999", b"2e999", False),
    ],
)
def test_float_checker(expected: bytes, actual: bytes, accepted: bool) -> None:
    assert check_output(expected, actual, checker="float") is accepted


def test_float_tolerances_from_the_spec() -> None:
    assert not check_output(b"1.0", b"1.01", "float")
    assert check_output(b"1.0", b"1.01", "float:0.02")
    assert check_output(b"100", b"101", "float:0:0.011")  # relative only
    assert not check_output(b"0.001", b"0.002", "float:0:0.011")
    assert check_output(b"0.001", b"0.002", "float:0.0011:0")  # absolute only


def test_floats_is_a_plain_function_too() -> None:
    assert floats(b"2.0", b"2.05", abs_tol=0.1, rel_tol=0)
    assert not floats(b"2.0", b"2.05", abs_tol=0.01, rel_tol=0.01)
    assert check_output(b"2.0", b"2.05", partial(floats, abs_tol=0.1))
    assert check_output(b"A", b"a", lambda e, a: e.lower() == a.lower())


@pytest.mark.parametrize(
    "spec", ["float:x", "float:1:2:3", "float:-1", "float:inf", "tokens:1", "floaty", ""]
)
def test_bad_checker_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        checker_from_spec(spec)
