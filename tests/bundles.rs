//! Handover bundles through the real CLI (docs/bundle-format.md): the test
//! vectors of tests/testdata/bundles, round trips for every profile and both
//! kinds of recipient, interoperability with the Go `age` tool, idempotence,
//! updates and conflicts, several recipients, identity rotation, backup and
//! restore, sender verification and atomic export.
//!
//! Everything here is fictional.

mod common;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Every kind of record, as the CLI names them.
const KINDS: [&str; 8] =
    ["case", "situation", "incident", "instrument", "proceeding", "testimony", "source", "evidence"];
/// A bundle passphrase for the tests.
const BUNDLE_PASS: &str = "a long bundle passphrase for the lawyer";
/// Put in a source's identity: must never be in a bundle without source identities.
const CANARY_IDENTITY: &str = "CANARY-SOURCE-IDENTITY-7f3a91";
/// Put in a case's private notes: must never be in a bundle without private notes.
const CANARY_NOTES: &str = "CANARY-PRIVATE-NOTES-c4e802";

// ------------------------------------------------------------------ helpers

fn vectors() -> PathBuf {
    common::checkout().join("tests/testdata/bundles")
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn ps(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The error code of a failed `--json` command.
fn error_code(out: &Output) -> String {
    let err = assert_failure(out);
    let line = err
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON error on stderr: {err}"));
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    v["error"]["code"].as_str().unwrap_or_else(|| panic!("no code: {line}")).to_string()
}

fn parse(out: &Output) -> Value {
    assert_success(out);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// A digest of everything the vault holds, as the CLI shows it: every kind's
/// records (with versions and origins), the whole audit log, and the
/// encrypted evidence files.
fn vault_digest(v: &TestVault) -> String {
    let mut h = Sha256::new();
    for k in KINDS {
        h.update(v.json(&[k, "list"]).to_string());
    }
    h.update(v.json(&["log", "--limit", "1000000"]).to_string());
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(v.dir.join("files"))
        .map(|d| {
            d.flatten()
                .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    for (name, bytes) in files {
        h.update(name);
        h.update(sha256_hex(&bytes));
    }
    hex::encode(h.finalize())
}

fn log_len(v: &TestVault) -> usize {
    v.json(&["log", "--limit", "1000000"]).as_array().unwrap().len()
}

/// Names in the vault's `files/` that are not finished evidence files.
fn leftovers(v: &TestVault) -> Vec<String> {
    std::fs::read_dir(v.dir.join("files"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.ends_with(".age") || n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// Names in `dir` that look like temporary files.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".tmp") || n.ends_with(".partial"))
        .collect()
}

/// Records of one case by id: (kind, data), plus versions.
fn records_of(v: &TestVault, case: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for k in KINDS {
        for r in v.json(&[k, "list", "--case", case]).as_array().unwrap() {
            out.insert(r["id"].as_str().unwrap().to_string(), r.clone());
        }
    }
    out
}

/// The age secret key of a vault, as an `age::x25519::Identity`.
fn vault_age_identity(v: &TestVault) -> (PathBuf, age::x25519::Identity) {
    let path = v.tmp.path().join(format!("key-{}.txt", uuid::Uuid::new_v4().simple()));
    v.json(&["identity", "export", "--out", ps(&path)]);
    (path.clone(), identity_from_file(&path))
}

fn identity_from_file(path: &Path) -> age::x25519::Identity {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")).expect("an age secret key");
    age::x25519::Identity::from_str(line).unwrap()
}

/// Decrypts a bundle with the age crate: the plain tar stream.
fn decrypt(bundle: &Path, with: &dyn age::Identity) -> Vec<u8> {
    let d = age::Decryptor::new(std::fs::File::open(bundle).unwrap()).unwrap();
    let mut r = d.decrypt(std::iter::once(with)).expect("the bundle opens");
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    out
}

fn decrypt_passphrase(bundle: &Path, pass: &str) -> Vec<u8> {
    let id = age::scrypt::Identity::new(secrecy::SecretString::from(pass.to_string()));
    decrypt(bundle, &id)
}

/// The entries of a tar stream: path and content.
fn tar_entries(plain: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut a = tar::Archive::new(plain);
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (p, b)
        })
        .collect()
}

/// Deterministic, incompressible-looking bytes (several age chunks).
fn pseudo_random(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (x >> 33) as u8
        })
        .collect()
}

/// The sending vault: one case with everything a handover carries.
struct Fixture {
    a: TestVault,
    case: String,
    source: String,
    testimony_ar: String,
    testimony_fr: String,
    evidence: String,
    evidence_bytes: Vec<u8>,
}

fn fixture() -> Fixture {
    let a = TestVault::new();
    a.json(&["identity", "rename", "Field team, Tunis (fictional)"]);
    let case = a.json_in(
        &["case", "add"],
        &json!({
            "title": "Extradition of N. B. from Türkiye (fictional)",
            "risk": "critical",
            "summary": "Arrested on arrival on a red notice; Court of Cassation hearing pending.",
            "private_notes": format!("Family reachable only through the lawyer. {CANARY_NOTES}"),
            "subject": {
                "names": [
                    {"name": "Nadia Benali"},
                    {"name": "نادية بن علي", "kind": "native_script"},
                    {"name": "Nadia Ben Ali", "kind": "transliteration"}
                ],
                "nationalities": ["DZ", "FR"],
                "profiles": ["human_rights_defender", "journalist"]
            }
        }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let source = a.json_in(
        &["source", "add", "--case", &case],
        &json!({
            "pseudonym": "Witness S-4",
            "relation": "relative",
            "consent": {"share_with_lawyers": true, "share_with_un": true},
            "identity": {"full_name": format!("Samira B. {CANARY_IDENTITY}"), "contact": "+000 0000 0000", "notes": "sister"}
        }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let testimony_ar = a.json_in(
        &["testimony", "add", "--case", &case],
        &json!({
            "text": "اعتقلت أختي في مطار إسطنبول بناءً على نشرة حمراء، ولم يُسمح لها برؤية محامٍ لمدة ثلاثة أيام.",
            "language": "ar",
            "date": "2026-01-12",
            "interviewer": "Researcher R-2",
            "source_id": source
        }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let testimony_fr = a.json_in(
        &["testimony", "add", "--case", &case],
        &json!({
            "text": "Elle a été arrêtée à l'aéroport ; l'audience devant la Cour de cassation est fixée au 3 mars.",
            "language": "fr",
            "source_id": source
        }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    a.json_in(
        &["incident", "add", "--case", &case],
        &json!({"tactic": "extradition_proceedings", "requesting_state": "DZ", "requested_state": "TR", "date": "2026-01-10"}),
    );
    a.json_in(
        &["proceeding", "add", "--case", &case],
        &json!({"kind": "ccf_deletion", "forum": "CCF", "filed_on": "2026-01-20", "deadline": "2026-06-01"}),
    );
    let evidence_bytes = pseudo_random(150_000, 42);
    let file = a.tmp.path().join("court-ruling.pdf");
    std::fs::write(&file, &evidence_bytes).unwrap();
    let evidence = a.json(&["attach", &case, ps(&file), "--by", "Researcher R-2", "--how", "given by the lawyer"])
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    Fixture { a, case, source, testimony_ar, testimony_fr, evidence, evidence_bytes }
}

/// A receiving vault with a name; returns it and its card file.
fn receiver(name: &str) -> (TestVault, PathBuf) {
    let b = TestVault::new();
    b.json(&["identity", "rename", name]);
    let card = b.json(&["identity", "show"])["card"].clone();
    let path = b.tmp.path().join("card.json");
    std::fs::write(&path, card.to_string()).unwrap();
    (b, path)
}

/// Adds a card to `v`'s contacts; returns the contact id.
fn add_contact(v: &TestVault, card: &Path) -> String {
    v.json(&["contact", "add", ps(card)])["id"].as_str().unwrap().to_string()
}

fn export(a: &TestVault, case: &str, to: &[&str], profile: &str, out: &Path) -> Value {
    let mut args = vec!["export", "--case", case, "--profile", profile, "--out", ps(out)];
    for t in to {
        args.extend(["--to", t]);
    }
    a.json(&args)
}

fn export_passphrase(a: &TestVault, case: &str, profile: &str, out: &Path) -> Value {
    parse(&a.run_with_env(
        &["export", "--case", case, "--passphrase", "--profile", profile, "--out", ps(out), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", BUNDLE_PASS)],
    ))
}

fn import(b: &TestVault, bundle: &Path) -> Value {
    b.json(&["import", ps(bundle)])
}

fn import_passphrase(b: &TestVault, bundle: &Path) -> Value {
    parse(&b.run_with_env(
        &["import", ps(bundle), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", BUNDLE_PASS)],
    ))
}

fn extract_sha(v: &TestVault, evidence: &str) -> String {
    let out = v.tmp.path().join(format!("extract-{}", uuid::Uuid::new_v4().simple()));
    v.json(&["extract", evidence, "--out", ps(&out)]);
    sha256_hex(&std::fs::read(&out).unwrap())
}

fn sleep_past_a_second() {
    // Record times have one-second resolution.
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

// ------------------------------------------------------------------ (a) vectors

fn vector_names(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(vectors())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".amana").map(str::to_string))
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// `bundle verify` of a vector with no vault at all (the vault folder does
/// not exist), opened with `recipient.key` or its passphrase file.
fn verify_vector(v: &TestVault, name: &str, key: &str) -> Output {
    let dir = vectors();
    let pass = std::fs::read_to_string(dir.join(format!("{name}.passphrase"))).unwrap_or_default();
    v.run_with_env(
        &["bundle", "verify", ps(&dir.join(format!("{name}.amana"))), "--identity", ps(&dir.join(key)), "--json"],
        &[("AMANA_BUNDLE_PASSPHRASE", &pass)],
    )
}

fn import_vector(v: &TestVault, name: &str, key: &str) -> Output {
    let dir = vectors();
    let pass = std::fs::read_to_string(dir.join(format!("{name}.passphrase"))).unwrap_or_default();
    v.run_with_env(
        &["import", ps(&dir.join(format!("{name}.amana"))), "--identity", ps(&dir.join(key)), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", &pass)],
    )
}

#[test]
fn the_vector_set_is_complete_and_small() {
    let dir = vectors();
    let fails = vector_names("fail_");
    for required in [
        "fail_tampered_manifest",
        "fail_tampered_file",
        "fail_bad_signature",
        "fail_unknown_version",
        "fail_truncated",
        "fail_wrong_recipient",
        "fail_path_dotdot",
        "fail_path_absolute",
        "fail_path_files_dotdot",
        "fail_path_backslash",
        "fail_symlink",
        "fail_hardlink",
        "fail_device",
        "fail_duplicate_manifest",
        "fail_duplicate_file",
        "fail_oversize_entry",
        "fail_extra_entry",
        "fail_manifest_too_large",
        "fail_record_case_not_in_bundle",
        "fail_duplicate_record_ids",
        "fail_dangling_source",
        "fail_evidence_attached_to_source",
        "fail_not_age",
        // Trust in handover (format version 2).
        "fail_no_recipients",
        "fail_no_custodian",
        "fail_custodian_not_a_key",
        "fail_version_too_high",
        "fail_future_time",
        "fail_not_a_time",
        "fail_v1_with_v2_fields",
        "fail_deleted_and_sent",
        "fail_weak_signing_key",
        "fail_scrypt_work_factor_21",
        "fail_control_character",
        "fail_override_in_name",
        "fail_title_too_long",
    ] {
        assert!(fails.iter().any(|f| f == required), "missing vector {required}");
    }
    assert!(vector_names("warn_").contains(&"warn_not_addressed_to_you".to_string()));
    assert!(vector_names("valid_").contains(&"valid_v1_legacy".to_string()));
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for name in fails.iter().chain(&vector_names("valid_")).chain(&vector_names("warn_")) {
        assert!(readme.contains(&format!("`{name}.amana`")), "README does not describe {name}");
        if !name.starts_with("valid_") {
            let code = std::fs::read_to_string(dir.join(format!("{name}.expected"))).unwrap();
            let prefix = if name.starts_with("fail_") { "bundle." } else { "warn." };
            assert!(code.trim().starts_with(prefix), "{name}: {code}");
            assert!(readme.contains(&format!("`{}`", code.trim())), "{name}");
        }
    }
    let total: u64 = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.metadata().unwrap().len()).sum();
    assert!(total < 1 << 20, "the vectors take {total} bytes");
}

#[test]
fn valid_vectors_verify_without_a_vault_and_import() {
    let dir = vectors();
    let sender_fingerprint = std::fs::read_to_string(dir.join("sender.fingerprint")).unwrap();
    for (name, key) in [
        ("valid_x25519", "recipient.key"),
        ("valid_passphrase", "recipient.key"),
        ("valid_two_recipients", "recipient.key"),
        ("valid_two_recipients", "other.key"),
        ("valid_v1_legacy", "recipient.key"),
    ] {
        // No vault: the folder does not exist and is not created.
        let nobody = TestVault::empty();
        let summary = parse(&verify_vector(&nobody, name, key));
        assert!(!nobody.dir.exists(), "{name}: verify created a vault folder");
        assert_eq!(summary["sender"]["fingerprint"].as_str().unwrap(), sender_fingerprint.trim(), "{name}");
        assert_eq!(summary["sender_verified"], false, "{name}: no vault, no verified sender");
        assert_eq!(summary["records"], json!({"case": 1, "source": 1, "testimony": 1, "evidence": 1}), "{name}");
        assert_eq!(summary["files"], 1);
        assert_eq!(summary["redactions"], 1);
        assert_eq!(summary["profile"], json!({"source_identities": false, "private_notes": true}));
        if name == "valid_v1_legacy" {
            // Version 1 names nobody it was made for: the reader cannot tell.
            assert_eq!((summary["format_version"].as_u64(), &summary["addressed_to_you"]), (Some(1), &Value::Null));
        } else {
            assert_eq!((summary["format_version"].as_u64(), &summary["addressed_to_you"]), (Some(2), &json!(true)));
        }

        let v = TestVault::new();
        let report = parse(&import_vector(&v, name, key));
        assert_eq!((report["added"].as_u64(), report["files_added"].as_u64()), (Some(4), Some(1)), "{name}: {report}");
        let case = summary["cases"][0][0].as_str().unwrap();
        let recs = records_of(&v, case);
        assert_eq!(recs.len(), 4);
        let source = recs.values().find(|r| r["kind"] == "source").unwrap();
        assert_eq!(source["data"]["pseudonym"], "Witness W-17");
        assert!(source["data"]["identity"].is_null(), "the withheld identity is absent: {source}");
        assert_eq!(source["origin"]["sender_fingerprint"].as_str().unwrap(), sender_fingerprint.trim());
        let testimony = recs.values().find(|r| r["kind"] == "testimony").unwrap();
        assert!(testimony["data"]["text"].as_str().unwrap().starts_with("اعتقلوا أخي"));
        let ev = recs.values().find(|r| r["kind"] == "evidence").unwrap();
        assert_eq!(extract_sha(&v, ev["id"].as_str().unwrap()), ev["data"]["sha256"].as_str().unwrap());
        assert!(leftovers(&v).is_empty(), "{:?}", leftovers(&v));
    }
    // A wrong or missing passphrase is told apart from damage.
    let v = TestVault::empty();
    let out = v.run_with_env(
        &[
            "bundle",
            "verify",
            ps(&dir.join("valid_passphrase.amana")),
            "--identity",
            ps(&dir.join("recipient.key")),
            "--json",
        ],
        &[("AMANA_BUNDLE_PASSPHRASE", "not the passphrase at all")],
    );
    assert_eq!(error_code(&out), "bundle.wrong_passphrase");
}

#[test]
fn the_sender_of_a_vector_is_verified_only_after_the_contact_is_verified() {
    let dir = vectors();
    let v = TestVault::new();
    let contact = add_contact(&v, &dir.join("sender.card.json"));
    let bundle = dir.join("valid_x25519.amana");
    let key = dir.join("recipient.key");
    let summary = v.json(&["bundle", "verify", ps(&bundle), "--identity", ps(&key)]);
    // With --identity no vault is opened, so no contact is known.
    assert_eq!(summary["sender_contact"], Value::Null);
    let report = v.json(&["import", ps(&bundle), "--identity", ps(&key)]);
    assert_eq!(report["bundle"]["sender_contact"], "Field team, Amman (test vectors)");
    assert_eq!(report["bundle"]["sender_verified"], false);
    v.json(&["contact", "verify", &contact]);
    let again = v.json(&["import", ps(&dir.join("valid_two_recipients.amana")), "--identity", ps(&key)]);
    assert_eq!(again["bundle"]["sender_verified"], true);
    assert_eq!(again["added"], 0, "the same records: {again}");
}

/// A bundle signed for someone else and re-encrypted to this reader reads,
/// says so, and its sender is not trusted here even when verified: what it
/// brings is held for review, and it changes nothing that exists.
#[test]
fn a_bundle_passed_on_by_someone_else_is_read_with_a_warning_and_not_trusted() {
    let dir = vectors();
    let nobody = TestVault::empty();
    let summary = parse(&verify_vector(&nobody, "warn_not_addressed_to_you", "recipient.key"));
    assert_eq!(
        std::fs::read_to_string(dir.join("warn_not_addressed_to_you.expected")).unwrap().trim(),
        "warn.not_addressed_to_you"
    );
    assert_eq!(summary["addressed_to_you"], false, "{summary}");
    let human = nobody.run(&[
        "bundle",
        "verify",
        ps(&dir.join("warn_not_addressed_to_you.amana")),
        "--identity",
        ps(&dir.join("recipient.key")),
    ]);
    assert!(String::from_utf8_lossy(&human.stdout).contains("SOMEONE ELSE"), "{human:?}");

    let v = TestVault::new();
    let contact = v.json(&["contact", "add", ps(&dir.join("sender.card.json"))])["id"].as_str().unwrap().to_string();
    v.json(&["contact", "verify", &contact]);
    let report = parse(&import_vector(&v, "warn_not_addressed_to_you", "recipient.key"));
    assert_eq!(
        (report["bundle"]["sender_verified"].as_bool(), report["bundle"]["sender_contact"].as_str()),
        (Some(false), Some("Field team, Amman (test vectors)"))
    );
    assert_eq!((report["added"].as_u64(), report["held_for_review"].as_u64()), (Some(4), Some(4)), "{report}");
    let case = summary["cases"][0][0].as_str().unwrap();
    assert!(records_of(&v, case).values().all(|r| r["unreviewed"] == true));
    // The same content, made for this reader by the verified sender: not held.
    let w = TestVault::new();
    let contact = w.json(&["contact", "add", ps(&dir.join("sender.card.json"))])["id"].as_str().unwrap().to_string();
    w.json(&["contact", "verify", &contact]);
    let report = parse(&import_vector(&w, "valid_x25519", "recipient.key"));
    assert_eq!((report["added"].as_u64(), report["held_for_review"].as_u64()), (Some(4), Some(0)), "{report}");
    assert!(records_of(&w, case).values().all(|r| r.get("unreviewed").is_none()));
}

/// An evidence file name is chosen by the sender: a path, a hidden file, a
/// right-to-left override that makes "fdp.desktop" read as "potksed.pdf".
/// It reaches no screen, dialog or record as it came.
#[test]
fn a_path_like_file_name_is_reduced_to_a_safe_base_name() {
    let hostile = "../../.config/autostart/report\u{202E}fdp.desktop";
    let safe = amana::text::safe_file_name(hostile);
    assert!(!safe.contains('/') && !safe.contains('\u{202E}') && !safe.starts_with('.'), "{safe}");
    let nobody = TestVault::empty();
    assert_success(&verify_vector(&nobody, "warn_path_like_file_name", "recipient.key"));
    let v = TestVault::new();
    let report = parse(&import_vector(&v, "warn_path_like_file_name", "recipient.key"));
    assert_eq!(report["files_added"], 1, "{report}");
    let case = report["bundle"]["cases"][0][0].as_str().unwrap();
    let ev = records_of(&v, case).into_values().find(|r| r["kind"] == "evidence").unwrap();
    assert_eq!(ev["data"]["file_name"], safe.as_str());
    assert_eq!(extract_sha(&v, ev["id"].as_str().unwrap()), ev["data"]["sha256"].as_str().unwrap());
    // The app reads the bundle into memory: the names it shows are reduced too.
    assert!(!String::from_utf8_lossy(&import_vector(&v, "warn_path_like_file_name", "recipient.key").stdout)
        .contains('\u{202E}'));
}

#[test]
fn every_fail_vector_is_refused_with_its_code_and_changes_nothing() {
    let dir = vectors();
    let v = TestVault::new();
    // Something in the vault already, so "unchanged" means something.
    assert_success(&import_vector(&v, "valid_x25519", "recipient.key"));
    let digest = vault_digest(&v);
    let before = snapshot(&v.dir);
    let nobody = TestVault::empty();
    let names = vector_names("fail_");
    assert!(names.len() >= 21, "{names:?}");
    for name in &names {
        let expected = std::fs::read_to_string(dir.join(format!("{name}.expected"))).unwrap();
        let expected = expected.trim();
        assert_eq!(error_code(&verify_vector(&nobody, name, "recipient.key")), expected, "bundle verify {name}");
        assert!(!nobody.dir.exists(), "{name}: verify created a vault folder");
        assert_eq!(error_code(&import_vector(&v, name, "recipient.key")), expected, "import {name}");
        assert!(leftovers(&v).is_empty(), "{name} left {:?}", leftovers(&v));
        assert!(snapshot(&v.dir) == before, "{name} changed the vault's files");
    }
    assert_eq!(vault_digest(&v), digest, "the vault's records changed");
    // The vault still works and still holds what it held.
    assert_success(&v.run(&["check"]));
}

// ------------------------------------------------------------------ (b) round trips

fn round_trip(profile: &str) {
    let (keep_identity, keep_notes) = match profile {
        "full" => (true, true),
        "no-source-identities" => (false, true),
        "no-private-notes" => (true, false),
        "minimal" => (false, false),
        _ => unreachable!(),
    };
    let f = fixture();
    let a_records = records_of(&f.a, &f.case);
    assert_eq!(a_records.len(), 7);
    let a_fingerprint = f.a.json(&["identity", "show"])["fingerprint"].as_str().unwrap().to_string();

    for recipient in ["contact", "passphrase"] {
        let (b, card) = receiver("Legal team, Geneva (fictional)");
        let bundle = f.a.tmp.path().join(format!("{profile}-{recipient}.amana"));
        let summary = if recipient == "contact" {
            let contact = add_contact(&f.a, &card);
            export(&f.a, &f.case, &[&contact], profile, &bundle)
        } else {
            export_passphrase(&f.a, &f.case, profile, &bundle)
        };
        let redactions = usize::from(!keep_identity) + usize::from(!keep_notes);
        assert_eq!(summary["redactions"], redactions, "{profile}/{recipient}: {summary}");
        assert_eq!(summary["records"], 7);
        assert_eq!(summary["files"], 1);

        // What is in the bundle's bytes, decrypted as the recipient would.
        let plain = if recipient == "contact" {
            decrypt(&bundle, &vault_age_identity(&b).1)
        } else {
            decrypt_passphrase(&bundle, BUNDLE_PASS)
        };
        let raw = std::fs::read(&bundle).unwrap();
        for (canary, kept) in [(CANARY_IDENTITY, keep_identity), (CANARY_NOTES, keep_notes)] {
            assert_eq!(contains(&plain, canary.as_bytes()), kept, "{profile}/{recipient}: {canary} in the tar stream");
            assert!(!contains(&raw, canary.as_bytes()), "{canary} in the encrypted bytes");
        }
        let entries = tar_entries(&plain);
        let names: Vec<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["manifest.json", "manifest.sig", &format!("files/{}", f.evidence) as &str]);
        assert_eq!(entries[2].1, f.evidence_bytes);

        let report = if recipient == "contact" { import(&b, &bundle) } else { import_passphrase(&b, &bundle) };
        assert_eq!(report["added"], 7, "{report}");
        assert_eq!(report["files_added"], 1);
        assert_eq!(report["bundle"]["sender"]["fingerprint"].as_str().unwrap(), a_fingerprint);
        assert_eq!(report["bundle"]["redactions"], redactions);

        let b_records = records_of(&b, &f.case);
        assert_eq!(b_records.keys().collect::<Vec<_>>(), a_records.keys().collect::<Vec<_>>());
        for (id, ar) in &a_records {
            let br = &b_records[id];
            assert_eq!(br["kind"], ar["kind"]);
            assert_eq!(br["case_id"], ar["case_id"]);
            assert_eq!(br["origin"]["sender_fingerprint"].as_str().unwrap(), a_fingerprint, "{id}");
            let mut expected = ar["data"].clone();
            if id == &f.source && !keep_identity {
                assert!(!ar["data"]["identity"].is_null());
                expected["identity"] = Value::Null;
            }
            if id == &f.case && !keep_notes {
                assert!(!ar["data"]["private_notes"].as_str().unwrap().is_empty());
                expected["private_notes"] = json!("");
            }
            assert_eq!(br["data"], expected, "{profile}/{recipient}: record {id}");
        }
        assert_eq!(
            b_records[&f.source]["data"]["identity"].is_null(),
            !keep_identity,
            "{profile}: the source identity in B"
        );
        assert_eq!(b_records[&f.testimony_ar]["data"]["language"], "ar");
        assert_eq!(b_records[&f.testimony_fr]["data"]["language"], "fr");
        assert_eq!(extract_sha(&b, &f.evidence), sha256_hex(&f.evidence_bytes));
        // B's search finds the imported testimony (the index was built).
        let hits = b.json(&["search", "Cour de cassation"]);
        assert!(hits.to_string().contains(&f.testimony_fr), "{hits}");
        // The canaries never reached B's disk in plaintext either.
        for (p, bytes) in all_files(&b.dir) {
            assert!(!contains(&bytes, CANARY_IDENTITY.as_bytes()), "{}", p.display());
            assert!(!contains(&bytes, CANARY_NOTES.as_bytes()), "{}", p.display());
        }
        assert!(temp_files(f.a.tmp.path()).is_empty(), "{:?}", temp_files(f.a.tmp.path()));
    }
}

#[test]
fn round_trip_full() {
    round_trip("full");
}

#[test]
fn round_trip_no_source_identities() {
    round_trip("no-source-identities");
}

#[test]
fn round_trip_no_private_notes() {
    round_trip("no-private-notes");
}

#[test]
fn round_trip_minimal() {
    round_trip("minimal");
}

/// Chosen records travel with their case and the sources their testimonies
/// name; a file chosen without the record it documents is refused with its
/// own error (not an import's "refused"), and nothing is written.
#[test]
fn chosen_records_bring_their_case_and_source_and_a_file_needs_its_record() {
    let f = fixture();
    let (b, card) = receiver("Legal team, Geneva (fictional)");
    let to_b = add_contact(&f.a, &card);
    let photo_bytes = pseudo_random(20_000, 7);
    let photo_file = f.a.tmp.path().join("airport-photo.jpg");
    std::fs::write(&photo_file, &photo_bytes).unwrap();
    let photo = f.a.json(&["attach", &f.testimony_fr, ps(&photo_file)])["id"].as_str().unwrap().to_string();

    let out = f.a.tmp.path().join("chosen.amana");
    let export_chosen = |chosen: &[&str]| {
        let mut args = vec!["export", "--case", &f.case, "--to", &to_b, "--out", ps(&out), "--json"];
        for r in chosen {
            args.extend(["--record", r]);
        }
        f.a.run(&args)
    };
    let refused = export_chosen(&[&photo]);
    assert_eq!(error_code(&refused), "bundle.file_without_its_record");
    assert!(String::from_utf8_lossy(&refused.stderr).contains(&photo), "the error names the file");
    assert!(!out.exists() && temp_files(f.a.tmp.path()).is_empty(), "nothing written");

    let summary = parse(&export_chosen(&[&f.testimony_fr, &photo]));
    assert_eq!((summary["records"].as_u64(), summary["files"].as_u64()), (Some(4), Some(1)), "{summary}");
    import(&b, &out);
    let got = records_of(&b, &f.case);
    let mut want = vec![f.case.clone(), f.source.clone(), f.testimony_fr.clone(), photo.clone()];
    want.sort();
    assert_eq!(got.keys().cloned().collect::<Vec<_>>(), want, "the case, the testimony, its source, the photo");
    let copy = b.tmp.path().join("photo.jpg");
    b.json(&["extract", &photo, "--out", ps(&copy)]);
    assert_eq!(std::fs::read(&copy).unwrap(), photo_bytes);
}

// ------------------------------------------------------------------ (c) Go age

#[test]
fn the_go_age_tool_reads_a_bundle_made_for_an_age_keygen_key() {
    let f = fixture();
    let dir = f.a.tmp.path().join("lawyer");
    std::fs::create_dir_all(&dir).unwrap();
    let key = dir.join("key.txt");
    let out = Command::new("age-keygen").arg("-o").arg(&key).output().expect("age-keygen is installed");
    assert_success(&out);
    let recipient = String::from_utf8(Command::new("age-keygen").arg("-y").arg(&key).output().unwrap().stdout).unwrap();
    let recipient = recipient.trim();
    assert!(recipient.starts_with("age1"), "{recipient}");

    let bundle = f.a.tmp.path().join("for-the-lawyer.amana");
    let args = [
        "export",
        "--case",
        &f.case,
        "--to",
        recipient,
        "--no-self",
        "--profile",
        "no-source-identities",
        "--out",
        ps(&bundle),
    ];
    f.a.json(&args);

    let list = Command::new("bash")
        .arg("-c")
        .arg("set -o pipefail; age -d -i \"$1\" \"$2\" | tar -t")
        .arg("bash")
        .arg(&key)
        .arg(&bundle)
        .output()
        .unwrap();
    assert_success(&list);
    let listed: Vec<String> = String::from_utf8(list.stdout).unwrap().lines().map(str::to_string).collect();
    assert_eq!(listed, ["manifest.json".to_string(), "manifest.sig".into(), format!("files/{}", f.evidence)]);

    // Extracting with the standard tools gives the records and the file.
    let outdir = dir.join("out");
    std::fs::create_dir_all(&outdir).unwrap();
    let x = Command::new("bash")
        .arg("-c")
        .arg("set -o pipefail; age -d -i \"$1\" \"$2\" | tar -x -C \"$3\"")
        .arg("bash")
        .arg(&key)
        .arg(&bundle)
        .arg(&outdir)
        .output()
        .unwrap();
    assert_success(&x);
    let manifest: Value = serde_json::from_slice(&std::fs::read(outdir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "amana-bundle");
    assert_eq!(manifest["records"].as_array().unwrap().len(), 7);
    assert!(manifest.to_string().contains("Elle a été arrêtée"));
    assert!(!manifest.to_string().contains(CANARY_IDENTITY));
    let file = std::fs::read(outdir.join("files").join(&f.evidence)).unwrap();
    assert_eq!(sha256_hex(&file), sha256_hex(&f.evidence_bytes));

    // And Amana checks it with that age-keygen key, without a vault.
    let nobody = TestVault::empty();
    let summary = nobody.json(&["bundle", "verify", ps(&bundle), "--identity", ps(&key)]);
    assert_eq!(summary["files"], 1);
    // --no-self: the sender cannot open its own export.
    assert_eq!(error_code(&f.a.run(&["bundle", "verify", ps(&bundle), "--json"])), "bundle.not_for_you");
}

// ------------------------------------------------------------------ (d) idempotence

#[test]
fn importing_the_same_bundle_twice_changes_nothing() {
    let f = fixture();
    let (b, card) = receiver("Legal team (fictional)");
    let contact = add_contact(&f.a, &card);
    let bundle = f.a.tmp.path().join("once.amana");
    export(&f.a, &f.case, &[&contact], "full", &bundle);
    let first = import(&b, &bundle);
    assert_eq!(first["added"], 7);
    let log = log_len(&b);
    let digest = vault_digest(&b);
    let second = import(&b, &bundle);
    assert_eq!((second["added"].as_u64(), second["updated"].as_u64()), (Some(0), Some(0)), "{second}");
    assert_eq!(second["unchanged"], 7);
    assert_eq!(second["files_added"], 0);
    assert_eq!(second["proposed"], json!([]));
    assert_eq!(log_len(&b), log, "the second import wrote to the audit log");
    assert_eq!(vault_digest(&b), digest);
}

// ------------------------------------------------------------------ (e) updates and conflicts

#[test]
fn newer_versions_update_and_local_edits_win_over_older_bundles() {
    let f = fixture();
    let (b, card) = receiver("Legal team (fictional)");
    let contact = add_contact(&f.a, &card);
    // B has compared A's fingerprint: A's changes to A's own records apply.
    b.trust(&f.a);
    let dir = f.a.tmp.path();

    let v1 = dir.join("v1.amana");
    export(&f.a, &f.case, &[&contact], "full", &v1);
    assert_eq!(import(&b, &v1)["added"], 7);

    sleep_past_a_second();
    f.a.json_in(&["testimony", "edit", &f.testimony_fr], &json!({"text": "Texte corrigé : l'audience est reportée."}));
    let v2 = dir.join("v2.amana");
    export(&f.a, &f.case, &[&contact], "full", &v2);
    let report = import(&b, &v2);
    assert_eq!((report["added"].as_u64(), report["updated"].as_u64()), (Some(0), Some(1)), "{report}");
    assert_eq!(report["unchanged"], 6);
    let t = b.json(&["testimony", "show", &f.testimony_fr]);
    assert_eq!(t["version"], 2);
    assert_eq!(t["data"]["text"], "Texte corrigé : l'audience est reportée.");
    let history = b.json(&["testimony", "history", &f.testimony_fr]);
    let texts: Vec<&str> = history.as_array().unwrap().iter().map(|v| v["data"]["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 2, "{history}");
    assert!(texts[0].starts_with("Elle a été arrêtée"));

    // B corrects the testimony itself; older bundles do not overwrite that:
    // they are A's older versions (by A's signed version numbers, not by
    // any time), so nothing is to be done.
    sleep_past_a_second();
    b.json_in(&["testimony", "edit", &f.testimony_fr], &json!({"text": "Version du cabinet d'avocats."}));
    for older in [&v1, &v2] {
        let report = import(&b, older);
        assert_eq!(report["updated"], 0, "{report}");
        assert_eq!(report["proposed"], json!([]), "{report}");
        let t = b.json(&["testimony", "show", &f.testimony_fr]);
        assert_eq!(
            (t["version"].as_u64(), t["data"]["text"].as_str()),
            (Some(3), Some("Version du cabinet d'avocats."))
        );
    }
    assert_eq!(import(&b, &v1)["older"], 1);
    // A's next version, over B's own edit: B decides (a proposal), B's words stay.
    f.a.json_in(&["testimony", "edit", &f.testimony_fr], &json!({"text": "Troisième version de A."}));
    let v3 = dir.join("v3.amana");
    export(&f.a, &f.case, &[&contact], "full", &v3);
    let report = import(&b, &v3);
    assert_eq!(report["updated"], 0, "{report}");
    assert_eq!(report["proposed"][0]["reason"], "edited_here", "{report}");
    assert_eq!(report["proposed"][0]["fields"][0]["field"], "text");
    assert_eq!(b.json(&["testimony", "show", &f.testimony_fr])["data"]["text"], "Version du cabinet d'avocats.");
}

#[test]
fn a_redacted_bundle_never_erases_a_source_identity_already_here() {
    let f = fixture();
    let (b, card) = receiver("Legal team (fictional)");
    let contact = add_contact(&f.a, &card);
    b.trust(&f.a);
    let dir = f.a.tmp.path();
    let full = dir.join("full.amana");
    export(&f.a, &f.case, &[&contact], "full", &full);
    import(&b, &full);
    let identity = b.json(&["source", "show", &f.source])["data"]["identity"].clone();
    assert!(identity.to_string().contains(CANARY_IDENTITY));

    // The same source, identity withheld: nothing to change.
    let minimal = dir.join("minimal.amana");
    export(&f.a, &f.case, &[&contact], "minimal", &minimal);
    let report = import(&b, &minimal);
    assert_eq!((report["updated"].as_u64(), report["unchanged"].as_u64()), (Some(0), Some(7)), "{report}");
    assert_eq!(b.json(&["source", "show", &f.source])["data"]["identity"], identity);
    assert!(b.json(&["case", "show", &f.case]).to_string().contains(CANARY_NOTES));

    // A newer source without its identity: the pseudonym changes, the identity stays.
    sleep_past_a_second();
    f.a.json_in(&["source", "edit", &f.source], &json!({"pseudonym": "Witness S-4 (sister)"}));
    let newer = dir.join("newer.amana");
    export(&f.a, &f.case, &[&contact], "no-source-identities", &newer);
    let report = import(&b, &newer);
    assert_eq!(report["updated"], 1, "{report}");
    let src = b.json(&["source", "show", &f.source]);
    assert_eq!(src["data"]["pseudonym"], "Witness S-4 (sister)");
    assert_eq!(src["data"]["identity"], identity);
    assert_eq!(src["version"], 2);
}

/// B never edits; A edits twice before B imports the bundles in order. The
/// second bundle is newer than what B holds and must update it, however late
/// B imports the first.
#[test]
fn a_late_import_does_not_turn_the_next_update_into_a_conflict() {
    let f = fixture();
    let (b, card) = receiver("Legal team (fictional)");
    let contact = add_contact(&f.a, &card);
    b.trust(&f.a);
    let dir = f.a.tmp.path();
    let v1 = dir.join("v1.amana");
    export(&f.a, &f.case, &[&contact], "full", &v1);
    sleep_past_a_second();
    f.a.json_in(&["testimony", "edit", &f.testimony_ar], &json!({"interviewer": "Researcher R-2 and R-5"}));
    let v2 = dir.join("v2.amana");
    export(&f.a, &f.case, &[&contact], "full", &v2);
    sleep_past_a_second();
    f.a.json_in(&["testimony", "edit", &f.testimony_ar], &json!({"interviewer": "Researchers R-2, R-5 and R-7"}));
    let v3 = dir.join("v3.amana");
    export(&f.a, &f.case, &[&contact], "full", &v3);
    sleep_past_a_second();

    // B receives them days later, in order.
    assert_eq!(import(&b, &v1)["added"], 7);
    let r2 = import(&b, &v2);
    assert_eq!((r2["updated"].as_u64(), r2["proposed"].as_array().map(Vec::len)), (Some(1), Some(0)), "{r2}");
    sleep_past_a_second();
    let r3 = import(&b, &v3);
    assert_eq!((r3["updated"].as_u64(), r3["proposed"].as_array().map(Vec::len)), (Some(1), Some(0)), "{r3}");
    let t = b.json(&["testimony", "show", &f.testimony_ar]);
    assert_eq!(t["data"]["interviewer"], "Researchers R-2, R-5 and R-7");
    // And the older ones, re-imported, change nothing and are not newer.
    for older in [&v1, &v2] {
        let r = import(&b, older);
        assert_eq!(r["updated"], 0, "{r}");
    }
    assert_eq!(b.json(&["testimony", "show", &f.testimony_ar])["data"]["interviewer"], "Researchers R-2, R-5 and R-7");
}

// ------------------------------------------------------------------ (f) several recipients

#[test]
fn two_contacts_can_open_the_same_bundle_and_a_third_vault_cannot() {
    let f = fixture();
    let (b, card_b) = receiver("Lawyer B (fictional)");
    let (c, card_c) = receiver("Partner C (fictional)");
    let (d, _) = receiver("Stranger D (fictional)");
    let to_b = add_contact(&f.a, &card_b);
    let to_c = add_contact(&f.a, &card_c);
    let bundle = f.a.tmp.path().join("two.amana");
    let summary = export(&f.a, &f.case, &[&to_b, &to_c], "no-source-identities", &bundle);
    assert_eq!(summary["recipients"].as_array().unwrap().len(), 3, "B, C and the sender itself: {summary}");
    for v in [&b, &c] {
        let s = v.json(&["bundle", "verify", ps(&bundle)]);
        assert_eq!(s["records"]["testimony"], 2);
        assert_eq!(import(v, &bundle)["added"], 7);
        assert_eq!(extract_sha(v, &f.evidence), sha256_hex(&f.evidence_bytes));
    }
    let before = vault_digest(&d);
    assert_eq!(error_code(&d.run(&["bundle", "verify", ps(&bundle), "--json"])), "bundle.not_for_you");
    assert_eq!(error_code(&d.run(&["import", ps(&bundle), "--json"])), "bundle.not_for_you");
    assert_eq!(vault_digest(&d), before);
}

// ------------------------------------------------------------------ (g) identity rotation

#[test]
fn a_bundle_for_the_old_identity_still_imports_after_rotation() {
    let f = fixture();
    let (b, card) = receiver("Lawyer B (fictional)");
    let contact = add_contact(&f.a, &card);
    let bundle = f.a.tmp.path().join("old-identity.amana");
    export(&f.a, &f.case, &[&contact], "minimal", &bundle);
    let old = b.json(&["identity", "show"]);
    let rotated = b.json(&["identity", "rotate", "--yes"]);
    assert_ne!(rotated["card"]["age_recipient"], old["card"]["age_recipient"]);
    assert_ne!(rotated["card"]["signing_key"], old["card"]["signing_key"]);
    assert_ne!(rotated["fingerprint"], old["fingerprint"]);
    assert_eq!(b.json(&["identity", "show"])["fingerprint"], rotated["fingerprint"]);
    assert_eq!(b.json(&["bundle", "verify", ps(&bundle)])["files"], 1);
    assert_eq!(import(&b, &bundle)["added"], 7);
    // The exported key is the new one: it does not open the old bundle.
    let (_, new_key) = vault_age_identity(&b);
    let d = age::Decryptor::new(std::fs::File::open(&bundle).unwrap()).unwrap();
    assert!(d.decrypt(std::iter::once(&new_key as &dyn age::Identity)).is_err());
    // Bundles B now sends carry the new key, and A sees them as from B.
    let back = b.tmp.path().join("back.amana");
    let a_card = f.a.json(&["identity", "show"])["card"].clone();
    let a_card_path = b.tmp.path().join("a-card.json");
    std::fs::write(&a_card_path, a_card.to_string()).unwrap();
    let to_a = add_contact(&b, &a_card_path);
    export(&b, &f.case, &[&to_a], "minimal", &back);
    let s = f.a.json(&["bundle", "verify", ps(&back)]);
    assert_eq!(s["sender"]["fingerprint"], rotated["fingerprint"]);
}

// ------------------------------------------------------------------ (h) backup and restore

#[test]
fn backup_and_restore_give_the_same_vault_with_a_new_recovery_key() {
    let a = TestVault::empty();
    let init = parse(
        &a.cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
            .env("AMANA_PASSPHRASE", PASS)
            .output()
            .unwrap(),
    );
    let old_recovery = init["recovery_key"].as_str().unwrap().to_string();
    // The fixture's content, in this vault.
    let f = fixture();
    let bundle = f.a.tmp.path().join("to-a.amana");
    let a_card = a.json(&["identity", "show"])["card"].clone();
    let card_path = f.a.tmp.path().join("a-card.json");
    std::fs::write(&card_path, a_card.to_string()).unwrap();
    let contact = add_contact(&f.a, &card_path);
    export(&f.a, &f.case, &[&contact], "full", &bundle);
    import(&a, &bundle);
    // Local history: an edit, so a record has two versions.
    a.json_in(&["case", "edit", &f.case], &json!({"status": "monitoring"}));
    let case_history = a.json(&["case", "history", &f.case]);
    assert_eq!(case_history.as_array().unwrap().len(), 2);
    // Contacts, one of them verified, and a rotated identity: a backup keeps them all.
    let f_card = f.a.json(&["identity", "show"])["card"].clone();
    let f_card_path = a.tmp.path().join("f-card.json");
    std::fs::write(&f_card_path, f_card.to_string()).unwrap();
    a.json(&["contact", "add", ps(&f_card_path), "--name", "Field team (fictional)"]);
    a.json(&["contact", "verify", "Field team (fictional)"]);
    let bare_path = a.tmp.path().join("partner.txt");
    std::fs::write(&bare_path, "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n").unwrap();
    a.json(&["contact", "add", ps(&bare_path), "--name", "Partner without Amana"]);
    a.json(&["identity", "rotate", "--yes"]);
    let a_identity = a.json(&["identity", "show"]);
    let a_contacts = a.json(&["contact", "list"]);
    assert_eq!(a_contacts.as_array().unwrap().len(), 2);

    let backup = a.tmp.path().join("vault.backup.amana");
    let out = a.run_with_env(
        &["backup", "--out", ps(&backup), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", BUNDLE_PASS)],
    );
    let summary = parse(&out);
    assert_eq!(summary["records"], 7);
    assert!(temp_files(a.tmp.path()).is_empty());

    let restored = TestVault::empty();
    let restore = |v: &TestVault, file: &Path| {
        v.run_with_env(
            &["restore", ps(file), "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"],
            &[("AMANA_PASSPHRASE", "the restored vault's own passphrase"), ("AMANA_BUNDLE_PASSPHRASE", BUNDLE_PASS)],
        )
    };
    let done = parse(&restore(&restored, &backup));
    let new_recovery = done["recovery_key"].as_str().unwrap();
    assert!(new_recovery.starts_with("AMANA-"));
    assert_ne!(new_recovery, old_recovery);
    assert_eq!(done["restored"]["added"], 7);

    let rv = |args: &[&str]| {
        let mut a = args.to_vec();
        a.push("--json");
        parse(&restored.run_with_env(&a, &[("AMANA_PASSPHRASE", "the restored vault's own passphrase")]))
    };
    for k in KINDS {
        let mine = a.json(&[k, "list"]);
        let theirs = rv(&[k, "list"]);
        let strip = |v: &Value| -> Vec<Value> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|r| json!([r["id"], r["case_id"], r["version"], r["created_at"], r["updated_at"], r["data"]]))
                .collect()
        };
        assert_eq!(strip(&theirs), strip(&mine), "{k}");
    }
    let theirs = rv(&["case", "history", &f.case]);
    let pick = |h: &Value| -> Vec<Value> {
        h.as_array().unwrap().iter().map(|v| json!([v["version"], v["saved_at"], v["data"]])).collect()
    };
    assert_eq!(pick(&theirs), pick(&case_history));
    // The evidence, decrypted from the restored vault.
    let out = restored.tmp.path().join("ruling.pdf");
    rv(&["extract", &f.evidence, "--out", ps(&out)]);
    assert_eq!(sha256_hex(&std::fs::read(&out).unwrap()), sha256_hex(&f.evidence_bytes));
    assert_success(&restored.run_with_env(&["check"], &[("AMANA_PASSPHRASE", "the restored vault's own passphrase")]));
    // The same handover identity (partners keep sending to it; its old
    // identity still opens bundles sent before the rotation) and the same
    // contacts, with their verified marks.
    assert_eq!(done["restored"]["restored"], json!({"identities": 2, "contacts": 2}));
    let r_identity = rv(&["identity", "show"]);
    assert_eq!(r_identity["fingerprint"], a_identity["fingerprint"]);
    let contact_view = |v: &Value| -> Vec<Value> {
        let mut c: Vec<Value> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!([c["id"], c["display_name"], c["age_recipient"], c["fingerprint"], c["verified"]]))
            .collect();
        c.sort_by_key(|x| x.to_string());
        c
    };
    assert_eq!(contact_view(&rv(&["contact", "list"])), contact_view(&a_contacts));
    let before_rotation = parse(&restored.run_with_env(
        &["bundle", "verify", ps(&bundle), "--json"],
        &[("AMANA_PASSPHRASE", "the restored vault's own passphrase")],
    ));
    assert_eq!(before_rotation["kind"], "handover");

    // Restoring over an existing vault is refused and changes nothing.
    let before = snapshot(&restored.dir);
    assert_eq!(error_code(&restore(&restored, &backup)), "vault.already_exists");
    assert!(snapshot(&restored.dir) == before);

    // A handover bundle is not a backup: refused, and no vault is left behind.
    let handover = f.a.tmp.path().join("handover-pass.amana");
    export_passphrase(&f.a, &f.case, "full", &handover);
    let nowhere = TestVault::empty();
    assert_eq!(error_code(&restore(&nowhere, &handover)), "bundle.not_a_backup");
    assert!(!nowhere.dir.exists());
    // And a backup can be checked like any bundle.
    let s = parse(&a.run_with_env(
        &["bundle", "verify", ps(&backup), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", BUNDLE_PASS)],
    ));
    assert_eq!(s["kind"], "backup");
    assert_eq!((s["contacts"].clone(), s["identities"].clone()), (json!(2), json!(2)));
}

// ------------------------------------------------------------------ (i) who sent it

#[test]
fn the_sender_is_verified_only_as_a_verified_contact_and_names_cannot_impersonate() {
    let f = fixture();
    let (b, card_b) = receiver("Lawyer B (fictional)");
    let to_b = add_contact(&f.a, &card_b);
    let a_fingerprint = f.a.json(&["identity", "show"])["fingerprint"].as_str().unwrap().to_string();
    let b_fingerprint = b.json(&["identity", "show"])["fingerprint"].as_str().unwrap().to_string();
    let bundle = f.a.tmp.path().join("1.amana");
    export(&f.a, &f.case, &[&to_b], "minimal", &bundle);

    // Unknown sender.
    let s1 = b.json(&["bundle", "verify", ps(&bundle)]);
    assert_eq!((s1["sender_contact"].clone(), s1["sender_verified"].clone()), (Value::Null, json!(false)));
    assert_eq!(s1["sender"]["fingerprint"], a_fingerprint.as_str());
    // A contact, not verified yet.
    let a_card = f.a.json(&["identity", "show"])["card"].clone();
    let a_card_path = b.tmp.path().join("a-card.json");
    std::fs::write(&a_card_path, a_card.to_string()).unwrap();
    let a_contact = b.json(&["contact", "add", ps(&a_card_path), "--name", "Field team A"]);
    assert_eq!(a_contact["verified"], false);
    assert_eq!(a_contact["fingerprint"], a_fingerprint.as_str());
    let s2 = b.json(&["bundle", "verify", ps(&bundle)]);
    assert_eq!((s2["sender_contact"].clone(), s2["sender_verified"].clone()), (json!("Field team A"), json!(false)));
    // Verified.
    b.json(&["contact", "verify", "Field team A"]);
    let s3 = b.json(&["bundle", "verify", ps(&bundle)]);
    assert_eq!(s3["sender_verified"], true);
    let report = import(&b, &bundle);
    assert_eq!(report["bundle"]["sender_verified"], true);
    let log = b.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["detail"]["sender_verified"], true);
    assert_eq!(log[0]["detail"]["sender_fingerprint"], a_fingerprint.as_str());

    // A calls itself by B's name: the bundle is still A's, by A's key.
    f.a.json(&["identity", "rename", "Lawyer B (fictional)"]);
    let fake = f.a.tmp.path().join("2.amana");
    export(&f.a, &f.case, &[&to_b], "minimal", &fake);
    let s4 = b.json(&["bundle", "verify", ps(&fake)]);
    assert_eq!(s4["sender"]["display_name"], "Lawyer B (fictional)");
    assert_eq!(s4["sender"]["fingerprint"], a_fingerprint.as_str());
    assert_ne!(s4["sender"]["fingerprint"], b_fingerprint.as_str());
    assert_eq!(s4["sender_contact"], "Field team A");
    assert_eq!(s4["from_this_vault"], false);
    // To a vault that does not know A, the claim of B's name verifies nothing.
    let (c, card_c) = receiver("Partner C (fictional)");
    let b_card_path = c.tmp.path().join("b-card.json");
    std::fs::copy(&card_b, &b_card_path).unwrap();
    let b_at_c = add_contact(&c, &b_card_path);
    c.json(&["contact", "verify", &b_at_c]);
    let to_c = add_contact(&f.a, &card_c);
    let fake_c = f.a.tmp.path().join("3.amana");
    export(&f.a, &f.case, &[&to_c], "minimal", &fake_c);
    let s5 = c.json(&["bundle", "verify", ps(&fake_c)]);
    assert_eq!(s5["sender"]["display_name"], "Lawyer B (fictional)");
    assert_eq!((s5["sender_contact"].clone(), s5["sender_verified"].clone()), (Value::Null, json!(false)));
    assert_eq!(s5["sender"]["fingerprint"], a_fingerprint.as_str());
    let r = import(&c, &fake_c);
    assert_eq!(r["bundle"]["sender_verified"], false);
    let origin = c.json(&["case", "list"])[0]["origin"].clone();
    assert_eq!(origin["sender_fingerprint"], a_fingerprint.as_str(), "{origin}");
}

// ------------------------------------------------------------------ (j) atomic export

#[test]
fn export_is_atomic_and_never_overwrites() {
    let f = fixture();
    let (_b, card) = receiver("Lawyer B (fictional)");
    let to_b = add_contact(&f.a, &card);
    let out_dir = f.a.tmp.path().join("usb");
    std::fs::create_dir_all(&out_dir).unwrap();
    let bundle = out_dir.join("case.amana");
    export(&f.a, &f.case, &[&to_b], "minimal", &bundle);
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1, "{:?}", temp_files(&out_dir));

    // Exporting to an existing path is refused and leaves it untouched.
    let before = std::fs::read(&bundle).unwrap();
    let log = log_len(&f.a);
    let out = f.a.run(&["export", "--case", &f.case, "--to", &to_b, "--out", ps(&bundle), "--json"]);
    assert_eq!(error_code(&out), "bundle.output_exists");
    assert_eq!(std::fs::read(&bundle).unwrap(), before);
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1);
    assert_eq!(log_len(&f.a), log, "a refused export is not in the audit log");

    // A failure half-way (the vault's evidence file is damaged) leaves nothing.
    let enc = f.a.dir.join("files").join(format!("{}.age", f.evidence));
    let original = std::fs::read(&enc).unwrap();
    let mut damaged = original.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x40;
    std::fs::write(&enc, &damaged).unwrap();
    let failed = out_dir.join("damaged.amana");
    let out = f.a.run(&["export", "--case", &f.case, "--to", &to_b, "--out", ps(&failed), "--json"]);
    assert_eq!(error_code(&out), "evidence.damaged");
    assert!(!failed.exists());
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 1, "{:?}", temp_files(&out_dir));
    std::fs::write(&enc, &original).unwrap();

    // A folder that does not exist: refused, nothing created.
    let out =
        f.a.run(&["export", "--case", &f.case, "--to", &to_b, "--out", ps(&out_dir.join("no/such.amana")), "--json"]);
    assert!(!out.status.success());
    assert!(!out_dir.join("no").exists());
}

/// A crash just before the rename leaves no bundle under the chosen name.
#[cfg(feature = "fault-injection")]
#[test]
fn a_crash_during_export_leaves_no_bundle_under_its_name() {
    let f = fixture();
    let (_b, card) = receiver("Lawyer B (fictional)");
    let to_b = add_contact(&f.a, &card);
    for point in ["export.before-finish", "export.before-rename"] {
        let bundle = f.a.tmp.path().join(format!("{point}.amana"));
        let out =
            f.a.cmd(&["export", "--case", &f.case, "--to", &to_b, "--out", ps(&bundle)])
                .env("AMANA_PASSPHRASE", PASS)
                .env("AMANA_CRASH_AT", point)
                .output()
                .unwrap();
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("crash point"), "{point}");
        assert!(!bundle.exists(), "{point}: a bundle appeared");
    }
}

// ------------------------------------------------------------------ bundles made here, signed as the vectors' sender

/// The vectors' sender key (see tests/testdata/bundles/README.md).
const VECTOR_SENDER_SEED: [u8; 32] = *b"amana test vector sender key v1!";

/// The manifest of `valid_x25519.amana`, decrypted with `recipient.key`.
fn vector_manifest() -> Value {
    let dir = vectors();
    let plain = decrypt(&dir.join("valid_x25519.amana"), &identity_from_file(&dir.join("recipient.key")));
    let entries = tar_entries(&plain);
    assert_eq!(entries[0].0, "manifest.json");
    serde_json::from_slice(&entries[0].1).unwrap()
}

/// Signs `manifest` as the vectors' sender and writes a bundle for `recipient.key`.
fn signed_bundle(manifest: &Value, files: &[(&str, &[u8])], out: &Path) {
    let key = ed25519_dalek::SigningKey::from_bytes(&VECTOR_SENDER_SEED);
    let recipient = identity_from_file(&vectors().join("recipient.key")).to_public();
    common::handover::signed_bundle(manifest, &key, files, &recipient, out);
}

fn import_with_recipient_key(v: &TestVault, bundle: &Path) -> Output {
    v.run(&["import", ps(bundle), "--identity", ps(&vectors().join("recipient.key")), "--json"])
}

#[test]
fn a_signed_bundle_made_here_imports_so_the_helper_is_sound() {
    let v = TestVault::new();
    let mut m = vector_manifest();
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    let path = m["files"][0]["path"].as_str().unwrap().to_string();
    let dir = vectors();
    let plain = decrypt(&dir.join("valid_x25519.amana"), &identity_from_file(&dir.join("recipient.key")));
    let file = tar_entries(&plain).pop().unwrap().1;
    let out = v.tmp.path().join("made-here.amana");
    signed_bundle(&m, &[(&path, &file)], &out);
    assert_eq!(parse(&import_with_recipient_key(&v, &out))["added"], 4);
}

/// A backup's identities and contacts are checked with the rest of its
/// manifest, before anything is written (`identity::restore_state` relies on
/// it): a key that does not parse, two active identities, a contact whose
/// fingerprint is not its keys' or whose recipient is not one, each refuses
/// the whole backup and changes nothing; intact, the same backup adds them.
#[test]
fn a_backup_with_a_damaged_identity_or_contact_is_refused_before_anything_is_written() {
    use secrecy::ExposeSecret;
    let identity = |seed: u8, active: bool| {
        json!({
            "created_at": "2026-01-05T09:00:00Z",
            "display_name": "Field office (fictional)",
            "age_secret": age::x25519::Identity::generate().to_string().expose_secret(),
            "signing_secret": hex::encode([seed; 32]),
            "active": active,
        })
    };
    let partner_key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]).verifying_key();
    let partner = age::x25519::Identity::generate().to_public().to_string();
    let good = json!({
        "identities": [identity(7, false), identity(8, true)],
        "contacts": [{
            "id": uuid::Uuid::new_v4(),
            "display_name": "Legal partner (fictional)",
            "age_recipient": partner,
            "signing_key": amana::identity::encode_signing_key(&partner_key),
            "fingerprint": amana::identity::fingerprint(&partner_key, &partner),
            "verified": true,
            "added_at": "2026-01-06T10:00:00Z",
            "verified_at": "2026-01-06T10:05:00Z",
        }],
    });
    let damaged = |path: &[&str], value: Value| {
        let mut state = good.clone();
        let mut at = &mut state;
        for p in path {
            at = match p.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*p],
            };
        }
        *at = value;
        state
    };
    let other_fingerprint =
        amana::identity::fingerprint(&partner_key, &age::x25519::Identity::generate().to_public().to_string());
    let cases = [
        ("a signing key that is not hex", damaged(&["identities", "0", "signing_secret"], json!("not hex"))),
        ("a short signing key", damaged(&["identities", "0", "signing_secret"], json!(hex::encode([7; 31])))),
        ("an age key that does not parse", damaged(&["identities", "0", "age_secret"], json!("AGE-SECRET-KEY-1QQQ"))),
        ("two active identities", damaged(&["identities", "0", "active"], json!(true))),
        ("a contact's fingerprint of other keys", damaged(&["contacts", "0", "fingerprint"], json!(other_fingerprint))),
        ("a contact without a recipient", damaged(&["contacts", "0", "age_recipient"], json!("age1notarecipient"))),
    ];

    let dir = vectors();
    let plain = decrypt(&dir.join("valid_x25519.amana"), &identity_from_file(&dir.join("recipient.key")));
    let file = tar_entries(&plain).pop().unwrap().1;
    let backup_with = |state: &Value, out: &Path| {
        let mut m = vector_manifest();
        m["bundle_id"] = json!(uuid::Uuid::new_v4());
        m["kind"] = json!("backup");
        m["vault"] = state.clone();
        let path = m["files"][0]["path"].as_str().unwrap().to_string();
        signed_bundle(&m, &[(&path, &file)], out);
    };
    let v = TestVault::new();
    let state_of = |v: &TestVault| (vault_digest(v), v.json(&["identity", "show"]), v.json(&["contact", "list"]));
    let before = state_of(&v);
    let out = v.tmp.path().join("backup.amana");
    for (what, state) in &cases {
        backup_with(state, &out);
        assert_eq!(error_code(&import_with_recipient_key(&v, &out)), "bundle.bad_manifest", "{what}");
        assert!(state_of(&v) == before, "{what}: the vault changed");
        std::fs::remove_file(&out).unwrap();
    }
    // Intact, it is still another vault's backup: its records come in (held
    // for review), its identities and contacts never do (tests/trust.rs
    // shows this vault's own backup adding them back).
    backup_with(&good, &out);
    let done = parse(&import_with_recipient_key(&v, &out));
    assert_eq!(done["vault_block"], "ignored", "{done}");
    assert_eq!(done["restored"], json!({"identities": 0, "contacts": 0}));
    assert_eq!((done["added"].as_u64(), done["held_for_review"].as_u64()), (Some(4), Some(4)), "{done}");
    assert_eq!(v.json(&["identity", "show"]), before.1, "the vault's identity did not change");
    assert_eq!(v.json(&["contact", "list"]), before.2, "no contact came in");
}

/// An evidence file's content never changes under its id: a bundle that says
/// otherwise (however new) is refused, and the vault keeps a record that
/// matches its file.
#[test]
fn an_update_cannot_change_an_evidence_file_under_the_same_id() {
    let v = TestVault::new();
    assert_success(&import_vector(&v, "valid_x25519", "recipient.key"));
    let m0 = vector_manifest();
    let ev_index = m0["records"].as_array().unwrap().iter().position(|r| r["kind"] == "evidence").unwrap();
    let ev_id = m0["records"][ev_index]["id"].as_str().unwrap().to_string();
    let original_sha = m0["records"][ev_index]["data"]["sha256"].as_str().unwrap().to_string();
    let path = m0["files"][0]["path"].as_str().unwrap().to_string();
    let digest = vault_digest(&v);

    let other: &[u8] = b"a different document, claimed to be the same evidence";
    let mut m = m0.clone();
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    m["records"][ev_index]["updated_at"] = json!("2026-03-05T08:00:00Z");
    m["records"][ev_index]["data"]["sha256"] = json!(sha256_hex(other));
    m["records"][ev_index]["data"]["size"] = json!(other.len());
    m["files"][0]["sha256"] = json!(sha256_hex(other));
    m["files"][0]["size"] = json!(other.len());
    let out = v.tmp.path().join("swapped.amana");
    signed_bundle(&m, &[(&path, other)], &out);
    assert_eq!(error_code(&import_with_recipient_key(&v, &out)), "bundle.refused");
    assert_eq!(vault_digest(&v), digest);
    assert!(leftovers(&v).is_empty(), "{:?}", leftovers(&v));
    assert_eq!(extract_sha(&v, &ev_id), original_sha);

    // A newer description of the same file is an ordinary update.
    let original = {
        let dir = vectors();
        let plain = decrypt(&dir.join("valid_x25519.amana"), &identity_from_file(&dir.join("recipient.key")));
        tar_entries(&plain).pop().unwrap().1
    };
    // (from the sender verified here, as the record's custodian, at its next version).
    let contact =
        v.json(&["contact", "add", ps(&vectors().join("sender.card.json"))])["id"].as_str().unwrap().to_string();
    v.json(&["contact", "verify", &contact]);
    let mut m = m0;
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    m["records"][ev_index]["updated_at"] = json!("2026-03-05T08:00:00Z");
    m["records"][ev_index]["custody_version"] = json!(2);
    m["records"][ev_index]["data"]["description"] = json!("The request for provisional arrest, second page added.");
    let out = v.tmp.path().join("described.amana");
    signed_bundle(&m, &[(&path, &original)], &out);
    let r = parse(&import_with_recipient_key(&v, &out));
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(extract_sha(&v, &ev_id), original_sha);
    assert_success(&v.run(&["check"]));
}

/// Encrypts a tar stream to `recipient.key`.
fn encrypt_for_recipient(plain: &[u8], out: &Path) {
    use std::io::Write;
    let recipient = identity_from_file(&vectors().join("recipient.key")).to_public();
    let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
    let mut file = Vec::new();
    let mut w = enc.wrap_output(&mut file).unwrap();
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    std::fs::write(out, file).unwrap();
}

/// A pax record `<len> <key>=<value>\n` (the length counts the whole record).
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = 1 + key.len() + 1 + value.len() + 1;
    let mut len = body + 1;
    while len.to_string().len() + body != len {
        len = len.to_string().len() + body;
    }
    [format!("{len} {key}=").as_bytes(), value, b"\n"].concat()
}

/// Extended headers (pax, GNU long names) are read whole into memory by the
/// tar reader before the entry they describe: their size is bounded, so a
/// bundle cannot make the reader allocate without limit. A small pax header
/// (as any tar writer may add) is fine.
#[test]
fn extended_headers_are_accepted_small_and_refused_huge() {
    let dir = vectors();
    let plain = decrypt(&dir.join("valid_x25519.amana"), &identity_from_file(&dir.join("recipient.key")));
    let v = TestVault::new();
    let with_pax = |value_len: usize, name: &str| {
        let data = pax_record("comment", &vec![b'x'; value_len]);
        let mut h = tar::Header::new_ustar();
        h.set_path("PaxHeaders/manifest.json").unwrap();
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::XHeader);
        h.set_cksum();
        let mut b = tar::Builder::new(Vec::new());
        b.append(&h, data.as_slice()).unwrap();
        let mut stream = b.into_inner().unwrap();
        // `into_inner` added the two end blocks: drop them, then the bundle.
        stream.truncate(stream.len() - 1024);
        stream.extend_from_slice(&plain);
        let out = v.tmp.path().join(name);
        encrypt_for_recipient(&stream, &out);
        out
    };
    let key = dir.join("recipient.key");
    let small = with_pax(100, "small-pax.amana");
    assert_eq!(v.json(&["bundle", "verify", ps(&small), "--identity", ps(&key)])["files"], 1);
    let huge = with_pax(8 << 20, "huge-pax.amana");
    let before = vault_digest(&v);
    assert_eq!(
        error_code(&v.run(&["bundle", "verify", ps(&huge), "--identity", ps(&key), "--json"])),
        "bundle.hostile_entry"
    );
    assert_eq!(error_code(&v.run(&["import", ps(&huge), "--identity", ps(&key), "--json"])), "bundle.hostile_entry");
    assert_eq!(vault_digest(&v), before);
}
