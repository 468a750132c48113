//! The records of a dossier, in the words the users use (see DOMAIN.md):
//! a case and its subject, the subject's situation history, incidents,
//! instruments, proceedings, testimonies, sources and evidence.
//!
//! These structs are the JSON shapes of the CLI, the desktop app and bundles
//! (schema: docs/records.schema.json). Input is strict: unknown fields,
//! impossible dates and unknown country codes are refused, never dropped.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

pub use super::date::{Date, FuzzyDate};

/// An ISO 3166-1 alpha-2 country code, validated and upper-cased ("SA", "TR").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[schemars(description = "ISO 3166-1 alpha-2 country code, e.g. \"SA\", \"TR\", \"FR\".")]
pub struct CountryCode(String);

impl CountryCode {
    /// Validates a code.
    pub fn parse(code: &str) -> Result<CountryCode, String> {
        crate::country::normalise(code)
            .map(|c| CountryCode(c.to_string()))
            .ok_or_else(|| format!("\"{code}\" is not an ISO 3166 country code (use two letters, e.g. GB, not UK)"))
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CountryCode::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A value's stable name in plain words: `detained_pending_extradition` →
/// "detained pending extradition", with the domain's acronyms in capitals.
pub fn words_of<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    raw.split('_')
        .map(|w| match w {
            "ccf" | "echr" | "wgad" | "un" | "hrc" | "cat" | "aimc" | "interpol" => w.to_ascii_uppercase(),
            "rule39" => "Rule 39".to_string(),
            _ => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The kinds of record a vault holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A dossier about one subject.
    Case,
    /// A dated change in the subject's situation.
    Situation,
    /// An act of transnational repression.
    Incident,
    /// A red notice, diffusion, warrant, ruling or order.
    Instrument,
    /// A remedy pursued: CCF request, UN complaint, court case.
    Proceeding,
    /// A recorded statement.
    Testimony,
    /// The person who gave a testimony.
    Source,
    /// An encrypted evidence file.
    Evidence,
}

impl Kind {
    /// Every kind, cases first.
    pub const ALL: [Kind; 8] = [
        Kind::Case,
        Kind::Situation,
        Kind::Incident,
        Kind::Instrument,
        Kind::Proceeding,
        Kind::Testimony,
        Kind::Source,
        Kind::Evidence,
    ];
    /// The stable name used in storage, JSON and the CLI.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Case => "case",
            Kind::Situation => "situation",
            Kind::Incident => "incident",
            Kind::Instrument => "instrument",
            Kind::Proceeding => "proceeding",
            Kind::Testimony => "testimony",
            Kind::Source => "source",
            Kind::Evidence => "evidence",
        }
    }
    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a case stands in the organisation's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being worked on.
    #[default]
    Open,
    /// Watched, no action now.
    Monitoring,
    /// Finished.
    Closed,
}

/// How much danger the subject is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// Low.
    Low,
    /// Medium.
    #[default]
    Medium,
    /// High.
    High,
    /// Life or liberty at immediate risk.
    Critical,
}

/// A case (dossier): one subject, and everything documented about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// A short title, e.g. "Extradition of I. H. from Türkiye".
    #[serde(default)]
    pub title: String,
    /// Status of the organisation's work.
    #[serde(default)]
    pub status: CaseStatus,
    /// Risk to the subject.
    #[serde(default)]
    pub risk: RiskLevel,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Summary for colleagues and lawyers.
    #[serde(default)]
    pub summary: String,
    /// Private notes: left out of bundles by the "no private notes" profile.
    #[serde(default)]
    pub private_notes: String,
    /// The targeted person or organisation.
    pub subject: Subject,
}

/// Person or organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A person.
    #[default]
    Person,
    /// An organisation.
    Organisation,
}

/// The targeted person or organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// Person or organisation.
    #[serde(default)]
    pub kind: SubjectKind,
    /// All known names: the first is the one shown.
    pub names: Vec<SubjectName>,
    /// Nationalities (several are normal).
    #[serde(default)]
    pub nationalities: Vec<CountryCode>,
    /// Profile tags.
    #[serde(default)]
    pub profiles: Vec<Profile>,
    /// Where the subject is now, if known.
    #[serde(default)]
    pub current_location: Option<Place>,
    /// Date of birth, if known.
    #[serde(default)]
    pub born: Option<FuzzyDate>,
}

/// One name of a subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SubjectName {
    /// The name as written, in any script.
    pub name: String,
    /// What kind of name this is.
    #[serde(default)]
    pub kind: NameKind,
}

