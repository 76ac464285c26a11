"""`codearena watch CONTEST`: the live board in a terminal, as a real WebSocket client.

It reads the board over HTTP, subscribes to `contest:<cid>` (or `jury:<cid>` with a jury
token) and re-reads the page whenever a `leaderboard` event says the board changed or a
version gap says it missed one.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from rich.console import Console
from rich.live import Live
from rich.table import Table
from websockets.sync.client import connect


@dataclass
class BoardView:
    url: str
    contest_id: int
    limit: int
    token: str | None = None
    jury: bool = False
    board: dict[str, Any] = field(default_factory=dict)
    state: str = ""
    live_version: int = 0
    updates: int = 0

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def reread(self, client: httpx.Client) -> None:
        path = (
            f"/admin/contests/{self.contest_id}/leaderboard"
            if self.jury
            else f"/contests/{self.contest_id}/leaderboard"
        )
        answer = client.get(path, params={"limit": self.limit}, headers=self.headers())
        answer.raise_for_status()
        self.board = answer.json()
        self.live_version = max(self.live_version, int(self.board.get("live_version", 0)))
        self.updates += 1

    def on_event(self, event: dict[str, Any]) -> bool:
        """Take one event; True when the page must be read again."""
        if event.get("type") == "contest_state":
            self.state = event["state"]
            return False
        if event.get("type") != "leaderboard" or event["version"] <= self.live_version:
            return False
        self.live_version = event["version"]
        return True

    def render(self) -> Table:
        rows = self.board.get("rows", [])
        labels = sorted({label for row in rows for label in row["problems"]})
        frozen = " [bold red]FROZEN[/]" if self.board.get("frozen") else ""
        table = Table(
            title=f"contest {self.contest_id}{frozen}  state: {self.state or '?'}  "
            f"version {self.live_version}  updates {self.updates}"
        )
        for column in ("rank", "user", "solved", "score", "penalty", *labels):
            table.add_column(column, justify="right" if column != "user" else "left")
        for row in rows:
            table.add_row(
                str(row["rank"]),
                row["username"],
                str(row["solved"]),
                f"{row['score']:g}",
                str(row["penalty"]),
                *(_cell(row["problems"].get(label)) for label in labels),
            )
        return table


def _cell(cell: dict[str, Any] | None) -> str:
    if not cell:
        return ""
    if cell["solved"]:
        return f"[green]+{cell['attempts'] - 1 or ''} ({cell['time_minutes']})[/]"
    pending = f" [yellow]?{cell['pending']}[/]" if cell["pending"] else ""
    return (f"[red]-{cell['attempts']}[/]" if cell["attempts"] else "") + pending


def watch(view: BoardView, duration: float | None, console: Console | None = None) -> BoardView:
    """Follow the board until Ctrl-C (or `duration` seconds); returns the final view."""
    console = console or Console()
    stop = threading.Event()
    dirty = threading.Event()
    ws_url = view.url.replace("http", "ws", 1) + "/ws" + (f"?token={view.token}" if view.token else "")
    topic = f"{'jury' if view.jury else 'contest'}:{view.contest_id}"
    with httpx.Client(base_url=view.url, timeout=10) as client, connect(ws_url) as socket:
        view.reread(client)
        socket.send(json.dumps({"action": "subscribe", "topic": topic}))
        threading.Thread(target=_listen, args=(socket, view, dirty, stop), daemon=True).start()
        deadline = time.monotonic() + duration if duration else None
        with Live(view.render(), console=console, auto_refresh=False) as live:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                if dirty.wait(0.25):
                    dirty.clear()
                    view.reread(client)
                live.update(view.render(), refresh=True)
        stop.set()
    return view


def _listen(socket: Any, view: BoardView, dirty: threading.Event, stop: threading.Event) -> None:
    try:
        for raw in socket:
            event = json.loads(raw)
            if event.get("type") == "error":
                raise RuntimeError(event["error"]["message"])
            if view.on_event(event):
                dirty.set()
    except Exception:
        stop.set()
