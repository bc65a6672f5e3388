//! Email: the SMTP (or log-only) mailer and the at-most-once send. Recording an email, its links
//! and the suppression list are domain operations (`grapevine_entity::ops::emails`).

pub mod mailer;
pub mod send;

pub use grapevine_entity::ops::emails::{UnsubscribeToken, notices, referral_url};
pub use mailer::{Mailer, OutgoingEmail, SendFailure};
