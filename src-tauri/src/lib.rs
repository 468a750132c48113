//! The Amana desktop app: Tauri commands that are one-line adapters over
//! `amana::api`. No vault logic lives here; errors cross to the UI only as
//! `{code, message}`.
//!
//! The webview is incognito (no cache, cookies or storage on disk) and may
//! reach nothing but these commands and the native dialogs.
#![forbid(unsafe_code)]

pub mod open_bundle;
pub mod sandbox;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use amana::api::{self, ApiError, ApiResult};
use amana::dossier::date::Date;
use amana::Vault;
use tauri::ipc::{Channel, Response};
use tauri::{AppHandle, Emitter, Manager, State};
use uuid::Uuid;

/// The app's one piece of state: the vault folder, and the vault while unlocked.
pub struct AppState {
    dir: PathBuf,
    vault: Mutex<Option<Vault>>,
    /// Set by `cancel_operation`; checked by long operations' progress callbacks.
    cancel: AtomicBool,
    /// Set when the page's web process died unasked and the vault was locked
    /// for it; the new page takes it once (`take_window_restarted`) to say so.
    window_restarted: AtomicBool,
    /// The web process's unasked deaths, so a page that cannot start is not
    /// restarted forever.
    restarts: Mutex<Restarts>,
    /// Whether the page's process runs in WebKit's sandbox (`sandbox.rs`).
    web_sandbox: bool,
}

/// Counts the web process's unasked deaths: a restart is allowed unless
/// [`Restarts::MAX`] came before it, each within [`Restarts::WINDOW`] of the
/// one before.
#[derive(Default)]
struct Restarts {
    last: Option<std::time::Instant>,
    in_a_row: u32,
}

impl Restarts {
    const WINDOW: Duration = Duration::from_secs(60);
    const MAX: u32 = 3;

    /// Records a death at `now`; whether the page may be loaded again.
    fn allow(&mut self, now: std::time::Instant) -> bool {
        self.in_a_row = match self.last {
            Some(last) if now.saturating_duration_since(last) < Self::WINDOW => self.in_a_row + 1,
            _ => 1,
        };
        self.last = Some(now);
        self.in_a_row <= Self::MAX
    }
}

