//! Arbitrary bytes as `manifest.json` and `manifest.sig` (split at the first
//! NUL byte, which JSON never contains): parsing, the version probe, the
//! signature and every manifest rule. Also runs the rules on any manifest
//! that parses, since random bytes almost never carry a valid signature.

#![no_main]

use amana::bundle::{read, validate_manifest, Manifest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (manifest, sig) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let _ = read::check_manifest(manifest, sig);
    if let Ok(m) = serde_json::from_slice::<Manifest>(manifest) {
        let _ = validate_manifest(&m);
    }
});
