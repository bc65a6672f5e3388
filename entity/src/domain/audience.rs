//! Campaign audience rules: who may enrol, decided from a participant's tags, orders and country.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The longest tag accepted.
pub const MAX_TAG_LEN: usize = 64;

/// Who a campaign is for; every empty or absent criterion matches everyone, so the default rule
/// matches every participant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AudienceRule {
    /// The participant must carry at least one of these tags (ignored when empty).
    pub tags_any: Vec<String>,
    /// The participant must carry every one of these tags.
    pub tags_all: Vec<String>,
    /// The participant must have placed at least this many orders.
    pub min_orders: Option<i32>,
    /// ISO 3166 alpha-2 countries the participant must be in (empty = any country).
    pub countries: Vec<String>,
}

/// What the audience rule looks at about one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParticipantFacts<'a> {
    /// The participant's tags, in any case.
    pub tags: &'a [String],
    /// How many orders the participant has placed.
    pub order_count: i32,
    /// The participant's ISO 3166 alpha-2 country, if known.
    pub country: Option<&'a str>,
}

impl AudienceRule {
    /// Checks and normalises the rule: tags trimmed and lower-cased, countries upper-cased,
    /// duplicates dropped.
    pub fn validate(self) -> Result<AudienceRule, FieldError> {
        Ok(AudienceRule {
            tags_any: normalise_tags("tags_any", self.tags_any)?,
            tags_all: normalise_tags("tags_all", self.tags_all)?,
            min_orders: match self.min_orders {
                Some(n) if n < 0 => {
                    return Err(FieldError::new(
                        "min_orders",
                        format!("must be zero or more (got {n})"),
                    ));
                }
                other => other,
            },
            countries: normalise_countries(self.countries)?,
        })
    }

    /// Whether a participant belongs to the audience; tags and countries compare case-insensitively.
    pub fn matches(&self, facts: &ParticipantFacts<'_>) -> bool {
        let has_tag = |wanted: &String| {
            let wanted = wanted.trim().to_lowercase();
            facts
                .tags
                .iter()
                .any(|tag| tag.trim().to_lowercase() == wanted)
        };
        let tags_any_ok = self.tags_any.is_empty() || self.tags_any.iter().any(has_tag);
        let tags_all_ok = self.tags_all.iter().all(has_tag);
        let orders_ok = self.min_orders.is_none_or(|min| facts.order_count >= min);
        // A participant whose country is unknown cannot prove they are in a listed one.
        let country_ok = self.countries.is_empty()
            || facts.country.is_some_and(|country| {
                self.countries
                    .iter()
                    .any(|c| c.trim().eq_ignore_ascii_case(country.trim()))
            });
        tags_any_ok && tags_all_ok && orders_ok && country_ok
    }
}

