//! Handover bundles (docs/bundle-format.md): an age file holding a tar stream
//! of a signed manifest and the evidence files. [`write`] exports, [`read`]
//! verifies, [`import`] merges into a vault and [`restore`] makes a new vault
//! from a backup.
//!
//! Hostile input is the normal case here. A bundle is read once completely,
//! with every structural rule, the signature and every digest checked, before
//! anything is written anywhere; nothing in it can name a path on disk.

pub mod import;
pub mod inbox;
pub mod read;
pub mod restore;
pub mod write;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dossier::{Kind, Record};

/// `manifest.format`.
pub const FORMAT: &str = "amana-bundle";
/// The bundle version this build writes. It reads this one and version 1
/// (with a notice: a version 1 bundle does not say who it was for, nor who
/// has custody of its records).
pub const VERSION: u32 = 2;
/// The oldest bundle version this build reads.
pub const OLDEST_VERSION: u32 = 1;
/// Largest manifest a reader accepts.
pub const MAX_MANIFEST: u64 = 64 << 20;
/// Largest signature file a reader accepts.
pub const MAX_SIGNATURE: u64 = 4096;
/// Most records in one bundle.
pub const MAX_RECORDS: usize = 1_000_000;
/// Most files in one bundle.
pub const MAX_FILES: usize = 100_000;
/// Prefix of the signed message of a version 2 manifest (domain separation).
pub const SIGNATURE_CONTEXT: &[u8] = b"amana-bundle-v2 manifest\n";
/// Prefix of the signed message of a version 1 manifest.
pub const SIGNATURE_CONTEXT_V1: &[u8] = b"amana-bundle-v1 manifest\n";
/// The signed prefix for a manifest of this version.
pub fn signature_context(version: u32) -> &'static [u8] {
    if version == 1 {
        SIGNATURE_CONTEXT_V1
    } else {
        SIGNATURE_CONTEXT
    }
}
/// How far in the future a time in a bundle may be (clocks set by hand in
/// the field drift; no decision depends on these times, they are shown).
pub const MAX_CLOCK_SKEW_SECS: i64 = 24 * 3600;
/// The highest version number a bundle may give a record: far above what
/// years of editing reach, far below what would overflow anywhere.
pub const MAX_RECORD_VERSION: u32 = 1 << 30;
/// How far one bundle may move a record's custody version past the one this
/// vault holds before the change is held as a proposal: a stolen key that
/// signs version 2^30 must not freeze the record against its custodian's
/// next real versions (TUF's "fast-forward" attack).
pub const MAX_VERSION_JUMP: u32 = 100_000;
/// Tar path of the manifest.
pub const MANIFEST_PATH: &str = "manifest.json";
/// Tar path of the signature.
pub const SIGNATURE_PATH: &str = "manifest.sig";

/// What the bundle is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// Selected cases for someone else.
    Handover,
    /// The whole vault, with history.
    Backup,
}

/// Who made the bundle (self-asserted; the signature and contacts decide trust).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "BundleSender"))]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// Name.
    pub display_name: String,
    /// `ed25519:…`.
    pub signing_key: String,
    /// `age1…`.
    pub age_recipient: String,
    /// Fingerprint of the two keys.
    pub fingerprint: String,
}

/// What the sender chose to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "RedactionProfile"))]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Whether sources' identities are included.
    pub source_identities: bool,
    /// Whether cases' private notes are included.
    pub private_notes: bool,
}

impl Profile {
    /// Everything.
    pub const FULL: Profile = Profile { source_identities: true, private_notes: true };

    /// Parses a profile name: full, no-source-identities, no-private-notes, minimal.
    pub fn parse(name: &str) -> Option<Profile> {
        Some(match name {
            "full" => Profile::FULL,
            "no-source-identities" => Profile { source_identities: false, private_notes: true },
            "no-private-notes" => Profile { source_identities: true, private_notes: false },
            "minimal" => Profile { source_identities: false, private_notes: false },
            _ => return None,
        })
    }

    /// A plain-language summary of what is left out.
    pub fn summary(&self) -> &'static str {
        match (self.source_identities, self.private_notes) {
            (true, true) => "everything, including who the sources are and the private notes",
            (false, true) => "everything except who the sources are (their pseudonyms are kept)",
            (true, false) => "everything except the cases' private notes",
            (false, false) => "everything except who the sources are and the private notes",
        }
    }
}

/// A field left out of one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Redaction {
    /// The record.
    pub record_id: Uuid,
    /// Its kind.
    pub kind: Kind,
    /// The fields removed.
    pub fields: Vec<String>,
}

