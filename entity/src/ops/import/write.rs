//! Writing one batch of valid rows: participants, enrolments and referral codes as multi-row
//! inserts. A row whose participant is already enrolled in the campaign is skipped, so running an
//! import twice (or resuming one) never enrols anyone twice.

use std::collections::{HashMap, HashSet};

use crate::{
    domain::{
        code::ReferralCode,
        participant::{ValidParticipant, place},
    },
    ops,
    tables::{LinkKind, campaign_variants, campaigns, enrolments, participants, referral_links},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QuerySelect, sea_query::OnConflict,
};
use uuid::Uuid;

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchCounts {
    /// Rows enrolled.
    pub imported: u64,
    /// Rows whose participant was already enrolled in the campaign.
    pub skipped: u64,
}

/// The campaign rows are enrolled in.
pub struct Target<'a> {
    /// The campaign.
    pub campaign: &'a campaigns::Model,
    /// Its variants, oldest first.
    pub variants: &'a [campaign_variants::Model],
}

/// Enrol a batch of valid participants (distinct external ids) inside the caller's transaction.
pub async fn write_batch(
    txn: &impl ConnectionTrait,
    target: &Target<'_>,
    rows: &[ValidParticipant],
    now: DateTime<Utc>,
) -> Result<BatchCounts, DbErr> {
    if rows.is_empty() {
        return Ok(BatchCounts::default());
    }
    let tenant_id = target.campaign.tenant_id;
    let existing = existing_participants(txn, tenant_id, rows).await?;
    let enrolled = enrolled_among(txn, target.campaign.id, existing.values().copied()).await?;
    let mut counts = BatchCounts::default();
    let mut new_people = Vec::new();
    let mut new_enrolments = Vec::new();
    let mut invited = Vec::new();
    for v in rows {
        let participant_id = match existing.get(&v.external_id) {
            Some(id) if enrolled.contains(id) => {
                counts.skipped += 1;
                continue;
            }
            Some(id) => {
                ops::participants::refreshed(*id, v, now)
                    .update(txn)
                    .await?;
                *id
            }
            None => {
                let id = Uuid::now_v7();
                new_people.push(ops::participants::new_row(id, tenant_id, v, now));
                id
            }
        };
        let placement = place(target.campaign, target.variants, participant_id, v);
        let enrolment_id = Uuid::now_v7();
        if placement.invited() {
            invited.push((enrolment_id, participant_id));
        }
        new_enrolments.push(enrolments::ActiveModel {
            id: Set(enrolment_id),
            tenant_id: Set(tenant_id),
            campaign_id: Set(target.campaign.id),
            participant_id: Set(participant_id),
            eligible: Set(placement.eligible),
            bucket: Set(placement.bucket),
            variant_id: Set(placement.variant_id),
            created_at: Set(now),
        });
        counts.imported += 1;
    }
    if !new_people.is_empty() {
        participants::Entity::insert_many(new_people)
            .exec_without_returning(txn)
            .await?;
    }
    if !new_enrolments.is_empty() {
        enrolments::Entity::insert_many(new_enrolments)
            .exec_without_returning(txn)
            .await?;
    }
    issue_codes(txn, target.campaign, invited, now).await?;
    Ok(counts)
}

async fn existing_participants(
    txn: &impl ConnectionTrait,
    tenant_id: Uuid,
    rows: &[ValidParticipant],
) -> Result<HashMap<String, Uuid>, DbErr> {
    let ids: Vec<&str> = rows.iter().map(|v| v.external_id.as_str()).collect();
    let found: Vec<(Uuid, String)> = participants::Entity::find()
        .select_only()
        .column(participants::Column::Id)
        .column(participants::Column::ExternalId)
        .filter(participants::Column::TenantId.eq(tenant_id))
        .filter(participants::Column::ExternalId.is_in(ids))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(found.into_iter().map(|(id, ext)| (ext, id)).collect())
}

async fn enrolled_among(
    txn: &impl ConnectionTrait,
    campaign_id: Uuid,
    participant_ids: impl Iterator<Item = Uuid>,
) -> Result<HashSet<Uuid>, DbErr> {
    let ids: Vec<Uuid> = participant_ids.collect();
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> = enrolments::Entity::find()
        .select_only()
        .column(enrolments::Column::ParticipantId)
        .filter(enrolments::Column::CampaignId.eq(campaign_id))
        .filter(enrolments::Column::ParticipantId.is_in(ids))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(found.into_iter().collect())
}

/// Give each invited enrolment its primary code. Codes are global: a drawn code that is taken is
/// skipped by the insert and drawn again for the enrolments still without one.
async fn issue_codes(
    txn: &impl ConnectionTrait,
    campaign: &campaigns::Model,
    mut pending: Vec<(Uuid, Uuid)>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    for _ in 0..8 {
        if pending.is_empty() {
            return Ok(());
        }
        let links = draw_links(campaign, &pending, now);
        let inserted = referral_links::Entity::insert_many(links)
            .on_conflict(
                OnConflict::column(referral_links::Column::Code)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        if inserted == pending.len() as u64 {
            return Ok(());
        }
        let ids: Vec<Uuid> = pending.iter().map(|(e, _)| *e).collect();
        let done: HashSet<Uuid> = referral_links::Entity::find()
            .select_only()
            .column(referral_links::Column::EnrolmentId)
            .filter(referral_links::Column::EnrolmentId.is_in(ids))
            .into_tuple::<Uuid>()
            .all(txn)
            .await?
            .into_iter()
            .collect();
        pending.retain(|(e, _)| !done.contains(e));
    }
    if pending.is_empty() {
        Ok(())
    } else {
        Err(DbErr::Custom(
            "could not draw free referral codes in 8 tries".into(),
        ))
    }
}

/// Primary links with freshly drawn codes (the thread-local generator never lives across an await).
fn draw_links(
    campaign: &campaigns::Model,
    pending: &[(Uuid, Uuid)],
    now: DateTime<Utc>,
) -> Vec<referral_links::ActiveModel> {
    let mut rng = rand::rng();
    pending
        .iter()
        .map(
            |(enrolment_id, participant_id)| referral_links::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(campaign.tenant_id),
                campaign_id: Set(campaign.id),
                enrolment_id: Set(*enrolment_id),
                participant_id: Set(*participant_id),
                code: Set(ReferralCode::generate(&mut rng).as_str().to_owned()),
                kind: Set(LinkKind::Primary),
                channel: Set(None),
                created_at: Set(now),
                disabled_at: Set(None),
            },
        )
        .collect()
}
