//! `make bench`: Amana measured side by side with the tools a user would pick
//! instead (issue 8).
//!
//! - Export / verify / import of a bundle against `tar -c | age -r` and
//!   `age -d | tar -x` (Go age from Debian), with peak memory of each.
//! - Evidence ingest and read-back against `age` on the same file, with
//!   `openssl speed -evp chacha20-poly1305` (and `sha256`) as ceilings.
//! - Search over a synthetic vault of testimonies (Arabic, French, English)
//!   against plain SQLite FTS5 without encryption on the same corpus, same
//!   folding, same MATCH expressions.
//! - Bulk writes against plain SQLite; unlock against Argon2id alone.
//! - How each figure grows with records and with evidence size.
//!
//! `AMANA_BENCH=quick` (default, a few minutes) or `AMANA_BENCH=full`.
//! `AMANA_BENCH_ONLY=records,ingest,export` runs some sections only (for
//! development; BENCHMARKS.md is then written to the work folder, not the repo).
//! `AMANA_BENCH_DIR` chooses the work folder (default: the system temp dir).
//! Prints a table and writes BENCHMARKS.md and docs/bench/*.svg. No timed
//! assertions: a missed goal is reported, not a failure.

#[path = "bench_support/gen.rs"]
mod gen;
#[path = "bench_support/plot.rs"]
mod plot;
#[path = "bench_support/probe.rs"]
mod probe;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amana::crypto::kdf::{self, KdfParams, MIN_MEMORY_KIB};
use amana::dossier::store;
use amana::dossier::{Acquisition, Kind, Record};
use amana::{evidence, search, text, Passphrase, Vault};
use rusqlite::{params, Connection};
use uuid::Uuid;

use gen::Rng;

const PASS: &str = "benchmark passphrase (not a secret)";
const SEED: u64 = 0x00A3_A4A0_2026_0008;
const MIB: u64 = 1 << 20;
/// The cheapest KDF Amana accepts: 64 MiB, one pass, one lane.
const KDF: KdfParams = KdfParams { memory_kib: MIN_MEMORY_KIB, iterations: 1, parallelism: 1 };
/// Records per transaction in bulk writes (both sides).
const BATCH: usize = 1000;
/// Testimonies per case.
const PER_CASE: usize = 10;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

// ---------------------------------------------------------------------------
// Mode and context

struct Mode {
    name: &'static str,
    /// Testimony counts at which the growing vault is measured.
    record_steps: Vec<usize>,
    /// Search rounds per query at each step.
    search_rounds: usize,
    /// Unlock / KDF pairs at each step.
    unlock_pairs: usize,
    /// Evidence bytes (besides the 1,000 small files) of the exported bundles.
    export_sizes: Vec<u64>,
    /// Repetitions of each export size (the median is reported).
    export_reps: usize,
    /// Sizes of the single file ingested and read back.
    ingest_sizes: Vec<u64>,
}

impl Mode {
    fn from_env() -> Mode {
        let mut mode = Mode::named();
        // Development overrides (the report says which steps were run).
        if let Ok(steps) = std::env::var("AMANA_BENCH_STEPS") {
            mode.record_steps = steps.split(',').filter_map(|s| s.trim().parse().ok()).collect();
        }
        mode
    }

    fn named() -> Mode {
        match std::env::var("AMANA_BENCH").as_deref() {
            Ok("full") => Mode {
                name: "full",
                record_steps: vec![1_000, 10_000, 100_000, 1_000_000],
                search_rounds: 20,
                unlock_pairs: 15,
                export_sizes: vec![32 * MIB, 256 * MIB, 1024 * MIB, 4096 * MIB],
                export_reps: 1,
                ingest_sizes: vec![MIB, 16 * MIB, 256 * MIB, 1024 * MIB, 4096 * MIB],
            },
            _ => Mode {
                name: "quick",
                record_steps: vec![1_000, 10_000, 100_000],
                search_rounds: 20,
                unlock_pairs: 11,
                export_sizes: vec![32 * MIB, 256 * MIB],
                export_reps: 3,
                ingest_sizes: vec![MIB, 16 * MIB, 64 * MIB],
            },
        }
    }
    /// The bundle size the export goal is judged at.
    fn goal_bundle(&self) -> u64 {
        *self.export_sizes.iter().filter(|s| **s <= 1024 * MIB).max().unwrap_or(&self.export_sizes[0])
    }
    /// The record count the search and unlock goals are judged at.
    fn goal_records(&self) -> usize {
        *self.record_steps.iter().filter(|s| **s <= 100_000).max().unwrap_or(&self.record_steps[0])
    }
}

struct Ctx {
    mode: Mode,
    work: PathBuf,
    repo: PathBuf,
    amana: PathBuf,
    age_key: PathBuf,
    age_recipient: String,
    figures: Vec<Figure>,
    notes: Vec<String>,
    scaling: Scaling,
    only: Option<Vec<String>>,
    started: Instant,
    start_load: f64,
    /// (testimonies, load, column labels, table rows) of the SQLCipher what-if.
    what_if: Option<(usize, f64, Vec<String>, Vec<String>)>,
    /// openssl ChaCha20-Poly1305, openssl SHA-256, ring SHA-256 as Amana uses it (MiB/s).
    ceilings: Option<(Option<f64>, Option<f64>, f64)>,
}

impl Ctx {
    fn wants(&self, section: &str) -> bool {
        self.only.as_ref().is_none_or(|o| o.iter().any(|s| s == section))
    }
    fn note(&mut self, s: impl Into<String>) {
        let s = s.into();
        println!("  note: {s}");
        self.notes.push(s);
    }
}

/// One line of the summary table.
struct Figure {
    area: &'static str,
    what: String,
    amana: String,
    baseline: String,
    /// Amana relative to the baseline, phrased so that > 1 means Amana is faster / smaller.
    ratio: Option<f64>,
    goal: String,
    met: Option<bool>,
    load: f64,
}

#[derive(Default)]
struct Scaling {
    /// Per testimony count.
    records: Vec<RecordStep>,
    /// Per single-file size.
    ingest: Vec<IngestStep>,
    /// Per bundle size.
    export: Vec<ExportStep>,
}

struct RecordStep {
    testimonies: usize,
    records: usize,
    amana_rate: f64,
    plain_rate: f64,
    amana_db_mib: f64,
    plain_db_mib: f64,
    /// kind -> (amana p50, p95, p99, plain p50, p95, p99) in ms, and hit counts.
    search: BTreeMap<String, SearchStat>,
    unlock_ms: f64,
    kdf_ms: f64,
    non_kdf_ms: f64,
    load: f64,
}

#[derive(Clone, Default)]
struct SearchStat {
    /// `api::search`'s path: the ranking shared with the vault's second
    /// connection when a query has thousands of matches.
    amana: [f64; 3],
    /// `search::search` on the vault's main connection alone (one thread).
    one_thread: [f64; 3],
    plain: [f64; 3],
    samples: usize,
    hits: Vec<u64>,
}

struct IngestStep {
    bytes: u64,
    attach: f64,
    age_enc: f64,
    extract: f64,
    age_dec: f64,
    load: f64,
}

struct ExportStep {
    bytes: u64,
    files: usize,
    export: Run,
    tar_age: Run,
    /// The same work as Amana's export with standard tools: `age -d` each
    /// vault-like encrypted file, `sha256sum -c`, then `tar | age -r`.
    same_work: Run,
    verify: Run,
    age_tar_t: Run,
    import: Run,
    age_tar_x: Run,
    load: f64,
}

/// A timed run of a process (or pipeline).
#[derive(Clone, Copy, Default)]
struct Run {
    secs: f64,
    /// Peak RSS of the whole process (sum over a pipeline's processes), KiB.
    rss_kib: Option<u64>,
    /// Peak RSS after the vault was unlocked (Argon2id's memory released), KiB.
    phase_kib: Option<u64>,
    /// CPU time, user + system, seconds (sum over a pipeline's processes).
    cpu: Option<f64>,
}

// ---------------------------------------------------------------------------
// Small helpers

fn load() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / MIB as f64
}

fn size_label(bytes: u64) -> String {
    if bytes >= 1024 * MIB {
        format!("{} GiB", bytes / (1024 * MIB))
    } else if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

fn count_label(n: usize) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{}M", n / 1_000_000)
    } else if n >= 1000 && n % 1000 == 0 {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

fn sh(cmd: &str) -> String {
    Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let m = e.metadata();
                    match m {
                        Ok(m) if m.is_dir() => dir_size(&e.path()),
                        Ok(m) => m.len(),
                        Err(_) => 0,
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn write_random_file(path: &Path, size: u64, rng: &mut Rng) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill(&mut buf[..n]);
        f.write_all(&buf[..n])?;
        left -= n as u64;
    }
    f.flush()
}

fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with(field))?.split_whitespace().nth(1)?.parse().ok()
}

fn child_of(pid: u32) -> Option<u32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?.split_whitespace().next()?.parse().ok()
}

fn has_fd_under(pid: u32, prefix: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return false };
    rd.flatten().any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.starts_with(prefix)))
}

