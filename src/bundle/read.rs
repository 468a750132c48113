//! Reading a bundle: decrypt, walk the tar stream under the format's rules,
//! verify the signature and every file's digest. Writes nothing: files are
//! handed to a callback (a sink to verify, the vault's encryptor to import).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use base64::Engine;
use secrecy::SecretString;
use serde::Serialize;

use super::*;
use crate::evidence::{Progress, Sha256Pipe, CHUNK};
use crate::identity;
use crate::stall;

/// How to open a bundle.
pub enum Opener {
    /// A vault's age identities.
    Identities(Vec<Box<dyn age::Identity>>),
    /// The identities of an identity file, with the age recipients of those
    /// that are X25519 (to tell whether a bundle was made for them).
    IdentityFile(Vec<Box<dyn age::Identity>>, Vec<String>),
    /// A passphrase.
    Passphrase(SecretString),
}

/// Whether the bundle at `path` is protected by a passphrase (reads the header only).
pub fn needs_passphrase(path: &Path) -> Result<bool, BundleError> {
    let f = File::open(path).map_err(BundleError::io("open the bundle"))?;
    let d = age::Decryptor::new_buffered(BufReader::new(f)).map_err(|_| BundleError::NotABundle)?;
    Ok(d.is_scrypt())
}

/// The most scrypt work a passphrase bundle may ask of its reader: 2^20
/// (1 GiB of memory, a few seconds). Amana writes 2^[`PASSPHRASE_WORK_FACTOR`];
/// age's own calibration would let a hostile bundle ask for 2^22 or more
/// (4 GiB, a minute) on a fast machine's target, or far beyond with a
/// crafted stanza.
pub const MAX_SCRYPT_WORK_FACTOR: u8 = 20;
/// The scrypt work factor Amana writes passphrase bundles with (2^18,
/// 256 MiB, about a second), fixed rather than calibrated so that a bundle
/// made on a fast machine still opens under [`MAX_SCRYPT_WORK_FACTOR`].
pub const PASSPHRASE_WORK_FACTOR: u8 = 18;

/// Opens with an age identity file (as made by `age-keygen` or `amana identity export`).
pub fn identity_file_opener(path: &Path) -> Result<Opener, BundleError> {
    Ok(Opener::IdentityFile(identities_from_file(path)?, recipients_in_identity_file(path)))
}

/// Parses an age identity file (as made by `age-keygen` or `amana identity export`).
pub fn identities_from_file(path: &Path) -> Result<Vec<Box<dyn age::Identity>>, BundleError> {
    let file = age::IdentityFile::from_file(path.to_string_lossy().into_owned())
        .map_err(|e| BundleError::Io { what: format!("read the identity file {}", path.display()), source: e })?;
    let ids = file.into_identities().map_err(|_| BundleError::BadRecipient(path.display().to_string()))?;
    Ok(ids.into_iter().map(|i| i as Box<dyn age::Identity>).collect())
}

/// A bundle that passed every check.
pub struct Verified {
    /// The manifest.
    pub manifest: Manifest,
}

fn path_of(entry: &tar::Entry<'_, impl Read>) -> String {
    let raw = entry.path_bytes();
    let shown: String = String::from_utf8_lossy(&raw).chars().take(100).flat_map(char::escape_debug).collect();
    shown
}

