//! Reports: the statistics an organisation publishes ([`stats`], and the
//! aggregate-only version safe to publish, [`publish`]), and the drafts its
//! lawyers file ([`drafts`], rendered by [`pdf`] or as Markdown).
//!
//! Statistics are returned, never written. A draft is plaintext by nature: it
//! is written only to the path the user chose, atomically (complete or absent),
//! never over an existing file, and the writing is recorded in the audit log.

pub mod drafts;
pub mod pdf;
pub mod publish;
pub mod rows;
pub mod stats;
pub mod words;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, Action, NewEntry};
use crate::dossier::date::Date;
use crate::dossier::store::DossierError;
use crate::dossier::Kind;
use crate::Vault;
pub use drafts::{CcfRequestType, DraftKind, SourceDisclosure};
pub use words::Lang;

/// Everything that can go wrong with a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The records could not be read, or the case does not exist.
    #[error(transparent)]
    Dossier(#[from] DossierError),
    /// The suppression threshold is out of range.
    #[error("the threshold must be between {min} and {max} (got {0})", min = publish::MIN_THRESHOLD, max = publish::MAX_THRESHOLD)]
    BadThreshold(u64),
    /// The period ends before it starts.
    #[error("the period ends ({to}) before it starts ({from})")]
    BadPeriod {
        /// Start.
        from: Date,
        /// End.
        to: Date,
    },
    /// The output file already exists.
    #[error("{0} already exists: choose a new file name")]
    OutputExists(PathBuf),
    /// The output file could not be written.
    #[error("could not write {path}: {reason}")]
    Write {
        /// Where.
        path: PathBuf,
        /// The system's reason.
        reason: String,
    },
    /// The PDF could not be made.
    #[error(transparent)]
    Pdf(#[from] pdf::PdfError),
    /// Stopped (a lock) while the place chosen did not answer.
    #[error("cancelled")]
    Cancelled,
}

impl ReportError {
    /// The stable, dotted code.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::Dossier(e) => e.code(),
            ReportError::BadThreshold(_) => "report.bad_threshold",
            ReportError::BadPeriod { .. } => "report.bad_period",
            ReportError::OutputExists(_) => "report.output_exists",
            ReportError::Write { .. } => "report.write_failed",
            ReportError::Pdf(_) => "report.pdf_failed",
            ReportError::Cancelled => "cancelled",
        }
    }
}

impl From<rusqlite::Error> for ReportError {
    fn from(e: rusqlite::Error) -> Self {
        ReportError::Dossier(e.into())
    }
}

/// Checks a filter's period.
pub fn check_filter(f: &stats::StatsFilter) -> Result<(), ReportError> {
    match (f.from, f.to) {
        (Some(from), Some(to)) if to < from => Err(ReportError::BadPeriod { from, to }),
        _ => Ok(()),
    }
}

/// The statistics of the cases the filter chooses.
pub fn statistics(vault: &Vault, filter: &stats::StatsFilter, as_of: Date) -> Result<stats::Stats, ReportError> {
    check_filter(filter)?;
    Ok(stats::compute(vault.conn(), filter, as_of)?)
}

/// The aggregate-only report, with counts under `threshold` hidden.
pub fn publishable(
    vault: &Vault,
    filter: &stats::StatsFilter,
    threshold: u64,
    as_of: Date,
) -> Result<publish::PublishableReport, ReportError> {
    if !(publish::MIN_THRESHOLD..=publish::MAX_THRESHOLD).contains(&threshold) {
        return Err(ReportError::BadThreshold(threshold));
    }
    Ok(publish::publishable(&statistics(vault, filter, as_of)?, threshold))
}

/// The file format of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DraftFormat {
    /// PDF with embedded fonts.
    Pdf,
    /// Markdown (editable text).
    Md,
}

impl DraftFormat {
    /// The stable name.
    pub fn as_str(&self) -> &'static str {
        match self {
            DraftFormat::Pdf => "pdf",
            DraftFormat::Md => "md",
        }
    }
}

