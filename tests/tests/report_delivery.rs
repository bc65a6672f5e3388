//! Campaign report delivery (issue 5): `GET /reports/campaigns/{id}.csv` and `.html` over a small
//! campaign seeded through the public API. The CSV's (period, channel) cells sum to the GraphQL
//! `campaignReport` totals; the HTML page renders in headless Chromium (a screenshot is written
//! under `target/artifacts/`) and shows the totals with the campaign name escaped; sales may read,
//! ops may not, bad parameters are refused and another tenant's campaign is not found.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Stdio, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::domain::clock::ManualClock;
use grapevine_tests::{Backend, TestApp, app::seed_tenant, spawn_app_with_clock, try_poll_until};
use serde_json::{Value, json};

/// A campaign name a careless page would turn into markup.
const NAME: &str = "Spring <b>&</b> \"friends\"";

const TOTALS: &str =
    "query($c: UUID!) { campaignReport(campaignId: $c, from: \"2026-11-01\", to: \"2026-11-30\") {
  funnel { clicks leads customers orders } revenue { amountMinor } rewardCost { amountMinor } } }";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn n(v: &Value) -> i64 {
    v.as_str()
        .map_or_else(|| v.as_i64().unwrap(), |s| s.parse().unwrap())
}

/// A launched campaign with one referrer holding an email and a social link, and a reward rule;
/// returns (campaign id, secret key, link codes).
async fn campaign(app: &TestApp) -> (String, String, Vec<String>) {
    let token = app.admin_token.clone();
    let input = json!({
        "name": NAME, "startsAt": "2026-11-01T00:00:00Z", "endsAt": "2026-12-31T00:00:00Z", "currency": "USD",
        "budgetMinor": "1000000", "landingUrl": "https://shop.example/welcome", "holdDays": 30,
        "goals": [{ "name": "Acquisition", "objectives": [{ "name": "New customers", "kpis": [{ "metric": "NEW_CUSTOMERS", "target": 500.0, "due": "2026-12-31" }] }] }]
    });
    let id = app
        .graphql_ok(
            Some(&token),
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }", json!({ "c": id, "i": { "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "300" } })).await;
    let people = json!([{ "externalId": "ref-1", "email": "ref-1@referrers.example" }]);
    let enrolled = app.graphql_ok(Some(&token), "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { id } } }", json!({ "c": id, "p": people })).await;
    app.graphql_ok(Some(&token), "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }", json!({ "c": id, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } })).await;
    app.launch(&token, &id).await;
    let enrolment = &enrolled["enrollParticipants"]["enrolments"][0]["id"];
    let mut codes = Vec::new();
    for channel in ["EMAIL", "SOCIAL"] {
        let link = app.graphql_ok(Some(&token), "mutation($e: UUID!, $ch: Channel) { createReferralLink(enrolmentId: $e, channel: $ch) { code } }", json!({ "e": enrolment, "ch": channel })).await;
        codes.push(
            link["createReferralLink"]["code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
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
    (id, key, codes)
}

/// Follow a link as browser number `browser`; returns the click id.
async fn click(app: &TestApp, code: &str, browser: usize) -> uuid::Uuid {
    app.click(
        code,
        &format!("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/{browser}.0"),
    )
    .await
}

/// The report's totals once they show `clicks` clicks and `orders` orders.
async fn totals_when(
    app: &TestApp,
    token: &str,
    campaign: &str,
    clicks: i64,
    orders: i64,
) -> Value {
    try_poll_until(Duration::from_secs(120), || async {
        let r = app
            .graphql_ok(Some(token), TOTALS, json!({ "c": campaign }))
            .await["campaignReport"]
            .clone();
        (n(&r["funnel"]["clicks"]) == clicks && n(&r["funnel"]["orders"]) == orders).then_some(r)
    })
    .await
    .unwrap_or_else(|| panic!("the rollups did not reach {clicks} clicks and {orders} orders"))
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn error_code(res: reqwest::Response) -> (u16, String) {
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    (status, body["error"]["code"].as_str().unwrap().to_owned())
}

/// Sum each summable CSV column; checks the header and returns (column → sum, channels seen).
fn csv_sums(body: &str) -> (std::collections::BTreeMap<String, i64>, Vec<String>) {
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "period_start",
            "channel",
            "clicks",
            "unique_visitors",
            "leads",
            "customers",
            "orders",
            "revenue_minor",
            "reward_cost_minor",
            "currency"
        ]
    );
    let mut sums = std::collections::BTreeMap::new();
    let mut channels = Vec::new();
    for row in reader.records() {
        let row = row.unwrap();
        assert_eq!(&row[9], "USD");
        chrono::NaiveDate::parse_from_str(&row[0], "%Y-%m-%d").unwrap();
        channels.push(row[1].to_owned());
        for i in [2, 4, 5, 6, 7, 8] {
            *sums.entry(header[i].clone()).or_insert(0) += row[i].parse::<i64>().unwrap();
        }
    }
    (sums, channels)
}

/// Run headless Chromium with a fresh profile on `url`; `extra` are flags such as `--dump-dom`.
async fn chromium(url: &str, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    args.extend(extra.iter().cloned());
    args.push(url.to_owned());
    let out = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::process::Command::new("chromium")
            .args(&args)
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .output(),
    )
    .await
    .expect("chromium finished within a minute")
    .expect("chromium runs (Debian's chromium)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn artifacts() -> PathBuf {
    let dir = grapevine_tests::process::target_dir()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn the_csv_sums_to_the_report_and_the_printable_page_shows_it() {
    let clock = ManualClock::new(at("2026-11-10T09:00:00Z"));
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let (campaign, key, codes) = campaign(&app).await;
    let marketing = app.login_as("MARKETING_MANAGER").await;

    // Two days of clicks on both channels: (day, link, clicks).
    let plan = [
        ("2026-11-10", 0, 7),
        ("2026-11-10", 1, 3),
        ("2026-11-11", 0, 4),
        ("2026-11-11", 1, 6),
    ];
    let mut clicks = Vec::new();
    for (day, link, count) in plan {
        clock.set(at(&format!("{day}T12:00:00Z")));
        for b in 0..count {
            clicks.push((
                click(&app, &codes[link], 100 + clicks.len() % 9 + b).await,
                day,
            ));
        }
    }
    totals_when(&app, &marketing, &campaign, 20, 0).await;

    // Every third click buys the next day; the first buyer orders again.
    clock.set(at("2026-11-16T12:00:00Z"));
    let (mut orders, mut revenue) = (0i64, 0i64);
    for (i, (click, day)) in clicks.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let when = at(&format!("{day}T18:00:00Z")) + chrono::Duration::days(1);
        let amount = 2500 + 100 * i64::try_from(i).unwrap();
        app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": format!("o{i}"), "customerId": format!("c{i}"), "email": format!("c{i}@friends.example"), "amountMinor": amount.to_string(), "currency": "USD", "occurredAt": when, "clickId": click } })).await;
        orders += 1;
        revenue += amount;
        if i == 0 {
            app.graphql_ok(Some(&key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": "o0-2", "customerId": "c0", "amountMinor": "1200", "currency": "USD", "occurredAt": when + chrono::Duration::days(1), "clickId": click } })).await;
            orders += 1;
            revenue += 1200;
        }
    }
    // Wait for the pipeline (validation, rewards) to finish, then for the rollups to hold all of
    // it: the CSV and the totals must be read from the same, settled rollups.
    let db = app.db.connect().await;
    let settled = try_poll_until(Duration::from_secs(60), || async {
        use grapevine_entity::tables::rewards;
        use sea_orm::EntityTrait;
        let busy = grapevine_tests::busy_jobs(&db, &["reports.digest"]).await;
        if busy > 0 {
            return None;
        }
        let cost: i64 = rewards::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .iter()
            .map(|r| r.amount_minor - r.reversed_minor)
            .sum();
        Some(cost)
    })
    .await
    .expect("the pipeline went idle");
    let totals = try_poll_until(Duration::from_secs(60), || async {
        let t = totals_when(&app, &marketing, &campaign, 20, orders).await;
        (n(&t["rewardCost"]["amountMinor"]) == settled).then_some(t)
    })
    .await
    .expect("the rollups hold every reward");
    assert_eq!(n(&totals["revenue"]["amountMinor"]), revenue);
    assert_eq!(n(&totals["funnel"]["customers"]), 7);

    // The CSV: each summable column sums to the report's totals, by day and by week alike.
    let expected = [
        ("clicks", n(&totals["funnel"]["clicks"])),
        ("leads", n(&totals["funnel"]["leads"])),
        ("customers", n(&totals["funnel"]["customers"])),
        ("orders", orders),
        ("revenue_minor", revenue),
        ("reward_cost_minor", n(&totals["rewardCost"]["amountMinor"])),
    ];
    for granularity in ["day", "week"] {
        let res = get(&app, &marketing, &format!("/reports/campaigns/{campaign}.csv?from=2026-11-01&to=2026-11-30&granularity={granularity}")).await;
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let (sums, channels) = csv_sums(&res.text().await.unwrap());
        for (column, value) in expected {
            assert_eq!(sums[column], value, "{column} by {granularity}");
        }
        assert!(
            channels.contains(&"email".to_owned()) && channels.contains(&"social".to_owned()),
            "{channels:?}"
        );
    }

    // The page, rendered by a real browser from a file (the endpoint needs a token).
    let res = get(
        &app,
        &marketing,
        &format!("/reports/campaigns/{campaign}.html?from=2026-11-01&to=2026-11-30"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(!page.contains("<b>&</b>"), "the campaign name is escaped");
    let outside = page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for needle in ["http://", "https://", "src=", "<script", "<link"] {
        assert!(!outside.contains(needle), "a self-contained page: {needle}");
    }
    assert_eq!(page.matches("<svg").count(), 4, "four charts");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    std::fs::write(&file, &page).unwrap();
    let url = format!("file://{}", file.display());
    let shot = artifacts().join(format!(
        "report-delivery-{}.png",
        format!("{:?}", Backend::current()).to_lowercase()
    ));
    let _ = std::fs::remove_file(&shot);
    chromium(
        &url,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2000".into(),
        ],
    )
    .await;
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 10_000,
        "a non-trivial screenshot: {} bytes",
        png.len()
    );
    let dom = chromium(&url, &["--dump-dom".into()]).await;
    assert!(
        dom.contains("Spring &lt;b&gt;&amp;&lt;/b&gt; \"friends\""),
        "the name as text"
    );
    for (label, value) in [
        ("Clicks", "20".to_owned()),
        ("Customers", "7".into()),
        ("Orders", orders.to_string()),
    ] {
        let card = format!("<span class=\"muted\">{label}</span><b>{value}</b>");
        assert!(dom.contains(&card), "{card} in the rendered page");
    }
    let revenue_text = format!("{}.{:02} USD", revenue / 100, revenue % 100);
    assert!(
        dom.contains(&revenue_text),
        "revenue {revenue_text} in the rendered page"
    );

    // Who may read, what is refused, and another tenant's view.
    let sales = app.login_as("SALES").await;
    assert_eq!(
        get(&app, &sales, &format!("/reports/campaigns/{campaign}.csv"))
            .await
            .status(),
        200
    );
    assert_eq!(
        get(&app, &sales, &format!("/reports/campaigns/{campaign}.html"))
            .await
            .status(),
        200
    );
    let ops = app.login_as("OPS").await;
    for ext in ["csv", "html"] {
        let res = get(&app, &ops, &format!("/reports/campaigns/{campaign}.{ext}")).await;
        assert_eq!(error_code(res).await, (403, "FORBIDDEN".to_owned()));
    }
    for query in [
        "granularity=year",
        "from=2026-13-01",
        "from=2026-11-30&to=2026-11-01",
    ] {
        let res = get(
            &app,
            &marketing,
            &format!("/reports/campaigns/{campaign}.csv?{query}"),
        )
        .await;
        assert_eq!(
            error_code(res).await,
            (400, "VALIDATION".to_owned()),
            "{query}"
        );
    }
    let res = get(&app, &marketing, "/reports/campaigns/not-a-uuid.html").await;
    assert_eq!(error_code(res).await, (400, "VALIDATION".to_owned()));
    let unauthenticated = app
        .client
        .get(format!("{}/reports/campaigns/{campaign}.csv", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_code(unauthenticated).await,
        (401, "UNAUTHENTICATED".to_owned())
    );
    let (_b_tenant, b_admin) = seed_tenant(&app.db, &app.config).await;
    for ext in ["csv", "html"] {
        let res = get(
            &app,
            &b_admin,
            &format!("/reports/campaigns/{campaign}.{ext}"),
        )
        .await;
        assert_eq!(
            error_code(res).await,
            (404, "NOT_FOUND".to_owned()),
            "tenant B"
        );
    }
}
