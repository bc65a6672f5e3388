//! A mergeable summary of values (count, mean, spread) and Welch's comparison of two means —
//! revenue per capita of invited against held-out customers, order values of two channels.

use serde::{Deserialize, Serialize};

use super::{Confidence, Estimate, Interval, student_t};

/// The count, mean and sum of squared deviations of a set of values, built one value at a time
/// with Welford's update or merged from parts (Chan, Golub and LeVeque's pairwise formula), so
/// daily rollups can be combined without revisiting the values.
///
/// Welford's form never subtracts two large sums, so the variance of values near 10⁹ that differ
/// by cents keeps its digits, where Σx² − (Σx)²/n would lose them all.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    count: u64,
    mean: f64,
    /// Σ(x − mean)².
    m2: f64,
}

impl Summary {
    /// The summary of no values.
    pub fn new() -> Summary {
        Summary::default()
    }

    /// A summary from its moments: `count` values with this `mean` and sample `variance`
    /// (divisor count − 1). `None` for non-finite or negative inputs, a count of 0 with a non-zero
    /// mean, or a single value with a non-zero variance.
    pub fn from_moments(count: u64, mean: f64, variance: f64) -> Option<Summary> {
        let finite = mean.is_finite() && variance.is_finite() && variance >= 0.0;
        let consistent = match count {
            0 => mean == 0.0 && variance == 0.0,
            1 => variance == 0.0,
            _ => true,
        };
        (finite && consistent).then(|| Summary {
            count,
            mean,
            m2: variance * count.saturating_sub(1) as f64,
        })
    }

    /// A summary from exact integer sums, as a rollup keeps them: `count` values (e.g. amounts in
    /// minor units) with Σx = `sum` and Σx² = `sum_of_squares`. The deviations are formed exactly
    /// in integers, m2 = (n·Σx² − (Σx)²)/n, so no precision is lost to cancellation. `None` if the
    /// sums are inconsistent (m2 < 0, or non-zero sums with count 0) or overflow i128.
    pub fn from_integer_sums(count: u64, sum: i128, sum_of_squares: i128) -> Option<Summary> {
        if count == 0 {
            return (sum == 0 && sum_of_squares == 0).then(Summary::new);
        }
        let n = i128::from(count);
        let scaled_m2 = n
            .checked_mul(sum_of_squares)?
            .checked_sub(sum.checked_mul(sum)?)?;
        if scaled_m2 < 0 {
            return None;
        }
        Some(Summary {
            count,
            mean: sum as f64 / count as f64,
            m2: scaled_m2 as f64 / count as f64,
        })
    }

    /// Adds one value (Welford: mean += δ/n, m2 += δ·(x − new mean), with δ = x − old mean).
    pub fn push(&mut self, x: f64) {
        self.count += 1;
        let delta = x - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// The summary of the values of both (Chan et al.: n = nₐ + n_b, δ = mean_b − meanₐ,
    /// mean = meanₐ + δ·n_b/n, m2 = m2ₐ + m2_b + δ²·nₐ·n_b/n).
    #[must_use]
    pub fn merge(&self, other: &Summary) -> Summary {
        if other.count == 0 {
            return *self;
        }
        if self.count == 0 {
            return *other;
        }
        let count = self.count + other.count;
        let (na, nb, n) = (self.count as f64, other.count as f64, count as f64);
        let delta = other.mean - self.mean;
        Summary {
            count,
            mean: self.mean + delta * nb / n,
            m2: self.m2 + other.m2 + delta * delta * na * nb / n,
        }
    }

    /// How many values.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Their mean; `None` for no values.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then_some(self.mean)
    }

    /// Their sum, mean × count.
    pub fn sum(&self) -> f64 {
        self.mean * self.count as f64
    }

    /// The sample variance m2/(n − 1); `None` for fewer than two values.
    pub fn variance(&self) -> Option<f64> {
        (self.count > 1).then(|| self.m2 / (self.count - 1) as f64)
    }

    /// The sample standard deviation; `None` for fewer than two values.
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }

    /// The standard error of the mean, √(variance/n); `None` for fewer than two values.
    pub fn std_error(&self) -> Option<f64> {
        self.variance().map(|v| (v / self.count as f64).sqrt())
    }

    /// The mean with its t interval, mean ± t(1 − α/2, n − 1)·SE; assumes independent values and
    /// a mean close to normal (true for large n by the central limit theorem, even for skewed
    /// order values). `None` for fewer than two values.
    pub fn mean_estimate(&self, confidence: Confidence) -> Option<Estimate> {
        let mean = self.mean()?;
        let half = t_critical(confidence, (self.count - 1) as f64) * self.std_error()?;
        Some(Estimate {
            value: mean,
            interval: Interval {
                low: mean - half,
                high: mean + half,
            },
        })
    }
}

