// My identity: what this vault gives others so they can send to it and check
// what it sends: the contact card as text and as a QR code (drawn by the
// core as SVG), the fingerprint in large groups, the name shown to
// recipients, and rotating the identity (asked twice).

import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { t } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import type { MyIdentity } from "../generated";
import { confirmDialog, toast } from "./dialog";
import { fingerprintView } from "./handoverWidgets";
import { showViewError, viewToken } from "./shell";
import { errorLine, loading, setError } from "./widgets";

/** The SVG as an image source (img-src allows data:; an <img> never runs script). */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function renderIdentity(main: HTMLElement): void {
  const alive = viewToken();
  const body = h("div", { class: "view-body" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("identity.title")), h("p", { class: "muted" }, t("identity.intro")))), body);
  api
    .identity()
    .then((me) => alive() && draw(body, me, alive))
    .catch((e) => alive() && showViewError(e, body));
}

function draw(body: HTMLElement, me: MyIdentity, alive: () => boolean): void {
  const redraw = (next: MyIdentity) => alive() && draw(body, next, alive);
  const name = h("input", { type: "text", class: "input", value: me.card.display_name, testid: "identity-name", dir: "auto", id: "identity-name", autocomplete: "off" });
  const nameErr = errorLine("identity-name-error");
  const saveName = h("button", { type: "button", class: "button", testid: "identity-rename" }, t("identity.rename"));
  saveName.addEventListener("click", async () => {
    try {
      const next = await api.identityRename(name.value);
      setError(nameErr, null);
      toast(t("identity.renamed"));
      redraw(next);
    } catch (x) {
      const e = toApiError(x);
      if (!handleLockedError(e)) setError(nameErr, errorMessage(e));
    }
  });
  const text = h("textarea", { class: "textarea input-mono card-text", rows: "4", readOnly: true, testid: "identity-card-text", dir: "ltr", id: "identity-card-text" }, me.card_text);
  const copy = h("button", { type: "button", class: "button", testid: "identity-copy" }, icon("copy", 16), t("identity.copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(me.card_text);
      toast(t("identity.copied"));
    } catch {
      text.select();
    }
  });
  const rotate = h("button", { type: "button", class: "button button-danger-quiet", testid: "identity-rotate" }, icon("refresh", 16), t("identity.rotate"));
  rotate.addEventListener("click", async () => {
    const ok = await confirmDialog({ title: t("identity.rotate_title"), message: h("div", null, h("p", null, t("identity.rotate_text")), h("p", null, t("identity.rotate_old"))), confirm: t("identity.rotate_confirm"), danger: true, check: t("identity.rotate_check"), testid: "identity-rotate-confirm" });
    if (!ok) return;
    try {
      const next = await api.identityRotate();
      toast(t("identity.rotated"));
      redraw(next);
    } catch (x) {
      const e = toApiError(x);
      if (!handleLockedError(e)) toast(errorMessage(e), "error");
    }
  });
  clear(
    body,
    h(
      "div",
      { class: "identity-grid" },
      h(
        "section",
        { class: "card identity-qr", "aria-labelledby": "qr-title" },
        h("h2", { id: "qr-title" }, t("identity.qr")),
        h("img", { src: svgDataUrl(me.qr_svg), alt: t("identity.qr_alt"), class: "qr", testid: "identity-qr", width: "256", height: "256" }),
        h("p", { class: "muted small" }, t("identity.qr_hint")),
      ),
      h(
        "section",
        { class: "card stack" },
        h("h2", null, t("identity.fingerprint")),
        fingerprintView(me.fingerprint, { large: true, testid: "identity-fingerprint" }),
        h("p", { class: "muted" }, t("identity.fingerprint_hint")),
        h("div", { class: "field" }, h("label", { class: "field-label", for: "identity-name" }, t("identity.name")), h("div", { class: "inline" }, name, saveName), h("div", { class: "field-hint" }, t("identity.name_hint")), nameErr),
      ),
    ),
    h("section", { class: "card stack" }, h("h2", null, t("identity.card")), h("label", { class: "field-label", for: "identity-card-text" }, t("identity.card_hint")), text, h("div", { class: "actions" }, copy)),
    h("section", { class: "card stack card-danger-zone" }, h("h2", null, t("identity.rotate_section")), h("p", { class: "muted" }, t("identity.rotate_hint")), h("div", null, rotate)),
  );
}
