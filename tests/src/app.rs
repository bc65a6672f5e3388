//! `spawn_app()`: the real application in-process on a random port, on this test's own database,
//! queue (Redis key prefix or SQLite file) and a real SMTP server, with a tenant and an admin.

use std::time::Duration;

use grapevine_api::{Application, Config, Parts};
use serde_json::{Value, json};

use crate::{Backend, SmtpServer, TestDatabase, visit::Visit};

/// A running application for one test.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// This test's database.
    pub db: TestDatabase,
    /// The SMTP server receiving its email.
    pub smtp: SmtpServer,
    /// The configuration it runs with.
    pub config: Config,
    /// Tenant id of the first tenant.
    pub tenant_id: String,
    /// An admin token of that tenant.
    pub admin_token: String,
    /// What its jobs run with: a test started without workers runs a job by hand with it.
    pub jobs: grapevine_worker::context::JobContext,
    /// A client that does not follow redirects, for [`TestApp::visit`].
    no_redirects: reqwest::Client,
    /// The clock the test drives, if it drives one.
    clock: Option<grapevine_entity::domain::clock::SharedClock>,
    shutdown: tokio_util::sync::CancellationToken,
    _server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the queue consumers, which run on a thread of their own.
        self.shutdown.cancel();
    }
}

/// A configuration for this database and SMTP server, with fast job polling.
pub fn test_config(db: &TestDatabase, smtp: &SmtpServer) -> Config {
    let mut config = Config {
        listen: "127.0.0.1:0".into(),
        database_url: db.url.as_str().into(),
        ..Config::default()
    };
    config.queue.url = db.queue_url.as_str().into();
    config.queue.prefix = db.redis_prefix.trim_end_matches(':').to_owned();
    config.queue.relay_interval_ms = 50;
    config.queue.poll_interval_ms = 50;
    config.queue.heartbeat_secs = 2;
    config.queue.backoff_base_ms = 200;
    config.queue.backoff_max_secs = 2;
    config.queue.cron_interval_ms = 200;
    config.analytics.rollup_interval_secs = 1;
    // Tests that want the weekly digest turn it on; others count their emails exactly.
    config.analytics.weekly_digest = false;
    // Limits no test reaches unless it means to (each counts, so the path runs everywhere).
    config.rate_limits.redirect_per_minute = 1_000_000;
    config.rate_limits.track_per_minute = 1_000_000;
    config.rate_limits.widget_per_minute = 1_000_000;
    config.email.smtp_url = smtp.url().into();
    config.email.from = "Grapevine Test <noreply@grapevine.test>".into();
    config.secrets.master_key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into();
    config.auth.jwt_keys.insert(
        "test1".into(),
        "dGVzdC1zaWduaW5nLWtleS0wMTIzNDU2Nzg5YWJjZGVmZ2hpams=".into(),
    );
    config.auth.jwt_active_kid = "test1".into();
    config.log.level = "warn".into();
    config
}

