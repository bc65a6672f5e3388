//! Fraud rules: each looks at facts gathered about a referral and may raise a signal with a score
//! and its evidence; a policy adds up the scores of the rules that count (a rule in shadow mode
//! records its signal but does not count) and decides approved, review or rejected.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::email::Email;

/// The shipped list of disposable email domains.
const DISPOSABLE: &str = include_str!("disposable_domains.txt");

/// Is `domain` (or a parent of it) a known disposable email domain?
pub fn is_disposable(domain: &str) -> bool {
    let domain = domain.trim().to_ascii_lowercase();
    DISPOSABLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|d| domain == d || domain.ends_with(&format!(".{d}")))
}

/// The rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Referrer and referee share an email address once provider tricks are undone.
    SelfReferralEmail,
    /// Referrer and referee paid with the same card (payment fingerprint).
    SelfReferralPayment,
    /// The referee's click came from an address and device the referrer used.
    SharedDevice,
    /// The referee's email domain is a throwaway one.
    DisposableEmail,
    /// The referrer brought in more referrals in the last hour than the policy allows.
    VelocityHour,
    /// Likewise over the last day.
    VelocityDay,
    /// The referee had bought before the referral (not a new customer).
    RefereeNotNew,
    /// The purchase was refunded (fully or in large part).
    Refunded,
}

impl Rule {
    /// The stored (snake_case) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::SelfReferralEmail => "self_referral_email",
            Rule::SelfReferralPayment => "self_referral_payment",
            Rule::SharedDevice => "shared_device",
            Rule::DisposableEmail => "disposable_email",
            Rule::VelocityHour => "velocity_hour",
            Rule::VelocityDay => "velocity_day",
            Rule::RefereeNotNew => "referee_not_new",
            Rule::Refunded => "refunded",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.as_str() == s)
    }

    /// Every rule.
    pub const ALL: &[Rule] = &[
        Rule::SelfReferralEmail,
        Rule::SelfReferralPayment,
        Rule::SharedDevice,
        Rule::DisposableEmail,
        Rule::VelocityHour,
        Rule::VelocityDay,
        Rule::RefereeNotNew,
        Rule::Refunded,
    ];
}

/// What is known about a referral when it is scored (gathered by the caller).
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The referrer's email.
    pub referrer_email: Option<Email>,
    /// The referee's email.
    pub referee_email: Option<Email>,
    /// Payment fingerprints the referrer used.
    pub referrer_fingerprints: Vec<String>,
    /// The referee's payment fingerprint, when known.
    pub referee_fingerprint: Option<String>,
    /// What the referee shares with the referrer, seen within the policy's window, if anything.
    pub shared_device: Option<SharedDevice>,
    /// Referrals by this referrer in the last hour, this one included.
    pub referrer_referrals_last_hour: u32,
    /// Likewise in the last day.
    pub referrer_referrals_last_day: u32,
    /// Conversions of the referee before the referral.
    pub referee_prior_conversions: u32,
    /// Refunded share of the conversion, in basis points.
    pub refunded_bps: u32,
}

/// What a referee was seen sharing with their referrer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedDevice {
    /// The same address and browser (the keyed visitor hash matches).
    Device,
    /// The same network address, another browser.
    Address,
}

/// How a rule is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetting {
    /// Which rule.
    pub rule: Rule,
    /// Score when it fires.
    pub score: u32,
    /// Recorded but not counted.
    pub shadow: bool,
    /// Off entirely.
    pub enabled: bool,
}

/// A campaign's fraud policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Total from which a referral goes to the review queue.
    pub review_at: u32,
    /// Total from which it is rejected.
    pub reject_at: u32,
    /// Referrals per hour above which velocity fires.
    pub max_per_hour: u32,
    /// Referrals per day above which velocity fires.
    pub max_per_day: u32,
    /// Refunded share (basis points) from which the refund rule fires.
    pub refund_bps: u32,
    /// How far back (days) a device or address the referrer used counts as theirs.
    #[serde(default = "default_shared_device_days")]
    pub shared_device_days: u32,
    /// Per-rule settings.
    pub rules: Vec<RuleSetting>,
}

