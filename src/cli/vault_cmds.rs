//! Vault commands: init, status, check, passphrase change, recover, remember, forget.

use std::time::Duration;

use amana::crypto::kdf::{KdfParams, MIN_MEMORY_KIB};
use amana::{Vault, VaultError};
use clap::{Args, Subcommand};
use secrecy::ExposeSecret;
use serde::Serialize;

use super::{secrets, CliError, CliResult, Ctx};

pub const PASSPHRASE_ENV: &str = "AMANA_PASSPHRASE";
pub const NEW_PASSPHRASE_ENV: &str = "AMANA_NEW_PASSPHRASE";
pub const RECOVERY_ENV: &str = "AMANA_RECOVERY_KEY";

/// Argon2id settings for a new passphrase. By default they are calibrated so
/// that unlocking takes about one second on this machine.
#[derive(Args)]
pub struct KdfArgs {
    /// Argon2id memory in MiB (at least 64).
    #[arg(long, value_name = "MIB")]
    kdf_memory_mib: Option<u32>,
    /// Argon2id passes.
    #[arg(long, value_name = "N")]
    kdf_iterations: Option<u32>,
}

impl KdfArgs {
    pub fn params(&self) -> Result<KdfParams, CliError> {
        let mut p = match (self.kdf_memory_mib, self.kdf_iterations) {
            (None, None) => return Ok(KdfParams::calibrate(Duration::from_secs(1))),
            _ => KdfParams { memory_kib: 256 * 1024, iterations: 3, parallelism: 1 },
        };
        if let Some(m) = self.kdf_memory_mib {
            p.memory_kib = m.saturating_mul(1024);
        }
        if let Some(t) = self.kdf_iterations {
            p.iterations = t;
        }
        if p.memory_kib < MIN_MEMORY_KIB {
            return Err(CliError::new("vault.kdf_out_of_bounds", "the key derivation needs at least 64 MiB of memory"));
        }
        p.validate().map_err(VaultError::from)?;
        Ok(p)
    }
}

#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    kdf: KdfArgs,
}

#[derive(Subcommand)]
pub enum PassphraseAction {
    /// Replace the passphrase (the new one from a prompt or AMANA_NEW_PASSPHRASE).
    Change(KdfArgs),
}

/// Unlocks the vault: the remembered key first if this device has one, else
/// the passphrase (environment or prompt).
pub fn unlock(ctx: &Ctx) -> Result<Vault, CliError> {
    if std::env::var(PASSPHRASE_ENV).is_err() {
        match Vault::unlock_remembered(&ctx.vault_dir) {
            Ok(v) => return Ok(v),
            Err(VaultError::NotRemembered) => {}
            Err(e @ VaultError::Keyring(_)) => eprintln!("amana: {e}"),
            Err(e) => return Err(e.into()),
        }
    }
    // Fail fast on a missing vault before asking for anything.
    let status = Vault::status(&ctx.vault_dir)?;
    if !status.exists {
        return Err(VaultError::NotFound(ctx.vault_dir.clone()).into());
    }
    let passphrase = secrets::read(PASSPHRASE_ENV, "passphrase")?;
    Ok(Vault::unlock(&ctx.vault_dir, &passphrase)?)
}

#[derive(Serialize)]
struct InitOutput<'a> {
    vault: &'a std::path::Path,
    kdf: KdfParams,
    recovery_key: &'a str,
}

pub fn init(ctx: &Ctx, args: InitArgs) -> CliResult {
    let status = Vault::status(&ctx.vault_dir)?;
    if status.exists {
        return Err(VaultError::AlreadyExists(ctx.vault_dir.clone()).into());
    }
    let passphrase = secrets::read_new(PASSPHRASE_ENV, "new passphrase")?;
    let params = args.kdf.params()?;
    let (vault, recovery) = Vault::create(&ctx.vault_dir, &passphrase, params)?;
    vault.lock();
    let shown = recovery.display_once();
    let out = InitOutput { vault: &ctx.vault_dir, kdf: params, recovery_key: shown.expose_secret() };
    ctx.emit(&out, || {
        format!(
            "Created a vault in {}.\n\n\
             Your recovery key (shown only this once):\n\n    {}\n\n\
             Write it on paper and keep it somewhere safe, away from this device.\n\
             It is the only way into the vault if the passphrase is forgotten.",
            ctx.vault_dir.display(),
            shown.expose_secret()
        )
    });
    Ok(())
}

pub fn status(ctx: &Ctx) -> CliResult {
    let s = Vault::status(&ctx.vault_dir)?;
    ctx.emit(&s, || {
        if !s.exists {
            return format!("No vault in {}.", s.path.display());
        }
        let kdf = s.kdf.map(|k| {
            format!(
                "Argon2id, {} MiB, {} pass{}, {} lane{}",
                k.memory_kib / 1024,
                k.iterations,
                if k.iterations == 1 { "" } else { "es" },
                k.parallelism,
                if k.parallelism == 1 { "" } else { "s" }
            )
        });
        if let Some(problem) = &s.key_file_problem {
            return format!("Vault: {}\nProblem: {problem}.", s.path.display());
        }
        let mut lines = vec![
            format!("Vault: {}", s.path.display()),
            format!("Key file format: version {}", s.key_file_version.unwrap_or(0)),
            format!("Database schema: version {} (this Amana)", s.supported_schema_version),
            format!("Passphrase protection: {}", kdf.unwrap_or_else(|| "missing".into())),
            format!("Recovery key: {}", if s.has_recovery_key == Some(true) { "set" } else { "missing" }),
            format!("Remembered on this device: {}", if s.remembered_on_this_device { "yes" } else { "no" }),
        ];
        if s.failed_attempts > 0 {
            lines.push(format!("Wrong attempts since the last unlock: {}", s.failed_attempts));
        }
        if s.wait_seconds > 0 {
            lines.push(format!("Next attempt allowed in {} s", s.wait_seconds));
        }
        lines.join("\n")
    });
    Ok(())
}

