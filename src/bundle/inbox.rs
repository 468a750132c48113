//! The inbox of proposed changes: incoming changes an import did not apply
//! (docs/SECURITY.md, "Who may change what"). Each waits beside the record,
//! never inside its history, until the person accepts or rejects it; both
//! are audited. A proposal already pending or rejected is not proposed
//! again when the same bundle, or the same content, comes back.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use uuid::Uuid;

use super::import::{field_changes, PlannedProposal, ProposalAction, ProposalReason, ProposedChange};
use super::read::BundleSummary;
use super::{kind_order, BundleError, Manifest};
use crate::audit::{self, content_digest, Action, NewEntry};
use crate::dossier::date::now_rfc3339;
use crate::dossier::store::{self, Custody};
use crate::dossier::{Kind, Record};
use crate::{evidence, Vault};

/// Pending, accepted or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the person.
    Pending,
    /// Applied at the person's word.
    Accepted,
    /// Refused; remembered so the same change is not proposed again.
    Rejected,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }
}

fn digest_of(p: &PlannedProposal) -> String {
    match &p.data {
        Some(d) => content_digest(&d.to_string()),
        None => content_digest(&format!("delete {} {}", p.kind.as_str(), p.id)),
    }
}

/// Whether this very change (record, action, content) is here with one of
/// these statuses (one or two).
fn known_as(conn: &Connection, p: &PlannedProposal, statuses: &[Status]) -> Result<bool, BundleError> {
    let (a, b) = (statuses[0].as_str(), statuses[statuses.len() - 1].as_str());
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM proposals WHERE record_id = ?1 AND action = ?2 AND content_sha256 = ?3 AND status IN (?4, ?5))",
        params![p.id.to_string(), p.action.as_str(), digest_of(p), a, b],
        |r| r.get(0),
    )?)
}

/// Whether this proposal is already pending or was rejected here.
pub(crate) fn already_known(conn: &Connection, p: &PlannedProposal) -> Result<bool, BundleError> {
    known_as(conn, p, &[Status::Pending, Status::Rejected])
}

/// Whether this very change was rejected here before.
pub(crate) fn rejected_before(conn: &Connection, p: &PlannedProposal) -> Result<bool, BundleError> {
    known_as(conn, p, &[Status::Rejected])
}

/// Stores an import's proposals (in its transaction), skipping those already
/// pending or rejected.
pub(crate) fn store_proposals(
    tx: &Transaction<'_>,
    m: &Manifest,
    proposals: &[PlannedProposal],
    summary: &BundleSummary,
    received_at: &str,
) -> Result<usize, BundleError> {
    let mut stored = 0;
    for p in proposals {
        if already_known(tx, p)? {
            continue;
        }
        let reason = serde_json::to_value(p.reason).expect("reasons serialise");
        tx.execute(
            "INSERT INTO proposals(id, record_id, kind, case_id, action, base_version, custody_version, data, content_sha256, reason,
                                   sender_key, sender_name, sender_fingerprint, sender_verified, custodian, bundle_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                Uuid::new_v4().to_string(),
                p.id.to_string(),
                p.kind.as_str(),
                p.case_id.to_string(),
                p.action.as_str(),
                p.base_version,
                p.custody_version,
                p.data.as_ref().map(|d| d.to_string()),
                digest_of(p),
                reason.as_str().unwrap_or("not_custodian"),
                m.sender.signing_key,
                m.sender.display_name,
                m.sender.fingerprint,
                summary.sender_verified as i64,
                p.custodian,
                m.bundle_id.to_string(),
                received_at,
            ],
        )?;
        stored += 1;
    }
    Ok(stored)
}

/// One stored proposal, as read.
struct Row {
    id: Uuid,
    record_id: Uuid,
    kind: Kind,
    case_id: Uuid,
    action: ProposalAction,
    base_version: Option<u32>,
    custody_version: u32,
    data: Option<serde_json::Value>,
    reason: ProposalReason,
    sender_key: String,
    sender_name: String,
    sender_fingerprint: String,
    sender_verified: bool,
    bundle_id: Uuid,
    received_at: String,
    status: String,
}

const COLUMNS: &str = "id, record_id, kind, case_id, action, base_version, custody_version, data, reason, sender_key, \
                       sender_name, sender_fingerprint, sender_verified, bundle_id, received_at, status";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let uuid = |s: String| Uuid::parse_str(&s).unwrap_or_default();
    let action = match r.get::<_, String>(4)?.as_str() {
        "add" => ProposalAction::Add,
        "delete" => ProposalAction::Delete,
        _ => ProposalAction::Change,
    };
    let reason: String = r.get(8)?;
    Ok(Row {
        id: uuid(r.get(0)?),
        record_id: uuid(r.get(1)?),
        kind: Kind::parse(&r.get::<_, String>(2)?).unwrap_or(Kind::Case),
        case_id: uuid(r.get(3)?),
        action,
        base_version: r.get(5)?,
        custody_version: r.get(6)?,
        data: r.get::<_, Option<String>>(7)?.and_then(|d| serde_json::from_str(&d).ok()),
        reason: serde_json::from_value(serde_json::Value::String(reason)).unwrap_or(ProposalReason::NotCustodian),
        sender_key: r.get(9)?,
        sender_name: r.get(10)?,
        sender_fingerprint: r.get(11)?,
        sender_verified: r.get::<_, i64>(12)? == 1,
        bundle_id: uuid(r.get(13)?),
        received_at: r.get(14)?,
        status: r.get(15)?,
    })
}

