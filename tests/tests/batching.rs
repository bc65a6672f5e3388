//! Nested GraphQL fields are batched per request (DataLoader): a page of campaigns with their reward
//! rules, materials, variants and latest links costs the same SQL statements whether it holds one
//! campaign or five. The statements are counted by the API itself (`grapevine_db_statements_total`
//! on /metrics), on an API started without relay or workers so nothing else runs meanwhile.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use grapevine_tests::{Backend, TestApp, error_codes, spawn_api_only};
use serde_json::{Value, json};

const PAGE: &str = "query($first: Int!) { campaigns(first: 10) { edges { node { id name \
    rewardRules { side amount { amountMinor } } materials { channel } variants { name } \
    links(first: $first) { code campaignId createdAt } } } } }";

async fn statements(app: &TestApp) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .find_map(|l| l.strip_prefix("grapevine_db_statements_total "))
        .unwrap_or_else(|| panic!("no statement counter in {text}"))
        .parse()
        .unwrap()
}

/// The statements one request of `query` costs, and its data. A scrape of /metrics runs
/// statements of its own: it is measured with nothing between two scrapes and taken off.
async fn cost(app: &TestApp, query: &str, variables: Value) -> (u64, Value) {
    let first = statements(app).await;
    let scrape = statements(app).await - first;
    let before = statements(app).await;
    let data = app
        .graphql_ok(Some(&app.admin_token), query, variables)
        .await;
    let spent = statements(app).await - before - scrape;
    (spent, data)
}

#[tokio::test]
async fn a_page_of_five_campaigns_costs_the_statements_of_a_page_of_one() {
    let app = spawn_api_only(Backend::current()).await;
    let token = app.admin_token.clone();
    let mut campaigns = vec![app.design_campaign(&token).await];
    for i in 0..3 {
        app.enroll(
            &token,
            &campaigns[0],
            &format!("p{i}"),
            &format!("p{i}@example.com"),
        )
        .await;
    }
    let (one, data) = cost(&app, PAGE, json!({ "first": 2 })).await;
    let edges = data["campaigns"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["rewardRules"].as_array().unwrap().len(), 2);
    assert_eq!(edges[0]["node"]["materials"].as_array().unwrap().len(), 1);

    for c in 1..5 {
        let id = app.design_campaign(&token).await;
        for i in 0..c {
            app.enroll(
                &token,
                &id,
                &format!("c{c}p{i}"),
                &format!("c{c}p{i}@example.com"),
            )
            .await;
        }
        campaigns.push(id);
    }
    let (five, data) = cost(&app, PAGE, json!({ "first": 2 })).await;
    let edges = data["campaigns"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 5);
    assert_eq!(five, one, "a bigger page must not cost more statements");
    // The caller's user (is the account still active?), the page itself, then one statement per
    // nested list (rules, materials, variants, links): nothing per campaign.
    assert!(five <= 6, "{five} statements for a page of five campaigns");

    // Each campaign gets its own newest links, at most `first` of them.
    for edge in edges {
        let node = &edge["node"];
        let id = node["id"].as_str().unwrap();
        let links = node["links"].as_array().unwrap();
        // The first campaign has three enrolments (a link each), campaign `c` has `c`.
        let enrolled = match campaigns.iter().position(|c| c == id).unwrap() {
            0 => 3,
            c => c,
        };
        assert_eq!(links.len(), enrolled.min(2), "{node}");
        assert!(links.iter().all(|l| l["campaignId"] == id), "{node}");
        let times: Vec<&str> = links
            .iter()
            .map(|l| l["createdAt"].as_str().unwrap())
            .collect();
        assert!(
            times.windows(2).all(|w| w[0] >= w[1]),
            "newest first: {times:?}"
        );
        assert_eq!(node["rewardRules"].as_array().unwrap().len(), 2);
    }
    // The first campaign has three links: asking for all of them returns the three.
    let (_, data) = cost(&app, PAGE, json!({ "first": 10 })).await;
    let first = data["campaigns"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == campaigns[0].as_str())
        .unwrap()
        .clone();
    assert_eq!(first["node"]["links"].as_array().unwrap().len(), 3);

    // Out of range: a clear validation error.
    for bad in [0, 51] {
        let body = app
            .graphql(Some(&token), PAGE, json!({ "first": bad }))
            .await;
        // One error per campaign of the page, each a validation error on `first`.
        let codes = error_codes(&body);
        assert_eq!(codes.len(), 5, "{body}");
        assert!(codes.iter().all(|c| c == "VALIDATION"), "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["fields"][0]["field"],
            "first"
        );
    }
}
