//! Days in a campaign's time zone: which local day an instant falls on, and the UTC span of a
//! local day (23 or 25 hours long when the clocks change).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
pub use chrono_tz::Tz;

/// The zone of a stored name; UTC for a name that is not (stored names were validated).
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The local day `t` falls on in `tz`.
pub fn local_day(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first instant of a local day: local midnight, or the first local time that exists when
/// midnight itself is skipped by a clock change.
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..(24 * 4) {
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
        local += Duration::minutes(15);
    }
    Utc.from_utc_datetime(&local)
}

/// The half-open UTC span `[start, end)` of a local day.
pub fn day_span(tz: Tz, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.succ_opt().unwrap_or(day);
    (day_start(tz, day), day_start(tz, next))
}

/// Every local day from `first` to `last`, both included.
pub fn days(first: NaiveDate, last: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    first.iter_days().take_while(move |d| *d <= last)
}

/// The start of the UTC hour holding `at`.
pub fn hour_of(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::DurationRound;
    at.duration_trunc(Duration::hours(1)).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_instant_falls_on_the_local_day() {
        let ny = zone("America/New_York");
        assert_eq!(
            local_day(ny, utc("2026-11-24T03:00:00Z")),
            date("2026-11-23")
        );
        assert_eq!(
            local_day(ny, utc("2026-11-24T05:00:00Z")),
            date("2026-11-24")
        );
        assert_eq!(
            local_day(zone("Asia/Tokyo"), utc("2026-11-24T16:00:00Z")),
            date("2026-11-25")
        );
        assert_eq!(zone("nonsense"), Tz::UTC);
    }

    #[test]
    fn days_are_23_or_25_hours_when_the_clocks_change() {
        let ny = zone("America/New_York");
        let (s, e) = day_span(ny, date("2026-03-08"));
        assert_eq!(
            (s, e - s),
            (utc("2026-03-08T05:00:00Z"), Duration::hours(23))
        );
        let (s, e) = day_span(ny, date("2026-11-01"));
        assert_eq!(
            (s, e - s),
            (utc("2026-11-01T04:00:00Z"), Duration::hours(25))
        );
        let (s, e) = day_span(Tz::UTC, date("2026-12-31"));
        assert_eq!(
            (s, e),
            (utc("2026-12-31T00:00:00Z"), utc("2027-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_first_local_time() {
        // Santiago moves its clocks forward at local midnight.
        let santiago = zone("America/Santiago");
        let start = day_start(santiago, date("2026-09-06"));
        assert_eq!(local_day(santiago, start), date("2026-09-06"));
        assert_eq!(
            start.with_timezone(&santiago).format("%H:%M").to_string(),
            "01:00"
        );
    }

    #[test]
    fn every_day_of_a_range() {
        let all: Vec<NaiveDate> = days(date("2026-02-27"), date("2026-03-02")).collect();
        assert_eq!(all.len(), 4);
        assert_eq!(days(date("2026-03-02"), date("2026-03-01")).count(), 0);
    }
}
