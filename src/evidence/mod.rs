//! Evidence files: encrypted on ingest as a stream (constant memory, never a
//! plaintext copy on disk), with the SHA-256 of the original recorded; read
//! back as a stream that is checked against that digest.
//!
//! Each file is a standard age file (`files/<id>.age`) encrypted to the
//! vault's evidence identity, which lives only inside the encrypted database.
//! A plaintext copy is written only by [`extract`], to a path the user chose,
//! and only after the whole file has been verified.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{Connection, OptionalExtension};
use secrecy::ExposeSecret;
use serde::Serialize;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::audit::{self, Action, NewEntry};
use crate::dossier::store::{self, DossierError, StoredRecord};
use crate::dossier::{Acquisition, Evidence, Kind, Record};
use crate::fault::crash_point;
use crate::fsx;
use crate::stall;
use crate::vault::Vault;

mod pipe;
pub(crate) mod seal;

pub(crate) use pipe::{ReadAhead, Sha256Pipe};
use seal::HeadTap;

/// Size of each read and write.
pub const CHUNK: usize = 64 * 1024;

/// Everything that can go wrong with evidence files.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The path is not a regular file.
    #[error("{0} is not a file that can be attached")]
    NotAFile(PathBuf),
    /// Reading the original failed (removed, unplugged, unreadable).
    #[error("could not read {path}: {source}; nothing was attached")]
    ReadFailed {
        /// The original.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The disk is full.
    #[error("the disk is full; nothing was written")]
    DiskFull,
    /// Writing failed.
    #[error("could not write {what}: {source}")]
    WriteFailed {
        /// What was being written.
        what: String,
        /// Why.
        source: io::Error,
    },
    /// The encrypted file is missing.
    #[error("the encrypted file of evidence {0} is missing from the vault")]
    Missing(Uuid),
    /// The encrypted file cannot be decrypted or is cut short: it was damaged.
    #[error("the encrypted file of evidence {0} is damaged; no plaintext was written")]
    Damaged(Uuid),
    /// The content does not match the digest recorded at ingest.
    #[error("the content of evidence {0} does not match the SHA-256 recorded when it was attached; no plaintext was written")]
    DigestMismatch(Uuid),
    /// The destination exists.
    #[error("{0} already exists; choose another name (nothing was overwritten)")]
    OutputExists(PathBuf),
    /// The user cancelled.
    #[error("cancelled; nothing was kept")]
    Cancelled,
    /// Record errors.
    #[error(transparent)]
    Dossier(#[from] DossierError),
}

impl EvidenceError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::NotAFile(_) => "evidence.not_a_file",
            EvidenceError::ReadFailed { .. } => "evidence.read_failed",
            EvidenceError::DiskFull => "io.disk_full",
            EvidenceError::WriteFailed { .. } => "io.write_failed",
            EvidenceError::Missing(_) => "evidence.missing",
            EvidenceError::Damaged(_) => "evidence.damaged",
            EvidenceError::DigestMismatch(_) => "evidence.digest_mismatch",
            EvidenceError::OutputExists(_) => "evidence.output_exists",
            EvidenceError::Cancelled => "cancelled",
            EvidenceError::Dossier(e) => e.code(),
        }
    }

    fn write(what: &str) -> impl FnOnce(io::Error) -> EvidenceError + '_ {
        move |source| {
            if source.kind() == io::ErrorKind::StorageFull || source.raw_os_error() == Some(28) {
                EvidenceError::DiskFull
            } else {
                EvidenceError::WriteFailed { what: what.to_string(), source }
            }
        }
    }
}

impl From<rusqlite::Error> for EvidenceError {
    fn from(e: rusqlite::Error) -> Self {
        EvidenceError::Dossier(e.into())
    }
}

/// Progress of a long operation: called with (bytes done, bytes total);
/// returning `false` cancels.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// The vault's evidence identity, created on first use.
fn identity(conn: &Connection) -> Result<age::x25519::Identity, EvidenceError> {
    let stored: Option<String> =
        conn.query_row("SELECT value FROM vault_meta WHERE key = 'evidence_identity'", [], |r| r.get(0)).optional()?;
    if let Some(s) = stored {
        let s = Zeroizing::new(s);
        return age::x25519::Identity::from_str(&s).map_err(|_| {
            EvidenceError::Dossier(DossierError::invalid(Kind::Evidence, "the vault's evidence key is damaged"))
        });
    }
    let id = age::x25519::Identity::generate();
    conn.execute(
        "INSERT INTO vault_meta(key, value) VALUES ('evidence_identity', ?1)",
        [id.to_string().expose_secret()],
    )?;
    Ok(id)
}

