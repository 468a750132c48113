//! Writes the bundle test vectors of `tests/testdata/bundles/` (see the
//! README there and docs/bundle-format.md):
//!
//! ```sh
//! cargo run --example make_bundle_vectors -- tests/testdata/bundles
//! ```
//!
//! Everything is fixed (the sender's Ed25519 key comes from fixed bytes; ids,
//! times and content are constants) except age's own randomness, so the
//! decrypted tar streams are the same on every run. The age identities
//! `recipient.key`, `other.key` and `sender.key` are read from the folder if
//! present (they are committed), else made once.
//!
//! The tar streams are written by hand (512-byte ustar headers with their
//! checksum), not with the `tar` crate, so that hostile entries the crate
//! would refuse to write (traversal paths, links, devices, lying sizes) can be
//! made. Only the correct vectors follow the format; each `fail_*` vector
//! breaks exactly one rule, and `fail_*.expected` holds the error code a
//! reader must answer with (`BundleError::code()`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use amana::bundle::{
    BundleKind, BundleRecipients, BundleRecord, FileEntry, Manifest, Profile, Redaction, Sender, SignatureFile, FORMAT,
    MANIFEST_PATH, MAX_MANIFEST, MAX_SIGNATURE, SIGNATURE_CONTEXT, SIGNATURE_CONTEXT_V1, SIGNATURE_PATH, VERSION,
};
use amana::dossier::{Kind, Record};
use amana::identity::{encode_signing_key, fingerprint};
use base64::Engine;
use ed25519_dalek::{Signer, SigningKey};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The sender's Ed25519 secret key (fixed, public: these are test vectors).
const SENDER_SEED: [u8; 32] = *b"amana test vector sender key v1!";
/// Another key, for signatures by someone else.
const IMPOSTOR_SEED: [u8; 32] = *b"amana test vector impostor key!!";
/// 2026-03-01T09:00:00Z.
const CREATED_AT: &str = "2026-03-01T09:00:00Z";
const MTIME: u64 = 1_772_355_600;
/// The passphrase of `valid_passphrase.amana` (also written to a file).
const PASSPHRASE: &str = "test vector passphrase: olive tree, blue door";
/// A low scrypt work factor, so that the vectors open quickly.
const SCRYPT_LOG_N: u8 = 10;

const CASE_ID: Uuid = Uuid::from_u128(0x7d0b2a0e_6a53_4d8e_9c5e_3f9f0c2b1a11);
const SOURCE_ID: Uuid = Uuid::from_u128(0x1f6f0b4c_2d3e_4a5b_8c6d_7e8f90a1b2c3);
const TESTIMONY_ID: Uuid = Uuid::from_u128(0x2a7b1c5d_3e4f_4b6c_9d7e_8f90a1b2c3d4);
const EVIDENCE_ID: Uuid = Uuid::from_u128(0x3b8c2d6e_4f50_4c7d_ae8f_90a1b2c3d4e5);
const STRAY_CASE_ID: Uuid = Uuid::from_u128(0x4c9d3e7f_5061_4d8e_bf90_a1b2c3d4e5f6);

/// The evidence file: a fictional document.
const EVIDENCE: &[u8] = b"REPUBLIC OF OSTRAVIA - MINISTRY OF INTERIOR (fictional)\n\
Request for provisional arrest, ref. 2025/117-EX\n\
Subject: Rami SALLAM, born 1988\n\
Grounds: 'membership of an illegal organisation' (peaceful blogging)\n";

// ---------------------------------------------------------------- age keys

/// Reads the age identity in an identity file (`age-keygen` format), or
/// makes one and writes the file.
fn identity(dir: &Path, name: &str, label: &str) -> age::x25519::Identity {
    let path = dir.join(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let line = text
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .unwrap_or_else(|| panic!("{} holds no AGE-SECRET-KEY line", path.display()));
        return age::x25519::Identity::from_str(line.trim()).expect("a valid age identity");
    }
    let id = age::x25519::Identity::generate();
    let text = format!(
        "# {label}\n# TEST KEY, PUBLIC ON PURPOSE: never use it for real bundles.\n# created: {CREATED_AT}\n# public key: {}\n{}\n",
        id.to_public(),
        id.to_string().expose_secret()
    );
    std::fs::write(&path, text).expect("write the identity file");
    id
}

struct Keys {
    recipient: age::x25519::Recipient,
    other: age::x25519::Recipient,
    sender_age: age::x25519::Recipient,
    sender: SigningKey,
    impostor: SigningKey,
}

// ---------------------------------------------------------------- content

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn sender(keys: &Keys, name: &str) -> Sender {
    let vk = keys.sender.verifying_key();
    let age_recipient = keys.sender_age.to_string();
    Sender {
        display_name: name.into(),
        signing_key: encode_signing_key(&vk),
        fingerprint: fingerprint(&vk, &age_recipient),
        age_recipient,
    }
}