/// An earlier version of a record (backups only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// Version number.
    pub version: u32,
    /// When saved.
    pub saved_at: String,
    /// Content.
    pub data: serde_json::Value,
}

/// A record in a manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct BundleRecord {
    /// Stable id.
    pub id: Uuid,
    /// Kind.
    pub kind: Kind,
    /// Its case.
    pub case_id: Uuid,
    /// Version number at export.
    pub version: u32,
    /// Created.
    pub created_at: String,
    /// Last changed.
    pub updated_at: String,
    /// Content (docs/records.schema.json).
    pub data: serde_json::Value,
    /// Earlier versions (backups).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Version 2: the record's custodian, the vault that created it
    /// (`ed25519:…`); only it may change the record at its recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    /// Version 2: the custodian's version number of `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody_version: Option<u32>,
    /// Version 2 backups: the digest of the content as last taken from its
    /// custodian (so a restored vault still tells local edits apart).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody_sha256: Option<String>,
    /// Version 2: the sender had not reviewed this record either (it came
    /// to them from a sender they had not verified).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unreviewed: bool,
}

impl BundleRecord {
    /// The content, parsed strictly. An evidence record's `file_name`, which
    /// a hostile sender chooses, is first reduced to a safe base name
    /// ([`crate::text::safe_file_name`]: no path, no control or bidi
    /// override), so it reaches no dialog or screen as it came.
    pub fn record(&self) -> Result<Record, String> {
        let mut data = self.data.clone();
        if self.kind == Kind::Evidence {
            if let Some(name) = data.get_mut("file_name") {
                if let Some(text) = name.as_str() {
                    *name = serde_json::Value::String(crate::text::safe_file_name(text));
                }
            }
        }
        let r = Record::from_json(self.kind, data).map_err(|e| format!("record {}: {e}", self.id))?;
        r.validate().map_err(|e| format!("record {}: {e}", self.id))?;
        Ok(r)
    }
}

/// An evidence file in the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Tar path: `files/<evidence_id>`.
    pub path: String,
    /// The evidence record.
    pub evidence_id: Uuid,
    /// Bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// The manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// "amana-bundle".
    pub format: String,
    /// 1.
    pub version: u32,
    /// Unique per bundle.
    pub bundle_id: Uuid,
    /// Handover or backup.
    pub kind: BundleKind,
    /// When made.
    pub created_at: String,
    /// Who made it.
    pub sender: Sender,
    /// What was included.
    pub profile: Profile,
    /// What was left out, per record.
    pub redactions: Vec<Redaction>,
    /// The records, cases first.
    pub records: Vec<BundleRecord>,
    /// The evidence files, in tar order.
    pub files: Vec<FileEntry>,
    /// Backups only: the vault's identities and contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault: Option<crate::identity::VaultState>,
    /// Version 2: who the bundle was made for (signed, so a bundle
    /// re-encrypted to someone else tells that reader it was not for them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<BundleRecipients>,
    /// Version 2: records of these cases that the sender deleted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deletions: Vec<crate::dossier::store::Tombstone>,
}

/// Who a bundle was made for (version 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct BundleRecipients {
    /// The age recipients (`age1…`) it was encrypted to.
    pub age: Vec<String>,
    /// Whether it was encrypted to a passphrase instead.
    pub passphrase: bool,
}

/// `manifest.sig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatureFile {
    /// "ed25519".
    pub algorithm: String,
    /// Must equal the manifest's sender key.
    pub signing_key: String,
    /// Base64 of the 64-byte signature.
    pub signature: String,
}

/// Whether two versions of an evidence record describe the same file: a
/// file never changes under its id (`attached_to`, `file_name`,
/// `media_type`, `size`, `sha256`). Any other pair of records passes.
pub(crate) fn same_file(a: &Record, b: &Record) -> bool {
    match (a, b) {
        (Record::Evidence(a), Record::Evidence(b)) => {
            (a.attached_to, &a.file_name, &a.media_type, a.size, &a.sha256)
                == (b.attached_to, &b.file_name, &b.media_type, b.size, &b.sha256)
        }
        _ => true,
    }
}

/// The order records are written and applied in: a record only refers to
/// records of kinds that come before it.
pub fn kind_order(k: Kind) -> u8 {
    match k {
        Kind::Case => 0,
        Kind::Situation => 1,
        Kind::Incident => 2,
        Kind::Instrument => 3,
        Kind::Proceeding => 4,
        Kind::Source => 5,
        Kind::Testimony => 6,
        Kind::Evidence => 7,
    }
}

