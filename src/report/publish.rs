//! The aggregate-only report that is safe to publish: no names, no sources,
//! no record ids, no individual durations, and every small count shown as
//! "fewer than N" so nobody is identifiable.
//!
//! Hiding a small cell is not enough when the cells of a table add up to a
//! published total: the hidden cell is the total minus the others. So after
//! the small cells are hidden (primary suppression), every published additive
//! relation "members add up to a total" that holds in the data is checked:
//! if one of its figures is hidden, at least two must be, and the hidden
//! members must together be at least N, else the smallest shown member is
//! hidden too (complementary suppression), and again until nothing changes.
//! A table whose total is hidden is hidden whole. Medians are published only
//! over at least N values; maxima and individual durations never.
//! See docs/reports.md.

use serde::{Deserialize, Serialize};

use super::stats::{Count, Durations, Stats, StatsFilter};
use crate::dossier::date::Date;

/// The default threshold: counts under 5 are shown as "fewer than 5".
pub const DEFAULT_THRESHOLD: u64 = 5;
/// The smallest threshold accepted.
pub const MIN_THRESHOLD: u64 = 2;
/// The largest threshold accepted.
pub const MAX_THRESHOLD: u64 = 100;

/// A published figure: an exact count, or "fewer than N" (also used, for a
/// complementary suppression, on a count that is not small itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// The exact count.
    Count(u64),
    /// Hidden: shown as "fewer than N" when small, "suppressed" otherwise.
    FewerThan(u64),
    /// Hidden to protect another hidden figure (not small itself).
    Suppressed,
}

impl Figure {
    /// The figure in English words, for the table and the CSV.
    pub fn text(&self) -> String {
        match self {
            Figure::Count(n) => n.to_string(),
            Figure::FewerThan(n) => format!("fewer than {n}"),
            Figure::Suppressed => "suppressed".into(),
        }
    }
}

/// A published row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedCount {
    /// The key (country code, tactic, year...).
    pub key: String,
    /// The figure.
    pub value: Figure,
}

/// A published flow between two states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedFlow {
    /// Requesting state.
    pub source: String,
    /// Requested state.
    pub target: String,
    /// Cases.
    pub value: Figure,
}

/// A published table: rows, or nothing if its total is hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedTable {
    /// Whether each counted unit is in exactly one row.
    pub each_once: bool,
    /// Hidden whole, because its total is hidden.
    pub suppressed: bool,
    /// The rows (empty when suppressed).
    pub rows: Vec<PublishedCount>,
}

/// A published set of durations: how many, the median if over enough, the distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedDurations {
    /// How many.
    pub count: Figure,
    /// The median in days, if over at least N values.
    pub median_days: Option<f64>,
    /// The distribution (buckets of days).
    pub distribution: PublishedTable,
}

/// A median published for one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Median {
    /// The key (e.g. `ccf_deletion`).
    pub key: String,
    /// The median, in days.
    pub median_days: f64,
}

/// CCF requests as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedCcf {
    /// Dated requests of every type.
    pub requests: Figure,
    /// Requests by type.
    pub by_type: PublishedTable,
    /// The median time to decision by type (only types with at least N decisions).
    pub median_days_by_type: Vec<Median>,
    /// Decided: time to decision.
    pub decided: PublishedDurations,
    /// Still pending: time so far.
    pub pending: PublishedDurations,
}

/// Interim measures as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedInterim {
    /// Proceedings with interim measures requested.
    pub requested: Figure,
    /// Granted.
    pub granted: Figure,
    /// Cases handed over despite them.
    pub handed_over_despite: Figure,
    /// By body.
    pub by_body: PublishedTable,
}

