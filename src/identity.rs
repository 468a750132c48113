//! This vault's handover identity (an age X25519 key to receive bundles and an
//! Ed25519 key to sign them), contact cards, fingerprints, and contacts.
//!
//! Secret keys live only inside the encrypted database and in types without
//! `Debug` or `Clone`. A contact is marked verified only by an explicit act,
//! after its fingerprint was compared out of band.

use std::str::FromStr;

use base64::Engine;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::audit::{self, Action, NewEntry};
use crate::dossier::date::now_rfc3339;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Errors about identities and contacts.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The text is neither a contact card nor an age recipient.
    #[error("this is neither an Amana contact card nor an age recipient (age1…)")]
    BadCard,
    /// The contact already exists.
    #[error("this contact is already in the vault as \"{0}\"")]
    DuplicateContact(String),
    /// No such contact.
    #[error("no contact matches \"{0}\"")]
    NoSuchContact(String),
    /// Several contacts match.
    #[error("\"{0}\" matches several contacts; use the contact's id")]
    AmbiguousContact(String),
    /// The stored keys are damaged.
    #[error("this vault's handover keys are damaged")]
    Damaged,
    /// Database failure.
    #[error("the vault database reported an error: {0}")]
    Db(#[from] rusqlite::Error),
}

impl IdentityError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            IdentityError::BadCard => "contact.bad_card",
            IdentityError::DuplicateContact(_) => "contact.duplicate",
            IdentityError::NoSuchContact(_) => "contact.not_found",
            IdentityError::AmbiguousContact(_) => "contact.ambiguous",
            IdentityError::Damaged => "identity.damaged",
            IdentityError::Db(_) => "vault.database_error",
        }
    }
}

/// `ed25519:` + base64 of a public key.
pub fn encode_signing_key(key: &VerifyingKey) -> String {
    format!("ed25519:{}", B64.encode(key.as_bytes()))
}

/// Parses `ed25519:` + base64.
pub fn decode_signing_key(text: &str) -> Option<VerifyingKey> {
    let raw = B64.decode(text.strip_prefix("ed25519:")?).ok()?;
    VerifyingKey::from_bytes(&raw.try_into().ok()?).ok()
}

/// The fingerprint people compare: six groups of five digits (see docs/bundle-format.md §4).
pub fn fingerprint(signing_key: &VerifyingKey, age_recipient: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"amana fingerprint v1\n");
    h.update(signing_key.as_bytes());
    h.update(age_recipient.as_bytes());
    let d = h.finalize();
    (0..6)
        .map(|i| {
            let n = (u32::from(d[3 * i]) << 16) | (u32::from(d[3 * i + 1]) << 8) | u32::from(d[3 * i + 2]);
            format!("{:05}", n % 100_000)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A public contact card: what a vault shares so others can send to it and
/// check what it sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ContactCard {
    /// Card format version (1).
    pub amana_contact: u32,
    /// Who this is.
    pub display_name: String,
    /// Where to send bundles (`age1…`).
    pub age_recipient: String,
    /// The key bundles are signed with (`ed25519:…`).
    pub signing_key: String,
}

impl ContactCard {
    /// The card's fingerprint, if its keys parse.
    pub fn fingerprint(&self) -> Option<String> {
        Some(fingerprint(&decode_signing_key(&self.signing_key)?, &self.age_recipient))
    }
}

/// This vault's handover keys. No `Debug`, no `Clone`.
pub struct VaultIdentity {
    /// Shown to recipients.
    pub display_name: String,
    age: age::x25519::Identity,
    signing: SigningKey,
}

impl VaultIdentity {
    /// The public card.
    pub fn card(&self) -> ContactCard {
        ContactCard {
            amana_contact: 1,
            display_name: self.display_name.clone(),
            age_recipient: self.age.to_public().to_string(),
            signing_key: encode_signing_key(&self.signing.verifying_key()),
        }
    }
    /// The fingerprint of the card.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.signing.verifying_key(), &self.age.to_public().to_string())
    }
    /// The age recipient.
    pub fn recipient(&self) -> age::x25519::Recipient {
        self.age.to_public()
    }
    /// The public signing key.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }
    /// Signs a message.
    pub fn sign(&self, message: &[u8]) -> ed25519_dalek::Signature {
        self.signing.sign(message)
    }
    /// The age secret key as an identity file's text (for `identity export`).
    pub fn age_identity_file(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "# Amana vault identity \"{}\" (age X25519). Anyone with this file can read bundles sent to this vault.\n# public key: {}\n{}\n",
            self.display_name,
            self.age.to_public(),
            self.age.to_string().expose_secret()
        ))
    }
}

