//! Email rows and the at-most-once send.
//!
//! Each email is a row created with an id derived from its dedupe key, so creating it twice is a
//! no-op. Sending moves it `queued → sending` with a compare-and-set *before* the SMTP dialogue
//! and `sending → sent` after it: a worker killed in between leaves `sending`, which the next
//! delivery turns into `unknown` — reported, never resent blindly.

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{EmailKind, EmailState, emails, suppressions};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{
    context::JobContext,
    email::{OutgoingEmail, SendFailure, UnsubscribeToken},
    outbox::{Job, JobError, enqueue_once},
};

use grapevine_entity::ops::jobs::SendEmail;

/// A rendered email to record and send.
#[derive(Debug, Clone)]
pub struct NewEmail {
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign it belongs to, if any.
    pub campaign_id: Option<Uuid>,
    /// Participant it goes to, if any.
    pub participant_id: Option<Uuid>,
    /// What kind of email.
    pub kind: EmailKind,
    /// Unique per logical email (`launch:<campaign>:<participant>`): the at-most-once key.
    pub dedupe_key: String,
    /// Recipient.
    pub to: String,
    /// Rendered subject.
    pub subject: String,
    /// Rendered HTML.
    pub html: String,
    /// Rendered text.
    pub text: String,
}

/// The id an email with this dedupe key has (or will have).
pub fn email_id(dedupe_key: &str) -> Uuid {
    grapevine_entity::domain::ids::derived_id(&format!("email:{dedupe_key}"))
}

/// Record an email and its send job in the caller's transaction; nothing happens if an email with
/// the same dedupe key exists already. Returns the email id.
pub async fn create(
    conn: &impl ConnectionTrait,
    email: NewEmail,
    now: DateTime<Utc>,
) -> Result<Uuid, DbErr> {
    let id = email_id(&email.dedupe_key);
    let row = emails::ActiveModel {
        id: Set(id),
        tenant_id: Set(email.tenant_id),
        campaign_id: Set(email.campaign_id),
        participant_id: Set(email.participant_id),
        kind: Set(email.kind),
        dedupe_key: Set(email.dedupe_key),
        to_address: Set(email.to),
        subject: Set(email.subject),
        html: Set(email.html),
        text: Set(email.text),
        state: Set(EmailState::Queued),
        attempts: Set(0),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        sent_at: Set(None),
    };
    emails::Entity::insert(row)
        .on_conflict(
            OnConflict::column(emails::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .try_insert()
        .exec(conn)
        .await?;
    enqueue_once(
        conn,
        Some(email.tenant_id),
        &id.to_string(),
        &SendEmail { email_id: id },
        now,
    )
    .await?;
    Ok(id)
}

/// Marketing email (launch, invites, digests) carries an unsubscribe link; transactional email
/// about a participant's own rewards does not need one but still honours suppression.
pub fn is_marketing(kind: EmailKind) -> bool {
    matches!(
        kind,
        EmailKind::Launch | EmailKind::Invite | EmailKind::Digest
    )
}

impl Job for SendEmail {
    #[tracing::instrument(name = "job.email.send", skip_all, fields(email_id = %self.email_id))]
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        let db = &ctx.db;
        let Some(email) = emails::Entity::find_by_id(self.email_id).one(db).await? else {
            return Err(JobError::Permanent(anyhow::anyhow!(
                "email {} does not exist",
                self.email_id
            )));
        };
        let now = ctx.clock.now();
        match email.state {
            EmailState::Queued => {}
            // A previous delivery claimed it and never recorded the outcome: it may have gone out.
            EmailState::Sending => {
                set_state(
                    db,
                    email.id,
                    EmailState::Sending,
                    EmailState::Unknown,
                    Some("worker stopped during the SMTP dialogue; not resent"),
                    now,
                )
                .await?;
                tracing::warn!(email_id = %email.id, "email left in sending state: marked unknown, not resent");
                return Ok(());
            }
            EmailState::Sent
            | EmailState::Unknown
            | EmailState::Failed
            | EmailState::Suppressed => return Ok(()),
        }
        if is_suppressed(db, email.tenant_id, &email.to_address).await? {
            set_state(
                db,
                email.id,
                EmailState::Queued,
                EmailState::Suppressed,
                None,
                now,
            )
            .await?;
            return Ok(());
        }
        ctx.mailer
            .reachable()
            .await
            .map_err(|e| JobError::Transient(e.into()))?;
        // The point of no return: from here a crash leaves `sending`, never a second send.
        let claimed = emails::Entity::update_many()
            .col_expr(emails::Column::State, Expr::value(EmailState::Sending))
            .col_expr(
                emails::Column::Attempts,
                Expr::col(emails::Column::Attempts).add(1),
            )
            .col_expr(emails::Column::UpdatedAt, Expr::value(now))
            .filter(emails::Column::Id.eq(email.id))
            .filter(emails::Column::State.eq(EmailState::Queued))
            .exec(db)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(());
        }
        let unsubscribe_url = is_marketing(email.kind).then(|| {
            UnsubscribeToken { email_id: email.id }
                .url(&ctx.config.public_url, &ctx.config.link_key)
        });
        let outgoing = OutgoingEmail {
            to: email.to_address.clone(),
            subject: email.subject.clone(),
            html: email.html.clone(),
            text: email.text.clone(),
            unsubscribe_url,
            message_id: format!("<{}@grapevine>", email.id),
        };
        let result = ctx.mailer.send(&outgoing).await;
        let later = ctx.clock.now();
        match result {
            Ok(()) => {
                emails::Entity::update_many()
                    .col_expr(emails::Column::State, Expr::value(EmailState::Sent))
                    .col_expr(emails::Column::SentAt, Expr::value(Some(later)))
                    .col_expr(emails::Column::UpdatedAt, Expr::value(later))
                    .filter(emails::Column::Id.eq(email.id))
                    .filter(emails::Column::State.eq(EmailState::Sending))
                    .exec(db)
                    .await?;
                Ok(())
            }
            Err(failure @ (SendFailure::Unreachable(_) | SendFailure::Deferred(_))) => {
                // Nothing was accepted by the server: back in line for a retry.
                let msg = failure.to_string();
                set_state(
                    db,
                    email.id,
                    EmailState::Sending,
                    EmailState::Queued,
                    Some(&msg),
                    later,
                )
                .await?;
                Err(JobError::Transient(failure.into()))
            }
            Err(failure @ (SendFailure::Rejected(_) | SendFailure::Invalid(_))) => {
                let msg = failure.to_string();
                set_state(
                    db,
                    email.id,
                    EmailState::Sending,
                    EmailState::Failed,
                    Some(&msg),
                    later,
                )
                .await?;
                Err(JobError::Permanent(failure.into()))
            }
            Err(failure @ SendFailure::Unknown(_)) => {
                let msg = failure.to_string();
                set_state(
                    db,
                    email.id,
                    EmailState::Sending,
                    EmailState::Unknown,
                    Some(&msg),
                    later,
                )
                .await?;
                Err(JobError::Permanent(failure.into()))
            }
        }
    }
}

