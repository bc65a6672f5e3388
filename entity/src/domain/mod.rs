//! The pure domain rules of Grapevine: parsers, money, codes, templates, eligibility, bucketing,
//! campaign lifecycle, goals, reward maths and the clock.
//!
//! Nothing here touches a database, a queue or HTTP; everything is plain data and plain functions
//! so the api and the worker share one definition of each rule and it is unit-tested in isolation.

pub mod api_key;
pub mod attribution;
pub mod audience;
pub mod bucket;
pub mod calendar;
pub mod campaign;
pub mod campaign_draft;
pub mod clock;
pub mod code;
pub mod cohorts;
pub mod counts;
pub mod customer_token;
pub mod email;
pub mod error;
pub mod fraud;
pub mod goals;
pub mod hll;
pub mod ids;
pub mod insights;
pub mod money;
pub mod participant;
pub mod password;
pub mod report;
pub mod reward;
pub mod share;
pub mod stats;
pub mod template;
pub mod trace;
pub mod webhook_signing;
pub mod webhook_target;

pub use error::{FieldError, FieldErrors};