fn check_entry(
    entry: &tar::Entry<'_, impl Read>,
    expected_path: &str,
    max: Option<u64>,
    declared: Option<u64>,
) -> Result<u64, BundleError> {
    let kind = entry.header().entry_type();
    let shown = path_of(entry);
    if kind != tar::EntryType::Regular && kind != tar::EntryType::Continuous {
        let what = match kind {
            tar::EntryType::Symlink => "a symbolic link",
            tar::EntryType::Link => "a hard link",
            tar::EntryType::Char | tar::EntryType::Block => "a device file",
            tar::EntryType::Fifo => "a pipe",
            tar::EntryType::Directory => "a directory",
            _ => "an entry of an unknown type",
        };
        return Err(BundleError::Hostile(format!("{what} \"{shown}\"")));
    }
    if entry.path_bytes().as_ref() != expected_path.as_bytes() {
        let reason = if shown.starts_with('/') || shown.split(['/', '\\']).any(|c| c == "..") {
            "a path outside the bundle"
        } else {
            "an unexpected entry"
        };
        return Err(BundleError::Hostile(format!("{reason} \"{shown}\" where \"{expected_path}\" was expected")));
    }
    let size = entry.size();
    if max.is_some_and(|m| size > m) {
        return Err(BundleError::Hostile(format!("\"{shown}\" is {size} bytes, over the limit")));
    }
    if declared.is_some_and(|d| size != d) {
        return Err(BundleError::Hostile(format!(
            "\"{shown}\" is {size} bytes but the manifest says {}",
            declared.unwrap_or(0)
        )));
    }
    Ok(size)
}

fn read_small(entry: &mut impl Read, size: u64) -> Result<Vec<u8>, BundleError> {
    let mut buf = Vec::with_capacity(size as usize);
    entry.take(size).read_to_end(&mut buf).map_err(|_| BundleError::Damaged)?;
    if buf.len() as u64 != size {
        return Err(BundleError::Damaged);
    }
    Ok(buf)
}

/// Parses and checks a manifest and its signature.
pub fn check_manifest(manifest_bytes: &[u8], sig_bytes: &[u8]) -> Result<Manifest, BundleError> {
    #[derive(serde::Deserialize)]
    struct Probe {
        format: Option<String>,
        version: Option<serde_json::Value>,
    }
    let probe: Probe =
        serde_json::from_slice(manifest_bytes).map_err(|_| BundleError::BadManifest("not JSON".into()))?;
    if probe.format.as_deref() != Some(FORMAT) {
        return Err(BundleError::BadManifest("not an Amana bundle manifest".into()));
    }
    let version = match probe.version.as_ref().and_then(|v| v.as_u64()) {
        Some(v) if (u64::from(OLDEST_VERSION)..=u64::from(VERSION)).contains(&v) => v as u32,
        Some(v) => return Err(BundleError::UnsupportedVersion(v)),
        None => return Err(BundleError::BadManifest("no version".into())),
    };
    let sig: SignatureFile = serde_json::from_slice(sig_bytes).map_err(|_| BundleError::BadSignature)?;
    let manifest: Manifest =
        serde_json::from_slice(manifest_bytes).map_err(|e| BundleError::BadManifest(e.to_string()))?;
    let key = identity::decode_signing_key(&manifest.sender.signing_key).ok_or(BundleError::BadSignature)?;
    let raw =
        base64::engine::general_purpose::STANDARD.decode(&sig.signature).map_err(|_| BundleError::BadSignature)?;
    if sig.algorithm != "ed25519"
        || sig.signing_key != manifest.sender.signing_key
        || !identity::verify_signature(&key, &[signature_context(version), manifest_bytes].concat(), &raw)
    {
        return Err(BundleError::BadSignature);
    }
    if identity::fingerprint(&key, &manifest.sender.age_recipient) != manifest.sender.fingerprint {
        return Err(BundleError::BadManifest("the sender's fingerprint does not match their keys".into()));
    }
    validate_manifest(&manifest)?;
    Ok(manifest)
}

