//! The change after an intervention (an applied recommendation): a rate over the days before
//! against the same rate over the days after, with the difference and its interval.

use chrono::{Duration, NaiveDate};

use super::{Confidence, Proportion, ProportionComparison, Verdict};

/// Days each side of the intervention's day.
pub const WINDOW_DAYS: i64 = 14;

/// The local days compared: `[before.0, before.1]` and `[after.0, after.1]`, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// The [`WINDOW_DAYS`] days before the day of the intervention.
    pub before: (NaiveDate, NaiveDate),
    /// The [`WINDOW_DAYS`] days after it.
    pub after: (NaiveDate, NaiveDate),
}

/// The windows around an intervention made on local day `day`. The day itself belongs to
/// neither: part of it ran before the change and part after.
pub fn windows(day: NaiveDate) -> Windows {
    Windows {
        before: (day - Duration::days(WINDOW_DAYS), day - Duration::days(1)),
        after: (day + Duration::days(1), day + Duration::days(WINDOW_DAYS)),
    }
}

/// The rate before and after, and the change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BeforeAfter {
    /// Before: successes of trials; `None` when the successes outnumber the trials (no rate).
    pub before: Option<Proportion>,
    /// After.
    pub after: Option<Proportion>,
    /// After against before (A = after, B = before): the difference after − before with
    /// Newcombe's interval, the z-test's p-value; `None` without trials on either side.
    pub comparison: Option<ProportionComparison>,
}

impl BeforeAfter {
    /// From the counts of each side: (successes, trials). Counts where the successes outnumber
    /// the trials are not a proportion and give no rate (never clamped).
    pub fn new(before: (u64, u64), after: (u64, u64), confidence: Confidence) -> BeforeAfter {
        let (before, after) = (
            Proportion::new(before.0, before.1),
            Proportion::new(after.0, after.1),
        );
        let comparison = match (after, before) {
            (Some(a), Some(b)) => ProportionComparison::new(a, b, confidence),
            _ => None,
        };
        BeforeAfter {
            before,
            after,
            comparison,
        }
    }

    /// Whether the change is significant at `alpha` under the minimum-sample rules of
    /// [`ProportionComparison::verdict`].
    pub fn significant(&self, alpha: f64) -> bool {
        self.comparison
            .is_some_and(|c| matches!(c.verdict(alpha), Verdict::AHigher | Verdict::BHigher))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_windows_are_fourteen_days_each_side_without_the_day_itself() {
        let w = windows("2026-03-15".parse().unwrap());
        assert_eq!(w.before.0.to_string(), "2026-03-01");
        assert_eq!(w.before.1.to_string(), "2026-03-14");
        assert_eq!(w.after.0.to_string(), "2026-03-16");
        assert_eq!(w.after.1.to_string(), "2026-03-29");
    }

    #[test]
    fn the_difference_is_after_minus_before_with_newcombes_interval() {
        let c = BeforeAfter::new((10, 200), (40, 200), Confidence::P95);
        let cmp = c.comparison.unwrap();
        assert!((cmp.difference.value - 0.15).abs() < 1e-12);
        assert!(cmp.difference.interval.low > 0.0 && cmp.difference.interval.high < 0.3);
        assert!(c.significant(0.05));
        // Newcombe's interval is the one ProportionComparison gives for A = after, B = before.
        let direct = ProportionComparison::new(
            Proportion::new(40, 200).unwrap(),
            Proportion::new(10, 200).unwrap(),
            Confidence::P95,
        )
        .unwrap();
        assert_eq!(cmp, direct);
    }

    #[test]
    fn a_handful_of_events_is_never_significant_and_impossible_counts_give_no_rate() {
        let few = BeforeAfter::new((0, 10), (4, 10), Confidence::P95);
        assert!(few.comparison.is_some());
        assert!(!few.significant(0.05));
        let odd = BeforeAfter::new((12, 10), (4, 10), Confidence::P95);
        assert_eq!(odd.before, None);
        assert!(odd.comparison.is_none() && !odd.significant(0.05));
        let empty = BeforeAfter::new((0, 0), (0, 0), Confidence::P95);
        assert!(empty.comparison.is_none());
    }
}
