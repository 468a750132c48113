//! Handover commands: this vault's identity, contacts, export, bundle
//! verification, import, backup and restore.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use amana::bundle::import::{self, ImportReport, ProposalAction, ProposalReason, ProposedChange, VaultBlock};
use amana::bundle::read::{self, Opener};
use amana::bundle::restore::{self, RestoreError};
use amana::bundle::{BundleError, BundleKind, Profile};
use amana::identity::{self, IdentityError};
use amana::Vault;
use clap::{Args, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use super::record_cmds::progress_bar;
use super::vault_cmds::{unlock, KdfArgs, PASSPHRASE_ENV};
use super::{secrets, CliError, CliResult, Ctx};

/// Where a bundle or backup passphrase comes from in scripts.
pub const BUNDLE_PASSPHRASE_ENV: &str = "AMANA_BUNDLE_PASSPHRASE";

impl From<BundleError> for CliError {
    fn from(e: BundleError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

impl From<IdentityError> for CliError {
    fn from(e: IdentityError) -> Self {
        CliError { code: e.code(), message: e.to_string() }
    }
}

#[derive(Subcommand)]
pub enum IdentityCmd {
    /// Print this vault's contact card and fingerprint (share the card; compare the fingerprint by phone or in person).
    Show,
    /// Change the name shown to recipients.
    Rename {
        /// The new name.
        name: String,
    },
    /// Make a new identity; bundles sent to the old one stay readable here.
    Rotate {
        /// Confirm without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Write this vault's age secret key to a file (to read bundles with the `age` tool). Keep it safe.
    Export {
        /// Where (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum ContactCmd {
    /// Add a contact from a card (JSON) or a bare age1… recipient, from FILE or stdin.
    Add {
        /// The card file (stdin if absent).
        file: Option<PathBuf>,
        /// The name to file it under (default: the card's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// List contacts.
    List,
    /// Mark a contact verified AFTER comparing its fingerprint with them, by phone or in person.
    Verify {
        /// Id, name or age recipient.
        contact: String,
    },
    /// Remove a contact.
    Remove {
        /// Id, name or age recipient.
        contact: String,
        /// Confirm without asking.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Args)]
pub struct ExportArgs {
    /// A case to include (repeat for several).
    #[arg(long = "case", required = true)]
    cases: Vec<Uuid>,
    /// Only these records of the cases (repeat); default: everything in them.
    #[arg(long = "record")]
    records: Vec<Uuid>,
    /// A recipient: a contact's name or id, or an age1… recipient (repeat).
    #[arg(long = "to")]
    to: Vec<String>,
    /// Protect with a passphrase instead (from AMANA_BUNDLE_PASSPHRASE or a prompt); pass it by another channel.
    #[arg(long, conflicts_with = "to")]
    passphrase: bool,
    /// full | no-source-identities | no-private-notes | minimal.
    #[arg(long, default_value = "no-source-identities")]
    profile: String,
    /// Where to write the bundle (must not exist).
    #[arg(long)]
    out: PathBuf,
    /// Do not also encrypt to this vault (then this vault cannot open its own export).
    #[arg(long)]
    no_self: bool,
}

#[derive(Subcommand)]
pub enum BundleCmd {
    /// Check a bundle's sender, signature and every file, and summarise it. Writes nothing.
    Verify {
        /// The bundle.
        file: PathBuf,
        /// An age identity file (for a reader without a vault).
        #[arg(long)]
        identity: Option<PathBuf>,
    },
}

fn bundle_passphrase(new: bool) -> Result<SecretString, CliError> {
    let p = if new {
        secrets::read_new(BUNDLE_PASSPHRASE_ENV, "bundle passphrase")?
    } else {
        secrets::read(BUNDLE_PASSPHRASE_ENV, "bundle passphrase")?
    };
    if new {
        amana::api::check_new_bundle_passphrase(&p)?;
    }
    Ok(p)
}

pub fn identity_cmd(ctx: &Ctx, cmd: IdentityCmd) -> CliResult {
    let vault = unlock(ctx)?;
    let conn = vault.conn();
    match cmd {
        IdentityCmd::Show => {
            let me = identity::active(conn, identity::DEFAULT_NAME)?;
            let out = serde_json::json!({ "card": me.card(), "fingerprint": me.fingerprint() });
            ctx.emit(&out, || {
                format!(
                    "Contact card (share it with the people who send you bundles or receive yours):\n\n{}\n\nFingerprint (compare it with them by phone or in person):\n\n    {}",
                    serde_json::to_string_pretty(&me.card()).unwrap_or_default(),
                    me.fingerprint()
                )
            });
        }
        IdentityCmd::Rename { name } => {
            let me = identity::rename(conn, &name)?;
            ctx.emit(&me.card(), || format!("This vault is now shown as \"{}\".", me.display_name));
        }
        IdentityCmd::Rotate { yes } => {
            if !yes {
                return Err(CliError::new("cli.confirmation_needed", "rotating makes a new identity: your contacts will need your new card and fingerprint. Add --yes to confirm"));
            }
            let me = identity::rotate(conn)?;
            ctx.emit(&serde_json::json!({ "card": me.card(), "fingerprint": me.fingerprint() }), || {
                format!(
                    "New identity made. New fingerprint: {}. Bundles sent to the old one can still be opened here.",
                    me.fingerprint()
                )
            });
        }
        IdentityCmd::Export { out } => {
            let me = identity::active(conn, identity::DEFAULT_NAME)?;
            let mut f = amana::fsx::create_private(&out)
                .map_err(|e| CliError::new("io.failed", format!("could not create {}: {e}", out.display())))?;
            std::io::Write::write_all(&mut f, me.age_identity_file().as_bytes())
                .map_err(|e| CliError::new("io.failed", e.to_string()))?;
            ctx.emit(&serde_json::json!({ "written": out }), || {
                format!("Wrote this vault's secret key to {}. Anyone with this file can read bundles sent to you: keep it offline.", out.display())
            });
        }
    }
    vault.lock();
    Ok(())
}

pub fn contact_cmd(ctx: &Ctx, cmd: ContactCmd) -> CliResult {
    let vault = unlock(ctx)?;
    let conn = vault.conn();
    match cmd {
        ContactCmd::Add { file, name } => {
            let mut text = String::new();
            match file {
                Some(p) => {
                    std::fs::File::open(&p)
                        .and_then(|f| f.take(64 * 1024).read_to_string(&mut text))
                        .map_err(|e| CliError::new("io.failed", format!("could not read {}: {e}", p.display())))?;
                }
                None => {
                    if std::io::stdin().is_terminal() {
                        return Err(CliError::new(
                            "cli.no_input",
                            "give the contact card as a file, or on standard input",
                        ));
                    }
                    std::io::stdin()
                        .take(64 * 1024)
                        .read_to_string(&mut text)
                        .map_err(|e| CliError::new("io.failed", e.to_string()))?;
                }
            }
            let card = identity::parse_card(&text)?;
            let c = identity::add_contact(conn, &card, name.as_deref())?;
            ctx.emit(&c, || match &c.fingerprint {
                Some(f) => format!("Added \"{}\" (not verified yet). Compare this fingerprint with them, then run `amana contact verify`:\n\n    {f}", c.display_name),
                None => format!("Added \"{}\": a bare age recipient. You can send bundles to it; it cannot sign bundles, so it can never be a verified sender.", c.display_name),
            });
        }
        ContactCmd::List => {
            let cs = identity::contacts(conn)?;
            ctx.emit(&cs, || {
                if cs.is_empty() {
                    return "No contacts yet.".into();
                }
                cs.iter()
                    .map(|c| {
                        format!(
                            "{}  {:<24} {}  {}",
                            c.id,
                            c.display_name,
                            if c.verified { "verified    " } else { "NOT verified" },
                            c.fingerprint.as_deref().unwrap_or("(bare age recipient)")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ContactCmd::Verify { contact } => {
            let c = identity::find_contact(conn, &contact)?;
            if c.signing_key.is_none() {
                return Err(CliError::new(
                    "contact.cannot_verify",
                    "a bare age recipient has no fingerprint to verify",
                ));
            }
            let c = identity::verify_contact(conn, &contact)?;
            ctx.emit(&c, || format!("\"{}\" is now verified.", c.display_name));
        }
        ContactCmd::Remove { contact, yes } => {
            if !yes {
                return Err(CliError::new(
                    "cli.confirmation_needed",
                    "removing a contact cannot be undone: add --yes to confirm",
                ));
            }
            let c = identity::remove_contact(conn, &contact)?;
            ctx.emit(&c, || format!("Removed \"{}\".", c.display_name));
        }
    }
    vault.lock();
    Ok(())
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CliResult {
    let profile = Profile::parse(&a.profile).ok_or_else(|| {
        CliError::new(
            "bundle.bad_profile",
            "the profile is one of: full, no-source-identities, no-private-notes, minimal",
        )
    })?;
    let mut vault = unlock(ctx)?;
    let passphrase = if a.passphrase { Some(bundle_passphrase(true)?) } else { None };
    let req = amana::api::ExportRequest {
        cases: a.cases,
        records: a.records,
        to: a.to,
        passphrase,
        profile,
        out: a.out,
        no_self: Some(a.no_self),
    };
    let mut bar = progress_bar("Exporting");
    let summary = amana::api::export(&mut vault, req, &mut bar);
    vault.lock();
    let summary = summary?;
    ctx.emit(&summary, || {
        let mut s = format!(
            "Wrote {} ({} bytes): {} case(s), {} record(s), {} file(s).\nFor: {}.\nContains {}.",
            summary.path.display(),
            summary.size,
            summary.cases,
            summary.records,
            summary.files,
            summary.recipients.join(", "),
            summary.profile.summary()
        );
        if summary.unreviewed > 0 {
            s.push_str(&format!(
                "\n{} record(s) in it came from a sender you have not verified and were not reviewed; \
                 they are marked so in the bundle.",
                summary.unreviewed
            ));
        }
        s
    });
    Ok(())
}

fn opener_for(
    file: &std::path::Path,
    identity_file: Option<&PathBuf>,
    vault: Option<&Vault>,
) -> Result<Opener, CliError> {
    if read::needs_passphrase(file)? {
        return Ok(Opener::Passphrase(bundle_passphrase(false)?));
    }
    if let Some(path) = identity_file {
        return Ok(read::identity_file_opener(path)?);
    }
    let vault = vault.ok_or_else(|| CliError::new("bundle.no_identity", "give --identity FILE, or use a vault"))?;
    Ok(Opener::Identities(
        identity::all_age_identities(vault.conn())?
            .into_iter()
            .map(|i| Box::new(i) as Box<dyn age::Identity>)
            .collect(),
    ))
}

fn human_summary(s: &read::BundleSummary) -> String {
    let who = match (&s.sender_contact, s.sender_verified, s.from_this_vault) {
        (_, _, true) => "this vault".to_string(),
        (Some(name), true, _) => format!("{name} (VERIFIED contact)"),
        (Some(name), false, _) => format!("{name} (contact NOT verified: compare fingerprints before trusting it)"),
        (None, _, _) => format!("\"{}\" (UNKNOWN sender: not one of your contacts)", s.sender.display_name),
    };
    let made_for = match s.addressed_to_you {
        Some(true) => "you".to_string(),
        Some(false) => "SOMEONE ELSE: this bundle was passed on to you by someone other than its sender; \
                       its sender is not trusted here"
            .to_string(),
        None if s.format_version < 2 => "not said (an older bundle format: nothing it changes is applied \
                                         without your acceptance)"
            .to_string(),
        None => "not known (opened with an identity file)".to_string(),
    };
    let mut lines = vec![
        format!("Sender:      {who}"),
        format!("Made for:    {made_for}"),
        format!("Fingerprint: {}", s.sender.fingerprint),
        format!("Made:        {}", s.created_at),
        format!("Integrity:   {}", s.integrity),
        format!("Contains:    {}", s.profile_summary),
        format!("Records:     {}", s.records.iter().map(|(k, n)| format!("{n} {k}")).collect::<Vec<_>>().join(", ")),
        format!("Files:       {} ({} bytes)", s.files, s.file_bytes),
    ];
    if s.kind == BundleKind::Backup {
        lines.push(format!("Vault:       {} contacts, {} handover identities", s.contacts, s.identities));
    }
    lines.push("Cases:".to_string());
    lines.extend(s.cases.iter().map(|(id, label)| format!("  {id}  {label}")));
    lines.join("\n")
}

pub fn bundle_cmd(ctx: &Ctx, cmd: BundleCmd) -> CliResult {
    let BundleCmd::Verify { file, identity: identity_file } = cmd;
    let vault = if identity_file.is_some() { None } else { Some(unlock(ctx)?) };
    let opener = opener_for(&file, identity_file.as_ref(), vault.as_ref())?;
    let mut bar = progress_bar("Checking");
    let manifest = import::verify(&file, &opener, &mut bar)?;
    let reader = read::Reader::of(&opener, vault.as_ref().map(|v| v.conn()))?;
    let summary = read::summarise(&manifest, vault.as_ref().map(|v| v.conn()), &reader)?;
    if let Some(v) = vault {
        v.lock();
    }
    ctx.emit(&summary, || human_summary(&summary));
    Ok(())
}

fn proposal_reason(r: ProposalReason) -> &'static str {
    match r {
        ProposalReason::NewRecordInYourCase => "a new record for a case of yours, from a sender you have not verified",
        ProposalReason::NotCustodian => "the sender did not create this record, so may only propose changes to it",
        ProposalReason::SenderNotVerified => "the sender created this record but is not a verified contact",
        ProposalReason::NotAddressedToYou => "the bundle was not made for you (someone passed it on)",
        ProposalReason::OldFormat => "an older bundle format, which cannot say who it was for",
        ProposalReason::EditedHere => "you edited this record since its creator's last version",
        ProposalReason::SameVersionDifferent => "its creator sent two different contents under the same version number",
        ProposalReason::VersionJump => "its version number jumps implausibly far ahead",
        ProposalReason::ReceivedBeforeCustody => {
            "you received this record before Amana kept track of who created what; check it once"
        }
        ProposalReason::OwnOtherCopy => "another copy of this vault changed it",
        ProposalReason::NeedsARecordNotTaken => {
            "it needs a record that was not taken (deleted here, or waiting itself)"
        }
        ProposalReason::Deletion => "the sender deleted it",
    }
}

fn human_proposal(p: &ProposedChange) -> String {
    let action = match p.action {
        ProposalAction::Add => "add",
        ProposalAction::Change => "change",
        ProposalAction::Delete => "DELETE",
    };
    let mut s = format!(
        "  {}{} {} {} \"{}\" in case \"{}\"\n    from {} ({}){}\n    why it waits: {}",
        p.id.map(|i| format!("{i}: ")).unwrap_or_default(),
        action,
        p.kind.as_str(),
        p.record_id,
        p.label,
        p.case_label,
        p.sender_name,
        if p.sender_verified { "verified" } else { "NOT verified" },
        if p.stale { "; the record changed here since" } else { "" },
        proposal_reason(p.reason)
    );
    for f in &p.fields {
        s.push_str(&format!("\n    {}: {} -> {}", f.field, short(&f.before), short(&f.after)));
    }
    s
}

fn short(v: &serde_json::Value) -> String {
    let t = match v {
        serde_json::Value::Null => "(none)".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    // Control characters are shown escaped, never sent to the terminal.
    let cut: String = t
        .chars()
        .take(80)
        .flat_map(|c| if c.is_control() { c.escape_debug().collect::<Vec<_>>() } else { vec![c] })
        .collect();
    if t.chars().count() > 80 {
        format!("{cut}…")
    } else {
        cut
    }
}

fn human_report(r: &ImportReport) -> String {
    let mut s = human_summary(&r.bundle);
    s.push_str(if r.dry_run { "\n\nWhat an import would do (nothing was written):" } else { "\n\nImported:" });
    let counts = [
        (r.added, "record(s) added"),
        (r.added_to_existing_cases, "of them in cases you already had"),
        (r.held_for_review, "of them held for review: the sender is not verified (`amana review CASE` once checked)"),
        (r.updated, "record(s) updated by the person who created them"),
        (r.unchanged, "record(s) already here, the same"),
        (r.older, "record(s) older than what you have (nothing to do)"),
        (r.files_added, "file(s) added"),
    ];
    let mut any = false;
    for (n, what) in counts {
        if n > 0 {
            s.push_str(&format!("\n  {n} {what}"));
            any = true;
        }
    }
    if !any && r.proposed.is_empty() && r.not_brought_back == 0 && r.rejected_before == 0 {
        s.push_str("\n  nothing new");
    }
    if !r.new_cases.is_empty() {
        s.push_str("\nNew cases:");
        for (id, label) in &r.new_cases {
            s.push_str(&format!("\n  {id}  {label}"));
        }
    }
    if r.rejected_before > 0 {
        s.push_str(&format!("\n{} change(s) you rejected before were not proposed again.", r.rejected_before));
    }
    if r.not_brought_back > 0 {
        s.push_str(&format!("\n{} record(s) you deleted were not brought back.", r.not_brought_back));
    }
    match r.vault_block {
        VaultBlock::Ignored => s.push_str(
            "\nThis backup was made by another vault: its identities and contacts were NOT taken (your identity and contacts are unchanged).",
        ),
        VaultBlock::Applied if !r.dry_run => s.push_str(&format!(
            "\nThis vault's own backup: {} identities and {} contacts added back.",
            r.restored.identities, r.restored.contacts
        )),
        _ => {}
    }
    if !r.proposed.is_empty() {
        s.push_str(&format!(
            "\n{} change(s) were NOT applied and wait for your decision (`amana inbox`):",
            r.proposed.len()
        ));
        for p in &r.proposed {
            s.push('\n');
            s.push_str(&human_proposal(p));
        }
    }
    s
}

pub fn import_cmd(ctx: &Ctx, file: PathBuf, identity_file: Option<PathBuf>, dry_run: bool) -> CliResult {
    let mut vault = unlock(ctx)?;
    let opener = opener_for(&file, identity_file.as_ref(), Some(&vault))?;
    let mut bar = progress_bar(if dry_run { "Checking" } else { "Importing" });
    let report = if dry_run {
        import::dry_run(&vault, &file, Some(opener), &mut bar)?
    } else {
        import::import(&mut vault, &file, Some(opener), &mut bar)?
    };
    vault.lock();
    ctx.emit(&report, || human_report(&report));
    Ok(())
}

/// `amana inbox`: list, accept or reject proposed changes.
#[derive(clap::Args)]
pub struct InboxArgs {
    #[command(subcommand)]
    action: Option<InboxAction>,
    /// Also list changes already accepted or rejected.
    #[arg(long)]
    all: bool,
}

#[derive(clap::Subcommand)]
enum InboxAction {
    /// Apply a proposed change (or every one of a bundle: --bundle ID).
    Accept {
        /// The proposed change's id.
        #[arg(required_unless_present = "bundle")]
        id: Option<Uuid>,
        /// Every pending change of this bundle.
        #[arg(long, conflicts_with = "id")]
        bundle: Option<Uuid>,
    },
    /// Refuse a proposed change (or every one of a bundle); it is not proposed again.
    Reject {
        /// The proposed change's id.
        #[arg(required_unless_present = "bundle")]
        id: Option<Uuid>,
        /// Every pending change of this bundle.
        #[arg(long, conflicts_with = "id")]
        bundle: Option<Uuid>,
    },
}

pub fn inbox(ctx: &Ctx, args: InboxArgs) -> CliResult {
    let mut vault = unlock(ctx)?;
    let decide = |vault: &mut Vault, id: Option<Uuid>, bundle: Option<Uuid>, accept: bool| {
        amana::api::decide_proposals(vault, amana::api::DecideRequest { proposal: id, bundle_id: bundle, accept })
    };
    let result = match args.action {
        None => {
            let list = amana::api::proposals(&vault, args.all).map_err(CliError::from)?;
            vault.lock();
            ctx.emit(&list, || {
                if list.is_empty() {
                    "No change waits for your decision.".to_string()
                } else {
                    let mut s = format!("{} change(s) wait for your decision:", list.len());
                    for p in &list {
                        s.push('\n');
                        s.push_str(&human_proposal(p));
                    }
                    s.push_str("\nAccept with `amana inbox accept ID`, reject with `amana inbox reject ID` (or --bundle ID for all of a bundle).");
                    s
                }
            });
            return Ok(());
        }
        Some(InboxAction::Accept { id, bundle }) => decide(&mut vault, id, bundle, true),
        Some(InboxAction::Reject { id, bundle }) => decide(&mut vault, id, bundle, false),
    };
    vault.lock();
    let done = result.map_err(CliError::from)?;
    ctx.emit(&done, || {
        let mut s = format!("{} accepted, {} rejected.", done.accepted, done.rejected);
        if done.records_removed > 0 {
            s.push_str(&format!(" {} record(s) removed.", done.records_removed));
        }
        s
    });
    Ok(())
}

pub fn review(ctx: &Ctx, case: Uuid) -> CliResult {
    let mut vault = unlock(ctx)?;
    let n = amana::api::mark_case_reviewed(&mut vault, case).map_err(CliError::from);
    vault.lock();
    let n = n?;
    ctx.emit(&serde_json::json!({ "case": case, "records_reviewed": n }), || {
        format!("{n} record(s) of case {case} marked as reviewed.")
    });
    Ok(())
}

pub fn backup(ctx: &Ctx, out: PathBuf, to_self: bool) -> CliResult {
    let mut vault = unlock(ctx)?;
    let to = if to_self {
        amana::api::BackupTo::ThisVault
    } else {
        amana::api::BackupTo::Passphrase(bundle_passphrase(true)?)
    };
    let mut bar = progress_bar("Backing up");
    let summary = amana::api::backup_to(&mut vault, out, to, &mut bar);
    vault.lock();
    let summary = summary?;
    ctx.emit(&summary, || {
        format!(
            "Backup written to {} ({} bytes, {} records, {} files).{}",
            summary.path.display(),
            summary.size,
            summary.records,
            summary.files,
            if to_self {
                " It opens only with this vault's identity: keep `amana identity export` somewhere safe too."
            } else {
                " Keep its passphrase apart from it."
            }
        )
    });
    Ok(())
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup bundle.
    file: PathBuf,
    /// The identity file, for a backup made with --to-self.
    #[arg(long)]
    identity: Option<PathBuf>,
    #[command(flatten)]
    kdf: KdfArgs,
}

pub fn restore(ctx: &Ctx, a: RestoreArgs) -> CliResult {
    // Before a bundle passphrase is asked for.
    restore::check_destination(&ctx.vault_dir)?;
    let opener = opener_for(&a.file, a.identity.as_ref(), None)?;
    // The backup is checked completely before the new passphrase is asked for.
    let checked = restore::check(&ctx.vault_dir, &a.file, opener, &mut |_, _| true)?;
    let passphrase = secrets::read_new(PASSPHRASE_ENV, "new passphrase for the restored vault")?;
    let params = a.kdf.params()?;
    let mut bar = progress_bar("Restoring");
    let done = checked.restore(&passphrase, params, &mut bar)?;
    let (report, shown) = (done.report, done.recovery.display_once());
    ctx.emit(&serde_json::json!({ "restored": report, "recovery_key": shown.expose_secret() }), || {
        format!(
            "Restored {} records, {} files, {} contacts and {} handover identities into {}.\n\nThe restored vault has a new recovery key (shown only this once):\n\n    {}\n\nWrite it down and keep it away from this device.",
            report.added,
            report.files_added,
            report.restored.contacts,
            report.restored.identities,
            ctx.vault_dir.display(),
            shown.expose_secret()
        )
    });
    Ok(())
}

impl From<RestoreError> for CliError {
    fn from(e: RestoreError) -> Self {
        match e {
            RestoreError::NotABackup => CliError::new(
                e.code(),
                "this bundle is a handover, not a backup: create a vault and `amana import` it instead",
            ),
            e => CliError { code: e.code(), message: e.to_string() },
        }
    }
}
