//! Lists of statements one page at a time (/latest, /search, /archive), and the buttons
//! under them. A button carries a listing, an offset or a statement number, never the query
//! text: `l:<size>:<offset>`, `q:<search id>:<offset>`, `v:<statement id>`, and for the
//! calendar `a` (the years), `y:<year>` (its months), `m:<year>:<month>:<offset>`; all far
//! under Telegram's 64 bytes.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::reply::{edit_page, send_page};
use super::{Context, HandlerResult, JarchiBot, public};
use crate::domain::{Announcement, Lang, StatementId};
use crate::text::catalogue::{self, Phrase, phrase, show_button};
use crate::text::{JalaliMonth, QueryTerm, announcement_card, one_message, search_card};

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
    /// The statements of one Jalali month.
    Month(JalaliMonth),
}

/// What a pressed button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Button {
    Page { listing: Listing, offset: u32 },
    Show { id: i64 },
    Years,
    Months { year: i32 },
}

/// Telegram draws at most 100 buttons under a message; the years stop well before.
const MAX_YEAR_BUTTONS: usize = 90;
/// Year and month buttons per row.
const CALENDAR_BUTTONS_PER_ROW: usize = 3;

impl Listing {
    fn page_size(self) -> u32 {
        match self {
            Listing::Latest { size } => size,
            Listing::Search { .. } | Listing::Month(_) => SEARCH_PAGE_SIZE,
        }
    }

    fn data(self, offset: u32) -> String {
        match self {
            Listing::Latest { size } => format!("l:{size}:{offset}"),
            Listing::Search { id } => format!("q:{id}:{offset}"),
            Listing::Month(m) => format!("m:{}:{}:{offset}", m.year(), m.month()),
        }
    }
}

