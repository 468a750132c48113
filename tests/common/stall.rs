//! Helpers for lock tests: an operation on an unlocked vault, told to stop
//! (as the app's lock does, through the progress callback) while its source
//! stalls, must give the vault back at once.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use amana::api::ApiError;
use amana::{KdfParams, Vault};
use secrecy::SecretString;

/// The passphrase of [`new_vault`].
pub const VAULT_PASS: &str = "a long passphrase for the lock tests";

/// When the stop comes, after the operation began (as a person pressing
/// "lock" a moment after starting it).
pub const STOP_AFTER: Duration = Duration::from_millis(200);
/// How long after the stop the operation may still hold the vault.
pub const GIVEN_BACK_WITHIN: Duration = Duration::from_secs(1);

/// A new vault at `dir`, with cheap key derivation.
pub fn new_vault(dir: &Path) -> Vault {
    let params = KdfParams { memory_kib: 64 * 1024, iterations: 1, parallelism: 1 };
    Vault::create(dir, &SecretString::from(VAULT_PASS), params).expect("vault").0
}

/// A FIFO at `path` whose writing end is held open (returned) and never
/// written to: whoever reads it blocks, as on a hung share.
pub fn silent_fifo(path: &Path) -> std::fs::File {
    let made = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
    // Read and write: on Linux this opens a FIFO without waiting for a
    // reader, and holds a writer so that readers block rather than see EOF.
    std::fs::OpenOptions::new().read(true).write(true).open(path).expect("open the FIFO")
}

/// Runs `op` on `vault` on another thread with a progress callback that
/// says stop once told to, tells it to stop after [`STOP_AFTER`], and
/// returns the vault with the operation's error code (`None`: it
/// succeeded). Panics, rather than hang, if the operation still held the
/// vault [`GIVEN_BACK_WITHIN`] after the stop.
pub fn stopped_while_stalled<T: Send + 'static>(
    vault: Vault,
    op: impl FnOnce(&mut Vault, &mut dyn FnMut(u64, u64) -> bool) -> Result<T, ApiError> + Send + 'static,
) -> (Vault, Option<String>) {
    let stop = Arc::new(AtomicBool::new(false));
    let told = Arc::clone(&stop);
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let mut vault = vault;
        let result = op(&mut vault, &mut |_, _| !told.load(Ordering::SeqCst));
        let _ = done.send((vault, result.err().map(|e| e.code)));
    });
    std::thread::sleep(STOP_AFTER);
    if let Ok((_, code)) = finished.try_recv() {
        panic!("the operation ended before the stop ({code:?}): it never stalled, so this tests nothing");
    }
    stop.store(true, Ordering::SeqCst);
    let asked = Instant::now();
    match finished.recv_timeout(GIVEN_BACK_WITHIN) {
        Ok(back) => {
            eprintln!("stopped {:?} after it was told to", asked.elapsed());
            back
        }
        Err(_) => panic!(
            "still holding the vault {:?} after it was told to stop: a lock would wait for the stalled source",
            GIVEN_BACK_WITHIN
        ),
    }
}

/// A real file system that stops answering: ext4 in a file, mounted through
/// a loop device, then frozen (`fsfreeze`), so that every write to it
/// blocks in the kernel, uninterruptibly, as on a hung network share or a
/// USB stick that stopped responding. Thawed, unmounted and removed when
/// dropped (before that, a thread blocked on it could not end, nor could
/// the test process).
pub struct FrozenMount {
    /// The mounted folder: choose destinations under it.
    pub dir: std::path::PathBuf,
    /// Whether [`FrozenMount::freeze`] froze it (for the reader; a drop
    /// thaws in any case).
    pub frozen: bool,
}

impl FrozenMount {
    /// A 32 MiB file system mounted at `parent/hung-share`, not yet frozen.
    /// `None` when this process may not mount one (not root): the caller
    /// says so and skips. As root, a failure to mount fails the test.
    pub fn new(parent: &Path) -> Option<FrozenMount> {
        if !nix_is_root() {
            eprintln!("skipped: mounting a file system to freeze needs root (CI runs as root)");
            return None;
        }
        let image = parent.join("hung-share.img");
        let dir = parent.join("hung-share");
        std::fs::create_dir(&dir).unwrap();
        let run = |cmd: &str, args: &[&std::ffi::OsStr]| {
            let out = std::process::Command::new(cmd).args(args).output().unwrap_or_else(|e| panic!("{cmd}: {e}"));
            assert!(out.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        std::fs::File::create(&image).unwrap().set_len(32 << 20).unwrap();
        run("mkfs.ext4", &["-q".as_ref(), image.as_os_str()]);
        run("mount", &["-o".as_ref(), "loop".as_ref(), image.as_os_str(), dir.as_os_str()]);
        Some(FrozenMount { dir, frozen: false })
    }

    /// From now on every write under [`FrozenMount::dir`] blocks.
    pub fn freeze(&mut self) {
        freeze_now(&self.dir);
        self.frozen = true;
    }

    /// Writes go through again; blocked ones complete. (Also when frozen by
    /// [`freeze_now`] from elsewhere.)
    pub fn thaw(&mut self) {
        let _ = std::process::Command::new("fsfreeze")
            .arg("-u")
            .arg(&self.dir)
            .stderr(std::process::Stdio::null())
            .status();
        self.frozen = false;
    }

    /// The names in the mounted folder (ext4's own `lost+found` left out).
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "lost+found")
            .collect();
        names.sort();
        names
    }

    /// Thaws, and waits (up to `within`) until the folder holds exactly
    /// `names`: a thread that was blocked on the frozen disk cleans up when
    /// its write returns. Panics with what is there otherwise.
    pub fn thaw_and_expect(&mut self, names: &[&str], within: Duration) {
        self.thaw();
        let until = Instant::now() + within;
        loop {
            let now = self.names();
            if now == names {
                return;
            }
            assert!(Instant::now() < until, "after the thaw the share holds {now:?}, expected {names:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for FrozenMount {
    fn drop(&mut self) {
        self.thaw();
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}

/// Freezes the mounted file system at `dir` (of a [`FrozenMount`]), from
/// any thread: in the middle of an operation, from its progress callback.
pub fn freeze_now(dir: &Path) {
    let ok = std::process::Command::new("fsfreeze").arg("-f").arg(dir).status().expect("fsfreeze");
    assert!(ok.success(), "fsfreeze -f {}", dir.display());
}

fn nix_is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}
