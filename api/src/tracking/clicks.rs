//! The bounded click batch writer. The redirect hands each counted click to a channel and answers
//! at once; one task turns what has queued up into a multi-row insert every few milliseconds (a
//! single-row insert per click would cost a WAL flush each).
//!
//! Back-pressure: at most `capacity` clicks are accepted and not yet written, counting those
//! queued, those gathering into a batch and those in an insert under way (each holds a permit of
//! one semaphore until its insert has committed). When the database is slower than the clicks for
//! long enough to use every permit, further clicks are dropped (counted in
//! `grapevine_clicks_dropped_total`, and the redirect then carries no `gv_click`) and the redirect
//! still answers: a visitor is never made to wait for our bookkeeping. A graceful shutdown
//! flushes everything; a crash loses at most `capacity` acknowledged clicks.
//!
//! Every click the redirect counted is also tallied as received, per tenant and hour, and every
//! click dropped as lost ([`super::tally`]); the writer's task adds the tally to the database
//! about once a second, so tracking accuracy (stored vs received) has an honest denominator.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{Channel, clicks};
use prometheus::{IntCounter, Registry};
use sea_orm::{
    ActiveValue::Set, DatabaseConnection, DbBackend, EntityTrait, sqlx::postgres::PgPoolCopyExt,
};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::tally::{Counts, Tally};

/// How often the writer adds the received/lost tally to the database.
const TALLY_EVERY: Duration = Duration::from_secs(1);

/// A click to store.
#[derive(Debug, Clone)]
pub struct NewClick {
    /// Click id (`gv_click`).
    pub id: Uuid,
    /// Tenant.
    pub tenant_id: Uuid,
    /// Campaign.
    pub campaign_id: Uuid,
    /// Link.
    pub link_id: Uuid,
    /// Channel.
    pub channel: Option<Channel>,
    /// Keyed visitor hash.
    pub visitor_hash: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// Counters of the writer.
#[derive(Clone)]
pub struct ClickMetrics {
    /// Clicks written.
    pub recorded: IntCounter,
    /// Clicks dropped because the buffer was full.
    pub dropped: IntCounter,
}

impl ClickMetrics {
    /// Create and register.
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let recorded = IntCounter::new(
            "grapevine_clicks_recorded_total",
            "Clicks written to the database",
        )?;
        let dropped = IntCounter::new(
            "grapevine_clicks_dropped_total",
            "Clicks dropped because the click buffer was full",
        )?;
        registry.register(Box::new(recorded.clone()))?;
        registry.register(Box::new(dropped.clone()))?;
        Ok(Self { recorded, dropped })
    }
}

/// The sending side, held by the HTTP handlers.
#[derive(Clone)]
pub struct ClickSink {
    tx: mpsc::UnboundedSender<NewClick>,
    /// One permit per click that may be accepted and not yet written.
    room: Arc<Semaphore>,
    metrics: ClickMetrics,
    tally: Tally,
}

impl ClickSink {
    /// Queue a click; never waits. Returns false when it had to be dropped.
    pub fn record(&self, click: NewClick) -> bool {
        // The permit is given back by the writer once the click's insert has finished.
        let (tenant_id, at) = (click.tenant_id, click.at);
        let accepted = match self.room.try_acquire() {
            Ok(permit) => {
                permit.forget();
                if self.tx.send(click).is_ok() {
                    true
                } else {
                    self.room.add_permits(1);
                    false
                }
            }
            Err(_) => false,
        };
        if !accepted {
            self.metrics.dropped.inc();
            self.tally.add(
                tenant_id,
                at,
                Counts {
                    clicks_received: 1,
                    clicks_lost: 1,
                    ..Counts::default()
                },
            );
        }
        accepted
    }
}

/// Writer settings.
#[derive(Debug, Clone, Copy)]
pub struct WriterSettings {
    /// Channel capacity.
    pub capacity: usize,
    /// Most rows per insert.
    pub batch: usize,
    /// Longest wait before a partial batch is written.
    pub flush_every: Duration,
    /// Batches written at once.
    pub writers: usize,
}

