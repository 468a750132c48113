//! The statistics as flat rows `table, key, target, value`: the CSV export
//! and the CLI's table are both made from them (schema in docs/reports.md).
//! A value is a whole number, a number of days (medians may end in .5),
//! `<N` for a count hidden as "fewer than N", or `suppressed`.

use super::publish::{Figure, PublishableReport, PublishedDurations, PublishedTable};
use super::stats::{Count, Durations, Stats};

/// One row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Which table (e.g. `by_requesting_state`).
    pub table: &'static str,
    /// The key (country code, tactic, bucket, `median`...).
    pub key: String,
    /// The second key, for flows (the requested state); else empty.
    pub target: String,
    /// The value.
    pub value: String,
}

fn row(table: &'static str, key: impl Into<String>, value: impl Into<String>) -> Row {
    Row { table, key: key.into(), target: String::new(), value: value.into() }
}

fn days(d: f64) -> String {
    if d.fract() == 0.0 {
        format!("{d:.0}")
    } else {
        format!("{d:.1}")
    }
}

fn counts(out: &mut Vec<Row>, table: &'static str, v: &[Count]) {
    out.extend(v.iter().map(|c| row(table, c.key.clone(), c.count.to_string())));
}

fn durations(out: &mut Vec<Row>, table: &'static str, d: &Durations) {
    out.push(row(table, "count", d.count.to_string()));
    if let Some(m) = d.median_days {
        out.push(row(table, "median", days(m)));
    }
    if let Some(m) = d.max_days {
        out.push(row(table, "max", m.to_string()));
    }
    out.extend(d.buckets.iter().map(|b| row(table, b.key.clone(), b.count.to_string())));
}

/// The full statistics as rows.
pub fn stats_rows(s: &Stats) -> Vec<Row> {
    let mut out = vec![
        row("totals", "cases", s.totals.cases.to_string()),
        row("totals", "incidents", s.totals.incidents.to_string()),
        row("totals", "proceedings", s.totals.proceedings.to_string()),
        row("totals", "ccf_requests", s.totals.ccf_requests.to_string()),
    ];
    counts(&mut out, "by_requesting_state", &s.by_requesting_state);
    counts(&mut out, "by_requested_state", &s.by_requested_state);
    counts(&mut out, "by_tactic", &s.by_tactic);
    counts(&mut out, "by_year", &s.by_year);
    counts(&mut out, "by_profile", &s.by_profile);
    counts(&mut out, "by_current_situation", &s.by_current_situation);
    counts(&mut out, "by_outcome", &s.by_outcome);
    counts(&mut out, "by_proceeding_kind", &s.by_proceeding_kind);
    out.extend(s.flows.iter().map(|f| Row {
        table: "flows",
        key: f.source.clone(),
        target: f.target.clone(),
        value: f.count.to_string(),
    }));
    for c in std::iter::once(&s.ccf).chain(&s.ccf_by_type) {
        out.push(Row {
            table: "ccf_requests",
            key: c.kind.clone(),
            target: "requests".into(),
            value: c.requests.to_string(),
        });
        out.push(Row {
            table: "ccf_requests",
            key: c.kind.clone(),
            target: "undated".into(),
            value: c.undated.to_string(),
        });
        out.push(Row {
            table: "ccf_requests",
            key: c.kind.clone(),
            target: "decided".into(),
            value: c.decided.count.to_string(),
        });
        out.push(Row {
            table: "ccf_requests",
            key: c.kind.clone(),
            target: "pending".into(),
            value: c.pending.count.to_string(),
        });
        if let Some(m) = c.decided.median_days {
            out.push(Row {
                table: "ccf_requests",
                key: c.kind.clone(),
                target: "median_days_to_decision".into(),
                value: days(m),
            });
        }
        if let Some(m) = c.pending.median_days {
            out.push(Row {
                table: "ccf_requests",
                key: c.kind.clone(),
                target: "median_days_pending".into(),
                value: days(m),
            });
        }
        if let Some(m) = c.pending.max_days {
            out.push(Row {
                table: "ccf_requests",
                key: c.kind.clone(),
                target: "max_days_pending".into(),
                value: m.to_string(),
            });
        }
    }
    durations(&mut out, "ccf_days_to_decision", &s.ccf.decided);
    durations(&mut out, "ccf_days_pending", &s.ccf.pending);
    let im = &s.interim_measures;
    out.push(row("interim_measures", "requested", im.requested.to_string()));
    out.push(row("interim_measures", "granted", im.granted.to_string()));
    out.push(row("interim_measures", "handed_over_despite", im.handed_over_despite.to_string()));
    counts(&mut out, "handed_over_despite_by_body", &im.by_body);
    counts(&mut out, "handed_over_despite_by_situation", &im.by_situation);
    durations(&mut out, "detention_ended_days", &s.detention.ended);
    durations(&mut out, "detention_ongoing_days", &s.detention.ongoing);
    out
}

