//! Every HTTP endpoint outside `/graphql` answers an error the same way: the status from the
//! error's code and `{"error": {"code", "message", "fields"}}` (docs/operations.md#http-errors);
//! pages a person opens from a link answer the same error as HTML when the browser asks for it.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_tests::{TestApp, spawn_app};
use serde_json::Value;

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, body)
}

/// The documented shape, with this code.
fn assert_shape(what: &str, body: &Value, code: &str) {
    let error = &body["error"];
    assert_eq!(error["code"], code, "{what}: {body}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: a message: {body}"
    );
    assert!(error["fields"].is_array(), "{what}: fields: {body}");
}

fn url(app: &TestApp, path: &str) -> String {
    format!("{}{path}", app.address)
}

#[tokio::test]
async fn every_handler_family_answers_errors_in_the_one_shape() {
    let app = spawn_app().await;
    let c = &app.client;
    let finance = app.login_as("FINANCE").await;

    // Exports: not signed in, then a bad period.
    let (status, body) = send(c.get(url(&app, "/exports/payouts.csv"))).await;
    assert_eq!(status, 401);
    assert_shape("export without a token", &body, "UNAUTHENTICATED");
    let (status, body) = send(
        c.get(url(&app, "/exports/ledger.csv?from=yesterday"))
            .bearer_auth(&finance),
    )
    .await;
    assert_eq!(status, 400);
    assert_shape("export with a bad period", &body, "VALIDATION");
    assert_eq!(body["error"]["fields"][0]["field"], "from");

    // Reports: an id that is not a campaign's.
    let (status, body) = send(
        c.get(url(&app, "/reports/campaigns/not-a-uuid.csv"))
            .bearer_auth(&app.admin_token),
    )
    .await;
    assert_eq!(status, 400);
    assert_shape("report of a bad id", &body, "VALIDATION");
    assert_eq!(body["error"]["fields"][0]["field"], "id");

    // The widget: an unknown key.
    let (status, body) = send(c.get(url(&app, "/widget/v1/me?key=pk_nope&token=x"))).await;
    assert_eq!(status, 401);
    assert_shape("widget with an unknown key", &body, "UNAUTHENTICATED");
    assert_eq!(
        body["error"]["message"],
        "unknown or revoked publishable key"
    );

    // Incoming webhooks: an unknown tenant, then a tenant without a secret.
    let (status, body) = send(c.post(url(&app, "/webhooks/stripe/nobody")).body("{}")).await;
    assert_eq!(status, 404);
    assert_shape("webhook of an unknown tenant", &body, "NOT_FOUND");
    let path = format!("/webhooks/stripe/{}", app.tenant_id);
    let (status, body) = send(c.post(url(&app, &path)).body("{}")).await;
    assert_eq!(status, 400);
    assert_shape("webhook without a secret", &body, "VALIDATION");

    // The redirect and unsubscribe links, asked for JSON.
    for path in ["/r/no-such-code", "/u/not-a-token"] {
        let (status, body) =
            send(c.get(url(&app, path)).header("accept", "application/json")).await;
        assert_eq!(status, 404, "{path}");
        assert_shape(path, &body, "NOT_FOUND");
    }

    // Unknown files under the console's paths.
    let (status, body) = send(c.get(url(&app, "/assets/missing.js"))).await;
    assert_eq!(status, 404);
    assert_shape("a missing asset", &body, "NOT_FOUND");
}

#[tokio::test]
async fn links_people_follow_answer_errors_as_a_page_in_a_browser() {
    let app = spawn_app().await;
    for (path, says) in [
        ("/r/no-such-code", "referral link doesn"),
        ("/u/not-a-token", "unsubscribe link is not valid"),
    ] {
        let res = app
            .client
            .get(url(&app, path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let page = res.text().await.unwrap();
        assert!(page.contains(says), "{path}: {page}");
        assert!(
            page.contains("NOT_FOUND"),
            "{path}: the code is on the page"
        );
    }
}
