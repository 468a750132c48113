//! Evidence seals: each encrypted file bound to its record by the SHA-256 of
//! its age header, recorded in the same transaction as the record.
//!
//! Why this is enough to trust the plaintext without hashing it again: an age
//! header ends with a MAC keyed by the file's own random file key, and every
//! payload chunk is authenticated (ChaCha20-Poly1305, with a final-chunk flag
//! against truncation) under a key derived from that file key. A file whose
//! header is byte for byte the sealed one, and which decrypts to its end,
//! therefore carries the payload Amana wrote when it stored the file: only the
//! holder of that file key could have made another, and Amana forgets it once
//! the file is written. The record's SHA-256 was computed over exactly those
//! plaintext bytes, so it still describes them. A file swapped for another
//! vault file, or with a damaged header, fails the seal.
//!
//! Vaults from before the seals have none for their files; those are hashed
//! as before.

use std::io::{self, Read, Write};

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The most bytes read looking for the end of an age header. A vault file has
/// one X25519 stanza (about 200 bytes).
pub(crate) const MAX_HEADER: usize = 16 * 1024;

/// The length of the age header at the start of `bytes` (up to and including
/// the newline after the `---` MAC line), if it is all there.
pub(crate) fn header_len(bytes: &[u8]) -> Option<usize> {
    // Stanza bodies are unpadded base64, which has no '-'; a stanza line
    // starts with "-> ". So the first line starting with "--- " is the MAC.
    let mut line_start = 0;
    while line_start < bytes.len() {
        let end = bytes[line_start..].iter().position(|&b| b == b'\n')? + line_start;
        if bytes[line_start..end].starts_with(b"--- ") {
            return Some(end + 1);
        }
        line_start = end + 1;
    }
    None
}

/// The hex SHA-256 of the header at the start of `bytes`.
pub(crate) fn digest(bytes: &[u8]) -> Option<String> {
    header_len(bytes).map(|n| hex::encode(Sha256::digest(&bytes[..n])))
}

/// Reads the start of an encrypted file, up to the end of its header (or
/// [`MAX_HEADER`] bytes). Returns the bytes read, which the decryptor must
/// read first, so the header that is decrypted is the header that was
/// checked.
pub(crate) fn read_head(file: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while head.len() < MAX_HEADER && header_len(&head).is_none() {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// The seal recorded for an evidence file, if any.
pub(crate) fn stored(conn: &Connection, id: Uuid) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT header_sha256 FROM evidence_seals WHERE evidence_id = ?1")?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()
}

/// Records (or replaces) an evidence file's seal. Call it in the transaction
/// that stores the record, after the record row exists.
pub(crate) fn record(conn: &Connection, id: Uuid, header_sha256: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO evidence_seals(evidence_id, header_sha256) VALUES (?1, ?2)
         ON CONFLICT(evidence_id) DO UPDATE SET header_sha256 = excluded.header_sha256",
        rusqlite::params![id.to_string(), header_sha256],
    )?;
    Ok(())
}

/// A writer that keeps the first bytes written through it, to seal the age
/// header as it was written (not as it is read back later).
pub(crate) struct HeadTap<W> {
    inner: W,
    head: Vec<u8>,
}

impl<W> HeadTap<W> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: W) -> Self {
        HeadTap { inner, head: Vec::new() }
    }

    /// The seal of what was written, and the inner writer.
    pub(crate) fn into_parts(self) -> (Option<String>, W) {
        (digest(&self.head), self.inner)
    }
}

impl<W: Write> Write for HeadTap<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        if self.head.len() < MAX_HEADER && header_len(&self.head).is_none() {
            let keep = n.min(MAX_HEADER - self.head.len());
            self.head.extend_from_slice(&buf[..keep]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn encrypt(plaintext: &[u8]) -> (Vec<u8>, Option<String>) {
        let id = age::x25519::Identity::generate();
        let recipient = id.to_public();
        let enc = age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient)).unwrap();
        let mut w = enc.wrap_output(HeadTap::new(Vec::new())).unwrap();
        w.write_all(plaintext).unwrap();
        let (seal, bytes) = w.finish().unwrap().into_parts();
        (bytes, seal)
    }

    #[test]
    fn the_seal_is_the_digest_of_the_header_exactly() {
        let (bytes, seal) = encrypt(b"testimony of a fictional witness");
        let n = header_len(&bytes).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1\n"));
        assert!(
            bytes[..n].ends_with(b"\n") && bytes[..n - 1].rsplit(|&b| b == b'\n').next().unwrap().starts_with(b"--- ")
        );
        assert_eq!(seal.as_deref(), Some(hex::encode(Sha256::digest(&bytes[..n])).as_str()));
        let mut cursor = io::Cursor::new(&bytes);
        let head = read_head(&mut cursor).unwrap();
        assert_eq!(digest(&head), seal, "read back from the file, the same seal");
    }

    #[test]
    fn two_encryptions_of_the_same_file_have_different_seals() {
        let (_, a) = encrypt(b"same");
        let (_, b) = encrypt(b"same");
        assert_ne!(a, b, "each file has its own random file key, so its own header");
    }

    #[test]
    fn no_header_end_no_seal() {
        assert_eq!(header_len(b"age-encryption.org/v1\n-> X25519 abc\nAAAA\n"), None);
        assert_eq!(header_len(b""), None);
        let long = vec![b'A'; MAX_HEADER * 2];
        let head = read_head(&mut io::Cursor::new(&long)).unwrap();
        assert!(head.len() >= MAX_HEADER && head.len() < MAX_HEADER + 512);
        assert_eq!(digest(&head), None);
    }

    #[test]
    fn the_seal_table_records_and_replaces() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
        for sql in crate::db::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        let id = Uuid::from_str("00000000-0000-4000-8000-000000000001").unwrap();
        conn.execute(
            "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, data)
             VALUES (?1, 'case', ?1, 1, 'now', 'now', '{}')",
            [id.to_string()],
        )
        .unwrap();
        assert_eq!(stored(&conn, id).unwrap(), None);
        record(&conn, id, "aa").unwrap();
        record(&conn, id, "bb").unwrap();
        assert_eq!(stored(&conn, id).unwrap().as_deref(), Some("bb"));
        conn.execute("DELETE FROM records WHERE id = ?1", [id.to_string()]).unwrap();
        assert_eq!(stored(&conn, id).unwrap(), None, "a deleted record takes its seal with it");
    }
}
