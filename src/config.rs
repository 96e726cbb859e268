//! One typed [`Settings`] struct, read once from the environment (and `.env`, via dotenvy).
//! Every error names the variable, because the person reading it is an operator
//! with a terminal, not a Rust programmer.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::domain::{FeedPolicy, Lang};

/// One variable jarchi reads, and how `jarchi config check` shows its effective value.
pub struct Variable {
    pub name: &'static str,
    /// None: not shown (read outside [`Settings`], or meaningless in this mode).
    show: fn(&Settings) -> Option<String>,
}

/// Every variable jarchi reads, in the order `jarchi config check` prints them. The one
/// list: a test holds `.env.example` and the README's table to the same names.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "TELOXIDE_TOKEN",
        show: |s| Some(s.token.to_string()),
    },
    Variable {
        name: "TELOXIDE_API_URL",
        show: |s| {
            Some(
                s.api_url
                    .as_ref()
                    .map_or("(Telegram)", url::Url::as_str)
                    .into(),
            )
        },
    },
    Variable {
        name: "DATABASE_URL",
        show: |s| Some(s.database_url.clone()),
    },
    Variable {
        name: "ADMIN_IDS",
        show: |s| Some(list_or_none(s.admin_ids.iter().map(u64::to_string))),
    },
    Variable {
        name: "FEED_URLS",
        show: |s| Some(list_or_none(s.feed_urls.iter().map(url::Url::to_string))),
    },
    Variable {
        name: "POLL_INTERVAL_SECS",
        show: |s| Some(s.poll_interval.as_secs().to_string()),
    },
    Variable {
        name: "FEED_USER_AGENT",
        show: |s| Some(s.feed_user_agent.clone()),
    },
    Variable {
        name: "FEED_ALLOW_HTTP",
        show: |s| Some(s.feed_policy.allow_http.to_string()),
    },
    Variable {
        name: "FEED_ALLOW_PRIVATE",
        show: |s| Some(s.feed_policy.allow_private.to_string()),
    },
    Variable {
        name: "FEED_MAX_NEW_PER_POLL",
        show: |s| Some(s.feed_max_new_per_poll.to_string()),
    },
    Variable {
        name: "BROADCAST_RATE",
        show: |s| Some(s.broadcast_rate.to_string()),
    },
    Variable {
        name: "DEFAULT_LANG",
        show: |s| Some(s.default_lang.code().to_string()),
    },
    Variable {
        name: "CHANNEL_ID",
        show: |s| {
            Some(
                s.channel_id
                    .map_or_else(|| "(none)".into(), |id| id.to_string()),
            )
        },
    },
    Variable {
        name: "OPS_LISTEN",
        show: |s| {
            Some(
                s.ops_listen
                    .map_or_else(|| "(disabled)".into(), |a| a.to_string()),
            )
        },
    },
    Variable {
        name: "WEBHOOK_URL",
        show: |s| {
            Some(
                s.webhook
                    .as_ref()
                    .map_or_else(|| "(unset: long polling)".into(), |w| w.url.to_string()),
            )
        },
    },
    Variable {
        name: "WEBHOOK_LISTEN",
        show: |s| s.webhook.as_ref().map(|w| w.listen.to_string()),
    },
    Variable {
        name: "WEBHOOK_SECRET",
        show: |s| {
            s.webhook.as_ref().map(|w| {
                let note = if w.secret_generated {
                    " (random at each start)"
                } else {
                    ""
                };
                format!("{}{note}", w.secret)
            })
        },
    },
    Variable {
        name: "DELIVERY_RETENTION_DAYS",
        show: |s| Some((s.delivery_retention.as_secs() / 86_400).to_string()),
    },
    Variable {
        name: "DELIVERY_GIVE_UP_HOURS",
        show: |s| Some((s.delivery_give_up.as_secs() / 3600).to_string()),
    },
    Variable {
        name: "PUBLISH_APPROVALS",
        show: |s| Some(s.publish_approvals.count().to_string()),
    },
    // Read by `telemetry` before anything else, so not part of Settings.
    Variable {
        name: "LOG_FORMAT",
        show: |_| None,
    },
    Variable {
        name: "RUST_LOG",
        show: |_| None,
    },
];

