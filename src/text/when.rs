//! When an admin wants a statement to go out, as they type it: a Tehran time (`18:30`,
//! today or, once passed, tomorrow), `فردا ۹` / `tomorrow 9:30`, a Jalali date and time
//! (`1405/09/10 08:00`), or ISO 8601 (`2026-12-01T08:00` in Tehran time, or with `Z` or an
//! offset). Persian and Arabic-Indic digits are read as ASCII ones. Pure, and bounded: the
//! input is cut off at [`MAX_INPUT_CHARS`] before any work.

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::domain::TEHRAN_OFFSET_SECONDS;
use crate::text::dates::gregorian_of_jalali;
use crate::text::to_ascii_digits;

/// Longer than any way of writing a time; anything longer is not one.
pub const MAX_INPUT_CHARS: usize = 64;

/// A statement may be held at most this long: further ahead is more likely a typo (a
/// wrong year) than a plan.
pub const MAX_AHEAD: Duration = Duration::from_secs(365 * 86_400);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("not a time jarchi can read")]
    Unreadable,
    #[error("the time has passed")]
    Past,
    #[error("the time is more than a year ahead")]
    TooFar,
}

/// Words that may stand before the hour and mean nothing more: `فردا ساعت ۹`, `tomorrow at 9`.
const FILLER: [&str; 2] = ["ساعت", "at"];
const TOMORROW: [&str; 2] = ["فردا", "tomorrow"];

/// The instant `input` names, seen from `now`: in the future and at most [`MAX_AHEAD`] away.
pub fn parse_when(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, WhenError> {
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(WhenError::Unreadable);
    }
    let text = to_ascii_digits(input);
    let due = read(text.trim(), now).ok_or(WhenError::Unreadable)?;
    if due <= now {
        return Err(WhenError::Past);
    }
    let ahead = (due - now).to_std().unwrap_or(Duration::MAX);
    if ahead > MAX_AHEAD {
        return Err(WhenError::TooFar);
    }
    Ok(due)
}

fn tehran() -> Option<FixedOffset> {
    FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)
}

fn read(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.naive_utc().checked_add_offset(tehran()?)?.date();
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered
        .split_whitespace()
        .filter(|w| !FILLER.contains(w))
        .collect();
    match words.as_slice() {
        [time] if !time.contains('-') => {
            let at = time_of_day(time)?;
            let today_at = in_tehran(today, at)?;
            if today_at > now {
                Some(today_at)
            } else {
                in_tehran(today.succ_opt()?, at)
            }
        }
        [day, time] if TOMORROW.contains(day) => in_tehran(today.succ_opt()?, time_of_day(time)?),
        [date, time] if date.contains('/') => in_tehran(jalali(date)?, time_of_day(time)?),
        [date, time] if date.contains('-') => iso(&format!("{date}T{time}")),
        [stamp] => iso(stamp),
        _ => None,
    }
}

/// `9`, `09:30`: an hour and, after a colon, its minutes.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let (hour, minute) = text.split_once(':').unwrap_or((text, "00"));
    let number = |s: &str| {
        (1..=2)
            .contains(&s.len())
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    NaiveTime::from_hms_opt(number(hour)?, number(minute)?, 0)
}

/// `1405/09/10`: year, month and day of the Solar Hijri calendar.
fn jalali(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split('/');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    gregorian_of_jalali(year, month, day)
}

/// ISO 8601 with a `T`: with `Z` or an offset it says its own zone, without one it is
/// Tehran time.
fn iso(text: &str) -> Option<DateTime<Utc>> {
    let text = text.to_uppercase();
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Some(at.to_utc());
    }
    if let Some(utc) = text.strip_suffix('Z') {
        return naive_iso(utc).map(|at| at.and_utc());
    }
    for format in ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(at) = DateTime::parse_from_str(&text, format) {
            return Some(at.to_utc());
        }
    }
    let local = naive_iso(&text)?;
    Some(local.checked_sub_offset(tehran()?)?.and_utc())
}

