//! A campaign's A/B variants (message tests) and reading them back.

use super::*;

/// Replace the offer variants (draft only: assignment happens at enrolment).
pub async fn set_variants(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    variants: Vec<(String, i32)>,
    now: DateTime<Utc>,
) -> Result<Vec<campaign_variants::Model>> {
    let mut errors = Vec::new();
    let mut names = std::collections::HashSet::new();
    for (i, (name, weight)) in variants.iter().enumerate() {
        let trimmed = name.trim();
        if trimmed.is_empty()
            || trimmed.len() > 64
            || matches!(trimmed, "holdout" | "control" | "ineligible")
        {
            errors.push(FieldError::new(
                format!("variants[{i}].name"),
                "must be 1 to 64 characters and not holdout, control or ineligible",
            ));
        }
        if !names.insert(trimmed.to_owned()) {
            errors.push(FieldError::new(
                format!("variants[{i}].name"),
                "is used twice",
            ));
        }
        if !(1..=10_000).contains(weight) {
            errors.push(FieldError::new(
                format!("variants[{i}].weight"),
                "must be 1 to 10000",
            ));
        }
    }
    if variants.len() > 10 {
        errors.push(FieldError::new("variants", "at most 10 variants"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let txn = crate::db::begin_write(conn).await?;
    let campaign = get(&txn, tenant_id, campaign_id).await?;
    if campaign.status != CampaignStatus::Draft {
        return Err(Error::Conflict(
            "variants can only change while the campaign is a draft".into(),
        ));
    }
    campaign_variants::Entity::delete_many()
        .filter(campaign_variants::Column::CampaignId.eq(campaign_id))
        .exec(&txn)
        .await?;
    let mut out = Vec::new();
    for (name, weight) in variants {
        out.push(
            campaign_variants::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant_id),
                campaign_id: Set(campaign_id),
                name: Set(name.trim().to_owned()),
                weight: Set(weight),
                created_at: Set(now),
                stopped_at: Set(None),
                stop_reason: Set(None),
            }
            .insert(&txn)
            .await?,
        );
    }
    audit::record(
        &txn,
        tenant_id,
        principal,
        "variants.set",
        "campaign",
        Some(campaign_id),
        json!({ "count": out.len() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

/// The variants of a campaign, oldest first.
pub async fn variants(
    conn: &impl ConnectionTrait,
    campaign_id: Uuid,
) -> Result<Vec<campaign_variants::Model>> {
    Ok(campaign_variants::Entity::find()
        .filter(campaign_variants::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_variants::Column::Id)
        .all(conn)
        .await?)
}
