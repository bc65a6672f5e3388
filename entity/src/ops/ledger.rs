//! The append-only ledger: every reward, reversal, clawback, fulfilment, payout and adjustment is
//! one signed entry; a balance is a sum. An entry counts towards what can be paid out from its
//! `available_at` (a held reward's entry becomes available when its hold ends).
//!
//! A payout pays a participant's cash balance and marks the rewards that make it up, so it must
//! see a balance nobody is changing: every posting to a cash account, and the payout run, first
//! take the participant's lock ([`lock_participant`]) and hold it until they commit.

use crate::tables::{
    LedgerKind, RewardStatus, RewardType, campaigns, ledger_entries, participants, rewards,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::ops::webhook_events as hooks;

/// One entry to post.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Whose balance.
    pub participant_id: Uuid,
    /// Which balance: cash, coupon, credit or gift card.
    pub account: RewardType,
    /// ISO currency.
    pub currency: String,
    /// Signed amount in minor units.
    pub amount_minor: i64,
    /// Why.
    pub kind: LedgerKind,
    /// The reward it concerns.
    pub reward_id: Option<Uuid>,
    /// The payout it concerns.
    pub payout_id: Option<Uuid>,
    /// The campaign it concerns.
    pub campaign_id: Option<Uuid>,
    /// A human note.
    pub memo: String,
    /// From when it counts towards the payable balance.
    pub available_at: DateTime<Utc>,
}

/// Serialise changes to one participant's cash balance until the caller's transaction ends (see
/// [`lock_participants`]).
pub async fn lock_participant(
    conn: &impl ConnectionTrait,
    participant_id: Uuid,
) -> Result<(), DbErr> {
    lock_participants(conn, &[participant_id]).await
}

