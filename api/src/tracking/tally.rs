//! What the tracking endpoints received, counted apart from what they stored, per tenant and
//! hour (`tracking_tallies`); programme health compares the two as tracking accuracy.
//!
//! The counts gather in memory and are added to the table about once a second by the click
//! writer's task (and once more when it stops), in one upsert per tenant-hour. Nothing here is on
//! the redirect's fast path: accepted clicks are counted by the writer per batch, and only a
//! dropped click or a conversion report takes the lock. A crash loses the counts gathered since
//! the last flush, as it loses the clicks still buffered.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use chrono::{DateTime, Utc};
use grapevine_entity::tables::tracking_tallies;
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait, ExprTrait, sea_query::Expr,
    sea_query::OnConflict,
};
use uuid::Uuid;

/// The counts of one tenant-hour.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Clicks the redirect counted.
    pub clicks_received: i64,
    /// Of those, clicks dropped (buffer full, or their write failed for good).
    pub clicks_lost: i64,
    /// Conversion reports that passed input validation.
    pub conversion_reports: i64,
    /// Of those, reports that failed on our side.
    pub conversion_reports_failed: i64,
}

impl Counts {
    fn add(&mut self, other: Self) {
        self.clicks_received += other.clicks_received;
        self.clicks_lost += other.clicks_lost;
        self.conversion_reports += other.conversion_reports;
        self.conversion_reports_failed += other.conversion_reports_failed;
    }
}

type Buckets = HashMap<(Uuid, DateTime<Utc>), Counts>;

/// The in-memory tally, shared by the redirect, the click writer and `trackConversion`.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    buckets: Arc<Mutex<Buckets>>,
}

pub use grapevine_entity::domain::calendar::hour_of;

impl Tally {
    /// Add `counts` to the tenant's hour holding `at`.
    pub fn add(&self, tenant_id: Uuid, at: DateTime<Utc>, counts: Counts) {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry((tenant_id, hour_of(at)))
            .or_default()
            .add(counts);
    }

    /// A conversion report that passed validation; `stored` is false when it failed on our side.
    pub fn conversion_report(&self, tenant_id: Uuid, at: DateTime<Utc>, stored: bool) {
        self.add(
            tenant_id,
            at,
            Counts {
                conversion_reports: 1,
                conversion_reports_failed: i64::from(!stored),
                ..Counts::default()
            },
        );
    }

    fn take(&self) -> Buckets {
        std::mem::take(&mut *self.buckets.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Add what has gathered to the table. On failure the counts are kept for the next flush.
    pub async fn flush(&self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let buckets = self.take();
        if buckets.is_empty() {
            return Ok(());
        }
        let rows: Vec<tracking_tallies::ActiveModel> = buckets
            .iter()
            .map(|(&(tenant_id, hour), c)| tracking_tallies::ActiveModel {
                tenant_id: Set(tenant_id),
                hour: Set(hour),
                clicks_received: Set(c.clicks_received),
                clicks_lost: Set(c.clicks_lost),
                conversion_reports: Set(c.conversion_reports),
                conversion_reports_failed: Set(c.conversion_reports_failed),
            })
            .collect();
        let summed = [
            tracking_tallies::Column::ClicksReceived,
            tracking_tallies::Column::ClicksLost,
            tracking_tallies::Column::ConversionReports,
            tracking_tallies::Column::ConversionReportsFailed,
        ];
        let mut on_conflict = OnConflict::columns([
            tracking_tallies::Column::TenantId,
            tracking_tallies::Column::Hour,
        ]);
        for column in summed {
            on_conflict.value(
                column,
                Expr::col((tracking_tallies::Entity, column)).add(Expr::col((
                    sea_orm::sea_query::Alias::new("excluded"),
                    column,
                ))),
            );
        }
        let written = tracking_tallies::Entity::insert_many(rows)
            .on_conflict(on_conflict)
            .exec(db)
            .await;
        if let Err(err) = written {
            // Put the counts back: they go with the next flush.
            let mut now = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
            for (key, counts) in buckets {
                now.entry(key).or_default().add(counts);
            }
            return Err(err);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_the_same_tenant_hour_add_up_and_other_hours_stay_apart() {
        let tally = Tally::default();
        let tenant = Uuid::now_v7();
        let at = |h: u32, m: u32| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
                .and_then(|d| d.and_hms_opt(h, m, 7))
                .map(|t| t.and_utc())
                .unwrap_or_default()
        };
        tally.conversion_report(tenant, at(9, 0), true);
        tally.conversion_report(tenant, at(9, 59), false);
        tally.add(
            tenant,
            at(10, 1),
            Counts {
                clicks_received: 3,
                clicks_lost: 1,
                ..Counts::default()
            },
        );
        let buckets = tally.take();
        assert_eq!(buckets.len(), 2);
        assert_eq!(
            buckets[&(tenant, hour_of(at(9, 30)))],
            Counts {
                conversion_reports: 2,
                conversion_reports_failed: 1,
                ..Counts::default()
            }
        );
        assert_eq!(buckets[&(tenant, hour_of(at(10, 0)))].clicks_lost, 1);
        assert_eq!(
            hour_of(at(10, 59)),
            at(10, 0) - chrono::TimeDelta::seconds(7)
        );
        assert!(tally.take().is_empty(), "taking empties the tally");
    }
}