fn normalise_tags(field: &str, tags: Vec<String>) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for (i, tag) in tags.iter().enumerate() {
        let tag = tag.trim().to_lowercase();
        let len = tag.chars().count();
        if len == 0 || len > MAX_TAG_LEN {
            return Err(FieldError::new(
                format!("{field}[{i}]"),
                format!("a tag must be 1 to {MAX_TAG_LEN} characters long (got {len})"),
            ));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    Ok(out)
}

fn normalise_countries(countries: Vec<String>) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::with_capacity(countries.len());
    for (i, country) in countries.iter().enumerate() {
        let code = country.trim().to_ascii_uppercase();
        // A shape check only: keeping the ISO 3166 list current is not worth a table here.
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(FieldError::new(
                format!("countries[{i}]"),
                format!(
                    "'{}' is not a two-letter ISO 3166 country code such as US or DE",
                    country.trim()
                ),
            ));
        }
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn facts<'a>(
        tags: &'a [String],
        order_count: i32,
        country: Option<&'a str>,
    ) -> ParticipantFacts<'a> {
        ParticipantFacts {
            tags,
            order_count,
            country,
        }
    }

    #[test]
    fn default_rule_matches_everyone() {
        let rule = AudienceRule::default();
        assert!(rule.matches(&facts(&[], 0, None)));
        assert!(rule.matches(&facts(&strings(&["vip"]), 12, Some("FR"))));
    }

    #[test]
    fn empty_json_is_the_default_rule() {
        let rule: Result<AudienceRule, _> = serde_json::from_str("{}");
        assert_eq!(rule.ok(), Some(AudienceRule::default()));
    }

    #[test]
    fn validate_normalises_case_and_duplicates() {
        let rule = AudienceRule {
            tags_any: strings(&[" VIP ", "vip", "Beta"]),
            tags_all: strings(&["Newsletter"]),
            min_orders: Some(0),
            countries: strings(&["us", " De", "US"]),
        }
        .validate();
        let expected = AudienceRule {
            tags_any: strings(&["vip", "beta"]),
            tags_all: strings(&["newsletter"]),
            min_orders: Some(0),
            countries: strings(&["US", "DE"]),
        };
        assert_eq!(rule, Ok(expected));
    }

    #[test]
    fn validate_refuses_empty_and_long_tags() {
        let empty = AudienceRule {
            tags_all: strings(&["ok", "  "]),
            ..AudienceRule::default()
        };
        assert_eq!(
            empty.validate().err().map(|e| e.field),
            Some("tags_all[1]".to_owned())
        );
        let long = AudienceRule {
            tags_any: vec!["x".repeat(65)],
            ..AudienceRule::default()
        };
        assert!(long.validate().is_err());
        let at_limit = AudienceRule {
            tags_any: vec!["x".repeat(64)],
            ..AudienceRule::default()
        };
        assert!(at_limit.validate().is_ok());
    }

    #[test]
    fn validate_refuses_bad_countries() {
        for bad in ["USA", "U", "1A", "", "Ü1"] {
            let rule = AudienceRule {
                countries: strings(&[bad]),
                ..AudienceRule::default()
            };
            assert_eq!(
                rule.validate().err().map(|e| e.field),
                Some("countries[0]".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn validate_refuses_negative_min_orders() {
        let rule = AudienceRule {
            min_orders: Some(-1),
            ..AudienceRule::default()
        };
        assert_eq!(
            rule.validate().err().map(|e| e.field),
            Some("min_orders".to_owned())
        );
    }

    #[test]
    fn tags_any_needs_one_matching_tag_in_any_case() {
        let rule = AudienceRule {
            tags_any: strings(&["vip", "beta"]),
            ..AudienceRule::default()
        };
        assert!(rule.matches(&facts(&strings(&["BETA"]), 0, None)));
        assert!(!rule.matches(&facts(&strings(&["newsletter"]), 0, None)));
        assert!(!rule.matches(&facts(&[], 0, None)));
    }

    #[test]
    fn tags_all_needs_every_tag() {
        let rule = AudienceRule {
            tags_all: strings(&["vip", "Newsletter"]),
            ..AudienceRule::default()
        };
        assert!(rule.matches(&facts(&strings(&["newsletter", "VIP", "x"]), 0, None)));
        assert!(!rule.matches(&facts(&strings(&["vip"]), 0, None)));
    }

    #[test]
    fn min_orders_is_inclusive() {
        let rule = AudienceRule {
            min_orders: Some(2),
            ..AudienceRule::default()
        };
        assert!(!rule.matches(&facts(&[], 1, None)));
        assert!(rule.matches(&facts(&[], 2, None)));
    }

    #[test]
    fn countries_restrict_and_unknown_country_fails() {
        let rule = AudienceRule {
            countries: strings(&["US", "CA"]),
            ..AudienceRule::default()
        };
        assert!(rule.matches(&facts(&[], 0, Some("ca"))));
        assert!(!rule.matches(&facts(&[], 0, Some("DE"))));
        assert!(!rule.matches(&facts(&[], 0, None)));
    }

    #[test]
    fn all_criteria_must_hold() {
        let rule = AudienceRule {
            tags_any: strings(&["vip"]),
            tags_all: strings(&["newsletter"]),
            min_orders: Some(1),
            countries: strings(&["US"]),
        };
        let tags = strings(&["vip", "newsletter"]);
        assert!(rule.matches(&facts(&tags, 1, Some("US"))));
        assert!(!rule.matches(&facts(&tags, 0, Some("US"))));
        assert!(!rule.matches(&facts(&tags, 1, Some("GB"))));
        assert!(!rule.matches(&facts(&strings(&["vip"]), 1, Some("US"))));
    }
}
