//! Persian (۰–۹) and Arabic-Indic (٠–٩) digits, which people type as often as ASCII ones.

use crate::domain::StatementId;

/// A statement's number as people type it after /show, /edit or /delete: `12`, `#12` or
/// `۱۲`; positive, or none.
pub fn parse_statement_id(s: &str) -> Option<StatementId> {
    let digits = to_ascii_digits(s);
    let digits = digits.trim().trim_start_matches('#').trim();
    digits
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(StatementId)
}

/// Maps Persian and Arabic-Indic digits to ASCII, leaving everything else alone.
pub fn to_ascii_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            other => other,
        })
        .collect()
}

/// Persian messages show Persian digits; English ones keep ASCII. Only digits change, so
/// this is safe on HTML (entities and tags contain no digits we write, and `#` ids stay
/// typeable because commands accept Persian digits too).
pub fn localize_digits(s: &str, lang: crate::domain::Lang) -> String {
    match lang {
        crate::domain::Lang::En => s.to_string(),
        crate::domain::Lang::Fa => s
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32('۰' as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
                other => other,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_digit_systems_one_number() {
        assert_eq!(to_ascii_digits("۱۲ و ١٣ and 14"), "12 و 13 and 14");
    }
}
