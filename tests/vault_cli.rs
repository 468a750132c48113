//! The vault through the real CLI: create, status, check, wrong input,
//! passphrase change, recovery, throttling, and what reaches the disk.

mod common;

use common::*;

#[test]
fn init_status_check() {
    let v = TestVault::empty();
    let st = v.json(&["status"]);
    assert_eq!(st["exists"], false);

    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_success(&out);
    let init: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rk = init["recovery_key"].as_str().unwrap();
    assert!(rk.starts_with("AMANA-") && rk.len() == 50, "{rk}");

    let st = v.json(&["status"]);
    assert_eq!(st["exists"], true);
    assert_eq!(st["key_file_version"], 1);
    assert_eq!(st["kdf"]["memory_kib"], 65536);
    assert_eq!(st["kdf"]["iterations"], 1);
    assert_eq!(st["has_recovery_key"], true);
    assert!(
        !String::from_utf8_lossy(&v.run(&["status"]).stdout).contains(rk),
        "status must not print the recovery key"
    );

    let check = v.json(&["check"]);
    assert_eq!(check["ok"], true);
    assert_eq!(check["schema_version"], amana::db::SCHEMA_VERSION);

    // The database is not a plain SQLite file, and nothing is world-readable.
    let db = std::fs::read(v.dir.join("vault.db")).unwrap();
    assert!(!db.starts_with(b"SQLite format 3\0"));
    #[cfg(unix)]
    for (p, _) in all_files(&v.dir) {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o077,
            0,
            "{} is readable by others",
            p.display()
        );
    }
}

