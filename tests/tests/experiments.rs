//! Experiments that prove ROI (issue 5): a campaign holds half its participants out and splits the
//! invited between two offer variants whose true click-to-customer rates are known (2 % and 12 %).
//! With a handful of events no winner is declared; with enough, the report names the variant the
//! seeding favoured, and the holdout comparison finds the programme's incremental revenue: the
//! point estimate equals the seeded difference and its interval covers the designed truth.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::{domain::clock::ManualClock, tables::clicks};
use grapevine_tests::{Backend, TestApp, spawn_app_with_clock, try_poll_until};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const REPORT: &str =
    "query($c: UUID!) { campaignReport(campaignId: $c, from: \"2026-11-01\", to: \"2026-11-30\") {
  funnel { clicks customers }
  byVariant { label clicks customers conversionRate { value low high } }
  holdout { invited heldOut invitedValuePerCapita { value } heldOutValuePerCapita { value }
            incrementalRevenue { value low high } incrementalConversions { value low high }
            incrementalCostPerAcquisition invitedBuyerRate { value } heldOutBuyerRate { value } }
  insights { kind finding evidence significant } } }";

/// Own purchase chance of every participant, and its amount.
const OWN_RATE: u64 = 100; // per mille
const OWN_AMOUNT: i64 = 3000;
/// A referred friend's purchase amount.
const FRIEND_AMOUNT: i64 = 3000;

/// Outcomes at an exact rate: `per_mille` of every thousand trials succeed, spread evenly (error
/// diffusion). The seeded truth is then what the data holds, to within one event, rather than a
/// coin flip away from it: a 95 % interval around a coin-flipped rate misses the truth in one run
/// of twenty, which would make the coverage checks below fail by chance.
struct ExactRate {
    per_mille: u64,
    carried: u64,
}

impl ExactRate {
    fn new(per_mille: u64) -> Self {
        Self {
            per_mille,
            carried: 500,
        }
    }

    fn next(&mut self) -> bool {
        self.carried += self.per_mille;
        let hit = self.carried >= 1000;
        if hit {
            self.carried -= 1000;
        }
        hit
    }
}

async fn wait_idle(app: &TestApp, clicks_expected: u64) {
    let db = app.db.connect().await;
    try_poll_until(Duration::from_secs(60), || async {
        let stored = clicks::Entity::find().count(&db).await.unwrap();
        let busy = grapevine_tests::busy_jobs(&db, &[]).await;
        (stored == clicks_expected && busy == 0).then_some(())
    })
    .await
    .expect("clicks stored and the pipeline idle");
}

