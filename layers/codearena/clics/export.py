"""A contest written out as a CLICS contest package: the Contest API's objects as the jury
sees them now (codearena.clics.objects), one JSON file per endpoint, and the event feed as
NDJSON. `codearena.clics.package` reads such a directory back in.

The jury's view holds everything: hidden teams (marked `hidden`, so an import hides them
again), every judgement and run, and the live scoreboard and awards.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codearena.clics import feed, objects
from codearena.core import Core
from codearena.errors import BadRequest

Read = Callable[[Core, objects.View], Any]
# file → what it holds; the order the files are written in
FILES: dict[str, Read] = {
    "contest.json": lambda core, view: objects.contest(view),
    "state.json": lambda core, view: objects.state(view),
    "problems.json": objects.problems,
    "teams.json": objects.teams,
    "organizations.json": objects.organizations,
    "groups.json": objects.groups,
    "judgement-types.json": objects.judgement_types,
    "languages.json": objects.languages,
    "submissions.json": objects.submissions,
    "judgements.json": objects.judgements,
    "runs.json": objects.runs,
    "clarifications.json": objects.clarifications,
    "scoreboard.json": objects.scoreboard,
    "awards.json": objects.awards,
}
FEED = "event-feed.ndjson"


def export_contest(core: Core, contest_id: int, directory: Path) -> list[str]:
    """Write contest `contest_id` as a package into `directory` (created when missing; refused
    when it holds anything). Returns the names of the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BadRequest(f"{directory} is not an empty directory", "invalid_directory")
    view = objects.view_of(core, contest_id, jury=True)
    contents = {name: read(core, view) for name, read in FILES.items()}
    lines = feed.notifications(core, view)
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (directory / name).write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (directory / FEED).write_text(
        "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines),
        encoding="utf-8",
    )
    return [*contents, FEED]
