import assert from "node:assert/strict";
import { test } from "node:test";

import { heading, merge, newest, unanswered, unread } from "../../web/js/logic/clarifications.js";

const ME = 7;
const question = { id: 3, from_user_id: ME, from_username: "alice", to_user_id: null, reply_to_id: null, label: "A" };
const answer = { id: 5, from_user_id: null, to_user_id: ME, to_username: "alice", reply_to_id: 3, label: "A" };
const notice = { id: 6, from_user_id: null, to_user_id: null, reply_to_id: null, label: null };
const other = { id: 4, from_user_id: 9, from_username: "bob", to_user_id: null, reply_to_id: null, label: null };

test("merging keeps id order and replaces a repeat instead of adding it", () => {
  let items = merge([], notice);
  items = merge(items, question);
  items = merge(items, answer);
  items = merge(items, { ...answer, text: "again" });
  assert.deepEqual(items.map((item) => item.id), [3, 5, 6]);
  assert.equal(items[1].text, "again");
});

test("unread counts what others wrote after the last one read, never one's own", () => {
  const items = [question, answer, notice];
  assert.equal(unread(items, ME, 0), 2);
  assert.equal(unread(items, ME, 5), 1);
  assert.equal(unread(items, ME, newest(items)), 0);
  assert.equal(unread([question], ME, 0), 0);
  assert.equal(unread([question, other], null, 3), 1); // the jury: bob's question is new
  assert.equal(newest([]), 0);
});

test("headings say who wrote to whom", () => {
  assert.equal(heading(question, ME), "You → jury · problem A");
  assert.equal(heading(answer, ME), "Jury → you · problem A");
  assert.equal(heading(notice, ME), "Jury → everyone");
  assert.equal(heading(other, null), "bob → jury");
  assert.equal(heading(answer, null), "Jury → alice · problem A");
});

test("a question is unanswered until something replies to it", () => {
  assert.deepEqual(unanswered([question, other, notice]).map((item) => item.id), [3, 4]);
  assert.deepEqual(unanswered([question, other, answer, notice]).map((item) => item.id), [4]);
});
