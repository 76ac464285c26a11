"""Interactive problems end to end in the real sandbox: the guessing game of tests/packages/guess
judged through `judge_host.judging.judge`, and the pipes between the two boxes under stress (a
program that never answers, floods, or closes its stdin; an interactor that crashes)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from codearena.models import Verdict
from codearena.scoring import Icpc
from judge_host.judging import CaseData, OutputValidator, Task, judge
from sandbox import Limits, Sandbox, Status, ValidatorError, interactive
from sandbox.interactive import Relay, Transcript, _make_fifos, interact
from sandbox.languages import LANGUAGES

GUESS = Path(__file__).parents[1] / "packages" / "guess"
INTERACTOR = (GUESS / "output_validators" / "interactor" / "interactor.py").read_bytes()
LIMITS = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, wall_time_limit_ms=2000)


def _task(source: str, interactor: bytes = INTERACTOR, secret: int = 377) -> Task:
    return Task(
        1,
        "python",
        source,
        1000,
        256 * 1024,
        100,
        Icpc(),
        (CaseData(1, 1, f"{secret} 1000\n".encode(), b"\n", "secret", 0),),
        checker="interactive",
        validator=OutputValidator("python", interactor),
    )


def _judge(sandbox: Sandbox, task: Task) -> Verdict:
    with sandbox.box() as box, sandbox.box() as interactor:
        return judge(box, task, "test", validator_box=interactor).verdict


@pytest.mark.parametrize(
    ("folder", "verdict"),
    [
        ("accepted/bisect.py", Verdict.AC),
        ("wrong_answer/count_up.py", Verdict.WA),  # rejected first: then its EOFError is no RTE
        ("time_limit_exceeded/silent.py", Verdict.TLE),  # never answers: the wall limit
        ("run_time_error/crash.py", Verdict.RTE),  # crashed before the interactor rejected
    ],
)
def test_the_guessing_game(sandbox: Sandbox, folder: str, verdict: Verdict) -> None:
    source = (GUESS / "submissions" / folder).read_text()
    assert _judge(sandbox, _task(source)) is verdict


def test_an_interactor_that_crashes_is_a_judge_error(sandbox: Sandbox) -> None:
    source = (GUESS / "submissions" / "accepted" / "bisect.py").read_text()
    crashing = b"import sys\nprint(1000, flush=True)\nsys.stdin.readline()\nraise ValueError('bug')\n"
    with pytest.raises(ValidatorError, match="interactor gave RTE, exit 1"):
        _judge(sandbox, _task(source, crashing))


def test_the_transcript_and_the_feedback_are_kept(sandbox: Sandbox) -> None:
    with sandbox.box() as box, sandbox.box() as interactor:
        assert box.compile("python", (GUESS / "submissions/wrong_answer/count_up.py").read_text()).ok
        assert interactor.compile("python", INTERACTOR).ok
        interaction = interact(box, interactor, b"1000 1000\n", b"\n", LIMITS)
    lines = interaction.transcript.splitlines()
    assert lines[:3] == ["interactor> 1000", "program> 1", "interactor> higher"]
    assert "program> 10\ninteractor> higher" in interaction.transcript  # then its 11th goes nowhere
    assert interaction.rejected_first and not interaction.accepted
    assert interaction.feedback == "out of guesses\n"


def test_a_flood_the_interactor_never_reads_ends_at_the_wall_limit(sandbox: Sandbox) -> None:
    """Neither the relay nor a box is stuck on a full pipe: the program blocks until the
    interactor reads, is killed at its wall limit; the interactor then reads EOF. The transcript
    stays at its cap. (The interactor drains in chunks: reading the flood whole took it past
    its memory limit on a fast machine, a JE.)"""
    flood = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
    waits = b"import sys, time\ntime.sleep(1.5)\n"
    waits += b"while sys.stdin.buffer.read(65536):\n    pass\nsys.exit(43)\n"
    with sandbox.box() as box, sandbox.box() as interactor:
        assert box.compile("python", flood).ok and interactor.compile("python", waits).ok
        started = time.monotonic()
        interaction = interact(box, interactor, b"", b"", LIMITS)
        took = time.monotonic() - started
    assert interaction.result.status is Status.TLE and not interaction.interactor_decides
    assert took < 6, took
    assert interaction.transcript.endswith("[transcript cut at 65536 bytes]")


def test_a_program_that_closes_its_stdin_early_does_not_block_the_interactor(sandbox: Sandbox) -> None:
    """The interactor's 200 KB fill the pipe to a program that closed its stdin; once the
    program ends, the relay drains the rest into nothing and the interactor finishes."""
    closes = "import os, time\nos.close(0)\nprint(5, flush=True)\ntime.sleep(0.5)\n"
    talks = b"import sys\nsys.stdin.readline()\nfor _ in range(2000):\n    print('x' * 100, flush=True)\n"
    talks += b"sys.exit(43)\n"
    with sandbox.box() as box, sandbox.box() as interactor:
        assert box.compile("python", closes).ok and interactor.compile("python", talks).ok
        interaction = interact(box, interactor, b"", b"", LIMITS)
    assert interaction.result.status is Status.OK and interaction.interactor.exit_code == 43
    assert interaction.transcript.startswith("program> 5\ninteractor> xxx") and not interaction.accepted


def test_the_interactor_waits_as_long_as_the_programs_time_factor_lets_it_run(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A language's time factor stretches its program's wall limit (here 1 s × 4); the
    interactor must outlive that, not the problem's own limit, or a slow starter's answer
    arrives after its judge was killed."""
    monkeypatch.setitem(LANGUAGES, "python", replace(LANGUAGES["python"], time_factor=4.0))
    late = "import time\ntime.sleep(3.2)\nprint('done', flush=True)\n"
    waits = b"#include <stdio.h>\n#include <string.h>\nint main(void) { char line[16];\n"
    waits += b'  return fgets(line, sizeof line, stdin) && !strcmp(line, "done\\n") ? 42 : 43; }\n'
    limits = Limits(time_limit_ms=1000, memory_limit_kb=256 * 1024, wall_time_limit_ms=1000)
    with sandbox.box() as box, sandbox.box() as interactor:
        assert box.compile("python", late).ok and interactor.compile("c", waits).ok
        interaction = interact(box, interactor, b"", b"", limits, interactor_limits=limits)
    assert interaction.result.status is Status.OK and interaction.accepted, interaction


