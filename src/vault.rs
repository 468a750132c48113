//! The vault: a folder holding the key file, the encrypted database and the
//! encrypted evidence files, and the operations that create, unlock, recover,
//! re-key and lock it.
//!
//! A `Vault` value exists only while unlocked; dropping it (or [`Vault::lock`])
//! closes the database and zeroizes the vault key. Nothing here writes
//! plaintext of vault content to disk, and every change to the key file is an
//! atomic replace, so a crash leaves either the old or the new passphrase
//! working, never neither.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rand::RngCore;
use rusqlite::Connection;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::crypto::kdf::{self, KdfParams};
use crate::crypto::recovery::{MalformedRecoveryKey, RecoveryKey};
use crate::crypto::wrap::{self, SealedKey};
use crate::crypto::{Passphrase, VaultKey};
use crate::db::{self, DbError};
use crate::fault::crash_point;
use crate::fsx;
use crate::keyfile::{KeyFile, KeyFileError, Slot};
use crate::keyring_cache::{self, KeyringError};
use crate::throttle::Throttle;

/// The line of the remembered marker that names the vault id (no secret:
/// the id also names the keyring entry and is in `amana status`).
const MARKER_ID_PREFIX: &str = "vault-id: ";

fn write_remembered_marker(paths: &VaultPaths, vault_id: &[u8; 16]) -> Result<(), VaultError> {
    let text =
        format!("The vault key is remembered in this device's keyring.\n{MARKER_ID_PREFIX}{}\n", hex::encode(vault_id));
    fsx::write_atomic(&paths.remembered_marker(), text.as_bytes())
        .map_err(VaultError::io("mark the vault as remembered"))
}

/// The least number of characters in a new passphrase.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

/// Names of the files inside a vault folder.
#[derive(Debug, Clone)]
pub struct VaultPaths {
    dir: PathBuf,
}

impl VaultPaths {
    /// The vault in folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        VaultPaths { dir: dir.into() }
    }
    /// The vault folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    /// The key file (wrapped vault key).
    pub fn key_file(&self) -> PathBuf {
        self.dir.join("vault.key")
    }
    /// The SQLCipher database.
    pub fn db(&self) -> PathBuf {
        self.dir.join("vault.db")
    }
    /// Encrypted evidence files.
    pub fn files(&self) -> PathBuf {
        self.dir.join("files")
    }
    /// The unlock throttle's counter.
    pub fn attempts(&self) -> PathBuf {
        self.dir.join("unlock-attempts")
    }
    /// The lock one unlock attempt holds (see [`Throttle::lock`]).
    pub fn attempts_lock(&self) -> PathBuf {
        Throttle::new(self.attempts()).lock_path()
    }
    /// Present when the vault key is remembered in this device's keyring.
    pub fn remembered_marker(&self) -> PathBuf {
        self.dir.join("remembered-on-this-device")
    }
    /// The vault id the remembered marker names, if it names one (markers
    /// written before it carried the id hold only a sentence: `None`).
    pub fn remembered_vault_id(&self) -> Option<[u8; 16]> {
        let text = std::fs::read_to_string(self.remembered_marker()).ok()?;
        let hex_id = text.lines().find_map(|l| l.trim().strip_prefix(MARKER_ID_PREFIX))?;
        hex::decode(hex_id.trim()).ok()?.try_into().ok()
    }
    fn db_sidecars(&self) -> [PathBuf; 3] {
        [self.db(), self.dir.join("vault.db-wal"), self.dir.join("vault.db-shm")]
    }
}

