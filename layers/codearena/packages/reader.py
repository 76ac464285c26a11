"""problem.yaml, data/ and submissions/ of a package, read into a `Package`.

problem.yaml is read by problemtools (Kattis's model of both format versions, with the
format's defaults); CodeArena then takes what it can judge:
- time limit, in this order: `limits.time_limit` (2023-07), a `.timelimit` file (DOMjudge's
  packages), `timelimit` in `domjudge-problem.ini`; else it is derived from the accepted
  submissions, as the legacy format says: the slowest one's CPU time × `time_multiplier`
  (2023-07: `ac_to_time_limit`), rounded up to whole seconds (judge_host.verify);
- memory and output limits (MiB in the package);
- validation: `default` with `validator_flags` (flags.py), `custom` (output_validators/), or
  `custom interactive` (the validator is the interactor: checker "interactive"); multi-pass
  (2023-07 `type: multi-pass`, legacy `validation: custom multi-pass`), batch or interactive,
  with `limits.validation_passes` (default 2): checker "multi-pass:N" or
  "interactive,multi-pass:N" (judge_host.judging); submit-answer and custom-score problems
  are refused;
- data/: every `X.in` needs its `X.ans`; groups nest; a scoring problem's top-level secret
  groups become its subtasks, worth their tests' accept_score (testdata.yaml, inherited)
  aggregated by the group's grader_flags (sum by default, or min/max), all or nothing.
"""

from __future__ import annotations

import configparser
import math
import re
import shlex
from collections.abc import Mapping
from typing import Any

import pydantic
import yaml
from problemtools.formatversion import FormatVersion
from problemtools.metadata import Metadata, ProblemType, parse_metadata

from codearena.models import Verdict
from codearena.packages.flags import checker_spec
from codearena.packages.model import (
    VALIDATOR_DIRS,
    BundledSubmission,
    Package,
    PackageError,
    PackageTest,
    language_of,
    validator_entry,
)

MIN_MEMORY_KB, MAX_MEMORY_KB = 16 * 1024, 4 * 1024 * 1024  # what problems may have (schema.sql)
MIN_TIME_MS, MAX_TIME_MS = 100, 60_000
MAX_TESTS = 5000
_UNSUPPORTED = {ProblemType.SUBMIT_ANSWER: "submit-answer"}
MAX_PASSES = 10  # the most validation_passes a multi-pass problem may ask for
# submissions/<folder>/ → the verdicts a program there may get (legacy and 2023-07 names)
EXPECTED_BY_FOLDER = {
    "accepted": {Verdict.AC},
    "wrong_answer": {Verdict.WA},
    "time_limit_exceeded": {Verdict.TLE},
    "run_time_error": {Verdict.RTE, Verdict.MLE},  # Kattis reports a memory overrun as RTE
    "runtime_error": {Verdict.RTE, Verdict.MLE},
    "memory_limit_exceeded": {Verdict.MLE},
    "output_limit_exceeded": {Verdict.OLE},
    "compile_error": {Verdict.CE},
    "partially_accepted": {Verdict.WA, Verdict.TLE, Verdict.RTE, Verdict.MLE, Verdict.OLE},
    "rejected": {Verdict.WA, Verdict.TLE, Verdict.RTE, Verdict.MLE, Verdict.OLE, Verdict.CE},
}
# DOMjudge's "@EXPECTED_RESULTS@: CORRECT, TIMELIMIT" line in a source overrides its folder.
_EXPECTED_LINE = re.compile(rb"@EXPECTED_RESULTS?@:?\s*([A-Za-z_, -]+)")
_DOMJUDGE_RESULTS: dict[str, set[Verdict]] = {
    "CORRECT": {Verdict.AC},
    "WRONG-ANSWER": {Verdict.WA},
    "WRONG_ANSWER": {Verdict.WA},
    "NO-OUTPUT": {Verdict.WA},
    "TIMELIMIT": {Verdict.TLE},
    "RUN-ERROR": {Verdict.RTE, Verdict.MLE},  # both peers report a memory overrun as a run error
    "COMPILER-ERROR": {Verdict.CE},
    "OUTPUT-LIMIT": {Verdict.OLE},
    "MEMORY-LIMIT": {Verdict.MLE},
}
_STATEMENTS = (
    "problem_statement/problem.en.tex",
    "problem_statement/problem.tex",
    "problem_statement/problem.en.md",
    "problem_statement/problem.md",
    "statement/problem.en.md",
    "statement/problem.en.tex",
)