impl Extend<f64> for Summary {
    fn extend<I: IntoIterator<Item = f64>>(&mut self, values: I) {
        for x in values {
            self.push(x);
        }
    }
}

impl FromIterator<f64> for Summary {
    fn from_iter<I: IntoIterator<Item = f64>>(values: I) -> Summary {
        let mut summary = Summary::new();
        summary.extend(values);
        summary
    }
}

/// Welch's comparison of the means of two independent groups A and B whose variances may differ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WelchComparison {
    /// mean(A) − mean(B) with its Welch t interval.
    pub difference: Estimate,
    /// The standard error of the difference, √(s²ₐ/nₐ + s²_b/n_b).
    pub std_error: f64,
    /// The Welch–Satterthwaite degrees of freedom (fractional).
    pub df: f64,
    /// The t statistic, difference / standard error.
    pub t: f64,
    /// Its two-sided p-value under Student's t with `df` degrees of freedom.
    pub p_value: f64,
}

impl WelchComparison {
    /// Compares the means of A and B; `None` unless each has at least two values and at least one
    /// has some spread (with no spread at all there is nothing to infer from).
    ///
    /// With SE² = s²ₐ/nₐ + s²_b/n_b, the degrees of freedom are Welch–Satterthwaite's
    /// ν = SE⁴ / ((s²ₐ/nₐ)²/(nₐ − 1) + (s²_b/n_b)²/(n_b − 1)), and the interval is
    /// (meanₐ − mean_b) ± t(1 − α/2, ν)·SE, with the exact t quantile for the fractional ν (no
    /// normal shortcut, so small groups get their wider intervals). Assumes independent values
    /// and group means close to normal; it does not assume equal variances.
    pub fn new(a: &Summary, b: &Summary, confidence: Confidence) -> Option<WelchComparison> {
        let (va, vb) = (a.variance()?, b.variance()?);
        let (na, nb) = (a.count as f64, b.count as f64);
        let (wa, wb) = (va / na, vb / nb);
        let se2 = wa + wb;
        if se2 <= 0.0 {
            return None;
        }
        let df = se2 * se2 / (wa * wa / (na - 1.0) + wb * wb / (nb - 1.0));
        let std_error = se2.sqrt();
        let difference = a.mean - b.mean;
        let half = t_critical(confidence, df) * std_error;
        let t = difference / std_error;
        Some(WelchComparison {
            difference: Estimate {
                value: difference,
                interval: Interval {
                    low: difference - half,
                    high: difference + half,
                },
            },
            std_error,
            df,
            t,
            p_value: student_t::two_sided_p(t, df),
        })
    }
}

