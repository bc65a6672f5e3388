//! Leads and conversions reported by the merchant, attributed to at most one referrer per referee
//! and campaign, each attributed one written with its validation job in the same transaction.
//!
//! A touch is, in order of precedence: a tracked click (`gv_click`), the referrer's code (typed at
//! checkout or carried in `ref`), or the customer already being tied to a referral. Clicks count
//! within the campaign's attribution window; first touch wins unless the campaign says last touch.

use crate::ops::webhook_events as hooks;
use crate::ops::{
    jobs::ValidateReferral,
    outbox::{JobKind, enqueue_kind},
};
use crate::{
    db::begin_write,
    domain::{
        FieldError,
        attribution::{self, Model as AttributionRule},
        email::Email,
        money::Currency,
    },
    tables::{
        AttributionModel, AttributionSource, CampaignStatus, ReferralStatus, campaigns, clicks,
        conversions, device_sightings, participants, referral_links, referrals,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionSession, TransactionTrait, TryInsertResult,
    sea_query::OnConflict,
};
use uuid::Uuid;

use crate::ops::error::{Error, Result};

mod fx;
mod refund;

use fx::converted;
pub use fx::set_fx_rate;
pub use refund::refund;

/// Attempts of a validation job before it is dead.
const VALIDATE_ATTEMPTS: i32 = 10;

/// Who the customer is, as the merchant reports them.
#[derive(Debug, Clone)]
pub struct Customer {
    /// The merchant's customer id.
    pub id: String,
    /// Email, when known.
    pub email: Option<Email>,
}

/// The keyed hashes of a customer's device (never the address itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Address and browser.
    pub visitor_hash: String,
    /// Address alone.
    pub ip_hash: String,
}

