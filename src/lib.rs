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
pub mod text;
pub mod throttle;
pub mod vault;

pub use crypto::kdf::KdfParams;
pub use crypto::{Passphrase, VaultKey};
pub use vault::{Vault, VaultError, VaultPaths, VaultStatus};
