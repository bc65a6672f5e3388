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

use crate::{
    auth::{Principal, api_keys::VerifiedKey},
    rate_limits::Limit,
    services::{invites, links, secrets, tenants},
    state::AppState,
};

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

fn error(status: actix_web::http::StatusCode, origin: Option<&str>, message: &str) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    if let Some(o) = origin {
        res.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, o))
            .insert_header((header::VARY, "Origin"));
    }
    res.json(json!({ "error": message }))
}

async fn caller(
    req: &HttpRequest,
    state: &AppState,
    auth: &WidgetAuth,
) -> Result<Caller, HttpResponse> {
    use actix_web::http::StatusCode as S;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let key = match state.caches.api_keys.verify(&state.db, &auth.key).await {
        Ok(Some(k)) if k.kind == ApiKeyKind::Publishable => k,
        Ok(_) => {
            return Err(error(
                S::UNAUTHORIZED,
                None,
                "unknown or revoked publishable key",
            ));
        }
        Err(err) => {
            tracing::error!(error = %err, "widget key lookup failed");
            return Err(error(S::SERVICE_UNAVAILABLE, None, "try again"));
        }
    };
    // No CORS header for an origin the key does not allow: the browser will not show the answer.
    let Some(origin) = origin.filter(|o| key.allowed_origins.iter().any(|a| a == o)) else {
        return Err(error(
            S::FORBIDDEN,
            None,
            "this origin is not allowed for the key",
        ));
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
        return Err(HttpResponse::TooManyRequests()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
            .insert_header((header::VARY, "Origin"))
            .insert_header((header::RETRY_AFTER, wait.to_string()))
            .json(json!({ "error": "too many requests" })));
    }
    let secret = match secrets::get(&state.db, &state.secrets, key.tenant_id, "widget_secret").await
    {
        Ok(Some(s)) => s,
        Ok(None) => {
            return Err(error(
                S::BAD_REQUEST,
                Some(&origin),
                "the shop has not set a widget secret",
            ));
        }
        Err(_) => return Err(error(S::SERVICE_UNAVAILABLE, Some(&origin), "try again")),
    };
    match customer_token::verify(
        secrecy::ExposeSecret::expose_secret(&secret),
        &auth.token,
        state.clock.now().timestamp(),
    ) {
        Ok(customer_id) => {
            // The signed-in customer is seen on this device (the shared-device fraud rule).
            if let Some(device) =
                crate::tracking::visitor::device_of(req, &state.visitor_key, &state.trusted_proxies)
                && let Err(err) = crate::services::conversions::record_sighting(
                    &state.db,
                    key.tenant_id,
                    &customer_id,
                    &device,
                    "widget",
                    state.clock.now(),
                )
                .await
            {
                tracing::warn!(error = %err.message(), "could not record a widget sighting");
            }
            Ok(Caller {
                key,
                origin,
                customer_id,
            })
        }
        Err(e) => Err(error(
            S::UNAUTHORIZED,
            Some(&origin),
            &format!("customer token {}", e.message),
        )),
    }
}

/// Authenticate a widget POST and parse its JSON body (sent as `text/plain` to stay a simple CORS
/// request); `hint` tells the caller what shape was expected.
async fn caller_with_body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    state: &AppState,
    auth: &WidgetAuth,
    body: &[u8],
    hint: &str,
) -> Result<(Caller, T), HttpResponse> {
    let caller = caller(req, state, auth).await?;
    match serde_json::from_slice::<T>(body) {
        Ok(parsed) => Ok((caller, parsed)),
        Err(_) => Err(error(
            actix_web::http::StatusCode::BAD_REQUEST,
            Some(&caller.origin),
            hint,
        )),
    }
}

