//! Trust in handover, tested from the attacker's side (docs/SECURITY.md,
//! "Who may change what"): a bundle may add, never take over. Each test is
//! a scenario that succeeded against Amana before these rules: a backup
//! that took over a vault's identity, a partner who rewrote a testimony, a
//! sender's clock that won every exchange, a deletion that came back, a
//! bundle passed on to someone it was not made for.
//!
//! Everything here is fictional.

mod common;

use std::path::Path;

use common::handover::{signed_bundle, vector_identity, vector_manifest_and_file};
use common::*;
use serde_json::{json, Value};

/// A vault with one case: a source, two testimonies, an evidence file.
struct Field {
    a: TestVault,
    case: String,
    testimony: String,
    second: String,
}

fn field() -> Field {
    let a = TestVault::new();
    a.json(&["identity", "rename", "Field desk, Beirut (fictional)"]);
    let case = a.add(
        "case",
        None,
        &json!({
            "title": "Red notice against K. H. (fictional)",
            "subject": {"names": [{"name": "Karim Haddad"}, {"name": "كريم حداد", "kind": "native_script"}]}
        }),
    );
    let source = a.add("source", Some(&case), &json!({"pseudonym": "Witness T-9", "relation": "witness"}));
    let testimony = a.add(
        "testimony",
        Some(&case),
        &json!({"text": "He was detained at the border on a red notice.", "language": "en", "source_id": source}),
    );
    let second = a.add(
        "testimony",
        Some(&case),
        &json!({"text": "أُفرج عنه بعد يومين دون توجيه أي تهمة.", "language": "ar", "source_id": source}),
    );
    let file = a.tmp.path().join("notice.txt");
    std::fs::write(&file, b"a fictional diffusion notice").unwrap();
    a.json(&["attach", &case, file.to_str().unwrap(), "--by", "Researcher R-1", "--how", "given by the family"]);
    Field { a, case, testimony, second }
}

fn text_of(v: &TestVault, id: &str) -> String {
    v.json(&["testimony", "show", id])["data"]["text"].as_str().unwrap().to_string()
}

fn bundle_path(v: &TestVault, name: &str) -> std::path::PathBuf {
    v.tmp.path().join(format!("{name}-{}.amana", uuid::Uuid::new_v4().simple()))
}

// ------------------------------------------------------------------ identity and contacts

/// Vault B makes a backup and sends it "with the case files"; A imports it.
/// Before: A's identity became B's, A's next exports were signed with B's
/// key, and B's contacts arrived verified. Now: nothing of B's vault block is
/// taken, and the report says so.
#[test]
fn another_vaults_backup_never_takes_over_identity_or_contacts() {
    let f = field();
    let b = TestVault::new();
    b.json(&["identity", "rename", "Someone met once (fictional)"]);
    // B has a verified contact of its own, and a case.
    let stranger = TestVault::new();
    b.trust(&stranger);
    b.add("case", None, &json!({"title": "B's case (fictional)", "subject": {"names": [{"name": "Lina Saleh"}]}}));
    let backup = bundle_path(&b, "backup");
    assert_success(&b.run_with_env(
        &["backup", "--out", backup.to_str().unwrap(), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", "a passphrase said over the phone")],
    ));

    let identity_before = f.a.json(&["identity", "show"]);
    let contacts_before = f.a.json(&["contact", "list"]);
    let out = f.a.run_with_env(
        &["import", backup.to_str().unwrap(), "--json"],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", "a passphrase said over the phone")],
    );
    assert_success(&out);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["vault_block"], "ignored", "{report}");
    assert_eq!(report["restored"], json!({"identities": 0, "contacts": 0}));
    assert_eq!(report["bundle"]["sender_verified"], false);
    // B's case arrived, held for review.
    assert_eq!((report["added"].as_u64(), report["held_for_review"].as_u64()), (Some(1), Some(1)), "{report}");
    assert_eq!(f.a.json(&["identity", "show"]), identity_before, "A's identity is A's");
    assert_eq!(f.a.json(&["contact", "list"]), contacts_before, "no contact of B's came in");
    // A's next export is signed by A's key, not B's.
    let c = TestVault::new();
    let to_c = f.a.add_contact_of(&c);
    let next = bundle_path(&f.a, "next");
    f.a.export_case(&f.case, &[&to_c], &next);
    let seen = c.json(&["bundle", "verify", next.to_str().unwrap()]);
    assert_eq!(seen["sender"]["fingerprint"], identity_before["fingerprint"]);
    // The human report says it in words.
    let human = f.a.run_with_env(
        &["import", "--dry-run", backup.to_str().unwrap()],
        &[("AMANA_PASSPHRASE", PASS), ("AMANA_BUNDLE_PASSPHRASE", "a passphrase said over the phone")],
    );
    assert!(String::from_utf8_lossy(&human.stdout).contains("were NOT taken"), "{human:?}");
}

