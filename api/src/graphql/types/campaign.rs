//! Campaign types.

use async_graphql::{ComplexObject, Context, InputObject, MaybeUndefined, Result, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::{domain, tables};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    enums::{
        AttributionModel, CampaignStatus, Channel, RewardKind, RewardSide, RewardTrigger,
        RewardType,
    },
    goals::{self, FocusArea},
    links::ReferralLink,
    people::Enrolment,
};
use crate::{
    auth::principal::CAMPAIGN_READERS,
    graphql::{
        ContextExt, loaders,
        pagination::{IdConnection, Page, connection, fetch},
        scalars::{BigInt, Money},
    },
};
use grapevine_entity::ops::reports::READERS as REPORT_READERS;
use grapevine_entity::ops::search::Search;

/// The audience a campaign targets (an empty rule matches everyone).
#[derive(SimpleObject, InputObject, Clone, Debug, Default)]
#[graphql(input_name = "AudienceInput")]
pub struct Audience {
    /// At least one of these tags.
    #[graphql(default)]
    pub tags_any: Vec<String>,
    /// All of these tags.
    #[graphql(default)]
    pub tags_all: Vec<String>,
    /// At least this many orders.
    pub min_orders: Option<i32>,
    /// One of these ISO alpha-2 countries (empty = any).
    #[graphql(default)]
    pub countries: Vec<String>,
}

impl From<Audience> for domain::audience::AudienceRule {
    fn from(a: Audience) -> Self {
        Self {
            tags_any: a.tags_any,
            tags_all: a.tags_all,
            min_orders: a.min_orders,
            countries: a.countries,
        }
    }
}

/// A referral campaign.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Campaign {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Lifecycle state.
    pub status: CampaignStatus,
    /// Goals: focus areas → objectives → KPIs with targets.
    pub goals: Vec<FocusArea>,
    /// Target audience.
    pub audience: Audience,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End, if scheduled.
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone for days in reports.
    pub time_zone: String,
    /// ISO 4217 currency of rewards and budget.
    pub currency: String,
    /// Budget cap (null = none).
    pub budget: Option<Money>,
    /// Days after a click during which a conversion is attributed.
    pub attribution_window_days: i32,
    /// First or last touch.
    pub attribution_model: AttributionModel,
    /// Days a reward is held before release.
    pub hold_days: i32,
    /// Where referral links land.
    pub landing_url: Option<String>,
    /// Share of eligible participants held out, in basis points.
    pub holdout_bps: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Launched.
    pub launched_at: Option<DateTime<Utc>>,
    /// Ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Rewards reserved against the budget (see `headline.budgetUsed`).
    #[graphql(skip)]
    pub budget_reserved_minor: i64,
}

impl From<tables::campaigns::Model> for Campaign {
    fn from(m: tables::campaigns::Model) -> Self {
        let audience: domain::audience::AudienceRule =
            serde_json::from_value(m.audience).unwrap_or_default();
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            status: m.status.into(),
            goals: goals::from_domain(serde_json::from_value(m.goals).unwrap_or_default()),
            audience: Audience {
                tags_any: audience.tags_any,
                tags_all: audience.tags_all,
                min_orders: audience.min_orders,
                countries: audience.countries,
            },
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            time_zone: m.time_zone,
            budget: m.budget_minor.map(|b| Money::new(b, &m.currency)),
            currency: m.currency,
            attribution_window_days: m.attribution_window_days,
            attribution_model: m.attribution_model.into(),
            hold_days: m.hold_days,
            landing_url: m.landing_url,
            holdout_bps: m.holdout_bps,
            created_at: m.created_at,
            updated_at: m.updated_at,
            launched_at: m.launched_at,
            ended_at: m.ended_at,
            budget_reserved_minor: m.budget_reserved_minor,
        }
    }
}

#[ComplexObject]
impl Campaign {
    /// The campaign's numbers since it started, what a list shows beside it (who reads reports:
    /// marketing, sales, finance). Read from the same rollups as `campaignReport`, for any
    /// number of campaigns in one statement.
    async fn headline(&self, ctx: &Context<'_>) -> Result<CampaignHeadline> {
        ctx.principal().staff(REPORT_READERS)?;
        let sums = loaders::load(ctx, loaders::LifetimeOf(self.id))
            .await?
            .pop()
            .unwrap_or_default();
        Ok(CampaignHeadline::new(&sums, self))
    }

