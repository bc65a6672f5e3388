//! Logging: pretty for people, JSON for collectors; the level from `log.level` or `RUST_LOG`.

use tracing_subscriber::{EnvFilter, fmt, fmt::format::FmtSpan};

use crate::config::LogConfig;

/// Install the global subscriber (once; later calls are ignored).
pub fn init(config: &LogConfig) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&config.level));
    let spans = if config.spans {
        FmtSpan::CLOSE
    } else {
        FmtSpan::NONE
    };
    let result = if config.format == "json" {
        fmt()
            .json()
            .with_span_events(spans)
            .with_env_filter(filter)
            .with_current_span(true)
            .with_writer(std::io::stderr)
            .try_init()
    } else {
        fmt()
            .with_env_filter(filter)
            .with_span_events(spans)
            .with_writer(std::io::stderr)
            .try_init()
    };
    drop(result);
}
