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
        ]
    }
}