/// Start the writer task; it stops, after flushing the clicks and then the tally, when `stop` is
/// cancelled.
pub fn spawn(
    db: DatabaseConnection,
    settings: WriterSettings,
    metrics: ClickMetrics,
    tally: Tally,
    stop: CancellationToken,
) -> (ClickSink, tokio::task::JoinHandle<()>) {
    // Unbounded in itself: the semaphore bounds what it can hold.
    let (tx, rx) = mpsc::unbounded_channel();
    let room = Arc::new(Semaphore::new(settings.capacity.max(1)));
    let writer = Writer {
        db: db.clone(),
        metrics: metrics.clone(),
        room: room.clone(),
        tally: tally.clone(),
    };
    let handle = tokio::spawn({
        let tally = tally.clone();
        async move {
            let ticker_stop = CancellationToken::new();
            let ticker = tokio::spawn(flush_tally_every(
                db.clone(),
                tally.clone(),
                ticker_stop.clone(),
            ));
            run(writer, rx, settings, stop).await;
            ticker_stop.cancel();
            let _ = ticker.await;
            if let Err(err) = tally.flush(&db).await {
                tracing::warn!(error = %err, "writing the tracking tally at shutdown failed");
            }
        }
    });
    (
        ClickSink {
            tx,
            room,
            metrics,
            tally,
        },
        handle,
    )
}

async fn flush_tally_every(db: DatabaseConnection, tally: Tally, stop: CancellationToken) {
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(TALLY_EVERY) => {}
        }
        if let Err(err) = tally.flush(&db).await {
            tracing::warn!(error = %err, "writing the tracking tally failed; kept for the next try");
        }
    }
}

/// What a batch write needs.
#[derive(Clone)]
struct Writer {
    db: DatabaseConnection,
    metrics: ClickMetrics,
    room: Arc<Semaphore>,
    tally: Tally,
}

async fn run(
    writer: Writer,
    mut rx: mpsc::UnboundedReceiver<NewClick>,
    settings: WriterSettings,
    stop: CancellationToken,
) {
    // Up to `writers` batches are written at once: one insert at a time cannot keep up with a
    // burst (a multi-row insert is bound by the database's round trip, not by our CPU).
    let mut in_flight = tokio::task::JoinSet::new();
    let writers = settings.writers.max(1);
    loop {
        let mut batch = Vec::with_capacity(settings.batch);
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            n = rx.recv_many(&mut batch, settings.batch) => {
                if n == 0 {
                    break;
                }
            }
        }
        // Give a burst a moment to fill the batch, then write it.
        if batch.len() < settings.batch {
            let deadline = tokio::time::sleep(settings.flush_every);
            tokio::pin!(deadline);
            while batch.len() < settings.batch {
                let room = settings.batch - batch.len();
                tokio::select! {
                    () = &mut deadline => break,
                    n = rx.recv_many(&mut batch, room) => if n == 0 { break },
                }
            }
        }
        while in_flight.len() >= writers {
            in_flight.join_next().await;
        }
        in_flight.spawn(writer.clone().write(batch));
    }
    // Shutting down: take what is queued and write it, then wait for every write.
    rx.close();
    loop {
        let mut batch = Vec::with_capacity(settings.batch);
        if rx.recv_many(&mut batch, settings.batch).await == 0 {
            break;
        }
        while in_flight.len() >= writers {
            in_flight.join_next().await;
        }
        in_flight.spawn(writer.clone().write(batch));
    }
    while in_flight.join_next().await.is_some() {}
}

impl Writer {
    /// Insert a batch, then give its clicks' permits back.
    async fn write(self, batch: Vec<NewClick>) {
        let n = batch.len();
        let stored = self.insert(&batch).await;
        self.tally_batch(&batch, stored);
        self.room.add_permits(n);
    }

    /// Tally the batch as received (and as lost when it could not be stored).
    fn tally_batch(&self, batch: &[NewClick], stored: bool) {
        let mut per_hour: std::collections::HashMap<(Uuid, DateTime<Utc>), i64> =
            std::collections::HashMap::new();
        for click in batch {
            *per_hour
                .entry((click.tenant_id, super::tally::hour_of(click.at)))
                .or_default() += 1;
        }
        for ((tenant_id, hour), n) in per_hour {
            self.tally.add(
                tenant_id,
                hour,
                Counts {
                    clicks_received: n,
                    clicks_lost: if stored { 0 } else { n },
                    ..Counts::default()
                },
            );
        }
    }

