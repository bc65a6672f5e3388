//! Several processes on one PostgreSQL + Redis (issue 8): two `grapevine serve` and two
//! `grapevine work` share the load. Both workers run jobs, the totals are exact (every conversion,
//! reward, payout and email once), and the API replicas' caches stay coherent: a campaign paused
//! through one replica stops attributing clicks on the other, and a key revoked through one stops
//! working on the other, within a bound far below the caches' TTL (the change travels over Redis).

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use grapevine_entity::tables::{
    JobState, PayoutStatus, RewardStatus, RewardType, job_outbox, job_runs, payouts, referrals,
    rewards,
};
use grapevine_tests::{
    Backend, GrapevineProcess, SmtpServer, TestDatabase,
    app::seed_tenant,
    app::test_config,
    click_id,
    client::GraphqlClient,
    error_codes, free_port,
    process::config_env,
    require_services,
    shop::{self, Payouts, ShopSpec, first_purchase},
    try_poll_until,
};
use grapevine_worker::cron::SCHEDULED_KINDS;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

const REFERRERS: usize = 12;
const CONVERSIONS: usize = 48;
/// How soon a change made through one replica must hold on the other.
const COHERENCE_BOUND: Duration = Duration::from_secs(3);

/// Whether a click on `code` through `api` is attributed (the redirect carries `gv_click`).
async fn attributes(api: &GraphqlClient, code: &str) -> bool {
    let res = api.visit(code).send().await;
    assert_eq!(res.status(), 302);
    click_id(&res).is_some()
}

