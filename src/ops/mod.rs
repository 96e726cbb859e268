//! Operations: the `/healthz` and `/metrics` listener, and the functions other rooms call to
//! count what they do. The recording functions only touch the metrics registry, so any room
//! may call them; without an installed recorder (CLI commands, unit tests) they do nothing.

mod health;
mod link;
mod metrics;
mod probe;
mod server;

pub use health::{Health, HealthReport, UpdateSource};
pub use link::TelegramLink;
pub use metrics::{
    DeliveryOutcome, FeedPollResult, install_recorder, record_delivery, record_feed_poll,
};
pub use probe::{ProbeError, check_health};
pub use server::{OpsError, OpsServer};
