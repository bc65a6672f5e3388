//! The "reward level vs conversion" insight (issue 5), end to end: a campaign whose two offer
//! variants pay the referrer 3.00 and 10.00 gets clicks and purchases through the public API.
//! With a handful of events the report says no level converts better and claims nothing; with
//! enough (15 of 50 against 5 of 50) it names the richer level, with the seeded counts.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::domain::clock::ManualClock;
use grapevine_tests::{Backend, TestApp, spawn_app_with_clock, try_poll_until};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const REPORT: &str =
    "query($c: UUID!) { campaignReport(campaignId: $c, from: \"2026-11-01\", to: \"2026-11-30\") {
  funnel { clicks customers } insights { kind finding evidence action significant pValue } } }";

/// `clicks` clicks on `code`, the first `buyers` followed by a new customer's purchase.
async fn traffic(app: &TestApp, key: &str, code: &str, tag: &str, clicks: usize, buyers: usize) {
    let mut ids = Vec::new();
    for i in 0..clicks {
        ids.push(
            app.click(code, &format!("Mozilla/5.0 Firefox/{tag}-{i}"))
                .await,
        );
    }
    app.clicks_stored(&ids).await;
    for (i, click) in ids.iter().take(buyers).enumerate() {
        let customer = format!("{tag}-buyer-{i}");
        app.graphql_ok(Some(key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": customer, "customerId": customer, "amountMinor": "4000", "currency": "USD", "clickId": click } })).await;
    }
}

async fn report_when(app: &TestApp, campaign: &str, clicks: i64, customers: i64) -> Value {
    try_poll_until(Duration::from_secs(60), || async {
        let r = app
            .graphql_ok(Some(&app.admin_token), REPORT, json!({ "c": campaign }))
            .await["campaignReport"]
            .clone();
        let n = |v: &Value| v.as_str().unwrap().parse::<i64>().unwrap();
        (n(&r["funnel"]["clicks"]) == clicks && n(&r["funnel"]["customers"]) == customers)
            .then_some(r)
    })
    .await
    .expect("the rollups caught up")
}

fn level_insight(report: &Value) -> Value {
    let insights = report["insights"].as_array().unwrap();
    let found: Vec<&Value> = insights
        .iter()
        .filter(|i| i["kind"].as_str().unwrap().starts_with("reward_level"))
        .collect();
    assert_eq!(found.len(), 1, "{insights:#?}");
    found[0].clone()
}

#[tokio::test]
async fn reward_levels_are_compared_only_with_enough_events() {
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let input = json!({ "name": "Levels", "startsAt": "2026-11-01T00:00:00Z", "endsAt": "2026-12-31T00:00:00Z", "currency": "USD", "landingUrl": "https://shop.example/welcome" });
    let campaign = app.create_campaign(&token, input).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $v: [VariantInput!]!) { setCampaignVariants(campaignId: $c, variants: $v) { id } }", json!({ "c": campaign, "v": [{ "name": "lean", "weight": 1 }, { "name": "rich", "weight": 1 }] })).await;
    for (variant, amount) in [("lean", "300"), ("rich", "1000")] {
        app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": amount, "variant": variant } })).await;
    }
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } })).await;
    let people: Vec<Value> = (0..12).map(|i| json!({ "externalId": format!("p{i:02}"), "email": format!("p{i:02}@people.example") })).collect();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { errors { index } } }", json!({ "c": campaign, "p": people })).await;
    app.launch(&token, &campaign).await;
    let page = app.graphql_ok(Some(&token), "query($c: UUID!) { campaign(id: $c) { enrolments(first: 50) { edges { node { bucket referralCode } } } } }", json!({ "c": campaign })).await;
    let code_of = |bucket: &str| -> String {
        page["campaign"]["enrolments"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["bucket"] == bucket)
            .unwrap_or_else(|| panic!("a participant in {bucket}: {page}"))["referralCode"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (lean, rich) = (code_of("lean"), code_of("rich"));
    let key = app.secret_key(&token).await;

    // A handful: 3 of 10 against 0 of 10 looks decisive and is not.
    traffic(&app, &key, &rich, "rich-1", 10, 3).await;
    traffic(&app, &key, &lean, "lean-1", 10, 0).await;
    let small = report_when(&app, &campaign, 20, 3).await;
    let insight = level_insight(&small);
    assert_eq!(
        insight["kind"], "reward_levels_too_close_to_call",
        "{insight}"
    );
    assert_eq!(insight["significant"], false);
    assert!(
        insight["finding"]
            .as_str()
            .unwrap()
            .contains("no reward level converts significantly better yet"),
        "{insight}"
    );

    // Enough: 15 of 50 at 10.00 against 5 of 50 at 3.00 (p ≈ 0.012).
    clock.set(at("2026-11-11T09:00:00Z"));
    traffic(&app, &key, &rich, "rich-2", 40, 12).await;
    traffic(&app, &key, &lean, "lean-2", 40, 5).await;
    let large = report_when(&app, &campaign, 100, 20).await;
    let insight = level_insight(&large);
    assert_eq!(insight["kind"], "reward_level_converts_better", "{insight}");
    assert_eq!(insight["significant"], true);
    assert!(insight["pValue"].as_f64().unwrap() < 0.05);
    assert!(
        insight["finding"]
            .as_str()
            .unwrap()
            .starts_with("referrer 10.00 USD converts 3.0× better than referrer 3.00 USD"),
        "{insight}"
    );
    let evidence = insight["evidence"].as_str().unwrap();
    assert!(
        evidence.contains("referrer 10.00 USD: 15 customers of 50 clicks")
            && evidence.contains("referrer 3.00 USD: 5 of 50")
            && evidence.contains("reward cost per new customer"),
        "{evidence}"
    );
    assert!(
        insight["action"]
            .as_str()
            .unwrap()
            .starts_with("offer referrer 10.00 USD in every variant")
    );
}
