import { describe, expect, it } from "vitest";
import {
  FAILURES, PROFILE_NAMES, backupReminder, bundleFailure, bundleFileName, fingerprintGroups, isAgeRecipient, leftOut,
  profileName, profileOf, sameFingerprint, senderState,
} from "./handover";
import { ERROR_CODES } from "./errors";

describe("fingerprints", () => {
  it("splits into the groups people read aloud", () => {
    expect(fingerprintGroups("01234 56789 00001 99999 12121 34343")).toEqual(["01234", "56789", "00001", "99999", "12121", "34343"]);
    expect(fingerprintGroups("  ")).toEqual([]);
    expect(fingerprintGroups(null)).toEqual([]);
  });
  it("compares digits, not spacing, and never matches nothing", () => {
    expect(sameFingerprint("01234 56789", "0123456789")).toBe(true);
    expect(sameFingerprint("01234 56789", "01234 56788")).toBe(false);
    expect(sameFingerprint("", "")).toBe(false);
  });
});

describe("redaction profiles", () => {
  it("round-trip between names and flags", () => {
    for (const n of PROFILE_NAMES) expect(profileName(profileOf(n))).toBe(n);
    expect(profileOf("no-source-identities")).toEqual({ source_identities: false, private_notes: true });
  });
  it("count only what the profile leaves out", () => {
    const have = { sourceIdentities: 3, privateNotes: 2 };
    expect(leftOut(profileOf("full"), have)).toEqual({ sourceIdentities: 0, privateNotes: 0 });
    expect(leftOut(profileOf("no-source-identities"), have)).toEqual({ sourceIdentities: 3, privateNotes: 0 });
    expect(leftOut(profileOf("minimal"), have)).toEqual(have);
  });
});

describe("senders", () => {
  it("tells this vault, verified, unverified and unknown apart", () => {
    expect(senderState({ from_this_vault: true, sender_verified: true, sender_contact: null })).toBe("this_vault");
    expect(senderState({ from_this_vault: false, sender_verified: true, sender_contact: "Lina" })).toBe("verified");
    expect(senderState({ from_this_vault: false, sender_verified: false, sender_contact: "Lina" })).toBe("unverified");
    expect(senderState({ from_this_vault: false, sender_verified: false, sender_contact: null })).toBe("unknown");
  });
});

describe("failure screens", () => {
  it("map the core's codes to screens", () => {
    expect(bundleFailure("bundle.not_for_you")).toBe("not_for_you");
    for (const c of ["bundle.bad_signature", "bundle.file_altered", "bundle.hostile_entry", "bundle.bad_manifest"]) expect(bundleFailure(c)).toBe("tampered");
    expect(bundleFailure("bundle.unsupported_version")).toBe("unsupported_version");
    expect(bundleFailure("io.disk_full")).toBe("disk_full");
    expect(bundleFailure("vault.locked")).toBeNull();
  });
  it("exist for every bundle code the core has, and each such code is translated", () => {
    const bundleCodes = ERROR_CODES.filter((c) => c.startsWith("bundle.") && !["bundle.no_recipients", "bundle.bad_recipient", "bundle.nothing_selected", "bundle.output_exists", "bundle.needs_passphrase", "bundle.passphrase_too_short", "bundle.recipients_and_passphrase", "bundle.not_a_backup", "bundle.backup_needs_identity", "bundle.changed", "bundle.file_without_its_record", "bundle.too_large",
      // Shown as their own sentence (it says why and that nothing was written), not under a failure title that would blame the wrong thing.
      "bundle.from_the_future", "bundle.work_factor_too_high"].includes(c));
    expect(bundleCodes.length).toBeGreaterThan(8);
    for (const c of bundleCodes) expect(FAILURES).toContain(bundleFailure(c));
  });
});

describe("recipients", () => {
  it("accept only well-formed age X25519 recipients", () => {
    const good = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
    expect(isAgeRecipient(good)).toBe(true);
    expect(isAgeRecipient(` ${good} `)).toBe(true);
    expect(isAgeRecipient(good.slice(0, -1))).toBe(false);
    expect(isAgeRecipient(good.replace("age1", "age2"))).toBe(false);
    expect(isAgeRecipient(good.toUpperCase())).toBe(false);
  });
});

describe("backup reminder", () => {
  const base = { last_backup_at: null, days_since: null, due: true, remind_after_days: 14, has_cases: true };
  it("says never, or how long ago, only when due", () => {
    expect(backupReminder(base)).toEqual({ kind: "never" });
    expect(backupReminder({ ...base, last_backup_at: "2026-01-01T00:00:00Z", days_since: 20 })).toEqual({ kind: "stale", days: 20 });
    expect(backupReminder({ ...base, due: false, last_backup_at: "2026-01-01T00:00:00Z", days_since: 2 })).toBeNull();
    expect(backupReminder({ ...base, has_cases: false })).toBeNull();
    expect(backupReminder(null)).toBeNull();
  });
  it("names files by date", () => {
    expect(bundleFileName("backup", new Date("2026-03-04T12:00:00Z"))).toBe("amana-backup-2026-03-04.amana");
  });
});

import { DICTS, LANGS } from "../i18n";

describe("keys built from states", () => {
  it("exist in every language", () => {
    const keys: string[] = [];
    for (const f of FAILURES) for (const part of ["title", "text", "advice"]) keys.push(`bundle.failure.${f}.${part}`);
    for (const s of ["this_vault", "verified", "unverified", "unknown"]) keys.push(`bundle.sender.${s}`);
    for (const n of PROFILE_NAMES) keys.push(`export.profile.${n}`, `export.profile.${n}.hint`, `export.profile.${n}.summary`);
    for (const k of ["handover", "backup"]) keys.push(`bundle.kind.${k}`);
    for (const l of LANGS) for (const k of keys) expect(DICTS[l][k], `${l} ${k}`).toBeDefined();
  });
});
