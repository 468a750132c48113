//! The handover part of the app contract (`amana::api`), as the desktop app
//! calls it, on real vaults: contacts from a card and from a QR image,
//! export with the "no source identities" profile, reading a bundle in memory
//! (nothing written), importing it, the backup reminder, a backup and its
//! restore into a new folder, and the typed errors of bad input.

mod common;

use std::path::Path;

use amana::api::{self, AddContactRequest, BackupRequest, ExportRequest, OpenBundleRequest, RestoreRequest};
use amana::bundle::Profile;
use amana::dossier::date::Date;
use amana::dossier::Kind;
use amana::{KdfParams, Vault};
use secrecy::SecretString;
use serde_json::json;

const PASS: &str = "a long passphrase for these tests";
const SOURCE_NAME: &str = "Samira Haddad (fictional)";

fn vault(dir: &Path) -> Vault {
    let params = KdfParams { memory_kib: 64 * 1024, iterations: 1, parallelism: 1 };
    Vault::create(dir, &SecretString::from(PASS), params).expect("vault").0
}

/// A case with a source whose identity is known, and a testimony by them.
fn case_with_source(v: &mut Vault) -> uuid::Uuid {
    let case = api::add_record(
        v,
        api::AddRecordRequest {
            kind: Kind::Case,
            case_id: None,
            data: json!({ "title": "Extradition request", "subject": { "names": [{ "name": "Samir al-Kayali" }] } }),
        },
    )
    .unwrap();
    let source = api::add_record(
        v,
        api::AddRecordRequest {
            kind: Kind::Source,
            case_id: Some(case.id),
            data: json!({ "pseudonym": "Witness K", "identity": { "full_name": SOURCE_NAME } }),
        },
    )
    .unwrap();
    api::add_record(
        v,
        api::AddRecordRequest {
            kind: Kind::Testimony,
            case_id: Some(case.id),
            data: json!({ "text": "He was taken at the airport.", "language": "en", "source_id": source.id }),
        },
    )
    .unwrap();
    case.id
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walk(dir).into_iter().map(|p| p.display().to_string()).collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_case_goes_from_a_to_b_without_the_sources_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = vault(&tmp.path().join("a"));
    let mut b = vault(&tmp.path().join("b"));
    let case = case_with_source(&mut a);

    // B's card reaches A as text; A sees the fingerprint before adding it.
    let b_me = api::my_identity(&b).unwrap();
    assert!(b_me.qr_svg.contains("<svg"), "the card's QR code is an SVG");
    let preview = api::card_from_text(&a, &b_me.card_text).unwrap();
    assert_eq!(preview.fingerprint.as_deref(), Some(b_me.fingerprint.as_str()));
    assert!(preview.existing.is_none());
    let contact =
        api::add_contact(&a, AddContactRequest { card: preview.card_text, name: Some("Nadia".into()) }).unwrap();
    assert!(!contact.verified, "never verified on adding");
    assert!(api::verify_contact(&a, contact.id).unwrap().verified);
    assert_eq!(api::card_from_text(&a, &b_me.card_text).unwrap().existing.map(|c| c.id), Some(contact.id));

    let out = tmp.path().join("for-nadia.amana");
    let sent = api::export(
        &mut a,
        ExportRequest {
            cases: vec![case],
            records: vec![],
            to: vec![contact.id.to_string()],
            passphrase: None,
            profile: Profile::parse("no-source-identities").unwrap(),
            out: out.clone(),
            no_self: None,
        },
        &mut |_, _| true,
    )
    .unwrap();
    assert_eq!((sent.cases, sent.records, sent.redactions), (1, 3, 1));
    assert!(sent.recipients.iter().any(|r| r.starts_with("Nadia (")), "{:?}", sent.recipients);

    // B reads it in memory: B's vault and its folder do not change.
    let before = files_in(&tmp.path().join("b"));
    let req = || OpenBundleRequest { path: out.clone(), passphrase: None, expected_bundle_id: None };
    let read = api::open_bundle(&b, req(), &mut |_, _| true).unwrap();
    assert_eq!(files_in(&tmp.path().join("b")), before, "reading wrote nothing");
    assert!(read.summary.sender_contact.is_none() && !read.summary.sender_verified, "A is not B's contact yet");
    assert_eq!(read.summary.sender.fingerprint, api::my_identity(&a).unwrap().fingerprint);
    assert_eq!(read.redactions.len(), 1);
    assert_eq!(read.redactions[0].fields, vec!["identity".to_string()]);
    let text = serde_json::to_string(&read.records).unwrap();
    assert!(text.contains("Witness K") && !text.contains(SOURCE_NAME), "the identity is not in the bundle");

    // Once A is a verified contact of B, the same bundle shows a verified sender.
    let a_card = api::my_identity(&a).unwrap().card_text;
    let a_contact = api::add_contact(&b, AddContactRequest { card: a_card, name: None }).unwrap();
    api::verify_contact(&b, a_contact.id).unwrap();
    assert!(api::open_bundle(&b, req(), &mut |_, _| true).unwrap().summary.sender_verified);

    // Imported as the app does: the bundle B was shown, and only that one.
    // Another bundle put in its place meanwhile (here one A made later,
    // with a second case) is refused, and B's vault does not change.
    let shown = read.summary.bundle_id;
    let replaced = tmp.path().join("replaced.amana");
    std::fs::copy(&out, &replaced).unwrap();
    case_with_source(&mut a);
    let export_all = |a: &mut Vault, to: &Path| {
        let cases = api::list_cases(a, Date::today()).unwrap().into_iter().map(|c| c.id).collect();
        let req = ExportRequest {
            cases,
            records: vec![],
            to: vec![contact.id.to_string()],
            passphrase: None,
            profile: Profile::parse("no-source-identities").unwrap(),
            out: to.to_path_buf(),
            no_self: None,
        };
        api::export(a, req, &mut |_, _| true).unwrap()
    };
    let later = tmp.path().join("later.amana");
    assert_eq!(export_all(&mut a, &later).cases, 2);
    std::fs::rename(&later, &out).unwrap();
    let before = files_in(&tmp.path().join("b"));
    let as_shown = || OpenBundleRequest { path: out.clone(), passphrase: None, expected_bundle_id: Some(shown) };
    assert_eq!(api::import_bundle(&mut b, as_shown(), &mut |_, _| true).unwrap_err().code, "bundle.changed");
    assert_eq!(files_in(&tmp.path().join("b")), before, "nothing written");
    assert!(api::list_cases(&b, Date::today()).unwrap().is_empty());
    std::fs::rename(&replaced, &out).unwrap();
    let report = api::import_bundle(&mut b, as_shown(), &mut |_, _| true).unwrap();
    assert_eq!((report.added, report.proposed.len()), (3, 0));
    let o = api::case_overview(&b, case, Date::today()).unwrap();
    assert_eq!(o.sources.len(), 1);
    assert!(!serde_json::to_string(&o.sources).unwrap().contains(SOURCE_NAME));

    // A bundle made for someone else is refused with its own code.
    let c = vault(&tmp.path().join("c"));
    assert_eq!(api::open_bundle(&c, req(), &mut |_, _| true).unwrap_err().code, "bundle.not_for_you");
}