/// This vault's own backup brings back what was lost (a contact removed by
/// mistake, with its verified mark) but never rolls the identity back.
#[test]
fn this_vaults_own_backup_restores_contacts_but_not_an_old_identity() {
    let f = field();
    let partner = TestVault::new();
    let contact = f.a.trust(&partner);
    let backup = bundle_path(&f.a, "own-backup");
    f.a.json(&["backup", "--to-self", "--out", backup.to_str().unwrap()]);
    f.a.json(&["contact", "remove", &contact, "--yes"]);
    let rotated = f.a.json(&["identity", "rotate", "--yes"]);
    let report = f.a.import_bundle(&backup);
    assert_eq!(report["vault_block"], "applied", "{report}");
    assert_eq!(report["restored"], json!({"identities": 0, "contacts": 1}), "{report}");
    let contacts = f.a.json(&["contact", "list"]);
    assert_eq!(contacts[0]["verified"], true, "the vault's own verified mark comes back: {contacts}");
    assert_eq!(f.a.json(&["identity", "show"])["fingerprint"], rotated["fingerprint"], "no rollback to the old key");
    assert_eq!(report["proposed"], json!([]), "its own records, unchanged: {report}");
}

// ------------------------------------------------------------------ authority over records

/// A exports a case to B; B edits A's testimony and sends the case back.
/// Before: A imported `updated: 1` and A's testimony showed B's words. Now:
/// B's change is a proposal, shown field by field, applied only if A accepts.
#[test]
fn a_partner_cannot_rewrite_a_record_it_did_not_create() {
    let f = field();
    let b = TestVault::new();
    let to_b = f.a.add_contact_of(&b);
    let out = bundle_path(&f.a, "to-b");
    f.a.export_case(&f.case, &[&to_b], &out);
    assert_eq!(b.import_bundle(&out)["added"], 5);
    let original = text_of(&f.a, &f.testimony);

    b.json_in(&["testimony", "edit", &f.testimony], &json!({"text": "He was never detained (B's words)."}));
    let to_a = b.add_contact_of(&f.a);
    let back = bundle_path(&b, "back");
    b.export_case(&f.case, &[&to_a], &back);
    // Whether A knows B or not, even verified: B is not the testimony's custodian.
    for trusted in [false, true] {
        if trusted {
            f.a.json(&["contact", "verify", &to_b]);
        }
        let dry = f.a.json(&["import", "--dry-run", back.to_str().unwrap()]);
        assert_eq!(dry["dry_run"], true);
        let report = f.a.import_bundle(&back);
        assert_eq!(report["updated"], 0, "{report}");
        assert_eq!(text_of(&f.a, &f.testimony), original, "A's testimony keeps A's words");
        if !trusted {
            assert_eq!(dry["proposed"], report["proposed"], "the dry run showed exactly this");
            let p = &report["proposed"][0];
            assert_eq!((p["action"].as_str(), p["reason"].as_str()), (Some("change"), Some("not_custodian")), "{p}");
            assert_eq!(
                p["fields"],
                json!([{"field": "text", "before": original, "after": "He was never detained (B's words)."}])
            );
        }
    }
    let inbox = f.a.inbox();
    assert_eq!(inbox.len(), 1, "one proposal, not one per import: {inbox:?}");
    let id = inbox[0]["id"].as_str().unwrap().to_string();

    // Rejected: nothing changes, and the same change is never proposed again.
    let log = f.a.log_len();
    assert_eq!(f.a.json(&["inbox", "reject", &id])["rejected"], 1);
    assert_eq!(f.a.log_len(), log + 1, "the rejection is audited");
    assert_eq!(text_of(&f.a, &f.testimony), original);
    let again = f.a.import_bundle(&back);
    assert_eq!((&again["proposed"], again["rejected_before"].as_u64()), (&json!([]), Some(1)), "{again}");
    assert!(f.a.inbox().is_empty());
    assert_eq!(f.a.fail(&["inbox", "accept", &id]).0, "proposal.decided");

    // A later change by B, accepted by A: applied as a new version, A's
    // version kept in the history, the acceptance in the audit log.
    b.json_in(&["testimony", "edit", &f.testimony], &json!({"text": "He was detained at the border on 3 May."}));
    let later = bundle_path(&b, "later");
    b.export_case(&f.case, &[&to_a], &later);
    f.a.import_bundle(&later);
    let inbox = f.a.inbox();
    assert_eq!(inbox.len(), 1);
    let version = f.a.json(&["testimony", "show", &f.testimony])["version"].as_u64().unwrap();
    f.a.json(&["inbox", "accept", inbox[0]["id"].as_str().unwrap()]);
    let t = f.a.json(&["testimony", "show", &f.testimony]);
    assert_eq!(
        (t["data"]["text"].as_str(), t["version"].as_u64()),
        (Some("He was detained at the border on 3 May."), Some(version + 1))
    );
    let history = f.a.json(&["testimony", "history", &f.testimony]);
    assert!(history.to_string().contains(&original), "A's version stays in the history");
    assert!(f.a.log_actions().iter().any(|a| a == "accept"), "{:?}", f.a.log_actions());
    assert_success(&f.a.run(&["check"]));
}

