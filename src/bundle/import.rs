//! Importing a bundle into a vault: the whole bundle is verified first
//! (writing nothing), the merge is planned under the trust rules, then the
//! files are re-encrypted into the vault and the records merged, in one
//! transaction.
//!
//! Who may change what (docs/SECURITY.md, "Who may change what"):
//! - A new record is added. From a sender who is not verified (or a bundle
//!   not made for this vault, or a version 1 bundle), it is marked
//!   unreviewed; into a case this vault already had, it is a proposal.
//! - An existing record changes only when the bundle is signed by its
//!   custodian, a verified contact, with a higher custody version, over a
//!   record not edited here since. Anything else is a proposed change, kept
//!   beside the record for the person to accept or reject ([`super::inbox`]).
//! - Ordering uses the custodian's signed version numbers, never a time.
//! - A record deleted here is never brought back; a deletion sent by a
//!   sender is a proposal.
//! - A backup's identities and contacts are applied only by a restore, or
//!   when the backup is this vault's own (signed by one of its identities).
//!
//! Fields the bundle withheld never erase local values. Importing the same
//! bundle twice changes nothing.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

use super::read::{self, Opener, Reader};
use super::*;
use crate::audit::{self, content_digest, Action, NewEntry};
use crate::dossier::date::now_rfc3339;
use crate::dossier::store::{self, Custody, StoredRecord};
use crate::dossier::{Kind, Record};
use crate::evidence::seal;
use crate::evidence::{self, Progress, CHUNK};
use crate::fault::crash_point;
use crate::{fsx, identity, Vault};

/// What happens to one incoming record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New to this vault: added.
    Added,
    /// Its custodian's newer version: saved as the next version here.
    Updated,
    /// Already the same here.
    Unchanged,
    /// Its custodian's older version of what is here: nothing to do.
    Older,
    /// Not applied: kept as a proposed change for the person to decide.
    Proposed,
    /// Deleted here: stays deleted.
    NotBroughtBack,
}

/// Why an incoming change waits for the person instead of being applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProposalReason {
    /// A new record into a case of this vault, from a sender not verified.
    NewRecordInYourCase,
    /// The sender is not the record's custodian (this vault, or someone else).
    NotCustodian,
    /// The sender is the custodian but is not a verified contact.
    SenderNotVerified,
    /// The bundle was not made for this vault (passed on by someone).
    NotAddressedToYou,
    /// A version 1 bundle: it cannot say who it was for or who has custody.
    OldFormat,
    /// The record was edited here since the custodian's last version.
    EditedHere,
    /// The custodian sent two different contents under one version number.
    SameVersionDifferent,
    /// The version number jumps implausibly far ahead.
    VersionJump,
    /// This vault's own record, from another copy of this vault (a restored
    /// backup that was edited, say).
    OwnOtherCopy,
    /// The record was received before this vault kept custody (an older
    /// Amana): which version it holds is unknown, so the person decides once.
    ReceivedBeforeCustody,
    /// It refers to a record that was not taken (deleted here, or itself proposed).
    NeedsARecordNotTaken,
    /// The sender deleted the record.
    Deletion,
}

/// What a proposal would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProposalAction {
    /// Add a new record to a case of this vault.
    Add,
    /// Change a record.
    Change,
    /// Delete a record (a case: with everything in it).
    Delete,
}

impl ProposalAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalAction::Add => "add",
            ProposalAction::Change => "change",
            ProposalAction::Delete => "delete",
        }
    }
}

/// One field a proposal changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FieldChange {
    /// The field (top level of the record's content).
    pub field: String,
    /// Its value here (`null`: absent).
    pub before: serde_json::Value,
    /// Its value in the proposal (`null`: removed).
    pub after: serde_json::Value,
}

/// The fields that differ between two contents of a record, in field order.
pub fn field_changes(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let b = before.and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut fields: Vec<&String> = b.keys().chain(a.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| b.get(*f) != a.get(*f))
        .map(|f| FieldChange {
            field: f.clone(),
            before: b.get(f).cloned().unwrap_or(serde_json::Value::Null),
            after: a.get(f).cloned().unwrap_or(serde_json::Value::Null),
        })
        .collect()
}

