//! Reports through the real CLI on a real vault: every statistic computed on a
//! fixture with known answers (medians, flows, pending durations as of a fixed
//! day, hand-overs despite interim measures, detention), the publishable report's
//! small-cell and complementary suppression, the filters, CSV; and every draft
//! in every language rendered to PDF, read back with pdftotext (Arabic included)
//! and rasterised with pdftoppm, with the source's identity only where consent
//! allows, the Markdown saying the same, and the writing audited.
//! Every person named here is fictional.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use serde_json::{json, Value};

const AS_OF: &str = "2025-06-30";

struct Fixture {
    v: TestVault,
    /// The case the drafts are made of (C3).
    case: String,
}

fn add(v: &TestVault, kind: &str, case: Option<&str>, data: Value) -> String {
    let mut args = vec![kind, "add"];
    if let Some(c) = case {
        args.extend(["--case", c]);
    }
    v.json_in(&args, &data)["id"].as_str().unwrap().to_string()
}

fn case(v: &TestVault, name: &str, profiles: &[&str], tags: &[&str]) -> String {
    add(
        v,
        "case",
        None,
        json!({ "title": format!("Case of {name}"), "tags": tags, "subject": { "names": [{ "name": name }], "profiles": profiles } }),
    )
}

fn incident(v: &TestVault, c: &str, tactic: &str, from: &str, to: Option<&str>, date: &str) {
    let mut d = json!({ "tactic": tactic, "requesting_state": from, "date": date });
    if let Some(t) = to {
        d["requested_state"] = json!(t);
    }
    add(v, "incident", Some(c), d);
}

fn situation(v: &TestVault, c: &str, date: &str, s: &str) {
    add(v, "situation", Some(c), json!({ "date": date, "situation": s }));
}

fn proceeding(v: &TestVault, c: &str, data: Value) {
    add(v, "proceeding", Some(c), data);
}

