"""A contest as CLICS Contest API objects (the specification's JSON format), read from
PostgreSQL: contest, state, problems, teams, organizations, groups, judgement types,
languages, submissions, judgements, runs, clarifications, scoreboard and awards.

Ids are the ones an imported contest had in its package, else ours as strings. Access follows
the specification: the public sees no hidden team, no problem before the start, and, while
the board is frozen, no judgement of a submission made from the freeze on; the scoreboard and
the awards are the public board's (frozen) for them and the jury board's for the jury.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from codearena import boards, contests
from codearena.clics import awards as award_rules
from codearena.clics.times import abstime, reltime
from codearena.core import Core
from codearena.db import Cursor, one_row
from codearena.errors import NotFound
from codearena.languages import CATALOG
from codearena.models import Verdict

# The specification as its JSON schemas stand at icpc/ccs-specs 75ca180 (../shared/data/clics-schema).
VERSION = "draft"
VERSION_URL = "https://ccs-specs.icpc.io/draft/contest_api"

# Judgement types: ours, and the names of CLICS types an imported contest may have kept.
_TYPE_NAMES = {
    "AC": "correct",
    "WA": "wrong answer",
    "TLE": "time limit exceeded",
    "MLE": "memory limit exceeded",
    "RTE": "run-time error",
    "OLE": "output limit exceeded",
    "CE": "compiler error",
    "JE": "judging error",
    "PE": "presentation error",
    "NO": "no output",
}
_CATEGORIES = {"participant": "Participants", "observer": "Observers", "hidden": "Hidden"}


@dataclass(frozen=True)
class View:
    """Who asks and when: the jury sees everything; the public what the specification allows."""

    contest: contests.Contest
    jury: bool
    now: datetime

    @property
    def contest_id(self) -> int:
        return self.contest.id

    @property
    def started(self) -> bool:
        return self.now >= self.contest.start_at

    @property
    def hides_after(self) -> datetime | None:
        """From when the public sees no verdicts (None: it sees them all)."""
        if self.jury or not self.contest.public_board_frozen(self.now):
            return None
        return self.contest.freeze_at

    def contest_time(self, moment: datetime) -> str:
        return reltime(moment - self.contest.start_at)


def view_of(core: Core, contest_id: int, jury: bool, now: datetime | None = None) -> View:
    """The contest as `jury` or the public sees it; NotFound when there is none, or when it
    is hidden and the caller is the public (the specification lets a server answer 404 for
    what a caller may not see)."""
    with core.db.transaction() as cur:
        contest = contests.load_visible(cur, contest_id, jury)
    return View(contest, jury, now or core.clock())


def api_information() -> dict[str, Any]:
    return {
        "version": VERSION,
        "version_url": VERSION_URL,
        "provider": {"name": "CodeArena"},
    }


def contest(view: View) -> dict[str, Any]:
    c = view.contest
    data: dict[str, Any] = {
        "id": str(c.id),
        "name": c.title,
        "formal_name": c.title,
        "start_time": abstime(c.start_at),
        "duration": reltime(c.end_at - c.start_at),
        "scoreboard_type": "pass-fail" if c.scoring == "icpc" else "score",
        "penalty_time": reltime(timedelta(minutes=c.penalty_minutes)),
    }
    if c.freeze_at is not None:
        data["scoreboard_freeze_duration"] = reltime(c.end_at - c.freeze_at)
    if c.unfrozen_at is not None:
        data["scoreboard_thaw_time"] = abstime(c.unfrozen_at)
    return data


def state(view: View) -> dict[str, Any]:
    c, now = view.contest, view.now

    def reached(moment: datetime | None) -> str | None:
        return abstime(moment) if moment is not None and now >= moment else None

    ended = reached(c.end_at)
    thawed = reached(c.unfrozen_at)
    return {
        "started": reached(c.start_at),
        "frozen": reached(c.freeze_at),
        "ended": ended,
        "thawed": thawed,
        # final once ended with nothing left hidden: thawed, or never frozen
        "finalized": thawed if c.freeze_at is not None else ended,
        "end_of_updates": None,
    }


def problems(core: Core, view: View) -> list[dict[str, Any]]:
    return [problem for problem, _ in problems_with_times(core, view)]


def problems_with_times(core: Core, view: View) -> list[tuple[dict[str, Any], datetime]]:
    """The problems the caller sees (the public none before the start), each with when it
    was attached to the contest."""
    if not (view.started or view.jury):
        return []
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT cp.problem_id, cp.label, cp.external_id, cp.rgb, cp.attached_at, p.title,"
            " p.time_limit_ms, p.memory_limit_kb,"
            " p.points, (SELECT count(*) FROM test_cases t WHERE t.problem_id = p.id) AS tests"
            " FROM contest_problems cp JOIN problems p ON p.id = cp.problem_id"
            " WHERE cp.contest_id = %s ORDER BY cp.label",
            (view.contest_id,),
        )
        rows = cur.fetchall()
    found = []
    for ordinal, row in enumerate(rows):
        problem: dict[str, Any] = {
            "id": row["external_id"] or str(row["problem_id"]),
            "label": row["label"],
            "name": row["title"],
            "ordinal": ordinal,
            "time_limit": row["time_limit_ms"] / 1000,
            "memory_limit": row["memory_limit_kb"] // 1024,
            "test_data_count": row["tests"],
        }
        if row["rgb"]:
            problem["rgb"] = row["rgb"]
        if view.contest.scoring != "icpc":
            problem["max_score"] = row["points"]
        found.append((problem, row["attached_at"]))
    return found


def teams(core: Core, view: View) -> list[dict[str, Any]]:
    return [team for team, _ in teams_with_times(core, view)]


def teams_with_times(core: Core, view: View) -> list[tuple[dict[str, Any], datetime]]:
    """The teams, each with when it first took part: approved (registered in an open
    contest), or first submitted."""
    with core.db.transaction() as cur:
        rows = _participants(cur, view)
    found = []
    for row in rows:
        team: dict[str, Any] = {
            "id": _team_id(row),
            "name": row["display_name"] or row["username"],
            "label": _team_id(row),
            "group_ids": list(row["group_ids"]) or [row["category"]],
        }
        if row["organization_id"] is not None:
            team["organization_id"] = row["organization"]
        if view.jury:
            team["hidden"] = row["category"] == "hidden"
        found.append((team, row["since"]))
    return found


def organizations(core: Core, view: View) -> list[dict[str, Any]]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT DISTINCT o.id, o.external_id, o.name, o.formal_name, o.country FROM organizations o"
            " JOIN contest_participants p ON p.organization_id = o.id"
            " WHERE p.contest_id = %s AND (%s OR p.category <> 'hidden') ORDER BY o.id",
            (view.contest_id, view.jury),
        )
        rows = cur.fetchall()
    found = []
    for row in rows:
        organization = {"id": row["external_id"] or str(row["id"]), "name": row["name"]}
        organization |= {k: row[k] for k in ("formal_name", "country") if row[k]}
        found.append(organization)
    return found


def groups(core: Core, view: View) -> list[dict[str, Any]]:
    """The contest's own team groups (an imported package's): the jury sees them all, the
    public those with a team it sees; and our categories (participant, observer, hidden) as
    groups, when the contest has none of its own or some team is in none of them."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT g.external_id, g.name, g.icpc_id, g.type FROM contest_groups g WHERE g.contest_id = %s"
            " AND (%s OR EXISTS (SELECT 1 FROM participant_groups m JOIN contest_participants p"
            " ON p.contest_id = m.contest_id AND p.user_id = m.user_id WHERE m.contest_id = g.contest_id"
            " AND m.group_id = g.external_id AND p.category <> 'hidden')) ORDER BY g.external_id",
            (view.contest_id, view.jury),
        )
        own = [
            {"id": row["external_id"], "name": row["name"]}
            | {k: row[k] for k in ("icpc_id", "type") if row[k] is not None}
            for row in cur.fetchall()
        ]
        cur.execute(
            "SELECT EXISTS (SELECT 1 FROM contest_groups WHERE contest_id = %(contest)s) AS grouped,"
            " EXISTS (SELECT 1 FROM contest_participants p WHERE p.contest_id = %(contest)s"
            " AND NOT EXISTS (SELECT 1 FROM participant_groups m WHERE m.contest_id = p.contest_id"
            " AND m.user_id = p.user_id)) AS ungrouped",
            {"contest": view.contest_id},
        )
        flags = one_row(cur)
    if flags["grouped"] and not flags["ungrouped"]:
        return own
    shown = _CATEGORIES if view.jury else {k: v for k, v in _CATEGORIES.items() if k != "hidden"}
    return own + [{"id": key, "name": name} for key, name in shown.items()]


