//! The counters of the rollups, added up: what the rollup pass writes for one day, link, channel
//! and variant, and what a report, a digest or a list reads back over a period. One type for all
//! of them, so they add and merge the same way and treat a damaged row the same way.

use chrono::NaiveDate;
use sea_orm::DbErr;

use crate::{
    domain::{hll::Sketch, stats::Proportion},
    tables::rollups,
};

/// Counts of clicks, visitors, referrals, customers, orders, revenue and rewards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Counted clicks.
    pub clicks: i64,
    /// Distinct visitors.
    pub visitors: Sketch,
    /// Referred customers tied to a referrer (leads), and of them …
    pub leads: i64,
    /// … approved,
    pub approved: i64,
    /// … in review or not yet decided,
    pub in_review: i64,
    /// … rejected.
    pub rejected: i64,
    /// Referred customers' first purchases: new customers.
    pub customers: i64,
    /// Referred orders.
    pub orders: i64,
    /// Their value in the campaign currency, net of refunds.
    pub revenue_minor: i64,
    /// Rewards for referrers (net of reversals).
    pub referrer_reward_minor: i64,
    /// Rewards for referees (net of reversals).
    pub referee_reward_minor: i64,
    /// Rewards paid out or delivered.
    pub settled_reward_minor: i64,
}

impl Counts {
    /// Add another's counts (the visitor sketches are merged).
    pub fn absorb(&mut self, o: &Counts) {
        self.clicks += o.clicks;
        self.visitors.merge(&o.visitors);
        self.leads += o.leads;
        self.approved += o.approved;
        self.in_review += o.in_review;
        self.rejected += o.rejected;
        self.customers += o.customers;
        self.orders += o.orders;
        self.revenue_minor += o.revenue_minor;
        self.referrer_reward_minor += o.referrer_reward_minor;
        self.referee_reward_minor += o.referee_reward_minor;
        self.settled_reward_minor += o.settled_reward_minor;
    }

    /// Add a stored rollup row. A row whose visitor sketch cannot be read is an error (its counts
    /// are not added), never skipped: a total that silently left out a day would be wrong without
    /// saying so.
    pub fn add_row(&mut self, r: &rollups::Model) -> Result<(), DbErr> {
        self.visitors.merge_bytes(&r.visitors).map_err(|e| {
            DbErr::Custom(format!(
                "rollup row {}: unreadable visitor sketch: {e}",
                r.id
            ))
        })?;
        self.clicks += r.clicks;
        self.leads += r.leads;
        self.approved += r.approved;
        self.in_review += r.in_review;
        self.rejected += r.rejected;
        self.customers += r.first_purchases;
        self.orders += r.orders;
        self.revenue_minor += r.revenue_minor;
        self.referrer_reward_minor += r.referrer_reward_minor;
        self.referee_reward_minor += r.referee_reward_minor;
        self.settled_reward_minor += r.settled_reward_minor;
        Ok(())
    }

    /// Reward cost, both sides.
    pub fn reward_cost_minor(&self) -> i64 {
        self.referrer_reward_minor + self.referee_reward_minor
    }

    /// Clicks that became new customers, when that is a proportion.
    pub fn click_to_customer(&self) -> Option<Proportion> {
        let trials = u64::try_from(self.clicks).ok()?;
        let successes = u64::try_from(self.customers).ok()?;
        Proportion::new(successes.min(trials), trials)
    }
}

/// A rollup day as stored: `YYYY-MM-DD`.
pub fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn row(visitors: Vec<u8>) -> rollups::Model {
        rollups::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            campaign_id: Uuid::nil(),
            day: "2026-11-10".into(),
            link_id: Uuid::nil(),
            channel: "email".into(),
            variant_id: Uuid::nil(),
            clicks: 10,
            visitors,
            leads: 4,
            approved: 2,
            in_review: 1,
            rejected: 1,
            first_purchases: 2,
            orders: 3,
            revenue_minor: 9_000,
            referrer_reward_minor: 1_000,
            referee_reward_minor: 500,
            settled_reward_minor: 700,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn rows_add_up_and_a_damaged_sketch_is_an_error() {
        let mut sketch = Sketch::new();
        sketch.insert("visitor-1");
        sketch.insert("visitor-2");
        let mut counts = Counts::default();
        counts.add_row(&row(sketch.to_bytes())).unwrap();
        counts.add_row(&row(sketch.to_bytes())).unwrap();
        assert_eq!(
            (counts.clicks, counts.customers, counts.revenue_minor),
            (20, 4, 18_000)
        );
        assert_eq!(counts.reward_cost_minor(), 3_000);
        assert_eq!(counts.settled_reward_minor, 1_400);
        assert_eq!(counts.visitors.estimate(), 2);
        let err = counts.add_row(&row(vec![1, 1, 0])).unwrap_err();
        assert!(
            err.to_string().contains("unreadable visitor sketch"),
            "{err}"
        );
        assert_eq!(counts.clicks, 20, "a damaged row's counts are not added");
    }
}
