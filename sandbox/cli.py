"""`codearena sandbox run`: compile and run one program in the sandbox, print JSON.

Exit status 0 whenever the sandbox worked (whatever the program did), 1 when the sandbox
itself failed (a custom checker that fails counts as that), 2 for bad arguments.

Beyond the contract: `--checker` takes a spec ("tokens", "exact", "float", "float:TOL",
"float:ABS:REL"); `--validator FILE --validator-language L` judges with a Kattis output
validator, run in a second box.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

from sandbox.backend import BACKENDS, Box, start_backend
from sandbox.checkers import check_output, checker_from_spec, validate
from sandbox.model import OUTPUT_LIMIT_KB, REPORT_BYTES, Limits, RunResult, SandboxError, Status
from sandbox.supervisor import Sandbox

# Its own root, uids and cgroup name, so it can run next to a judge on the same host.
CLI_ROOT = Path("/var/lib/codearena-sandbox-cli")
CLI_UID_BASE = 60801
CLI_NAME = "codearena-cli"


DEFAULT_LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024)  # for the option defaults


class UsageError(Exception):
    """Arguments that parse but make no sense together."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codearena sandbox run")
    parser.add_argument("--language", required=True)
    parser.add_argument("--time-limit-ms", type=int, required=True)
    parser.add_argument("--memory-limit-kb", type=int, required=True)
    parser.add_argument("--output-limit-kb", type=int, default=OUTPUT_LIMIT_KB)
    parser.add_argument("--wall-time-limit-ms", type=int, help="default: 2 × time limit + 1 s")
    parser.add_argument(
        "--extra-time-ms", type=int, default=0, help="CPU time past the limit before the kill"
    )
    parser.add_argument(
        "--processes", type=int, default=DEFAULT_LIMITS.processes, help="processes and threads"
    )
    parser.add_argument("--stack-limit-kb", type=int, help="default: the memory limit")
    parser.add_argument("--open-files", type=int, default=DEFAULT_LIMITS.open_files)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--expected", type=Path)
    parser.add_argument("--checker", default="tokens")
    parser.add_argument("--validator", type=Path)
    parser.add_argument("--validator-language")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--backend", choices=BACKENDS, default="namespace")
    parser.add_argument("--root-dir", type=Path, default=CLI_ROOT)
    parser.add_argument("source", type=Path)
    return parser


def run_cli(argv: list[str]) -> int:
    """Run the command; print one JSON object on stdout; return the exit status."""
    try:
        args = _parser().parse_args(argv)
        _check_arguments(args)
        source = args.source.read_text()
    except SystemExit as exc:
        return int(exc.code or 0)
    except (OSError, UsageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        report = _run(args, source)
    except UsageError as exc:  # a language the docker image lacks
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (SandboxError, OSError) as exc:
        print(json.dumps({"error": f"sandbox failed: {exc}"}))
        return 1
    print(json.dumps(report))
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    # The docker backend knows its languages once started (they are those of its image).
    if args.backend == "namespace" and args.language not in Sandbox.available_languages():
        raise UsageError(f"language {args.language!r} is not available here")
    if (args.validator is None) != (args.validator_language is None):
        raise UsageError("--validator and --validator-language go together")
    if args.validator is not None and args.expected is None:
        raise UsageError("--validator needs --expected (the judge answer)")
    try:
        checker_from_spec(args.checker)
        args.limits = _limits(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(
        args.time_limit_ms,
        args.memory_limit_kb,
        args.output_limit_kb,
        processes=args.processes,
        wall_time_limit_ms=args.wall_time_limit_ms,
        extra_time_ms=args.extra_time_ms,
        stack_limit_kb=args.stack_limit_kb,
        open_files=args.open_files,
    )


def _run(args: argparse.Namespace, source: str) -> dict[str, Any]:
    boxes = 1 if args.validator is None else 2
    sandbox = start_backend(args.backend, boxes, args.root_dir, name=CLI_NAME, uid_base=CLI_UID_BASE)
    try:
        for language in (args.language, args.validator_language):
            if language is not None and language not in sandbox.available_languages():
                raise UsageError(f"language {language!r} is not available with the {args.backend} backend")
        with sandbox.box() as box:
            if args.validator is None:
                return _compile_and_run(box, args, source, None)
            with sandbox.box() as checker:
                _compile_validator(checker, args)
                return _compile_and_run(box, args, source, checker)
    finally:
        sandbox.close()


def _compile_validator(checker: Box, args: argparse.Namespace) -> None:
    compiled = checker.compile(args.validator_language, args.validator.read_bytes())
    if not compiled.ok:
        raise SandboxError(f"the output validator does not compile: {compiled.output[:2000]}")


def _compile_and_run(box: Box, args: argparse.Namespace, source: str, checker: Box | None) -> dict[str, Any]:
    compiled = box.compile(args.language, source)
    if not compiled.ok:
        return _compile_error_report(args, compiled.output)
    results = [box.run(args.input, args.limits) for _ in range(max(args.repeat, 1))]
    report = _run_report(results[-1], compiled.output)
    if args.expected is not None and checker is not None:
        report["verdict"], report["checker_feedback"] = _validated(results[-1], args, checker)
    elif args.expected is not None:
        report["verdict"] = _verdict(results[-1], args.expected, args.checker)
    if args.repeat > 1:
        report["wall_time_ms_median"] = statistics.median(r.wall_time_ms for r in results)
    return report


def _run_report(result: RunResult, compile_output: str) -> dict[str, Any]:
    return {
        "status": result.status.value,
        "cpu_time_ms": result.cpu_time_ms,
        "wall_time_ms": result.wall_time_ms,
        "memory_kb": result.memory_kb,
        "exit_code": result.exit_code,
        "signal": result.signal,
        "stdout": result.stdout[:REPORT_BYTES].decode(errors="replace"),
        "stderr": result.stderr[:REPORT_BYTES].decode(errors="replace"),
        "compile_output": compile_output,
        "timeout": result.timeout,
        "killed": result.killed,
        "context_switches_voluntary": result.context_switches_voluntary,
        "context_switches_forced": result.context_switches_forced,
    }


def _compile_error_report(args: argparse.Namespace, output: str) -> dict[str, Any]:
    report: dict[str, Any] = {
        "status": "CE",
        "cpu_time_ms": None,
        "wall_time_ms": None,
        "memory_kb": None,
        "exit_code": None,
        "signal": None,
        "stdout": "",
        "stderr": "",
        "compile_output": output,
        "timeout": None,
        "killed": False,
        "context_switches_voluntary": None,
        "context_switches_forced": None,
    }
    if args.expected is not None:
        report["verdict"] = "CE"
    return report


def _verdict(result: RunResult, expected: Path, checker: str) -> str:
    if result.status is not Status.OK:
        return result.status.value
    return "AC" if check_output(expected, result.stdout_path, checker) else "WA"


def _validated(result: RunResult, args: argparse.Namespace, checker: Box) -> tuple[str, str]:
    if result.status is not Status.OK:
        return result.status.value, ""
    input_data = args.input if args.input is not None else b""
    validation = validate(checker, input_data, args.expected, result.stdout_path)
    return ("AC" if validation.accepted else "WA"), validation.feedback


def main() -> None:
    sys.exit(run_cli(sys.argv[1:]))


if __name__ == "__main__":
    main()
