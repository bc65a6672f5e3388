//! Signing in and out: `login`, `refreshSession`, `signOut` (see [`crate::auth::sessions`] for
//! how the session cookie and the in-memory token work together).

use async_graphql::{Context, Object, Result};

use super::{ContextExt, mutation::ClientAddr, types::admin::LoginPayload};
use crate::{
    auth::{request::LoginOk, sessions::SessionRequest},
    error::ApiError,
};

/// The session mutations.
#[derive(Default)]
pub struct SessionMutation;

fn session_request<'a>(ctx: &'a Context<'_>) -> Result<&'a SessionRequest> {
    ctx.data_opt::<SessionRequest>()
        .ok_or_else(|| ApiError::Forbidden("sessions are available over HTTP only".into()).into())
}

/// Sets the session cookie and answers with the token.
fn signed_in(ctx: &Context<'_>, ok: LoginOk) -> Result<LoginPayload> {
    let session = session_request(ctx)?;
    let max_age = i64::try_from(ctx.state().config.auth.session_max_secs).unwrap_or(i64::MAX);
    session.set(&ok.session_cookie, max_age);
    Ok(LoginPayload {
        token: ok.token,
        expires_at: ok.expires_at,
        user: ok.user.into(),
    })
}

#[Object]
impl SessionMutation {
    /// Sign in with email and password. Answers with a short-lived bearer token of a new sign-in
    /// session (`auth.session_token_ttl_secs`) and sets the session's cookie (httpOnly,
    /// `SameSite=Strict`, sent only to `/graphql`), with which `refreshSession` gets a new token.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<LoginPayload> {
        let session = session_request(ctx)?;
        let client = ctx
            .data_opt::<ClientAddr>()
            .map_or_else(|| "unknown".to_owned(), |c| c.0.clone());
        let ok = crate::auth::request::login(
            ctx.state(),
            &email,
            &password,
            &client,
            session.user_agent.as_deref(),
        )
        .await?;
        signed_in(ctx, ok)
    }

    /// A new token for the sign-in session whose cookie the request carries (UNAUTHENTICATED
    /// when it has none, or the session ended; FORBIDDEN from another site's page). Each refresh
    /// keeps the session alive for `auth.session_idle_secs`, up to `auth.session_max_secs` after
    /// the sign-in.
    async fn refresh_session(&self, ctx: &Context<'_>) -> Result<LoginPayload> {
        let session = session_request(ctx)?;
        if !session.same_origin {
            return Err(ApiError::Forbidden("sessions refresh from this site only".into()).into());
        }
        let ok = crate::auth::request::refresh(ctx.state(), session.cookie.as_deref()).await?;
        signed_in(ctx, ok)
    }

    /// Sign out: ends the session whose cookie the request carries (every token of it stops
    /// working at once, on every replica) and removes the cookie. True if a session ended.
    async fn sign_out(&self, ctx: &Context<'_>) -> Result<bool> {
        let session = session_request(ctx)?;
        if !session.same_origin {
            return Err(ApiError::Forbidden("sign out from this site only".into()).into());
        }
        let ended = crate::auth::request::sign_out(ctx.state(), session.cookie.as_deref()).await?;
        session.clear();
        Ok(ended)
    }
}