/// The role of a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// The name used in the case.
    #[default]
    Primary,
    /// Another spelling in Latin script.
    Transliteration,
    /// The name in the subject's own script (e.g. Arabic).
    NativeScript,
    /// An alias or another name.
    Alias,
}

/// Profile tags from DOMAIN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// Human rights defender.
    HumanRightsDefender,
    /// Dissident.
    Dissident,
    /// Journalist.
    Journalist,
    /// Protester.
    Protester,
    /// Asylum seeker.
    AsylumSeeker,
    /// Member of a religious minority.
    ReligiousMinority,
    /// Family member of a dissident.
    FamilyMember,
}

/// A place: a country and, if known, a locality.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Country.
    pub country: Option<CountryCode>,
    /// City, prison, airport...
    #[serde(default)]
    pub locality: String,
}

/// A subject's situation at some date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SituationKind {
    /// Free.
    AtLiberty,
    /// Arrested.
    Arrested,
    /// In detention pending an extradition decision.
    DetainedPendingExtradition,
    /// Released.
    Released,
    /// Handed over to the requesting state.
    Extradited,
    /// Deported.
    Deported,
    /// Whereabouts unknown after detention.
    ForciblyDisappeared,
    /// In exile.
    InExile,
    /// Killed.
    Killed,
}

impl SituationKind {
    /// Whether the subject is in custody in this situation.
    pub fn in_custody(&self) -> bool {
        matches!(self, SituationKind::Arrested | SituationKind::DetainedPendingExtradition)
    }
}

/// A dated change in the subject's situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Situation {
    /// When.
    pub date: FuzzyDate,
    /// The new situation.
    pub situation: SituationKind,
    /// Where.
    #[serde(default)]
    pub place: Option<Place>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Tactics of transnational repression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Tactic {
    /// Politically motivated extradition proceedings.
    ExtraditionProceedings,
    /// Criminal prosecution in absentia.
    ProsecutionInAbsentia,
    /// Kidnapping.
    Kidnapping,
    /// Deportation.
    Deportation,
    /// Terrorism listing.
    TerrorismListing,
    /// Travel bans, asset freezes, passport refusal.
    AdministrativeSanctions,
    /// Killing.
    Killing,
    /// Harassment of family members.
    FamilyHarassment,
    /// Anything else.
    Other,
}

/// An act of transnational repression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// The tactic used.
    pub tactic: Tactic,
    /// The state pursuing the subject.
    pub requesting_state: CountryCode,
    /// The state asked to act, if any.
    #[serde(default)]
    pub requested_state: Option<CountryCode>,
    /// When it happened (possibly approximate).
    pub date: FuzzyDate,
    /// What happened.
    #[serde(default)]
    pub description: String,
    /// Where the information comes from (citations, not identities).
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Kinds of instrument used against a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InstrumentKind {
    /// INTERPOL red notice.
    InterpolRedNotice,
    /// INTERPOL diffusion.
    InterpolDiffusion,
    /// Arab Interior Ministers' Council warrant.
    AimcWarrant,
    /// National arrest warrant.
    NationalWarrant,
    /// Court ruling.
    CourtRuling,
    /// Extradition order.
    ExtraditionOrder,
    /// Deportation order.
    DeportationOrder,
}

/// Whether an instrument is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum InstrumentStatus {
    /// In force.
    Active,
    /// Withdrawn or deleted.
    Withdrawn,
    /// Not known.
    #[default]
    Unknown,
}

/// A notice, warrant, ruling or order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// What it is.
    pub kind: InstrumentKind,
    /// The state that issued or requested it.
    pub issuing_state: CountryCode,
    /// When it was issued.
    #[serde(default)]
    pub issued_on: Option<FuzzyDate>,
    /// When the subject learnt of it.
    #[serde(default)]
    pub learnt_on: Option<FuzzyDate>,
    /// When it was withdrawn.
    #[serde(default)]
    pub withdrawn_on: Option<FuzzyDate>,
    /// In force or not.
    #[serde(default)]
    pub status: InstrumentStatus,
    /// Reference number, if known.
    #[serde(default)]
    pub reference: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// Kinds of proceeding the organisation pursues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProceedingKind {
    /// CCF request for access to INTERPOL's data.
    CcfAccess,
    /// CCF request for correction.
    CcfCorrection,
    /// CCF request for deletion.
    CcfDeletion,
    /// UN Special Procedures urgent appeal or communication.
    UnSpecialProcedures,
    /// UN Working Group on Arbitrary Detention.
    Wgad,
    /// UN Committee against Torture individual complaint.
    CatComplaint,
    /// UN Human Rights Committee individual complaint.
    HrcComplaint,
    /// European Court of Human Rights interim measures (Rule 39).
    EchrRule39,
    /// National asylum proceedings.
    NationalAsylum,
    /// National court proceedings.
    NationalCourt,
    /// Anything else.
    Other,
}