/// The aggregate-only report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishableReport {
    /// Counts under this are hidden.
    pub threshold: u64,
    /// As of.
    pub as_of: Date,
    /// The filter used.
    pub filter: StatsFilter,
    /// Cases.
    pub cases: Figure,
    /// Incidents.
    pub incidents: Figure,
    /// Proceedings.
    pub proceedings: Figure,
    /// Cases by requesting state.
    pub by_requesting_state: PublishedTable,
    /// Cases by requested state.
    pub by_requested_state: PublishedTable,
    /// Cases by tactic.
    pub by_tactic: PublishedTable,
    /// Cases by year.
    pub by_year: PublishedTable,
    /// Cases by profile.
    pub by_profile: PublishedTable,
    /// Cases by current situation.
    pub by_current_situation: PublishedTable,
    /// Proceedings by outcome.
    pub by_outcome: PublishedTable,
    /// Flows between states.
    pub flows: Vec<PublishedFlow>,
    /// CCF requests.
    pub ccf: PublishedCcf,
    /// Interim measures.
    pub interim_measures: PublishedInterim,
    /// Detention spells that ended.
    pub detention_ended: PublishedDurations,
    /// Detention spells still going on.
    pub detention_ongoing: PublishedDurations,
}

/// The figures of a report and the additive relations between them.
struct Cells {
    values: Vec<u64>,
    hidden: Vec<bool>,
    /// (members, total): the members add up to the total in the data.
    relations: Vec<(Vec<usize>, usize)>,
    threshold: u64,
}

impl Cells {
    fn cell(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.hidden.push(value > 0 && value < self.threshold);
        self.values.len() - 1
    }

    fn table(&mut self, rows: &[Count], total: usize) -> Vec<usize> {
        let ids: Vec<usize> = rows.iter().map(|r| self.cell(r.count)).collect();
        self.relate(&ids, total);
        ids
    }

    /// Records a relation if it holds in the data (a table where a unit can
    /// be in several rows does not add up, so subtraction reveals nothing).
    fn relate(&mut self, members: &[usize], total: usize) {
        if !members.is_empty() && members.iter().map(|&i| self.values[i]).sum::<u64>() == self.values[total] {
            self.relations.push((members.to_vec(), total));
        }
    }

    /// Complementary suppression to a fixed point.
    fn protect(&mut self) {
        loop {
            let mut changed = false;
            for (members, total) in &self.relations {
                let hidden_members: Vec<usize> = members.iter().copied().filter(|&i| self.hidden[i]).collect();
                let hidden_count = hidden_members.len() + usize::from(self.hidden[*total]);
                if hidden_count == 0 {
                    continue;
                }
                let hidden_sum: u64 = hidden_members.iter().map(|&i| self.values[i]).sum();
                let safe = hidden_count >= 2 && (self.hidden[*total] || hidden_sum >= self.threshold);
                if safe {
                    continue;
                }
                // Hiding a zero protects nothing: take the smallest non-zero.
                let next = members
                    .iter()
                    .copied()
                    .filter(|&i| !self.hidden[i] && self.values[i] > 0)
                    .min_by_key(|&i| self.values[i]);
                match next {
                    Some(i) => self.hidden[i] = true,
                    None => self.hidden[*total] = true,
                }
                changed = true;
            }
            if !changed {
                return;
            }
        }
    }

    fn figure(&self, i: usize) -> Figure {
        match (self.hidden[i], self.values[i] < self.threshold) {
            (false, _) => Figure::Count(self.values[i]),
            (true, true) => Figure::FewerThan(self.threshold),
            (true, false) => Figure::Suppressed,
        }
    }

    fn rows(&self, rows: &[Count], ids: &[usize], total: usize) -> PublishedTable {
        let each_once = self.relations.iter().any(|(m, t)| *t == total && m.as_slice() == ids);
        if self.hidden[total] {
            return PublishedTable { each_once, suppressed: true, rows: Vec::new() };
        }
        PublishedTable {
            each_once,
            suppressed: false,
            rows: rows
                .iter()
                .zip(ids)
                .map(|(r, &i)| PublishedCount { key: r.key.clone(), value: self.figure(i) })
                .collect(),
        }
    }
}

