//! `referral.validate`: the fraud validation of a referral (and of the conversion that triggered it).
//!
//! Tracking writes these rows in the same transaction as the lead or conversion. Their handler,
//! the fraud rules, lands with the validation issue; until a build registers it, the relay leaves
//! the rows `pending` in the outbox (it dispatches only the kinds this build runs), so nothing is
//! lost and nothing is marked dead for want of a handler.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The job kind.
pub const KIND: &str = "referral.validate";

/// Payload of a validation job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ValidateReferral {
    /// `referrals.id`.
    pub referral_id: Uuid,
    /// `conversions.id`, when a conversion triggered it.
    pub conversion_id: Option<Uuid>,
}