/// The recipient evidence files are encrypted to.
pub fn vault_recipient(vault: &Vault) -> Result<age::x25519::Recipient, EvidenceError> {
    Ok(identity(vault.conn())?.to_public())
}

/// Where an evidence file's ciphertext lives.
pub fn encrypted_path(vault: &Vault, id: Uuid) -> PathBuf {
    vault.paths().files().join(format!("{id}.age"))
}

/// An evidence file being encrypted into the vault (by attach or import):
/// age to the vault's evidence recipient, buffered, its header kept for the
/// file's seal.
pub(crate) type VaultFileWriter = age::stream::StreamWriter<HeadTap<BufWriter<File>>>;

/// Starts encrypting into `out`, a new private file in the evidence folder.
pub(crate) fn vault_file_writer(recipient: &age::x25519::Recipient, out: File) -> io::Result<VaultFileWriter> {
    age::Encryptor::with_recipients(std::iter::once(recipient as &dyn age::Recipient))
        .expect("one X25519 recipient is always valid")
        .wrap_output(HeadTap::new(BufWriter::with_capacity(CHUNK, out)))
}

/// Ends an evidence file: the last chunk written, flushed and synced.
/// Returns its seal (see [`seal`]).
pub(crate) fn finish_vault_file(writer: VaultFileWriter) -> io::Result<Option<String>> {
    let (header_seal, buffered) = writer.finish()?.into_parts();
    buffered.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(header_seal)
}

/// Guesses a media type from a file name, for the viewer.
pub fn media_type(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "m4a" => "audio/mp4",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "txt" => "text/plain",
        "md" => "text/markdown",
        "odt" => "application/vnd.oasis.opendocument.text",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        _ => "application/octet-stream",
    }
}

/// What to attach.
pub struct Attachment<'a> {
    /// The record the file documents (case, incident, proceeding or testimony).
    pub attached_to: Uuid,
    /// The original file.
    pub path: &'a Path,
    /// Chain of custody.
    pub acquisition: Acquisition,
    /// What the file shows.
    pub description: String,
}

/// Encrypts a file into the vault and records it. On any failure or cancel,
/// nothing is left behind: no record, no encrypted file.
pub fn attach(vault: &mut Vault, a: Attachment<'_>, progress: Progress<'_>) -> Result<StoredRecord, EvidenceError> {
    let target = store::get(vault.conn(), a.attached_to)?;
    if !matches!(target.record.kind(), Kind::Case | Kind::Incident | Kind::Proceeding | Kind::Testimony) {
        return Err(DossierError::BadReference(format!(
            "files can be attached to a case, incident, proceeding or testimony, not to a {}",
            target.record.kind().as_str()
        ))
        .into());
    }
    // The name is shown on screen and offered in save dialogs: only a safe base
    // name is kept (a name on disk can hold controls and bidi overrides too).
    // Whether it is a regular file is checked where it is opened, off this
    // thread (`stall`), since on a hung mount the check blocks too.
    let file_name = crate::text::safe_file_name(&a.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default());
    let id = Uuid::new_v4();
    let recipient = identity(vault.conn())?.to_public();
    let final_path = encrypted_path(vault, id);
    let partial = vault.paths().files().join(format!(".{id}.age.partial"));

    let written = (|| -> Result<(u64, String, Option<String>), EvidenceError> {
        let read_failed = |source| EvidenceError::ReadFailed { path: a.path.to_path_buf(), source };
        // Opened and read on a helper thread, so that a source that stops
        // answering (a hung share, an unplugged disk) cannot keep the vault
        // from a lock: see `stall`.
        // (While it opens, the length is not known: 0 of 1, 0 %.)
        let mut source = stall::Source::open(a.path, true, &mut || progress(0, 1)).map_err(|e| {
            if stall::is_cancelled(&e) {
                EvidenceError::Cancelled
            } else if stall::is_not_a_file(&e) {
                EvidenceError::NotAFile(a.path.to_path_buf())
            } else {
                read_failed(e)
            }
        })?;
        // The length of the file actually opened: reading must end exactly there.
        let expected = source.len();
        let out = fsx::create_private(&partial).map_err(EvidenceError::write("the encrypted file"))?;
        let mut writer = vault_file_writer(&recipient, out).map_err(EvidenceError::write("the encrypted file"))?;
        let (size, digest) = pump_source(&mut source, &mut writer, expected, progress, read_failed)?;
        if size != expected {
            // Truncated or still being written while we read it: what was read
            // is not the file, so it must not become evidence of it.
            return Err(read_failed(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("the file changed while it was being read ({expected} bytes when opened, {size} read)"),
            )));
        }
        crash_point("attach.before-finish");
        let header_seal = finish_vault_file(writer).map_err(EvidenceError::write("the encrypted file"))?;
        std::fs::rename(&partial, &final_path).map_err(EvidenceError::write("the encrypted file"))?;
        fsx::sync_dir(&vault.paths().files()).map_err(EvidenceError::write("the evidence folder"))?;
        crash_point("attach.before-record");
        Ok((size, digest, header_seal))
    })();
    let (size, sha256, header_seal) = match written {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    let record = Record::Evidence(Evidence {
        attached_to: a.attached_to,
        media_type: media_type(&file_name).to_string(),
        file_name,
        size,
        sha256,
        acquisition: a.acquisition,
        description: a.description,
    });
    let saved = (|| {
        let tx = vault.conn_mut().transaction()?;
        let r = store::add(&tx, Some(target.case_id), Some(id), record, None)?;
        if let Some(s) = &header_seal {
            seal::record(&tx, id, s)?;
        }
        crash_point("attach.before-commit");
        tx.commit()?;
        Ok::<_, EvidenceError>(r)
    })();
    if saved.is_err() {
        let _ = std::fs::remove_file(&final_path);
    }
    saved
}

