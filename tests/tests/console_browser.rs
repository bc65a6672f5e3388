//! The console in a browser: the real `grapevine` binary (serving the `web/dist` it embeds) on
//! this test's database and queue, a tenant with one staff user per role, and the Playwright
//! suites of `web/e2e/` driving Debian's Chromium against it (`npm run e2e`). What the suites check
//! is written beside them (a marketing manager's campaign from design to report, the sales role's
//! limits, every campaign field's error, every route at two widths under axe with no outside
//! request, keyboard use, paging); this test supplies the server and fails when any suite fails.
//! Screenshots of every screen are kept in `web/test-results/screens/`.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Stdio, time::Duration};

use grapevine_entity::tables::Role;
use grapevine_tests::{
    Backend, GrapevineProcess, SmtpServer, TestDatabase, app::test_config, free_port,
    require_services,
};
use serde_json::{Value, json};

/// Every staff user's password in the suites (`GRAPEVINE_PASSWORD`).
const PASSWORD: &str = "console test password";

/// The staff the suites sign in as: one per role, `<role>@console.test`.
const STAFF: [(&str, Role); 5] = [
    ("admin", Role::Admin),
    ("marketing", Role::MarketingManager),
    ("sales", Role::Sales),
    ("finance", Role::Finance),
    ("ops", Role::Ops),
];

fn web_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web")
}

async fn graphql(base: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let body: Value = req.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{query}: {body}");
    body["data"].clone()
}

#[tokio::test]
async fn the_console_suites_pass_in_chromium_against_the_real_binary() {
    let backend = Backend::current();
    require_services(backend);
    assert!(
        web_dir().join("node_modules/.bin/playwright").exists(),
        "web/node_modules is missing: run `npm ci` in web/ (tests/run.sh does)"
    );
    let db = TestDatabase::create_on(backend).await;
    let smtp = SmtpServer::start().await;
    let config = test_config(&db, &smtp);

    let conn = db.connect().await;
    let now = chrono::Utc::now();
    let tenant = grapevine_entity::ops::tenants::create(&conn, "console", "Console Shop", now)
        .await
        .unwrap();
    for (name, role) in STAFF {
        grapevine_entity::ops::users::create(
            &conn,
            &grapevine_api::auth::Principal::Anonymous,
            tenant.id,
            &format!("{name}@console.test"),
            name,
            role,
            PASSWORD,
            now,
        )
        .await
        .unwrap();
    }

    let listen = format!("127.0.0.1:{}", free_port());
    let base = format!("http://{listen}");
    let mut env = grapevine_tests::process::config_env(&config);
    env.push(("GRAPEVINE_PUBLIC_URL".into(), base.clone()));
    let mut server = GrapevineProcess::spawn(&["--listen", &listen, "all"], &env);
    server
        .wait_http_ok(&format!("{base}/healthz"), Duration::from_secs(60))
        .await;

    let login = graphql(
        &base,
        None,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
        json!({ "e": "admin@console.test", "p": PASSWORD }),
    )
    .await;
    let admin = login["login"]["token"].as_str().unwrap();
    let key = graphql(
        &base,
        Some(admin),
        r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
        json!({}),
    )
    .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();

    let output = tokio::process::Command::new("npm")
        .args(["run", "--silent", "e2e"])
        .current_dir(web_dir())
        .env("GRAPEVINE_URL", &base)
        .env("GRAPEVINE_PASSWORD", PASSWORD)
        .env("GRAPEVINE_SECRET_KEY", &key)
        .env("GRAPEVINE_BACKEND", backend.as_str())
        .env("CI", "1")
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run npm (Node.js is installed by tests/run.sh)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the console's browser suites failed ({}):\n{stdout}\n{stderr}\n--- grapevine log ---\n{}",
        output.status,
        server.log()
    );
    println!("{stdout}");
    server.terminate(Duration::from_secs(30)).await;
}
