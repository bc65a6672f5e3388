//! The use cases the GraphQL resolvers, the HTTP handlers and the CLI call. Most are domain
//! operations in `grapevine_entity::ops` (shared with the job runtime) and are re-exported here
//! under their old names; the modules below still live in the api and move there one by one
//! (issue 17). Every query is scoped to the caller's tenant.

pub mod api_keys;
pub mod auth;
pub mod demo;
pub mod imports;
pub mod payouts;
pub mod program_health;
pub mod secrets;
pub mod users;
pub mod webhooks;

pub use grapevine_entity::ops::{
    audit, campaign_documents, campaigns, cohorts, conversions, finance, fraud, invites, links,
    participants, privacy, queue_health, recommendations, reports, search, tenants,
};
