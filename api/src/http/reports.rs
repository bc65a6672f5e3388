//! Campaign report downloads: `GET /reports/campaigns/{id}.csv` and `GET /reports/campaigns/{id}.html`
//! with `?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=day|week|month` (all optional, as in
//! `campaignReport`), for the same readers as `campaignReport`, with a staff token as
//! `Authorization: Bearer`. Errors are JSON with a stable code (see `http::exports`).

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use chrono::NaiveDate;
use uuid::Uuid;

use super::error::failure;
use crate::{auth::request::authenticate, error::ApiError, reports, state::AppState};
use grapevine_entity::ops::reports::{CampaignReport, Granularity, READERS, campaign_report};

/// `GET /reports/campaigns/{id}.csv`: one row per (period start, channel).
pub async fn csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    let report = match load(&req, &state, &path, &query).await {
        Ok(r) => r,
        Err(e) => return failure(e),
    };
    match reports::csv::render(&report) {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&report, "csv")),
            ))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body),
        Err(e) => failure(e),
    }
}

/// `GET /reports/campaigns/{id}.html`: the printable page.
pub async fn html(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
) -> HttpResponse {
    match load(&req, &state, &path, &query).await {
        Ok(report) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            // A self-contained page: nothing to load from anywhere, no scripts.
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ))
            .body(reports::html::render(&report)),
        Err(e) => failure(e),
    }
}

/// Authenticate, authorise, parse and build the report.
async fn load(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
    query: &HashMap<String, String>,
) -> Result<CampaignReport, ApiError> {
    let principal = authenticate(state, req)
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("authentication is unavailable")))?;
    let actor = principal.staff(READERS)?;
    let campaign_id =
        Uuid::parse_str(id).map_err(|_| ApiError::invalid("id", "must be a campaign UUID"))?;
    let from = day(query, "from")?;
    let to = day(query, "to")?;
    let granularity = granularity(query)?;
    campaign_report(
        &state.db,
        actor.tenant_id,
        campaign_id,
        from,
        to,
        granularity,
        state.clock.now(),
    )
    .await
}

fn day(query: &HashMap<String, String>, name: &str) -> Result<Option<NaiveDate>, ApiError> {
    query
        .get(name)
        .map(|raw| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| ApiError::invalid(name, "must be a date, YYYY-MM-DD"))
        })
        .transpose()
}

fn granularity(query: &HashMap<String, String>) -> Result<Granularity, ApiError> {
    match query.get("granularity").map(String::as_str) {
        None | Some("day") => Ok(Granularity::Day),
        Some("week") => Ok(Granularity::Week),
        Some("month") => Ok(Granularity::Month),
        Some(_) => Err(ApiError::invalid(
            "granularity",
            "must be day, week or month",
        )),
    }
}

fn file_name(report: &CampaignReport, ext: &str) -> String {
    format!(
        "campaign_{}_{}_{}.{ext}",
        report.campaign.id.simple(),
        report.from.format("%Y%m%d"),
        report.to.format("%Y%m%d")
    )
}
