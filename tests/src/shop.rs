//! A shop set up over GraphQL on a `grapevine serve` process: a launched campaign with reward
//! rules, enrolled referrers (onboarded to Stripe Connect when cash goes through Stripe) and a
//! secret API key. Used by the multi-process and crash tests.

use serde_json::{Value, json};

use crate::{client::GraphqlClient, stripe::SECRET_KEY};

/// What to set up.
pub struct ShopSpec<'a> {
    /// Referrers to enrol: `r00@referrers.example`, …
    pub referrers: usize,
    /// `RewardRuleInput`s.
    pub rules: Vec<Value>,
    /// Pay cash through Stripe Connect (and gift cards through the card API) instead of the dry
    /// run: the tenant's keys are set and every referrer onboards.
    pub providers: bool,
    /// Payout attempts before a payout is dead.
    pub max_attempts: u32,
    /// Campaign name.
    pub name: &'a str,
}

/// The shop's ids.
pub struct Shop {
    /// Campaign id.
    pub campaign: String,
    /// A secret API key, and its id.
    pub key: String,
    /// The key's id.
    pub key_id: String,
    /// (participant id, referral code) per referrer, in enrolment order.
    pub referrers: Vec<(String, String)>,
}

/// A fixed reward for `side` on the first purchase.
pub fn first_purchase(side: &str, amount: i64, reward_type: &str) -> Value {
    json!({ "side": side, "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": amount.to_string(), "rewardType": reward_type })
}

/// Set the shop up through `api` with an admin `token`.
pub async fn open(api: &GraphqlClient, token: &str, spec: ShopSpec<'_>) -> Shop {
    let provider = if spec.providers {
        for (name, value) in [
            ("stripe_secret_key", SECRET_KEY),
            ("giftcard_api_key", "gc_test_key"),
        ] {
            api.ok(
                token,
                "mutation($n: String!, $v: String!) { setTenantSecret(name: $n, value: $v) }",
                json!({ "n": name, "v": value }),
            )
            .await;
        }
        "STRIPE"
    } else {
        "DRY_RUN"
    };
    api.ok(
        token,
        "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { provider } }",
        json!({ "i": { "provider": provider, "schedule": "IMMEDIATE", "minimumMinor": "1", "maxAttempts": spec.max_attempts } }),
    )
    .await;
    let campaign = api
        .ok(
            token,
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": spec.name, "startsAt": "2026-01-01T00:00:00Z", "currency": "USD", "budgetMinor": "100000000", "holdDays": 0, "landingUrl": "https://shop.example/" } }),
        )
        .await["createCampaign"]["id"]
        .as_str()
        .expect("campaign id")
        .to_owned();
    for rule in &spec.rules {
        api.ok(
            token,
            "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }",
            json!({ "c": campaign, "i": rule }),
        )
        .await;
    }
    api.ok(
        token,
        "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }",
        json!({ "c": campaign, "i": { "channel": "EMAIL", "shareText": "{{referral_link}}", "emailSubject": "Share", "emailHtml": "<a href=\"{{referral_link}}\">{{referral_code}}</a> <a href=\"{{unsubscribe_url}}\">unsubscribe</a>", "emailText": "{{referral_link}}" } }),
    )
    .await;
    let people: Vec<Value> = (0..spec.referrers)
        .map(|i| json!({ "externalId": format!("r{i:02}"), "email": format!("r{i:02}@referrers.example") }))
        .collect();
    let enrolled = api
        .ok(
            token,
            "mutation($c: UUID!, $p: [ParticipantInput!]!) { enrollParticipants(campaignId: $c, participants: $p) { enrolments { referralCode participantId } errors { index message } } }",
            json!({ "c": campaign, "p": people }),
        )
        .await;
    let result = &enrolled["enrollParticipants"];
    assert_eq!(result["errors"], json!([]), "{result}");
    let referrers: Vec<(String, String)> = result["enrolments"]
        .as_array()
        .expect("enrolments")
        .iter()
        .map(|e| {
            (
                e["participantId"].as_str().expect("id").to_owned(),
                e["referralCode"].as_str().expect("code").to_owned(),
            )
        })
        .collect();
    assert_eq!(referrers.len(), spec.referrers);
    api.ok(
        token,
        "mutation($c: UUID!) { launchCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    if spec.providers {
        for (participant, _) in &referrers {
            onboard(api, token, participant).await;
        }
    }
    let created = api
        .ok(
            token,
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key apiKey { id } } }"#,
            json!({}),
        )
        .await;
    Shop {
        campaign,
        key: created["createApiKey"]["key"]
            .as_str()
            .expect("key")
            .to_owned(),
        key_id: created["createApiKey"]["apiKey"]["id"]
            .as_str()
            .expect("key id")
            .to_owned(),
        referrers,
    }
}

/// The participant onboards to Stripe Connect: a link, the (simulated) onboarding, a refresh.
pub async fn onboard(api: &GraphqlClient, token: &str, participant: &str) {
    let link = api
        .ok(
            token,
            "mutation($p: UUID!) { createPayoutOnboardingLink(participantId: $p, refreshUrl: \"https://shop.example/again\", returnUrl: \"https://shop.example/done\") { url } }",
            json!({ "p": participant }),
        )
        .await;
    let url = link["createPayoutOnboardingLink"]["url"]
        .as_str()
        .expect("url");
    let page = api.http.get(url).send().await.expect("onboarding page");
    assert!(page.status().is_success(), "{}", page.status());
    let state = api
        .ok(
            token,
            "mutation($p: UUID!) { refreshPayoutOnboarding(participantId: $p) { payoutOnboarding } }",
            json!({ "p": participant }),
        )
        .await;
    assert_eq!(
        state["refreshPayoutOnboarding"]["payoutOnboarding"],
        "COMPLETE"
    );
}
