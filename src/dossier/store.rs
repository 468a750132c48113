//! Saving, reading, editing and deleting records. Each change is one
//! transaction: the record, its version history, its search index entry and
//! its audit entry are committed together or not at all.
//!
//! This module never writes a record without validating it first, and never
//! lets a record point at a case, source or record that does not exist.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use uuid::Uuid;

use super::date::now_rfc3339;
use super::model::{Kind, Record};
use crate::audit::{self, Action, NewEntry};
use crate::search;

/// A record as stored: identity, bookkeeping and content.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Stable id (bundles merge on it).
    pub id: Uuid,
    /// The case it belongs to (a case's is its own id).
    pub case_id: Uuid,
    /// Version number, from 1.
    pub version: u32,
    /// When created (RFC 3339 UTC).
    pub created_at: String,
    /// When last changed.
    pub updated_at: String,
    /// Where it came from, if imported (bundle and sender).
    pub origin: Option<serde_json::Value>,
    /// Who has authority over it, and whether it was reviewed.
    pub custody: Custody,
    /// The content.
    pub record: Record,
}

/// Who has authority over a record (docs/SECURITY.md, "Who may change what").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Custody {
    /// The signing key (`ed25519:…`) of the vault that created the record;
    /// `None`: this vault.
    pub custodian: Option<String>,
    /// The custodian's version number of the content last taken from it.
    pub version: Option<u32>,
    /// The digest ([`audit::content_digest`]) of that content; a record
    /// whose content differs was edited here since. `None`: unknown.
    pub sha256: Option<String>,
    /// Received from a sender who was not verified, not yet reviewed here.
    pub unreviewed: bool,
}

impl StoredRecord {
    /// Whether the content is still exactly what the custodian sent.
    pub fn unchanged_since_custody(&self) -> bool {
        self.custody.sha256.as_deref() == Some(audit::content_digest(&self.record.to_json().to_string()).as_str())
    }
}

impl Serialize for StoredRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("StoredRecord", 10)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("kind", &self.record.kind())?;
        st.serialize_field("case_id", &self.case_id)?;
        st.serialize_field("version", &self.version)?;
        st.serialize_field("created_at", &self.created_at)?;
        st.serialize_field("updated_at", &self.updated_at)?;
        if let Some(o) = &self.origin {
            st.serialize_field("origin", o)?;
        }
        if let Some(c) = &self.custody.custodian {
            st.serialize_field("custodian", c)?;
        }
        if self.custody.unreviewed {
            st.serialize_field("unreviewed", &true)?;
        }
        st.serialize_field("data", &self.record.to_json())?;
        st.end()
    }
}

/// Everything that can go wrong with records.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// No record with that id.
    #[error("no record has the id {0}")]
    NotFound(String),
    /// The record exists but is of another kind.
    #[error("{id} is a {found}, not a {expected}")]
    WrongKind {
        /// The id.
        id: Uuid,
        /// What was asked for.
        expected: &'static str,
        /// What it is.
        found: &'static str,
    },
    /// The input is not valid JSON or does not fit the record's shape.
    #[error("the {kind} is not valid: {message}")]
    Invalid {
        /// The kind being written.
        kind: &'static str,
        /// What is wrong, in one sentence.
        message: String,
    },
    /// A record with that id already exists.
    #[error("a record with the id {0} already exists")]
    DuplicateId(Uuid),
    /// A reference points nowhere or somewhere wrong.
    #[error("{0}")]
    BadReference(String),
    /// Deleting would leave other records pointing at nothing.
    #[error("{0}")]
    InUse(String),
    /// No such version.
    #[error("record {id} has no version {version}")]
    NoSuchVersion {
        /// The id.
        id: Uuid,
        /// The version asked for.
        version: u32,
    },
    /// The database failed.
    #[error("the vault database reported an error: {0}")]
    Db(#[from] rusqlite::Error),
}

