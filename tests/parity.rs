//! The two doors, one behaviour: the same researcher's session driven
//! through the app's calls (`amana::api`, what each desktop command calls)
//! and through the CLI leaves the two vaults alike (the same records at the
//! same versions, the same audit actions) and refuses the same things with
//! the same codes. A rule or a side effect present in one door only would
//! show here (issue 22: backup and evidence rules had drifted).

mod common;

use amana::api::{self, AddRecordRequest, EditRecordRequest};
use amana::dossier::{store, Kind};
use amana::Vault;
use common::*;
use secrecy::SecretString;
use serde_json::{json, Value};

/// A value with what differs between any two vaults taken out: ids (UUIDs)
/// and times.
fn normal(v: &Value) -> Value {
    match v {
        Value::String(s) if uuid::Uuid::parse_str(s).is_ok() => json!("<id>"),
        Value::String(s) if s.len() >= 20 && s.as_bytes()[4] == b'-' && s.as_bytes().get(10) == Some(&b'T') => {
            json!("<time>")
        }
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), normal(v))).collect()),
        other => other.clone(),
    }
}

/// What a vault holds, comparable across vaults: every record (kind,
/// version, content) and every audit entry (action, kind, detail), in order.
fn holdings(dir: &std::path::Path) -> (Vec<String>, Vec<String>) {
    let vault = Vault::unlock(dir, &SecretString::from(PASS)).expect("unlock");
    let mut records: Vec<String> = store::list(vault.conn(), None, None)
        .unwrap()
        .iter()
        .map(|r| {
            let r = serde_json::to_value(r).unwrap();
            format!("{} v{} {}", r["kind"], r["version"], normal(&r["data"]))
        })
        .collect();
    records.sort();
    let mut log = api::audit_log(&vault, 1000).unwrap().entries;
    log.reverse();
    let log = log.iter().map(|e| format!("{} {:?} {}", e.action, e.kind, normal(&e.detail))).collect();
    (records, log)
}

fn case_data() -> Value {
    json!({ "title": "Extradition request", "subject": { "names": [{ "name": "Leila Mansour" }, { "name": "ليلى منصور", "kind": "native_script" }] } })
}
fn source_data() -> Value {
    json!({ "pseudonym": "Witness R", "identity": { "full_name": "Rania Saad" }, "consent": { "share_with_lawyers": true } })
}
fn testimony_data(source: &str) -> Value {
    json!({ "text": "She was stopped at the border and held for two days.", "language": "en", "source_id": source })
}
fn patch() -> Value {
    json!({ "text": "She was stopped at the border and held for three days." })
}

#[test]
fn the_app_and_the_cli_leave_the_same_vault_and_refuse_the_same_things() {
    // Through the app's calls.
    let app = TestVault::new();
    let mut v = Vault::unlock(&app.dir, &SecretString::from(PASS)).unwrap();
    let add = |v: &mut Vault, kind, case_id, data| api::add_record(v, AddRecordRequest { kind, case_id, data });
    let case = add(&mut v, Kind::Case, None, case_data()).unwrap().id;
    let source = add(&mut v, Kind::Source, Some(case), source_data()).unwrap().id;
    let testimony = add(&mut v, Kind::Testimony, Some(case), testimony_data(&source.to_string())).unwrap().id;
    api::edit_record(&mut v, EditRecordRequest { id: testimony, patch: patch() }).unwrap();
    let app_refusals = [
        api::delete_record(&mut v, source).unwrap_err().code,
        add(&mut v, Kind::Evidence, Some(case), json!({})).unwrap_err().code,
        api::edit_record(&mut v, EditRecordRequest { id: testimony, patch: json!({ "language": 7 }) })
            .unwrap_err()
            .code,
    ];
    api::delete_record(&mut v, testimony).unwrap();
    api::delete_record(&mut v, source).unwrap();
    v.lock();

    // Through the CLI.
    let cli = TestVault::new();
    let case = cli.add("case", None, &case_data());
    let source = cli.add("source", Some(&case), &source_data());
    let testimony = cli.add("testimony", Some(&case), &testimony_data(&source));
    cli.json_in(&["testimony", "edit", &testimony], &patch());
    let cli_refusals = [
        cli.fail(&["source", "delete", &source, "--yes"]).0,
        cli.fail_in(&["evidence", "add", "--case", &case], b"{}").0,
        cli.fail_in(&["testimony", "edit", &testimony], json!({ "language": 7 }).to_string().as_bytes()).0,
    ];
    cli.json(&["testimony", "delete", &testimony, "--yes"]);
    cli.json(&["source", "delete", &source, "--yes"]);

    assert_eq!(app_refusals, cli_refusals, "the same refusals, with the same codes");
    assert_eq!(app_refusals[0], "record.in_use");
    assert_eq!(app_refusals[1], "record.evidence_needs_file");
    let (app_records, app_log) = holdings(&app.dir);
    let (cli_records, cli_log) = holdings(&cli.dir);
    assert_eq!(app_records, cli_records, "the same records at the same versions");
    assert_eq!(app_records.len(), 1, "the case is left: {app_records:?}");
    assert_eq!(app_log, cli_log, "the same audit actions, in the same order");
    assert_eq!(app_log.len(), 6, "{app_log:#?}");
}
