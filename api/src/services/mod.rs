//! Service functions: the rules of each use case over `&impl ConnectionTrait`, called by the
//! GraphQL resolvers, the CLI and tests. Every query is scoped to the caller's tenant.

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod campaign_documents;
pub mod campaigns;
pub mod cohorts;
pub mod conversions;
pub mod demo;
pub mod finance;
pub mod fraud;
pub mod imports;
pub mod invites;
pub mod links;
pub mod participants;
pub mod payouts;
pub mod privacy;
pub mod program_health;
pub mod queue_health;
pub mod recommendations;
pub mod reports;
pub mod search;
pub mod secrets;
pub mod tenants;
pub mod users;
pub mod webhooks;