fn naive_iso(text: &str) -> Option<NaiveDateTime> {
    [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

fn in_tehran(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    Some(date.and_time(time).checked_sub_offset(tehran()?)?.and_utc())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::test_support::{mixed_text, utc};

    /// 12:00 in Tehran on 1 December 2026 (10 Azar 1405).
    fn noon_in_tehran() -> DateTime<Utc> {
        utc(2026, 12, 1, 8, 30)
    }

    #[test]
    fn a_time_of_day_is_today_or_else_tomorrow() {
        let now = noon_in_tehran();
        // 18:30 Tehran is 15:00 UTC.
        assert_eq!(parse_when("18:30", now), Ok(utc(2026, 12, 1, 15, 0)));
        assert_eq!(parse_when("۱۸:۳۰", now), Ok(utc(2026, 12, 1, 15, 0)));
        assert_eq!(parse_when("١٨:٣٠", now), Ok(utc(2026, 12, 1, 15, 0)));
        // 9:00 has passed today: tomorrow at 9 (05:30 UTC).
        assert_eq!(parse_when("09:00", now), Ok(utc(2026, 12, 2, 5, 30)));
        assert_eq!(parse_when(" 12:00 ", now), Ok(utc(2026, 12, 2, 8, 30)));
    }

    #[test]
    fn tomorrow_in_both_languages() {
        let now = noon_in_tehran();
        let nine = Ok(utc(2026, 12, 2, 5, 30));
        assert_eq!(parse_when("فردا ۹", now), nine);
        assert_eq!(parse_when("tomorrow 9", now), nine);
        assert_eq!(parse_when("Tomorrow at 9:00", now), nine);
        assert_eq!(parse_when("فردا ساعت ۹", now), nine);
        assert_eq!(parse_when("فردا ۹:۳۰", now), Ok(utc(2026, 12, 2, 6, 0)));
    }

    #[test]
    fn jalali_dates_and_iso_8601() {
        let now = noon_in_tehran();
        let at_8_tehran = Ok(utc(2026, 12, 2, 4, 30));
        for (text, expected) in [
            // 11 Azar 1405 is 2 December 2026.
            ("1405/09/11 08:00", at_8_tehran),
            ("۱۴۰۵/۰۹/۱۱ ۰۸:۰۰", at_8_tehran),
            // 1405 is not a leap year: its Esfand has no thirtieth.
            ("1405/12/30 08:00", Err(WhenError::Unreadable)),
            ("1405/13/01 08:00", Err(WhenError::Unreadable)),
            // ISO 8601 is Tehran time unless it says otherwise.
            ("2026-12-02T08:00", at_8_tehran),
            ("2026-12-02 08:00", at_8_tehran),
            ("2026-12-02T08:00:00+03:30", at_8_tehran),
            ("2026-12-02T08:00Z", Ok(utc(2026, 12, 2, 8, 0))),
            ("2026-12-02T08:00+01:00", Ok(utc(2026, 12, 2, 7, 0))),
            (
                "۲۰۲۶-۱۲-۰۲T۰۸:۰۰:۰۵z",
                Ok(utc(2026, 12, 2, 8, 0) + chrono::Duration::seconds(5)),
            ),
        ] {
            assert_eq!(parse_when(text, now), expected, "{text}");
        }
    }

    #[test]
    fn the_past_and_the_far_future_are_refused() {
        let now = noon_in_tehran();
        assert_eq!(parse_when("2026-12-01T11:00", now), Err(WhenError::Past));
        assert_eq!(parse_when("1405/09/01 08:00", now), Err(WhenError::Past));
        assert_eq!(parse_when("2028-01-01T08:00", now), Err(WhenError::TooFar));
        assert!(parse_when("2027-11-30T08:00", now).is_ok());
    }

    #[test]
    fn what_is_not_a_time_is_unreadable() {
        let now = noon_in_tehran();
        for garbage in [
            "",
            "soon",
            "25:00",
            "18:60",
            "18:5:5",
            "فردا",
            "فردا ۲۵",
            "پس‌فردا ۹",
            "1405/09 08:00",
            "1405/09/10/1 08:00",
            "2026-13-01T08:00",
            "tomorrow 9 pm",
            "123:00",
            "-1:00",
        ] {
            assert_eq!(
                parse_when(garbage, now),
                Err(WhenError::Unreadable),
                "{garbage:?}"
            );
        }
        let long = format!("{}18:30", " ".repeat(MAX_INPUT_CHARS));
        assert_eq!(parse_when(&long, now), Err(WhenError::Unreadable));
    }

    proptest! {
        /// Any text, at any moment chrono knows: an answer, never a panic, and an accepted
        /// time is always ahead and within a year.
        #[test]
        fn never_panics_and_keeps_its_bounds(
            text in prop_oneof![
                mixed_text(80),
                "(فردا |tomorrow )?[0-9۰-۹]{1,3}(:[0-9۰-۹]{1,3})?",
                "[0-9]{4}/[0-9]{1,2}/[0-9]{1,2} [0-9]{1,2}:[0-9]{2}",
                "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?",
            ],
            now_ms in prop_oneof![
                Just(DateTime::<Utc>::MIN_UTC.timestamp_millis()),
                Just(DateTime::<Utc>::MAX_UTC.timestamp_millis()),
                0i64..4_102_444_800_000,
            ],
        ) {
            let now = DateTime::from_timestamp_millis(now_ms).expect("in range");
            if let Ok(due) = parse_when(&text, now) {
                prop_assert!(due > now);
                prop_assert!((due - now).to_std().expect("ahead") <= MAX_AHEAD);
            }
        }
    }
}
