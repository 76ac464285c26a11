"""Interactive problems: the submission and the problem's interactor, each in a box of its own,
talking over pipes (the Kattis format's `validation: custom interactive`).

The interactor runs as `interactor INPUT ANSWER FEEDBACK_DIR/ [flags]` with its stdin fed by
the submission's stdout and its stdout feeding the submission's stdin. Between them sits a
relay in this process, which keeps the transcript (cut at TRANSCRIPT_BYTES). The relay never
blocks: its ends are non-blocking, it holds at most one read's worth of data per direction
(a side that does not read holds the other back, as a pipe would), and it runs until both
programs ended. Each box kills its program at its own wall-clock limit.

The four named pipes live in the submission box's root-only io directory. The relay opens
its ends before either run starts, so the keepers open theirs without waiting: the ends the
relay writes are held read-write (a reader always exists; the relay closing them is the
reader's EOF). When one program ends, the relay closes what it wrote to that program and
keeps draining what the other one writes to it, so neither is left blocked on a full pipe
or killed by SIGPIPE: the interactor sees EOF on its stdin and gives its verdict.

The verdict, as the format's rules put it (`Interaction.interactor_decides`):
1. The interactor ends other than by exit 42 (accept) or 43 (reject): a crash, a limit,
   any other code. That is a judge error (ValidatorError), whatever the submission did.
2. The interactor rejected before the submission ended (its output closed first): wrong
   answer, even if the submission then crashed or ran out of time.
3. Otherwise a submission that hit a limit or crashed gets that verdict (TLE, MLE, OLE, RTE).
4. Otherwise the interactor's exit code: 42 accepted, 43 wrong answer.
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from sandbox.backend import Box
from sandbox.checkers import VALIDATOR_ACCEPTS, VALIDATOR_REJECTS, ValidatorError, feedback_dir, feedback_of
from sandbox.model import Fifos, Limits, RunResult, Status

TRANSCRIPT_BYTES = 64 * 1024  # kept of what crossed the pipes, both directions together
TRANSCRIPT_CHARS = 128 * 1024  # the most `Transcript.render` returns (its line prefixes count)
READ_BYTES = 64 * 1024  # read at a time from a pipe: the most the relay holds per direction
POLL_MS = 50  # how often the relay looks whether both runs ended
INTERACTOR_EXTRA_WALL_MS = 2000  # the interactor outlives the submission's wall limit by this
INTERACTOR_LIMITS = Limits(time_limit_ms=10_000, memory_limit_kb=1024 * 1024, output_limit_kb=8 * 1024)
PROGRAM, INTERACTOR = "program", "interactor"  # the two sides, as the transcript names them


@dataclass(frozen=True)
class Interaction:
    """How one interactive test went. `result` is the submission's run (its stdout empty: it
    went to the interactor); `accepted` is the interactor's answer and `feedback` its
    judgemessage.txt; `transcript` what crossed the pipes (`Transcript.render`)."""

    result: RunResult
    interactor: RunResult
    accepted: bool
    rejected_first: bool  # the interactor rejected before the submission ended
    feedback: str
    transcript: str

    @property
    def interactor_decides(self) -> bool:
        """True: the verdict is the interactor's (AC/WA); False: the submission's run status."""
        return self.rejected_first or self.result.status is Status.OK


class Transcript:
    """What crossed the pipes in order, each chunk tagged with who wrote it, up to a cap."""

    def __init__(self, limit_bytes: int = TRANSCRIPT_BYTES, limit_chars: int = TRANSCRIPT_CHARS) -> None:
        self.limit_bytes = limit_bytes
        self.limit_chars = limit_chars
        self.chunks: list[tuple[str, bytes]] = []
        self.size = 0
        self.truncated = False

    def add(self, writer: str, data: bytes) -> None:
        room = self.limit_bytes - self.size
        if len(data) > room:
            self.truncated = True
            data = data[:room]
        if not data:
            return
        if self.chunks and self.chunks[-1][0] == writer:
            self.chunks[-1] = (writer, self.chunks[-1][1] + data)
        else:
            self.chunks.append((writer, data))
        self.size += len(data)

    def render(self) -> str:
        """One line per line written, prefixed by who wrote it: `program> ` or `interactor> `;
        at most `limit_chars` characters."""
        lines = []
        for writer, data in self.chunks:
            text = data.decode(errors="replace")
            lines += [f"{writer}> {line}" for line in text.removesuffix("\n").split("\n")]
        rendered = "\n".join(lines)
        note = f"[transcript cut at {self.limit_bytes} bytes]"
        if len(rendered) + len(note) + 1 > self.limit_chars:
            rendered, self.truncated = rendered[: self.limit_chars - len(note) - 1], True
        return f"{rendered}\n{note}" if self.truncated else rendered


class _Direction:
    """One way through the relay: read `source` (non-blocking), write `sink` (non-blocking).

    `hold` is a read end of the sink's pipe that is never read: it keeps the pipe, and what was
    written to it, until the reader's run is over. Without it, a writer that wrote and ended
    before the reader's box opened its end would take its output with it: closing the sink,
    the reader's EOF, would close the pipe's last end, and the reader would then open an empty
    pipe (seen: a program printing at once, its interactor reading nothing)."""

    def __init__(self, writer: str, reader: str, source: int, sink: int, hold: int) -> None:
        self.writer, self.reader = writer, reader
        self.source: int | None = source
        self.sink: int | None = sink
        self.hold: int | None = hold
        self.pending = b""
        self.eof_at: float | None = None  # when the writer's end closed (monotonic seconds)

    def close_sink(self) -> None:
        """The reader is gone: drop what it did not take, drain the writer into nothing."""
        if self.sink is not None:
            os.close(self.sink)
            self.sink = None
        if self.hold is not None:
            os.close(self.hold)
            self.hold = None
        self.pending = b""

    def close_source(self) -> None:
        if self.source is not None:
            os.close(self.source)
            self.source = None
        self.eof_at = self.eof_at or time.monotonic()


class Relay:
    """Copies program → interactor and interactor → program, keeping the transcript."""

    def __init__(self, fifos: dict[str, Path]) -> None:
        ends: list[int] = []
        try:
            for name, flags in (
                ("from-program", os.O_RDONLY),
                ("to-interactor", os.O_RDWR),
                ("to-interactor", os.O_RDONLY),  # its hold (see _Direction)
                ("from-interactor", os.O_RDONLY),
                ("to-program", os.O_RDWR),
                ("to-program", os.O_RDONLY),
            ):
                ends.append(os.open(fifos[name], flags | os.O_NONBLOCK | os.O_NOFOLLOW))
        except BaseException:
            for fd in ends:
                os.close(fd)
            raise
        self.directions = [
            _Direction(PROGRAM, INTERACTOR, *ends[:3]),
            _Direction(INTERACTOR, PROGRAM, *ends[3:]),
        ]
        self.transcript = Transcript()
        self._ended: set[str] = set()
        self._lock = threading.Lock()

    def ended(self, side: str) -> None:
        """`side`'s run is over: nothing more goes to it (called from the run's thread)."""
        with self._lock:
            self._ended.add(side)

    def eof_at(self, writer: str) -> float | None:
        return next(d.eof_at for d in self.directions if d.writer == writer)

    def run(self) -> None:
        """Copy until both runs ended and what they wrote is drained; then close every end."""
        try:
            while True:
                with self._lock:
                    ended = set(self._ended)
                for direction in self.directions:
                    if direction.reader in ended:
                        direction.close_sink()
                if len(ended) == 2:
                    self._drain()
                    return
                self._step(ended)
        finally:
            for direction in self.directions:
                direction.close_sink()
                direction.close_source()

    def _step(self, ended: set[str]) -> None:
        poller = select.poll()
        for direction in self.directions:
            if direction.pending and direction.sink is not None:
                poller.register(direction.sink, select.POLLOUT)
            elif direction.source is not None:
                poller.register(direction.source, select.POLLIN)
        ready = {fd for fd, _ in poller.poll(POLL_MS)}
        for direction in self.directions:
            # A writer whose run ended wrote all it will: what it left is read without waiting.
            writer_ended = direction.writer in ended
            if writer_ended or direction.source in ready or direction.sink in ready:
                self._move(direction, writer_ended)

    def _move(self, direction: _Direction, writer_ended: bool) -> None:
        if not direction.pending and direction.source is not None:
            data = _read(direction.source)
            if data is None and not writer_ended:
                return
            if not data:  # EOF, or nothing left of a writer that ended
                direction.close_source()
                if direction.sink is not None:
                    os.close(direction.sink)  # the reader's EOF
                    direction.sink = None
                return
            if direction.sink is None:
                return  # its reader is gone: drained into nothing
            self.transcript.add(direction.writer, data)
            direction.pending = data
        if direction.sink is not None and direction.pending:
            try:
                written = os.write(direction.sink, direction.pending)
            except BlockingIOError:
                return
            direction.pending = direction.pending[written:]

    def _drain(self) -> None:
        """Both runs are over, so every writer's end is closed: read to EOF without waiting."""
        for direction in self.directions:
            while direction.source is not None:
                if not _read(direction.source):
                    direction.close_source()


