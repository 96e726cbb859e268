//! Inline mode: `@bot word` in any chat offers matching statements to drop into it.

use teloxide::prelude::*;
use teloxide::types::{
    FileId, InlineQueryResult, InlineQueryResultArticle, InlineQueryResultCachedDocument,
    InlineQueryResultCachedPhoto, InputMessageContent, InputMessageContentText, LinkPreviewOptions,
    ParseMode,
};

use super::keyboards::card_keyboard;
use super::reply::ReplyTo;
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Announcement, Lang, MediaKind, MediaSource, StatementId, is_http_url};
use crate::text::catalogue::show_button;
use crate::text::{
    JalaliMonth, announcement_card, caption_card, excerpt, parse_search, to_ascii_digits,
};

/// Telegram allows 50; a phone shows a handful, and 20 keeps the answer small.
const INLINE_RESULTS: u32 = 20;
/// Statements change rarely; Telegram may reuse an answer for this long (seconds).
const INLINE_CACHE_SECONDS: u32 = 300;
const INLINE_TITLE_CHARS: usize = 100;
const INLINE_DESCRIPTION_CHARS: usize = 120;

/// The cards come in the language of the person asking (see `ReplyTo`): the chat they
/// drop one into is not known yet.
pub async fn answer(
    bot: JarchiBot,
    query: InlineQuery,
    ctx: Context,
    to: ReplyTo,
) -> HandlerResult {
    let lang = to.lang;
    // `#12` is one statement (what a card's Share button asks for); otherwise the same
    // folding and search as /search, and no words at all means the latest.
    let statements = if let Some(id) = one_statement(&query.query) {
        ctx.storage.announcement(id).await?.into_iter().collect()
    } else if query.query.trim().is_empty() {
        ctx.storage.latest(INLINE_RESULTS, 0).await?
    } else {
        match parse_search(&query.query) {
            Some(request) => {
                let within = request.month.and_then(JalaliMonth::span);
                ctx.storage
                    .search(&request.words, within, INLINE_RESULTS, 0)
                    .await?
            }
            None => Vec::new(),
        }
    };
    tracing::debug!(results = statements.len(), "inline query");
    let results: Vec<InlineQueryResult> = statements
        .iter()
        .map(|a| {
            cached_file(a, lang).unwrap_or_else(|| InlineQueryResult::Article(article(a, lang)))
        })
        .collect();
    bot.answer_inline_query(query.id.clone(), results)
        .cache_time(INLINE_CACHE_SECONDS)
        .is_personal(false)
        .await?;
    Ok(())
}

/// `#12` or `#۱۲`, and nothing else: the query of a card's Share button.
fn one_statement(query: &str) -> Option<StatementId> {
    let digits = to_ascii_digits(query.trim().strip_prefix('#')?);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0).map(StatementId)
}

/// A statement whose first file is a photo or a document Telegram holds: that file, cached,
/// with the card as its caption (its title and link alone when the card is too long).
fn cached_file(a: &Announcement, lang: Lang) -> Option<InlineQueryResult> {
    let first = a.media.first()?;
    let MediaSource::Telegram { file_id, .. } = first.source() else {
        return None;
    };
    let file_id = FileId(file_id.clone());
    let caption = caption_card(a, lang);
    let id = a.id.to_string();
    match first.kind() {
        MediaKind::Photo => Some(InlineQueryResult::CachedPhoto(
            InlineQueryResultCachedPhoto::new(id, file_id)
                .title(inline_title(a, lang))
                .caption(caption)
                .parse_mode(ParseMode::Html),
        )),
        MediaKind::Document => Some(InlineQueryResult::CachedDocument(
            InlineQueryResultCachedDocument::new(id, inline_title(a, lang), file_id)
                .caption(caption)
                .parse_mode(ParseMode::Html),
        )),
        _ => None,
    }
}

/// The statement's title, or its number and opening words when it has none.
fn inline_title(a: &Announcement, lang: Lang) -> String {
    let title = excerpt(&a.title, INLINE_TITLE_CHARS);
    if title.is_empty() {
        return show_button(a.id.0, &a.body_text, lang);
    }
    title
}

fn article(a: &Announcement, lang: Lang) -> InlineQueryResultArticle {
    let content = InputMessageContentText::new(announcement_card(a, lang))
        .parse_mode(ParseMode::Html)
        .link_preview_options(LinkPreviewOptions {
            is_disabled: a.link.is_none(),
            url: None,
            prefer_small_media: false,
            prefer_large_media: false,
            show_above_text: false,
        });
    // The domain allows a statement with a body only; its number and opening words stand
    // in for the title then.
    let title = inline_title(a, lang);
    let mut result =
        InlineQueryResultArticle::new(a.id.to_string(), title, InputMessageContent::Text(content));
    let description = excerpt(&a.body_text, INLINE_DESCRIPTION_CHARS);
    if !description.is_empty() {
        result = result.description(description);
    }
    // A card dropped into a chat is a card like any other: its buttons come along.
    result = result.reply_markup(card_keyboard(a, lang));
    if let Some(thumbnail) = a
        .image_url
        .as_deref()
        .filter(|u| is_http_url(u))
        .and_then(|u| reqwest::Url::parse(u).ok())
    {
        result = result.thumbnail_url(thumbnail);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_query_names_one_statement() {
        assert_eq!(one_statement("#12"), Some(StatementId(12)));
        assert_eq!(one_statement(" #۱۲ "), Some(StatementId(12)));
        for other in ["12", "#", "#0", "#-3", "#12 word", "#x", "word #12", ""] {
            assert_eq!(one_statement(other), None, "{other:?}");
        }
    }
}
