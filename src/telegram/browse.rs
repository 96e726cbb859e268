//! Lists of statements one page at a time (/latest, /search), and the buttons under them.
//! A button carries a listing, an offset or a statement number, never the query text:
//! `l:<size>:<offset>`, `q:<search id>:<offset>`, `v:<statement id>`, all far under
//! Telegram's 64 bytes.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::reply::{edit_page, send_page};
use super::{Context, HandlerResult, JarchiBot, public};
use crate::domain::{Announcement, Lang};
use crate::text::catalogue::{Phrase, phrase, show_button};
use crate::text::{announcement_card, one_message};

/// Results per page of a search.
pub const SEARCH_PAGE_SIZE: u32 = 5;

/// Offsets beyond this come from forged buttons, not from paging through any real archive.
const MAX_OFFSET: u32 = 100_000;

/// Which list a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Latest {
        size: u32,
    },
    /// A search remembered by storage under this id.
    Search {
        id: i64,
    },
}

/// What a pressed button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Button {
    Page { listing: Listing, offset: u32 },
    Show { id: i64 },
}

impl Listing {
    fn page_size(self) -> u32 {
        match self {
            Listing::Latest { size } => size,
            Listing::Search { .. } => SEARCH_PAGE_SIZE,
        }
    }

    fn data(self, offset: u32) -> String {
        match self {
            Listing::Latest { size } => format!("l:{size}:{offset}"),
            Listing::Search { id } => format!("q:{id}:{offset}"),
        }
    }
}

fn parse_button(data: &str) -> Option<Button> {
    let mut parts = data.split(':');
    let kind = parts.next()?;
    let first = parts.next()?;
    let second = parts.next();
    if parts.next().is_some() {
        return None;
    }
    match (kind, second) {
        ("v", None) => Some(Button::Show {
            id: first.parse().ok().filter(|id| *id > 0)?,
        }),
        ("l" | "q", Some(offset)) => {
            let offset = offset.parse::<u32>().ok().filter(|o| *o <= MAX_OFFSET)?;
            let listing = if kind == "l" {
                let size = first.parse::<u32>().ok().filter(|s| (1..=10).contains(s))?;
                Listing::Latest { size }
            } else {
                Listing::Search {
                    id: first.parse().ok()?,
                }
            };
            Some(Button::Page { listing, offset })
        }
        _ => None,
    }
}

/// One page, ready to send or to edit in.
pub struct Page {
    pub html: String,
    pub keyboard: InlineKeyboardMarkup,
}

/// The page of `listing` at `offset`; `None` when the listing is gone (an expired search)
/// or has nothing there any more (statements deleted since).
pub async fn page(
    ctx: &Context,
    listing: Listing,
    offset: u32,
    lang: Lang,
) -> Result<Option<Page>, super::HandlerError> {
    let size = listing.page_size();
    // One more than a page tells whether there is a next one.
    let statements = match listing {
        Listing::Latest { .. } => ctx.storage.latest(size + 1, offset).await?,
        Listing::Search { id } => match ctx.storage.remembered_search(id).await? {
            Some(expression) => ctx.storage.search(&expression, size + 1, offset).await?,
            None => return Ok(None),
        },
    };
    if statements.is_empty() {
        return Ok(None);
    }
    let shown: &[Announcement] = &statements[..statements.len().min(size as usize)];
    let cards: Vec<String> = shown.iter().map(|a| announcement_card(a, lang)).collect();
    let (html, taken) = one_message(&cards);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = shown[..taken]
        .iter()
        .map(|a| {
            vec![InlineKeyboardButton::callback(
                show_button(a.id, &a.title, lang),
                format!("v:{}", a.id),
            )]
        })
        .collect();
    let mut navigation = Vec::new();
    if offset > 0 {
        navigation.push(InlineKeyboardButton::callback(
            phrase(Phrase::ButtonPrevious, lang),
            listing.data(offset.saturating_sub(size)),
        ));
    }
    // Whatever did not fit in this message starts the next page, so nothing is skipped.
    if statements.len() > taken {
        navigation.push(InlineKeyboardButton::callback(
            phrase(Phrase::ButtonNext, lang),
            listing.data(offset + taken as u32),
        ));
    }
    if !navigation.is_empty() {
        rows.push(navigation);
    }
    Ok(Some(Page {
        html,
        keyboard: InlineKeyboardMarkup::new(rows),
    }))
}

/// Sends the first page of a listing as a new message.
pub async fn send_first_page(
    bot: &JarchiBot,
    chat: ChatId,
    ctx: &Context,
    listing: Listing,
    lang: Lang,
) -> Result<bool, super::HandlerError> {
    let Some(page) = page(ctx, listing, 0, lang).await? else {
        return Ok(false);
    };
    send_page(bot, chat, page.html, page.keyboard).await?;
    Ok(true)
}

/// A pressed list button. Every query is answered, a stale or forged one with a short
/// sentence, so the user's client never spins.
pub async fn button(bot: JarchiBot, query: CallbackQuery, ctx: Context) -> HandlerResult {
    let chat = query
        .message
        .as_ref()
        .map_or(ChatId(query.from.id.0 as i64), |m| m.chat().id);
    let lang = ctx
        .lang_for_chat(chat.0, query.from.language_code.as_deref())
        .await?;
    let message = query.regular_message().map(|m| m.id);
    let pressed = query.data.as_deref().and_then(parse_button);
    let refusal = match (pressed, message) {
        (Some(Button::Page { listing, offset }), Some(message_id)) => {
            match page(&ctx, listing, offset, lang).await? {
                Some(page) => {
                    bot.answer_callback_query(query.id.clone()).await?;
                    edit_page(&bot, chat, message_id, page.html, page.keyboard).await?;
                    return Ok(());
                }
                None => Phrase::PageGone,
            }
        }
        (Some(Button::Show { id }), _) => match ctx.storage.announcement(id).await? {
            Some(statement) => {
                bot.answer_callback_query(query.id.clone()).await?;
                public::send_statement(&bot, &ctx, chat, &statement, lang).await?;
                return Ok(());
            }
            None => Phrase::StatementGone,
        },
        (Some(Button::Page { .. }), None) => Phrase::PageGone,
        (None, _) => Phrase::ButtonUnknown,
    };
    tracing::debug!(?refusal, "a list button could not be followed");
    bot.answer_callback_query(query.id.clone())
        .text(phrase(refusal, lang))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip_and_garbage_is_refused() {
        let latest = Listing::Latest { size: 5 };
        assert_eq!(
            parse_button(&latest.data(10)),
            Some(Button::Page {
                listing: latest,
                offset: 10
            })
        );
        let search = Listing::Search { id: i64::MAX };
        assert!(search.data(MAX_OFFSET).len() <= 64);
        assert_eq!(parse_button("v:12"), Some(Button::Show { id: 12 }));
        for garbage in [
            "",
            "v",
            "v:",
            "v:-1",
            "v:x",
            "l:5",
            "l:0:0",
            "l:99:0",
            "l:5:-1",
            "l:5:999999999",
            "q:x:0",
            "q:1:0:0",
            "zz:1:2",
            "post:send",
        ] {
            assert_eq!(parse_button(garbage), None, "{garbage:?}");
        }
    }
}
