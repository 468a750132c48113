//! Dossiers through the real CLI: every kind of record added, shown, edited
//! (versions and history), listed and deleted; bad input refused with nothing
//! written; derived figures ("days pending", "days since arrest"), the urgent
//! list and the timeline with known answers; the JSON Schema and its committed
//! copy. Every person named here is fictional.

mod common;

use common::*;
use serde_json::{json, Value};

/// A vault with two cases and one record of every kind in the first.
struct Fixture {
    v: TestVault,
    case: String,
    other_case: String,
    situation: String,
    incident: String,
    instrument: String,
    proceeding: String,
    source: String,
    testimony: String,
    evidence: String,
    other_evidence: String,
    evidence_sha256: String,
}

fn case_input() -> Value {
    json!({
        "title": "Extradition of M. K. from Türkiye",
        "status": "open",
        "risk": "critical",
        "tags": ["red notice", "AIMC", "extradition"],
        "summary": "Journaliste arrêté à Istanbul sur notice rouge ; la demande d'extradition est pendante.",
        "private_notes": "La famille demande que le nom du frère n'apparaisse dans aucun dossier transmis.",
        "subject": {
            "kind": "person",
            "names": [
                { "name": "Samir al-Kayali", "kind": "primary" },
                { "name": "سمير الكيالي", "kind": "native_script" },
                { "name": "Sameer Kayyali", "kind": "transliteration" },
                { "name": "Abu Yazan", "kind": "alias" }
            ],
            "nationalities": ["SA", "AU"],
            "profiles": ["journalist", "dissident"],
            "current_location": { "country": "TR", "locality": "Silivri prison, Istanbul" },
            "born": "~1984-06"
        }
    })
}

fn situation_input() -> Value {
    json!({
        "date": "2024-03-10",
        "situation": "arrested",
        "place": { "country": "TR", "locality": "Istanbul Airport" },
        "notes": "Arrêté à l'aéroport à son arrivée de Doha."
    })
}

fn incident_input() -> Value {
    json!({
        "tactic": "extradition_proceedings",
        "requesting_state": "SA",
        "requested_state": "TR",
        "date": "2024-03",
        "description": "طلب تسليم مقدَّم إلى تركيا بناءً على نشرة حمراء صادرة بطلب من السلطات.",
        "sources": ["Istanbul court file 2024/117", "Lawyer's note of 12 March 2024"]
    })
}

fn instrument_input() -> Value {
    json!({
        "kind": "interpol_red_notice",
        "issuing_state": "SA",
        "issued_on": "~2022",
        "learnt_on": "2024-03-10",
        "withdrawn_on": null,
        "status": "active",
        "reference": "A-1234/5-2022",
        "notes": "Only learnt of at the arrest."
    })
}

fn proceeding_input() -> Value {
    json!({
        "kind": "ccf_deletion",
        "forum": "Commission for the Control of INTERPOL's Files",
        "reference": "CCF/2024/0042",
        "filed_on": "2024-03-20",
        "deadline": "2024-07-15",
        "decided_on": null,
        "outcome": null,
        "interim_measures": { "requested_on": "2024-03-20", "granted_on": null, "respected": null },
        "notes": "Demande de suppression des données ; pas de mesures provisoires à la CCF."
    })
}

fn source_input() -> Value {
    json!({
        "pseudonym": "Witness K-2",
        "relation": "relative",
        "consent": { "share_with_lawyers": true, "share_with_un": true, "publish": false },
        "identity": {
            "full_name": "Samira Qasimi",
            "contact": "+90 555 000 00 00 (Signal)",
            "notes": "Belle-sœur du sujet ; vit à Izmir."
        }
    })
}

fn testimony_input(source: &str) -> Value {
    json!({
        "text": "قالت إن الشرطة أوقفته في المطار فور وصوله، ولم يُسمح له بالاتصال بمحاميه إلا بعد يومين.",
        "language": "ar",
        "date": "2024-03-14",
        "place": { "country": "TR", "locality": "Istanbul" },
        "interviewer": "Field researcher R.",
        "source_id": source
    })
}

fn fixture() -> Fixture {
    let v = TestVault::new();
    let case = v.add("case", None, &case_input());
    let other_case = v.add(
        "case",
        None,
        &json!({ "title": "Travel ban on F. N.", "subject": { "names": [{ "name": "Fatima Nasser" }] } }),
    );
    let situation = v.add("situation", Some(&case), &situation_input());
    let incident = v.add("incident", Some(&case), &incident_input());
    let instrument = v.add("instrument", Some(&case), &instrument_input());
    let proceeding = v.add("proceeding", Some(&case), &proceeding_input());
    let source = v.add("source", Some(&case), &source_input());
    let testimony = v.add("testimony", Some(&case), &testimony_input(&source));

    let file = v.tmp.path().join("notice-rouge.pdf");
    write_pattern_file(&file, 200_000, 7);
    let evidence_sha256 = sha256sum(&file);
    let ev = v.json(&[
        "attach",
        &case,
        file.to_str().unwrap(),
        "--by",
        "R. (field researcher)",
        "--on",
        "2024-03-12",
        "--how",
        "copie remise par l'avocat",
        "--from",
        "Lawyer L-1",
        "--description",
        "Copie de la notice rouge",
    ]);
    let other_file = v.tmp.path().join("travel-ban.jpg");
    write_pattern_file(&other_file, 50_000, 8);
    let other = v.json(&["attach", &other_case, other_file.to_str().unwrap()]);
    Fixture {
        v,
        case,
        other_case,
        situation,
        incident,
        instrument,
        proceeding,
        source,
        testimony,
        evidence: ev["id"].as_str().unwrap().to_string(),
        other_evidence: other["id"].as_str().unwrap().to_string(),
        evidence_sha256,
    }
}

