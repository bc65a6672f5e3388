//! What a participant's share text and invitation emails say: the values a campaign's materials are
//! rendered with — the same for the launch email, a friend's invite and the widget — and the
//! sentence that sums up the rewards.

use std::collections::HashMap;

use crate::{
    domain::money::{Currency, Money},
    tables::{RewardKind, RewardSide, reward_rules},
};

/// The placeholders share text may use (emails add `unsubscribe_url`, see
/// [`EMAIL_VARS`](super::template::EMAIL_VARS)).
pub const SHARE_VARS: &[&str] = &[
    "first_name",
    "campaign_name",
    "company_name",
    "referral_link",
    "referral_code",
    "reward_summary",
];

/// "You get 10.00 USD and your friend gets 15%", from a campaign's reward rules (the first rule
/// of each side); empty when the campaign rewards nobody.
pub fn reward_summary(rules: &[reward_rules::Model], currency: &str) -> String {
    let describe = |side: RewardSide| -> Option<String> {
        let rule = rules.iter().find(|r| r.side == side)?;
        Some(match rule.kind {
            RewardKind::Fixed => {
                let minor = rule.amount_minor.unwrap_or(0);
                Currency::parse(currency).map_or_else(
                    |_| format!("{minor} {currency}"),
                    |c| Money::new(minor, c).to_string(),
                )
            }
            RewardKind::Percent => format!("{}%", f64::from(rule.bps.unwrap_or(0)) / 100.0),
            RewardKind::Tiered => "rewards that grow with every friend".to_owned(),
        })
    };
    match (
        describe(RewardSide::Referrer),
        describe(RewardSide::Referee),
    ) {
        (Some(me), Some(friend)) => format!("You get {me} and your friend gets {friend}"),
        (Some(me), None) => format!("You get {me}"),
        (None, Some(friend)) => format!("Your friend gets {friend}"),
        (None, None) => String::new(),
    }
}

/// Who shares what: everything a share text or an invitation may mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareContext<'a> {
    /// The participant's first name, when known.
    pub first_name: Option<&'a str>,
    /// What to call them otherwise ("there" in a greeting, "A friend" in an invite).
    pub anonymous: &'a str,
    /// The campaign's name.
    pub campaign_name: &'a str,
    /// The merchant's name.
    pub company_name: &'a str,
    /// The participant's referral link.
    pub referral_link: String,
    /// Its code.
    pub referral_code: &'a str,
    /// [`reward_summary`] of the campaign.
    pub reward_summary: &'a str,
}

impl ShareContext<'_> {
    /// The value of every name in [`SHARE_VARS`].
    pub fn vars(&self) -> HashMap<&'static str, String> {
        HashMap::from([
            (
                "first_name",
                self.first_name.unwrap_or(self.anonymous).to_owned(),
            ),
            ("campaign_name", self.campaign_name.to_owned()),
            ("company_name", self.company_name.to_owned()),
            ("referral_link", self.referral_link.clone()),
            ("referral_code", self.referral_code.to_owned()),
            ("reward_summary", self.reward_summary.to_owned()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn rule(
        side: RewardSide,
        kind: RewardKind,
        amount: Option<i64>,
        bps: Option<i32>,
    ) -> reward_rules::Model {
        reward_rules::Model {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            campaign_id: Uuid::nil(),
            variant_id: None,
            side,
            trigger: crate::tables::RewardTrigger::FirstPurchase,
            max_purchases: None,
            min_order_minor: 0,
            kind,
            reward_type: crate::tables::RewardType::Cash,
            amount_minor: amount,
            bps,
            tiers: serde_json::json!([]),
            per_referrer_cap_minor: None,
            created_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_summary_names_each_side_once() {
        let me = rule(RewardSide::Referrer, RewardKind::Fixed, Some(1000), None);
        let friend = rule(RewardSide::Referee, RewardKind::Percent, None, Some(1500));
        let tiers = rule(RewardSide::Referrer, RewardKind::Tiered, None, None);
        assert_eq!(
            reward_summary(&[me.clone(), friend.clone()], "USD"),
            "You get 10.00 USD and your friend gets 15%"
        );
        assert_eq!(reward_summary(&[me], "JPY"), "You get 1000 JPY");
        assert_eq!(reward_summary(&[friend], "USD"), "Your friend gets 15%");
        assert_eq!(
            reward_summary(&[tiers], "USD"),
            "You get rewards that grow with every friend"
        );
        assert_eq!(reward_summary(&[], "USD"), "");
    }

    #[test]
    fn every_share_variable_has_a_value() {
        let context = ShareContext {
            first_name: None,
            anonymous: "A friend",
            campaign_name: "Spring",
            company_name: "Shop",
            referral_link: "https://r.example/r/ABCD2345".into(),
            referral_code: "ABCD2345",
            reward_summary: "You get 5.00 USD",
        };
        let vars = context.vars();
        assert!(SHARE_VARS.iter().all(|v| vars.contains_key(v)));
        assert_eq!(vars["first_name"], "A friend");
        assert_eq!(vars["reward_summary"], "You get 5.00 USD");
    }
}
