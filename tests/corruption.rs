//! The corruption matrix: bits flipped in and files cut short at every page
//! of a real vault's database, every field of its key file, and every 64 KiB
//! chunk boundary of an evidence file and of a bundle (age STREAM chunks).
//! Each damage is detected with its typed error code, no plaintext is
//! released from a damaged file (an extraction leaves nothing behind, a
//! read either fails or shows exactly what the undamaged vault showed), and
//! `amana check` names the damaged part: the page of vault.db, the key file,
//! the evidence record.
//!
//! Positions inside a page or chunk come from a fixed seed, so every run
//! tests the same cases. Everything here is fictional.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// SQLCipher's page size (db.rs leaves SQLCipher 4's default).
const PAGE: usize = 4096;
/// age STREAM: 64 KiB of plaintext and a 16-byte tag per chunk.
const AGE_CHUNK: usize = 64 * 1024 + 16;
/// A word from the testimony: must never come out of a damaged vault altered.
const CANARY: &str = "CANARY-corruption-شاهد-5d1e";

/// A deterministic xorshift for the positions inside pages and chunks.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

struct Fixture {
    v: TestVault,
    recovery_key: String,
    case: String,
    evidence: String,
    /// Every file of the vault folder, relative path → bytes.
    pristine: BTreeMap<PathBuf, Vec<u8>>,
    /// What `testimony list` printed before any damage.
    testimonies: Vec<u8>,
}

fn fixture() -> Fixture {
    let v = TestVault::empty();
    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_success(&out);
    let init: Value = serde_json::from_slice(&out.stdout).unwrap();
    let recovery_key = init["recovery_key"].as_str().unwrap().to_string();
    let case = v.add(
        "case",
        None,
        &json!({ "title": "Deportation of K. H. (fictional)", "subject": { "names": [{ "name": "Karim Haddad" }] } }),
    );
    v.add(
        "testimony",
        Some(&case),
        &json!({ "text": format!("Il a été expulsé de nuit. {CANARY}"), "language": "fr" }),
    );
    // Five age chunks: four full ones and a short last one.
    let original = v.tmp.path().join("statement.pdf");
    write_pattern_file(&original, 4 * 64 * 1024 + 37_856, 7);
    let evidence = v.json(&["attach", &case, original.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    std::fs::remove_file(&original).unwrap();
    let testimonies = list_testimonies(&v, &case);
    assert_success(&testimonies);
    let pristine = read_folder(&v.dir);
    Fixture { v, recovery_key, case, evidence, pristine, testimonies: testimonies.stdout }
}

fn list_testimonies(v: &TestVault, case: &str) -> Output {
    v.run(&["testimony", "list", "--case", case, "--json"])
}

fn read_folder(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    all_files(dir).into_iter().map(|(p, b)| (p.strip_prefix(dir).unwrap().to_path_buf(), b)).collect()
}

/// Puts the vault folder back exactly as it was (and only that).
fn reset(f: &Fixture) {
    std::fs::remove_dir_all(&f.v.dir).unwrap();
    std::fs::create_dir_all(f.v.dir.join("files")).unwrap();
    for (rel, bytes) in &f.pristine {
        std::fs::write(f.v.dir.join(rel), bytes).unwrap();
    }
}

/// Replaces one file of the vault with `bytes`.
fn damage(f: &Fixture, rel: &str, bytes: &[u8]) {
    std::fs::write(f.v.dir.join(rel), bytes).unwrap();
}

/// A failed `--json` command's (code, message); panics on success.
fn refused(out: &Output, what: &str) -> (String, String) {
    assert!(!out.status.success(), "{what}: the command succeeded on a damaged vault");
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("{what}: no JSON error (untyped failure?): {err}"));
    let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
    (
        v["error"]["code"].as_str().unwrap_or_default().to_string(),
        v["error"]["message"].as_str().unwrap_or_default().to_string(),
    )
}

fn flip(bytes: &[u8], at: usize, mask: u8) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[at] ^= mask;
    b
}

// ------------------------------------------------------------------ database

/// `check` on a damaged database: refused, typed, naming vault.db (and
/// `page` if given); a read either fails typed or shows exactly the
/// original; the damaged file is left as it was (nothing "repairs" it).
fn assert_db_damage_caught(f: &Fixture, damaged: &[u8], what: &str, page: Option<usize>) {
    damage(f, "vault.db", damaged);
    let (code, message) = refused(&f.v.run(&["check", "--json"]), what);
    assert!(
        code == "vault.database_damaged" || code == "vault.check_failed",
        "{what}: unexpected code {code}: {message}"
    );
    assert!(message.contains("vault.db"), "{what}: check does not name the database: {message}");
    if let Some(p) = page {
        assert!(
            message.contains(&format!("page {p} "))
                || message.contains(&format!("page {p};"))
                || message.contains(&format!(" {p},"))
                || message.contains(&format!(" {p} of")),
            "{what}: check does not name page {p}: {message}"
        );
    }
    let read = list_testimonies(&f.v, &f.case);
    if read.status.success() {
        assert_eq!(read.stdout, f.testimonies, "{what}: a read of a damaged vault returned altered records");
    } else {
        let (code, message) = refused(&read, what);
        assert!(code.starts_with("vault.database"), "{what}: read refused with {code}: {message}");
    }
    assert!(std::fs::read(f.v.dir.join("vault.db")).unwrap() == damaged, "{what}: vault.db was written to");
    reset(f);
}

