//! Unlock throttling: after a few wrong passphrases each further attempt must
//! wait, twice as long each time, and the count survives restarts.
//!
//! The state file holds no secret, only a count and a time. It slows down
//! someone guessing through Amana itself; it cannot slow down an attacker
//! who copied the key file, and SECURITY.md says so: Argon2id is the defence
//! there.
//!
//! One attempt (check the delay, derive the key, record the outcome) holds an
//! exclusive advisory lock on a file beside the counter ([`Throttle::lock`]),
//! so that processes guessing at the same time take turns: none reads the
//! counter while another attempt is between its check and its record.

use std::fs::File;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::fsx;

/// Wrong attempts allowed before any delay.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest delay ever imposed (15 minutes).
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
struct State {
    failures: u32,
    last_failure_unix: u64,
}

/// The persisted failure counter of one vault.
pub struct Throttle {
    path: PathBuf,
}

/// The delay after `failures` consecutive wrong attempts.
pub fn delay_after(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let exp = (failures - FREE_ATTEMPTS).min(20);
    Duration::from_secs(1u64 << exp).min(MAX_DELAY)
}

/// The exclusive lock of one unlock attempt; released when dropped (or when
/// the process ends, however it ends).
pub struct AttemptLock {
    _file: File,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Throttle {
    /// The throttle whose state lives at `path`.
    pub fn new(path: PathBuf) -> Self {
        Throttle { path }
    }

    /// The lock file beside the counter (`unlock-attempts.lock`): empty,
    /// owner-only, never removed (removing it would let two processes lock
    /// two different files).
    pub fn lock_path(&self) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        self.path.with_file_name(name)
    }

    /// Waits until no other attempt on this vault, in any process, holds the
    /// lock, and takes it. Hold it from the delay check to the recorded
    /// outcome.
    pub fn lock(&self) -> std::io::Result<AttemptLock> {
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let file = opts.open(self.lock_path())?;
        #[cfg(target_os = "linux")]
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
        Ok(AttemptLock { _file: file })
    }

    fn load(&self) -> State {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                // An unreadable counter must not reset the delay: assume the
                // threshold was reached when the file was last written.
                let written =
                    std::fs::metadata(&self.path).and_then(|m| m.modified()).unwrap_or_else(|_| SystemTime::now());
                State { failures: FREE_ATTEMPTS, last_failure_unix: unix(written) }
            }),
            Err(_) => State::default(),
        }
    }

    /// Consecutive wrong attempts so far.
    pub fn failures(&self) -> u32 {
        self.load().failures
    }

    /// How long the person must still wait before the next attempt, if at all.
    pub fn wait(&self, now: SystemTime) -> Duration {
        let state = self.load();
        let delay = delay_after(state.failures);
        let elapsed = Duration::from_secs(unix(now).saturating_sub(state.last_failure_unix));
        // A clock set backwards must not extend the wait beyond one full delay.
        if unix(now) < state.last_failure_unix {
            return delay;
        }
        delay.saturating_sub(elapsed)
    }

    /// Counts one more wrong attempt.
    pub fn record_failure(&self, now: SystemTime) -> std::io::Result<()> {
        let mut state = self.load();
        state.failures = state.failures.saturating_add(1);
        state.last_failure_unix = unix(now);
        fsx::write_atomic(&self.path, &serde_json::to_vec(&state).expect("plain struct serialises"))
    }

    /// Clears the counter after a successful unlock.
    pub fn reset(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps() {
        assert_eq!(delay_after(0), Duration::ZERO);
        assert_eq!(delay_after(FREE_ATTEMPTS - 1), Duration::ZERO);
        assert_eq!(delay_after(FREE_ATTEMPTS), Duration::from_secs(1));
        assert_eq!(delay_after(FREE_ATTEMPTS + 3), Duration::from_secs(8));
        assert_eq!(delay_after(1000), MAX_DELAY);
    }

    #[test]
    fn state_persists_and_wait_counts_down() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let th = Throttle::new(dir.path().join("attempts"));
        for _ in 0..FREE_ATTEMPTS + 2 {
            th.record_failure(t0).unwrap();
        }
        let again = Throttle::new(dir.path().join("attempts"));
        assert_eq!(again.failures(), FREE_ATTEMPTS + 2);
        assert_eq!(again.wait(t0), Duration::from_secs(4));
        assert_eq!(again.wait(t0 + Duration::from_secs(3)), Duration::from_secs(1));
        assert_eq!(again.wait(t0 + Duration::from_secs(10)), Duration::ZERO);
        assert_eq!(again.wait(t0 - Duration::from_secs(3600)), Duration::from_secs(4), "clock set back");
        again.reset().unwrap();
        assert_eq!(again.wait(t0), Duration::ZERO);
    }

    #[test]
    fn the_attempt_lock_is_exclusive_and_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let th = Throttle::new(dir.path().join("unlock-attempts"));
        assert_eq!(th.lock_path(), dir.path().join("unlock-attempts.lock"));
        let held = th.lock().unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(th.lock_path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let path = dir.path().join("unlock-attempts");
        let waiter = std::thread::spawn(move || {
            let _second = Throttle::new(path).lock().unwrap();
            tx.send(()).unwrap();
        });
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err(), "a second lock waits for the first");
        drop(held);
        rx.recv_timeout(Duration::from_secs(5)).expect("taken once the first is released");
        waiter.join().unwrap();
    }

    #[test]
    fn a_garbled_counter_does_not_reset_the_delay() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("attempts"), b"garbage").unwrap();
        let th = Throttle::new(dir.path().join("attempts"));
        assert_eq!(th.failures(), FREE_ATTEMPTS);
        assert!(th.wait(SystemTime::now()) > Duration::ZERO);
    }
}
