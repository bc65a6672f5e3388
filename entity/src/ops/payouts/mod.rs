//! Payouts' rules over the database: a tenant's settings, its schedule, what holds a payout and
//! the move from `awaiting_approval` to `pending` (with its pay job). The job runtime runs them
//! (`grapevine-worker`'s payout handlers) and finance approves them (the API): finance's
//! operations are in [`manage`], a participant's onboarding with the provider in [`onboarding`].

mod manage;
mod onboarding;

pub use manage::{
    Balance, SettingsDraft, adjust, approve, attempts, balances, cancel, get, get_settings,
    participant_of_tenant, retry, set_payout_account, set_settings, set_tax_status,
};
pub use onboarding::{Connect, ConnectAccounts, Refusal, onboarding_link, refresh_onboarding};

use crate::tables::{
    PayoutOnboarding, PayoutProvider, PayoutSchedule, PayoutStatus, TaxStatus, participants,
    payout_settings, payouts,
};
use chrono::{DateTime, Datelike, TimeZone, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::ops::{jobs::PayPayout, outbox::enqueue};

/// Payout attempts before a payout is dead, unless the tenant says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

/// A tenant's payout settings, or the defaults (dry run, immediate, no minimum, no thresholds).
pub async fn settings(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<payout_settings::Model, DbErr> {
    Ok(payout_settings::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .unwrap_or_else(|| default_settings(tenant_id)))
}

/// The settings of a tenant that has set none.
pub fn default_settings(tenant_id: Uuid) -> payout_settings::Model {
    payout_settings::Model {
        tenant_id,
        provider: PayoutProvider::DryRun,
        schedule: PayoutSchedule::Immediate,
        minimum_minor: 1,
        approval_threshold_minor: None,
        tax_threshold_minor: None,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

/// Is this schedule due for a participant whose last payout in the currency was at `last`?
pub fn schedule_due(
    schedule: PayoutSchedule,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    let Some(last) = last else { return true };
    match schedule {
        PayoutSchedule::Immediate => true,
        PayoutSchedule::Daily => last.date_naive() < now.date_naive(),
        PayoutSchedule::Weekly => {
            let (a, b) = (last.iso_week(), now.iso_week());
            (a.year(), a.week()) < (b.year(), b.week())
        }
    }
}

/// Why a payout cannot go to the provider yet, if it cannot.
pub async fn hold_reason(
    conn: &impl ConnectionTrait,
    settings: &payout_settings::Model,
    participant: &participants::Model,
    payout: &payouts::Model,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, DbErr> {
    if let Some(threshold) = settings.tax_threshold_minor
        && participant.tax_status != TaxStatus::OnFile
    {
        let year_start = Utc
            .with_ymd_and_hms(now.year(), 1, 1, 0, 0, 0)
            .single()
            .unwrap_or(now);
        let this_year: Vec<i64> = payouts::Entity::find()
            .select_only()
            .column(payouts::Column::AmountMinor)
            .filter(payouts::Column::ParticipantId.eq(participant.id))
            .filter(payouts::Column::Currency.eq(payout.currency.as_str()))
            .filter(payouts::Column::Id.ne(payout.id))
            .filter(payouts::Column::Status.ne(PayoutStatus::Cancelled))
            .filter(payouts::Column::CreatedAt.gte(year_start))
            .into_tuple()
            .all(conn)
            .await?;
        let total: i64 = this_year.iter().sum::<i64>() + payout.amount_minor;
        if total > threshold {
            return Ok(Some("tax_details_missing"));
        }
    }
    if payout.provider == PayoutProvider::Stripe
        && (participant.payout_account_id.is_none()
            || participant.payout_status != PayoutOnboarding::Complete)
    {
        return Ok(Some("payout_account_missing"));
    }
    Ok(None)
}

/// Move a payout that may now proceed to `pending` and queue its payment (or put it on hold
/// with the reason). Used after approval and when a hold may have lifted.
pub async fn proceed(
    conn: &impl ConnectionTrait,
    payout: payouts::Model,
    now: DateTime<Utc>,
) -> Result<payouts::Model, DbErr> {
    let settings = settings(conn, payout.tenant_id).await?;
    let participant = participants::Entity::find_by_id(payout.participant_id)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("participant {}", payout.participant_id)))?;
    let reason = hold_reason(conn, &settings, &participant, &payout, now).await?;
    let tenant_id = payout.tenant_id;
    let id = payout.id;
    let mut m = payout.into_active_model();
    m.updated_at = Set(now);
    match reason {
        Some(reason) => {
            m.status = Set(PayoutStatus::OnHold);
            m.hold_reason = Set(Some(reason.to_owned()));
        }
        None => {
            m.status = Set(PayoutStatus::Pending);
            m.hold_reason = Set(None);
            enqueue(conn, Some(tenant_id), &PayPayout { payout_id: id }, now).await?;
        }
    }
    m.update(conn).await
}

/// Re-check a participant's held payouts (after their tax details or payout account changed).
pub async fn recheck_holds(
    conn: &impl ConnectionTrait,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let held = payouts::Entity::find()
        .filter(payouts::Column::ParticipantId.eq(participant_id))
        .filter(payouts::Column::Status.eq(PayoutStatus::OnHold))
        .all(conn)
        .await?;
    let mut moved = 0;
    for payout in held {
        if proceed(conn, payout, now).await?.status == PayoutStatus::Pending {
            moved += 1;
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
    }

    #[test]
    fn a_first_payout_is_always_due() {
        let now = at(2026, 11, 26, 10, 0, 0);
        for schedule in [
            PayoutSchedule::Immediate,
            PayoutSchedule::Daily,
            PayoutSchedule::Weekly,
        ] {
            assert!(schedule_due(schedule, None, now), "{schedule:?}");
        }
    }

    #[test]
    fn immediate_is_always_due() {
        let now = at(2026, 11, 26, 10, 0, 0);
        assert!(schedule_due(PayoutSchedule::Immediate, Some(now), now));
    }

    #[test]
    fn daily_turns_over_at_utc_midnight() {
        let last = at(2026, 11, 26, 0, 0, 0);
        let due = |now| schedule_due(PayoutSchedule::Daily, Some(last), now);
        assert!(!due(at(2026, 11, 26, 23, 59, 59)));
        assert!(due(at(2026, 11, 27, 0, 0, 0)));
        // Across a month and a year.
        let last = at(2026, 12, 31, 23, 59, 59);
        assert!(!schedule_due(PayoutSchedule::Daily, Some(last), last));
        assert!(schedule_due(
            PayoutSchedule::Daily,
            Some(last),
            at(2027, 1, 1, 0, 0, 0)
        ));
    }

    #[test]
    fn weekly_turns_over_on_monday_of_the_next_iso_week() {
        // Thursday of week 48 → due from Monday 30 November 00:00 UTC.
        let last = at(2026, 11, 26, 10, 0, 0);
        let due = |now| schedule_due(PayoutSchedule::Weekly, Some(last), now);
        assert!(!due(at(2026, 11, 29, 23, 59, 59)));
        assert!(due(at(2026, 11, 30, 0, 0, 0)));
        // 2026 has 53 ISO weeks: Thursday 31 December and Friday 1 January are both in week
        // 53 of 2026, so a payout on the 31st makes the next one wait until Monday 4 January.
        let last = at(2026, 12, 31, 12, 0, 0);
        let due = |now| schedule_due(PayoutSchedule::Weekly, Some(last), now);
        assert!(!due(at(2027, 1, 1, 12, 0, 0)));
        assert!(!due(at(2027, 1, 3, 23, 59, 59)));
        assert!(due(at(2027, 1, 4, 0, 0, 0)));
    }
}
