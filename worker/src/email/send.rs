//! The at-most-once send of a recorded email (`grapevine_entity::ops::emails` records them).
//!
//! Sending moves it `queued → sending` with a compare-and-set *before* the SMTP dialogue
//! and `sending → sent` after it: a worker killed in between leaves `sending`, which the next
//! delivery turns into `unknown` — reported, never resent blindly.

use chrono::{DateTime, Utc};
use grapevine_entity::{
    db::begin_write,
    ops::{
        emails::{is_marketing, is_suppressed},
        jobs::SendEmail,
    },
    tables::{EmailState, emails},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    context::JobContext,
    email::{OutgoingEmail, SendFailure, UnsubscribeToken},
    outbox::{Job, JobError},
};

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
                // Sent, and the job done, in one commit.
                let txn = begin_write(db).await?;
                emails::Entity::update_many()
                    .col_expr(emails::Column::State, Expr::value(EmailState::Sent))
                    .col_expr(emails::Column::SentAt, Expr::value(Some(later)))
                    .col_expr(emails::Column::UpdatedAt, Expr::value(later))
                    .filter(emails::Column::Id.eq(email.id))
                    .filter(emails::Column::State.eq(EmailState::Sending))
                    .exec(&txn)
                    .await?;
                ctx.finish_in(&txn).await?;
                txn.commit().await?;
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
