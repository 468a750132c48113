//! Exporting a bundle: records and evidence streamed out of the vault into an
//! age-encrypted tar, in constant memory. The bundle is written to a temporary
//! file beside the destination and renamed only once complete and synced, so
//! a bundle is either whole or absent; that file is written on a helper
//! thread ([`stall::Destination`]), so a destination that stops answering
//! does not hold up a lock.

use std::io::{self, Read};
use std::path::PathBuf;
use std::str::FromStr;

use base64::Engine;
use secrecy::SecretString;
use serde::Serialize;
use uuid::Uuid;

use super::*;
use crate::audit::{self, Action, NewEntry};
use crate::dossier::date::now_rfc3339;
use crate::dossier::store::{self, StoredRecord};
use crate::dossier::{Kind, Record};
use crate::evidence::{self, EvidenceError, Progress, ReadAhead, Sha256Pipe, CHUNK};
use crate::fault::crash_point;
use crate::identity::{self, encode_signing_key};
use crate::{stall, Vault};

/// Who can open the bundle.
pub enum Recipients {
    /// age X25519 recipients (`age1…`), each with a label for the audit log.
    Keys(Vec<(String, String)>),
    /// A passphrase (scrypt); pass it to the reader by another channel.
    Passphrase(SecretString),
}

/// What to export.
pub struct ExportOptions {
    /// The cases.
    pub cases: Vec<Uuid>,
    /// If set, only these records (plus their cases, and the sources their
    /// testimonies name).
    pub only_records: Option<Vec<Uuid>>,
    /// Who can open it.
    pub recipients: Recipients,
    /// What to leave out.
    pub profile: Profile,
    /// Handover or backup (backups carry history).
    pub kind: BundleKind,
    /// Where to write.
    pub out: PathBuf,
}

/// What was exported.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportSummary {
    /// The bundle's id.
    pub bundle_id: Uuid,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Cases in it.
    pub cases: usize,
    /// Records in it.
    pub records: usize,
    /// Evidence files in it.
    pub files: usize,
    /// Who can open it.
    pub recipients: Vec<String>,
    /// What was included.
    pub profile: Profile,
    /// How many fields were left out.
    pub redactions: usize,
    /// Records in it received from an unverified sender and not reviewed
    /// here (marked so in the bundle too).
    pub unreviewed: usize,
}

fn redact(r: &StoredRecord, profile: Profile, redactions: &mut Vec<Redaction>) -> serde_json::Value {
    let mut data = r.record.to_json();
    let mut fields = Vec::new();
    match &r.record {
        Record::Source(s) if !profile.source_identities && s.identity.is_some() => {
            data.as_object_mut().expect("records are objects").remove("identity");
            fields.push("identity".to_string());
        }
        Record::Case(c) if !profile.private_notes && !c.private_notes.is_empty() => {
            data.as_object_mut().expect("records are objects").remove("private_notes");
            fields.push("private_notes".to_string());
        }
        _ => {}
    }
    if !fields.is_empty() {
        redactions.push(Redaction { record_id: r.id, kind: r.record.kind(), fields });
    }
    data
}

