//! Ops watching the queue live (issue 6): the `queueHealth` subscription over graphql-ws pushes
//! the change when a job dies and again when ops discard it; who may subscribe; `discardJob`.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use grapevine_tests::{Backend, TestApp, error_codes, spawn_app_with};
use grapevine_worker::jobs::ReleaseRewards;
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const SUBSCRIPTION: &str = "subscription { queueHealth(intervalSeconds: 1) { outboxBacklog relayLagSecs kinds { kind waiting dead } } }";

/// Open a graphql-transport-ws connection, sending `token` in `connection_init`.
async fn connect(app: &TestApp, token: Option<&str>) -> Socket {
    let url = format!("{}/graphql", app.address.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut socket, response) = connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    let payload = token.map_or(
        json!({}),
        |t| json!({ "authorization": format!("Bearer {t}") }),
    );
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// The next protocol message (pings answered on the way).
async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("the connection is open")
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "ping" {
                send(socket, json!({ "type": "pong" })).await;
                continue;
            }
            return value;
        }
    }
}

/// Pushed overviews until one satisfies `wanted`; returns it and how many came before.
async fn until_pushed(socket: &mut Socket, wanted: impl Fn(&Value) -> bool) -> (Value, usize) {
    let mut before = 0;
    loop {
        let message = receive(socket).await;
        assert_eq!(message["type"], "next", "{message}");
        let overview = message["payload"]["data"]["queueHealth"].clone();
        if wanted(&overview) {
            return (overview, before);
        }
        before += 1;
    }
}

fn email_dead(overview: &Value) -> Option<i64> {
    overview["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "email.send")
        .map(|k| k["dead"].as_i64().unwrap())
}

#[tokio::test]
async fn the_subscription_pushes_a_job_dying_and_its_discard_to_ops_and_to_nobody_else() {
    let mut app = spawn_app_with(Backend::current(), |c| c.queue.backoff_max_secs = 1).await;
    let token = app.admin_token.clone();
    let ops = app.login_as("OPS").await;
    let sales = app.login_as("SALES").await;

    // Sales and an anonymous caller are refused when they subscribe, with the usual codes.
    for (caller, code) in [
        (Some(sales.as_str()), "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ] {
        let mut socket = connect(&app, caller).await;
        send(
            &mut socket,
            json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION } }),
        )
        .await;
        let refused = receive(&mut socket).await;
        assert_eq!(refused["type"], "next", "{refused}");
        assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
        assert_eq!(
            refused["payload"]["errors"][0]["extensions"]["code"], code,
            "{refused}"
        );
        assert_eq!(
            receive(&mut socket).await["type"],
            "complete",
            "and nothing more"
        );
    }
    // A bad interval is refused too.
    let mut socket = connect(&app, Some(&ops)).await;
    send(&mut socket, json!({ "id": "0", "type": "subscribe", "payload": { "query": "subscription { queueHealth(intervalSeconds: 0) { outboxBacklog } }" } })).await;
    let refused = receive(&mut socket).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );
    assert_eq!(receive(&mut socket).await["type"], "complete");

    // Ops subscribe: the overview comes at once.
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIPTION } }),
    )
    .await;
    let (first, _) = until_pushed(&mut socket, |_| true).await;
    assert_eq!(email_dead(&first), None, "no email job yet: {first}");

    // An email's every attempt fails while the SMTP server is down: the push shows it dead.
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "p1", "pat@example.com").await;
    app.smtp.stop();
    app.launch(&token, &campaign).await;
    let (dying, _) = until_pushed(&mut socket, |o| email_dead(o) == Some(1)).await;
    assert_eq!(dying["outboxBacklog"].as_i64().map(|b| b >= 0), Some(true));

    // Nothing changes, nothing is pushed: the next push, if any, is a change.
    let quiet = tokio::time::timeout(Duration::from_millis(2500), receive(&mut socket)).await;
    if let Ok(message) = quiet {
        assert_ne!(
            message["payload"]["data"]["queueHealth"], dying,
            "a push without a change"
        );
    }

    // Ops give the job up: the push shows no dead email any more.
    let dead = app
        .graphql_ok(
            Some(&ops),
            "{ deadJobs { edges { node { id kind } } } }",
            json!({}),
        )
        .await["deadJobs"]["edges"][0]["node"]
        .clone();
    assert_eq!(dead["kind"], "email.send");
    const DISCARD: &str = "mutation($id: UUID!, $r: String!) { discardJob(id: $id, reason: $r) { id state lastError finishedAt } }";
    let body = app
        .graphql(Some(&sales), DISCARD, json!({ "id": dead["id"], "r": "x" }))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app
        .graphql(Some(&ops), DISCARD, json!({ "id": dead["id"], "r": "  " }))
        .await;
    assert_eq!(error_codes(&body), ["VALIDATION"], "{body}");
    let discarded = app
        .graphql_ok(Some(&ops), DISCARD, json!({ "id": dead["id"], "r": "the address was a typo; the customer was told by phone" }))
        .await["discardJob"]
        .clone();
    assert_eq!(discarded["state"], "DISCARDED");
    assert!(
        discarded["lastError"].as_str().unwrap().contains("typo"),
        "{discarded}"
    );
    assert!(discarded["finishedAt"].is_string());
    let (after, _) = until_pushed(&mut socket, |o| email_dead(o) == Some(0)).await;
    assert_eq!(email_dead(&after), Some(0));

    // Discarded is final: neither retried nor discarded again; nothing is sent.
    for (query, vars) in [
        (
            "mutation($id: UUID!) { retryJob(id: $id) { id } }",
            json!({ "id": dead["id"] }),
        ),
        (DISCARD, json!({ "id": dead["id"], "r": "again" })),
    ] {
        let body = app.graphql(Some(&ops), query, vars).await;
        assert_eq!(error_codes(&body), ["CONFLICT"], "{body}");
    }
    let data = app
        .graphql_ok(
            Some(&ops),
            "{ deadJobs { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["deadJobs"]["edges"], json!([]));
    let text = app.metrics().await;
    assert!(
        text.contains(r#"grapevine_jobs{kind="email.send",state="discarded"} 1"#),
        "{text}"
    );
    app.smtp.start_again().await;
    // A job queued after SMTP came back has been through the relay and a worker, and no job is
    // left: the queue has gone round without the discarded email.
    app.next_pass::<ReleaseRewards>().await;
    app.jobs_idle().await;
    assert!(
        app.smtp.messages().is_empty(),
        "a discarded email is never sent"
    );

    // The audit log has who discarded it and why.
    let audit = app
        .graphql_ok(
            Some(&token),
            "{ auditLog { edges { node { action data } } } }",
            json!({}),
        )
        .await;
    let entry = audit["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["action"] == "job.discard")
        .unwrap_or_else(|| panic!("no job.discard in {audit}"))
        .clone();
    assert!(entry.to_string().contains("typo"), "{entry}");

    // Completing the subscription ends it cleanly.
    send(&mut socket, json!({ "id": "1", "type": "complete" })).await;
    socket.close(None).await.unwrap();
}