/// Copies a file the user chose to `output` as [`pump`] does, from the
/// chunks the source's helper thread hands over (no copy in between). While
/// the source gives nothing, progress is reported again every
/// [`stall::WAIT`] with the same figures, so a stop is seen even if the
/// source never answers.
fn pump_source<W: Write>(
    input: &mut stall::Source,
    output: &mut W,
    total: u64,
    progress: Progress<'_>,
    read_err: impl Fn(io::Error) -> EvidenceError,
) -> Result<(u64, String), EvidenceError> {
    let mut hasher = Sha256Pipe::new();
    let mut done = 0u64;
    loop {
        let chunk = match input.fill(&mut || progress(done, total.max(done))) {
            Ok([]) => break,
            Ok(chunk) => chunk,
            Err(e) if stall::is_cancelled(&e) => return Err(EvidenceError::Cancelled),
            Err(e) => return Err(read_err(e)),
        };
        let n = chunk.len();
        hasher.update(chunk);
        output.write_all(chunk).map_err(EvidenceError::write("the output"))?;
        input.consume(n);
        crash_point("evidence.chunk");
        done += n as u64;
        if !progress(done, total.max(done)) {
            return Err(EvidenceError::Cancelled);
        }
    }
    let digest = hasher.finish().ok_or_else(|| read_err(io::Error::other("the SHA-256 could not be computed")))?;
    Ok((done, digest))
}

/// Copies `input` to `output` in chunks, hashing what passes; returns (bytes, hex SHA-256).
fn pump<R: Read, W: Write>(
    mut input: R,
    output: &mut W,
    total: u64,
    progress: Progress<'_>,
    read_err: impl Fn(io::Error) -> EvidenceError,
) -> Result<(u64, String), EvidenceError> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    let mut hasher = Sha256Pipe::new();
    let mut done = 0u64;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_err(e)),
        };
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(EvidenceError::write("the output"))?;
        crash_point("evidence.chunk");
        done += n as u64;
        if !progress(done, total.max(done)) {
            return Err(EvidenceError::Cancelled);
        }
    }
    let digest = hasher.finish().ok_or_else(|| read_err(io::Error::other("the SHA-256 could not be computed")))?;
    Ok((done, digest))
}

/// Opens an evidence file's decrypting stream (unverified until fully read),
/// with its record. See [`open_file`].
fn open_stream(vault: &Vault, id: Uuid) -> Result<(Evidence, bool, impl Read + Send + 'static), EvidenceError> {
    let r = store::get_kind(vault.conn(), id, Kind::Evidence)?;
    let Record::Evidence(e) = r.record else { unreachable!("get_kind checked the kind") };
    let (sealed, reader) = open_file(vault, &identity(vault.conn())?, id)?;
    Ok((e, sealed, reader))
}

