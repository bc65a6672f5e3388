//! `/metrics` in the Prometheus text format: HTTP requests and latencies, and job counters.

use actix_web::{HttpResponse, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use crate::state::AppState;

/// The registry and the HTTP series.
pub struct HttpMetrics {
    /// Everything this process exposes.
    pub registry: Registry,
    /// Requests by route pattern, method and status.
    pub requests: IntCounterVec,
    /// Latency by route pattern.
    pub latency: HistogramVec,
    /// Jobs in our outbox by kind and state, every tenant (read from the database at each scrape).
    pub jobs: IntGaugeVec,
    /// Due jobs the relay has not yet put on the queue, every tenant.
    pub outbox_backlog: IntGauge,
    /// Seconds the oldest of those has waited.
    pub relay_lag: IntGauge,
}

impl HttpMetrics {
    /// Create and register.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "grapevine_http_requests_total",
                "HTTP requests, by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "grapevine_http_request_duration_seconds",
                "HTTP request latency, by route",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
            ]),
            &["route"],
        )?;
        let jobs = IntGaugeVec::new(
            Opts::new(
                "grapevine_jobs",
                "Jobs in the outbox, by kind and state (pending, dispatched, running, done, dead)",
            ),
            &["kind", "state"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        let outbox_backlog = IntGauge::new(
            "grapevine_outbox_backlog",
            "Due jobs in the outbox not yet handed to the queue, every tenant",
        )?;
        let relay_lag = IntGauge::new(
            "grapevine_relay_lag_seconds",
            "Seconds the oldest due job has waited for the relay (0 when none waits)",
        )?;
        registry.register(Box::new(jobs.clone()))?;
        registry.register(Box::new(outbox_backlog.clone()))?;
        registry.register(Box::new(relay_lag.clone()))?;
        Ok(Self {
            registry,
            requests,
            latency,
            jobs,
            outbox_backlog,
            relay_lag,
        })
    }
}

/// `GET /metrics`.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // Queue gauges come from the outbox, the record of every job; a failing query leaves the
    // last values (and is logged) rather than failing the scrape.
    match grapevine_entity::ops::queue_health::states(&state.db, None).await {
        Ok(counts) => {
            state.metrics.jobs.reset();
            for (kind, job_state, n) in counts {
                state
                    .metrics
                    .jobs
                    .with_label_values(&[kind.as_str(), job_state.as_str()])
                    .set(n);
            }
        }
        Err(err) => tracing::warn!(error = %err, "counting jobs for /metrics failed"),
    }
    let now = grapevine_entity::ops::outbox::wall_clock();
    match grapevine_entity::ops::queue_health::outbox_lag(&state.db, None, now).await {
        Ok(lag) => {
            state
                .metrics
                .outbox_backlog
                .set(i64::try_from(lag.backlog).unwrap_or(i64::MAX));
            state.metrics.relay_lag.set(lag.lag_secs);
        }
        Err(err) => tracing::warn!(error = %err, "reading the outbox backlog for /metrics failed"),
    }
    let families = state.metrics.registry.gather();
    let mut body = Vec::new();
    if let Err(err) = TextEncoder::new().encode(&families, &mut body) {
        tracing::error!(error = %err, "encoding metrics");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