/// Locks the vault now and tells the UI to clear every view.
fn lock_now(app: &AppHandle) {
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
fn take_and_lock(state: &AppState) -> bool {
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
fn restart_web_process(app: &AppHandle) {
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
/// thread) in 5 of 8 e2e runs here; with this policy, none in 8 full runs
/// (26 steps each; 3 of them clean-clone CI). And the page's drawing no longer goes through a GPU
/// driver, a large body of code.
///
/// And when the web process dies unasked (a crash, or over WebKit's memory
/// limit), the page is gone with whatever it showed, and the window would
/// stay blank with the vault open: the vault is locked and the page loaded
/// again on the lock screen, which says what happened.
fn guard_web_process(window: &tauri::WebviewWindow) {
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
fn forget_recent_files() {
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
fn lock_after_page_died(app: &AppHandle) {
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
const WINDOW_KEEPS_FAILING: &str = "Amana's window stopped working several times in a row. The vault is locked and nothing saved was lost. Amana will now close; start it again.\n\n\
توقفت نافذة «أمانة» عن العمل عدة مرات متتالية. الخزنة مقفلة ولم يضِع شيء مما حُفظ. سيُغلق «أمانة» الآن؛ شغّله من جديد.\n\n\
La fenêtre d'Amana a cessé de fonctionner plusieurs fois de suite. Le coffre est verrouillé et rien de ce qui était enregistré n'est perdu. Amana va se fermer ; relancez-le.";

/// Whether the page was loaded again after its web process died (once).
#[tauri::command]
fn take_window_restarted(state: State<'_, AppState>) -> bool {
    state.window_restarted.swap(false, Ordering::SeqCst)
}

/// Locks when the system goes to sleep (logind) or the screen locks (the
/// freedesktop and GNOME screensavers), where the platform reports it over D-Bus.
fn watch_sleep_and_screen_lock(app: AppHandle) {
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    let system = app.clone();
    std::thread::spawn(move || {
        let Ok(conn) = Connection::new_system() else { return };
        let rule = MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep");
        if conn
            .add_match(rule, move |(sleeping,): (bool,), _, _| {
                if sleeping {
                    lock_now(&system);
                }
                true
            })
            .is_err()
        {
            return;
        }
        loop {
            let _ = conn.process(Duration::from_secs(3600));
        }
    });
    std::thread::spawn(move || {
        let Ok(conn) = Connection::new_session() else { return };
        for iface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
            let app = app.clone();
            let rule = MatchRule::new_signal(iface, "ActiveChanged");
            let _ = conn.add_match(rule, move |(active,): (bool,), _, _| {
                if active {
                    lock_now(&app);
                }
                true
            });
        }
        loop {
            let _ = conn.process(Duration::from_secs(3600));
        }
    });
}

fn locked() -> ApiError {
    ApiError { code: "vault.locked".into(), message: "the vault is locked".into(), wait_seconds: None }
}

/// Runs `f` on the unlocked vault.
fn with_vault<T>(state: &State<'_, AppState>, f: impl FnOnce(&mut Vault) -> ApiResult<T>) -> ApiResult<T> {
    let mut guard = state.vault.lock().map_err(|_| locked())?;
    f(guard.as_mut().ok_or_else(locked)?)
}

fn today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(Date::today)
}

/// Whether the page's process runs in WebKit's sandbox, so that audio and
/// video may be played in the viewer (their player's temporary files stay
/// in that process's memory): `sandbox.rs`.
#[tauri::command]
fn media_playback_isolated(state: State<'_, AppState>) -> bool {
    state.web_sandbox
}

#[tauri::command]
fn app_status(state: State<'_, AppState>) -> ApiResult<api::AppStatus> {
    let unlocked = state.vault.lock().map(|g| g.is_some()).unwrap_or(false);
    Ok(api::AppStatus { vault: Vault::status(&state.dir)?, unlocked })
}

#[tauri::command(async)]
fn vault_create(state: State<'_, AppState>, req: api::CreateVaultRequest) -> ApiResult<api::CreatedVault> {
    let (vault, created) = api::create_vault(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(created)
}

#[tauri::command(async)]
fn vault_unlock(state: State<'_, AppState>, req: api::UnlockRequest) -> ApiResult<()> {
    let vault = api::unlock(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command(async)]
fn vault_unlock_remembered(state: State<'_, AppState>) -> ApiResult<()> {
    let vault = Vault::unlock_remembered(&state.dir)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command(async)]
fn vault_recover(state: State<'_, AppState>, req: api::RecoverRequest) -> ApiResult<()> {
    let vault = api::recover(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command]
fn vault_lock(app: AppHandle) -> ApiResult<()> {
    lock_now(&app);
    Ok(())
}

#[tauri::command]
fn cancel_operation(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::SeqCst);
}

#[tauri::command(async)]
fn vault_change_passphrase(state: State<'_, AppState>, req: api::ChangePassphraseRequest) -> ApiResult<()> {
    let dir = state.dir.clone();
    with_vault(&state, |v| api::change_passphrase(&dir, v, req))
}

#[tauri::command(async)]
fn vault_remember(state: State<'_, AppState>, remember: bool, req: Option<api::RememberRequest>) -> ApiResult<()> {
    if !remember {
        return api::forget(&state.dir);
    }
    // Only from an unlocked session, and with the passphrase asked again.
    let req = req.ok_or_else(|| api::ApiError {
        code: "vault.passphrase_empty".into(),
        message: "the passphrase is empty".into(),
        wait_seconds: None,
    })?;
    let dir = state.dir.clone();
    with_vault(&state, |_| api::remember(&dir, req))
}

#[tauri::command(async)]
fn cases_list(state: State<'_, AppState>, as_of: Option<Date>) -> ApiResult<Vec<api::CaseListItem>> {
    with_vault(&state, |v| api::list_cases(v, today(as_of)))
}

#[tauri::command(async)]
fn case_get(
    state: State<'_, AppState>,
    id: Uuid,
    as_of: Option<Date>,
) -> ApiResult<amana::dossier::views::CaseOverview> {
    with_vault(&state, |v| api::case_overview(v, id, today(as_of)))
}

#[tauri::command(async)]
fn record_add(state: State<'_, AppState>, req: api::AddRecordRequest) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::add_record(v, req))
}

#[tauri::command(async)]
fn record_edit(state: State<'_, AppState>, req: api::EditRecordRequest) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::edit_record(v, req))
}

#[tauri::command(async)]
fn record_delete(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::dossier::store::Deleted> {
    with_vault(&state, |v| api::delete_record(v, id))
}

#[tauri::command(async)]
fn record_history(state: State<'_, AppState>, id: Uuid) -> ApiResult<Vec<amana::dossier::store::Version>> {
    with_vault(&state, |v| api::record_history(v, id))
}

#[tauri::command(async)]
fn search(state: State<'_, AppState>, req: api::SearchRequest) -> ApiResult<amana::search::Results> {
    with_vault(&state, |v| api::search(v, req))
}

#[tauri::command(async)]
fn urgent(
    state: State<'_, AppState>,
    within_days: i64,
    as_of: Option<Date>,
) -> ApiResult<Vec<amana::dossier::views::UrgentItem>> {
    with_vault(&state, |v| api::urgent(v, today(as_of), within_days))
}

#[tauri::command(async)]
fn timeline(state: State<'_, AppState>, case_id: Uuid) -> ApiResult<Vec<amana::dossier::views::TimelineEntry>> {
    with_vault(&state, |v| api::timeline(v, case_id))
}

#[tauri::command(async)]
fn audit_log(state: State<'_, AppState>, limit: usize) -> ApiResult<api::AuditView> {
    with_vault(&state, |v| api::audit_log(v, limit))
}

/// A progress callback for a long operation: reports over `channel`, and
/// says stop once `cancel_operation` was called (reset here, at the start).
fn progress<'a>(state: &'a AppState, channel: &'a Channel<api::ProgressEvent>) -> impl FnMut(u64, u64) -> bool + 'a {
    state.cancel.store(false, Ordering::SeqCst);
    move |done, total| channel.send(api::ProgressEvent { done, total }).is_ok() && !state.cancel.load(Ordering::SeqCst)
}

#[tauri::command(async)]
fn evidence_attach(
    state: State<'_, AppState>,
    req: api::AttachRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::attach(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
fn evidence_read(state: State<'_, AppState>, id: Uuid) -> ApiResult<Response> {
    // Bytes go straight to the webview's memory (a blob URL there); no temp file.
    with_vault(&state, |v| api::read_evidence(v, id).map(|(_, bytes)| Response::new(bytes.to_vec())))
}

#[tauri::command(async)]
fn evidence_save_copy(
    state: State<'_, AppState>,
    id: Uuid,
    path: PathBuf,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::evidence::Extracted> {
    with_vault(&state, |v| api::save_evidence_copy(v, id, path, &mut progress(&state, &on_progress)))
}

// Handover: identity, contacts, export, bundles, backup and restore.

#[tauri::command(async)]
fn identity_get(state: State<'_, AppState>) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::my_identity(v))
}

#[tauri::command(async)]
fn identity_rotate(state: State<'_, AppState>) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::rotate_identity(v))
}

#[tauri::command(async)]
fn identity_rename(state: State<'_, AppState>, name: String) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::rename_identity(v, &name))
}

#[tauri::command(async)]
fn contacts_list(state: State<'_, AppState>) -> ApiResult<Vec<amana::identity::Contact>> {
    with_vault(&state, |v| api::contacts(v))
}

#[tauri::command(async)]
fn contact_card_from_text(state: State<'_, AppState>, text: String) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_text(v, &text))
}

#[tauri::command(async)]
fn contact_card_from_file(state: State<'_, AppState>, path: PathBuf) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_file(v, &path))
}

#[tauri::command(async)]
fn contact_card_from_qr(state: State<'_, AppState>, path: PathBuf) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_qr_image(v, &path))
}

#[tauri::command(async)]
fn contact_add(state: State<'_, AppState>, req: api::AddContactRequest) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::add_contact(v, req))
}

#[tauri::command(async)]
fn contact_verify(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::verify_contact(v, id))
}

#[tauri::command(async)]
fn contact_remove(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::remove_contact(v, id))
}

#[tauri::command(async)]
fn bundle_export(
    state: State<'_, AppState>,
    req: api::ExportRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::write::ExportSummary> {
    with_vault(&state, |v| api::export(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
fn bundle_needs_passphrase(path: PathBuf) -> ApiResult<bool> {
    api::bundle_needs_passphrase(&path)
}

#[tauri::command(async)]
fn bundle_open(
    state: State<'_, AppState>,
    req: api::OpenBundleRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<api::BundleContents> {
    with_vault(&state, |v| api::open_bundle(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
fn bundle_import(
    state: State<'_, AppState>,
    req: api::OpenBundleRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::import::ImportReport> {
    with_vault(&state, |v| api::import_bundle(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
fn proposals(state: State<'_, AppState>, decided: bool) -> ApiResult<Vec<amana::bundle::import::ProposedChange>> {
    with_vault(&state, |v| api::proposals(v, decided))
}

#[tauri::command(async)]
fn decide_proposals(state: State<'_, AppState>, req: api::DecideRequest) -> ApiResult<amana::bundle::inbox::Decided> {
    with_vault(&state, |v| api::decide_proposals(v, req))
}

#[tauri::command(async)]
fn mark_case_reviewed(state: State<'_, AppState>, case_id: Uuid) -> ApiResult<usize> {
    with_vault(&state, |v| api::mark_case_reviewed(v, case_id))
}

#[tauri::command(async)]
fn backup_status(state: State<'_, AppState>, as_of: Option<Date>) -> ApiResult<api::BackupStatus> {
    with_vault(&state, |v| api::backup_status(v, today(as_of)))
}

#[tauri::command(async)]
fn backup_make(
    state: State<'_, AppState>,
    req: api::BackupRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::write::ExportSummary> {
    with_vault(&state, |v| api::backup(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
fn stats_get(
    state: State<'_, AppState>,
    req: api::StatsRequest,
    as_of: Option<Date>,
) -> ApiResult<amana::report::stats::Stats> {
    with_vault(&state, |v| api::stats(v, req, today(as_of)))
}

#[tauri::command(async)]
fn draft_write(state: State<'_, AppState>, req: api::DraftRequest) -> ApiResult<amana::report::DraftWritten> {
    with_vault(&state, |v| api::draft(v, req, Date::today()))
}

#[tauri::command(async)]
fn backup_restore(
    state: State<'_, AppState>,
    req: api::RestoreRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<api::Restored> {
    api::restore(req, &mut progress(&state, &on_progress))
}

#[tauri::command]
fn countries(lang: String) -> Vec<(String, String)> {
    amana::country::all().iter().map(|c| (c.code.to_string(), c.name(&lang).to_string())).collect()
}

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
            watch_sleep_and_screen_lock(app.handle().clone());
            open_bundle::announce(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                lock_now(window.app_handle());
            }
        })
        .invoke_handler(tauri::generate_handler![
            app_status,
            media_playback_isolated,
            vault_create,
            vault_unlock,
            vault_unlock_remembered,
            vault_recover,
            vault_lock,
            cancel_operation,
            vault_change_passphrase,
            vault_remember,
            cases_list,
            case_get,
            record_add,
            record_edit,
            record_delete,
            record_history,
            search,
            urgent,
            timeline,
            audit_log,
            evidence_attach,
            evidence_read,
            evidence_save_copy,
            identity_get,
            identity_rotate,
            identity_rename,
            contacts_list,
            contact_card_from_text,
            contact_card_from_file,
            contact_card_from_qr,
            contact_add,
            contact_verify,
            contact_remove,
            bundle_export,
            bundle_needs_passphrase,
            bundle_open,
            bundle_import,
            proposals,
            decide_proposals,
            mark_case_reviewed,
            backup_status,
            backup_make,
            backup_restore,
            stats_get,
            draft_write,
            countries,
            open_bundle::take_pending_open,
            take_window_restarted,
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
