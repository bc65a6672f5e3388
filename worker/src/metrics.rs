//! Prometheus metrics for jobs, registered in the caller's registry.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

/// Job counters and latencies, labelled by job kind (and outcome).
#[derive(Clone)]
pub struct JobMetrics {
    /// Finished runs by kind and outcome (`succeeded`, `failed`, `aborted`).
    pub runs: IntCounterVec,
    /// Run duration in seconds by kind.
    pub duration: HistogramVec,
    /// Outbox rows handed to the transport, by kind.
    pub dispatched: IntCounterVec,
}

impl JobMetrics {
    /// Create the metrics and register them in `registry`.
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let runs = IntCounterVec::new(
            Opts::new(
                "grapevine_job_runs_total",
                "Job runs finished, by kind and outcome",
            ),
            &["kind", "outcome"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "grapevine_job_duration_seconds",
                "Job run duration, by kind",
            )
            .buckets(vec![0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0]),
            &["kind"],
        )?;
        let dispatched = IntCounterVec::new(
            Opts::new(
                "grapevine_jobs_dispatched_total",
                "Outbox rows moved onto the queue, by kind",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(runs.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        registry.register(Box::new(dispatched.clone()))?;
        Ok(Self {
            runs,
            duration,
            dispatched,
        })
    }

    /// Metrics registered nowhere (for tools and tests that do not expose /metrics).
    pub fn unregistered() -> prometheus::Result<Self> {
        Self::register(&Registry::new())
    }
}
