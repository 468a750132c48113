//! Importing a bundle into a vault: the whole bundle is verified first
//! (writing nothing), the merge is planned (refusing the bundle if any record
//! contradicts the vault's structure), then the files are re-encrypted into
//! the vault and the records merged, in one transaction.
//!
//! Records are matched by id; a newer incoming version becomes a new version
//! of the local record (history kept); an older or equal-time different one is
//! a reported conflict and the local record is kept. Fields the bundle
//! withheld never erase local values. Importing the same bundle twice changes
//! nothing.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

use super::read::{self, Opener};
use super::*;
use crate::audit::{self, Action, NewEntry};
use crate::dossier::date::now_rfc3339;
use crate::dossier::store::{self, StoredRecord};
use crate::dossier::{Kind, Record};
use crate::evidence::seal;
use crate::evidence::{self, Progress, CHUNK};
use crate::fault::crash_point;
use crate::{fsx, identity, Vault};

/// What happened to one incoming record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// New to this vault.
    Added,
    /// Saved as a newer version of the local record.
    Updated,
    /// Already the same here.
    Unchanged,
    /// Differs, and the local version is as new or newer: kept local.
    Conflict,
}

/// A record whose incoming version was not taken.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ImportConflict"))]
pub struct Conflict {
    /// The record.
    pub record_id: Uuid,
    /// Its kind.
    pub kind: Kind,
    /// Why the local version was kept.
    pub reason: String,
}

/// The result of an import.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportReport {
    /// What the bundle is and who sent it.
    pub bundle: read::BundleSummary,
    /// Records added.
    pub added: usize,
    /// Records updated.
    pub updated: usize,
    /// Records already present.
    pub unchanged: usize,
    /// Records not taken.
    pub conflicts: Vec<Conflict>,
    /// Evidence files added.
    pub files_added: usize,
    /// Backups: the identities and contacts that were new to this vault.
    pub restored: identity::StateRestored,
}