/// Everything that can go wrong creating, opening or re-keying a vault.
/// Messages are whole sentences a person can act on and never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No key file in the folder.
    #[error("there is no vault in {0}; create one with `amana init`, or give the right folder with --vault")]
    NotFound(PathBuf),
    /// `init` on a folder that already holds a vault.
    #[error("a vault already exists in {0}; nothing was changed")]
    AlreadyExists(PathBuf),
    /// `init` on a folder with unrelated files.
    #[error("the folder {0} is not empty and is not a vault; choose an empty or new folder")]
    FolderNotEmpty(PathBuf),
    /// The passphrase was empty.
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    /// A new passphrase is too short.
    #[error("the new passphrase is too short: use at least {MIN_PASSPHRASE_CHARS} characters (a sentence of several words is easiest to remember)")]
    PassphraseTooShort,
    /// The passphrase did not open the key file.
    #[error("the passphrase is not correct")]
    WrongPassphrase,
    /// A well-formed recovery key of another vault, or of none.
    #[error("this recovery key does not open this vault")]
    WrongRecoveryKey,
    /// The recovery key text has a typo.
    #[error(transparent)]
    MalformedRecoveryKey(#[from] MalformedRecoveryKey),
    /// Too many wrong attempts; wait.
    #[error("too many wrong attempts: wait {} before trying again", human_wait(*.0))]
    Throttled(Duration),
    /// The key file is damaged, foreign or too new.
    #[error("{0}; the vault cannot be opened without a good key file (restore it from a backup)")]
    KeyFile(#[from] KeyFileError),
    /// The database file is missing though the key file exists.
    #[error("the vault's database file is missing from {0}; restore it from a backup")]
    DatabaseMissing(PathBuf),
    /// Database errors (damage, newer schema, SQLite failures).
    #[error(transparent)]
    Db(#[from] DbError),
    /// Keyring errors.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// The vault is not remembered on this device.
    #[error("this vault is not remembered on this device; unlock it with the passphrase")]
    NotRemembered,
    /// Panic erase destroyed what it could, but the vault key is still in
    /// this device's keyring.
    #[error("{}", erase_incomplete_message(*.key_file_destroyed, *.database))]
    EraseIncomplete {
        /// Whether this erase destroyed the key file (`false`: it was already gone).
        key_file_destroyed: bool,
        /// What became of the database, which the remembered key alone opens.
        database: DatabaseFate,
    },
    /// KDF parameters out of bounds.
    #[error(transparent)]
    Kdf(#[from] kdf::KdfError),
    /// A file could not be read or written.
    #[error("could not {what}: {source}")]
    Io {
        /// What was being done, in plain words.
        what: String,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl VaultError {
    /// The stable, dotted code the desktop app and scripts switch on.
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::NotFound(_) => "vault.not_found",
            VaultError::AlreadyExists(_) => "vault.already_exists",
            VaultError::FolderNotEmpty(_) => "vault.folder_not_empty",
            VaultError::EmptyPassphrase => "vault.passphrase_empty",
            VaultError::PassphraseTooShort => "vault.passphrase_too_short",
            VaultError::WrongPassphrase => "vault.wrong_passphrase",
            VaultError::WrongRecoveryKey => "vault.wrong_recovery_key",
            VaultError::MalformedRecoveryKey(_) => "vault.malformed_recovery_key",
            VaultError::Throttled(_) => "vault.throttled",
            VaultError::KeyFile(KeyFileError::NotAKeyFile) => "vault.key_file_foreign",
            VaultError::KeyFile(KeyFileError::UnsupportedVersion(_)) => "vault.key_file_too_new",
            VaultError::KeyFile(KeyFileError::Damaged) => "vault.key_file_damaged",
            VaultError::DatabaseMissing(_) => "vault.database_missing",
            VaultError::Db(DbError::Damaged | DbError::DamagedPages(_)) => "vault.database_damaged",
            VaultError::Db(DbError::TooNew { .. }) => "vault.database_too_new",
            VaultError::Db(DbError::Sqlite(_)) => "vault.database_error",
            VaultError::Keyring(KeyringError::Unavailable) => "keyring.unavailable",
            VaultError::Keyring(KeyringError::Mismatch) => "keyring.mismatch",
            VaultError::Keyring(KeyringError::Failed) => "keyring.failed",
            VaultError::NotRemembered => "keyring.not_remembered",
            VaultError::EraseIncomplete { .. } => "vault.erase_incomplete",
            VaultError::Kdf(_) => "vault.kdf_out_of_bounds",
            VaultError::Io { .. } => "io.failed",
        }
    }

    fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> VaultError {
        let what = what.into();
        move |source| VaultError::Io { what, source }
    }
}

/// What an incomplete panic erase did with the vault's database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseFate {
    /// Overwritten with random bytes and removed by this erase.
    Destroyed,
    /// Not there any more (an earlier erase destroyed it).
    AlreadyGone,
    /// Could not be overwritten or removed.
    NotDestroyed,
}

fn erase_incomplete_message(key_file_destroyed: bool, database: DatabaseFate) -> String {
    let key_file = if key_file_destroyed {
        "The key file was destroyed, so no passphrase or recovery key opens this vault any more."
    } else {
        "The key file was already gone, so no passphrase or recovery key opens this vault any more."
    };
    let database = match database {
        DatabaseFate::Destroyed => {
            "The vault's database was destroyed too, because the remembered key alone would open it."
        }
        DatabaseFate::AlreadyGone => "The vault's database was already gone.",
        DatabaseFate::NotDestroyed => {
            "The vault's database could NOT be destroyed, and the remembered key alone opens it: anyone who can use this user account may still read the vault."
        }
    };
    format!(
        "panic erase is NOT complete: the vault key is still stored in this device's keyring, which could not be reached \
         (no desktop session, a locked keyring, or a connection over SSH). {key_file} {database} \
         Anyone who can unlock this account's keyring and holds an earlier copy of the vault folder could still open that copy. \
         Log in to this user account's desktop session, unlock the keyring, and run `amana forget` (or `amana erase` again) there."
    )
}

fn human_wait(d: Duration) -> String {
    let s = d.as_secs().max(1);
    if s < 90 {
        format!("{s} second{}", if s == 1 { "" } else { "s" })
    } else {
        format!("{} minutes", s.div_ceil(60))
    }
}

/// What can be said about a vault without unlocking it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct VaultStatus {
    /// The folder.
    pub path: PathBuf,
    /// Whether a key file exists there.
    pub exists: bool,
    /// Key file format version.
    pub key_file_version: Option<u16>,
    /// Vault id (hex), names the keyring entry.
    pub vault_id: Option<String>,
    /// Argon2id parameters of the passphrase wrap.
    pub kdf: Option<KdfParams>,
    /// Whether a recovery key wrap exists.
    pub has_recovery_key: Option<bool>,
    /// Whether the key is remembered on this device.
    pub remembered_on_this_device: bool,
    /// Consecutive wrong unlock attempts.
    pub failed_attempts: u32,
    /// Seconds before the next attempt is allowed.
    pub wait_seconds: u64,
    /// Schema version this build writes.
    pub supported_schema_version: u32,
    /// Why the key file cannot be read, if it cannot.
    pub key_file_problem: Option<String>,
}

/// An unlocked vault. Dropping it locks: the connection closes and the key is zeroized.
///
/// ```compile_fail
/// fn leak(v: &amana::Vault) -> String { format!("{:?}", v) }
/// ```
pub struct Vault {
    paths: VaultPaths,
    key_file: KeyFile,
    key: VaultKey,
    conn: Connection,
    /// A second, read-only connection for work split over two threads,
    /// opened on first use (`with_reader`), closed with the vault.
    reader: std::sync::Mutex<Option<Connection>>,
}

fn check_new_passphrase(p: &Passphrase) -> Result<(), VaultError> {
    let text = p.expose_secret();
    if text.is_empty() {
        return Err(VaultError::EmptyPassphrase);
    }
    if text.trim().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::PassphraseTooShort);
    }
    Ok(())
}

