"""What the routes and websocket handlers of one process share: the core, built on first use."""

from __future__ import annotations

import threading

from codearena.core import Core


class Api:
    """Built once per process (app.py); the core (pools, clients) is created on first use."""

    def __init__(self, core: Core | None = None) -> None:
        self._core = core
        self._lock = threading.Lock()

    @property
    def core(self) -> Core:
        with self._lock:
            if self._core is None:
                self._core = Core.from_env()
            return self._core
