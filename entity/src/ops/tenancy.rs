//! Rows a tenant owns, found only by that tenant: another tenant's id answers NOT_FOUND exactly as
//! a missing one does, so ids reveal nothing across tenants.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter};
use uuid::Uuid;

use crate::ops::error::{Error, Result};
use crate::tables::{
    api_keys, campaigns, enrolments, job_outbox, participant_imports, participants, payouts,
    reconciliations, referrals, reward_rules, users, webhook_deliveries, webhook_endpoints,
};

/// A table whose rows belong to one tenant each.
pub trait TenantOwned: EntityTrait {
    /// What a person calls one row (the NOT_FOUND message names it).
    const NAME: &'static str;
    /// The column holding the owner.
    fn tenant_column() -> Self::Column;
}

/// Row `id` of `E` if it belongs to the tenant, else NOT_FOUND.
pub async fn find_in_tenant<E>(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<E::Model>
where
    E: TenantOwned,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .filter(E::tenant_column().eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(Error::NotFound(E::NAME))
}

macro_rules! tenant_owned {
    ($($table:ident: $name:literal),* $(,)?) => {
        $(impl TenantOwned for $table::Entity {
            const NAME: &'static str = $name;
            fn tenant_column() -> Self::Column {
                $table::Column::TenantId
            }
        })*
    };
}

tenant_owned! {
    api_keys: "API key",
    campaigns: "campaign",
    enrolments: "enrolment",
    job_outbox: "job",
    participant_imports: "participant import",
    participants: "participant",
    payouts: "payout",
    reconciliations: "reconciliation",
    referrals: "referral",
    reward_rules: "reward rule",
    users: "user",
    webhook_deliveries: "webhook delivery",
    webhook_endpoints: "webhook endpoint",
}
