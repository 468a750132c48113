//! The Tauri commands: one-line adapters over `amana::api`, each granted to
//! the main window by name (`app_commands.rs`, `capabilities/main.json`).

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use amana::api::{self, ApiResult};
use amana::dossier::date::Date;
use amana::Vault;
use tauri::ipc::{Channel, Response};
use tauri::{AppHandle, State};
use uuid::Uuid;

use crate::lifecycle::lock_now;
use crate::state::{go_on, locked, progress, with_vault, AppState};

/// Whether the page was loaded again after its web process died (once).
#[tauri::command]
pub fn take_window_restarted(state: State<'_, AppState>) -> bool {
    state.window_restarted.swap(false, Ordering::SeqCst)
}

pub fn today(as_of: Option<Date>) -> Date {
    as_of.unwrap_or_else(Date::today)
}

/// Whether the page's process runs in WebKit's sandbox, so that audio and
/// video may be played in the viewer (their player's temporary files stay
/// in that process's memory): `sandbox.rs`.
#[tauri::command]
pub fn media_playback_isolated(state: State<'_, AppState>) -> bool {
    state.web_sandbox
}

#[tauri::command]
pub fn app_status(state: State<'_, AppState>) -> ApiResult<api::AppStatus> {
    let unlocked = state.vault.lock().map(|g| g.is_some()).unwrap_or(false);
    Ok(api::AppStatus { vault: Vault::status(&state.dir)?, unlocked })
}