fn shown(conn: &Connection, p: Row) -> Result<ProposedChange, BundleError> {
    let here = store::get(conn, p.record_id).ok();
    let label = match (&p.data, &here) {
        (Some(d), _) => Record::from_json(p.kind, d.clone()).map(|r| r.label()).unwrap_or_default(),
        (None, Some(h)) => h.record.label(),
        (None, None) => String::new(),
    };
    let case_label = store::get(conn, p.case_id).map(|c| c.record.label()).unwrap_or_default();
    let stale = match p.action {
        ProposalAction::Add => here.is_some(),
        _ => here.as_ref().map(|h| h.version) != p.base_version,
    };
    let before = here.as_ref().map(|h| h.record.to_json());
    Ok(ProposedChange {
        id: Some(p.id),
        record_id: p.record_id,
        kind: p.kind,
        case_id: p.case_id,
        case_label,
        label,
        action: p.action,
        reason: p.reason,
        fields: field_changes(before.as_ref(), p.data.as_ref()),
        sender_name: p.sender_name,
        sender_fingerprint: p.sender_fingerprint,
        sender_verified: p.sender_verified,
        bundle_id: p.bundle_id,
        received_at: p.received_at,
        status: p.status,
        stale,
    })
}

/// The proposals with this status (pending ones by default), oldest first.
pub fn list(conn: &Connection, status: Status) -> Result<Vec<ProposedChange>, BundleError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM proposals WHERE status = ?1 ORDER BY received_at, bundle_id, rowid"
    ))?;
    let rows: Vec<Row> = stmt.query_map([status.as_str()], read_row)?.collect::<Result<_, _>>()?;
    rows.into_iter().map(|r| shown(conn, r)).collect()
}

/// How many proposals wait for the person.
pub fn pending_count(conn: &Connection) -> Result<usize, BundleError> {
    Ok(conn.query_row("SELECT count(*) FROM proposals WHERE status = 'pending'", [], |r| r.get::<_, i64>(0))? as usize)
}

/// How many proposals about this case wait for the person.
pub fn pending_for_case(conn: &Connection, case_id: Uuid) -> Result<usize, BundleError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM proposals WHERE status = 'pending' AND case_id = ?1",
        [case_id.to_string()],
        |r| r.get::<_, i64>(0),
    )? as usize)
}

fn get_pending(conn: &Connection, id: Uuid) -> Result<Row, BundleError> {
    let row = conn
        .query_row(&format!("SELECT {COLUMNS} FROM proposals WHERE id = ?1"), [id.to_string()], read_row)
        .optional()?;
    match row {
        None => Err(BundleError::NoSuchProposal(id)),
        Some(r) if r.status != "pending" => Err(BundleError::ProposalDecided(id, r.status)),
        Some(r) => Ok(r),
    }
}

/// What deciding on proposals did.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Decided {
    /// Proposals accepted.
    pub accepted: usize,
    /// Proposals rejected.
    pub rejected: usize,
    /// Records removed by accepted deletions.
    pub records_removed: usize,
}

/// Accepts one proposal: the change is applied as a new version of the
/// record (history kept), the record added, or deleted (remembered). Audited.
pub fn accept(vault: &mut Vault, id: Uuid) -> Result<Decided, BundleError> {
    decide(vault, &[id], true)
}

/// Rejects one proposal: nothing changes but its status, which keeps the
/// same change from being proposed again (by its digest; its content is
/// not kept). Audited.
pub fn reject(vault: &mut Vault, id: Uuid) -> Result<Decided, BundleError> {
    decide(vault, &[id], false)
}

/// Accepts or rejects every pending proposal of one bundle (additions in
/// the order records refer to each other).
pub fn decide_bundle(vault: &mut Vault, bundle_id: Uuid, accept: bool) -> Result<Decided, BundleError> {
    let mut stmt = vault.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM proposals WHERE bundle_id = ?1 AND status = 'pending' ORDER BY rowid"
    ))?;
    let mut rows: Vec<Row> = stmt.query_map([bundle_id.to_string()], read_row)?.collect::<Result<_, _>>()?;
    drop(stmt);
    if rows.is_empty() {
        return Err(BundleError::NoSuchProposal(bundle_id));
    }
    // Deletions last, additions and changes in reference order.
    rows.sort_by_key(|r| (r.action == ProposalAction::Delete, kind_order(r.kind)));
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    decide(vault, &ids, accept)
}