/// Remember that `customer` used `device` (for the shared-device fraud rule); at most one row per
/// customer, device and day.
pub async fn record_sighting(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    customer: &str,
    device: &Device,
    source: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let seen = device_sightings::Entity::find()
        .filter(device_sightings::Column::TenantId.eq(tenant_id))
        .filter(device_sightings::Column::CustomerExternalId.eq(customer))
        .filter(device_sightings::Column::VisitorHash.eq(device.visitor_hash.as_str()))
        .filter(device_sightings::Column::SeenAt.gt(now - chrono::Duration::days(1)))
        .one(conn)
        .await?;
    if seen.is_none() {
        device_sightings::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            customer_external_id: Set(customer.to_owned()),
            visitor_hash: Set(device.visitor_hash.clone()),
            ip_hash: Set(device.ip_hash.clone()),
            source: Set(source.to_owned()),
            seen_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Where the customer came from, as the merchant reports it.
#[derive(Debug, Clone, Default)]
pub struct TouchInput {
    /// `gv_click` from the landing URL.
    pub click_id: Option<Uuid>,
    /// A referral code (from `ref`, or typed at checkout).
    pub code: Option<String>,
}

fn customer(id: &str, email: Option<&str>) -> Result<Customer> {
    let id = id.trim();
    if id.is_empty() || id.len() > 200 {
        return Err(Error::invalid("customerId", "must be 1 to 200 characters"));
    }
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(Email::parse)
        .transpose()
        .map_err(|e| e.renamed("email"))?;
    Ok(Customer {
        id: id.to_owned(),
        email,
    })
}

/// A resolved touch.
struct Touch {
    link: referral_links::Model,
    campaign: campaigns::Model,
    referrer: participants::Model,
    click: Option<clicks::Model>,
    at: DateTime<Utc>,
    source: AttributionSource,
}

/// How long after its redirect a click id may still be on its way to the database: the redirect
/// answers at once and writes clicks in batches (a few milliseconds, longer under load).
const CLICK_IN_FLIGHT: std::time::Duration = std::time::Duration::from_secs(10);
/// How long a report naming such a click waits for it to be written.
const CLICK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// A shop's server may report a lead or a purchase the moment its landing page saw `gv_click`,
/// before the redirect's batch writer has stored that click. When the id is a click id minted in
/// the last [`CLICK_IN_FLIGHT`] (its UUIDv7 time, on the wall clock that minted it) and is not
/// stored yet, wait up to [`CLICK_WAIT`] for it, before the report's transaction begins (on SQLite
/// a write transaction would hold off the writer it waits for). Anything else returns at once and
/// the report goes on as usual (an unknown click is then refused as before).
async fn await_click_in_flight(conn: &impl ConnectionTrait, tenant_id: Uuid, touch: &TouchInput) {
    let Some(click_id) = touch.click_id else {
        return;
    };
    let minted = click_id
        .get_timestamp()
        .map(|t| {
            let (secs, nanos) = t.to_unix();
            std::time::UNIX_EPOCH + std::time::Duration::new(secs, nanos)
        })
        .and_then(|at| std::time::SystemTime::now().duration_since(at).ok());
    if minted.is_none_or(|age| age > CLICK_IN_FLIGHT) {
        return;
    }
    let stored = || async {
        clicks::Entity::find_by_id(click_id)
            .filter(clicks::Column::TenantId.eq(tenant_id))
            .count(conn)
            .await
            .is_ok_and(|n| n > 0)
    };
    let deadline = tokio::time::Instant::now() + CLICK_WAIT;
    while !stored().await && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

async fn resolve_touch(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    input: &TouchInput,
    now: DateTime<Utc>,
) -> Result<Option<Touch>> {
    let (link, click) = if let Some(click_id) = input.click_id {
        let click = clicks::Entity::find_by_id(click_id)
            .filter(clicks::Column::TenantId.eq(tenant_id))
            .one(conn)
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "clickId",
                    "no such click (it must come from a /r/ redirect of this tenant)",
                )
            })?;
        let link = link_with_owners(
            conn,
            sea_orm::Condition::all().add(referral_links::Column::Id.eq(click.link_id)),
            tenant_id,
        )
        .await?
        .ok_or(Error::NotFound("referral link"))?;
        (link, Some(click))
    } else if let Some(code) = input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        let link = link_with_owners(
            conn,
            sea_orm::Condition::all()
                .add(referral_links::Column::Code.eq(code.to_ascii_uppercase()))
                .add(referral_links::Column::DisabledAt.is_null()),
            tenant_id,
        )
        .await?
        .ok_or_else(|| Error::invalid("code", format!("no referral code {code:?}")))?;
        (link, None)
    } else {
        return Ok(None);
    };
    let (link, campaign, referrer) = link;
    let (at, source) = match &click {
        Some(c) => (c.created_at, AttributionSource::Click),
        None => (now, AttributionSource::Code),
    };
    Ok(Some(Touch {
        link,
        campaign,
        referrer,
        click,
        at,
        source,
    }))
}

/// A tenant's link matching `condition`, with its campaign and its participant (the referrer), in
/// one statement.
async fn link_with_owners(
    conn: &impl ConnectionTrait,
    condition: sea_orm::Condition,
    tenant_id: Uuid,
) -> Result<Option<(referral_links::Model, campaigns::Model, participants::Model)>> {
    let found = referral_links::Entity::find()
        .filter(condition)
        .filter(referral_links::Column::TenantId.eq(tenant_id))
        .find_also_related(campaigns::Entity)
        .find_also_related(participants::Entity)
        .one(conn)
        .await?;
    Ok(match found {
        Some((link, Some(campaign), Some(referrer))) => Some((link, campaign, referrer)),
        Some((_, None, _)) => return Err(Error::NotFound("campaign")),
        Some((_, _, None)) => return Err(Error::NotFound("referrer")),
        None => None,
    })
}

/// Why nothing was attributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAttributed {
    /// No click, code or earlier referral.
    NoTouch,
    /// The click is older than the campaign's attribution window.
    OutsideWindow,
    /// The campaign is not active.
    CampaignInactive,
}

