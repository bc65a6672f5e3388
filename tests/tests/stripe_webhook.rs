//! Stripe as a conversion source: a payment made on a running localstripe reaches the webhook as a
//! signed `payment_intent.succeeded` and becomes a conversion; the referral code may sit on the
//! payment or on the Stripe customer. localstripe emits no refund events, so `charge.refunded` is
//! built as Stripe documents it and signed in the test with the endpoint's secret.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_api::webhooks::signature::sign;
use grapevine_entity::tables::{conversions, referrals, webhook_events};
use grapevine_tests::{
    Backend, TestApp, poll_until, spawn_app_with,
    stripe::{LocalStripe, SECRET_KEY},
};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

const WEBHOOK_SECRET: &str = "whsec_grapevine_test";

/// An app wired to its own localstripe, with a live campaign; returns (app, stripe, referrer code).
async fn setup() -> (TestApp, LocalStripe, String) {
    let stripe = LocalStripe::start().await;
    let api = stripe.url();
    let app = spawn_app_with(Backend::current(), |c| c.stripe.api_base = api).await;
    let token = app.admin_token.clone();
    for (name, value) in [
        ("stripe_webhook_secret", WEBHOOK_SECRET),
        ("stripe_secret_key", SECRET_KEY),
    ] {
        app.graphql_ok(
            Some(&token),
            "mutation($n: String!, $v: String!) { setTenantSecret(name: $n, value: $v) }",
            json!({ "n": name, "v": value }),
        )
        .await;
    }
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    let code = app
        .graphql_ok(
            Some(&token),
            "{ participants { edges { node { links { code } } } } }",
            json!({}),
        )
        .await["participants"]["edges"][0]["node"]["links"][0]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let endpoint = format!("{}/webhooks/stripe/{}", app.address, app.tenant_id);
    stripe
        .register_webhook("grapevine", &endpoint, WEBHOOK_SECRET)
        .await;
    (app, stripe, code)
}

async fn conversion_for(app: &TestApp, order: &str) -> conversions::Model {
    let db = app.db.connect().await;
    poll_until(Duration::from_secs(20), || async {
        conversions::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.external_order_id == order)
    })
    .await
}

#[tokio::test]
async fn a_payment_on_localstripe_with_a_code_becomes_an_attributed_conversion() {
    let (app, stripe, code) = setup().await;
    let payment = stripe
        .pay(
            5000,
            "usd",
            None,
            &[("referral_code", &code), ("customer_id", "friend-42")],
        )
        .await;
    assert_eq!(payment["status"], "succeeded");
    let order = payment["id"].as_str().unwrap();
    let conversion = conversion_for(&app, order).await;
    assert!(
        !conversion.organic,
        "attributed through the code in the payment's metadata"
    );
    assert_eq!(
        (conversion.amount_minor, conversion.currency.as_str()),
        (5000, "USD")
    );
    assert_eq!(conversion.customer_external_id, "friend-42");
    let db = app.db.connect().await;
    let referral = referrals::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(Some(referral.id), conversion.referral_id);
    assert_eq!(webhook_events::Entity::find().count(&db).await.unwrap(), 1);
}

#[tokio::test]
async fn the_stripe_customers_code_counts_when_the_payment_carries_none() {
    let (app, stripe, code) = setup().await;
    let customer = stripe
        .customer("friend@example.com", &[("referral_code", &code)])
        .await;
    let payment = stripe.pay(2500, "usd", Some(&customer), &[]).await;
    let conversion = conversion_for(&app, payment["id"].as_str().unwrap()).await;
    assert!(
        !conversion.organic,
        "the code came from the Stripe customer"
    );
    assert_eq!(conversion.customer_external_id, customer);

    let plain = stripe.pay(1000, "usd", None, &[]).await;
    let organic = conversion_for(&app, plain["id"].as_str().unwrap()).await;
    assert!(organic.organic, "no code anywhere: organic");
}

