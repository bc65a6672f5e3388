//! Rate A against rate B — two channels, two variants — as a difference, a ratio, a z-test and a
//! verdict that refuses to claim anything from a handful of events.

use serde::{Deserialize, Serialize};

use super::{Confidence, Estimate, Interval, Proportion, normal};

/// Fewer trials than this in either arm and no difference is claimed.
pub const MIN_TRIALS_PER_ARM: u64 = 30;
/// Fewer successes, or fewer failures, than this in either arm and no difference is claimed.
pub const MIN_OUTCOMES_PER_ARM: u64 = 5;

/// Whether one arm is large enough to take part in a claim: at least [`MIN_TRIALS_PER_ARM`]
/// trials, and at least [`MIN_OUTCOMES_PER_ARM`] successes and as many failures.
///
/// The z-test and the intervals below lean on the normal approximation to the binomial, which
/// the usual rule of thumb (n·p ≥ 5 and n·(1 − p) ≥ 5) trusts only with this many of each
/// outcome; below it a single conversion more or less flips the result, so the report says
/// "not enough data" instead of a verdict.
pub fn has_minimum_sample(arm: &Proportion) -> bool {
    arm.trials() >= MIN_TRIALS_PER_ARM
        && arm.successes() >= MIN_OUTCOMES_PER_ARM
        && arm.failures() >= MIN_OUTCOMES_PER_ARM
}

/// What may be said about rate A against rate B at a significance level α.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// An arm is below the minimum sample ([`has_minimum_sample`]): no claim either way.
    TooFewEvents,
    /// Enough data, but the two-sided p-value is above α: no difference shown (which is not the
    /// same as no difference).
    NotSignificant,
    /// A's rate is higher than B's, with p ≤ α.
    AHigher,
    /// B's rate is higher than A's, with p ≤ α.
    BHigher,
}

/// The comparison of two independent proportions A and B at one confidence level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProportionComparison {
    /// Arm A.
    pub a: Proportion,
    /// Arm B.
    pub b: Proportion,
    /// The confidence of the intervals.
    pub confidence: Confidence,
    /// rate(A) − rate(B) with Newcombe's hybrid score interval (see [`ProportionComparison::new`]).
    pub difference: Estimate,
    /// rate(A) / rate(B) ("A converts 3.1× as often as B") with the Katz log interval; `None`
    /// when either arm has no success (the ratio is 0 or unbounded and the log interval
    /// undefined).
    pub ratio: Option<Estimate>,
    /// The pooled two-proportion z statistic, positive when A is higher.
    pub z: f64,
    /// Its two-sided p-value.
    pub p_value: f64,
}

impl ProportionComparison {
    /// Compares A with B; `None` if either arm has no trials.
    ///
    /// With p̂₁ = x₁/n₁, p̂₂ = x₂/n₂ and z the normal quantile of the confidence:
    /// - difference d = p̂₁ − p̂₂, interval by Newcombe's method 10 (1998): from the Wilson
    ///   intervals [l₁, u₁] and [l₂, u₂] of each arm,
    ///   [d − √((p̂₁ − l₁)² + (u₂ − p̂₂)²), d + √((u₁ − p̂₁)² + (p̂₂ − l₂)²)]; it inherits Wilson's
    ///   good behaviour at small counts and at 0 or n successes, where p̂₁ − p̂₂ ± z·SE fails;
    /// - ratio r = p̂₁/p̂₂, interval exp(ln r ± z·√(1/x₁ − 1/n₁ + 1/x₂ − 1/n₂)) (Katz et al.,
    ///   1978: ln r is close to normal with that variance);
    /// - z = (p̂₁ − p̂₂) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)) with the pooled rate p̄ = (x₁ + x₂)/(n₁ + n₂),
    ///   the test of "same rate" whose square is Pearson's χ² of the 2×2 table without Yates's
    ///   correction; p = 2·(1 − Φ(|z|)). When p̄ is 0 or 1 both arms are identical (all fail or all
    ///   succeed): z = 0 and p = 1.
    ///
    /// All three assume independent trials within and between arms, each arm with one rate.
    pub fn new(a: Proportion, b: Proportion, confidence: Confidence) -> Option<Self> {
        let z = pooled_z(&a, &b)?;
        Some(ProportionComparison {
            a,
            b,
            confidence,
            difference: newcombe_difference(&a, &b, confidence)?,
            ratio: katz_ratio(&a, &b, confidence),
            z,
            p_value: normal::two_sided_p(z),
        })
    }

    /// The relative lift of A over B, rate(A)/rate(B) − 1, with its interval (the ratio's, shifted).
    pub fn lift(&self) -> Option<Estimate> {
        self.ratio.map(|ratio| Estimate {
            value: ratio.value - 1.0,
            interval: Interval {
                low: ratio.interval.low - 1.0,
                high: ratio.interval.high - 1.0,
            },
        })
    }

    /// Whether both arms reach the minimum sample of [`has_minimum_sample`].
    pub fn enough_data(&self) -> bool {
        has_minimum_sample(&self.a) && has_minimum_sample(&self.b)
    }

