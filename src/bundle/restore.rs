//! Restoring a backup into a new vault: the one restore the CLI and the app
//! both use.
//!
//! Crash-safe. The backup is checked completely before anything is created
//! ([`check`]); the vault is then built in a hidden sibling of the
//! destination (`.NAME.<random>.restoring`, on the same file system), made
//! durable, and renamed into place only when complete ([`CheckedBackup::restore`]).
//! Whatever moment the process or the machine stops, the destination holds
//! no vault or the whole restored one, never half of one; the next restore
//! to the same place removes what a stopped one left. Never restores over a
//! vault, or into a folder holding anything else.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::import::{self, ImportReport};
use super::read::Opener;
use super::{BundleError, BundleKind, Manifest};
use crate::crypto::recovery::RecoveryKey;
use crate::evidence::Progress;
use crate::fault::crash_point;
use crate::{fsx, KdfParams, Passphrase, Vault, VaultError, VaultPaths};

/// Why a restore did not happen. Nothing is left at the destination.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The destination holds a vault or other files, or the new vault could
    /// not be created (a passphrase too short, KDF bounds, the disk).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The backup does not open or verify, or importing it failed.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// The bundle is a handover, not a backup.
    #[error("this bundle is a handover, not a backup")]
    NotABackup,
    /// The destination is the top folder of a drive (a mount point), which
    /// a folder built beside it cannot be renamed onto.
    #[error(
        "{0} is the top folder of a drive; the restored vault cannot be moved onto it: choose or make a folder inside it"
    )]
    DriveTop(PathBuf),
}

impl RestoreError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            RestoreError::Vault(e) => e.code(),
            RestoreError::Bundle(e) => e.code(),
            RestoreError::NotABackup => "bundle.not_a_backup",
            RestoreError::DriveTop(_) => "restore.drive_top",
        }
    }
}

/// A backup that opened and verified completely (structure, signature, every
/// file's digest), for a destination that can take it. Nothing is written yet.
pub struct CheckedBackup {
    file: PathBuf,
    dest: PathBuf,
    opener: Opener,
    manifest: Manifest,
}

/// A restored vault, in place and locked.
pub struct RestoredVault {
    /// Where it is (the destination as given).
    pub path: PathBuf,
    /// What was restored.
    pub report: ImportReport,
    /// The new vault's recovery key, to show once.
    pub recovery: RecoveryKey,
}

/// Checks that `dest` can take a restored vault (it does not exist, or is an
/// empty folder) and that `file` is a backup that `opener` opens and that
/// verifies completely. Writes nothing.
pub fn check(dest: &Path, file: &Path, opener: Opener, progress: Progress<'_>) -> Result<CheckedBackup, RestoreError> {
    check_destination(dest)?;
    let manifest = import::verify(file, &opener, progress)?;
    if manifest.kind != BundleKind::Backup {
        return Err(RestoreError::NotABackup);
    }
    Ok(CheckedBackup { file: file.to_path_buf(), dest: dest.to_path_buf(), opener, manifest })
}

impl CheckedBackup {
    /// The verified manifest: what the backup holds.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Restores the backup into a new vault at the destination, protected by
    /// `passphrase` with `params`, and returns it with its new recovery key.
    /// On any error, nothing is left at the destination or beside it.
    pub fn restore(
        self,
        passphrase: &Passphrase,
        params: KdfParams,
        progress: Progress<'_>,
    ) -> Result<RestoredVault, RestoreError> {
        let CheckedBackup { file, dest, opener, manifest } = self;
        // Again: a passphrase prompt may have come between the check and now.
        let target = check_destination(&dest)?;
        remove_stale_staging(&target);
        let staging = staging_for(&target);
        let built = build(&staging, &file, opener, manifest, passphrase, params, progress);
        let (report, recovery) = match built {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        crash_point("restore.before-rename");
        // rename(2) replaces a missing or empty folder atomically; it fails
        // if something appeared in the destination meanwhile.
        if let Err(e) = std::fs::rename(&staging, &target) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(match e.kind() {
                ErrorKind::DirectoryNotEmpty | ErrorKind::AlreadyExists => VaultError::FolderNotEmpty(dest).into(),
                _ => BundleError::io("move the restored vault into place")(e).into(),
            });
        }
        // The vault is complete and in place: a failed sync must not hide
        // its recovery key from the person.
        let _ = fsx::sync_dir(parent_of(&target));
        Ok(RestoredVault { path: dest, report, recovery })
    }
}

/// Creates the vault in `staging`, imports the backup, and makes everything
/// durable before the rename makes it the restored vault.
///
/// The backup is read once more here, not twice: [`check`] read it whole,
/// and this reading checks every byte again as it writes, and that the
/// manifest is the one checked (a backup replaced meanwhile is refused, and
/// the caller deletes `staging`).
fn build(
    staging: &Path,
    file: &Path,
    opener: Opener,
    checked: Manifest,
    passphrase: &Passphrase,
    params: KdfParams,
    progress: Progress<'_>,
) -> Result<(ImportReport, RecoveryKey), RestoreError> {
    let (mut vault, recovery) = Vault::create(staging, passphrase, params)?;
    let imported = import::import_checked(&mut vault, file, opener, checked, progress);
    vault.lock();
    let report = imported?;
    // The key file and the evidence files were synced when written, and
    // commits are synced (synchronous = FULL); the database file after its
    // final checkpoint, and the folders' entries, are synced here.
    let paths = VaultPaths::new(staging);
    let synced = std::fs::File::open(paths.db())
        .and_then(|f| f.sync_all())
        .and_then(|()| fsx::sync_dir(&paths.files()))
        .and_then(|()| fsx::sync_dir(staging));
    synced.map_err(BundleError::io("write the restored vault"))?;
    Ok((report, recovery))
}

