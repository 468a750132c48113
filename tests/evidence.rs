//! Evidence files through the real CLI: attach and extract round trips with
//! digests checked against coreutils' `sha256sum`; damaged, truncated and
//! missing encrypted files; bad paths; a device that fails and a file cut
//! short while it is being read (real syscall failures injected with strace);
//! a full disk (a tiny tmpfs); and a 1 GiB file streamed in and out in
//! constant memory, measured with GNU time.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use age::secrecy::ExposeSecret;
use common::*;
use serde_json::{json, Value};

struct Setup {
    v: TestVault,
    case: String,
}

fn setup() -> Setup {
    let v = TestVault::new();
    let case = v.add(
        "case",
        None,
        &json!({ "title": "Deportation of Y. I.", "subject": { "names": [{ "name": "Youssef Idriss" }] } }),
    );
    Setup { v, case }
}

/// A new, empty folder for extracted copies, so anything left there is seen.
fn out_dir(v: &TestVault, name: &str) -> PathBuf {
    let d = v.tmp.path().join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn dir_entries(d: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(d).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Every record and the audit log. (Not the database's bytes: the first
/// attachment creates the vault's evidence key, which a failed attachment
/// may leave behind; it is no record and needs no audit entry.)
trait RecordsAndLog {
    fn records_and_log(&self) -> Value;
}

impl RecordsAndLog for TestVault {
    fn records_and_log(&self) -> Value {
        json!({ "records": self.all_records(), "log": self.json(&["log", "--limit", "1000000"]) })
    }
}

fn attach(v: &TestVault, record: &str, file: &Path) -> Value {
    v.json(&["attach", record, file.to_str().unwrap()])
}

fn encrypted(v: &TestVault, id: &str) -> PathBuf {
    v.dir.join("files").join(format!("{id}.age"))
}

#[test]
fn attach_and_extract_round_trip() {
    let s = setup();
    let v = &s.v;
    for (name, size) in [("audio-temoin.ogg", 1_500_000usize), ("empty.txt", 0), ("one-chunk.pdf", 65_536)] {
        let original = v.tmp.path().join(name);
        write_pattern_file(&original, size, size as u64 + 11);
        let digest = sha256sum(&original);
        let ev = attach(v, &s.case, &original);
        let id = ev["id"].as_str().unwrap();
        assert_eq!(ev["data"]["sha256"], digest.as_str(), "{name}: the recorded digest is sha256sum's");
        assert_eq!(ev["data"]["size"], size, "{name}");
        assert_eq!(ev["data"]["file_name"], name);
        assert_eq!(ev["data"]["attached_to"], s.case.as_str());

        // The vault holds an age file, not the plaintext.
        let sealed = std::fs::read(encrypted(v, id)).unwrap();
        assert!(sealed.starts_with(b"age-encryption.org/v1\n"), "{name}");
        let plain = std::fs::read(&original).unwrap();
        if size >= 4096 {
            assert!(!contains(&sealed, &plain[size / 2..size / 2 + 4096]), "{name}: plaintext in the vault");
        }

        let outs = out_dir(v, &format!("out-{name}"));
        let out = outs.join(name);
        let x = v.json(&["extract", id, "--out", out.to_str().unwrap()]);
        assert_eq!(x["sha256"], digest.as_str());
        assert_eq!(x["size"], size);
        assert!(same_bytes(&original, &out), "{name}: the extracted bytes are the original's");
        assert_eq!(sha256sum(&out), digest);
        assert_eq!(dir_entries(&outs), [name.to_string()], "{name}: no temporary file left beside the copy");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "{name}: the plaintext copy is readable by its owner only");
        }

        // Extract never overwrites, and leaves what is there as it was.
        std::fs::write(&out, b"a file the user wants to keep").unwrap();
        let (code, message) = v.fail(&["extract", id, "--out", out.to_str().unwrap()]);
        assert_eq!(code, "evidence.output_exists", "{message}");
        assert_eq!(std::fs::read(&out).unwrap(), b"a file the user wants to keep");
        assert_eq!(dir_entries(&outs), [name.to_string()]);
    }
    let (code, _) = v.fail(&["extract", &s.case, "--out", v.tmp.path().join("x").to_str().unwrap()]);
    assert_eq!(code, "record.wrong_kind", "only evidence can be extracted");
    let (ok, report) = v.check();
    assert!(ok, "{report}");
    assert_eq!(report["problems"], json!([]));
}

/// Expects `extract` of `id` to fail as damaged, writing nothing, and `check`
/// to name the file.
fn assert_damage_is_caught(v: &TestVault, id: &str, what: &str) {
    let outs = out_dir(v, &format!("out-{what}").replace(' ', "-"));
    let out = outs.join("copy.bin");
    let before = v.log_len();
    let (code, message) = v.fail(&["extract", id, "--out", out.to_str().unwrap()]);
    assert!(
        code == "evidence.damaged" || code == "evidence.digest_mismatch",
        "{what}: extract must refuse a damaged file, got {code}: {message}"
    );
    assert!(message.contains("no plaintext was written"), "{what}: {message}");
    assert!(!out.exists(), "{what}: no output file");
    assert_eq!(dir_entries(&outs), Vec::<String>::new(), "{what}: no temporary file beside it");
    assert_eq!(v.log_len(), before, "{what}: a failed extract is not logged as one");
    let (ok, report) = v.check();
    assert!(!ok, "{what}: check must fail: {report}");
    let problems = report["problems"].to_string();
    assert!(problems.contains(id), "{what}: check names the evidence: {problems}");
}

#[test]
fn a_damaged_or_truncated_encrypted_file_is_detected_and_nothing_is_written() {
    let s = setup();
    let v = &s.v;
    let original = v.tmp.path().join("ruling.pdf");
    write_pattern_file(&original, 1 << 20, 5); // exactly 16 chunks of 64 KiB
    let id = attach(v, &s.case, &original)["id"].as_str().unwrap().to_string();
    let path = encrypted(v, &id);
    let good = std::fs::read(&path).unwrap();
    // age: header up to "\n--- <mac>\n", a 16-byte nonce, then chunks of 64 KiB + 16-byte tag.
    let mac_line = good.windows(5).position(|w| w == b"\n--- ").unwrap() + 1;
    let header_end = mac_line + good[mac_line..].iter().position(|b| *b == b'\n').unwrap() + 1;
    let chunk = 65_536 + 16;
    assert_eq!(good.len(), header_end + 16 + 16 * chunk, "the age layout this test expects");

    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("a byte flipped in the middle", {
            let mut b = good.clone();
            b[good.len() / 2] ^= 0x01;
            b
        }),
        ("a byte flipped in the last chunk's tag", {
            let mut b = good.clone();
            let last = b.len() - 1;
            b[last] ^= 0x80;
            b
        }),
        ("a byte flipped in the header", {
            let mut b = good.clone();
            b[mac_line - 10] ^= 0x01;
            b
        }),
        ("truncated to half", good[..good.len() / 2].to_vec()),
        ("truncated at a chunk boundary (the final chunk removed)", good[..good.len() - chunk].to_vec()),
        ("truncated to the header", good[..header_end].to_vec()),
        ("emptied", Vec::new()),
        ("bytes appended", [good.as_slice(), b"trailing bytes"].concat()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&path, &bytes).unwrap();
        assert_damage_is_caught(v, &id, what);
    }

    // The same file, restored, extracts again: it was the damage that was refused.
    std::fs::write(&path, &good).unwrap();
    let out = out_dir(v, "restored").join("ruling.pdf");
    v.json(&["extract", &id, "--out", out.to_str().unwrap()]);
    assert!(same_bytes(&original, &out));
    let (ok, report) = v.check();
    assert!(ok, "{report}");
}