    /// The verdict at significance level `alpha`: [`Verdict::TooFewEvents`] below the minimum
    /// sample whatever the p-value, otherwise a direction when the z-test's p ≤ α. An `alpha`
    /// outside (0, 1) claims nothing ([`Verdict::NotSignificant`]).
    pub fn verdict(&self, alpha: f64) -> Verdict {
        if !self.enough_data() {
            return Verdict::TooFewEvents;
        }
        let valid_alpha = alpha > 0.0 && alpha < 1.0;
        if !valid_alpha || self.p_value > alpha {
            return Verdict::NotSignificant;
        }
        if self.z > 0.0 {
            Verdict::AHigher
        } else {
            Verdict::BHigher
        }
    }

    /// Whether a difference may be claimed at level `alpha` (see [`ProportionComparison::verdict`]).
    pub fn significant(&self, alpha: f64) -> bool {
        matches!(self.verdict(alpha), Verdict::AHigher | Verdict::BHigher)
    }
}

/// Newcombe's hybrid score interval for p̂₁ − p̂₂.
fn newcombe_difference(a: &Proportion, b: &Proportion, confidence: Confidence) -> Option<Estimate> {
    let (p1, p2) = (a.rate()?, b.rate()?);
    let (w1, w2) = (a.wilson(confidence)?, b.wilson(confidence)?);
    let d = p1 - p2;
    let below = (p1 - w1.low).hypot(w2.high - p2);
    let above = (w1.high - p1).hypot(p2 - w2.low);
    Some(Estimate {
        value: d,
        interval: Interval {
            low: (d - below).max(-1.0),
            high: (d + above).min(1.0),
        },
    })
}

/// The Katz log interval for p̂₁ / p̂₂; `None` when either arm has no success.
fn katz_ratio(a: &Proportion, b: &Proportion, confidence: Confidence) -> Option<Estimate> {
    if a.successes() == 0 || b.successes() == 0 {
        return None;
    }
    let ratio = a.rate()? / b.rate()?;
    let inverse = |x: u64| 1.0 / x as f64;
    let variance =
        inverse(a.successes()) - inverse(a.trials()) + inverse(b.successes()) - inverse(b.trials());
    let spread = confidence.z() * variance.max(0.0).sqrt();
    Some(Estimate {
        value: ratio,
        interval: Interval {
            low: (ratio.ln() - spread).exp(),
            high: (ratio.ln() + spread).exp(),
        },
    })
}

