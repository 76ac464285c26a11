"""What a problem package means to CodeArena, once read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from codearena.errors import BadRequest
from codearena.languages import CATALOG
from codearena.models import Verdict

VALIDATOR_DIRS = ("output_validators/", "output_validator/")  # legacy, 2023-07


class PackageError(BadRequest):
    """The package cannot be imported: the message says which file and why."""

    def __init__(self, message: str, code: str = "invalid_package") -> None:
        super().__init__(message, code)


@dataclass(frozen=True)
class PackageTest:
    """`name`: its path under data/ without the extension; `group`: the test group it
    scores in (sample, secret, or secret/<top-level group>)."""

    name: str
    input: str
    answer: str
    group: str
    points: int
    sample: bool


@dataclass(frozen=True)
class BundledSubmission:
    """A program under submissions/; `expected` holds every verdict it may get (empty: not
    checked), `language` is None when no language of ours reads its extension."""

    path: str
    expected: frozenset[Verdict]
    language: str | None
    source: bytes


@dataclass(frozen=True)
class Package:
    """`time_limit_ms` None: derived from the accepted submissions (`time_multiplier`).
    `checker` is a sandbox.checkers spec, or "validator" or "interactive" (the validator is the
    interactor), both with `validator_language` set.
    `files`: everything but the test data, kept for export and the validator."""

    title: str
    statement: str
    time_limit_ms: int | None
    time_multiplier: float
    memory_limit_kb: int
    output_limit_kb: int
    checker: str
    validator_language: str | None
    validator_flags: tuple[str, ...]
    scoring: bool
    tests: tuple[PackageTest, ...]
    submissions: tuple[BundledSubmission, ...]
    files: Mapping[str, bytes] = field(default_factory=dict, hash=False)

    @property
    def points(self) -> int:
        """The problem's points: its groups' (a pass-fail problem is worth 100)."""
        return sum(test.points for test in self.tests) if self.scoring else 100


def language_of(path: str) -> str | None:
    """The language a file's extension names, if any of ours."""
    suffix = PurePosixPath(path).suffix.lstrip(".").lower()
    return next((lang.name for lang in CATALOG if suffix in lang.extensions), None)


def validator_entry(paths: Mapping[str, bytes]) -> tuple[str, str, dict[str, bytes]]:
    """(language, main source path, {other file name: content}) of the output validator among
    a problem's files; PackageError when there is none or it is ambiguous."""
    own = {
        p: c
        for p, c in paths.items()
        if p.startswith(VALIDATOR_DIRS) and not PurePosixPath(p).name.startswith(".")
    }
    sources = sorted(p for p in own if language_of(p))
    if len(sources) > 1:
        preferred = [p for p in sources if PurePosixPath(p).stem in ("validate", "validator", "main")]
        sources = preferred if len(preferred) == 1 else sources
    if len(sources) != 1:
        found = ", ".join(sorted(own)) or "no file"
        raise PackageError(
            f"output validator: expected one source file in a language CodeArena compiles, found {found}",
            "invalid_validator",
        )
    main = sources[0]
    directory = str(PurePosixPath(main).parent)
    others = {str(PurePosixPath(p).relative_to(directory)): c for p, c in own.items() if p != main}
    nested = [name for name in others if "/" in name]
    if nested or any(str(PurePosixPath(p).parent) != directory for p in own):
        raise PackageError(
            "output validator: one program, its files side by side (no subdirectories)", "invalid_validator"
        )
    return language_of(main) or "", main, others
