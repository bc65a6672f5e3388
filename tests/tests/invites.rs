//! Friend invites: each friend gets the participant's link once, unsubscribed friends get
//! nothing, a participant cannot flood, and only the right people may send.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::error_codes as codes;
use grapevine_tests::{Backend, TestApp, poll_until, spawn_app, spawn_app_with};
use serde_json::json;

const INVITE: &str = "mutation($e: UUID!, $to: [String!]!, $m: String) { sendInvites(enrolmentId: $e, emails: $to, message: $m) { sent alreadyInvited refused { index field message } } }";

/// A live campaign with one invited participant whose launch email has gone out; returns (enrolment id, code).
async fn sender(app: &TestApp) -> (String, String) {
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    app.smtp.wait_for(1, Duration::from_secs(30)).await;
    let data = app.graphql_ok(Some(&token), "query($c: UUID!) { campaign(id: $c) { enrolments { edges { node { id referralCode } } } } }", json!({ "c": campaign })).await;
    let node = &data["campaign"]["enrolments"]["edges"][0]["node"];
    (
        node["id"].as_str().unwrap().to_owned(),
        node["referralCode"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn sales_staff_invite_friends_who_each_get_the_link_once() {
    let app = spawn_app().await;
    let (enrolment, code) = sender(&app).await;
    let sales = app.login_as("SALES").await;
    let data = app
        .graphql_ok(Some(&sales), INVITE, json!({ "e": enrolment, "to": ["Friend.One@example.com", "friend2@example.com", "not an email", "friend2@example.com"], "m": "You'll <love> it" }))
        .await;
    let result = &data["sendInvites"];
    assert_eq!(
        result["sent"],
        json!(["friend.one@example.com", "friend2@example.com"])
    );
    assert_eq!(result["refused"][0]["index"], 2);
    let mails = app.smtp.wait_for(3, Duration::from_secs(30)).await;
    let invite = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("friend.one@")))
        .unwrap();
    let text = invite.text.clone().unwrap();
    assert!(
        text.contains(&format!("/r/{code}")),
        "the participant's link: {text}"
    );
    assert!(
        text.contains("You'll <love> it"),
        "the personal message in the text part"
    );
    assert!(
        invite
            .html
            .clone()
            .unwrap()
            .contains("You&#39;ll &lt;love&gt; it"),
        "escaped in the HTML part"
    );
    assert!(invite.header("List-Unsubscribe").is_some());

    let again = app
        .graphql_ok(
            Some(&sales),
            INVITE,
            json!({ "e": enrolment, "to": ["friend2@example.com"] }),
        )
        .await;
    assert_eq!(
        again["sendInvites"]["alreadyInvited"],
        json!(["friend2@example.com"])
    );
    // Every email job has finished, so a second invite would have been sent by now.
    app.jobs_idle().await;
    assert_eq!(
        app.smtp.messages().len(),
        3,
        "launch + two invites, nothing twice"
    );
}

#[tokio::test]
async fn an_unsubscribed_friend_gets_no_invite() {
    let app = spawn_app().await;
    let (enrolment, _) = sender(&app).await;
    app.graphql_ok(
        Some(&app.admin_token),
        INVITE,
        json!({ "e": enrolment, "to": ["quiet@example.com"] }),
    )
    .await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(30)).await;
    let invite = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("quiet@")))
        .unwrap();
    let link = invite
        .header("List-Unsubscribe")
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_owned();
    assert!(
        app.client
            .post(&link)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );

    // Another participant invites the same friend: recorded, not sent.
    let campaign = app
        .graphql_ok(
            Some(&app.admin_token),
            "{ campaigns { edges { node { id } } } }",
            json!({}),
        )
        .await["campaigns"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.enroll(&app.admin_token, &campaign, "bob", "bob@example.com")
        .await;
    let bob = app.graphql_ok(Some(&app.admin_token), "query($c: UUID!) { campaign(id: $c) { enrolments(first: 1) { edges { node { id } } } } }", json!({ "c": campaign })).await["campaign"]["enrolments"]["edges"][0]["node"]["id"].clone();
    app.graphql_ok(
        Some(&app.admin_token),
        INVITE,
        json!({ "e": bob, "to": ["quiet@example.com"] }),
    )
    .await;
    let state = poll_until(Duration::from_secs(30), || async {
        let data = app.graphql_ok(Some(&app.admin_token), "query($c: UUID!) { emails(campaignId: $c, first: 20) { edges { node { to kind state } } } }", json!({ "c": campaign })).await;
        data["emails"]["edges"].as_array().unwrap().iter().filter(|e| e["node"]["to"] == "quiet@example.com" && e["node"]["kind"] == "INVITE").map(|e| e["node"]["state"].as_str().unwrap().to_owned()).find(|s| s == "SUPPRESSED")
    })
    .await;
    assert_eq!(state, "SUPPRESSED");
    assert_eq!(
        app.smtp
            .messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("quiet@")))
            .count(),
        1
    );
}

