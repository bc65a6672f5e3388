//! Reward rules: their shape, their checks, and how much one successful referral earns.

use serde::{Deserialize, Serialize};

use super::FieldError;
use super::money::{BPS_PER_WHOLE, percent_of};

/// From the `from_count`-th successful referral on, each earns `amount_minor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    /// The first successful referral (1-based) this tier applies to.
    pub from_count: u32,
    /// The reward per referral in this tier, in minor units.
    pub amount_minor: i64,
}

/// A one-off bonus paid on exactly the `at_count`-th successful referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    /// The successful referral (1-based) that earns the bonus.
    pub at_count: u32,
    /// The bonus, in minor units.
    pub bonus_minor: i64,
}

/// Tiered rewards with optional milestone bonuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierTable {
    /// Tiers in ascending `from_count`, the first starting at 1.
    pub tiers: Vec<Tier>,
    /// Milestones in ascending `at_count`.
    #[serde(default)]
    pub milestones: Vec<Milestone>,
}

/// How the reward amount is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RewardKind {
    /// The same amount every time.
    Fixed {
        /// The amount, in minor units.
        amount_minor: i64,
    },
    /// A share of the order amount.
    Percent {
        /// The share in basis points (1–10 000).
        bps: u32,
    },
    /// An amount depending on how many successful referrals the referrer has made.
    Tiered(TierTable),
}

/// What event earns the reward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RewardTrigger {
    /// The referee signs up.
    Lead,
    /// The referee's first purchase.
    FirstPurchase,
    /// Each of the referee's purchases, up to `max` of them.
    EachPurchase {
        /// How many purchases per referee earn a reward (at least 1).
        max: u32,
    },
}

/// One reward rule, as configured on a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RewardSpec {
    /// How the amount is found.
    pub kind: RewardKind,
    /// Orders below this amount (minor units) earn nothing.
    #[serde(default)]
    pub min_order_minor: i64,
    /// What event earns the reward.
    pub trigger: RewardTrigger,
    /// The most one referrer can earn from this rule in total, in minor units.
    #[serde(default)]
    pub per_referrer_cap_minor: Option<i64>,
}

impl RewardSpec {
    /// Checks the rule; errors name the offending field, e.g. `kind.tiers[1].from_count`.
    pub fn validate(self) -> Result<RewardSpec, FieldError> {
        match &self.kind {
            RewardKind::Fixed { amount_minor } => {
                positive("amount_minor", *amount_minor).map_err(|e| e.within("kind"))?;
            }
            RewardKind::Percent { bps } => {
                if !(1..=BPS_PER_WHOLE).contains(bps) {
                    return Err(FieldError::new(
                        "kind.bps",
                        format!(
                            "must be between 1 and 10000 basis points (0.01 % to 100 %), got {bps}"
                        ),
                    ));
                }
            }
            RewardKind::Tiered(table) => table.validate().map_err(|e| e.within("kind"))?,
        }
        if self.min_order_minor < 0 {
            return Err(FieldError::new("min_order_minor", "must be zero or more"));
        }
        if let RewardTrigger::EachPurchase { max: 0 } = self.trigger {
            return Err(FieldError::new(
                "trigger.max",
                "must reward at least one purchase",
            ));
        }
        if let Some(cap) = self.per_referrer_cap_minor.filter(|&cap| cap < 0) {
            return Err(FieldError::new(
                "per_referrer_cap_minor",
                format!("must be zero or more (got {cap}); leave it empty for no cap"),
            ));
        }
        Ok(self)
    }

    /// The reward for one successful referral, in minor units, never negative.
    ///
    /// `order_minor` is the order amount (0 for a lead), `nth_success` the referrer's count of
    /// successful referrals including this one (1-based), `paid_so_far_minor` what this rule has
    /// already awarded the referrer. The trigger's purchase limit counts the referee's purchases,
    /// which this function does not see: the caller enforces it.
    pub fn amount_for(&self, order_minor: i64, nth_success: u32, paid_so_far_minor: i64) -> i64 {
        if order_minor < self.min_order_minor {
            return 0;
        }
        let amount = match &self.kind {
            RewardKind::Fixed { amount_minor } => *amount_minor,
            RewardKind::Percent { bps } => percent_of(order_minor, *bps),
            RewardKind::Tiered(table) => table.amount_for(nth_success),
        };
        let amount = amount.max(0);
        match self.per_referrer_cap_minor {
            Some(cap) => amount.min(cap.saturating_sub(paid_so_far_minor).max(0)),
            None => amount,
        }
    }
}