/// Verifies an Ed25519 signature strictly (`verify_strict`): weak keys of
/// small order and non-canonical signatures, which plain verification lets
/// through and which let one signature pass for several messages or keys,
/// are refused.
pub fn verify_signature(key: &VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else { return false };
    !key.is_weak() && key.verify_strict(message, &sig).is_ok()
}

fn load(display_name: String, age_secret: &str, signing_secret: &str) -> Result<VaultIdentity, IdentityError> {
    let age = age::x25519::Identity::from_str(age_secret).map_err(|_| IdentityError::Damaged)?;
    let raw = Zeroizing::new(hex::decode(signing_secret).map_err(|_| IdentityError::Damaged)?);
    let bytes: &[u8; 32] = raw.as_slice().try_into().map_err(|_| IdentityError::Damaged)?;
    Ok(VaultIdentity { display_name, age, signing: SigningKey::from_bytes(bytes) })
}

fn create(conn: &Connection, display_name: &str) -> Result<(), IdentityError> {
    let age = age::x25519::Identity::generate();
    let signing = SigningKey::generate(&mut rand::rngs::OsRng);
    let signing_hex = Zeroizing::new(hex::encode(signing.to_bytes()));
    conn.execute("UPDATE identities SET active = 0", [])?;
    conn.execute(
        "INSERT INTO identities(created_at, display_name, age_secret, signing_secret, active) VALUES (?1, ?2, ?3, ?4, 1)",
        params![now_rfc3339(), display_name, age.to_string().expose_secret(), signing_hex.as_str()],
    )?;
    Ok(())
}

/// The name a vault's identity gets until the user renames it.
pub const DEFAULT_NAME: &str = "Amana vault";

/// The active identity, created (named `default_name`) on first use.
pub fn active(conn: &Connection, default_name: &str) -> Result<VaultIdentity, IdentityError> {
    let row: Option<(String, String, String)> = conn
        .query_row("SELECT display_name, age_secret, signing_secret FROM identities WHERE active = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    match row {
        Some((name, a, s)) => {
            let (a, s) = (Zeroizing::new(a), Zeroizing::new(s));
            load(name, &a, &s)
        }
        None => {
            create(conn, default_name)?;
            active(conn, default_name)
        }
    }
}

/// Makes a new identity; the old ones stay for reading old bundles.
pub fn rotate(conn: &Connection) -> Result<VaultIdentity, IdentityError> {
    let current = active(conn, DEFAULT_NAME)?;
    create(conn, &current.display_name)?;
    active(conn, &current.display_name)
}

/// Renames the active identity.
pub fn rename(conn: &Connection, name: &str) -> Result<VaultIdentity, IdentityError> {
    active(conn, name)?;
    conn.execute("UPDATE identities SET display_name = ?1 WHERE active = 1", [name])?;
    active(conn, name)
}

/// Every age identity this vault ever had, newest first (to open bundles).
pub fn all_age_identities(conn: &Connection) -> Result<Vec<age::x25519::Identity>, IdentityError> {
    let mut stmt = conn.prepare("SELECT age_secret FROM identities ORDER BY id DESC")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.map(|r| {
        let s = Zeroizing::new(r?);
        age::x25519::Identity::from_str(&s).map_err(|_| IdentityError::Damaged)
    })
    .collect()
}

/// Every signing key this vault ever had (to recognise its own bundles).
pub fn own_signing_keys(conn: &Connection) -> Result<Vec<VerifyingKey>, IdentityError> {
    let mut stmt = conn.prepare("SELECT display_name, age_secret, signing_secret FROM identities")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
    rows.map(|r| {
        let (n, a, s) = r?;
        let (a, s) = (Zeroizing::new(a), Zeroizing::new(s));
        Ok(load(n, &a, &s)?.verifying_key())
    })
    .collect()
}

/// A contact.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Contact {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub display_name: String,
    /// age recipient.
    pub age_recipient: String,
    /// Signing key, if the contact has Amana.
    pub signing_key: Option<String>,
    /// Fingerprint, if the contact has a signing key.
    pub fingerprint: Option<String>,
    /// Whether the fingerprint was compared and confirmed.
    pub verified: bool,
    /// When added.
    pub added_at: String,
    /// When verified.
    pub verified_at: Option<String>,
}

