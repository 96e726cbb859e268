//! The one unit of time jarchi stores and keeps in atomics: Unix milliseconds (the delivery
//! queue needs due times finer than a second, and one unit everywhere means no UPDATE ever
//! mixes two).

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A span in milliseconds, saturating (no span we keep comes near 292 million years).
pub fn millis(span: Duration) -> i64 {
    i64::try_from(span.as_millis()).unwrap_or(i64::MAX)
}

/// How long ago `then_ms` was; zero for a moment in the future.
pub fn since_ms(then_ms: i64) -> Duration {
    between(then_ms, now_ms())
}

/// How long until `at_ms`; zero for a moment past.
pub fn until_ms(at_ms: i64) -> Duration {
    between(now_ms(), at_ms)
}

fn between(from_ms: i64, to_ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(to_ms.saturating_sub(from_ms)).unwrap_or(0))
}

/// A stored instant as a date; the epoch for one beyond chrono's range.
pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_instants_round_trip() {
        assert_eq!(millis(Duration::from_secs(2)), 2_000);
        assert_eq!(millis(Duration::MAX), i64::MAX);
        assert_eq!(since_ms(now_ms() + 60_000), Duration::ZERO);
        assert_eq!(until_ms(now_ms() - 60_000), Duration::ZERO);
        assert!(until_ms(now_ms() + 60_000) > Duration::from_secs(59));
        assert_eq!(from_ms(1_500).timestamp_millis(), 1_500);
    }
}
