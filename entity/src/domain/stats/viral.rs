//! Viral metrics: the K-factor, the viral cycle time, and the sample quantiles they use.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{Confidence, Interval, Proportion};

/// The K-factor of a campaign: how many new customers each participant brings in.
///
/// K = invites per participant × conversion rate of invites = (invites ÷ participants) ×
/// (conversions ÷ invites). "Invites" may be invitations or shares, whichever the campaign
/// counts; above 1 every participant brings in more than one, and the programme grows by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KFactor {
    participants: u64,
    invites: Proportion,
}

impl KFactor {
    /// The K-factor of `participants` who sent `invites`, of which `conversions` converted;
    /// `None` without participants or with more conversions than invites.
    pub fn new(participants: u64, invites: u64, conversions: u64) -> Option<KFactor> {
        if participants == 0 {
            return None;
        }
        Some(KFactor {
            participants,
            invites: Proportion::new(conversions, invites)?,
        })
    }

    /// Invites (or shares) per participant.
    pub fn invites_per_participant(&self) -> f64 {
        self.invites.trials() as f64 / self.participants as f64
    }

    /// The share of invites that converted; `None` when nobody invited anyone.
    pub fn invite_conversion_rate(&self) -> Option<f64> {
        self.invites.rate()
    }

    /// K itself (0 when nobody invited anyone).
    pub fn value(&self) -> f64 {
        self.invites_per_participant() * self.invite_conversion_rate().unwrap_or(0.0)
    }

    /// An interval for K: invites per participant (taken as known) × the Wilson interval of the
    /// invite conversion rate. It reflects the uncertainty of the conversion rate only, which
    /// dominates once participants number in the dozens. `None` when nobody invited anyone.
    pub fn interval(&self, confidence: Confidence) -> Option<Interval> {
        let rate = self.invites.wilson(confidence)?;
        Some(rate.scaled(self.invites_per_participant()))
    }
}

/// The viral cycle time: how long after a referrer joined their referee joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleTime {
    /// How many referrals it is measured on.
    pub count: usize,
    /// Pairs left out because the referee joined before the referrer (a data error, e.g. a
    /// customer enrolled after being referred); 0 when built from durations.
    pub skipped: usize,
    /// The median cycle, to the millisecond.
    pub median: TimeDelta,
    /// The 90th percentile: nine referrals in ten had joined within it.
    pub p90: TimeDelta,
}

impl CycleTime {
    /// The cycle time of (referrer joined, referee joined) pairs; pairs in the wrong order are
    /// skipped and counted. `None` when no pair remains.
    pub fn from_joins(pairs: &[(DateTime<Utc>, DateTime<Utc>)]) -> Option<CycleTime> {
        let cycles: Vec<TimeDelta> = pairs
            .iter()
            .map(|(referrer, referee)| *referee - *referrer)
            .filter(|cycle| *cycle >= TimeDelta::zero())
            .collect();
        let skipped = pairs.len() - cycles.len();
        Some(CycleTime {
            skipped,
            ..CycleTime::from_durations(&cycles)?
        })
    }

    /// The cycle time of referrer-to-referee durations; `None` for none. Quantiles as in
    /// [`quantile`].
    pub fn from_durations(cycles: &[TimeDelta]) -> Option<CycleTime> {
        let mut millis: Vec<f64> = cycles
            .iter()
            .map(|cycle| cycle.num_milliseconds() as f64)
            .collect();
        millis.sort_by(f64::total_cmp);
        let at = |q| quantile(&millis, q).map(|ms| TimeDelta::milliseconds(ms.round() as i64));
        Some(CycleTime {
            count: millis.len(),
            skipped: 0,
            median: at(0.5)?,
            p90: at(0.9)?,
        })
    }
}

