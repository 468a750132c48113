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

/// The size limits of record fields (docs/records.md gives them per field, and
/// `amana schema` as `maxLength` / `maxItems`). Lengths are counted in characters
/// (Unicode scalar values, as JSON Schema's `maxLength` counts them), except a
/// file name's, counted in bytes. Every limit is far above what a person types
/// and far below what would slow a screen, a search or a PDF: a bundle's sender
/// must not be able to make one field the whole vault.
pub mod limits {
    /// Names, titles, pseudonyms, tags, places, references, interviewers: one
    /// line of a label. The longest real names (a nasab chain of five
    /// generations with a laqab, in Arabic and in transliteration) stay under 120.
    pub const SHORT: usize = 200;
    /// One-line texts that may hold a citation with its URL, several phone
    /// numbers and addresses, or a sentence of chain of custody.
    pub const LINE: usize = 2_000;
    /// Summaries, descriptions and notes: about 15,000 words of Arabic, French or
    /// English (6 to 7 characters a word with its space), some 40 pages.
    pub const NOTES: usize = 100_000;
    /// A testimony's text: about 75,000 words, several times the transcript of a
    /// three-hour interview (some 25,000 words) and ten times the 49,571
    /// characters of the fully diacritized Arabic corpus in tests/testdata.
    pub const TESTIMONY: usize = 500_000;
    /// A BCP 47 language tag (RFC 5646 §4.4.1 asks implementations to take 35).
    pub const LANGUAGE: usize = 35;
    /// A media type (RFC 6838: 127 characters for the type and the subtype each).
    pub const MEDIA_TYPE: usize = 255;
    /// A file name, in bytes of UTF-8 (see [`crate::text::safe_file_name`]).
    pub const FILE_NAME_BYTES: usize = crate::text::MAX_FILE_NAME_BYTES;
    /// A subject's names.
    pub const NAMES: usize = 50;
    /// A case's tags.
    pub const TAGS: usize = 100;
    /// An incident's sources (citations).
    pub const SOURCES: usize = 200;
}

use limits::{FILE_NAME_BYTES, LANGUAGE, LINE, MEDIA_TYPE, NAMES, NOTES, SHORT, SOURCES, TAGS, TESTIMONY};

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
    #[schemars(length(max = SHORT))]
    pub title: String,
    /// Status of the organisation's work.
    #[serde(default)]
    pub status: CaseStatus,
    /// Risk to the subject.
    #[serde(default)]
    pub risk: RiskLevel,
    /// Free tags.
    #[serde(default)]
    #[schemars(length(max = TAGS), inner(length(max = SHORT)))]
    pub tags: Vec<String>,
    /// Summary for colleagues and lawyers.
    #[serde(default)]
    #[schemars(length(max = NOTES))]
    pub summary: String,
    /// Private notes: left out of bundles by the "no private notes" profile.
    #[serde(default)]
    #[schemars(length(max = NOTES))]
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
    #[schemars(length(max = NAMES))]
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
    #[schemars(length(max = SHORT))]
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
    #[schemars(length(max = SHORT))]
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
    #[schemars(length(max = NOTES))]
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
    #[schemars(length(max = NOTES))]
    pub description: String,
    /// Where the information comes from (citations, not identities).
    #[serde(default)]
    #[schemars(length(max = SOURCES), inner(length(max = LINE)))]
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
    #[schemars(length(max = SHORT))]
    pub reference: String,
    /// Notes.
    #[serde(default)]
    #[schemars(length(max = NOTES))]
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
    #[schemars(length(max = SHORT))]
    pub forum: String,
    /// Case or communication reference.
    #[serde(default)]
    #[schemars(length(max = SHORT))]
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
    #[schemars(length(max = NOTES))]
    pub notes: String,
}

