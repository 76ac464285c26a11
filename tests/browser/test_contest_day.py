"""Contest day in a real browser: sign up, log in, solve A+B live, the leaderboard and its
freeze, and the errors a contestant can run into — all against the real gateway and judge."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from codearena import users
from codearena.config import Settings
from codearena.core import Core
from codearena.models import Role
from tests.browser.conftest import EDITOR_TEXT, NARROW, WIDE, Pages, Process, screenshot

WRONG = "import time\ntime.sleep(0.2)\nprint(3)\n"  # right on the sample only
RIGHT = "import time\na, b = map(int, input().split())\ntime.sleep(0.2)\nprint(a + b)\n"

# Records, in the page, each state the newest submission card goes through:
# "<verdict or status>:<tests shown>", and the time the final verdict appeared.
PADDING = b"// padding\n"

WATCH_CARD = """() => {
  window.seen = [];
  const results = document.querySelector(".results");
  new MutationObserver(() => {
    const card = results.querySelector(".submission");
    if (!card) return;
    const state = card.querySelector("h2 .verdict").dataset.verdict + ":" +
      card.querySelectorAll("tr[data-test]").length;
    if (window.seen.at(-1) !== state) window.seen.push(state);
    if (card.dataset.final && !window.finalAt) window.finalAt = Date.now();
  }).observe(results, { subtree: true, childList: true, attributes: true });
}"""

# Records, in the leaderboard page, when `username`'s cell for problem A first shows solved.
WATCH_ROW = """(username) => {
  window.solvedAt = null;
  new MutationObserver(() => {
    if (!window.solvedAt && document.querySelector(
        `tr[data-username="${username}"] td[data-label="A"].cell-solved`)) window.solvedAt = Date.now();
  }).observe(document.querySelector(".board"), { subtree: true, childList: true, attributes: true });
}"""


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def submit(page: Page, source: str) -> None:
    page.evaluate("() => { document.querySelector('.results').replaceChildren(); window.finalAt = null; }")
    page.evaluate(WATCH_CARD)
    page.get_by_label("Source code").fill(source)
    page.get_by_role("button", name="Submit").click()


def test_a_contestant_solves_a_plus_b_live(pages: Pages, demo: dict[str, Any], judge: Process) -> None:
    base, cid = demo["base"], demo["id"]
    page = pages.open(base + "/#/register", timezone="Asia/Kolkata")

    # Sign up, log out, log in again.
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("carol-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome, carol!")).to_be_visible()
    expect(page.locator("#account")).to_contain_text("Logged in as carol")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    log_in(page, "carol", "carol-password")

    # The contest list: running, with times in the viewer's zone (India, UTC+5:30).
    item = page.locator(".contest-item", has_text="CodeArena Demo Contest")
    expect(item).to_contain_text("Running")
    expect(item).to_contain_text("GMT+5:30")
    expect(item.locator(".countdown")).to_contain_text("ends in")
    item.get_by_role("link", name="CodeArena Demo Contest").click()
    expect(page.locator("tr[data-label]")).to_have_count(3)
    expect(page.locator('tr[data-label="A"]')).to_have_attribute("data-status", "untouched")
    screenshot(page, "contest-1280")

    # A viewer on the leaderboard, in another browser context.
    viewer = pages.open(f"{base}/#/contests/{cid}/leaderboard")
    expect(viewer.locator(".board-status")).to_be_visible()
    expect(viewer.locator("#live-status")).to_have_attribute("data-status", "live")
    viewer.evaluate(WATCH_ROW, "carol")

    page.evaluate("window.sameDocument = true")
    page.get_by_role("link", name="A+B").click()
    expect(page.get_by_text("Sample 1")).to_be_visible()
    page.get_by_label("Language").select_option("python")

    # Wrong: queued at once, the sample's result live, then the verdict, with no reload.
    submit(page, WRONG)
    card = page.locator(".results .submission")
    expect(card).to_have_attribute("data-final", "WA", timeout=30000)
    wrong_states = page.evaluate("window.seen")
    assert wrong_states[0] == "queued:0", wrong_states
    assert "judging:1" in wrong_states, wrong_states
    assert wrong_states[-1] == "WA:2", wrong_states
    expect(card.locator('tr[data-test="2"]')).to_contain_text("Wrong answer")

    # Right: every test shows up live, in order, then Accepted.
    submit(page, RIGHT)
    expect(card).to_have_attribute("data-final", "AC", timeout=30000)
    right_states = page.evaluate("window.seen")
    assert right_states[0] == "queued:0", right_states
    shown = [int(state.split(":")[1]) for state in right_states]
    assert shown == sorted(shown) and {1, 2, 3} <= set(shown), right_states
    assert right_states[-1] == "AC:4", right_states
    assert page.evaluate("window.sameDocument") is True, "the page reloaded"
    screenshot(page, "submission-1280")

    # The viewer saw carol's row change within 2 s of the verdict reaching carol.
    viewer.wait_for_function("window.solvedAt !== null", timeout=5000)
    delay_ms = viewer.evaluate("window.solvedAt") - page.evaluate("window.finalAt")
    assert delay_ms < 2000, f"the leaderboard changed {delay_ms} ms after the verdict"
    row = viewer.locator('tr[data-username="carol"]')
    expect(row.locator(".solved")).to_have_text("1")
    expect(row.locator('td[data-label="A"]')).to_contain_text("2 tries")
    expect(row.locator('td[data-label="A"]')).to_have_class("cell cell-solved cell-first")
    screenshot(viewer, "leaderboard-1280")

    # My submissions and the source view; the problem list knows A is solved.
    page.get_by_role("link", name="My submissions").click()
    history = page.locator("table.history tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Accepted")
    expect(history.last).to_contain_text("Wrong answer")
    history.first.get_by_role("link").click()
    expect(page.locator("pre.source")).to_contain_text("print(a + b)")
    expect(page.locator("pre.source .tok-keyword").first).to_be_visible()
    screenshot(page, "submission-view-1280")
    page.set_viewport_size(NARROW)
    screenshot(page, "submission-view-390")
    page.goto(f"{base}/#/contests/{cid}")
    expect(page.locator('tr[data-label="A"]')).to_have_attribute("data-status", "solved")
    screenshot(page, "contest-390")

    # carol's own leaderboard, narrow: her row is marked as hers.
    page.goto(f"{base}/#/contests/{cid}/leaderboard")
    expect(page.locator('tr.mine[data-username="carol"]')).to_be_visible()
    screenshot(page, "leaderboard-390")
    viewer.set_viewport_size(NARROW)
    assert no_horizontal_overflow(page)


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    """API clients a test opens, closed after it."""
    opened: list[httpx.Client] = []
    yield opened
    for client in opened:
        client.close()


def admin_client(base: str, core: Core, clients: list[httpx.Client]) -> httpx.Client:
    users.create_user(core, "jury-admin", "jury-admin-password", Role.ADMIN)
    client = httpx.Client(base_url=base, timeout=10)
    clients.append(client)
    token = client.post("/auth/login", json={"username": "jury-admin", "password": "jury-admin-password"})
    client.headers["Authorization"] = "Bearer " + token.json()["token"]
    return client


def contestant_client(base: str, username: str, clients: list[httpx.Client]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    clients.append(client)
    password = f"{username}-password"
    client.post("/auth/register", json={"username": username, "password": password})
    token = client.post("/auth/login", json={"username": username, "password": password}).json()["token"]
    client.headers["Authorization"] = "Bearer " + token
    return client


def wait_judged(client: httpx.Client, sid: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        submission = client.get(f"/submissions/{sid}").json()
        if submission["status"] == "judged":
            return submission
        time.sleep(0.1)
    raise AssertionError(f"submission {sid} was not judged")


def test_the_freeze_hides_results_and_the_unfreeze_shows_them(
    pages: Pages, demo: dict[str, Any], judge: Process, core: Core, clients: list[httpx.Client]
) -> None:
    base, cid = demo["base"], demo["id"]
    admin = admin_client(base, core, clients)
    dave = contestant_client(base, "dave", clients)
    problems = {p["label"]: p["id"] for p in dave.get(f"/contests/{cid}/problems").json()["problems"]}
    first = dave.post(
        f"/contests/{cid}/submissions",
        json={
            "problem_id": problems["B"],
            "language": "python",
            "source": "print(' '.join(input().split()[::-1]))",
        },
    )
    assert wait_judged(dave, first.json()["id"])["verdict"] == "AC"

    viewer = pages.open(f"{base}/#/contests/{cid}/leaderboard")
    expect(viewer.locator('tr[data-username="dave"] td[data-label="B"]')).to_have_class(
        "cell cell-solved cell-first"
    )
    banner = viewer.locator(".frozen-banner")
    expect(banner).to_be_hidden()

    # The jury freezes the board now: the banner appears without a reload.
    now = datetime.now(UTC)
    assert admin.patch(f"/admin/contests/{cid}", json={"freeze_at": now.isoformat()}).status_code == 200
    expect(banner).to_be_visible(timeout=5000)
    expect(banner).to_contain_text("The scoreboard is frozen")
    expect(viewer.locator(".contest-meta .state")).to_have_text("Running — scoreboard frozen")

    # dave solves A after the freeze: the public sees a pending attempt, dave sees his verdict.
    late = dave.post(
        f"/contests/{cid}/submissions",
        json={"problem_id": problems["A"], "language": "python", "source": RIGHT},
    ).json()["id"]
    assert wait_judged(dave, late)["verdict"] == "AC"
    cell = viewer.locator('tr[data-username="dave"] td[data-label="A"]')
    expect(cell).to_have_class("cell cell-pending", timeout=5000)
    expect(cell).to_contain_text("+1?")
    own = pages.open(f"{base}/#/login?next=/submissions/{late}")
    log_in(own, "dave", "dave-password")
    expect(own.locator(".submission")).to_have_attribute("data-final", "AC")
    screenshot(viewer, "leaderboard-frozen-1280")

    # The jury unfreezes (the contest still runs): the board is live again and shows dave's solve.
    assert admin.post(f"/admin/contests/{cid}/unfreeze").status_code == 202
    expect(cell).to_have_class("cell cell-solved cell-first", timeout=5000)
    expect(banner).to_be_hidden()
    expect(viewer.locator(".contest-meta .state")).to_have_text("Running")


def test_a_source_over_64_kib_is_refused_with_a_readable_message(pages: Pages, demo: dict[str, Any]) -> None:
    base, cid = demo["base"], demo["id"]
    page = pages.open(f"{base}/#/login?next=/contests/{cid}/problems/1")
    log_in(page, "alice", "alice-demo-pass")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.method + " " + request.url))
    # 70,004 bytes, through the file picker (a paste this large takes Chromium's textarea tens of seconds).
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "big.cpp", "mimeType": "text/plain", "buffer": PADDING * 6364}]
    )
    expect(page.get_by_label("Language")).to_have_value("cpp")
    expect(page.locator("#source-size")).to_have_text("68 KiB of 64 KiB")
    page.get_by_role("button", name="Submit").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text(
        "Your source is 68 KiB, over the 64 KiB limit. Make it smaller and submit again."
    )
    assert not [request for request in sent if request.startswith("POST")], sent
    screenshot(page, "too-large-1280")


def test_errors_read_clearly_and_an_expired_session_asks_to_log_in_again(
    pages: Pages, demo: dict[str, Any], core: Core, settings: Settings
) -> None:
    base, cid = demo["base"], demo["id"]
    page = pages.open(base + "/#/login")
    log_in(page, "alice", "not-her-password")
    expect(page.get_by_role("alert")).to_have_text("That username and password do not match.")
    page.locator("#main").get_by_role("link", name="Sign up").click()
    # The sign-up form replaces the login form: filling before it is there fills the old one.
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("another-password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_have_text("That username is already taken; choose another one.")

    # A token the server no longer accepts (expired an hour ago), which the tab still holds.
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = 'alice'")
        alice = cur.fetchone()["id"]
    stale, _ = core.tokens.issue(
        alice, "alice", Role.CONTESTANT, now=time.time() - core.tokens.ttl_seconds - 3600
    )
    user = {
        "id": alice,
        "username": "alice",
        "role": "contestant",
        "expires_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
    }
    page.evaluate(
        "([token, user]) => { sessionStorage.setItem('codearena.token', token);"
        " sessionStorage.setItem('codearena.user', JSON.stringify(user)); }",
        [stale, user],
    )
    page.goto(f"{base}/#/contests/{cid}/submissions")
    expect(page.locator(".notice-error")).to_have_text("Your session has expired. Please log in again.×")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, "alice", "alice-demo-pass")
    expect(page.get_by_role("heading", name="My submissions")).to_be_visible()


def test_keyboard_labels_narrow_screens_and_paging(
    pages: Pages, demo: dict[str, Any], judge: Process, clients: list[httpx.Client]
) -> None:
    base, cid = demo["base"], demo["id"]
    # erin solves A first, frank a moment later (the same minute), grace gets it wrong.
    for name, source in (("erin", RIGHT), ("frank", RIGHT), ("grace", "print(0)")):
        client = contestant_client(base, name, clients)
        answer = client.post(
            f"/contests/{cid}/submissions", json={"problem_id": 1, "language": "python", "source": source}
        )
        assert answer.status_code == 202
        wait_judged(client, answer.json()["id"])

    page = pages.open(f"{base}/#/login?next=/contests/{cid}/problems/1", viewport=NARROW)
    log_in(page, "bob", "bob-demo-pass")
    expect(page.get_by_label("Source code")).to_be_visible()
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
        .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
                       && !c.textContent.trim())
        .map((c) => c.outerHTML)""")
    assert unlabelled == []
    assert no_horizontal_overflow(page)

    # Tab indents inside the editor; Escape then Tab moves on past it (tests/browser/test_editor.py
    # has the rest of the editor).
    editor = page.get_by_label("Source code")
    editor.focus()
    page.keyboard.type("for x in range(3):")
    page.keyboard.press("Enter")
    page.keyboard.type("print(x)")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(EDITOR_TEXT) == "for x in range(3):\n    print(x)\n        "
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(EDITOR_TEXT) == "for x in range(3):\n    print(x)\n    "
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Submit")).to_be_focused()

    # The board, two rows a page: the pager walks through the three contestants.
    page.goto(f"{base}/#/contests/{cid}/leaderboard?per=2")
    expect(page.locator(".board-status")).to_contain_text("of 3 contestants", timeout=15000)
    rows = page.locator("tbody.rows tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).locator('td[data-label="A"]')).to_have_class("cell cell-solved cell-first")
    expect(rows.nth(1).locator('td[data-label="A"]')).to_have_class("cell cell-solved")
    page.get_by_role("button", name="Next page →").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-username", "grace")
    expect(page.get_by_role("button", name="Next page →")).to_be_disabled()

    # One row a page: frank alone on page 2 is still not the first to solve A.
    page.goto(f"{base}/#/contests/{cid}/leaderboard?per=1")
    page.get_by_role("button", name="Next page →").click()
    expect(rows.first).to_have_attribute("data-username", "frank")
    expect(rows.first.locator('td[data-label="A"]')).to_have_class("cell cell-solved")
    assert no_horizontal_overflow(page)
    page.set_viewport_size(WIDE)
    page.get_by_role("button", name="← Previous page").focus()
    page.keyboard.press("Enter")
    expect(rows.first).to_have_attribute("data-username", "erin")


def contest_with_one_problem(
    core: Core, title: str, start: datetime, end: datetime, problem_title: str = "", **extra: Any
) -> tuple[int, int]:
    """A contest with one problem as A (its title `problem_title`, or "<title> A"): ids."""
    from codearena import contests

    contest = contests.create_contest(
        core, {"title": title, "start_at": start.isoformat(), "end_at": end.isoformat(), **extra}
    )
    problem = contests.create_problem(
        core,
        {
            "title": problem_title or f"{title} A",
            "statement": "Print 1.",
            "time_limit_ms": 1000,
            "memory_limit_kb": 65536,
            "tests": [{"input": "", "answer": "1\n"}],
        },
    )
    contests.attach_problem(core, contest["id"], {"problem_id": problem["id"], "label": "A"})
    return int(contest["id"]), int(problem["id"])


def test_an_upcoming_contest_counts_down_in_local_time(
    pages: Pages, demo: dict[str, Any], core: Core
) -> None:
    from codearena import contests

    start = datetime.now(UTC) + timedelta(hours=1)
    upcoming = contests.create_contest(
        core,
        {
            "title": "Night Cup",
            "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(),
        },
    )
    page = pages.open(demo["base"] + "/", timezone="America/New_York")
    item = page.locator(".contest-item", has_text="Night Cup")
    expect(item).to_contain_text("Upcoming")
    expect(item).to_contain_text("EST")
    countdown = item.locator(".countdown")
    expect(countdown).to_contain_text("starts in 00:59:")
    first = countdown.text_content()
    expect(countdown).not_to_have_text(first or "", timeout=3000)  # it ticks
    item.get_by_role("link", name="Night Cup").click()
    expect(page.get_by_text("The problems appear when the contest starts.")).to_be_visible()
    assert page.evaluate("location.hash") == f"#/contests/{upcoming['id']}"

    # A contest that starts while its page and the list are open: both change by themselves.
    soon = datetime.now(UTC) + timedelta(seconds=4)
    early, _ = contest_with_one_problem(
        core, "Dawn Cup", soon, soon + timedelta(hours=1), problem_title="Wake"
    )
    listing = pages.open(demo["base"] + "/")
    dawn = listing.locator(".contest-item", has_text="Dawn Cup")
    expect(dawn).to_contain_text("Upcoming")
    page.goto(f"{demo['base']}/#/contests/{early}")
    expect(page.get_by_text("The problems appear when the contest starts.")).to_be_visible()
    expect(page.get_by_role("link", name="Wake")).to_be_visible(timeout=10000)
    expect(dawn).to_contain_text("Running", timeout=10000)


def test_the_submit_form_closes_when_the_contest_ends_unless_practice_is_open(
    pages: Pages, demo: dict[str, Any], core: Core
) -> None:
    users.create_user(core, "ella", "ella-password", Role.CONTESTANT)
    now = datetime.now(UTC)
    ending, problem = contest_with_one_problem(
        core, "Sunset Cup", now - timedelta(hours=1), now + timedelta(seconds=4)
    )
    page = pages.open(f"{demo['base']}/#/login?next=/contests/{ending}/problems/{problem}")
    log_in(page, "ella", "ella-password")
    button = page.get_by_role("button", name="Submit")
    expect(button).to_be_enabled()
    note = page.locator(".closed-note")
    expect(note).to_be_hidden()
    # The contest ends while the page is open: the form says so and stops sending, no reload.
    expect(note).to_have_text("The contest is over: submissions are closed.", timeout=10000)
    expect(button).to_be_disabled()
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()  # Run closes with it
    expect(page.locator(".contest-meta .state")).to_have_text("Ended")

    practice, other = contest_with_one_problem(
        core, "Replay Cup", now - timedelta(hours=2), now - timedelta(hours=1), practice=True
    )
    page.goto(f"{demo['base']}/#/contests/{practice}/problems/{other}")
    expect(note).to_have_text("The contest is over: practice submissions are judged but not ranked.")
    submit(page, "print(1)\n")
    expect(page.locator(".results .submission")).to_have_count(1)  # accepted (202), judged later
    expect(page.locator(".submit-form .error")).to_have_text("")
    expect(button).to_be_enabled()
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_enabled()


def wait_until(page: Page, condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the page (and Playwright's event handlers) run until `condition` holds."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def test_a_missed_leaderboard_message_is_caught_up_over_http(
    pages: Pages, demo: dict[str, Any], judge: Process, clients: list[httpx.Client]
) -> None:
    base, cid = demo["base"], demo["id"]
    xena, yuri = contestant_client(base, "xena", clients), contestant_client(base, "yuri", clients)

    def judge_one(client: httpx.Client, problem: int, source: str) -> None:
        answer = client.post(
            f"/contests/{cid}/submissions",
            json={"problem_id": problem, "language": "python", "source": source},
        )
        wait_judged(client, answer.json()["id"])

    judge_one(xena, 1, RIGHT)  # xena ranks first
    judge_one(yuri, 1, WRONG)  # yuri second

    # The browser's WebSocket goes through a relay that drops every leaderboard message about
    # yuri (both of his next change: B pending, then B judged).
    dropped: list[dict[str, Any]] = []
    relayed: list[str] = []  # the type of each message the page received

    def relay(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            event = json.loads(message)
            if event.get("type") == "leaderboard" and any(r["username"] == "yuri" for r in event["rows"]):
                dropped.append(event)
                return
            relayed.append(str(event.get("type")))
            socket.send(message)

        server.on_message(to_page)

    page = pages.open(
        f"{base}/#/contests/{cid}/leaderboard", before=lambda p: p.route_web_socket("**/ws*", relay)
    )
    expect(page.locator('tr[data-username="yuri"] td[data-label="A"]')).to_have_class("cell cell-tried")
    wait_until(page, lambda: "subscribed" in relayed)

    # yuri fails B (lost on the way), then xena fails C: no rank moves, so only the version
    # gap in xena's message can bring yuri's B to the page.
    judge_one(yuri, 2, "print(0)")

    def yuri_b_judged() -> bool:
        return any(r["problems"].get("B", {}).get("attempts") == 1 for e in dropped for r in e["rows"])

    wait_until(page, yuri_b_judged)
    assert "leaderboard" not in relayed, relayed  # the page has heard of no change since
    judge_one(xena, 3, "print(0)")
    expect(page.locator('tr[data-username="xena"] td[data-label="C"]')).to_have_class("cell cell-tried")
    expect(page.locator('tr[data-username="yuri"] td[data-label="B"]')).to_have_class(
        "cell cell-tried", timeout=3000
    )


def test_a_contestant_asks_to_join_an_approval_contest_and_logging_out_ends_the_token(
    pages: Pages, demo: dict[str, Any], core: Core, clients: list[httpx.Client]
) -> None:
    base = demo["base"]
    now = datetime.now(UTC)
    cid, _ = contest_with_one_problem(
        core, "Invitational", now - timedelta(minutes=5), now + timedelta(hours=1), registration="approval"
    )
    page = pages.open(base + f"/#/login?next=/contests/{cid}")
    log_in(page, "alice", "alice-demo-pass")
    panel = page.locator(".registration")
    expect(panel).to_contain_text("needs the organizers' approval")
    page.get_by_role("button", name="Ask to take part").click()
    expect(panel).to_have_attribute("data-status", "pending")
    expect(panel).to_contain_text("the organizers have not answered yet")
    screenshot(page, "registration-pending")

    admin = admin_client(base, core, clients)
    alice = admin.get("/admin/users", params={"username": "alice"}).json()["users"][0]["id"]
    assert (
        admin.put(f"/admin/contests/{cid}/participants/{alice}", json={"status": "approved"}).status_code
        == 200
    )
    page.reload()
    expect(panel).to_have_attribute("data-status", "approved")
    expect(panel).to_have_text("You are registered for this contest.")

    token = page.evaluate("() => sessionStorage.getItem('codearena.token')")
    assert httpx.get(base + "/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    page.get_by_role("button", name="Log out").click()
    expect(page.locator(".notice-info")).to_contain_text("You are logged out.")
    refused = httpx.get(base + "/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "token_revoked"
