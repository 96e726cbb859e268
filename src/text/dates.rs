//! Dates as subscribers think of them: Solar Hijri in Persian, Gregorian in English.
//! The calendar conversion comes from ICU4X's calendar (its Solar Hijri arithmetic needs no
//! data); nothing here does calendar arithmetic by hand. The twelve month names are a table
//! ([`JALALI_MONTHS`], CLDR's `fa` names), because people also type them (`خرداد`,
//! `khordad`), and because ICU4X's date formatter would carry the formatting data of every
//! locale into the binary for one pattern: day, month name, year.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use icu_calendar::Date;
use icu_calendar::cal::{Iso, Persian};

use crate::domain::{Lang, TEHRAN_OFFSET_SECONDS};
use crate::text::digits::localize_digits;

// Tehran time as a fixed UTC+03:30 (see `domain::TEHRAN_OFFSET_SECONDS`). For older
// statements (e.g. 2017, when summer time was UTC+04:30) the date is off by one only for
// instants within an hour of local midnight: acceptable for a date line.

/// `۲۹ اردیبهشت ۱۳۹۶` in Persian, `19 May 2017` in English. Falls back to ISO `2017-05-19`
/// should ICU ever refuse; never panics.
pub fn format_date(at: DateTime<Utc>, lang: Lang) -> String {
    let local_date = tehran_date(at);
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

/// The date in the Persian calendar, as CLDR's `fa` long format writes it: day, month
/// name, year, in Persian digits.
fn solar_hijri(date: NaiveDate) -> Option<String> {
    let persian = persian(date)?;
    let (name, _) = JALALI_MONTHS.get(usize::from(persian.month().ordinal).checked_sub(1)?)?;
    let text = format!(
        "{} {name} {}",
        persian.day_of_month().0,
        persian.era_year().year
    );
    Some(localize_digits(&text, Lang::Fa))
}

/// The Solar Hijri months: the Persian name, and the Latin spelling an English reader
/// (or a Persian without a Persian keyboard) uses.
pub const JALALI_MONTHS: [(&str, &str); 12] = [
    ("فروردین", "Farvardin"),
    ("اردیبهشت", "Ordibehesht"),
    ("خرداد", "Khordad"),
    ("تیر", "Tir"),
    ("مرداد", "Mordad"),
    ("شهریور", "Shahrivar"),
    ("مهر", "Mehr"),
    ("آبان", "Aban"),
    ("آذر", "Azar"),
    ("دی", "Dey"),
    ("بهمن", "Bahman"),
    ("اسفند", "Esfand"),
];

/// Years the archive can mean: an organisation thirty years old and a margin both ways.
/// Four-digit numbers outside this are not taken for a year (`۲۰۱۷` stays a word).
pub const JALALI_YEARS: std::ops::RangeInclusive<i32> = 1300..=1499;

/// A month of the Solar Hijri calendar, always valid (month 1–12, a year in [`JALALI_YEARS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JalaliMonth {
    year: i32,
    month: u8,
}

impl JalaliMonth {
    pub fn new(year: i32, month: u8) -> Option<Self> {
        (JALALI_YEARS.contains(&year) && (1..=12).contains(&month)).then_some(Self { year, month })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// The month that holds this instant, in Tehran time.
    pub fn containing(at: DateTime<Utc>) -> Option<Self> {
        let persian = persian(tehran_date(at))?;
        Self::new(persian.era_year().year, persian.month().ordinal)
    }

    fn next(self) -> Option<Self> {
        if self.month == 12 {
            Self::new(self.year + 1, 1)
        } else {
            Self::new(self.year, self.month + 1)
        }
    }

    /// The first instant of the month (midnight in Tehran), as UTC.
    pub fn start(self) -> Option<DateTime<Utc>> {
        let iso = Date::try_new_persian(self.year, self.month, 1)
            .ok()?
            .to_calendar(Iso);
        let day = NaiveDate::from_ymd_opt(
            iso.era_year().year,
            u32::from(iso.month().ordinal),
            u32::from(iso.day_of_month().0),
        )?;
        let tehran = FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)?;
        let local = tehran
            .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
            .single()?;
        Some(local.with_timezone(&Utc))
    }

    /// `[start, end)` of the month in UTC. The last month of [`JALALI_YEARS`] ends where
    /// the next month would start, computed past the range on purpose.
    pub fn span(self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let end = match self.next() {
            Some(next) => next.start()?,
            None => Self {
                year: self.year + 1,
                month: 1,
            }
            .start()?,
        };
        Some((self.start()?, end))
    }

    /// `[start, end)` of the whole year the month is in.
    pub fn year_span(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (start, _) = Self::new(year, 1)?.span()?;
        let (_, end) = Self::new(year, 12)?.span()?;
        Some((start, end))
    }

    /// `خرداد ۱۳۹۶` or `Khordad 1396`.
    pub fn label(self, lang: Lang) -> String {
        let (fa, en) = JALALI_MONTHS[usize::from(self.month - 1)];
        match lang {
            Lang::Fa => localize_digits(&format!("{fa} {}", self.year), lang),
            Lang::En => format!("{en} {}", self.year),
        }
    }

    /// The month's name alone, for a button under its year.
    pub fn name(self, lang: Lang) -> &'static str {
        let (fa, en) = JALALI_MONTHS[usize::from(self.month - 1)];
        match lang {
            Lang::Fa => fa,
            Lang::En => en,
        }
    }
}

