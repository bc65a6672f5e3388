//! A sequential test of two conversion rates that stays valid however often it is looked at, so a
//! campaign can opt in to stop a clearly worse variant by itself.
//!
//! Looking at a fixed-sample z-test every day and stopping at the first p ≤ α inflates the false
//! alarm rate far above α (with 40 looks, several times α; the tests show it). The mixture
//! sequential probability ratio test (mSPRT) does not: following the idea of Johari, Pekelis and
//! Walsh, "Always Valid Inference: Continuous Monitoring of A/B Tests" (Operations Research,
//! 2022), each look computes a likelihood ratio Λ of "the rates differ" against "they are equal",
//! where "differ" is a mixture over effect sizes, and the always-valid p-value is the running
//! minimum of 1/Λ. Under equal rates Λ is (approximately) a non-negative martingale with mean 1,
//! so by Ville's inequality P(Λ ever reaches 1/α) ≤ α: stopping the first time p ≤ α keeps the
//! false alarm rate at most α whatever the number or timing of looks.
//!
//! The model at each look, with cumulative counts (xₐ of nₐ, x_b of n_b):
//! - the observed difference θ̂ = p̂ₐ − p̂_b is taken as normal around the true difference θ with
//!   variance V = p̂ₐ(1 − p̂ₐ)/nₐ + p̂_b(1 − p̂_b)/n_b (the normal approximation; the plug-in V is why
//!   a minimum sample is required before any decision);
//! - the alternative mixes θ over a normal N(0, τ²); integrating the normal likelihood over it
//!   gives Λ = √(V/(V + τ²)) · exp(τ²·θ̂² / (2·V·(V + τ²))).
//!
//! τ² is the mixing variance: the test is most sensitive to differences |θ| near τ. Choose τ
//! about the size of difference worth stopping for, e.g. τ = 0.02 (τ² = 4e-4) when rates near 10 %
//! should be told apart at ±2 points. A τ far too large or too small only costs power (the test
//! needs more data), never validity.
//!
//! "Worse" means a lower rate: the test is meant for conversion-type rates where higher is better.

use serde::{Deserialize, Serialize};

use super::Proportion;
use super::two_proportions::has_minimum_sample;

/// The outcome of one look.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// No decision yet; `p` is the always-valid p-value so far (1 before the minimum sample).
    Continue {
        /// The always-valid p-value so far.
        p: f64,
    },
    /// A's rate is lower than B's: stop A. `p` is the always-valid p-value at the stop.
    AWorse {
        /// The always-valid p-value when the test stopped.
        p: f64,
    },
    /// B's rate is lower than A's: stop B.
    BWorse {
        /// The always-valid p-value when the test stopped.
        p: f64,
    },
}

impl Decision {
    /// Whether the test has stopped (one arm is declared worse).
    pub fn is_stop(&self) -> bool {
        !matches!(self, Decision::Continue { .. })
    }
}

/// The state of one mSPRT between arms A and B: its settings, the running always-valid p-value
/// and the decision once made. Serialisable, so a campaign can keep it between looks; a stored
/// state with settings [`SequentialTest::new`] would refuse, or a p-value outside [0, 1], does not
/// deserialise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredTest")]
pub struct SequentialTest {
    alpha: f64,
    tau2: f64,
    p_value: f64,
    stopped: Option<Decision>,
}

/// [`SequentialTest`] as stored, before its checks.
#[derive(Deserialize)]
struct StoredTest {
    alpha: f64,
    tau2: f64,
    p_value: f64,
    stopped: Option<Decision>,
}

impl TryFrom<StoredTest> for SequentialTest {
    type Error = String;

    fn try_from(stored: StoredTest) -> Result<Self, Self::Error> {
        let fresh = SequentialTest::new(stored.alpha, stored.tau2).ok_or_else(|| {
            format!(
                "invalid settings α = {}, τ² = {}",
                stored.alpha, stored.tau2
            )
        })?;
        if !(0.0..=1.0).contains(&stored.p_value) {
            return Err(format!("p-value {} is not in [0, 1]", stored.p_value));
        }
        Ok(SequentialTest {
            p_value: stored.p_value,
            stopped: stored.stopped,
            ..fresh
        })
    }
}

