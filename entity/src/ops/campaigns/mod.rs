//! Campaign design: create and edit, reward rules, materials, variants, and the guarded lifecycle
//! draft → active → paused → ended. Launching enqueues the launch emails in the same transaction.

mod materials;
mod rules;
mod variants;

pub use materials::{MaterialDraft, set_material};
pub use rules::{RewardRuleDraft, add_reward_rule, remove_reward_rule};
pub use variants::{set_variants, variants};

use crate::ops::{jobs::LaunchCampaign, outbox::enqueue};
use crate::{
    domain::{
        FieldError,
        audience::AudienceRule,
        campaign::{self as lifecycle, CampaignAction, LaunchReadiness},
        goals::Goals,
        money::{Currency, parse_amount_minor},
        reward::RewardSpec,
        template::{EMAIL_VARS, Escape, Template},
    },
    tables::{
        AttributionModel, CampaignStatus, Channel, RewardSide, RewardType, campaign_materials,
        campaign_variants, campaigns, reward_rules,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ops::audit,
    ops::error::{Error, Result},
    ops::principal::Principal,
};

pub use crate::domain::share::SHARE_VARS;

/// A campaign's settings, as validated input.
#[derive(Debug, Clone)]
pub struct CampaignFields {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Goal frame.
    pub goals: Goals,
    /// Audience rule.
    pub audience: AudienceRule,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone.
    pub time_zone: String,
    /// Currency.
    pub currency: Currency,
    /// Budget cap in minor units.
    pub budget_minor: Option<i64>,
    /// Attribution window.
    pub attribution_window_days: i32,
    /// First or last touch.
    pub attribution_model: AttributionModel,
    /// Hold period.
    pub hold_days: i32,
    /// Landing URL.
    pub landing_url: Option<String>,
    /// Holdout share.
    pub holdout_bps: i32,
}

/// Raw campaign input, validated into `CampaignFields` with every problem reported at once.
#[derive(Debug, Clone, Default)]
pub struct CampaignDraft {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Goals.
    pub goals: Option<Goals>,
    /// Audience.
    pub audience: Option<AudienceRule>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End (`Some(None)` clears it).
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Budget (`Some(None)` clears it).
    pub budget_minor: Option<Option<i64>>,
    /// Attribution window.
    pub attribution_window_days: Option<i32>,
    /// Attribution model.
    pub attribution_model: Option<AttributionModel>,
    /// Hold period.
    pub hold_days: Option<i32>,
    /// Landing URL (`Some(None)` clears it).
    pub landing_url: Option<Option<String>>,
    /// Holdout share.
    pub holdout_bps: Option<i32>,
}

fn validate(
    draft: CampaignDraft,
    base: Option<&campaigns::Model>,
    now: DateTime<Utc>,
) -> Result<CampaignFields> {
    let mut errors: Vec<FieldError> = Vec::new();
    let mut push = |e: FieldError| errors.push(e);
    let name = draft
        .name
        .or_else(|| base.map(|b| b.name.clone()))
        .unwrap_or_default()
        .trim()
        .to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        push(FieldError::new("name", "must be 1 to 200 characters"));
    }
    let description = draft
        .description
        .or_else(|| base.map(|b| b.description.clone()))
        .unwrap_or_default();
    if description.len() > 10_000 {
        push(FieldError::new(
            "description",
            "must be at most 10 000 characters",
        ));
    }
    let goals = match draft.goals {
        Some(g) => g
            .validate()
            .map_err(|e| e.within("goals"))
            .unwrap_or_else(|e| {
                push(e);
                Goals::default()
            }),
        None => base
            .and_then(|b| serde_json::from_value(b.goals.clone()).ok())
            .unwrap_or_default(),
    };
    let audience = match draft.audience {
        Some(a) => a
            .validate()
            .map_err(|e| e.within("audience"))
            .unwrap_or_else(|e| {
                push(e);
                AudienceRule::default()
            }),
        None => base
            .and_then(|b| serde_json::from_value(b.audience.clone()).ok())
            .unwrap_or_default(),
    };
    let starts_at = draft
        .starts_at
        .or_else(|| base.map(|b| b.starts_at))
        .unwrap_or(now);
    let ends_at = draft
        .ends_at
        .unwrap_or_else(|| base.and_then(|b| b.ends_at));
    if let Err(e) = lifecycle::validate_schedule(starts_at, ends_at, now) {
        push(e);
    }
    let time_zone = draft
        .time_zone
        .or_else(|| base.map(|b| b.time_zone.clone()))
        .unwrap_or_else(|| "UTC".into());
    if let Err(e) = lifecycle::validate_time_zone(&time_zone) {
        push(e.renamed("timeZone"));
    }
    let currency_text = draft
        .currency
        .or_else(|| base.map(|b| b.currency.clone()))
        .unwrap_or_default();
    let currency = Currency::parse(&currency_text).map_err(|e| e.renamed("currency"));
    let budget_minor = draft
        .budget_minor
        .unwrap_or_else(|| base.and_then(|b| b.budget_minor));
    if let Some(b) = budget_minor {
        if let Err(e) = parse_amount_minor("budgetMinor", b) {
            push(e);
        } else if b == 0 {
            push(FieldError::new(
                "budgetMinor",
                "must be positive, or left out for no cap",
            ));
        }
    }
    let attribution_window_days = draft
        .attribution_window_days
        .or_else(|| base.map(|b| b.attribution_window_days))
        .unwrap_or(30);
    if !(1..=365).contains(&attribution_window_days) {
        push(FieldError::new("attributionWindowDays", "must be 1 to 365"));
    }
    let hold_days = draft
        .hold_days
        .or_else(|| base.map(|b| b.hold_days))
        .unwrap_or(14);
    if !(0..=365).contains(&hold_days) {
        push(FieldError::new("holdDays", "must be 0 to 365"));
    }
    let landing_url = draft
        .landing_url
        .unwrap_or_else(|| base.and_then(|b| b.landing_url.clone()));
    if let Some(url) = &landing_url {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => push(FieldError::new(
                "landingUrl",
                "must be an absolute http(s) URL",
            )),
        }
    }
    let holdout_bps = draft
        .holdout_bps
        .or_else(|| base.map(|b| b.holdout_bps))
        .unwrap_or(0);
    if !(0..=5_000).contains(&holdout_bps) {
        push(FieldError::new(
            "holdoutBps",
            "must be 0 to 5000 (at most half held out)",
        ));
    }
    let currency = match currency {
        Ok(c) => Some(c),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    match (errors.is_empty(), currency) {
        (true, Some(currency)) => Ok(CampaignFields {
            name,
            description,
            goals,
            audience,
            starts_at,
            ends_at,
            time_zone,
            currency,
            budget_minor,
            attribution_window_days,
            attribution_model: draft
                .attribution_model
                .or_else(|| base.map(|b| b.attribution_model))
                .unwrap_or(AttributionModel::FirstTouch),
            hold_days,
            landing_url,
            holdout_bps,
        }),
        _ => Err(Error::Validation(errors)),
    }
}