/// How a proceeding ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Granted (e.g. data deleted, detention declared arbitrary).
    Granted,
    /// Partly granted.
    PartlyGranted,
    /// Rejected.
    Rejected,
    /// Inadmissible.
    Inadmissible,
    /// Withdrawn by the applicant.
    Withdrawn,
    /// Closed without a decision.
    Closed,
}

/// Interim measures requested in a proceeding ("do not extradite while we examine").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct InterimMeasures {
    /// When requested.
    #[serde(default)]
    pub requested_on: Option<Date>,
    /// When granted, if granted.
    #[serde(default)]
    pub granted_on: Option<Date>,
    /// Whether the state respected them (None: not known yet).
    #[serde(default)]
    pub respected: Option<bool>,
}

/// A remedy pursued for the subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Proceeding {
    /// What kind.
    pub kind: ProceedingKind,
    /// Where (e.g. "Istanbul Court of Cassation"); optional for UN bodies.
    #[serde(default)]
    pub forum: String,
    /// Case or communication reference.
    #[serde(default)]
    pub reference: String,
    /// When filed.
    #[serde(default)]
    pub filed_on: Option<Date>,
    /// The next deadline.
    #[serde(default)]
    pub deadline: Option<Date>,
    /// When decided.
    #[serde(default)]
    pub decided_on: Option<Date>,
    /// The outcome, once decided.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Interim measures, if requested.
    #[serde(default)]
    pub interim_measures: Option<InterimMeasures>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

/// A recorded statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    /// The statement, in any script.
    pub text: String,
    /// Language (BCP 47, e.g. "ar", "fr", "en").
    pub language: String,
    /// When recorded.
    #[serde(default)]
    pub date: Option<FuzzyDate>,
    /// Where recorded.
    #[serde(default)]
    pub place: Option<Place>,
    /// Who recorded it.
    #[serde(default)]
    pub interviewer: String,
    /// The source record (its identity is kept apart).
    #[serde(default)]
    pub source_id: Option<uuid::Uuid>,
}

/// How a source relates to the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SourceRelation {
    /// The subject themself.
    Subject,
    /// A relative.
    Relative,
    /// A witness.
    #[default]
    Witness,
    /// A lawyer.
    Lawyer,
    /// Anyone else.
    Other,
}

/// What the source agreed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// May be shared with lawyers.
    #[serde(default)]
    pub share_with_lawyers: bool,
    /// May be shared with UN bodies.
    #[serde(default)]
    pub share_with_un: bool,
    /// May be published.
    #[serde(default)]
    pub publish: bool,
}

/// The identity of a source: the most sensitive data in the vault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SourceIdentity {
    /// Full name.
    #[serde(default)]
    pub full_name: String,
    /// How to reach them.
    #[serde(default)]
    pub contact: String,
    /// Anything else that identifies them.
    #[serde(default)]
    pub notes: String,
}

/// A person who gave a testimony. Shown outside the vault only by pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The name used wherever the source is shown outside the vault.
    pub pseudonym: String,
    /// Relation to the subject.
    #[serde(default)]
    pub relation: SourceRelation,
    /// What they agreed to.
    #[serde(default)]
    pub consent: Consent,
    /// Who they are. Omitted from bundles by the "no source identities" profile.
    #[serde(default)]
    pub identity: Option<SourceIdentity>,
}

/// Chain of custody: how an evidence file was acquired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Acquisition {
    /// Who acquired it.
    #[serde(default)]
    pub by: String,
    /// When.
    #[serde(default)]
    pub on: Option<FuzzyDate>,
    /// How (e.g. "sent by the family over Signal", "photographed at the court").
    #[serde(default)]
    pub how: String,
    /// From where or whom (not an identity: use a source's pseudonym).
    #[serde(default)]
    pub from: String,
}

/// An evidence file, encrypted in the vault. Created by `attach`; its file
/// fields are set at ingest and never change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The record it is attached to (case, incident, proceeding or testimony).
    pub attached_to: uuid::Uuid,
    /// The original file name.
    pub file_name: String,
    /// Media type, guessed from the name (e.g. "audio/ogg").
    pub media_type: String,
    /// Size of the original, in bytes.
    pub size: u64,
    /// SHA-256 of the original, lower-case hex.
    pub sha256: String,
    /// Chain of custody.
    #[serde(default)]
    pub acquisition: Acquisition,
    /// What the file shows.
    #[serde(default)]
    pub description: String,
}

