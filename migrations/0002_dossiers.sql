-- Every record of every case. A record's content is JSON in the shapes of
-- src/dossier/model.rs (docs/records.schema.json); the columns beside it are
-- what queries and merges need. A case's case_id is its own id.
CREATE TABLE records (
    id         TEXT PRIMARY KEY NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('case','situation','incident','instrument','proceeding','testimony','source','evidence')),
    case_id    TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    origin     TEXT CHECK (origin IS NULL OR json_valid(origin)),
    data       TEXT NOT NULL CHECK (json_valid(data))
) STRICT;
CREATE INDEX records_by_case ON records(case_id, kind);
CREATE INDEX records_by_kind ON records(kind);

-- Every saved version of every record, so an earlier version can be shown.
CREATE TABLE record_versions (
    id       TEXT NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    version  INTEGER NOT NULL,
    saved_at TEXT NOT NULL,
    origin   TEXT,
    data     TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

-- The audit log: a hash chain, each entry committing to the one before.
-- It names records by id and kind, never by their content.
CREATE TABLE audit_log (
    seq            INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    action         TEXT NOT NULL,
    kind           TEXT,
    record_id      TEXT,
    case_id        TEXT,
    detail         TEXT NOT NULL CHECK (json_valid(detail)),
    content_sha256 TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_record ON audit_log(record_id, seq);

-- Full-text search over folded text (see src/text.rs): FTS5 cannot fold
-- Arabic itself, so `names`, `name_keys` and `body` hold Rust-folded text.
CREATE VIRTUAL TABLE search_index USING fts5(
    record_id UNINDEXED, case_id UNINDEXED, kind UNINDEXED,
    names, name_keys, body,
    tokenize = 'unicode61 remove_diacritics 0'
);
