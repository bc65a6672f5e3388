//! Campaign lifecycle (draft → active ⇄ paused → ended) and schedule checks.

use std::fmt;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::FieldError;

/// Where a campaign is in its life; mirrors the stored enum without depending on the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Being set up; nothing is live.
    Draft,
    /// Live: links resolve, referrals and rewards are recorded.
    Active,
    /// Temporarily stopped; can resume.
    Paused,
    /// Over for good; read-only.
    Ended,
}

impl CampaignStatus {
    /// The lower-case name used in messages and storage.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignStatus::Draft => "draft",
            CampaignStatus::Active => "active",
            CampaignStatus::Paused => "paused",
            CampaignStatus::Ended => "ended",
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change a user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignAction {
    /// Draft → active.
    Launch,
    /// Active → paused.
    Pause,
    /// Paused → active.
    Resume,
    /// Active or paused → ended.
    End,
}

impl CampaignAction {
    /// The lower-case verb used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignAction::Launch => "launch",
            CampaignAction::Pause => "pause",
            CampaignAction::Resume => "resume",
            CampaignAction::End => "end",
        }
    }

    /// The status this action leads to when it is allowed.
    pub fn target(self) -> CampaignStatus {
        match self {
            CampaignAction::Launch | CampaignAction::Resume => CampaignStatus::Active,
            CampaignAction::Pause => CampaignStatus::Paused,
            CampaignAction::End => CampaignStatus::Ended,
        }
    }
}

impl fmt::Display for CampaignAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a campaign has in place, gathered by the caller before a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaunchReadiness {
    /// At least one reward rule exists.
    pub has_reward_rule: bool,
    /// A landing URL is set.
    pub has_landing_url: bool,
    /// Email material (subject and body) exists.
    pub has_email_material: bool,
    /// The scheduled end, if any.
    pub ends_at: Option<DateTime<Utc>>,
    /// The current time, from the caller's clock.
    pub now: DateTime<Utc>,
}

/// One thing that keeps a draft from launching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchBlocker {
    /// No reward rule.
    NoRewardRule,
    /// No landing URL.
    NoLandingUrl,
    /// No email material.
    NoEmailMaterial,
    /// The end date is not after now.
    EndsInThePast(DateTime<Utc>),
}

impl fmt::Display for LaunchBlocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LaunchBlocker::NoRewardRule => f.write_str("add a reward rule"),
            LaunchBlocker::NoLandingUrl => f.write_str("set a landing URL"),
            LaunchBlocker::NoEmailMaterial => {
                f.write_str("add email material (a subject and a body)")
            }
            LaunchBlocker::EndsInThePast(ends_at) => write!(
                f,
                "move the end date ({}) into the future or remove it",
                ends_at.format("%Y-%m-%d %H:%M UTC")
            ),
        }
    }
}

/// Why a lifecycle change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The draft is missing something a live campaign needs.
    #[error("the campaign cannot launch yet: {}", join(missing))]
    NotReady {
        /// Everything missing, in a fixed order.
        missing: Vec<LaunchBlocker>,
    },
    /// The action does not apply to the current status.
    #[error("cannot {action} a campaign that is {from}: it cannot move from {from} to {to}")]
    NotAllowed {
        /// The current status.
        from: CampaignStatus,
        /// The action asked for.
        action: CampaignAction,
        /// The status the action would have led to.
        to: CampaignStatus,
    },
}

