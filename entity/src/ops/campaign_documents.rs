//! Campaigns as portable JSON documents (`"format": "grapevine.campaign/v1"`): everything needed
//! to recreate a campaign's design in another tenant or environment (settings, dates, budget,
//! goals, audience, fraud policy, variants, reward rules, materials), without ids, tenant
//! references, participants, links or money history. Importing runs every part through the same
//! service functions as the GraphQL mutations, in one transaction, and creates a draft.

use crate::{
    domain::{
        FieldError, audience::AudienceRule, fraud::Policy, goals::Goals, reward::RewardSpec,
        reward::spec_of,
    },
    tables::{
        AttributionModel, Channel, RewardSide, RewardType, campaign_materials, campaigns,
        reward_rules,
    },
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    ops::error::{Error, Result},
    ops::principal::Principal,
    ops::{
        campaigns::{self as campaign_service, CampaignDraft, MaterialDraft, RewardRuleDraft},
        fraud,
    },
};

/// The format (and version) this build writes and reads.
pub const FORMAT: &str = "grapevine.campaign/v1";

/// The campaign's own settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignPart {
    /// Name.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End, if any.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone.
    pub time_zone: String,
    /// ISO currency.
    pub currency: String,
    /// Budget cap in minor units, if any.
    #[serde(default)]
    pub budget_minor: Option<i64>,
    /// Attribution window.
    pub attribution_window_days: i32,
    /// First or last touch.
    pub attribution_model: AttributionModel,
    /// Hold period.
    pub hold_days: i32,
    /// Landing URL.
    #[serde(default)]
    pub landing_url: Option<String>,
    /// Holdout share in basis points.
    #[serde(default)]
    pub holdout_bps: i32,
    /// Goals and KPI targets.
    #[serde(default)]
    pub goals: Goals,
    /// Audience rule.
    #[serde(default)]
    pub audience: AudienceRule,
    /// Fraud policy, when the campaign has its own.
    #[serde(default)]
    pub fraud_policy: Option<Policy>,
}

/// An offer variant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariantPart {
    /// Name (reward rules refer to it).
    pub name: String,
    /// Relative weight.
    pub weight: i32,
}

/// A reward rule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardRulePart {
    /// Who receives it.
    pub side: RewardSide,
    /// How it is delivered.
    pub reward_type: RewardType,
    /// Only for the variant of this name.
    #[serde(default)]
    pub variant: Option<String>,
    /// Kind, trigger, minimum order, cap.
    pub rule: RewardSpec,
}

/// The material of one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialPart {
    /// Channel.
    pub channel: Channel,
    /// Share text template.
    #[serde(default)]
    pub share_text: String,
    /// Email subject template.
    #[serde(default)]
    pub email_subject: String,
    /// Email HTML template.
    #[serde(default)]
    pub email_html: String,
    /// Email text template.
    #[serde(default)]
    pub email_text: String,
}

/// The whole document.
#[derive(Debug, Clone, Serialize)]
pub struct CampaignDocument {
    /// Always [`FORMAT`].
    pub format: String,
    /// Settings.
    pub campaign: CampaignPart,
    /// Variants, oldest first.
    pub variants: Vec<VariantPart>,
    /// Reward rules, oldest first.
    pub reward_rules: Vec<RewardRulePart>,
    /// Materials by channel.
    pub materials: Vec<MaterialPart>,
}

/// Export a campaign of this tenant.
pub async fn export(conn: &impl ConnectionTrait, tenant_id: Uuid, id: Uuid) -> Result<Value> {
    let c = campaign_service::get(conn, tenant_id, id).await?;
    let variants = campaign_service::variants(conn, id).await?;
    let rules = reward_rules::Entity::find()
        .filter(reward_rules::Column::CampaignId.eq(id))
        .order_by_asc(reward_rules::Column::Id)
        .all(conn)
        .await?;
    let materials = campaign_materials::Entity::find()
        .filter(campaign_materials::Column::CampaignId.eq(id))
        .order_by_asc(campaign_materials::Column::Channel)
        .all(conn)
        .await?;
    let variant_name = |vid: Option<Uuid>| {
        vid.and_then(|v| variants.iter().find(|x| x.id == v).map(|x| x.name.clone()))
    };
    let mut reward_parts = Vec::new();
    for r in &rules {
        let rule = spec_of(r).map_err(|e| anyhow::anyhow!("reward rule {}: {e}", r.id))?;
        reward_parts.push(RewardRulePart {
            side: r.side,
            reward_type: r.reward_type,
            variant: variant_name(r.variant_id),
            rule,
        });
    }
    let document = CampaignDocument {
        format: FORMAT.to_owned(),
        campaign: campaign_part(&c),
        variants: variants
            .iter()
            .map(|v| VariantPart {
                name: v.name.clone(),
                weight: v.weight,
            })
            .collect(),
        reward_rules: reward_parts,
        materials: materials
            .into_iter()
            .map(|m| MaterialPart {
                channel: m.channel,
                share_text: m.share_text,
                email_subject: m.email_subject,
                email_html: m.email_html,
                email_text: m.email_text,
            })
            .collect(),
    };
    Ok(serde_json::to_value(document).map_err(anyhow::Error::from)?)
}