    /// Reward rules.
    async fn reward_rules(&self, ctx: &Context<'_>) -> Result<Vec<RewardRule>> {
        let rows = loaders::load(ctx, loaders::RulesOf(self.id)).await?;
        Ok(rows
            .into_iter()
            .map(|r| RewardRule::from_model(r, &self.currency))
            .collect())
    }

    /// Share materials per channel.
    async fn materials(&self, ctx: &Context<'_>) -> Result<Vec<Material>> {
        let rows = loaders::load(ctx, loaders::MaterialsOf(self.id)).await?;
        Ok(rows.into_iter().map(Material::from).collect())
    }

    /// Offer variants.
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        let rows = loaders::load(ctx, loaders::VariantsOf(self.id)).await?;
        Ok(rows.into_iter().map(Variant::from).collect())
    }

    /// The campaign's newest referral links, `first` of them (1 to 50), newest first: what a
    /// dashboard lists beside each campaign. For all of a participant's links, see `enrolments`.
    #[graphql(complexity = "(first.clamp(1, 50) as usize) * child_complexity")]
    async fn links(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> Result<Vec<ReferralLink>> {
        ctx.principal().staff_or_secret_key(CAMPAIGN_READERS)?;
        let Ok(first @ 1..=50) = u64::try_from(first) else {
            return Err(
                crate::error::ApiError::invalid("first", "must be between 1 and 50").into(),
            );
        };
        let rows = loaders::load(
            ctx,
            loaders::LatestLinks {
                campaign: self.id,
                first,
            },
        )
        .await?;
        Ok(rows.into_iter().map(ReferralLink::from).collect())
    }

    /// Enrolments, newest first. `search` (at most 100 characters) keeps those of participants
    /// whose email, external id or first name contains it (letters A–Z in any case), or who own
    /// a referral link with exactly that code.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn enrolments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> Result<IdConnection<Enrolment>> {
        let state = ctx.state();
        let actor = ctx.principal().staff_or_secret_key(CAMPAIGN_READERS)?;
        let page = Page::new(first, after, state.config.graphql.max_page_size)?;
        let mut select = tables::enrolments::Entity::find()
            .filter(tables::enrolments::Column::TenantId.eq(actor.tenant_id))
            .filter(tables::enrolments::Column::CampaignId.eq(self.id));
        if let Some(search) = Search::parse("search", search.as_deref())? {
            select = select.filter(
                tables::enrolments::Column::ParticipantId
                    .in_subquery(search.participant_ids(actor.tenant_id)),
            );
        }
        let (rows, more) = fetch(&state.db, select, tables::enrolments::Column::Id, page).await?;
        Ok(connection(
            rows,
            more,
            page.after.is_some(),
            |r| r.id,
            Enrolment::from,
        ))
    }
}

/// A campaign's numbers since it started (see `Campaign.headline`).
#[derive(SimpleObject, Clone, Debug)]
pub struct CampaignHeadline {
    /// Counted clicks.
    pub clicks: BigInt,
    /// Referred customers' first purchases: new customers.
    pub customers: BigInt,
    /// Referred revenue, net of refunds.
    pub revenue: Money,
    /// Rewards created for both sides, net of reversals.
    pub reward_cost: Money,
    /// `(revenue − rewardCost) / rewardCost`; null without reward cost.
    pub roi: Option<f64>,
    /// Rewards reserved against the budget: held, released or paid (a reversal gives its
    /// amount back).
    pub budget_used: Money,
    /// `budgetUsed / budget`; null without a budget cap.
    pub budget_used_share: Option<f64>,
}

impl CampaignHeadline {
    #[allow(clippy::cast_precision_loss)]
    fn new(sums: &loaders::Lifetime, campaign: &Campaign) -> Self {
        let money = |minor: i64| Money::new(minor, &campaign.currency);
        let cost = sums.reward_minor;
        Self {
            clicks: BigInt(sums.clicks),
            customers: BigInt(sums.customers),
            revenue: money(sums.revenue_minor),
            reward_cost: money(cost),
            roi: (cost != 0).then(|| (sums.revenue_minor - cost) as f64 / cost as f64),
            budget_used: money(campaign.budget_reserved_minor),
            budget_used_share: campaign
                .budget
                .as_ref()
                .filter(|b| b.amount_minor.0 > 0)
                .map(|b| campaign.budget_reserved_minor as f64 / b.amount_minor.0 as f64),
        }
    }
}