#[test]
fn a_contact_card_is_read_from_a_photo_of_its_qr_code() {
    let tmp = tempfile::tempdir().unwrap();
    let a = vault(&tmp.path().join("a"));
    let b = vault(&tmp.path().join("b"));
    let card = api::my_identity(&b).unwrap().card_text;
    let code = qrcode::QrCode::new(card.as_bytes()).unwrap();
    let (w, quiet, scale) = (code.width(), 4, 6);
    let colors = code.to_colors();
    let side = ((w + 2 * quiet) * scale) as u32;
    let img = image::GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let inside = (quiet..w + quiet).contains(&mx) && (quiet..w + quiet).contains(&my);
        image::Luma([if inside && colors[(my - quiet) * w + mx - quiet] == qrcode::Color::Dark { 20 } else { 235 }])
    });
    let png = tmp.path().join("card.png");
    img.save(&png).unwrap();
    let preview = api::card_from_qr_image(&a, &png).unwrap();
    assert_eq!(preview.fingerprint, Some(api::my_identity(&b).unwrap().fingerprint));

    // Not an image, and an image without a code: typed errors, nothing added.
    let txt = tmp.path().join("note.txt");
    std::fs::write(&txt, "hello").unwrap();
    assert_eq!(api::card_from_qr_image(&a, &txt).unwrap_err().code, "contact.not_an_image");
    assert_eq!(api::card_from_text(&a, "hello").unwrap_err().code, "contact.bad_card");
    assert_eq!(
        api::add_contact(&a, AddContactRequest { card: "age1notarecipient".into(), name: None }).unwrap_err().code,
        "contact.bad_card"
    );
    assert!(api::contacts(&a).unwrap().is_empty());
}

