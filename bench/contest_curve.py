"""A real contest's shape for bench/autoscale.py: its submissions per team per minute and its
judging times per language, read in place from a CLICS contest package (shared/data/clics/).

The rate is the count of the main scoreboard group's submissions in each contest minute (the
jury's and organisers' tests, and anything before the start or after the end, left out), over
the teams of that group, smoothed by a centred moving average (five minutes by default) that is
cut at the contest's edges, so no rate leaks before the start or past the end. A judging time is
a current judgement's end_time − start_time (compiling and every test), by the language of its
submission.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Contest:
    name: str
    start: datetime
    duration_seconds: float
    teams: int
    submitted_at: list[float]  # contest seconds of each counted submission
    judging_seconds: dict[str, list[float]]  # by language: every real judging time

    @property
    def minutes(self) -> int:
        return math.ceil(self.duration_seconds / 60)

    @property
    def mean_judging_seconds(self) -> float:
        return statistics.fmean(seconds for times in self.judging_seconds.values() for seconds in times)


@dataclass(frozen=True)
class Shape:
    """The rate per team per minute over three parts of the contest, and the peaks at its ends."""

    first_30: float
    middle: float
    last_60: float
    start_peak: tuple[int, float]  # (minute, rate) of the highest rate in the first 30 minutes
    end_peak: tuple[int, float]  # the same in the last hour

    @property
    def burst(self) -> bool:
        return self.first_30 > self.middle

    @property
    def rush(self) -> bool:
        return self.last_60 > self.middle


def load(folder: Path) -> Contest:
    """The contest in `folder` (contest.json, teams.json, submissions.json, judgements.json)."""
    contest = _read(folder, "contest.json")
    group = contest.get("main_scoreboard_group_id")
    teams = {t["id"] for t in _read(folder, "teams.json") if group is None or group in t["group_ids"]}
    duration = _seconds(contest["duration"])
    counted = {
        s["id"]: s
        for s in _read(folder, "submissions.json")
        if s["team_id"] in teams and 0 <= _seconds(s["contest_time"]) < duration
    }
    return Contest(
        name=contest["formal_name"],
        start=datetime.fromisoformat(contest["start_time"]),
        duration_seconds=duration,
        teams=len(teams),
        submitted_at=sorted(_seconds(s["contest_time"]) for s in counted.values()),
        judging_seconds=_judging_seconds(_read(folder, "judgements.json"), counted),
    )


def _judging_seconds(judgements: list[dict[str, Any]], counted: dict[str, Any]) -> dict[str, list[float]]:
    by_language: dict[str, list[float]] = {}
    for judgement in judgements:
        submission = counted.get(judgement["submission_id"])
        if submission is None or not judgement.get("current") or not judgement.get("end_time"):
            continue
        started = datetime.fromisoformat(judgement["start_time"])
        took = (datetime.fromisoformat(judgement["end_time"]) - started).total_seconds()
        by_language.setdefault(submission["language_id"], []).append(took)
    return by_language


def _read(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text())


def _seconds(clock: str) -> float:
    """A CLICS RELTIME ("-1:02:03.456" or "5:00:00.000") in seconds."""
    sign = -1.0 if clock.startswith("-") else 1.0
    hours, minutes, seconds = clock.lstrip("-").split(":")
    return sign * (int(hours) * 3600 + int(minutes) * 60 + float(seconds))


def rate_per_team(contest: Contest, smooth_minutes: int) -> list[float]:
    """Submissions per team per minute, for each minute of the contest, smoothed."""
    counts = [0] * contest.minutes
    for at in contest.submitted_at:
        counts[int(at // 60)] += 1
    half = smooth_minutes // 2
    return [
        statistics.fmean(counts[max(0, m - half) : min(contest.minutes, m + half + 1)]) / contest.teams
        for m in range(contest.minutes)
    ]


def shape(rate: list[float]) -> Shape:
    last_hour = len(rate) - 60
    start_peak = max(range(30), key=lambda m: rate[m])
    end_peak = max(range(last_hour, len(rate)), key=lambda m: rate[m])
    return Shape(
        first_30=statistics.fmean(rate[:30]),
        middle=statistics.fmean(rate[30:last_hour]),
        last_60=statistics.fmean(rate[last_hour:]),
        start_peak=(start_peak, rate[start_peak]),
        end_peak=(end_peak, rate[end_peak]),
    )


def arrivals(rate: list[float], contestants: int, rng: random.Random) -> list[float]:
    """A Poisson process at `contestants` × the rate, constant within each minute: contest
    seconds of each submission (exponential gaps; memoryless, so each minute starts afresh)."""
    times: list[float] = []
    for minute, per_team in enumerate(rate):
        per_second = contestants * per_team / 60
        at = minute * 60.0
        while per_second > 0:
            at += rng.expovariate(per_second)
            if at >= (minute + 1) * 60:
                break
            times.append(at)
    return times


def judging_times(contest: Contest, count: int, rng: random.Random) -> list[float]:
    """`count` judging times: a language drawn with the contest's mix, then one of its real times."""
    languages = sorted(contest.judging_seconds)
    weights = [len(contest.judging_seconds[language]) for language in languages]
    chosen = rng.choices(languages, weights=weights, k=count)
    return [rng.choice(contest.judging_seconds[language]) for language in chosen]