fn random<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rngs::OsRng.fill_bytes(&mut out);
    out
}

fn passphrase_slot(
    vault_id: &[u8; 16],
    key: &VaultKey,
    passphrase: &Passphrase,
    params: KdfParams,
) -> Result<Slot, VaultError> {
    let salt = random::<16>();
    let template = Slot::Passphrase { params, salt, key: SealedKey { nonce: [0; 24], sealed: [0; 48] } };
    let wrapping = kdf::derive_key(passphrase, &salt, &params)?;
    let sealed = wrap::seal(key, &wrapping, &KeyFile::context_for_new(vault_id, &template));
    Ok(Slot::Passphrase { params, salt, key: sealed })
}

fn recovery_slot(vault_id: &[u8; 16], key: &VaultKey, recovery: &RecoveryKey) -> Slot {
    let salt = random::<16>();
    let template = Slot::Recovery { salt, key: SealedKey { nonce: [0; 24], sealed: [0; 48] } };
    let sealed = wrap::seal(key, &recovery.wrapping_key(&salt), &KeyFile::context_for_new(vault_id, &template));
    Slot::Recovery { salt, key: sealed }
}

fn read_key_file(paths: &VaultPaths) -> Result<KeyFile, VaultError> {
    let bytes = match std::fs::read(paths.key_file()) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(VaultError::NotFound(paths.dir.clone())),
        Err(e) => return Err(VaultError::io("read the key file")(e)),
    };
    Ok(KeyFile::from_bytes(&bytes)?)
}