/// A reward rule.
#[derive(SimpleObject, Clone)]
pub struct RewardRule {
    /// Id.
    pub id: Uuid,
    /// Who is rewarded.
    pub side: RewardSide,
    /// What earns it.
    pub trigger: RewardTrigger,
    /// For EACH_PURCHASE: how many purchases per referee count.
    pub max_purchases: Option<i32>,
    /// Orders below this earn nothing.
    pub min_order: Money,
    /// How the amount is computed.
    pub kind: RewardKind,
    /// How it is delivered.
    pub reward_type: RewardType,
    /// FIXED amount.
    pub amount: Option<Money>,
    /// PERCENT share in basis points.
    pub bps: Option<i32>,
    /// TIERED tiers.
    pub tiers: Vec<Tier>,
    /// TIERED milestone bonuses.
    pub milestones: Vec<Milestone>,
    /// Most one referrer earns from this rule.
    pub per_referrer_cap: Option<Money>,
    /// Applies only to this variant (null = all).
    pub variant_id: Option<Uuid>,
}

impl RewardRule {
    /// From a row, with the campaign's currency.
    pub fn from_model(m: tables::reward_rules::Model, currency: &str) -> Self {
        let table: domain::reward::TierTable =
            serde_json::from_value(m.tiers).unwrap_or(domain::reward::TierTable {
                tiers: Vec::new(),
                milestones: Vec::new(),
            });
        Self {
            id: m.id,
            side: m.side.into(),
            trigger: m.trigger.into(),
            max_purchases: m.max_purchases,
            min_order: Money::new(m.min_order_minor, currency),
            kind: m.kind.into(),
            reward_type: m.reward_type.into(),
            amount: m.amount_minor.map(|a| Money::new(a, currency)),
            bps: m.bps,
            tiers: table
                .tiers
                .iter()
                .map(|t| Tier {
                    from_count: i32::try_from(t.from_count).unwrap_or(i32::MAX),
                    amount_minor: BigInt(t.amount_minor),
                })
                .collect(),
            milestones: table
                .milestones
                .iter()
                .map(|t| Milestone {
                    at_count: i32::try_from(t.at_count).unwrap_or(i32::MAX),
                    bonus_minor: BigInt(t.bonus_minor),
                })
                .collect(),
            per_referrer_cap: m.per_referrer_cap_minor.map(|a| Money::new(a, currency)),
            variant_id: m.variant_id,
        }
    }
}

/// A tier: from this many successful referrals on, each earns `amountMinor`.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "TierInput")]
pub struct Tier {
    /// First referral count of the tier (the first tier starts at 1).
    pub from_count: i32,
    /// Amount per referral in the tier.
    pub amount_minor: BigInt,
}

/// A milestone bonus paid when the referrer reaches `atCount` successful referrals.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "MilestoneInput")]
pub struct Milestone {
    /// Referral count that triggers the bonus.
    pub at_count: i32,
    /// Bonus amount.
    pub bonus_minor: BigInt,
}

/// Share material for one channel.
#[derive(SimpleObject, Clone)]
pub struct Material {
    /// Id.
    pub id: Uuid,
    /// Channel.
    pub channel: Channel,
    /// Share text template.
    pub share_text: String,
    /// Email subject template.
    pub email_subject: String,
    /// Email HTML template.
    pub email_html: String,
    /// Email text template.
    pub email_text: String,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<tables::campaign_materials::Model> for Material {
    fn from(m: tables::campaign_materials::Model) -> Self {
        Self {
            id: m.id,
            channel: m.channel.into(),
            share_text: m.share_text,
            email_subject: m.email_subject,
            email_html: m.email_html,
            email_text: m.email_text,
            updated_at: m.updated_at,
        }
    }
}

/// An offer variant.
#[derive(SimpleObject, Clone)]
pub struct Variant {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Relative weight (0 once stopped).
    pub weight: i32,
    /// When its sequential test stopped it (see `setExperimentSettings`); nobody new gets it.
    pub stopped_at: Option<DateTime<Utc>>,
    /// Why, with the test's numbers.
    pub stop_reason: Option<String>,
}

impl From<tables::campaign_variants::Model> for Variant {
    fn from(v: tables::campaign_variants::Model) -> Self {
        Self {
            id: v.id,
            name: v.name,
            weight: v.weight,
            stopped_at: v.stopped_at,
            stop_reason: v.stop_reason,
        }
    }
}

/// New campaign.
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Name.
    pub name: String,
    /// Description.
    #[graphql(default)]
    pub description: String,
    /// Goals.
    #[graphql(default)]
    pub goals: Vec<FocusArea>,
    /// Audience.
    #[graphql(default)]
    pub audience: Audience,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone.
    #[graphql(default_with = "String::from(\"UTC\")")]
    pub time_zone: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Budget cap in minor units.
    pub budget_minor: Option<BigInt>,
    /// Attribution window in days.
    #[graphql(default = 30)]
    pub attribution_window_days: i32,
    /// First or last touch.
    #[graphql(default_with = "AttributionModel::FirstTouch")]
    pub attribution_model: AttributionModel,
    /// Hold period in days.
    #[graphql(default = 14)]
    pub hold_days: i32,
    /// Landing URL.
    pub landing_url: Option<String>,
    /// Holdout share in basis points.
    #[graphql(default = 0)]
    pub holdout_bps: i32,
}