fn list_or_none(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(",")
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Settings {
    pub token: Secret,
    pub api_url: Option<url::Url>,
    pub database_url: String,
    pub admin_ids: Vec<u64>,
    /// Whether a second admin must approve what one admin publishes, edits or deletes.
    pub publish_approvals: Approvals,
    pub feed_urls: Vec<url::Url>,
    pub poll_interval: Duration,
    pub feed_user_agent: String,
    /// Not an environment variable: 30 s suits any real site. Tests shorten it.
    pub feed_timeout: Duration,
    /// How long a feed fails before admins are told. Not an environment variable (the
    /// issue fixes it at an hour); tests shorten it.
    pub feed_alert_after: Duration,
    /// Where feeds may be fetched from (FEED_ALLOW_HTTP, FEED_ALLOW_PRIVATE).
    pub feed_policy: FeedPolicy,
    pub feed_max_new_per_poll: usize,
    /// Not an environment variable: PEM certificate authorities the feed client trusts
    /// besides the usual ones, so that tests can serve https on loopback.
    pub feed_extra_roots: Vec<String>,
    pub broadcast_rate: u32,
    pub default_lang: Lang,
    pub channel_id: Option<i64>,
    /// None: the ops listener is disabled.
    pub ops_listen: Option<SocketAddr>,
    /// None: long polling.
    pub webhook: Option<Webhook>,
    pub delivery_retention: Duration,
    /// A delivery that keeps failing in ways that may pass is given up this long after it
    /// was queued.
    pub delivery_give_up: Duration,
    /// How many commands, button presses and inline queries one user may send. Not an
    /// environment variable (the README explains the figures); tests loosen it.
    pub fair_use: FairUse,
}

/// How many admins a publish, an edit or a delete takes (PUBLISH_APPROVALS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approvals {
    /// The admin who asks is enough: today's behaviour.
    #[default]
    One,
    /// A different admin must press Approve first.
    Two,
}

impl Approvals {
    pub fn count(self) -> u8 {
        match self {
            Approvals::One => 1,
            Approvals::Two => 2,
        }
    }
}

/// A token bucket per user: `burst` at once, then one more every `refill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FairUse {
    pub burst: u32,
    pub refill: Duration,
}

