//! Domain operations over a connection or a transaction, shared by the API and the job runtime:
//! each lives here once, beside the tables it reads and the pure rules (`domain`) it applies.
//! The rest of the operations still live in `api/src/services` and move here one by one
//! (issue 17).

pub mod counts;
pub mod crypto;
pub mod emails;
pub mod error;
pub mod experiments;
pub mod fraud;
pub mod import;
pub mod jobs;
pub mod ledger;
pub mod outbox;
pub mod participants;
pub mod payouts;
pub mod rollups;
pub mod secrets;
pub mod share;
pub mod webhook_events;