/// Everything that can go wrong with a bundle. Messages are for a person
/// under stress: what happened, and that nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not an age file at all.
    #[error("this is not an Amana bundle, or its beginning is damaged")]
    NotABundle,
    /// None of the reader's keys opens it.
    #[error("this bundle was not made for you: none of your keys can open it")]
    NotForYou,
    /// The passphrase is wrong.
    #[error("the passphrase does not open this bundle")]
    WrongPassphrase,
    /// A passphrase bundle was opened without a passphrase.
    #[error("this bundle is protected by a passphrase; give it (AMANA_BUNDLE_PASSPHRASE or the prompt)")]
    NeedsPassphrase,
    /// Cut short or damaged in transit.
    #[error("the bundle is damaged or incomplete (perhaps cut short while copying); nothing was written")]
    Damaged,
    /// Unsupported version.
    #[error(
        "this bundle has format version {0}, which this Amana cannot read; install a newer Amana; nothing was written"
    )]
    UnsupportedVersion(u64),
    /// The signature does not verify.
    #[error("the bundle's signature is not valid: it was altered after it was signed, or not made by the sender it names; nothing was written")]
    BadSignature,
    /// A file's content does not match the manifest.
    #[error(
        "the file {0} in the bundle was altered (its SHA-256 does not match the signed manifest); nothing was written"
    )]
    FileAltered(String),
    /// A forbidden tar entry.
    #[error("the bundle contains a forbidden entry ({0}); it may be an attack; nothing was written")]
    Hostile(String),
    /// The manifest breaks the format's rules.
    #[error("the bundle's manifest is invalid ({0}); nothing was written")]
    BadManifest(String),
    /// A record conflicts in a way that refuses the whole bundle.
    #[error("the bundle cannot be imported: {0}; nothing was written")]
    Refused(String),
    /// No proposal (or no pending proposal of that bundle) has this id.
    #[error("no proposed change waits under the id {0}; it may have been decided already")]
    NoSuchProposal(uuid::Uuid),
    /// The proposal was already accepted or rejected.
    #[error("the proposed change {0} was already {1}; nothing was done")]
    ProposalDecided(uuid::Uuid, String),
    /// A time in the bundle is later than now (beyond clock drift).
    #[error(
        "the bundle is dated in the future ({0}); its sender's clock is wrong or it was forged; nothing was written"
    )]
    FromTheFuture(String),
    /// A passphrase bundle asks for more scrypt work than Amana allows.
    #[error("this bundle's passphrase protection asks for far more computing work than Amana ever uses (2^{0}); it may be an attempt to freeze this computer; nothing was done")]
    WorkFactorTooHigh(u8),
    /// The bundle file changed between two readings (still being copied?).
    #[error("the bundle file changed while it was being read (was it still being copied?); nothing was written; try again once it is complete")]
    Changed,
    /// An evidence file was chosen without the record it documents.
    #[error("the file {0} documents a record that is not chosen: choose that record too, or leave the file out")]
    FileWithoutItsRecord(uuid::Uuid),
    /// More than one bundle can hold.
    #[error("the selection is too large for one bundle (its list of contents would pass 64 MiB); send fewer cases at a time")]
    TooLarge,
    /// The output exists.
    #[error("{0} already exists; choose another name (nothing was overwritten)")]
    OutputExists(std::path::PathBuf),
    /// No recipients.
    #[error("choose at least one recipient, or a passphrase")]
    NoRecipients,
    /// A recipient is not valid.
    #[error("\"{0}\" is not a contact or an age recipient (age1…)")]
    BadRecipient(String),
    /// Nothing selected.
    #[error("no cases were selected")]
    NothingSelected,
    /// The disk is full.
    #[error("the disk is full; the bundle was not written")]
    DiskFull,
    /// Reading or writing failed.
    #[error("could not {what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why.
        source: std::io::Error,
    },
    /// Cancelled.
    #[error("cancelled; nothing was kept")]
    Cancelled,
    /// Record, identity, evidence or database errors.
    #[error("{0}")]
    Vault(String, &'static str),
}

