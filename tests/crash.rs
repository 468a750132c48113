//! Kill tests: the process dies at injected points inside init and
//! passphrase change, and at random moments; afterwards exactly one of the old
//! and new passphrases opens the vault, never neither.
//! Needs the `fault-injection` feature (the Makefile enables it).

mod common;

use std::process::Command;

use common::*;

const NEW: &str = "the new passphrase after the change";

fn works(v: &TestVault, pass: &str) -> bool {
    v.run_with_env(&["check"], &[("AMANA_PASSPHRASE", pass)]).status.success()
}

#[test]
fn passphrase_change_killed_at_each_injected_point() {
    let points = [
        ("passphrase-change.before-write", false),
        ("atomic-write.before-sync", false),
        ("atomic-write.before-rename", false),
        ("atomic-write.after-rename", true),
        ("passphrase-change.after-write", true),
    ];
    for (point, new_expected) in points {
        let v = TestVault::new();
        let out = v
            .cmd(&["passphrase", "change", "--kdf-memory-mib", "64", "--kdf-iterations", "1"])
            .env("AMANA_PASSPHRASE", PASS)
            .env("AMANA_NEW_PASSPHRASE", NEW)
            .env("AMANA_CRASH_AT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the process must have died");
        assert!(String::from_utf8_lossy(&out.stderr).contains(point), "{point} was reached");
        let (old_ok, new_ok) = (works(&v, PASS), works(&v, NEW));
        assert!(old_ok ^ new_ok, "{point}: exactly one passphrase must work (old {old_ok}, new {new_ok})");
        assert_eq!(new_ok, new_expected, "{point}");
        // No temporary key file is left to confuse anyone.
        let strays: Vec<_> = std::fs::read_dir(&v.dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        if new_expected {
            assert!(strays.is_empty(), "{point}: {strays:?}");
        }
    }
}

#[test]
fn init_killed_before_the_key_file_can_be_run_again() {
    let v = TestVault::empty();
    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1"])
        .env("AMANA_PASSPHRASE", PASS)
        .env("AMANA_CRASH_AT", "init.before-key-file")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!v.dir.join("vault.key").exists());
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("AMANA-"),
        "no recovery key was shown for a vault that does not exist"
    );
    let out = v.run(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1"]);
    assert_success(&out);
    assert!(works(&v, PASS));
}

#[test]
fn passphrase_change_killed_at_random_moments() {
    // SIGKILL at spread-out delays across the change (the KDF runs twice, so
    // the write happens late); the vault must always open with one of the two.
    let timing = TestVault::new();
    let started = std::time::Instant::now();
    assert_success(&timing.run_with_env(
        &["passphrase", "change", "--kdf-memory-mib", "64", "--kdf-iterations", "1"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_NEW_PASSPHRASE", NEW)],
    ));
    let full = started.elapsed();
    let mut saw_old = false;
    let mut saw_new = false;
    const KILLS: u32 = 24;
    for i in 0..KILLS {
        let delay = full * (i + 1) * 5 / (KILLS * 4);
        let v = TestVault::new();
        let mut child = v
            .cmd(&["passphrase", "change", "--kdf-memory-mib", "64", "--kdf-iterations", "1"])
            .env("AMANA_PASSPHRASE", PASS)
            .env("AMANA_NEW_PASSPHRASE", NEW)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = Command::new("kill").args(["-KILL", &child.id().to_string()]).status();
        let _ = child.wait();
        let (old_ok, new_ok) = (works(&v, PASS), works(&v, NEW));
        assert!(old_ok ^ new_ok, "kill after {delay:?}: old {old_ok}, new {new_ok}");
        saw_old |= old_ok;
        saw_new |= new_ok;
    }
    assert!(saw_old && saw_new, "the kills landed both before and after the switch (old {saw_old}, new {saw_new})");
}