/// A figure as a value.
pub fn figure(f: &Figure) -> String {
    match f {
        Figure::Count(n) => n.to_string(),
        Figure::FewerThan(n) => format!("<{n}"),
        Figure::Suppressed => "suppressed".into(),
    }
}

fn table(out: &mut Vec<Row>, name: &'static str, t: &PublishedTable) {
    if t.suppressed {
        out.push(row(name, "*", "suppressed"));
    }
    out.extend(t.rows.iter().map(|r| row(name, r.key.clone(), figure(&r.value))));
}

fn published_durations(out: &mut Vec<Row>, name: &'static str, d: &PublishedDurations) {
    out.push(row(name, "count", figure(&d.count)));
    if let Some(m) = d.median_days {
        out.push(row(name, "median", days(m)));
    }
    table(out, name, &d.distribution);
}

/// The publishable report as rows.
pub fn publishable_rows(p: &PublishableReport) -> Vec<Row> {
    let mut out = vec![
        row("totals", "cases", figure(&p.cases)),
        row("totals", "incidents", figure(&p.incidents)),
        row("totals", "proceedings", figure(&p.proceedings)),
    ];
    table(&mut out, "by_requesting_state", &p.by_requesting_state);
    table(&mut out, "by_requested_state", &p.by_requested_state);
    table(&mut out, "by_tactic", &p.by_tactic);
    table(&mut out, "by_year", &p.by_year);
    table(&mut out, "by_profile", &p.by_profile);
    table(&mut out, "by_current_situation", &p.by_current_situation);
    table(&mut out, "by_outcome", &p.by_outcome);
    out.extend(p.flows.iter().map(|f| Row {
        table: "flows",
        key: f.source.clone(),
        target: f.target.clone(),
        value: figure(&f.value),
    }));
    out.push(row("ccf_requests", "all", figure(&p.ccf.requests)));
    table(&mut out, "ccf_requests_by_type", &p.ccf.by_type);
    out.extend(p.ccf.median_days_by_type.iter().map(|m| Row {
        table: "ccf_requests",
        key: m.key.clone(),
        target: "median_days_to_decision".into(),
        value: days(m.median_days),
    }));
    published_durations(&mut out, "ccf_days_to_decision", &p.ccf.decided);
    published_durations(&mut out, "ccf_days_pending", &p.ccf.pending);
    let im = &p.interim_measures;
    out.push(row("interim_measures", "requested", figure(&im.requested)));
    out.push(row("interim_measures", "granted", figure(&im.granted)));
    out.push(row("interim_measures", "handed_over_despite", figure(&im.handed_over_despite)));
    table(&mut out, "handed_over_despite_by_body", &im.by_body);
    published_durations(&mut out, "detention_ended_days", &p.detention_ended);
    published_durations(&mut out, "detention_ongoing_days", &p.detention_ongoing);
    out
}

fn csv_field(s: &str) -> String {
    // A leading = + - @ would be read as a formula by a spreadsheet.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Rows as CSV (RFC 4180, with a header line).
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from("table,key,target,value\r\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{}\r\n",
            csv_field(r.table),
            csv_field(&r.key),
            csv_field(&r.target),
            csv_field(&r.value)
        ));
    }
    out
}
