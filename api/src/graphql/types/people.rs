//! Staff users, participants and enrolments.

use async_graphql::{ComplexObject, Context, InputObject, Result, SimpleObject};
use chrono::{DateTime, Utc};
use grapevine_entity::tables;
use uuid::Uuid;

use super::enums::Role;
use crate::graphql::ContextExt;

/// A staff user.
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Login email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// False once deactivated (they can no longer log in).
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<tables::users::Model> for User {
    fn from(m: tables::users::Model) -> Self {
        Self {
            id: m.id,
            email: m.email,
            name: m.name,
            role: m.role.into(),
            active: m.active,
            created_at: m.created_at,
            last_login_at: m.last_login_at,
        }
    }
}

/// A tenant's customer taking part in campaigns.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Participant {
    /// Id.
    pub id: Uuid,
    /// The tenant's own customer id.
    pub external_id: String,
    /// Email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Orders placed.
    pub order_count: i32,
    /// ISO alpha-2 country.
    pub country: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Their Stripe connected account, once created.
    pub payout_account_id: Option<String>,
    /// Payout account onboarding.
    pub payout_onboarding: super::enums::PayoutOnboarding,
    /// Whether their tax details are on file.
    pub tax_status: super::enums::TaxStatus,
}

impl From<tables::participants::Model> for Participant {
    fn from(m: tables::participants::Model) -> Self {
        Self {
            id: m.id,
            external_id: m.external_id,
            email: m.email,
            first_name: m.first_name,
            tags: serde_json::from_value(m.tags).unwrap_or_default(),
            order_count: m.order_count,
            country: m.country,
            created_at: m.created_at,
            payout_account_id: m.payout_account_id,
            payout_onboarding: m.payout_status.into(),
            tax_status: m.tax_status.into(),
        }
    }
}

#[ComplexObject]
impl Participant {
    /// The participant's referral links, in one campaign or all.
    async fn links(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<Uuid>,
    ) -> Result<Vec<super::links::ReferralLink>> {
        let tenant = ctx.principal().tenant_id()?;
        Ok(grapevine_entity::ops::links::of_participant(
            &ctx.state().db,
            tenant,
            self.id,
            campaign_id,
        )
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
    }
}

/// A participant's enrolment in a campaign.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Enrolment {
    /// Id.
    pub id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Participant id.
    pub participant_id: Uuid,
    /// Whether the participant matched the audience at enrolment.
    pub eligible: bool,
    /// `ineligible`, `holdout` (eligible but not invited: the experiment's baseline), `control`, or a variant name.
    pub bucket: String,
    /// Enrolled.
    pub created_at: DateTime<Utc>,
}

impl From<tables::enrolments::Model> for Enrolment {
    fn from(m: tables::enrolments::Model) -> Self {
        Self {
            id: m.id,
            campaign_id: m.campaign_id,
            participant_id: m.participant_id,
            eligible: m.eligible,
            bucket: m.bucket,
            created_at: m.created_at,
        }
    }
}

#[ComplexObject]
impl Enrolment {
    /// The participant's unique referral code (invited participants only).
    async fn referral_code(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(grapevine_entity::ops::participants::primary_code(&ctx.state().db, self.id).await?)
    }

    /// The participant's links in this campaign (primary first).
    async fn links(&self, ctx: &Context<'_>) -> Result<Vec<super::links::ReferralLink>> {
        Ok(
            grapevine_entity::ops::links::of_enrolment(&ctx.state().db, self.id)
                .await?
                .into_iter()
                .map(Into::into)
                .collect(),
        )
    }

    /// The participant.
    async fn participant(&self, ctx: &Context<'_>) -> Result<Participant> {
        let tenant = ctx.principal().tenant_id()?;
        Ok(
            grapevine_entity::ops::participants::get(&ctx.state().db, tenant, self.participant_id)
                .await?
                .into(),
        )
    }
}

/// A participant to enrol.
#[derive(InputObject, Clone)]
pub struct ParticipantInput {
    /// Your customer id (participants are matched on it).
    pub external_id: String,
    /// Email.
    pub email: String,
    /// First name.
    pub first_name: Option<String>,
    /// Tags.
    #[graphql(default)]
    pub tags: Vec<String>,
    /// Orders placed so far.
    #[graphql(default)]
    pub order_count: i32,
    /// ISO alpha-2 country.
    pub country: Option<String>,
}

impl From<ParticipantInput> for grapevine_entity::ops::participants::ParticipantDraft {
    fn from(i: ParticipantInput) -> Self {
        Self {
            external_id: i.external_id,
            email: i.email,
            first_name: i.first_name,
            tags: i.tags,
            order_count: i.order_count,
            country: i.country,
        }
    }
}

/// One refused row of a bulk enrolment.
#[derive(SimpleObject, Clone)]
pub struct RowError {
    /// Index of the row in the input list.
    pub index: i32,
    /// Field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Result of a bulk enrolment: good rows are enrolled, bad rows reported.
#[derive(SimpleObject, Clone)]
pub struct BulkEnrolmentResult {
    /// Enrolments made (or found, for rows enrolled before).
    pub enrolments: Vec<Enrolment>,
    /// Refused rows.
    pub errors: Vec<RowError>,
}

/// What became of each invited address.
#[derive(SimpleObject, Clone)]
pub struct InviteResult {
    /// Invited now.
    pub sent: Vec<String>,
    /// Invited before from this enrolment: not sent again.
    pub already_invited: Vec<String>,
    /// Refused addresses, by index.
    pub refused: Vec<RowError>,
}

/// New staff user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Login email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Initial password (at least 10 characters).
    pub password: String,
}
