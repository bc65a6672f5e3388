//! The access matrix, generated from the schema (issue 8): every query and mutation field of the
//! live schema is called by every kind of caller — admin, marketing manager, sales, finance, ops,
//! a secret API key, a publishable key, nobody — with arguments built from the argument types, and
//! whether the call was let in (anything but `UNAUTHENTICATED`/`FORBIDDEN`) is compared with
//! `EXPECTED` below (DESIGN.md §4's roles). A field missing from `EXPECTED` fails the test, so a new
//! field cannot ship without a decision about who may call it.
//!
//! Then tenant A's admin calls every field that takes an id with each id of tenant B's rows: no
//! answer carries tenant B's data, and tenant B's rows are byte for byte what they were.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use grapevine_tests::{Backend, TestApp, error_codes, require_services, spawn_app_on};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

/// The callers, in the order of `EXPECTED`'s columns.
const CALLERS: [&str; 8] = ["admin", "mm", "sales", "finance", "ops", "sk", "pk", "anon"];

/// Who may call each field: a subset of `CALLERS`, space-separated. Field names are `Query.x` /
/// `Mutation.x`. Admin may call every staff field; a publishable key is for the widget's HTTP
/// endpoints, not GraphQL.
const EXPECTED: &[(&str, &str)] = &[
    ("Mutation.addRewardRule", "admin mm"),
    ("Mutation.adjustBalance", "admin finance"),
    ("Mutation.applyRecommendation", "admin mm"),
    ("Mutation.dismissRecommendation", "admin mm"),
    ("Mutation.restoreRecommendation", "admin mm"),
    ("Mutation.approvePayout", "admin finance"),
    ("Mutation.cancelPayout", "admin finance"),
    ("Mutation.createApiKey", "admin ops"),
    ("Mutation.createCampaign", "admin mm"),
    ("Mutation.createPayoutOnboardingLink", "admin mm finance"),
    ("Mutation.createReferralLink", "admin mm sales sk"),
    ("Mutation.createUser", "admin"),
    ("Mutation.deactivateUser", "admin"),
    ("Mutation.discardJob", "admin ops"),
    ("Mutation.endCampaign", "admin mm"),
    ("Mutation.eraseParticipant", "admin mm"),
    ("Mutation.importCampaign", "admin mm"),
    ("Mutation.importParticipants", "admin mm"),
    ("Mutation.enrollParticipant", "admin mm sales sk"),
    ("Mutation.enrollParticipants", "admin mm sales sk"),
    ("Mutation.launchCampaign", "admin mm"),
    // Public: anyone may try (with right credentials, below).
    ("Mutation.login", "admin mm sales finance ops sk pk anon"),
    // The session cookie is the credential, never a bearer token: without it nobody refreshes,
    // and signing out without one ends nothing.
    ("Mutation.refreshSession", ""),
    ("Mutation.signOut", "admin mm sales finance ops sk pk anon"),
    ("Mutation.pauseCampaign", "admin mm"),
    ("Mutation.refreshPayoutOnboarding", "admin mm finance"),
    // Reported by the merchant's server only.
    ("Mutation.refundConversion", "sk"),
    ("Mutation.removeRewardRule", "admin mm"),
    ("Mutation.resumeCampaign", "admin mm"),
    ("Mutation.retryPayout", "admin finance"),
    ("Mutation.reviewReferral", "admin mm"),
    ("Mutation.retryJob", "admin ops"),
    ("Mutation.revokeApiKey", "admin ops"),
    ("Mutation.sendInvites", "admin mm sales sk"),
    ("Mutation.sendCampaignDigest", "admin mm"),
    ("Mutation.setCampaignMaterial", "admin mm"),
    ("Mutation.setCampaignVariants", "admin mm"),
    ("Mutation.setExperimentSettings", "admin mm"),
    ("Mutation.setFraudPolicy", "admin mm"),
    ("Mutation.setFxRate", "admin finance"),
    ("Mutation.setPayoutSettings", "admin finance"),
    ("Mutation.setTaxStatus", "admin finance"),
    ("Mutation.setTenantSecret", "admin"),
    ("Mutation.startReconciliation", "admin finance"),
    ("Mutation.trackConversion", "sk"),
    ("Mutation.trackLead", "sk"),
    ("Mutation.updateCampaign", "admin mm"),
    ("Mutation.updateUserRole", "admin"),
    // Outgoing webhooks: ops (and admin).
    ("Mutation.createWebhookEndpoint", "admin ops"),
    ("Mutation.deleteWebhookEndpoint", "admin ops"),
    ("Mutation.replayWebhookDelivery", "admin ops"),
    ("Mutation.rotateWebhookSecret", "admin ops"),
    ("Mutation.sendTestWebhook", "admin ops"),
    ("Mutation.updateWebhookEndpoint", "admin ops"),
    ("Query.apiKeys", "admin ops"),
    ("Query.auditLog", "admin"),
    ("Query.balances", "admin finance"),
    ("Query.campaign", "admin mm sales finance ops sk"),
    ("Query.campaigns", "admin mm sales finance ops sk"),
    // Reports: marketing, sales and finance (no participant money detail in them).
    ("Query.campaignReport", "admin mm sales finance"),
    ("Query.compareCampaigns", "admin mm sales finance"),
    ("Query.programHealth", "admin mm finance ops"),
    ("Query.appliedRecommendations", "admin mm sales finance"),
    // Finance's reports: money detail, not for sales, marketing or ops.
    ("Query.campaignCost", "admin finance"),
    ("Query.deadJobs", "admin ops"),
    ("Query.emails", "admin mm ops"),
    ("Query.experimentSettings", "admin mm"),
    ("Query.fraudPolicy", "admin mm finance ops"),
    ("Query.ledger", "admin finance"),
    ("Query.liability", "admin finance"),
    ("Query.me", "admin mm sales finance ops"),
    // Participants' personal data: not for finance or ops.
    ("Query.participant", "admin mm sales sk"),
    ("Query.participantData", "admin mm"),
    ("Query.participantImport", "admin mm"),
    ("Query.exportCampaign", "admin mm"),
    ("Query.participants", "admin mm sales sk"),
    ("Query.payout", "admin finance"),
    ("Query.payoutSettings", "admin finance"),
    ("Query.payoutTotals", "admin finance"),
    ("Query.payouts", "admin finance"),
    ("Query.queueHealth", "admin ops"),
    ("Query.queueOverview", "admin ops"),
    ("Query.reconciliation", "admin finance"),
    ("Query.reconciliations", "admin finance"),
    ("Query.referral", "admin mm finance ops sk"),
    ("Query.referrals", "admin mm finance ops sk"),
    ("Query.replayFraudRules", "admin mm"),
    ("Query.reviewQueue", "admin mm"),
    // Sales sees no ledgers, rewards or payouts.
    ("Query.rewards", "admin mm finance"),
    ("Query.tenant", "admin mm sales finance ops sk"),
    ("Query.users", "admin"),
    ("Query.webhookDeliveries", "admin ops"),
    ("Query.webhookEndpoints", "admin ops"),
    ("Query.webhookEventTypes", "admin ops"),
];

