//! Campaign reports (issue 5, test case B-1): a campaign seeded through the public API —
//! thousands of clicks over two channels and three days, hundreds of purchases with a realistic
//! spread (email converting better than social) — gives a `campaignReport` whose every count
//! equals what was seeded; the insight names the better channel with its evidence; a KPI behind
//! its target is at risk with the projection that says so; a campaign with a handful of events
//! claims no significance; who may read reports.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::{
    domain::{clock::ManualClock, hll},
    tables::{ReferralStatus, clicks, referrals, rewards},
};
use grapevine_tests::{Backend, Lcg, TestApp, error_codes, spawn_app_with_clock, try_poll_until};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const REPORT: &str = "query($c: UUID!, $f: NaiveDate, $t: NaiveDate) { campaignReport(campaignId: $c, from: $f, to: $t) {
  from to funnel { clicks uniqueVisitors uniqueVisitorsExact leads approved inReview rejected customers orders }
  clickToCustomer { value low high successes trials }
  revenue { amountMinor currency } rewardCost { amountMinor } roi costPerAcquisition { amountMinor } averageOrderValue { amountMinor }
  participants kFactor
  byChannel { key clicks customers orders revenue { amountMinor } conversionRate { value } }
  series { key clicks customers orders }
  topReferrers { externalId customers clicks uniqueVisitors }
  kpis { metric target value status projected runRatePerDay neededPerDay }
  insights { kind finding evidence action significant pValue sample } } }";

/// A launched campaign with `referrers` referrers, each with an email and a social link;
/// returns (campaign id, secret key, links as (code, channel, referrer index)).
async fn seeded_campaign(
    app: &TestApp,
    name: &str,
    referrers: usize,
    kpi_target: f64,
) -> (String, String, Vec<(String, &'static str, usize)>) {
    let token = app.admin_token.clone();
    let input = json!({
        "name": name, "startsAt": "2026-11-01T00:00:00Z", "endsAt": "2026-12-31T00:00:00Z", "currency": "USD",
        "budgetMinor": "100000000", "landingUrl": "https://shop.example/welcome", "holdDays": 30,
        "goals": [{ "name": "Acquisition", "objectives": [{ "name": "New customers", "kpis": [{ "metric": "NEW_CUSTOMERS", "target": kpi_target, "due": "2026-12-31" }] }] }]
    });
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
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "500" } })).await;
    let people: Vec<Value> = (0..referrers).map(|i| json!({ "externalId": format!("{name}-r{i:02}"), "email": format!("{name}-r{i:02}@referrers.example") })).collect();
    let enrolled = app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { id } errors { index message } } }", json!({ "c": campaign, "p": people })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }", json!({ "c": campaign, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } })).await;
    app.launch(&token, &campaign).await;
    let mut links = Vec::new();
    for (i, e) in enrolled["enrollParticipants"]["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for channel in ["EMAIL", "SOCIAL"] {
            let link = app.graphql_ok(Some(&token), "mutation($e: UUID!, $ch: Channel) { createReferralLink(enrolmentId: $e, channel: $ch) { code } }", json!({ "e": e["id"], "ch": channel })).await;
            let lower: &'static str = if channel == "EMAIL" {
                "email"
            } else {
                "social"
            };
            links.push((
                link["createReferralLink"]["code"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                lower,
                i,
            ));
        }
    }
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
    (campaign, key, links)
}

/// Wait until no event job is left to run.
async fn pipeline_idle(app: &TestApp) {
    let db = app.db.connect().await;
    let idle = try_poll_until(Duration::from_secs(120), || async {
        let busy = grapevine_tests::busy_jobs(&db, &[]).await;
        (busy == 0).then_some(())
    })
    .await;
    assert!(idle.is_some(), "the pipeline did not go idle");
}

/// Wait until `count` clicks are in the database (the API buffers them for a moment).
async fn clicks_stored(app: &TestApp, count: u64) {
    let db = app.db.connect().await;
    let stored = try_poll_until(Duration::from_secs(30), || async {
        let n = clicks::Entity::find().count(&db).await.unwrap();
        (n == count).then_some(())
    })
    .await;
    assert!(stored.is_some(), "{count} clicks stored");
}

fn n(v: &Value) -> i64 {
    v.as_str()
        .map_or_else(|| v.as_i64().unwrap(), |s| s.parse().unwrap())
}