def _read(fd: int) -> bytes | None:
    """What the pipe holds (b"" at EOF), None when it is empty but still open."""
    try:
        return os.read(fd, READ_BYTES)
    except BlockingIOError:
        return None


def interact(
    submission: Box,
    interactor: Box,
    input_data: bytes | os.PathLike[str],
    answer: bytes | os.PathLike[str],
    limits: Limits,
    interactor_limits: Limits = INTERACTOR_LIMITS,
    flags: Sequence[str] = (),
    fresh_feedback: bool = True,
) -> Interaction:
    """Run the submission compiled in `submission` against the interactor compiled in
    `interactor` on one test (see the module docstring for the verdict); `fresh_feedback`
    False keeps the interactor's feedback directory (a multi-pass problem's later passes).
    Raises ValidatorError when the interactor fails, SandboxError when the sandbox does."""
    args = (interactor.add_file("input", input_data), interactor.add_file("answer", answer))
    feedback = feedback_dir(interactor, fresh_feedback)
    fifos = _make_fifos(submission.io_dir / "interactive")
    relay = Relay(fifos)
    program = submission.language.run_limits(limits) if submission.language else limits
    wall_ms = max(interactor_limits.wall_limit_ms, program.wall_limit_ms + INTERACTOR_EXTRA_WALL_MS)
    interactor_limits = replace(interactor_limits, wall_time_limit_ms=wall_ms)
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="interactive") as pool:
        relaying = pool.submit(relay.run)
        judged = pool.submit(
            _ending(relay, INTERACTOR),
            lambda: interactor.run(
                None,
                interactor_limits,
                args=(*args, feedback + "/", *flags),
                writable_dirs=("feedback",),
                fifos=Fifos(fifos["to-interactor"], fifos["from-interactor"]),
            ),
        )
        ran = pool.submit(
            _ending(relay, PROGRAM),
            lambda: submission.run(None, limits, fifos=Fifos(fifos["to-program"], fifos["from-program"])),
        )
        result, interactor_result = ran.result(), judged.result()
        relaying.result()
    return _interaction(relay, result, interactor_result, feedback_of(interactor))


