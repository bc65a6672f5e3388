//! The embeddable widget: `GET /widget.js`, its API (`/widget/v1/me`, `/widget/v1/invites`) and the
//! demo storefront `/demo/store`.
//!
//! The widget calls the API with simple CORS requests (a GET, and a POST of `text/plain`), so no
//! preflight is needed; the publishable key and the merchant-signed customer token travel in the
//! query. A response carries `Access-Control-Allow-Origin` only for an origin the key allows, and
//! the request is refused outright from any other origin.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use grapevine_entity::{
    domain::customer_token,
    tables::{
        ApiKeyKind, CampaignStatus, LinkKind, campaign_materials, campaigns, participants,
        referral_links, referrals,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::HttpError;
use crate::{
    auth::{Principal, api_keys::VerifiedKey},
    error::ApiError,
    rate_limits::Limit,
    state::AppState,
};
use grapevine_entity::ops::{invites, links, secrets, tenants};

/// `GET /widget.js`.
pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(include_str!("../../assets/widget.js"))
}

/// Key and customer token, from the query.
#[derive(Deserialize)]
pub struct WidgetAuth {
    key: String,
    token: String,
}

struct Caller {
    key: VerifiedKey,
    origin: String,
    customer_id: String,
}

/// Refused before the caller's origin was checked: no CORS header, the page cannot read it.
fn refused(error: impl Into<ApiError>) -> HttpError {
    HttpError::new(error)
}

async fn caller(
    req: &HttpRequest,
    state: &AppState,
    auth: &WidgetAuth,
) -> Result<Caller, HttpError> {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let key = match state.caches.api_keys.verify(&state.db, &auth.key).await {
        Ok(Some(k)) if k.kind == ApiKeyKind::Publishable => k,
        Ok(_) => {
            return Err(HttpError::unauthenticated(
                "unknown or revoked publishable key",
            ));
        }
        Err(err) => return Err(refused(err)),
    };
    // No CORS header for an origin the key does not allow: the browser will not show the answer.
    let Some(origin) = origin.filter(|o| key.allowed_origins.iter().any(|a| a == o)) else {
        return Err(refused(ApiError::Forbidden(
            "this origin is not allowed for the key".into(),
        )));
    };
    let client = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Err(wait) = state
        .rate_limits
        .hit(Limit::Widget, &format!("{}:{client}", key.id))
        .await
    {
        return Err(HttpError::new(ApiError::RateLimited { retry_after: wait }).for_origin(&origin));
    }
    let secret = secrets::get(&state.db, &state.secrets, key.tenant_id, "widget_secret")
        .await
        .map_err(|e| HttpError::new(e).for_origin(&origin))?
        .ok_or_else(|| {
            HttpError::new(ApiError::invalid(
                "widget_secret",
                "the shop has not set a widget secret",
            ))
            .for_origin(&origin)
        })?;
    let customer_id = customer_token::verify(
        secrecy::ExposeSecret::expose_secret(&secret),
        &auth.token,
        state.clock.now().timestamp(),
    )
    .map_err(|e| {
        HttpError::unauthenticated(format!("customer token {}", e.message)).for_origin(&origin)
    })?;
    // The signed-in customer is seen on this device (the shared-device fraud rule).
    if let Some(device) =
        crate::tracking::visitor::device_of(req, &state.visitor_key, &state.trusted_proxies)
        && let Err(err) = grapevine_entity::ops::conversions::record_sighting(
            &state.db,
            key.tenant_id,
            &customer_id,
            &device,
            "widget",
            state.clock.now(),
        )
        .await
    {
        // A sighting only feeds a fraud signal: the widget still answers.
        tracing::warn!(error = %err.message(), "could not record a widget sighting");
    }
    Ok(Caller {
        key,
        origin,
        customer_id,
    })
}

/// Authenticate a widget POST and parse its JSON body (sent as `text/plain` to stay a simple CORS
/// request); `hint` tells the caller what shape was expected.
async fn caller_with_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    state: &AppState,
    auth: &WidgetAuth,
    body: &[u8],
    hint: &str,
) -> Result<(Caller, T), HttpError> {
    let caller = caller(req, state, auth).await?;
    match serde_json::from_slice::<T>(body) {
        Ok(parsed) => Ok((caller, parsed)),
        Err(_) => Err(HttpError::new(ApiError::invalid("body", hint)).for_origin(&caller.origin)),
    }
}

