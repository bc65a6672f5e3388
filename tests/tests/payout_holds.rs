//! Fulfilment through the gift-card adapter (its reference is our reward id; a failing provider
//! is retried without issuing twice) and the yearly tax threshold that holds cash payouts until
//! the participant's tax details are on file.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::{
    Backend, TestApp, poll_until,
    shop::{self, AppShop, ShopSpec},
    spawn_app_with_clock,
    stripe_shaped::StripeShaped,
};
use grapevine_worker::jobs::PayoutRun;
use serde_json::{Value, json};

const LEAD: &str = "mutation($i: LeadInput!) { trackLead(input: $i) { referral { id } } }";

/// A launched campaign with `rule` and no hold; returns (app, secret key, ada's code, ada's id).
async fn launched(app: TestApp, rule: Value) -> (TestApp, String, String, String) {
    let starts_at = app.now() - chrono::Days::new(1);
    let spec = ShopSpec {
        name: "Holds",
        referrers: shop::named(&[("ada", "ada@example.com")]),
        rules: vec![rule],
        budget_minor: None,
        starts_at,
        payouts: None,
        ..ShopSpec::default()
    };
    let AppShop { app, shop } = shop::open_on(app, spec).await;
    let (ada, code) = shop.referrers[0].clone();
    (app, shop.key, code, ada)
}

/// The tenant's key for the gift-card API (the Stripe-shaped server takes any).
const GIFT_CARD_KEY: &str = "gc_test_key";

async fn store_gift_card_key(app: &TestApp) {
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($v: String!) { setTenantSecret(name: \"giftcard_api_key\", value: $v) }",
        json!({ "v": GIFT_CARD_KEY }),
    )
    .await;
}

#[tokio::test]
async fn a_gift_card_is_issued_once_with_our_reward_id_as_reference_even_when_the_provider_fails_first()
 {
    let shaped = StripeShaped::start().await;
    let url = shaped.giftcard_url();
    let app = spawn_app_with_clock(Backend::current(), None, move |c| c.giftcard.url = url).await;
    let token = app.admin_token.clone();
    store_gift_card_key(&app).await;
    let (app, key, code, _) = launched(app, json!({ "side": "REFEREE", "trigger": "LEAD", "kind": "FIXED", "amountMinor": "2500", "rewardType": "GIFT_CARD" })).await;
    shaped
        .fail("/giftcards/v1/cards", 2, 503, "gift cards are down")
        .await;
    let referral = app
        .graphql_ok(
            Some(&key),
            LEAD,
            json!({ "i": { "customerId": "gina", "email": "gina@example.com", "code": code } }),
        )
        .await["trackLead"]["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reward = poll_until(Duration::from_secs(40), || async {
        let r = app.graphql_ok(Some(&token), "query($id: UUID!) { referral(id: $id) { rewards { id status fulfilmentRef fulfilmentCode } } }", json!({ "id": referral })).await;
        let reward = r["referral"]["rewards"][0].clone();
        (reward["status"] == "FULFILLED").then_some(reward)
    })
    .await;
    let stats = shaped.stats().await;
    let cards = stats["cards"].as_array().unwrap();
    assert_eq!(
        cards.len(),
        1,
        "one card, despite two failed attempts: {stats:#}"
    );
    assert_eq!(cards[0]["reference"], reward["id"]);
    assert_eq!(cards[0]["amount_minor"], 2500);
    assert_eq!(cards[0]["recipient_email"], "gina@example.com");
    assert_eq!(reward["fulfilmentRef"], cards[0]["id"]);
    assert_eq!(reward["fulfilmentCode"], cards[0]["code"]);
    assert_eq!(
        stats["creates"]["/giftcards/v1/cards"], 3,
        "two failures, one success"
    );
    let mail = app.smtp.wait_for(3, Duration::from_secs(20)).await;
    let code_mail = mail
        .iter()
        .find(|m| {
            m.to.iter().any(|t| t == "gina@example.com")
                && m.subject
                    .as_deref()
                    .is_some_and(|s| s.contains("25.00 USD"))
        })
        .expect("the gift-card email");
    assert!(
        code_mail
            .text
            .as_deref()
            .unwrap_or_default()
            .contains(cards[0]["code"].as_str().unwrap())
    );
}

