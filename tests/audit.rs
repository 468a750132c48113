//! The audit log through the real CLI: every change appends a chained entry
//! that names records without their content; `amana check` verifies the
//! chain and the records against it, and reports rows edited or removed
//! through a raw SQLCipher connection (the library's, with the vault key).

mod common;

use common::*;
use serde_json::{json, Value};

struct Populated {
    v: TestVault,
    case: String,
    situation: String,
    testimony: String,
    evidence: String,
}

/// A vault with one of each action in the log:
/// 1 create case, 2 create situation, 3 update case, 4 create source,
/// 5 create testimony, 6 attach, 7 extract, 8 delete situation, 9 update testimony.
fn populated() -> Populated {
    let v = TestVault::new();
    let case = v.add(
        "case",
        None,
        &json!({ "title": "Travel ban on F. N.", "subject": { "names": [{ "name": "Fatima Nasser" }] } }),
    );
    let situation = v.add("situation", Some(&case), &json!({ "date": "2024-02-11", "situation": "arrested" }));
    v.json_in(&["case", "edit", &case], &json!({ "risk": "high" }));
    let source = v.add(
        "source",
        Some(&case),
        &json!({ "pseudonym": "Witness F-1", "identity": { "full_name": "Nadia Haddad-Benali" } }),
    );
    let testimony = v.add(
        "testimony",
        Some(&case),
        &json!({ "text": "Son passeport a été confisqué à l'aéroport d'Alger.", "language": "fr", "source_id": source }),
    );
    let file = v.tmp.path().join("interdiction.pdf");
    write_pattern_file(&file, 70_000, 21);
    let evidence = v.json(&["attach", &testimony, file.to_str().unwrap()])["id"].as_str().unwrap().to_string();
    let out = v.tmp.path().join("copie.pdf");
    v.json(&["extract", &evidence, "--out", out.to_str().unwrap()]);
    v.json(&["situation", "delete", &situation, "--yes"]);
    v.json_in(&["testimony", "edit", &testimony], &json!({ "date": "2024-02-12" }));
    Populated { v, case, situation, testimony, evidence }
}

/// Runs SQL through the library's SQLCipher connection, as someone holding the
/// vault key could, bypassing Amana.
fn tamper(v: &TestVault, sql: &str) {
    let vault = amana::Vault::unlock(&v.dir, &amana::Passphrase::from(PASS)).unwrap();
    let changed = vault.conn().execute(sql, []).unwrap();
    assert_eq!(changed, 1, "{sql} changed {changed} rows");
    vault.lock();
}