/// Nine cases with hand-computed answers (see each assertion).
fn fixture() -> Fixture {
    let v = TestVault::new();
    // C1: SA -> TR, 2019; custody 90 days; CCF deletion decided after 241 days.
    let c1 = case(&v, "Idris Talabani", &["journalist"], &["red notice"]);
    incident(&v, &c1, "extradition_proceedings", "SA", Some("TR"), "2019-05-10");
    situation(&v, &c1, "2019-05-10", "arrested");
    situation(&v, &c1, "2019-08-08", "released");
    proceeding(
        &v,
        &c1,
        json!({ "kind": "ccf_deletion", "filed_on": "2019-06-01", "decided_on": "2020-01-28", "outcome": "granted" }),
    );
    // C2: SA -> TR, 2020; custody 90 days then extradited despite Rule 39; CCF access 150 days.
    let c2 = case(&v, "Samir Qasim", &["human_rights_defender"], &["red notice"]);
    incident(&v, &c2, "extradition_proceedings", "SA", Some("TR"), "2020-02-01");
    situation(&v, &c2, "2020-02-01", "arrested");
    situation(&v, &c2, "2020-02-03", "detained_pending_extradition");
    situation(&v, &c2, "2020-05-01", "extradited");
    proceeding(
        &v,
        &c2,
        json!({ "kind": "ccf_access", "filed_on": "2020-03-01", "decided_on": "2020-07-29", "outcome": "granted" }),
    );
    proceeding(
        &v,
        &c2,
        json!({ "kind": "echr_rule39", "filed_on": "2020-03-10", "interim_measures": { "requested_on": "2020-03-10", "granted_on": "2020-03-15" } }),
    );
    // C3: SA -> LB, 2021; in custody since 2021-03-03; CCF deletion pending; CAT interim measures.
    let c3 = add(
        &v,
        "case",
        None,
        json!({
            "title": "Detention of Y. H. in Lebanon",
            "tags": ["red notice", "AIMC"],
            "summary": "Journalist arrested at Beirut airport on a red notice requested by Saudi Arabia.",
            "private_notes": "PRIVATE-NOTE-CANARY: never in a draft.",
            "subject": {
                "names": [
                    { "name": "Yusuf al-Harbi", "kind": "primary" },
                    { "name": "يوسف الحربي", "kind": "native_script" },
                    { "name": "Youssef Harbi", "kind": "transliteration" }
                ],
                "nationalities": ["SA"],
                "profiles": ["dissident", "journalist"],
                "current_location": { "country": "LB", "locality": "Roumieh prison" },
                "born": "~1988"
            }
        }),
    );
    add(
        &v,
        "incident",
        Some(&c3),
        json!({ "tactic": "extradition_proceedings", "requesting_state": "SA", "requested_state": "LB", "date": "2021-03-03",
                "description": "Arrested at Beirut airport on arrival from Paris." }),
    );
    situation(&v, &c3, "2021-03-03", "arrested");
    add(
        &v,
        "instrument",
        Some(&c3),
        json!({ "kind": "interpol_red_notice", "issuing_state": "SA", "reference": "2021/17455-1", "issued_on": "2021-01", "status": "active" }),
    );
    proceeding(&v, &c3, json!({ "kind": "ccf_deletion", "filed_on": "2021-04-01" }));
    proceeding(
        &v,
        &c3,
        json!({ "kind": "cat_complaint", "filed_on": "2021-03-10", "interim_measures": { "requested_on": "2021-03-10", "granted_on": "2021-03-20" } }),
    );
    let witness_k = add(
        &v,
        "source",
        Some(&c3),
        json!({ "pseudonym": "Witness K", "relation": "relative",
                "consent": { "share_with_lawyers": true, "share_with_un": false, "publish": false },
                "identity": { "full_name": "Mariam Haddad", "contact": "+000 0000" } }),
    );
    let witness_l = add(
        &v,
        "source",
        Some(&c3),
        json!({ "pseudonym": "Witness L", "relation": "witness",
                "consent": { "share_with_lawyers": true, "share_with_un": true, "publish": false },
                "identity": { "full_name": "Karim Nassar" } }),
    );
    add(
        &v,
        "testimony",
        Some(&c3),
        json!({ "text": "اعتقل يوسف في مطار بيروت يوم 3 آذار 2021 بناء على نشرة حمراء.", "language": "ar", "date": "2021-03-05", "source_id": witness_k }),
    );
    add(
        &v,
        "testimony",
        Some(&c3),
        json!({ "text": "I saw him taken away by airport police.", "language": "en", "date": "2021-03-06", "source_id": witness_l }),
    );
    // C4: SA -> TR extradition 2022-06-01 and kidnapping 2022-07-01; no situation.
    let c4 = case(&v, "Hana Saleh", &["journalist"], &[]);
    incident(&v, &c4, "extradition_proceedings", "SA", Some("TR"), "2022-06-01");
    incident(&v, &c4, "kidnapping", "SA", None, "2022-07-01");
    // C5: SA -> LB deportation 2023; 30 days in custody; deported despite HRC interim measures.
    let c5 = case(&v, "Omar Fadel", &["asylum_seeker"], &["AIMC"]);
    incident(&v, &c5, "deportation", "SA", Some("LB"), "2023-01-15");
    situation(&v, &c5, "2023-01-15", "arrested");
    situation(&v, &c5, "2023-02-14", "deported");
    proceeding(
        &v,
        &c5,
        json!({ "kind": "hrc_complaint", "filed_on": "2023-01-16",
                "interim_measures": { "requested_on": "2023-01-16", "granted_on": "2023-01-20", "respected": false } }),
    );
    // C6: SA family harassment 2024.
    let c6 = case(&v, "Lina Mansour", &["dissident"], &[]);
    incident(&v, &c6, "family_harassment", "SA", None, "2024-04-04");
    // C7: EG -> FR 2019; CCF correction decided after 360 days.
    let c7 = case(&v, "Tarek Aziz", &["human_rights_defender"], &[]);
    incident(&v, &c7, "extradition_proceedings", "EG", Some("FR"), "2019-11-11");
    proceeding(
        &v,
        &c7,
        json!({ "kind": "ccf_correction", "filed_on": "2020-01-01", "decided_on": "2020-12-26", "outcome": "partly_granted" }),
    );
    // C8: EG prosecution in absentia 2021; CCF deletion pending since 2024-01-01.
    let c8 = case(&v, "Nadia Farouk", &["protester"], &[]);
    incident(&v, &c8, "prosecution_in_absentia", "EG", None, "2021-09-09");
    proceeding(&v, &c8, json!({ "kind": "ccf_deletion", "filed_on": "2024-01-01" }));
    // C9: EG -> TR 2023; 10 days in custody.
    let c9 = case(&v, "Ali Mahmoud", &["protester"], &[]);
    incident(&v, &c9, "extradition_proceedings", "EG", Some("TR"), "2023-05-05");
    situation(&v, &c9, "2023-05-05", "arrested");
    situation(&v, &c9, "2023-05-15", "released");
    Fixture { v, case: c3 }
}

