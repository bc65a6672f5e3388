//! API keys as strings: `sk_…` (secret, server-to-server) and `pk_…` (publishable, for the
//! widget), 40 random base62 characters (~238 bits) after the prefix; only the SHA-256 is stored.

use rand::Rng;
use sha2::{Digest, Sha256};

use crate::tables::ApiKeyKind;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A fresh key of `kind`; shown to its creator once.
pub fn generate(kind: ApiKeyKind) -> String {
    let mut rng = rand::rng();
    let body: String = (0..40)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    let prefix = match kind {
        ApiKeyKind::Secret => "sk_",
        ApiKeyKind::Publishable => "pk_",
    };
    format!("{prefix}{body}")
}

/// Hex SHA-256 of a key, the form it is stored and looked up in.
pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_carries_its_kind_and_hashes_to_64_hex_digits() {
        let secret = generate(ApiKeyKind::Secret);
        let publishable = generate(ApiKeyKind::Publishable);
        assert!(secret.starts_with("sk_") && secret.len() == 43, "{secret}");
        assert!(publishable.starts_with("pk_") && publishable.len() == 43);
        assert!(secret[3..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(generate(ApiKeyKind::Secret), secret);
        let digest = hash(&secret);
        assert_eq!(digest.len(), 64);
        assert_eq!(digest, hash(&secret));
        assert_ne!(digest, hash(&publishable));
    }
}
