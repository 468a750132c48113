//! The Amana desktop app: Tauri commands that are one-line adapters over
//! `amana::api`. No vault logic lives here; errors cross to the UI only as
//! `{code, message}`.
//!
//! The webview is incognito (no cache, cookies or storage on disk) and may
//! reach nothing but these commands and the native dialogs.
#![forbid(unsafe_code)]

mod commands;
mod lifecycle;
pub mod open_bundle;
pub mod sandbox;
mod state;
mod watchers;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;

use tauri::Manager;

use lifecycle::{forget_recent_files, guard_web_process, lock_now};
use state::{AppState, Restarts};

/// The vault folder: `AMANA_VAULT`, else the user's data folder (as the CLI).
fn vault_dir() -> PathBuf {
    std::env::var_os("AMANA_VAULT").map(PathBuf::from).unwrap_or_else(amana::api::default_vault_dir)
}

/// Starts the app; `sandbox`: whether the page's process runs in WebKit's
/// sandbox ([`sandbox::prepare`], called first thing in `main`).
pub fn run(sandbox: sandbox::WebSandbox) {
    let dir = vault_dir();
    tauri::Builder::default()
        // First: a second launch on the same vault hands its bundle to this
        // one and exits before anything else starts.
        .plugin(open_bundle::single_instance(&dir))
        .plugin(tauri_plugin_dialog::init())
        .manage(open_bundle::PendingOpen::from_this_launch())
        .manage(AppState {
            dir,
            vault: Mutex::new(None),
            cancel: AtomicBool::new(false),
            window_restarted: AtomicBool::new(false),
            restarts: Mutex::new(Restarts::default()),
            web_sandbox: sandbox.is_on(),
        })
        .setup(|app| {
            // Incognito: WebKit keeps no cache, cookies or local storage on disk.
            // WebKit's automation (tauri-driver, for the e2e tests) cannot attach
            // to an ephemeral context, so under automation the webview keeps a
            // normal data folder: the stricter case for the e2e leak scan, which
            // checks that folder too.
            let automated = std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
            let window = tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
                .title("Amana")
                .inner_size(1200.0, 780.0)
                .min_inner_size(900.0, 600.0)
                .incognito(!automated)
                // Never let the webview write a download (e.g. a viewer's "save"
                // button on decrypted evidence): plaintext reaches the disk only
                // through "save a plaintext copy", where the user chooses.
                .on_download(|_, _| false)
                .build()?;
            guard_web_process(&window);
            forget_recent_files();
            watchers::watch_sleep_and_screen_lock(app.handle().clone());
            open_bundle::announce(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                lock_now(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::media_playback_isolated,
            commands::vault_create,
            commands::vault_unlock,
            commands::vault_unlock_remembered,
            commands::vault_recover,
            commands::vault_lock,
            commands::cancel_operation,
            commands::vault_change_passphrase,
            commands::vault_remember,
            commands::cases_list,
            commands::case_get,
            commands::record_add,
            commands::record_edit,
            commands::record_delete,
            commands::record_history,
            commands::search,
            commands::urgent,
            commands::timeline,
            commands::audit_log,
            commands::evidence_attach,
            commands::evidence_read,
            commands::evidence_save_copy,
            commands::identity_get,
            commands::identity_rotate,
            commands::identity_rename,
            commands::contacts_list,
            commands::contact_card_from_text,
            commands::contact_card_from_file,
            commands::contact_card_from_qr,
            commands::contact_add,
            commands::contact_verify,
            commands::contact_remove,
            commands::bundle_export,
            commands::bundle_needs_passphrase,
            commands::bundle_open,
            commands::bundle_import,
            commands::proposals,
            commands::decide_proposals,
            commands::mark_case_reviewed,
            commands::backup_status,
            commands::backup_make,
            commands::backup_restore,
            commands::stats_get,
            commands::draft_write,
            commands::countries,
            open_bundle::take_pending_open,
            commands::take_window_restarted,
        ])
        .run(tauri::generate_context!())
        .expect("error while running the Amana desktop app");
}

#[cfg(test)]
mod capability_tests {
    include!("../app_commands.rs");

    /// The commands named in `generate_handler!` above.
    fn handled() -> Vec<String> {
        let src = include_str!("lib.rs");
        let start = src.find("generate_handler![").expect("the handler list") + "generate_handler![".len();
        let list = &src[start..start + src[start..].find(']').expect("the end of the handler list")];
        list.split(',')
            .map(|c| c.trim().rsplit("::").next().unwrap_or_default().to_string())
            .filter(|c| !c.is_empty())
            .collect()
    }

    #[test]
    fn every_command_is_listed_for_build_rs_and_granted_by_name_and_nothing_else() {
        let mut handled = handled();
        let mut listed: Vec<String> = APP_COMMANDS.iter().map(|c| c.to_string()).collect();
        handled.sort();
        listed.sort();
        assert_eq!(handled, listed, "app_commands.rs must list exactly the commands of generate_handler!");

        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("the capability is JSON");
        let mut granted: Vec<String> = cap["permissions"]
            .as_array()
            .expect("a list of permissions")
            .iter()
            .map(|p| p.as_str().expect("plain permission names").to_string())
            .collect();
        granted.sort();
        let mut expected: Vec<String> = listed.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
        expected.extend(
            [
                "core:event:default",
                "dialog:allow-open",
                "dialog:allow-save",
                "dialog:allow-ask",
                "dialog:allow-message",
            ]
            .map(String::from),
        );
        expected.sort();
        assert_eq!(granted, expected, "the main window gets each app command by name, events and the dialogs: no more");
    }
}