/// What to draft and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DraftSpec {
    /// What kind of draft.
    pub kind: DraftKind,
    /// The case.
    pub case_id: Uuid,
    /// For a CCF request: access, or correction and deletion.
    #[serde(default)]
    pub ccf_type: CcfRequestType,
    /// The language.
    pub lang: Lang,
    /// PDF or Markdown.
    pub format: DraftFormat,
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DraftWritten {
    /// Where.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Which sources' identities are in it.
    pub sources: SourceDisclosure,
    /// Always true: the file is plaintext outside the vault.
    pub unencrypted: bool,
}

/// The bytes of a draft, in memory.
pub fn render(
    vault: &Vault,
    spec: &DraftSpec,
    today: Date,
) -> Result<(zeroize::Zeroizing<Vec<u8>>, SourceDisclosure), ReportError> {
    let (doc, disclosure) = drafts::build(vault.conn(), spec.case_id, spec.kind, spec.ccf_type, spec.lang, today)?;
    let bytes = match spec.format {
        DraftFormat::Pdf => pdf::render(&doc)?,
        DraftFormat::Md => drafts::markdown(&doc).into_bytes(),
    };
    Ok((zeroize::Zeroizing::new(bytes), disclosure))
}

/// Writes a draft to `out`, which the user chose and which must not exist:
/// complete or absent (temporary file, sync, no-clobber link or rename),
/// owner-only, and recorded in the audit log (what, which case, where; never
/// the content). The file is written on a helper thread
/// ([`crate::stall::Destination`]): while the place chosen does not answer
/// (a hung share), `go_on` is asked every 100 ms, and its `false` (a lock)
/// ends the write with [`ReportError::Cancelled`].
pub fn write_draft(
    vault: &mut Vault,
    spec: &DraftSpec,
    out: &Path,
    today: Date,
    go_on: &mut dyn FnMut() -> bool,
) -> Result<DraftWritten, ReportError> {
    let (bytes, sources) = render(vault, spec, today)?;
    let write_err = |e: std::io::Error| {
        if crate::stall::is_cancelled(&e) {
            ReportError::Cancelled
        } else if e.kind() == std::io::ErrorKind::AlreadyExists {
            ReportError::OutputExists(out.to_path_buf())
        } else {
            ReportError::Write { path: out.to_path_buf(), reason: e.to_string() }
        }
    };
    {
        use std::io::Write;
        let mut file = crate::stall::Destination::create(out, "draft", go_on).map_err(write_err)?;
        file.write_all(&bytes).map_err(write_err)?;
        file.commit().map_err(write_err)?;
    }
    let sha256 = hex::encode(Sha256::digest(&bytes[..]));
    // A draft written out is always in the audit log: if the entry cannot be
    // written, the draft is removed again.
    let audited = audit_draft(vault, spec, out, &sha256, &sources);
    if let Err(e) = audited {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(DraftWritten { path: out.to_path_buf(), size: bytes.len() as u64, sha256, sources, unencrypted: true })
}

fn audit_draft(
    vault: &mut Vault,
    spec: &DraftSpec,
    out: &Path,
    sha256: &str,
    sources: &SourceDisclosure,
) -> Result<(), ReportError> {
    let tx = vault.conn_mut().transaction()?;
    audit::append(
        &tx,
        NewEntry {
            action: Action::Draft,
            kind: Some(Kind::Case.as_str()),
            record_id: Some(spec.case_id.to_string()),
            case_id: Some(spec.case_id.to_string()),
            detail: serde_json::json!({
                "draft": spec.kind.as_str(),
                "language": spec.lang.code(),
                "format": spec.format.as_str(),
                "written_to": out.to_string_lossy(),
                "sha256": sha256,
                "source_identities_included": sources.identities_included.len(),
            }),
            content_sha256: None,
        },
    )?;
    tx.commit()?;
    Ok(())
}