impl Default for FairUse {
    /// Five at once covers a person tapping through a list (open, next, next, back, open);
    /// one every two seconds is faster than anyone reads a reply, so only a script or a
    /// stuck key meets the limit.
    fn default() -> Self {
        Self {
            burst: 5,
            refill: Duration::from_secs(2),
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: url::Url,
    pub listen: SocketAddr,
    pub secret: Secret,
    /// True when WEBHOOK_SECRET was unset and a random one was made for this run.
    pub secret_generated: bool,
}

/// A value that must never reach a log line: its `Debug` and `Display` print a mask.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("token", &self.token)
            .field("api_url", &self.api_url.as_ref().map(url::Url::as_str))
            .field("database_url", &self.database_url)
            .field("admin_ids", &self.admin_ids.len())
            .field("publish_approvals", &self.publish_approvals)
            .field(
                "feed_urls",
                &self
                    .feed_urls
                    .iter()
                    .map(url::Url::as_str)
                    .collect::<Vec<_>>(),
            )
            .field("poll_interval", &self.poll_interval)
            .field("feed_user_agent", &self.feed_user_agent)
            .field("feed_timeout", &self.feed_timeout)
            .field("feed_alert_after", &self.feed_alert_after)
            .field("feed_policy", &self.feed_policy)
            .field("feed_max_new_per_poll", &self.feed_max_new_per_poll)
            .field("feed_extra_roots", &self.feed_extra_roots.len())
            .field("broadcast_rate", &self.broadcast_rate)
            .field("default_lang", &self.default_lang)
            .field("channel_id", &self.channel_id)
            .field("ops_listen", &self.ops_listen)
            .field("webhook", &self.webhook)
            .field("delivery_retention", &self.delivery_retention)
            .field("delivery_give_up", &self.delivery_give_up)
            .field("fair_use", &self.fair_use)
            .finish()
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .field("listen", &self.listen)
            .field("secret", &self.secret)
            .field("secret_generated", &self.secret_generated)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{var} is not set: {hint}")]
    Missing {
        var: &'static str,
        hint: &'static str,
    },
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

/// Telegram refuses more than about 30 messages a second from one bot.
const MAX_BROADCAST_RATE: u32 = 30;

impl Settings {
    /// Reads `.env` (if present) and then the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        load_dotenv()?;
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Self::from_vars(|name| vars.get(name).cloned())
    }

    /// The parsing itself, over any lookup, so tests need not touch the process environment.
    /// One function per group of variables; each error names its variable.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let value = |var: &'static str| {
            get(var)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let (token, api_url) = read_telegram(&value)?;
        let database_url = read_database(&value)?;
        let admin_ids = read_admin_ids(&value)?;
        let publish_approvals = read_approvals(&value)?;
        let feeds = read_feeds(&value)?;
        let broadcast_rate = read_broadcast_rate(&value)?;
        let (default_lang, channel_id) = read_audience(&value)?;
        // Raw: unset (the default listener) and empty (none) differ here.
        let ops_listen = parse_ops_listen(get("OPS_LISTEN"))?;
        let webhook = read_webhook(&value)?;
        let deliveries = read_deliveries(&value)?;
        Ok(Settings {
            token,
            api_url,
            database_url,
            admin_ids,
            publish_approvals,
            feed_urls: feeds.urls,
            poll_interval: feeds.poll_interval,
            feed_user_agent: feeds.user_agent,
            feed_timeout: Duration::from_secs(30),
            feed_alert_after: Duration::from_secs(3600),
            feed_policy: feeds.policy,
            feed_max_new_per_poll: feeds.max_new_per_poll,
            feed_extra_roots: Vec::new(),
            broadcast_rate,
            default_lang,
            channel_id,
            ops_listen,
            webhook,
            delivery_retention: deliveries.retention,
            delivery_give_up: deliveries.give_up,
            fair_use: FairUse::default(),
        })
    }