/// How long until `check` holds, polling every 20 ms; `None` past `COHERENCE_BOUND`.
async fn within_bound<F, Fut>(mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while start.elapsed() < COHERENCE_BOUND {
        if check().await {
            return Some(start.elapsed());
        }
        // The step of a poll that measures how long coherence takes (so not `poll_until`'s
        // backing off), not a wait for the product to settle.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}

#[tokio::test]
async fn two_apis_and_two_workers_share_the_load_exactly_and_keep_their_caches_coherent() {
    require_services(Backend::Postgres);
    let db = TestDatabase::create_on(Backend::Postgres).await;
    let smtp = SmtpServer::start().await;
    let mut config = test_config(&db, &smtp);
    // Caches that would stay stale for ten minutes: only the Redis bus can make the bound.
    config.tracking.link_cache_ttl_secs = 600;
    config.queue.concurrency = 2;
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let mut env = config_env(&config);
    env.push((
        "GRAPEVINE_TRACKING__LINK_CACHE_TTL_SECS".into(),
        "600".into(),
    ));

    let (port_a, port_b) = (free_port(), free_port());
    let mut servers = [port_a, port_b].map(|port| {
        GrapevineProcess::spawn(&["--listen", &format!("127.0.0.1:{port}"), "serve"], &env)
    });
    let _workers = [
        GrapevineProcess::spawn(&["work"], &env),
        GrapevineProcess::spawn(&["work"], &env),
    ];
    let (a, b) = (
        GraphqlClient::new(&format!("http://127.0.0.1:{port_a}")),
        GraphqlClient::new(&format!("http://127.0.0.1:{port_b}")),
    );
    for (server, api) in servers.iter_mut().zip([&a, &b]) {
        server
            .wait_http_ok(&format!("{}/healthz", api.base), Duration::from_secs(30))
            .await;
    }

    // A campaign designed and launched through A (cash paid by the dry run, coupons too).
    let shop = shop::open(
        &a,
        &token,
        ShopSpec {
            referrers: shop::numbered(REFERRERS),
            rules: vec![
                first_purchase("REFERRER", 1000, "CASH"),
                first_purchase("REFEREE", 1500, "COUPON"),
            ],
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 5,
            }),
            name: "Two of each",
            ..ShopSpec::default()
        },
    )
    .await;
    let (campaign, key, key_id) = (shop.campaign.clone(), shop.key.clone(), shop.key_id.clone());
    let codes: Vec<String> = shop.referrers.iter().map(|(_, c)| c.clone()).collect();

    // Both replicas resolve (and cache) the first code as attributing.
    assert!(attributes(&a, &codes[0]).await);
    assert!(attributes(&b, &codes[0]).await);

    // Purchases through both replicas at once.
    let mut tasks = Vec::new();
    for i in 0..CONVERSIONS {
        let api = if i % 2 == 0 { a.clone() } else { b.clone() };
        let (key, code) = (key.clone(), codes[i % REFERRERS].clone());
        tasks.push(tokio::spawn(async move {
            let customer = format!("c{i:02}");
            api.ok(
                &key,
                "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }",
                json!({ "i": { "orderId": format!("o{i}"), "customerId": customer, "email": format!("{customer}@friends.example"), "amountMinor": "4000", "currency": "USD", "code": code } }),
            )
            .await
        }));
    }
    for task in tasks {
        let data = task.await.unwrap();
        assert!(
            data["trackConversion"]["conversion"]["referralId"].is_string(),
            "{data}"
        );
    }

    // Every reward settles: cash paid (dry run), coupons fulfilled; and every job is done.
    let conn = db.connect().await;
    let settled = try_poll_until(Duration::from_secs(60), || async {
        let all = rewards::Entity::find().all(&conn).await.unwrap();
        let jobs = job_outbox::Entity::find().all(&conn).await.unwrap();
        let done = all.len() == CONVERSIONS * 2
            && all.iter().all(|r| match r.reward_type {
                RewardType::Cash => r.status == RewardStatus::Paid,
                _ => r.status == RewardStatus::Fulfilled,
            })
            // The scheduler queues its own jobs on timers: those may be under way at any time.
            && jobs
                .iter()
                .filter(|j| !SCHEDULED_KINDS.contains(&j.kind.as_str()))
                .all(|j| j.state == JobState::Done)
            && jobs.iter().all(|j| j.state != JobState::Dead);
        done.then_some(all)
    })
    .await;
    let Some(all) = settled else {
        let jobs = job_outbox::Entity::find().all(&conn).await.unwrap();
        let states: BTreeMap<String, usize> = jobs.iter().fold(BTreeMap::new(), |mut m, j| {
            *m.entry(format!("{}/{:?}", j.kind, j.state)).or_default() += 1;
            m
        });
        panic!("not settled within 60 s: jobs {states:?}");
    };

    // Both workers did work, and no job ran twice.
    let runs = job_runs::Entity::find().all(&conn).await.unwrap();
    let mut per_worker: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_job: BTreeMap<uuid::Uuid, usize> = BTreeMap::new();
    for run in &runs {
        *per_worker.entry(run.worker.as_str()).or_default() += 1;
        *per_job.entry(run.job_id).or_default() += 1;
    }
    println!("job runs per worker: {per_worker:?}");
    assert_eq!(per_worker.len(), 2, "two workers ran jobs: {per_worker:?}");
    assert!(per_worker.values().all(|&n| n >= 10), "{per_worker:?}");
    let twice: Vec<_> = per_job.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "jobs run more than once: {twice:?}");

    // Exact totals: one referral per customer, two rewards each, each referrer paid once per
    // referral, and no email twice.
    let referral_rows = referrals::Entity::find()
        .filter(referrals::Column::CampaignId.eq(campaign.parse::<uuid::Uuid>().unwrap()))
        .all(&conn)
        .await
        .unwrap();
    assert_eq!(referral_rows.len(), CONVERSIONS);
    assert_eq!(all.len(), CONVERSIONS * 2);
    let paid: i64 = payouts::Entity::find()
        .filter(payouts::Column::Status.eq(PayoutStatus::Paid))
        .all(&conn)
        .await
        .unwrap()
        .iter()
        .map(|p| p.amount_minor)
        .sum();
    assert_eq!(paid, 1000 * i64::try_from(CONVERSIONS).unwrap());
    // Launch emails, welcomes, reward-earned, coupon-ready and payout-paid notices.
    let mail = smtp
        .wait_for(REFERRERS + CONVERSIONS * 2, Duration::from_secs(30))
        .await;
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for message in &mail {
        let id = message
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("message-id"))
            .map(|(_, v)| v.clone())
            .unwrap();
        *ids.entry(id).or_default() += 1;
    }
    assert!(ids.values().all(|&n| n == 1), "an email arrived twice");

    // Paused through A: B stops attributing within the bound, though it had the code cached.
    a.ok(
        &token,
        "mutation($c: UUID!) { pauseCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    assert!(
        !attributes(&a, &codes[0]).await,
        "A applies its own change at once"
    );
    let took = within_bound(|| async { !attributes(&b, &codes[0]).await }).await;
    assert!(
        took.is_some(),
        "B still attributes {COHERENCE_BOUND:?} after the pause"
    );
    // Resumed through B: A, which cached the paused answer, attributes again.
    b.ok(
        &token,
        "mutation($c: UUID!) { resumeCampaign(id: $c) { status } }",
        json!({ "c": campaign }),
    )
    .await;
    let resumed = within_bound(|| async { attributes(&a, &codes[0]).await }).await;
    assert!(
        resumed.is_some(),
        "A does not attribute {COHERENCE_BOUND:?} after the resume"
    );

    // A key revoked through A stops working on B, which had it cached.
    a.ok(
        &token,
        "mutation($id: UUID!) { revokeApiKey(id: $id) { revokedAt } }",
        json!({ "id": key_id }),
    )
    .await;
    let refused = within_bound(|| async {
        let body = b
            .request(
                &key,
                "mutation($i: LeadInput!) { trackLead(input: $i) { notAttributed } }",
                json!({ "i": { "customerId": "late", "email": "late@example.com", "code": codes[1] } }),
            )
            .await;
        error_codes(&body) == ["UNAUTHENTICATED"]
    })
    .await;
    assert!(
        refused.is_some(),
        "B still takes the revoked key {COHERENCE_BOUND:?} later"
    );
    println!(
        "coherence: pause seen on B after {took:?}, resume on A after {resumed:?}, revocation on B after {refused:?}"
    );
}

