//! Finance's side of rewards: payout settings, approval, retry and cancellation, the ledger and
//! balances, manual adjustments, tax status, and recording a participant's payout account.

use crate::ops::{jobs::PayPayout, outbox::enqueue};
use crate::ops::{
    ledger::{self, Entry},
    payouts::{proceed, recheck_holds, settings},
};
use crate::{
    db::begin_write,
    domain::money::Currency,
    tables::{
        LedgerKind, PayoutOnboarding, PayoutProvider, PayoutSchedule, PayoutStatus, RewardType,
        TaxStatus, ledger_entries, participants, payout_attempts, payout_settings, payouts,
        rewards,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, TransactionSession, TransactionTrait, sea_query::Expr,
    sea_query::OnConflict,
};
use serde_json::json;
use uuid::Uuid;

use crate::ops::audit;
use crate::{
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// A tenant's payout settings as entered.
#[derive(Debug, Clone)]
pub struct SettingsDraft {
    /// Who pays cash.
    pub provider: PayoutProvider,
    /// When.
    pub schedule: PayoutSchedule,
    /// Smallest payout, minor units.
    pub minimum_minor: i64,
    /// Payouts above this wait for finance approval.
    pub approval_threshold_minor: Option<i64>,
    /// Yearly cash per participant above which tax details must be on file.
    pub tax_threshold_minor: Option<i64>,
    /// Attempts before a payout is dead.
    pub max_attempts: i32,
}

/// The tenant's payout settings.
pub async fn get_settings(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<payout_settings::Model> {
    Ok(settings(conn, tenant_id).await?)
}

/// Replace the tenant's payout settings.
pub async fn set_settings(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    d: SettingsDraft,
    now: DateTime<Utc>,
) -> Result<payout_settings::Model> {
    if d.minimum_minor < 1 {
        return Err(Error::invalid("minimumMinor", "must be at least 1"));
    }
    if d.approval_threshold_minor.is_some_and(|t| t < 0) {
        return Err(Error::invalid(
            "approvalThresholdMinor",
            "must be zero or more",
        ));
    }
    if d.tax_threshold_minor.is_some_and(|t| t < 0) {
        return Err(Error::invalid("taxThresholdMinor", "must be zero or more"));
    }
    if !(1..=50).contains(&d.max_attempts) {
        return Err(Error::invalid("maxAttempts", "must be between 1 and 50"));
    }
    let txn = begin_write(conn).await?;
    let row = payout_settings::ActiveModel {
        tenant_id: Set(tenant_id),
        provider: Set(d.provider),
        schedule: Set(d.schedule),
        minimum_minor: Set(d.minimum_minor),
        approval_threshold_minor: Set(d.approval_threshold_minor),
        tax_threshold_minor: Set(d.tax_threshold_minor),
        max_attempts: Set(d.max_attempts),
        updated_at: Set(now),
    };
    payout_settings::Entity::insert(row)
        .on_conflict(
            OnConflict::column(payout_settings::Column::TenantId)
                .update_columns([
                    payout_settings::Column::Provider,
                    payout_settings::Column::Schedule,
                    payout_settings::Column::MinimumMinor,
                    payout_settings::Column::ApprovalThresholdMinor,
                    payout_settings::Column::TaxThresholdMinor,
                    payout_settings::Column::MaxAttempts,
                    payout_settings::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "payout_settings.set",
        "tenant",
        Some(tenant_id),
        json!({ "provider": d.provider.as_str(), "schedule": d.schedule.as_str(), "minimum_minor": d.minimum_minor, "approval_threshold_minor": d.approval_threshold_minor, "tax_threshold_minor": d.tax_threshold_minor }),
        now,
    )
    .await?;
    let saved = settings(&txn, tenant_id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// A payout of the tenant.
pub async fn get(conn: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> Result<payouts::Model> {
    crate::ops::tenancy::find_in_tenant::<payouts::Entity>(conn, tenant_id, id).await
}

/// A payout's attempts, oldest first.
pub async fn attempts(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    payout_id: Uuid,
) -> Result<Vec<payout_attempts::Model>> {
    Ok(payout_attempts::Entity::find()
        .filter(payout_attempts::Column::TenantId.eq(tenant_id))
        .filter(payout_attempts::Column::PayoutId.eq(payout_id))
        .order_by_asc(payout_attempts::Column::Attempt)
        .all(conn)
        .await?)
}

/// Finance approves a payout above the approval threshold.
pub async fn approve(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<payouts::Model> {
    let txn = begin_write(conn).await?;
    let payout = get(&txn, tenant_id, id).await?;
    if payout.status != PayoutStatus::AwaitingApproval {
        return Err(Error::Conflict(format!(
            "the payout is {}, not awaiting approval",
            payout.status
        )));
    }
    let mut m = payout.into_active_model();
    if let Principal::Staff { user_id, .. } = principal {
        m.approved_by = Set(Some(*user_id));
    }
    m.approved_at = Set(Some(now));
    let payout = m.update(&txn).await?;
    let payout = proceed(&txn, payout, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "payout.approve",
        "payout",
        Some(id),
        json!({ "amount_minor": payout.amount_minor, "currency": payout.currency }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(payout)
}

/// Try a dead or failed payout again now, with a fresh allowance of attempts.
pub async fn retry(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<payouts::Model> {
    let txn = begin_write(conn).await?;
    let payout = get(&txn, tenant_id, id).await?;
    if !matches!(payout.status, PayoutStatus::Dead | PayoutStatus::Failed) {
        return Err(Error::Conflict(format!(
            "only a dead or failed payout can be retried; this one is {}",
            payout.status
        )));
    }
    let allowance = settings(&txn, tenant_id).await?.max_attempts.max(1);
    let attempts = payout.attempts;
    let mut m = payout.into_active_model();
    m.status = Set(PayoutStatus::Pending);
    m.max_attempts = Set(attempts + allowance);
    m.next_attempt_at = Set(None);
    m.updated_at = Set(now);
    let payout = m.update(&txn).await?;
    enqueue(&txn, Some(tenant_id), &PayPayout { payout_id: id }, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "payout.retry",
        "payout",
        Some(id),
        json!({ "attempts_so_far": attempts }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(payout)
}

/// Cancel a payout that has not reached the provider: its cash returns to the balance.
pub async fn cancel(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<payouts::Model> {
    if reason.trim().is_empty() {
        return Err(Error::invalid("reason", "say why"));
    }
    let txn = begin_write(conn).await?;
    let payout = get(&txn, tenant_id, id).await?;
    // A dead payout's last attempt may still have reached the provider: retry it (the retry
    // looks the transfer up first) rather than cancel it.
    if !matches!(
        payout.status,
        PayoutStatus::AwaitingApproval | PayoutStatus::OnHold
    ) {
        return Err(Error::Conflict(format!(
            "only a payout awaiting approval or on hold can be cancelled; this one is {}",
            payout.status
        )));
    }
    ledger::post(
        &txn,
        Entry {
            tenant_id,
            participant_id: payout.participant_id,
            account: RewardType::Cash,
            currency: payout.currency.clone(),
            amount_minor: payout.amount_minor,
            kind: LedgerKind::PayoutCancelled,
            reward_id: None,
            payout_id: Some(id),
            campaign_id: None,
            memo: format!("payout cancelled: {}", reason.trim()),
            available_at: now,
        },
        now,
    )
    .await?;
    rewards::Entity::update_many()
        .col_expr(rewards::Column::PayoutId, Expr::value(Option::<Uuid>::None))
        .filter(rewards::Column::PayoutId.eq(id))
        .exec(&txn)
        .await?;
    let mut m = payout.into_active_model();
    m.status = Set(PayoutStatus::Cancelled);
    m.last_error = Set(Some(format!("cancelled: {}", reason.trim())));
    m.updated_at = Set(now);
    let payout = m.update(&txn).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "payout.cancel",
        "payout",
        Some(id),
        json!({ "reason": reason.trim() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(payout)
}

/// A participant of the tenant.
async fn participant(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<participants::Model> {
    crate::ops::tenancy::find_in_tenant::<participants::Entity>(conn, tenant_id, id).await
}

/// A participant's balance in one account and currency.
#[derive(Debug, Clone)]
pub struct Balance {
    /// Cash, coupon, credit or gift card.
    pub account: RewardType,
    /// ISO currency.
    pub currency: String,
    /// Everything owed (held rewards included), minus what was settled.
    pub total_minor: i64,
    /// What is payable now (holds ended).
    pub available_minor: i64,
}

/// A participant's balances, per account and currency.
pub async fn balances(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Balance>> {
    participant(conn, tenant_id, participant_id).await?;
    let entries = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::TenantId.eq(tenant_id))
        .filter(ledger_entries::Column::ParticipantId.eq(participant_id))
        .all(conn)
        .await?;
    let mut out: Vec<Balance> = Vec::new();
    for e in entries {
        let i = match out
            .iter()
            .position(|b| b.account == e.account && b.currency == e.currency)
        {
            Some(i) => i,
            None => {
                out.push(Balance {
                    account: e.account,
                    currency: e.currency.clone(),
                    total_minor: 0,
                    available_minor: 0,
                });
                out.len() - 1
            }
        };
        out[i].total_minor = out[i].total_minor.saturating_add(e.amount_minor);
        if e.available_at <= now {
            out[i].available_minor = out[i].available_minor.saturating_add(e.amount_minor);
        }
    }
    out.sort_by(|a, b| (a.account.as_str(), &a.currency).cmp(&(b.account.as_str(), &b.currency)));
    Ok(out)
}

/// Finance corrects a participant's balance by hand (positive or negative).
#[allow(clippy::too_many_arguments)]
pub async fn adjust(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    participant_id: Uuid,
    amount_minor: i64,
    currency: &str,
    memo: &str,
    now: DateTime<Utc>,
) -> Result<ledger_entries::Model> {
    if amount_minor == 0 {
        return Err(Error::invalid("amountMinor", "must not be zero"));
    }
    let currency = Currency::parse(currency).map_err(|e| e.renamed("currency"))?;
    if memo.trim().is_empty() || memo.len() > 500 {
        return Err(Error::invalid("memo", "say why, in 1 to 500 characters"));
    }
    let txn = begin_write(conn).await?;
    participant(&txn, tenant_id, participant_id).await?;
    let id = ledger::post(
        &txn,
        Entry {
            tenant_id,
            participant_id,
            account: RewardType::Cash,
            currency: currency.code().to_owned(),
            amount_minor,
            kind: LedgerKind::Adjustment,
            reward_id: None,
            payout_id: None,
            campaign_id: None,
            memo: memo.trim().to_owned(),
            available_at: now,
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "ledger.adjust",
        "participant",
        Some(participant_id),
        json!({ "amount_minor": amount_minor, "currency": currency.code(), "memo": memo.trim() }),
        now,
    )
    .await?;
    let entry = ledger_entries::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("ledger entry vanished")))?;
    txn.commit().await?;
    Ok(entry)
}

/// Mark a participant's tax details as on file (or not); held payouts are re-checked.
pub async fn set_tax_status(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    participant_id: Uuid,
    on_file: bool,
    now: DateTime<Utc>,
) -> Result<participants::Model> {
    let txn = begin_write(conn).await?;
    let p = participant(&txn, tenant_id, participant_id).await?;
    let mut m = p.into_active_model();
    m.tax_status = Set(if on_file {
        TaxStatus::OnFile
    } else {
        TaxStatus::Missing
    });
    m.updated_at = Set(now);
    let p = m.update(&txn).await?;
    let released = recheck_holds(&txn, participant_id, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "participant.tax_status",
        "participant",
        Some(participant_id),
        json!({ "on_file": on_file, "payouts_released": released }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(p)
}

/// Record a participant's payout account and its onboarding state; held payouts are re-checked
/// when it is complete.
pub async fn set_payout_account(
    conn: &impl TransactionTrait,
    tenant_id: Uuid,
    participant_id: Uuid,
    account_id: &str,
    status: PayoutOnboarding,
    now: DateTime<Utc>,
) -> Result<participants::Model> {
    let txn = begin_write(conn).await?;
    let p = participant(&txn, tenant_id, participant_id).await?;
    let mut m = p.into_active_model();
    m.payout_account_id = Set(Some(account_id.to_owned()));
    m.payout_status = Set(status);
    m.updated_at = Set(now);
    let p = m.update(&txn).await?;
    if status == PayoutOnboarding::Complete {
        recheck_holds(&txn, participant_id, now).await?;
    }
    txn.commit().await?;
    Ok(p)
}

/// The participant (for onboarding).
pub async fn participant_of_tenant(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<participants::Model> {
    participant(conn, tenant_id, id).await
}