/// Reads and checks a whole bundle. Each evidence file is passed to
/// `on_file` as a stream, which must read it to the end (or return an
/// error); its digest is checked after. Nothing is written by this function.
pub fn read(
    path: &Path,
    opener: &Opener,
    on_file: &mut dyn FnMut(&FileEntry, &mut dyn Read) -> Result<(), BundleError>,
    progress: Progress<'_>,
) -> Result<Verified, BundleError> {
    // The length is known once the file is open; until then, 0 of 1 (0 %).
    let total = std::cell::Cell::new(1);
    let done = std::cell::Cell::new(0u64);
    let cancelled = std::cell::Cell::new(false);
    // Shared by the reading (on_read) and the passphrase's key derivation
    // (DerivedOffThread), which never run at the same time.
    let progress = std::cell::RefCell::new(progress);
    let report = |n: u64| {
        done.set(done.get() + n);
        cancelled.set(!(progress.borrow_mut())(done.get(), total.get()));
        !cancelled.get()
    };
    let mut on_read = |n| report(n);
    // Opened and read on a helper thread, so that a bundle that stops
    // arriving (a FIFO, a hung share) cannot keep the vault from a lock: while
    // it gives nothing, progress is reported again, and a stop is seen.
    let source = stall::Source::open(path, false, &mut || on_read(0)).map_err(|e| {
        if stall::is_cancelled(&e) {
            BundleError::Cancelled
        } else {
            BundleError::io("open the bundle")(e)
        }
    })?;
    total.set(source.len());
    let counted = source.watched(&mut on_read);
    // A Stop while the header is read (a small bundle is read at once) is a
    // cancellation, not a bundle that is not one.
    let decryptor = age::Decryptor::new_buffered(counted).map_err(|_| {
        if cancelled.get() {
            BundleError::Cancelled
        } else {
            BundleError::NotABundle
        }
    })?;
    let stream = match opener {
        Opener::Identities(ids) | Opener::IdentityFile(ids, _) => {
            if decryptor.is_scrypt() {
                return Err(BundleError::NeedsPassphrase);
            }
            decryptor.decrypt(ids.iter().map(|i| i.as_ref()))
        }
        Opener::Passphrase(p) => {
            if !decryptor.is_scrypt() {
                return Err(BundleError::NotForYou);
            }
            let mut id = age::scrypt::Identity::new(p.clone());
            id.set_max_work_factor(MAX_SCRYPT_WORK_FACTOR);
            let id = DerivedOffThread { inner: std::sync::Arc::new(id), on_wait: &report, cancelled: &cancelled };
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
    }
    .map_err(|e| match e {
        _ if cancelled.get() => BundleError::Cancelled,
        age::DecryptError::NoMatchingKeys => BundleError::NotForYou,
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed
            if matches!(opener, Opener::Passphrase(_)) =>
        {
            BundleError::WrongPassphrase
        }
        age::DecryptError::ExcessiveWork { required, .. } => BundleError::WorkFactorTooHigh(required),
        _ => BundleError::Damaged,
    })?;

    match read_tar(stream, on_file) {
        Err(_) if cancelled.get() => Err(BundleError::Cancelled),
        other => other,
    }
}

/// A passphrase's identity whose key derivation (scrypt, up to
/// [`MAX_SCRYPT_WORK_FACTOR`]: seconds) runs on a helper thread
/// ([`stall::off_thread`]), reporting progress meanwhile, so that a stop (a
/// lock) is seen while it runs. A stop makes the unwrap fail and sets
/// `cancelled`, which the caller checks first.
struct DerivedOffThread<'a> {
    inner: std::sync::Arc<age::scrypt::Identity>,
    on_wait: &'a dyn Fn(u64) -> bool,
    cancelled: &'a std::cell::Cell<bool>,
}

impl age::Identity for DerivedOffThread<'_> {
    fn unwrap_stanza(
        &self,
        stanza: &age_core::format::Stanza,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    /// The scrypt identity's own `unwrap_stanzas` (it also checks that its
    /// stanza is the header's only one), on a helper thread.
    fn unwrap_stanzas(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        // Stanza is not Clone: copied field by field (public fields).
        let copy = |s: &age_core::format::Stanza| age_core::format::Stanza {
            tag: s.tag.clone(),
            args: s.args.clone(),
            body: s.body.clone(),
        };
        let (inner, stanzas) = (std::sync::Arc::clone(&self.inner), stanzas.iter().map(copy).collect::<Vec<_>>());
        match stall::off_thread(move || inner.unwrap_stanzas(&stanzas), &mut || (self.on_wait)(0)) {
            Ok(unwrapped) => unwrapped,
            Err(_) => {
                self.cancelled.set(true);
                Some(Err(age::DecryptError::DecryptionFailed))
            }
        }
    }
}

