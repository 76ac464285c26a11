from pathlib import Path

import pytest

from sandbox import check_output


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
        check_output(b"", b"", checker="float")
