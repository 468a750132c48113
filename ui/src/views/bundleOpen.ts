// Open a bundle: from the button (open dialog), by dropping the file on this
// screen, or from the file manager (the shell's `open-bundle` event and
// `take_pending_open`). The whole bundle is checked first; then the screen
// shows who sent it, whether that sender is verified, its fingerprint, when
// it was made, what it holds and what was left out, and the integrity
// result. "Read without importing" shows the cases from memory only;
// Before the Import button, the plan: what importing would do here (a dry
// run of the core: new cases, records added and held for review, updates,
// what stays as it is, and each change that will wait in the Inbox, field
// by field), with a warning when the bundle was not made for this vault.
// "Import" merges them and reports the same categories. Every failure is a
// screen.

import { open as openFile } from "@tauri-apps/plugin-dialog";
import { api, toApiError, type ApiError } from "../api";
import { app, handleLockedError, navigate, openAfterUnlock } from "../app";
import { formatNumber, t, tEnum } from "../i18n";
import { clear, h, isolated, type Child } from "../lib/dom";
import { icon } from "../lib/icons";
import { errorMessage } from "../lib/errors";
import { onFilesDropped } from "../lib/fileDrop";
import { formatBytes, formatDateTime, formatFuzzyDate } from "../lib/format";
import { bundleFailure, profileName, senderState } from "../lib/handover";
import { onWipe } from "../lib/session";
import { changesNothing, isolate } from "../lib/proposals";
import type { BundleContents, BundleRecord, BundleSummary, ImportReport } from "../generated";
import { toast } from "./dialog";
import { failureView, fingerprintView, senderBadge } from "./handoverWidgets";
import { bdi, outcomeList, proposalCard } from "./proposalWidgets";
import { progressView } from "./progress";
import { onLeave, refreshInboxCount, viewToken } from "./shell";
import { errorLine, passphraseInput, setError } from "./widgets";

/** A bundle waiting to be opened (from the file manager or a drop). */
let pendingPath: string | null = null;
/** The bundle on screen, held in memory only; forgotten on lock. */
let opened: { path: string; passphrase: string | null; contents: BundleContents } | null = null;

function forgetOpened(): void {
  opened = null;
}

/** Opens `path` now if the vault is unlocked, else right after unlocking. */
export function openBundlePath(path: string): void {
  pendingPath = path;
  if (app.unlocked) navigate({ name: "bundle" });
  else openAfterUnlock({ name: "bundle" });
}

/** Takes a bundle given on the command line (at startup, or by a later launch: the `open-bundle` event). */
export function installOpenBundleHandling(): void {
  const take = async () => {
    try {
      const p = await api.takePendingOpen();
      if (p) openBundlePath(p);
    } catch {
      /* an app without command-line opening: nothing pending */
    }
  };
  void take();
  import("@tauri-apps/api/event")
    .then(({ listen }) => listen("open-bundle", () => void take()))
    .catch(() => undefined);
}

function header(main: HTMLElement, subtitle?: string): HTMLElement {
  const body = h("div", { class: "view-body bundle-view" });
  clear(main, h("header", { class: "view-header" }, h("div", null, h("h1", { tabindex: "-1" }, t("bundle.title")), h("p", { class: "muted" }, subtitle ?? t("bundle.intro")))), body);
  return body;
}

async function chooseFile(): Promise<void> {
  try {
    const p = await openFile({ multiple: false, directory: false, title: t("bundle.choose_title"), filters: [{ name: t("bundle.file_type"), extensions: ["amana"] }] });
    if (typeof p === "string") openBundlePath(p);
  } catch (e) {
    toast(errorMessage(toApiError(e)), "error");
  }
}

function chooseButton(primary = true): HTMLButtonElement {
  const b = h("button", { type: "button", class: ["button", primary && "button-primary"], testid: "bundle-choose" }, icon("inbox", 18), t("bundle.choose"));
  b.addEventListener("click", () => void chooseFile());
  return b;
}

