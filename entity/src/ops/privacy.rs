//! A participant's personal data: export everything we hold about them, or erase it.
//!
//! Erasure removes what identifies the person and keeps what the money needs: the participant row
//! stays (rewards, ledger entries and payouts point at it, and finance must still reconcile them)
//! but its email, external id, name, country and tags are replaced; the emails sent to them lose
//! address, subject and body; where they were referred, the referral and the conversions lose
//! their email and customer id; device sightings go; fraud evidence and the audit log are
//! scrubbed of their email and ids; their links stop working. Amounts, statuses and balances do
//! not change.

use crate::{
    db::begin_write,
    tables::{
        audit_log, conversions, device_sightings, emails, enrolments, fraud_signals,
        ledger_entries, participants as participant_rows, payouts, referral_links, referrals,
        rewards,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    ops::error::Result,
    ops::principal::Principal,
    ops::{audit, participants, search::like_literal},
};

/// Everything held about a participant, as one JSON document.
pub async fn export(conn: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> Result<Value> {
    let p = participants::get(conn, tenant_id, id).await?;
    let enrolments = enrolments::Entity::find()
        .filter(enrolments::Column::TenantId.eq(tenant_id))
        .filter(enrolments::Column::ParticipantId.eq(id))
        .all(conn)
        .await?;
    let links = referral_links::Entity::find()
        .filter(referral_links::Column::TenantId.eq(tenant_id))
        .filter(referral_links::Column::ParticipantId.eq(id))
        .all(conn)
        .await?;
    let made = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant_id))
        .filter(referrals::Column::ReferrerParticipantId.eq(id))
        .all(conn)
        .await?;
    let referred = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant_id))
        .filter(referrals::Column::RefereeExternalId.eq(p.external_id.as_str()))
        .all(conn)
        .await?;
    let purchases = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant_id))
        .filter(conversions::Column::CustomerExternalId.eq(p.external_id.as_str()))
        .all(conn)
        .await?;
    let rewards = rewards::Entity::find()
        .filter(rewards::Column::TenantId.eq(tenant_id))
        .filter(rewards::Column::ParticipantId.eq(id))
        .all(conn)
        .await?;
    let ledger = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::TenantId.eq(tenant_id))
        .filter(ledger_entries::Column::ParticipantId.eq(id))
        .order_by_asc(ledger_entries::Column::Id)
        .all(conn)
        .await?;
    let payouts = payouts::Entity::find()
        .filter(payouts::Column::TenantId.eq(tenant_id))
        .filter(payouts::Column::ParticipantId.eq(id))
        .all(conn)
        .await?;
    let mails = emails::Entity::find()
        .filter(emails::Column::TenantId.eq(tenant_id))
        .filter(emails::Column::ParticipantId.eq(id))
        .all(conn)
        .await?;
    Ok(json!({
        "participant": {
            "id": p.id, "externalId": p.external_id, "email": p.email, "firstName": p.first_name,
            "country": p.country, "tags": p.tags, "orderCount": p.order_count,
            "payoutAccountId": p.payout_account_id, "taxStatus": p.tax_status.as_str(),
            "createdAt": p.created_at,
        },
        "enrolments": enrolments.iter().map(|e| json!({ "id": e.id, "campaignId": e.campaign_id, "bucket": e.bucket, "createdAt": e.created_at })).collect::<Vec<_>>(),
        "links": links.iter().map(|l| json!({ "code": l.code, "kind": l.kind.as_str(), "disabledAt": l.disabled_at })).collect::<Vec<_>>(),
        "referralsMade": made.iter().map(|r| json!({ "id": r.id, "campaignId": r.campaign_id, "status": r.status.as_str(), "attributedAt": r.attributed_at })).collect::<Vec<_>>(),
        "referredBy": referred.iter().map(|r| json!({ "id": r.id, "campaignId": r.campaign_id, "status": r.status.as_str(), "email": r.referee_email })).collect::<Vec<_>>(),
        "purchases": purchases.iter().map(|c| json!({ "orderId": c.external_order_id, "amountMinor": c.amount_minor.to_string(), "currency": c.currency, "refundedMinor": c.refunded_minor.to_string(), "occurredAt": c.occurred_at })).collect::<Vec<_>>(),
        "rewards": rewards.iter().map(|r| json!({ "id": r.id, "side": r.side.as_str(), "type": r.reward_type.as_str(), "amountMinor": r.amount_minor.to_string(), "reversedMinor": r.reversed_minor.to_string(), "currency": r.currency, "status": r.status.as_str() })).collect::<Vec<_>>(),
        "ledger": ledger.iter().map(|e| json!({ "id": e.id, "account": e.account.as_str(), "kind": e.kind.as_str(), "amountMinor": e.amount_minor.to_string(), "currency": e.currency, "createdAt": e.created_at })).collect::<Vec<_>>(),
        "payouts": payouts.iter().map(|p| json!({ "id": p.id, "amountMinor": p.amount_minor.to_string(), "currency": p.currency, "status": p.status.as_str(), "paidAt": p.paid_at })).collect::<Vec<_>>(),
        "emails": mails.iter().map(|m| json!({ "kind": m.kind.as_str(), "to": m.to_address, "subject": m.subject, "state": m.state.as_str(), "sentAt": m.sent_at })).collect::<Vec<_>>(),
    }))
}

