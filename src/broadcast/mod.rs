//! The one door out: a worker that drains the delivery queue into Telegram at the rates
//! Telegram allows, and records how every send ended.

mod limiter;
mod media;
mod notices;
mod sender;
mod worker;

pub use limiter::{ChatSpacing, RateLimiter};
pub use notices::relay_feed_notices;
pub use sender::{SendOutcome, classify};
pub use worker::{Clock, Settled, Step, Worker, WorkerConfig};