fn join(blockers: &[LaunchBlocker]) -> String {
    blockers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The status after `action`, or why it is refused.
pub fn transition(
    from: CampaignStatus,
    action: CampaignAction,
    readiness: &LaunchReadiness,
) -> Result<CampaignStatus, TransitionError> {
    use CampaignAction as A;
    use CampaignStatus as S;
    match (from, action) {
        (S::Draft, A::Launch) => {
            let missing = launch_blockers(readiness);
            if missing.is_empty() {
                Ok(S::Active)
            } else {
                Err(TransitionError::NotReady { missing })
            }
        }
        (S::Active, A::Pause) => Ok(S::Paused),
        (S::Paused, A::Resume) => Ok(S::Active),
        (S::Active | S::Paused, A::End) => Ok(S::Ended),
        (from, action) => Err(TransitionError::NotAllowed {
            from,
            action,
            to: action.target(),
        }),
    }
}

/// Everything keeping a draft from launching; empty when it may launch.
pub fn launch_blockers(readiness: &LaunchReadiness) -> Vec<LaunchBlocker> {
    let mut missing = Vec::new();
    if !readiness.has_reward_rule {
        missing.push(LaunchBlocker::NoRewardRule);
    }
    if !readiness.has_landing_url {
        missing.push(LaunchBlocker::NoLandingUrl);
    }
    if !readiness.has_email_material {
        missing.push(LaunchBlocker::NoEmailMaterial);
    }
    // Ending exactly now counts as past: the campaign would be over the moment it launched.
    if let Some(ends_at) = readiness.ends_at.filter(|&end| end <= readiness.now) {
        missing.push(LaunchBlocker::EndsInThePast(ends_at));
    }
    missing
}

/// Whether settings may still change; ended campaigns are frozen so their reports stay true.
pub fn is_editable(status: CampaignStatus) -> bool {
    status != CampaignStatus::Ended
}

/// Checks a schedule: the end, if any, must come after the start and after now.
pub fn validate_schedule(
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    let Some(ends_at) = ends_at else {
        return Ok(());
    };
    if ends_at <= starts_at {
        return Err(FieldError::new("ends_at", "must be after the start date"));
    }
    if ends_at <= now {
        return Err(FieldError::new(
            "ends_at",
            "is in the past; choose a future end date, or end the campaign instead",
        ));
    }
    Ok(())
}

/// Parses an IANA time-zone name such as `Europe/Berlin`.
pub fn validate_time_zone(name: &str) -> Result<Tz, FieldError> {
    name.trim().parse::<Tz>().map_err(|_| {
        FieldError::new(
            "time_zone",
            format!(
                "'{}' is not a known time zone; use an IANA name such as Europe/Berlin or America/New_York",
                name.trim()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn ready() -> LaunchReadiness {
        LaunchReadiness {
            has_reward_rule: true,
            has_landing_url: true,
            has_email_material: true,
            ends_at: None,
            now: now(),
        }
    }

    const ALL_STATUSES: [CampaignStatus; 4] = [
        CampaignStatus::Draft,
        CampaignStatus::Active,
        CampaignStatus::Paused,
        CampaignStatus::Ended,
    ];
    const ALL_ACTIONS: [CampaignAction; 4] = [
        CampaignAction::Launch,
        CampaignAction::Pause,
        CampaignAction::Resume,
        CampaignAction::End,
    ];

    #[test]
    fn allowed_transitions() {
        use CampaignAction as A;
        use CampaignStatus as S;
        let r = ready();
        assert_eq!(transition(S::Draft, A::Launch, &r), Ok(S::Active));
        assert_eq!(transition(S::Active, A::Pause, &r), Ok(S::Paused));
        assert_eq!(transition(S::Paused, A::Resume, &r), Ok(S::Active));
        assert_eq!(transition(S::Active, A::End, &r), Ok(S::Ended));
        assert_eq!(transition(S::Paused, A::End, &r), Ok(S::Ended));
    }

    #[test]
    fn every_other_pair_is_refused_naming_from_and_to() {
        let allowed = 5;
        let mut refused = 0;
        for from in ALL_STATUSES {
            for action in ALL_ACTIONS {
                if let Err(error) = transition(from, action, &ready()) {
                    refused += 1;
                    assert_eq!(
                        error,
                        TransitionError::NotAllowed {
                            from,
                            action,
                            to: action.target()
                        }
                    );
                }
            }
        }
        assert_eq!(refused, 16 - allowed);
        let message = transition(CampaignStatus::Ended, CampaignAction::Resume, &ready())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("cannot resume a campaign that is ended: it cannot move from ended to active")
        );
    }

    #[test]
    fn launch_names_every_missing_item() {
        let readiness = LaunchReadiness {
            has_reward_rule: false,
            has_landing_url: false,
            has_email_material: false,
            ends_at: Some(now() - Duration::days(1)),
            now: now(),
        };
        let error = transition(CampaignStatus::Draft, CampaignAction::Launch, &readiness).err();
        let message = error.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            message,
            "the campaign cannot launch yet: add a reward rule; set a landing URL; \
             add email material (a subject and a body); \
             move the end date (2025-05-31 12:00 UTC) into the future or remove it"
        );
    }

    #[test]
    fn launch_needs_each_item_on_its_own() {
        let cases = [
            (
                LaunchReadiness {
                    has_reward_rule: false,
                    ..ready()
                },
                LaunchBlocker::NoRewardRule,
            ),
            (
                LaunchReadiness {
                    has_landing_url: false,
                    ..ready()
                },
                LaunchBlocker::NoLandingUrl,
            ),
            (
                LaunchReadiness {
                    has_email_material: false,
                    ..ready()
                },
                LaunchBlocker::NoEmailMaterial,
            ),
            (
                LaunchReadiness {
                    ends_at: Some(now()),
                    ..ready()
                },
                LaunchBlocker::EndsInThePast(now()),
            ),
        ];
        for (readiness, blocker) in cases {
            assert_eq!(
                transition(CampaignStatus::Draft, CampaignAction::Launch, &readiness),
                Err(TransitionError::NotReady {
                    missing: vec![blocker]
                })
            );
        }
    }

    #[test]
    fn launch_with_a_future_end_is_fine() {
        let readiness = LaunchReadiness {
            ends_at: Some(now() + Duration::seconds(1)),
            ..ready()
        };
        assert_eq!(
            transition(CampaignStatus::Draft, CampaignAction::Launch, &readiness),
            Ok(CampaignStatus::Active)
        );
    }

    #[test]
    fn readiness_does_not_matter_outside_launch() {
        let not_ready = LaunchReadiness {
            has_reward_rule: false,
            ..ready()
        };
        assert_eq!(
            transition(CampaignStatus::Paused, CampaignAction::Resume, &not_ready),
            Ok(CampaignStatus::Active)
        );
    }

    #[test]
    fn only_ended_campaigns_are_frozen() {
        for status in ALL_STATUSES {
            assert_eq!(is_editable(status), status != CampaignStatus::Ended);
        }
    }

    #[test]
    fn schedule_end_must_follow_start_and_now() {
        let start = now() + Duration::days(1);
        assert_eq!(validate_schedule(start, None, now()), Ok(()));
        assert_eq!(
            validate_schedule(start, Some(start + Duration::days(30)), now()),
            Ok(())
        );
        assert!(validate_schedule(start, Some(start), now()).is_err());
        assert!(validate_schedule(start, Some(start - Duration::hours(1)), now()).is_err());
        let past_start = now() - Duration::days(10);
        assert!(validate_schedule(past_start, Some(now() - Duration::days(1)), now()).is_err());
        assert_eq!(
            validate_schedule(past_start, Some(now() + Duration::days(1)), now()),
            Ok(())
        );
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(
            validate_time_zone("Europe/Berlin"),
            Ok(chrono_tz::Europe::Berlin)
        );
        assert_eq!(validate_time_zone(" UTC "), Ok(chrono_tz::UTC));
        for bad in ["", "Mars/Olympus", "GMT+25", "europe/berlin?"] {
            assert_eq!(
                validate_time_zone(bad).err().map(|e| e.field),
                Some("time_zone".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn statuses_serialise_in_snake_case() {
        assert_eq!(
            serde_json::to_string(&CampaignStatus::Paused)
                .ok()
                .as_deref(),
            Some("\"paused\"")
        );
    }
}
