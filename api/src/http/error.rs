//! The one error of Grapevine's HTTP endpoints (everything but `/graphql`, whose errors are
//! GraphQL's): the domain error's code decides the status, and the body is always
//!
//! ```json
//! { "error": { "code": "VALIDATION", "message": "from: is required", "fields": [{ "field": "from", "message": "is required" }] } }
//! ```
//!
//! (`fields` is empty but for `VALIDATION`). Pages people open from an email or a shared link
//! (`/u/…`, `/r/…`) answer the same error as a short HTML page when the browser asks for HTML.
//! Internal errors are logged with their cause and an `errorId` that the answer carries.
//! docs/operations.md#http-errors documents the table.

use std::fmt;

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde_json::json;

use crate::error::{ApiError, code};

/// A domain error on its way out of an HTTP handler.
#[derive(Debug)]
pub struct HttpError {
    error: ApiError,
    /// The caller's allowed origin (the widget's answers must carry CORS for the page to read them).
    cors_origin: Option<String>,
    /// Answer with an HTML page rather than JSON.
    html: bool,
    /// Says more than the code's standard message (which key, which origin).
    message: Option<String>,
}

impl HttpError {
    /// The error as JSON.
    pub fn new(error: impl Into<ApiError>) -> Self {
        Self {
            error: error.into(),
            cors_origin: None,
            html: false,
            message: None,
        }
    }

    /// Not authenticated, saying why.
    pub fn unauthenticated(why: impl Into<String>) -> Self {
        Self::new(ApiError::Unauthenticated).saying(why)
    }

    /// Replace the standard message with a more precise one.
    #[must_use]
    pub fn saying(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Readable by a page on `origin` (the origin was checked against the caller's key).
    #[must_use]
    pub fn for_origin(mut self, origin: &str) -> Self {
        self.cors_origin = Some(origin.to_owned());
        self
    }

    /// As an HTML page when the request prefers HTML (a person followed a link).
    #[must_use]
    pub fn page_for(mut self, req: &actix_web::HttpRequest) -> Self {
        self.html = prefers_html(req);
        self
    }
}

impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self::new(error)
    }
}

impl From<anyhow::Error> for HttpError {
    fn from(error: anyhow::Error) -> Self {
        Self::new(error)
    }
}

impl From<sea_orm::DbErr> for HttpError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::new(error)
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

/// The error response of `error` (for handlers that build their responses by hand).
pub fn failure(error: impl Into<ApiError>) -> HttpResponse {
    HttpError::new(error).error_response()
}

/// The status of each code: the one table for every HTTP endpoint.
pub fn status_of(error: &ApiError) -> StatusCode {
    match error {
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound(_) => StatusCode::NOT_FOUND,
        ApiError::Validation(_) => StatusCode::BAD_REQUEST,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        // Nearly always a database or a dependency that is down for a moment: try again.
        ApiError::Internal(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl ResponseError for HttpError {
    fn status_code(&self) -> StatusCode {
        status_of(&self.error)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CACHE_CONTROL, "no-store"));
        if let Some(origin) = &self.cors_origin {
            res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
                .insert_header((header::VARY, "Origin"));
        }
        let mut error_id = None;
        match &self.error {
            ApiError::RateLimited { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Internal(cause) => {
                let id = uuid::Uuid::now_v7();
                tracing::error!(error_id = %id, error = %format!("{cause:#}"), "internal error");
                res.insert_header((header::RETRY_AFTER, "1"));
                error_id = Some(id.to_string());
            }
            _ => {}
        }
        let message = match (&self.error, &self.message) {
            (ApiError::Internal(_), _) => {
                "the service is unavailable right now; try again shortly".to_owned()
            }
            (_, Some(message)) => message.clone(),
            (other, None) => other.message(),
        };
        if self.html {
            return res
                .content_type("text/html; charset=utf-8")
                .body(page(self.error.code(), &message));
        }
        let fields: Vec<_> = match &self.error {
            ApiError::Validation(fields) => fields
                .iter()
                .map(|f| json!({ "field": f.field, "message": f.message }))
                .collect(),
            _ => Vec::new(),
        };
        let mut body = json!({ "code": self.error.code(), "message": message, "fields": fields });
        if let Some(id) = error_id {
            body["errorId"] = id.into();
        }
        res.json(json!({ "error": body }))
    }
}

/// True when the request's `Accept` names HTML before any JSON (a browser following a link).
fn prefers_html(req: &actix_web::HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match (accept.find("text/html"), accept.find("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

fn page(code: &str, message: &str) -> String {
    let title = match code {
        code::NOT_FOUND => "Link not valid",
        code::RATE_LIMITED => "Too many requests",
        code::INTERNAL => "Please try again",
        _ => "Something is wrong with this request",
    };
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8>\
         <meta name=viewport content='width=device-width'><title>{title}</title></head>\
         <body style='font-family:system-ui;max-width:32rem;margin:4rem auto'><h1>{title}</h1>\
         <p>{}</p><p><small>{code}</small></p></body></html>",
        crate::reports::escape(message)
    )
}
