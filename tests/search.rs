//! Search through the real CLI: the Arabic normalisation matrix on real,
//! fully diacritized text; transliterated names; ranking and paging; French
//! accents, phrases and prefixes; FTS syntax typed as a query; and sources'
//! identities, which no search may ever find. Every person named is fictional.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::{json, Value};

/// Runs `amana search QUERY --json` with a large page.
fn search(v: &TestVault, query: &str) -> Value {
    v.json(&["search", query, "--limit", "100"])
}

/// The ids of the hits of one kind, in rank order.
fn hits_of(result: &Value, kind: &str) -> Vec<String> {
    result["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == kind)
        .map(|h| h["record_id"].as_str().unwrap().to_string())
        .collect()
}

/// One id, as `hits_of` lists it.
fn only(id: &str) -> Vec<String> {
    vec![id.to_string()]
}

/// The highlighted parts of a hit's snippet (highlights are byte ranges).
fn highlighted(hit: &Value) -> Vec<String> {
    let snippet = hit["snippet"].as_str().unwrap();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let (s, e) = (h[0].as_u64().unwrap() as usize, h[1].as_u64().unwrap() as usize);
            snippet.get(s..e).unwrap_or_else(|| panic!("highlight {s}..{e} is not a range of {snippet:?}")).to_string()
        })
        .collect()
}

// --- the Arabic normalisation matrix ------------------------------------------

const CORPUS: &str = "tests/testdata/corpora/arabic-news-diacritized.txt";
const LINES: usize = 40;

fn is_mark(c: char) -> bool {
    ('\u{064B}'..='\u{065F}').contains(&c) || c == '\u{0670}'
}

fn is_arabic_letter(c: char) -> bool {
    ('\u{0621}'..='\u{063A}').contains(&c) || ('\u{0641}'..='\u{064A}').contains(&c) || c == '\u{0671}'
}

fn strip_marks(word: &str) -> String {
    word.chars().filter(|c| !is_mark(*c)).collect()
}

/// What a person typing without any of the written distinctions would type:
/// the test's own oracle for "the same word", independent of `text::fold`.
fn bare(word: &str) -> String {
    strip_marks(word)
        .chars()
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            'ؤ' => 'و',
            'ئ' => 'ي',
            c => c,
        })
        .collect()
}

/// The Arabic words of a line, as written (with their marks): runs of Arabic
/// letters and marks, so attached punctuation and hyphens are left out.
fn arabic_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in line.chars().chain([' ']) {
        if is_arabic_letter(c) || is_mark(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    out.retain(|w| w.chars().filter(|c| is_arabic_letter(*c)).count() >= 3);
    out
}

/// The word stretched with tatweel after its second letter (`محـــمد`).
fn with_tatweel(word: &str) -> String {
    let mut out = String::new();
    for (j, c) in word.chars().enumerate() {
        out.push(c);
        if j == 1 {
            out.push_str("ـــ");
        }
    }
    out
}

/// The word with the marks on each letter typed in the reverse order
/// (fatha + shadda for shadda + fatha): the same text to a reader.
fn reverse_mark_runs(word: &str) -> String {
    let mut out = String::new();
    let mut run: Vec<char> = Vec::new();
    for c in word.chars().chain(['\u{0}']) {
        if is_mark(c) {
            run.push(c);
            continue;
        }
        out.extend(run.drain(..).rev());
        if c != '\u{0}' {
            out.push(c);
        }
    }
    out
}

/// One query of the matrix: what is typed, which testimony it must find, and
/// the word as written there.
struct Probe {
    rule: &'static str,
    query: String,
    line: usize,
    original: String,
}

fn matrix(lines: &[String]) -> Vec<Probe> {
    // A word is usable when no other indexed line has the same bare word, so
    // exactly one testimony must be found.
    let mut lines_of: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        for w in arabic_words(l) {
            lines_of.entry(bare(&w)).or_default().insert(i);
        }
    }
    let mut probes = Vec::new();
    // Up to six words per rule, each from another line, so the probes are
    // spread over the testimonies.
    let mut lines_per_rule: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    let mut add = |rule: &'static str, query: String, line: usize, original: &str| {
        let taken = lines_per_rule.entry(rule).or_default();
        if taken.len() < 6 && taken.insert(line) {
            probes.push(Probe { rule, query, line, original: original.to_string() });
        }
    };
    for (i, l) in lines.iter().enumerate() {
        for w in arabic_words(l) {
            if lines_of[&bare(&w)].len() != 1 {
                continue;
            }
            let stripped = strip_marks(&w);
            if stripped != w {
                add("diacritics stripped", stripped.clone(), i, &w);
            }
            if stripped.contains(['أ', 'إ', 'آ']) {
                add("alef variants as bare alef", stripped.replace(['أ', 'إ', 'آ'], "ا"), i, &w);
            }
            if stripped.starts_with('ا') && !stripped.starts_with("ال") {
                add("hamza typed where the text has none", stripped.replacen('ا', "أ", 1), i, &w);
            }
            if stripped.ends_with('ة') {
                add("ta marbuta typed as ha", format!("{}ه", stripped.trim_end_matches('ة')), i, &w);
            }
            if stripped.contains('ى') {
                add("alef maqsura typed as ya", stripped.replace('ى', "ي"), i, &w);
            }
            if stripped.chars().count() >= 4 {
                add("tatweel inserted", with_tatweel(&stripped), i, &w);
            }
            let reordered = reverse_mark_runs(&w);
            if reordered != w {
                add("marks in another order", reordered, i, &w);
            }
            if stripped.contains(['أ', 'إ', 'آ', 'ة', 'ى']) {
                add("everything at once", with_tatweel(&bare(&w)), i, &w);
            }
        }
    }
    probes
}

