//! Sub-scenario A: a marketing manager designs a campaign with double-sided rewards and materials,
//! enrols participants, launches it, and each invited participant gets exactly one launch email
//! with their own referral code at a real SMTP server.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::{poll_until, spawn_app};
use serde_json::json;

const ENROLL: &str = r#"mutation($c: UUID!, $i: ParticipantInput!) { enrollParticipant(campaignId: $c, input: $i) { eligible bucket referralCode } }"#;
const LAUNCH: &str = r#"mutation($c: UUID!) { launchCampaign(id: $c) { status launchedAt } }"#;

#[tokio::test]
async fn launching_a_campaign_emails_each_eligible_participant_once_with_their_own_code() {
    let app = spawn_app().await;
    let manager = app.login_as("MARKETING_MANAGER").await;
    let campaign = app.design_campaign(&manager).await;

    let people = [
        ("c1", "ada@example.com", vec!["vip"], 3),
        ("c2", "grace@example.com", vec!["vip", "new"], 1),
        ("c3", "linus@example.com", vec!["regular"], 5),
    ];
    let mut codes = Vec::new();
    for (ext, email, tags, orders) in people {
        let data = app
            .graphql_ok(Some(&manager), ENROLL, json!({ "c": campaign, "i": { "externalId": ext, "email": email, "firstName": ext.to_uppercase(), "tags": tags, "orderCount": orders } }))
            .await;
        codes.push(data["enrollParticipant"].clone());
    }
    assert_eq!(codes[0]["eligible"], true);
    assert_eq!(codes[1]["eligible"], true);
    assert_eq!(codes[2]["eligible"], false, "linus is not in the audience");
    assert!(codes[2]["referralCode"].is_null());

    let data = app
        .graphql_ok(Some(&manager), LAUNCH, json!({ "c": campaign }))
        .await;
    assert_eq!(data["launchCampaign"]["status"], "ACTIVE");

    let mails = app.smtp.wait_for(2, Duration::from_secs(30)).await;
    // Every email job has finished, so a duplicate would have been sent by now.
    app.jobs_idle().await;
    let mails = {
        let again = app.smtp.messages();
        assert_eq!(
            again.len(),
            mails.len(),
            "no further email after the first two"
        );
        again
    };
    assert_eq!(mails.len(), 2, "exactly two launch emails");
    for (who, expected) in [
        ("ada@example.com", &codes[0]),
        ("grace@example.com", &codes[1]),
    ] {
        let mail = mails
            .iter()
            .find(|m| m.to.iter().any(|t| t.contains(who)))
            .unwrap_or_else(|| panic!("no email to {who}"));
        let code = expected["referralCode"].as_str().unwrap();
        let text = mail.text.clone().unwrap_or_default();
        assert!(
            text.contains(code),
            "{who}'s email carries their code {code}: {text}"
        );
        assert!(text.contains(&format!("/r/{code}")), "and their link");
        assert!(mail.html.clone().unwrap_or_default().contains(code));
        assert!(
            mail.header("List-Unsubscribe")
                .is_some_and(|h| h.contains("/u/")),
            "one-click unsubscribe header"
        );
        assert_eq!(
            mail.header("List-Unsubscribe-Post"),
            Some("List-Unsubscribe=One-Click")
        );
    }

    // The email records say what happened.
    let data = app
        .graphql_ok(
            Some(&manager),
            r#"query($c: UUID!) { emails(campaignId: $c) { edges { node { to state kind } } } }"#,
            json!({ "c": campaign }),
        )
        .await;
    let states: Vec<&str> = data["emails"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["SENT", "SENT"]);
}

#[tokio::test]
async fn an_unsubscribed_participant_gets_nothing() {
    let app = spawn_app().await;
    let manager = app.login_as("MARKETING_MANAGER").await;
    let first = app.design_campaign(&manager).await;
    app.graphql_ok(Some(&manager), ENROLL, json!({ "c": first, "i": { "externalId": "u1", "email": "una@example.com", "tags": ["vip"], "orderCount": 2 } })).await;
    app.graphql_ok(Some(&manager), LAUNCH, json!({ "c": first }))
        .await;
    let mails = app.smtp.wait_for(1, Duration::from_secs(30)).await;
    let link = mails[0]
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    let res = app.client.post(&link).send().await.unwrap();
    assert!(
        res.status().is_success(),
        "one-click unsubscribe answers {}",
        res.status()
    );

    // A second campaign launched to the same person sends nothing to them.
    let second = app.design_campaign(&manager).await;
    app.graphql_ok(Some(&manager), ENROLL, json!({ "c": second, "i": { "externalId": "u1", "email": "una@example.com", "tags": ["vip"], "orderCount": 2 } })).await;
    app.graphql_ok(Some(&manager), ENROLL, json!({ "c": second, "i": { "externalId": "u2", "email": "otto@example.com", "tags": ["vip"], "orderCount": 2 } })).await;
    app.graphql_ok(Some(&manager), LAUNCH, json!({ "c": second }))
        .await;
    let states = poll_until(Duration::from_secs(30), || async {
        let data = app
            .graphql_ok(
                Some(&manager),
                r#"query($c: UUID!) { emails(campaignId: $c) { edges { node { to state } } } }"#,
                json!({ "c": second }),
            )
            .await;
        let edges = data["emails"]["edges"].as_array().unwrap().clone();
        let done = edges.len() == 2
            && edges
                .iter()
                .all(|e| e["node"]["state"] != "QUEUED" && e["node"]["state"] != "SENDING");
        done.then_some(edges)
    })
    .await;
    let una = states
        .iter()
        .find(|e| e["node"]["to"] == "una@example.com")
        .unwrap();
    assert_eq!(una["node"]["state"], "SUPPRESSED");
    let mails = app.smtp.messages();
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("una@")))
            .count(),
        1,
        "only the first campaign's email reached una"
    );
    assert_eq!(
        mails
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("otto@")))
            .count(),
        1
    );
}