/// t(1 − α/2, df).
fn t_critical(confidence: Confidence, df: f64) -> f64 {
    student_t::quantile(1.0 - confidence.alpha() / 2.0, df)
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_close;
    use super::*;
    use proptest::prelude::*;

    /// Student's sleep data (Cushny & Peebles, as in R's `sleep` data set): extra hours of sleep
    /// under two drugs.
    const SLEEP_1: [f64; 10] = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const SLEEP_2: [f64; 10] = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    #[test]
    fn welch_on_the_sleep_data_matches_r() {
        // R: t.test(extra ~ group, data = sleep) prints t = -1.8608, df = 17.776,
        // p-value = 0.07939, 95 percent confidence interval -3.3654832 0.2054832,
        // means 0.75 and 2.33 (more digits from the same formulas in mpmath).
        let a: Summary = SLEEP_1.into_iter().collect();
        let b: Summary = SLEEP_2.into_iter().collect();
        let welch = WelchComparison::new(&a, &b, Confidence::P95).unwrap();
        assert_close(welch.difference.value, -1.58, 1e-12);
        assert_close(welch.t, -1.860_813_467_486_853, 1e-12);
        assert_close(welch.df, 17.776_473_516_178_49, 1e-10);
        assert_close(welch.p_value, 0.079_394_140_187_358_14, 1e-11);
        assert_close(welch.difference.interval.low, -3.365_483_230_711_711, 1e-10);
        assert_close(welch.difference.interval.high, 0.205_483_230_711_711, 1e-10);
    }

    #[test]
    fn sample_variance_and_mean_interval_by_hand() {
        // Sleep group 1: mean 0.75, Σ(x − 0.75)² = 28.805, variance 28.805/9 = 3.200556;
        // SE = √(3.200556/10) = 0.565734, t(0.975, 9) = 2.262157 (t table),
        // interval 0.75 ± 1.279780 = [-0.5297804, 2.0297804] (R: t.test(sleep$extra[1:10])).
        let a: Summary = SLEEP_1.into_iter().collect();
        assert_close(a.variance().unwrap(), 28.805 / 9.0, 1e-12);
        let estimate = a.mean_estimate(Confidence::P95).unwrap();
        assert_close(estimate.interval.low, -0.529_780_413_526_232_6, 1e-10);
        assert_close(estimate.interval.high, 2.029_780_413_526_232_6, 1e-10);
    }

    #[test]
    fn integer_sums_and_moments_give_the_same_summary() {
        // Order values 1000, 2500, 4000 minor units: mean 2500, variance 2 250 000.
        let from_sums = Summary::from_integer_sums(3, 7500, 1_000_000 + 6_250_000 + 16_000_000);
        let from_values: Summary = [1000.0, 2500.0, 4000.0].into_iter().collect();
        let from_moments = Summary::from_moments(3, 2500.0, 2_250_000.0);
        for summary in [from_sums.unwrap(), from_moments.unwrap()] {
            assert_eq!(summary.count(), 3);
            assert_close(summary.mean().unwrap(), 2500.0, 1e-9);
            assert_close(
                summary.variance().unwrap(),
                from_values.variance().unwrap(),
                1e-6,
            );
        }
    }

    #[test]
    fn inconsistent_inputs_are_refused() {
        assert_eq!(Summary::from_integer_sums(2, 10, 1), None);
        assert_eq!(Summary::from_integer_sums(0, 5, 25), None);
        assert_eq!(Summary::from_integer_sums(2, i128::MAX, 1), None);
        assert_eq!(Summary::from_moments(1, 3.0, 1.0), None);
        assert_eq!(Summary::from_moments(5, f64::NAN, 1.0), None);
        assert_eq!(Summary::from_moments(5, 1.0, -1.0), None);
        assert_eq!(Summary::from_integer_sums(0, 0, 0), Some(Summary::new()));
    }

    #[test]
    fn too_few_values_or_no_spread_give_no_comparison() {
        let one: Summary = [3.0].into_iter().collect();
        let two: Summary = [3.0, 5.0].into_iter().collect();
        assert_eq!(one.variance(), None);
        assert!(WelchComparison::new(&one, &two, Confidence::P95).is_none());
        let flat: Summary = [0.0; 20].into_iter().collect();
        assert!(WelchComparison::new(&flat, &flat, Confidence::P95).is_none());
        assert!(WelchComparison::new(&flat, &two, Confidence::P95).is_some());
        assert_eq!(Summary::new().mean(), None);
    }

    #[test]
    fn welford_keeps_digits_that_naive_sums_lose() {
        // Values 1e9 + {0.01, 0.02, 0.03}: variance 1e-4 exactly; Σx² − (Σx)²/n in f64 is off by
        // whole units at this magnitude.
        let summary: Summary = [1e9 + 0.01, 1e9 + 0.02, 1e9 + 0.03].into_iter().collect();
        assert_close(summary.variance().unwrap(), 1e-4, 1e-9);
    }

    proptest! {
        #[test]
        fn merging_equals_summarising_everything(
            left in proptest::collection::vec(-1e6f64..1e6, 0..50),
            right in proptest::collection::vec(-1e6f64..1e6, 0..50),
        ) {
            let merged = left.iter().copied().collect::<Summary>()
                .merge(&right.iter().copied().collect());
            let all: Summary = left.iter().chain(&right).copied().collect();
            prop_assert_eq!(merged.count(), all.count());
            if let (Some(m), Some(a)) = (merged.mean(), all.mean()) {
                prop_assert!((m - a).abs() <= 1e-9 * a.abs().max(1.0));
            }
            if let (Some(m), Some(a)) = (merged.variance(), all.variance()) {
                prop_assert!((m - a).abs() <= 1e-9 * a.max(1.0));
            }
        }

        #[test]
        fn welch_is_antisymmetric_and_contains_the_difference(
            a in proptest::collection::vec(-1e4f64..1e4, 2..40),
            b in proptest::collection::vec(-1e4f64..1e4, 2..40),
        ) {
            let (sa, sb): (Summary, Summary) = (a.into_iter().collect(), b.into_iter().collect());
            if let (Some(ab), Some(ba)) = (
                WelchComparison::new(&sa, &sb, Confidence::P95),
                WelchComparison::new(&sb, &sa, Confidence::P95),
            ) {
                prop_assert!(ab.difference.interval.contains(ab.difference.value));
                prop_assert!((ab.difference.interval.low + ba.difference.interval.high).abs() < 1e-6);
                prop_assert!((ab.p_value - ba.p_value).abs() < 1e-12);
                let wider = WelchComparison::new(&sa, &sb, Confidence::P99).unwrap();
                prop_assert!(wider.difference.interval.width() > ab.difference.interval.width());
            }
        }
    }
}
