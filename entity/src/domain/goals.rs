//! The campaign goal frame: focus areas, each with objectives, each measured by KPIs with targets.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::FieldError;

/// The longest focus-area or objective name.
pub const MAX_NAME_LEN: usize = 200;

/// The most focus areas per campaign, objectives per area and KPIs per objective.
pub const MAX_ITEMS: usize = 20;

/// A campaign's goals; empty by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Goals {
    /// What the campaign is meant to improve.
    #[serde(default)]
    pub focus_areas: Vec<FocusArea>,
}

/// A broad aim such as "grow in Germany".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct FocusArea {
    /// A short name.
    pub name: String,
    /// The concrete objectives under this area.
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

/// A concrete objective such as "win customers from existing fans".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Objective {
    /// A short name.
    pub name: String,
    /// How the objective is measured.
    #[serde(default)]
    pub kpis: Vec<Kpi>,
}

/// One measurable target with a due date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Kpi {
    /// What is measured.
    pub metric: KpiMetric,
    /// The value to reach: a count, minor units for revenue, or a fraction (0–1) for rates.
    pub target: f64,
    /// When the target should be reached.
    pub due: NaiveDate,
}

/// The metrics a KPI can track; each is computed by the campaign report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiMetric {
    /// Referred people (leads).
    Referrals,
    /// Referred purchases.
    Conversions,
    /// Referred revenue, in minor units of the campaign currency.
    RevenueMinor,
    /// Conversions ÷ clicks, as a fraction.
    ConversionRate,
    /// New customers brought in per existing participant.
    KFactor,
    /// Participants who shared at least once ÷ participants enrolled, as a fraction.
    ParticipationRate,
    /// Referred customers who had not bought before.
    NewCustomers,
}

impl KpiMetric {
    /// Whether the metric is a fraction between 0 and 1.
    pub fn is_rate(self) -> bool {
        matches!(
            self,
            KpiMetric::ConversionRate | KpiMetric::ParticipationRate
        )
    }
}

