//! Record commands: add, list, show, edit, delete and history for every kind
//! of record; attach, extract, search, urgent, timeline, log and schema.
//! Record content is read as JSON from stdin (never argv: other users can read
//! a process's arguments).

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use amana::dossier::date::Date;
use amana::dossier::store::{self, DossierError};
use amana::dossier::views;
use amana::dossier::{Acquisition, FuzzyDate, Kind};
use amana::evidence::{self, EvidenceError};
use amana::{api, audit, search, Vault};
use clap::{Args, Subcommand};
use uuid::Uuid;

use super::vault_cmds::unlock;
use super::{CliError, CliResult, Ctx};

impl From<DossierError> for CliError {
    fn from(e: DossierError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

impl From<EvidenceError> for CliError {
    fn from(e: EvidenceError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

impl From<rusqlite::Error> for CliError {
    fn from(e: rusqlite::Error) -> Self {
        DossierError::from(e).into()
    }
}

/// The same subcommands for every kind of record.
#[derive(Subcommand)]
pub enum RecordCmd {
    /// Add a record: its JSON on stdin (see `amana schema`).
    Add {
        /// The case it belongs to (not for a case).
        #[arg(long)]
        case: Option<Uuid>,
    },
    /// List records (of one case, with --case).
    List {
        /// Only this case's.
        #[arg(long)]
        case: Option<Uuid>,
    },
    /// Show a record (a case with everything in it).
    Show {
        /// The record's id.
        id: Uuid,
        /// Show this earlier version instead.
        #[arg(long)]
        version: Option<u32>,
        /// Compute "days pending" and "days since arrest" as of this date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<Date>,
    },
    /// Edit a record: a JSON merge patch on stdin (only the fields to change; null removes).
    Edit {
        /// The record's id.
        id: Uuid,
    },
    /// Delete a record (a case with everything in it). Asks for confirmation.
    Delete {
        /// The record's id.
        id: Uuid,
        /// Confirm without asking (for scripts).
        #[arg(long)]
        yes: bool,
    },
    /// Every saved version of a record.
    History {
        /// The record's id.
        id: Uuid,
    },
}

#[derive(Args)]
pub struct AttachArgs {
    /// The case, incident, proceeding or testimony the file documents.
    record: Uuid,
    /// The file to encrypt into the vault (the original is not changed).
    file: PathBuf,
    /// Who acquired it (chain of custody).
    #[arg(long, default_value = "")]
    by: String,
    /// When it was acquired.
    #[arg(long, value_name = "DATE")]
    on: Option<FuzzyDate>,
    /// How it was acquired.
    #[arg(long, default_value = "")]
    how: String,
    /// From where or whom (a pseudonym, not an identity).
    #[arg(long, default_value = "")]
    from: String,
    /// What the file shows.
    #[arg(long, default_value = "")]
    description: String,
}

#[derive(Args)]
pub struct ExtractArgs {
    /// The evidence id.
    id: Uuid,
    /// Where to write the plaintext copy (must not exist). It is NOT encrypted.
    #[arg(long)]
    out: PathBuf,
}

fn read_json_stdin(kind: Kind) -> Result<serde_json::Value, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(CliError::new(
            "cli.no_input",
            format!("give the {} as JSON on standard input (see `amana schema`)", kind.as_str()),
        ));
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(64 << 20)
        .read_to_string(&mut text)
        .map_err(|e| CliError::new("cli.bad_input", format!("could not read standard input: {e}")))?;
    // Strict: a field given twice is refused, not silently "last one wins".
    Ok(store::parse_json_text(kind, &text)?)
}

fn human_record(r: &store::StoredRecord) -> String {
    format!("{}  {:<10}  v{}  {}", r.id, r.record.kind().as_str(), r.version, r.record.label())
}

fn confirm(question: &str, yes: bool) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::new(
            "cli.confirmation_needed",
            format!("{question} This cannot be undone: add --yes to confirm"),
        ));
    }
    eprint!("{question} This cannot be undone. Type \"delete\" to confirm: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).map_err(|e| CliError::new("cli.prompt_failed", e.to_string()))?;
    if answer.trim() != "delete" {
        return Err(CliError::new("cancelled", "nothing was deleted"));
    }
    Ok(())
}

pub fn record(ctx: &Ctx, kind: Kind, cmd: RecordCmd) -> CliResult {
    let mut vault = unlock(ctx)?;
    match cmd {
        RecordCmd::Add { case } => {
            let data = if kind == Kind::Evidence { serde_json::Value::Null } else { read_json_stdin(kind)? };
            let r = api::add_record(&mut vault, api::AddRecordRequest { kind, case_id: case, data })?;
            ctx.emit(&r, || format!("Added {} {}.", kind.as_str(), r.id));
        }
        RecordCmd::List { case } => {
            let rs = store::list(vault.conn(), Some(kind), case)?;
            ctx.emit(&rs, || {
                if rs.is_empty() {
                    format!("No {} records.", kind.as_str())
                } else {
                    rs.iter().map(human_record).collect::<Vec<_>>().join("\n")
                }
            });
        }
        RecordCmd::Show { id, version: Some(v), .. } => {
            let r = store::get_kind(vault.conn(), id, kind)?;
            let h = store::history(vault.conn(), id)?;
            let found =
                h.into_iter().find(|x| x.version == v).ok_or(DossierError::NoSuchVersion { id: r.id, version: v })?;
            ctx.emit(&found, || serde_json::to_string_pretty(&found).unwrap_or_default());
        }
        RecordCmd::Show { id, as_of, .. } => {
            if kind == Kind::Case {
                let o = views::case_overview(vault.conn(), id, as_of.unwrap_or_else(Date::today))?;
                ctx.emit(&o, || serde_json::to_string_pretty(&o).unwrap_or_default());
            } else {
                let r = store::get_kind(vault.conn(), id, kind)?;
                ctx.emit(&r, || serde_json::to_string_pretty(&r).unwrap_or_default());
            }
        }
        RecordCmd::Edit { id } => {
            store::get_kind(vault.conn(), id, kind)?;
            let patch = read_json_stdin(kind)?;
            let r = api::edit_record(&mut vault, api::EditRecordRequest { id, patch })?;
            ctx.emit(&r, || format!("Saved {} {} as version {}.", kind.as_str(), r.id, r.version));
        }
        RecordCmd::Delete { id, yes } => {
            let r = store::get_kind(vault.conn(), id, kind)?;
            let inside =
                if kind == Kind::Case { store::list(vault.conn(), None, Some(id))?.len().saturating_sub(1) } else { 0 };
            let what = if inside > 0 {
                format!("Delete the case \"{}\" and the {inside} records in it?", r.record.label())
            } else {
                format!("Delete {} \"{}\"?", kind.as_str(), r.record.label())
            };
            confirm(&what, yes)?;
            // Also truncates the journal and removes evidence files.
            let gone = api::delete_record(&mut vault, id)?;
            ctx.emit(&gone, || format!("Deleted {} record(s).", gone.records.len()));
        }
        RecordCmd::History { id } => {
            store::get_kind(vault.conn(), id, kind)?;
            let h = store::history(vault.conn(), id)?;
            ctx.emit(&h, || h.iter().map(|v| format!("v{}  {}", v.version, v.saved_at)).collect::<Vec<_>>().join("\n"));
        }
    }
    vault.lock();
    Ok(())
}

/// A progress bar on stderr when it is a terminal.
pub(super) fn progress_bar(label: &'static str) -> impl FnMut(u64, u64) -> bool {
    let tty = std::io::stderr().is_terminal();
    let mut last = u64::MAX;
    move |done, total| {
        if tty {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            if pct != last {
                last = pct;
                eprint!("\r{label} {pct:>3}% ({} of {} MiB)", done >> 20, total >> 20);
                if done >= total {
                    eprintln!();
                }
            }
        }
        true
    }
}

pub fn attach(ctx: &Ctx, a: AttachArgs) -> CliResult {
    let mut vault = unlock(ctx)?;
    let mut bar = progress_bar("Encrypting");
    let r = api::attach(
        &mut vault,
        api::AttachRequest {
            attached_to: a.record,
            path: a.file.clone(),
            acquisition: Acquisition { by: a.by, on: a.on, how: a.how, from: a.from },
            description: a.description,
        },
        &mut bar,
    );
    vault.lock();
    let r = r?;
    ctx.emit(&r, || format!("Attached {} as evidence {}.", a.file.display(), r.id));
    Ok(())
}

pub fn extract(ctx: &Ctx, a: ExtractArgs) -> CliResult {
    let mut vault = unlock(ctx)?;
    let mut bar = progress_bar("Decrypting");
    let out = api::save_evidence_copy(&mut vault, a.id, a.out, &mut bar);
    vault.lock();
    let out = out?;
    ctx.emit(&out, || {
        format!(
            "Wrote a verified plaintext copy to {}. This copy is NOT encrypted: delete it when done.",
            out.path.display()
        )
    });
    Ok(())
}

pub fn search(ctx: &Ctx, query: &str, limit: usize, offset: usize) -> CliResult {
    let vault = unlock(ctx)?;
    let res = vault.with_reader(|reader| search::search_with(vault.conn(), reader, query, limit, offset))?;
    vault.lock();
    ctx.emit(&res, || {
        if res.hits.is_empty() {
            return "Nothing found.".into();
        }
        let mut lines = vec![format!("{} found:", res.total)];
        for h in &res.hits {
            let mut snippet = h.snippet.clone();
            for (s, e) in h.highlights.iter().rev() {
                snippet.insert(*e, ']');
                snippet.insert(*s, '[');
            }
            lines.push(format!(
                "{}  {:<10} {}\n    {}",
                h.record_id,
                h.kind.as_str(),
                h.case_label,
                snippet.replace('\n', " ")
            ));
        }
        lines.join("\n")
    });
    Ok(())
}

pub fn urgent(ctx: &Ctx, within_days: i64, as_of: Option<Date>) -> CliResult {
    let vault = unlock(ctx)?;
    let items = views::urgent(vault.conn(), as_of.unwrap_or_else(Date::today), within_days)?;
    vault.lock();
    ctx.emit(&items, || {
        if items.is_empty() {
            return "Nothing urgent.".into();
        }
        items
            .iter()
            .map(|i| {
                let why = match &i.urgency {
                    views::Urgency::DeadlinePassed { days_overdue } => {
                        format!("deadline passed {days_overdue} day(s) ago")
                    }
                    views::Urgency::DeadlineNear { days_left } => format!("deadline in {days_left} day(s)"),
                    views::Urgency::InCustody { days_since_arrest, situation } => format!(
                        "{} for {} day(s)",
                        serde_json::to_value(situation)
                            .ok()
                            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                            .unwrap_or_default(),
                        days_since_arrest.map(|d| d.to_string()).unwrap_or_else(|| "?".into())
                    ),
                };
                format!("{}  {}: {why}", i.case_id, i.case_label)
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

pub fn timeline(ctx: &Ctx, case: Uuid) -> CliResult {
    let vault = unlock(ctx)?;
    let t = views::timeline(vault.conn(), case)?;
    vault.lock();
    ctx.emit(&t, || t.iter().map(|e| format!("{:<12} {}", e.date.to_string(), e.what)).collect::<Vec<_>>().join("\n"));
    Ok(())
}

pub fn log(ctx: &Ctx, limit: usize, about: Option<Uuid>) -> CliResult {
    let vault = unlock(ctx)?;
    let entries = audit::list(vault.conn(), limit, about.map(|u| u.to_string()).as_deref())?;
    vault.lock();
    ctx.emit(&entries, || {
        entries
            .iter()
            .map(|e| {
                format!(
                    "{:>6}  {}  {:<8} {} {}",
                    e.seq,
                    e.at,
                    e.action,
                    e.kind.as_deref().unwrap_or(""),
                    e.record_id.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(())
}

/// The JSON Schema of every record kind's input (what `add` reads).
pub fn schema_json() -> serde_json::Value {
    use amana::dossier::*;
    let mut defs = serde_json::Map::new();
    macro_rules! put {
        ($($k:literal => $t:ty),*) => { $( defs.insert($k.to_string(), serde_json::to_value(schemars::schema_for!($t)).expect("schemas serialise")); )* };
    }
    put!("case" => Case, "situation" => Situation, "incident" => Incident, "instrument" => Instrument, "proceeding" => Proceeding, "testimony" => Testimony, "source" => Source, "evidence" => Evidence);
    serde_json::json!({
        "$comment": "Generated by `amana schema`; the shapes of Amana's records (CLI input and output `data`, desktop app, bundles). Do not edit by hand.",
        "records": defs,
    })
}

pub fn schema(_ctx: &Ctx) -> CliResult {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{}", serde_json::to_string_pretty(&schema_json()).expect("JSON"));
    Ok(())
}

pub fn vault_for_check(vault: &Vault) -> Result<(audit::ChainReport, Vec<String>), CliError> {
    let chain = audit::verify(vault.conn())?;
    let files = evidence::consistency(vault)?;
    Ok((chain, files))
}
