"""The closing ceremony's reveal in a real browser: the jury opens the frozen board and
resolves its pending cells from the bottom up, one per click or key press, until the board
is the jury's final one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from codearena import contests, users
from codearena.core import Core
from codearena.models import Verdict
from tests.browser.conftest import Pages, screenshot
from tests.browser.test_contest_day import admin_client, clients, log_in
from tests.integration.conftest import ONE_TEST
from tests.integration.test_standings import judged, record_and_publish

__all__ = ["clients"]  # the fixture, shared

# (team, problem, minute, verdict); the board froze at minute 60.
PLAN = [
    ("ann", "A", 10, Verdict.AC),
    ("ben", "A", 20, Verdict.WA),
    ("ben", "A", 30, Verdict.AC),
    ("cat", "B", 50, Verdict.WA),
    ("cat", "A", 90, Verdict.AC),  # after the freeze: pending for the public
    ("cat", "B", 95, Verdict.WA),
    ("ben", "B", 100, Verdict.AC),
]


def frozen_contest(core: Core) -> int:
    """A contest two hours in, frozen since minute 60, played as PLAN says."""
    now = core.clock()
    start = now - timedelta(hours=2)
    contest = contests.create_contest(
        core,
        {
            "title": "Ceremony Cup",
            "start_at": start.isoformat(),
            "end_at": (now + timedelta(hours=1)).isoformat(),
            "freeze_at": (start + timedelta(minutes=60)).isoformat(),
        },
    )
    problems = {}
    for label in ("A", "B"):
        problems[label] = contests.create_problem(core, {**ONE_TEST, "title": f"Problem {label}"})["id"]
        contests.attach_problem(core, contest["id"], {"problem_id": problems[label], "label": label})
    team = {name: users.create_user(core, name, f"password-{name}")["id"] for name in ("ann", "ben", "cat")}
    for name, label, minute, verdict in PLAN:
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
                " VALUES (%s, %s, %s, 'python', 'print(1)', %s) RETURNING id",
                (contest["id"], problems[label], team[name], start + timedelta(minutes=minute)),
            )
            sid = cur.fetchone()["id"]
        record_and_publish(core, judged(core, sid, verdict))
    return int(contest["id"])


def order(page: Page) -> list[list[str]]:
    rows = page.locator(".reveal-table tbody tr")
    return [
        [row.locator(".rank").inner_text(), row.get_attribute("data-username") or ""] for row in rows.all()
    ]


def test_the_jury_reveals_the_frozen_board_from_the_bottom_up(
    pages: Pages, gateway: str, core: Core, clients: list[httpx.Client]
) -> None:
    admin = admin_client(gateway, core, clients)
    cid = frozen_contest(core)
    page = pages.open(f"{gateway}/#/login?next=/contests/{cid}/reveal")
    log_in(page, "jury-admin", "jury-admin-password")
    status = page.locator(".reveal .board-status")
    expect(status).to_contain_text("3 pending cells left")
    assert order(page) == [["1", "ann"], ["2", "ben"], ["3", "cat"]]
    expect(page.get_by_role("link", name="Reveal")).to_have_attribute("aria-current", "page")

    def cell(name: str, label: str) -> Any:
        return page.locator(f'tr[data-username="{name}"] td[data-label="{label}"]')

    expect(cell("cat", "A")).to_have_class("cell cell-pending")
    expect(page.locator("tr.reveal-next")).to_have_attribute("data-username", "cat")

    page.keyboard.press("Space")  # cat's A, the leftmost pending cell of the lowest team
    expect(cell("cat", "A")).to_have_class("cell cell-solved cell-revealed")
    expect(status).to_contain_text("cat solved A. 2 pending cells left")
    assert order(page) == [["1", "ann"], ["2", "ben"], ["3", "cat"]]

    page.get_by_role("button", name="Reveal next").click()  # cat's B: wrong again
    expect(cell("cat", "B")).to_have_class("cell cell-tried cell-revealed")
    expect(cell("cat", "B")).to_contain_text("−2")
    expect(page.locator("tr.reveal-next")).to_have_attribute("data-username", "ben")

    page.keyboard.press("ArrowRight")  # ben's B: solved, ben climbs to first
    expect(status).to_contain_text("ben solved B, up from rank 2 to 1. Every cell is revealed")
    expect(page.get_by_role("button", name="Reveal next")).to_be_disabled()
    final = admin.get(f"/admin/contests/{cid}/leaderboard").json()["rows"]
    assert order(page) == [[str(row["rank"]), row["username"]] for row in final]
    assert order(page) == [["1", "ben"], ["2", "ann"], ["3", "cat"]]
    screenshot(page, "reveal-final-1280")
    page.keyboard.press("Space")  # nothing left: nothing changes
    expect(status).to_contain_text("Every cell is revealed")


def test_a_contestant_has_no_reveal(
    pages: Pages, gateway: str, core: Core, clients: list[httpx.Client]
) -> None:
    cid = frozen_contest(core)
    users.create_user(core, "dora", "password-dora")
    page = pages.open(f"{gateway}/#/login?next=/contests/{cid}/reveal")
    log_in(page, "dora", "password-dora")
    expect(page.locator(".reveal .board-status")).to_contain_text("The boards could not be read")
    expect(page.get_by_role("button", name="Reveal next")).to_be_disabled()
    expect(page.get_by_role("link", name="Reveal")).to_have_count(0)
