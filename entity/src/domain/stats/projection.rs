//! KPI projections for campaign goals: where a KPI will end at its current pace, and whether that
//! is on track, at risk, or already missed — with the projected value, so the report can show the
//! number behind the label.
//!
//! The projection is a linear run-rate, deliberately simple so a marketer can redo it by hand:
//! - a **cumulative** KPI (referrals, conversions, revenue, new customers) grows at its run-rate:
//!   projected = value so far + rate × remaining days, where the rate is the value so far ÷
//!   elapsed days, or, when the daily series is given, the mean of its last [`RECENT_DAYS`] days
//!   (recent pace outweighs a launch spike or a slow start);
//! - a **level** KPI (conversion rate, K-factor, cost per acquisition) does not accumulate: its
//!   projection is its value so far (a linear trend of a rate would run off to 0 or 100 %).
//!
//! It assumes the pace holds until the end; seasonality and planned pushes are not modelled.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

/// How many of the latest days of a daily series set the run-rate.
pub const RECENT_DAYS: usize = 7;

const SECONDS_PER_DAY: f64 = 86_400.0;

/// Which way a KPI should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Reaching or exceeding the target is success (conversions, revenue).
    HigherIsBetter,
    /// Staying at or below the target is success (cost per acquisition, spend).
    LowerIsBetter,
}

/// How a KPI evolves over the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiKind {
    /// A running total that grows with time.
    Cumulative,
    /// A ratio or average that does not grow with time.
    Level,
}

/// Where a KPI stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiStatus {
    /// The campaign has ended and the final value met the target.
    Achieved,
    /// Still running; the projection meets the target.
    OnTrack,
    /// Still running; the projection falls short of the target.
    AtRisk,
    /// The campaign has ended and the final value fell short of the target.
    Missed,
    /// No time has elapsed yet: there is no pace to project from.
    TooEarly,
}

/// The progress of one KPI at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KpiProgress {
    /// Cumulative or level.
    pub kind: KpiKind,
    /// Which way is better.
    pub direction: Direction,
    /// The target (0 allowed).
    pub target: f64,
    /// The value so far: the running total of a cumulative KPI, the current level of a level KPI.
    pub value: f64,
    /// Time since the campaign started.
    pub elapsed: TimeDelta,
    /// The campaign's whole duration, start to end.
    pub duration: TimeDelta,
}

/// A KPI's status and the projection that says so.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KpiProjection {
    /// On track, at risk, missed, achieved, or too early to tell.
    pub status: KpiStatus,
    /// The value expected at the end (the final value once ended); `None` when too early.
    pub projected: Option<f64>,
    /// For a cumulative KPI still running: the pace used, per day.
    pub run_rate_per_day: Option<f64>,
    /// For a cumulative KPI still running: the pace per day from now on that would land exactly
    /// on the target, (target − value) ÷ remaining days (negative once the total has passed the
    /// target: a goal already reached, or a ceiling already exceeded).
    pub needed_per_day: Option<f64>,
}

impl KpiProgress {
    /// Projects the KPI from its overall pace (value ÷ elapsed days for a cumulative KPI).
    /// `None` for a non-finite target or value, or a negative elapsed time or duration.
    pub fn project(&self) -> Option<KpiProjection> {
        self.project_with_daily(&[])
    }

    /// Projects the KPI, taking the run-rate of a cumulative KPI from the mean of the last
    /// [`RECENT_DAYS`] entries of `daily` (each day's increment, oldest first) when it is not
    /// empty. A level KPI ignores the series. `None` as for [`KpiProgress::project`], or when the
    /// series holds a non-finite number.
    ///
    /// Once `elapsed ≥ duration` (a duration of 0 included) the campaign has ended: the value is
    /// final and the status is [`KpiStatus::Achieved`] or [`KpiStatus::Missed`]. Before that,
    /// with no elapsed time, [`KpiStatus::TooEarly`]; otherwise on track when the projection
    /// meets the target (≥ for higher-is-better, ≤ for lower-is-better), at risk when not.
    pub fn project_with_daily(&self, daily: &[f64]) -> Option<KpiProjection> {
        let valid = self.target.is_finite()
            && self.value.is_finite()
            && self.elapsed >= TimeDelta::zero()
            && self.duration >= TimeDelta::zero()
            && daily.iter().all(|x| x.is_finite());
        if !valid {
            return None;
        }
        if self.elapsed >= self.duration {
            return Some(self.ended());
        }
        if self.elapsed == TimeDelta::zero() {
            return Some(KpiProjection {
                status: KpiStatus::TooEarly,
                projected: None,
                run_rate_per_day: None,
                needed_per_day: None,
            });
        }
        Some(match self.kind {
            KpiKind::Level => self.running(self.value, None, None),
            KpiKind::Cumulative => self.cumulative(daily),
        })
    }

