"""The JSON Schemas of /openapi.json (OpenAPI 3.0): request bodies with the limits the core's
validators enforce (layers/codearena/validation.py and the modules calling it), and the
answers whose shape is fixed. A limit changed there is changed here; the fuzz test
(tests/e2e/test_openapi_fuzz.py) finds the two disagreeing."""

from __future__ import annotations

from typing import Any

from codearena.config import MAX_SOURCE_BYTES
from codearena.invocations import MAX_INPUT_BYTES as INVOCATION_INPUT_BYTES
from codearena.invocations import InvocationStatus, Outcome
from codearena.languages import LANGUAGES
from codearena.models import ContestState, Role, ScoringType, SubmissionStatus, Verdict
from codearena.verifications import VerificationStatus

Schema = dict[str, Any]

ID_MAX = 10**18 - 1  # ids are at most 18 digits (validation.is_id): a PostgreSQL bigint


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """`schema` or null (OpenAPI 3.0 ignores siblings of a $ref, hence the allOf)."""
    return {"nullable": True, "allOf": [schema]} if "$ref" in schema else {**schema, "nullable": True}


def integer(low: int, high: int, **extra: Any) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high, **extra}


def string(min_len: int = 0, max_len: int | None = None, **extra: Any) -> Schema:
    limits = {"minLength": min_len} | ({"maxLength": max_len} if max_len is not None else {})
    return {"type": "string", **limits, **extra}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None, **extra: Any) -> Schema:
    """An object with `required` and `optional` properties; others are allowed and ignored."""
    schema: Schema = {"type": "object", "properties": {**required, **(optional or {})}, **extra}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema, min_items: int = 0, max_items: int | None = None) -> Schema:
    limits = {"minItems": min_items} | ({"maxItems": max_items} if max_items is not None else {})
    return {"type": "array", "items": items, **limits}


ID = integer(1, ID_MAX)
TIME = string(format="date-time", description="ISO 8601 with a zone, years 1970 to 9998")
ROLES = [role.value for role in Role]
VERDICTS = [verdict.value for verdict in Verdict]
CHECKER = string(
    1,
    100,
    pattern=r"^(?:exact|tokens|float(?::(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?){0,2})"
    r"(?:,nocase)?(?:,spaces)?$",
    description="tokens (default), exact, float, float:TOL or float:ABS:REL (finite, not negative),"
    " then optionally ,nocase (letters in any case) and ,spaces (whitespace must match exactly)",
)