fn read_contact(r: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    let id: String = r.get(0)?;
    Ok(Contact {
        id: Uuid::parse_str(&id).unwrap_or_default(),
        display_name: r.get(1)?,
        age_recipient: r.get(2)?,
        signing_key: r.get(3)?,
        fingerprint: r.get(4)?,
        verified: r.get::<_, i64>(5)? == 1,
        added_at: r.get(6)?,
        verified_at: r.get(7)?,
    })
}

const CONTACT_COLUMNS: &str =
    "id, display_name, age_recipient, signing_key, fingerprint, verified, added_at, verified_at";

/// Parses a contact card (JSON) or a bare age recipient.
pub fn parse_card(text: &str) -> Result<ContactCard, IdentityError> {
    let t = text.trim();
    if t.starts_with("age1") && !t.contains(char::is_whitespace) {
        age::x25519::Recipient::from_str(t).map_err(|_| IdentityError::BadCard)?;
        return Ok(ContactCard {
            amana_contact: 1,
            display_name: String::new(),
            age_recipient: t.to_string(),
            signing_key: String::new(),
        });
    }
    let card: ContactCard = serde_json::from_str(t).map_err(|_| IdentityError::BadCard)?;
    if card.amana_contact != 1
        || age::x25519::Recipient::from_str(&card.age_recipient).is_err()
        || decode_signing_key(&card.signing_key).is_none()
    {
        return Err(IdentityError::BadCard);
    }
    Ok(card)
}

fn audit_contact(conn: &Connection, action: Action, c: &Contact, what: &str) -> Result<(), IdentityError> {
    audit::append(
        conn,
        NewEntry {
            action,
            kind: Some("contact"),
            record_id: Some(c.id.to_string()),
            case_id: None,
            detail: serde_json::json!({ "contact": what, "fingerprint": c.fingerprint }),
            content_sha256: None,
        },
    )?;
    Ok(())
}

/// Adds a contact from a card or bare recipient. Never verified on add.
pub fn add_contact(conn: &Connection, card: &ContactCard, name: Option<&str>) -> Result<Contact, IdentityError> {
    if let Some(existing) = conn
        .query_row(
            &format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE age_recipient = ?1"),
            [&card.age_recipient],
            read_contact,
        )
        .optional()?
    {
        return Err(IdentityError::DuplicateContact(existing.display_name));
    }
    let display_name = name.map(str::to_string).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        if card.display_name.trim().is_empty() {
            "Unnamed contact".to_string()
        } else {
            card.display_name.clone()
        }
    });
    let signing_key = (!card.signing_key.is_empty()).then(|| card.signing_key.clone());
    let c = Contact {
        id: Uuid::new_v4(),
        display_name,
        age_recipient: card.age_recipient.clone(),
        fingerprint: card.fingerprint(),
        signing_key,
        verified: false,
        added_at: now_rfc3339(),
        verified_at: None,
    };
    conn.execute(
        &format!("INSERT INTO contacts({CONTACT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, NULL)"),
        params![c.id.to_string(), c.display_name, c.age_recipient, c.signing_key, c.fingerprint, c.added_at],
    )?;
    audit_contact(conn, Action::Create, &c, "added")?;
    Ok(c)
}

/// All contacts, by name.
pub fn contacts(conn: &Connection) -> Result<Vec<Contact>, IdentityError> {
    let mut stmt = conn.prepare(&format!("SELECT {CONTACT_COLUMNS} FROM contacts ORDER BY display_name, added_at"))?;
    let rows = stmt.query_map([], read_contact)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Finds a contact by id, exact name, or age recipient.
pub fn find_contact(conn: &Connection, key: &str) -> Result<Contact, IdentityError> {
    let all = contacts(conn)?;
    let matches: Vec<&Contact> =
        all.iter().filter(|c| c.id.to_string() == key || c.display_name == key || c.age_recipient == key).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(IdentityError::NoSuchContact(key.to_string())),
        _ => Err(IdentityError::AmbiguousContact(key.to_string())),
    }
}

/// The contact with this signing key, if any.
pub fn contact_by_signing_key(conn: &Connection, key: &str) -> Result<Option<Contact>, IdentityError> {
    Ok(conn
        .query_row(&format!("SELECT {CONTACT_COLUMNS} FROM contacts WHERE signing_key = ?1"), [key], read_contact)
        .optional()?)
}

