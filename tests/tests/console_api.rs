//! What the console asked of the API (issue 15): participants found by what a person remembers
//! of them (`participants(search:)`, `Campaign.enrolments(search:)`), a campaign's headline
//! numbers beside it in a list (`Campaign.headline`, equal to its report), a report for a campaign
//! that has not started yet, and recommendations dismissed and restored (`dismissRecommendation`,
//! `restoreRecommendation`, `Insight.dismissal`). Each with who may and the tenant boundary.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::domain::clock::ManualClock;
use grapevine_tests::{
    Backend, TestApp, app::seed_tenant, error_codes, spawn_app, spawn_app_with_clock,
    try_poll_until,
};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const ENROL: &str = "mutation($c: UUID!, $i: ParticipantInput!) { enrollParticipant(campaignId: $c, input: $i) { referralCode } }";
const PARTICIPANTS: &str =
    "query($s: String) { participants(first: 50, search: $s) { nodes { externalId } } }";
const ENROLMENTS: &str = "query($c: UUID!, $s: String) { campaign(id: $c) { enrolments(first: 50, search: $s) { nodes { participant { externalId } } } } }";
const HEADLINE: &str = "query($c: UUID!) { campaign(id: $c) { headline { clicks customers revenue { amountMinor currency } rewardCost { amountMinor } roi budgetUsed { amountMinor } budgetUsedShare } } }";
const REPORT: &str = "query($c: UUID!) { campaignReport(campaignId: $c) { from to funnel { clicks customers } revenue { amountMinor } rewardCost { amountMinor } roi
  insights { kind dismissal { kind note dismissedBy dismissedAt } } } }";
const DISMISS: &str = "mutation($c: UUID!, $k: String!, $n: String) { dismissRecommendation(campaignId: $c, kind: $k, note: $n) { kind note dismissedBy dismissedAt } }";
const RESTORE: &str =
    "mutation($c: UUID!, $k: String!) { restoreRecommendation(campaignId: $c, kind: $k) }";

/// The external ids a search finds, sorted.
async fn found(app: &TestApp, token: &str, query: &str, vars: Value) -> Vec<String> {
    let body = app.graphql_ok(Some(token), query, vars).await;
    let nodes = if body["participants"].is_object() {
        &body["participants"]["nodes"]
    } else {
        &body["campaign"]["enrolments"]["nodes"]
    };
    let mut ids: Vec<String> = nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            let p = if n["participant"].is_object() {
                &n["participant"]
            } else {
                n
            };
            p["externalId"].as_str().unwrap().to_owned()
        })
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn participants_are_found_by_part_of_their_email_id_or_name_or_by_a_code_within_the_tenant() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    let mut codes = Vec::new();
    // Sorted by external id, as `found` answers.
    let people = [
        ("100%_sure", "percent@shop.example", "Pat"),
        ("cust-ada", "ada@lovelace.example", "Ada"),
        ("cust-grace", "grace@navy.example", "Grace"),
    ];
    for (id, email, name) in people {
        let body = app
            .graphql_ok(
                Some(&token),
                ENROL,
                json!({ "c": campaign, "i": { "externalId": id, "email": email, "firstName": name, "tags": ["vip"], "orderCount": 2 } }),
            )
            .await;
        codes.push(
            body["enrollParticipant"]["referralCode"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Another tenant's Ada is never found.
    let (_, other) = seed_tenant(&app.db, &app.config).await;
    let theirs = app.design_campaign(&other).await;
    app.enroll(&other, &theirs, "cust-ada-2", "ada@elsewhere.example")
        .await;

    let sales = app.login_as("SALES").await;
    for (query, vars) in [
        (PARTICIPANTS, json!({})),
        (ENROLMENTS, json!({ "c": campaign })),
    ] {
        let with = |s: &str| {
            let mut v = vars.clone();
            v["s"] = json!(s);
            v
        };
        assert_eq!(
            found(&app, &sales, query, vars.clone()).await,
            ["100%_sure", "cust-ada", "cust-grace"]
        );
        // Letter case ignored; email, first name and external id all searched.
        assert_eq!(found(&app, &sales, query, with("ADA")).await, ["cust-ada"]);
        assert_eq!(
            found(&app, &sales, query, with("navy")).await,
            ["cust-grace"]
        );
        assert_eq!(
            found(&app, &sales, query, with("grace")).await,
            ["cust-grace"]
        );
        assert_eq!(found(&app, &sales, query, with("pat")).await, ["100%_sure"]);
        // LIKE's own characters are taken literally.
        assert_eq!(found(&app, &sales, query, with("%")).await, ["100%_sure"]);
        assert_eq!(found(&app, &sales, query, with("_")).await, ["100%_sure"]);
        // A referral code, exactly and in any case; part of one finds nothing.
        assert_eq!(
            found(&app, &sales, query, with(&codes[2].to_lowercase())).await,
            ["cust-grace"]
        );
        let part = codes[2][..7].to_lowercase();
        let containing: Vec<&str> = people
            .iter()
            .filter(|(id, email, name)| {
                [id, email, name]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&part))
            })
            .map(|(id, _, _)| *id)
            .collect();
        assert_eq!(found(&app, &sales, query, with(&part)).await, containing);
        // Blank is no search; too long is refused.
        assert_eq!(found(&app, &sales, query, with("  ")).await.len(), 3);
        let long = app
            .graphql(Some(&sales), query, with(&"a".repeat(101)))
            .await;
        assert_eq!(error_codes(&long), ["VALIDATION"]);
        assert_eq!(
            long["errors"][0]["extensions"]["fields"][0]["field"],
            "search"
        );
    }
    assert_eq!(
        found(&app, &other, PARTICIPANTS, json!({ "s": "ada" })).await,
        ["cust-ada-2"]
    );
}

