// Evidence files: attach (native open dialog or drag and drop, with a
// progress bar), view inside the app from verified bytes held only in
// memory (a blob URL, revoked on close and on lock), and save a plaintext
// copy only through the native save dialog, after a clear warning.

import { open as openFile, save as saveFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError } from "../api";
import { handleLockedError } from "../app";
import { t } from "../i18n";
import { h, isolatedText } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { onFilesDropped } from "../lib/fileDrop";
import { formatBytes, formatFuzzyDate } from "../lib/format";
import { blobUrl, onWipe, revokeBlobUrl, session } from "../lib/session";
import { tEnum } from "../i18n";
import type { CaseOverview, EvidenceData, StoredRecord } from "../model";
import { confirmDialog, openDialog, toast } from "./dialog";
import { buildForm } from "./forms";
import { evidenceSpecs } from "./recordForms";
import { badge, loading } from "./widgets";
import { progressDialog, progressView } from "./progress";

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/** What an evidence file can be attached to: the case, an incident, a proceeding or a testimony. */
function attachTargets(o: CaseOverview): Array<[string, string]> {
  const out: Array<[string, string]> = [[o.case.id, t("evidence.attached.case")]];
  for (const r of o.incidents) out.push([r.id, `${tEnum("kind", "incident")}: ${tEnum("tactic", r.data.tactic)} · ${formatFuzzyDate(r.data.date)}`]);
  for (const p of o.proceedings) out.push([p.record.id, `${tEnum("kind", "proceeding")}: ${tEnum("proceeding_kind", p.record.data.kind)}`]);
  for (const r of o.testimonies) out.push([r.id, `${tEnum("kind", "testimony")}${r.data.date ? " · " + formatFuzzyDate(r.data.date) : ""} · ${r.data.text.slice(0, 40)}`]);
  return out;
}

export async function pickAndAttach(o: CaseOverview, onDone: () => void): Promise<void> {
  let picked: string | string[] | null;
  try {
    picked = await openFile({ multiple: false, directory: false, title: t("evidence.pick_title") });
  } catch (e) {
    toast(errorMessage(toApiError(e)), "error");
    return;
  }
  if (!picked) return;
  const paths = Array.isArray(picked) ? picked : [picked];
  if (paths.length) attachForm(o, paths, onDone);
}

export function attachForm(o: CaseOverview, paths: string[], onDone: () => void): void {
  const form = buildForm(evidenceSpecs(o, attachTargets(o)), {});
  const files = h("ul", { class: "file-list" }, paths.map((p) => h("li", null, icon("file", 16), h("span", { dir: "auto" }, baseName(p)))));
  const progress = progressView("attach-progress");
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "attach-error" });
  const submit = h("button", { type: "submit", class: "button button-primary", testid: "attach-submit", form: "attach-form" }, icon("lock", 16), t("evidence.encrypt_and_attach"));
  const cancel = h("button", { type: "button", class: "button" }, t("action.cancel"));
  let busy = false;
  const el = h("form", { id: "attach-form", class: "record-form", novalidate: true }, h("p", { class: "muted" }, t("evidence.attach_intro")), files, form.el, progress.el, err);
  const d = openDialog({
    title: t("evidence.attach_title", { n: paths.length }),
    wide: true,
    testid: "attach-dialog",
    body: el,
    footer: [cancel, submit],
    beforeClose: () => !busy,
  });
  cancel.addEventListener("click", () => !busy && d.close());
  form.controls[0]?.focus();
  el.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = form.collect();
    if (!r.ok) return;
    const data = r.data as { attached_to?: string; description?: string; acquisition?: EvidenceData["acquisition"] };
    busy = true;
    submit.disabled = cancel.disabled = true;
    err.hidden = true;
    let done = 0;
    try {
      for (const [i, path] of paths.entries()) {
        progress.start(t("evidence.encrypting", { file: baseName(path), i: i + 1, n: paths.length }));
        await api.attach(
          { attached_to: data.attached_to || o.case.id, path, acquisition: data.acquisition ?? {}, description: data.description ?? "" },
          (p) => progress.update(p),
        );
        done += 1;
      }
      busy = false;
      d.close();
      toast(t("evidence.attached_done", { n: done }));
      onDone();
    } catch (x) {
      busy = false;
      const e2 = toApiError(x);
      if (handleLockedError(e2)) return;
      submit.disabled = cancel.disabled = false;
      progress.hide();
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e2), done ? ` ${t("evidence.partial", { n: done })}` : ""));
      if (done) onDone();
    }
  });
}

/** Files dropped on the window while a case is open are offered for attaching to it. */
export function installDropTarget(o: CaseOverview, onDone: () => void, onLeave: (fn: () => void) => void): void {
  void onFilesDropped(onLeave, (paths) => attachForm(o, paths, onDone));
}