impl NotAttributed {
    /// Stable text for clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoTouch => "no_touch",
            Self::OutsideWindow => "outside_attribution_window",
            Self::CampaignInactive => "campaign_not_active",
        }
    }
}

/// Tie the customer to the touch's referrer (or keep the existing tie, per the campaign's model)
/// as of `now` (the report's time); a new tie raises `referral.attributed`, stored at `emitted_at`.
async fn attribute(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    touch: Touch,
    customer: &Customer,
    (now, emitted_at): (DateTime<Utc>, DateTime<Utc>),
) -> Result<Result<(referrals::Model, bool), NotAttributed>> {
    if touch.campaign.status != CampaignStatus::Active {
        return Ok(Err(NotAttributed::CampaignInactive));
    }
    if touch.click.is_some()
        && !attribution::within_window(touch.at, now, touch.campaign.attribution_window_days)
    {
        return Ok(Err(NotAttributed::OutsideWindow));
    }
    let referrer = &touch.referrer;
    if referrer.external_id == customer.id {
        return Err(Error::Validation(vec![FieldError::new(
            "customerId",
            "a customer cannot refer themselves (same customer id as the referrer)",
        )]));
    }
    // Most reports tie a new customer: the insert is the check, and returns the row it wrote. A
    // customer already tied (or a concurrent report for them that won the unique index) is read
    // back and kept or re-tied per the campaign's model.
    let row = referrals::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(touch.campaign.id),
        referrer_participant_id: Set(referrer.id),
        link_id: Set(touch.link.id),
        click_id: Set(touch.click.as_ref().map(|c| c.id)),
        referee_external_id: Set(customer.id.clone()),
        referee_email: Set(customer.email.as_ref().map(|e| e.as_str().to_owned())),
        source: Set(touch.source),
        status: Set(ReferralStatus::Pending),
        attributed_at: Set(touch.at),
        created_at: Set(now),
        updated_at: Set(now),
        score: Set(None),
        decided_at: Set(None),
    };
    let inserted = referrals::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                referrals::Column::CampaignId,
                referrals::Column::RefereeExternalId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec_with_returning_many(txn)
        .await?;
    if let Some(row) = first_inserted(inserted) {
        hooks::emit(txn, &hooks::Event::referral_attributed(&row), emitted_at).await?;
        return Ok(Ok((row, true)));
    }
    let existing = referrals::Entity::find()
        .filter(referrals::Column::CampaignId.eq(touch.campaign.id))
        .filter(referrals::Column::RefereeExternalId.eq(customer.id.as_str()))
        .one(txn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("referral vanished after a conflict")))?;
    let rule = match touch.campaign.attribution_model {
        AttributionModel::FirstTouch => AttributionRule::FirstTouch,
        AttributionModel::LastTouch => AttributionRule::LastTouch,
    };
    let same = existing.referrer_participant_id == referrer.id;
    if !attribution::replaces(rule, existing.attributed_at, touch.at, same)
        || existing.status != ReferralStatus::Pending
    {
        return Ok(Ok((existing, false)));
    }
    let mut m = existing.into_active_model();
    m.referrer_participant_id = Set(referrer.id);
    m.link_id = Set(touch.link.id);
    m.click_id = Set(touch.click.as_ref().map(|c| c.id));
    m.source = Set(touch.source);
    m.attributed_at = Set(touch.at);
    m.updated_at = Set(now);
    let updated = m.update(txn).await?;
    hooks::emit(
        txn,
        &hooks::Event::referral_attributed(&updated),
        emitted_at,
    )
    .await?;
    Ok(Ok((updated, true)))
}

/// The outcome of a lead.
#[derive(Debug, Clone)]
pub struct LeadOutcome {
    /// The referral the customer is tied to, if any.
    pub referral: Option<referrals::Model>,
    /// Why not, when not.
    pub not_attributed: Option<NotAttributed>,
}