    fn ended(&self) -> KpiProjection {
        let status = if self.meets(self.value) {
            KpiStatus::Achieved
        } else {
            KpiStatus::Missed
        };
        KpiProjection {
            status,
            projected: Some(self.value),
            run_rate_per_day: None,
            needed_per_day: None,
        }
    }

    fn cumulative(&self, daily: &[f64]) -> KpiProjection {
        let elapsed_days = days(self.elapsed);
        let remaining_days = days(self.duration) - elapsed_days;
        let recent = &daily[daily.len().saturating_sub(RECENT_DAYS)..];
        let rate = if recent.is_empty() {
            self.value / elapsed_days
        } else {
            recent.iter().sum::<f64>() / recent.len() as f64
        };
        let needed = (self.target - self.value) / remaining_days;
        self.running(self.value + rate * remaining_days, Some(rate), Some(needed))
    }

    fn running(&self, projected: f64, rate: Option<f64>, needed: Option<f64>) -> KpiProjection {
        let status = if self.meets(projected) {
            KpiStatus::OnTrack
        } else {
            KpiStatus::AtRisk
        };
        KpiProjection {
            status,
            projected: Some(projected),
            run_rate_per_day: rate,
            needed_per_day: needed,
        }
    }

    fn meets(&self, x: f64) -> bool {
        match self.direction {
            Direction::HigherIsBetter => x >= self.target,
            Direction::LowerIsBetter => x <= self.target,
        }
    }
}

