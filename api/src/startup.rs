//! Build, then run: `Application::build` binds (port 0 in tests) and exposes the port;
//! `run_until_stopped` serves until SIGTERM/SIGINT, draining requests, then jobs.

use std::{net::TcpListener, sync::Arc};

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};
use grapevine_entity::domain::clock::{SharedClock, SystemClock};
use grapevine_worker::{
    JobContext, WorkerConfig,
    email::Mailer,
    metrics::JobMetrics,
    payouts::providers::StripeConnect,
    service::{self, Roles},
};
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::tracking::clicks::{ClickMetrics, WriterSettings};
use crate::{
    config::Config,
    db,
    graphql::build_schema,
    http::{self, metrics::HttpMetrics},
    state::AppState,
};

/// What a process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// The HTTP server.
    pub http: bool,
    /// The outbox relay and the job workers.
    pub jobs: bool,
}

/// A built application: socket bound, database open, not yet serving.
pub struct Application {
    port: u16,
    server: Option<Server>,
    state: AppState,
    /// What the jobs run with; the relay and workers start only when `run_jobs`.
    worker_ctx: JobContext,
    run_jobs: bool,
    shutdown: CancellationToken,
    writer_stop: CancellationToken,
    click_writer: tokio::task::JoinHandle<()>,
}

/// A unique name for this process's workers: host, pid and a random suffix.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "grapevine".into());
    format!(
        "{host}-{}-{:04x}",
        std::process::id(),
        rand::random::<u16>()
    )
}

/// Count every SQL statement this process runs on `db` (and its clones made from now on) in
/// `grapevine_db_statements_total`: how a benchmark tells the statements a request costs (an N+1
/// shows at once).
fn count_statements(
    db: &mut DatabaseConnection,
    registry: &prometheus::Registry,
) -> anyhow::Result<()> {
    let statements = prometheus::IntCounter::new(
        "grapevine_db_statements_total",
        "SQL statements run by this process",
    )?;
    registry.register(Box::new(statements.clone()))?;
    db.set_metric_callback(move |_| statements.inc());
    Ok(())
}

impl Application {
    /// Open the database (migrating first if `migrate`), bind the listener, prepare workers.
    pub async fn build(
        config: Config,
        parts: Parts,
        clock: Option<SharedClock>,
        migrate: bool,
    ) -> anyhow::Result<Self> {
        let db = db::connect(
            config.database_url.expose(),
            config.database_max_connections,
        )
        .await?;
        if migrate {
            db::migrate(&db).await?;
        }
        Self::build_with_db(config, db, parts, clock).await
    }

    /// As `build`, on an open database.
    pub async fn build_with_db(
        config: Config,
        db: DatabaseConnection,
        parts: Parts,
        clock: Option<SharedClock>,
    ) -> anyhow::Result<Self> {
        let mut config = config;
        let listener = if parts.http {
            let listener = TcpListener::bind(&config.listen).map_err(|e| {
                anyhow::anyhow!(
                    "configuration key `listen`: cannot bind {}: {e}",
                    config.listen
                )
            })?;
            let addr = listener.local_addr()?;
            // Port 0 (tests) is only known now: links in emails must carry the real one.
            if config.public_url.is_empty() || config.public_url.ends_with(":0") {
                config.public_url = format!("http://{addr}");
            }
            Some(listener)
        } else {
            if config.public_url.is_empty() {
                config.public_url = format!("http://{}", config.listen);
            }
            None
        };
        let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
        let metrics = Arc::new(HttpMetrics::new()?);
        let mut db = db;
        count_statements(&mut db, &metrics.registry)?;
        let job_metrics = JobMetrics::register(&metrics.registry)?;
        let shutdown = CancellationToken::new();
        let click_metrics = ClickMetrics::register(&metrics.registry)?;
        let settings = WriterSettings {
            capacity: config.tracking.click_buffer,
            batch: config.tracking.click_batch,
            flush_every: std::time::Duration::from_millis(config.tracking.click_flush_ms),
            writers: config.tracking.click_writers,
        };
        // The writer outlives the HTTP server: it stops on its own token, after the server.
        let writer_stop = CancellationToken::new();
        let tally = crate::tracking::tally::Tally::default();
        let (clicks, click_writer) = crate::tracking::clicks::spawn(
            db.clone(),
            settings,
            click_metrics,
            tally.clone(),
            writer_stop.clone(),
        );
        let state = AppState::new(
            config.clone(),
            db.clone(),
            clock.clone(),
            metrics,
            (clicks, tally),
            Arc::new(StripeConnect::new(config.stripe.connect_base())),
        )?;
        // Built even without workers: it checks the email settings up front, and a test without
        // background work runs a job by hand with it.
        let worker_ctx = JobContext {
            db: db.clone(),
            mailer: Arc::new(Mailer::from_config(&config.email)?),
            clock: clock.clone(),
            config: Arc::new(WorkerConfig {
                queue: config.queue.clone(),
                email: config.email.clone(),
                public_url: state.config.public_url.clone(),
                link_key: http::unsubscribe::link_key(&state),
                worker_name: worker_name(),
                providers: grapevine_worker::config::ProvidersConfig {
                    stripe_api_base: config.stripe.api_base.clone(),
                    stripe_connect_api_base: config.stripe.connect_base().to_owned(),
                    giftcard_url: config.giftcard.url.clone(),
                },
                webhooks: config.webhooks.clone(),
                analytics: config.analytics.clone(),
            }),
            metrics: job_metrics,
            secrets: state.secrets.clone(),
            attempt: None,
        };
        let (server, port) = match listener {
            Some(listener) => {
                // Hear the other replicas' cache changes while serving.
                tokio::spawn(state.caches.clone().listen(shutdown.clone()));
                let port = listener.local_addr()?.port();
                (Some(serve(listener, state.clone())?), port)
            }
            None => (None, 0),
        };
        Ok(Self {
            port,
            server,
            state,
            worker_ctx,
            run_jobs: parts.jobs,
            shutdown,
            writer_stop,
            click_writer,
        })
    }

