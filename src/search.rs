//! Search across the vault: SQLite FTS5 over text folded in Rust (Arabic
//! diacritics, alef forms, ta marbuta...; see `text` and docs/search.md), plus
//! transliteration-tolerant name keys, ranked with BM25, paged, with a snippet
//! of the original text around the match.
//!
//! The index lives inside the encrypted database and is updated in the same
//! transaction as the record. It never holds a source's identity, so a search
//! result can never show one.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use uuid::Uuid;

use crate::dossier::store::{self, StoredRecord};
use crate::dossier::{Kind, Record};
use crate::text::{fold, fold_with_map, name_keys, original_range, words};

// Where a record's row is in the index. `record_id` is an UNINDEXED column
// of the FTS5 table, so `WHERE record_id = ?` reads every row of the index
// (every testimony's text, decrypted): done on each write, that made bulk
// writes quadratic (24 records/s at 10,000 testimonies). Instead a record's
// index row has the rowid of the record's row in `records` (found through
// its primary key), which also keeps new rows in ascending rowid order: FTS5
// writes its pending terms out as a new segment whenever a row arrives with
// a smaller rowid than the last, so random rowids cost a segment per record.
//
// This holds as long as `records` is never renumbered: Amana never runs
// VACUUM (which may renumber tables without an INTEGER PRIMARY KEY). The
// vault_meta entry `LAYOUT_KEY` records that the index follows this layout;
// an index without it (written before, or after a renumbering, once the
// entry is deleted) is relocated row by row on its next write, and a row
// found at a record's rowid that belongs to another record triggers the same
// relocation.

/// The vault_meta entry saying that index rowids are `records` rowids.
const LAYOUT_KEY: &str = "search_index_rowids";
const LAYOUT: &str = "records";

/// Makes sure every index row sits at its record's rowid.
fn ensure_layout(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let ok: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM vault_meta WHERE key = ?1 AND value = ?2)")?
        .query_row([LAYOUT_KEY, LAYOUT], |row| row.get(0))?;
    if !ok {
        relocate_all(tx)?;
    }
    Ok(())
}

/// Moves every index row to its record's rowid (dropping rows of records
/// that no longer exist, and duplicates), and marks the layout.
fn relocate_all(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    type Row = (i64, String, String, String, String, String, String);
    let rows: Vec<Row> = tx
        .prepare(
            "SELECT r.rowid, s.record_id, s.case_id, s.kind, s.names, s.name_keys, s.body
             FROM search_index s JOIN records r ON r.id = s.record_id ORDER BY r.rowid",
        )?
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    // Emptied row by row under FTS5's secure-delete (db::index_secure_delete),
    // a large index takes minutes: each row's terms are cut out of the
    // segments one by one. Emptied with delete markers and merged into one
    // segment instead, no entry of the old rows is left either, and the
    // segments the merge replaces are freed and overwritten (secure_delete).
    tx.execute("INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 0)", [])?;
    tx.execute("DELETE FROM search_index", [])?;
    let mut insert = tx.prepare(
        "INSERT INTO search_index(rowid, record_id, case_id, kind, names, name_keys, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut last = None;
    for (rowid, record_id, case_id, kind, names, keys, body) in rows {
        if last != Some(rowid) {
            insert.execute(params![rowid, record_id, case_id, kind, names, keys, body])?;
            last = Some(rowid);
        }
    }
    tx.execute("INSERT INTO search_index(search_index) VALUES ('optimize')", [])?;
    tx.execute("INSERT INTO search_index(search_index, rank) VALUES ('secure-delete', 1)", [])?;
    tx.execute("INSERT OR REPLACE INTO vault_meta(key, value) VALUES (?1, ?2)", [LAYOUT_KEY, LAYOUT])?;
    Ok(())
}

/// The rowid of a record's row in `records`, if it is there.
fn record_rowid(tx: &Transaction<'_>, id: &str) -> rusqlite::Result<Option<i64>> {
    tx.prepare_cached("SELECT rowid FROM records WHERE id = ?1")?.query_row([id], |row| row.get(0)).optional()
}

/// Deletes `id`'s index row, which sits at `rowid`. Reads before writing: a
/// DELETE on the FTS5 table flushes FTS5's pending terms (a statement
/// savepoint), which a new record, with nothing to delete, must not pay.
fn remove_at(tx: &Transaction<'_>, id: &str, rowid: i64) -> rusqlite::Result<()> {
    let at: Option<String> = tx
        .prepare_cached("SELECT record_id FROM search_index WHERE rowid = ?1")?
        .query_row([rowid], |row| row.get(0))
        .optional()?;
    match at {
        None => return Ok(()),
        Some(other) if other != id => {
            // Another record's row is here: the layout was broken; repair it.
            relocate_all(tx)?;
            let again: Option<String> = tx
                .prepare_cached("SELECT record_id FROM search_index WHERE rowid = ?1")?
                .query_row([rowid], |row| row.get(0))
                .optional()?;
            if again.as_deref() != Some(id) {
                return Ok(());
            }
        }
        Some(_) => {}
    }
    tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?.execute([rowid])?;
    Ok(())
}

/// Puts a record into the index, replacing what was there. The record must
/// already be written to `records` (its index row takes the same rowid).
pub fn index_record(tx: &Transaction<'_>, r: &StoredRecord) -> rusqlite::Result<()> {
    ensure_layout(tx)?;
    let id = r.id.to_string();
    let rowid = record_rowid(tx, &id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    remove_at(tx, &id, rowid)?;
    let (names, body) = r.record.search_text();
    let keys: BTreeSet<String> = names.iter().flat_map(|n| name_keys(n)).collect();
    tx.prepare_cached(
        "INSERT INTO search_index(rowid, record_id, case_id, kind, names, name_keys, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        rowid,
        id,
        r.case_id.to_string(),
        r.record.kind().as_str(),
        fold(&names.join("\n")),
        keys.into_iter().collect::<Vec<_>>().join(" "),
        fold(&body.join("\n")),
    ])?;
    Ok(())
}

/// Removes a record from the index (before its row leaves `records`).
pub fn remove_record(tx: &Transaction<'_>, id: Uuid) -> rusqlite::Result<()> {
    ensure_layout(tx)?;
    let id = id.to_string();
    match record_rowid(tx, &id)? {
        Some(rowid) => remove_at(tx, &id, rowid),
        None => {
            // Not in `records` (already deleted): find its row the slow way.
            let rows: Vec<i64> = tx
                .prepare("SELECT rowid FROM search_index WHERE record_id = ?1")?
                .query_map([&id], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for rowid in rows {
                tx.prepare_cached("DELETE FROM search_index WHERE rowid = ?1")?.execute([rowid])?;
            }
            Ok(())
        }
    }
}

/// One term of a parsed query.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Word { folded: String, prefix: bool },
    Phrase(Vec<String>),
}

/// A parsed query: words, "quoted phrases", and prefix* words.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    terms: Vec<Term>,
    raw_words: Vec<String>,
}

