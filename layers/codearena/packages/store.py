"""A read package stored as a problem (one transaction), and a stored problem as a package."""

from __future__ import annotations

import shlex

import yaml

from codearena.db import Cursor, one_row
from codearena.packages.model import Package

DEFAULT_TIME_LIMIT_MS = 1000  # when neither the package nor its accepted submissions give one


def store_problem(cur: Cursor, package: Package, time_limit_ms: int | None = None) -> int:
    """Insert the problem, its tests and its files within the caller's transaction; return its
    id. `time_limit_ms` (derived by judging, say) stands in when the package gives none."""
    limit = package.time_limit_ms or time_limit_ms or DEFAULT_TIME_LIMIT_MS
    cur.execute(
        "INSERT INTO problems (title, statement, time_limit_ms, memory_limit_kb, points, checker,"
        " output_limit_kb, validator_language, validator_flags)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            package.title,
            package.statement,
            limit,
            package.memory_limit_kb,
            package.points,
            package.checker,
            package.output_limit_kb,
            package.validator_language,
            shlex.join(package.validator_flags),
        ),
    )
    problem_id: int = one_row(cur)["id"]
    cur.executemany(
        "INSERT INTO test_cases (problem_id, ordinal, input, answer, test_group, points, is_sample, name)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
        [
            (problem_id, n, t.input, t.answer, t.group, t.points, t.sample, t.name)
            for n, t in enumerate(package.tests, start=1)
        ],
    )
    cur.executemany(
        "INSERT INTO problem_files (problem_id, path, content) VALUES (%s, %s, %s)",
        [(problem_id, path, content) for path, content in sorted(package.files.items())],
    )
    cur.execute("UPDATE problems SET test_data_hash = test_data_hash(id) WHERE id = %s", (problem_id,))
    return problem_id


def package_files(cur: Cursor, problem_id: int) -> dict[str, bytes] | None:
    """The package of a stored problem as `{path: bytes}`; None when there is no such problem.
    Files kept from its import come back as they were; its tests are written under data/ by
    name; a problem made without a package gets a problem.yaml and a statement."""
    cur.execute(
        "SELECT title, statement, time_limit_ms, memory_limit_kb, output_limit_kb, checker, points"
        " FROM problems WHERE id = %s",
        (problem_id,),
    )
    problem = cur.fetchone()
    if problem is None:
        return None
    cur.execute("SELECT path, content FROM problem_files WHERE problem_id = %s ORDER BY path", (problem_id,))
    files = {row["path"]: bytes(row["content"]) for row in cur.fetchall()}
    cur.execute(
        "SELECT ordinal, name, input, answer, is_sample, test_group, points FROM test_cases"
        " WHERE problem_id = %s ORDER BY ordinal",
        (problem_id,),
    )
    for test in cur.fetchall():
        name = test["name"] or _name_for(test)
        files[f"data/{name}.in"] = test["input"].encode()
        files[f"data/{name}.ans"] = test["answer"].encode()
    if "problem.yaml" not in files:
        files |= _made_package(dict(problem))
    return files


def _name_for(test: dict[str, object]) -> str:
    if test["is_sample"]:
        return f"sample/{test['ordinal']:03d}"
    return f"secret/{test['test_group']}/{test['ordinal']:03d}"


def _made_package(problem: dict[str, object]) -> dict[str, bytes]:
    """problem.yaml (legacy format) and a statement for a problem made through the API."""
    checker = str(problem["checker"])
    metadata: dict[str, object] = {
        "name": problem["title"],
        "limits": {
            "memory": int(problem["memory_limit_kb"]) // 1024,  # type: ignore[call-overload]
            "output": max(int(problem["output_limit_kb"]) // 1024, 1),  # type: ignore[call-overload]
        },
    }
    flags = _flags_of(checker)
    if flags:
        metadata["validator_flags"] = flags
    seconds = int(problem["time_limit_ms"]) / 1000  # type: ignore[call-overload]
    return {
        "problem.yaml": yaml.safe_dump(metadata, sort_keys=False).encode(),
        ".timelimit": f"{seconds:g}\n".encode(),
        "problem_statement/problem.en.md": str(problem["statement"]).encode(),
    }


def _flags_of(checker: str) -> str:
    """validator_flags meaning `checker` (a built-in spec) to the format's default validator."""
    base, *options = checker.split(",")
    flags = [] if "nocase" in options else ["case_sensitive"]
    if "spaces" in options or base == "exact":
        flags.append("space_change_sensitive")
    if base.startswith("float"):
        tolerances = [float(t) for t in base.split(":")[1:]] or [1e-6]
        absolute, relative = tolerances[0], tolerances[-1]
        flags += ["float_absolute_tolerance", repr(absolute), "float_relative_tolerance", repr(relative)]
    return " ".join(flags)