impl TestApp {
    /// POST a GraphQL request with a bearer token; returns the JSON body.
    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send()
            .await
            .expect("graphql request")
            .json()
            .await
            .expect("graphql json")
    }

    /// As `graphql`, panicking with the errors if there are any; returns `data`.
    pub async fn graphql_ok(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let body = self.graphql(token, query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The application's time: the test's clock if it drives one, else the wall clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock
            .as_ref()
            .map_or_else(chrono::Utc::now, |clock| clock.now())
    }

    /// A draft campaign ready to launch: audience "vip with at least one order", double-sided
    /// fixed rewards, email material. Returns its id. Its dates are relative to [`TestApp::now`]:
    /// started a year ago, ending in three years, its KPI due in a year.
    pub async fn design_campaign(&self, token: &str) -> String {
        let now = self.now();
        let input = json!({
            "name": "Spring referral",
            "startsAt": now - chrono::Days::new(365),
            "endsAt": now + chrono::Days::new(3 * 365),
            "currency": "usd",
            "budgetMinor": "500000",
            "landingUrl": "https://shop.example/welcome",
            "audience": { "tagsAny": ["vip"], "minOrders": 1 },
            "goals": [{ "name": "Acquisition", "objectives": [{ "name": "Grow", "kpis": [{ "metric": "CONVERSIONS", "target": 100.0, "due": (now + chrono::Days::new(365)).date_naive() }] }] }]
        });
        let data = self
            .graphql_ok(
                Some(token),
                "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id status } }",
                json!({ "i": input }),
            )
            .await;
        let id = data["createCampaign"]["id"]
            .as_str()
            .expect("campaign id")
            .to_owned();
        for rule in crate::shop::double_sided() {
            self.graphql_ok(
                Some(token),
                "mutation($c: UUID!, $i: RewardRuleInput!) { addRewardRule(campaignId: $c, input: $i) { id } }",
                json!({ "c": id, "i": rule }),
            )
            .await;
        }
        self.graphql_ok(
            Some(token),
            "mutation($c: UUID!, $i: MaterialInput!) { setCampaignMaterial(campaignId: $c, input: $i) { id } }",
            json!({ "c": id, "i": {
                "channel": "EMAIL",
                "shareText": "Join me: {{referral_link}}",
                "emailSubject": "{{first_name}}, share {{campaign_name}}",
                "emailHtml": "<p>Hi {{first_name}}, {{reward_summary}}: <a href=\"{{referral_link}}\">{{referral_code}}</a></p><a href=\"{{unsubscribe_url}}\">unsubscribe</a>",
                "emailText": "Hi {{first_name}}, your code is {{referral_code}}: {{referral_link}}"
            }}),
        )
        .await;
        id
    }

    /// Enrol one participant (tagged vip, two orders) and return the enrolment.
    pub async fn enroll(
        &self,
        token: &str,
        campaign: &str,
        external_id: &str,
        email: &str,
    ) -> Value {
        let data = self
            .graphql_ok(
                Some(token),
                "mutation($c: UUID!, $i: ParticipantInput!) { enrollParticipant(campaignId: $c, input: $i) { eligible bucket referralCode } }",
                json!({ "c": campaign, "i": { "externalId": external_id, "email": email, "tags": ["vip"], "orderCount": 2 } }),
            )
            .await;
        data["enrollParticipant"].clone()
    }

    /// Launch a campaign.
    pub async fn launch(&self, token: &str, campaign: &str) {
        self.graphql_ok(
            Some(token),
            "mutation($c: UUID!) { launchCampaign(id: $c) { status } }",
            json!({ "c": campaign }),
        )
        .await;
    }

    /// The `/metrics` page (Prometheus text).
    pub async fn metrics(&self) -> String {
        let res = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("GET /metrics");
        assert!(res.status().is_success(), "GET /metrics: {}", res.status());
        res.text().await.expect("metrics body")
    }

    /// A new secret API key (`sk_…`) of the tenant `token` belongs to (admin or ops).
    pub async fn secret_key(&self, token: &str) -> String {
        self.graphql_ok(
            Some(token),
            r#"mutation { createApiKey(kind: SECRET, name: "shop") { key } }"#,
            json!({}),
        )
        .await["createApiKey"]["key"]
            .as_str()
            .expect("secret key")
            .to_owned()
    }

    /// A visit to the referral link `code` (`/r/{code}`), the redirect not followed: set options,
    /// then `click()` for the click id or `send()` for the response.
    pub fn visit(&self, code: &str) -> Visit {
        Visit::new(&self.no_redirects, &self.address, code)
    }

    /// Follow a referral link as a browser with `user_agent` would; returns the click id (`gv_click`)
    /// the redirect carries. The click itself is stored a moment later (batched).
    pub async fn click(&self, code: &str, user_agent: &str) -> uuid::Uuid {
        self.visit(code).user_agent(user_agent).click().await
    }

    /// Wait (up to 30 s) until every click in `ids` is stored: the API writes clicks in batches,
    /// and a conversion may name only a stored click.
    pub async fn clicks_stored(&self, ids: &[uuid::Uuid]) {
        use grapevine_entity::tables::clicks;
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let db = self.db.connect().await;
        let stored = crate::try_poll_until(Duration::from_secs(30), || async {
            let n = clicks::Entity::find()
                .filter(clicks::Column::Id.is_in(ids.to_vec()))
                .count(&db)
                .await
                .expect("count clicks");
            (n == ids.len() as u64).then_some(())
        })
        .await;
        assert!(stored.is_some(), "{} clicks stored", ids.len());
    }

    /// Wait (up to 120 s) until no event job is waiting or running ([`crate::busy_jobs`]): the
    /// pipeline has done all that the test's requests asked of it (emails sent, rewards settled…).
    pub async fn jobs_idle(&self) {
        let db = self.db.connect().await;
        let idle = crate::try_poll_until(Duration::from_secs(120), || async {
            (crate::busy_jobs(&db, &[]).await == 0).then_some(())
        })
        .await;
        assert!(idle.is_some(), "the event jobs did not finish within 120 s");
    }

    /// Wait (up to 60 s) until a pass of the scheduled job `J` (one of
    /// [`grapevine_worker::cron::SCHEDULED_KINDS`]) queued after this call has finished: that pass
    /// has seen everything committed before the call. The proof that a periodic job looked and
    /// found nothing (more) to do.
    pub async fn next_pass<J: grapevine_worker::Job>(&self) {
        let kind = J::KIND;
        use grapevine_entity::tables::{JobState, job_outbox};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
        let db = self.db.connect().await;
        let earlier: Vec<uuid::Uuid> = job_outbox::Entity::find()
            .select_only()
            .column(job_outbox::Column::Id)
            .filter(job_outbox::Column::Kind.eq(kind))
            .into_tuple()
            .all(&db)
            .await
            .expect("the passes so far");
        let finished = crate::try_poll_until(Duration::from_secs(60), || async {
            let later = job_outbox::Entity::find()
                .filter(job_outbox::Column::Kind.eq(kind))
                .filter(job_outbox::Column::Id.is_not_in(earlier.clone()))
                .filter(job_outbox::Column::State.eq(JobState::Done))
                .count(&db)
                .await
                .expect("count the passes");
            (later > 0).then_some(())
        })
        .await;
        assert!(finished.is_some(), "no {kind} pass finished within 60 s");
    }

    /// Wait until everything the test did has run through: the event jobs are done, then a
    /// rollup pass queued after them has taken their results into the rollups.
    pub async fn settled(&self) {
        self.jobs_idle().await;
        self.next_pass::<grapevine_worker::jobs::RefreshRollups>()
            .await;
    }

    /// Create a campaign from a `CreateCampaignInput` and return its id.
    pub async fn create_campaign(&self, token: &str, input: Value) -> String {
        self.graphql_ok(
            Some(token),
            "mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }",
            json!({ "i": input }),
        )
        .await["createCampaign"]["id"]
            .as_str()
            .expect("campaign id")
            .to_owned()
    }

    /// Create a staff user of the admin's tenant with `role` and return a token for them.
    pub async fn login_as(&self, role: &str) -> String {
        let email = format!(
            "{}-{}@staff.grapevine.test",
            role.to_lowercase(),
            uuid::Uuid::new_v4().simple()
        );
        self.graphql_ok(
            Some(&self.admin_token),
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "email": email, "name": role, "role": role, "password": "a long enough password" } }),
        )
        .await;
        let data = self
            .graphql_ok(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
                json!({ "e": email, "p": "a long enough password" }),
            )
            .await;
        data["login"]["token"].as_str().expect("token").to_owned()
    }
}

