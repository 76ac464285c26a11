"""Run (a custom invocation) in Chromium: beside Submit, the program in the editor runs on the
contestant's own input on a real judge host; its outcome, time, memory and output appear live,
and nothing is submitted."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Pages, screenshot
from tests.browser.test_contest_day import log_in
from tests.e2e.conftest import Process

ECHO_SUM = "a, b = map(int, input().split())\nprint(a + b)\n"
CRASH = "import sys\nprint('half')\nsys.stderr.write('broken pipe dream\\n')\nsys.exit(3)\n"


def test_run_shows_output_time_and_memory_and_submits_nothing(
    pages: Pages, demo: dict[str, Any], judge: Process
) -> None:
    base, cid = demo["base"], demo["id"]
    page = pages.open(f"{base}/#/login?next=/contests/{cid}/problems/1")
    log_in(page, "alice", "alice-demo-pass")
    run = page.get_by_role("button", name="Run", exact=True)
    submit = page.get_by_role("button", name="Submit")
    expect(run).to_be_visible()
    assert run.evaluate("(b) => b.parentElement") == submit.evaluate("(b) => b.parentElement")  # side by side
    page.get_by_label("Source code").fill(ECHO_SUM)
    page.get_by_label("Input for Run").fill("40 2\n")
    run.click()
    outcome = page.locator(".run-outcome")
    expect(outcome).to_have_text("Ran without error", timeout=60_000)
    figures = page.locator(".run-figures")
    expect(figures).to_contain_text("Time ")
    expect(figures).to_contain_text("ms of 1000 ms")  # the problem's own limits
    expect(figures).to_contain_text("Memory ")
    expect(page.locator(".run-output pre").first).to_have_text("42\n")
    expect(run).to_be_enabled()
    screenshot(page, "run-ok")

    page.get_by_label("Source code").fill(CRASH)
    run.click()
    expect(outcome).to_have_text("Run-time error (exit code 3)", timeout=60_000)
    outputs = page.locator(".run-output")
    expect(outputs.nth(0).locator("pre")).to_have_text("half\n")
    expect(outputs.nth(1)).to_contain_text("Standard error")
    expect(outputs.nth(1).locator("pre")).to_have_text("broken pipe dream\n")
    screenshot(page, "run-runtime-error")

    page.get_by_label("Source code").fill("def broken(:\n")
    run.click()
    expect(outcome).to_have_text("Compilation error", timeout=60_000)
    expect(page.locator(".run-output figcaption")).to_have_text("Compiler output")
    expect(page.locator(".run-output pre")).to_contain_text("SyntaxError")

    # Nothing was submitted: no card on the page, no submission over HTTP
    expect(page.locator(".results > *")).to_have_count(0)
    token = page.evaluate("() => sessionStorage.getItem('codearena.token')")
    mine = httpx.get(f"{base}/contests/{cid}/submissions", headers={"Authorization": f"Bearer {token}"})
    assert mine.json()["submissions"] == []
