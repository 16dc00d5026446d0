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
