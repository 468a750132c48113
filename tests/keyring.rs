//! "Remember on this device" against a real Secret Service: gnome-keyring,
//! started in a private D-Bus session with a throwaway HOME, so the tests never
//! touch the developer's own keyring.
//!
//! `keyring_against_a_real_secret_service` starts the session and re-runs this
//! binary's `inner_*` tests inside it; they are `#[ignore]`d so they never run
//! outside one.

mod common;

use std::process::Command;

use common::*;

#[test]
fn keyring_against_a_real_secret_service() {
    let home = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    let script = r#"eval "$(printf throwaway | gnome-keyring-daemon --unlock --components=secrets)" && exec "$0" "$@""#;
    let out = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(&exe)
        .args(["--ignored", "--exact", "--test-threads=1", "--nocapture"])
        .args([
            "inner_remember_unlock_forget",
            "inner_foreign_or_damaged_entries_never_unlock",
            "inner_erase_without_the_keyring_fails_loudly_and_the_entry_stays_findable",
            "inner_remember_asks_for_the_passphrase_even_when_remembered",
        ])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("AMANA_IN_KEYRING_SESSION", "1")
        .output()
        .expect("dbus-run-session and gnome-keyring must be installed (make test installs them)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "inner keyring tests failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("test result: ok. 4 passed"), "all four inner tests must have run:\n{stdout}");
}

fn in_session() {
    assert!(std::env::var("AMANA_IN_KEYRING_SESSION").is_ok(), "run through keyring_against_a_real_secret_service");
}

/// The CLI inside the keyring session: keeps the session's D-Bus address.
fn session_cmd(v: &TestVault, args: &[&str]) -> Command {
    let mut c = v.cmd(args);
    for var in ["DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_DATA_HOME"] {
        if let Ok(val) = std::env::var(var) {
            c.env(var, val);
        }
    }
    c
}

fn vault_id(v: &TestVault) -> String {
    v.json(&["status"])["vault_id"].as_str().unwrap().to_string()
}

fn secret_tool(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("secret-tool")
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("secret-tool (libsecret-tools) must be installed");
    if let Some(bytes) = stdin {
        child.stdin.take().unwrap().write_all(bytes).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "secret-tool {args:?} failed");
    out.stdout
}

fn plant(id: &str, payload: &[u8]) {
    let user = format!("vault-{id}");
    secret_tool(&["clear", "service", "amana", "username", &user], None);
    secret_tool(
        &[
            "store",
            "--label",
            "planted",
            "service",
            "amana",
            "username",
            &user,
            "target",
            "default",
            "application",
            "rust-keyring",
        ],
        Some(payload),
    );
}

