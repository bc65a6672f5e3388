//! Database migrations for Grapevine; they run on PostgreSQL and SQLite alike.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_tenants_users;
mod m20261124_000002_create_campaigns;
mod m20261124_000003_create_participants;
mod m20261124_000004_create_email;
mod m20261124_000005_create_jobs;
mod m20261124_000006_create_audit_log;
mod m20261124_000007_create_clicks;
mod m20261124_000008_create_referrals;
mod m20261124_000009_create_webhook_events;
mod m20261124_000010_create_fraud;
mod m20261124_000011_create_rewards;
mod m20261124_000012_create_payouts;
mod m20261124_000013_create_reconciliations;
mod m20261124_000014_create_webhooks;
mod m20261124_000015_create_imports;
mod m20261124_000016_create_rollups;
mod m20261124_000017_create_experiments;
mod m20261124_000018_create_applied_recommendations;
mod m20261124_000019_outbox_notify;
mod m20261124_000020_index_conversions_referral;
mod m20261124_000021_create_tracking_tallies;
mod m20261207_000022_create_staff_sessions;
mod m20261207_000023_create_recommendation_dismissals;
mod m20261207_000024_outbox_traceparent;

/// Every migration, in the order it must run.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_tenants_users::Migration),
            Box::new(m20261124_000002_create_campaigns::Migration),
            Box::new(m20261124_000003_create_participants::Migration),
            Box::new(m20261124_000004_create_email::Migration),
            Box::new(m20261124_000005_create_jobs::Migration),
            Box::new(m20261124_000006_create_audit_log::Migration),
            Box::new(m20261124_000007_create_clicks::Migration),
            Box::new(m20261124_000008_create_referrals::Migration),
            Box::new(m20261124_000009_create_webhook_events::Migration),
            Box::new(m20261124_000010_create_fraud::Migration),
            Box::new(m20261124_000011_create_rewards::Migration),
            Box::new(m20261124_000012_create_payouts::Migration),
            Box::new(m20261124_000013_create_reconciliations::Migration),
            Box::new(m20261124_000014_create_webhooks::Migration),
            Box::new(m20261124_000015_create_imports::Migration),
            Box::new(m20261124_000016_create_rollups::Migration),
            Box::new(m20261124_000017_create_experiments::Migration),
            Box::new(m20261124_000018_create_applied_recommendations::Migration),
            Box::new(m20261124_000019_outbox_notify::Migration),
            Box::new(m20261124_000020_index_conversions_referral::Migration),
            Box::new(m20261124_000021_create_tracking_tallies::Migration),
            Box::new(m20261207_000022_create_staff_sessions::Migration),
            Box::new(m20261207_000023_create_recommendation_dismissals::Migration),
            Box::new(m20261207_000024_outbox_traceparent::Migration),
        ]
    }
}
