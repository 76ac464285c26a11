"""`codearena`: argument parsing and dispatch. Parts are imported lazily by each command."""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable

from codearena.config import ConfigError

Handler = Callable[[argparse.Namespace], int]
STACK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,127}")  # CloudFormation's rule


def _parser() -> argparse.ArgumentParser:
    from codearena.delivery import DEFAULT_CONCURRENCY
    from codearena_cli import commands as c

    parser = argparse.ArgumentParser(prog="codearena", description="CodeArena command line")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(
        name: str,
        handler: Handler,
        help_text: str,
        parent: argparse._SubParsersAction[argparse.ArgumentParser] = sub,
    ) -> argparse.ArgumentParser:
        command = parent.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    add("doctor", c.doctor, "check the tools CodeArena needs on this machine")

    up = add("up", c.up, "run the local gateway and one judge host until Ctrl-C")
    demo = add("demo", c.demo, "migrate, seed the demo contest, then run `up`")
    for stack in (up, demo):
        stack.add_argument("--host", default="127.0.0.1")
        stack.add_argument("--port", type=int, default=8000)
        stack.add_argument(
            "--instance", type=int, default=0, help="the judge host's instance (see `judge --instance`)"
        )

    gateway = add("gateway", c.gateway, "serve the HTTP API and web/ (no judge host)")
    gateway.add_argument("--host", default="127.0.0.1")
    gateway.add_argument("--port", type=int, default=8000)

    judge = add("judge", c.judge, "run a judge host")
    judge.add_argument("--once", action="store_true", help="exit when the queue is empty")
    judge.add_argument("--boxes", type=int, default=None, help="sandbox boxes (default: CPUs)")
    judge.add_argument(
        "--instance",
        type=int,
        default=0,
        help="number of this judge host on the machine (0-13): its own sandbox root, uids, cgroup",
    )
    judge.add_argument(
        "--invocation-workers",
        type=int,
        choices=range(0, 9),
        default=1,
        metavar="N",
        help="workers (each with a box of its own) running contestants' custom invocations (0-8, default 1)",
    )
    judge.add_argument(
        "--verification-workers",
        type=int,
        choices=range(0, 5),
        default=1,
        metavar="N",
        help="workers (two boxes each) judging HTTP-imported packages' submissions (0-4, default 1)",
    )
    judge.add_argument("--lease-seconds", type=int, default=60, help="job lease, renewed while judging")
    judge.add_argument(
        "--sweep-seconds", type=float, default=30.0, help="how often to re-enqueue jobs Redis lost"
    )

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    add("migrate", c.migrate, "apply the schema and pending migrations", db)

    user = sub.add_parser("user", help="user commands").add_subparsers(dest="user_command", required=True)
    create = add("create", c.create_user, "create a user", user)
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", choices=("admin", "jury", "contestant"), default="contestant")
    ban = add("ban", c.ban_user, "ban an account: its tokens end and it cannot log in", user)
    ban.add_argument("--username", required=True)
    ban.add_argument("--reason", default="")
    unban = add("unban", c.unban_user, "lift a ban", user)
    unban.add_argument("--username", required=True)
    revoke = add("revoke-tokens", c.revoke_tokens, "end every token of an account (a leaked token)", user)
    revoke.add_argument("--username", required=True)

    _add_problem_commands(sub, add)

    board = sub.add_parser("leaderboard", help="leaderboard commands").add_subparsers(
        dest="board_command", required=True
    )
    rebuild = add("rebuild", c.rebuild, "rebuild a contest's Redis boards from PostgreSQL", board)
    rebuild.add_argument("contest", type=int)

    contest = sub.add_parser("contest", help="contest commands").add_subparsers(
        dest="contest_command", required=True
    )
    imported = add(
        "import",
        c.import_contest,
        "replay a CLICS contest package (a directory) as a finished contest",
        contest,
    )
    imported.add_argument(
        "path", help="the package's directory (contest.json, teams.json, submissions.json…)"
    )
    exported = add(
        "export", c.export_contest, "write a contest as a CLICS contest package (a directory)", contest
    )
    exported.add_argument("contest", type=int)
    exported.add_argument("path", help="the directory to write (created; must be empty if it exists)")

    fanout = add("fanout", c.fanout, "deliver live events through API Gateway's @connections API (AWS)")
    fanout.add_argument(
        "--endpoint",
        required=True,
        help="the WebSocket stage's management endpoint, https://<api>.execute-api.<region>.amazonaws.com/<stage>",
    )
    fanout.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"posts in flight at once, each on a kept-alive connection (default {DEFAULT_CONCURRENCY})",
    )

    from codearena_cli import similarity

    similar = add("similarity", similarity.command, "similar programs: a contest's submissions, or files")
    similarity.add_arguments(similar)

    from codearena_cli import jury

    jury.add_commands(sub, add)

    watch = add("watch", c.watch, "show a contest's live leaderboard in the terminal")
    watch.add_argument("contest", type=int)
    watch.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway")
    watch.add_argument("--limit", type=int, default=20, help="rows to show")
    watch.add_argument("--token", default=None, help="a JWT (a jury token shows the jury board)")
    watch.add_argument("--jury", action="store_true", help="follow the live jury board (needs --token)")
    watch.add_argument("--duration", type=float, default=None, help="stop after this many seconds")

    box = sub.add_parser("sandbox", help="sandbox commands").add_subparsers(
        dest="sandbox_command", required=True
    )
    run = add("run", c.sandbox_run, "run one program in the sandbox and print JSON", box)
    run.add_argument("rest", nargs=argparse.REMAINDER)

    package = add("package", c.package, "write template.yaml (chalice package + infra/)")
    package.add_argument("--layer", action="store_true", help="also build the core layer (needs PyPI)")
    package.add_argument("--output", default=None, help="write the template here instead")
    _add_aws_commands(add)
    return parser


