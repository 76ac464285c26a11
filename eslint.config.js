// ESLint for the web app (`make lint`). web/js runs in the browser as plain ES modules;
// web/js/logic/ is the pure part: no DOM, no browser globals, imports only its own modules,
// so tests/web runs it under `node --test`.

import js from "@eslint/js";
import globals from "globals";

export default [
  // The editor's bundle: built by `make web` from tools/codemirror/, not written here.
  { ignores: ["web/vendor/**"] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": "error",
      "no-unused-vars": ["error", { args: "after-used" }],
    },
  },
  {
    files: ["web/js/**/*.js"],
    ignores: ["web/js/logic/**"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["web/js/logic/**/*.js"],
    // The standard library only: what both the browser and Node.js have.
    languageOptions: { globals: { TextEncoder: "readonly", URLSearchParams: "readonly" } },
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["../*"], message: "web/js/logic imports only web/js/logic" }] }],
    },
  },
  {
    files: ["tests/web/**/*.js", "tools/**/*.{js,mjs}", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
];