/// A recorded statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Testimony {
    /// The statement, in any script.
    #[schemars(length(max = TESTIMONY))]
    pub text: String,
    /// Language (BCP 47, e.g. "ar", "fr", "en").
    #[schemars(length(max = LANGUAGE))]
    pub language: String,
    /// When recorded.
    #[serde(default)]
    pub date: Option<FuzzyDate>,
    /// Where recorded.
    #[serde(default)]
    pub place: Option<Place>,
    /// Who recorded it.
    #[serde(default)]
    #[schemars(length(max = SHORT))]
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
    #[schemars(length(max = SHORT))]
    pub full_name: String,
    /// How to reach them.
    #[serde(default)]
    #[schemars(length(max = LINE))]
    pub contact: String,
    /// Anything else that identifies them.
    #[serde(default)]
    #[schemars(length(max = NOTES))]
    pub notes: String,
}

/// A person who gave a testimony. Shown outside the vault only by pseudonym.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The name used wherever the source is shown outside the vault.
    #[schemars(length(max = SHORT))]
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
    #[schemars(length(max = SHORT))]
    pub by: String,
    /// When.
    #[serde(default)]
    pub on: Option<FuzzyDate>,
    /// How (e.g. "sent by the family over Signal", "photographed at the court").
    #[serde(default)]
    #[schemars(length(max = LINE))]
    pub how: String,
    /// From where or whom (not an identity: use a source's pseudonym).
    #[serde(default)]
    #[schemars(length(max = SHORT))]
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
    /// The original file's base name, made safe by `text::safe_file_name` (no
    /// folder, no control or bidi character, no leading dot); at most 255 bytes
    /// of UTF-8.
    #[schemars(length(max = FILE_NAME_BYTES))]
    pub file_name: String,
    /// Media type, guessed from the name (e.g. "audio/ogg").
    #[schemars(length(max = MEDIA_TYPE))]
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
    #[schemars(length(max = NOTES))]
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
    ///
    /// Every string of the record, wherever it is nested, is checked against
    /// [`field_rule`]: its size limit, no control character but tab and line feed
    /// ([`crate::text::is_refused_control`]), and in short fields (names, titles,
    /// pseudonyms, file names…) no bidi embedding or override and no isolate left
    /// open, so that no name can make itself or what follows it display as other
    /// text. An evidence file name must already be safe
    /// ([`crate::text::safe_file_name`]): import makes incoming names safe first.
    pub fn validate(&self) -> Result<(), String> {
        check_strings(self.kind(), &self.to_json(), &mut String::new(), &mut String::new())?;
        self.validate_rules()
    }

    fn validate_rules(&self) -> Result<(), String> {
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
                if crate::text::safe_file_name(&e.file_name) != e.file_name {
                    // The name is not repeated: it may hold what must not be shown.
                    return Err(format!(
                        "the file name is not a safe file name: it would be \"{}\" (no folder, no leading dot, \
                         no control or bidi characters, at most {FILE_NAME_BYTES} bytes)",
                        crate::text::safe_file_name(&e.file_name)
                    ));
                }
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
                let mut first: String = t.text.chars().take(60).collect();
                if t.text.chars().nth(60).is_some() {
                    first.push('…');
                }
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

/// How a record field is bounded (see [`field_rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    /// The most characters it may hold (bytes of UTF-8 for a file name).
    pub max: usize,
    /// Whether `max` counts bytes of UTF-8 rather than characters.
    pub bytes: bool,
    /// Prose (testimony text, notes, summaries, descriptions) may hold bidi
    /// embeddings, which word processors paste into Arabic paragraphs and the
    /// app shows paragraph by paragraph; short fields, shown inside lines of
    /// other text, may not.
    pub prose: bool,
}

/// The rule of the string at `path` in a record of `kind`: fields by name, array
/// items as `[]` ("subject.names[].name", "tags[]"). A path not listed is held
/// to the [`limits::SHORT`] rule: that covers the typed values (dates, country
/// codes, enumerations, the digest), and keeps a field added later bounded until
/// it is listed here, in the schema and in docs/records.md.
pub fn field_rule(kind: Kind, path: &str) -> FieldRule {
    let short = |max| FieldRule { max, bytes: false, prose: false };
    let prose = |max| FieldRule { max, bytes: false, prose: true };
    match (kind, path) {
        (_, "notes" | "summary" | "private_notes" | "description" | "identity.notes") => prose(NOTES),
        (Kind::Testimony, "text") => prose(TESTIMONY),
        (Kind::Testimony, "language") => short(LANGUAGE),
        (Kind::Incident, "sources[]") | (Kind::Source, "identity.contact") | (Kind::Evidence, "acquisition.how") => {
            short(LINE)
        }
        (Kind::Evidence, "file_name") => FieldRule { max: FILE_NAME_BYTES, bytes: true, prose: false },
        (Kind::Evidence, "media_type") => short(MEDIA_TYPE),
        _ => short(SHORT),
    }
}