def _import_problem(args: argparse.Namespace) -> int:
    from codearena_cli.problems import import_problem  # rich, the sandbox: only for these

    return import_problem(args)


def _export_problem(args: argparse.Namespace) -> int:
    from codearena_cli.problems import export_problem

    return export_problem(args)


def _show_verification(args: argparse.Namespace) -> int:
    from codearena_cli.problems import show_verification

    return show_verification(args)


def _add_problem_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Callable[..., argparse.ArgumentParser]
) -> None:
    problem = sub.add_parser("problem", help="problem packages (Kattis / ICPC format)").add_subparsers(
        dest="problem_command", required=True
    )
    imported = add(
        "import",
        _import_problem,
        "import a problem package (directory or zip), judging its submissions",
        problem,
    )
    imported.add_argument("path", help="the package: a directory holding problem.yaml, or a zip of one")
    imported.add_argument(
        "--strict", action="store_true", help="refuse it unless every submission gets its expected verdict"
    )
    imported.add_argument("--no-verify", action="store_true", help="store it without judging its submissions")
    exported = add(
        "export", _export_problem, "write a problem as a package (a directory, or PATH.zip)", problem
    )
    exported.add_argument("problem_id", type=int)
    exported.add_argument("path")
    verified = add(
        "verification",
        _show_verification,
        "the report of an HTTP import's submissions judged by a judge host: expected vs got per file",
        problem,
    )
    verified.add_argument("problem_id", type=int)
    verified.add_argument("--json", action="store_true", help="print the API's JSON answer")


def _deploy(args: argparse.Namespace) -> int:
    from codearena_cli.deploy import deploy_command  # boto3 and rich only for these two

    return deploy_command(args)


def _destroy(args: argparse.Namespace) -> int:
    from codearena_cli.deploy import destroy_command

    return destroy_command(args)


def _add_aws_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    deploy = add("deploy", _deploy, "build CodeArena and create or update its stack on AWS")
    destroy = add("destroy", _destroy, "delete CodeArena's stack on AWS (the database keeps a snapshot)")
    for command in (deploy, destroy):
        command.add_argument("--stack-name", type=stack_name, default="codearena", help="default: codearena")
        command.add_argument("--region", default=None, help="default: AWS_REGION / the profile's")
        command.add_argument("--profile", default=None, help="default: AWS_PROFILE")
        command.add_argument(
            "--timeout-minutes", type=positive_minutes, default=90.0, metavar="M", help="wait at most (90)"
        )
    deploy.add_argument(
        "--parameter",
        type=parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a template parameter, e.g. JudgeMaxSize=20 (repeatable; others keep the stack's value)",
    )
    deploy.add_argument(
        "--artifacts-bucket", default=None, help="default: codearena-artifacts-ACCOUNT-REGION"
    )
    deploy.add_argument("--dry-run", action="store_true", help="show the change set, then delete it")
    deploy.add_argument("--no-build", action="store_true", help="deploy what `make package` built")
    deploy.add_argument("--template", default=None, help="with --no-build: the template (./template.yaml)")
    destroy.add_argument("--yes", action="store_true", help="do not ask for the stack name first")


def stack_name(value: str) -> str:
    """argparse type: CloudFormation's rule for stack names."""
    if not STACK_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r}: a stack name starts with a letter and has only letters, digits and '-'"
        )
    return value


def parameter(value: str) -> tuple[str, str]:
    """argparse type: NAME=VALUE."""
    name, sep, given = value.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"{value!r}: expected NAME=VALUE, e.g. JudgeMaxSize=20")
    return name, given


def positive_minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        minutes = 0.0
    if minutes <= 0:
        raise argparse.ArgumentTypeError(f"{value!r}: expected a positive number of minutes")
    return minutes


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["sandbox", "run"]:  # its own parser owns every flag after `run`
        from sandbox.cli import run_cli

        return run_cli(argv[2:])
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        return int(args.handler(args))
    except ConfigError as exc:
        print(f"codearena: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
