//! Leads and conversions: test case A-1's first half over HTTP, then every way a report can be
//! wrong (each a clear error that changes nothing), first/last touch, currencies and refunds.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_entity::tables::{JobState, conversions, job_outbox, referral_links, referrals};
use grapevine_tests::error_codes as codes;
use grapevine_tests::shop::{self, AppShop, ShopSpec};
use grapevine_tests::spawn_app;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const LEAD: &str = "mutation($i: LeadInput!) { trackLead(input: $i) { referral { id referrerParticipantId refereeCustomerId source status } notAttributed } }";
const CONVERSION: &str = "mutation($i: ConversionInput!) { trackConversion(input: $i) { duplicate notAttributed conversion { id organic referralId campaignId amount { amountMinor currency } campaignAmount { amountMinor currency } } } }";

/// A launched campaign with referrers `ref-ada` and `ref-bob`.
async fn shop() -> AppShop {
    shop::open_on(
        spawn_app().await,
        ShopSpec {
            name: "Spring referral",
            referrers: shop::named(&[
                ("ref-ada", "ada@example.com"),
                ("ref-bob", "bob@example.com"),
            ]),
            rules: shop::double_sided(),
            budget_minor: Some(500_000),
            // The default hold: no reward is released while the test runs.
            hold_days: 14,
            payouts: None,
            ..ShopSpec::default()
        },
    )
    .await
}

fn order(id: &str, customer: &str, amount: &str, currency: &str) -> Value {
    json!({ "orderId": id, "customerId": customer, "email": format!("{customer}@example.com"), "amountMinor": amount, "currency": currency })
}

#[tokio::test]
async fn test_case_a1_first_half_click_lead_purchase_is_attributed_and_queued_for_validation() {
    let s = shop().await;
    let (ada_id, ada_code) = s.referrers[0].clone();
    let click = s.app.visit(&ada_code).click().await;
    s.app.clicks_stored(&[click]).await;

    let lead = s.app.graphql_ok(Some(&s.key), LEAD, json!({ "i": { "customerId": "friend-1", "email": "friend1@example.com", "clickId": click } })).await;
    let referral = &lead["trackLead"]["referral"];
    assert_eq!(
        referral["referrerParticipantId"],
        ada_id.as_str(),
        "attributed to the referrer whose link was followed"
    );
    assert_eq!(referral["source"], "CLICK");
    assert_eq!(referral["status"], "PENDING");

    let mut purchase = order("order-1", "friend-1", "5000", "USD");
    purchase["clickId"] = json!(click);
    let data = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    let conversion = &data["trackConversion"]["conversion"];
    assert_eq!(conversion["organic"], false);
    assert_eq!(conversion["referralId"], referral["id"]);
    assert_eq!(conversion["campaignId"], s.campaign.as_str());

    let db = s.app.db.connect().await;
    let jobs = job_outbox::Entity::find()
        .filter(job_outbox::Column::Kind.eq("referral.validate"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        jobs.len(),
        2,
        "one validation job for the lead, one for the purchase"
    );
    let payloads: Vec<Value> = jobs.iter().map(|j| j.payload.clone()).collect();
    assert!(
        payloads
            .iter()
            .any(|p| p["conversion_id"] == conversion["id"] && p["referral_id"] == referral["id"]),
        "{payloads:?}"
    );
    // The validation jobs run: the honest referral ends approved.
    let referral_id: uuid::Uuid = referral["id"].as_str().unwrap().parse().unwrap();
    grapevine_tests::poll_until(std::time::Duration::from_secs(20), || async {
        let jobs = job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq("referral.validate"))
            .all(&db)
            .await
            .unwrap();
        jobs.iter().all(|j| j.state == JobState::Done).then_some(())
    })
    .await;
    let stored = referrals::Entity::find_by_id(referral_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.status,
        grapevine_entity::tables::ReferralStatus::Approved
    );
}

