//! The audit log: every create, edit, delete, attachment, export and import
//! appends an entry to a hash chain, each entry committing to the previous
//! one, so a changed, removed or reordered entry is found by [`verify`].
//!
//! Entries name records by id and kind and carry a digest of the content
//! after the change, never the content itself: the log can be shown without
//! revealing what a testimony says. Appending happens inside the caller's
//! transaction, so a change and its entry are committed together or not at all.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::dossier::date::now_rfc3339;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// A record was created.
    Create,
    /// A record was edited.
    Update,
    /// A record was deleted.
    Delete,
    /// A file was attached.
    Attach,
    /// A plaintext copy of a file was written out at the user's request.
    Extract,
    /// A draft (letter or case summary) was written out, unencrypted, at the user's request.
    Draft,
    /// Records were exported in a bundle.
    Export,
    /// Records were imported from a bundle.
    Import,
    /// Records received unreviewed were marked reviewed.
    Review,
    /// A proposed change from a bundle was accepted.
    Accept,
    /// A proposed change from a bundle was rejected.
    Reject,
}

impl Action {
    fn as_str(&self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Attach => "attach",
            Action::Extract => "extract",
            Action::Draft => "draft",
            Action::Export => "export",
            Action::Import => "import",
            Action::Review => "review",
            Action::Accept => "accept",
            Action::Reject => "reject",
        }
    }
}

/// One entry of the log.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "AuditEntry"))]
pub struct Entry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// What happened.
    pub action: String,
    /// Kind of record, if the entry is about one.
    pub kind: Option<String>,
    /// The record's id.
    pub record_id: Option<String>,
    /// The case's id.
    pub case_id: Option<String>,
    /// Details (JSON; never record content).
    pub detail: serde_json::Value,
    /// SHA-256 of the record's JSON after the change.
    pub content_sha256: Option<String>,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// An entry to append.
pub struct NewEntry<'a> {
    /// What happened.
    pub action: Action,
    /// Kind of record.
    pub kind: Option<&'a str>,
    /// Record id.
    pub record_id: Option<String>,
    /// Case id.
    pub case_id: Option<String>,
    /// Details (no content).
    pub detail: serde_json::Value,
    /// Digest of the record's content after the change.
    pub content_sha256: Option<String>,
}

/// SHA-256 of a JSON value's bytes as stored.
pub fn content_digest(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

fn entry_hash(e: &Entry) -> String {
    let mut h = Sha256::new();
    h.update(b"amana audit v1");
    let fields: [&str; 9] = [
        &e.prev_hash,
        &e.seq.to_string(),
        &e.at,
        &e.action,
        e.kind.as_deref().unwrap_or("\u{0}"),
        e.record_id.as_deref().unwrap_or("\u{0}"),
        e.case_id.as_deref().unwrap_or("\u{0}"),
        &e.detail.to_string(),
        e.content_sha256.as_deref().unwrap_or("\u{0}"),
    ];
    // Length-prefixed, so no two different entries hash the same bytes.
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry (inside the caller's transaction).
pub fn append(conn: &Connection, new: NewEntry<'_>) -> rusqlite::Result<Entry> {
    let last: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let mut e = Entry {
        seq,
        at: now_rfc3339(),
        action: new.action.as_str().to_string(),
        kind: new.kind.map(str::to_string),
        record_id: new.record_id,
        case_id: new.case_id,
        detail: new.detail,
        content_sha256: new.content_sha256,
        prev_hash,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    conn.execute(
        "INSERT INTO audit_log(seq, at, action, kind, record_id, case_id, detail, content_sha256, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            e.seq,
            e.at,
            e.action,
            e.kind,
            e.record_id,
            e.case_id,
            e.detail.to_string(),
            e.content_sha256,
            e.prev_hash,
            e.hash
        ],
    )?;
    Ok(e)
}

fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let detail: String = r.get(6)?;
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        kind: r.get(3)?,
        record_id: r.get(4)?,
        case_id: r.get(5)?,
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
        content_sha256: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

const COLUMNS: &str = "seq, at, action, kind, record_id, case_id, detail, content_sha256, prev_hash, hash";

/// When `action` (of records of `kind`, e.g. an export of a `backup`) was
/// last recorded (RFC 3339), if ever.
pub fn last_at(conn: &Connection, action: Action, kind: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row("SELECT max(at) FROM audit_log WHERE action = ?1 AND kind = ?2", (action.as_str(), kind), |r| {
        r.get(0)
    })
}

/// The newest entries, newest first; or those of one case or record.
pub fn list(conn: &Connection, limit: usize, about: Option<&str>) -> rusqlite::Result<Vec<Entry>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM audit_log WHERE ?1 IS NULL OR record_id = ?1 OR case_id = ?1 ORDER BY seq DESC LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![about, limit as i64], read_entry)?;
    rows.collect()
}

/// The result of checking the chain.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// The first entry whose link is broken, if any.
    pub first_broken: Option<i64>,
    /// What is wrong with it, or with the records.
    pub problems: Vec<String>,
}

