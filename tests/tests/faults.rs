//! Dependency faults on private instances (issue 8): the test starts its own `redis-server` on a
//! free port and stops it, never the shared one other tests use. While Redis is gone the API keeps
//! answering (redirects, GraphQL, conversions accepted into the outbox) and `/readyz` stays 200
//! reporting the queue `degraded`; when Redis is back the backlog drains with nothing lost.
//!
//!
//! PostgreSQL is reached through a TCP proxy the test cuts: requests then fail quickly and cleanly
//! (`INTERNAL`, `/readyz` 503), and the same process serves again once the proxy lets traffic
//! through. (SMTP and payout providers failing are in `operations.rs` and `rewards.rs`.)

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use grapevine_entity::tables::{JobState, job_outbox, rewards};
use grapevine_tests::{
    Backend, error_codes, free_port, poll_until, require_services, spawn_app_with, try_poll_until,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

/// A `redis-server` of this test's own, on a free port, keeping nothing on disk.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start() -> Self {
        let mut redis = PrivateRedis {
            port: free_port(),
            child: None,
        };
        redis.restart();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn ping(&self) -> bool {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
    }

    /// Start it (again, on the same port) and wait until it answers.
    fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        for _ in 0..100 {
            if self.ping() {
                return;
            }
            // Polling (with a bound) for the test's own redis-server to answer, not the product.
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the private redis-server on port {} did not answer",
            self.port
        );
    }

    /// Kill it (SIGKILL: a crash, nothing flushed) and wait until it is gone.
    fn crash(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        assert!(!self.ping(), "the private Redis still answers");
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

const CONVERSION: &str =
    "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { referralId } } }";

#[tokio::test]
async fn while_redis_is_down_the_api_keeps_answering_and_the_backlog_drains_when_it_returns() {
    require_services(Backend::Postgres);
    let mut redis = PrivateRedis::start();
    let url = redis.url();
    let app = spawn_app_with(Backend::Postgres, move |c| c.queue.url = url.into()).await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    let code = app
        .enroll(&token, &campaign, "ada", "ada@example.com")
        .await["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();
    app.launch(&token, &campaign).await;
    let key = app
        .graphql_ok(
            Some(&token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let convert = |i: usize| {
        let (app, key, code) = (&app, key.clone(), code.clone());
        async move {
            app.graphql_ok(Some(&key), CONVERSION, json!({ "i": { "orderId": format!("o{i}"), "customerId": format!("c{i}"), "email": format!("c{i}@friends.example"), "amountMinor": "4000", "currency": "USD", "code": code } }))
                .await["trackConversion"]["conversion"]["referralId"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let db = app.db.connect().await;
    let rewards_of = |referrals: Vec<String>| {
        let db = db.clone();
        async move {
            let mut per: BTreeMap<String, usize> = BTreeMap::new();
            for r in rewards::Entity::find().all(&db).await.unwrap() {
                let id = r.referral_id.to_string();
                if referrals.contains(&id) {
                    *per.entry(id).or_default() += 1;
                }
            }
            per
        }
    };

    // With Redis up, a conversion is rewarded through the queue.
    let first = convert(0).await;
    poll_until(Duration::from_secs(30), || async {
        (rewards_of(vec![first.clone()]).await.get(&first) == Some(&2)).then_some(())
    })
    .await;

    // Redis crashes.
    let ops = app.login_as("OPS").await;
    redis.crash();
    let res = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "ready without Redis");
    let ready: Value = res.json().await.unwrap();
    assert_eq!(ready["queue"], "degraded", "{ready}");
    // Redirects still attribute, GraphQL still answers, conversions are still taken.
    app.visit(&code)
        .user_agent("Mozilla/5.0 Firefox/128.0")
        .click()
        .await;
    let listed = app
        .graphql_ok(
            Some(&token),
            "{ campaigns { edges { node { id status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["campaigns"]["edges"][0]["node"]["status"], "ACTIVE");
    let mut during = Vec::new();
    for i in 1..=5 {
        during.push(convert(i).await);
    }
    // Ops see it: the outbox backlog grows and the relay's lag with it, in GraphQL and on
    // /metrics. A relay lag of a second is also the sign that the relay has been failing to
    // dispatch them for that long.
    const OVERVIEW: &str = "{ queueOverview { outboxBacklog relayLagSecs } }";
    let overview = poll_until(Duration::from_secs(10), || async {
        let o = app.graphql_ok(Some(&ops), OVERVIEW, json!({})).await["queueOverview"].clone();
        (o["relayLagSecs"].as_i64().unwrap() >= 1).then_some(o)
    })
    .await;
    // Their jobs wait in the outbox; nothing is rewarded yet.
    let waiting = job_outbox::Entity::find()
        .filter(job_outbox::Column::State.ne(JobState::Done))
        .all(&db)
        .await
        .unwrap();
    assert!(
        waiting.len() >= during.len(),
        "{} jobs waiting",
        waiting.len()
    );
    assert!(rewards_of(during.clone()).await.is_empty());
    // The conversions' validation jobs (those already due) wait in the outbox.
    let backlog = overview["outboxBacklog"].as_i64().unwrap();
    assert!(backlog >= 1, "{overview}");
    let metric = |text: &str, name: &str| -> i64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} in {text}"))
            .parse()
            .unwrap()
    };
    let text = app.metrics().await;
    assert!(
        metric(&text, "grapevine_outbox_backlog") >= backlog,
        "{text}"
    );
    assert!(metric(&text, "grapevine_relay_lag_seconds") >= 1, "{text}");

    // Redis returns (empty: it kept nothing): the backlog drains, each conversion rewarded once —
    // well within the 60 s after which unclaimed dispatches are sent again anyway: the relay sees
    // Redis's new run id and puts back at once what the old Redis lost.
    // The outage lasts a moment longer (part of the scenario, not a wait for the product).
    tokio::time::sleep(Duration::from_secs(1)).await;
    redis.restart();
    let drained = poll_until(Duration::from_secs(20), || async {
        let per = rewards_of(during.clone()).await;
        let pending = job_outbox::Entity::find()
            .filter(job_outbox::Column::State.ne(JobState::Done))
            .all(&db)
            .await
            .unwrap();
        (per.len() == during.len() && pending.is_empty()).then_some(per)
    })
    .await;
    assert!(
        drained.values().all(|&n| n == 2),
        "two rewards per referral: {drained:?}"
    );
    // The gauges come back to 0. The periodic jobs (rollups every second in tests) pass through
    // the outbox too, so a single reading may catch one in its few milliseconds before the relay
    // takes it: the gauges must reach 0, not be 0 at one arbitrary instant.
    try_poll_until(Duration::from_secs(10), || async {
        let overview = app.graphql_ok(Some(&ops), OVERVIEW, json!({})).await;
        let text = app.metrics().await;
        (overview["queueOverview"] == json!({ "outboxBacklog": 0, "relayLagSecs": 0 })
            && metric(&text, "grapevine_outbox_backlog") == 0)
            .then_some(())
    })
    .await
    .expect("the outbox backlog and relay lag go back to 0 in GraphQL and on /metrics");
    let ready: Value = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["queue"], "ok", "{ready}");
}

/// A TCP proxy in front of PostgreSQL that the test can cut: while cut, every connection through
/// it is closed and new ones are closed as soon as they arrive (PostgreSQL itself, shared with
/// other tests, is never touched).
struct CuttableProxy {
    port: u16,
    cut: tokio::sync::watch::Sender<bool>,
    _task: tokio::task::JoinHandle<()>,
}

impl CuttableProxy {
    async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (cut, watch) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if *watch.borrow() {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let mut watch = watch.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        CuttableProxy {
            port,
            cut,
            _task: task,
        }
    }

    fn set_cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }
}

#[tokio::test]
async fn while_postgresql_is_unreachable_requests_fail_cleanly_and_recover_by_themselves() {
    require_services(Backend::Postgres);
    // Where PostgreSQL listens (over TCP, as the test services run it).
    let admin = url::Url::parse(&grapevine_tests::admin_database_url()).unwrap();
    let upstream = format!(
        "{}:{}",
        admin
            .host_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("127.0.0.1"),
        admin.port().unwrap_or(5432)
    );
    let proxy = CuttableProxy::start(upstream).await;
    let proxy_port = proxy.port;
    let app = spawn_app_with(Backend::Postgres, move |c| {
        let mut url = url::Url::parse(c.database_url.expose()).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(proxy_port)).unwrap();
        c.database_url = url.to_string().into();
    })
    .await;
    let token = app.admin_token.clone();
    let list = "{ campaigns { edges { node { id } } } }";
    app.graphql_ok(Some(&token), list, json!({})).await;
    let ready = format!("{}/readyz", app.address);
    assert_eq!(app.client.get(&ready).send().await.unwrap().status(), 200);

    // The database goes away: answers come quickly and say so, nothing hangs or panics.
    proxy.set_cut(true);
    let started = std::time::Instant::now();
    let body = app.graphql(Some(&token), list, json!({})).await;
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(15),
        "a request hung for {took:?}"
    );
    let codes = error_codes(&body);
    assert!(
        codes == ["INTERNAL"] || codes == ["UNAVAILABLE"],
        "a clean error: {body:#}"
    );
    let text = body.to_string();
    assert!(
        !text.contains("SELECT") && !text.contains("connection"),
        "no internals leak: {text}"
    );
    assert_eq!(app.client.get(&ready).send().await.unwrap().status(), 503);

    // It returns: the same process serves again by itself.
    proxy.set_cut(false);
    poll_until(Duration::from_secs(30), || async {
        let body = app.graphql(Some(&token), list, json!({})).await;
        body.get("errors").is_none().then_some(())
    })
    .await;
    assert_eq!(app.client.get(&ready).send().await.unwrap().status(), 200);
}
