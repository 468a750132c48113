//! The app's state: the vault folder, the vault while unlocked, the
//! flags a lock and a long operation share; and the helpers every command
//! uses to reach the vault.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use amana::api::{self, ApiError, ApiResult};
use amana::Vault;
use tauri::ipc::Channel;
use tauri::State;

/// The app's one piece of state: the vault folder, and the vault while unlocked.
pub struct AppState {
    pub(crate) dir: PathBuf,
    pub(crate) vault: Mutex<Option<Vault>>,
    /// Set by `cancel_operation`; checked by long operations' progress callbacks.
    pub(crate) cancel: AtomicBool,
    /// Set when the page's web process died unasked and the vault was locked
    /// for it; the new page takes it once (`take_window_restarted`) to say so.
    pub(crate) window_restarted: AtomicBool,
    /// The web process's unasked deaths, so a page that cannot start is not
    /// restarted forever.
    pub(crate) restarts: Mutex<Restarts>,
    /// Whether the page's process runs in WebKit's sandbox (`sandbox.rs`).
    pub(crate) web_sandbox: bool,
}

/// Counts the web process's unasked deaths: a restart is allowed unless
/// [`Restarts::MAX`] came before it, each within [`Restarts::WINDOW`] of the
/// one before.
#[derive(Default)]
pub(crate) struct Restarts {
    last: Option<std::time::Instant>,
    in_a_row: u32,
}

impl Restarts {
    pub(crate) const WINDOW: Duration = Duration::from_secs(60);
    pub(crate) const MAX: u32 = 3;

    /// Records a death at `now`; whether the page may be loaded again.
    pub(crate) fn allow(&mut self, now: std::time::Instant) -> bool {
        self.in_a_row = match self.last {
            Some(last) if now.saturating_duration_since(last) < Self::WINDOW => self.in_a_row + 1,
            _ => 1,
        };
        self.last = Some(now);
        self.in_a_row <= Self::MAX
    }
}

pub(crate) fn locked() -> ApiError {
    ApiError { code: "vault.locked".into(), message: "the vault is locked".into(), wait_seconds: None }
}

/// Runs `f` on the unlocked vault.
pub(crate) fn with_vault<T>(state: &State<'_, AppState>, f: impl FnOnce(&mut Vault) -> ApiResult<T>) -> ApiResult<T> {
    let mut guard = state.vault.lock().map_err(|_| locked())?;
    f(guard.as_mut().ok_or_else(locked)?)
}

/// Whether an operation starting now may go on: false once
/// `cancel_operation` was called (a lock), the flag being reset here, at
/// the start.
pub(crate) fn go_on(state: &AppState) -> impl Fn() -> bool + '_ {
    state.cancel.store(false, Ordering::SeqCst);
    move || !state.cancel.load(Ordering::SeqCst)
}

/// A progress callback for a long operation: reports over `channel`, and
/// says stop as [`go_on`] does.
pub(crate) fn progress<'a>(
    state: &'a AppState,
    channel: &'a Channel<api::ProgressEvent>,
) -> impl FnMut(u64, u64) -> bool + 'a {
    let go_on = go_on(state);
    move |done, total| channel.send(api::ProgressEvent { done, total }).is_ok() && go_on()
}

#[cfg(test)]
mod restart_tests {
    use super::Restarts;
    use std::time::{Duration, Instant};

    #[test]
    fn a_page_that_keeps_dying_is_loaded_again_three_times_a_minute_and_no_more() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let mut r = Restarts::default();
        // Three deaths, each within a minute of the one before: each restarts.
        assert!(r.allow(at(0)));
        assert!(r.allow(at(50)));
        assert!(r.allow(at(100)));
        // A fourth within a minute of the third: no more.
        assert!(!r.allow(at(159)));
        assert!(!r.allow(at(160)));
        // A minute of calm starts the count again.
        assert!(r.allow(at(220)));
        assert!(r.allow(at(221)));
    }

    #[test]
    fn deaths_a_minute_apart_never_stop_the_restarts() {
        let t0 = Instant::now();
        let mut r = Restarts::default();
        for i in 0..10 {
            assert!(r.allow(t0 + Duration::from_secs(60 * i)), "death {i}");
        }
    }
}