#[tokio::test]
async fn cash_above_the_yearly_tax_threshold_waits_until_tax_details_are_on_file() {
    let app = spawn_app_with_clock(Backend::current(), None, |_| {}).await;
    let finance = app.login_as("FINANCE").await;
    app.graphql_ok(Some(&finance), "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { provider } }", json!({ "i": { "provider": "DRY_RUN", "schedule": "IMMEDIATE", "minimumMinor": "1", "taxThresholdMinor": "1500", "maxAttempts": 3 } })).await;
    let (app, key, code, ada) = launched(app, json!({ "side": "REFERRER", "trigger": "LEAD", "kind": "FIXED", "amountMinor": "1000", "rewardType": "CASH" })).await;
    const PAYOUTS: &str = "query($p: UUID!) { payouts(filter: { participantId: $p }) { edges { node { id status holdReason amount { amountMinor } } } } }";
    let payouts = |n: usize| {
        let (app, finance, ada) = (&app, finance.clone(), ada.clone());
        async move {
            poll_until(Duration::from_secs(30), || async {
                let p = app
                    .graphql_ok(Some(&finance), PAYOUTS, json!({ "p": ada }))
                    .await["payouts"]["edges"]
                    .as_array()
                    .cloned()
                    .unwrap();
                let settled = p.iter().all(|e| {
                    !matches!(e["node"]["status"].as_str(), Some("PENDING" | "PROCESSING"))
                });
                (p.len() == n && settled).then_some(p)
            })
            .await
        }
    };

    // 1000 this year: under the threshold, paid.
    app.graphql_ok(
        Some(&key),
        LEAD,
        json!({ "i": { "customerId": "t1", "email": "t1@example.com", "code": code } }),
    )
    .await;
    let first = payouts(1).await;
    assert_eq!(first[0]["node"]["status"], "PAID");

    // Another 1000 takes the year to 2000 > 1500: held for tax details.
    app.graphql_ok(
        Some(&key),
        LEAD,
        json!({ "i": { "customerId": "t2", "email": "t2@example.com", "code": code } }),
    )
    .await;
    let both = payouts(2).await;
    assert_eq!(both[0]["node"]["status"], "ON_HOLD");
    assert_eq!(both[0]["node"]["holdReason"], "tax_details_missing");

    // Tax details on file: the held payout goes ahead.
    let p = app
        .graphql_ok(
            Some(&finance),
            "mutation($p: UUID!) { setTaxStatus(participantId: $p, onFile: true) { taxStatus } }",
            json!({ "p": ada }),
        )
        .await;
    assert_eq!(p["setTaxStatus"]["taxStatus"], "ON_FILE");
    let paid = poll_until(Duration::from_secs(30), || async {
        let p = app
            .graphql_ok(Some(&finance), PAYOUTS, json!({ "p": ada }))
            .await["payouts"]["edges"]
            .as_array()
            .cloned()
            .unwrap();
        p.iter().all(|e| e["node"]["status"] == "PAID").then_some(p)
    })
    .await;
    assert_eq!(paid.len(), 2);
}

