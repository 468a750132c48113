// The record shapes of the Rust core (src/dossier/model.rs), as the UI sees
// them in JSON. Enum value lists are checked against records.schema.json
// (the output of `amana schema`) by a test.

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
export const AUDIT_ACTIONS = ["create", "update", "delete", "attach", "extract", "export", "import"] as const;

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

export interface CaseListItem {
  id: string;
  name: string;
  title: string;
  status: CaseStatus;
  risk: RiskLevel;
  tags: string[];
  requesting_states: string[];
  requested_states: string[];
  tactics: Tactic[];
  current_situation: SituationKind | null;
  days_since_arrest: number | null;
  urgent: number;
  updated_at: string;
}

export interface TimelineEntry {
  date: string;
  what: string;
  record_id: string;
  kind: Kind;
}

export type UrgentItem = {
  case_id: string;
  case_label: string;
  record_id: string;
} & (
  | { reason: "deadline_passed"; days_overdue: number }
  | { reason: "deadline_near"; days_left: number }
  | { reason: "in_custody"; days_since_arrest: number | null; situation: SituationKind }
);

export interface SearchHit {
  record_id: string;
  kind: Kind;
  case_id: string;
  case_label: string;
  label: string;
  snippet: string;
  highlights: Array<[number, number]>;
  name_variant: boolean;
}

export interface SearchResults {
  total: number;
  hits: SearchHit[];
}

export interface AuditEntry {
  seq: number;
  at: string;
  action: string;
  kind: string | null;
  record_id: string | null;
  case_id: string | null;
  detail: unknown;
  content_sha256: string | null;
  prev_hash: string;
  hash: string;
}

export interface AuditView {
  entries: AuditEntry[];
  chain: { entries: number; first_broken: number | null; problems: string[] };
}

export interface VaultStatus {
  path: string;
  exists: boolean;
  key_file_version: number | null;
  vault_id: string | null;
  has_recovery_key: boolean | null;
  remembered_on_this_device: boolean;
  failed_attempts: number;
  wait_seconds: number;
  supported_schema_version: number;
  key_file_problem: string | null;
}

export interface AppStatus {
  vault: VaultStatus;
  unlocked: boolean;
}

export interface Version {
  version: number;
  saved_at: string;
  origin: unknown;
  data: Record<string, unknown>;
}

export interface Extracted {
  path: string;
  size: number;
  sha256: string;
}

export interface Deleted {
  records: string[];
  evidence: string[];
}
