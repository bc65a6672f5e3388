//! Fraud validation over HTTP: each rule catches its case with the right signal, an honest
//! referral is approved, a reviewer's approval resumes the flow, a shadow rule changes no decision
//! and a replay reports what a rule change would have decided. Clients get distinct loopback
//! addresses (127.0.0.x) so that "same address" means what it says.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_tests::shop::{self, AppShop, ShopSpec};
use grapevine_tests::{FIREFOX, error_codes as codes, poll_until, spawn_app};
use serde_json::{Value, json};

const LEAD: &str =
    "mutation($i: LeadInput!) { trackLead(input: $i) { referral { id } notAttributed } }";
const REFERRAL: &str = "query($id: UUID!) { referral(id: $id) { status score signals { rule score shadow evidence } rewards { id } } }";

/// A launched campaign (rewards as `TestApp::design_campaign`'s, plus a signup reward for the
/// referrer, so approvals show in rewards) and referrers ada (a Gmail address) and bob.
async fn shop() -> AppShop {
    let mut rules = shop::double_sided();
    rules.push(
        json!({ "side": "REFERRER", "trigger": "LEAD", "kind": "FIXED", "amountMinor": "200" }),
    );
    shop::open_on(
        spawn_app().await,
        ShopSpec {
            name: "Spring referral",
            referrers: shop::named(&[
                ("ada", "ada.lovelace@gmail.com"),
                ("bob", "bob@example.com"),
            ]),
            rules,
            budget_minor: Some(500_000),
            // The default hold: no reward is released while the test runs.
            hold_days: 14,
            payouts: None,
            ..ShopSpec::default()
        },
    )
    .await
}

async fn lead(s: &AppShop, input: Value) -> String {
    let data = s
        .app
        .graphql_ok(Some(&s.key), LEAD, json!({ "i": input }))
        .await;
    data["trackLead"]["referral"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("not attributed: {data}"))
        .to_owned()
}

/// Wait until the referral is validated; returns it.
async fn decided(s: &AppShop, token: &str, id: &str) -> Value {
    poll_until(Duration::from_secs(30), || async {
        let r = s
            .app
            .graphql_ok(Some(token), REFERRAL, json!({ "id": id }))
            .await["referral"]
            .clone();
        (r["status"] != "PENDING").then_some(r)
    })
    .await
}

