//! Deleted text is gone from every page: after a record (or a whole case) is
//! deleted and the delete has committed, no byte of its text is left in
//! vault.db or vault.db-wal, decrypted with the vault key, whether in a live
//! row of any table (the record, its history, the FTS5 index and its shadow
//! tables) or in free space, freed pages or old journal frames. A seized
//! laptop whose passphrase is coerced later must not give back what the
//! researcher deliberately deleted (docs/SECURITY.md, "Deleted text").
//!
//! The key is unwrapped here independently of the core's unlock path (as
//! examples/vault_key_for_tests.rs does), and the pages are decrypted here
//! with AES-256-CBC as SQLCipher 4 lays them out, so the scan sees the
//! bytes an attacker with the key would, not what SQLite chooses to show.

mod common;

use std::path::Path;

use common::*;
use serde_json::json;

/// A fictional witness's words around the two canaries. The canaries are
/// single tokens that `text::fold` leaves as they are (lower-case ASCII;
/// Arabic letters without diacritics, alef forms or ta marbuta), so the
/// index holds exactly these bytes.
const LATIN: &str = "zorvexquilbanthe";
const ARABIC: &str = "كنزبرقوشطلسم";

/// Each canary, and its second half: FTS5 stores a term after the prefix it
/// shares with the term before it, so only the tail is sure to be written
/// out whole in an index segment.
fn needles() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for canary in [LATIN, ARABIC] {
        let chars: Vec<char> = canary.chars().collect();
        let tail: String = chars[chars.len() / 2..].iter().collect();
        out.push((canary.to_string(), canary.as_bytes().to_vec()));
        out.push((format!("tail of {canary}"), tail.into_bytes()));
    }
    out
}

/// The vault key, unwrapped from vault.key with the test passphrase.
fn raw_key(dir: &Path) -> [u8; 32] {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let bytes = std::fs::read(dir.join("vault.key")).unwrap();
    let kf = amana::keyfile::KeyFile::from_bytes(&bytes).unwrap();
    let slot = kf.passphrase_slot().unwrap();
    let amana::keyfile::Slot::Passphrase { params, salt, key } = slot else { unreachable!() };
    let passphrase = secrecy::SecretString::from(PASS.to_string());
    let wrapping = amana::crypto::kdf::derive_key(&passphrase, salt, params).unwrap();
    let plain = XChaCha20Poly1305::new((&*wrapping).into())
        .decrypt(XNonce::from_slice(&key.nonce), Payload { msg: &key.sealed, aad: &kf.context_of(slot) })
        .unwrap();
    plain.try_into().unwrap()
}

/// SQLCipher 4's page layout (its defaults, which Amana keeps): 4096-byte
/// pages ending in 80 reserved bytes (a 16-byte IV, then the HMAC); page 1
/// starts with the 16-byte salt instead of the SQLite header.
const PAGE: usize = 4096;
const RESERVE: usize = 80;

/// One page decrypted: AES-256-CBC with the raw key and the page's own IV,
/// over everything but the salt (page 1) and the reserved bytes.
fn decrypt_page(key: &[u8; 32], page: &[u8], first: bool) -> Vec<u8> {
    use aes::cipher::{generic_array::GenericArray, BlockDecrypt, KeyInit};
    assert_eq!(page.len(), PAGE);
    let aes = aes::Aes256::new(GenericArray::from_slice(key));
    let start = if first { 16 } else { 0 };
    let end = PAGE - RESERVE;
    let mut prev: [u8; 16] = page[end..end + 16].try_into().unwrap();
    let mut out = Vec::with_capacity(end - start);
    for chunk in page[start..end].chunks(16) {
        let mut block = GenericArray::clone_from_slice(chunk);
        aes.decrypt_block(&mut block);
        out.extend(block.iter().zip(prev).map(|(b, p)| b ^ p));
        prev = chunk.try_into().unwrap();
    }
    out
}

/// Every page of vault.db, decrypted. Checks that page 1 decrypts to a
/// SQLite header (page size 4096, 80 reserved bytes), so a wrong layout
/// cannot pass for "nothing found".
fn decrypted_db(dir: &Path, key: &[u8; 32]) -> Vec<u8> {
    let bytes = std::fs::read(dir.join("vault.db")).unwrap();
    assert_eq!(bytes.len() % PAGE, 0, "vault.db is whole pages");
    let mut out = Vec::new();
    for (i, page) in bytes.chunks(PAGE).enumerate() {
        let plain = decrypt_page(key, page, i == 0);
        if i == 0 {
            // Bytes 16.. of the SQLite header: page size (big-endian), write
            // and read versions, reserved bytes per page.
            assert_eq!(&plain[..2], &(PAGE as u16).to_be_bytes(), "page 1 decrypts to a SQLite header");
            assert_eq!(plain[4] as usize, RESERVE, "page 1 decrypts to a SQLite header");
        }
        out.extend(plain);
    }
    out
}