def judgement_types(core: Core, view: View) -> list[dict[str, Any]]:
    """Our verdicts and the types an imported contest kept, each with the penalty the
    contest's own judgement rules give it (its `penalty_verdicts`: some charge CE)."""
    charged = set(view.contest.penalty_verdicts)
    found = [_judgement_type(verdict.value, verdict, charged) for verdict in Verdict]
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT DISTINCT r.judgement_type, r.verdict FROM submission_results r"
            " JOIN submissions s ON s.id = r.submission_id"
            " WHERE s.contest_id = %s AND r.judgement_type IS NOT NULL ORDER BY r.judgement_type",
            (view.contest_id,),
        )
        rows = cur.fetchall()
    found += [_judgement_type(row["judgement_type"], Verdict(row["verdict"]), charged) for row in rows]
    return found


def _judgement_type(type_id: str, counts_as: Verdict, charged: set[str]) -> dict[str, Any]:
    return {
        "id": type_id,
        "name": _TYPE_NAMES.get(type_id, type_id),
        "penalty": counts_as.value in charged,
        "solved": counts_as is Verdict.AC,
    }


def languages(core: Core, view: View) -> list[dict[str, Any]]:
    found = {
        info.name: {
            "id": info.name,
            "name": info.title,
            "entry_point_required": False,
            "extensions": list(info.extensions),
        }
        for info in CATALOG
    }
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT DISTINCT language FROM submissions WHERE contest_id = %s AND imported ORDER BY language",
            (view.contest_id,),
        )
        for row in cur.fetchall():
            found.setdefault(
                row["language"],
                {
                    "id": row["language"],
                    "name": row["language"],
                    "entry_point_required": False,
                    "extensions": [],
                },
            )
    return list(found.values())


