//! Argument parsing, secret input and output for the `amana` CLI. No vault
//! logic lives here: every command calls one core function and prints its result.

mod secrets;
mod vault_cmds;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use serde::Serialize;

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
    /// Remember the vault key in this device's keyring.
    Remember,
    /// Remove the vault key from this device's keyring.
    Forget,
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

impl CliError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CliError { code, message: message.into() }
    }
}

pub type CliResult = Result<(), CliError>;

impl Ctx {
    /// Prints `value` as JSON, or `human` otherwise.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            println!("{}", serde_json::to_string_pretty(value).expect("output types serialise"));
        } else {
            println!("{}", human());
        }
    }
}

fn default_vault_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "amana")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("amana-vault"))
}

/// Parses arguments, runs the command, prints any error, returns the exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    let ctx = Ctx { vault_dir: cli.vault.unwrap_or_else(default_vault_dir), json: cli.json };
    let result = match cli.command {
        Command::Init(args) => vault_cmds::init(&ctx, args),
        Command::Status => vault_cmds::status(&ctx),
        Command::Check => vault_cmds::check(&ctx),
        Command::Passphrase { action } => vault_cmds::passphrase(&ctx, action),
        Command::Recover(args) => vault_cmds::recover(&ctx, args),
        Command::Remember => vault_cmds::remember(&ctx),
        Command::Forget => vault_cmds::forget(&ctx),
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

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + if s.ends_with('.') { "" } else { "." },
        None => String::new(),
    }
}