/// The error of a restore that must fail (`Restored` holds the recovery key: no Debug).
fn restore_error(req: RestoreRequest) -> String {
    match api::restore(req, &mut |_, _| true) {
        Ok(_) => panic!("the restore should have failed"),
        Err(e) => e.code,
    }
}

#[test]
fn a_backup_is_remembered_in_the_vault_and_restores_into_a_new_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = vault(&tmp.path().join("a"));
    let today = Date::today();
    let empty = api::backup_status(&a, today).unwrap();
    assert!(!empty.due && !empty.has_cases, "nothing to back up, no reminder");
    case_with_source(&mut a);
    let never = api::backup_status(&a, today).unwrap();
    assert!(never.due && never.last_backup_at.is_none());

    let out = tmp.path().join("backup.amana");
    let short = api::backup(
        &mut a,
        BackupRequest { out: out.clone(), passphrase: SecretString::from("short") },
        &mut |_, _| true,
    );
    assert_eq!(short.unwrap_err().code, "bundle.passphrase_too_short");
    assert!(!out.exists());
    let made =
        api::backup(&mut a, BackupRequest { out: out.clone(), passphrase: SecretString::from(PASS) }, &mut |_, _| true)
            .unwrap();
    assert_eq!(made.records, 3);
    let after = api::backup_status(&a, today).unwrap();
    assert!(!after.due && after.days_since == Some(0), "{after:?}");

    // Restoring needs the right passphrase, and leaves no vault behind when it fails.
    let into = tmp.path().join("restored");
    let req = |p: &str| RestoreRequest {
        file: out.clone(),
        into: into.clone(),
        backup_passphrase: SecretString::from(p.to_string()),
        new_passphrase: SecretString::from("another long passphrase"),
    };
    assert_eq!(restore_error(req("wrong passphrase!")), "bundle.wrong_passphrase");
    assert!(!into.join("vault.key").exists());
    let restored = api::restore(req(PASS), &mut |_, _| true).unwrap();
    assert_eq!(restored.report.added, 3);
    assert!(restored.recovery_key.starts_with("AMANA"), "a new recovery key is shown once");
    let r = Vault::unlock(&into, &SecretString::from("another long passphrase")).unwrap();
    assert_eq!(api::list_cases(&r, today).unwrap().len(), 1);
    // Never over an existing vault.
    assert_eq!(restore_error(req(PASS)), "vault.already_exists");
}

