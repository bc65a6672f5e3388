//! Grapevine's API gateway: actix-web + async-graphql over SeaORM, and the `grapevine` binary.

pub mod auth;
pub mod cache_bus;
pub mod cli;
pub mod cli_transfer;
pub mod config;
pub use grapevine_entity::ops::crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod graphql;
pub mod http;
pub mod keys;
pub mod rate_limits;
pub mod reports;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod tracking;
pub mod webhooks;

pub use config::Config;
pub use startup::{Application, Parts};
