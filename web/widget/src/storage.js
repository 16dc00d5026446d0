// The conversation as this browser tab remembers it: session id, what is on screen, and the
// messages still to be sent. Kept in sessionStorage: it survives a reload, and it is gone when
// the tab closes (a shared computer keeps nothing).

const VERSION = 1;
export const MAX_ITEMS = 200;

export function emptyState() {
  return { v: VERSION, sessionId: null, epoch: null, lastSeq: 0, open: false, items: [], outbox: [] };
}

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // blocked storage (privacy settings): the widget still works, without memory
  }
}

export function loadState(key) {
  const store = storage();
  if (!store) return emptyState();
  try {
    const state = JSON.parse(store.getItem(key) || "null");
    if (!state || state.v !== VERSION || !Array.isArray(state.items) || !Array.isArray(state.outbox)) {
      return emptyState();
    }
    return { ...emptyState(), ...state };
  } catch {
    return emptyState();
  }
}

export function saveState(key, state) {
  const store = storage();
  if (!store) return;
  if (state.items.length > MAX_ITEMS) state.items.splice(0, state.items.length - MAX_ITEMS);
  try {
    store.setItem(key, JSON.stringify(state));
  } catch {
    // storage full: keep going; the conversation itself is on the server
  }
}

/** A random id for a message this client sends, so a resend is recognised. */
export function newClientId() {
  const bytes = new Uint8Array(12);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const BROWSER_KEY = "koers-widget:browser";
let memoryBrowserSecret = null;

/**
 * This browser's secret: the owner of its anonymous conversations. The server signs the
 * session id for it, so only this browser can continue them. Kept in localStorage (shared by
 * the tabs of this browser); without storage, for this page only.
 */
export function browserSecret() {
  if (memoryBrowserSecret) return memoryBrowserSecret;
  let store = null;
  try {
    store = window.localStorage;
    const kept = store.getItem(BROWSER_KEY);
    if (kept && /^[A-Za-z0-9_-]{22,128}$/.test(kept)) {
      memoryBrowserSecret = kept;
      return kept;
    }
  } catch {
    store = null; // blocked storage: a secret for this page only
  }
  const bytes = new Uint8Array(24);
  window.crypto.getRandomValues(bytes);
  memoryBrowserSecret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  try {
    if (store) store.setItem(BROWSER_KEY, memoryBrowserSecret);
  } catch {
    // storage full or blocked: keep it for this page
  }
  return memoryBrowserSecret;
}