impl Query {
    /// Parses what a person typed. Never fails: FTS syntax characters are
    /// treated as text, so no query can be an injection or a syntax error.
    pub fn parse(text: &str) -> Query {
        let mut terms = Vec::new();
        let mut raw_words = Vec::new();
        for (i, chunk) in text.split('"').enumerate() {
            let folded = fold(chunk);
            if i % 2 == 1 {
                let ws: Vec<String> = words(&folded).map(str::to_string).collect();
                if !ws.is_empty() {
                    terms.push(Term::Phrase(ws));
                }
                raw_words.extend(words(chunk).map(str::to_string));
                continue;
            }
            for piece in chunk.split_whitespace() {
                let prefix = piece.ends_with('*');
                let f = fold(piece.trim_end_matches('*'));
                let ws: Vec<&str> = words(&f).collect();
                let n = ws.len();
                for (j, w) in ws.into_iter().enumerate() {
                    terms.push(Term::Word { folded: w.to_string(), prefix: prefix && j + 1 == n });
                }
                raw_words.extend(words(piece.trim_end_matches('*')).map(str::to_string));
            }
        }
        Query { terms, raw_words }
    }

    /// Whether there is nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The FTS5 `MATCH` expression this query becomes, over the folded
    /// columns and name keys of `search_index`. For tools that query an index
    /// of the same shape directly (the benchmarks' plain-SQLite baseline).
    pub fn match_expression(&self) -> String {
        self.fts()
    }

    fn quoted(s: &str) -> String {
        format!("\"{}\"", s.replace('"', "\"\""))
    }

