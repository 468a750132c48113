//! Handover in the app: this vault's identity (card, fingerprint, QR code),
//! contacts (from card text, a file or a QR image), export, opening a bundle
//! (read in memory, or imported), backup and restore. Typed wrappers over
//! `identity` and `bundle`; nothing here writes a file except where the
//! user chose (the bundle, the backup, the restored vault).

use std::io::Read;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{ApiError, ApiResult};
use crate::bundle::import::{self, ImportReport, ProposedChange};
use crate::bundle::inbox::{self, Decided};
use crate::bundle::read::{self, BundleSummary, Opener};
use crate::bundle::restore::{self, RestoreError};
use crate::bundle::write::{self, ExportOptions, ExportSummary, Recipients};
use crate::bundle::{BundleError, BundleKind, BundleRecord, Profile, Redaction};
use crate::dossier::date::Date;
use crate::dossier::{store, Kind};
use crate::evidence::Progress;
use crate::identity::{self, Contact, ContactCard, VaultIdentity, DEFAULT_NAME};
use crate::Vault;

/// Largest contact card file or QR image read.
const MAX_CARD_FILE: u64 = 64 * 1024;
const MAX_QR_IMAGE: u64 = 16 << 20;
/// Larger images are scaled down before looking for a QR code (memory, time).
const MAX_QR_SIDE: u32 = 2000;
/// A backup older than this many days is due again.
pub const BACKUP_REMINDER_DAYS: i64 = 14;

fn error(code: &str, message: &str) -> ApiError {
    ApiError { code: code.into(), message: message.into(), wait_seconds: None }
}

/// This vault's identity, as "My identity" shows it.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct MyIdentity {
    /// The card.
    pub card: ContactCard,
    /// The card as text to copy and paste (JSON).
    pub card_text: String,
    /// The fingerprint to compare by phone or in person.
    pub fingerprint: String,
    /// The card as a QR code: an SVG document (drawn here, no image crate).
    pub qr_svg: String,
}

fn my(me: VaultIdentity) -> ApiResult<MyIdentity> {
    let card = me.card();
    let card_text =
        serde_json::to_string(&card).map_err(|_| error("identity.damaged", "the card cannot be written"))?;
    Ok(MyIdentity { qr_svg: qr_svg(&card_text)?, fingerprint: me.fingerprint(), card, card_text })
}

/// Renders text as a QR code in SVG (dark modules on white, a quiet zone).
pub fn qr_svg(text: &str) -> ApiResult<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| error("identity.qr_too_long", "the card is too long for a QR code"))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// This vault's identity (made on first use).
pub fn my_identity(vault: &Vault) -> ApiResult<MyIdentity> {
    my(identity::active(vault.conn(), DEFAULT_NAME)?)
}

/// Makes a new identity; bundles sent to the old one stay readable here.
pub fn rotate_identity(vault: &Vault) -> ApiResult<MyIdentity> {
    my(identity::rotate(vault.conn())?)
}

/// Changes the name recipients see.
pub fn rename_identity(vault: &Vault, name: &str) -> ApiResult<MyIdentity> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(error("identity.bad_name", "the name must have 1 to 100 characters"));
    }
    my(identity::rename(vault.conn(), name)?)
}

/// A card read from text, a file or a QR image, before it is added: the
/// person compares the fingerprint first.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CardPreview {
    /// The card as read (a bare `age1…` recipient has no name or signing key).
    pub card: ContactCard,
    /// The card as text, to add it.
    pub card_text: String,
    /// Its fingerprint (none for a bare recipient).
    pub fingerprint: Option<String>,
    /// The contact already holding this recipient, if any.
    pub existing: Option<Contact>,
}

/// Reads a card pasted as text.
pub fn card_from_text(vault: &Vault, text: &str) -> ApiResult<CardPreview> {
    let card = identity::parse_card(text)?;
    let existing = identity::contacts(vault.conn())?.into_iter().find(|c| c.age_recipient == card.age_recipient);
    let card_text = if card.signing_key.is_empty() {
        card.age_recipient.clone()
    } else {
        serde_json::to_string(&card).map_err(|_| identity::IdentityError::BadCard)?
    };
    Ok(CardPreview { fingerprint: card.fingerprint(), card, card_text, existing })
}

fn read_small(path: &Path, max: u64) -> ApiResult<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|_| error("io.failed", "the file could not be read"))?;
    let mut out = Vec::new();
    f.take(max + 1).read_to_end(&mut out).map_err(|_| error("io.failed", "the file could not be read"))?;
    if out.len() as u64 > max {
        return Err(error("contact.file_too_large", "the file is too large to be a contact card"));
    }
    Ok(out)
}

