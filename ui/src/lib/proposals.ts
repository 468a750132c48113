// The logic of proposed changes (a bundle's changes that wait for the
// person), kept apart from the DOM so it is tested on its own: the plain
// words for each reason and action, a field's value as short text, the
// rows of an import plan or report, and the inbox grouped by bundle.

import { formatNumber, has, t } from "../i18n";
import type { FieldChange, ImportReport, ProposalAction, ProposalReason, ProposedChange } from "../generated";
import type { JsonValue } from "../generated/serde_json/JsonValue";

/**
 * The i18n key of each reason, in plain words. A `Record` over the generated
 * union: a reason added in the core and not here fails the typecheck.
 */
export const REASON_KEYS: Record<ProposalReason, string> = {
  new_record_in_your_case: "proposal.reason.new_record_in_your_case",
  not_custodian: "proposal.reason.not_custodian",
  sender_not_verified: "proposal.reason.sender_not_verified",
  not_addressed_to_you: "proposal.reason.not_addressed_to_you",
  old_format: "proposal.reason.old_format",
  edited_here: "proposal.reason.edited_here",
  same_version_different: "proposal.reason.same_version_different",
  version_jump: "proposal.reason.version_jump",
  own_other_copy: "proposal.reason.own_other_copy",
  received_before_custody: "proposal.reason.received_before_custody",
  needs_a_record_not_taken: "proposal.reason.needs_a_record_not_taken",
  deletion: "proposal.reason.deletion",
};

/** The i18n key of each action ("Add", "Change", "Delete"). */
export const ACTION_KEYS: Record<ProposalAction, string> = {
  add: "proposal.action.add",
  change: "proposal.action.change",
  delete: "proposal.action.delete",
};

export function reasonText(r: ProposalReason): string {
  return t(REASON_KEYS[r]);
}

export function actionText(a: ProposalAction): string {
  return t(ACTION_KEYS[a]);
}

/** The longest value shown in a diff, in characters; longer ones end with "…". */
export const MAX_VALUE_CHARS = 240;

/** Cuts `s` to `max` characters (whole code points, never half an emoji or letter pair), with an ellipsis. */
export function cut(s: string, max = MAX_VALUE_CHARS): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return `${chars.slice(0, Math.max(1, max - 1)).join("").trimEnd()}…`;
}

/** A field's value as one line of plain text (before cutting); `null` when absent or empty. */
export function valueText(v: JsonValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v.trim() ? v : null;
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean") return t(v ? "proposal.yes" : "proposal.no");
  if (Array.isArray(v)) {
    const parts = v.map((x) => valueText(x)).filter((x): x is string => x !== null);
    return parts.length ? parts.join(t("punct.list")) : null;
  }
  const parts = Object.values(v)
    .map((x) => valueText(x))
    .filter((x): x is string => x !== null);
  return parts.length ? parts.join(" · ") : null;
}

/** One row of a field-by-field difference, ready to show. */
export interface DiffRow {
  field: string;
  /** The field's name in the UI language (or the raw name). */
  label: string;
  /** Cut for display; `null`: absent. */
  before: string | null;
  after: string | null;
  /** Whether the text was cut (the full text goes in a tooltip). */
  beforeCut: boolean;
  afterCut: boolean;
  beforeFull: string | null;
  afterFull: string | null;
  /** Who a source is: the most sensitive field. */
  sensitive: boolean;
}

export function fieldLabel(field: string): string {
  const key = `proposal.field.${field}`;
  return has(key) ? t(key) : field.replace(/_/g, " ");
}

const SENSITIVE_FIELDS = new Set(["identity", "consent"]);

export function diffRows(fields: FieldChange[], max = MAX_VALUE_CHARS): DiffRow[] {
  return fields.map((f) => {
    const beforeFull = valueText(f.before);
    const afterFull = valueText(f.after);
    const before = beforeFull === null ? null : cut(beforeFull, max);
    const after = afterFull === null ? null : cut(afterFull, max);
    return {
      field: f.field,
      label: fieldLabel(f.field),
      before,
      after,
      beforeCut: before !== beforeFull,
      afterCut: after !== afterFull,
      beforeFull,
      afterFull,
      sensitive: SENSITIVE_FIELDS.has(f.field),
    };
  });
}

/** The proposals of one bundle, as the inbox shows them. */
export interface BundleGroup {
  bundle_id: string;
  sender_name: string;
  sender_fingerprint: string;
  sender_verified: boolean;
  /** The earliest reception of its proposals. */
  received_at: string;
  items: ProposedChange[];
}

/** Groups proposals by bundle, oldest bundle first, each bundle's proposals in their order. */
export function groupByBundle(ps: ProposedChange[]): BundleGroup[] {
  const groups = new Map<string, BundleGroup>();
  for (const p of ps) {
    let g = groups.get(p.bundle_id);
    if (!g) {
      g = {
        bundle_id: p.bundle_id,
        sender_name: p.sender_name,
        sender_fingerprint: p.sender_fingerprint,
        sender_verified: p.sender_verified,
        received_at: p.received_at,
        items: [],
      };
      groups.set(p.bundle_id, g);
    }
    // A bundle is verified only if every one of its proposals says so.
    g.sender_verified &&= p.sender_verified;
    if (p.received_at < g.received_at) g.received_at = p.received_at;
    g.items.push(p);
  }
  return [...groups.values()].sort((a, b) => (a.received_at < b.received_at ? -1 : a.received_at > b.received_at ? 1 : 0));
}

/** The categories of an import plan or report, in the order shown. */
export const OUTCOME_ROWS = [
  "added", "added_to_existing_cases", "updated", "unchanged", "older", "not_brought_back", "rejected_before", "proposed", "files_added",
] as const;
export type OutcomeRow = (typeof OUTCOME_ROWS)[number];

/** Each category with its count (new cases and held-for-review are shown with them). */
export function outcomeCounts(r: ImportReport): Record<OutcomeRow, number> {
  return {
    added: r.added,
    added_to_existing_cases: r.added_to_existing_cases,
    updated: r.updated,
    unchanged: r.unchanged,
    older: r.older,
    not_brought_back: r.not_brought_back,
    rejected_before: r.rejected_before,
    proposed: r.proposed.length,
    files_added: r.files_added,
  };
}

/** The rows worth a line: the zero ones are left out, except "added" (so the person sees "0"). */
export function outcomeRows(r: ImportReport): Array<[OutcomeRow, number]> {
  const c = outcomeCounts(r);
  return OUTCOME_ROWS.filter((k) => k === "added" || c[k] > 0).map((k) => [k, c[k]]);
}

/** Whether importing would change nothing at all here. */
export function changesNothing(r: ImportReport): boolean {
  return r.added === 0 && r.updated === 0 && r.proposed.length === 0 && r.files_added === 0 && r.new_cases.length === 0;
}

/**
 * Text from a bundle (a name, a label) wrapped in Unicode isolates, for
 * places where it must sit inside a translated sentence: a right-to-left
 * override in it cannot reach past its end and make the sentence, or a
 * neighbouring name, read as something else.
 */
export function isolate(s: string): string {
  return `\u2068${s}\u2069`;
}
