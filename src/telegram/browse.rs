//! Lists of statements one page at a time (/latest, /search, /archive), and the buttons
//! under them (see `callback` for what they carry).

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::{BrowseButton, LATEST_MAX, Listing, button};
use super::reply::{ReplyTo, edit_page, say, send_page, send_statement, toast};
use super::{Context, HandlerError, HandlerResult, JarchiBot};
use crate::domain::{Announcement, Lang, StatementId};
use crate::text::catalogue::{self, Phrase, phrase, show_button};
use crate::text::{
    JalaliMonth, QueryTerm, listed_card, one_message, parse_search, search_card, to_ascii_digits,
};

/// Results per page of a search.
const SEARCH_PAGE_SIZE: u32 = 5;

const LATEST_DEFAULT: u32 = 5;

/// Telegram draws at most 100 buttons under a message; the years stop well before.
const MAX_YEAR_BUTTONS: usize = 90;
/// Year and month buttons per row.
const CALENDAR_BUTTONS_PER_ROW: usize = 3;

fn page_size(listing: Listing) -> u32 {
    match listing {
        Listing::Latest { size } | Listing::LatestIn { size, .. } => size,
        Listing::Search { .. } | Listing::Month(_) => SEARCH_PAGE_SIZE,
    }
}

fn page_button(label: &str, listing: Listing, offset: u32) -> InlineKeyboardButton {
    button(label, BrowseButton::Page { listing, offset })
}

/// One page, ready to send or to edit in.
struct Page {
    html: String,
    keyboard: InlineKeyboardMarkup,
}

/// The page of `listing` at `offset`; `None` when the listing is gone (an expired search)
/// or has nothing there any more (statements deleted since).
async fn page(
    ctx: &Context,
    listing: Listing,
    offset: u32,
    lang: Lang,
) -> Result<Option<Page>, HandlerError> {
    let size = page_size(listing);
    // One more than a page tells whether there is a next one.
    let mut terms: Vec<QueryTerm> = Vec::new();
    let mut heading = None;
    let statements = match listing {
        Listing::Latest { .. } => ctx.storage.latest(size + 1, offset).await?,
        Listing::LatestIn { topic, .. } => {
            ctx.storage.latest_in_topic(topic, size + 1, offset).await?
        }
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
            listed_card(a, lang)
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
            vec![button(
                show_button(a.id.0, &a.title, lang),
                BrowseButton::Show { id: a.id },
            )]
        })
        .collect();
    let mut navigation = Vec::new();
    if offset > 0 {
        navigation.push(page_button(
            phrase(Phrase::ButtonPrevious, lang),
            listing,
            offset.saturating_sub(size),
        ));
    }
    // Whatever did not fit in this message starts the next page, so nothing is skipped.
    if statements.len() > taken {
        navigation.push(page_button(
            phrase(Phrase::ButtonNext, lang),
            listing,
            offset + taken as u32,
        ));
    }
    if !navigation.is_empty() {
        rows.push(navigation);
    }
    if let Listing::Month(month) = listing {
        rows.push(vec![button(
            phrase(Phrase::ButtonBack, lang),
            BrowseButton::Months { year: month.year() },
        )]);
    }
    Ok(Some(Page {
        html,
        keyboard: InlineKeyboardMarkup::new(rows),
    }))
}

