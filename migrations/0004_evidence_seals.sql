-- Each evidence file's seal: the SHA-256 of its age header as written into
-- the vault. The header carries a MAC keyed by the file's own random key, and
-- every payload chunk is authenticated under a key derived from it, so a file
-- whose header still has this digest and decrypts to the end holds exactly
-- the plaintext that was hashed when it was stored (docs/SECURITY.md,
-- "Evidence seals"). Export relies on it instead of hashing the file again;
-- a vault from before this table falls back to hashing.
CREATE TABLE evidence_seals (
    evidence_id   TEXT PRIMARY KEY NOT NULL REFERENCES records(id) ON DELETE CASCADE,
    header_sha256 TEXT NOT NULL
) STRICT;
