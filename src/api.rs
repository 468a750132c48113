//! The app's contract: one function per user action, with typed requests
//! and responses, called by the desktop shell (and usable by any front end).
//! Tauri-free; errors cross as `{code, message}` with stable dotted codes and
//! sentences that never contain a secret.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dossier::date::Date;
use crate::dossier::store::{self, StoredRecord};
use crate::dossier::views::{self, CaseOverview, TimelineEntry, UrgentItem};
use crate::dossier::{Acquisition, CountryCode, Kind, Record};
use crate::evidence::{self, Attachment};
use crate::fault::crash_point;
use crate::{audit, search, Vault};

mod handover;
pub use handover::*;
#[cfg(test)]
mod ts_types;

/// An error as the UI sees it: a stable code it translates, and an English
/// sentence for logs and fallbacks.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApiError {
    /// Stable dotted code, e.g. `vault.wrong_passphrase`.
    pub code: String,
    /// One English sentence.
    pub message: String,
    /// For throttling: seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub wait_seconds: Option<u64>,
}

macro_rules! api_error_from {
    ($($t:ty),*) => {$(
        impl From<$t> for ApiError {
            fn from(e: $t) -> Self {
                ApiError { code: e.code().to_string(), message: e.to_string(), wait_seconds: None }
            }
        }
    )*};
}
api_error_from!(
    crate::dossier::DossierError,
    crate::evidence::EvidenceError,
    crate::bundle::BundleError,
    crate::identity::IdentityError
);

impl From<crate::VaultError> for ApiError {
    fn from(e: crate::VaultError) -> Self {
        let wait_seconds = match &e {
            crate::VaultError::Throttled(d) => Some(d.as_secs().max(1)),
            _ => None,
        };
        ApiError { code: e.code().to_string(), message: e.to_string(), wait_seconds }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        crate::dossier::DossierError::from(e).into()
    }
}

/// The result type of every API function.
pub type ApiResult<T> = Result<T, ApiError>;

/// What the start screen needs.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AppStatus {
    /// The vault on disk.
    pub vault: crate::VaultStatus,
    /// Whether it is open in this app.
    pub unlocked: bool,
}

/// Progress of a long operation (bytes or steps done of a total).
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProgressEvent {
    /// Done so far.
    pub done: u64,
    /// The total.
    pub total: u64,
}

/// Create a vault.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CreateVaultRequest {
    /// The new passphrase (deserialised straight into a secret).
    #[cfg_attr(test, ts(type = "string"))]
    pub passphrase: SecretString,
}

/// The outcome of creating a vault: the recovery key, to show once.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CreatedVault {
    /// Shown once; the UI must make the user confirm they stored it.
    pub recovery_key: String,
}

/// Unlock with the passphrase.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UnlockRequest {
    /// The passphrase.
    #[cfg_attr(test, ts(type = "string"))]
    pub passphrase: SecretString,
}

/// Change the passphrase (the vault is unlocked).
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChangePassphraseRequest {
    /// The current passphrase, asked again.
    #[cfg_attr(test, ts(type = "string"))]
    pub current: SecretString,
    /// The new one.
    #[cfg_attr(test, ts(type = "string"))]
    pub new: SecretString,
}

/// Set a new passphrase with the recovery key.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RecoverRequest {
    /// The recovery key as typed.
    #[cfg_attr(test, ts(type = "string"))]
    pub recovery_key: SecretString,
    /// The new passphrase.
    #[cfg_attr(test, ts(type = "string"))]
    pub new: SecretString,
}

/// Remember the vault on this device: the passphrase is asked again.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RememberRequest {
    /// The vault's passphrase, asked again even though the vault is unlocked.
    #[cfg_attr(test, ts(type = "string"))]
    pub passphrase: SecretString,
}

/// The vault folder used when none is given: the user's data folder.
pub fn default_vault_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "amana")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("amana-vault"))
}

/// Creates a vault with Argon2id calibrated to about one second here.
pub fn create_vault(dir: &std::path::Path, req: CreateVaultRequest) -> ApiResult<(Vault, CreatedVault)> {
    let params = crate::KdfParams::calibrate(std::time::Duration::from_secs(1));
    let (vault, recovery) = Vault::create(dir, &req.passphrase, params)?;
    let shown = recovery.display_once();
    Ok((vault, CreatedVault { recovery_key: secrecy::ExposeSecret::expose_secret(&shown).to_string() }))
}