/// Opens the decrypting stream of the file stored for evidence `id`,
/// checking its header against the seal recorded with the record, if any: a
/// file whose header differs from its seal was replaced or damaged. Returns
/// whether the file was sealed (see [`seal`]: then a stream that decrypts to
/// its end is the plaintext the record's SHA-256 was computed over).
fn open_file(
    vault: &Vault,
    identity: &age::x25519::Identity,
    id: Uuid,
) -> Result<(bool, impl Read + Send + 'static), EvidenceError> {
    let read_failed = |source| EvidenceError::ReadFailed { path: encrypted_path(vault, id), source };
    let mut file = File::open(encrypted_path(vault, id)).map_err(|err| {
        if err.kind() == io::ErrorKind::NotFound {
            EvidenceError::Missing(id)
        } else {
            read_failed(err)
        }
    })?;
    let head = seal::read_head(&mut file).map_err(read_failed)?;
    let sealed = seal::stored(vault.conn(), id)?.map(|expected| seal::digest(&head).as_deref() == Some(&expected));
    // The decryptor reads the very header bytes that were checked.
    let source = io::Cursor::new(head).chain(file);
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(CHUNK, source))
        .map_err(|_| EvidenceError::Damaged(id))?;
    let reader =
        decryptor.decrypt(std::iter::once(identity as &dyn age::Identity)).map_err(|_| EvidenceError::Damaged(id))?;
    match sealed {
        // A sound file of this vault, but not the one stored for this record:
        // another record's file put in its place.
        Some(false) => Err(EvidenceError::DigestMismatch(id)),
        Some(true) => Ok((true, reader)),
        None => Ok((false, reader)),
    }
}

/// Opens many evidence files of one vault in a row (an export): the vault's
/// evidence key is read from the database once, not once per file. It is
/// wiped when this is dropped (age's X25519 identity zeroizes itself).
pub struct ExportReader {
    identity: age::x25519::Identity,
}

impl ExportReader {
    /// Reads the vault's evidence key.
    pub fn new(vault: &Vault) -> Result<Self, EvidenceError> {
        Ok(ExportReader { identity: identity(vault.conn())? })
    }

    /// The decrypting stream of evidence `id`'s file, and whether it is
    /// sealed. The caller has the record (its size and SHA-256, from the
    /// manifest it built), checks the size as it streams, and the SHA-256
    /// unless the file is sealed.
    pub fn open(&self, vault: &Vault, id: Uuid) -> Result<(impl Read + Send + 'static, bool), EvidenceError> {
        let (sealed, reader) = open_file(vault, &self.identity, id)?;
        Ok((reader, sealed))
    }
}

/// Decrypts an evidence file to a sink, verifying its digest. Used by
/// `amana check`; writes nothing.
pub fn verify(vault: &Vault, id: Uuid) -> Result<(), EvidenceError> {
    let (e, _, reader) = open_stream(vault, id)?;
    let (size, digest) = pump(reader, &mut io::sink(), e.size, &mut |_, _| true, |_| EvidenceError::Damaged(id))?;
    if size != e.size || digest != e.sha256 {
        return Err(EvidenceError::DigestMismatch(id));
    }
    Ok(())
}

/// Reads a whole evidence file into memory, verified, for viewing inside
/// the app (no temp file). Refuses files larger than `max_bytes`.
pub fn read_verified(vault: &Vault, id: Uuid, max_bytes: u64) -> Result<(Evidence, Zeroizing<Vec<u8>>), EvidenceError> {
    let (e, _, reader) = open_stream(vault, id)?;
    if e.size > max_bytes {
        return Err(EvidenceError::Dossier(DossierError::invalid(
            Kind::Evidence,
            format!("the file is too large to show here ({} bytes)", e.size),
        )));
    }
    let mut out = Zeroizing::new(Vec::with_capacity(e.size as usize));
    let (size, digest) = pump(reader, &mut *out, e.size, &mut |_, _| true, |_| EvidenceError::Damaged(id))?;
    if size != e.size || digest != e.sha256 {
        return Err(EvidenceError::DigestMismatch(id));
    }
    Ok((e, out))
}

