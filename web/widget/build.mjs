// Builds the widget into web/dist/: one JavaScript file (socket.io-client bundled in) and one
// stylesheet. Run with `npm run build`; the web app serves web/dist/ under /widget/.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dist");
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, "src", "index.js")],
  outfile: join(out, "koers-widget.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome90", "firefox90", "safari14"],
  legalComments: "eof",
  logLevel: "warning",
});
await copyFile(join(here, "src", "koers-widget.css"), join(out, "koers-widget.css"));