#[tokio::test]
async fn a_campaign_headline_equals_its_report_and_a_campaign_not_started_reports_an_empty_today() {
    let clock = ManualClock::new(at("2026-11-10T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    let enrolled = app
        .enroll(&token, &campaign, "ref-1", "ref-1@referrers.example")
        .await;
    app.launch(&token, &campaign).await;
    let code = enrolled["referralCode"].as_str().unwrap().to_owned();
    let key = app.secret_key(&token).await;
    let clicks = [
        app.click(&code, "Mozilla/5.0 (X11; Linux x86_64) Firefox/1")
            .await,
        app.click(&code, "Mozilla/5.0 (X11; Linux x86_64) Firefox/2")
            .await,
    ];
    app.clicks_stored(&clicks).await;
    app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": "o-1", "customerId": "c-1", "amountMinor": "3000", "currency": "USD", "clickId": clicks[0] } })).await;

    // Both sides' fixed rewards (10 + 15 USD) are reserved against the 5 000 USD budget, and the
    // rollups take in the two clicks, the customer and the revenue.
    let sales = app.login_as("SALES").await;
    let headline = try_poll_until(Duration::from_secs(60), || async {
        let h = app
            .graphql_ok(Some(&sales), HEADLINE, json!({ "c": campaign }))
            .await["campaign"]["headline"]
            .clone();
        (h["clicks"] == "2" && h["customers"] == "1" && h["rewardCost"]["amountMinor"] == "2500")
            .then_some(h)
    })
    .await
    .expect("the headline counts the clicks, the customer and the rewards");
    assert_eq!(
        headline,
        json!({ "clicks": "2", "customers": "1", "revenue": { "amountMinor": "3000", "currency": "USD" },
            "rewardCost": { "amountMinor": "2500" }, "roi": 0.2, "budgetUsed": { "amountMinor": "2500" },
            "budgetUsedShare": 0.005 })
    );
    let report = app
        .graphql_ok(Some(&sales), REPORT, json!({ "c": campaign }))
        .await["campaignReport"]
        .clone();
    assert_eq!(report["funnel"], json!({ "clicks": "2", "customers": "1" }));
    assert_eq!(
        report["revenue"]["amountMinor"],
        headline["revenue"]["amountMinor"]
    );
    assert_eq!(report["rewardCost"], headline["rewardCost"]);
    assert_eq!(report["roi"], headline["roi"]);

    // A campaign starting next year: its report is today's, empty; it can be compared; its
    // headline is all zeros with nothing of its budget used.
    let later = app
        .create_campaign(&token, json!({ "name": "Next year", "startsAt": "2027-01-01T00:00:00Z", "currency": "EUR", "budgetMinor": "1000" }))
        .await;
    let empty = app
        .graphql_ok(Some(&sales), REPORT, json!({ "c": later }))
        .await["campaignReport"]
        .clone();
    assert_eq!(
        (&empty["from"], &empty["to"]),
        (&json!("2026-11-10"), &json!("2026-11-10"))
    );
    assert_eq!(empty["funnel"], json!({ "clicks": "0", "customers": "0" }));
    let compared = app
        .graphql_ok(Some(&sales), "query($c: [UUID!]!) { compareCampaigns(campaignIds: $c) { campaignId funnel { clicks } } }", json!({ "c": [campaign, later] }))
        .await;
    assert_eq!(
        compared["compareCampaigns"],
        json!([{ "campaignId": campaign, "funnel": { "clicks": "2" } }, { "campaignId": later, "funnel": { "clicks": "0" } }])
    );
    let zero = app
        .graphql_ok(Some(&sales), HEADLINE, json!({ "c": later }))
        .await["campaign"]["headline"]
        .clone();
    assert_eq!(
        zero,
        json!({ "clicks": "0", "customers": "0", "revenue": { "amountMinor": "0", "currency": "EUR" },
            "rewardCost": { "amountMinor": "0" }, "roi": null, "budgetUsed": { "amountMinor": "0" }, "budgetUsedShare": 0.0 })
    );

    // A page of campaigns carries each one's own headline.
    let page = app
        .graphql_ok(
            Some(&sales),
            "{ campaigns(first: 10) { nodes { id headline { clicks } } } }",
            json!({}),
        )
        .await;
    let mut rows: Vec<(String, String)> = page["campaigns"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_owned(),
                n["headline"]["clicks"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    rows.sort();
    let mut expected = vec![
        (campaign.clone(), "2".to_owned()),
        (later.clone(), "0".to_owned()),
    ];
    expected.sort();
    assert_eq!(rows, expected);

    // Ops may see campaigns but not their numbers; another tenant sees neither.
    let ops = app.login_as("OPS").await;
    let refused = app
        .graphql(Some(&ops), HEADLINE, json!({ "c": campaign }))
        .await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let (_, other) = seed_tenant(&app.db, &app.config).await;
    let foreign = app
        .graphql(Some(&other), HEADLINE, json!({ "c": campaign }))
        .await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"]);
}

#[tokio::test]
async fn a_dismissed_recommendation_stays_in_the_report_marked_until_it_is_restored() {
    let clock = ManualClock::new(at("2026-11-10T12:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let token = app.admin_token.clone();
    // Its KPI (100 conversions within a year) is far behind with none so far: `kpi_at_risk`.
    let campaign = app.design_campaign(&token).await;
    app.launch(&token, &campaign).await;
    let marketing = app.login_as("MARKETING_MANAGER").await;
    let me = app
        .graphql_ok(Some(&marketing), "{ me { id } }", json!({}))
        .await["me"]["id"]
        .clone();
    let kpi_insight = |report: &Value| {
        report["campaignReport"]["insights"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "kpi_at_risk")
            .cloned()
            .unwrap_or_else(|| panic!("no kpi_at_risk insight: {report:#}"))
    };
    let vars = json!({ "c": campaign });
    let before = app.graphql_ok(Some(&marketing), REPORT, vars.clone()).await;
    assert_eq!(kpi_insight(&before)["dismissal"], Value::Null);

    clock.set(at("2026-11-11T08:00:00Z"));
    let dismissed = app
        .graphql_ok(
            Some(&marketing),
            DISMISS,
            json!({ "c": campaign, "k": " kpi_at_risk ", "n": "target is stretch on purpose" }),
        )
        .await["dismissRecommendation"]
        .clone();
    let expected = json!({ "kind": "kpi_at_risk", "note": "target is stretch on purpose", "dismissedBy": me, "dismissedAt": "2026-11-11T08:00:00+00:00" });
    assert_eq!(dismissed, expected);
    let sales = app.login_as("SALES").await;
    let marked = app.graphql_ok(Some(&sales), REPORT, vars.clone()).await;
    assert_eq!(kpi_insight(&marked)["dismissal"], expected);
    // Other insights are not marked by it.
    assert!(
        marked["campaignReport"]["insights"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] != "kpi_at_risk")
            .all(|i| i["dismissal"].is_null())
    );
    // Dismissing again replaces the note (one dismissal per kind).
    let again = app
        .graphql_ok(
            Some(&marketing),
            DISMISS,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await["dismissRecommendation"]
        .clone();
    assert_eq!(again["note"], Value::Null);
    let marked = app.graphql_ok(Some(&sales), REPORT, vars.clone()).await;
    assert_eq!(kpi_insight(&marked)["dismissal"], again);

    // Who may, what is refused, the tenant boundary; nothing refused changed anything.
    let refused = app
        .graphql(
            Some(&sales),
            DISMISS,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let refused = app
        .graphql(
            Some(&sales),
            RESTORE,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);
    let unknown = app
        .graphql(
            Some(&marketing),
            DISMISS,
            json!({ "c": campaign, "k": "make_it_pop" }),
        )
        .await;
    assert_eq!(error_codes(&unknown), ["VALIDATION"]);
    let long = app
        .graphql(
            Some(&marketing),
            DISMISS,
            json!({ "c": campaign, "k": "kpi_at_risk", "n": "x".repeat(2001) }),
        )
        .await;
    assert_eq!(error_codes(&long), ["VALIDATION"]);
    let (_, other) = seed_tenant(&app.db, &app.config).await;
    let foreign = app
        .graphql(
            Some(&other),
            DISMISS,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"]);
    let foreign = app
        .graphql(
            Some(&other),
            RESTORE,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(error_codes(&foreign), ["NOT_FOUND"]);
    let still = app.graphql_ok(Some(&sales), REPORT, vars.clone()).await;
    assert_eq!(kpi_insight(&still)["dismissal"], again);

    // Restored: unmarked; restoring what is not dismissed says so.
    let restored = app
        .graphql_ok(
            Some(&marketing),
            RESTORE,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(restored["restoreRecommendation"], true);
    let after = app.graphql_ok(Some(&sales), REPORT, vars.clone()).await;
    assert_eq!(kpi_insight(&after)["dismissal"], Value::Null);
    let twice = app
        .graphql_ok(
            Some(&marketing),
            RESTORE,
            json!({ "c": campaign, "k": "kpi_at_risk" }),
        )
        .await;
    assert_eq!(twice["restoreRecommendation"], false);
}