/// With the relay's and the queue consumers' polls stretched to ten minutes, a conversion taken by
/// `grapevine serve` is still rewarded by `grapevine work` within seconds: on PostgreSQL the outbox
/// insert notifies the relay of the other process when its transaction commits, and the relay
/// wakes its process's consumers of the kinds it has just pushed (either would otherwise wait for
/// its next poll).
#[tokio::test]
async fn a_job_committed_by_the_api_wakes_the_relay_of_another_process_at_once() {
    require_services(Backend::Postgres);
    let db = TestDatabase::create_on(Backend::Postgres).await;
    let smtp = SmtpServer::start().await;
    let mut config = test_config(&db, &smtp);
    config.queue.relay_interval_ms = 600_000;
    config.queue.poll_interval_ms = 600_000;
    // apalis's heartbeat also drives a consumer: stretched too, so only a push can wake one.
    config.queue.heartbeat_secs = 600;
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let env = config_env(&config);
    for key in [
        "GRAPEVINE_QUEUE__RELAY_INTERVAL_MS",
        "GRAPEVINE_QUEUE__POLL_INTERVAL_MS",
    ] {
        assert!(
            env.contains(&(key.into(), "600000".into())),
            "the processes get the ten-minute poll: {key}"
        );
    }
    let port = free_port();
    let mut server =
        GrapevineProcess::spawn(&["--listen", &format!("127.0.0.1:{port}"), "serve"], &env);
    let _worker = GrapevineProcess::spawn(&["work"], &env);
    let api = GraphqlClient::new(&format!("http://127.0.0.1:{port}"));
    server
        .wait_http_ok(&format!("{}/healthz", api.base), Duration::from_secs(30))
        .await;
    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            referrers: shop::numbered(1),
            rules: vec![first_purchase("REFERRER", 1000, "CASH")],
            payouts: Some(Payouts {
                providers: false,
                max_attempts: 5,
            }),
            name: "Woken at once",
            ..ShopSpec::default()
        },
    )
    .await;
    let code = shop.referrers[0].1.clone();
    let taken = Instant::now();
    api.ok(
        &shop.key,
        "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }",
        json!({ "i": { "orderId": "o1", "customerId": "c1", "email": "c1@friends.example", "amountMinor": "4000", "currency": "USD", "code": code } }),
    )
    .await;
    let conn = db.connect().await;
    let rewarded = try_poll_until(Duration::from_secs(15), || async {
        let n = rewards::Entity::find().all(&conn).await.unwrap().len();
        (n == 1).then_some(taken.elapsed())
    })
    .await;
    assert!(
        rewarded.is_some(),
        "no reward within 15 s: the relay or a consumer waited for its ten-minute poll"
    );
}