fn record(id: Uuid, kind: Kind, data: serde_json::Value) -> BundleRecord {
    let parsed = Record::from_json(kind, data.clone()).expect("vector records follow the schema");
    parsed.validate().expect("vector records are valid");
    // Stored in the shape Amana writes (every field, defaults included).
    BundleRecord {
        id,
        kind,
        case_id: CASE_ID,
        version: 1,
        created_at: "2026-02-20T10:15:00Z".into(),
        updated_at: "2026-02-27T16:40:00Z".into(),
        data: parsed.to_json(),
        history: Vec::new(),
        custodian: Some(encode_signing_key(&SigningKey::from_bytes(&SENDER_SEED).verifying_key())),
        custody_version: Some(1),
        custody_sha256: None,
        unreviewed: false,
    }
}

/// The manifest of the correct bundles: a case with an Arabic testimony, its
/// source (pseudonym kept, identity withheld and listed in `redactions`) and
/// an evidence file.
fn manifest(keys: &Keys, bundle: u128, to: BundleRecipients) -> Manifest {
    let case = record(
        CASE_ID,
        Kind::Case,
        json!({
            "title": "Extradition request against R. S. (fictional)",
            "status": "open",
            "risk": "critical",
            "tags": ["test-vector"],
            "summary": "Fictional case for the bundle test vectors. Arrested at the airport on a red notice.",
            "private_notes": "Lawyer meets the family on Thursdays (fictional).",
            "subject": {
                "kind": "person",
                "names": [
                    {"name": "Rami Sallam", "kind": "primary"},
                    {"name": "رامي سلام", "kind": "native_script"},
                    {"name": "Rami Salam", "kind": "transliteration"}
                ],
                "nationalities": ["JO"],
                "profiles": ["journalist", "dissident"],
                "current_location": {"country": "RS", "locality": "Belgrade, district prison"},
                "born": "1988"
            }
        }),
    );
    let source = record(
        SOURCE_ID,
        Kind::Source,
        json!({
            "pseudonym": "Witness W-17",
            "relation": "relative",
            "consent": {"share_with_lawyers": true, "share_with_un": true, "publish": false}
        }),
    );
    let testimony = record(
        TESTIMONY_ID,
        Kind::Testimony,
        json!({
            "text": "اعتقلوا أخي في المطار عند وصوله، وقالوا إن هناك نشرة حمراء باسمه. لم يسمحوا له بالاتصال بمحامٍ.",
            "language": "ar",
            "date": "2026-02-19",
            "place": {"country": "RS", "locality": "Belgrade"},
            "interviewer": "Field researcher F-3",
            "source_id": SOURCE_ID
        }),
    );
    let evidence = record(
        EVIDENCE_ID,
        Kind::Evidence,
        json!({
            "attached_to": CASE_ID,
            "file_name": "arrest-request-2025-117.txt",
            "media_type": "text/plain",
            "size": EVIDENCE.len(),
            "sha256": sha256_hex(EVIDENCE),
            "acquisition": {"by": "Field researcher F-3", "on": "2026-02-21", "how": "photographed at the court, transcribed", "from": "Witness W-17"},
            "description": "The request for provisional arrest (fictional)."
        }),
    );
    Manifest {
        format: FORMAT.into(),
        version: VERSION,
        bundle_id: Uuid::from_u128(bundle),
        kind: BundleKind::Handover,
        created_at: CREATED_AT.into(),
        sender: sender(keys, "Field team, Amman (test vectors)"),
        profile: Profile { source_identities: false, private_notes: true },
        redactions: vec![Redaction { record_id: SOURCE_ID, kind: Kind::Source, fields: vec!["identity".into()] }],
        records: vec![case, source, testimony, evidence],
        files: vec![FileEntry {
            path: format!("files/{EVIDENCE_ID}"),
            evidence_id: EVIDENCE_ID,
            size: EVIDENCE.len() as u64,
            sha256: sha256_hex(EVIDENCE),
        }],
        vault: None,
        recipients: Some(to),
        deletions: Vec::new(),
    }
}

/// The recipients field of a bundle for these age recipients.
fn for_keys(keys: &[&age::x25519::Recipient]) -> BundleRecipients {
    BundleRecipients { age: keys.iter().map(|k| k.to_string()).collect(), passphrase: false }
}

fn to_bytes<T: serde::Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(v).expect("serialises")
}

/// `manifest.sig` for these manifest bytes, exactly as the spec's §3 says.
fn signature(manifest_bytes: &[u8], key: &SigningKey, claimed: &SigningKey) -> Vec<u8> {
    signature_in(SIGNATURE_CONTEXT, manifest_bytes, key, claimed)
}

fn signature_in(context: &[u8], manifest_bytes: &[u8], key: &SigningKey, claimed: &SigningKey) -> Vec<u8> {
    let sig = key.sign(&[context, manifest_bytes].concat());
    to_bytes(&SignatureFile {
        algorithm: "ed25519".into(),
        signing_key: encode_signing_key(&claimed.verifying_key()),
        signature: base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()),
    })
}

// ---------------------------------------------------------------- raw tar

/// One tar entry, described exactly as it will be written.
#[derive(Clone)]
struct Entry {
    /// The ustar `name` field (at most 100 bytes).
    name: Vec<u8>,
    /// The ustar `prefix` field (at most 155 bytes).
    prefix: Vec<u8>,
    typeflag: u8,
    linkname: Vec<u8>,
    /// The content written after the header (padded to 512).
    data: Vec<u8>,
    /// The size in the header, when it should lie about `data`.
    size: Option<u64>,
    /// Device numbers, for device entries.
    dev: (u32, u32),
}