fn parse_button(data: &str) -> Option<Button> {
    let parts: Vec<&str> = data.split(':').collect();
    let offset = |s: &str| s.parse::<u32>().ok().filter(|o| *o <= MAX_OFFSET);
    let page = |listing, o: &str| {
        Some(Button::Page {
            listing,
            offset: offset(o)?,
        })
    };
    match parts.as_slice() {
        ["v", id] => Some(Button::Show {
            id: id.parse().ok().filter(|id| *id > 0)?,
        }),
        ["l", size, o] => {
            let size = size.parse::<u32>().ok().filter(|s| (1..=10).contains(s))?;
            page(Listing::Latest { size }, o)
        }
        ["q", id, o] => page(
            Listing::Search {
                id: id.parse().ok()?,
            },
            o,
        ),
        ["a"] => Some(Button::Years),
        ["y", year] => {
            let year = year.parse().ok()?;
            JalaliMonth::new(year, 1)?;
            Some(Button::Months { year })
        }
        ["m", year, month, o] => {
            let month = JalaliMonth::new(year.parse().ok()?, month.parse().ok()?)?;
            page(Listing::Month(month), o)
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
    let mut terms: Vec<QueryTerm> = Vec::new();
    let mut heading = None;
    let statements = match listing {
        Listing::Latest { .. } => ctx.storage.latest(size + 1, offset).await?,
        Listing::Search { id } => match ctx.storage.remembered_search(id).await? {
            Some(request) => {
                terms = request
                    .words
                    .iter()
                    .map(|w| QueryTerm::from_folded(w))
                    .collect();
                let within = request.month.and_then(JalaliMonth::span);
                if request.month.is_some() && within.is_none() {
                    return Ok(None);
                }
                ctx.storage
                    .search(&request.words, within, size + 1, offset)
                    .await?
            }
            None => return Ok(None),
        },
        Listing::Month(month) => {
            let Some((start, end)) = month.span() else {
                return Ok(None);
            };
            heading = Some(catalogue::archive_month_heading(month, lang));
            ctx.storage
                .published_between(start, end, size + 1, offset)
                .await?
        }
    };
    if statements.is_empty() {
        return Ok(None);
    }
    let shown: &[Announcement] = &statements[..statements.len().min(size as usize)];
    let mut blocks: Vec<String> = heading.into_iter().collect();
    let headed = blocks.len();
    blocks.extend(shown.iter().map(|a| {
        if terms.is_empty() {
            announcement_card(a, lang)
        } else {
            search_card(a, lang, &terms)
        }
    }));
    let (html, taken) = one_message(&blocks);
    // A heading is small, so at least one card always comes with it.
    let taken = taken.saturating_sub(headed).max(1);
    let mut rows: Vec<Vec<InlineKeyboardButton>> = shown[..taken]
        .iter()
        .map(|a| {
            vec![InlineKeyboardButton::callback(
                show_button(a.id.0, &a.title, lang),
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
    if let Listing::Month(month) = listing {
        rows.push(vec![InlineKeyboardButton::callback(
            phrase(Phrase::ButtonBack, lang),
            format!("y:{}", month.year()),
        )]);
    }
    Ok(Some(Page {
        html,
        keyboard: InlineKeyboardMarkup::new(rows),
    }))
}

/// The years that have statements, newest first, each a button to its months; `None` when
/// the archive is empty.
pub async fn years_page(ctx: &Context, lang: Lang) -> Result<Option<Page>, super::HandlerError> {
    let Some((first, last)) = ctx.storage.published_range().await? else {
        return Ok(None);
    };
    let year_of = |at| JalaliMonth::containing(at).map(JalaliMonth::year);
    let years = crate::text::dates::JALALI_YEARS;
    let first = year_of(first).unwrap_or(*years.start());
    let last = year_of(last).unwrap_or(*years.end());
    let candidates: Vec<(i32, _)> = (first..=last)
        .rev()
        .filter_map(|y| Some((y, JalaliMonth::year_span(y)?)))
        .collect();
    let spans: Vec<_> = candidates.iter().map(|(_, span)| *span).collect();
    let counts = ctx.storage.count_published(&spans).await?;
    let buttons: Vec<InlineKeyboardButton> = candidates
        .iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .take(MAX_YEAR_BUTTONS)
        .map(|((year, _), count)| {
            InlineKeyboardButton::callback(
                catalogue::year_button(*year, count, lang),
                format!("y:{year}"),
            )
        })
        .collect();
    if buttons.is_empty() {
        return Ok(None);
    }
    Ok(Some(Page {
        html: phrase(Phrase::ArchiveChooseYear, lang).to_string(),
        keyboard: InlineKeyboardMarkup::new(
            buttons
                .chunks(CALENDAR_BUTTONS_PER_ROW)
                .map(<[_]>::to_vec)
                .collect::<Vec<_>>(),
        ),
    }))
}

/// The months of `year` that have statements, each a button to its list, and a way back.
async fn months_page(
    ctx: &Context,
    year: i32,
    lang: Lang,
) -> Result<Option<Page>, super::HandlerError> {
    let months: Vec<(JalaliMonth, _)> = (1..=12)
        .filter_map(|m| JalaliMonth::new(year, m))
        .filter_map(|m| Some((m, m.span()?)))
        .collect();
    let spans: Vec<_> = months.iter().map(|(_, span)| *span).collect();
    let counts = ctx.storage.count_published(&spans).await?;
    let buttons: Vec<InlineKeyboardButton> = months
        .iter()
        .zip(counts)
        .filter(|(_, count)| *count > 0)
        .map(|((month, _), count)| {
            InlineKeyboardButton::callback(
                catalogue::month_button(*month, count, lang),
                Listing::Month(*month).data(0),
            )
        })
        .collect();
    if buttons.is_empty() {
        return Ok(None);
    }
    let mut rows: Vec<Vec<InlineKeyboardButton>> = buttons
        .chunks(CALENDAR_BUTTONS_PER_ROW)
        .map(<[_]>::to_vec)
        .collect();
    rows.push(vec![InlineKeyboardButton::callback(
        phrase(Phrase::ButtonBack, lang),
        "a",
    )]);
    Ok(Some(Page {
        html: catalogue::archive_year_heading(year, lang),
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
        .map_or(ChatId::from(query.from.id), |m| m.chat().id);
    let lang = ctx
        .lang_for_chat(chat, query.from.language_code.as_deref())
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
        (Some(Button::Years | Button::Months { .. }), Some(message_id)) => {
            let calendar = match pressed {
                Some(Button::Months { year }) => months_page(&ctx, year, lang).await?,
                _ => years_page(&ctx, lang).await?,
            };
            match calendar {
                Some(page) => {
                    bot.answer_callback_query(query.id.clone()).await?;
                    edit_page(&bot, chat, message_id, page.html, page.keyboard).await?;
                    return Ok(());
                }
                None => Phrase::PageGone,
            }
        }
        (Some(Button::Show { id }), _) => match ctx.storage.announcement(StatementId(id)).await? {
            Some(statement) => {
                bot.answer_callback_query(query.id.clone()).await?;
                public::send_statement(&bot, &ctx, chat, &statement, lang).await?;
                return Ok(());
            }
            None => Phrase::StatementGone,
        },
        (Some(Button::Page { .. } | Button::Years | Button::Months { .. }), None) => {
            Phrase::PageGone
        }
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
        assert_eq!(parse_button("a"), Some(Button::Years));
        assert_eq!(parse_button("y:1396"), Some(Button::Months { year: 1396 }));
        let khordad = Listing::Month(JalaliMonth::new(1396, 3).expect("valid"));
        assert_eq!(
            parse_button(&khordad.data(5)),
            Some(Button::Page {
                listing: khordad,
                offset: 5
            })
        );
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
            "a:1",
            "y",
            "y:2017",
            "y:x",
            "m:1396:13:0",
            "m:1396:0:0",
            "m:1396:3",
            "m:1396:3:-1",
        ] {
            assert_eq!(parse_button(garbage), None, "{garbage:?}");
        }
    }
}