/// Reads and checks a decrypted bundle: the tar stream inside the age layer.
/// This is everything [`read`] does after decryption: the entries' types,
/// paths, order and sizes, the manifest and its signature, every file's
/// digest, and that nothing but zero padding follows the archive. Each
/// evidence file is passed to `on_file` as a stream, as in [`read`]. The
/// reader is read to its end (for an age stream, that authenticates its
/// final chunk). Writes nothing; exposed for other readers and fuzzing.
pub fn read_tar(
    reader: impl Read,
    on_file: &mut dyn FnMut(&FileEntry, &mut dyn Read) -> Result<(), BundleError>,
) -> Result<Verified, BundleError> {
    let budget = HeaderBudget { left: std::cell::Cell::new(None), exceeded: std::cell::Cell::new(false) };
    let mut archive = tar::Archive::new(Budgeted { inner: reader, budget: &budget });
    let manifest = (|| {
        let mut entries = archive.entries().map_err(|_| BundleError::Damaged)?;
        let mut next = |expected: &str,
                        max: Option<u64>,
                        declared: Option<u64>|
         -> Result<(tar::Entry<'_, _>, u64), BundleError> {
            let entry = match next_entry(&mut entries, &budget) {
                None => return Err(BundleError::Hostile(format!("\"{expected}\" is missing: the bundle ends early"))),
                Some(Err(e)) => return Err(e),
                Some(Ok(e)) => e,
            };
            let size = check_entry(&entry, expected, max, declared)?;
            Ok((entry, size))
        };
        let (mut m, size) = next(MANIFEST_PATH, Some(MAX_MANIFEST), None)?;
        let manifest_bytes = read_small(&mut m, size)?;
        drop(m);
        let (mut s, size) = next(SIGNATURE_PATH, Some(MAX_SIGNATURE), None)?;
        let sig_bytes = read_small(&mut s, size)?;
        drop(s);
        let manifest = check_manifest(&manifest_bytes, &sig_bytes)?;
        drop(manifest_bytes);
        for f in &manifest.files {
            let (entry, _) = next(&f.path, None, Some(f.size))?;
            let mut hashing = Hashing { inner: entry, hasher: Sha256Pipe::new() };
            on_file(f, &mut hashing).map_err(|e| {
                if matches!(e, BundleError::Io { .. }) {
                    BundleError::Damaged
                } else {
                    e
                }
            })?;
            io::copy(&mut hashing, &mut io::sink()).map_err(|_| BundleError::Damaged)?;
            if hashing.hasher.len() != f.size || hashing.hasher.finish().as_deref() != Some(f.sha256.as_str()) {
                return Err(BundleError::FileAltered(f.path.clone()));
            }
        }
        match next_entry(&mut entries, &budget) {
            None => {}
            Some(Ok(extra)) => {
                return Err(BundleError::Hostile(format!(
                    "more entries than the manifest lists (\"{}\")",
                    path_of(&extra)
                )))
            }
            Some(Err(e)) => return Err(e),
        }
        Ok(manifest)
    })()?;
    // Read the stream to its end: for age, only then is its final chunk
    // authenticated, which is what proves the bundle was not cut short.
    let mut rest = archive.into_inner();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(n) if buf[..n].iter().all(|b| *b == 0) => {}
            Ok(_) => return Err(BundleError::Hostile("data after the end of the archive".into())),
            Err(_) => return Err(BundleError::Damaged),
        }
    }
    Ok(Verified { manifest })
}