#[tokio::test]
async fn conversions_without_a_touch_are_organic_and_duplicates_are_idempotent_or_conflicts() {
    let s = shop().await;
    let data = s
        .app
        .graphql_ok(
            Some(&s.key),
            CONVERSION,
            json!({ "i": order("o-1", "walk-in", "1200", "USD") }),
        )
        .await;
    assert_eq!(data["trackConversion"]["conversion"]["organic"], true);
    assert_eq!(data["trackConversion"]["notAttributed"], "no_touch");
    let again = s
        .app
        .graphql_ok(
            Some(&s.key),
            CONVERSION,
            json!({ "i": order("o-1", "walk-in", "1200", "USD") }),
        )
        .await;
    assert_eq!(again["trackConversion"]["duplicate"], true);
    assert_eq!(
        again["trackConversion"]["conversion"]["id"],
        data["trackConversion"]["conversion"]["id"]
    );
    let body = s
        .app
        .graphql(
            Some(&s.key),
            CONVERSION,
            json!({ "i": order("o-1", "walk-in", "9999", "USD") }),
        )
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"], "{body:#}");
    let db = s.app.db.connect().await;
    assert_eq!(conversions::Entity::find().count(&db).await.unwrap(), 1);
    let stored = conversions::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        stored.amount_minor, 1200,
        "the conflicting report changed nothing"
    );
    assert_eq!(
        job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq("referral.validate"))
            .count(&db)
            .await
            .unwrap(),
        0,
        "organic: nothing to validate"
    );
}