/// The embedded default (one process, SQLite and the SQLite-backed queue) with every poll (and the
/// scheduler's tick) stretched to ten seconds: a conversion is rewarded within a second, because the API wakes the
/// relay of its own process when it commits a job and the relay wakes the consumers of the kinds
/// it pushed. Waiting for a poll would take up to ten seconds.
#[tokio::test]
async fn on_the_embedded_default_a_conversion_is_rewarded_within_a_second_with_ten_second_polls() {
    let db = TestDatabase::create_on(Backend::Sqlite).await;
    let smtp = SmtpServer::start().await;
    let mut config = test_config(&db, &smtp);
    config.queue.relay_interval_ms = 10_000;
    config.queue.poll_interval_ms = 10_000;
    config.queue.heartbeat_secs = 600;
    // The scheduler wakes the relay after each of its ticks: stretched too.
    config.queue.cron_interval_ms = 10_000;
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let env = config_env(&config);
    let port = free_port();
    let mut server =
        GrapevineProcess::spawn(&["--listen", &format!("127.0.0.1:{port}"), "all"], &env);
    let api = GraphqlClient::new(&format!("http://127.0.0.1:{port}"));
    server
        .wait_http_ok(&format!("{}/healthz", api.base), Duration::from_secs(30))
        .await;
    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            referrers: shop::numbered(1),
            rules: vec![first_purchase("REFERRER", 1000, "CASH")],
            name: "Woken on SQLite",
            ..ShopSpec::default()
        },
    )
    .await;
    // The launch's own jobs first, so the conversion's decision has the worker to itself. The
    // launch job queues an email job in the worker: woken too, it finishes long before a poll.
    let conn = db.connect().await;
    let idle = try_poll_until(Duration::from_secs(5), || async {
        let busy = job_outbox::Entity::find()
            .filter(job_outbox::Column::State.is_in([
                JobState::Pending,
                JobState::Dispatched,
                JobState::Running,
            ]))
            .filter(job_outbox::Column::Kind.is_not_in(SCHEDULED_KINDS.iter().copied()))
            .all(&conn)
            .await
            .unwrap();
        busy.is_empty().then_some(())
    })
    .await;
    assert!(
        idle.is_some(),
        "the launch's jobs did not finish in 5 s: a job's own jobs waited for the relay's poll"
    );
    let code = shop.referrers[0].1.clone();
    api.ok(
        &shop.key,
        "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }",
        json!({ "i": { "orderId": "o1", "customerId": "c1", "email": "c1@friends.example", "amountMinor": "4000", "currency": "USD", "code": code } }),
    )
    .await;
    let answered = Instant::now();
    let rewarded = try_poll_until(Duration::from_secs(15), || async {
        let n = rewards::Entity::find().all(&conn).await.unwrap().len();
        (n == 1).then_some(answered.elapsed())
    })
    .await;
    let took = rewarded.expect("no reward within 15 s");
    assert!(
        took <= Duration::from_secs(1),
        "rewarded {took:?} after the conversion was answered: something waited for a poll"
    );
}
