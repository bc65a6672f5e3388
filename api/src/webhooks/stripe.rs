//! `POST /webhooks/stripe/{tenant}`: Stripe as a conversion source.
//!
//! Each tenant has its own endpoint and signing secret (`stripe_webhook_secret`). A verified event
//! is recorded in `webhook_events` in the same transaction as its effect, so a redelivered event
//! id changes nothing. `payment_intent.succeeded` and `charge.succeeded` become conversions (order
//! id = the payment intent id, so both events of one payment count once); the referral code comes
//! from the object's metadata (`referral_code` or `ref`, and `gv_click`), else from the Stripe
//! customer's metadata, fetched with the tenant's `stripe_secret_key`. `charge.refunded` records
//! each refund of the charge. Other event types are acknowledged and ignored.

use actix_web::{HttpRequest, HttpResponse, web};
use grapevine_entity::{db::begin_write, tables::webhook_events};
use sea_orm::{
    ActiveValue::Set, DatabaseTransaction, EntityTrait, TryInsertResult, sea_query::OnConflict,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{error::ApiError, http::error::HttpError, state::AppState, webhooks::signature};
use grapevine_entity::ops::{
    conversions::{self, ConversionInput, TouchInput},
    secrets,
};

fn received(body: Value) -> HttpResponse {
    HttpResponse::Ok().json(body)
}

/// `POST /webhooks/stripe/{tenant}`. Anything but a 2xx makes Stripe deliver the event again.
pub async fn receive(
    req: HttpRequest,
    state: web::Data<AppState>,
    tenant: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, HttpError> {
    let tenant_id = Uuid::parse_str(&tenant).map_err(|_| ApiError::NotFound("tenant"))?;
    let secret = secrets::get(
        &state.db,
        &state.secrets,
        tenant_id,
        "stripe_webhook_secret",
    )
    .await?
    .ok_or_else(|| ApiError::invalid("stripe_webhook_secret", "is not set for this tenant"))?;
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let now = state.clock.now();
    let tolerance = i64::try_from(state.config.stripe.webhook_tolerance_secs).unwrap_or(300);
    if let Err(err) = signature::verify(
        header,
        &body,
        secrecy::ExposeSecret::expose_secret(&secret),
        now.timestamp(),
        tolerance,
    ) {
        tracing::info!(%tenant_id, error = %err, "Stripe webhook refused");
        return Err(ApiError::invalid("Stripe-Signature", err.to_string()).into());
    }
    let event = serde_json::from_slice::<Value>(&body)
        .map_err(|_| ApiError::invalid("body", "is not a JSON event"))?;
    let (Some(event_id), Some(kind)) = (event["id"].as_str(), event["type"].as_str()) else {
        return Err(ApiError::invalid("body", "the event has no id or type").into());
    };
    match handle(&state, tenant_id, event_id, kind, &event["data"]["object"]).await {
        Ok(Handled::Duplicate) => Ok(received(json!({ "received": true, "duplicate": true }))),
        Ok(Handled::Done(effect)) => Ok(received(json!({ "received": true, "effect": effect }))),
        // The event itself is unusable (say a customer id we cannot store): redelivering it would
        // fail the same way forever, so it is acknowledged as refused, with the reason.
        Err(err @ (ApiError::Validation(_) | ApiError::NotFound(_) | ApiError::Conflict(_))) => {
            tracing::warn!(%tenant_id, event_id, kind, error = %err.message(), "Stripe event refused");
            Ok(received(
                json!({ "received": true, "effect": "refused", "reason": err.message() }),
            ))
        }
        // Logged with its cause by the error's response; Stripe will redeliver it.
        Err(err) => Err(err.into()),
    }
}

enum Handled {
    Duplicate,
    Done(&'static str),
}

async fn handle(
    state: &AppState,
    tenant_id: Uuid,
    event_id: &str,
    kind: &str,
    object: &Value,
) -> Result<Handled, ApiError> {
    // Look the customer up before the transaction: a network call must not hold it open.
    let customer_code = match kind {
        "payment_intent.succeeded" | "charge.succeeded" if touch_of(object).is_none() => {
            customer_metadata(state, tenant_id, object).await
        }
        _ => None,
    };
    let now = state.clock.now();
    let txn = begin_write(&state.db).await?;
    let seen = webhook_events::Entity::insert(webhook_events::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        provider: Set("stripe".into()),
        event_id: Set(event_id.to_owned()),
        event_type: Set(kind.to_owned()),
        received_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            webhook_events::Column::TenantId,
            webhook_events::Column::Provider,
            webhook_events::Column::EventId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .try_insert()
    .exec(&txn)
    .await?;
    if matches!(seen, TryInsertResult::Conflicted) {
        txn.rollback().await?;
        return Ok(Handled::Duplicate);
    }
    let effect = match kind {
        "payment_intent.succeeded" | "charge.succeeded" => {
            conversion(&txn, tenant_id, object, customer_code, now).await?
        }
        "charge.refunded" => refunds(&txn, tenant_id, object, now).await?,
        _ => "ignored",
    };
    txn.commit().await?;
    state.nudge_relay();
    Ok(Handled::Done(effect))
}

fn metadata<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object["metadata"][key]
        .as_str()
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn touch_of(object: &Value) -> Option<TouchInput> {
    let code = metadata(object, "referral_code")
        .or_else(|| metadata(object, "ref"))
        .map(str::to_owned);
    let click_id = metadata(object, "gv_click").and_then(|v| Uuid::parse_str(v).ok());
    (code.is_some() || click_id.is_some()).then_some(TouchInput { click_id, code })
}

/// The order id of a payment: its payment intent when there is one, so a payment intent and its
/// charge (both reported) are one order.
fn order_id(object: &Value) -> Option<String> {
    match object["object"].as_str() {
        Some("charge") => object["payment_intent"]
            .as_str()
            .or_else(|| object["id"].as_str())
            .map(str::to_owned),
        _ => object["id"].as_str().map(str::to_owned),
    }
}

/// What the Stripe customer of a payment carries: `(referral code, email)`.
async fn customer_metadata(
    state: &AppState,
    tenant_id: Uuid,
    object: &Value,
) -> Option<(Option<String>, Option<String>)> {
    let customer = object["customer"].as_str()?;
    let key = secrets::get(&state.db, &state.secrets, tenant_id, "stripe_secret_key")
        .await
        .ok()??;
    let client = stripe::ClientBuilder::new(secrecy::ExposeSecret::expose_secret(&key))
        .url(state.config.stripe.api_base.as_str())
        .build()
        .ok()?;
    match stripe_core::customer::RetrieveCustomer::new(customer)
        .send(&client)
        .await
    {
        Ok(stripe_core::customer::RetrieveCustomerReturned::Customer(c)) => {
            let code = c
                .metadata
                .as_ref()
                .and_then(|m| m.get("referral_code").or_else(|| m.get("ref")))
                .cloned();
            Some((code, c.email))
        }
        Ok(_) => None,
        Err(err) => {
            tracing::warn!(%tenant_id, customer, error = %err, "could not fetch the Stripe customer; the payment counts without its customer's code");
            None
        }
    }
}

async fn conversion(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    object: &Value,
    customer: Option<(Option<String>, Option<String>)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<&'static str, ApiError> {
    let (Some(order), Some(amount), Some(currency)) = (
        order_id(object),
        object["amount"].as_i64(),
        object["currency"].as_str(),
    ) else {
        return Ok("ignored: not a payment");
    };
    let (customer_code, customer_email) = customer.unwrap_or((None, None));
    let touch = touch_of(object).unwrap_or(TouchInput {
        click_id: None,
        code: customer_code,
    });
    let customer_id = metadata(object, "customer_id")
        .map(str::to_owned)
        .or_else(|| object["customer"].as_str().map(str::to_owned))
        .unwrap_or_else(|| format!("stripe-guest:{order}"));
    let email = object["receipt_email"]
        .as_str()
        .map(str::to_owned)
        .or(customer_email);
    let occurred_at = object["created"]
        .as_i64()
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
    let input = ConversionInput {
        order_id: order,
        customer_id,
        email,
        amount_minor: amount,
        currency: currency.to_owned(),
        occurred_at,
        touch,
        // A charge carries its card's fingerprint (the fraud rule "same card as the referrer").
        payment_fingerprint: object["payment_method_details"]["card"]["fingerprint"]
            .as_str()
            .map(str::to_owned),
        device: None,
    };
    match conversions::track_conversion(txn, tenant_id, input.clone(), now).await {
        Ok(out) if out.duplicate => Ok("duplicate order"),
        Ok(out) if out.conversion.organic => Ok("organic conversion"),
        Ok(_) => Ok("attributed conversion"),
        // A code that does not resolve (or a self-referral) must not lose the payment: it counts
        // as organic, and the reason is logged.
        Err(ApiError::Validation(fields)) => {
            tracing::info!(%tenant_id, ?fields, "Stripe payment's referral could not be attributed; recorded as organic");
            conversions::track_conversion(
                txn,
                tenant_id,
                ConversionInput {
                    touch: TouchInput::default(),
                    ..input
                },
                now,
            )
            .await?;
            Ok("organic conversion")
        }
        Err(other) => Err(other),
    }
}

async fn refunds(
    txn: &DatabaseTransaction,
    tenant_id: Uuid,
    charge: &Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<&'static str, ApiError> {
    let Some(order) = order_id(charge) else {
        return Ok("ignored: no charge id");
    };
    let list = charge["refunds"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if list.is_empty() {
        return Ok("ignored: no refunds listed");
    }
    for refund in list {
        let (Some(id), Some(amount)) = (refund["id"].as_str(), refund["amount"].as_i64()) else {
            continue;
        };
        match conversions::refund(txn, tenant_id, &order, id, amount, now).await {
            Ok(_) => {}
            // Not an order we know (it predates us, or it belongs to another system): nothing to do.
            Err(ApiError::NotFound(_)) => return Ok("ignored: unknown order"),
            Err(other) => return Err(other),
        }
    }
    Ok("refund recorded")
}
