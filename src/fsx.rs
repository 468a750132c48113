//! Durable file writes: a file is either entirely the old version or entirely
//! the new one, whatever moment the process or the machine stops.
//!
//! Never writes in place: the new content goes to a temporary file in the same
//! directory, is synced, renamed over the target, and the directory is synced.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::fault::crash_point;

/// Writes `data` to `path` atomically and durably, with owner-only permissions.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    remove_stale_temps(path);
    let tmp = temp_sibling(path);
    let result = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(data)?;
        crash_point("atomic-write.before-sync");
        f.sync_all()?;
        crash_point("atomic-write.before-rename");
        fs::rename(&tmp, path)?;
        crash_point("atomic-write.after-rename");
        sync_dir(path.parent().unwrap_or(Path::new(".")))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A temporary name beside `path` (same directory, so rename is atomic).
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// Removes temporary siblings of `path` ([`temp_sibling`] names) left by a
/// process that was killed before it could rename or remove them: an
/// export or a plaintext copy cut short. Called by the next export or
/// extraction to the same place. Best effort.
pub fn remove_stale_temps(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else { return };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        let Some(middle) = n.strip_prefix(&prefix).and_then(|r| r.strip_suffix(".tmp")) else { continue };
        // Only our own names: 32 hex digits between the prefix and ".tmp".
        if middle.len() == 32 && middle.bytes().all(|b| b.is_ascii_hexdigit()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Creates a new file readable and writable by its owner only; fails if it exists.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)
}

/// Creates a directory (and parents) accessible by its owner only.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(path)
}

/// Makes a rename or a new file in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn failure_leaves_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("k");
        assert!(write_atomic(&p, b"x").is_err());
        assert!(!p.exists());
    }
}
