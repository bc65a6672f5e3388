//! Crash safety (issue 8): the real `grapevine serve` and `grapevine work` on PostgreSQL + Redis
//! take a steady stream of clicks, leads, conversions and refunds while each of them is SIGKILLed at
//! seeded moments (mid-request for the API) and restarted; the run ends with a SIGTERM of the API.
//!
//! The shop behaves as a real one does: a request that got no answer is sent again (conversions
//! are idempotent on the order id, refunds on the refund id). At the end:
//! - every acknowledged conversion and refund exists exactly once;
//! - every referral has at most one reward per side, and every unrefunded one has both;
//! - every payout was made once at the provider (one transfer per `transfer_group`, matching the
//!   paid payouts one to one) and every gift card issued once per reward;
//! - no email arrived twice, and at most one per worker kill is left `unknown`;
//! - clicks acknowledged (a redirect carrying `gv_click`) but not stored are at most the click
//!   buffer's capacity per API kill, and none from the SIGTERM-ended stretch.
//!
//! `CRASH_ORDERS`, `CRASH_KILLS` and `CRASH_SEED` change the run (`just soak` makes it long).

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use grapevine_entity::tables::{
    EmailState, PayoutStatus, RewardSide, RewardStatus, RewardType, clicks, conversions, emails,
    ledger_entries, payouts, refunds, rewards,
};
use grapevine_tests::{
    Backend, GrapevineProcess, Lcg, SmtpServer, TestDatabase,
    app::{seed_tenant, test_config},
    client::GraphqlClient,
    free_port,
    process::config_env,
    require_services,
    shop::{self, Payouts, ShopSpec, first_purchase},
    stripe_shaped::StripeShaped,
    try_poll_until,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// Orders per referrer: well under the default velocity limit (10 an hour), so that no honest
/// referral goes to review.
const ORDERS_PER_REFERRER: usize = 4;
/// Clicks before each order.
const CLICKS_PER_ORDER: usize = 3;
/// Every this many orders, an earlier order is refunded in full.
const REFUND_EVERY: usize = 5;
/// The API's click buffer: the most clicks one SIGKILL of the API may lose.
const CLICK_BUFFER: usize = 64;
const ORDER_AMOUNT: i64 = 4000;
const DEFAULT_SEED: u64 = 0x6372_6173_6873_6166;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Api,
    Worker,
}

