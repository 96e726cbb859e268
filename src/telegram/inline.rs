//! Inline mode: `@bot word` in any chat offers matching statements to drop into it.

use teloxide::prelude::*;
use teloxide::types::{
    FileId, InlineQueryResult, InlineQueryResultArticle, InlineQueryResultCachedDocument,
    InlineQueryResultCachedPhoto, InputMessageContent, InputMessageContentText, LinkPreviewOptions,
    ParseMode,
};

use super::reply::ReplyTo;
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Announcement, Lang, MediaKind, MediaSource, is_http_url};
use crate::text::catalogue::show_button;
use crate::text::{JalaliMonth, announcement_card, caption_card, excerpt, parse_search};

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
    // The same folding and search as /search; no words at all means the latest.
    let statements = if query.query.trim().is_empty() {
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
