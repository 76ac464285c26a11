// One WebSocket for the whole app (DESIGN §7): topics are subscribed with the last event id
// seen, so a reconnect replays what was missed. Listeners are per topic.

const MAX_BACKOFF_MS = 10000;

export class Live {
  constructor(url, session) {
    this.url = url;
    this.session = session;
    this.topics = new Map(); // topic -> {listeners: Set, since: string | null}
    this.socket = null;
    this.backoff = 500;
    this.onStatus = () => {};
    this.status = "offline";
  }

  // Follow `topic`; returns a function that stops following it. `since` replays from an id
  // ("0-0" = everything the topic still keeps).
  follow(topic, listener, since = null) {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { listeners: new Set(), since };
      this.topics.set(topic, entry);
      this._send({ action: "subscribe", topic, ...(since ? { since } : {}) });
    }
    entry.listeners.add(listener);
    this._ensure();
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && this.topics.get(topic) === entry) {
        this.topics.delete(topic);
        this._send({ action: "unsubscribe", topic });
      }
    };
  }

  // Log in or out: the connection carries the token, so it is made again.
  reconnect() {
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.close();
      this.socket = null;
    }
    this._ensure();
  }

  _ensure() {
    if (this.socket || this.topics.size === 0) return;
    const token = this.session.token;
    const socket = new WebSocket(token ? `${this.url}?token=${encodeURIComponent(token)}` : this.url);
    this.socket = socket;
    this._setStatus("connecting");
    socket.onopen = () => {
      this.backoff = 500;
      this._setStatus("live");
      for (const [topic, entry] of this.topics) {
        socket.send(JSON.stringify({ action: "subscribe", topic, ...(entry.since ? { since: entry.since } : {}) }));
      }
    };
    socket.onmessage = (message) => this._dispatch(JSON.parse(message.data));
    socket.onclose = () => {
      this.socket = null;
      this._setStatus("offline");
      if (this.topics.size) {
        setTimeout(() => this._ensure(), this.backoff);
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      }
    };
  }

  _dispatch(event) {
    const entry = event.topic && this.topics.get(event.topic);
    if (!entry) return;
    if (event.id) entry.since = event.id;
    for (const listener of [...entry.listeners]) listener(event);
  }

  _send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  _setStatus(status) {
    this.status = status;
    this.onStatus(status);
  }
}
