//! The printable recovery key, shown once at vault creation.
//!
//! 160 random bits written as 32 Crockford base32 characters plus a 4-character
//! check group, in nine groups of four: `AMANA-XXXX-...`. The check group lets
//! Amana tell a typo ("this is not a valid recovery key") apart from a valid key
//! of another vault. Because the key is uniformly random and long, it is
//! stretched with HKDF, not a slow KDF.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes of entropy in a recovery key.
pub const RECOVERY_KEY_LEN: usize = 20;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const PREFIX: &str = "AMANA";

/// A recovery key. Never printed except once, deliberately, by [`RecoveryKey::display_once`].
///
/// ```compile_fail
/// fn leak(k: &amana::crypto::recovery::RecoveryKey) -> String { format!("{:?}", k) }
/// ```
/// ```compile_fail
/// fn copy(k: &amana::crypto::recovery::RecoveryKey) -> amana::crypto::recovery::RecoveryKey { k.clone() }
/// ```
pub struct RecoveryKey(SecretBox<[u8; RECOVERY_KEY_LEN]>);

/// The text was not a well-formed recovery key (a typo, a missing group).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "this is not a valid recovery key: check it for typos (it has nine groups of four letters and digits after AMANA)"
)]
pub struct MalformedRecoveryKey;

impl RecoveryKey {
    /// Draws a new recovery key.
    pub fn generate() -> Self {
        let mut bytes = Box::new([0u8; RECOVERY_KEY_LEN]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        RecoveryKey(SecretBox::new(bytes))
    }

    /// The text to show the person once, at creation. The caller must not
    /// log or store it.
    pub fn display_once(&self) -> SecretString {
        let bytes = self.0.expose_secret();
        let mut chars = Zeroizing::new(encode(bytes));
        chars.push_str(&check_group(bytes));
        let mut out = String::from(PREFIX);
        for group in chars.as_bytes().chunks(4) {
            out.push('-');
            out.push_str(std::str::from_utf8(group).expect("base32 alphabet is ASCII"));
        }
        SecretString::from(out)
    }

    /// Parses what a person typed: case, spaces, dashes and the `AMANA`
    /// prefix do not matter; `O` reads as `0` and `I`/`L` as `1`.
    pub fn parse(text: &SecretString) -> Result<RecoveryKey, MalformedRecoveryKey> {
        let mut cleaned = Zeroizing::new(String::new());
        let upper = Zeroizing::new(text.expose_secret().trim().to_ascii_uppercase());
        let body = upper.strip_prefix(PREFIX).unwrap_or(&upper);
        for c in body.chars() {
            match c {
                '-' | ' ' | '\t' => {}
                'O' => cleaned.push('0'),
                'I' | 'L' => cleaned.push('1'),
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => cleaned.push(c),
                _ => return Err(MalformedRecoveryKey),
            }
        }
        if cleaned.len() != 36 {
            return Err(MalformedRecoveryKey);
        }
        let mut bytes = Box::new([0u8; RECOVERY_KEY_LEN]);
        decode(&cleaned[..32], bytes.as_mut()).ok_or(MalformedRecoveryKey)?;
        let key = RecoveryKey(SecretBox::new(bytes));
        if check_group(key.0.expose_secret()) != cleaned[32..] {
            return Err(MalformedRecoveryKey);
        }
        Ok(key)
    }

    /// The wrapping key this recovery key stands for, for one vault's salt.
    pub(crate) fn wrapping_key(&self, salt: &[u8]) -> Zeroizing<[u8; 32]> {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(salt), self.0.expose_secret());
        let mut out = Zeroizing::new([0u8; 32]);
        hk.expand(b"amana recovery wrap v1", out.as_mut()).expect("valid length");
        out
    }
}

fn encode(bytes: &[u8; RECOVERY_KEY_LEN]) -> String {
    let mut out = String::with_capacity(32);
    for chunk in bytes.chunks(5) {
        let mut acc = 0u64;
        for b in chunk {
            acc = (acc << 8) | u64::from(*b);
        }
        for i in (0..8).rev() {
            out.push(ALPHABET[((acc >> (i * 5)) & 31) as usize] as char);
        }
    }
    out
}

fn decode(text: &str, out: &mut [u8; RECOVERY_KEY_LEN]) -> Option<()> {
    for (i, chunk) in text.as_bytes().chunks(8).enumerate() {
        let mut acc = 0u64;
        for c in chunk {
            acc = (acc << 5) | ALPHABET.iter().position(|a| a == c)? as u64;
        }
        for j in 0..5 {
            out[i * 5 + j] = (acc >> ((4 - j) * 8)) as u8;
        }
    }
    Some(())
}

fn check_group(bytes: &[u8; RECOVERY_KEY_LEN]) -> String {
    let digest = Sha256::digest([b"amana recovery check".as_slice(), bytes].concat());
    let acc = (u32::from(digest[0]) << 12) | (u32::from(digest[1]) << 4) | (u32::from(digest[2]) >> 4);
    (0..4).rev().map(|i| ALPHABET[((acc >> (i * 5)) & 31) as usize] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_then_parse_round_trips_and_is_forgiving() {
        for _ in 0..50 {
            let key = RecoveryKey::generate();
            let shown = key.display_once();
            let text = shown.expose_secret();
            assert_eq!(text.len(), 5 + 9 * 5, "{}", text.len());
            let again = RecoveryKey::parse(&shown).unwrap();
            assert_eq!(again.0.expose_secret(), key.0.expose_secret());
            let sloppy = text.to_lowercase().replace('-', " ").replace('0', "o").replace('1', "l");
            let again = RecoveryKey::parse(&SecretString::from(sloppy)).unwrap();
            assert_eq!(again.0.expose_secret(), key.0.expose_secret());
        }
    }

    #[test]
    fn a_typo_is_caught_by_the_check_group() {
        let key = RecoveryKey::generate();
        let shown = key.display_once();
        let mut caught = 0;
        let text = shown.expose_secret().to_string();
        for pos in 6..text.len() {
            let mut bytes = text.clone().into_bytes();
            if bytes[pos] == b'-' {
                continue;
            }
            bytes[pos] = if bytes[pos] == b'7' { b'8' } else { b'7' };
            let typo = SecretString::from(String::from_utf8(bytes).unwrap());
            if RecoveryKey::parse(&typo).is_err() {
                caught += 1;
            }
        }
        // 20 check bits: a single changed character escapes with probability 2^-20.
        assert_eq!(caught, 36);
    }

    #[test]
    fn garbage_is_malformed() {
        for bad in ["", "AMANA", "AMANA-0000", "hello world", "AMANA-ÄÄÄÄ-0000-0000-0000-0000-0000-0000-0000-0000"]
        {
            assert!(RecoveryKey::parse(&SecretString::from(bad)).is_err(), "{bad}");
        }
    }
}
