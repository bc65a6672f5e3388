//! HTTP endpoints other than the GraphQL resolvers themselves.

pub mod console;
pub mod error;
pub mod exports;
pub mod graphql;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod redirect;
pub mod reports;
pub mod unsubscribe;
pub mod widget;
