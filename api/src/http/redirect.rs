//! `GET /r/{code}`: the click redirect, and `GET /qr/{code}.svg|.png`.
//!
//! The code is resolved from memory; the answer is a 302 to the campaign's landing URL with `ref`
//! and `gv_click` appended (attribution travels in the URL: no cookie is set). The click is handed
//! to the batch writer. Bots and HEAD requests are redirected but not counted; a paused or ended
//! campaign redirects without attribution; an unknown code gets a friendly 404 page.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use uuid::Uuid;

use crate::{
    rate_limits::Limit,
    state::AppState,
    tracking::{
        clicks::NewClick,
        links::Target,
        qr,
        visitor::{client_ip, is_bot, visitor_hash},
    },
};

fn not_found() -> HttpResponse {
    HttpResponse::NotFound().content_type("text/html; charset=utf-8").body(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>Link not found</title></head><body style='font-family:system-ui;max-width:32rem;margin:4rem auto'>\
         <h1>This referral link doesn't exist</h1><p>It may have been mistyped or retired. \
         Ask the friend who shared it for a fresh one.</p></body></html>",
    )
}

fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// The landing URL with `ref` and `gv_click` added to its query.
fn attributed(landing: &str, code: &str, click: Option<Uuid>) -> Option<String> {
    let mut url = url::Url::parse(landing).ok()?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("ref", code);
        if let Some(id) = click {
            query.append_pair("gv_click", &id.to_string());
        }
    }
    Some(url.into())
}

/// `GET|HEAD /r/{code}`.
pub async fn redirect(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> HttpResponse {
    if let Some(ip) = peer_ip(&req, &state)
        && let Err(wait) = state
            .rate_limits
            .hit(Limit::Redirect, &ip.to_string())
            .await
    {
        return HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, wait.to_string()))
            .content_type("text/plain; charset=utf-8")
            .body("Too many requests: try again shortly.");
    }
    let target = match state.caches.links.resolve(&state.db, &code).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::error!(error = %err, "resolving a referral code failed");
            return HttpResponse::ServiceUnavailable()
                .insert_header((header::RETRY_AFTER, "1"))
                .finish();
        }
    };
    let Some(landing) = target.landing_url.as_deref() else {
        return not_found();
    };
    if !target.attributing {
        return found(landing);
    }
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let counted = req.method() != actix_web::http::Method::HEAD && !is_bot(user_agent);
    let click = counted
        .then(|| record(&req, &state, &target, user_agent))
        .flatten();
    match attributed(landing, &target.code, click) {
        Some(location) => found(&location),
        None => found(landing),
    }
}

/// The client's address (from `X-Forwarded-For` only behind a trusted proxy).
fn peer_ip(req: &HttpRequest, state: &AppState) -> Option<std::net::IpAddr> {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    client_ip(
        req.peer_addr().map(|a| a.ip()),
        forwarded,
        &state.trusted_proxies,
    )
}

fn record(req: &HttpRequest, state: &AppState, target: &Target, user_agent: &str) -> Option<Uuid> {
    let ip = peer_ip(req, state)?;
    let id = Uuid::now_v7();
    let click = NewClick {
        id,
        tenant_id: target.tenant_id,
        campaign_id: target.campaign_id,
        link_id: target.link_id,
        channel: target.channel,
        visitor_hash: visitor_hash(&state.visitor_key, ip, user_agent),
        at: state.clock.now(),
    };
    // A dropped click (full buffer) gets no gv_click: nothing could be attributed to it.
    state.clicks.record(click).then_some(id)
}

/// `GET /qr/{code}.svg` or `.png`: the QR code of the code's public link.
pub async fn qr(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    let (code, ext) = match file.rsplit_once('.') {
        Some((code, ext)) if ext == "svg" || ext == "png" => (code.to_owned(), ext),
        _ => return not_found(),
    };
    let target = match state.caches.links.resolve(&state.db, &code).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(),
        Err(err) => {
            tracing::error!(error = %err, "resolving a referral code failed");
            return HttpResponse::ServiceUnavailable().finish();
        }
    };
    let url = format!("{}/r/{}", state.config.public_url, target.code);
    let cache = (header::CACHE_CONTROL, "public, max-age=86400");
    match ext {
        "svg" => match qr::svg(&url) {
            Ok(svg) => HttpResponse::Ok()
                .content_type("image/svg+xml")
                .insert_header(cache)
                .body(svg),
            Err(err) => {
                tracing::error!(error = %err, "QR rendering failed");
                HttpResponse::InternalServerError().finish()
            }
        },
        _ => match qr::png(&url, 8) {
            Ok(png) => HttpResponse::Ok()
                .content_type("image/png")
                .insert_header(cache)
                .body(png),
            Err(err) => {
                tracing::error!(error = %err, "QR rendering failed");
                HttpResponse::InternalServerError().finish()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribution_is_appended_to_the_landing_query() {
        let id = Uuid::nil();
        assert_eq!(
            attributed("https://shop.example/welcome?utm=x", "AB23CD45", Some(id)).unwrap(),
            format!("https://shop.example/welcome?utm=x&ref=AB23CD45&gv_click={id}")
        );
        assert_eq!(
            attributed("https://shop.example/", "AB23CD45", None).unwrap(),
            "https://shop.example/?ref=AB23CD45"
        );
    }
}
