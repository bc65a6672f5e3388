//! The incentive loop end to end: test case A-1 (click → lead → purchase → fraud check → rewards
//! held → released → the referee's coupon on localstripe and the referrer's cash through a
//! Stripe Connect transfer on the Stripe-shaped test server → emails), the budget cap under
//! concurrent conversions, refunds before and after payout, payout retries and finance approval.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use grapevine_entity::{
    domain::clock::ManualClock,
    tables::{JobRunOutcome, JobState, campaigns, job_outbox, job_runs, ledger_entries, rewards},
};
use grapevine_tests::{
    Backend, TestApp, error_codes as codes, poll_until,
    shop::{self, AppShop, Payouts, ShopSpec},
    spawn_app_with_clock,
    stripe::{LocalStripe, SECRET_KEY},
    stripe_shaped::StripeShaped,
};
use grapevine_worker::jobs::ReleaseRewards;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const LEAD: &str =
    "mutation($i: LeadInput!) { trackLead(input: $i) { referral { id status } notAttributed } }";
const CONVERSION: &str = "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id referralId organic } } }";
const REFERRAL: &str = "query($id: UUID!) { referral(id: $id) { id status score signals { rule score shadow evidence } rewards { id side rewardType status amount { amountMinor currency } reversed { amountMinor } fulfilmentCode payoutId } } }";

/// "Give 15, get 10" with `rules`, no budget and referrers `ada`, `bob`; the tenant's payout
/// settings are left as the test set them.
fn spec(rules: &[Value]) -> ShopSpec<'static> {
    ShopSpec {
        name: "Give 15, get 10",
        referrers: shop::named(&[("ada", "ada@example.com"), ("bob", "bob@example.com")]),
        rules: rules.to_vec(),
        budget_minor: None,
        payouts: None,
        ..ShopSpec::default()
    }
}

/// A launched campaign with the given rules, budget and hold (see [`spec`]).
async fn shop(app: TestApp, rules: &[Value], budget: Option<&str>, hold_days: u32) -> AppShop {
    let starts_at = app.now() - chrono::Days::new(1);
    let spec = ShopSpec {
        budget_minor: budget.map(|b| b.parse().unwrap()),
        hold_days,
        starts_at,
        ..spec(rules)
    };
    shop::open_on(app, spec).await
}

fn fixed(side: &str, trigger: &str, amount: &str, reward_type: &str) -> Value {
    json!({ "side": side, "trigger": trigger, "kind": "FIXED", "amountMinor": amount, "rewardType": reward_type })
}

/// A referee buys through `code`: lead, then a purchase of `amount` cents. Returns the referral id.
async fn referred_purchase(
    s: &AppShop,
    code: &str,
    customer: &str,
    order: &str,
    amount: &str,
) -> String {
    let referral = lead(s, code, customer).await;
    s.app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": { "orderId": order, "customerId": customer, "amountMinor": amount, "currency": "USD", "code": code } }))
        .await;
    referral
}

/// A referee signs up through `code` (a lead); returns the referral id.
async fn lead(s: &AppShop, code: &str, customer: &str) -> String {
    let r = s
        .app
        .graphql_ok(
            Some(&s.key),
            LEAD,
            json!({ "i": { "customerId": customer, "email": format!("{customer}@example.com"), "code": code } }),
        )
        .await;
    r["trackLead"]["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn referral(s: &AppShop, token: &str, id: &str) -> Value {
    s.app
        .graphql_ok(Some(token), REFERRAL, json!({ "id": id }))
        .await["referral"]
        .clone()
}

/// Wait until the referral's rewards satisfy `check`.
async fn rewards_until(
    s: &AppShop,
    token: &str,
    id: &str,
    check: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    poll_until(Duration::from_secs(30), || async {
        let r = referral(s, token, id).await;
        let rewards = r["rewards"].as_array().cloned().unwrap_or_default();
        check(&rewards).then_some(rewards)
    })
    .await
}

/// An app paying cash through Stripe Connect on `shaped` at once, with `rules` and no hold;
/// referrers onboarded. Returns the shop and a finance token.
async fn stripe_shop(
    shaped: &StripeShaped,
    rules: &[Value],
    configure: impl FnOnce(&mut grapevine_api::Config) + Send + 'static,
) -> (AppShop, String) {
    let url = shaped.url();
    let app = spawn_app_with_clock(Backend::current(), None, move |c| {
        c.stripe.api_base = url.clone();
        c.stripe.connect_api_base = url;
        configure(c);
    })
    .await;
    let finance = app.login_as("FINANCE").await;
    let spec = ShopSpec {
        payouts: Some(Payouts {
            providers: true,
            max_attempts: 4,
        }),
        ..spec(rules)
    };
    let s = shop::open_on(app, spec).await;
    (s, finance)
}

fn side<'a>(rewards: &'a [Value], side: &str) -> &'a Value {
    rewards.iter().find(|r| r["side"] == side).unwrap()
}