/// The rule stored in `row`, or why it cannot be read (a row written by a newer build, say).
pub fn spec_of(row: &crate::tables::reward_rules::Model) -> Result<RewardSpec, String> {
    use crate::tables::{RewardKind as StoredKind, RewardTrigger as StoredTrigger};
    let kind = match row.kind {
        StoredKind::Fixed => RewardKind::Fixed {
            amount_minor: row.amount_minor.ok_or("fixed rule without an amount")?,
        },
        StoredKind::Percent => RewardKind::Percent {
            bps: row
                .bps
                .and_then(|b| u32::try_from(b).ok())
                .ok_or("percent rule without basis points")?,
        },
        StoredKind::Tiered => RewardKind::Tiered(
            serde_json::from_value(row.tiers.clone()).map_err(|e| format!("tiers: {e}"))?,
        ),
    };
    let trigger = match row.trigger {
        StoredTrigger::Lead => RewardTrigger::Lead,
        StoredTrigger::FirstPurchase => RewardTrigger::FirstPurchase,
        StoredTrigger::EachPurchase => RewardTrigger::EachPurchase {
            max: row
                .max_purchases
                .and_then(|m| u32::try_from(m).ok())
                .ok_or("each-purchase rule without a maximum")?,
        },
    };
    Ok(RewardSpec {
        kind,
        min_order_minor: row.min_order_minor,
        trigger,
        per_referrer_cap_minor: row.per_referrer_cap_minor,
    })
}

/// What is left of a reward of `amount_minor` once `refunded_minor` of an order of `order_minor`
/// is refunded: the reward shrinks in proportion, rounded down (a cent not yet earned is not
/// paid). Returns the amount to keep, between 0 and `amount_minor`.
pub fn kept_after_refund(amount_minor: i64, order_minor: i64, refunded_minor: i64) -> i64 {
    if order_minor <= 0 || amount_minor <= 0 {
        return amount_minor.max(0);
    }
    let left = i128::from((order_minor - refunded_minor).clamp(0, order_minor));
    let kept = i128::from(amount_minor) * left / i128::from(order_minor);
    i64::try_from(kept)
        .unwrap_or(amount_minor)
        .clamp(0, amount_minor)
}

impl TierTable {
    /// Checks tiers (first from 1, strictly ascending, positive) and milestones (strictly
    /// ascending from 1, positive bonus).
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.tiers.is_empty() {
            return Err(FieldError::new("tiers", "add at least one tier"));
        }
        let mut previous: Option<u32> = None;
        for (i, tier) in self.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            match previous {
                None if tier.from_count != 1 => {
                    return Err(FieldError::new(
                        field("from_count"),
                        "the first tier must start at referral 1",
                    ));
                }
                Some(prev) if tier.from_count <= prev => {
                    return Err(FieldError::new(
                        field("from_count"),
                        format!("must be greater than the previous tier's {prev}"),
                    ));
                }
                _ => {}
            }
            positive("amount_minor", tier.amount_minor)
                .map_err(|e| e.renamed(field("amount_minor")))?;
            previous = Some(tier.from_count);
        }
        let mut previous = 0;
        for (i, milestone) in self.milestones.iter().enumerate() {
            let field = |name: &str| format!("milestones[{i}].{name}");
            if milestone.at_count <= previous {
                let message = if previous == 0 {
                    "must be 1 or more".to_owned()
                } else {
                    format!("must be greater than the previous milestone's {previous}")
                };
                return Err(FieldError::new(field("at_count"), message));
            }
            positive("bonus_minor", milestone.bonus_minor)
                .map_err(|e| e.renamed(field("bonus_minor")))?;
            previous = milestone.at_count;
        }
        Ok(())
    }

    /// The tier amount for the `nth_success`-th referral plus any milestone bonus reached exactly there.
    pub fn amount_for(&self, nth_success: u32) -> i64 {
        let tier = self
            .tiers
            .iter()
            .filter(|tier| tier.from_count <= nth_success)
            .max_by_key(|tier| tier.from_count)
            .map_or(0, |tier| tier.amount_minor);
        let bonus: i64 = self
            .milestones
            .iter()
            .filter(|milestone| milestone.at_count == nth_success)
            .map(|milestone| milestone.bonus_minor)
            .fold(0, i64::saturating_add);
        tier.saturating_add(bonus)
    }
}