impl DossierError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            DossierError::NotFound(_) => "record.not_found",
            DossierError::WrongKind { .. } => "record.wrong_kind",
            DossierError::Invalid { .. } => "record.invalid",
            DossierError::DuplicateId(_) => "record.duplicate_id",
            DossierError::BadReference(_) => "record.bad_reference",
            DossierError::InUse(_) => "record.in_use",
            DossierError::NoSuchVersion { .. } => "record.no_such_version",
            DossierError::Db(_) => "vault.database_error",
        }
    }

    /// An "invalid input" error for a record of `kind`.
    pub fn invalid(kind: Kind, message: impl ToString) -> Self {
        DossierError::Invalid { kind: kind.as_str(), message: message.to_string() }
    }
}

/// Reads JSON text typed or piped by a person, refusing an object that gives
/// the same field twice at any depth. `serde_json::Value` keeps only the last
/// of two equal keys, so `{"id": A, "id": B}` would silently become `B`:
/// input is strict, and a field given twice is refused, never dropped. Callers
/// that read record input as text should use this, then [`parse_input`].
pub fn parse_json_text(kind: Kind, text: &str) -> Result<serde_json::Value, DossierError> {
    use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};

    struct Strict;
    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = serde_json::Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(Strict)
        }
    }
    impl<'de> Visitor<'de> for Strict {
        type Value = serde_json::Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.into())
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(serde_json::Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(Strict)? {
                out.push(v);
            }
            Ok(out.into())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(A::Error::custom(format!("the field \"{key}\" is given twice")));
                }
                let value = map.next_value_seed(Strict)?;
                out.insert(key, value);
            }
            Ok(out.into())
        }
    }

    let mut de = serde_json::Deserializer::from_str(text);
    let value = Strict
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| DossierError::invalid(kind, format!("the input is not valid JSON ({e})")))?;
    Ok(value)
}

/// Parses a record of `kind` from JSON input, strictly, and validates it.
/// An `"id"` field, if present, is returned apart (for scripts that choose ids).
pub fn parse_input(kind: Kind, mut value: serde_json::Value) -> Result<(Option<Uuid>, Record), DossierError> {
    let id = match value.as_object_mut() {
        Some(obj) => match obj.remove("id") {
            Some(serde_json::Value::String(s)) => {
                Some(Uuid::parse_str(&s).map_err(|_| DossierError::invalid(kind, format!("\"{s}\" is not a UUID")))?)
            }
            Some(_) => return Err(DossierError::invalid(kind, "the id must be a UUID string")),
            None => None,
        },
        None => return Err(DossierError::invalid(kind, "expected a JSON object")),
    };
    let record = Record::from_json(kind, value).map_err(|e| DossierError::invalid(kind, e))?;
    record.validate().map_err(|m| DossierError::invalid(kind, m))?;
    Ok((id, record))
}

const SELECT: &str = "SELECT id, kind, case_id, version, created_at, updated_at, origin, data, \
     custodian, custody_version, custody_sha256, unreviewed FROM records";

/// A `records` row as read: id, kind, case id, version, created, updated, origin, data, custody.
type Row = (String, String, String, u32, String, String, Option<String>, String, Custody);

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let custody =
        Custody { custodian: r.get(8)?, version: r.get(9)?, sha256: r.get(10)?, unreviewed: r.get::<_, i64>(11)? == 1 };
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, custody))
}

fn to_stored(row: Row) -> Result<StoredRecord, DossierError> {
    let (id, kind, case_id, version, created_at, updated_at, origin, data, custody) = row;
    let kind = Kind::parse(&kind).ok_or_else(|| DossierError::NotFound(id.clone()))?;
    let value: serde_json::Value = serde_json::from_str(&data).map_err(|e| DossierError::invalid(kind, e))?;
    Ok(StoredRecord {
        id: Uuid::parse_str(&id).map_err(|e| DossierError::invalid(kind, e))?,
        case_id: Uuid::parse_str(&case_id).map_err(|e| DossierError::invalid(kind, e))?,
        version,
        created_at,
        updated_at,
        origin: origin.and_then(|o| serde_json::from_str(&o).ok()),
        custody,
        record: Record::from_json(kind, value).map_err(|e| DossierError::invalid(kind, e))?,
    })
}

/// Reads one record.
pub fn get(conn: &Connection, id: Uuid) -> Result<StoredRecord, DossierError> {
    let row = conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id.to_string()], read_row).optional()?;
    to_stored(row.ok_or_else(|| DossierError::NotFound(id.to_string()))?)
}

