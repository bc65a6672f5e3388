//! One trace per referral's trip (issue 17): the real `grapevine all` writes JSON logs with a line
//! per finished span; the shop's `trackConversion` request carries a W3C `traceparent`, and the
//! request's span, its resolver's span, the `referral.validate` job's span and the email jobs'
//! spans all carry that trace id — while work that other requests caused does not.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_entity::tables::{JobState, job_outbox};
use grapevine_tests::{
    Backend, GrapevineProcess, SmtpServer, TestDatabase,
    app::{seed_tenant, test_config},
    client::GraphqlClient,
    free_port, poll_until,
    process::config_env,
    require_services,
    shop::{self, ShopSpec, double_sided},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const TRACE_ID: &str = "5d3c8e0a9b7f41c2a6e4d8b0c2f4a6e8";

/// The lines written when a span named `name` closed.
fn closed<'a>(lines: &'a [Value], name: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|l| l["fields"]["message"] == "close" && l["span"]["name"] == name)
        .collect()
}

#[tokio::test]
async fn a_conversion_s_request_and_the_jobs_it_causes_share_one_trace_id() {
    let backend = Backend::current();
    require_services(backend);
    let db = TestDatabase::create_on(backend).await;
    let smtp = SmtpServer::start().await;
    let mut config = test_config(&db, &smtp);
    config.log.format = "json".into();
    config.log.level = "info".into();
    config.log.spans = true;
    let (_tenant, token) = seed_tenant(&db, &config).await;
    let listen = format!("127.0.0.1:{}", free_port());
    let mut server = GrapevineProcess::spawn(&["--listen", &listen, "all"], &config_env(&config));
    let api = GraphqlClient::new(&format!("http://{listen}"));
    server
        .wait_http_ok(&format!("{}/healthz", api.base), Duration::from_secs(60))
        .await;
    let shop = shop::open(
        &api,
        &token,
        ShopSpec {
            rules: double_sided(),
            name: "Traced",
            ..ShopSpec::default()
        },
    )
    .await;

    let click = api.visit(&shop.referrers[0].1).click().await;
    let traceparent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
    let body: Value = api
        .http
        .post(format!("{}/graphql", api.base))
        .bearer_auth(&shop.key)
        .header("traceparent", &traceparent)
        .json(&json!({
            "query": "mutation($i: ConversionInput!) { trackConversion(input: $i) { conversion { id } } }",
            "variables": { "i": {
                "orderId": "traced-1", "customerId": "friend-1", "email": "friend@friends.example",
                "amountMinor": "4000", "currency": "USD", "clickId": click,
            } },
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body.get("errors").is_none(), "{body:#}");

    // The trip is over when every job written under the trace is done and emails were among them.
    let conn = db.connect().await;
    let jobs = poll_until(Duration::from_secs(90), || async {
        let jobs = job_outbox::Entity::find()
            .filter(job_outbox::Column::Traceparent.like(format!("00-{TRACE_ID}-%")))
            .all(&conn)
            .await
            .unwrap();
        let done = jobs.iter().all(|j| j.state == JobState::Done);
        let emails = jobs.iter().filter(|j| j.kind == "email.send").count();
        (done && emails >= 2).then_some(jobs)
    })
    .await;
    let kinds: Vec<&str> = jobs.iter().map(|j| j.kind.as_str()).collect();
    assert!(kinds.contains(&"referral.validate"), "{kinds:?}");
    // Jobs the shop's setup caused (the campaign's launch) are in traces of their own.
    let launch = job_outbox::Entity::find()
        .filter(job_outbox::Column::Kind.eq("campaign.launch"))
        .one(&conn)
        .await
        .unwrap()
        .expect("the launch job");
    assert!(
        launch
            .traceparent
            .as_deref()
            .is_some_and(|tp| !tp.contains(TRACE_ID)),
        "{:?}",
        launch.traceparent
    );

    // The span lines of the jobs are written when the jobs finish, before their rows say so.
    server.terminate(Duration::from_secs(30)).await;
    let log = server.log();
    let lines: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // Each span names its trace: a close line's list of parents is the thread's, not the span's.
    let ours = |name: &str| -> Vec<&Value> {
        closed(&lines, name)
            .into_iter()
            .filter(|l| l["span"]["trace_id"] == TRACE_ID)
            .collect()
    };

    let requests = ours("http");
    assert_eq!(requests.len(), 1, "one request in the trace");
    assert_eq!(requests[0]["span"]["route"], "/graphql");
    assert_ne!(
        requests[0]["span"]["span_id"], "00f067aa0ba902b7",
        "the request is a child of the caller's span, not the caller's span itself"
    );
    let resolvers = ours("graphql.resolve");
    assert_eq!(resolvers.len(), 1, "{resolvers:#?}");
    assert_eq!(resolvers[0]["span"]["field"], "trackConversion");
    assert_eq!(resolvers[0]["span"]["parent"], "Mutation");

    // Each job's run is a span of the trace, named by its job id and kind.
    let runs = ours("job");
    let run_of = |kind: &str| -> Vec<&Value> {
        runs.iter()
            .copied()
            .filter(|l| l["span"]["kind"] == kind)
            .collect()
    };
    assert_eq!(run_of("referral.validate").len(), 1, "{runs:#?}");
    let emails = run_of("email.send");
    assert!(
        emails.len() >= 2,
        "email jobs in the trace: {}",
        emails.len()
    );
    for run in &runs {
        assert!(
            jobs.iter()
                .any(|j| j.id.to_string() == run["span"]["job_id"]),
            "{run}"
        );
    }
    assert_eq!(runs.len(), jobs.len(), "one run per job of the trace");
    // The handlers' own spans sit inside the runs (their events list both).
    assert!(
        lines
            .iter()
            .any(|l| l["span"]["name"] == "job.referral.validate"
                && l["spans"][0]["trace_id"] == TRACE_ID),
        "an event of the validation job under the trace"
    );

    // Every other request of the run (the shop's setup, the click) is in another trace.
    let others = closed(&lines, "http")
        .into_iter()
        .filter(|l| {
            l["span"]["trace_id"]
                .as_str()
                .is_some_and(|t| t != TRACE_ID)
        })
        .count();
    assert!(others > 5, "other requests: {others}");
}
