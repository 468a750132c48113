//! Key material and the primitives that protect it: the vault key, Argon2id,
//! the XChaCha20-Poly1305 key wraps and the printable recovery key.
//!
//! Nothing in here ever formats a secret: no `Debug`, `Display`, `Clone` or
//! `Serialize` on any type holding key bytes, and every buffer that held one is
//! zeroized when dropped.

pub mod kdf;
pub mod recovery;
pub mod wrap;

use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use zeroize::Zeroizing;

/// A passphrase typed by a person. Zeroized on drop, never printed.
pub type Passphrase = SecretString;

/// Length of the vault key in bytes (256 bits).
pub const VAULT_KEY_LEN: usize = 32;

/// The random 256-bit key that encrypts the database (the SQLCipher raw key)
/// and from which every other vault secret is reached.
///
/// It exists on disk only wrapped (see [`wrap`]); in memory it is zeroized when
/// the vault locks. Deliberately implements neither `Debug` nor `Clone` nor
/// `Serialize`; these must not compile:
///
/// ```compile_fail
/// fn leak(k: &amana::VaultKey) -> String { format!("{:?}", k) }
/// ```
/// ```compile_fail
/// fn copy(k: &amana::VaultKey) -> amana::VaultKey { k.clone() }
/// ```
/// ```compile_fail
/// fn ser(k: &amana::VaultKey) -> String { serde_json::to_string(k).unwrap() }
/// ```
pub struct VaultKey(SecretBox<[u8; VAULT_KEY_LEN]>);

impl VaultKey {
    /// Draws a fresh key from the operating system's CSPRNG.
    pub fn generate() -> Self {
        let mut key = SecretBox::new(Box::new([0u8; VAULT_KEY_LEN]));
        rand::rngs::OsRng.fill_bytes(secrecy::ExposeSecretMut::expose_secret_mut(&mut key));
        VaultKey(key)
    }

    /// Takes ownership of key bytes, zeroizing the caller's copy.
    pub(crate) fn from_bytes(bytes: &mut [u8; VAULT_KEY_LEN]) -> Self {
        let key = SecretBox::new(Box::new(*bytes));
        zeroize::Zeroize::zeroize(bytes);
        VaultKey(key)
    }

    pub(crate) fn expose(&self) -> &[u8; VAULT_KEY_LEN] {
        self.0.expose_secret()
    }

    /// The SQL statement that hands this key to SQLCipher as a raw key
    /// (`x'..'`), so opening the database runs no second KDF.
    pub(crate) fn sqlcipher_key_pragma(&self) -> Zeroizing<String> {
        let mut sql = Zeroizing::new(String::with_capacity(20 + 2 * VAULT_KEY_LEN));
        sql.push_str("PRAGMA key = \"x'");
        let hex = Zeroizing::new(hex::encode(self.expose()));
        sql.push_str(&hex);
        sql.push_str("'\";");
        sql
    }

    /// Derives an independent 256-bit subkey for one purpose (HKDF-SHA256), so
    /// that no two mechanisms ever use the same key.
    pub(crate) fn derive(&self, purpose: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = hkdf::Hkdf::<sha2::Sha256>::new(Some(b"amana vault key v1"), self.expose());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(purpose, out.as_mut()).expect("32 bytes is a valid HKDF-SHA256 length");
        out
    }
}

/// Compares two byte strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads the passphrase's bytes; kept in one place so every caller agrees on
/// the encoding (UTF-8, as typed, no normalisation of spaces).
pub(crate) fn passphrase_bytes(p: &Passphrase) -> &[u8] {
    p.expose_secret().as_bytes()
}
