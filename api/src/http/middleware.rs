//! Request ids, request spans (in the caller's W3C trace) and HTTP metrics, in one middleware.

use std::time::Instant;

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    web,
};
use grapevine_entity::ops::trace::{self, TraceParent};
use tracing::Instrument;
use uuid::Uuid;

use crate::state::AppState;

/// The request id of a request (from `X-Request-Id` when sane, else generated).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Tag the request with an id, run it in a span of the caller's trace (its `traceparent`, else a
/// new trace), count it and time it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    // Finding the pattern walks the routing table again; the redirect, by far the busiest
    // route, is known by its prefix.
    let route = if req.path().starts_with("/r/") {
        crate::http::redirect::ROUTE.to_owned()
    } else {
        req.match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned())
    };
    let method = req.method().to_string();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let trace = req
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok())
        .and_then(TraceParent::parse)
        .map_or_else(TraceParent::root, |caller| caller.child());
    let span = tracing::info_span!(
        "http",
        %request_id,
        %method,
        %route,
        trace_id = %trace.trace_hex(),
        span_id = %trace.span_hex(),
    );
    let started = Instant::now();
    let mut res = trace::scope(trace, next.call(req).instrument(span.clone())).await?;
    let status = res.status();
    if let Some(state) = state {
        state
            .metrics
            .requests
            .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
            .inc();
        state
            .metrics
            .latency
            .with_label_values(&[route.as_str()])
            .observe(started.elapsed().as_secs_f64());
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), value);
    }
    span.in_scope(|| {
        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request"
        )
    });
    Ok(res)
}
