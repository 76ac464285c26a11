import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { modes } from "../../web/vendor/codemirror/codemirror.js";
import { indentOf, modeOf } from "../../web/js/logic/modes.js";

// The languages without a mode: plain text in the editor (none of the 26).
const PLAIN = new Set([]);
// The seven languages and the nineteen issue 18 adds.
const PLANNED = ["python", "c", "cpp", "java", "javascript", "go", "rust", "kotlin", "pypy", "csharp", "ruby",
  "php", "haskell", "pascal", "ocaml", "lua", "perl", "scala", "fortran", "ada", "commonlisp", "elixir", "r",
  "prolog", "awk", "bash"];
const REGISTRY = JSON.parse(readFileSync(new URL("../../layers/codearena/languages.json", import.meta.url), "utf8"))
  .map(({ name }) => name);

test("each language of the registry and of issue 18 has a mode of the bundle, or is one without", () => {
  for (const language of new Set([...REGISTRY, ...PLANNED])) {
    const mode = modeOf(language);
    if (PLAIN.has(language)) assert.equal(mode, null, language);
    else assert.ok(Object.hasOwn(modes, mode), `${language}: no mode (${mode}) in the bundle`);
  }
});

test("an unknown language, or a name of Object's, is plain text", () => {
  assert.equal(modeOf("cobol"), null);
  assert.equal(modeOf("constructor"), null);
  assert.equal(modeOf("toString"), null);
});

test("every mode the map names loads and parses", async () => {
  for (const mode of new Set(PLANNED.map(modeOf).filter(Boolean))) {
    const support = await modes[mode]();
    const language = support.language ?? support;
    const tree = language.parser.parse("x = 1\n");
    assert.equal(tree.length, 6, mode);
  }
});

test("Go indents with a tab, Ruby with two spaces, the rest with four", () => {
  assert.equal(indentOf("go"), "\t");
  assert.equal(indentOf("ruby"), "  ");
  assert.equal(indentOf("python"), "    ");
  assert.equal(indentOf("cobol"), "    ");
});