const INTROSPECTION: &str = r#"{
  __schema {
    queryType { name }
    mutationType { name }
    types {
      name kind
      fields { name args { name type { ...T } } type { ...T } }
      inputFields { name type { ...T } }
      enumValues { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"#;

/// The schema's types by name.
struct Types(BTreeMap<String, Value>);

impl Types {
    fn get(&self, name: &str) -> &Value {
        &self.0[name]
    }

    /// A value of type `t` (a `__Type` reference), with required input fields filled and
    /// optional ones left out; `id` stands in for every UUID.
    fn sample(&self, t: &Value, id: &str) -> Value {
        match t["kind"].as_str().unwrap() {
            "NON_NULL" => self.sample(&t["ofType"], id),
            "LIST" => json!([self.sample(&t["ofType"], id)]),
            "ENUM" => self.get(t["name"].as_str().unwrap())["enumValues"][0]["name"].clone(),
            "INPUT_OBJECT" => {
                let def = self.get(t["name"].as_str().unwrap());
                let mut object = serde_json::Map::new();
                for field in def["inputFields"].as_array().unwrap() {
                    if field["type"]["kind"] == "NON_NULL" {
                        object.insert(
                            field["name"].as_str().unwrap().to_owned(),
                            self.sample(&field["type"], id),
                        );
                    }
                }
                Value::Object(object)
            }
            _ => match t["name"].as_str().unwrap() {
                "UUID" => json!(id),
                "String" => json!("x"),
                "Int" => json!(1),
                "Float" => json!(1.0),
                "Boolean" => json!(false),
                "BigInt" => json!("1"),
                "DateTime" => json!(chrono::Utc::now()),
                "NaiveDate" => json!(chrono::Utc::now().date_naive()),
                "JSON" => json!({}),
                // A file reference as the multipart map writes it; no file comes with it.
                "Upload" => json!("#__graphql_file__:0"),
                other => panic!("no sample for scalar {other}: add one"),
            },
        }
    }
}

/// The GraphQL type expression of a `__Type` reference, e.g. `[UUID!]!`.
fn type_expr(t: &Value) -> String {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => format!("{}!", type_expr(&t["ofType"])),
        "LIST" => format!("[{}]", type_expr(&t["ofType"])),
        _ => t["name"].as_str().unwrap().to_owned(),
    }
}

fn base_kind(t: &Value) -> &str {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" | "LIST" => base_kind(&t["ofType"]),
        kind => kind,
    }
}

/// One field, ready to call.
struct Call {
    /// `Query.x` or `Mutation.x`.
    name: String,
    /// The operation text.
    operation: String,
    /// Names of its UUID-typed arguments (required or not).
    id_args: Vec<String>,
    field: Value,
}

impl Call {
    /// The variables for this call with `id` as every UUID.
    fn variables(&self, types: &Types, id: &str) -> Value {
        let mut vars = serde_json::Map::new();
        for arg in self.field["args"].as_array().unwrap() {
            let name = arg["name"].as_str().unwrap();
            let required = arg["type"]["kind"] == "NON_NULL";
            if required || self.id_args.iter().any(|a| a == name) {
                vars.insert(name.to_owned(), types.sample(&arg["type"], id));
            }
        }
        Value::Object(vars)
    }
}

fn is_uuid_arg(t: &Value) -> bool {
    match t["kind"].as_str().unwrap() {
        "NON_NULL" => is_uuid_arg(&t["ofType"]),
        _ => t["name"] == "UUID",
    }
}

async fn calls(app: &TestApp) -> (Types, Vec<Call>) {
    let schema = app
        .graphql_ok(Some(&app.admin_token), INTROSPECTION, json!({}))
        .await["__schema"]
        .clone();
    let types = Types(
        schema["types"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["name"].as_str().unwrap().to_owned(), t.clone()))
            .collect(),
    );
    let mut calls = Vec::new();
    for (root, kind) in [("queryType", "query"), ("mutationType", "mutation")] {
        let root_name = schema[root]["name"].as_str().unwrap();
        for field in types.get(root_name)["fields"].as_array().unwrap() {
            let name = field["name"].as_str().unwrap();
            let args = field["args"].as_array().unwrap();
            let id_args: Vec<String> = args
                .iter()
                .filter(|a| is_uuid_arg(&a["type"]))
                .map(|a| a["name"].as_str().unwrap().to_owned())
                .collect();
            let used: Vec<&Value> = args
                .iter()
                .filter(|a| {
                    a["type"]["kind"] == "NON_NULL"
                        || id_args.iter().any(|i| a["name"] == i.as_str())
                })
                .collect();
            let params: Vec<String> = used
                .iter()
                .map(|a| {
                    format!(
                        "${}: {}",
                        a["name"].as_str().unwrap(),
                        type_expr(&a["type"])
                    )
                })
                .collect();
            let pass: Vec<String> = used
                .iter()
                .map(|a| format!("{0}: ${0}", a["name"].as_str().unwrap()))
                .collect();
            let selection = match base_kind(&field["type"]) {
                "OBJECT" | "INTERFACE" | "UNION" => " { __typename }",
                _ => "",
            };
            let operation = format!(
                "{kind}{} {{ {name}{}{selection} }}",
                if params.is_empty() {
                    String::new()
                } else {
                    format!("({})", params.join(", "))
                },
                if pass.is_empty() {
                    String::new()
                } else {
                    format!("({})", pass.join(", "))
                },
            );
            calls.push(Call {
                name: format!(
                    "{}.{name}",
                    if kind == "query" { "Query" } else { "Mutation" }
                ),
                operation,
                id_args,
                field: field.clone(),
            });
        }
    }
    (types, calls)
}