/// An incoming change that is not applied: in an import's report, and in
/// the inbox once stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ProposedChange {
    /// The proposal's id (none in a dry run).
    pub id: Option<Uuid>,
    /// The record it is about.
    pub record_id: Uuid,
    /// The record's kind.
    pub kind: Kind,
    /// Its case.
    pub case_id: Uuid,
    /// The case's label here (or in the bundle).
    pub case_label: String,
    /// The record's label (as proposed, or as here for a deletion).
    pub label: String,
    /// Add, change or delete.
    pub action: ProposalAction,
    /// Why it was not applied.
    pub reason: ProposalReason,
    /// Field by field, against the record as it is here now.
    pub fields: Vec<FieldChange>,
    /// Who sent it.
    pub sender_name: String,
    /// The sender's fingerprint.
    pub sender_fingerprint: String,
    /// Whether the sender was a verified contact (and the bundle made for this vault).
    pub sender_verified: bool,
    /// The bundle it came in.
    pub bundle_id: Uuid,
    /// When it was received.
    pub received_at: String,
    /// pending, accepted or rejected.
    pub status: String,
    /// The record changed here since the proposal was made (or, for an
    /// addition, a record with its id exists now).
    pub stale: bool,
}

/// What became of a backup's identities and contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VaultBlock {
    /// The bundle carried none (a handover).
    None,
    /// This vault's own backup (or a restore): missing ones were added.
    Applied,
    /// Another vault's backup: its identities and contacts were not taken.
    Ignored,
}

/// The result of an import, or of a dry run (what an import would do).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportReport {
    /// What the bundle is and who sent it.
    pub bundle: read::BundleSummary,
    /// Nothing was written: this is what an import would do.
    pub dry_run: bool,
    /// Records added.
    pub added: usize,
    /// Of those, records added in cases this vault already had.
    pub added_to_existing_cases: usize,
    /// Cases new to this vault: id and label.
    pub new_cases: Vec<(Uuid, String)>,
    /// Of the records added, those marked unreviewed (from a sender not verified).
    pub held_for_review: usize,
    /// Records updated by their custodian.
    pub updated: usize,
    /// Records already the same here.
    pub unchanged: usize,
    /// Records whose version here is newer than the bundle's: nothing to do.
    pub older: usize,
    /// Records deleted here that the bundle holds: not brought back.
    pub not_brought_back: usize,
    /// Changes not applied, waiting for the person (new ones and ones already waiting).
    pub proposed: Vec<ProposedChange>,
    /// Changes the person rejected before, in this bundle again: not proposed again.
    pub rejected_before: usize,
    /// Evidence files added (or that would be).
    pub files_added: usize,
    /// What became of a backup's identities and contacts.
    pub vault_block: VaultBlock,
    /// Backups of this vault: the identities and contacts that were new to it.
    pub restored: identity::StateRestored,
}

/// How far the bundle is trusted.
struct Trust {
    /// The signing key that signed the bundle.
    signer: String,
    /// The signer is one of this vault's own identities.
    own: bool,
    /// A restore into a new vault: everything in the backup is this vault's.
    restore: bool,
    /// Why the signer's changes are not applied, if they are not.
    not_trusted: Option<ProposalReason>,
}

impl Trust {
    fn new(summary: &read::BundleSummary, restore: bool) -> Trust {
        let verified_contact = summary.sender_contact.is_some() && summary.sender_verified;
        let not_trusted = if restore {
            None
        } else if summary.format_version < 2 {
            Some(ProposalReason::OldFormat)
        } else if summary.addressed_to_you == Some(false) {
            Some(ProposalReason::NotAddressedToYou)
        } else if !(summary.from_this_vault || verified_contact) {
            Some(ProposalReason::SenderNotVerified)
        } else {
            None
        };
        Trust {
            signer: summary.sender.signing_key.clone(),
            own: summary.from_this_vault || restore,
            restore,
            not_trusted,
        }
    }
}

/// One incoming record, planned.
struct Planned {
    outcome: Outcome,
    local: Option<StoredRecord>,
    incoming: Record,
    /// For `Added` and `Updated`: the custody it is stored with.
    custody: Custody,
    /// For `Proposed`: what and why.
    proposal: Option<(ProposalAction, ProposalReason)>,
}

/// The plan of a whole import.
struct Plan {
    records: Vec<Planned>,
    /// Deletions the sender made of records this vault has.
    deletions: Vec<(StoredRecord, ProposalReason)>,
}

