//! What the programme added against its holdout: customers invited to the programme are compared
//! with customers held out of it at random (the campaign's holdout share), so the difference is
//! the programme's effect rather than what those customers would have done anyway.
//!
//! Both estimates scale a per-capita difference by the number of invited customers, treated as a
//! known count: the uncertainty is the difference's, multiplied. They assume the holdout was
//! drawn at random from the same population as the invited (which the bucketing guarantees) and
//! that customers act independently.

use serde::{Deserialize, Serialize};

use super::{Confidence, Estimate, Proportion, ProportionComparison, Summary, WelchComparison};

/// The incremental revenue of the programme: (mean per invited customer − mean per held-out
/// customer) × number of invited customers, with the Welch interval of the difference scaled the
/// same way. The summaries are per customer, zeros included (a customer who bought nothing counts
/// as 0), in the unit of the values (minor units for money). `None` when Welch's comparison is
/// undefined (fewer than two customers in a group, or no spread at all).
pub fn incremental_revenue(
    invited: &Summary,
    held_out: &Summary,
    confidence: Confidence,
) -> Option<Estimate> {
    let welch = WelchComparison::new(invited, held_out, confidence)?;
    Some(welch.difference.scaled(invited.count() as f64))
}

/// The programme's cost per incremental acquisition, with the incremental conversions it rests
/// on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostPerAcquisition {
    /// (conversion rate of the invited − that of the held out) × invited customers, with
    /// Newcombe's interval of the rate difference scaled the same way.
    pub incremental_conversions: Estimate,
    /// cost / incremental conversions; `None` when the point estimate of incremental conversions
    /// is 0 or negative (the programme shows no acquisitions to divide by).
    pub value: Option<f64>,
    /// The lower end of the interval, cost / upper bound of the incremental conversions; `None`
    /// when even the upper bound is 0 or negative (no acquisition is plausible at this
    /// confidence, so no cost per acquisition is either).
    pub low: Option<f64>,
    /// The upper end, cost / lower bound of the incremental conversions; `None` when the lower
    /// bound is 0 or negative: zero incremental acquisitions cannot be ruled out, so the cost per
    /// acquisition is unbounded above (show it as "∞" or "not yet known").
    pub high: Option<f64>,
}

