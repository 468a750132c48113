//! Search folding for Arabic, French and English text, and transliteration-tolerant
//! keys for person names. SQLite's `unicode61` tokenizer does not fold Arabic, so
//! every string goes through [`fold`] before it is indexed and before it is queried.
//! This module never allocates per-call global state (no caches, no lazy statics,
//! nothing shared between calls) and never panics on any input: callers feed it
//! untrusted testimony text and arbitrary queries.
//!
//! The rules and their reasons are documented in `docs/search.md`; the comments
//! here only say why the code is shaped the way it is.

use std::collections::HashSet;
use std::ops::Range;

use unicode_normalization::char::{canonical_combining_class, compose, decompose_compatible, is_combining_mark};

/// Version of the folding and key rules. Text indexed or keys stored under another
/// version do not reliably meet queries folded now: bump this whenever the output
/// of [`fold`] or [`name_keys`] changes for some input, and rebuild the search
/// index and stored name keys when the stored version differs.
pub const FOLD_VERSION: u32 = 1;

/// Folds `text` for search: compatibility normalisation, lowercase, removal of
/// Latin and Arabic diacritics, and the Arabic letter foldings listed in
/// `docs/search.md`. Indexed text and queries must both go through this exact
/// function, otherwise they will not meet. The output is for matching only, never
/// for display: show the original text (see [`fold_with_map`]).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(fold_units(text).into_iter().map(|(c, _)| c));
    out
}

/// Same output as [`fold`], plus, for every byte of the output, the byte offset in
/// `text` of the original character that byte came from (`map.len() == out.len()`).
/// Every offset is a char boundary of `text`. One original character can produce
/// no output (a diacritic), one character, or several (`ß` → `ss`, `ﷲ` → `الله`).
/// Use [`original_range`] to turn a match in the folded text into a range of `text`.
pub fn fold_with_map(text: &str) -> (String, Vec<usize>) {
    let units = fold_units(text);
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    for (c, origin) in units {
        out.push(c);
        map.extend(std::iter::repeat_n(origin, c.len_utf8()));
    }
    (out, map)
}

/// Maps a byte range of the folded text (as returned by [`fold_with_map`] for
/// this same `text`) back to a byte range of `text`, for highlighting a snippet.
/// The range covers every original character that produced the matched bytes,
/// plus the diacritics and invisible marks that follow it and were folded away,
/// so a highlighted Arabic word keeps its tashkeel. Never panics: out-of-range or
/// foreign inputs are clamped and the result is always a valid range of char
/// boundaries of `text`.
pub fn original_range(text: &str, map: &[usize], folded: Range<usize>) -> Range<usize> {
    let end_f = folded.end.min(map.len());
    let start_f = folded.start.min(end_f);
    let matched = map.get(start_f..end_f).unwrap_or(&[]);
    if matched.is_empty() {
        let at = map.get(start_f).map_or(text.len(), |&o| floor_boundary(text, o));
        return at..at;
    }
    let start = matched.iter().map(|&o| floor_boundary(text, o)).min().unwrap_or(0);
    let mut end = matched.iter().map(|&o| char_end(text, floor_boundary(text, o))).max().unwrap_or(start);
    // Whatever lies between the last matched character and the origin of the next
    // output character was folded away (tashkeel, tatweel, bidi marks): it belongs
    // to the matched word.
    end = match map.get(end_f) {
        Some(&next) => end.max(floor_boundary(text, next)),
        None => text.len(),
    };
    start..end.max(start)
}

/// Splits text into words: maximal runs of letters, digits and combining marks.
/// Everything else separates words, in particular spaces, punctuation, hyphens
/// and apostrophes (`'`, `’`). Meant for folded text; on raw text, invisible
/// format characters such as ZWNJ also split words.
pub fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || is_combining_mark(c))).filter(|w| !w.is_empty())
}

/// Transliteration-tolerant keys for a person's name, so that "Mohamed",
/// "Muhammad" and "محمد" share a key. Two names are candidate matches when their
/// key lists intersect. Each word yields a consonant skeleton common to Arabic and
/// Latin spellings (with variants for the article, an ambiguous final `h` and
/// ambiguous digraphs); each pair of adjacent words also yields the skeleton of the
/// two words joined ("Abd Allah" meets "Abdallah"). A word whose skeleton is shorter
/// than two characters yields its folded form instead. Keys are deduplicated and in
/// a stable order. Keys are lossy by design: several distinct names share keys
/// (Mohamed/Mahmoud, Hasan/Hussein, Omar/Amer); see `docs/search.md` and rank exact
/// [`fold`] matches above key matches.
pub fn name_keys(name: &str) -> Vec<String> {
    let folded = join_apostrophes(&fold(name));
    let tokens: Vec<&str> = words(&folded).collect();

    // A Latin article written as its own token ("al Kayali", "el-Kayali",
    // "ash-Shami") belongs to the next word, never stands alone.
    let mut items: Vec<(&str, bool)> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while let Some(&token) = tokens.get(i) {
        match tokens.get(i + 1) {
            Some(&next) if is_article_token(token, next) => {
                items.push((next, true));
                i += 2;
            }
            _ => {
                items.push((token, false));
                i += 1;
            }
        }
    }

    let variants: Vec<Vec<Variant>> = items.iter().map(|&(word, article)| word_variants(word, article)).collect();

    let mut keys = KeySet::default();
    for (&(word, _), word_variants) in items.iter().zip(&variants) {
        for v in word_variants {
            let key = v.skeleton.key();
            if key.chars().count() < 2 {
                keys.push(word.to_string());
            } else {
                keys.push(key);
            }
        }
    }
    for pair in variants.windows(2) {
        let [first, second] = pair else { continue };
        for a in first.iter().filter(|v| v.reading == Reading::Primary) {
            for b in second.iter().filter(|v| v.reading == Reading::Primary) {
                let key = a.skeleton.joined(&b.skeleton).key();
                if key.chars().count() >= 2 {
                    keys.push(key);
                }
            }
        }
    }
    keys.list
}

// ---------------------------------------------------------------------------
// fold internals

/// The folded characters, each with the byte offset of the original character it
/// came from. `fold` and `fold_with_map` both read this, so they cannot disagree.
fn fold_units(text: &str) -> Vec<(char, usize)> {
    let mut units: Vec<(char, usize)> = Vec::with_capacity(text.len());
    for (origin, c) in text.char_indices() {
        // Decompose before lowercasing so that `İ` becomes `i` + dot (then `i`),
        // and again after, because a few lowercase forms have decompositions.
        decompose_compatible(c, |d| {
            for lower in d.to_lowercase() {
                decompose_compatible(lower, |e| push_folded(e, origin, &mut units));
            }
        });
    }
    reorder_marks(&mut units);
    compose_units(units)
}

