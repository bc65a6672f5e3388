//! Incoming webhooks from payment providers.

pub mod signature;
pub mod stripe;