fn campaign_part(c: &campaigns::Model) -> CampaignPart {
    CampaignPart {
        name: c.name.clone(),
        description: c.description.clone(),
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        time_zone: c.time_zone.clone(),
        currency: c.currency.clone(),
        budget_minor: c.budget_minor,
        attribution_window_days: c.attribution_window_days,
        attribution_model: c.attribution_model,
        hold_days: c.hold_days,
        landing_url: c.landing_url.clone(),
        holdout_bps: c.holdout_bps,
        goals: serde_json::from_value(c.goals.clone()).unwrap_or_default(),
        audience: serde_json::from_value(c.audience.clone()).unwrap_or_default(),
        fraud_policy: c
            .fraud_policy
            .clone()
            .and_then(|p| serde_json::from_value(p).ok()),
    }
}

/// A document read into its parts, or every problem found, each with its path.
struct Parsed {
    campaign: CampaignPart,
    variants: Vec<VariantPart>,
    reward_rules: Vec<RewardRulePart>,
    materials: Vec<MaterialPart>,
}

fn part<T: DeserializeOwned>(value: Value, path: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    serde_json::from_value(value)
        .map_err(|e| errors.push(FieldError::new(path, e.to_string())))
        .ok()
}

fn list<T: DeserializeOwned>(
    doc: &mut serde_json::Map<String, Value>,
    key: &str,
    errors: &mut Vec<FieldError>,
) -> Vec<T> {
    match doc.remove(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .filter_map(|(i, item)| part(item, &format!("{key}[{i}]"), errors))
            .collect(),
        Some(_) => {
            errors.push(FieldError::new(key, "must be a list"));
            Vec::new()
        }
    }
}

fn parse(document: Value) -> Result<Parsed> {
    let Value::Object(mut doc) = document else {
        return Err(Error::invalid("document", "must be a JSON object"));
    };
    match doc.remove("format") {
        Some(Value::String(f)) if f == FORMAT => {}
        Some(other) => {
            return Err(Error::invalid(
                "format",
                format!("unknown format {other}: this server reads {FORMAT}"),
            ));
        }
        None => {
            return Err(Error::invalid("format", format!("is required ({FORMAT})")));
        }
    }
    let mut errors = Vec::new();
    let campaign = match doc.remove("campaign") {
        Some(v) => part(v, "campaign", &mut errors),
        None => {
            errors.push(FieldError::new("campaign", "is required"));
            None
        }
    };
    let variants = list(&mut doc, "variants", &mut errors);
    let reward_rules = list(&mut doc, "reward_rules", &mut errors);
    let materials = list(&mut doc, "materials", &mut errors);
    for unknown in doc.keys() {
        errors.push(FieldError::new(
            unknown.as_str(),
            "is not part of the format",
        ));
    }
    match campaign {
        Some(campaign) if errors.is_empty() => Ok(Parsed {
            campaign,
            variants,
            reward_rules,
            materials,
        }),
        _ => Err(Error::Validation(errors)),
    }
}

/// Prefix the fields of a validation error with where they sit in the document.
fn at(path: &str) -> impl Fn(Error) -> Error + '_ {
    move |err| match err {
        Error::Validation(fields) => {
            Error::Validation(fields.into_iter().map(|f| f.within(path)).collect())
        }
        other => other,
    }
}

/// Create a draft campaign in the caller's tenant from a document (optionally renamed); all of
/// it or nothing.
pub async fn import(
    conn: &impl TransactionTrait,
    principal: &Principal,
    tenant_id: Uuid,
    document: Value,
    name: Option<String>,
    now: DateTime<Utc>,
) -> Result<campaigns::Model> {
    let parsed = parse(document)?;
    let c = parsed.campaign;
    let draft = CampaignDraft {
        name: Some(name.unwrap_or(c.name)),
        description: Some(c.description),
        goals: Some(c.goals),
        audience: Some(c.audience),
        starts_at: Some(c.starts_at),
        ends_at: Some(c.ends_at),
        time_zone: Some(c.time_zone),
        currency: Some(c.currency),
        budget_minor: Some(c.budget_minor),
        attribution_window_days: Some(c.attribution_window_days),
        attribution_model: Some(c.attribution_model),
        hold_days: Some(c.hold_days),
        landing_url: Some(c.landing_url),
        holdout_bps: Some(c.holdout_bps),
    };
    let txn = crate::db::begin_write(conn).await?;
    let campaign = campaign_service::create(&txn, principal, tenant_id, draft, now)
        .await
        .map_err(at("campaign"))?;
    let id = campaign.id;
    if let Some(policy) = c.fraud_policy {
        fraud::set_policy(&txn, principal, tenant_id, id, policy, now)
            .await
            .map_err(at("campaign.fraud_policy"))?;
    }
    if !parsed.variants.is_empty() {
        let list = parsed
            .variants
            .into_iter()
            .map(|v| (v.name, v.weight))
            .collect();
        campaign_service::set_variants(&txn, principal, tenant_id, id, list, now).await?;
    }
    for (i, r) in parsed.reward_rules.into_iter().enumerate() {
        let draft = RewardRuleDraft {
            side: r.side,
            spec: r.rule,
            reward_type: r.reward_type,
            variant: r.variant,
        };
        campaign_service::add_reward_rule(&txn, principal, tenant_id, id, draft, now)
            .await
            .map_err(at(&format!("reward_rules[{i}]")))?;
    }
    for (i, m) in parsed.materials.into_iter().enumerate() {
        let draft = MaterialDraft {
            channel: m.channel,
            share_text: m.share_text,
            email_subject: m.email_subject,
            email_html: m.email_html,
            email_text: m.email_text,
        };
        campaign_service::set_material(&txn, principal, tenant_id, id, draft, now)
            .await
            .map_err(at(&format!("materials[{i}]")))?;
    }
    let campaign = campaign_service::get(&txn, tenant_id, id).await?;
    txn.commit().await?;
    Ok(campaign)
}
