//! Views computed from the records: a case with its derived figures ("days
//! pending", "days since arrest"), the case timeline, and the urgent list.
//! Every view takes `today` explicitly so its figures are reproducible.

use serde::Serialize;
use uuid::Uuid;

use super::model::*;
use super::store::{self, DossierError, StoredRecord};
use rusqlite::Connection;

/// A proceeding with its derived figures.
#[derive(Debug, Clone, Serialize)]
pub struct ProceedingStatus {
    /// The record.
    pub record: StoredRecord,
    /// Days from filing to decision, or to today if still pending.
    pub days_pending: Option<i64>,
    /// Days from today to the deadline (negative: past).
    pub days_to_deadline: Option<i64>,
    /// Whether it is still open (no decision).
    pub open: bool,
}

impl ProceedingStatus {
    fn new(record: StoredRecord, p: &Proceeding, today: Date) -> Self {
        let open = p.decided_on.is_none();
        let days_pending = p.filed_on.map(|f| f.days_until(p.decided_on.unwrap_or(today)));
        let days_to_deadline = if open { p.deadline.map(|d| today.days_until(d)) } else { None };
        ProceedingStatus { record, days_pending, days_to_deadline, open }
    }
}

/// A case with everything in it and the figures derived from it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOverview {
    /// The case record.
    pub case: StoredRecord,
    /// The latest situation, if any is recorded.
    pub current_situation: Option<SituationKind>,
    /// Days since the arrest that began the current custody, if in custody.
    pub days_since_arrest: Option<i64>,
    /// Situation history, oldest first.
    pub situations: Vec<StoredRecord>,
    /// Incidents.
    pub incidents: Vec<StoredRecord>,
    /// Instruments.
    pub instruments: Vec<StoredRecord>,
    /// Proceedings with "days pending".
    pub proceedings: Vec<ProceedingStatus>,
    /// Testimonies.
    pub testimonies: Vec<StoredRecord>,
    /// Sources.
    pub sources: Vec<StoredRecord>,
    /// Evidence files.
    pub evidence: Vec<StoredRecord>,
}

fn situations_sorted(records: &[StoredRecord]) -> Vec<(FuzzyDate, SituationKind, StoredRecord)> {
    let mut v: Vec<_> = records
        .iter()
        .filter_map(|r| match &r.record {
            Record::Situation(s) => Some((s.date, s.situation, r.clone())),
            _ => None,
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0).then(a.2.created_at.cmp(&b.2.created_at)));
    v
}

/// The current situation and, if in custody, days since the arrest that began it.
fn custody(
    situations: &[(FuzzyDate, SituationKind, StoredRecord)],
    today: Date,
) -> (Option<SituationKind>, Option<i64>) {
    let current = situations.last().map(|s| s.1);
    if !current.is_some_and(|c| c.in_custody()) {
        return (current, None);
    }
    // Walk back over the unbroken run of custody situations to its start.
    let start = situations.iter().rev().take_while(|s| s.1.in_custody()).last().map(|s| s.0.earliest());
    (current, start.map(|d| d.days_until(today)))
}

/// A case and all its records.
pub fn case_overview(conn: &Connection, case_id: Uuid, today: Date) -> Result<CaseOverview, DossierError> {
    let case = store::get_kind(conn, case_id, Kind::Case)?;
    let all = store::list(conn, None, Some(case_id))?;
    let of = |k: Kind| all.iter().filter(|r| r.record.kind() == k).cloned().collect::<Vec<_>>();
    let sorted = situations_sorted(&all);
    let (current_situation, days_since_arrest) = custody(&sorted, today);
    let proceedings = all
        .iter()
        .filter_map(|r| match &r.record {
            Record::Proceeding(p) => Some(ProceedingStatus::new(r.clone(), p, today)),
            _ => None,
        })
        .collect();
    Ok(CaseOverview {
        case,
        current_situation,
        days_since_arrest,
        situations: sorted.into_iter().map(|s| s.2).collect(),
        incidents: of(Kind::Incident),
        instruments: of(Kind::Instrument),
        proceedings,
        testimonies: of(Kind::Testimony),
        sources: of(Kind::Source),
        evidence: of(Kind::Evidence),
    })
}