fn counts(v: &Value) -> Vec<(String, u64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap().to_string(), c["count"].as_u64().unwrap()))
        .collect()
}

fn kv(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

fn days(v: &Value) -> Vec<i64> {
    v.as_array().unwrap().iter().map(|d| d.as_i64().unwrap()).collect()
}

fn buckets(v: &Value) -> Vec<u64> {
    v.as_array().unwrap().iter().map(|b| b["count"].as_u64().unwrap()).collect()
}

#[test]
fn every_statistic_has_its_known_value() {
    let f = fixture();
    let s = f.v.json(&["stats", "--as-of", AS_OF]);
    assert_eq!(s["as_of"], AS_OF);
    assert_eq!(s["totals"], json!({ "cases": 9, "incidents": 10, "proceedings": 8, "ccf_requests": 5 }));
    assert_eq!(counts(&s["by_requesting_state"]), kv(&[("SA", 6), ("EG", 3)]));
    assert_eq!(counts(&s["by_requested_state"]), kv(&[("TR", 4), ("LB", 2), ("FR", 1)]));
    assert_eq!(
        counts(&s["by_tactic"]),
        kv(&[
            ("extradition_proceedings", 6),
            ("deportation", 1),
            ("family_harassment", 1),
            ("kidnapping", 1),
            ("prosecution_in_absentia", 1)
        ])
    );
    assert_eq!(
        counts(&s["by_year"]),
        kv(&[("2019", 2), ("2020", 1), ("2021", 2), ("2022", 1), ("2023", 2), ("2024", 1)])
    );
    assert_eq!(
        counts(&s["by_profile"]),
        kv(&[
            ("journalist", 3),
            ("dissident", 2),
            ("human_rights_defender", 2),
            ("protester", 2),
            ("asylum_seeker", 1)
        ])
    );
    assert_eq!(
        counts(&s["by_current_situation"]),
        kv(&[("unknown", 4), ("released", 2), ("arrested", 1), ("deported", 1), ("extradited", 1)])
    );
    assert_eq!(counts(&s["by_outcome"]), kv(&[("pending", 5), ("granted", 2), ("partly_granted", 1)]));
    assert_eq!(
        counts(&s["by_proceeding_kind"]),
        kv(&[
            ("ccf_deletion", 3),
            ("cat_complaint", 1),
            ("ccf_access", 1),
            ("ccf_correction", 1),
            ("echr_rule39", 1),
            ("hrc_complaint", 1)
        ])
    );
    assert_eq!(
        s["flows"],
        json!([
            { "source": "SA", "target": "TR", "count": 3 },
            { "source": "SA", "target": "LB", "count": 2 },
            { "source": "EG", "target": "FR", "count": 1 },
            { "source": "EG", "target": "TR", "count": 1 }
        ])
    );

    // CCF: decided after 241 (C1), 150 (C2) and 360 (C7) days; pending since
    // 2021-04-01 (1551 days on 2025-06-30) and 2024-01-01 (546 days).
    let ccf = &s["ccf"];
    assert_eq!(ccf["kind"], "all");
    assert_eq!(ccf["requests"], 5);
    assert_eq!(ccf["undated"], 0);
    assert_eq!(days(&ccf["decided"]["days"]), [150, 241, 360]);
    assert_eq!(ccf["decided"]["median_days"], 241.0);
    assert_eq!(ccf["decided"]["max_days"], 360);
    assert_eq!(buckets(&ccf["decided"]["buckets"]), [0, 1, 2, 0, 0]);
    assert_eq!(
        ccf["decided"]["buckets"].as_array().unwrap().iter().map(|b| b["key"].as_str().unwrap()).collect::<Vec<_>>(),
        ["0-90", "91-180", "181-365", "366-730", "731+"]
    );
    assert_eq!(days(&ccf["pending"]["days"]), [546, 1551]);
    assert_eq!(ccf["pending"]["median_days"], 1048.5);
    assert_eq!(ccf["pending"]["max_days"], 1551);
    assert_eq!(buckets(&ccf["pending"]["buckets"]), [0, 0, 0, 1, 1]);
    assert_eq!(counts(&ccf["outcomes"]), kv(&[("granted", 2), ("partly_granted", 1)]));
    let by_type: Vec<(String, u64, Vec<i64>, Vec<i64>)> = s["ccf_by_type"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_string(),
                t["requests"].as_u64().unwrap(),
                days(&t["decided"]["days"]),
                days(&t["pending"]["days"]),
            )
        })
        .collect();
    assert_eq!(
        by_type,
        [
            ("ccf_access".to_string(), 1, vec![150], vec![]),
            ("ccf_correction".to_string(), 1, vec![360], vec![]),
            ("ccf_deletion".to_string(), 3, vec![241], vec![546, 1551]),
        ]
    );
    assert_eq!(s["ccf_by_type"][2]["pending"]["median_days"], 1048.5);

    // Interim measures in C2 (ECHR), C3 (CAT), C5 (HRC); C2 extradited after
    // the grant, C5 deported and recorded as not respected; C3 still detained.
    let im = &s["interim_measures"];
    assert_eq!(im["requested"], 3);
    assert_eq!(im["granted"], 3);
    assert_eq!(im["handed_over_despite"], 2);
    assert_eq!(counts(&im["by_body"]), kv(&[("echr", 1), ("un", 1)]));
    assert_eq!(counts(&im["by_situation"]), kv(&[("deported", 1), ("extradited", 1)]));
    assert_eq!(im["cases"].as_array().unwrap().len(), 2);

    // Detention: 90 (C1), 90 (C2), 30 (C5), 10 (C9) days; C3 since 2021-03-03.
    let d = &s["detention"];
    assert_eq!(days(&d["ended"]["days"]), [10, 30, 90, 90]);
    assert_eq!(d["ended"]["median_days"], 60.0);
    assert_eq!(buckets(&d["ended"]["buckets"]), [2, 2, 0, 0, 0]);
    assert_eq!(days(&d["ongoing"]["days"]), [1580]);
    assert_eq!(d["ongoing"]["median_days"], 1580.0);
}