/// Was the caller let in? (Refused means `UNAUTHENTICATED` or `FORBIDDEN`; a request that fails
/// validation before execution means the sample arguments are wrong, which is a bug here.)
fn let_in(call: &Call, body: &Value) -> bool {
    let codes = error_codes(body);
    assert!(
        !codes.iter().any(|c| c.starts_with("GRAPHQL_")),
        "{}: the generated request is invalid: {body:#}\n{}",
        call.name,
        call.operation
    );
    !codes
        .iter()
        .any(|c| c == "UNAUTHENTICATED" || c == "FORBIDDEN")
}

async fn tokens(app: &TestApp) -> Vec<Option<String>> {
    let key = |kind: &'static str| async move {
        app.graphql_ok(
                Some(&app.admin_token),
                "mutation($k: ApiKeyKind!) { createApiKey(kind: $k, name: \"matrix\", allowedOrigins: [\"https://shop.example\"]) { key } }",
                json!({ "k": kind }),
            )
            .await["createApiKey"]["key"]
                .as_str()
                .unwrap()
                .to_owned()
    };
    vec![
        Some(app.admin_token.clone()),
        Some(app.login_as("MARKETING_MANAGER").await),
        Some(app.login_as("SALES").await),
        Some(app.login_as("FINANCE").await),
        Some(app.login_as("OPS").await),
        Some(key("SECRET").await),
        Some(key("PUBLISHABLE").await),
        None,
    ]
}