async fn report_when(app: &TestApp, campaign: &str, customers: i64, clicks: i64) -> Value {
    try_poll_until(Duration::from_secs(30), || async {
        let r = app
            .graphql_ok(Some(&app.admin_token), REPORT, json!({ "c": campaign }))
            .await["campaignReport"]
            .clone();
        let got = (
            r["funnel"]["customers"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
            r["funnel"]["clicks"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap(),
        );
        (got == (customers, clicks)).then_some(r)
    })
    .await
    .expect("the rollups caught up")
}

#[tokio::test]
async fn the_winner_and_the_incremental_lift_agree_with_the_seeded_truth_and_come_only_with_evidence()
 {
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let input = json!({ "name": "Experiment", "startsAt": "2026-11-01T00:00:00Z", "endsAt": "2026-12-31T00:00:00Z", "currency": "USD", "landingUrl": "https://shop.example/welcome", "holdoutBps": 5000, "holdDays": 30 });
    let campaign = app
        .graphql_ok(
            Some(&token),
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $v: [VariantInput!]!) { setCampaignVariants(campaignId: $c, variants: $v) { id } }", json!({ "c": campaign, "v": [{ "name": "low", "weight": 1 }, { "name": "high", "weight": 1 }] })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500" } })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } })).await;
    let people: Vec<Value> = (0..200).map(|i| json!({ "externalId": format!("p{i:03}"), "email": format!("p{i:03}@people.example") })).collect();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { errors { index } } }", json!({ "c": campaign, "p": people })).await;
    app.launch(&token, &campaign).await;
    let key = app
        .graphql_ok(
            Some(&token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // (external id, bucket, code), a page of 50 at a time.
    let mut enrolled: Vec<(String, String, Option<String>)> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app.graphql_ok(Some(&token), "query($c: UUID!, $a: String) { campaign(id: $c) { enrolments(first: 50, after: $a) { pageInfo { hasNextPage endCursor } edges { node { bucket referralCode participant { externalId } } } } } }", json!({ "c": campaign, "a": after })).await;
        let conn = &page["campaign"]["enrolments"];
        for e in conn["edges"].as_array().unwrap() {
            let n = &e["node"];
            enrolled.push((
                n["participant"]["externalId"].as_str().unwrap().to_owned(),
                n["bucket"].as_str().unwrap().to_owned(),
                n["referralCode"].as_str().map(str::to_owned),
            ));
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let held: Vec<&(String, String, Option<String>)> =
        enrolled.iter().filter(|e| e.1 == "holdout").collect();
    let invited: Vec<&(String, String, Option<String>)> =
        enrolled.iter().filter(|e| e.1 != "holdout").collect();
    assert_eq!(held.len() + invited.len(), 200);
    assert!(
        held.len() > 70 && invited.len() > 70,
        "about half held out: {}",
        held.len()
    );
    assert!(
        held.iter().all(|e| e.2.is_none()) && invited.iter().all(|e| e.2.is_some()),
        "the held out get no code"
    );

    let (mut low_rate, mut high_rate) = (ExactRate::new(20), ExactRate::new(120));
    let mut value: BTreeMap<String, i64> = BTreeMap::new(); // per participant, own + referred
    let (mut clicks_sent, mut customers, mut friend) = (0u64, 0i64, 0u64);
    // Two rounds: every invited participant's link draws 1, then 9 more clicks; each click
    // converts at its variant's true rate (low 2 %, high 12 %), the day after.
    for (k, click_day, buy_day) in [
        (1usize, "2026-11-11", "2026-11-12"),
        (9, "2026-11-13", "2026-11-14"),
    ] {
        clock.set(at(&format!("{click_day}T12:00:00Z")));
        let mut to_buy = Vec::new();
        for (ext, bucket, code) in &invited {
            let rate = if bucket == "high" {
                &mut high_rate
            } else {
                &mut low_rate
            };
            for _ in 0..k {
                let buys = rate.next();
                let ua = format!(
                    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{clicks_sent}.0"
                );
                let click = app.click(code.as_ref().unwrap(), &ua).await;
                clicks_sent += 1;
                if buys {
                    to_buy.push((ext.clone(), click));
                }
            }
        }
        wait_idle(&app, clicks_sent).await;
        clock.set(at(&format!("{buy_day}T12:00:00Z")));
        for (ext, click) in to_buy {
            friend += 1;
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": format!("f{friend}"), "customerId": format!("friend{friend}"), "amountMinor": FRIEND_AMOUNT.to_string(), "currency": "USD", "clickId": click } })).await;
            *value.entry(ext).or_default() += FRIEND_AMOUNT;
            customers += 1;
        }
        if k == 1 {
            // Early look: a handful of events, no winner declared.
            wait_idle(&app, clicks_sent).await;
            let early = report_when(
                &app,
                &campaign,
                customers,
                i64::try_from(clicks_sent).unwrap(),
            )
            .await;
            let insights = early["insights"].as_array().unwrap();
            assert!(
                insights.iter().all(|i| i["kind"] != "variant_winner"),
                "no winner from {customers} customers: {insights:#?}"
            );
            assert!(
                insights
                    .iter()
                    .any(|i| i["kind"] == "variants_too_close_to_call"),
                "{insights:#?}"
            );
        }
    }
    // Everyone's own purchases (10 % of participants, invited or held out alike), organic.
    clock.set(at("2026-11-15T12:00:00Z"));
    let (mut invited_own, mut held_own) = (ExactRate::new(OWN_RATE), ExactRate::new(OWN_RATE));
    for (ext, bucket, _) in &enrolled {
        let own = if bucket == "holdout" {
            &mut held_own
        } else {
            &mut invited_own
        };
        if own.next() {
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("own-{ext}"), "customerId": ext, "amountMinor": OWN_AMOUNT.to_string(), "currency": "USD" } })).await;
            *value.entry(ext.clone()).or_default() += OWN_AMOUNT;
        }
    }
    wait_idle(&app, clicks_sent).await;
    let report = report_when(
        &app,
        &campaign,
        customers,
        i64::try_from(clicks_sent).unwrap(),
    )
    .await;

    // The winner is the variant the seeding favoured, with significance.
    let winner = report["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "variant_winner")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert!(
        winner["finding"]
            .as_str()
            .unwrap()
            .starts_with("high converts"),
        "{winner}"
    );
    assert_eq!(winner["significant"], true);
    let rate = |label: &str| {
        report["byVariant"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["label"] == label)
            .unwrap()["conversionRate"]
            .clone()
    };
    let (low, high) = (rate("low"), rate("high"));
    assert!(
        low["low"].as_f64().unwrap() <= 0.02 && 0.02 <= low["high"].as_f64().unwrap(),
        "{low}"
    );
    assert!(
        high["low"].as_f64().unwrap() <= 0.12 && 0.12 <= high["high"].as_f64().unwrap(),
        "{high}"
    );

    // The holdout: the point estimate is the seeded per-capita difference times the invited, and
    // the interval covers the design's truth.
    let h = &report["holdout"];
    let (n_inv, n_held) = (invited.len() as f64, held.len() as f64);
    assert_eq!(h["invited"], invited.len().to_string());
    assert_eq!(h["heldOut"], held.len().to_string());
    let sum = |group: &[&(String, String, Option<String>)]| {
        group
            .iter()
            .map(|e| value.get(&e.0).copied().unwrap_or(0))
            .sum::<i64>() as f64
    };
    let seeded = (sum(&invited) / n_inv - sum(&held) / n_held) * n_inv;
    let inc = &h["incrementalRevenue"];
    assert!(
        (inc["value"].as_f64().unwrap() - seeded).abs() < 1e-6 * seeded.abs().max(1.0),
        "{inc} vs {seeded}"
    );
    let per_click_friend_value =
        |bucket: &str| if bucket == "high" { 0.12 } else { 0.02 } * 10.0 * FRIEND_AMOUNT as f64;
    let truth: f64 = invited
        .iter()
        .map(|e| per_click_friend_value(&e.1))
        .sum::<f64>();
    assert!(
        inc["low"].as_f64().unwrap() <= truth && truth <= inc["high"].as_f64().unwrap(),
        "{inc} should cover {truth}"
    );
    assert!(
        inc["low"].as_f64().unwrap() > 0.0,
        "the programme adds revenue: {inc}"
    );
    assert!(h["incrementalCostPerAcquisition"].as_f64().is_some(), "{h}");
}

