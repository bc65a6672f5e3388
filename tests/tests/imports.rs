//! Import and export: participants from CSV (the CLI with 100 000 rows, and a GraphQL upload run by
//! a worker), campaigns as JSON documents between tenants; roles and tenant isolation.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::Path, time::Duration};

use grapevine_entity::tables::{
    enrolments, participant_import_errors, participant_import_files, participant_imports,
    participant_imports::ImportState, participants, referral_links, tenants,
};
use grapevine_tests::{TestApp, grapevine_binary, poll_until, process::config_env, spawn_app};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};
use serde_json::{Value, json};

/// One row the importer must refuse: where it is and what it should say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    line: u64,
    column: String,
    code: String,
}

/// A generated participants file and what importing it must do.
struct Generated {
    csv: String,
    bad: Vec<Expected>,
    good: u64,
    invited: u64,
}

/// `rows` data rows; a row whose index is a key of `bad_at` is replaced by a bad one. Row 1 has a
/// quoted first name spanning two lines, so line numbers are not row numbers plus one.
fn generate(rows: usize, bad_at: &[(usize, &str)]) -> Generated {
    let mut csv = String::from("external_id,email,first_name,tags,order_count,country\n");
    let mut line = 2u64;
    let mut bad = Vec::new();
    let (mut good, mut invited) = (0, 0);
    for i in 0..rows {
        let kind = bad_at.iter().find(|(at, _)| *at == i).map(|(_, k)| *k);
        let orders = i % 5;
        let mut record = match kind {
            None if i == 1 => format!("cus_{i},user{i}@example.com,\"Ann\nMarie\",vip,{orders},US"),
            None => format!("cus_{i},User{i}@Example.com,Name{i},vip;new,{orders},us"),
            Some(k) => bad_row(i, k),
        };
        record.push('\n');
        match kind {
            Some(k) => bad.push(Expected {
                line,
                column: expected_column(k).into(),
                code: expected_code(k).into(),
            }),
            None => {
                good += 1;
                if orders >= 1 {
                    invited += 1;
                }
            }
        }
        line += record.matches('\n').count() as u64;
        csv.push_str(&record);
    }
    Generated {
        csv,
        bad,
        good,
        invited,
    }
}

fn bad_row(i: usize, kind: &str) -> String {
    let long_name = "x".repeat(101);
    let long_tag = "t".repeat(65);
    match kind {
        "bad_email" => format!("cus_{i},not-an-email,A,vip,1,US"),
        "no_email" => format!("cus_{i},,A,vip,1,US"),
        "no_id" => format!(",nobody{i}@example.com,A,vip,1,US"),
        "duplicate" => "cus_0,again@example.com,A,vip,1,US".to_owned(),
        "long_name" => format!("cus_{i},u{i}@example.com,{long_name},vip,1,US"),
        "country" => format!("cus_{i},u{i}@example.com,A,vip,1,Germany"),
        "negative" => format!("cus_{i},u{i}@example.com,A,vip,-3,US"),
        "not_a_number" => format!("cus_{i},u{i}@example.com,A,vip,lots,US"),
        "long_tag" => format!("cus_{i},u{i}@example.com,A,{long_tag},1,US"),
        "short" => format!("cus_{i},u{i}@example.com"),
        other => panic!("unknown bad row kind {other}"),
    }
}

fn expected_column(kind: &str) -> &'static str {
    match kind {
        "bad_email" | "no_email" => "email",
        "no_id" | "duplicate" => "external_id",
        "long_name" => "first_name",
        "country" => "country",
        "negative" | "not_a_number" => "order_count",
        "long_tag" => "tags",
        _ => "",
    }
}

fn expected_code(kind: &str) -> &'static str {
    match kind {
        "duplicate" => "DUPLICATE",
        "short" => "MALFORMED",
        _ => "INVALID",
    }
}

/// `SELECT COUNT(*)` of a query.
async fn count<E: EntityTrait>(conn: &DatabaseConnection, select: Select<E>) -> u64
where
    E::Model: Sync,
{
    select.count(conn).await.unwrap()
}

