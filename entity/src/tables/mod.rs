//! One module per table (module name = table name); the stored enums live in [`enums`].

pub mod api_keys;
pub mod audit_log;
pub mod campaign_materials;
pub mod campaign_variants;
pub mod campaigns;
pub mod clicks;
pub mod conversions;
pub mod device_sightings;
pub mod emails;
pub mod enrolments;
pub mod enums;
pub mod fraud_decisions;
pub mod fraud_signals;
pub mod fx_rates;
pub mod job_outbox;
pub mod job_runs;
pub mod ledger_entries;
pub mod participants;
pub mod payout_attempts;
pub mod payout_settings;
pub mod payouts;
pub mod referral_links;
pub mod referrals;
pub mod refunds;
pub mod reward_rules;
pub mod rewards;
pub mod suppressions;
pub mod tenant_secrets;
pub mod tenants;
pub mod users;
pub mod webhook_events;

pub use enums::*;
