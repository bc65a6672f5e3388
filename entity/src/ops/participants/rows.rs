//! A participant's row from validated input: what `enrollParticipant(s)` and a CSV import both
//! write for a new customer, and what they update on a known one.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use serde_json::json;
use uuid::Uuid;

use crate::{
    domain::participant::ValidParticipant,
    tables::{PayoutOnboarding, TaxStatus, participants},
};

/// A new participant of the tenant with the given details.
pub fn new_row(
    id: Uuid,
    tenant_id: Uuid,
    v: &ValidParticipant,
    now: DateTime<Utc>,
) -> participants::ActiveModel {
    participants::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        external_id: Set(v.external_id.clone()),
        created_at: Set(now),
        payout_account_id: Set(None),
        payout_status: Set(PayoutOnboarding::None),
        tax_status: Set(TaxStatus::Missing),
        ..refreshed(id, v, now)
    }
}

/// A known participant's details replaced by newer ones (the latest enrolment or import wins);
/// the rest of the row is left as it is.
pub fn refreshed(id: Uuid, v: &ValidParticipant, now: DateTime<Utc>) -> participants::ActiveModel {
    participants::ActiveModel {
        id: Set(id),
        email: Set(v.email.as_str().to_owned()),
        email_normalized: Set(v.email.as_str().to_owned()),
        first_name: Set(v.first_name.clone()),
        tags: Set(json!(v.tags)),
        order_count: Set(v.order_count),
        country: Set(v.country.clone()),
        updated_at: Set(now),
        ..Default::default()
    }
}