/// Reads one record, which must be of `kind`.
pub fn get_kind(conn: &Connection, id: Uuid, kind: Kind) -> Result<StoredRecord, DossierError> {
    let r = get(conn, id)?;
    if r.record.kind() != kind {
        return Err(DossierError::WrongKind { id, expected: kind.as_str(), found: r.record.kind().as_str() });
    }
    Ok(r)
}

/// Lists records, optionally of one kind and one case, oldest first.
pub fn list(conn: &Connection, kind: Option<Kind>, case_id: Option<Uuid>) -> Result<Vec<StoredRecord>, DossierError> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR case_id = ?2) ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(params![kind.map(|k| k.as_str()), case_id.map(|c| c.to_string())], read_row)?;
    rows.map(|r| to_stored(r?)).collect()
}

/// Checks that a record's references point at existing records of the right
/// kind in the same case.
fn check_references(conn: &Connection, case_id: Uuid, record: &Record) -> Result<(), DossierError> {
    for reference in record.references() {
        let (id, what) = (reference.id, reference.what);
        let target = get(conn, id).map_err(|_| DossierError::BadReference(format!("{what} {id} does not exist")))?;
        if target.case_id != case_id {
            return Err(DossierError::BadReference(format!("{what} {id} belongs to another case")));
        }
        if !reference.allowed.contains(&target.record.kind()) {
            return Err(DossierError::BadReference(format!("{what} {id} is a {}", target.record.kind().as_str())));
        }
    }
    Ok(())
}

/// Adds a record. A case needs no `case_id`; every other kind must name an
/// existing case.
pub fn add(
    tx: &Transaction<'_>,
    case_id: Option<Uuid>,
    id: Option<Uuid>,
    record: Record,
    origin: Option<serde_json::Value>,
) -> Result<StoredRecord, DossierError> {
    let kind = record.kind();
    record.validate().map_err(|m| DossierError::invalid(kind, m))?;
    let id = id.unwrap_or_else(Uuid::new_v4);
    if get(tx, id).is_ok() {
        return Err(DossierError::DuplicateId(id));
    }
    let case_id = match (kind, case_id) {
        (Kind::Case, None) => id,
        (Kind::Case, Some(_)) => return Err(DossierError::invalid(kind, "a case does not belong to another case")),
        (_, None) => return Err(DossierError::invalid(kind, "it must belong to a case (give the case id)")),
        (_, Some(c)) => {
            get_kind(tx, c, Kind::Case).map_err(|e| match e {
                DossierError::NotFound(_) => DossierError::BadReference(format!("the case {c} does not exist")),
                other => other,
            })?;
            c
        }
    };
    check_references(tx, case_id, &record)?;
    let now = now_rfc3339();
    let stored = StoredRecord {
        id,
        case_id,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
        origin,
        custody: Custody::default(),
        record,
    };
    let action = if kind == Kind::Evidence { Action::Attach } else { Action::Create };
    write(tx, &stored, action, true)?;
    Ok(stored)
}

/// Restores a record from a backup with its original version number, times
/// and earlier versions (`history`: version, saved_at, content), so a restored
/// vault shows the same history as the one backed up.
pub fn add_restored(
    tx: &Transaction<'_>,
    stored: StoredRecord,
    history: &[(u32, String, serde_json::Value)],
) -> Result<StoredRecord, DossierError> {
    let kind = stored.record.kind();
    if get(tx, stored.id).is_ok() {
        return Err(DossierError::DuplicateId(stored.id));
    }
    if kind != Kind::Case {
        get_kind(tx, stored.case_id, Kind::Case)?;
    }
    check_references(tx, stored.case_id, &stored.record)?;
    for (version, saved_at, data) in history.iter().filter(|h| h.0 < stored.version) {
        Record::from_json(kind, data.clone()).map_err(|e| DossierError::invalid(kind, e))?;
        if get(tx, stored.id).is_err() {
            tx.execute(
                "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, origin, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![stored.id.to_string(), kind.as_str(), stored.case_id.to_string(), version, stored.created_at, saved_at, None::<String>, data.to_string()],
            )?;
        }
        tx.execute(
            "INSERT INTO record_versions(id, version, saved_at, origin, data) VALUES (?1, ?2, ?3, NULL, ?4)",
            params![stored.id.to_string(), version, saved_at, data.to_string()],
        )?;
    }
    let exists = get(tx, stored.id).is_ok();
    write(tx, &stored, Action::Import, !exists)?;
    Ok(stored)
}

