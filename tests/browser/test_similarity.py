"""The jury's similarity page in a real browser: the copied pair first, its matched lines side
by side; the tab is the jury's only."""

from __future__ import annotations

from datetime import timedelta

import httpx
from playwright.sync_api import expect

from codearena import users
from codearena.core import Core
from tests.browser.conftest import Pages, screenshot
from tests.browser.test_contest_day import admin_client, clients, log_in
from tests.integration.conftest import contest_with_problem
from tests.integration.test_similarity import submit
from tests.unit.similarity_samples import SAMPLES

__all__ = ["clients"]  # the fixture, shared

ORIGINAL, COPY, INDEPENDENT = SAMPLES["python"]
PROBLEM = {
    "title": "Paths",
    "statement": "shortest paths",
    "time_limit_ms": 1000,
    "memory_limit_kb": 262144,
    "tests": [{"input": "1\n", "answer": "1\n", "sample": True}],
}


def test_the_jury_sees_the_copied_pair_side_by_side(
    pages: Pages, gateway: str, core: Core, clients: list[httpx.Client]
) -> None:
    admin_client(gateway, core, clients)
    contest = contest_with_problem(core, PROBLEM, start=-timedelta(hours=1), end=timedelta(hours=1))
    for name, source in (("ann", ORIGINAL), ("bob", COPY), ("cid", INDEPENDENT)):
        users.create_user(core, name, f"password-{name}")
        submit(core, contest, name, source)
    page = pages.open(f"{gateway}/#/login?next=/contests/{contest['id']}/jury/similarity")
    log_in(page, "jury-admin", "jury-admin-password")
    expect(page.get_by_role("link", name="Similarity")).to_have_attribute("aria-current", "page")
    section = page.locator('[data-problem="A"]')
    expect(section.locator("h2")).to_have_text("Problem A: 3 submissions")
    first = section.locator(".similarity-pairs tbody tr").first
    expect(first).to_contain_text("ann")
    expect(first).to_contain_text("bob")
    first.get_by_role("button").click()
    pair = page.locator(".similarity-pair")
    expect(pair.locator("h2")).to_contain_text("ann")
    fragment = pair.locator(".fragment").first
    expect(fragment.locator("figure")).to_have_count(2)
    sides = [fragment.locator("pre").nth(i).inner_text() for i in (0, 1)]
    assert all(side.strip() for side in sides) and "heapq" in "".join(
        pair.locator(".fragment pre").all_inner_texts()
    )
    screenshot(page, "jury-similarity")

    page.get_by_label("Problem").select_option("A")
    page.get_by_label("Every submission (not only each participant's latest)").check()
    page.get_by_role("button", name="Compare").click()
    expect(section.locator("h2")).to_have_text("Problem A: 3 submissions")
    expect(pair.locator(".fragment")).to_have_count(0)  # a new report: no pair chosen yet


def test_a_contestant_has_no_similarity_page(pages: Pages, gateway: str, core: Core) -> None:
    contest = contest_with_problem(core, PROBLEM, start=-timedelta(hours=1), end=timedelta(hours=1))
    users.create_user(core, "ann", "password-ann")
    page = pages.open(f"{gateway}/#/login?next=/contests/{contest['id']}/jury/similarity")
    log_in(page, "ann", "password-ann")
    expect(page.get_by_text("This page is for the jury.")).to_be_visible()
    expect(page.get_by_role("link", name="Similarity")).to_have_count(0)
    expect(page.locator(".similarity-report")).to_have_count(0)
