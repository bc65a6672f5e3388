//! What `grapevine demo` prints: where to go, how to sign in as each role, and what the history
//! holds (counted from the database, so a re-run prints the same).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use grapevine_entity::tables::{
    Role, clicks, conversions, job_outbox, payouts, referrals, refunds, rewards,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::setup::PASSWORD;

/// What was seeded.
pub struct Demo {
    /// The console.
    pub console_url: String,
    /// GraphQL endpoint.
    pub graphql_url: String,
    /// An admin JWT.
    pub token: String,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Its name.
    pub campaign_name: String,
    /// Admin login email.
    pub admin_email: String,
    /// One sign-in per role: role and email (the password is [`PASSWORD`]).
    pub staff: Vec<(Role, String)>,
    /// The demo customer's referral URL.
    pub referral_url: String,
    /// Its code.
    pub code: String,
    /// A secret API key (for trackLead / trackConversion from a shop's server).
    pub secret_key: String,
    /// The publishable key the storefront's widget uses.
    pub publishable_key: String,
    /// The demo storefront (another origin than the API).
    pub storefront_url: String,
    /// The history's first day.
    pub first_day: NaiveDate,
    /// What the history holds.
    pub history: BTreeMap<&'static str, i64>,
}

/// A role as the API spells it (`MARKETING_MANAGER`).
fn role_name(role: Role) -> String {
    role.as_str().to_uppercase()
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::MarketingManager => "Marketing manager",
        Role::Sales => "Sales",
        Role::Finance => "Finance",
        Role::Ops => "Ops",
    }
}

