//! Test support for the integration tests: fakes of the outside world the bot talks to.
//!
//! - [`fake_telegram`]: a fake Telegram Bot API server that checks every request against the
//!   published Bot API contract ([`bot_api_spec`]) and Telegram's HTML rules ([`telegram_html`]).
//! - [`feed_server`]: a local HTTP server for RSS/Atom feeds with ETag / Last-Modified support.
//! - [`fixtures`]: the sample feeds, compiled into the test binary.

// Not every test uses every helper.
#![allow(dead_code)]

pub mod bot_api_spec;
pub mod fake_telegram;
pub mod feed_server;
pub mod fixtures;
pub mod incoming_media;
pub mod telegram_html;
