// The command contract of src-tauri/src/lib.rs, typed. Top-level argument
// names are camelCased by Tauri; struct fields stay snake_case.

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  Acquisition, AppStatus, AuditView, CaseListItem, CaseOverview, Deleted, Extracted, Kind, SearchResults,
  StoredRecord, TimelineEntry, UrgentItem, Version,
} from "./model";
import type {
  ApiError, BackupStatus, BundleContents, CardPreview, Contact, Decided, DecideRequest, ExportRequest, ExportSummary,
  ImportReport, MyIdentity, ProgressEvent, ProposedChange, Restored, Stats, StatsRequest, DraftRequest, DraftWritten,
} from "./generated";

export type { ApiError, ProgressEvent };

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && typeof (e as ApiError).code === "string";
}

/** Normalises anything thrown (a Tauri rejection, a JS error) into an ApiError. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e;
  return { code: "unknown", message: e instanceof Error ? e.message : String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** A channel that reports a long operation's progress (cancel with `api.cancel()`). */
function progressChannel(onProgress: (p: ProgressEvent) => void): Channel<ProgressEvent> {
  const channel = new Channel<ProgressEvent>();
  channel.onmessage = onProgress;
  return channel;
}

export const api = {
  appStatus: () => call<AppStatus>("app_status"),
  createVault: (passphrase: string) => call<{ recovery_key: string }>("vault_create", { req: { passphrase } }),
  unlock: (passphrase: string) => call<void>("vault_unlock", { req: { passphrase } }),
  unlockRemembered: () => call<void>("vault_unlock_remembered"),
  recover: (recoveryKey: string, newPassphrase: string) =>
    call<void>("vault_recover", { req: { recovery_key: recoveryKey, new: newPassphrase } }),
  lock: () => call<void>("vault_lock"),
  changePassphrase: (current: string, next: string) =>
    call<void>("vault_change_passphrase", { req: { current, new: next } }),
  // Remembering asks for the passphrase again (checked by the core); forgetting does not.
  remember: (passphrase: string) => call<void>("vault_remember", { remember: true, req: { passphrase } }),
  forget: () => call<void>("vault_remember", { remember: false }),
  casesList: () => call<CaseListItem[]>("cases_list"),
  caseGet: (id: string) => call<CaseOverview>("case_get", { id }),
  recordAdd: (kind: Kind, caseId: string | null, data: unknown) =>
    call<StoredRecord>("record_add", { req: { kind, case_id: caseId, data } }),
  recordEdit: (id: string, patch: unknown) => call<StoredRecord>("record_edit", { req: { id, patch } }),
  recordDelete: (id: string) => call<Deleted>("record_delete", { id }),
  recordHistory: (id: string) => call<Version[]>("record_history", { id }),
  search: (query: string, limit: number, offset: number) =>
    call<SearchResults>("search", { req: { query, limit, offset } }),
  urgent: (withinDays: number) => call<UrgentItem[]>("urgent", { withinDays }),
  timeline: (caseId: string) => call<TimelineEntry[]>("timeline", { caseId }),
  auditLog: (limit: number) => call<AuditView>("audit_log", { limit }),
  attach: (
    req: { attached_to: string; path: string; acquisition: Acquisition; description: string },
    onProgress: (p: ProgressEvent) => void,
  ) => call<StoredRecord>("evidence_attach", { req, onProgress: progressChannel(onProgress) }),
  evidenceRead: (id: string) => call<ArrayBuffer>("evidence_read", { id }),
  evidenceSaveCopy: (id: string, path: string, onProgress: (p: ProgressEvent) => void) =>
    call<Extracted>("evidence_save_copy", { id, path, onProgress: progressChannel(onProgress) }),
  /** Asks the running long operation (attach, save a copy, export, import…) to stop. */
  cancel: () => call<void>("cancel_operation"),

  // Handover
  identity: () => call<MyIdentity>("identity_get"),
  identityRotate: () => call<MyIdentity>("identity_rotate"),
  identityRename: (name: string) => call<MyIdentity>("identity_rename", { name }),
  contacts: () => call<Contact[]>("contacts_list"),
  cardFromText: (text: string) => call<CardPreview>("contact_card_from_text", { text }),
  cardFromFile: (path: string) => call<CardPreview>("contact_card_from_file", { path }),
  cardFromQr: (path: string) => call<CardPreview>("contact_card_from_qr", { path }),
  contactAdd: (card: string, name: string | null) => call<Contact>("contact_add", { req: { card, name } }),
  contactVerify: (id: string) => call<Contact>("contact_verify", { id }),
  contactRemove: (id: string) => call<Contact>("contact_remove", { id }),
  exportBundle: (req: ExportRequest, onProgress: (p: ProgressEvent) => void) =>
    call<ExportSummary>("bundle_export", { req, onProgress: progressChannel(onProgress) }),
  bundleNeedsPassphrase: (path: string) => call<boolean>("bundle_needs_passphrase", { path }),
  bundleOpen: (path: string, passphrase: string | null, onProgress: (p: ProgressEvent) => void) =>
    call<BundleContents>("bundle_open", { req: { path, passphrase }, onProgress: progressChannel(onProgress) }),
  /** Imports the bundle at `path` only if it is still the one shown (`bundleId`, from `bundleOpen`). */
  bundleImport: (path: string, passphrase: string | null, bundleId: string, onProgress: (p: ProgressEvent) => void) =>
    call<ImportReport>("bundle_import", {
      req: { path, passphrase, expected_bundle_id: bundleId },
      onProgress: progressChannel(onProgress),
    }),
  /** Proposed changes waiting for a decision (`decided`: those accepted or rejected before). */
  proposals: (decided: boolean) => call<ProposedChange[]>("proposals", { decided }),
  /** Accepts or rejects one proposal (`proposal`) or every pending one of a bundle (`bundle_id`). */
  decideProposals: (req: DecideRequest) => call<Decided>("decide_proposals", { req }),
  /** Marks a case's records received unreviewed as reviewed; how many were. */
  markCaseReviewed: (caseId: string) => call<number>("mark_case_reviewed", { caseId }),
  backupStatus: () => call<BackupStatus>("backup_status"),
  backup: (out: string, passphrase: string, onProgress: (p: ProgressEvent) => void) =>
    call<ExportSummary>("backup_make", { req: { out, passphrase }, onProgress: progressChannel(onProgress) }),
  restore: (
    req: { file: string; into: string; backup_passphrase: string; new_passphrase: string },
    onProgress: (p: ProgressEvent) => void,
  ) => call<Restored>("backup_restore", { req, onProgress: progressChannel(onProgress) }),
  // Reports
  stats: (req: StatsRequest) => call<Stats>("stats_get", { req }),
  draft: (req: DraftRequest) => call<DraftWritten>("draft_write", { req }),
  /** A bundle path given on the command line at startup (packaging's argv handling), once. */
  takePendingOpen: () => call<string | null>("take_pending_open"),
  /** Whether this page was loaded again because the previous one stopped working (the vault was locked for it), once. */
  takeWindowRestarted: () => call<boolean>("take_window_restarted"),
  /** Whether audio and video may be played in the viewer: the page's process runs in WebKit's sandbox. */
  mediaPlaybackIsolated: () => call<boolean>("media_playback_isolated"),
  countries: (lang: string) => call<Array<[string, string]>>("countries", { lang }),
};

/** "Near" for deadlines, as the case list computes its urgent counts. */
export const URGENT_WITHIN_DAYS = 14;