export function renderBundle(main: HTMLElement): void {
  onWipe(forgetOpened);
  // Files dropped while this screen is shown are opened as bundles.
  void onFilesDropped(onLeave, (paths) => openBundlePath(paths[0]));
  const path = pendingPath;
  pendingPath = null;
  if (path) {
    void openPath(main, path, null);
    return;
  }
  if (opened) {
    showSummary(main, opened.contents);
    return;
  }
  const body = header(main);
  body.append(
    h(
      "div",
      { class: "dropzone dropzone-large", testid: "bundle-dropzone" },
      icon("inbox", 40),
      h("p", { class: "strong" }, t("bundle.drop")),
      h("p", { class: "muted" }, t("bundle.drop_hint")),
      chooseButton(),
    ),
  );
  body.querySelector<HTMLElement>("button")?.focus();
}

async function openPath(main: HTMLElement, path: string, passphrase: string | null): Promise<void> {
  const alive = viewToken();
  forgetOpened();
  const body = header(main, t("bundle.checking_intro"));
  const name = h("p", { class: "bundle-file" }, icon("file", 16), h("code", { class: "path", dir: "ltr" }, path));
  body.append(name);
  if (passphrase === null) {
    let needs: boolean;
    try {
      needs = await api.bundleNeedsPassphrase(path);
    } catch (x) {
      if (alive()) showFailure(main, toApiError(x));
      return;
    }
    if (!alive()) return;
    if (needs) {
      askPassphrase(main, body, path);
      return;
    }
  }
  const progress = progressView("bundle-progress");
  body.append(progress.el);
  progress.start(t("bundle.checking"));
  try {
    const contents = await api.bundleOpen(path, passphrase, (p) => progress.update(p));
    if (!alive()) return;
    opened = { path, passphrase, contents };
    showSummary(main, contents);
  } catch (x) {
    const e = toApiError(x);
    if (handleLockedError(e) || !alive()) return;
    if (e.code === "bundle.wrong_passphrase") {
      askPassphrase(main, header(main, t("bundle.checking_intro")), path, errorMessage(e));
      return;
    }
    if (e.code === "cancelled") {
      renderBundle(main);
      toast(t("error.cancelled"), "info");
      return;
    }
    showFailure(main, e);
  }
}

function askPassphrase(main: HTMLElement, body: HTMLElement, path: string, error?: string): void {
  const p = passphraseInput("bundle-passphrase", "off");
  p.input.id = "bundle-pass";
  const err = errorLine("bundle-passphrase-error");
  if (error) setError(err, error);
  const submit = h("button", { type: "submit", class: "button button-primary", testid: "bundle-passphrase-submit" }, t("bundle.passphrase.open"));
  const form = h(
    "form",
    { class: "card stack narrow", novalidate: true, testid: "bundle-passphrase-form" },
    h("h2", null, t("bundle.passphrase.title")),
    h("p", { class: "muted" }, t("bundle.passphrase.text")),
    h("div", { class: "field" }, h("label", { class: "field-label", for: "bundle-pass" }, t("bundle.passphrase.label")), p.wrap, err),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!p.input.value) return;
    const value = p.input.value;
    p.input.value = "";
    void openPath(main, path, value);
  });
  body.append(form);
  p.input.focus();
}

function showFailure(main: HTMLElement, e: ApiError): void {
  if (handleLockedError(e)) return;
  const body = header(main);
  const f = bundleFailure(e.code);
  const again = chooseButton(false);
  again.textContent = t("bundle.open_another");
  if (!f) {
    body.append(h("div", { class: "callout callout-danger", role: "alert", testid: "bundle-error" }, icon("alert"), h("p", null, errorMessage(e))), h("div", { class: "actions" }, again));
    return;
  }
  body.append(failureView(f, f === "tampered" || f === "refused" ? errorMessage(e) : null, [again]));
  body.querySelector<HTMLElement>("h2")?.setAttribute("tabindex", "-1");
  body.querySelector<HTMLElement>("h2")?.focus();
}

function countsLine(records: Record<string, number | undefined>): string {
  return Object.entries(records)
    .filter(([, n]) => n)
    .map(([k, n]) => `${formatNumber(n ?? 0)} × ${tEnum("kind", k)}`)
    .join(" · ");
}

