//! Friend invites: a participant's link sent by email to friends' addresses (by sales staff now,
//! by the participant through the widget later), through the same at-most-once email pipeline.
//! Each friend is invited at most once per enrolment, a participant sends at most
//! `tracking.invites_per_day` a day, and the suppression list is honoured at send time.

use std::collections::HashMap;

use crate::ops::emails::{self as send, NewEmail, UnsubscribeToken, email_id, referral_url};
use crate::{
    db::begin_write,
    domain::{
        FieldError,
        email::Email,
        share::{SHARE_VARS, ShareContext},
        template::{Escape, Template},
    },
    tables::{
        CampaignStatus, Channel, EmailKind, LinkKind, campaign_materials, campaigns, emails,
        enrolments, participants, referral_links, tenants,
    },
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionSession, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    ops::audit,
    ops::error::{Error, Result},
    ops::principal::Principal,
};

/// Most friends in one call.
pub const MAX_PER_CALL: usize = 20;

/// Where the links in an invite point and how they are signed.
pub struct LinkSettings<'a> {
    /// Public base URL.
    pub public_url: &'a str,
    /// Unsubscribe link key.
    pub link_key: &'a [u8],
    /// Invites one participant may send per 24 hours.
    pub per_day: u64,
}

/// What became of each address.
#[derive(Debug, Default)]
pub struct InviteOutcome {
    /// Invited now.
    pub sent: Vec<String>,
    /// Invited before by this participant: not sent again.
    pub already_invited: Vec<String>,
    /// Refused: `(index, error)`.
    pub refused: Vec<(usize, FieldError)>,
}

const DEFAULT_SHARE: &str = "{{first_name}} thinks you'll like {{company_name}}: {{referral_link}}";
const SUBJECT: &str = "{{first_name}} invited you to {{company_name}}";

/// Invites to send.
#[derive(Debug, Clone)]
pub struct InviteRequest {
    /// The sending participant's enrolment.
    pub enrolment_id: Uuid,
    /// Friends' addresses.
    pub friends: Vec<String>,
    /// A personal note (plain text).
    pub message: Option<String>,
}

