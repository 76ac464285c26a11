// Which CodeMirror mode highlights each language, by language id (the ids of GET /languages),
// and the indent a language's code takes. A mode is a name in web/vendor/codemirror/'s `modes`;
// Ada, Elixir, Prolog and AWK, which CodeMirror has no mode for, take small ones of our own
// (tools/codemirror/simple-modes.js); a language with none is plain text.

const MODES = {
  python: "python", pypy: "python",
  c: "cpp", cpp: "cpp",
  java: "java", kotlin: "kotlin", scala: "scala", csharp: "csharp",
  javascript: "javascript", php: "php",
  go: "go", rust: "rust",
  ruby: "ruby", perl: "perl", lua: "lua", r: "r", bash: "shell",
  haskell: "haskell", ocaml: "ocaml", commonlisp: "commonlisp",
  pascal: "pascal", fortran: "fortran",
  ada: "ada", elixir: "elixir", prolog: "prolog", awk: "awk",
};

// What the language's own style guides indent with; four spaces elsewhere.
const INDENTS = { go: "\t", ruby: "  ", elixir: "  ", scala: "  ", ocaml: "  ", haskell: "  ", commonlisp: "  ", r: "  " };

// The mode's name, or null for plain text.
export function modeOf(language) {
  return Object.hasOwn(MODES, language) ? MODES[language] : null;
}

export function indentOf(language) {
  return Object.hasOwn(INDENTS, language) ? INDENTS[language] : "    ";
}
