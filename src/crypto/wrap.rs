//! Key wraps: the vault key sealed under a wrapping key with
//! XChaCha20-Poly1305, bound to its context by associated data.
//!
//! A wrap never says why it failed to open: a wrong key and a modified wrap
//! give the same error, so an attacker learns nothing from which check failed.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use super::{VaultKey, VAULT_KEY_LEN};

/// Length of an XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a sealed vault key (key plus Poly1305 tag).
pub const SEALED_LEN: usize = VAULT_KEY_LEN + 16;

/// The vault key sealed under one wrapping key.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKey {
    /// Random nonce, fresh for every seal.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext and tag.
    pub sealed: [u8; SEALED_LEN],
}

/// The wrapping key or the wrap was wrong: deliberately one coarse error.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the key could not be unwrapped")]
pub struct UnwrapFailed;

/// Seals `key` under `wrapping_key`; `context` is authenticated, not stored.
pub fn seal(key: &VaultKey, wrapping_key: &[u8; 32], context: &[u8]) -> SealedKey {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let cipher = XChaCha20Poly1305::new(wrapping_key.into());
    let out = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key.expose(), aad: context })
        .expect("encrypting 32 bytes cannot fail");
    let mut sealed = [0u8; SEALED_LEN];
    sealed.copy_from_slice(&out);
    SealedKey { nonce, sealed }
}

/// Opens a sealed key; fails if the wrapping key, the wrap or the context differ.
pub fn open(sealed: &SealedKey, wrapping_key: &[u8; 32], context: &[u8]) -> Result<VaultKey, UnwrapFailed> {
    let cipher = XChaCha20Poly1305::new(wrapping_key.into());
    let plain = zeroize::Zeroizing::new(
        cipher
            .decrypt(XNonce::from_slice(&sealed.nonce), Payload { msg: &sealed.sealed, aad: context })
            .map_err(|_| UnwrapFailed)?,
    );
    let mut bytes = [0u8; VAULT_KEY_LEN];
    bytes.copy_from_slice(&plain);
    Ok(VaultKey::from_bytes(&mut bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn seal_then_open_round_trips(wk in any::<[u8; 32]>(), ctx in proptest::collection::vec(any::<u8>(), 0..64)) {
            let key = VaultKey::generate();
            let sealed = seal(&key, &wk, &ctx);
            let opened = open(&sealed, &wk, &ctx).unwrap();
            prop_assert_eq!(opened.expose(), key.expose());
        }

        #[test]
        fn any_single_bit_flip_is_refused(bit in 0usize..(8 * (NONCE_LEN + SEALED_LEN))) {
            let wk = [7u8; 32];
            let key = VaultKey::generate();
            let mut sealed = seal(&key, &wk, b"ctx");
            let byte = bit / 8;
            if byte < NONCE_LEN { sealed.nonce[byte] ^= 1 << (bit % 8) } else { sealed.sealed[byte - NONCE_LEN] ^= 1 << (bit % 8) }
            prop_assert!(open(&sealed, &wk, b"ctx").is_err());
        }
    }

    #[test]
    fn wrong_key_or_context_is_refused() {
        let key = VaultKey::generate();
        let sealed = seal(&key, &[1u8; 32], b"ctx");
        assert_eq!(open(&sealed, &[2u8; 32], b"ctx").err(), Some(UnwrapFailed));
        assert_eq!(open(&sealed, &[1u8; 32], b"other").err(), Some(UnwrapFailed));
    }
}
