//! The README's GraphQL examples run exactly as written, in order, against the real app.
//! A value written `<…>` in an example's variables is filled from an earlier answer.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::spawn_app;
use serde_json::{Value, json};

/// `(name, query, variables)` of each example, in README order.
fn examples() -> Vec<(String, String, Value)> {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
    )
    .unwrap();
    let mut queries = Vec::new();
    let mut variables = std::collections::HashMap::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let block = |lines: &mut std::str::Lines<'_>| {
            lines
                .take_while(|l| !l.starts_with("```"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        if let Some(name) = line.strip_prefix("```graphql example=") {
            queries.push((name.trim().to_owned(), block(&mut lines)));
        } else if let Some(name) = line.strip_prefix("```json variables=") {
            let text = block(&mut lines);
            variables.insert(
                name.trim().to_owned(),
                serde_json::from_str::<Value>(&text)
                    .unwrap_or_else(|e| panic!("README variables {name}: {e}")),
            );
        }
    }
    queries
        .into_iter()
        .map(|(name, q)| {
            let v = variables.remove(&name).unwrap_or(json!({}));
            (name, q, v)
        })
        .collect()
}

fn fill(value: &mut Value, known: &[(&str, String)]) {
    match value {
        Value::String(s) => {
            if let Some((_, v)) = known.iter().find(|(k, _)| k == s) {
                *s = v.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fill(v, known)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, known)),
        _ => {}
    }
}

#[tokio::test]
async fn the_readme_graphql_examples_run_as_written() {
    let app = spawn_app().await;
    let email = format!(
        "readme-{}@staff.grapevine.test",
        uuid::Uuid::new_v4().simple()
    );
    app.graphql_ok(Some(&app.admin_token), "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }", json!({ "i": { "email": email, "name": "Reader", "role": "MARKETING_MANAGER", "password": "correct horse battery" } })).await;
    let mut known = vec![
        ("<your email>", email.clone()),
        ("<your password>", "correct horse battery".to_owned()),
    ];
    let examples = examples();
    let names: Vec<&str> = examples.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["login", "create", "rewards", "enroll", "launch", "list"],
        "the README's examples"
    );

    let mut token: Option<String> = None;
    for (name, query, mut variables) in examples {
        fill(&mut variables, &known);
        let data = app.graphql_ok(token.as_deref(), &query, variables).await;
        match name.as_str() {
            "login" => token = Some(data["login"]["token"].as_str().unwrap().to_owned()),
            "create" => {
                assert_eq!(data["createCampaign"]["status"], "DRAFT");
                assert_eq!(
                    data["createCampaign"]["budget"],
                    json!({ "amountMinor": "1000000", "currency": "USD" })
                );
                known.push((
                    "<id from create>",
                    data["createCampaign"]["id"].as_str().unwrap().to_owned(),
                ));
            }
            "rewards" => assert_eq!(data["setCampaignMaterial"]["channel"], "EMAIL"),
            "enroll" => {
                let result = &data["enrollParticipants"];
                assert_eq!(result["enrolments"].as_array().unwrap().len(), 1);
                assert_eq!(result["enrolments"][0]["eligible"], true);
                assert!(result["enrolments"][0]["referralCode"].is_string());
                assert_eq!(result["errors"][0]["index"], 1);
                assert_eq!(result["errors"][0]["field"], "email");
            }
            "launch" => assert_eq!(data["launchCampaign"]["status"], "ACTIVE"),
            "list" => {
                let node = &data["campaigns"]["edges"][0]["node"];
                assert_eq!(node["status"], "ACTIVE");
                assert_eq!(node["rewardRules"].as_array().unwrap().len(), 2);
            }
            other => panic!("unexpected example {other}"),
        }
    }
    let mails = app.smtp.wait_for(1, Duration::from_secs(30)).await;
    assert!(mails[0].to.iter().any(|t| t.contains("ada@example.com")));
    assert!(
        mails[0]
            .text
            .clone()
            .unwrap_or_default()
            .contains("You get 10.00 USD and your friend gets 15%"),
        "{:?}",
        mails[0].text
    );
}