function showSummary(main: HTMLElement, c: BundleContents): void {
  const s = c.summary;
  const state = senderState(s);
  const body = header(main, t("bundle.checked_intro"));
  const senderName = s.from_this_vault ? t("bundle.sender.this_vault_name") : s.sender_contact ?? s.sender.display_name;
  const senderCard = h(
    "section",
    { class: ["card", "sender-card", `sender-${state}`], testid: "bundle-sender", "aria-labelledby": "bundle-sender-name" },
    h("div", { class: "sender-head" }, h("span", { class: "subject-avatar" }, icon("user", 22)), h("div", null, h("p", { class: "muted small" }, t("bundle.from")), h("h2", { id: "bundle-sender-name", testid: "bundle-sender-name" }, bdi(senderName))), senderBadge(state)),
    h("p", { class: "muted small" }, t("bundle.fingerprint")),
    fingerprintView(s.sender.fingerprint, { large: true, testid: "bundle-fingerprint" }),
    state === "unknown" ? h("div", { class: "callout callout-warning" }, icon("alert"), h("p", null, t("bundle.sender.unknown_advice", { name: isolate(s.sender.display_name) }))) : null,
    state === "unverified" ? h("div", { class: "callout callout-warning" }, icon("alert"), h("p", null, t("bundle.sender.unverified_advice"))) : null,
  );
  const integrity = h("section", { class: "card integrity", testid: "bundle-integrity" }, h("span", { class: "integrity-icon" }, icon("shieldCheck", 28)), h("div", null, h("h2", null, t("bundle.integrity.ok")), h("p", { class: "muted" }, t("bundle.integrity.ok_text"))));
  const profile = profileName(s.profile);
  const details = h(
    "section",
    { class: "card" },
    h(
      "dl",
      { class: "meta review", testid: "bundle-details" },
      h("dt", null, t("bundle.made")),
      h("dd", { testid: "bundle-created" }, formatDateTime(s.created_at)),
      h("dt", null, t("bundle.kind")),
      h("dd", null, t(`bundle.kind.${s.kind}`)),
      h("dt", null, t("bundle.cases")),
      h("dd", null, h("ul", { class: "plain-list", testid: "bundle-cases" }, s.cases.map(([, label]) => h("li", null, bdi(label))))),
      h("dt", null, t("bundle.records")),
      h("dd", null, countsLine(s.records)),
      h("dt", null, t("bundle.files")),
      h("dd", null, t("bundle.files_count", { n: s.files, size: formatBytes(s.file_bytes) })),
      h("dt", null, t("bundle.left_out")),
      h("dd", { testid: "bundle-redactions" }, t(`export.profile.${profile}.summary`), s.redactions ? ` ${t("export.done.redactions", { n: s.redactions })}` : ""),
    ),
  );
  const read = h("button", { type: "button", class: "button", testid: "bundle-read" }, icon("eye", 18), t("bundle.read"));
  const imp = h("button", { type: "button", class: "button button-primary", testid: "bundle-import" }, icon("download", 18), t("bundle.import"));
  read.addEventListener("click", () => showRead(main, c));
  imp.addEventListener("click", () => void runImport(main, body, imp, read));
  const actions = h("div", { class: "actions bundle-actions" }, read, imp, h("span", { class: "muted small" }, t("bundle.read_hint")));
  body.append(...trustNotices(s), h("div", { class: "bundle-grid" }, senderCard, integrity), details, planView(c.plan), actions);
  (main.querySelector("h1") as HTMLElement | null)?.focus();
}

async function runImport(main: HTMLElement, body: HTMLElement, imp: HTMLButtonElement, read: HTMLButtonElement): Promise<void> {
  if (!opened) return;
  const alive = viewToken();
  const { path, passphrase, contents } = opened;
  const progress = progressView("import-progress");
  const err = h("div", { class: "form-error", role: "alert", hidden: true, testid: "import-error" });
  body.append(progress.el, err);
  imp.disabled = read.disabled = true;
  progress.start(t("bundle.importing"));
  try {
    const report = await api.bundleImport(path, passphrase, contents.summary.bundle_id, (p) => progress.update(p));
    if (!alive()) return;
    forgetOpened();
    showImported(main, report);
  } catch (x) {
    const e = toApiError(x);
    if (handleLockedError(e) || !alive()) return;
    progress.hide();
    imp.disabled = read.disabled = false;
    if (bundleFailure(e.code) && e.code !== "bundle.refused") {
      showFailure(main, e);
      return;
    }
    err.hidden = false;
    err.replaceChildren(icon("alert"), h("span", null, errorMessage(e)));
    if (e.code === "bundle.changed") {
      // Another file is at that place now: it is checked and shown before
      // it can be imported, never imported on the strength of this summary.
      imp.disabled = true;
      const again = h("button", { type: "button", class: "button", testid: "bundle-check-again" }, t("bundle.check_again"));
      again.addEventListener("click", () => void openPath(main, path, passphrase));
      err.append(again);
    }
  }
}