# --- request bodies -------------------------------------------------------------------------
REGISTER = obj(
    {
        "username": string(3, 32, pattern=r"^[A-Za-z0-9_.-]{3,32}$"),
        "password": string(8, 128),
    },
    example={"username": "carol", "password": "carol-password"},
)
LOGIN = obj(
    {"username": string(1, 64), "password": string(1, 128)},
    example={"username": "carol", "password": "carol-password"},
)
SUBMISSION = obj(
    {
        "problem_id": integer(1, 2**62),
        "language": enum(LANGUAGES),
        "source": string(
            1,
            MAX_SOURCE_BYTES,
            pattern=r"\S",
            description=f"at most {MAX_SOURCE_BYTES // 1024} KiB of UTF-8, not blank",
        ),
    },
    example={"problem_id": 1, "language": "python", "source": "print(sum(map(int, input().split())))\n"},
)
INVOCATION_REQUEST = obj(
    {
        "language": SUBMISSION["properties"]["language"],
        "source": SUBMISSION["properties"]["source"],
    },
    {
        "input": string(
            0,
            INVOCATION_INPUT_BYTES,
            description=f"stdin: at most {INVOCATION_INPUT_BYTES // 1024} KiB of UTF-8",
        )
    },
    example={"language": "python", "source": "print(sum(map(int, input().split())))\n", "input": "1 2\n"},
)
_CONTEST_FIELDS: dict[str, Schema] = {
    "title": string(1, 200),
    "start_at": TIME,
    "end_at": {**TIME, "description": "after start_at"},
    "freeze_at": nullable({**TIME, "description": "between start_at and end_at; null: no freeze"}),
    "scoring": {**enum([s.value for s in ScoringType]), "default": "icpc"},
    "penalty_minutes": integer(0, 1000, default=20),
    "practice": {"type": "boolean", "default": False},
    "registration": {
        **enum(["open", "invite", "approval"]),
        "default": "open",
        "description": "open: anyone submits; invite: invited users; approval: users an organizer approved",
    },
    **{
        f"{medal}_medals": integer(0, 1000, default=0, description=f"{medal} medals for the top of the board")
        for medal in ("gold", "silver", "bronze")
    },
    "organization_winners": {
        "type": "boolean",
        "default": False,
        "description": "award the best team of each organization",
    },
    "group_winners": {
        "type": "boolean",
        "default": False,
        "description": "award the best team of each of the contest's team groups (an imported package's)",
    },
    "penalty_verdicts": {
        **array(enum(["WA", "TLE", "MLE", "RTE", "OLE", "CE"])),
        "default": ["WA", "TLE", "MLE", "RTE", "OLE"],
        "description": "the verdicts whose rejected attempts cost penalty_minutes",
    },
    "visibility": {
        **enum(["public", "hidden"]),
        "default": "public",
        "description": "hidden: only the jury lists or opens the contest",
    },
}
_REQUIRED_CONTEST_FIELDS = ("title", "start_at", "end_at")
NEW_CONTEST = obj(
    {name: _CONTEST_FIELDS[name] for name in _REQUIRED_CONTEST_FIELDS},
    {name: schema for name, schema in _CONTEST_FIELDS.items() if name not in _REQUIRED_CONTEST_FIELDS},
    example={
        "title": "Spring Cup",
        "start_at": "2026-04-01T10:00:00Z",
        "end_at": "2026-04-01T15:00:00Z",
        "freeze_at": "2026-04-01T14:00:00Z",
        "scoring": "icpc",
        "penalty_minutes": 20,
        "practice": False,
    },
)
CONTEST_CHANGE = obj({}, _CONTEST_FIELDS, example={"title": "Spring Cup (final)"})
_TEST = obj(
    {"input": string(0, 16 << 20), "answer": string(0, 16 << 20)},
    {
        "group": nullable(string(1, 64, default="main", description="the subtask it scores in")),
        "points": integer(0, 100_000, default=0),
        "sample": {"type": "boolean", "default": False},
    },
)
NEW_PROBLEM = obj(
    {
        "title": string(1, 200),
        "time_limit_ms": integer(100, 60_000),
        "memory_limit_kb": integer(16_384, 4_194_304),
        "tests": array(_TEST, 1, 500),
    },
    {
        "statement": nullable(string(0, 200_000, default="")),
        "points": integer(0, 100_000, default=100),
        "checker": {**CHECKER, "default": "tokens"},
    },
    example={
        "title": "A+B",
        "statement": "Print a + b.",
        "time_limit_ms": 2000,
        "memory_limit_kb": 262144,
        "tests": [
            {"input": "1 2\n", "answer": "3\n", "sample": True},
            {"input": "5 7\n", "answer": "12\n"},
        ],
    },
)
PROBLEM_CHANGE = obj(
    {},
    {
        **{name: schema for name, schema in NEW_PROBLEM["properties"].items() if name != "tests"},
        "tests": {**array(_TEST, 1, 500), "description": "replaces every test"},
        "rejudge": {
            "type": "boolean",
            "default": False,
            "description": "judge the problem's submissions again after the change",
        },
    },
    example={"time_limit_ms": 3000, "rejudge": True},
)
_VERIFICATION_STATUSES = [status.value for status in VerificationStatus]
VERIFICATION_QUEUED = obj(
    {
        "status": enum([*_VERIFICATION_STATUSES, "not_queued"]),
        "url": string(1, description="GET it for the report (not_queued: POST /admin/problems/{pid}/verify)"),
        "files": integer(0, 2**31),
    },
    description="the bundled submissions queued for a judge host, to be judged as verifyproblem does",
)
VERIFICATION = obj(
    {
        "problem_id": ID,
        "status": enum(_VERIFICATION_STATUSES),
        "url": string(1),
        "queued_at": TIME,
        "started_at": nullable(TIME),
        "finished_at": nullable(TIME),
        "host": nullable(string(1)),
        "derives_time_limit": {"type": "boolean"},
        "time_limit_ms": nullable(integer(1, 2**31)),
        "derived_time_limit_ms": nullable(integer(1, 2**31)),
        "error": nullable(string(1)),
        "files": array(
            obj(
                {
                    "path": string(1),
                    "expected": array(enum(VERDICTS), 0),
                    "got": nullable(enum(VERDICTS)),
                    "time_ms": nullable(integer(0, 2**31)),
                    "note": string(0),
                    "as_expected": {"type": "boolean", "nullable": True},
                }
            )
        ),
        "counts": obj(
            {
                name: integer(0, 2**31)
                for name in ("files", "judged", "as_expected", "mismatches", "not_checked")
            }
        ),
        "mismatches": array(string(1)),
    },
    description="per bundled submission the verdicts expected and the one got (null: not judged yet,"
    " or not at all: `note` says why); `as_expected` null when nothing was expected or not judged",
)
IMPORTED_PROBLEM = obj(
    {
        "id": ID,
        "title": string(1, 200),
        "time_limit_ms": integer(100, 60_000),
        "memory_limit_kb": integer(16_384, 4_194_304),
        "output_limit_kb": integer(1, 1_048_576),
        "checker": string(1, 100),
        "points": integer(0, 100_000_000),
        "tests": integer(1, 5000),
        "submissions": array(obj({"path": string(1), "expected": array(enum(VERDICTS), 0)}), 0),
        "verification": VERIFICATION_QUEUED,
    }
)
PROBLEM_UPLOAD = obj(
    {
        "key": string(1, 100, description="the upload's key: give it to POST /admin/problems/uploads/import"),
        "url": string(1, description="PUT the zip here (presigned, S3)"),
        "method": enum(["PUT"]),
        "headers": obj({"Content-Type": enum(["application/zip"])}),
        "expires_at": TIME,
        "max_bytes": integer(1, 2**40),
    }
)
UPLOADED_PROBLEM = obj(
    {"key": string(1, 100)}, example={"key": "problem-uploads/0123456789abcdef0123456789abcdef.zip"}
)
IMPORTED_UPLOAD = obj({**IMPORTED_PROBLEM["properties"], "upload_key": string(1, 100)})
ATTACHMENT = obj(
    {"problem_id": integer(1, 2**62), "label": string(1, 2, pattern="^[A-Z][0-9]?$")},
    example={"problem_id": 2, "label": "B"},
)
CLOCK = obj(
    {"action": enum(["start_now", "end_now", "extend"])},
    {"minutes": integer(1, 7 * 24 * 60, description="required to extend: the minutes added to the end")},
    example={"action": "extend", "minutes": 15},
)
ROLE = obj({"role": enum(ROLES)}, example={"role": "jury"})
LOGOUT = obj({}, {"everywhere": {"type": "boolean", "default": False}}, example={"everywhere": False})
PASSWORD_CHANGE = obj(
    {"current_password": string(1, 128), "new_password": string(8, 128)},
    example={"current_password": "pat-password", "new_password": "violet-harbour-lamp"},
)
BAN = obj({}, {"reason": nullable(string(0, 500))}, example={"reason": "shared solutions during the contest"})
_EXTERNAL_ID = string(1, 36, pattern=r"^[A-Za-z0-9_.-]{1,36}$")
_ROSTER_FIELDS: dict[str, Schema] = {
    "display_name": nullable(string(1, 200, description="the team's name on the boards")),
    "organization_id": nullable(integer(1, 2**62)),
    "category": {
        **enum(["participant", "observer", "hidden"]),
        "description": "participant: ranked; observer: on the jury board only; hidden: on no board",
    },
    "external_id": nullable(_EXTERNAL_ID),
    "members": array(string(1, 200), 0, 20),
}
PARTICIPANT_STATUS = obj(
    {},
    {
        "status": {
            **enum(["invited", "approved", "rejected"]),
            "description": "required for a user not on the roster yet",
        },
        **_ROSTER_FIELDS,
    },
    example={"status": "approved", "display_name": "Null Pointers", "members": ["Ann", "Bob", "Cy"]},
)
NEW_ORGANIZATION = obj(
    {"name": string(1, 200)},
    {
        "formal_name": nullable(string(1, 300)),
        "country": nullable(string(3, 3, pattern="^[A-Z]{3}$")),
        "external_id": nullable(_EXTERNAL_ID),
    },
    example={"name": "KTH", "formal_name": "KTH Royal Institute of Technology", "country": "SWE"},
)

