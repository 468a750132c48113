// The record shapes of the Rust core (src/dossier/model.rs), as the UI sees
// them in JSON. Enum value lists are checked against records.schema.json
// (the output of `amana schema`) by a test.

import type * as gen from "./generated";

export const KINDS = ["case", "situation", "incident", "instrument", "proceeding", "testimony", "source", "evidence"] as const;
export type Kind = (typeof KINDS)[number];

export const CASE_STATUSES = ["open", "monitoring", "closed"] as const;
export const RISK_LEVELS = ["low", "medium", "high", "critical"] as const;
export const SUBJECT_KINDS = ["person", "organisation"] as const;
export const NAME_KINDS = ["primary", "transliteration", "native_script", "alias"] as const;
export const PROFILES = [
  "human_rights_defender", "dissident", "journalist", "protester", "asylum_seeker", "religious_minority", "family_member",
] as const;
export const SITUATIONS = [
  "at_liberty", "arrested", "detained_pending_extradition", "released", "extradited", "deported",
  "forcibly_disappeared", "in_exile", "killed",
] as const;
export const TACTICS = [
  "extradition_proceedings", "prosecution_in_absentia", "kidnapping", "deportation", "terrorism_listing",
  "administrative_sanctions", "killing", "family_harassment", "other",
] as const;
export const INSTRUMENT_KINDS = [
  "interpol_red_notice", "interpol_diffusion", "aimc_warrant", "national_warrant", "court_ruling",
  "extradition_order", "deportation_order",
] as const;
export const INSTRUMENT_STATUSES = ["active", "withdrawn", "unknown"] as const;
export const PROCEEDING_KINDS = [
  "ccf_access", "ccf_correction", "ccf_deletion", "un_special_procedures", "wgad", "cat_complaint",
  "hrc_complaint", "echr_rule39", "national_asylum", "national_court", "other",
] as const;
export const OUTCOMES = ["granted", "partly_granted", "rejected", "inadmissible", "withdrawn", "closed"] as const;
export const SOURCE_RELATIONS = ["subject", "relative", "witness", "lawyer", "other"] as const;
export const TESTIMONY_LANGUAGES = ["ar", "fr", "en"] as const;
export const AUDIT_ACTIONS = ["create", "update", "delete", "attach", "extract", "export", "import", "review", "accept", "reject"] as const;

export type CaseStatus = (typeof CASE_STATUSES)[number];
export type RiskLevel = (typeof RISK_LEVELS)[number];
export type SituationKind = (typeof SITUATIONS)[number];
export type Tactic = (typeof TACTICS)[number];
export type ProceedingKind = (typeof PROCEEDING_KINDS)[number];

/** Every translated enum: group name → values. i18n keys are `enum.<group>.<value>`. */
export const ENUMS = {
  kind: KINDS,
  status: CASE_STATUSES,
  risk: RISK_LEVELS,
  subject_kind: SUBJECT_KINDS,
  name_kind: NAME_KINDS,
  profile: PROFILES,
  situation: SITUATIONS,
  tactic: TACTICS,
  instrument_kind: INSTRUMENT_KINDS,
  instrument_status: INSTRUMENT_STATUSES,
  proceeding_kind: PROCEEDING_KINDS,
  outcome: OUTCOMES,
  relation: SOURCE_RELATIONS,
  language: TESTIMONY_LANGUAGES,
  action: AUDIT_ACTIONS,
} as const;
export type EnumGroup = keyof typeof ENUMS;

export interface Place {
  country?: string | null;
  locality?: string;
}

export interface SubjectName {
  name: string;
  kind?: (typeof NAME_KINDS)[number];
}

export interface CaseData {
  title?: string;
  status?: CaseStatus;
  risk?: RiskLevel;
  tags?: string[];
  summary?: string;
  private_notes?: string;
  subject: {
    kind?: (typeof SUBJECT_KINDS)[number];
    names: SubjectName[];
    nationalities?: string[];
    profiles?: Array<(typeof PROFILES)[number]>;
    current_location?: Place | null;
    born?: string | null;
  };
}

export interface SituationData {
  date: string;
  situation: SituationKind;
  place?: Place | null;
  notes?: string;
}

