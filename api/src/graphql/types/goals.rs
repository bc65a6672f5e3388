//! The campaign goal frame: focus areas → objectives → KPIs with targets and due dates.

use async_graphql::{Enum, InputObject, SimpleObject};
use chrono::NaiveDate;
use grapevine_entity::domain::goals as domain;

/// A metric a KPI tracks.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::KpiMetric")]
pub enum KpiMetric {
    /// Referred people (leads).
    Referrals,
    /// Referred purchases.
    Conversions,
    /// Referred revenue in minor units of the campaign currency.
    RevenueMinor,
    /// Conversions ÷ clicks, a fraction.
    ConversionRate,
    /// New customers per existing participant.
    KFactor,
    /// Participants who shared ÷ participants enrolled, a fraction.
    ParticipationRate,
    /// Referred customers who had not bought before.
    NewCustomers,
}

/// A KPI with its target.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "KpiInput")]
pub struct Kpi {
    /// What is measured.
    pub metric: KpiMetric,
    /// The target value (fractions for rates).
    pub target: f64,
    /// When the target should be reached.
    pub due: NaiveDate,
}

/// An objective and its KPIs.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "ObjectiveInput")]
pub struct Objective {
    /// Name.
    pub name: String,
    /// KPIs.
    pub kpis: Vec<Kpi>,
}

/// A focus area (e.g. acquisition, retention, engagement) and its objectives.
#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "FocusAreaInput")]
pub struct FocusArea {
    /// Name.
    pub name: String,
    /// Objectives.
    pub objectives: Vec<Objective>,
}

/// Convert input to the domain frame.
pub fn to_domain(areas: Vec<FocusArea>) -> domain::Goals {
    domain::Goals {
        focus_areas: areas
            .into_iter()
            .map(|a| domain::FocusArea {
                name: a.name,
                objectives: a
                    .objectives
                    .into_iter()
                    .map(|o| domain::Objective {
                        name: o.name,
                        kpis: o
                            .kpis
                            .into_iter()
                            .map(|k| domain::Kpi {
                                metric: k.metric.into(),
                                target: k.target,
                                due: k.due,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Convert the stored frame for output.
pub fn from_domain(goals: domain::Goals) -> Vec<FocusArea> {
    goals
        .focus_areas
        .into_iter()
        .map(|a| FocusArea {
            name: a.name,
            objectives: a
                .objectives
                .into_iter()
                .map(|o| Objective {
                    name: o.name,
                    kpis: o
                        .kpis
                        .into_iter()
                        .map(|k| Kpi {
                            metric: k.metric.into(),
                            target: k.target,
                            due: k.due,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}
