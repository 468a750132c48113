//! Amana: an offline, encrypted vault for documenting transnational repression.
//!
//! This is the core library: vault, keys, records, search, bundles and audit.
//! It never depends on Tauri or any GUI, never opens a network connection, and
//! never writes plaintext of vault content outside the files the user chose.
//! The desktop app (`src-tauri/`) and the `amana` CLI are thin layers over it.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod api;
pub mod audit;
pub mod bundle;
pub mod country;
pub mod crypto;
pub mod db;
pub mod dossier;
pub mod evidence;
pub mod fault;
pub mod fsx;
pub mod hardening;
pub mod identity;
pub mod keyfile;
pub mod keyring_cache;
pub mod report;
pub mod search;
pub mod stall;
pub mod text;
pub mod throttle;
pub mod vault;

pub use crypto::kdf::KdfParams;
pub use crypto::{Passphrase, VaultKey};
pub use vault::{Vault, VaultError, VaultPaths, VaultStatus};

/// This checkout's root, for tests that read its files. The folder that
/// `cargo test` or nextest names at run time, not the one compiled in:
/// Cargo reuses a build made in another checkout that shares the target
/// folder (the Makefile keeps it under ~/.cache) and does not rebuild for
/// `env!("CARGO_MANIFEST_DIR")`, which would then read, or miss, the other
/// checkout's files.
#[cfg(test)]
pub(crate) fn checkout() -> std::path::PathBuf {
    use std::path::PathBuf;
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