#[tokio::test]
async fn test_case_b1_the_report_equals_the_seeded_events_and_names_the_better_channel() {
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let (campaign, key, links) = seeded_campaign(&app, "b1", 20, 10_000.0).await;
    let mut rng = Lcg(0x00b1_5eed);

    // Three days of clicks: 40 links × 25 clicks a day = 3 000 clicks, from a pool of browsers
    // (so visitors repeat within and across days).
    let days = ["2026-11-10", "2026-11-11", "2026-11-12"];
    let mut clicks: Vec<(usize, uuid::Uuid, String)> = Vec::new(); // (link index, click id, day)
    let mut visitors: BTreeSet<String> = BTreeSet::new();
    let mut visitors_by_referrer: Vec<BTreeSet<String>> = vec![BTreeSet::new(); 20];
    let (mut per_channel_clicks, mut per_day_clicks) = ([0i64; 2], [0i64; 3]);
    for (d, day) in days.iter().enumerate() {
        clock.set(at(&format!("{day}T12:00:00Z")));
        for (l, (code, channel, referrer)) in links.iter().enumerate() {
            for _ in 0..25 {
                let ua = format!(
                    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{}.0",
                    rng.between(0, 2500)
                );
                let click = app.click(code, &ua).await;
                clicks.push((l, click, (*day).to_owned()));
                visitors_by_referrer[*referrer].insert(ua.clone());
                visitors.insert(ua);
                per_channel_clicks[usize::from(*channel == "social")] += 1;
                per_day_clicks[d] += 1;
            }
        }
    }
    assert_eq!(clicks.len(), 3000);
    clicks_stored(&app, 3000).await;

    // Purchases: 15 % of email clicks and 5 % of social clicks convert (seeded coin flips), on the
    // day after the click; a fifth of the buyers order again two days later.
    clock.set(at("2026-11-16T12:00:00Z"));
    let (mut customers, mut orders, mut revenue) = (0i64, 0i64, 0i64);
    let mut per_channel_customers = [0i64; 2];
    let mut buyers_by_referrer = [0i64; 20];
    for (i, (link, click, day)) in clicks.iter().enumerate() {
        let (_, channel, referrer) = &links[*link];
        let chance = if *channel == "email" { 150 } else { 50 };
        if rng.between(0, 1000) >= chance {
            continue;
        }
        let amount = 2000 + 100 * i64::try_from(rng.between(0, 60)).unwrap();
        let next_day = at(&format!("{day}T18:00:00Z")) + chrono::Duration::days(1);
        let body = app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }", json!({ "i": { "orderId": format!("o{i}"), "customerId": format!("c{i}"), "email": format!("c{i}@friends.example"), "amountMinor": amount.to_string(), "currency": "USD", "occurredAt": next_day, "clickId": click } })).await;
        assert!(
            body["trackConversion"]["conversion"]["referralId"].is_string(),
            "{body}"
        );
        customers += 1;
        orders += 1;
        revenue += amount;
        per_channel_customers[usize::from(*channel == "social")] += 1;
        buyers_by_referrer[*referrer] += 1;
        if rng.between(0, 5) == 0 {
            let again = next_day + chrono::Duration::days(2);
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("o{i}-2"), "customerId": format!("c{i}"), "amountMinor": "1500", "currency": "USD", "occurredAt": again, "clickId": click } })).await;
            orders += 1;
            revenue += 1500;
        }
    }
    assert!(
        customers > 150 && customers < 450,
        "a realistic spread: {customers}"
    );
    pipeline_idle(&app).await;

    // The report, once the rollups have taken everything in.
    let marketing = app.login_as("MARKETING_MANAGER").await;
    let vars = json!({ "c": campaign, "f": "2026-11-01", "t": "2026-11-30" });
    // Direct counts of what the pipeline decided: approved referrals and their rewards.
    let db = app.db.connect().await;
    let approved_in_db = i64::try_from(
        referrals::Entity::find()
            .filter(referrals::Column::Status.eq(ReferralStatus::Approved))
            .count(&db)
            .await
            .unwrap(),
    )
    .unwrap();
    let rewards_in_db = i64::try_from(rewards::Entity::find().count(&db).await.unwrap()).unwrap();
    assert_eq!(
        rewards_in_db, approved_in_db,
        "one referrer reward per approved referral"
    );
    // The rollups lag the events by a pass or two: wait until they hold all of it.
    let report = try_poll_until(Duration::from_secs(30), || async {
        let r =
            app.graphql_ok(Some(&marketing), REPORT, vars.clone()).await["campaignReport"].clone();
        let caught_up = n(&r["funnel"]["orders"]) == orders
            && n(&r["funnel"]["clicks"]) == 3000
            && n(&r["funnel"]["approved"]) == approved_in_db
            && n(&r["rewardCost"]["amountMinor"]) == 500 * rewards_in_db;
        caught_up.then_some(r)
    })
    .await
    .expect("the rollups caught up with the seeded events");
    let f = &report["funnel"];
    assert_eq!(n(&f["clicks"]), 3000);
    assert_eq!(n(&f["leads"]), customers, "every buyer is a lead");
    assert_eq!(
        n(&f["approved"]) + n(&f["inReview"]) + n(&f["rejected"]),
        customers
    );
    assert_eq!(n(&f["customers"]), customers);
    assert_eq!(n(&f["orders"]), orders);
    assert_eq!(n(&report["revenue"]["amountMinor"]), revenue);
    assert_eq!(report["revenue"]["currency"], "USD");
    // Distinct visitors over three days: within the sketch's stated bound (3 standard errors).
    let (estimate, truth) = (n(&f["uniqueVisitors"]) as f64, visitors.len() as f64);
    assert!(visitors.len() > hll::EXACT_LIMIT && f["uniqueVisitorsExact"] == false);
    assert!(
        (estimate - truth).abs() <= 3.0 * hll::STANDARD_ERROR * truth,
        "{estimate} vs {truth}"
    );
    // By channel and by day.
    let channel = |name: &str| {
        report["byChannel"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["key"] == name)
            .unwrap()
            .clone()
    };
    for (i, name) in ["email", "social"].iter().enumerate() {
        let c = channel(name);
        assert_eq!(
            (n(&c["clicks"]), n(&c["customers"])),
            (per_channel_clicks[i], per_channel_customers[i]),
            "{name}"
        );
    }
    assert_eq!(
        report["byChannel"][0]["key"], "email",
        "best converting first"
    );
    let series: Vec<(String, i64)> = report["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["key"].as_str().unwrap().to_owned(), n(&s["clicks"])))
        .filter(|(_, c)| *c > 0)
        .collect();
    assert_eq!(
        series,
        days.iter()
            .zip(per_day_clicks)
            .map(|(d, c)| ((*d).to_owned(), c))
            .collect::<Vec<_>>()
    );
    // Money: ROI, cost per acquisition and average order value from the seeded figures.
    let cost = n(&report["rewardCost"]["amountMinor"]);
    assert_eq!(
        cost,
        500 * n(&f["approved"]),
        "a 500 reward per approved referral"
    );
    if cost > 0 {
        let roi = report["roi"].as_f64().unwrap();
        assert!((roi - (revenue - cost) as f64 / cost as f64).abs() < 1e-9);
        assert_eq!(
            n(&report["costPerAcquisition"]["amountMinor"]),
            cost / customers
        );
    }
    assert_eq!(
        n(&report["averageOrderValue"]["amountMinor"]),
        revenue / orders
    );
    assert_eq!(n(&report["participants"]), 20);
    // The leaderboard: most new customers first, each with the seeded counts (two links of 75
    // clicks a referrer) and their distinct visitors within the sketch's bound.
    let top = report["topReferrers"].as_array().unwrap();
    assert_eq!(top.len(), 10);
    let mut expected: Vec<i64> = buyers_by_referrer.to_vec();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        top.iter().map(|r| n(&r["customers"])).collect::<Vec<_>>(),
        expected[..10]
    );
    for r in top {
        let external = r["externalId"].as_str().unwrap();
        let referrer: usize = external.rsplit("-r").next().unwrap().parse().unwrap();
        assert_eq!(n(&r["customers"]), buyers_by_referrer[referrer], "{r}");
        assert_eq!(n(&r["clicks"]), 150, "{r}");
        let truth = visitors_by_referrer[referrer].len() as f64;
        let error = (n(&r["uniqueVisitors"]) as f64 - truth).abs() / truth;
        assert!(error <= 3.0 * hll::STANDARD_ERROR, "{r}: {truth} visitors");
    }

    // The insight names the better channel with its evidence, and says what to do.
    let best = report["insights"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "best_channel")
        .unwrap_or_else(|| panic!("no channel insight: {report:#}"));
    assert!(
        best["finding"]
            .as_str()
            .unwrap()
            .starts_with("email converts"),
        "{best}"
    );
    assert_eq!(best["significant"], true);
    assert!(best["pValue"].as_f64().unwrap() < 0.05);
    let evidence = best["evidence"].as_str().unwrap();
    assert!(
        evidence.contains(&format!(
            "{} customers of {} clicks",
            per_channel_customers[0], per_channel_clicks[0]
        )),
        "{evidence}"
    );
    assert!(best["action"].as_str().unwrap().contains("email"));

    // The KPI (10 000 new customers by 31 December) is behind: at risk, with the projection
    // (the value so far plus the last 7 days' daily mean for each day left).
    let kpi = &report["kpis"][0];
    assert_eq!(kpi["metric"], "NEW_CUSTOMERS");
    assert_eq!(kpi["value"].as_f64().unwrap(), customers as f64);
    assert_eq!(kpi["status"], "AT_RISK", "{kpi}");
    let projected = kpi["projected"].as_f64().unwrap();
    let run_rate = kpi["runRatePerDay"].as_f64().unwrap();
    assert!(projected < 10_000.0, "{kpi}");
    assert!(
        (run_rate - customers as f64 / 7.0).abs() < 1e-9,
        "all buyers fell in the last 7 days: {kpi}"
    );
    assert!(
        kpi["neededPerDay"].as_f64().unwrap() > kpi["runRatePerDay"].as_f64().unwrap(),
        "{kpi}"
    );
    assert!(
        report["insights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "kpi_at_risk")
    );

    // Sales read reports; ops do not; bad periods are refused.
    let sales = app.login_as("SALES").await;
    assert!(error_codes(&app.graphql(Some(&sales), REPORT, vars.clone()).await).is_empty());
    let ops = app.login_as("OPS").await;
    assert_eq!(
        error_codes(&app.graphql(Some(&ops), REPORT, vars.clone()).await),
        ["FORBIDDEN"]
    );
    let backwards = app
        .graphql(
            Some(&marketing),
            REPORT,
            json!({ "c": campaign, "f": "2026-11-30", "t": "2026-11-01" }),
        )
        .await;
    assert_eq!(error_codes(&backwards), ["VALIDATION"]);
}