def submissions(core: Core, view: View) -> list[dict[str, Any]]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT s.id, s.external_id, s.language, s.imported, s.created_at, s.problem_id, s.user_id,"
            " cp.external_id AS problem_external, p.external_id AS team_external FROM submissions s"
            " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
            " LEFT JOIN contest_participants p ON p.contest_id = s.contest_id AND p.user_id = s.user_id"
            " WHERE s.contest_id = %s AND (%s OR coalesce(p.category, 'participant') <> 'hidden')"
            " ORDER BY s.created_at, s.id",
            (view.contest_id, view.jury),
        )
        rows = cur.fetchall()
    return [
        {
            "id": row["external_id"] or str(row["id"]),
            "language_id": row["language"],
            "problem_id": row["problem_external"] or str(row["problem_id"]),
            "team_id": row["team_external"] or str(row["user_id"]),
            "time": abstime(row["created_at"]),
            "contest_time": view.contest_time(row["created_at"]),
            # our Java programs' class is Main; an imported submission's entry point is not kept
            "entry_point": "Main" if row["language"] == "java" and not row["imported"] else None,
            "files": [],
        }
        for row in rows
    ]


def judgements(core: Core, view: View) -> list[dict[str, Any]]:
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT r.id, r.external_id, r.verdict, r.judgement_type, r.is_current, r.created_at,"
            " r.started_at,"
            " r.max_time_ms, r.score, s.id AS submission_id, s.external_id AS submission_external"
            f" FROM submission_results r {_VISIBLE_RESULTS} ORDER BY r.created_at, r.id",
            {"contest": view.contest_id, "jury": view.jury, "hides_after": view.hides_after},
        )
        rows = cur.fetchall()
    found = []
    for row in rows:
        started = row["started_at"] or row["created_at"]
        judgement: dict[str, Any] = {
            "id": row["external_id"] or str(row["id"]),
            "submission_id": row["submission_external"] or str(row["submission_id"]),
            "judgement_type_id": row["judgement_type"] or row["verdict"],
            "current": row["is_current"],
            "start_time": abstime(started),
            "start_contest_time": view.contest_time(started),
            "end_time": abstime(row["created_at"]),
            "end_contest_time": view.contest_time(row["created_at"]),
            "max_run_time": row["max_time_ms"] / 1000,
        }
        if view.contest.scoring != "icpc":
            judgement["score"] = float(row["score"])
        found.append(judgement)
    return found


