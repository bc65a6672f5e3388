//! The shop every end-to-end test sets up, over GraphQL on an in-process [`TestApp`]
//! ([`open_on`]) or on a `grapevine serve` process ([`open`]): a launched campaign with reward
//! rules, enrolled referrers (onboarded to Stripe Connect when cash goes through Stripe) and a
//! secret API key.

use std::ops::Deref;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{TestApp, client::GraphqlClient, stripe::SECRET_KEY};

/// What to set up. `ShopSpec { rules, ..ShopSpec::default() }` for the usual rest.
pub struct ShopSpec<'a> {
    /// Campaign name.
    pub name: &'a str,
    /// Referrers to enrol, `(external id, email)`, in order; [`numbered`] makes `n` of them.
    pub referrers: Vec<(String, String)>,
    /// `RewardRuleInput`s.
    pub rules: Vec<Value>,
    /// The campaign's budget in cents; `None`: no cap.
    pub budget_minor: Option<i64>,
    /// Days a reward is held before it is released.
    pub hold_days: u32,
    /// When the campaign starts: by default a day ago on the wall clock (a test on a clock of its
    /// own passes a time before that clock's).
    pub starts_at: DateTime<Utc>,
    /// The tenant's payout settings, set first; `None` leaves them as they are (for a test that
    /// sets its own).
    pub payouts: Option<Payouts>,
}

/// Payout settings: paid at once, from one cent.
pub struct Payouts {
    /// Pay cash through Stripe Connect (and gift cards through the card API) instead of the dry
    /// run: the tenant's keys are set and every referrer onboards.
    pub providers: bool,
    /// Payout attempts before a payout is dead.
    pub max_attempts: u32,
}

impl Default for ShopSpec<'_> {
    fn default() -> Self {
        Self {
            name: "Shop",
            referrers: numbered(1),
            rules: Vec::new(),
            budget_minor: Some(100_000_000),
            hold_days: 0,
            starts_at: Utc::now() - chrono::Days::new(1),
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 3,
            }),
        }
    }
}

/// `n` referrers: `r00` (`r00@referrers.example`), `r01`, …
pub fn numbered(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("r{i:02}"), format!("r{i:02}@referrers.example")))
        .collect()
}

/// Referrers with the given external ids and emails.
pub fn named(people: &[(&str, &str)]) -> Vec<(String, String)> {
    people
        .iter()
        .map(|(id, email)| ((*id).to_owned(), (*email).to_owned()))
        .collect()
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

/// The rewards of [`TestApp::design_campaign`]: 10.00 to the referrer and 15.00 to the referee,
/// on a first purchase of at least 20.00.
pub fn double_sided() -> Vec<Value> {
    [("REFERRER", "1000"), ("REFEREE", "1500")]
        .into_iter()
        .map(|(side, amount)| json!({ "side": side, "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": amount, "minOrderMinor": "2000" }))
        .collect()
}

/// A fixed reward for `side` on the first purchase.
pub fn first_purchase(side: &str, amount: i64, reward_type: &str) -> Value {
    json!({ "side": side, "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": amount.to_string(), "rewardType": reward_type })
}

/// A shop opened on an in-process app, which it keeps: `s.app`, and the shop's ids through
/// `Deref` (`s.key`, `s.campaign`, `s.referrers`).
pub struct AppShop {
    /// The app the shop is on.
    pub app: TestApp,
    /// The shop's ids.
    pub shop: Shop,
}

impl Deref for AppShop {
    type Target = Shop;
    fn deref(&self) -> &Shop {
        &self.shop
    }
}

/// Set the shop up on `app` with its admin.
pub async fn open_on(app: TestApp, spec: ShopSpec<'_>) -> AppShop {
    let shop = open(&GraphqlClient::new(&app.address), &app.admin_token, spec).await;
    AppShop { app, shop }
}

/// Set the shop up through `api` with an admin `token`.
pub async fn open(api: &GraphqlClient, token: &str, spec: ShopSpec<'_>) -> Shop {
    let providers = spec.payouts.as_ref().is_some_and(|p| p.providers);
    if let Some(payouts) = &spec.payouts {
        let provider = if payouts.providers {
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
            json!({ "i": { "provider": provider, "schedule": "IMMEDIATE", "minimumMinor": "1", "maxAttempts": payouts.max_attempts } }),
        )
        .await;
    }
    let budget = spec.budget_minor.map(|b| b.to_string());
    let campaign = api
        .ok(
            token,
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": { "name": spec.name, "startsAt": spec.starts_at, "currency": "USD", "budgetMinor": budget, "holdDays": spec.hold_days, "landingUrl": "https://shop.example/" } }),
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
    let people: Vec<Value> = spec
        .referrers
        .iter()
        .map(|(id, email)| json!({ "externalId": id, "email": email }))
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
    assert_eq!(referrers.len(), spec.referrers.len());
    api.ok(
        token,
        "mutation($c: UUID!) { launchCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    if providers {
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