# --- answers --------------------------------------------------------------------------------
ERROR = obj({"error": obj({"code": string(1), "message": string(1)})})
USER = obj({"id": ID, "username": string(1), "role": enum(ROLES)})
REGISTERED = obj({"id": ID, "username": string(1)})
TOKEN = obj({"token": string(1), "expires_at": TIME, "user": ref("User")})
LANGUAGE_LIST = obj(
    {
        "languages": array(enum(LANGUAGES)),
        "catalog": {
            **array(
                obj(
                    {
                        "name": enum(LANGUAGES),
                        "title": string(1),
                        "extensions": array(string(1)),
                        "time_factor": {
                            "type": "number",
                            "minimum": 1,
                            "description": "what a problem's time limits are multiplied by for a run",
                        },
                    }
                )
            ),
            "description": "every language a submission may name, offered now or not",
        },
        "max_source_bytes": integer(1, 2**31, description="the largest source accepted, in UTF-8 bytes"),
    }
)
CONTEST = obj(
    {
        "id": ID,
        "title": string(1),
        "start_at": TIME,
        "end_at": TIME,
        "freeze_at": nullable(TIME),
        "unfrozen_at": nullable(TIME),
        "scoring": enum([s.value for s in ScoringType]),
        "penalty_minutes": integer(0, 1000),
        "practice": {"type": "boolean"},
        "registration": enum(["open", "invite", "approval"]),
        "gold_medals": integer(0, 1000),
        "silver_medals": integer(0, 1000),
        "bronze_medals": integer(0, 1000),
        "organization_winners": {"type": "boolean"},
        "group_winners": {"type": "boolean"},
        "penalty_verdicts": array(enum(["WA", "TLE", "MLE", "RTE", "OLE", "CE"])),
        "visibility": enum(["public", "hidden"]),
        "state": enum([s.value for s in ContestState]),
    }
)
CONTEST_LIST = obj({"contests": array(ref("Contest"))})
CONTEST_WITH_LABELS = {
    "allOf": [ref("Contest"), obj({"problems": array(obj({"id": ID, "label": string(1)}))})]
}
_PROBLEM_FIELDS: dict[str, Schema] = {
    "id": ID,
    "label": string(1),
    "title": string(1),
    "time_limit_ms": {"type": "integer"},
    "memory_limit_kb": {"type": "integer"},
    "points": {"type": "integer"},
}
PROBLEM_LIST = obj({"problems": array(obj(_PROBLEM_FIELDS))})
PROBLEM = obj(
    {**_PROBLEM_FIELDS, "statement": string(), "samples": array(obj({"input": string(), "answer": string()}))}
)
NEW_PROBLEM_ANSWER = obj(
    {
        "id": ID,
        "title": string(1),
        "statement": string(),
        "time_limit_ms": {"type": "integer"},
        "memory_limit_kb": {"type": "integer"},
        "points": {"type": "integer"},
        "checker": string(1),
        "tests": integer(1, 500, description="how many tests were stored"),
    }
)
ATTACHED = obj({"contest_id": ID, "problem_id": ID, "label": string(1)})
_CELL = obj(
    {
        "attempts": integer(0, 2**62),
        "pending": integer(0, 2**62),
        "solved": {"type": "boolean"},
        "time_minutes": nullable({"type": "integer"}),
        "score": {"type": "number"},
    }
)
BOARD_ROW = obj(
    {
        "rank": integer(1, 2**62),
        "user_id": ID,
        "username": string(1),
        "display_name": string(1, description="the team's name on the roster, else the username"),
        "category": enum(["participant", "observer"]),
        "solved": integer(0, 2**62),
        "score": {"type": "number"},
        "penalty": {"type": "integer", "description": "minutes (icpc)"},
        "problems": {"type": "object", "additionalProperties": _CELL, "description": "label → cell"},
    }
)
BOARD = obj(
    {
        "contest_id": ID,
        "frozen": {"type": "boolean"},
        "version": integer(0, 2**62),
        "total": integer(0, 2**62),
        "offset": integer(0, 10**7),
        "rows": array(ref("BoardRow")),
        "first_solves": {
            "type": "object",
            "additionalProperties": ID,
            "description": "problem label → user id of its first solver",
        },
    },
    {
        "live_version": {"type": "integer", "description": "the `leaderboard` event sequence on the topic"},
        "me": nullable(ref("BoardRow")),
        "at": TIME,
    },
)
QUEUED = obj(
    {"id": ID, "status": enum([SubmissionStatus.QUEUED.value])},
    {"replayed": {"type": "boolean", "description": "true: the answer to an earlier Idempotency-Key"}},
)
_SUBMISSION_FIELDS: dict[str, Schema] = {
    "id": ID,
    "problem_id": ID,
    "label": string(1),
    "language": enum(LANGUAGES),
    "created_at": TIME,
    "status": enum([s.value for s in SubmissionStatus]),
    "verdict": nullable(enum(VERDICTS)),
    "score": nullable({"type": "number"}),
}
SUBMISSION_LIST = obj({"submissions": array(obj(_SUBMISSION_FIELDS))})
_TEST_RESULT = obj(
    {
        "index": integer(1, 500),
        "verdict": enum(VERDICTS),
        "time_ms": integer(0, 2**31),
        "memory_kb": integer(0, 2**31),
    },
    {"transcript": string()},  # an interactive test's pipes, shown to the jury only
)
SUBMISSION_DETAIL = obj(
    {
        **_SUBMISSION_FIELDS,
        "contest_id": ID,
        "user_id": ID,
        "source": string(1),
        "tests": array(_TEST_RESULT),
    },
    {"compile_output": nullable(string())},
)
LOGGED_OUT = obj({"logged_out": enum(["this token", "everywhere"])})
_ACCOUNT = {"id": ID, "username": string(1), "role": enum(ROLES)}
USER_LIST = obj({"users": array(obj({**_ACCOUNT, "banned": {"type": "boolean"}}), 0, 50)})
BANNED = obj({**_ACCOUNT, "banned": {"type": "boolean"}, "ban_reason": string(0, 500)})
REVOKED = obj({**_ACCOUNT, "tokens_revoked": {"type": "boolean"}})
_REGISTRATION_MODE = enum(["open", "invite", "approval"])
REGISTRATION = obj(
    {
        "contest_id": ID,
        "user_id": ID,
        "registration": _REGISTRATION_MODE,
        "status": enum(["none", "invited", "pending", "approved", "rejected"]),
    }
)
PARTICIPANTS = obj(
    {
        "contest_id": ID,
        "registration": _REGISTRATION_MODE,
        "participants": array(
            obj(
                {
                    "user_id": ID,
                    "username": string(1),
                    "status": enum(["invited", "pending", "approved", "rejected"]),
                    "updated_at": TIME,
                    **_ROSTER_FIELDS,
                }
            )
        ),
    }
)
PARTICIPANT = obj({**REGISTRATION["properties"], **_ROSTER_FIELDS})
ORGANIZATION = obj(
    {
        "id": ID,
        "name": string(1, 200),
        "formal_name": nullable(string(1, 300)),
        "country": nullable(string(3, 3)),
        "external_id": nullable(_EXTERNAL_ID),
    }
)
ORGANIZATION_LIST = obj({"organizations": array(ORGANIZATION)})
PROBLEM_CHANGED = obj(
    {
        "id": ID,
        "changed": array(string(1)),
        "rejudge_would_touch": integer(0, 2**62, description="submissions a rejudge would judge again"),
        "rejudged": integer(0, 2**62, description="submissions queued again (rejudge: true)"),
    }
)
ADMIN_PROBLEM_LIST = obj(
    {
        "problems": array(
            obj(
                {
                    "id": ID,
                    "title": string(1),
                    "time_limit_ms": integer(100, 60_000),
                    "memory_limit_kb": integer(16_384, 4_194_304),
                    "output_limit_kb": integer(1, 1_048_576),
                    "points": integer(0, 100_000_000),
                    "checker": string(1),
                    "tests": integer(0, 2**31),
                    "submissions": integer(0, 2**62),
                    "contests": array(obj({"contest_id": ID, "label": string(1)})),
                }
            )
        )
    }
)
DELETED = obj({"id": ID, "deleted": {"type": "boolean"}})
DETACHED = obj({"contest_id": ID, "problem_id": ID, "label": string(1), "detached": {"type": "boolean"}})
UNFROZEN = obj({"contest_id": ID, "state": enum([s.value for s in ContestState]), "rows": integer(0, 2**62)})
_OUTPUT = string(description="its first 16 KiB (UTF-8, invalid bytes replaced)")
INVOCATION = obj(
    {
        "id": string(16, 16, pattern=r"^[0-9a-f]{16}$"),
        "contest_id": ID,
        "user_id": ID,
        "problem_id": ID,
        "label": string(1),
        "language": enum(LANGUAGES),
        "time_limit_ms": integer(1, 2**31),
        "memory_limit_kb": integer(1, 2**31),
        "output_limit_kb": integer(1, 2**31),
        "input_bytes": integer(0, 2**31),
        "status": enum([status.value for status in InvocationStatus]),
        "created_at": TIME,
    },
    {
        "outcome": enum([outcome.value for outcome in Outcome]),
        "time_ms": nullable(integer(0, 2**31)),
        "wall_time_ms": nullable(integer(0, 2**31)),
        "memory_kb": nullable(integer(0, 2**31)),
        "exit_code": nullable(integer(0, 255)),
        "signal": nullable(integer(1, 128)),
        **{name: _OUTPUT for name in ("stdout", "stderr", "compile_output")},
        **{f"{name}_truncated": {"type": "boolean"} for name in ("stdout", "stderr", "compile_output")},
    },
    description="status done: the outcome (OK, TLE, MLE, RTE, OLE; CE with compile_output; JE when"
    " the judge host failed), CPU time, peak memory and the output of one run; never a verdict",
)
REJUDGED = obj({"id": ID, "judgement": integer(1, 2**31), "status": enum([SubmissionStatus.QUEUED.value])})
REJUDGED_PROBLEM = obj({"contest_id": ID, "problem_id": ID, "submissions": integer(0, 2**62)})
QUESTION = obj(
    {"text": string(1, 2000)},
    {"problem_id": nullable(integer(1, 2**62))},
    example={"text": "May the input end without a newline?", "problem_id": 1},
)
JURY_CLARIFICATION = obj(
    {"text": string(1, 2000)},
    {
        "reply_to_id": nullable(integer(1, 2**62)),
        "to": enum(["asker", "everyone"]),
        "problem_id": nullable(integer(1, 2**62)),
    },
    example={"text": "The contest is extended by 10 minutes.", "to": "everyone"},
)
CLARIFICATION = obj(
    {
        "id": ID,
        "contest_id": ID,
        "from_user_id": nullable(ID),
        "from_username": nullable(string(1)),
        "to_user_id": nullable(ID),
        "to_username": nullable(string(1)),
        "reply_to_id": nullable(ID),
        "problem_id": nullable(ID),
        "label": nullable(string(1)),
        "text": string(1, 2000),
        "created_at": TIME,
    },
    description="from_user_id null: the jury wrote it; to_user_id null: to everyone (a question: the jury)",
)
CLARIFICATION_LIST = obj({"contest_id": ID, "clarifications": array(CLARIFICATION)})
_PAGE = {"total": integer(0, 2**62), "offset": integer(0, 10**7), "limit": integer(1, 500)}
_JURY_LISTED = {
    **{k: _SUBMISSION_FIELDS[k] for k in ("id", "problem_id", "label", "language", "created_at", "status")},
    "user_id": ID,
    "username": string(1),
    "verdict": nullable(enum(VERDICTS)),
    "score": nullable({"type": "number"}),
    "max_time_ms": nullable(integer(0, 2**31)),
    "max_memory_kb": nullable(integer(0, 2**31)),
    "judge_host": nullable(string()),
}
JURY_SUBMISSIONS = obj({"contest_id": ID, **_PAGE, "submissions": array(obj(_JURY_LISTED))})
_JURY_TEST = obj(
    {
        "index": integer(1, 10**6),
        "verdict": enum(VERDICTS),
        "time_ms": integer(0, 2**31),
        "memory_kb": integer(0, 2**31),
        "transcript": string(),
        "test_group": string(1),
        "is_sample": {"type": "boolean"},
        "name": string(),
        "input": string(description="its first 4 KiB"),
        "input_truncated": {"type": "boolean"},
        "answer": string(description="its first 4 KiB"),
        "answer_truncated": {"type": "boolean"},
        "output": nullable(string(description="the first 4 KiB of the program's stdout; null: not kept")),
        "output_truncated": {"type": "boolean"},
        "diff": {
            **nullable(array(obj({"kind": enum(["hunk", "same", "answer", "output"]), "text": string()}))),
            "description": "a line diff of the output against the answer; [] when their lines are equal",
        },
        "diff_truncated": {"type": "boolean", "description": "the output or the answer was cut at 4 KiB"},
    }
)
_JUDGING = obj(
    {
        "judgement": integer(1, 2**31),
        "verdict": enum(VERDICTS),
        "score": {"type": "number"},
        "max_time_ms": integer(0, 2**31),
        "max_memory_kb": integer(0, 2**31),
        "judge_host": string(),
        "is_current": {"type": "boolean"},
        "created_at": TIME,
    }
)
JURY_SUBMISSION = obj(
    {
        "id": ID,
        "contest_id": ID,
        "problem_id": ID,
        "label": string(1),
        "user_id": ID,
        "username": string(1),
        "language": string(1),
        "source": string(),
        "created_at": TIME,
        "status": enum([s.value for s in SubmissionStatus]),
        "last_error": string(),
        "verdict": nullable(enum(VERDICTS)),
        "compile_output": nullable(string()),
        "judgings": array(_JUDGING),
        "tests": array(_JURY_TEST),
        "output_stored": {"type": "boolean"},
        "output_note": string(1),
    }
)
_COUNT = integer(0, 2**62)
JUDGING = obj(
    {
        "hosts": array(
            obj(
                {
                    "name": string(1),
                    "boxes": _COUNT,
                    "busy": _COUNT,
                    "judged": _COUNT,
                    "draining": {"type": "boolean"},
                    "beat_seconds_ago": nullable({"type": "number"}),
                    "up_seconds": nullable({"type": "number"}),
                }
            )
        ),
        "queue": obj(
            {
                "waiting": _COUNT,
                "in_flight": _COUNT,
                "depth": _COUNT,
                "oldest_age_seconds": {"type": "number"},
            }
        ),
        "unjudged": obj({"queued": _COUNT, "judging": _COUNT}),
    }
)
_AUDIT_ENTRY = obj(
    {
        "id": ID,
        "user_id": nullable(ID),
        "username": string(1),
        "role": enum(ROLES),
        "method": string(1),
        "route": string(1),
        "ids": {"type": "object", "additionalProperties": {"type": "string"}},
        "contest_id": nullable(ID),
        "created_at": TIME,
    }
)
AUDIT_LOG = obj({"contest_id": ID, **_PAGE, "entries": array(_AUDIT_ENTRY)})
FULL_AUDIT_LOG = obj({**_PAGE, "entries": array(_AUDIT_ENTRY)})
SIMILAR_SIDE = obj({"submission_id": ID, "user_id": ID, "username": string(1), "language": string(1)})
MATCHED_LINES = obj({"first_line": integer(1, 2**31), "last_line": integer(1, 2**31), "text": string()})
SIMILAR_PAIR = obj(
    {
        "similarity": {"type": "number", "minimum": 0, "maximum": 1},
        "a": SIMILAR_SIDE,
        "b": SIMILAR_SIDE,
        "fragments": array(obj({"a": MATCHED_LINES, "b": MATCHED_LINES})),
    },
    description="similarity: the share of the smaller program's fingerprints found in the other",
)
SIMILARITY_REPORT = obj(
    {
        "contest_id": ID,
        "problems": array(
            obj({"label": string(1), "submissions": integer(0, 2**31), "pairs": array(SIMILAR_PAIR)})
        ),
    }
)
OPENAPI = obj({"openapi": string(1), "info": {"type": "object"}, "paths": {"type": "object"}})

# Named in components.schemas (and referenced by name from the route table).
COMPONENTS: dict[str, Schema] = {
    "Error": ERROR,
    "User": USER,
    "Contest": CONTEST,
    "BoardRow": BOARD_ROW,
}
