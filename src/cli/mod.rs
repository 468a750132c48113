//! Argument parsing, secret input and output for the `amana` CLI. No vault
//! logic lives here: every command calls one core function and prints its result.

mod handover_cmds;
mod record_cmds;
mod report_cmds;
mod secrets;
mod vault_cmds;

use std::path::PathBuf;

use amana::dossier::date::Date;
use amana::dossier::Kind;
use clap::{Parser, Subcommand};
use record_cmds::RecordCmd;
use serde::Serialize;
use uuid::Uuid;

/// Amana: an offline, encrypted vault for case work on transnational repression.
#[derive(Parser)]
#[command(name = "amana", version, about, long_about = None)]
pub struct Cli {
    /// The vault folder (else $AMANA_VAULT, else the user's data folder).
    #[arg(long, global = true, env = "AMANA_VAULT", value_name = "DIR")]
    vault: Option<PathBuf>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new vault and print its recovery key (once).
    Init(vault_cmds::InitArgs),
    /// Say whether a vault exists and how it is protected (no unlock, no secrets).
    Status,
    /// Verify the passphrase and the vault's integrity.
    Check,
    /// Change the passphrase.
    Passphrase {
        #[command(subcommand)]
        action: vault_cmds::PassphraseAction,
    },
    /// Set a new passphrase using the recovery key.
    Recover(vault_cmds::KdfArgs),
    /// Remember the vault key in this device's keyring (asks for the passphrase, always).
    Remember,
    /// Remove the vault key from this device's keyring.
    Forget,
    /// PANIC ERASE: destroy the vault's keys so it can never be opened again. Irreversible.
    Erase {
        /// First confirmation.
        #[arg(long)]
        yes: bool,
        /// Second confirmation: must be exactly "destroy my vault".
        #[arg(long, value_name = "TEXT")]
        confirm: Option<String>,
    },
    /// Cases (dossiers): one subject each.
    #[command(subcommand)]
    Case(RecordCmd),
    /// Dated changes in a subject's situation (arrested, detained pending extradition...).
    #[command(subcommand)]
    Situation(RecordCmd),
    /// Incidents: extradition proceedings, kidnapping, deportation...
    #[command(subcommand)]
    Incident(RecordCmd),
    /// Instruments: red notices, diffusions, AIMC warrants, rulings, orders.
    #[command(subcommand)]
    Instrument(RecordCmd),
    /// Proceedings: CCF requests, UN complaints, Rule 39, national cases.
    #[command(subcommand)]
    Proceeding(RecordCmd),
    /// Testimonies.
    #[command(subcommand)]
    Testimony(RecordCmd),
    /// Sources of testimonies (their identity is the most sensitive data).
    #[command(subcommand)]
    Source(RecordCmd),
    /// Evidence files (add them with `attach`).
    #[command(subcommand)]
    Evidence(RecordCmd),
    /// Encrypt a file into the vault as evidence.
    Attach(record_cmds::AttachArgs),
    /// Write a verified plaintext copy of an evidence file where you choose.
    Extract(record_cmds::ExtractArgs),
    /// Search names (any spelling), testimonies, notes, incidents, proceedings.
    Search {
        /// Words, "a phrase", or a prefix*. Diacritics and spelling variants of names are tolerated.
        query: String,
        /// Results per page.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Skip this many results (next pages).
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// What is urgent: deadlines passed or near, people detained pending extradition.
    Urgent {
        /// "Near" means within this many days.
        #[arg(long, default_value_t = amana::dossier::views::URGENT_WITHIN_DAYS)]
        within_days: i64,
        /// Compute as of this date instead of today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<Date>,
    },
    /// Every dated fact of a case, in order.
    Timeline {
        /// The case id.
        case: Uuid,
    },
    /// The audit log, newest first.
    Log {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Only entries about this record or case.
        #[arg(long)]
        record: Option<Uuid>,
    },
    /// Print the JSON Schema of every record kind.
    Schema,
    /// This vault's handover identity: contact card, fingerprint, rotation.
    #[command(subcommand)]
    Identity(handover_cmds::IdentityCmd),
    /// People and organisations you send bundles to or receive them from.
    #[command(subcommand)]
    Contact(handover_cmds::ContactCmd),
    /// Export cases as an encrypted, signed bundle for a lawyer or partner.
    Export(handover_cmds::ExportArgs),
    /// Check a bundle you received.
    #[command(subcommand)]
    Bundle(handover_cmds::BundleCmd),
    /// Import a bundle into this vault (checks it completely first).
    Import {
        /// The bundle.
        file: std::path::PathBuf,
        /// An age identity file to open it with, instead of this vault's.
        #[arg(long)]
        identity: Option<std::path::PathBuf>,
        /// Show what the import would do, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Changes received in bundles that wait for your decision.
    Inbox(handover_cmds::InboxArgs),
    /// Mark what a case received from an unverified sender as reviewed.
    Review {
        /// The case id.
        case: Uuid,
    },
    /// Write a full backup of the vault (records, history, files).
    Backup {
        /// Where (must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Encrypt to this vault's identity instead of a backup passphrase.
        #[arg(long)]
        to_self: bool,
    },
    /// Build a new vault (--vault) from a backup.
    Restore(handover_cmds::RestoreArgs),
    /// Statistics: cases by state, tactic, year...; CCF delays; --publishable for figures safe to publish.
    Stats(report_cmds::StatsArgs),
    /// Write a draft letter or case summary (PDF or Markdown) to a file you name. NOT encrypted.
    Draft(report_cmds::DraftArgs),
}

/// What every command gets: where the vault is and how to print.
pub struct Ctx {
    pub vault_dir: PathBuf,
    pub json: bool,
}

/// An error as the CLI reports it: a code and one sentence.
pub struct CliError {
    pub code: &'static str,
    pub message: String,
}

impl From<amana::VaultError> for CliError {
    fn from(e: amana::VaultError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

impl From<amana::api::ApiError> for CliError {
    fn from(e: amana::api::ApiError) -> Self {
        // Codes are a small fixed set and the process ends after printing
        // one error: leaking the one string is simpler than a second type.
        CliError { code: Box::leak(e.code.into_boxed_str()), message: e.message }
    }
}

impl CliError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CliError { code, message: message.into() }
    }
}

pub type CliResult = Result<(), CliError>;

impl Ctx {
    /// Prints `value` as JSON, or `human` otherwise.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        use std::io::Write;
        let text =
            if self.json { serde_json::to_string_pretty(value).expect("output types serialise") } else { human() };
        // A reader that stops early (`| head`) is not an error worth a panic.
        let _ = writeln!(std::io::stdout(), "{text}");
    }
}

fn default_vault_dir() -> PathBuf {
    amana::api::default_vault_dir()
}

/// Parses arguments, runs the command, prints any error, returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    let ctx = Ctx { vault_dir: cli.vault.unwrap_or_else(default_vault_dir), json: cli.json };
    let result = match cli.command {
        Command::Init(args) => vault_cmds::init(&ctx, args),
        Command::Status => vault_cmds::status(&ctx),
        Command::Check => vault_cmds::check(&ctx),
        Command::Passphrase { action } => vault_cmds::passphrase(&ctx, action),
        Command::Recover(args) => vault_cmds::recover(&ctx, args),
        Command::Remember => vault_cmds::remember(&ctx),
        Command::Forget => vault_cmds::forget(&ctx),
        Command::Erase { yes, confirm } => vault_cmds::erase(&ctx, yes, confirm),
        Command::Case(cmd) => record_cmds::record(&ctx, Kind::Case, cmd),
        Command::Situation(cmd) => record_cmds::record(&ctx, Kind::Situation, cmd),
        Command::Incident(cmd) => record_cmds::record(&ctx, Kind::Incident, cmd),
        Command::Instrument(cmd) => record_cmds::record(&ctx, Kind::Instrument, cmd),
        Command::Proceeding(cmd) => record_cmds::record(&ctx, Kind::Proceeding, cmd),
        Command::Testimony(cmd) => record_cmds::record(&ctx, Kind::Testimony, cmd),
        Command::Source(cmd) => record_cmds::record(&ctx, Kind::Source, cmd),
        Command::Evidence(cmd) => record_cmds::record(&ctx, Kind::Evidence, cmd),
        Command::Attach(a) => record_cmds::attach(&ctx, a),
        Command::Extract(a) => record_cmds::extract(&ctx, a),
        Command::Search { query, limit, offset } => record_cmds::search(&ctx, &query, limit, offset),
        Command::Urgent { within_days, as_of } => record_cmds::urgent(&ctx, within_days, as_of),
        Command::Timeline { case } => record_cmds::timeline(&ctx, case),
        Command::Log { limit, record } => record_cmds::log(&ctx, limit, record),
        Command::Schema => record_cmds::schema(&ctx),
        Command::Identity(cmd) => handover_cmds::identity_cmd(&ctx, cmd),
        Command::Contact(cmd) => handover_cmds::contact_cmd(&ctx, cmd),
        Command::Export(a) => handover_cmds::export(&ctx, a),
        Command::Bundle(cmd) => handover_cmds::bundle_cmd(&ctx, cmd),
        Command::Import { file, identity, dry_run } => handover_cmds::import_cmd(&ctx, file, identity, dry_run),
        Command::Inbox(a) => handover_cmds::inbox(&ctx, a),
        Command::Review { case } => handover_cmds::review(&ctx, case),
        Command::Backup { out, to_self } => handover_cmds::backup(&ctx, out, to_self),
        Command::Restore(a) => handover_cmds::restore(&ctx, a),
        Command::Stats(a) => report_cmds::stats(&ctx, a),
        Command::Draft(a) => report_cmds::draft(&ctx, a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            if ctx.json {
                let body = serde_json::json!({ "error": { "code": e.code, "message": e.message } });
                eprintln!("{body}");
            } else {
                eprintln!("amana: {}", capitalise(&e.message));
            }
            1
        }
    }
}

/// A command line clap could not take. Help and version go to stdout as usual;
/// a mistake is one sentence on stderr (exit 2), as JSON when `--json` was
/// given, so scripts read every error the same way.
fn usage_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    if shown || !std::env::args_os().any(|a| a == "--json") {
        let _ = e.print();
        return if shown { 0 } else { 2 };
    }
    let rendered = e.render().to_string();
    let first = rendered.lines().find(|l| !l.trim().is_empty()).unwrap_or("the command line is not valid");
    let message = first.trim().strip_prefix("error: ").unwrap_or(first.trim());
    let body = serde_json::json!({ "error": { "code": "cli.usage", "message": message } });
    eprintln!("{body}");
    2
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + if s.ends_with('.') { "" } else { "." },
        None => String::new(),
    }
}
