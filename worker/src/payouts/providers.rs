//! Who actually moves the money: cash providers (Stripe Connect transfers, the dry run) and
//! reward fulfillers (Stripe coupons, a gift-card API, the dry run).
//!
//! Every provider object gets an id or reference derived from ours (coupon id = reward id,
//! `transfer_group` = payout id, gift-card `reference` = reward id), and every retry first looks
//! for it before creating again: providers forget idempotency keys after a day, our retries do not
//! stop after one.

use std::future::Future;

use futures::future::BoxFuture;
use grapevine_entity::ops::payouts::{Connect, ConnectAccounts, Refusal};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use uuid::Uuid;

/// A provider call that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// Might work later (network, 5xx, rate limit).
    #[error("{0}")]
    Transient(String),
    /// Will not work until someone changes something (bad account, invalid request).
    #[error("{0}")]
    Permanent(String),
}

impl ProviderError {
    /// The message, whatever the kind.
    pub fn message(&self) -> &str {
        match self {
            Self::Transient(m) | Self::Permanent(m) => m,
        }
    }
}

/// One cash payout to make.
#[derive(Debug, Clone)]
pub struct CashRequest<'a> {
    /// Our payout id: the provider's idempotency key and reference.
    pub payout_id: Uuid,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO currency.
    pub currency: &'a str,
    /// The participant's connected account, when the provider needs one.
    pub destination: Option<&'a str>,
}

/// Pays cash.
pub trait CashProvider: Send + Sync {
    /// The provider's reference of an earlier successful attempt at this payout, if any.
    fn find(
        &self,
        req: &CashRequest<'_>,
    ) -> impl Future<Output = Result<Option<String>, ProviderError>> + Send;
    /// Pay; returns the provider's reference.
    fn pay(
        &self,
        req: &CashRequest<'_>,
    ) -> impl Future<Output = Result<String, ProviderError>> + Send;
}

/// One non-cash reward to deliver.
#[derive(Debug, Clone)]
pub struct FulfilRequest<'a> {
    /// Our reward id: the coupon id / gift-card reference.
    pub reward_id: Uuid,
    /// Value in minor units.
    pub amount_minor: i64,
    /// ISO currency.
    pub currency: &'a str,
    /// Who receives it.
    pub recipient_email: &'a str,
}

/// What the recipient gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The provider's reference.
    pub reference: String,
    /// The code the recipient redeems.
    pub code: String,
}

/// Delivers coupons or gift cards.
pub trait Fulfiller: Send + Sync {
    /// What was issued for this reward before, if anything.
    fn find(
        &self,
        req: &FulfilRequest<'_>,
    ) -> impl Future<Output = Result<Option<Issued>, ProviderError>> + Send;
    /// Issue it.
    fn issue(
        &self,
        req: &FulfilRequest<'_>,
    ) -> impl Future<Output = Result<Issued, ProviderError>> + Send;
}

/// Records what it would pay and pays nothing: the embedded default.
#[derive(Debug, Clone, Copy, Default)]
pub struct DryRun;

impl CashProvider for DryRun {
    async fn find(&self, _req: &CashRequest<'_>) -> Result<Option<String>, ProviderError> {
        Ok(None)
    }

    async fn pay(&self, req: &CashRequest<'_>) -> Result<String, ProviderError> {
        tracing::info!(payout_id = %req.payout_id, amount_minor = req.amount_minor, currency = req.currency, "dry run: would pay");
        Ok(format!("dry_run_{}", req.payout_id.simple()))
    }
}

impl Fulfiller for DryRun {
    async fn find(&self, _req: &FulfilRequest<'_>) -> Result<Option<Issued>, ProviderError> {
        Ok(None)
    }