/// The `q`-quantile (0 ≤ q ≤ 1) of values sorted in ascending order, interpolating linearly
/// between the two closest ranks: with h = (n − 1)·q, x₍⌊h⌋₎ + (h − ⌊h⌋)·(x₍⌊h⌋+1₎ − x₍⌊h⌋₎)
/// (Hyndman and Fan's definition 7, the default of R's `quantile` and NumPy's `percentile`).
/// `None` for no values or q outside [0, 1]. The caller sorts; unsorted input gives a wrong
/// answer, not an error.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let below = h.floor() as usize;
    let above = (below + 1).min(sorted.len() - 1);
    let fraction = h - below as f64;
    Some(sorted[below] + fraction * (sorted[above] - sorted[below]))
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_close;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn k_factor_by_hand() {
        // 200 participants sent 600 invites, 90 converted: 3 invites each × 15 % = 0.45.
        // Wilson 95 % for 90/600 is [0.123660, 0.180794] (mpmath), × 3 = [0.370979, 0.542381].
        let k = KFactor::new(200, 600, 90).unwrap();
        assert_close(k.invites_per_participant(), 3.0, 1e-15);
        assert_close(k.invite_conversion_rate().unwrap(), 0.15, 1e-15);
        assert_close(k.value(), 0.45, 1e-15);
        let interval = k.interval(Confidence::P95).unwrap();
        assert_close(interval.low, 0.370_978_727_406_469_9, 1e-12);
        assert_close(interval.high, 0.542_380_844_722_301_6, 1e-12);
    }

    #[test]
    fn k_factor_edges() {
        assert_eq!(KFactor::new(0, 10, 1), None);
        assert_eq!(KFactor::new(10, 5, 6), None);
        let silent = KFactor::new(10, 0, 0).unwrap();
        assert_eq!(silent.value(), 0.0);
        assert_eq!(silent.invite_conversion_rate(), None);
        assert_eq!(silent.interval(Confidence::P95), None);
        // Above 1: each participant brings in more than one customer.
        assert!(KFactor::new(10, 40, 12).unwrap().value() > 1.0);
    }

    #[test]
    fn quantiles_follow_definition_seven() {
        // NumPy: np.percentile(range(1, 11), [50, 90]) = [5.5, 9.1]; R gives the same.
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_close(quantile(&values, 0.5).unwrap(), 5.5, 1e-12);
        assert_close(quantile(&values, 0.9).unwrap(), 9.1, 1e-12);
        assert_eq!(quantile(&values, 0.0), Some(1.0));
        assert_eq!(quantile(&values, 1.0), Some(10.0));
        assert_eq!(quantile(&[7.0], 0.9), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&values, 1.5), None);
    }

    #[test]
    fn cycle_time_from_joins() {
        // Referees joined 1, 2, 3, 4 and 100 days after their referrers: median 3 days;
        // p90 at h = 4 × 0.9 = 3.6: 4 + 0.6 × (100 − 4) = 61.6 days. One pair in the wrong order
        // is skipped.
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut pairs: Vec<_> = [1, 2, 3, 4, 100]
            .into_iter()
            .map(|days| (start, start + TimeDelta::days(days)))
            .collect();
        pairs.push((start, start - TimeDelta::hours(1)));
        let cycle = CycleTime::from_joins(&pairs).unwrap();
        assert_eq!((cycle.count, cycle.skipped), (5, 1));
        assert_eq!(cycle.median, TimeDelta::days(3));
        assert_eq!(
            cycle.p90,
            TimeDelta::hours(61 * 24) + TimeDelta::minutes(864)
        );
    }

    #[test]
    fn no_cycles_no_cycle_time() {
        assert_eq!(CycleTime::from_durations(&[]), None);
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(
            CycleTime::from_joins(&[(now, now - TimeDelta::days(1))]),
            None
        );
    }

    proptest! {
        #[test]
        fn quantiles_are_ordered_and_within_the_range(
            mut values in proptest::collection::vec(-1e9f64..1e9, 1..100),
            q in 0.0f64..=1.0,
        ) {
            values.sort_by(f64::total_cmp);
            let x = quantile(&values, q).unwrap();
            prop_assert!(values[0] <= x && x <= values[values.len() - 1]);
            prop_assert!(quantile(&values, 0.5).unwrap() <= quantile(&values, 0.9).unwrap());
        }
    }
}
