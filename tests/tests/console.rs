//! How the binary serves the console: the embedded `web/dist` at `/`, GraphiQL from the same
//! bundle at `/graphql`, and the server's own paths never swallowed by the console's fallback.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_tests::{TestApp, spawn_app};
use serde_json::Value;

/// A GET of `path` on `app` without following redirects.
async fn get(app: &TestApp, path: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}{path}", app.address))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers().get(name).map_or("", |v| v.to_str().unwrap())
}

/// Nothing `html` names in a `src` or `href` comes from another host (a path of ours, or data
/// inlined in the page).
fn assert_same_origin(path: &str, html: &str) {
    for attr in ["src=\"", "href=\""] {
        for url in html.split(attr).skip(1) {
            assert!(
                (url.starts_with('/') && !url.starts_with("//")) || url.starts_with("data:"),
                "{path}: {attr}{url}"
            );
        }
    }
}

/// The `/assets/…` files `html` refers to.
fn assets_of(html: &str) -> Vec<String> {
    html.split('"')
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_console_is_served_at_the_root_uncached_and_under_a_same_origin_policy() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/campaigns",
        "/campaigns/2f0c6a3e-0000-4000-8000-000000000000/report",
    ] {
        let res = get(&app, path, "text/html").await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), "text/html; charset=utf-8");
        assert_eq!(header(&res, "cache-control"), "no-cache", "{path}");
        let csp = header(&res, "content-security-policy").to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        let html = res.text().await.unwrap();
        assert!(html.contains("<div id=\"root\">"), "{path}: {html}");
        assert_same_origin(path, &html);
    }
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year() {
    let app = spawn_app().await;
    let html = get(&app, "/", "text/html").await.text().await.unwrap();
    let assets = assets_of(&html);
    assert!(!assets.is_empty(), "{html}");
    for asset in &assets {
        let res = get(&app, asset, "*/*").await;
        assert_eq!(res.status(), 200, "{asset}");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let kind = header(&res, "content-type").to_owned();
        if asset.ends_with(".js") {
            assert!(kind.contains("javascript"), "{asset}: {kind}");
        } else if asset.ends_with(".css") {
            assert!(kind.starts_with("text/css"), "{asset}: {kind}");
        }
    }
}

#[tokio::test]
async fn unknown_asset_files_are_404() {
    let app = spawn_app().await;
    for missing in ["/assets/nope-0000.js", "/nope.js", "/favicon-nope.ico"] {
        let res = get(&app, missing, "*/*").await;
        assert_eq!(res.status(), 404, "{missing}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "NOT_FOUND", "{missing}");
    }
}

#[tokio::test]
async fn the_server_s_own_paths_are_never_answered_with_the_console() {
    let app = spawn_app().await;
    // Unknown paths under the server's prefixes: its own answer or a 404, never index.html.
    for path in [
        "/r/NOSUCHCODE",
        "/qr/NOSUCHCODE.png",
        "/widget/v1/nope",
        "/widget.js.map",
        "/webhooks/nope",
        "/reports/nope",
        "/exports/nope.csv",
        "/u/nope/more",
        "/demo/nope",
        "/healthz/more",
    ] {
        let res = get(&app, path, "text/html").await;
        let status = res.status();
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("<div id=\"root\">"),
            "{path} answered the console"
        );
        assert!(
            status.is_client_error() || status.is_redirection(),
            "{path}: {status}"
        );
    }
    for path in ["/healthz", "/readyz"] {
        let res = get(&app, path, "text/html").await;
        assert_eq!(res.status(), 200, "{path}");
        assert!(header(&res, "content-type").starts_with("application/json"));
    }
    let metrics = get(&app, "/metrics", "text/html").await;
    assert!(header(&metrics, "content-type").starts_with("text/plain"));
    assert_eq!(get(&app, "/widget.js", "*/*").await.status(), 200);
}

#[tokio::test]
async fn graphiql_comes_from_the_bundle_for_browsers_and_queries_still_answer_json() {
    let app = spawn_app().await;
    let res = get(&app, "/graphql", "text/html,application/xhtml+xml").await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-security-policy").contains("default-src 'self'"));
    let html = res.text().await.unwrap();
    assert!(html.to_lowercase().contains("graphiql"), "{html}");
    assert!(!assets_of(&html).is_empty(), "{html}");
    assert_same_origin("/graphql", &html);
    let res = get(&app, "/graphql?query=%7B__typename%7D", "application/json").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
}
