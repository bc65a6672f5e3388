//! Domain operations over a connection or a transaction, shared by the API and the job runtime:
//! each lives here once, beside the tables it reads and the pure rules (`domain`) it applies.
//! A few operations still live in `api/src/services` and move here one by one (issue 17).

pub mod api_keys;
pub mod audit;
pub mod campaign_documents;
pub mod campaigns;
pub mod cohorts;
pub mod config_secret;
pub mod conversions;
pub mod counts;
pub mod crypto;
pub mod emails;
pub mod error;
pub mod experiments;
pub mod finance;
pub mod fraud;
pub mod import;
pub mod invites;
pub mod jobs;
pub mod ledger;
pub mod links;
pub mod outbox;
pub mod participants;
pub mod payouts;
pub mod principal;
pub mod privacy;
pub mod program_health;
pub mod queue_health;
pub mod recommendations;
pub mod reports;
pub mod rollups;
pub mod search;
pub mod secrets;
pub mod share;
pub mod tenancy;
pub mod tenants;
pub mod trace;
pub mod users;
pub mod webhook_events;
pub mod webhooks;