fn enrolled(campaign: &str) -> Select<enrolments::Entity> {
    enrolments::Entity::find().filter(enrolments::Column::CampaignId.eq(id(campaign)))
}

fn people(tenant: &str) -> Select<participants::Entity> {
    participants::Entity::find().filter(participants::Column::TenantId.eq(id(tenant)))
}

fn links(campaign: &str) -> Select<referral_links::Entity> {
    referral_links::Entity::find().filter(referral_links::Column::CampaignId.eq(id(campaign)))
}

fn id(text: &str) -> uuid::Uuid {
    text.parse().unwrap()
}

async fn tenant_slug(app: &TestApp) -> String {
    let conn = app.db.connect().await;
    let id: uuid::Uuid = app.tenant_id.parse().unwrap();
    tenants::Entity::find_by_id(id)
        .one(&conn)
        .await
        .unwrap()
        .unwrap()
        .slug
}

/// Run `grapevine <args>` against the app's database; returns (success, stdout, stderr).
async fn grapevine(app: &TestApp, dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(grapevine_binary())
        .args(args)
        .envs(config_env(&app.config))
        .current_dir(dir)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The error report file the CLI wrote: (line, column, code) per refused row.
fn read_report(path: &Path) -> Vec<Expected> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("line,column,code,message"));
    lines
        .map(|l| {
            let mut parts = l.splitn(4, ',');
            Expected {
                line: parts.next().unwrap().parse().unwrap(),
                column: parts.next().unwrap().to_owned(),
                code: parts.next().unwrap().to_owned(),
            }
        })
        .collect()
}

const BAD_KINDS: &[(usize, &str)] = &[
    (3, "bad_email"),
    (998, "no_email"),
    (2_498, "no_id"),
    (9_998, "duplicate"),
    (19_998, "long_name"),
    (29_998, "country"),
    (39_998, "negative"),
    (49_998, "not_a_number"),
    (59_998, "long_tag"),
    (99_999, "short"),
];

#[tokio::test]
async fn cli_imports_100k_rows_keeps_the_good_reports_the_bad_by_line_and_reruns_without_duplicates()
 {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let slug = tenant_slug(&app).await;
    let generated = generate(100_000, BAD_KINDS);
    assert_eq!(generated.bad.len(), 10);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("participants.csv");
    std::fs::write(&file, &generated.csv).unwrap();
    let report = dir.path().join("errors.csv");
    let args = [
        "import",
        "participants",
        "--tenant",
        &slug,
        "--campaign",
        &campaign,
        "--errors",
        report.to_str().unwrap(),
        file.to_str().unwrap(),
    ];

    let started = std::time::Instant::now();
    let (ok, stdout, stderr) = grapevine(&app, dir.path(), &args).await;
    assert!(ok, "import failed: {stderr}");
    eprintln!("100 000 rows imported in {:?}", started.elapsed());
    let summary: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(summary["rows"], 100_000);
    assert_eq!(summary["imported"], generated.good);
    assert_eq!(summary["skipped"], 0);
    assert_eq!(summary["failed"], 10);

    let mut reported = read_report(&report);
    reported.dedup_by(|a, b| a.line == b.line);
    assert_eq!(
        reported, generated.bad,
        "the report names each bad row once, by line"
    );
    assert!(stderr.contains("already appears on line 2"), "{stderr}");
    assert!(
        stderr.contains("has 2 fields; the header has 6"),
        "{stderr}"
    );

    let conn = app.db.connect().await;
    let tenant = app.tenant_id.as_str();
    assert_eq!(count(&conn, enrolled(&campaign)).await, generated.good);
    assert_eq!(count(&conn, people(tenant)).await, generated.good);
    assert_eq!(count(&conn, links(&campaign)).await, generated.invited);
    let anne = people(tenant)
        .filter(participants::Column::ExternalId.eq("cus_1"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        anne.first_name.as_deref(),
        Some("Ann\nMarie"),
        "a quoted field keeps its line break"
    );
    let seven = people(tenant)
        .filter(participants::Column::ExternalId.eq("cus_7"))
        .one(&conn)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (seven.email.as_str(), seven.country.as_deref()),
        ("user7@example.com", Some("US")),
        "rows are normalised as enrolment does"
    );

    // The same file again: everyone is already enrolled, nothing is created twice.
    let (ok, stdout, stderr) = grapevine(&app, dir.path(), &args).await;
    assert!(ok, "second import failed: {stderr}");
    let again: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(again["imported"], 0);
    assert_eq!(again["skipped"], generated.good);
    assert_eq!(again["failed"], 10);
    assert_eq!(count(&conn, enrolled(&campaign)).await, generated.good);
    assert_eq!(count(&conn, people(tenant)).await, generated.good);
    assert_eq!(count(&conn, links(&campaign)).await, generated.invited);
}

