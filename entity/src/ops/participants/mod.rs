//! Participants and enrolment: a participant (a tenant's customer) is upserted by external id and
//! enrolled in a campaign; the enrolment records audience eligibility and the variant / holdout
//! bucket (assigned deterministically), and an invited participant gets a unique referral code.

pub mod rows;
pub use rows::{new_row, refreshed};

use crate::ops::{jobs::LaunchCampaign, outbox::enqueue};
use crate::{
    domain::{
        FieldError,
        participant::{ValidParticipant, place},
    },
    tables::{CampaignStatus, LinkKind, campaigns, enrolments, participants, referral_links},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

pub use crate::domain::participant::{ParticipantDraft, validate};

use crate::{
    ops::error::{Error, Result},
    ops::principal::Principal,
    ops::{audit, campaigns as campaign_service, links},
};

/// Most participants in one bulk call.
pub const MAX_BULK: usize = 1_000;

/// An enrolment and what came with it.
#[derive(Debug, Clone)]
pub struct Enrolled {
    /// The enrolment.
    pub enrolment: enrolments::Model,
    /// The participant.
    pub participant: participants::Model,
    /// The primary referral code, when invited.
    pub code: Option<String>,
}

/// Enrol one participant (idempotent: enrolling again returns the existing enrolment, with the
/// participant's details updated).
pub async fn enroll(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    draft: ParticipantDraft,
    now: DateTime<Utc>,
) -> Result<Enrolled> {
    let valid = validate(draft).map_err(Error::Validation)?;
    let txn = crate::db::begin_write(conn).await?;
    let campaign = campaign_service::get(&txn, tenant_id, campaign_id).await?;
    if campaign.status == CampaignStatus::Ended {
        return Err(Error::Conflict("the campaign has ended".into()));
    }
    let variants = campaign_service::variants(&txn, campaign_id).await?;
    let out = enroll_in(&txn, principal, &campaign, &variants, valid, now).await?;
    txn.commit().await?;
    Ok(out)
}

/// A bulk enrolment's outcome: what was enrolled and, per refused row, why.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    /// Enrolled rows.
    pub enrolled: Vec<Enrolled>,
    /// `(row index, errors)` of refused rows.
    pub errors: Vec<(usize, Vec<FieldError>)>,
}

/// Enrol many: bad rows are reported by index and the good ones go in, in one transaction.
pub async fn enroll_bulk(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    drafts: Vec<ParticipantDraft>,
    now: DateTime<Utc>,
) -> Result<BulkOutcome> {
    if drafts.len() > MAX_BULK {
        return Err(Error::invalid(
            "participants",
            format!("at most {MAX_BULK} per call"),
        ));
    }
    let mut outcome = BulkOutcome::default();
    let mut valid = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, draft) in drafts.into_iter().enumerate() {
        match validate(draft) {
            Ok(v) if !seen.insert(v.external_id.clone()) => {
                outcome.errors.push((
                    i,
                    vec![FieldError::new("externalId", "appears twice in this batch")],
                ));
            }
            Ok(v) => valid.push(v),
            Err(e) => outcome.errors.push((i, e)),
        }
    }
    let txn = crate::db::begin_write(conn).await?;
    let campaign = campaign_service::get(&txn, tenant_id, campaign_id).await?;
    if campaign.status == CampaignStatus::Ended {
        return Err(Error::Conflict("the campaign has ended".into()));
    }
    let variants = campaign_service::variants(&txn, campaign_id).await?;
    for v in valid {
        outcome
            .enrolled
            .push(enroll_in(&txn, principal, &campaign, &variants, v, now).await?);
    }
    txn.commit().await?;
    Ok(outcome)
}

async fn enroll_in(
    txn: &impl ConnectionTrait,
    principal: &Principal,
    campaign: &campaigns::Model,
    variants: &[crate::tables::campaign_variants::Model],
    v: ValidParticipant,
    now: DateTime<Utc>,
) -> Result<Enrolled> {
    let tenant_id = campaign.tenant_id;
    let participant = upsert_participant(txn, tenant_id, &v, now).await?;
    if let Some(existing) = enrolments::Entity::find()
        .filter(enrolments::Column::CampaignId.eq(campaign.id))
        .filter(enrolments::Column::ParticipantId.eq(participant.id))
        .one(txn)
        .await?
    {
        let code = primary_code(txn, existing.id).await?;
        return Ok(Enrolled {
            enrolment: existing,
            participant,
            code,
        });
    }
    let placement = place(campaign, variants, participant.id, &v);
    let (eligible, bucket, variant_id) = (
        placement.eligible,
        placement.bucket.clone(),
        placement.variant_id,
    );
    let enrolment = enrolments::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        campaign_id: Set(campaign.id),
        participant_id: Set(participant.id),
        eligible: Set(eligible),
        bucket: Set(bucket.clone()),
        variant_id: Set(variant_id),
        created_at: Set(now),
    }
    .insert(txn)
    .await?;
    let invited = placement.invited();
    let code = if invited {
        Some(
            links::issue(
                txn,
                &enrolment,
                campaign.tenant_id,
                LinkKind::Primary,
                None,
                None,
                now,
            )
            .await?
            .code,
        )
    } else {
        None
    };
    if invited && campaign.status == CampaignStatus::Active {
        enqueue(
            txn,
            Some(tenant_id),
            &LaunchCampaign {
                campaign_id: campaign.id,
                participant_id: Some(participant.id),
            },
            now,
        )
        .await?;
    }
    audit::record(txn, tenant_id, principal, "participant.enroll", "enrolment", Some(enrolment.id), json!({ "campaign_id": campaign.id, "participant_id": participant.id, "eligible": eligible, "bucket": bucket }), now).await?;
    Ok(Enrolled {
        enrolment,
        participant,
        code,
    })
}

async fn upsert_participant(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    v: &ValidParticipant,
    now: DateTime<Utc>,
) -> Result<participants::Model> {
    let existing = participants::Entity::find()
        .filter(participants::Column::TenantId.eq(tenant_id))
        .filter(participants::Column::ExternalId.eq(v.external_id.as_str()))
        .one(txn)
        .await?;
    Ok(match existing {
        Some(row) => {
            crate::ops::participants::refreshed(row.id, v, now)
                .update(txn)
                .await?
        }
        None => {
            crate::ops::participants::new_row(Uuid::now_v7(), tenant_id, v, now)
                .insert(txn)
                .await?
        }
    })
}

/// The primary code of an enrolment.
pub async fn primary_code(
    conn: &impl ConnectionTrait,
    enrolment_id: Uuid,
) -> Result<Option<String>> {
    Ok(referral_links::Entity::find()
        .filter(referral_links::Column::EnrolmentId.eq(enrolment_id))
        .filter(referral_links::Column::Kind.eq(LinkKind::Primary))
        .one(conn)
        .await?
        .map(|l| l.code))
}

/// A participant of this tenant.
pub async fn get(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<participants::Model> {
    crate::ops::tenancy::find_in_tenant::<participants::Entity>(conn, tenant_id, id).await
}
