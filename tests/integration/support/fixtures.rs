//! Fixture files, compiled into the test binary so tests never read outside the repository.

/// A sample RSS 2.0 feed.
pub const FEED_RSS: &str = include_str!("../../fixtures/feeds/feed.rss.xml");

/// A sample Atom feed.
pub const FEED_ATOM: &str = include_str!("../../fixtures/feeds/feed.atom.xml");

/// The test certificate authority and the https feed server's certificate and key (see
/// `tests/fixtures/tls/README.md`).
pub const TLS_CA_PEM: &str = include_str!("../../fixtures/tls/ca.pem");
pub const TLS_SERVER_PEM: &str = include_str!("../../fixtures/tls/server.pem");
pub const TLS_SERVER_KEY: &str = include_str!("../../fixtures/tls/server.key");

/// The machine-readable Telegram Bot API description (see `tests/fixtures/telegram-bot-api/README.md`).
pub const BOT_API_SPEC_JSON: &str = include_str!("../../fixtures/telegram-bot-api/api.min.json");
