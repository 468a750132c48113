//! Helpers for handover tests: contact cards between test vaults, exports,
//! imports, and bundles signed by hand (to play a hostile or careless sender).

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::TestVault;

impl TestVault {
    /// This vault's contact card, written to a file in its temporary folder.
    pub fn card_file(&self) -> PathBuf {
        let card = self.json(&["identity", "show"])["card"].clone();
        let path = self.tmp.path().join(format!("card-{}.json", uuid::Uuid::new_v4().simple()));
        std::fs::write(&path, card.to_string()).unwrap();
        path
    }

    /// Adds `other`'s card to this vault's contacts (not verified); returns the contact id.
    pub fn add_contact_of(&self, other: &TestVault) -> String {
        let card = other.card_file();
        self.json(&["contact", "add", card.to_str().unwrap()])["id"].as_str().unwrap().to_string()
    }

    /// Adds `other` as a contact and marks it verified (as after comparing
    /// fingerprints); returns the contact id.
    pub fn trust(&self, other: &TestVault) -> String {
        let id = self.add_contact_of(other);
        self.json(&["contact", "verify", &id]);
        id
    }

    /// Exports one case, everything in it, to these contacts.
    pub fn export_case(&self, case: &str, to: &[&str], out: &Path) -> Value {
        let mut args = vec!["export", "--case", case, "--profile", "full", "--out", out.to_str().unwrap()];
        for t in to {
            args.extend(["--to", t]);
        }
        self.json(&args)
    }

    /// `amana import`, as JSON.
    pub fn import_bundle(&self, bundle: &Path) -> Value {
        self.json(&["import", bundle.to_str().unwrap()])
    }

    /// `amana inbox`, as JSON: the proposed changes waiting.
    pub fn inbox(&self) -> Vec<Value> {
        self.json(&["inbox"]).as_array().unwrap().clone()
    }

    /// The contact id of `other` here, adding it first if needed.
    pub fn contact_id_of(&self, other: &TestVault) -> String {
        let fp = other.json(&["identity", "show"])["fingerprint"].clone();
        let contacts = self.json(&["contact", "list"]);
        match contacts.as_array().unwrap().iter().find(|c| c["fingerprint"] == fp) {
            Some(c) => c["id"].as_str().unwrap().to_string(),
            None => self.add_contact_of(other),
        }
    }
}

/// Makes a bundle by hand: `manifest` signed with `key` (as the format's
/// §3 says), the files in order, encrypted to `to`. For senders that lie.
pub fn signed_bundle(
    manifest: &Value,
    key: &ed25519_dalek::SigningKey,
    files: &[(&str, &[u8])],
    to: &age::x25519::Recipient,
    out: &Path,
) {
    use base64::Engine;
    use ed25519_dalek::Signer;
    use std::io::Write;
    let bytes = serde_json::to_vec_pretty(manifest).unwrap();
    let sig = key.sign(&[amana::bundle::SIGNATURE_CONTEXT, &bytes].concat());
    let sig_file = serde_json::to_vec(&json!({
        "algorithm": "ed25519",
        "signing_key": amana::identity::encode_signing_key(&key.verifying_key()),
        "signature": base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()),
    }))
    .unwrap();
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |path: &str, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, path, data).unwrap();
    };
    add("manifest.json", &bytes);
    add("manifest.sig", &sig_file);
    for (p, d) in files {
        add(p, d);
    }
    let plain = tar.into_inner().unwrap();
    let enc = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient)).unwrap();
    let mut file = Vec::new();
    let mut w = enc.wrap_output(&mut file).unwrap();
    w.write_all(&plain).unwrap();
    w.finish().unwrap();
    std::fs::write(out, file).unwrap();
}

/// The folder of the bundle test vectors.
pub fn vectors() -> PathBuf {
    super::checkout().join("tests/testdata/bundles")
}

/// The age identity in a vector key file (`recipient.key`, `other.key`).
pub fn vector_identity(name: &str) -> age::x25519::Identity {
    let text = std::fs::read_to_string(vectors().join(name)).unwrap();
    text.lines().find(|l| l.starts_with("AGE-SECRET-KEY-1")).expect("an age secret key").trim().parse().unwrap()
}

/// A vector decrypted with `recipient.key`: its manifest, and the content of
/// its last entry (the evidence file of the valid vectors).
pub fn vector_manifest_and_file(name: &str) -> (Value, Vec<u8>) {
    use std::io::Read;
    let key = vector_identity("recipient.key");
    let d = age::Decryptor::new(std::fs::File::open(vectors().join(name)).unwrap()).unwrap();
    let mut plain = Vec::new();
    d.decrypt(std::iter::once(&key as &dyn age::Identity)).unwrap().read_to_end(&mut plain).unwrap();
    let mut entries: Vec<Vec<u8>> = Vec::new();
    for e in tar::Archive::new(plain.as_slice()).entries().unwrap() {
        let mut buf = Vec::new();
        e.unwrap().read_to_end(&mut buf).unwrap();
        entries.push(buf);
    }
    (serde_json::from_slice(&entries[0]).unwrap(), entries.pop().unwrap())
}
