//! Ids derived from a stable key, for rows that must be created at most once however often the
//! code creating them runs (an email per participant and launch, a job per email).

use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A UUID (version 8, RFC 9562 custom) from the SHA-256 of `key`: the same key always gives the same id.
pub fn derived_id(key: &str) -> Uuid {
    let digest = Sha256::digest(key.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::new_v8(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_gives_the_same_id_and_others_differ() {
        assert_eq!(derived_id("launch:a:b"), derived_id("launch:a:b"));
        assert_ne!(derived_id("launch:a:b"), derived_id("launch:a:c"));
        assert_eq!(derived_id("x").get_version_num(), 8);
    }
}