export interface IncidentData {
  tactic: Tactic;
  requesting_state: string;
  requested_state?: string | null;
  date: string;
  description?: string;
  sources?: string[];
}

export interface InstrumentData {
  kind: (typeof INSTRUMENT_KINDS)[number];
  issuing_state: string;
  issued_on?: string | null;
  learnt_on?: string | null;
  withdrawn_on?: string | null;
  status?: (typeof INSTRUMENT_STATUSES)[number];
  reference?: string;
  notes?: string;
}

export interface ProceedingData {
  kind: ProceedingKind;
  forum?: string;
  reference?: string;
  filed_on?: string | null;
  deadline?: string | null;
  decided_on?: string | null;
  outcome?: (typeof OUTCOMES)[number] | null;
  interim_measures?: { requested_on?: string | null; granted_on?: string | null; respected?: boolean | null } | null;
  notes?: string;
}

export interface TestimonyData {
  text: string;
  language: string;
  date?: string | null;
  place?: Place | null;
  interviewer?: string;
  source_id?: string | null;
}

export interface SourceData {
  pseudonym: string;
  relation?: (typeof SOURCE_RELATIONS)[number];
  consent?: { share_with_lawyers?: boolean; share_with_un?: boolean; publish?: boolean };
  identity?: { full_name?: string; contact?: string; notes?: string } | null;
}

export interface Acquisition {
  by?: string;
  on?: string | null;
  how?: string;
  from?: string;
}

export interface EvidenceData {
  attached_to: string;
  file_name: string;
  media_type: string;
  size: number;
  sha256: string;
  acquisition?: Acquisition;
  description?: string;
}

export interface StoredRecord<D = object> {
  id: string;
  kind: Kind;
  case_id: string;
  version: number;
  created_at: string;
  updated_at: string;
  origin?: unknown;
  /** Signing key of the vault that created it (absent: this vault). */
  custodian?: string;
  /** Received from a sender not verified, not reviewed yet (absent: false). */
  unreviewed?: boolean;
  data: D;
}

export interface ProceedingStatus {
  record: StoredRecord<ProceedingData>;
  days_pending: number | null;
  days_to_deadline: number | null;
  open: boolean;
}

export interface CaseOverview {
  case: StoredRecord<CaseData>;
  current_situation: SituationKind | null;
  days_since_arrest: number | null;
  situations: StoredRecord<SituationData>[];
  incidents: StoredRecord<IncidentData>[];
  instruments: StoredRecord<InstrumentData>[];
  proceedings: ProceedingStatus[];
  testimonies: StoredRecord<TestimonyData>[];
  sources: StoredRecord<SourceData>[];
  evidence: StoredRecord<EvidenceData>[];
}

// Everything the commands return that is not a record's content comes
// straight from the Rust types (ui/src/generated/, checked by a Rust test).
export type {
  AppStatus, AuditEntry, AuditView, CaseListItem, Deleted, Extracted, SearchHit, SearchResults, TimelineEntry,
  UrgentItem, VaultStatus, Version,
} from "./generated";

// The record shapes above are the UI's view of the Rust records (fields the
// core fills with defaults are optional here, as the forms send them). These
// checks fail the typecheck when a generated record type no longer fits.
type Fits<A extends B, B> = A;
export type RecordShapesFit = [
  Fits<gen.Case, CaseData>,
  Fits<gen.Situation, SituationData>,
  Fits<gen.Incident, IncidentData>,
  Fits<gen.Instrument, InstrumentData>,
  Fits<gen.Proceeding, ProceedingData>,
  Fits<gen.Testimony, TestimonyData>,
  Fits<gen.Source, SourceData>,
  Fits<gen.Evidence, EvidenceData>,
  Fits<gen.Kind, Kind>,
  Fits<Kind, gen.Kind>,
  Fits<gen.SituationKind, SituationKind>,
  Fits<SituationKind, gen.SituationKind>,
  Fits<gen.Tactic, Tactic>,
  Fits<Tactic, gen.Tactic>,
  Fits<gen.ProceedingKind, ProceedingKind>,
  Fits<ProceedingKind, gen.ProceedingKind>,
];