    /// Every value that must be masked wherever it could be printed.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.token.expose().to_string()];
        if let Some(webhook) = &self.webhook {
            secrets.push(webhook.secret.expose().to_string());
        }
        secrets
    }

    /// The effective configuration, one `NAME=value` line per variable of [`VARIABLES`],
    /// secrets masked: what `jarchi config check` prints.
    pub fn describe(&self) -> String {
        VARIABLES
            .iter()
            .filter_map(|var| Some(format!("{}={}", var.name, (var.show)(self)?)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Only the database location, for the commands that need no bot (`migrate`, `import`).
    pub fn database_url_from_env() -> Result<String, ConfigError> {
        load_dotenv()?;
        let url = std::env::var("DATABASE_URL")
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        check_database_url(&url)?;
        Ok(url)
    }

    /// Only where feeds may be fetched from, for `jarchi import` (which needs no token).
    pub fn feed_policy_from_env() -> Result<FeedPolicy, ConfigError> {
        load_dotenv()?;
        parse_feed_policy(&|var| std::env::var(var).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Only the ops address, for `jarchi healthcheck` (which needs no token).
    pub fn ops_listen_from_env() -> Result<Option<SocketAddr>, ConfigError> {
        load_dotenv()?;
        parse_ops_listen(std::env::var("OPS_LISTEN").ok())
    }

    pub fn is_admin(&self, user_id: u64) -> bool {
        self.admin_ids.contains(&user_id)
    }
}

/// A variable's trimmed value; None when unset or blank.
type Lookup<'a> = &'a dyn Fn(&'static str) -> Option<String>;

/// TELOXIDE_TOKEN and TELOXIDE_API_URL.
fn read_telegram(value: Lookup) -> Result<(Secret, Option<url::Url>), ConfigError> {
    let token = value("TELOXIDE_TOKEN").ok_or(ConfigError::Missing {
        var: "TELOXIDE_TOKEN",
        hint: "put the token @BotFather gave you into .env (see .env.example)",
    })?;
    validate_token(&token)?;
    let api_url = value("TELOXIDE_API_URL")
        .map(|raw| parse_http_url("TELOXIDE_API_URL", &raw))
        .transpose()?;
    Ok((Secret::new(token), api_url))
}

/// DATABASE_URL.
fn read_database(value: Lookup) -> Result<String, ConfigError> {
    let database_url = value("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
    check_database_url(&database_url)?;
    Ok(database_url)
}

/// ADMIN_IDS.
fn read_admin_ids(value: Lookup) -> Result<Vec<u64>, ConfigError> {
    split_list(value("ADMIN_IDS"))
        .map(|id| {
            id.parse::<u64>().map_err(|_| ConfigError::Invalid {
                var: "ADMIN_IDS",
                reason: format!("{id:?} is not a numeric Telegram user id"),
            })
        })
        .collect()
}

/// PUBLISH_APPROVALS: 1 (the default) or 2.
fn read_approvals(value: Lookup) -> Result<Approvals, ConfigError> {
    match value("PUBLISH_APPROVALS").as_deref() {
        None | Some("1") => Ok(Approvals::One),
        Some("2") => Ok(Approvals::Two),
        Some(other) => Err(ConfigError::Invalid {
            var: "PUBLISH_APPROVALS",
            reason: format!(
                "{other:?} is neither 1 (an admin publishes alone) nor 2 (a second admin approves)"
            ),
        }),
    }
}

struct Feeds {
    urls: Vec<url::Url>,
    policy: FeedPolicy,
    max_new_per_poll: usize,
    poll_interval: Duration,
    user_agent: String,
}

/// FEED_ALLOW_HTTP, FEED_ALLOW_PRIVATE, FEED_URLS (checked against those two),
/// FEED_MAX_NEW_PER_POLL, POLL_INTERVAL_SECS and FEED_USER_AGENT.
fn read_feeds(value: Lookup) -> Result<Feeds, ConfigError> {
    let policy = parse_feed_policy(value)?;
    let urls = split_list(value("FEED_URLS"))
        .map(|u| {
            let url = parse_http_url("FEED_URLS", &u)?;
            policy
                .check_url(url.as_str())
                .map_err(|refusal| ConfigError::Invalid {
                    var: "FEED_URLS",
                    reason: refusal.to_string(),
                })?;
            Ok(url)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let max_new_per_poll = parse_number(
        "FEED_MAX_NEW_PER_POLL",
        value("FEED_MAX_NEW_PER_POLL"),
        5,
        0..=1000,
    )? as usize;
    let poll_secs = parse_number(
        "POLL_INTERVAL_SECS",
        value("POLL_INTERVAL_SECS"),
        300,
        10..=86_400,
    )?;
    let user_agent = match value("FEED_USER_AGENT") {
        None => DEFAULT_FEED_USER_AGENT.to_string(),
        // A header value cannot carry control characters; refusing them here beats
        // every request failing later.
        Some(ua) if ua.chars().any(char::is_control) || !ua.is_ascii() => {
            return Err(ConfigError::Invalid {
                var: "FEED_USER_AGENT",
                reason: "it must be printable ASCII on one line".to_string(),
            });
        }
        Some(ua) => ua,
    };
    Ok(Feeds {
        urls,
        policy,
        max_new_per_poll,
        poll_interval: Duration::from_secs(poll_secs),
        user_agent,
    })
}

/// BROADCAST_RATE.
fn read_broadcast_rate(value: Lookup) -> Result<u32, ConfigError> {
    let rate = parse_number(
        "BROADCAST_RATE",
        value("BROADCAST_RATE"),
        25,
        1..=u64::from(MAX_BROADCAST_RATE),
    )?;
    Ok(rate as u32)
}

/// DEFAULT_LANG and CHANNEL_ID: who hears the bot beyond the people who write to it.
fn read_audience(value: Lookup) -> Result<(Lang, Option<i64>), ConfigError> {
    let default_lang = match value("DEFAULT_LANG") {
        None => Lang::Fa,
        Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
            var: "DEFAULT_LANG",
            reason: format!("{v:?} is not fa or en"),
        })?,
    };
    let channel_id = value("CHANNEL_ID")
        .map(|v| {
            v.parse::<i64>()
                .ok()
                .filter(|id| *id < 0)
                .ok_or(ConfigError::Invalid {
                    var: "CHANNEL_ID",
                    reason: format!(
                        "{v:?} is not a channel id (a negative number such as -1001234567890)"
                    ),
                })
        })
        .transpose()?;
    Ok((default_lang, channel_id))
}

/// WEBHOOK_URL, and with it WEBHOOK_LISTEN and WEBHOOK_SECRET; None: long polling.
fn read_webhook(value: Lookup) -> Result<Option<Webhook>, ConfigError> {
    let Some(raw) = value("WEBHOOK_URL") else {
        return Ok(None);
    };
    let url = parse_http_url("WEBHOOK_URL", &raw)?;
    let listen = parse_socket_addr(
        "WEBHOOK_LISTEN",
        value("WEBHOOK_LISTEN")
            .as_deref()
            .unwrap_or(DEFAULT_WEBHOOK_LISTEN),
    )?;
    let (secret, secret_generated) = match value("WEBHOOK_SECRET") {
        Some(secret) => (check_webhook_secret(secret)?, false),
        None => (generate_webhook_secret()?, true),
    };
    Ok(Some(Webhook {
        url,
        listen,
        secret: Secret::new(secret),
        secret_generated,
    }))
}

struct Deliveries {
    retention: Duration,
    give_up: Duration,
}

/// DELIVERY_RETENTION_DAYS and DELIVERY_GIVE_UP_HOURS.
fn read_deliveries(value: Lookup) -> Result<Deliveries, ConfigError> {
    let retention_days = parse_number(
        "DELIVERY_RETENTION_DAYS",
        value("DELIVERY_RETENTION_DAYS"),
        30,
        1..=3650,
    )?;
    let give_up_hours = parse_number(
        "DELIVERY_GIVE_UP_HOURS",
        value("DELIVERY_GIVE_UP_HOURS"),
        24,
        1..=720,
    )?;
    Ok(Deliveries {
        retention: Duration::from_secs(retention_days * 86_400),
        give_up: Duration::from_secs(give_up_hours * 3600),
    })
}

const DEFAULT_DATABASE_URL: &str = "sqlite://jarchi.db";
const DEFAULT_OPS_LISTEN: &str = "127.0.0.1:9898";
const DEFAULT_WEBHOOK_LISTEN: &str = "0.0.0.0:8443";

/// Unset means the default; set but empty means "no ops listener".
fn parse_ops_listen(raw: Option<String>) -> Result<Option<SocketAddr>, ConfigError> {
    match raw.map(|v| v.trim().to_string()) {
        None => parse_socket_addr("OPS_LISTEN", DEFAULT_OPS_LISTEN).map(Some),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => parse_socket_addr("OPS_LISTEN", &v).map(Some),
    }
}

fn parse_socket_addr(var: &'static str, raw: &str) -> Result<SocketAddr, ConfigError> {
    raw.parse().map_err(|_| ConfigError::Invalid {
        var,
        reason: format!("{raw:?} is not an address such as 127.0.0.1:9898"),
    })
}

/// Telegram's rule for `secret_token`; teloxide panics on anything else, so check first.
/// The message never repeats the value.
fn check_webhook_secret(secret: String) -> Result<String, ConfigError> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    // Telegram accepts a single character; we ask for a secret that cannot be guessed.
    if (16..=256).contains(&secret.len()) && secret.bytes().all(allowed) {
        Ok(secret)
    } else {
        Err(ConfigError::Invalid {
            var: "WEBHOOK_SECRET",
            reason: "use 16 to 256 characters among A-Z, a-z, 0-9, _ and -".to_string(),
        })
    }
}

/// 43 characters from the OS's random source: as strong as a secret an operator would pick.
/// A failing source is reported (naming the variable that avoids it), not a panic.
fn generate_webhook_secret() -> Result<String, ConfigError> {
    use rand::TryRng;
    const ALPHABET: &[u8; 64] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let mut bytes = [0u8; 43];
    rand::rngs::SysRng
        .try_fill_bytes(&mut bytes)
        .map_err(|e| ConfigError::Invalid {
            var: "WEBHOOK_SECRET",
            reason: format!("it is unset and the system's random source failed ({e}); set one"),
        })?;
    // Sixty-four letters: a byte modulo 64 picks each one equally often.
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 64)]))
        .collect())
}

