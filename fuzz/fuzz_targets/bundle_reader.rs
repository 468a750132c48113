//! Arbitrary bytes as the decrypted content of a bundle (the tar stream inside
//! the age layer), through everything the reader checks: entry types, paths,
//! order and sizes, the manifest and its signature, every file's digest, and
//! what follows the archive. The reader must return an error or a verified
//! manifest, never panic, hang or allocate without bound.

#![no_main]

use amana::bundle::{read, BundleError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut files = 0usize;
    let result = read::read_tar(data, &mut |f, r| {
        files += 1;
        // Read as the importer does; the reader checks the digest after.
        let mut buf = [0u8; 4096];
        let mut seen = 0u64;
        loop {
            let n = r.read(&mut buf).map_err(|_| BundleError::Damaged)?;
            if n == 0 {
                break;
            }
            seen += n as u64;
        }
        assert!(seen <= f.size, "the reader passed on more bytes than the manifest declares");
        Ok(())
    });
    if let Ok(v) = result {
        // Whatever passes is a manifest that obeys every rule of the format.
        amana::bundle::validate_manifest(&v.manifest).expect("a verified manifest is valid");
        assert_eq!(files, v.manifest.files.len());
    }
});
