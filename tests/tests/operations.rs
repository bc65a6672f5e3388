//! Operations: retries through an SMTP outage with the attempts in our tables, readiness when the
//! queue or the database is down, metrics, request ids.

// Tests fail by panicking: unwrap is how a test says "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use grapevine_entity::tables::{EmailState, JobRunOutcome, JobState, emails, job_outbox, job_runs};
use grapevine_tests::{Backend, TestApp, poll_until, spawn_app, spawn_app_with};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};
use serde_json::{Value, json};

/// An app with a launched campaign of one participant, whose launch email has gone out.
async fn launched_with_its_email_sent() -> TestApp {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "p1", "pat@example.com").await;
    app.launch(&token, &campaign).await;
    app.smtp.wait_for(1, Duration::from_secs(30)).await;
    app
}

#[tokio::test]
async fn an_smtp_outage_is_retried_with_backoff_and_the_email_goes_out_once_it_returns() {
    let mut app = spawn_app().await;
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "p1", "pat@example.com").await;
    app.smtp.stop();
    app.launch(&token, &campaign).await;

    let db = app.db.connect().await;
    // At least two failed attempts recorded while the server is down; the email waits, unsent.
    let job = poll_until(Duration::from_secs(30), || async {
        let job = job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq("email.send"))
            .one(&db)
            .await
            .unwrap()?;
        let failed = job_runs::Entity::find()
            .filter(job_runs::Column::JobId.eq(job.id))
            .filter(job_runs::Column::Outcome.eq(JobRunOutcome::Failed))
            .all(&db)
            .await
            .unwrap();
        (failed.len() >= 2).then_some(job)
    })
    .await;
    let email = emails::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(
        email.state,
        EmailState::Queued,
        "nothing was handed to a server, so it may be retried"
    );
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or("")
            .contains("unreachable"),
        "{:?}",
        job.last_error
    );
    assert_ne!(job.state, JobState::Dead);

    app.smtp.start_again().await;
    let sent = poll_until(Duration::from_secs(30), || async {
        let email = emails::Entity::find_by_id(email.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        (email.state == EmailState::Sent).then_some(email)
    })
    .await;
    assert_eq!(sent.attempts, 1, "one SMTP hand-over");
    let mails = app.smtp.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 1);
    // The email is marked sent inside the job; the job itself is marked done just after it
    // returns, so it is waited for rather than read at once.
    let job = poll_until(Duration::from_secs(10), || async {
        let job = job_outbox::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        (job.state == JobState::Done).then_some(job)
    })
    .await;
    let runs = job_runs::Entity::find()
        .filter(job_runs::Column::JobId.eq(job.id))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(
        runs.len() as i32,
        job.attempts,
        "one job_runs row per attempt"
    );
    assert_eq!(
        runs.iter()
            .filter(|r| r.outcome == JobRunOutcome::Succeeded)
            .count(),
        1
    );
    // Backoff: attempts are spaced out, not hammered.
    let mut starts: Vec<_> = runs.iter().map(|r| r.started_at).collect();
    starts.sort();
    assert!(
        starts
            .windows(2)
            .all(|w| w[1] - w[0] >= chrono::Duration::milliseconds(150)),
        "retries wait between attempts: {starts:?}"
    );
}

#[tokio::test]
async fn readiness_reports_a_down_queue_as_degraded_but_stays_ready_and_the_api_keeps_working() {
    // A Redis URL nobody listens on.
    let port = grapevine_tests::free_port();
    let app = spawn_app_with(Backend::current(), |c| {
        c.queue.url = format!("redis://127.0.0.1:{port}").into()
    })
    .await;
    let res = app
        .client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["queue"], "degraded");
    assert_eq!(body["database"], "ok");
    // Work is still accepted: the launch's jobs wait in the outbox.
    let token = app.admin_token.clone();
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "p1", "pat@example.com").await;
    app.launch(&token, &campaign).await;
    let db = app.db.connect().await;
    let waiting = job_outbox::Entity::find()
        .filter(job_outbox::Column::Kind.eq("campaign.launch"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        waiting.state,
        JobState::Pending,
        "the job waits in the outbox until the queue is back"
    );
}

