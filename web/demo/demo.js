// The demo intranet's part of the token refresh (docs/widget.md): when the widget says its
// token expired, fetch a fresh one from this page's server and hand it over. A real intranet
// does the same with its own token endpoint (behind its own log-in).
document.addEventListener("koers:token-expired", async (event) => {
  try {
    const response = await fetch("/widget/demo-token", { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const { token } = await response.json();
    if (typeof token === "string" && token) event.detail.setToken(token);
  } catch {
    // no fresh token: the chat goes on anonymously
  }
});