fn default_shared_device_days() -> u32 {
    30
}

impl Policy {
    /// The setting of `rule`, if the policy lists it.
    pub fn setting(&self, rule: Rule) -> Option<&RuleSetting> {
        self.rules.iter().find(|s| s.rule == rule)
    }

    /// Checks thresholds and limits; errors name the field.
    pub fn validate(self) -> Result<Policy, super::FieldError> {
        use super::FieldError;
        if self.review_at == 0 {
            return Err(FieldError::new(
                "reviewAt",
                "must be at least 1 (0 would send every referral to review)",
            ));
        }
        if self.reject_at < self.review_at {
            return Err(FieldError::new(
                "rejectAt",
                format!("must be at least reviewAt ({})", self.review_at),
            ));
        }
        if self.max_per_hour == 0 || self.max_per_day == 0 {
            return Err(FieldError::new(
                "maxPerHour",
                "velocity limits must be at least 1",
            ));
        }
        if self.max_per_day < self.max_per_hour {
            return Err(FieldError::new(
                "maxPerDay",
                format!("must be at least maxPerHour ({})", self.max_per_hour),
            ));
        }
        if !(1..=10_000).contains(&self.refund_bps) {
            return Err(FieldError::new(
                "refundBps",
                "must be between 1 and 10000 basis points",
            ));
        }
        if !(1..=365).contains(&self.shared_device_days) {
            return Err(FieldError::new(
                "sharedDeviceDays",
                "must be between 1 and 365",
            ));
        }
        for (i, setting) in self.rules.iter().enumerate() {
            if setting.score > 1_000 {
                return Err(FieldError::new(
                    format!("rules[{i}].score"),
                    "must be at most 1000",
                ));
            }
            if self.rules[..i].iter().any(|s| s.rule == setting.rule) {
                return Err(FieldError::new(
                    format!("rules[{i}].rule"),
                    "each rule may be listed once",
                ));
            }
        }
        Ok(self)
    }
}

impl Default for Policy {
    fn default() -> Self {
        let setting = |rule, score| RuleSetting {
            rule,
            score,
            shadow: false,
            enabled: true,
        };
        Self {
            review_at: 40,
            reject_at: 80,
            max_per_hour: 10,
            max_per_day: 50,
            refund_bps: 5_000,
            shared_device_days: default_shared_device_days(),
            rules: vec![
                setting(Rule::SelfReferralEmail, 100),
                setting(Rule::SelfReferralPayment, 100),
                setting(Rule::SharedDevice, 60),
                setting(Rule::DisposableEmail, 50),
                setting(Rule::VelocityHour, 40),
                setting(Rule::VelocityDay, 40),
                setting(Rule::RefereeNotNew, 80),
                setting(Rule::Refunded, 80),
            ],
        }
    }
}

/// One fired rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    /// Which rule.
    pub rule: Rule,
    /// Its score.
    pub score: u32,
    /// Why it fired.
    pub evidence: Value,
    /// Recorded only.
    pub shadow: bool,
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Good.
    Approved,
    /// A person decides.
    Review,
    /// Refused.
    Rejected,
}