impl SequentialTest {
    /// A test at level `alpha` (in (0, 1)) with mixing variance `tau2` (> 0, finite); `None`
    /// otherwise.
    pub fn new(alpha: f64, tau2: f64) -> Option<SequentialTest> {
        let valid = alpha > 0.0 && alpha < 1.0 && tau2 > 0.0 && tau2.is_finite();
        valid.then_some(SequentialTest {
            alpha,
            tau2,
            p_value: 1.0,
            stopped: None,
        })
    }

    /// The level α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// The mixing variance τ².
    pub fn tau2(&self) -> f64 {
        self.tau2
    }

    /// The always-valid p-value so far: the minimum of 1/Λ over all looks that had the minimum
    /// sample, and 1 before any. It never increases.
    pub fn p_value(&self) -> f64 {
        self.p_value
    }

    /// Takes one look at the cumulative counts of both arms.
    ///
    /// Until both arms reach the minimum sample of
    /// [`has_minimum_sample`](super::two_proportions::has_minimum_sample) (30 trials, 5 successes
    /// and 5 failures each) the look changes nothing and answers `Continue`: the plug-in variance
    /// is not trusted on fewer events. Skipping looks does not harm validity, which holds at any
    /// stopping time. Once the p-value reaches α the test stops on the arm with the lower rate
    /// and keeps answering that decision on later looks.
    pub fn look(&mut self, a: Proportion, b: Proportion) -> Decision {
        if let Some(decision) = self.stopped {
            return decision;
        }
        if !(has_minimum_sample(&a) && has_minimum_sample(&b)) {
            return Decision::Continue { p: self.p_value };
        }
        let Some((ln_lambda, difference)) = log_likelihood_ratio(&a, &b, self.tau2) else {
            return Decision::Continue { p: self.p_value };
        };
        self.p_value = self.p_value.min((-ln_lambda).exp());
        if self.p_value > self.alpha {
            return Decision::Continue { p: self.p_value };
        }
        let p = self.p_value;
        let decision = if difference < 0.0 {
            Decision::AWorse { p }
        } else {
            Decision::BWorse { p }
        };
        self.stopped = Some(decision);
        decision
    }
}

