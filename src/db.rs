//! The encrypted database: opening a SQLCipher connection with the vault key,
//! the per-connection settings, and the schema migrations.
//!
//! Every connection gets the same pragmas, set here and never inside a
//! migration. Migrations are numbered SQL files applied in one transaction that
//! also sets `user_version`; a database from a newer Amana is refused.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::crypto::VaultKey;

/// The schema migrations, in order. Entry `i` brings the schema to version `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_vault.sql"),
    include_str!("../migrations/0002_dossiers.sql"),
    include_str!("../migrations/0003_handover.sql"),
    include_str!("../migrations/0004_evidence_seals.sql"),
    include_str!("../migrations/0005_custody.sql"),
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub use amana_sqlite_heap::Wiping;

/// Who wipes what SQLite frees in this process: Amana's allocator hooks
/// (`amana-sqlite-heap`), installed before the first connection opens, or,
/// if SQLite had already started when Amana first opened a vault, SQLCipher's
/// `cipher_memory_security`, which wipes too but costs two system calls per
/// allocation (docs/SECURITY.md, "Wiping SQLite's memory"). Every vault
/// connection calls this before it opens.
pub fn heap_wiping() -> Wiping {
    amana_sqlite_heap::install()
}

/// SQLite's page cache per connection, in KiB (SQLite's default is 2 MiB).
/// SQLCipher decrypts and authenticates a page every time it is read into
/// the cache: with 2 MiB, a search for a common word re-read and re-decrypted
/// the same index pages on every query (about half its time, docs/bench/fixes.md,
/// 4). 32 MiB holds the hot part of the search index of a 100,000-testimony
/// vault. Pages are only cached as they are read, and freed pages are wiped
/// ([`heap_wiping`]); the cache is dropped when the vault locks.
pub const PAGE_CACHE_KIB: u32 = 32 * 1024;

/// Why the database could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The key did not decrypt the file, or the file is not a database.
    #[error("the vault database cannot be read: vault.db is damaged, cut short, or not this vault's database")]
    Damaged,
    /// These pages (numbered from 1) failed SQLCipher's authentication
    /// check, or the file ends before its last page: damage, named.
    #[error("the vault database is damaged: {}; restore it from a backup", describe_pages(.0))]
    DamagedPages(Vec<PageProblem>),
    /// Written by a newer Amana.
    #[error("this vault was written by a newer version of Amana (schema {found}, this version knows up to {known}); install a newer Amana to open it")]
    TooNew {
        /// Version found in the file.
        found: u32,
        /// Newest version this build knows.
        known: u32,
    },
    /// Any other SQLite error.
    #[error("the vault database reported an error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// What is wrong with one page of the database file (pages numbered from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageProblem {
    /// The page's HMAC does not match: its bytes were changed.
    Altered(u32),
    /// The file ends inside this page: it was cut short.
    Incomplete(u32),
    /// The page could not be read from the file.
    Unreadable(u32),
}

impl PageProblem {
    /// Parses one line of SQLCipher's `cipher_integrity_check`.
    fn parse(line: &str) -> Option<PageProblem> {
        let mut words = line.split_whitespace();
        let mut number = None;
        while let Some(w) = words.next() {
            if w == "page" {
                number = words.next().and_then(|n| n.parse::<u32>().ok());
                break;
            }
        }
        let n = number?;
        Some(if line.starts_with("HMAC") {
            PageProblem::Altered(n)
        } else if line.contains("invalid size") {
            PageProblem::Incomplete(n)
        } else {
            PageProblem::Unreadable(n)
        })
    }
}