def read_package(files: Mapping[str, bytes], name: str = "") -> Package:
    """The package made of `files` (`{path: bytes}` from its root); `name` is its short name
    (the directory's), the title when nothing better is found. PackageError when refused."""
    metadata = _metadata(files)
    _refuse_unsupported(metadata)
    statement = _statement(files)
    scoring = metadata.is_scoring()
    flags = tuple(shlex.split(metadata.legacy_validator_flags))
    custom = _custom_validation(metadata, files)
    tests = _tests(files, scoring)
    return Package(
        title=_title(metadata, statement, name),
        statement=statement,
        time_limit_ms=_time_limit_ms(metadata, files),
        time_multiplier=metadata.limits.time_multipliers.ac_to_time_limit,
        memory_limit_kb=_memory_kb(metadata.limits.memory),
        output_limit_kb=metadata.limits.output * 1024,
        checker=_custom_checker(metadata) if custom else _default_checker(metadata, flags),
        validator_language=validator_entry(files)[0] if custom else None,
        validator_flags=flags if custom else (),
        scoring=scoring,
        tests=tests,
        submissions=_submissions(files),
        files={path: content for path, content in files.items() if not _is_test_data(path, files)},
    )


def _metadata(files: Mapping[str, bytes]) -> Metadata:
    try:
        data = yaml.safe_load(files["problem.yaml"]) or {}
    except yaml.YAMLError as exc:
        raise PackageError(f"problem.yaml is not valid YAML: {exc}", "invalid_problem_yaml") from exc
    if not isinstance(data, dict):
        raise PackageError("problem.yaml must be a mapping of keys to values", "invalid_problem_yaml")
    _refuse_unsupported_words(data)
    try:
        version = FormatVersion(data.get("problem_format_version", FormatVersion.LEGACY))
        passes = _legacy_passes(data) if version is FormatVersion.LEGACY else None
        metadata = parse_metadata(version, data, _names_from_statements(files))
    except ValueError as exc:  # pydantic.ValidationError is one
        raise PackageError(f"problem.yaml: {_first_lines(exc)}", "invalid_problem_yaml") from exc
    if "multi-pass" in metadata.legacy_validation.split():
        metadata.type.append(ProblemType.MULTI_PASS)
        metadata.limits.validation_passes = passes or metadata.limits.validation_passes
    return metadata


def _legacy_passes(data: dict[str, Any]) -> int | None:
    """`limits.validation_passes` of a legacy problem.yaml, taken out: problemtools' legacy
    model does not know it (its 2023-07 one does)."""
    limits = data.get("limits")
    if not isinstance(limits, dict) or "validation_passes" not in limits:
        return None
    data["limits"] = {k: v for k, v in limits.items() if k != "validation_passes"}
    passes = limits["validation_passes"]
    if not isinstance(passes, int) or isinstance(passes, bool):
        raise ValueError(f"limits.validation_passes: not a whole number: {passes!r}")
    return passes


def _first_lines(exc: ValueError) -> str:
    if isinstance(exc, pydantic.ValidationError):
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]]
        return "; ".join(problems)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _names_from_statements(files: Mapping[str, bytes]) -> dict[str, str]:
    names = {}
    for path, content in files.items():
        found = re.fullmatch(r"problem_statement/problem(?:\.(\w+))?\.tex", path)
        title = re.search(rb"\\problemname\{([^}]*)\}", content) if found else None
        if found and title:
            names[found[1] or "en"] = title[1].decode(errors="replace").strip()
    return names


def _refuse_unsupported_words(data: dict[str, Any]) -> None:
    """Refuse a kind CodeArena does not judge before problemtools' model, which refuses the
    keys only those kinds have (limits.validation_passes in a legacy package) less clearly."""
    words = str(data.get("validation", "")).split() + str(data.get("type", "")).split()
    for word in ("submit-answer",):
        if word in words:
            raise PackageError(f"{word} problems are not supported yet", "unsupported_problem_type")


def _refuse_unsupported(metadata: Metadata) -> None:
    for kind, word in _UNSUPPORTED.items():
        if kind in metadata.type:
            raise PackageError(f"{word} problems are not supported yet", "unsupported_problem_type")
    if metadata.legacy_custom_score:
        raise PackageError("custom-score output validators are not supported yet", "unsupported_problem_type")


def _title(metadata: Metadata, statement: str, name: str) -> str:
    names = metadata.name
    title = names.get("en") or next(iter(names.values()), "") or name or "Untitled problem"
    return " ".join(title.split())[:200]


