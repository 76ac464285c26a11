// The parts of CodeMirror 6 the web app uses, bundled by `make web` into web/vendor/codemirror/
// (ES modules, no network at run time). `modes` maps a mode's name to a function returning a
// promise of its language (a LanguageSupport or a Language): a lang-* package where CodeMirror has one,
// a legacy stream mode otherwise, or one of ours (simple-modes.js: Ada, Elixir, Prolog, AWK, which
// CodeMirror has none for). web/js/logic/modes.js says which mode each language id takes.

import { StreamLanguage } from "@codemirror/language";

export { Compartment, EditorState } from "@codemirror/state";
export {
  EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers,
} from "@codemirror/view";
export { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
export { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
export { highlightSelectionMatches, search, searchKeymap } from "@codemirror/search";
export { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
export { classHighlighter, highlightCode } from "@lezer/highlight";

// Each mode is a chunk of its own (web/vendor/codemirror/chunks/), loaded when first asked for:
// the editor's core does not carry 25 grammars.
const stream = (load, name) => () => load().then((module) => StreamLanguage.define(module[name]));

export const modes = {
  cpp: () => import("@codemirror/lang-cpp").then((m) => m.cpp()),
  go: () => import("@codemirror/lang-go").then((m) => m.go()),
  java: () => import("@codemirror/lang-java").then((m) => m.java()),
  javascript: () => import("@codemirror/lang-javascript").then((m) => m.javascript()),
  php: () => import("@codemirror/lang-php").then((m) => m.php()),
  python: () => import("@codemirror/lang-python").then((m) => m.python()),
  rust: () => import("@codemirror/lang-rust").then((m) => m.rust()),
  commonlisp: stream(() => import("@codemirror/legacy-modes/mode/commonlisp"), "commonLisp"),
  csharp: stream(() => import("@codemirror/legacy-modes/mode/clike"), "csharp"),
  fortran: stream(() => import("@codemirror/legacy-modes/mode/fortran"), "fortran"),
  haskell: stream(() => import("@codemirror/legacy-modes/mode/haskell"), "haskell"),
  kotlin: stream(() => import("@codemirror/legacy-modes/mode/clike"), "kotlin"),
  lua: stream(() => import("@codemirror/legacy-modes/mode/lua"), "lua"),
  ocaml: stream(() => import("@codemirror/legacy-modes/mode/mllike"), "oCaml"),
  pascal: stream(() => import("@codemirror/legacy-modes/mode/pascal"), "pascal"),
  perl: stream(() => import("@codemirror/legacy-modes/mode/perl"), "perl"),
  r: stream(() => import("@codemirror/legacy-modes/mode/r"), "r"),
  ruby: stream(() => import("@codemirror/legacy-modes/mode/ruby"), "ruby"),
  scala: stream(() => import("@codemirror/legacy-modes/mode/clike"), "scala"),
  shell: stream(() => import("@codemirror/legacy-modes/mode/shell"), "shell"),
  ada: stream(() => import("./simple-modes.js"), "ada"),
  awk: stream(() => import("./simple-modes.js"), "awk"),
  elixir: stream(() => import("./simple-modes.js"), "elixir"),
  prolog: stream(() => import("./simple-modes.js"), "prolog"),
};
