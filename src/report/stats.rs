//! The figures an organisation publishes, computed from the vault's own
//! records: cases by requesting and requested state, tactic, year, profile
//! and current situation; state-to-state flows; proceedings by outcome; CCF
//! requests and how long they took or have been pending; hand-overs despite
//! interim measures; detention durations.
//!
//! Every figure is computed as of an explicit `as_of` day, so it is
//! reproducible. The filters (period, tags) choose cases; every figure is then
//! about the chosen cases (see docs/reports.md). These statistics name no
//! person and no source; they may carry record ids for the app to link to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dossier::date::{Date, FuzzyDate};
use crate::dossier::model::*;
use crate::dossier::store::{self, DossierError, StoredRecord};

/// Which cases the statistics are about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatsFilter {
    /// Only cases with an incident on or after this day.
    #[serde(default)]
    pub from: Option<Date>,
    /// Only cases with an incident on or before this day.
    #[serde(default)]
    pub to: Option<Date>,
    /// Only cases carrying every one of these tags (compared ignoring case).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A labelled count: the label is a stable key (a country code, a tactic,
/// a year...) that the app translates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StatCount"))]
pub struct Count {
    /// The key, e.g. "SA", "extradition_proceedings", "2024".
    pub key: String,
    /// How many.
    pub count: u64,
}

/// Cases pursued by one state in another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StatFlow"))]
pub struct Flow {
    /// The requesting state.
    pub source: String,
    /// The requested state.
    pub target: String,
    /// Cases with at least one incident between the two.
    pub count: u64,
}

/// One bar of a distribution of durations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StatBucket"))]
pub struct Bucket {
    /// The key, e.g. "91-180" or "731+".
    pub key: String,
    /// First day count in the bucket.
    pub from_days: i64,
    /// Last day count in the bucket (none: open-ended).
    pub to_days: Option<i64>,
    /// How many durations fall in it.
    pub count: u64,
}

/// A set of durations in days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Durations {
    /// How many.
    pub count: u64,
    /// The median (the mean of the two middle values for an even count).
    pub median_days: Option<f64>,
    /// The longest.
    pub max_days: Option<i64>,
    /// Every duration, shortest first.
    pub days: Vec<i64>,
    /// The distribution.
    pub buckets: Vec<Bucket>,
}

/// CCF requests of one type (or of every type, `kind = "all"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CcfStats {
    /// `ccf_access`, `ccf_correction`, `ccf_deletion` or `all`.
    pub kind: String,
    /// Requests with a filing date.
    pub requests: u64,
    /// Requests recorded without a filing date (in no other figure).
    pub undated: u64,
    /// Days from filing to decision, for decided requests.
    pub decided: Durations,
    /// Days pending so far (filing to `as_of`), for requests not decided yet.
    pub pending: Durations,
    /// Decided requests by outcome.
    pub outcomes: Vec<Count>,
}

/// Interim measures (UN committees, Special Procedures, ECHR Rule 39) and
/// whether hand-overs went ahead despite them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct InterimMeasuresStats {
    /// Proceedings in which interim measures were requested.
    pub requested: u64,
    /// Of those, granted.
    pub granted: u64,
    /// Cases whose subject was extradited or deported after interim measures
    /// were granted (or although the state is recorded as not respecting them).
    pub handed_over_despite: u64,
    /// The same cases by body: `un`, `echr` (a case may count under both).
    pub by_body: Vec<Count>,
    /// The same cases by what happened: `extradited`, `deported`.
    pub by_situation: Vec<Count>,
    /// Those cases' ids.
    pub cases: Vec<Uuid>,
}

/// Spells in custody (arrested or detained pending extradition, unbroken).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DetentionStats {
    /// Spells that ended (release, extradition, deportation...): their length.
    pub ended: Durations,
    /// Spells still going on `as_of`: days so far.
    pub ongoing: Durations,
}

