//! Rate limits (issue 8): `/r/{code}` per client address and `trackLead`/`trackConversion` per
//! API key answer `429` / `RATE_LIMITED` with `Retry-After` past their per-minute limit, and two
//! API replicas on one Redis share the count, failed logins included. (Login limits on one
//! process are in `graphql_rules.rs`, invites per participant and day in `invites.rs`.)

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use chrono::Timelike;
use grapevine_tests::{Backend, error_codes, spawn_app_with};
use serde_json::json;

/// Limits count in one-minute windows: start a burst early in a minute so it does not straddle two.
async fn at_the_start_of_a_window() {
    let second = chrono::Utc::now().second();
    if second > 45 {
        // Waiting for the next rate-limit window (the scenario), not for the product.
        tokio::time::sleep(Duration::from_secs(u64::from(61 - second))).await;
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn redirects_and_tracking_past_their_limits_are_told_when_to_come_back() {
    let app = spawn_app_with(Backend::current(), |c| {
        c.rate_limits.redirect_per_minute = 5;
        c.rate_limits.track_per_minute = 3;
    })
    .await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    let code = app
        .enroll(&token, &campaign, "ada", "ada@example.com")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
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

    at_the_start_of_a_window().await;
    let client = no_redirects();
    let url = format!("{}/r/{code}", app.address);
    for _ in 0..5 {
        assert_eq!(client.get(&url).send().await.unwrap().status(), 302);
    }
    let refused = client.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");

    let lead = "mutation($i: LeadInput!) { trackLead(input: $i) { notAttributed } }";
    for i in 0..3 {
        let body = app
            .graphql(Some(&key), lead, json!({ "i": { "customerId": format!("c{i}"), "email": format!("c{i}@friends.example"), "code": code } }))
            .await;
        assert!(body.get("errors").is_none(), "{body:#}");
    }
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&key)
        .json(&json!({ "query": lead, "variables": { "i": { "customerId": "c9", "email": "c9@friends.example", "code": code } } }))
        .send()
        .await
        .unwrap();
    let header: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["retryAfter"], header);
    // Staff calls are not counted against a key's limit.
    assert!(
        app.graphql(
            Some(&token),
            "{ campaigns { edges { node { id } } } }",
            json!({})
        )
        .await
        .get("errors")
        .is_none()
    );
}

#[tokio::test]
async fn two_replicas_on_one_redis_share_the_count() {
    let app = spawn_app_with(Backend::Postgres, |c| c.rate_limits.redirect_per_minute = 6).await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    let code = app
        .enroll(&token, &campaign, "ada", "ada@example.com")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    app.launch(&token, &campaign).await;
    // A second API replica: same database, same Redis and prefix, HTTP only.
    let replica = app.spawn_replica().await;
    let replica_url = replica.address.clone();

    at_the_start_of_a_window().await;
    let client = no_redirects();
    let mut statuses = Vec::new();
    for i in 0..8 {
        let base = if i % 2 == 0 {
            &app.address
        } else {
            &replica_url
        };
        statuses.push(
            client
                .get(format!("{base}/r/{code}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(
        statuses,
        [302, 302, 302, 302, 302, 302, 429, 429],
        "six in the minute across both replicas, then refused on both"
    );
}

#[tokio::test]
async fn failed_logins_on_one_replica_count_on_the_other() {
    let app = spawn_app_with(Backend::Postgres, |_| {}).await;
    let email = format!("fin-{}@staff.grapevine.test", uuid::Uuid::new_v4().simple());
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": email, "name": "F", "role": "FINANCE", "password": "right password 123" } }),
    )
    .await;
    let replica = app.spawn_replica().await;
    let replica_url = replica.address.clone();
    let login = |base: String, password: &'static str| {
        let (client, email) = (app.client.clone(), email.clone());
        async move {
            client
                .post(format!("{base}/graphql"))
                .json(&json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }", "variables": { "e": email, "p": password } }))
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    // Five wrong passwords (the default limit), spread over both replicas …
    for i in 0..5 {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            replica_url.clone()
        };
        assert_eq!(
            error_codes(&login(base, "wrong password 123").await),
            ["UNAUTHENTICATED"]
        );
    }
    // … and the right one is refused on either.
    for base in [replica_url.clone(), app.address.clone()] {
        let body = login(base, "right password 123").await;
        assert_eq!(error_codes(&body), ["RATE_LIMITED"], "{body:#}");
    }
}

#[tokio::test]
async fn widget_calls_past_their_limit_get_429_with_cors_and_retry_after() {
    let app = spawn_app_with(Backend::current(), |c| c.rate_limits.widget_per_minute = 4).await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "cus_ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    app.graphql_ok(
        Some(&token),
        r#"mutation { setTenantSecret(name: "widget_secret", value: "widget-secret-1") }"#,
        json!({}),
    )
    .await;
    let key = app
        .graphql_ok(Some(&token), r#"mutation { createApiKey(kind: PUBLISHABLE, name: "w", allowedOrigins: ["https://shop.example"]) { key } }"#, json!({}))
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = grapevine_entity::domain::customer_token::sign(
        "widget-secret-1",
        "cus_ada",
        chrono::Utc::now().timestamp() + 600,
    );
    at_the_start_of_a_window().await;
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..6 {
        let res = app
            .client
            .get(format!("{}/widget/v1/me", app.address))
            .query(&[("key", key.as_str()), ("token", customer.as_str())])
            .header("origin", "https://shop.example")
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
        last = Some(res);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    let refused = last.unwrap();
    // The shop's page can read the refusal (CORS) and knows when to come back.
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}