#[tokio::test]
async fn daily_and_weekly_schedules_pay_at_most_once_per_utc_day_and_iso_week() {
    use chrono::{Datelike, TimeZone, Utc};
    // The clock starts at the real time, so that staff tokens (checked against the system clock)
    // are valid; the business then moves to the next Thursday, 10:00 UTC, at least a day ahead.
    let now = Utc::now();
    let thursday = (1..=7)
        .map(|d| now.date_naive() + chrono::Days::new(d))
        .find(|d| d.weekday() == chrono::Weekday::Thu)
        .unwrap();
    let start = Utc.from_utc_datetime(&thursday.and_hms_opt(10, 0, 0).unwrap());
    let clock = grapevine_entity::domain::clock::ManualClock::new(now);
    let app = spawn_app_with_clock(
        Backend::current(),
        Some(std::sync::Arc::new(clock.clone())),
        |_| {},
    )
    .await;
    let finance = app.login_as("FINANCE").await;
    let (app, key, code, ada) = launched(app, json!({ "side": "REFERRER", "trigger": "LEAD", "kind": "FIXED", "amountMinor": "1000", "rewardType": "CASH" })).await;
    clock.set(start);
    let schedule = |name: &'static str| {
        let (app, finance) = (&app, finance.clone());
        async move {
            app.graphql_ok(Some(&finance), "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { schedule } }", json!({ "i": { "provider": "DRY_RUN", "schedule": name, "minimumMinor": "1", "maxAttempts": 3 } })).await;
        }
    };
    schedule("DAILY").await;
    const PAYOUTS: &str = "query($p: UUID!) { payouts(filter: { participantId: $p }) { edges { node { status amount { amountMinor } } } } }";
    const BALANCE: &str =
        "query($p: UUID!) { balances(participantId: $p) { account available { amountMinor } } }";
    let state = || {
        let (app, finance, ada) = (&app, finance.clone(), ada.clone());
        async move {
            let payouts = app
                .graphql_ok(Some(&finance), PAYOUTS, json!({ "p": ada }))
                .await["payouts"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["node"]["status"].as_str().unwrap().to_owned(),
                        e["node"]["amount"]["amountMinor"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    )
                })
                .collect::<Vec<_>>();
            let balances = app
                .graphql_ok(Some(&finance), BALANCE, json!({ "p": ada }))
                .await["balances"]
                .clone();
            let available = balances
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["account"] == "CASH")
                .map_or_else(
                    || "0".to_owned(),
                    |b| b["available"]["amountMinor"].as_str().unwrap().to_owned(),
                );
            (payouts, available)
        }
    };
    // `n` payouts, all paid, and `left` cash still waiting.
    let settles_at = |n: usize, left: &'static str| {
        let state = &state;
        async move {
            poll_until(Duration::from_secs(30), || async {
                let (payouts, available) = state().await;
                (payouts.len() == n
                    && payouts.iter().all(|(s, _)| s == "PAID")
                    && available == left)
                    .then_some(payouts)
            })
            .await
        }
    };
    // A payout run queued after this moment has looked (and what it queued has run), and the
    // state is still as given.
    let stays_at = |n: usize, left: &'static str| {
        let (state, app) = (&state, &app);
        async move {
            app.next_pass::<PayoutRun>().await;
            app.jobs_idle().await;
            let (payouts, available) = state().await;
            assert_eq!(
                (payouts.len(), available.as_str()),
                (n, left),
                "{payouts:?}"
            );
        }
    };
    let refer = |customer: &'static str| {
        let (app, key, code) = (&app, key.clone(), code.clone());
        async move {
            app.graphql_ok(
                Some(&key),
                LEAD,
                json!({ "i": { "customerId": customer, "email": format!("{customer}@example.com"), "code": code } }),
            )
            .await;
        }
    };

    // DAILY: the first reward is paid at once; a second the same UTC day waits for the next day.
    refer("d1").await;
    settles_at(1, "0").await;
    clock.advance(chrono::Duration::hours(13)); // Thursday 23:00 UTC
    refer("d2").await;
    settles_at(1, "1000").await;
    stays_at(1, "1000").await;
    clock.advance(chrono::Duration::hours(1)); // Friday 00:00 UTC
    let paid = settles_at(2, "0").await;
    assert_eq!(paid[0].1, "1000", "{paid:?}");

    // WEEKLY: paid on Friday, so nothing more until Monday, when the next ISO week starts.
    schedule("WEEKLY").await;
    clock.advance(chrono::Duration::hours(10)); // Friday 10:00 UTC
    refer("w1").await;
    settles_at(2, "1000").await;
    clock.advance(chrono::Duration::hours(61)); // Sunday 23:00 UTC, the same ISO week
    refer("w2").await;
    settles_at(2, "2000").await;
    stays_at(2, "2000").await;
    clock.advance(chrono::Duration::hours(1)); // Monday 00:00 UTC, the next ISO week
    let paid = settles_at(3, "0").await;
    assert_eq!(
        paid[0].1, "2000",
        "both rewards of the week in one payout: {paid:?}"
    );
}