#[test]
#[ignore = "runs inside keyring_against_a_real_secret_service"]
fn inner_remember_unlock_forget() {
    in_session();
    let v = TestVault::new();
    let out = session_cmd(&v, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap();
    assert_success(&out);
    assert_eq!(v.json(&["status"])["remembered_on_this_device"], true);

    // No passphrase and no terminal: only the keyring can have opened it.
    let out = session_cmd(&v, &["check", "--json"]).output().unwrap();
    assert_success(&out);

    // The entry holds the key, not the passphrase.
    let id = vault_id(&v);
    let stored = secret_tool(&["lookup", "service", "amana", "username", &format!("vault-{id}")], None);
    assert_eq!(stored.len(), 6 + 16 + 32);
    assert!(!contains(&stored, PASS.as_bytes()));

    assert_success(&session_cmd(&v, &["forget"]).output().unwrap());
    assert_eq!(v.json(&["status"])["remembered_on_this_device"], false);
    let err = assert_failure(&session_cmd(&v, &["check"]).output().unwrap());
    assert!(err.contains("AMANA_PASSPHRASE"), "after forget the passphrase is needed again: {err}");
    let left = Command::new("secret-tool")
        .args(["lookup", "service", "amana", "username", &format!("vault-{id}")])
        .output()
        .unwrap();
    assert!(left.stdout.is_empty(), "forget removes the keyring entry");
    // Forgetting twice is not an error.
    assert_success(&session_cmd(&v, &["forget"]).output().unwrap());
}

#[test]
#[ignore = "runs inside keyring_against_a_real_secret_service"]
fn inner_foreign_or_damaged_entries_never_unlock() {
    in_session();
    let a = TestVault::new();
    let b = TestVault::new();
    for v in [&a, &b] {
        assert_success(&session_cmd(v, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    }
    let (ida, idb) = (vault_id(&a), vault_id(&b));
    let b_entry = secret_tool(&["lookup", "service", "amana", "username", &format!("vault-{idb}")], None);
    assert_eq!(b_entry.len(), 54);

    let mut forged = b"AMANA1".to_vec();
    forged.extend(hex_decode(&ida));
    forged.extend(&b_entry[22..]); // B's key, relabelled as A's
    let cases: [(&str, Vec<u8>); 3] = [
        ("B's entry copied under A's name", b_entry.clone()),
        ("B's key relabelled with A's id", forged),
        ("garbage", b"not a key at all".to_vec()),
    ];
    for (what, payload) in cases {
        plant(&ida, &payload);
        let out = session_cmd(&a, &["check"]).output().unwrap();
        let err = assert_failure(&out);
        assert!(err.contains("does not open this vault"), "{what}: {err}");
        assert!(err.contains("AMANA_PASSPHRASE"), "{what}: falls back to the passphrase: {err}");
        // The passphrase path still works.
        assert_success(&session_cmd(&a, &["check"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    }
    // B is unaffected.
    assert_success(&session_cmd(&b, &["check"]).output().unwrap());
}

/// The entry of vault `id` as `secret-tool` reads it (empty: none).
fn entry_of(id: &str) -> Vec<u8> {
    Command::new("secret-tool")
        .args(["lookup", "service", "amana", "username", &format!("vault-{id}")])
        .output()
        .unwrap()
        .stdout
}

const ERASE: [&str; 4] = ["erase", "--yes", "--confirm", "destroy my vault"];

/// The CLI in the session, but with the session bus out of reach (as over
/// SSH, or with the keyring daemon gone).
fn without_bus(v: &TestVault, args: &[&str]) -> Command {
    let mut c = session_cmd(v, args);
    c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/amana-test-bus");
    c
}

#[test]
#[ignore = "runs inside keyring_against_a_real_secret_service"]
fn inner_erase_without_the_keyring_fails_loudly_and_the_entry_stays_findable() {
    in_session();
    // With the keyring reachable, erase removes the entry and says so.
    let ok = TestVault::new();
    assert_success(&session_cmd(&ok, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    let id = vault_id(&ok);
    assert_eq!(entry_of(&id).len(), 54);
    let out = session_cmd(&ok, &[&ERASE[..], &["--json"]].concat()).output().unwrap();
    assert_success(&out);
    let erased: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(erased["keyring_entry_removed"], true, "{erased}");
    assert!(entry_of(&id).is_empty(), "erase removed the keyring entry");
    assert!(!ok.dir.join("remembered-on-this-device").exists());

    // Without it: the key file goes, and so does the database the remembered
    // key alone would open; the erase fails and says what is left and what to do.
    let v = TestVault::new();
    assert_success(&session_cmd(&v, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    let id = vault_id(&v);
    let marker = v.dir.join("remembered-on-this-device");
    assert!(std::fs::read_to_string(&marker).unwrap().contains(&id), "the marker names the vault id");
    let out = without_bus(&v, &[&ERASE[..], &["--json"]].concat()).output().unwrap();
    assert!(out.stdout.is_empty(), "nothing is reported done: {}", String::from_utf8_lossy(&out.stdout));
    let (code, message) = error_of(&out);
    assert_eq!(code, "vault.erase_incomplete", "{message}");
    for words in [
        "NOT complete",
        "still stored in this device's keyring",
        "key file was destroyed",
        "database was destroyed",
        "unlock the keyring",
        "amana forget",
    ] {
        assert!(message.contains(words), "{words:?} missing from: {message}");
    }
    assert!(!message.contains(PASS));
    assert!(!v.dir.join("vault.key").exists() && !v.dir.join("vault.db").exists());
    assert!(std::fs::read_to_string(&marker).unwrap().contains(&id), "the marker stays, naming the entry");
    // The bus back: the entry is still there, and `forget` finds it though the key file is gone.
    assert_eq!(entry_of(&id).len(), 54, "the entry could not have been removed");
    assert_success(&session_cmd(&v, &["forget"]).output().unwrap());
    assert!(entry_of(&id).is_empty(), "forget removed it by the marker's vault id");
    assert!(!marker.exists());

    // A marker from before it carried the id: erase rewrites it with the id,
    // and erasing again with the keyring back finishes the job.
    let w = TestVault::new();
    assert_success(&session_cmd(&w, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    let id = vault_id(&w);
    let marker = w.dir.join("remembered-on-this-device");
    std::fs::write(&marker, "The vault key is remembered in this device's keyring.\n").unwrap();
    let err = assert_failure(&without_bus(&w, &ERASE).output().unwrap());
    assert!(err.contains("NOT complete") && err.contains("amana forget"), "{err}");
    assert!(std::fs::read_to_string(&marker).unwrap().contains(&id), "the old marker now names the vault id");
    assert_eq!(entry_of(&id).len(), 54);
    let out = session_cmd(&w, &ERASE).output().unwrap();
    assert_success(&out);
    assert!(entry_of(&id).is_empty(), "the second erase removed the entry");
    assert!(!marker.exists());
    assert!(assert_failure(&session_cmd(&w, &ERASE).output().unwrap()).contains("no vault"));
}

#[test]
#[ignore = "runs inside keyring_against_a_real_secret_service"]
fn inner_remember_asks_for_the_passphrase_even_when_remembered() {
    in_session();
    let v = TestVault::new();
    assert_success(&session_cmd(&v, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    // The keyring opens the vault without a passphrase...
    assert_success(&session_cmd(&v, &["check"]).output().unwrap());
    // ...but remembering it (again) asks for the passphrase, and checks it.
    let err = assert_failure(&session_cmd(&v, &["remember"]).output().unwrap());
    assert!(err.contains("AMANA_PASSPHRASE"), "{err}");
    let out = session_cmd(&v, &["remember", "--json"]).env("AMANA_PASSPHRASE", "not the passphrase").output().unwrap();
    assert_eq!(error_of(&out).0, "vault.wrong_passphrase");
    assert_eq!(v.json(&["status"])["failed_attempts"], 1, "a wrong passphrase here is a counted guess");

    // Forgotten, a wrong passphrase stores nothing.
    assert_success(&session_cmd(&v, &["forget"]).output().unwrap());
    let id = vault_id(&v);
    let out = session_cmd(&v, &["remember", "--json"]).env("AMANA_PASSPHRASE", "not the passphrase").output().unwrap();
    assert_eq!(error_of(&out).0, "vault.wrong_passphrase");
    assert!(entry_of(&id).is_empty());
    assert_eq!(v.json(&["status"])["remembered_on_this_device"], false);

    // The app's contract: a session unlocked by the keyring is not enough either.
    assert_success(&session_cmd(&v, &["remember"]).env("AMANA_PASSPHRASE", PASS).output().unwrap());
    let session = amana::Vault::unlock_remembered(&v.dir).expect("the keyring opens the vault");
    let wrong = amana::api::RememberRequest { passphrase: "not the passphrase".to_string().into() };
    assert_eq!(amana::api::remember(&v.dir, wrong).unwrap_err().code, "vault.wrong_passphrase");
    let right = amana::api::RememberRequest { passphrase: PASS.to_string().into() };
    amana::api::remember(&v.dir, right).expect("the right passphrase remembers it");
    session.lock();
    assert_success(&session_cmd(&v, &["forget"]).output().unwrap());
}

#[test]
fn without_a_keyring_service_remember_says_so_and_the_passphrase_still_works() {
    let v = TestVault::new();
    // No D-Bus session address and no display: there is no Secret Service.
    let out = v.cmd(&["remember", "--json"]).env("AMANA_PASSPHRASE", PASS).output().unwrap();
    let err: serde_json::Value = serde_json::from_str(assert_failure(&out).trim()).unwrap();
    assert_eq!(err["error"]["code"], "keyring.unavailable");
    assert!(err["error"]["message"].as_str().unwrap().contains("no keyring service"));
    assert_eq!(v.json(&["status"])["remembered_on_this_device"], false);
    assert_success(&v.run(&["check"]));
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}