/// Every frame of vault.db-wal (a 32-byte header, then frames of a 24-byte
/// header and one page), decrypted; empty if there is no WAL.
fn decrypted_wal(dir: &Path, key: &[u8; 32]) -> Vec<u8> {
    let Ok(bytes) = std::fs::read(dir.join("vault.db-wal")) else { return Vec::new() };
    let mut out = Vec::new();
    let mut at = 32;
    while at + 24 + PAGE <= bytes.len() {
        let pgno = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        out.extend(decrypt_page(key, &bytes[at + 24..at + 24 + PAGE], pgno == 1));
        at += 24 + PAGE;
    }
    out
}

fn wal_len(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("vault.db-wal")).map(|m| m.len()).unwrap_or(0)
}

/// Which needles occur in `bytes`.
fn found_in(bytes: &[u8]) -> Vec<String> {
    needles().into_iter().filter(|(_, n)| contains(bytes, n)).map(|(name, _)| name).collect()
}

/// Every (table.column, needle) where a live value of any table holds a
/// needle: the records, their history, the audit log, and the FTS5 table
/// with its shadow tables (`search_index_data`, `_idx`, `_content`, ...).
/// Opened read-only, after the raw scans (closing it may checkpoint).
fn sql_hits(dir: &Path, key: &[u8; 32]) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(dir.join("vault.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key))).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.iter().any(|t| t == "search_index_data"), "the shadow tables are listed: {tables:?}");
    let mut hits = Vec::new();
    for table in &tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns: Vec<String> = stmt.column_names().map(String::from).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, column) in columns.iter().enumerate() {
                let bytes = match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b.to_vec(),
                    _ => continue,
                };
                for needle in found_in(&bytes) {
                    hits.push(format!("{table}.{column}: {needle}"));
                }
            }
        }
    }
    hits.sort();
    hits.dedup();
    hits
}

