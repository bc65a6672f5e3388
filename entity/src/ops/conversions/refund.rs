//! Refunds of reported orders (`refundConversion`): idempotent on the refund id, never more than
//! what is left of the order, each one sending the referral back to validation.

use super::VALIDATE_ATTEMPTS;
use crate::{
    db::begin_write,
    ops::{
        error::{Error, Result},
        jobs::ValidateReferral,
        outbox::{JobKind, enqueue_kind},
    },
    tables::{conversions, refunds},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

/// `refundConversion`: a full or partial refund, idempotent on the refund id; never more than
/// what is left of the order.
pub async fn refund(
    conn: &impl TransactionTrait,
    tenant_id: Uuid,
    order_id: &str,
    refund_id: &str,
    amount_minor: i64,
    now: DateTime<Utc>,
) -> Result<conversions::Model> {
    if refund_id.trim().is_empty() || refund_id.len() > 200 {
        return Err(Error::invalid("refundId", "must be 1 to 200 characters"));
    }
    if amount_minor <= 0 {
        return Err(Error::invalid("amountMinor", "must be positive"));
    }
    let txn = begin_write(conn).await?;
    let conversion = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant_id))
        .filter(conversions::Column::ExternalOrderId.eq(order_id.trim()))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("order"))?;
    if let Some(existing) = refunds::Entity::find()
        .filter(refunds::Column::TenantId.eq(tenant_id))
        .filter(refunds::Column::ExternalRefundId.eq(refund_id.trim()))
        .one(&txn)
        .await?
    {
        if existing.conversion_id != conversion.id || existing.amount_minor != amount_minor {
            return Err(Error::Conflict(format!(
                "refund {refund_id} was already recorded with other details"
            )));
        }
        return Ok(conversion);
    }
    if conversion.refunded_minor + amount_minor > conversion.amount_minor {
        return Err(Error::invalid(
            "amountMinor",
            format!(
                "only {} of the order is left to refund",
                conversion.amount_minor - conversion.refunded_minor
            ),
        ));
    }
    refunds::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        conversion_id: Set(conversion.id),
        external_refund_id: Set(refund_id.trim().to_owned()),
        amount_minor: Set(amount_minor),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let refunded = conversion.refunded_minor + amount_minor;
    let mut m = conversion.into_active_model();
    m.refunded_minor = Set(refunded);
    let conversion = m.update(&txn).await?;
    if let Some(referral_id) = conversion.referral_id {
        // The validation job re-scores the referral: a refund is one of its fraud signals.
        let job = ValidateReferral {
            referral_id,
            conversion_id: Some(conversion.id),
        };
        enqueue_kind(
            &txn,
            Some(tenant_id),
            ValidateReferral::KIND,
            &job,
            VALIDATE_ATTEMPTS,
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(conversion)
}
