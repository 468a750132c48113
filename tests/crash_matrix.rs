//! Crash safety at hundreds of points: the CLI is killed (SIGKILL) during
//! record saves, evidence ingest and extraction, export, import, passphrase
//! change and backup restore, at every crash point the operation passes
//! (`AMANA_CRASH_AT=*#N`, src/fault.rs; sampled with a fixed seed where an
//! operation passes more than `MAX_POINTS`) and at seeded random moments
//! (a timer). After every kill: the vault opens, `PRAGMA integrity_check`,
//! the page check and the audit chain are intact, the operation happened
//! completely or not at all (the audit log is exactly as before or exactly
//! as after), a change the CLI had reported done is there, an export or a
//! plaintext copy is complete or absent, and the next run to the same place
//! leaves no temporary file behind.
//!
//! Needs the `fault-injection` feature (the Makefile enables it).

mod common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// Most crash points tried per operation (a seeded sample beyond that).
const MAX_POINTS: usize = 40;
/// Timer kills per operation.
const TIMER_KILLS: usize = 20;
const NEW_PASS: &str = "the new passphrase after the change";

struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// An operation of the CLI on a vault, and how to judge what a kill left.
struct Op {
    name: &'static str,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(&'static str, String)>,
    /// A file the operation creates outside the vault (export, extract, restore).
    output: Option<PathBuf>,
}

/// A vault with content, its pristine bytes, and what the operations need.
struct World {
    v: TestVault,
    pristine: BTreeMap<PathBuf, Vec<u8>>,
    case: String,
    testimony: String,
    evidence: String,
    contact: String,
    original: PathBuf,
    /// A second vault that imports A's bundle.
    receiver: TestVault,
    receiver_pristine: BTreeMap<PathBuf, Vec<u8>>,
    bundle: PathBuf,
    backup: PathBuf,
    identity_file: PathBuf,
}

fn read_folder(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    all_files(dir).into_iter().map(|(p, b)| (p.strip_prefix(dir).unwrap().to_path_buf(), b)).collect()
}

fn put_folder(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("files")).unwrap();
    for (rel, bytes) in files {
        std::fs::write(dir.join(rel), bytes).unwrap();
    }
}