impl From<CreateCampaignInput> for grapevine_entity::ops::campaigns::CampaignDraft {
    fn from(i: CreateCampaignInput) -> Self {
        Self {
            name: Some(i.name),
            description: Some(i.description),
            goals: Some(goals::to_domain(i.goals)),
            audience: Some(i.audience.into()),
            starts_at: Some(i.starts_at),
            ends_at: Some(i.ends_at),
            time_zone: Some(i.time_zone),
            currency: Some(i.currency),
            budget_minor: Some(i.budget_minor.map(|b| b.0)),
            attribution_window_days: Some(i.attribution_window_days),
            attribution_model: Some(i.attribution_model.into()),
            hold_days: Some(i.hold_days),
            landing_url: Some(i.landing_url),
            holdout_bps: Some(i.holdout_bps),
        }
    }
}

/// Changes to a campaign; absent fields stay, `null` clears optional ones.
#[derive(InputObject, Default)]
pub struct UpdateCampaignInput {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Goals.
    pub goals: Option<Vec<FocusArea>>,
    /// Audience.
    pub audience: Option<Audience>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End.
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Currency (draft only).
    pub currency: Option<String>,
    /// Budget cap.
    pub budget_minor: MaybeUndefined<BigInt>,
    /// Attribution window.
    pub attribution_window_days: Option<i32>,
    /// Attribution model.
    pub attribution_model: Option<AttributionModel>,
    /// Hold period.
    pub hold_days: Option<i32>,
    /// Landing URL.
    pub landing_url: MaybeUndefined<String>,
    /// Holdout (draft only).
    pub holdout_bps: Option<i32>,
}