/// One sentence naming the damaged pages.
pub fn describe_pages(problems: &[PageProblem]) -> String {
    let list = |f: fn(&PageProblem) -> Option<u32>| -> Vec<String> {
        problems.iter().filter_map(f).map(|n| n.to_string()).collect()
    };
    let altered = list(|p| if let PageProblem::Altered(n) = p { Some(*n) } else { None });
    let incomplete = list(|p| if let PageProblem::Incomplete(n) = p { Some(*n) } else { None });
    let unreadable = list(|p| if let PageProblem::Unreadable(n) = p { Some(*n) } else { None });
    let plural = |v: &Vec<String>| if v.len() == 1 { "page" } else { "pages" };
    let mut parts = Vec::new();
    if !altered.is_empty() {
        parts.push(format!("{} {} of vault.db failed the authentication check", plural(&altered), altered.join(", ")));
    }
    if !incomplete.is_empty() {
        parts.push(format!("vault.db ends inside page {} (the file was cut short or extended)", incomplete.join(", ")));
    }
    if !unreadable.is_empty() {
        parts.push(format!("{} {} of vault.db cannot be read", plural(&unreadable), unreadable.join(", ")));
    }
    parts.join("; ")
}

/// Opens an existing vault database with `key`, applies settings and pending migrations.
///
/// An existing vault's database always holds a schema (it is created before
/// the key file), so an empty file or one without a schema is damage: it is
/// refused rather than silently started afresh.
pub fn open(path: &Path, key: &VaultKey) -> Result<Connection, DbError> {
    if std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(false) {
        return Err(DbError::Damaged);
    }
    let wiping = heap_wiping();
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    writes_wait_their_turn(&mut conn);
    configure(&conn, key, wiping)?;
    if schema_version(&conn)? == 0 {
        return Err(DbError::Damaged);
    }
    migrate(&conn)?;
    index_secure_delete(&conn)?;
    Ok(conn)
}

/// Opens a second, read-only connection to a vault database that is already
/// open (and so already migrated): for work split over two threads (search
/// ranks half of the index on it). Same key, settings and page cache size as
/// [`open`]; it sees what was committed when each of its statements starts.
pub fn open_reader(path: &Path, key: &VaultKey) -> Result<Connection, DbError> {
    let wiping = heap_wiping();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn, key, wiping)?;
    if schema_version(&conn)? != SCHEMA_VERSION {
        return Err(DbError::Damaged);
    }
    Ok(conn)
}

/// Checks every page of the database file against its HMAC (SQLCipher's
/// `cipher_integrity_check`), and whether the file ends inside a page. Reads
/// pages raw, so it works even when the schema cannot be read. With a wrong
/// key every page fails: callers pass only a key the key file confirmed.
/// (A file cut exactly at a page boundary has no bad page: SQLite then
/// reports it as malformed, which [`open`] turns into [`DbError::Damaged`].)
pub fn page_problems(conn: &Connection) -> Result<Vec<PageProblem>, DbError> {
    let lines: Vec<String> = conn
        .prepare("PRAGMA cipher_integrity_check")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    let mut problems: Vec<PageProblem> = lines.iter().filter_map(|l| PageProblem::parse(l)).collect();
    problems.sort_by_key(|p| match p {
        PageProblem::Altered(n) | PageProblem::Incomplete(n) | PageProblem::Unreadable(n) => *n,
    });
    problems.dedup();
    Ok(problems)
}

/// Creates a new, empty vault database at `path` (which must not exist).
pub fn create(path: &Path, key: &VaultKey) -> Result<Connection, DbError> {
    let wiping = heap_wiping();
    let mut conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    writes_wait_their_turn(&mut conn);
    configure(&conn, key, wiping)?;
    migrate(&conn)?;
    index_secure_delete(&conn)?;
    Ok(conn)
}

/// Every transaction on a writing connection begins IMMEDIATE: it takes the
/// write lock at `BEGIN`, waiting for it (`busy_timeout`, 5 s) while another
/// process or connection writes. A DEFERRED one (SQLite's default) begins
/// as a reader and asks for the lock at its first write; in WAL mode, if
/// another writer committed meanwhile, that upgrade fails at once with
/// SQLITE_BUSY, without waiting: 20 of 24 `amana case add` started together
/// failed so ("database is locked"), the CLI beside the open app too.
/// Applies to `transaction()` and `unchecked_transaction()`; a statement
/// outside a transaction takes the lock itself and waits as well.
fn writes_wait_their_turn(conn: &mut Connection) {
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
}

