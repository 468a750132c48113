//! The app's restore (`api::restore`, what the desktop calls) is crash-safe
//! like the CLI's: killed (SIGKILL) at every crash point it passes, it leaves
//! at the destination either nothing or the whole restored vault, never a
//! half one; and the next restore to the same place completes and leaves no
//! staging folder behind.
//!
//! A kill needs a process of its own: this test binary runs itself again,
//! only the ignored helper `restore_in_a_child`, with `AMANA_CRASH_AT`
//! (src/fault.rs). Needs the `fault-injection` feature (the Makefile
//! enables it).

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use amana::api::{self, AttachRequest, BackupRequest, RestoreRequest};
use amana::dossier::date::Date;
use amana::dossier::Kind;
use amana::{KdfParams, Vault};
use secrecy::SecretString;
use serde_json::json;

const PASS: &str = "a long passphrase for these tests";
const BACKUP_PASS: &str = "the backup's own long passphrase";
const NEW_PASS: &str = "the restored vault's passphrase";
/// The child's backup file and destination.
const FILE_ENV: &str = "AMANA_TEST_RESTORE_FILE";
const INTO_ENV: &str = "AMANA_TEST_RESTORE_INTO";

fn request(file: &Path, into: &Path) -> RestoreRequest {
    RestoreRequest {
        file: file.to_path_buf(),
        into: into.to_path_buf(),
        backup_passphrase: SecretString::from(BACKUP_PASS),
        new_passphrase: SecretString::from(NEW_PASS),
    }
}

/// Restores as the app does; `Restored` holds the recovery key (no Debug).
fn restore(file: &Path, into: &Path) -> Result<usize, String> {
    api::restore(request(file, into), &mut |_, _| true).map(|r| r.report.added).map_err(|e| e.code)
}

#[test]
#[ignore = "a helper: app_restore_survives_a_kill_at_every_crash_point runs it in a child process"]
fn restore_in_a_child() {
    let (Some(file), Some(into)) = (std::env::var_os(FILE_ENV), std::env::var_os(INTO_ENV)) else {
        eprintln!("run only by app_restore_survives_a_kill_at_every_crash_point");
        return;
    };
    if let Err(code) = restore(Path::new(&file), Path::new(&into)) {
        panic!("the restore failed: {code}");
    }
}

/// A vault with a case, a testimony and a three-chunk evidence file, backed
/// up with a passphrase (the app's backups are).
fn backup(tmp: &Path) -> PathBuf {
    let params = KdfParams { memory_kib: 64 * 1024, iterations: 1, parallelism: 1 };
    let mut v = Vault::create(&tmp.join("a"), &SecretString::from(PASS), params).unwrap().0;
    let add = |v: &mut Vault, kind, case_id, data| {
        api::add_record(v, api::AddRecordRequest { kind, case_id, data }).unwrap().id
    };
    let case = add(
        &mut v,
        Kind::Case,
        None,
        json!({ "title": "Deportation of H. M. (fictional)", "subject": { "names": [{ "name": "Hadi Mansour" }] } }),
    );
    add(&mut v, Kind::Testimony, Some(case), json!({ "text": "رُحّل بعد يومين من اعتقاله.", "language": "ar" }));
    let original = tmp.join("order.pdf");
    let pattern: Vec<u8> = (0..2 * 64 * 1024 + 5_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&original, pattern).unwrap();
    api::attach(
        &mut v,
        AttachRequest {
            attached_to: case,
            path: original,
            acquisition: Default::default(),
            description: String::new(),
        },
        &mut |_, _| true,
    )
    .unwrap();
    let out = tmp.join("backup.amana");
    api::backup(
        &mut v,
        BackupRequest { out: out.clone(), passphrase: SecretString::from(BACKUP_PASS) },
        &mut |_, _| true,
    )
    .unwrap();
    out
}

