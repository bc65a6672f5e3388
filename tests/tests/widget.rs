//! The embeddable widget in headless Chromium: the demo storefront, on another origin than the
//! API, shows the customer's link and QR; a friend following the link lands with `ref` kept in the
//! site's storage only with consent; tampered or expired customer tokens and foreign origins are
//! refused. A screenshot is saved under tests/artifacts/.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Stdio, time::Duration};

use grapevine_entity::domain::customer_token;
use grapevine_tests::{GrapevineProcess, TestApp, free_port, spawn_app};
use serde_json::{Value, json};

/// Run headless Chromium with a fresh profile; `extra` are flags such as `--dump-dom`.
async fn chromium(url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--headless".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--virtual-time-budget=5000".into(),
        format!("--user-data-dir={}", profile.path().display()),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
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
    .expect("chromium runs (tests/run.sh installs Debian's chromium)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn demo_server() -> (GrapevineProcess, Value) {
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = GrapevineProcess::spawn(&["--listen", &listen], &[]);
    server
        .wait_http_ok(&format!("http://{listen}/healthz"), Duration::from_secs(60))
        .await;
    let out = server
        .command(&["demo", "--json", "--listen", &listen])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (server, serde_json::from_slice(&out.stdout).unwrap())
}

#[tokio::test]
async fn the_storefront_on_another_origin_shows_the_customers_link_and_qr() {
    let (mut server, demo) = demo_server().await;
    let store = demo["storefront_url"].as_str().unwrap();
    assert!(
        store.starts_with("http://localhost:"),
        "the store is another origin than the API: {store}"
    );
    let dom = chromium(store, &["--dump-dom"]).await;
    let url = demo["referral_url"].as_str().unwrap();
    assert!(
        dom.contains(&format!(
            r#"id="gv-link" readonly="readonly" value="{url}""#
        )),
        "the link is shown: {dom}"
    );
    assert!(
        dom.contains(&format!(r#"src="{}""#, url.replace("/r/", "/qr/") + ".svg")),
        "the QR is shown"
    );
    assert!(dom.contains(&format!(
        r#"<code id="gv-code">{}</code>"#,
        demo["code"].as_str().unwrap()
    )));
    assert!(!dom.contains("gv-error"));
    assert!(!dom.contains("{{"), "share text is rendered");
    let shot = artifacts().join("widget-storefront.png");
    chromium(
        store,
        &[
            "--window-size=900,1000",
            &format!("--screenshot={}", shot.display()),
        ],
    )
    .await;
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 1000,
        "screenshot saved at {}",
        shot.display()
    );
    server.terminate(Duration::from_secs(30)).await;
}

#[tokio::test]
async fn a_friend_following_the_link_keeps_the_referral_only_with_consent() {
    let (mut server, demo) = demo_server().await;
    let code = demo["code"].as_str().unwrap();
    // Without consent (the landing URL carries none): the ref stays in the URL, nothing is stored.
    let dom = chromium(demo["referral_url"].as_str().unwrap(), &["--dump-dom"]).await;
    assert!(
        dom.contains(&format!("Referral in the URL: {code}")),
        "{dom}"
    );
    assert!(dom.contains("Stored referral: none"));
    // With consent, in another browser profile: kept in the site's storage.
    let store = demo["storefront_url"].as_str().unwrap();
    let dom = chromium(&format!("{store}?consent=1&ref={code}"), &["--dump-dom"]).await;
    assert!(dom.contains(&format!("Stored referral: {code}")), "{dom}");
    server.terminate(Duration::from_secs(30)).await;
}

/// A launched campaign whose customer `cus_ada` is enrolled, the tenant's widget secret and a
/// publishable key for https://shop.example.
struct Widget {
    app: TestApp,
    key: String,
    /// Now, in seconds since the epoch.
    now: i64,
}

impl Widget {
    async fn open() -> Self {
        let app = spawn_app().await;
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
        let key = app.graphql_ok(Some(&token), r#"mutation { createApiKey(kind: PUBLISHABLE, name: "w", allowedOrigins: ["https://shop.example"]) { key } }"#, json!({})).await["createApiKey"]["key"].as_str().unwrap().to_owned();
        let now = chrono::Utc::now().timestamp();
        Self { app, key, now }
    }

    /// A customer token for `customer`, signed with the tenant's secret, valid ten minutes.
    fn token(&self, customer: &str) -> String {
        customer_token::sign("widget-secret-1", customer, self.now + 600)
    }

    /// `GET /widget/v1/me` with a customer token, from `origin`.
    async fn me(&self, token: &str, origin: &str) -> reqwest::Response {
        self.app
            .client
            .get(format!("{}/widget/v1/me", self.app.address))
            .query(&[("key", self.key.as_str()), ("token", token)])
            .header("origin", origin)
            .send()
            .await
            .unwrap()
    }

    /// `POST /widget/v1/{path}` with a customer token and a body, from the shop.
    async fn post(&self, path: &str, token: &str, body: String) -> reqwest::Response {
        self.app
            .client
            .post(format!("{}/widget/v1/{path}", self.app.address))
            .query(&[("key", self.key.as_str()), ("token", token)])
            .header("origin", "https://shop.example")
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn tampered_and_expired_tokens_and_foreign_origins_are_refused() {
    let w = Widget::open().await;
    let good = w.token("cus_ada");
    let res = w.me(&good, "https://shop.example").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let body: Value = res.json().await.unwrap();
    assert!(body["link"]["url"].as_str().unwrap().contains("/r/"));

    let foreign = w.me(&good, "https://evil.example").await;
    assert_eq!(foreign.status(), 403);
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none(),
        "no CORS grant for a foreign origin"
    );
    for (what, bad) in [
        (
            "expired",
            customer_token::sign("widget-secret-1", "cus_ada", w.now - 1),
        ),
        (
            "wrong secret",
            customer_token::sign("attacker", "cus_ada", w.now + 600),
        ),
        ("tampered", good.replacen(".", ".x", 1)),
    ] {
        assert_eq!(
            w.me(&bad, "https://shop.example").await.status(),
            401,
            "{what}"
        );
    }
}

#[tokio::test]
async fn a_customer_s_invite_through_the_widget_reaches_their_friend() {
    let w = Widget::open().await;
    let invite = w
        .post(
            "invites",
            &w.token("cus_ada"),
            r#"{"emails":["pal@example.com"]}"#.to_owned(),
        )
        .await;
    assert_eq!(invite.status(), 200);
    let mails = w.app.smtp.wait_for(2, Duration::from_secs(30)).await;
    assert!(
        mails
            .iter()
            .any(|m| m.to.iter().any(|t| t.contains("pal@example.com"))),
        "the friend got the invite"
    );
}

#[tokio::test]
async fn the_widget_reports_a_friend_s_lead_only_with_the_friend_s_own_valid_token() {
    let w = Widget::open().await;
    let good = w.token("cus_ada");
    let me: Value = w
        .me(&good, "https://shop.example")
        .await
        .json()
        .await
        .unwrap();
    // The friend signs up on the shop: the widget reports the lead with the friend's own token.
    let code = me["link"]["code"].as_str().unwrap().to_owned();
    let friend = w.token("cus_pal");
    let res = w
        .post(
            "lead",
            &friend,
            format!(r#"{{"ref":"{code}","email":"pal@example.com"}}"#),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["attributed"], true);
    let res = w
        .post(
            "lead",
            &customer_token::sign("attacker", "cus_pal", w.now + 600),
            format!(r#"{{"ref":"{code}"}}"#),
        )
        .await;
    assert_eq!(res.status(), 401, "a forged token reports nothing");
    let res = w.post("lead", &friend, "not json".to_owned()).await;
    assert_eq!(res.status(), 400, "a malformed body is refused");
    let body = res.json::<Value>().await.unwrap();
    assert_eq!(body["error"]["code"], "VALIDATION");
    assert_eq!(body["error"]["fields"][0]["field"], "body");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("gv_click"),
        "with the shape it expects: {body}"
    );
    let res = w
        .post("lead", &good, format!(r#"{{"ref":"{code}"}}"#))
        .await;
    assert_eq!(res.status(), 400, "the referrer cannot be their own lead");
    let db = w.app.db.connect().await;
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        grapevine_entity::tables::referrals::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        1,
        "exactly the friend's referral"
    );
}