/// A second API replica of a [`TestApp`]: the same configuration (database, queue, keys), HTTP
/// only. Stopped when dropped.
pub struct Replica {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    stop: tokio_util::sync::CancellationToken,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl TestApp {
    /// Start another API replica of this deployment.
    pub async fn spawn_replica(&self) -> Replica {
        serve_api(self.config.clone()).await
    }
}

/// The API alone (HTTP, no jobs) on `config`'s database, queue and keys: another replica of a
/// deployment, or the server on a database something else filled (`grapevine demo`).
pub async fn serve_api(config: Config) -> Replica {
    let replica = Application::build(
        config,
        Parts {
            http: true,
            jobs: false,
        },
        None,
        false,
    )
    .await
    .expect("build the replica");
    let address = format!("http://127.0.0.1:{}", replica.port());
    let stop = replica.shutdown_token();
    tokio::spawn(replica.run_until_stopped());
    Replica { address, stop }
}

/// Start the application (API + relay + workers) for one test.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(Backend::current()).await
}

/// Start the application on a given backend.
pub async fn spawn_app_on(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// Start the application with a configuration adjusted by `adjust`.
pub async fn spawn_app_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_clock(backend, None, adjust).await
}

/// Start the application on a clock the test drives (hold periods, schedules).
pub async fn spawn_app_with_clock(
    backend: Backend,
    clock: Option<grapevine_entity::domain::clock::SharedClock>,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    spawn(
        backend,
        clock,
        Parts {
            http: true,
            jobs: true,
        },
        adjust,
    )
    .await
}

