//! Email: the SMTP (or log-only) mailer, signed unsubscribe links, and the at-most-once send.

pub mod links;
pub mod mailer;
pub mod notices;
pub mod send;

pub use links::{UnsubscribeToken, referral_url};
pub use mailer::{Mailer, OutgoingEmail, SendFailure};