async fn set_state(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: EmailState,
    to: EmailState,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    emails::Entity::update_many()
        .col_expr(emails::Column::State, Expr::value(to))
        .col_expr(
            emails::Column::LastError,
            Expr::value(error.map(str::to_owned)),
        )
        .col_expr(emails::Column::UpdatedAt, Expr::value(now))
        .filter(emails::Column::Id.eq(id))
        .filter(emails::Column::State.eq(from))
        .exec(conn)
        .await?;
    Ok(())
}

/// Is this address on the tenant's suppression list?
pub async fn is_suppressed(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    address: &str,
) -> Result<bool, DbErr> {
    let normalized = address.trim().to_lowercase();
    Ok(suppressions::Entity::find()
        .filter(suppressions::Column::TenantId.eq(tenant_id))
        .filter(suppressions::Column::EmailNormalized.eq(normalized))
        .one(conn)
        .await?
        .is_some())
}

/// Add an address to a tenant's suppression list (idempotent).
pub async fn suppress(
    conn: &impl ConnectionTrait,
    tenant_id: Uuid,
    address: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = suppressions::ActiveModel {
        id: Set(Uuid::now_v7()),
        tenant_id: Set(tenant_id),
        email_normalized: Set(address.trim().to_lowercase()),
        reason: Set(reason.to_owned()),
        created_at: Set(now),
    };
    suppressions::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                suppressions::Column::TenantId,
                suppressions::Column::EmailNormalized,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec(conn)
        .await?;
    Ok(())
}

/// Unsubscribe through a verified token: suppress the address the email went to.
pub async fn unsubscribe(
    conn: &impl TransactionTrait,
    email_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    let txn = grapevine_entity::db::begin_write(conn).await?;
    let Some(email) = emails::Entity::find_by_id(email_id).one(&txn).await? else {
        return Ok(None);
    };
    suppress(
        &txn,
        email.tenant_id,
        &email.to_address,
        "unsubscribed",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Some(email.to_address))
}
