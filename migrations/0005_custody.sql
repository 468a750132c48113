-- Trust in handover (docs/SECURITY.md, "Who may change what"): every record
-- has a custodian, the vault that created it, named by its Ed25519 signing
-- key. NULL is this vault itself (whichever of its identities). Only the
-- custodian, verified, changes an existing record through an import; any
-- other incoming change waits in `proposals` for the person to accept it.
--
-- custody_version: the custodian's own version number of the content last
--   taken from it, under the custodian's signature (NULL for own records).
--   Ordering between versions uses this, never a time the sender wrote.
-- custody_sha256: the digest of the content as taken from the custodian; a
--   record whose content differs from it was edited here since, and the
--   custodian's next version is then a proposal, not applied over that edit.
--   NULL: unknown (records imported before this migration): the next change
--   is a proposal.
-- unreviewed: 1 for material received from a sender who was not verified
--   (or who had not reviewed it either), until the person marks it reviewed.
ALTER TABLE records ADD COLUMN custodian TEXT;
ALTER TABLE records ADD COLUMN custody_version INTEGER CHECK (custody_version IS NULL OR custody_version >= 1);
ALTER TABLE records ADD COLUMN custody_sha256 TEXT;
ALTER TABLE records ADD COLUMN unreviewed INTEGER NOT NULL DEFAULT 0 CHECK (unreviewed IN (0, 1));

-- Records imported before custody existed: their custodian is the sender
-- they came from, if that sender is a contact with a signing key; otherwise
-- a name no signer can have, so every later change from anyone is a proposal.
UPDATE records SET custodian = coalesce(
    (SELECT c.signing_key FROM contacts c
      WHERE c.fingerprint = json_extract(records.origin, '$.sender_fingerprint') AND c.signing_key IS NOT NULL
      LIMIT 1),
    'unknown:' || coalesce(json_extract(records.origin, '$.sender_fingerprint'), 'sender')),
  custody_version = version
WHERE origin IS NOT NULL;

-- Deleted records, remembered by id (no content), so that no bundle brings
-- back what the person deleted.
CREATE TABLE tombstones (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    custodian       TEXT,
    custody_version INTEGER,
    deleted_at      TEXT NOT NULL
) STRICT;

-- Incoming changes that were not applied: each waits for the person to
-- accept or reject it, beside the record, never inside its history.
--   action: 'add' (a new record into a case of this vault), 'change', 'delete'.
--   base_version: the local version the proposal was made against (stale if
--   the record changed since).
--   data: the proposed content (NULL for a delete).
--   content_sha256: digest of `data` (or of the action for a delete); a
--   proposal already pending or rejected is not proposed again.
CREATE TABLE proposals (
    id                 TEXT PRIMARY KEY NOT NULL,
    record_id          TEXT NOT NULL,
    kind               TEXT NOT NULL,
    case_id            TEXT NOT NULL,
    action             TEXT NOT NULL CHECK (action IN ('add', 'change', 'delete')),
    base_version       INTEGER,
    custody_version    INTEGER NOT NULL,
    data               TEXT CHECK (data IS NULL OR json_valid(data)),
    content_sha256     TEXT NOT NULL,
    reason             TEXT NOT NULL,
    sender_key         TEXT NOT NULL,
    sender_name        TEXT NOT NULL,
    sender_fingerprint TEXT NOT NULL,
    sender_verified    INTEGER NOT NULL CHECK (sender_verified IN (0, 1)),
    custodian          TEXT,
    bundle_id          TEXT NOT NULL,
    received_at        TEXT NOT NULL,
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_at         TEXT
) STRICT;
CREATE INDEX proposals_by_record ON proposals(record_id, status);
CREATE INDEX proposals_by_status ON proposals(status, received_at);