fn configure(conn: &Connection, key: &VaultKey, wiping: Wiping) -> Result<(), DbError> {
    // SQLCipher would print "error decrypting page" on a damaged file; the
    // caller turns that into a sentence of its own.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.sqlcipher_key_pragma())?;
    conn.execute_batch(match wiping {
        Wiping::Hooks => "PRAGMA cipher_memory_security = OFF;",
        Wiping::SqlcipherMemorySecurity => "PRAGMA cipher_memory_security = ON;",
    })?;
    // Query plans never depend on bound values. Without this, FTS5's own
    // "find this term in that segment" statement, whose plan SQLite may
    // revise for each new term, was prepared again on every use: many times
    // per search (docs/bench/fixes.md, 7).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // The first read proves the key: SQLCipher checks page 1's HMAC. Callers
    // pass only a key the key file confirmed, so a failure here is damage:
    // name the pages if the raw page check can.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).map_err(|e| as_damage(conn, e))?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    debug_assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA busy_timeout = 5000;",
    )?;
    conn.execute_batch(&format!("PRAGMA cache_size = -{PAGE_CACHE_KIB};"))?;
    Ok(())
}

/// Turns on FTS5's `secure-delete` option for the search index, once per
/// database, and purges what earlier deletes left in the index.
///
/// Without it, deleting a row from an FTS5 table only appends a delete
/// marker: the row's terms (each word of a testimony, folded) stay in the
/// index's segments (`search_index_data`) until a merge happens to rewrite
/// them, which may be never. `PRAGMA secure_delete` cannot help, since those
/// segments are live rows, not freed space. With the option, FTS5 removes a
/// deleted row's entries, and terms left with none, from the segments
/// themselves, in the deleting transaction.
///
/// The option is stored in the database (`search_index_config`), so this
/// writes only once: when a database is created, or the first time a vault
/// made before this option is opened. That first time, `optimize` also
/// merges the index into one segment, which drops every entry of records
/// deleted earlier; the segments it replaces are freed and overwritten
/// (`secure_delete`). Done at open rather than in a migration so that it
/// covers every database whatever its schema version, and costs one indexed
/// read of `search_index_config` on every later open. Needs SQLite 3.42
/// (the bundled SQLCipher's is newer).
fn index_secure_delete(conn: &Connection) -> Result<(), DbError> {
    (|| -> rusqlite::Result<()> {
        let on: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM search_index_config WHERE k = 'secure-delete' AND v = 1)",
            [],
            |r| r.get(0),
        )?;
        if !on {
            let tx = conn.unchecked_transaction()?;
            // Another process opening the vault may have done it meanwhile.
            let done: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM search_index_config WHERE k = 'secure-delete' AND v = 1)",
                [],
                |r| r.get(0),
            )?;
            if done {
                return Ok(());
            }
            tx.execute_batch(
                "INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 1);
                 INSERT INTO search_index(search_index) VALUES ('optimize');",
            )?;
            tx.commit()?;
        }
        Ok(())
    })()
    // The first read of the index at open may be the first to meet a
    // damaged page: named as damage, like any other read at open.
    .map_err(|e| as_damage(conn, e))
}

/// A failed read as damage (with the pages named where the raw page check
/// can name them) when SQLite says the file is damaged; otherwise as it is.
fn as_damage(conn: &Connection, e: rusqlite::Error) -> DbError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            match page_problems(conn) {
                Ok(pages) if !pages.is_empty() => DbError::DamagedPages(pages),
                _ => DbError::Damaged,
            }
        }
        _ => DbError::Sqlite(e),
    }
}

/// Copies every committed page of the journal (vault.db-wal) into vault.db
/// and truncates the journal to zero bytes (`wal_checkpoint(TRUNCATE)`).
/// Returns false if a reader of another connection kept it from finishing
/// within the busy timeout; the journal is then truncated at a later call or
/// when the vault locks.
///
/// Called after a delete commits: until then, vault.db still holds the
/// pages as they were before the delete, and the journal holds every page
/// version written since the last checkpoint, text included; SQLite reuses
/// the journal from its start after a checkpoint but never shortens it, so
/// old frames past the new ones would stay readable with the key. An idle
/// connection (the vault's search reader between searches) holds no read
/// lock and does not stop it.
pub fn truncate_journal(conn: &Connection) -> rusqlite::Result<bool> {
    let busy: i64 = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
    Ok(busy == 0)
}

