//! The daily digest as one message: a heading, then each statement's title and Jalali date,
//! each also a button (see `telegram::keyboards`) that opens the statement.

use crate::domain::{Announcement, Lang, StatementId};
use crate::text::bidi::rtl_lines;
use crate::text::catalogue::{digest_heading, digest_item, show_button};
use crate::text::dates::format_date;
use crate::text::excerpt::excerpt;
use crate::text::format::{TELEGRAM_TEXT_LIMIT, visible_len};

/// One button a statement, one per row: far below Telegram's 100 buttons per keyboard,
/// and as many titles as a phone shows without endless scrolling.
pub const DIGEST_MAX_ENTRIES: usize = 30;

/// A title in the digest's text is cut here; the button under it names the statement too.
const DIGEST_TITLE_CHARS: usize = 120;

/// Headroom for what is hard to predict exactly (Telegram's own trimming and counting).
const SAFETY_MARGIN: usize = 32;

/// One digest message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub html: String,
    /// The statements it names, in order, with their buttons' labels.
    pub buttons: Vec<(StatementId, String)>,
}

/// The digest of the first statements of `statements` (oldest first) that fit one message:
/// at most [`DIGEST_MAX_ENTRIES`] and within Telegram's 4096 characters. The rest are for
/// the next message; `buttons` says which ones this one names. Empty input, empty digest.
pub fn digest(statements: &[Announcement], lang: Lang) -> Digest {
    let mut lines: Vec<String> = Vec::new();
    let mut buttons = Vec::new();
    // The heading's count is filled in at the end; its longest form is costed up front.
    let heading_cost = visible_len(&digest_heading(DIGEST_MAX_ENTRIES, lang)) + 2;
    let mut cost = heading_cost;
    for statement in statements.iter().take(DIGEST_MAX_ENTRIES) {
        let mut title = excerpt(&statement.title, DIGEST_TITLE_CHARS);
        if title.is_empty() {
            title = excerpt(&statement.body_text, DIGEST_TITLE_CHARS);
        }
        let line = rtl_lines(&digest_item(
            statement.id.0,
            &title,
            &format_date(statement.published_at, lang),
            lang,
        ));
        let line_cost = visible_len(&line) + 1;
        if !lines.is_empty() && cost + line_cost + SAFETY_MARGIN > TELEGRAM_TEXT_LIMIT {
            break;
        }
        cost += line_cost;
        lines.push(line);
        let label_source = if statement.title.trim().is_empty() {
            &statement.body_text
        } else {
            &statement.title
        };
        buttons.push((
            statement.id,
            show_button(statement.id.0, label_source, lang),
        ));
    }
    if buttons.is_empty() {
        return Digest {
            html: String::new(),
            buttons,
        };
    }
    let heading = rtl_lines(&digest_heading(buttons.len(), lang));
    Digest {
        html: format!("{heading}\n\n{}", lines.join("\n")),
        buttons,
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::SourceKey;
    use crate::text::format::is_valid_telegram_html;

    fn statement(id: i64, title: &str) -> Announcement {
        let at = Utc.with_ymd_and_hms(2026, 11, 27, 8, 0, 0).unwrap();
        Announcement {
            id: StatementId(id),
            source_key: SourceKey::stored(format!("k{id}")),
            title: title.into(),
            body_html: String::new(),
            body_text: "متن".into(),
            link: None,
            image_url: None,
            media: Vec::new(),
            published_at: at,
            created_at: at,
        }
    }

    #[test]
    fn titles_dates_and_a_button_each() {
        let three: Vec<_> = (1..=3).map(|i| statement(i, "بیانیهٔ <مهم>")).collect();
        let fa = digest(&three, Lang::Fa);
        assert_eq!(fa.buttons.len(), 3);
        assert!(is_valid_telegram_html(&fa.html), "{}", fa.html);
        assert!(fa.html.contains("&lt;مهم&gt;"), "{}", fa.html);
        assert!(fa.html.contains("۶ آذر ۱۴۰۵"), "{}", fa.html);
        assert!(fa.html.contains('۳'), "{}", fa.html);
        assert!(!fa.html.contains('3'), "Persian digits only: {}", fa.html);
        assert_eq!(fa.buttons[0].0, StatementId(1));
        let en = digest(&three, Lang::En);
        assert!(en.html.contains("27 November 2026"), "{}", en.html);
        assert_eq!(digest(&[], Lang::Fa).buttons.len(), 0);
    }

    #[test]
    fn a_long_day_is_cut_to_what_one_message_holds() {
        let many: Vec<_> = (1..=80)
            .map(|i| statement(i, &"عنوانی بسیار بلند ".repeat(20)))
            .collect();
        let first = digest(&many, Lang::Fa);
        assert!(!first.buttons.is_empty());
        assert!(first.buttons.len() <= DIGEST_MAX_ENTRIES);
        assert!(visible_len(&first.html) <= TELEGRAM_TEXT_LIMIT);
        assert!(is_valid_telegram_html(&first.html));
        let short: Vec<_> = (1..=80).map(|i| statement(i, "کوتاه")).collect();
        assert_eq!(digest(&short, Lang::En).buttons.len(), DIGEST_MAX_ENTRIES);
    }
}