fn decide(vault: &mut Vault, ids: &[Uuid], accept: bool) -> Result<Decided, BundleError> {
    let mut done = Decided::default();
    let mut files_to_remove: Vec<Uuid> = Vec::new();
    let files_dir = vault.paths().files();
    let tx = vault.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for id in ids {
        let p = get_pending(&tx, *id)?;
        if accept {
            apply(&tx, &files_dir, &p, &mut done, &mut files_to_remove)?;
            done.accepted += 1;
        } else {
            if p.action == ProposalAction::Add && p.kind == Kind::Evidence && store::get(&tx, p.record_id).is_err() {
                files_to_remove.push(p.record_id);
            }
            done.rejected += 1;
        }
        let status = if accept { Status::Accepted } else { Status::Rejected };
        // The decision keeps only the digest: rejected content (perhaps a
        // hostile sender's false testimony) is not kept in the vault, and
        // accepted content lives in the record, so deleting that record
        // later leaves no copy here.
        tx.execute(
            "UPDATE proposals SET status = ?2, decided_at = ?3, data = NULL WHERE id = ?1",
            params![id.to_string(), status.as_str(), now_rfc3339()],
        )?;
        audit::append(
            &tx,
            NewEntry {
                action: if accept { Action::Accept } else { Action::Reject },
                kind: Some(p.kind.as_str()),
                record_id: Some(p.record_id.to_string()),
                case_id: Some(p.case_id.to_string()),
                detail: serde_json::json!({
                    "proposal": id,
                    "change": p.action.as_str(),
                    "bundle_id": p.bundle_id,
                    "sender": p.sender_name,
                    "sender_fingerprint": p.sender_fingerprint,
                }),
                content_sha256: None,
            },
        )?;
    }
    tx.commit()?;
    // The content just cleared (and any record deleted) must not survive in
    // the journal's old frames either (docs/SECURITY.md, "Deleted text").
    let _ = crate::db::truncate_journal(vault.conn());
    // Files of deleted records and of rejected additions: removed once the
    // decision is committed (a crash before leaves an encrypted file that
    // `amana check` names, never a record without its file).
    evidence::remove_files(vault, &files_to_remove);
    Ok(done)
}

fn apply(
    tx: &Transaction<'_>,
    files_dir: &std::path::Path,
    p: &Row,
    done: &mut Decided,
    files_to_remove: &mut Vec<Uuid>,
) -> Result<(), BundleError> {
    let origin = serde_json::json!({
        "bundle_id": p.bundle_id,
        "sender": p.sender_name,
        "sender_fingerprint": p.sender_fingerprint,
        "accepted_at": now_rfc3339(),
    });
    match p.action {
        ProposalAction::Add => {
            let data = p.data.clone().ok_or_else(|| BundleError::Refused("the proposal has no content".into()))?;
            let record = Record::from_json(p.kind, data).map_err(|e| BundleError::Refused(e.to_string()))?;
            if p.kind == Kind::Evidence && !files_dir.join(format!("{}.age", p.record_id)).exists() {
                return Err(BundleError::Refused(
                    "the file of this evidence is no longer in the vault; import the bundle again".into(),
                ));
            }
            let case = (p.kind != Kind::Case).then_some(p.case_id);
            store::add(tx, case, Some(p.record_id), record.clone(), Some(origin))?;
            tx.execute("DELETE FROM tombstones WHERE id = ?1", [p.record_id.to_string()])?;
            store::set_custody(
                tx,
                p.record_id,
                &Custody {
                    custodian: Some(p.sender_key.clone()),
                    version: Some(p.custody_version),
                    sha256: Some(content_digest(&record.to_json().to_string())),
                    unreviewed: false,
                },
            )?;
        }
        ProposalAction::Change => {
            let data = p.data.clone().ok_or_else(|| BundleError::Refused("the proposal has no content".into()))?;
            let current = store::get(tx, p.record_id)?;
            let record = Record::from_json(p.kind, data).map_err(|e| BundleError::Refused(e.to_string()))?;
            if !super::same_file(&record, &current.record) {
                return Err(BundleError::Refused("a file never changes under its id".into()));
            }
            let from_custodian = current.custody.custodian.as_deref() == Some(p.sender_key.as_str());
            let custody = current.custody.clone();
            let next = store::replace(tx, current, record, Some(origin))?;
            if from_custodian {
                // The custodian's own version, taken: later versions from it
                // apply again as usual.
                store::set_custody(
                    tx,
                    p.record_id,
                    &Custody {
                        version: Some(p.custody_version.max(custody.version.unwrap_or(0))),
                        sha256: Some(content_digest(&next.record.to_json().to_string())),
                        ..custody
                    },
                )?;
            }
        }
        ProposalAction::Delete => {
            let gone = store::delete(tx, p.record_id)?;
            done.records_removed += gone.records.len();
            files_to_remove.extend(gone.evidence);
        }
    }
    Ok(())
}