/// A record's stored form as `KIND show ID` gives it (for a case, the case
/// record inside the overview).
fn show(v: &TestVault, kind: &str, id: &str) -> Value {
    let shown = v.json(&[kind, "show", id]);
    if kind == "case" {
        shown["case"].clone()
    } else {
        shown
    }
}

/// `value` with the fields at these JSON pointers replaced.
fn with(value: &Value, changes: &[(&str, Value)]) -> Value {
    let mut out = value.clone();
    for (pointer, new) in changes {
        *out.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer} in {value}")) = new.clone();
    }
    out
}

/// Show, edit (version 2), show an old version, history, list by case.
fn versions_round_trip(f: &Fixture, kind: &str, id: &str, v1: &Value, patch: &Value, v2: &Value) {
    let v = &f.v;
    let r = show(v, kind, id);
    assert_eq!(r["id"], id);
    assert_eq!(r["kind"], kind);
    assert_eq!(r["case_id"], f.case.as_str());
    assert_eq!(r["version"], 1);
    assert_eq!(&r["data"], v1, "{kind}: the stored content is the content given");

    let created_at = r["created_at"].clone();
    let edited = v.json_in(&[kind, "edit", id], patch);
    assert_eq!(edited["version"], 2, "{kind}: an edit makes version 2");
    assert_eq!(&edited["data"], v2, "{kind}: the merge patch was applied");
    let r = show(v, kind, id);
    assert_eq!(r["version"], 2);
    assert_eq!(&r["data"], v2);
    assert_eq!(r["created_at"], created_at, "{kind}: an edit keeps the creation time");

    let old = v.json(&[kind, "show", id, "--version", "1"]);
    assert_eq!(old["version"], 1);
    assert_eq!(&old["data"], v1, "{kind}: --version 1 shows the old content");
    assert_eq!(&v.json(&[kind, "show", id, "--version", "2"])["data"], v2);
    let (code, _) = v.fail(&[kind, "show", id, "--version", "3"]);
    assert_eq!(code, "record.no_such_version");

    let history = v.json(&[kind, "history", id]);
    let history = history.as_array().unwrap();
    assert_eq!(history.len(), 2, "{kind}: {history:?}");
    assert_eq!((history[0]["version"].as_u64(), &history[0]["data"]), (Some(1), v1));
    assert_eq!((history[1]["version"].as_u64(), &history[1]["data"]), (Some(2), v2));

    // An edit that changes nothing makes no version.
    let same = v.json_in(&[kind, "edit", id], &json!({}));
    assert_eq!(same["version"], 2, "{kind}: an empty patch is not a new version");

    let listed = v.json(&[kind, "list", "--case", &f.case]);
    let listed: Vec<&Value> = listed.as_array().unwrap().iter().filter(|r| r["id"] == id).collect();
    assert_eq!(listed.len(), 1, "{kind}: listed in its case");
    assert_eq!(listed[0]["version"], 2);
    assert_eq!(&listed[0]["data"], v2);
    let elsewhere = v.json(&[kind, "list", "--case", &f.other_case]);
    assert!(elsewhere.as_array().unwrap().iter().all(|r| r["id"] != id), "{kind}: not listed in another case");
}

/// Delete refused without --yes (no terminal), then done with --yes.
fn delete_round_trip(f: &Fixture, kind: &str, id: &str) {
    let v = &f.v;
    let before = v.state();
    let (code, message) = v.fail(&[kind, "delete", id]);
    assert_eq!(code, "cli.confirmation_needed", "{message}");
    assert!(message.contains("--yes"), "{message}");
    assert_eq!(v.state(), before, "{kind}: a refused delete changes nothing");

    let gone = v.json(&[kind, "delete", id, "--yes"]);
    assert!(gone["records"].as_array().unwrap().iter().any(|r| r == id), "{gone}");
    let (code, _) = v.fail(&[kind, "show", id]);
    assert_eq!(code, "record.not_found", "{kind}: deleted");
    let last = &v.json(&["log", "--limit", "1"])[0];
    assert_eq!((last["action"].as_str(), last["record_id"].as_str()), (Some("delete"), Some(id)));
    assert_eq!(last["kind"], kind);
    assert_eq!(v.log_len(), before["log"].as_array().unwrap().len() + 1);
}