impl Vault {
    /// Creates a new vault in `dir` (new or empty), protected by `passphrase`,
    /// and returns it unlocked with the recovery key to show once.
    pub fn create(dir: &Path, passphrase: &Passphrase, params: KdfParams) -> Result<(Vault, RecoveryKey), VaultError> {
        check_new_passphrase(passphrase)?;
        params.validate()?;
        let paths = VaultPaths::new(dir);
        if paths.key_file().exists() {
            return Err(VaultError::AlreadyExists(dir.to_path_buf()));
        }
        if let Ok(entries) = std::fs::read_dir(dir) {
            // Only the database of an earlier `init` that stopped before writing
            // its key file may be here; it was never usable, so it is replaced.
            let leftovers: Vec<PathBuf> = paths
                .db_sidecars()
                .into_iter()
                .chain([paths.files(), paths.attempts(), paths.attempts_lock()])
                .collect();
            for entry in entries.flatten() {
                if !leftovers.contains(&entry.path()) {
                    return Err(VaultError::FolderNotEmpty(dir.to_path_buf()));
                }
            }
            for p in paths.db_sidecars() {
                let _ = std::fs::remove_file(p);
            }
        }
        fsx::create_private_dir(dir).map_err(VaultError::io("create the vault folder"))?;
        fsx::create_private_dir(&paths.files()).map_err(VaultError::io("create the evidence folder"))?;

        let key = VaultKey::generate();
        let vault_id = random::<16>();
        // Created owner-only before SQLite opens it; the journal files inherit the mode.
        fsx::create_private(&paths.db()).map_err(VaultError::io("create the vault database"))?;
        let conn = db::create(&paths.db(), &key)?;
        conn.execute(
            "INSERT INTO vault_meta(key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [],
        )
        .map_err(DbError::from)?;
        let recovery = RecoveryKey::generate();
        let key_file = KeyFile {
            vault_id,
            key_check: KeyFile::key_check_for(&key, &vault_id),
            slots: vec![
                passphrase_slot(&vault_id, &key, passphrase, params)?,
                recovery_slot(&vault_id, &key, &recovery),
            ],
        };
        crash_point("init.before-key-file");
        fsx::write_atomic(&paths.key_file(), &key_file.to_bytes()).map_err(VaultError::io("write the key file"))?;
        Ok((Vault { paths, key_file, key, conn, reader: Default::default() }, recovery))
    }

