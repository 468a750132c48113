// Error codes from the core (VaultError, DossierError, EvidenceError codes,
// plus vault.locked) to translated sentences. The raw English message is
// never shown; an unknown code gets a generic sentence.

import type { ApiError } from "../api";
import { has, t } from "../i18n";

/** Every code the commands can reject with, as listed in the Rust sources. */
export const ERROR_CODES = [
  "vault.not_found", "vault.already_exists", "vault.folder_not_empty", "vault.passphrase_empty",
  "vault.passphrase_too_short", "vault.wrong_passphrase", "vault.wrong_recovery_key", "vault.malformed_recovery_key",
  "vault.throttled", "vault.key_file_foreign", "vault.key_file_too_new", "vault.key_file_damaged",
  "vault.database_missing", "vault.database_damaged", "vault.database_too_new", "vault.database_error",
  "vault.kdf_out_of_bounds", "vault.locked", "vault.erase_incomplete",
  "keyring.unavailable", "keyring.mismatch", "keyring.failed", "keyring.not_remembered",
  "io.failed", "io.disk_full", "io.write_failed",
  "record.not_found", "record.wrong_kind", "record.invalid", "record.duplicate_id", "record.bad_reference",
  "record.in_use", "record.no_such_version", "record.evidence_needs_file",
  "evidence.not_a_file", "evidence.read_failed", "evidence.missing", "evidence.damaged",
  "evidence.digest_mismatch", "evidence.output_exists", "cancelled",
  // Handover: bundles, contacts, identity.
  "bundle.not_a_bundle", "bundle.not_for_you", "bundle.wrong_passphrase", "bundle.needs_passphrase", "bundle.damaged",
  "bundle.unsupported_version", "bundle.bad_signature", "bundle.file_altered", "bundle.hostile_entry",
  "bundle.bad_manifest", "bundle.refused", "bundle.output_exists", "bundle.no_recipients", "bundle.bad_recipient",
  "bundle.nothing_selected", "bundle.passphrase_too_short", "bundle.recipients_and_passphrase", "bundle.not_a_backup",
  "bundle.backup_needs_identity", "bundle.changed", "bundle.file_without_its_record", "bundle.too_large",
  "bundle.from_the_future", "bundle.work_factor_too_high",
  "restore.drive_top",
  // Proposed changes (the Inbox).
  "proposal.not_found", "proposal.decided",
  "contact.bad_card", "contact.duplicate", "contact.not_found", "contact.ambiguous", "contact.cannot_verify",
  "contact.name_needed", "contact.file_too_large", "contact.not_an_image", "contact.no_qr_code",
  "identity.damaged", "identity.bad_name", "identity.qr_too_long",
  // Reports.
  "report.bad_threshold", "report.bad_period", "report.output_exists", "report.write_failed", "report.pdf_failed",
] as const;

export function errorMessage(e: ApiError): string {
  const key = `error.${e.code}`;
  if (e.code === "vault.throttled") return t(key, { n: Math.max(1, Math.ceil(e.wait_seconds ?? 1)) });
  return has(key) ? t(key) : t("error.generic");
}