def _ending(relay: Relay, side: str) -> Callable[[Callable[[], RunResult]], RunResult]:
    def run(action: Callable[[], RunResult]) -> RunResult:
        try:
            return action()
        finally:
            relay.ended(side)

    return run


def _make_fifos(directory: Path) -> dict[str, Path]:
    directory.mkdir(mode=0o700, exist_ok=True)
    fifos = {}
    for name in ("to-program", "from-program", "to-interactor", "from-interactor"):
        path = directory / name
        path.unlink(missing_ok=True)
        os.mkfifo(path, 0o600)
        fifos[name] = path
    return fifos


def _interaction(relay: Relay, result: RunResult, interactor: RunResult, feedback: str) -> Interaction:
    exit_code = interactor.exit_code if interactor.status is Status.RTE else None
    if exit_code not in (VALIDATOR_ACCEPTS, VALIDATOR_REJECTS):
        detail = interactor.stderr[:500].decode(errors="replace")
        raise ValidatorError(
            f"interactor gave {interactor.status.value}, exit {interactor.exit_code}, "
            f"signal {interactor.signal}: {detail}"
        )
    accepted = exit_code == VALIDATOR_ACCEPTS
    interactor_eof, program_eof = relay.eof_at(INTERACTOR), relay.eof_at(PROGRAM)
    first = interactor_eof is not None and (program_eof is None or interactor_eof < program_eof)
    return Interaction(
        result, interactor, accepted, not accepted and first, feedback, relay.transcript.render()
    )