/// The customer's primary link in their most recent active campaign.
async fn current_link(
    state: &AppState,
    caller: &Caller,
) -> Result<(participants::Model, referral_links::Model, campaigns::Model), HttpError> {
    let found = find_current_link(state, caller)
        .await
        .map_err(|e| HttpError::new(e).for_origin(&caller.origin))?;
    found.ok_or_else(|| {
        HttpError::new(ApiError::NotFound("an active referral campaign for you"))
            .saying("you are not in an active referral campaign")
            .for_origin(&caller.origin)
    })
}

async fn find_current_link(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<(participants::Model, referral_links::Model, campaigns::Model)>, sea_orm::DbErr>
{
    let Some(participant) = participants::Entity::find()
        .filter(participants::Column::TenantId.eq(caller.key.tenant_id))
        .filter(participants::Column::ExternalId.eq(caller.customer_id.as_str()))
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    let links = referral_links::Entity::find()
        .filter(referral_links::Column::ParticipantId.eq(participant.id))
        .filter(referral_links::Column::Kind.eq(LinkKind::Primary))
        .order_by_desc(referral_links::Column::Id)
        .all(&state.db)
        .await?;
    for link in links {
        if let Some(campaign) = campaigns::Entity::find_by_id(link.campaign_id)
            .one(&state.db)
            .await?
            && campaign.status == CampaignStatus::Active
        {
            return Ok(Some((participant, link, campaign)));
        }
    }
    Ok(None)
}

fn ok(origin: &str, body: Value) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin))
        .insert_header((header::VARY, "Origin"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// `GET /widget/v1/me`: the signed-in customer's link, QR and stats.
pub async fn me(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: web::Query<WidgetAuth>,
) -> Result<HttpResponse, HttpError> {
    let caller = caller(&req, &state, &auth).await?;
    let (participant, link, campaign) = current_link(&state, &caller).await?;
    let failed = |e: ApiError| HttpError::new(e).for_origin(&caller.origin);
    let url = format!("{}/r/{}", state.config.public_url, link.code);
    let stats = links::stats(&state.db, link.id).await.map_err(failed)?;
    let referred = referrals::Entity::find()
        .filter(referrals::Column::ReferrerParticipantId.eq(participant.id))
        .count(&state.db)
        .await
        .map_err(|e| failed(e.into()))?;
    let material = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(campaign.id))
        .filter(campaign_materials::Column::Channel.eq(grapevine_entity::tables::Channel::Email))
        .one(&state.db)
        .await
        .map_err(|e| failed(e.into()))?;
    let summary = grapevine_entity::ops::share::reward_summary(&state.db, &campaign)
        .await
        .map_err(|e| failed(e.into()))?;
    let tenant = tenants::get(&state.db, caller.key.tenant_id)
        .await
        .map_err(failed)?;
    let vars = invites::share_vars(
        &participant,
        &campaign,
        &tenant,
        &link,
        &state.config.public_url,
        &summary,
    );
    let share = invites::render_share(
        material.as_ref().map_or("", |m| m.share_text.as_str()),
        &vars,
    );
    Ok(ok(
        &caller.origin,
        json!({
            "customer": { "firstName": participant.first_name },
            "campaign": { "name": campaign.name, "shareText": share },
            "link": { "code": link.code, "url": url, "qrUrl": format!("{}/qr/{}.svg", state.config.public_url, link.code) },
            "stats": { "clicks": stats.clicks, "uniqueVisitors": stats.unique_visitors, "referrals": referred },
        }),
    ))
}

#[derive(Deserialize)]
struct InviteBody {
    emails: Vec<String>,
    #[serde(default)]
    message: Option<String>,
}

/// `POST /widget/v1/invites` (body: JSON sent as `text/plain`): the customer invites friends.
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: web::Query<WidgetAuth>,
    body: web::Bytes,
) -> Result<HttpResponse, HttpError> {
    let (caller, body) =
        caller_with_body::<InviteBody>(&req, &state, &auth, &body, "send {\"emails\": [...]}")
            .await?;
    let (_, link, _) = current_link(&state, &caller).await?;
    let key = crate::http::unsubscribe::link_key(&state);
    let settings = invites::LinkSettings {
        public_url: &state.config.public_url,
        link_key: &key,
        per_day: state.config.tracking.invites_per_day,
    };
    let principal = Principal::ApiKey {
        key_id: caller.key.id,
        tenant_id: caller.key.tenant_id,
        kind: caller.key.kind,
    };
    let request = invites::InviteRequest {
        enrolment_id: link.enrolment_id,
        friends: body.emails,
        message: body.message,
    };
    let out = invites::send_invites(
        &state.db,
        &principal,
        caller.key.tenant_id,
        request,
        settings,
        state.clock.now(),
    )
    .await
    .map_err(|e| {
        let limited = matches!(e, ApiError::RateLimited { .. });
        let error = HttpError::new(e).for_origin(&caller.origin);
        if limited {
            error.saying("too many invites today")
        } else {
            error
        }
    })?;
    state.nudge_relay();
    Ok(ok(
        &caller.origin,
        json!({ "sent": out.sent, "alreadyInvited": out.already_invited, "refused": out.refused.len() }),
    ))
}