/// Sites block anonymous scrapers; a name and a contact address is what they expect.
pub const DEFAULT_FEED_USER_AGENT: &str = concat!(
    "jarchi/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/jarchi)"
);

/// A missing .env is normal (Docker, systemd); a broken one is worth a word.
fn load_dotenv() -> Result<(), ConfigError> {
    match dotenvy::dotenv() {
        Err(e) if !e.not_found() => Err(ConfigError::Invalid {
            var: ".env",
            reason: e.to_string(),
        }),
        _ => Ok(()),
    }
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    if url.starts_with("sqlite:") {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            var: "DATABASE_URL",
            reason: format!("{url:?} is not a sqlite: URL (for example sqlite://jarchi.db)"),
        })
    }
}

/// Telegram tokens look like `123456789:AA…`; catching a pasted placeholder here beats a
/// 401 loop later. The message never repeats the value.
fn validate_token(token: &str) -> Result<(), ConfigError> {
    let well_formed = token.split_once(':').is_some_and(|(id, secret)| {
        !id.is_empty()
            && id.bytes().all(|b| b.is_ascii_digit())
            && secret.len() >= 10
            && secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    });
    if well_formed {
        Ok(())
    } else {
        Err(ConfigError::Invalid {
            var: "TELOXIDE_TOKEN",
            reason:
                "it does not look like a bot token (digits, a colon, then letters; ask @BotFather)"
                    .to_string(),
        })
    }
}