/// New material from a sender who is not verified never enters a case of
/// this vault without the person's acceptance: a testimony B adds to A's
/// case waits in the inbox; B's own new case comes in marked unreviewed.
#[test]
fn an_unverified_sender_adds_to_a_local_case_only_through_the_inbox() {
    let f = field();
    let b = TestVault::new();
    let to_b = f.a.add_contact_of(&b);
    let out = bundle_path(&f.a, "to-b");
    f.a.export_case(&f.case, &[&to_b], &out);
    b.import_bundle(&out);
    let added = b.add("testimony", Some(&f.case), &json!({"text": "A third account, from B.", "language": "en"}));
    let own_case = b.add(
        "case",
        None,
        &json!({"title": "B's own case (fictional)", "subject": {"names": [{"name": "Omar Nasser"}]}}),
    );
    let to_a = b.add_contact_of(&f.a);
    let back = bundle_path(&b, "back");
    b.json(&[
        "export",
        "--case",
        &f.case,
        "--case",
        &own_case,
        "--profile",
        "full",
        "--to",
        &to_a,
        "--out",
        back.to_str().unwrap(),
    ]);

    let report = f.a.import_bundle(&back);
    assert_eq!(report["added"], 1, "B's own case: {report}");
    assert_eq!(report["held_for_review"], 1);
    let p = &report["proposed"][0];
    assert_eq!(
        (p["action"].as_str(), p["reason"].as_str(), p["record_id"].as_str()),
        (Some("add"), Some("new_record_in_your_case"), Some(added.as_str())),
        "{report}"
    );
    assert_eq!(f.a.fail(&["testimony", "show", &added]).0, "record.not_found");
    let shown = f.a.json(&["case", "show", &own_case]);
    assert_eq!(shown["case"]["unreviewed"], true, "{shown}");
    // Reviewed by the person: the mark goes.
    assert_eq!(f.a.json(&["review", &own_case])["records_reviewed"], 1);
    assert!(f.a.json(&["case", "show", &own_case])["case"].get("unreviewed").is_none());
    // Accepted: the testimony joins A's case.
    f.a.json(&[
        "inbox",
        "accept",
        p["id"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| f.a.inbox()[0]["id"].as_str().unwrap().to_string())
            .as_str(),
    ]);
    assert_eq!(text_of(&f.a, &added), "A third account, from B.");
}