/// Most bytes the tar reader may take from the stream to find the next entry:
/// the rest of the previous entry's padding, headers, and extended headers
/// (pax, GNU long names), which the `tar` crate reads whole into memory
/// before it returns the entry they describe. Without a bound, a bundle of
/// N bytes could make the reader allocate N bytes before anything is checked.
pub const MAX_HEADER_BYTES: u64 = 1 << 20;

/// The next entry of `entries`, its headers read under the budget.
fn next_entry<'a, R: Read>(
    entries: &mut tar::Entries<'a, R>,
    budget: &HeaderBudget,
) -> Option<Result<tar::Entry<'a, R>, BundleError>> {
    budget.left.set(Some(MAX_HEADER_BYTES));
    let entry = entries.next();
    budget.left.set(None);
    match entry {
        Some(Err(_)) if budget.exceeded.get() => {
            Some(Err(BundleError::Hostile(format!("extended tar headers over {} KiB", MAX_HEADER_BYTES >> 10))))
        }
        Some(Err(_)) => Some(Err(BundleError::Damaged)),
        Some(Ok(e)) => Some(Ok(e)),
        None => None,
    }
}

/// How much of [`MAX_HEADER_BYTES`] is left (`None`: no limit, while an
/// entry's own data is read) and whether it ran out.
struct HeaderBudget {
    left: std::cell::Cell<Option<u64>>,
    exceeded: std::cell::Cell<bool>,
}

struct Budgeted<'a, R> {
    inner: R,
    budget: &'a HeaderBudget,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(left) = self.budget.left.get() else { return self.inner.read(buf) };
        if left == 0 && !buf.is_empty() {
            self.budget.exceeded.set(true);
            return Err(io::Error::other("tar headers over the limit"));
        }
        let max = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.budget.left.set(Some(left - n as u64));
        Ok(n)
    }
}

/// Hashes what passes (on a second thread for long files: `Sha256Pipe`).
struct Hashing<R> {
    inner: R,
    hasher: Sha256Pipe,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// What a reader is told about a bundle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BundleSummary {
    /// The bundle's id.
    pub bundle_id: uuid::Uuid,
    /// Handover or backup.
    pub kind: BundleKind,
    /// When made.
    pub created_at: String,
    /// Who made it, as the bundle says.
    pub sender: Sender,
    /// The contact with that signing key, if any.
    pub sender_contact: Option<String>,
    /// Whether that contact's fingerprint was verified.
    pub sender_verified: bool,
    /// Whether this vault made the bundle.
    pub from_this_vault: bool,
    /// Signature and all digests checked.
    pub integrity: &'static str,
    /// What was left out.
    pub profile: Profile,
    /// Plain words for `profile`.
    pub profile_summary: &'static str,
    /// Number of redacted fields.
    pub redactions: usize,
    /// The cases: id and label.
    pub cases: Vec<(uuid::Uuid, String)>,
    /// Records by kind.
    pub records: std::collections::BTreeMap<String, usize>,
    /// Files and their total size.
    pub files: usize,
    /// Bytes of evidence.
    pub file_bytes: u64,
    /// Backups: the vault identities they carry (0 for a handover).
    pub identities: usize,
    /// Backups: the contacts they carry (0 for a handover).
    pub contacts: usize,
    /// The bundle format version (1 is read with a notice).
    pub format_version: u32,
    /// Whether the bundle names this reader among those it was made for;
    /// `None` when it cannot tell (a version 1 bundle names nobody). A
    /// bundle not made for this reader was passed on by someone else: its
    /// sender never counts as verified here.
    pub addressed_to_you: Option<bool>,
    /// How many recipients the bundle was made for (a passphrase counts as one).
    pub recipient_count: usize,
}

/// Who is reading a bundle, to tell whether it was made for them.
pub enum Reader {
    /// These age recipients (the public halves of the keys tried).
    Keys(Vec<String>),
    /// A passphrase.
    Passphrase,
    /// Not known (an identity file of another kind).
    Unknown,
}

