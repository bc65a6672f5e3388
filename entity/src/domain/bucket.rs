//! Deterministic holdout/variant assignment at enrolment.
//!
//! The bucket is a pure function of the campaign and participant ids, so re-enrolling, retrying a
//! job or recomputing a report always lands a participant in the same place, with no state to store
//! before the enrolment row itself.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::money::BPS_PER_WHOLE;

/// Where a participant landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Held out: gets no code, measured as the baseline.
    Holdout,
    /// Not held out, and the campaign has no weighted variants.
    Control,
    /// Not held out; the index into the campaign's variant weights.
    Variant(usize),
}

/// Assigns a participant: a holdout draw first (`holdout_bps` out of 10 000), then an independent
/// draw picking a variant in proportion to `variant_weights`.
///
/// `holdout_bps` of 10 000 or more holds everyone out. With no variants, or all weights zero, a
/// participant who is not held out is `Control`; a zero-weight variant is never picked.
pub fn assign(
    campaign_id: Uuid,
    participant_id: Uuid,
    holdout_bps: u32,
    variant_weights: &[u32],
) -> Bucket {
    let mut hasher = Sha256::new();
    hasher.update(campaign_id.as_bytes());
    hasher.update(participant_id.as_bytes());
    let digest: [u8; 32] = hasher.finalize().into();
    // Two disjoint 8-byte windows of one hash are independent uniform draws.
    let holdout_draw = word(&digest, 0);
    let variant_draw = word(&digest, 8);

    // 2^64 is not a multiple of 10 000; the resulting bias (< 10^-15) is immaterial.
    if holdout_draw % u64::from(BPS_PER_WHOLE) < u64::from(holdout_bps) {
        return Bucket::Holdout;
    }
    // Summed in u64: many u32 weights could overflow a u32 total.
    let total: u64 = variant_weights.iter().map(|&w| u64::from(w)).sum();
    if total == 0 {
        return Bucket::Control;
    }
    let mut point = variant_draw % total;
    for (index, &weight) in variant_weights.iter().enumerate() {
        let weight = u64::from(weight);
        if point < weight {
            return Bucket::Variant(index);
        }
        point -= weight;
    }
    // Unreachable: point < total = Σ weights, so the loop returns.
    Bucket::Control
}

/// The big-endian u64 at `at..at + 8` of the digest.
fn word(digest: &[u8; 32], at: usize) -> u64 {
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[at..at + 8]);
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    const PARTICIPANTS: usize = 20_000;

    fn participants(seed: u64) -> Vec<Uuid> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..PARTICIPANTS)
            .map(|_| Uuid::from_bytes(rng.random()))
            .collect()
    }

    fn share(count: usize, of: usize) -> f64 {
        100.0 * count as f64 / of as f64
    }

    #[test]
    fn same_input_gives_the_same_bucket() {
        let campaign = Uuid::from_u128(0x1234);
        for participant in participants(1).into_iter().take(500) {
            let first = assign(campaign, participant, 1_500, &[1, 2, 3]);
            assert_eq!(first, assign(campaign, participant, 1_500, &[1, 2, 3]));
        }
    }

    #[test]
    fn result_is_pinned_across_releases() {
        // Expected buckets computed outside Rust (Python hashlib); a change to the hash layout
        // would silently move enrolled participants between buckets.
        use Bucket::{Holdout, Variant};
        let expected = [
            Variant(2),
            Variant(2),
            Variant(0),
            Variant(1),
            Variant(2),
            Variant(1),
            Variant(2),
            Variant(1),
            Holdout,
            Variant(0),
        ];
        let campaign = Uuid::from_u128(1);
        for (participant, want) in (2_u128..).zip(expected) {
            let got = assign(campaign, Uuid::from_u128(participant), 2_000, &[1, 1, 1]);
            assert_eq!(got, want, "participant {participant}");
        }
    }

    #[test]
    fn holdout_share_matches_holdout_bps() {
        let campaign = Uuid::from_u128(42);
        for holdout_bps in [0_u32, 500, 1_000, 2_500, 5_000] {
            let held = participants(u64::from(holdout_bps))
                .into_iter()
                .filter(|&p| assign(campaign, p, holdout_bps, &[1]) == Bucket::Holdout)
                .count();
            let observed = share(held, PARTICIPANTS);
            let expected = f64::from(holdout_bps) / 100.0;
            assert!(
                (observed - expected).abs() <= 1.5,
                "holdout {holdout_bps} bps: observed {observed:.2} %"
            );
        }
    }

    #[test]
    fn variant_shares_follow_weights() {
        let campaign = Uuid::from_u128(7);
        let weights = [50_u32, 30, 20, 0];
        let mut counts = [0_usize; 4];
        let mut held = 0;
        for participant in participants(99) {
            match assign(campaign, participant, 1_000, &weights) {
                Bucket::Variant(i) => counts[i] += 1,
                Bucket::Holdout => held += 1,
                Bucket::Control => panic!("weighted variants never yield Control"),
            }
        }
        let enrolled = PARTICIPANTS - held;
        for (i, &weight) in weights.iter().enumerate() {
            let observed = share(counts[i], enrolled);
            assert!(
                (observed - f64::from(weight)).abs() <= 2.0,
                "variant {i}: weight {weight}, observed {observed:.2} %"
            );
        }
        assert_eq!(counts[3], 0);
    }

    #[test]
    fn holdout_and_variant_draws_are_independent() {
        // Within the held-in group the variant split must not depend on how close a participant
        // came to the holdout threshold.
        let campaign = Uuid::from_u128(8);
        let mut low = [0_usize; 2];
        let mut high = [0_usize; 2];
        for participant in participants(5) {
            let held_at_50 = assign(campaign, participant, 5_000, &[]) == Bucket::Holdout;
            if let Bucket::Variant(i) = assign(campaign, participant, 0, &[1, 1]) {
                if held_at_50 {
                    low[i] += 1
                } else {
                    high[i] += 1
                }
            }
        }
        for group in [low, high] {
            let observed = share(group[0], group[0] + group[1]);
            assert!((observed - 50.0).abs() <= 2.0, "{observed:.2} %");
        }
    }

    #[test]
    fn no_variants_or_zero_weights_give_control() {
        let campaign = Uuid::from_u128(3);
        for participant in participants(3).into_iter().take(200) {
            assert_eq!(assign(campaign, participant, 0, &[]), Bucket::Control);
            assert_eq!(assign(campaign, participant, 0, &[0, 0]), Bucket::Control);
        }
    }

    #[test]
    fn full_holdout_holds_everyone_out() {
        let campaign = Uuid::from_u128(4);
        for participant in participants(4).into_iter().take(200) {
            assert_eq!(assign(campaign, participant, 10_000, &[1]), Bucket::Holdout);
            assert_eq!(
                assign(campaign, participant, u32::MAX, &[1]),
                Bucket::Holdout
            );
        }
    }

    #[test]
    fn huge_weights_do_not_overflow() {
        let bucket = assign(Uuid::nil(), Uuid::nil(), 0, &[u32::MAX, u32::MAX, u32::MAX]);
        assert!(matches!(bucket, Bucket::Variant(0..=2)));
    }
}