/// Reads a card from a file the user chose (text).
pub fn card_from_file(vault: &Vault, path: &Path) -> ApiResult<CardPreview> {
    let bytes = read_small(path, MAX_CARD_FILE)?;
    let text = String::from_utf8(bytes).map_err(|_| identity::IdentityError::BadCard)?;
    card_from_text(vault, &text)
}

/// Finds the QR code in an image (PNG or JPEG bytes) and returns its text.
pub fn decode_qr(bytes: &[u8]) -> ApiResult<String> {
    let format =
        image::guess_format(bytes).map_err(|_| error("contact.not_an_image", "this is not a PNG or JPEG image"))?;
    if !matches!(format, image::ImageFormat::Png | image::ImageFormat::Jpeg) {
        return Err(error("contact.not_an_image", "this is not a PNG or JPEG image"));
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 << 20);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| error("contact.not_an_image", "this is not a PNG or JPEG image"))?;
    let img = if img.width() > MAX_QR_SIDE || img.height() > MAX_QR_SIDE {
        img.resize(MAX_QR_SIDE, MAX_QR_SIDE, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let luma = img.to_luma8();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(luma.width() as usize, luma.height() as usize, |x, y| {
            luma.get_pixel(x as u32, y as u32).0[0]
        });
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            return Ok(text);
        }
    }
    Err(error("contact.no_qr_code", "no readable QR code was found in this image"))
}

/// Reads a card from a photo or screenshot of its QR code.
pub fn card_from_qr_image(vault: &Vault, path: &Path) -> ApiResult<CardPreview> {
    let bytes = read_small(path, MAX_QR_IMAGE)?;
    let text = decode_qr(&bytes)?;
    card_from_text(vault, &text)
}

/// Add a contact from card text.
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AddContactRequest {
    /// The card (JSON) or a bare `age1…` recipient.
    pub card: String,
    /// The name to file it under (default: the card's).
    #[serde(default)]
    pub name: Option<String>,
}

/// Every contact.
pub fn contacts(vault: &Vault) -> ApiResult<Vec<Contact>> {
    Ok(identity::contacts(vault.conn())?)
}

/// Adds a contact (never verified on adding).
pub fn add_contact(vault: &Vault, req: AddContactRequest) -> ApiResult<Contact> {
    let card = identity::parse_card(&req.card)?;
    let name = req.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if card.display_name.trim().is_empty() && name.is_none() {
        return Err(error("contact.name_needed", "give this contact a name"));
    }
    Ok(identity::add_contact(vault.conn(), &card, name)?)
}

/// Marks a contact verified, after its fingerprint was compared.
pub fn verify_contact(vault: &Vault, id: Uuid) -> ApiResult<Contact> {
    let c = identity::find_contact(vault.conn(), &id.to_string())?;
    if c.signing_key.is_none() {
        return Err(error("contact.cannot_verify", "a bare age recipient has no fingerprint to verify"));
    }
    Ok(identity::verify_contact(vault.conn(), &id.to_string())?)
}

/// Removes a contact.
pub fn remove_contact(vault: &Vault, id: Uuid) -> ApiResult<Contact> {
    Ok(identity::remove_contact(vault.conn(), &id.to_string())?)
}

/// Export cases for someone.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ExportRequest {
    /// The cases.
    pub cases: Vec<Uuid>,
    /// Only these records of the cases (empty: everything in them).
    #[serde(default)]
    pub records: Vec<Uuid>,
    /// Contacts (id) and `age1…` recipients.
    #[serde(default)]
    pub to: Vec<String>,
    /// A passphrase instead of recipients.
    #[serde(default)]
    #[cfg_attr(test, ts(type = "string | null"))]
    pub passphrase: Option<SecretString>,
    /// What to leave out.
    pub profile: Profile,
    /// Where, as the save dialog returned.
    pub out: PathBuf,
    /// Leave this vault out of the recipients (`amana export --no-self`): it
    /// then cannot read its own bundle. Default: it is always one of them.
    #[serde(default)]
    #[cfg_attr(test, ts(optional))]
    pub no_self: Option<bool>,
}

/// The rule for a new bundle or backup passphrase, for the app and the CLI:
/// at least as long as a vault's.
pub fn check_new_bundle_passphrase(p: &SecretString) -> ApiResult<()> {
    if p.expose_secret().trim().chars().count() < crate::vault::MIN_PASSPHRASE_CHARS {
        return Err(error(
            "bundle.passphrase_too_short",
            &format!(
                "the bundle passphrase is too short: use at least {} characters",
                crate::vault::MIN_PASSPHRASE_CHARS
            ),
        ));
    }
    Ok(())
}

