//! Crash points for tests: with the `fault-injection` feature, a process
//! whose `AMANA_CRASH_AT` names a point is killed there (SIGKILL, as if the
//! machine lost power). Without the feature every point compiles to nothing.
//!
//! `AMANA_CRASH_AT` is `NAME` (the first time NAME is reached), `NAME#N` (the
//! N-th time), or `*#N` (the N-th crash point of any name), so a test can
//! enumerate every point an operation passes. With `AMANA_CRASH_TRACE` set,
//! every point reached is printed to stderr (that is how a test counts them).
//!
//! Stalls, for lock tests: with the feature, a file the user chose that lies
//! under the folder named by `AMANA_STALL_READS_UNDER` is opened as usual,
//! but every read of it blocks forever, as on a hung network share or USB
//! mount (a FIFO cannot stand in: attach takes regular files only).

/// Kills the process here if tests asked for it.
#[inline]
pub fn crash_point(_name: &str) {
    #[cfg(feature = "fault-injection")]
    armed::reached(_name);
}

/// A file the user chose (to attach, to import), as it is read. Without the
/// feature, the file itself.
#[cfg(not(feature = "fault-injection"))]
#[inline]
pub fn user_file(file: std::fs::File, _path: &std::path::Path) -> std::fs::File {
    file
}

/// A file the user chose (to attach, to import), as it is read: one whose
/// path is under `AMANA_STALL_READS_UNDER` blocks in every read, forever.
#[cfg(feature = "fault-injection")]
pub fn user_file(file: std::fs::File, path: &std::path::Path) -> MaybeStalled {
    // Read at each call, not once: a test sets it after the process started.
    let stalled = std::env::var_os("AMANA_STALL_READS_UNDER").is_some_and(|dir| path.starts_with(dir));
    MaybeStalled { file, stalled }
}

/// A file whose reads may block forever (`fault-injection` only).
#[cfg(feature = "fault-injection")]
pub struct MaybeStalled {
    file: std::fs::File,
    stalled: bool,
}

#[cfg(feature = "fault-injection")]
impl std::io::Read for MaybeStalled {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stalled {
            eprintln!("amana: a read of a file the user chose stalls here (AMANA_STALL_READS_UNDER)");
            // A read that never returns, like one from a hung mount.
            loop {
                std::thread::park();
            }
        }
        self.file.read(buf)
    }
}

#[cfg(feature = "fault-injection")]
mod armed {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;

    struct Target {
        /// `None` for any point.
        name: Option<String>,
        nth: u64,
    }

    fn target() -> &'static Option<Target> {
        static TARGET: OnceLock<Option<Target>> = OnceLock::new();
        TARGET.get_or_init(|| {
            let spec = std::env::var("AMANA_CRASH_AT").ok()?;
            let (name, nth) = match spec.rsplit_once('#') {
                Some((n, k)) => (n.to_string(), k.parse().ok()?),
                None => (spec, 1),
            };
            Some(Target { name: (name != "*").then_some(name), nth })
        })
    }

    fn tracing() -> bool {
        static TRACE: OnceLock<bool> = OnceLock::new();
        *TRACE.get_or_init(|| std::env::var_os("AMANA_CRASH_TRACE").is_some())
    }

    pub(super) fn reached(name: &str) {
        static HITS: AtomicU64 = AtomicU64::new(0);
        if tracing() {
            eprintln!("amana: crash point {name}");
        }
        let Some(t) = target() else { return };
        if t.name.as_deref().is_some_and(|n| n != name) {
            return;
        }
        if HITS.fetch_add(1, Ordering::SeqCst) + 1 == t.nth {
            eprintln!("amana: crash point {name} reached, killing the process");
            // SIGKILL from outside, as a power cut would: no destructor, no
            // flush, no atexit. abort() only if `kill` cannot be run.
            let pid = std::process::id().to_string();
            let _ = std::process::Command::new("kill").args(["-KILL", &pid]).status();
            std::process::abort();
        }
    }
}
