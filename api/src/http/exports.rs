//! Finance's CSV exports, streamed page by page:
//! `GET /exports/payouts.csv?from=…&to=…` and `GET /exports/ledger.csv?from=…&to=…[&participantId=…]`
//! (RFC 3339 times, a half-open period of at most 366 days; a finance or admin staff token as
//! `Authorization: Bearer`). Columns are listed in the README and only ever appended to.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use uuid::Uuid;

use super::error::failure;
use crate::{auth::Role, auth::request::authenticate, error::ApiError, state::AppState};
use grapevine_entity::ops::finance::{Export, Period, export_csv};

/// Who may export.
const FINANCE: &[Role] = &[Role::Finance];

/// `GET /exports/payouts.csv`: payouts created in the period.
pub async fn payouts(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    export(&req, &state, &query, |_| Ok(Export::Payouts), "payouts").await
}

/// `GET /exports/ledger.csv`: ledger entries written in the period, optionally one participant's.
pub async fn ledger(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let participant = |q: &HashMap<String, String>| {
        let participant_id = q
            .get("participantId")
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| ApiError::invalid("participantId", "must be a UUID"))
            })
            .transpose()?;
        Ok(Export::Ledger { participant_id })
    };
    export(&req, &state, &query, participant, "ledger").await
}

async fn export(
    req: &HttpRequest,
    state: &AppState,
    query: &HashMap<String, String>,
    which: impl FnOnce(&HashMap<String, String>) -> Result<Export, ApiError>,
    name: &str,
) -> HttpResponse {
    let Ok(principal) = authenticate(state, req).await else {
        return failure(ApiError::Internal(anyhow::anyhow!(
            "authentication is unavailable"
        )));
    };
    let actor = match principal.staff(FINANCE) {
        Ok(actor) => actor,
        Err(e) => return failure(e),
    };
    let parsed = period(query).and_then(|p| Ok((p, which(query)?)));
    let (period, export) = match parsed {
        Ok(v) => v,
        Err(e) => return failure(e),
    };
    let file = format!(
        "{name}_{}_{}.csv",
        period.from.format("%Y%m%dT%H%M%SZ"),
        period.to.format("%Y%m%dT%H%M%SZ")
    );
    let body = export_csv(state.db.clone(), actor.tenant_id, period, export).map(|chunk| {
        chunk.map(web::Bytes::from).map_err(|e| {
            // Headers are gone by now: log, and cut the body short so the client sees an error.
            let message = e.message();
            tracing::error!(error = %message, "export failed part way");
            actix_web::error::ErrorInternalServerError(message)
        })
    });
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

fn period(query: &HashMap<String, String>) -> Result<Period, ApiError> {
    let time = |name: &str| -> Result<DateTime<Utc>, ApiError> {
        let raw = query
            .get(name)
            .ok_or_else(|| ApiError::invalid(name, "is required (RFC 3339)"))?;
        DateTime::parse_from_rfc3339(raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| ApiError::invalid(name, "must be an RFC 3339 time"))
    };
    Period::new(time("from")?, time("to")?)
}