/**
 * Warnings about the bundle as a whole, shown first: not made for this vault
 * (someone who could read it encrypted it again: its sender is not trusted),
 * made in the old format.
 */
function trustNotices(s: BundleSummary): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (s.addressed_to_you === false) {
    out.push(
      h(
        "div",
        { class: "callout callout-danger trust-notice", role: "alert", testid: "bundle-not-addressed" },
        icon("alert", 22),
        h("div", null, h("strong", null, t("plan.not_addressed.title")), h("p", null, t("plan.not_addressed.text"))),
      ),
    );
  }
  if (s.format_version === 1) {
    out.push(h("div", { class: "callout callout-info trust-notice", testid: "bundle-old-format" }, icon("clock", 20), h("p", null, t("plan.old_format"))));
  }
  return out;
}

/** What importing would do here (the core's dry run), before the Import button. */
function planView(plan: ImportReport): HTMLElement {
  const section = h(
    "section",
    { class: "card plan", testid: "bundle-plan", "aria-labelledby": "bundle-plan-h" },
    h("h2", { id: "bundle-plan-h" }, t("plan.title")),
    h("p", { class: "muted" }, t("plan.intro")),
  );
  if (plan.vault_block === "ignored") {
    section.append(h("div", { class: "callout callout-warning", testid: "plan-vault-ignored" }, icon("alert"), h("p", null, t("plan.vault_ignored"))));
  }
  if (changesNothing(plan)) {
    section.append(h("p", { class: "strong", testid: "plan-nothing" }, icon("check", 16), " ", t("plan.nothing")));
  }
  section.append(outcomeList(plan, "plan"));
  if (plan.proposed.length) {
    section.append(
      h("h3", { class: "plan-proposed-h" }, t("plan.proposed.title")),
      h("p", { class: "muted" }, t("plan.proposed.hint")),
      h("ul", { class: "proposals", testid: "plan-proposals" }, plan.proposed.map((p) => proposalCard(p))),
    );
  }
  return section;
}

function showImported(main: HTMLElement, r: ImportReport): void {
  const body = header(main, t("bundle.imported_intro"));
  const cases = r.bundle.cases;
  const inbox = r.proposed.length
    ? h("button", { type: "button", class: "button button-primary", testid: "import-open-inbox", onclick: () => navigate({ name: "inbox" }) }, icon("inbox", 16), t("report.open_inbox"), h("span", { class: "nav-count" }, formatNumber(r.proposed.length)))
    : null;
  body.append(
    h(
      "section",
      { class: "card", testid: "import-report" },
      h("div", { class: "done-head" }, h("span", { class: "done-icon" }, icon("check", 28)), h("h2", { tabindex: "-1", testid: "import-done" }, t("bundle.imported"))),
      r.vault_block === "ignored" ? h("div", { class: "callout callout-warning", testid: "report-vault-ignored" }, icon("alert"), h("p", null, t("report.vault_ignored"))) : null,
      outcomeList(r, "report"),
      r.proposed.length
        ? h(
            "div",
            { class: "report-proposed" },
            h("h3", null, t("report.proposed.title")),
            h("ul", { class: "proposals", testid: "report-proposals" }, r.proposed.map((p) => proposalCard(p))),
          )
        : null,
      h("p", { class: "muted" }, icon("list", 16), " ", t("bundle.report.audit")),
      h(
        "div",
        { class: "actions" },
        inbox,
        cases.map(([id, label]) => h("button", { type: "button", class: ["button", !inbox && "button-primary"], testid: "import-open-case", onclick: () => navigate({ name: "case", id }) }, icon("folder", 16), h("span", null, t("bundle.open_case", { name: isolate(label) })))),
      ),
    ),
  );
  void refreshInboxCount();
  body.querySelector<HTMLElement>("h2")?.focus();
}

// Read without importing: the records as the bundle holds them, in memory.

