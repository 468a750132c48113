// Contacts: the people this vault sends bundles to and accepts them from.
// Add one from a contact card pasted as text, from a file, or from a photo or
// screenshot of its QR code; the fingerprint is shown large, in groups, to be
// compared by phone or in person before marking the contact verified.
// Removing asks first.

import { open as openFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { t } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import type { CardPreview, Contact } from "../generated";
import { confirmDialog, openDialog, toast } from "./dialog";
import { fingerprintView } from "./handoverWidgets";
import { showViewError, viewToken } from "./shell";
import { emptyState, errorLine, loading, setError } from "./widgets";

export function renderContacts(main: HTMLElement): void {
  const alive = viewToken();
  const add = h("button", { type: "button", class: "button button-primary", testid: "contact-add" }, icon("plus"), t("contacts.add"));
  const list = h("div", { class: "view-body" }, loading());
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("contacts.title")), h("p", { class: "muted" }, t("contacts.intro"))), add), list);
  const reload = () => renderContacts(main);
  add.addEventListener("click", () => addContactDialog(reload));
  api
    .contacts()
    .then((cs) => {
      if (!alive()) return;
      if (!cs.length) {
        clear(list, emptyState(t("contacts.empty.title"), t("contacts.empty.text")));
        return;
      }
      clear(list, h("ul", { class: "cards contact-list", testid: "contact-list" }, cs.map((c) => h("li", null, contactCard(c, reload)))));
    })
    .catch((e) => alive() && showViewError(e, list));
}

function contactCard(c: Contact, reload: () => void): HTMLElement {
  const verify = h("button", { type: "button", class: "button button-small", testid: "contact-verify" }, icon("shieldCheck", 16), t("contacts.compare"));
  verify.addEventListener("click", () => compareDialog(c, reload));
  const remove = h("button", { type: "button", class: "button button-small button-danger-quiet", testid: "contact-remove" }, icon("trash", 16), t("contacts.remove"));
  remove.addEventListener("click", async () => {
    const ok = await confirmDialog({ title: t("contacts.remove_title", { name: c.display_name }), message: t("contacts.remove_text"), confirm: t("contacts.remove"), danger: true, testid: "contact-remove-confirm" });
    if (!ok) return;
    try {
      await api.contactRemove(c.id);
      toast(t("contacts.removed", { name: c.display_name }));
      reload();
    } catch (x) {
      const e = toApiError(x);
      if (!handleLockedError(e)) toast(errorMessage(e), "error");
    }
  });
  const status = c.signing_key === null
    ? h("span", { class: "badge badge-neutral", testid: "contact-status" }, t("contacts.bare"))
    : h("span", { class: ["badge", c.verified ? "badge-ok" : "badge-pending"], testid: "contact-status" }, t(c.verified ? "contacts.verified" : "contacts.not_verified"));
  return h(
    "article",
    { class: "card contact-card", testid: "contact" },
    h("header", { class: "card-head" }, h("h3", { dir: "auto", testid: "contact-name" }, c.display_name), h("div", { class: "badges" }, status)),
    c.fingerprint ? fingerprintView(c.fingerprint, { testid: "contact-fingerprint" }) : h("p", { class: "muted small" }, t("contacts.bare_text")),
    h("p", { class: "muted small" }, c.verified && c.verified_at ? t("contacts.verified_on", { date: formatDateTime(c.verified_at) }) : t("contacts.added_on", { date: formatDateTime(c.added_at) })),
    h("div", { class: "card-actions" }, c.signing_key !== null && !c.verified ? verify : null, remove),
  );
}

/** Compare the fingerprint with the person, then mark the contact verified. */
function compareDialog(c: Contact, reload: () => void): void {
  const same = h("input", { type: "checkbox", testid: "compare-same" });
  const ok = h("button", { type: "button", class: "button button-primary", testid: "compare-confirm", disabled: true }, icon("shieldCheck", 16), t("contacts.mark_verified"));
  const cancel = h("button", { type: "button", class: "button" }, t("action.cancel"));
  same.addEventListener("change", () => (ok.disabled = !same.checked));
  const d = openDialog({
    title: t("contacts.compare_title", { name: c.display_name }),
    testid: "compare-dialog",
    body: [
      h("p", null, t("contacts.compare_text")),
      fingerprintView(c.fingerprint, { large: true, testid: "compare-fingerprint" }),
      h("ol", { class: "advice" }, h("li", null, t("contacts.compare_step1")), h("li", null, t("contacts.compare_step2")), h("li", null, t("contacts.compare_step3"))),
      h("label", { class: "check-row check-strong" }, same, h("span", null, t("contacts.compare_same"))),
    ],
    footer: [cancel, ok],
  });
  cancel.addEventListener("click", () => d.close());
  ok.addEventListener("click", async () => {
    ok.disabled = true;
    try {
      await api.contactVerify(c.id);
      d.close();
      toast(t("contacts.verified_done", { name: c.display_name }));
      reload();
    } catch (x) {
      const e = toApiError(x);
      d.close();
      if (!handleLockedError(e)) toast(errorMessage(e), "error");
    }
  });
  same.focus();
}

