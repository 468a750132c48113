//! The key file (`vault.key`): the only place the vault key is stored, and
//! only wrapped.
//!
//! Layout, version 1 (all integers big-endian):
//!
//! ```text
//! magic "AMANAKEY" (8) | version u16 | vault id (16) | key check (32) | slot count u8
//! slot*: kind u8 | body length u16 | body
//!   kind 1, passphrase: memory KiB u32 | passes u32 | lanes u32 | salt (16) | nonce (24) | sealed (48)
//!   kind 2, recovery:   salt (16) | nonce (24) | sealed (48)
//! SHA-256 of everything above (32)
//! ```
//!
//! The trailing digest tells damage ("the key file is damaged") apart from a
//! wrong passphrase; the wraps themselves are authenticated, with the header and
//! the slot's own parameters as associated data, so a changed parameter cannot
//! open. The key check (an HKDF output of the vault key) lets a key coming from
//! the OS keyring be confirmed as this vault's key before it touches the
//! database. This module never sees a passphrase.

use sha2::{Digest, Sha256};

use crate::crypto::kdf::KdfParams;
use crate::crypto::wrap::{SealedKey, NONCE_LEN, SEALED_LEN};
use crate::crypto::{constant_time_eq, VaultKey};

/// First bytes of every key file.
pub const MAGIC: &[u8; 8] = b"AMANAKEY";
/// The key file version this build writes and reads.
pub const VERSION: u16 = 1;
/// Key files are tiny; anything larger is not one.
const MAX_LEN: usize = 64 * 1024;
const SALT_LEN: usize = 16;
const MAX_SLOTS: usize = 8;

/// Where a wrap of the vault key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Slot {
    /// Wrapped under Argon2id(passphrase).
    Passphrase {
        /// Argon2id cost.
        params: KdfParams,
        /// Argon2id salt.
        salt: [u8; SALT_LEN],
        /// The sealed vault key.
        key: SealedKey,
    },
    /// Wrapped under HKDF(recovery key).
    Recovery {
        /// HKDF salt.
        salt: [u8; SALT_LEN],
        /// The sealed vault key.
        key: SealedKey,
    },
}

/// A parsed key file.
#[derive(Clone, PartialEq, Eq)]
pub struct KeyFile {
    /// Identifies the vault (also names its keyring entry).
    pub vault_id: [u8; 16],
    /// HKDF(vault key, "key check"): confirms a candidate vault key.
    pub key_check: [u8; 32],
    /// The wraps, at most one of each kind.
    pub slots: Vec<Slot>,
}

/// Why a key file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyFileError {
    /// The file does not start with the key file magic.
    #[error("this is not an Amana key file")]
    NotAKeyFile,
    /// A version this build does not know (written by a newer Amana).
    #[error("the key file has version {0}, which this version of Amana cannot read; install a newer Amana")]
    UnsupportedVersion(u16),
    /// Truncated, bit-flipped or otherwise malformed.
    #[error("the key file is damaged")]
    Damaged,
}

impl Slot {
    fn kind(&self) -> u8 {
        match self {
            Slot::Passphrase { .. } => 1,
            Slot::Recovery { .. } => 2,
        }
    }

    /// The slot's bytes that are authenticated but not secret.
    fn public_part(&self) -> Vec<u8> {
        let mut out = vec![self.kind()];
        match self {
            Slot::Passphrase { params, salt, .. } => {
                out.extend(params.memory_kib.to_be_bytes());
                out.extend(params.iterations.to_be_bytes());
                out.extend(params.parallelism.to_be_bytes());
                out.extend(salt);
            }
            Slot::Recovery { salt, .. } => out.extend(salt),
        }
        out
    }

    fn sealed(&self) -> &SealedKey {
        match self {
            Slot::Passphrase { key, .. } | Slot::Recovery { key, .. } => key,
        }
    }
}

impl KeyFile {
    /// The key check value for a vault key and vault id.
    pub fn key_check_for(key: &VaultKey, vault_id: &[u8; 16]) -> [u8; 32] {
        *key.derive(&[b"amana key check".as_slice(), vault_id].concat())
    }

    /// Whether `key` is this vault's key.
    pub fn confirms(&self, key: &VaultKey) -> bool {
        constant_time_eq(&Self::key_check_for(key, &self.vault_id), &self.key_check)
    }

    /// Associated data binding a wrap to this vault and to its slot parameters.
    pub fn wrap_context(vault_id: &[u8; 16], slot_public: &[u8]) -> Vec<u8> {
        let mut ctx = Vec::with_capacity(64);
        ctx.extend(MAGIC);
        ctx.extend(VERSION.to_be_bytes());
        ctx.extend(vault_id);
        ctx.extend(slot_public);
        ctx
    }

    /// The context for a given slot of this file.
    pub fn context_of(&self, slot: &Slot) -> Vec<u8> {
        Self::wrap_context(&self.vault_id, &slot.public_part())
    }

    /// The context a new slot with these public fields will have.
    pub fn context_for_new(vault_id: &[u8; 16], template: &Slot) -> Vec<u8> {
        Self::wrap_context(vault_id, &template.public_part())
    }

    /// The passphrase slot, if any.
    pub fn passphrase_slot(&self) -> Option<&Slot> {
        self.slots.iter().find(|s| matches!(s, Slot::Passphrase { .. }))
    }

