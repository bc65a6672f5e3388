//! Who is calling: staff JWTs, API keys, passwords and rate limits.

pub mod api_keys;
pub mod jwt;
pub mod request;
pub mod sessions;

pub use grapevine_entity::domain::password;
pub use grapevine_entity::ops::principal::{self, Principal, Role};
