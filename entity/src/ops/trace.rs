//! The trace a piece of work belongs to, carried through the async call chain: the HTTP layer
//! scopes each request in the caller's trace (or a new one), the job runner scopes each job in the
//! trace stored with its outbox row, and `outbox::enqueue` stores the current one with every job it
//! writes — so a request, the jobs it caused and the jobs those caused share one trace id.

use std::future::Future;

pub use crate::domain::trace::TraceParent;

tokio::task_local! {
    static CURRENT: TraceParent;
}

/// The trace context of the work running now, if it runs inside [`scope`].
pub fn current() -> Option<TraceParent> {
    CURRENT.try_with(|tp| *tp).ok()
}

/// Run `work` as part of `trace` (jobs it enqueues carry it on).
pub async fn scope<F: Future>(trace: TraceParent, work: F) -> F::Output {
    CURRENT.scope(trace, work).await
}