/// Builds the manifest for `opts` from the vault.
fn build_manifest(
    vault: &Vault,
    opts: &ExportOptions,
    sender: Sender,
    recipients: BundleRecipients,
) -> Result<Manifest, BundleError> {
    let conn = vault.conn();
    let state = match opts.kind {
        BundleKind::Backup => Some(identity::backup_state(conn)?),
        BundleKind::Handover => None,
    };
    if opts.cases.is_empty() && state.as_ref().is_none_or(|s| s.contacts.is_empty()) {
        return Err(BundleError::NothingSelected);
    }
    let mut selected: Vec<StoredRecord> = Vec::new();
    for case_id in &opts.cases {
        store::get_kind(conn, *case_id, Kind::Case)?;
        let mut in_case = store::list(conn, None, Some(*case_id))?;
        if let Some(only) = &opts.only_records {
            let mut keep: std::collections::HashSet<Uuid> = only.iter().copied().collect();
            keep.insert(*case_id);
            // A testimony brings its source's record (redacted per profile), a
            // file brings nothing else: references must resolve in the bundle.
            for r in &in_case {
                if let (true, Record::Testimony(t)) = (keep.contains(&r.id), &r.record) {
                    keep.extend(t.source_id);
                }
            }
            for r in &in_case {
                if let (true, Record::Evidence(e)) = (keep.contains(&r.id), &r.record) {
                    if !keep.contains(&e.attached_to) {
                        return Err(BundleError::FileWithoutItsRecord(r.id));
                    }
                }
            }
            in_case.retain(|r| keep.contains(&r.id));
        }
        selected.extend(in_case);
    }
    selected.sort_by(|a, b| {
        (a.case_id, kind_order(a.record.kind()), &a.created_at, a.id).cmp(&(
            b.case_id,
            kind_order(b.record.kind()),
            &b.created_at,
            b.id,
        ))
    });
    let mut redactions = Vec::new();
    let mut records = Vec::with_capacity(selected.len());
    let mut files = Vec::new();
    for r in &selected {
        let data = redact(r, opts.profile, &mut redactions);
        let history = if opts.kind == BundleKind::Backup {
            store::history(conn, r.id)?
                .into_iter()
                .filter(|v| v.version < r.version)
                .map(|v| HistoryEntry { version: v.version, saved_at: v.saved_at, data: v.data })
                .collect()
        } else {
            Vec::new()
        };
        if let Record::Evidence(e) = &r.record {
            files.push(FileEntry {
                path: format!("files/{}", r.id),
                evidence_id: r.id,
                size: e.size,
                sha256: e.sha256.clone(),
            });
        }
        // The custodian as this vault knows it; a record of this vault's own
        // is in the custody of the key that signs this bundle. A record
        // imported before custody existed, whose custodian is unknown, is
        // vouched for by this vault (its recipients treat it as this
        // vault's).
        let (custodian, custody_version) = match &r.custody.custodian {
            Some(c) if identity::decode_signing_key(c).is_some() => {
                (c.clone(), r.custody.version.unwrap_or(r.version).max(1))
            }
            _ => (sender.signing_key.clone(), r.version),
        };
        let backup = opts.kind == BundleKind::Backup;
        records.push(BundleRecord {
            id: r.id,
            kind: r.record.kind(),
            case_id: r.case_id,
            version: r.version,
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
            data,
            history,
            custody_sha256: if backup { r.custody.sha256.clone() } else { None },
            custodian: Some(custodian),
            custody_version: Some(custody_version),
            unreviewed: r.custody.unreviewed,
        });
    }
    // Cases first, as the format requires, then each case's records.
    records.sort_by_key(|r| kind_order(r.kind) != 0);
    // What was deleted from these cases (a backup: everything deleted), so
    // that no recipient keeps or brings back what this vault deleted.
    let deletions = match opts.kind {
        BundleKind::Backup => store::tombstones(conn, None)?,
        BundleKind::Handover => store::tombstones(conn, Some(&opts.cases))?,
    };
    let deletions = deletions
        .into_iter()
        .map(|mut t| {
            if t.custodian.as_deref().is_none_or(|c| identity::decode_signing_key(c).is_none()) {
                t.custodian = Some(sender.signing_key.clone());
            }
            t
        })
        .collect();
    Ok(Manifest {
        format: FORMAT.into(),
        version: VERSION,
        bundle_id: Uuid::new_v4(),
        kind: opts.kind,
        created_at: now_rfc3339(),
        sender,
        profile: opts.profile,
        redactions,
        records,
        files,
        vault: state,
        recipients: Some(recipients),
        deletions,
    })
}

/// Parses recipients: contacts (id or name) or `age1…` strings.
pub fn resolve_recipients(vault: &Vault, names: &[String]) -> Result<Vec<(String, String)>, BundleError> {
    let mut out = Vec::new();
    for n in names {
        if n.starts_with("age1") {
            age::x25519::Recipient::from_str(n).map_err(|_| BundleError::BadRecipient(n.clone()))?;
            out.push((n.clone(), n.clone()));
        } else {
            let c = identity::find_contact(vault.conn(), n).map_err(|_| BundleError::BadRecipient(n.clone()))?;
            let label = format!(
                "{} ({})",
                c.display_name,
                c.fingerprint.as_deref().unwrap_or("no fingerprint: bare age recipient")
            );
            out.push((c.age_recipient, label));
        }
    }
    Ok(out)
}

/// Evidence files larger than this are decrypted on a second thread.
const READ_AHEAD_FROM: u64 = 4 * CHUNK as u64;

/// A reader that checks, at its end, that what passed through has the
/// expected size and, for a file without a seal, the expected SHA-256, so a
/// damaged evidence file can never be sent. The hash is computed on a second
/// thread (`Sha256Pipe`), overlapping with decryption and the bundle's
/// encryption.
struct Checked<R> {
    inner: R,
    hasher: Option<Sha256Pipe>,
    seen: u64,
    expected: (u64, String),
    /// The check failed: every later read fails too.
    failed: bool,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mismatch = || io::Error::new(io::ErrorKind::InvalidData, "evidence digest mismatch");
        if self.failed {
            return Err(mismatch());
        }
        // Whatever stops the vault file from being read to its end (age's
        // authentication, a truncation) means it cannot be sent as it is.
        let n = self.inner.read(buf).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        crash_point("export.chunk");
        self.seen += n as u64;
        if self.seen > self.expected.0 || (n == 0 && self.seen < self.expected.0) {
            self.failed = true;
            return Err(mismatch());
        }
        if let Some(hasher) = self.hasher.as_mut() {
            hasher.update(&buf[..n]);
        }
        if self.seen == self.expected.0 {
            if let Some(hasher) = self.hasher.take() {
                if hasher.finish().as_deref() != Some(self.expected.1.as_str()) {
                    self.failed = true;
                    return Err(mismatch());
                }
            }
        }
        Ok(n)
    }
}

