//! The demo campaign as a marketing manager would design it (goals with KPI targets, double-sided
//! rewards, materials for three channels) and finance's payout rules, through the same service
//! functions the console's mutations call.

use chrono::{DateTime, Duration, Utc};
use grapevine_entity::{
    domain::{
        goals::{FocusArea, Goals, Kpi, KpiMetric, Objective},
        reward::{Milestone, RewardKind, RewardSpec, RewardTrigger, Tier, TierTable},
    },
    tables::{Channel, PayoutProvider, PayoutSchedule, RewardSide, RewardType, campaigns},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::api;
use crate::auth::Principal;
use grapevine_entity::ops::{
    campaigns::{self as campaign_service, CampaignDraft, MaterialDraft, RewardRuleDraft},
    payouts::{self, SettingsDraft},
};

/// The demo campaign's name (how a re-run finds it).
pub const NAME: &str = "Give $10, get up to $20";
/// Payouts above this wait for finance's approval.
pub const APPROVAL_THRESHOLD_MINOR: i64 = 3_000;

/// The demo campaign, designed at `at` to start at `starts_at` if it does not exist yet.
pub async fn campaign(
    db: &DatabaseConnection,
    marketing: &Principal,
    tenant_id: Uuid,
    landing_url: String,
    (at, starts_at): (DateTime<Utc>, DateTime<Utc>),
) -> anyhow::Result<campaigns::Model> {
    if let Some(c) = campaigns::Entity::find()
        .filter(campaigns::Column::TenantId.eq(tenant_id))
        .filter(campaigns::Column::Name.eq(NAME))
        .one(db)
        .await?
    {
        return Ok(c);
    }
    let due = (starts_at + Duration::days(120)).date_naive();
    let kpi = |metric, target| Kpi {
        metric,
        target,
        due,
    };
    let draft = CampaignDraft {
        name: Some(NAME.into()),
        description: Some(
            "Friends get $10 off a first order of $30 or more. Customers earn $10 for each friend \
             who buys, $15 from the fifth friend and $20 from the fifteenth, plus a $50 bonus at \
             ten friends; paid weekly once the 14-day hold is over."
                .into(),
        ),
        goals: Some(Goals {
            focus_areas: vec![
                FocusArea {
                    name: "Acquisition".into(),
                    objectives: vec![Objective {
                        name: "Win new customers through the ones we have".into(),
                        kpis: vec![
                            kpi(KpiMetric::NewCustomers, 200.0),
                            kpi(KpiMetric::RevenueMinor, 2_000_000.0),
                            kpi(KpiMetric::ConversionRate, 0.04),
                        ],
                    }],
                },
                FocusArea {
                    name: "Engagement".into(),
                    objectives: vec![Objective {
                        name: "Get customers sharing".into(),
                        kpis: vec![
                            kpi(KpiMetric::ParticipationRate, 0.8),
                            kpi(KpiMetric::KFactor, 3.0),
                        ],
                    }],
                },
            ],
        }),
        starts_at: Some(starts_at),
        time_zone: Some("UTC".into()),
        currency: Some("USD".into()),
        budget_minor: Some(Some(1_000_000)),
        attribution_window_days: Some(30),
        hold_days: Some(14),
        landing_url: Some(Some(landing_url)),
        holdout_bps: Some(0),
        ..Default::default()
    };
    let c = campaign_service::create(db, marketing, tenant_id, draft, at)
        .await
        .map_err(api)?;
    let referrer = RewardSpec {
        kind: RewardKind::Tiered(TierTable {
            tiers: vec![
                Tier {
                    from_count: 1,
                    amount_minor: 1_000,
                },
                Tier {
                    from_count: 5,
                    amount_minor: 1_500,
                },
                Tier {
                    from_count: 15,
                    amount_minor: 2_000,
                },
            ],
            milestones: vec![Milestone {
                at_count: 10,
                bonus_minor: 5_000,
            }],
        }),
        min_order_minor: 3_000,
        trigger: RewardTrigger::FirstPurchase,
        per_referrer_cap_minor: None,
    };
    let referee = RewardSpec {
        kind: RewardKind::Fixed {
            amount_minor: 1_000,
        },
        min_order_minor: 3_000,
        trigger: RewardTrigger::FirstPurchase,
        per_referrer_cap_minor: None,
    };
    for (side, spec, reward_type) in [
        (RewardSide::Referrer, referrer, RewardType::Cash),
        (RewardSide::Referee, referee, RewardType::Coupon),
    ] {
        let rule = RewardRuleDraft {
            side,
            spec,
            reward_type,
            variant: None,
        };
        campaign_service::add_reward_rule(db, marketing, tenant_id, c.id, rule, at)
            .await
            .map_err(api)?;
    }
    for material in materials() {
        campaign_service::set_material(db, marketing, tenant_id, c.id, material, at)
            .await
            .map_err(api)?;
    }
    Ok(c)
}

fn materials() -> [MaterialDraft; 3] {
    let share = |channel, text: &str| MaterialDraft {
        channel,
        share_text: text.into(),
        email_subject: String::new(),
        email_html: String::new(),
        email_text: String::new(),
    };
    [
        MaterialDraft {
            channel: Channel::Email,
            share_text: "Get $10 off at {{company_name}}: {{referral_link}}".into(),
            email_subject: "{{first_name}}, give $10 and get up to $20".into(),
            email_html: "<p>Hi {{first_name}},</p><p>{{reward_summary}}. Share your link: <a href=\"{{referral_link}}\">{{referral_link}}</a></p><p><a href=\"{{unsubscribe_url}}\">Unsubscribe</a></p>".into(),
            email_text: "Hi {{first_name}},\n\n{{reward_summary}}. Share your link: {{referral_link}}\n\nUnsubscribe: {{unsubscribe_url}}\n".into(),
        },
        share(
            Channel::Social,
            "I've been shopping at {{company_name}} for a while: here's $10 off your first order {{referral_link}}",
        ),
        share(
            Channel::Sms,
            "$10 off your first {{company_name}} order with my link: {{referral_link}}",
        ),
    ]
}

/// Finance's rules: the dry-run provider (nothing is paid), weekly, $25 minimum, approval above
/// [`APPROVAL_THRESHOLD_MINOR`].
pub async fn payout_rules(
    db: &DatabaseConnection,
    finance: &Principal,
    tenant_id: Uuid,
    at: DateTime<Utc>,
) -> anyhow::Result<()> {
    let rules = SettingsDraft {
        provider: PayoutProvider::DryRun,
        schedule: PayoutSchedule::Weekly,
        minimum_minor: 2_500,
        approval_threshold_minor: Some(APPROVAL_THRESHOLD_MINOR),
        tax_threshold_minor: None,
        max_attempts: 5,
    };
    payouts::set_settings(db, finance, tenant_id, rules, at)
        .await
        .map_err(api)?;
    Ok(())
}
