//! Shared helpers for the integration tests: run the real `amana` binary
//! against a real vault in a temporary folder.
#![allow(dead_code)]

pub mod handover;
pub mod stall;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "correct horse battery staple";

/// This checkout's root, for tests that read its files. The folder that
/// `cargo test` or nextest names at run time, not the one compiled in:
/// Cargo reuses a build made in another checkout that shares the target
/// folder (the Makefile keeps it under ~/.cache) and does not rebuild for
/// `env!("CARGO_MANIFEST_DIR")`, which would then read, or miss, the other
/// checkout's files.
pub fn checkout() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A temporary vault folder and the environment to reach it.
pub struct TestVault {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl TestVault {
    /// An empty folder; no vault yet.
    pub fn empty() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("vault");
        TestVault { tmp, dir }
    }

    /// A new vault with the test passphrase and the cheapest accepted KDF.
    pub fn new() -> Self {
        let v = Self::empty();
        let out = v
            .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
            .env("AMANA_PASSPHRASE", PASS)
            .output()
            .unwrap();
        assert_success(&out);
        v
    }

    /// The `amana` binary with this vault selected, no passphrase in the
    /// environment, no terminal, and a private temp dir and HOME.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_amana"));
        let tmpdir = self.tmp.path().join("tmp");
        let home = self.tmp.path().join("home");
        std::fs::create_dir_all(&tmpdir).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        c.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AMANA_VAULT", &self.dir)
            .env("TMPDIR", &tmpdir)
            .env("HOME", &home)
            .stdin(Stdio::null());
        c
    }

    /// Runs with the passphrase in the environment.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).env("AMANA_PASSPHRASE", PASS).output().unwrap()
    }

    /// Runs with exactly these secret variables (no default passphrase).
    pub fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = self.cmd(args);
        for (k, val) in env {
            c.env(k, val);
        }
        c.output().unwrap()
    }

    /// Runs with the passphrase, feeding `stdin`.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self
            .cmd(args)
            .env("AMANA_PASSPHRASE", PASS)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs and parses stdout as JSON, asserting success.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.run(&a);
        assert_success(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Runs with JSON on stdin and --json output, asserting success.
    pub fn json_in(&self, args: &[&str], input: &serde_json::Value) -> serde_json::Value {
        let mut a = args.to_vec();
        a.push("--json");
        let out = self.run_with_stdin(&a, input.to_string().as_bytes());
        assert_success(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    pub fn tmpdir(&self) -> PathBuf {
        self.tmp.path().join("tmp")
    }
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "command failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Asserts failure and returns stderr.
pub fn assert_failure(out: &Output) -> String {
    assert!(!out.status.success(), "command should have failed:\nstdout: {}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every regular file under `dir`, with its bytes.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() && e.metadata().map(|m| m.len() <= 256 << 20).unwrap_or(false) {
                if let Ok(bytes) = std::fs::read(&p) {
                    out.push((p, bytes));
                }
            }
        }
    }
    out.sort();
    out
}

/// A snapshot of a folder: every file's path and bytes, except the unlock
/// counter (which a wrong attempt is meant to change) and its lock (an empty
/// file the first attempt creates).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    all_files(dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with("unlock-attempts") && !p.ends_with("unlock-attempts.lock"))
        .collect()
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

// --- helpers for the dossier, search, evidence and audit tests ---------------

/// Every kind of record, as the CLI names them.
pub const KINDS: [&str; 8] =
    ["case", "situation", "incident", "instrument", "proceeding", "testimony", "source", "evidence"];

/// A failed command's JSON error: (code, message).
pub fn error_of(out: &Output) -> (String, String) {
    let err = assert_failure(out);
    let v: serde_json::Value =
        serde_json::from_str(err.trim()).unwrap_or_else(|e| panic!("stderr is not one JSON error ({e}): {err}"));
    (
        v["error"]["code"].as_str().unwrap_or_default().to_string(),
        v["error"]["message"].as_str().unwrap_or_default().to_string(),
    )
}

impl TestVault {
    /// Runs with --json, expecting failure; returns (code, message).
    pub fn fail(&self, args: &[&str]) -> (String, String) {
        let mut a = args.to_vec();
        a.push("--json");
        error_of(&self.run(&a))
    }

    /// Runs with --json and `stdin`, expecting failure; returns (code, message).
    pub fn fail_in(&self, args: &[&str], stdin: &[u8]) -> (String, String) {
        let mut a = args.to_vec();
        a.push("--json");
        error_of(&self.run_with_stdin(&a, stdin))
    }

    /// Adds a record of `kind` (to `case` unless it is a case) and returns its id.
    pub fn add(&self, kind: &str, case: Option<&str>, data: &serde_json::Value) -> String {
        let mut args = vec![kind, "add"];
        if let Some(c) = case {
            args.extend(["--case", c]);
        }
        self.json_in(&args, data)["id"].as_str().unwrap().to_string()
    }

    /// What a refused command must leave as it was: the cases and the whole
    /// audit log as the CLI shows them (every change to any record appends an
    /// audit entry in the same transaction), and a digest of every byte of the
    /// vault folder (database, key file, evidence files), so a write that
    /// bypassed the audit log would show too.
    pub fn state(&self) -> serde_json::Value {
        use std::hash::{Hash, Hasher};
        let disk: Vec<String> = snapshot(&self.dir)
            .into_iter()
            .map(|(p, bytes)| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                format!("{} {:016x}", p.strip_prefix(&self.dir).unwrap_or(&p).display(), h.finish())
            })
            .collect();
        serde_json::json!({
            "cases": self.json(&["case", "list"]),
            "log": self.json(&["log", "--limit", "1000000"]),
            "disk": disk,
        })
    }

    /// Every record of every kind, as `KIND list` shows them.
    pub fn all_records(&self) -> serde_json::Value {
        let mut lists = serde_json::Map::new();
        for k in KINDS {
            lists.insert(k.to_string(), self.json(&[k, "list"]));
        }
        serde_json::Value::Object(lists)
    }

    /// The number of audit entries.
    pub fn log_len(&self) -> usize {
        self.json(&["log", "--limit", "1000000"]).as_array().unwrap().len()
    }

    /// The actions of the audit log, oldest first.
    pub fn log_actions(&self) -> Vec<String> {
        let log = self.json(&["log", "--limit", "1000000"]);
        let mut actions: Vec<String> =
            log.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_string()).collect();
        actions.reverse();
        actions
    }

    /// The names of the files in the vault's evidence folder, sorted.
    pub fn evidence_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.dir.join("files")) {
            Ok(rd) => rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }

    /// `check --json`: (success, report).
    pub fn check(&self) -> (bool, serde_json::Value) {
        let out = self.run(&["check", "--json"]);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("check printed no JSON report ({e}): {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.success(), report)
    }
}