    /// The FTS5 MATCH expression: every term in the names or text, or every
    /// word's name key in the name keys, or a joined-words name key.
    fn fts(&self) -> String {
        let text: Vec<String> = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Word { folded, prefix } => format!("{}{}", Self::quoted(folded), if *prefix { "*" } else { "" }),
                Term::Phrase(ws) => Self::quoted(&ws.join(" ")),
            })
            .collect();
        let mut alternatives = vec![format!("{{names body}} : ({})", text.join(" AND "))];
        // A Latin article written as its own word ("al Kayali") belongs to the
        // next word; on its own it would be a key no name is indexed under.
        let last = self.raw_words.len().saturating_sub(1);
        let name_words: Vec<&String> = self
            .raw_words
            .iter()
            .enumerate()
            .filter(|(i, w)| *i == last || !is_latin_article(w))
            .map(|(_, w)| w)
            .collect();
        let per_word: Vec<Vec<String>> = name_words.iter().map(|w| name_keys(w)).filter(|k| !k.is_empty()).collect();
        if !per_word.is_empty() && per_word.len() == name_words.len() {
            let groups: Vec<String> = per_word
                .iter()
                .map(|ks| format!("({})", ks.iter().map(|k| Self::quoted(k)).collect::<Vec<_>>().join(" OR ")))
                .collect();
            alternatives.push(format!("name_keys : ({})", groups.join(" AND ")));
            let singles: BTreeSet<&String> = per_word.iter().flatten().collect();
            let joined: Vec<String> =
                name_keys(&self.raw_words.join(" ")).into_iter().filter(|k| !singles.contains(k)).collect();
            if !joined.is_empty() && self.raw_words.len() > 1 {
                alternatives.push(format!(
                    "name_keys : ({})",
                    joined.iter().map(|k| Self::quoted(k)).collect::<Vec<_>>().join(" OR ")
                ));
            }
        }
        alternatives.join(" OR ")
    }

    fn needles(&self) -> Vec<(String, bool)> {
        self.terms
            .iter()
            .map(|t| match t {
                Term::Word { folded, prefix } => (folded.clone(), *prefix),
                Term::Phrase(ws) => (ws.join(" "), false),
            })
            .collect()
    }
}

fn is_latin_article(word: &str) -> bool {
    matches!(
        fold(word).as_str(),
        "al" | "el"
            | "ul"
            | "ad"
            | "adh"
            | "an"
            | "ar"
            | "as"
            | "ash"
            | "at"
            | "ath"
            | "az"
            | "ed"
            | "es"
            | "et"
            | "en"
            | "er"
            | "ez"
    )
}

/// One search result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "SearchHit"))]
pub struct Hit {
    /// The record found.
    pub record_id: Uuid,
    /// Its kind.
    pub kind: Kind,
    /// Its case.
    pub case_id: Uuid,
    /// The case's label (subject's name and title).
    pub case_label: String,
    /// The record's label.
    pub label: String,
    /// Original text around the match.
    pub snippet: String,
    /// Byte ranges of `snippet` that matched.
    pub highlights: Vec<(usize, usize)>,
    /// Whether the match was on a name variant rather than the exact words.
    pub name_variant: bool,
    /// Received from a sender who was not verified, and not reviewed yet.
    pub unreviewed: bool,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "SearchResults"))]
pub struct Results {
    /// How many records match in all.
    pub total: u64,
    /// This page.
    pub hits: Vec<Hit>,
}

/// Searches the vault; results ranked best first. `offset`/`limit` page them.
pub fn search(conn: &Connection, text: &str, limit: usize, offset: usize) -> Result<Results, store::DossierError> {
    search_with(conn, None, text, limit, offset)
}

/// [`search`], with the ranking shared by two threads when `reader` is a
/// second connection to the same vault ([`crate::Vault::with_reader`]) and
/// the query matches thousands of records: once that shows, `reader` ranks
/// the upper half of what is left by rowid, then the two best lists are
/// merged. The results are exactly those of [`search`] (BM25 counts its
/// statistics over the whole index on either side). Without `reader`, or
/// inside an open transaction on `conn` (whose writes `reader` cannot see),
/// it ranks on `conn` alone.
pub fn search_with(
    conn: &Connection,
    reader: Option<&mut Connection>,
    text: &str,
    limit: usize,
    offset: usize,
) -> Result<Results, store::DossierError> {
    search_split_from(conn, reader, SPLIT, text, limit, offset)
}

/// [`search_with`], sharing the ranking from the first match on, whatever
/// their number (tests compare it with [`search`] on small vaults).
pub fn search_split(
    conn: &Connection,
    reader: &mut Connection,
    text: &str,
    limit: usize,
    offset: usize,
) -> Result<Results, store::DossierError> {
    search_split_from(conn, Some(reader), Split { first_look: 1, worth_from: 0 }, text, limit, offset)
}

