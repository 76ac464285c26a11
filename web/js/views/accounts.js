// Log in and sign up: one credentials form, two views.

import { field, h } from "../dom.js";

function credentialsForm(app, { title, submitLabel, onSubmit, footer, passwordHint }) {
  const username = h("input", { name: "username", autocomplete: "username", required: true, minlength: "3",
    maxlength: "32" });
  const password = h("input", { name: "password", type: "password", required: true, minlength: "8",
    autocomplete: submitLabel === "Log in" ? "current-password" : "new-password" });
  const error = h("p", { class: "error", role: "alert" });
  const button = h("button", { type: "submit" }, submitLabel);
  const form = h("form", { class: "card narrow", novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!username.value.trim() || !password.value) {
      error.textContent = "Enter a username and a password.";
      return;
    }
    button.disabled = true;
    try {
      await onSubmit(username.value.trim(), password.value);
    } catch (failure) {
      error.textContent = failure.friendly || String(failure);
    } finally {
      button.disabled = false;
    }
  } },
  h("h1", {}, title), field("Username", username), field("Password", password, passwordHint), error,
  button, footer);
  app.show(form);
  username.focus();
}

export function loginView(app, params) {
  credentialsForm(app, {
    title: "Log in",
    submitLabel: "Log in",
    footer: h("p", {}, "No account yet? ", h("a", { href: "#/register" }, "Sign up")),
    onSubmit: async (username, password) => {
      await app.api.login(username, password);
      app.live.reconnect();
      app.say("");
      location.hash = "#" + (params.get("next") || "/contests");
    },
  });
}

export function registerView(app) {
  credentialsForm(app, {
    title: "Sign up",
    submitLabel: "Create account",
    passwordHint: "At least 8 characters, not a common password or your username.",
    footer: h("p", {}, "Already registered? ", h("a", { href: "#/login" }, "Log in")),
    onSubmit: async (username, password) => {
      await app.api.register(username, password);
      await app.api.login(username, password);
      app.live.reconnect();
      app.say(`Welcome, ${username}! Your account is ready.`);
      location.hash = "#/contests";
    },
  });
}
