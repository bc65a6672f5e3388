//! A campaign's materials per channel: templates checked against the share variables.

use super::*;

/// Material for one channel as entered.
#[derive(Debug, Clone)]
pub struct MaterialDraft {
    /// Channel.
    pub channel: Channel,
    /// Share text.
    pub share_text: String,
    /// Email subject.
    pub email_subject: String,
    /// Email HTML body.
    pub email_html: String,
    /// Email text body.
    pub email_text: String,
}

fn check_template(
    field: &str,
    source: &str,
    allowed: &[&str],
    escape: Escape,
) -> Result<(), FieldError> {
    let template =
        Template::parse(source, allowed).map_err(|e| FieldError::new(field, e.to_string()))?;
    // Render with sample values too, so what is saved is known to render.
    let sample: std::collections::HashMap<&str, String> =
        allowed.iter().map(|v| (*v, format!("<{v}>"))).collect();
    template
        .render(&sample, escape)
        .map(|_| ())
        .map_err(|e| FieldError::new(field, e.to_string()))
}

/// Set (create or replace) the material of a channel; templates that do not render are refused.
pub async fn set_material(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    campaign_id: Uuid,
    draft: MaterialDraft,
    now: DateTime<Utc>,
) -> Result<campaign_materials::Model> {
    let mut errors = Vec::new();
    let mut results = Vec::new();
    let mut check = |r: Result<(), FieldError>| results.push(r);
    check(check_template(
        "shareText",
        &draft.share_text,
        SHARE_VARS,
        Escape::None,
    ));
    if draft.channel == Channel::Email {
        for (field, text) in [
            ("emailSubject", &draft.email_subject),
            ("emailHtml", &draft.email_html),
            ("emailText", &draft.email_text),
        ] {
            if text.trim().is_empty() {
                errors.push(FieldError::new(field, "is required for the email channel"));
            }
        }
        check(check_template(
            "emailSubject",
            &draft.email_subject,
            EMAIL_VARS,
            Escape::None,
        ));
        check(check_template(
            "emailHtml",
            &draft.email_html,
            EMAIL_VARS,
            Escape::Html,
        ));
        check(check_template(
            "emailText",
            &draft.email_text,
            EMAIL_VARS,
            Escape::None,
        ));
    }
    errors.extend(results.into_iter().filter_map(Result::err));
    if draft.channel != Channel::Email && draft.share_text.trim().is_empty() {
        errors.push(FieldError::new("shareText", "is required"));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let txn = crate::db::begin_write(conn).await?;
    let campaign = get(&txn, tenant_id, campaign_id).await?;
    editable(&campaign)?;
    let existing = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(campaign_id))
        .filter(campaign_materials::Column::Channel.eq(draft.channel))
        .one(&txn)
        .await?;
    let model = match existing {
        Some(row) => {
            let mut m = row.into_active_model();
            m.share_text = Set(draft.share_text);
            m.email_subject = Set(draft.email_subject);
            m.email_html = Set(draft.email_html);
            m.email_text = Set(draft.email_text);
            m.updated_at = Set(now);
            m.update(&txn).await?
        }
        None => {
            campaign_materials::ActiveModel {
                id: Set(Uuid::now_v7()),
                tenant_id: Set(tenant_id),
                campaign_id: Set(campaign_id),
                channel: Set(draft.channel),
                share_text: Set(draft.share_text),
                email_subject: Set(draft.email_subject),
                email_html: Set(draft.email_html),
                email_text: Set(draft.email_text),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    audit::record(
        &txn,
        tenant_id,
        principal,
        "material.set",
        "campaign",
        Some(campaign_id),
        json!({ "channel": model.channel.as_str() }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
