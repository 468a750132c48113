// Modal dialogs (native <dialog>: focus stays inside, Escape cancels) and toasts.

import { h, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { t } from "../i18n";

export interface DialogHandle {
  dialog: HTMLDialogElement;
  close(): void;
}

export interface DialogOptions {
  title: string;
  body: Child;
  footer?: Child;
  wide?: boolean;
  tone?: "normal" | "danger" | "warning";
  testid?: string;
  /** Called on Escape or the close button; return false to keep the dialog open. */
  beforeClose?: () => boolean | Promise<boolean>;
  onClosed?: () => void;
}

export function openDialog(o: DialogOptions): DialogHandle {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  let closed = false;
  const dialog = h("dialog", {
    class: ["dialog", o.wide && "dialog-wide", o.tone && `dialog-${o.tone}`],
    "aria-labelledby": titleId,
    testid: o.testid,
  });
  const close = () => {
    if (closed) return;
    closed = true;
    if (dialog.open) dialog.close();
    dialog.remove();
    o.onClosed?.();
  };
  const tryClose = async () => {
    if (o.beforeClose && !(await o.beforeClose())) return;
    close();
  };
  const header = h(
    "header",
    { class: "dialog-header" },
    h("h2", { id: titleId }, o.title),
    h("button", { type: "button", class: "icon-button", "aria-label": t("action.close"), testid: "dialog-close", onclick: tryClose }, icon("x")),
  );
  dialog.append(header, h("div", { class: "dialog-body" }, o.body as Node));
  if (o.footer) dialog.append(h("footer", { class: "dialog-footer" }, o.footer as Node));
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    void tryClose();
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  return { dialog, close };
}

export interface ConfirmOptions {
  title: string;
  message: Child;
  confirm: string;
  danger?: boolean;
  warning?: boolean;
  /** A checkbox that must be ticked first (for the gravest actions). */
  check?: string;
  testid?: string;
}

export function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let answered = false;
    const ok = h(
      "button",
      { type: "button", class: ["button", o.danger ? "button-danger" : "button-primary"], testid: "confirm-ok", disabled: !!o.check },
      o.confirm,
    );
    const cancel = h("button", { type: "button", class: "button", testid: "confirm-cancel" }, t("action.cancel"));
    const checkbox = o.check ? h("input", { type: "checkbox", testid: "confirm-check" }) : null;
    if (checkbox) checkbox.addEventListener("change", () => (ok.disabled = !checkbox.checked));
    const d = openDialog({
      title: o.title,
      tone: o.danger ? "danger" : o.warning ? "warning" : "normal",
      testid: o.testid ?? "confirm-dialog",
      body: [
        h("div", { class: "confirm-message" }, o.message),
        checkbox ? h("label", { class: "check-row" }, checkbox, h("span", null, o.check)) : null,
      ],
      footer: [cancel, ok],
      onClosed: () => {
        if (!answered) resolve(false);
      },
    });
    ok.addEventListener("click", () => {
      answered = true;
      d.close();
      resolve(true);
    });
    cancel.addEventListener("click", () => {
      answered = true;
      d.close();
      resolve(false);
    });
    (o.danger ? cancel : ok).focus();
  });
}

export function toast(text: string, tone: "ok" | "error" | "warning" | "info" = "ok", ms = 6000): void {
  const host = document.getElementById("toasts");
  if (!host) return;
  const el = h(
    "div",
    { class: ["toast", `toast-${tone}`], role: tone === "error" ? "alert" : "status", testid: "toast" },
    icon(tone === "ok" ? "check" : tone === "info" ? "shield" : "alert"),
    h("span", null, text),
  );
  // A click dismisses it at once.
  el.addEventListener("click", () => el.remove());
  host.appendChild(el);
  setTimeout(() => el.remove(), ms);
}