// ------------------------------------------------------------------ clocks and versions

/// The vectors' sender, verified, is the custodian of the vector records.
fn vector_vault() -> (TestVault, Value, Vec<u8>) {
    let dir = common::handover::vectors();
    let v = TestVault::new();
    let id =
        v.json(&["contact", "add", dir.join("sender.card.json").to_str().unwrap()])["id"].as_str().unwrap().to_string();
    v.json(&["contact", "verify", &id]);
    let key = dir.join("recipient.key");
    let report =
        v.json(&["import", dir.join("valid_x25519.amana").to_str().unwrap(), "--identity", key.to_str().unwrap()]);
    assert_eq!((report["added"].as_u64(), report["held_for_review"].as_u64()), (Some(4), Some(0)), "{report}");
    // The manifest and the file, to sign variations of.
    let (manifest, file) = vector_manifest_and_file("valid_x25519.amana");
    (v, manifest, file)
}

fn sign_as_vector_sender(v: &TestVault, m: &Value, file: &[u8], name: &str) -> std::path::PathBuf {
    let key = ed25519_dalek::SigningKey::from_bytes(b"amana test vector sender key v1!");
    let out = bundle_path(v, name);
    let path = m["files"][0]["path"].as_str().unwrap().to_string();
    signed_bundle(m, &key, &[(&path, file)], &vector_identity("recipient.key").to_public(), &out);
    out
}

fn import_signed(v: &TestVault, bundle: &Path) -> std::process::Output {
    let key = common::handover::vectors().join("recipient.key");
    v.run(&["import", bundle.to_str().unwrap(), "--identity", key.to_str().unwrap(), "--json"])
}