/// Sets a record's custody (after [`add`], [`add_restored`] or [`replace`]
/// of what an import or an accepted proposal brings). Local edits never call
/// it: they keep the custody, so the record then differs from what the
/// custodian sent ([`StoredRecord::unchanged_since_custody`]).
pub fn set_custody(tx: &Transaction<'_>, id: Uuid, custody: &Custody) -> Result<(), DossierError> {
    tx.execute(
        "UPDATE records SET custodian = ?2, custody_version = ?3, custody_sha256 = ?4, unreviewed = ?5 WHERE id = ?1",
        params![id.to_string(), custody.custodian, custody.version, custody.sha256, custody.unreviewed as i64],
    )?;
    Ok(())
}

/// Marks every record of a case that was received unreviewed as reviewed;
/// returns how many. Audited.
pub fn mark_reviewed(tx: &Transaction<'_>, case_id: Uuid) -> Result<usize, DossierError> {
    get_kind(tx, case_id, Kind::Case)?;
    let n =
        tx.execute("UPDATE records SET unreviewed = 0 WHERE case_id = ?1 AND unreviewed = 1", [case_id.to_string()])?;
    if n > 0 {
        audit::append(
            tx,
            NewEntry {
                action: Action::Review,
                kind: Some("case"),
                record_id: Some(case_id.to_string()),
                case_id: Some(case_id.to_string()),
                detail: serde_json::json!({ "records_reviewed": n }),
                content_sha256: None,
            },
        )?;
    }
    Ok(n)
}

/// How many records of a case were received unreviewed and not reviewed yet.
pub fn count_unreviewed(conn: &Connection, case_id: Uuid) -> Result<usize, DossierError> {
    Ok(conn.query_row(
        "SELECT count(*) FROM records WHERE case_id = ?1 AND unreviewed = 1",
        [case_id.to_string()],
        |r| r.get::<_, i64>(0),
    )? as usize)
}

/// A deleted record, remembered without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Tombstone {
    /// The record's id.
    pub id: Uuid,
    /// Its kind.
    pub kind: Kind,
    /// Its case.
    pub case_id: Uuid,
    /// Its custodian when deleted (`None`: this vault).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custodian: Option<String>,
    /// The custodian's version when deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody_version: Option<u32>,
    /// When.
    pub deleted_at: String,
}

/// Whether a record with this id was deleted here.
pub fn is_tombstoned(conn: &Connection, id: Uuid) -> Result<bool, DossierError> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM tombstones WHERE id = ?1)", [id.to_string()], |r| r.get(0))?)
}

/// Remembers deleted records (in the caller's transaction); a record deleted
/// twice keeps its first tombstone.
pub fn add_tombstone(tx: &Transaction<'_>, t: &Tombstone) -> Result<(), DossierError> {
    tx.execute(
        "INSERT OR IGNORE INTO tombstones(id, kind, case_id, custodian, custody_version, deleted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![t.id.to_string(), t.kind.as_str(), t.case_id.to_string(), t.custodian, t.custody_version, t.deleted_at],
    )?;
    Ok(())
}

/// The tombstones of records of these cases (all of them with `None`).
pub fn tombstones(conn: &Connection, cases: Option<&[Uuid]>) -> Result<Vec<Tombstone>, DossierError> {
    let mut stmt = conn.prepare(
        "SELECT id, kind, case_id, custodian, custody_version, deleted_at FROM tombstones ORDER BY deleted_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, Option<u32>>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, case_id, custodian, custody_version, deleted_at) = row?;
        let (Ok(id), Some(kind), Ok(case_id)) = (Uuid::parse_str(&id), Kind::parse(&kind), Uuid::parse_str(&case_id))
        else {
            continue;
        };
        if cases.is_some_and(|c| !c.contains(&case_id)) {
            continue;
        }
        out.push(Tombstone { id, kind, case_id, custodian, custody_version, deleted_at });
    }
    Ok(out)
}

