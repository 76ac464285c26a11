"""Plagiarism reports over the submissions table (issue 18): for each problem of a contest, the
most similar pairs of different participants' submissions (codearena.similarity), with the
matched fragments side by side. Submissions imported without source are left out.

A submission's source never changes, so its fingerprints are kept in Redis (keys.fingerprints,
a week) by the first report that makes them: a later report of the same contest fingerprints only
the submissions made since. Without Redis a report makes them all again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, cast

import redis

from codearena import contests, keys, similarity
from codearena.core import Core
from codearena.db import Cursor
from codearena.errors import NotFound

Progress = Callable[[int, int], None]  # (programs fingerprinted, programs in all)

_SUBMISSIONS = (
    "SELECT {distinct} s.id, s.user_id, u.username, s.language, s.source, cp.label"
    " FROM submissions s JOIN users u ON u.id = s.user_id"
    " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
    " WHERE s.contest_id = %(contest)s AND NOT s.imported AND s.source <> ''"
    " AND (%(label)s::text IS NULL OR cp.label = %(label)s)"
    " ORDER BY {order}"
)
_LATEST = _SUBMISSIONS.format(
    distinct="DISTINCT ON (cp.label, s.user_id)", order="cp.label, s.user_id, s.id DESC"
)
_ALL = _SUBMISSIONS.format(distinct="", order="cp.label, s.id")


def report(
    core: Core,
    contest_id: int,
    label: str | None = None,
    *,
    latest: bool = True,
    limit: int = 50,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Per problem (all, or the one labelled `label`), its `limit` most similar pairs of
    submissions by different participants, each participant's latest one only when `latest`."""
    with core.db.transaction() as cur:
        rows = _submissions(cur, contest_id, label, latest)
    by_problem: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_problem[row["label"]].append(row)
    counter = _Counter(len(rows), progress)
    problems = [_problem(core, name, subs, limit, counter) for name, subs in sorted(by_problem.items())]
    return {"contest_id": contest_id, "problems": problems}


def _submissions(cur: Cursor, contest_id: int, label: str | None, latest: bool) -> list[dict[str, Any]]:
    contests.load(cur, contest_id)
    if label is not None:
        cur.execute(
            "SELECT 1 FROM contest_problems WHERE contest_id = %s AND label = %s", (contest_id, label)
        )
        if cur.fetchone() is None:
            raise NotFound(f"contest {contest_id} has no problem {label}", "problem_not_found")
    cur.execute(_LATEST if latest else _ALL, {"contest": contest_id, "label": label})
    return [dict(row) for row in cur.fetchall()]


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def step(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)


KEPT_SECONDS = 7 * 24 * 3600


def _problem(
    core: Core, label: str, subs: list[dict[str, Any]], limit: int, counter: _Counter
) -> dict[str, Any]:
    prints = _fingerprints(core, subs, counter)
    found = similarity.pairs(prints, owners=[sub["user_id"] for sub in subs])[:limit]
    return {"label": label, "submissions": len(subs), "pairs": [_pair(p, subs, prints) for p in found]}


def _fingerprints(core: Core, subs: list[dict[str, Any]], counter: _Counter) -> list[similarity.Fingerprints]:
    """Each submission's fingerprints: kept ones from Redis, the others made and kept."""
    names = [keys.fingerprints(sub["id"], similarity.VERSION) for sub in subs]
    try:
        kept = cast(
            "list[str | None]", core.redis.mget(names) if names else []
        )  # decoded (core.redis_client)
    except redis.RedisError:
        kept = [None] * len(subs)
    prints, made = [], {}
    for sub, name, text in zip(subs, names, kept, strict=True):
        if text is None:
            prints.append(similarity.fingerprint(sub["source"], sub["language"]))
            made[name] = prints[-1].to_json()
        else:
            prints.append(similarity.Fingerprints.from_json(text))
        counter.step()
    try:
        with core.redis.pipeline(transaction=False) as pipe:
            for name, text in made.items():
                pipe.set(name, text, ex=KEPT_SECONDS)
            pipe.execute()
    except redis.RedisError:
        pass  # made again next time
    return prints


def _pair(
    pair: similarity.Pair, subs: list[dict[str, Any]], prints: list[similarity.Fingerprints]
) -> dict[str, Any]:
    a, b = subs[pair.a], subs[pair.b]
    matched = similarity.fragments(prints[pair.a], prints[pair.b])
    return {
        "similarity": pair.similarity,
        "a": _side(a),
        "b": _side(b),
        "fragments": [similarity.fragment_json(f, a["source"], b["source"]) for f in matched],
    }


def _side(sub: dict[str, Any]) -> dict[str, Any]:
    return {
        "submission_id": sub["id"],
        "user_id": sub["user_id"],
        "username": sub["username"],
        "language": sub["language"],
    }