/// ln Λ and θ̂ for the cumulative counts of A and B, with Λ the mixture likelihood ratio of the
/// module documentation; `None` if either arm has no trials or the variance V is 0.
pub fn log_likelihood_ratio(a: &Proportion, b: &Proportion, tau2: f64) -> Option<(f64, f64)> {
    let (pa, pb) = (a.rate()?, b.rate()?);
    let variance = pa * (1.0 - pa) / a.trials() as f64 + pb * (1.0 - pb) / b.trials() as f64;
    if variance <= 0.0 {
        return None;
    }
    let difference = pa - pb;
    let spread = variance + tau2;
    let ln_lambda =
        0.5 * (variance / spread).ln() + tau2 * difference * difference / (2.0 * variance * spread);
    Some((ln_lambda, difference))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::stats::{Confidence, ProportionComparison};

    /// SplitMix64 (Steele, Lea and Flood, 2014): a tiny deterministic generator, so every run of
    /// the simulations sees the same numbers.
    struct SplitMix64(u64);

    impl SplitMix64 {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in [0, 1) from the top 53 bits.
        fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        /// Successes among `trials` Bernoulli(`rate`) draws.
        fn binomial(&mut self, trials: u64, rate: f64) -> u64 {
            (0..trials).filter(|_| self.uniform() < rate).count() as u64
        }
    }

    const ALPHA: f64 = 0.05;
    /// τ = 0.03: tuned to differences of a few points on rates near 10 %.
    const TAU2: f64 = 0.0009;
    const RUNS: usize = 400;
    const LOOKS: usize = 40;
    /// Visitors added to each arm between looks (2 000 per arm at the last look).
    const PER_LOOK: u64 = 50;

    /// What one simulated experiment did.
    struct Run {
        /// The look at which the mSPRT stopped, and its decision.
        stop: Option<(usize, Decision)>,
        /// Whether a fixed-sample z-test at α, peeked at every look, ever said "significant".
        naive_ever_significant: bool,
        /// Whether the always-valid p-value ever went up between looks.
        p_increased: bool,
        /// Whether the test stopped while an arm was below the minimum sample.
        stopped_below_minimum: bool,
    }

    fn simulate(rng: &mut SplitMix64, rate_a: f64, rate_b: f64) -> Run {
        let mut test = SequentialTest::new(ALPHA, TAU2).unwrap();
        let (mut a, mut b) = (Proportion::default(), Proportion::default());
        let mut run = Run {
            stop: None,
            naive_ever_significant: false,
            p_increased: false,
            stopped_below_minimum: false,
        };
        for look in 1..=LOOKS {
            a = grow(a, rng.binomial(PER_LOOK, rate_a));
            b = grow(b, rng.binomial(PER_LOOK, rate_b));
            let before = test.p_value();
            let decision = test.look(a, b);
            run.p_increased |= test.p_value() > before;
            if decision.is_stop() && run.stop.is_none() {
                run.stop = Some((look, decision));
                run.stopped_below_minimum = !(has_minimum_sample(&a) && has_minimum_sample(&b));
            }
            let naive = ProportionComparison::new(a, b, Confidence::P95).unwrap();
            run.naive_ever_significant |= naive.significant(ALPHA);
        }
        run
    }

    fn grow(arm: Proportion, successes: u64) -> Proportion {
        Proportion::new(arm.successes() + successes, arm.trials() + PER_LOOK).unwrap()
    }

    fn simulate_many(seed: u64, rate_a: f64, rate_b: f64) -> Vec<Run> {
        let mut rng = SplitMix64(seed);
        (0..RUNS)
            .map(|_| simulate(&mut rng, rate_a, rate_b))
            .collect()
    }

    fn share(runs: &[Run], predicate: impl Fn(&Run) -> bool) -> f64 {
        runs.iter().filter(|run| predicate(run)).count() as f64 / runs.len() as f64
    }

    #[test]
    fn a_a_experiments_rarely_stop_while_peeking_at_a_z_test_often_cries_wolf() {
        let runs = simulate_many(20_251_124, 0.10, 0.10);
        let stopped = share(&runs, |run| run.stop.is_some());
        let naive = share(&runs, |run| run.naive_ever_significant);
        // The always-valid guarantee is P(ever stop) ≤ α; with 400 runs a true rate of 5 %
        // would give up to about 7.2 % (two standard errors), so ≤ α itself leaves real margin.
        assert!(stopped <= ALPHA, "the mSPRT stopped {stopped} of A/A runs");
        // The same data peeked at with a fixed-sample test: the false alarm rate balloons (with
        // this seed the mSPRT stops 1.75 % of runs, the peeked z-test fires in 27 %).
        assert!(
            naive > 3.0 * ALPHA,
            "the peeked z-test fired in only {naive} of runs"
        );
        assert!(runs.iter().all(|run| !run.p_increased));
    }

    #[test]
    fn a_clear_difference_is_stopped_on_the_worse_arm() {
        // 10 % against 15 %: a fixed test on the final 2 000 per arm has power near 100 %.
        let runs = simulate_many(7, 0.10, 0.15);
        let right = share(&runs, |run| {
            matches!(run.stop, Some((_, Decision::AWorse { .. })))
        });
        let wrong = share(&runs, |run| {
            matches!(run.stop, Some((_, Decision::BWorse { .. })))
        });
        assert!(right >= 0.9, "stopped A in only {right} of runs");
        assert!(wrong <= ALPHA, "stopped the better arm in {wrong} of runs");
        assert!(
            runs.iter()
                .all(|run| !run.p_increased && !run.stopped_below_minimum)
        );
        // And the swapped experiment stops B.
        let swapped = simulate_many(7, 0.15, 0.10);
        let b_worse = share(&swapped, |run| {
            matches!(run.stop, Some((_, Decision::BWorse { .. })))
        });
        assert!(b_worse >= 0.9, "stopped B in only {b_worse} of runs");
    }

    #[test]
    fn no_decision_below_the_minimum_sample() {
        let mut test = SequentialTest::new(ALPHA, TAU2).unwrap();
        // 3 of 29 against 26 of 29: Λ ≈ 400, far past 1/α = 20, but 29 trials per arm.
        let decision = test.look(
            Proportion::new(3, 29).unwrap(),
            Proportion::new(26, 29).unwrap(),
        );
        assert_eq!(decision, Decision::Continue { p: 1.0 });
        // 4 conversions of 1 000 against 200 of 1 000: A has fewer than 5 successes.
        let decision = test.look(
            Proportion::new(4, 1000).unwrap(),
            Proportion::new(200, 1000).unwrap(),
        );
        assert_eq!(decision, Decision::Continue { p: 1.0 });
        // One more conversion and the same gap is decided at once.
        let decision = test.look(
            Proportion::new(5, 1000).unwrap(),
            Proportion::new(200, 1000).unwrap(),
        );
        assert!(
            matches!(decision, Decision::AWorse { p } if p < 1e-10),
            "{decision:?}"
        );
    }

    #[test]
    fn likelihood_ratio_by_hand() {
        // 60/500 against 90/500, τ² = 0.001: θ̂ = -0.06, V = (0.12·0.88 + 0.18·0.82)/500
        // = 5.064e-4, √(V/(V + τ²)) = √(0.336166) = 0.579798, exponent
        // = 0.001·0.0036/(2·5.064e-4·1.5064e-3) = 2.359601, Λ = 0.579798·e^2.359601 = 6.138160,
        // p = 1/Λ = 0.162915 (digits from mpmath).
        let a = Proportion::new(60, 500).unwrap();
        let b = Proportion::new(90, 500).unwrap();
        let (ln_lambda, difference) = log_likelihood_ratio(&a, &b, 0.001).unwrap();
        assert!((difference + 0.06).abs() < 1e-15);
        assert!(
            (ln_lambda.exp() - LAMBDA_60_90).abs() < 1e-9,
            "{}",
            ln_lambda.exp()
        );
        let mut test = SequentialTest::new(0.05, 0.001).unwrap();
        let Decision::Continue { p } = test.look(a, b) else {
            panic!("Λ = 6.1 is far from 1/α = 20");
        };
        assert!((p - 1.0 / LAMBDA_60_90).abs() < 1e-12, "{p}");
    }

    const LAMBDA_60_90: f64 = 6.138_160_251_103_192;

    #[test]
    fn the_p_value_never_rises_and_a_stop_is_final() {
        let mut test = SequentialTest::new(0.05, 0.001).unwrap();
        test.look(
            Proportion::new(60, 500).unwrap(),
            Proportion::new(90, 500).unwrap(),
        );
        let after_gap = test.p_value();
        // The rates converge: Λ falls, but the p-value keeps its minimum.
        let decision = test.look(
            Proportion::new(150, 1000).unwrap(),
            Proportion::new(150, 1000).unwrap(),
        );
        assert_eq!(decision, Decision::Continue { p: after_gap });
        let stop = test.look(
            Proportion::new(100, 1000).unwrap(),
            Proportion::new(200, 1000).unwrap(),
        );
        assert!(matches!(stop, Decision::AWorse { .. }));
        // Even data that now favour B cannot undo the stop.
        let later = test.look(
            Proportion::new(300, 1000).unwrap(),
            Proportion::new(200, 1000).unwrap(),
        );
        assert_eq!(later, stop);
    }

    #[test]
    fn settings_are_checked_and_the_state_round_trips() {
        for (alpha, tau2) in [
            (0.0, 0.001),
            (1.0, 0.001),
            (0.05, 0.0),
            (0.05, f64::INFINITY),
        ] {
            assert!(SequentialTest::new(alpha, tau2).is_none(), "{alpha} {tau2}");
        }
        let mut test = SequentialTest::new(0.05, 0.001).unwrap();
        test.look(
            Proportion::new(60, 500).unwrap(),
            Proportion::new(90, 500).unwrap(),
        );
        let json = serde_json::to_string(&test).unwrap();
        let back: SequentialTest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, test);
        let decision = serde_json::to_value(Decision::AWorse { p: 0.01 }).unwrap();
        assert_eq!(
            decision,
            serde_json::json!({"decision": "a_worse", "p": 0.01})
        );
        let bad = r#"{"alpha": 2.0, "tau2": 0.001, "p_value": 1.0, "stopped": null}"#;
        assert!(serde_json::from_str::<SequentialTest>(bad).is_err());
        let bad = r#"{"alpha": 0.05, "tau2": 0.001, "p_value": 1.5, "stopped": null}"#;
        assert!(serde_json::from_str::<SequentialTest>(bad).is_err());
    }
}