/// One dated fact on a case's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct TimelineEntry {
    /// When (possibly approximate).
    pub date: FuzzyDate,
    /// What happened.
    pub what: String,
    /// The record it comes from.
    pub record_id: Uuid,
    /// That record's kind.
    pub kind: Kind,
}

/// Every dated fact of a case, in date order.
pub fn timeline(conn: &Connection, case_id: Uuid) -> Result<Vec<TimelineEntry>, DossierError> {
    store::get_kind(conn, case_id, Kind::Case)?;
    let mut out: Vec<TimelineEntry> = store::list(conn, None, Some(case_id))?
        .into_iter()
        .flat_map(|r| {
            let (id, kind) = (r.id, r.record.kind());
            r.record.dated_facts().into_iter().map(move |(date, what)| TimelineEntry {
                date,
                what,
                record_id: id,
                kind,
            })
        })
        .collect();
    out.sort_by_key(|e| e.date);
    Ok(out)
}

/// Why something is urgent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Urgency {
    /// An open proceeding whose deadline has passed.
    DeadlinePassed {
        /// Days since the deadline.
        days_overdue: i64,
    },
    /// An open proceeding whose deadline is near.
    DeadlineNear {
        /// Days left.
        days_left: i64,
    },
    /// The subject is detained pending extradition (or arrested).
    InCustody {
        /// Days since the arrest.
        days_since_arrest: Option<i64>,
        /// The situation.
        situation: SituationKind,
    },
}

/// One line of the urgent list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct UrgentItem {
    /// The case.
    pub case_id: Uuid,
    /// The case's label.
    pub case_label: String,
    /// The record concerned (the proceeding, or the latest situation).
    pub record_id: Uuid,
    /// Why it is urgent.
    #[serde(flatten)]
    pub urgency: Urgency,
}

impl UrgentItem {
    /// Sort key: overdue deadlines first (most overdue first), then near
    /// deadlines (soonest first), then people in custody (longest first).
    fn rank(&self) -> (u8, i64) {
        match &self.urgency {
            Urgency::DeadlinePassed { days_overdue } => (0, -days_overdue),
            Urgency::DeadlineNear { days_left } => (1, *days_left),
            Urgency::InCustody { situation: SituationKind::DetainedPendingExtradition, days_since_arrest } => {
                (2, -days_since_arrest.unwrap_or(0))
            }
            Urgency::InCustody { days_since_arrest, .. } => (3, -days_since_arrest.unwrap_or(0)),
        }
    }
}

/// How near a deadline is "near": the urgent view and the case list's
/// counts, in the CLI and the app alike (`amana urgent --within-days`).
pub const URGENT_WITHIN_DAYS: i64 = 14;

/// What is urgent as of `today`: open proceedings past or within
/// `within_days` of their deadline, and subjects in custody.
pub fn urgent(conn: &Connection, today: Date, within_days: i64) -> Result<Vec<UrgentItem>, DossierError> {
    let mut items = Vec::new();
    for case in store::list(conn, Some(Kind::Case), None)? {
        let records = store::list(conn, None, Some(case.id))?;
        let label = case.record.label();
        for r in &records {
            if let Record::Proceeding(p) = &r.record {
                let st = ProceedingStatus::new(r.clone(), p, today);
                match st.days_to_deadline {
                    Some(d) if d < 0 => items.push(UrgentItem {
                        case_id: case.id,
                        case_label: label.clone(),
                        record_id: r.id,
                        urgency: Urgency::DeadlinePassed { days_overdue: -d },
                    }),
                    Some(d) if d <= within_days => items.push(UrgentItem {
                        case_id: case.id,
                        case_label: label.clone(),
                        record_id: r.id,
                        urgency: Urgency::DeadlineNear { days_left: d },
                    }),
                    _ => {}
                }
            }
        }
        let sorted = situations_sorted(&records);
        if let (Some(situation), days_since_arrest) = custody(&sorted, today) {
            if situation.in_custody() {
                let latest = sorted.last().expect("a current situation comes from a record").2.id;
                items.push(UrgentItem {
                    case_id: case.id,
                    case_label: label.clone(),
                    record_id: latest,
                    urgency: Urgency::InCustody { days_since_arrest, situation },
                });
            }
        }
    }
    items.sort_by_key(|i| i.rank());
    Ok(items)
}
