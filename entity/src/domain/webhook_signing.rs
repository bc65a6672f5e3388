//! The signature of a delivery: `Grapevine-Signature: t=<unix seconds>,v1=<hex>` where the hex is
//! HMAC-SHA256, keyed with the endpoint's whole secret (`whsec_…`, as UTF-8), over
//! `"<t>.<body>"`. The timestamp lets receivers refuse replays of old requests.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes, base64url.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes[..]);
    format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The last characters of a secret, shown to recognise it.
pub fn hint(secret: &str) -> String {
    let tail: String = secret
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{SECRET_PREFIX}…{tail}")
}

/// Hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex_lower(&mac.finalize().into_bytes())
}

/// The `Grapevine-Signature` header value.
pub fn header(secret: &str, timestamp: i64, body: &str) -> String {
    format!("t={timestamp},v1={}", signature(secret, timestamp, body))
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Computed independently: printf '1700000000.{"id":"e1"}' |
    //   openssl dgst -sha256 -hmac 'whsec_test_secret'
    const EXPECTED: &str = "26803b6858994a1dfccdc274fb54014865ec7231c0a1750e3db4c2b2d7c3a54b";

    #[test]
    fn the_signature_matches_an_independently_computed_hmac() {
        assert_eq!(
            signature("whsec_test_secret", 1_700_000_000, r#"{"id":"e1"}"#),
            EXPECTED
        );
        assert_eq!(
            header("whsec_test_secret", 1_700_000_000, r#"{"id":"e1"}"#),
            format!("t=1700000000,v1={EXPECTED}")
        );
    }

    #[test]
    fn the_signature_changes_with_secret_timestamp_and_body() {
        let base = signature("whsec_a", 1, "{}");
        assert_ne!(base, signature("whsec_b", 1, "{}"));
        assert_ne!(base, signature("whsec_a", 2, "{}"));
        assert_ne!(base, signature("whsec_a", 1, "{ }"));
        assert_eq!(base.len(), 64);
    }

    #[test]
    fn secrets_are_random_prefixed_and_hinted_by_their_tail() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        assert!(a.starts_with(SECRET_PREFIX) && a.len() == SECRET_PREFIX.len() + 43);
        assert_eq!(hint("whsec_abcdefgh"), "whsec_…efgh");
    }
}