function viewerFor(type: string, url: string, bytes: ArrayBuffer, name: string): HTMLElement {
  if (type.startsWith("image/")) return h("img", { class: "viewer-image", src: url, alt: name });
  // Sandboxed without "allow-downloads": the built-in PDF viewer's Save button must not write a
  // plaintext copy anywhere; copies go only through "Save a plaintext copy…" and its warning.
  if (type === "application/pdf") return h("div", { class: "viewer-pdf", testid: "viewer-pdf", tabindex: "0", "aria-label": name });
  if (type.startsWith("audio/")) return h("audio", { class: "viewer-audio", src: url, controls: true, preload: "metadata" });
  if (type.startsWith("video/")) return h("video", { class: "viewer-video", src: url, controls: true, preload: "metadata" });
  if (type.startsWith("text/") || type === "application/json") {
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
    return h("pre", { class: "viewer-text text-auto", dir: "auto" }, text);
  }
  return h("div", { class: "callout callout-info" }, icon("file"), h("p", null, t("evidence.cannot_show")));
}

export async function viewEvidence(r: StoredRecord<EvidenceData>): Promise<void> {
  const d = r.data;
  const content = h("div", { class: "viewer", testid: "evidence-viewer" }, loading());
  let url: string | null = null;
  let pdf: { destroy(): void } | null = null;
  const cleanup = () => {
    if (url) revokeBlobUrl(url);
    url = null;
    pdf?.destroy();
    pdf = null;
    content.replaceChildren();
  };
  const off = onWipe(cleanup);
  const save = h("button", { type: "button", class: "button", testid: "viewer-save" }, icon("download", 16), t("evidence.save_copy"));
  save.addEventListener("click", () => void saveCopy(r));
  const dlg = openDialog({
    title: d.file_name,
    wide: true,
    testid: "viewer-dialog",
    body: [h("div", { class: "viewer-meta" }, badge(d.media_type, "neutral"), badge(formatBytes(d.size), "neutral"), h("span", { class: "verified", testid: "viewer-verified", hidden: true }, icon("shieldCheck", 16), t("evidence.verified"))), content],
    footer: [save],
    onClosed: () => {
      cleanup();
      off();
    },
  });
  try {
    // GStreamer's player may write what it plays to a temporary file: only
    // where that file stays in the sandboxed page process's memory.
    const isMedia = d.media_type.startsWith("audio/") || d.media_type.startsWith("video/");
    if (isMedia && !(await api.mediaPlaybackIsolated())) {
      content.replaceChildren(h("div", { class: "callout callout-warning", testid: "viewer-media-refused" }, icon("alert"), h("p", null, t("evidence.media_not_isolated"))));
      return;
    }
    const bytes = await api.evidenceRead(r.id);
    if (!dlg.dialog.isConnected) return;
    url = blobUrl(bytes, d.media_type);
    content.replaceChildren(viewerFor(d.media_type, url, bytes, d.file_name));
    if (d.media_type === "application/pdf") {
      const host = content.querySelector<HTMLElement>(".viewer-pdf")!;
      try {
        const { renderPdf } = await import("./pdfView");
        pdf = await renderPdf(bytes, host, () => dlg.dialog.isConnected, (i, n) => t("evidence.pdf_page", { i, n }));
        if (!dlg.dialog.isConnected) pdf.destroy();
      } catch {
        host.replaceChildren(h("div", { class: "callout callout-info" }, icon("file"), h("p", null, t("evidence.cannot_show"))));
      }
    }
    (dlg.dialog.querySelector('[data-testid="viewer-verified"]') as HTMLElement).hidden = false;
  } catch (x) {
    const e = toApiError(x);
    if (handleLockedError(e)) return;
    content.replaceChildren(h("div", { class: "callout callout-danger", role: "alert" }, icon("alert"), h("p", null, errorMessage(e))));
  }
  void session;
}

export async function saveCopy(r: StoredRecord<EvidenceData>): Promise<void> {
  const ok = await confirmDialog({
    title: t("evidence.save.title"),
    message: h("div", null, h("p", { class: "strong" }, t("evidence.save.not_encrypted")), h("p", null, t("evidence.save.advice"))),
    confirm: t("evidence.save.choose"),
    warning: true,
    testid: "save-warning",
  });
  if (!ok) return;
  let path: string | null;
  try {
    path = await saveFile({ defaultPath: r.data.file_name, title: t("evidence.save.dialog_title") });
  } catch (e) {
    toast(errorMessage(toApiError(e)), "error");
    return;
  }
  if (!path) return;
  const running = progressDialog(t("evidence.save.progress_title"), "save-copy-dialog");
  running.view.start(t("evidence.save.writing", { file: isolatedText(r.data.file_name) }));
  try {
    await api.evidenceSaveCopy(r.id, path, (p) => running.view.update(p));
    running.close();
    toast(t("evidence.save.done", { path }), "warning", 10000);
  } catch (x) {
    running.close();
    const e = toApiError(x);
    if (handleLockedError(e)) return;
    toast(errorMessage(e), e.code === "cancelled" ? "info" : "error", 10000);
  }
}
