// The HTTP API (DESIGN §8): one fetch wrapper, the session's token, and errors in plain words.

const MESSAGES = {
  invalid_credentials: "That username and password do not match.",
  username_taken: "That username is already taken; choose another one.",
  invalid_username: "Usernames are 3–32 letters, digits, dots, dashes or underscores.",
  reserved_username: "That username is reserved; choose another one.",
  too_many_registrations: "Too many accounts were created from your network in the last hour. Try again later.",
  too_many_failed_logins: "Too many failed logins for this account. Wait a little and try again.",
  missing_token: "Please log in first.",
  invalid_token: "Your session is no longer valid. Please log in again.",
  token_expired: "Your session has expired. Please log in again.",
  token_revoked: "You were logged out. Please log in again.",
  account_banned: "This account is banned. Ask the organizers.",
  not_registered: "Only registered participants may submit to this contest.",
  invitation_required: "This contest is by invitation only.",
  too_many_pending: "You have several submissions waiting to be judged. Wait for their verdicts first.",
  forbidden: "You are not allowed to do that.",
  contest_not_found: "This contest does not exist.",
  problem_not_found: "This problem does not exist in this contest.",
  submission_not_found: "This submission does not exist or is not yours.",
  contest_not_running: "This contest is not accepting submissions right now.",
  source_too_large: "Your source file is over the size limit. Make it smaller and submit again.",
  unknown_language: "That language is not offered by the judges right now.",
  rate_limited: "You are submitting too fast. Wait a few seconds and try again.",
  route_not_found: "The server does not know this page.",
  service_unavailable: "The contest server is busy. Try again in a moment.",
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  // What a contestant reads: our own words for known codes, the server's message otherwise.
  get friendly() {
    if (MESSAGES[this.code]) return MESSAGES[this.code];
    if (this.status === 0) return "The contest server cannot be reached. Check your connection and try again.";
    if (this.status >= 500) return "Something went wrong on the contest server. Try again in a moment.";
    return this.message.charAt(0).toUpperCase() + this.message.slice(1) + (this.message.endsWith(".") ? "" : ".");
  }

  get sessionLost() {
    return ["invalid_token", "token_expired", "token_revoked", "unknown_user", "account_banned"].includes(this.code);
  }
}

const TOKEN = "codearena.token";
const USER = "codearena.user";

export class Session {
  // The token lives in sessionStorage: it lasts as long as the tab, as the issue asks.
  get token() { return sessionStorage.getItem(TOKEN); }
  get user() { return JSON.parse(sessionStorage.getItem(USER) || "null"); }
  get expired() {
    const user = this.user;
    return Boolean(user && Date.parse(user.expires_at) <= Date.now());
  }

  save(token, user) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(USER, JSON.stringify(user));
  }

  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  }
}

export class Api {
  constructor(base, session) {
    this.base = base.replace(/\/$/, "");
    this.session = session;
    this.onSessionLost = () => {};
  }

  async request(method, path, body, { auth = true, headers: extra = {} } = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = this.session.token;
    if (auth && token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network", "the server cannot be reached");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      const failure = new ApiError(response.status, error.code || "http_" + response.status,
        error.message || response.statusText || "request failed");
      if (failure.sessionLost && token) this.onSessionLost(failure);
      throw failure;
    }
    return data;
  }

  get(path) { return this.request("GET", path); }
  post(path, body, headers = {}) { return this.request("POST", path, body, { headers }); }

  async login(username, password) {
    const answer = await this.request("POST", "/auth/login", { username, password }, { auth: false });
    this.session.save(answer.token, { username, expires_at: answer.expires_at });
    const me = await this.get("/auth/me");
    this.session.save(answer.token, { ...me, expires_at: answer.expires_at });
    return me;
  }

  register(username, password) {
    return this.request("POST", "/auth/register", { username, password }, { auth: false });
  }

  // Ends the token on the server too, so a copy of it left behind stops working.
  async logout() {
    try {
      if (this.session.token) await this.request("POST", "/auth/logout", {});
    } catch {
      // Already invalid or the server is unreachable: forgetting it here is what is left.
    }
    this.session.clear();
  }
}