/// Lock several participants at once, in the one order every transaction takes them (by id, and
/// always before the campaign's row: reward creation reserves the budget last, reversals give it
/// back after locking their participants), so two transactions never wait for each other in a
/// circle.
///
/// On PostgreSQL one `SELECT … ORDER BY id FOR UPDATE`: its rows are locked in the order the sort
/// hands them out, and a row lock writes no new row version (an `UPDATE` to itself would, on
/// every posting). On SQLite, whose transactions do not lock rows, a write to each row takes the
/// database's write lock even in a transaction begun for reading.
pub async fn lock_participants(
    conn: &impl ConnectionTrait,
    participant_ids: &[Uuid],
) -> Result<(), DbErr> {
    let mut ids = participant_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    if conn.get_database_backend() == DbBackend::Postgres {
        participants::Entity::find()
            .select_only()
            .column(participants::Column::Id)
            .filter(participants::Column::Id.is_in(ids))
            .order_by_asc(participants::Column::Id)
            .lock_exclusive()
            .into_tuple::<Uuid>()
            .all(conn)
            .await?;
        return Ok(());
    }
    for id in ids {
        participants::Entity::update_many()
            .col_expr(
                participants::Column::UpdatedAt,
                Expr::col(participants::Column::UpdatedAt),
            )
            .filter(participants::Column::Id.eq(id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Append an entry (to a cash account under the participant's lock).
pub async fn post(
    conn: &impl ConnectionTrait,
    e: Entry,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    if e.account == RewardType::Cash {
        lock_participant(conn, e.participant_id).await?;
    }
    let id = Uuid::now_v7();
    ledger_entries::ActiveModel {
        id: Set(id),
        tenant_id: Set(e.tenant_id),
        participant_id: Set(e.participant_id),
        account: Set(e.account),
        currency: Set(e.currency),
        amount_minor: Set(e.amount_minor),
        kind: Set(e.kind),
        reward_id: Set(e.reward_id),
        payout_id: Set(e.payout_id),
        campaign_id: Set(e.campaign_id),
        memo: Set(e.memo),
        available_at: Set(e.available_at),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(id)
}

/// The sum of a participant's entries in one account and currency; with `available_at`, only
/// those available by then (the payable balance).
pub async fn balance(
    conn: &impl ConnectionTrait,
    participant_id: Uuid,
    account: RewardType,
    currency: &str,
    available_at: Option<DateTime<Utc>>,
) -> Result<i64, DbErr> {
    let mut q = ledger_entries::Entity::find()
        .select_only()
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends return an integer.
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT)"),
            "total",
        )
        .filter(ledger_entries::Column::ParticipantId.eq(participant_id))
        .filter(ledger_entries::Column::Account.eq(account))
        .filter(ledger_entries::Column::Currency.eq(currency));
    if let Some(at) = available_at {
        q = q.filter(ledger_entries::Column::AvailableAt.lte(at));
    }
    Ok(q.into_tuple::<i64>().one(conn).await?.unwrap_or(0))
}

/// Reverse `delta` of a reward: before it is settled (fulfilled, paid or in a payout) the reward
/// shrinks and the reversal nets its still-held entry; after, a clawback entry is posted that later
/// payouts net off. Either way the campaign's budget gets `delta` back.
pub async fn reverse(
    conn: &impl ConnectionTrait,
    reward: rewards::Model,
    delta: i64,
    memo: &str,
    now: DateTime<Utc>,
) -> Result<rewards::Model, DbErr> {
    let delta = std::cmp::min(delta, reward.amount_minor - reward.reversed_minor);
    if delta <= 0 {
        return Ok(reward);
    }
    if reward.reward_type == RewardType::Cash {
        // The participant first, the campaign's row (the budget given back below) last: the order
        // of [`lock_participants`], so a reversal and a new reward cannot deadlock.
        lock_participant(conn, reward.participant_id).await?;
    }
    // Whether it is settled is read now, under the lock: a payout run may have taken the reward
    // into a payout since the caller read it.
    let current = rewards::Entity::find_by_id(reward.id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("reward {}", reward.id)))?;
    let settled = current.payout_id.is_some()
        || matches!(current.status, RewardStatus::Fulfilled | RewardStatus::Paid);
    // Claim the reversal first, on the amount this caller saw: of two jobs reversing the same
    // reward at once (a refund's re-check and a conversion's, say), only the one whose view is
    // still current moves it and posts the entry; the other finds it already done.
    let reversed = reward.reversed_minor + delta;
    let fully = reversed >= reward.amount_minor;
    let mut claim = rewards::Entity::update_many()
        .col_expr(rewards::Column::ReversedMinor, Expr::value(reversed))
        .col_expr(rewards::Column::UpdatedAt, Expr::value(now));
    if fully && !settled {
        claim = claim
            .col_expr(
                rewards::Column::Status,
                Expr::value(RewardStatus::Reversed.as_str()),
            )
            .col_expr(rewards::Column::SettledAt, Expr::value(Some(now)));
    }
    let claimed = claim
        .filter(rewards::Column::Id.eq(reward.id))
        .filter(rewards::Column::ReversedMinor.eq(reward.reversed_minor))
        .exec(conn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return rewards::Entity::find_by_id(reward.id)
            .one(conn)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("reward {}", reward.id)));
    }
    post(
        conn,
        Entry {
            tenant_id: reward.tenant_id,
            participant_id: reward.participant_id,
            account: reward.reward_type,
            currency: reward.currency.clone(),
            amount_minor: -delta,
            kind: if settled {
                LedgerKind::Clawback
            } else {
                LedgerKind::Reversal
            },
            reward_id: Some(reward.id),
            payout_id: None,
            campaign_id: Some(reward.campaign_id),
            memo: memo.to_owned(),
            // A reversal of a held reward nets its entry when that becomes available, so the
            // payable balance never dips below zero in between.
            available_at: if settled {
                now
            } else {
                std::cmp::max(reward.release_at, now)
            },
        },
        now,
    )
    .await?;
    campaigns::Entity::update_many()
        .col_expr(
            campaigns::Column::BudgetReservedMinor,
            Expr::col(campaigns::Column::BudgetReservedMinor).sub(delta),
        )
        .filter(campaigns::Column::Id.eq(reward.campaign_id))
        .exec(conn)
        .await?;
    let reversed = rewards::Entity::find_by_id(reward.id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("reward {}", reward.id)))?;
    hooks::emit(
        conn,
        &hooks::Event::reward_reversed(&reversed, delta, settled),
        now,
    )
    .await?;
    Ok(reversed)
}
