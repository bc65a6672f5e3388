//! Bootstrapping a tenant from the command line: `tenant create` with its first admin, `token`
//! for that admin, and a password login through GraphQL, all against a running embedded default.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::{GrapevineProcess, free_port};
use serde_json::{Value, json};

#[tokio::test]
async fn tenant_create_token_and_login_bootstrap_a_tenant() {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut server = GrapevineProcess::spawn(&["--listen", &listen], &[]);
    let base = format!("http://{listen}");
    server
        .wait_http_ok(&format!("{base}/healthz"), Duration::from_secs(60))
        .await;

    let out = server
        .command(&[
            "tenant",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme Inc",
            "--admin-email",
            "Boss@Acme.test",
        ])
        .env("GRAPEVINE_ADMIN_PASSWORD", "a long admin password")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "tenant create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["slug"], "acme");
    assert!(created["admin_user_id"].is_string());

    let again = server
        .command(&["tenant", "create", "--slug", "acme", "--name", "Again"])
        .output()
        .await
        .unwrap();
    assert!(!again.status.success(), "a duplicate slug is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("acme"));

    let out = server
        .command(&["token", "--email", "boss@acme.test"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();

    let client = reqwest::Client::new();
    let me: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(&token)
        .json(&json!({ "query": "{ me { email role } tenant { slug name } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        me["data"]["me"],
        json!({ "email": "boss@acme.test", "role": "ADMIN" }),
        "{me:#}"
    );
    assert_eq!(
        me["data"]["tenant"],
        json!({ "slug": "acme", "name": "Acme Inc" })
    );

    let login: Value = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "mutation { login(email: \"boss@acme.test\", password: \"a long admin password\") { user { role } } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(login["data"]["login"]["user"]["role"], "ADMIN", "{login:#}");

    let unknown = server
        .command(&["token", "--email", "nobody@acme.test"])
        .output()
        .await
        .unwrap();
    assert!(!unknown.status.success());
    server.terminate(Duration::from_secs(30)).await;
}
