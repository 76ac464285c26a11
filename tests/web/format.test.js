import assert from "node:assert/strict";
import { test } from "node:test";

import { duration, formatScore, kib, memory } from "../../web/js/logic/format.js";

test("a duration reads as hh:mm:ss, with days in front and never below zero", () => {
  assert.equal(duration(0), "00:00:00");
  assert.equal(duration(59_999), "00:00:59");
  assert.equal(duration((3600 + 2 * 60 + 3) * 1000), "01:02:03");
  assert.equal(duration((2 * 86400 + 5) * 1000), "2d 00:00:05");
  assert.equal(duration(-5000), "00:00:00");
});

test("sizes read in bytes below a KiB, with one decimal below 10 KiB", () => {
  assert.equal(kib(1023), "1023 bytes");
  assert.equal(kib(1536), "1.5 KiB");
  assert.equal(kib(65536), "64 KiB");
  assert.equal(kib(65537), "64 KiB");
});

test("memory reads in KB below a MB, whole MB without decimals", () => {
  assert.equal(memory(512), "512 KB");
  assert.equal(memory(262144), "256 MB");
  assert.equal(memory(1536), "1.5 MB");
});

test("scores: whole points as they are, partial ones to two decimals", () => {
  assert.equal(formatScore(100), "100");
  assert.equal(formatScore(33.3333), "33.33");
});
