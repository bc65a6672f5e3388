//! The job kinds. Each is one serde struct carrying ids and one async handler.

pub mod launch;
pub mod validate;

pub use crate::email::send::SendEmail;
pub use launch::LaunchCampaign;

use crate::runner::Registry;

/// Every job kind this build knows.
pub fn registry() -> Registry {
    Registry::default()
        .register::<LaunchCampaign>()
        .register::<SendEmail>()
}