#[test]
fn case_round_trip() {
    let f = fixture();
    let v1 = case_input();
    let patch = json!({
        "risk": "high",
        "tags": ["red notice"],
        "subject": { "current_location": null, "profiles": ["journalist"] }
    });
    let v2 = with(
        &v1,
        &[
            ("/risk", json!("high")),
            ("/tags", json!(["red notice"])),
            ("/subject/current_location", Value::Null),
            ("/subject/profiles", json!(["journalist"])),
        ],
    );
    versions_round_trip(&f, "case", &f.case, &v1, &patch, &v2);

    // Deleting a case takes every record in it, and its encrypted files.
    let other_file = format!("{}.age", f.other_evidence);
    assert_eq!(f.v.evidence_files(), {
        let mut both = vec![format!("{}.age", f.evidence), other_file.clone()];
        both.sort();
        both
    });
    let in_case = f.v.json(&["testimony", "list", "--case", &f.case]);
    assert_eq!(in_case.as_array().unwrap().len(), 1);
    delete_round_trip(&f, "case", &f.case);
    for kind in KINDS {
        let left = f.v.json(&[kind, "list", "--case", &f.case]);
        assert_eq!(left, json!([]), "{kind} records of the deleted case remain");
    }
    for id in [&f.situation, &f.incident, &f.instrument, &f.proceeding, &f.source, &f.testimony, &f.evidence] {
        assert_eq!(f.v.fail(&["situation", "show", id]).0, "record.not_found");
    }
    assert_eq!(f.v.evidence_files(), vec![other_file], "only the other case's encrypted file is left");
    // The other case is untouched and the vault is consistent.
    assert_eq!(show(&f.v, "case", &f.other_case)["version"], 1);
    assert_eq!(f.v.json(&["evidence", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(f.v.json(&["search", "Kayali"])["total"], 0, "the deleted case left the search index");
    let (ok, report) = f.v.check();
    assert!(ok, "{report}");
}

#[test]
fn situation_round_trip() {
    let f = fixture();
    let v1 = situation_input();
    let patch = json!({ "situation": "detained_pending_extradition", "place": { "locality": "Silivri" } });
    let v2 = with(&v1, &[("/situation", json!("detained_pending_extradition")), ("/place/locality", json!("Silivri"))]);
    versions_round_trip(&f, "situation", &f.situation, &v1, &patch, &v2);
    delete_round_trip(&f, "situation", &f.situation);
}

#[test]
fn incident_round_trip() {
    let f = fixture();
    let v1 = incident_input();
    let patch = json!({ "requested_state": null, "sources": ["Istanbul court file 2024/117"], "date": "~2024-02" });
    let v2 = with(
        &v1,
        &[
            ("/requested_state", Value::Null),
            ("/sources", json!(["Istanbul court file 2024/117"])),
            ("/date", json!("~2024-02")),
        ],
    );
    versions_round_trip(&f, "incident", &f.incident, &v1, &patch, &v2);
    delete_round_trip(&f, "incident", &f.incident);
}

#[test]
fn instrument_round_trip() {
    let f = fixture();
    let v1 = instrument_input();
    let patch = json!({ "status": "withdrawn", "withdrawn_on": "2024-09-02" });
    let v2 = with(&v1, &[("/status", json!("withdrawn")), ("/withdrawn_on", json!("2024-09-02"))]);
    versions_round_trip(&f, "instrument", &f.instrument, &v1, &patch, &v2);
    delete_round_trip(&f, "instrument", &f.instrument);
}

#[test]
fn proceeding_round_trip() {
    let f = fixture();
    let v1 = proceeding_input();
    let patch = json!({ "decided_on": "2024-10-01", "outcome": "granted", "interim_measures": { "respected": true } });
    let v2 = with(
        &v1,
        &[
            ("/decided_on", json!("2024-10-01")),
            ("/outcome", json!("granted")),
            ("/interim_measures/respected", json!(true)),
        ],
    );
    versions_round_trip(&f, "proceeding", &f.proceeding, &v1, &patch, &v2);
    delete_round_trip(&f, "proceeding", &f.proceeding);
}

#[test]
fn testimony_round_trip() {
    let f = fixture();
    let v1 = testimony_input(&f.source);
    let corrected = "قالت إن الشرطة أوقفته في المطار فور وصوله، ولم يُسمح له بالاتصال بمحاميه إلا بعد ثلاثة أيام.";
    let patch = json!({ "text": corrected, "date": "2024-03-15", "place": null });
    let v2 = with(&v1, &[("/text", json!(corrected)), ("/date", json!("2024-03-15")), ("/place", Value::Null)]);
    versions_round_trip(&f, "testimony", &f.testimony, &v1, &patch, &v2);
    delete_round_trip(&f, "testimony", &f.testimony);
}

#[test]
fn source_round_trip_and_a_referenced_source_cannot_be_deleted() {
    let f = fixture();
    let v1 = source_input();
    let patch = json!({ "consent": { "publish": true }, "identity": { "contact": null } });
    let v2 = with(&v1, &[("/consent/publish", json!(true)), ("/identity/contact", json!(""))]);
    versions_round_trip(&f, "source", &f.source, &v1, &patch, &v2);

    // The testimony still points at the source: deleting it is refused.
    let before = f.v.state();
    let (code, message) = f.v.fail(&["source", "delete", &f.source, "--yes"]);
    assert_eq!(code, "record.in_use", "{message}");
    assert!(message.contains(&f.testimony), "the message names the testimony: {message}");
    assert_eq!(f.v.state(), before, "a refused delete changes nothing");

    // Once the testimony no longer names it, it can go.
    f.v.json_in(&["testimony", "edit", &f.testimony], &json!({ "source_id": null }));
    delete_round_trip(&f, "source", &f.source);
}

#[test]
fn evidence_round_trip_through_attach() {
    let f = fixture();
    let v1 = json!({
        "attached_to": f.case,
        "file_name": "notice-rouge.pdf",
        "media_type": "application/pdf",
        "size": 200_000,
        "sha256": f.evidence_sha256,
        "acquisition": {
            "by": "R. (field researcher)",
            "on": "2024-03-12",
            "how": "copie remise par l'avocat",
            "from": "Lawyer L-1"
        },
        "description": "Copie de la notice rouge"
    });
    let patch =
        json!({ "description": "Copie de la notice rouge (page 1 sur 2)", "acquisition": { "on": "~2024-03" } });
    let v2 = with(
        &v1,
        &[("/description", json!("Copie de la notice rouge (page 1 sur 2)")), ("/acquisition/on", json!("~2024-03"))],
    );
    versions_round_trip(&f, "evidence", &f.evidence, &v1, &patch, &v2);

    // What was fixed at ingest cannot be edited; evidence is not added by hand.
    let before = f.v.state();
    for frozen in [json!({ "sha256": "0".repeat(64) }), json!({ "size": 1 }), json!({ "attached_to": f.incident })] {
        let (code, message) = f.v.fail_in(&["evidence", "edit", &f.evidence], frozen.to_string().as_bytes());
        assert_eq!(code, "record.invalid", "{frozen}: {message}");
    }
    let (code, _) = f.v.fail_in(&["evidence", "add", "--case", &f.case], v1.to_string().as_bytes());
    assert_eq!(code, "record.evidence_needs_file");
    assert_eq!(f.v.state(), before);

    let file = format!("{}.age", f.evidence);
    assert!(f.v.evidence_files().contains(&file));
    delete_round_trip(&f, "evidence", &f.evidence);
    assert!(!f.v.evidence_files().contains(&file), "deleting evidence removes its encrypted file");
    let (ok, report) = f.v.check();
    assert!(ok, "{report}");
}

#[test]
fn a_record_with_files_attached_cannot_be_deleted() {
    let f = fixture();
    let file = f.v.tmp.path().join("ordre-d-extradition.pdf");
    write_pattern_file(&file, 10_000, 3);
    let ev = f.v.json(&["attach", &f.incident, file.to_str().unwrap()]);
    let before = f.v.state();
    let (code, message) = f.v.fail(&["incident", "delete", &f.incident, "--yes"]);
    assert_eq!(code, "record.in_use", "{message}");
    assert!(message.contains(ev["id"].as_str().unwrap()), "{message}");
    assert_eq!(f.v.state(), before);
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let f = fixture();
    let v = &f.v;
    // A source of the other case, for a testimony that must not point at it.
    let foreign_source = v.add("source", Some(&f.other_case), &json!({ "pseudonym": "Witness N-1" }));
    let records_before = v.all_records();
    let before = v.state();
    let names = json!({ "names": [{ "name": "Youssef Idriss" }] });
    let existing_source = f.source.as_str();

    let missing = "7d1e6a52-6a0c-4d3e-9f43-0d1c0ffee000";
    let cases: Vec<(Vec<&str>, String, &str, &str)> = vec![
        // Not JSON, or not an object.
        (
            vec!["case", "add"],
            r#"{"subject": {"names": [{"name": "Youssef Idriss"}]}"#.into(),
            "record.invalid",
            "not valid JSON",
        ),
        (vec!["case", "add"], "".into(), "record.invalid", "not valid JSON"),
        (vec!["case", "add"], "[1, 2]".into(), "record.invalid", "JSON object"),
        (
            vec!["situation", "add", "--case", &f.case],
            "{'date': '2024-01-01'}".into(),
            "record.invalid",
            "not valid JSON",
        ),
        // Unknown fields, at the top and nested, in an add and in an edit.
        (
            vec!["case", "add"],
            json!({ "subject": names, "nickname": "Abu Y." }).to_string(),
            "record.invalid",
            "unknown field `nickname`",
        ),
        (
            vec!["case", "add"],
            json!({ "subject": { "names": [{ "name": "Youssef Idriss", "script": "latin" }] } }).to_string(),
            "record.invalid",
            "unknown field `script`",
        ),
        (
            vec!["incident", "edit", &f.incident],
            json!({ "victims": 2 }).to_string(),
            "record.invalid",
            "unknown field `victims`",
        ),
        // Impossible dates, exact and approximate, in an add and in an edit.
        (
            vec!["situation", "add", "--case", &f.case],
            json!({ "date": "2023-02-29", "situation": "arrested" }).to_string(),
            "record.invalid",
            "2023-02-29",
        ),
        (
            vec!["proceeding", "add", "--case", &f.case],
            json!({ "kind": "wgad", "filed_on": "2023-02-29" }).to_string(),
            "record.invalid",
            "2023-02-29",
        ),
        (
            vec!["incident", "edit", &f.incident],
            json!({ "date": "~2023-02-29" }).to_string(),
            "record.invalid",
            "2023-02-29",
        ),
        (
            vec!["situation", "edit", &f.situation],
            json!({ "date": "2024-13-01" }).to_string(),
            "record.invalid",
            "2024-13-01",
        ),
        // Unknown country codes.
        (
            vec!["incident", "add", "--case", &f.case],
            json!({ "tactic": "kidnapping", "requesting_state": "UK", "date": "2021" }).to_string(),
            "record.invalid",
            "\"UK\" is not an ISO 3166 country code",
        ),
        (
            vec!["case", "add"],
            json!({ "subject": { "names": [{ "name": "Youssef Idriss" }], "nationalities": ["MA", "UK"] } })
                .to_string(),
            "record.invalid",
            "UK",
        ),
        (
            vec!["case", "edit", &f.case],
            json!({ "subject": { "current_location": { "country": "XX" } } }).to_string(),
            "record.invalid",
            "XX",
        ),
        // Duplicate ids: an id already used, by a record of the same or another kind.
        (
            vec!["source", "add", "--case", &f.case],
            json!({ "id": existing_source, "pseudonym": "Witness K-3" }).to_string(),
            "record.duplicate_id",
            existing_source,
        ),
        (
            vec!["case", "add"],
            json!({ "id": f.testimony, "subject": names }).to_string(),
            "record.duplicate_id",
            &f.testimony,
        ),
        (
            vec!["case", "add"],
            json!({ "id": "not-a-uuid", "subject": names }).to_string(),
            "record.invalid",
            "not a UUID",
        ),
        (vec!["case", "edit", &f.case], json!({ "id": missing }).to_string(), "record.invalid", "cannot be changed"),
        // References to the wrong kind of record, to nothing, or into another case.
        (
            vec!["situation", "add", "--case", &f.testimony],
            json!({ "date": "2024-01-01", "situation": "arrested" }).to_string(),
            "record.wrong_kind",
            "is a testimony, not a case",
        ),
        (
            vec!["situation", "add", "--case", missing],
            json!({ "date": "2024-01-01", "situation": "arrested" }).to_string(),
            "record.bad_reference",
            "does not exist",
        ),
        (
            vec!["testimony", "add", "--case", &f.case],
            json!({ "text": "Il a été interrogé pendant six heures.", "language": "fr", "source_id": foreign_source })
                .to_string(),
            "record.bad_reference",
            "belongs to another case",
        ),
        (
            vec!["testimony", "add", "--case", &f.case],
            json!({ "text": "Il a été interrogé.", "language": "fr", "source_id": f.incident }).to_string(),
            "record.bad_reference",
            "is a incident",
        ),
        (
            vec!["testimony", "edit", &f.testimony],
            json!({ "source_id": foreign_source }).to_string(),
            "record.bad_reference",
            "belongs to another case",
        ),
        (
            vec!["case", "add", "--case", &f.other_case],
            json!({ "subject": names }).to_string(),
            "record.invalid",
            "another case",
        ),
        (
            vec!["situation", "add"],
            json!({ "date": "2024-01-01", "situation": "arrested" }).to_string(),
            "record.invalid",
            "must belong to a case",
        ),
        // Content that types alone cannot refuse.
        (vec!["case", "add"], json!({ "subject": { "names": [] } }).to_string(), "record.invalid", "at least one name"),
        (
            vec!["testimony", "add", "--case", &f.case],
            json!({ "text": "   ", "language": "fr" }).to_string(),
            "record.invalid",
            "must not be empty",
        ),
        (
            vec!["proceeding", "add", "--case", &f.case],
            json!({ "kind": "hrc_complaint", "filed_on": "2024-05-02", "decided_on": "2024-04-01" }).to_string(),
            "record.invalid",
            "before the filing date",
        ),
        (
            vec!["proceeding", "edit", &f.proceeding],
            json!({ "outcome": "rejected" }).to_string(),
            "record.invalid",
            "decision date",
        ),
        (
            vec!["testimony", "add", "--case", &f.case],
            json!({ "text": "Sans langue." }).to_string(),
            "record.invalid",
            "language",
        ),
    ];
    for (args, input, code, says) in &cases {
        let (got, message) = v.fail_in(args, input.as_bytes());
        assert_eq!(&got, code, "{args:?} {input}: {message}");
        assert!(message.contains(says), "{args:?} {input}: the message should say {says:?}: {message}");
        assert_eq!(message.lines().count(), 1, "one sentence: {message}");
        assert_eq!(v.state(), before, "{args:?} {input}: nothing may change (records, versions, audit log)");
    }
    // Attaching to a record that cannot hold files.
    let file = v.tmp.path().join("photo.jpg");
    write_pattern_file(&file, 1000, 1);
    let (code, message) = v.fail(&["attach", &f.source, file.to_str().unwrap()]);
    assert_eq!(code, "record.bad_reference", "{message}");
    assert_eq!(v.state(), before);
    assert_eq!(v.evidence_files().len(), 2, "no encrypted file was left behind");
    assert_eq!(v.all_records(), records_before, "every record of every kind is as it was");

    // A country code in lower case is the same code.
    let id = v.add(
        "incident",
        Some(&f.case),
        &json!({ "tactic": "family_harassment", "requesting_state": "sa", "requested_state": "fr", "date": "2022" }),
    );
    let r = show(v, "incident", &id);
    assert_eq!(
        (r["data"]["requesting_state"].as_str(), r["data"]["requested_state"].as_str()),
        (Some("SA"), Some("FR"))
    );
}

/// `serde_json` keeps only the last of two equal keys, so an input giving
/// `"id"` twice is silently read as the second. The core has
/// `store::parse_json_text`, which refuses it; the CLI's `read_json_stdin`
/// (src/cli/record_cmds.rs) must call it instead of `serde_json::from_str`.
#[test]
fn a_field_given_twice_in_one_object_is_refused() {
    let f = fixture();
    let before = f.v.state();
    let a = "3f1c2b9e-2f4d-4b7a-9a51-6f0e8a3c1d01";
    let b = "3f1c2b9e-2f4d-4b7a-9a51-6f0e8a3c1d02";
    for (args, input) in [
        (
            vec!["testimony", "add", "--case", &f.case],
            format!(r#"{{"id": "{a}", "id": "{b}", "text": "Il a été expulsé.", "language": "fr"}}"#),
        ),
        (vec!["case", "edit", &f.case], r#"{"risk": "low", "risk": "critical"}"#.to_string()),
    ] {
        let (code, message) = f.v.fail_in(&args, input.as_bytes());
        assert_eq!(code, "record.invalid", "{input}: {message}");
        assert!(message.contains("twice"), "{message}");
    }
    assert_eq!(f.v.state(), before);
}

#[test]
fn derived_figures_as_of_a_date() {
    let v = TestVault::new();
    let case = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Youssef Idriss" }] } }));
    for (date, situation) in [
        ("2019-05", "at_liberty"),
        ("2024-01-08", "arrested"),
        ("2024-01-20", "released"),
        ("2024-02-03", "arrested"),
        ("2024-02-05", "detained_pending_extradition"),
    ] {
        v.add("situation", Some(&case), &json!({ "date": date, "situation": situation }));
    }
    let ccf = v.add(
        "proceeding",
        Some(&case),
        &json!({ "kind": "ccf_deletion", "filed_on": "2023-11-15", "deadline": "2024-06-30" }),
    );
    let wgad = v.add(
        "proceeding",
        Some(&case),
        &json!({ "kind": "wgad", "filed_on": "2024-02-10", "deadline": "2024-03-01", "decided_on": "2024-04-25", "outcome": "granted" }),
    );
    let rule39 = v.add(
        "proceeding",
        Some(&case),
        &json!({ "kind": "echr_rule39", "filed_on": "2024-05-18", "deadline": "2024-05-10" }),
    );
    let asylum = v.add("proceeding", Some(&case), &json!({ "kind": "national_asylum", "forum": "OFPRA" }));

    let o = v.json(&["case", "show", &case, "--as-of", "2024-05-20"]);
    assert_eq!(o["current_situation"], "detained_pending_extradition");
    // Custody began with the second arrest (2024-02-03), not the first one.
    assert_eq!(o["days_since_arrest"], 107);
    let figures = |id: &str| {
        let p = o["proceedings"].as_array().unwrap().iter().find(|p| p["record"]["id"] == id).unwrap().clone();
        (p["days_pending"].clone(), p["days_to_deadline"].clone(), p["open"].clone())
    };
    assert_eq!(figures(&ccf), (json!(187), json!(41), json!(true)));
    assert_eq!(
        figures(&wgad),
        (json!(75), Value::Null, json!(false)),
        "decided: pending until the decision, no deadline"
    );
    assert_eq!(figures(&rule39), (json!(2), json!(-10), json!(true)));
    assert_eq!(figures(&asylum), (Value::Null, Value::Null, json!(true)));
    assert_eq!(o["situations"].as_array().unwrap().len(), 5);
    assert_eq!(o["situations"][0]["data"]["date"], "2019-05", "situations oldest first");

    // Another day, other figures; a release ends the count.
    let o = v.json(&["case", "show", &case, "--as-of", "2025-01-01"]);
    assert_eq!(o["days_since_arrest"], 333);
    v.add("situation", Some(&case), &json!({ "date": "2024-06-01", "situation": "released" }));
    let o = v.json(&["case", "show", &case, "--as-of", "2024-06-02"]);
    assert_eq!(o["current_situation"], "released");
    assert_eq!(o["days_since_arrest"], Value::Null);
    let err = assert_failure(&v.run(&["case", "show", &case, "--as-of", "2023-02-29"]));
    assert!(err.contains("2023-02-29"), "an impossible --as-of date is refused: {err}");
}

#[test]
fn urgent_lists_overdue_then_near_deadlines_then_people_in_custody() {
    let v = TestVault::new();
    let case = |name: &str| v.add("case", None, &json!({ "subject": { "names": [{ "name": name }] } }));
    let proceeding = |case: &str, extra: Value| {
        let mut p = json!({ "kind": "un_special_procedures", "filed_on": "2024-01-02" });
        merged_into(&mut p, &extra);
        v.add("proceeding", Some(case), &p)
    };
    let situation =
        |case: &str, date: &str, s: &str| v.add("situation", Some(case), &json!({ "date": date, "situation": s }));

    let nasser = case("Fatima Nasser");
    let overdue_19 = proceeding(&nasser, json!({ "deadline": "2024-05-01" }));
    let chaouki = case("Abdallah Chaouki");
    let overdue_40 = proceeding(&chaouki, json!({ "deadline": "2024-04-10" }));
    let benomar = case("Khaled Benomar");
    let near_5 = proceeding(&benomar, json!({ "deadline": "2024-05-25" }));
    let today = proceeding(&benomar, json!({ "kind": "cat_complaint", "deadline": "2024-05-20" }));
    let saleh = case("Nadia Saleh");
    let near_21 = proceeding(&saleh, json!({ "deadline": "2024-06-10" }));
    // Decided proceedings and proceedings without a deadline are never urgent.
    let tarek = case("Hassan Tarek");
    proceeding(&tarek, json!({ "deadline": "2024-04-01", "decided_on": "2024-03-30", "outcome": "rejected" }));
    proceeding(&tarek, json!({ "kind": "national_court" }));
    // People in custody: longest first, detained pending extradition before arrested.
    let idriss = case("Youssef Idriss");
    situation(&idriss, "2024-02-03", "arrested");
    let idriss_detained = situation(&idriss, "2024-02-05", "detained_pending_extradition");
    let yusuf = case("Amina Yusuf");
    let yusuf_detained = situation(&yusuf, "2024-05-01", "detained_pending_extradition");
    let zaidi = case("Karim Zaidi");
    let zaidi_arrested = situation(&zaidi, "2024-05-15", "arrested");
    // Released, deported and extradited people are not in custody.
    let mansour = case("Leila Mansour");
    situation(&mansour, "2024-01-10", "detained_pending_extradition");
    situation(&mansour, "2024-03-01", "released");
    let rahal = case("Sami Rahal");
    situation(&rahal, "2024-04-01", "arrested");
    situation(&rahal, "2024-04-20", "deported");

    let urgent = |extra: &[&str]| -> Vec<(String, String, Value)> {
        let mut args = vec!["urgent", "--as-of", "2024-05-20"];
        args.extend(extra);
        v.json(&args)
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let n =
                    ["days_overdue", "days_left", "days_since_arrest"].iter().find_map(|k| i.get(*k)).unwrap().clone();
                (i["record_id"].as_str().unwrap().to_string(), i["reason"].as_str().unwrap().to_string(), n)
            })
            .collect()
    };
    let item = |id: &str, reason: &str, n: i64| (id.to_string(), reason.to_string(), json!(n));
    let expected_default = vec![
        item(&overdue_40, "deadline_passed", 40),
        item(&overdue_19, "deadline_passed", 19),
        item(&today, "deadline_near", 0),
        item(&near_5, "deadline_near", 5),
        item(&idriss_detained, "in_custody", 107),
        item(&yusuf_detained, "in_custody", 19),
        item(&zaidi_arrested, "in_custody", 5),
    ];
    assert_eq!(urgent(&[]), expected_default, "default: deadlines within 14 days");
    let mut with_21 = expected_default.clone();
    with_21.insert(4, item(&near_21, "deadline_near", 21));
    assert_eq!(urgent(&["--within-days", "21"]), with_21, "--within-days 21 includes a deadline 21 days away");
    assert_eq!(urgent(&["--within-days", "20"]), expected_default);
    let mut none_near = expected_default.clone();
    none_near.retain(|i| i.0 != near_5);
    assert_eq!(urgent(&["--within-days", "0"]), none_near, "--within-days 0: only today's deadline is near");
    // Each item names its case.
    let first = &v.json(&["urgent", "--as-of", "2024-05-20"])[0];
    assert_eq!(first["case_id"], chaouki.as_str());
    assert!(first["case_label"].as_str().unwrap().contains("Abdallah Chaouki"));
    // Deciding the most overdue proceeding takes it off the list.
    v.json_in(&["proceeding", "edit", &overdue_40], &json!({ "decided_on": "2024-05-02", "outcome": "granted" }));
    assert_eq!(urgent(&[])[0], item(&overdue_19, "deadline_passed", 19));
}

/// RFC 7386 merge of `patch` into `target` (for building test inputs).
fn merged_into(target: &mut Value, patch: &Value) {
    if let (Some(t), Some(p)) = (target.as_object_mut(), patch.as_object()) {
        for (k, v) in p {
            t.insert(k.clone(), v.clone());
        }
    }
}

#[test]
fn timeline_is_in_date_order_with_approximate_dates() {
    let f = fixture();
    let t = f.v.json(&["timeline", &f.case]);
    let entries: Vec<(String, String, String)> = t
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["date"].as_str().unwrap().to_string(),
                e["what"].as_str().unwrap().to_string(),
                e["record_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let dates: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        dates,
        [
            "~1984-06",
            "~2022",
            "2024-03",
            "2024-03-10",
            "2024-03-10",
            "2024-03-12",
            "2024-03-14",
            "2024-03-20",
            "2024-03-20",
            "2024-07-15"
        ],
        "{entries:#?}"
    );
    let mut facts: Vec<(&str, &str)> = entries.iter().map(|e| (e.0.as_str(), e.1.as_str())).collect();
    facts.sort();
    let mut expected = vec![
        ("~1984-06", "born"),
        ("~2022", "INTERPOL red notice issued"),
        ("2024-03", "incident: extradition proceedings"),
        ("2024-03-10", "INTERPOL red notice learnt of"),
        ("2024-03-10", "situation: arrested"),
        ("2024-03-12", "file acquired: notice-rouge.pdf"),
        ("2024-03-14", "testimony recorded [ar]"),
        ("2024-03-20", "CCF deletion filed"),
        ("2024-03-20", "CCF deletion interim measures requested"),
        ("2024-07-15", "CCF deletion deadline"),
    ];
    expected.sort();
    assert_eq!(facts, expected);
    let born = entries.iter().find(|e| e.1 == "born").unwrap();
    assert_eq!(born.2, f.case, "each entry names its record");

    // An approximate year sorts by its first day, before an exact date that year.
    f.v.add("situation", Some(&f.case), &json!({ "date": "~2024", "situation": "in_exile" }));
    let t = f.v.json(&["timeline", &f.case]);
    let dates: Vec<&str> = t.as_array().unwrap().iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert_eq!(&dates[2..4], ["~2024", "2024-03"]);
    assert_eq!(f.v.fail(&["timeline", &f.testimony]).0, "record.wrong_kind");
}

#[test]
fn schema_covers_every_kind_and_matches_what_is_stored() {
    let f = fixture();
    let schema = f.v.json(&["schema"]);
    let records = schema["records"].as_object().unwrap();
    let mut kinds: Vec<&str> = records.keys().map(String::as_str).collect();
    kinds.sort();
    let mut all = KINDS.to_vec();
    all.sort();
    assert_eq!(kinds, all);
    let ids = [
        ("case", &f.case),
        ("situation", &f.situation),
        ("incident", &f.incident),
        ("instrument", &f.instrument),
        ("proceeding", &f.proceeding),
        ("testimony", &f.testimony),
        ("source", &f.source),
        ("evidence", &f.evidence),
    ];
    for (kind, id) in ids {
        let s = &records[kind];
        assert!(s["$schema"].as_str().unwrap().contains("json-schema.org"), "{kind}");
        assert_eq!(s["type"], "object", "{kind}");
        assert_eq!(s["additionalProperties"], false, "{kind}: unknown fields are refused, the schema says so");
        let mut props: Vec<&String> = s["properties"].as_object().unwrap().keys().collect();
        props.sort();
        let data = show(&f.v, kind, id)["data"].clone();
        let mut fields: Vec<&String> = data.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(props, fields, "{kind}: the schema's properties are the stored fields");
        for required in s["required"].as_array().unwrap() {
            assert!(data.get(required.as_str().unwrap()).is_some(), "{kind}: {required}");
        }
    }
    assert_eq!(records["case"]["required"], json!(["subject"]));
    assert_eq!(records["incident"]["required"], json!(["tactic", "requesting_state", "date"]));
}

#[test]
fn committed_schema_file_is_up_to_date() {
    let v = TestVault::empty();
    let out = v.cmd(&["schema"]).output().unwrap();
    assert_success(&out);
    let path = common::checkout().join("docs/records.schema.json");
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == out.stdout,
        "docs/records.schema.json is stale (or missing): it must be exactly what `amana schema` prints.\n\
         Regenerate it with:\n    cargo run --quiet -- schema > docs/records.schema.json\nand commit it."
    );
}

/// Fields a sender controls are bounded and cannot hide or reorder text: a
/// 2 MB title, a NUL, an escape sequence or a bidi override is refused with a
/// sentence naming the field, on add and on edit, and nothing is written.
#[test]
fn oversized_fields_and_hidden_characters_are_refused_and_change_nothing() {
    let v = TestVault::new();
    let case = v.add(
        "case",
        None,
        &json!({ "title": "Travel ban on S. B.", "subject": { "names": [{ "name": "Samir Bakri" }] } }),
    );
    let before = v.state();
    let names = json!({ "names": [{ "name": "Samir Bakri" }] });
    let huge = "x".repeat(2 << 20);
    let cases: Vec<(Vec<&str>, Value, &str)> = vec![
        (
            vec!["case", "add"],
            json!({ "title": huge, "subject": names }),
            "the field title is too long: 2097152 characters, the limit is 200",
        ),
        (
            vec!["case", "edit", &case],
            json!({ "title": huge }),
            "the field title is too long: 2097152 characters, the limit is 200",
        ),
        (
            vec!["case", "add"],
            json!({ "title": "Samir\u{0}B.", "subject": names }),
            "the field title contains the control character U+0000",
        ),
        (
            vec!["case", "edit", &case],
            json!({ "title": "\u{0}" }),
            "the field title contains the control character U+0000",
        ),
        (
            vec!["case", "add"],
            json!({ "subject": { "names": [{ "name": "Samir Bakri" }, { "name": "\u{1b}[2JSamir" }] } }),
            "the field subject.names[1].name contains the control character U+001B",
        ),
        (
            vec!["case", "add"],
            json!({ "subject": { "names": [{ "name": "Samir Bakri\u{202E}" }] } }),
            "the field subject.names[0].name contains the bidi embedding or override U+202E",
        ),
        (
            vec!["testimony", "add", "--case", &case],
            json!({ "text": "y".repeat(500_001), "language": "fr" }),
            "the field text is too long: 500001 characters, the limit is 500000",
        ),
        (
            vec!["source", "add", "--case", &case],
            json!({ "pseudonym": "Witness\r S-1" }),
            "the field pseudonym contains the control character U+000D",
        ),
    ];
    for (args, input, expected) in cases {
        let (code, message) = v.fail_in(&args, input.to_string().as_bytes());
        assert_eq!(code, "record.invalid", "{args:?}: {message}");
        assert!(message.contains(expected), "{args:?}: {message}");
        assert!(!message.contains("xxxxxxxx") && !message.contains('\u{0}'), "the value is not echoed: {args:?}");
    }
    assert_eq!(v.state(), before, "a refused record leaves nothing behind");
    // Line breaks and tabs are text, and so is a long testimony.
    v.add("testimony", Some(&case), &json!({ "text": format!("{}\n\tfin", "mot ".repeat(100_000)), "language": "fr" }));
}

/// A file attached under a hostile name is recorded under a safe base name:
/// no control character, no bidi override hiding the real extension.
#[test]
fn attaching_a_file_keeps_only_a_safe_file_name() {
    let v = TestVault::new();
    let case = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Rania Saad" }] } }));
    for (on_disk, stored) in [
        ("report\u{202E}fdp.exe", "reportfdp.exe"),
        ("\u{1b}[2Jminutes.txt", "[2Jminutes.txt"),
        (".hidden-copy.pdf", "hidden-copy.pdf"),
        ("محضر الجلسة.pdf", "محضر الجلسة.pdf"),
    ] {
        let file = v.tmp.path().join(on_disk);
        write_pattern_file(&file, 1_000, 3);
        let ev = v.json(&["attach", &case, file.to_str().unwrap()]);
        let data = show(&v, "evidence", ev["id"].as_str().unwrap());
        assert_eq!(data["data"]["file_name"], stored, "{on_disk:?}");
    }
}