#[test]
fn arabic_normalisation_matrix_on_real_diacritized_testimonies() {
    let corpus = std::fs::read_to_string(common::checkout().join(CORPUS))
        .unwrap_or_else(|e| panic!("the corpus {CORPUS} ships with the checkout: {e}"));
    let lines: Vec<String> =
        corpus.lines().map(str::trim).filter(|l| !l.is_empty()).take(LINES).map(str::to_string).collect();
    assert_eq!(lines.len(), LINES);

    let v = TestVault::new();
    let case =
        v.add("case", None, &json!({ "title": "Corpus", "subject": { "names": [{ "name": "Quentin Vuillermoz" }] } }));
    let ids: Vec<String> = lines
        .iter()
        .map(|l| v.add("testimony", Some(&case), &json!({ "text": l, "language": "ar", "interviewer": "R." })))
        .collect();

    let probes = matrix(&lines);
    let mut rules: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &probes {
        *rules.entry(p.rule).or_default() += 1;
    }
    for rule in [
        "diacritics stripped",
        "alef variants as bare alef",
        "hamza typed where the text has none",
        "ta marbuta typed as ha",
        "alef maqsura typed as ya",
        "tatweel inserted",
        "marks in another order",
        "everything at once",
    ] {
        assert!(rules.get(rule).copied().unwrap_or(0) >= 3, "too few words in the corpus for {rule:?}: {rules:?}");
    }

    for p in &probes {
        eprintln!("{:<38} {:<16} line {:>2}: {}", p.rule, p.query, p.line, p.original);
    }
    let mut failures = Vec::new();
    for p in &probes {
        let result = search(&v, &p.query);
        let found = hits_of(&result, "testimony");
        if found != only(&ids[p.line]) {
            failures.push(format!(
                "{}: {:?} (for {:?} in line {}) found {} testimonies {:?}",
                p.rule,
                p.query,
                p.original,
                p.line,
                found.len(),
                found.iter().map(|id| ids.iter().position(|x| x == id)).collect::<Vec<_>>()
            ));
            continue;
        }
        let hit = result["hits"].as_array().unwrap().iter().find(|h| h["kind"] == "testimony").unwrap();
        assert_eq!(hit["case_id"], case.as_str());
        assert_eq!(hit["name_variant"], false);
        let snippet = hit["snippet"].as_str().unwrap();
        if !snippet.contains(&p.original) || !highlighted(hit).contains(&p.original) {
            failures.push(format!(
                "{}: {:?}: the snippet {snippet:?} should show and highlight {:?}, highlights {:?}",
                p.rule,
                p.query,
                p.original,
                highlighted(hit)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} probes failed:\n{}", failures.len(), probes.len(), failures.join("\n"));

    // A word that is in none of the lines finds nothing, diacritized or not.
    assert_eq!(search(&v, "بِطْرِيقٌ")["total"], 0);
    assert_eq!(search(&v, "بطريق")["total"], 0);
}

// --- names ---------------------------------------------------------------------

#[test]
fn transliterated_names_find_their_case_and_only_it() {
    let v = TestVault::new();
    let person = |names: &[(&str, &str)]| {
        let names: Vec<Value> = names.iter().map(|(n, k)| json!({ "name": n, "kind": k })).collect();
        v.add("case", None, &json!({ "subject": { "names": names } }))
    };
    let kayali = person(&[("Samir al-Kayali", "primary"), ("سمير الكيالي", "native_script")]);
    let idriss = person(&[("Youssef Idriss", "primary")]);
    let chaouki = person(&[("Abdallah Chaouki", "primary")]);
    let nasser = person(&[("Fatima Nasser", "primary")]);
    // Others in the vault, which none of the variants below may find.
    let others = [
        person(&[("Walid Hamid", "primary")]),
        person(&[("Yasser Fathi", "primary")]),
        person(&[("Darius Ahmadi", "primary")]),
    ];

    let groups: [(&str, &[&str]); 4] = [
        (
            &kayali,
            &[
                "Samir al-Kayali",
                "Sameer Kayali",
                "Samir El Kayali",
                "Sameer Al Kayali",
                "Samir Alkayali",
                "Sameer El-Kayali",
                "Kayyali",
                "al-Kayali",
                "سمير الكيالي",
                "سَمِير الكيالي",
                "سمير",
                "Sameer",
            ],
        ),
        (
            &idriss,
            &[
                "Youssef Idriss",
                "Yusuf Idris",
                "Youssouf Idriss",
                "Yousef Idris",
                "يوسف إدريس",
                "يوسف",
                "Idris",
                "إدريس",
            ],
        ),
        (
            &chaouki,
            &[
                "Abdallah Chaouki",
                "Abdullah Shawqi",
                "Abd Allah Chaouki",
                "Abd-Allah Shawki",
                "عبد الله شوقي",
                "عبدالله شوقي",
                "Abdulla",
                "Shawqi",
            ],
        ),
        (&nasser, &["Fatima Nasser", "Fatma Naser", "Fatimah Nasir", "فاطمة ناصر", "فاطمه ناصر", "Naser"]),
    ];
    let mut failures = Vec::new();
    for (case, variants) in groups {
        for q in variants {
            let found = hits_of(&search(&v, q), "case");
            if found != [case.to_string()] {
                failures.push(format!("{q:?} found {found:?}, expected only {case}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Names that are other people do not match.
    for (q, not) in [
        ("Yasser", &idriss),
        ("Darius", &idriss),
        ("Fathi", &nasser),
        ("Ahmed Kayali", &kayali),
        ("Ahmed", &kayali),
        ("Khaled", &chaouki),
        ("Nasrallah", &nasser),
        ("Abdelkader Chaouki", &chaouki),
    ] {
        let found = hits_of(&search(&v, q), "case");
        assert!(!found.contains(not), "{q:?} must not find {not}: {found:?}");
    }
    // The vault's other people are found by their own names only.
    assert_eq!(hits_of(&search(&v, "Walid Hamid"), "case"), only(&others[0]));
    assert_eq!(hits_of(&search(&v, "Yasser"), "case"), only(&others[1]));
}

#[test]
fn an_exact_name_outranks_a_spelling_variant_and_pages_are_stable() {
    let v = TestVault::new();
    let case = |name: &str| v.add("case", None, &json!({ "subject": { "names": [{ "name": name }] } }));
    let mohammed = case("Mohammed Idris");
    let muhammad = case("Muhammad Idriss");
    let mohamed = case("Mohamed Idriss");

    for (query, exact) in [("Muhammad Idriss", &muhammad), ("Mohamed", &mohamed), ("Mohammed Idris", &mohammed)] {
        let r = search(&v, query);
        let hits = r["hits"].as_array().unwrap();
        assert_eq!(r["total"], 3, "{query}: every spelling is found");
        assert_eq!(hits[0]["record_id"], exact.as_str(), "{query}: the exact name comes first: {r}");
        assert_eq!(hits[0]["name_variant"], false);
        assert_eq!(highlighted(&hits[0]).join(" ").to_lowercase(), query.to_lowercase(), "{query}");
        for h in &hits[1..] {
            assert_eq!(h["name_variant"], true, "{query}: {h}");
        }
    }

    // Paging: seven French testimonies with the accented word.
    let c = case("Aïcha Benyoussef");
    let mut ids = BTreeSet::new();
    for (i, place) in ["Lyon", "Marseille", "Tunis", "Genève", "Bruxelles", "Montréal", "Dakar"].iter().enumerate() {
        let text = format!("Témoignage n° {} recueilli à {place} : la police est venue chez sa mère à l'aube.", i + 1);
        ids.insert(v.add("testimony", Some(&c), &json!({ "text": text, "language": "fr" })));
    }
    let page = |offset: &str| -> Value { v.json(&["search", "temoignage", "--limit", "3", "--offset", offset]) };
    let mut seen = Vec::new();
    for (offset, n) in [("0", 3), ("3", 3), ("6", 1), ("7", 0)] {
        let p = page(offset);
        assert_eq!(p["total"], 7, "offset {offset}: the total counts every match");
        assert_eq!(p["hits"].as_array().unwrap().len(), n, "offset {offset}");
        seen.extend(hits_of(&p, "testimony"));
    }
    assert_eq!(seen.len(), 7, "no testimony on two pages");
    assert_eq!(seen.iter().cloned().collect::<BTreeSet<_>>(), ids, "every testimony on some page");
    let all = hits_of(&search(&v, "temoignage"), "testimony");
    assert_eq!(all, seen, "pages are slices of one order");
}

#[test]
fn accents_phrases_and_prefixes() {
    let v = TestVault::new();
    let c = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Aïcha Benyoussef" }] } }));
    let t = |text: &str, lang: &str| v.add("testimony", Some(&c), &json!({ "text": text, "language": lang }));
    let escort = t("Témoignage : la police l'a conduit sous escorte jusqu'à l'aéroport de Tunis-Carthage.", "fr");
    let rain = t("L'escorte est arrivée sous la pluie ; il avait été extradé la veille.", "fr");
    let notice = t("The extradition request cites a red notice issued in 2022.", "en");
    let arabic = t("قال إنّ الشرطة صادرت جوازَ سفره في المطار.", "ar");

    // French accents, either way round, and case.
    for q in ["temoignage", "TÉMOIGNAGE", "Temoignage", "témoignage"] {
        let r = search(&v, q);
        assert_eq!(hits_of(&r, "testimony"), only(&escort), "{q}");
        assert_eq!(highlighted(&r["hits"][0]), ["Témoignage"], "{q}: the original spelling is highlighted");
    }
    assert_eq!(hits_of(&search(&v, "aeroport"), "testimony"), only(&escort));
    assert_eq!(hits_of(&search(&v, "extrade"), "testimony"), only(&rain));

    // Phrases: the words in that order, next to each other.
    assert_eq!(hits_of(&search(&v, "\"sous escorte\""), "testimony"), only(&escort));
    let mut both = hits_of(&search(&v, "sous escorte"), "testimony");
    both.sort();
    let mut expected = vec![escort.clone(), rain.clone()];
    expected.sort();
    assert_eq!(both, expected, "without quotes, the words anywhere");
    assert!(hits_of(&search(&v, "\"escorte sous\""), "testimony").is_empty());
    let r = search(&v, "\"red notice\"");
    assert_eq!(hits_of(&r, "testimony"), only(&notice));
    assert_eq!(highlighted(&r["hits"][0]), ["red notice"]);

    // Prefixes.
    let mut extrad = hits_of(&search(&v, "extrad*"), "testimony");
    extrad.sort();
    let mut expected = vec![rain.clone(), notice.clone()];
    expected.sort();
    assert_eq!(extrad, expected, "extrad* finds extradé and extradition");
    assert!(hits_of(&search(&v, "extrad"), "testimony").is_empty(), "without *, a whole word only");
    let r = search(&v, "صادر*");
    assert_eq!(hits_of(&r, "testimony"), only(&arabic));
    assert_eq!(highlighted(&r["hits"][0]), ["صادر"], "{r}");
    assert_eq!(hits_of(&search(&v, "جواز"), "testimony"), only(&arabic));
}

#[test]
fn fts_syntax_typed_as_a_query_never_errors() {
    let v = TestVault::new();
    let c = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Youssef Idriss" }] } }));
    v.add(
        "testimony",
        Some(&c),
        &json!({ "text": "NEAR the border: \"they said\" the file* was closed (case AND appeal).", "language": "en" }),
    );
    for q in [
        "NEAR(",
        "NEAR(a b)",
        "NEAR(\"a\" \"b\", 3)",
        "\"",
        "\"\"",
        "\"unbalanced",
        "*",
        "**",
        "a*b",
        ":",
        "names:x",
        "body:closed",
        "{names body}: x",
        "{names",
        "a AND",
        "AND",
        "OR",
        "NOT",
        "NOT closed",
        "(",
        ")",
        "(case",
        "^border",
        "-x",
        "+",
        "a:b:c",
        "col:\"x",
        "'",
        "\\",
        ";",
        "'; DROP TABLE records; --",
        "record_id:1",
        "name_keys:mhmd",
        " ",
        "ـــ",
        "\u{064E}\u{0651}",
    ] {
        // After `--`, as a script passes what a person typed (even "-x").
        let out = v.run(&["search", "--json", "--", q]);
        assert_success(&out);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        assert!(r["total"].is_u64(), "{q:?}: {r}");
    }
    // Syntax characters are text: the words around them are still found.
    assert_eq!(search(&v, "NEAR(border")["total"], 1);
    assert_eq!(search(&v, "\"they said\"")["total"], 1);
    assert_eq!(search(&v, "case AND appeal")["total"], 1);
    assert_eq!(search(&v, "closed)")["total"], 1);
    // The vault is intact after all of it.
    let (ok, report) = v.check();
    assert!(ok, "{report}");
}

#[test]
fn a_sources_identity_is_never_found() {
    let v = TestVault::new();
    let c = v.add("case", None, &json!({ "subject": { "names": [{ "name": "Abdallah Chaouki" }] } }));
    let source = v.add(
        "source",
        Some(&c),
        &json!({
            "pseudonym": "Witness B-7",
            "relation": "relative",
            "identity": {
                "full_name": "Leila Benhaddou-Sarraf",
                "contact": "leila.sarraf@example.org, +212 600 000 000",
                "notes": "Vit à Fès, quartier Batha ; ليلى بنحدو"
            }
        }),
    );
    v.add(
        "testimony",
        Some(&c),
        &json!({ "text": "Elle a reçu un appel anonyme la menaçant.", "language": "fr", "source_id": source }),
    );
    let never = [
        "Leila",
        "Benhaddou",
        "Sarraf",
        "Benhaddou-Sarraf",
        "\"Leila Benhaddou\"",
        "Benhad*",
        "Sarr*",
        "Laila",
        "Layla Sarraf",
        "ليلى",
        "بنحدو",
        "leila.sarraf",
        "example.org",
        "600",
        "Batha",
        "Fès",
        "fes",
    ];
    let check = |v: &TestVault| {
        for q in never {
            let out = v.run(&["search", q, "--json"]);
            assert_success(&out);
            let r: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(r["total"], 0, "{q:?} found something: {r}");
        }
        // The source itself is indexed under its pseudonym, and what is shown
        // of it never includes the identity.
        let out = v.run(&["search", "Witness", "--json"]);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(hits_of(&r, "source"), only(&source));
        let shown = String::from_utf8_lossy(&out.stdout);
        for secret in ["Leila", "Benhaddou", "Sarraf", "Batha", "ليلى"] {
            assert!(!shown.contains(secret), "{secret} shown in {shown}");
        }
        let human = v.run(&["search", "appel anonyme"]);
        assert!(!String::from_utf8_lossy(&human.stdout).contains("Sarraf"));
    };
    check(&v);
    // Still after the identity is edited.
    v.json_in(
        &["source", "edit", &source],
        &json!({ "pseudonym": "Witness B-8", "identity": { "full_name": "Leila Sarraf", "notes": "A déménagé à Fès." } }),
    );
    let out = v.run(&["search", "Witness", "--json"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["hits"][0]["label"], "Source \"Witness B-8\"");
    check(&v);
}

/// The app's search (`api::search`) shares the ranking between two
/// connections of the vault when a query matches thousands of records
/// (`search_split` shares it from the first match on): it must give exactly
/// what one connection gives
/// (same totals, same order, same pages), and see what was written after its
/// second connection opened.
#[test]
fn two_connections_rank_exactly_as_one() {
    use amana::dossier::{store, Kind, Record};
    use amana::{api, search, KdfParams, Vault};

    let tmp = tempfile::tempdir().unwrap();
    let params = KdfParams { memory_kib: 64 * 1024, iterations: 1, parallelism: 1 };
    let mut v = Vault::create(&tmp.path().join("v"), &secrecy::SecretString::from(PASS), params).unwrap().0;
    let words =
        ["arrestation", "famille", "في", "police", "interrogatoire", "interrogé", "garde", "vue", "مطار", "الشرطة"];
    let tx = v.conn_mut().transaction().unwrap();
    let mut case = None;
    for i in 0..400usize {
        if i % 40 == 0 {
            let c = json!({ "subject": { "names": [{ "name": format!("Témoin Fictif {i}") }] } });
            case = Some(store::add(&tx, None, None, Record::from_json(Kind::Case, c).unwrap(), None).unwrap().id);
        }
        // Different words, counts and lengths, so that scores differ; some
        // texts repeat exactly, so that ties are broken by rowid.
        let text: Vec<&str> = (0..(i % 13) + 3).map(|j| words[(i * 7 + j * j) % words.len()]).collect();
        let mut text = text.join(" ");
        if i % 5 == 0 {
            text.push_str(" en garde à vue");
        }
        let t = json!({ "text": text, "language": "fr" });
        store::add(&tx, case, None, Record::from_json(Kind::Testimony, t).unwrap(), None).unwrap();
    }
    tx.commit().unwrap();
    assert!(v.with_reader(|r| r.is_some()), "the vault's second connection opens");

    let ids = |r: &search::Results| r.hits.iter().map(|h| h.record_id).collect::<Vec<_>>();
    let mut checked = 0;
    for q in ["famille", "في", "police arrestation", "\"garde à vue\"", "interrog*", "مطار الشرطة", "Fictif"]
    {
        for (limit, offset) in [(50, 0), (10, 35), (200, 0), (7, 390)] {
            let one = search::search(v.conn(), q, limit, offset).unwrap();
            let two = v.with_reader(|r| search::search_split(v.conn(), r.unwrap(), q, limit, offset)).unwrap();
            let app = api::search(&v, api::SearchRequest { query: q.into(), limit, offset }).unwrap();
            assert_eq!(ids(&app), ids(&one), "{q} limit {limit} offset {offset}, as the app searches");
            assert_eq!(two.total, one.total, "{q} total");
            assert_eq!(ids(&two), ids(&one), "{q} limit {limit} offset {offset}");
            checked += two.hits.len();
        }
        assert!(search::search(v.conn(), q, 1, 0).unwrap().total >= 10, "{q} matches across the index");
    }
    assert!(checked > 500);

    // Written after the second connection opened: found at once.
    let c = case.unwrap();
    let t = json!({ "text": "un mot nouveau: zanzibarite", "language": "fr" });
    let tx = v.conn_mut().transaction().unwrap();
    let new = store::add(&tx, Some(c), None, Record::from_json(Kind::Testimony, t).unwrap(), None).unwrap().id;
    tx.commit().unwrap();
    let found = v.with_reader(|r| search::search_split(v.conn(), r.unwrap(), "zanzibarite", 10, 0)).unwrap();
    assert_eq!(ids(&found), vec![new]);
}