/// Writes a bundle (also readable by this vault when sent to recipients).
/// Recorded in the audit log by the core.
pub fn export(vault: &mut Vault, req: ExportRequest, progress: Progress<'_>) -> ApiResult<ExportSummary> {
    let recipients = match req.passphrase {
        Some(p) => {
            if !req.to.is_empty() {
                return Err(error("bundle.recipients_and_passphrase", "choose recipients or a passphrase, not both"));
            }
            check_new_bundle_passphrase(&p)?;
            Recipients::Passphrase(p)
        }
        None => {
            let mut keys = write::resolve_recipients(vault, &req.to)?;
            if keys.is_empty() {
                return Err(BundleError::NoRecipients.into());
            }
            if req.no_self != Some(true) {
                let me = identity::active(vault.conn(), DEFAULT_NAME)?;
                keys.push((me.recipient().to_string(), "this vault".into()));
            }
            Recipients::Keys(keys)
        }
    };
    Ok(write::export(
        vault,
        ExportOptions {
            cases: req.cases,
            only_records: (!req.records.is_empty()).then_some(req.records),
            recipients,
            profile: req.profile,
            kind: BundleKind::Handover,
            out: req.out,
        },
        progress,
    )?)
}

/// Open a bundle file.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OpenBundleRequest {
    /// The bundle, as the open dialog, a drop or the command line gave it.
    pub path: PathBuf,
    /// For a bundle protected by a passphrase.
    #[serde(default)]
    #[cfg_attr(test, ts(type = "string | null"))]
    pub passphrase: Option<SecretString>,
    /// For an import: the bundle the person was shown (`summary.bundle_id`
    /// of [`open_bundle`]). Another bundle found at `path` meanwhile (a file
    /// replaced, or copied again) is refused (`bundle.changed`) before
    /// anything is written.
    #[serde(default)]
    pub expected_bundle_id: Option<Uuid>,
}

/// Whether the bundle needs a passphrase (reads its header only).
pub fn bundle_needs_passphrase(path: &Path) -> ApiResult<bool> {
    Ok(read::needs_passphrase(path)?)
}

fn opener(vault: &Vault, passphrase: Option<SecretString>) -> ApiResult<Opener> {
    Ok(match passphrase {
        Some(p) => Opener::Passphrase(p),
        None => Opener::Identities(
            identity::all_age_identities(vault.conn())?
                .into_iter()
                .map(|i| Box::new(i) as Box<dyn age::Identity>)
                .collect(),
        ),
    })
}

/// A verified bundle, read into memory only.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BundleContents {
    /// Who sent it, whether verified, what it holds.
    pub summary: BundleSummary,
    /// What importing it would do here, written nothing: new cases, records
    /// held for review, updates, proposed changes field by field.
    pub plan: ImportReport,
    /// The fields left out, record by record.
    pub redactions: Vec<Redaction>,
    /// The records as sent (cases first). Evidence files are checked but not kept.
    pub records: Vec<BundleRecord>,
}

/// Checks a bundle completely (sender, signature, every file) and returns
/// what it holds, in memory. Writes nothing.
pub fn open_bundle(vault: &Vault, req: OpenBundleRequest, progress: Progress<'_>) -> ApiResult<BundleContents> {
    let opener = opener(vault, req.passphrase)?;
    let manifest = import::verify(&req.path, &opener, progress)?;
    let reader = read::Reader::of(&opener, Some(vault.conn()))?;
    let summary = read::summarise(&manifest, Some(vault.conn()), &reader)?;
    let plan = import::preview(vault, &manifest, summary.clone())?;
    // The records as the app shows them: parsed, so what a sender chose and
    // the reader does not show as it came (an evidence file's name: a path,
    // a hidden override) is already reduced, as an import would store it.
    let records = manifest
        .records
        .into_iter()
        .map(|mut r| {
            r.data = r.record().map(|x| x.to_json()).map_err(BundleError::BadManifest)?;
            Ok(r)
        })
        .collect::<Result<Vec<_>, BundleError>>()?;
    Ok(BundleContents { summary, plan, redactions: manifest.redactions, records })
}