/// Before: the decision rested on `updated_at`, a string the sender wrote,
/// compared as text, so a sender who wrote `9999-…` won every later
/// exchange. Now a time from the future is refused, and the custodian's
/// signed version numbers decide, whatever the times say.
#[test]
fn no_decision_rests_on_a_clock_the_sender_sets() {
    let (v, m0, file) = vector_vault();
    let ti = m0["records"].as_array().unwrap().iter().position(|r| r["kind"] == "testimony").unwrap();
    let tid = m0["records"][ti]["id"].as_str().unwrap().to_string();
    let original = text_of(&v, &tid);
    let digest = v.json(&["testimony", "show", &tid]);

    // 1. A time from the future: refused whole, nothing written.
    let mut m = m0.clone();
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    m["records"][ti]["updated_at"] = json!("9999-12-31T23:59:59Z");
    m["records"][ti]["data"]["text"] = json!("Rewritten with a clock set to the year 9999.");
    let out = sign_as_vector_sender(&v, &m, &file, "future");
    assert_eq!(error_of(&import_signed(&v, &out)).0, "bundle.from_the_future");
    assert_eq!(v.json(&["testimony", "show", &tid]), digest);

    // 2. A later time but no newer version: not applied. The same version
    //    number with other content is the custodian contradicting itself.
    m["records"][ti]["updated_at"] = json!("2026-11-30T10:00:00Z");
    let out = sign_as_vector_sender(&v, &m, &file, "same-version");
    let r: Value = serde_json::from_slice(&import_signed(&v, &out).stdout).unwrap();
    assert_eq!(r["updated"], 0, "{r}");
    assert_eq!(r["proposed"][0]["reason"], "same_version_different", "{r}");
    assert_eq!(text_of(&v, &tid), original);

    // 3. An earlier time and a newer version: applied (the version decides).
    let mut m = m0.clone();
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    m["records"][ti]["updated_at"] = json!("2020-01-01T00:00:00Z");
    m["records"][ti]["custody_version"] = json!(2);
    m["records"][ti]["data"]["text"] = json!("The custodian's second version.");
    let out = sign_as_vector_sender(&v, &m, &file, "v2");
    let r: Value = serde_json::from_slice(&import_signed(&v, &out).stdout).unwrap();
    assert_eq!(r["updated"], 1, "{r}");
    assert_eq!(text_of(&v, &tid), "The custodian's second version.");

    // 4. A version far beyond any honest editing (a stolen key freezing the
    //    record): held as a proposal.
    m["bundle_id"] = json!(uuid::Uuid::new_v4());
    m["records"][ti]["custody_version"] = json!(1u64 << 29);
    m["records"][ti]["data"]["text"] = json!("Version two to the twenty-ninth.");
    let out = sign_as_vector_sender(&v, &m, &file, "jump");
    let r: Value = serde_json::from_slice(&import_signed(&v, &out).stdout).unwrap();
    assert_eq!((r["updated"].as_u64(), r["proposed"][0]["reason"].as_str()), (Some(0), Some("version_jump")), "{r}");
    assert_eq!(text_of(&v, &tid), "The custodian's second version.");
}

// ------------------------------------------------------------------ deletions

/// Before: re-importing an older bundle brought back a record the user had
/// deleted. Now deletions are remembered, and a deletion the custodian sends
/// is a proposal.
#[test]
fn a_deleted_record_stays_deleted_and_a_sent_deletion_is_a_proposal() {
    let f = field();
    let b = TestVault::new();
    b.trust(&f.a);
    let to_b = f.a.add_contact_of(&b);
    let first = bundle_path(&f.a, "first");
    f.a.export_case(&f.case, &[&to_b], &first);
    assert_eq!(b.import_bundle(&first)["added"], 5);

    b.json(&["testimony", "delete", &f.testimony, "--yes"]);
    let again = b.import_bundle(&first);
    assert_eq!((again["added"].as_u64(), again["not_brought_back"].as_u64()), (Some(0), Some(1)), "{again}");
    assert_eq!(b.fail(&["testimony", "show", &f.testimony]).0, "record.not_found");

    // A (the custodian, verified) deletes the second testimony and sends the case.
    f.a.json(&["testimony", "delete", &f.second, "--yes"]);
    let second = bundle_path(&f.a, "second");
    f.a.export_case(&f.case, &[&to_b], &second);
    let r = b.import_bundle(&second);
    let p = &r["proposed"][0];
    assert_eq!(
        (p["action"].as_str(), p["reason"].as_str(), p["record_id"].as_str()),
        (Some("delete"), Some("deletion"), Some(f.second.as_str())),
        "{r}"
    );
    assert_eq!(text_of(&b, &f.second), "أُفرج عنه بعد يومين دون توجيه أي تهمة.", "not deleted before B accepts");
    let done = b.json(&["inbox", "accept", b.inbox()[0]["id"].as_str().unwrap()]);
    assert_eq!(done["records_removed"], 1);
    // And the first bundle does not bring it back either.
    assert_eq!(b.import_bundle(&first)["not_brought_back"], 2);
    assert_eq!(b.fail(&["testimony", "show", &f.second]).0, "record.not_found");
    assert_success(&b.run(&["check"]));
}

// ------------------------------------------------------------------ forwarding