/// What an extraction wrote.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Extracted {
    /// Where.
    pub path: PathBuf,
    /// Bytes written.
    pub size: u64,
    /// Verified SHA-256.
    pub sha256: String,
}

/// Writes a verified plaintext copy of an evidence file to `out`, which the
/// user chose. The copy appears under its name only once it is complete and
/// verified; a damaged file leaves nothing behind. Recorded in the audit log.
pub fn extract(vault: &mut Vault, id: Uuid, out: &Path, progress: Progress<'_>) -> Result<Extracted, EvidenceError> {
    let (e, _, reader) = open_stream(vault, id)?;
    // Written on a helper thread (stall::Destination): while the place the
    // user chose does not answer, progress is reported again with the last
    // figures, so a lock can stop the copy.
    let progress = std::cell::RefCell::new(progress);
    let last = std::cell::Cell::new((0u64, e.size));
    let mut on_wait = || {
        let (done, total) = last.get();
        (progress.borrow_mut())(done, total)
    };
    let write_err = |err: io::Error| {
        if stall::is_cancelled(&err) {
            EvidenceError::Cancelled
        } else if err.kind() == io::ErrorKind::AlreadyExists {
            EvidenceError::OutputExists(out.to_path_buf())
        } else {
            EvidenceError::write("the copy")(err)
        }
    };
    let mut w = stall::Destination::create(out, "extract", &mut on_wait).map_err(write_err)?;
    let mut report = |done, total| {
        last.set((done, total));
        (progress.borrow_mut())(done, total)
    };
    let (size, sha256) =
        pump(reader, &mut w, e.size, &mut report, |_| EvidenceError::Damaged(id)).map_err(|err| match err {
            EvidenceError::WriteFailed { source, .. } if stall::is_cancelled(&source) => EvidenceError::Cancelled,
            other => other,
        })?;
    if size != e.size || sha256 != e.sha256 {
        // Dropped uncommitted: the helper thread removes what it wrote.
        return Err(EvidenceError::DigestMismatch(id));
    }
    w.commit().map_err(write_err)?;
    let r = store::get(vault.conn(), id)?;
    let tx = vault.conn_mut().transaction()?;
    audit::append(
        &tx,
        NewEntry {
            action: Action::Extract,
            kind: Some(Kind::Evidence.as_str()),
            record_id: Some(id.to_string()),
            case_id: Some(r.case_id.to_string()),
            detail: serde_json::json!({ "written_to": out.to_string_lossy() }),
            content_sha256: None,
        },
    )?;
    tx.commit()?;
    Ok(Extracted { path: out.to_path_buf(), size, sha256 })
}

/// Removes the encrypted files of deleted evidence (after the delete committed).
pub fn remove_files(vault: &Vault, ids: &[Uuid]) {
    for id in ids {
        let _ = std::fs::remove_file(encrypted_path(vault, *id));
    }
    let _ = fsx::sync_dir(&vault.paths().files());
}

/// Files in the evidence folder that no record refers to, and records whose
/// file is missing: what `amana check` reports.
pub fn consistency(vault: &Vault) -> Result<Vec<String>, EvidenceError> {
    let mut problems = Vec::new();
    let records = store::list(vault.conn(), Some(Kind::Evidence), None)?;
    let mut known: std::collections::HashSet<String> = records.iter().map(|r| format!("{}.age", r.id)).collect();
    // Files of evidence proposed for adding wait, encrypted, for the person's decision.
    let mut stmt = vault
        .conn()
        .prepare("SELECT record_id FROM proposals WHERE kind = 'evidence' AND action = 'add' AND status = 'pending'")?;
    for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
        known.insert(format!("{}.age", id?));
    }
    drop(stmt);
    if let Ok(entries) = std::fs::read_dir(vault.paths().files()) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".partial") {
                problems.push(format!(
                    "evidence folder: {name} is left from an interrupted attachment (encrypted; safe to delete)"
                ));
            } else if !known.contains(&name) {
                problems.push(format!("evidence folder: {name} belongs to no record (encrypted; safe to delete)"));
            }
        }
    }
    for r in records {
        match verify(vault, r.id) {
            Ok(()) => {}
            Err(e) => problems.push(format!("evidence {}: {e}", r.id)),
        }
    }
    Ok(problems)
}