fn search_split_from(
    conn: &Connection,
    reader: Option<&mut Connection>,
    split: Split,
    text: &str,
    limit: usize,
    offset: usize,
) -> Result<Results, store::DossierError> {
    let q = Query::parse(text);
    if q.is_empty() {
        return Ok(Results { total: 0, hits: Vec::new() });
    }
    let keep = offset.saturating_add(limit);
    let fts = q.fts();
    let (total, best) = match reader {
        Some(reader) if conn.is_autocommit() => {
            let (total, best, _) = ranked_split(conn, reader, &fts, keep, split)?;
            (total, best)
        }
        _ => ranked(conn, &fts, ALL_ROWIDS, keep)?,
    };
    let ids = ids_of(conn, best, offset)?;
    let needles = q.needles();
    let mut hits = Vec::with_capacity(ids.len());
    // Hits often share a case (a case's testimonies): its label is read once.
    let mut case_labels: HashMap<Uuid, String> = HashMap::new();
    for id in ids {
        let Ok(id) = Uuid::parse_str(&id) else { continue };
        let (case_id, record, unreviewed) = load(conn, id)?;
        let case_label = if case_id == id {
            record.label()
        } else {
            case_labels
                .entry(case_id)
                .or_insert_with(|| load(conn, case_id).map(|(_, c, _)| c.label()).unwrap_or_default())
                .clone()
        };
        let (names, body) = record.search_text();
        // Each field is folded once, for both the check below and the snippet.
        let folded: Vec<(String, Vec<usize>)> = names.iter().chain(&body).map(|f| fold_with_map(f)).collect();
        // Found by the words as typed only if every one of them is in the
        // record; otherwise (e.g. "Muhammad Idriss" finding "Mohamed Idriss")
        // some word matched through a name key, even if another is highlighted.
        let literal = needles
            .iter()
            .all(|(needle, prefix)| folded.iter().any(|(field, _)| !word_matches(field, needle, *prefix).is_empty()));
        let (snippet, highlights) = snippet(&names, &body, &folded, &needles)
            .unwrap_or_else(|| (names.first().cloned().unwrap_or_else(|| record.label()), Vec::new()));
        hits.push(Hit {
            record_id: id,
            kind: record.kind(),
            case_id,
            case_label,
            label: record.label(),
            name_variant: !literal,
            unreviewed,
            snippet,
            highlights,
        });
    }
    Ok(Results { total, hits })
}

/// A match's BM25 score (lower is better, as FTS5's `bm25()`) and rowid.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ranked {
    score: f64,
    rowid: i64,
}

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.score.total_cmp(&other.score).then(self.rowid.cmp(&other.rowid))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Each match's rowid and score, in rowid order (FTS5 gives its matches in
/// that order; [`ranked_split`] relies on it, so it is asked for), among
/// the rowids from ?2 to ?3.
const RANKED: &str = "SELECT rowid, bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) FROM search_index
     WHERE search_index MATCH ?1 AND rowid BETWEEN ?2 AND ?3 ORDER BY rowid";

/// Every rowid of the index.
const ALL_ROWIDS: (i64, i64) = (i64::MIN, i64::MAX);

/// How many rows with a rowid in `rowids` (inclusive) match `fts`, and the
/// best `keep` of them (BM25; ties by index rowid).
///
/// One pass over the matches (docs/bench/fixes.md, 4): each match's score
/// and rowid only, the best kept in a bounded heap, which gives the total
/// too. Separate `count(*)` and `ORDER BY bm25() LIMIT` queries found every
/// match twice (a phrase's positions checked twice), and selecting
/// `record_id` in the ranked query read the stored row of every match, not
/// only of the hits shown.
fn ranked(
    conn: &Connection,
    fts: &str,
    rowids: (i64, i64),
    keep: usize,
) -> rusqlite::Result<(u64, std::collections::BinaryHeap<Ranked>)> {
    let mut best: std::collections::BinaryHeap<Ranked> = std::collections::BinaryHeap::new();
    let mut total = 0u64;
    let mut stmt = conn.prepare_cached(RANKED)?;
    let mut rows = stmt.query(params![fts, rowids.0, rowids.1])?;
    while let Some(row) = rows.next()? {
        total += 1;
        if keep == 0 {
            continue;
        }
        keep_best(&mut best, Ranked { rowid: row.get(0)?, score: row.get(1)? }, keep);
    }
    Ok((total, best))
}

/// Puts `r` among the best `keep` matches if it ranks there (the heap's top
/// is the worst kept).
fn keep_best(best: &mut std::collections::BinaryHeap<Ranked>, r: Ranked, keep: usize) {
    if best.len() < keep {
        best.push(r);
    } else if best.peek().is_some_and(|worst| r < *worst) {
        best.pop();
        best.push(r);
    }
}

/// Whether, and when, a search hands half of what is left to the second
/// thread ([`ranked_split`]).
#[derive(Debug, Clone, Copy)]
struct Split {
    /// Matches ranked on the calling thread before the first look.
    first_look: u64,
    /// Matches that must be left, by the estimate, for the second thread to
    /// be worth starting.
    worth_from: u64,
}

/// Starting the second thread costs more than its share of a small result
/// saves: its connection finds the query's terms again in every segment of
/// the index, and BM25 counts each phrase's documents again. So a search
/// starts on one thread, looks after
/// a few hundred matches at how many more the rest of the index holds at
/// the same density, and starts the second only for thousands
/// (docs/bench/fixes.md, 10).
const SPLIT: Split = Split { first_look: 256, worth_from: 4_000 };

