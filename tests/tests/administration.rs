//! Staff management, API keys with origins, encrypted tenant secrets, the audit log, variants and
//! holdout assignment, and pagination.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_entity::tables::tenant_secrets;
use grapevine_tests::error_codes as codes;
use grapevine_tests::{TestApp, spawn_app};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

/// The id of the user `token` belongs to.
async fn my_id(app: &TestApp, token: &str) -> String {
    app.graphql_ok(Some(token), "{ me { id } }", json!({}))
        .await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_role_change_applies_at_once_to_the_tokens_already_issued() {
    let app = spawn_app().await;
    let sales = app.login_as("SALES").await;
    let id = my_id(&app, &sales).await;
    let create = "mutation($s: DateTime!) { createCampaign(input: { name: \"x\", startsAt: $s, currency: \"EUR\" }) { id } }";
    assert_eq!(
        codes(
            &app.graphql(Some(&sales), create, json!({ "s": chrono::Utc::now() }))
                .await
        ),
        vec!["FORBIDDEN"]
    );
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($id: UUID!) { updateUserRole(id: $id, role: MARKETING_MANAGER) { role } }",
        json!({ "id": id }),
    )
    .await;
    assert!(
        app.graphql(Some(&sales), create, json!({ "s": chrono::Utc::now() }))
            .await
            .get("errors")
            .is_none(),
        "the same token now carries the new role"
    );
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_at_once() {
    let app = spawn_app().await;
    let sales = app.login_as("SALES").await;
    let id = my_id(&app, &sales).await;
    app.graphql_ok(
        Some(&app.admin_token),
        "mutation($id: UUID!) { deactivateUser(id: $id) { active } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        codes(&app.graphql(Some(&sales), "{ me { id } }", json!({})).await),
        vec!["UNAUTHENTICATED"]
    );
}

#[tokio::test]
async fn an_admin_cannot_deactivate_themselves() {
    let app = spawn_app().await;
    let admin_id = my_id(&app, &app.admin_token).await;
    let body = app
        .graphql(
            Some(&app.admin_token),
            "mutation($id: UUID!) { deactivateUser(id: $id) { active } }",
            json!({ "id": admin_id }),
        )
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"]);
}

#[tokio::test]
async fn a_publishable_key_works_only_from_its_origins_and_never_for_secret_operations() {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let created = app
        .graphql_ok(Some(&app.admin_token), r#"mutation { createApiKey(kind: PUBLISHABLE, name: "widget", allowedOrigins: ["https://shop.example"]) { key apiKey { allowedOrigins } } }"#, json!({}))
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("pk_"));
    let query = |origin: Option<&'static str>| {
        let mut req = app
            .client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&key)
            .json(&json!({ "query": "{ campaigns { edges { node { id } } } }" }));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(
        codes(&query(None).await),
        vec!["UNAUTHENTICATED"],
        "no origin"
    );
    assert_eq!(
        codes(&query(Some("https://evil.example")).await),
        vec!["UNAUTHENTICATED"],
        "foreign origin"
    );
    assert_eq!(
        codes(&query(Some("https://shop.example")).await),
        vec!["FORBIDDEN"],
        "a publishable key cannot list campaigns"
    );
    let enroll = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&key)
        .header("origin", "https://shop.example")
        .json(&json!({ "query": "mutation($c: UUID!) { enrollParticipant(campaignId: $c, input: { externalId: \"x\", email: \"x@example.com\" }) { id } }", "variables": { "c": campaign } }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(codes(&enroll), vec!["FORBIDDEN"]);
    let body = app
        .graphql(
            Some(&app.admin_token),
            r#"mutation { createApiKey(kind: PUBLISHABLE, name: "no origins") { key } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
}

#[tokio::test]
async fn tenant_secrets_are_stored_encrypted() {
    let app = spawn_app().await;
    app.graphql_ok(
        Some(&app.admin_token),
        r#"mutation { setTenantSecret(name: "webhook_secret", value: "whsec_plaintext_value") }"#,
        json!({}),
    )
    .await;
    let db = app.db.connect().await;
    let row = tenant_secrets::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert!(!row.ciphertext.contains("whsec_plaintext_value"));
    let boxer =
        grapevine_api::crypto::SecretBoxer::new(app.config.secrets.master_key.expose()).unwrap();
    let opened = boxer
        .open(
            &row.ciphertext,
            &format!("{}/webhook_secret", row.tenant_id),
        )
        .unwrap();
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&opened),
        "whsec_plaintext_value"
    );
    let body = app
        .graphql(
            Some(&app.admin_token),
            r#"mutation { setTenantSecret(name: "anything", value: "x") }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
}

#[tokio::test]
async fn variants_and_holdout_are_assigned_deterministically_and_held_out_participants_get_no_code()
{
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.graphql_ok(Some(&token), r#"mutation($c: UUID!) { updateCampaign(id: $c, input: { holdoutBps: 2000 }) { holdoutBps } }"#, json!({ "c": campaign })).await;
    app.graphql_ok(Some(&token), r#"mutation($c: UUID!) { setCampaignVariants(campaignId: $c, variants: [{ name: "ten", weight: 1 }, { name: "twenty", weight: 1 }]) { name } }"#, json!({ "c": campaign })).await;
    let people: Vec<Value> = (0..200).map(|i| json!({ "externalId": format!("c{i}"), "email": format!("c{i}@example.com"), "tags": ["vip"], "orderCount": 1 })).collect();
    let query = r#"mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { participantId bucket referralCode } errors { index } } }"#;
    let first = app
        .graphql_ok(Some(&token), query, json!({ "c": campaign, "p": people }))
        .await;
    let rows = first["enrollParticipants"]["enrolments"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rows.len(), 200);
    let count = |b: &str| rows.iter().filter(|r| r["bucket"] == b).count();
    let (holdout, ten, twenty) = (count("holdout"), count("ten"), count("twenty"));
    assert_eq!(holdout + ten + twenty, 200);
    assert!(
        (20..=60).contains(&holdout),
        "about 20% held out: {holdout}"
    );
    assert!(
        ten > 40 && twenty > 40,
        "both variants used: {ten}/{twenty}"
    );
    for r in &rows {
        assert_eq!(
            r["bucket"] == "holdout",
            r["referralCode"].is_null(),
            "held out ⇔ no code: {r}"
        );
    }
    // Enrolling again changes nothing: same buckets, same codes.
    let again = app
        .graphql_ok(Some(&token), query, json!({ "c": campaign, "p": people }))
        .await;
    assert_eq!(
        again["enrollParticipants"]["enrolments"]
            .as_array()
            .unwrap(),
        &rows
    );
    // Variants are fixed once launched.
    app.launch(&token, &campaign).await;
    let body = app
        .graphql(
            Some(&token),
            r#"mutation($c: UUID!) { setCampaignVariants(campaignId: $c, variants: []) { name } }"#,
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"]);
    let body = app
        .graphql(
            Some(&token),
            r#"mutation($c: UUID!) { updateCampaign(id: $c, input: { holdoutBps: 0 }) { id } }"#,
            json!({ "c": campaign }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
}

#[tokio::test]
async fn connections_page_with_cursors_and_refuse_oversized_pages() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.graphql_ok(Some(&app.admin_token), "mutation($n: String!, $s: DateTime!) { createCampaign(input: { name: $n, startsAt: $s, currency: \"EUR\" }) { id } }", json!({ "n": format!("c{i}"), "s": chrono::Utc::now() })).await;
    }
    let page = "query($after: String) { campaigns(first: 2, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }";
    let mut names = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .graphql_ok(Some(&app.admin_token), page, json!({ "after": after }))
            .await;
        let conn = &data["campaigns"];
        names.extend(
            conn["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["name"].as_str().unwrap().to_owned()),
        );
        if conn["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = conn["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        names,
        ["c4", "c3", "c2", "c1", "c0"],
        "newest first, each once"
    );
    let body = app
        .graphql(
            Some(&app.admin_token),
            "{ campaigns(first: 101) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    let body = app
        .graphql(
            Some(&app.admin_token),
            r#"{ campaigns(after: "garbage") { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
}

#[tokio::test]
async fn every_change_lands_in_the_audit_log_readable_by_admins() {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    app.enroll(&app.admin_token, &campaign, "p1", "p1@example.com")
        .await;
    app.launch(&app.admin_token, &campaign).await;
    let data = app
        .graphql_ok(
            Some(&app.admin_token),
            "{ auditLog(first: 50) { edges { node { action entity actor } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = data["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    for expected in [
        "campaign.create",
        "reward_rule.add",
        "material.set",
        "participant.enroll",
        "campaign.launch",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
}