    /// The recovery slot, if any.
    pub fn recovery_slot(&self) -> Option<&Slot> {
        self.slots.iter().find(|s| matches!(s, Slot::Recovery { .. }))
    }

    /// Serialises the key file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512);
        out.extend(MAGIC);
        out.extend(VERSION.to_be_bytes());
        out.extend(self.vault_id);
        out.extend(self.key_check);
        out.push(self.slots.len() as u8);
        for slot in &self.slots {
            let mut body = slot.public_part().split_off(1);
            body.extend(slot.sealed().nonce);
            body.extend(slot.sealed().sealed);
            out.push(slot.kind());
            out.extend((body.len() as u16).to_be_bytes());
            out.extend(body);
        }
        let digest = Sha256::digest(&out);
        out.extend(digest);
        out
    }

    /// Parses and checks a key file.
    pub fn from_bytes(bytes: &[u8]) -> Result<KeyFile, KeyFileError> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(KeyFileError::NotAKeyFile);
        }
        if bytes.len() > MAX_LEN || bytes.len() < MAGIC.len() + 2 + 16 + 32 + 1 + 32 {
            return Err(KeyFileError::Damaged);
        }
        let (body, digest) = bytes.split_at(bytes.len() - 32);
        if !constant_time_eq(&Sha256::digest(body), digest) {
            // A damaged version field is still damage, not a newer format.
            return Err(KeyFileError::Damaged);
        }
        let mut r = Reader { buf: body, pos: MAGIC.len() };
        let version = u16::from_be_bytes(r.array()?);
        if version != VERSION {
            return Err(KeyFileError::UnsupportedVersion(version));
        }
        let vault_id = r.array()?;
        let key_check = r.array()?;
        let count = r.byte()? as usize;
        if count == 0 || count > MAX_SLOTS {
            return Err(KeyFileError::Damaged);
        }
        let mut slots = Vec::with_capacity(count);
        for _ in 0..count {
            let kind = r.byte()?;
            let len = u16::from_be_bytes(r.array()?) as usize;
            let mut s = Reader { buf: r.take(len)?, pos: 0 };
            let slot = match kind {
                1 => {
                    let params = KdfParams {
                        memory_kib: u32::from_be_bytes(s.array()?),
                        iterations: u32::from_be_bytes(s.array()?),
                        parallelism: u32::from_be_bytes(s.array()?),
                    };
                    params.validate().map_err(|_| KeyFileError::Damaged)?;
                    Slot::Passphrase { params, salt: s.array()?, key: s.sealed()? }
                }
                2 => Slot::Recovery { salt: s.array()?, key: s.sealed()? },
                _ => return Err(KeyFileError::Damaged),
            };
            if s.pos != s.buf.len() || slots.iter().any(|o: &Slot| o.kind() == slot.kind()) {
                return Err(KeyFileError::Damaged);
            }
            slots.push(slot);
        }
        if r.pos != body.len() {
            return Err(KeyFileError::Damaged);
        }
        Ok(KeyFile { vault_id, key_check, slots })
    }
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], KeyFileError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len()).ok_or(KeyFileError::Damaged)?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn byte(&mut self) -> Result<u8, KeyFileError> {
        Ok(self.take(1)?[0])
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], KeyFileError> {
        Ok(self.take(N)?.try_into().expect("take returned N bytes"))
    }
    fn sealed(&mut self) -> Result<SealedKey, KeyFileError> {
        Ok(SealedKey { nonce: self.array::<NONCE_LEN>()?, sealed: self.array::<SEALED_LEN>()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::kdf::MIN_MEMORY_KIB;
    use crate::crypto::wrap;

    fn sample() -> KeyFile {
        let key = VaultKey::generate();
        let vault_id = [9u8; 16];
        let params = KdfParams { memory_kib: MIN_MEMORY_KIB, iterations: 2, parallelism: 1 };
        let template = Slot::Passphrase { params, salt: [3u8; 16], key: SealedKey { nonce: [0; 24], sealed: [0; 48] } };
        let sealed = wrap::seal(&key, &[1u8; 32], &KeyFile::context_for_new(&vault_id, &template));
        let rec = wrap::seal(&key, &[2u8; 32], b"x");
        KeyFile {
            vault_id,
            key_check: KeyFile::key_check_for(&key, &vault_id),
            slots: vec![
                Slot::Passphrase { params, salt: [3u8; 16], key: sealed },
                Slot::Recovery { salt: [4u8; 16], key: rec },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let kf = sample();
        assert!(KeyFile::from_bytes(&kf.to_bytes()).unwrap() == kf);
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_detected() {
        let bytes = sample().to_bytes();
        for len in 0..bytes.len() {
            assert!(KeyFile::from_bytes(&bytes[..len]).is_err(), "truncated at {len}");
        }
        for bit in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            let err = KeyFile::from_bytes(&b).err().expect("flip must be detected");
            let expected = if bit / 8 < MAGIC.len() { KeyFileError::NotAKeyFile } else { KeyFileError::Damaged };
            assert_eq!(err, expected, "bit {bit}");
        }
    }

    #[test]
    fn newer_version_is_named_as_such() {
        let mut bytes = sample().to_bytes();
        bytes.truncate(bytes.len() - 32);
        bytes[8..10].copy_from_slice(&2u16.to_be_bytes());
        let digest = Sha256::digest(&bytes);
        bytes.extend(digest);
        assert_eq!(KeyFile::from_bytes(&bytes).err(), Some(KeyFileError::UnsupportedVersion(2)));
    }
}