impl Reader {
    /// The reader a vault is: every age recipient it ever had.
    pub fn vault(conn: &rusqlite::Connection) -> Result<Reader, BundleError> {
        Ok(Reader::Keys(identity::all_age_identities(conn)?.iter().map(|i| i.to_public().to_string()).collect()))
    }

    /// The reader of an opener: a passphrase, or a vault's own keys.
    pub fn of(opener: &Opener, conn: Option<&rusqlite::Connection>) -> Result<Reader, BundleError> {
        match (opener, conn) {
            (Opener::Passphrase(_), _) => Ok(Reader::Passphrase),
            (Opener::IdentityFile(_, keys), _) => Ok(Reader::Keys(keys.clone())),
            (Opener::Identities(_), Some(c)) => Reader::vault(c),
            (Opener::Identities(_), None) => Ok(Reader::Unknown),
        }
    }
}

/// Whether `manifest` names `reader` among its recipients (`None`: cannot tell).
pub fn addressed_to(manifest: &Manifest, reader: &Reader) -> Option<bool> {
    let to = manifest.recipients.as_ref()?;
    match reader {
        Reader::Passphrase => Some(to.passphrase),
        Reader::Keys(keys) => Some(keys.iter().any(|k| to.age.contains(k))),
        Reader::Unknown => None,
    }
}

/// The age recipients of the X25519 identities in an identity file's text
/// (other kinds are skipped), to tell whether a bundle was made for them.
pub fn recipients_in_identity_file(path: &Path) -> Vec<String> {
    use std::str::FromStr;
    let Ok(text) = std::fs::read_to_string(path).map(zeroize::Zeroizing::new) else { return Vec::new() };
    text.lines()
        .filter_map(|l| age::x25519::Identity::from_str(l.trim()).ok())
        .map(|i| i.to_public().to_string())
        .collect()
}

/// Summarises a verified bundle, checking the sender against the vault's
/// contacts when there is a vault.
pub fn summarise(
    manifest: &Manifest,
    conn: Option<&rusqlite::Connection>,
    reader: &Reader,
) -> Result<BundleSummary, BundleError> {
    let addressed_to_you = addressed_to(manifest, reader);
    let (contact, own) = match conn {
        Some(c) => {
            let contact = identity::contact_by_signing_key(c, &manifest.sender.signing_key)?;
            let own = identity::own_signing_keys(c)?
                .iter()
                .any(|k| identity::encode_signing_key(k) == manifest.sender.signing_key);
            (contact, own)
        }
        None => (None, false),
    };
    let mut records = std::collections::BTreeMap::new();
    for r in &manifest.records {
        *records.entry(r.kind.as_str().to_string()).or_insert(0) += 1;
    }
    Ok(BundleSummary {
        bundle_id: manifest.bundle_id,
        kind: manifest.kind,
        created_at: manifest.created_at.clone(),
        sender: manifest.sender.clone(),
        sender_verified: (own || contact.as_ref().is_some_and(|c| c.verified)) && addressed_to_you != Some(false),
        sender_contact: contact.map(|c| c.display_name),
        from_this_vault: own,
        integrity: "intact: the signature and every file's SHA-256 are valid",
        profile: manifest.profile,
        profile_summary: manifest.profile.summary(),
        redactions: manifest.redactions.len(),
        cases: manifest
            .records
            .iter()
            .filter(|r| r.kind == crate::dossier::Kind::Case)
            .map(|r| (r.id, r.record().map(|x| x.label()).unwrap_or_default()))
            .collect(),
        records,
        files: manifest.files.len(),
        file_bytes: manifest.files.iter().map(|f| f.size).sum(),
        identities: manifest.vault.as_ref().map_or(0, |v| v.identities.len()),
        contacts: manifest.vault.as_ref().map_or(0, |v| v.contacts.len()),
        format_version: manifest.version,
        addressed_to_you,
        recipient_count: manifest.recipients.as_ref().map_or(0, |r| r.age.len() + usize::from(r.passphrase)),
    })
}