/// `trackLead`: a referred customer signed up.
pub async fn track_lead(
    conn: &(impl TransactionTrait + ConnectionTrait),
    tenant_id: Uuid,
    customer_id: &str,
    email: Option<&str>,
    touch: TouchInput,
    device: Option<Device>,
    now: DateTime<Utc>,
) -> Result<LeadOutcome> {
    let customer = customer(customer_id, email)?;
    await_click_in_flight(conn, tenant_id, &touch).await;
    let txn = begin_write(conn).await?;
    if let Some(device) = &device {
        record_sighting(&txn, tenant_id, &customer.id, device, "lead", now).await?;
    }
    let outcome = match resolve_touch(&txn, tenant_id, &touch, now).await? {
        None => LeadOutcome {
            referral: None,
            not_attributed: Some(NotAttributed::NoTouch),
        },
        Some(touch) => match attribute(&txn, tenant_id, touch, &customer, (now, now)).await? {
            Ok((referral, changed)) => {
                if changed {
                    enqueue_kind(
                        &txn,
                        Some(tenant_id),
                        ValidateReferral::KIND,
                        &ValidateReferral {
                            referral_id: referral.id,
                            conversion_id: None,
                        },
                        VALIDATE_ATTEMPTS,
                        now,
                    )
                    .await?;
                }
                LeadOutcome {
                    referral: Some(referral),
                    not_attributed: None,
                }
            }
            Err(reason) => LeadOutcome {
                referral: None,
                not_attributed: Some(reason),
            },
        },
    };
    txn.commit().await?;
    Ok(outcome)
}

/// A conversion as reported.
#[derive(Debug, Clone)]
pub struct ConversionInput {
    /// The merchant's order id (the idempotency key).
    pub order_id: String,
    /// Customer id.
    pub customer_id: String,
    /// Customer email.
    pub email: Option<String>,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO currency.
    pub currency: String,
    /// When it happened (default: now).
    pub occurred_at: Option<DateTime<Utc>>,
    /// Where the customer came from.
    pub touch: TouchInput,
    /// The card's fingerprint (the payment provider's, e.g. Stripe's `card.fingerprint`).
    pub payment_fingerprint: Option<String>,
    /// The customer's device, when the merchant reports address and browser.
    pub device: Option<Device>,
}

/// The outcome of a conversion report.
#[derive(Debug, Clone)]
pub struct ConversionOutcome {
    /// The stored conversion.
    pub conversion: conversions::Model,
    /// The currency of its campaign, when attributed and new (a replay leaves it to the caller).
    pub campaign_currency: Option<String>,
    /// True when this order id had been reported before (nothing new was written).
    pub duplicate: bool,
    /// Why it was not attributed, when it is organic.
    pub not_attributed: Option<NotAttributed>,
}