/// Imports a bundle: verified whole first, then merged; conflicts reported.
/// With `expected_bundle_id`, only the bundle the person was shown.
pub fn import_bundle(vault: &mut Vault, req: OpenBundleRequest, progress: Progress<'_>) -> ApiResult<ImportReport> {
    let opener = opener(vault, req.passphrase)?;
    Ok(match req.expected_bundle_id {
        Some(id) => import::import_expected(vault, &req.path, opener, id, progress)?,
        None => import::import(vault, &req.path, Some(opener), progress)?,
    })
}

/// Make a full backup.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BackupRequest {
    /// Where, as the save dialog returned.
    pub out: PathBuf,
    /// The backup's passphrase (so it opens without this computer).
    #[cfg_attr(test, ts(type = "string"))]
    pub passphrase: SecretString,
}

/// Writes a full backup bundle (every case, with history), protected by a
/// passphrase. The audit log records it, which is where its date is kept.
pub fn backup(vault: &mut Vault, req: BackupRequest, progress: Progress<'_>) -> ApiResult<ExportSummary> {
    backup_to(vault, req.out, BackupTo::Passphrase(req.passphrase), progress)
}

/// Who can open a backup.
pub enum BackupTo {
    /// Anyone with this passphrase (a new one: [`check_new_bundle_passphrase`]).
    Passphrase(SecretString),
    /// Only this vault's identity (`amana backup --to-self`; keep the identity
    /// file apart).
    ThisVault,
}

/// Writes a full backup: every case with its history, and the vault block
/// (identities, contacts). One owner for the app and the CLI: a vault with
/// neither cases nor contacts has nothing to back up.
pub fn backup_to(vault: &mut Vault, out: PathBuf, to: BackupTo, progress: Progress<'_>) -> ApiResult<ExportSummary> {
    let recipients = match to {
        BackupTo::Passphrase(p) => {
            check_new_bundle_passphrase(&p)?;
            Recipients::Passphrase(p)
        }
        BackupTo::ThisVault => {
            let me = identity::active(vault.conn(), DEFAULT_NAME)?;
            Recipients::Keys(vec![(me.recipient().to_string(), "this vault".into())])
        }
    };
    let cases: Vec<Uuid> = store::list(vault.conn(), Some(Kind::Case), None)?.into_iter().map(|c| c.id).collect();
    if cases.is_empty() && identity::contacts(vault.conn())?.is_empty() {
        return Err(error("bundle.nothing_selected", "the vault has no cases and no contacts to back up"));
    }
    Ok(write::export(
        vault,
        ExportOptions { cases, only_records: None, recipients, profile: Profile::FULL, kind: BundleKind::Backup, out },
        progress,
    )?)
}

/// When the last backup was made, from the vault's audit log.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct BackupStatus {
    /// The last backup (RFC 3339), if any.
    pub last_backup_at: Option<String>,
    /// Days since then.
    pub days_since: Option<i64>,
    /// Whether to remind the user (never backed up, or too long ago).
    pub due: bool,
    /// The reminder's threshold in days.
    pub remind_after_days: i64,
    /// Whether the vault has anything to back up.
    pub has_cases: bool,
}

/// Whether a backup is due.
pub fn backup_status(vault: &Vault, today: Date) -> ApiResult<BackupStatus> {
    let last = crate::audit::last_at(vault.conn(), crate::audit::Action::Export, "backup")?;
    let days_since =
        last.as_deref().and_then(|at| at.get(..10)).and_then(|d| d.parse::<Date>().ok()).map(|d| d.days_until(today));
    let has_cases = !store::list(vault.conn(), Some(Kind::Case), None)?.is_empty();
    Ok(BackupStatus {
        due: has_cases && days_since.is_none_or(|d| d >= BACKUP_REMINDER_DAYS),
        last_backup_at: last,
        days_since,
        remind_after_days: BACKUP_REMINDER_DAYS,
        has_cases,
    })
}

/// Restore a backup into a new vault.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct RestoreRequest {
    /// The backup bundle.
    pub file: PathBuf,
    /// An empty or new folder for the restored vault.
    pub into: PathBuf,
    /// The backup's passphrase.
    #[cfg_attr(test, ts(type = "string"))]
    pub backup_passphrase: SecretString,
    /// The restored vault's passphrase.
    #[cfg_attr(test, ts(type = "string"))]
    pub new_passphrase: SecretString,
}

/// A restored vault.
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Restored {
    /// Where it is.
    pub path: PathBuf,
    /// What was restored.
    pub report: ImportReport,
    /// The new vault's recovery key, shown once.
    pub recovery_key: String,
}