/// The years that have statements, newest first, each a button to its months; `None` when
/// the archive is empty.
async fn years_page(ctx: &Context, lang: Lang) -> Result<Option<Page>, HandlerError> {
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
            button(
                catalogue::year_button(*year, count, lang),
                BrowseButton::Months { year: *year },
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
async fn months_page(ctx: &Context, year: i32, lang: Lang) -> Result<Option<Page>, HandlerError> {
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
            page_button(
                &catalogue::month_button(*month, count, lang),
                Listing::Month(*month),
                0,
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
    rows.push(vec![button(
        phrase(Phrase::ButtonBack, lang),
        BrowseButton::Years,
    )]);
    Ok(Some(Page {
        html: catalogue::archive_year_heading(year, lang),
        keyboard: InlineKeyboardMarkup::new(rows),
    }))
}

/// Sends the first page of a listing as a new message; false when it has nothing.
async fn send_first_page(
    bot: &JarchiBot,
    ctx: &Context,
    to: &ReplyTo,
    listing: Listing,
) -> Result<bool, HandlerError> {
    let Some(page) = page(ctx, listing, 0, to.lang).await? else {
        return Ok(false);
    };
    send_page(bot, to.chat, page.html, page.keyboard).await?;
    Ok(true)
}

/// `/latest [n]`.
pub async fn latest(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, arg: &str) -> HandlerResult {
    let (topic, arg) = match super::topics::latest_topic(ctx, arg, to.lang).await? {
        Ok(found) => found,
        Err(answer) => return say(bot, to, answer).await,
    };
    let Some(count) = parse_count(&arg) else {
        return say(bot, to, phrase(Phrase::LatestUsage, to.lang)).await;
    };
    let listing = match topic {
        Some(topic) => Listing::LatestIn { size: count, topic },
        None => Listing::Latest { size: count },
    };
    if !send_first_page(bot, ctx, to, listing).await? {
        return say(bot, to, phrase(Phrase::LatestEmpty, to.lang)).await;
    }
    Ok(())
}

/// `/search words`: the query is remembered on the server, the buttons carry its number.
pub async fn search(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, query: &str) -> HandlerResult {
    if query.trim().is_empty() {
        return say(bot, to, phrase(Phrase::SearchUsage, to.lang)).await;
    }
    let Some(request) = parse_search(query) else {
        return say(bot, to, phrase(Phrase::SearchNoTerms, to.lang)).await;
    };
    let id = ctx.storage.remember_search(&request).await?;
    let listing = Listing::Search { id };
    if !send_first_page(bot, ctx, to, listing).await? {
        return say(bot, to, catalogue::search_no_results(query, to.lang)).await;
    }
    Ok(())
}

/// The archive by the Jalali calendar: the years first, each a button.
pub async fn archive(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    match years_page(ctx, to.lang).await? {
        Some(page) => {
            send_page(bot, to.chat, page.html, page.keyboard).await?;
            Ok(())
        }
        None => say(bot, to, phrase(Phrase::LatestEmpty, to.lang)).await,
    }
}

/// A pressed list or calendar button. A stale one (a page or statement gone since) gets a
/// short sentence.
pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: BrowseButton,
) -> HandlerResult {
    let refusal = match (pressed, query.regular_message().map(|m| m.id)) {
        (BrowseButton::Show { id }, _) => {
            return open_statement(&bot, &query, &ctx, &to, id).await;
        }
        (_, None) => Phrase::PageGone,
        (pressed, Some(message_id)) => match page_asked(&ctx, pressed, to.lang).await? {
            Some(page) => {
                bot.answer_callback_query(query.id.clone()).await?;
                return edit_page(&bot, to.chat, message_id, page.html, page.keyboard)
                    .await
                    .map_err(HandlerError::from);
            }
            None => Phrase::PageGone,
        },
    };
    tracing::debug!(?refusal, "a list button could not be followed");
    toast(&bot, &query, phrase(refusal, to.lang)).await
}

/// A button that opens one statement (under a list, a digest, or a card's "Full text"):
/// the button is answered at once, then the whole statement follows as /show sends it.
pub(super) async fn open_statement(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    id: StatementId,
) -> HandlerResult {
    let Some(statement) = ctx.storage.announcement(id).await? else {
        tracing::debug!("a button named a statement that is gone");
        return toast(bot, query, phrase(Phrase::StatementGone, to.lang)).await;
    };
    bot.answer_callback_query(query.id.clone()).await?;
    send_statement(bot, &ctx.storage, to, &statement).await
}

/// The page of a list or of the calendar that a button asks for.
async fn page_asked(
    ctx: &Context,
    pressed: BrowseButton,
    lang: Lang,
) -> Result<Option<Page>, HandlerError> {
    match pressed {
        BrowseButton::Page { listing, offset } => page(ctx, listing, offset, lang).await,
        BrowseButton::Months { year } => months_page(ctx, year, lang).await,
        BrowseButton::Years => years_page(ctx, lang).await,
        BrowseButton::Show { .. } => Ok(None),
    }
}

/// `/latest`, `/latest 3`, `/latest ۳`: absent means the default, too many means the most
/// we show; anything else is not a count.
fn parse_count(arg: &str) -> Option<u32> {
    let arg = to_ascii_digits(arg);
    let arg = arg.trim();
    if arg.is_empty() {
        return Some(LATEST_DEFAULT);
    }
    match arg.parse::<u64>() {
        Ok(0) => None,
        Ok(n) => Some(n.min(u64::from(LATEST_MAX)) as u32),
        Err(_) if arg.len() > 3 && arg.bytes().all(|b| b.is_ascii_digit()) => Some(LATEST_MAX),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(""), Some(5));
        assert_eq!(parse_count(" 3 "), Some(3));
        assert_eq!(parse_count("۳"), Some(3));
        assert_eq!(parse_count("99"), Some(10));
        assert_eq!(parse_count("99999999999999999999999"), Some(10));
        assert_eq!(parse_count("0"), None);
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("five"), None);
    }
}