/// `trackConversion`: idempotent on `(tenant, order id)`; the conversion and its validation job
/// are written in one transaction.
pub async fn track_conversion(
    conn: &(impl TransactionTrait + ConnectionTrait),
    tenant_id: Uuid,
    input: ConversionInput,
    now: DateTime<Utc>,
) -> Result<ConversionOutcome> {
    let order_id = input.order_id.trim().to_owned();
    if order_id.is_empty() || order_id.len() > 200 {
        return Err(Error::invalid("orderId", "must be 1 to 200 characters"));
    }
    let customer = customer(&input.customer_id, input.email.as_deref())?;
    if input.amount_minor <= 0 {
        return Err(Error::invalid(
            "amountMinor",
            "must be a positive amount in minor units",
        ));
    }
    let currency = Currency::parse(&input.currency).map_err(|e| e.renamed("currency"))?;
    let occurred_at = input.occurred_at.unwrap_or(now);
    let fingerprint = input
        .payment_fingerprint
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    if fingerprint.as_ref().is_some_and(|f| f.len() > 100) {
        return Err(Error::invalid(
            "paymentFingerprint",
            "must be at most 100 characters",
        ));
    }
    await_click_in_flight(conn, tenant_id, &input.touch).await;
    let report = Report {
        tenant_id,
        order_id: &order_id,
        customer: &customer,
        input: &input,
        currency,
        occurred_at,
        fingerprint,
        now,
    };
    // The order's unique key is the idempotency check: a replay finds its insert conflicting (or,
    // when its touch no longer resolves, fails before it), and everything the attempt wrote goes
    // with the transaction. Only then is the stored order read, and compared.
    let txn = begin_write(conn).await?;
    let stored = record(&txn, &report).await;
    if let Ok(Some(outcome)) = stored {
        txn.commit().await?;
        return Ok(outcome);
    }
    txn.rollback().await?;
    let earlier = conversions::Entity::find()
        .filter(conversions::Column::TenantId.eq(tenant_id))
        .filter(conversions::Column::ExternalOrderId.eq(order_id.as_str()))
        .one(conn)
        .await;
    match (earlier, stored) {
        (Ok(Some(existing)), _) => replayed(existing, &report),
        (_, Err(err)) => Err(err),
        (Err(err), Ok(_)) => Err(err.into()),
        (Ok(None), Ok(_)) => Err(Error::Internal(anyhow::anyhow!(
            "order {order_id} conflicted but is not stored"
        ))),
    }
}

/// A conversion report, validated.
struct Report<'a> {
    tenant_id: Uuid,
    order_id: &'a str,
    customer: &'a Customer,
    input: &'a ConversionInput,
    currency: Currency,
    occurred_at: DateTime<Utc>,
    fingerprint: Option<String>,
    now: DateTime<Utc>,
}

/// The answer to a report of an order already stored: the stored conversion when the report says
/// the same, a conflict when it does not.
fn replayed(existing: conversions::Model, report: &Report<'_>) -> Result<ConversionOutcome> {
    let same = existing.customer_external_id == report.customer.id
        && existing.amount_minor == report.input.amount_minor
        && existing.currency == report.currency.code();
    if !same {
        return Err(Error::Conflict(format!(
            "order {} was already reported with a different customer, amount or currency",
            report.order_id
        )));
    }
    Ok(ConversionOutcome {
        conversion: existing,
        campaign_currency: None,
        duplicate: true,
        not_attributed: None,
    })
}

/// Attribute and store a new order with its validation job; `None` when the order is already
/// stored (the caller rolls back).
async fn record(
    txn: &impl ConnectionTrait,
    report: &Report<'_>,
) -> Result<Option<ConversionOutcome>> {
    let Report {
        tenant_id,
        customer,
        input,
        currency,
        occurred_at,
        now,
        ..
    } = *report;
    let attributed = match resolve_touch(txn, tenant_id, &input.touch, now).await? {
        Some(touch) => {
            let campaign = touch.campaign.clone();
            attribute(txn, tenant_id, touch, customer, (occurred_at, now))
                .await?
                .map(|(r, _)| (r, campaign))
        }
        None => earlier_referral(txn, tenant_id, customer, occurred_at).await?,
    };
    let (referral, campaign, not_attributed) = match attributed {
        Ok((r, c)) => (Some(r), Some(c), None),
        Err(reason) => (None, None, Some(reason)),
    };
    let campaign_amount = match &campaign {
        None => None,
        Some(c) if c.currency == currency.code() => Some(input.amount_minor),
        Some(c) => {
            Some(converted(txn, tenant_id, input.amount_minor, currency, &c.currency).await?)
        }
    };
    let row = conversions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.as_ref().map(|c| c.id)),
        referral_id: Set(referral.as_ref().map(|r| r.id)),
        external_order_id: Set(report.order_id.to_owned()),
        customer_external_id: Set(customer.id.clone()),
        customer_email: Set(customer.email.as_ref().map(|e| e.as_str().to_owned())),
        amount_minor: Set(input.amount_minor),
        currency: Set(currency.code().to_owned()),
        campaign_amount_minor: Set(campaign_amount),
        refunded_minor: Set(0),
        organic: Set(referral.is_none()),
        payment_fingerprint: Set(report.fingerprint.clone()),
        occurred_at: Set(occurred_at),
        created_at: Set(now),
    };
    let inserted = conversions::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                conversions::Column::TenantId,
                conversions::Column::ExternalOrderId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec_with_returning_many(txn)
        .await?;
    let Some(conversion) = first_inserted(inserted) else {
        return Ok(None);
    };
    if let Some(device) = &input.device {
        record_sighting(txn, tenant_id, &customer.id, device, "conversion", now).await?;
    }
    if let Some(referral) = &referral {
        let job = ValidateReferral {
            referral_id: referral.id,
            conversion_id: Some(conversion.id),
        };
        enqueue_kind(
            txn,
            Some(tenant_id),
            ValidateReferral::KIND,
            &job,
            VALIDATE_ATTEMPTS,
            now,
        )
        .await?;
    }
    Ok(Some(ConversionOutcome {
        conversion,
        campaign_currency: campaign.map(|c| c.currency),
        duplicate: false,
        not_attributed,
    }))
}

