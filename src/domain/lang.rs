use std::fmt;
use std::str::FromStr;

/// The languages jarchi speaks. Persian is the organisation's language; English is
/// for followers whose Telegram client is set to anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fa,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Fa, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fa => "fa",
            Lang::En => "en",
        }
    }

    /// Chooses a language from Telegram's `language_code` (an IETF tag such as `fa-IR`).
    /// Anything that is not Persian gets English: it is the lingua franca of the
    /// followers abroad.
    pub fn from_telegram(code: Option<&str>, default: Lang) -> Lang {
        match code {
            Some(c) if c.to_ascii_lowercase().starts_with("fa") => Lang::Fa,
            Some(c) if !c.trim().is_empty() => Lang::En,
            _ => default,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The codes as stored: exactly `fa` or `en`, nothing looser.
impl TryFrom<&str> for Lang {
    type Error = super::UnknownValue;
    fn try_from(code: &str) -> Result<Self, Self::Error> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code() == code)
            .ok_or_else(|| super::UnknownValue::new("language", code))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown language {0:?} (expected fa or en)")]
pub struct UnknownLang(pub String);

impl FromStr for Lang {
    type Err = UnknownLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fa" | "fa-ir" | "persian" | "farsi" => Ok(Lang::Fa),
            "en" | "english" => Ok(Lang::En),
            other => Err(UnknownLang(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_codes_choose_a_language() {
        assert_eq!(Lang::from_telegram(Some("fa"), Lang::En), Lang::Fa);
        assert_eq!(Lang::from_telegram(Some("fa-IR"), Lang::En), Lang::Fa);
        assert_eq!(Lang::from_telegram(Some("de"), Lang::Fa), Lang::En);
        assert_eq!(Lang::from_telegram(None, Lang::Fa), Lang::Fa);
        assert_eq!(Lang::from_telegram(Some(""), Lang::En), Lang::En);
    }

    #[test]
    fn parses_codes() {
        assert_eq!("FA".parse::<Lang>().unwrap(), Lang::Fa);
        assert_eq!("en".parse::<Lang>().unwrap(), Lang::En);
        assert!("xx".parse::<Lang>().is_err());
    }
}
