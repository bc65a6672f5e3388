//! Bad input is refused with a stable code and changes nothing; roles and tenants are enforced;
//! forged, expired and foreign tokens are refused; logins are rate-limited.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use grapevine_tests::error_codes as codes;
use grapevine_tests::{TestApp, app::seed_tenant, spawn_app};
use serde_json::{Value, json};

const CREATE: &str = r#"mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }"#;
const LIST: &str = r#"{ campaigns { edges { node { id } } } }"#;

fn fields(body: &Value) -> Vec<String> {
    body["errors"][0]["extensions"]["fields"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| x["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A campaign that started yesterday (these tests run on the wall clock).
fn valid_campaign() -> Value {
    let yesterday = chrono::Utc::now() - chrono::Days::new(1);
    json!({ "name": "Valid", "startsAt": yesterday, "currency": "EUR", "landingUrl": "https://shop.example/" })
}

async fn campaign_count(app: &TestApp, token: &str) -> usize {
    app.graphql_ok(Some(token), LIST, json!({})).await["campaigns"]["edges"]
        .as_array()
        .unwrap()
        .len()
}

async fn create_campaign(app: &TestApp, token: &str) -> String {
    app.graphql_ok(Some(token), CREATE, json!({ "i": valid_campaign() }))
        .await["createCampaign"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn invalid_campaign_input_is_refused_field_by_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let mut bad = valid_campaign();
    // Ends half a year before it starts.
    let now = chrono::Utc::now();
    bad["startsAt"] = json!(now + chrono::Days::new(365));
    bad["endsAt"] = json!(now + chrono::Days::new(182));
    bad["currency"] = json!("XYZ");
    bad["budgetMinor"] = json!("-5");
    bad["landingUrl"] = json!("not a url");
    let body = app.graphql(Some(&token), CREATE, json!({ "i": bad })).await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    let f = fields(&body);
    for field in ["currency", "budgetMinor", "landingUrl"] {
        assert!(f.iter().any(|x| x == field), "{field} is named among {f:?}");
    }
    assert!(
        f.iter().any(|x| x.contains("ends")),
        "the end date is named among {f:?}"
    );
    assert_eq!(campaign_count(&app, &token).await, 0);

    let mut bad_scalar = valid_campaign();
    bad_scalar["budgetMinor"] = json!("twelve");
    let body = app
        .graphql(Some(&token), CREATE, json!({ "i": bad_scalar }))
        .await;
    assert_eq!(codes(&body), vec!["GRAPHQL_VALIDATION_FAILED"], "{body:#}");
}

#[tokio::test]
async fn negative_rewards_and_templates_that_do_not_render_are_refused() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let id = create_campaign(&app, &token).await;
    let body = app
        .graphql(Some(&token), r#"mutation($c: UUID!) { addRewardRule(campaignId: $c, input: { side: REFERRER, trigger: LEAD, kind: FIXED, amountMinor: "-100" }) { id } }"#, json!({ "c": id }))
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    for (subject, html) in [
        ("Hi {{ nobody }}", "<p>ok</p>"),
        ("Hi", "<p>{{ referral_link </p>"),
    ] {
        let body = app
            .graphql(
                Some(&token),
                r#"mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }"#,
                json!({ "c": id, "i": { "channel": "EMAIL", "shareText": "x", "emailSubject": subject, "emailHtml": html, "emailText": "t" } }),
            )
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    }
    let data = app
        .graphql_ok(
            Some(&token),
            r#"query($c: UUID!) { campaign(id: $c) { rewardRules { id } materials { id } } }"#,
            json!({ "c": id }),
        )
        .await;
    assert_eq!(data["campaign"]["rewardRules"], json!([]));
    assert_eq!(data["campaign"]["materials"], json!([]));
}

#[tokio::test]
async fn illegal_transitions_are_conflicts_and_leave_the_status_alone() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let id = create_campaign(&app, &token).await;
    let body = app
        .graphql(
            Some(&token),
            r#"mutation($c: UUID!) { launchCampaign(id: $c) { status } }"#,
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["CONFLICT"],
        "launch without reward rule or email material: {body:#}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("reward"),
        "the message names what is missing: {message}"
    );
    let body = app
        .graphql(
            Some(&token),
            r#"mutation($c: UUID!) { pauseCampaign(id: $c) { status } }"#,
            json!({ "c": id }),
        )
        .await;
    assert_eq!(codes(&body), vec!["CONFLICT"]);
    app.graphql_ok(Some(&token), r#"mutation($c: UUID!) { addRewardRule(campaignId: $c, input: { side: REFERRER, trigger: LEAD, kind: FIXED, amountMinor: "500" }) { id } }"#, json!({ "c": id })).await;
    app.graphql_ok(
        Some(&token),
        r#"mutation($c: UUID!) { setCampaignMaterial(campaignId: $c, input: { channel: EMAIL, shareText: "x", emailSubject: "s", emailHtml: "h", emailText: "t" }) { id } }"#,
        json!({ "c": id }),
    )
    .await;
    app.graphql_ok(
        Some(&token),
        r#"mutation($c: UUID!) { launchCampaign(id: $c) { status } }"#,
        json!({ "c": id }),
    )
    .await;
    let body = app
        .graphql(
            Some(&token),
            r#"mutation($c: UUID!) { resumeCampaign(id: $c) { status } }"#,
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["CONFLICT"],
        "an active campaign cannot be resumed"
    );
    app.graphql_ok(
        Some(&token),
        r#"mutation($c: UUID!) { endCampaign(id: $c) { status } }"#,
        json!({ "c": id }),
    )
    .await;
    let body = app.graphql(Some(&token), r#"mutation($c: UUID!) { updateCampaign(id: $c, input: { name: "Renamed" }) { name } }"#, json!({ "c": id })).await;
    assert_eq!(
        codes(&body),
        vec!["CONFLICT"],
        "an ended campaign is read-only: {body:#}"
    );
    let data = app
        .graphql_ok(
            Some(&token),
            r#"query($c: UUID!) { campaign(id: $c) { name status } }"#,
            json!({ "c": id }),
        )
        .await;
    assert_eq!(
        data["campaign"],
        json!({ "name": "Valid", "status": "ENDED" })
    );
}

#[tokio::test]
async fn an_over_deep_query_is_refused_before_execution() {
    let app = spawn_app().await;
    // 14 levels through introspection's type chain; the default limit is 12.
    let deep = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }";
    let body = app.graphql(Some(&app.admin_token), deep, json!({})).await;
    assert_eq!(codes(&body), vec!["QUERY_TOO_COMPLEX"], "{body:#}");
    assert!(body["data"].is_null(), "nothing was executed");
    let shallow = "{ __schema { types { name } } }";
    assert!(
        app.graphql(Some(&app.admin_token), shallow, json!({}))
            .await
            .get("errors")
            .is_none()
    );
}

#[tokio::test]
async fn a_sales_token_reads_campaigns_but_cannot_edit_them() {
    let app = spawn_app().await;
    let id = create_campaign(&app, &app.admin_token).await;
    let sales = app.login_as("SALES").await;
    assert_eq!(campaign_count(&app, &sales).await, 1);
    let body = app
        .graphql(Some(&sales), CREATE, json!({ "i": valid_campaign() }))
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    let body = app.graphql(Some(&sales), r#"mutation($c: UUID!) { updateCampaign(id: $c, input: { name: "Sales edit" }) { name } }"#, json!({ "c": id })).await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    let body = app
        .graphql(
            Some(&sales),
            r#"{ auditLog { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    assert_eq!(campaign_count(&app, &app.admin_token).await, 1);
}

#[tokio::test]
async fn tenant_a_sees_and_changes_nothing_of_tenant_b() {
    let app = spawn_app().await;
    let a = app.admin_token.clone();
    let (_, b) = seed_tenant(&app.db, &app.config).await;
    let b_audit = app
        .graphql_ok(
            Some(&b),
            r#"{ auditLog { edges { node { id } } } }"#,
            json!({}),
        )
        .await["auditLog"]["edges"]
        .clone();
    let campaign = create_campaign(&app, &a).await;
    app.graphql_ok(Some(&a), r#"mutation($c: UUID!) { enrollParticipant(campaignId: $c, input: { externalId: "p1", email: "p1@example.com" }) { id } }"#, json!({ "c": campaign })).await;
    let created = app
        .graphql_ok(
            Some(&a),
            r#"mutation { createApiKey(kind: SECRET, name: "server") { apiKey { id } } }"#,
            json!({}),
        )
        .await;
    let key_id = created["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let participant = app
        .graphql_ok(
            Some(&a),
            r#"{ participants { edges { node { id } } } }"#,
            json!({}),
        )
        .await["participants"]["edges"][0]["node"]["id"]
        .clone();

    // Every list B can see is empty of A's rows.
    for (query, path) in [
        (LIST, "campaigns"),
        (
            r#"{ participants { edges { node { id } } } }"#,
            "participants",
        ),
    ] {
        let data = app.graphql_ok(Some(&b), query, json!({})).await;
        assert_eq!(
            data[path]["edges"],
            json!([]),
            "{path} leaks across tenants"
        );
    }
    let audit = app
        .graphql_ok(
            Some(&b),
            r#"{ auditLog { edges { node { id } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        audit["auditLog"]["edges"], b_audit,
        "B's audit log holds only B's own entries"
    );
    let users = app
        .graphql_ok(
            Some(&b),
            r#"{ users { edges { node { email } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        users["users"]["edges"].as_array().unwrap().len(),
        1,
        "B sees only its own admin"
    );
    assert_eq!(
        app.graphql_ok(Some(&b), r#"{ apiKeys { id } }"#, json!({}))
            .await["apiKeys"],
        json!([])
    );

    // Every get and mutation on A's ids answers NOT_FOUND to B and changes nothing.
    for (query, vars) in [
        (
            r#"query($c: UUID!) { campaign(id: $c) { id } }"#,
            json!({ "c": campaign }),
        ),
        (
            r#"query($c: UUID!) { participant(id: $c) { id } }"#,
            json!({ "c": participant }),
        ),
        (
            r#"query($c: UUID!) { emails(campaignId: $c) { edges { node { id } } } }"#,
            json!({ "c": campaign }),
        ),
        (
            r#"mutation($c: UUID!) { updateCampaign(id: $c, input: { name: "Hijacked" }) { id } }"#,
            json!({ "c": campaign }),
        ),
        (
            r#"mutation($c: UUID!) { endCampaign(id: $c) { id } }"#,
            json!({ "c": campaign }),
        ),
        (
            r#"mutation($c: UUID!) { enrollParticipant(campaignId: $c, input: { externalId: "x", email: "x@example.com" }) { id } }"#,
            json!({ "c": campaign }),
        ),
        (
            r#"mutation($c: UUID!) { revokeApiKey(id: $c) { id } }"#,
            json!({ "c": key_id }),
        ),
    ] {
        let body = app.graphql(Some(&b), query, vars).await;
        assert_eq!(codes(&body), vec!["NOT_FOUND"], "{query}: {body:#}");
    }
    let data = app.graphql_ok(Some(&a), r#"query($c: UUID!) { campaign(id: $c) { name status enrolments { edges { node { id } } } } }"#, json!({ "c": campaign })).await;
    assert_eq!(data["campaign"]["name"], "Valid");
    assert_eq!(data["campaign"]["status"], "DRAFT");
    assert_eq!(
        data["campaign"]["enrolments"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        app.graphql_ok(Some(&a), r#"{ apiKeys { revokedAt } }"#, json!({}))
            .await["apiKeys"][0]["revokedAt"]
            .is_null()
    );
}

fn forge(header: &str, payload: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

#[tokio::test]
async fn expired_forged_unsigned_and_foreign_audience_tokens_are_refused() {
    let app = spawn_app().await;
    let me = r#"{ me { email } }"#;
    assert!(
        app.graphql(Some(&app.admin_token), me, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(app.admin_token.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    let user = claims["sub"].as_str().unwrap().parse().unwrap();
    let tenant = claims["tid"].as_str().unwrap().parse().unwrap();
    let sign = |auth: grapevine_api::config::AuthConfig, at: chrono::DateTime<chrono::Utc>| {
        grapevine_api::auth::jwt::JwtKeys::from_config(&auth)
            .unwrap()
            .issue(user, tenant, at)
            .unwrap()
            .0
    };

    let expired = sign(
        app.config.auth.clone(),
        chrono::Utc::now() - chrono::Duration::days(3),
    );
    let mut other_key = app.config.auth.clone();
    other_key.jwt_keys.insert(
        "test1".into(),
        "b3RoZXItc2lnbmluZy1rZXktMDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u".into(),
    );
    let wrong_key = sign(other_key, chrono::Utc::now());
    let mut other_aud = app.config.auth.clone();
    other_aud.jwt_audience = "another-service".into();
    let wrong_audience = sign(other_aud, chrono::Utc::now());
    let unsigned = forge(r#"{"alg":"none","typ":"JWT","kid":"test1"}"#, &claims);
    let hs512 = {
        let parts: Vec<&str> = app.admin_token.split('.').collect();
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"HS512","typ":"JWT","kid":"test1"}"#),
            parts[1],
            parts[2]
        )
    };
    for (what, token) in [
        ("expired", expired),
        ("wrong key", wrong_key),
        ("wrong audience", wrong_audience),
        ("alg none", unsigned),
        ("alg swapped", hs512),
        ("garbage", "abc.def.ghi".into()),
    ] {
        let body = app.graphql(Some(&token), me, json!({})).await;
        assert_eq!(
            codes(&body),
            vec!["UNAUTHENTICATED"],
            "{what} token: {body:#}"
        );
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_attempts_are_rate_limited() {
    let app = spawn_app().await;
    let email = format!(
        "finance-{}@staff.grapevine.test",
        uuid::Uuid::new_v4().simple()
    );
    app.graphql_ok(Some(&app.admin_token), "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", json!({ "i": { "email": email, "name": "F", "role": "FINANCE", "password": "right password 123" } })).await;
    let login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }";
    for _ in 0..5 {
        let body = app
            .graphql(
                None,
                login,
                json!({ "e": email, "p": "wrong password 123" }),
            )
            .await;
        assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
    }
    let body = app
        .graphql(
            None,
            login,
            json!({ "e": email, "p": "right password 123" }),
        )
        .await;
    assert_eq!(codes(&body), vec!["RATE_LIMITED"], "{body:#}");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

#[tokio::test]
async fn graphql_over_http_status_codes_and_media_types_follow_the_spec() {
    let app = spawn_app().await;
    let url = format!("{}/graphql", app.address);
    let res = app
        .client
        .post(&url)
        .header("accept", "application/graphql-response+json")
        .header("content-type", "application/json")
        .body(r#"{"query":"{ campaigns "}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(codes(&body), vec!["GRAPHQL_PARSE_FAILED"]);

    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body(r#"{"query":"{ nope }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "application/json answers 200 for a well-formed request"
    );
    assert_eq!(
        codes(&res.json::<Value>().await.unwrap()),
        vec!["GRAPHQL_VALIDATION_FAILED"]
    );

    let res = app
        .client
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    let res = app
        .client
        .get(&url)
        .query(&[(
            "query",
            "mutation { endCampaign(id: \"00000000-0000-0000-0000-000000000000\") { id } }",
        )])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);

    let res = app
        .client
        .get(&url)
        .bearer_auth(&app.admin_token)
        .query(&[("query", "{ me { email } }")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["data"]["me"]["email"].is_string());

    let batch = Value::Array(vec![json!({ "query": "{ __typename }" }); 11]);
    let res = app.client.post(&url).json(&batch).send().await.unwrap();
    assert_eq!(res.status(), 400, "batches above the limit are refused");
}

#[tokio::test]
async fn an_api_key_works_until_revoked_and_then_at_once_no_more() {
    let app = spawn_app().await;
    create_campaign(&app, &app.admin_token).await;
    let created = app
        .graphql_ok(
            Some(&app.admin_token),
            r#"mutation { createApiKey(kind: SECRET, name: "server") { key apiKey { id } } }"#,
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("sk_"));
    assert_eq!(campaign_count(&app, &key).await, 1);
    let id = created["createApiKey"]["apiKey"]["id"].clone();
    app.graphql_ok(
        Some(&app.admin_token),
        r#"mutation($id: UUID!) { revokeApiKey(id: $id) { revokedAt } }"#,
        json!({ "id": id }),
    )
    .await;
    let body = app.graphql(Some(&key), LIST, json!({})).await;
    assert_eq!(codes(&body), vec!["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn introspection_graphiql_and_suggestions_can_be_switched_off() {
    let app = grapevine_tests::spawn_app_with(grapevine_tests::Backend::current(), |c| {
        c.graphql.introspection = false;
        c.graphql.graphiql = false;
        c.graphql.suggestions = false;
    })
    .await;
    let body = app
        .graphql(
            Some(&app.admin_token),
            "{ __schema { types { name } } }",
            json!({}),
        )
        .await;
    assert!(
        body.get("errors").is_some() || body["data"]["__schema"].is_null(),
        "introspection is off: {body:#}"
    );
    let body = app
        .graphql(
            Some(&app.admin_token),
            "{ campaign { id } campaignz { id } }",
            json!({}),
        )
        .await;
    assert!(
        !body.to_string().contains("Did you mean"),
        "no suggestions: {body:#}"
    );
    let res = app
        .client
        .get(format!("{}/graphql", app.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        !res.text().await.unwrap().contains("graphiql"),
        "no GraphiQL page"
    );

    let on = spawn_app().await;
    let res = on
        .client
        .get(format!("{}/graphql", on.address))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .to_lowercase()
            .contains("graphiql"),
        "GraphiQL is served by default"
    );
}

#[tokio::test]
async fn an_unexpected_failure_reaches_the_client_only_as_internal_with_an_error_id() {
    let app = grapevine_tests::spawn_app_on(grapevine_tests::Backend::Postgres).await;
    let db = app.db.connect().await;
    // Break the database under the app: every change writes an audit row.
    sea_orm::ConnectionTrait::execute_unprepared(&db, "DROP TABLE audit_log")
        .await
        .unwrap();
    let body = app
        .graphql(
            Some(&app.admin_token),
            CREATE,
            json!({ "i": valid_campaign() }),
        )
        .await;
    assert_eq!(codes(&body), vec!["INTERNAL"], "{body:#}");
    let error = &body["errors"][0];
    assert_eq!(error["message"], "internal error");
    assert!(error["extensions"]["errorId"].is_string());
    let text = body.to_string().to_lowercase();
    for leak in [
        "audit_log",
        "relation",
        "select",
        "insert",
        "sqlx",
        "panicked",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {body:#}");
    }
    assert_eq!(
        campaign_count(&app, &app.admin_token).await,
        0,
        "the failed change left nothing behind"
    );
}

#[tokio::test]
async fn tiered_rewards_with_milestones_are_stored_and_read_back() {
    let app = spawn_app().await;
    let id = create_campaign(&app, &app.admin_token).await;
    let rule = r#"mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { kind tiers { fromCount amountMinor } milestones { atCount bonusMinor } perReferrerCap { amountMinor currency } } }"#;
    let input = json!({ "side": "REFERRER", "trigger": "EACH_PURCHASE", "maxPurchases": 3, "kind": "TIERED", "perReferrerCapMinor": "20000",
        "tiers": [{ "fromCount": 1, "amountMinor": "500" }, { "fromCount": 5, "amountMinor": "1000" }],
        "milestones": [{ "atCount": 10, "bonusMinor": "5000" }] });
    let data = app
        .graphql_ok(Some(&app.admin_token), rule, json!({ "c": id, "i": input }))
        .await;
    assert_eq!(
        data["addRewardRule"]["tiers"][1],
        json!({ "fromCount": 5, "amountMinor": "1000" })
    );
    assert_eq!(
        data["addRewardRule"]["milestones"][0],
        json!({ "atCount": 10, "bonusMinor": "5000" })
    );
    assert_eq!(
        data["addRewardRule"]["perReferrerCap"],
        json!({ "amountMinor": "20000", "currency": "EUR" })
    );
    let descending = json!({ "side": "REFERRER", "trigger": "LEAD", "kind": "TIERED", "tiers": [{ "fromCount": 1, "amountMinor": "500" }, { "fromCount": 1, "amountMinor": "900" }] });
    let body = app
        .graphql(
            Some(&app.admin_token),
            rule,
            json!({ "c": id, "i": descending }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["VALIDATION"],
        "tiers must ascend: {body:#}"
    );
    let no_max = json!({ "side": "REFEREE", "trigger": "EACH_PURCHASE", "kind": "FIXED", "amountMinor": "100" });
    let body = app
        .graphql(
            Some(&app.admin_token),
            rule,
            json!({ "c": id, "i": no_max }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    assert_eq!(fields(&body), vec!["maxPurchases"]);
}

#[tokio::test]
async fn alias_floods_over_the_complexity_limit_and_oversized_bodies_are_refused_unexecuted() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    // 1 200 aliases of `me { id }` (two points each): over the default complexity limit of 2 000.
    let flood: String = (0..1_200).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let body = app
        .graphql(Some(&token), &format!("{{ {flood} }}"), json!({}))
        .await;
    assert_eq!(
        codes(&body),
        vec!["QUERY_TOO_COMPLEX"],
        "{:#}",
        body["errors"]
    );
    assert!(body["data"].is_null(), "nothing was executed");
    // The same aliasing within the limit runs.
    let fine: String = (0..50).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let ok = app
        .graphql(Some(&token), &format!("{{ {fine} }}"), json!({}))
        .await;
    assert!(ok.get("errors").is_none(), "{ok:#}");
    // Campaign lists nested in aliases multiply their cost: refused before touching the database.
    let lists: String = (0..40)
        .map(|i| format!("c{i}: campaigns(first: 100) {{ edges {{ node {{ id name }} }} }} "))
        .collect();
    let body = app
        .graphql(Some(&token), &format!("{{ {lists} }}"), json!({}))
        .await;
    assert_eq!(
        codes(&body),
        vec!["QUERY_TOO_COMPLEX"],
        "{:#}",
        body["errors"]
    );

    // A body over `graphql.max_body_bytes` (1 MiB) is refused with 413, whatever it holds.
    let huge = format!(
        "{{ __typename }} # {}",
        "x".repeat(app.config.graphql.max_body_bytes + 1)
    );
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(&token)
        .json(&json!({ "query": huge }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let text = res.text().await.unwrap();
    assert!(!text.contains("__typename"), "the body is not echoed back");
}