#[tokio::test]
async fn every_field_of_the_schema_lets_in_exactly_the_callers_its_roles_allow() {
    let app = spawn_app_on(Backend::current()).await;
    let (types, calls) = calls(&app).await;
    let tokens = tokens(&app).await;
    let expected: BTreeMap<&str, &str> = EXPECTED.iter().copied().collect();
    let mut observed: BTreeMap<String, String> = BTreeMap::new();
    let missing_id = uuid::Uuid::now_v7().to_string();
    // `login` answers a wrong password with UNAUTHENTICATED by design: it gets real credentials.
    let admin_email = app
        .graphql_ok(Some(&app.admin_token), "{ me { email } }", json!({}))
        .await["me"]["email"]
        .clone();
    for call in &calls {
        let mut allowed = Vec::new();
        for (caller, token) in CALLERS.iter().zip(&tokens) {
            let variables = if call.name == "Mutation.login" {
                json!({ "email": admin_email, "password": "a long enough password" })
            } else {
                call.variables(&types, &missing_id)
            };
            let body = app
                .graphql(token.as_deref(), &call.operation, variables)
                .await;
            if let_in(call, &body) {
                allowed.push(*caller);
            }
        }
        observed.insert(call.name.clone(), allowed.join(" "));
    }
    let listed: BTreeSet<&str> = expected.keys().copied().collect();
    let in_schema: BTreeSet<&str> = observed.keys().map(String::as_str).collect();
    let table: String = observed
        .iter()
        .map(|(name, who)| format!("    (\"{name}\", \"{who}\"),\n"))
        .collect();
    let unlisted: Vec<_> = in_schema.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "fields with no entry in EXPECTED (decide who may call them): {unlisted:?}\nobserved:\n{table}"
    );
    let stale: Vec<_> = listed.difference(&in_schema).collect();
    assert!(
        stale.is_empty(),
        "EXPECTED lists fields the schema no longer has: {stale:?}"
    );
    let wrong: Vec<String> = observed
        .iter()
        .filter(|(name, who)| expected[name.as_str()] != who.as_str())
        .map(|(name, who)| {
            format!(
                "{name}: expected [{}], let in [{who}]",
                expected[name.as_str()]
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "access differs from EXPECTED:\n{}",
        wrong.join("\n")
    );
}

/// Every row of tenant `tenant` in every table that has a `tenant_id` column, as text.
async fn tenant_rows(app: &TestApp, tenant: &str) -> BTreeMap<String, Vec<String>> {
    let conn = app.db.connect().await;
    let tables: Vec<String> = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' \
             AND table_schema = 'public' ORDER BY table_name",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "table_name").unwrap())
        .collect();
    let mut rows = BTreeMap::new();
    for table in tables {
        let text: Vec<String> = conn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT t::text AS row FROM \"{table}\" t WHERE tenant_id::text = $1 ORDER BY t::text"
                ),
                [tenant.into()],
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get::<String>("", "row").unwrap())
            .collect();
        rows.insert(table, text);
    }
    rows
}

