// Backup and restore. A backup is a bundle of the whole vault (every case,
// with history), protected by a passphrase so it opens on another computer;
// its date is kept in the vault (the audit log), and the app reminds the
// user when none was made for a while. Restoring makes a new vault in a
// folder the user chooses, from a backup checked completely first.

import { open as openFile, save as saveFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError } from "../api";
import { handleLockedError, navigate } from "../app";
import { t } from "../i18n";
import { clear, h } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { formatBytes, formatDateTime } from "../lib/format";
import { backupReminder, bundleFileName } from "../lib/handover";
import { acceptable } from "../lib/strength";
import type { BackupStatus } from "../generated";
import { toast } from "./dialog";
import { progressView } from "./progress";
import { showViewError, viewToken } from "./shell";
import { errorLine, loading, passphraseInput, setError, strengthMeter } from "./widgets";

/** The reminder shown above the case list when a backup is due (nothing when not). */
export function backupBanner(): HTMLElement {
  const el = h("div", { class: "banner-slot" });
  api
    .backupStatus()
    .then((s) => {
      const r = backupReminder(s);
      if (!r || !el.isConnected) return;
      const go = h("button", { type: "button", class: "button button-small", testid: "backup-banner-go" }, icon("archive", 16), t("backup.banner.go"));
      go.addEventListener("click", () => navigate({ name: "backup" }));
      el.replaceChildren(h("div", { class: "callout callout-warning banner", role: "status", testid: "backup-banner" }, icon("archive"), h("p", null, r.kind === "never" ? t("backup.banner.never") : t("backup.banner.stale", { n: r.days })), go));
    })
    .catch(() => undefined);
  return el;
}

function newPassphrase(prefix: string, label: string) {
  const p1 = passphraseInput(`${prefix}-passphrase`, "new-password");
  const p2 = passphraseInput(`${prefix}-confirm`, "new-password");
  p1.input.id = `${prefix}-p1`;
  p2.input.id = `${prefix}-p2`;
  const meter = strengthMeter(`${prefix}-strength`);
  const mismatch = errorLine(`${prefix}-mismatch`);
  const ok = () => {
    const s = meter.update(p1.input.value);
    const same = p1.input.value === p2.input.value;
    setError(mismatch, p2.input.value && !same ? t("create.mismatch") : null);
    return acceptable(s) && same;
  };
  const el = h(
    "div",
    { class: "stack" },
    h("div", { class: "field" }, h("label", { class: "field-label", for: p1.input.id }, label), p1.wrap, meter.el),
    h("div", { class: "field" }, h("label", { class: "field-label", for: p2.input.id }, t("create.confirm")), p2.wrap, mismatch),
  );
  return { el, ok, inputs: [p1.input, p2.input], value: () => p1.input.value, clear: () => { p1.input.value = p2.input.value = ""; meter.update(""); } };
}

export function renderBackup(main: HTMLElement): void {
  const alive = viewToken();
  const status = h("div", { testid: "backup-status" }, loading());
  clear(
    main,
    h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("backup.title")), h("p", { class: "muted" }, t("backup.intro")))),
    h("div", { class: "view-body stack" }, backupSection(status, alive), restoreSection(alive)),
  );
  const show = (s: BackupStatus) => {
    const r = backupReminder(s);
    clear(
      status,
      h(
        "div",
        { class: ["callout", r ? "callout-warning" : "callout-ok"] },
        icon(r ? "alert" : "check"),
        h("p", null, s.last_backup_at ? t("backup.last", { date: formatDateTime(s.last_backup_at), n: s.days_since ?? 0 }) : t("backup.never"), " ", t("backup.every", { n: s.remind_after_days })),
      ),
    );
  };
  api
    .backupStatus()
    .then((s) => alive() && show(s))
    .catch((e) => alive() && showViewError(e, status));
}

function backupSection(status: HTMLElement, alive: () => boolean): HTMLElement {
  const pass = newPassphrase("backup", t("backup.passphrase"));
  const go = h("button", { type: "button", class: "button button-primary", testid: "backup-make", disabled: true }, icon("archive", 16), t("backup.make"));
  for (const i of pass.inputs) i.addEventListener("input", () => (go.disabled = !pass.ok()));
  const progress = progressView("backup-progress");
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "backup-error" });
  const done = h("div", { testid: "backup-done", hidden: true });
  go.addEventListener("click", async () => {
    if (!pass.ok()) return;
    let out: string | null;
    try {
      out = await saveFile({ defaultPath: bundleFileName("backup"), title: t("backup.save_title"), filters: [{ name: t("bundle.file_type"), extensions: ["amana"] }] });
    } catch (e) {
      toast(errorMessage(toApiError(e)), "error");
      return;
    }
    if (!out) return;
    go.disabled = true;
    err.hidden = done.hidden = true;
    progress.start(t("backup.writing"));
    try {
      const s = await api.backup(out, pass.value(), (p) => progress.update(p));
      if (!alive()) return;
      pass.clear();
      progress.hide();
      done.hidden = false;
      clear(done, h("div", { class: "callout callout-ok" }, icon("check"), h("div", null, h("p", { class: "strong" }, t("backup.done", { size: formatBytes(s.size) })), h("p", null, h("code", { class: "path", dir: "ltr" }, s.path)), h("p", null, t("backup.done_counts", { records: t("count.records", { n: s.records }), files: t("count.files", { n: s.files }) })), h("p", { class: "muted" }, t("backup.done_advice")))));
      api.backupStatus().then((st) => alive() && status.isConnected && renderStatusAgain(status, st)).catch(() => undefined);
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      progress.hide();
      go.disabled = !pass.ok();
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e)));
    }
  });
  return h("section", { class: "card stack settings-section" }, h("h2", null, t("backup.make_title")), status, h("p", { class: "muted" }, t("backup.make_text")), h("div", { class: "narrow" }, pass.el), h("div", null, go), progress.el, err, done);
}