def _statement(files: Mapping[str, bytes]) -> str:
    path = next((p for p in _STATEMENTS if p in files), None)
    return "" if path is None else files[path].decode(errors="replace")[:200_000]


def _time_limit_ms(metadata: Metadata, files: Mapping[str, bytes]) -> int | None:
    seconds: float | None = metadata.limits.time_limit
    if seconds is None and ".timelimit" in files:
        seconds = _number(files[".timelimit"].decode(errors="replace").strip(), ".timelimit")
    if seconds is None and "domjudge-problem.ini" in files:
        seconds = _ini_time_limit(files["domjudge-problem.ini"])
    if seconds is None:
        return None
    return min(max(math.ceil(seconds * 1000), MIN_TIME_MS), MAX_TIME_MS)


def _ini_time_limit(content: bytes) -> float | None:
    parser = configparser.ConfigParser()
    try:
        parser.read_string("[problem]\n" + content.decode(errors="replace"))
    except configparser.Error as exc:
        raise PackageError(f"domjudge-problem.ini: {exc}") from exc
    raw = parser["problem"].get("timelimit")
    return None if raw is None else _number(raw.strip().strip("'\""), "domjudge-problem.ini timelimit")


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PackageError(f"{where}: not a number of seconds: {text[:50]!r}") from None
    if not 0 < value < math.inf:
        raise PackageError(f"{where}: the time limit must be a positive number of seconds")
    return value


def _memory_kb(memory_mib: int) -> int:
    kb = memory_mib * 1024
    if not MIN_MEMORY_KB <= kb <= MAX_MEMORY_KB:
        raise PackageError(
            f"problem.yaml: limits.memory must be {MIN_MEMORY_KB >> 10} to {MAX_MEMORY_KB >> 10} MiB",
            "invalid_problem_yaml",
        )
    return kb


def _custom_checker(metadata: Metadata) -> str:
    """The checker of a problem with its own validator: "interactive" when it is the
    interactor; "multi-pass:N" or "interactive,multi-pass:N" over N passes."""
    interactive = ProblemType.INTERACTIVE in metadata.type
    if ProblemType.MULTI_PASS not in metadata.type:
        return "interactive" if interactive else "validator"
    passes = metadata.limits.validation_passes
    if not 2 <= passes <= MAX_PASSES:
        raise PackageError(
            f"problem.yaml: limits.validation_passes must be 2 to {MAX_PASSES}", "invalid_problem_yaml"
        )
    return f"{'interactive,' if interactive else ''}multi-pass:{passes}"


def _default_checker(metadata: Metadata, flags: tuple[str, ...]) -> str:
    if ProblemType.MULTI_PASS in metadata.type:  # the default validator never writes a next pass
        raise PackageError(
            "a multi-pass problem needs its own output validator (output_validators/)", "invalid_validator"
        )
    return checker_spec(flags)


def _custom_validation(metadata: Metadata, files: Mapping[str, bytes]) -> bool:
    if metadata.problem_format_version is FormatVersion.LEGACY:
        words = metadata.legacy_validation.split()
        custom = bool(words) and words[0] == "custom"
    else:
        custom = any(path.startswith(VALIDATOR_DIRS) for path in files)
    if custom:
        validator_entry(files)  # refuses a missing or ambiguous validator now
    return custom


# --- data/ -------------------------------------------------------------------------------------


def _is_test_data(path: str, files: Mapping[str, bytes]) -> bool:
    if not path.startswith("data/"):
        return False
    stem, suffix = path.rsplit(".", 1) if "." in path else (path, "")
    return (suffix == "in" and f"{stem}.ans" in files) or (suffix == "ans" and f"{stem}.in" in files)


def _tests(files: Mapping[str, bytes], scoring: bool) -> tuple[PackageTest, ...]:
    inputs = sorted(p for p in files if p.startswith("data/") and p.endswith(".in"))
    missing = [p for p in inputs if p[: -len(".in")] + ".ans" not in files]
    if missing:
        raise PackageError(f"answer file missing for {', '.join(missing[:5])}", "missing_answer")
    inputs = [p for p in inputs if p.startswith(("data/sample/", "data/secret/"))]
    inputs.sort(key=lambda p: (not p.startswith("data/sample/"), p))
    if not inputs:
        raise PackageError("data/sample and data/secret hold no test (X.in with X.ans)", "no_tests")
    if len(inputs) > MAX_TESTS:
        raise PackageError(f"at most {MAX_TESTS} tests", "too_many_tests")
    grading = _Grading(files)
    tests = []
    for path in inputs:
        stem = path[len("data/") : -len(".in")]
        group = _group_of(stem)
        tests.append(
            PackageTest(
                name=stem,
                input=_text(files, path),
                answer=_text(files, stem.join(("data/", ".ans"))),
                group=group,
                points=0,
                sample=group == "sample",
            )
        )
    return tuple(grading.with_points(tests) if scoring else tests)