/// Restores a backup into a new vault in `into` (a new or empty folder):
/// the backup is checked completely before anything is created, and the
/// vault is built aside and moved into place only when complete
/// (`bundle::restore`), so a failed or interrupted restore leaves no vault
/// behind.
pub fn restore(req: RestoreRequest, progress: Progress<'_>) -> ApiResult<Restored> {
    let opener = if read::needs_passphrase(&req.file)? {
        Opener::Passphrase(req.backup_passphrase)
    } else {
        return Err(error(
            "bundle.backup_needs_identity",
            "this backup opens only with the identity of the vault that made it; restore it with the command line",
        ));
    };
    let checked = restore::check(&req.into, &req.file, opener, &mut |d, t| progress(d / 2, t))?;
    let params = crate::KdfParams::calibrate(std::time::Duration::from_secs(1));
    let done = checked.restore(&req.new_passphrase, params, &mut |d, t| progress(t / 2 + d / 2, t))?;
    let shown = done.recovery.display_once();
    Ok(Restored { path: done.path, report: done.report, recovery_key: shown.expose_secret().to_string() })
}

impl From<RestoreError> for ApiError {
    fn from(e: RestoreError) -> Self {
        match e {
            RestoreError::Vault(e) => e.into(),
            e => ApiError { code: e.code().into(), message: e.to_string(), wait_seconds: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_survives_a_round_trip_through_its_qr_code() {
        let text = r#"{"amana_contact":1,"display_name":"Lina (fictional)","age_recipient":"age1qqq","signing_key":"ed25519:AAAA"}"#;
        let svg = qr_svg(text).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{}", &svg[..60]);
        // Rasterise the SVG's modules the way a camera would see them.
        let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).unwrap();
        let (w, quiet, scale) = (code.width(), 4, 4);
        let colors = code.to_colors();
        let side = ((w + 2 * quiet) * scale) as u32;
        let img = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x as usize / scale, y as usize / scale);
            let inside = (quiet..w + quiet).contains(&mx) && (quiet..w + quiet).contains(&my);
            let dark = inside && colors[(my - quiet) * w + mx - quiet] == qrcode::Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageLuma8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(decode_qr(&png).unwrap(), text);
    }

    #[test]
    fn an_image_without_a_qr_code_or_not_an_image_is_refused() {
        let blank = image::GrayImage::from_pixel(64, 64, image::Luma([255]));
        let mut png = Vec::new();
        image::DynamicImage::ImageLuma8(blank)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(decode_qr(&png).unwrap_err().code, "contact.no_qr_code");
        assert_eq!(decode_qr(b"GIF89a not allowed").unwrap_err().code, "contact.not_an_image");
        assert_eq!(decode_qr(b"plain text").unwrap_err().code, "contact.not_an_image");
    }
}

/// The proposed changes waiting for the person (with `decided`, the ones
/// accepted and rejected before), oldest first, each with its field-by-field
/// difference from the record as it is now.
pub fn proposals(vault: &Vault, decided: bool) -> ApiResult<Vec<ProposedChange>> {
    if !decided {
        return Ok(inbox::list(vault.conn(), inbox::Status::Pending)?);
    }
    let mut all = inbox::list(vault.conn(), inbox::Status::Accepted)?;
    all.extend(inbox::list(vault.conn(), inbox::Status::Rejected)?);
    all.sort_by(|a, b| a.received_at.cmp(&b.received_at));
    Ok(all)
}

/// Decide on proposed changes: one (`proposal`) or every pending one of a
/// bundle (`bundle_id`).
#[derive(Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DecideRequest {
    /// One proposal.
    #[serde(default)]
    pub proposal: Option<Uuid>,
    /// Every pending proposal of this bundle.
    #[serde(default)]
    pub bundle_id: Option<Uuid>,
    /// Accept (apply) or reject.
    pub accept: bool,
}

/// Accepts or rejects proposed changes; audited.
pub fn decide_proposals(vault: &mut Vault, req: DecideRequest) -> ApiResult<Decided> {
    Ok(match (req.proposal, req.bundle_id) {
        (Some(id), None) if req.accept => inbox::accept(vault, id)?,
        (Some(id), None) => inbox::reject(vault, id)?,
        (None, Some(b)) => inbox::decide_bundle(vault, b, req.accept)?,
        _ => return Err(error("proposal.not_found", "give either one proposed change or one bundle")),
    })
}

/// Marks the records of a case that were received unreviewed as reviewed.
pub fn mark_case_reviewed(vault: &mut Vault, case_id: Uuid) -> ApiResult<usize> {
    let tx = vault.conn_mut().transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let n = crate::dossier::store::mark_reviewed(&tx, case_id)?;
    tx.commit()?;
    Ok(n)
}