#[tokio::test]
async fn test_case_a1_click_lead_purchase_is_rewarded_on_both_sides_and_paid_once() {
    let clock = ManualClock::new(Utc::now());
    let localstripe = LocalStripe::start().await;
    let shaped = StripeShaped::start().await;
    let (stripe_url, connect_url) = (localstripe.url(), shaped.url());
    let app = spawn_app_with_clock(
        Backend::current(),
        Some(Arc::new(clock.clone())),
        move |c| {
            c.stripe.api_base = stripe_url;
            c.stripe.connect_api_base = connect_url;
        },
    )
    .await;
    let token = app.admin_token.clone();
    app.graphql_ok(
        Some(&token),
        "mutation($v: String!) { setTenantSecret(name: \"stripe_secret_key\", value: $v) }",
        json!({ "v": SECRET_KEY }),
    )
    .await;
    let finance = app.login_as("FINANCE").await;
    app.graphql_ok(
        Some(&finance),
        "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { provider } }",
        json!({ "i": { "provider": "STRIPE", "schedule": "IMMEDIATE", "minimumMinor": "500", "maxAttempts": 5 } }),
    )
    .await;
    let rules = [
        json!({ "side": "REFERRER", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "1000", "minOrderMinor": "2000", "rewardType": "CASH" }),
        json!({ "side": "REFEREE", "trigger": "FIRST_PURCHASE", "kind": "FIXED", "amountMinor": "1500", "rewardType": "COUPON" }),
    ];
    let s = shop(app, &rules, Some("100000"), 14).await;
    let (ada, ada_code) = s.referrers[0].clone();

    // The referrer onboards to Stripe Connect: a link, the (simulated) onboarding, a refresh.
    let link = s
        .app
        .graphql_ok(
            Some(&finance),
            "mutation($p: UUID!) { createPayoutOnboardingLink(participantId: $p, refreshUrl: \"https://shop.example/again\", returnUrl: \"https://shop.example/done\") { url participant { payoutOnboarding payoutAccountId } } }",
            json!({ "p": ada }),
        )
        .await;
    let link = &link["createPayoutOnboardingLink"];
    assert_eq!(link["participant"]["payoutOnboarding"], "PENDING");
    let account = link["participant"]["payoutAccountId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        reqwest::get(link["url"].as_str().unwrap())
            .await
            .unwrap()
            .status()
            .is_success()
    );
    let refreshed = s
        .app
        .graphql_ok(Some(&finance), "mutation($p: UUID!) { refreshPayoutOnboarding(participantId: $p) { payoutOnboarding } }", json!({ "p": ada }))
        .await;
    assert_eq!(
        refreshed["refreshPayoutOnboarding"]["payoutOnboarding"],
        "COMPLETE"
    );

    // Click → lead → purchase.
    let click = s.app.click(&ada_code, "Mozilla/5.0 Firefox/128.0").await;
    s.app.clicks_stored(&[click]).await;
    let lead = s
        .app
        .graphql_ok(Some(&s.key), LEAD, json!({ "i": { "customerId": "friend-1", "email": "friend1@example.com", "clickId": click } }))
        .await;
    let referral_id = lead["trackLead"]["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.app
        .graphql_ok(Some(&s.key), CONVERSION, json!({ "i": { "orderId": "order-1", "customerId": "friend-1", "email": "friend1@example.com", "amountMinor": "4200", "currency": "USD", "clickId": click } }))
        .await;

    // Fraud check passes; both rewards are created and held.
    let held = rewards_until(&s, &token, &referral_id, |r| r.len() == 2).await;
    assert!(held.iter().all(|r| r["status"] == "HELD"), "{held:#?}");
    assert_eq!(side(&held, "REFERRER")["amount"]["amountMinor"], "1000");
    assert_eq!(side(&held, "REFEREE")["amount"]["amountMinor"], "1500");
    let r = referral(&s, &token, &referral_id).await;
    assert_eq!(r["status"], "APPROVED");
    assert_eq!(
        r["signals"],
        json!([]),
        "an honest referral raises no signal"
    );

    // Nothing moves before the hold ends: a release pass queued now has looked and left them.
    s.app.next_pass::<ReleaseRewards>().await;
    assert!(
        rewards_until(&s, &token, &referral_id, |r| r.len() == 2)
            .await
            .iter()
            .all(|r| r["status"] == "HELD")
    );

    // Past the hold: the coupon is created on localstripe, the cash is transferred once.
    clock.advance(chrono::Duration::days(15));
    let settled = rewards_until(&s, &token, &referral_id, |r| {
        r.iter()
            .any(|x| x["side"] == "REFEREE" && x["status"] == "FULFILLED")
            && r.iter()
                .any(|x| x["side"] == "REFERRER" && x["status"] == "PAID")
    })
    .await;
    let coupon = side(&settled, "REFEREE");
    let coupon_id = coupon["id"].as_str().unwrap();
    assert_eq!(
        coupon["fulfilmentCode"], coupon_id,
        "the coupon id is the reward id"
    );
    let on_stripe = localstripe
        .get(&format!("/v1/coupons/{coupon_id}"))
        .await
        .expect("coupon on localstripe");
    assert_eq!(on_stripe["amount_off"], 1500);
    assert_eq!(on_stripe["duration"], "once");

    let payout_id = side(&settled, "REFERRER")["payoutId"]
        .as_str()
        .unwrap()
        .to_owned();
    let payout = s
        .app
        .graphql_ok(Some(&finance), "query($id: UUID!) { payout(id: $id) { status amount { amountMinor currency } providerRef attempts } }", json!({ "id": payout_id }))
        .await;
    assert_eq!(payout["payout"]["status"], "PAID");
    assert_eq!(payout["payout"]["amount"]["amountMinor"], "1000");
    assert_eq!(payout["payout"]["attempts"], 1);
    let stats = shaped.stats().await;
    let transfers = stats["transfers"].as_array().unwrap();
    assert_eq!(transfers.len(), 1, "{stats:#}");
    assert_eq!(transfers[0]["transfer_group"], payout_id.as_str());
    assert_eq!(transfers[0]["amount"], 1000);
    assert_eq!(transfers[0]["destination"], account.as_str());
    assert_eq!(payout["payout"]["providerRef"], transfers[0]["id"]);

    // The balance is paid out: available cash is zero, and the ledger sums to it.
    let balances = s
        .app
        .graphql_ok(Some(&finance), "query($p: UUID!) { balances(participantId: $p) { account total { amountMinor } available { amountMinor } } }", json!({ "p": ada }))
        .await;
    assert_eq!(
        balances["balances"],
        json!([{ "account": "CASH", "total": { "amountMinor": "0" }, "available": { "amountMinor": "0" } }])
    );

    // Emails: the launch emails (ada, bob), the referrer told of the reward and of the payment,
    // the referee welcomed and given the code: six, each once.
    let mail = s.app.smtp.wait_for(6, Duration::from_secs(30)).await;
    let to = |addr: &str| {
        mail.iter()
            .filter(|m| m.to.iter().any(|t| t == addr))
            .filter_map(|m| m.subject.clone())
            .collect::<Vec<_>>()
    };
    let ada_mail = to("ada@example.com");
    assert!(
        ada_mail.iter().any(|s| s.contains("You earned 10.00 USD")),
        "{ada_mail:?}"
    );
    assert!(
        ada_mail
            .iter()
            .any(|s| s.contains("10.00 USD is on its way")),
        "{ada_mail:?}"
    );
    let friend_mail = to("friend1@example.com");
    assert!(
        friend_mail.iter().any(|s| s.starts_with("Welcome")),
        "{friend_mail:?}"
    );
    let coupon_mail = mail
        .iter()
        .find(|m| {
            m.to.iter().any(|t| t == "friend1@example.com")
                && m.subject
                    .as_deref()
                    .is_some_and(|s| s.contains("15.00 USD"))
        })
        .expect("the referee's coupon email");
    assert!(
        coupon_mail
            .text
            .as_deref()
            .unwrap_or_default()
            .contains(coupon_id)
    );
    // Every email job has finished, so a duplicate would have been sent by now.
    s.app.jobs_idle().await;
    let again = s.app.smtp.messages();
    for m in &again {
        let same = again
            .iter()
            .filter(|n| n.to == m.to && n.subject == m.subject)
            .count();
        assert_eq!(same, 1, "sent twice: {:?} to {:?}", m.subject, m.to);
    }
}

#[tokio::test]
async fn a_budget_cap_is_never_exceeded_when_fifty_conversions_race() {
    let app = spawn_app_with_clock(Backend::current(), None, |_| {}).await;
    let s = shop(
        app,
        &[fixed("REFERRER", "FIRST_PURCHASE", "1000", "CASH")],
        Some("5000"),
        14,
    )
    .await;
    let (_, code) = s.referrers[0].clone();
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (address, key, code) = (s.app.address.clone(), s.key.clone(), code.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let body = json!({ "query": CONVERSION, "variables": { "i": { "orderId": format!("race-{i}"), "customerId": format!("racer-{i}"), "email": format!("racer{i}@example.com"), "amountMinor": "3000", "currency": "USD", "code": code } } });
            let res: Value = client.post(format!("{address}/graphql")).bearer_auth(key).json(&body).send().await.unwrap().json().await.unwrap();
            assert!(res.get("errors").is_none(), "{res:#}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let db = s.app.db.connect().await;
    let campaign: uuid::Uuid = s.campaign.parse().unwrap();
    // Every referral settles (velocity sends some to review: they earn nothing until approved).
    poll_until(Duration::from_secs(60), || async {
        let pending = grapevine_entity::tables::job_outbox::Entity::find()
            .filter(grapevine_entity::tables::job_outbox::Column::State.is_not_in(["done", "dead"]))
            .filter(
                grapevine_entity::tables::job_outbox::Column::Kind
                    .is_in(["referral.validate", "referral.settle"]),
            )
            .all(&db)
            .await
            .unwrap();
        pending.is_empty().then_some(())
    })
    .await;
    // Approve everything the velocity rule held back, so all 50 compete for the budget.
    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let queue = s
        .app
        .graphql_ok(
            Some(&mm),
            "{ reviewQueue(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let held: Vec<String> = queue["reviewQueue"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    let reviews = held.iter().map(|id| {
        let (address, mm, id) = (s.app.address.clone(), mm.clone(), id.clone());
        tokio::spawn(async move {
            let body = json!({ "query": "mutation($id: UUID!) { reviewReferral(id: $id, verdict: APPROVE, reason: \"known customer\") { status } }", "variables": { "id": id } });
            let res: Value = reqwest::Client::new().post(format!("{address}/graphql")).bearer_auth(mm).json(&body).send().await.unwrap().json().await.unwrap();
            assert!(res.get("errors").is_none(), "{res:#}");
        })
    });
    for r in reviews.collect::<Vec<_>>() {
        r.await.unwrap();
    }
    poll_until(Duration::from_secs(60), || async {
        let open = grapevine_entity::tables::job_outbox::Entity::find()
            .filter(grapevine_entity::tables::job_outbox::Column::State.is_not_in(["done", "dead"]))
            .filter(grapevine_entity::tables::job_outbox::Column::Kind.eq("referral.settle"))
            .all(&db)
            .await
            .unwrap();
        open.is_empty().then_some(())
    })
    .await;
    let all = rewards::Entity::find()
        .filter(rewards::Column::CampaignId.eq(campaign))
        .all(&db)
        .await
        .unwrap();
    let total: i64 = all.iter().map(|r| r.amount_minor).sum();
    assert_eq!(
        all.len(),
        5,
        "five rewards of 1000 fit a budget of 5000, no more"
    );
    assert_eq!(total, 5000);
    assert!(
        all.iter().all(|r| r.amount_minor == 1000),
        "no partial reward"
    );
    let c = campaigns::Entity::find_by_id(campaign)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.budget_reserved_minor, 5000);
}

#[tokio::test]
async fn a_partial_refund_before_payout_and_a_full_refund_after_payout_both_net_out_in_the_ledger()
{
    let clock = ManualClock::new(Utc::now());
    let app = spawn_app_with_clock(Backend::current(), Some(Arc::new(clock.clone())), |_| {}).await;
    let s = shop(
        app,
        &[fixed("REFERRER", "EACH_PURCHASE", "1000", "CASH")
            .as_object()
            .cloned()
            .map(|mut o| {
                o.insert("maxPurchases".into(), json!(5));
                Value::Object(o)
            })
            .unwrap()],
        None,
        7,
    )
    .await;
    let (ada, code) = s.referrers[0].clone();
    let finance = s.app.login_as("FINANCE").await;
    let token = s.app.admin_token.clone();
    let referral_id = referred_purchase(&s, &code, "cara", "o-1", "10000").await;
    rewards_until(&s, &token, &referral_id, |r| r.len() == 1).await;

    // 30 % refunded before payout: the held reward shrinks to 700.
    s.app.graphql_ok(Some(&s.key), "mutation { refundConversion(orderId: \"o-1\", refundId: \"rf-1\", amountMinor: \"3000\") { id } }", json!({})).await;
    let r = rewards_until(&s, &token, &referral_id, |r| {
        r[0]["reversed"]["amountMinor"] == "300"
    })
    .await;
    assert_eq!(r[0]["status"], "HELD");
    let balance = |p: String| {
        let (app, finance) = (&s.app, finance.clone());
        async move {
            app.graphql_ok(Some(&finance), "query($p: UUID!) { balances(participantId: $p) { total { amountMinor } available { amountMinor } } }", json!({ "p": p })).await["balances"][0].clone()
        }
    };
    assert_eq!(balance(ada.clone()).await["total"]["amountMinor"], "700");
    assert_eq!(
        balance(ada.clone()).await["available"]["amountMinor"],
        "0",
        "still held"
    );

    // Released and paid (dry run, the default provider): 700.
    clock.advance(chrono::Duration::days(8));
    rewards_until(&s, &token, &referral_id, |r| r[0]["status"] == "PAID").await;
    assert_eq!(balance(ada.clone()).await["total"]["amountMinor"], "0");

    // A second purchase, then the first order is refunded in full after its payout: the paid 700
    // is clawed back and the next payout nets it off.
    s.app.graphql_ok(Some(&s.key), CONVERSION, json!({ "i": { "orderId": "o-2", "customerId": "cara", "amountMinor": "5000", "currency": "USD", "code": code } })).await;
    rewards_until(&s, &token, &referral_id, |r| r.len() == 2).await;
    s.app.graphql_ok(Some(&s.key), "mutation { refundConversion(orderId: \"o-1\", refundId: \"rf-2\", amountMinor: \"7000\") { id } }", json!({})).await;
    let db = s.app.db.connect().await;
    let ada_id: uuid::Uuid = ada.parse().unwrap();
    poll_until(Duration::from_secs(30), || async {
        let entries = ledger_entries::Entity::find()
            .filter(ledger_entries::Column::ParticipantId.eq(ada_id))
            .all(&db)
            .await
            .unwrap();
        entries
            .iter()
            .any(|e| e.kind == grapevine_entity::tables::LedgerKind::Clawback)
            .then_some(())
    })
    .await;
    let r = referral(&s, &token, &referral_id).await;
    assert_eq!(
        r["status"], "REJECTED",
        "a fully refunded order scores the refund rule"
    );
    let b = balance(ada.clone()).await;
    assert_eq!(
        b["total"]["amountMinor"], "-700",
        "the clawback, not yet netted (the second reward was reversed with the rejection)"
    );
    let entries = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::ParticipantId.eq(ada_id))
        .all(&db)
        .await
        .unwrap();
    let sum: i64 = entries.iter().map(|e| e.amount_minor).sum();
    assert_eq!(sum, -700, "a balance is the sum of the ledger");

    // A later reward from another referee nets the clawback off: 1000 − 700 = 300 is paid.
    let other = referred_purchase(&s, &code, "dan", "o-3", "8000").await;
    rewards_until(&s, &token, &other, |r| r.len() == 1).await;
    clock.advance(chrono::Duration::days(8));
    rewards_until(&s, &token, &other, |r| r[0]["status"] == "PAID").await;
    let payouts = s.app.graphql_ok(Some(&finance), "query($p: UUID!) { payouts(filter: { participantId: $p }) { edges { node { amount { amountMinor } status } } } }", json!({ "p": ada })).await;
    let amounts: Vec<&str> = payouts["payouts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["amount"]["amountMinor"].as_str().unwrap())
        .collect();
    assert_eq!(
        amounts,
        vec!["300", "700"],
        "newest first: the netted payout, then the first"
    );
    assert_eq!(balance(ada).await["total"]["amountMinor"], "0");
}

#[tokio::test]
async fn a_failing_provider_is_retried_until_paid_and_a_dead_payout_pays_once_after_a_manual_retry()
{
    let shaped = StripeShaped::start().await;
    let (s, finance) = stripe_shop(
        &shaped,
        &[fixed("REFERRER", "LEAD", "1000", "CASH")],
        |_| {},
    )
    .await;
    let token = s.app.admin_token.clone();
    const PAYOUT: &str = "query($id: UUID!) { payout(id: $id) { status attempts lastError attemptLog { attempt outcome error } } }";

    // Three failures, then success: paid, four attempts recorded.
    shaped
        .fail("/v1/transfers", 3, 500, "stripe is having a moment")
        .await;
    let (ada, ada_code) = s.referrers[0].clone();
    let rid = lead(&s, &ada_code, "eve").await;
    let rewards = rewards_until(&s, &token, &rid, |r| {
        r.len() == 1 && r[0]["status"] == "PAID"
    })
    .await;
    let payout = s
        .app
        .graphql_ok(
            Some(&finance),
            PAYOUT,
            json!({ "id": rewards[0]["payoutId"] }),
        )
        .await["payout"]
        .clone();
    assert_eq!(payout["status"], "PAID");
    assert_eq!(payout["attempts"], 4);
    let outcomes: Vec<&str> = payout["attemptLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, vec!["FAILED", "FAILED", "FAILED", "SUCCEEDED"]);
    let _ = ada;

    // Always failing: dead after four attempts, with the error.
    shaped
        .fail("/v1/transfers", -1, 500, "stripe is down")
        .await;
    let (_, bob_code) = s.referrers[1].clone();
    let rid = lead(&s, &bob_code, "fay").await;
    let rewards = rewards_until(&s, &token, &rid, |r| {
        r.len() == 1 && r[0]["payoutId"].is_string()
    })
    .await;
    let payout_id = rewards[0]["payoutId"].as_str().unwrap().to_owned();
    let dead = poll_until(Duration::from_secs(30), || async {
        let p = s
            .app
            .graphql_ok(Some(&finance), PAYOUT, json!({ "id": payout_id }))
            .await["payout"]
            .clone();
        (p["status"] == "DEAD").then_some(p)
    })
    .await;
    assert_eq!(dead["attempts"], 4);
    assert!(
        dead["lastError"]
            .as_str()
            .unwrap()
            .contains("stripe is down"),
        "{dead:#}"
    );

    // Fixed, then retried by hand: paid once.
    shaped.fail("/v1/transfers", 0, 500, "").await;
    shaped.forget_idempotency().await;
    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let refused = s
        .app
        .graphql(
            Some(&mm),
            "mutation($id: UUID!) { retryPayout(id: $id) { status } }",
            json!({ "id": payout_id }),
        )
        .await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"]);
    s.app
        .graphql_ok(
            Some(&finance),
            "mutation($id: UUID!) { retryPayout(id: $id) { status } }",
            json!({ "id": payout_id }),
        )
        .await;
    poll_until(Duration::from_secs(30), || async {
        let p = s
            .app
            .graphql_ok(Some(&finance), PAYOUT, json!({ "id": payout_id }))
            .await["payout"]
            .clone();
        (p["status"] == "PAID").then_some(p)
    })
    .await;
    let stats = shaped.stats().await;
    let to_group = |g: &str| {
        stats["transfers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["transfer_group"] == g)
            .count()
    };
    assert_eq!(to_group(&payout_id), 1, "{stats:#}");
    assert_eq!(
        stats["transfers"].as_array().unwrap().len(),
        2,
        "one transfer per payout, no more"
    );
}

#[tokio::test]
async fn a_payout_above_the_threshold_waits_for_finance_and_marketing_cannot_approve_it() {
    let app = spawn_app_with_clock(Backend::current(), None, |_| {}).await;
    let finance = app.login_as("FINANCE").await;
    app.graphql_ok(Some(&finance), "mutation($i: PayoutSettingsInput!) { setPayoutSettings(input: $i) { provider } }", json!({ "i": { "provider": "DRY_RUN", "schedule": "IMMEDIATE", "minimumMinor": "1", "approvalThresholdMinor": "50000", "maxAttempts": 3 } })).await;
    let s = shop(app, &[fixed("REFERRER", "LEAD", "75000", "CASH")], None, 0).await;
    let token = s.app.admin_token.clone();
    let (_, code) = s.referrers[0].clone();
    let rid = lead(&s, &code, "gil").await;
    let rewards = rewards_until(&s, &token, &rid, |r| {
        r.len() == 1 && r[0]["payoutId"].is_string()
    })
    .await;
    let payout_id = rewards[0]["payoutId"].as_str().unwrap().to_owned();
    let p = s
        .app
        .graphql_ok(
            Some(&finance),
            "query($id: UUID!) { payout(id: $id) { status holdReason } }",
            json!({ "id": payout_id }),
        )
        .await;
    assert_eq!(p["payout"]["status"], "AWAITING_APPROVAL");
    assert_eq!(p["payout"]["holdReason"], "above_approval_threshold");

    let mm = s.app.login_as("MARKETING_MANAGER").await;
    let refused = s
        .app
        .graphql(
            Some(&mm),
            "mutation($id: UUID!) { approvePayout(id: $id) { status } }",
            json!({ "id": payout_id }),
        )
        .await;
    assert_eq!(codes(&refused), vec!["FORBIDDEN"], "{refused:#}");
    let approved = s
        .app
        .graphql_ok(
            Some(&finance),
            "mutation($id: UUID!) { approvePayout(id: $id) { status } }",
            json!({ "id": payout_id }),
        )
        .await;
    assert_eq!(approved["approvePayout"]["status"], "PENDING");
    rewards_until(&s, &token, &rid, |r| r[0]["status"] == "PAID").await;
    let again = s
        .app
        .graphql(
            Some(&finance),
            "mutation($id: UUID!) { approvePayout(id: $id) { status } }",
            json!({ "id": payout_id }),
        )
        .await;
    assert_eq!(codes(&again), vec!["CONFLICT"]);
}

#[tokio::test]
async fn a_payout_slower_than_the_job_lease_keeps_its_lease_and_is_attempted_once() {
    let shaped = StripeShaped::start().await;
    // A one-second lease, and a provider that takes three and a half to answer.
    let (s, finance) = stripe_shop(&shaped, &[fixed("REFERRER", "LEAD", "1000", "CASH")], |c| {
        c.queue.lease_secs = 1;
        c.queue.redeliver_after_secs = 1;
    })
    .await;
    shaped
        .configure(json!({ "create_response_delay_ms": 3500 }))
        .await;
    let (_, code) = s.referrers[0].clone();
    let rid = lead(&s, &code, "sly").await;
    let token = s.app.admin_token.clone();
    let rewards = rewards_until(&s, &token, &rid, |r| {
        r.len() == 1 && r[0]["status"] == "PAID"
    })
    .await;
    let payout = s
        .app
        .graphql_ok(
            Some(&finance),
            "query($id: UUID!) { payout(id: $id) { status attempts attemptLog { outcome } } }",
            json!({ "id": rewards[0]["payoutId"] }),
        )
        .await["payout"]
        .clone();
    assert_eq!(
        payout,
        json!({ "status": "PAID", "attempts": 1, "attemptLog": [{ "outcome": "SUCCEEDED" }] })
    );
    assert_eq!(shaped.stats().await["creates"]["/v1/transfers"], 1);
    // The queue ran the payment job once: no other worker took it over while it waited.
    let db = s.app.db.connect().await;
    let runs = job_runs::Entity::find()
        .filter(job_runs::Column::Kind.eq("payout.pay"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1, "{runs:#?}");
}

#[tokio::test]
async fn two_jobs_reversing_the_same_reward_at_once_post_one_reversal() {
    let app = spawn_app_with_clock(Backend::current(), None, |_| {}).await;
    let s = shop(
        app,
        &[fixed("REFERRER", "FIRST_PURCHASE", "1000", "CASH")],
        None,
        14,
    )
    .await;
    let (_, code) = s.referrers[0].clone();
    let token = s.app.admin_token.clone();
    let referral_id = referred_purchase(&s, &code, "rita", "o-r", "10000").await;
    let held = rewards_until(&s, &token, &referral_id, |r| r.len() == 1).await;
    let reward_id: uuid::Uuid = held[0]["id"].as_str().unwrap().parse().unwrap();
    let db = s.app.db.connect().await;
    // Both read the reward before either writes, as two jobs on two workers would.
    let seen = rewards::Entity::find_by_id(reward_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let reverse = |seen: rewards::Model| {
        let db = db.clone();
        tokio::spawn(async move {
            let txn = grapevine_entity::db::begin_write(&db).await.unwrap();
            let after = grapevine_entity::ops::ledger::reverse(&txn, seen, 300, "test", Utc::now())
                .await
                .unwrap();
            txn.commit().await.unwrap();
            after
        })
    };
    let (a, b) = (reverse(seen.clone()), reverse(seen));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    assert_eq!((a.reversed_minor, b.reversed_minor), (300, 300));
    let entries = ledger_entries::Entity::find()
        .filter(ledger_entries::Column::RewardId.eq(reward_id))
        .all(&db)
        .await
        .unwrap();
    let reversals: Vec<i64> = entries
        .iter()
        .filter(|e| e.amount_minor < 0)
        .map(|e| e.amount_minor)
        .collect();
    assert_eq!(reversals, [-300], "one reversal entry: {entries:#?}");
    assert_eq!(entries.iter().map(|e| e.amount_minor).sum::<i64>(), 700);
}

/// A reward committed while a payout run for the same referrer is under way (seen in CI: with
/// validation creating rewards in its own transaction, a payout run paid a reward's entry without
/// taking the reward into the payout, and the reward waited for ever). The run is held inside its
/// statements by a row lock on the referrer's first reward while the second reward's transaction
/// commits; every reward must end in exactly one payout that paid exactly its rewards. PostgreSQL
/// only: SQLite runs one write transaction at a time, so the interleaving cannot happen there.
#[tokio::test]
async fn a_reward_committed_during_a_payout_run_is_paid_by_exactly_one_payout() {
    use grapevine_entity::{
        db::begin_write,
        tables::{ReferralStatus, RewardStatus, payouts, referrals},
    };
    use grapevine_worker::{
        jobs::{PayoutRun, ReleaseRewards, ValidateReferral, settle::settle_in},
        outbox::Job,
    };
    use sea_orm::{
        ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend, IntoActiveModel,
        QuerySelect, Statement, TransactionTrait,
    };

    // No workers: this test runs each job itself, at the moment it chooses.
    let app = grapevine_tests::spawn_api_only(Backend::Postgres).await;
    let s = shop(
        app,
        &[fixed("REFERRER", "FIRST_PURCHASE", "1000", "CASH")],
        None,
        0,
    )
    .await;
    let (_, code) = s.referrers[0].clone();
    let ctx = s.app.jobs.clone();
    let tenant: uuid::Uuid = s.app.tenant_id.parse().unwrap();
    let db = s.app.db.connect().await;
    let purchase = |customer: &'static str| {
        let s = &s;
        let code = code.clone();
        async move {
            let referral = lead(s, &code, customer).await;
            let c = s.app.graphql_ok(Some(&s.key), CONVERSION, json!({ "i": { "orderId": format!("o-{customer}"), "customerId": customer, "amountMinor": "5000", "currency": "USD", "code": code } })).await;
            let conversion: uuid::Uuid = c["trackConversion"]["conversion"]["id"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            (referral.parse::<uuid::Uuid>().unwrap(), conversion)
        }
    };

    // Rita's purchase is validated: Ada's first reward, its hold already over.
    let (first, conversion) = purchase("rita").await;
    ValidateReferral {
        referral_id: first,
        conversion_id: Some(conversion),
    }
    .run(&ctx)
    .await
    .unwrap();
    let held = rewards::Entity::find()
        .filter(rewards::Column::ReferralId.eq(first))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.status, RewardStatus::Held);
    let (second, _) = purchase("sam").await;

    // B holds the first reward's row, so a payout run releasing it waits inside that statement.
    let b = db.begin().await.unwrap();
    rewards::Entity::find_by_id(held.id)
        .lock_exclusive()
        .one(&b)
        .await
        .unwrap()
        .unwrap();
    // A approves Sam's referral and creates its reward, as validation does, and stays open.
    let a = begin_write(&db).await.unwrap();
    let mut approved = referrals::Entity::find_by_id(second)
        .one(&a)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    approved.status = Set(ReferralStatus::Approved);
    let approved = approved.update(&a).await.unwrap();
    settle_in(&a, &approved, Utc::now()).await.unwrap();

    let run = {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            PayoutRun {
                tenant_id: Some(tenant),
            }
            .run(&ctx)
            .await
        })
    };
    // Once the run waits (for A's lock or B's), A commits, then B.
    poll_until(Duration::from_secs(10), || async {
        let waiting = db
            .query_one_raw(Statement::from_string(
                DbBackend::Postgres,
                "SELECT count(*) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        (waiting > 0).then_some(())
    })
    .await;
    a.commit().await.unwrap();
    b.commit().await.unwrap();
    run.await.unwrap().unwrap();
    // Whatever is left is released and paid by the next runs.
    ReleaseRewards {}.run(&ctx).await.unwrap();
    PayoutRun {
        tenant_id: Some(tenant),
    }
    .run(&ctx)
    .await
    .unwrap();

    let all = rewards::Entity::find().all(&db).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all.iter().all(|r| r.payout_id.is_some()),
        "every reward is in a payout: {all:#?}"
    );
    let payouts = payouts::Entity::find().all(&db).await.unwrap();
    for payout in &payouts {
        let covered: i64 = all
            .iter()
            .filter(|r| r.payout_id == Some(payout.id))
            .map(|r| r.amount_minor - r.reversed_minor)
            .sum();
        assert_eq!(
            payout.amount_minor, covered,
            "a payout pays exactly its rewards: {payouts:#?} {all:#?}"
        );
    }
    assert_eq!(payouts.iter().map(|p| p.amount_minor).sum::<i64>(), 2000);
}

#[tokio::test]
async fn each_job_of_a_referred_purchase_is_done_with_one_recorded_run() {
    // The decision and the notice emails record their own outcome in the transaction that does
    // their work (`JobContext::finish_in`); the runner must then write nothing more, or the
    // attempt would show twice in `job_runs`.
    let app = spawn_app_with_clock(Backend::current(), None, |_| {}).await;
    let s = shop(
        app,
        &[
            fixed("REFERRER", "FIRST_PURCHASE", "1000", "CASH"),
            fixed("REFEREE", "FIRST_PURCHASE", "1500", "CREDIT"),
        ],
        None,
        14,
    )
    .await;
    let (_, code) = s.referrers[0].clone();
    let token = s.app.admin_token.clone();
    let referral_id = referred_purchase(&s, &code, "rita", "o-runs", "10000").await;
    rewards_until(&s, &token, &referral_id, |r| r.len() == 2).await;
    let db = s.app.db.connect().await;
    let kinds = ["referral.validate", "email.send"];
    let jobs = poll_until(Duration::from_secs(30), || async {
        let jobs = job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.is_in(kinds))
            .all(&db)
            .await
            .unwrap();
        let settled = jobs.iter().all(|j| j.state == JobState::Done)
            && kinds.iter().all(|k| jobs.iter().any(|j| j.kind == *k));
        settled.then_some(jobs)
    })
    .await;
    for job in &jobs {
        let runs = job_runs::Entity::find()
            .filter(job_runs::Column::JobId.eq(job.id))
            .all(&db)
            .await
            .unwrap();
        assert_eq!(runs.len(), 1, "{} ran once: {runs:#?}", job.kind);
        let run = &runs[0];
        assert_eq!(run.outcome, JobRunOutcome::Succeeded, "{run:#?}");
        assert_eq!((run.attempt, job.attempts), (1, 1), "{run:#?} {job:#?}");
        assert_eq!(run.finished_at, job.finished_at, "{run:#?} {job:#?}");
        assert!(
            job.lease_until.is_none() && job.last_error.is_none(),
            "{job:#?}"
        );
    }
}