/// The row an `INSERT … ON CONFLICT DO NOTHING RETURNING` wrote; `None` when it wrote none. (Read
/// as a list: SeaORM's single-row variant reports a skipped row as an error "not found".)
fn first_inserted<M>(result: TryInsertResult<Vec<M>>) -> Option<M> {
    match result {
        TryInsertResult::Inserted(rows) => rows.into_iter().next(),
        TryInsertResult::Empty | TryInsertResult::Conflicted => None,
    }
}

/// A customer already tied to a referral in an active campaign, within its window.
async fn earlier_referral(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    customer: &Customer,
    at: DateTime<Utc>,
) -> Result<Result<(referrals::Model, campaigns::Model), NotAttributed>> {
    let candidates = referrals::Entity::find()
        .filter(referrals::Column::TenantId.eq(tenant_id))
        .filter(referrals::Column::RefereeExternalId.eq(customer.id.as_str()))
        .order_by_desc(referrals::Column::AttributedAt)
        .all(conn)
        .await?;
    let mut reason = NotAttributed::NoTouch;
    for referral in candidates {
        let Some(campaign) = campaigns::Entity::find_by_id(referral.campaign_id)
            .one(conn)
            .await?
        else {
            continue;
        };
        if campaign.status != CampaignStatus::Active {
            reason = NotAttributed::CampaignInactive;
            continue;
        }
        if !attribution::within_window(referral.attributed_at, at, campaign.attribution_window_days)
        {
            reason = NotAttributed::OutsideWindow;
            continue;
        }
        return Ok(Ok((referral, campaign)));
    }
    Ok(Err(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any customer id and email a shop sends: no panic, and accepted exactly when the id is
        /// 1 to 200 characters once trimmed and the email (if any) is an address.
        #[test]
        fn customer_inputs_are_accepted_only_when_valid(
            id in "\\PC{0,220}",
            email in proptest::option::of("\\PC{0,60}|[a-z]{1,10}@[a-z]{1,10}\\.[a-z]{2,4}"),
        ) {
            let result = customer(&id, email.as_deref());
            let id_ok = (1..=200).contains(&id.trim().len());
            let email_ok = email
                .as_deref()
                .filter(|e| !e.trim().is_empty())
                .is_none_or(|e| Email::parse(e).is_ok());
            proptest::prop_assert_eq!(result.is_ok(), id_ok && email_ok);
            if let Err(err) = result {
                proptest::prop_assert_eq!(err.code(), crate::ops::error::code::VALIDATION);
            }
        }
    }
}