#[tokio::test]
async fn with_a_handful_of_events_no_insight_claims_significance() {
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let (campaign, key, links) = seeded_campaign(&app, "small", 2, 5.0).await;
    // Email: 3 buyers of 8 clicks; social: none of 8. It looks decisive; it is a handful.
    let mut clicked: Vec<(usize, usize, uuid::Uuid)> = Vec::new();
    for (l, (code, _, _)) in links.iter().enumerate().filter(|(_, l)| l.2 == 0) {
        for j in 0..8 {
            let ua = format!(
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{j}{l}.0"
            );
            clicked.push((l, j, app.click(code, &ua).await));
        }
    }
    clicks_stored(&app, 16).await;
    let mut bought = 0;
    for (l, j, click) in &clicked {
        if links[*l].1 == "email" && *j < 3 {
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("s{l}{j}"), "customerId": format!("s{l}{j}"), "amountMinor": "3000", "currency": "USD", "clickId": click } })).await;
            bought += 1;
        }
    }
    pipeline_idle(&app).await;
    let vars = json!({ "c": campaign, "f": "2026-11-01", "t": "2026-11-30" });
    let report = try_poll_until(Duration::from_secs(30), || async {
        let r = app
            .graphql_ok(Some(&app.admin_token), REPORT, vars.clone())
            .await["campaignReport"]
            .clone();
        (n(&r["funnel"]["customers"]) == bought && n(&r["funnel"]["clicks"]) == 16).then_some(r)
    })
    .await
    .expect("the rollups caught up");
    let insights = report["insights"].as_array().unwrap();
    assert!(
        insights.iter().all(|i| i["significant"] == false),
        "{insights:#?}"
    );
    let channels = insights
        .iter()
        .find(|i| i["kind"] == "channels_too_close_to_call")
        .unwrap_or_else(|| panic!("{insights:#?}"));
    assert!(
        channels["finding"]
            .as_str()
            .unwrap()
            .contains("no channel converts significantly better")
    );
    assert_eq!(n(&report["funnel"]["uniqueVisitors"]), 16);
    assert_eq!(report["funnel"]["uniqueVisitorsExact"], true);
}
