//! Outgoing webhooks end to end: a receiver on loopback (a tiny HTTP server in this file, standing
//! in for the tenant's) gets signed deliveries of real events made through the public API and
//! verifies the signature itself; a failing receiver sees retries until the delivery is dead, and
//! a replay then delivers the same event; roles, tenants and bad input.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU16, AtomicU64, Ordering},
    },
    time::Duration,
};

use grapevine_tests::{
    Backend, TestApp,
    client::GraphqlClient,
    error_codes, poll_until,
    shop::{self, Payouts, ShopSpec, first_purchase},
    spawn_app_with,
};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CREATE: &str = "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret endpoint { id url eventTypes enabled secretHint } } }";
const DELIVERIES: &str = "query($e: UUID, $s: WebhookDeliveryState, $t: String) { webhookDeliveries(endpointId: $e, state: $s, eventType: $t, first: 50) { edges { node { id endpointId eventId eventType state sequence attemptCount lastStatus payload attempts { sequence attempt statusCode error durationMs responseBody } } } } }";
const CONVERSION: &str = "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id referralId } } }";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    /// Header names lower-cased.
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// The tenant's webhook receiver: answers every POST with `status` after `delay_ms` and keeps
/// what it got.
struct Receiver {
    addr: SocketAddr,
    status: Arc<AtomicU16>,
    delay_ms: Arc<AtomicU64>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(status: u16) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Self {
            addr: listener.local_addr().unwrap(),
            status: Arc::new(AtomicU16::new(status)),
            delay_ms: Arc::default(),
            got: Arc::default(),
        };
        let (status, delay, got) = (
            receiver.status.clone(),
            receiver.delay_ms.clone(),
            receiver.got.clone(),
        );
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (status, delay, got) = (status.clone(), delay.clone(), got.clone());
                tokio::spawn(async move { serve(stream, &status, &delay, &got).await });
            }
        });
        receiver
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// What reached `path` with event type `event_type`.
    fn of(&self, path: &str, event_type: &str) -> Vec<Received> {
        self.got()
            .into_iter()
            .filter(|r| r.path == path && r.header("grapevine-event-type") == event_type)
            .collect()
    }
}

