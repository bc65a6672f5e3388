//! One rate — conversions out of clicks, conversions out of invites — and its Wilson score interval.

use serde::{Deserialize, Serialize};

use super::{Confidence, Estimate, Interval};

/// `successes` out of `trials`, with `successes <= trials`; only [`Proportion::new`] makes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Proportion {
    successes: u64,
    trials: u64,
}

impl Proportion {
    /// A proportion, if `successes <= trials`.
    pub fn new(successes: u64, trials: u64) -> Option<Proportion> {
        (successes <= trials).then_some(Proportion { successes, trials })
    }

    /// The number of successes.
    pub fn successes(&self) -> u64 {
        self.successes
    }

    /// The number of trials.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Trials that were not successes.
    pub fn failures(&self) -> u64 {
        self.trials - self.successes
    }

    /// The observed rate p̂ = successes / trials; `None` for 0 trials (there is no rate to show).
    pub fn rate(&self) -> Option<f64> {
        (self.trials > 0).then(|| self.successes as f64 / self.trials as f64)
    }

    /// The Wilson score interval for the true rate at `confidence`; `None` for 0 trials.
    ///
    /// With p̂ = x/n and z the two-sided normal quantile of the confidence, it is the set of p
    /// whose score test |p̂ − p| / √(p(1 − p)/n) ≤ z accepts, which solves to
    /// centre ± half-width with
    /// centre = (p̂ + z²/(2n)) / (1 + z²/n) and
    /// half-width = z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/(4n²)).
    ///
    /// Unlike the textbook p̂ ± z·√(p̂(1 − p̂)/n) it stays inside [0, 1], is not empty at 0 or
    /// n successes (0 of 20 gives [0, 0.161] at 95 %), and keeps close to its nominal coverage
    /// for small n. It assumes independent trials with one common rate.
    pub fn wilson(&self, confidence: Confidence) -> Option<Interval> {
        let p = self.rate()?;
        let n = self.trials as f64;
        let z = confidence.z();
        let z2 = z * z;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        // At 0 or n successes the bound is exactly 0 or 1; rounding must not push it past.
        let low = if self.successes == 0 {
            0.0
        } else {
            centre - half
        };
        let high = if self.successes == self.trials {
            1.0
        } else {
            centre + half
        };
        Some(Interval {
            low: low.clamp(0.0, p),
            high: high.clamp(p, 1.0),
        })
    }

    /// The observed rate with its Wilson interval; `None` for 0 trials.
    pub fn estimate(&self, confidence: Confidence) -> Option<Estimate> {
        Some(Estimate {
            value: self.rate()?,
            interval: self.wilson(confidence)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::any_proportion;
    use super::*;
    use proptest::prelude::*;

    fn wilson(successes: u64, trials: u64) -> Interval {
        Proportion::new(successes, trials)
            .and_then(|p| p.wilson(Confidence::P95))
            .unwrap()
    }

    fn assert_interval(got: Interval, low: f64, high: f64, tolerance: f64) {
        assert!(
            (got.low - low).abs() < tolerance && (got.high - high).abs() < tolerance,
            "{got:?}, expected [{low}, {high}]"
        );
    }

    #[test]
    fn eight_of_ten_at_95_percent() {
        // By hand: z = 1.959964, z²/n = 0.384146, centre = (0.8 + 0.192073)/1.384146 = 0.716741,
        // half-width = 1.959964/1.384146 · √(0.016 + 0.009604) = 0.226579 → [0.490162, 0.943318]
        // (the same to 15 digits with mpmath).
        assert_interval(
            wilson(8, 10),
            0.490_162_471_536_641_7,
            0.943_317_848_545_624_7,
            1e-13,
        );
    }

    #[test]
    fn newcombe_1998_table_one() {
        // Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
        // seven methods", Statistics in Medicine 17 (1998), table I, method 3 (Wilson score
        // without continuity correction), printed to 4 decimals.
        assert_interval(wilson(81, 263), 0.2553, 0.3662, 5e-5);
        assert_interval(wilson(15, 148), 0.0624, 0.1605, 5e-5);
        assert_interval(wilson(0, 20), 0.0, 0.1611, 5e-5);
        assert_interval(wilson(1, 29), 0.0061, 0.1718, 5e-5);
    }

    #[test]
    fn all_or_nothing_has_exact_bounds() {
        assert_eq!(wilson(0, 20).low, 0.0);
        assert_eq!(wilson(29, 29).high, 1.0);
        // 29/29 is the mirror image of 0/29.
        assert!((wilson(29, 29).low - (1.0 - wilson(0, 29).high)).abs() < 1e-15);
    }

    #[test]
    fn zero_trials_have_no_rate_and_no_interval() {
        let empty = Proportion::new(0, 0).unwrap();
        assert_eq!(empty.rate(), None);
        assert_eq!(empty.wilson(Confidence::P95), None);
        assert_eq!(empty.estimate(Confidence::P95), None);
    }

    #[test]
    fn successes_cannot_exceed_trials() {
        assert_eq!(Proportion::new(11, 10), None);
        assert_eq!(Proportion::new(10, 10).map(|p| p.failures()), Some(0));
    }

    proptest! {
        #[test]
        fn interval_contains_the_rate_and_stays_in_zero_one(
            p in any_proportion(100_000), level in 0.5f64..0.999
        ) {
            let interval = p.wilson(Confidence::new(level).unwrap()).unwrap();
            let rate = p.rate().unwrap();
            prop_assert!(0.0 <= interval.low && interval.low <= rate);
            prop_assert!(rate <= interval.high && interval.high <= 1.0);
        }

        #[test]
        fn higher_confidence_gives_a_wider_interval(
            p in any_proportion(10_000), level in 0.5f64..0.98
        ) {
            let narrow = p.wilson(Confidence::new(level).unwrap()).unwrap();
            let wide = p.wilson(Confidence::new(level + 0.01).unwrap()).unwrap();
            prop_assert!(wide.low <= narrow.low && narrow.high <= wide.high);
            prop_assert!(wide.width() > narrow.width());
        }

        #[test]
        fn failures_mirror_successes(p in any_proportion(10_000)) {
            let a = wilson(p.successes(), p.trials());
            let b = wilson(p.failures(), p.trials());
            prop_assert!((a.low - (1.0 - b.high)).abs() < 1e-12);
            prop_assert!((a.high - (1.0 - b.low)).abs() < 1e-12);
        }

        #[test]
        fn more_trials_at_the_same_rate_narrow_the_interval(p in any_proportion(1_000)) {
            let (successes, trials) = (p.successes(), p.trials());
            prop_assert!(wilson(successes * 4, trials * 4).width() < wilson(successes, trials).width());
        }
    }
}
