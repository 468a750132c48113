//! Report commands: `stats` (a table, `--json`, `--csv`, `--publishable`) and
//! `draft` (a letter or summary written to the file the user names, never to
//! standard output by default, with a warning that it is not encrypted).

use std::io::Write;
use std::path::PathBuf;

use amana::dossier::date::Date;
use amana::report::rows::{self, Row};
use amana::report::stats::StatsFilter;
use amana::report::{self, CcfRequestType, DraftFormat, DraftKind, DraftSpec, Lang, ReportError};
use clap::{Args, ValueEnum};
use uuid::Uuid;

use super::vault_cmds::unlock;
use super::{CliError, CliResult, Ctx};

impl From<ReportError> for CliError {
    fn from(e: ReportError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

#[derive(Args)]
pub struct StatsArgs {
    /// Only cases with an incident on or after this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<Date>,
    /// Only cases with an incident on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<Date>,
    /// Only cases with this tag (repeat for several: all must be present).
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Compute durations ("pending for", "in detention for") as of this day instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<Date>,
    /// Print CSV (table,key,target,value; see docs/reports.md) instead of a table or JSON.
    #[arg(long)]
    csv: bool,
    /// The aggregate-only report safe to publish: no names, no sources, small counts hidden.
    #[arg(long)]
    publishable: bool,
    /// With --publishable: counts under this are shown as "fewer than N".
    #[arg(long, value_name = "N", default_value_t = report::publish::DEFAULT_THRESHOLD, requires = "publishable")]
    threshold: u64,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// A summary of the case for a lawyer.
    CaseSummary,
    /// A request to the Commission for the Control of INTERPOL's Files.
    CcfRequest,
    /// A submission to the UN Special Procedures (urgent appeal).
    UnUrgentAppeal,
    /// A request for interim measures (ECHR Rule 39, UN committees).
    InterimMeasures,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    En,
    Fr,
    Ar,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Pdf,
    Md,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CcfTypeArg {
    /// Access to the data INTERPOL holds.
    Access,
    /// Correction or deletion of the data.
    CorrectionDeletion,
}

#[derive(Args)]
pub struct DraftArgs {
    /// What to draft.
    #[arg(value_enum)]
    kind: KindArg,
    /// The case.
    case: Uuid,
    /// The language of the draft.
    #[arg(long, value_enum)]
    lang: LangArg,
    /// PDF (fonts embedded) or Markdown; by default from the file name (.md), else PDF.
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Where to write it (must not exist). The file is NOT encrypted.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// For a CCF request: access, or correction and deletion.
    #[arg(long, value_enum, default_value = "access")]
    ccf_type: CcfTypeArg,
    /// Date the draft as of this day instead of today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<Date>,
}

fn print(text: &str) {
    // A reader that stops early (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// The table for people: one block per table, names beside country codes.
fn human(rows: &[Row], heading: &str) -> String {
    let mut out = format!("{heading}\n");
    let mut last = "";
    for r in rows {
        if r.table != last {
            out.push_str(&format!("\n{}\n", r.table.replace('_', " ")));
            last = r.table;
        }
        let name = |code: &str| {
            if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
                amana::country::name(code, "en").map(|n| format!("{code} {n}")).unwrap_or_else(|| code.to_string())
            } else {
                code.replace('_', " ")
            }
        };
        let label = if r.target.is_empty() {
            name(&r.key)
        } else if r.table == "flows" {
            format!("{} -> {}", name(&r.key), name(&r.target))
        } else {
            format!("{} {}", name(&r.key), r.target.replace('_', " "))
        };
        let value = match r.value.strip_prefix('<') {
            Some(n) => format!("fewer than {n}"),
            None => r.value.clone(),
        };
        out.push_str(&format!("  {label:<48} {value:>12}\n"));
    }
    out
}

pub fn stats(ctx: &Ctx, a: StatsArgs) -> CliResult {
    let filter = StatsFilter { from: a.from, to: a.to, tags: a.tags };
    let as_of = a.as_of.unwrap_or_else(Date::today);
    let json = ctx.json;
    let vault = unlock(ctx)?;
    if a.publishable {
        let p = report::publishable(&vault, &filter, a.threshold, as_of);
        vault.lock();
        let p = p?;
        let r = rows::publishable_rows(&p);
        if a.csv {
            print(&rows::csv(&r));
        } else if json {
            print(&(serde_json::to_string_pretty(&p).expect("reports serialise") + "\n"));
        } else {
            print(&human(
                &r,
                &format!(
                    "Publishable report as of {as_of}: no names, no sources; counts under {} shown as \"fewer than {}\".",
                    p.threshold, p.threshold
                ),
            ));
        }
        return Ok(());
    }
    let s = report::statistics(&vault, &filter, as_of);
    vault.lock();
    let s = s?;
    if a.csv {
        print(&rows::csv(&rows::stats_rows(&s)));
    } else if json {
        print(&(serde_json::to_string_pretty(&s).expect("statistics serialise") + "\n"));
    } else {
        print(&human(
            &rows::stats_rows(&s),
            &format!("Statistics as of {as_of} (internal: exact counts; use --publishable for figures to publish)."),
        ));
    }
    Ok(())
}

pub fn draft(ctx: &Ctx, a: DraftArgs) -> CliResult {
    let format = match a.format {
        Some(FormatArg::Pdf) => DraftFormat::Pdf,
        Some(FormatArg::Md) => DraftFormat::Md,
        None if a.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")) => DraftFormat::Md,
        None => DraftFormat::Pdf,
    };
    if a.out.as_os_str() == "-" {
        return Err(CliError::new(
            "cli.bad_input",
            "a draft is written to a file you name with --out, not to standard output",
        ));
    }
    let spec = DraftSpec {
        kind: match a.kind {
            KindArg::CaseSummary => DraftKind::CaseSummary,
            KindArg::CcfRequest => DraftKind::CcfRequest,
            KindArg::UnUrgentAppeal => DraftKind::UnUrgentAppeal,
            KindArg::InterimMeasures => DraftKind::InterimMeasures,
        },
        case_id: a.case,
        ccf_type: match a.ccf_type {
            CcfTypeArg::Access => CcfRequestType::Access,
            CcfTypeArg::CorrectionDeletion => CcfRequestType::CorrectionDeletion,
        },
        lang: match a.lang {
            LangArg::En => Lang::En,
            LangArg::Fr => Lang::Fr,
            LangArg::Ar => Lang::Ar,
        },
        format,
    };
    let mut vault = unlock(ctx)?;
    let written = report::write_draft(&mut vault, &spec, &a.out, a.as_of.unwrap_or_else(Date::today), &mut || true);
    vault.lock();
    let written = written?;
    eprintln!(
        "amana: warning: {} is NOT encrypted. Anyone who gets this file can read it: keep it safe and delete it when it is no longer needed.",
        written.path.display()
    );
    if !written.sources.identities_included.is_empty() {
        eprintln!(
            "amana: it names {} source(s) who consented to it: {}.",
            written.sources.identities_included.len(),
            written.sources.identities_included.join(", ")
        );
    }
    ctx.emit(&written, || {
        format!("Wrote {} ({} bytes, SHA-256 {}).", written.path.display(), written.size, written.sha256)
    });
    Ok(())
}