/// Read one HTTP/1.1 request (headers, then `Content-Length` bytes), record it, answer.
async fn serve(
    mut stream: tokio::net::TcpStream,
    status: &AtomicU16,
    delay_ms: &AtomicU64,
    got: &Mutex<Vec<Received>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or_default()
        .to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
    got.lock().unwrap().push(Received {
        path,
        headers,
        body,
    });
    // The fake receiver answering slowly when told to (the scenario), not a wait.
    tokio::time::sleep(Duration::from_millis(delay_ms.load(Ordering::SeqCst))).await;
    let code = status.load(Ordering::SeqCst);
    let text = format!("answer {code}");
    let answer = format!(
        "HTTP/1.1 {code} Whatever\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Verify `Grapevine-Signature` as a receiver would, with our own HMAC: `t=<unix>,v1=<hex>` over
/// `"<t>.<body>"`, the timestamp within five minutes.
fn verifies(request: &Received, secret: &str) -> bool {
    let signature = request.header("grapevine-signature");
    let mut t = None;
    let mut v1 = Vec::new();
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1.push(value.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    v1.iter().any(|candidate| {
        let Ok(bytes) = hex::decode(candidate) else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{}", request.body).as_bytes());
        mac.verify_slice(&bytes).is_ok()
    })
}

/// An app whose webhooks may go to plain http on loopback (the receiver), three attempts each.
async fn app() -> TestApp {
    spawn_app_with(Backend::current(), |c| {
        c.webhooks.allow_http = true;
        c.webhooks.allow_private_targets = true;
        c.webhooks.max_attempts = 3;
    })
    .await
}

/// A launched shop with one referrer earning 10.00 USD in cash per first purchase; returns the
/// secret key and the referrer's code.
async fn open_shop(app: &TestApp) -> (String, String) {
    let api = GraphqlClient::new(&app.address);
    let shop = shop::open(
        &api,
        &app.admin_token,
        ShopSpec {
            referrers: shop::numbered(1),
            rules: vec![first_purchase("REFERRER", 1000, "CASH")],
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 3,
            }),
            name: "Webhooks",
            ..ShopSpec::default()
        },
    )
    .await;
    (shop.key, shop.referrers[0].1.clone())
}

/// A referred friend buys: attributed through the referrer's code, then rewarded.
async fn referred_purchase(app: &TestApp, key: &str, code: &str, order: &str) -> Value {
    app.graphql_ok(
        Some(key),
        CONVERSION,
        json!({ "i": { "orderId": order, "customerId": format!("friend-{order}"), "email": format!("friend-{order}@buyers.example"), "amountMinor": "5000", "currency": "USD", "code": code } }),
    )
    .await["trackConversion"]["conversion"]
        .clone()
}

async fn create_endpoint(app: &TestApp, token: &str, input: Value) -> (String, String) {
    let created = app
        .graphql_ok(Some(token), CREATE, json!({ "i": input }))
        .await["createWebhookEndpoint"]
        .clone();
    (
        created["endpoint"]["id"].as_str().unwrap().to_owned(),
        created["secret"].as_str().unwrap().to_owned(),
    )
}

/// An app (see `app`), a receiver answering `status`, an ops token and an endpoint at `path` of
/// the receiver with the other fields of `input`; returns the endpoint's id and secret too.
async fn with_endpoint(
    status: u16,
    path: &str,
    mut input: Value,
) -> (TestApp, Receiver, String, String, String) {
    let app = app().await;
    let receiver = Receiver::start(status).await;
    let ops = app.login_as("OPS").await;
    input["url"] = json!(receiver.url(path));
    let (endpoint, secret) = create_endpoint(&app, &ops, input).await;
    (app, receiver, ops, endpoint, secret)
}

async fn deliveries(app: &TestApp, token: &str, vars: Value) -> Vec<Value> {
    app.graphql_ok(Some(token), DELIVERIES, vars).await["webhookDeliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_receiver_gets_signed_events_of_a_referred_purchase_and_verifies_them() {
    let (app, receiver, ops, endpoint, secret) = with_endpoint(
        200,
        "/hooks",
        json!({ "description": "our CRM", "eventTypes": ["referral.attributed", "reward.earned"] }),
    )
    .await;
    assert!(secret.starts_with("whsec_"), "{secret}");
    // A disabled endpoint subscribed to the same events gets nothing.
    let (disabled, _) = create_endpoint(
        &app,
        &ops,
        json!({ "url": receiver.url("/disabled"), "eventTypes": ["reward.earned"], "enabled": false }),
    )
    .await;

    let (key, code) = open_shop(&app).await;
    let conversion = referred_purchase(&app, &key, &code, "o-1").await;
    let referral_id = conversion["referralId"].as_str().unwrap().to_owned();

    let earned = poll_until(Duration::from_secs(30), || async {
        receiver.of("/hooks", "reward.earned").into_iter().next()
    })
    .await;
    assert!(verifies(&earned, &secret), "signature: {earned:#?}");
    assert!(!verifies(&earned, "whsec_someone_else"));
    let mut tampered = earned.clone();
    tampered.body = tampered.body.replace("1000", "9000");
    assert!(
        !verifies(&tampered, &secret),
        "a changed body must not verify"
    );
    let body = earned.json();
    assert_eq!(body["type"], "reward.earned");
    assert_eq!(
        body["id"].as_str().unwrap(),
        earned.header("grapevine-event-id")
    );
    assert_eq!(earned.header("content-type"), "application/json");
    let reward = &body["data"]["reward"];
    assert_eq!(reward["amount_minor"], 1000);
    assert_eq!(reward["currency"], "USD");
    assert_eq!(reward["side"], "referrer");
    assert_eq!(reward["referral_id"].as_str().unwrap(), referral_id);

    let attributed = receiver.of("/hooks", "referral.attributed");
    assert_eq!(attributed.len(), 1, "{attributed:#?}");
    for body in [&earned.body, &attributed[0].body] {
        assert!(
            !body.contains('@') && !body.contains("friend-o-1"),
            "no email addresses or customer ids in payloads: {body}"
        );
    }

    assert!(verifies(&attributed[0], &secret));
    let referral = &attributed[0].json()["data"]["referral"];
    assert_eq!(referral["id"].as_str().unwrap(), referral_id);
    assert_eq!(referral["source"], "code");

    // The list shows both deliveries as delivered with the receiver's 200.
    let listed = poll_until(Duration::from_secs(10), || async {
        let rows = deliveries(&app, &ops, json!({ "e": endpoint, "s": "DELIVERED" })).await;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    for row in &listed {
        assert_eq!(row["lastStatus"], 200, "{row:#}");
        assert_eq!(row["attempts"][0]["statusCode"], 200);
        assert_eq!(row["attempts"][0]["responseBody"], "answer 200");
        assert_eq!(row["payload"]["id"], row["eventId"]);
    }
    let only_rewards = deliveries(&app, &ops, json!({ "t": "reward.earned" })).await;
    assert_eq!(only_rewards.len(), 1);
    assert!(receiver.got().iter().all(|r| r.path != "/disabled"));
    assert!(
        deliveries(&app, &ops, json!({ "e": disabled }))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_failing_receiver_sees_retries_then_a_replay_delivers_the_same_event() {
    let (app, receiver, ops, endpoint, old_secret) =
        with_endpoint(500, "/flaky", json!({ "eventTypes": ["reward.earned"] })).await;
    let (key, code) = open_shop(&app).await;
    referred_purchase(&app, &key, &code, "o-2").await;

    let dead = poll_until(Duration::from_secs(60), || async {
        deliveries(&app, &ops, json!({ "e": endpoint, "s": "DEAD" }))
            .await
            .into_iter()
            .next()
    })
    .await;
    let attempts = dead["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "webhooks.max_attempts = 3: {dead:#}");
    assert!(attempts.iter().all(|a| a["statusCode"] == 500), "{dead:#}");
    assert_eq!(dead["attemptCount"], 3);
    let sent = receiver.of("/flaky", "reward.earned");
    assert_eq!(sent.len(), 3, "each attempt reached the receiver once");
    let event_id = dead["eventId"].as_str().unwrap().to_owned();
    assert!(
        sent.iter()
            .all(|r| r.header("grapevine-event-id") == event_id)
    );
    assert!(sent.iter().all(|r| verifies(r, &old_secret)));

    // The receiver is fixed and the secret rotated; the replay is the same event, signed anew.
    receiver.status.store(200, Ordering::SeqCst);
    let rotated = app
        .graphql_ok(
            Some(&ops),
            "mutation($id: UUID!) { rotateWebhookSecret(id: $id) { secret endpoint { secretHint } } }",
            json!({ "id": endpoint }),
        )
        .await["rotateWebhookSecret"]
        .clone();
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, old_secret);
    let replayed = app
        .graphql_ok(
            Some(&ops),
            "mutation($id: UUID!) { replayWebhookDelivery(id: $id) { state sequence eventId } }",
            json!({ "id": dead["id"] }),
        )
        .await["replayWebhookDelivery"]
        .clone();
    assert_eq!(replayed["sequence"], 1);
    assert_eq!(replayed["eventId"].as_str().unwrap(), event_id);
    let delivered = poll_until(Duration::from_secs(30), || async {
        deliveries(&app, &ops, json!({ "e": endpoint, "s": "DELIVERED" }))
            .await
            .into_iter()
            .next()
    })
    .await;
    let attempts = delivered["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4, "{delivered:#}");
    assert_eq!(attempts[3]["statusCode"], 200);
    assert_eq!(attempts[3]["sequence"], 1);
    let sent = receiver.of("/flaky", "reward.earned");
    assert_eq!(sent.len(), 4);
    let last = &sent[3];
    assert_eq!(last.header("grapevine-event-id"), event_id);
    assert_eq!(last.body, sent[0].body, "the same event, byte for byte");
    assert!(verifies(last, &new_secret));
    assert!(
        !verifies(last, &old_secret),
        "signed with the current secret"
    );

    // A delivered delivery can be replayed again; one still in flight (the receiver takes its
    // time answering) cannot.
    receiver.delay_ms.store(3_000, Ordering::SeqCst);
    let replay = "mutation($id: UUID!) { replayWebhookDelivery(id: $id) { sequence } }";
    let again = app
        .graphql_ok(Some(&ops), replay, json!({ "id": dead["id"] }))
        .await;
    assert_eq!(again["replayWebhookDelivery"]["sequence"], 2);
    let busy = app
        .graphql(Some(&ops), replay, json!({ "id": dead["id"] }))
        .await;
    assert_eq!(error_codes(&busy), ["CONFLICT"], "{busy:#}");
    poll_until(Duration::from_secs(30), || async {
        (receiver.of("/flaky", "reward.earned").len() == 5).then_some(())
    })
    .await;
}

#[tokio::test]
async fn only_ops_and_admins_manage_webhooks_and_tenants_never_reach_each_others() {
    let (app, receiver, ops, endpoint, secret) =
        with_endpoint(200, "/a", json!({ "eventTypes": ["payout.paid"] })).await;
    let test = app
        .graphql_ok(
            Some(&ops),
            "mutation($e: UUID!) { sendTestWebhook(endpointId: $e) { id eventType } }",
            json!({ "e": endpoint }),
        )
        .await["sendTestWebhook"]
        .clone();
    assert_eq!(test["eventType"], "webhook.test");
    let delivery = test["id"].as_str().unwrap().to_owned();
    let got = poll_until(Duration::from_secs(30), || async {
        receiver.of("/a", "webhook.test").into_iter().next()
    })
    .await;
    assert!(verifies(&got, &secret));

    for role in ["SALES", "MARKETING_MANAGER", "FINANCE"] {
        let token = app.login_as(role).await;
        for (query, vars) in [
            ("{ webhookEndpoints { id } }", json!({})),
            (DELIVERIES, json!({})),
            (
                CREATE,
                json!({ "i": { "url": receiver.url("/x"), "eventTypes": ["reward.earned"] } }),
            ),
            (
                "mutation($id: UUID!) { replayWebhookDelivery(id: $id) { id } }",
                json!({ "id": delivery }),
            ),
        ] {
            let body = app.graphql(Some(&token), query, vars).await;
            assert_eq!(
                error_codes(&body),
                ["FORBIDDEN"],
                "{role}: {query}: {body:#}"
            );
        }
    }

    // Tenant B's admin (and ops) see none of A's endpoints and deliveries and change nothing.
    let (_, b_admin) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let listed = app
        .graphql_ok(Some(&b_admin), "{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(listed["webhookEndpoints"], json!([]));
    assert!(deliveries(&app, &b_admin, json!({})).await.is_empty());
    for (query, vars) in [
        (DELIVERIES, json!({ "e": endpoint })),
        (
            "mutation($id: UUID!) { updateWebhookEndpoint(id: $id, input: { url: \"https://evil.example/\" }) { id } }",
            json!({ "id": endpoint }),
        ),
        (
            "mutation($id: UUID!) { rotateWebhookSecret(id: $id) { secret } }",
            json!({ "id": endpoint }),
        ),
        (
            "mutation($id: UUID!) { deleteWebhookEndpoint(id: $id) }",
            json!({ "id": endpoint }),
        ),
        (
            "mutation($id: UUID!) { sendTestWebhook(endpointId: $id) { id } }",
            json!({ "id": endpoint }),
        ),
        (
            "mutation($id: UUID!) { replayWebhookDelivery(id: $id) { id } }",
            json!({ "id": delivery }),
        ),
    ] {
        let body = app.graphql(Some(&b_admin), query, vars).await;
        assert_eq!(error_codes(&body), ["NOT_FOUND"], "{query}: {body:#}");
    }
    let a_view = app
        .graphql_ok(
            Some(&ops),
            "{ webhookEndpoints { id url secretHint } }",
            json!({}),
        )
        .await["webhookEndpoints"]
        .clone();
    assert_eq!(a_view[0]["url"], receiver.url("/a"));
    assert_eq!(a_view[0]["id"], endpoint);
    let hint = a_view[0]["secretHint"].as_str().unwrap();
    assert!(
        secret.ends_with(hint.trim_start_matches("whsec_…")),
        "{hint}"
    );
    assert_eq!(deliveries(&app, &ops, json!({})).await.len(), 1);

    // A's own ops can change and delete it.
    let updated = app
        .graphql_ok(
            Some(&ops),
            "mutation($id: UUID!) { updateWebhookEndpoint(id: $id, input: { enabled: false, eventTypes: [\"payout.failed\"] }) { enabled eventTypes } }",
            json!({ "id": endpoint }),
        )
        .await;
    assert_eq!(
        updated["updateWebhookEndpoint"],
        json!({ "enabled": false, "eventTypes": ["payout.failed"] })
    );
    app.graphql_ok(
        Some(&ops),
        "mutation($id: UUID!) { deleteWebhookEndpoint(id: $id) }",
        json!({ "id": endpoint }),
    )
    .await;
    assert!(deliveries(&app, &ops, json!({})).await.is_empty());
}

#[tokio::test]
async fn bad_urls_private_targets_and_unknown_events_are_refused_with_clear_codes() {
    // The production defaults: https only, public addresses only.
    let app = spawn_app_with(Backend::current(), |_| {}).await;
    let ops = app.login_as("OPS").await;
    let refused = |field: &'static str, input: Value| {
        let app = &app;
        let ops = ops.clone();
        async move {
            let body = app.graphql(Some(&ops), CREATE, json!({ "i": input })).await;
            assert_eq!(error_codes(&body), ["VALIDATION"], "{input}: {body:#}");
            assert_eq!(
                body["errors"][0]["extensions"]["fields"][0]["field"], field,
                "{body:#}"
            );
        }
    };
    let events = json!(["reward.earned"]);
    for url in [
        "not a url",
        "ftp://hooks.example.com/x",
        "http://hooks.example.com/x",
        "https://user:secret@hooks.example.com/x",
        "https://127.0.0.1/x",
        "https://localhost:8080/x",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.7/x",
        "https://[::1]/x",
    ] {
        refused("url", json!({ "url": url, "eventTypes": events })).await;
    }
    refused(
        "eventTypes[1]",
        json!({ "url": "https://hooks.example.com/x", "eventTypes": ["reward.earned", "reward.exploded"] }),
    )
    .await;
    refused(
        "eventTypes",
        json!({ "url": "https://hooks.example.com/x", "eventTypes": [] }),
    )
    .await;
    refused(
        "description",
        json!({ "url": "https://hooks.example.com/x", "eventTypes": events, "description": "x".repeat(501) }),
    )
    .await;
    let created = app
        .graphql_ok(
            Some(&ops),
            CREATE,
            json!({ "i": { "url": "https://hooks.example.com/x", "eventTypes": events } }),
        )
        .await;
    let id = created["createWebhookEndpoint"]["endpoint"]["id"].clone();
    let body = app
        .graphql(
            Some(&ops),
            "mutation($id: UUID!) { updateWebhookEndpoint(id: $id, input: { url: \"https://192.168.1.1/\" }) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_codes(&body), ["VALIDATION"], "{body:#}");
    let missing = app
        .graphql(
            Some(&ops),
            "mutation($id: UUID!) { replayWebhookDelivery(id: $id) { id } }",
            json!({ "id": uuid::Uuid::now_v7() }),
        )
        .await;
    assert_eq!(error_codes(&missing), ["NOT_FOUND"]);
    let types = app
        .graphql_ok(Some(&ops), "{ webhookEventTypes }", json!({}))
        .await;
    assert_eq!(
        types["webhookEventTypes"],
        json!([
            "referral.attributed",
            "referral.flagged",
            "reward.earned",
            "reward.reversed",
            "payout.paid",
            "payout.failed"
        ])
    );
}

/// The events of `event_type` at `path` whose `data.<object>.<field>` is `value`.
fn matching(
    receiver: &Receiver,
    path: &str,
    event_type: &str,
    (object, field, value): (&str, &str, &str),
) -> Vec<Value> {
    receiver
        .of(path, event_type)
        .iter()
        .map(Received::json)
        .filter(|b| b["data"][object][field] == value)
        .collect()
}

#[tokio::test]
async fn payouts_refunds_reviews_and_the_rules_each_raise_their_event() {
    let all = json!([
        "referral.attributed",
        "referral.flagged",
        "reward.earned",
        "reward.reversed",
        "payout.paid",
        "payout.failed"
    ]);
    let (app, receiver, _ops, _endpoint, secret) =
        with_endpoint(200, "/all", json!({ "eventTypes": all })).await;
    let (key, code) = open_shop(&app).await;
    let kept = referred_purchase(&app, &key, &code, "o-3").await["referralId"]
        .as_str()
        .unwrap()
        .to_owned();

    // The cash reward is released at once (no hold) and paid by the dry-run provider.
    let paid = poll_until(Duration::from_secs(30), || async {
        receiver.of("/all", "payout.paid").into_iter().next()
    })
    .await;
    let payout = &paid.json()["data"]["payout"];
    assert_eq!(payout["amount_minor"], 1000, "{payout:#}");
    assert_eq!(payout["currency"], "USD");
    assert_eq!(payout["status"], "paid");

    // A fifth of the order is refunded after the payout: a clawback of a fifth of the reward.
    let refund = "mutation($o: String!, $r: String!, $a: BigInt!) { refundConversion(orderId: $o, refundId: $r, amountMinor: $a) { id } }";
    app.graphql_ok(
        Some(&key),
        refund,
        json!({ "o": "o-3", "r": "re-1", "a": "1000" }),
    )
    .await;
    let clawback = poll_until(Duration::from_secs(30), || async {
        matching(
            &receiver,
            "/all",
            "reward.reversed",
            ("reward", "referral_id", &kept),
        )
        .into_iter()
        .next()
    })
    .await;
    assert_eq!(
        clawback["data"]["reversal"]["amount_minor"], 200,
        "{clawback:#}"
    );
    assert_eq!(clawback["data"]["reversal"]["clawback"], true);

    // A reviewer rejects the referral: it is flagged, and the rest of its reward reversed.
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($id: UUID!) { reviewReferral(id: $id, verdict: REJECT, reason: \"a known fraud ring\") { status } }",
        json!({ "id": kept }),
    )
    .await;
    let flagged = poll_until(Duration::from_secs(30), || async {
        matching(
            &receiver,
            "/all",
            "referral.flagged",
            ("referral", "id", &kept),
        )
        .into_iter()
        .next()
    })
    .await;
    assert_eq!(flagged["data"]["referral"]["status"], "rejected");
    assert_eq!(flagged["data"]["referral"]["decided_by"], "reviewer");
    let reversed_total = poll_until(Duration::from_secs(30), || async {
        let reversals = matching(
            &receiver,
            "/all",
            "reward.reversed",
            ("reward", "referral_id", &kept),
        );
        let total: i64 = reversals
            .iter()
            .map(|r| r["data"]["reversal"]["amount_minor"].as_i64().unwrap())
            .sum();
        (reversals.len() == 2).then_some(total)
    })
    .await;
    assert_eq!(reversed_total, 1000, "the whole reward, in two reversals");

    // Another friend's order is refunded in full before anyone looked: the rules reject it.
    let refunded = referred_purchase(&app, &key, &code, "o-4").await["referralId"]
        .as_str()
        .unwrap()
        .to_owned();
    app.graphql_ok(
        Some(&key),
        refund,
        json!({ "o": "o-4", "r": "re-2", "a": "5000" }),
    )
    .await;
    let by_rules = poll_until(Duration::from_secs(30), || async {
        matching(
            &receiver,
            "/all",
            "referral.flagged",
            ("referral", "id", &refunded),
        )
        .into_iter()
        .next()
    })
    .await;
    assert_eq!(by_rules["data"]["referral"]["decided_by"], "rules");
    assert_eq!(by_rules["data"]["referral"]["status"], "rejected");

    // Every request verifies, and no event came twice.
    let got = receiver.got();
    assert!(got.iter().all(|r| verifies(r, &secret)));
    let mut ids: Vec<&str> = got.iter().map(|r| r.header("grapevine-event-id")).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), got.len(), "one request per event: {got:#?}");
    assert!(receiver.of("/all", "payout.failed").is_empty());
}

#[tokio::test]
async fn an_event_emitted_twice_for_one_cause_is_stored_and_sent_once_and_a_rollback_sends_nothing()
{
    use grapevine_entity::ops::webhook_events::{Event, EventType, emit};
    use grapevine_entity::tables::{job_outbox, webhook_deliveries};
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

    let (app, receiver, _ops, endpoint, secret) =
        with_endpoint(200, "/once", json!({ "eventTypes": ["reward.earned"] })).await;
    let conn = app.db.connect().await;
    let tenant = uuid::Uuid::parse_str(&app.tenant_id).unwrap();
    let event = Event {
        tenant_id: tenant,
        event_type: EventType::RewardEarned,
        key: "reward-emitted-twice".into(),
        data: json!({ "reward": { "amount_minor": 700, "currency": "EUR" } }),
    };
    // A job that runs twice (a crash between its change and its outcome) emits twice.
    for _ in 0..2 {
        let txn = grapevine_entity::db::begin_write(&conn).await.unwrap();
        emit(&txn, &event, chrono::Utc::now()).await.unwrap();
        txn.commit().await.unwrap();
    }
    // A change that does not commit takes its event with it.
    let lost = Event {
        key: "rolled-back".into(),
        ..event.clone()
    };
    let txn = grapevine_entity::db::begin_write(&conn).await.unwrap();
    assert_eq!(emit(&txn, &lost, chrono::Utc::now()).await.unwrap(), 1);
    txn.rollback().await.unwrap();

    let stored = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::TenantId.eq(tenant))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "{stored:#?}");
    assert_eq!(stored[0].event_id, event.id());
    assert_eq!(stored[0].endpoint_id.to_string(), endpoint);
    let jobs = job_outbox::Entity::find()
        .filter(job_outbox::Column::TenantId.eq(tenant))
        .filter(job_outbox::Column::Kind.eq("webhook.deliver"))
        .count(&conn)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    let got = poll_until(Duration::from_secs(30), || async {
        receiver.of("/once", "reward.earned").into_iter().next()
    })
    .await;
    assert_eq!(got.header("grapevine-event-id"), event.id().to_string());
    assert!(verifies(&got, &secret));
    // Give a duplicate every chance to show up: the delivery is done and nothing else is queued.
    poll_until(Duration::from_secs(10), || async {
        let rows = deliveries(&app, &app.admin_token, json!({ "s": "DELIVERED" })).await;
        (rows.len() == 1).then_some(())
    })
    .await;
    assert_eq!(receiver.got().len(), 1);
}

#[tokio::test]
async fn a_payout_that_fails_every_attempt_raises_payout_failed_with_its_error() {
    let shaped = grapevine_tests::stripe_shaped::StripeShaped::start().await;
    shaped
        .fail("/v1/transfers", -1, 500, "stripe is down")
        .await;
    let stripe = shaped.url();
    let app = spawn_app_with(Backend::current(), move |c| {
        c.webhooks.allow_http = true;
        c.webhooks.allow_private_targets = true;
        c.stripe.api_base = stripe.clone();
        c.stripe.connect_api_base = stripe;
    })
    .await;
    let receiver = Receiver::start(200).await;
    let ops = app.login_as("OPS").await;
    let (_, secret) = create_endpoint(
        &app,
        &ops,
        json!({ "url": receiver.url("/payouts"), "eventTypes": ["payout.paid", "payout.failed"] }),
    )
    .await;
    let shop = shop::open(
        &GraphqlClient::new(&app.address),
        &app.admin_token,
        ShopSpec {
            referrers: shop::numbered(1),
            rules: vec![first_purchase("REFERRER", 1000, "CASH")],
            payouts: Some(Payouts {
                providers: true,
                max_attempts: 2,
            }),
            name: "Failing payouts",
            ..ShopSpec::default()
        },
    )
    .await;
    referred_purchase(&app, &shop.key, &shop.referrers[0].1, "o-5").await;

    let failed = poll_until(Duration::from_secs(60), || async {
        receiver.of("/payouts", "payout.failed").into_iter().next()
    })
    .await;
    assert!(verifies(&failed, &secret));
    let payout = &failed.json()["data"]["payout"];
    assert_eq!(payout["status"], "dead", "{payout:#}");
    assert_eq!(payout["attempts"], 2);
    assert_eq!(payout["amount_minor"], 1000);
    assert_eq!(payout["provider"], "stripe");
    assert!(
        payout["last_error"]
            .as_str()
            .unwrap()
            .contains("stripe is down"),
        "{payout:#}"
    );
    assert_eq!(
        payout["participant_id"].as_str().unwrap(),
        shop.referrers[0].0
    );
    assert!(receiver.of("/payouts", "payout.paid").is_empty());
}

/// A proxy set in the worker's environment (`HTTP_PROXY`, `ALL_PROXY`) would connect to a webhook
/// target itself, past the address check: deliveries ignore it and go straight to the checked
/// address. The stand-in proxy counts every connection it is offered.
#[tokio::test]
async fn deliveries_ignore_a_proxy_set_in_the_environment() {
    let backend = Backend::current();
    grapevine_tests::require_services(backend);
    let db = grapevine_tests::TestDatabase::create_on(backend).await;
    let smtp = grapevine_tests::SmtpServer::start().await;
    let config = grapevine_tests::app::test_config(&db, &smtp);
    let (_tenant, admin) = grapevine_tests::app::seed_tenant(&db, &config).await;
    let receiver = Receiver::start(200).await;
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let offered = Arc::new(AtomicU64::new(0));
    let counter = offered.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = proxy.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let mut env = grapevine_tests::process::config_env(&config);
    for (name, value) in [
        ("GRAPEVINE_WEBHOOKS__ALLOW_HTTP", "true"),
        ("GRAPEVINE_WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true"),
        ("HTTP_PROXY", &proxy_url),
        ("http_proxy", &proxy_url),
        ("ALL_PROXY", &proxy_url),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    let listen = format!("127.0.0.1:{}", grapevine_tests::free_port());
    let mut server = grapevine_tests::GrapevineProcess::spawn(&["--listen", &listen, "all"], &env);
    let api = GraphqlClient::new(&format!("http://{listen}"));
    server
        .wait_http_ok(&format!("{}/healthz", api.base), Duration::from_secs(60))
        .await;

    let created = api
        .ok(
            &admin,
            CREATE,
            json!({ "i": { "url": receiver.url("/direct"), "eventTypes": ["payout.paid"] } }),
        )
        .await;
    let endpoint = created["createWebhookEndpoint"]["endpoint"]["id"].clone();
    api.ok(
        &admin,
        "mutation($e: UUID!) { sendTestWebhook(endpointId: $e) { id } }",
        json!({ "e": endpoint }),
    )
    .await;
    let delivered = grapevine_tests::try_poll_until(Duration::from_secs(30), || async {
        receiver.of("/direct", "webhook.test").into_iter().next()
    })
    .await;
    let through_proxy = offered.load(Ordering::SeqCst);
    assert!(
        delivered.is_some() && through_proxy == 0,
        "delivered: {}; connections offered to the proxy: {through_proxy}",
        delivered.is_some()
    );
    server.terminate(Duration::from_secs(30)).await;
}