/// Ids of a set of durations: its count and its buckets.
struct DurationCells {
    count: usize,
    buckets: Vec<usize>,
    rows: Vec<Count>,
}

fn duration_cells(c: &mut Cells, d: &Durations) -> DurationCells {
    let count = c.cell(d.count);
    let rows: Vec<Count> = d.buckets.iter().map(|b| Count { key: b.key.clone(), count: b.count }).collect();
    // Empty buckets are published as 0: a zero identifies nobody.
    let buckets = c.table(&rows, count);
    DurationCells { count, buckets, rows }
}

fn published_durations(c: &Cells, ids: &DurationCells, d: &Durations) -> PublishedDurations {
    PublishedDurations {
        count: c.figure(ids.count),
        median_days: d.median_days.filter(|_| d.count >= c.threshold),
        distribution: c.rows(&ids.rows, &ids.buckets, ids.count),
    }
}

/// Builds the publishable report from the statistics. `threshold` must be in
/// `MIN_THRESHOLD..=MAX_THRESHOLD` (checked by the caller).
pub fn publishable(stats: &Stats, threshold: u64) -> PublishableReport {
    let mut c = Cells { values: Vec::new(), hidden: Vec::new(), relations: Vec::new(), threshold };
    let cases = c.cell(stats.totals.cases);
    let incidents = c.cell(stats.totals.incidents);
    let proceedings = c.cell(stats.totals.proceedings);
    let requesting = c.table(&stats.by_requesting_state, cases);
    let requested = c.table(&stats.by_requested_state, cases);
    let tactic = c.table(&stats.by_tactic, cases);
    let year = c.table(&stats.by_year, cases);
    let profile = c.table(&stats.by_profile, cases);
    let current = c.table(&stats.by_current_situation, cases);
    let outcome = c.table(&stats.by_outcome, proceedings);
    // Flows: each row (requesting state) and column (requested state) may add
    // up to that state's published count.
    let flow_ids: Vec<usize> = stats.flows.iter().map(|f| c.cell(f.count)).collect();
    c.relate(&flow_ids, cases);
    for (rows, ids, source) in
        [(&stats.by_requesting_state, &requesting, true), (&stats.by_requested_state, &requested, false)]
    {
        for (row, &total) in rows.iter().zip(ids) {
            let members: Vec<usize> = stats
                .flows
                .iter()
                .zip(&flow_ids)
                .filter(|(f, _)| if source { f.source == row.key } else { f.target == row.key })
                .map(|(_, &i)| i)
                .collect();
            c.relate(&members, total);
        }
    }
    // CCF: dated requests = decided + pending; by type.
    let ccf_requests = c.cell(stats.ccf.requests);
    let type_rows: Vec<Count> =
        stats.ccf_by_type.iter().map(|t| Count { key: t.kind.clone(), count: t.requests }).collect();
    let by_type = c.table(&type_rows, ccf_requests);
    let decided = duration_cells(&mut c, &stats.ccf.decided);
    let pending = duration_cells(&mut c, &stats.ccf.pending);
    c.relate(&[decided.count, pending.count], ccf_requests);
    // Interim measures.
    let im = &stats.interim_measures;
    let im_requested = c.cell(im.requested);
    let im_granted = c.cell(im.granted);
    let despite = c.cell(im.handed_over_despite);
    let by_body = c.table(&im.by_body, despite);
    // Detention.
    let ended = duration_cells(&mut c, &stats.detention.ended);
    let ongoing = duration_cells(&mut c, &stats.detention.ongoing);

    c.protect();

    PublishableReport {
        threshold,
        as_of: stats.as_of,
        filter: stats.filter.clone(),
        cases: c.figure(cases),
        incidents: c.figure(incidents),
        proceedings: c.figure(proceedings),
        by_requesting_state: c.rows(&stats.by_requesting_state, &requesting, cases),
        by_requested_state: c.rows(&stats.by_requested_state, &requested, cases),
        by_tactic: c.rows(&stats.by_tactic, &tactic, cases),
        by_year: c.rows(&stats.by_year, &year, cases),
        by_profile: c.rows(&stats.by_profile, &profile, cases),
        by_current_situation: c.rows(&stats.by_current_situation, &current, cases),
        by_outcome: c.rows(&stats.by_outcome, &outcome, proceedings),
        flows: if c.hidden[cases] {
            Vec::new()
        } else {
            stats
                .flows
                .iter()
                .zip(&flow_ids)
                .map(|(f, &i)| PublishedFlow { source: f.source.clone(), target: f.target.clone(), value: c.figure(i) })
                .collect()
        },
        ccf: PublishedCcf {
            requests: c.figure(ccf_requests),
            by_type: c.rows(&type_rows, &by_type, ccf_requests),
            median_days_by_type: stats
                .ccf_by_type
                .iter()
                .filter(|t| t.decided.count >= threshold)
                .filter_map(|t| t.decided.median_days.map(|m| Median { key: t.kind.clone(), median_days: m }))
                .collect(),
            decided: published_durations(&c, &decided, &stats.ccf.decided),
            pending: published_durations(&c, &pending, &stats.ccf.pending),
        },
        interim_measures: PublishedInterim {
            requested: c.figure(im_requested),
            granted: c.figure(im_granted),
            handed_over_despite: c.figure(despite),
            by_body: c.rows(&im.by_body, &by_body, despite),
        },
        detention_ended: published_durations(&c, &ended, &stats.detention.ended),
        detention_ongoing: published_durations(&c, &ongoing, &stats.detention.ongoing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(values: &[u64], total: u64) -> (Cells, Vec<usize>, usize) {
        let mut c = Cells { values: Vec::new(), hidden: Vec::new(), relations: Vec::new(), threshold: 5 };
        let t = c.cell(total);
        let rows: Vec<Count> = values.iter().map(|&v| Count { key: v.to_string(), count: v }).collect();
        let ids = c.table(&rows, t);
        c.protect();
        (c, ids, t)
    }

    #[test]
    fn a_lone_small_cell_of_an_additive_table_takes_the_next_smallest_with_it() {
        let (c, ids, t) = cells(&[12, 7, 3], 22);
        let f: Vec<Figure> = ids.iter().map(|&i| c.figure(i)).collect();
        assert_eq!(f, [Figure::Count(12), Figure::Suppressed, Figure::FewerThan(5)]);
        assert_eq!(c.figure(t), Figure::Count(22));
    }

    #[test]
    fn two_small_cells_adding_up_to_less_than_n_take_a_third() {
        // 1 + 1 = 2 would reveal both (each at least 1).
        let (c, ids, _) = cells(&[10, 6, 1, 1], 18);
        let f: Vec<Figure> = ids.iter().map(|&i| c.figure(i)).collect();
        assert_eq!(f, [Figure::Count(10), Figure::Suppressed, Figure::FewerThan(5), Figure::FewerThan(5)]);
    }

    #[test]
    fn a_table_that_does_not_add_up_keeps_its_large_cells() {
        // A case counts under several tactics: 27 + 3 != 27.
        let (c, ids, _) = cells(&[27, 3], 27);
        assert_eq!(c.figure(ids[0]), Figure::Count(27));
        assert_eq!(c.figure(ids[1]), Figure::FewerThan(5));
    }

    #[test]
    fn a_small_total_hides_its_whole_table() {
        let (c, ids, t) = cells(&[2, 1], 3);
        assert_eq!(c.figure(t), Figure::FewerThan(5));
        assert!(
            c.rows(&[Count { key: "a".into(), count: 2 }, Count { key: "b".into(), count: 1 }], &ids, t).suppressed
        );
    }
}
