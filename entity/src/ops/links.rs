//! Referral links: the primary code given at enrolment, vanity codes and per-channel variants.
//! Codes are global (the redirect has no tenant in it), so a collision is settled by the unique
//! index: generated codes draw again, a taken vanity code is a conflict.

use crate::{
    domain::{
        code::{ReferralCode, VanityCode},
        hll::Sketch,
    },
    tables::{CampaignStatus, Channel, LinkKind, campaigns, enrolments, referral_links, rollups},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait, TryInsertResult, sea_query::OnConflict,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ops::audit,
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// Insert a link for an enrolment. `code` is a vanity code, or `None` to draw one.
pub async fn issue(
    conn: &impl ConnectionTrait,
    enrolment: &enrolments::Model,
    tenant_id: Uuid,
    kind: LinkKind,
    channel: Option<Channel>,
    code: Option<String>,
    now: DateTime<Utc>,
) -> Result<referral_links::Model> {
    let tries = if code.is_some() { 1 } else { 8 };
    for _ in 0..tries {
        let candidate = code
            .clone()
            .unwrap_or_else(|| ReferralCode::generate(&mut rand::rng()).as_str().to_owned());
        let row = referral_links::ActiveModel {
            id: Set(Uuid::now_v7()),
            tenant_id: Set(tenant_id),
            campaign_id: Set(enrolment.campaign_id),
            enrolment_id: Set(enrolment.id),
            participant_id: Set(enrolment.participant_id),
            code: Set(candidate.clone()),
            kind: Set(kind),
            channel: Set(channel),
            created_at: Set(now),
            disabled_at: Set(None),
        };
        let result = referral_links::Entity::insert(row)
            .on_conflict(
                OnConflict::column(referral_links::Column::Code)
                    .do_nothing()
                    .to_owned(),
            )
            .try_insert()
            .exec(conn)
            .await?;
        if let TryInsertResult::Inserted(_) = result {
            return referral_links::Entity::find()
                .filter(referral_links::Column::Code.eq(candidate))
                .one(conn)
                .await?
                .ok_or_else(|| Error::Internal(anyhow::anyhow!("inserted link vanished")));
        }
    }
    match code {
        Some(taken) => Err(Error::Conflict(format!(
            "the code {taken} is taken: choose another"
        ))),
        None => Err(Error::Internal(anyhow::anyhow!(
            "could not draw a free referral code in 8 tries"
        ))),
    }
}

/// Create a vanity and/or channel link for an invited enrolment.
pub async fn create(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    enrolment_id: Uuid,
    channel: Option<Channel>,
    vanity: Option<String>,
    now: DateTime<Utc>,
) -> Result<referral_links::Model> {
    let vanity = vanity
        .map(|v| {
            VanityCode::parse(&v)
                .map(|c| c.as_str().to_owned())
                .map_err(|e| e.renamed("vanity"))
        })
        .transpose()?;
    if vanity.is_none() && channel.is_none() {
        return Err(Error::invalid(
            "channel",
            "give a channel, a vanity code, or both",
        ));
    }
    let txn = crate::db::begin_write(conn).await?;
    let enrolment =
        crate::ops::tenancy::find_in_tenant::<enrolments::Entity>(&txn, tenant_id, enrolment_id)
            .await?;
    let campaign = campaigns::Entity::find_by_id(enrolment.campaign_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
    if campaign.status == CampaignStatus::Ended {
        return Err(Error::Conflict("the campaign has ended".into()));
    }
    let invited = referral_links::Entity::find()
        .filter(referral_links::Column::EnrolmentId.eq(enrolment.id))
        .filter(referral_links::Column::Kind.eq(LinkKind::Primary))
        .one(&txn)
        .await?
        .is_some();
    if !invited {
        return Err(Error::Conflict(
            "this participant is not invited (outside the audience or held out) and gets no links"
                .into(),
        ));
    }
    let kind = if vanity.is_some() {
        LinkKind::Vanity
    } else {
        LinkKind::Channel
    };
    let link = issue(&txn, &enrolment, tenant_id, kind, channel, vanity, now).await?;
    audit::record(
        &txn,
        tenant_id,
        principal,
        "link.create",
        "referral_link",
        Some(link.id),
        json!({ "code": link.code, "kind": kind.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(link)
}

/// The links of an enrolment, primary first.
pub async fn of_enrolment(
    conn: &impl ConnectionTrait,
    enrolment_id: Uuid,
) -> Result<Vec<referral_links::Model>> {
    Ok(referral_links::Entity::find()
        .filter(referral_links::Column::EnrolmentId.eq(enrolment_id))
        .order_by_asc(referral_links::Column::Id)
        .all(conn)
        .await?)
}

/// The links of a participant, optionally in one campaign.
pub async fn of_participant(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    participant_id: Uuid,
    campaign_id: Option<Uuid>,
) -> Result<Vec<referral_links::Model>> {
    let mut q = referral_links::Entity::find()
        .filter(referral_links::Column::TenantId.eq(tenant_id))
        .filter(referral_links::Column::ParticipantId.eq(participant_id));
    if let Some(c) = campaign_id {
        q = q.filter(referral_links::Column::CampaignId.eq(c));
    }
    Ok(q.order_by_asc(referral_links::Column::Id).all(conn).await?)
}

/// Click counts of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkStats {
    /// Counted clicks.
    pub clicks: i64,
    /// Distinct visitors (by keyed hash of address and user agent): exact up to
    /// `hll::EXACT_LIMIT`, a sketch's estimate beyond.
    pub unique_visitors: i64,
}

/// Counts for one link, from the rollups (as fresh as their last pass).
pub async fn stats(conn: &impl ConnectionTrait, link_id: Uuid) -> Result<LinkStats> {
    let rows: Vec<(i64, Vec<u8>)> = rollups::Entity::find()
        .select_only()
        .column(rollups::Column::Clicks)
        .column(rollups::Column::Visitors)
        .filter(rollups::Column::LinkId.eq(link_id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut visitors = Sketch::new();
    let mut clicks = 0;
    for (n, sketch) in rows {
        clicks += n;
        visitors
            .merge_bytes(&sketch)
            .map_err(|e| Error::Internal(e.into()))?;
    }
    Ok(LinkStats {
        clicks,
        unique_visitors: i64::try_from(visitors.estimate()).unwrap_or(i64::MAX),
    })
}
