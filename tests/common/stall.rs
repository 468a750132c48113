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