/// Create a draft campaign.
pub async fn create(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    draft: CampaignDraft,
    now: DateTime<Utc>,
) -> Result<campaigns::Model> {
    let f = validate(draft, None, now)?;
    let created_by = match principal {
        Principal::Staff { user_id, .. } => Some(*user_id),
        _ => None,
    };
    let txn = crate::db::begin_write(conn).await?;
    let model = campaigns::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        name: Set(f.name),
        description: Set(f.description),
        status: Set(CampaignStatus::Draft),
        goals: Set(serde_json::to_value(&f.goals).map_err(anyhow::Error::from)?),
        audience: Set(serde_json::to_value(&f.audience).map_err(anyhow::Error::from)?),
        starts_at: Set(f.starts_at),
        ends_at: Set(f.ends_at),
        time_zone: Set(f.time_zone),
        currency: Set(f.currency.code().to_owned()),
        budget_minor: Set(f.budget_minor),
        attribution_window_days: Set(f.attribution_window_days),
        attribution_model: Set(f.attribution_model),
        hold_days: Set(f.hold_days),
        landing_url: Set(f.landing_url),
        holdout_bps: Set(f.holdout_bps),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        launched_at: Set(None),
        ended_at: Set(None),
        fraud_policy: Set(None),
        budget_reserved_minor: Set(0),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "campaign.create",
        "campaign",
        Some(model.id),
        json!({ "name": model.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// A campaign of this tenant.
pub async fn get(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<campaigns::Model> {
    campaigns::Entity::find_by_id(id)
        .filter(campaigns::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound("campaign"))
}

fn editable(campaign: &campaigns::Model) -> Result<()> {
    if campaign.status == CampaignStatus::Ended {
        return Err(Error::Conflict(
            "the campaign has ended and is read-only".into(),
        ));
    }
    Ok(())
}

/// Edit a campaign (not once ended; currency and holdout are fixed after launch, since rewards
/// and assignments depend on them).
pub async fn update(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    draft: CampaignDraft,
    now: DateTime<Utc>,
) -> Result<campaigns::Model> {
    let txn = crate::db::begin_write(conn).await?;
    let current = get(&txn, tenant_id, id).await?;
    editable(&current)?;
    if current.status != CampaignStatus::Draft {
        if draft
            .currency
            .as_ref()
            .is_some_and(|c| !c.eq_ignore_ascii_case(&current.currency))
        {
            return Err(Error::invalid("currency", "cannot change after launch"));
        }
        if draft.holdout_bps.is_some_and(|h| h != current.holdout_bps) {
            return Err(Error::invalid(
                "holdoutBps",
                "cannot change after launch: participants are already assigned",
            ));
        }
    }
    let f = validate(draft, Some(&current), now)?;
    let mut model = current.into_active_model();
    model.name = Set(f.name);
    model.description = Set(f.description);
    model.goals = Set(serde_json::to_value(&f.goals).map_err(anyhow::Error::from)?);
    model.audience = Set(serde_json::to_value(&f.audience).map_err(anyhow::Error::from)?);
    model.starts_at = Set(f.starts_at);
    model.ends_at = Set(f.ends_at);
    model.time_zone = Set(f.time_zone);
    model.currency = Set(f.currency.code().to_owned());
    model.budget_minor = Set(f.budget_minor);
    model.attribution_window_days = Set(f.attribution_window_days);
    model.attribution_model = Set(f.attribution_model);
    model.hold_days = Set(f.hold_days);
    model.landing_url = Set(f.landing_url);
    model.holdout_bps = Set(f.holdout_bps);
    model.updated_at = Set(now);
    let model = model.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "campaign.update",
        "campaign",
        Some(id),
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Apply a lifecycle action.
pub async fn transition(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    action: CampaignAction,
    now: DateTime<Utc>,
) -> Result<campaigns::Model> {
    let txn = crate::db::begin_write(conn).await?;
    let campaign = get(&txn, tenant_id, id).await?;
    let rules = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(id))
        .one(&txn)
        .await?;
    let email = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(id))
        .filter(campaign_materials::Column::Channel.eq(Channel::Email))
        .one(&txn)
        .await?;
    let readiness = LaunchReadiness {
        has_reward_rule: rules.is_some(),
        has_landing_url: campaign.landing_url.is_some(),
        has_email_material: email.is_some(),
        ends_at: campaign.ends_at,
        now,
    };
    let from = to_domain(campaign.status);
    let to = lifecycle::transition(from, action, &readiness)
        .map_err(|e| Error::Conflict(e.to_string()))?;
    let mut model = campaign.into_active_model();
    model.status = Set(from_domain(to));
    model.updated_at = Set(now);
    if action == CampaignAction::Launch {
        model.launched_at = Set(Some(now));
    }
    if action == CampaignAction::End {
        model.ended_at = Set(Some(now));
    }
    let model = model.update(&txn).await?;
    if action == CampaignAction::Launch {
        enqueue(
            &txn,
            Some(tenant_id),
            &LaunchCampaign {
                campaign_id: id,
                participant_id: None,
            },
            now,
        )
        .await?;
    }
    audit::record(
        &txn,
        tenant_id,
        principal,
        &format!("campaign.{}", action.as_str()),
        "campaign",
        Some(id),
        json!({ "from": from.as_str(), "to": to.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn to_domain(s: CampaignStatus) -> lifecycle::CampaignStatus {
    match s {
        CampaignStatus::Draft => lifecycle::CampaignStatus::Draft,
        CampaignStatus::Active => lifecycle::CampaignStatus::Active,
        CampaignStatus::Paused => lifecycle::CampaignStatus::Paused,
        CampaignStatus::Ended => lifecycle::CampaignStatus::Ended,
    }
}

fn from_domain(s: lifecycle::CampaignStatus) -> CampaignStatus {
    match s {
        lifecycle::CampaignStatus::Draft => CampaignStatus::Draft,
        lifecycle::CampaignStatus::Active => CampaignStatus::Active,
        lifecycle::CampaignStatus::Paused => CampaignStatus::Paused,
        lifecycle::CampaignStatus::Ended => CampaignStatus::Ended,
    }
}