/// [`ranked`] over two threads (docs/bench/fixes.md, 8 and 10), exactly:
/// `conn` ranks the matches in rowid order; once the rest is worth sharing,
/// `reader` ranks the upper half of the rowids not yet reached while `conn`
/// goes on to that half's start, and the two best lists are merged. Scores
/// are the same on both sides: BM25's row count, average length and each
/// term's document frequency are those of the whole index, whatever rowids
/// a statement reaches. Also says from which rowid `reader` ranked, if it
/// did.
fn ranked_split(
    conn: &Connection,
    reader: &mut Connection,
    fts: &str,
    keep: usize,
    split: Split,
) -> rusqlite::Result<(u64, std::collections::BinaryHeap<Ranked>, Option<i64>)> {
    let mut best: std::collections::BinaryHeap<Ranked> = std::collections::BinaryHeap::new();
    let mut total = 0u64;
    let mut stmt = conn.prepare_cached(RANKED)?;
    let mut rows = stmt.query(params![fts, ALL_ROWIDS.0, ALL_ROWIDS.1])?;
    let mut reader = Some(reader);
    let mut next_look = split.first_look.max(1);
    std::thread::scope(|s| {
        // The second thread, once started, and the last rowid this one ranks.
        let mut upper = None;
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            if upper.as_ref().is_some_and(|(middle, _)| rowid > *middle) {
                break;
            }
            total += 1;
            if keep > 0 {
                keep_best(&mut best, Ranked { rowid, score: row.get(1)? }, keep);
            }
            if total == next_look && upper.is_none() {
                next_look = next_look.saturating_mul(2);
                // Index rowids are `records` rowids (see `LAYOUT_KEY`), from 1.
                let last: i64 =
                    conn.prepare_cached("SELECT coalesce(max(rowid), 0) FROM records")?.query_row([], |r| r.get(0))?;
                // Nothing to share unless rows lie beyond this one (also an
                // index whose rowids do not follow `records` yet, until its
                // next write relocates it, is then ranked here alone).
                let left = i128::from(last) - i128::from(rowid);
                let estimate = u128::from(total).saturating_mul(left.max(0) as u128) / rowid.max(1) as u128;
                if left > 0 && estimate >= u128::from(split.worth_from) {
                    if let Some(reader) = reader.take() {
                        // Between `rowid` and `last`, so below i64::MAX.
                        let middle = (i128::from(rowid) + left / 2) as i64;
                        upper = Some((middle, s.spawn(move || ranked(reader, fts, (middle + 1, i64::MAX), keep))));
                    }
                }
            }
        }
        let shared_from = upper.as_ref().map(|(middle, _)| middle + 1);
        if let Some((_, handle)) = upper {
            let (upper_total, upper_best) = match handle.join() {
                Ok(result) => result?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            total += upper_total;
            for r in upper_best {
                keep_best(&mut best, r, keep);
            }
        }
        Ok((total, best, shared_from))
    })
}

/// The record ids of the ranked matches from `offset` on, best first.
fn ids_of(
    conn: &Connection,
    best: std::collections::BinaryHeap<Ranked>,
    offset: usize,
) -> rusqlite::Result<Vec<String>> {
    let mut id_at = conn.prepare_cached("SELECT record_id FROM search_index WHERE rowid = ?1")?;
    let mut ids = Vec::with_capacity(best.len().saturating_sub(offset));
    for r in best.into_sorted_vec().into_iter().skip(offset) {
        ids.push(id_at.query_row([r.rowid], |row| row.get(0))?);
    }
    Ok(ids)
}

