//! `AMANA_BENCH_PROBE=DIR:N`: a profiling harness for search (not part of
//! `make bench`). Builds once, in DIR, a vault and a plain SQLite file of N
//! testimonies with the bench's generator (kept between runs), then times
//! interleaved variants of the same queries in one process, so that A/B
//! comparisons share the machine's load. `AMANA_BENCH_PROBE_LOOP=kind:secs`
//! instead runs one query kind through `search::search` for `secs` seconds
//! (to attach `perf record -p`). `AMANA_BENCH_PROBE_OPTIMIZE=1` first merges the
//! vault's search index into one segment (FTS5 `optimize`; measured: no change
//! at 100,000 testimonies, docs/bench/fixes.md, 8).
//! `AMANA_BENCH_PROBE_VARIANTS=a,b` times only the variants whose names
//! contain one of these.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use amana::dossier::store;
use amana::dossier::{Kind, Record};
use amana::{search, Passphrase, Vault};
use rusqlite::Connection;
use uuid::Uuid;

use super::gen::{self, Rng};
use super::{load, pct, plain_insert, plain_open, plain_search, Res, BATCH, PASS, PER_CASE, SEED};

fn build(dir: &Path, n: usize) -> Res<()> {
    let vault_dir = dir.join("vault");
    if vault_dir.join("done").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)?;
    let arabic = super::arabic_corpus()?;
    let (mut vault, _) = Vault::create(&vault_dir, &Passphrase::from(PASS), super::KDF)?;
    let mut plain = plain_open(&dir.join("plain.db"))?;
    let mut rng = Rng::new(SEED);
    let mut case: Option<(Uuid, gen::Person)> = None;
    let mut written = 0usize;
    let started = Instant::now();
    while written < n {
        let mut batch: Vec<(Option<Uuid>, Uuid, Record)> = Vec::new();
        for _ in 0..BATCH.min(n - written) {
            if written % PER_CASE == 0 || case.is_none() {
                let (person, v) = gen::case(&mut rng);
                let id = rng.uuid();
                batch.push((None, id, Record::from_json(Kind::Case, v)?));
                case = Some((id, person));
            }
            let (case_id, person) = case.expect("a case was just made");
            let v = gen::testimony(&mut rng, &arabic, person);
            batch.push((Some(case_id), rng.uuid(), Record::from_json(Kind::Testimony, v)?));
            written += 1;
        }
        let tx = vault.conn_mut().transaction()?;
        for (case_id, id, record) in batch.clone() {
            store::add(&tx, case_id, Some(id), record, None)?;
        }
        tx.commit()?;
        plain_insert(&mut plain, &batch)?;
        if written % 10_000 == 0 {
            eprintln!("  {written} testimonies ({:.0} s, load {:.1})", started.elapsed().as_secs_f64(), load());
        }
    }
    vault.lock();
    plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    std::fs::write(vault_dir.join("done"), b"")?;
    Ok(())
}

type Variant<'a> = (&'a str, Box<dyn Fn(&str) -> Res<u64> + 'a>);

/// Amana's ranked query over every match, returning only ids.
fn ranked(conn: &Connection, fts: &str, col: &str) -> Res<u64> {
    let sql = format!(
        "SELECT {col} FROM search_index WHERE search_index MATCH ?1
         ORDER BY bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) LIMIT 50"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let n = stmt.query_map([fts], |r| r.get::<_, rusqlite::types::Value>(0))?.count();
    Ok(n as u64)
}

