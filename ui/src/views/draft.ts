// "Draft a letter" from a case: a case summary, a CCF request, a UN urgent
// appeal or a request for interim measures, in English, French or Arabic, as
// PDF or editable Markdown. The core writes it where the person chooses in
// the save dialog, after a warning that the file is not encrypted, and says
// which sources' identities it carries (only those who consented).

import { save as saveFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { lang, t } from "../i18n";
import { h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { formatBytes } from "../lib/format";
import type { CcfRequestType, DraftFormat, DraftKind, DraftLang } from "../generated";
import { openDialog, toast } from "./dialog";
import { select } from "./widgets";

export const DRAFT_KINDS: DraftKind[] = ["case-summary", "ccf-request", "un-urgent-appeal", "interim-measures"];

/** A file name for the draft: <kind>-<lang>.<pdf|md>. */
export function draftFileName(kind: DraftKind, l: DraftLang, format: DraftFormat): string {
  return `${kind}-${l}.${format === "pdf" ? "pdf" : "md"}`;
}

export function draftDialog(caseId: string): void {
  const kind = select(DRAFT_KINDS.map((k) => [k, t(`draft.kind.${k}`)]), "case-summary", { testid: "draft-kind" });
  const ccf = select([["access", t("draft.ccf.access")], ["correction_deletion", t("draft.ccf.correction_deletion")]], "access", { testid: "draft-ccf-type" });
  const language = select([["en", "English"], ["fr", "Français"], ["ar", "العربية"]], lang(), { testid: "draft-lang" });
  const format = select([["pdf", t("draft.format.pdf")], ["md", t("draft.format.md")]], "pdf", { testid: "draft-format" });
  kind.id = "draft-kind";
  ccf.id = "draft-ccf";
  language.id = "draft-lang";
  format.id = "draft-format";
  const ccfField = h("div", { class: "field" }, h("label", { class: "field-label", for: "draft-ccf" }, t("draft.ccf")), ccf);
  const showCcf = () => (ccfField.hidden = kind.value !== "ccf-request");
  kind.addEventListener("change", showCcf);
  showCcf();
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "draft-error" });
  const cancel = h("button", { type: "button", class: "button" }, t("action.cancel"));
  const go = h("button", { type: "button", class: "button button-primary", testid: "draft-save" }, icon("download", 16), t("draft.choose_where"));
  const d = openDialog({
    title: t("draft.title"),
    tone: "warning",
    testid: "draft-dialog",
    body: h(
      "div",
      { class: "stack" },
      h("div", { class: "callout callout-warning", testid: "draft-warning" }, icon("alert"), h("div", null, h("p", { class: "strong" }, t("draft.not_encrypted")), h("p", null, t("draft.advice")))),
      h(
        "div",
        { class: "form-grid" },
        h("div", { class: "field" }, h("label", { class: "field-label", for: "draft-kind" }, t("draft.kind")), kind),
        ccfField,
        h("div", { class: "field" }, h("label", { class: "field-label", for: "draft-lang" }, t("draft.language")), language),
        h("div", { class: "field" }, h("label", { class: "field-label", for: "draft-format" }, t("draft.format")), format),
      ),
      h("p", { class: "muted small" }, t("draft.sources")),
      err,
    ),
    footer: [cancel, go],
  });
  cancel.addEventListener("click", () => d.close());
  go.addEventListener("click", async () => {
    const k = kind.value as DraftKind;
    const l = language.value as DraftLang;
    const f = format.value as DraftFormat;
    let out: string | null;
    try {
      out = await saveFile({ defaultPath: draftFileName(k, l, f), title: t("draft.save_title"), filters: [{ name: f === "pdf" ? "PDF" : "Markdown", extensions: [f === "pdf" ? "pdf" : "md"] }] });
    } catch (e) {
      toast(errorMessage(toApiError(e)), "error");
      return;
    }
    if (!out) return;
    go.disabled = true;
    err.hidden = true;
    try {
      const w = await api.draft({ kind: k, case_id: caseId, ccf_type: ccf.value as CcfRequestType, lang: l, format: f, out });
      d.close();
      const withheld = w.sources.identities_withheld.length;
      const included = w.sources.identities_included.length;
      toast(`${t("draft.done", { path: w.path, size: formatBytes(w.size) })} ${included ? t("draft.done_included", { n: included }) : ""}${withheld ? ` ${t("draft.done_withheld", { n: withheld })}` : ""}`, "warning", 12000);
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      go.disabled = false;
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e)));
    }
  });
  kind.focus();
}
