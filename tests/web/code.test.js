import assert from "node:assert/strict";
import { test } from "node:test";

import { dedentWidth, highlight, newLineIndent } from "../../web/js/logic/code.js";

// [kind, text] of each highlighted token.
const tokens = (html) => [...html.matchAll(/<span class="tok-(\w+)">(.*?)<\/span>/gs)].map((m) => [m[1], m[2]]);
// The text back, tags dropped and entities read: highlighting must never change it.
const text = (html) => html.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

const SAMPLES = {
  python: ['def f(x):  # twice\n    return "x" * 2\n', [["keyword", "def"], ["comment", "# twice"], ["keyword", "return"], ["string", '"x"'], ["number", "2"]]],
  c: ['#include <stdio.h>\nint main(void) { printf("%d", 42); }\n', [["comment", "#include &lt;stdio.h&gt;"], ["keyword", "int"], ["keyword", "void"], ["string", '"%d"'], ["number", "42"]]],
  cpp: ["std::vector<long> v; // grow\n", [["keyword", "std"], ["keyword", "vector"], ["keyword", "long"], ["comment", "// grow"]]],
  java: ['public class Main { String s = "hi"; }\n', [["keyword", "public"], ["keyword", "class"], ["keyword", "String"], ["string", '"hi"']]],
  javascript: ["const s = `a${b}`; /* note */\n", [["keyword", "const"], ["string", "`a${b}`"], ["comment", "/* note */"]]],
  go: ['func main() { fmt.Println("go", 0x1F) }\n', [["keyword", "func"], ["keyword", "fmt"], ["string", '"go"'], ["number", "0x1F"]]],
  rust: ["fn f<'a>(s: &'a str) -> char { 'x' }\n", [["keyword", "fn"], ["string", "'x'"]]],
};

for (const [language, [source, expected]] of Object.entries(SAMPLES)) {
  test(`${language}: comments, strings, numbers and keywords are marked, the text kept`, () => {
    const html = highlight(source, language);
    assert.deepEqual(tokens(html), expected);
    assert.equal(text(html), source);
  });
}

test("a Rust lifetime is no char literal", () => {
  assert.ok(!tokens(highlight("fn f<'a>(s: &'a str) {}", "rust")).some(([kind]) => kind === "string"));
});

test("an unfinished string is marked to the end of its line", () => {
  assert.deepEqual(tokens(highlight('x = "open\ny = 1', "python")), [["string", '"open'], ["number", "1"]]);
  assert.deepEqual(tokens(highlight("char c = 'x;\nint y;", "c")), [["keyword", "char"], ["string", "'x;"], ["keyword", "int"]]);
});

test("a block comment or triple-quoted string spans its lines; unclosed, it runs to the end", () => {
  assert.deepEqual(tokens(highlight("/* a\n int b */ int c;", "c")), [["comment", "/* a\n int b */"], ["keyword", "int"]]);
  assert.deepEqual(tokens(highlight('"""doc\nif x"""\nif', "python")), [["string", '"""doc\nif x"""'], ["keyword", "if"]]);
  assert.deepEqual(tokens(highlight("'''a\nb'''", "python")), [["string", "'''a\nb'''"]]);
  assert.deepEqual(tokens(highlight("/* open\nint x;", "java")), [["comment", "/* open\nint x;"]]);
  assert.deepEqual(tokens(highlight('x = """open\nif', "python")), [["string", '"""open\nif']]);
});

test("markup in a source is escaped, in an unknown language too", () => {
  assert.equal(highlight("<b>&</b>", "cobol"), "&lt;b&gt;&amp;&lt;/b&gt;");
  assert.equal(text(highlight('s = "<script>"', "python")), 's = "<script>"');
  assert.ok(!highlight('s = "<script>"', "python").includes("<script>"));
});

test("a new line keeps the indent, one unit more after an opening : { ( [", () => {
  assert.equal(newLineIndent("    x = 1", "    "), "    ");
  assert.equal(newLineIndent("    if x:", "    "), "        ");
  assert.equal(newLineIndent("\tfunc main() {  ", "\t"), "\t\t");
  assert.equal(newLineIndent("", "    "), "");
});

test("Shift+Tab takes off a tab or up to four spaces", () => {
  assert.equal(dedentWidth("\tx"), 1);
  assert.equal(dedentWidth("      x"), 4);
  assert.equal(dedentWidth("  x"), 2);
  assert.equal(dedentWidth("x"), 0);
});
