"""The Contest API's event feed: every object's notifications `{"type", "id", "data", "token"}`.

The feed is derived from what PostgreSQL holds, in time order: first the contest and its fixed
collections (judgement types, languages, groups), then each problem when it was attached (the
public's at the start), each team when it first took part (approved, or its first submission)
with its organization, each submission and each clarification when it was made, each
judgement when it started (without a verdict, when the start is known) and when it ended, with
its runs (one per test case), a judgement a rejudge superseded again with `current: false`,
and the contest's state at each of its moments; the awards last, once the contest is final.
A token is a notification's position: everything is announced at or after the moment it
happens, so a later read only adds lines after the ones already sent (a moment is announced
once it is SETTLE old: a transaction that began earlier has committed by then), and
`since_token` continues where a reader stopped. The public's feed holds what the public may
see: a judgement of a submission made during the freeze appears at the thaw.

What still moves lines a reader has (tokens then repeat or skip): a team made hidden or
visible again, a problem detached, a participant rejected after approval; the feed has no
notification that deletes or changes an object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from codearena.clics import objects
from codearena.clics.times import parse_abstime
from codearena.core import Core
from codearena.errors import BadRequest

SETTLE = timedelta(seconds=2)


@dataclass(frozen=True)
class _Line:
    at: datetime
    order: int
    type: str
    id: str | None
    data: Any


def notifications(core: Core, view: objects.View, since_token: str | None = None) -> list[dict[str, Any]]:
    """The feed's notifications after `since_token` (all of them when None)."""
    lines = _lines(core, view)
    start = 0
    if since_token is not None:
        if not since_token.isdigit() or not 0 < int(since_token) <= len(lines):
            raise BadRequest(f"since_token {since_token!r} is not a token of this feed", "invalid_token")
        start = int(since_token)
    return [
        {"type": line.type, "id": line.id, "data": line.data, "token": str(position)}
        for position, line in enumerate(lines[start:], start + 1)
    ]


def _lines(core: Core, view: objects.View) -> list[_Line]:
    c = view.contest
    first = c.start_at
    fixed: list[_Line] = [_Line(first, 0, "contest", None, objects.contest(view))]
    for kind, items in (
        ("judgement-types", objects.judgement_types(core, view)),
        ("languages", objects.languages(core, view)),
        ("groups", objects.groups(core, view)),
    ):
        fixed += [_Line(first, 0, kind, item["id"], item) for item in items]
    # the jury's problems when attached, the public's at the start (or when attached, later)
    timed: list[_Line] = [
        _Line(
            attached if view.jury else max(attached, c.start_at),
            0 if view.jury else 1,
            "problems",
            p["id"],
            p,
        )
        for p, attached in objects.problems_with_times(core, view)
    ]
    timed += _teams(core, view)
    timed += _states(view)
    submissions = objects.submissions(core, view)
    timed += [_Line(parse_abstime(s["time"], "time"), 2, "submissions", s["id"], s) for s in submissions]
    timed += _judgements(core, view, submissions)
    timed += [
        _Line(parse_abstime(c["time"], "time"), 2, "clarifications", c["id"], c)
        for c in objects.clarifications(core, view)
    ]
    final = objects.state(view)["finalized"]
    if final is not None:
        timed += [
            _Line(parse_abstime(final, "finalized"), 4, "awards", a["id"], a)
            for a in objects.awards(core, view)
        ]
    # What happened in the last SETTLE seconds waits: a row committed late must not land
    # before a line a reader was already given.
    horizon = view.now - SETTLE
    timed = [line for line in timed if line.at <= horizon or final is not None and line.at <= view.now]
    timed.sort(key=lambda line: (line.at, line.order))
    return fixed + timed


def _teams(core: Core, view: objects.View) -> list[_Line]:
    """Each team when it first took part (approved, or submitted in an open contest), its
    organization just before it the first time one of its teams appears."""
    found: list[_Line] = []
    organizations = {o["id"]: o for o in objects.organizations(core, view)}
    for team, first in objects.teams_with_times(core, view):
        since = first.replace(microsecond=first.microsecond // 1000 * 1000)  # as its submission's time reads
        if (organization := organizations.pop(team.get("organization_id", ""), None)) is not None:
            found.append(_Line(since, 1, "organizations", organization["id"], organization))
        found.append(_Line(since, 1, "teams", team["id"], team))
    return found


def _states(view: objects.View) -> list[_Line]:
    """The state as it stood at each of its moments that has come."""
    moments = sorted({parse_abstime(t, "state") for t in objects.state(view).values() if t is not None})
    found = []
    for moment in moments:
        then = objects.View(view.contest, view.jury, moment)
        found.append(_Line(moment, 1, "state", None, objects.state(then)))
    return found


def _judgements(core: Core, view: objects.View, submissions: list[dict[str, Any]]) -> list[_Line]:
    thawed = view.contest.unfrozen_at
    freeze = view.contest.freeze_at
    by_submission: dict[str, list[dict[str, Any]]] = {}
    found = []
    for judgement in objects.judgements(core, view):
        by_submission.setdefault(judgement["submission_id"], []).append(judgement)
    runs: dict[str, list[dict[str, Any]]] = {}
    for run in objects.runs(core, view):
        runs.setdefault(run["judgement_id"], []).append(run)
    submitted = {s["id"]: parse_abstime(s["time"], "time") for s in submissions}
    for submission_id, judgings in by_submission.items():
        # what the public saw only at the thaw is announced then
        shown_from = (
            thawed
            if not view.jury
            and thawed is not None
            and freeze is not None
            and submitted[submission_id] >= freeze
            else None
        )
        for index, judgement in enumerate(judgings):
            started = parse_abstime(judgement["start_time"], "start")
            ended = parse_abstime(judgement["end_time"], "end")
            if shown_from is not None:
                started, ended = max(started, shown_from), max(ended, shown_from)
            if started < ended:
                begun = {
                    k: v
                    for k, v in judgement.items()
                    if k not in ("judgement_type_id", "end_time", "end_contest_time", "max_run_time", "score")
                }
                found.append(_Line(started, 3, "judgements", judgement["id"], {**begun, "current": True}))
            # its runs, recorded with it, come between its start and its verdict, or just
            # after it when it is announced once (a run refers to an existing judgement)
            done = [_Line(ended, 3, "runs", run["id"], run) for run in runs.get(judgement["id"], [])]
            verdict = _Line(ended, 3, "judgements", judgement["id"], {**judgement, "current": True})
            found += [*done, verdict] if started < ended else [verdict, *done]
            if not judgement["current"] and index + 1 < len(judgings):
                later = parse_abstime(judgings[index + 1]["start_time"], "start")
                found.append(_Line(max(later, ended), 3, "judgements", judgement["id"], judgement))
    return found
