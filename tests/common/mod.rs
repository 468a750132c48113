//! Shared helpers for the integration tests: run the real `amana` binary
//! against a real vault in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const PASS: &str = "correct horse battery staple";

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
/// counter (which a wrong attempt is meant to change).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    all_files(dir).into_iter().filter(|(p, _)| !p.ends_with("unlock-attempts")).collect()
}

/// Whether `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}
