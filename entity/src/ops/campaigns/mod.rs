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
        campaign::{self as lifecycle, CampaignAction, LaunchReadiness},
        reward::RewardSpec,
        template::{EMAIL_VARS, Escape, Template},
    },
    tables::{
        CampaignStatus, Channel, RewardSide, RewardType, campaign_materials, campaign_variants,
        campaigns, reward_rules,
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

pub use crate::domain::campaign_draft::{CampaignDraft, CampaignFields};
pub use crate::domain::share::SHARE_VARS;

/// Validate a draft against the campaign it changes (`None` for a new one): every problem at once.
fn validate(
    draft: CampaignDraft,
    base: Option<&campaigns::Model>,
    now: DateTime<Utc>,
) -> Result<CampaignFields> {
    draft.validate(base, now).map_err(Error::Validation)
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
    crate::ops::tenancy::find_in_tenant::<campaigns::Entity>(conn, tenant_id, id).await
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