/// Applies the per-character folding table to one fully decomposed, lowercased
/// character.
fn push_folded(c: char, origin: usize, units: &mut Vec<(char, usize)>) {
    if c == '\u{0654}' {
        // `ۀ` (heh with yeh above) decomposes to `ە` + hamza above; it is the Persian
        // spelling of a final `ه`, so it folds to `ه`, however it was encoded.
        if let Some(unit) = last_starter(units) {
            if unit.0 == 'ە' {
                unit.0 = 'ه';
            }
        }
        return;
    }
    if is_dropped(c) {
        return;
    }
    let mut push = |c: char| units.push((c, origin));
    match c {
        // French and German spellings users type without the ligature.
        'ß' => {
            push('s');
            push('s');
        }
        'œ' => {
            push('o');
            push('e');
        }
        'æ' => {
            push('a');
            push('e');
        }
        // Latin letters whose "diacritic" Unicode does not decompose: keyboards
        // without them give Tromso, Lodz, Isik.
        'ø' => push('o'),
        'ł' => push('l'),
        'đ' => push('d'),
        'ı' => push('i'),
        // Per-character lowercasing never yields the final form, so fold it away.
        'ς' => push('σ'),
        // Hamza seats: أ إ آ ؤ ئ already lost their hamza mark by decomposition,
        // because writers omit hamza and madda as often as they write them. These
        // alef forms (wasla, wavy hamza) have no decomposition.
        'ٱ' | 'ٲ' | 'ٳ' => push('ا'),
        // Alef maqsura and final yeh are written interchangeably (Egyptian usage
        // writes ي as ى), and keyboards differ.
        'ى' => push('ي'),
        // Ta marbuta is typed as ه by many users and in many sources (فاطمه).
        'ة' | 'ۃ' => push('ه'),
        // Persian/Urdu code points for the Arabic letters, from Persian keyboards
        // and copied Persian or Urdu text.
        'ک' | 'ڪ' => push('ك'),
        'ی' => push('ي'),
        'ہ' | 'ھ' => push('ه'),
        // Dates and case numbers are typed with either digit set.
        '٠'..='٩' => push(ascii_digit(c, '٠')),
        '۰'..='۹' => push(ascii_digit(c, '۰')),
        _ => push(c),
    }
}

/// Characters removed by folding: diacritics and invisible format characters.
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        // Latin (and Greek, Cyrillic) combining diacritics.
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{FE20}'..='\u{FE2F}'
            // Arabic: honorific signs, harakat/tanween/shadda/sukun, hamza and madda
            // marks, superscript alef, high hamza, Quranic annotation marks, tatweel.
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{0674}'
            | '\u{06D6}'..='\u{06ED}'
            | '\u{08D3}'..='\u{08E1}'
            | '\u{08E3}'..='\u{08FF}'
            | '\u{0640}'
            // Invisible format characters that copy-paste leaves inside words: soft
            // hyphen, Arabic letter mark, ZWNJ/ZWJ, LRM/RLM, bidi embeddings and
            // isolates, word joiner and invisible operators, BOM.
            | '\u{00AD}'
            | '\u{061C}'
            | '\u{200C}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

fn ascii_digit(c: char, zero: char) -> char {
    let value = u32::from(c).saturating_sub(u32::from(zero));
    char::from_digit(value, 10).unwrap_or(c)
}

/// The last character with combining class 0 before the trailing marks, which is
/// the base a newly seen mark attaches to.
fn last_starter(units: &mut [(char, usize)]) -> Option<&mut (char, usize)> {
    units.iter_mut().rev().find(|(c, _)| canonical_combining_class(*c) == 0)
}

/// Canonical ordering of combining marks, so that the same text typed with marks
/// in another order folds identically (the corpus has both fatha+shadda and
/// shadda+fatha). Stable sort keeps origins of equal-class marks in order.
fn reorder_marks(units: &mut [(char, usize)]) {
    let mut i = 0;
    while i < units.len() {
        let start = i;
        while units.get(i).is_some_and(|(c, _)| canonical_combining_class(*c) != 0) {
            i += 1;
        }
        if let Some(run) = units.get_mut(start..i) {
            run.sort_by_key(|(c, _)| canonical_combining_class(*c));
        }
        if i == start {
            i += 1;
        }
    }
}

/// Canonical composition (the "C" of NFKC), so that scripts whose marks survive
/// folding (Hangul, Indic, Hebrew...) come out composed. A composed character
/// keeps the origin of its base.
fn compose_units(units: Vec<(char, usize)>) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::with_capacity(units.len());
    let mut starter: Option<usize> = None;
    let mut last_class: Option<u8> = None;
    for (c, origin) in units {
        let class = canonical_combining_class(c);
        let blocked = matches!(last_class, Some(last) if last == 0 || last >= class);
        if !blocked {
            if let Some(base) = starter.and_then(|s| out.get_mut(s)) {
                if let Some(composed) = compose(base.0, c) {
                    base.0 = composed;
                    continue;
                }
            }
        }
        if class == 0 {
            starter = Some(out.len());
            last_class = None;
        } else {
            last_class = Some(class);
        }
        out.push((c, origin));
    }
    out
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn char_end(text: &str, start: usize) -> usize {
    text.get(start..).and_then(|rest| rest.chars().next()).map_or(start, |c| start + c.len_utf8())
}

// ---------------------------------------------------------------------------
// name_keys internals

/// A consonant skeleton. `marker` records that the word starts with a vowel
/// letter (Latin a e i o u y w, Arabic ا و ي ع ء): it separates Ahmed (أحمد) from
/// Hamid (حامد) and Idris from Darius, and is written as a leading `a`, a letter
/// no skeleton otherwise contains.
#[derive(Clone, Default, PartialEq, Eq)]
struct Skeleton {
    marker: bool,
    consonants: String,
}

impl Skeleton {
    /// Appends a consonant class, collapsing doubles: gemination (shadda) is
    /// unwritten in Arabic and inconsistent in Latin (Mohamed / Mohammed).
    fn push(&mut self, c: char) {
        if c.is_ascii_lowercase() && self.consonants.ends_with(c) {
            return;
        }
        self.consonants.push(c);
    }

    /// The skeleton of two adjacent words written as one; the second word's
    /// initial vowel is then medial and carries no marker.
    fn joined(&self, next: &Skeleton) -> Skeleton {
        let mut out = self.clone();
        for c in next.consonants.chars() {
            out.push(c);
        }
        out
    }

    fn key(&self) -> String {
        let mut key = String::with_capacity(self.consonants.len() + 1);
        if self.marker {
            key.push('a');
        }
        key.push_str(&self.consonants);
        key
    }
}

/// One spelling hypothesis for a word.
struct Variant {
    skeleton: Skeleton,
    reading: Reading,
}

/// How ambiguous letters are read. Only the primary reading is used in pair keys,
/// which would otherwise multiply.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// sh = ش, th = ث, dh = ذ, ظ = z (Hafez = حافظ).
    Primary,
    /// sh, th, dh as two letters: Ishaq = إسحاق, Fathi = فتحي, Adham = أدهم.
    Split,
    /// Gulf spelling: th = ذ (al-Hathloul = الهذلول), ظ = dh (Dhafer = ظافر).
    Gulf,
}

/// How a word's last `h` relates to its skeleton.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FinalH {
    /// Keep it.
    Keep,
    /// Arabic final `ه` (and `ة`, folded to `ه`): the ta marbuta of Fatima,
    /// Hamza, or the silent-ish `ه` of الله. Drop it.
    Drop,
    /// Latin vowel + final `h`: Fatimah (ة) or Saleh (صالح, a real consonant).
    /// Emit both readings.
    Optional,
}

enum Unit {
    Vowel,
    Cons(char),
    Pair(char, char),
    Other(char),
}