function renderStatusAgain(status: HTMLElement, s: BackupStatus): void {
  clear(status, h("div", { class: "callout callout-ok" }, icon("check"), h("p", null, t("backup.last", { date: formatDateTime(s.last_backup_at ?? ""), n: s.days_since ?? 0 }))));
}

function restoreSection(alive: () => boolean): HTMLElement {
  let file: string | null = null;
  let folder: string | null = null;
  const fileLabel = h("code", { class: "path", dir: "ltr", testid: "restore-file" }, t("backup.restore.none"));
  const folderLabel = h("code", { class: "path", dir: "ltr", testid: "restore-folder" }, t("backup.restore.none"));
  const pickFile = h("button", { type: "button", class: "button", testid: "restore-pick-file" }, icon("file", 16), t("backup.restore.pick_file"));
  const pickFolder = h("button", { type: "button", class: "button", testid: "restore-pick-folder" }, icon("folder", 16), t("backup.restore.pick_folder"));
  const backupPass = passphraseInput("restore-backup-passphrase", "off");
  backupPass.input.id = "restore-bp";
  const pass = newPassphrase("restore", t("backup.restore.new_passphrase"));
  const go = h("button", { type: "button", class: "button button-primary", testid: "restore-run", disabled: true }, t("backup.restore.run"));
  const progress = progressView("restore-progress");
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "restore-error" });
  const result = h("div", { hidden: true, testid: "restore-done" });
  const check = () => (go.disabled = !(file && folder && backupPass.input.value && pass.ok()));
  for (const i of [backupPass.input, ...pass.inputs]) i.addEventListener("input", check);
  pickFile.addEventListener("click", async () => {
    const p = await openFile({ multiple: false, directory: false, title: t("backup.restore.pick_file"), filters: [{ name: t("bundle.file_type"), extensions: ["amana"] }] }).catch(() => null);
    if (typeof p === "string") {
      file = p;
      fileLabel.textContent = p;
      check();
    }
  });
  pickFolder.addEventListener("click", async () => {
    const p = await openFile({ multiple: false, directory: true, title: t("backup.restore.pick_folder") }).catch(() => null);
    if (typeof p === "string") {
      folder = p;
      folderLabel.textContent = p;
      check();
    }
  });
  go.addEventListener("click", async () => {
    if (!file || !folder) return;
    go.disabled = true;
    err.hidden = result.hidden = true;
    progress.start(t("backup.restore.running"));
    try {
      const r = await api.restore({ file, into: folder, backup_passphrase: backupPass.input.value, new_passphrase: pass.value() }, (p) => progress.update(p));
      if (!alive()) return;
      backupPass.input.value = "";
      pass.clear();
      progress.hide();
      result.hidden = false;
      clear(
        result,
        h("div", { class: "callout callout-ok" }, icon("check"), h("div", null, h("p", { class: "strong" }, t("backup.restore.done", { records: t("count.records", { n: r.report.added }), files: t("count.files", { n: r.report.files_added }) })), h("p", null, h("code", { class: "path", dir: "ltr" }, r.path)), h("p", null, t("backup.restore.open_hint")))),
        h("div", { class: "recovery-box" }, h("p", { class: "strong" }, t("backup.restore.recovery")), h("p", { class: "recovery-key", dir: "ltr", testid: "restore-recovery-key" }, r.recovery_key), h("p", { class: "muted" }, t("recovery.advice1"))),
      );
    } catch (x) {
      const e = toApiError(x);
      if (handleLockedError(e)) return;
      progress.hide();
      check();
      err.hidden = false;
      err.replaceChildren(icon("alert"), h("span", null, errorMessage(e)));
    }
  });
  return h(
    "section",
    { class: "card stack settings-section" },
    h("h2", null, t("backup.restore.title")),
    h("p", { class: "muted" }, t("backup.restore.text")),
    h("div", { class: "field" }, h("span", { class: "field-label" }, t("backup.restore.file")), h("div", { class: "inline" }, pickFile, fileLabel)),
    h("div", { class: "field" }, h("span", { class: "field-label" }, t("backup.restore.folder")), h("div", { class: "inline" }, pickFolder, folderLabel), h("div", { class: "field-hint" }, t("backup.restore.folder_hint"))),
    h("div", { class: "narrow stack" }, h("div", { class: "field" }, h("label", { class: "field-label", for: "restore-bp" }, t("backup.restore.backup_passphrase")), backupPass.wrap), pass.el),
    h("div", null, go),
    progress.el,
    err,
    result,
  );
}