pub fn run(spec: &str) -> Res<()> {
    let (dir, n) = spec.rsplit_once(':').ok_or("AMANA_BENCH_PROBE=DIR:N")?;
    let (dir, n) = (Path::new(dir), n.parse::<usize>()?);
    build(dir, n)?;
    let pass = Passphrase::from(PASS);
    let vault = Vault::unlock(&dir.join("vault"), &pass)?;
    if std::env::var_os("AMANA_BENCH_PROBE_OPTIMIZE").is_some() {
        let started = Instant::now();
        vault.conn().execute("INSERT INTO search_index(search_index) VALUES ('optimize')", [])?;
        println!("optimize: {:.2} s", started.elapsed().as_secs_f64());
    }
    // Connections with a given page cache (KiB), set after unlock.
    let sized = |kib: i64| -> Res<Vault> {
        let v = Vault::unlock(&dir.join("vault"), &pass)?;
        v.conn().execute_batch(&format!("PRAGMA cache_size = -{kib};"))?;
        Ok(v)
    };
    let (c2, c16, c32, c64) = (sized(2000)?, sized(16384)?, sized(32768)?, sized(65536)?);
    let plain = plain_open(&dir.join("plain.db"))?;
    let plain64 = plain_open(&dir.join("plain.db"))?;
    plain64.execute_batch("PRAGMA cache_size = -65536;")?;
    let queries = gen::queries();
    if let Ok(spec) = std::env::var("AMANA_BENCH_PROBE_LOOP") {
        let (kind, secs) = spec.split_once(':').ok_or("kind:secs")?;
        let qs = &queries.iter().find(|(k, _)| *k == kind).ok_or("no such kind")?.1;
        let started = Instant::now();
        while started.elapsed().as_secs_f64() < secs.parse::<f64>()? {
            for q in qs {
                std::hint::black_box(search::search(vault.conn(), q, 50, 0)?);
            }
        }
        return Ok(());
    }
    let only: Option<Vec<String>> =
        std::env::var("AMANA_BENCH_PROBE_KINDS").ok().map(|s| s.split(',').map(str::to_string).collect());
    let fts = |q: &str| search::Query::parse(q).match_expression();
    let count = |c: &Connection, q: &str| -> Res<u64> {
        Ok(c.query_row("SELECT count(*) FROM search_index WHERE search_index MATCH ?1", [fts(q)], |r| {
            r.get::<_, i64>(0)
        })? as u64)
    };
    // The query shape search::search had before fix 4: count(*), then the
    // ranked ids (record_id read for every match).
    let two_queries = |c: &Connection, q: &str| -> Res<u64> { Ok(count(c, q)? + ranked(c, &fts(q), "record_id")?) };
    // The query shape of fix 4: one pass, scores and rowids, best 50 kept.
    let one_pass = |c: &Connection, q: &str| -> Res<u64> {
        let mut stmt = c.prepare_cached(
            "SELECT rowid, bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) FROM search_index WHERE search_index MATCH ?1",
        )?;
        let mut rows = stmt.query([fts(q)])?;
        let mut best: Vec<(f64, i64)> = Vec::new();
        let mut total = 0u64;
        while let Some(r) = rows.next()? {
            total += 1;
            best.push((r.get(1)?, r.get(0)?));
            if best.len() > 200 {
                best.sort_by(|a, b| a.0.total_cmp(&b.0));
                best.truncate(50);
            }
        }
        best.sort_by(|a, b| a.0.total_cmp(&b.0));
        best.truncate(50);
        let mut id = c.prepare_cached("SELECT record_id FROM search_index WHERE rowid = ?1")?;
        for (_, rowid) in best {
            std::hint::black_box(id.query_row([rowid], |r| r.get::<_, String>(0))?);
        }
        Ok(total)
    };
    let variants: Vec<Variant> = vec![
        ("new 1 pass, 2 MiB", Box::new(|q| one_pass(c2.conn(), q))),
        ("new 1 pass, 32 MiB", Box::new(|q| one_pass(c32.conn(), q))),
        ("search, 2 MiB cache", Box::new(|q| Ok(search::search(c2.conn(), q, 50, 0)?.total))),
        ("search, 16 MiB cache", Box::new(|q| Ok(search::search(c16.conn(), q, 50, 0)?.total))),
        ("search, 32 MiB cache", Box::new(|q| Ok(search::search(c32.conn(), q, 50, 0)?.total))),
        ("search, 64 MiB cache", Box::new(|q| Ok(search::search(c64.conn(), q, 50, 0)?.total))),
        ("amana default conn search", Box::new(|q| Ok(search::search(vault.conn(), q, 50, 0)?.total))),
        (
            "search, two connections",
            Box::new(|q| Ok(vault.with_reader(|r| search::search_with(vault.conn(), r, q, 50, 0))?.total)),
        ),
        (
            "search, always two",
            Box::new(|q| {
                Ok(vault.with_reader(|r| search::search_split(vault.conn(), r.expect("reader"), q, 50, 0))?.total)
            }),
        ),
        ("old 2 queries, 2 MiB", Box::new(|q| two_queries(c2.conn(), q))),
        ("old 2 queries, 32 MiB", Box::new(|q| two_queries(c32.conn(), q))),
        ("count only, 32 MiB", Box::new(|q| count(c32.conn(), q))),
        ("plain search", Box::new(|q| plain_search(&plain, q))),
        ("plain search 64 MiB", Box::new(|q| plain_search(&plain64, q))),
        ("plain 2 queries", Box::new(|q| two_queries(&plain, q))),
    ];
    // `AMANA_BENCH_PROBE_VARIANTS=a,b`: only the variants whose names
    // contain one of these.
    let variants: Vec<Variant> = match std::env::var("AMANA_BENCH_PROBE_VARIANTS") {
        Ok(keep) => variants.into_iter().filter(|(name, _)| keep.split(',').any(|k| name.contains(k))).collect(),
        Err(_) => variants,
    };
    let rounds: usize = std::env::var("AMANA_BENCH_PROBE_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    println!("probe: {n} testimonies, {rounds} rounds, load {:.2}", load());
    for (kind, qs) in &queries {
        if only.as_ref().is_some_and(|o| !o.iter().any(|k| k == kind)) {
            continue;
        }
        let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for round in 0..rounds + 1 {
            for q in qs {
                for (name, f) in &variants {
                    let started = Instant::now();
                    std::hint::black_box(f(q)?);
                    if round > 0 {
                        times.entry(name).or_default().push(started.elapsed().as_secs_f64() * 1e3);
                    }
                }
            }
        }
        println!("{kind} (load {:.2})", load());
        for (name, _) in &variants {
            let t = times.get_mut(name).expect("timed");
            t.sort_by(f64::total_cmp);
            println!("  {name:<26} p50 {:>7.2}  p95 {:>7.2} ms", pct(t, 0.5), pct(t, 0.95));
        }
    }
    Ok(())
}