/// Headline counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "StatTotals"))]
pub struct Totals {
    /// Cases chosen by the filter.
    pub cases: u64,
    /// Their incidents.
    pub incidents: u64,
    /// Their proceedings.
    pub proceedings: u64,
    /// Their CCF requests (dated and undated).
    pub ccf_requests: u64,
}

/// Every statistic, for the app's charts and the CLI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Stats {
    /// The day durations are computed to.
    pub as_of: Date,
    /// The filter used.
    pub filter: StatsFilter,
    /// Headline counts.
    pub totals: Totals,
    /// Cases by requesting state (ISO code), from incidents.
    pub by_requesting_state: Vec<Count>,
    /// Cases by requested state (ISO code), from incidents.
    pub by_requested_state: Vec<Count>,
    /// Cases by tactic (a case counts once per tactic used).
    pub by_tactic: Vec<Count>,
    /// Cases by the year of their first incident (in the period): each case once.
    pub by_year: Vec<Count>,
    /// Cases by subject profile (a case counts once per profile).
    pub by_profile: Vec<Count>,
    /// Cases by the subject's latest situation (`unknown` if none): each case once.
    pub by_current_situation: Vec<Count>,
    /// Proceedings by outcome (`pending` if undecided): each proceeding once.
    pub by_outcome: Vec<Count>,
    /// Proceedings by kind: each proceeding once.
    pub by_proceeding_kind: Vec<Count>,
    /// Requesting state → requested state, in cases.
    pub flows: Vec<Flow>,
    /// CCF requests of every type together.
    pub ccf: CcfStats,
    /// CCF requests by type (access, correction, deletion).
    pub ccf_by_type: Vec<CcfStats>,
    /// Interim measures and hand-overs despite them.
    pub interim_measures: InterimMeasuresStats,
    /// Detention durations.
    pub detention: DetentionStats,
}

/// The edges of the CCF delay distribution, in days.
pub const CCF_BUCKETS: &[(i64, Option<i64>)] =
    &[(0, Some(90)), (91, Some(180)), (181, Some(365)), (366, Some(730)), (731, None)];
/// The edges of the detention distribution, in days.
pub const DETENTION_BUCKETS: &[(i64, Option<i64>)] =
    &[(0, Some(30)), (31, Some(90)), (91, Some(180)), (181, Some(365)), (366, None)];

/// The stable key of a serde enum value ("extradition_proceedings").
pub fn key_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The last day a fuzzy date can mean.
pub fn latest_day(d: &FuzzyDate) -> Date {
    match (d.month, d.day) {
        (Some(m), Some(day)) => Date::new(d.year, m, day),
        (Some(m), None) => {
            let next = if m == 12 { Date::new(d.year + 1, 1, 1) } else { Date::new(d.year, m + 1, 1) };
            next.map(|n| n.plus_days(-1))
        }
        _ => Date::new(d.year, 12, 31),
    }
    .unwrap_or_else(|| d.earliest())
}

fn in_period(d: &FuzzyDate, f: &StatsFilter) -> bool {
    f.from.is_none_or(|from| latest_day(d) >= from) && f.to.is_none_or(|to| d.earliest() <= to)
}

/// Counts sorted by count (largest first), then key.
fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map.into_iter().map(|(key, count)| Count { key, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    v
}

/// The median of sorted values.
pub fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

/// The key of a bucket: "91-180", "731+".
pub fn bucket_key(from: i64, to: Option<i64>) -> String {
    match to {
        Some(t) => format!("{from}-{t}"),
        None => format!("{from}+"),
    }
}

fn durations(mut days: Vec<i64>, edges: &[(i64, Option<i64>)]) -> Durations {
    days.sort_unstable();
    let buckets = edges
        .iter()
        .map(|&(from, to)| Bucket {
            key: bucket_key(from, to),
            from_days: from,
            to_days: to,
            count: days.iter().filter(|&&d| d.max(0) >= from && to.is_none_or(|t| d.max(0) <= t)).count() as u64,
        })
        .collect();
    Durations { count: days.len() as u64, median_days: median(&days), max_days: days.last().copied(), days, buckets }
}

/// One case and its records, as the statistics see it.
struct CaseRecords<'a> {
    id: Uuid,
    case: &'a Case,
    records: Vec<&'a StoredRecord>,
}