fn world() -> World {
    let v = TestVault::new();
    let case = v.add(
        "case",
        None,
        &json!({ "title": "Detention of R. S. (fictional)", "subject": { "names": [{ "name": "Rania Saleh" }] } }),
    );
    let testimony =
        v.add("testimony", Some(&case), &json!({ "text": "اعتقلت في المطار ولم يسمح لها بمحام.", "language": "ar" }));
    let original = v.tmp.path().join("ruling.pdf");
    write_pattern_file(&original, 4 * 64 * 1024 + 9_000, 3);
    let evidence = v.json(&["attach", &case, original.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    let receiver = TestVault::new();
    let card = receiver.tmp.path().join("card.json");
    std::fs::write(&card, receiver.json(&["identity", "show"])["card"].to_string()).unwrap();
    let contact = v.json(&["contact", "add", card.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    let bundle = v.tmp.path().join("for-receiver.amana");
    v.json(&["export", "--case", &case, "--to", &contact, "--out", bundle.to_str().unwrap()]);
    let backup = v.tmp.path().join("backup.amana");
    v.json(&["backup", "--to-self", "--out", backup.to_str().unwrap()]);
    let identity_file = v.tmp.path().join("identity.txt");
    v.json(&["identity", "export", "--out", identity_file.to_str().unwrap()]);
    let pristine = read_folder(&v.dir);
    let receiver_pristine = read_folder(&receiver.dir);
    World {
        v,
        pristine,
        case,
        testimony,
        evidence,
        contact,
        original,
        receiver,
        receiver_pristine,
        bundle,
        backup,
        identity_file,
    }
}

fn s(x: &str) -> String {
    x.to_string()
}

impl World {
    /// The vault an operation runs on.
    fn target(&self, op: &Op) -> &TestVault {
        if op.name == "import" {
            &self.receiver
        } else {
            &self.v
        }
    }

    fn reset(&self, op: &Op) {
        put_folder(&self.v.dir, &self.pristine);
        put_folder(&self.receiver.dir, &self.receiver_pristine);
        if let Some(out) = &op.output {
            let dir = out.parent().unwrap();
            let _ = std::fs::remove_dir_all(dir);
            std::fs::create_dir_all(dir).unwrap();
        }
    }

    fn command(&self, op: &Op, crash: Option<&str>) -> Command {
        let args: Vec<&str> = op.args.iter().map(String::as_str).collect();
        let mut c = self.target(op).cmd(&args);
        c.env("AMANA_PASSPHRASE", PASS);
        for (k, val) in &op.env {
            c.env(k, val);
        }
        match crash {
            Some(at) => c.env("AMANA_CRASH_AT", at),
            None => c.env("AMANA_CRASH_TRACE", "1"),
        };
        c.stdin(if op.stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn spawn(&self, op: &Op, crash: Option<&str>) -> std::process::Child {
        let mut child = self.command(op, crash).spawn().unwrap();
        if let Some(input) = &op.stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        child
    }

    fn ops(&self) -> Vec<Op> {
        let tmp = self.v.tmp.path();
        let p = |x: &Path| x.to_str().unwrap().to_string();
        let kdf = ["--kdf-memory-mib", "64", "--kdf-iterations", "1"].map(s);
        vec![
            Op {
                name: "record add",
                args: ["testimony", "add", "--case", &self.case, "--json"].map(s).to_vec(),
                stdin: Some(json!({ "text": "Il a été arrêté à la frontière.", "language": "fr" }).to_string().into()),
                env: vec![],
                output: None,
            },
            Op {
                name: "record edit",
                args: ["testimony", "edit", &self.testimony, "--json"].map(s).to_vec(),
                stdin: Some(json!({ "interviewer": "Researcher R-7" }).to_string().into()),
                env: vec![],
                output: None,
            },
            Op {
                name: "record delete",
                args: ["testimony", "delete", &self.testimony, "--yes", "--json"].map(s).to_vec(),
                stdin: None,
                env: vec![],
                output: None,
            },
            Op {
                name: "attach",
                args: vec![s("attach"), self.case.clone(), p(&self.original), s("--json")],
                stdin: None,
                env: vec![],
                output: None,
            },
            Op {
                name: "extract",
                args: vec![
                    s("extract"),
                    self.evidence.clone(),
                    s("--out"),
                    p(&tmp.join("copies/ruling.pdf")),
                    s("--json"),
                ],
                stdin: None,
                env: vec![],
                output: Some(tmp.join("copies/ruling.pdf")),
            },
            Op {
                name: "export",
                args: vec![
                    s("export"),
                    s("--case"),
                    self.case.clone(),
                    s("--to"),
                    self.contact.clone(),
                    s("--out"),
                    p(&tmp.join("exports/handover.amana")),
                    s("--json"),
                ],
                stdin: None,
                env: vec![],
                output: Some(tmp.join("exports/handover.amana")),
            },
            Op {
                name: "import",
                args: vec![s("import"), p(&self.bundle), s("--json")],
                stdin: None,
                env: vec![],
                output: None,
            },
            Op {
                name: "passphrase change",
                args: [["passphrase", "change"].map(s).as_slice(), &kdf, &[s("--json")]].concat(),
                stdin: None,
                env: vec![("AMANA_NEW_PASSPHRASE", s(NEW_PASS))],
                output: None,
            },
            Op {
                name: "restore",
                args: [
                    vec![
                        s("restore"),
                        p(&self.backup),
                        s("--identity"),
                        p(&self.identity_file),
                        s("--vault"),
                        p(&tmp.join("restored/vault")),
                    ],
                    kdf.to_vec(),
                    vec![s("--json")],
                ]
                .concat(),
                stdin: None,
                env: vec![],
                output: Some(tmp.join("restored/vault")),
            },
        ]
    }
}

/// What a full, uninterrupted run of an operation does.
struct Reference {
    points: Vec<String>,
    took: Duration,
    log_after: usize,
}

/// `check --json`'s report (also when it finds problems); panics if the
/// vault does not open.
fn check_report(v: &TestVault, pass: &str, what: &str) -> Value {
    let out = v.run_with_env(&["check", "--json"], &[("AMANA_PASSPHRASE", pass)]);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: the vault does not open ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

/// The number of audit entries (every committed change appends one).
fn log_len_of(v: &TestVault, pass: &str) -> usize {
    check_report(v, pass, "count the audit entries")["audit_entries"].as_u64().unwrap() as usize
}

fn reference(w: &World, op: &Op) -> Reference {
    w.reset(op);
    let started = Instant::now();
    let out = w.spawn(op, None).wait_with_output().unwrap();
    let took = started.elapsed();
    assert_success(&out);
    let points = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("amana: crash point "))
        .map(str::to_string)
        .collect();
    let pass = if op.name == "passphrase change" { NEW_PASS } else { PASS };
    let log_after = log_len_of(w.target(op), pass);
    Reference { points, took, log_after }
}

/// Judges what a killed (or finished) run left. `finished`: the process
/// exited on its own, successfully, before it could be killed.
fn judge(w: &World, op: &Op, r: &Reference, log_before: usize, finished: bool, what: &str) {
    let v = w.target(op);
    // Which passphrase opens: exactly one of old and new after a change.
    let pass = if op.name == "passphrase change" {
        let opens =
            |p: &str| v.run_with_env(&["log", "--limit", "1", "--json"], &[("AMANA_PASSPHRASE", p)]).status.success();
        let (old, new) = (opens(PASS), opens(NEW_PASS));
        assert!(old ^ new, "{what}: exactly one passphrase must open (old {old}, new {new})");
        if finished {
            assert!(new, "{what}: the change was reported done, the new passphrase must open");
        }
        if new {
            NEW_PASS
        } else {
            PASS
        }
    } else {
        PASS
    };
    let report = check_report(v, pass, what);
    assert!(report["audit_first_broken"].is_null(), "{what}: the audit chain broke: {report}");
    for p in report["problems"].as_array().unwrap() {
        let p = p.as_str().unwrap();
        // An encrypted file orphaned between its write and its record is
        // reported (and safe to delete); anything else is damage.
        assert!(
            p.contains("interrupted attachment") || p.contains("belongs to no record"),
            "{what}: check found damage: {p}"
        );
    }
    let log = report["audit_entries"].as_u64().unwrap() as usize;
    assert!(
        log == log_before || log == r.log_after,
        "{what}: half an operation ({log_before} → {log} entries, complete is {})",
        r.log_after
    );
    if finished {
        assert_eq!(log, r.log_after, "{what}: the CLI reported success, the change must be there");
    }
    match op.name {
        "export" => judge_export(w, op, what),
        "extract" => judge_extract(w, op, what),
        "restore" => judge_restore(w, op, what),
        _ => {}
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with('.') || n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the operation again, to completion, to the same place.
fn rerun(w: &World, op: &Op, what: &str) {
    let out = w.spawn(op, Some("never")).wait_with_output().unwrap();
    assert!(out.status.success(), "{what}: the next run failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn judge_export(w: &World, op: &Op, what: &str) {
    let out = op.output.as_ref().unwrap();
    if out.exists() {
        let verified = w.receiver.run(&["bundle", "verify", out.to_str().unwrap(), "--json"]);
        assert!(verified.status.success(), "{what}: an export exists but does not verify");
        std::fs::remove_file(out).unwrap();
    }
    rerun(w, op, what);
    assert!(temp_files(out.parent().unwrap()).is_empty(), "{what}: left {:?}", temp_files(out.parent().unwrap()));
}

fn judge_extract(w: &World, op: &Op, what: &str) {
    let out = op.output.as_ref().unwrap();
    if out.exists() {
        assert!(same_bytes(out, &w.original), "{what}: a plaintext copy exists but is not the whole file");
        std::fs::remove_file(out).unwrap();
    }
    rerun(w, op, what);
    assert!(same_bytes(out, &w.original));
    assert!(temp_files(out.parent().unwrap()).is_empty(), "{what}: left {:?}", temp_files(out.parent().unwrap()));
}

fn judge_restore(w: &World, op: &Op, what: &str) {
    let dest = op.output.as_ref().unwrap();
    let restored = TestVault { tmp: tempfile::tempdir().unwrap(), dir: dest.clone() };
    if dest.join("vault.key").exists() {
        // Only ever a complete restore: every case is there.
        let cases = restored.json(&["case", "list"]);
        assert_eq!(cases.as_array().unwrap().len(), 1, "{what}: a restored vault without its case");
        assert_success(&restored.run(&["check"]));
    } else {
        rerun(w, op, what);
        assert_eq!(restored.json(&["case", "list"]).as_array().unwrap().len(), 1);
    }
    assert!(temp_files(dest.parent().unwrap()).is_empty(), "{what}: left {:?}", temp_files(dest.parent().unwrap()));
}

/// The crash points to try: all of them up to `MAX_POINTS`, else a seeded
/// sample that keeps the first and the last.
fn chosen(n: usize, rng: &mut Seeded) -> Vec<usize> {
    if n <= MAX_POINTS {
        return (1..=n).collect();
    }
    let mut picked = std::collections::BTreeSet::from([1, n]);
    while picked.len() < MAX_POINTS {
        picked.insert(1 + rng.below(n as u64) as usize);
    }
    picked.into_iter().collect()
}

/// Kills `op` at its crash points and at random moments; returns the
/// number of kills.
fn kill_everywhere(w: &World, op: &Op, seed: u64) -> usize {
    let r = reference(w, op);
    assert!(!r.points.is_empty(), "{}: the operation passes crash points", op.name);
    let mut rng = Seeded(seed);
    let log_before = {
        w.reset(op);
        log_len_of(w.target(op), PASS)
    };
    let mut kills = 0;
    for n in chosen(r.points.len(), &mut rng) {
        w.reset(op);
        let out = w.spawn(op, Some(&format!("*#{n}"))).wait_with_output().unwrap();
        let what = format!("{}: killed at point {n} of {} ({})", op.name, r.points.len(), r.points[n - 1]);
        assert_eq!(
            out.status.signal(),
            Some(9),
            "{what}: the process was not killed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        judge(w, op, &r, log_before, false, &what);
        kills += 1;
    }
    // Kills by a timer at seeded moments across the whole run (the process
    // start, the KDF and SQLite's own writes included).
    let span = r.took.as_micros() as u64 * 11 / 10;
    for i in 0..TIMER_KILLS {
        w.reset(op);
        let delay = Duration::from_micros(rng.below(span));
        let mut child = w.spawn(op, Some("never"));
        std::thread::sleep(delay);
        let finished_before = matches!(child.try_wait(), Ok(Some(_)));
        let _ = Command::new("kill").args(["-KILL", &child.id().to_string()]).status();
        let out: Output = child.wait_with_output().unwrap();
        let finished = finished_before || out.status.code() == Some(0);
        if finished {
            assert_success(&out);
        }
        let what = format!("{}: timer kill {i} after {delay:?} (finished: {finished})", op.name);
        judge(w, op, &r, log_before, finished, &what);
        kills += 1;
    }
    eprintln!("crash matrix: {}: {} crash points, {kills} kills", op.name, r.points.len());
    kills
}

fn run_ops(names: &[&str], seed: u64) -> usize {
    let w = world();
    let mut total = 0;
    for (i, op) in w.ops().into_iter().filter(|o| names.contains(&o.name)).enumerate() {
        total += kill_everywhere(&w, &op, seed + i as u64);
    }
    total
}

#[test]
fn record_saves_survive_kills() {
    assert!(run_ops(&["record add", "record edit", "record delete"], 0x5EED_1000) >= 70);
}

#[test]
fn evidence_ingest_and_extraction_survive_kills() {
    assert!(run_ops(&["attach", "extract"], 0x5EED_2000) >= 55);
}

#[test]
fn export_and_import_survive_kills() {
    assert!(run_ops(&["export", "import"], 0x5EED_3000) >= 90);
}

#[test]
fn passphrase_change_and_restore_survive_kills() {
    assert!(run_ops(&["passphrase change", "restore"], 0x5EED_4000) >= 60);
}