#[tokio::test]
async fn an_attributed_order_reported_again_is_the_same_conversion_even_once_its_code_is_gone() {
    let s = shop().await;
    let (ada_id, ada_code) = s.referrers[0].clone();
    let mut purchase = order("o-again", "friend-again", "5000", "USD");
    purchase["code"] = json!(ada_code);
    let first = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    let first = &first["trackConversion"];
    assert_eq!(first["duplicate"], false);
    assert_eq!(first["conversion"]["organic"], false);
    assert_eq!(first["conversion"]["campaignAmount"]["currency"], "USD");

    let again = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    assert_eq!(again["trackConversion"]["duplicate"], true);
    assert_eq!(again["trackConversion"]["conversion"], first["conversion"]);

    // The code stops resolving (its link disabled): the merchant's retry is still the same order,
    // not a refusal.
    let db = s.app.db.connect().await;
    referral_links::Entity::update_many()
        .col_expr(
            referral_links::Column::DisabledAt,
            sea_orm::sea_query::Expr::value(Some(chrono::Utc::now())),
        )
        .filter(referral_links::Column::Code.eq(ada_code.as_str()))
        .exec(&db)
        .await
        .unwrap();
    let later = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    assert_eq!(later["trackConversion"]["duplicate"], true);
    assert_eq!(later["trackConversion"]["conversion"], first["conversion"]);
    // The same order with another amount is a conflict, whatever its touch.
    purchase["amountMinor"] = json!("5001");
    let body = s
        .app
        .graphql(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"], "{body:#}");

    // One order, one referral to Ada, one validation: the replays wrote nothing.
    assert_eq!(conversions::Entity::find().count(&db).await.unwrap(), 1);
    let referrals = referrals::Entity::find().all(&db).await.unwrap();
    assert_eq!(referrals.len(), 1);
    assert_eq!(referrals[0].referrer_participant_id.to_string(), ada_id);
    assert_eq!(
        job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq("referral.validate"))
            .count(&db)
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn bad_reports_are_refused_clearly_and_change_nothing() {
    let s = shop().await;
    let ada_ext = "ref-ada";
    let (_, ada_code) = s.referrers[0].clone();
    let db = s.app.db.connect().await;
    let count = |db: sea_orm::DatabaseConnection| async move {
        (
            referrals::Entity::find().count(&db).await.unwrap(),
            conversions::Entity::find().count(&db).await.unwrap(),
        )
    };

    // Unknown code, unknown click.
    let body = s
        .app
        .graphql(
            Some(&s.key),
            LEAD,
            json!({ "i": { "customerId": "f", "code": "NOSUCHCODE" } }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    let body = s
        .app
        .graphql(
            Some(&s.key),
            LEAD,
            json!({ "i": { "customerId": "f", "clickId": uuid::Uuid::now_v7() } }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    // Self-referral by customer id.
    let mut selfie = order("o-self", ada_ext, "5000", "USD");
    selfie["code"] = json!(ada_code);
    let body = s
        .app
        .graphql(Some(&s.key), CONVERSION, json!({ "i": selfie }))
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("refer themselves")
    );
    // Foreign currency without a rate.
    let mut euros = order("o-eur", "friend-eur", "5000", "EUR");
    euros["code"] = json!(ada_code);
    let body = s
        .app
        .graphql(Some(&s.key), CONVERSION, json!({ "i": euros.clone() }))
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("setFxRate")
    );
    // Nonsense amounts and currencies.
    for bad in [
        order("o-x", "c", "0", "USD"),
        order("o-x", "c", "-5", "USD"),
        order("o-x", "c", "100", "ZZZ"),
        order("", "c", "100", "USD"),
    ] {
        let body = s
            .app
            .graphql(Some(&s.key), CONVERSION, json!({ "i": bad }))
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    }
    assert_eq!(count(db.clone()).await, (0, 0), "nothing was written");

    // Keys: none, wrong, publishable, staff.
    let body = s
        .app
        .graphql(
            None,
            CONVERSION,
            json!({ "i": order("o-k", "c", "100", "USD") }),
        )
        .await;
    assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
    let body = s
        .app
        .graphql(
            Some("sk_0000000000000000000000000000000000000000"),
            CONVERSION,
            json!({ "i": order("o-k", "c", "100", "USD") }),
        )
        .await;
    assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
    let body = s
        .app
        .graphql(
            Some(&s.app.admin_token),
            CONVERSION,
            json!({ "i": order("o-k", "c", "100", "USD") }),
        )
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    let pk = s.app.graphql_ok(Some(&s.app.admin_token), r#"mutation { createApiKey(kind: PUBLISHABLE, name: "w", allowedOrigins: ["https://shop.example"]) { key } }"#, json!({})).await["createApiKey"]["key"].as_str().unwrap().to_owned();
    let res: Value = s
        .app
        .client
        .post(format!("{}/graphql", s.app.address))
        .bearer_auth(&pk)
        .header("origin", "https://shop.example")
        .json(
            &json!({ "query": CONVERSION, "variables": { "i": order("o-k", "c", "100", "USD") } }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        codes(&res),
        vec!["FORBIDDEN"],
        "a publishable key cannot report conversions"
    );
    assert_eq!(count(db.clone()).await, (0, 0));

    // With a rate, the euro order counts in dollars.
    s.app
        .graphql_ok(
            Some(&s.app.admin_token),
            r#"mutation { setFxRate(base: "EUR", quote: "USD", ratePpm: "1080000") { ratePpm } }"#,
            json!({}),
        )
        .await;
    let data = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": euros }))
        .await;
    assert_eq!(
        data["trackConversion"]["conversion"]["campaignAmount"],
        json!({ "amountMinor": "5400", "currency": "USD" })
    );
}

#[tokio::test]
async fn a_click_outside_the_attribution_window_is_not_attributed() {
    let s = shop().await;
    let click = s.app.visit(&s.referrers[0].1).click().await;
    s.app.clicks_stored(&[click]).await;
    // The click happened 31 days ago (the campaign's window is 30 days).
    let db = s.app.db.connect().await;
    let old = (chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339();
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            format!("UPDATE clicks SET created_at = '{old}' WHERE id = '{click}'")
        }
        _ => format!("UPDATE clicks SET created_at = '{old}'"),
    };
    db.execute_unprepared(&sql).await.unwrap();
    let mut purchase = order("o-late", "late-friend", "5000", "USD");
    purchase["clickId"] = json!(click);
    let data = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    assert_eq!(data["trackConversion"]["conversion"]["organic"], true);
    assert_eq!(
        data["trackConversion"]["notAttributed"],
        "outside_attribution_window"
    );
    assert_eq!(referrals::Entity::find().count(&db).await.unwrap(), 0);
}

#[tokio::test]
async fn first_touch_wins_by_default_and_last_touch_when_configured() {
    let s = shop().await;
    let (ada, bob) = (s.referrers[0].clone(), s.referrers[1].clone());
    for code in [&ada.1, &bob.1] {
        s.app
            .graphql_ok(
                Some(&s.key),
                LEAD,
                json!({ "i": { "customerId": "both", "code": code } }),
            )
            .await;
    }
    let data = s
        .app
        .graphql_ok(Some(&s.key), LEAD, json!({ "i": { "customerId": "both" } }))
        .await;
    assert_eq!(
        data["trackLead"]["notAttributed"], "no_touch",
        "a lead without a touch ties nothing new"
    );
    let mut purchase = order("o-both", "both", "5000", "USD");
    purchase["code"] = json!(bob.1);
    let data = s
        .app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    let db = s.app.db.connect().await;
    let referral = referrals::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        referral.referrer_participant_id.to_string(),
        ada.0,
        "first touch keeps the referee"
    );
    assert_eq!(
        data["trackConversion"]["conversion"]["referralId"],
        referral.id.to_string()
    );
    assert_eq!(
        referrals::Entity::find().count(&db).await.unwrap(),
        1,
        "one referrer per referee and campaign"
    );

    s.app.graphql_ok(Some(&s.app.admin_token), "mutation($c: UUID!) { updateCampaign(id: $c, input: { attributionModel: LAST_TOUCH }) { id } }", json!({ "c": s.campaign })).await;
    s.app
        .graphql_ok(
            Some(&s.key),
            LEAD,
            json!({ "i": { "customerId": "switcher", "code": ada.1 } }),
        )
        .await;
    let later = s
        .app
        .graphql_ok(
            Some(&s.key),
            LEAD,
            json!({ "i": { "customerId": "switcher", "code": bob.1 } }),
        )
        .await;
    assert_eq!(
        later["trackLead"]["referral"]["referrerParticipantId"],
        bob.0.as_str(),
        "last touch takes over"
    );
}

#[tokio::test]
async fn refunds_are_recorded_partially_then_fully_and_never_beyond_the_order() {
    let s = shop().await;
    let mut purchase = order("o-r", "refunder", "10000", "USD");
    purchase["code"] = json!(s.referrers[0].1);
    s.app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": purchase }))
        .await;
    let refund = "mutation($o: String!, $r: String!, $a: BigInt!) { refundConversion(orderId: $o, refundId: $r, amountMinor: $a) { refunded { amountMinor } } }";
    let data = s
        .app
        .graphql_ok(
            Some(&s.key),
            refund,
            json!({ "o": "o-r", "r": "re-1", "a": "3000" }),
        )
        .await;
    assert_eq!(data["refundConversion"]["refunded"]["amountMinor"], "3000");
    let again = s
        .app
        .graphql_ok(
            Some(&s.key),
            refund,
            json!({ "o": "o-r", "r": "re-1", "a": "3000" }),
        )
        .await;
    assert_eq!(
        again["refundConversion"]["refunded"]["amountMinor"], "3000",
        "the same refund twice counts once"
    );
    let body = s
        .app
        .graphql(
            Some(&s.key),
            refund,
            json!({ "o": "o-r", "r": "re-2", "a": "8000" }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["VALIDATION"],
        "beyond what is left: {body:#}"
    );
    let data = s
        .app
        .graphql_ok(
            Some(&s.key),
            refund,
            json!({ "o": "o-r", "r": "re-2", "a": "7000" }),
        )
        .await;
    assert_eq!(data["refundConversion"]["refunded"]["amountMinor"], "10000");
    let body = s
        .app
        .graphql(
            Some(&s.key),
            refund,
            json!({ "o": "no-such-order", "r": "re-3", "a": "1" }),
        )
        .await;
    assert_eq!(codes(&body), vec!["NOT_FOUND"]);
}

#[tokio::test]
async fn another_tenants_key_cannot_use_this_tenants_clicks_or_codes() {
    let s = shop().await;
    let click = s.app.visit(&s.referrers[0].1).click().await;
    s.app.clicks_stored(&[click]).await;
    let (_, other_admin) = grapevine_tests::app::seed_tenant(&s.app.db, &s.app.config).await;
    let other_key = s
        .app
        .graphql_ok(
            Some(&other_admin),
            r#"mutation { createApiKey(kind: SECRET, name: "other") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = s
        .app
        .graphql(
            Some(&other_key),
            LEAD,
            json!({ "i": { "customerId": "x", "clickId": click } }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    let body = s
        .app
        .graphql(
            Some(&other_key),
            LEAD,
            json!({ "i": { "customerId": "x", "code": s.referrers[0].1 } }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    let data = s
        .app
        .graphql_ok(
            Some(&other_key),
            CONVERSION,
            json!({ "i": order("o-1", "x", "100", "USD") }),
        )
        .await;
    assert_eq!(data["trackConversion"]["conversion"]["organic"], true);
    let db = s.app.db.connect().await;
    assert_eq!(referrals::Entity::find().count(&db).await.unwrap(), 0);
}