impl<'a> CaseRecords<'a> {
    fn incidents(&self) -> impl Iterator<Item = &'a Incident> + '_ {
        self.records.iter().filter_map(|r| match &r.record {
            Record::Incident(i) => Some(i),
            _ => None,
        })
    }
    fn proceedings(&self) -> impl Iterator<Item = &'a Proceeding> + '_ {
        self.records.iter().filter_map(|r| match &r.record {
            Record::Proceeding(p) => Some(p),
            _ => None,
        })
    }
    /// Situations oldest first (ties in the order they were recorded).
    fn situations(&self) -> Vec<&'a Situation> {
        let mut v: Vec<(&'a Situation, &'a str)> = self
            .records
            .iter()
            .filter_map(|r| match &r.record {
                Record::Situation(s) => Some((s, r.created_at.as_str())),
                _ => None,
            })
            .collect();
        v.sort_by(|a, b| a.0.date.cmp(&b.0.date).then(a.1.cmp(b.1)));
        v.into_iter().map(|(s, _)| s).collect()
    }
}

fn chosen(c: &CaseRecords<'_>, f: &StatsFilter) -> bool {
    let tags_ok = f.tags.iter().all(|want| {
        let want = want.trim().to_lowercase();
        c.case.tags.iter().any(|t| t.trim().to_lowercase() == want)
    });
    let period_ok = (f.from.is_none() && f.to.is_none()) || c.incidents().any(|i| in_period(&i.date, f));
    tags_ok && period_ok
}

const CCF_KINDS: [ProceedingKind; 3] =
    [ProceedingKind::CcfAccess, ProceedingKind::CcfCorrection, ProceedingKind::CcfDeletion];

fn ccf_stats(kind: String, ps: &[&Proceeding], as_of: Date) -> CcfStats {
    let mut decided = Vec::new();
    let mut pending = Vec::new();
    let mut undated = 0;
    let mut outcomes = BTreeMap::new();
    for p in ps {
        match (p.filed_on, p.decided_on) {
            (Some(f), Some(d)) => {
                decided.push(f.days_until(d));
                *outcomes.entry(p.outcome.map(|o| key_of(&o)).unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
            }
            (Some(f), None) => pending.push(f.days_until(as_of)),
            (None, _) => undated += 1,
        }
    }
    CcfStats {
        kind,
        requests: (decided.len() + pending.len()) as u64,
        undated,
        decided: durations(decided, CCF_BUCKETS),
        pending: durations(pending, CCF_BUCKETS),
        outcomes: counts(outcomes),
    }
}

/// Which international body a proceeding's interim measures come from.
fn body(kind: ProceedingKind) -> Option<&'static str> {
    match kind {
        ProceedingKind::UnSpecialProcedures
        | ProceedingKind::Wgad
        | ProceedingKind::CatComplaint
        | ProceedingKind::HrcComplaint => Some("un"),
        ProceedingKind::EchrRule39 => Some("echr"),
        _ => None,
    }
}