/// Refuses a destination that is not a new or empty folder (a vault, other
/// files, a file), or that is the top folder of a drive. Returns the path
/// the restored vault will be renamed onto. Writes nothing.
pub fn check_destination(dest: &Path) -> Result<PathBuf, RestoreError> {
    let target = match std::fs::metadata(dest) {
        // Nothing there yet: the rename makes the folder.
        Err(e) if e.kind() == ErrorKind::NotFound => match dest.file_name() {
            Some(name) => return Ok(parent_of(dest).join(name)),
            None => return Err(BundleError::io("find the destination folder")(e).into()),
        },
        Err(e) => return Err(BundleError::io("read the destination folder")(e).into()),
        Ok(meta) => {
            if meta.is_dir() && Vault::status(dest)?.exists {
                return Err(VaultError::AlreadyExists(dest.to_path_buf()).into());
            }
            if !meta.is_dir() || std::fs::read_dir(dest).map_or(true, |mut d| d.next().is_some()) {
                return Err(VaultError::FolderNotEmpty(dest.to_path_buf()).into());
            }
            // "." or "x/.." have no name of their own to put a sibling beside;
            // a link to a folder is followed (the link stays).
            std::fs::canonicalize(dest).map_err(BundleError::io("find the destination folder"))?
        }
    };
    if target.file_name().is_none() || is_mount_point(&target) {
        return Err(RestoreError::DriveTop(dest.to_path_buf()));
    }
    Ok(target)
}

#[cfg(unix)]
fn is_mount_point(dir: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    dev(dir) != dev(parent_of(dir))
}

#[cfg(not(unix))]
fn is_mount_point(_dir: &Path) -> bool {
    false
}

fn parent_of(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// The prefix and suffix of staging folders beside `dest`.
fn staging_affixes(dest: &Path) -> (String, &'static str) {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    (format!(".{name}."), "restoring")
}

/// Where a restore builds the vault before renaming it to `dest`: a hidden
/// sibling with a random part, so that a second restore to the same place
/// that removes this one as stale makes this one fail at its rename rather
/// than put the other's half-built vault in place.
fn staging_for(dest: &Path) -> PathBuf {
    let (prefix, suffix) = staging_affixes(dest);
    dest.with_file_name(format!("{prefix}{}.{suffix}", uuid::Uuid::new_v4().simple()))
}

/// Removes staging folders a killed restore to `dest` left (only names
/// [`staging_for`] makes, and the fixed `.NAME.restoring` of earlier
/// versions). Best effort: a folder that stays only costs space, it is never
/// taken for a vault.
fn remove_stale_staging(dest: &Path) {
    let (prefix, suffix) = staging_affixes(dest);
    let Ok(entries) = std::fs::read_dir(parent_of(dest)) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(middle) = n.strip_prefix(&prefix).and_then(|r| r.strip_suffix(suffix)) else { continue };
        let ours = middle.is_empty()
            || middle.strip_suffix('.').is_some_and(|m| m.len() == 32 && m.bytes().all(|b| b.is_ascii_hexdigit()));
        if !ours {
            continue;
        }
        // A link is removed itself, never followed.
        let _ = match e.file_type() {
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(e.path()),
            _ => std::fs::remove_file(e.path()),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_folders_are_hidden_siblings_and_only_ours_are_removed_as_stale() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("vault");
        let staging = staging_for(&dest);
        assert_eq!(staging.parent(), Some(tmp.path()));
        let name = staging.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with(".vault.") && name.ends_with(".restoring"), "{name}");
        std::fs::create_dir_all(staging.join("files")).unwrap();
        std::fs::create_dir(tmp.path().join(".vault.restoring")).unwrap();
        for keep in [".vault.mine.restoring", ".other.restoring", "vault.restoring", ".vault.restoring.bak"] {
            std::fs::create_dir(tmp.path().join(keep)).unwrap();
        }
        remove_stale_staging(&dest);
        let mut left: Vec<String> =
            std::fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into()).collect();
        left.sort();
        assert_eq!(left, [".other.restoring", ".vault.mine.restoring", ".vault.restoring.bak", "vault.restoring"]);
    }

    #[test]
    fn a_destination_with_anything_in_it_is_refused_and_an_empty_one_is_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("new");
        assert_eq!(check_destination(&new).unwrap(), new);
        std::fs::create_dir(&new).unwrap();
        assert_eq!(check_destination(&new).unwrap(), new);
        std::fs::write(new.join("notes.txt"), "mine").unwrap();
        assert_eq!(check_destination(&new).unwrap_err().code(), "vault.folder_not_empty");
        let file = tmp.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        assert_eq!(check_destination(&file).unwrap_err().code(), "vault.folder_not_empty");
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let canonical = empty.canonicalize().unwrap();
        assert_eq!(check_destination(&empty.join("..").join("empty").join(".")).unwrap(), canonical);
        assert_eq!(check_destination(&tmp.path().join("new").join("..").join("empty")).unwrap(), canonical);
        assert_eq!(check_destination(&tmp.path().join("later").join(".")).unwrap(), tmp.path().join("later"));
    }
}