/// The most items of the list at `path` in a record of `kind`, if it is a
/// bounded list.
pub fn list_limit(kind: Kind, path: &str) -> Option<usize> {
    match (kind, path) {
        (Kind::Case, "subject.names") => Some(NAMES),
        (Kind::Case, "tags") => Some(TAGS),
        (Kind::Incident, "sources") => Some(SOURCES),
        _ => None,
    }
}

/// Walks every string of a record's JSON. `rule_path` names array items `[]`
/// (for [`field_rule`]); `shown_path` numbers them, for the error sentence.
fn check_strings(
    kind: Kind,
    v: &serde_json::Value,
    rule_path: &mut String,
    shown_path: &mut String,
) -> Result<(), String> {
    use serde_json::Value;
    let field = |shown: &str| if shown.is_empty() { "the record".to_string() } else { format!("the field {shown}") };
    match v {
        Value::String(s) => check_string(kind, s, rule_path, &field(shown_path)),
        Value::Array(items) => {
            if let Some(max) = list_limit(kind, rule_path) {
                if items.len() > max {
                    return Err(format!("{} has {} items; at most {max} are allowed", field(shown_path), items.len()));
                }
            }
            for (i, item) in items.iter().enumerate() {
                let (r, sh) = (rule_path.len(), shown_path.len());
                rule_path.push_str("[]");
                shown_path.push_str(&format!("[{i}]"));
                check_strings(kind, item, rule_path, shown_path)?;
                rule_path.truncate(r);
                shown_path.truncate(sh);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map {
                let (r, sh) = (rule_path.len(), shown_path.len());
                for p in [&mut *rule_path, &mut *shown_path] {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(key);
                }
                check_strings(kind, item, rule_path, shown_path)?;
                rule_path.truncate(r);
                shown_path.truncate(sh);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// One string against its rule. The sentences name the field and the
/// character's code point, never the text: it may hold what must not be shown.
fn check_string(kind: Kind, s: &str, rule_path: &str, field: &str) -> Result<(), String> {
    use crate::text::{is_bidi_override, is_refused_control, isolates_balanced};
    let rule = field_rule(kind, rule_path);
    let (len, unit) = if rule.bytes { (s.len(), "bytes") } else { (s.chars().count(), "characters") };
    if len > rule.max {
        return Err(format!("{field} is too long: {len} {unit}, the limit is {}", rule.max));
    }
    if let Some(c) = s.chars().find(|&c| is_refused_control(c)) {
        return Err(format!(
            "{field} contains the control character U+{:04X}; only tab and line feed (\\n) are allowed",
            u32::from(c)
        ));
    }
    if !rule.prose {
        if let Some(c) = s.chars().find(|&c| is_bidi_override(c)) {
            return Err(format!(
                "{field} contains the bidi embedding or override U+{:04X}, which can make text display as other \
                 text; it is not allowed in names, titles and other short fields",
                u32::from(c)
            ));
        }
        if !isolates_balanced(s) {
            return Err(format!("{field} has a bidi isolate (U+2066 to U+2069) that is not closed or not opened"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(title: &str, names: &[&str]) -> Record {
        let names: Vec<_> = names.iter().map(|n| json!({ "name": n })).collect();
        Record::from_json(Kind::Case, json!({ "title": title, "subject": { "names": names } })).unwrap()
    }

    fn testimony(text: &str) -> Record {
        Record::from_json(Kind::Testimony, json!({ "text": text, "language": "ar" })).unwrap()
    }

    fn evidence(file_name: &str) -> Record {
        Record::from_json(
            Kind::Evidence,
            json!({ "attached_to": uuid::Uuid::nil(), "file_name": file_name, "media_type": "application/pdf",
                    "size": 1, "sha256": "a".repeat(64) }),
        )
        .unwrap()
    }

    fn corpus() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/testdata/corpora/arabic-news-diacritized.txt");
        std::fs::read_to_string(path).expect("the Arabic corpus")
    }

    #[test]
    fn a_two_megabyte_title_is_refused_naming_the_field_and_the_limit() {
        let err = case(&"x".repeat(2 << 20), &["Lina Haddad"]).validate().unwrap_err();
        assert_eq!(err, "the field title is too long: 2097152 characters, the limit is 200");
        assert!(case(&"ع".repeat(SHORT), &["Lina Haddad"]).validate().is_ok());
        assert!(case(&"ع".repeat(SHORT + 1), &["Lina Haddad"]).validate().is_err());
    }

    #[test]
    fn control_characters_are_refused_anywhere() {
        let err = case("a\u{0}b", &["Lina Haddad"]).validate().unwrap_err();
        assert_eq!(
            err,
            "the field title contains the control character U+0000; only tab and line feed (\\n) are allowed"
        );
        // Nested in a list, named with its index.
        let err = case("", &["Lina Haddad", "Lina\u{1B}[2J"]).validate().unwrap_err();
        assert!(err.starts_with("the field subject.names[1].name contains the control character U+001B"), "{err}");
        for c in ['\r', '\u{7F}', '\u{85}', '\u{9B}', '\u{8}'] {
            assert!(testimony(&format!("line{c}line")).validate().is_err(), "{c:?}");
        }
        assert!(testimony("first line\n\tsecond line").validate().is_ok());
        let incident = json!({ "tactic": "other", "requesting_state": "SA", "date": "2024",
                               "sources": ["ok", "bad\u{7}"] });
        let err = Record::from_json(Kind::Incident, incident).unwrap().validate().unwrap_err();
        assert!(err.starts_with("the field sources[1] contains the control character U+0007"), "{err}");
        let source = json!({ "pseudonym": "Witness A", "identity": { "full_name": "Nour\u{0}" } });
        let err = Record::from_json(Kind::Source, source).unwrap().validate().unwrap_err();
        assert!(err.starts_with("the field identity.full_name contains"), "{err}");
    }

    #[test]
    fn overrides_are_refused_in_short_fields_and_kept_in_prose() {
        // A name ending in RLO would reverse whatever is shown after it.
        let err = case("", &["Karim Aziz\u{202E}"]).validate().unwrap_err();
        assert!(
            err.starts_with("the field subject.names[0].name contains the bidi embedding or override U+202E"),
            "{err}"
        );
        for c in '\u{202A}'..='\u{202E}' {
            assert!(case(&format!("title{c}"), &["Karim Aziz"]).validate().is_err());
            let pseudonym = json!({ "pseudonym": format!("A{c}") });
            assert!(Record::from_json(Kind::Source, pseudonym).unwrap().validate().is_err());
        }
        // Marks and closed isolates are typed legitimately in Arabic.
        assert!(case("قضية \u{200F}(٢٠٢٤)", &["كريم\u{200F} \u{2068}Karim\u{2069}"]).validate().is_ok());
        assert!(case("", &["كريم\u{2067}"]).validate().is_err(), "an isolate left open");
        // Pasted prose keeps its embeddings.
        assert!(testimony("\u{202B}قال الشاهد\u{202C} ...").validate().is_ok());
    }

    #[test]
    fn evidence_file_names_must_already_be_safe() {
        assert!(evidence("شهادة الأم.ogg").validate().is_ok());
        for bad in ["../../etc/passwd", "a\\b", ".hidden", "", "x\u{200F}.pdf", " x.pdf"] {
            assert!(
                evidence(bad).validate().unwrap_err().starts_with("the file name is not a safe file name"),
                "{bad:?}"
            );
        }
        let err = evidence("report\u{202E}fdp.exe").validate().unwrap_err();
        assert!(err.contains("U+202E"), "{err}");
        assert!(evidence(&format!("{}.pdf", "a".repeat(300))).validate().unwrap_err().contains("the limit is 255"));
        assert!(evidence("x\u{2069}").validate().is_err());
    }

    #[test]
    fn realistic_arabic_testimonies_fit() {
        let text = corpus();
        assert!(testimony(&text).validate().is_ok());
        // The whole corpus nine times over: some 450,000 characters, more than
        // 60,000 words of fully diacritized Arabic.
        let long = [text.as_str(); 9].join("\n");
        assert!(long.chars().count() < TESTIMONY);
        assert!(testimony(&long).validate().is_ok());
        let too_long = "ب".repeat(TESTIMONY + 1);
        assert!(testimony(&too_long).validate().unwrap_err().contains("the limit is 500000"));
    }

    #[test]
    fn lists_are_bounded() {
        let names: Vec<String> = (0..=NAMES).map(|i| format!("Name {i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let err = case("", &names).validate().unwrap_err();
        assert_eq!(err, format!("the field subject.names has {} items; at most {NAMES} are allowed", NAMES + 1));
        assert!(case("", &names[..NAMES]).validate().is_ok());
    }

    /// Every string and list of the schema `amana schema` prints carries the
    /// limit `validate` enforces: the two cannot drift apart.
    #[test]
    fn the_schema_states_the_limits_validate_enforces() {
        use serde_json::Value;
        fn walk(kind: Kind, s: &Value, defs: &Value, path: &str, seen: &mut Vec<String>) {
            if let Some(r) = s.get("$ref").and_then(Value::as_str) {
                let name = r.trim_start_matches("#/$defs/");
                return walk(kind, &defs[name], defs, path, seen);
            }
            for k in ["anyOf", "oneOf"] {
                for alt in s.get(k).and_then(Value::as_array).into_iter().flatten() {
                    walk(kind, alt, defs, path, seen);
                }
            }
            let types: Vec<&str> = match &s["type"] {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, v) in props {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(kind, v, defs, &p, seen);
                }
            }
            if types.contains(&"array") {
                let max = s.get("maxItems").and_then(Value::as_u64).map(|n| n as usize);
                assert_eq!(max, list_limit(kind, path), "{kind:?} {path}: maxItems");
                walk(kind, &s["items"], defs, &format!("{path}[]"), seen);
            }
            if types.contains(&"string") && s.get("const").is_none() {
                let max = s.get("maxLength").and_then(Value::as_u64).map(|n| n as usize);
                match max {
                    Some(max) => {
                        assert_eq!(max, field_rule(kind, path).max, "{kind:?} {path}: maxLength");
                        seen.push(format!("{kind:?} {path}"));
                    }
                    // The typed strings: parsed by their own types, and short.
                    None => assert!(
                        s.get("format").is_some()
                            || ["A day (YYYY-MM-DD)", "An exact day", "ISO 3166", "SHA-256"]
                                .iter()
                                .any(|t| { s["description"].as_str().unwrap_or("").contains(t) }),
                        "{kind:?} {path}: a free text without maxLength: {s}"
                    ),
                }
            }
        }
        let mut seen = Vec::new();
        for kind in Kind::ALL {
            let schema = serde_json::to_value(match kind {
                Kind::Case => schemars::schema_for!(Case),
                Kind::Situation => schemars::schema_for!(Situation),
                Kind::Incident => schemars::schema_for!(Incident),
                Kind::Instrument => schemars::schema_for!(Instrument),
                Kind::Proceeding => schemars::schema_for!(Proceeding),
                Kind::Testimony => schemars::schema_for!(Testimony),
                Kind::Source => schemars::schema_for!(Source),
                Kind::Evidence => schemars::schema_for!(Evidence),
            })
            .unwrap();
            let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
            walk(kind, &schema, &defs, "", &mut seen);
        }
        for expected in [
            "Case title",
            "Case subject.names[].name",
            "Testimony text",
            "Evidence file_name",
            "Source identity.contact",
        ] {
            assert!(seen.iter().any(|s| s == expected), "{expected} not found in {seen:?}");
        }
    }
}
