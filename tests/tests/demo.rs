//! `grapevine demo` as a newcomer meets it: the real binary seeds 90 days of history on this
//! test's database, then the application started on that database shows it: a campaign report
//! with clicks, customers, revenue and reward cost on every channel, referrals in fraud review,
//! held and released rewards, a paid payout and one awaiting approval, a dead job, and a working
//! sign-in for every role. A second run changes nothing and prints the same sign-ins.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use grapevine_api::Config;
use grapevine_tests::{
    Backend, SmtpServer, TestDatabase,
    app::{serve_api, test_config},
    free_port,
    process::config_env,
    process::one_shot,
    require_services,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};

/// A debug build on a busy machine seeds in well under this.
const SEEDING: Duration = Duration::from_secs(300);

/// Every table of the schema that the demo may write.
const TABLES: &[&str] = &[
    "tenants",
    "tenant_secrets",
    "users",
    "api_keys",
    "audit_log",
    "campaigns",
    "campaign_materials",
    "reward_rules",
    "participants",
    "enrolments",
    "referral_links",
    "clicks",
    "tracking_tallies",
    "device_sightings",
    "referrals",
    "conversions",
    "refunds",
    "fraud_decisions",
    "fraud_signals",
    "rewards",
    "ledger_entries",
    "payouts",
    "payout_attempts",
    "payout_settings",
    "emails",
    "job_outbox",
    "job_runs",
    "rollups",
];

/// `grapevine demo [--json]` against the test database; returns stdout and how long it took.
async fn demo(env: &[(String, String)], listen: &str, json: bool) -> (String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["--listen", listen, "demo"];
    if json {
        args.push("--json");
    }
    let started = Instant::now();
    let child = one_shot(&args, env, dir.path()).spawn().unwrap();
    let output = tokio::time::timeout(SEEDING, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("grapevine demo still running after {SEEDING:?}"))
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "grapevine demo: {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    (stdout, took)
}

fn one_json_line(stdout: &str) -> Value {
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "demo --json prints one line: {stdout}");
    serde_json::from_str(lines[0]).unwrap()
}

