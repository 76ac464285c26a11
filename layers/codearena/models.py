"""Enumerations shared by every part: roles, verdicts, submission statuses (the values
PostgreSQL stores), scoring types, contest states."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    JURY = "jury"
    CONTESTANT = "contestant"


class Verdict(StrEnum):
    """CLICS judgement type ids."""

    AC = "AC"
    WA = "WA"
    TLE = "TLE"
    MLE = "MLE"
    RTE = "RTE"
    OLE = "OLE"
    CE = "CE"
    JE = "JE"

    @property
    def costs_penalty(self) -> bool:
        """A rejected attempt that counts toward ICPC penalty by default (CE and JE do not;
        a contest's own rules may charge CE: scoring.ContestRules.penalty_verdicts)."""
        return self in PENALTY_VERDICTS


# The default; a contest may charge CE too (never AC or JE).
PENALTY_VERDICTS = frozenset({Verdict.WA, Verdict.TLE, Verdict.MLE, Verdict.RTE, Verdict.OLE})
CHARGEABLE_VERDICTS = PENALTY_VERDICTS | {Verdict.CE}


class SubmissionStatus(StrEnum):
    QUEUED = "queued"
    JUDGING = "judging"
    JUDGED = "judged"


class ScoringType(StrEnum):
    ICPC = "icpc"
    POINTS = "points"


class ContestState(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    FROZEN = "frozen"
    ENDED = "ended"
    UNFROZEN = "unfrozen"