/// Writes a bundle. Records the export in the audit log.
pub fn export(vault: &mut Vault, opts: ExportOptions, progress: Progress<'_>) -> Result<ExportSummary, BundleError> {
    let me = identity::active(vault.conn(), identity::DEFAULT_NAME)?;
    let sender = Sender {
        display_name: me.display_name.clone(),
        signing_key: encode_signing_key(&me.verifying_key()),
        age_recipient: me.recipient().to_string(),
        fingerprint: me.fingerprint(),
    };
    let to = match &opts.recipients {
        Recipients::Keys(keys) => {
            BundleRecipients { age: keys.iter().map(|(r, _)| r.clone()).collect(), passphrase: false }
        }
        Recipients::Passphrase(_) => BundleRecipients { age: Vec::new(), passphrase: true },
    };
    let manifest = build_manifest(vault, &opts, sender, to)?;
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifests serialise");
    if manifest_bytes.len() as u64 > MAX_MANIFEST {
        return Err(BundleError::TooLarge);
    }
    let signature = me.sign(&[SIGNATURE_CONTEXT, &manifest_bytes].concat());
    let sig_bytes = serde_json::to_vec_pretty(&SignatureFile {
        algorithm: "ed25519".into(),
        signing_key: encode_signing_key(&me.verifying_key()),
        signature: base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
    })
    .expect("serialises");

    let total: u64 = manifest.files.iter().map(|f| f.size).sum::<u64>() + manifest_bytes.len() as u64;
    let (encryptor, recipient_labels) = match &opts.recipients {
        Recipients::Keys(keys) if keys.is_empty() => return Err(BundleError::NoRecipients),
        Recipients::Keys(keys) => {
            let parsed: Vec<age::x25519::Recipient> = keys
                .iter()
                .map(|(r, _)| age::x25519::Recipient::from_str(r).map_err(|_| BundleError::BadRecipient(r.clone())))
                .collect::<Result<_, _>>()?;
            let enc = age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|_| BundleError::NoRecipients)?;
            (enc, keys.iter().map(|(_, l)| l.clone()).collect::<Vec<_>>())
        }
        Recipients::Passphrase(p) => {
            // The file key is wrapped here, with scrypt: on a helper thread,
            // so that a stop (a lock) is seen while it derives the key.
            let p = p.clone();
            let derive = move || {
                let mut r = age::scrypt::Recipient::new(p);
                r.set_work_factor(super::read::PASSPHRASE_WORK_FACTOR);
                age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
            };
            let enc = stall::off_thread(derive, &mut || progress(0, total))
                .map_err(|e| {
                    if stall::is_cancelled(&e) {
                        BundleError::Cancelled
                    } else {
                        BundleError::io("protect the bundle with the passphrase")(e)
                    }
                })?
                .map_err(|_| BundleError::NoRecipients)?;
            (enc, vec!["a passphrase".to_string()])
        }
    };

    // The bundle goes to a temporary file beside `out`, written on a helper
    // thread (stall::Destination), so that a lock is not held up by a
    // destination that stops answering: every wait for it reports progress
    // again with the same figures, and a stop ends the export.
    let progress = std::cell::RefCell::new(progress);
    let done = std::cell::Cell::new(0u64);
    let cancelled = std::cell::Cell::new(false);
    let report = |n: u64| {
        done.set(done.get() + n);
        let go = (progress.borrow_mut())(done.get(), total);
        cancelled.set(!go);
        go
    };
    let (was_cancelled, out) = (&cancelled, &opts.out);
    let write_err = move |what: &'static str| {
        move |e: io::Error| {
            if was_cancelled.get() || stall::is_cancelled(&e) {
                BundleError::Cancelled
            } else if e.kind() == io::ErrorKind::AlreadyExists {
                BundleError::OutputExists(out.clone())
            } else {
                BundleError::io(what)(e)
            }
        }
    };
    let mut on_wait = || report(0);
    let size = (|| -> Result<u64, BundleError> {
        let file = stall::Destination::create(&opts.out, "export", &mut on_wait)
            .map_err(write_err("create the bundle file"))?;
        let age_out = encryptor.wrap_output(file).map_err(write_err("write the bundle"))?;
        let mut tar = tar::Builder::new(age_out);
        let mtime =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let header = |size: u64| {
            let mut h = tar::Header::new_ustar();
            h.set_size(size);
            h.set_mode(0o600);
            h.set_mtime(mtime);
            h.set_uid(0);
            h.set_gid(0);
            h.set_entry_type(tar::EntryType::Regular);
            h
        };
        tar.append_data(&mut header(manifest_bytes.len() as u64), MANIFEST_PATH, manifest_bytes.as_slice())
            .map_err(write_err("write the bundle"))?;
        tar.append_data(&mut header(sig_bytes.len() as u64), SIGNATURE_PATH, sig_bytes.as_slice())
            .map_err(write_err("write the bundle"))?;
        done.set(manifest_bytes.len() as u64);
        let files = evidence::ExportReader::new(vault)?;
        for f in &manifest.files {
            let damaged = || {
                BundleError::Vault(
                    format!(
                        "evidence {} in the vault is damaged, so it cannot be sent; run `amana check`",
                        f.evidence_id
                    ),
                    "evidence.damaged",
                )
            };
            let (stream, sealed) = files.open(vault, f.evidence_id).map_err(|e| match e {
                EvidenceError::Damaged(_) | EvidenceError::DigestMismatch(_) => damaged(),
                other => other.into(),
            })?;
            // Past a few chunks, the vault file is decrypted on a second
            // thread while this one encrypts the bundle.
            let stream: Box<dyn Read> = if f.size > READ_AHEAD_FROM {
                match ReadAhead::spawn(stream) {
                    Ok(ahead) => Box::new(ahead),
                    Err(stream) => Box::new(stream),
                }
            } else {
                Box::new(stream)
            };
            let checked = Checked {
                inner: stream,
                // A sealed file that decrypts to its end is the plaintext the
                // recorded digest was computed over (evidence::seal); an
                // unsealed one, from an older vault, is hashed on the way.
                hasher: (!sealed).then(Sha256Pipe::new),
                seen: 0,
                expected: (f.size, f.sha256.clone()),
                failed: false,
            };
            let mut on_read = |n| report(n);
            let counted = Counting { inner: checked, on_read: &mut on_read };
            tar.append_data(&mut header(f.size), &f.path, counted).map_err(|e| {
                if e.kind() == io::ErrorKind::InvalidData && !cancelled.get() {
                    damaged()
                } else {
                    write_err("write the bundle")(e)
                }
            })?;
        }
        crash_point("export.before-finish");
        let age_out = tar.into_inner().map_err(write_err("write the bundle"))?;
        let file = age_out.finish().map_err(write_err("write the bundle"))?;
        let size = file.commit().map_err(write_err("write the bundle"))?;
        (progress.borrow_mut())(total, total);
        Ok(size)
    })()?;
    let cases: Vec<String> =
        manifest.records.iter().filter(|r| r.kind == Kind::Case).map(|r| r.id.to_string()).collect();
    let audited = (|| -> Result<(), BundleError> {
        let tx = vault.conn_mut().transaction()?;
        audit::append(
            &tx,
            NewEntry {
                action: Action::Export,
                kind: Some(if opts.kind == BundleKind::Backup { "backup" } else { "bundle" }),
                record_id: Some(manifest.bundle_id.to_string()),
                case_id: None,
                detail: serde_json::json!({
                    "cases": cases,
                    "records": manifest.records.len(),
                    "files": manifest.files.len(),
                    "to": recipient_labels,
                    "profile": opts.profile,
                    "redactions": manifest.redactions.len(),
                    "size": size,
                }),
                content_sha256: None,
            },
        )?;
        tx.commit()?;
        Ok(())
    })();
    if let Err(e) = audited {
        // An export the audit log does not know of must not exist.
        let _ = std::fs::remove_file(&opts.out);
        return Err(e);
    }
    Ok(ExportSummary {
        bundle_id: manifest.bundle_id,
        path: opts.out,
        size,
        cases: cases.len(),
        records: manifest.records.len(),
        files: manifest.files.len(),
        recipients: recipient_labels,
        profile: opts.profile,
        redactions: manifest.redactions.len(),
        unreviewed: manifest.records.iter().filter(|r| r.unreviewed).count(),
    })
}

/// Counts bytes as they are read; the callback returning `false` aborts.
pub(crate) struct Counting<'a, R> {
    pub(crate) inner: R,
    pub(crate) on_read: &'a mut dyn FnMut(u64) -> bool,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !(self.on_read)(n as u64) {
            // Not `Interrupted`: io::copy would retry that forever.
            return Err(io::Error::other("cancelled"));
        }
        Ok(n)
    }
}
