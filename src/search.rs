//! Search across the vault: SQLite FTS5 over text folded in Rust (Arabic
//! diacritics, alef forms, ta marbuta...; see `text` and docs/search.md), plus
//! transliteration-tolerant name keys, ranked with BM25, paged, with a snippet
//! of the original text around the match.
//!
//! The index lives inside the encrypted database and is updated in the same
//! transaction as the record. It never holds a source's identity, so a search
//! result can never show one.

use std::collections::BTreeSet;

use rusqlite::{params, Connection, Transaction};
use serde::Serialize;
use uuid::Uuid;

use crate::dossier::store::{self, StoredRecord};
use crate::dossier::Kind;
use crate::text::{fold, fold_with_map, name_keys, original_range, words};

/// Puts a record into the index, replacing what was there.
pub fn index_record(tx: &Transaction<'_>, r: &StoredRecord) -> rusqlite::Result<()> {
    remove_record(tx, r.id)?;
    let (names, body) = r.record.search_text();
    let keys: BTreeSet<String> = names.iter().flat_map(|n| name_keys(n)).collect();
    tx.execute(
        "INSERT INTO search_index(record_id, case_id, kind, names, name_keys, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            r.id.to_string(),
            r.case_id.to_string(),
            r.record.kind().as_str(),
            fold(&names.join("\n")),
            keys.into_iter().collect::<Vec<_>>().join(" "),
            fold(&body.join("\n")),
        ],
    )?;
    Ok(())
}

/// Removes a record from the index.
pub fn remove_record(tx: &Transaction<'_>, id: Uuid) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM search_index WHERE record_id = ?1", [id.to_string()])?;
    Ok(())
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
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// How many records match in all.
    pub total: u64,
    /// This page.
    pub hits: Vec<Hit>,
}

/// Searches the vault; results ranked best first. `offset`/`limit` page them.
pub fn search(conn: &Connection, text: &str, limit: usize, offset: usize) -> Result<Results, store::DossierError> {
    let q = Query::parse(text);
    if q.is_empty() {
        return Ok(Results { total: 0, hits: Vec::new() });
    }
    let fts = q.fts();
    let total: i64 =
        conn.query_row("SELECT count(*) FROM search_index WHERE search_index MATCH ?1", [&fts], |r| r.get(0))?;
    let total = total as u64;
    let mut stmt = conn.prepare(
        "SELECT record_id FROM search_index WHERE search_index MATCH ?1
         ORDER BY bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) LIMIT ?2 OFFSET ?3",
    )?;
    let ids: Vec<String> =
        stmt.query_map(params![fts, limit as i64, offset as i64], |r| r.get(0))?.collect::<Result<_, _>>()?;
    let needles = q.needles();
    let mut hits = Vec::with_capacity(ids.len());
    for id in ids {
        let Ok(id) = Uuid::parse_str(&id) else { continue };
        let r = store::get(conn, id)?;
        let case_label = if r.case_id == r.id {
            r.record.label()
        } else {
            store::get(conn, r.case_id).map(|c| c.record.label()).unwrap_or_default()
        };
        let (names, body) = r.record.search_text();
        let (snippet, highlights) = snippet(&names, &body, &needles)
            .unwrap_or_else(|| (names.first().cloned().unwrap_or_else(|| r.record.label()), Vec::new()));
        hits.push(Hit {
            record_id: r.id,
            kind: r.record.kind(),
            case_id: r.case_id,
            case_label,
            label: r.record.label(),
            name_variant: highlights.is_empty(),
            snippet,
            highlights,
        });
    }
    Ok(Results { total, hits })
}

const SNIPPET_CONTEXT: usize = 60;

/// Finds the first field with a literal match and cuts a window of original
/// text around it, with every match inside the window highlighted.
fn snippet(names: &[String], body: &[String], needles: &[(String, bool)]) -> Option<(String, Vec<(usize, usize)>)> {
    for field in names.iter().chain(body) {
        let (folded, map) = fold_with_map(field);
        let mut matches: Vec<std::ops::Range<usize>> = Vec::new();
        for (needle, prefix) in needles {
            let mut from = 0;
            while let Some(pos) = folded[from..].find(needle.as_str()).map(|p| p + from) {
                let end = pos + needle.len();
                let starts_word = folded[..pos].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
                let ends_word = *prefix || folded[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
                if starts_word && ends_word {
                    matches.push(original_range(field, &map, pos..end));
                }
                from = end.max(pos + 1);
                while !folded.is_char_boundary(from) {
                    from += 1;
                }
            }
        }
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

    #[test]
    fn snippet_shows_original_text_with_diacritics_and_marks_the_match() {
        let body = vec!["وَيُعْرَضُ فِي أَجْنِحَةِ الْمَعْرِضِ أَكْثَرُ مِنْ سِتِّينَ مُصْحَفًا".to_string()];
        let q = Query::parse("اجنحة");
        let (s, h) = snippet(&[], &body, &q.needles()).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(&s[h[0].0..h[0].1], "أَجْنِحَةِ");
    }
}