/// The app's restore takes a new or an empty folder and nothing else, and a
/// restore stopped midway (Stop, here after the backup was checked and the
/// vault begun) leaves nothing at the destination and nothing beside it.
#[test]
fn a_restore_takes_only_an_empty_folder_and_a_stopped_one_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = vault(&tmp.path().join("a"));
    case_with_source(&mut a);
    let backup = tmp.path().join("backup.amana");
    api::backup(&mut a, BackupRequest { out: backup.clone(), passphrase: SecretString::from(PASS) }, &mut |_, _| true)
        .unwrap();
    let place = tmp.path().join("place");
    std::fs::create_dir(&place).unwrap();
    let req = |into: &Path| RestoreRequest {
        file: backup.clone(),
        into: into.to_path_buf(),
        backup_passphrase: SecretString::from(PASS),
        new_passphrase: SecretString::from("another long passphrase"),
    };

    // A folder with someone's file in it: refused before anything is done.
    let busy = place.join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("notes.txt"), "mine").unwrap();
    assert_eq!(restore_error(req(&busy)), "vault.folder_not_empty");
    assert_eq!(files_in(&busy), vec![busy.join("notes.txt").display().to_string()]);

    // Stopped at the first step of the second half (the import), once the
    // backup was checked and the vault begun.
    let stopped = place.join("stopped");
    std::fs::create_dir(&stopped).unwrap();
    let mut checked = false;
    let result = api::restore(req(&stopped), &mut |done, total| {
        checked |= done == total / 2;
        done <= total / 2
    });
    assert_eq!(result.err().map(|e| e.code), Some("cancelled".to_string()));
    assert!(checked, "the backup was read whole before the stop");
    assert!(files_in(&stopped).is_empty(), "{:?}", files_in(&stopped));
    let mut names: Vec<String> =
        std::fs::read_dir(&place).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["busy", "stopped"], "nothing beside the destination");

    // The same empty folder takes the restored vault.
    let restored = api::restore(req(&stopped), &mut |_, _| true).unwrap();
    assert_eq!(restored.report.added, 3);
    let r = Vault::unlock(&stopped, &SecretString::from("another long passphrase")).unwrap();
    assert_eq!(api::list_cases(&r, Date::today()).unwrap().len(), 1);
}

/// A restore reads the backup twice: whole, to check it before the new
/// passphrase is asked for, then to build the vault, checking every byte
/// again and that it is still the backup that was checked. One replaced in
/// between (here by another whole, signed backup of the same vault, with the
/// same passphrase) is refused, and nothing is left at the destination or
/// beside it.
#[test]
fn a_backup_replaced_after_its_check_is_refused_and_leaves_nothing() {
    use amana::bundle::read::Opener;
    use amana::bundle::restore;

    let tmp = tempfile::tempdir().unwrap();
    let mut a = vault(&tmp.path().join("a"));
    case_with_source(&mut a);
    let backup_to = |a: &mut Vault, out: &Path| {
        let req = BackupRequest { out: out.to_path_buf(), passphrase: SecretString::from(PASS) };
        api::backup(a, req, &mut |_, _| true).unwrap().records
    };
    let backup = tmp.path().join("backup.amana");
    assert_eq!(backup_to(&mut a, &backup), 3);
    case_with_source(&mut a);
    let other = tmp.path().join("other.amana");
    assert_eq!(backup_to(&mut a, &other), 6);
    drop(a);

    let into = tmp.path().join("restored");
    let params = KdfParams { memory_kib: 64 * 1024, iterations: 1, parallelism: 1 };
    let new_pass = SecretString::from("another long passphrase");
    let open = || Opener::Passphrase(SecretString::from(PASS));
    let checked = restore::check(&into, &backup, open(), &mut |_, _| true).unwrap();
    assert_eq!(checked.manifest().records.len(), 3);
    std::fs::rename(&other, &backup).unwrap();
    let refused = checked.restore(&new_pass, params, &mut |_, _| true).err().expect("a replaced backup is refused");
    assert_eq!(refused.code(), "bundle.changed", "{refused}");
    assert!(refused.to_string().contains("still being copied"), "{refused}");
    assert!(!into.exists(), "nothing at the destination");
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "backup.amana"], "no staging folder beside it");

    // Checked itself, the backup now there restores, with its 6 records.
    let checked = restore::check(&into, &backup, open(), &mut |_, _| true).unwrap();
    let restored = checked.restore(&new_pass, params, &mut |_, _| true).expect("restored");
    assert_eq!(restored.report.added, 6);
    let r = Vault::unlock(&into, &new_pass).unwrap();
    assert_eq!(api::list_cases(&r, Date::today()).unwrap().len(), 2);
}

