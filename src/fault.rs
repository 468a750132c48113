//! Crash points for tests: with the `fault-injection` feature, a process whose
//! `AMANA_CRASH_AT` names a point aborts there, as if the machine lost power.
//! Without the feature every point compiles to nothing.

/// Aborts the process here if tests asked for it.
#[inline]
pub fn crash_point(_name: &str) {
    #[cfg(feature = "fault-injection")]
    if std::env::var("AMANA_CRASH_AT").is_ok_and(|v| v == _name) {
        eprintln!("amana: crash point {_name} reached, aborting");
        std::process::abort();
    }
}
