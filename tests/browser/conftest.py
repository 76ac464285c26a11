"""The web app in Debian's Chromium (Playwright), against the real gateway and a judge host.

Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from codearena.config import Settings
from codearena_cli.seed import DEMO_TITLE, seed
from tests.e2e.conftest import Process, gateway, judge_instance

__all__ = ["gateway"]  # the e2e fixture, shared

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# The editor's text, read from CodeMirror's state (the module the app itself loaded).
EDITOR_TEXT = """async () => {
  const { EditorView } = await import("/vendor/codemirror/codemirror.js");
  return EditorView.findFromDOM(document.querySelector(".cm-editor")).state.doc.toString();
}"""
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}


@pytest.fixture(scope="package")  # ends with tests/browser: its event loop and greenlets would outlive it
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def judge(settings: Settings) -> Iterator[Process]:
    # Instance 13: sandbox boxes of its own, apart from the e2e tests' and `make demo`'s judges.
    with judge_instance(settings, 13) as process:
        yield process


@pytest.fixture
def demo(gateway: str, settings: Settings) -> dict[str, Any]:
    """The demo contest `make demo` seeds (running now, A+B, B, C), in this test's database."""
    seed(settings, gateway)
    contest = next(c for c in httpx.get(gateway + "/contests").json()["contests"] if c["title"] == DEMO_TITLE)
    return {"base": gateway, "id": contest["id"]}


class Pages:
    """New browser contexts (each its own session storage), closed after the test."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.errors: list[str] = []
        self.hosts: set[str] = set()

    def open(
        self,
        url: str,
        viewport: dict[str, int] = WIDE,
        timezone: str = "UTC",
        before: Callable[[Page], None] | None = None,
    ) -> Page:
        context = self.browser.new_context(viewport=viewport, timezone_id=timezone, locale="en-US")
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(f"{url}: {error}"))
        # The app loads nothing from elsewhere: every request stays on the gateway's host.
        page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))
        if before is not None:
            before(page)
        page.goto(url)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(browser: Browser) -> Iterator[Pages]:
    opened = Pages(browser)
    yield opened
    opened.close()
    assert opened.errors == [], "the app threw in the browser"
    assert {host.split(":")[0] for host in opened.hosts} <= {"127.0.0.1"}, opened.hosts


def screenshot(page: Page, name: str) -> Path:
    """Save the page; also a check that no view shows a stray "null" or "undefined"."""
    lines = {line.strip() for line in page.inner_text("body").splitlines()}
    assert not lines & {"null", "undefined", "NaN"}, f"{name}: a stray value on the page"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
