//! Arbitrary bytes as `vault.key` (src/keyfile.rs): the parser must never
//! panic, and whatever it accepts must be canonical: serialising the parsed
//! key file gives back exactly the bytes read, so no two files mean the same
//! key file and nothing in an accepted file is ignored.
//!
//! Random bytes almost never carry a valid SHA-256 trailer, which would stop
//! every input at the digest check; so each input is also tried as a body
//! with its correct digest appended, which is what a deliberate tamperer
//! writes, and takes the fuzzer into the field parsing.

#![no_main]

use amana::keyfile::KeyFile;
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

fn check(bytes: &[u8]) {
    if let Ok(kf) = KeyFile::from_bytes(bytes) {
        let again = kf.to_bytes();
        assert_eq!(again.as_slice(), bytes, "an accepted key file is exactly its serialisation");
        assert!(KeyFile::from_bytes(&again).ok() == Some(kf), "the serialisation parses to the same key file");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    let mut sealed = data.to_vec();
    sealed.extend(Sha256::digest(data));
    check(&sealed);
});