#[tauri::command(async)]
pub fn vault_create(state: State<'_, AppState>, req: api::CreateVaultRequest) -> ApiResult<api::CreatedVault> {
    let (vault, created) = api::create_vault(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(created)
}

#[tauri::command(async)]
pub fn vault_unlock(state: State<'_, AppState>, req: api::UnlockRequest) -> ApiResult<()> {
    let vault = api::unlock(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command(async)]
pub fn vault_unlock_remembered(state: State<'_, AppState>) -> ApiResult<()> {
    let vault = Vault::unlock_remembered(&state.dir)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command(async)]
pub fn vault_recover(state: State<'_, AppState>, req: api::RecoverRequest) -> ApiResult<()> {
    let vault = api::recover(&state.dir, req)?;
    *state.vault.lock().map_err(|_| locked())? = Some(vault);
    Ok(())
}

#[tauri::command]
pub fn vault_lock(app: AppHandle) -> ApiResult<()> {
    lock_now(&app);
    Ok(())
}

#[tauri::command]
pub fn cancel_operation(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::SeqCst);
}

#[tauri::command(async)]
pub fn vault_change_passphrase(state: State<'_, AppState>, req: api::ChangePassphraseRequest) -> ApiResult<()> {
    let dir = state.dir.clone();
    with_vault(&state, |v| api::change_passphrase(&dir, v, req))
}

#[tauri::command(async)]
pub fn vault_remember(state: State<'_, AppState>, remember: bool, req: Option<api::RememberRequest>) -> ApiResult<()> {
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
pub fn cases_list(state: State<'_, AppState>, as_of: Option<Date>) -> ApiResult<Vec<api::CaseListItem>> {
    with_vault(&state, |v| api::list_cases(v, today(as_of)))
}

#[tauri::command(async)]
pub fn case_get(
    state: State<'_, AppState>,
    id: Uuid,
    as_of: Option<Date>,
) -> ApiResult<amana::dossier::views::CaseOverview> {
    with_vault(&state, |v| api::case_overview(v, id, today(as_of)))
}

#[tauri::command(async)]
pub fn record_add(state: State<'_, AppState>, req: api::AddRecordRequest) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::add_record(v, req))
}

#[tauri::command(async)]
pub fn record_edit(state: State<'_, AppState>, req: api::EditRecordRequest) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::edit_record(v, req))
}

#[tauri::command(async)]
pub fn record_delete(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::dossier::store::Deleted> {
    with_vault(&state, |v| api::delete_record(v, id))
}

#[tauri::command(async)]
pub fn record_history(state: State<'_, AppState>, id: Uuid) -> ApiResult<Vec<amana::dossier::store::Version>> {
    with_vault(&state, |v| api::record_history(v, id))
}

#[tauri::command(async)]
pub fn search(state: State<'_, AppState>, req: api::SearchRequest) -> ApiResult<amana::search::Results> {
    with_vault(&state, |v| api::search(v, req))
}

#[tauri::command(async)]
pub fn urgent(
    state: State<'_, AppState>,
    within_days: i64,
    as_of: Option<Date>,
) -> ApiResult<Vec<amana::dossier::views::UrgentItem>> {
    with_vault(&state, |v| api::urgent(v, today(as_of), within_days))
}

#[tauri::command(async)]
pub fn timeline(state: State<'_, AppState>, case_id: Uuid) -> ApiResult<Vec<amana::dossier::views::TimelineEntry>> {
    with_vault(&state, |v| api::timeline(v, case_id))
}

#[tauri::command(async)]
pub fn audit_log(state: State<'_, AppState>, limit: usize) -> ApiResult<api::AuditView> {
    with_vault(&state, |v| api::audit_log(v, limit))
}

#[tauri::command(async)]
pub fn evidence_attach(
    state: State<'_, AppState>,
    req: api::AttachRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::dossier::StoredRecord> {
    with_vault(&state, |v| api::attach(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
pub fn evidence_read(state: State<'_, AppState>, id: Uuid) -> ApiResult<Response> {
    // Bytes go straight to the webview's memory (a blob URL there); no temp file.
    with_vault(&state, |v| api::read_evidence(v, id).map(|(_, bytes)| Response::new(bytes.to_vec())))
}

#[tauri::command(async)]
pub fn evidence_save_copy(
    state: State<'_, AppState>,
    id: Uuid,
    path: PathBuf,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::evidence::Extracted> {
    with_vault(&state, |v| api::save_evidence_copy(v, id, path, &mut progress(&state, &on_progress)))
}

// Handover: identity, contacts, export, bundles, backup and restore.

#[tauri::command(async)]
pub fn identity_get(state: State<'_, AppState>) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::my_identity(v))
}

#[tauri::command(async)]
pub fn identity_rotate(state: State<'_, AppState>) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::rotate_identity(v))
}

#[tauri::command(async)]
pub fn identity_rename(state: State<'_, AppState>, name: String) -> ApiResult<api::MyIdentity> {
    with_vault(&state, |v| api::rename_identity(v, &name))
}

#[tauri::command(async)]
pub fn contacts_list(state: State<'_, AppState>) -> ApiResult<Vec<amana::identity::Contact>> {
    with_vault(&state, |v| api::contacts(v))
}

#[tauri::command(async)]
pub fn contact_card_from_text(state: State<'_, AppState>, text: String) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_text(v, &text))
}

#[tauri::command(async)]
pub fn contact_card_from_file(state: State<'_, AppState>, path: PathBuf) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_file(v, &path))
}

#[tauri::command(async)]
pub fn contact_card_from_qr(state: State<'_, AppState>, path: PathBuf) -> ApiResult<api::CardPreview> {
    with_vault(&state, |v| api::card_from_qr_image(v, &path))
}

#[tauri::command(async)]
pub fn contact_add(state: State<'_, AppState>, req: api::AddContactRequest) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::add_contact(v, req))
}

#[tauri::command(async)]
pub fn contact_verify(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::verify_contact(v, id))
}

#[tauri::command(async)]
pub fn contact_remove(state: State<'_, AppState>, id: Uuid) -> ApiResult<amana::identity::Contact> {
    with_vault(&state, |v| api::remove_contact(v, id))
}

#[tauri::command(async)]
pub fn bundle_export(
    state: State<'_, AppState>,
    req: api::ExportRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::write::ExportSummary> {
    with_vault(&state, |v| api::export(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
pub fn bundle_needs_passphrase(path: PathBuf) -> ApiResult<bool> {
    api::bundle_needs_passphrase(&path)
}

#[tauri::command(async)]
pub fn bundle_open(
    state: State<'_, AppState>,
    req: api::OpenBundleRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<api::BundleContents> {
    with_vault(&state, |v| api::open_bundle(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
pub fn bundle_import(
    state: State<'_, AppState>,
    req: api::OpenBundleRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::import::ImportReport> {
    with_vault(&state, |v| api::import_bundle(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
pub fn proposals(state: State<'_, AppState>, decided: bool) -> ApiResult<Vec<amana::bundle::import::ProposedChange>> {
    with_vault(&state, |v| api::proposals(v, decided))
}

#[tauri::command(async)]
pub fn decide_proposals(
    state: State<'_, AppState>,
    req: api::DecideRequest,
) -> ApiResult<amana::bundle::inbox::Decided> {
    with_vault(&state, |v| api::decide_proposals(v, req))
}

#[tauri::command(async)]
pub fn mark_case_reviewed(state: State<'_, AppState>, case_id: Uuid) -> ApiResult<usize> {
    with_vault(&state, |v| api::mark_case_reviewed(v, case_id))
}

#[tauri::command(async)]
pub fn backup_status(state: State<'_, AppState>, as_of: Option<Date>) -> ApiResult<api::BackupStatus> {
    with_vault(&state, |v| api::backup_status(v, today(as_of)))
}

#[tauri::command(async)]
pub fn backup_make(
    state: State<'_, AppState>,
    req: api::BackupRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<amana::bundle::write::ExportSummary> {
    with_vault(&state, |v| api::backup(v, req, &mut progress(&state, &on_progress)))
}

#[tauri::command(async)]
pub fn stats_get(
    state: State<'_, AppState>,
    req: api::StatsRequest,
    as_of: Option<Date>,
) -> ApiResult<amana::report::stats::Stats> {
    with_vault(&state, |v| api::stats(v, req, today(as_of)))
}

#[tauri::command(async)]
pub fn draft_write(state: State<'_, AppState>, req: api::DraftRequest) -> ApiResult<amana::report::DraftWritten> {
    // A lock says stop while the place chosen does not answer.
    let go_on = go_on(&state);
    with_vault(&state, |v| api::draft(v, req, Date::today(), &mut || go_on()))
}

#[tauri::command(async)]
pub fn backup_restore(
    state: State<'_, AppState>,
    req: api::RestoreRequest,
    on_progress: Channel<api::ProgressEvent>,
) -> ApiResult<api::Restored> {
    api::restore(req, &mut progress(&state, &on_progress))
}

#[tauri::command]
pub fn countries(lang: String) -> Vec<(String, String)> {
    amana::country::all().iter().map(|c| (c.code.to_string(), c.name(&lang).to_string())).collect()
}