    /// The bound port (0 when not serving HTTP).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// What the jobs run with (a test without background work runs a job by hand with it).
    pub fn job_context(&self) -> &JobContext {
        &self.worker_ctx
    }

    /// A token that stops the job side when cancelled (the HTTP side stops on signals).
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Serve until stopped. On SIGTERM/SIGINT the server drains in-flight requests, then the
    /// workers finish their current jobs.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let jobs = self.run_jobs.then(|| {
            let ctx = self.worker_ctx;
            let wake = self.state.wake.clone();
            let stop = self.shutdown.clone();
            tokio::spawn(service::run(
                ctx,
                wake,
                Roles {
                    relay: true,
                    workers: true,
                },
                stop,
            ))
        });
        match self.server {
            Some(server) => {
                server.await?;
                self.shutdown.cancel();
            }
            None => {
                shutdown_signal().await;
                self.shutdown.cancel();
            }
        }
        // Requests are drained: flush the clicks they queued.
        self.writer_stop.cancel();
        self.click_writer.await?;
        if let Some(jobs) = jobs {
            jobs.await?;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = ctrl_c.await;
}

fn serve(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let schema = web::Data::new(build_schema(Some(state.clone()), &state.config.graphql));
    // JSON bodies are held to `graphql.max_body_bytes` by the handler; uploads may be larger.
    let body_limit = state.config.graphql.max_body_bytes.max(
        state
            .config
            .imports
            .max_upload_bytes
            .saturating_add(64 << 10),
    );
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(http::middleware::observe))
            .app_data(data.clone())
            .app_data(schema.clone())
            .app_data(web::PayloadConfig::new(body_limit))
            // The click redirect first, as a prefix scope: a static prefix test rather than the
            // routing regex every `{param}` route costs (the profile showed it).
            .service(
                web::scope(http::redirect::PREFIX)
                    .default_service(web::to(http::redirect::redirect)),
            )
            .route("/healthz", web::get().to(http::health::healthz))
            .route("/readyz", web::get().to(http::health::readyz))
            .route("/metrics", web::get().to(http::metrics::metrics))
            .route("/graphql", web::post().to(http::graphql::post))
            .route(
                "/exports/payouts.csv",
                web::get().to(http::exports::payouts),
            )
            .route("/exports/ledger.csv", web::get().to(http::exports::ledger))
            .route(
                "/reports/campaigns/{id}.csv",
                web::get().to(http::reports::csv),
            )
            .route(
                "/reports/campaigns/{id}.html",
                web::get().to(http::reports::html),
            )
            .route(
                "/graphql",
                web::get()
                    .guard(actix_web::guard::Header("upgrade", "websocket"))
                    .to(http::graphql::subscribe),
            )
            .route("/graphql", web::get().to(http::graphql::get))
            .route("/qr/{file}", web::get().to(http::redirect::qr))
            .route("/widget.js", web::get().to(http::widget::script))
            .route("/widget/v1/me", web::get().to(http::widget::me))
            .route("/widget/v1/invites", web::post().to(http::widget::invite))
            .route("/widget/v1/lead", web::post().to(http::widget::lead))
            .route("/demo/store", web::get().to(http::widget::demo_store))
            .route(
                "/webhooks/stripe/{tenant}",
                web::post().to(crate::webhooks::stripe::receive),
            )
            .route("/u/{token}", web::get().to(http::unsubscribe::confirm))
            .route("/u/{token}", web::post().to(http::unsubscribe::unsubscribe))
            // The console's files and routes: whatever nothing above answered.
            .default_service(web::to(http::console::serve))
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