#[tokio::test]
async fn cli_refuses_a_file_with_unknown_columns_before_writing_anything() {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let slug = tenant_slug(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(&file, "external_id,email,phone\nc1,a@example.com,555\n").unwrap();
    let (ok, _, stderr) = grapevine(
        &app,
        dir.path(),
        &[
            "import",
            "participants",
            "--tenant",
            &slug,
            "--campaign",
            &campaign,
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("unknown column(s): phone"), "{stderr}");
    let conn = app.db.connect().await;
    assert_eq!(count(&conn, people(&app.tenant_id)).await, 0);
}

/// POST a GraphQL multipart request (the upload spec): `variables.f` is the file.
async fn upload(app: &TestApp, token: &str, campaign: &str, name: &str, csv: &str) -> Value {
    upload_with_status(app, token, campaign, name, csv).await.1
}

/// As `upload`, with the HTTP status.
async fn upload_with_status(
    app: &TestApp,
    token: &str,
    campaign: &str,
    name: &str,
    csv: &str,
) -> (u16, Value) {
    let boundary = "gv-test-boundary-7d1c";
    let operations = json!({
        "query": "mutation($c: UUID!, $f: Upload!) { importParticipants(campaignId: $c, file: $f) { id state totalRows processedRows } }",
        "variables": { "c": campaign, "f": null },
    });
    let mut body = String::new();
    for (part, value) in [
        ("operations", operations.to_string()),
        ("map", json!({ "0": ["variables.f"] }).to_string()),
    ] {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{part}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    let res = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// The answer refuses the uploaded file as a whole, saying `why`.
fn assert_file_refused(body: &Value, why: &str) {
    assert_eq!(codes(body), vec!["VALIDATION"], "{body:#}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"],
        "file"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(why), "{message} does not say {why}");
}

const PROGRESS: &str = "query($id: UUID!) { participantImport(id: $id) { state totalRows processedRows importedRows skippedRows failedRows failure errors(first: 50) { edges { node { line column code message } } } } }";

fn codes(body: &Value) -> Vec<String> {
    grapevine_tests::error_codes(body)
}

#[tokio::test]
async fn an_uploaded_csv_is_imported_by_a_worker_with_progress_and_row_errors_and_stays_in_its_tenant()
 {
    let app = spawn_app().await;
    let mm = app.login_as("MARKETING_MANAGER").await;
    let campaign = app.design_campaign(&mm).await;
    let generated = generate(
        2_000,
        &[(5, "bad_email"), (50, "duplicate"), (1_999, "short")],
    );

    let body = upload(&app, &mm, &campaign, "people.csv", &generated.csv).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let started = &body["data"]["importParticipants"];
    assert_eq!(started["state"], "QUEUED");
    assert_eq!(started["totalRows"], 2_000);
    let import = started["id"].as_str().unwrap().to_owned();

    let done = poll_until(Duration::from_secs(60), || async {
        let data = app
            .graphql_ok(Some(&mm), PROGRESS, json!({ "id": import }))
            .await;
        let p = data["participantImport"].clone();
        (p["state"] == "DONE").then_some(p)
    })
    .await;
    assert_eq!(done["processedRows"], 2_000);
    assert_eq!(done["importedRows"], generated.good);
    assert_eq!(done["failedRows"], 3);
    let reported: Vec<Expected> = done["errors"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Expected {
            line: e["node"]["line"].as_u64().unwrap(),
            column: e["node"]["column"].as_str().unwrap_or("").to_owned(),
            code: e["node"]["code"].as_str().unwrap().to_owned(),
        })
        .collect();
    assert_eq!(reported, generated.bad);
    let conn = app.db.connect().await;
    assert_eq!(count(&conn, enrolled(&campaign)).await, generated.good);
    assert_eq!(count(&conn, links(&campaign)).await, generated.invited);

    // Sales may enrol one by one, but not import files; they cannot read imports either.
    let sales = app.login_as("SALES").await;
    let refused = upload(&app, &sales, &campaign, "people.csv", &generated.csv).await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"]);
    let refused = app
        .graphql(Some(&sales), PROGRESS, json!({ "id": import }))
        .await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"]);

    // Another tenant sees neither the import nor the campaign.
    let (_, other) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let hidden = app
        .graphql(Some(&other), PROGRESS, json!({ "id": import }))
        .await;
    assert_eq!(codes(&hidden), vec!["NOT_FOUND"]);
    let hidden = upload(
        &app,
        &other,
        &campaign,
        "people.csv",
        "external_id,email\nx1,x1@example.com\n",
    )
    .await;
    assert_eq!(codes(&hidden), vec!["NOT_FOUND"]);
    assert_eq!(count(&conn, enrolled(&campaign)).await, generated.good);

    // A file refused as a whole is refused at once, naming the column.
    let bad = upload(
        &app,
        &mm,
        &campaign,
        "people.csv",
        "external_id,email,shoe_size\nx1,x1@example.com,44\n",
    )
    .await;
    assert_file_refused(&bad, "shoe_size");

    // A file reference without a multipart file is refused cleanly, whatever its shape.
    let query =
        "mutation($c: UUID!, $f: Upload!) { importParticipants(campaignId: $c, file: $f) { id } }";
    let missing = app
        .graphql(
            Some(&mm),
            query,
            json!({ "c": campaign, "f": "#__graphql_file__:0" }),
        )
        .await;
    assert_eq!(codes(&missing), vec!["VALIDATION"]);
    let forged = app
        .graphql(
            Some(&mm),
            query,
            json!({ "c": campaign, "f": "#__graphql_file__:x" }),
        )
        .await;
    assert_eq!(codes(&forged), vec!["GRAPHQL_VALIDATION_FAILED"]);
    let alive = app
        .graphql(Some(&mm), PROGRESS, json!({ "id": import }))
        .await;
    assert_eq!(alive["data"]["participantImport"]["state"], "DONE");
}

const EXPORT: &str = "query($id: UUID!) { exportCampaign(id: $id) }";
const IMPORT: &str =
    "mutation($d: JSON!, $n: String) { importCampaign(document: $d, name: $n) { id name status } }";

/// Every object key anywhere in a JSON value.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

async fn campaign_count(app: &TestApp, token: &str) -> usize {
    let data = app
        .graphql_ok(
            Some(token),
            "{ campaigns(first: 50) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    data["campaigns"]["edges"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_campaign_exported_from_one_tenant_imports_as_a_draft_in_another_and_exports_the_same() {
    let app = spawn_app().await;
    let mm = app.login_as("MARKETING_MANAGER").await;
    let campaign = app.design_campaign(&mm).await;
    app.graphql_ok(
        Some(&mm),
        r#"mutation($c: UUID!) { setCampaignVariants(campaignId: $c, variants: [{ name: "bold", weight: 1 }, { name: "calm", weight: 3 }]) { name } }"#,
        json!({ "c": campaign }),
    )
    .await;
    app.graphql_ok(
        Some(&mm),
        "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }",
        json!({ "c": campaign, "i": { "side": "REFEREE", "trigger": "EACH_PURCHASE", "maxPurchases": 3, "kind": "PERCENT", "bps": 750, "rewardType": "COUPON" } }),
    )
    .await;
    // A policy of its own, taken from the default with a stricter review threshold.
    let policy = app
        .graphql_ok(
            Some(&mm),
            "query($c: UUID!) { fraudPolicy(campaignId: $c) { reviewAt rejectAt maxPerHour maxPerDay refundBps sharedDeviceDays rules { rule score shadow enabled } } }",
            json!({ "c": campaign }),
        )
        .await["fraudPolicy"]
        .clone();
    let mut stricter = policy.clone();
    stricter["reviewAt"] = json!(policy["reviewAt"].as_i64().unwrap() - 5);
    app.graphql_ok(
        Some(&mm),
        "mutation($c: UUID!, $p: FraudPolicyInput!) { setFraudPolicy(campaignId: $c, policy: $p) { reviewAt } }",
        json!({ "c": campaign, "p": stricter }),
    )
    .await;
    let document = app
        .graphql_ok(Some(&mm), EXPORT, json!({ "id": campaign }))
        .await["exportCampaign"]
        .clone();
    assert_eq!(document["format"], "grapevine.campaign/v1");
    assert_eq!(document["reward_rules"].as_array().unwrap().len(), 3);
    assert_eq!(document["variants"][1]["name"], "calm");
    assert_eq!(
        document["campaign"]["fraud_policy"]["review_at"],
        stricter["reviewAt"]
    );
    let mut all_keys = Vec::new();
    keys(&document, &mut all_keys);
    for forbidden in [
        "id",
        "tenant_id",
        "campaign_id",
        "participants",
        "status",
        "budget_reserved_minor",
    ] {
        assert!(
            !all_keys.iter().any(|k| k == forbidden),
            "the document holds {forbidden}: {document:#}"
        );
    }

    // Tenant B cannot read A's campaign, but can import the document.
    let (_, b_admin) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let hidden = app
        .graphql(Some(&b_admin), EXPORT, json!({ "id": campaign }))
        .await;
    assert_eq!(codes(&hidden), vec!["NOT_FOUND"]);
    let created = app
        .graphql_ok(
            Some(&b_admin),
            IMPORT,
            json!({ "d": document, "n": "Copied" }),
        )
        .await["importCampaign"]
        .clone();
    assert_eq!(created["status"], "DRAFT");
    assert_eq!(created["name"], "Copied");
    let copy = created["id"].as_str().unwrap();
    assert_ne!(copy, campaign);
    let again = app
        .graphql_ok(Some(&b_admin), EXPORT, json!({ "id": copy }))
        .await["exportCampaign"]
        .clone();
    let mut expected = document.clone();
    expected["campaign"]["name"] = json!("Copied");
    assert_eq!(
        again, expected,
        "the copy exports as the original did, but for its name"
    );
    // It landed in B only.
    assert_eq!(campaign_count(&app, &mm).await, 1);
    assert_eq!(campaign_count(&app, &b_admin).await, 1);
    let not_a = app.graphql(Some(&mm), EXPORT, json!({ "id": copy })).await;
    assert_eq!(codes(&not_a), vec!["NOT_FOUND"]);

    // Sales may neither export nor import.
    let sales = app.login_as("SALES").await;
    assert_eq!(
        codes(
            &app.graphql(Some(&sales), EXPORT, json!({ "id": campaign }))
                .await
        ),
        vec!["FORBIDDEN"]
    );
    assert_eq!(
        codes(
            &app.graphql(Some(&sales), IMPORT, json!({ "d": document }))
                .await
        ),
        vec!["FORBIDDEN"]
    );

    // Bad documents are refused with the path of what is wrong, and leave nothing behind.
    let refused = |mut doc: Value, change: &dyn Fn(&mut Value)| {
        change(&mut doc);
        doc
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            refused(document.clone(), &|d| {
                d["format"] = json!("grapevine.campaign/v9")
            }),
            "format",
        ),
        (
            refused(document.clone(), &|d| {
                d.as_object_mut().unwrap().remove("format");
            }),
            "format",
        ),
        (
            refused(document.clone(), &|d| {
                d["campaign"]["colour"] = json!("red")
            }),
            "campaign",
        ),
        (
            refused(document.clone(), &|d| {
                d["reward_rules"][2]["rule"]["kind"]["bps"] = json!(0)
            }),
            "reward_rules[2].kind.bps",
        ),
        (
            refused(document.clone(), &|d| {
                d["campaign"]["ends_at"] = json!("2020-01-01T00:00:00Z")
            }),
            "campaign.ends_at",
        ),
        (
            refused(document.clone(), &|d| {
                d["materials"][0]["email_subject"] = json!("{{ nope }}")
            }),
            "materials[0].emailSubject",
        ),
        (
            refused(document.clone(), &|d| d["variants"][0]["weight"] = json!(0)),
            "variants[0].weight",
        ),
        (
            refused(document.clone(), &|d| d["extra"] = json!(1)),
            "extra",
        ),
    ];
    for (doc, field) in cases {
        let body = app
            .graphql(Some(&b_admin), IMPORT, json!({ "d": doc }))
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{field}: {body:#}");
        let fields: Vec<&str> = body["errors"][0]["extensions"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&field),
            "expected {field} in {fields:?}: {body:#}"
        );
    }
    assert_eq!(
        campaign_count(&app, &b_admin).await,
        1,
        "refused imports leave no campaign"
    );
}

#[tokio::test]
async fn an_upload_import_whose_worker_is_killed_resumes_after_the_last_committed_batch() {
    let backend = grapevine_tests::Backend::current();
    grapevine_tests::require_services(backend);
    let db = grapevine_tests::TestDatabase::create_on(backend).await;
    let smtp = grapevine_tests::SmtpServer::start().await;
    let mut config = grapevine_tests::app::test_config(&db, &smtp);
    config.queue.heartbeat_secs = 1;
    config.queue.lease_secs = 2;
    config.queue.redeliver_after_secs = 2;
    let (tenant, _) = grapevine_tests::app::seed_tenant(&db, &config).await;
    let conn = db.connect().await;
    let now = chrono::Utc::now();
    let anyone = grapevine_api::auth::Principal::Anonymous;
    let draft = grapevine_entity::ops::campaigns::CampaignDraft {
        name: Some("Crash".into()),
        currency: Some("EUR".into()),
        ..Default::default()
    };
    let campaign =
        grapevine_entity::ops::campaigns::create(&conn, &anyone, id(&tenant), draft, now)
            .await
            .unwrap();
    let generated = generate(30_000, &BAD_KINDS[..6]);
    assert_eq!(generated.bad.len(), 6);
    let file = grapevine_entity::ops::import::uploads::ImportFile {
        name: "big.csv".into(),
        content: generated.csv.clone().into_bytes(),
    };
    let record = grapevine_entity::ops::import::uploads::start_upload(
        &conn,
        &anyone,
        id(&tenant),
        campaign.id,
        file,
        config.imports.upload_limits(),
        now,
    )
    .await
    .unwrap();
    let progress = || async {
        participant_imports::Entity::find_by_id(record.id)
            .one(&conn)
            .await
            .unwrap()
            .unwrap()
    };

    let mut env = config_env(&config);
    env.push(("GRAPEVINE_LOG__LEVEL".into(), "info".into()));
    let mut worker = grapevine_tests::GrapevineProcess::spawn(&["work"], &env);
    poll_until(Duration::from_secs(60), || async {
        (progress().await.processed_rows >= 3_000).then_some(())
    })
    .await;
    worker.kill();
    let killed = progress().await;
    assert!(
        killed.processed_rows < 30_000,
        "the worker was killed mid-import ({} rows in)",
        killed.processed_rows
    );
    assert_eq!(
        killed.processed_rows % 1_000,
        0,
        "only whole batches are committed"
    );
    let campaign_id = campaign.id.to_string();
    assert_eq!(
        count(&conn, enrolled(&campaign_id)).await as i64,
        killed.imported_rows,
        "the counters commit with the rows they count"
    );

    worker.restart();
    let done = grapevine_tests::try_poll_until(Duration::from_secs(120), || async {
        let p = progress().await;
        (p.state == ImportState::Done).then_some(p)
    })
    .await;
    let done = match done {
        Some(done) => done,
        None => {
            let _ = std::fs::write("/tmp/import-crash-worker.log", worker.log());
            panic!(
                "the import did not finish after the restart: {:?}",
                progress().await
            )
        }
    };
    assert_eq!(done.processed_rows, 30_000);
    assert_eq!(done.imported_rows as u64, generated.good);
    assert_eq!(done.failed_rows, 6);
    assert_eq!(count(&conn, enrolled(&campaign_id)).await, generated.good);
    assert_eq!(count(&conn, people(&tenant)).await, generated.good);
    assert_eq!(
        count(&conn, links(&campaign_id)).await,
        generated.good,
        "everyone is invited"
    );
    let errors = participant_import_errors::Entity::find()
        .filter(participant_import_errors::Column::ImportId.eq(record.id))
        .order_by_asc(participant_import_errors::Column::Line)
        .all(&conn)
        .await
        .unwrap();
    let lines: Vec<u64> = errors.iter().map(|e| e.line as u64).collect();
    let expected: Vec<u64> = generated.bad.iter().map(|b| b.line).collect();
    assert_eq!(
        lines, expected,
        "each bad row reported once, none twice after the resume"
    );
    let stored = participant_import_files::Entity::find_by_id(record.id)
        .one(&conn)
        .await
        .unwrap();
    assert!(stored.is_none(), "the upload is dropped once imported");
}

#[tokio::test]
async fn an_upload_over_the_size_limit_is_refused_with_413_and_a_row_limit_names_itself() {
    let app = grapevine_tests::spawn_app_with(grapevine_tests::Backend::current(), |c| {
        c.imports.max_upload_bytes = 4_000;
        c.imports.max_rows = 50;
    })
    .await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let big = generate(200, &[]);
    assert!(big.csv.len() > 4_000);
    let (status, body) =
        upload_with_status(&app, &app.admin_token, &campaign, "big.csv", &big.csv).await;
    assert_eq!(status, 413, "{body:#}");
    assert_file_refused(&body, "larger than 4000 bytes");
    let many = generate(60, &[]);
    assert!(many.csv.len() < 4_000);
    let body = upload(&app, &app.admin_token, &campaign, "many.csv", &many.csv).await;
    assert_file_refused(&body, "more than 50 rows");
    let conn = app.db.connect().await;
    assert_eq!(count(&conn, enrolled(&campaign)).await, 0);
}

#[tokio::test]
async fn cli_exports_a_campaign_and_imports_it_as_a_draft_elsewhere() {
    let app = spawn_app().await;
    let campaign = app.design_campaign(&app.admin_token).await;
    let slug = tenant_slug(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let (ok, document, stderr) = grapevine(
        &app,
        dir.path(),
        &["campaign", "export", "--tenant", &slug, &campaign],
    )
    .await;
    assert!(ok, "{stderr}");
    let file = dir.path().join("campaign.json");
    std::fs::write(&file, &document).unwrap();
    let (other, other_token) = grapevine_tests::app::seed_tenant(&app.db, &app.config).await;
    let other_slug = tenants::Entity::find_by_id(id(&other))
        .one(&app.db.connect().await)
        .await
        .unwrap()
        .unwrap()
        .slug;
    let (ok, out, stderr) = grapevine(
        &app,
        dir.path(),
        &[
            "campaign",
            "import",
            "--tenant",
            &other_slug,
            "--name",
            "From the CLI",
            file.to_str().unwrap(),
        ],
    )
    .await;
    assert!(ok, "{stderr}");
    let created: Value = serde_json::from_str(out.trim()).unwrap();
    let copy = created["campaign_id"].as_str().unwrap();
    let again = app
        .graphql_ok(Some(&other_token), EXPORT, json!({ "id": copy }))
        .await["exportCampaign"]
        .clone();
    let mut expected: Value = serde_json::from_str(&document).unwrap();
    expected["campaign"]["name"] = json!("From the CLI");
    assert_eq!(again, expected);
    // The other tenant's slug does not reach this tenant's campaign.
    let (ok, _, stderr) = grapevine(
        &app,
        dir.path(),
        &["campaign", "export", "--tenant", &other_slug, &campaign],
    )
    .await;
    assert!(!ok);
    assert!(stderr.contains("campaign not found"), "{stderr}");
}