fn maybe<T, U>(m: MaybeUndefined<T>, f: impl Fn(T) -> U) -> Option<Option<U>> {
    match m {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

impl From<UpdateCampaignInput> for grapevine_entity::ops::campaigns::CampaignDraft {
    fn from(i: UpdateCampaignInput) -> Self {
        Self {
            name: i.name,
            description: i.description,
            goals: i.goals.map(goals::to_domain),
            audience: i.audience.map(Into::into),
            starts_at: i.starts_at,
            ends_at: maybe(i.ends_at, |v| v),
            time_zone: i.time_zone,
            currency: i.currency,
            budget_minor: maybe(i.budget_minor, |b| b.0),
            attribution_window_days: i.attribution_window_days,
            attribution_model: i.attribution_model.map(Into::into),
            hold_days: i.hold_days,
            landing_url: maybe(i.landing_url, |v| v),
            holdout_bps: i.holdout_bps,
        }
    }
}

/// A reward rule to add.
#[derive(InputObject)]
pub struct RewardRuleInput {
    /// Who is rewarded.
    pub side: RewardSide,
    /// What earns it.
    pub trigger: RewardTrigger,
    /// For EACH_PURCHASE: purchases per referee that count.
    pub max_purchases: Option<i32>,
    /// Minimum order amount in minor units.
    #[graphql(default_with = "BigInt(0)")]
    pub min_order_minor: BigInt,
    /// FIXED, PERCENT or TIERED.
    pub kind: RewardKind,
    /// Delivery.
    #[graphql(default_with = "RewardType::Cash")]
    pub reward_type: RewardType,
    /// FIXED: amount in minor units.
    pub amount_minor: Option<BigInt>,
    /// PERCENT: basis points (1–10000).
    pub bps: Option<i32>,
    /// TIERED: tiers.
    #[graphql(default)]
    pub tiers: Vec<Tier>,
    /// TIERED: milestone bonuses.
    #[graphql(default)]
    pub milestones: Vec<Milestone>,
    /// Cap per referrer in minor units.
    pub per_referrer_cap_minor: Option<BigInt>,
    /// Only for this variant (by name).
    pub variant: Option<String>,
}

impl RewardRuleInput {
    /// Into the service draft; shape errors name the field.
    pub fn into_draft(
        self,
    ) -> Result<grapevine_entity::ops::campaigns::RewardRuleDraft, crate::error::ApiError> {
        use crate::error::ApiError;
        use domain::reward::{
            Milestone as M, RewardKind as K, RewardSpec, RewardTrigger as T, Tier as Ti, TierTable,
        };
        let kind = match self.kind {
            RewardKind::Fixed => K::Fixed {
                amount_minor: self
                    .amount_minor
                    .ok_or_else(|| ApiError::invalid("amountMinor", "is required for FIXED"))?
                    .0,
            },
            RewardKind::Percent => {
                let bps = self
                    .bps
                    .ok_or_else(|| ApiError::invalid("bps", "is required for PERCENT"))?;
                K::Percent {
                    bps: u32::try_from(bps)
                        .map_err(|_| ApiError::invalid("bps", "must be 1 to 10000"))?,
                }
            }
            RewardKind::Tiered => {
                let mut tiers = Vec::new();
                for (i, t) in self.tiers.iter().enumerate() {
                    let from_count = u32::try_from(t.from_count).map_err(|_| {
                        ApiError::invalid(format!("tiers[{i}].fromCount"), "must be positive")
                    })?;
                    tiers.push(Ti {
                        from_count,
                        amount_minor: t.amount_minor.0,
                    });
                }
                let mut milestones = Vec::new();
                for (i, m) in self.milestones.iter().enumerate() {
                    let at_count = u32::try_from(m.at_count).map_err(|_| {
                        ApiError::invalid(format!("milestones[{i}].atCount"), "must be positive")
                    })?;
                    milestones.push(M {
                        at_count,
                        bonus_minor: m.bonus_minor.0,
                    });
                }
                K::Tiered(TierTable { tiers, milestones })
            }
        };
        let trigger = match self.trigger {
            RewardTrigger::Lead => T::Lead,
            RewardTrigger::FirstPurchase => T::FirstPurchase,
            RewardTrigger::EachPurchase => {
                let max = self.max_purchases.ok_or_else(|| {
                    ApiError::invalid("maxPurchases", "is required for EACH_PURCHASE")
                })?;
                T::EachPurchase {
                    max: u32::try_from(max)
                        .map_err(|_| ApiError::invalid("maxPurchases", "must be at least 1"))?,
                }
            }
        };
        Ok(grapevine_entity::ops::campaigns::RewardRuleDraft {
            side: self.side.into(),
            spec: RewardSpec {
                kind,
                min_order_minor: self.min_order_minor.0,
                trigger,
                per_referrer_cap_minor: self.per_referrer_cap_minor.map(|c| c.0),
            },
            reward_type: self.reward_type.into(),
            variant: self.variant,
        })
    }
}

/// Material for a channel.
#[derive(InputObject)]
pub struct MaterialInput {
    /// Channel.
    pub channel: Channel,
    /// Share text template (variables: {{first_name}}, {{referral_link}}, {{referral_code}}, {{campaign_name}}, {{company_name}}, {{reward_summary}}).
    #[graphql(default)]
    pub share_text: String,
    /// Email subject template (EMAIL channel).
    #[graphql(default)]
    pub email_subject: String,
    /// Email HTML template (EMAIL channel; values are HTML-escaped; also {{unsubscribe_url}}).
    #[graphql(default)]
    pub email_html: String,
    /// Email plain-text template (EMAIL channel).
    #[graphql(default)]
    pub email_text: String,
}

/// An offer variant to set.
#[derive(InputObject)]
pub struct VariantInput {
    /// Name.
    pub name: String,
    /// Relative weight (1–10000).
    pub weight: i32,
}

/// Filter for the campaign list.
#[derive(InputObject, Default)]
pub struct CampaignFilter {
    /// Only this status.
    pub status: Option<CampaignStatus>,
}
