//! Optimisation impact (issue 5): a marketing manager records with `applyRecommendation` that a
//! recommendation was applied; `programHealth.optimisationImpact` then gives the campaign's
//! click-to-customer rate over the 14 local days before against the 14 after, equal to the clicks
//! and first purchases seeded through the public API on a driven clock (clicks on the day itself
//! and outside the windows left out), with the difference and its interval as the statistics
//! helpers compute them. Unknown kinds, another tenant's campaign and the sales role are refused.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::domain::{
    clock::ManualClock,
    stats::{Confidence, Proportion, ProportionComparison},
};
use grapevine_tests::{Backend, TestApp, error_codes, spawn_app_with_clock, try_poll_until};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const APPLY: &str = "mutation($c: UUID!, $k: String!, $n: String) { applyRecommendation(campaignId: $c, kind: $k, note: $n) { id campaignId kind note appliedBy appliedAt } }";
const LIST: &str = "query($c: UUID!) { appliedRecommendations(campaignId: $c) { id kind note appliedBy appliedAt } }";
const HEALTH: &str =
    "query($f: DateTime!, $t: DateTime!) { programHealth(from: $f, to: $t) { optimisationImpact {
  recommendationId campaignId kind appliedAt beforeFrom beforeTo afterFrom afterTo
  before { value low high successes trials } after { value low high successes trials }
  difference { value low high } pValue significant complete }
  analysisQuality { value successes trials } } }";

