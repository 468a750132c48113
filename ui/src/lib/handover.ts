// The logic of the handover screens, kept apart from the DOM so it is
// tested on its own: fingerprint grouping, named redaction profiles, what a
// bundle's sender is to us, which failure screen an error code gets,
// recipient checks and the backup reminder.

import type { BackupStatus, BundleSummary, RedactionProfile } from "../generated";

/** A fingerprint as groups to read aloud ("12345 67890 …" → ["12345", "67890", …]). */
export function fingerprintGroups(fp: string | null | undefined): string[] {
  return (fp ?? "").trim().split(/\s+/).filter(Boolean);
}

/** Whether two fingerprints are the same digits, whatever the spacing. */
export function sameFingerprint(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (s: string | null | undefined) => (s ?? "").replace(/\s+/g, "");
  return norm(a) !== "" && norm(a) === norm(b);
}

/** The four redaction profiles by name (as the CLI's --profile). */
export const PROFILE_NAMES = ["no-source-identities", "minimal", "no-private-notes", "full"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export function profileOf(name: ProfileName): RedactionProfile {
  switch (name) {
    case "full":
      return { source_identities: true, private_notes: true };
    case "no-source-identities":
      return { source_identities: false, private_notes: true };
    case "no-private-notes":
      return { source_identities: true, private_notes: false };
    case "minimal":
      return { source_identities: false, private_notes: false };
  }
}

export function profileName(p: RedactionProfile): ProfileName {
  return PROFILE_NAMES.find((n) => {
    const q = profileOf(n);
    return q.source_identities === p.source_identities && q.private_notes === p.private_notes;
  })!;
}

/** What will be left out of the chosen cases, counted, for the plain-language summary. */
export interface LeftOut {
  sourceIdentities: number;
  privateNotes: number;
}

export function leftOut(p: RedactionProfile, have: LeftOut): LeftOut {
  return { sourceIdentities: p.source_identities ? 0 : have.sourceIdentities, privateNotes: p.private_notes ? 0 : have.privateNotes };
}

/** Who sent a bundle, as far as this vault knows. */
export type SenderState = "this_vault" | "verified" | "unverified" | "unknown";

export function senderState(s: Pick<BundleSummary, "from_this_vault" | "sender_verified" | "sender_contact">): SenderState {
  if (s.from_this_vault) return "this_vault";
  if (s.sender_contact === null) return "unknown";
  return s.sender_verified ? "verified" : "unverified";
}

/** The failure screens of opening a bundle; each has its own title and advice. */
export const FAILURES = ["not_for_you", "tampered", "damaged", "not_a_bundle", "unsupported_version", "disk_full", "wrong_passphrase", "refused"] as const;
export type Failure = (typeof FAILURES)[number];

/** The screen an error code gets, or null for an ordinary error message. */
export function bundleFailure(code: string): Failure | null {
  switch (code) {
    case "bundle.not_for_you":
      return "not_for_you";
    case "bundle.bad_signature":
    case "bundle.file_altered":
    case "bundle.hostile_entry":
    case "bundle.bad_manifest":
      return "tampered";
    case "bundle.damaged":
      return "damaged";
    case "bundle.not_a_bundle":
      return "not_a_bundle";
    case "bundle.unsupported_version":
      return "unsupported_version";
    case "io.disk_full":
      return "disk_full";
    case "bundle.wrong_passphrase":
      return "wrong_passphrase";
    case "bundle.refused":
      return "refused";
    default:
      return null;
  }
}

/** An age X25519 recipient: "age1" and 58 bech32 characters. */
export function isAgeRecipient(s: string): boolean {
  return /^age1[02-9ac-hj-np-z]{58}$/.test(s.trim());
}

/** The reminder to show, if any: never backed up, or not for `days` days. */
export function backupReminder(s: BackupStatus | null): { kind: "never" } | { kind: "stale"; days: number } | null {
  if (!s || !s.due || !s.has_cases) return null;
  if (s.last_backup_at === null || s.days_since === null) return { kind: "never" };
  return { kind: "stale", days: s.days_since };
}

/** A default file name for a bundle or backup: amana-<what>-YYYY-MM-DD.amana. */
export function bundleFileName(what: "handover" | "backup", today: Date = new Date()): string {
  const d = today.toISOString().slice(0, 10);
  return `amana-${what}-${d}.amana`;
}