/// Runs the app's restore in a child process, killed at `crash_at` if given.
fn child(file: &Path, into: &Path, crash_at: Option<&str>) -> Output {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["restore_in_a_child", "--exact", "--ignored", "--nocapture", "--test-threads", "1"])
        .env(FILE_ENV, file)
        .env(INTO_ENV, into)
        .env_remove("AMANA_CRASH_AT")
        .env_remove("AMANA_CRASH_TRACE");
    match crash_at {
        Some(at) => c.env("AMANA_CRASH_AT", at),
        None => c.env("AMANA_CRASH_TRACE", "1"),
    };
    c.output().unwrap()
}

/// The whole restored vault: it opens, its one case, testimony and evidence
/// are there, the evidence decrypts and verifies, the database is intact.
fn assert_complete(into: &Path, what: &str) {
    let v = Vault::unlock(into, &SecretString::from(NEW_PASS)).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(api::list_cases(&v, Date::today()).unwrap().len(), 1, "{what}: a restored vault without its case");
    let count = |k| amana::dossier::store::list(v.conn(), Some(k), None).unwrap().len();
    assert_eq!((count(Kind::Testimony), count(Kind::Evidence)), (1, 1), "{what}: records missing");
    let evidence = amana::dossier::store::list(v.conn(), Some(Kind::Evidence), None).unwrap()[0].id;
    assert_eq!(api::read_evidence(&v, evidence).unwrap().1.len(), 2 * 64 * 1024 + 5_000, "{what}");
    assert_eq!(v.check_integrity().unwrap(), Vec::<String>::new(), "{what}");
}

/// Names in `dir` that a restore must not leave: hidden (staging) folders.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn app_restore_survives_a_kill_at_every_crash_point() {
    let tmp = tempfile::tempdir().unwrap();
    let file = backup(tmp.path());
    let place = tmp.path().join("place");
    let into = place.join("restored");
    let fresh = || {
        let _ = std::fs::remove_dir_all(&place);
        std::fs::create_dir_all(&place).unwrap();
    };

    // An uninterrupted run, to learn the crash points it passes.
    fresh();
    let out = child(&file, &into, None);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "the reference restore failed: {stderr}");
    assert_complete(&into, "the reference restore");
    let points: Vec<String> =
        stderr.lines().filter_map(|l| l.strip_prefix("amana: crash point ")).map(str::to_string).collect();
    for p in ["init.before-key-file", "import.chunk", "import.before-commit", "import.after-commit"] {
        assert!(points.iter().any(|x| x == p), "the restore passes {p}: {points:?}");
    }

    // What each kill leaves stays for the next run to the same place: every
    // restore must clear what the one killed before it left.
    fresh();
    let mut kills = 0;
    let mut complete_after_kill = 0;
    for n in 1..=points.len() {
        let what = format!("killed at point {n} of {} ({})", points.len(), points[n - 1]);
        let out = child(&file, &into, Some(&format!("*#{n}")));
        assert_eq!(out.status.signal(), Some(9), "{what}: not killed: {}", String::from_utf8_lossy(&out.stderr));
        kills += 1;
        if into.join("vault.key").exists() {
            assert_complete(&into, &what);
            complete_after_kill += 1;
            fresh();
            continue;
        }
        // No half vault where the user expects the restored one.
        let left: Vec<_> =
            std::fs::read_dir(&into).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        assert!(left.is_empty(), "{what}: a half-restored vault at the destination: {left:?}");
        // At most this run's own staging folder: the one before it was cleared.
        assert!(leftovers(&place).len() <= 1, "{what}: left {:?}", leftovers(&place));
    }
    // The next restore completes and leaves nothing beside the vault.
    assert_eq!(restore(&file, &into), Ok(3), "the restore after the last kill");
    assert_complete(&into, "the restore after the last kill");
    assert!(leftovers(&place).is_empty(), "left {:?}", leftovers(&place));
    eprintln!(
        "app restore: {} crash points, {kills} kills, {complete_after_kill} left a complete vault: {points:?}",
        points.len()
    );
    assert_eq!(kills, points.len());
    assert!(kills >= 10, "the restore passes fewer crash points than expected: {points:?}");
}