fn file(name: &str, data: &[u8]) -> Entry {
    Entry {
        name: name.as_bytes().to_vec(),
        prefix: Vec::new(),
        typeflag: b'0',
        linkname: Vec::new(),
        data: data.to_vec(),
        size: None,
        dev: (0, 0),
    }
}

fn octal(field: &mut [u8], value: u64) {
    // `len - 1` octal digits, zero-padded, then NUL.
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    assert!(text.len() <= digits, "{value} does not fit in {} octal digits", digits);
    field[..digits].copy_from_slice(text.as_bytes());
    field[digits] = 0;
}

/// A ustar header block.
fn header(e: &Entry) -> [u8; 512] {
    let mut h = [0u8; 512];
    assert!(e.name.len() <= 100 && e.prefix.len() <= 155 && e.linkname.len() <= 100);
    h[..e.name.len()].copy_from_slice(&e.name);
    octal(&mut h[100..108], 0o600);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], e.size.unwrap_or(e.data.len() as u64));
    octal(&mut h[136..148], MTIME);
    h[156] = e.typeflag;
    h[157..157 + e.linkname.len()].copy_from_slice(&e.linkname);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], u64::from(e.dev.0));
    octal(&mut h[337..345], u64::from(e.dev.1));
    h[345..345 + e.prefix.len()].copy_from_slice(&e.prefix);
    // The checksum: the sum of the header's bytes with the checksum field
    // as eight spaces, written as six octal digits, NUL, space.
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..154].copy_from_slice(format!("{sum:06o}").as_bytes());
    h[154] = 0;
    h[155] = b' ';
    h
}

