//! The page's web process and the vault's lock: locking now (from a
//! command, the window closing, a watcher), ending the web process so its
//! memory goes, and what happens when that process dies unasked.

use std::sync::atomic::Ordering;
use std::time::Duration;

use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;

/// Locks the vault now and tells the UI to clear every view.
pub(crate) fn lock_now(app: &AppHandle) {
    take_and_lock(&app.state::<AppState>());
    let _ = app.emit("vault-locked", ());
    // Once the page had a moment to clear itself, its process goes too.
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        restart_web_process(&app);
    });
}

/// Takes the vault out of the app and locks it; whether one was open.
///
/// A long operation (export, import, backup, attaching files) holds the
/// vault until it ends: it is told to stop at its next progress report, so a
/// lock, the panic shortcut included, does not wait minutes for a big export
/// with the vault open. (An export, backup or restore is written aside and
/// renamed into place only when complete, an import is one transaction, and
/// a file being attached is kept only whole: a stopped one leaves nothing
/// half done; files attached before it stay.) A poisoned lock (a
/// command panicked while holding it) still gives the vault up: locking must
/// never be skipped.
pub(crate) fn take_and_lock(state: &AppState) -> bool {
    state.cancel.store(true, Ordering::SeqCst);
    let open = state.vault.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    let was_open = open.is_some();
    if let Some(v) = open {
        v.lock();
    }
    was_open
}

/// Ends the WebKit web process, whose JavaScript heap and caches hold what
/// the pages showed (records, search results, the text being typed), and
/// starts a fresh one on the lock screen: clearing the views frees those
/// strings, but freed memory keeps its bytes until reused.
pub(crate) fn restart_web_process(app: &AppHandle) {
    for window in app.webview_windows().into_values() {
        let _ = window.with_webview(|webview| {
            #[cfg(target_os = "linux")]
            {
                use webkit2gtk::WebViewExt;
                let view = webview.inner();
                view.terminate_web_process();
                view.reload();
            }
            #[cfg(not(target_os = "linux"))]
            let _ = webview;
        });
    }
}

/// Amana's pages are forms, lists and small charts: WebKit draws them on the
/// CPU, without OpenGL. On a machine without a GPU (a virtual machine, Xvfb)
/// WebKit's OpenGL compositing runs on Mesa's software rasterizer, which
/// crashed the web process (SIGSEGV in `swrast_dri.so`, WebKit's compositing
/// thread; the runs are in docs/SECURITY.md, "The desktop app"). And the
/// page's drawing no longer goes through a GPU driver, a large body of code.
///
/// And when the web process dies unasked (a crash, or over WebKit's memory
/// limit), the page is gone with whatever it showed, and the window would
/// stay blank with the vault open: the vault is locked and the page loaded
/// again on the lock screen, which says what happened.
pub(crate) fn guard_web_process(window: &tauri::WebviewWindow) {
    let app = window.app_handle().clone();
    let _ = window.with_webview(move |webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebProcessTerminationReason, WebViewExt};
            let view = webview.inner();
            if let Some(settings) = WebViewExt::settings(&view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            view.connect_web_process_terminated(move |_, reason| {
                // Locking ends the web process itself (`restart_web_process`).
                if reason != WebProcessTerminationReason::TerminatedByApi {
                    lock_after_page_died(&app);
                }
            });
        }
        #[cfg(not(target_os = "linux"))]
        let _ = (webview, app);
    });
}

/// GTK's file chooser (the open and save dialogs) records every file chosen
/// in `~/.local/share/recently-used.xbel`, in plain text, tagged with the
/// app's name, and lists them under "Recent": the names and places of
/// evidence attached and bundles written would outlive the vault's lock.
/// With `gtk-recent-files-enabled` off for this process, GTK adds nothing
/// to that list and hides "Recent" in the dialogs (the list of other
/// applications is left as it is). The dialogs are GTK's own, in this
/// process (rfd's GTK backend): no portal keeps its own list.
pub(crate) fn forget_recent_files() {
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::GtkSettingsExt;
        if let Some(settings) = gtk::Settings::default() {
            settings.set_gtk_recent_files_enabled(false);
        }
    }
}

/// The page's web process died: lock, and load the page again on the lock
/// screen (which says why if a vault was open), unless it keeps dying
/// ([`Restarts`]): then a message says so, in the three languages since the
/// page that knew the user's is gone, and the app quits.
#[cfg(target_os = "linux")]
pub(crate) fn lock_after_page_died(app: &AppHandle) {
    let app = app.clone();
    // Off the main thread: locking waits for a command that holds the vault.
    std::thread::spawn(move || {
        let state = app.state::<AppState>();
        // A long operation started by the page that died stops too
        // (`take_and_lock`): nobody is left to see its end.
        let was_open = take_and_lock(&state);
        let again =
            state.restarts.lock().unwrap_or_else(std::sync::PoisonError::into_inner).allow(std::time::Instant::now());
        if again {
            state.window_restarted.store(was_open, Ordering::SeqCst);
            restart_web_process(&app);
        } else {
            use tauri_plugin_dialog::{DialogExt, MessageDialogKind};
            let quit = app.clone();
            app.dialog()
                .message(WINDOW_KEEPS_FAILING)
                .title("Amana")
                .kind(MessageDialogKind::Error)
                .show(move |_| quit.exit(1));
        }
    });
}

/// Said when the page dies once more after [`Restarts::MAX`] restarts in a row.
#[cfg(target_os = "linux")]
pub(crate) const WINDOW_KEEPS_FAILING: &str = "Amana's window stopped working several times in a row. The vault is locked and nothing saved was lost. Amana will now close; start it again.\n\n\
توقفت نافذة «أمانة» عن العمل عدة مرات متتالية. الخزنة مقفلة ولم يضِع شيء مما حُفظ. سيُغلق «أمانة» الآن؛ شغّله من جديد.\n\n\
La fenêtre d'Amana a cessé de fonctionner plusieurs fois de suite. Le coffre est verrouillé et rien de ce qui était enregistré n'est perdu. Amana va se fermer ; relancez-le.";