#[test]
fn every_database_page_flipped_or_cut_is_detected_and_named() {
    let f = fixture();
    let db = f.pristine[Path::new("vault.db")].clone();
    assert_eq!(db.len() % PAGE, 0, "the checkpointed database is whole pages");
    let pages = db.len() / PAGE;
    assert!(pages >= 15, "a real vault with records has pages to damage ({pages})");
    let mut rng = Seeded(0x5EED_0001);
    let mut cases = 0;
    for p in 0..pages {
        let at = p * PAGE + rng.below(PAGE);
        let mask = 1u8 << rng.below(8);
        assert_db_damage_caught(&f, &flip(&db, at, mask), &format!("page {} byte {at}", p + 1), Some(p + 1));
        cases += 1;
    }
    for p in 0..pages {
        // Cut at the page boundary (SQLite sees a malformed file) and inside
        // the page (SQLCipher names the incomplete page).
        assert_db_damage_caught(&f, &db[..p * PAGE], &format!("cut before page {}", p + 1), None);
        let inside = p * PAGE + 1 + rng.below(PAGE - 1);
        assert_db_damage_caught(&f, &db[..inside], &format!("cut inside page {}", p + 1), Some(p + 1));
        cases += 2;
    }
    // The vault is whole again.
    assert_success(&f.v.run(&["check"]));
    eprintln!("corruption matrix: database of {pages} pages, {cases} cases");
}

// ------------------------------------------------------------------ key file

/// (name, offset, length) of every field of a version 1 key file with a
/// passphrase slot and a recovery slot (src/keyfile.rs).
fn key_file_fields() -> Vec<(&'static str, usize, usize)> {
    let layout = [
        ("magic", 8),
        ("version", 2),
        ("vault id", 16),
        ("key check", 32),
        ("slot count", 1),
        ("passphrase slot kind", 1),
        ("passphrase slot length", 2),
        ("argon2 memory", 4),
        ("argon2 passes", 4),
        ("argon2 lanes", 4),
        ("passphrase salt", 16),
        ("passphrase nonce", 24),
        ("passphrase sealed key", 48),
        ("recovery slot kind", 1),
        ("recovery slot length", 2),
        ("recovery salt", 16),
        ("recovery nonce", 24),
        ("recovery sealed key", 48),
        ("digest", 32),
    ];
    let mut at = 0;
    layout
        .iter()
        .map(|(name, len)| {
            let field = (*name, at, *len);
            at += len;
            field
        })
        .collect()
}

fn with_digest(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    out.extend(Sha256::digest(body));
    out
}

fn failed_attempts(v: &TestVault) -> u64 {
    v.json(&["status"])["failed_attempts"].as_u64().unwrap()
}