def _group_of(stem: str) -> str:
    """sample, secret, or secret/<top-level group> (the subtask a test scores in)."""
    parts = stem.split("/")
    return "/".join(parts[:2]) if parts[0] == "secret" and len(parts) > 2 else parts[0]


def _text(files: Mapping[str, bytes], path: str) -> str:
    try:
        text = files[path].decode()
    except UnicodeDecodeError:
        raise PackageError(f"{path} is not UTF-8 text; CodeArena stores text test data") from None
    if "\x00" in text:
        raise PackageError(f"{path} holds a NUL byte; CodeArena stores text test data")
    return text


class _Grading:
    """Points of a scoring problem's groups from the testdata.yaml files (inherited down)."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = files

    def with_points(self, tests: list[PackageTest]) -> list[PackageTest]:
        first_of_group: dict[str, int] = {}
        for index, test in enumerate(tests):
            first_of_group.setdefault(test.group, index)
        points = {g: self._group_points(g, tests) for g in first_of_group if g.startswith("secret")}
        return [
            test
            if first_of_group[test.group] != index or test.group not in points
            else _replace_points(test, points[test.group])
            for index, test in enumerate(tests)
        ]

    def _group_points(self, group: str, tests: list[PackageTest]) -> int:
        names = [t.name for t in tests if t.group == group]
        score = self._score(group, names)
        if score != int(score) or score < 0:
            raise PackageError(f"data/{group}: its score {score} is not a whole number of points")
        return int(score)

    def _score(self, directory: str, names: list[str]) -> float:
        """The full score of `directory` (relative to data/) over the tests `names` in it."""
        config = self._config(directory)
        children: dict[str, list[str]] = {}
        scores = []
        for name in names:
            rest = name[len(directory) + 1 :]
            if "/" in rest:
                children.setdefault(rest.split("/", 1)[0], []).append(name)
            else:
                scores.append(float(config.get("accept_score", 1)))
        scores += [self._score(f"{directory}/{child}", members) for child, members in children.items()]
        flags = str(config.get("grader_flags", "")).split()
        if "min" in flags:
            return min(scores, default=0.0)
        if "max" in flags:
            return max(scores, default=0.0)
        return sum(scores)

    def _config(self, directory: str) -> dict[str, Any]:
        """testdata.yaml of `directory`, over its parents' (the format inherits them)."""
        config: dict[str, Any] = {}
        parts = directory.split("/")
        for depth in range(len(parts) + 1):
            path = "/".join(["data", *parts[:depth], "testdata.yaml"])
            if path in self._files:
                config |= self._load(path)
        return config

    def _load(self, path: str) -> dict[str, Any]:
        try:
            data = yaml.safe_load(self._files[path]) or {}
        except yaml.YAMLError as exc:
            raise PackageError(f"{path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise PackageError(f"{path} must be a mapping of keys to values")
        return data


def _replace_points(test: PackageTest, points: int) -> PackageTest:
    return PackageTest(test.name, test.input, test.answer, test.group, points, test.sample)


# --- submissions/ ------------------------------------------------------------------------------


def _submissions(files: Mapping[str, bytes]) -> tuple[BundledSubmission, ...]:
    """One per file or directory (several files: not judged) under submissions/<folder>/."""
    entries: dict[str, list[str]] = {}
    for path in sorted(p for p in files if p.startswith("submissions/") and p.count("/") >= 2):
        if not any(part.startswith(".") for part in path.split("/")):
            entries.setdefault("/".join(path.split("/")[:3]), []).append(path)
    found = []
    for entry, paths in entries.items():
        single = paths == [entry]
        source = files[entry] if single else b""
        folder = entry.split("/")[1]
        expected = _expected_in_source(source) or frozenset(EXPECTED_BY_FOLDER.get(folder, ()))
        found.append(BundledSubmission(entry, expected, language_of(entry) if single else None, source))
    return tuple(found)


def _expected_in_source(source: bytes) -> frozenset[Verdict]:
    found = _EXPECTED_LINE.search(source)
    if found is None:
        return frozenset()
    words = re.split(r"[\s,]+", found[1].decode().strip().upper())
    return frozenset(v for w in words for v in _DOMJUDGE_RESULTS.get(w, ()))