    /// Unlocks the vault in `dir` with its passphrase.
    pub fn unlock(dir: &Path, passphrase: &Passphrase) -> Result<Vault, VaultError> {
        let paths = VaultPaths::new(dir);
        let key_file = read_key_file(&paths)?;
        let key = key_from_passphrase(&paths, &key_file, passphrase)?;
        Self::open_db(paths, key_file, key)
    }

    /// Unlocks with the key remembered in this device's keyring.
    pub fn unlock_remembered(dir: &Path) -> Result<Vault, VaultError> {
        let paths = VaultPaths::new(dir);
        let key_file = read_key_file(&paths)?;
        if !paths.remembered_marker().exists() {
            return Err(VaultError::NotRemembered);
        }
        let key = keyring_cache::load(&key_file.vault_id)?.ok_or(VaultError::NotRemembered)?;
        if !key_file.confirms(&key) {
            return Err(KeyringError::Mismatch.into());
        }
        Self::open_db(paths, key_file, key)
    }

    /// Sets a new passphrase using the recovery key, and returns the vault unlocked.
    pub fn recover(
        dir: &Path,
        recovery_text: &SecretString,
        new_passphrase: &Passphrase,
        params: KdfParams,
    ) -> Result<Vault, VaultError> {
        let paths = VaultPaths::new(dir);
        let key_file = read_key_file(&paths)?;
        check_new_passphrase(new_passphrase)?;
        params.validate()?;
        let recovery = RecoveryKey::parse(recovery_text)?;
        let throttle = Throttle::new(paths.attempts());
        // Held to the end: the attempt is recorded (or the counter cleared) before another starts.
        let _attempt = throttle.lock().map_err(VaultError::io("take the unlock-attempt lock"))?;
        wait_for_throttle(&throttle)?;
        let Some(slot @ Slot::Recovery { salt, key: sealed }) = key_file.recovery_slot() else {
            return Err(KeyFileError::Damaged.into());
        };
        let key = match wrap::open(sealed, &recovery.wrapping_key(salt), &key_file.context_of(slot)) {
            Ok(k) if key_file.confirms(&k) => k,
            _ => {
                throttle.record_failure(SystemTime::now()).map_err(VaultError::io("record the failed attempt"))?;
                return Err(VaultError::WrongRecoveryKey);
            }
        };
        let mut vault = Self::open_db(paths, key_file, key)?;
        vault.change_passphrase(new_passphrase, params)?;
        throttle.reset().map_err(VaultError::io("clear the failed-attempt counter"))?;
        Ok(vault)
    }

    fn open_db(paths: VaultPaths, key_file: KeyFile, key: VaultKey) -> Result<Vault, VaultError> {
        if !paths.db().exists() {
            return Err(VaultError::DatabaseMissing(paths.dir.clone()));
        }
        let conn = db::open(&paths.db(), &key)?;
        Ok(Vault { paths, key_file, key, conn, reader: Default::default() })
    }

    /// Replaces the passphrase. The database is not re-encrypted (its key does
    /// not change); only the key file is replaced, atomically.
    pub fn change_passphrase(&mut self, new_passphrase: &Passphrase, params: KdfParams) -> Result<(), VaultError> {
        check_new_passphrase(new_passphrase)?;
        params.validate()?;
        let vault_id = self.key_file.vault_id;
        let mut next = self.key_file.clone();
        let slot = passphrase_slot(&vault_id, &self.key, new_passphrase, params)?;
        next.slots.retain(|s| !matches!(s, Slot::Passphrase { .. }));
        next.slots.insert(0, slot);
        crash_point("passphrase-change.before-write");
        fsx::write_atomic(&self.paths.key_file(), &next.to_bytes()).map_err(VaultError::io("write the key file"))?;
        crash_point("passphrase-change.after-write");
        self.key_file = next;
        Ok(())
    }