impl BundleError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::NotABundle => "bundle.not_a_bundle",
            BundleError::NotForYou => "bundle.not_for_you",
            BundleError::WrongPassphrase => "bundle.wrong_passphrase",
            BundleError::NeedsPassphrase => "bundle.needs_passphrase",
            BundleError::Damaged => "bundle.damaged",
            BundleError::UnsupportedVersion(_) => "bundle.unsupported_version",
            BundleError::BadSignature => "bundle.bad_signature",
            BundleError::FileAltered(_) => "bundle.file_altered",
            BundleError::Hostile(_) => "bundle.hostile_entry",
            BundleError::BadManifest(_) => "bundle.bad_manifest",
            BundleError::Refused(_) => "bundle.refused",
            BundleError::Changed => "bundle.changed",
            BundleError::FromTheFuture(_) => "bundle.from_the_future",
            BundleError::NoSuchProposal(_) => "proposal.not_found",
            BundleError::ProposalDecided(..) => "proposal.decided",
            BundleError::WorkFactorTooHigh(_) => "bundle.work_factor_too_high",
            BundleError::FileWithoutItsRecord(_) => "bundle.file_without_its_record",
            BundleError::TooLarge => "bundle.too_large",
            BundleError::OutputExists(_) => "bundle.output_exists",
            BundleError::NoRecipients => "bundle.no_recipients",
            BundleError::BadRecipient(_) => "bundle.bad_recipient",
            BundleError::NothingSelected => "bundle.nothing_selected",
            BundleError::DiskFull => "io.disk_full",
            BundleError::Io { .. } => "io.failed",
            BundleError::Cancelled => "cancelled",
            BundleError::Vault(_, code) => code,
        }
    }

    pub(crate) fn io(what: &str) -> impl FnOnce(std::io::Error) -> BundleError + '_ {
        move |source| {
            if source.kind() == std::io::ErrorKind::StorageFull || source.raw_os_error() == Some(28) {
                BundleError::DiskFull
            } else {
                BundleError::Io { what: what.to_string(), source }
            }
        }
    }
}

impl From<crate::dossier::DossierError> for BundleError {
    fn from(e: crate::dossier::DossierError) -> Self {
        BundleError::Vault(e.to_string(), e.code())
    }
}
impl From<crate::identity::IdentityError> for BundleError {
    fn from(e: crate::identity::IdentityError) -> Self {
        BundleError::Vault(e.to_string(), e.code())
    }
}
impl From<crate::evidence::EvidenceError> for BundleError {
    fn from(e: crate::evidence::EvidenceError) -> Self {
        BundleError::Vault(e.to_string(), e.code())
    }
}
impl From<rusqlite::Error> for BundleError {
    fn from(e: rusqlite::Error) -> Self {
        crate::dossier::DossierError::from(e).into()
    }
}

