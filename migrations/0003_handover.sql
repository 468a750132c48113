-- This vault's own keys for handover: an age X25519 identity (to receive
-- bundles) and an Ed25519 signing key (to sign them). Rotation adds a new
-- active row and keeps the old ones, so old bundles remain readable.
CREATE TABLE identities (
    id             INTEGER PRIMARY KEY,
    created_at     TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    age_secret     TEXT NOT NULL,
    signing_secret TEXT NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1))
) STRICT;

-- People and organisations bundles are sent to or received from.
CREATE TABLE contacts (
    id            TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    age_recipient TEXT NOT NULL UNIQUE,
    signing_key   TEXT,
    fingerprint   TEXT,
    verified      INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    added_at      TEXT NOT NULL,
    verified_at   TEXT
) STRICT;
CREATE INDEX contacts_by_signing_key ON contacts(signing_key);