    /// Remembers the vault key of the vault in `dir` in this device's
    /// keyring, after checking `passphrase` against the key file, whether or
    /// not the vault is already unlocked somewhere: an unlocked, unattended
    /// session (or a key already remembered) must not be enough to leave the
    /// key on the device. A wrong passphrase counts as a failed attempt.
    pub fn remember_on_this_device(dir: &Path, passphrase: &Passphrase) -> Result<(), VaultError> {
        let paths = VaultPaths::new(dir);
        let key_file = read_key_file(&paths)?;
        let key = key_from_passphrase(&paths, &key_file, passphrase)?;
        keyring_cache::store(&key_file.vault_id, &key)?;
        write_remembered_marker(&paths, &key_file.vault_id)
    }

    /// Forgets the vault key from this device's keyring (no unlock needed).
    /// The entry is found by the vault id in the remembered marker, or in the
    /// key file, so it can be removed after a panic erase destroyed the key file.
    pub fn forget_on_this_device(dir: &Path) -> Result<(), VaultError> {
        let paths = VaultPaths::new(dir);
        let mut ids: Vec<[u8; 16]> = paths.remembered_vault_id().into_iter().collect();
        if let Some(id) = vault_id_even_if_damaged(&paths) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if ids.is_empty() {
            // No marker naming an entry, and no key file (or a foreign one): say which.
            return Err(read_key_file(&paths).err().unwrap_or_else(|| KeyFileError::Damaged.into()));
        }
        for id in &ids {
            keyring_cache::remove(id)?;
        }
        match std::fs::remove_file(paths.remembered_marker()) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(VaultError::io("remove the remembered marker")(e)),
            _ => Ok(()),
        }
    }

    /// What can be known about the vault in `dir` without unlocking it.
    pub fn status(dir: &Path) -> Result<VaultStatus, VaultError> {
        let paths = VaultPaths::new(dir);
        let throttle = Throttle::new(paths.attempts());
        let mut status = VaultStatus {
            path: dir.to_path_buf(),
            exists: false,
            key_file_version: None,
            vault_id: None,
            kdf: None,
            has_recovery_key: None,
            remembered_on_this_device: paths.remembered_marker().exists(),
            failed_attempts: throttle.failures(),
            wait_seconds: throttle.wait(SystemTime::now()).as_secs(),
            supported_schema_version: db::SCHEMA_VERSION,
            key_file_problem: None,
        };
        match read_key_file(&paths) {
            Err(VaultError::NotFound(_)) => return Ok(status),
            Err(VaultError::KeyFile(e)) => {
                status.exists = true;
                status.key_file_problem = Some(e.to_string());
            }
            Err(e) => return Err(e),
            Ok(kf) => {
                status.exists = true;
                status.key_file_version = Some(crate::keyfile::VERSION);
                status.vault_id = Some(hex::encode(kf.vault_id));
                status.kdf = match kf.passphrase_slot() {
                    Some(Slot::Passphrase { params, .. }) => Some(*params),
                    _ => None,
                };
                status.has_recovery_key = Some(kf.recovery_slot().is_some());
            }
        }
        Ok(status)
    }

    /// The vault's folder layout.
    pub fn paths(&self) -> &VaultPaths {
        &self.paths
    }

    /// The vault id (names its keyring entry).
    pub fn id(&self) -> [u8; 16] {
        self.key_file.vault_id
    }

    /// The database connection.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The database connection, for transactions.
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Runs `f` with the vault's second, read-only connection (for work
    /// split over two threads, e.g. [`crate::search::search_with`]), opened
    /// on first use. `f` gets `None` if it cannot be opened: the caller then
    /// does the work on [`Vault::conn`] alone.
    pub fn with_reader<T>(&self, f: impl FnOnce(Option<&mut Connection>) -> T) -> T {
        let mut reader = self.reader.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if reader.is_none() {
            *reader = db::open_reader(&self.paths.db(), &self.key).ok();
        }
        f(reader.as_mut())
    }

    /// Checks the database: every page against its HMAC (SQLCipher), then
    /// SQLite's integrity check, and that the key file and database belong
    /// together. Returns the problems found (empty if none), each naming the
    /// damaged part ("page 7 of vault.db failed …"). Damage is reported, not raised:
    /// only a failure to ask (not to read) is an error.
    pub fn check_integrity(&self) -> Result<Vec<String>, VaultError> {
        let pages = db::page_problems(&self.conn)?;
        if !pages.is_empty() {
            // SQLite's own check would stop at the first bad page with
            // "malformed"; the page list says more.
            return Ok(vec![db::describe_pages(&pages)]);
        }
        let mut problems = Vec::new();
        let lines: Result<Vec<String>, rusqlite::Error> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
        match lines {
            Ok(lines) => {
                problems.extend(lines.into_iter().filter(|l| l != "ok").map(|l| format!("vault.db structure: {l}")))
            }
            Err(e) => problems.push(format!("vault.db structure: {e}")),
        }
        Ok(problems)
    }

    /// Locks the vault: checkpoints the journal, closes the database and
    /// zeroizes the key.
    pub fn lock(self) {
        // The reader first, so that nothing holds the journal open.
        drop(self.reader.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take());
        let _ = db::truncate_journal(&self.conn);
        drop(self);
    }
}

