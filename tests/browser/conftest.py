"""The web app in Debian's Chromium (Playwright), against the real gateway and a judge host.

One gateway serves the package's tests (each starts from an emptied database and Redis, as
everywhere); each test has a judge host of its own; each page a browser context of its own,
in a tab the package's tests share (`Tabs`).

Screenshots go to test-artifacts/screenshots/ (git-ignored)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Error, Frame, Page, sync_playwright

from codearena.auth import CHEAP_COST
from codearena.config import Settings
from codearena_cli.devservers import Services
from codearena_cli.seed import DEMO_TITLE, seed
from tests.conftest import JWT_SECRET, ScratchDatabase, ScratchDatabases
from tests.e2e.conftest import Process, judge_instance, start_gateway

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


@pytest.fixture(scope="package")
def module_database(module_databases: ScratchDatabases) -> Iterator[ScratchDatabase]:
    """One database for the whole package, which the shared gateway serves (`database_url`
    still empties it before each test)."""
    scratch = module_databases.take()
    yield scratch
    module_databases.give_back(scratch)


@pytest.fixture(scope="package")
def shared_gateway(module_database: ScratchDatabase, services: Services) -> Iterator[tuple[str, Process]]:
    """The gateway of the package's tests (one per test cost ~0.5 s of CPU to start, each)."""
    settings = Settings(
        database_url=module_database.url,
        redis_url=services.redis_url,
        jwt_secret=JWT_SECRET,
        password_cost=CHEAP_COST,
    )
    base, process = start_gateway(settings)
    yield base, process
    process.stop()


@pytest.fixture
def gateway(shared_gateway: tuple[str, Process], settings: Settings) -> str:
    """The shared gateway's base URL, for a test that starts from an empty database and Redis."""
    base, process = shared_gateway
    assert process.popen.poll() is None, "the gateway has stopped:\n" + process.output()
    return base


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


class Tabs:
    """Browser tabs the package's tests share, each in a browser context of its own (its own
    cookies and storage, as a separate browser would have), one timezone per context. A test
    takes a tab no other page of the test has; after the test the tab is reset (its session
    and local storage and its context's cookies cleared, its handlers removed, about:blank
    shown) and kept for another test, which loads the app in it as a new document. A page in
    a fresh context cost ~1.3 s of CPU to load the app and log in, one in a reused tab ~0.35 s:
    its renderer process has the app's files cached and compiled. A tab that cannot be reset
    so (closed, routed, shown elsewhere) is closed with its context."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.idle: dict[str, list[Page]] = {}

    def take(self, timezone: str, viewport: dict[str, int]) -> Page:
        idle = self.idle.setdefault(timezone, [])
        if not idle:
            context = self.browser.new_context(viewport=viewport, timezone_id=timezone, locale="en-US")
            return context.new_page()
        page = idle.pop()
        if page.viewport_size != viewport:
            page.set_viewport_size(viewport)
        return page

    def give_back(self, tab: Tab) -> None:
        page, context = tab.page, tab.page.context
        try:
            for event, handler in tab.handlers:
                page.remove_listener(event, handler)
            if tab.routed or page.is_closed() or tab.origins != {_origin(page.url)}:
                context.close()
                return
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
            for other in context.pages:
                if other != page:
                    other.close()
            context.clear_cookies()
            context.clear_permissions()
            page.goto("about:blank")
        except Error:
            with contextlib.suppress(Error):
                context.close()
            return
        self.idle[tab.timezone].append(page)

    def close(self) -> None:
        for idle in self.idle.values():
            for page in idle:
                page.context.close()


@dataclass
class Tab:
    """A tab a test took: what it needs to give it back."""

    page: Page
    timezone: str
    routed: bool  # the test routed its requests (`before`)
    origins: set[str] = field(default_factory=set)  # of the documents it showed
    handlers: list[tuple[str, Callable[..., None]]] = field(default_factory=list)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="package")
def tabs(browser: Browser) -> Iterator[Tabs]:
    shared = Tabs(browser)
    yield shared
    shared.close()


class Pages:
    """The pages of a test, each in a browser context of its own; given back after the test."""

    def __init__(self, tabs: Tabs) -> None:
        self.tabs = tabs
        self.taken: list[Tab] = []
        self.errors: list[str] = []
        self.hosts: set[str] = set()

    def open(
        self,
        url: str,
        viewport: dict[str, int] = WIDE,
        timezone: str = "UTC",
        before: Callable[[Page], None] | None = None,
    ) -> Page:
        tab = Tab(self.tabs.take(timezone, viewport), timezone, routed=before is not None)
        self.taken.append(tab)

        def navigated(frame: Frame) -> None:
            if frame.url.startswith("http"):
                tab.origins.add(_origin(frame.url))

        tab.handlers += [
            ("pageerror", lambda error: self.errors.append(f"{url}: {error}")),
            # The app loads nothing from elsewhere: every request stays on the gateway's host.
            ("request", lambda request: self.hosts.add(urlsplit(request.url).netloc)),
            ("framenavigated", navigated),
        ]
        for event, handler in tab.handlers:
            tab.page.on(event, handler)
        if before is not None:
            before(tab.page)
        tab.page.goto(url)
        return tab.page

    def close(self) -> None:
        for tab in self.taken:
            self.tabs.give_back(tab)


@pytest.fixture
def pages(tabs: Tabs) -> Iterator[Pages]:
    opened = Pages(tabs)
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