/// A sends a case to B; B decrypts it and re-encrypts the same signed
/// bundle to C, who has verified A. Before, C saw "verified, from A". Now C
/// is told the bundle was not made for C, and A's sender status counts for
/// nothing here: what it brings is held for review.
#[test]
fn a_bundle_re_encrypted_to_a_third_person_is_not_taken_as_sent_to_them() {
    let f = field();
    let b = TestVault::new();
    let c = TestVault::new();
    c.trust(&f.a);
    let to_b = f.a.add_contact_of(&b);
    let to_b_out = bundle_path(&f.a, "for-b");
    f.a.export_case(&f.case, &[&to_b], &to_b_out);

    // B's key, and the re-encryption to C.
    let key_file = b.tmp.path().join("b-key.txt");
    b.json(&["identity", "export", "--out", key_file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&key_file).unwrap();
    let b_key: age::x25519::Identity = text.lines().find(|l| l.starts_with("AGE-SECRET")).unwrap().parse().unwrap();
    let d = age::Decryptor::new(std::fs::File::open(&to_b_out).unwrap()).unwrap();
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut d.decrypt(std::iter::once(&b_key as &dyn age::Identity)).unwrap(), &mut plain)
        .unwrap();
    let c_recipient: age::x25519::Recipient =
        c.json(&["identity", "show"])["card"]["age_recipient"].as_str().unwrap().parse().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(&c_recipient as &dyn age::Recipient)).unwrap();
    let mut forwarded = Vec::new();
    let mut w = enc.wrap_output(&mut forwarded).unwrap();
    std::io::Write::write_all(&mut w, &plain).unwrap();
    w.finish().unwrap();
    let fwd = bundle_path(&c, "forwarded");
    std::fs::write(&fwd, forwarded).unwrap();

    let s = c.json(&["bundle", "verify", fwd.to_str().unwrap()]);
    assert_eq!((s["addressed_to_you"].as_bool(), s["sender_verified"].as_bool()), (Some(false), Some(false)), "{s}");
    let r = c.import_bundle(&fwd);
    assert_eq!((r["added"].as_u64(), r["held_for_review"].as_u64()), (Some(5), Some(5)), "{r}");
    // Sent to C by A directly, the same case is trusted.
    let d2 = TestVault::new();
    d2.trust(&f.a);
    let to_d = f.a.add_contact_of(&d2);
    let direct = bundle_path(&f.a, "direct");
    f.a.export_case(&f.case, &[&to_d], &direct);
    let r = d2.import_bundle(&direct);
    assert_eq!(
        (r["bundle"]["addressed_to_you"].as_bool(), r["held_for_review"].as_u64()),
        (Some(true), Some(0)),
        "{r}"
    );
}

/// A sends a case without who the sources are; B sends it back whole (B
/// has nothing to withhold). That is no proposal to forget a source's
/// identity: absent is not erased.
#[test]
fn a_case_sent_back_without_source_identities_proposes_nothing() {
    let f = field();
    let source = f.a.json(&["source", "list", "--case", &f.case])[0]["id"].as_str().unwrap().to_string();
    f.a.json_in(&["source", "edit", &source], &json!({"identity": {"full_name": "Rania Aziz (fictional)"}}));
    let b = TestVault::new();
    let to_b = f.a.add_contact_of(&b);
    let out = bundle_path(&f.a, "minimal");
    f.a.json(&[
        "export",
        "--case",
        &f.case,
        "--profile",
        "no-source-identities",
        "--to",
        &to_b,
        "--out",
        out.to_str().unwrap(),
    ]);
    b.import_bundle(&out);
    let to_a = b.add_contact_of(&f.a);
    let back = bundle_path(&b, "back");
    b.export_case(&f.case, &[&to_a], &back);
    let r = f.a.import_bundle(&back);
    assert_eq!(r["proposed"], json!([]), "{r}");
    assert_eq!(f.a.json(&["source", "show", &source])["data"]["identity"]["full_name"], "Rania Aziz (fictional)");
}