fn plan(vault: &Vault, m: &Manifest, trust: &Trust) -> Result<Plan, BundleError> {
    let conn = vault.conn();
    let mut own_keys: HashSet<String> =
        identity::own_signing_keys(conn)?.iter().map(identity::encode_signing_key).collect();
    if trust.own {
        // This vault's own backup (or a restore): the identities it carries
        // are this vault's too.
        if let Some(state) = &m.vault {
            own_keys.extend(identity::signing_keys_of(state));
        }
    }
    // Decided outcome by id, in the order records are applied (a record only
    // refers to records of kinds before it).
    // (what happens to it, whether a record with its id is here).
    let mut decided: HashMap<Uuid, (Outcome, bool)> = HashMap::new();
    let mut order: Vec<usize> = (0..m.records.len()).collect();
    order.sort_by_key(|&i| kind_order(m.records[i].kind));
    let mut planned: Vec<Option<Planned>> = (0..m.records.len()).map(|_| None).collect();
    for i in order {
        let br = &m.records[i];
        let incoming = br.record().map_err(BundleError::BadManifest)?;
        let local = match store::get(conn, br.id) {
            Ok(l) => Some(l),
            Err(store::DossierError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let here = local.is_some();
        let p = match local {
            None => plan_new(conn, br, incoming, trust, &own_keys, &decided)?,
            Some(local) => plan_existing(m, br, incoming, local, trust)?,
        };
        decided.insert(br.id, (p.outcome, here));
        planned[i] = Some(p);
    }
    let records = planned.into_iter().map(|p| p.expect("every record is planned")).collect();
    let mut deletions = Vec::new();
    if !trust.restore {
        for d in &m.deletions {
            if let Ok(local) = store::get(conn, d.id) {
                if local.case_id == d.case_id && local.record.kind() == d.kind {
                    deletions.push((local, ProposalReason::Deletion));
                }
            }
        }
    }
    Ok(Plan { records, deletions })
}

fn plan_new(
    conn: &rusqlite::Connection,
    br: &BundleRecord,
    incoming: Record,
    trust: &Trust,
    own_keys: &HashSet<String>,
    decided: &HashMap<Uuid, (Outcome, bool)>,
) -> Result<Planned, BundleError> {
    let mut p = Planned { outcome: Outcome::Added, local: None, incoming, custody: Custody::default(), proposal: None };
    if !trust.restore
        && (store::is_tombstoned(conn, br.id)? || (br.kind != Kind::Case && store::is_tombstoned(conn, br.case_id)?))
    {
        p.outcome = Outcome::NotBroughtBack;
        return Ok(p);
    }
    // Whoever vouches for a new record is its custodian here: the key that
    // signed the bundle (a record passed on by another vault is in that
    // vault's custody here, not in the custody the relay claims for it). In
    // this vault's own bundles, the custody they record is this vault's own
    // knowledge and is kept.
    let claimed = br.custodian.clone().unwrap_or_else(|| trust.signer.clone());
    let custodian = if trust.own { claimed } else { trust.signer.clone() };
    let content = p.incoming.to_json().to_string();
    p.custody = Custody {
        custodian: (!own_keys.contains(&custodian)).then_some(custodian),
        version: Some(br.custody_version.unwrap_or(br.version)),
        sha256: match (trust.own, &br.custody_sha256) {
            (true, Some(d)) => Some(d.clone()),
            _ => Some(content_digest(&content)),
        },
        unreviewed: trust.not_trusted.is_some() || br.unreviewed,
    };
    if p.custody.custodian.is_none() {
        // This vault's own record: its custody is its own version.
        p.custody.version = None;
        p.custody.sha256 = None;
    }
    // A record that needs one that will not be here (deleted here, or only
    // proposed for adding) cannot be added.
    let missing = |id: Uuid| match decided.get(&id) {
        Some((Outcome::NotBroughtBack, _)) => true,
        Some((Outcome::Proposed, here)) => !here,
        _ => false,
    };
    let needs_missing =
        p.incoming.references().iter().any(|r| missing(r.id)) || (br.kind != Kind::Case && missing(br.case_id));
    let case_here = br.kind != Kind::Case && !matches!(decided.get(&br.case_id), Some((Outcome::Added, _)));
    if needs_missing {
        p.outcome = Outcome::Proposed;
        p.proposal = Some((ProposalAction::Add, ProposalReason::NeedsARecordNotTaken));
    } else if case_here && trust.not_trusted.is_some() {
        // New material from a sender not verified never enters a case of
        // this vault without the person's acceptance, except a case that is
        // itself that sender's material, still unreviewed.
        let case = store::get(conn, br.case_id)?;
        let senders_own_unreviewed =
            case.custody.unreviewed && case.custody.custodian.as_deref() == Some(trust.signer.as_str());
        if !senders_own_unreviewed {
            p.outcome = Outcome::Proposed;
            p.proposal = Some((ProposalAction::Add, ProposalReason::NewRecordInYourCase));
        }
    }
    Ok(p)
}

fn plan_existing(
    m: &Manifest,
    br: &BundleRecord,
    incoming: Record,
    local: StoredRecord,
    trust: &Trust,
) -> Result<Planned, BundleError> {
    if local.record.kind() != br.kind {
        return Err(BundleError::Refused(format!(
            "record {} is a {} here but a {} in the bundle",
            br.id,
            local.record.kind().as_str(),
            br.kind.as_str()
        )));
    }
    if local.case_id != br.case_id {
        return Err(BundleError::Refused(format!("record {} belongs to another case here than in the bundle", br.id)));
    }
    if !same_file(&incoming, &local.record) {
        return Err(BundleError::Refused(format!(
            "the evidence {} here is another file than in the bundle (a file never changes under its id)",
            br.id
        )));
    }
    let incoming = keep_withheld(m, br.id, incoming, &local.record);
    let mut p =
        Planned { outcome: Outcome::Unchanged, local: None, incoming, custody: Custody::default(), proposal: None };
    if p.incoming == local.record {
        p.local = Some(local);
        return Ok(p);
    }
    let version = br.custody_version.unwrap_or(br.version);
    let propose = |p: &mut Planned, why| {
        p.outcome = Outcome::Proposed;
        p.proposal = Some((ProposalAction::Change, why));
    };
    match &local.custody.custodian {
        // This vault's own record, in a bundle of its own: another copy of
        // this vault (a restored backup, edited) or an old bundle.
        None if trust.own => {
            if version < local.version {
                p.outcome = Outcome::Older;
            } else {
                propose(&mut p, ProposalReason::OwnOtherCopy);
            }
        }
        Some(custodian) if *custodian == trust.signer && trust.not_trusted.is_none() => {
            let here = local.custody.version.unwrap_or(0);
            let digest = content_digest(&p.incoming.to_json().to_string());
            if local.custody.sha256.is_none() {
                // Received before custody was kept: what it was is unknown.
                propose(&mut p, ProposalReason::ReceivedBeforeCustody);
            } else if version < here || (version == here && local.custody.sha256.as_deref() == Some(&digest)) {
                // An older version, or the very version taken before (this
                // record was edited here since): nothing to do.
                p.outcome = Outcome::Older;
            } else if version == here {
                propose(&mut p, ProposalReason::SameVersionDifferent);
            } else if version - here > MAX_VERSION_JUMP {
                propose(&mut p, ProposalReason::VersionJump);
            } else if !local.unchanged_since_custody() {
                propose(&mut p, ProposalReason::EditedHere);
            } else {
                p.outcome = Outcome::Updated;
                p.custody = Custody {
                    custodian: Some(custodian.clone()),
                    version: Some(version),
                    sha256: Some(content_digest(&p.incoming.to_json().to_string())),
                    unreviewed: local.custody.unreviewed || br.unreviewed,
                };
            }
        }
        Some(custodian) if *custodian == trust.signer => {
            propose(&mut p, trust.not_trusted.unwrap_or(ProposalReason::SenderNotVerified));
        }
        _ => propose(&mut p, ProposalReason::NotCustodian),
    }
    p.local = Some(local);
    Ok(p)
}

/// Puts back local values of the fields a bundle may leave out: a source's
/// identity and a case's private notes. Withheld (listed in `redactions`) or
/// simply absent, they never erase what is here: a partner who received a
/// case without its sources' identities and sends it back has nothing to
/// withhold, yet must not be read as proposing to forget who a source is.
fn keep_withheld(m: &Manifest, id: Uuid, incoming: Record, local: &Record) -> Record {
    let withheld: HashSet<&str> =
        m.redactions.iter().filter(|r| r.record_id == id).flat_map(|r| r.fields.iter().map(String::as_str)).collect();
    match (incoming, local) {
        (Record::Source(mut s), Record::Source(l)) if withheld.contains("identity") || s.identity.is_none() => {
            s.identity = l.identity.clone();
            Record::Source(s)
        }
        (Record::Case(mut c), Record::Case(l)) if withheld.contains("private_notes") || c.private_notes.is_empty() => {
            c.private_notes = l.private_notes.clone();
            Record::Case(c)
        }
        (other, _) => other,
    }
}

/// Reads the bundle once, writing nothing; returns its verified manifest.
pub fn verify(path: &Path, opener: &Opener, progress: Progress<'_>) -> Result<Manifest, BundleError> {
    let v = read::read(
        path,
        opener,
        &mut |_, r| std::io::copy(r, &mut std::io::sink()).map(|_| ()).map_err(|_| BundleError::Damaged),
        progress,
    )?;
    Ok(v.manifest)
}

/// Imports a bundle into the vault. Reads it twice: once to check it
/// whole, writing nothing, then to write what it adds, checking every byte
/// again and that it is the bundle that was checked.
pub fn import(
    vault: &mut Vault,
    path: &Path,
    opener: Option<Opener>,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    import_from(vault, path, opener, FirstReading::Check(None), progress)
}

/// [`import`] of the bundle with this id only: the one a person was shown
/// (its summary, from an earlier [`verify`]) and chose to import. Another
/// bundle found at `path` (replaced, or copied again, since) is refused with
/// [`BundleError::Changed`] after the first reading, before anything is
/// written. Bundle ids are in the signed manifest, one per bundle.
pub fn import_expected(
    vault: &mut Vault,
    path: &Path,
    opener: Opener,
    bundle_id: Uuid,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    import_from(vault, path, Some(opener), FirstReading::Check(Some(bundle_id)), progress)
}

/// [`import`] of a bundle whose manifest `checked` came from [`verify`] with
/// the same opener, into a new vault made from it: a restore. The first
/// reading is not done again. The second still checks every byte and
/// refuses a bundle whose manifest is not `checked`, removing the files it
/// wrote; so use it only where nothing else changes until it commits, as a
/// restore into a vault of its own ([`super::restore`]), which is deleted
/// whole on any error. Everything in the backup is taken as this vault's
/// own: its identities (the active one too), contacts, custody and marks.
pub(crate) fn import_checked(
    vault: &mut Vault,
    path: &Path,
    opener: Opener,
    checked: Manifest,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    import_from(vault, path, Some(opener), FirstReading::Done(Box::new(checked)), progress)
}

/// What [`import`] would do, from one complete reading of the bundle that
/// writes nothing: new cases, records added (and held for review), updates,
/// proposed changes field by field, records not brought back, and what
/// becomes of a backup's identities and contacts.
pub fn dry_run(
    vault: &Vault,
    path: &Path,
    opener: Option<Opener>,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    let opener = match opener {
        Some(o) => o,
        None => vault_opener(vault)?,
    };
    let manifest = verify(path, &opener, progress)?;
    let summary = read::summarise(&manifest, Some(vault.conn()), &Reader::of(&opener, Some(vault.conn()))?)?;
    preview(vault, &manifest, summary)
}

/// [`dry_run`] of a manifest already verified (the app's "Open a bundle").
pub fn preview(vault: &Vault, manifest: &Manifest, summary: read::BundleSummary) -> Result<ImportReport, BundleError> {
    let trust = Trust::new(&summary, false);
    let planned = plan(vault, manifest, &trust)?;
    let files = wanted_files(vault, manifest, &planned).len();
    let mut rep = report(vault.conn(), manifest, summary, &planned, files, &trust)?;
    rep.dry_run = true;
    Ok(rep)
}

/// The first of an import's two readings.
enum FirstReading {
    /// To do here, writing nothing; with a bundle id, the bundle must be that one.
    Check(Option<Uuid>),
    /// Done by the caller, which got this manifest: a restore.
    Done(Box<Manifest>),
}

fn vault_opener(vault: &Vault) -> Result<Opener, BundleError> {
    Ok(Opener::Identities(
        identity::all_age_identities(vault.conn())?
            .into_iter()
            .map(|i| Box::new(i) as Box<dyn age::Identity>)
            .collect(),
    ))
}

/// The evidence files written into the vault: for a record added, or
/// proposed for adding (kept encrypted until accepted or rejected), or for a
/// record here whose file is missing.
fn wanted_files(vault: &Vault, m: &Manifest, plan: &Plan) -> HashSet<Uuid> {
    let planned: HashMap<Uuid, &Planned> = m.records.iter().map(|r| r.id).zip(&plan.records).collect();
    m.files
        .iter()
        .map(|f| f.evidence_id)
        .filter(|id| {
            let Some(p) = planned.get(id) else { return false };
            let exists = || evidence::encrypted_path(vault, *id).exists();
            match p.outcome {
                Outcome::Added => true,
                Outcome::Proposed => p.proposal.is_some_and(|(a, _)| a == ProposalAction::Add) && !exists(),
                Outcome::NotBroughtBack => false,
                Outcome::Updated | Outcome::Unchanged | Outcome::Older => !exists(),
            }
        })
        .collect()
}

fn import_from(
    vault: &mut Vault,
    path: &Path,
    opener: Option<Opener>,
    first: FirstReading,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    let opener = match opener {
        Some(o) => o,
        None => vault_opener(vault)?,
    };
    // Pass 1: everything checked, nothing written (unless the caller did
    // just that). Progress: each pass done here is half of the way.
    let both_here = matches!(first, FirstReading::Check(_));
    let restore = matches!(first, FirstReading::Done(_));
    let manifest = match first {
        FirstReading::Done(m) => *m,
        FirstReading::Check(expected) => {
            let m = verify(path, &opener, &mut |d, t| progress(d / 2, t))?;
            if expected.is_some_and(|id| id != m.bundle_id) {
                return Err(BundleError::Changed);
            }
            m
        }
    };
    let summary = read::summarise(&manifest, Some(vault.conn()), &Reader::of(&opener, Some(vault.conn()))?)?;
    let trust = Trust::new(&summary, restore);
    let planned = plan(vault, &manifest, &trust)?;
    let wanted = wanted_files(vault, &manifest, &planned);
    let state_changes = match &manifest.vault {
        Some(state) if trust.own => state_is_new(vault, state)?,
        _ => false,
    };
    let proposals_new = new_proposals(vault, &manifest, &planned)?;
    let tombstones_new =
        manifest.deletions.iter().any(|d| trust.own && !store::is_tombstoned(vault.conn(), d.id).unwrap_or(true));
    let changes = planned.records.iter().any(|p| matches!(p.outcome, Outcome::Added | Outcome::Updated))
        || !wanted.is_empty()
        || state_changes
        || proposals_new
        || tombstones_new;
    if !changes {
        return report(vault.conn(), &manifest, summary, &planned, 0, &trust);
    }

    // Pass 2: files re-encrypted into the vault as .partial; kept only on commit.
    let recipient = evidence::vault_recipient(vault)?;
    let files_dir = vault.paths().files();
    let mut written: Vec<(Uuid, std::path::PathBuf)> = Vec::new();
    // Each written file's header seal, with the digest and size it was checked against.
    let mut seals: Vec<(Uuid, String, String, u64)> = Vec::new();
    let pass2 = read::read(
        path,
        &opener,
        &mut |f, r| {
            if !wanted.contains(&f.evidence_id) {
                return std::io::copy(r, &mut std::io::sink()).map(|_| ()).map_err(|_| BundleError::Damaged);
            }
            let partial = files_dir.join(format!(".{}.age.partial", f.evidence_id));
            written.push((f.evidence_id, partial.clone()));
            let out = fsx::create_private(&partial).map_err(BundleError::io("write an evidence file"))?;
            let mut w =
                evidence::vault_file_writer(&recipient, out).map_err(BundleError::io("write an evidence file"))?;
            copy(r, &mut w)?;
            let header_seal = evidence::finish_vault_file(w).map_err(BundleError::io("write an evidence file"))?;
            if let Some(header_seal) = header_seal {
                seals.push((f.evidence_id, header_seal, f.sha256.clone(), f.size));
            }
            crash_point("import.file-written");
            Ok(())
        },
        &mut |d, t| if both_here { progress(t / 2 + d / 2, t) } else { progress(d, t) },
    );
    let cleanup = |written: &[(Uuid, std::path::PathBuf)]| {
        for (id, p) in written {
            let _ = std::fs::remove_file(p);
            let _ = std::fs::remove_file(files_dir.join(format!("{id}.age")));
        }
    };
    let manifest2 = match pass2 {
        Ok(v) => v.manifest,
        Err(e) => {
            cleanup(&written);
            return Err(e);
        }
    };
    if manifest2 != manifest {
        cleanup(&written);
        return Err(BundleError::Changed);
    }
    crash_point("import.before-commit");
    let applied = (|| -> Result<ImportReport, BundleError> {
        for (id, partial) in &written {
            std::fs::rename(partial, files_dir.join(format!("{id}.age")))
                .map_err(BundleError::io("store an evidence file"))?;
        }
        fsx::sync_dir(&files_dir).map_err(BundleError::io("store an evidence file"))?;
        crash_point("import.files-renamed");
        let received_at = now_rfc3339();
        let origin = serde_json::json!({
            "bundle_id": manifest.bundle_id,
            "sender": manifest.sender.display_name,
            "sender_fingerprint": manifest.sender.fingerprint,
            "imported_at": received_at,
        });
        let tx = vault.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut order: Vec<usize> = (0..manifest.records.len()).collect();
        order.sort_by_key(|&i| kind_order(manifest.records[i].kind));
        for i in order {
            let br = &manifest.records[i];
            let p = &planned.records[i];
            match p.outcome {
                Outcome::Added if manifest.kind == BundleKind::Backup && trust.own => {
                    let history: Vec<(u32, String, serde_json::Value)> =
                        br.history.iter().map(|h| (h.version, h.saved_at.clone(), h.data.clone())).collect();
                    let restored = StoredRecord {
                        id: br.id,
                        case_id: br.case_id,
                        version: br.version,
                        created_at: br.created_at.clone(),
                        updated_at: br.updated_at.clone(),
                        origin: Some(origin.clone()),
                        custody: Custody::default(),
                        record: p.incoming.clone(),
                    };
                    store::add_restored(&tx, restored, &history)?;
                    store::set_custody(&tx, br.id, &p.custody)?;
                }
                Outcome::Added => {
                    let case = (br.kind != Kind::Case).then_some(br.case_id);
                    store::add(&tx, case, Some(br.id), p.incoming.clone(), Some(origin.clone()))?;
                    store::set_custody(&tx, br.id, &p.custody)?;
                }
                Outcome::Updated => {
                    let local = p.local.clone().expect("updates have a local record");
                    store::replace(&tx, local, p.incoming.clone(), Some(origin.clone()))?;
                    store::set_custody(&tx, br.id, &p.custody)?;
                }
                Outcome::Unchanged | Outcome::Older | Outcome::Proposed | Outcome::NotBroughtBack => {}
            }
        }
        super::inbox::store_proposals(&tx, &manifest, &planned_proposals(&manifest, &planned), &summary, &received_at)?;
        if trust.own {
            // This vault's own deletions (its backup, or a bundle it made):
            // remembered here too, so nothing brings those records back.
            for d in &manifest.deletions {
                if store::get(&tx, d.id).is_err() {
                    let mut t = d.clone();
                    if t.custodian.as_deref().is_some_and(|c| c == trust.signer) {
                        t.custodian = None;
                    }
                    store::add_tombstone(&tx, &t)?;
                }
            }
        }
        // A file is sealed only if the record kept in the vault describes it
        // (a conflicting local record keeps its own digest, and is not).
        for (id, header_seal, sha256, size) in &seals {
            if let Ok(StoredRecord { record: Record::Evidence(e), .. }) = store::get_kind(&tx, *id, Kind::Evidence) {
                if &e.sha256 == sha256 && e.size == *size {
                    seal::record(&tx, *id, header_seal)?;
                }
            }
        }
        let mut rep = report(&tx, &manifest, summary.clone(), &planned, written.len(), &trust)?;
        if let (Some(state), true) = (&manifest.vault, trust.own) {
            rep.restored = identity::restore_state(&tx, state, trust.restore)?;
        }
        audit::append(
            &tx,
            NewEntry {
                action: Action::Import,
                kind: Some(if manifest.kind == BundleKind::Backup { "backup" } else { "bundle" }),
                record_id: Some(manifest.bundle_id.to_string()),
                case_id: None,
                detail: serde_json::json!({
                    "sender": manifest.sender.display_name,
                    "sender_fingerprint": manifest.sender.fingerprint,
                    "sender_verified": summary.sender_verified,
                    "addressed_to_you": summary.addressed_to_you,
                    "format_version": manifest.version,
                    "added": rep.added, "held_for_review": rep.held_for_review,
                    "updated": rep.updated, "unchanged": rep.unchanged, "older": rep.older,
                    "proposed": rep.proposed.len(), "not_brought_back": rep.not_brought_back,
                    "files": rep.files_added, "vault_block": rep.vault_block,
                    "identities_restored": rep.restored.identities, "contacts_restored": rep.restored.contacts,
                }),
                content_sha256: None,
            },
        )?;
        tx.commit()?;
        crash_point("import.after-commit");
        Ok(rep)
    })();
    if applied.is_err() {
        cleanup(&written);
    }
    applied
}

/// The proposals a plan makes: (index of the record in the manifest, or
/// `None` for a deletion; the local record for a change or a deletion; action; reason).
pub(crate) struct PlannedProposal {
    /// The record's id, kind and case.
    pub(crate) id: Uuid,
    pub(crate) kind: Kind,
    pub(crate) case_id: Uuid,
    /// The content proposed (none for a deletion).
    pub(crate) data: Option<serde_json::Value>,
    /// The custodian's version of it.
    pub(crate) custody_version: u32,
    /// The custodian the bundle names for it.
    pub(crate) custodian: Option<String>,
    /// The version here it was made against.
    pub(crate) base_version: Option<u32>,
    pub(crate) action: ProposalAction,
    pub(crate) reason: ProposalReason,
}

fn planned_proposals(m: &Manifest, plan: &Plan) -> Vec<PlannedProposal> {
    let mut out = Vec::new();
    for (br, p) in m.records.iter().zip(&plan.records) {
        if let Some((action, reason)) = p.proposal {
            out.push(PlannedProposal {
                id: br.id,
                kind: br.kind,
                case_id: br.case_id,
                data: Some(p.incoming.to_json()),
                custody_version: br.custody_version.unwrap_or(br.version),
                custodian: br.custodian.clone(),
                base_version: p.local.as_ref().map(|l| l.version),
                action,
                reason,
            });
        }
    }
    let deletions: HashMap<Uuid, &crate::dossier::store::Tombstone> = m.deletions.iter().map(|d| (d.id, d)).collect();
    for (local, reason) in &plan.deletions {
        let d = deletions.get(&local.id);
        out.push(PlannedProposal {
            id: local.id,
            kind: local.record.kind(),
            case_id: local.case_id,
            data: None,
            custody_version: d.and_then(|d| d.custody_version).unwrap_or(1),
            custodian: d.and_then(|d| d.custodian.clone()),
            base_version: Some(local.version),
            action: ProposalAction::Delete,
            reason: *reason,
        });
    }
    out
}

/// Whether the plan holds a proposal not already pending or rejected here.
fn new_proposals(vault: &Vault, m: &Manifest, plan: &Plan) -> Result<bool, BundleError> {
    for p in planned_proposals(m, plan) {
        if !super::inbox::already_known(vault.conn(), &p)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn report(
    conn: &rusqlite::Connection,
    m: &Manifest,
    bundle: read::BundleSummary,
    plan: &Plan,
    files_added: usize,
    trust: &Trust,
) -> Result<ImportReport, BundleError> {
    let count = |o: Outcome| plan.records.iter().filter(|p| p.outcome == o).count();
    let labels: HashMap<Uuid, String> = m
        .records
        .iter()
        .filter(|r| r.kind == Kind::Case)
        .map(|r| (r.id, r.record().map(|x| x.label()).unwrap_or_default()))
        .collect();
    let case_label = |id: Uuid| -> String {
        match store::get(conn, id) {
            Ok(c) => c.record.label(),
            Err(_) => labels.get(&id).cloned().unwrap_or_default(),
        }
    };
    let new_cases: Vec<(Uuid, String)> = m
        .records
        .iter()
        .zip(&plan.records)
        .filter(|(r, p)| r.kind == Kind::Case && p.outcome == Outcome::Added)
        .map(|(r, _)| (r.id, labels.get(&r.id).cloned().unwrap_or_default()))
        .collect();
    let new_case_ids: HashSet<Uuid> = new_cases.iter().map(|c| c.0).collect();
    let mut proposed = Vec::new();
    let mut rejected_before = 0;
    for pp in planned_proposals(m, plan) {
        if super::inbox::rejected_before(conn, &pp)? {
            // Refused once: not proposed again.
            rejected_before += 1;
            continue;
        }
        let here = store::get(conn, pp.id).ok();
        let label = match (&pp.data, &here) {
            (Some(d), _) => Record::from_json(pp.kind, d.clone()).map(|r| r.label()).unwrap_or_default(),
            (None, Some(h)) => h.record.label(),
            (None, None) => String::new(),
        };
        let before = here.as_ref().map(|h| h.record.to_json());
        proposed.push(ProposedChange {
            id: None,
            record_id: pp.id,
            kind: pp.kind,
            case_id: pp.case_id,
            case_label: case_label(pp.case_id),
            label,
            action: pp.action,
            reason: pp.reason,
            fields: field_changes(before.as_ref(), pp.data.as_ref()),
            sender_name: m.sender.display_name.clone(),
            sender_fingerprint: m.sender.fingerprint.clone(),
            sender_verified: bundle.sender_verified,
            bundle_id: m.bundle_id,
            received_at: String::new(),
            status: "pending".into(),
            stale: false,
        });
    }
    Ok(ImportReport {
        dry_run: false,
        added: count(Outcome::Added),
        added_to_existing_cases: m
            .records
            .iter()
            .zip(&plan.records)
            .filter(|(r, p)| p.outcome == Outcome::Added && r.kind != Kind::Case && !new_case_ids.contains(&r.case_id))
            .count(),
        new_cases,
        held_for_review: plan.records.iter().filter(|p| p.outcome == Outcome::Added && p.custody.unreviewed).count(),
        updated: count(Outcome::Updated),
        unchanged: count(Outcome::Unchanged),
        older: count(Outcome::Older),
        not_brought_back: count(Outcome::NotBroughtBack),
        proposed,
        rejected_before,
        files_added,
        vault_block: match (&m.vault, trust.own) {
            (None, _) => VaultBlock::None,
            (Some(_), true) => VaultBlock::Applied,
            (Some(_), false) => VaultBlock::Ignored,
        },
        restored: identity::StateRestored::default(),
        bundle,
    })
}

/// Whether a backup's identities or contacts would add anything here: one
/// existence query each, the same matches `identity::restore_state` makes.
fn state_is_new(vault: &Vault, state: &identity::VaultState) -> Result<bool, BundleError> {
    let conn = vault.conn();
    for i in &state.identities {
        if !identity::has_identity(conn, &i.age_secret)? {
            return Ok(true);
        }
    }
    for c in &state.contacts {
        if !identity::has_contact(conn, &c.age_recipient)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn copy(r: &mut dyn Read, w: &mut dyn Write) -> Result<(), BundleError> {
    let mut buf = zeroize::Zeroizing::new(vec![0u8; CHUNK]);
    loop {
        let n = r.read(&mut buf).map_err(|_| BundleError::Damaged)?;
        if n == 0 {
            return Ok(());
        }
        w.write_all(&buf[..n]).map_err(BundleError::io("write an evidence file"))?;
        crash_point("import.chunk");
    }
}