#[tokio::test]
async fn invites_are_rate_limited_per_participant_and_only_the_right_people_send_them() {
    let app = spawn_app_with(Backend::current(), |c| c.tracking.invites_per_day = 3).await;
    let (enrolment, _) = sender(&app).await;
    app.graphql_ok(
        Some(&app.admin_token),
        INVITE,
        json!({ "e": enrolment, "to": ["a@example.com", "b@example.com"] }),
    )
    .await;
    let body = app
        .graphql(
            Some(&app.admin_token),
            INVITE,
            json!({ "e": enrolment, "to": ["c@example.com", "d@example.com"] }),
        )
        .await;
    assert_eq!(codes(&body), vec!["RATE_LIMITED"], "{body:#}");
    app.graphql_ok(
        Some(&app.admin_token),
        INVITE,
        json!({ "e": enrolment, "to": ["c@example.com"] }),
    )
    .await;

    let finance = app.login_as("FINANCE").await;
    let body = app
        .graphql(
            Some(&finance),
            INVITE,
            json!({ "e": enrolment, "to": ["e@example.com"] }),
        )
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    let body = app
        .graphql(
            Some(&app.admin_token),
            INVITE,
            json!({ "e": enrolment, "to": [] }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"]);
    let body = app
        .graphql(
            Some(&app.admin_token),
            INVITE,
            json!({ "e": enrolment, "to": ["ada@example.com"] }),
        )
        .await;
    assert_eq!(
        body["data"]["sendInvites"]["refused"][0]["message"],
        "participants cannot invite themselves"
    );
}

#[tokio::test]
async fn an_invite_says_what_the_rewards_are() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    // The share text names the rewards (10.00 USD for the referrer, 15.00 USD for the friend).
    app.graphql_ok(
        Some(&token),
        "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }",
        json!({ "c": campaign, "i": {
            "channel": "EMAIL",
            "shareText": "{{reward_summary}}: {{referral_link}}",
            "emailSubject": "{{first_name}}, share {{campaign_name}}",
            "emailHtml": "<p>{{reward_summary}}: <a href=\"{{referral_link}}\">{{referral_code}}</a></p><a href=\"{{unsubscribe_url}}\">unsubscribe</a>",
            "emailText": "{{reward_summary}}: {{referral_link}}"
        }}),
    )
    .await;
    app.enroll(&token, &campaign, "ada", "ada@example.com")
        .await;
    app.launch(&token, &campaign).await;
    let launch = app.smtp.wait_for(1, Duration::from_secs(30)).await;
    let summary = "You get 10.00 USD and your friend gets 15.00 USD";
    assert!(
        launch[0].text.clone().unwrap().contains(summary),
        "{:?}",
        launch[0].text
    );
    let data = app
        .graphql_ok(
            Some(&token),
            "query($c: UUID!) { campaign(id: $c) { enrolments { edges { node { id } } } } }",
            json!({ "c": campaign }),
        )
        .await;
    let enrolment = data["campaign"]["enrolments"]["edges"][0]["node"]["id"].clone();
    app.graphql_ok(
        Some(&token),
        INVITE,
        json!({ "e": enrolment, "to": ["friend@example.com"] }),
    )
    .await;
    let mails = app.smtp.wait_for(2, Duration::from_secs(30)).await;
    let invite = mails
        .iter()
        .find(|m| m.to.iter().any(|t| t.contains("friend@")))
        .unwrap();
    let text = invite.text.clone().unwrap();
    assert!(
        text.starts_with(summary),
        "the same summary as the launch email: {text}"
    );
}
