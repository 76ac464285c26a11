// A submission's source, read-only, highlighted by its language's CodeMirror mode: plain text at
// once, the tokens (<span class="tok-KIND">, as in the editor) when the mode has loaded.

import { classHighlighter, highlightCode } from "../../vendor/codemirror/codemirror.js";
import { modeOf } from "../logic/modes.js";
import { loadMode } from "./editor.js";

export function sourceCode(source, language) {
  const pre = document.createElement("pre");
  pre.className = "source";
  pre.textContent = source;
  const mode = modeOf(language);
  if (mode) loadMode(mode).then((support) => highlightInto(pre, source, support.language || support), () => {});
  return pre;
}

function highlightInto(pre, source, language) {
  const parts = document.createDocumentFragment();
  const text = (piece, classes) => {
    if (!classes) { parts.append(piece); return; }
    const span = document.createElement("span");
    span.className = classes;
    span.textContent = piece;
    parts.append(span);
  };
  highlightCode(source, language.parser.parse(source), classHighlighter, text, () => parts.append("\n"));
  pre.replaceChildren(parts);
}
