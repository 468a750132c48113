//! "Remember on this device": a copy of the vault key in the OS keyring
//! (the Secret Service on Linux), never the only copy.
//!
//! The entry carries the vault id beside the key, and the key is confirmed
//! against the key file's key check before use, so an entry from another vault
//! or a damaged entry can never unlock the wrong vault. "No entry" is
//! `Ok(None)`; a missing or broken keyring service is an error of its own so
//! the caller can say so and ask for the passphrase instead.

use zeroize::Zeroizing;

use crate::crypto::{VaultKey, VAULT_KEY_LEN};

const SERVICE: &str = "amana";
const MAGIC: &[u8; 6] = b"AMANA1";

/// Why the keyring could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No keyring service (headless Linux, no session bus, locked collection).
    #[error(
        "no keyring service is available on this device, so the vault cannot be remembered here; use the passphrase"
    )]
    Unavailable,
    /// The entry exists but does not hold this vault's key.
    #[error("the key remembered on this device does not open this vault; it was ignored. Unlock with the passphrase, then `amana remember` again")]
    Mismatch,
    /// Any other keyring failure.
    #[error("the keyring service failed; use the passphrase")]
    Failed,
}

fn entry(vault_id: &[u8; 16]) -> Result<keyring::Entry, KeyringError> {
    keyring::Entry::new(SERVICE, &format!("vault-{}", hex::encode(vault_id))).map_err(map_err)
}

fn map_err(e: keyring::Error) -> KeyringError {
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => KeyringError::Unavailable,
        _ => KeyringError::Failed,
    }
}

/// Stores the vault key for this vault in the keyring.
pub fn store(vault_id: &[u8; 16], key: &VaultKey) -> Result<(), KeyringError> {
    let mut payload = Zeroizing::new(Vec::with_capacity(MAGIC.len() + 16 + VAULT_KEY_LEN));
    payload.extend_from_slice(MAGIC);
    payload.extend_from_slice(vault_id);
    payload.extend_from_slice(key.expose());
    entry(vault_id)?.set_secret(&payload).map_err(map_err)
}

/// Reads this vault's key from the keyring: `Ok(None)` when nothing is stored.
/// The caller must still confirm the key against the key file.
pub fn load(vault_id: &[u8; 16]) -> Result<Option<VaultKey>, KeyringError> {
    let secret = match entry(vault_id)?.get_secret() {
        Ok(s) => Zeroizing::new(s),
        Err(keyring::Error::NoEntry) => return Ok(None),
        Err(e) => return Err(map_err(e)),
    };
    if secret.len() != MAGIC.len() + 16 + VAULT_KEY_LEN
        || &secret[..MAGIC.len()] != MAGIC
        || &secret[MAGIC.len()..MAGIC.len() + 16] != vault_id
    {
        return Err(KeyringError::Mismatch);
    }
    let mut bytes = [0u8; VAULT_KEY_LEN];
    bytes.copy_from_slice(&secret[MAGIC.len() + 16..]);
    Ok(Some(VaultKey::from_bytes(&mut bytes)))
}

/// Removes this vault's entry; removing an absent entry is not an error.
pub fn remove(vault_id: &[u8; 16]) -> Result<(), KeyringError> {
    match entry(vault_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(map_err(e)),
    }
}

/// Writes raw bytes as this vault's entry. Tests use it to plant damaged or
/// foreign entries; nothing else should.
#[doc(hidden)]
pub fn store_raw_for_tests(vault_id: &[u8; 16], payload: &[u8]) -> Result<(), KeyringError> {
    entry(vault_id)?.set_secret(payload).map_err(map_err)
}