#[tokio::test]
async fn readiness_fails_while_the_database_is_unreachable_and_recovers_by_itself() {
    let app = grapevine_tests::spawn_app_on(Backend::Postgres).await;
    let url = format!("{}/readyz", app.address);
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
    let admin = sea_orm::Database::connect(grapevine_tests::admin_database_url())
        .await
        .unwrap();
    let name = &app.db.name;
    let exec = |sql: String| {
        let admin = admin.clone();
        async move {
            admin
                .execute_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql))
                .await
                .unwrap()
        }
    };
    exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false")).await;
    exec(format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
    ))
    .await;
    let status = poll_until(Duration::from_secs(20), || async {
        let res = app.client.get(&url).send().await.unwrap();
        (res.status() == 503).then_some(res.json::<Value>().await.unwrap())
    })
    .await;
    assert_eq!(status["database"], "unreachable");
    exec(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true")).await;
    poll_until(Duration::from_secs(20), || async {
        (app.client.get(&url).send().await.unwrap().status() == 200).then_some(())
    })
    .await;
    let me = app
        .graphql(Some(&app.admin_token), "{ me { email } }", json!({}))
        .await;
    assert!(me.get("errors").is_none(), "requests work again: {me:#}");
}

#[tokio::test]
async fn responses_carry_the_request_id_sent_or_a_generated_one() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-me-42");
    let res = app
        .client
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert!(
        !res.headers()["x-request-id"].is_empty(),
        "an id is generated when none is sent"
    );
}