#[tokio::test]
async fn clicks_conversions_and_refunds_survive_seeded_kills_of_the_api_and_the_worker() {
    require_services(Backend::Postgres);
    let orders = usize::try_from(setting("CRASH_ORDERS", 60)).unwrap();
    let kills = usize::try_from(setting("CRASH_KILLS", 6)).unwrap();
    let seed = setting("CRASH_SEED", DEFAULT_SEED);
    let referrers = orders.div_ceil(ORDERS_PER_REFERRER);
    let db = TestDatabase::create_on(Backend::Postgres).await;
    let smtp = SmtpServer::start().await;
    let shaped = StripeShaped::start().await;
    let mut config = test_config(&db, &smtp);
    config.stripe.api_base = shaped.url();
    config.stripe.connect_api_base = shaped.url();
    config.giftcard.url = shaped.giftcard_url();
    // One job at a time, so one worker kill can leave at most one email `unknown`.
    config.queue.concurrency = 1;
    config.queue.heartbeat_secs = 1;
    config.queue.lease_secs = 2;
    config.queue.redeliver_after_secs = 2;
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let mut env = config_env(&config);
    // Clicks wait a while in a small buffer, so an API kill can cost some, within the bound.
    env.push((
        "GRAPEVINE_TRACKING__CLICK_BUFFER".into(),
        CLICK_BUFFER.to_string(),
    ));
    env.push(("GRAPEVINE_TRACKING__CLICK_FLUSH_MS".into(), "300".into()));
    // Verbose logs, so the check below that no credential is logged means something.
    env.push(("GRAPEVINE_LOG__LEVEL".into(), "info".into()));

    let port = free_port();
    let mut server =
        GrapevineProcess::spawn(&["--listen", &format!("127.0.0.1:{port}"), "serve"], &env);
    let mut worker = GrapevineProcess::spawn(&["work"], &env);
    let api = GraphqlClient::new(&format!("http://127.0.0.1:{port}"));
    let healthz = format!("{}/healthz", api.base);
    server.wait_http_ok(&healthz, Duration::from_secs(30)).await;
    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            referrers: shop::numbered(referrers),
            rules: vec![
                first_purchase("REFERRER", 1000, "CASH"),
                first_purchase("REFEREE", 1500, "GIFT_CARD"),
            ],
            payouts: Some(Payouts {
                providers: true,
                max_attempts: 50,
            }),
            name: "Crash safety",
            ..ShopSpec::default()
        },
    )
    .await;
    shaped
        .configure(json!({ "unique_card_references": false }))
        .await;

    // The kill schedule: at which orders, and whom.
    let mut rng = Lcg(seed);
    let mut schedule: BTreeMap<usize, Target> = BTreeMap::new();
    while schedule.len() < kills.min(orders.saturating_sub(2)) {
        let at = rng.between(1, orders - 1);
        let target = if rng.between(0, 1) == 0 {
            Target::Api
        } else {
            Target::Worker
        };
        schedule.entry(at).or_insert(target);
    }

    // The stream. Clicks are recorded with the stretch of API life they were acknowledged in.
    let mut stretch = 0;
    let mut stretch_ends: Vec<&str> = Vec::new();
    let mut acked_clicks: Vec<(usize, uuid::Uuid)> = Vec::new();
    let mut unacked_clicks = 0;
    let mut refunded: BTreeSet<usize> = BTreeSet::new();
    let (mut api_kills, mut worker_kills) = (0, 0);
    for i in 0..orders {
        let code = shop.referrers[i % referrers].1.clone();
        for _ in 0..CLICKS_PER_ORDER {
            // `None`: the API was down or dropped the click (not acknowledged).
            match api.visit(&code).try_click().await {
                Some(id) => acked_clicks.push((stretch, id)),
                None => unacked_clicks += 1,
            }
        }
        let customer = format!("c{i:03}");
        let mut requests = vec![
            (
                "mutation($i: LeadInput!) { trackLead(input: $i) { notAttributed } }",
                json!({ "i": { "customerId": customer, "email": format!("{customer}@friends.example"), "code": code } }),
            ),
            (
                "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }",
                json!({ "i": { "orderId": format!("o{i}"), "customerId": customer, "email": format!("{customer}@friends.example"), "amountMinor": ORDER_AMOUNT.to_string(), "currency": "USD", "code": code } }),
            ),
        ];
        if i >= 3 && i % REFUND_EVERY == 0 {
            let earlier = i - 3;
            refunded.insert(earlier);
            requests.push((
                "mutation($o: String!, $r: String!, $a: BigInt!) { refundConversion(orderId: $o, refundId: $r, amountMinor: $a) { id } }",
                json!({ "o": format!("o{earlier}"), "r": format!("rf{earlier}"), "a": ORDER_AMOUNT.to_string() }),
            ));
        }
        let sending = {
            let (api, key) = (api.clone(), shop.key.clone());
            tokio::spawn(async move {
                for (query, variables) in requests {
                    api.until_acknowledged(&key, query, variables).await;
                }
            })
        };
        if let Some(target) = schedule.get(&i) {
            // Mid-request, at a seeded moment (the kill's timing, not a wait for the product).
            tokio::time::sleep(Duration::from_millis(
                u64::try_from(rng.between(0, 25)).unwrap(),
            ))
            .await;
            match target {
                Target::Api => {
                    server.kill();
                    stretch_ends.push("SIGKILL");
                    stretch += 1;
                    api_kills += 1;
                    server.restart();
                    server.wait_http_ok(&healthz, Duration::from_secs(30)).await;
                }
                Target::Worker => {
                    worker.kill();
                    worker_kills += 1;
                    worker.restart();
                }
            }
        }
        sending.await.unwrap();
    }
    // The last stretch ends gracefully: every click it acknowledged must be stored.
    let status = server.terminate(Duration::from_secs(30)).await;
    assert!(status.success(), "SIGTERM ends serve cleanly: {status}");
    stretch_ends.push("SIGTERM");
    server.restart();
    server.wait_http_ok(&healthz, Duration::from_secs(30)).await;

    // Wait until every referral is settled: each reward paid, fulfilled or reversed — or, for cash
    // released to a referrer whose balance a clawback took to zero or below, netted (it stays
    // `RELEASED` and the clawback is what later payouts net off).
    let conn = db.connect().await;
    let settled = try_poll_until(Duration::from_secs(120), || async {
        let all = rewards::Entity::find().all(&conn).await.unwrap();
        let mut cash: BTreeMap<uuid::Uuid, i64> = BTreeMap::new();
        for e in ledger_entries::Entity::find()
            .filter(ledger_entries::Column::Account.eq(RewardType::Cash))
            .all(&conn)
            .await
            .unwrap()
        {
            *cash.entry(e.participant_id).or_default() += e.amount_minor;
        }
        let open_payouts = payouts::Entity::find()
            .filter(payouts::Column::Status.ne(PayoutStatus::Paid))
            .all(&conn)
            .await
            .unwrap();
        let referrals: BTreeSet<uuid::Uuid> = all.iter().map(|r| r.referral_id).collect();
        let done = referrals.len() + refunded.len() >= orders
            && open_payouts.is_empty()
            && all.iter().all(|r| match r.status {
                RewardStatus::Paid | RewardStatus::Fulfilled | RewardStatus::Reversed => true,
                RewardStatus::Released => {
                    r.reward_type == RewardType::Cash
                        && cash.get(&r.participant_id).copied().unwrap_or(0) <= 0
                }
                _ => false,
            });
        done.then_some(all)
    })
    .await;
    let Some(all) = settled else {
        let all = rewards::Entity::find().all(&conn).await.unwrap();
        let states: BTreeMap<String, usize> = all.iter().fold(BTreeMap::new(), |mut m, r| {
            *m.entry(format!("{:?}/{:?}", r.reward_type, r.status))
                .or_default() += 1;
            m
        });
        panic!(
            "seed {seed:#x}: not settled within 120 s: {states:?}; worker log:\n{}",
            worker.log()
        );
    };

    // Conversions and refunds: each acknowledged one exists once.
    let rows = conversions::Entity::find().all(&conn).await.unwrap();
    let by_order: BTreeMap<&str, usize> = rows.iter().fold(BTreeMap::new(), |mut m, c| {
        *m.entry(c.external_order_id.as_str()).or_default() += 1;
        m
    });
    assert_eq!(by_order.len(), orders, "one conversion per order");
    assert!(by_order.values().all(|&n| n == 1), "{by_order:?}");
    let refund_rows = refunds::Entity::find().all(&conn).await.unwrap();
    assert_eq!(
        refund_rows.len(),
        refunded.len(),
        "one refund row per refund"
    );
    for c in &rows {
        let i: usize = c.external_order_id[1..].parse().unwrap();
        let expected = if refunded.contains(&i) {
            ORDER_AMOUNT
        } else {
            0
        };
        assert_eq!(
            c.refunded_minor, expected,
            "refunded once: {}",
            c.external_order_id
        );
    }

    // Rewards: at most one per referral and side; both for every unrefunded order.
    let mut per_side: BTreeMap<(uuid::Uuid, &str), usize> = BTreeMap::new();
    for r in &all {
        *per_side
            .entry((r.referral_id, r.side.as_str()))
            .or_default() += 1;
    }
    assert!(
        per_side.values().all(|&n| n == 1),
        "a reward computed twice: {per_side:?}"
    );
    let referral_of: BTreeMap<usize, uuid::Uuid> = rows
        .iter()
        .filter_map(|c| Some((c.external_order_id[1..].parse().ok()?, c.referral_id?)))
        .collect();
    for i in (0..orders).filter(|i| !refunded.contains(i)) {
        let referral = referral_of[&i];
        for side in [RewardSide::Referrer, RewardSide::Referee] {
            assert_eq!(
                per_side.get(&(referral, side.as_str())),
                Some(&1),
                "order o{i}: {side:?}"
            );
        }
    }

    // The provider: one transfer per paid payout, one card per gift-card reward that was issued.
    let stats = shaped.stats().await;
    let mut groups: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for t in stats["transfers"].as_array().unwrap() {
        groups
            .entry(t["transfer_group"].as_str().unwrap().to_owned())
            .or_default()
            .push(t["amount"].as_i64().unwrap());
    }
    let paid: BTreeMap<String, i64> = payouts::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.id.to_string(), p.amount_minor))
        .collect();
    assert_eq!(
        groups,
        paid.iter().map(|(id, a)| (id.clone(), vec![*a])).collect(),
        "transfers (by group) and paid payouts match one to one"
    );
    let mut cards: BTreeMap<String, usize> = BTreeMap::new();
    for c in stats["cards"].as_array().unwrap() {
        *cards
            .entry(c["reference"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let fulfilled: BTreeSet<String> = all
        .iter()
        .filter(|r| r.reward_type == RewardType::GiftCard && r.fulfilment_ref.is_some())
        .map(|r| r.id.to_string())
        .collect();
    assert!(
        cards.values().all(|&n| n == 1),
        "a gift card issued twice: {cards:?}"
    );
    let issued: BTreeSet<String> = cards.keys().cloned().collect();
    let status_of = |id: &String| {
        all.iter()
            .find(|r| r.id.to_string() == *id)
            .map(|r| (r.status, r.fulfilment_ref.clone()))
    };
    let odd: Vec<_> = issued
        .symmetric_difference(&fulfilled)
        .map(|id| (id, status_of(id)))
        .collect();
    assert!(
        odd.is_empty(),
        "cards without a fulfilled reward, or the reverse: {odd:?}"
    );

    // Emails: none twice; at most one `unknown` per worker kill.
    // Every job has finished (none waiting, running or to be retried), so a second delivery
    // would have arrived by now.
    try_poll_until(Duration::from_secs(60), || async {
        (grapevine_tests::busy_jobs(&conn, &[]).await == 0).then_some(())
    })
    .await
    .expect("every job finished");
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for m in smtp.messages() {
        let id = m
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("message-id"))
            .map(|(_, v)| v.clone())
            .unwrap();
        *ids.entry(id).or_default() += 1;
    }
    assert!(ids.values().all(|&n| n == 1), "an email arrived twice");
    let unknown = emails::Entity::find()
        .filter(emails::Column::State.eq(EmailState::Unknown))
        .all(&conn)
        .await
        .unwrap()
        .len();
    assert!(
        unknown <= worker_kills,
        "{unknown} emails unknown after {worker_kills} worker kills"
    );

    // Clicks: acknowledged but not stored, per stretch of API life.
    let stored: BTreeSet<uuid::Uuid> = clicks::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut lost = vec![0usize; stretch_ends.len()];
    for (s, id) in &acked_clicks {
        if !stored.contains(id) {
            lost[*s] += 1;
        }
    }
    println!(
        "seed {seed:#x}: {orders} orders, {} refunds; kills {schedule:?}; {} clicks acknowledged \
         ({unacked_clicks} not), lost per API stretch {lost:?} (ended by {stretch_ends:?}); \
         {unknown} emails unknown; {} payouts",
        refunded.len(),
        acked_clicks.len(),
        paid.len()
    );
    for (s, end) in stretch_ends.iter().enumerate() {
        let bound = if *end == "SIGKILL" { CLICK_BUFFER } else { 0 };
        assert!(
            lost[s] <= bound,
            "stretch {s} (ended by {end}) lost {} clicks, more than {bound}",
            lost[s]
        );
    }
    assert_eq!(api_kills + 1, stretch_ends.len());

    let status = worker.terminate(Duration::from_secs(20)).await;
    assert!(status.success(), "SIGTERM ends work cleanly: {status}");
    // Credentials never reach the logs.
    for (name, log) in [("serve", server.log()), ("work", worker.log())] {
        assert!(!log.contains(&shop.key), "the API key is in the {name} log");
        assert!(!log.contains(&token), "a staff token is in the {name} log");
    }
}