#[tokio::test]
async fn a_signed_refund_event_is_recorded_and_a_redelivery_changes_nothing() {
    let (app, stripe, code) = setup().await;
    let payment = stripe
        .pay(5000, "usd", None, &[("referral_code", &code)])
        .await;
    let order = payment["id"].as_str().unwrap().to_owned();
    conversion_for(&app, &order).await;

    let event = json!({
        "id": "evt_refund_1", "object": "event", "type": "charge.refunded", "created": chrono::Utc::now().timestamp(),
        "data": { "object": {
            "id": "ch_test_1", "object": "charge", "payment_intent": order, "amount": 5000, "amount_refunded": 2000, "currency": "usd",
            "refunded": false, "refunds": { "object": "list", "data": [{ "id": "re_test_1", "object": "refund", "amount": 2000, "charge": "ch_test_1" }] }
        } }
    });
    let body = serde_json::to_vec(&event).unwrap();
    let url = format!("{}/webhooks/stripe/{}", app.address, app.tenant_id);
    let post = |signature: String| {
        let client = app.client.clone();
        let url = url.clone();
        let body = body.clone();
        async move {
            client
                .post(url)
                .header("stripe-signature", signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = post(sign(&body, WEBHOOK_SECRET, chrono::Utc::now().timestamp())).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap()["effect"],
        "refund recorded"
    );
    assert_eq!(conversion_for(&app, &order).await.refunded_minor, 2000);

    let again = post(sign(&body, WEBHOOK_SECRET, chrono::Utc::now().timestamp())).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.json::<serde_json::Value>().await.unwrap()["duplicate"],
        true
    );
    assert_eq!(
        conversion_for(&app, &order).await.refunded_minor,
        2000,
        "the same event id changes nothing"
    );
}

#[tokio::test]
async fn forged_or_stale_signatures_are_refused_with_400_and_change_nothing() {
    let (app, stripe, _) = setup().await;
    drop(stripe);
    let event = json!({ "id": "evt_forged", "type": "payment_intent.succeeded", "created": 0,
        "data": { "object": { "id": "pi_forged", "object": "payment_intent", "amount": 99999, "currency": "usd", "metadata": {} } } });
    let body = serde_json::to_vec(&event).unwrap();
    let url = format!("{}/webhooks/stripe/{}", app.address, app.tenant_id);
    let now = chrono::Utc::now().timestamp();
    for (what, header) in [
        ("wrong secret", Some(sign(&body, "whsec_attacker", now))),
        ("stale", Some(sign(&body, WEBHOOK_SECRET, now - 3600))),
        ("no v1", Some(format!("t={now}"))),
        ("missing", None),
    ] {
        let mut req = app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(h) = header {
            req = req.header("stripe-signature", h);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 400, "{what}");
    }
    let mut tampered = body.clone();
    let signature = sign(&body, WEBHOOK_SECRET, now);
    tampered.extend_from_slice(b" ");
    let res = app
        .client
        .post(&url)
        .header("stripe-signature", signature)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a body changed after signing");
    let res = app
        .client
        .post(format!(
            "{}/webhooks/stripe/{}",
            app.address,
            uuid::Uuid::now_v7()
        ))
        .header("stripe-signature", sign(&body, WEBHOOK_SECRET, now))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "a tenant without a webhook secret");
    let db = app.db.connect().await;
    assert_eq!(webhook_events::Entity::find().count(&db).await.unwrap(), 0);
    assert_eq!(conversions::Entity::find().count(&db).await.unwrap(), 0);
}