    /// Store a batch; false when it was given up on.
    async fn insert(&self, batch: &[NewClick]) -> bool {
        let (db, metrics) = (&self.db, &self.metrics);
        if batch.is_empty() {
            return true;
        }
        let n = batch.len() as u64;
        // A failed write is retried a few times (the database may be restarting); after that the
        // batch is dropped and counted, so clicks never pile up without bound in memory. Either
        // way a batch is one statement: all of it is stored or none.
        for attempt in 1..=5u64 {
            let written = match db.get_database_backend() {
                DbBackend::Postgres => copy_in(db, batch).await,
                _ => insert_many(db, batch).await,
            };
            match written {
                Ok(()) => {
                    metrics.recorded.inc_by(n);
                    return true;
                }
                Err(err) => {
                    tracing::warn!(error = %err, attempt, clicks = n, "writing clicks failed");
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
            }
        }
        metrics.dropped.inc_by(n);
        false
    }
}

/// PostgreSQL: one `COPY … FROM STDIN` per batch (text format), several times cheaper for the
/// server than a multi-row INSERT with seven bind parameters a row.
async fn copy_in(db: &DatabaseConnection, batch: &[NewClick]) -> Result<(), String> {
    let mut copy = db
        .get_postgres_connection_pool()
        .copy_in_raw(
            "COPY clicks (id, tenant_id, campaign_id, link_id, channel, visitor_hash, created_at) \
             FROM STDIN",
        )
        .await
        .map_err(|e| e.to_string())?;
    if let Err(err) = copy.send(copy_text(batch)).await {
        // Give the connection back in a usable state; the batch is retried whole.
        let _ = copy.abort(err.to_string()).await;
        return Err(err.to_string());
    }
    copy.finish().await.map(drop).map_err(|e| e.to_string())
}

/// The batch in COPY's text format: tab-separated columns, `\N` for NULL, a row per line. Every
/// value is a UUID, a channel name, a hex digest or a timestamp: none holds a tab, a newline or a
/// backslash, so nothing needs escaping.
fn copy_text(batch: &[NewClick]) -> Vec<u8> {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(batch.len() * 192);
    for c in batch {
        debug_assert!(c.visitor_hash.bytes().all(|b| b.is_ascii_alphanumeric()));
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            c.id,
            c.tenant_id,
            c.campaign_id,
            c.link_id,
            c.channel.map_or("\\N", |ch| ch.as_str()),
            c.visitor_hash,
            c.at.format("%Y-%m-%d %H:%M:%S%.6f+00"),
        );
    }
    out.into_bytes()
}

/// Other databases (SQLite): a multi-row INSERT.
async fn insert_many(db: &DatabaseConnection, batch: &[NewClick]) -> Result<(), String> {
    let rows = batch.iter().map(|c| clicks::ActiveModel {
        id: Set(c.id),
        tenant_id: Set(c.tenant_id),
        campaign_id: Set(c.campaign_id),
        link_id: Set(c.link_id),
        channel: Set(c.channel),
        visitor_hash: Set(c.visitor_hash.clone()),
        created_at: Set(c.at),
    });
    clicks::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_writes_one_tab_separated_line_per_click_with_null_for_no_channel() {
        let at = DateTime::parse_from_rfc3339("2026-11-24T12:00:01.5Z")
            .unwrap()
            .with_timezone(&Utc);
        let click = |channel| NewClick {
            id: Uuid::nil(),
            tenant_id: Uuid::max(),
            campaign_id: Uuid::nil(),
            link_id: Uuid::max(),
            channel,
            visitor_hash: "0123abcd".into(),
            at,
        };
        let text =
            String::from_utf8(copy_text(&[click(Some(Channel::Email)), click(None)])).unwrap();
        let nil = Uuid::nil();
        let max = Uuid::max();
        assert_eq!(
            text,
            format!(
                "{nil}\t{max}\t{nil}\t{max}\temail\t0123abcd\t2026-11-24 12:00:01.500000+00\n\
                 {nil}\t{max}\t{nil}\t{max}\t\\N\t0123abcd\t2026-11-24 12:00:01.500000+00\n"
            )
        );
    }
}