/// Marks a contact verified (after the fingerprint was compared out of band).
pub fn verify_contact(conn: &Connection, key: &str) -> Result<Contact, IdentityError> {
    let c = find_contact(conn, key)?;
    conn.execute(
        "UPDATE contacts SET verified = 1, verified_at = ?2 WHERE id = ?1",
        params![c.id.to_string(), now_rfc3339()],
    )?;
    let c = find_contact(conn, &c.id.to_string())?;
    audit_contact(conn, Action::Update, &c, "verified")?;
    Ok(c)
}

/// Removes a contact.
pub fn remove_contact(conn: &Connection, key: &str) -> Result<Contact, IdentityError> {
    let c = find_contact(conn, key)?;
    conn.execute("DELETE FROM contacts WHERE id = ?1", [c.id.to_string()])?;
    audit_contact(conn, Action::Delete, &c, "removed")?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_six_groups_and_depends_on_both_keys() {
        let a = SigningKey::from_bytes(&[1u8; 32]).verifying_key();
        let b = SigningKey::from_bytes(&[2u8; 32]).verifying_key();
        let f = fingerprint(&a, "age1x");
        assert_eq!(f.len(), 6 * 5 + 5);
        assert!(f.split(' ').all(|g| g.len() == 5 && g.bytes().all(|c| c.is_ascii_digit())));
        assert_ne!(f, fingerprint(&b, "age1x"));
        assert_ne!(f, fingerprint(&a, "age1y"));
        assert_eq!(f, fingerprint(&a, "age1x"));
    }

    #[test]
    fn cards_parse_strictly() {
        let id = age::x25519::Identity::generate();
        let r = id.to_public().to_string();
        assert!(parse_card(&r).unwrap().signing_key.is_empty());
        let sk = encode_signing_key(&SigningKey::from_bytes(&[3u8; 32]).verifying_key());
        let card = serde_json::json!({"amana_contact": 1, "display_name": "Legal team", "age_recipient": r, "signing_key": sk});
        assert!(parse_card(&card.to_string()).is_ok());
        for bad in [
            "age1notarecipient".to_string(),
            "hello".to_string(),
            serde_json::json!({"amana_contact": 2, "display_name": "x", "age_recipient": r, "signing_key": sk}).to_string(),
            serde_json::json!({"amana_contact": 1, "display_name": "x", "age_recipient": r, "signing_key": "ed25519:AAAA"}).to_string(),
            serde_json::json!({"amana_contact": 1, "display_name": "x", "age_recipient": r, "signing_key": sk, "extra": 1}).to_string(),
        ] {
            assert!(parse_card(&bad).is_err(), "{bad}");
        }
    }
}

/// One of this vault's identities as a backup carries it. It holds secret
/// keys: it exists only inside backups (which are encrypted), is never
/// printed (`Debug` shows no key) and is wiped from memory when dropped.
#[derive(Clone, PartialEq, Serialize, Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
#[serde(deny_unknown_fields)]
pub struct IdentityBackup {
    /// When it was made.
    pub created_at: String,
    /// The name it signs with.
    pub display_name: String,
    /// The age identity (`AGE-SECRET-KEY-1…`).
    pub age_secret: String,
    /// The Ed25519 signing key, hex.
    pub signing_secret: String,
    /// Whether it is the identity in use (older ones only open old bundles).
    pub active: bool,
}

impl std::fmt::Debug for IdentityBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityBackup")
            .field("created_at", &self.created_at)
            .field("display_name", &self.display_name)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// What a backup carries besides the records: the vault's identities (so
/// partners can keep sending to it and old bundles still open) and its
/// contacts (with their verified marks).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaultState {
    /// Every identity, oldest first.
    pub identities: Vec<IdentityBackup>,
    /// Every contact.
    pub contacts: Vec<Contact>,
}