    async fn issue(&self, req: &FulfilRequest<'_>) -> Result<Issued, ProviderError> {
        tracing::info!(reward_id = %req.reward_id, amount_minor = req.amount_minor, currency = req.currency, "dry run: would issue");
        Ok(Issued {
            reference: format!("dry_run_{}", req.reward_id.simple()),
            code: format!(
                "DRYRUN-{}",
                &req.reward_id.simple().to_string()[..12].to_uppercase()
            ),
        })
    }
}

/// Stripe, with a tenant's secret key.
pub struct Stripe {
    client: Client,
}

impl Stripe {
    /// A client for `api_base` (Stripe, or a local stand-in in tests).
    pub fn new(api_base: &str, key: &SecretString) -> Result<Self, ProviderError> {
        let client = ClientBuilder::new(key.expose_secret())
            .url(api_base)
            .build()
            .map_err(|e| ProviderError::Permanent(format!("Stripe client: {e}")))?;
        Ok(Self { client })
    }

    /// Create an Express connected account for a participant (idempotent per participant).
    pub async fn create_account(
        &self,
        participant_id: Uuid,
        email: &str,
    ) -> Result<String, ProviderError> {
        let mut create = stripe_connect::account::CreateAccount::new()
            .type_(stripe_connect::account::CreateAccountType::Express)
            .metadata([("participant_id".to_owned(), participant_id.to_string())]);
        if !email.is_empty() {
            create = create.email(email);
        }
        let account = create
            .customize()
            .request_strategy(idempotent(&format!("account-{participant_id}"))?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(account.id.to_string())
    }

    /// A one-time onboarding link for a connected account.
    pub async fn onboarding_link(
        &self,
        account: &str,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<String, ProviderError> {
        let link = stripe_connect::account_link::CreateAccountLink::new(
            account,
            stripe_connect::account_link::CreateAccountLinkType::AccountOnboarding,
        )
        .refresh_url(refresh_url)
        .return_url(return_url)
        .send(&self.client)
        .await
        .map_err(classify)?;
        Ok(link.url)
    }

    /// Whether the account has finished onboarding and can receive payouts.
    pub async fn account_ready(&self, account: &str) -> Result<bool, ProviderError> {
        let account = stripe_connect::account::RetrieveAccount::new(account)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(account.details_submitted.unwrap_or(false) && account.payouts_enabled.unwrap_or(false))
    }
}

/// Stripe Connect for payout onboarding (the API's calls): a tenant's Stripe, opened with its key.
pub struct StripeConnect {
    api_base: String,
}

impl StripeConnect {
    /// Connect calls go to `api_base` (Stripe, or a local stand-in in tests).
    pub fn new(api_base: impl Into<String>) -> Self {
        Self {
            api_base: api_base.into(),
        }
    }
}

impl Connect for StripeConnect {
    fn open(&self, key: &SecretString) -> Result<Box<dyn ConnectAccounts>, Refusal> {
        let stripe = Stripe::new(&self.api_base, key).map_err(refusal)?;
        Ok(Box::new(stripe))
    }
}

fn refusal(err: ProviderError) -> Refusal {
    err.message().to_owned()
}

impl ConnectAccounts for Stripe {
    fn create_account<'a>(
        &'a self,
        participant_id: Uuid,
        email: &'a str,
    ) -> BoxFuture<'a, Result<String, Refusal>> {
        Box::pin(async move {
            Stripe::create_account(self, participant_id, email)
                .await
                .map_err(refusal)
        })
    }

    fn onboarding_link<'a>(
        &'a self,
        account: &'a str,
        refresh_url: &'a str,
        return_url: &'a str,
    ) -> BoxFuture<'a, Result<String, Refusal>> {
        Box::pin(async move {
            Stripe::onboarding_link(self, account, refresh_url, return_url)
                .await
                .map_err(refusal)
        })
    }

    fn account_ready<'a>(&'a self, account: &'a str) -> BoxFuture<'a, Result<bool, Refusal>> {
        Box::pin(async move { Stripe::account_ready(self, account).await.map_err(refusal) })
    }
}