#[test]
fn init_refuses_an_existing_vault_or_a_foreign_folder() {
    let v = TestVault::new();
    let before = snapshot(&v.dir);
    let err = assert_failure(&v.run(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1"]));
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(snapshot(&v.dir), before);

    let other = TestVault::empty();
    std::fs::create_dir_all(&other.dir).unwrap();
    std::fs::write(other.dir.join("holiday.jpg"), b"not a vault").unwrap();
    let err = assert_failure(&other.run(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1"]));
    assert!(err.contains("not empty"), "{err}");
    assert!(!other.dir.join("vault.key").exists());
}

#[test]
fn weak_or_empty_passphrases_are_refused_at_creation() {
    for (p, expect) in [("", "empty"), ("short", "too short"), ("         x", "too short")] {
        let v = TestVault::empty();
        let out = v
            .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1"])
            .env("AMANA_PASSPHRASE", p)
            .output()
            .unwrap();
        let err = assert_failure(&out);
        assert!(err.contains(expect), "{p:?}: {err}");
        assert!(!v.dir.join("vault.key").exists());
    }
}

#[test]
fn kdf_below_64_mib_is_refused() {
    let v = TestVault::empty();
    let err = assert_failure(&v.run(&["init", "--kdf-memory-mib", "32", "--kdf-iterations", "1"]));
    assert!(err.contains("64 MiB"), "{err}");
}

#[test]
fn missing_vault_and_missing_passphrase_are_clear() {
    let v = TestVault::empty();
    let err = assert_failure(&v.run(&["check"]));
    assert!(err.contains("there is no vault") || err.contains("There is no vault"), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");

    let v = TestVault::new();
    let err = assert_failure(&v.cmd(&["check"]).output().unwrap());
    assert!(err.contains("AMANA_PASSPHRASE"), "{err}");
}

#[test]
fn wrong_passphrase_changes_nothing_and_never_echoes_it() {
    let v = TestVault::new();
    let before = snapshot(&v.dir);
    let secret_guess = "my-wrong-guess-7781";
    let out = v.cmd(&["check"]).env("AMANA_PASSPHRASE", secret_guess).output().unwrap();
    let err = assert_failure(&out);
    assert!(err.contains("passphrase is not correct"), "{err}");
    assert!(!err.contains(secret_guess) && !String::from_utf8_lossy(&out.stdout).contains(secret_guess));
    let out = v.cmd(&["check", "--json"]).env("AMANA_PASSPHRASE", secret_guess).output().unwrap();
    let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
    assert_eq!(err["error"]["code"], "vault.wrong_passphrase");
    assert_eq!(snapshot(&v.dir), before);
    assert_success(&v.run(&["check"]));
}

#[test]
fn throttling_grows_and_survives_restarts() {
    let v = TestVault::new();
    for _ in 0..amana::throttle::FREE_ATTEMPTS {
        let err = assert_failure(&v.cmd(&["check"]).env("AMANA_PASSPHRASE", "nope nope nope").output().unwrap());
        assert!(err.contains("not correct"), "{err}");
    }
    // Every invocation is a new process: the count came from disk.
    let st = v.json(&["status"]);
    assert_eq!(st["failed_attempts"], amana::throttle::FREE_ATTEMPTS);
    // Even the right passphrase has to wait now.
    let out = v.cmd(&["check", "--json"]).env("AMANA_PASSPHRASE", PASS).output().unwrap();
    let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
    assert_eq!(err["error"]["code"], "vault.throttled", "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("wait"));
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_success(&v.run(&["check"]));
    assert_eq!(v.json(&["status"])["failed_attempts"], 0, "a good unlock resets the counter");
}

/// Processes guessing at the same time take turns (src/throttle.rs): each
/// one checks the delay, derives and records its failure before the next
/// reads the counter. Without that, all of them read "no failure yet", all of
/// them guess, and their records overwrite each other.
#[test]
fn concurrent_wrong_passphrases_are_all_counted_and_throttled() {
    const PROCESSES: usize = 8;
    let v = TestVault::empty();
    // Three passes: each guess takes long enough for all the processes to
    // have started while the first ones are still deriving.
    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "3", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_success(&out);
    let children: Vec<_> = (0..PROCESSES)
        .map(|i| {
            v.cmd(&["check", "--json"])
                .env("AMANA_PASSPHRASE", format!("wrong guess number {i}"))
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let codes: Vec<String> = children.into_iter().map(|c| error_of(&c.wait_with_output().unwrap()).0).collect();
    let wrong = codes.iter().filter(|c| *c == "vault.wrong_passphrase").count();
    let throttled = codes.iter().filter(|c| *c == "vault.throttled").count();
    assert_eq!(wrong + throttled, PROCESSES, "every attempt is either a wrong guess or refused: {codes:?}");
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(v.dir.join("unlock-attempts")).unwrap()).unwrap();
    assert_eq!(state["failures"], wrong, "every guess that was tried is counted: {codes:?}");
    let free = amana::throttle::FREE_ATTEMPTS as usize;
    eprintln!("measured: {PROCESSES} processes at once, {wrong} guesses tried, {throttled} refused with the delay");
    // The delay is counted in whole seconds, so one more guess may pass when
    // a second ticks between two of them; never all of them.
    assert!(wrong >= free && wrong <= free + 2, "{wrong} guesses were tried at once: {codes:?}");
    assert!(throttled >= PROCESSES - free - 2, "the delay held the others back: {codes:?}");
    // The next guess waits: the delay the counted failures set is running.
    // (Not "status says wait_seconds > 0": the first delay is 1 s, which a
    // loaded machine can let pass before `status` runs.)
    let delay = amana::throttle::delay_after(wrong as u32);
    assert!(delay >= std::time::Duration::from_secs(1), "{wrong} failures set no delay");
    assert!(v.json(&["status"])["wait_seconds"].as_u64().unwrap() <= delay.as_secs());
}

#[test]
fn passphrase_change_and_recovery() {
    let v = TestVault::empty();
    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    let init: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rk = init["recovery_key"].as_str().unwrap().to_string();

    let new_pass = "a new passphrase of several words";
    let out = v.run_with_env(
        &["passphrase", "change", "--kdf-memory-mib", "64", "--kdf-iterations", "2"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_NEW_PASSPHRASE", new_pass)],
    );
    assert_success(&out);
    assert!(assert_failure(&v.run(&["check"])).contains("not correct"), "old passphrase must stop working");
    assert_success(&v.run_with_env(&["check"], &[("AMANA_PASSPHRASE", new_pass)]));
    assert_eq!(v.json(&["status"])["kdf"]["iterations"], 2);

    // A typo in the recovery key is named as a typo and not counted as an attempt.
    let mut typo = rk.clone().into_bytes();
    typo[7] = if typo[7] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();
    let third = "third passphrase, after recovery";
    let err = assert_failure(&v.run_with_env(
        &["recover", "--kdf-memory-mib", "64", "--kdf-iterations", "1"],
        &[("AMANA_RECOVERY_KEY", &typo), ("AMANA_NEW_PASSPHRASE", third)],
    ));
    assert!(err.contains("not a valid recovery key"), "{err}");

    // Another vault's recovery key is well formed but wrong.
    let other = TestVault::empty();
    let out = other
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    let other_rk =
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["recovery_key"].as_str().unwrap().to_string();
    let before = snapshot(&v.dir);
    let err = assert_failure(&v.run_with_env(
        &["recover", "--kdf-memory-mib", "64", "--kdf-iterations", "1"],
        &[("AMANA_RECOVERY_KEY", &other_rk), ("AMANA_NEW_PASSPHRASE", third)],
    ));
    assert!(err.contains("does not open this vault"), "{err}");
    assert_eq!(snapshot(&v.dir), before);

    // The right one, typed sloppily (lower case, spaces), sets the new passphrase.
    let sloppy = rk.to_lowercase().replace('-', " ");
    assert_success(&v.run_with_env(
        &["recover", "--kdf-memory-mib", "64", "--kdf-iterations", "1"],
        &[("AMANA_RECOVERY_KEY", &sloppy), ("AMANA_NEW_PASSPHRASE", third)],
    ));
    assert!(assert_failure(&v.run_with_env(&["check"], &[("AMANA_PASSPHRASE", new_pass)])).contains("not correct"));
    assert_success(&v.run_with_env(&["check"], &[("AMANA_PASSPHRASE", third)]));
}

#[test]
fn damaged_key_file_is_reported_and_left_alone() {
    let v = TestVault::new();
    let key_path = v.dir.join("vault.key");
    let original = std::fs::read(&key_path).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", original[..original.len() / 2].to_vec(), "vault.key_file_damaged"),
        (
            "bit flip in a wrap",
            {
                let mut b = original.clone();
                b[120] ^= 0x10;
                b
            },
            "vault.key_file_damaged",
        ),
        ("empty", Vec::new(), "vault.key_file_foreign"),
        ("foreign", b"PK\x03\x04 a zip file".to_vec(), "vault.key_file_foreign"),
    ];
    for (what, bytes, code) in cases {
        std::fs::write(&key_path, &bytes).unwrap();
        let before = snapshot(&v.dir);
        let out = v.run(&["check", "--json"]);
        let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
        assert_eq!(err["error"]["code"], code, "{what}: {err}");
        assert_eq!(snapshot(&v.dir), before, "{what}: nothing may change");
        let st = v.json(&["status"]);
        assert_eq!(st["failed_attempts"], 0, "{what}: damage is not a wrong guess");
        assert!(st["key_file_problem"].is_string(), "{what}: status names the problem: {st}");
    }
    std::fs::write(&key_path, &original).unwrap();
    assert_success(&v.run(&["check"]));
}

#[test]
fn damaged_or_missing_database_is_reported() {
    let v = TestVault::new();
    let db = v.dir.join("vault.db");
    let original = std::fs::read(&db).unwrap();

    let mut flipped = original.clone();
    flipped[100] ^= 0x01; // inside page 1, covered by its HMAC
    std::fs::write(&db, &flipped).unwrap();
    let out = v.run(&["check", "--json"]);
    let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
    assert_eq!(err["error"]["code"], "vault.database_damaged", "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), flipped, "the damaged file is left as it was");

    std::fs::write(&db, &original[..4096]).unwrap();
    let out = v.run(&["check", "--json"]);
    assert!(!out.status.success());

    std::fs::remove_file(&db).unwrap();
    let out = v.run(&["check", "--json"]);
    let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
    assert_eq!(err["error"]["code"], "vault.database_missing", "{err}");
}

#[test]
fn a_vault_from_a_newer_version_is_refused() {
    let v = TestVault::new();
    let vault = amana::Vault::unlock(&v.dir, &amana::Passphrase::from(PASS)).unwrap();
    vault.conn().pragma_update(None, "user_version", amana::db::SCHEMA_VERSION + 7).unwrap();
    vault.lock();
    let out = v.run(&["check", "--json"]);
    let err: serde_json::Value = serde_json::from_str(&assert_failure(&out)).unwrap();
    assert_eq!(err["error"]["code"], "vault.database_too_new");
    assert!(err["error"]["message"].as_str().unwrap().contains("newer version of Amana"));
}

#[test]
fn no_secret_or_canary_reaches_the_disk_in_plaintext() {
    // Everything runs in the CLI, whose TMPDIR and HOME are inside the test's
    // own folder, so that folder is every place a copy could land.
    let v = TestVault::new();
    let (latin, arabic) = ("CANARY-7f3a9c", "شهادةسريةكناري");
    let case = v.json_in(
        &["case", "add"],
        &serde_json::json!({
            "title": format!("{latin} title"),
            "private_notes": format!("{arabic} {latin}"),
            "subject": { "names": [{ "name": format!("Kanari {latin}") }, { "name": arabic, "kind": "native_script" }] }
        }),
    );
    let id = case["id"].as_str().unwrap();
    v.json_in(
        &["testimony", "add", "--case", id],
        &serde_json::json!({ "text": format!("{arabic} {latin}"), "language": "ar" }),
    );
    assert_success(&v.run(&["check"]));
    let found = v.json(&["search", arabic]);
    assert!(found["total"].as_u64().unwrap() >= 1, "the canary really is in the vault: {found}");

    let mut scanned = Vec::new();
    for (path, bytes) in all_files(v.tmp.path()) {
        scanned.push(path.clone());
        for needle in [latin, arabic, PASS] {
            assert!(!contains(&bytes, needle.as_bytes()), "{needle} in {}", path.display());
        }
    }
    assert!(
        scanned.contains(&v.dir.join("vault.db")) && scanned.contains(&v.dir.join("vault.key")),
        "the scan saw the vault's files"
    );
}

#[test]
fn panic_erase_needs_two_confirmations_then_the_vault_never_opens_again() {
    let v = TestVault::empty();
    let out = v
        .cmd(&["init", "--kdf-memory-mib", "64", "--kdf-iterations", "1", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .output()
        .unwrap();
    let rk =
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["recovery_key"].as_str().unwrap().to_string();
    let key_bytes = std::fs::read(v.dir.join("vault.key")).unwrap();

    for args in [vec!["erase"], vec!["erase", "--yes"], vec!["erase", "--yes", "--confirm", "yes"]] {
        let err = assert_failure(&v.cmd(&args).output().unwrap());
        assert!(err.contains("destroy my vault"), "{err}");
        assert_eq!(std::fs::read(v.dir.join("vault.key")).unwrap(), key_bytes, "{args:?} must change nothing");
    }
    // No passphrase is needed: under coercion there may be no time to type one.
    let out = v.cmd(&["erase", "--yes", "--confirm", "destroy my vault", "--json"]).output().unwrap();
    assert_success(&out);
    let erased: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(erased["millis"].as_u64().unwrap() < 2000, "{erased}");
    assert!(!v.dir.join("vault.key").exists());
    assert!(assert_failure(&v.run(&["check"])).contains("no vault"));
    // The recovery key cannot bring it back either, and no copy of the old key file remains.
    let err = assert_failure(&v.run_with_env(
        &["recover"],
        &[("AMANA_RECOVERY_KEY", &rk), ("AMANA_NEW_PASSPHRASE", "another long passphrase")],
    ));
    assert!(err.contains("no vault"), "{err}");
    for (p, bytes) in all_files(v.tmp.path()) {
        assert!(!contains(&bytes, &key_bytes[26..58]), "a copy of the key check survives in {}", p.display());
    }
}

#[test]
fn command_line_mistakes_are_one_sentence_and_json_under_json() {
    let amana = |args: &[&str]| std::process::Command::new(env!("CARGO_BIN_EXE_amana")).args(args).output().unwrap();
    // Under --json, a mistake is the same {"error":{code,message}} as any other error.
    let out = amana(&["--json", "case", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is one JSON object");
    assert_eq!(err["error"]["code"], "cli.usage");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("frobnicate"), "{message}");
    let out = amana(&["stats", "--json", "--threshold"]);
    assert_eq!(out.status.code(), Some(2));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is one JSON object");
    assert_eq!(err["error"]["code"], "cli.usage");
    // Without --json, clap's own message; help and version still print and succeed.
    let out = amana(&["case", "frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
    let out = amana(&["--json", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    let out = amana(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
}

/// A crash of the CLI while it holds the vault open leaves no core file, and
/// any core written of it would hold no memory (src/hardening.rs): its core
/// limit is zero and its `coredump_filter` keeps every mapping out. The test
/// runs it with the limit raised as far as this process may and the default
/// filter, in a folder of its own, so that where the kernel writes core files
/// to the working folder (`core_pattern` without a `|`), one would appear
/// there without the hardening.
#[cfg(target_os = "linux")]
#[test]
fn a_crash_of_the_cli_leaves_no_core_file() {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let v = TestVault::new();
    let own = getrlimit(Resource::Core);
    setrlimit(Resource::Core, Rlimit { current: own.maximum, maximum: own.maximum }).unwrap();
    if own.maximum == Some(0) {
        eprintln!("note: this runner's hard core limit is 0: only the CLI's coredump_filter can show a change");
    }
    let cwd = v.tmp.path().join("cwd");
    std::fs::create_dir_all(&cwd).unwrap();
    // `case add` opens the vault, then waits for the record on stdin, which
    // the test keeps open.
    let mut child = v
        .cmd(&["case", "add", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .current_dir(&cwd)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let proc = format!("/proc/{}", child.id());
    let db = v.dir.join("vault.db");
    let holds_vault = || {
        std::fs::read_dir(format!("{proc}/fd"))
            .is_ok_and(|fds| fds.flatten().any(|fd| std::fs::read_link(fd.path()).is_ok_and(|p| p == db)))
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !holds_vault() {
        assert!(Instant::now() < deadline, "the CLI never opened the vault");
        std::thread::sleep(Duration::from_millis(20));
    }
    let limits = std::fs::read_to_string(format!("{proc}/limits")).unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");
    let filter = std::fs::read_to_string(format!("{proc}/coredump_filter")).unwrap();
    assert_eq!(u32::from_str_radix(filter.trim(), 16).unwrap(), 0, "coredump_filter {filter}");

    // SIGABRT, whose default is to end the process with a core file. (Not
    // SIGSEGV: Rust's runtime handles it to report stack overflows, and one
    // sent with kill() leaves the process running.)
    let status = std::process::Command::new("kill").args(["-ABRT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(exit.signal(), Some(6), "ended by SIGABRT ({exit:?}, {err})");
    // Behind a pipe (`|systemd-coredump`) the kernel hands a core to the
    // handler whatever the limit; the filter above left it without memory.
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    if !pattern.trim_start().starts_with('|') {
        assert!(!exit.core_dumped(), "the kernel dumped the CLI's core ({})", pattern.trim());
    }
    let left: Vec<_> = std::fs::read_dir(&cwd).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "files left by the crash: {left:?}");
}