#[test]
fn every_key_file_byte_and_field_boundary_is_detected() {
    let f = fixture();
    let key = f.pristine[Path::new("vault.key")].clone();
    let fields = key_file_fields();
    let last = fields.last().unwrap();
    assert_eq!(last.1 + last.2, key.len(), "the layout covers the whole key file");
    let mut cases = 0;
    let expect_for = |at: usize| if at < 8 { "vault.key_file_foreign" } else { "vault.key_file_damaged" };
    for at in 0..key.len() {
        damage(&f, "vault.key", &flip(&key, at, 0xff));
        let (code, message) = refused(&f.v.run(&["check", "--json"]), &format!("key byte {at}"));
        assert_eq!(code, expect_for(at), "key file byte {at}: {message}");
        assert!(message.contains("key file"), "byte {at}: the message names the key file: {message}");
        cases += 1;
    }
    // Damage is not a wrong guess: it never feeds the throttle.
    assert_eq!(failed_attempts(&f.v), 0);
    let status = f.v.json(&["status"]);
    assert!(status["key_file_problem"].as_str().unwrap().contains("damaged"), "{status}");
    reset(&f);

    let mut cuts: Vec<usize> = fields.iter().map(|(_, at, _)| *at).collect();
    cuts.extend(fields.iter().map(|(_, at, len)| at + len - 1));
    cuts.sort();
    cuts.dedup();
    for cut in cuts {
        damage(&f, "vault.key", &key[..cut]);
        let (code, message) = refused(&f.v.run(&["check", "--json"]), &format!("key cut at {cut}"));
        assert_eq!(code, expect_for(cut), "key file cut at {cut}: {message}");
        cases += 1;
    }
    reset(&f);

    // A tamperer who also recomputes the digest: the wraps' associated data
    // and the key check still catch every field of the passphrase path.
    let body = &key[..key.len() - 32];
    for (name, at, len) in &fields[..fields.len() - 1] {
        let pos = at + len - 1;
        let tampered = with_digest(&flip(body, pos, 0x01));
        damage(&f, "vault.key", &tampered);
        let out = f.v.run(&["check", "--json"]);
        let recovery_field = name.starts_with("recovery") && !name.ends_with("kind") && !name.ends_with("length");
        if recovery_field {
            // The passphrase path never reads the recovery wrap: it opens,
            // and the recovery key is what refuses.
            assert_success(&out);
            let rec = f.v.run_with_env(
                &["recover", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"],
                &[("AMANA_RECOVERY_KEY", &f.recovery_key), ("AMANA_NEW_PASSPHRASE", "another passphrase, long enough")],
            );
            let (code, message) = refused(&rec, name);
            assert_eq!(code, "vault.wrong_recovery_key", "{name}: {message}");
        } else {
            let (code, message) = refused(&out, name);
            let expected: &[&str] = match *name {
                "magic" => &["vault.key_file_foreign"],
                "version" => &["vault.key_file_too_new"],
                "vault id" | "argon2 memory" | "passphrase salt" | "passphrase nonce" | "passphrase sealed key" => {
                    &["vault.wrong_passphrase"]
                }
                _ => &["vault.key_file_damaged"],
            };
            assert!(expected.contains(&code.as_str()), "re-digested {name} (byte {pos}): {code}: {message}");
        }
        cases += 1;
        reset(&f);
    }
    // The untouched key file still opens, with the recovery key too.
    let rec = f.v.run_with_env(
        &["recover", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"],
        &[("AMANA_RECOVERY_KEY", &f.recovery_key), ("AMANA_NEW_PASSPHRASE", "another passphrase, long enough")],
    );
    assert_success(&rec);
    eprintln!("corruption matrix: key file of {} bytes, {cases} cases", key.len());
}

// ------------------------------------------------------------------ age files

/// Where the STREAM payload of an age file starts (after the header's MAC
/// line and the 16-byte nonce), and the offsets of its chunk boundaries.
fn age_layout(bytes: &[u8]) -> (usize, Vec<usize>) {
    let mac = bytes.windows(5).position(|w| w == b"\n--- ").expect("an age header") + 1;
    let header_end = mac + bytes[mac..].iter().position(|b| *b == b'\n').unwrap() + 1;
    let payload = header_end + 16;
    let chunks = (bytes.len() - payload).div_ceil(AGE_CHUNK);
    (header_end, (0..chunks).map(|k| payload + k * AGE_CHUNK).collect())
}

/// The damaged variants of an age file: at every chunk boundary a flip of
/// the first byte of the chunk and of the last byte before it, a cut at the
/// boundary and a cut inside the chunk; and damage to the header.
fn age_damage(bytes: &[u8], seed: u64) -> Vec<(String, Vec<u8>, bool)> {
    let (header_end, bounds) = age_layout(bytes);
    assert!(bounds.len() >= 5, "the file spans several chunks ({})", bounds.len());
    let mut rng = Seeded(seed);
    let mut out = Vec::new();
    for (k, &b) in bounds.iter().enumerate() {
        out.push((format!("chunk {k}: first byte flipped"), flip(bytes, b, 1 << rng.below(8)), true));
        out.push((format!("chunk {k}: byte before it flipped"), flip(bytes, b - 1, 1 << rng.below(8)), true));
        out.push((format!("cut at the start of chunk {k}"), bytes[..b].to_vec(), true));
        let inside = b + 1 + rng.below((bytes.len() - b - 1).min(AGE_CHUNK - 1));
        out.push((format!("cut inside chunk {k}"), bytes[..inside].to_vec(), true));
    }
    out.push(("last byte flipped".into(), flip(bytes, bytes.len() - 1, 0x80), true));
    out.push(("last byte cut".into(), bytes[..bytes.len() - 1].to_vec(), true));
    out.push(("a byte appended".into(), [bytes, b"\0"].concat(), true));
    out.push(("a whole chunk removed".into(), [&bytes[..bounds[1]], &bytes[bounds[2]..]].concat(), true));
    out.push((
        "two chunks swapped".into(),
        [&bytes[..bounds[1]], &bytes[bounds[2]..bounds[3]], &bytes[bounds[1]..bounds[2]], &bytes[bounds[3]..]].concat(),
        true,
    ));
    let stanza = bytes.iter().position(|b| *b == b'\n').unwrap() + 1 + rng.below(20);
    out.push(("header: recipient stanza flipped".into(), flip(bytes, stanza, 0x01), false));
    out.push(("header: MAC flipped".into(), flip(bytes, header_end - 3, 0x01), false));
    out.push(("header: cut".into(), bytes[..header_end - 10].to_vec(), false));
    out.push(("nonce flipped".into(), flip(bytes, header_end + 3, 0x01), true));
    out
}

fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn every_evidence_chunk_boundary_damaged_is_detected_and_nothing_is_released() {
    let f = fixture();
    let rel = format!("files/{}.age", f.evidence);
    let age = f.pristine[Path::new(&rel)].clone();
    let outs = f.v.tmp.path().join("extracted");
    std::fs::create_dir_all(&outs).unwrap();
    let log_before = f.v.log_len();
    let recipient = age::x25519::Identity::generate().to_public().to_string();
    let variants = age_damage(&age, 0x5EED_0003);
    for (what, bytes, _) in &variants {
        damage(&f, &rel, bytes);
        let target = outs.join("statement.pdf");
        let (code, message) =
            refused(&f.v.run(&["extract", &f.evidence, "--out", target.to_str().unwrap(), "--json"]), what);
        assert_eq!(code, "evidence.damaged", "extract, {what}: {message}");
        assert!(entries(&outs).is_empty(), "{what}: extraction left {:?}", entries(&outs));
        // Export does not hash a sealed file again (evidence::seal): the seal
        // and age's authentication alone must refuse every damage.
        let bundle = outs.join("case.amana");
        let (code, message) = refused(
            &f.v.run(&[
                "export",
                "--case",
                &f.case,
                "--to",
                &recipient,
                "--no-self",
                "--out",
                bundle.to_str().unwrap(),
                "--json",
            ]),
            what,
        );
        assert_eq!(code, "evidence.damaged", "export, {what}: {message}");
        assert!(entries(&outs).is_empty(), "{what}: export left {:?}", entries(&outs));
        let (code, message) = refused(&f.v.run(&["check", "--json"]), what);
        assert_eq!(code, "vault.check_failed", "check, {what}: {message}");
        assert!(message.contains(&format!("evidence {}", f.evidence)), "{what}: check names the file: {message}");
        assert!(!message.contains("vault.db"), "{what}: only the evidence is named: {message}");
        reset(&f);
    }
    assert_eq!(f.v.log_len(), log_before, "no extraction or export was recorded as done");
    // The undamaged file still extracts.
    f.v.json(&["extract", &f.evidence, "--out", outs.join("ok.pdf").to_str().unwrap()]);
    eprintln!("corruption matrix: evidence file of {} bytes, {} cases", age.len(), variants.len());
}

#[test]
fn every_bundle_chunk_boundary_damaged_is_refused_before_anything_is_written() {
    let f = fixture();
    let receiver = TestVault::new();
    let card = receiver.json(&["identity", "show"])["card"].clone();
    let card_path = f.v.tmp.path().join("card.json");
    std::fs::write(&card_path, card.to_string()).unwrap();
    let contact = f.v.json(&["contact", "add", card_path.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    let bundle = f.v.tmp.path().join("handover.amana");
    f.v.json(&["export", "--case", &f.case, "--to", &contact, "--out", bundle.to_str().unwrap()]);
    let bytes = std::fs::read(&bundle).unwrap();
    let before = snapshot(&receiver.dir);
    let variants = age_damage(&bytes, 0x5EED_0004);
    let damaged = receiver.tmp.path().join("damaged.amana");
    for (what, b, in_payload) in &variants {
        std::fs::write(&damaged, b).unwrap();
        let (verify_code, message) =
            refused(&receiver.run(&["bundle", "verify", damaged.to_str().unwrap(), "--json"]), what);
        if *in_payload {
            assert_eq!(verify_code, "bundle.damaged", "verify, {what}: {message}");
        } else {
            assert!(
                ["bundle.damaged", "bundle.not_a_bundle", "bundle.not_for_you"].contains(&verify_code.as_str()),
                "verify, {what}: {verify_code}: {message}"
            );
        }
        let (code, message) = refused(&receiver.run(&["import", damaged.to_str().unwrap(), "--json"]), what);
        assert_eq!(code, verify_code, "import, {what}: {message}");
        assert!(snapshot(&receiver.dir) == before, "{what}: the import changed the receiving vault");
    }
    // The undamaged bundle imports.
    receiver.json(&["import", bundle.to_str().unwrap()]);
    eprintln!("corruption matrix: bundle of {} bytes, {} cases", bytes.len(), variants.len());
}