/// Does `rule` fire on `facts`? Returns its evidence.
fn fires(rule: Rule, facts: &Facts, policy: &Policy) -> Option<Value> {
    match rule {
        Rule::SelfReferralEmail => {
            let (a, b) = (facts.referrer_email.as_ref()?, facts.referee_email.as_ref()?);
            (a.canonical_for_fraud() == b.canonical_for_fraud())
                .then(|| json!({ "referrer": a.as_str(), "referee": b.as_str(), "canonical": a.canonical_for_fraud() }))
        }
        Rule::SelfReferralPayment => {
            let f = facts.referee_fingerprint.as_ref()?;
            facts.referrer_fingerprints.contains(f).then(|| json!({ "fingerprint": f }))
        }
        Rule::SharedDevice => facts.shared_device.map(|shared| match shared {
            SharedDevice::Device => json!({ "shared": "device", "detail": "same address and browser as the referrer", "within_days": policy.shared_device_days }),
            SharedDevice::Address => json!({ "shared": "address", "detail": "same network address as the referrer", "within_days": policy.shared_device_days }),
        }),
        Rule::DisposableEmail => {
            let e = facts.referee_email.as_ref()?;
            is_disposable(e.domain()).then(|| json!({ "domain": e.domain() }))
        }
        Rule::VelocityHour => (facts.referrer_referrals_last_hour > policy.max_per_hour)
            .then(|| json!({ "referrals_last_hour": facts.referrer_referrals_last_hour, "limit": policy.max_per_hour })),
        Rule::VelocityDay => (facts.referrer_referrals_last_day > policy.max_per_day)
            .then(|| json!({ "referrals_last_day": facts.referrer_referrals_last_day, "limit": policy.max_per_day })),
        Rule::RefereeNotNew => (facts.referee_prior_conversions > 0).then(|| json!({ "prior_conversions": facts.referee_prior_conversions })),
        Rule::Refunded => (facts.refunded_bps >= policy.refund_bps && facts.refunded_bps > 0)
            .then(|| json!({ "refunded_bps": facts.refunded_bps, "threshold_bps": policy.refund_bps })),
    }
}