/// What a panic erase did.
#[derive(Debug, Serialize)]
pub struct Erased {
    /// Files overwritten and removed.
    pub destroyed: Vec<PathBuf>,
    /// Whether a keyring entry was removed too.
    pub keyring_entry_removed: bool,
    /// How long it took, in milliseconds.
    pub millis: u128,
}

/// Panic erase: overwrites the key file (every wrap of the vault key) with
/// random bytes, syncs, and removes it, with any temporary copy beside it and
/// this device's keyring entry, so the vault can never be opened again, by
/// anyone, with any passphrase or recovery key. Needs no passphrase, on purpose.
///
/// The key file goes first, whatever the keyring does: it is what a person
/// can be forced to open with the passphrase, and destroying it takes
/// milliseconds, while the keyring may be slow or unreachable. If the vault
/// is remembered on this device and its keyring entry cannot be removed, the
/// raw key in that entry would still open `vault.db`, so the database (and
/// its journal) is overwritten and removed too, the marker is kept (naming
/// the vault id, for `amana forget`), and the erase fails with
/// [`VaultError::EraseIncomplete`]: nothing is reported done that was not.
///
/// It does not help against a copy of the key file made earlier (a disk image,
/// a backup), and on flash storage the old blocks may survive below the file
/// system; docs/SECURITY.md says so.
pub fn panic_erase(dir: &Path) -> Result<Erased, VaultError> {
    let started = std::time::Instant::now();
    let paths = VaultPaths::new(dir);
    let remembered = paths.remembered_marker().exists();
    let remembered_id = paths.remembered_vault_id().or_else(|| vault_id_even_if_damaged(&paths));
    let mut targets = vec![paths.key_file()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(".vault.key.") && name.ends_with(".tmp") {
                targets.push(e.path());
            }
        }
    }
    let key_file_present = paths.key_file().exists();
    // A folder whose key file an earlier erase destroyed, but whose keyring
    // entry it could not remove, is still worth erasing: that entry.
    if !key_file_present && !remembered {
        return Err(VaultError::NotFound(dir.to_path_buf()));
    }
    let mut destroyed = Vec::new();
    for t in targets {
        if overwrite_and_remove(&t).map_err(VaultError::io("overwrite and remove the key file"))? {
            destroyed.push(t);
        }
    }
    let _ = fsx::sync_dir(dir);
    if !remembered {
        return Ok(Erased { destroyed, keyring_entry_removed: false, millis: started.elapsed().as_millis() });
    }
    let removed = match &remembered_id {
        Some(id) => keyring_cache::remove(id).is_ok(),
        None => false,
    };
    if removed {
        let _ = std::fs::remove_file(paths.remembered_marker());
        let _ = fsx::sync_dir(dir);
        return Ok(Erased { destroyed, keyring_entry_removed: true, millis: started.elapsed().as_millis() });
    }
    // The raw vault key is still in the keyring and opens vault.db by itself.
    let mut database = DatabaseFate::AlreadyGone;
    for p in paths.db_sidecars() {
        match overwrite_and_remove(&p) {
            Ok(true) if database != DatabaseFate::NotDestroyed => database = DatabaseFate::Destroyed,
            Ok(_) => {}
            Err(_) => database = DatabaseFate::NotDestroyed,
        }
    }
    let _ = fsx::sync_dir(dir);
    // Keep the marker, naming the entry, so `forget` and `erase` find it later
    // (an old marker without the id is rewritten with it).
    if let Some(id) = remembered_id {
        let _ = write_remembered_marker(&paths, &id);
    }
    Err(VaultError::EraseIncomplete { key_file_destroyed: key_file_present, database })
}