fn idempotent(key: &str) -> Result<RequestStrategy, ProviderError> {
    IdempotencyKey::new(key)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| ProviderError::Permanent(e.to_string()))
}

/// Sort a Stripe error: 5xx, 409/429 and transport errors are worth retrying.
pub fn classify(err: StripeError) -> ProviderError {
    match err {
        StripeError::Stripe(body, status) => {
            let code = body
                .code
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default();
            let message = format!(
                "Stripe {status}{}: {}",
                if code.is_empty() {
                    String::new()
                } else {
                    format!(" {code}")
                },
                body.message.as_deref().unwrap_or("no message")
            );
            if matches!(status, 409 | 429 | 500..=599) {
                ProviderError::Transient(message)
            } else {
                ProviderError::Permanent(message)
            }
        }
        StripeError::ClientError(m) | StripeError::JSONDeserialize(m) => {
            ProviderError::Transient(format!("Stripe: {m}"))
        }
        StripeError::Timeout => ProviderError::Transient("Stripe: timeout".into()),
        StripeError::ConfigError(m) => ProviderError::Permanent(format!("Stripe: {m}")),
    }
}

fn currency(code: &str) -> Result<stripe_types::Currency, ProviderError> {
    code.to_ascii_lowercase()
        .parse()
        .map_err(|_| ProviderError::Permanent(format!("currency {code} is not one Stripe knows")))
}

impl CashProvider for Stripe {
    async fn find(&self, req: &CashRequest<'_>) -> Result<Option<String>, ProviderError> {
        let list = stripe_connect::transfer::ListTransfer::new()
            .transfer_group(req.payout_id.to_string())
            .limit(10)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(list
            .data
            .into_iter()
            .find(|t| t.amount == req.amount_minor)
            .map(|t| t.id.to_string()))
    }

    async fn pay(&self, req: &CashRequest<'_>) -> Result<String, ProviderError> {
        let destination = req.destination.ok_or_else(|| {
            ProviderError::Permanent("the participant has no Stripe account".into())
        })?;
        let transfer =
            stripe_connect::transfer::CreateTransfer::new(currency(req.currency)?, destination)
                .amount(req.amount_minor)
                .transfer_group(req.payout_id.to_string())
                .description(format!("Grapevine referral payout {}", req.payout_id))
                .metadata([("payout_id".to_owned(), req.payout_id.to_string())])
                .customize()
                .request_strategy(idempotent(&format!("payout-{}", req.payout_id))?)
                .send(&self.client)
                .await
                .map_err(classify)?;
        Ok(transfer.id.to_string())
    }
}

impl Fulfiller for Stripe {
    async fn find(&self, req: &FulfilRequest<'_>) -> Result<Option<Issued>, ProviderError> {
        let id = req.reward_id.to_string();
        match stripe_product::coupon::RetrieveCoupon::new(id.as_str())
            .send(&self.client)
            .await
        {
            Ok(c) => Ok(Some(Issued {
                reference: c.id.to_string(),
                code: c.id.to_string(),
            })),
            Err(StripeError::Stripe(_, 404)) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    async fn issue(&self, req: &FulfilRequest<'_>) -> Result<Issued, ProviderError> {
        let id = req.reward_id.to_string();
        let coupon = stripe_product::coupon::CreateCoupon::new()
            .id(id.as_str())
            .amount_off(req.amount_minor)
            .currency(currency(req.currency)?)
            // Applies to one payment of the customer who redeems it. (`max_redemptions: 1` would
            // also cap it across customers; localstripe, which the tests run against, refuses
            // that parameter, so the id — our reward id, unguessable — is the guard for now.)
            .duration(stripe_product::CouponDuration::Once)
            .metadata([("reward_id".to_owned(), id.clone())])
            .customize()
            .request_strategy(idempotent(&format!("coupon-{id}"))?)
            .send(&self.client)
            .await
            .map_err(classify)?;
        Ok(Issued {
            reference: coupon.id.to_string(),
            code: coupon.id.to_string(),
        })
    }
}

/// A gift-card provider's HTTP API: `POST {base}/v1/cards` with our reward id as `reference`,
/// `GET {base}/v1/cards?reference=` to find an earlier one.
pub struct GiftCards {
    http: reqwest::Client,
    base: String,
    key: SecretString,
}

impl GiftCards {
    /// An adapter for `base` with the tenant's API key.
    pub fn new(base: &str, key: SecretString) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| ProviderError::Permanent(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            key,
        })
    }

