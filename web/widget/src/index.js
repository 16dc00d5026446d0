// Entry point: <script src="https://koers.example/widget/koers-widget.js" defer
//   data-socket-url="https://koers.example" data-token="<JWT from the intranet>"
//   data-title="Koers"></script>
// The stylesheet next to the script (koers-widget.css) is loaded automatically.

import { KoersWidget } from "./widget.js";

function findScript() {
  return (
    document.currentScript ||
    document.querySelector("script[data-koers-widget]") ||
    Array.from(document.scripts).find((s) => /koers-widget(\.min)?\.js(\?|$)/.test(s.src))
  );
}

function start(script) {
  const data = script ? script.dataset : {};
  if (script && script.src && !document.querySelector("link[data-koers-widget]")) {
    const css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = script.src.replace(/\.js(\?.*)?$/, ".css$1");
    css.setAttribute("data-koers-widget", "");
    document.head.appendChild(css);
  }
  const socketUrl = data.socketUrl || (script && script.src ? new URL(script.src).origin : window.location.origin);
  const widget = new KoersWidget({
    socketUrl,
    socketPath: data.socketPath || "/socket.io",
    token: data.token || "",
    title: data.title || "Koers",
  });
  window.koersWidget = widget;
}

const script = findScript();
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => start(script));
} else {
  start(script);
}