/// What replaces an erased participant's email.
pub fn erased_email(id: Uuid) -> String {
    format!("erased-{}@erased.invalid", id.simple())
}

/// Erase the participant's personal data (see the module documentation); idempotent.
pub async fn erase(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<participant_rows::Model> {
    let txn = begin_write(conn).await?;
    let p = participants::get(&txn, tenant_id, id).await?;
    let email = erased_email(id);
    let external = format!("erased-{}", id.simple());
    // What identified them, most specific first (a normalised address may be a prefix of another).
    let mut identifiers: Vec<String> = [
        p.email.clone(),
        p.email_normalized.clone(),
        p.external_id.clone(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty() && !s.starts_with("erased-"))
    .collect();
    identifiers.sort_by_key(|s| std::cmp::Reverse(s.len()));
    identifiers.dedup();

    // Where they were referred, and what they bought: keyed by their customer id or address.
    let as_referee = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant_id))
        .filter(
            sea_orm::Condition::any()
                .add(referrals::Column::RefereeExternalId.eq(p.external_id.as_str()))
                .add(referrals::Column::RefereeEmail.eq(p.email.as_str())),
        )
        .all(&txn)
        .await?;
    for r in as_referee {
        let mut m = r.into_active_model();
        m.referee_external_id = Set(external.clone());
        m.referee_email = Set(None);
        m.updated_at = Set(now);
        m.update(&txn).await?;
    }
    conversions::Entity::update_many()
        .col_expr(
            conversions::Column::CustomerExternalId,
            Expr::value(external.clone()),
        )
        .col_expr(
            conversions::Column::CustomerEmail,
            Expr::value(Option::<String>::None),
        )
        .filter(conversions::Column::TenantId.eq(tenant_id))
        .filter(
            sea_orm::Condition::any()
                .add(conversions::Column::CustomerExternalId.eq(p.external_id.as_str()))
                .add(conversions::Column::CustomerEmail.eq(p.email.as_str())),
        )
        .exec(&txn)
        .await?;
    device_sightings::Entity::delete_many()
        .filter(device_sightings::Column::TenantId.eq(tenant_id))
        .filter(device_sightings::Column::CustomerExternalId.eq(p.external_id.as_str()))
        .exec(&txn)
        .await?;
    emails::Entity::update_many()
        .col_expr(emails::Column::ToAddress, Expr::value(email.clone()))
        .col_expr(emails::Column::Subject, Expr::value("(erased)"))
        .col_expr(emails::Column::Html, Expr::value(""))
        .col_expr(emails::Column::Text, Expr::value(""))
        .filter(emails::Column::TenantId.eq(tenant_id))
        .filter(
            sea_orm::Condition::any()
                .add(emails::Column::ParticipantId.eq(id))
                .add(emails::Column::ToAddress.eq(p.email.as_str())),
        )
        .exec(&txn)
        .await?;
    // Free-form JSON (fraud evidence, audit data) that mentions them: scrubbed in place.
    for identifier in &identifiers {
        let pattern = format!("%{}%", like_literal(identifier));
        let mentions =
            Expr::cust("CAST(evidence AS TEXT)").like(LikeExpr::new(pattern.clone()).escape('!'));
        for s in fraud_signals::Entity::find()
            .filter(fraud_signals::Column::TenantId.eq(tenant_id))
            .filter(mentions)
            .all(&txn)
            .await?
        {
            let scrubbed = scrub(&s.evidence, identifier, &email);
            let mut m = s.into_active_model();
            m.evidence = Set(scrubbed);
            m.update(&txn).await?;
        }
        let mentions = Expr::cust("CAST(data AS TEXT)").like(LikeExpr::new(pattern).escape('!'));
        for a in audit_log::Entity::find()
            .filter(audit_log::Column::TenantId.eq(tenant_id))
            .filter(mentions)
            .all(&txn)
            .await?
        {
            let scrubbed = scrub(&a.data, identifier, &email);
            let mut m = a.into_active_model();
            m.data = Set(scrubbed);
            m.update(&txn).await?;
        }
    }
    referral_links::Entity::update_many()
        .col_expr(referral_links::Column::DisabledAt, Expr::value(Some(now)))
        .filter(referral_links::Column::TenantId.eq(tenant_id))
        .filter(referral_links::Column::ParticipantId.eq(id))
        .filter(referral_links::Column::DisabledAt.is_null())
        .exec(&txn)
        .await?;
    let mut m = p.into_active_model();
    m.email = Set(email.clone());
    m.email_normalized = Set(email);
    m.external_id = Set(external);
    m.first_name = Set(None);
    m.country = Set(None);
    m.tags = Set(json!([]));
    m.updated_at = Set(now);
    let erased = m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "participant.erase",
        "participant",
        Some(id),
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(erased)
}

/// `value` with every string containing `identifier` having it replaced by `replacement`.
fn scrub(value: &Value, identifier: &str, replacement: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace(identifier, replacement)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| scrub(v, identifier, replacement))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.replace(identifier, replacement),
                        scrub(v, identifier, replacement),
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_replaces_every_mention() {
        let evidence = json!({ "referrer": "ada@example.com", "list": ["x ada@example.com y", 3], "ada@example.com": true });
        assert_eq!(
            scrub(&evidence, "ada@example.com", "E"),
            json!({ "referrer": "E", "list": ["x E y", 3], "E": true })
        );
    }
}
