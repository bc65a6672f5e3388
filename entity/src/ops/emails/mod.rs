//! Email rows: an email is recorded (rendered, with its send job) in the caller's transaction,
//! with an id derived from its dedupe key, so recording it twice is a no-op; the suppression list
//! and unsubscribing. Sending, at most once, is the job runtime's (`grapevine-worker`'s
//! `email.send`).

pub mod links;
pub mod notices;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait, sea_query::OnConflict,
};
use uuid::Uuid;

pub use links::{UnsubscribeToken, referral_url};

use crate::{
    ops::{jobs::SendEmail, outbox::enqueue_once},
    tables::{EmailKind, EmailState, emails, suppressions},
};

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
    crate::domain::ids::derived_id(&format!("email:{dedupe_key}"))
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
    let txn = crate::db::begin_write(conn).await?;
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
