// A source editor: CodeMirror 6 (web/vendor/codemirror/, built by `make web`) in place of a
// textarea, with the mode of the chosen language (web/js/logic/modes.js), bracket matching and
// closing, undo history, search (Ctrl+F) and auto-indent. Tab indents (Shift+Tab dedents);
// Escape, then Tab, leaves the editor, so the page stays keyboard-navigable.

import {
  Compartment, EditorState, EditorView, bracketMatching, classHighlighter, closeBrackets, closeBracketsKeymap,
  defaultKeymap, drawSelection, highlightActiveLine, highlightActiveLineGutter, highlightSelectionMatches,
  highlightSpecialChars, history, historyKeymap, indentOnInput, indentUnit, indentWithTab, keymap, lineNumbers,
  modes, search, searchKeymap, syntaxHighlighting,
} from "../../vendor/codemirror/codemirror.js";
import { indentOf, modeOf } from "../logic/modes.js";

const loading = new Map(); // mode name → promise of its language, loaded once a page

// A promise of the CodeMirror language of a mode (its chunk is fetched the first time).
export function loadMode(mode) {
  if (!loading.has(mode)) {
    loading.set(mode, modes[mode]().catch((failure) => { loading.delete(mode); throw failure; }));
  }
  return loading.get(mode);
}

export class Editor {
  // Replaces `textarea` (its text, its label and aria-describedby go to the editor);
  // onChange() runs after each change of the text.
  constructor(textarea, language, onChange = () => {}) {
    this.mode = new Compartment();
    this.indent = new Compartment();
    this.note = document.createElement("p");
    this.note.className = "hint editor-note";
    this.note.hidden = true;
    const label = textarea.labels && textarea.labels[0];
    const content = { "aria-describedby": textarea.getAttribute("aria-describedby") || "" };
    if (label) {
      label.id = label.id || `${textarea.id}-label`;
      label.removeAttribute("for");
      label.addEventListener("click", () => this.view.focus());
      content["aria-labelledby"] = label.id;
    }
    const wrap = document.createElement("div");
    wrap.className = "editor";
    this.view = new EditorView({
      parent: wrap,
      state: EditorState.create({ doc: textarea.value, extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightSpecialChars(), history(), drawSelection(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightActiveLine(), highlightSelectionMatches(),
        syntaxHighlighting(classHighlighter), search({ top: true }), EditorState.tabSize.of(4),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, indentWithTab]),
        this.mode.of([]), this.indent.of([]),
        EditorView.contentAttributes.of(content),
        EditorView.updateListener.of((update) => { if (update.docChanged) onChange(); }),
      ] }),
    });
    textarea.replaceWith(wrap, this.note);
    this.setLanguage(language);
  }

  get value() { return this.view.state.doc.toString(); }
  set value(text) {
    this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
  }

  // Resolves when the language's mode is in place (at once for plain text); never rejects.
  async setLanguage(language) {
    this.language = language;
    const mode = modeOf(language);
    this.say(mode ? "" : "No highlighting for this language: its code is shown as plain text.");
    this.view.dispatch({ effects: [
      this.indent.reconfigure(indentUnit.of(indentOf(language))), this.mode.reconfigure([])] });
    if (!mode) return;
    let support;
    try {
      support = await loadMode(mode);
    } catch {
      if (this.language === language) this.say("The highlighting did not load: the code is shown as plain text.");
      return;
    }
    if (this.language === language) this.view.dispatch({ effects: this.mode.reconfigure(support) });
  }

  say(note) {
    this.note.textContent = note;
    this.note.hidden = !note;
  }

  focus() { this.view.focus(); }
}
