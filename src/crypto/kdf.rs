//! Argon2id: turns a passphrase into a key-wrapping key.
//!
//! Parameters are chosen at vault creation (calibrated to about one second on
//! the creating machine, never under 64 MiB) and stored beside the wrap they
//! protect. Parameters read from disk are bounded so that a hostile key file
//! cannot make the program allocate or loop without limit.

use std::time::{Duration, Instant};

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::{passphrase_bytes, Passphrase};

/// The least memory Amana accepts for Argon2id, in KiB (64 MiB).
pub const MIN_MEMORY_KIB: u32 = 64 * 1024;
/// The most memory a stored parameter set may ask for, in KiB (4 GiB).
pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
/// The most passes a stored parameter set may ask for.
pub const MAX_ITERATIONS: u32 = 64;
/// The most lanes a stored parameter set may ask for.
pub const MAX_PARALLELISM: u32 = 16;
/// Memory used by calibration, in KiB (256 MiB), lowered on slow machines.
pub const DEFAULT_MEMORY_KIB: u32 = 256 * 1024;

/// Argon2id cost parameters, stored in the key file with the wrap they protect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Number of passes over memory.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

/// Why a parameter set was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KdfError {
    /// The parameters are outside the bounds Amana accepts.
    #[error("the key derivation settings are outside the accepted range (memory {min}..{max} KiB, 1..{max_t} passes, 1..{max_p} lanes)", min = MIN_MEMORY_KIB, max = MAX_MEMORY_KIB, max_t = MAX_ITERATIONS, max_p = MAX_PARALLELISM)]
    OutOfBounds,
}

impl KdfParams {
    /// Checks the parameters against Amana's bounds.
    pub fn validate(&self) -> Result<(), KdfError> {
        let ok = (MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=MAX_ITERATIONS).contains(&self.iterations)
            && (1..=MAX_PARALLELISM).contains(&self.parallelism);
        if ok {
            Ok(())
        } else {
            Err(KdfError::OutOfBounds)
        }
    }

    /// Finds the number of passes at which one derivation takes about
    /// `target` on this machine, with [`DEFAULT_MEMORY_KIB`] (or less, never
    /// under the minimum, if one pass alone is already slower than the target).
    pub fn calibrate(target: Duration) -> KdfParams {
        let mut memory_kib = DEFAULT_MEMORY_KIB;
        loop {
            let probe = KdfParams { memory_kib, iterations: 1, parallelism: 1 };
            let started = Instant::now();
            let _ = derive_key(&Passphrase::from("calibration"), &[0u8; 16], &probe);
            let one_pass = started.elapsed().max(Duration::from_millis(1));
            if one_pass > target && memory_kib > MIN_MEMORY_KIB {
                memory_kib = (memory_kib / 2).max(MIN_MEMORY_KIB);
                continue;
            }
            let passes = (target.as_secs_f64() / one_pass.as_secs_f64()).round() as u32;
            return KdfParams { memory_kib, iterations: passes.clamp(1, MAX_ITERATIONS), parallelism: 1 };
        }
    }
}

/// Derives a 256-bit key-wrapping key from a passphrase and salt.
pub fn derive_key(passphrase: &Passphrase, salt: &[u8], params: &KdfParams) -> Result<Zeroizing<[u8; 32]>, KdfError> {
    params.validate()?;
    let argon_params = Params::new(params.memory_kib, params.iterations, params.parallelism, Some(32))
        .map_err(|_| KdfError::OutOfBounds)?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, argon_params);
    let mut out = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(passphrase_bytes(passphrase), salt, out.as_mut()).map_err(|_| KdfError::OutOfBounds)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: KdfParams = KdfParams { memory_kib: MIN_MEMORY_KIB, iterations: 1, parallelism: 1 };

    #[test]
    fn same_input_same_key_and_salt_matters() {
        let p = Passphrase::from("correct horse battery staple");
        let a = derive_key(&p, &[1u8; 16], &FAST).unwrap();
        let b = derive_key(&p, &[1u8; 16], &FAST).unwrap();
        let c = derive_key(&p, &[2u8; 16], &FAST).unwrap();
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
    }

    #[test]
    fn parameters_below_the_floor_or_absurd_are_refused() {
        let p = Passphrase::from("x");
        for bad in [
            KdfParams { memory_kib: MIN_MEMORY_KIB - 1, ..FAST },
            KdfParams { memory_kib: MAX_MEMORY_KIB + 1, ..FAST },
            KdfParams { iterations: 0, ..FAST },
            KdfParams { iterations: MAX_ITERATIONS + 1, ..FAST },
            KdfParams { parallelism: 0, ..FAST },
        ] {
            assert_eq!(derive_key(&p, &[0u8; 16], &bad).err(), Some(KdfError::OutOfBounds), "{bad:?}");
        }
    }
}