/// Score `facts` under `policy`: the signals (shadow ones included, marked), the counted total
/// and the decision.
pub fn evaluate(facts: &Facts, policy: &Policy) -> (Vec<Signal>, u32, Decision) {
    let signals: Vec<Signal> = policy
        .rules
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| {
            fires(s.rule, facts, policy).map(|evidence| Signal {
                rule: s.rule,
                score: s.score,
                evidence,
                shadow: s.shadow,
            })
        })
        .collect();
    let total: u32 = signals.iter().filter(|s| !s.shadow).map(|s| s.score).sum();
    let decision = if total >= policy.reject_at {
        Decision::Rejected
    } else if total >= policy.review_at {
        Decision::Review
    } else {
        Decision::Approved
    };
    (signals, total, decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(s: &str) -> Option<Email> {
        Some(Email::parse(s).unwrap())
    }

    fn rules(signals: &[Signal]) -> Vec<Rule> {
        signals.iter().map(|s| s.rule).collect()
    }

    #[test]
    fn an_honest_referral_is_approved_with_no_signals() {
        let facts = Facts {
            referrer_email: email("ada@example.com"),
            referee_email: email("grace@example.org"),
            referrer_referrals_last_hour: 1,
            referrer_referrals_last_day: 1,
            ..Facts::default()
        };
        assert_eq!(
            evaluate(&facts, &Policy::default()),
            (vec![], 0, Decision::Approved)
        );
    }

    #[test]
    fn a_gmail_alias_of_the_referrer_is_a_self_referral() {
        let facts = Facts {
            referrer_email: email("ada.lovelace@gmail.com"),
            referee_email: email("adalovelace+friend@googlemail.com"),
            ..Facts::default()
        };
        let (signals, total, decision) = evaluate(&facts, &Policy::default());
        assert_eq!(rules(&signals), vec![Rule::SelfReferralEmail]);
        assert_eq!((total, decision), (100, Decision::Rejected));
        assert_eq!(signals[0].evidence["canonical"], "adalovelace@gmail.com");
    }

    #[test]
    fn each_rule_fires_on_its_own_evidence() {
        let policy = Policy::default();
        let cases: Vec<(Facts, Rule)> = vec![
            (
                Facts {
                    referrer_fingerprints: vec!["fp1".into()],
                    referee_fingerprint: Some("fp1".into()),
                    ..Facts::default()
                },
                Rule::SelfReferralPayment,
            ),
            (
                Facts {
                    shared_device: Some(SharedDevice::Device),
                    ..Facts::default()
                },
                Rule::SharedDevice,
            ),
            (
                Facts {
                    referee_email: email("x@sub.mailinator.com"),
                    ..Facts::default()
                },
                Rule::DisposableEmail,
            ),
            (
                Facts {
                    referrer_referrals_last_hour: 11,
                    ..Facts::default()
                },
                Rule::VelocityHour,
            ),
            (
                Facts {
                    referrer_referrals_last_day: 51,
                    ..Facts::default()
                },
                Rule::VelocityDay,
            ),
            (
                Facts {
                    referee_prior_conversions: 2,
                    ..Facts::default()
                },
                Rule::RefereeNotNew,
            ),
            (
                Facts {
                    refunded_bps: 10_000,
                    ..Facts::default()
                },
                Rule::Refunded,
            ),
        ];
        for (facts, rule) in cases {
            assert_eq!(rules(&evaluate(&facts, &policy).0), vec![rule], "{rule:?}");
        }
    }

    #[test]
    fn limits_are_exclusive_and_thresholds_inclusive() {
        let policy = Policy::default();
        let at_limit = Facts {
            referrer_referrals_last_hour: 10,
            referrer_referrals_last_day: 50,
            refunded_bps: 4_999,
            ..Facts::default()
        };
        assert!(evaluate(&at_limit, &policy).0.is_empty());
        let review = Facts {
            referrer_referrals_last_hour: 11,
            ..Facts::default()
        };
        assert_eq!(
            evaluate(&review, &policy).2,
            Decision::Review,
            "40 reaches review_at"
        );
        let reject = Facts {
            referrer_referrals_last_hour: 11,
            referrer_referrals_last_day: 51,
            ..Facts::default()
        };
        assert_eq!(evaluate(&reject, &policy).1, 80);
        assert_eq!(
            evaluate(&reject, &policy).2,
            Decision::Rejected,
            "80 reaches reject_at"
        );
    }

    #[test]
    fn a_shadow_rule_is_recorded_but_changes_no_decision() {
        let mut policy = Policy::default();
        for s in &mut policy.rules {
            if s.rule == Rule::DisposableEmail {
                s.shadow = true;
            }
        }
        let facts = Facts {
            referee_email: email("x@yopmail.com"),
            ..Facts::default()
        };
        let (signals, total, decision) = evaluate(&facts, &policy);
        assert_eq!(rules(&signals), vec![Rule::DisposableEmail]);
        assert!(signals[0].shadow);
        assert_eq!((total, decision), (0, Decision::Approved));
    }

    #[test]
    fn rule_names_round_trip_and_match_serde() {
        for rule in Rule::ALL {
            assert_eq!(Rule::parse(rule.as_str()), Some(*rule));
            assert_eq!(serde_json::to_value(rule).ok(), Some(json!(rule.as_str())));
        }
    }

    #[test]
    fn a_policy_with_reject_below_review_or_a_duplicate_rule_is_refused() {
        let mut p = Policy::default();
        p.reject_at = p.review_at - 1;
        assert_eq!(p.validate().unwrap_err().field, "rejectAt");
        let mut p = Policy::default();
        let first = p.rules[0];
        p.rules.push(first);
        assert_eq!(p.validate().unwrap_err().field, "rules[8].rule");
        assert!(Policy::default().validate().is_ok());
    }

    #[test]
    fn disposable_domains_match_exactly_or_as_parents_only() {
        assert!(is_disposable("mailinator.com"));
        assert!(is_disposable("eu.mailinator.com"));
        assert!(!is_disposable("notmailinator.com"));
        assert!(!is_disposable("gmail.com"));
    }
}
