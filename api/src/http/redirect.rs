//! `GET /r/{code}`: the click redirect, and `GET /qr/{code}.svg|.png`.
//!
//! The code is resolved from memory; the answer is a 302 to the campaign's landing URL with `ref`
//! and `gv_click` appended (attribution travels in the URL: no cookie is set). The click is handed
//! to the batch writer. Bots and HEAD requests are redirected but not counted; a paused or ended
//! campaign redirects without attribution; an unknown code gets a friendly 404 page.

use actix_web::{HttpRequest, HttpResponse, ResponseError, http::header, web};
use uuid::Uuid;

use super::error::{HttpError, failure};
use crate::{
    error::ApiError,
    rate_limits::Limit,
    state::AppState,
    tracking::{
        clicks::NewClick,
        links::Target,
        qr,
        visitor::{client_ip, is_bot, visitor_hash},
    },
};

/// A code that leads nowhere, answered as a page to a person following the link.
fn not_found(req: &HttpRequest) -> HttpResponse {
    HttpError::new(ApiError::NotFound("referral link"))
        .saying(
            "This referral link doesn't exist. It may have been mistyped or retired: ask the \
             friend who shared it for a fresh one.",
        )
        .page_for(req)
        .error_response()
}

fn found(location: &str) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .finish()
}

/// Where click redirects live: `{PREFIX}/{code}`.
pub const PREFIX: &str = "/r";

/// The metrics label of every redirect.
pub const ROUTE: &str = "/r/{code}";

/// `GET|HEAD /r/{code}` (served as the default service of the `/r` scope: the code is the rest of
/// the path, one segment).
pub async fn redirect(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let method = req.method();
    if method != actix_web::http::Method::GET && method != actix_web::http::Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .finish();
    }
    let code = match req
        .path()
        .strip_prefix(PREFIX)
        .and_then(|p| p.strip_prefix('/'))
    {
        Some(code) if !code.is_empty() && !code.contains('/') => code,
        _ => return not_found(&req),
    };
    if let Some(ip) = peer_ip(&req, &state)
        && let Err(wait) = state
            .rate_limits
            .hit(Limit::Redirect, &ip.to_string())
            .await
    {
        return HttpError::new(ApiError::RateLimited { retry_after: wait })
            .page_for(&req)
            .error_response();
    }
    let target = match state.caches.links.resolve(&state.db, code).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(&req),
        Err(err) => {
            return HttpError::new(anyhow::Error::new(err).context("resolving a referral code"))
                .page_for(&req)
                .error_response();
        }
    };
    let Some(landing) = target.landing_url.as_deref() else {
        return not_found(&req);
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
    match &target.attributed {
        Some(attributed) => found(&attributed.location(click)),
        None => found(landing),
    }
}

/// The client's address (from `X-Forwarded-For` only behind a trusted proxy).
pub(crate) fn peer_ip(req: &HttpRequest, state: &AppState) -> Option<std::net::IpAddr> {
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
pub async fn qr(
    req: HttpRequest,
    state: web::Data<AppState>,
    file: web::Path<String>,
) -> HttpResponse {
    let (code, ext) = match file.rsplit_once('.') {
        Some((code, ext)) if ext == "svg" || ext == "png" => (code.to_owned(), ext),
        _ => return not_found(&req),
    };
    let target = match state.caches.links.resolve(&state.db, &code).await {
        Ok(Some(t)) => t,
        Ok(None) => return not_found(&req),
        Err(err) => {
            return failure(anyhow::Error::new(err).context("resolving a referral code"));
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
            Err(err) => failure(anyhow::anyhow!("rendering a QR code: {err}")),
        },
        _ => match qr::png(&url, 8) {
            Ok(png) => HttpResponse::Ok()
                .content_type("image/png")
                .insert_header(cache)
                .body(png),
            Err(err) => failure(anyhow::anyhow!("rendering a QR code: {err}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::tracking::links::Attributed;
    use uuid::Uuid;

    #[test]
    fn attribution_is_appended_to_the_landing_query_before_its_fragment() {
        let id = Uuid::now_v7();
        let with_query = Attributed::new("https://shop.example/welcome?utm=x", "AB23CD45").unwrap();
        assert_eq!(
            with_query.location(Some(id)),
            format!("https://shop.example/welcome?utm=x&ref=AB23CD45&gv_click={id}")
        );
        let bare = Attributed::new("https://shop.example/", "AB23CD45").unwrap();
        assert_eq!(bare.location(None), "https://shop.example/?ref=AB23CD45");
        let fragment = Attributed::new("https://shop.example/p#top", "AB23CD45").unwrap();
        assert_eq!(
            fragment.location(Some(id)),
            format!("https://shop.example/p?ref=AB23CD45&gv_click={id}#top")
        );
        assert_eq!(
            fragment.location(None),
            "https://shop.example/p?ref=AB23CD45#top"
        );
        // The result is what a URL parser makes of it.
        let parsed = url::Url::parse(&fragment.location(Some(id))).unwrap();
        let pairs: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("ref".to_owned(), "AB23CD45".to_owned()),
                ("gv_click".to_owned(), id.to_string())
            ]
        );
        assert_eq!(parsed.fragment(), Some("top"));
        assert!(Attributed::new("not a url", "AB23CD45").is_none());
    }
}