#[tokio::test]
async fn an_opted_in_campaign_stops_the_clearly_worse_variant_by_itself_and_only_then() {
    // On the test clock: the report below reads November, so the clicks must fall in it whatever
    // the wall clock says.
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock)), |_| {}).await;
    let token = app.admin_token.clone();
    let input = json!({ "name": "Auto stop", "startsAt": "2026-01-01T00:00:00Z", "currency": "USD", "landingUrl": "https://shop.example/welcome" });
    let campaign = app
        .graphql_ok(
            Some(&token),
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $v: [VariantInput!]!) { setCampaignVariants(campaignId: $c, variants: $v) { id } }", json!({ "c": campaign, "v": [{ "name": "low", "weight": 1 }, { "name": "high", "weight": 1 }] })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500" } })).await;
    let set = "mutation($c: UUID!, $d: Float) { setExperimentSettings(campaignId: $c, autoStopVariants: true, minimumDetectableDifference: $d) { autoStopVariants alpha minimumDetectableDifference } }";
    let bad = app
        .graphql(Some(&token), set, json!({ "c": campaign, "d": 1.5 }))
        .await;
    assert_eq!(grapevine_tests::error_codes(&bad), ["VALIDATION"]);
    let sales = app.login_as("SALES").await;
    assert_eq!(
        grapevine_tests::error_codes(
            &app.graphql(Some(&sales), set, json!({ "c": campaign, "d": 0.05 }))
                .await
        ),
        ["FORBIDDEN"]
    );
    let settings = app
        .graphql_ok(Some(&token), set, json!({ "c": campaign, "d": 0.05 }))
        .await;
    assert_eq!(settings["setExperimentSettings"]["autoStopVariants"], true);
    let people: Vec<Value> = (0..60).map(|i| json!({ "externalId": format!("q{i:02}"), "email": format!("q{i:02}@people.example") })).collect();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { errors { index } } }", json!({ "c": campaign, "p": people })).await;
    app.launch(&token, &campaign).await;
    let key = app
        .graphql_ok(
            Some(&token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut codes: Vec<(String, String)> = Vec::new(); // (bucket, code)
    let mut after: Option<String> = None;
    loop {
        let page = app.graphql_ok(Some(&token), "query($c: UUID!, $a: String) { campaign(id: $c) { enrolments(first: 50, after: $a) { pageInfo { hasNextPage endCursor } edges { node { bucket referralCode } } } } }", json!({ "c": campaign, "a": after })).await;
        let conn = &page["campaign"]["enrolments"];
        for e in conn["edges"].as_array().unwrap() {
            codes.push((
                e["node"]["bucket"].as_str().unwrap().to_owned(),
                e["node"]["referralCode"].as_str().unwrap().to_owned(),
            ));
        }
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let variants =
        "query($c: UUID!) { campaign(id: $c) { variants { name weight stoppedAt stopReason } } }";
    let (mut low_rate, mut high_rate) = (ExactRate::new(20), ExactRate::new(200));
    let (mut sent, mut customers) = (0u64, 0i64);
    for k in [1usize, 14] {
        let mut to_buy = Vec::new();
        for (bucket, code) in &codes {
            let rate = if bucket == "high" {
                &mut high_rate
            } else {
                &mut low_rate
            };
            for _ in 0..k {
                let ua = format!(
                    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{sent}.0"
                );
                let click = app.click(code, &ua).await;
                sent += 1;
                if rate.next() {
                    to_buy.push(click);
                }
            }
        }
        wait_idle(&app, sent).await;
        for click in to_buy {
            customers += 1;
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("a{customers}"), "customerId": format!("a{customers}"), "amountMinor": "3000", "currency": "USD", "clickId": click } })).await;
        }
        wait_idle(&app, sent).await;
        report_when(&app, &campaign, customers, i64::try_from(sent).unwrap()).await;
        if k == 1 {
            // A look with a handful of events: once the pass that counted them has also looked,
            // nothing is stopped.
            rollup_passes_finished(&app).await;
            assert!(
                stopped(&app, &campaign).await.is_empty(),
                "stopped on {customers} customers"
            );
        }
    }
    let gone = try_poll_until(Duration::from_secs(20), || async {
        let s = stopped(&app, &campaign).await;
        (!s.is_empty()).then_some(s)
    })
    .await
    .unwrap_or_else(|| panic!("the worse variant was not stopped"));
    assert_eq!(gone, ["low"]);
    let listed = app
        .graphql_ok(Some(&token), variants, json!({ "c": campaign }))
        .await;
    let low = listed["campaign"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "low")
        .unwrap()
        .clone();
    assert_eq!(low["weight"], 0);
    assert!(
        low["stopReason"]
            .as_str()
            .unwrap()
            .contains("converts worse than high"),
        "{low}"
    );
    // Nobody new is assigned to it.
    let newcomers: Vec<Value> = (0..20).map(|i| json!({ "externalId": format!("n{i:02}"), "email": format!("n{i:02}@people.example") })).collect();
    let enrolled = app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { bucket } } }", json!({ "c": campaign, "p": newcomers })).await;
    let buckets: Vec<&str> = enrolled["enrollParticipants"]["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["bucket"].as_str().unwrap())
        .collect();
    assert_eq!(buckets.len(), 20);
    assert!(buckets.iter().all(|b| *b == "high"), "{buckets:?}");
}