/// The pooled two-proportion z statistic; 0 when the pooled rate is 0 or 1.
fn pooled_z(a: &Proportion, b: &Proportion) -> Option<f64> {
    let (p1, p2) = (a.rate()?, b.rate()?);
    let (n1, n2) = (a.trials() as f64, b.trials() as f64);
    let pooled = (a.successes() + b.successes()) as f64 / (n1 + n2);
    let variance = pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2);
    if variance <= 0.0 {
        return Some(0.0);
    }
    Some((p1 - p2) / variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{any_proportion, assert_close};
    use super::*;
    use proptest::prelude::*;

    fn arm(successes: u64, trials: u64) -> Proportion {
        Proportion::new(successes, trials).unwrap()
    }

    fn compare(a: (u64, u64), b: (u64, u64)) -> ProportionComparison {
        ProportionComparison::new(arm(a.0, a.1), arm(b.0, b.1), Confidence::P95).unwrap()
    }

    #[test]
    fn newcombe_1998_differences() {
        // Newcombe, "Interval estimation for the difference between independent proportions:
        // comparison of eleven methods", Statistics in Medicine 17 (1998), table II, method 10
        // (score interval, no continuity correction), printed to 4 decimals.
        let cases = [
            ((56, 70), (48, 80), 0.0524, 0.3339),
            ((9, 10), (3, 10), 0.1705, 0.8090),
            ((5, 56), (0, 29), -0.0381, 0.1926),
            ((0, 10), (0, 20), -0.1611, 0.2775),
            ((0, 10), (0, 10), -0.2775, 0.2775),
            ((10, 10), (0, 20), 0.6791, 1.0),
        ];
        for (a, b, low, high) in cases {
            let interval = compare(a, b).difference.interval;
            assert_close(interval.low, low, 5e-5);
            assert_close(interval.high, high, 5e-5);
        }
    }

    #[test]
    fn z_test_and_ratio_for_56_of_70_against_48_of_80() {
        // By hand: pooled p̄ = 104/150 = 0.693333, SE = √(0.693333 · 0.306667 · (1/70 + 1/80))
        // = 0.0754670, z = 0.2/0.0754670 = 2.650172, p = 2(1 − Φ(2.650172)) = 0.0080451
        // (z² = 7.0234 is the χ² of the 2×2 table). Ratio 0.8/0.6 = 1.333333 with
        // SE(ln r) = √(1/56 − 1/70 + 1/48 − 1/80) = 0.109109: exp(0.287682 ± 1.959964 · 0.109109)
        // = [1.076626, 1.651249]. Digits confirmed with mpmath.
        let c = compare((56, 70), (48, 80));
        assert_close(c.z, 2.650_171_951_258_533, 1e-12);
        assert_close(c.p_value, 0.008_045_081_368_196_585, 1e-14);
        let ratio = c.ratio.unwrap();
        assert_close(ratio.value, 4.0 / 3.0, 1e-15);
        assert_close(ratio.interval.low, 1.076_626_422_763_192_7, 1e-12);
        assert_close(ratio.interval.high, 1.651_248_511_266_387, 1e-12);
        let lift = c.lift().unwrap();
        assert_close(lift.value, 1.0 / 3.0, 1e-15);
        assert_close(lift.interval.low, 0.076_626_422_763_192_7, 1e-12);
    }

    #[test]
    fn verdict_names_the_higher_arm() {
        let c = compare((56, 70), (48, 80));
        assert_eq!(c.verdict(0.05), Verdict::AHigher);
        assert!(c.significant(0.05));
        // p = 0.008: not significant at 0.5 %.
        assert_eq!(c.verdict(0.005), Verdict::NotSignificant);
        assert_eq!(compare((48, 80), (56, 70)).verdict(0.05), Verdict::BHigher);
    }

    #[test]
    fn no_claim_from_a_handful_of_events() {
        // 9/10 against 3/10 has p = 0.0062 but only 10 trials per arm.
        let small = compare((9, 10), (3, 10));
        assert!(small.p_value < 0.01);
        assert_eq!(small.verdict(0.05), Verdict::TooFewEvents);
        assert!(!small.significant(0.05));
        // 30 trials each but only 4 conversions in A: still no claim, although p < 0.05.
        let few_successes = compare((4, 30), (14, 30));
        assert!(few_successes.p_value < 0.05);
        assert_eq!(few_successes.verdict(0.05), Verdict::TooFewEvents);
        // 30 trials each, and only 4 failures in B.
        let few_failures = compare((15, 30), (26, 30));
        assert!(few_failures.p_value < 0.05);
        assert_eq!(few_failures.verdict(0.05), Verdict::TooFewEvents);
        // The boundary: 5 successes and 25 failures in 30 trials is enough.
        let boundary = compare((5, 30), (25, 30));
        assert_eq!(boundary.verdict(0.05), Verdict::BHigher);
        // 29 trials is not.
        assert_eq!(
            compare((5, 29), (24, 29)).verdict(0.05),
            Verdict::TooFewEvents
        );
    }

    #[test]
    fn identical_all_or_nothing_arms_show_no_difference() {
        let c = compare((0, 40), (0, 50));
        assert_eq!((c.z, c.p_value), (0.0, 1.0));
        assert_eq!(c.ratio, None);
        assert_eq!(c.difference.value, 0.0);
    }

    #[test]
    fn empty_arms_cannot_be_compared_and_bad_alphas_claim_nothing() {
        assert!(ProportionComparison::new(arm(0, 0), arm(5, 10), Confidence::P95).is_none());
        let c = compare((300, 1000), (100, 1000));
        for alpha in [0.0, 1.0, -1.0, f64::NAN] {
            assert_eq!(c.verdict(alpha), Verdict::NotSignificant, "{alpha}");
        }
    }

    proptest! {
        #[test]
        fn swapping_arms_mirrors_everything(a in any_proportion(5_000), b in any_proportion(5_000)) {
            let ab = ProportionComparison::new(a, b, Confidence::P95).unwrap();
            let ba = ProportionComparison::new(b, a, Confidence::P95).unwrap();
            prop_assert!((ab.difference.value + ba.difference.value).abs() < 1e-15);
            prop_assert!((ab.difference.interval.low + ba.difference.interval.high).abs() < 1e-12);
            prop_assert!((ab.difference.interval.high + ba.difference.interval.low).abs() < 1e-12);
            prop_assert!((ab.z + ba.z).abs() < 1e-9);
            prop_assert!((ab.p_value - ba.p_value).abs() < 1e-12);
            if let (Some(r), Some(inverse)) = (ab.ratio, ba.ratio) {
                prop_assert!((r.value * inverse.value - 1.0).abs() < 1e-12);
                prop_assert!((r.interval.low * inverse.interval.high - 1.0).abs() < 1e-9);
            }
            let mirrored = match ab.verdict(0.05) {
                Verdict::AHigher => Verdict::BHigher,
                Verdict::BHigher => Verdict::AHigher,
                other => other,
            };
            prop_assert_eq!(ba.verdict(0.05), mirrored);
        }

        #[test]
        fn intervals_contain_their_estimates(a in any_proportion(5_000), b in any_proportion(5_000)) {
            let c = ProportionComparison::new(a, b, Confidence::P95).unwrap();
            prop_assert!(c.difference.interval.contains(c.difference.value));
            prop_assert!(-1.0 <= c.difference.interval.low && c.difference.interval.high <= 1.0);
            if let Some(ratio) = c.ratio {
                prop_assert!(ratio.interval.contains(ratio.value));
            }
            prop_assert!((0.0..=1.0).contains(&c.p_value));
        }
    }
}