#[test]
fn a_file_of_another_evidence_record_is_a_digest_mismatch() {
    // Two valid age files of this vault swapped: each decrypts, neither matches its record.
    let s = setup();
    let v = &s.v;
    let a = v.tmp.path().join("a.jpg");
    let b = v.tmp.path().join("b.jpg");
    write_pattern_file(&a, 100_000, 1);
    write_pattern_file(&b, 100_000, 2);
    let ida = attach(v, &s.case, &a)["id"].as_str().unwrap().to_string();
    let idb = attach(v, &s.case, &b)["id"].as_str().unwrap().to_string();
    let (fa, fb) = (std::fs::read(encrypted(v, &ida)).unwrap(), std::fs::read(encrypted(v, &idb)).unwrap());
    std::fs::write(encrypted(v, &ida), &fb).unwrap();
    std::fs::write(encrypted(v, &idb), &fa).unwrap();
    let out = out_dir(v, "swapped").join("a.jpg");
    let (code, message) = v.fail(&["extract", &ida, "--out", out.to_str().unwrap()]);
    assert_eq!(code, "evidence.digest_mismatch", "{message}");
    assert!(!out.exists());
    assert_eq!(dir_entries(out.parent().unwrap()), Vec::<String>::new());
    let (ok, report) = v.check();
    assert!(!ok);
    let problems = report["problems"].to_string();
    assert!(problems.contains(&ida) && problems.contains(&idb), "{problems}");
}