/// A duration in (fractional) days.
fn days(duration: TimeDelta) -> f64 {
    duration.num_milliseconds() as f64 / 1000.0 / SECONDS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::super::testing::assert_close;
    use super::*;

    fn progress(
        kind: KpiKind,
        direction: Direction,
        target: f64,
        value: f64,
        day: i64,
    ) -> KpiProgress {
        KpiProgress {
            kind,
            direction,
            target,
            value,
            elapsed: TimeDelta::days(day),
            duration: TimeDelta::days(30),
        }
    }

    fn status(kpi: KpiProgress) -> KpiStatus {
        kpi.project().unwrap().status
    }

    fn outcome(kpi: KpiProgress) -> (KpiStatus, Option<f64>) {
        let projection = kpi.project().unwrap();
        (projection.status, projection.projected)
    }

    fn referrals(value: f64, day: i64) -> KpiProgress {
        progress(
            KpiKind::Cumulative,
            Direction::HigherIsBetter,
            500.0,
            value,
            day,
        )
    }

    fn cost_per_acquisition(value: f64, day: i64) -> KpiProgress {
        progress(
            KpiKind::Level,
            Direction::LowerIsBetter,
            2_000.0,
            value,
            day,
        )
    }

    #[test]
    fn a_cumulative_kpi_runs_at_its_average_pace() {
        // 200 referrals in 10 of 30 days: 20 a day, 200 + 20 × 20 = 600 ≥ 500.
        let on_track = referrals(200.0, 10).project().unwrap();
        assert_eq!(on_track.status, KpiStatus::OnTrack);
        assert_close(on_track.projected.unwrap(), 600.0, 1e-9);
        assert_close(on_track.run_rate_per_day.unwrap(), 20.0, 1e-12);
        // 150 in 10 days: 15 a day, 150 + 15 × 20 = 450 < 500; 17.5 a day would be needed.
        let at_risk = referrals(150.0, 10).project().unwrap();
        assert_eq!(at_risk.status, KpiStatus::AtRisk);
        assert_close(at_risk.projected.unwrap(), 450.0, 1e-9);
        assert_close(at_risk.needed_per_day.unwrap(), 17.5, 1e-12);
    }

    #[test]
    fn a_daily_series_sets_the_pace_from_the_last_week() {
        // 200 referrals in 10 days, but a launch spike: 130 in the first 3 days, 10 a day since.
        // The last 7 days average 10: 200 + 10 × 20 = 400 < 500, at risk although the overall
        // pace (20 a day) says on track.
        let daily = [50.0, 45.0, 35.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0];
        let projection = referrals(200.0, 10).project_with_daily(&daily).unwrap();
        assert_eq!(projection.status, KpiStatus::AtRisk);
        assert_close(projection.projected.unwrap(), 400.0, 1e-9);
        assert_close(projection.run_rate_per_day.unwrap(), 10.0, 1e-12);
        // Fewer than 7 days: all of them. 2 days of 30 and 40 → 35 a day.
        let short = referrals(70.0, 2)
            .project_with_daily(&[30.0, 40.0])
            .unwrap();
        assert_close(short.projected.unwrap(), 70.0 + 35.0 * 28.0, 1e-9);
    }

    #[test]
    fn fractional_days_count() {
        // 36 hours, 30 referrals: 20 a day, 30 + 20 × 28.5 = 600.
        let mut kpi = referrals(30.0, 0);
        kpi.elapsed = TimeDelta::hours(36);
        assert_close(kpi.project().unwrap().projected.unwrap(), 600.0, 1e-9);
    }

    #[test]
    fn an_ended_campaign_is_achieved_or_missed() {
        assert_eq!(
            outcome(referrals(480.0, 30)),
            (KpiStatus::Missed, Some(480.0))
        );
        assert_eq!(status(referrals(500.0, 30)), KpiStatus::Achieved);
        // Looked at after the end date: still ended, value final.
        assert_eq!(status(referrals(510.0, 45)), KpiStatus::Achieved);
        // A zero-length campaign has ended as soon as it starts.
        let mut instant = referrals(0.0, 0);
        instant.duration = TimeDelta::zero();
        assert_eq!(status(instant), KpiStatus::Missed);
    }

    #[test]
    fn no_elapsed_time_is_too_early() {
        assert_eq!(outcome(referrals(0.0, 0)), (KpiStatus::TooEarly, None));
    }

    #[test]
    fn a_target_of_zero() {
        let mut kpi = referrals(0.0, 5);
        kpi.target = 0.0;
        assert_eq!(status(kpi), KpiStatus::OnTrack);
        // Lower is better with a target of 0 (e.g. no fraudulent referrals): one is too many.
        let fraud = progress(KpiKind::Cumulative, Direction::LowerIsBetter, 0.0, 1.0, 5);
        assert_eq!(status(fraud), KpiStatus::AtRisk);
        let clean = progress(KpiKind::Cumulative, Direction::LowerIsBetter, 0.0, 0.0, 30);
        assert_eq!(status(clean), KpiStatus::Achieved);
    }

    #[test]
    fn lower_is_better_levels_keep_their_value() {
        assert_eq!(
            outcome(cost_per_acquisition(1_800.0, 10)),
            (KpiStatus::OnTrack, Some(1_800.0))
        );
        let good = cost_per_acquisition(1_800.0, 10).project().unwrap();
        assert_eq!(good.run_rate_per_day, None);
        // A level ignores the daily series.
        let with_daily = cost_per_acquisition(1_800.0, 10).project_with_daily(&[5_000.0]);
        assert_eq!(with_daily, Some(good));
        let bad = cost_per_acquisition(2_200.0, 10).project().unwrap();
        assert_eq!(bad.status, KpiStatus::AtRisk);
        assert_eq!(status(cost_per_acquisition(2_200.0, 30)), KpiStatus::Missed);
        assert_eq!(
            status(cost_per_acquisition(2_000.0, 30)),
            KpiStatus::Achieved
        );
    }

    #[test]
    fn a_spending_ceiling_is_a_cumulative_lower_is_better_kpi() {
        // 4 000 spent in 10 of 30 days against a ceiling of 10 000: 4 000 + 400 × 20 = 12 000.
        let spend = progress(
            KpiKind::Cumulative,
            Direction::LowerIsBetter,
            10_000.0,
            4_000.0,
            10,
        );
        let projection = spend.project().unwrap();
        assert_eq!(projection.status, KpiStatus::AtRisk);
        assert_close(projection.projected.unwrap(), 12_000.0, 1e-9);
        assert_close(projection.needed_per_day.unwrap(), 300.0, 1e-12);
    }

    #[test]
    fn invalid_inputs_give_nothing() {
        let mut kpi = referrals(100.0, 10);
        kpi.target = f64::NAN;
        assert_eq!(kpi.project(), None);
        let mut kpi = referrals(f64::INFINITY, 10);
        assert_eq!(kpi.project(), None);
        kpi = referrals(100.0, 10);
        kpi.elapsed = TimeDelta::days(-1);
        assert_eq!(kpi.project(), None);
        assert_eq!(referrals(100.0, 10).project_with_daily(&[f64::NAN]), None);
    }
}