#[test]
fn the_period_and_tag_filters_choose_cases_and_a_bad_period_is_refused() {
    let f = fixture();
    // Incidents in 2021-2022: C3 (2021-03-03), C4 (2022), C8 (2021-09-09).
    let s = f.v.json(&["stats", "--as-of", AS_OF, "--from", "2021-01-01", "--to", "2022-12-31"]);
    assert_eq!(s["totals"]["cases"], 3);
    assert_eq!(counts(&s["by_year"]), kv(&[("2021", 2), ("2022", 1)]));
    assert_eq!(counts(&s["by_requesting_state"]), kv(&[("SA", 2), ("EG", 1)]));
    assert_eq!(s["filter"]["from"], "2021-01-01");
    // A year-only date counts if any of its days is in the period: none here.
    let s = f.v.json(&["stats", "--as-of", AS_OF, "--from", "2024-04-05"]);
    assert_eq!(s["totals"]["cases"], 0);
    // Tags, ignoring case; several must all be present.
    let s = f.v.json(&["stats", "--as-of", AS_OF, "--tag", "Red Notice"]);
    assert_eq!(s["totals"]["cases"], 3);
    let s = f.v.json(&["stats", "--as-of", AS_OF, "--tag", "red notice", "--tag", "aimc"]);
    assert_eq!(s["totals"]["cases"], 1);
    assert_eq!(days(&s["detention"]["ongoing"]["days"]), [1580]);

    let err = assert_failure(&f.v.run(&["stats", "--from", "2022-01-01", "--to", "2021-01-01", "--json"]));
    assert!(err.contains("report.bad_period"), "{err}");
}

fn figure(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("count") => o["count"].to_string(),
        Value::Object(o) if o.contains_key("fewer_than") => format!("<{}", o["fewer_than"]),
        other => panic!("not a figure: {other}"),
    }
}

