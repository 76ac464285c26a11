"""The resident init is built once per sandbox root, source and compiler, then reused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.init_binary import PREFIX, build_init

# Stands for gcc: logs each build, and writes its -o file (or fails when asked to).
FAKE_COMPILER = """#!/bin/sh
echo build >> "$(dirname "$0")/builds.log"
[ -e "$(dirname "$0")/fail" ] && { echo 'cc1: no space' >&2; exit 1; }
while [ "$1" != "-o" ]; do shift; done
echo 'an init' > "$2"
"""


@pytest.fixture
def compiler(tmp_path: Path) -> Path:
    path = tmp_path / "bin" / "cc"
    path.parent.mkdir()
    path.write_text(FAKE_COMPILER)
    path.chmod(0o755)
    return path


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "init.c"
    path.write_text("int main(void) { return 0; }\n")
    return path


def builds(compiler: Path) -> int:
    log = compiler.parent / "builds.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_a_build_is_kept_for_the_next_start_on_the_same_root(
    tmp_path: Path, compiler: Path, source: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    first = build_init(root, source, str(compiler))
    assert first is not None and first.read_text() == "an init\n"
    assert first.name.startswith(PREFIX) and oct(first.stat().st_mode & 0o777) == "0o755"
    assert build_init(root, source, str(compiler)) == first
    assert builds(compiler) == 1
    other_root = tmp_path / "other"
    other_root.mkdir()
    assert build_init(other_root, source, str(compiler)) == other_root / first.name
    assert builds(compiler) == 2


def test_a_changed_source_or_compiler_builds_afresh_and_drops_the_old_build(
    tmp_path: Path, compiler: Path, source: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    first = build_init(root, source, str(compiler))
    source.write_text("int main(void) { return 1; }\n")
    second = build_init(root, source, str(compiler))
    assert second is not None and second != first and not first.exists()  # type: ignore[union-attr]
    os.utime(compiler, ns=(0, 0))  # an upgraded compiler
    third = build_init(root, source, str(compiler))
    assert third is not None and third != second
    assert sorted(p.name for p in root.iterdir()) == [third.name]
    assert builds(compiler) == 3


def test_a_build_that_is_not_ours_alone_is_not_trusted(tmp_path: Path, compiler: Path, source: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    built = build_init(root, source, str(compiler))
    assert built is not None
    built.chmod(0o777)  # anyone could have written it
    assert build_init(root, source, str(compiler)) == built
    assert oct(built.stat().st_mode & 0o777) == "0o755" and builds(compiler) == 2
    built.unlink()
    built.symlink_to(compiler)  # not a regular file
    assert build_init(root, source, str(compiler)) == built and not built.is_symlink()
    assert builds(compiler) == 3


def test_without_a_compiler_there_is_no_init_and_nothing_left(
    tmp_path: Path, compiler: Path, source: Path
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    assert build_init(root, source, str(tmp_path / "no-such-cc")) is None
    (compiler.parent / "fail").touch()
    assert build_init(root, source, str(compiler)) is None
    assert list(root.iterdir()) == []