def test_a_transcript_is_cut_at_its_cap() -> None:
    transcript = Transcript(limit_bytes=10)
    transcript.add("program", b"12345\n")
    transcript.add("program", b"6\n")
    transcript.add("interactor", b"abcdef\n")
    assert transcript.render() == "program> 12345\nprogram> 6\ninteractor> ab\n[transcript cut at 10 bytes]"


def test_a_rendered_transcript_stays_under_its_character_cap() -> None:
    transcript = Transcript(limit_bytes=1000, limit_chars=100)
    transcript.add("interactor", b"1\n" * 500)
    rendered = transcript.render()
    assert len(rendered) <= 100 and rendered.endswith("[transcript cut at 1000 bytes]")


def test_what_a_side_wrote_before_ending_reaches_a_reader_that_opens_its_end_later(tmp_path: Path) -> None:
    """The program prints and ends before the interactor's box has opened its stdin: the relay
    closes the interactor's input (its EOF) at once, yet what the program wrote is kept for it
    (CI saw the interactor read nothing from a program that printed at once)."""
    fifos = _make_fifos(tmp_path)
    relay = Relay(fifos)
    relaying = threading.Thread(target=relay.run)
    relaying.start()
    try:
        program_out = os.open(fifos["from-program"], os.O_WRONLY)
        os.write(program_out, b"10\n10\n")
        os.close(program_out)
        relay.ended(interactive.PROGRAM)
        deadline = time.monotonic() + 5
        while relay.eof_at(interactive.PROGRAM) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # the relay has closed its end of the interactor's input by now
        interactor_in = os.open(fifos["to-interactor"], os.O_RDONLY | os.O_NONBLOCK)
        try:
            assert os.read(interactor_in, 100) == b"10\n10\n"
            assert os.read(interactor_in, 100) == b""  # then EOF: the program ended
        finally:
            os.close(interactor_in)
    finally:
        relay.ended(interactive.INTERACTOR)
        relaying.join(10)
    assert not relaying.is_alive()
    assert relay.transcript.render() == "program> 10\nprogram> 10"