/// Checks a manifest against every rule of the format (§2), except the
/// signature. Returns the first problem.
pub fn validate_manifest(m: &Manifest) -> Result<(), BundleError> {
    let bad = |s: String| Err(BundleError::BadManifest(s));
    if m.format != FORMAT {
        return bad(format!("format is \"{}\"", m.format.chars().take(40).collect::<String>()));
    }
    if m.records.len() > MAX_RECORDS || m.files.len() > MAX_FILES {
        return bad("too many records or files".into());
    }
    match (&m.vault, m.kind) {
        (Some(_), BundleKind::Handover) => return bad("a handover carries a vault's identities".into()),
        (Some(state), BundleKind::Backup) => {
            if state.identities.len() > MAX_FILES || state.contacts.len() > MAX_FILES {
                return bad("too many identities or contacts".into());
            }
            crate::identity::check_state(state)
                .map_err(|_| BundleError::BadManifest("a damaged identity or contact".into()))?;
        }
        (None, _) => {}
    }
    check_times(m)?;
    match m.version {
        1 => {
            if m.recipients.is_some()
                || !m.deletions.is_empty()
                || m.records.iter().any(|r| {
                    r.custodian.is_some() || r.custody_version.is_some() || r.custody_sha256.is_some() || r.unreviewed
                })
            {
                return bad("a version 1 manifest with version 2 fields".into());
            }
        }
        _ => {
            let Some(to) = &m.recipients else { return bad("it does not say who the bundle is for".into()) };
            if to.age.len() > MAX_FILES || (to.age.is_empty() != to.passphrase) {
                return bad("its list of recipients is not valid".into());
            }
            for r in &to.age {
                if r.len() > 100 || std::str::FromStr::from_str(r).map(|_: age::x25519::Recipient| ()).is_err() {
                    return bad("a recipient is not an age recipient".into());
                }
            }
            for r in &m.records {
                let (Some(c), Some(v)) = (&r.custodian, r.custody_version) else {
                    return bad(format!("record {} has no custodian", r.id));
                };
                if crate::identity::decode_signing_key(c).is_none() {
                    return bad(format!("record {} names a custodian that is not a signing key", r.id));
                }
                if v == 0 || v > MAX_RECORD_VERSION {
                    return bad(format!("record {} has an impossible version number", r.id));
                }
                if r.custody_sha256.is_some() && m.kind != BundleKind::Backup {
                    return bad("a handover carries custody digests".into());
                }
            }
            if m.deletions.len() > MAX_RECORDS {
                return bad("too many deletions".into());
            }
            let sent: std::collections::HashSet<Uuid> = m.records.iter().map(|r| r.id).collect();
            let mut seen = std::collections::HashSet::new();
            for d in &m.deletions {
                if !seen.insert(d.id) || sent.contains(&d.id) {
                    return bad(format!("the deleted record {} is listed twice", d.id));
                }
                if d.custodian.as_deref().is_some_and(|c| crate::identity::decode_signing_key(c).is_none())
                    || d.custody_version.is_some_and(|v| v == 0 || v > MAX_RECORD_VERSION)
                {
                    return bad(format!("the deletion of {} is not valid", d.id));
                }
            }
        }
    }
    if m.records.iter().any(|r| r.version == 0 || r.version > MAX_RECORD_VERSION) {
        return bad("a record has an impossible version number".into());
    }
    let mut ids = std::collections::HashMap::with_capacity(m.records.len());
    for r in &m.records {
        if ids.insert(r.id, r).is_some() {
            return bad(format!("the record id {} appears twice", r.id));
        }
    }
    for r in &m.records {
        let record = r.record().map_err(BundleError::BadManifest)?;
        // References resolve inside the bundle, to a record of an allowed
        // kind in the same case: a bundle that verifies also imports.
        for reference in record.references() {
            let target = ids.get(&reference.id);
            if !target.is_some_and(|t| t.case_id == r.case_id && reference.allowed.contains(&t.kind)) {
                return bad(format!(
                    "record {} points at {} {}, which is not in the bundle's same case",
                    r.id, reference.what, reference.id
                ));
            }
        }
        if r.kind == Kind::Case {
            if r.case_id != r.id {
                return bad(format!("case {} claims to belong to another case", r.id));
            }
        } else if !ids.get(&r.case_id).is_some_and(|c| c.kind == Kind::Case) {
            return bad(format!("record {} belongs to a case that is not in the bundle", r.id));
        }
    }
    let mut paths = std::collections::HashSet::new();
    for f in &m.files {
        if f.path != format!("files/{}", f.evidence_id) || !paths.insert(f.path.clone()) {
            return bad(format!("the file path \"{}\" is not allowed", f.path.chars().take(80).collect::<String>()));
        }
        let matches = ids.get(&f.evidence_id).and_then(|r| match r.record() {
            Ok(Record::Evidence(e)) => Some(e.size == f.size && e.sha256 == f.sha256),
            _ => None,
        });
        if matches != Some(true) {
            return bad(format!("the file {} does not match an evidence record", f.path));
        }
    }
    let with_files: std::collections::HashSet<Uuid> = m.files.iter().map(|f| f.evidence_id).collect();
    if let Some(r) = m.records.iter().find(|r| r.kind == Kind::Evidence && !with_files.contains(&r.id)) {
        return bad(format!("the evidence record {} has no file", r.id));
    }
    Ok(())
}

/// Every time in the manifest is a real RFC 3339 time, and none is later
/// than now by more than [`MAX_CLOCK_SKEW_SECS`].
fn check_times(m: &Manifest) -> Result<(), BundleError> {
    use crate::dossier::date::{now_unix, parse_rfc3339};
    let latest = now_unix() + MAX_CLOCK_SKEW_SECS;
    let check = |t: &str| -> Result<(), BundleError> {
        match parse_rfc3339(t) {
            None => Err(BundleError::BadManifest(format!(
                "\"{}\" is not a time",
                t.chars().take(40).flat_map(char::escape_debug).collect::<String>()
            ))),
            Some(at) if at > latest => Err(BundleError::FromTheFuture(t.to_string())),
            Some(_) => Ok(()),
        }
    };
    check(&m.created_at)?;
    for r in &m.records {
        check(&r.created_at)?;
        check(&r.updated_at)?;
        for h in &r.history {
            check(&h.saved_at)?;
        }
    }
    for d in &m.deletions {
        check(&d.deleted_at)?;
    }
    Ok(())
}
