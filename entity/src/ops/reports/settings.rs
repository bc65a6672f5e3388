//! A campaign's experiment settings: whether a clearly worse variant is stopped by itself.

use super::*;

/// A campaign's experiment settings, or the defaults (off, α = 0.05, difference 0.03).
pub async fn experiment_settings(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    campaign_id: Uuid,
    now: DateTime<Utc>,
) -> Result<experiments::Model> {
    let campaign = crate::ops::campaigns::get(conn, tenant_id, campaign_id).await?;
    Ok(experiments::Entity::find_by_id(campaign.id)
        .one(conn)
        .await?
        .unwrap_or(experiments::Model {
            campaign_id: campaign.id,
            tenant_id,
            auto_stop: false,
            alpha: 0.05,
            tau2: 0.03 * 0.03,
            tests: serde_json::json!({}),
            updated_at: now,
        }))
}

/// Change a campaign's experiment settings (the sequential tests start afresh).
#[allow(clippy::too_many_arguments)]
pub async fn set_experiment_settings(
    conn: &impl sea_orm::TransactionTrait,
    principal: &crate::ops::principal::Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    auto_stop: bool,
    difference: f64,
    alpha: f64,
    now: DateTime<Utc>,
) -> Result<experiments::Model> {
    let mut errors = Vec::new();
    if !(difference > 0.0 && difference < 1.0) {
        errors.push(crate::domain::FieldError::new(
            "minimumDetectableDifference",
            "must be between 0 and 1 (a difference of rates)",
        ));
    }
    if !(alpha > 0.0 && alpha <= 0.2) {
        errors.push(crate::domain::FieldError::new(
            "alpha",
            "must be above 0 and at most 0.2",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let txn = crate::db::begin_write(conn).await?;
    let campaign = crate::ops::campaigns::get(&txn, tenant_id, campaign_id).await?;
    experiments::Entity::delete_by_id(campaign.id)
        .exec(&txn)
        .await?;
    let row = sea_orm::ActiveModelTrait::insert(
        experiments::ActiveModel {
            campaign_id: sea_orm::ActiveValue::Set(campaign.id),
            tenant_id: sea_orm::ActiveValue::Set(tenant_id),
            auto_stop: sea_orm::ActiveValue::Set(auto_stop),
            alpha: sea_orm::ActiveValue::Set(alpha),
            tau2: sea_orm::ActiveValue::Set(difference * difference),
            tests: sea_orm::ActiveValue::Set(serde_json::json!({})),
            updated_at: sea_orm::ActiveValue::Set(now),
        },
        &txn,
    )
    .await?;
    crate::ops::audit::record(
        &txn,
        tenant_id,
        principal,
        "experiment.settings",
        "campaign",
        Some(campaign.id),
        serde_json::json!({ "auto_stop": auto_stop, "alpha": alpha, "difference": difference }),
        now,
    )
    .await?;
    sea_orm::TransactionSession::commit(txn).await?;
    Ok(row)
}
