// Source code as the editor sees it: highlighting for the seven languages (source text in,
// HTML out, with comments, strings, numbers and keywords wrapped in <span class="tok-KIND">;
// an unknown language is only escaped) and the editor's indent rules.

const C_LIKE = "auto break case char const continue default do double else enum extern float for goto if " +
  "inline int long register return short signed sizeof static struct switch typedef union unsigned void " +
  "volatile while bool true false NULL";
const KEYWORDS = {
  python: "False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while with " +
    "yield print input range len int str list dict set map",
  c: C_LIKE,
  cpp: C_LIKE + " class namespace using template typename public private protected virtual override new " +
    "delete this nullptr std vector string cin cout endl auto constexpr operator friend",
  java: "abstract assert boolean break byte case catch char class const continue default do double else " +
    "enum extends final finally float for if implements import instanceof int interface long native new " +
    "package private protected public return short static super switch synchronized this throw throws " +
    "try void volatile while var true false null String System",
  javascript: "async await break case catch class const continue debugger default delete do else export " +
    "extends finally for function if import in instanceof let new of return super switch this throw try " +
    "typeof var void while yield true false null undefined require console process",
  go: "break case chan const continue default defer else fallthrough for func go goto if import interface " +
    "map package range return select struct switch type var true false nil int int64 string byte rune fmt",
  rust: "as break const continue crate else enum extern false fn for if impl in let loop match mod move mut " +
    "pub ref return self Self static struct super trait true type unsafe use where while i32 i64 u32 u64 " +
    "usize f64 String Vec println",
};

// A block comment or triple-quoted string spans lines up to its closing mark, or to the end of
// the text while it has none (`(?![\s\S])`: with the "m" flag a `$` would end it at its line).
const END = String.raw`(?![\s\S])`;
const C_COMMENT = String.raw`\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|${END})`;
const DOUBLE = String.raw`"(?:\\.|[^"\\\n])*"?`;
const SINGLE = String.raw`'(?:\\.|[^'\\\n])*'?`;
const NUMBER = String.raw`\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[A-Za-z0-9]*`;
const PARTS = {
  python: [String.raw`#[^\n]*`, String.raw`"""[\s\S]*?(?:"""|${END})|'''[\s\S]*?(?:'''|${END})|${DOUBLE}|${SINGLE}`],
  c: [`${C_COMMENT}|^[ \\t]*#[^\\n]*`, `${DOUBLE}|${SINGLE}`],
  java: [C_COMMENT, `${DOUBLE}|${SINGLE}`],
  javascript: [C_COMMENT, "`(?:\\\\.|[^`\\\\])*`?|" + `${DOUBLE}|${SINGLE}`],
  go: [C_COMMENT, "`[^`]*`?|" + `${DOUBLE}|${SINGLE}`],
  // Rust: a quote starts a char literal only when one character (or escape) and a quote follow;
  // otherwise it is a lifetime.
  rust: [C_COMMENT, String.raw`${DOUBLE}|'(?:\\.|[^'\\\n])'`],
};
PARTS.cpp = PARTS.c;

const PATTERNS = Object.fromEntries(Object.entries(PARTS).map(([language, [comment, string]]) => [
  language,
  new RegExp(`(${comment})|(${string})|(${NUMBER})|([A-Za-z_]\\w*)`, "gm"),
]));
const KEYWORD_SETS = Object.fromEntries(Object.entries(KEYWORDS).map(([k, v]) => [k, new Set(v.split(" "))]));

function escape(text) {
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

export function highlight(source, language) {
  const pattern = PATTERNS[language];
  if (!pattern) return escape(source);
  const keywords = KEYWORD_SETS[language];
  let html = "";
  let last = 0;
  pattern.lastIndex = 0;
  for (let match; (match = pattern.exec(source)); ) {
    if (match[0] === "") { pattern.lastIndex++; continue; }
    const [text, comment, string, number, word] = match;
    const kind = comment ? "comment" : string ? "string" : number ? "number" :
      word && keywords.has(word) ? "keyword" : null;
    if (!kind) continue;
    html += escape(source.slice(last, match.index)) + `<span class="tok-${kind}">${escape(text)}</span>`;
    last = match.index + text.length;
  }
  return html + escape(source.slice(last));
}

// Editing a line: the indent a new line after `before` (the line up to the cursor) takes, and
// how much indent Shift+Tab takes off the start of `line`.
export function newLineIndent(before, unit) {
  const indent = /^[ \t]*/.exec(before)[0];
  return /[:{([]\s*$/.test(before) ? indent + unit : indent;
}

export function dedentWidth(line) {
  const removable = /^(\t| {1,4})/.exec(line);
  return removable ? removable[0].length : 0;
}
