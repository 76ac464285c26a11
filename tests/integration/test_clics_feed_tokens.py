"""The CLICS event feed's tokens stay where a reader left them: a line is only ever added after
the ones already given, so `since_token` misses nothing and repeats nothing, also when what
happens now concerns an earlier moment (a team approved long after it registered)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from codearena import clarifications, contests, participants
from codearena.clics import feed, objects
from codearena.core import Core
from tests.integration.conftest import ONE_TEST, contest_with_problem, login

SETTLED = feed.SETTLE.total_seconds() + 0.3


def read(core: Core, cid: int, since: str | None = None) -> list[dict[str, Any]]:
    return feed.notifications(core, objects.view_of(core, cid, jury=True), since)


def principal(core: Core, username: str) -> Any:
    return core.tokens.verify(login(core, username)["Authorization"].split()[1])


def test_a_team_approved_late_comes_after_what_a_reader_already_has(core: Core) -> None:
    contest = contest_with_problem(core, ONE_TEST, start=-timedelta(minutes=30), end=timedelta(hours=1))
    cid = contest["id"]
    contests.update_contest(core, cid, {"registration": "approval"})
    ann, bob = principal(core, "ann-feed"), principal(core, "bob-feed")
    participants.register(core, ann, cid)
    participants.set_status(core, cid, ann.user_id, {"status": "approved"})
    participants.register(core, bob, cid)  # pending: not a team of the contest yet
    clarifications.answer(core, cid, {"text": "The contest has begun."})
    time.sleep(SETTLED)
    before = read(core, cid)
    teams = [line["id"] for line in before if line["type"] == "teams"]
    assert teams == [str(ann.user_id)] and before[-1]["type"] == "clarifications"

    participants.set_status(core, cid, bob.user_id, {"status": "approved"})
    time.sleep(SETTLED)
    after = read(core, cid)
    assert after[: len(before)] == before  # nothing moved under the reader
    missed = read(core, cid, before[-1]["token"])
    assert [(line["type"], line["id"]) for line in missed] == [("teams", str(bob.user_id))]


def test_a_problem_attached_late_comes_after_what_a_reader_already_has(core: Core) -> None:
    """The jury's feed before the start and the public's during the contest: a problem
    attached after a reader has read on is announced then, after the lines it has."""
    later = contest_with_problem(core, ONE_TEST, start=timedelta(minutes=5), end=timedelta(hours=1))
    running = contest_with_problem(core, ONE_TEST, start=-timedelta(minutes=5), end=timedelta(hours=1))
    ann = principal(core, "ann-early")
    for contest in (later, running):
        participants.register(core, ann, contest["id"])  # a team line after the first problem's
    time.sleep(SETTLED)
    views = {later["id"]: True, running["id"]: False}  # the jury's; the public's

    def lines(cid: int, since: str | None = None) -> list[dict[str, Any]]:
        return feed.notifications(core, objects.view_of(core, cid, jury=views[cid]), since)

    before = {cid: lines(cid) for cid in views}
    for cid in views:
        kinds = [line["type"] for line in before[cid]]
        assert kinds.count("problems") == 1 and kinds.index("problems") < kinds.index("teams"), cid
        added = contests.create_problem(core, {**ONE_TEST, "title": "Late"})
        contests.attach_problem(core, cid, {"problem_id": added["id"], "label": "B"})
    time.sleep(SETTLED)
    for cid in views:
        assert lines(cid)[: len(before[cid])] == before[cid], cid  # nothing moved under the reader
        missed = lines(cid, before[cid][-1]["token"])
        assert [(line["type"], line["data"]["label"]) for line in missed] == [("problems", "B")], cid