fn table(t: &Value) -> Vec<(String, String)> {
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_string(), figure(&r["value"])))
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn the_publishable_report_hides_small_cells_and_what_would_reveal_them() {
    let f = fixture();
    let p = f.v.json(&["stats", "--publishable", "--as-of", AS_OF]);
    let text = p.to_string();
    // Aggregate only: no name, no source, no record id, no individual duration.
    for secret in ["Yusuf", "يوسف", "Mariam", "Karim", "Witness", &f.case, "1551", "1580"] {
        assert!(!text.contains(secret), "{secret} in the publishable report");
    }
    assert_eq!(p["threshold"], 5);
    assert_eq!(figure(&p["cases"]), "9");
    // EG has 3 cases: shown as "fewer than 5". Each case has one requesting
    // state, so 9 - 6 would give it away: SA is hidden too.
    assert_eq!(table(&p["by_requesting_state"]), pairs(&[("SA", "suppressed"), ("EG", "<5")]));
    assert!(p["by_requesting_state"]["each_once"].as_bool().unwrap());
    // A case can count under several tactics (27 + 3 != 27): no subtraction
    // reveals a cell, so the large one stays.
    assert!(!p["by_tactic"]["each_once"].as_bool().unwrap());
    assert_eq!(
        table(&p["by_tactic"]),
        pairs(&[
            ("extradition_proceedings", "6"),
            ("deportation", "<5"),
            ("family_harassment", "<5"),
            ("kidnapping", "<5"),
            ("prosecution_in_absentia", "<5")
        ])
    );
    // Proceedings 8 = pending 5 + granted 2 + partly granted 1: the two small
    // ones add up to 3 (< 5), so pending is hidden as well.
    assert_eq!(figure(&p["proceedings"]), "8");
    assert_eq!(
        table(&p["by_outcome"]),
        pairs(&[("pending", "suppressed"), ("granted", "<5"), ("partly_granted", "<5")])
    );
    // Nothing published adds up to anything that isolates a hidden cell: in
    // every table that adds up to its total, hidden cells are 0 or at least 2
    // and (with the total shown) add up to at least 5.
    for name in ["by_requesting_state", "by_year", "by_current_situation", "by_outcome"] {
        let rows = table(&p[name]);
        let hidden = rows.iter().filter(|(_, v)| v == "<5" || v == "suppressed").count();
        assert!(hidden == 0 || hidden >= 2, "{name}: {rows:?}");
    }
    assert!(table(&p["by_year"]).iter().all(|(_, v)| v == "<5"));
    // Small totals hide their whole table and the medians over fewer than 5.
    assert_eq!(figure(&p["ccf"]["decided"]["count"]), "<5");
    assert!(p["ccf"]["decided"]["median_days"].is_null());
    assert!(p["ccf"]["decided"]["distribution"]["suppressed"].as_bool().unwrap());
    assert_eq!(figure(&p["interim_measures"]["handed_over_despite"]), "<5");
    assert!(p["interim_measures"]["by_body"]["suppressed"].as_bool().unwrap());
    assert!(p["flows"].as_array().unwrap().iter().all(|f| figure(&f["value"]) == "<5"));

    // With N = 3: EG (3) is shown, so nothing needs SA hidden; decided (3) +
    // pending (2) = 5 requests: the pending 2 takes decided with it, and the
    // distribution of the decided goes with its total; the median of 3 stays.
    let p = f.v.json(&["stats", "--publishable", "--threshold", "3", "--as-of", AS_OF]);
    assert_eq!(table(&p["by_requesting_state"]), pairs(&[("SA", "6"), ("EG", "3")]));
    assert_eq!(table(&p["by_outcome"]), pairs(&[("pending", "5"), ("granted", "<3"), ("partly_granted", "<3")]));
    assert_eq!(figure(&p["ccf"]["requests"]), "5");
    assert_eq!(figure(&p["ccf"]["pending"]["count"]), "<3");
    assert_eq!(figure(&p["ccf"]["decided"]["count"]), "suppressed");
    assert!(p["ccf"]["decided"]["distribution"]["suppressed"].as_bool().unwrap());
    assert_eq!(p["ccf"]["decided"]["median_days"], 241.0);

    // The table and CSV say the same.
    let out = f.v.run(&["stats", "--publishable", "--as-of", AS_OF]);
    assert_success(&out);
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(human.contains("fewer than 5"), "{human}");
    assert!(human.contains("EG Egypt"), "{human}");
    let out = f.v.run(&["stats", "--publishable", "--csv", "--as-of", AS_OF]);
    assert_success(&out);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("table,key,target,value\r\n"), "{csv}");
    assert!(csv.contains("by_requesting_state,EG,,<5\r\n"), "{csv}");
    assert!(csv.contains("by_requesting_state,SA,,suppressed\r\n"), "{csv}");
    assert!(csv.contains("totals,cases,,9\r\n"), "{csv}");

    for bad in ["1", "101"] {
        let err = assert_failure(&f.v.run(&["stats", "--publishable", "--threshold", bad, "--json"]));
        assert!(err.contains("report.bad_threshold"), "{err}");
    }
}