/// The vault id of the key file, read where the format puts it even when the
/// rest of the file is damaged (it names the keyring entry; it is no secret).
fn vault_id_even_if_damaged(paths: &VaultPaths) -> Option<[u8; 16]> {
    let bytes = std::fs::read(paths.key_file()).ok()?;
    let magic = crate::keyfile::MAGIC;
    if !bytes.starts_with(magic) {
        return None;
    }
    bytes.get(magic.len() + 2..magic.len() + 18)?.try_into().ok()
}

/// Overwrites `path` with random bytes, syncs it and removes it; `Ok(false)`
/// if there was no such file.
fn overwrite_and_remove(path: &Path) -> std::io::Result<bool> {
    use std::io::Write;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    let mut left = meta.len().max(512);
    let mut noise = vec![0u8; left.min(1 << 20) as usize];
    while left > 0 {
        let n = left.min(noise.len() as u64) as usize;
        rand::rngs::OsRng.fill_bytes(&mut noise[..n]);
        f.write_all(&noise[..n])?;
        left -= n as u64;
    }
    f.sync_all()?;
    drop(f);
    std::fs::remove_file(path)?;
    Ok(true)
}

/// The vault key unwrapped with `passphrase`, as one throttled attempt: the
/// attempt lock is held from the delay check to the recorded outcome, so
/// processes guessing at once take turns and every wrong guess is counted.
fn key_from_passphrase(
    paths: &VaultPaths,
    key_file: &KeyFile,
    passphrase: &Passphrase,
) -> Result<VaultKey, VaultError> {
    if passphrase.expose_secret().is_empty() {
        return Err(VaultError::EmptyPassphrase);
    }
    let throttle = Throttle::new(paths.attempts());
    let _attempt = throttle.lock().map_err(VaultError::io("take the unlock-attempt lock"))?;
    wait_for_throttle(&throttle)?;
    let Some(slot @ Slot::Passphrase { params, salt, key: sealed }) = key_file.passphrase_slot() else {
        return Err(KeyFileError::Damaged.into());
    };
    let wrapping = kdf::derive_key(passphrase, salt, params)?;
    let key = match wrap::open(sealed, &wrapping, &key_file.context_of(slot)) {
        Ok(k) => k,
        Err(_) => {
            throttle.record_failure(SystemTime::now()).map_err(VaultError::io("record the failed attempt"))?;
            return Err(VaultError::WrongPassphrase);
        }
    };
    if !key_file.confirms(&key) {
        return Err(KeyFileError::Damaged.into());
    }
    if throttle.failures() > 0 {
        throttle.reset().map_err(VaultError::io("clear the failed-attempt counter"))?;
    }
    Ok(key)
}

fn wait_for_throttle(throttle: &Throttle) -> Result<(), VaultError> {
    let wait = throttle.wait(SystemTime::now());
    if wait > Duration::ZERO {
        return Err(VaultError::Throttled(wait));
    }
    Ok(())
}