fn write(tx: &Transaction<'_>, r: &StoredRecord, action: Action, insert: bool) -> Result<(), DossierError> {
    let data = r.record.to_json().to_string();
    let origin = r.origin.as_ref().map(|o| o.to_string());
    let kind = r.record.kind().as_str();
    if insert {
        tx.execute(
            "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, origin, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![r.id.to_string(), kind, r.case_id.to_string(), r.version, r.created_at, r.updated_at, origin, data],
        )?;
    } else {
        tx.execute(
            "UPDATE records SET version = ?2, updated_at = ?3, origin = ?4, data = ?5 WHERE id = ?1",
            params![r.id.to_string(), r.version, r.updated_at, origin, data],
        )?;
    }
    crate::fault::crash_point("record.row-written");
    tx.execute(
        "INSERT INTO record_versions(id, version, saved_at, origin, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![r.id.to_string(), r.version, r.updated_at, origin, data],
    )?;
    search::index_record(tx, r)?;
    crate::fault::crash_point("record.indexed");
    let mut detail = serde_json::json!({ "version": r.version });
    if let Some(o) = &r.origin {
        detail["origin"] = o.clone();
    }
    audit::append(
        tx,
        NewEntry {
            action,
            kind: Some(kind),
            record_id: Some(r.id.to_string()),
            case_id: Some(r.case_id.to_string()),
            detail,
            content_sha256: Some(audit::content_digest(&data)),
        },
    )?;
    Ok(())
}

/// RFC 7386 JSON merge patch: objects merge, `null` removes, anything else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// Edits a record with a JSON merge patch; the previous version stays in history.
pub fn edit(tx: &Transaction<'_>, id: Uuid, patch: &serde_json::Value) -> Result<StoredRecord, DossierError> {
    let current = get(tx, id)?;
    let kind = current.record.kind();
    if !patch.is_object() {
        return Err(DossierError::invalid(kind, "an edit is a JSON object with the fields to change"));
    }
    if patch.get("id").is_some() {
        return Err(DossierError::invalid(kind, "the id of a record cannot be changed"));
    }
    if kind == Kind::Evidence {
        for frozen in ["attached_to", "file_name", "size", "sha256", "media_type"] {
            if patch.get(frozen).is_some() {
                return Err(DossierError::invalid(
                    kind,
                    format!("\"{frozen}\" is fixed when the file is attached and cannot be edited"),
                ));
            }
        }
    }
    let mut value = current.record.to_json();
    merge_patch(&mut value, patch);
    let record = Record::from_json(kind, value).map_err(|e| DossierError::invalid(kind, e))?;
    replace(tx, current, record, None)
}

/// Saves `record` as the next version of `current` (no-op if unchanged).
pub fn replace(
    tx: &Transaction<'_>,
    current: StoredRecord,
    record: Record,
    origin: Option<serde_json::Value>,
) -> Result<StoredRecord, DossierError> {
    let kind = record.kind();
    if kind != current.record.kind() {
        return Err(DossierError::WrongKind {
            id: current.id,
            expected: current.record.kind().as_str(),
            found: kind.as_str(),
        });
    }
    record.validate().map_err(|m| DossierError::invalid(kind, m))?;
    if record == current.record && origin.is_none() {
        return Ok(current);
    }
    check_references(tx, current.case_id, &record)?;
    let next = StoredRecord {
        version: current.version + 1,
        updated_at: now_rfc3339(),
        origin: origin.or(current.origin.clone()),
        record,
        ..current
    };
    write(tx, &next, Action::Update, false)?;
    Ok(next)
}

/// One version of a record in its history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Version {
    /// Version number.
    pub version: u32,
    /// When saved.
    pub saved_at: String,
    /// Where it came from, if imported.
    pub origin: Option<serde_json::Value>,
    /// The content of that version.
    pub data: serde_json::Value,
}

