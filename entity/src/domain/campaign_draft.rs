//! A campaign's settings as entered (a draft: every field optional, so one type serves creating
//! and editing) and the rules that turn it into valid settings, reporting every problem at once
//! with the field it concerns.

use chrono::{DateTime, Utc};

use crate::domain::{
    FieldError,
    audience::AudienceRule,
    campaign as lifecycle,
    goals::Goals,
    money::{Currency, parse_amount_minor},
};
use crate::tables::{AttributionModel, campaigns};

/// A campaign's settings, as validated input.
#[derive(Debug, Clone)]
pub struct CampaignFields {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Goal frame.
    pub goals: Goals,
    /// Audience rule.
    pub audience: AudienceRule,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// IANA time zone.
    pub time_zone: String,
    /// Currency.
    pub currency: Currency,
    /// Budget cap in minor units.
    pub budget_minor: Option<i64>,
    /// Attribution window.
    pub attribution_window_days: i32,
    /// First or last touch.
    pub attribution_model: AttributionModel,
    /// Hold period.
    pub hold_days: i32,
    /// Landing URL.
    pub landing_url: Option<String>,
    /// Holdout share.
    pub holdout_bps: i32,
}

/// Raw campaign input, validated into `CampaignFields` with every problem reported at once.
#[derive(Debug, Clone, Default)]
pub struct CampaignDraft {
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Goals.
    pub goals: Option<Goals>,
    /// Audience.
    pub audience: Option<AudienceRule>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End (`Some(None)` clears it).
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Time zone.
    pub time_zone: Option<String>,
    /// Currency.
    pub currency: Option<String>,
    /// Budget (`Some(None)` clears it).
    pub budget_minor: Option<Option<i64>>,
    /// Attribution window.
    pub attribution_window_days: Option<i32>,
    /// Attribution model.
    pub attribution_model: Option<AttributionModel>,
    /// Hold period.
    pub hold_days: Option<i32>,
    /// Landing URL (`Some(None)` clears it).
    pub landing_url: Option<Option<String>>,
    /// Holdout share.
    pub holdout_bps: Option<i32>,
}