#[derive(Serialize)]
struct CheckOutput {
    ok: bool,
    schema_version: u32,
    audit_entries: u64,
    audit_first_broken: Option<i64>,
    problems: Vec<String>,
}

pub fn check(ctx: &Ctx) -> CliResult {
    let vault = unlock(ctx)?;
    let mut problems = vault.check_integrity()?;
    let schema_version = amana::db::schema_version(vault.conn()).map_err(VaultError::from)?;
    // On a damaged database the records may not be readable at all: that is
    // one more problem to report, never a reason to report none.
    let (mut audit_entries, mut audit_first_broken) = (0, None);
    match super::record_cmds::vault_for_check(&vault) {
        Ok((chain, files)) => {
            problems.extend(chain.problems.iter().cloned());
            problems.extend(files);
            (audit_entries, audit_first_broken) = (chain.entries, chain.first_broken);
        }
        Err(e) if !problems.is_empty() => {
            problems.push(format!("records, audit log and evidence could not be checked: {}", e.message))
        }
        Err(e) => return Err(e),
    }
    vault.lock();
    let out = CheckOutput { ok: problems.is_empty(), schema_version, audit_entries, audit_first_broken, problems };
    if !out.ok {
        if ctx.json {
            ctx.emit(&out, String::new);
        }
        return Err(CliError::new("vault.check_failed", format!("the vault is damaged: {}", out.problems.join("; "))));
    }
    ctx.emit(&out, || {
        format!("The passphrase is correct and the vault is intact (schema version {schema_version}, {} audit entries, chain unbroken).", out.audit_entries)
    });
    Ok(())
}

pub fn passphrase(ctx: &Ctx, action: PassphraseAction) -> CliResult {
    let PassphraseAction::Change(kdf) = action;
    let mut vault = unlock(ctx)?;
    let new = secrets::read_new(NEW_PASSPHRASE_ENV, "new passphrase")?;
    let params = kdf.params()?;
    vault.change_passphrase(&new, params)?;
    vault.lock();
    ctx.emit(&serde_json::json!({ "changed": true }), || {
        "The passphrase was changed. The old one no longer opens the vault.".into()
    });
    Ok(())
}

pub fn recover(ctx: &Ctx, kdf: KdfArgs) -> CliResult {
    let status = Vault::status(&ctx.vault_dir)?;
    if !status.exists {
        return Err(VaultError::NotFound(ctx.vault_dir.clone()).into());
    }
    let recovery = secrets::read(RECOVERY_ENV, "recovery key")?;
    let new = secrets::read_new(NEW_PASSPHRASE_ENV, "new passphrase")?;
    let params = kdf.params()?;
    Vault::recover(&ctx.vault_dir, &recovery, &new, params)?.lock();
    ctx.emit(&serde_json::json!({ "recovered": true }), || {
        "The vault is open again with the new passphrase. The recovery key stays valid: keep it safe.".into()
    });
    Ok(())
}

pub fn remember(ctx: &Ctx) -> CliResult {
    // Always the passphrase, never the key already remembered: whoever finds
    // the device unlocked must not be able to leave the key on it.
    let status = Vault::status(&ctx.vault_dir)?;
    if !status.exists {
        return Err(VaultError::NotFound(ctx.vault_dir.clone()).into());
    }
    let passphrase = secrets::read(PASSPHRASE_ENV, "passphrase")?;
    Vault::remember_on_this_device(&ctx.vault_dir, &passphrase)?;
    ctx.emit(&serde_json::json!({ "remembered": true }), || {
        "The vault is remembered on this device: anyone who can use this user account can open it without the passphrase. Use `amana forget` to undo.".into()
    });
    Ok(())
}

pub fn forget(ctx: &Ctx) -> CliResult {
    Vault::forget_on_this_device(&ctx.vault_dir)?;
    ctx.emit(&serde_json::json!({ "remembered": false }), || {
        "The vault is no longer remembered on this device.".into()
    });
    Ok(())
}

pub fn erase(ctx: &Ctx, yes: bool, confirm: Option<String>) -> CliResult {
    const PHRASE: &str = "destroy my vault";
    if !yes || confirm.as_deref() != Some(PHRASE) {
        return Err(CliError::new(
            "cli.confirmation_needed",
            format!("panic erase destroys the vault's keys for ever: nothing in it can be opened again, by anyone. To confirm, add --yes --confirm \"{PHRASE}\""),
        ));
    }
    let erased = amana::vault::panic_erase(&ctx.vault_dir)?;
    ctx.emit(&erased, || {
        format!(
            "The vault's keys were destroyed in {} ms. The vault in {} can never be opened again.",
            erased.millis,
            ctx.vault_dir.display()
        )
    });
    Ok(())
}
