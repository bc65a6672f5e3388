//! Links placed in emails: the participant's referral URL and the signed one-click unsubscribe URL.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

/// The public redirect URL of a referral code.
pub fn referral_url(public_url: &str, code: &str) -> String {
    format!("{}/r/{code}", public_url.trim_end_matches('/'))
}

/// An unsubscribe token names the email it came in (and through it the tenant and address) and is
/// signed, so nobody can unsubscribe somebody else by guessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsubscribeToken {
    /// The `emails.id` the link was sent in.
    pub email_id: Uuid,
}

const TAG_LEN: usize = 16;

impl UnsubscribeToken {
    /// Encode and sign: base64url(email id ‖ first 16 bytes of HMAC-SHA256).
    pub fn sign(&self, key: &[u8]) -> String {
        let mut bytes = self.email_id.as_bytes().to_vec();
        bytes.extend_from_slice(&tag(key, self.email_id)[..TAG_LEN]);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Decode and verify in constant time; `None` for anything forged or malformed.
    pub fn verify(token: &str, key: &[u8]) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
        if bytes.len() != 16 + TAG_LEN {
            return None;
        }
        let email_id = Uuid::from_slice(&bytes[..16]).ok()?;
        let mut mac = HmacSha256::new_from_slice(key).ok()?;
        mac.update(b"unsubscribe:");
        mac.update(email_id.as_bytes());
        mac.verify_truncated_left(&bytes[16..]).ok()?;
        Some(Self { email_id })
    }

    /// The full one-click URL.
    pub fn url(&self, public_url: &str, key: &[u8]) -> String {
        format!("{}/u/{}", public_url.trim_end_matches('/'), self.sign(key))
    }
}

fn tag(key: &[u8], email_id: Uuid) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; an empty tag would fail verification.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return vec![0; 32];
    };
    mac.update(b"unsubscribe:");
    mac.update(email_id.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let key = b"0123456789abcdef0123456789abcdef";
        let token = UnsubscribeToken {
            email_id: Uuid::now_v7(),
        };
        let signed = token.sign(key);
        assert_eq!(UnsubscribeToken::verify(&signed, key), Some(token));
        assert_eq!(UnsubscribeToken::verify(&signed, b"another key"), None);
        let mut bytes = URL_SAFE_NO_PAD.decode(&signed).unwrap();
        bytes[3] ^= 1;
        assert_eq!(
            UnsubscribeToken::verify(&URL_SAFE_NO_PAD.encode(bytes), key),
            None
        );
        assert_eq!(UnsubscribeToken::verify("not-a-token", key), None);
    }
}