function field(label: string, value: Child): HTMLElement | null {
  if (value === null || value === undefined || value === "") return null;
  return h("div", { class: "read-field" }, h("span", { class: "muted small" }, label), h("span", { dir: "auto" }, value));
}

function dataOf(r: BundleRecord): Record<string, unknown> {
  return (r.data ?? {}) as Record<string, unknown>;
}

function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function recordView(r: BundleRecord, redacted: Set<string>): HTMLElement {
  const d = dataOf(r);
  const rows: Array<HTMLElement | null> = [];
  switch (r.kind) {
    case "situation":
      rows.push(h("p", null, h("strong", null, tEnum("situation", str(d.situation))), " · ", formatFuzzyDate(str(d.date))), field(t("bundle.read.notes"), str(d.notes)));
      break;
    case "incident":
      rows.push(h("p", null, h("strong", null, tEnum("tactic", str(d.tactic))), " · ", formatFuzzyDate(str(d.date))), field(t("bundle.read.description"), str(d.description)));
      break;
    case "instrument":
      rows.push(h("p", null, h("strong", null, tEnum("instrument_kind", str(d.kind))), d.reference ? ` · ${str(d.reference)}` : ""));
      break;
    case "proceeding":
      rows.push(h("p", null, h("strong", null, tEnum("proceeding_kind", str(d.kind))), d.forum ? ` · ${str(d.forum)}` : ""), field(t("bundle.read.notes"), str(d.notes)));
      break;
    case "testimony":
      rows.push(h("p", { class: "testimony-text text-auto", dir: "auto", lang: str(d.language) || undefined, testid: "read-testimony" }, str(d.text)));
      break;
    case "source": {
      const identity = d.identity as Record<string, unknown> | undefined;
      rows.push(
        h("p", null, h("strong", null, isolated(str(d.pseudonym))), d.relation ? ` · ${tEnum("relation", str(d.relation))}` : ""),
        redacted.has(r.id)
          ? h("p", { class: "withheld", testid: "read-identity-withheld" }, icon("eyeOff", 16), t("bundle.read.identity_withheld"))
          : identity
            ? h("p", { class: "callout callout-sensitive", testid: "read-identity" }, icon("alert", 16), h("span", { dir: "auto" }, [str(identity.full_name), str(identity.contact)].filter(Boolean).join(" · ")))
            : null,
      );
      break;
    }
    case "evidence":
      rows.push(h("p", null, icon("file", 16), " ", isolated(str(d.file_name)), ` · ${formatBytes(Number(d.size ?? 0))}`), h("p", { class: "muted small" }, t("bundle.read.file_not_kept")));
      break;
    default:
      break;
  }
  return h("li", { class: ["record-card", "card", `kind-${r.kind}`] }, h("header", { class: "card-head" }, h("h3", null, tEnum("kind", r.kind))), rows);
}

function showRead(main: HTMLElement, c: BundleContents): void {
  const body = header(main, t("bundle.read_intro"));
  const back = h("button", { type: "button", class: "button", testid: "bundle-read-back" }, icon("arrowBack", 16), t("bundle.back_to_summary"));
  back.addEventListener("click", () => showSummary(main, c));
  const withheld = new Set(c.redactions.filter((r) => r.fields.includes("identity")).map((r) => r.record_id));
  const cases = c.records.filter((r) => r.kind === "case");
  body.append(
    h("div", { class: "callout callout-info", testid: "bundle-read-note" }, icon("eye"), h("p", null, t("bundle.read_note"))),
    h("div", { class: "actions" }, back),
    ...cases.map((cr) => {
      const d = dataOf(cr);
      const subject = (d.subject ?? {}) as { names?: Array<{ name: string }> };
      const name = subject.names?.[0]?.name ?? "";
      const inCase = c.records.filter((r) => r.case_id === cr.id && r.kind !== "case");
      return h(
        "section",
        { class: "card read-case", testid: "read-case" },
        h("h2", null, isolated(name), d.title ? h("span", { class: "muted" }, " · ", isolated(str(d.title))) : null),
        field(t("bundle.read.summary"), str(d.summary)),
        h("ul", { class: "cards" }, inCase.map((r) => recordView(r, withheld))),
      );
    }),
  );
  back.focus();
}