/// Reads a hit's case id and content, with a statement kept between calls
/// (a search reads up to two records per hit).
fn load(conn: &Connection, id: Uuid) -> Result<(Uuid, Record, bool), store::DossierError> {
    use store::DossierError;
    let row: Option<(String, String, String, i64)> = conn
        .prepare_cached("SELECT kind, case_id, data, unreviewed FROM records WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let (kind, case_id, data, unreviewed) = row.ok_or_else(|| DossierError::NotFound(id.to_string()))?;
    let kind = Kind::parse(&kind).ok_or_else(|| DossierError::NotFound(id.to_string()))?;
    let value: serde_json::Value = serde_json::from_str(&data).map_err(|e| DossierError::invalid(kind, e))?;
    let record = Record::from_json(kind, value).map_err(|e| DossierError::invalid(kind, e))?;
    let case_id = Uuid::parse_str(&case_id).map_err(|e| DossierError::invalid(kind, e))?;
    Ok((case_id, record, unreviewed == 1))
}

const SNIPPET_CONTEXT: usize = 60;

/// Where `needle` (folded) occurs in `folded` as whole words, or as the
/// start of a word for a prefix; byte ranges of `folded`.
fn word_matches(folded: &str, needle: &str, prefix: bool) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    if needle.is_empty() {
        return out;
    }
    let mut from = 0;
    while let Some(pos) = folded[from..].find(needle).map(|p| p + from) {
        let end = pos + needle.len();
        let starts_word = folded[..pos].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let ends_word = prefix || folded[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        if starts_word && ends_word {
            out.push(pos..end);
        }
        from = end.max(pos + 1);
        while !folded.is_char_boundary(from) {
            from += 1;
        }
    }
    out
}

/// Finds the first field with a literal match and cuts a window of original
/// text around it, with every match inside the window highlighted.
/// `folded` holds `fold_with_map` of each field of `names` then `body`.
fn snippet(
    names: &[String],
    body: &[String],
    folded: &[(String, Vec<usize>)],
    needles: &[(String, bool)],
) -> Option<(String, Vec<(usize, usize)>)> {
    for (field, (folded, map)) in names.iter().chain(body).zip(folded) {
        let mut matches: Vec<std::ops::Range<usize>> = needles
            .iter()
            .flat_map(|(needle, prefix)| word_matches(folded, needle, *prefix))
            .map(|r| original_range(field, map, r))
            .collect();
        if matches.is_empty() {
            continue;
        }
        matches.sort_by_key(|m| m.start);
        let first = matches[0].clone();
        let mut start = first.start.saturating_sub(SNIPPET_CONTEXT);
        while !field.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (first.end + 2 * SNIPPET_CONTEXT).min(field.len());
        while !field.is_char_boundary(end) {
            end += 1;
        }
        // Cut at spaces so no word is shown half.
        if start > 0 {
            if let Some(sp) = field[start..first.start].find(char::is_whitespace) {
                start += sp + 1;
            }
        }
        if end < field.len() {
            if let Some(sp) = field[first.end..end].rfind(char::is_whitespace) {
                end = first.end + sp;
            }
        }
        let prefix = if start > 0 { "…" } else { "" };
        let suffix = if end < field.len() { "…" } else { "" };
        let text = format!("{prefix}{}{suffix}", &field[start..end]);
        let shift = prefix.len();
        let highlights = matches
            .into_iter()
            .filter(|m| m.start >= start && m.end <= end)
            .map(|m| (m.start - start + shift, m.end - start + shift))
            .collect();
        return Some((text, highlights));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_syntax_in_a_query_is_just_text() {
        for q in ["NEAR(a b)", "a AND OR NOT", "\"unbalanced", "col:umn", "*", "{names}:x", "^start", "a\"\"b"] {
            let parsed = Query::parse(q);
            let conn = Connection::open_in_memory().unwrap();
            conn.execute_batch(&crate::db::MIGRATIONS.join("\n")).unwrap();
            if !parsed.is_empty() {
                conn.query_row("SELECT count(*) FROM search_index WHERE search_index MATCH ?1", [parsed.fts()], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap_or_else(|e| panic!("{q:?} -> {} : {e}", parsed.fts()));
            }
        }
    }

    fn testimony(id: Uuid, text: &str) -> StoredRecord {
        let record =
            crate::dossier::Record::from_json(Kind::Testimony, serde_json::json!({ "text": text, "language": "en" }))
                .unwrap();
        StoredRecord {
            custody: Default::default(),
            id,
            case_id: id,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            origin: None,
            record,
        }
    }

    fn index_db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&crate::db::MIGRATIONS.join("\n")).unwrap();
        conn
    }

    /// Writes the `records` row (as `store` does before indexing) and indexes it.
    fn put(tx: &Transaction<'_>, id: Uuid, text: &str) {
        tx.execute(
            "INSERT OR IGNORE INTO records(id, kind, case_id, version, created_at, updated_at, data) VALUES (?1, 'testimony', ?1, 1, '', '', '{}')",
            [id.to_string()],
        )
        .unwrap();
        index_record(tx, &testimony(id, text)).unwrap();
    }

    fn matching(conn: &Connection, word: &str) -> Vec<String> {
        let fts = Query::parse(word).fts();
        let mut stmt =
            conn.prepare("SELECT record_id FROM search_index WHERE search_index MATCH ?1 ORDER BY record_id").unwrap();
        stmt.query_map([fts], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn misplaced(conn: &Connection) -> i64 {
        conn.query_row(
            "SELECT count(*) FROM search_index s LEFT JOIN records r ON r.id = s.record_id WHERE r.rowid IS NOT s.rowid",
            [],
            |r| r.get(0),
        )
        .unwrap()
    }

    #[test]
    fn reindexing_replaces_the_row_and_removing_leaves_none() {
        let mut conn = index_db();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let tx = conn.transaction().unwrap();
        put(&tx, a, "first words");
        put(&tx, b, "first words too");
        put(&tx, a, "second words");
        tx.commit().unwrap();
        assert_eq!(matching(&conn, "first"), vec![b.to_string()]);
        assert_eq!(matching(&conn, "second"), vec![a.to_string()]);
        let rows: i64 = conn.query_row("SELECT count(*) FROM search_index", [], |r| r.get(0)).unwrap();
        assert_eq!((rows, misplaced(&conn)), (2, 0));
        let tx = conn.transaction().unwrap();
        remove_record(&tx, a).unwrap();
        tx.commit().unwrap();
        assert!(matching(&conn, "second").is_empty());
        assert_eq!(matching(&conn, "words"), vec![b.to_string()]);
        // A record already gone from `records` is still found and removed.
        conn.execute("DELETE FROM records WHERE id = ?1", [b.to_string()]).unwrap();
        let tx = conn.transaction().unwrap();
        remove_record(&tx, b).unwrap();
        tx.commit().unwrap();
        assert!(matching(&conn, "words").is_empty());
    }

    #[test]
    fn rows_written_with_other_rowids_are_moved_to_their_records_rowids() {
        let mut conn = index_db();
        // As the index was written before its rowids followed `records`: rows
        // at automatic rowids, in another order, a duplicate, and a row of a
        // record that no longer exists.
        let (a, b, c, gone) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        for id in [a, b, c] {
            conn.execute(
                "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, data) VALUES (?1, 'testimony', ?1, 1, '', '', '{}')",
                [id.to_string()],
            )
            .unwrap();
        }
        for (id, text) in [(gone, "legacy vanished"), (b, "legacy beta"), (a, "legacy alpha"), (b, "legacy beta")] {
            conn.execute(
                "INSERT INTO search_index(record_id, case_id, kind, names, name_keys, body) VALUES (?1, ?1, 'testimony', '', '', ?2)",
                params![id.to_string(), text],
            )
            .unwrap();
        }
        let tx = conn.transaction().unwrap();
        put(&tx, c, "renewed gamma");
        tx.commit().unwrap();
        assert_eq!(misplaced(&conn), 0);
        let mut expected = vec![a.to_string(), b.to_string()];
        expected.sort();
        assert_eq!(matching(&conn, "legacy"), expected);
        assert_eq!(matching(&conn, "renewed"), vec![c.to_string()]);
        // The dropped row's terms left the segments too (docs/SECURITY.md,
        // "Deleted text").
        let left: bool = conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM search_index_data WHERE instr(block, CAST('vanished' AS BLOB)))",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(!left, "a dropped row's term is still in the index");
        // A row found at a record's rowid that belongs to another record (as
        // after a renumbering) is repaired the same way.
        conn.execute("DELETE FROM vault_meta", []).unwrap();
        conn.execute("UPDATE records SET rowid = rowid + 100 WHERE id = ?1", [a.to_string()]).unwrap();
        conn.execute(
            "UPDATE records SET rowid = (SELECT rowid - 100 FROM records WHERE id = ?2) WHERE id = ?1",
            [b.to_string(), a.to_string()],
        )
        .unwrap();
        conn.execute("INSERT OR REPLACE INTO vault_meta(key, value) VALUES (?1, ?2)", [LAYOUT_KEY, LAYOUT]).unwrap();
        let tx = conn.transaction().unwrap();
        put(&tx, b, "edited beta");
        tx.commit().unwrap();
        assert_eq!(misplaced(&conn), 0);
        assert_eq!(matching(&conn, "legacy"), vec![a.to_string()]);
        assert_eq!(matching(&conn, "edited"), vec![b.to_string()]);
    }

    #[test]
    fn one_pass_ranking_gives_sqlites_order_count_and_pages() {
        // A file, so that a second connection can rank half of it.
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("index.db")).unwrap();
        conn.execute_batch(&crate::db::MIGRATIONS.join("\n")).unwrap();
        let tx = conn.transaction().unwrap();
        // Scores of every kind: more or fewer occurrences, longer or shorter
        // texts, and ties (identical texts).
        for i in 0..120 {
            let text = match i % 4 {
                0 => "witness saw the arrest".to_string(),
                1 => format!("arrest arrest at the checkpoint number {i} {}", "and more words ".repeat(i % 7)),
                2 => format!("nothing here {i}"),
                _ => format!("the arrest of {i} {}", "long ".repeat(i % 11)),
            };
            put(&tx, Uuid::new_v4(), &text);
        }
        tx.commit().unwrap();
        let fts = Query::parse("arrest").fts();
        let expected: Vec<String> = conn
            .prepare(
                "SELECT record_id FROM search_index WHERE search_index MATCH ?1
                 ORDER BY bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0), rowid",
            )
            .unwrap()
            .query_map([&fts], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(expected.len(), 90);
        let mut reader = Connection::open(dir.path().join("index.db")).unwrap();
        for (limit, offset) in [(50, 0), (7, 0), (50, 45), (10, 85), (10, 90), (0, 0), (200, 0)] {
            let want: Vec<String> = expected.iter().skip(offset).take(limit).cloned().collect();
            let (total, best) = ranked(&conn, &fts, ALL_ROWIDS, offset + limit).unwrap();
            assert_eq!(total, 90);
            assert_eq!(ids_of(&conn, best, offset).unwrap(), want, "one thread, limit {limit} offset {offset}");
            // Shared with a second connection after the first match, or
            // after a few: the same ranks, though each side ranked only
            // part of the rows.
            for first_look in [1, 8, 64] {
                let split = Split { first_look, worth_from: 0 };
                let (total, best, shared_from) = ranked_split(&conn, &mut reader, &fts, offset + limit, split).unwrap();
                assert_eq!(total, 90);
                assert!(shared_from.is_some(), "the second thread ranked a share");
                let got = ids_of(&conn, best, offset).unwrap();
                assert_eq!(got, want, "two threads from match {first_look}, limit {limit} offset {offset}");
            }
            // Never worth it: one thread, the same ranks.
            let split = Split { first_look: 8, worth_from: u64::MAX };
            let (total, best, shared_from) = ranked_split(&conn, &mut reader, &fts, offset + limit, split).unwrap();
            assert_eq!((total, shared_from), (90, None));
            assert_eq!(
                ids_of(&conn, best, offset).unwrap(),
                want,
                "one thread after a look, limit {limit} offset {offset}"
            );
        }
        // Where the second thread starts after 8 matches, each side ranks a
        // share of the rest (the split is not all on one side).
        let last: i64 = conn.query_row("SELECT max(rowid) FROM records", [], |r| r.get(0)).unwrap();
        let eighth: i64 = conn
            .query_row(
                "SELECT rowid FROM search_index WHERE search_index MATCH ?1 ORDER BY rowid LIMIT 1 OFFSET 7",
                [&fts],
                |r| r.get(0),
            )
            .unwrap();
        let middle = eighth + (last - eighth) / 2;
        let split = Split { first_look: 8, worth_from: 0 };
        assert_eq!(ranked_split(&conn, &mut reader, &fts, 50, split).unwrap().2, Some(middle + 1));
        let halves = (
            ranked(&conn, &fts, (i64::MIN, middle), 0).unwrap().0,
            ranked(&reader, &fts, (middle + 1, i64::MAX), 0).unwrap().0,
        );
        assert!(halves.0 > 30 && halves.1 > 30, "both sides rank a share of the matches: {halves:?}");

        // The estimate decides: at the 8th match (rowid 10 of 120), the rest
        // holds 8 × 110 / 10 = 88 more at that density. Worth it from 50:
        // shared there; from 100: never (the later looks find 75, 59, 26).
        let (total, _, from) =
            ranked_split(&conn, &mut reader, &fts, 50, Split { first_look: 8, worth_from: 50 }).unwrap();
        assert_eq!((total, from), (90, Some(middle + 1)));
        let (total, best, from) =
            ranked_split(&conn, &mut reader, &fts, 50, Split { first_look: 8, worth_from: 100 }).unwrap();
        assert_eq!((total, from), (90, None));
        assert_eq!(ids_of(&conn, best, 0).unwrap(), expected[..50].to_vec());

        // An index whose rowids lie beyond the last `records` rowid (as one
        // not yet relocated can): nothing is shared, and nothing is counted
        // twice, even when sharing is always "worth it".
        conn.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM records WHERE rowid > 20;").unwrap();
        let (total, best, from) =
            ranked_split(&conn, &mut reader, &fts, 50, Split { first_look: 16, worth_from: 0 }).unwrap();
        assert_eq!((total, from), (90, None));
        assert_eq!(ids_of(&conn, best, 0).unwrap(), expected[..50].to_vec());
    }

    #[test]
    fn snippet_shows_original_text_with_diacritics_and_marks_the_match() {
        let body = vec!["وَيُعْرَضُ فِي أَجْنِحَةِ الْمَعْرِضِ أَكْثَرُ مِنْ سِتِّينَ مُصْحَفًا".to_string()];
        let q = Query::parse("اجنحة");
        let folded: Vec<_> = body.iter().map(|f| fold_with_map(f)).collect();
        let (s, h) = snippet(&[], &body, &folded, &q.needles()).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(&s[h[0].0..h[0].1], "أَجْنِحَةِ");
    }
}
