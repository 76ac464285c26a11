"""`codearena similarity`: similar programs among plain files (`--json FILE...`) or among a
contest's submissions (`CONTEST [--problem LABEL]`), by codearena.similarity."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codearena import similarity
from codearena.languages import CATALOG

if TYPE_CHECKING:
    from codearena.core import Core


def command(args: argparse.Namespace) -> int:
    """Files when `--json` is given or a target is not a contest id, else one contest."""
    targets: list[str] = args.targets
    if not args.json and len(targets) == 1 and targets[0].isdigit() and not Path(targets[0]).exists():
        return _contest(int(targets[0]), args)
    if args.problem is not None or args.all:
        print("codearena: --problem and --all need a contest, not files", file=sys.stderr)
        return 2
    return _files(targets, as_json=args.json)


def _language(path: str) -> str | None:
    extension = Path(path).suffix.lstrip(".").lower()
    return next((lang.name for lang in CATALOG if extension in lang.extensions), None)


def file_pairs(paths: list[str]) -> list[dict[str, Any]]:
    """Every pair of `paths` sharing fingerprints as {a, b, similarity}, most similar first.
    ValueError for a file whose language is unknown; OSError for one that cannot be read."""
    prints = []
    for path in paths:
        language = _language(path)
        if language is None:
            raise ValueError(f"{path}: no language has the extension {Path(path).suffix or '(none)'}")
        prints.append(similarity.fingerprint(Path(path).read_text(errors="replace"), language))
    return [{"a": paths[p.a], "b": paths[p.b], "similarity": p.similarity} for p in similarity.pairs(prints)]


def _files(paths: list[str], as_json: bool) -> int:
    try:
        found = file_pairs(paths)
    except (ValueError, OSError) as exc:
        print(f"codearena: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(found, indent=2))
        return 0
    for pair in found:
        print(f"{pair['similarity']:6.3f}  {pair['a']}  {pair['b']}")
    return 0


def _contest(contest_id: int, args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from codearena import plagiarism
    from codearena_cli.commands import _with_core

    def run(core: Core) -> str:
        columns = (TextColumn("fingerprinting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, transient=True) as progress:
            task = progress.add_task("fingerprint", total=None)
            found = plagiarism.report(
                core,
                contest_id,
                args.problem,
                latest=not args.all,
                limit=args.limit,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        Console().print(*(_table(problem) for problem in found["problems"]))
        return (
            f"contest {contest_id}: {sum(p['submissions'] for p in found['problems'])} submissions compared"
        )

    return _with_core(run)


def _table(problem: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=f"problem {problem['label']} ({problem['submissions']} submissions)")
    for heading in ("similarity", "submission", "user", "submission", "user", "matched lines"):
        table.add_column(heading)
    for pair in problem["pairs"]:
        a, b = pair["a"], pair["b"]
        lines = ", ".join(
            f"{f['a']['first_line']}-{f['a']['last_line']}~{f['b']['first_line']}-{f['b']['last_line']}"
            for f in pair["fragments"][:4]
        )
        row = (a["submission_id"], a["username"], b["submission_id"], b["username"])
        table.add_row(f"{pair['similarity']:.3f}", *map(str, row), lines)
    return table


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="CONTEST|FILE", help="a contest id, or files")
    parser.add_argument("--json", action="store_true", help="files: print the pairs as JSON")
    parser.add_argument("--problem", default=None, metavar="LABEL", help="a contest: this problem only")
    parser.add_argument("--all", action="store_true", help="a contest: every submission, not the latest")
    parser.add_argument("--limit", type=int, default=20, help="a contest: pairs shown per problem")