/// Any record's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A case.
    Case(Case),
    /// A situation change.
    Situation(Situation),
    /// An incident.
    Incident(Incident),
    /// An instrument.
    Instrument(Instrument),
    /// A proceeding.
    Proceeding(Proceeding),
    /// A testimony.
    Testimony(Testimony),
    /// A source.
    Source(Source),
    /// An evidence file.
    Evidence(Evidence),
}

/// A reference from one record to another (see [`Record::references`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    /// The record pointed at.
    pub id: uuid::Uuid,
    /// The kinds it may be.
    pub allowed: &'static [Kind],
    /// What to call it in an error ("the source").
    pub what: &'static str,
}

impl Record {
    /// The record's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Record::Case(_) => Kind::Case,
            Record::Situation(_) => Kind::Situation,
            Record::Incident(_) => Kind::Incident,
            Record::Instrument(_) => Kind::Instrument,
            Record::Proceeding(_) => Kind::Proceeding,
            Record::Testimony(_) => Kind::Testimony,
            Record::Source(_) => Kind::Source,
            Record::Evidence(_) => Kind::Evidence,
        }
    }

    /// Parses content of a given kind from JSON, strictly.
    pub fn from_json(kind: Kind, value: serde_json::Value) -> Result<Record, serde_json::Error> {
        Ok(match kind {
            Kind::Case => Record::Case(serde_json::from_value(value)?),
            Kind::Situation => Record::Situation(serde_json::from_value(value)?),
            Kind::Incident => Record::Incident(serde_json::from_value(value)?),
            Kind::Instrument => Record::Instrument(serde_json::from_value(value)?),
            Kind::Proceeding => Record::Proceeding(serde_json::from_value(value)?),
            Kind::Testimony => Record::Testimony(serde_json::from_value(value)?),
            Kind::Source => Record::Source(serde_json::from_value(value)?),
            Kind::Evidence => Record::Evidence(serde_json::from_value(value)?),
        })
    }

    /// The content as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        let v = match self {
            Record::Case(r) => serde_json::to_value(r),
            Record::Situation(r) => serde_json::to_value(r),
            Record::Incident(r) => serde_json::to_value(r),
            Record::Instrument(r) => serde_json::to_value(r),
            Record::Proceeding(r) => serde_json::to_value(r),
            Record::Testimony(r) => serde_json::to_value(r),
            Record::Source(r) => serde_json::to_value(r),
            Record::Evidence(r) => serde_json::to_value(r),
        };
        v.expect("records serialise")
    }

    /// The other records this one points at: each with the kinds it may be
    /// and what to call it in an error. A reference must resolve to a record
    /// of one of those kinds in the same case, in the vault and in a bundle.
    pub fn references(&self) -> Vec<Reference> {
        match self {
            Record::Testimony(t) => t
                .source_id
                .map(|id| Reference { id, allowed: &[Kind::Source], what: "the source" })
                .into_iter()
                .collect(),
            Record::Evidence(e) => vec![Reference {
                id: e.attached_to,
                allowed: &[Kind::Case, Kind::Incident, Kind::Proceeding, Kind::Testimony],
                what: "the record",
            }],
            _ => Vec::new(),
        }
    }

    /// Checks rules that types alone cannot express. Returns a sentence per problem.
    pub fn validate(&self) -> Result<(), String> {
        let nonblank =
            |s: &str, what: &str| if s.trim().is_empty() { Err(format!("{what} must not be empty")) } else { Ok(()) };
        match self {
            Record::Case(c) => {
                if c.subject.names.is_empty() || c.subject.names.iter().any(|n| n.name.trim().is_empty()) {
                    return Err("the subject needs at least one name, and no name may be empty".into());
                }
                Ok(())
            }
            Record::Proceeding(p) => {
                if let (Some(f), Some(d)) = (p.filed_on, p.decided_on) {
                    if d < f {
                        return Err(format!("the decision date {d} is before the filing date {f}"));
                    }
                }
                if p.outcome.is_some() && p.decided_on.is_none() {
                    return Err("an outcome needs a decision date (decided_on)".into());
                }
                Ok(())
            }
            Record::Testimony(t) => {
                nonblank(&t.text, "the testimony text")?;
                nonblank(&t.language, "the language")
            }
            Record::Source(s) => nonblank(&s.pseudonym, "the pseudonym"),
            Record::Evidence(e) => {
                if e.sha256.len() != 64 || !e.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err("the evidence digest must be 64 hex digits".into());
                }
                Ok(())
            }
            Record::Situation(_) | Record::Incident(_) | Record::Instrument(_) => Ok(()),
        }
    }

    /// A short label for lists and timelines. Never includes a source's identity.
    pub fn label(&self) -> String {
        match self {
            Record::Case(c) => {
                let name = c.subject.names.first().map(|n| n.name.as_str()).unwrap_or("");
                if c.title.is_empty() {
                    name.to_string()
                } else {
                    format!("{} ({name})", c.title)
                }
            }
            Record::Situation(s) => words_of(&s.situation),
            Record::Incident(i) => format!("{} requested by {}", words_of(&i.tactic), i.requesting_state.as_str()),
            Record::Instrument(i) => format!("{} by {}", words_of(&i.kind), i.issuing_state.as_str()),
            Record::Proceeding(p) => format!(
                "{}{}",
                words_of(&p.kind),
                if p.forum.is_empty() { String::new() } else { format!(" ({})", p.forum) }
            ),
            Record::Testimony(t) => {
                let first: String = t.text.chars().take(60).collect();
                format!("Testimony [{}]: {first}", t.language)
            }
            Record::Source(s) => format!("Source \"{}\"", s.pseudonym),
            Record::Evidence(e) => format!("File {}", e.file_name),
        }
    }

    /// The record's text for the search index: folded later. Source identities
    /// are never indexed, so no search result can reveal one.
    pub fn search_text(&self) -> (Vec<String>, Vec<String>) {
        let mut names = Vec::new();
        let mut body = Vec::new();
        match self {
            Record::Case(c) => {
                names.extend(c.subject.names.iter().map(|n| n.name.clone()));
                body.extend([c.title.clone(), c.summary.clone(), c.private_notes.clone()]);
                body.extend(c.tags.iter().cloned());
                if let Some(p) = &c.subject.current_location {
                    body.push(p.locality.clone());
                }
            }
            Record::Situation(s) => {
                body.push(s.notes.clone());
                if let Some(p) = &s.place {
                    body.push(p.locality.clone());
                }
            }
            Record::Incident(i) => {
                body.push(i.description.clone());
                body.extend(i.sources.iter().cloned());
            }
            Record::Instrument(i) => body.extend([i.reference.clone(), i.notes.clone()]),
            Record::Proceeding(p) => body.extend([p.forum.clone(), p.reference.clone(), p.notes.clone()]),
            Record::Testimony(t) => {
                body.extend([t.text.clone(), t.interviewer.clone()]);
                if let Some(p) = &t.place {
                    body.push(p.locality.clone());
                }
            }
            Record::Source(s) => names.push(s.pseudonym.clone()),
            Record::Evidence(e) => body.extend([
                e.file_name.clone(),
                e.description.clone(),
                e.acquisition.how.clone(),
                e.acquisition.from.clone(),
            ]),
        }
        body.retain(|s| !s.trim().is_empty());
        (names, body)
    }

    /// Every date in the record, with what it marks, for the case timeline.
    pub fn dated_facts(&self) -> Vec<(FuzzyDate, String)> {
        let mut out = Vec::new();
        let mut push = |d: Option<FuzzyDate>, what: String| {
            if let Some(d) = d {
                out.push((d, what));
            }
        };
        match self {
            Record::Case(c) => push(c.subject.born, "born".into()),
            Record::Situation(s) => push(Some(s.date), format!("situation: {}", words_of(&s.situation))),
            Record::Incident(i) => push(Some(i.date), format!("incident: {}", words_of(&i.tactic))),
            Record::Instrument(i) => {
                push(i.issued_on, format!("{} issued", words_of(&i.kind)));
                push(i.learnt_on, format!("{} learnt of", words_of(&i.kind)));
                push(i.withdrawn_on, format!("{} withdrawn", words_of(&i.kind)));
            }
            Record::Proceeding(p) => {
                push(p.filed_on.map(Into::into), format!("{} filed", words_of(&p.kind)));
                push(p.deadline.map(Into::into), format!("{} deadline", words_of(&p.kind)));
                push(p.decided_on.map(Into::into), format!("{} decided", words_of(&p.kind)));
                if let Some(im) = &p.interim_measures {
                    push(im.requested_on.map(Into::into), format!("{} interim measures requested", words_of(&p.kind)));
                    push(im.granted_on.map(Into::into), format!("{} interim measures granted", words_of(&p.kind)));
                }
            }
            Record::Testimony(t) => push(t.date, format!("testimony recorded [{}]", t.language)),
            Record::Source(_) => {}
            Record::Evidence(e) => push(e.acquisition.on, format!("file acquired: {}", e.file_name)),
        }
        out
    }
}