/// Writes `size` bytes of a deterministic, incompressible pattern (xorshift).
pub fn write_pattern_file(path: &Path, size: usize, seed: u64) {
    use std::io::Write;
    let mut state = seed | 1;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut left = size;
    let mut block = vec![0u8; 64 * 1024];
    while left > 0 {
        for chunk in block.chunks_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
        }
        let n = left.min(block.len());
        f.write_all(&block[..n]).unwrap();
        left -= n;
    }
    f.flush().unwrap();
}

/// The SHA-256 of a file as coreutils' `sha256sum` computes it.
pub fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum (coreutils) must be installed");
    assert_success(&out);
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

/// Whether two files have the same bytes, compared in chunks (large files too).
pub fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (mut fa, mut fb) = (std::fs::File::open(a).unwrap(), std::fs::File::open(b).unwrap());
    if fa.metadata().unwrap().len() != fb.metadata().unwrap().len() {
        return false;
    }
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = fa.read(&mut ba).unwrap();
        if n == 0 {
            return true;
        }
        fb.read_exact(&mut bb[..n]).unwrap();
        if ba[..n] != bb[..n] {
            return false;
        }
    }
}

impl TestVault {
    /// `wrapper… amana ARGS` (e.g. strace or GNU time around the CLI) with
    /// this vault's environment, the passphrase included.
    pub fn wrapped(&self, wrapper: &[&str], args: &[&str]) -> Command {
        let inner = self.cmd(args);
        let mut c = Command::new(wrapper[0]);
        c.args(&wrapper[1..]).arg(inner.get_program()).args(inner.get_args()).env_clear();
        for (k, val) in inner.get_envs() {
            if let Some(val) = val {
                c.env(k, val);
            }
        }
        c.env("AMANA_PASSPHRASE", PASS).stdin(Stdio::null());
        c
    }

    /// Creates the vault in `self.dir`, which must be empty (e.g. a mount point).
    pub fn init_here(&self) {
        let out = self
            .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
            .env("AMANA_PASSPHRASE", PASS)
            .output()
            .unwrap();
        assert_success(&out);
    }
}

/// A tmpfs of `size` mounted on `dir` for the life of the value (tests run as
/// root); unmounted when dropped. Panics if the mount fails: a test that needs
/// a small file system must not silently pass without one.
pub struct TmpfsMount(pub PathBuf);

impl TmpfsMount {
    pub fn new(dir: &Path, size: &str) -> TmpfsMount {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .output()
            .expect("mount must be available");
        assert!(
            out.status.success(),
            "mounting a {size} tmpfs on {} failed (these tests run as root, as CI does): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        TmpfsMount(dir.to_path_buf())
    }
}

impl Drop for TmpfsMount {
    fn drop(&mut self) {
        let ok = Command::new("umount").arg(&self.0).status().map(|s| s.success()).unwrap_or(false);
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        }
    }
}