fn unit_of(c: char) -> Unit {
    match c {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' => Unit::Vowel,
        // ʻ ʼ ʾ ʿ: scholarly ayn and hamza (ʿUmar, Saʿd), silent like ع and ء.
        '\u{02BB}' | '\u{02BC}' | '\u{02BE}' | '\u{02BF}' => Unit::Vowel,
        'b' | 'd' | 'f' | 'h' | 'k' | 'l' | 'm' | 'n' | 'p' | 'r' | 's' | 't' | 'z' => Unit::Cons(c),
        'c' | 'q' => Unit::Cons('k'),
        // One class for g and j: Egyptian spelling writes ج as g (Gamal = Jamal).
        'g' | 'j' => Unit::Cons('j'),
        'v' => Unit::Cons('f'),
        'x' => Unit::Pair('k', 's'),
        // Arabic-script long vowels and weak letters, plus Uyghur vowel letters.
        'ا' | 'و' | 'ي' | 'ى' | 'ع' | 'ء' | 'ۇ' | 'ۆ' | 'ۈ' | 'ې' | 'ە' | 'ۉ' | 'ۋ' => Unit::Vowel,
        'ب' => Unit::Cons('b'),
        'ت' | 'ث' | 'ط' => Unit::Cons('t'),
        'ج' | 'غ' | 'ژ' | 'گ' | 'ڨ' | 'ڭ' => Unit::Cons('j'),
        'ح' | 'ه' => Unit::Cons('h'),
        'خ' | 'ك' | 'ق' => Unit::Cons('k'),
        'د' | 'ذ' | 'ض' => Unit::Cons('d'),
        'ر' => Unit::Cons('r'),
        'ز' | 'ظ' => Unit::Cons('z'),
        'س' | 'ش' | 'ص' | 'چ' => Unit::Cons('s'),
        'ف' | 'ڤ' => Unit::Cons('f'),
        'ل' => Unit::Cons('l'),
        'م' => Unit::Cons('m'),
        'ن' => Unit::Cons('n'),
        'پ' => Unit::Cons('p'),
        // Other scripts and digits are kept as they are: they still match
        // themselves, just without transliteration tolerance.
        _ => Unit::Other(c),
    }
}

/// Latin digraphs read as one Arabic consonant.
fn digraph(c: char, next: char, reading: Reading) -> Option<char> {
    match (c, next) {
        ('s', 'h') | ('t', 'h') | ('d', 'h') if reading == Reading::Split => None,
        ('t', 'h') if reading == Reading::Gulf => Some('d'),
        ('s', 'h') | ('c', 'h') => Some('s'),
        ('t', 'h') => Some('t'),
        ('d', 'h') => Some('d'),
        ('k', 'h') => Some('k'),
        ('g', 'h') | ('d', 'j') => Some('j'),
        ('p', 'h') => Some('f'),
        // French soft c: Houcine, Lahcen, Yacine.
        ('c', 'e' | 'i' | 'y') => Some('s'),
        _ => None,
    }
}

/// Whether `reading` can give `word` another skeleton than the primary reading.
fn reading_applies(word: &[char], reading: Reading) -> bool {
    match reading {
        Reading::Primary => true,
        Reading::Split => word.windows(2).any(|w| matches!(w, ['s' | 't' | 'd', 'h'])),
        Reading::Gulf => word.contains(&'ظ') || word.windows(2).any(|w| w == ['t', 'h']),
    }
}

fn skeletonize(word: &[char], reading: Reading) -> (Skeleton, FinalH) {
    let mut skeleton = Skeleton::default();
    let mut i = 0;
    while let Some(&c) = word.get(i) {
        let next = word.get(i + 1).copied();
        let (unit, width) = match next.and_then(|n| digraph(c, n, reading)) {
            // Soft c consumes only itself: the vowel after it is still a vowel.
            Some(cons) if c == 'c' && next != Some('h') => (Unit::Cons(cons), 1),
            Some(cons) => (Unit::Cons(cons), 2),
            None if c == 'ظ' && reading == Reading::Gulf => (Unit::Cons('d'), 1),
            None => (unit_of(c), 1),
        };
        match unit {
            Unit::Vowel => {
                if i == 0 {
                    skeleton.marker = true;
                }
            }
            Unit::Cons(k) => skeleton.push(k),
            Unit::Pair(a, b) => {
                skeleton.push(a);
                skeleton.push(b);
            }
            Unit::Other(o) => skeleton.consonants.push(o),
        }
        i += width;
    }
    let final_h = match word {
        [.., 'ه'] if word.len() >= 3 => FinalH::Drop,
        [.., 'a' | 'e' | 'i' | 'o' | 'u', 'h'] => FinalH::Optional,
        _ => FinalH::Keep,
    };
    (skeleton, final_h)
}

/// The word without a joined article: Arabic `ال` (when at least three letters
/// remain, so that الله stays whole), Latin "al"/"el" glued to a consonant
/// (Alkayali, Elmasry; not Alexander, Elias, Elham, Allam), or a glued sun-letter
/// assimilation. The caller keeps the whole word as another variant.
fn without_joined_article(word: &[char]) -> Option<&[char]> {
    match word {
        ['ا', 'ل', rest @ ..] if rest.len() >= 3 => Some(rest),
        ['a' | 'e', 'l', rest @ ..]
            if rest.len() >= 4
                && rest.first().is_some_and(|c| {
                    c.is_ascii_lowercase() && !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' | 'l')
                }) =>
        {
            Some(rest)
        }
        // Assimilated article glued on: Essebsi, Ennahdha, Errachidi (not Essam, Assad).
        ['a' | 'e', c @ ('t' | 'd' | 'r' | 'z' | 's' | 'n'), rest @ ..]
            if rest.first() == Some(c) && rest.len() >= 4 =>
        {
            Some(rest)
        }
        _ => None,
    }
}