/// Unlocks with the passphrase.
pub fn unlock(dir: &std::path::Path, req: UnlockRequest) -> ApiResult<Vault> {
    Ok(Vault::unlock(dir, &req.passphrase)?)
}

/// Sets a new passphrase with the recovery key.
pub fn recover(dir: &std::path::Path, req: RecoverRequest) -> ApiResult<Vault> {
    let params = crate::KdfParams::calibrate(std::time::Duration::from_secs(1));
    Ok(Vault::recover(dir, &req.recovery_key, &req.new, params)?)
}

/// Changes the passphrase after checking the current one.
pub fn change_passphrase(dir: &std::path::Path, vault: &mut Vault, req: ChangePassphraseRequest) -> ApiResult<()> {
    // The current passphrase is asked again, so an unlocked, unattended
    // laptop cannot be re-keyed by whoever finds it.
    Vault::unlock(dir, &req.current)?.lock();
    let params = crate::KdfParams::calibrate(std::time::Duration::from_secs(1));
    Ok(vault.change_passphrase(&req.new, params)?)
}

/// Remembers the vault key in this device's keyring, after checking the
/// passphrase asked again: an unlocked, unattended session is not enough to
/// leave the key on the device. A wrong passphrase counts as a failed attempt.
pub fn remember(dir: &std::path::Path, req: RememberRequest) -> ApiResult<()> {
    Ok(Vault::remember_on_this_device(dir, &req.passphrase)?)
}

/// Removes the vault key from this device's keyring (no passphrase needed).
pub fn forget(dir: &std::path::Path) -> ApiResult<()> {
    Ok(Vault::forget_on_this_device(dir)?)
}

/// A line of the case list, with what the filters need.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CaseListItem {
    /// Case id.
    pub id: Uuid,
    /// Subject's main name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: crate::dossier::CaseStatus,
    /// Risk.
    pub risk: crate::dossier::RiskLevel,
    /// Tags.
    pub tags: Vec<String>,
    /// States that pursue the subject (from incidents and instruments).
    pub requesting_states: Vec<CountryCode>,
    /// States asked to act.
    pub requested_states: Vec<CountryCode>,
    /// Tactics used.
    pub tactics: Vec<crate::dossier::Tactic>,
    /// Latest situation.
    pub current_situation: Option<crate::dossier::SituationKind>,
    /// Days since arrest, if in custody.
    pub days_since_arrest: Option<i64>,
    /// Number of urgent items (deadlines, custody).
    pub urgent: usize,
    /// Last change.
    pub updated_at: String,
    /// Records of this case received from an unverified sender, not reviewed yet.
    pub unreviewed: usize,
    /// Proposed changes to this case waiting for a decision.
    pub proposals: usize,
}

/// Every case, with the figures the list shows.
pub fn list_cases(vault: &Vault, today: Date) -> ApiResult<Vec<CaseListItem>> {
    let urgent = views::urgent(vault.conn(), today, views::URGENT_WITHIN_DAYS)?;
    let mut out = Vec::new();
    for c in store::list(vault.conn(), Some(Kind::Case), None)? {
        let o = views::case_overview(vault.conn(), c.id, today)?;
        let Record::Case(case) = &o.case.record else { continue };
        let mut requesting = Vec::new();
        let mut requested = Vec::new();
        let mut tactics = Vec::new();
        for r in o.incidents.iter().chain(&o.instruments) {
            match &r.record {
                Record::Incident(i) => {
                    requesting.push(i.requesting_state.clone());
                    requested.extend(i.requested_state.clone());
                    tactics.push(i.tactic);
                }
                Record::Instrument(i) => requesting.push(i.issuing_state.clone()),
                _ => {}
            }
        }
        requesting.sort();
        requesting.dedup();
        requested.sort();
        requested.dedup();
        tactics.dedup();
        out.push(CaseListItem {
            id: c.id,
            name: case.subject.names.first().map(|n| n.name.clone()).unwrap_or_default(),
            title: case.title.clone(),
            status: case.status,
            risk: case.risk,
            tags: case.tags.clone(),
            requesting_states: requesting,
            requested_states: requested,
            tactics,
            current_situation: o.current_situation,
            days_since_arrest: o.days_since_arrest,
            urgent: urgent.iter().filter(|u| u.case_id == c.id).count(),
            updated_at: c.updated_at.clone(),
            unreviewed: store::count_unreviewed(vault.conn(), c.id)?,
            proposals: crate::bundle::inbox::pending_for_case(vault.conn(), c.id)?,
        });
    }
    out.sort_by(|a, b| b.urgent.cmp(&a.urgent).then(b.updated_at.cmp(&a.updated_at)));
    Ok(out)
}