impl Goals {
    /// Checks the goal frame and trims names; errors carry the full path, e.g.
    /// `focus_areas[0].objectives[1].kpis[2].target`.
    pub fn validate(self) -> Result<Goals, FieldError> {
        check_count("focus_areas", self.focus_areas.len())?;
        let focus_areas = self
            .focus_areas
            .into_iter()
            .enumerate()
            .map(|(i, area)| {
                area.validate()
                    .map_err(|e| e.within(&format!("focus_areas[{i}]")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Goals { focus_areas })
    }
}

impl FocusArea {
    fn validate(self) -> Result<FocusArea, FieldError> {
        let name = check_name(&self.name)?;
        check_count("objectives", self.objectives.len())?;
        let objectives = self
            .objectives
            .into_iter()
            .enumerate()
            .map(|(i, objective)| {
                objective
                    .validate()
                    .map_err(|e| e.within(&format!("objectives[{i}]")))
            })
            .collect::<Result<_, _>>()?;
        Ok(FocusArea { name, objectives })
    }
}

impl Objective {
    fn validate(self) -> Result<Objective, FieldError> {
        let name = check_name(&self.name)?;
        check_count("kpis", self.kpis.len())?;
        for (i, kpi) in self.kpis.iter().enumerate() {
            kpi.validate()
                .map_err(|e| e.within(&format!("kpis[{i}]")))?;
        }
        Ok(Objective {
            name,
            kpis: self.kpis,
        })
    }
}

impl Kpi {
    fn validate(&self) -> Result<(), FieldError> {
        let target = self.target;
        if !target.is_finite() || target <= 0.0 {
            return Err(FieldError::new(
                "target",
                "must be a number greater than zero",
            ));
        }
        if self.metric.is_rate() && target > 1.0 {
            return Err(FieldError::new(
                "target",
                format!(
                    "is a rate, written as a fraction: use a value up to 1 (e.g. 0.05 for 5 %), not {target}"
                ),
            ));
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    let len = name.chars().count();
    if len == 0 || len > MAX_NAME_LEN {
        return Err(FieldError::new(
            "name",
            format!("must be 1 to {MAX_NAME_LEN} characters long (got {len})"),
        ));
    }
    Ok(name.to_owned())
}

fn check_count(field: &str, count: usize) -> Result<(), FieldError> {
    if count > MAX_ITEMS {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_ITEMS} are allowed (got {count})"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default()
    }

    fn kpi(metric: KpiMetric, target: f64) -> Kpi {
        Kpi {
            metric,
            target,
            due: due(),
        }
    }

    fn goals_with(kpis: Vec<Kpi>) -> Goals {
        Goals {
            focus_areas: vec![FocusArea {
                name: "Grow in Germany".to_owned(),
                objectives: vec![Objective {
                    name: "Fans bring friends".to_owned(),
                    kpis,
                }],
            }],
        }
    }

    fn error_field(goals: Goals) -> Option<String> {
        goals.validate().err().map(|e| e.field)
    }

    #[test]
    fn a_full_frame_is_valid_and_names_are_trimmed() {
        let mut goals = goals_with(vec![
            kpi(KpiMetric::Referrals, 500.0),
            kpi(KpiMetric::ConversionRate, 1.0),
            kpi(KpiMetric::RevenueMinor, 1_000_000.0),
        ]);
        goals.focus_areas[0].name = "  Grow in Germany ".to_owned();
        let validated = goals.validate();
        assert_eq!(
            validated.map(|g| g.focus_areas[0].name.clone()),
            Ok("Grow in Germany".to_owned())
        );
    }

    #[test]
    fn empty_goals_are_valid() {
        assert_eq!(Goals::default().validate(), Ok(Goals::default()));
    }

    #[test]
    fn names_must_be_present_and_short() {
        let mut goals = goals_with(vec![]);
        goals.focus_areas[0].name = " ".to_owned();
        assert_eq!(error_field(goals), Some("focus_areas[0].name".to_owned()));
        let mut goals = goals_with(vec![]);
        goals.focus_areas[0].objectives[0].name = "x".repeat(201);
        assert_eq!(
            error_field(goals),
            Some("focus_areas[0].objectives[0].name".to_owned())
        );
        let mut goals = goals_with(vec![]);
        goals.focus_areas[0].objectives[0].name = "x".repeat(200);
        assert!(goals.validate().is_ok());
    }

    #[test]
    fn targets_must_be_finite_and_positive() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let goals = goals_with(vec![
                kpi(KpiMetric::Conversions, 10.0),
                kpi(KpiMetric::KFactor, bad),
            ]);
            assert_eq!(
                error_field(goals),
                Some("focus_areas[0].objectives[0].kpis[1].target".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn rates_are_at_most_one() {
        for metric in [KpiMetric::ConversionRate, KpiMetric::ParticipationRate] {
            assert!(goals_with(vec![kpi(metric, 1.0)]).validate().is_ok());
            assert!(goals_with(vec![kpi(metric, 1.01)]).validate().is_err());
        }
        assert!(
            goals_with(vec![kpi(KpiMetric::KFactor, 1.5)])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn at_most_twenty_of_each() {
        let twenty_one = vec![kpi(KpiMetric::Referrals, 1.0); 21];
        assert_eq!(
            error_field(goals_with(twenty_one)),
            Some("focus_areas[0].objectives[0].kpis".to_owned())
        );
        assert!(
            goals_with(vec![kpi(KpiMetric::Referrals, 1.0); 20])
                .validate()
                .is_ok()
        );
        let area = goals_with(vec![]).focus_areas.remove(0);
        let too_many_areas = Goals {
            focus_areas: vec![area.clone(); 21],
        };
        assert_eq!(error_field(too_many_areas), Some("focus_areas".to_owned()));
        let objective = area.objectives[0].clone();
        let too_many_objectives = Goals {
            focus_areas: vec![FocusArea {
                objectives: vec![objective; 21],
                ..area
            }],
        };
        assert_eq!(
            error_field(too_many_objectives),
            Some("focus_areas[0].objectives".to_owned())
        );
    }

    #[test]
    fn serde_uses_snake_case() -> Result<(), serde_json::Error> {
        let json = r#"{"focus_areas":[{"name":"Reach","objectives":[{"name":"Share","kpis":[
            {"metric":"k_factor","target":0.4,"due":"2025-12-31"},
            {"metric":"revenue_minor","target":100000,"due":"2025-12-31"}]}]}]}"#;
        let goals: Goals = serde_json::from_str(json)?;
        let kpis = &goals.focus_areas[0].objectives[0].kpis;
        assert_eq!(kpis[0].metric, KpiMetric::KFactor);
        assert_eq!(kpis[1].metric, KpiMetric::RevenueMinor);
        let back: Goals = serde_json::from_str(&serde_json::to_string(&goals)?)?;
        assert_eq!(back, goals);
        Ok(())
    }
}