#[derive(Deserialize)]
struct LeadBody {
    #[serde(default)]
    r#ref: Option<String>,
    #[serde(default)]
    gv_click: Option<uuid::Uuid>,
    #[serde(default)]
    email: Option<String>,
}

/// `POST /widget/v1/lead` (body: JSON sent as `text/plain`): the signed-in customer — the one the
/// token names — arrived through a referral; `ref`/`gv_click` come from `Grapevine.referral()`.
pub async fn lead(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: web::Query<WidgetAuth>,
    body: web::Bytes,
) -> Result<HttpResponse, HttpError> {
    let (caller, body) = caller_with_body::<LeadBody>(
        &req,
        &state,
        &auth,
        &body,
        "send {\"ref\": …, \"gv_click\": …}",
    )
    .await?;
    let touch = grapevine_entity::ops::conversions::TouchInput {
        click_id: body.gv_click,
        code: body.r#ref,
    };
    let out = grapevine_entity::ops::conversions::track_lead(
        &state.db,
        caller.key.tenant_id,
        &caller.customer_id,
        body.email.as_deref(),
        touch,
        crate::tracking::visitor::device_of(&req, &state.visitor_key, &state.trusted_proxies),
        state.clock.now(),
    )
    .await
    .map_err(|e| HttpError::new(e).for_origin(&caller.origin))?;
    state.nudge_relay();
    Ok(ok(
        &caller.origin,
        json!({ "attributed": out.referral.is_some(), "notAttributed": out.not_attributed.map(|r| r.as_str()) }),
    ))
}

#[derive(Deserialize)]
pub struct StoreParams {
    consent: Option<String>,
}

/// The demo store's origin: the public URL under the name `localhost` instead of `127.0.0.1`, so
/// that the store is another origin than the API, as a merchant's site would be.
pub fn storefront_url(public_url: &str) -> String {
    format!(
        "{}/demo/store",
        public_url.replace("://127.0.0.1", "://localhost")
    )
}

/// `GET /demo/store`: a storefront for the demo tenant, signed in as the first demo customer.
pub async fn demo_store(
    state: web::Data<AppState>,
    params: web::Query<StoreParams>,
) -> HttpResponse {
    let not_ready = || {
        HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body("<p>Run <code>grapevine demo</code> first.</p>")
    };
    let Ok(Some(tenant)) = tenants::by_slug(&state.db, "demo").await else {
        return not_ready();
    };
    let secret = secrets::get(&state.db, &state.secrets, tenant.id, "widget_secret")
        .await
        .ok()
        .flatten();
    let key = secrets::get(&state.db, &state.secrets, tenant.id, "demo_publishable_key")
        .await
        .ok()
        .flatten();
    let (Some(secret), Some(key)) = (secret, key) else {
        return not_ready();
    };
    let token = customer_token::sign(
        secrecy::ExposeSecret::expose_secret(&secret),
        crate::demo::DEMO_CUSTOMER,
        state.clock.now().timestamp() + 3600,
    );
    let consent = matches!(params.consent.as_deref(), Some("1" | "true" | "yes"));
    let html = format!(
        r##"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width"><title>Demo Shop</title></head>
<body style="font-family:system-ui;max-width:40rem;margin:2rem auto">
<h1>Demo Shop</h1><p>Signed in as Ada. Give friends $10, get $10.</p>
<div id="referral"></div>
<h2>Checkout</h2><p id="captured">Stored referral: …</p><p id="in-url">Referral in the URL: …</p>
<script src="{api}/widget.js" data-key="{key}" data-customer-token="{token}" data-consent="{consent}" data-target="#referral"></script>
<script>
  var s = null; try {{ s = JSON.parse(localStorage.getItem("grapevine_referral")); }} catch (e) {{}}
  document.getElementById("captured").textContent = "Stored referral: " + (s && s.ref ? s.ref : "none");
  var p = new URLSearchParams(location.search);
  document.getElementById("in-url").textContent = "Referral in the URL: " + (p.get("ref") || "none");
</script></body></html>"##,
        api = state.config.public_url,
        key = secrecy::ExposeSecret::expose_secret(&key),
        token = token,
        consent = consent,
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}