/// The customer's primary link in their most recent active campaign.
async fn current_link(
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
) -> HttpResponse {
    use actix_web::http::StatusCode as S;
    let caller = match caller(&req, &state, &auth).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let (participant, link, campaign) = match current_link(&state, &caller).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            return error(
                S::NOT_FOUND,
                Some(&caller.origin),
                "you are not in an active referral campaign",
            );
        }
        Err(err) => {
            tracing::error!(error = %err, "widget lookup failed");
            return error(S::SERVICE_UNAVAILABLE, Some(&caller.origin), "try again");
        }
    };
    let url = format!("{}/r/{}", state.config.public_url, link.code);
    let stats = links::stats(&state.db, link.id).await.ok();
    let referred = referrals::Entity::find()
        .filter(referrals::Column::ReferrerParticipantId.eq(participant.id))
        .count(&state.db)
        .await
        .unwrap_or(0);
    let material = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(campaign.id))
        .filter(campaign_materials::Column::Channel.eq(grapevine_entity::tables::Channel::Email))
        .one(&state.db)
        .await
        .ok()
        .flatten();
    let summary = match grapevine_entity::ops::share::reward_summary(&state.db, &campaign).await {
        Ok(summary) => summary,
        Err(err) => {
            tracing::error!(error = %err, "widget reward summary failed");
            return error(S::SERVICE_UNAVAILABLE, Some(&caller.origin), "try again");
        }
    };
    let share = match tenants::get(&state.db, caller.key.tenant_id).await {
        Ok(tenant) => {
            let vars = invites::share_vars(
                &participant,
                &campaign,
                &tenant,
                &link,
                &state.config.public_url,
                &summary,
            );
            invites::render_share(
                material.as_ref().map_or("", |m| m.share_text.as_str()),
                &vars,
            )
        }
        Err(_) => url.clone(),
    };
    ok(
        &caller.origin,
        json!({
            "customer": { "firstName": participant.first_name },
            "campaign": { "name": campaign.name, "shareText": share },
            "link": { "code": link.code, "url": url, "qrUrl": format!("{}/qr/{}.svg", state.config.public_url, link.code) },
            "stats": { "clicks": stats.map_or(0, |s| s.clicks), "uniqueVisitors": stats.map_or(0, |s| s.unique_visitors), "referrals": referred },
        }),
    )
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
) -> HttpResponse {
    use actix_web::http::StatusCode as S;
    let (caller, body) = match caller_with_body::<InviteBody>(
        &req,
        &state,
        &auth,
        &body,
        "send {\"emails\": [...]}",
    )
    .await
    {
        Ok(found) => found,
        Err(res) => return res,
    };
    let enrolment = match current_link(&state, &caller).await {
        Ok(Some((_, link, _))) => link.enrolment_id,
        Ok(None) => {
            return error(
                S::NOT_FOUND,
                Some(&caller.origin),
                "you are not in an active referral campaign",
            );
        }
        Err(_) => return error(S::SERVICE_UNAVAILABLE, Some(&caller.origin), "try again"),
    };
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
        enrolment_id: enrolment,
        friends: body.emails,
        message: body.message,
    };
    match invites::send_invites(
        &state.db,
        &principal,
        caller.key.tenant_id,
        request,
        settings,
        state.clock.now(),
    )
    .await
    {
        Ok(out) => {
            state.nudge_relay();
            ok(
                &caller.origin,
                json!({ "sent": out.sent, "alreadyInvited": out.already_invited, "refused": out.refused.len() }),
            )
        }
        Err(crate::error::ApiError::RateLimited { retry_after }) => HttpResponse::TooManyRequests()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, caller.origin.as_str()))
            .insert_header((header::RETRY_AFTER, retry_after.to_string()))
            .json(json!({ "error": "too many invites today" })),
        Err(e) => error(S::BAD_REQUEST, Some(&caller.origin), &e.message()),
    }
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
) -> HttpResponse {
    use actix_web::http::StatusCode as S;
    let (caller, body) = match caller_with_body::<LeadBody>(
        &req,
        &state,
        &auth,
        &body,
        "send {\"ref\": …, \"gv_click\": …}",
    )
    .await
    {
        Ok(found) => found,
        Err(res) => return res,
    };
    let touch = crate::services::conversions::TouchInput {
        click_id: body.gv_click,
        code: body.r#ref,
    };
    match crate::services::conversions::track_lead(
        &state.db,
        caller.key.tenant_id,
        &caller.customer_id,
        body.email.as_deref(),
        touch,
        crate::tracking::visitor::device_of(&req, &state.visitor_key, &state.trusted_proxies),
        state.clock.now(),
    )
    .await
    {
        Ok(out) => {
            state.nudge_relay();
            ok(
                &caller.origin,
                json!({ "attributed": out.referral.is_some(), "notAttributed": out.not_attributed.map(|r| r.as_str()) }),
            )
        }
        Err(e) => error(
            if e.code() == "INTERNAL" {
                S::SERVICE_UNAVAILABLE
            } else {
                S::BAD_REQUEST
            },
            Some(&caller.origin),
            &e.message(),
        ),
    }
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
        crate::services::demo::DEMO_CUSTOMER,
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
