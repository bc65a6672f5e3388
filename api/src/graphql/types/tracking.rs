//! Referrals and conversions.

use async_graphql::{InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables;
use uuid::Uuid;

use super::enums::{AttributionSource, ReferralStatus};
use crate::graphql::scalars::{BigInt, Money};

/// A referee tied to their referrer in a campaign (at most one referrer per referee and campaign).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Referral {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// The referring participant.
    pub referrer_participant_id: Uuid,
    /// The merchant's customer id of the referee.
    pub referee_customer_id: String,
    /// How the tie was made.
    pub source: AttributionSource,
    /// Validation state.
    pub status: ReferralStatus,
    /// When the attributed touch happened.
    pub attributed_at: DateTime<Utc>,
    /// The counted fraud score of the latest decision.
    pub score: Option<i32>,
    /// When the latest decision was made.
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<tables::referrals::Model> for Referral {
    fn from(m: tables::referrals::Model) -> Self {
        Self {
            id: m.id,
            campaign_id: m.campaign_id,
            referrer_participant_id: m.referrer_participant_id,
            referee_customer_id: m.referee_external_id,
            source: m.source.into(),
            status: m.status.into(),
            attributed_at: m.attributed_at,
            score: m.score,
            decided_at: m.decided_at,
        }
    }
}

/// What a lead came to.
#[derive(SimpleObject, Clone)]
pub struct LeadResult {
    /// The referral the customer is now tied to (null when nothing could be attributed).
    pub referral: Option<Referral>,
    /// Why nothing was attributed: `no_touch`, `outside_attribution_window` or `campaign_not_active`.
    pub not_attributed: Option<String>,
}

/// A purchase reported by the merchant.
#[derive(SimpleObject, Clone)]
pub struct Conversion {
    /// Id.
    pub id: Uuid,
    /// The merchant's order id.
    pub order_id: String,
    /// The customer.
    pub customer_id: String,
    /// Amount as reported.
    pub amount: Money,
    /// Amount in the campaign's currency (converted at the tenant's rate when needed).
    pub campaign_amount: Option<Money>,
    /// Refunded so far.
    pub refunded: Money,
    /// True when no referral was attributed.
    pub organic: bool,
    /// The referral it was attributed to.
    pub referral_id: Option<Uuid>,
    /// The campaign it was attributed to.
    pub campaign_id: Option<Uuid>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl Conversion {
    /// From a row; `campaign_currency` for `campaignAmount`.
    pub fn from_model(m: tables::conversions::Model, campaign_currency: Option<&str>) -> Self {
        Self {
            id: m.id,
            order_id: m.external_order_id,
            customer_id: m.customer_external_id,
            amount: Money::new(m.amount_minor, &m.currency),
            campaign_amount: m
                .campaign_amount_minor
                .zip(campaign_currency)
                .map(|(a, c)| Money::new(a, c)),
            refunded: Money::new(m.refunded_minor, &m.currency),
            organic: m.organic,
            referral_id: m.referral_id,
            campaign_id: m.campaign_id,
            occurred_at: m.occurred_at,
        }
    }
}

/// What a conversion report came to.
#[derive(SimpleObject, Clone)]
pub struct ConversionResult {
    /// The stored conversion.
    pub conversion: Conversion,
    /// True when this order id had been reported before with the same details (nothing new was written).
    pub duplicate: bool,
    /// Why it is organic, when it is.
    pub not_attributed: Option<String>,
}

/// A lead: a referred customer signed up.
#[derive(InputObject)]
pub struct LeadInput {
    /// Your customer id of the new customer.
    pub customer_id: String,
    /// Their email.
    pub email: Option<String>,
    /// `gv_click` from the landing URL.
    pub click_id: Option<Uuid>,
    /// The referral code (`ref` from the landing URL, or typed by the customer).
    pub code: Option<String>,
    /// The customer's IP address as your server saw it (only a keyed hash is kept; used by the
    /// shared-device fraud rule together with `userAgent`).
    pub client_ip: Option<String>,
    /// The customer's browser user agent.
    pub user_agent: Option<String>,
}

/// A conversion: a purchase.
#[derive(InputObject)]
pub struct ConversionInput {
    /// Your order id; reporting it again with the same details is harmless.
    pub order_id: String,
    /// Your customer id.
    pub customer_id: String,
    /// Customer email.
    pub email: Option<String>,
    /// Amount in minor units (cents).
    pub amount_minor: BigInt,
    /// ISO 4217 currency.
    pub currency: String,
    /// When it happened (default: now).
    pub occurred_at: Option<DateTime<Utc>>,
    /// `gv_click` from the landing URL.
    pub click_id: Option<Uuid>,
    /// The referral code.
    pub code: Option<String>,
    /// The payment card's fingerprint from your payment provider (Stripe: `card.fingerprint`);
    /// the fraud rules compare it with the referrer's.
    pub payment_fingerprint: Option<String>,
    /// The customer's IP address as your server saw it (only a keyed hash is kept).
    pub client_ip: Option<String>,
    /// The customer's browser user agent.
    pub user_agent: Option<String>,
}

/// An exchange rate of the tenant.
#[derive(SimpleObject, Clone)]
pub struct FxRate {
    /// Base currency.
    pub base: String,
    /// Quote currency.
    pub quote: String,
    /// One unit of base in units of quote, in parts per million (1.0 = 1000000).
    pub rate_ppm: BigInt,
}