/// What the app shows of a bundle it reads into memory has the sender's file
/// names reduced, as an import would store them (vector warn_path_like_file_name,
/// signed again for this vault).
#[test]
fn the_app_never_shows_a_file_name_as_the_sender_wrote_it() {
    let tmp = tempfile::tempdir().unwrap();
    let v = vault(&tmp.path().join("v"));
    let (mut m, file) = common::handover::vector_manifest_and_file("warn_path_like_file_name.amana");
    let me = api::my_identity(&v).unwrap();
    let to: age::x25519::Recipient = me.card.age_recipient.parse().unwrap();
    m["recipients"] = serde_json::json!({"age": [me.card.age_recipient], "passphrase": false});
    let path = m["files"][0]["path"].as_str().unwrap().to_string();
    let out = tmp.path().join("named.amana");
    let sender = ed25519_dalek::SigningKey::from_bytes(b"amana test vector sender key v1!");
    common::handover::signed_bundle(&m, &sender, &[(&path, &file)], &to, &out);

    let req = OpenBundleRequest { path: out, passphrase: None, expected_bundle_id: None };
    let contents = api::open_bundle(&v, req, &mut |_, _| true).unwrap();
    let ev = contents.records.iter().find(|r| r.kind == amana::dossier::Kind::Evidence).unwrap();
    let name = ev.data["file_name"].as_str().unwrap();
    assert_eq!(name, amana::text::safe_file_name("../../.config/autostart/report\u{202E}fdp.desktop"));
    assert!(!name.contains(['/', '\u{202E}']) && !name.starts_with('.'), "{name}");
}

/// A lock while a bundle is opened or imported from a FIFO that never
/// delivers (or a hung share): the app tells the operation to stop through
/// its progress callback, and it must give the vault back within a second
/// although no read ever returns; nothing is imported, and the vault works
/// and locks as usual.
#[test]
fn a_stop_ends_opening_or_importing_a_stalled_bundle_within_a_second() {
    use common::stall::*;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let mut vault = new_vault(&dir);
    let before = api::list_cases(&vault, Date::today()).unwrap().len();
    let fifo = tmp.path().join("from-a-partner.amana");
    let _writer = silent_fifo(&fifo);
    let req = || OpenBundleRequest { path: fifo.clone(), passphrase: None, expected_bundle_id: None };

    let open = req();
    let (v, code) = stopped_while_stalled(vault, move |v, progress| api::open_bundle(v, open, progress));
    assert_eq!(code.as_deref(), Some("cancelled"), "open_bundle");
    vault = v;
    let import = req();
    let (v, code) = stopped_while_stalled(vault, move |v, progress| api::import_bundle(v, import, progress));
    assert_eq!(code.as_deref(), Some("cancelled"), "import_bundle");
    vault = v;

    assert_eq!(api::list_cases(&vault, Date::today()).unwrap().len(), before);
    assert!(files_in(&dir.join("files")).is_empty());
    case_with_source(&mut vault);
    vault.lock();
    assert!(Vault::unlock(&dir, &SecretString::from(VAULT_PASS)).is_ok());
}