async fn row_counts(conn: &DatabaseConnection) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for table in TABLES {
        let row = conn
            .query_one_raw(Statement::from_string(
                conn.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        out.insert(*table, row.try_get::<i64>("", "n").unwrap());
    }
    out
}

async fn graphql(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> Value {
    let mut request = client
        .post(url)
        .json(&json!({ "query": query, "variables": vars }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{query}: {body:#}");
    body["data"].clone()
}

fn minor(v: &Value) -> i64 {
    v["amountMinor"].as_str().unwrap().parse().unwrap()
}

fn big(v: &Value) -> i64 {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_demo_seeds_ninety_days_every_report_and_role_can_see_and_seeds_them_once() {
    let backend = Backend::current();
    require_services(backend);
    let db = TestDatabase::create_on(backend).await;
    let smtp = SmtpServer::start().await;
    let mut config: Config = test_config(&db, &smtp);
    // The embedded default's mail: logged, not sent.
    config.email.smtp_url = Default::default();
    let env = config_env(&config);
    let listen = format!("127.0.0.1:{}", free_port());

    let (stdout, took) = demo(&env, &listen, true).await;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    eprintln!("grapevine demo on {backend:?} ({profile} build): first run {took:.1?}");
    let first = one_json_line(&stdout);
    let conn = db.connect().await;
    let seeded = row_counts(&conn).await;

    // Run again: nothing changes, the same sign-ins are printed.
    let (stdout, took) = demo(&env, &listen, true).await;
    eprintln!("grapevine demo on {backend:?} ({profile} build): second run {took:.1?}");
    let second = one_json_line(&stdout);
    assert_eq!(
        row_counts(&conn).await,
        seeded,
        "a second run writes nothing"
    );
    for key in [
        "tenant_id",
        "campaign_id",
        "console_url",
        "graphql_url",
        "staff",
        "code",
        "secret_key",
        "history",
    ] {
        assert_eq!(
            first[key], second[key],
            "{key} is the same on the second run"
        );
    }
    assert_eq!(first["console_url"], format!("http://{listen}/"));
    for key in [
        "graphql_url",
        "token",
        "tenant_id",
        "campaign_id",
        "admin_email",
        "referral_url",
        "code",
        "secret_key",
        "publishable_key",
        "storefront_url",
    ] {
        assert!(
            first[key].as_str().is_some_and(|v| !v.is_empty()),
            "demo --json has {key}: {first:#}"
        );
    }
    let staff = first["staff"].as_array().unwrap().clone();
    let roles: Vec<&str> = staff.iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert_eq!(
        roles,
        ["ADMIN", "MARKETING_MANAGER", "SALES", "FINANCE", "OPS"]
    );
    let (prose, _) = demo(&env, &listen, false).await;
    assert!(prose.contains(&format!("http://{listen}/")), "{prose}");
    for s in &staff {
        assert!(
            prose.contains(s["email"].as_str().unwrap())
                && prose.contains(s["password"].as_str().unwrap()),
            "{prose}"
        );
    }

    // The application on the seeded database.
    let server = serve_api(config.clone()).await;
    let url = format!("{}/graphql", server.address);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();

    // Every role signs in with the printed password.
    let mut tokens = BTreeMap::new();
    for s in &staff {
        let data = graphql(
            &client,
            &url,
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token user { email role } } }",
            json!({ "e": s["email"], "p": s["password"] }),
        )
        .await;
        assert_eq!(data["login"]["user"]["role"], s["role"], "{s}");
        tokens.insert(
            s["role"].as_str().unwrap().to_owned(),
            data["login"]["token"].as_str().unwrap().to_owned(),
        );
    }
    let as_role = |role: &str| tokens[role].clone();

    // The campaign report over the last 90 days: every channel has clicks, customers, revenue
    // and reward cost.
    let today = Utc::now().date_naive();
    let report = graphql(
        &client,
        &url,
        Some(&as_role("MARKETING_MANAGER")),
        "query($c: UUID!, $f: NaiveDate!, $t: NaiveDate!) { campaignReport(campaignId: $c, from: $f, to: $t) { byChannel { key clicks customers revenue { amountMinor } rewardCost { amountMinor } } } }",
        json!({ "c": first["campaign_id"], "f": today - chrono::Duration::days(89), "t": today }),
    )
    .await;
    let channels = report["campaignReport"]["byChannel"].as_array().unwrap();
    let keys: Vec<&str> = channels
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"email") && keys.contains(&"social"),
        "channels: {keys:?}"
    );
    for c in channels {
        assert!(
            big(&c["clicks"]) > 0
                && big(&c["customers"]) > 0
                && minor(&c["revenue"]) > 0
                && minor(&c["rewardCost"]) > 0,
            "every channel has clicks, customers, revenue and reward cost: {c}"
        );
    }
    eprintln!(
        "demo report by channel: {}",
        serde_json::to_string(channels).unwrap()
    );

    // Fraud review has work; rewards are held and released; payouts paid and one waiting.
    let marketing = as_role("MARKETING_MANAGER");
    let review = graphql(
        &client,
        &url,
        Some(&marketing),
        "query($c: UUID!) { reviewQueue(campaignId: $c, first: 50) { edges { node { id } } } }",
        json!({ "c": first["campaign_id"] }),
    )
    .await;
    assert!(
        !review["reviewQueue"]["edges"]
            .as_array()
            .unwrap()
            .is_empty(),
        "referrals wait for review"
    );
    let finance = as_role("FINANCE");
    let count = |field: &'static str, status: &'static str| {
        let (client, url, finance) = (&client, &url, &finance);
        async move {
            let query = format!(
                "{{ {field}(filter: {{ status: {status} }}, first: 100) {{ edges {{ node {{ id }} }} }} }}"
            );
            let data = graphql(client, url, Some(finance), &query, json!({})).await;
            data[field]["edges"].as_array().unwrap().len()
        }
    };
    assert!(count("rewards", "HELD").await > 0, "held rewards");
    assert!(count("rewards", "RELEASED").await > 0, "released rewards");
    assert!(
        count("rewards", "PAID").await > 0 && count("rewards", "FULFILLED").await > 0,
        "paid cash and delivered coupons"
    );
    assert!(count("payouts", "PAID").await > 0, "paid payouts");
    assert_eq!(
        count("payouts", "AWAITING_APPROVAL").await,
        1,
        "one payout waits for finance"
    );

    // Ops sees the one dead job: the email the mail server refused.
    let dead = graphql(
        &client,
        &url,
        Some(&as_role("OPS")),
        "{ deadJobs(first: 10) { edges { node { kind lastError } } } }",
        json!({}),
    )
    .await;
    let dead = dead["deadJobs"]["edges"].as_array().unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["node"]["kind"], "email.send", "{dead:?}");
}