/// Every version of a record, oldest first.
pub fn history(conn: &Connection, id: Uuid) -> Result<Vec<Version>, DossierError> {
    get(conn, id)?;
    let mut stmt =
        conn.prepare("SELECT version, saved_at, origin, data FROM record_versions WHERE id = ?1 ORDER BY version")?;
    let rows = stmt.query_map([id.to_string()], |r| {
        let origin: Option<String> = r.get(2)?;
        let data: String = r.get(3)?;
        Ok(Version {
            version: r.get(0)?,
            saved_at: r.get(1)?,
            origin: origin.and_then(|o| serde_json::from_str(&o).ok()),
            data: serde_json::from_str(&data).unwrap_or(serde_json::Value::Null),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// What a delete removed.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Deleted {
    /// Ids of every record removed (a case takes its records with it).
    pub records: Vec<Uuid>,
    /// Evidence ids whose encrypted files must be removed once committed.
    pub evidence: Vec<Uuid>,
}

/// Deletes a record (and, for a case, everything in it). Deleted content is
/// really gone from the database (`secure_delete`); the audit log keeps only
/// that a record of that kind and id was deleted.
pub fn delete(tx: &Transaction<'_>, id: Uuid) -> Result<Deleted, DossierError> {
    let r = get(tx, id)?;
    let kind = r.record.kind();
    let mut gone = Deleted::default();
    let doomed: Vec<StoredRecord> = if kind == Kind::Case { list(tx, None, Some(id))? } else { vec![r.clone()] };
    if kind != Kind::Case {
        let dependants: Vec<StoredRecord> = list(tx, None, Some(r.case_id))?
            .into_iter()
            .filter(|o| match &o.record {
                Record::Testimony(t) => t.source_id == Some(id),
                Record::Evidence(e) => e.attached_to == id,
                _ => false,
            })
            .collect();
        if !dependants.is_empty() {
            let what: Vec<String> =
                dependants.iter().map(|d| format!("{} {}", d.record.kind().as_str(), d.id)).collect();
            return Err(DossierError::InUse(format!(
                "the {} {id} is still referred to by {}; delete or edit those first",
                kind.as_str(),
                what.join(", ")
            )));
        }
    }
    let deleted_at = now_rfc3339();
    for d in &doomed {
        add_tombstone(
            tx,
            &Tombstone {
                id: d.id,
                kind: d.record.kind(),
                case_id: d.case_id,
                custodian: d.custody.custodian.clone(),
                custody_version: d.custody.version.or((d.custody.custodian.is_none()).then_some(d.version)),
                deleted_at: deleted_at.clone(),
            },
        )?;
        search::remove_record(tx, d.id)?;
        crate::fault::crash_point("record.unindexed");
        gone.records.push(d.id);
        if d.record.kind() == Kind::Evidence {
            gone.evidence.push(d.id);
        }
    }
    tx.execute("DELETE FROM records WHERE id = ?1", [id.to_string()])?;
    crate::fault::crash_point("record.row-deleted");
    audit::append(
        tx,
        NewEntry {
            action: Action::Delete,
            kind: Some(kind.as_str()),
            record_id: Some(id.to_string()),
            case_id: Some(r.case_id.to_string()),
            detail: serde_json::json!({ "records_removed": gone.records.len() }),
            content_sha256: None,
        },
    )?;
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_with_a_field_given_twice_is_refused_at_any_depth() {
        for text in [
            r#"{"id": "a", "id": "b"}"#,
            r#"{"subject": {"names": [{"name": "A", "name": "B"}]}}"#,
            r#"[{"x": 1}, {"y": 1, "y": 2}]"#,
        ] {
            let err = parse_json_text(Kind::Case, text).unwrap_err();
            assert_eq!(err.code(), "record.invalid", "{text}");
            assert!(err.to_string().contains("is given twice"), "{text}: {err}");
        }
    }

    #[test]
    fn json_text_parses_like_serde_json_otherwise() {
        for text in [
            r#"{"a": [1, -2, 3.5, true, null, "\u0645"], "b": {"c": {}}, "d": 18446744073709551615}"#,
            "[]",
            "\"x\"",
            "  {\"title\": \"Témoignage\"}  ",
        ] {
            let expected: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse_json_text(Kind::Case, text).unwrap(), expected, "{text}");
        }
        for bad in ["", "{", "{} {}", "{\"a\": }", "[1,]", "NaN"] {
            assert_eq!(parse_json_text(Kind::Case, bad).unwrap_err().code(), "record.invalid", "{bad:?}");
        }
    }
}