/// Send invites from an invited participant's enrolment.
pub async fn send_invites(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    request: InviteRequest,
    links: LinkSettings<'_>,
    now: DateTime<Utc>,
) -> Result<InviteOutcome> {
    let InviteRequest {
        enrolment_id,
        friends,
        message,
    } = request;
    if friends.is_empty() || friends.len() > MAX_PER_CALL {
        return Err(Error::invalid(
            "emails",
            format!("give 1 to {MAX_PER_CALL} addresses"),
        ));
    }
    let message = message
        .map(|m| m.trim().to_owned())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 500) {
        return Err(Error::invalid("message", "must be at most 500 characters"));
    }
    let mut outcome = InviteOutcome::default();
    let mut valid = Vec::new();
    for (i, raw) in friends.iter().enumerate() {
        match Email::parse(raw) {
            Ok(e) if !valid.contains(&e) => valid.push(e),
            Ok(_) => {}
            Err(e) => outcome.refused.push((i, e.renamed(format!("emails[{i}]")))),
        }
    }
    let txn = begin_write(conn).await?;
    let enrolment =
        crate::ops::tenancy::find_in_tenant::<enrolments::Entity>(&txn, tenant_id, enrolment_id)
            .await?;
    let link = referral_links::Entity::find()
        .filter(referral_links::Column::EnrolmentId.eq(enrolment.id))
        .filter(referral_links::Column::Kind.eq(LinkKind::Primary))
        .one(&txn)
        .await?
        .ok_or_else(|| Error::Conflict("this participant is not invited (outside the audience or held out) and has no link to share".into()))?;
    let campaign = campaigns::Entity::find_by_id(enrolment.campaign_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("campaign"))?;
    if campaign.status != CampaignStatus::Active {
        return Err(Error::Conflict(
            "invites go out only while the campaign is active".into(),
        ));
    }
    let referrer = participants::Entity::find_by_id(enrolment.participant_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("participant"))?;
    if valid
        .iter()
        .any(|e| e.as_str() == referrer.email_normalized)
    {
        outcome.refused.extend(
            friends
                .iter()
                .enumerate()
                .filter(|(_, f)| f.trim().eq_ignore_ascii_case(&referrer.email_normalized))
                .map(|(i, _)| {
                    (
                        i,
                        FieldError::new(
                            format!("emails[{i}]"),
                            "participants cannot invite themselves",
                        ),
                    )
                }),
        );
        valid.retain(|e| e.as_str() != referrer.email_normalized);
    }
    let sent_today = emails::Entity::find()
        .filter(emails::Column::TenantId.eq(tenant_id))
        .filter(emails::Column::ParticipantId.eq(referrer.id))
        .filter(emails::Column::Kind.eq(EmailKind::Invite))
        .filter(emails::Column::CreatedAt.gt(now - Duration::hours(24)))
        .count(&txn)
        .await?;
    if sent_today + valid.len() as u64 > links.per_day {
        return Err(Error::RateLimited { retry_after: 3600 });
    }
    let tenant = tenants::Entity::find_by_id(tenant_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("tenant"))?;
    let share = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(campaign.id))
        .filter(campaign_materials::Column::Channel.eq(Channel::Email))
        .one(&txn)
        .await?
        .map(|m| m.share_text)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SHARE.to_owned());
    let internal = |e: crate::domain::template::TemplateError| {
        Error::Internal(anyhow::anyhow!("invite template: {e}"))
    };
    let share = Template::parse(&share, SHARE_VARS).map_err(internal)?;
    let subject = Template::parse(SUBJECT, SHARE_VARS).map_err(internal)?;
    let summary = crate::ops::share::reward_summary(&txn, &campaign).await?;
    let vars = share_vars(
        &referrer,
        &campaign,
        &tenant,
        &link,
        links.public_url,
        &summary,
    );
    for friend in valid {
        let dedupe_key = format!("invite:{}:{}", enrolment.id, friend.as_str());
        let id = email_id(&dedupe_key);
        if emails::Entity::find_by_id(id).one(&txn).await?.is_some() {
            outcome.already_invited.push(friend.as_str().to_owned());
            continue;
        }
        let unsubscribe = UnsubscribeToken { email_id: id }.url(links.public_url, links.link_key);
        let text_share = share.render(&vars, Escape::None).map_err(internal)?;
        let html_share = share.render(&vars, Escape::Html).map_err(internal)?;
        let personal_text = message
            .as_ref()
            .map(|m| format!("\n\n\u{201c}{m}\u{201d}"))
            .unwrap_or_default();
        let personal_html = message
            .as_ref()
            .map(|m| format!("<blockquote>{}</blockquote>", html_escape(m)))
            .unwrap_or_default();
        send::create(
            &txn,
            NewEmail {
                tenant_id,
                campaign_id: Some(campaign.id),
                participant_id: Some(referrer.id),
                kind: EmailKind::Invite,
                dedupe_key,
                to: friend.as_str().to_owned(),
                subject: subject.render(&vars, Escape::None).map_err(internal)?,
                html: format!("<p>{html_share}</p>{personal_html}<p style=\"font-size:small\"><a href=\"{unsubscribe}\">Don't want invites like this?</a></p>"),
                text: format!("{text_share}{personal_text}\n\nDon't want invites like this? {unsubscribe}\n"),
            },
            now,
        )
        .await?;
        outcome.sent.push(friend.as_str().to_owned());
    }
    audit::record(
        &txn,
        tenant_id,
        principal,
        "invites.send",
        "enrolment",
        Some(enrolment.id),
        json!({ "sent": outcome.sent.len() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The values share text is rendered with, for a participant's link (`summary`: the campaign's
/// reward summary, `ops::share::reward_summary`).
pub fn share_vars(
    referrer: &participants::Model,
    campaign: &campaigns::Model,
    tenant: &tenants::Model,
    link: &referral_links::Model,
    public_url: &str,
    summary: &str,
) -> HashMap<&'static str, String> {
    ShareContext {
        first_name: referrer.first_name.as_deref(),
        anonymous: "A friend",
        campaign_name: &campaign.name,
        company_name: &tenant.name,
        referral_link: referral_url(public_url, &link.code),
        referral_code: &link.code,
        reward_summary: summary,
    }
    .vars()
}

/// A campaign's share text for one participant's link (falls back to a plain sentence).
pub fn render_share(source: &str, vars: &HashMap<&'static str, String>) -> String {
    let source = if source.trim().is_empty() {
        DEFAULT_SHARE
    } else {
        source
    };
    Template::parse(source, SHARE_VARS)
        .and_then(|t| t.render(vars, Escape::None))
        .unwrap_or_else(|_| vars.get("referral_link").cloned().unwrap_or_default())
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