#[test]
fn the_csv_export_has_every_table() {
    let f = fixture();
    let out = f.v.run(&["stats", "--csv", "--as-of", AS_OF]);
    assert_success(&out);
    let csv = String::from_utf8(out.stdout).unwrap();
    for line in [
        "totals,cases,,9",
        "by_requesting_state,SA,,6",
        "flows,SA,TR,3",
        "flows,EG,FR,1",
        "by_year,2019,,2",
        "ccf_requests,all,median_days_to_decision,241",
        "ccf_requests,ccf_deletion,median_days_pending,1048.5",
        "ccf_requests,ccf_deletion,max_days_pending,1551",
        "ccf_days_to_decision,181-365,,2",
        "interim_measures,handed_over_despite,,2",
        "handed_over_despite_by_body,echr,,1",
        "detention_ended_days,median,,60",
        "detention_ongoing_days,max,,1580",
    ] {
        assert!(csv.contains(&format!("{line}\r\n")), "missing {line} in\n{csv}");
    }
    assert!(csv.lines().all(|l| l.split(',').count() == 4), "{csv}");
}

/// Removes the bidi controls pdftotext adds and folds whitespace.
fn normalise(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .collect();
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed on {}", pdf.display());
    normalise(&String::from_utf8(out.stdout).unwrap())
}

/// The first page as a grey image: (width, height, pixels).
fn raster(pdf: &Path, dir: &Path, png: bool) -> (usize, usize, Vec<u8>) {
    let stem = dir.join("page");
    let mut args = vec!["-r", "50", "-f", "1", "-l", "1", "-singlefile"];
    args.push(if png { "-png" } else { "-gray" });
    let out = Command::new("pdftoppm").args(&args).arg(pdf).arg(&stem).output().expect("pdftoppm is installed");
    assert!(out.status.success(), "pdftoppm failed: {}", String::from_utf8_lossy(&out.stderr));
    if png {
        let bytes = std::fs::read(stem.with_extension("png")).unwrap();
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
        return (0, 0, Vec::new());
    }
    let bytes = std::fs::read(stem.with_extension("pgm")).unwrap();
    // P5 <w> <h> 255 <pixels>
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(bytes[start..i].to_vec()).unwrap());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[i + 1..].to_vec())
}

/// The most common right (or left) edge of the ink over the rows that have ink.
fn common_edge(w: usize, h: usize, px: &[u8], right: bool) -> usize {
    let mut hist = vec![0usize; w];
    for y in 0..h {
        let row = &px[y * w..(y + 1) * w];
        let edge = if right { row.iter().rposition(|&p| p < 128) } else { row.iter().position(|&p| p < 128) };
        if let Some(x) = edge {
            hist[x] += 1;
        }
    }
    hist.iter().enumerate().max_by_key(|(_, n)| **n).map(|(x, _)| x).unwrap()
}

struct Expect {
    heading: &'static str,
    placeholder: &'static str,
}

fn expect(kind: &str, lang: &str) -> Expect {
    let heading = match (kind, lang) {
        ("case-summary", "en") => "Case summary",
        ("case-summary", "fr") => "Résumé du dossier",
        ("case-summary", "ar") => "ملخص القضية",
        ("ccf-request", "en") => "Request to the Commission for the Control of INTERPOL's Files (CCF)",
        ("ccf-request", "fr") => "Requête auprès de la Commission de contrôle des fichiers d'INTERPOL (CCF)",
        ("ccf-request", "ar") => "طلب إلى لجنة الرقابة على محفوظات الإنتربول",
        ("un-urgent-appeal", "en") => "Submission to the UN Special Procedures: urgent appeal",
        ("un-urgent-appeal", "fr") => "appel urgent",
        ("un-urgent-appeal", "ar") => "نداء عاجل",
        ("interim-measures", "en") => "Request for interim measures",
        ("interim-measures", "fr") => "Demande de mesures provisoires",
        ("interim-measures", "ar") => "طلب تدابير مؤقتة",
        _ => unreachable!(),
    };
    let placeholder = match lang {
        "en" => "[TO BE COMPLETED BY COUNSEL:",
        "fr" => "[À COMPLÉTER PAR L'AVOCAT :",
        // pdftotext moves the colon in right-to-left lines ("المحامي :").
        _ => "[يستكمله المحامي",
    };
    Expect { heading, placeholder }
}

/// Which identities each kind may carry: Witness K consented to lawyers
/// only, Witness L to lawyers and UN bodies; a CCF request carries none.
fn identities(kind: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        "case-summary" => (&["Mariam Haddad", "Karim Nassar"], &[]),
        "un-urgent-appeal" | "interim-measures" => (&["Karim Nassar"], &["Mariam Haddad"]),
        _ => (&[], &["Mariam Haddad", "Karim Nassar"]),
    }
}