/// A lock while a bundle or a backup is written to a share that stopped
/// answering (a real file system, frozen: every write blocks in the
/// kernel): the operation must give the vault back within a second,
/// whether the share froze before it began or in the middle of the
/// bundle; nothing is left on the share once it answers again, the audit
/// log records no export, and the vault works and locks as usual.
#[test]
fn a_stop_ends_an_export_or_a_backup_to_a_stalled_share_within_a_second() {
    use common::stall::*;

    let tmp = tempfile::tempdir().unwrap();
    let Some(mut share) = FrozenMount::new(tmp.path()) else { return };
    let dir = tmp.path().join("vault");
    let mut vault = new_vault(&dir);
    let case = case_with_source(&mut vault);
    let file = tmp.path().join("hearing.mp4");
    common::write_pattern_file(&file, 3 << 20, 7);
    let attach =
        api::AttachRequest { attached_to: case, path: file, acquisition: Default::default(), description: "".into() };
    api::attach(&mut vault, attach, &mut |_, _| true).unwrap();
    let exports = |v: &Vault| -> i64 {
        v.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'export'", [], |r| r.get(0)).unwrap()
    };
    // To a recipient key (and this vault), not a passphrase: scrypt's key
    // derivation runs before the first progress report and, in a debug
    // build on a loaded machine, took longer than the second allowed.
    let partner = age::x25519::Identity::generate().to_public().to_string();
    let request = |out: std::path::PathBuf| ExportRequest {
        cases: vec![case],
        records: vec![],
        to: vec![partner.clone()],
        passphrase: None,
        profile: Profile::FULL,
        out,
        no_self: None,
    };

    // Frozen in the middle: the first figures of progress freeze the share.
    let out = share.dir.join("for-the-lawyer.amana");
    let (req, frozen_dir) = (request(out.clone()), share.dir.clone());
    let (v, code) = stopped_while_stalled(vault, move |v, progress| {
        let mut froze = false;
        api::export(v, req, &mut |done, total| {
            if !froze && done > 0 {
                freeze_now(&frozen_dir);
                froze = true;
            }
            progress(done, total)
        })
    });
    assert_eq!(code.as_deref(), Some("cancelled"), "export");
    vault = v;
    share.thaw_and_expect(&[], std::time::Duration::from_secs(5));

    // Frozen before it begins: creating the file blocks.
    share.freeze();
    let req = BackupRequest {
        out: share.dir.join("backup.amana"),
        passphrase: SecretString::from("a long backup passphrase here"),
    };
    let (v, code) = stopped_while_stalled(vault, move |v, progress| api::backup(v, req, progress));
    assert_eq!(code.as_deref(), Some("cancelled"), "backup");
    vault = v;
    share.thaw_and_expect(&[], std::time::Duration::from_secs(5));
    assert_eq!(exports(&vault), 0, "no export in the audit log");

    // The share answers again: the same export goes through, whole.
    api::export(&mut vault, request(out.clone()), &mut |_, _| true).unwrap();
    assert_eq!(share.names(), ["for-the-lawyer.amana"]);
    assert_eq!(exports(&vault), 1);
    let summary = api::open_bundle(
        &vault,
        OpenBundleRequest { path: out, passphrase: None, expected_bundle_id: None },
        &mut |_, _| true,
    )
    .unwrap();
    assert_eq!(summary.summary.files, 1);
    vault.lock();
    assert!(Vault::unlock(&dir, &SecretString::from(VAULT_PASS)).is_ok());
}

