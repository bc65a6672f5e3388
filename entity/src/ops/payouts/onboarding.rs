//! A participant's payout onboarding with the cash provider (Stripe Connect): a connected account
//! created once and kept, a one-time onboarding link, and asking whether onboarding is complete
//! (held payouts go ahead when it is).
//!
//! The provider is reached through [`Connect`], which the job runtime implements with its Stripe
//! client; the operations here only know its three calls.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use sea_orm::DatabaseConnection;
use secrecy::SecretString;
use uuid::Uuid;

use super::manage::{participant_of_tenant, set_payout_account};
use crate::ops::{
    crypto::SecretBoxer,
    error::{Error, Result},
};
use crate::tables::{PayoutOnboarding, participants};

/// The provider's answer when it refuses a call (its message, for the person who asked).
pub type Refusal = String;

/// One tenant's connected accounts at the provider.
pub trait ConnectAccounts: Send + Sync {
    /// Create an account for a participant (idempotent per participant); its id.
    fn create_account<'a>(
        &'a self,
        participant_id: Uuid,
        email: &'a str,
    ) -> BoxFuture<'a, Result<String, Refusal>>;

    /// A one-time onboarding link for an account.
    fn onboarding_link<'a>(
        &'a self,
        account: &'a str,
        refresh_url: &'a str,
        return_url: &'a str,
    ) -> BoxFuture<'a, Result<String, Refusal>>;

    /// Whether the account finished onboarding and can receive payouts.
    fn account_ready<'a>(&'a self, account: &'a str) -> BoxFuture<'a, Result<bool, Refusal>>;
}

/// Opens a tenant's [`ConnectAccounts`] with its secret key.
pub trait Connect: Send + Sync {
    /// The accounts reachable with `key`.
    fn open(&self, key: &SecretString) -> Result<Box<dyn ConnectAccounts>, Refusal>;
}

fn refused(message: Refusal) -> Error {
    Error::Conflict(format!("Stripe refused: {message}"))
}

/// The tenant's connected accounts, with its `stripe_secret_key`.
async fn accounts(
    conn: &DatabaseConnection,
    boxer: &SecretBoxer,
    connect: &dyn Connect,
    tenant_id: Uuid,
) -> Result<Box<dyn ConnectAccounts>> {
    let key = crate::ops::secrets::get(conn, boxer, tenant_id, "stripe_secret_key")
        .await?
        .ok_or_else(|| Error::Conflict("set the tenant's stripe_secret_key secret first".into()))?;
    connect.open(&key).map_err(refused)
}

/// A Stripe Connect onboarding link for a participant (their connected account is created on the
/// first call and kept).
#[allow(clippy::too_many_arguments)]
pub async fn onboarding_link(
    conn: &DatabaseConnection,
    boxer: &SecretBoxer,
    connect: &dyn Connect,
    tenant_id: Uuid,
    participant_id: Uuid,
    refresh_url: &str,
    return_url: &str,
    now: DateTime<Utc>,
) -> Result<(participants::Model, String)> {
    for (field, url) in [("refreshUrl", refresh_url), ("returnUrl", return_url)] {
        if url::Url::parse(url)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
        {
            return Err(Error::invalid(field, "must be an http(s) URL"));
        }
    }
    let p = participant_of_tenant(conn, tenant_id, participant_id).await?;
    let provider = accounts(conn, boxer, connect, tenant_id).await?;
    let account = match &p.payout_account_id {
        Some(a) => a.clone(),
        None => provider
            .create_account(p.id, &p.email)
            .await
            .map_err(refused)?,
    };
    let link = provider
        .onboarding_link(&account, refresh_url, return_url)
        .await
        .map_err(refused)?;
    let status = if p.payout_status == PayoutOnboarding::Complete {
        PayoutOnboarding::Complete
    } else {
        PayoutOnboarding::Pending
    };
    let p = set_payout_account(conn, tenant_id, participant_id, &account, status, now).await?;
    Ok((p, link))
}

/// Ask the provider whether the participant finished onboarding; held payouts go ahead if so.
pub async fn refresh_onboarding(
    conn: &DatabaseConnection,
    boxer: &SecretBoxer,
    connect: &dyn Connect,
    tenant_id: Uuid,
    participant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<participants::Model> {
    let p = participant_of_tenant(conn, tenant_id, participant_id).await?;
    let Some(account) = p.payout_account_id.clone() else {
        return Err(Error::Conflict(
            "the participant has no payout account yet: create an onboarding link first".into(),
        ));
    };
    let provider = accounts(conn, boxer, connect, tenant_id).await?;
    let ready = provider.account_ready(&account).await.map_err(refused)?;
    let status = if ready {
        PayoutOnboarding::Complete
    } else {
        PayoutOnboarding::Pending
    };
    set_payout_account(conn, tenant_id, participant_id, &account, status, now).await
}
