//! A participant as entered (one enrolment, a bulk call or a CSV row) and the one set of rules that
//! validates it; where an enrolment lands (eligibility, holdout, variant).

use uuid::Uuid;

use super::{
    FieldError,
    audience::{AudienceRule, ParticipantFacts},
    bucket::{Bucket, assign},
    email::Email,
};
use crate::tables::{campaign_variants, campaigns};

/// A participant as entered.
#[derive(Debug, Clone)]
pub struct ParticipantDraft {
    /// The tenant's own customer id.
    pub external_id: String,
    /// Email.
    pub email: String,
    /// First name for greetings.
    pub first_name: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Orders placed so far.
    pub order_count: i32,
    /// ISO alpha-2 country.
    pub country: Option<String>,
}

/// A validated participant.
#[derive(Debug, Clone)]
pub struct ValidParticipant {
    /// Trimmed customer id (1 to 200 characters).
    pub external_id: String,
    /// Normalised email.
    pub email: Email,
    /// Trimmed first name, if any.
    pub first_name: Option<String>,
    /// Lower-cased, de-duplicated tags.
    pub tags: Vec<String>,
    /// Orders placed so far (not negative).
    pub order_count: i32,
    /// Upper-cased ISO alpha-2 country.
    pub country: Option<String>,
}

/// Validate one participant, reporting every problem (fields named as in GraphQL: `externalId`,
/// `email`, `firstName`, `tags[i]`, `orderCount`, `country`).
pub fn validate(draft: ParticipantDraft) -> Result<ValidParticipant, Vec<FieldError>> {
    let mut errors = Vec::new();
    let external_id = draft.external_id.trim().to_owned();
    if external_id.is_empty() || external_id.len() > 200 {
        errors.push(FieldError::new("externalId", "must be 1 to 200 characters"));
    }
    let email = Email::parse(&draft.email).map_err(|e| e.renamed("email"));
    let tags = validate_tags(&draft.tags, &mut errors);
    if draft.order_count < 0 {
        errors.push(FieldError::new("orderCount", "must not be negative"));
    }
    let country = draft
        .country
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty());
    if let Some(c) = &country
        && !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        errors.push(FieldError::new(
            "country",
            "must be an ISO 3166 alpha-2 code like DE",
        ));
    }
    let first_name = draft
        .first_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if first_name.as_ref().is_some_and(|n| n.chars().count() > 100) {
        errors.push(FieldError::new(
            "firstName",
            "must be at most 100 characters",
        ));
    }
    match email {
        Ok(email) if errors.is_empty() => Ok(ValidParticipant {
            external_id,
            email,
            first_name,
            tags,
            order_count: draft.order_count,
            country,
        }),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.insert(0, e);
            Err(errors)
        }
    }
}

fn validate_tags(raw: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    let mut tags = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        let t = tag.trim().to_lowercase();
        if t.is_empty() || t.len() > 64 {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                "must be 1 to 64 characters",
            ));
        } else if !tags.contains(&t) {
            tags.push(t);
        }
    }
    if tags.len() > 50 {
        errors.push(FieldError::new("tags", "at most 50 tags"));
    }
    tags
}

/// Where an enrolment lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// Whether the participant matches the campaign's audience.
    pub eligible: bool,
    /// `ineligible`, `holdout`, `control` or a variant's name.
    pub bucket: String,
    /// The variant, when one was drawn.
    pub variant_id: Option<Uuid>,
}

impl Placement {
    /// Eligible and not held out: gets a referral code (and a launch email once live).
    pub fn invited(&self) -> bool {
        self.eligible && self.bucket != "holdout"
    }
}

/// Place a participant in a campaign: audience eligibility first, then the deterministic holdout /
/// variant draw.
pub fn place(
    campaign: &campaigns::Model,
    variants: &[campaign_variants::Model],
    participant_id: Uuid,
    v: &ValidParticipant,
) -> Placement {
    let audience: AudienceRule =
        serde_json::from_value(campaign.audience.clone()).unwrap_or_default();
    let eligible = audience.matches(&ParticipantFacts {
        tags: &v.tags,
        order_count: v.order_count,
        country: v.country.as_deref(),
    });
    if !eligible {
        return Placement {
            eligible,
            bucket: "ineligible".to_owned(),
            variant_id: None,
        };
    }
    let weights: Vec<u32> = variants
        .iter()
        .map(|x| u32::try_from(x.weight).unwrap_or(0))
        .collect();
    let (bucket, variant_id) = match assign(
        campaign.id,
        participant_id,
        u32::try_from(campaign.holdout_bps).unwrap_or(0),
        &weights,
    ) {
        Bucket::Holdout => ("holdout".to_owned(), None),
        Bucket::Control => ("control".to_owned(), None),
        Bucket::Variant(i) => variants.get(i).map_or(("control".to_owned(), None), |x| {
            (x.name.clone(), Some(x.id))
        }),
    };
    Placement {
        eligible,
        bucket,
        variant_id,
    }
}
