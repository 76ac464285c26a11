"""What both backends share in implementing `sandbox.backend.Backend`: a pool of boxes
handed out one at a time, and the self-test that decides which languages a judge host offers."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Generic, TypeVar

from sandbox.backend import Box
from sandbox.languages import LANGUAGES
from sandbox.model import Limits, SandboxError, Status

logger = logging.getLogger("sandbox")
SELF_TEST_LIMITS = Limits(time_limit_ms=5000, memory_limit_kb=512 * 1024)


B = TypeVar("B", bound=Box)


class BoxPool(Generic[B]):
    """Boxes of one backend; subclasses fill `_free` and say which languages they have."""

    def __init__(self) -> None:
        self.boxes: list[B] = []
        self._free: queue.Queue[B] = queue.Queue()
        self._closed = False

    def available_languages(self) -> list[str]:
        raise NotImplementedError

    def self_test(self) -> dict[str, str | None]:
        """Compile and run each available language's hello program: None when it works,
        else what went wrong. Meant for judge start-up, to refuse broken languages; as many
        at once as there are boxes (26 languages, some with slow compilers)."""
        names = self.available_languages()
        with ThreadPoolExecutor(max_workers=max(len(self.boxes), 1)) as workers:
            found = workers.map(self._self_test_in_a_box, names)
            return dict(zip(names, found, strict=True))

    def _self_test_in_a_box(self, language: str) -> str | None:
        with self.box() as box:
            return self_test_one(box, language)

    @contextmanager
    def box(self) -> Iterator[B]:
        """Wait for a free box; on release it is wiped and its leftovers removed."""
        if self._closed:
            raise SandboxError("sandbox is closed")
        box = self._free.get()
        try:
            yield box
        finally:
            try:
                box.reset()
            except Exception:
                logger.exception("resetting a box failed")
            self._free.put(box)


def self_test_one(box: Box, language: str) -> str | None:
    """Compile and run `language`'s hello program in `box`: None when it works."""
    compiled = box.compile(language, LANGUAGES[language].self_test)
    if not compiled.ok:
        return f"compile failed: {compiled.output[:500]}"
    result = box.run(None, SELF_TEST_LIMITS)
    if (result.status, result.stdout) != (Status.OK, b"hello\n"):
        return f"run gave {result.status.value} {result.stdout[:100]!r} {result.stderr[:500]!r}"
    return None