/// Every id in tenant `tenant`'s rows (the `id` columns of its tables).
async fn tenant_ids(app: &TestApp, tenant: &str) -> BTreeSet<String> {
    let conn = app.db.connect().await;
    let mut ids = BTreeSet::new();
    let tables: Vec<String> = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT c.table_name FROM information_schema.columns c \
             JOIN information_schema.columns i ON i.table_name = c.table_name AND i.column_name = 'id' \
             AND i.data_type = 'uuid' WHERE c.column_name = 'tenant_id' AND c.table_schema = 'public'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "table_name").unwrap())
        .collect();
    for table in tables {
        for r in conn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!("SELECT id::text AS id FROM \"{table}\" WHERE tenant_id::text = $1"),
                [tenant.into()],
            ))
            .await
            .unwrap()
        {
            ids.insert(r.try_get::<String>("", "id").unwrap());
        }
    }
    ids.insert(tenant.to_owned());
    ids
}

#[tokio::test]
async fn tenant_a_reaches_none_of_tenant_bs_rows_through_any_field() {
    require_services(Backend::Postgres);
    let app = spawn_app_on(Backend::Postgres).await;
    // Tenant B: a launched campaign with a participant, a referral with rewards, a key, a user.
    let (b_tenant, b_token) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let b = &app;
    let campaign = b.design_campaign(&b_token).await;
    let code = b
        .enroll(&b_token, &campaign, "bravo", "bravo@b.example")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    b.launch(&b_token, &campaign).await;
    let b_key = b
        .graphql_ok(
            Some(&b_token),
            r#"mutation { createApiKey(kind: SECRET, name: "b") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    b.graphql_ok(Some(&b_key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }", json!({ "i": { "orderId": "b-1", "customerId": "bc", "email": "bc@b.example", "amountMinor": "5000", "currency": "USD", "code": code } })).await;
    // An endpoint for an event that does not happen here, so it has no deliveries that would
    // change B's rows while the test runs (delete, rotate and test-send are probed with its id).
    b.graphql_ok(
        Some(&b_token),
        "mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }",
        json!({ "i": { "url": "https://hooks.b.example/grapevine", "eventTypes": ["payout.failed"] } }),
    )
    .await;
    b.graphql_ok(
        Some(&b_token),
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        json!({ "i": { "email": "fin@b.example", "name": "Bravo finance", "role": "FINANCE", "password": "a long enough password" } }),
    )
    .await;
    // The jobs settle (and the rollups take them in), so the snapshot is not taken mid-flow.
    b.settled().await;

    let before = tenant_rows(&app, &b_tenant).await;
    let b_ids = tenant_ids(&app, &b_tenant).await;
    assert!(
        b_ids.len() > 8,
        "tenant B has rows of several kinds: {}",
        b_ids.len()
    );
    let (types, calls) = calls(&app).await;
    let mut tried = 0;
    for call in calls.iter().filter(|c| !c.id_args.is_empty()) {
        for id in &b_ids {
            let body = app
                .graphql(
                    Some(&app.admin_token),
                    &call.operation,
                    call.variables(&types, id),
                )
                .await;
            tried += 1;
            let data = body["data"].to_string();
            let leaked: Vec<&String> = b_ids
                .iter()
                .filter(|x| x != &id && data.contains(x.as_str()))
                .collect();
            assert!(
                leaked.is_empty() && !data.contains("b.example"),
                "{} with tenant B's id {id} answered with B's data: {body:#}",
                call.name
            );
        }
    }
    // Whatever a probe may have queued has run (and been rolled up) before the second snapshot.
    app.settled().await;
    let after = tenant_rows(&app, &b_tenant).await;
    for (table, rows) in &before {
        assert_eq!(rows, &after[table], "tenant B's {table} changed");
    }
    println!("{tried} calls with tenant B's ids; B's rows unchanged");
}