#[tokio::test]
async fn a_gift_card_issued_while_a_refund_reverses_its_reward_is_recorded_and_shown_as_owed() {
    let shaped = StripeShaped::start().await;
    let url = shaped.giftcard_url();
    let app = spawn_app_with_clock(Backend::current(), None, move |c| c.giftcard.url = url).await;
    let token = app.admin_token.clone();
    store_gift_card_key(&app).await;
    let (app, key, code, _) = launched(app, json!({ "side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "2500", "rewardType": "GIFT_CARD" })).await;
    // The provider creates the card at once but answers only after three seconds.
    shaped
        .configure(json!({ "create_response_delay_ms": 3000 }))
        .await;
    let referral = app
        .graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": "o-1", "customerId": "gina", "email": "gina@example.com", "amountMinor": "5000", "currency": "USD", "code": code } }))
        .await["trackConversion"]["conversion"]["referralId"]
        .as_str()
        .unwrap()
        .to_owned();
    poll_until(Duration::from_secs(30), || async {
        (shaped.created().await["/giftcards/v1/cards"] == 1).then_some(())
    })
    .await;
    // While the card's answer is on its way, the order is refunded in full.
    app.graphql_ok(Some(&key), "mutation { refundConversion(orderId: \"o-1\", refundId: \"rf-1\", amountMinor: \"5000\") { id } }", json!({})).await;
    let reward = poll_until(Duration::from_secs(30), || async {
        let r = app.graphql_ok(Some(&token), "query($id: UUID!) { referral(id: $id) { rewards { status participantId fulfilmentRef reversed { amountMinor } } } }", json!({ "id": referral })).await;
        let reward = r["referral"]["rewards"][0].clone();
        (reward["status"] == "REVERSED" && reward["fulfilmentRef"].is_string()).then_some(reward)
    })
    .await;
    let card = &shaped.stats().await["cards"][0];
    assert_eq!(
        reward["fulfilmentRef"], card["id"],
        "the issued card is on record"
    );
    assert_eq!(reward["reversed"]["amountMinor"], "2500");
    // The ledger: earned 2500, reversed 2500, a 2500 card issued: the participant holds 2500 more
    // than they were owed.
    let balances = app
        .graphql_ok(
            Some(&token),
            "query($p: UUID!) { balances(participantId: $p) { account total { amountMinor } } }",
            json!({ "p": reward["participantId"] }),
        )
        .await;
    assert_eq!(
        balances["balances"],
        json!([{ "account": "GIFT_CARD", "total": { "amountMinor": "-2500" } }])
    );
    // And no "your code" email for a reversed reward (every email job has finished): only the
    // welcome.
    app.jobs_idle().await;
    let to_gina: Vec<_> = app
        .smtp
        .messages()
        .into_iter()
        .filter(|m| m.to.iter().any(|t| t == "gina@example.com"))
        .filter_map(|m| m.subject)
        .collect();
    assert!(
        to_gina.iter().all(|s| !s.contains("25.00 USD")),
        "{to_gina:?}"
    );
}

/// A card issued by an attempt that was cut short (the worker killed between the provider's answer
/// and our commit), then the reward reversed by a full refund before the retry: the retry finds
/// the card at the provider and records it on the reward, issues no second one, and posts nothing
/// (the reward has no value left). A reversed reward for which nothing was issued stays without a
/// card. Jobs are run by hand, so each step happens in this order.
#[tokio::test]
async fn a_card_issued_by_an_interrupted_attempt_is_recorded_after_a_reversal_and_never_issued_again()
 {
    use grapevine_entity::tables::{LedgerKind, RewardStatus, ledger_entries, rewards};
    use grapevine_worker::{
        jobs::{FulfilReward, ReleaseRewards, ValidateReferral},
        outbox::Job,
        payouts::providers::{FulfilRequest, Fulfiller, GiftCards},
    };
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let shaped = StripeShaped::start().await;
    let url = shaped.giftcard_url();
    let app = grapevine_tests::spawn_api_only_with(Backend::current(), move |c| {
        c.giftcard.url = url;
    })
    .await;
    store_gift_card_key(&app).await;
    let (app, key, code, _) = launched(app, json!({ "side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "2500", "rewardType": "GIFT_CARD" })).await;
    let ctx = app.jobs.clone();
    let db = app.db.connect().await;

    // Gina and Hugo buy; their purchases are validated and the (unheld) rewards released.
    let mut reward_of = Vec::new();
    for customer in ["gina", "hugo"] {
        let c = app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id referralId } } }", json!({ "i": { "orderId": format!("o-{customer}"), "customerId": customer, "email": format!("{customer}@example.com"), "amountMinor": "5000", "currency": "USD", "code": code } })).await;
        let id = |field: &str| -> uuid::Uuid {
            c["trackConversion"]["conversion"][field]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        };
        let (referral, conversion) = (id("referralId"), id("id"));
        ValidateReferral {
            referral_id: referral,
            conversion_id: Some(conversion),
        }
        .run(&ctx)
        .await
        .unwrap();
        reward_of.push((referral, conversion));
    }
    ReleaseRewards {}.run(&ctx).await.unwrap();
    let reward = |referral: uuid::Uuid| {
        let db = db.clone();
        async move {
            rewards::Entity::find()
                .filter(rewards::Column::ReferralId.eq(referral))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let (gina, hugo) = (reward(reward_of[0].0).await, reward(reward_of[1].0).await);
    assert_eq!(
        (gina.status, hugo.status),
        (RewardStatus::Released, RewardStatus::Released)
    );

    // The interrupted attempt: the provider issued Gina's card; nothing of it was recorded.
    let provider = GiftCards::new(
        &shaped.giftcard_url(),
        secrecy::SecretString::from(GIFT_CARD_KEY.to_owned()),
    )
    .unwrap();
    let card = provider
        .issue(&FulfilRequest {
            reward_id: gina.id,
            amount_minor: 2500,
            currency: "USD",
            recipient_email: "gina@example.com",
        })
        .await
        .unwrap();

    // Both orders are refunded in full before the fulfilment is retried.
    for (customer, (referral, conversion)) in ["gina", "hugo"].iter().zip(&reward_of) {
        app.graphql_ok(Some(&key), "mutation($o: String!, $r: String!) { refundConversion(orderId: $o, refundId: $r, amountMinor: \"5000\") { id } }", json!({ "o": format!("o-{customer}"), "r": format!("rf-{customer}") })).await;
        ValidateReferral {
            referral_id: *referral,
            conversion_id: Some(*conversion),
        }
        .run(&ctx)
        .await
        .unwrap();
    }
    for r in [&gina, &hugo] {
        let now = reward(r.referral_id).await;
        assert_eq!(now.status, RewardStatus::Reversed, "{now:#?}");
        assert_eq!(now.fulfilment_ref, None);
    }

    // The retries (twice each: a retry may itself be retried).
    for _ in 0..2 {
        for r in [&gina, &hugo] {
            FulfilReward { reward_id: r.id }.run(&ctx).await.unwrap();
        }
    }
    let (gina, hugo) = (
        reward(gina.referral_id).await,
        reward(hugo.referral_id).await,
    );
    assert_eq!(gina.status, RewardStatus::Reversed);
    assert_eq!(
        gina.fulfilment_ref.as_deref(),
        Some(card.reference.as_str()),
        "the card issued before the reversal is on record"
    );
    assert_eq!(gina.fulfilment_code.as_deref(), Some(card.code.as_str()));
    assert_eq!(
        (hugo.status, hugo.fulfilment_ref),
        (RewardStatus::Reversed, None),
        "nothing was issued for Hugo, and nothing is"
    );
    let stats = shaped.stats().await;
    assert_eq!(
        stats["creates"]["/giftcards/v1/cards"], 1,
        "the interrupted attempt's card only: {stats:#}"
    );
    // Gina's ledger: earned and reversed; the lookup gives no value, so no fulfilment entry.
    let entries = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::RewardId.eq(gina.id))
        .all(&db)
        .await
        .unwrap();
    assert!(
        entries.iter().all(|e| e.kind != LedgerKind::Fulfilment),
        "{entries:#?}"
    );
    assert_eq!(entries.iter().map(|e| e.amount_minor).sum::<i64>(), 0);
}