fn positive(field: &str, amount: i64) -> Result<(), FieldError> {
    if amount > 0 {
        Ok(())
    } else {
        Err(FieldError::new(
            field,
            format!("must be greater than zero (got {amount})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: RewardKind) -> RewardSpec {
        RewardSpec {
            kind,
            min_order_minor: 0,
            trigger: RewardTrigger::FirstPurchase,
            per_referrer_cap_minor: None,
        }
    }

    fn fixed(amount_minor: i64) -> RewardSpec {
        spec(RewardKind::Fixed { amount_minor })
    }

    fn table() -> TierTable {
        TierTable {
            tiers: vec![
                Tier {
                    from_count: 1,
                    amount_minor: 500,
                },
                Tier {
                    from_count: 5,
                    amount_minor: 1_000,
                },
                Tier {
                    from_count: 10,
                    amount_minor: 2_000,
                },
            ],
            milestones: vec![
                Milestone {
                    at_count: 3,
                    bonus_minor: 300,
                },
                Milestone {
                    at_count: 10,
                    bonus_minor: 5_000,
                },
            ],
        }
    }

    fn invalid_field(spec: RewardSpec) -> Option<String> {
        spec.validate().err().map(|e| e.field)
    }

    #[test]
    fn valid_specs_pass_unchanged() {
        for s in [
            fixed(1),
            spec(RewardKind::Percent { bps: 1 }),
            spec(RewardKind::Percent { bps: 10_000 }),
            spec(RewardKind::Tiered(table())),
            RewardSpec {
                trigger: RewardTrigger::EachPurchase { max: 1 },
                per_referrer_cap_minor: Some(0),
                ..fixed(100)
            },
        ] {
            assert_eq!(s.clone().validate(), Ok(s));
        }
    }

    #[test]
    fn fixed_amount_must_be_positive() {
        assert_eq!(
            invalid_field(fixed(0)),
            Some("kind.amount_minor".to_owned())
        );
        assert_eq!(
            invalid_field(fixed(-5)),
            Some("kind.amount_minor".to_owned())
        );
    }

    #[test]
    fn percent_bps_between_1_and_10000() {
        for bps in [0, 10_001] {
            assert_eq!(
                invalid_field(spec(RewardKind::Percent { bps })),
                Some("kind.bps".to_owned())
            );
        }
    }

    #[test]
    fn tiers_must_start_at_one_ascend_and_pay() {
        let empty = TierTable {
            tiers: vec![],
            milestones: vec![],
        };
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(empty))),
            Some("kind.tiers".to_owned())
        );
        let mut t = table();
        t.tiers[0].from_count = 2;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.tiers[0].from_count".to_owned())
        );
        let mut t = table();
        t.tiers[2].from_count = 5;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.tiers[2].from_count".to_owned())
        );
        let mut t = table();
        t.tiers[1].amount_minor = 0;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.tiers[1].amount_minor".to_owned())
        );
    }

    #[test]
    fn milestones_must_ascend_and_pay() {
        let mut t = table();
        t.milestones[1].at_count = 3;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.milestones[1].at_count".to_owned())
        );
        let mut t = table();
        t.milestones[0].at_count = 0;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.milestones[0].at_count".to_owned())
        );
        let mut t = table();
        t.milestones[0].bonus_minor = 0;
        assert_eq!(
            invalid_field(spec(RewardKind::Tiered(t))),
            Some("kind.milestones[0].bonus_minor".to_owned())
        );
    }

    #[test]
    fn other_fields_are_checked() {
        let s = RewardSpec {
            min_order_minor: -1,
            ..fixed(1)
        };
        assert_eq!(invalid_field(s), Some("min_order_minor".to_owned()));
        let s = RewardSpec {
            trigger: RewardTrigger::EachPurchase { max: 0 },
            ..fixed(1)
        };
        assert_eq!(invalid_field(s), Some("trigger.max".to_owned()));
        let s = RewardSpec {
            per_referrer_cap_minor: Some(-1),
            ..fixed(1)
        };
        assert_eq!(invalid_field(s), Some("per_referrer_cap_minor".to_owned()));
    }

    #[test]
    fn minimum_order_is_inclusive() {
        let s = RewardSpec {
            min_order_minor: 5_000,
            ..fixed(700)
        };
        assert_eq!(s.amount_for(4_999, 1, 0), 0);
        assert_eq!(s.amount_for(5_000, 1, 0), 700);
        assert_eq!(s.amount_for(5_001, 1, 0), 700);
    }

    #[test]
    fn fixed_pays_its_amount_whatever_the_order() {
        assert_eq!(fixed(700).amount_for(0, 1, 0), 700);
        assert_eq!(fixed(700).amount_for(1_000_000, 42, 0), 700);
    }

    #[test]
    fn percent_takes_basis_points_of_the_order() {
        let s = spec(RewardKind::Percent { bps: 1_000 });
        assert_eq!(s.amount_for(12_345, 1, 0), 1_235); // 1234.5 rounds up
        assert_eq!(s.amount_for(0, 1, 0), 0);
        assert_eq!(s.amount_for(-500, 1, 0), 0); // never negative
    }

    #[test]
    fn tier_edges() {
        let s = spec(RewardKind::Tiered(table()));
        assert_eq!(s.amount_for(0, 0, 0), 0); // no referral counted yet
        assert_eq!(s.amount_for(0, 1, 0), 500);
        assert_eq!(s.amount_for(0, 4, 0), 500);
        assert_eq!(s.amount_for(0, 5, 0), 1_000);
        assert_eq!(s.amount_for(0, 9, 0), 1_000);
        assert_eq!(s.amount_for(0, 11, 0), 2_000);
        assert_eq!(s.amount_for(0, u32::MAX, 0), 2_000);
    }

    #[test]
    fn milestone_bonus_is_paid_exactly_at_its_count() {
        let s = spec(RewardKind::Tiered(table()));
        assert_eq!(s.amount_for(0, 2, 0), 500);
        assert_eq!(s.amount_for(0, 3, 0), 800);
        assert_eq!(s.amount_for(0, 4, 0), 500);
        assert_eq!(s.amount_for(0, 10, 0), 7_000); // new tier and milestone together
    }

    #[test]
    fn cap_limits_the_last_payment() {
        let s = RewardSpec {
            per_referrer_cap_minor: Some(2_000),
            ..fixed(700)
        };
        assert_eq!(s.amount_for(0, 1, 0), 700);
        assert_eq!(s.amount_for(0, 3, 1_300), 700); // reaches the cap exactly
        assert_eq!(s.amount_for(0, 3, 1_400), 600); // partially paid up to the cap
        assert_eq!(s.amount_for(0, 4, 2_000), 0); // cap reached
        assert_eq!(s.amount_for(0, 5, 2_500), 0); // already over the cap: never negative
    }

    #[test]
    fn zero_cap_pays_nothing_and_no_cap_pays_in_full() {
        let capped = RewardSpec {
            per_referrer_cap_minor: Some(0),
            ..fixed(700)
        };
        assert_eq!(capped.amount_for(0, 1, 0), 0);
        assert_eq!(fixed(700).amount_for(0, 1, i64::MAX), 700);
    }

    #[test]
    fn cap_with_negative_paid_so_far_does_not_overflow() {
        let s = RewardSpec {
            per_referrer_cap_minor: Some(i64::MAX),
            ..fixed(700)
        };
        assert_eq!(s.amount_for(0, 1, i64::MIN), 700);
    }

    #[test]
    fn serde_shape_is_tagged_and_snake_case() -> Result<(), serde_json::Error> {
        let json = r#"{
            "kind": {"type": "tiered", "tiers": [{"from_count": 1, "amount_minor": 500}]},
            "min_order_minor": 1000,
            "trigger": {"type": "each_purchase", "max": 3},
            "per_referrer_cap_minor": 10000
        }"#;
        let parsed: RewardSpec = serde_json::from_str(json)?;
        assert_eq!(parsed.trigger, RewardTrigger::EachPurchase { max: 3 });
        assert!(matches!(&parsed.kind, RewardKind::Tiered(t) if t.milestones.is_empty()));
        let fixed_json = serde_json::to_value(fixed(5))?;
        assert_eq!(
            fixed_json,
            serde_json::json!({
                "kind": {"type": "fixed", "amount_minor": 5},
                "min_order_minor": 0,
                "trigger": {"type": "first_purchase"},
                "per_referrer_cap_minor": null
            })
        );
        let back: RewardSpec = serde_json::from_value(fixed_json)?;
        assert_eq!(back, fixed(5));
        Ok(())
    }

    #[test]
    fn a_refund_shrinks_the_reward_in_proportion_rounding_down() {
        assert_eq!(kept_after_refund(1_000, 10_000, 0), 1_000);
        assert_eq!(kept_after_refund(1_000, 10_000, 3_000), 700);
        assert_eq!(kept_after_refund(1_000, 10_000, 10_000), 0);
        // 1000 × 2/3 = 666.67: the third of a cent is not earned.
        assert_eq!(kept_after_refund(1_000, 3, 1), 666);
        // Refunded more than the order (bad data) keeps nothing, never a negative amount.
        assert_eq!(kept_after_refund(1_000, 10_000, 20_000), 0);
        assert_eq!(kept_after_refund(i64::MAX, i64::MAX, 1), i64::MAX - 1);
    }
}
