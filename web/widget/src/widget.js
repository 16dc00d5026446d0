// The Koers chat widget: a launcher button and a chat panel, talking to Rasa over socket.io.
//
// Reliability: every message the employee sends gets a client id and waits in an outbox (kept
// in sessionStorage) until the server acknowledges it; after a reconnect or a reload the outbox
// is sent again and the server drops what it already had. Bot messages are numbered per
// conversation (koers_seq/koers_epoch); on reconnect the widget asks for the ones after the
// last it has, and ignores numbers it already shows.
//
// Identity: the page's token goes along on every (re)connect. When it expires on an open
// socket the server drops the identity (the chat goes on anonymously) and says so; the widget
// then fires the DOM event "koers:token-expired" (detail: { setToken }) and calls the
// onTokenExpired option, so the page can fetch a fresh token and hand it over with
// widget.setToken(token) (docs/widget.md).

import { io } from "socket.io-client";
import { makeLink, renderMarkdown, safeUrl } from "./markdown.js";
import { browserSecret, emptyState, loadState, newClientId, saveState } from "./storage.js";

const ACK_TIMEOUT_MS = 30000;
const MAX_CHARS = 1500;
const TEXT = {
  launcher: "Chat met Koers",
  close: "Sluit de chat",
  label: "Je bericht",
  placeholder: "Typ je bericht…",
  send: "Verstuur",
  log: "Gesprek met Koers",
  typing: "Koers is aan het typen…",
  you: "Jij",
  bot: "Koers",
  repliesLabel: "Kies een antwoord",
  offline: "Geen verbinding. We proberen het opnieuw. Wat je typt, versturen we zodra het weer kan.",
  online: "Verbinding hersteld.",
  pending: "wacht op verbinding",
  tooLong: (n) => `Je bericht is te lang (${n} van maximaal ${MAX_CHARS} tekens).`,
  intro: "Hoi! Ik ben Koers. Je kunt hier anoniem praten over je loopbaan. Waar wil je mee beginnen?",
  introReplies: [
    { title: "Doe de talentscan", payload: "/start_scan" },
    { title: "Wat kun je voor me doen?", payload: "/ask_capabilities" },
    { title: "Is dit anoniem?", payload: "/ask_privacy" },
  ],
  refused: "Koers is nu niet bereikbaar. Probeer het later opnieuw.",
  downloadTitle: "Je voorbereidingsblad",
  downloadHtml: "Open als webpagina",
  downloadPdf: "Download als pdf",
  downloadUntil: (date) => `Te downloaden tot en met ${date}.`,
  counter: (n) => `${n} van ${MAX_CHARS} tekens`,
};

let instances = 0;

function el(doc, tag, props = {}, children = []) {
  const node = doc.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("aria-") || key === "role" || key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) node.appendChild(child);
  return node;
}

function dutchDate(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(iso || ""));
  if (!match) return null;
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return new Intl.DateTimeFormat("nl-NL", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}

export class KoersWidget {
  constructor({ socketUrl, socketPath = "/socket.io", token = "", title = "Koers", root = document.body, onTokenExpired = null }) {
    this.doc = root.ownerDocument;
    this.socketUrl = socketUrl;
    this.socketPath = socketPath;
    this.token = token;
    this.onTokenExpired = typeof onTokenExpired === "function" ? onTokenExpired : null;
    this.waitingForToken = false;
    this.title = title;
    this.storageKey = `koers-widget:${socketUrl}${socketPath}`;
    this.state = loadState(this.storageKey);
    this.inFlight = new Set();
    this.ready = false;
    this.refused = false;
    this.wasOffline = false;
    this.id = `koers-${++instances}`;
    this.build(root);
    this.renderAll();
    if (this.state.open) this.open({ focus: false });
    this.connect();
  }

  // ---- DOM ------------------------------------------------------------------------------