/// Waits until every rollup pass queued or running now has finished. A pass looks at the
/// opted-in campaigns right after it commits its counts, so once a report shows the counts, the
/// pass that wrote them (finished or among these) has taken its look.
async fn rollup_passes_finished(app: &TestApp) {
    use grapevine_entity::tables::{JobState, job_outbox};
    use grapevine_worker::{JobKind, jobs::RefreshRollups};
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let db = app.db.connect().await;
    let busy = [JobState::Pending, JobState::Dispatched, JobState::Running];
    let in_flight: Vec<uuid::Uuid> = job_outbox::Entity::find()
        .select_only()
        .column(job_outbox::Column::Id)
        .filter(job_outbox::Column::Kind.eq(RefreshRollups::KIND))
        .filter(job_outbox::Column::State.is_in(busy))
        .into_tuple()
        .all(&db)
        .await
        .unwrap();
    try_poll_until(Duration::from_secs(60), || async {
        let left = job_outbox::Entity::find()
            .filter(job_outbox::Column::Id.is_in(in_flight.clone()))
            .filter(job_outbox::Column::State.is_in(busy))
            .count(&db)
            .await
            .unwrap();
        (left == 0).then_some(())
    })
    .await
    .expect("the rollup passes under way finished");
}

/// The names of the campaign's stopped variants.
async fn stopped(app: &TestApp, campaign: &str) -> Vec<String> {
    let q = "query($c: UUID!) { campaign(id: $c) { variants { name stoppedAt } } }";
    app.graphql_ok(Some(&app.admin_token), q, json!({ "c": campaign }))
        .await["campaign"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| !v["stoppedAt"].is_null())
        .map(|v| v["name"].as_str().unwrap().to_owned())
        .collect()
}
