// A source editor: a textarea over a highlighted copy of its text. Tab indents (Shift+Tab
// dedents); Escape, then Tab, leaves the editor, so the page stays keyboard-navigable.

import { dedentWidth, highlight, newLineIndent } from "../logic/code.js";

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
      event.preventDefault();
      this.insert("\n" + newLineIndent(value.slice(lineStart, selectionStart), this.indentUnit));
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
    const width = dedentWidth(value.slice(lineStart));
    if (!width) return;
    this.textarea.setSelectionRange(lineStart, lineStart + width);
    this.insert("");
    this.textarea.setSelectionRange(selectionStart - width, selectionStart - width);
  }
}
