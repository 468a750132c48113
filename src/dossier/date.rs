//! Calendar dates as case work records them: exact ("2024-03-15"), to the
//! month ("2024-03") or year ("2024"), and possibly approximate ("~2024-03").
//!
//! Impossible dates (2023-02-29, month 13) are refused at parse time, so every
//! stored date is real. Day arithmetic is on the proleptic Gregorian calendar.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An exact calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(test, derive(ts_rs::TS), ts(type = "string", rename = "ExactDate"))]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a date was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("\"{0}\" is not a valid date: use YYYY-MM-DD (or YYYY-MM, or YYYY, with ~ in front if approximate)")]
pub struct BadDate(pub String);

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Date::from_days((secs / 86_400) as i64)
    }

    /// Year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(&self, later: Date) -> i64 {
        later.to_days() - self.to_days()
    }

    /// The date `n` days later.
    pub fn plus_days(&self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }
}

/// The current time as RFC 3339 UTC to the second, e.g. "2026-11-28T12:00:00Z".
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let day = Date::from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// Parses an RFC 3339 time (`2026-11-28T12:00:00Z`, fractions of a second
/// and `+hh:mm` offsets allowed) into seconds since 1970 (UTC). Strict: a
/// time that is not exactly that shape, or not a real date and time, is
/// `None`. Bundles are checked with it: no decision in Amana depends on a
/// time a sender wrote, but a time from the future is refused
/// (docs/SECURITY.md, "Who may change what").
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b.len() > 40 || !s.is_ascii() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    if b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date =
        Date::new(i32::try_from(num(0..4)?).ok()?, u8::try_from(num(5..7)?).ok()?, u8::try_from(num(8..10)?).ok()?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !(o[0] == b'+' || o[0] == b'-') || o[3] != b':' {
                return None;
            }
            let (oh, om): (i64, i64) = (rest[1..3].parse().ok()?, rest[4..6].parse().ok()?);
            if !rest[1..3].bytes().all(|c| c.is_ascii_digit()) || !rest[4..6].bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if o[0] == b'+' {
                v
            } else {
                -v
            }
        }
    };
    Some(date.to_days() * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(sec) - offset)
}

/// Seconds since 1970 now (UTC).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<Date, BadDate> {
        match FuzzyDate::from_str(s)? {
            FuzzyDate { year, month: Some(m), day: Some(d), approximate: false } => Ok(Date { year, month: m, day: d }),
            _ => Err(BadDate(s.to_string())),
        }
    }
}

/// A date that may be known only to the month or year, or only roughly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(test, derive(ts_rs::TS), ts(type = "string"))]
pub struct FuzzyDate {
    /// Year.
    pub year: i32,
    /// Month, if known.
    pub month: Option<u8>,
    /// Day, if known (only with a month).
    pub day: Option<u8>,
    /// "About then".
    pub approximate: bool,
}

impl FuzzyDate {
    /// The earliest day the date can mean (for sorting and day counts).
    pub fn earliest(&self) -> Date {
        Date { year: self.year, month: self.month.unwrap_or(1), day: self.day.unwrap_or(1) }
    }

    /// Whether the date is an exact day.
    pub fn is_exact(&self) -> bool {
        self.day.is_some() && !self.approximate
    }
}

impl From<Date> for FuzzyDate {
    fn from(d: Date) -> Self {
        FuzzyDate { year: d.year, month: Some(d.month), day: Some(d.day), approximate: false }
    }
}

impl PartialOrd for FuzzyDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for FuzzyDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.earliest(), self.month.is_some(), self.day.is_some(), self.approximate).cmp(&(
            other.earliest(),
            other.month.is_some(),
            other.day.is_some(),
            other.approximate,
        ))
    }
}

impl fmt::Display for FuzzyDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.approximate {
            f.write_str("~")?;
        }
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for FuzzyDate {
    type Err = BadDate;
    fn from_str(s: &str) -> Result<FuzzyDate, BadDate> {
        let bad = || BadDate(s.to_string());
        let t = s.trim();
        let (approximate, t) = match t.strip_prefix('~') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, t),
        };
        let parts: Vec<&str> = t.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, BadDate> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let year = num(parts.first().ok_or_else(bad)?, 4)? as i32;
        let month = parts.get(1).map(|p| num(p, 2)).transpose()?.map(|m| m as u8);
        let day = parts.get(2).map(|p| num(p, 2)).transpose()?.map(|d| d as u8);
        if parts.len() > 3 {
            return Err(bad());
        }
        Date::new(year, month.unwrap_or(1), day.unwrap_or(1)).ok_or_else(bad)?;
        Ok(FuzzyDate { year, month, day, approximate })
    }
}

macro_rules! string_serde {
    ($t:ty, $desc:literal) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl schemars::JsonSchema for $t {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($t).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({ "type": "string", "description": $desc })
            }
        }
    };
}

string_serde!(Date, "An exact day, YYYY-MM-DD.");
string_serde!(FuzzyDate, "A day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY); a leading ~ marks it approximate.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_precision() {
        for s in ["2024", "2024-03", "2024-03-15", "~2024", "~2024-03", "~2024-03-15", "2000-02-29"] {
            assert_eq!(s.parse::<FuzzyDate>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-04-31",
            "24-01-01",
            "2024-1-5",
            "2024/01/05",
            "",
            "~",
            "abcd",
            "2024-01-01-01",
            "0999-01-01",
        ] {
            assert!(s.parse::<FuzzyDate>().is_err(), "{s}");
        }
        assert!("2024-03".parse::<Date>().is_err(), "a Date must be exact");
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        let a: Date = "2024-02-28".parse().unwrap();
        assert_eq!(a.plus_days(1).to_string(), "2024-02-29");
        assert_eq!(a.plus_days(2).to_string(), "2024-03-01");
        assert_eq!(a.days_until("2025-02-28".parse().unwrap()), 366);
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
    }

    #[test]
    fn fuzzy_dates_sort_by_their_earliest_day() {
        let mut v: Vec<FuzzyDate> =
            ["2024-03-15", "2023", "2024-03", "~2024-01-02"].iter().map(|s| s.parse().unwrap()).collect();
        v.sort();
        let s: Vec<String> = v.iter().map(|d| d.to_string()).collect();
        assert_eq!(s, ["2023", "~2024-01-02", "2024-03", "2024-03-15"]);
    }

    #[test]
    fn rfc3339_times_parse_strictly() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1970-01-02T00:00:00.5Z"), Some(86_400));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339("1969-12-31T23:00:00-01:00"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-28T12:00:00Z"), Some(1_795_867_200));
        for bad in [
            "",
            "2026-11-28",
            "2026-11-28 12:00:00Z",
            "2026-02-30T12:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T12:00:00",
            "2026-11-28T12:00:00+1:00",
            "9999-99-99T99:99:99Z",
            "2026-11-28T12:00:00.Z",
            "+026-11-28T12:00:00Z",
            "٢٠٢٦-11-28T12:00:00Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        let now = now_rfc3339();
        assert!((parse_rfc3339(&now).unwrap() - now_unix()).abs() <= 1);
    }
}