fn rules(r: &Value) -> Vec<String> {
    r["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// Follow a referral link from `from` (a loopback address) with Firefox; returns the click id
/// once the click is stored.
async fn click_from(s: &AppShop, from: &str, code: &str) -> uuid::Uuid {
    let click = s
        .app
        .visit(code)
        .from_address(from.parse().unwrap())
        .click()
        .await;
    s.app.clicks_stored(&[click]).await;
    click
}

#[tokio::test]
async fn each_rule_catches_its_case_with_its_signal_and_an_honest_referral_is_approved() {
    let s = shop().await;
    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let (ada, bob) = (s.referrers[0].1.clone(), s.referrers[1].1.clone());

    // Honest: another address, nothing shared.
    let click = click_from(&s, "127.0.0.20", &ada).await;
    let honest = lead(
        &s,
        json!({ "customerId": "h1", "email": "h1@example.com", "clickId": click }),
    )
    .await;
    let r = decided(&s, &mm, &honest).await;
    assert_eq!(r["status"], "APPROVED", "{r:#}");
    assert!(rules(&r).is_empty(), "{r:#}");

    // Self-referral by email: the referrer's Gmail address with dots moved and a +tag.
    let selfish = lead(
        &s,
        json!({ "customerId": "s1", "email": "adalovelace+deals@gmail.com", "code": ada }),
    )
    .await;
    let r = decided(&s, &mm, &selfish).await;
    assert_eq!(r["status"], "REJECTED", "{r:#}");
    assert_eq!(rules(&r), vec!["SELF_REFERRAL_EMAIL"]);
    assert_eq!(
        r["signals"][0]["evidence"]["canonical"],
        "adalovelace@gmail.com"
    );

    // Shared device: the merchant saw ada (as a customer) at 127.0.0.9 with Firefox; the referee
    // clicks from the same address and browser.
    s.app
        .graphql_ok(Some(&s.key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { duplicate } }", json!({ "i": { "orderId": "ada-own", "customerId": "ada", "amountMinor": "1000", "currency": "USD", "clientIp": "127.0.0.9", "userAgent": FIREFOX } }))
        .await;
    let click = click_from(&s, "127.0.0.9", &ada).await;
    let shared = lead(
        &s,
        json!({ "customerId": "d1", "email": "d1@example.com", "clickId": click }),
    )
    .await;
    let r = decided(&s, &mm, &shared).await;
    assert_eq!(
        r["status"], "REVIEW",
        "score 60 is between review (40) and reject (80): {r:#}"
    );
    assert_eq!(rules(&r), vec!["SHARED_DEVICE"]);
    assert_eq!(r["signals"][0]["evidence"]["shared"], "device");

    // Disposable email domain.
    let throwaway = lead(
        &s,
        json!({ "customerId": "t1", "email": "t1@mailinator.com", "code": bob }),
    )
    .await;
    let r = decided(&s, &mm, &throwaway).await;
    assert_eq!(r["status"], "REVIEW", "{r:#}");
    assert_eq!(rules(&r), vec!["DISPOSABLE_EMAIL"]);
    assert_eq!(r["signals"][0]["evidence"]["domain"], "mailinator.com");

    // Velocity: bob brings 12 referrals within the hour; from the 11th the default limit (10) is
    // exceeded (bob's disposable referral above counts too).
    let mut burst = Vec::new();
    for i in 0..11 {
        burst.push(lead(&s, json!({ "customerId": format!("v{i}"), "email": format!("v{i}@example.com"), "code": bob })).await);
    }
    let mut flagged = 0;
    for (i, id) in burst.iter().enumerate() {
        let r = decided(&s, &mm, id).await;
        if i < 9 {
            assert_eq!(r["status"], "APPROVED", "referral {} of bob: {r:#}", i + 2);
        } else {
            assert_eq!(r["status"], "REVIEW", "referral {} of bob: {r:#}", i + 2);
            assert_eq!(rules(&r), vec!["VELOCITY_HOUR"]);
            assert_eq!(r["signals"][0]["evidence"]["limit"], 10);
            flagged += 1;
        }
    }
    assert_eq!(flagged, 2);

    // Sales may not read fraud decisions.
    let sales = s.app.login_as("SALES").await;
    let refused = s
        .app
        .graphql(Some(&sales), REFERRAL, json!({ "id": honest }))
        .await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"], "{refused:#}");
}

#[tokio::test]
async fn a_reviewers_approval_resumes_the_flow_a_shadow_rule_changes_nothing_and_a_replay_reports_the_difference()
 {
    let s = shop().await;
    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let ada = s.referrers[0].1.clone();
    let campaign = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ campaigns { edges { node { id } } } }",
            json!({}),
        )
        .await["campaigns"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Flagged, no reward; sales cannot decide it; the marketing manager approves it: rewarded.
    let flagged = lead(
        &s,
        json!({ "customerId": "r1", "email": "r1@mailinator.com", "code": ada }),
    )
    .await;
    let r = decided(&s, &mm, &flagged).await;
    assert_eq!(r["status"], "REVIEW");
    assert_eq!(r["rewards"], json!([]));
    let queue = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ reviewQueue { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        queue["reviewQueue"]["edges"][0]["node"]["id"],
        flagged.as_str()
    );
    const REVIEW: &str = "mutation($id: UUID!, $v: ReviewVerdict!) { reviewReferral(id: $id, verdict: $v, reason: \"customer called, real friend\") { status } }";
    let sales = s.app.login_as("SALES").await;
    let refused = s
        .app
        .graphql(
            Some(&sales),
            REVIEW,
            json!({ "id": flagged, "v": "APPROVE" }),
        )
        .await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"]);
    let empty = s.app.graphql(Some(&mm), "mutation($id: UUID!) { reviewReferral(id: $id, verdict: APPROVE, reason: \"  \") { status } }", json!({ "id": flagged })).await;
    assert_eq!(codes(&empty), vec!["VALIDATION"]);
    let approved = s
        .app
        .graphql_ok(Some(&mm), REVIEW, json!({ "id": flagged, "v": "APPROVE" }))
        .await;
    assert_eq!(approved["reviewReferral"]["status"], "APPROVED");
    let rewarded = poll_until(Duration::from_secs(30), || async {
        let r = s
            .app
            .graphql_ok(Some(&mm), REFERRAL, json!({ "id": flagged }))
            .await["referral"]
            .clone();
        (r["rewards"].as_array().unwrap().len() == 1).then_some(r)
    })
    .await;
    assert_eq!(rewarded["status"], "APPROVED");
    let decisions = s
        .app
        .graphql_ok(
            Some(&mm),
            "query($id: UUID!) { referral(id: $id) { decisions { decidedBy decision reason } } }",
            json!({ "id": flagged }),
        )
        .await;
    assert_eq!(
        decisions["referral"]["decisions"][0],
        json!({ "decidedBy": "REVIEWER", "decision": "APPROVED", "reason": "customer called, real friend" })
    );

    // The disposable rule in shadow mode: recorded, not counted.
    let policy = s.app.graphql_ok(Some(&mm), "query($c: UUID!) { fraudPolicy(campaignId: $c) { reviewAt rejectAt maxPerHour maxPerDay refundBps sharedDeviceDays rules { rule score shadow enabled } } }", json!({ "c": campaign })).await["fraudPolicy"].clone();
    let mut shadowed = policy.clone();
    for rule in shadowed["rules"].as_array_mut().unwrap() {
        if rule["rule"] == "DISPOSABLE_EMAIL" {
            rule["shadow"] = json!(true);
        }
    }
    s.app.graphql_ok(Some(&mm), "mutation($c: UUID!, $p: FraudPolicyInput!) { setFraudPolicy(campaignId: $c, policy: $p) { reviewAt } }", json!({ "c": campaign, "p": shadowed })).await;
    let shadow = lead(
        &s,
        json!({ "customerId": "r2", "email": "r2@mailinator.com", "code": ada }),
    )
    .await;
    let r = decided(&s, &mm, &shadow).await;
    assert_eq!(
        r["status"], "APPROVED",
        "a shadow rule changes no decision: {r:#}"
    );
    assert_eq!(r["signals"][0]["rule"], "DISPOSABLE_EMAIL");
    assert_eq!(r["signals"][0]["shadow"], true);
    assert_eq!(r["score"], 0);

    // Replay under the original policy: the shadow-approved referral would go to review, and the
    // reviewer-approved one (proved good) would be flagged again: a false positive.
    let replay = s
        .app
        .graphql_ok(
            Some(&mm),
            "query($c: UUID!, $p: FraudPolicyInput!, $from: DateTime!, $to: DateTime!) { replayFraudRules(campaignId: $c, policy: $p, from: $from, to: $to) { total changed falsePositives review differences { referral { id status } would provedGood } } }",
            json!({ "c": campaign, "p": policy, "from": (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339(), "to": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339() }),
        )
        .await["replayFraudRules"]
        .clone();
    assert_eq!(replay["total"], 2, "{replay:#}");
    assert_eq!(replay["review"], 2, "{replay:#}");
    assert_eq!(replay["changed"], 2, "{replay:#}");
    assert_eq!(replay["falsePositives"], 1, "{replay:#}");
    let diff = |id: &str| {
        replay["differences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["referral"]["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(diff(&shadow)["would"], "REVIEW");
    assert_eq!(diff(&flagged)["provedGood"], true);
    // Nothing was written by the replay.
    let r = s
        .app
        .graphql_ok(Some(&mm), REFERRAL, json!({ "id": shadow }))
        .await;
    assert_eq!(r["referral"]["status"], "APPROVED");
}

#[tokio::test]
async fn bad_fraud_reward_and_payout_inputs_get_clear_codes_and_change_nothing() {
    let s = shop().await;
    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let finance = s.app.login_as("FINANCE").await;
    let campaign = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ campaigns { edges { node { id } } } }",
            json!({}),
        )
        .await["campaigns"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const POLICY: &str = "query($c: UUID!) { fraudPolicy(campaignId: $c) { reviewAt rejectAt maxPerHour maxPerDay refundBps sharedDeviceDays rules { rule score shadow enabled } } }";
    let policy = s
        .app
        .graphql_ok(Some(&mm), POLICY, json!({ "c": campaign }))
        .await["fraudPolicy"]
        .clone();
    const SET: &str = "mutation($c: UUID!, $p: FraudPolicyInput!) { setFraudPolicy(campaignId: $c, policy: $p) { rejectAt } }";
    let mut bad = policy.clone();
    bad["rejectAt"] = json!(10);
    let body = s
        .app
        .graphql(Some(&mm), SET, json!({ "c": campaign, "p": bad }))
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    assert_eq!(
        body["errors"][0]["extensions"]["fields"][0]["field"], "rejectAt",
        "{body:#}"
    );
    let mut bad = policy.clone();
    bad["rules"][0]["score"] = json!(-5);
    assert_eq!(
        codes(
            &s.app
                .graphql(Some(&mm), SET, json!({ "c": campaign, "p": bad }))
                .await
        ),
        vec!["VALIDATION"]
    );
    assert_eq!(
        s.app
            .graphql_ok(Some(&mm), POLICY, json!({ "c": campaign }))
            .await["fraudPolicy"],
        policy,
        "unchanged"
    );

    let from = chrono::Utc::now().to_rfc3339();
    let body = s.app.graphql(Some(&mm), "query($c: UUID!, $p: FraudPolicyInput!, $t: DateTime!) { replayFraudRules(campaignId: $c, policy: $p, from: $t, to: $t) { total } }", json!({ "c": campaign, "p": policy, "t": from })).await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    let body = s.app.graphql(Some(&mm), "mutation($id: UUID!) { reviewReferral(id: $id, verdict: APPROVE, reason: \"ok\") { status } }", json!({ "id": uuid::Uuid::new_v4() })).await;
    assert_eq!(codes(&body), vec!["NOT_FOUND"]);

    let body = s.app.graphql(Some(&s.key), LEAD, json!({ "i": { "customerId": "x1", "code": s.referrers[0].1, "clientIp": "not-an-address" } })).await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    let body = s.app.graphql(Some(&s.key), "mutation($i: ConversionInput!) { trackConversion(input: $i) { duplicate } }", json!({ "i": { "orderId": "o-x", "customerId": "x1", "amountMinor": "100", "currency": "USD", "code": s.referrers[0].1, "paymentFingerprint": "f".repeat(101) } })).await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    let referrals = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ referrals { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        referrals["referrals"]["edges"],
        json!([]),
        "nothing was attributed"
    );

    const SETTINGS: &str =
        "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { minimumMinor } }";
    for (field, input) in [
        (
            "minimumMinor",
            json!({ "provider": "DRY_RUN", "schedule": "DAILY", "minimumMinor": "0", "maxAttempts": 3 }),
        ),
        (
            "maxAttempts",
            json!({ "provider": "DRY_RUN", "schedule": "DAILY", "minimumMinor": "100", "maxAttempts": 0 }),
        ),
        (
            "approvalThresholdMinor",
            json!({ "provider": "DRY_RUN", "schedule": "DAILY", "minimumMinor": "100", "approvalThresholdMinor": "-1", "maxAttempts": 3 }),
        ),
    ] {
        let body = s
            .app
            .graphql(Some(&finance), SETTINGS, json!({ "i": input }))
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
        assert_eq!(
            body["errors"][0]["extensions"]["fields"][0]["field"], field,
            "{body:#}"
        );
    }
    let settings = s
        .app
        .graphql_ok(
            Some(&finance),
            "{ payoutSettings { provider schedule minimumMinor } }",
            json!({}),
        )
        .await;
    assert_eq!(
        settings["payoutSettings"],
        json!({ "provider": "DRY_RUN", "schedule": "IMMEDIATE", "minimumMinor": "1" }),
        "still the defaults"
    );

    let ada = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ participants { edges { node { id externalId } } } }",
            json!({}),
        )
        .await["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["externalId"] == "ada")
        .unwrap()["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    const ADJUST: &str = "mutation($p: UUID!, $a: BigInt!, $c: String!, $m: String!) { adjustBalance(participantId: $p, amountMinor: $a, currency: $c, memo: $m) { id } }";
    for (a, c, m) in [
        ("0", "USD", "goodwill"),
        ("500", "XX", "goodwill"),
        ("500", "USD", " "),
    ] {
        let body = s
            .app
            .graphql(
                Some(&finance),
                ADJUST,
                json!({ "p": ada, "a": a, "c": c, "m": m }),
            )
            .await;
        assert_eq!(codes(&body), vec!["VALIDATION"], "{a} {c} {m:?}: {body:#}");
    }
    let body = s
        .app
        .graphql(
            Some(&mm),
            ADJUST,
            json!({ "p": ada, "a": "500", "c": "USD", "m": "goodwill" }),
        )
        .await;
    assert_eq!(codes(&body), vec!["FORBIDDEN"]);
    let balances = s
        .app
        .graphql_ok(
            Some(&finance),
            "query($p: UUID!) { balances(participantId: $p) { account } }",
            json!({ "p": ada }),
        )
        .await;
    assert_eq!(balances["balances"], json!([]), "no entry was written");

    for mutation in [
        "approvePayout(id: $id) { status }",
        "retryPayout(id: $id) { status }",
        "cancelPayout(id: $id, reason: \"dup\") { status }",
    ] {
        let body = s
            .app
            .graphql(
                Some(&finance),
                &format!("mutation($id: UUID!) {{ {mutation} }}"),
                json!({ "id": uuid::Uuid::new_v4() }),
            )
            .await;
        assert_eq!(codes(&body), vec!["NOT_FOUND"], "{mutation}: {body:#}");
    }
    const ONBOARD: &str = "mutation($p: UUID!, $r: String!) { createPayoutOnboardingLink(participantId: $p, refreshUrl: \"https://x.example/r\", returnUrl: $r) { url } }";
    let body = s
        .app
        .graphql(
            Some(&finance),
            ONBOARD,
            json!({ "p": ada, "r": "ftp://x.example/done" }),
        )
        .await;
    assert_eq!(codes(&body), vec!["VALIDATION"], "{body:#}");
    let body = s
        .app
        .graphql(
            Some(&finance),
            ONBOARD,
            json!({ "p": ada, "r": "https://x.example/done" }),
        )
        .await;
    assert_eq!(
        codes(&body),
        vec!["CONFLICT"],
        "no Stripe key set: {body:#}"
    );
}