fn plan(vault: &Vault, m: &Manifest) -> Result<Vec<(Outcome, Option<StoredRecord>, Record)>, BundleError> {
    let mut out = Vec::with_capacity(m.records.len());
    for br in &m.records {
        let incoming = br.record().map_err(BundleError::BadManifest)?;
        let local = match store::get(vault.conn(), br.id) {
            Ok(l) => Some(l),
            Err(store::DossierError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let Some(local) = local else {
            out.push((Outcome::Added, None, incoming));
            continue;
        };
        if local.record.kind() != br.kind {
            return Err(BundleError::Refused(format!(
                "record {} is a {} here but a {} in the bundle",
                br.id,
                local.record.kind().as_str(),
                br.kind.as_str()
            )));
        }
        if local.case_id != br.case_id {
            return Err(BundleError::Refused(format!(
                "record {} belongs to another case here than in the bundle",
                br.id
            )));
        }
        if let (Record::Evidence(i), Record::Evidence(l)) = (&incoming, &local.record) {
            if (i.attached_to, &i.file_name, &i.media_type, i.size, &i.sha256)
                != (l.attached_to, &l.file_name, &l.media_type, l.size, &l.sha256)
            {
                return Err(BundleError::Refused(format!(
                    "the evidence {} here is another file than in the bundle (a file never changes under its id)",
                    br.id
                )));
            }
        }
        let incoming = keep_withheld(m, br.id, incoming, &local.record);
        let outcome = if incoming == local.record {
            Outcome::Unchanged
        } else if br.updated_at > local_time(vault, &local)? {
            Outcome::Updated
        } else {
            Outcome::Conflict
        };
        out.push((outcome, Some(local), incoming));
    }
    Ok(out)
}

/// In `origin`: the sender's `updated_at` of the version imported.
const SENDER_UPDATED_AT: &str = "sender_updated_at";

/// The time an incoming version is compared with. A record that is still
/// exactly what an import wrote (not edited here since) is as recent as the
/// sender's version it came from: the local clock at the import says nothing
/// about that, and comparing with it would turn the sender's next update into
/// a conflict whenever the import happened after the sender's next edit.
fn local_time(vault: &Vault, local: &StoredRecord) -> Result<String, BundleError> {
    let Some(sent) = local.origin.as_ref().and_then(|o| o.get(SENDER_UPDATED_AT)).and_then(|t| t.as_str()) else {
        return Ok(local.updated_at.clone());
    };
    // A local edit keeps the origin, so the version the import wrote is the
    // first one with this origin; a later version is a local edit.
    let first = store::history(vault.conn(), local.id)?.into_iter().find(|v| v.origin == local.origin);
    Ok(if first.is_some_and(|v| v.version == local.version) { sent.to_string() } else { local.updated_at.clone() })
}

/// Puts back local values of fields the bundle withheld.
fn keep_withheld(m: &Manifest, id: Uuid, incoming: Record, local: &Record) -> Record {
    let withheld: HashSet<&str> =
        m.redactions.iter().filter(|r| r.record_id == id).flat_map(|r| r.fields.iter().map(String::as_str)).collect();
    match (incoming, local) {
        (Record::Source(mut s), Record::Source(l)) if withheld.contains("identity") => {
            s.identity = l.identity.clone();
            Record::Source(s)
        }
        (Record::Case(mut c), Record::Case(l)) if withheld.contains("private_notes") => {
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
/// the same opener: the first reading is not done again. The second still
/// checks every byte and refuses a bundle whose manifest is not `checked`,
/// removing the files it wrote; so use it only where nothing else changes
/// until it commits, as a restore into a vault of its own ([`super::restore`]),
/// which is deleted whole on any error.
pub(crate) fn import_checked(
    vault: &mut Vault,
    path: &Path,
    opener: Opener,
    checked: Manifest,
    progress: Progress<'_>,
) -> Result<ImportReport, BundleError> {
    import_from(vault, path, Some(opener), FirstReading::Done(Box::new(checked)), progress)
}

/// The first of an import's two readings.
enum FirstReading {
    /// To do here, writing nothing; with a bundle id, the bundle must be that one.
    Check(Option<Uuid>),
    /// Done by the caller, which got this manifest.
    Done(Box<Manifest>),
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
        None => Opener::Identities(
            identity::all_age_identities(vault.conn())?
                .into_iter()
                .map(|i| Box::new(i) as Box<dyn age::Identity>)
                .collect(),
        ),
    };
    // Pass 1: everything checked, nothing written (unless the caller did
    // just that). Progress: each pass done here is half of the way.
    let both_here = matches!(first, FirstReading::Check(_));
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
    let summary = read::summarise(&manifest, Some(vault.conn()))?;
    let planned = plan(vault, &manifest)?;
    let outcomes: HashMap<Uuid, Outcome> = manifest.records.iter().zip(&planned).map(|(r, p)| (r.id, p.0)).collect();
    let wanted: HashSet<Uuid> = manifest
        .files
        .iter()
        .filter(|f| {
            outcomes.get(&f.evidence_id) == Some(&Outcome::Added)
                || !evidence::encrypted_path(vault, f.evidence_id).exists()
        })
        .map(|f| f.evidence_id)
        .collect();
    let state_changes = match &manifest.vault {
        Some(state) => state_is_new(vault, state)?,
        None => false,
    };
    let changes =
        planned.iter().any(|p| matches!(p.0, Outcome::Added | Outcome::Updated)) || !wanted.is_empty() || state_changes;
    if !changes {
        return Ok(report(summary, &planned, 0));
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
        let origin = serde_json::json!({
            "bundle_id": manifest.bundle_id,
            "sender": manifest.sender.display_name,
            "sender_fingerprint": manifest.sender.fingerprint,
            "imported_at": now_rfc3339(),
        });
        let tx = vault.conn_mut().transaction()?;
        let mut order: Vec<usize> = (0..manifest.records.len()).collect();
        order.sort_by_key(|&i| kind_order(manifest.records[i].kind));
        for i in order {
            let br = &manifest.records[i];
            let (outcome, local, incoming) = &planned[i];
            let mut origin = origin.clone();
            origin[SENDER_UPDATED_AT] = serde_json::Value::String(br.updated_at.clone());
            match outcome {
                Outcome::Added if manifest.kind == BundleKind::Backup => {
                    let history: Vec<(u32, String, serde_json::Value)> =
                        br.history.iter().map(|h| (h.version, h.saved_at.clone(), h.data.clone())).collect();
                    let restored = StoredRecord {
                        id: br.id,
                        case_id: br.case_id,
                        version: br.version,
                        created_at: br.created_at.clone(),
                        updated_at: br.updated_at.clone(),
                        origin: Some(origin),
                        record: incoming.clone(),
                    };
                    store::add_restored(&tx, restored, &history)?;
                }
                Outcome::Added => {
                    let case = (br.kind != Kind::Case).then_some(br.case_id);
                    store::add(&tx, case, Some(br.id), incoming.clone(), Some(origin))?;
                }
                Outcome::Updated => {
                    store::replace(
                        &tx,
                        local.clone().expect("updates have a local record"),
                        incoming.clone(),
                        Some(origin),
                    )?;
                }
                Outcome::Unchanged | Outcome::Conflict => {}
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
        let mut rep = report(summary.clone(), &planned, written.len());
        if let Some(state) = &manifest.vault {
            rep.restored = identity::restore_state(&tx, state)?;
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
                    "added": rep.added, "updated": rep.updated, "unchanged": rep.unchanged,
                    "conflicts": rep.conflicts.len(), "files": rep.files_added,
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

fn report(
    bundle: read::BundleSummary,
    planned: &[(Outcome, Option<StoredRecord>, Record)],
    files_added: usize,
) -> ImportReport {
    let count = |o: Outcome| planned.iter().filter(|p| p.0 == o).count();
    ImportReport {
        bundle,
        added: count(Outcome::Added),
        updated: count(Outcome::Updated),
        unchanged: count(Outcome::Unchanged),
        conflicts: planned
            .iter()
            .filter(|p| p.0 == Outcome::Conflict)
            .map(|(_, l, r)| Conflict {
                record_id: l.as_ref().map(|l| l.id).unwrap_or_default(),
                kind: r.kind(),
                reason: "this vault's version is as recent or more recent; it was kept".into(),
            })
            .collect(),
        files_added,
        restored: identity::StateRestored::default(),
    }
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