/// The incremental cost per acquisition of a programme that cost `cost` (any unit, e.g. minor
/// units of rewards paid; must be finite and ≥ 0) given the conversions of invited and held-out
/// customers. `None` for an invalid cost or an empty group.
///
/// cost/Δ decreases in Δ, so the interval [Δ_low, Δ_high] of incremental conversions maps to
/// [cost/Δ_high, cost/Δ_low] when Δ_low > 0; see [`CostPerAcquisition`] for the open-ended cases.
pub fn incremental_cost_per_acquisition(
    cost: f64,
    invited: Proportion,
    held_out: Proportion,
    confidence: Confidence,
) -> Option<CostPerAcquisition> {
    if !(cost.is_finite() && cost >= 0.0) {
        return None;
    }
    let comparison = ProportionComparison::new(invited, held_out, confidence)?;
    let conversions = comparison.difference.scaled(invited.trials() as f64);
    let per = |count: f64| (count > 0.0).then(|| cost / count);
    Some(CostPerAcquisition {
        incremental_conversions: conversions,
        value: per(conversions.value),
        low: per(conversions.interval.high),
        high: per(conversions.interval.low),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_close;
    use super::*;

    fn arm(successes: u64, trials: u64) -> Proportion {
        Proportion::new(successes, trials).unwrap()
    }

    #[test]
    fn incremental_revenue_by_hand() {
        // 10 000 invited spending 520 per head (variance 250 000), 1 000 held out spending 480
        // (variance 200 000): difference 40, SE = √(25 + 200) = 15, Welch df
        // = 225²/(25²/9 999 + 200²/999) = 1 262.39, t(0.975, 1 262.39) = 1.961845,
        // 40 ± 29.4277 per head → × 10 000 = 400 000 in [105 723.26, 694 276.74]
        // (t quantile and digits from mpmath).
        let invited = Summary::from_moments(10_000, 520.0, 250_000.0).unwrap();
        let held_out = Summary::from_moments(1_000, 480.0, 200_000.0).unwrap();
        let revenue = incremental_revenue(&invited, &held_out, Confidence::P95).unwrap();
        assert_close(revenue.value, 400_000.0, 1e-6);
        assert_close(revenue.interval.low, 105_723.257_595_918, 1e-5);
        assert_close(revenue.interval.high, 694_276.742_404_082, 1e-5);
    }

    #[test]
    fn cost_per_acquisition_with_a_bounded_interval() {
        // 300 of 10 000 invited converted against 100 of 5 000 held out: +1 point, 100
        // incremental conversions; Newcombe's interval of the difference × 10 000
        // = [46.876, 149.895]; cost 50 000 → 500 per acquisition in [333.568, 1 066.639].
        let cpa = incremental_cost_per_acquisition(
            50_000.0,
            arm(300, 10_000),
            arm(100, 5_000),
            Confidence::P95,
        )
        .unwrap();
        assert_close(cpa.incremental_conversions.value, 100.0, 1e-9);
        assert_close(
            cpa.incremental_conversions.interval.low,
            46.876_215_599_03,
            1e-8,
        );
        assert_close(cpa.value.unwrap(), 500.0, 1e-9);
        assert_close(cpa.low.unwrap(), 333.567_727_803_456, 1e-8);
        assert_close(cpa.high.unwrap(), 1_066.639_005_752_735, 1e-8);
    }

    #[test]
    fn cost_per_acquisition_is_unbounded_when_zero_lift_is_plausible() {
        // The same rates with only 1 000 held out: the difference's interval × 10 000 is
        // [-11.49, 178.53], so zero incremental conversions cannot be ruled out.
        let cpa = incremental_cost_per_acquisition(
            50_000.0,
            arm(300, 10_000),
            arm(20, 1_000),
            Confidence::P95,
        )
        .unwrap();
        assert_close(cpa.value.unwrap(), 500.0, 1e-9);
        assert_close(cpa.low.unwrap(), 280.058_017_732_587, 1e-8);
        assert_eq!(cpa.high, None);
    }

    #[test]
    fn no_cost_per_acquisition_without_a_lift() {
        // Invited convert less than held out: no point estimate; with a clear drop not even a
        // lower bound.
        let worse = incremental_cost_per_acquisition(
            1_000.0,
            arm(100, 10_000),
            arm(300, 10_000),
            Confidence::P95,
        )
        .unwrap();
        assert!(worse.incremental_conversions.value < 0.0);
        assert_eq!((worse.value, worse.low, worse.high), (None, None, None));
        let same = incremental_cost_per_acquisition(
            1_000.0,
            arm(100, 1_000),
            arm(100, 1_000),
            Confidence::P95,
        )
        .unwrap();
        assert_eq!(same.value, None);
        assert!(same.low.is_some() && same.high.is_none());
    }

    #[test]
    fn invalid_inputs_give_nothing() {
        for cost in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(
                incremental_cost_per_acquisition(cost, arm(3, 10), arm(1, 10), Confidence::P95)
                    .is_none()
            );
        }
        assert!(
            incremental_cost_per_acquisition(10.0, arm(0, 0), arm(1, 10), Confidence::P95)
                .is_none()
        );
        let one = Summary::from_moments(1, 5.0, 0.0).unwrap();
        let many = Summary::from_moments(100, 5.0, 4.0).unwrap();
        assert!(incremental_revenue(&one, &many, Confidence::P95).is_none());
        // A free programme with a lift costs nothing per acquisition.
        let free = incremental_cost_per_acquisition(
            0.0,
            arm(300, 1_000),
            arm(100, 1_000),
            Confidence::P95,
        )
        .unwrap();
        assert_eq!(
            (free.value, free.low, free.high),
            (Some(0.0), Some(0.0), Some(0.0))
        );
    }
}