/// Start the API alone (no relay, no workers: nothing runs in the background), for tests that
/// count what a request costs.
pub async fn spawn_api_only(backend: Backend) -> TestApp {
    spawn_api_only_with(backend, |_| {}).await
}

/// The API alone, with a configuration adjusted by `adjust`; the test runs jobs by hand with
/// [`TestApp::jobs`].
pub async fn spawn_api_only_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(
        backend,
        None,
        Parts {
            http: true,
            jobs: false,
        },
        adjust,
    )
    .await
}

async fn spawn(
    backend: Backend,
    clock: Option<grapevine_entity::domain::clock::SharedClock>,
    parts: Parts,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    crate::require_services(backend);
    grapevine_api::telemetry::init(&grapevine_api::config::LogConfig {
        format: "pretty".into(),
        level: "warn".into(),
        spans: false,
    });
    let db = TestDatabase::create_on(backend).await;
    let smtp = SmtpServer::start().await;
    let mut config = test_config(&db, &smtp);
    adjust(&mut config);
    let clock_for_test = clock.clone();
    let app = Application::build(config.clone(), parts, clock, false)
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let (tenant_id, admin_token) = seed_tenant(&db, &config).await;
    let jobs = app.job_context().clone();
    let shutdown = app.shutdown_token();
    let server = tokio::spawn(async move {
        if let Err(e) = app.run_until_stopped().await {
            eprintln!("app stopped with error: {e:#}");
        }
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let no_redirects = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        db,
        smtp,
        config,
        tenant_id,
        admin_token,
        jobs,
        no_redirects,
        clock: clock_for_test,
        shutdown,
        _server: server,
    }
}

/// Create a tenant with an admin through the same service functions the CLI uses.
pub async fn seed_tenant(db: &TestDatabase, config: &Config) -> (String, String) {
    let conn = db.connect().await;
    let now = chrono::Utc::now();
    let slug = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let tenant = grapevine_entity::ops::tenants::create(&conn, &slug, "Test Shop", now)
        .await
        .expect("tenant");
    let email = format!("admin-{slug}@staff.grapevine.test");
    let user = grapevine_entity::ops::users::create(
        &conn,
        &grapevine_api::auth::Principal::Anonymous,
        tenant.id,
        &email,
        "Admin",
        grapevine_entity::tables::Role::Admin,
        "a long enough password",
        now,
    )
    .await
    .expect("admin");
    let keys = grapevine_api::auth::jwt::JwtKeys::from_config(&config.auth).expect("keys");
    let (token, _) = keys.issue(user.id, tenant.id, now).expect("token");
    (tenant.id.to_string(), token)
}