    fn issued(card: &Value) -> Option<Issued> {
        Some(Issued {
            reference: card["id"].as_str()?.to_owned(),
            code: card["code"].as_str()?.to_owned(),
        })
    }
}

fn http_error(e: reqwest::Error) -> ProviderError {
    ProviderError::Transient(format!("gift-card provider: {e}"))
}

async fn status_error(res: reqwest::Response) -> ProviderError {
    let status = res.status();
    let body = res.text().await.unwrap_or_default();
    let message = format!(
        "gift-card provider answered {status}: {}",
        body.chars().take(300).collect::<String>()
    );
    if status.is_server_error() || status.as_u16() == 429 {
        ProviderError::Transient(message)
    } else {
        ProviderError::Permanent(message)
    }
}

impl Fulfiller for GiftCards {
    async fn find(&self, req: &FulfilRequest<'_>) -> Result<Option<Issued>, ProviderError> {
        let res = self
            .http
            .get(format!("{}/v1/cards", self.base))
            .bearer_auth(self.key.expose_secret())
            .query(&[("reference", req.reward_id.to_string())])
            .send()
            .await
            .map_err(http_error)?;
        if !res.status().is_success() {
            return Err(status_error(res).await);
        }
        let body: Value = res.json().await.map_err(http_error)?;
        Ok(body["data"]
            .as_array()
            .and_then(|cards| cards.first())
            .and_then(Self::issued))
    }

    async fn issue(&self, req: &FulfilRequest<'_>) -> Result<Issued, ProviderError> {
        let res = self
            .http
            .post(format!("{}/v1/cards", self.base))
            .bearer_auth(self.key.expose_secret())
            .header("Idempotency-Key", format!("giftcard-{}", req.reward_id))
            .json(&serde_json::json!({
                "reference": req.reward_id.to_string(),
                "amount_minor": req.amount_minor,
                "currency": req.currency,
                "recipient_email": req.recipient_email,
            }))
            .send()
            .await
            .map_err(http_error)?;
        if res.status().as_u16() == 409 {
            // Created by an earlier attempt whose answer we lost: that card is ours.
            let body: Value = res.json().await.map_err(http_error)?;
            return Self::issued(&body["error"]["card"]).ok_or_else(|| {
                ProviderError::Transient("gift-card provider: duplicate without the card".into())
            });
        }
        if !res.status().is_success() {
            return Err(status_error(res).await);
        }
        let body: Value = res.json().await.map_err(http_error)?;
        Self::issued(&body).ok_or_else(|| {
            ProviderError::Permanent(format!("gift-card provider: unexpected answer {body}"))
        })
    }
}

/// A provider object as reconciliation sees it: what it is worth and whether it went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderObject {
    /// The provider's id.
    pub id: String,
    /// Our id it carries (transfer group = payout id, coupon id or card reference = reward id).
    pub ours: Option<String>,
    /// Value still standing at the provider, in minor units (a transfer net of reversals).
    pub amount_minor: i64,
    /// ISO currency, upper case.
    pub currency: String,
    /// The provider's state in a word: `paid`, `partially_reversed`, `reversed`, `issued`, `valid`…
    pub status: String,
}

/// How many transfers one reconciliation reads at most, so a runaway account cannot hold a worker.
const MAX_LISTED: usize = 100_000;