/// A seeded stream of hostile event bodies: wrong types where Stripe puts strings and numbers,
/// missing and nested-garbage objects, huge and negative amounts, unknown event types.
fn hostile_events(seed: u64, n: usize, code: &str) -> Vec<serde_json::Value> {
    let mut state = seed;
    let mut next = move |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    let odd_values = [
        json!(null),
        json!(true),
        json!(-1),
        json!(i64::MAX),
        json!(1e308),
        json!(""),
        json!("x".repeat(5_000)),
        json!([]),
        json!({ "nested": { "deeper": [1, 2, { "x": null }] } }),
        json!("ç😀\u{0}"),
        json!(code),
    ];
    let types = [
        "payment_intent.succeeded",
        "charge.succeeded",
        "charge.refunded",
        "checkout.session.completed",
        "customer.created",
        "",
    ];
    let fields = [
        "id",
        "object",
        "amount",
        "amount_received",
        "amount_refunded",
        "currency",
        "customer",
        "payment_intent",
        "metadata",
        "refunds",
        "receipt_email",
        "billing_details",
        "created",
    ];
    (0..n)
        .map(|i| {
            let mut object = json!({
                "id": format!("pi_hostile_{i}"),
                "object": "payment_intent",
                "amount": 5000,
                "amount_received": 5000,
                "currency": "usd",
                "metadata": { "referral_code": code },
            });
            for _ in 0..=next(4) {
                let field = fields[usize::try_from(next(fields.len() as u64)).unwrap()];
                let value =
                    odd_values[usize::try_from(next(odd_values.len() as u64)).unwrap()].clone();
                object[field] = value;
            }
            let mut event = json!({
                "id": format!("evt_hostile_{i}"),
                "object": "event",
                "type": types[usize::try_from(next(types.len() as u64)).unwrap()],
                "created": chrono::Utc::now().timestamp(),
                "data": { "object": object },
            });
            match next(8) {
                0 => event["data"] = json!(null),
                1 => event["data"]["object"] = json!("not an object"),
                2 => event["type"] = json!(42),
                _ => {}
            }
            event
        })
        .collect()
}

#[tokio::test]
async fn hostile_signed_events_get_a_clean_answer_and_never_a_server_error() {
    let (app, _stripe, code) = setup().await;
    let endpoint = format!("{}/webhooks/stripe/{}", app.address, app.tenant_id);
    // Signed with the endpoint's secret, so only the content is hostile.
    let post_signed = |body: Vec<u8>| {
        let request = app
            .client
            .post(&endpoint)
            .header(
                "stripe-signature",
                sign(&body, WEBHOOK_SECRET, chrono::Utc::now().timestamp()),
            )
            .header("content-type", "application/json")
            .body(body);
        async move { request.send().await.unwrap() }
    };
    let mut statuses = std::collections::BTreeMap::new();
    for event in hostile_events(0x5eed, 150, &code) {
        let body = serde_json::to_vec(&event).unwrap();
        let res = post_signed(body).await;
        let status = res.status().as_u16();
        assert!(
            status < 500,
            "{status} for {event:#}: {}",
            res.text().await.unwrap()
        );
        *statuses.entry(status).or_insert(0) += 1;
    }
    // Not a body that is not JSON at all, either.
    for body in [&b"not json"[..], b"", b"{\"id\": ", &[0xff, 0xfe, 0x00]] {
        let res = post_signed(body.to_vec()).await;
        assert!(res.status().is_client_error(), "{}", res.status());
    }
    println!("answers to 150 hostile events: {statuses:?}");
    // An event that can never be processed is acknowledged as refused (Stripe would otherwise
    // redeliver it for days), with the reason.
    let unusable = json!({ "id": "evt_unusable", "object": "event", "type": "payment_intent.succeeded", "created": chrono::Utc::now().timestamp(),
        "data": { "object": { "id": "pi_unusable", "object": "payment_intent", "amount": 5000, "amount_received": 5000, "currency": "usd", "customer": "c".repeat(300), "metadata": { "referral_code": code } } } });
    let body = serde_json::to_vec(&unusable).unwrap();
    let res = post_signed(body).await;
    assert_eq!(res.status(), 200);
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(answer["effect"], "refused", "{answer}");
    assert!(
        answer["reason"].as_str().unwrap().contains("customerId"),
        "{answer}"
    );
    // The app still takes a genuine payment afterwards.
    assert_eq!(
        app.client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
