// A source editor: a textarea over a highlighted copy of its text. Tab indents (Shift+Tab
// dedents); Escape, then Tab, leaves the editor, so the page stays keyboard-navigable.

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

const C_COMMENT = String.raw`\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$)`;
const DOUBLE = String.raw`"(?:\\.|[^"\\\n])*"?`;
const SINGLE = String.raw`'(?:\\.|[^'\\\n])*'?`;
const NUMBER = String.raw`\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[A-Za-z0-9]*`;
const PARTS = {
  python: [String.raw`#[^\n]*`, String.raw`"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|${DOUBLE}|${SINGLE}`],
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

export class Editor {
  constructor(textarea, language) {
    this.textarea = textarea;
    this.language = language;
    this.leaving = false;
    const wrap = document.createElement("div");
    wrap.className = "editor";
    this.code = document.createElement("pre");
    this.code.className = "editor-code";
    this.code.setAttribute("aria-hidden", "true");
    textarea.replaceWith(wrap);
    wrap.append(this.code, textarea);
    textarea.classList.add("editor-input");
    textarea.spellcheck = false;
    textarea.setAttribute("autocapitalize", "off");
    textarea.setAttribute("autocomplete", "off");
    textarea.wrap = "off";
    textarea.addEventListener("input", () => this.render());
    textarea.addEventListener("scroll", () => {
      this.code.scrollTop = textarea.scrollTop;
      this.code.scrollLeft = textarea.scrollLeft;
    });
    textarea.addEventListener("keydown", (event) => this.key(event));
    textarea.addEventListener("blur", () => { this.leaving = false; });
    this.render();
  }

  get value() { return this.textarea.value; }
  set value(text) { this.textarea.value = text; this.render(); }

  setLanguage(language) {
    this.language = language;
    this.render();
  }

  get indentUnit() { return this.language === "go" ? "\t" : "    "; }

  render() {
    // A trailing newline needs a character after it to take up its line in the <pre>.
    this.code.innerHTML = highlight(this.textarea.value, this.language) + "\n";
  }

  key(event) {
    if (event.key === "Escape") { this.leaving = true; return; }
    if (event.key === "Tab" && !this.leaving && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (event.shiftKey) this.dedent(); else this.insert(this.indentUnit);
    } else if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey) {
      const { value, selectionStart } = this.textarea;
      const lineStart = value.lastIndexOf("\n", selectionStart - 1) + 1;
      const indent = /^[ \t]*/.exec(value.slice(lineStart, selectionStart))[0];
      const opens = /[:{([]\s*$/.test(value.slice(lineStart, selectionStart));
      event.preventDefault();
      this.insert("\n" + indent + (opens ? this.indentUnit : ""));
    }
    if (event.key !== "Escape") this.leaving = false;
  }

  insert(text) {
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand("insertText", false, text)) {
      this.textarea.setRangeText(text, this.textarea.selectionStart, this.textarea.selectionEnd, "end");
    }
    this.render();
  }

  dedent() {
    const { value, selectionStart } = this.textarea;
    const lineStart = value.lastIndexOf("\n", selectionStart - 1) + 1;
    const removable = /^(\t| {1,4})/.exec(value.slice(lineStart));
    if (!removable) return;
    this.textarea.setSelectionRange(lineStart, lineStart + removable[0].length);
    this.insert("");
    this.textarea.setSelectionRange(selectionStart - removable[0].length, selectionStart - removable[0].length);
  }
}