impl Stripe {
    /// Every transfer created in `[from, to)` (unix seconds), newest first, following the cursor.
    pub async fn transfers_created(
        &self,
        from: i64,
        to: i64,
    ) -> Result<Vec<ProviderObject>, ProviderError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut list = stripe_connect::transfer::ListTransfer::new()
                .created(stripe_types::RangeQueryTs::Bounds(
                    stripe_types::RangeBoundsTs {
                        gte: Some(from),
                        lt: Some(to),
                        ..Default::default()
                    },
                ))
                .limit(100);
            if let Some(cursor) = after.take() {
                list = list.starting_after(cursor);
            }
            let page = list.send(&self.client).await.map_err(classify)?;
            after = page.data.last().map(|t| t.id.to_string());
            out.extend(page.data.into_iter().map(transfer_object));
            if !page.has_more || after.is_none() || out.len() >= MAX_LISTED {
                return Ok(out);
            }
        }
    }

    /// One transfer by id; `None` if the provider has no such transfer.
    pub async fn transfer(&self, id: &str) -> Result<Option<ProviderObject>, ProviderError> {
        match stripe_connect::transfer::RetrieveTransfer::new(id)
            .send(&self.client)
            .await
        {
            Ok(t) => Ok(Some(transfer_object(t))),
            Err(StripeError::Stripe(_, 404)) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    /// One coupon by id; `None` if the provider has no such coupon.
    pub async fn coupon(&self, id: &str) -> Result<Option<ProviderObject>, ProviderError> {
        match stripe_product::coupon::RetrieveCoupon::new(id)
            .send(&self.client)
            .await
        {
            Ok(c) => Ok(Some(ProviderObject {
                id: c.id.to_string(),
                ours: Some(c.id.to_string()),
                amount_minor: c.amount_off.unwrap_or(0),
                currency: c
                    .currency
                    .map(|c| c.to_string().to_ascii_uppercase())
                    .unwrap_or_default(),
                status: if c.valid { "valid" } else { "invalid" }.to_owned(),
            })),
            Err(StripeError::Stripe(_, 404)) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }
}

fn transfer_object(t: stripe_connect::Transfer) -> ProviderObject {
    let status = if t.reversed || t.amount_reversed >= t.amount {
        "reversed"
    } else if t.amount_reversed > 0 {
        "partially_reversed"
    } else {
        "paid"
    };
    ProviderObject {
        id: t.id.to_string(),
        ours: t.transfer_group.clone(),
        amount_minor: t.amount - t.amount_reversed,
        currency: t.currency.to_string().to_ascii_uppercase(),
        status: status.to_owned(),
    }
}

impl GiftCards {
    /// Every card issued with `reference` (ours: the reward id). More than one means issued twice.
    pub async fn cards_with_reference(
        &self,
        reference: &str,
    ) -> Result<Vec<ProviderObject>, ProviderError> {
        let res = self
            .http
            .get(format!("{}/v1/cards", self.base))
            .bearer_auth(self.key.expose_secret())
            .query(&[("reference", reference)])
            .send()
            .await
            .map_err(http_error)?;
        if !res.status().is_success() {
            return Err(status_error(res).await);
        }
        let body: Value = res.json().await.map_err(http_error)?;
        Ok(body["data"]
            .as_array()
            .map(|cards| cards.iter().filter_map(card_object).collect())
            .unwrap_or_default())
    }
}

fn card_object(card: &Value) -> Option<ProviderObject> {
    Some(ProviderObject {
        id: card["id"].as_str()?.to_owned(),
        ours: card["reference"].as_str().map(str::to_owned),
        amount_minor: card["amount_minor"].as_i64()?,
        currency: card["currency"].as_str()?.to_ascii_uppercase(),
        status: card["status"].as_str().unwrap_or("issued").to_owned(),
    })
}