  build(root) {
    const d = this.doc;
    this.launcher = el(d, "button", {
      type: "button", class: "koers-launcher", "aria-expanded": "false",
      "aria-controls": `${this.id}-panel`, text: TEXT.launcher,
    });
    this.launcher.addEventListener("click", () => this.open());

    this.titleEl = el(d, "h2", { class: "koers-title", id: `${this.id}-title`, text: this.title });
    this.closeButton = el(d, "button", { type: "button", class: "koers-close", "aria-label": TEXT.close });
    this.closeButton.appendChild(el(d, "span", { "aria-hidden": "true", text: "×" }));
    this.closeButton.addEventListener("click", () => this.close());
    this.status = el(d, "p", { class: "koers-status", role: "status" });
    this.alert = el(d, "p", { class: "koers-alert", role: "alert" });
    this.alert.hidden = true;

    this.list = el(d, "ol", { class: "koers-messages", "aria-label": "Berichten" });
    this.typing = el(d, "div", { class: "koers-typing" }, [
      el(d, "span", { class: "koers-dots", "aria-hidden": "true" }, [el(d, "span"), el(d, "span"), el(d, "span")]),
      el(d, "span", { class: "koers-sr-only", text: TEXT.typing }),
    ]);
    this.typing.hidden = true;
    this.scroller = el(d, "div", { class: "koers-scroller", tabIndex: 0, role: "region", "aria-label": TEXT.log }, [this.list, this.typing]);
    this.live = el(d, "div", { class: "koers-sr-only", "aria-live": "polite", "aria-atomic": "false" });

    this.input = el(d, "textarea", {
      id: `${this.id}-input`, class: "koers-input", rows: 1, maxLength: MAX_CHARS,
      placeholder: TEXT.placeholder, autocomplete: "off", "aria-describedby": `${this.id}-counter`,
    });
    this.counter = el(d, "span", { id: `${this.id}-counter`, class: "koers-counter", "aria-live": "polite" });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => this.updateCounter());
    this.sendButton = el(d, "button", { type: "submit", class: "koers-send", text: TEXT.send });
    this.form = el(d, "form", { class: "koers-form", noValidate: true }, [
      el(d, "label", { class: "koers-sr-only", htmlFor: `${this.id}-input`, text: TEXT.label }),
      this.input, this.sendButton, this.counter,
    ]);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });

    this.panel = el(d, "div", {
      id: `${this.id}-panel`, class: "koers-panel", role: "dialog", "aria-modal": "false",
      "aria-labelledby": `${this.id}-title`,
    }, [
      el(d, "div", { class: "koers-header" }, [this.titleEl, this.closeButton]),
      this.status, this.alert, this.scroller, this.live, this.form,
    ]);
    this.panel.hidden = true;
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
      }
    });
    this.container = el(d, "div", { class: "koers-widget", lang: "nl" }, [this.launcher, this.panel]);
    root.appendChild(this.container);
  }

  open({ focus = true } = {}) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.state.open = true;
    this.persist();
    this.scrollDown();
    if (focus) (this.input.disabled ? this.closeButton : this.input).focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.persist();
    this.launcher.focus();
  }

  updateCounter() {
    const n = this.input.value.length;
    this.counter.textContent = n > MAX_CHARS * 0.8 ? TEXT.counter(n) : "";
  }

  scrollDown() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  persist() {
    saveState(this.storageKey, this.state);
  }

  announce(text) {
    const line = el(this.doc, "p", { text });
    this.live.appendChild(line);
    while (this.live.childElementCount > 3) this.live.firstElementChild.remove();
  }

  renderAll() {
    this.list.replaceChildren();
    if (!this.state.items.length) {
      this.list.appendChild(this.renderItem({ kind: "intro", text: TEXT.intro, replies: TEXT.introReplies }));
    }
    for (const item of this.state.items) this.list.appendChild(this.renderItem(item));
    this.updateTyping();
    this.scrollDown();
  }

  /** The bot items of the latest reply (since the employee's last message) that have
   * buttons: they all stay open, so one card per workshop each keeps its own "Schrijf me in";
   * the employee's next message closes them. */
  openRepliesItems() {
    const open = new Set();
    for (let i = this.state.items.length - 1; i >= 0; i--) {
      const item = this.state.items[i];
      if (item.kind === "user") break;
      if (item.kind === "bot" && item.replies && item.replies.length) open.add(item);
    }
    return open;
  }

  renderItem(item) {
    const d = this.doc;
    const who = item.kind === "user" ? TEXT.you : TEXT.bot;
    const li = el(d, "li", { class: `koers-msg koers-msg-${item.kind === "user" ? "user" : "bot"}` });
    li.appendChild(el(d, "span", { class: "koers-sr-only", text: `${who}: ` }));
    const bubble = el(d, "div", { class: "koers-bubble" });
    if (item.kind === "user") {
      bubble.appendChild(el(d, "p", { text: item.text }));
      if (item.status === "pending") {
        li.classList.add("koers-pending");
        bubble.appendChild(el(d, "span", { class: "koers-meta", text: TEXT.pending }));
      }
    } else if (item.text) {
      bubble.appendChild(renderMarkdown(item.text, d));
    }
    if (item.text || item.kind === "user") li.appendChild(bubble);
    const card = item.custom && this.renderDownload(item.custom.koers_download);
    if (card) li.appendChild(card);
    const replies = item.kind === "intro" ? (this.state.items.length ? null : item.replies)
      : (this.openRepliesItems().has(item) ? item.replies : null);
    if (replies && replies.length) li.appendChild(this.renderReplies(replies));
    return li;
  }

  renderReplies(replies) {
    const d = this.doc;
    const group = el(d, "ul", { class: "koers-replies", "aria-label": TEXT.repliesLabel });
    for (const reply of replies) {
      const title = String(reply.title ?? reply.payload ?? "");
      const payload = String(reply.payload ?? reply.title ?? "");
      const button = el(d, "button", { type: "button", class: "koers-reply", text: title });
      button.addEventListener("click", () => {
        this.send(payload, title);
        // the buttons go away: keep the focus in the chat. On a touch screen not in the text
        // box, which would pop up the keyboard after every tap.
        const touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
        (touch ? this.scroller : this.input).focus({ preventScroll: true });
      });
      group.appendChild(el(d, "li", {}, [button]));
    }
    return group;
  }

  renderDownload(download) {
    if (!download || typeof download !== "object") return null;
    const d = this.doc;
    const links = [[download.html_url, TEXT.downloadHtml], [download.pdf_url, TEXT.downloadPdf]]
      .map(([url, label]) => [safeUrl(url), label]).filter(([url]) => url);
    if (!links.length) return null;
    const headingId = `${this.id}-dl-${Math.random().toString(36).slice(2, 8)}`;
    const card = el(d, "section", { class: "koers-card", "aria-labelledby": headingId }, [
      el(d, "h3", { id: headingId, text: TEXT.downloadTitle }),
    ]);
    const list = el(d, "ul", { class: "koers-card-links" });
    for (const [url, label] of links) list.appendChild(el(d, "li", {}, [makeLink(d, url, label)]));
    card.appendChild(list);
    const until = dutchDate(download.expires_on);
    if (until) card.appendChild(el(d, "p", { class: "koers-meta", text: TEXT.downloadUntil(until) }));
    return card;
  }

  updateTyping() {
    this.typing.hidden = !(this.ready && this.state.outbox.length > 0);
  }

  addItem(item, { announce = false } = {}) {
    const closesReplies = item.kind === "user" && this.openRepliesItems().size > 0;
    this.state.items.push(item);
    this.persist();
    if (this.state.items.length === 1 || closesReplies) {
      this.renderAll(); // the intro or the buttons of the previous reply go away
    } else {
      this.list.appendChild(this.renderItem(item));
      this.scrollDown();
    }
    if (announce) {
      const text = [item.text && this.list.lastElementChild.querySelector(".koers-bubble")?.textContent,
        item.custom?.koers_download && TEXT.downloadTitle].filter(Boolean).join(" ");
      if (text) this.announce(`${TEXT.bot}: ${text}`);
    }
  }

  // ---- sending ------------------------------------------------------------------------------

  submit() {
    const text = this.input.value.trim();
    if (!text || this.refused) return;
    if (text.length > MAX_CHARS) {
      this.announce(TEXT.tooLong(text.length));
      return;
    }
    this.input.value = "";
    this.updateCounter();
    this.send(text, text);
  }

  /** Shows ``shown`` as the employee's message and sends ``message`` (a button's payload). */
  send(message, shown) {
    const id = newClientId();
    this.state.outbox.push({ id, message });
    this.addItem({ kind: "user", id, text: shown, status: this.ready ? "sent" : "pending" });
    this.flush();
  }

  markSent(id) {
    const item = this.state.items.find((i) => i.kind === "user" && i.id === id);
    if (item && item.status !== "sent") {
      item.status = "sent";
      this.renderAll();
    }
  }

  flush() {
    this.updateTyping();
    if (!this.ready || !this.socket) return;
    for (const entry of this.state.outbox) {
      if (this.inFlight.has(entry.id)) continue;
      this.inFlight.add(entry.id);
      this.markSent(entry.id);
      const data = { message: entry.message, session_id: this.state.sessionId, client_id: entry.id };
      this.socket.timeout(ACK_TIMEOUT_MS).emit("user_uttered", data, (err, ack) => {
        this.inFlight.delete(entry.id);
        if (err || !ack || ack.error === "no_session") return; // sent again after reconnecting
        this.state.outbox = this.state.outbox.filter((e) => e.id !== entry.id);
        this.persist();
        this.updateTyping();
      });
    }
    this.persist();
    this.updateTyping();
  }

  // ---- receiving -----------------------------------------------------------------------------

  receive(message) {
    if (!message || typeof message !== "object") return;
    const { koers_seq: seq, koers_epoch: epoch } = message;
    if (Number.isInteger(seq) && typeof epoch === "string") {
      if (this.state.items.some((i) => i.kind === "bot" && i.seq === seq && i.epoch === epoch)) return;
      if (epoch === this.state.epoch) this.state.lastSeq = Math.max(this.state.lastSeq, seq);
    }
    const replies = (Array.isArray(message.quick_replies) ? message.quick_replies
      : Array.isArray(message.buttons) ? message.buttons : [])
      .filter((r) => r && (typeof r.title === "string" || typeof r.payload === "string"))
      .map((r) => ({ title: r.title, payload: r.payload }));
    const custom = message.custom && typeof message.custom === "object" ? message.custom : null;
    const text = typeof message.text === "string" ? message.text : "";
    if (!text && !replies.length && !custom?.koers_download) return;
    this.addItem({ kind: "bot", seq, epoch, text, replies, custom }, { announce: true });
  }

  // ---- connection ----------------------------------------------------------------------------

  setStatus(text) {
    this.status.textContent = text;
    this.status.classList.toggle("koers-status-visible", Boolean(text));
  }

  // ---- token --------------------------------------------------------------------------------

  /** Asks the page for a fresh token: DOM event "koers:token-expired" and onTokenExpired. */
  tokenExpired() {
    const setToken = (token) => this.setToken(token);
    const event = new CustomEvent("koers:token-expired", { bubbles: true, detail: { setToken, widget: this } });
    this.container.dispatchEvent(event);
    if (this.onTokenExpired) {
      try {
        this.onTokenExpired(setToken);
      } catch {
        // the page's callback failed: the chat goes on anonymously
      }
    }
  }

  /** A fresh token from the page: over the open socket, or for the next connect. */
  setToken(token) {
    this.token = typeof token === "string" ? token : "";
    if (!this.token || !this.socket) return;
    if (this.socket.connected) {
      this.socket.timeout(ACK_TIMEOUT_MS).emit("koers_token", { token: this.token }, () => {});
    } else if (this.waitingForToken) {
      this.waitingForToken = false;
      this.refused = false;
      this.alert.hidden = true;
      this.input.disabled = false;
      this.sendButton.disabled = false;
      this.socket.connect();
    }
  }

  connect() {
    const socket = io(this.socketUrl, {
      path: this.socketPath,
      transports: ["websocket", "polling"],
      // read at every (re)connect: a token handed over later goes along
      auth: (send) => send(this.token ? { token: this.token, browser: browserSecret() } : { browser: browserSecret() }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 10000,
    });
    this.socket = socket;
    socket.on("connect", () => {
      socket.emit("session_request", {
        session_id: this.state.sessionId,
        koers_epoch: this.state.epoch,
        koers_last_seq: this.state.lastSeq,
      });
    });
    socket.on("koers_session", (info) => {
      if (info && typeof info.epoch === "string" && info.epoch !== this.state.epoch) {
        this.state.epoch = info.epoch;
        this.state.lastSeq = 0;
      }
    });
    socket.on("session_confirm", (sessionId) => {
      const id = typeof sessionId === "string" ? sessionId : sessionId?.session_id;
      if (this.state.sessionId && id !== this.state.sessionId) {
        // another conversation than this tab remembers (e.g. someone else's token): start clean
        const { open } = this.state;
        this.state = { ...emptyState(), open, epoch: this.state.epoch };
        this.renderAll();
      }
      this.state.sessionId = id;
      this.ready = true;
      if (this.wasOffline) this.setStatus(TEXT.online);
      this.wasOffline = false;
      this.persist();
      this.flush();
    });
    socket.on("bot_uttered", (message) => this.receive(message));
    socket.on("koers_token_expired", () => this.tokenExpired());
    socket.on("disconnect", (reason) => {
      this.ready = false;
      this.inFlight.clear();
      this.wasOffline = true;
      this.updateTyping();
      this.setStatus(TEXT.offline);
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("connect_error", (error) => {
      this.ready = false;
      this.updateTyping();
      if (socket.active) {
        this.wasOffline = true;
        this.setStatus(TEXT.offline);
        return;
      }
      // refused by the server (e.g. an expired token): say why, and stop
      this.refused = true;
      this.setStatus("");
      this.alert.textContent = error?.data?.code ? error.message : TEXT.refused;
      this.alert.hidden = false;
      this.input.disabled = true;
      this.sendButton.disabled = true;
      this.list.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      if (error?.data?.code === "token_expired") {
        this.waitingForToken = true; // the page may hand over a fresh token: setToken() reconnects
        this.tokenExpired();
      }
    });
  }
}