/// A case with everything in it.
pub fn case_overview(vault: &Vault, id: Uuid, today: Date) -> ApiResult<CaseOverview> {
    Ok(views::case_overview(vault.conn(), id, today)?)
}

/// Add a record.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AddRecordRequest {
    /// Its kind.
    pub kind: Kind,
    /// Its case (none for a case).
    pub case_id: Option<Uuid>,
    /// Its content (docs/records.schema.json).
    pub data: serde_json::Value,
}

/// Adds a record. Evidence is not added by hand: its record is made by
/// attaching its file ([`attach`]), which fixes its size and digest.
pub fn add_record(vault: &mut Vault, req: AddRecordRequest) -> ApiResult<StoredRecord> {
    if req.kind == Kind::Evidence {
        return Err(ApiError {
            code: "record.evidence_needs_file".into(),
            message: "an evidence record is made by attaching its file (`amana attach RECORD_ID FILE`)".into(),
            wait_seconds: None,
        });
    }
    let (id, record) = store::parse_input(req.kind, req.data)?;
    let tx = vault.conn_mut().transaction()?;
    let r = store::add(&tx, req.case_id, id, record, None)?;
    crash_point("record.before-commit");
    tx.commit()?;
    crash_point("record.after-commit");
    Ok(r)
}

/// Edit a record with a JSON merge patch.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EditRecordRequest {
    /// The record.
    pub id: Uuid,
    /// The fields to change (`null` removes).
    pub patch: serde_json::Value,
}

/// Edits a record; the previous version stays in its history.
pub fn edit_record(vault: &mut Vault, req: EditRecordRequest) -> ApiResult<StoredRecord> {
    let tx = vault.conn_mut().transaction()?;
    let r = store::edit(&tx, req.id, &req.patch)?;
    crash_point("record.before-commit");
    tx.commit()?;
    crash_point("record.after-commit");
    Ok(r)
}

/// Deletes a record (a case with everything in it) and its evidence files.
/// The vault stays unlocked, so the journal is truncated here: the deleted
/// text is then in no page of vault.db or vault.db-wal (docs/SECURITY.md).
pub fn delete_record(vault: &mut Vault, id: Uuid) -> ApiResult<store::Deleted> {
    let tx = vault.conn_mut().transaction()?;
    let gone = store::delete(&tx, id)?;
    crash_point("record.before-commit");
    tx.commit()?;
    crash_point("record.after-commit");
    crate::db::truncate_journal(vault.conn())?;
    evidence::remove_files(vault, &gone.evidence);
    Ok(gone)
}

/// One record.
pub fn get_record(vault: &Vault, id: Uuid) -> ApiResult<StoredRecord> {
    Ok(store::get(vault.conn(), id)?)
}

/// A record's versions.
pub fn record_history(vault: &Vault, id: Uuid) -> ApiResult<Vec<store::Version>> {
    Ok(store::history(vault.conn(), id)?)
}

/// Search.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SearchRequest {
    /// What the person typed.
    pub query: String,
    /// Page size.
    pub limit: usize,
    /// Offset.
    pub offset: usize,
}

/// Searches the vault.
pub fn search(vault: &Vault, req: SearchRequest) -> ApiResult<search::Results> {
    let limit = req.limit.clamp(1, 200);
    Ok(vault.with_reader(|reader| search::search_with(vault.conn(), reader, &req.query, limit, req.offset))?)
}

/// What is urgent.
pub fn urgent(vault: &Vault, today: Date, within_days: i64) -> ApiResult<Vec<UrgentItem>> {
    Ok(views::urgent(vault.conn(), today, within_days)?)
}

/// A case's timeline.
pub fn timeline(vault: &Vault, case_id: Uuid) -> ApiResult<Vec<TimelineEntry>> {
    Ok(views::timeline(vault.conn(), case_id)?)
}

/// The audit log and whether its chain is intact.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditView {
    /// Newest entries first.
    pub entries: Vec<audit::Entry>,
    /// The chain check.
    pub chain: audit::ChainReport,
}

