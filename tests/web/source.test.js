import assert from "node:assert/strict";
import { test } from "node:test";

import { extensionsOf, languageOfFile, pickerLabelsOf, titlesOf, utf8Length } from "../../web/js/logic/source.js";

const CATALOG = [
  { name: "python", title: "Python 3", extensions: ["py"], time_factor: 1 },
  { name: "javascript", title: "JavaScript (Node.js)", extensions: ["js", "mjs"], time_factor: 1 },
  { name: "elixir", title: "Elixir", extensions: ["exs"], time_factor: 2.5 },
];

test("a source's size is counted in UTF-8 bytes, as intake counts it", () => {
  assert.equal(utf8Length("abc"), 3);
  assert.equal(utf8Length("é"), 2);
  assert.equal(utf8Length("😀"), 4);
});

test("titles come from the catalog, an unknown language keeps its name", () => {
  const title = titlesOf(CATALOG);
  assert.equal(title("javascript"), "JavaScript (Node.js)");
  assert.equal(title("cobol"), "cobol");
});

test("the picker names a language's time factor only when it is not 1", () => {
  const label = pickerLabelsOf(CATALOG);
  assert.equal(label("python"), "Python 3");
  assert.equal(label("elixir"), "Elixir (time limit ×2.5)");
  assert.equal(label("cobol"), "cobol");
});

test("an uploaded file's extension picks its language when that language is offered", () => {
  const extensions = extensionsOf(CATALOG);
  assert.deepEqual(extensions, { py: "python", js: "javascript", mjs: "javascript", exs: "elixir" });
  assert.equal(languageOfFile("sol.MJS", extensions, ["python", "javascript"]), "javascript");
  assert.equal(languageOfFile("sol.py", extensions, ["javascript"]), null);
  assert.equal(languageOfFile("notes.txt", extensions, ["python"]), null);
});