#[test]
fn a_missing_encrypted_file_is_reported() {
    let s = setup();
    let v = &s.v;
    let original = v.tmp.path().join("letter.pdf");
    write_pattern_file(&original, 10_000, 9);
    let id = attach(v, &s.case, &original)["id"].as_str().unwrap().to_string();
    std::fs::remove_file(encrypted(v, &id)).unwrap();
    let outs = out_dir(v, "missing");
    let (code, message) = v.fail(&["extract", &id, "--out", outs.join("letter.pdf").to_str().unwrap()]);
    assert_eq!(code, "evidence.missing", "{message}");
    assert_eq!(dir_entries(&outs), Vec::<String>::new());
    let (ok, report) = v.check();
    assert!(!ok);
    let problems = report["problems"].to_string();
    assert!(problems.contains(&id) && problems.contains("missing"), "{problems}");
    // A stray file in the folder is reported too.
    std::fs::write(v.dir.join("files").join("0a0a0a0a-0000-4000-8000-000000000000.age"), b"stray").unwrap();
    let (_, report) = v.check();
    assert!(report["problems"].to_string().contains("belongs to no record"), "{report}");
}

/// `attach` of `path` must fail with `code`, leaving no record, no audit
/// entry and nothing in the evidence folder.
fn assert_attach_refused(s: &Setup, out: Output, code: &str, says: &str) {
    let (got, message) = error_of(&out);
    assert_eq!(got, code, "{message}");
    assert!(message.contains(says), "{message}");
    assert_eq!(s.v.json(&["evidence", "list"]), json!([]), "no evidence record");
    assert_eq!(s.v.evidence_files(), Vec::<String>::new(), "no encrypted or partial file left");
}

