// Building DOM elements: h() and the verdict badge the views share.

import { VERDICTS } from "./logic/format.js";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === "class") element.className = value;
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

// The verdict as a badge: a short code for the eye, the full name for screen readers and hover.
export function verdictBadge(verdict, status) {
  if (!verdict) {
    const label = status === "judging" ? "Judging…" : "Queued";
    return h("span", { class: `verdict verdict-pending`, "data-verdict": status || "queued" }, label);
  }
  return h("span", { class: `verdict verdict-${verdict === "AC" ? "ok" : "bad"}`, "data-verdict": verdict,
    title: VERDICTS[verdict] || verdict }, VERDICTS[verdict] || verdict);
}

// A labelled form field: the label, the input (given an id from the label when it has none)
// and an optional hint.
export function field(label, input, hint) {
  const id = input.id || `field-${label.toLowerCase().replace(/\W+/g, "-")}`;
  input.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), input,
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}