/// The audit log, verified.
pub fn audit_log(vault: &Vault, limit: usize) -> ApiResult<AuditView> {
    Ok(AuditView { entries: audit::list(vault.conn(), limit, None)?, chain: audit::verify(vault.conn())? })
}

/// Attach a file chosen in the native dialog.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AttachRequest {
    /// The record it documents.
    pub attached_to: Uuid,
    /// The path the dialog returned.
    pub path: PathBuf,
    /// Chain of custody.
    #[serde(default)]
    pub acquisition: Acquisition,
    /// What it shows.
    #[serde(default)]
    pub description: String,
}

/// Encrypts a file into the vault.
pub fn attach(vault: &mut Vault, req: AttachRequest, progress: evidence::Progress<'_>) -> ApiResult<StoredRecord> {
    Ok(evidence::attach(
        vault,
        Attachment {
            attached_to: req.attached_to,
            path: &req.path,
            acquisition: req.acquisition,
            description: req.description,
        },
        progress,
    )?)
}

/// Largest file shown inside the app (read into memory, verified).
pub const MAX_VIEW_BYTES: u64 = 256 << 20;

/// An evidence file's verified bytes, for viewing in memory.
pub fn read_evidence(vault: &Vault, id: Uuid) -> ApiResult<(crate::dossier::Evidence, zeroize::Zeroizing<Vec<u8>>)> {
    Ok(evidence::read_verified(vault, id, MAX_VIEW_BYTES)?)
}

/// Writes a plaintext copy where the user chose in the save dialog.
pub fn save_evidence_copy(
    vault: &mut Vault,
    id: Uuid,
    out: PathBuf,
    progress: evidence::Progress<'_>,
) -> ApiResult<evidence::Extracted> {
    Ok(evidence::extract(vault, id, &out, progress)?)
}

impl From<crate::report::ReportError> for ApiError {
    fn from(e: crate::report::ReportError) -> Self {
        ApiError { code: e.code().to_string(), message: e.to_string(), wait_seconds: None }
    }
}

/// Statistics for the Statistics screen: which cases (period, tags), and
/// whether to return the aggregate-only report safe to publish.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsRequest {
    /// Period and tags.
    #[serde(default)]
    pub filter: crate::report::stats::StatsFilter,
}

/// Every statistic of the chosen cases as of `today`: counts keyed by country
/// code, tactic, profile..., flows as source/target/count, CCF delays as
/// buckets and raw day counts (the UI translates the keys).
pub fn stats(vault: &Vault, req: StatsRequest, today: Date) -> ApiResult<crate::report::stats::Stats> {
    Ok(crate::report::statistics(vault, &req.filter, today)?)
}

/// The aggregate-only report: counts under `threshold` shown as "fewer than N".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PublishableStatsRequest {
    /// Period and tags.
    #[serde(default)]
    pub filter: crate::report::stats::StatsFilter,
    /// The threshold (default 5).
    #[serde(default = "default_threshold")]
    pub threshold: u64,
}

fn default_threshold() -> u64 {
    crate::report::publish::DEFAULT_THRESHOLD
}

/// The report safe to publish: no names, no sources, no ids, small cells hidden.
pub fn publishable_stats(
    vault: &Vault,
    req: PublishableStatsRequest,
    today: Date,
) -> ApiResult<crate::report::publish::PublishableReport> {
    Ok(crate::report::publishable(vault, &req.filter, req.threshold, today)?)
}

/// Write a draft (case summary, CCF request, UN urgent appeal, interim
/// measures) to the path the user chose in the save dialog.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DraftRequest {
    /// What, for which case, in which language and format.
    #[serde(flatten)]
    pub spec: crate::report::DraftSpec,
    /// Where (must not exist). The file is not encrypted: the UI says so.
    pub out: PathBuf,
}

/// Writes the draft (complete or absent, audited) and says what it disclosed.
/// `go_on` is asked while the place chosen does not answer; `false` (a lock) stops.
pub fn draft(
    vault: &mut Vault,
    req: DraftRequest,
    today: Date,
    go_on: &mut dyn FnMut() -> bool,
) -> ApiResult<crate::report::DraftWritten> {
    Ok(crate::report::write_draft(vault, &req.spec, &req.out, today, go_on)?)
}