/// The Gregorian day of a Jalali date, `None` for a day the month does not have (the
/// thirtieth of Esfand outside a leap year) or a year outside [`JALALI_YEARS`].
pub fn gregorian_of_jalali(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    JalaliMonth::new(year, month)?;
    let iso = Date::try_new_persian(year, month, day)
        .ok()?
        .to_calendar(Iso);
    NaiveDate::from_ymd_opt(
        iso.era_year().year,
        u32::from(iso.month().ordinal),
        u32::from(iso.day_of_month().0),
    )
}

/// The Jalali date in either language: `۱۰ آذر ۱۴۰۵`, or `10 Azar 1405` in English, for an
/// admin who chose the time by the calendar the organisation keeps. ISO in the unlikely
/// case ICU refuses.
pub fn jalali_date(at: DateTime<Utc>, lang: Lang) -> String {
    let local_date = tehran_date(at);
    match lang {
        Lang::Fa => solar_hijri(local_date),
        Lang::En => persian(local_date).and_then(|p| {
            let (_, name) = JALALI_MONTHS.get(usize::from(p.month().ordinal).checked_sub(1)?)?;
            Some(format!(
                "{} {name} {}",
                p.day_of_month().0,
                p.era_year().year
            ))
        }),
    }
    .unwrap_or_else(|| iso(local_date))
}

/// The calendar day in Tehran. `checked_add_offset`, not `with_timezone`: the latter
/// panics at the edge of time.
fn tehran_date(at: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(TEHRAN_OFFSET_SECONDS)
        .and_then(|tehran| at.naive_utc().checked_add_offset(tehran))
        .map_or_else(|| at.date_naive(), |local| local.date())
}

fn persian(date: NaiveDate) -> Option<Date<Persian>> {
    Some(
        Date::try_new_iso(date.year(), month_of(date)?, day_of(date)?)
            .ok()?
            .to_calendar(Persian),
    )
}

fn month_of(date: NaiveDate) -> Option<u8> {
    u8::try_from(date.month()).ok()
}

fn day_of(date: NaiveDate) -> Option<u8> {
    u8::try_from(date.day()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::utc;

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
        // The thirtieth of Esfand exists only in leap years; Yalda is the last night of Azar.
        assert_eq!(
            format_date(utc(2025, 3, 20, 12, 0), Lang::Fa),
            "۳۰ اسفند ۱۴۰۳"
        );
        assert_eq!(format_date(utc(2024, 12, 21, 12, 0), Lang::Fa), "۱ دی ۱۴۰۳");
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

    #[test]
    fn jalali_months_span_their_days_in_tehran() {
        // 1 Khordad 1396 is 22 May 2017; midnight in Tehran is 20:30 UTC the day before.
        let khordad = JalaliMonth::new(1396, 3).expect("valid");
        let (start, end) = khordad.span().expect("span");
        assert_eq!(start, utc(2017, 5, 21, 20, 30));
        assert_eq!(end, utc(2017, 6, 21, 20, 30));
        assert_eq!(JalaliMonth::containing(start), Some(khordad));
        assert_eq!(
            JalaliMonth::containing(start - chrono::Duration::seconds(1)),
            JalaliMonth::new(1396, 2)
        );
        assert_eq!(khordad.label(Lang::Fa), "خرداد ۱۳۹۶");
        assert_eq!(khordad.label(Lang::En), "Khordad 1396");
    }

    #[test]
    fn esfand_of_a_leap_year_has_thirty_days() {
        // 1403 is a leap year: 30 Esfand 1403 is 20 March 2025, and Nowruz 1404 the 21st.
        let esfand = JalaliMonth::new(1403, 12).expect("valid");
        let (start, end) = esfand.span().expect("span");
        assert_eq!(start, utc(2025, 2, 18, 20, 30));
        assert_eq!(end, utc(2025, 3, 20, 20, 30));
        assert_eq!(
            JalaliMonth::new(1404, 1).and_then(JalaliMonth::start),
            Some(end)
        );
        // 1402 is not: its Esfand has 29 days.
        let (start, end) = JalaliMonth::new(1402, 12)
            .and_then(JalaliMonth::span)
            .expect("span");
        assert_eq!((end - start).num_days(), 29);
        let (year_start, year_end) = JalaliMonth::year_span(1403).expect("span");
        assert_eq!((year_end - year_start).num_days(), 366);
    }

    #[test]
    fn months_outside_the_archive_s_years_are_refused() {
        assert_eq!(JalaliMonth::new(1396, 0), None);
        assert_eq!(JalaliMonth::new(1396, 13), None);
        assert_eq!(JalaliMonth::new(2017, 5), None);
        assert_eq!(JalaliMonth::containing(DateTime::<Utc>::MIN_UTC), None);
        assert!(
            JalaliMonth::new(1499, 12)
                .and_then(JalaliMonth::span)
                .is_some()
        );
    }

    #[test]
    fn jalali_dates_in_both_languages() {
        let tenth_of_azar = utc(2026, 12, 1, 8, 30);
        assert_eq!(jalali_date(tenth_of_azar, Lang::Fa), "۱۰ آذر ۱۴۰۵");
        assert_eq!(jalali_date(tenth_of_azar, Lang::En), "10 Azar 1405");
        assert_eq!(
            gregorian_of_jalali(1405, 9, 10),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(gregorian_of_jalali(1405, 12, 30), None);
        assert_eq!(
            gregorian_of_jalali(1403, 12, 30),
            NaiveDate::from_ymd_opt(2025, 3, 20)
        );
    }
}
