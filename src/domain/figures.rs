/// How one statement's broadcast went, for /stats and the completion report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BroadcastFigures {
    pub announcement_id: super::StatementId,
    pub title: String,
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub gone: i64,
    /// Deliveries per second between the first and the last successful send.
    pub rate: Option<f64>,
    pub duration_secs: Option<f64>,
    /// The most recent failure's reason, so that an admin sees why without a shell.
    pub last_error: Option<String>,
}

/// The figures `/stats` shows an admin.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stats {
    pub active: i64,
    pub stopped: i64,
    pub gone: i64,
    pub statements: i64,
    pub queue_depth: i64,
    pub broadcast: Option<BroadcastFigures>,
    /// Since when Telegram has not answered, while it does not.
    pub telegram_unreachable_since: Option<chrono::DateTime<chrono::Utc>>,
}