#[test]
fn attaching_a_directory_a_missing_path_or_a_pipe_fails_cleanly() {
    let s = setup();
    let v = &s.v;
    let before = v.records_and_log();
    let dir = v.tmp.path().join("a-folder");
    std::fs::create_dir_all(&dir).unwrap();
    assert_attach_refused(&s, v.run(&["attach", &s.case, dir.to_str().unwrap(), "--json"]), "evidence.not_a_file", "");
    let nowhere = v.tmp.path().join("no-such-file.pdf");
    assert_attach_refused(
        &s,
        v.run(&["attach", &s.case, nowhere.to_str().unwrap(), "--json"]),
        "evidence.read_failed",
        "nothing was attached",
    );

    // A named pipe is refused before it is opened: the command must not wait
    // for a writer that never comes.
    let fifo = v.tmp.path().join("recording.ogg");
    assert_success(&Command::new("mkfifo").arg(&fifo).output().expect("mkfifo (coreutils)"));
    let mut child = v
        .cmd(&["attach", &s.case, fifo.to_str().unwrap(), "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("attaching a named pipe blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_attach_refused(&s, child.wait_with_output().unwrap(), "evidence.not_a_file", "");

    // Attaching to a record that does not exist.
    let out = v.run(&["attach", "7d1e6a52-6a0c-4d3e-9f43-0d1c0ffee000", fifo.to_str().unwrap(), "--json"]);
    assert_attach_refused(&s, out, "record.not_found", "");
    assert_eq!(v.records_and_log(), before, "nothing changed");
}

/// Runs `amana attach` under strace, which makes the kernel's answer to the
/// `nth` read(2) of `file` be `inject` (`error=EIO`, `retval=0`...).
fn attach_with_injected_read(s: &Setup, file: &Path, nth: u32, inject: &str) -> Output {
    let file = file.canonicalize().unwrap();
    let path = file.to_str().unwrap();
    let inject = format!("inject=read:{inject}:when={nth}");
    s.v.wrapped(
        &["strace", "-f", "-qq", "-o", "/dev/null", "-P", path, "-e", "trace=read", "-e", &inject],
        &["attach", &s.case, path, "--json"],
    )
    .output()
    .expect("strace must be installed (make setup installs it)")
}

/// A USB stick pulled out, a network share gone: the read fails mid-file.
/// strace makes the third read of the file fail with EIO, exactly what the
/// kernel returns when the device goes away (a FUSE-free way to make a real
/// read fail at a chosen point, deterministically).
#[test]
fn a_file_whose_device_fails_mid_ingest_leaves_nothing() {
    let s = setup();
    let before = s.v.records_and_log();
    let file = s.v.tmp.path().join("video-arrestation.mp4");
    write_pattern_file(&file, 3_000_000, 4);
    let out = attach_with_injected_read(&s, &file, 3, "error=EIO");
    assert_attach_refused(&s, out, "evidence.read_failed", "Input/output error");
    assert_eq!(s.v.records_and_log(), before);
    // The same file attaches when the device behaves.
    let ev = attach(&s.v, &s.case, &file);
    assert_eq!(ev["data"]["sha256"], sha256sum(&file).as_str());
}

/// A file cut short while it is read (truncated by another program, or the
/// end of a file still being copied in): read(2) returns 0 early. Whatever was
/// read is not the file and must not become evidence of it.
#[test]
fn a_file_cut_short_mid_ingest_is_not_attached() {
    let s = setup();
    let before = s.v.records_and_log();
    let file = s.v.tmp.path().join("audio-temoin.ogg");
    write_pattern_file(&file, 3_000_000, 6);
    let out = attach_with_injected_read(&s, &file, 3, "retval=0");
    assert_attach_refused(&s, out, "evidence.read_failed", "changed while it was being read");
    assert_eq!(s.v.records_and_log(), before);
}

#[test]
fn a_full_disk_leaves_no_record_and_no_partial_file() {
    let v = TestVault::empty();
    let mount = TmpfsMount::new(&v.dir, "2m");
    v.init_here();
    let case = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Fatima Nasser" }] } }));
    let s = Setup { v, case };
    let _mount = mount; // unmounted before the temporary folder is removed, even on failure
    let before = s.v.records_and_log();
    let big = s.v.tmp.path().join("court-hearing.mp4"); // outside the tiny file system
    write_pattern_file(&big, 5_000_000, 12);
    let out = s.v.run(&["attach", &s.case, big.to_str().unwrap(), "--json"]);
    assert_attach_refused(&s, out, "io.disk_full", "disk is full");
    assert_eq!(s.v.records_and_log(), before, "no record, no audit entry");

    // The vault still works once there is room: a small file attaches.
    let small = s.v.tmp.path().join("photo.jpg");
    write_pattern_file(&small, 100_000, 13);
    let id = attach(&s.v, &s.case, &small)["id"].as_str().unwrap().to_string();
    assert_eq!(s.v.evidence_files(), [format!("{id}.age")]);
    let (ok, report) = s.v.check();
    assert!(ok, "{report}");

    // Extracting onto a full disk: nothing is left there either.
    let outs = s.v.tmp.path().join("small-stick");
    let _stick = TmpfsMount::new(&outs, "64k");
    let (code, message) = s.v.fail(&["extract", &id, "--out", outs.join("photo.jpg").to_str().unwrap()]);
    assert_eq!(code, "io.disk_full", "{message}");
    assert_eq!(dir_entries(&outs), Vec::<String>::new(), "no partial copy on the full disk");
}

// --- streaming a 1 GiB file in constant memory -------------------------------

const GIB: u64 = 1 << 30;
const RSS_LIMIT_KIB: u64 = 64 * 1024;

/// Unlocking with the passphrase runs Argon2id with at least 64 MiB (the
/// floor that docs/SECURITY.md promises), so a passphrase-unlocked process
/// always peaks above 64 MiB before it streams a single byte. The streaming
/// is therefore measured in a process that unlocks with the key remembered in
/// the keyring, in a private D-Bus session with gnome-keyring (as
/// tests/keyring.rs does); the inner test runs there.
#[test]
fn streaming_a_1_gib_file_keeps_peak_memory_under_64_mib() {
    let home = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let script = r#"eval "$(printf throwaway | gnome-keyring-daemon --unlock --components=secrets)" && exec "$0" "$@""#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(&exe)
        .args(["--ignored", "--exact", "--test-threads=1", "--nocapture", "inner_stream_1_gib"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("AMANA_IN_KEYRING_SESSION", "1")
        .output()
        .expect("dbus-run-session and gnome-keyring must be installed (make setup installs them)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{}", stderr.lines().filter(|l| l.starts_with("measured")).collect::<Vec<_>>().join("\n"));
    assert!(out.status.success(), "the inner test failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("test result: ok. 1 passed"), "the inner test must have run:\n{stdout}");
}

/// Runs the CLI under GNU time in the keyring session (no passphrase in the
/// environment: the remembered key opens the vault). Returns (output, peak
/// RSS in KiB, wall time).
fn timed(v: &TestVault, args: &[&str], with_passphrase: bool) -> (Output, u64, Duration) {
    let rss_file = v.tmp.path().join("maxrss");
    let mut c = v.wrapped(&["/usr/bin/time", "-o", rss_file.to_str().unwrap(), "-f", "%M"], args);
    if !with_passphrase {
        c.env_remove("AMANA_PASSPHRASE");
    }
    for var in ["DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME"] {
        if let Ok(val) = std::env::var(var) {
            c.env(var, val);
        }
    }
    let started = Instant::now();
    let out = c.output().expect("GNU time must be installed at /usr/bin/time (make setup installs it)");
    let took = started.elapsed();
    let rss = std::fs::read_to_string(&rss_file).unwrap_or_default();
    let rss = rss.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or_else(|| panic!("no max RSS: {rss}"));
    (out, rss, took)
}

#[test]
#[ignore = "runs inside streaming_a_1_gib_file_keeps_peak_memory_under_64_mib"]
fn inner_stream_1_gib() {
    assert!(
        std::env::var("AMANA_IN_KEYRING_SESSION").is_ok(),
        "run through streaming_a_1_gib_file_keeps_peak_memory_under_64_mib"
    );
    let s = setup();
    let v = &s.v;
    let (out, _, _) = timed(v, &["remember"], true);
    assert_success(&out);

    // 1 GiB of real (incompressible) content: a 1 MiB pseudo-random block, 1024 times.
    let big = v.tmp.path().join("hearing-recording.mp4");
    {
        use std::io::Write;
        let block_file = v.tmp.path().join("block");
        write_pattern_file(&block_file, 1 << 20, 0x5eed);
        let block = std::fs::read(&block_file).unwrap();
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        for _ in 0..1024 {
            f.write_all(&block).unwrap();
        }
        f.flush().unwrap();
    }
    assert_eq!(std::fs::metadata(&big).unwrap().len(), GIB);
    let digest = sha256sum(&big);

    let (out, baseline_rss, _) = timed(v, &["case", "list", "--json"], false);
    assert_success(&out);
    let (out, passphrase_rss, _) = timed(v, &["case", "list", "--json"], true);
    assert_success(&out);

    let (out, attach_rss, attach_time) = timed(v, &["attach", &s.case, big.to_str().unwrap(), "--json"], false);
    assert_success(&out);
    let ev: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ev["data"]["size"], GIB);
    assert_eq!(ev["data"]["sha256"], digest.as_str());
    let id = ev["id"].as_str().unwrap();

    let copy = out_dir(v, "out").join("copy.mp4");
    let (out, extract_rss, extract_time) = timed(v, &["extract", id, "--out", copy.to_str().unwrap(), "--json"], false);
    assert_success(&out);
    let x: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(x["sha256"], digest.as_str());
    assert_eq!(sha256sum(&copy), digest, "the extracted copy is the original");

    eprintln!(
        "measured: 1 GiB attach {attach_rss} KiB peak RSS in {:.1} s; extract {extract_rss} KiB in {:.1} s; \
         an unlock-and-list peaks at {baseline_rss} KiB with the remembered key, {passphrase_rss} KiB with the passphrase (Argon2id)",
        attach_time.as_secs_f64(),
        extract_time.as_secs_f64()
    );
    assert!(attach_rss < RSS_LIMIT_KIB, "attach peaked at {attach_rss} KiB");
    assert!(extract_rss < RSS_LIMIT_KIB, "extract peaked at {extract_rss} KiB");
    // And the memory does not depend on the file: a 1 GiB file costs little
    // more than opening the vault.
    assert!(attach_rss < baseline_rss + 16 * 1024, "attach {attach_rss} KiB vs {baseline_rss} KiB to open the vault");
    assert!(extract_rss < baseline_rss + 16 * 1024, "extract {extract_rss} KiB vs {baseline_rss} KiB");
    let (out, _, _) = timed(v, &["forget"], false);
    assert_success(&out);
}

fn seals(v: &TestVault) -> i64 {
    let vault = amana::Vault::unlock(&v.dir, &amana::Passphrase::from(PASS)).unwrap();
    let n = vault.conn().query_row("SELECT count(*) FROM evidence_seals", [], |r| r.get(0)).unwrap();
    vault.lock();
    n
}

fn export_to(v: &TestVault, case: &str, recipient: &str, out: &Path) -> Output {
    v.run(&["export", "--case", case, "--to", recipient, "--no-self", "--out", out.to_str().unwrap(), "--json"])
}

/// Export trusts a sealed file without hashing it again (src/evidence/seal.rs):
/// two vault files of the same size swapped on disk are both valid age files
/// of this vault, so only the seal tells them apart. A vault from before the
/// seals (no seal rows) is hashed, and the swap is caught by the digest.
#[test]
fn a_sealed_file_swapped_for_another_is_never_exported_and_unsealed_files_are_hashed() {
    let s = setup();
    let v = &s.v;
    let dir = out_dir(v, "originals");
    let (a, b) = (dir.join("a.jpg"), dir.join("b.jpg"));
    write_pattern_file(&a, 300_000, 1);
    write_pattern_file(&b, 300_000, 2);
    let id_a = attach(v, &s.case, &a)["id"].as_str().unwrap().to_string();
    let id_b = attach(v, &s.case, &b)["id"].as_str().unwrap().to_string();
    assert_eq!(seals(v), 2, "each attached file is sealed in the transaction that records it");

    let file_of = |id: &str| v.dir.join("files").join(format!("{id}.age"));
    let swap = || {
        let (fa, fb) = (std::fs::read(file_of(&id_a)).unwrap(), std::fs::read(file_of(&id_b)).unwrap());
        std::fs::write(file_of(&id_a), fb).unwrap();
        std::fs::write(file_of(&id_b), fa).unwrap();
    };
    let recipient_key = age::x25519::Identity::generate();
    let recipient = recipient_key.to_public().to_string();
    let outs = out_dir(v, "usb");

    swap();
    let (code, message) = error_of(&export_to(v, &s.case, &recipient, &outs.join("swapped.amana")));
    assert_eq!(code, "evidence.damaged", "{message}");
    assert!(dir_entries(&outs).is_empty(), "nothing left behind: {:?}", dir_entries(&outs));
    let (code, message) = error_of(&v.run(&["check", "--json"]));
    assert_eq!(code, "vault.check_failed", "{message}");
    assert!(message.contains(&id_a) && message.contains(&id_b), "check names both files: {message}");
    swap();

    // A vault from before the seals: export hashes, and still refuses the swap.
    let vault = amana::Vault::unlock(&v.dir, &amana::Passphrase::from(PASS)).unwrap();
    vault.conn().execute("DELETE FROM evidence_seals", []).unwrap();
    vault.lock();
    swap();
    let (code, message) = error_of(&export_to(v, &s.case, &recipient, &outs.join("swapped.amana")));
    assert_eq!(code, "evidence.damaged", "unsealed, the digest catches it: {message}");
    assert!(dir_entries(&outs).is_empty(), "{:?}", dir_entries(&outs));
    swap();
    let unsealed = outs.join("unsealed.amana");
    assert_success(&export_to(v, &s.case, &recipient, &unsealed));

    // The bundle holds the right files, and an import seals what it writes.
    let receiver = TestVault::new();
    let key_file = receiver.tmp.path().join("recipient.key");
    std::fs::write(&key_file, recipient_key.to_string().expose_secret()).unwrap();
    assert_success(&receiver.run(&["import", unsealed.to_str().unwrap(), "--identity", key_file.to_str().unwrap()]));
    assert_eq!(seals(&receiver), 2, "imported files are sealed");
    for (id, original) in [(&id_a, &a), (&id_b, &b)] {
        let copy = out_dir(&receiver, "copies").join(format!("{id}.jpg"));
        assert_success(&receiver.run(&["extract", id, "--out", copy.to_str().unwrap()]));
        assert!(same_bytes(&copy, original), "{id} is its own file");
    }
    let again = outs.join("from-receiver.amana");
    assert_success(&export_to(&receiver, &s.case, &recipient, &again));
}

/// A lock while a file is attached from a share that stopped answering (a
/// hung network or USB mount: every read blocks, emulated with
/// `AMANA_STALL_READS_UNDER`): the app tells the attach to stop through its
/// progress callback, and the attach must give the vault back within a
/// second although no read ever returns, leaving no record and no file.
/// Then the vault works and locks as usual.
/// The case the lock tests attach their file to.
fn hearing_case(vault: &mut amana::Vault) -> amana::dossier::StoredRecord {
    let data = json!({ "title": "Hearing in absentia", "subject": { "names": [{ "name": "Y. I." }] } });
    let req = amana::api::AddRecordRequest { kind: amana::dossier::Kind::Case, case_id: None, data };
    amana::api::add_record(vault, req).unwrap()
}

#[test]
fn a_stop_ends_an_attach_from_a_stalled_share_within_a_second() {
    use amana::api::{self, AttachRequest};
    use amana::dossier::{store, Kind};
    use amana::Vault;
    use common::stall::*;

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let mut vault = new_vault(&dir);
    let case = hearing_case(&mut vault);
    let share = tmp.path().join("hung-share");
    std::fs::create_dir(&share).unwrap();
    let original = share.join("hearing.mp4");
    write_pattern_file(&original, 5 * 65_536, 3);
    std::env::set_var("AMANA_STALL_READS_UNDER", &share);

    let req =
        AttachRequest { attached_to: case.id, path: original, acquisition: Default::default(), description: "".into() };
    let (mut vault, code) = stopped_while_stalled(vault, move |v, progress| api::attach(v, req, progress));
    std::env::remove_var("AMANA_STALL_READS_UNDER");
    assert_eq!(code.as_deref(), Some("cancelled"));
    assert!(store::list(vault.conn(), Some(Kind::Evidence), None).unwrap().is_empty(), "no evidence record");
    assert_eq!(dir_entries(&dir.join("files")), Vec::<String>::new(), "nothing under files/");

    // The vault is whole and usable, then locks.
    let other = tmp.path().join("other.txt");
    std::fs::write(&other, b"a file from a disk that answers").unwrap();
    let req =
        AttachRequest { attached_to: case.id, path: other, acquisition: Default::default(), description: "".into() };
    api::attach(&mut vault, req, &mut |_, _| true).unwrap();
    assert_eq!(store::list(vault.conn(), Some(Kind::Evidence), None).unwrap().len(), 1);
    vault.lock();
    assert!(Vault::unlock(&dir, &secrecy::SecretString::from(VAULT_PASS)).is_ok());
}

/// A lock while a plaintext copy is saved to a share that stops answering
/// in the middle (a real file system, frozen): the copy must give the vault
/// back within a second; once the share answers again, nothing is left on
/// it (no partial plaintext, no temporary file), the audit log records no
/// copy, and the same copy then goes through whole.
#[test]
fn a_stop_ends_a_copy_to_a_stalled_share_within_a_second() {
    use amana::api::{self, AttachRequest};
    use common::stall::*;

    let tmp = tempfile::tempdir().unwrap();
    let Some(mut share) = FrozenMount::new(tmp.path()) else { return };
    let dir = tmp.path().join("vault");
    let mut vault = new_vault(&dir);
    let case = hearing_case(&mut vault);
    let original = tmp.path().join("hearing.mp4");
    write_pattern_file(&original, 3 << 20, 5);
    let req = AttachRequest {
        attached_to: case.id,
        path: original.clone(),
        acquisition: Default::default(),
        description: "".into(),
    };
    let evidence = api::attach(&mut vault, req, &mut |_, _| true).unwrap().id;
    let copies = |v: &amana::Vault| -> i64 {
        v.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'extract'", [], |r| r.get(0)).unwrap()
    };

    let out = share.dir.join("hearing.mp4");
    let (to, frozen_dir) = (out.clone(), share.dir.clone());
    let (mut vault, code) = stopped_while_stalled(vault, move |v, progress| {
        let mut froze = false;
        api::save_evidence_copy(v, evidence, to, &mut |done, total| {
            if !froze && done > 0 {
                freeze_now(&frozen_dir);
                froze = true;
            }
            progress(done, total)
        })
    });
    assert_eq!(code.as_deref(), Some("cancelled"));
    share.thaw_and_expect(&[], Duration::from_secs(5));
    assert_eq!(copies(&vault), 0, "no copy in the audit log");

    api::save_evidence_copy(&mut vault, evidence, out.clone(), &mut |_, _| true).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&original).unwrap());
    assert_eq!(copies(&vault), 1);
    vault.lock();
    assert!(amana::Vault::unlock(&dir, &secrecy::SecretString::from(VAULT_PASS)).is_ok());
}
