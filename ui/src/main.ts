// Fonts are bundled so text looks the same on a bare offline system.
// Latin (with accents for French) and Arabic subsets only.
import "@fontsource/noto-sans/latin-400.css";
import "@fontsource/noto-sans/latin-600.css";
import "@fontsource/noto-sans/latin-700.css";
import "@fontsource/noto-sans/latin-ext-400.css";
import "@fontsource/noto-sans/latin-ext-600.css";
import "@fontsource/noto-sans/latin-ext-700.css";
// Arabic letters in IBM Plex Sans Arabic first: its letters carry their
// dots (final ي is its own glyph, apart from ى). Noto Sans Arabic builds
// them from a dotless body and a dots mark placed by GPOS, and WebKitGTK
// drew final ي without its dots (as ى: "هويتى" for "هويتي"); the e2e
// compares the two as drawn. Noto stays for what Plex lacks.
import "@fontsource/ibm-plex-sans-arabic/arabic-400.css";
import "@fontsource/ibm-plex-sans-arabic/arabic-600.css";
import "@fontsource/ibm-plex-sans-arabic/arabic-700.css";
import "@fontsource/noto-sans-arabic/arabic-400.css";
import "@fontsource/noto-sans-arabic/arabic-600.css";
import "@fontsource/noto-sans-arabic/arabic-700.css";
import "@fontsource/noto-sans-mono/latin-400.css";
import "@fontsource/noto-sans-mono/latin-600.css";
import "./styles/app.css";
import "./styles/handover.css";

import { start } from "./app";
import { t } from "./i18n";
import "./views/auth";
import "./views/shell";
import { installOpenBundleHandling } from "./views/bundleOpen";

// An unexpected error must never leave a blank window: say so, in the
// person's language, with the technical detail folded away for whoever helps.
function showUnexpected(detail: string): void {
  const host = document.getElementById("toasts");
  if (!host) return;
  const box = document.createElement("div");
  box.className = "toast toast-error";
  box.setAttribute("role", "alert");
  box.dataset.testid = "unexpected-error";
  const text = document.createElement("span");
  text.textContent = t("error.generic");
  const more = document.createElement("details");
  const sum = document.createElement("summary");
  sum.textContent = "…";
  const pre = document.createElement("pre");
  pre.textContent = detail.slice(0, 2000);
  pre.style.whiteSpace = "pre-wrap";
  more.append(sum, pre);
  box.append(text, more);
  host.appendChild(box);
}
window.addEventListener("error", (e) => showUnexpected(`${e.message} @ ${e.filename}:${e.lineno}`));
window.addEventListener("unhandledrejection", (e) => {
  const r = e.reason as { code?: string; message?: string; stack?: string } | undefined;
  showUnexpected(r?.stack ?? (r?.code ? `${r.code}: ${r.message}` : String(r)));
});

installOpenBundleHandling();
start().catch((e: unknown) => showUnexpected(String((e as Error)?.stack ?? e)));
