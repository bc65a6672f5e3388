//! Privacy (issue 8): a participant's data can be exported, and erased without disturbing the
//! money. After erasure no row of the tenant mentions their email or customer id, their links stop
//! working, and their rewards, ledger and balances are exactly what they were.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::{Backend, TestApp, error_codes, poll_until, require_services, spawn_app_on};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const ADA_EMAIL: &str = "ada.lovelace@example.com";
const ADA_ID: &str = "cust-ada-7781";
const CONVERSION: &str =
    "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }";

/// Every row of the tenant, in every table with a `tenant_id`, as text.
async fn tenant_text(app: &TestApp) -> String {
    let conn = app.db.connect().await;
    let tables: Vec<String> = conn
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'tenant_id' \
             AND table_schema = 'public'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "table_name").unwrap())
        .collect();
    assert!(tables.len() > 15, "{tables:?}");
    let mut text = String::new();
    for table in tables {
        for row in conn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!("SELECT t::text AS row FROM \"{table}\" t WHERE tenant_id::text = $1"),
                [app.tenant_id.clone().into()],
            ))
            .await
            .unwrap()
        {
            text.push_str(&row.try_get::<String>("", "row").unwrap());
            text.push('\n');
        }
    }
    text
}

async fn balances(app: &TestApp, token: &str, participant: &str) -> Value {
    app.graphql_ok(
        Some(token),
        "query($p: UUID!) { balances(participantId: $p) { account total { amountMinor currency } available { amountMinor } } }",
        json!({ "p": participant }),
    )
    .await["balances"]
        .clone()
}

#[tokio::test]
async fn a_participant_is_exported_then_erased_everywhere_while_the_money_stays_exact() {
    require_services(Backend::Postgres);
    let app = spawn_app_on(Backend::Postgres).await;
    let token = app.admin_token.clone();
    let marketing = app.login_as("MARKETING_MANAGER").await;
    let finance = app.login_as("FINANCE").await;
    let campaign = app.design_campaign(&token).await;
    let ada_code = app.enroll(&token, &campaign, ADA_ID, ADA_EMAIL).await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let bob_code = app
        .enroll(&token, &campaign, "cust-bob", "bob@example.com")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    app.launch(&token, &campaign).await;
    let key = app
        .graphql_ok(
            Some(&token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    // Ada refers Fred; and Ada herself buys through Bob's link, from her own device.
    app.graphql_ok(Some(&key), CONVERSION, json!({ "i": { "orderId": "o-fred", "customerId": "cust-fred", "email": "fred@friends.example", "amountMinor": "5000", "currency": "USD", "code": ada_code } })).await;
    app.graphql_ok(Some(&key), CONVERSION, json!({ "i": { "orderId": "o-ada", "customerId": ADA_ID, "email": ADA_EMAIL, "amountMinor": "6000", "currency": "USD", "code": bob_code, "clientIp": "203.0.113.7", "userAgent": "Mozilla/5.0 Firefox/128.0" } })).await;
    let ada = app
        .graphql_ok(
            Some(&token),
            "{ participants { edges { node { id email } } } }",
            json!({}),
        )
        .await["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["email"] == ADA_EMAIL)
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Export: wait until both of Ada's rewards exist and the emails about them went out.
    let export = poll_until(Duration::from_secs(30), || async {
        let data = app
            .graphql_ok(
                Some(&marketing),
                "query($p: UUID!) { participantData(id: $p) }",
                json!({ "p": ada }),
            )
            .await["participantData"]
            .clone();
        let sent = data["emails"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["state"] == "sent")
            .count();
        (data["rewards"].as_array().unwrap().len() == 2 && sent >= 3).then_some(data)
    })
    .await;
    assert_eq!(export["participant"]["email"], ADA_EMAIL);
    assert_eq!(export["participant"]["externalId"], ADA_ID);
    assert_eq!(export["referralsMade"].as_array().unwrap().len(), 1);
    assert_eq!(export["referredBy"].as_array().unwrap().len(), 1);
    assert_eq!(export["purchases"][0]["orderId"], "o-ada");
    assert!(!export["ledger"].as_array().unwrap().is_empty());
    assert!(export["links"][0]["code"].is_string());
    // Sales may not export or erase.
    let sales = app.login_as("SALES").await;
    let refused = app
        .graphql(
            Some(&sales),
            "mutation($p: UUID!) { eraseParticipant(id: $p) { id } }",
            json!({ "p": ada }),
        )
        .await;
    assert_eq!(error_codes(&refused), ["FORBIDDEN"]);

    // Everything the purchase set off has run, so the snapshot is not taken mid-flow.
    app.settled().await;
    let before = tenant_text(&app).await;
    assert!(before.contains(ADA_EMAIL) && before.contains(ADA_ID));
    // Her device was recorded, but only as keyed hashes: the raw address is stored nowhere.
    assert!(
        !before.contains("203.0.113.7"),
        "a raw client address is stored"
    );
    let money_before = balances(&app, &finance, &ada).await;
    let ledger_before = export["ledger"].clone();

    let erased = app
        .graphql_ok(
            Some(&marketing),
            "mutation($p: UUID!) { eraseParticipant(id: $p) { id email externalId } }",
            json!({ "p": ada }),
        )
        .await["eraseParticipant"]
        .clone();
    assert_eq!(erased["id"], ada.as_str());
    assert!(
        erased["email"]
            .as_str()
            .unwrap()
            .ends_with("@erased.invalid"),
        "{erased}"
    );

    // Nowhere in the tenant's rows: not the address (nor its normalised form), not the customer id.
    let after = tenant_text(&app).await;
    for needle in [ADA_EMAIL, "adalovelace@example.com", ADA_ID] {
        let line = after.lines().find(|l| l.contains(needle));
        assert!(line.is_none(), "{needle} is still stored: {line:?}");
    }
    // The money is untouched.
    assert_eq!(balances(&app, &finance, &ada).await, money_before);
    let again = app
        .graphql_ok(
            Some(&marketing),
            "query($p: UUID!) { participantData(id: $p) }",
            json!({ "p": ada }),
        )
        .await["participantData"]
        .clone();
    assert_eq!(again["ledger"], ledger_before);
    assert_eq!(again["rewards"].as_array().unwrap().len(), 2);
    // Her link no longer leads anywhere.
    let res = app.visit(&ada_code).send().await;
    assert_eq!(res.status(), 404);
    // Erasing again changes nothing.
    app.graphql_ok(
        Some(&marketing),
        "mutation($p: UUID!) { eraseParticipant(id: $p) { id } }",
        json!({ "p": ada }),
    )
    .await;
    assert_eq!(balances(&app, &finance, &ada).await, money_before);
}
