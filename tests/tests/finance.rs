//! Finance (issue 6): reconciliation against the providers (a running localstripe for coupons,
//! the Stripe-shaped test server for transfers and gift cards), the payouts and ledger CSV
//! exports against the GraphQL totals, the liability report and campaign cost against budget;
//! who may see them, and that another tenant sees none of it.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, time::Duration};

use chrono::{SecondsFormat, Utc};
use grapevine_entity::tables::{
    PayoutStatus, RewardStatus, RewardType, ledger_entries, participants, payouts, rewards,
};
use grapevine_tests::{
    Backend, TestApp,
    client::GraphqlClient,
    error_codes, poll_until,
    shop::{self, Payouts, Shop, ShopSpec, first_purchase},
    spawn_app_with,
    stripe::{LocalStripe, SECRET_KEY},
    stripe_shaped::StripeShaped,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const CASH: i64 = 1000;
const GIFT_CARD: i64 = 300;
const COUPON: i64 = 1500;

struct Providers {
    _localstripe: LocalStripe,
    shaped: StripeShaped,
}

async fn start() -> (TestApp, Providers) {
    let localstripe = LocalStripe::start().await;
    let shaped = StripeShaped::start().await;
    let (stripe_url, connect_url, cards_url) =
        (localstripe.url(), shaped.url(), shaped.giftcard_url());
    let app = spawn_app_with(Backend::current(), move |c| {
        c.stripe.api_base = stripe_url;
        c.stripe.connect_api_base = connect_url;
        c.giftcard.url = cards_url;
    })
    .await;
    (
        app,
        Providers {
            _localstripe: localstripe,
            shaped,
        },
    )
}

/// A referrer's friend buys: cash and a gift card for the referrer, a coupon for the friend.
async fn purchase(api: &GraphqlClient, shop: &Shop, referrer: usize, friend: &str) {
    api.ok(
        &shop.key,
        "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }",
        json!({ "i": { "orderId": format!("o-{friend}"), "customerId": friend, "email": format!("{friend}@friends.example"), "amountMinor": "5000", "currency": "USD", "code": shop.referrers[referrer].1 } }),
    )
    .await;
}

/// Wait until every reward of the tenant is in one of the wanted states.
async fn rewards_settle(
    db: &DatabaseConnection,
    count: usize,
    done: impl Fn(&rewards::Model) -> bool,
) -> Vec<rewards::Model> {
    poll_until(Duration::from_secs(60), || async {
        let all = rewards::Entity::find().all(db).await.unwrap();
        (all.len() == count && all.iter().all(&done)).then_some(all)
    })
    .await
}

fn settled(r: &rewards::Model) -> bool {
    match r.reward_type {
        RewardType::Cash => r.status == RewardStatus::Paid,
        _ => r.status == RewardStatus::Fulfilled,
    }
}

/// Start a reconciliation and wait for its end.
async fn reconcile(api: &GraphqlClient, finance: &str, from: &str, to: &str) -> Value {
    let started = api
        .ok(
            finance,
            "mutation($f: DateTime!, $t: DateTime!) { startReconciliation(from: $f, to: $t) { id status } }",
            json!({ "f": from, "t": to }),
        )
        .await;
    let id = started["startReconciliation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    poll_until(Duration::from_secs(30), || async {
        let body = api
            .ok(
                finance,
                "query($id: UUID!) { reconciliation(id: $id) { id status checked matched mismatched error mismatches { object issue payoutId rewardId providerRef ours { amountMinor currency } provider { amountMinor currency } oursStatus providerStatus detail } } }",
                json!({ "id": id }),
            )
            .await;
        let run = body["reconciliation"].clone();
        (run["status"] != "RUNNING").then_some(run)
    })
    .await
}