#[tokio::test]
async fn metrics_count_requests_and_jobs() {
    let app = launched_with_its_email_sent().await;

    let text = poll_until(Duration::from_secs(10), || async {
        let text = app.metrics().await;
        text.contains(r#"grapevine_job_runs_total{kind="email.send",outcome="succeeded"} 1"#)
            .then_some(text)
    })
    .await;
    assert!(
        text.contains(
            r#"grapevine_http_requests_total{method="POST",route="/graphql",status="200"}"#
        ),
        "{text}"
    );
    assert!(
        text.contains(r#"grapevine_job_runs_total{kind="campaign.launch",outcome="succeeded"} 1"#),
        "{text}"
    );
    assert!(text.contains("grapevine_http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn an_email_dead_after_every_attempt_shows_its_reason_and_goes_out_once_when_ops_retry_it() {
    let mut app = spawn_app_with(Backend::current(), |c| c.queue.backoff_max_secs = 1).await;
    let token = app.admin_token.clone();
    let ops = app.login_as("OPS").await;
    let campaign = app.design_campaign(&token).await;
    app.enroll(&token, &campaign, "p1", "pat@example.com").await;
    app.smtp.stop();
    app.launch(&token, &campaign).await;

    // Every attempt fails: the job dies, with the reason, and ops see it.
    const DEAD: &str =
        "{ deadJobs { edges { node { id kind state attempts maxAttempts lastError } } } }";
    let dead = poll_until(Duration::from_secs(60), || async {
        let data = app.graphql_ok(Some(&ops), DEAD, json!({})).await;
        data["deadJobs"]["edges"]
            .as_array()
            .unwrap()
            .first()
            .map(|e| e["node"].clone())
    })
    .await;
    assert_eq!(dead["kind"], "email.send");
    assert_eq!(dead["state"], "DEAD");
    assert_eq!(dead["attempts"], dead["maxAttempts"]);
    assert!(
        dead["lastError"].as_str().unwrap().contains("unreachable"),
        "{dead}"
    );
    let db = app.db.connect().await;
    let email = emails::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(email.state, EmailState::Queued, "never handed to a server");
    // Queue health shows it, in GraphQL and on /metrics.
    const HEALTH: &str = "{ queueHealth { kind waiting running retrying dead doneLastHour oldestWaitingSecs p95RunMs } }";
    let email_health = |data: Value| {
        data["queueHealth"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "email.send")
            .cloned()
            .unwrap()
    };
    let health = email_health(app.graphql_ok(Some(&ops), HEALTH, json!({})).await);
    assert_eq!(
        (health["dead"].clone(), health["doneLastHour"].clone()),
        (json!(1), json!(0)),
        "{health}"
    );
    let text = app.metrics().await;
    assert!(
        text.contains(r#"grapevine_jobs{kind="email.send",state="dead"} 1"#),
        "{text}"
    );

    // Only a dead job can be retried.
    let launch_job = job_outbox::Entity::find()
        .filter(job_outbox::Column::Kind.eq("campaign.launch"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let retry = "mutation($id: UUID!) { retryJob(id: $id) { id state attempts } }";
    let body = app
        .graphql(Some(&ops), retry, json!({ "id": launch_job.id }))
        .await;
    assert_eq!(
        grapevine_tests::error_codes(&body),
        ["CONFLICT"],
        "{body:#}"
    );

    // SMTP is fixed; ops retry: it goes out, once.
    app.smtp.start_again().await;
    let retried = app
        .graphql_ok(Some(&ops), retry, json!({ "id": dead["id"] }))
        .await;
    assert_eq!(retried["retryJob"]["attempts"], 0);
    let sent = poll_until(Duration::from_secs(30), || async {
        let email = emails::Entity::find_by_id(email.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        (email.state == EmailState::Sent).then_some(email)
    })
    .await;
    assert_eq!(sent.attempts, 1);
    // No email job is left to run, so a second delivery would have arrived by now.
    app.jobs_idle().await;
    assert_eq!(app.smtp.messages().len(), 1);
    let data = app.graphql_ok(Some(&ops), DEAD, json!({})).await;
    assert_eq!(data["deadJobs"]["edges"], json!([]));
    let health = poll_until(Duration::from_secs(10), || async {
        let h = email_health(app.graphql_ok(Some(&ops), HEALTH, json!({})).await);
        (h["doneLastHour"] == 1).then_some(h)
    })
    .await;
    assert_eq!(health["dead"], 0, "{health}");
    assert!(health["p95RunMs"].as_i64().is_some(), "{health}");
    let text = app.metrics().await;
    assert!(
        text.contains(r#"grapevine_jobs{kind="email.send",state="done"} 1"#),
        "{text}"
    );
    assert!(
        !text.contains(r#"grapevine_jobs{kind="email.send",state="dead"}"#),
        "{text}"
    );
}

#[tokio::test]
async fn finished_jobs_past_the_retention_are_pruned_with_their_runs_and_nothing_else() {
    let app = launched_with_its_email_sent().await;
    let db = app.db.connect().await;
    let launch_job = poll_until(Duration::from_secs(30), || async {
        job_outbox::Entity::find()
            .filter(job_outbox::Column::Kind.eq("campaign.launch"))
            .filter(job_outbox::Column::State.eq(JobState::Done))
            .one(&db)
            .await
            .unwrap()
    })
    .await;
    // The launch finished eight days ago (past the default week); the rest just now.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(8);
    job_outbox::Entity::update_many()
        .col_expr(
            job_outbox::Column::FinishedAt,
            sea_orm::sea_query::Expr::value(Some(long_ago)),
        )
        .filter(job_outbox::Column::Id.eq(launch_job.id))
        .exec(&db)
        .await
        .unwrap();
    assert!(
        !job_runs::Entity::find()
            .filter(job_runs::Column::JobId.eq(launch_job.id))
            .all(&db)
            .await
            .unwrap()
            .is_empty()
    );
    let recent: Vec<uuid::Uuid> = job_outbox::Entity::find()
        .filter(job_outbox::Column::State.eq(JobState::Done))
        .filter(job_outbox::Column::Id.ne(launch_job.id))
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert!(!recent.is_empty());

    grapevine_entity::ops::outbox::enqueue(
        &db,
        None,
        &grapevine_entity::ops::jobs::PruneOutbox::default(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    poll_until(Duration::from_secs(30), || async {
        job_outbox::Entity::find_by_id(launch_job.id)
            .one(&db)
            .await
            .unwrap()
            .is_none()
            .then_some(())
    })
    .await;
    assert!(
        job_runs::Entity::find()
            .filter(job_runs::Column::JobId.eq(launch_job.id))
            .all(&db)
            .await
            .unwrap()
            .is_empty(),
        "its runs went with it"
    );
    for id in recent {
        assert!(
            job_outbox::Entity::find_by_id(id)
                .one(&db)
                .await
                .unwrap()
                .is_some(),
            "a recent job was pruned"
        );
    }
    // What the jobs did stays: the email is still on record.
    let email = emails::Entity::find().one(&db).await.unwrap().unwrap();
    assert_eq!(email.state, EmailState::Sent);
}
