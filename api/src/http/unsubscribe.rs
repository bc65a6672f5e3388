//! One-click unsubscribe (RFC 8058): `GET /u/{token}` shows a confirmation page with a button;
//! `POST /u/{token}` (what mail clients send for `List-Unsubscribe-Post`) unsubscribes.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use grapevine_entity::ops::emails::{self as send, UnsubscribeToken};

use super::error::HttpError;
use crate::{error::ApiError, state::AppState};

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>\
         <title>{title}</title></head><body style='font-family:system-ui;max-width:32rem;margin:4rem auto'>\
         <h1>{title}</h1>{body}</body></html>"
    ))
}

fn not_found(req: &HttpRequest) -> HttpResponse {
    HttpError::new(ApiError::NotFound("unsubscribe link"))
        .saying("This unsubscribe link is not valid.")
        .page_for(req)
        .error_response()
}

/// `GET /u/{token}`.
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    if UnsubscribeToken::verify(&token, &link_key(&state)).is_none() {
        return not_found(&req);
    }
    page(
        "Unsubscribe",
        &format!(
            "<p>Stop receiving referral emails at this address?</p><form method=post action='/u/{}'><button>Unsubscribe</button></form>",
            token.as_str()
        ),
    )
}

/// `POST /u/{token}`.
pub async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> HttpResponse {
    let Some(token) = UnsubscribeToken::verify(&token, &link_key(&state)) else {
        return not_found(&req);
    };
    match send::unsubscribe(&state.db, token.email_id, state.clock.now()).await {
        Ok(Some(_)) => page(
            "Unsubscribed",
            "<p>You will not receive referral emails from us at this address again.</p>",
        ),
        Ok(None) => not_found(&req),
        Err(err) => HttpError::new(err).page_for(&req).error_response(),
    }
}

/// The key unsubscribe links are signed with, derived from the master key.
pub fn link_key(state: &AppState) -> Vec<u8> {
    crate::crypto::derive_key(
        state.config.secrets.master_key.expose(),
        "unsubscribe-links",
    )
}