/// `clicks` clicks on `day` (noon UTC), the first `buyers` of them followed by a first purchase
/// of a new customer the same day (once the clicks are stored: the API writes them in batches).
async fn day_of_clicks(
    app: &TestApp,
    clock: &ManualClock,
    (code, key): (&str, &str),
    day: &str,
    clicks: usize,
    buyers: usize,
) {
    clock.set(at(&format!("{day}T12:00:00Z")));
    let mut ids = Vec::new();
    for i in 0..clicks {
        let agent = format!("Mozilla/5.0 (X11; Linux x86_64) Firefox/{day}-{i}");
        ids.push(app.click(code, &agent).await);
    }
    app.clicks_stored(&ids).await;
    for (i, click) in ids.iter().take(buyers).enumerate() {
        let customer = format!("{day}-{i}");
        let body = app.graphql_ok(Some(key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": customer, "customerId": customer, "amountMinor": "3000", "currency": "USD", "clickId": click } })).await;
        assert!(body["trackConversion"]["conversion"]["referralId"].is_string());
    }
}

fn close(a: &Value, b: f64) {
    assert!((a.as_f64().unwrap() - b).abs() < 1e-12, "{a} against {b}");
}

#[tokio::test]
async fn the_rate_before_and_after_an_applied_recommendation_is_measured_from_the_seeded_events() {
    let clock = ManualClock::new(at("2026-02-20T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let admin = app.admin_token.clone();
    let campaign = app.design_campaign(&admin).await;
    let enrolled = app
        .enroll(&admin, &campaign, "ref-1", "ref-1@referrers.example")
        .await;
    app.launch(&admin, &campaign).await;
    let code = enrolled["referralCode"].as_str().unwrap().to_owned();
    let key = app.secret_key(&admin).await;
    let touch = (code.as_str(), key.as_str());

    // Applied on 15 March: before = 1–14 March, after = 16–29 March (UTC campaign).
    day_of_clicks(&app, &clock, touch, "2026-02-27", 7, 3).await; // outside
    day_of_clicks(&app, &clock, touch, "2026-03-03", 30, 2).await;
    day_of_clicks(&app, &clock, touch, "2026-03-10", 30, 4).await;
    clock.set(at("2026-03-15T09:30:00Z"));
    let marketing = app.login_as("MARKETING_MANAGER").await;
    let me = app
        .graphql_ok(Some(&marketing), "{ me { id } }", json!({}))
        .await["me"]["id"]
        .clone();
    let applied = app
        .graphql_ok(
            Some(&marketing),
            APPLY,
            json!({ "c": campaign, "k": " best_channel ", "n": "moved share prompts to email" }),
        )
        .await["applyRecommendation"]
        .clone();
    assert_eq!(applied["kind"], "best_channel");
    assert_eq!(applied["note"], "moved share prompts to email");
    assert_eq!(applied["appliedBy"], me);
    assert_eq!(applied["appliedAt"], "2026-03-15T09:30:00+00:00");
    day_of_clicks(&app, &clock, touch, "2026-03-15", 6, 5).await; // the day itself: neither side
    day_of_clicks(&app, &clock, touch, "2026-03-17", 30, 11).await;
    day_of_clicks(&app, &clock, touch, "2026-03-29", 30, 13).await;
    // While the days after are still running (the clock is at noon on the 29th), the row says so.
    let period = json!({ "f": "2026-03-01T00:00:00Z", "t": "2026-04-01T00:00:00Z" });
    let running = app
        .graphql_ok(Some(&marketing), HEALTH, period.clone())
        .await;
    assert_eq!(
        running["programHealth"]["optimisationImpact"][0]["complete"],
        false
    );
    // Analysis quality scores only recommendations whose days after have all passed.
    assert_eq!(
        running["programHealth"]["analysisQuality"],
        json!({ "value": null, "successes": "0", "trials": "0" })
    );
    day_of_clicks(&app, &clock, touch, "2026-03-30", 9, 4).await; // outside
    let (before, after) = ((6u64, 60u64), (24u64, 60u64));

    clock.set(at("2026-04-02T12:00:00Z"));
    // The rollups take the events in within a pass or two.
    let (impact, quality) = try_poll_until(Duration::from_secs(60), || async {
        let body = app
            .graphql_ok(Some(&marketing), HEALTH, period.clone())
            .await;
        let row = body["programHealth"]["optimisationImpact"][0].clone();
        let quality = body["programHealth"]["analysisQuality"].clone();
        let counts = |side: &str| {
            (
                row[side]["successes"]
                    .as_str()
                    .map(|s| s.parse::<u64>().unwrap()),
                row[side]["trials"]
                    .as_str()
                    .map(|s| s.parse::<u64>().unwrap()),
            )
        };
        (counts("before") == (Some(before.0), Some(before.1))
            && counts("after") == (Some(after.0), Some(after.1)))
            .then_some((row, quality))
    })
    .await
    .expect("the impact counts the seeded clicks and customers");
    assert_eq!(impact["recommendationId"], applied["id"]);
    assert_eq!(impact["campaignId"], json!(campaign));
    assert_eq!(impact["kind"], "best_channel");
    assert_eq!(
        (
            &impact["beforeFrom"],
            &impact["beforeTo"],
            &impact["afterFrom"],
            &impact["afterTo"]
        ),
        (
            &json!("2026-03-01"),
            &json!("2026-03-14"),
            &json!("2026-03-16"),
            &json!("2026-03-29")
        )
    );
    assert_eq!(impact["complete"], true);
    // The direct computation: the rates, and after − before with its interval and p-value from
    // the statistics helpers.
    close(&impact["before"]["value"], 0.1);
    close(&impact["after"]["value"], 0.4);
    let cmp = ProportionComparison::new(
        Proportion::new(after.0, after.1).unwrap(),
        Proportion::new(before.0, before.1).unwrap(),
        Confidence::P95,
    )
    .unwrap();
    close(&impact["difference"]["value"], 0.4 - 0.1);
    close(&impact["difference"]["low"], cmp.difference.interval.low);
    close(&impact["difference"]["high"], cmp.difference.interval.high);
    close(&impact["pValue"], cmp.p_value);
    assert!(cmp.p_value < 0.05);
    assert_eq!(
        impact["significant"], true,
        "6 of 60 against 24 of 60 passes the minimum sample"
    );
    // The one complete recommendation was followed by a significant rise: it helped.
    assert_eq!(
        quality,
        json!({ "value": 1.0, "successes": "1", "trials": "1" })
    );
    let wilson = Proportion::new(before.0, before.1)
        .unwrap()
        .wilson(Confidence::P95)
        .unwrap();
    close(&impact["before"]["low"], wilson.low);
    close(&impact["before"]["high"], wilson.high);

    // The campaign's list; who may write it; what is refused.
    let sales = app.login_as("SALES").await;
    let list = app
        .graphql_ok(Some(&sales), LIST, json!({ "c": campaign }))
        .await;
    assert_eq!(
        list["appliedRecommendations"],
        json!([{ "id": applied["id"], "kind": "best_channel", "note": "moved share prompts to email", "appliedBy": me, "appliedAt": applied["appliedAt"] }])
    );
    let refused = app
        .graphql(
            Some(&sales),
            APPLY,
            json!({ "c": campaign, "k": "best_channel" }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let unknown = app
        .graphql(
            Some(&marketing),
            APPLY,
            json!({ "c": campaign, "k": "make_it_pop" }),
        )
        .await;
    assert_eq!(error_codes(&unknown), ["VALIDATION"]);
    let (_, other_admin) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let foreign = app
        .graphql(
            Some(&other_admin),
            APPLY,
            json!({ "c": campaign, "k": "best_channel" }),
        )
        .await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"]);
    let foreign_list = app
        .graphql(Some(&other_admin), LIST, json!({ "c": campaign }))
        .await;
    assert_eq!(error_codes(&foreign_list), ["NOT_FOUND"]);
    let foreign_health = app
        .graphql_ok(Some(&other_admin), HEALTH, period.clone())
        .await;
    assert_eq!(
        foreign_health["programHealth"]["optimisationImpact"],
        json!([])
    );
    // Nothing refused was stored.
    let list = app
        .graphql_ok(Some(&admin), LIST, json!({ "c": campaign }))
        .await;
    assert_eq!(list["appliedRecommendations"].as_array().unwrap().len(), 1);
    // A recommendation applied outside the period is not in it.
    let march = app
        .graphql_ok(
            Some(&marketing),
            HEALTH,
            json!({ "f": "2026-03-16T00:00:00Z", "t": "2026-04-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(march["programHealth"]["optimisationImpact"], json!([]));
}
