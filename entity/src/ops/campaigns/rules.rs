//! A campaign's reward rules: adding one (validated against the campaign and its other rules) and
//! removing one.

use super::*;

/// A reward rule as entered.
#[derive(Debug, Clone)]
pub struct RewardRuleDraft {
    /// Who receives it.
    pub side: RewardSide,
    /// The rule (kind, trigger, minimum order, cap).
    pub spec: RewardSpec,
    /// How it is delivered.
    pub reward_type: RewardType,
    /// Only for this variant (by name).
    pub variant: Option<String>,
}

/// Add a reward rule.
pub async fn add_reward_rule(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    draft: RewardRuleDraft,
    now: DateTime<Utc>,
) -> Result<reward_rules::Model> {
    let spec = draft.spec.validate()?;
    let txn = crate::db::begin_write(conn).await?;
    let campaign = get(&txn, tenant_id, campaign_id).await?;
    editable(&campaign)?;
    let variant_id = match &draft.variant {
        None => None,
        Some(name) => Some(
            campaign_variants::Entity::find()
                .filter(campaign_variants::Column::CampaignId.eq(campaign_id))
                .filter(campaign_variants::Column::Name.eq(name.as_str()))
                .one(&txn)
                .await?
                .ok_or_else(|| {
                    Error::invalid(
                        "variant",
                        format!("the campaign has no variant named {name:?}"),
                    )
                })?
                .id,
        ),
    };
    use crate::domain::reward::{RewardKind as K, RewardTrigger as T};
    use crate::tables::{RewardKind, RewardTrigger};
    let (kind, amount_minor, bps, tiers) = match &spec.kind {
        K::Fixed { amount_minor } => (RewardKind::Fixed, Some(*amount_minor), None, json!({})),
        K::Percent { bps } => (
            RewardKind::Percent,
            None,
            Some(i32::try_from(*bps).unwrap_or(i32::MAX)),
            json!({}),
        ),
        K::Tiered(table) => (
            RewardKind::Tiered,
            None,
            None,
            serde_json::to_value(table).map_err(anyhow::Error::from)?,
        ),
    };
    let (trigger, max_purchases) = match spec.trigger {
        T::Lead => (RewardTrigger::Lead, None),
        T::FirstPurchase => (RewardTrigger::FirstPurchase, None),
        T::EachPurchase { max } => (
            RewardTrigger::EachPurchase,
            Some(i32::try_from(max).unwrap_or(i32::MAX)),
        ),
    };
    let rule = reward_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign_id),
        variant_id: Set(variant_id),
        side: Set(draft.side),
        trigger: Set(trigger),
        max_purchases: Set(max_purchases),
        min_order_minor: Set(spec.min_order_minor),
        kind: Set(kind),
        reward_type: Set(draft.reward_type),
        amount_minor: Set(amount_minor),
        bps: Set(bps),
        tiers: Set(tiers),
        per_referrer_cap_minor: Set(spec.per_referrer_cap_minor),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "reward_rule.add",
        "campaign",
        Some(campaign_id),
        json!({ "rule_id": rule.id, "side": draft.side.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(rule)
}

/// Remove a reward rule (not from an active campaign's last rule: it would have nothing to pay).
pub async fn remove_reward_rule(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    rule_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let txn = crate::db::begin_write(conn).await?;
    let rule =
        crate::ops::tenancy::find_in_tenant::<reward_rules::Entity>(&txn, tenant_id, rule_id)
            .await?;
    let campaign = get(&txn, tenant_id, rule.campaign_id).await?;
    editable(&campaign)?;
    let remaining = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(campaign.id))
        .all(&txn)
        .await?
        .len();
    if campaign.status != CampaignStatus::Draft && remaining <= 1 {
        return Err(Error::Conflict(
            "a launched campaign keeps at least one reward rule".into(),
        ));
    }
    reward_rules::Entity::delete_by_id(rule_id)
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "reward_rule.remove",
        "campaign",
        Some(campaign.id),
        json!({ "rule_id": rule_id }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(campaign.id)
}
