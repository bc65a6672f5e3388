//! Who is calling: staff JWTs, API keys, passwords and rate limits.

pub mod api_keys;
pub mod jwt;
pub mod password;
pub mod principal;
pub mod sessions;

pub use principal::{Principal, Role};