fn split_list(raw: Option<String>) -> impl Iterator<Item = String> {
    raw.unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

fn parse_http_url(var: &'static str, raw: &str) -> Result<url::Url, ConfigError> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(u),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!("{raw:?} is not an http(s) URL"),
        }),
    }
}

fn parse_feed_policy(value: Lookup) -> Result<FeedPolicy, ConfigError> {
    Ok(FeedPolicy {
        allow_http: parse_bool("FEED_ALLOW_HTTP", value("FEED_ALLOW_HTTP"))?,
        allow_private: parse_bool("FEED_ALLOW_PRIVATE", value("FEED_ALLOW_PRIVATE"))?,
        treat_as_public: Vec::new(),
    })
}

/// Unset means false; anything but true/false (or 1/0, yes/no) is a mistake worth naming.
fn parse_bool(var: &'static str, raw: Option<String>) -> Result<bool, ConfigError> {
    match raw.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(other) => Err(ConfigError::Invalid {
            var,
            reason: format!("{other:?} is not true or false"),
        }),
    }
}

fn parse_number(
    var: &'static str,
    raw: Option<String>,
    default: u64,
    range: std::ops::RangeInclusive<u64>,
) -> Result<u64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.parse::<u64>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123456:ABCdefGHIjklMNOpqr";

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let s = settings(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap();
        assert_eq!(s.database_url, "sqlite://jarchi.db");
        assert_eq!(s.poll_interval, Duration::from_secs(300));
        assert_eq!(s.broadcast_rate, 25);
        assert_eq!(s.default_lang, Lang::Fa);
        assert!(s.admin_ids.is_empty() && s.feed_urls.is_empty());
        assert_eq!(s.feed_max_new_per_poll, 5);
        assert!(!s.feed_policy.allow_http && !s.feed_policy.allow_private);
    }

    #[test]
    fn feed_urls_follow_the_feed_policy() {
        let http = ("FEED_URLS", "http://example.org/feed/");
        let err = settings(&[("TELOXIDE_TOKEN", TOKEN), http]).unwrap_err();
        assert!(
            err.to_string().starts_with("FEED_URLS is invalid")
                && err.to_string().contains("FEED_ALLOW_HTTP=true"),
            "{err}"
        );
        let allowed = settings(&[("TELOXIDE_TOKEN", TOKEN), http, ("FEED_ALLOW_HTTP", "true")]);
        assert!(allowed.unwrap().feed_policy.allow_http);
        let inside = ("FEED_URLS", "https://169.254.169.254/latest/");
        let err = settings(&[("TELOXIDE_TOKEN", TOKEN), inside]).unwrap_err();
        assert!(err.to_string().contains("cloud metadata"), "{err}");
        let intranet = settings(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("FEED_URLS", "https://10.0.0.5/feed/"),
            ("FEED_ALLOW_PRIVATE", "yes"),
            ("FEED_MAX_NEW_PER_POLL", "0"),
        ])
        .unwrap();
        assert_eq!(intranet.feed_max_new_per_poll, 0);
        assert!(intranet.describe().contains("FEED_ALLOW_PRIVATE=true"));
    }

    #[test]
    fn publish_approvals_are_one_or_two() {
        let s = |v: &str| settings(&[("TELOXIDE_TOKEN", TOKEN), ("PUBLISH_APPROVALS", v)]);
        assert_eq!(s("").unwrap().publish_approvals, Approvals::One);
        assert_eq!(s("1").unwrap().publish_approvals, Approvals::One);
        assert_eq!(s(" 2 ").unwrap().publish_approvals, Approvals::Two);
        for wrong in ["0", "3", "two", "-1"] {
            let error = s(wrong).unwrap_err().to_string();
            assert!(error.starts_with("PUBLISH_APPROVALS is invalid"), "{error}");
        }
    }

    #[test]
    fn errors_name_the_variable() {
        let missing = settings(&[]).unwrap_err();
        assert!(missing.to_string().starts_with("TELOXIDE_TOKEN is not set"));
        for (var, value) in [
            ("ADMIN_IDS", "12,abc"),
            ("POLL_INTERVAL_SECS", "soon"),
            ("BROADCAST_RATE", "1000"),
            ("DEFAULT_LANG", "de"),
            ("FEED_URLS", "ftp://x"),
            ("DATABASE_URL", "postgres://x"),
            ("CHANNEL_ID", "@mychannel"),
            ("FEED_USER_AGENT", "jarchi\u{7}bell"),
            ("TELOXIDE_API_URL", "not a url"),
            ("FEED_ALLOW_HTTP", "sometimes"),
            ("FEED_ALLOW_PRIVATE", "2"),
            ("FEED_MAX_NEW_PER_POLL", "-1"),
        ] {
            let err = settings(&[("TELOXIDE_TOKEN", TOKEN), (var, value)]).unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("{var} is invalid")),
                "{err}"
            );
        }
    }

    #[test]
    fn a_malformed_token_is_refused_without_repeating_it() {
        let err = settings(&[("TELOXIDE_TOKEN", "paste-your-token-here")]).unwrap_err();
        assert!(!err.to_string().contains("paste-your-token-here"));
    }

    #[test]
    fn ops_listener_default_and_disabled() {
        let s = settings(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap();
        assert_eq!(s.ops_listen, Some("127.0.0.1:9898".parse().unwrap()));
        assert_eq!(s.delivery_retention, Duration::from_secs(30 * 86_400));
        assert_eq!(s.delivery_give_up, Duration::from_secs(24 * 3600));
        assert!(s.webhook.is_none());
        let s = settings(&[("TELOXIDE_TOKEN", TOKEN), ("OPS_LISTEN", "")]).unwrap();
        assert_eq!(s.ops_listen, None);
        for (var, value) in [
            ("OPS_LISTEN", "localhost"),
            ("DELIVERY_RETENTION_DAYS", "0"),
            ("DELIVERY_GIVE_UP_HOURS", "0"),
            ("DELIVERY_GIVE_UP_HOURS", "soon"),
            ("WEBHOOK_URL", "not a url"),
        ] {
            let err = settings(&[("TELOXIDE_TOKEN", TOKEN), (var, value)]).unwrap_err();
            assert!(err.to_string().starts_with(&format!("{var} is invalid")));
        }
    }

    #[test]
    fn webhook_secret_is_checked_or_generated_and_always_masked() {
        let url = ("WEBHOOK_URL", "https://bot.example.org/telegram");
        let s = settings(&[("TELOXIDE_TOKEN", TOKEN), url]).unwrap();
        let webhook = s.webhook.clone().unwrap();
        assert_eq!(webhook.listen, "0.0.0.0:8443".parse().unwrap());
        assert!(webhook.secret_generated);
        let generated = webhook.secret.expose().to_string();
        assert!(generated.len() >= 32);
        assert!(check_webhook_secret(generated.clone()).is_ok());
        let described = s.describe();
        assert!(!described.contains(&generated) && !described.contains("ABCdef"));
        assert!(described.contains("WEBHOOK_SECRET=*** (random at each start)"));
        assert!(!format!("{s:?}").contains(&generated));
        assert_eq!(s.secrets().len(), 2);

        let err = settings(&[
            ("TELOXIDE_TOKEN", TOKEN),
            url,
            ("WEBHOOK_SECRET", "short has spaces"),
        ])
        .unwrap_err();
        assert!(err.to_string().starts_with("WEBHOOK_SECRET is invalid"));
        assert!(!err.to_string().contains("short has spaces"));
    }

    /// The names a file lists: `NAME=` lines, commented out or not.
    fn names_in_env_example(text: &str) -> Vec<String> {
        text.lines()
            .map(|line| line.trim_start_matches('#').trim())
            .filter_map(|line| line.split_once('=').map(|(name, _)| name))
            .filter(|name| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            })
            .map(str::to_string)
            .collect()
    }

    /// The first column of the README's table of variables.
    fn names_in_readme_table(text: &str) -> Vec<String> {
        text.lines()
            .skip_while(|line| !line.starts_with("| variable |"))
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .filter_map(|line| line.split('`').nth(1))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn variables_are_the_ones_env_example_and_the_readme_list() {
        // Sorted: the files group variables for a reader, `config check` as it always has.
        let sorted = |mut names: Vec<String>| {
            names.sort();
            names
        };
        let ours = sorted(VARIABLES.iter().map(|v| v.name.to_string()).collect());
        let mut unique = ours.clone();
        unique.dedup();
        assert_eq!(unique, ours, "a variable is listed twice");
        let env_example = sorted(names_in_env_example(include_str!("../.env.example")));
        assert_eq!(
            env_example, ours,
            ".env.example and config::VARIABLES differ"
        );
        let readme = sorted(names_in_readme_table(include_str!("../README.md")));
        assert_eq!(
            readme, ours,
            "the README's table and config::VARIABLES differ"
        );
    }

    #[test]
    fn config_check_prints_the_variables_in_order() {
        let s = settings(&[
            ("TELOXIDE_TOKEN", TOKEN),
            ("WEBHOOK_URL", "https://bot.example.org/telegram"),
        ])
        .unwrap();
        let described = s.describe();
        let printed: Vec<&str> = described
            .lines()
            .filter_map(|line| line.split_once('=').map(|(name, _)| name))
            .collect();
        let expected: Vec<&str> = VARIABLES
            .iter()
            .map(|v| v.name)
            .filter(|name| !matches!(*name, "LOG_FORMAT" | "RUST_LOG"))
            .collect();
        assert_eq!(printed, expected);
        let polling = settings(&[("TELOXIDE_TOKEN", TOKEN)]).unwrap().describe();
        assert!(polling.contains("WEBHOOK_URL=(unset: long polling)"));
        assert!(!polling.contains("WEBHOOK_LISTEN") && !polling.contains("WEBHOOK_SECRET"));
        assert!(polling.contains("ADMIN_IDS=(none)\nFEED_URLS=(none)\n"));
    }

    #[test]
    fn debug_masks_the_token() {
        let s = settings(&[("TELOXIDE_TOKEN", TOKEN), ("ADMIN_IDS", "1, 2")]).unwrap();
        assert!(!format!("{s:?}").contains("ABCdef"));
        assert_eq!(s.admin_ids, vec![1, 2]);
        assert!(s.is_admin(2) && !s.is_admin(3));
    }
}