/// GET an export with a token; returns the status and the body.
async fn export(app: &TestApp, token: &str, path: &str) -> (u16, String) {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Parse CSV with a standard reader: the header and the rows as column → value maps.
fn parse_csv(body: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect();
    (header, rows)
}

fn sum(rows: &[BTreeMap<String, String>], column: &str) -> i64 {
    rows.iter().map(|r| r[column].parse::<i64>().unwrap()).sum()
}

#[tokio::test]
async fn reconciliation_finds_the_altered_payout_exports_sum_to_the_totals_and_liability_adds_up() {
    let (app, providers) = start().await;
    let api = GraphqlClient::new(&app.address);
    let token = app.admin_token.clone();
    let finance = app.login_as("FINANCE").await;
    let db = app.db.connect().await;
    let from = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);

    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            referrers: shop::numbered(4),
            rules: vec![
                first_purchase("REFERRER", CASH, "CASH"),
                first_purchase("REFERRER", GIFT_CARD, "GIFT_CARD"),
                first_purchase("REFEREE", COUPON, "COUPON"),
            ],
            payouts: Some(Payouts {
                providers: true,
                max_attempts: 5,
            }),
            name: "Finance",
            ..ShopSpec::default()
        },
    )
    .await;

    // Three referrals, everything paid and delivered: 3 transfers, 3 gift cards, 3 coupons.
    for (i, friend) in ["fa", "fb", "fc"].iter().enumerate() {
        purchase(&api, &shop, i, friend).await;
    }
    rewards_settle(&db, 9, settled).await;
    let paid = payouts::Entity::find().all(&db).await.unwrap();
    assert_eq!(paid.len(), 3);
    assert!(
        paid.iter()
            .all(|p| p.status == PayoutStatus::Paid && p.amount_minor == CASH)
    );
    let to = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);

    // Both sides agree: nothing to report, and every object was looked at.
    let clean = reconcile(&api, &finance, &from, &to).await;
    assert_eq!(clean["status"], "DONE", "{clean:#}");
    assert_eq!(clean["mismatches"], json!([]), "{clean:#}");
    assert_eq!(
        (clean["checked"].as_i64(), clean["matched"].as_i64()),
        (Some(9), Some(9)),
        "{clean:#}"
    );

    // Someone changes things at the provider: one transfer's amount, another reversed, and a
    // transfer nobody here made.
    let (altered, reversed) = (&paid[0], &paid[1]);
    let alter = |id: &str, body: Value| {
        let url = format!("{}/_test/transfers/{id}/alter", providers.shaped.url());
        async move {
            let res = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        }
    };
    alter(
        altered.provider_ref.as_deref().unwrap(),
        json!({ "amount": CASH - 1 }),
    )
    .await;
    alter(
        reversed.provider_ref.as_deref().unwrap(),
        json!({ "reversed": true, "amount_reversed": CASH }),
    )
    .await;
    let account = participants::Entity::find()
        .filter(participants::Column::PayoutAccountId.is_not_null())
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .payout_account_id
        .unwrap();
    let stray = reqwest::Client::new()
        .post(format!("{}/v1/transfers", providers.shaped.url()))
        .basic_auth(SECRET_KEY, Some(""))
        .form(&[
            ("amount", "777"),
            ("currency", "usd"),
            ("destination", account.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(stray.status().is_success());
    let stray: Value = stray.json().await.unwrap();

    let dirty = reconcile(&api, &finance, &from, &to).await;
    assert_eq!(dirty["status"], "DONE", "{dirty:#}");
    let found: Vec<(String, Value, Value)> = dirty["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["issue"].as_str().unwrap().to_owned(),
                m["payoutId"].clone(),
                m["providerRef"].clone(),
            )
        })
        .collect();
    let mut expected = vec![
        (
            "AMOUNT_DIFFERS".to_owned(),
            json!(altered.id.to_string()),
            json!(altered.provider_ref),
        ),
        (
            "STATUS_DIFFERS".to_owned(),
            json!(reversed.id.to_string()),
            json!(reversed.provider_ref),
        ),
        (
            "MISSING_IN_GRAPEVINE".to_owned(),
            Value::Null,
            stray["id"].clone(),
        ),
    ];
    let mut found_sorted = found.clone();
    found_sorted.sort_by(|a, b| a.0.cmp(&b.0));
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(found_sorted, expected, "{dirty:#}");
    let amount = dirty["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["issue"] == "AMOUNT_DIFFERS")
        .unwrap();
    assert_eq!(amount["ours"]["amountMinor"], CASH.to_string());
    assert_eq!(amount["provider"]["amountMinor"], (CASH - 1).to_string());
    assert_eq!(
        (dirty["checked"].as_i64(), dirty["matched"].as_i64()),
        (Some(10), Some(7))
    );

    // The payouts CSV: a standard reader parses it, and it sums to the GraphQL totals.
    let q = format!("?from={from}&to={to}").replace('+', "%2B");
    let (status, body) = export(&app, &finance, &format!("/exports/payouts.csv{q}")).await;
    assert_eq!(status, 200, "{body}");
    let (header, rows) = parse_csv(&body);
    assert_eq!(
        header[..4],
        [
            "payout_id",
            "participant_id",
            "participant_external_id",
            "status"
        ]
    );
    assert_eq!(rows.len(), 3);
    let totals = api
        .ok(&finance, "query($f: DateTime!, $t: DateTime!) { payoutTotals(from: $f, to: $t) { status count amount { amountMinor currency } } }", json!({ "f": from, "t": to }))
        .await;
    let graphql_total: i64 = totals["payoutTotals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["amount"]["amountMinor"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
        })
        .sum();
    assert_eq!(sum(&rows, "amount_minor"), graphql_total);
    assert_eq!(graphql_total, 3 * CASH);
    assert!(rows.iter().all(|r| r["status"] == "paid"
        && r["currency"] == "USD"
        && r["participant_external_id"].starts_with('r')));

    // The ledger CSV holds every entry of the period, and sums as the ledger does.
    let (status, body) = export(&app, &finance, &format!("/exports/ledger.csv{q}")).await;
    assert_eq!(status, 200, "{body}");
    let (_, entries) = parse_csv(&body);
    let in_db = ledger_entries::Entity::find().all(&db).await.unwrap();
    assert_eq!(entries.len(), in_db.len());
    assert_eq!(
        sum(&entries, "amount_minor"),
        in_db.iter().map(|e| e.amount_minor).sum::<i64>()
    );
    let kinds: std::collections::BTreeSet<&str> =
        entries.iter().map(|e| e["kind"].as_str()).collect();
    assert!(
        kinds.contains("reward") && kinds.contains("payout") && kinds.contains("fulfilment"),
        "{kinds:?}"
    );
    // One participant's ledger only.
    let ada = &shop.referrers[0].0;
    let (_, hers) = parse_csv(
        &export(
            &app,
            &finance,
            &format!("/exports/ledger.csv{q}&participantId={ada}"),
        )
        .await
        .1,
    );
    assert!(!hers.is_empty() && hers.iter().all(|e| &e["participant_id"] == ada));

    // Liability: a fourth referral is released but not paid (the minimum is now out of reach),
    // a fifth is still in its hold period.
    api.ok(&finance, "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { provider } }", json!({ "i": { "provider": "STRIPE", "schedule": "IMMEDIATE", "minimumMinor": "1000000", "maxAttempts": 5 } })).await;
    purchase(&api, &shop, 3, "fd").await;
    rewards_settle(&db, 12, |r| {
        r.status != RewardStatus::Held
            && (r.reward_type == RewardType::Cash || r.status == RewardStatus::Fulfilled)
    })
    .await;
    api.ok(&token, "mutation($id: UUID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { holdDays } }", json!({ "id": shop.campaign, "i": { "holdDays": 30 } })).await;
    purchase(&api, &shop, 0, "fe").await;
    rewards_settle(&db, 15, |r| {
        r.status != RewardStatus::Released || r.reward_type == RewardType::Cash
    })
    .await;
    let liability = api
        .ok(&finance, "{ liability { rewardType held { amountMinor currency } heldCount unpaid { amountMinor } unpaidCount total { amountMinor } } }", json!({}))
        .await;
    let by_type: BTreeMap<String, Value> = liability["liability"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["rewardType"].as_str().unwrap().to_owned(), l.clone()))
        .collect();
    let figures = |t: &str| {
        let l = &by_type[t];
        (
            l["held"]["amountMinor"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
            l["heldCount"].as_str().unwrap().parse::<i64>().unwrap(),
            l["unpaid"]["amountMinor"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
            l["unpaidCount"].as_str().unwrap().parse::<i64>().unwrap(),
            l["total"]["amountMinor"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        )
    };
    assert_eq!(
        figures("CASH"),
        (CASH, 1, CASH, 1, 2 * CASH),
        "{liability:#}"
    );
    assert_eq!(
        figures("GIFT_CARD"),
        (GIFT_CARD, 1, 0, 0, GIFT_CARD),
        "{liability:#}"
    );
    assert_eq!(
        figures("COUPON"),
        (COUPON, 1, 0, 0, COUPON),
        "{liability:#}"
    );
    assert!(by_type.values().all(|l| l["held"]["currency"] == "USD"));

    // Campaign cost against its budget.
    let cost = api
        .ok(&finance, "query($c: UUID!) { campaignCost(campaignId: $c) { budget { amountMinor } committed { amountMinor currency } held { amountMinor } unpaid { amountMinor } settled { amountMinor } reversed { amountMinor } remaining { amountMinor } budgetUsed } }", json!({ "c": shop.campaign }))
        .await["campaignCost"]
        .clone();
    let minor = |v: &Value| v["amountMinor"].as_str().unwrap().parse::<i64>().unwrap();
    let per_referral = CASH + GIFT_CARD + COUPON;
    assert_eq!(minor(&cost["committed"]), 5 * per_referral, "{cost:#}");
    assert_eq!(minor(&cost["held"]), per_referral);
    assert_eq!(minor(&cost["unpaid"]), CASH);
    assert_eq!(
        minor(&cost["settled"]),
        3 * per_referral + GIFT_CARD + COUPON
    );
    assert_eq!(minor(&cost["reversed"]), 0);
    assert_eq!(
        minor(&cost["remaining"]),
        minor(&cost["budget"]) - 5 * per_referral
    );
    let used = cost["budgetUsed"].as_f64().unwrap();
    assert!((used - 5.0 * per_referral as f64 / minor(&cost["budget"]) as f64).abs() < 1e-12);
}

#[tokio::test]
async fn only_finance_sees_money_and_another_tenant_sees_none_of_it() {
    let (app, _providers) = start().await;
    let api = GraphqlClient::new(&app.address);
    let finance = app.login_as("FINANCE").await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let from = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let to = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let run = api
        .ok(&finance, "mutation($f: DateTime!, $t: DateTime!) { startReconciliation(from: $f, to: $t) { id } }", json!({ "f": from, "t": to }))
        .await["startReconciliation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = format!("?from={from}&to={to}");

    let reads = [
        (
            "query($id: UUID!) { reconciliation(id: $id) { id } }",
            json!({ "id": run }),
        ),
        ("{ reconciliations { edges { node { id } } } }", json!({})),
        ("{ liability { rewardType } }", json!({})),
        (
            "query($c: UUID!) { campaignCost(campaignId: $c) { committed { amountMinor } } }",
            json!({ "c": campaign }),
        ),
        (
            "query($f: DateTime!, $t: DateTime!) { payoutTotals(from: $f, to: $t) { status } }",
            json!({ "f": from, "t": to }),
        ),
        (
            "mutation($f: DateTime!, $t: DateTime!) { startReconciliation(from: $f, to: $t) { id } }",
            json!({ "f": from, "t": to }),
        ),
    ];
    for role in ["SALES", "MARKETING_MANAGER", "OPS"] {
        let token = app.login_as(role).await;
        for (query, vars) in &reads {
            let body = api.request(&token, query, vars.clone()).await;
            assert_eq!(error_codes(&body), ["FORBIDDEN"], "{role}: {query}: {body}");
        }
        for path in ["/exports/payouts.csv", "/exports/ledger.csv"] {
            let (status, body) = export(&app, &token, &format!("{path}{q}")).await;
            assert_eq!(status, 403, "{role} {path}: {body}");
            assert!(body.contains("\"FORBIDDEN\""), "{body}");
        }
    }
    for (query, vars) in &reads {
        assert!(error_codes(&api.request(&finance, query, vars.clone()).await).is_empty());
        assert!(error_codes(&api.request(&app.admin_token, query, vars.clone()).await).is_empty());
    }
    let (status, _) = export(&app, "not a token", &format!("/exports/payouts.csv{q}")).await;
    assert_eq!(status, 401);

    // Bad input: a clear code, the field named.
    let backwards = api
        .request(&finance, "mutation($f: DateTime!, $t: DateTime!) { startReconciliation(from: $f, to: $t) { id } }", json!({ "f": to, "t": from }))
        .await;
    assert_eq!(error_codes(&backwards), ["VALIDATION"], "{backwards}");
    assert_eq!(
        backwards["errors"][0]["extensions"]["fields"][0]["field"],
        "to"
    );
    let (status, body) = export(
        &app,
        &finance,
        "/exports/payouts.csv?from=yesterday&to=today",
    )
    .await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION");
    assert_eq!(body["error"]["fields"][0]["field"], "from");
    let (status, _) = export(
        &app,
        &finance,
        &format!("/exports/ledger.csv{q}&participantId=nope"),
    )
    .await;
    assert_eq!(status, 400);

    // Tenant B's finance reaches none of A's.
    let (_b_tenant, b_admin) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    api.ok(&b_admin, "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", json!({ "i": { "email": "fin@b.example", "name": "B finance", "role": "FINANCE", "password": "a long enough password" } })).await;
    let b_finance = api
        .ok(&b_admin, "mutation { login(email: \"fin@b.example\", password: \"a long enough password\") { token } }", json!({}))
        .await["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = api
        .request(&b_finance, reads[0].0, reads[0].1.clone())
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let body = api
        .request(&b_finance, reads[3].0, reads[3].1.clone())
        .await;
    assert_eq!(error_codes(&body), ["NOT_FOUND"], "{body}");
    let listed = api.ok(&b_finance, reads[1].0, json!({})).await;
    assert_eq!(listed["reconciliations"]["edges"], json!([]));
    // A's payouts exist in the period (made through the dry run here), B's export holds none.
    let shop = shop::open(
        &api,
        &app.admin_token,
        ShopSpec {
            referrers: shop::numbered(1),
            rules: vec![first_purchase("REFERRER", CASH, "CASH")],
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 3,
            }),
            name: "A",
            ..ShopSpec::default()
        },
    )
    .await;
    purchase(&api, &shop, 0, "fz").await;
    let db = app.db.connect().await;
    poll_until(Duration::from_secs(30), || async {
        payouts::Entity::find()
            .filter(payouts::Column::Status.eq(PayoutStatus::Paid))
            .one(&db)
            .await
            .unwrap()
    })
    .await;
    let (_, a_rows) = parse_csv(
        &export(&app, &finance, &format!("/exports/payouts.csv{q}"))
            .await
            .1,
    );
    assert_eq!(a_rows.len(), 1);
    for path in ["/exports/payouts.csv", "/exports/ledger.csv"] {
        let (status, body) = export(&app, &b_finance, &format!("{path}{q}")).await;
        assert_eq!(status, 200);
        let (header, rows) = parse_csv(&body);
        assert!(!header.is_empty());
        assert!(rows.is_empty(), "tenant B's {path} holds A's rows: {body}");
    }
    let b_liability = api
        .ok(&b_finance, "{ liability { rewardType } }", json!({}))
        .await;
    assert_eq!(b_liability["liability"], json!([]));
    let a_liability = api
        .ok(&finance, "{ liability { rewardType } }", json!({}))
        .await;
    assert_eq!(
        a_liability["liability"],
        json!([]),
        "A's one reward is paid: nothing owed"
    );
}
