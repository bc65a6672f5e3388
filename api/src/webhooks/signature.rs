//! Stripe's webhook signature, as Stripe documents it: the `Stripe-Signature` header carries
//! `t=<unix seconds>` and one or more `v1=<hex HMAC-SHA256 of "<t>.<raw body>">` (several during a
//! secret rotation). A signature is good when any `v1` matches (compared in constant time) and `t`
//! is within the tolerance of now, which stops replays of old deliveries.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No header, or no `t` / `v1` in it.
    #[error("missing or malformed Stripe-Signature header")]
    Malformed,
    /// `t` is too far from now.
    #[error("signature timestamp outside the tolerance")]
    Stale,
    /// No `v1` matches.
    #[error("no signature matches")]
    Mismatch,
}

/// Check `header` for `body` with `secret` at `now` (unix seconds).
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secret: &str,
    now: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Malformed)?;
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => {
                if let Ok(bytes) = hex::decode(v) {
                    candidates.push(bytes);
                }
            }
            _ => {}
        }
    }
    let t = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    // `abs_diff`: a hostile `t` (say i64::MIN) must not overflow the subtraction.
    if now.abs_diff(t) > tolerance_secs.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let matches = candidates.iter().any(|candidate| {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(candidate).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Sign like Stripe does (for tests and tools): the header value for `body` at `t`.
pub fn sign(body: &[u8], secret: &str, t: i64) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";
    const BODY: &[u8] = br#"{"id":"evt_1"}"#;

    #[test]
    fn a_fresh_matching_signature_passes() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(verify(Some(&header), BODY, SECRET, 1_010, 300), Ok(()));
    }

    #[test]
    fn any_of_several_v1_values_may_match() {
        let good = sign(BODY, SECRET, 1_000);
        let v1 = good.split("v1=").nth(1).unwrap();
        let header = format!("t=1000,v1={},v1={v1},v0=ignored", "00".repeat(32));
        assert_eq!(verify(Some(&header), BODY, SECRET, 1_000, 300), Ok(()));
    }

    #[test]
    fn stale_tampered_foreign_and_malformed_signatures_fail() {
        let header = sign(BODY, SECRET, 1_000);
        assert_eq!(
            verify(Some(&header), BODY, SECRET, 1_301, 300),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(Some(&header), br#"{"id":"evt_2"}"#, SECRET, 1_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(Some(&header), BODY, "whsec_other", 1_000, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(None, BODY, SECRET, 1_000, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("t=1000"), BODY, SECRET, 1_000, 300),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(Some("v1=abcd"), BODY, SECRET, 1_000, 300),
            Err(SignatureError::Malformed)
        );
    }

    #[test]
    fn extreme_timestamps_are_stale_not_a_panic() {
        for t in [i64::MIN, i64::MAX] {
            let header = format!("t={t},v1=00");
            assert_eq!(
                verify(Some(&header), b"{}", "whsec_x", 1_800_000_000, 300),
                Err(SignatureError::Stale)
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Any header and body: never a panic, and never accepted unless it carries the right
        /// signature for that body.
        #[test]
        fn hostile_headers_never_panic_and_never_pass(
            header in "\\PC{0,120}",
            t in proptest::num::i64::ANY,
            body in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let now = 1_800_000_000;
            proptest::prop_assert!(verify(Some(&header), &body, "whsec_x", now, 300).is_err());
            let stamped = format!("t={t},{header}");
            proptest::prop_assert!(verify(Some(&stamped), &body, "whsec_x", now, 300).is_err());
            // A signature made at any `t` passes exactly when `t` is fresh (no overflow either).
            let signed = sign(&body, "whsec_x", t);
            let verdict = verify(Some(&signed), &body, "whsec_x", now, 300);
            proptest::prop_assert_eq!(verdict.is_ok(), now.abs_diff(t) <= 300);
        }
    }
}