/// Inside a transliterated name an apostrophe stands for ayn or hamza (Sa'ad,
/// Isma'il, Ma'moun), not for a word break: read it as `ʿ`, which `words` keeps.
fn join_apostrophes(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut prev: Option<char> = None;
    let mut chars = folded.chars().peekable();
    while let Some(c) = chars.next() {
        let between_letters =
            prev.is_some_and(char::is_alphanumeric) && chars.peek().is_some_and(|n| n.is_alphanumeric());
        if matches!(c, '\'' | '’' | '‘' | '`') && between_letters {
            out.push('\u{02BF}');
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// Whether a short Latin token is the article of the next word: "al", "el", "ul"
/// always; a sun-letter assimilation ("ad", "ash", "ech", "en", "ur"...) only when
/// the next word starts with that same consonant (ad-Din, ash-Shami, es-Sebsi), so
/// that "As'ad" or "Ann Smith" are not taken for articles.
fn is_article_token(token: &str, next: &str) -> bool {
    let chars: Vec<char> = token.chars().collect();
    if !(2..=3).contains(&chars.len()) || !matches!(chars.first(), Some('a' | 'e' | 'u')) {
        return false;
    }
    let (skeleton, _) = skeletonize(&chars, Reading::Primary);
    let mut consonants = skeleton.consonants.chars();
    let (Some(c), None) = (consonants.next(), consonants.next()) else {
        return false;
    };
    if c == 'l' {
        return chars.len() == 2;
    }
    if !matches!(c, 't' | 'd' | 'r' | 'z' | 's' | 'n') {
        return false;
    }
    let next_chars: Vec<char> = next.chars().collect();
    let (next_skeleton, _) = skeletonize(&next_chars, Reading::Primary);
    !next_skeleton.marker && next_skeleton.consonants.starts_with(c)
}

fn word_variants(word: &str, article_token: bool) -> Vec<Variant> {
    let chars: Vec<char> = word.chars().collect();
    // (letters, add the article's `l` in front)
    let mut bases: Vec<(&[char], bool)> = Vec::with_capacity(4);
    match without_joined_article(&chars) {
        Some(rest) => {
            bases.push((rest, false));
            bases.push((&chars, false));
        }
        None => bases.push((&chars, false)),
    }
    if article_token {
        // "al-Kayali" must meet both "Kayali" and "الكيالي" / "Alkayali".
        let with_article: Vec<(&[char], bool)> = bases.iter().map(|&(b, _)| (b, true)).collect();
        bases.extend(with_article);
    }

    let mut out: Vec<Variant> = Vec::new();
    for (base, article) in bases {
        for reading in [Reading::Primary, Reading::Split, Reading::Gulf] {
            if !reading_applies(base, reading) {
                continue;
            }
            let (skeleton, final_h) = skeletonize(base, reading);
            let skeleton = if article {
                Skeleton { marker: true, consonants: String::from("l") }.joined(&skeleton)
            } else {
                skeleton
            };
            let mut without_h = skeleton.clone();
            if without_h.consonants.ends_with('h') {
                without_h.consonants.pop();
            }
            let readings = match final_h {
                FinalH::Keep => vec![skeleton],
                FinalH::Drop => vec![without_h],
                FinalH::Optional => vec![skeleton, without_h],
            };
            for skeleton in readings {
                if !out.iter().any(|v| v.skeleton == skeleton) {
                    out.push(Variant { skeleton, reading });
                }
            }
        }
    }
    out
}

/// Ordered, deduplicated keys.
#[derive(Default)]
struct KeySet {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl KeySet {
    fn push(&mut self, key: String) {
        // "Abdulrahman" (a-b-d-l-r-h-m-n) must meet "Abderrahmane" (a-b-d-r-h-m-n),
        // where the article has assimilated: Abd compounds also get a key without
        // the article's l. Not done for a bare "Abdullah" (nothing after the l).
        if let Some(rest) = key.strip_prefix("abdl") {
            if !rest.is_empty() {
                let assimilated = format!("abd{rest}");
                self.insert(key);
                self.insert(assimilated);
                return;
            }
        }
        self.insert(key);
    }

    fn insert(&mut self, key: String) {
        if self.seen.insert(key.clone()) {
            self.list.push(key);
        }
    }
}

// ---------------------------------------------------------------------------
// Characters a stored field may not hold, and safe file names. Records come from
// hostile senders (bundles) as well as from the people typing them: what a record
// holds is shown in terminals, in the app, in save dialogs and in PDFs, so it must
// not be able to move a cursor, end a line where none is seen, or display as other
// text than it is.

/// Whether no record field may hold `c`: the C0 controls except tab (U+0009) and
/// line feed (U+000A), DEL (U+007F), and the C1 controls (U+0080 to U+009F).
/// Carriage return is refused too: the app's text areas give line feeds only, and
/// a lone CR in a terminal sends the cursor back over what was printed (a
/// name could hide the words before it). U+0000 ends strings in C and in some
/// dialogs, the ESC and CSI controls drive terminals.
pub fn is_refused_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}

/// Whether `c` is a bidi embedding or override: LRE, RLE, PDF, LRO, RLO
/// (U+202A to U+202E). An override makes the letters after it display in the
/// order it says, whatever they are: `abc\u{202E}fdp.exe` displays as
/// `abcexe.pdf`. Nobody types one into a name; editors paste embeddings into
/// prose, where they are kept. Marks (LRM, RLM, ALM) and isolates are typed
/// legitimately in Arabic text and are not matched here.
pub fn is_bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}')
}

/// Whether `c` is any explicit bidi formatting character: the embeddings and
/// overrides of [`is_bidi_override`], the isolates LRI, RLI, FSI, PDI (U+2066 to
/// U+2069) and the marks LRM, RLM (U+200E, U+200F) and ALM (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    is_bidi_override(c) || matches!(c, '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether every isolate initiator (LRI, RLI, FSI) in `s` is closed by a PDI and
/// no PDI closes nothing. An isolate left open runs on over whatever text is
/// shown after the string on the same line.
pub fn isolates_balanced(s: &str) -> bool {
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '\u{2066}'..='\u{2068}' => depth += 1,
            '\u{2069}' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

/// The longest file name [`safe_file_name`] returns, in bytes of UTF-8: what
/// Linux, macOS and Windows file systems accept as one name (NAME_MAX), so the
/// name can be offered as-is in a save dialog. About 127 Arabic letters.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// The longest extension kept whole when a long file name is shortened, in bytes.
const MAX_KEPT_EXTENSION_BYTES: usize = 16;

/// What [`safe_file_name`] returns when nothing of a name is left.
pub const FALLBACK_FILE_NAME: &str = "file";

/// Reduces a file name (from a bundle, or the name of a file being attached) to a
/// safe base name, the one shown on screen and offered in save dialogs:
///
/// - only the last path component is kept (after both `/` and `\`), so no name
///   can point into another folder ("../../etc/passwd" becomes "passwd");
/// - control characters ([`is_refused_control`], tab and line feed included)
///   and every bidi control ([`is_bidi_control`]) are removed, so a name reads as
///   it is: "report\u{202E}fdp.exe" becomes "reportfdp.exe";
/// - leading dots and spaces are removed, so a name cannot hide the file in a
///   file manager or be "." or ".."; trailing spaces are removed too;
/// - an empty result becomes [`FALLBACK_FILE_NAME`];
/// - a name longer than [`MAX_FILE_NAME_BYTES`] is shortened at a character
///   boundary, keeping its extension (up to 16 bytes), so "…long name….pdf" still
///   opens as a PDF.
///
/// Letters of every script are kept as they are (no normalisation), so an Arabic
/// name comes back intact. The result is a fixed point: `safe_file_name(safe) ==
/// safe`, which is how `Record::validate` recognises a name that is already safe.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String =
        name.chars().filter(|&c| !is_refused_control(c) && c != '\t' && c != '\n' && !is_bidi_control(c)).collect();
    let base = cleaned.rsplit(['/', '\\']).next().unwrap_or("");
    let base = base.trim_start_matches(|c: char| c == '.' || c.is_whitespace()).trim_end();
    let base = if base.is_empty() { FALLBACK_FILE_NAME } else { base };
    if base.len() <= MAX_FILE_NAME_BYTES {
        return base.to_string();
    }
    let (stem, ext) = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.len() <= MAX_KEPT_EXTENSION_BYTES => {
            (stem, Some(ext))
        }
        _ => (base, None),
    };
    let room = MAX_FILE_NAME_BYTES - ext.map_or(0, |e| e.len() + 1);
    let mut cut = room.min(stem.len());
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    // Trimmed again: a cut that ends in a space would not be a fixed point.
    let stem = stem[..cut].trim_end();
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::UnicodeNormalization;

    /// A deliberately naive tashkeel stripper, independent of `fold`.
    fn strip_tashkeel(s: &str) -> String {
        s.chars().filter(|&c| !('\u{064B}'..='\u{0652}').contains(&c) && c != '\u{0670}' && c != '\u{0640}').collect()
    }

    fn shares_key(a: &str, b: &str) -> bool {
        let ka = name_keys(a);
        name_keys(b).iter().any(|k| ka.contains(k))
    }

    // --- Arabic normalisation matrix -------------------------------------

    #[test]
    fn arabic_tashkeel_removed() {
        // fatha, damma, kasra, sukun, shadda, the three tanween, superscript alef
        assert_eq!(fold("مُحَمَّدٌ"), "محمد");
        assert_eq!(fold("كِتَابًا"), "كتابا");
        assert_eq!(fold("بَيْتٍ"), "بيت");
        assert_eq!(fold("هٰذا"), "هذا");
        assert_eq!(fold("رَحْمٰن"), "رحمن");
        // Quranic annotation marks and honorific signs
        assert_eq!(fold("ٱلرَّحِيمِ ۝ ۖ"), "الرحيم  ");
        assert_eq!(fold("محمد\u{0610}"), "محمد");
    }

    #[test]
    fn arabic_tatweel_removed() {
        assert_eq!(fold("محـــمد"), "محمد");
        assert_eq!(fold("مُـحَـمَّـد"), "محمد");
    }

    #[test]
    fn arabic_alef_forms_fold() {
        for (with, without) in [
            ("أحمد", "احمد"),
            ("إدريس", "ادريس"),
            ("آمنة", "امنه"),
            ("ٱلله", "الله"),
            ("ٲ", "ا"),
            ("ٳ", "ا"),
            ("ٵ", "ا"),
        ] {
            assert_eq!(fold(with), fold(without), "{with}");
            assert_eq!(fold(with), without, "{with}");
        }
        // with diacritics on top of the hamza seat
        assert_eq!(fold("أَحْمَد"), "احمد");
        assert_eq!(fold("إِدْرِيس"), "ادريس");
        // decomposed input (alef + combining hamza) folds the same
        assert_eq!(fold("\u{0627}\u{0654}\u{062D}\u{0645}\u{062F}"), "احمد");
    }

    #[test]
    fn arabic_yeh_teh_marbuta_hamza_seats() {
        assert_eq!(fold("مصطفى"), "مصطفي");
        assert_eq!(fold("مُصْطَفَى"), fold("مصطفي"));
        assert_eq!(fold("فاطمة"), "فاطمه");
        assert_eq!(fold("فَاطِمَةُ"), fold("فاطمه"));
        assert_eq!(fold("مؤمن"), "مومن");
        assert_eq!(fold("مُؤْمِن"), "مومن");
        assert_eq!(fold("عائشة"), "عايشه");
        assert_eq!(fold("عَائِشَةَ"), fold("عايشه"));
        // standalone hamza is a letter and stays
        assert_eq!(fold("جزء"), "جزء");
        // known, accepted collision: على (on) and علي (Ali)
        assert_eq!(fold("على"), fold("علي"));
    }

    #[test]
    fn persian_urdu_letters_fold() {
        assert_eq!(fold("کتاب"), "كتاب");
        assert_eq!(fold("علی"), "علي");
        assert_eq!(fold("اللہ"), "الله");
        assert_eq!(fold("ھذا"), "هذا");
        assert_eq!(fold("خانۀ"), "خانه");
        assert_eq!(fold("خانه\u{0654}"), "خانه");
        // Uyghur/Kurdish ە is a vowel letter, kept distinct from ه
        assert_eq!(fold("ئەخمەت"), "يەخمەت");
    }

    #[test]
    fn arabic_digits_fold() {
        assert_eq!(fold("٠١٢٣٤٥٦٧٨٩"), "0123456789");
        assert_eq!(fold("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
        assert_eq!(fold("١٩٩٠/٠٥/١٢"), "1990/05/12");
    }

    #[test]
    fn arabic_presentation_forms_fold() {
        // isolated/initial/medial/final forms of م ح م د
        assert_eq!(fold("\u{FEE3}\u{FEA4}\u{FEE4}\u{FEAA}"), "محمد");
        // lam-alef ligatures, including with hamza and madda
        assert_eq!(fold("\u{FEFB}"), "لا");
        assert_eq!(fold("\u{FEF7}"), "لا");
        assert_eq!(fold("\u{FEF5}"), "لا");
        // the Allah ligature and alef with hamza in presentation form
        assert_eq!(fold("\u{FDF2}"), "الله");
        assert_eq!(fold("\u{FE83}\u{FEA3}\u{FEE4}\u{FEAA}"), "احمد");
        // teh marbuta and alef maqsura forms
        assert_eq!(fold("\u{FE94}"), "ه");
        assert_eq!(fold("\u{FEF0}"), "ي");
        // a shadda presentation form (with tatweel) disappears
        assert_eq!(fold("\u{FE7D}"), "");
        // Persian keheh presentation form
        assert_eq!(fold("\u{FB8E}"), "ك");
    }

    #[test]
    fn invisible_format_characters_removed() {
        assert_eq!(fold("محمد\u{200F}"), "محمد");
        assert_eq!(fold("\u{202B}محمد\u{202C}"), "محمد");
        assert_eq!(fold("مح\u{200D}مد"), "محمد");
        assert_eq!(fold("\u{FEFF}Hasan"), "hasan");
        assert_eq!(fold("ex\u{00AD}tradition"), "extradition");
        assert_eq!(fold("\u{2068}Idris\u{2069}"), "idris");
    }

    #[test]
    fn everything_else_unchanged() {
        assert_eq!(fold("a, b; c? ، ؛ ؟ «x» - 'y' / 42"), "a, b; c? ، ؛ ؟ «x» - 'y' / 42");
        assert_eq!(fold("Москва"), "москва");
        assert_eq!(fold("北京"), "北京");
        assert_eq!(fold("한국어"), "한국어");
        assert_eq!(fold(""), "");
    }

    /// Real diacritized words from `tests/testdata/corpora/arabic-news-diacritized.txt`,
    /// with the form a user types: no tashkeel, often no hamza, ه for ة, ي for ى.
    const CORPUS_WORDS: &[(&str, &str, &str)] = &[
        ("مُحَمَدٍ", "محمد", "محمد"),
        ("عَبْدُ", "عبد", "عبد"),
        ("اللَّهَ", "الله", "الله"),
        ("أكْثَرَ", "أكثر", "اكثر"),
        ("أُصُولُهَا", "أصولها", "اصولها"),
        ("الْإِعْدَادُ", "الإعداد", "الاعداد"),
        ("إلى", "إلى", "الي"),
        ("وَإِيرَانَ", "وإيران", "وايران"),
        ("آلَافِ", "آلاف", "الاف"),
        ("الْقُرْآنَ", "القرآن", "القران"),
        ("الْأُخْرَى", "الأخرى", "الاخري"),
        ("عَلىَ", "على", "علي"),
        ("حَتّى", "حتى", "حتي"),
        ("عَرَبِيَّةٍ", "عربية", "عربيه"),
        ("إَضَافَةً", "إضافة", "اضافه"),
        ("تَفَاؤُلُ", "تفاؤل", "تفاول"),
        ("مُؤَسَسَةُ", "مؤسسة", "موسسه"),
        ("رَسَائِلَ", "رسائل", "رسايل"),
        ("مِئَةِ", "مئة", "ميه"),
        ("غِذَائِيَّةٌ", "غذائية", "غذاييه"),
        ("السُّعُودِيَّةُ", "السعودية", "السعوديه"),
        ("تُرْكِيًا", "تركيا", "تركيا"),
        ("قَطَر", "قطر", "قطر"),
        ("اعْتِقَالِ", "اعتقال", "اعتقال"),
        ("الْإِنْسَانَ", "الإنسان", "الانسان"),
        ("حُقُوقِ", "حقوق", "حقوق"),
        ("الشُرْطَةَ", "الشرطة", "الشرطه"),
        ("الرَّئِيسِ", "الرئيس", "الرييس"),
        ("عَائِلَةِ", "عائلة", "عايله"),
        ("الإمَارَاتِ", "الإمارات", "الامارات"),
        ("مِصْر", "مصر", "مصر"),
        ("يَبْدَؤُونَ", "يبدؤون", "يبدوون"),
        ("إنَّهُ", "إنه", "انه"),
        ("مُصْحَفًا", "مصحفا", "مصحفا"),
    ];

    #[test]
    fn corpus_words_match_plain_queries() {
        for &(diacritized, plain, typed) in CORPUS_WORDS {
            assert_eq!(strip_tashkeel(diacritized), plain, "hand stripping of {diacritized}");
            assert_eq!(fold(diacritized), fold(plain), "{diacritized} vs {plain}");
            assert_eq!(fold(diacritized), fold(typed), "{diacritized} vs {typed}");
            assert_eq!(fold(diacritized), typed, "{diacritized} folds to what users type");
        }
    }

    #[test]
    fn whole_corpus_folds_like_its_stripped_form() {
        let path = crate::checkout().join("tests/testdata/corpora/arabic-news-diacritized.txt");
        let corpus = std::fs::read_to_string(path).expect("the corpus ships in tests/testdata/corpora");
        let mut checked = 0;
        for word in corpus.split_whitespace() {
            let folded = fold(word);
            assert_eq!(folded, fold(&strip_tashkeel(word)), "{word}");
            assert!(!folded.chars().any(|c| ('\u{064B}'..='\u{065F}').contains(&c)), "{word} keeps a mark");
            assert!(!folded.contains(['أ', 'إ', 'آ', 'ة', 'ى', 'ؤ', 'ئ']), "{word}");
            checked += 1;
        }
        assert!(checked > 1000);
    }

    // --- Latin -------------------------------------------------------------

    #[test]
    fn latin_diacritics_and_ligatures() {
        assert_eq!(fold("Élève Français Müller"), "eleve francais muller");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("STRAẞE"), "strasse");
        assert_eq!(fold("Œuvre cœur Æsop"), "oeuvre coeur aesop");
        assert_eq!(fold("Tromsø Łódź Đorđe"), "tromso lodz dorde");
        assert_eq!(fold("İstanbul Işık Ağrı"), "istanbul isik agri");
        assert_eq!(fold("Ṣaʿd ʿUmar Ḥasan"), "saʿd ʿumar hasan");
        assert_eq!(fold("Chaouki Aïcha Noël"), "chaouki aicha noel");
        // decomposed input folds like precomposed input
        assert_eq!(fold("e\u{0301}le\u{0300}ve"), "eleve");
    }

    #[test]
    fn compatibility_forms() {
        assert_eq!(fold("ＡＭＡＮＡ　２０２４"), "amana 2024");
        assert_eq!(fold("ﬁle ﬂow"), "file flow");
        assert_eq!(fold("Ⅻ ² ①"), "xii 2 1");
        assert_eq!(fold("a\u{00A0}b"), "a b");
        assert_eq!(fold("ΟΔΟΣ"), "οδοσ");
        assert_eq!(fold("οδός"), "οδοσ");
    }

    #[test]
    fn other_scripts_recompose() {
        // Hangul decomposes to jamo under NFKD and must come back composed.
        assert_eq!(fold("\u{1112}\u{1161}\u{11AB}"), "한");
        // Devanagari nukta composition is excluded from NFC: stays decomposed.
        assert_eq!(fold("\u{0958}"), "\u{0915}\u{093C}");
    }

    // --- map ---------------------------------------------------------------

    #[test]
    fn map_points_at_origins() {
        let text = "Straße مُحَمَّد";
        let (out, map) = fold_with_map(text);
        assert_eq!(out, "strasse محمد");
        assert_eq!(map.len(), out.len());
        // both s of ß come from ß
        let ss = out.find("ss").unwrap_or(0);
        assert_eq!(map[ss], text.find('ß').unwrap_or(usize::MAX));
        assert_eq!(map[ss + 1], map[ss]);
        // the highlighted range of "محمد" covers the whole diacritized word
        let at = out.find("محمد").unwrap_or(0);
        let range = original_range(text, &map, at..at + "محمد".len());
        assert_eq!(&text[range], "مُحَمَّد");
        // a prefix match ends before the next letter, keeping its marks
        let range = original_range(text, &map, at..at + "مح".len());
        assert_eq!(&text[range], "مُحَ");
    }

    #[test]
    fn original_range_keeps_trailing_marks_mid_text() {
        let text = "قال مُحَمَّدٌ، ثم";
        let (out, map) = fold_with_map(text);
        let at = out.find("محمد").unwrap_or(0);
        let range = original_range(text, &map, at..at + "محمد".len());
        assert_eq!(&text[range], "مُحَمَّدٌ");
    }

    #[test]
    fn original_range_is_total() {
        let text = "Aïcha";
        let (_, map) = fold_with_map(text);
        assert_eq!(original_range(text, &map, 0..0), 0..0);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 3..1;
        assert_eq!(original_range(text, &map, reversed), 1..1);
        assert_eq!(original_range(text, &map, 0..1000), 0..text.len());
        // a map from another text is clamped, not trusted
        assert_eq!(original_range(text, &[999, 2], 0..2), 1..text.len());
        assert_eq!(original_range("", &[], 5..9), 0..0);
    }

    // --- words ---------------------------------------------------------------

    #[test]
    fn words_split_on_hyphens_and_apostrophes() {
        let w: Vec<&str> = words("al-Kayali, O’Brien d'Arc  عبد الله").collect();
        assert_eq!(w, ["al", "Kayali", "O", "Brien", "d", "Arc", "عبد", "الله"]);
        let w: Vec<&str> = words("مُحَمَّد Saʿd").collect();
        assert_eq!(w, ["مُحَمَّد", "Saʿd"]);
        assert_eq!(words(" -- ").count(), 0);
    }

    // --- name_keys -------------------------------------------------------------

    /// Each group: every member shares at least one key with every other member.
    const NAME_GROUPS: &[&[&str]] = &[
        &["Mohamed", "Muhammad", "Mohammed", "Mohammad", "Muhamad", "محمد", "مُحَمَّد"],
        &["al-Kayali", "Kayali", "Al Kayali", "El Kayali", "Kayyali", "الكيالي", "Alkayali", "El-Kayali"],
        &["Youssef", "Yusuf", "Youssouf", "Yousef", "يوسف"],
        &["Idris", "Idriss", "إدريس", "Yidiresi"],
        &["Hasan", "Hassan", "حسن"],
        &["Abdullah", "Abdallah", "Abd Allah", "Abd-Allah", "عبد الله", "عبدالله", "Abdulla"],
        &["Chaouki", "Shawqi", "Shawki", "شوقي"],
        &["Khaled", "Khalid", "خالد"],
        &["Omar", "Umar", "عمر", "ʿUmar"],
        &["Fatima", "Fatma", "Fatimah", "فاطمة", "فاطمه"],
        &["Ahmed", "Ahmad", "أحمد", "احمد"],
        &["Nasser", "Naser", "Nasir", "ناصر"],
        // beyond the brief
        &["Hussein", "Houcine", "Husayn", "حسين"],
        &["Yacine", "Yassine", "Yasin", "ياسين"],
        &["Aicha", "Aisha", "Aïcha", "Aishah", "عائشة"],
        &["Saleh", "Salih", "صالح"],
        &["Fathi", "Fethi", "فتحي"],
        &["Adham", "أدهم"],
        &["Ishaq", "Ishak", "إسحاق"],
        &["Taha", "طه"],
        &["Hamza", "Hamzah", "حمزة"],
        &["Gamal", "Jamal", "Djamel", "جمال"],
        &["Sa'ad", "Saad", "سعد"],
        &["Ismail", "Isma'il", "إسماعيل"],
        &["Abderrahmane", "Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman", "عبد الرحمن", "عبدالرحمن"],
        &["Abdelkader", "Abd al-Qadir", "Abdul Qadir", "عبد القادر"],
        &["Nasreddine", "Nasr Eddine", "Nasr al-Din", "Nasr ad-Din", "نصر الدين"],
        &["Ash-Shami", "al-Shami", "Shami", "الشامي", "Chami"],
        &["Essebsi", "Es-Sebsi", "Sebsi", "السبسي"],
        &["Othman", "Othmane", "Uthman", "عثمان"],
        &["Loujain al-Hathloul", "Loujain Al-Hadhloul", "Lujain al-Hathlool", "لجين الهذلول"],
        // ظ: Gulf "dh"/"th" and Levantine "z" each meet the Arabic, not each other
        &["Dhafer", "Thafer", "ظافر"],
        &["Zafer", "Zafir", "ظافر"],
        &["Hafez", "Hafiz", "حافظ"],
        &["Elias", "Ilyas", "إلياس", "الياس"],
    ];

    #[test]
    fn name_variant_groups_meet() {
        for group in NAME_GROUPS {
            for a in group.iter() {
                for b in group.iter() {
                    assert!(shares_key(a, b), "{a} {:?} and {b} {:?} share no key", name_keys(a), name_keys(b));
                }
            }
        }
    }

    #[test]
    fn full_names_meet() {
        assert!(shares_key("Idris Mansour", "إدريس منصور"));
        assert!(shares_key("Samir al-Kayali", "سمير الكيالي"));
        assert!(shares_key("Gamal Abdel Nasser", "جمال عبد الناصر"));
        assert!(shares_key("Gamal Abdel Nasser", "Jamal Abd al-Nasir"));
        // a Chinese transcription of a Uyghur name: Idris meets Yidiresi
        assert!(shares_key("Idris Tursun", "Yidiresi Tuersun"));
    }

    /// Names that must not share any key.
    const DISTINCT: &[(&str, &str)] = &[
        ("Khaled", "Walid"),
        ("Idris", "Darius"),
        ("Ahmed", "Hamid"),
        ("Ahmed", "Mohamed"),
        ("Khaled", "Khalil"),
        ("Youssef", "Yasser"),
        ("Nasser", "Nasrallah"),
        ("Fatima", "Fathi"),
        ("Karim", "Akram"),
        ("Hasan", "Ahsan"),
        ("Omar", "Amin"),
        ("محمد", "أحمد"),
        ("خالد", "وليد"),
        ("Abdullah", "Abdelkader"),
        ("Ismail", "Samir"),
    ];

    #[test]
    fn distinct_names_do_not_meet() {
        for (a, b) in DISTINCT {
            assert!(!shares_key(a, b), "{a} {:?} and {b} {:?} share a key", name_keys(a), name_keys(b));
        }
    }

    /// Known collisions, kept as a test so that a change in them is noticed. They
    /// share a consonant skeleton, in Arabic script as well as in Latin.
    const KNOWN_COLLISIONS: &[(&str, &str)] = &[
        ("Mohamed", "Mahmoud"), // م ح م د / م ح م و د: same consonants, و is a vowel letter
        ("محمد", "محمود"),
        ("Hasan", "Hussein"), // ح س ن / ح س ي ن
        ("Omar", "Amer"),     // ع م ر / ع ا م ر
        ("Omar", "Amr"),
        ("Said", "Saad"), // س ع ي د / س ع د
        ("Said", "Sayed"),
        ("Hamid", "Hamad"),
        ("Samir", "Samira"), // ة is dropped
        ("Ali", "Alia"),
        ("Aisha", "Issa"),
        ("Kayali", "Khalil"), // two-consonant skeletons are weak
        ("Ali", "Wael"),      // ع and initial و are the same vowel marker
        ("Nasser", "Nasr"),
        ("Amin", "Ayman"),
    ];

    #[test]
    fn known_collisions_are_documented() {
        for (a, b) in KNOWN_COLLISIONS {
            assert!(shares_key(a, b), "{a} and {b} no longer collide: update docs/search.md");
        }
    }

    /// Known misses: spellings of one name that get no common key. Documented in
    /// docs/search.md; a test so that fixing one is noticed.
    const KNOWN_MISSES: &[(&str, &str)] = &[
        ("Osman", "Othman"),         // Turkish s for ث
        ("Halid", "Khalid"),         // Turkish h for خ
        ("Mohd", "Mohamed"),         // abbreviation
        ("Dhafer", "Zafer"),         // both meet ظافر, not each other
        ("Nasreldin", "Nasreddine"), // article kept in one, assimilated in the other
        ("3omar", "Omar"),           // Arabizi digits
        ("Aishan", "Hasan"),         // Chinese transcription drops the h
    ];

    #[test]
    fn known_misses_are_documented() {
        for (a, b) in KNOWN_MISSES {
            assert!(!shares_key(a, b), "{a} and {b} now meet: update docs/search.md");
        }
    }

    #[test]
    fn name_keys_shape() {
        assert_eq!(name_keys("Mohamed"), ["mhmd"]);
        assert_eq!(name_keys("مُحَمَّد"), ["mhmd"]);
        assert_eq!(name_keys("Samir al-Kayali"), ["smr", "kl", "alkl", "smrkl", "smrlkl"]);
        // the article alone is never a key
        assert!(!name_keys("al-Kayali").contains(&"al".to_string()));
        // an apostrophe inside a name is ayn or hamza, not a word break
        assert_eq!(name_keys("Isma'il"), ["asml"]);
        assert_eq!(name_keys("Ma’moun"), name_keys("مأمون"));
        // short skeletons fall back to the folded word
        assert_eq!(name_keys("Aya"), ["aya"]);
        assert_eq!(name_keys("Noa"), ["noa"]);
        // nothing in, nothing out
        assert!(name_keys("").is_empty());
        assert!(name_keys(" - ’ ").is_empty());
        // keys are deduplicated
        let keys = name_keys("Mohamed Mohamed");
        let mut dedup = keys.clone();
        dedup.dedup();
        assert_eq!(keys, dedup);
        // other scripts are kept, not transliterated
        assert_eq!(name_keys("Мухаммед"), ["мухаммед"]);
    }

    #[test]
    fn attached_clitics_are_not_stripped() {
        // A documented limitation: و/ب/ل/ف glued to a name are not removed.
        assert!(!shares_key("ومحمد", "محمد"));
    }

    // --- properties ------------------------------------------------------------

    fn mixed_text() -> impl Strategy<Value = String> {
        use proptest::char::range;
        let chars = prop_oneof![
            range('\u{0600}', '\u{06FF}'),
            range('\u{0750}', '\u{077F}'),
            range('\u{08A0}', '\u{08FF}'),
            range('\u{FB50}', '\u{FDFF}'),
            range('\u{FE70}', '\u{FEFF}'),
            range('a', 'z'),
            range('A', 'Z'),
            range('\u{00C0}', '\u{024F}'),
            range('\u{0300}', '\u{036F}'),
            range('\u{1100}', '\u{11FF}'),
            range('\u{AC00}', '\u{AC20}'),
            range('\u{0900}', '\u{097F}'),
            range('\u{0590}', '\u{05FF}'),
            range('\u{1E00}', '\u{1EFF}'),
            range('\u{200B}', '\u{206F}'),
            range('\u{FF00}', '\u{FFEF}'),
            range('\u{0370}', '\u{03FF}'),
            prop_oneof![Just(' '), Just('-'), Just('\''), Just('’'), Just('ʿ')],
        ];
        proptest::collection::vec(chars, 0..48).prop_map(String::from_iter)
    }

    fn check_fold_properties(text: &str) -> Result<(), TestCaseError> {
        let folded = fold(text);
        let (mapped, map) = fold_with_map(text);
        prop_assert_eq!(&mapped, &folded);
        prop_assert_eq!(map.len(), mapped.len());
        for &origin in &map {
            prop_assert!(origin < text.len());
            prop_assert!(text.is_char_boundary(origin));
        }
        // idempotent, so folding stored text again is harmless
        prop_assert_eq!(fold(&folded), folded.clone());
        // canonically equivalent inputs fold identically
        let nfc: String = text.nfc().collect();
        let nfd: String = text.nfd().collect();
        prop_assert_eq!(fold(&nfc), folded.clone());
        prop_assert_eq!(fold(&nfd), folded.clone());
        // no Arabic mark or tatweel survives
        let has_mark = folded.chars().any(|c| ('\u{064B}'..='\u{065F}').contains(&c) || c == '\u{0640}');
        prop_assert!(!has_mark);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fold_properties_on_any_string(text in any::<String>()) {
            check_fold_properties(&text)?;
        }

        #[test]
        fn fold_properties_on_mixed_scripts(text in mixed_text()) {
            check_fold_properties(&text)?;
        }

        #[test]
        fn original_range_never_panics(text in mixed_text(), a in 0usize..200, b in 0usize..200) {
            let (_, map) = fold_with_map(&text);
            let range = original_range(&text, &map, a..b);
            prop_assert!(range.start <= range.end && range.end <= text.len());
            prop_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        }

        #[test]
        fn name_keys_never_panic_and_are_stable(text in mixed_text()) {
            let keys = name_keys(&text);
            prop_assert_eq!(&name_keys(&fold(&text)), &keys);
            let unique: HashSet<&String> = keys.iter().collect();
            prop_assert_eq!(unique.len(), keys.len());
            prop_assert!(keys.iter().all(|k| !k.is_empty()));
        }

        #[test]
        fn name_keys_never_panic_on_any_string(text in any::<String>()) {
            let _ = name_keys(&text);
            for w in words(&text) {
                prop_assert!(!w.is_empty());
            }
        }
    }

    // --- Refused characters and safe file names ---------------------------

    #[test]
    fn refused_controls_are_c0_but_tab_and_newline_del_and_c1() {
        for c in [
            '\u{0}', '\u{7}', '\u{8}', '\u{B}', '\u{C}', '\r', '\u{1B}', '\u{1F}', '\u{7F}', '\u{85}', '\u{9B}',
            '\u{9F}',
        ] {
            assert!(is_refused_control(c), "{:?}", c);
        }
        for c in ['\t', '\n', ' ', 'a', '\u{A0}', 'ب', '\u{200F}', '\u{202E}'] {
            assert!(!is_refused_control(c), "{:?}", c);
        }
    }

    #[test]
    fn overrides_are_the_embeddings_and_overrides_only() {
        for c in '\u{202A}'..='\u{202E}' {
            assert!(is_bidi_override(c) && is_bidi_control(c));
        }
        for c in ['\u{200E}', '\u{200F}', '\u{061C}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert!(!is_bidi_override(c) && is_bidi_control(c), "{:?}", c);
        }
        assert!(!is_bidi_control('\u{200C}'), "ZWNJ is a letter shaper, not a bidi control");
    }

    #[test]
    fn isolates_must_close() {
        assert!(isolates_balanced("محمد \u{2068}Ahmed\u{2069}"));
        assert!(isolates_balanced("plain"));
        assert!(!isolates_balanced("name\u{2067}"));
        assert!(!isolates_balanced("\u{2069}name"));
        assert!(!isolates_balanced("\u{2069}\u{2068}"));
    }

    #[test]
    fn safe_file_name_keeps_only_a_base_name() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("a\\b"), "b");
        assert_eq!(safe_file_name("C:\\Users\\x\\report.pdf"), "report.pdf");
        assert_eq!(safe_file_name("dir/"), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name(".."), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name("."), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name(""), FALLBACK_FILE_NAME);
        assert_eq!(safe_file_name("   "), FALLBACK_FILE_NAME);
    }

    #[test]
    fn safe_file_name_removes_controls_and_bidi_controls() {
        assert_eq!(safe_file_name("report\u{202E}fdp.exe"), "reportfdp.exe");
        assert_eq!(safe_file_name("\u{0}x"), "x");
        assert_eq!(safe_file_name("a\nb\tc\rd\u{1B}[2Je\u{7F}\u{9B}.txt"), "abcd[2Je.txt");
        assert_eq!(safe_file_name("\u{2067}تقرير\u{2069}\u{200F}.pdf"), "تقرير.pdf");
        // A slash hidden behind a control is still a slash.
        assert_eq!(safe_file_name("..\u{0}/..\u{202E}/x"), "x");
    }

    #[test]
    fn safe_file_name_unhides_dot_files() {
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name(" . .hidden.jpg "), "hidden.jpg");
        assert_eq!(safe_file_name("notes..txt"), "notes..txt");
    }

    #[test]
    fn safe_file_name_keeps_arabic_names_intact() {
        for name in [
            "شهادة الأم.ogg",
            "صورة_المحكمة ٢٠٢٤.jpg",
            "مُحَمَّد\u{200C}ی.pdf",
            "Procès-verbal été.pdf",
            "Témoignage (1).m4a",
        ] {
            assert_eq!(safe_file_name(name), name);
        }
    }

    #[test]
    fn safe_file_name_shortens_long_names_keeping_the_extension() {
        let long = format!("{}.pdf", "ش".repeat(400));
        let safe = safe_file_name(&long);
        assert!(safe.len() <= MAX_FILE_NAME_BYTES, "{}", safe.len());
        assert!(safe.ends_with(".pdf") && safe.starts_with("ششش"), "{safe}");
        assert_eq!(safe.len(), 2 * 125 + 4, "cut at a character boundary, as long as fits");
        let ascii = format!("{}.jpeg", "a".repeat(1000));
        assert_eq!(safe_file_name(&ascii), format!("{}.jpeg", "a".repeat(250)));
        // No usable extension: cut only.
        let no_ext = "b".repeat(300);
        assert_eq!(safe_file_name(&no_ext), "b".repeat(255));
        let long_ext = format!("x.{}", "e".repeat(300));
        assert_eq!(safe_file_name(&long_ext).len(), 255);
        // A name of exactly the limit is kept.
        let exact = format!("{}.txt", "c".repeat(251));
        assert_eq!(safe_file_name(&exact), exact);
    }

    proptest! {
        #[test]
        fn safe_file_name_is_safe_and_a_fixed_point(name in "\\PC{0,300}|[./\\\\ \u{0}-\u{1F}\u{202A}-\u{202E}a-zب]{0,300}") {
            let safe = safe_file_name(&name);
            prop_assert!(!safe.is_empty() && safe.len() <= MAX_FILE_NAME_BYTES);
            prop_assert!(!safe.contains(['/', '\\']) && !safe.starts_with('.'));
            prop_assert!(!safe.chars().any(|c| is_refused_control(c) || c == '\t' || c == '\n' || is_bidi_control(c)));
            prop_assert_eq!(safe_file_name(&safe), safe);
        }
    }
}