fn dollars(minor: i64) -> String {
    let whole = (minor / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("${grouped}.{:02}", minor.rem_euclid(100))
}

impl Demo {
    /// The `--json` form.
    pub fn to_json(&self) -> Value {
        let staff: Vec<Value> = self
            .staff
            .iter()
            .map(|(role, email)| json!({ "role": role_name(*role), "email": email, "password": PASSWORD }))
            .collect();
        json!({
            "console_url": self.console_url,
            "graphql_url": self.graphql_url,
            "token": self.token,
            "tenant_id": self.tenant_id,
            "campaign_id": self.campaign_id,
            "admin_email": self.admin_email,
            "staff": staff,
            "referral_url": self.referral_url,
            "code": self.code,
            "secret_key": self.secret_key,
            "publishable_key": self.publishable_key,
            "storefront_url": self.storefront_url,
            "history": { "first_day": self.first_day, "counts": self.history },
        })
    }

    /// The human form.
    pub fn to_prose(&self) -> String {
        let n = |k: &str| self.history.get(k).copied().unwrap_or(0);
        let staff: String = self
            .staff
            .iter()
            .map(|(role, email)| format!("  {:<19} {email}\n", role_label(*role)))
            .collect();
        format!(
            "Demo shop ready, with 90 days of referral history since {first_day}.\n\n\
             \x20 Console:   {console}   (start the server first: `grapevine`)\n\
             \x20 GraphQL:   {graphql}\n\
             \x20 Campaign:  {name} ({campaign})\n\
             \x20 Store:     {store}\n\n\
             Sign in as any role, password {PASSWORD}:\n{staff}\n\
             The campaign so far: {clicks} clicks, {leads} sign-ups, {customers} new customers, \
             {revenue} in orders net of {refunds} refunds.\n\
             Rewards: {held} held, {released} released, {settled} paid or delivered; payouts: {paid} \
             paid, {awaiting} awaiting finance's approval.\n\
             {review} referrals wait in the fraud review queue; {dead} job is dead (an email the \
             mail server refused).\n\n\
             Try the API:\n  curl -s {graphql} -H 'Content-Type: application/json' \\\n    \
             -H 'Authorization: Bearer {token}' \\\n    \
             -d '{{\"query\":\"{{ campaigns(first: 5) {{ edges {{ node {{ id name status }} }} }} }}\"}}'\n",
            first_day = self.first_day,
            console = self.console_url,
            graphql = self.graphql_url,
            name = self.campaign_name,
            campaign = self.campaign_id,
            store = self.storefront_url,
            clicks = n("clicks"),
            leads = n("leads"),
            customers = n("customers"),
            revenue = dollars(n("revenue_minor")),
            refunds = n("refunds"),
            held = n("rewards_held"),
            released = n("rewards_released"),
            settled = n("rewards_paid_or_delivered"),
            paid = n("payouts_paid"),
            awaiting = n("payouts_awaiting_approval"),
            review = n("referrals_in_review"),
            dead = n("dead_jobs"),
            token = self.token,
        )
    }
}

/// How many of `E`'s rows whose `owner` is `id` have each value of `status`.
async fn by_status<E: EntityTrait>(
    db: &impl ConnectionTrait,
    status: E::Column,
    owner: E::Column,
    id: Uuid,
) -> anyhow::Result<HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = E::find()
        .select_only()
        .column(status)
        .column_as(status.count(), "n")
        .filter(owner.eq(id))
        .group_by(status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What the campaign's history holds, counted from the database.
pub async fn history(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
) -> anyhow::Result<BTreeMap<&'static str, i64>> {
    use {clicks::Column as Click, conversions::Column as Order, referrals::Column as Referral};
    let referrals =
        by_status::<referrals::Entity>(db, Referral::Status, Referral::CampaignId, campaign_id)
            .await?;
    let rewards = by_status::<rewards::Entity>(
        db,
        rewards::Column::Status,
        rewards::Column::CampaignId,
        campaign_id,
    )
    .await?;
    let payouts = by_status::<payouts::Entity>(
        db,
        payouts::Column::Status,
        payouts::Column::TenantId,
        tenant_id,
    )
    .await?;
    let jobs = by_status::<job_outbox::Entity>(
        db,
        job_outbox::Column::State,
        job_outbox::Column::TenantId,
        tenant_id,
    )
    .await?;
    let sum = |counts: &HashMap<String, i64>, wanted: &[&str]| -> i64 {
        wanted.iter().filter_map(|w| counts.get(*w)).sum()
    };
    let clicks = clicks::Entity::find()
        .filter(Click::CampaignId.eq(campaign_id))
        .count(db)
        .await?;
    let orders: Vec<(Option<Uuid>, i64, i64)> = conversions::Entity::find()
        .select_only()
        .columns([Order::ReferralId, Order::AmountMinor, Order::RefundedMinor])
        .filter(Order::CampaignId.eq(campaign_id))
        .into_tuple()
        .all(db)
        .await?;
    let customers: HashSet<Uuid> = orders.iter().filter_map(|o| o.0).collect();
    let refunds = refunds::Entity::find()
        .filter(refunds::Column::TenantId.eq(tenant_id))
        .count(db)
        .await?;
    let size = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(BTreeMap::from([
        ("clicks", i64::try_from(clicks).unwrap_or(i64::MAX)),
        ("leads", referrals.values().sum()),
        ("referrals_in_review", sum(&referrals, &["review"])),
        ("orders", size(orders.len())),
        ("customers", size(customers.len())),
        ("revenue_minor", orders.iter().map(|o| o.1 - o.2).sum()),
        ("refunds", i64::try_from(refunds).unwrap_or(i64::MAX)),
        ("rewards_held", sum(&rewards, &["held"])),
        ("rewards_released", sum(&rewards, &["released"])),
        (
            "rewards_paid_or_delivered",
            sum(&rewards, &["paid", "fulfilled"]),
        ),
        ("rewards_reversed", sum(&rewards, &["reversed"])),
        ("payouts_paid", sum(&payouts, &["paid"])),
        (
            "payouts_awaiting_approval",
            sum(&payouts, &["awaiting_approval"]),
        ),
        ("dead_jobs", sum(&jobs, &["dead"])),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_with_thousands_separators() {
        assert_eq!(dollars(1_234_567), "$12,345.67");
        assert_eq!(dollars(5), "$0.05");
        assert_eq!(dollars(100_000), "$1,000.00");
    }

    #[test]
    fn roles_are_spelt_as_the_api_spells_them() {
        assert_eq!(role_name(Role::MarketingManager), "MARKETING_MANAGER");
    }
}