def runs(core: Core, view: View) -> list[dict[str, Any]]:
    """Each test case's run of the judgements the caller sees, in their order. A judge host
    records a judgement's runs with it, so a run's time is its judgement's end."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT t.ordinal, t.verdict, t.time_ms, r.id AS result_id, r.external_id, r.created_at"
            f" FROM test_results t JOIN submission_results r ON r.id = t.result_id {_VISIBLE_RESULTS}"
            " ORDER BY r.created_at, r.id, t.ordinal",
            {"contest": view.contest_id, "jury": view.jury, "hides_after": view.hides_after},
        )
        rows = cur.fetchall()
    found = []
    for row in rows:
        judgement_id = row["external_id"] or str(row["result_id"])
        found.append(
            {
                "id": f"{judgement_id}-{row['ordinal']}",
                "judgement_id": judgement_id,
                "ordinal": row["ordinal"],
                "judgement_type_id": row["verdict"],
                "time": abstime(row["created_at"]),
                "contest_time": view.contest_time(row["created_at"]),
                "run_time": row["time_ms"] / 1000,
            }
        )
    return found


# The judgements (submission_results r) a caller sees: no hidden team's for the public, and
# none of a submission made while the public board is frozen (parameters contest, jury, hides_after).
_VISIBLE_RESULTS = (
    " JOIN submissions s ON s.id = r.submission_id"
    " LEFT JOIN contest_participants p ON p.contest_id = s.contest_id AND p.user_id = s.user_id"
    " WHERE s.contest_id = %(contest)s AND (%(jury)s OR coalesce(p.category, 'participant') <> 'hidden')"
    " AND (%(hides_after)s::timestamptz IS NULL OR s.created_at < %(hides_after)s)"
)


def clarifications(core: Core, view: View) -> list[dict[str, Any]]:
    """The jury sees every clarification; the public those sent to everyone (the jury's
    answers to everyone, without the question they answer, and its announcements)."""
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT c.id, c.external_id, c.from_user_id, c.to_user_id, c.reply_to_id, c.problem_id, c.text,"
            " c.created_at, f.external_id AS from_external, t.external_id AS to_external,"
            " r.external_id AS reply_to_external, cp.external_id AS problem_external FROM clarifications c"
            " LEFT JOIN clarifications r ON r.id = c.reply_to_id"
            " LEFT JOIN contest_participants f ON f.contest_id = c.contest_id AND f.user_id = c.from_user_id"
            " LEFT JOIN contest_participants t ON t.contest_id = c.contest_id AND t.user_id = c.to_user_id"
            " LEFT JOIN contest_problems cp ON cp.contest_id = c.contest_id AND cp.problem_id = c.problem_id"
            " WHERE c.contest_id = %s AND (%s OR (c.from_user_id IS NULL AND c.to_user_id IS NULL))"
            " ORDER BY c.created_at, c.id",
            (view.contest_id, view.jury),
        )
        rows = cur.fetchall()
    return [_clarification(row, view) for row in rows]


def _clarification(row: dict[str, Any], view: View) -> dict[str, Any]:
    def team(user_id: int | None, external: str | None) -> str | None:
        return None if user_id is None else external or str(user_id)

    problem = (row["problem_external"] or str(row["problem_id"])) if row["problem_id"] is not None else None
    reply_to = row["reply_to_external"] or str(row["reply_to_id"])
    return {
        "id": row["external_id"] or str(row["id"]),
        "from_team_id": team(row["from_user_id"], row["from_external"]),
        "to_team_id": team(row["to_user_id"], row["to_external"]),
        "reply_to_id": reply_to if row["reply_to_id"] is not None and view.jury else None,
        "problem_id": problem if view.started or view.jury else None,
        "text": row["text"],
        "time": abstime(row["created_at"]),
        "contest_time": view.contest_time(row["created_at"]),
    }


def scoreboard(core: Core, view: View) -> dict[str, Any]:
    """The board as the caller may see it now (the public's frozen during the freeze), ranked
    by PostgreSQL from the event log: every row, every problem."""
    board = boards.page_at(core, view.contest_id, "jury" if view.jury else "public", view.now, 0, 10**7)
    with core.db.transaction() as cur:
        team_ids = {row["user_id"]: _team_id(row) for row in _participants(cur, view)}
        cur.execute(
            "SELECT label, coalesce(external_id, problem_id::text) AS id FROM contest_problems"
            " WHERE contest_id = %s ORDER BY label",
            (view.contest_id,),
        )
        problem_ids = {row["label"]: row["id"] for row in cur.fetchall()}
    rows = [_scoreboard_row(row, team_ids, problem_ids, view) for row in board["rows"]]
    return {
        "time": abstime(view.now),
        "contest_time": view.contest_time(view.now),
        "state": state(view),
        "rows": rows,
    }


def _scoreboard_row(
    row: dict[str, Any], team_ids: dict[int, str], problem_ids: dict[str, str], view: View
) -> dict[str, Any]:
    cells = []
    last_solve = 0
    for label, problem_id in problem_ids.items():
        cell = row["problems"].get(label) or {}
        entry: dict[str, Any] = {
            "problem_id": problem_id,
            "num_judged": cell.get("attempts", 0),
            "num_pending": cell.get("pending", 0),
            "solved": bool(cell.get("solved")),
        }
        if entry["solved"]:
            entry["time"] = reltime(timedelta(minutes=cell["time_minutes"]))
            last_solve = max(last_solve, cell["time_minutes"])
        if view.contest.scoring != "icpc":
            entry["score"] = cell.get("score", 0)
        cells.append(entry)
    score: dict[str, Any] = {
        "num_solved": row["solved"],
        "total_time": reltime(timedelta(minutes=row["penalty"])),
    }
    if view.contest.scoring != "icpc":
        score = {"score": row["score"]}
    score["time"] = reltime(timedelta(minutes=last_solve)) if any(c["solved"] for c in cells) else None
    return {
        "rank": row["rank"],
        "team_id": team_ids.get(row["user_id"], str(row["user_id"])),
        "score": score,
        "problems": cells,
    }


def awards(core: Core, view: View) -> list[dict[str, Any]]:
    """The awards on the caller's board (codearena.clics.awards): the winner, the medals the
    contest gives, the first to solve each problem, each organization's and each group's
    winner if given."""
    c = view.contest
    rules = award_rules.Rules(
        c.gold_medals, c.silver_medals, c.bronze_medals, c.organization_winners, c.group_winners
    )
    rows = scoreboard(core, view)["rows"]
    found = [award_rules.winner(rows), *award_rules.medals(rows, rules)]
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT cp.label, coalesce(cp.external_id, cp.problem_id::text) AS id FROM contest_problems cp"
            " WHERE cp.contest_id = %s ORDER BY cp.label",
            (view.contest_id,),
        )
        problems = cur.fetchall()
    firsts = _first_solvers(core, view)
    found += [award_rules.first_to_solve(p["id"], p["label"], firsts.get(p["label"])) for p in problems]
    if rules.organization_winners:
        organization_of = {t["id"]: t["organization_id"] for t in teams(core, view) if "organization_id" in t}
        names = {o["id"]: o["name"] for o in organizations(core, view)}
        found += award_rules.organization_winners(rows, organization_of, names)
    if rules.group_winners:
        groups_of = {t["id"]: t["group_ids"] for t in teams(core, view)}
        found += award_rules.group_winners(rows, groups_of, {g["id"]: g["name"] for g in groups(core, view)})
    return found


def _first_solvers(core: Core, view: View) -> dict[str, str]:
    """Problem label → the team that solved it first within the contest time, among the
    teams the board ranks, counting only what the caller's board shows; none while a
    submission made earlier on that problem awaits its judgement."""
    cutoff = view.contest.end_at
    if (hides_after := view.hides_after) is not None:
        cutoff = min(cutoff, hides_after)
    ranked = (
        " FROM submissions s"
        " JOIN contest_problems cp ON cp.contest_id = s.contest_id AND cp.problem_id = s.problem_id"
        " LEFT JOIN contest_participants p ON p.contest_id = s.contest_id AND p.user_id = s.user_id"
        " WHERE s.contest_id = %(contest)s AND s.created_at >= %(start)s AND s.created_at < %(cutoff)s"
        " AND coalesce(p.category, 'participant') = 'participant'"
    )
    with core.db.transaction() as cur:
        cur.execute(
            "SELECT * FROM (SELECT DISTINCT ON (cp.label) cp.label, s.created_at, s.user_id, p.external_id"
            f" {ranked} AND EXISTS (SELECT 1 FROM submission_results r WHERE r.submission_id = s.id"
            " AND r.is_current AND r.verdict = 'AC') ORDER BY cp.label, s.created_at, s.id) AS first"
            f" WHERE NOT EXISTS (SELECT 1 {ranked} AND cp.label = first.label"
            " AND s.created_at < first.created_at AND NOT EXISTS (SELECT 1 FROM submission_results r"
            " WHERE r.submission_id = s.id AND r.is_current))",
            {"contest": view.contest_id, "start": view.contest.start_at, "cutoff": min(cutoff, view.now)},
        )
        return {row["label"]: row["external_id"] or str(row["user_id"]) for row in cur.fetchall()}


def _participants(cur: Cursor, view: View) -> list[dict[str, Any]]:
    """The contest's teams the caller may see: its registered participants and anyone else
    with a submission (an open contest needs no registration)."""
    cur.execute(
        "SELECT u.id AS user_id, u.username, p.display_name, p.external_id, coalesce(p.category,"
        " 'participant')"
        " AS category, p.organization_id, coalesce(o.external_id, o.id::text) AS organization,"
        " ARRAY(SELECT m.group_id FROM participant_groups m WHERE m.contest_id = %(contest)s"
        " AND m.user_id = u.id ORDER BY m.group_id) AS group_ids,"
        " least(p.approved_at, (SELECT min(created_at) FROM submissions s"
        " WHERE s.contest_id = %(contest)s AND s.user_id = u.id)) AS since"
        " FROM users u LEFT JOIN contest_participants p ON p.user_id = u.id AND p.contest_id = %(contest)s"
        " LEFT JOIN organizations o ON o.id = p.organization_id"
        " WHERE u.id IN (SELECT user_id FROM contest_participants WHERE contest_id = %(contest)s AND status"
        " = 'approved'"
        " UNION SELECT user_id FROM submissions WHERE contest_id = %(contest)s)"
        " AND (%(jury)s OR coalesce(p.category, 'participant') <> 'hidden') ORDER BY u.id",
        {"contest": view.contest_id, "jury": view.jury},
    )
    return list(cur.fetchall())


def _team_id(row: dict[str, Any]) -> str:
    return str(row["external_id"] or row["user_id"])


def find(items: list[dict[str, Any]], object_id: str, kind: str) -> dict[str, Any]:
    """The object of `items` with id `object_id`; NotFound otherwise."""
    for item in items:
        if item["id"] == object_id:
            return item
    raise NotFound(f"no {kind} {object_id}", f"{kind.replace(' ', '_')}_not_found")
