"""The layer ships only what pyproject.toml pins: a dependency resolved by chance is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from codearena_cli.layer import check_pinned

PINS = ["argon2-cffi==25.1.0", "argon2-cffi-bindings==26.2.0", "cffi==2.1.1"]


def site_with(tmp_path: Path, *dists: str) -> Path:
    for dist in dists:
        (tmp_path / f"{dist}.dist-info").mkdir()
    return tmp_path


def test_pinned_distributions_pass_whatever_their_spelling(tmp_path: Path) -> None:
    check_pinned(site_with(tmp_path, "argon2_cffi-25.1.0", "argon2_cffi_bindings-26.2.0", "cffi-2.1.1"), PINS)


def test_an_unpinned_transitive_dependency_is_named(tmp_path: Path) -> None:
    site = site_with(tmp_path, "cffi-2.1.1", "pycparser-3.12", "typing_extensions-4.16.0")
    with pytest.raises(RuntimeError, match="pycparser-3.12, typing_extensions-4.16.0"):
        check_pinned(site, PINS)
