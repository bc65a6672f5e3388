//! The statistics behind campaign analytics: rates with intervals, comparisons of two rates or two
//! means, a sequential test that may be looked at every day, the programme's effect against its
//! holdout, KPI projections and viral metrics.
//!
//! Everything is plain `f64` maths over summaries (counts, sums), written here without a
//! statistics crate. The distributions it needs are in [`normal`] (cumulative distribution and
//! quantile to about 1e-15) and [`student_t`] (to about 1e-12). Functions return `None` where a
//! quantity is undefined (no trials, no variance, a confidence level outside (0, 1)) rather than a
//! NaN that would travel into a report.
//!
//! Which module answers what:
//! - [`proportion`]: one rate and its Wilson score interval;
//! - [`two_proportions`]: rate A against rate B (difference, ratio, z-test, a guarded verdict);
//! - [`summary`]: a mergeable Welford summary of values and Welch's comparison of two means;
//! - [`sequential`]: the mixture sequential probability ratio test (always-valid p-values);
//! - [`before_after`]: a rate over the 14 days before an intervention against the 14 after;
//! - [`holdout`]: incremental revenue and incremental cost per acquisition against a holdout;
//! - [`projection`]: KPI run-rate projections, "on track / at risk / missed";
//! - [`viral`]: K-factor, viral cycle time and sample quantiles.

pub mod before_after;
pub mod holdout;
pub mod normal;
pub mod projection;
pub mod proportion;
pub mod sequential;
pub mod student_t;
pub mod summary;
pub mod two_proportions;
pub mod viral;

pub use before_after::BeforeAfter;
pub use holdout::{CostPerAcquisition, incremental_cost_per_acquisition, incremental_revenue};
pub use projection::{Direction, KpiKind, KpiProgress, KpiProjection, KpiStatus};
pub use proportion::Proportion;
pub use sequential::{Decision, SequentialTest};
pub use summary::{Summary, WelchComparison};
pub use two_proportions::{ProportionComparison, Verdict};
pub use viral::{CycleTime, KFactor};

use serde::{Deserialize, Serialize};

/// A two-sided confidence level strictly between 0 and 1, e.g. 0.95; only [`Confidence::new`]
/// and the constants make one.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Confidence(f64);

impl Confidence {
    /// 90 %.
    pub const P90: Confidence = Confidence(0.90);
    /// 95 %, the default of the reports.
    pub const P95: Confidence = Confidence(0.95);
    /// 99 %.
    pub const P99: Confidence = Confidence(0.99);

    /// A confidence level, if `level` is a number strictly between 0 and 1.
    pub fn new(level: f64) -> Option<Confidence> {
        (level > 0.0 && level < 1.0).then_some(Confidence(level))
    }

    /// The level as a fraction.
    pub fn level(self) -> f64 {
        self.0
    }

    /// The two-sided error rate α = 1 − level.
    pub fn alpha(self) -> f64 {
        1.0 - self.0
    }

    /// The standard normal quantile z with P(|Z| ≤ z) = level, i.e. Φ⁻¹(1 − α/2)
    /// (1.959964 for 95 %).
    pub fn z(self) -> f64 {
        -normal::quantile(self.alpha() / 2.0)
    }
}

impl TryFrom<f64> for Confidence {
    type Error = String;

    fn try_from(level: f64) -> Result<Self, Self::Error> {
        Confidence::new(level).ok_or_else(|| format!("confidence {level} is not in (0, 1)"))
    }
}

impl From<Confidence> for f64 {
    fn from(confidence: Confidence) -> f64 {
        confidence.0
    }
}

/// A closed interval `[low, high]` of real numbers, `low <= high`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The lower bound.
    pub low: f64,
    /// The upper bound.
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval, bounds included.
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }

    /// `high − low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }

    /// Whether the whole interval lies above zero (the effect is positive at this confidence).
    pub fn above_zero(&self) -> bool {
        self.low > 0.0
    }

    /// Whether the whole interval lies below zero.
    pub fn below_zero(&self) -> bool {
        self.high < 0.0
    }

    /// Both bounds multiplied by `factor` (swapped if it is negative).
    pub fn scaled(&self, factor: f64) -> Interval {
        let (a, b) = (self.low * factor, self.high * factor);
        Interval {
            low: a.min(b),
            high: a.max(b),
        }
    }
}

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// The interval at the confidence it was computed for.
    pub interval: Interval,
}

impl Estimate {
    /// Both the value and the interval multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Estimate {
        Estimate {
            value: self.value * factor,
            interval: self.interval.scaled(factor),
        }
    }
}

/// Helpers shared by the tests of the submodules.
#[cfg(test)]
mod testing {
    use proptest::prelude::*;

    use super::Proportion;

    /// Any proportion with 1 to `max_trials` trials and any share of successes.
    pub fn any_proportion(max_trials: u64) -> impl Strategy<Value = Proportion> {
        (1..max_trials, 0.0f64..=1.0).prop_map(|(trials, share)| {
            let successes = (share * trials as f64).round() as u64;
            Proportion::new(successes.min(trials), trials).unwrap_or_default()
        })
    }

    /// Asserts |got − expected| < tolerance, showing both.
    pub fn assert_close(got: f64, expected: f64, tolerance: f64) {
        assert!(
            (got - expected).abs() < tolerance,
            "{got}, expected {expected}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_strictly_between_zero_and_one() {
        for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN, f64::INFINITY] {
            assert_eq!(Confidence::new(bad), None, "{bad}");
        }
        assert_eq!(Confidence::new(0.95), Some(Confidence::P95));
    }

    #[test]
    fn confidence_z_matches_the_usual_table() {
        // Standard normal table values (e.g. any statistics textbook's z table, to 6 places).
        assert!((Confidence::P90.z() - 1.644_854).abs() < 1e-6);
        assert!((Confidence::P95.z() - 1.959_964).abs() < 1e-6);
        assert!((Confidence::P99.z() - 2.575_829).abs() < 1e-6);
    }

    #[test]
    fn confidence_serialises_as_a_number_and_refuses_bad_levels() {
        assert_eq!(
            serde_json::to_string(&Confidence::P95).ok(),
            Some("0.95".to_owned())
        );
        assert!(serde_json::from_str::<Confidence>("1.2").is_err());
        assert_eq!(
            serde_json::from_str::<Confidence>("0.9").ok(),
            Some(Confidence::P90)
        );
    }

    #[test]
    fn scaling_by_a_negative_factor_keeps_the_bounds_in_order() {
        let interval = Interval {
            low: -1.0,
            high: 2.0,
        };
        assert_eq!(
            interval.scaled(-2.0),
            Interval {
                low: -4.0,
                high: 2.0
            }
        );
        assert!(interval.contains(0.0) && !interval.above_zero() && !interval.below_zero());
    }
}