type Source = "paste" | "file" | "qr";

/** Add a contact: read the card (paste, file or QR image), show its fingerprint, then add. */
export function addContactDialog(onAdded: () => void): void {
  let source: Source = "paste";
  let preview: CardPreview | null = null;
  const tabs = h("div", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "tab-panel add-contact-panel" });
  const err = errorLine("contact-read-error");
  const previewBox = h("div", { class: "card-preview", testid: "contact-preview", hidden: true });
  const nameInput = h("input", { type: "text", class: "input", testid: "contact-name-input", dir: "auto", id: "contact-name-input", autocomplete: "off" });
  const addBtn = h("button", { type: "button", class: "button button-primary", testid: "contact-add-confirm", disabled: true }, icon("plus", 16), t("contacts.add_confirm"));
  const cancel = h("button", { type: "button", class: "button" }, t("action.cancel"));

  const showPreview = (p: CardPreview) => {
    preview = p;
    setError(err, null);
    nameInput.value = p.card.display_name;
    previewBox.hidden = false;
    clear(
      previewBox,
      h("h3", null, t("contacts.preview_title")),
      p.fingerprint ? h("div", null, h("p", { class: "muted small" }, t("bundle.fingerprint")), fingerprintView(p.fingerprint, { large: true, testid: "preview-fingerprint" }), h("p", { class: "muted small" }, t("contacts.preview_compare"))) : h("p", { class: "callout callout-info" }, t("contacts.bare_text")),
      p.existing ? h("p", { class: "callout callout-warning", testid: "contact-existing" }, icon("alert", 16), t("contacts.already", { name: p.existing.display_name })) : null,
      h("div", { class: "field" }, h("label", { class: "field-label", for: "contact-name-input" }, t("contacts.name")), nameInput),
    );
    addBtn.disabled = !!p.existing;
  };
  const read = async (f: () => Promise<CardPreview>) => {
    try {
      showPreview(await f());
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      preview = null;
      previewBox.hidden = true;
      addBtn.disabled = true;
      setError(err, errorMessage(e));
    }
  };
  const pick = async (extensions: string[], name: string): Promise<string | null> => {
    try {
      const p = await openFile({ multiple: false, directory: false, filters: [{ name, extensions }] });
      return typeof p === "string" ? p : null;
    } catch {
      return null;
    }
  };
  const drawPanel = () => {
    for (const b of Array.from(tabs.children) as HTMLElement[]) b.setAttribute("aria-selected", String(b.dataset.source === source));
    if (source === "paste") {
      const text = h("textarea", { class: "textarea input-mono", rows: "5", testid: "contact-card-text", dir: "ltr", spellcheck: "false", id: "contact-card-text", placeholder: '{"amana_contact":1,…} / age1…' });
      const readBtn = h("button", { type: "button", class: "button", testid: "contact-card-read" }, t("contacts.read_card"));
      readBtn.addEventListener("click", () => void read(() => api.cardFromText(text.value)));
      text.addEventListener("input", () => {
        if (text.value.trim().length > 20) void read(() => api.cardFromText(text.value));
      });
      panel.replaceChildren(h("label", { class: "field-label", for: "contact-card-text" }, t("contacts.paste_label")), text, h("div", { class: "actions" }, readBtn));
      text.focus();
    } else {
      const isQr = source === "qr";
      const b = h("button", { type: "button", class: "button", testid: isQr ? "contact-pick-qr" : "contact-pick-file" }, icon(isQr ? "image" : "file", 16), t(isQr ? "contacts.pick_qr" : "contacts.pick_file"));
      b.addEventListener("click", async () => {
        const path = isQr ? await pick(["png", "jpg", "jpeg"], t("contacts.qr_images")) : await pick(["json", "txt", "card"], t("contacts.card_files"));
        if (path) void read(() => (isQr ? api.cardFromQr(path) : api.cardFromFile(path)));
      });
      panel.replaceChildren(h("p", { class: "muted" }, t(isQr ? "contacts.qr_hint" : "contacts.file_hint")), b);
      b.focus();
    }
  };
  for (const [s, key] of [["paste", "contacts.from_paste"], ["file", "contacts.from_file"], ["qr", "contacts.from_qr"]] as Array<[Source, string]>) {
    const b = h("button", { type: "button", class: "tab", role: "tab", "data-source": s, testid: `contact-from-${s}` }, t(key));
    b.addEventListener("click", () => {
      source = s;
      drawPanel();
    });
    tabs.append(b);
  }
  const d = openDialog({ title: t("contacts.add_title"), wide: true, testid: "contact-add-dialog", body: [h("p", { class: "muted" }, t("contacts.add_intro")), tabs, panel, err, previewBox], footer: [cancel, addBtn] });
  cancel.addEventListener("click", () => d.close());
  addBtn.addEventListener("click", async () => {
    if (!preview) return;
    addBtn.disabled = true;
    try {
      const c = await api.contactAdd(preview.card_text, nameInput.value.trim() || null);
      d.close();
      toast(t("contacts.added", { name: c.display_name }));
      onAdded();
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      addBtn.disabled = false;
      setError(err, errorMessage(e));
    }
  });
  drawPanel();
}
