//! What a subscriber may choose about how statements reach them.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};

use super::Lang;

/// Asia/Tehran as a fixed UTC+03:30. Iran abolished daylight saving time in 2022, so this is
/// exact for every instant the bot acts on now (quiet hours, new statements); see
/// `text::dates` for what it means for old dates. It spares us a time-zone database.
pub const TEHRAN_OFFSET_SECONDS: i32 = 3 * 3600 + 30 * 60;

/// No broadcasts from `start` o'clock up to `end` o'clock, Tehran time. The window may wrap
/// midnight (22 → 7); `start == end` is an empty window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: u8,
    end: u8,
}

impl QuietHours {
    /// `None` unless both are hours of the day.
    pub fn new(start: u8, end: u8) -> Option<Self> {
        (start < 24 && end < 24).then_some(Self { start, end })
    }

    pub fn start(self) -> u8 {
        self.start
    }

    pub fn end(self) -> u8 {
        self.end
    }

    /// When the window that holds `now` ends, or `None` when `now` is not quiet.
    pub fn ends_after(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)?;
        let local = now.with_timezone(&tehran);
        let hour = u8::try_from(local.hour()).ok()?;
        let quiet = if self.start <= self.end {
            self.start <= hour && hour < self.end
        } else {
            hour >= self.start || hour < self.end
        };
        if !quiet {
            return None;
        }
        let hours_left = (i64::from(self.end) - i64::from(hour)).rem_euclid(24);
        let top_of_hour = local
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))?;
        Some((top_of_hour + Duration::hours(hours_left)).with_timezone(&Utc))
    }
}

/// One digest a day at this hour o'clock, Tehran time, instead of each statement as it comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestHour(u8);

impl DigestHour {
    /// `None` unless it is an hour of the day.
    pub fn new(hour: u8) -> Option<Self> {
        (hour < 24).then_some(Self(hour))
    }

    pub fn hour(self) -> u8 {
        self.0
    }

    /// The first top of this hour in Tehran strictly after `now`: when a statement that
    /// arrives at `now` goes out in a digest.
    pub fn next_after(self, now: DateTime<Utc>) -> DateTime<Utc> {
        let Some(tehran) = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS) else {
            return now;
        };
        let local = now.with_timezone(&tehran);
        let today = local
            .with_hour(u32::from(self.0))
            .and_then(|t| t.with_minute(0))
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0));
        match today {
            Some(at) if at > local => at.with_timezone(&Utc),
            Some(at) => (at + Duration::days(1)).with_timezone(&Utc),
            None => now,
        }
    }
}

/// A subscriber's choices; the defaults are what a new subscriber gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriberSettings {
    pub lang: Lang,
    /// Whether Telegram draws a preview of the statement's own page under it.
    pub link_previews: bool,
    pub quiet_hours: Option<QuietHours>,
    /// `None`: each statement as it comes.
    pub digest: Option<DigestHour>,
}

impl Default for SubscriberSettings {
    fn default() -> Self {
        Self {
            lang: Lang::default(),
            link_previews: true,
            quiet_hours: None,
            digest: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A Tehran wall-clock time as UTC.
    fn tehran(h: u32, m: u32) -> DateTime<Utc> {
        let tz = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS).unwrap();
        tz.with_ymd_and_hms(2025, 3, 1, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_window_over_midnight_holds_until_its_end() {
        let night = QuietHours::new(22, 7).unwrap();
        assert_eq!(night.ends_after(tehran(21, 59)), None);
        assert_eq!(night.ends_after(tehran(7, 0)), None);
        assert_eq!(night.ends_after(tehran(6, 59)), Some(tehran(7, 0)));
        let at_23 = night.ends_after(tehran(23, 30)).unwrap();
        assert_eq!(at_23 - tehran(23, 30), Duration::minutes(7 * 60 + 30));
    }

    #[test]
    fn a_window_within_a_day_and_an_empty_one() {
        let afternoon = QuietHours::new(13, 15).unwrap();
        assert_eq!(afternoon.ends_after(tehran(14, 10)), Some(tehran(15, 0)));
        assert_eq!(afternoon.ends_after(tehran(15, 0)), None);
        assert_eq!(
            QuietHours::new(9, 9).unwrap().ends_after(tehran(9, 30)),
            None
        );
        assert_eq!(QuietHours::new(24, 1), None);
    }

    #[test]
    fn a_digest_is_due_at_the_next_top_of_its_hour() {
        let evening = DigestHour::new(20).unwrap();
        assert_eq!(evening.next_after(tehran(19, 59)), tehran(20, 0));
        assert_eq!(
            evening.next_after(tehran(20, 0)),
            tehran(20, 0) + Duration::days(1)
        );
        assert_eq!(
            evening.next_after(tehran(21, 5)),
            tehran(20, 0) + Duration::days(1)
        );
        assert_eq!(
            DigestHour::new(0).unwrap().next_after(tehran(23, 30)),
            tehran(0, 0) + Duration::days(1)
        );
        assert_eq!(DigestHour::new(24), None);
    }
}