/// A backup follows one set of rules whether the app or the CLI asks for
/// it (api::backup_to owns them): a vault with neither cases nor contacts
/// has nothing to back up; one with contacts only does (its identity and
/// verified contacts are worth keeping). Before, the app refused the
/// contacts-only vault that the CLI backed up.
#[test]
fn the_app_and_the_cli_follow_the_same_backup_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = vault(&tmp.path().join("a"));
    let b = vault(&tmp.path().join("b"));
    let backup = |a: &mut Vault, name: &str| {
        api::backup(
            a,
            BackupRequest { out: tmp.path().join(name), passphrase: SecretString::from(PASS) },
            &mut |_, _| true,
        )
    };
    assert_eq!(backup(&mut a, "empty.amana").unwrap_err().code, "bundle.nothing_selected");
    let card = api::my_identity(&b).unwrap().card_text;
    api::add_contact(&a, AddContactRequest { card, name: Some("Nadia".into()) }).unwrap();
    let made = backup(&mut a, "contacts-only.amana").unwrap();
    assert_eq!((made.cases, made.records), (0, 0));
    assert!(tmp.path().join("contacts-only.amana").exists());

    // The CLI, on a vault with nothing: the same refusal, the same code.
    let v = common::TestVault::new();
    let out = v.tmp.path().join("backup.amana");
    let (code, _) = common::error_of(&v.run_with_env(
        &["backup", "--out", out.to_str().unwrap(), "--json"],
        &[("AMANA_PASSPHRASE", common::PASS), ("AMANA_BUNDLE_PASSPHRASE", PASS)],
    ));
    assert_eq!(code, "bundle.nothing_selected");
    assert!(!out.exists());
}

/// A lock while a passphrase bundle is opened and its key derived (scrypt,
/// here at 2^19: over two seconds in this build, with no progress report):
/// the derivation runs on a helper thread, and the open gives the vault back
/// at once. Before, the stop was seen only once the key was derived.
#[test]
fn a_stop_ends_opening_a_passphrase_bundle_while_its_key_is_derived() {
    use common::stall::*;
    use std::io::Write;

    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("from-a-partner.amana");
    let mut r = age::scrypt::Recipient::new(age::secrecy::SecretString::from("the partner's long passphrase"));
    r.set_work_factor(19);
    let started = std::time::Instant::now();
    let enc = age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient)).unwrap();
    eprintln!("scrypt at 2^19 took {:?} here", started.elapsed());
    let mut w = enc.wrap_output(std::fs::File::create(&bundle).unwrap()).unwrap();
    w.write_all(b"not even a tar: the key is derived before anything is read").unwrap();
    w.finish().unwrap();

    let vault = new_vault(&tmp.path().join("vault"));
    let req = OpenBundleRequest {
        path: bundle,
        passphrase: Some(SecretString::from("the partner's long passphrase")),
        expected_bundle_id: None,
    };
    let (_, code) = stopped_while_stalled(vault, move |v, progress| api::open_bundle(v, req, progress));
    assert_eq!(code.as_deref(), Some("cancelled"));
}

/// A lock while a draft letter is written to a share that stopped answering
/// (frozen): the draft gives the vault back within a second, nothing is
/// left on the share once it answers, and no draft is in the audit log.
#[test]
fn a_stop_ends_a_draft_to_a_stalled_share_within_a_second() {
    use common::stall::*;

    let tmp = tempfile::tempdir().unwrap();
    let Some(mut share) = FrozenMount::new(tmp.path()) else { return };
    let mut vault = new_vault(&tmp.path().join("vault"));
    let case = case_with_source(&mut vault);
    let request = |out: &std::path::Path| -> api::DraftRequest {
        serde_json::from_value(
            json!({ "kind": "case-summary", "case_id": case, "lang": "en", "format": "md", "out": out }),
        )
        .unwrap()
    };
    let drafts = |v: &Vault| -> i64 {
        v.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'draft'", [], |r| r.get(0)).unwrap()
    };
    share.freeze();
    let req = request(&share.dir.join("summary.md"));
    let (v, code) =
        stopped_while_stalled(vault, move |v, progress| api::draft(v, req, Date::today(), &mut || progress(0, 1)));
    assert_eq!(code.as_deref(), Some("cancelled"));
    vault = v;
    share.thaw_and_expect(&[], std::time::Duration::from_secs(5));
    assert_eq!(drafts(&vault), 0);

    // Once the share answers, the same draft is written.
    let written = api::draft(&mut vault, request(&share.dir.join("summary.md")), Date::today(), &mut || true).unwrap();
    assert!(written.size > 0);
    assert_eq!(share.names(), ["summary.md"]);
    assert_eq!(drafts(&vault), 1);
}
