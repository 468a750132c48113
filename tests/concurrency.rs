//! Many writers on one vault at once: the CLI run by a script in parallel,
//! the app and the CLI side by side. Every write waits its turn (each
//! transaction begins IMMEDIATE: src/db.rs, `writes_wait_their_turn`) and
//! none fails with "database is locked"; every record is there afterwards,
//! each with its audit entry.
//!
//! Before: 24 `amana case add` started together, 4 succeeded and 20 failed
//! at once with `vault.database_error: database is locked`, although the
//! busy timeout is 5 s (a deferred transaction that read before writing
//! cannot wait for a lock in WAL mode once another writer committed).

mod common;

use std::io::Write;
use std::process::Stdio;
use std::sync::{Arc, Barrier};

use amana::api::{self, AddRecordRequest};
use amana::dossier::Kind;
use amana::Vault;
use common::*;
use secrecy::SecretString;
use serde_json::json;

const WRITERS: usize = 50;

/// Starts `amana case add` with the case on its stdin.
fn start_case_add(v: &TestVault, title: &str) -> std::process::Child {
    let mut child = v
        .cmd(&["case", "add", "--json"])
        .env("AMANA_PASSPHRASE", PASS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = json!({ "title": title, "subject": { "names": [{ "name": "Samir Haddad" }] } });
    child.stdin.take().unwrap().write_all(body.to_string().as_bytes()).unwrap();
    child
}

fn titles(v: &TestVault) -> Vec<String> {
    let mut t: Vec<String> = v
        .json(&["case", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["data"]["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

#[test]
fn fifty_cli_writers_started_together_all_succeed() {
    let v = TestVault::new();
    let children: Vec<_> = (0..WRITERS).map(|i| start_case_add(&v, &format!("Case {i:02}"))).collect();
    let failures: Vec<String> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .filter(|o| !o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert!(failures.is_empty(), "{} of {WRITERS} failed: {:?}", failures.len(), failures.first());
    let want: Vec<String> = (0..WRITERS).map(|i| format!("Case {i:02}")).collect();
    assert_eq!(titles(&v), want);
    let created = v.log_actions().iter().filter(|a| a.as_str() == "create").count();
    assert_eq!(created, WRITERS, "one audit entry per case");
}

/// The app's way in (`api`, one open vault per thread, as the app and
/// another app window or a second process would hold) and the CLI, all at
/// once on one vault.
#[test]
fn fifty_api_writers_and_the_cli_at_the_same_time_all_succeed() {
    let v = TestVault::new();
    let pass = SecretString::from(PASS);
    let vaults: Vec<Vault> = (0..WRITERS).map(|_| Vault::unlock(&v.dir, &pass).expect("unlock")).collect();
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let threads: Vec<_> = vaults
        .into_iter()
        .enumerate()
        .map(|(i, mut vault)| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                start.wait();
                let case = api::add_record(
                    &mut vault,
                    AddRecordRequest {
                        kind: Kind::Case,
                        case_id: None,
                        data: json!({ "title": format!("App case {i:02}"), "subject": { "names": [{ "name": "Leila Mansour" }] } }),
                    },
                )?;
                api::add_record(
                    &mut vault,
                    AddRecordRequest {
                        kind: Kind::Testimony,
                        case_id: Some(case.id),
                        data: json!({ "text": format!("Statement {i}"), "language": "en" }),
                    },
                )
                .map(|_| ())
            })
        })
        .collect();
    start.wait();
    let cli: Vec<_> = (0..10).map(|i| start_case_add(&v, &format!("CLI case {i:02}"))).collect();
    let api_errors: Vec<String> = threads
        .into_iter()
        .filter_map(|t| t.join().unwrap().err())
        .map(|e| format!("{}: {}", e.code, e.message))
        .collect();
    assert!(api_errors.is_empty(), "{} of {WRITERS} api writers failed: {:?}", api_errors.len(), api_errors.first());
    for o in cli.into_iter().map(|c| c.wait_with_output().unwrap()) {
        assert_success(&o);
    }
    let t = titles(&v);
    assert_eq!(t.len(), WRITERS + 10, "{t:?}");
    for i in 0..WRITERS {
        assert!(t.contains(&format!("App case {i:02}")), "App case {i:02} missing");
    }
    // Every testimony made it into the search index too.
    assert_eq!(v.json(&["search", "Statement", "--limit", "1000"])["total"], WRITERS, "every testimony found");
    let created = v.log_actions().iter().filter(|a| a.as_str() == "create").count();
    assert_eq!(created, 2 * WRITERS + 10, "one audit entry per record");
}
