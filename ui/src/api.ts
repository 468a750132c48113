// The command contract of src-tauri/src/lib.rs, typed. Top-level argument
// names are camelCased by Tauri; struct fields stay snake_case.

import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  Acquisition, AppStatus, AuditView, CaseListItem, CaseOverview, Deleted, Extracted, Kind, SearchResults,
  StoredRecord, TimelineEntry, UrgentItem, Version,
} from "./model";

/** An error as the commands reject with it. */
export interface ApiError {
  code: string;
  message: string;
  wait_seconds?: number;
}

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

export interface ProgressEvent {
  done: number;
  total: number;
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
  remember: (remember: boolean) => call<void>("vault_remember", { remember }),
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
  ) => {
    const channel = new Channel<ProgressEvent>();
    channel.onmessage = onProgress;
    return call<StoredRecord>("evidence_attach", { req, onProgress: channel });
  },
  evidenceRead: (id: string) => call<ArrayBuffer>("evidence_read", { id }),
  evidenceSaveCopy: (id: string, path: string) => call<Extracted>("evidence_save_copy", { id, path }),
  countries: (lang: string) => call<Array<[string, string]>>("countries", { lang }),
};

/** "Near" for deadlines, as the case list computes its urgent counts. */
export const URGENT_WITHIN_DAYS = 14;
