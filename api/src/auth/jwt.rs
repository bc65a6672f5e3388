//! Staff JWTs: HS256 only (the algorithm is pinned; `none` and others are refused), `exp`, `nbf`,
//! `iss` and `aud` required and checked, and a `kid` → key map so keys can be rotated: new tokens
//! use the active key, tokens signed with an older key verify until it is removed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::AuthConfig;

/// The claims of a staff token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// Tenant id.
    pub tid: Uuid,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: Uuid,
    /// The sign-in session the token belongs to (tokens from `login` and `refreshSession`); such
    /// a token counts only while the session is live. Minted tokens (`grapevine token`) have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

/// Why a token was refused (the reason is logged, the client only hears UNAUTHENTICATED).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The header names no key we hold.
    #[error("unknown key id")]
    UnknownKey,
    /// Anything jsonwebtoken refused: signature, algorithm, expiry, audience, issuer, shape.
    #[error("{0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

/// Issues and verifies staff tokens.
pub struct JwtKeys {
    active_kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
    session_ttl: chrono::Duration,
}

impl JwtKeys {
    /// From configuration (keys already validated and filled in).
    pub fn from_config(config: &AuthConfig) -> anyhow::Result<Self> {
        let mut decoding = HashMap::new();
        let mut encoding = None;
        for (kid, secret) in &config.jwt_keys {
            let bytes = crate::crypto::decode_key(secret.expose())
                .map_err(|e| anyhow::anyhow!("auth.jwt_keys.{kid}: {e}"))?;
            if *kid == config.jwt_active_kid {
                encoding = Some(EncodingKey::from_secret(&bytes));
            }
            decoding.insert(kid.clone(), DecodingKey::from_secret(&bytes));
        }
        let encoding = encoding.ok_or_else(|| {
            anyhow::anyhow!("configuration key `auth.jwt_active_kid`: no such key")
        })?;
        Ok(Self {
            active_kid: config.jwt_active_kid.clone(),
            encoding,
            decoding,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl: chrono::Duration::seconds(i64::try_from(config.jwt_ttl_secs).unwrap_or(3600)),
            session_ttl: chrono::Duration::seconds(
                i64::try_from(config.session_token_ttl_secs).unwrap_or(900),
            ),
        })
    }

    /// Sign a token for a user; returns it and its expiry.
    pub fn issue(
        &self,
        user_id: Uuid,
        tenant_id: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        self.sign(user_id, tenant_id, None, now + self.ttl, now)
    }

    /// Sign a short-lived token of the sign-in session `session_id`.
    pub fn issue_for_session(
        &self,
        user_id: Uuid,
        tenant_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        self.sign(
            user_id,
            tenant_id,
            Some(session_id),
            now + self.session_ttl,
            now,
        )
    }

    fn sign(
        &self,
        user_id: Uuid,
        tenant_id: Uuid,
        sid: Option<Uuid>,
        exp: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let claims = Claims {
            sub: user_id,
            tid: tenant_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: exp.timestamp(),
            nbf: now.timestamp(),
            iat: now.timestamp(),
            jti: Uuid::now_v7(),
            sid,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.active_kid.clone());
        Ok((encode(&header, &claims, &self.encoding)?, exp))
    }

    /// Verify a token: known `kid`, HS256, signature, `exp`/`nbf` (30 s leeway), `iss`, `aud`.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token)?;
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.decoding.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        Ok(decode::<Claims>(token, key, &validation)?.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    use std::collections::BTreeMap;

    fn config(keys: &[(&str, &str)], active: &str) -> AuthConfig {
        AuthConfig {
            jwt_keys: keys
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).into()))
                .collect::<BTreeMap<_, _>>(),
            jwt_active_kid: active.to_owned(),
            ..AuthConfig::default()
        }
    }

    const K1: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm";
    const K2: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTBmZWRjYmE5ODc2NTQzMjEw";

    #[test]
    fn a_token_round_trips_and_survives_key_rotation() {
        let old = JwtKeys::from_config(&config(&[("k1", K1)], "k1")).unwrap();
        let (token, _) = old
            .issue(Uuid::now_v7(), Uuid::now_v7(), Utc::now())
            .unwrap();
        let rotated = JwtKeys::from_config(&config(&[("k1", K1), ("k2", K2)], "k2")).unwrap();
        assert!(
            rotated.verify(&token).is_ok(),
            "old tokens verify while their key is kept"
        );
        let retired = JwtKeys::from_config(&config(&[("k2", K2)], "k2")).unwrap();
        assert!(matches!(
            retired.verify(&token),
            Err(TokenError::UnknownKey)
        ));
    }

    #[test]
    fn expired_wrong_audience_and_unsigned_tokens_are_refused() {
        let keys = JwtKeys::from_config(&config(&[("k1", K1)], "k1")).unwrap();
        let (expired, _) = keys
            .issue(
                Uuid::now_v7(),
                Uuid::now_v7(),
                Utc::now() - chrono::Duration::days(2),
            )
            .unwrap();
        assert!(keys.verify(&expired).is_err());

        let other_aud = JwtKeys::from_config(&AuthConfig {
            jwt_audience: "someone-else".into(),
            ..config(&[("k1", K1)], "k1")
        })
        .unwrap();
        let (token, _) = other_aud
            .issue(Uuid::now_v7(), Uuid::now_v7(), Utc::now())
            .unwrap();
        assert!(keys.verify(&token).is_err());

        // alg: none, with a plausible payload and no signature.
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        let (good, _) = keys
            .issue(Uuid::now_v7(), Uuid::now_v7(), Utc::now())
            .unwrap();
        let payload = good.split('.').nth(1).unwrap();
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }
}