impl CampaignDraft {
    /// The settings this draft gives the campaign `base` (`None`: a new campaign, whose unset
    /// fields take their defaults), or every problem found at once.
    pub fn validate(
        self,
        base: Option<&campaigns::Model>,
        now: DateTime<Utc>,
    ) -> Result<CampaignFields, Vec<FieldError>> {
        let draft = self;
        let mut errors: Vec<FieldError> = Vec::new();
        let mut push = |e: FieldError| errors.push(e);
        let name = draft
            .name
            .or_else(|| base.map(|b| b.name.clone()))
            .unwrap_or_default()
            .trim()
            .to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            push(FieldError::new("name", "must be 1 to 200 characters"));
        }
        let description = draft
            .description
            .or_else(|| base.map(|b| b.description.clone()))
            .unwrap_or_default();
        if description.len() > 10_000 {
            push(FieldError::new(
                "description",
                "must be at most 10 000 characters",
            ));
        }
        let goals = match draft.goals {
            Some(g) => g
                .validate()
                .map_err(|e| e.within("goals"))
                .unwrap_or_else(|e| {
                    push(e);
                    Goals::default()
                }),
            None => base
                .and_then(|b| serde_json::from_value(b.goals.clone()).ok())
                .unwrap_or_default(),
        };
        let audience = match draft.audience {
            Some(a) => a
                .validate()
                .map_err(|e| e.within("audience"))
                .unwrap_or_else(|e| {
                    push(e);
                    AudienceRule::default()
                }),
            None => base
                .and_then(|b| serde_json::from_value(b.audience.clone()).ok())
                .unwrap_or_default(),
        };
        let starts_at = draft
            .starts_at
            .or_else(|| base.map(|b| b.starts_at))
            .unwrap_or(now);
        let ends_at = draft
            .ends_at
            .unwrap_or_else(|| base.and_then(|b| b.ends_at));
        if let Err(e) = lifecycle::validate_schedule(starts_at, ends_at, now) {
            push(e);
        }
        let time_zone = draft
            .time_zone
            .or_else(|| base.map(|b| b.time_zone.clone()))
            .unwrap_or_else(|| "UTC".into());
        if let Err(e) = lifecycle::validate_time_zone(&time_zone) {
            push(e.renamed("timeZone"));
        }
        let currency_text = draft
            .currency
            .or_else(|| base.map(|b| b.currency.clone()))
            .unwrap_or_default();
        let currency = Currency::parse(&currency_text).map_err(|e| e.renamed("currency"));
        let budget_minor = draft
            .budget_minor
            .unwrap_or_else(|| base.and_then(|b| b.budget_minor));
        if let Some(b) = budget_minor {
            if let Err(e) = parse_amount_minor("budgetMinor", b) {
                push(e);
            } else if b == 0 {
                push(FieldError::new(
                    "budgetMinor",
                    "must be positive, or left out for no cap",
                ));
            }
        }
        let attribution_window_days = draft
            .attribution_window_days
            .or_else(|| base.map(|b| b.attribution_window_days))
            .unwrap_or(30);
        if !(1..=365).contains(&attribution_window_days) {
            push(FieldError::new("attributionWindowDays", "must be 1 to 365"));
        }
        let hold_days = draft
            .hold_days
            .or_else(|| base.map(|b| b.hold_days))
            .unwrap_or(14);
        if !(0..=365).contains(&hold_days) {
            push(FieldError::new("holdDays", "must be 0 to 365"));
        }
        let landing_url = draft
            .landing_url
            .unwrap_or_else(|| base.and_then(|b| b.landing_url.clone()));
        if let Some(url) = &landing_url {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => push(FieldError::new(
                    "landingUrl",
                    "must be an absolute http(s) URL",
                )),
            }
        }
        let holdout_bps = draft
            .holdout_bps
            .or_else(|| base.map(|b| b.holdout_bps))
            .unwrap_or(0);
        if !(0..=5_000).contains(&holdout_bps) {
            push(FieldError::new(
                "holdoutBps",
                "must be 0 to 5000 (at most half held out)",
            ));
        }
        let currency = match currency {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push(e);
                None
            }
        };
        match (errors.is_empty(), currency) {
            (true, Some(currency)) => Ok(CampaignFields {
                name,
                description,
                goals,
                audience,
                starts_at,
                ends_at,
                time_zone,
                currency,
                budget_minor,
                attribution_window_days,
                attribution_model: draft
                    .attribution_model
                    .or_else(|| base.map(|b| b.attribution_model))
                    .unwrap_or(AttributionModel::FirstTouch),
                hold_days,
                landing_url,
                holdout_bps,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_new_campaign_takes_the_defaults_for_what_it_leaves_out() {
        let fields = CampaignDraft {
            name: Some("  Spring  ".into()),
            currency: Some("EUR".into()),
            ..CampaignDraft::default()
        }
        .validate(None, now())
        .unwrap();
        assert_eq!(fields.name, "Spring");
        assert_eq!(fields.starts_at, now());
        assert_eq!(fields.time_zone, "UTC");
        assert_eq!(fields.attribution_window_days, 30);
        assert_eq!(fields.hold_days, 14);
        assert_eq!(fields.holdout_bps, 0);
        assert_eq!(fields.attribution_model, AttributionModel::FirstTouch);
        assert_eq!(fields.budget_minor, None);
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_field() {
        let errors = CampaignDraft {
            name: Some(" ".into()),
            currency: Some("EURO".into()),
            budget_minor: Some(Some(0)),
            attribution_window_days: Some(0),
            hold_days: Some(366),
            landing_url: Some(Some("ftp://shop.example/".into())),
            holdout_bps: Some(5_001),
            time_zone: Some("Mars/Olympus".into()),
            ..CampaignDraft::default()
        }
        .validate(None, now())
        .unwrap_err();
        let mut fields = fields_of(&errors);
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "attributionWindowDays",
                "budgetMinor",
                "currency",
                "holdDays",
                "holdoutBps",
                "landingUrl",
                "name",
                "timeZone",
            ]
        );
    }

    #[test]
    fn an_edit_keeps_what_it_does_not_change_and_can_clear_what_is_optional() {
        let base = CampaignDraft {
            name: Some("Spring".into()),
            currency: Some("USD".into()),
            budget_minor: Some(Some(50_000)),
            hold_days: Some(3),
            ends_at: Some(Some(now() + chrono::Duration::days(30))),
            ..CampaignDraft::default()
        }
        .validate(None, now())
        .unwrap();
        let row = campaigns::Model {
            name: base.name.clone(),
            currency: base.currency.code().to_owned(),
            budget_minor: base.budget_minor,
            hold_days: base.hold_days,
            ends_at: base.ends_at,
            starts_at: base.starts_at,
            time_zone: base.time_zone.clone(),
            ..test_row()
        };
        let edited = CampaignDraft {
            ends_at: Some(None),
            budget_minor: Some(None),
            ..CampaignDraft::default()
        }
        .validate(Some(&row), now())
        .unwrap();
        assert_eq!(edited.name, "Spring");
        assert_eq!(edited.hold_days, 3);
        assert_eq!(edited.currency.code(), "USD");
        assert_eq!(edited.ends_at, None);
        assert_eq!(edited.budget_minor, None);
    }

    fn test_row() -> campaigns::Model {
        campaigns::Model {
            id: uuid::Uuid::nil(),
            tenant_id: uuid::Uuid::nil(),
            name: String::new(),
            description: String::new(),
            status: crate::tables::CampaignStatus::Draft,
            goals: serde_json::json!({}),
            audience: serde_json::json!({}),
            starts_at: now(),
            ends_at: None,
            time_zone: "UTC".into(),
            currency: "USD".into(),
            budget_minor: None,
            attribution_window_days: 30,
            attribution_model: AttributionModel::FirstTouch,
            hold_days: 14,
            landing_url: None,
            holdout_bps: 0,
            created_by: None,
            created_at: now(),
            updated_at: now(),
            launched_at: None,
            ended_at: None,
            fraud_policy: None,
            budget_reserved_minor: 0,
        }
    }
}