/// `check` must fail, say so on stderr, and return its report.
fn check_fails(v: &TestVault) -> Value {
    let out = v.run(&["check", "--json"]);
    let (code, message) = error_of(&out);
    assert_eq!(code, "vault.check_failed", "{message}");
    assert!(message.contains("damaged"), "{message}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("check prints its report");
    assert_eq!(report["ok"], false);
    report
}

#[test]
fn every_change_appends_a_chained_entry_without_content() {
    let p = populated();
    let v = &p.v;
    assert_eq!(
        v.log_actions(),
        ["create", "create", "update", "create", "create", "attach", "extract", "delete", "update"]
    );
    let mut log: Vec<Value> = v.json(&["log", "--limit", "100"]).as_array().unwrap().clone();
    log.reverse();
    let who: Vec<(&str, &str)> =
        log.iter().map(|e| (e["kind"].as_str().unwrap(), e["record_id"].as_str().unwrap())).collect();
    assert_eq!(who[0], ("case", p.case.as_str()));
    assert_eq!(who[1], ("situation", p.situation.as_str()));
    assert_eq!(who[2], ("case", p.case.as_str()));
    assert_eq!(who[4], ("testimony", p.testimony.as_str()));
    assert_eq!(who[5], ("evidence", p.evidence.as_str()));
    assert_eq!(who[6], ("evidence", p.evidence.as_str()));
    assert_eq!(who[7], ("situation", p.situation.as_str()));
    assert_eq!(who[8], ("testimony", p.testimony.as_str()));
    for (i, e) in log.iter().enumerate() {
        assert_eq!(e["seq"], i as u64 + 1);
        assert_eq!(e["case_id"], p.case.as_str(), "every entry names its case");
        let prev = if i == 0 { "0".repeat(64) } else { log[i - 1]["hash"].as_str().unwrap().to_string() };
        assert_eq!(e["prev_hash"], prev.as_str(), "entry {} commits to the one before", i + 1);
    }
    // Creates, edits and attachments commit to the content; their version is noted.
    assert_eq!(log[2]["detail"], json!({ "version": 2 }));
    assert!(log[2]["content_sha256"].as_str().unwrap().len() == 64);
    assert_eq!(log[7]["content_sha256"], Value::Null, "a delete keeps no content digest");
    assert_eq!(log[7]["detail"], json!({ "records_removed": 1 }));
    assert!(log[6]["detail"]["written_to"].as_str().unwrap().ends_with("copie.pdf"));
    // The log names records, never what they say or who a source is.
    let text = v.run(&["log", "--json", "--limit", "100"]).stdout;
    for secret in ["passeport", "Alger", "Haddad", "Witness F-1", "Fatima Nasser", "Travel ban"] {
        assert!(!contains(&text, secret.as_bytes()), "{secret} appears in the audit log");
    }
    // One record's entries.
    let mine: Vec<String> = v
        .json(&["log", "--record", &p.testimony])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(mine, ["update", "create"], "newest first");

    let (ok, report) = v.check();
    assert!(ok, "{report}");
    assert_eq!(report["audit_entries"], 9);
    assert_eq!(report["audit_first_broken"], Value::Null);
    assert_eq!(report["problems"], json!([]));

    // Refused commands append nothing.
    let _ = v.fail(&["situation", "show", &p.situation]);
    let _ = v.fail_in(&["case", "edit", &p.case], br#"{"risk": "extreme"}"#);
    let _ = v.fail(&["case", "delete", &p.case]);
    assert_eq!(v.log_len(), 9);
}

#[test]
fn an_edited_audit_entry_is_found_and_located() {
    let p = populated();
    tamper(&p.v, r#"UPDATE audit_log SET detail = '{"version":1}' WHERE seq = 3"#);
    let report = check_fails(&p.v);
    assert_eq!(report["audit_first_broken"], 3, "{report}");
    assert!(report["problems"].to_string().contains("entry 3 was altered"), "{report}");
}

#[test]
fn a_deleted_audit_entry_is_found_and_located() {
    let p = populated();
    tamper(&p.v, "DELETE FROM audit_log WHERE seq = 2");
    let report = check_fails(&p.v);
    assert_eq!(report["audit_first_broken"], 2, "{report}");
    assert!(report["problems"].to_string().contains("entry 2 is missing"), "{report}");
    assert_eq!(report["audit_entries"], 2, "the walk stops at the break: entries 1 and 3 were read");
}

#[test]
fn other_changes_to_the_chain_are_found() {
    for (what, sql, seq) in [
        ("a time changed", "UPDATE audit_log SET at = '2020-01-01T00:00:00Z' WHERE seq = 5", 5),
        ("an action changed", "UPDATE audit_log SET action = 'create' WHERE seq = 8", 8),
        ("a record id changed", "UPDATE audit_log SET record_id = 'somebody-else' WHERE seq = 6", 6),
        ("an entry relinked", "UPDATE audit_log SET prev_hash = hash WHERE seq = 4", 4),
        ("the first entry removed", "DELETE FROM audit_log WHERE seq = 1", 1),
    ] {
        let p = populated();
        tamper(&p.v, sql);
        let report = check_fails(&p.v);
        assert_eq!(report["audit_first_broken"], seq, "{what}: {report}");
    }
}

#[test]
fn a_record_changed_outside_amana_is_found() {
    let p = populated();
    tamper(
        &p.v,
        &format!("UPDATE records SET data = json_set(data, '$.title', 'Nothing happened') WHERE id = '{}'", p.case),
    );
    let report = check_fails(&p.v);
    assert_eq!(report["audit_first_broken"], Value::Null, "the chain itself is intact: {report}");
    assert_eq!(report["audit_entries"], 9);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{report}");
    let problem = problems[0].as_str().unwrap();
    assert!(problem.contains(&p.case) && problem.contains("changed outside Amana"), "{problem}");

    // Covering one's tracks by fixing the digest in the log breaks the chain instead.
    let vault = amana::Vault::unlock(&p.v.dir, &amana::Passphrase::from(PASS)).unwrap();
    let data: String =
        vault.conn().query_row("SELECT data FROM records WHERE id = ?1", [&p.case], |r| r.get(0)).unwrap();
    vault.lock();
    tamper(
        &p.v,
        &format!("UPDATE audit_log SET content_sha256 = '{}' WHERE seq = 3", amana::audit::content_digest(&data)),
    );
    let report = check_fails(&p.v);
    assert_eq!(report["audit_first_broken"], 3, "{report}");
}

#[test]
fn a_testimony_changed_or_a_record_added_outside_amana_is_found() {
    let p = populated();
    tamper(
        &p.v,
        &format!(
            "UPDATE records SET data = json_set(data, '$.text', 'Il ne s''est rien passé.') WHERE id = '{}'",
            p.testimony
        ),
    );
    tamper(
        &p.v,
        &format!(
            "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, data) VALUES \
             ('0b5e7c1a-1111-4222-8333-944455556666', 'situation', '{}', 1, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', \
             '{{\"date\":\"2024-01-01\",\"situation\":\"released\",\"place\":null,\"notes\":\"\"}}')",
            p.case
        ),
    );
    let report = check_fails(&p.v);
    let problems = report["problems"].to_string();
    assert!(problems.contains(&p.testimony) && problems.contains("changed outside Amana"), "{problems}");
    assert!(
        problems.contains("0b5e7c1a-1111-4222-8333-944455556666") && problems.contains("no audit entry"),
        "{problems}"
    );
}
