"""Clarifications in two browsers: a contestant asks, the jury answers from its own page in
another browser context, and the contestant sees the answer arrive live, first as an unread
count on the Clarifications tab, then in the list."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Pages, screenshot
from tests.browser.test_contest_day import log_in


def test_a_question_is_answered_live_with_an_unread_count(pages: Pages, demo: dict[str, Any]) -> None:
    base, cid = demo["base"], demo["id"]
    alice = pages.open(f"{base}/#/login?next=/contests/{cid}/clarifications")
    log_in(alice, "alice", "alice-demo-pass")
    expect(alice.get_by_role("heading", name="Clarifications")).to_be_visible()
    alice.get_by_label("Problem").select_option(label=alice.locator("option", has_text="A —").inner_text())
    alice.get_by_label("Question").fill("May the two numbers be negative?")
    alice.get_by_role("button", name="Ask the jury").click()
    mine = alice.locator("li.clarification").first
    expect(mine).to_contain_text("You → jury · problem A")
    expect(mine).to_contain_text("May the two numbers be negative?")
    alice.get_by_role("link", name="Problems").click()  # away from the list: answers count as unread
    unread = alice.locator(".tabs .unread")
    expect(unread).to_be_hidden()

    jury = pages.open(f"{base}/#/login?next=/contests/{cid}/jury/clarifications")
    log_in(jury, "admin", "admin-demo-pass")
    question = jury.locator("li.clarification", has_text="May the two numbers be negative?")
    expect(question).to_contain_text("alice → jury · problem A")
    expect(question.locator("form.answer")).to_have_attribute("data-waiting", "yes")
    question.locator("textarea").fill("No: both are between 0 and 1000.")
    question.get_by_role("button", name="Answer").click()
    expect(question.locator("form.answer")).to_have_attribute("data-waiting", "no")
    screenshot(jury, "clarifications-jury")

    expect(unread).to_have_text("1")  # live, on the Problems page
    jury.get_by_label("Announcement to everyone").fill("The contest ends ten minutes later.")
    jury.get_by_role("button", name="Announce").click()
    expect(unread).to_have_text("2")
    alice.locator(".tabs a", has_text="Clarifications").click()
    items = alice.locator("li.clarification")
    expect(items.first).to_contain_text("Jury → everyone")
    expect(items.nth(1)).to_contain_text("Jury → you · problem A")
    expect(items.nth(1)).to_contain_text("No: both are between 0 and 1000.")
    expect(unread).to_be_hidden()  # read by being shown
    jury.get_by_label("Announcement to everyone").fill("Ten minutes left.")
    jury.get_by_role("button", name="Announce").click()
    expect(items.first).to_contain_text("Ten minutes left.")  # live into the open list
    expect(unread).to_be_hidden()
    screenshot(alice, "clarifications-contestant")