/// A tar stream: each entry's header and padded data, then two zero blocks.
fn tar(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&header(e));
        out.extend_from_slice(&e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// A pax extended header entry (type `x`) holding `key=value` records.
fn pax(records: &[(&str, &[u8])]) -> Entry {
    let mut data = Vec::new();
    for (k, v) in records {
        // "<len> <key>=<value>\n", where <len> counts the whole record.
        let body = 1 + k.len() + 1 + v.len() + 1;
        let mut len = body + 1;
        while len.to_string().len() + body != len {
            len = len.to_string().len() + body;
        }
        data.extend_from_slice(format!("{len} {k}=").as_bytes());
        data.extend_from_slice(v);
        data.push(b'\n');
    }
    Entry { typeflag: b'x', ..file("PaxHeaders/manifest.json", &data) }
}

// ---------------------------------------------------------------- age

enum To<'a> {
    Keys(Vec<&'a age::x25519::Recipient>),
    Passphrase(&'a str),
}

fn encrypt(plain: &[u8], to: To<'_>) -> Vec<u8> {
    use std::io::Write;
    let scrypt;
    let recipients: Vec<&dyn age::Recipient> = match &to {
        To::Keys(keys) => keys.iter().map(|r| *r as &dyn age::Recipient).collect(),
        To::Passphrase(p) => {
            let mut r = age::scrypt::Recipient::new(SecretString::from(p.to_string()));
            r.set_work_factor(SCRYPT_LOG_N);
            scrypt = r;
            vec![&scrypt as &dyn age::Recipient]
        }
    };
    let enc = age::Encryptor::with_recipients(recipients.into_iter()).expect("recipients");
    let mut out = Vec::new();
    let mut w = enc.wrap_output(&mut out).expect("age writer");
    w.write_all(plain).expect("encrypt");
    w.finish().expect("finish");
    out
}

/// An age header with one scrypt stanza asking for 2^40 work, and a body
/// nobody can open: a reader must refuse it without trying.
fn excessive_scrypt(log_n: u8) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut out = Vec::new();
    out.extend_from_slice(b"age-encryption.org/v1\n");
    out.extend_from_slice(format!("-> scrypt {} {log_n}\n", b64.encode([7u8; 16])).as_bytes());
    out.extend_from_slice(format!("{}\n", b64.encode([9u8; 32])).as_bytes());
    out.extend_from_slice(format!("--- {}\n", b64.encode([1u8; 32])).as_bytes());
    out.extend_from_slice(&[0u8; 16]); // the payload nonce
    out.extend_from_slice(&[0u8; 64]);
    out
}

// ---------------------------------------------------------------- vectors

struct Out {
    dir: PathBuf,
    readme: Vec<(String, String, String)>,
}

impl Out {
    fn write(&mut self, name: &str, bytes: &[u8], expected: Option<&str>, why: &str) {
        std::fs::write(self.dir.join(format!("{name}.amana")), bytes).expect("write vector");
        if let Some(code) = expected {
            std::fs::write(self.dir.join(format!("{name}.expected")), format!("{code}\n")).expect("write expected");
        }
        self.readme.push((format!("{name}.amana"), expected.unwrap_or("(valid)").to_string(), why.to_string()));
    }
}

/// The standard entries of a bundle with these manifest and signature bytes.
fn entries(manifest: &[u8], sig: &[u8], files: &[(Uuid, &[u8])]) -> Vec<Entry> {
    let mut v = vec![file(MANIFEST_PATH, manifest), file(SIGNATURE_PATH, sig)];
    v.extend(files.iter().map(|(id, data)| file(&format!("files/{id}"), data)));
    v
}

/// Serialises and signs a manifest given as JSON (so that unknown fields and
/// other shapes the types cannot hold can be signed too).
fn signed(keys: &Keys, m: &serde_json::Value) -> (Vec<u8>, Vec<u8>) {
    let bytes = to_bytes(m);
    let sig = signature(&bytes, &keys.sender, &keys.sender);
    (bytes, sig)
}

fn main() {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "tests/testdata/bundles".into()));
    std::fs::create_dir_all(&dir).expect("create the output folder");
    let recipient = identity(&dir, "recipient.key", "Recipient of the test vectors (a lawyer, fictional)");
    let other = identity(&dir, "other.key", "Another reader (for valid_two_recipients and fail_wrong_recipient)");
    let sender_age =
        identity(&dir, "sender.key", "The sender vault's age identity (its public key is in the manifests)");
    let keys = Keys {
        recipient: recipient.to_public(),
        other: other.to_public(),
        sender_age: sender_age.to_public(),
        sender: SigningKey::from_bytes(&SENDER_SEED),
        impostor: SigningKey::from_bytes(&IMPOSTOR_SEED),
    };
    let mut out = Out { dir: dir.clone(), readme: Vec::new() };
    let to_me = || To::Keys(vec![&keys.recipient]);

    // The sender's contact card, so a test vault can add (and verify) them.
    let s = sender(&keys, "Field team, Amman (test vectors)");
    let card = json!({"amana_contact": 1, "display_name": s.display_name, "age_recipient": s.age_recipient, "signing_key": s.signing_key});
    std::fs::write(dir.join("sender.card.json"), to_bytes(&card)).expect("write the card");
    std::fs::write(dir.join("sender.fingerprint"), format!("{}\n", s.fingerprint)).expect("write");

    let base = manifest(&keys, 0x5a11d000_0000_4000_8000_000000000001, for_keys(&[&keys.recipient]));
    let base_bytes = to_bytes(&base);
    let base_sig = signature(&base_bytes, &keys.sender, &keys.sender);
    let ev = [(EVIDENCE_ID, EVIDENCE)];
    let good_tar = tar(&entries(&base_bytes, &base_sig, &ev));
    let base_json: serde_json::Value = serde_json::from_slice(&base_bytes).unwrap();

    // ----- correct bundles
    out.write(
        "valid_x25519",
        &encrypt(&good_tar, to_me()),
        None,
        "to recipient.key: a case, an Arabic testimony, its source (identity withheld, listed in redactions), an evidence file",
    );
    {
        let m = manifest(
            &keys,
            0x5a11d000_0000_4000_8000_000000000002,
            BundleRecipients { age: Vec::new(), passphrase: true },
        );
        let b = to_bytes(&m);
        let t = tar(&entries(&b, &signature(&b, &keys.sender, &keys.sender), &ev));
        out.write(
            "valid_passphrase",
            &encrypt(&t, To::Passphrase(PASSPHRASE)),
            None,
            "the same content under an scrypt passphrase (valid_passphrase.passphrase; work factor 2^10)",
        );
        std::fs::write(dir.join("valid_passphrase.passphrase"), PASSPHRASE).expect("write passphrase");
    }
    {
        let m = manifest(&keys, 0x5a11d000_0000_4000_8000_000000000003, for_keys(&[&keys.recipient, &keys.other]));
        let b = to_bytes(&m);
        let t = tar(&entries(&b, &signature(&b, &keys.sender, &keys.sender), &ev));
        out.write(
            "valid_two_recipients",
            &encrypt(&t, To::Keys(vec![&keys.recipient, &keys.other])),
            None,
            "the same content for two readers: recipient.key and other.key both open it",
        );
    }

    // ----- the age layer
    out.write(
        "fail_not_age",
        &good_tar,
        Some("bundle.not_a_bundle"),
        "the plain tar stream of a correct bundle, not encrypted: not an age file at all",
    );
    {
        let full = encrypt(&good_tar, to_me());
        out.write(
            "fail_truncated",
            &full[..full.len() * 2 / 3],
            Some("bundle.damaged"),
            "a correct bundle cut at two thirds of its bytes (mid-stream, as by an interrupted copy)",
        );
    }
    out.write(
        "fail_wrong_recipient",
        &encrypt(&good_tar, To::Keys(vec![&keys.other])),
        Some("bundle.not_for_you"),
        "a correct bundle for other.key only, opened with recipient.key",
    );
    out.write(
        "fail_scrypt_work_factor",
        &excessive_scrypt(40),
        Some("bundle.work_factor_too_high"),
        "a passphrase bundle whose scrypt stanza asks for 2^40 work: refused without trying (a denial of service otherwise)",
    );
    std::fs::write(dir.join("fail_scrypt_work_factor.passphrase"), PASSPHRASE).expect("write passphrase");
    out.write(
        "fail_scrypt_work_factor_21",
        &excessive_scrypt(21),
        Some("bundle.work_factor_too_high"),
        "a passphrase bundle asking for 2^21 scrypt work (2 GiB of memory): over Amana's cap of 2^20, though age's own default would try it",
    );
    std::fs::write(dir.join("fail_scrypt_work_factor_21.passphrase"), PASSPHRASE).expect("write passphrase");

    // ----- signature
    {
        let mut b = base_bytes.clone();
        let at = find(&b, b"Witness W-17");
        b[at + 11] = b'8'; // "W-17" -> "W-18": still valid JSON, same size
        out.write(
            "fail_tampered_manifest",
            &encrypt(&tar(&entries(&b, &base_sig, &ev)), to_me()),
            Some("bundle.bad_signature"),
            "one byte of manifest.json changed after signing (the source's pseudonym W-17 -> W-18)",
        );
    }
    {
        let mut sig: SignatureFile = serde_json::from_slice(&base_sig).unwrap();
        let mut raw = base64::engine::general_purpose::STANDARD.decode(&sig.signature).unwrap();
        raw[10] ^= 0x01;
        sig.signature = base64::engine::general_purpose::STANDARD.encode(raw);
        out.write(
            "fail_bad_signature",
            &encrypt(&tar(&entries(&base_bytes, &to_bytes(&sig), &ev)), to_me()),
            Some("bundle.bad_signature"),
            "one bit of the Ed25519 signature flipped",
        );
    }
    out.write(
        "fail_signed_by_impostor",
        &encrypt(&tar(&entries(&base_bytes, &signature(&base_bytes, &keys.impostor, &keys.sender), &ev)), to_me()),
        Some("bundle.bad_signature"),
        "signed by another key while manifest.sig and the manifest name the sender's key",
    );
    out.write(
        "fail_signature_key_mismatch",
        &encrypt(&tar(&entries(&base_bytes, &signature(&base_bytes, &keys.impostor, &keys.impostor), &ev)), to_me()),
        Some("bundle.bad_signature"),
        "a valid signature by another key, and manifest.sig names that key, not manifest.sender.signing_key",
    );
    {
        let mut sig: serde_json::Value = serde_json::from_slice(&base_sig).unwrap();
        sig["algorithm"] = json!("rsa");
        out.write(
            "fail_signature_algorithm",
            &encrypt(&tar(&entries(&base_bytes, &to_bytes(&sig), &ev)), to_me()),
            Some("bundle.bad_signature"),
            "manifest.sig says algorithm \"rsa\"",
        );
    }

    // ----- the manifest (each properly signed)
    {
        let mut m = base_json.clone();
        m["version"] = json!(3);
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_unknown_version",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.unsupported_version"),
            "manifest version 3, properly signed",
        );
    }

    // ----- version 2: trust in handover (docs/bundle-format.md §2, §6)
    {
        // The same content as a version 1 bundle: no recipients, no custody,
        // signed under the version 1 context.
        let mut m = base_json.clone();
        m["version"] = json!(1);
        m.as_object_mut().unwrap().remove("recipients");
        for r in m["records"].as_array_mut().unwrap() {
            let r = r.as_object_mut().unwrap();
            r.remove("custodian");
            r.remove("custody_version");
        }
        let b = to_bytes(&m);
        let s = signature_in(SIGNATURE_CONTEXT_V1, &b, &keys.sender, &keys.sender);
        out.write(
            "valid_v1_legacy",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            None,
            "the same content in format version 1 (no recipients, no custody): read, with a notice; nothing it changes is applied without the reader's acceptance",
        );
    }
    {
        // Signed for other.key only, then encrypted to recipient.key: a
        // bundle passed on (re-encrypted) by someone else.
        let mut m = base_json.clone();
        m["recipients"] = json!({"age": [keys.other.to_string()], "passphrase": false});
        let (b, s) = signed(&keys, &m);
        out.write(
            "warn_not_addressed_to_you",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("warn.not_addressed_to_you"),
            "signed for other.key only but encrypted to recipient.key (passed on by someone): reads, the reader is told it was not made for them, and its sender is not trusted",
        );
    }
    let manifest_fail = |out: &mut Out, name: &str, code: &str, why: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let mut m = base_json.clone();
        change(&mut m);
        let (b, s) = signed(&keys, &m);
        out.write(name, &encrypt(&tar(&entries(&b, &s, &ev)), to_me()), Some(code), why);
    };
    manifest_fail(
        &mut out,
        "fail_no_recipients",
        "bundle.bad_manifest",
        "a version 2 manifest that does not say who it is for (properly signed)",
        &|m| {
            m.as_object_mut().unwrap().remove("recipients");
        },
    );
    manifest_fail(
        &mut out,
        "fail_no_custodian",
        "bundle.bad_manifest",
        "a version 2 record without its custodian (properly signed)",
        &|m| {
            m["records"][2].as_object_mut().unwrap().remove("custodian");
        },
    );
    manifest_fail(
        &mut out,
        "fail_custodian_not_a_key",
        "bundle.bad_manifest",
        "a record whose custodian is not an Ed25519 key (properly signed)",
        &|m| m["records"][2]["custodian"] = json!("ed25519:AAAA"),
    );
    manifest_fail(
        &mut out,
        "fail_version_too_high",
        "bundle.bad_manifest",
        "a record at custody version 2^31, past the format's 2^30 (properly signed)",
        &|m| m["records"][2]["custody_version"] = json!(1u64 << 31),
    );
    manifest_fail(
        &mut out,
        "fail_future_time",
        "bundle.from_the_future",
        "a record updated in 2099 (properly signed): refused, a time from the future is wrong or forged",
        &|m| m["records"][2]["updated_at"] = json!("2099-01-01T00:00:00Z"),
    );
    manifest_fail(
        &mut out,
        "fail_not_a_time",
        "bundle.bad_manifest",
        "a bundle whose created_at is \"9999-yesterday\" (properly signed)",
        &|m| m["created_at"] = json!("9999-yesterday"),
    );
    {
        let mut m = base_json.clone();
        m["version"] = json!(1);
        let b = to_bytes(&m);
        let s = signature_in(SIGNATURE_CONTEXT_V1, &b, &keys.sender, &keys.sender);
        out.write(
            "fail_v1_with_v2_fields",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "version 1 (signed as version 1) with version 2 fields (recipients, custody), so no reader takes it for either",
        );
    }
    manifest_fail(
        &mut out,
        "fail_deleted_and_sent",
        "bundle.bad_manifest",
        "a record listed both as sent and as deleted (properly signed)",
        &|m| {
            m["deletions"] = json!([{"id": TESTIMONY_ID, "kind": "testimony", "case_id": CASE_ID,
                                      "custodian": m["sender"]["signing_key"], "custody_version": 2,
                                      "deleted_at": "2026-02-28T10:00:00Z"}])
        },
    );
    manifest_fail(
        &mut out,
        "fail_control_character",
        "bundle.bad_manifest",
        "a case title holding a control character (BEL), which no record field may hold (properly signed)",
        &|m| m["records"][0]["data"]["title"] = json!("Extradition request\u{7} against R. S. (fictional)"),
    );
    manifest_fail(
        &mut out,
        "fail_override_in_name",
        "bundle.bad_manifest",
        "a subject name ending in U+202E (right-to-left override), which would make the record display as another (properly signed)",
        &|m| m["records"][0]["data"]["subject"]["names"][0]["name"] = json!("Rami Sallam\u{202E}"),
    );
    manifest_fail(
        &mut out,
        "fail_title_too_long",
        "bundle.bad_manifest",
        "a case title of 2,000 characters (the limit is 200, docs/records.md) (properly signed)",
        &|m| m["records"][0]["data"]["title"] = json!("R".repeat(2000)),
    );
    manifest_fail(
        &mut out,
        "warn_path_like_file_name",
        "warn.file_name_reduced",
        "an evidence file named \"../../.config/autostart/report\u{202E}fdp.desktop\": reads and imports, the name reduced to a safe base name before any screen or dialog shows it",
        &|m| m["records"][3]["data"]["file_name"] = json!("../../.config/autostart/report\u{202E}fdp.desktop"),
    );
    {
        // A small-order ("weak") public key, and the signature (R = the
        // identity point, S = 0) that plain Ed25519 verification accepts for
        // every message under it; strict verification refuses both.
        let mut weak = [0u8; 32];
        weak[0] = 1;
        let weak_key = ed25519_dalek::VerifyingKey::from_bytes(&weak).expect("the identity point decodes");
        let mut m = base_json.clone();
        let key_text = encode_signing_key(&weak_key);
        m["sender"]["signing_key"] = json!(key_text);
        m["sender"]["fingerprint"] = json!(fingerprint(&weak_key, &keys.sender_age.to_string()));
        for r in m["records"].as_array_mut().unwrap() {
            r["custodian"] = json!(key_text);
        }
        let b = to_bytes(&m);
        let mut raw = [0u8; 64];
        raw[0] = 1;
        let sig = to_bytes(&SignatureFile {
            algorithm: "ed25519".into(),
            signing_key: key_text,
            signature: base64::engine::general_purpose::STANDARD.encode(raw),
        });
        out.write(
            "fail_weak_signing_key",
            &encrypt(&tar(&entries(&b, &sig, &ev)), to_me()),
            Some("bundle.bad_signature"),
            "signed under a small-order key with the signature (identity, 0) that non-strict Ed25519 accepts for any message",
        );
    }
    {
        let mut m = base_json.clone();
        m["records"][2]["case_id"] = json!(STRAY_CASE_ID);
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_record_case_not_in_bundle",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "the testimony claims to belong to a case that is not in the bundle (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        let dup = m["records"][1].clone();
        m["records"].as_array_mut().unwrap().push(dup);
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_duplicate_record_ids",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "the source record appears twice with the same id (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["records"][2]["data"]["source_id"] = json!(STRAY_CASE_ID);
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_dangling_source",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "the testimony names a source that is not in the bundle (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["records"][3]["data"]["attached_to"] = m["records"][1]["id"].clone();
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_evidence_attached_to_source",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "the file is attached to the source record, a kind files cannot belong to (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["comment"] = json!("an unknown top-level field");
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_unknown_field",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "an unknown top-level manifest field, which version 1 refuses (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["files"][0]["path"] = json!("files/../../x");
        let (b, s) = signed(&keys, &m);
        let mut e = entries(&b, &s, &[]);
        e.push(file("files/../../x", EVIDENCE));
        out.write(
            "fail_manifest_path_traversal",
            &encrypt(&tar(&e), to_me()),
            Some("bundle.bad_manifest"),
            "the manifest itself lists the file under \"files/../../x\" (properly signed), and the tar entry has that name",
        );
    }
    {
        let mut m = base_json.clone();
        m["files"][0]["sha256"] = json!(sha256_hex(b"something else"));
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_file_entry_mismatch",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "manifest.files gives a SHA-256 that differs from the evidence record's (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["sender"]["fingerprint"] = json!("00000 00000 00000 00000 00000 00000");
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_sender_fingerprint",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "the sender's fingerprint does not match their keys (properly signed)",
        );
    }
    {
        let mut m = base_json.clone();
        m["format"] = json!("other-bundle");
        let (b, s) = signed(&keys, &m);
        out.write(
            "fail_wrong_format",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "manifest.format is not \"amana-bundle\" (properly signed)",
        );
    }
    {
        let b = b"{ this is not JSON".to_vec();
        let s = signature(&b, &keys.sender, &keys.sender);
        out.write(
            "fail_manifest_not_json",
            &encrypt(&tar(&entries(&b, &s, &ev)), to_me()),
            Some("bundle.bad_manifest"),
            "manifest.json is not JSON",
        );
    }

    // ----- file content
    {
        let mut altered = EVIDENCE.to_vec();
        let at = find(&altered, b"2025/117");
        altered[at + 7] = b'8';
        out.write(
            "fail_tampered_file",
            &encrypt(&tar(&entries(&base_bytes, &base_sig, &[(EVIDENCE_ID, &altered)])), to_me()),
            Some("bundle.file_altered"),
            "one byte of the evidence file changed (same size): its SHA-256 no longer matches the signed manifest",
        );
    }

    // ----- hostile tar entries
    let ev_path = format!("files/{EVIDENCE_ID}");
    let head = |extra: Vec<Entry>| {
        let mut v = vec![file(MANIFEST_PATH, &base_bytes), file(SIGNATURE_PATH, &base_sig)];
        v.extend(extra);
        v
    };
    let hostile: Vec<(&str, Vec<Entry>, &str)> = vec![
        ("fail_path_dotdot", head(vec![file("../evil", EVIDENCE)]), "the evidence entry is named \"../evil\""),
        (
            "fail_path_absolute",
            {
                let mut v = vec![file("/etc/passwd", b"root:x:0:0::/root:/bin/sh\n")];
                v.extend(entries(&base_bytes, &base_sig, &ev));
                v
            },
            "the first entry is \"/etc/passwd\" (an absolute path) instead of manifest.json",
        ),
        ("fail_path_files_dotdot", head(vec![file("files/../../x", EVIDENCE)]), "the evidence entry is named \"files/../../x\""),
        (
            "fail_path_backslash",
            head(vec![file(".\\..\\x", EVIDENCE)]),
            "the evidence entry is named \".\\..\\x\" (a Windows traversal spelling)",
        ),
        (
            "fail_path_ustar_prefix",
            {
                let mut m = file(MANIFEST_PATH, &base_bytes);
                m.prefix = b"../..".to_vec();
                let mut v = vec![m, file(SIGNATURE_PATH, &base_sig)];
                v.push(file(&ev_path, EVIDENCE));
                v
            },
            "the manifest entry's name field is \"manifest.json\" but its ustar prefix is \"../..\" (the path is \"../../manifest.json\")",
        ),
        (
            "fail_path_pax",
            {
                let mut v = vec![pax(&[("path", b"../evil")])];
                v.extend(entries(&base_bytes, &base_sig, &ev));
                v
            },
            "a pax extended header renames the manifest entry to \"../evil\" (what tar would extract)",
        ),
        (
            "fail_path_gnu_longname",
            {
                let mut v = vec![Entry { typeflag: b'L', ..file("././@LongLink", b"../evil\0") }];
                v.extend(entries(&base_bytes, &base_sig, &ev));
                v
            },
            "a GNU long-name entry renames the manifest entry to \"../evil\"",
        ),
        (
            "fail_symlink",
            head(vec![Entry { typeflag: b'2', linkname: b"/etc/passwd".to_vec(), ..file(&ev_path, b"") }]),
            "the evidence entry is a symbolic link to /etc/passwd",
        ),
        (
            "fail_hardlink",
            head(vec![Entry { typeflag: b'1', linkname: b"manifest.json".to_vec(), ..file(&ev_path, b"") }]),
            "the evidence entry is a hard link to manifest.json",
        ),
        (
            "fail_device",
            head(vec![Entry { typeflag: b'3', dev: (1, 3), ..file(&ev_path, b"") }]),
            "the evidence entry is a character device (1,3)",
        ),
        ("fail_fifo", head(vec![Entry { typeflag: b'6', ..file(&ev_path, b"") }]), "the evidence entry is a FIFO"),
        (
            "fail_directory",
            {
                let mut v = vec![Entry { typeflag: b'5', ..file("files/", b"") }];
                v.extend(entries(&base_bytes, &base_sig, &ev));
                v
            },
            "a directory entry \"files/\" comes first",
        ),
        (
            "fail_duplicate_manifest",
            {
                let mut v = vec![file(MANIFEST_PATH, &base_bytes)];
                v.extend(entries(&base_bytes, &base_sig, &ev));
                v
            },
            "manifest.json twice",
        ),
        (
            "fail_duplicate_file",
            head(vec![file(&ev_path, EVIDENCE), file(&ev_path, EVIDENCE)]),
            "the evidence file twice (the second one is more than the manifest lists)",
        ),
        (
            "fail_oversize_entry",
            head(vec![file(&ev_path, &[EVIDENCE, b"+ extra bytes appended".as_slice()].concat())]),
            "the evidence entry is 22 bytes bigger than the manifest says",
        ),
        (
            "fail_undersize_entry",
            head(vec![file(&ev_path, &EVIDENCE[..EVIDENCE.len() - 10])]),
            "the evidence entry is 10 bytes smaller than the manifest says",
        ),
        (
            "fail_extra_entry",
            head(vec![file(&ev_path, EVIDENCE), file("notes.txt", b"not in the manifest\n")]),
            "an entry \"notes.txt\" after the files the manifest lists",
        ),
        ("fail_missing_file", head(vec![]), "the evidence file the manifest lists is not in the archive"),
        (
            "fail_reordered",
            vec![file(SIGNATURE_PATH, &base_sig), file(MANIFEST_PATH, &base_bytes), file(&ev_path, EVIDENCE)],
            "manifest.sig before manifest.json",
        ),
        (
            "fail_manifest_too_large",
            vec![Entry { size: Some(MAX_MANIFEST + 1), ..file(MANIFEST_PATH, b"") }],
            "a manifest.json header declaring 64 MiB + 1 byte, and no data: refused from the header alone",
        ),
        (
            "fail_signature_too_large",
            vec![file(MANIFEST_PATH, &base_bytes), Entry { size: Some(MAX_SIGNATURE + 1), ..file(SIGNATURE_PATH, b"") }],
            "a manifest.sig header declaring 4 KiB + 1 byte: refused from the header alone",
        ),
    ];
    for (name, e, why) in hostile {
        out.write(name, &encrypt(&tar(&e), to_me()), Some("bundle.hostile_entry"), why);
    }
    {
        let mut t = good_tar.clone();
        t.extend_from_slice(b"hidden data after the end of the archive");
        out.write(
            "fail_trailing_data",
            &encrypt(&t, to_me()),
            Some("bundle.hostile_entry"),
            "non-zero bytes after the archive's two end blocks",
        );
    }
    {
        // The age layer is intact; the tar stream inside stops mid-manifest.
        let t = &good_tar[..512 + 700];
        out.write(
            "fail_truncated_tar",
            &encrypt(t, to_me()),
            Some("bundle.damaged"),
            "a correctly encrypted tar stream that stops in the middle of manifest.json",
        );
    }

    write_readme(&out);
    println!("wrote {} vectors to {}", out.readme.len(), dir.display());
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).expect("present")
}

fn write_readme(out: &Out) {
    let mut s = String::from(
        "# Bundle test vectors\n\n\
         Made by `cargo run --example make_bundle_vectors -- tests/testdata/bundles`\n\
         (`examples/make_bundle_vectors.rs`) and checked by `tests/bundles.rs`. They test a\n\
         reader against docs/bundle-format.md. Everything in them is fictional.\n\n\
         ## Keys (test keys, public on purpose: never use them for anything real)\n\n\
         - `recipient.key`: the age identity (an `age-keygen` file) every vector is encrypted to,\n\
           except `fail_wrong_recipient` and the passphrase ones.\n\
         - `other.key`: a second identity: `valid_two_recipients` opens with it too, and\n\
           `fail_wrong_recipient` is for it alone.\n\
         - `sender.key`: the sending vault's age identity (its public key is `sender.age_recipient`\n\
           in the manifests). The sender's Ed25519 signing key is the 32 ASCII bytes\n\
           `amana test vector sender key v1!`; `sender.card.json` is its contact card and\n\
           `sender.fingerprint` its fingerprint.\n\
         - `*.passphrase`: the passphrase of a passphrase bundle (scrypt work factor 2^10).\n\n\
         Decrypted, every vector's tar stream is the same on every run of the generator (fixed\n\
         key, ids, times and content); only age's encryption is random. Check one by hand:\n\n\
         ```sh\n\
         age -d -i recipient.key valid_x25519.amana | tar -tv\n\
         amana bundle verify valid_x25519.amana --identity recipient.key\n\
         ```\n\n\
         ## Content of the correct bundles\n\n\
         Format version 2 (`valid_v1_legacy` is version 1). One fictional case (\"Rami Sallam\", with his name in Arabic), the source \"Witness W-17\"\n\
         whose identity was withheld (profile `source_identities: false`, listed in\n\
         `redactions`), an Arabic testimony by that source, and one evidence file (a fictional\n\
         arrest request, text).\n\n\
         ## Vectors\n\n\
         Each `fail_*.amana` breaks one rule; `fail_*.expected` holds the error code a reader\n\
         must answer with (both `amana bundle verify` and `amana import`), writing nothing.\n\
         Each `warn_*.amana` reads, and `warn_*.expected` names the warning a reader must give.\n\n\
         | file | expected | what it is |\n| --- | --- | --- |\n",
    );
    for (name, code, why) in &out.readme {
        s.push_str(&format!("| `{name}` | `{code}` | {} |\n", why.replace('|', "\\|")));
    }
    std::fs::write(out.dir.join("README.md"), s).expect("write README");
}
