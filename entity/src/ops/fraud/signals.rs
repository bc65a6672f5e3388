//! Fraud validation against the database: gather the facts about a referral, score them with the
//! pure rules of `domain::fraud`, and store the decision with every signal behind it.
//!
//! Facts are read "as of" the referral (velocity counts the hour and day before it was created,
//! devices count from the policy's window before it), so a replay of old referrals under another
//! policy sees what the live decision saw.

use std::collections::HashSet;

use crate::{
    domain::{
        email::Email,
        fraud::{self, Decision, Facts, Policy, SharedDevice, Signal},
        ids::derived_id,
    },
    tables::{
        DecidedBy, ReferralStatus, ValidationCause, campaigns, clicks, conversions,
        device_sightings, fraud_decisions, fraud_signals, participants, referrals,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TryInsertResult, sea_query::OnConflict,
};
use uuid::Uuid;

/// The campaign's policy, or the default when it has none (or one this build cannot read).
pub fn policy_of(campaign: &campaigns::Model) -> Policy {
    campaign
        .fraud_policy
        .as_ref()
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default()
}

/// The referral's status for a rules decision.
pub fn status_of(decision: Decision) -> ReferralStatus {
    match decision {
        Decision::Approved => ReferralStatus::Approved,
        Decision::Review => ReferralStatus::Review,
        Decision::Rejected => ReferralStatus::Rejected,
    }
}

fn parse_email(s: Option<&str>) -> Option<Email> {
    s.and_then(|s| Email::parse(s).ok())
}

/// Everything the rules look at, read from the database.
pub async fn gather(
    conn: &impl ConnectionTrait,
    referral: &referrals::Model,
    policy: &Policy,
) -> Result<Facts, DbErr> {
    let tenant = referral.tenant_id;
    let at = referral.created_at;
    let referrer = participants::Entity::find_by_id(referral.referrer_participant_id)
        .one(conn)
        .await?;
    let conversions = conversions::Entity::find()
        .filter(conversions::Column::ReferralId.eq(referral.id))
        .order_by_asc(conversions::Column::OccurredAt)
        .all(conn)
        .await?;

    let referee_email = conversions
        .iter()
        .find_map(|c| parse_email(c.customer_email.as_deref()))
        .or_else(|| parse_email(referral.referee_email.as_deref()));

    let (referrer_fingerprints, referrer_devices, referrer_addresses) = match &referrer {
        Some(referrer) => {
            let fingerprints: Vec<String> = conversions::Entity::find()
                .select_only()
                .column(conversions::Column::PaymentFingerprint)
                .filter(conversions::Column::TenantId.eq(tenant))
                .filter(conversions::Column::CustomerExternalId.eq(referrer.external_id.as_str()))
                .filter(conversions::Column::PaymentFingerprint.is_not_null())
                .into_tuple::<Option<String>>()
                .all(conn)
                .await?
                .into_iter()
                .flatten()
                .collect();
            let (devices, addresses) = sightings(
                conn,
                tenant,
                &referrer.external_id,
                at - Duration::days(i64::from(policy.shared_device_days)),
            )
            .await?;
            (fingerprints, devices, addresses)
        }
        None => Default::default(),
    };
    let referee_fingerprints: Vec<&String> = conversions
        .iter()
        .filter_map(|c| c.payment_fingerprint.as_ref())
        .collect();
    let referee_fingerprint = referee_fingerprints
        .iter()
        .find(|f| referrer_fingerprints.contains(f))
        .or(referee_fingerprints.first())
        .map(|f| (*f).clone());

    let (mut referee_devices, referee_addresses) = sightings(
        conn,
        tenant,
        &referral.referee_external_id,
        at - Duration::days(i64::from(policy.shared_device_days)),
    )
    .await?;
    if let Some(click_id) = referral.click_id
        && let Some(click) = clicks::Entity::find_by_id(click_id).one(conn).await?
    {
        referee_devices.insert(click.visitor_hash);
    }
    let shared_device = if !referee_devices.is_disjoint(&referrer_devices) {
        Some(SharedDevice::Device)
    } else if !referee_addresses.is_disjoint(&referrer_addresses) {
        Some(SharedDevice::Address)
    } else {
        None
    };

    let since = |d: Duration| {
        referrals::Entity::find()
            .filter(referrals::Column::ReferrerParticipantId.eq(referral.referrer_participant_id))
            .filter(referrals::Column::CreatedAt.gt(at - d))
            .filter(referrals::Column::CreatedAt.lte(at))
            .count(conn)
    };
    let last_hour = since(Duration::hours(1)).await?;
    let last_day = since(Duration::days(1)).await?;

    let prior = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant))
        .filter(conversions::Column::CustomerExternalId.eq(referral.referee_external_id.as_str()))
        .filter(conversions::Column::OccurredAt.lt(referral.attributed_at.min(at)))
        .filter(
            Condition::any()
                .add(conversions::Column::ReferralId.is_null())
                .add(conversions::Column::ReferralId.ne(referral.id)),
        )
        .count(conn)
        .await?;

    let refunded_bps = conversions
        .iter()
        .filter(|c| c.amount_minor > 0)
        .map(|c| {
            let bps = i128::from(c.refunded_minor) * 10_000 / i128::from(c.amount_minor);
            u32::try_from(bps.clamp(0, 10_000)).unwrap_or(10_000)
        })
        .max()
        .unwrap_or(0);

    Ok(Facts {
        referrer_email: referrer.as_ref().and_then(|r| parse_email(Some(&r.email))),
        referee_email,
        referrer_fingerprints,
        referee_fingerprint,
        shared_device,
        referrer_referrals_last_hour: u32::try_from(last_hour).unwrap_or(u32::MAX),
        referrer_referrals_last_day: u32::try_from(last_day).unwrap_or(u32::MAX),
        referee_prior_conversions: u32::try_from(prior).unwrap_or(u32::MAX),
        refunded_bps,
    })
}