/// Reads the identities and contacts for a backup.
pub fn backup_state(conn: &Connection) -> Result<VaultState, IdentityError> {
    let mut stmt = conn
        .prepare("SELECT created_at, display_name, age_secret, signing_secret, active FROM identities ORDER BY id")?;
    let identities = stmt
        .query_map([], |r| {
            Ok(IdentityBackup {
                created_at: r.get(0)?,
                display_name: r.get(1)?,
                age_secret: r.get(2)?,
                signing_secret: r.get(3)?,
                active: r.get::<_, i64>(4)? == 1,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for i in &identities {
        load(i.display_name.clone(), &i.age_secret, &i.signing_secret)?;
    }
    Ok(VaultState { identities, contacts: contacts(conn)? })
}

/// How much of a backup's [`VaultState`] was new to the vault.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StateRestored {
    /// Identities added.
    pub identities: usize,
    /// Contacts added.
    pub contacts: usize,
}

/// Checks a backup's identities and contacts without writing anything.
pub fn check_state(state: &VaultState) -> Result<(), IdentityError> {
    if state.identities.iter().filter(|i| i.active).count() > 1 {
        return Err(IdentityError::Damaged);
    }
    for i in &state.identities {
        load(i.display_name.clone(), &i.age_secret, &i.signing_secret)?;
    }
    for c in &state.contacts {
        age::x25519::Recipient::from_str(&c.age_recipient).map_err(|_| IdentityError::BadCard)?;
        if let Some(k) = &c.signing_key {
            let key = decode_signing_key(k).ok_or(IdentityError::BadCard)?;
            if c.fingerprint.as_deref() != Some(fingerprint(&key, &c.age_recipient).as_str()) {
                return Err(IdentityError::BadCard);
            }
        }
    }
    Ok(())
}

/// The public signing keys (`ed25519:…`) of a backup's identities.
pub(crate) fn signing_keys_of(state: &VaultState) -> Vec<String> {
    state
        .identities
        .iter()
        .filter_map(|i| load(i.display_name.clone(), &i.age_secret, &i.signing_secret).ok())
        .map(|id| encode_signing_key(&id.verifying_key()))
        .collect()
}

/// Whether the vault has the identity with this age secret key.
pub fn has_identity(conn: &Connection, age_secret: &str) -> Result<bool, IdentityError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM identities WHERE age_secret = ?1)", [age_secret], |r| r.get(0))?)
}

/// Whether the vault has a contact with this age recipient.
pub fn has_contact(conn: &Connection, age_recipient: &str) -> Result<bool, IdentityError> {
    Ok(conn
        .query_row("SELECT EXISTS (SELECT 1 FROM contacts WHERE age_recipient = ?1)", [age_recipient], |r| r.get(0))?)
}

/// Adds a backup's identities and contacts that the vault does not have
/// (in the caller's transaction). With `take_active` (a restore into a new
/// vault), the backup's active identity becomes the active one; otherwise
/// (an import of this vault's own backup) the active identity stays, so an
/// old backup never rolls the vault back to an old key. Identities the vault
/// already had stay, for their old bundles. A contact the vault already has
/// (same age recipient) is kept as it is.
///
/// Only a restore, or an import of a backup signed by one of this vault's
/// own identities, may call this (docs/SECURITY.md, "Who may change what"):
/// it carries secret keys and `verified` marks.
///
/// `state` must have passed [`check_state`]. It has when it comes from a
/// bundle's manifest: `bundle::validate_manifest` checks it, and every
/// manifest the bundle reader returns went through that; hence crate-only.
pub(crate) fn restore_state(
    conn: &Connection,
    state: &VaultState,
    take_active: bool,
) -> Result<StateRestored, IdentityError> {
    let mut done = StateRestored::default();
    for i in &state.identities {
        if !has_identity(conn, &i.age_secret)? {
            conn.execute(
                "INSERT INTO identities(created_at, display_name, age_secret, signing_secret, active) VALUES (?1, ?2, ?3, ?4, 0)",
                params![i.created_at, i.display_name, i.age_secret, i.signing_secret],
            )?;
            done.identities += 1;
        }
    }
    if let Some(active) = state.identities.iter().find(|i| i.active && take_active) {
        conn.execute("UPDATE identities SET active = (age_secret = ?1)", [&active.age_secret])?;
    }
    for c in &state.contacts {
        let inserted = conn.execute(
            &format!("INSERT OR IGNORE INTO contacts({CONTACT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
            params![
                c.id.to_string(),
                c.display_name,
                c.age_recipient,
                c.signing_key,
                c.fingerprint,
                c.verified as i64,
                c.added_at,
                c.verified_at
            ],
        )?;
        if inserted == 1 {
            audit_contact(conn, Action::Create, c, "restored from a backup")?;
            done.contacts += 1;
        }
    }
    Ok(done)
}