#[test]
fn every_draft_in_every_language_renders_to_a_pdf_with_its_text() {
    let f = fixture();
    let out_dir = f.v.tmp.path().join("drafts");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut written = 0;
    for kind in ["case-summary", "ccf-request", "un-urgent-appeal", "interim-measures"] {
        for lang in ["en", "fr", "ar"] {
            let pdf = out_dir.join(format!("{kind}-{lang}.pdf"));
            let md = out_dir.join(format!("{kind}-{lang}.md"));
            let base = ["draft", kind, &f.case, "--lang", lang, "--as-of", AS_OF, "--ccf-type", "correction-deletion"];
            let out = f.v.run(&[&base[..], &["--out", pdf.to_str().unwrap()]].concat());
            assert_success(&out);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("NOT encrypted"), "no warning: {err}");
            // One whole line on each stream: "Wrote …" on stdout, the warning on stderr.
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(said.starts_with("Wrote ") && said.ends_with(").\n") && said.lines().count() == 1, "{said:?}");
            assert!(err.ends_with(".\n"), "{err:?}");
            let out = f.v.run(&[&base[..], &["--format", "md", "--out", md.to_str().unwrap()]].concat());
            assert_success(&out);
            written += 2;

            let bytes = std::fs::read(&pdf).unwrap();
            assert!(bytes.starts_with(b"%PDF-"), "{kind} {lang}");
            let text = pdftotext(&pdf);
            let raw_markdown = std::fs::read_to_string(&md).unwrap();
            let markdown = normalise(&raw_markdown.replace('\\', ""));
            // The user's own words are isolated in Arabic (their full stop stays
            // theirs), and left as they are in left-to-right drafts.
            let note = "Arrested at Beirut airport on arrival from Paris.";
            if lang == "ar" {
                assert!(raw_markdown.contains(&format!("\u{2068}{note}\u{2069}")), "{kind} ar: note not isolated");
            } else {
                assert!(raw_markdown.contains(note) && !raw_markdown.contains('\u{2068}'), "{kind} {lang}: note");
            }
            let e = expect(kind, lang);
            let mut facts = vec![e.heading, "Yusuf al-Harbi", "يوسف الحربي", "Youssef Harbi", "2021-03-03", &f.case];
            if kind != "case-summary" {
                facts.push(e.placeholder);
            }
            if kind == "ccf-request" || kind == "case-summary" {
                facts.push("2021/17455-1");
            }
            if kind == "ccf-request" {
                facts.push(match lang {
                    "en" => "Article 3 of INTERPOL's Constitution",
                    "fr" => "article 3 du Statut d'INTERPOL",
                    _ => "المادة 3 من القانون الأساسي للإنتربول",
                });
            }
            if kind == "case-summary" {
                facts.push("اعتقل يوسف في مطار بيروت");
                facts.push("I saw him taken away by airport police.");
            }
            // pdftotext guesses spaces around digits in right-to-left lines
            // ("3آذار"): the order of the letters is what must hold.
            let squash = |s: &str| s.split_whitespace().collect::<String>();
            for fact in &facts {
                assert!(
                    text.contains(fact) || squash(&text).contains(&squash(fact)),
                    "{kind} {lang}: \"{fact}\" not in the PDF text:\n{text}"
                );
                assert!(markdown.contains(fact), "{kind} {lang}: \"{fact}\" not in the Markdown:\n{markdown}");
            }
            let (shown, withheld) = identities(kind);
            for name in shown {
                assert!(text.contains(name) && markdown.contains(name), "{kind} {lang}: {name} missing");
            }
            for name in withheld {
                assert!(
                    !text.contains(name) && !markdown.contains(name),
                    "{kind} {lang}: {name} shown without consent"
                );
            }
            for never in ["PRIVATE-NOTE-CANARY", "+000 0000"] {
                assert!(!text.contains(never) && !markdown.contains(never), "{kind} {lang}: {never}");
            }
            if kind != "ccf-request" && kind != "case-summary" {
                // The pseudonym stands in for a withheld identity.
                assert!(text.contains("Witness K") && markdown.contains("Witness K"), "{kind} {lang}");
            }

            // Fonts embedded and subset.
            let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
            let fonts = String::from_utf8_lossy(&fonts.stdout);
            let rows: Vec<&str> = fonts.lines().skip(2).collect();
            assert!(!rows.is_empty(), "{fonts}");
            for row in &rows {
                let cols: Vec<&str> = row.split_whitespace().collect();
                let n = cols.len();
                assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "font not embedded+subset: {row}");
            }

            // Rasterised: a PNG, and a page with ink on it, aligned to the
            // right margin in Arabic and to the left one otherwise.
            raster(&pdf, &out_dir, true);
            // `AMANA_DRAFT_SCREENSHOTS=docs/screenshots` regenerates the README's
            // pictures of the CCF request (fictional people only) from this fixture.
            if let Some(dir) = std::env::var_os("AMANA_DRAFT_SCREENSHOTS") {
                if kind == "ccf-request" && lang != "fr" {
                    let stem = Path::new(&dir).join(format!("draft-ccf-{lang}"));
                    let args = ["-png", "-r", "90", "-f", "1", "-l", "1", "-singlefile"];
                    let out = Command::new("pdftoppm").args(args).arg(&pdf).arg(&stem).output().unwrap();
                    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
                }
            }
            let (w, h, px) = raster(&pdf, &out_dir, false);
            let dark = px.iter().filter(|&&p| p < 128).count() as f64 / px.len() as f64;
            assert!((0.003..0.3).contains(&dark), "{kind} {lang}: {dark} of the page is ink");
            let margin = (62.0 / 595.28 * w as f64) as usize;
            if lang == "ar" {
                let edge = common_edge(w, h, &px, true);
                assert!(
                    edge.abs_diff(w - margin) <= 3,
                    "{kind} ar: lines end at x={edge}, not at the right margin {}",
                    w - margin
                );
            } else {
                let edge = common_edge(w, h, &px, false);
                assert!(
                    edge.abs_diff(margin) <= 3,
                    "{kind} {lang}: lines start at x={edge}, not at the left margin {margin}"
                );
            }
        }
    }
    assert_eq!(written, 24);

    // Every draft written out is in the audit log (what, where; no content).
    let log = f.v.json(&["log", "--limit", "100"]);
    let drafts: Vec<&Value> = log.as_array().unwrap().iter().filter(|e| e["action"] == "draft").collect();
    assert_eq!(drafts.len(), 24);
    assert_eq!(drafts[0]["case_id"], f.case.as_str());
    assert!(!log.to_string().contains("Karim"), "the audit log holds no content");
    let check = f.v.run(&["check"]);
    assert_success(&check);
}