/// Runs `program args` under `/usr/bin/time -f %M` and measures its wall time
/// and peak RSS. If `phase_from` is given, the peak RSS is also measured from
/// the moment the process opens a file under that path (which the CLI does
/// only after the vault is unlocked): `/proc/PID/clear_refs` resets the
/// high-water mark then, so Argon2id's 64 MiB is not counted in that figure.
fn run_measured(
    work: &Path,
    program: &Path,
    args: &[OsString],
    env: &[(&str, &str)],
    phase_from: Option<&Path>,
) -> Res<(Run, String)> {
    let time_out = work.join("time.out");
    let stdout_path = work.join("stdout.out");
    let stderr_path = work.join("stderr.out");
    let _ = std::fs::remove_file(&time_out);
    let mut cmd = Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%M %U %S").arg("-o").arg(&time_out).arg(program).args(args);
    cmd.env_remove("AMANA_VAULT").env_remove("AMANA_PASSPHRASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).stdout(std::fs::File::create(&stdout_path)?).stderr(std::fs::File::create(&stderr_path)?);
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let time_pid = child.id();
    let mut inner = None;
    let mut reset = false;
    let mut phase = None;
    let mut before = None;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if inner.is_none() {
            inner = child_of(time_pid);
        }
        if let (Some(pid), Some(prefix)) = (inner, phase_from) {
            if !reset && has_fd_under(pid, prefix) {
                // The peak so far (unlocking) still counts for the whole
                // process: the reset also lowers what wait4 reports.
                before = status_kib(pid, "VmHWM:");
                reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
            }
            if reset {
                phase = status_kib(pid, "VmHWM:").or(phase);
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let secs = started.elapsed().as_secs_f64();
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    if !status.success() {
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        return Err(format!("{} {:?} failed: {err}", program.display(), args).into());
    }
    let (rss, cpu) = parse_time(&time_out);
    let rss = match (rss, before) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok((Run { secs, rss_kib: rss, phase_kib: phase, cpu }, stdout))
}

/// Reads what `/usr/bin/time -f "%M %U %S"` wrote: peak RSS (KiB), CPU seconds.
fn parse_time(path: &Path) -> (Option<u64>, Option<f64>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let Some(line) = text.lines().last() else { return (None, None) };
    let f: Vec<&str> = line.split_whitespace().collect();
    let rss = f.first().and_then(|v| v.parse().ok());
    let cpu = match (f.get(1).and_then(|v| v.parse::<f64>().ok()), f.get(2).and_then(|v| v.parse::<f64>().ok())) {
        (Some(u), Some(s)) => Some(u + s),
        _ => None,
    };
    (rss, cpu)
}

/// Runs a shell pipeline whose stages write their peak RSS (via
/// `/usr/bin/time -o`) to the files `rss_files`; returns the wall time and the
/// sum of the stages' peaks (they run at the same time).
fn run_pipeline(script: &str, rss_files: &[PathBuf]) -> Res<Run> {
    for f in rss_files {
        let _ = std::fs::remove_file(f);
    }
    let started = Instant::now();
    let out = Command::new("bash").arg("-c").arg(format!("set -euo pipefail; {script}")).output()?;
    let secs = started.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!("`{script}` failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let (mut total, mut cpu) = (0, 0.0);
    for f in rss_files {
        let (rss, c) = parse_time(f);
        total += rss.ok_or("no RSS from /usr/bin/time")?;
        cpu += c.unwrap_or(0.0);
    }
    Ok(Run { secs, rss_kib: Some(total), phase_kib: None, cpu: Some(cpu) })
}

fn q(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn no_progress() -> impl FnMut(u64, u64) -> bool {
    |_, _| true
}

// ---------------------------------------------------------------------------
// Plain SQLite baseline

/// A plain SQLite database (no key) with Amana's schema and the same
/// durability settings (WAL, synchronous = FULL) and page cache.
fn plain_open(path: &Path) -> Res<Connection> {
    let conn = Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    assert_eq!(mode, "wal");
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    // The same page cache as Amana's connections (a setting any SQLite user
    // can choose; it spares plain SQLite only re-reads from the OS cache).
    conn.execute_batch(&format!("PRAGMA cache_size = -{};", amana::db::PAGE_CACHE_KIB))?;
    let v: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if v == 0 {
        conn.execute_batch(&amana::db::MIGRATIONS.join("\n"))?;
        conn.pragma_update(None, "user_version", amana::db::SCHEMA_VERSION)?;
    }
    Ok(conn)
}

/// What a plain-SQLite application would do to store the records: each row,
/// its first version, and its folded full-text entry (same folding and name
/// keys as Amana), with prepared statements.
fn plain_insert(conn: &mut Connection, batch: &[(Option<Uuid>, Uuid, Record)]) -> Res<()> {
    let tx = conn.transaction()?;
    {
        let mut rec = tx.prepare_cached(
            "INSERT INTO records(id, kind, case_id, version, created_at, updated_at, origin, data) VALUES (?1, ?2, ?3, 1, ?4, ?4, NULL, ?5)",
        )?;
        let mut ver = tx.prepare_cached(
            "INSERT INTO record_versions(id, version, saved_at, origin, data) VALUES (?1, 1, ?2, NULL, ?3)",
        )?;
        let mut idx = tx.prepare_cached(
            "INSERT INTO search_index(record_id, case_id, kind, names, name_keys, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for (case, id, record) in batch {
            let now = amana::dossier::date::now_rfc3339();
            let data = record.to_json().to_string();
            let case_id = case.unwrap_or(*id).to_string();
            let id = id.to_string();
            rec.execute(params![id, record.kind().as_str(), case_id, now, data])?;
            ver.execute(params![id, now, data])?;
            let (names, body) = record.search_text();
            let keys: std::collections::BTreeSet<String> = names.iter().flat_map(|n| text::name_keys(n)).collect();
            idx.execute(params![
                id,
                case_id,
                record.kind().as_str(),
                text::fold(&names.join("\n")),
                keys.into_iter().collect::<Vec<_>>().join(" "),
                text::fold(&body.join("\n")),
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// The same query on plain SQLite: same MATCH expression, same ranking, the
/// total count, the top 50 with FTS5's own snippet, and each hit's record and
/// case read and parsed (as an application would to show them).
fn plain_search(conn: &Connection, query: &str) -> Res<u64> {
    let q = search::Query::parse(query);
    if q.is_empty() {
        return Ok(0);
    }
    let fts = q.match_expression();
    let total: i64 = conn
        .prepare_cached("SELECT count(*) FROM search_index WHERE search_index MATCH ?1")?
        .query_row([&fts], |r| r.get(0))?;
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, case_id, snippet(search_index, -1, '[', ']', '…', 16) FROM search_index
         WHERE search_index MATCH ?1 ORDER BY bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) LIMIT 50",
    )?;
    let hits: Vec<(String, String, String)> =
        stmt.query_map([&fts], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
    let mut get = conn.prepare_cached("SELECT kind, data FROM records WHERE id = ?1")?;
    for (id, case_id, snippet) in hits {
        let (_, data): (String, String) = get.query_row([&id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let v: serde_json::Value = serde_json::from_str(&data)?;
        let (_, case): (String, String) = get.query_row([&case_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let c: serde_json::Value = serde_json::from_str(&case)?;
        std::hint::black_box((v, c, snippet));
    }
    Ok(total as u64)
}

// ---------------------------------------------------------------------------
// Section: records (bulk writes, search, unlock), on one growing vault

fn records_section(ctx: &mut Ctx) -> Res<()> {
    println!("\n== Records: bulk writes, search, unlock ({:?} testimonies) ==", ctx.mode.record_steps);
    let arabic = arabic_corpus()?;
    let vault_dir = ctx.work.join("records-vault");
    let plain_path = ctx.work.join("records-plain.db");
    let pass = Passphrase::from(PASS);
    let (vault, _recovery) = Vault::create(&vault_dir, &pass, KDF)?;
    let mut vault = Some(vault);
    let mut plain = plain_open(&plain_path)?;
    let mut rng = Rng::new(SEED);
    let mut case: Option<(Uuid, gen::Person)> = None;
    let mut testimonies = 0usize;
    let mut records = 0usize;
    let steps = ctx.mode.record_steps.clone();
    for step in steps {
        let (mut t_amana, mut t_plain, mut seg_records) = (Duration::ZERO, Duration::ZERO, 0usize);
        let seg_start = testimonies;
        while testimonies < step {
            let n = BATCH.min(step - testimonies);
            let mut batch: Vec<(Option<Uuid>, Uuid, Record)> = Vec::with_capacity(n + n / PER_CASE + 1);
            for _ in 0..n {
                if testimonies % PER_CASE == 0 || case.is_none() {
                    let (person, v) = gen::case(&mut rng);
                    let id = rng.uuid();
                    batch.push((None, id, Record::from_json(Kind::Case, v)?));
                    case = Some((id, person));
                }
                let (case_id, person) = case.expect("a case was just made");
                let v = gen::testimony(&mut rng, &arabic, person);
                batch.push((Some(case_id), rng.uuid(), Record::from_json(Kind::Testimony, v)?));
                testimonies += 1;
            }
            let owned: Vec<(Option<Uuid>, Uuid, Record)> = batch.clone();
            let v = vault.as_mut().expect("unlocked");
            let started = Instant::now();
            let tx = v.conn_mut().transaction()?;
            for (case_id, id, record) in owned {
                store::add(&tx, case_id, Some(id), record, None)?;
            }
            tx.commit()?;
            t_amana += started.elapsed();
            let started = Instant::now();
            plain_insert(&mut plain, &batch)?;
            t_plain += started.elapsed();
            seg_records += batch.len();
            if testimonies % 20_000 == 0 {
                print!("\r  {testimonies} testimonies written");
                let _ = std::io::stdout().flush();
            }
        }
        records += seg_records;
        let amana_rate = seg_records as f64 / t_amana.as_secs_f64();
        let plain_rate = seg_records as f64 / t_plain.as_secs_f64();
        println!(
            "\r  {} → {} testimonies ({seg_records} records): Amana {:.0} records/s, plain SQLite {:.0} records/s (load {:.2})",
            seg_start,
            step,
            amana_rate,
            plain_rate,
            load()
        );
        // Lock (checkpoints the WAL), then measure unlock against the KDF alone.
        vault.take().expect("unlocked").lock();
        plain.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let (unlock_ms, kdf_ms, non_kdf_ms) = measure_unlock(&vault_dir, ctx.mode.unlock_pairs)?;
        println!(
            "  unlock {unlock_ms:.1} ms = Argon2id {kdf_ms:.1} ms + {non_kdf_ms:.2} ms (median of paired differences)"
        );
        let v = Vault::unlock(&vault_dir, &pass)?;
        // The one-thread variant on a vault handle of its own: its own page
        // cache, so that neither variant runs on pages the other has just
        // decrypted (each query runs on both, one after the other).
        let solo = Vault::unlock(&vault_dir, &pass)?;
        let search = measure_search(ctx, &v, &solo, &plain, ctx.mode.search_rounds)?;
        drop(solo);
        vault = Some(v);
        let step_load = load();
        ctx.scaling.records.push(RecordStep {
            testimonies: step,
            records,
            amana_rate,
            plain_rate,
            amana_db_mib: mib(file_size(&vault_dir.join("vault.db")) + file_size(&vault_dir.join("vault.db-wal"))),
            plain_db_mib: mib(file_size(&plain_path) + file_size(&plain_path.with_extension("db-wal"))),
            search,
            unlock_ms,
            kdf_ms,
            non_kdf_ms,
            load: step_load,
        });
    }
    if let Some(v) = vault {
        v.lock();
    }
    drop(plain);
    records_figures(ctx);
    let _ = std::fs::remove_dir_all(&vault_dir);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", plain_path.display()));
    }
    Ok(())
}

/// Unlocks and derives the key alone, in interleaved pairs; returns the
/// medians of the unlock, of the KDF, and of the paired differences (ms).
fn measure_unlock(dir: &Path, pairs: usize) -> Res<(f64, f64, f64)> {
    let pass = Passphrase::from(PASS);
    let salt = [7u8; 16];
    let (mut u, mut k, mut d) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs + 1 {
        let started = Instant::now();
        let v = Vault::unlock(dir, &pass)?;
        let unlock = started.elapsed().as_secs_f64() * 1e3;
        drop(v);
        let started = Instant::now();
        std::hint::black_box(kdf::derive_key(&pass, &salt, &KDF)?);
        let kdf = started.elapsed().as_secs_f64() * 1e3;
        if i > 0 {
            u.push(unlock);
            k.push(kdf);
            d.push(unlock - kdf);
        }
    }
    Ok((median(&mut u), median(&mut k), median(&mut d)))
}

fn measure_search(
    ctx: &mut Ctx,
    vault: &Vault,
    solo: &Vault,
    plain: &Connection,
    rounds: usize,
) -> Res<BTreeMap<String, SearchStat>> {
    let queries = gen::queries();
    // kind -> (Amana samples, plain samples, hits per query, Amana on one thread)
    type Samples = (Vec<f64>, Vec<f64>, Vec<u64>, Vec<f64>);
    let mut samples: BTreeMap<String, Samples> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for round in 0..rounds + 1 {
        for (kind, qs) in &queries {
            for q in qs {
                // As the app searches (api::search): a second connection
                // when a query has thousands of matches.
                let started = Instant::now();
                let res = vault.with_reader(|reader| search::search_with(vault.conn(), reader, q, 50, 0))?;
                let a = started.elapsed().as_secs_f64() * 1e3;
                let started = Instant::now();
                let one = search::search(solo.conn(), q, 50, 0)?;
                let o = started.elapsed().as_secs_f64() * 1e3;
                let started = Instant::now();
                let total = plain_search(plain, q)?;
                let p = started.elapsed().as_secs_f64() * 1e3;
                std::hint::black_box(&res);
                if round == 0 {
                    // Warm-up round: not timed; all sides must agree.
                    if res.total != total {
                        mismatches.push(format!("{q:?}: Amana {} vs plain {total}", res.total));
                    }
                    let ids = |r: &search::Results| r.hits.iter().map(|h| h.record_id).collect::<Vec<_>>();
                    if ids(&res) != ids(&one) {
                        mismatches.push(format!("{q:?}: two threads ranked differently from one"));
                    }
                    samples.entry(kind.to_string()).or_default().2.push(res.total);
                    continue;
                }
                let e = samples.entry(kind.to_string()).or_default();
                e.0.push(a);
                e.1.push(p);
                e.3.push(o);
            }
        }
    }
    if !mismatches.is_empty() {
        ctx.note(format!("search totals differ between Amana and plain SQLite: {}", mismatches.join("; ")));
    }
    let mut out = BTreeMap::new();
    for (kind, (mut a, mut p, hits, mut o)) in samples {
        a.sort_by(f64::total_cmp);
        p.sort_by(f64::total_cmp);
        o.sort_by(f64::total_cmp);
        let st = SearchStat {
            amana: [pct(&a, 0.5), pct(&a, 0.95), pct(&a, 0.99)],
            one_thread: [pct(&o, 0.5), pct(&o, 0.95), pct(&o, 0.99)],
            plain: [pct(&p, 0.5), pct(&p, 0.95), pct(&p, 0.99)],
            samples: a.len(),
            hits,
        };
        println!(
            "  {kind:<13} Amana p50/p95/p99 {:>6.2} {:>6.2} {:>6.2} ms | one thread {:>6.2} {:>6.2} {:>6.2} ms | plain {:>6.2} {:>6.2} {:>6.2} ms | hits {:?}",
            st.amana[0], st.amana[1], st.amana[2], st.one_thread[0], st.one_thread[1], st.one_thread[2], st.plain[0], st.plain[1], st.plain[2], st.hits
        );
        out.insert(kind, st);
    }
    Ok(out)
}

fn records_figures(ctx: &mut Ctx) {
    let goal_n = ctx.mode.goal_records();
    let Some(step) = ctx.scaling.records.iter().find(|s| s.testimonies == goal_n) else { return };
    let mut figs = Vec::new();
    for (kind, st) in &step.search {
        let ratio = st.plain[1] / st.amana[1];
        figs.push(Figure {
            area: "search",
            what: format!("{kind}, top 50, p50 / p95 / p99, {} testimonies", count_label(goal_n)),
            amana: format!(
                "{:.2} / {:.2} / {:.2} ms (one thread: p95 {:.2})",
                st.amana[0], st.amana[1], st.amana[2], st.one_thread[1]
            ),
            baseline: format!("{:.2} / {:.2} / {:.2} ms", st.plain[0], st.plain[1], st.plain[2]),
            ratio: Some(ratio),
            goal: format!(
                "p95 < 20 ms ({}) and ≤ 1.3× plain ({})",
                if st.amana[1] < 20.0 { "yes" } else { "no" },
                if st.amana[1] <= 1.3 * st.plain[1] { "yes" } else { "no" }
            ),
            met: Some(st.amana[1] < 20.0 && st.amana[1] <= 1.3 * st.plain[1]),
            load: step.load,
        });
    }
    figs.push(Figure {
        area: "bulk write",
        what: format!("records/s, growing to {} testimonies ({} records)", count_label(goal_n), step.records),
        amana: format!("{:.0} /s", step.amana_rate),
        baseline: format!("{:.0} /s", step.plain_rate),
        ratio: Some(step.amana_rate / step.plain_rate),
        goal: "(compare)".into(),
        met: None,
        load: step.load,
    });
    figs.push(Figure {
        area: "unlock",
        what: format!("Vault::unlock at {} testimonies, KDF 64 MiB × 1 pass", count_label(goal_n)),
        amana: format!("{:.1} ms total, {:.2} ms besides the KDF", step.unlock_ms, step.non_kdf_ms),
        baseline: format!("{:.1} ms (Argon2id alone)", step.kdf_ms),
        ratio: Some(step.kdf_ms / step.unlock_ms),
        goal: "everything but the KDF < 5 ms".into(),
        met: Some(step.non_kdf_ms < 5.0),
        load: step.load,
    });
    ctx.figures.extend(figs);
}

// ---------------------------------------------------------------------------
// What-if: who wipes SQLite's memory (db::heap_wiping), and the page cache

/// One run of Amana's own write and search code on a SQLCipher database with
/// Amana's settings, with SQLite's freed memory wiped by Amana's allocator
/// hooks (`hooks`, as shipped), by SQLCipher's `cipher_memory_security`
/// (`sqlcipher`, before fix 7), or by nothing (`none`); `qpsg` or `plain`
/// query planning. The allocator and memory security are global to a
/// process, so each run is a child process.
fn what_if_child(spec: &str) -> Res<()> {
    let mut parts = spec.splitn(5, ':');
    let (n, heap, qpsg, cache, path) = match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(n), Some(h), Some(q), Some(c), Some(p)) => {
            (n.parse::<usize>()?, h.to_string(), q == "qpsg", c.parse::<i64>()?, PathBuf::from(p))
        }
        _ => return Err("AMANA_BENCH_CHILD=N:hooks|sqlcipher|none:qpsg|plain:CACHE_KIB:PATH".into()),
    };
    if heap == "hooks" && amana::db::heap_wiping() != amana::db::Wiping::Hooks {
        return Err("the allocator hooks could not be installed".into());
    }
    let mut conn = Connection::open(&path)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch("PRAGMA key = \"x'2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe'\";")?;
    conn.execute_batch(if heap == "sqlcipher" {
        "PRAGMA cipher_memory_security = ON;"
    } else {
        "PRAGMA cipher_memory_security = OFF;"
    })?;
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, qpsg)?;
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;",
    )?;
    if cache != 0 {
        conn.execute_batch(&format!("PRAGMA cache_size = -{cache};"))?;
    }
    conn.execute_batch(&amana::db::MIGRATIONS.join("\n"))?;
    let arabic = arabic_corpus()?;
    let mut rng = Rng::new(SEED);
    let mut case: Option<(Uuid, gen::Person)> = None;
    let (mut written, mut records, mut spent) = (0usize, 0usize, Duration::ZERO);
    while written < n {
        let mut batch = Vec::new();
        for _ in 0..BATCH.min(n - written) {
            if written % PER_CASE == 0 || case.is_none() {
                let (person, v) = gen::case(&mut rng);
                let id = rng.uuid();
                batch.push((None, id, Record::from_json(Kind::Case, v)?));
                case = Some((id, person));
            }
            let (case_id, person) = case.expect("a case was just made");
            batch.push((
                Some(case_id),
                rng.uuid(),
                Record::from_json(Kind::Testimony, gen::testimony(&mut rng, &arabic, person))?,
            ));
            written += 1;
        }
        records += batch.len();
        let started = Instant::now();
        let tx = conn.transaction()?;
        for (case_id, id, record) in batch {
            store::add(&tx, case_id, Some(id), record, None)?;
        }
        tx.commit()?;
        spent += started.elapsed();
    }
    let mut out = serde_json::json!({ "rate": records as f64 / spent.as_secs_f64() });
    for (kind, qs) in gen::queries() {
        let mut t = Vec::new();
        for round in 0..11 {
            for q in &qs {
                let started = Instant::now();
                std::hint::black_box(search::search(&conn, q, 50, 0)?);
                if round > 0 {
                    t.push(started.elapsed().as_secs_f64() * 1e3);
                }
            }
        }
        t.sort_by(f64::total_cmp);
        out[kind] = serde_json::json!([pct(&t, 0.5), pct(&t, 0.95)]);
    }
    println!("{out}");
    Ok(())
}

fn what_if_section(ctx: &mut Ctx) -> Res<()> {
    let n = if ctx.mode.name == "full" { 100_000 } else { 10_000 };
    println!("\n== What-if: SQLCipher settings, {} testimonies, Amana's own code ==", count_label(n));
    // (label, who wipes, query planning, page cache in KiB; 0 = SQLite's default 2 MiB)
    let cache = amana::db::PAGE_CACHE_KIB as i64;
    let variants = [
        ("as shipped: Amana's wiping allocator, stable plans (QPSG), 32 MiB page cache", "hooks", "qpsg", cache),
        ("before fix 7: SQLCipher's memory security, plans per binding", "sqlcipher", "plain", cache),
        ("SQLCipher's memory security, QPSG", "sqlcipher", "qpsg", cache),
        ("nothing wiped (unsafe), QPSG", "none", "qpsg", cache),
        ("before fix 4: SQLCipher's memory security, SQLite's default 2 MiB page cache", "sqlcipher", "plain", 0),
    ];
    let mut results = Vec::new();
    for (label, heap, qpsg, cache) in variants {
        let path = ctx.work.join(format!("what-if-{heap}-{qpsg}-{cache}.db"));
        let out = Command::new(std::env::current_exe()?)
            .env("AMANA_BENCH_CHILD", format!("{n}:{heap}:{qpsg}:{cache}:{}", path.display()))
            .stderr(Stdio::inherit())
            .output()?;
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
        if !out.status.success() {
            return Err(format!("what-if child ({label}) failed").into());
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        println!("  {label}: {v}");
        results.push((label, v));
    }
    let f = |v: &serde_json::Value, k: &str, i: usize| v[k][i].as_f64().unwrap_or(f64::NAN);
    let mut rows = vec![format!(
        "| bulk write (records/s) | {} |",
        results
            .iter()
            .map(|(_, v)| format!("{:.0}", v["rate"].as_f64().unwrap_or(0.0)))
            .collect::<Vec<_>>()
            .join(" | ")
    )];
    for (kind, _) in gen::queries() {
        rows.push(format!(
            "| search {kind}, p50 / p95 (ms) | {} |",
            results
                .iter()
                .map(|(_, v)| format!("{:.2} / {:.2}", f(v, kind, 0), f(v, kind, 1)))
                .collect::<Vec<_>>()
                .join(" | ")
        ));
    }
    let header = results.iter().map(|(l, _)| l.to_string()).collect::<Vec<_>>();
    ctx.what_if = Some((n, load(), header, rows));
    Ok(())
}

// ---------------------------------------------------------------------------
// Section: evidence ingest and read-back

fn openssl_speed(alg: &[&str]) -> Option<f64> {
    let out =
        Command::new("openssl").arg("speed").args(["-seconds", "3", "-bytes", "65536"]).args(alg).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // Last line: "<name>   <N>k" (1000s of bytes per second).
    let last = text.lines().rev().find(|l| l.trim_end().ends_with('k'))?;
    let v: f64 = last.split_whitespace().last()?.trim_end_matches('k').parse().ok()?;
    Some(v * 1000.0 / MIB as f64)
}

/// SHA-256 as Amana computes evidence digests (`ring`), on 64 MiB in memory, best of 3.
fn rust_sha256_speed() -> f64 {
    let mut buf = vec![0u8; 64 << 20];
    Rng::new(SEED).fill(&mut buf);
    (0..3)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(ring::digest::digest(&ring::digest::SHA256, &buf));
            64.0 / started.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

fn ingest_section(ctx: &mut Ctx) -> Res<()> {
    println!(
        "\n== Evidence ingest and read-back ({:?} MiB) ==",
        ctx.mode.ingest_sizes.iter().map(|s| s / MIB).collect::<Vec<_>>()
    );
    let dir = ctx.work.join("ingest");
    std::fs::create_dir_all(&dir)?;
    let vault_dir = dir.join("vault");
    let pass = Passphrase::from(PASS);
    let (mut vault, _) = Vault::create(&vault_dir, &pass, KDF)?;
    let case = {
        let tx = vault.conn_mut().transaction()?;
        let (_, v) = gen::case(&mut Rng::new(SEED ^ 1));
        let c = store::add(&tx, None, None, Record::from_json(Kind::Case, v)?, None)?;
        tx.commit()?;
        c.id
    };
    let chacha = openssl_speed(&["-evp", "chacha20-poly1305"]);
    let sha = openssl_speed(&["sha256"]);
    let rust_sha = rust_sha256_speed();
    println!(
        "  ceilings: openssl ChaCha20-Poly1305 {chacha:.0?} MiB/s, openssl SHA-256 {sha:.0?} MiB/s, ring (Amana's) {rust_sha:.0} MiB/s"
    );
    ctx.ceilings = Some((chacha, sha, rust_sha));
    let mut rng = Rng::new(SEED ^ 2);
    let sizes = ctx.mode.ingest_sizes.clone();
    let largest = *sizes.iter().max().unwrap_or(&MIB);
    for size in sizes {
        let src = dir.join(format!("statement-{}.mp4", size / MIB));
        write_random_file(&src, size, &mut rng)?;
        let reps = if size <= 64 * MIB { 3 } else { 1 };
        let (mut att, mut ext, mut enc, mut dec) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for rep in 0..reps {
            // Amana, in process: encrypt + hash + fsync + record.
            let started = Instant::now();
            let r = evidence::attach(
                &mut vault,
                evidence::Attachment {
                    attached_to: case,
                    path: &src,
                    acquisition: Acquisition {
                        by: "bench".into(),
                        on: None,
                        how: "generated".into(),
                        from: String::new(),
                    },
                    description: String::new(),
                },
                &mut no_progress(),
            )?;
            att.push(mib(size) / started.elapsed().as_secs_f64());
            let out = dir.join(format!("copy-{rep}"));
            let started = Instant::now();
            evidence::extract(&mut vault, r.id, &out, &mut no_progress())?;
            ext.push(mib(size) / started.elapsed().as_secs_f64());
            let _ = std::fs::remove_file(&out);
            // age, same file, same durability (fsync of the output).
            let enc_out = dir.join("age.out");
            let dec_out = dir.join("age.dec");
            let started = Instant::now();
            let st =
                Command::new("age").arg("-r").arg(&ctx.age_recipient).arg("-o").arg(&enc_out).arg(&src).status()?;
            Command::new("sync").arg(&enc_out).status()?;
            enc.push(mib(size) / started.elapsed().as_secs_f64());
            if !st.success() {
                return Err("age -r failed".into());
            }
            let started = Instant::now();
            let st = Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&ctx.age_key)
                .arg("-o")
                .arg(&dec_out)
                .arg(&enc_out)
                .status()?;
            Command::new("sync").arg(&dec_out).status()?;
            dec.push(mib(size) / started.elapsed().as_secs_f64());
            if !st.success() {
                return Err("age -d failed".into());
            }
            let _ = std::fs::remove_file(&enc_out);
            let _ = std::fs::remove_file(&dec_out);
        }
        let step = IngestStep {
            bytes: size,
            attach: median(&mut att),
            age_enc: median(&mut enc),
            extract: median(&mut ext),
            age_dec: median(&mut dec),
            load: load(),
        };
        println!(
            "  {:>8}: ingest Amana {:>6.0} MiB/s vs age {:>6.0} MiB/s | read-back Amana {:>6.0} MiB/s vs age -d {:>6.0} MiB/s (load {:.2})",
            size_label(size),
            step.attach,
            step.age_enc,
            step.extract,
            step.age_dec,
            step.load
        );
        if size == largest {
            ctx.figures.push(Figure {
                area: "ingest",
                what: format!("encrypt a {} file into the vault (SHA-256, fsync)", size_label(size)),
                amana: format!("{:.0} MiB/s", step.attach),
                baseline: format!(
                    "age -r: {:.0} MiB/s (ceilings: openssl ChaCha20-Poly1305 {}, SHA-256 {}; ring SHA-256 {:.0})",
                    step.age_enc,
                    chacha.map(|c| format!("{c:.0}")).unwrap_or("n/a".into()),
                    sha.map(|c| format!("{c:.0}")).unwrap_or("n/a".into()),
                    rust_sha
                ),
                ratio: Some(step.attach / step.age_enc),
                goal: "(compare)".into(),
                met: None,
                load: step.load,
            });
            ctx.figures.push(Figure {
                area: "read-back",
                what: format!("verified plaintext copy of a {} file (SHA-256, fsync)", size_label(size)),
                amana: format!("{:.0} MiB/s", step.extract),
                baseline: format!("age -d: {:.0} MiB/s", step.age_dec),
                ratio: Some(step.extract / step.age_dec),
                goal: "(compare)".into(),
                met: None,
                load: step.load,
            });
            // The real CLI once, for its memory.
            vault.lock();
            let env = [("AMANA_PASSPHRASE", PASS)];
            let mut args: Vec<OsString> =
                vec!["--vault".into(), vault_dir.clone().into(), "--json".into(), "attach".into()];
            args.push(case.to_string().into());
            args.push(src.clone().into());
            let (attach_run, out) = run_measured(&ctx.work, &ctx.amana, &args, &env, Some(&src))?;
            let id: serde_json::Value = serde_json::from_str(&out)?;
            let id = id["id"].as_str().ok_or("attach printed no id")?.to_string();
            let out_dir = dir.join("extract-out");
            std::fs::create_dir_all(&out_dir)?;
            let args: Vec<OsString> = vec![
                "--vault".into(),
                vault_dir.clone().into(),
                "extract".into(),
                id.into(),
                "--out".into(),
                out_dir.join("copy.mp4").into(),
            ];
            let (extract_run, _) = run_measured(&ctx.work, &ctx.amana, &args, &env, Some(&out_dir))?;
            let _ = std::fs::remove_dir_all(&out_dir);
            println!(
                "  CLI at {}: attach {:.2} s, peak RSS {} KiB ({} KiB after unlock); extract {:.2} s, peak RSS {} KiB ({} KiB after unlock)",
                size_label(size),
                attach_run.secs,
                attach_run.rss_kib.unwrap_or(0),
                attach_run.phase_kib.map(|v| v.to_string()).unwrap_or("n/a".into()),
                extract_run.secs,
                extract_run.rss_kib.unwrap_or(0),
                extract_run.phase_kib.map(|v| v.to_string()).unwrap_or("n/a".into()),
            );
            for (what, r) in [("attach", attach_run), ("extract", extract_run)] {
                ctx.figures.push(memory_figure(&format!("`amana {what}` of a {} file", size_label(size)), r, None));
            }
            vault = Vault::unlock(&vault_dir, &pass)?;
        }
        ctx.scaling.ingest.push(step);
        let _ = std::fs::remove_file(&src);
    }
    vault.lock();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn memory_figure(what: &str, r: Run, baseline: Option<(String, Run)>) -> Figure {
    let phase = r.phase_kib.or(r.rss_kib).unwrap_or(0);
    Figure {
        area: "memory",
        what: what.to_string(),
        amana: match r.phase_kib {
            Some(p) => format!(
                "{:.1} MiB after unlock ({:.1} MiB with Argon2id)",
                p as f64 / 1024.0,
                r.rss_kib.unwrap_or(0) as f64 / 1024.0
            ),
            None => format!("{:.1} MiB", r.rss_kib.unwrap_or(0) as f64 / 1024.0),
        },
        baseline: baseline
            .as_ref()
            .map(|(n, b)| format!("{n}: {:.1} MiB", b.rss_kib.unwrap_or(0) as f64 / 1024.0))
            .unwrap_or("—".into()),
        ratio: baseline.and_then(|(_, b)| b.rss_kib).map(|b| b as f64 / phase.max(1) as f64),
        goal: "< 64 MiB".into(),
        met: Some((phase as f64) < 64.0 * 1024.0),
        load: load(),
    }
}

// ---------------------------------------------------------------------------
// Section: export / verify / import of bundles

fn export_section(ctx: &mut Ctx) -> Res<()> {
    let sizes = ctx.mode.export_sizes.clone();
    println!(
        "\n== Bundles: export, verify, import ({} + 1,000 small files) ==",
        sizes.iter().map(|s| size_label(*s)).collect::<Vec<_>>().join(", ")
    );
    let dir = ctx.work.join("export");
    let src = dir.join("src");
    std::fs::create_dir_all(&src)?;
    let vault_dir = dir.join("vault");
    let pass = Passphrase::from(PASS);
    let (mut vault, _) = Vault::create(&vault_dir, &pass, KDF)?;
    // For the "same work" baseline: each evidence file also encrypted with
    // `age` to a key of its own (as Amana's vault files are to the vault's
    // identity) and its SHA-256 recorded (as Amana records it at ingest).
    // Setup, not timed.
    let enc = dir.join("enc");
    std::fs::create_dir_all(&enc)?;
    let vault_key = dir.join("vault-like-key.txt");
    if !Command::new("age-keygen").arg("-o").arg(&vault_key).stderr(Stdio::null()).status()?.success() {
        return Err("age-keygen failed".into());
    }
    let vault_recipient = sh(&format!("age-keygen -y {}", q(&vault_key)));
    let mut rng = Rng::new(SEED ^ 3);
    let mut cases: Vec<Uuid> = Vec::new();
    let mut tiers: Vec<String> = Vec::new();
    let mut have = 0u64;
    let mut files = 0usize;
    for (tier, size) in sizes.iter().enumerate() {
        // Tier i holds what bundle i has more than bundle i-1; tier 0 also
        // holds the 1,000 small files.
        let name = format!("tier-{tier}");
        let tier_dir = src.join(&name);
        std::fs::create_dir_all(&tier_dir)?;
        let mut list = gen::evidence_mix(size - have);
        if tier == 0 {
            list.extend(gen::small_files(&mut rng));
        }
        let case = {
            let tx = vault.conn_mut().transaction()?;
            let (_, v) = gen::case(&mut rng);
            let c = store::add(&tx, None, None, Record::from_json(Kind::Case, v)?, None)?;
            tx.commit()?;
            c.id
        };
        let mut bytes = 0;
        let mut attach_time = Duration::ZERO;
        for (file, len) in &list {
            let p = tier_dir.join(file);
            write_random_file(&p, *len, &mut rng)?;
            let started = Instant::now();
            evidence::attach(
                &mut vault,
                evidence::Attachment {
                    attached_to: case,
                    path: &p,
                    acquisition: Acquisition {
                        by: "bench".into(),
                        on: None,
                        how: "generated".into(),
                        from: String::new(),
                    },
                    description: file.clone(),
                },
                &mut no_progress(),
            )?;
            attach_time += started.elapsed();
            bytes += len;
        }
        println!(
            "  tier {tier}: {} files, {} attached at {:.0} MiB/s",
            list.len(),
            size_label(bytes),
            mib(bytes) / attach_time.as_secs_f64()
        );
        run_pipeline(
            &format!(
                "mkdir -p {enc}/{name}; cd {src}; for f in {name}/*; do age -r {vault_recipient} -o {enc}/$f.age $f; done; sha256sum {name}/* >> {enc}/SHA256SUMS",
                enc = q(&enc),
                src = q(&src),
            ),
            &[],
        )?;
        have = *size;
        files += list.len();
        cases.push(case);
        tiers.push(name);
        vault.lock();
        let total_bytes = dir_size(&src);
        let step = export_step(ctx, &dir, &vault_dir, &cases, &tiers, total_bytes, files)?;
        ctx.scaling.export.push(step);
        vault = Vault::unlock(&vault_dir, &pass)?;
    }
    vault.lock();
    export_figures(ctx);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn export_step(
    ctx: &mut Ctx,
    dir: &Path,
    vault_dir: &Path,
    cases: &[Uuid],
    tiers: &[String],
    bytes: u64,
    files: usize,
) -> Res<ExportStep> {
    let env = [("AMANA_PASSPHRASE", PASS)];
    let src = dir.join("src");
    let (mut runs, mut loads): (Vec<[Run; 7]>, Vec<f64>) = (Vec::new(), Vec::new());
    for _rep in 0..ctx.mode.export_reps {
        let out_dir = dir.join("out");
        let _ = std::fs::remove_dir_all(&out_dir);
        std::fs::create_dir_all(&out_dir)?;
        let bundle = out_dir.join("bundle.age");
        // Amana export, to one X25519 recipient (not to itself, like the baseline).
        let mut args: Vec<OsString> = vec!["--vault".into(), vault_dir.into(), "--json".into(), "export".into()];
        for c in cases {
            args.push("--case".into());
            args.push(c.to_string().into());
        }
        for a in ["--to", &ctx.age_recipient, "--no-self", "--profile", "full", "--out"] {
            args.push(a.into());
        }
        args.push(bundle.clone().into());
        let (export, _) = run_measured(&ctx.work, &ctx.amana, &args, &env, Some(&out_dir))?;
        // Baseline: tar | age, with an fsync of the result as Amana does.
        let base = out_dir.join("base.tar.age");
        let (t1, t2) = (ctx.work.join("rss1"), ctx.work.join("rss2"));
        let tar_age = run_pipeline(
            &format!(
                "/usr/bin/time -f \"%M %U %S\" -o {} tar -c -C {} {} | /usr/bin/time -f \"%M %U %S\" -o {} age -r {} > {}; sync {}",
                q(&t1),
                q(&src),
                tiers.join(" "),
                q(&t2),
                ctx.age_recipient,
                q(&base),
                q(&base)
            ),
            &[t1.clone(), t2.clone()],
        )?;
        // The same work with standard tools: decrypt each vault-like file
        // (one `age -d` per file), check every digest, then `tar | age -r`.
        // Unlike Amana it writes the plaintext to a staging folder (not
        // synced) and checks the digests after decrypting, not alongside.
        let stage = out_dir.join("stage");
        let same = out_dir.join("same.tar.age");
        let t3 = ctx.work.join("rss3");
        let enc = dir.join("enc");
        let decrypt_check = ctx.work.join("same-work-decrypt.sh");
        std::fs::write(
            &decrypt_check,
            format!(
                "set -eu\ncd {enc}\nfor t in {tiers}; do\n  mkdir -p {stage}/$t\n  for f in $t/*.age; do age -d -i {key} -o {stage}/${{f%.age}} $f; done\ndone\ncd {stage}\nsha256sum -c --quiet {enc}/SHA256SUMS\n",
                enc = q(&enc),
                stage = q(&stage),
                tiers = tiers.join(" "),
                key = q(&dir.join("vault-like-key.txt")),
            ),
        )?;
        let same_work = run_pipeline(
            &format!(
                "/usr/bin/time -f \"%M %U %S\" -o {t1} bash {script}; /usr/bin/time -f \"%M %U %S\" -o {t2} tar -c -C {stage} {tiers} | /usr/bin/time -f \"%M %U %S\" -o {t3} age -r {rcpt} > {out}; sync {out}",
                t1 = q(&t1),
                t2 = q(&t2),
                t3 = q(&t3),
                script = q(&decrypt_check),
                stage = q(&stage),
                tiers = tiers.join(" "),
                rcpt = ctx.age_recipient,
                out = q(&same),
            ),
            &[t1.clone(), t2.clone(), t3.clone()],
        )?;
        let _ = std::fs::remove_dir_all(&stage);
        let _ = std::fs::remove_file(&same);
        // Verify: Amana reads and checks everything (no vault needed with
        // --identity); the baseline decrypts and lists the tar.
        let args: Vec<OsString> = vec![
            "--json".into(),
            "bundle".into(),
            "verify".into(),
            bundle.clone().into(),
            "--identity".into(),
            ctx.age_key.clone().into(),
        ];
        let (verify, _) = run_measured(&ctx.work, &ctx.amana, &args, &[], None)?;
        let age_tar_t = run_pipeline(
            &format!(
                "/usr/bin/time -f \"%M %U %S\" -o {} age -d -i {} {} | /usr/bin/time -f \"%M %U %S\" -o {} tar -t > /dev/null",
                q(&t1),
                q(&ctx.age_key),
                q(&base),
                q(&t2)
            ),
            &[t1.clone(), t2.clone()],
        )?;
        // Import into a fresh vault; the baseline extracts and fsyncs the files.
        let import_vault = out_dir.join("import-vault");
        drop(Vault::create(&import_vault, &Passphrase::from(PASS), KDF)?.0);
        let args: Vec<OsString> = vec![
            "--vault".into(),
            import_vault.clone().into(),
            "--json".into(),
            "import".into(),
            bundle.clone().into(),
            "--identity".into(),
            ctx.age_key.clone().into(),
        ];
        let (import, _) = run_measured(&ctx.work, &ctx.amana, &args, &env, Some(&bundle))?;
        let x = out_dir.join("extracted");
        std::fs::create_dir_all(&x)?;
        let age_tar_x = run_pipeline(
            &format!(
                "/usr/bin/time -f \"%M %U %S\" -o {} age -d -i {} {} | /usr/bin/time -f \"%M %U %S\" -o {} tar -x -C {}; find {} -type f -exec sync {{}} +",
                q(&t1),
                q(&ctx.age_key),
                q(&base),
                q(&t2),
                q(&x),
                q(&x)
            ),
            &[t1.clone(), t2.clone()],
        )?;
        println!(
            "  {} ({} files): export {:.2} s vs tar|age {:.2} s, same work {:.2} s; verify {:.2} s vs age -d|tar -t {:.2} s; import {:.2} s vs age -d|tar -x {:.2} s; bundle {} vs {} (load {:.2})",
            size_label(bytes),
            files,
            export.secs,
            tar_age.secs,
            same_work.secs,
            verify.secs,
            age_tar_t.secs,
            import.secs,
            age_tar_x.secs,
            size_label(file_size(&bundle)),
            size_label(file_size(&base)),
            load()
        );
        runs.push([export, tar_age, verify, age_tar_t, import, age_tar_x, same_work]);
        loads.push(load());
        let _ = std::fs::remove_dir_all(&out_dir);
    }
    // Median by time for each column; memory is the max over repetitions.
    let col = |i: usize| -> Run {
        let mut t: Vec<f64> = runs.iter().map(|r| r[i].secs).collect();
        let secs = median(&mut t);
        let mut c: Vec<f64> = runs.iter().filter_map(|r| r[i].cpu).collect();
        Run {
            secs,
            rss_kib: runs.iter().filter_map(|r| r[i].rss_kib).max(),
            phase_kib: runs.iter().filter_map(|r| r[i].phase_kib).max(),
            cpu: (!c.is_empty()).then(|| median(&mut c)),
        }
    };
    Ok(ExportStep {
        bytes,
        files,
        export: col(0),
        tar_age: col(1),
        verify: col(2),
        age_tar_t: col(3),
        import: col(4),
        age_tar_x: col(5),
        same_work: col(6),
        load: median(&mut loads),
    })
}

fn export_figures(ctx: &mut Ctx) {
    let goal = ctx.mode.goal_bundle();
    let Some(i) = ctx.scaling.export.iter().position(|s| s.bytes >= goal) else { return };
    let s = &ctx.scaling.export[i];
    let rate = |r: &Run| mib(s.bytes) / r.secs;
    let cpu = |r: &Run| r.cpu.map(|c| format!(", CPU {c:.2} s")).unwrap_or_default();
    let what = format!("{} bundle ({} files)", size_label(s.bytes), s.files);
    let mut figs = vec![
        Figure {
            area: "export",
            what: format!("{what} to an X25519 recipient"),
            amana: format!("{:.0} MiB/s ({:.2} s{})", rate(&s.export), s.export.secs, cpu(&s.export)),
            baseline: format!(
                "tar -c | age -r: {:.0} MiB/s ({:.2} s{})",
                rate(&s.tar_age),
                s.tar_age.secs,
                cpu(&s.tar_age)
            ),
            ratio: Some(s.tar_age.secs / s.export.secs),
            goal: "at least as fast".into(),
            met: Some(s.export.secs <= s.tar_age.secs),
            load: s.load,
        },
        Figure {
            area: "export",
            what: format!("{what}, against the same work with standard tools"),
            amana: format!("{:.0} MiB/s ({:.2} s{})", rate(&s.export), s.export.secs, cpu(&s.export)),
            baseline: format!(
                "age -d each vault-like file, sha256sum -c, tar -c | age -r: {:.0} MiB/s ({:.2} s{})",
                rate(&s.same_work),
                s.same_work.secs,
                cpu(&s.same_work)
            ),
            ratio: Some(s.same_work.secs / s.export.secs),
            goal: "(compare)".into(),
            met: None,
            load: s.load,
        },
        Figure {
            area: "verify",
            what: format!("{what}: signature and every digest"),
            amana: format!("{:.0} MiB/s ({:.2} s{})", rate(&s.verify), s.verify.secs, cpu(&s.verify)),
            baseline: format!(
                "age -d | tar -t: {:.0} MiB/s ({:.2} s{})",
                rate(&s.age_tar_t),
                s.age_tar_t.secs,
                cpu(&s.age_tar_t)
            ),
            ratio: Some(s.age_tar_t.secs / s.verify.secs),
            goal: "(compare)".into(),
            met: None,
            load: s.load,
        },
        Figure {
            area: "import",
            what: format!("{what} into an empty vault (checked, then re-encrypted)"),
            amana: format!("{:.0} MiB/s ({:.2} s{})", rate(&s.import), s.import.secs, cpu(&s.import)),
            baseline: format!(
                "age -d | tar -x: {:.0} MiB/s ({:.2} s{})",
                rate(&s.age_tar_x),
                s.age_tar_x.secs,
                cpu(&s.age_tar_x)
            ),
            ratio: Some(s.age_tar_x.secs / s.import.secs),
            goal: "(compare)".into(),
            met: None,
            load: s.load,
        },
    ];
    let (export, tar_age, verify, age_tar_t, import, age_tar_x) =
        (s.export, s.tar_age, s.verify, s.age_tar_t, s.import, s.age_tar_x);
    figs.push(memory_figure(&format!("`amana export`, {what}"), export, Some(("tar | age".into(), tar_age))));
    figs.push(memory_figure(
        &format!("`amana bundle verify`, {what}"),
        verify,
        Some(("age -d | tar -t".into(), age_tar_t)),
    ));
    figs.push(memory_figure(&format!("`amana import`, {what}"), import, Some(("age -d | tar -x".into(), age_tar_x))));
    // Memory must not grow with the bundle: the largest bundle too.
    if let Some(last) = ctx.scaling.export.last().filter(|l| l.bytes > s.bytes) {
        let what = format!("{} bundle", size_label(last.bytes));
        for (name, r) in [("export", last.export), ("bundle verify", last.verify), ("import", last.import)] {
            figs.push(memory_figure(&format!("`amana {name}`, {what}"), r, None));
        }
    }
    ctx.figures.extend(figs);
}

// ---------------------------------------------------------------------------
// Report

/// The CPU features the figures depend on (AES, AVX2, AVX-512, SHA-256 in
/// hardware: x86 `sha_ni`, Arm `sha2`), from the first core's flags, sorted.
/// The Machine table lists them and the Evidence section reads them from here,
/// so the two cannot disagree.
fn cpu_flags() -> Vec<String> {
    const WANTED: &[&str] = &["aes", "avx2", "avx512f", "sha2", "sha_ni"];
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let line = info.lines().find(|l| l.starts_with("flags") || l.starts_with("Features")).unwrap_or_default();
    let mut flags: Vec<String> = line.split_whitespace().filter(|f| WANTED.contains(f)).map(str::to_string).collect();
    flags.sort_unstable();
    flags.dedup();
    flags
}

/// Whether SHA-256 runs in hardware here, which `ring` uses when it can.
fn cpu_has_sha_extensions() -> bool {
    cpu_flags().iter().any(|f| f == "sha_ni" || f == "sha2")
}

fn machine(ctx: &Ctx) -> Vec<(String, String)> {
    let cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-");
    let mem = sh("grep MemTotal /proc/meminfo | awk '{printf \"%.1f GiB\", $2/1048576}'");
    let sqlcipher = Connection::open_in_memory()
        .and_then(|c| {
            c.execute_batch("PRAGMA key = 'x';")?;
            c.query_row("PRAGMA cipher_version", [], |r| r.get::<_, String>(0))
        })
        .unwrap_or_default();
    vec![
        (
            "CPU".into(),
            format!("{} ({} cores)", cpu, std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)),
        ),
        ("CPU flags".into(), cpu_flags().join(" ")),
        ("Memory".into(), mem),
        ("OS".into(), format!("{} (kernel {})", sh(". /etc/os-release && echo $PRETTY_NAME"), sh("uname -r"))),
        ("Disk (work folder)".into(), sh(&format!("findmnt -no FSTYPE,SOURCE -T {}", q(&ctx.work)))),
        ("Rust".into(), sh("rustc -V")),
        ("Amana".into(), sh(&format!("git -C {} describe --always --dirty", q(&ctx.repo)))),
        ("SQLite / SQLCipher".into(), format!("{} / {}", rusqlite::version(), sqlcipher)),
        ("age (Go, baseline)".into(), sh("age --version")),
        ("tar".into(), sh("tar --version | head -1")),
        ("OpenSSL (ceiling)".into(), sh("openssl version")),
        (
            "Load average at start".into(),
            format!(
                "{:.2} (1 min; 2 cores shared with other builds: every figure carries the load when it was taken)",
                ctx.start_load
            ),
        ),
    ]
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.filter(|r| r.is_finite()).map(|r| format!("{r:.2}×")).unwrap_or("—".into())
}

fn fmt_met(m: Option<bool>) -> &'static str {
    match m {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "",
    }
}

/// A Markdown table cell: `|` inside it must not end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn summary_table(ctx: &Ctx) -> String {
    let mut s = String::new();
    s.push_str("| Area | Measure | Amana | Baseline | Amana vs baseline¹ | Goal | Met | Load |\n");
    s.push_str("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for f in &ctx.figures {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} |",
            f.area,
            cell(&f.what),
            cell(&f.amana),
            cell(&f.baseline),
            fmt_ratio(f.ratio),
            cell(&f.goal),
            fmt_met(f.met),
            f.load
        );
    }
    s.push_str("\n¹ Above 1 means Amana is faster (or smaller) than the baseline; for memory, baseline ÷ Amana after unlock.\n");
    s
}

fn scaling_tables(ctx: &Ctx) -> String {
    let mut s = String::new();
    if !ctx.scaling.records.is_empty() {
        s.push_str("### Records\n\nOne vault grown step by step (a case for every ten testimonies), the same records written to a plain SQLite database; each step's write rate is for the records added since the previous step.\n\n");
        s.push_str("| Testimonies | Records | Write Amana | Write plain | Ratio | DB Amana | DB plain | Unlock | Argon2id alone | Unlock besides KDF | Load |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for r in &ctx.scaling.records {
            let _ = writeln!(
                s,
                "| {} | {} | {:.0}/s | {:.0}/s | {:.2}× | {:.1} MiB | {:.1} MiB | {:.1} ms | {:.1} ms | {:.2} ms | {:.2} |",
                count_label(r.testimonies),
                r.records,
                r.amana_rate,
                r.plain_rate,
                r.amana_rate / r.plain_rate,
                r.amana_db_mib,
                r.plain_db_mib,
                r.unlock_ms,
                r.kdf_ms,
                r.non_kdf_ms,
                r.load
            );
        }
        s.push_str("\nSearch latency, top 50 results with snippets (ms, p50 / p95 / p99; hits per query in brackets). Amana as the app searches (`api::search`: the ranking shared with the vault's second connection, on a second thread, when a query has thousands of matches; one thread otherwise); Amana on one connection always (`search::search`, one thread, on a vault handle of its own so that its page cache is its own); plain SQLite on one connection, as a plain application would:\n\n| Testimonies | Kind | Amana | Amana, one thread | Plain SQLite | p95 Amana ÷ plain | Hits | Samples |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for r in &ctx.scaling.records {
            for (kind, st) in &r.search {
                let _ = writeln!(
                    s,
                    "| {} | {} | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} | {:.2}× | {:?} | {} |",
                    count_label(r.testimonies),
                    kind,
                    st.amana[0],
                    st.amana[1],
                    st.amana[2],
                    st.one_thread[0],
                    st.one_thread[1],
                    st.one_thread[2],
                    st.plain[0],
                    st.plain[1],
                    st.plain[2],
                    st.amana[1] / st.plain[1],
                    st.hits,
                    st.samples
                );
            }
        }
        s.push('\n');
    }
    if !ctx.scaling.ingest.is_empty() {
        s.push_str("### Evidence files\n\nOne file, encrypted into the vault in process (`evidence::attach`: SHA-256, age encryption, fsync, record) and read back as a verified plaintext copy (`evidence::extract`: decryption, SHA-256 check, fsync), against `age -r` / `age -d` on the same file followed by `sync` of the output. Median of 3 runs up to 64 MiB.\n\n");
        if let Some((chacha, sha, rust_sha)) = ctx.ceilings {
            let f = |v: Option<f64>| v.map(|v| format!("{v:.0} MiB/s")).unwrap_or("n/a".into());
            let _ = writeln!(
                s,
                "Ceilings on this machine: `openssl speed` ChaCha20-Poly1305 {}, SHA-256 {}; SHA-256 as Amana computes evidence digests (`ring`'s assembly; {}) {rust_sha:.0} MiB/s. Amana hashes every evidence byte (SHA-256, recorded at ingest, checked on every read); age does not.\n",
                f(chacha),
                f(sha),
                if cpu_has_sha_extensions() { "this CPU's SHA extensions" } else { "no SHA extensions in this CPU" }
            );
        }
        s.push_str("| Size | Ingest Amana | age -r | Ratio | Read-back Amana | age -d | Ratio | Load |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for r in &ctx.scaling.ingest {
            let _ = writeln!(
                s,
                "| {} | {:.0} MiB/s | {:.0} MiB/s | {:.2}× | {:.0} MiB/s | {:.0} MiB/s | {:.2}× | {:.2} |",
                size_label(r.bytes),
                r.attach,
                r.age_enc,
                r.attach / r.age_enc,
                r.extract,
                r.age_dec,
                r.extract / r.age_dec,
                r.load
            );
        }
        s.push('\n');
    }
    if !ctx.scaling.export.is_empty() {
        s.push_str("### Bundles\n\nThe real `amana` CLI (release build) under `/usr/bin/time`; times include starting the process and, for export and import, unlocking the vault (Argon2id, 64 MiB, 1 pass). Peak memory: whole process / after unlock (Argon2id's 64 MiB released; measured by resetting the kernel's high-water mark when the process opens the bundle). Baseline pipelines: the sum of their processes' peaks (same work: of its three stages).\n\n| Evidence | Files | Export | tar \\| age | same work | Verify | age -d \\| tar -t | Import | age -d \\| tar -x | Peak RSS export | verify | import | tar \\| age | age -d \\| tar -x | Load |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        let kib = |v: Option<u64>| v.map(|v| format!("{:.1}", v as f64 / 1024.0)).unwrap_or("n/a".into());
        for r in &ctx.scaling.export {
            let rate = |x: &Run| format!("{:.0} MiB/s", mib(r.bytes) / x.secs);
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} MiB | {} MiB | {} / {} MiB | {} MiB | {} MiB | {:.2} |",
                size_label(r.bytes),
                r.files,
                rate(&r.export),
                rate(&r.tar_age),
                rate(&r.same_work),
                rate(&r.verify),
                rate(&r.age_tar_t),
                rate(&r.import),
                rate(&r.age_tar_x),
                kib(r.export.rss_kib),
                kib(r.export.phase_kib),
                kib(r.verify.rss_kib),
                kib(r.import.rss_kib),
                kib(r.import.phase_kib),
                kib(r.tar_age.rss_kib),
                kib(r.age_tar_x.rss_kib),
                r.load
            );
        }
        s.push('\n');
    }
    s
}

fn plots(ctx: &Ctx, out_dir: &Path) -> Res<Vec<(String, String)>> {
    use plot::{Chart, Series};
    std::fs::create_dir_all(out_dir)?;
    let mut made = Vec::new();
    let mut save = |name: &str, title: &str, chart: Chart| -> Res<()> {
        std::fs::write(out_dir.join(name), chart.render())?;
        made.push((name.to_string(), title.to_string()));
        Ok(())
    };
    let recs = &ctx.scaling.records;
    if !recs.is_empty() {
        let kinds: Vec<String> = recs[0].search.keys().cloned().collect();
        let mut series = Vec::new();
        for k in &kinds {
            series.push(Series {
                name: format!("Amana, {k}"),
                points: recs
                    .iter()
                    .filter_map(|r| r.search.get(k).map(|s| (r.testimonies as f64, s.amana[1])))
                    .collect(),
                dashed: false,
            });
        }
        for k in &kinds {
            series.push(Series {
                name: format!("plain, {k}"),
                points: recs
                    .iter()
                    .filter_map(|r| r.search.get(k).map(|s| (r.testimonies as f64, s.plain[1])))
                    .collect(),
                dashed: true,
            });
        }
        save(
            "search-p95.svg",
            "Search p95 latency by number of testimonies",
            Chart {
                title: "Search p95 latency (top 50), Amana vs plain SQLite FTS5".into(),
                x_label: "testimonies in the vault".into(),
                y_label: "p95 latency (ms)".into(),
                log_y: true,
                series,
            },
        )?;
        save(
            "bulk-write.svg",
            "Bulk write rate by number of testimonies",
            Chart {
                title: "Bulk writes (1,000 records per transaction)".into(),
                x_label: "testimonies in the vault".into(),
                y_label: "records per second".into(),
                log_y: false,
                series: vec![
                    Series {
                        name: "Amana".into(),
                        points: recs.iter().map(|r| (r.testimonies as f64, r.amana_rate)).collect(),
                        dashed: false,
                    },
                    Series {
                        name: "plain SQLite".into(),
                        points: recs.iter().map(|r| (r.testimonies as f64, r.plain_rate)).collect(),
                        dashed: true,
                    },
                ],
            },
        )?;
        save(
            "unlock.svg",
            "Unlock time by number of testimonies",
            Chart {
                title: "Unlock: total and besides Argon2id".into(),
                x_label: "testimonies in the vault".into(),
                y_label: "milliseconds".into(),
                log_y: true,
                series: vec![
                    Series {
                        name: "unlock total".into(),
                        points: recs.iter().map(|r| (r.testimonies as f64, r.unlock_ms)).collect(),
                        dashed: false,
                    },
                    Series {
                        name: "Argon2id alone".into(),
                        points: recs.iter().map(|r| (r.testimonies as f64, r.kdf_ms)).collect(),
                        dashed: true,
                    },
                    Series {
                        name: "besides the KDF".into(),
                        points: recs.iter().map(|r| (r.testimonies as f64, r.non_kdf_ms.max(0.01))).collect(),
                        dashed: false,
                    },
                ],
            },
        )?;
    }
    let ing = &ctx.scaling.ingest;
    let exp = &ctx.scaling.export;
    if !ing.is_empty() || !exp.is_empty() {
        let mut series = Vec::new();
        let pts = |f: &dyn Fn(&IngestStep) -> f64| ing.iter().map(|r| (mib(r.bytes), f(r))).collect::<Vec<_>>();
        if !ing.is_empty() {
            series.push(Series { name: "Amana ingest".into(), points: pts(&|r| r.attach), dashed: false });
            series.push(Series { name: "age -r".into(), points: pts(&|r| r.age_enc), dashed: true });
            series.push(Series { name: "Amana read-back".into(), points: pts(&|r| r.extract), dashed: false });
            series.push(Series { name: "age -d".into(), points: pts(&|r| r.age_dec), dashed: true });
        }
        let ept = |f: &dyn Fn(&ExportStep) -> &Run| {
            exp.iter().map(|r| (mib(r.bytes), mib(r.bytes) / f(r).secs)).collect::<Vec<_>>()
        };
        if !exp.is_empty() {
            series.push(Series { name: "Amana export".into(), points: ept(&|r| &r.export), dashed: false });
            series.push(Series { name: "tar | age".into(), points: ept(&|r| &r.tar_age), dashed: true });
            series.push(Series {
                name: "same work (age -d, sha256sum, tar | age)".into(),
                points: ept(&|r| &r.same_work),
                dashed: true,
            });
            series.push(Series { name: "Amana import".into(), points: ept(&|r| &r.import), dashed: false });
            series.push(Series { name: "age -d | tar -x".into(), points: ept(&|r| &r.age_tar_x), dashed: true });
        }
        save(
            "throughput.svg",
            "Throughput by evidence size",
            Chart {
                title: "Evidence throughput, Amana vs age".into(),
                x_label: "evidence (MiB)".into(),
                y_label: "MiB/s".into(),
                log_y: false,
                series,
            },
        )?;
    }
    if !exp.is_empty() {
        let m = |f: &dyn Fn(&ExportStep) -> Option<u64>| {
            exp.iter().filter_map(|r| f(r).map(|v| (mib(r.bytes), v as f64 / 1024.0))).collect::<Vec<_>>()
        };
        save(
            "memory.svg",
            "Peak memory by bundle size",
            Chart {
                title: "Peak RSS by bundle size".into(),
                x_label: "evidence in the bundle (MiB)".into(),
                y_label: "peak RSS (MiB)".into(),
                log_y: false,
                series: vec![
                    Series { name: "export (after unlock)".into(), points: m(&|r| r.export.phase_kib), dashed: false },
                    Series { name: "export (process)".into(), points: m(&|r| r.export.rss_kib), dashed: false },
                    Series { name: "bundle verify".into(), points: m(&|r| r.verify.rss_kib), dashed: false },
                    Series { name: "import (after unlock)".into(), points: m(&|r| r.import.phase_kib), dashed: false },
                    Series { name: "tar | age".into(), points: m(&|r| r.tar_age.rss_kib), dashed: true },
                    Series { name: "age -d | tar -x".into(), points: m(&|r| r.age_tar_x.rss_kib), dashed: true },
                ],
            },
        )?;
    }
    Ok(made)
}

fn write_report(ctx: &Ctx, path: &Path, plot_dir: &Path, plot_rel: &str, plots: &[(String, String)]) -> Res<()> {
    let mut s = String::new();
    s.push_str("# Amana benchmarks\n\n");
    let _ = writeln!(
        s,
        "<!-- GENERATED by `make bench` (benches/amana_bench.rs, mode `{}`) on {}. Do not edit by hand: run the bench again. -->\n",
        ctx.mode.name,
        sh("date -u +%Y-%m-%dT%H:%M:%SZ")
    );
    let _ = writeln!(
        s,
        "*Generated by `make bench` (mode **{}**, {:.0} s) from `benches/amana_bench.rs`; not edited by hand. Amana is measured side by side with what a user would pick instead: `tar` and the Go `age`, `openssl`, and plain SQLite (FTS5, no encryption) on the same data.*\n",
        ctx.mode.name,
        ctx.started.elapsed().as_secs_f64()
    );
    s.push_str("## Machine\n\n| | |\n| --- | --- |\n");
    for (k, v) in machine(ctx) {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    let _ = writeln!(s, "| Load average at the end | {:.2} |", load());
    s.push_str("\n## Commands\n\n```\nmake bench        # quick mode, a few minutes: 1k/10k/100k testimonies, 32 and 256 MiB bundles, 1-64 MiB files\nmake bench-full   # full mode: up to 1M testimonies, 4 GiB bundles and files\n```\n\n");
    s.push_str("Both build the release `amana` binary and run `cargo bench --bench amana_bench` with `AMANA_BENCH=quick|full`. Baselines run in the same process at the same time, alternating with Amana:\n\n");
    s.push_str("- export: `tar -c -C src DIRS | age -r RECIPIENT > bundle; sync bundle` vs `amana export --case … --to RECIPIENT --no-self --profile full --out bundle`\n");
    s.push_str("- export, same work: what Amana does, with standard tools: `for f in ENC/*.age; do age -d -i VAULTKEY -o STAGE/${f%.age} $f; done; sha256sum -c SHA256SUMS` (each evidence file kept `age`-encrypted to a key of its own, as in the vault, and its digest recorded beforehand), then `tar -c -C STAGE DIRS | age -r RECIPIENT > bundle; sync bundle`; unlike Amana it writes the plaintext to a staging folder and checks digests after decrypting, not alongside\n");
    s.push_str("- verify: `age -d -i KEY bundle | tar -t` vs `amana bundle verify bundle --identity KEY`\n");
    s.push_str("- import: `age -d -i KEY bundle | tar -x -C DIR; sync` (every file) vs `amana import bundle --identity KEY` into an empty vault\n");
    s.push_str("- ingest / read-back: `age -r R -o OUT FILE; sync OUT` / `age -d -i KEY -o OUT IN; sync OUT` vs `evidence::attach` / `evidence::extract` in process; ceilings `openssl speed -seconds 3 -bytes 65536 -evp chacha20-poly1305` and `openssl speed … sha256`\n");
    s.push_str("- search: `search::search_with(conn, reader, q, 50, 0)` on the SQLCipher vault (as `api::search`: the ranking shared with the vault's second connection when a query has thousands of matches; `search::search` on one connection, of a second vault handle with its own page cache, is reported beside it) vs the same `MATCH` expression (`search::Query::match_expression`), the same BM25 weights, `count(*)`, FTS5 `snippet()` and each hit's record and case read and parsed, on a plain SQLite file (no key) with the same schema, the same folded text and the same page cache (`PRAGMA cache_size`, 32 MiB)\n");
    s.push_str("- bulk writes: `dossier::store::add` (validation, references, history, index, audit chain) vs plain `INSERT`s of the same rows, folded index entries included; 1,000 records per transaction, WAL, `synchronous = FULL` on both\n");
    s.push_str("- unlock: `Vault::unlock` vs `crypto::kdf::derive_key` alone, 64 MiB, 1 pass, 1 lane (the minimum Amana accepts), interleaved pairs; \"besides the KDF\" is the median of the paired differences\n\n");
    s.push_str("## Summary\n\n");
    s.push_str(&summary_table(ctx));
    s.push_str("\n## Scaling\n\n");
    s.push_str(&scaling_tables(ctx));
    if let Some((n, l, header, rows)) = &ctx.what_if {
        let _ = writeln!(
            s,
            "### What-if: SQLCipher settings\n\nAmana's own `store::add` and `search::search` on a SQLCipher database with Amana's other settings, {} testimonies, each variant in its own process (SQLite's allocator and SQLCipher's memory security are global to a process); load {l:.2}. The page cache became 32 MiB in fix 4 and the wiping allocator replaced memory security in fix 7 (docs/bench/fixes.md); what the wiping guarantees is in docs/SECURITY.md.\n\n| | {} |\n| --- |{}",
            count_label(*n),
            header.join(" | "),
            " --- |".repeat(header.len())
        );
        for r in rows {
            let _ = writeln!(s, "{r}");
        }
        s.push('\n');
    }
    if !plots.is_empty() {
        s.push_str("### Plots\n\n");
        for (name, title) in plots {
            let _ = writeln!(s, "![{title}]({plot_rel}/{name})\n");
        }
    }
    let _ = plot_dir;
    let fixes = ctx.repo.join("docs/bench/fixes.md");
    if let Ok(text) = std::fs::read_to_string(&fixes) {
        s.push_str("\n## Profiling and fixes\n\n*From `docs/bench/fixes.md` (written by hand: the before/after figures of each fix, measured with this bench).*\n\n");
        // Its own title is dropped and its sections become subsections.
        for line in text.trim_start_matches(|c| c != '\n').trim_start().lines() {
            if let Some(rest) = line.strip_prefix("## ") {
                let _ = writeln!(s, "### {rest}");
            } else {
                let _ = writeln!(s, "{line}");
            }
        }
        s.push('\n');
    }
    if !ctx.notes.is_empty() {
        s.push_str("\n## Notes from this run\n\n");
        for n in &ctx.notes {
            let _ = writeln!(s, "- {n}");
        }
    }
    std::fs::write(path, s)?;
    Ok(())
}

fn print_table(ctx: &Ctx) {
    println!("\n== Summary (mode {}, {:.0} s) ==", ctx.mode.name, ctx.started.elapsed().as_secs_f64());
    let w = |s: &str, n: usize| -> String {
        let c = s.chars().count();
        if c >= n {
            s.chars().take(n).collect()
        } else {
            format!("{s}{}", " ".repeat(n - c))
        }
    };
    println!(
        "{} {} {} {} {} {} load",
        w("area", 10),
        w("measure", 58),
        w("Amana", 44),
        w("baseline", 44),
        w("ratio", 7),
        w("met", 4),
    );
    for f in &ctx.figures {
        println!(
            "{} {} {} {} {} {} {:.2}",
            w(f.area, 10),
            w(&f.what, 58),
            w(&f.amana, 44),
            w(&f.baseline, 44),
            w(&fmt_ratio(f.ratio), 7),
            w(fmt_met(f.met).trim_matches('*'), 4),
            f.load
        );
    }
}

// ---------------------------------------------------------------------------

/// The checkout `cargo bench` runs in, not the one compiled in: a build reused
/// from another checkout sharing the target folder would read that one's
/// corpus and write its BENCHMARKS.md there.
fn checkout() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// The diacritized Arabic the generator draws its Arabic testimonies from:
/// the copy kept in this checkout's test data (the same text as the shared
/// corpus), so that every run reads the same words wherever it runs.
fn arabic_corpus() -> Res<gen::Arabic> {
    let corpus = checkout().join("tests/testdata/corpora/arabic-news-diacritized.txt");
    gen::Arabic::load(&corpus).map_err(|e| format!("{}: {e}", corpus.display()).into())
}

fn main() -> Res<()> {
    if let Ok(spec) = std::env::var("AMANA_BENCH_CHILD") {
        return what_if_child(&spec);
    }
    // Before any connection: SQLite's allocator is chosen once per process.
    // The plain-SQLite baselines in this process then run on the same
    // wiping allocator as Amana (a memset per free; SQLCipher's memory
    // security is never turned on here).
    if amana::db::heap_wiping() != amana::db::Wiping::Hooks {
        return Err("the allocator hooks could not be installed".into());
    }
    if let Ok(spec) = std::env::var("AMANA_BENCH_PROBE") {
        return probe::run(&spec);
    }
    let start_load = load();
    let mode = Mode::from_env();
    let repo = checkout();
    let only: Option<Vec<String>> =
        std::env::var("AMANA_BENCH_ONLY").ok().map(|s| s.split(',').map(|x| x.trim().to_string()).collect());
    let base = std::env::var_os("AMANA_BENCH_DIR").map(PathBuf::from).unwrap_or_else(std::env::temp_dir);
    let work = base.join(format!("amana-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    for tool in ["age", "age-keygen", "tar", "openssl", "/usr/bin/time"] {
        if sh(&format!("command -v {tool}")).is_empty() {
            return Err(format!("`{tool}` is needed for the baselines (make setup installs it)").into());
        }
    }
    let age_key = work.join("recipient-key.txt");
    let st = Command::new("age-keygen").arg("-o").arg(&age_key).stderr(Stdio::null()).status()?;
    if !st.success() {
        return Err("age-keygen failed".into());
    }
    let age_recipient = sh(&format!("age-keygen -y {}", q(&age_key)));
    let amana = PathBuf::from(env!("CARGO_BIN_EXE_amana"));
    println!(
        "Amana benchmarks, mode {} (work folder {}, load {:.2}, binary {})",
        mode.name,
        work.display(),
        load(),
        amana.display()
    );
    let mut ctx = Ctx {
        mode,
        work: work.clone(),
        repo: repo.clone(),
        amana,
        age_key,
        age_recipient,
        figures: Vec::new(),
        notes: Vec::new(),
        scaling: Scaling::default(),
        only,
        started: Instant::now(),
        start_load,
        what_if: None,
        ceilings: None,
    };
    type Section = fn(&mut Ctx) -> Res<()>;
    let sections: [(&str, Section); 4] = [
        ("export", export_section),
        ("ingest", ingest_section),
        ("records", records_section),
        ("what-if", what_if_section),
    ];
    for (name, f) in sections {
        if ctx.wants(name) {
            if let Err(e) = f(&mut ctx) {
                ctx.note(format!("section {name} failed: {e}"));
            }
        }
    }
    print_table(&ctx);
    // A partial run (AMANA_BENCH_ONLY) never overwrites the committed report.
    let (report, plot_dir, plot_rel) = if ctx.only.is_none() {
        (repo.join("BENCHMARKS.md"), repo.join("docs/bench"), "docs/bench".to_string())
    } else {
        (work.join("BENCHMARKS.md"), work.join("plots"), "plots".to_string())
    };
    let made = plots(&ctx, &plot_dir)?;
    write_report(&ctx, &report, &plot_dir, &plot_rel, &made)?;
    println!("\nWrote {} and {} plot(s) in {}", report.display(), made.len(), plot_dir.display());
    if std::env::var_os("AMANA_BENCH_KEEP").is_none() && ctx.only.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}
