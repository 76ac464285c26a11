"""A package as `{path: bytes}`: from a directory, or from a zip (whose files may sit under
one top directory), within size limits that keep a zip bomb from filling memory."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from codearena.packages.model import PackageError

MAX_FILES = 20_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # uncompressed, the whole package
SKIPPED = ("__MACOSX/",)


def package_files_of(path: Path) -> dict[str, bytes]:
    """The files of the package at `path` (a directory or a .zip); PackageError if neither."""
    if path.is_dir():
        return _root_files(_directory_files(path))
    if path.is_file() and zipfile.is_zipfile(path):
        return zip_files(path.read_bytes())
    raise PackageError(f"{path}: not a package directory or a zip file", "package_not_found")


def zip_files(data: bytes) -> dict[str, bytes]:
    """The files of a zipped package; PackageError when it is not a zip or too large."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise PackageError(f"not a zip file: {exc}", "invalid_zip") from exc
    entries = [info for info in archive.infolist() if not info.is_dir()]
    entries = [info for info in entries if not info.filename.startswith(SKIPPED)]
    _check_size(len(entries), sum(info.file_size for info in entries))
    files: dict[str, bytes] = {}
    total = 0
    for info in entries:
        name = _safe_path(info.filename)
        with archive.open(info) as member:  # file_size is only what the zip claims: count reads
            content = member.read(MAX_TOTAL_BYTES - total + 1)
        total += len(content)
        _check_size(len(files), total)
        files[name] = content
    return _root_files(files)


def _directory_files(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith(".git"))
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_symlink() or not path.is_file():
                continue
            content = path.read_bytes()
            total += len(content)
            _check_size(len(files) + 1, total)
            files[path.relative_to(root).as_posix()] = content
    return files


def _check_size(count: int, total: int) -> None:
    if count > MAX_FILES or total > MAX_TOTAL_BYTES:
        raise PackageError(
            f"the package is too large: at most {MAX_FILES} files and {MAX_TOTAL_BYTES >> 20} MiB",
            "package_too_large",
        )


def _safe_path(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name:
        raise PackageError(f"unsafe path in the zip: {name[:200]!r}", "invalid_zip")
    return path.as_posix()


def _root_files(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files relative to the package root: the directory holding problem.yaml, which is
    the top level or a single directory at the top."""
    if "problem.yaml" in files:
        return dict(files)
    tops = {path.split("/", 1)[0] for path in files}
    if len(tops) == 1 and (top := tops.pop()) and f"{top}/problem.yaml" in files:
        prefix = top + "/"
        return {path.removeprefix(prefix): content for path, content in files.items()}
    raise PackageError("problem.yaml is missing: not a problem package", "invalid_package")
