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

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use grapevine_entity::tables::{Channel, clicks};
use prometheus::{IntCounter, Registry};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

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
}

impl ClickSink {
    /// Queue a click; never waits. Returns false when it had to be dropped.
    pub fn record(&self, click: NewClick) -> bool {
        // The permit is given back by the writer once the click's insert has finished.
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

/// Start the writer task; it stops, after flushing, when `stop` is cancelled.
pub fn spawn(
    db: DatabaseConnection,
    settings: WriterSettings,
    metrics: ClickMetrics,
    stop: CancellationToken,
) -> (ClickSink, tokio::task::JoinHandle<()>) {
    // Unbounded in itself: the semaphore bounds what it can hold.
    let (tx, rx) = mpsc::unbounded_channel();
    let room = Arc::new(Semaphore::new(settings.capacity.max(1)));
    let writer = Writer {
        db,
        metrics: metrics.clone(),
        room: room.clone(),
    };
    let handle = tokio::spawn(run(writer, rx, settings, stop));
    (ClickSink { tx, room, metrics }, handle)
}

/// What a batch write needs.
#[derive(Clone)]
struct Writer {
    db: DatabaseConnection,
    metrics: ClickMetrics,
    room: Arc<Semaphore>,
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
        self.insert(batch).await;
        self.room.add_permits(n);
    }

    async fn insert(&self, batch: Vec<NewClick>) {
        let (db, metrics) = (&self.db, &self.metrics);
        if batch.is_empty() {
            return;
        }
        let rows: Vec<clicks::ActiveModel> = batch
            .iter()
            .map(|c| clicks::ActiveModel {
                id: Set(c.id),
                tenant_id: Set(c.tenant_id),
                campaign_id: Set(c.campaign_id),
                link_id: Set(c.link_id),
                channel: Set(c.channel),
                visitor_hash: Set(c.visitor_hash.clone()),
                created_at: Set(c.at),
            })
            .collect();
        let n = rows.len() as u64;
        // A failed insert is retried a few times (the database may be restarting); after that the
        // batch is dropped and counted, so clicks never pile up without bound in memory.
        for attempt in 1..=5u64 {
            match clicks::Entity::insert_many(rows.clone())
                .exec_without_returning(db)
                .await
            {
                Ok(_) => {
                    metrics.recorded.inc_by(n);
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, attempt, clicks = n, "writing clicks failed");
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
            }
        }
        metrics.dropped.inc_by(n);
    }
}