impl ChainReport {
    /// Whether the chain and the records agree.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Walks the whole chain, then checks that every record's content is the
/// content its last audit entry committed to (an edit made outside Amana,
/// even through a SQLCipher connection with the key, shows up here).
pub fn verify(conn: &Connection) -> rusqlite::Result<ChainReport> {
    let mut report = ChainReport { entries: 0, first_broken: None, problems: Vec::new() };
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1;
    while let Some(row) = rows.next()? {
        let e = read_entry(row)?;
        report.entries += 1;
        let problem = if e.seq != expected_seq {
            Some(format!("entry {expected_seq} is missing (the next one is {})", e.seq))
        } else if e.prev_hash != prev {
            Some(format!("entry {} does not follow entry {}", e.seq, e.seq - 1))
        } else if entry_hash(&e) != e.hash {
            Some(format!("entry {} was altered", e.seq))
        } else {
            None
        };
        if let Some(p) = problem {
            report.first_broken = Some(e.seq.min(expected_seq));
            report.problems.push(format!("audit log: {p}"));
            break;
        }
        prev = e.hash;
        expected_seq += 1;
    }
    drop(rows);
    let mut stmt = conn.prepare(
        "SELECT r.id, r.kind, r.data,
                (SELECT a.content_sha256 FROM audit_log a WHERE a.record_id = r.id AND a.content_sha256 IS NOT NULL ORDER BY a.seq DESC LIMIT 1)
         FROM records r ORDER BY r.id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
    })?;
    for row in rows {
        let (id, kind, data, committed) = row?;
        match committed {
            None => report.problems.push(format!("{kind} {id} has no audit entry (it was added outside Amana)")),
            Some(d) if d != content_digest(&data) => report
                .problems
                .push(format!("{kind} {id} was changed outside Amana (its content does not match the audit log)")),
            Some(_) => {}
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(crate::db::MIGRATIONS.join("\n").as_str()).unwrap();
        c
    }

    fn add(c: &Connection, n: usize) {
        for i in 0..n {
            append(
                c,
                NewEntry {
                    action: Action::Export,
                    kind: None,
                    record_id: None,
                    case_id: None,
                    detail: serde_json::json!({"i": i}),
                    content_sha256: None,
                },
            )
            .unwrap();
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = conn();
        add(&c, 5);
        let r = verify(&c).unwrap();
        assert!(r.ok(), "{r:?}");
        assert_eq!(r.entries, 5);
    }

    #[test]
    fn an_altered_removed_or_relinked_entry_is_found_and_located() {
        for (sql, broken) in [
            ("UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3", 3),
            ("DELETE FROM audit_log WHERE seq = 2", 2),
            ("UPDATE audit_log SET at = '1999-01-01T00:00:00Z' WHERE seq = 4", 4),
            ("UPDATE audit_log SET prev_hash = hash WHERE seq = 5", 5),
        ] {
            let c = conn();
            add(&c, 6);
            c.execute_batch(sql).unwrap();
            let r = verify(&c).unwrap();
            assert_eq!(r.first_broken, Some(broken), "{sql}: {r:?}");
        }
    }
}
