"""The jury page in a real browser: every submission of the contest, filtered by verdict, one
submission's tests with their expected answers, and a rejudge from there (audited); against
the real judge: the list kept live over the WebSocket, the judge's output and its diff."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from playwright.sync_api import expect

from codearena import contests, users, verifications
from codearena.core import Core
from codearena.models import Role, Verdict
from codearena.packages.model import BundledSubmission
from tests.browser.conftest import Pages, Process, screenshot
from tests.browser.test_contest_day import WRONG, admin_client, clients, contestant_client, log_in
from tests.integration.conftest import contest_with_problem
from tests.integration.test_standings import judged, record_and_publish

__all__ = ["clients"]  # the fixture, shared

A_PLUS_B = {
    "title": "A+B",
    "statement": "sum",
    "time_limit_ms": 1000,
    "memory_limit_kb": 262144,
    "tests": [{"input": "1 2\n", "answer": "3\n", "sample": True}, {"input": "5 7\n", "answer": "12\n"}],
}
PLAN = [("ann", "python", Verdict.AC), ("ben", "cpp", Verdict.WA), ("ann", "c", Verdict.WA)]


def played_contest(core: Core) -> tuple[int, list[int]]:
    contest = contest_with_problem(
        core, A_PLUS_B, start=-timedelta(hours=1), end=timedelta(hours=1), title="Jury Cup"
    )
    team = {name: users.create_user(core, name, f"password-{name}")["id"] for name in ("ann", "ben")}
    sids = []
    for minute, (name, language, verdict) in enumerate(PLAN):
        with core.db.transaction() as cur:
            cur.execute(
                "INSERT INTO submissions (contest_id, problem_id, user_id, language, source, created_at)"
                " VALUES (%s, %s, %s, %s, %s, now() - %s * interval '1 minute') RETURNING id",
                (
                    contest["id"],
                    contest["problem_id"],
                    team[name],
                    language,
                    f"// {name} {verdict}",
                    30 - minute,
                ),
            )
            sids.append(int(cur.fetchone()["id"]))
        record_and_publish(core, judged(core, sids[-1], verdict))
    return int(contest["id"]), sids


def test_the_jury_filters_reads_a_submission_and_rejudges_it(
    pages: Pages, gateway: str, core: Core, clients: list[httpx.Client]
) -> None:
    admin = admin_client(gateway, core, clients)
    cid, (ac, wa_ben, wa_ann) = played_contest(core)
    page = pages.open(f"{gateway}/#/login?next=/contests/{cid}/jury")
    log_in(page, "jury-admin", "jury-admin-password")
    rows = page.locator(".jury-submissions tbody tr")
    expect(rows).to_have_count(3)
    assert [row.get_attribute("data-submission-id") for row in rows.all()] == [
        str(s) for s in (wa_ann, wa_ben, ac)
    ]
    expect(page.get_by_role("link", name="Jury")).to_have_attribute("aria-current", "page")

    page.get_by_label("Verdict").select_option("WA")
    page.get_by_label("Participant (user id)").fill(str(users_id(core, "ben")))
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page.locator(".jury-filters ~ h2")).to_have_text("Submissions 1–1 of 1")
    rows.first.get_by_role("button", name=f"#{wa_ben}").click()
    details = page.locator(".jury-details")
    expect(details).to_contain_text(f"Submission #{wa_ben} — ben, problem A")
    expect(details).to_contain_text("tests judged before outputs were kept")
    expect(details.locator('tr[data-test="1"] td').nth(6)).to_have_text("not kept")
    expect(details.locator(".jury-tests tbody tr")).to_have_count(1)  # judged() runs the first test
    expect(details.locator('tr[data-test="1"] td').nth(5)).to_have_text("3")
    expect(details.locator("pre.source")).to_contain_text("// ben WA")
    assert "null" not in page.inner_text("main")
    screenshot(page, "jury-details")

    details.get_by_role("button", name="Rejudge").click()
    expect(page.locator("#notice")).to_contain_text(f"Submission #{wa_ben} queued for judgement 2.")
    audit = admin.get(f"/admin/contests/{cid}/audit").json()["entries"]
    assert [(e["username"], e["route"], e["ids"]) for e in audit] == [
        ("jury-admin", "/admin/submissions/{sid}/rejudge", {"sid": str(wa_ben)})
    ]
    expect(page.locator(".jury-judging .queue")).to_have_text(re.compile(r"Queue: [1-9][0-9]* waiting"))


def users_id(core: Core, username: str) -> int:
    with core.db.transaction() as cur:
        cur.execute("SELECT id FROM users WHERE username = %s", (username,))
        return int(cur.fetchone()["id"])


def test_a_contestant_has_no_jury_page(pages: Pages, gateway: str, core: Core) -> None:
    cid, _ = played_contest(core)
    page = pages.open(f"{gateway}/#/login?next=/contests/{cid}/jury")
    log_in(page, "ann", "password-ann")
    expect(page.get_by_text("This page is for the jury.")).to_be_visible()
    expect(page.get_by_role("link", name="Jury")).to_have_count(0)
    expect(page.locator(".jury-submissions")).to_have_count(0)


def test_the_list_is_live_and_a_wrong_answer_shows_the_judges_output_and_a_diff(
    pages: Pages, demo: dict[str, Any], judge: Process, core: Core, clients: list[httpx.Client]
) -> None:
    base, cid = demo["base"], demo["id"]
    admin_client(base, core, clients)
    eve = contestant_client(base, "eve", clients)
    problems = {p["label"]: p for p in eve.get(f"/contests/{cid}/problems").json()["problems"]}
    page = pages.open(f"{base}/#/login?next=/contests/{cid}/jury")
    log_in(page, "jury-admin", "jury-admin-password")
    expect(page.locator(".jury-filters ~ h2")).to_have_text(re.compile(r"Submissions|No submissions"))
    page.evaluate("() => { window.notReloaded = true; }")

    sent = eve.post(
        f"/contests/{cid}/submissions",
        json={"problem_id": problems["A"]["id"], "language": "python", "source": WRONG},
    )
    assert sent.status_code == 202, sent.text
    sid = sent.json()["id"]
    row = page.locator(f'.jury-submissions tr[data-submission-id="{sid}"]')
    expect(row).to_contain_text("eve", timeout=10_000)  # arrived without a reload
    expect(row.locator(".verdict")).to_have_attribute("data-verdict", "WA", timeout=30_000)  # judged, live
    assert page.evaluate("() => window.notReloaded") is True
    expect(page.locator(".jury-submissions tbody tr").first).to_have_attribute("data-submission-id", str(sid))

    row.get_by_role("button", name=f"#{sid}").click()
    details = page.locator(".jury-details")
    tests = details.locator(".jury-tests")
    failed = tests.locator("tr[data-test]").filter(has=page.locator('[data-verdict="WA"]'))
    expect(failed).to_have_count(1)
    index = failed.get_attribute("data-test")
    answer = failed.locator("td").nth(5).inner_text().strip()
    expect(failed.locator("td").nth(6)).to_have_text("3")  # what the program printed
    assert answer != "3"
    diff = tests.locator(f'tr.diff-row[data-diff="{index}"]')
    expect(diff.locator("figcaption")).to_contain_text(
        f"Test {index}: the judge's output against the expected answer"
    )
    expect(diff.locator(".diff-answer")).to_have_text(f"- {answer}\n")
    expect(diff.locator(".diff-output")).to_have_text("+ 3\n")
    expect(tests.locator("tr.diff-row")).to_have_count(1)  # the accepted tests have no diff
    screenshot(page, "jury-output-diff")


def test_a_packages_verification_is_followed_live_from_the_jury_page(
    pages: Pages, gateway: str, core: Core
) -> None:
    """The jury page links each problem's package verification; its page follows the judge
    host's report as it is rewritten (queued, a file judged, done with a mismatch and the
    derived time limit)."""
    cid, _ = played_contest(core)
    pid = contests.list_problems(core, cid, jury=True)["problems"][0]["id"]
    bundled = [
        BundledSubmission("submissions/accepted/sum.py", frozenset({Verdict.AC}), "python", b""),
        BundledSubmission("submissions/wrong_answer/off.py", frozenset({Verdict.WA}), "python", b""),
        BundledSubmission("submissions/accepted/notes.txt", frozenset({Verdict.AC}), None, b""),
    ]
    verifications.queue(core, pid, bundled, derives_time_limit=True)
    users.create_user(core, "jury-admin", "jury-admin-password", Role.ADMIN)
    page = pages.open(f"{gateway}/#/login?next=/contests/{cid}/jury")
    log_in(page, "jury-admin", "jury-admin-password")
    page.locator(".jury-packages").get_by_role("link", name="A — A+B").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problem A — A+B: package verification")
    status = page.locator(".verification-status")
    expect(status).to_have_text("Queued: 3 files to judge.")
    expect(page.locator(".verification-limit")).to_contain_text("1 s until then")

    stored = verifications.load(core, pid)
    assert stored is not None
    sum_py, off_py, notes = stored["files"]
    judged_one = {**sum_py, "got": "AC", "time_ms": 120, "as_expected": True}
    verifications.save(
        core, {**stored, "status": "running", "host": "judge-7-verify0", "files": [judged_one, off_py, notes]}
    )
    expect(status).to_have_text("Judging on judge-7-verify0: 1 of 3 files judged.")
    expect(page.locator('[data-path="submissions/accepted/sum.py"]')).to_contain_text("as expected")

    files = [
        judged_one,
        {**off_py, "got": "AC", "time_ms": 90, "as_expected": False},
        {**notes, "note": "not judged: no language of ours reads .txt"},
    ]
    done = {"status": "done", "files": files, "time_limit_ms": 1000, "derived_time_limit_ms": 1000}
    verifications.save(core, {**stored, "host": "judge-7-verify0", **done})
    expect(status).to_have_text("Done: 1 of 3 files as expected, 1 mismatch, 1 not checked.")
    expect(page.locator(".verification-limit")).to_have_text(
        "Time limit 1000 ms, derived from the accepted submissions."
    )
    mismatch = page.locator('[data-outcome="mismatch"]')
    expect(mismatch).to_contain_text("submissions/wrong_answer/off.py")
    expect(mismatch.locator('[data-verdict="AC"]')).to_be_visible()
    screenshot(page, "jury-verification")

    unverified = contests.create_problem(core, {**A_PLUS_B, "title": "Made from JSON"})["id"]
    page.goto(f"{gateway}/#/contests/{cid}/jury/problems/{unverified}/verification")
    expect(page.locator(".verification-status")).to_contain_text("has no verification")
