//! TEST HELPER, never shipped: prints a vault's key in hex, unwrapped here
//! independently from the key file and the passphrase, so that the e2e test
//! (tests/e2e/memory.mjs) can look for the key in a core dump of the locked
//! app. The app and the CLI have no way to reveal the key; this example
//! re-does the unwrap itself (Argon2id through the core's KDF, then
//! XChaCha20-Poly1305 with the slot's context) and is only ever built by
//! `cargo build --example`, never into a release.
//!
//! Usage: AMANA_PASSPHRASE=… cargo run --example vault_key_for_tests VAULT_DIR

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::SecretString;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: vault_key_for_tests VAULT_DIR");
    let passphrase = SecretString::from(std::env::var("AMANA_PASSPHRASE").expect("AMANA_PASSPHRASE"));
    let bytes = std::fs::read(std::path::Path::new(&dir).join("vault.key")).expect("read vault.key");
    let kf = amana::keyfile::KeyFile::from_bytes(&bytes).expect("a good key file");
    let slot = kf.passphrase_slot().expect("a passphrase slot");
    let amana::keyfile::Slot::Passphrase { params, salt, key } = slot else { unreachable!() };
    let wrapping = amana::crypto::kdf::derive_key(&passphrase, salt, params).expect("KDF");
    let cipher = XChaCha20Poly1305::new((&*wrapping).into());
    let plain = cipher
        .decrypt(XNonce::from_slice(&key.nonce), Payload { msg: &key.sealed, aad: &kf.context_of(slot) })
        .expect("the passphrase opens the key file");
    println!("{}", hex::encode(plain));
}
