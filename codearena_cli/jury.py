"""`codearena jury …`: the jury tools in a terminal (codearena.jury, codearena.rejudge), on the
database directly as the other admin commands are.

  codearena jury submissions CID [--problem P] [--participant U] [--verdict V] [--language L]
  codearena jury show SID        source, per-test verdicts, the judge's output and its diff
  codearena jury rejudge SID     queue it for judging again (audited as a CLI action)

Exit codes: 0 done; 1 refused (no such contest or submission, a filter the API refuses),
with `codearena: <why>` on stderr; 2 a malformed command line (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import commands

if TYPE_CHECKING:
    from codearena.core import Core

Adder = Callable[..., argparse.ArgumentParser]
MARKS = {"same": "  ", "answer": "- ", "output": "+ ", "hunk": ""}  # as jury.js shows a diff


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Adder) -> None:
    """Register `codearena jury …` under `sub` (entry.py's parser)."""
    jury = sub.add_parser("jury", help="jury tools: submissions, details, rejudge").add_subparsers(
        dest="jury_command", required=True
    )
    listed = add("submissions", submissions, "a contest's submissions, newest first, filtered", jury)
    listed.add_argument("contest", type=int, metavar="CID")
    listed.add_argument("--problem", help="a problem's label (A) or id")
    listed.add_argument("--participant", help="a username or a user id")
    listed.add_argument("--verdict", help="AC, WA, TLE, MLE, RTE, OLE, CE, JE or pending")
    listed.add_argument("--language", help="a language name (python, cpp…)")
    listed.add_argument("--limit", type=int, default=50, help="rows to show (1-500, default 50)")
    listed.add_argument("--offset", type=int, default=0, help="rows to skip (default 0)")
    listed.add_argument("--json", action="store_true", help="print the API's JSON answer")
    shown = add("show", show, "a submission's source, tests, the judge's output and its diff", jury)
    shown.add_argument("submission", type=int, metavar="SID")
    shown.add_argument("--json", action="store_true", help="print the API's JSON answer")
    again = add("rejudge", rejudge, "judge a submission again (its old results stay)", jury)
    again.add_argument("submission", type=int, metavar="SID")


def submissions(args: argparse.Namespace) -> int:
    from codearena import jury, users

    def run(core: Core) -> str:
        params = {
            name: str(value)
            for name, value in (
                ("problem", args.problem),
                ("verdict", args.verdict),
                ("language", args.language),
                ("limit", args.limit),
                ("offset", args.offset),
            )
            if value is not None
        }
        if args.participant is not None:
            participant = str(args.participant)
            params["user_id"] = participant if participant.isdigit() else str(users.id_of(core, participant))
        page = jury.submissions(core, args.contest, params)
        return json.dumps(page, indent=2) if args.json else listing(page)

    return commands._with_core(run)


def listing(page: dict[str, Any]) -> str:
    """The page as a table, with a heading that says which rows of how many."""
    rows = page["submissions"]
    if not rows:
        return f"contest {page['contest_id']}: no submissions match"
    first = page["offset"] + 1
    lines = [
        f"contest {page['contest_id']}: submissions {first}–{page['offset'] + len(rows)} of {page['total']}"
    ]
    lines.append(
        f"{'ID':>8}  {'SENT (UTC)':19}  {'PARTICIPANT':16}  {'PROB':4}  {'LANGUAGE':10}  {'VERDICT':8}  TIME"
    )
    for row in rows:
        verdict = row["verdict"] or row["status"]
        time_ms = "" if row["max_time_ms"] is None else f"{row['max_time_ms']} ms"
        lines.append(
            f"{row['id']:>8}  {row['created_at'][:19].replace('T', ' '):19}  {row['username'][:16]:16}"
            f"  {row['label']:4}  {row['language']:10}  {verdict:8}  {time_ms}"
        )
    return "\n".join(lines)


def show(args: argparse.Namespace) -> int:
    from codearena import jury

    def run(core: Core) -> str:
        found = jury.details(core, args.submission)
        return json.dumps(found, indent=2) if args.json else details(found)

    return commands._with_core(run)


def details(s: dict[str, Any]) -> str:
    """A submission as the jury page shows it, as plain text."""
    verdict = s["verdict"] or s["status"]
    lines = [
        f"submission {s['id']}: {s['username']} (user {s['user_id']}), contest {s['contest_id']},"
        f" problem {s['label']}, {s['language']}, sent {s['created_at']}: {verdict}"
    ]
    for j in s["judgings"]:
        current = " (current)" if j["is_current"] else ""
        lines.append(f"judging {j['judgement']}: {j['verdict']} on {j['judge_host'] or '?'}{current}")
    if s["last_error"]:
        lines.append(f"last judging error: {s['last_error']}")
    if s["compile_output"]:
        lines += ["", "compiler output:", _indented(s["compile_output"])]
    lines += ["", "tests:" if s["tests"] else "tests: none run yet"]
    for test in s["tests"]:
        lines += _test(test)
    lines += ["", f"note: {s['output_note']}", "", "source:", _indented(s["source"])]
    return "\n".join(lines)


def _test(t: dict[str, Any]) -> list[str]:
    sample = " (sample)" if t["is_sample"] else ""
    lines = [f"  test {t['index']}{sample}: {t['verdict']:3}  {t['time_ms']} ms  {t['memory_kb']} KiB"]
    if t["output"] is None:
        return [*lines, "    output not kept"]
    if not t["diff"]:  # the same lines: a rejection then is about spaces or what the checker reads
        return lines if t["verdict"] == "AC" else [*lines, "    output: the same lines as the answer"]
    cut = " — cut: only the first 4 KiB of each are compared" if t["diff_truncated"] else ""
    lines.append(f"    diff of the judge's output against the answer (- answer, + output){cut}:")
    lines += [f"    {MARKS[line['kind']]}{line['text']}" for line in t["diff"]]
    return lines


def _indented(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


def rejudge(args: argparse.Namespace) -> int:
    from codearena import audit
    from codearena.rejudge import rejudge_submission

    def run(core: Core) -> str:
        queued = rejudge_submission(core, args.submission)
        audit.record_cli(core, getpass.getuser(), "codearena jury rejudge", {"sid": str(queued["id"])})
        return f"submission {queued['id']}: queued for judgement {queued['judgement']}"

    return commands._with_core(run)