/// The schema version stored in the database.
pub fn schema_version(conn: &Connection) -> Result<u32, DbError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn migrate(conn: &Connection) -> Result<(), DbError> {
    let current = schema_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(DbError::TooNew { found: current, known: SCHEMA_VERSION });
    }
    if current == SCHEMA_VERSION {
        return Ok(());
    }
    // Read again under the write lock: another process opening the same
    // vault may have migrated it meanwhile.
    let tx = conn.unchecked_transaction()?;
    let current = schema_version(&tx)?;
    if current >= SCHEMA_VERSION {
        return Ok(());
    }
    for sql in &MIGRATIONS[current as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_to_an_empty_database_and_are_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let key = VaultKey::generate();
        let path = dir.path().join("v.db");
        drop(create(&path, &key).unwrap());
        let conn = open(&path, &key).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), SCHEMA_VERSION);
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        let sd: i64 = conn.query_row("PRAGMA secure_delete", [], |r| r.get(0)).unwrap();
        let ts: i64 = conn.query_row("PRAGMA temp_store", [], |r| r.get(0)).unwrap();
        let cache: i64 = conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
        assert_eq!((fk, sd, ts, cache), (1, 1, 2, -i64::from(PAGE_CACHE_KIB)));
    }

    /// Whether any segment of the search index holds `term`.
    fn index_holds(conn: &Connection, term: &str) -> bool {
        conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM search_index_data WHERE instr(block, CAST(?1 AS BLOB)) > 0)",
            [term],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn the_index_forgets_deleted_terms_in_new_and_older_vaults() {
        let dir = tempfile::tempdir().unwrap();
        let key = VaultKey::generate();
        let path = dir.path().join("v.db");
        let insert = "INSERT INTO search_index(rowid, record_id, case_id, kind, names, name_keys, body)
                      VALUES (?1, 'r', 'c', 'testimony', '', '', ?2)";
        let conn = create(&path, &key).unwrap();
        // A new vault: a delete takes the terms out of the segments at once.
        conn.execute(insert, rusqlite::params![1, "kept words"]).unwrap();
        conn.execute(insert, rusqlite::params![2, "vanishingterm"]).unwrap();
        assert!(index_holds(&conn, "vanishingterm"));
        conn.execute("DELETE FROM search_index WHERE rowid = 2", []).unwrap();
        assert!(!index_holds(&conn, "vanishingterm"));
        // A vault from before the option: the delete leaves the term behind...
        conn.execute("INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 0)", []).unwrap();
        conn.execute(insert, rusqlite::params![3, "lingeringterm"]).unwrap();
        conn.execute("DELETE FROM search_index WHERE rowid = 3", []).unwrap();
        assert!(index_holds(&conn, "lingeringterm"), "without the option a deleted term stays in the index");
        drop(conn);
        // ...until the next open turns the option on and purges the index.
        let conn = open(&path, &key).unwrap();
        assert!(!index_holds(&conn, "lingeringterm"));
        assert!(index_holds(&conn, "kept"));
        let on: i64 =
            conn.query_row("SELECT v FROM search_index_config WHERE k = 'secure-delete'", [], |r| r.get(0)).unwrap();
        assert_eq!(on, 1);
        // Later opens find it on and write nothing.
        drop(conn);
        let before = std::fs::read(&path).unwrap();
        let conn = open(&path, &key).unwrap();
        assert_eq!(conn.total_changes(), 0);
        drop(conn);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn every_migration_is_valid_sql_on_its_own() {
        let conn = Connection::open_in_memory().unwrap();
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            conn.execute_batch(sql).unwrap_or_else(|e| panic!("migration {} fails: {e}", i + 1));
        }
    }

    #[test]
    fn wrong_key_is_damaged_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.db");
        drop(create(&path, &VaultKey::generate()).unwrap());
        assert!(matches!(open(&path, &VaultKey::generate()), Err(DbError::Damaged | DbError::DamagedPages(_))));
    }

    #[test]
    fn newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = VaultKey::generate();
        let path = dir.path().join("v.db");
        let conn = create(&path, &key).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(conn);
        assert!(matches!(open(&path, &key), Err(DbError::TooNew { .. })));
    }
}