#[test]
fn a_draft_is_written_only_where_asked_and_never_over_a_file() {
    let f = fixture();
    let dir = f.v.tmp.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    let existing = dir.join("letter.pdf");
    std::fs::write(&existing, b"keep me").unwrap();
    let err = assert_failure(&f.v.run(&[
        "draft",
        "ccf-request",
        &f.case,
        "--lang",
        "en",
        "--out",
        existing.to_str().unwrap(),
        "--json",
    ]));
    assert!(err.contains("report.output_exists"), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");

    // --out is required; an unknown case writes nothing.
    let err = assert_failure(&f.v.run(&["draft", "ccf-request", &f.case, "--lang", "en"]));
    assert!(err.contains("--out"), "{err}");
    let missing = dir.join("missing.pdf");
    let err = assert_failure(&f.v.run(&[
        "draft",
        "case-summary",
        "00000000-0000-4000-8000-000000000000",
        "--lang",
        "en",
        "--out",
        missing.to_str().unwrap(),
        "--json",
    ]));
    assert!(err.contains("record.not_found"), "{err}");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing but the existing file");

    // A .md name means Markdown; the file is the user's only, and no temporary is left.
    let md = dir.join("summary.md");
    let out =
        f.v.run(&["draft", "case-summary", &f.case, "--lang", "fr", "--out", md.to_str().unwrap(), "--as-of", AS_OF]);
    assert_success(&out);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Résumé du dossier"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&md).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
}

#[test]
fn draft_words_match_the_apps_translations() {
    // The drafts name record values as the app does (ui/src/i18n enum.*).
    let root = common::checkout();
    for (i, lang) in ["en", "fr", "ar"].iter().enumerate() {
        let ts = std::fs::read_to_string(root.join(format!("ui/src/i18n/{lang}.ts"))).unwrap();
        for (key, words) in amana::report::words::VALUES {
            let line = format!("\"enum.{key}\": {},", serde_json::to_string(words[i]).unwrap());
            assert!(ts.contains(&line), "{lang}: {line} not in ui/src/i18n/{lang}.ts");
        }
    }
}
