//! Sign-in sessions: `login` sets an httpOnly session cookie beside a short-lived token,
//! `refreshSession` trades the cookie for a new token from our own origin only, and `signOut`
//! (or a session's end) stops its tokens at once, on every replica.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_tests::{TestApp, error_codes, spawn_app};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt user { email role } } }";
const REFRESH: &str = "mutation { refreshSession { token expiresAt user { email role } } }";
const SIGN_OUT: &str = "mutation { signOut }";
const ME: &str = "query { campaigns(first: 1) { edges { node { id } } } }";
const PASSWORD: &str = "a long enough password";

/// A marketing manager of `app`'s tenant; returns the email.
async fn staff(app: &TestApp) -> String {
    let email = format!("mm-{}@staff.grapevine.test", uuid::Uuid::new_v4().simple());
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": email, "name": "Mia", "role": "MARKETING_MANAGER", "password": PASSWORD } }),
    )
    .await;
    email
}

/// A POST to `/graphql` with the given cookie and origin; returns the response.
async fn post(
    app: &TestApp,
    query: &str,
    variables: Value,
    cookie: Option<&str>,
    origin: Option<&str>,
    token: Option<&str>,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(c) = cookie {
        req = req.header("cookie", format!("gv_session={c}"));
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

/// The `gv_session` Set-Cookie of a response, whole.
fn set_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gv_session="))
}

/// The cookie's value in a Set-Cookie.
fn value_of(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("gv_session=")
        .to_owned()
}

/// Sign in as `email`; returns (token, cookie value).
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let res = post(
        app,
        LOGIN,
        json!({ "e": email, "p": PASSWORD }),
        None,
        Some(&app.address),
        None,
    )
    .await;
    let cookie = set_cookie(&res).expect("login sets the session cookie");
    let body: Value = res.json().await.unwrap();
    let token = body["data"]["login"]["token"].as_str().unwrap().to_owned();
    (token, value_of(&cookie))
}

/// Whether `token` is accepted by the API at `base`.
async fn works(base: &str, token: &str) -> bool {
    let body: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": ME }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    match error_codes(&body).as_slice() {
        [] => true,
        [code] if code == "UNAUTHENTICATED" => false,
        other => panic!("unexpected {other:?}: {body}"),
    }
}

#[tokio::test]
async fn login_sets_an_http_only_strict_cookie_for_the_graphql_path_and_a_short_token() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let res = post(
        &app,
        LOGIN,
        json!({ "e": email, "p": PASSWORD }),
        None,
        None,
        None,
    )
    .await;
    let cookie = set_cookie(&res).unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/graphql", "Max-Age="] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    // The test server's public URL is http, so the cookie cannot be Secure there.
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body: Value = res.json().await.unwrap();
    let expires: chrono::DateTime<chrono::Utc> = body["data"]["login"]["expiresAt"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let ttl = expires - chrono::Utc::now();
    assert!(
        ttl <= chrono::Duration::seconds(
            i64::try_from(app.config.auth.session_token_ttl_secs).unwrap()
        ) && ttl > chrono::Duration::seconds(60),
        "{ttl}"
    );
    // A wrong password sets no cookie.
    let res = post(
        &app,
        LOGIN,
        json!({ "e": email, "p": "not the password" }),
        None,
        None,
        None,
    )
    .await;
    assert!(set_cookie(&res).is_none());
}

#[tokio::test]
async fn the_cookie_refreshes_the_token_from_our_own_origin() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let (_, cookie) = sign_in(&app, &email).await;
    let res = post(
        &app,
        REFRESH,
        json!({}),
        Some(&cookie),
        Some(&app.address),
        None,
    )
    .await;
    let body: Value = res.json().await.unwrap();
    let refreshed = &body["data"]["refreshSession"];
    assert_eq!(refreshed["user"]["email"], email.as_str(), "{body}");
    assert_eq!(refreshed["user"]["role"], "MARKETING_MANAGER");
    assert!(works(&app.address, refreshed["token"].as_str().unwrap()).await);
}

#[tokio::test]
async fn another_site_cannot_refresh_or_end_a_session() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let (token, cookie) = sign_in(&app, &email).await;
    for query in [REFRESH, SIGN_OUT] {
        let res = post(
            &app,
            query,
            json!({}),
            Some(&cookie),
            Some("https://evil.example"),
            None,
        )
        .await;
        assert!(set_cookie(&res).is_none(), "{query}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(error_codes(&body), ["FORBIDDEN"], "{query}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
    assert!(
        works(&app.address, &token).await,
        "the session is untouched"
    );
}

#[tokio::test]
async fn no_cookie_a_forged_cookie_or_the_cookie_alone_gets_nothing() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let (_, cookie) = sign_in(&app, &email).await;
    let (id, _) = cookie.split_once('.').unwrap();
    for presented in [None, Some(format!("{id}.forged")), Some("junk".to_owned())] {
        let res = post(&app, REFRESH, json!({}), presented.as_deref(), None, None).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{presented:?}");
    }
    // The cookie is not a credential for anything but refreshSession and signOut.
    let res = post(&app, ME, json!({}), Some(&cookie), Some(&app.address), None).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
}

#[tokio::test]
async fn signing_out_stops_the_session_s_tokens_at_once_and_the_cookie_refreshes_no_more() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let (token, cookie) = sign_in(&app, &email).await;
    let (other_token, _) = sign_in(&app, &email).await;
    assert!(works(&app.address, &token).await);
    let res = post(
        &app,
        SIGN_OUT,
        json!({}),
        Some(&cookie),
        Some(&app.address),
        None,
    )
    .await;
    let cleared = set_cookie(&res).unwrap();
    assert!(
        cleared.starts_with("gv_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["signOut"], true, "{body}");
    assert!(
        !works(&app.address, &token).await,
        "the signed-out session's token"
    );
    let res = post(&app, REFRESH, json!({}), Some(&cookie), None, None).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    // Another sign-in of the same person is another session.
    assert!(works(&app.address, &other_token).await);
}

#[tokio::test]
async fn a_sign_out_on_one_replica_ends_the_session_on_another() {
    let a = spawn_app().await;
    let replica = a.spawn_replica().await;
    let b = replica.address.clone();
    let email = staff(&a).await;
    let (token, cookie) = sign_in(&a, &email).await;
    assert!(
        works(&b, &token).await,
        "the token works on the other replica"
    );
    let res = post(&a, SIGN_OUT, json!({}), Some(&cookie), None, None).await;
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["signOut"], true);
    assert!(
        !works(&b, &token).await,
        "refused on the other replica at once"
    );
}

#[tokio::test]
async fn a_deactivated_user_s_session_refreshes_no_more() {
    let app = spawn_app().await;
    let email = staff(&app).await;
    let (_, cookie) = sign_in(&app, &email).await;
    let users = app
        .graphql_ok(
            Some(&app.admin_token),
            "query { users(first: 50) { edges { node { id email } } } }",
            json!({}),
        )
        .await;
    let id = users["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["email"] == email.as_str())
        .unwrap()["node"]["id"]
        .clone();
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($id: UUID!) { deactivateUser(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    let res = post(&app, REFRESH, json!({}), Some(&cookie), None, None).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"], "{body}");
}
