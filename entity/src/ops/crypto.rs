//! Encryption of per-tenant secrets that must be read back (widget signing secret, webhook
//! secret, Stripe keys): AES-256-GCM under the configured master key, a fresh nonce per value.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, AeadCore, OsRng},
};
use base64::{Engine as _, engine::general_purpose::STANDARD};
use secrecy::{ExposeSecret, SecretBox, SecretString};

/// Decode a base64 key (standard or URL-safe alphabet).
pub fn decode_key(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    STANDARD
        .decode(text)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
        .map_err(|_| "is not valid base64".to_owned())
}

/// Random bytes, base64-encoded, for generated keys and secrets.
pub fn random_key_b64(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    rand::fill(&mut bytes[..]);
    STANDARD.encode(bytes)
}

/// Encrypts and decrypts tenant secrets.
pub struct SecretBoxer {
    key: SecretBox<[u8; 32]>,
}

/// Decryption failed: wrong master key or a tampered value.
#[derive(Debug, thiserror::Error)]
#[error("a stored secret could not be decrypted (wrong master key or tampered value)")]
pub struct DecryptError;

impl SecretBoxer {
    /// From a base64 master key of exactly 32 bytes.
    pub fn new(master_key_b64: &str) -> Result<Self, String> {
        let bytes = decode_key(master_key_b64)?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "master key must be 32 bytes".to_owned())?;
        Ok(Self {
            key: SecretBox::new(Box::new(key)),
        })
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.key.expose_secret().into())
    }

    /// Encrypt: base64(nonce ‖ ciphertext+tag). `aad` binds the value to its tenant and name so a
    /// ciphertext copied to another row does not decrypt.
    pub fn seal(&self, plaintext: &str, aad: &str) -> Result<String, DecryptError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = self
            .cipher()
            .encrypt(
                &nonce,
                aes_gcm::aead::Payload {
                    msg: plaintext.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| DecryptError)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(STANDARD.encode(out))
    }

    /// Decrypt what `seal` produced with the same `aad`.
    pub fn open(&self, sealed: &str, aad: &str) -> Result<SecretString, DecryptError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| DecryptError)?;
        if bytes.len() < 12 + 16 {
            return Err(DecryptError);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce = Nonce::from(<[u8; 12]>::try_from(nonce).map_err(|_| DecryptError)?);
        let pt = self
            .cipher()
            .decrypt(
                &nonce,
                aes_gcm::aead::Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| DecryptError)?;
        String::from_utf8(pt)
            .map(SecretString::from)
            .map_err(|_| DecryptError)
    }
}

/// A purpose-specific key derived from the master key (HMAC-SHA256(master, purpose)), so one
/// configured secret yields independent keys for link signing and other uses.
pub fn derive_key(master_key_b64: &str, purpose: &str) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    let master = decode_key(master_key_b64).unwrap_or_default();
    let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&master) else {
        return Vec::new();
    };
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_context() {
        let boxer = SecretBoxer::new(&random_key_b64(32)).unwrap();
        let sealed = boxer.seal("whsec_123", "tenant-a/webhook").unwrap();
        assert_eq!(
            boxer
                .open(&sealed, "tenant-a/webhook")
                .unwrap()
                .expose_secret(),
            "whsec_123"
        );
        assert!(boxer.open(&sealed, "tenant-b/webhook").is_err());
        let other = SecretBoxer::new(&random_key_b64(32)).unwrap();
        assert!(other.open(&sealed, "tenant-a/webhook").is_err());
        assert_ne!(
            sealed,
            boxer.seal("whsec_123", "tenant-a/webhook").unwrap(),
            "nonces must differ"
        );
    }

    #[test]
    fn a_master_key_of_the_wrong_length_is_refused() {
        assert!(SecretBoxer::new(&random_key_b64(16)).is_err());
        assert!(SecretBoxer::new("not base64!").is_err());
    }
}
