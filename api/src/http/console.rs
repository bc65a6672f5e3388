//! The console: the single-page app built from `web/` (its `web/dist`, committed and embedded in
//! the binary at compile time, so running Grapevine needs no Node.js) served at `/`, and GraphiQL
//! from the same bundle at `GET /graphql` for browsers.
//!
//! - Hashed assets (`/assets/…`) are cached for a year; HTML is never cached, so a new binary's
//!   console is picked up on the next load.
//! - Any other GET for a path that is not a file falls back to `index.html` (the console's router
//!   reads the URL), except under the prefixes the server answers itself (`/r/`, `/qr/`,
//!   `/widget…`, `/webhooks/`, `/reports/`, `/exports/`, `/u/`, `/demo/`, the health and metrics
//!   endpoints): an unknown path there is a 404, never the console.
//! - Every page is sent with a Content-Security-Policy that allows only our own origin.

use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    http::{Method, header},
};
use rust_embed::RustEmbed;

/// The built console (`web/dist`).
#[derive(RustEmbed)]
#[folder = "../web/dist"]
struct Bundle;

/// Our own origin only. Styles allow inline because the component library sets style
/// attributes; scripts, connections (including the GraphQL websocket), fonts, images and workers
/// come from this server alone.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
     connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'none'";

/// Paths the server answers itself: below them an unknown path is a 404, not the console.
const SERVER_PREFIXES: [&str; 10] = [
    "/r/",
    "/qr/",
    "/widget",
    "/webhooks/",
    "/reports/",
    "/exports/",
    "/u/",
    "/demo/",
    "/graphql",
    "/assets/",
];

/// Endpoints the server answers itself: these paths and any below them.
const SERVER_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The console's entry page.
const INDEX: &str = "index.html";

/// GraphiQL's entry page.
const GRAPHIQL: &str = "graphiql.html";

/// `GET /graphql` from a browser: GraphiQL from the bundle.
pub fn graphiql() -> HttpResponse {
    file(GRAPHIQL).unwrap_or_else(not_found)
}

/// The fallback service: a file of the bundle, the console for a client-side route, or 404.
pub async fn serve(req: HttpRequest) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return not_found();
    }
    let path = req.path();
    let reserved = SERVER_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }) || SERVER_PREFIXES
        .iter()
        .any(|p| path.starts_with(p) || path == p.trim_end_matches('/'));
    let name = path.trim_start_matches('/');
    if !name.is_empty()
        && let Some(res) = file(name)
    {
        return res;
    }
    // A client-side route has no file extension in its last segment.
    let looks_like_file = path.rsplit('/').next().is_some_and(|s| s.contains('.'));
    if reserved || looks_like_file {
        return not_found();
    }
    file(INDEX).unwrap_or_else(not_found)
}

/// One file of the bundle with its type and caching, or `None` if the bundle has no such file.
fn file(name: &str) -> Option<HttpResponse> {
    let found = Bundle::get(name)?;
    let mime = found.metadata.mimetype();
    let is_html = mime.starts_with("text/html");
    let cache = if name.starts_with("assets/") {
        // Vite names these by their content's hash: a changed file is a new name.
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut res = HttpResponse::Ok();
    res.content_type(if is_html {
        "text/html; charset=utf-8"
    } else {
        mime
    })
    .insert_header((header::CACHE_CONTROL, cache))
    .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if is_html {
        res.insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
            .insert_header((header::REFERRER_POLICY, "same-origin"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"));
    }
    Some(res.body(found.data.into_owned()))
}

fn not_found() -> HttpResponse {
    super::error::HttpError::new(crate::error::ApiError::NotFound("resource"))
        .saying("no such resource")
        .error_response()
}
