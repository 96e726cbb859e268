//! Dates as subscribers think of them: Solar Hijri in Persian, Gregorian in English.
//! The calendar conversion and the month names come from ICU4X's CLDR data; nothing here
//! does calendar arithmetic by hand.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use icu::calendar::Date;
use icu::datetime::DateTimeFormatter;
use icu::datetime::fieldsets::YMD;
use icu::locale::locale;

use crate::domain::{Lang, TEHRAN_OFFSET_SECONDS};

// Tehran time as a fixed UTC+03:30 (see `domain::TEHRAN_OFFSET_SECONDS`). For older
// statements (e.g. 2017, when summer time was UTC+04:30) the date is off by one only for
// instants within an hour of local midnight: acceptable for a date line.

/// `۲۹ اردیبهشت ۱۳۹۶` in Persian, `19 May 2017` in English. Falls back to ISO `2017-05-19`
/// should ICU ever refuse; never panics.
pub fn format_date(at: DateTime<Utc>, lang: Lang) -> String {
    // `checked_add_offset`, not `with_timezone`: the latter panics at the edge of time.
    let local_date = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)
        .and_then(|tehran| at.naive_utc().checked_add_offset(tehran))
        .map_or_else(|| at.date_naive(), |local| local.date());
    match lang {
        Lang::Fa => solar_hijri(local_date).unwrap_or_else(|| iso(local_date)),
        Lang::En => local_date.format("%-d %B %Y").to_string(),
    }
}

/// The Tehran wall-clock time, `14:05`, in ASCII digits (callers localise them).
pub fn format_time(at: DateTime<Utc>) -> String {
    FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)
        .and_then(|tehran| at.naive_utc().checked_add_offset(tehran))
        .map_or_else(
            || at.format("%H:%M UTC").to_string(),
            |local| local.format("%H:%M").to_string(),
        )
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The date in the Persian calendar, which is CLDR's default for the `fa` locale, with
/// Persian digits and month names in day-month-year order.
fn solar_hijri(date: NaiveDate) -> Option<String> {
    let month = u8::try_from(date.month()).ok()?;
    let day = u8::try_from(date.day()).ok()?;
    let iso_date = Date::try_new_iso(date.year(), month, day).ok()?;
    let formatter = DateTimeFormatter::try_new(locale!("fa").into(), YMD::long()).ok()?;
    Some(formatter.format(&iso_date).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("valid test date")
    }

    #[test]
    fn persian_dates_are_solar_hijri() {
        assert_eq!(
            format_date(utc(2017, 5, 19, 12, 0), Lang::Fa),
            "۲۹ اردیبهشت ۱۳۹۶"
        );
        assert_eq!(
            format_date(utc(2024, 3, 20, 12, 0), Lang::Fa),
            "۱ فروردین ۱۴۰۳"
        );
        assert_eq!(
            format_date(utc(2026, 11, 23, 12, 0), Lang::Fa),
            "۲ آذر ۱۴۰۵"
        );
    }

    #[test]
    fn english_dates_are_gregorian() {
        assert_eq!(
            format_date(utc(2017, 5, 19, 12, 0), Lang::En),
            "19 May 2017"
        );
        assert_eq!(
            format_date(utc(2026, 11, 3, 0, 0), Lang::En),
            "3 November 2026"
        );
    }

    #[test]
    fn the_date_is_tehran_s() {
        // 22:00 UTC on 19 May is already 20 May in Tehran.
        assert_eq!(
            format_date(utc(2017, 5, 19, 22, 0), Lang::En),
            "20 May 2017"
        );
        assert_eq!(
            format_date(utc(2017, 5, 19, 22, 0), Lang::Fa),
            "۳۰ اردیبهشت ۱۳۹۶"
        );
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        for at in [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::UNIX_EPOCH,
        ] {
            for lang in Lang::ALL {
                assert!(!format_date(at, lang).is_empty());
            }
        }
    }
}
