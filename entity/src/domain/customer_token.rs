//! The merchant-signed customer token the widget carries: proof from the merchant's server that
//! the browser belongs to customer `id`, until `exp`. Format: `v1.<base64url(id)>.<exp>.<hex
//! HMAC-SHA256(widget secret, "v1.<base64url(id)>.<exp>")>`; merchants compute it on their server
//! with the tenant's widget secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::FieldError;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

fn unb64url(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = B64.iter().position(|b| *b == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push(((bits >> count) & 0xff) as u8);
        }
    }
    Some(out)
}

fn mac(secret: &str, payload: &str) -> Option<Hmac<Sha256>> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(payload.as_bytes());
    Some(mac)
}

/// Sign a token for `customer_id` valid until `exp` (unix seconds).
pub fn sign(secret: &str, customer_id: &str, exp: i64) -> String {
    let payload = format!("v1.{}.{exp}", b64url(customer_id.as_bytes()));
    let tag = mac(secret, &payload)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{payload}.{tag}")
}

/// Verify a token at `now`; returns the customer id.
pub fn verify(secret: &str, token: &str, now: i64) -> Result<String, FieldError> {
    let bad = || FieldError::new("token", "is not a valid customer token");
    let mut parts = token.trim().split('.');
    let (Some("v1"), Some(id), Some(exp), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(bad());
    };
    let exp_value: i64 = exp.parse().map_err(|_| bad())?;
    let tag = hex::decode(tag).map_err(|_| bad())?;
    let m = mac(secret, &format!("v1.{id}.{exp}")).ok_or_else(bad)?;
    m.verify_slice(&tag).map_err(|_| bad())?;
    if exp_value < now {
        return Err(FieldError::new(
            "token",
            "has expired: ask the merchant's page for a fresh one",
        ));
    }
    let id = String::from_utf8(unb64url(id).ok_or_else(bad)?).map_err(|_| bad())?;
    if id.is_empty() {
        return Err(bad());
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_round_trips_until_it_expires() {
        let token = sign("s3cret", "cus.42/ä", 1_000);
        assert_eq!(verify("s3cret", &token, 999).unwrap(), "cus.42/ä");
        assert!(
            verify("s3cret", &token, 1_001)
                .unwrap_err()
                .message
                .contains("expired")
        );
    }

    #[test]
    fn tampered_and_foreign_tokens_fail() {
        let token = sign("s3cret", "cus_42", 1_000);
        assert!(verify("other", &token, 0).is_err());
        let forged = token.replacen(&b64url(b"cus_42"), &b64url(b"cus_43"), 1);
        assert!(verify("s3cret", &forged, 0).is_err());
        let extended = token.replacen(".1000.", ".9999.", 1);
        assert!(verify("s3cret", &extended, 0).is_err());
        assert!(verify("s3cret", "garbage", 0).is_err());
    }

    #[test]
    fn base64url_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", "ünïcødé"] {
            assert_eq!(unb64url(&b64url(s.as_bytes())).unwrap(), s.as_bytes());
        }
    }
}
