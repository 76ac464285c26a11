"""The submit form's editor (CodeMirror 6, web/vendor/codemirror/) in a real browser: typing,
auto-indent, bracket matching, undo, search, leaving it with the keyboard, and each language's
mode: every offered language through the picker, every language id of the mode map through the
read-only source view."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import EDITOR_TEXT, SCREENSHOTS, Pages, Process, screenshot
from tests.browser.test_contest_day import log_in

# [class, text] of each highlighted token under `root`.
TOKENS = """(root) => [...document.querySelectorAll(`${root} [class*="tok-"]`)]
  .map((span) => [span.className, span.textContent])"""

# Each language id's snippet and tokens its mode must mark (kind, text); None: no mode, plain text.
SNIPPETS: dict[str, tuple[str, set[tuple[str, str]] | None]] = {
    "python": (
        'def f(x):  # twice\n    return "x" * 2\n',
        {("keyword", "def"), ("comment", "# twice"), ("number", "2")},
    ),
    "pypy": ("while True:\n    break\n", {("keyword", "while"), ("bool", "True"), ("keyword", "break")}),
    "c": (
        '#include <stdio.h>\nint main(void) { printf("%d", 42); }\n',
        {("typeName", "int"), ("string", '"%d"')},
    ),
    "cpp": ("std::vector<long> v; // grow\n", {("typeName", "vector"), ("comment", "// grow")}),
    "java": ('public class Main { String s = "hi"; }\n', {("keyword", "public"), ("string", '"hi"')}),
    "javascript": ("const s = `a${b}`; /* note */\n", {("keyword", "const"), ("comment", "/* note */")}),
    "go": (
        'func main() { fmt.Println("go", 0x1F) }\n',
        {("keyword", "func"), ("string", '"go"'), ("number", "0x1F")},
    ),
    "rust": ("fn f<'a>(s: &'a str) -> char { 'x' }\n", {("keyword", "fn"), ("string", "'x'")}),
    "kotlin": ('fun main() { val s = "kt" }\n', {("keyword", "fun"), ("keyword", "val"), ("string", '"kt"')}),
    "csharp": (
        "using System; class P { static void Main() {} }\n",
        {("keyword", "using"), ("keyword", "static")},
    ),
    "ruby": (
        'def f(x) # r\n  puts "rb"\nend\n',
        {("keyword", "def"), ("comment", "# r"), ("string", '"rb"')},
    ),
    "php": ('<?php\nfunction f($x) { echo "php"; }\n', {("keyword", "function"), ("string", '"php"')}),
    "haskell": ("main = do -- hs\n  let x = 1\n  print x\n", {("keyword", "do"), ("comment", "-- hs")}),
    "pascal": ("program P; begin writeln('pas') end.\n", {("keyword", "begin"), ("string", "'pas'")}),
    "ocaml": ("let x = 1 in print_int x (* ml *)\n", {("keyword", "let"), ("comment", "(* ml *)")}),
    "lua": ('local x = "lua" -- c\nfunction f() end\n', {("keyword", "local"), ("comment", "-- c")}),
    "perl": (
        'my $x = "pl"; # c\nprint $x;\n',
        {("keyword", "print"), ("string", '"pl"'), ("comment", "# c")},
    ),
    "scala": ('object Main { def main(a: Array[String]) = println("sc") }\n', {("keyword", "object")}),
    "fortran": ("program p\n  integer :: x\n  print *, 'f'\nend program p\n", {("keyword", "program")}),
    "ada": ("procedure Main is begin null; end Main;\n", {("keyword", "procedure"), ("keyword", "null")}),
    "commonlisp": ('(defun f (x) "cl" ; c\n  (+ x 1))\n', {("keyword", "defun"), ("comment", "; c")}),
    "elixir": ('IO.puts "ex"\n', {("string", '"ex"')}),
    "r": ('x <- function(a) { "r" } # c\n', {("keyword", "function"), ("comment", "# c")}),
    "prolog": (":- initialization(main).\n", {("keyword", "initialization")}),
    "awk": ("{ print $1 }\n", {("keyword", "print")}),
    "bash": ('for x in 1 2; do echo "sh"; done # c\n', {("keyword", "for"), ("string", '"sh"')}),
}


def marked(tokens: list[list[str]]) -> set[tuple[str, str]]:
    return {(kind.removeprefix("tok-"), text) for classes, text in tokens for kind in classes.split()}


def editor_page(pages: Pages, demo: dict[str, Any]) -> Page:
    page = pages.open(f"{demo['base']}/#/login?next=/contests/{demo['id']}/problems/1")
    log_in(page, "bob", "bob-demo-pass")
    expect(page.get_by_label("Source code")).to_be_visible()
    return page


def test_the_editor_types_indents_matches_brackets_undoes_searches_and_lets_go(
    pages: Pages, demo: dict[str, Any], judge: Process
) -> None:
    page = editor_page(pages, demo)
    page.get_by_label("Language").select_option("python")
    editor = page.get_by_label("Source code")
    expect(editor).to_have_attribute("role", "textbox")
    editor.click()

    # Auto-indent after a colon; brackets close themselves and typing the closer steps over it.
    page.keyboard.type("def f(a):")
    page.keyboard.press("Enter")
    page.keyboard.type("return [a, (a + 1)]")
    assert page.evaluate(EDITOR_TEXT) == "def f(a):\n    return [a, (a + 1)]"
    expect(page.locator(".cm-content .tok-keyword", has_text="return")).to_be_visible()
    # The cursor just after "]": it and its "[" are marked as a pair.
    expect(page.locator(".cm-matchingBracket")).to_have_count(2)
    assert [t.strip() for t in page.locator(".cm-matchingBracket").all_inner_texts()] == ["[", "]"]
    draft = page.evaluate(f"JSON.parse(sessionStorage.getItem('codearena.draft.{demo['id']}.1')).source")
    assert draft == "def f(a):\n    return [a, (a + 1)]"  # the form follows each change
    screenshot(page, "editor-python-1280")

    # Undo takes back a deletion, redo does it again.
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    assert page.evaluate(EDITOR_TEXT) == ""
    page.keyboard.press("Control+z")
    assert page.evaluate(EDITOR_TEXT) == "def f(a):\n    return [a, (a + 1)]"
    page.keyboard.press("Control+y")
    assert page.evaluate(EDITOR_TEXT) == ""
    page.keyboard.press("Control+z")

    # Search: Ctrl+F opens the panel, Enter selects the next match, Escape goes back to the text.
    page.keyboard.press("Control+f")
    find = page.get_by_role("textbox", name="Find")
    expect(find).to_be_focused()
    find.type("a + 1")
    page.keyboard.press("Enter")
    expect(page.locator(".cm-searchMatch-selected")).to_have_text("a + 1")
    screenshot(page, "editor-search-1280")
    page.keyboard.press("Escape")
    expect(page.locator(".cm-search")).to_have_count(0)
    expect(editor).to_be_focused()
    assert page.evaluate(EDITOR_TEXT) == "def f(a):\n    return [a, (a + 1)]"

    # C++: a brace opens an indented block with its closer on the line below.
    page.get_by_label("Language").select_option("cpp")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("int main() {")
    page.keyboard.press("Enter")
    page.keyboard.type("return 0;")
    assert page.evaluate(EDITOR_TEXT) == "int main() {\n    return 0;\n}"
    expect(page.locator(".cm-content .tok-typeName", has_text="int")).to_be_visible()

    # Tab indents and stays; Escape, then Tab, moves on past the editor, Shift+Tab back before it.
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert page.evaluate(EDITOR_TEXT) == "int main() {\n        return 0;\n}"
    expect(editor).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor).not_to_be_focused()
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"
    assert page.evaluate("document.activeElement.closest('form') !== null")
    editor.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Upload a file")).to_be_focused()


# Resolves once the editor has its language's mode (the editor awaited the same load before).
MODE_LOADED = """async (language) => {
  const { modeOf } = await import("/js/logic/modes.js");
  const { loadMode } = await import("/js/components/editor.js");
  const mode = modeOf(language);
  if (mode) await loadMode(mode);
}"""


def test_each_language_has_its_mode_in_the_editor_and_in_the_source_view(
    pages: Pages, demo: dict[str, Any], judge: Process
) -> None:
    page = editor_page(pages, demo)
    picker = page.get_by_label("Language")
    offered = picker.locator("option").evaluate_all("(options) => options.map((o) => o.value)")
    assert len(offered) >= 7, offered
    labels = picker.locator("option").evaluate_all("(options) => options.map((o) => o.textContent)")
    assert "Elixir (time limit ×2)" in labels and "Python 3" in labels, labels  # time factors shown
    editor = page.get_by_label("Source code")
    note = page.locator(".editor-note")
    for language in offered:
        source, expected = SNIPPETS[language]
        picker.select_option(language)
        page.evaluate(MODE_LOADED, language)  # not while filling: its select-all could miss the text
        editor.fill(source)
        assert page.evaluate(EDITOR_TEXT) == source, language
        if expected is None:
            expect(note).to_be_visible()
            assert page.evaluate(TOKENS, ".cm-content") == [], language
        else:
            expect(note).to_be_hidden()
            page.wait_for_function(
                f"document.querySelectorAll('.cm-content [class*=\"tok-\"]').length >= {len(expected)}"
            )
            assert expected <= marked(page.evaluate(TOKENS, ".cm-content")), language
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".editor").screenshot(path=str(SCREENSHOTS / f"editor-{language}.png"))

    # Every language id of the map, offered here or not: an editor switched to it, and its
    # source view, each highlighted by its mode (the note says when there is none).
    shown = page.evaluate(
        """async (snippets) => {
          const { Editor } = await import("/js/components/editor.js");
          const { sourceCode } = await import("/js/components/source-code.js");
          const tokens = (root) => [...root.querySelectorAll('[class*="tok-"]')]
            .map((s) => [s.className, s.textContent]);
          const out = {};
          for (const [language, [source, expected]] of Object.entries(snippets)) {
            const box = document.createElement("div");
            const textarea = document.createElement("textarea");
            textarea.value = source;
            box.append(textarea);
            document.querySelector("main").append(box);
            const editor = new Editor(textarea, "python");
            await editor.setLanguage(language);
            const pre = sourceCode(source, language);
            box.append(pre);
            // Both highlight once the mode has loaded, the editor in slices: 50 ms, then up to
            // 10 s more until each has marked what the test expects (50 ms alone missed some
            // on a loaded machine); the checks below say what is missing after that.
            await new Promise((resolve) => setTimeout(resolve, 50));
            const marks = (root) => new Set(tokens(root).flatMap(([classes, text]) =>
              classes.split(" ").map((name) => `${name.replace(/^tok-/, "")} ${text}`)));
            const has = (root) => { const found = marks(root); return expected.every((m) => found.has(m)); };
            for (let waited = 0; waited < 10000; waited += 20) {
              if (has(pre) && has(box.querySelector(".cm-content"))) break;
              await new Promise((resolve) => setTimeout(resolve, 20));
            }
            out[language] = { text: pre.textContent, editorText: editor.value,
              note: !box.querySelector(".editor-note").hidden,
              editor: tokens(box.querySelector(".cm-content")), view: tokens(pre) };
          }
          return out;
        }""",
        {
            language: [source, [f"{kind} {text}" for kind, text in expected or ()]]
            for language, (source, expected) in SNIPPETS.items()
        },
    )
    for language, (source, expected) in SNIPPETS.items():
        seen = shown[language]
        assert seen["text"] == seen["editorText"] == source, language
        assert seen["note"] is (expected is None), language
        if expected is None:
            assert seen["view"] == seen["editor"] == [], language
        else:
            assert expected <= marked(seen["view"]), (language, seen["view"])
            assert expected <= marked(seen["editor"]), (language, seen["editor"])
    assert ("string", "'a") not in marked(shown["rust"]["view"])  # a lifetime, not a char
    screenshot(page, "editor-source-views-1280")
