// Progress of a long operation (attach, save a copy, export, open, import,
// backup, restore): a bar with a percentage and a Stop button that asks the
// core to cancel (the operation then fails with the code "cancelled" and
// leaves nothing behind).

import { api, type ProgressEvent } from "../api";
import { formatNumber, t } from "../i18n";
import { h } from "../lib/dom";
import { icon } from "../lib/icons";
import { openDialog } from "./dialog";

/** Whole percent of `done` out of `total`, clamped to 0..100 (an empty total counts as done). */
export function percent(p: ProgressEvent): number {
  if (p.total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((p.done / p.total) * 100)));
}

export interface ProgressView {
  el: HTMLElement;
  /** Shows the bar with a label, at 0%. */
  start(label: string): void;
  update(p: ProgressEvent): void;
  hide(): void;
  /** Whether Stop was pressed since `start`. */
  stopped(): boolean;
}

/** An inline progress bar with a Stop button (testids `<testid>`, `<testid>-text`, `<testid>-cancel`). */
export function progressView(testid: string): ProgressView {
  const bar = h("progress", { class: "progress", max: "100", value: "0", testid });
  const text = h("span", { class: "progress-text", testid: `${testid}-text`, "aria-live": "polite" });
  let stopped = false;
  let label = "";
  const stop = h(
    "button",
    { type: "button", class: "button button-small", testid: `${testid}-cancel` },
    icon("x", 14),
    t("progress.stop"),
  );
  stop.addEventListener("click", () => {
    stopped = true;
    stop.disabled = true;
    text.textContent = t("progress.stopping");
    void api.cancel().catch(() => undefined);
  });
  const el = h("div", { class: "progress-wrap", hidden: true }, h("div", { class: "progress-row" }, bar, stop), text);
  return {
    el,
    start(l: string) {
      label = l;
      stopped = false;
      stop.disabled = false;
      bar.value = 0;
      text.textContent = l;
      el.hidden = false;
    },
    update(p: ProgressEvent) {
      if (stopped) return;
      const pct = percent(p);
      bar.value = pct;
      text.textContent = `${label} ${formatNumber(pct)}%`;
    },
    hide() {
      el.hidden = true;
    },
    stopped: () => stopped,
  };
}

/** A modal progress dialog for an operation started from a button (e.g. saving a copy). */
export function progressDialog(title: string, testid: string): { view: ProgressView; close(): void } {
  const view = progressView(`${testid}-progress`);
  let done = false;
  const d = openDialog({ title, testid, body: view.el, beforeClose: () => done });
  return {
    view,
    close() {
      done = true;
      d.close();
    },
  };
}