/// Custody spells of one case: (start, end), end `None` if still in custody.
fn custody_spells(situations: &[&Situation]) -> Vec<(Date, Option<Date>)> {
    let mut spells = Vec::new();
    let mut start: Option<Date> = None;
    for s in situations {
        match (s.situation.in_custody(), start) {
            (true, None) => start = Some(s.date.earliest()),
            (false, Some(st)) => {
                spells.push((st, Some(s.date.earliest())));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        spells.push((st, None));
    }
    spells
}

/// Computes every statistic over the cases the filter chooses.
pub fn compute(conn: &rusqlite::Connection, filter: &StatsFilter, as_of: Date) -> Result<Stats, DossierError> {
    let all = store::list(conn, None, None)?;
    let mut by_case: HashMap<Uuid, Vec<&StoredRecord>> = HashMap::new();
    for r in &all {
        by_case.entry(r.case_id).or_default().push(r);
    }
    let mut cases: Vec<CaseRecords<'_>> = all
        .iter()
        .filter_map(|r| match &r.record {
            Record::Case(c) => {
                Some(CaseRecords { id: r.id, case: c, records: by_case.remove(&r.id).unwrap_or_default() })
            }
            _ => None,
        })
        .collect();
    cases.retain(|c| chosen(c, filter));
    let period = filter.from.is_some() || filter.to.is_some();

    let mut requesting = BTreeMap::new();
    let mut requested = BTreeMap::new();
    let mut tactics = BTreeMap::new();
    let mut years = BTreeMap::new();
    let mut profiles = BTreeMap::new();
    let mut current = BTreeMap::new();
    let mut outcomes = BTreeMap::new();
    let mut proceeding_kinds = BTreeMap::new();
    let mut flows: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut ccf: Vec<&Proceeding> = Vec::new();
    let mut interim = InterimMeasuresStats {
        requested: 0,
        granted: 0,
        handed_over_despite: 0,
        by_body: Vec::new(),
        by_situation: Vec::new(),
        cases: Vec::new(),
    };
    let mut despite_body = BTreeMap::new();
    let mut despite_situation = BTreeMap::new();
    let mut ended = Vec::new();
    let mut ongoing = Vec::new();
    let mut totals = Totals { cases: cases.len() as u64, incidents: 0, proceedings: 0, ccf_requests: 0 };

    for c in &cases {
        let bump = |map: &mut BTreeMap<String, u64>, keys: BTreeSet<String>| {
            for k in keys {
                *map.entry(k).or_insert(0) += 1;
            }
        };
        let incidents: Vec<&Incident> = c.incidents().collect();
        totals.incidents += incidents.len() as u64;
        bump(&mut requesting, incidents.iter().map(|i| i.requesting_state.as_str().to_string()).collect());
        bump(
            &mut requested,
            incidents.iter().filter_map(|i| i.requested_state.as_ref().map(|s| s.as_str().to_string())).collect(),
        );
        bump(&mut tactics, incidents.iter().map(|i| key_of(&i.tactic)).collect());
        bump(&mut profiles, c.case.subject.profiles.iter().map(key_of).collect());
        let case_flows: BTreeSet<(String, String)> = incidents
            .iter()
            .filter_map(|i| {
                i.requested_state.as_ref().map(|t| (i.requesting_state.as_str().to_string(), t.as_str().to_string()))
            })
            .collect();
        for f in case_flows {
            *flows.entry(f).or_insert(0) += 1;
        }
        let first = incidents.iter().map(|i| i.date).filter(|d| !period || in_period(d, filter)).min();
        *years.entry(first.map(|d| d.year.to_string()).unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;

        let situations = c.situations();
        let latest = situations.last().map(|s| key_of(&s.situation)).unwrap_or_else(|| "unknown".into());
        *current.entry(latest).or_insert(0) += 1;
        for (start, end) in custody_spells(&situations) {
            match end {
                Some(e) => ended.push(start.days_until(e)),
                None => ongoing.push(start.days_until(as_of)),
            }
        }

        let handovers: Vec<&Situation> = situations
            .iter()
            .copied()
            .filter(|s| matches!(s.situation, SituationKind::Extradited | SituationKind::Deported))
            .collect();
        let mut despite_bodies = BTreeSet::new();
        let mut despite_kinds = BTreeSet::new();
        for p in c.proceedings() {
            totals.proceedings += 1;
            *outcomes.entry(p.outcome.map(|o| key_of(&o)).unwrap_or_else(|| "pending".into())).or_insert(0) += 1;
            *proceeding_kinds.entry(key_of(&p.kind)).or_insert(0) += 1;
            if CCF_KINDS.contains(&p.kind) {
                ccf.push(p);
            }
            let Some(im) = &p.interim_measures else { continue };
            interim.requested += 1;
            if im.granted_on.is_some() {
                interim.granted += 1;
            }
            let Some(b) = body(p.kind) else { continue };
            for h in &handovers {
                // After the grant for certain (a fuzzy date counts from its earliest day),
                // or recorded as not respected.
                let after_grant = im.granted_on.is_some_and(|g| h.date.earliest() >= g);
                if after_grant || (im.respected == Some(false) && im.granted_on.is_some()) {
                    despite_bodies.insert(b.to_string());
                    despite_kinds.insert(key_of(&h.situation));
                }
            }
        }
        if !despite_bodies.is_empty() {
            interim.handed_over_despite += 1;
            interim.cases.push(c.id);
            bump(&mut despite_body, despite_bodies);
            bump(&mut despite_situation, despite_kinds);
        }
    }
    totals.ccf_requests = ccf.len() as u64;
    interim.by_body = counts(despite_body);
    interim.by_situation = counts(despite_situation);

    let mut by_year: Vec<Count> = years.into_iter().map(|(key, count)| Count { key, count }).collect();
    by_year.sort_by(|a, b| (a.key == "unknown").cmp(&(b.key == "unknown")).then(a.key.cmp(&b.key)));
    let mut flows: Vec<Flow> =
        flows.into_iter().map(|((source, target), count)| Flow { source, target, count }).collect();
    flows.sort_by(|a, b| b.count.cmp(&a.count).then(a.source.cmp(&b.source)).then(a.target.cmp(&b.target)));

    Ok(Stats {
        as_of,
        filter: filter.clone(),
        totals,
        by_requesting_state: counts(requesting),
        by_requested_state: counts(requested),
        by_tactic: counts(tactics),
        by_year,
        by_profile: counts(profiles),
        by_current_situation: counts(current),
        by_outcome: counts(outcomes),
        by_proceeding_kind: counts(proceeding_kinds),
        flows,
        ccf: ccf_stats("all".into(), &ccf, as_of),
        ccf_by_type: CCF_KINDS
            .iter()
            .map(|k| ccf_stats(key_of(k), &ccf.iter().copied().filter(|p| p.kind == *k).collect::<Vec<_>>(), as_of))
            .collect(),
        interim_measures: interim,
        detention: DetentionStats {
            ended: durations(ended, DETENTION_BUCKETS),
            ongoing: durations(ongoing, DETENTION_BUCKETS),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(median(&[1, 3, 10]), Some(3.0));
        assert_eq!(median(&[1, 3, 10, 20]), Some(6.5));
    }

    #[test]
    fn latest_day_of_each_precision() {
        let d = |s: &str| latest_day(&s.parse().unwrap()).to_string();
        assert_eq!(d("2024"), "2024-12-31");
        assert_eq!(d("2024-02"), "2024-02-29");
        assert_eq!(d("2023-12"), "2023-12-31");
        assert_eq!(d("~2023-04-05"), "2023-04-05");
    }

    #[test]
    fn buckets_are_inclusive_and_open_ended() {
        let d = durations(vec![0, 90, 91, 800, 365, 366], CCF_BUCKETS);
        let c: Vec<u64> = d.buckets.iter().map(|b| b.count).collect();
        assert_eq!(c, [2, 1, 1, 1, 1]);
        assert_eq!(d.buckets[4].key, "731+");
        assert_eq!(d.max_days, Some(800));
    }

    #[test]
    fn custody_spells_end_at_the_next_situation_out_of_custody() {
        let s = |d: &str, k: SituationKind| Situation {
            date: d.parse().unwrap(),
            situation: k,
            place: None,
            notes: String::new(),
        };
        let v = [
            s("2020-01-01", SituationKind::Arrested),
            s("2020-01-05", SituationKind::DetainedPendingExtradition),
            s("2020-03-01", SituationKind::Released),
            s("2021-01-01", SituationKind::Arrested),
        ];
        let refs: Vec<&Situation> = v.iter().collect();
        let spells = custody_spells(&refs);
        assert_eq!(spells.len(), 2);
        assert_eq!(spells[0].0.days_until(spells[0].1.unwrap()), 60);
        assert_eq!(spells[1].1, None);
    }
}