/// Visitor hashes and address hashes a customer was seen with since `since`.
async fn sightings(
    conn: &impl ConnectionTrait,
    tenant: Uuid,
    customer: &str,
    since: DateTime<Utc>,
) -> Result<(HashSet<String>, HashSet<String>), DbErr> {
    let rows: Vec<(String, String)> = device_sightings::Entity::find()
        .select_only()
        .column(device_sightings::Column::VisitorHash)
        .column(device_sightings::Column::IpHash)
        .filter(device_sightings::Column::TenantId.eq(tenant))
        .filter(device_sightings::Column::CustomerExternalId.eq(customer))
        .filter(device_sightings::Column::SeenAt.gte(since))
        .limit(1_000)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().unzip())
}

/// What made this validation run.
pub fn cause_of(conversion: Option<&conversions::Model>) -> ValidationCause {
    match conversion {
        None => ValidationCause::Lead,
        Some(c) if c.refunded_minor > 0 => ValidationCause::Refund,
        Some(_) => ValidationCause::Conversion,
    }
}

/// A rules decision to store.
pub struct RulesDecision<'a> {
    /// The referral.
    pub referral: &'a referrals::Model,
    /// The conversion that triggered it.
    pub conversion: Option<&'a conversions::Model>,
    /// The policy it was scored under.
    pub policy: &'a Policy,
    /// Every signal, shadow ones included.
    pub signals: &'a [Signal],
    /// The counted total.
    pub total: u32,
    /// The outcome.
    pub decision: Decision,
}

/// Store a rules decision and its signals. The decision's id is derived from what triggered it
/// (referral, conversion, refunded amount), so a job that runs twice stores it once; returns
/// `false` when it was stored before.
pub async fn store(
    txn: &impl ConnectionTrait,
    d: RulesDecision<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let cause = cause_of(d.conversion);
    let key = format!(
        "fraud:{}:{}:{}:{}",
        d.referral.id,
        d.conversion
            .map_or_else(|| "lead".to_owned(), |c| c.id.to_string()),
        d.conversion.map_or(0, |c| c.refunded_minor),
        cause.as_str(),
    );
    let id = derived_id(&key);
    let inserted = fraud_decisions::Entity::insert(fraud_decisions::ActiveModel {
        id: Set(id),
        tenant_id: Set(d.referral.tenant_id),
        referral_id: Set(d.referral.id),
        conversion_id: Set(d.conversion.map(|c| c.id)),
        cause: Set(cause),
        total_score: Set(i32::try_from(d.total).unwrap_or(i32::MAX)),
        decision: Set(status_of(d.decision)),
        decided_by: Set(DecidedBy::Rules),
        reviewer_id: Set(None),
        reason: Set(None),
        policy: Set(serde_json::to_value(d.policy).map_err(|e| DbErr::Custom(e.to_string()))?),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(fraud_decisions::Column::Id)
            .do_nothing()
            .to_owned(),
    )
    .try_insert()
    .exec_without_returning(txn)
    .await?;
    if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
        return Ok(false);
    }
    store_signals(txn, d.referral, id, d.signals, now).await?;
    Ok(true)
}

async fn store_signals(
    txn: &impl ConnectionTrait,
    referral: &referrals::Model,
    decision_id: Uuid,
    signals: &[Signal],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if signals.is_empty() {
        return Ok(());
    }
    let rows = signals.iter().map(|s| fraud_signals::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(referral.tenant_id),
        decision_id: Set(decision_id),
        referral_id: Set(referral.id),
        rule: Set(s.rule.as_str().to_owned()),
        score: Set(i32::try_from(s.score).unwrap_or(i32::MAX)),
        shadow: Set(s.shadow),
        evidence: Set(s.evidence.clone()),
        created_at: Set(now),
    });
    fraud_signals::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Has a reviewer decided this referral? Their word stands over later rule runs.
pub async fn reviewed(conn: &impl ConnectionTrait, referral_id: Uuid) -> Result<bool, DbErr> {
    Ok(fraud_decisions::Entity::find()
        .filter(fraud_decisions::Column::ReferralId.eq(referral_id))
        .filter(fraud_decisions::Column::DecidedBy.eq(DecidedBy::Reviewer))
        .count(conn)
        .await?
        > 0)
}

/// Score a referral under `policy` (no writes).
pub async fn score(
    conn: &impl ConnectionTrait,
    referral: &referrals::Model,
    policy: &Policy,
) -> Result<(Vec<Signal>, u32, Decision), DbErr> {
    let facts = gather(conn, referral, policy).await?;
    Ok(fraud::evaluate(&facts, policy))
}
