//! Crash points for tests: with the `fault-injection` feature, a process
//! whose `AMANA_CRASH_AT` names a point is killed there (SIGKILL, as if the
//! machine lost power). Without the feature every point compiles to nothing.
//!
//! `AMANA_CRASH_AT` is `NAME` (the first time NAME is reached), `NAME#N` (the
//! N-th time), or `*#N` (the N-th crash point of any name), so a test can
//! enumerate every point an operation passes. With `AMANA_CRASH_TRACE` set,
//! every point reached is printed to stderr (that is how a test counts them).

/// Kills the process here if tests asked for it.
#[inline]
pub fn crash_point(_name: &str) {
    #[cfg(feature = "fault-injection")]
    armed::reached(_name);
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
