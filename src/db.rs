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
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Whether SQLCipher wipes all memory it frees. Measured in docs/SECURITY.md
/// ("cipher_memory_security"): we keep it on.
pub const CIPHER_MEMORY_SECURITY: bool = true;

/// Why the database could not be opened or used.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The key did not decrypt the file, or the file is not a database.
    #[error("the vault database cannot be read: it is damaged or does not belong to this key file")]
    Damaged,
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

/// Opens an existing vault database with `key`, applies settings and pending migrations.
pub fn open(path: &Path, key: &VaultKey) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&conn, key)?;
    migrate(&conn)?;
    Ok(conn)
}

/// Creates a new, empty vault database at `path` (which must not exist).
pub fn create(path: &Path, key: &VaultKey) -> Result<Connection, DbError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn, key)?;
    migrate(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection, key: &VaultKey) -> Result<(), DbError> {
    // SQLCipher would print "error decrypting page" on a damaged file; the
    // caller turns that into a sentence of its own.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&key.sqlcipher_key_pragma())?;
    conn.execute_batch(if CIPHER_MEMORY_SECURITY {
        "PRAGMA cipher_memory_security = ON;"
    } else {
        "PRAGMA cipher_memory_security = OFF;"
    })?;
    // The first read proves the key: SQLCipher checks page 1's HMAC.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(())).map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => DbError::Damaged,
        _ => DbError::Sqlite(e),
    })?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    debug_assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA busy_timeout = 5000;",
    )?;
    Ok(())
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
    let tx = conn.unchecked_transaction()?;
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
        assert_eq!((fk, sd, ts), (1, 1, 2));
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
        assert!(matches!(open(&path, &VaultKey::generate()), Err(DbError::Damaged)));
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