/// How many pages of vault.db are on the freelist.
fn freed_pages(dir: &Path, key: &[u8; 32]) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(dir.join("vault.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(key))).unwrap();
    conn.query_row("PRAGMA freelist_count", [], |r| r.get(0)).unwrap()
}

/// A case with a testimony holding both canaries, edited twice (so its
/// history holds them three times), a second testimony that stays, and a
/// search that finds the canary. Returns (case id, testimony id).
fn vault_with_testimony(v: &TestVault) -> (String, String) {
    let case = v.json_in(
        &["case", "add"],
        &json!({ "title": "Case of Idris Marwen", "subject": { "names": [{ "name": "Idris Marwen" }] } }),
    );
    let case = case["id"].as_str().unwrap().to_string();
    let text = format!("The witness Salma Oudrhiri saw {LATIN} near the gate; {ARABIC} was said.");
    let t = v.json_in(&["testimony", "add", "--case", &case], &json!({ "text": text, "language": "en" }));
    let t = t["id"].as_str().unwrap().to_string();
    v.json_in(&["testimony", "edit", &t], &json!({ "text": format!("{text} Second interview.") }));
    // Long enough to spill into overflow pages, which the delete frees:
    // the scan then covers the freelist too (see `freed_pages`).
    let long = format!("{text} Third interview, {LATIN} again.").repeat(120);
    v.json_in(&["testimony", "edit", &t], &json!({ "text": long }));
    v.json_in(
        &["testimony", "add", "--case", &case],
        &json!({ "text": "Nadia Fellous described the courtyard.", "language": "en" }),
    );
    let found = v.json(&["search", LATIN]);
    assert_eq!(found["total"], 1, "the canary is searchable before the delete: {found}");
    let found = v.json(&["search", ARABIC]);
    assert_eq!(found["total"], 1, "the Arabic canary is searchable before the delete: {found}");
    (case, t)
}

/// The checks every test ends with: the canaries are in no decrypted page
/// of vault.db, no frame of vault.db-wal (which is empty: truncated once
/// the delete committed, so not even frames without the text are left),
/// and no value of any table.
fn assert_gone(dir: &Path, key: &[u8; 32]) {
    let db = decrypted_db(dir, key);
    let wal = decrypted_wal(dir, key);
    let wal_bytes = wal_len(dir);
    let hits = sql_hits(dir, key);
    assert!(
        found_in(&db).is_empty() && found_in(&wal).is_empty() && hits.is_empty() && wal_bytes == 0,
        "deleted text survives: in vault.db pages {:?}; in vault.db-wal frames {:?} ({wal_bytes} bytes); in rows {:?}",
        found_in(&db),
        found_in(&wal),
        hits
    );
}

/// The control: before the delete, the raw scan does find the canaries in
/// vault.db (the CLI checkpointed on exit), so an empty result later means
/// they are gone, not that the decryption is wrong.
fn assert_present(dir: &Path, key: &[u8; 32]) {
    assert_eq!(wal_len(dir), 0, "the CLI left no journal behind");
    let found = found_in(&decrypted_db(dir, key));
    assert_eq!(found.len(), needles().len(), "every canary is in the decrypted pages before the delete: {found:?}");
}

#[test]
fn a_deleted_testimony_leaves_no_byte_in_any_page_or_frame() {
    let v = TestVault::new();
    let key = raw_key(&v.dir);
    let (_, testimony) = vault_with_testimony(&v);
    assert_present(&v.dir, &key);

    let out = v.run(&["testimony", "delete", &testimony, "--yes", "--json"]);
    assert_success(&out);

    assert_gone(&v.dir, &key);
    assert!(freed_pages(&v.dir, &key) > 0, "the delete freed pages, and the scan read them");
    // The vault still works: the index finds what was not deleted.
    assert_success(&v.run(&["check"]));
    assert_eq!(v.json(&["search", "courtyard"])["total"], 1);
    assert_eq!(v.json(&["search", LATIN])["total"], 0);
}

#[test]
fn a_deleted_case_leaves_no_byte_in_any_page_or_frame() {
    let v = TestVault::new();
    let key = raw_key(&v.dir);
    let (case, _) = vault_with_testimony(&v);
    // A second case that stays, so the index is not simply emptied.
    let other = v.json_in(
        &["case", "add"],
        &json!({ "title": "Case of Yusra Belkadi", "subject": { "names": [{ "name": "Yusra Belkadi" }] } }),
    );
    let other = other["id"].as_str().unwrap().to_string();
    v.json_in(
        &["testimony", "add", "--case", &other],
        &json!({ "text": "Karim Tazerout heard the orchard bells.", "language": "en" }),
    );
    assert_present(&v.dir, &key);

    let out = v.run(&["case", "delete", &case, "--yes", "--json"]);
    assert_success(&out);

    assert_gone(&v.dir, &key);
    assert_success(&v.run(&["check"]));
    assert_eq!(v.json(&["search", "orchard"])["total"], 1);
    assert_eq!(v.json(&["search", ARABIC])["total"], 0);
}

/// The desktop app's path: the vault stays unlocked after the delete, with
/// its second (search) connection open, so nothing closes the database to
/// clean up after it. The text must be gone at once, WAL included.
#[test]
fn a_delete_through_the_api_leaves_no_byte_while_the_vault_stays_open() {
    use amana::api;
    let v = TestVault::new();
    let key = raw_key(&v.dir);
    let (_, testimony) = vault_with_testimony(&v);
    assert_present(&v.dir, &key);

    let mut vault =
        api::unlock(&v.dir, api::UnlockRequest { passphrase: secrecy::SecretString::from(PASS.to_string()) }).unwrap();
    // Edit and search in this session too: the journal then holds frames
    // with the text, and the search opens the second connection.
    let id = testimony.parse().unwrap();
    api::edit_record(
        &mut vault,
        api::EditRecordRequest { id, patch: json!({ "text": format!("Fourth interview: {LATIN} {ARABIC}.") }) },
    )
    .unwrap();
    let found = api::search(&vault, api::SearchRequest { query: ARABIC.into(), limit: 10, offset: 0 }).unwrap();
    assert_eq!(found.total, 1);
    assert!(wal_len(&v.dir) > 0, "the session's writes are in the journal");

    let gone = api::delete_record(&mut vault, id).unwrap();
    assert_eq!(gone.records, vec![id]);

    // Still unlocked, the reader still open.
    assert_gone(&v.dir, &key);
    let found = api::search(&vault, api::SearchRequest { query: "courtyard".into(), limit: 10, offset: 0 }).unwrap();
    assert_eq!(found.total, 1, "the index still finds what was not deleted");
    vault.lock();
}

/// A change someone proposed and the person rejected is remembered by its
/// digest only: the proposed words (perhaps a hostile sender's false
/// testimony) leave no byte in any page or frame once rejected.
#[test]
fn a_rejected_proposal_leaves_no_byte_in_any_page_or_frame() {
    let a = TestVault::new();
    let key = raw_key(&a.dir);
    let case = a.json_in(
        &["case", "add"],
        &json!({ "title": "Case of Idris Marwen", "subject": { "names": [{ "name": "Idris Marwen" }] } }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let t = a.json_in(
        &["testimony", "add", "--case", &case],
        &json!({ "text": "Nadia Fellous described the courtyard.", "language": "en" }),
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    // B receives the case, rewrites the testimony with the canaries, sends it back.
    let b = TestVault::new();
    let to_b = a.add_contact_of(&b);
    let out = a.tmp.path().join("to-b.amana");
    a.export_case(&case, &[&to_b], &out);
    b.import_bundle(&out);
    b.json_in(&["testimony", "edit", &t], &json!({ "text": format!("Nobody saw {LATIN}; {ARABIC}.") }));
    let to_a = b.add_contact_of(&a);
    let back = b.tmp.path().join("back.amana");
    b.export_case(&case, &[&to_a], &back);
    let report = a.import_bundle(&back);
    assert_eq!(report["proposed"].as_array().unwrap().len(), 1, "{report}");
    assert_present(&a.dir, &key);

    let id = a.inbox()[0]["id"].as_str().unwrap().to_string();
    a.json(&["inbox", "reject", &id]);
    assert_gone(&a.dir, &key);
    assert!(a.json(&["testimony", "show", &t])["data"]["text"].as_str().unwrap().contains("courtyard"));
}
