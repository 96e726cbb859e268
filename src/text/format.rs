//! Statements as Telegram HTML (parse mode HTML). Markup appears only in the header and
//! footer we write; every piece of statement text goes through [`escape`], so a part is
//! valid on its own wherever long text is split.

use chrono::{DateTime, Utc};

use crate::domain::{Announcement, Lang, StatementContent, StatementId, is_http_url};
use crate::text::bidi::rtl_lines;
use crate::text::dates::format_date;
use crate::text::excerpt::{EXCERPT_CHARS, MAX_EXCERPT_TAGS, excerpt, excerpt_html};
use crate::text::fold::QueryTerm;
use crate::text::html::escape;
use crate::text::snippet::snippet;
use crate::text::split::{split_plain, utf16_len};

/// The most text one message may carry, in UTF-16 units after entity parsing.
pub const TELEGRAM_TEXT_LIMIT: usize = 4096;

/// The domain keeps titles to 512 characters; this guards callers that build an
/// `Announcement` by hand, so a header always leaves room for the body.
const MAX_TITLE_CHARS: usize = 512;

/// Links longer than this are not worth a broken message; the statement is still shown.
const MAX_LINK_BYTES: usize = 2048;

/// Headroom for what is hard to predict exactly (Telegram's own trimming and counting).
const SAFETY_MARGIN: usize = 32;

/// Parts of a long statement never get smaller than this while re-splitting, so a body of
/// many short left-to-right lines (one RLM each) still ends in a bounded number of steps.
const SMALLEST_BODY_BUDGET: usize = 64;

pub fn read_more_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Fa => "ادامه مطلب",
        Lang::En => "Read more",
    }
}

/// What a card shows of a statement: a stored one, or a draft's content under the number
/// it will most likely get.
struct Shown<'a> {
    id: StatementId,
    title: &'a str,
    body_text: &'a str,
    /// The body as Telegram HTML, when we built it from the admin's formatting; a feed's
    /// HTML is never sent as it is.
    formatted: Option<&'a str>,
    link: Option<&'a str>,
    published_at: DateTime<Utc>,
}

impl<'a> From<&'a Announcement> for Shown<'a> {
    fn from(a: &'a Announcement) -> Self {
        Shown {
            id: a.id,
            title: &a.title,
            body_text: &a.body_text,
            formatted: a.source_key.is_admin().then_some(a.body_html.as_str()),
            link: a.link.as_deref(),
            published_at: a.published_at,
        }
    }
}

/// `<b>title</b>` and the date/number line, without RLM marks (added per message).
fn header(a: &Shown, lang: Lang) -> String {
    let title = excerpt(a.title, MAX_TITLE_CHARS);
    let date = format_date(a.published_at, lang);
    let date_line = match source(a) {
        Some(host) => format!("{} · {} · #{}", escape(&date), escape(&host), a.id),
        None => format!("{} · #{}", escape(&date), a.id),
    };
    if title.is_empty() {
        date_line
    } else {
        format!("<b>{}</b>\n{date_line}", escape(&title))
    }
}

/// Where a statement comes from, as a reader recognises it: the host of its link
/// (`www.` dropped). Statements without a link are the organisation's own word.
fn source(a: &Shown) -> Option<String> {
    let link = a.link?.trim();
    if !is_http_url(link) {
        return None;
    }
    let url = url::Url::parse(link).ok()?;
    let host = url.host_str()?;
    Some(host.strip_prefix("www.").unwrap_or(host).to_string())
}

/// The read-more link, when the statement has a link Telegram will accept.
fn footer(a: &Shown, lang: Lang) -> Option<String> {
    let link = a.link?.trim();
    if link.len() > MAX_LINK_BYTES || !is_http_url(link) {
        return None;
    }
    Some(format!(
        "<a href=\"{}\">{}</a>",
        escape(link),
        read_more_label(lang)
    ))
}

fn join_sections(sections: &[&str]) -> String {
    sections
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// One statement as a card for `/latest`, search results and broadcasts: title, date and
/// number, an excerpt, and the read-more link.
pub fn announcement_card(a: &Announcement, lang: Lang) -> String {
    card(&Shown::from(a), lang)
}

/// Whether a card of `a` shows only part of its text (its excerpt was cut): such a card
/// carries the "Full text" button.
pub fn card_is_cut(a: &Announcement) -> bool {
    // The excerpt counts the text with its whitespace collapsed to single spaces.
    let (words, chars) = a
        .body_text
        .split_whitespace()
        .fold((0usize, 0usize), |(n, c), w| (n + 1, c + w.chars().count()));
    chars + words.saturating_sub(1) > EXCERPT_CHARS
}

/// Whether the stored text of a feed statement is only the site's teaser, so that its
/// whole text is on the site alone. The rule: a feed item (not an admin's statement) with
/// a link, whose text is empty or ends the way teasers end: `…`, `...`, `[…]` or `[...]`.
/// A feed that carries `content:encoded` gives the whole text and ends no such way.
pub fn is_teaser(a: &Announcement) -> bool {
    if a.source_key.is_admin() || !a.link.as_deref().is_some_and(is_http_url) {
        return false;
    }
    let body = a.body_text.trim_end();
    body.is_empty()
        || ["…", "...", "[…]", "[...]", "[&hellip;]"]
            .iter()
            .any(|end| body.ends_with(end))
}

/// A draft's content as the card subscribers will get, numbered `id`.
pub fn preview_card(id: StatementId, content: &StatementContent, lang: Lang) -> String {
    card(
        &Shown {
            id,
            title: content.title(),
            body_text: content.body_text(),
            formatted: Some(content.body_html()),
            link: content.link(),
            published_at: content.published_at(),
        },
        lang,
    )
}

fn card(a: &Shown, lang: Lang) -> String {
    let header = header(a, lang);
    let body = match a.formatted {
        Some(html) => excerpt_html(html, a.body_text, EXCERPT_CHARS),
        None => escape(&excerpt(a.body_text, EXCERPT_CHARS)),
    };
    let footer = footer(a, lang).unwrap_or_default();
    rtl_lines(&join_sections(&[&header, &body, &footer]))
}

/// The most a media caption may carry, in UTF-16 units after entity parsing.
pub const TELEGRAM_CAPTION_LIMIT: usize = 1024;

/// Whether a card can go as the caption of a statement's media (else it follows the media
/// as a message of its own).
pub fn fits_caption(card: &str) -> bool {
    visible_len(card) <= TELEGRAM_CAPTION_LIMIT
}

/// The card as a caption that was sent before and is now revised: the card when it fits,
/// else its title, date and link without the excerpt (a caption cannot become a message).
pub fn caption_card(a: &Announcement, lang: Lang) -> String {
    let card = announcement_card(a, lang);
    if fits_caption(&card) {
        return card;
    }
    // Even two UTF-16 units a character, a title this long leaves room for the date line
    // and the link.
    let title = excerpt(&a.title, CAPTION_TITLE_CHARS);
    let shown = Shown {
        title: &title,
        ..Shown::from(a)
    };
    let header = header(&shown, lang);
    let footer = footer(&shown, lang).unwrap_or_default();
    rtl_lines(&join_sections(&[&header, &footer]))
}

/// The title's share of a revised caption that no longer fits whole.
const CAPTION_TITLE_CHARS: usize = 300;

/// The mark a list puts before a statement with media (🖼, 🎬, 🔊 or 📄, by its first
/// file), and the card after it.
pub fn listed_card(a: &Announcement, lang: Lang) -> String {
    mark_media(a, announcement_card(a, lang))
}

fn mark_media(a: &Announcement, card: String) -> String {
    match a.media.first() {
        Some(file) => format!("{} {card}", file.kind().mark()),
        None => card,
    }
}

/// One statement as a search result: like [`announcement_card`], with the excerpt replaced
/// by a snippet around the first match in the text, matched words in bold. A match only in
/// the title keeps the opening words.
pub fn search_card(a: &Announcement, lang: Lang, terms: &[QueryTerm]) -> String {
    let statement = a;
    let shown = Shown::from(a);
    let a = &shown;
    let header = header(a, lang);
    let body = snippet(a.body_text, terms, EXCERPT_CHARS)
        .unwrap_or_else(|| escape(&excerpt(a.body_text, EXCERPT_CHARS)));
    let footer = footer(a, lang).unwrap_or_default();
    mark_media(
        statement,
        rtl_lines(&join_sections(&[&header, &body, &footer])),
    )
}

/// `/show` sends at most this many messages for one statement: a statement of a hundred
/// messages would tie up the reply budget everyone shares, and nobody reads it in a chat.
pub const MAX_STATEMENT_MESSAGES: usize = 10;

/// The whole statement for `/show`, in as many messages as it takes, up to
/// [`MAX_STATEMENT_MESSAGES`]. The first starts with the header, the last ends with the
/// read-more link (which, when the text was cut, says that the rest is there), and each fits
/// Telegram's limit.
pub fn full_statement(a: &Announcement, lang: Lang) -> Vec<String> {
    let shown = Shown::from(a);
    let a = &shown;
    let header = header(a, lang);
    let footer = footer(a, lang).unwrap_or_default();
    let cut_footer = cut_footer(a, lang);
    let longest_footer = visible_len(&rtl_lines(&footer)).max(visible_len(&rtl_lines(&cut_footer)));
    let frame_cost = visible_len(&rtl_lines(&header)) + longest_footer + 4;
    let body_budget = TELEGRAM_TEXT_LIMIT
        .saturating_sub(frame_cost + SAFETY_MARGIN)
        .max(SMALLEST_BODY_BUDGET);

    if let Some(whole) = formatted_in_one_message(a, &header, &footer) {
        return vec![whole];
    }
    let mut chunks = body_chunks(a.body_text, body_budget);
    if chunks.is_empty() {
        return vec![rtl_lines(&join_sections(&[&header, &footer]))];
    }
    let cut = chunks.len() > MAX_STATEMENT_MESSAGES;
    chunks.truncate(MAX_STATEMENT_MESSAGES);
    let last_footer = if cut { &cut_footer } else { &footer };
    let last = chunks.len() - 1;
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let first_header = if i == 0 { header.as_str() } else { "" };
            let this_footer = if i == last { last_footer.as_str() } else { "" };
            rtl_lines(&join_sections(&[first_header, &escape(chunk), this_footer]))
        })
        .collect()
}

/// A formatted statement that fits one message, as that message. Longer ones are shown
/// as plain text in parts: cutting formatting across messages is not worth its risk.
fn formatted_in_one_message(a: &Shown, header: &str, footer: &str) -> Option<String> {
    let html = a.formatted?;
    let ours = is_valid_telegram_html(html)
        && visible_text(html) == a.body_text
        && html.matches("</").count() <= MAX_EXCERPT_TAGS;
    let whole = rtl_lines(&join_sections(&[header, html, footer]));
    (ours && visible_len(&whole) + SAFETY_MARGIN <= TELEGRAM_TEXT_LIMIT).then_some(whole)
}

/// The end of a statement cut at [`MAX_STATEMENT_MESSAGES`]: where to read the rest.
fn cut_footer(a: &Shown, lang: Lang) -> String {
    match (footer(a, lang), lang) {
        (Some(link), Lang::Fa) => format!("…\nمتن کامل: {link}"),
        (Some(link), Lang::En) => format!("…\nThe whole text: {link}"),
        (None, Lang::Fa) => "…\n(بقیهٔ این اطلاعیه بیش از ده پیام است و اینجا نمی‌آید.)".into(),
        (None, Lang::En) => {
            "…\n(The rest of this statement is longer than ten messages and is not shown here.)"
                .into()
        }
    }
}

/// Splits the body into plain chunks whose message form (escaped, with an RLM on each line
/// that needs one) costs at most `budget` visible units. Escaping costs nothing after
/// entity parsing; the RLMs do, so a chunk of many short lines is split again, smaller.
fn body_chunks(body: &str, budget: usize) -> Vec<String> {
    let message_cost = |chunk: &str| visible_len(&rtl_lines(&escape(chunk)));
    let mut pending: Vec<String> = split_plain(body, budget);
    pending.reverse();
    let mut done = Vec::new();
    while let Some(chunk) = pending.pop() {
        let units = utf16_len(&chunk);
        if message_cost(&chunk) <= budget || units <= 2 {
            done.push(chunk);
            continue;
        }
        let smaller = split_plain(&chunk, units / 2);
        if smaller.len() <= 1 {
            done.push(chunk);
            continue;
        }
        pending.extend(smaller.into_iter().rev());
    }
    done
}

/// Length in UTF-16 units of what Telegram shows: tags removed, entities counted as the
/// character they stand for.
pub fn visible_len(html: &str) -> usize {
    let mut units = 0;
    for_each_visible_char(html, |c| units += c.len_utf16());
    units
}

/// What Telegram shows of `html`: tags removed, entities decoded.
pub fn visible_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    for_each_visible_char(html, |c| text.push(c));
    text
}

fn for_each_visible_char(html: &str, mut visit: impl FnMut(char)) {
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => {
                    // Not a tag after all: Telegram would reject it, but count it honestly.
                    visit('<');
                    rest = &rest[1..];
                }
            },
            '&' => match parse_entity(rest) {
                Some((decoded, len)) => {
                    visit(decoded);
                    rest = &rest[len..];
                }
                None => {
                    visit('&');
                    rest = &rest[1..];
                }
            },
            other => {
                visit(other);
                rest = &rest[other.len_utf8()..];
            }
        }
    }
}

/// A leading entity Telegram understands: the character and the entity's byte length.
pub(crate) fn parse_entity(s: &str) -> Option<(char, usize)> {
    const LONGEST_ENTITY: usize = 12;
    let end = s
        .char_indices()
        .take(LONGEST_ENTITY)
        .find(|&(_, c)| c == ';')?
        .0;
    let name = s.get(1..end)?;
    let decoded = match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) => {
                    number.parse::<u32>().ok()?
                }
                _ => return None,
            };
            char::from_u32(code)?
        }
    };
    Some((decoded, end + 1))
}

/// Tags Telegram accepts, by the attributes they may carry.
fn allowed_attributes(tag: &str) -> Option<&'static [&'static str]> {
    match tag {
        "b" | "strong" | "i" | "em" | "u" | "ins" | "s" | "strike" | "del" | "blockquote"
        | "tg-spoiler" | "pre" => Some(&[]),
        "a" => Some(&["href"]),
        "code" => Some(&["class"]),
        "span" => Some(&["class"]),
        _ => None,
    }
}

/// Whether Telegram would accept `html` in HTML parse mode: allowed tags only, properly
/// nested and closed, `<a>` with an href, `<span>` only as a spoiler, `&` only as an entity,
/// and no `<` outside a tag.
pub fn is_valid_telegram_html(html: &str) -> bool {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let Some(end) = rest.find('>') else {
                    return false;
                };
                let Some(inside) = rest.get(1..end) else {
                    return false;
                };
                if let Some(name) = inside.strip_prefix('/') {
                    if open.pop() != Some(name.trim_end()) {
                        return false;
                    }
                } else {
                    match parse_open_tag(inside) {
                        Some(name) => open.push(name),
                        None => return false,
                    }
                }
                rest = &rest[end + 1..];
            }
            '&' => match parse_entity(rest) {
                Some((_, len)) => rest = &rest[len..],
                None => return false,
            },
            other => rest = &rest[other.len_utf8()..],
        }
    }
    open.is_empty()
}

/// The tag name of an allowed opening tag with acceptable attributes, else `None`.
fn parse_open_tag(inside: &str) -> Option<&str> {
    let name_end = inside
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inside.len());
    let (name, mut attributes) = inside.split_at(name_end);
    // The one attribute without a value Telegram knows: a quote that opens on a tap.
    if name == "blockquote" && attributes.trim() == "expandable" {
        return Some(name);
    }
    let allowed = allowed_attributes(name)?;
    let mut has_href = false;
    loop {
        attributes = attributes.trim_start();
        if attributes.is_empty() {
            break;
        }
        let eq = attributes.find('=')?;
        let key = attributes.get(..eq)?.trim_end();
        let value_and_rest = attributes.get(eq + 1..)?.trim_start().strip_prefix('"')?;
        let close = value_and_rest.find('"')?;
        let value = value_and_rest.get(..close)?;
        if !allowed.contains(&key) || !is_valid_attribute_value(value) {
            return None;
        }
        match (name, key) {
            ("a", "href") => has_href = true,
            ("span", "class") if value != "tg-spoiler" => return None,
            ("code", "class") if !value.starts_with("language-") => return None,
            _ => {}
        }
        attributes = value_and_rest.get(close + 1..)?;
    }
    if name == "a" && !has_href {
        return None;
    }
    if name == "span" && !inside.contains("class=\"tg-spoiler\"") {
        return None;
    }
    Some(name)
}

fn is_valid_attribute_value(value: &str) -> bool {
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => return false,
            '&' => match parse_entity(rest) {
                Some((_, len)) => rest = &rest[len..],
                None => return false,
            },
            other => rest = &rest[other.len_utf8()..],
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::bidi::RLM;
    use crate::text::test_support::mixed_text;
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn statement(title: &str, body: &str, link: Option<&str>) -> Announcement {
        let published_at = Utc
            .with_ymd_and_hms(2017, 5, 19, 12, 0, 0)
            .single()
            .expect("valid test date");
        Announcement {
            id: StatementId(12),
            source_key: crate::domain::SourceKey::stored("https://example.org/12".into()),
            title: title.into(),
            body_html: String::new(),
            body_text: body.into(),
            link: link.map(str::to_string),
            image_url: None,
            published_at,
            created_at: published_at,
            media: Vec::new(),
        }
    }

    #[test]
    fn a_card_is_a_caption_when_it_fits_and_lists_mark_media() {
        use crate::domain::{Attachment, MediaKind};
        let short = statement("عنوان", "متن کوتاه", Some("https://example.org/a"));
        assert!(fits_caption(&announcement_card(&short, Lang::Fa)));
        assert_eq!(
            caption_card(&short, Lang::Fa),
            announcement_card(&short, Lang::Fa)
        );
        // Two UTF-16 units each: the title alone is 1000 units, 500 characters.
        let long = statement(
            &"📢".repeat(500),
            &"متن ".repeat(200),
            Some("https://x.org/b"),
        );
        let card = announcement_card(&long, Lang::Fa);
        assert!(!fits_caption(&card), "{}", visible_len(&card));
        let caption = caption_card(&long, Lang::Fa);
        assert!(visible_len(&caption) <= TELEGRAM_CAPTION_LIMIT);
        assert!(caption.contains("📢📢") && caption.contains("https://x.org/b"));
        assert!(is_valid_telegram_html(&caption));

        assert_eq!(
            listed_card(&short, Lang::Fa),
            announcement_card(&short, Lang::Fa)
        );
        for (kind, mark) in [
            (MediaKind::Photo, "🖼"),
            (MediaKind::Animation, "🖼"),
            (MediaKind::Video, "🎬"),
            (MediaKind::Audio, "🔊"),
            (MediaKind::Voice, "🔊"),
            (MediaKind::Document, "📄"),
        ] {
            let mut with = short.clone();
            with.media = vec![Attachment::telegram(kind, "f", None).unwrap()];
            assert!(listed_card(&with, Lang::Fa).starts_with(mark), "{kind:?}");
            assert!(
                search_card(&with, Lang::Fa, &[]).starts_with(mark),
                "{kind:?}"
            );
        }
    }

    fn within_limits(html: &str) -> bool {
        is_valid_telegram_html(html) && visible_len(html) <= TELEGRAM_TEXT_LIMIT
    }

    #[test]
    fn card_layout() {
        let a = statement(
            "بیانیه <شماره> ۱",
            "متن بیانیه & ادامه",
            Some("https://example.org/a?b=1&c=\"2\""),
        );
        let card = announcement_card(&a, Lang::Fa);
        assert_eq!(
            card,
            format!(
                "<b>بیانیه &lt;شماره&gt; ۱</b>\n{RLM}۲۹ اردیبهشت ۱۳۹۶ · example.org · #12\n\nمتن بیانیه &amp; ادامه\n\n\
                 <a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\">ادامه مطلب</a>"
            )
        );
        assert!(within_limits(&card));
    }

    #[test]
    fn a_card_is_cut_exactly_when_its_excerpt_is() {
        let short = statement("t", "  یک   دو\n سه  ", None);
        assert!(!card_is_cut(&short));
        let at_limit = statement("t", &"ا".repeat(EXCERPT_CHARS), None);
        assert!(!card_is_cut(&at_limit));
        let long = statement("t", &"کلمه ".repeat(100), None);
        assert!(card_is_cut(&long));
        assert!(announcement_card(&long, Lang::Fa).contains('…'));
    }

    #[test]
    fn a_teaser_is_a_feed_text_that_ends_as_teasers_do() {
        let site = Some("https://example.org/12");
        assert!(is_teaser(&statement("t", "The first lines […]", site)));
        assert!(is_teaser(&statement("t", "The first lines...", site)));
        assert!(is_teaser(&statement("t", "سطرهای نخست…", site)));
        assert!(is_teaser(&statement("t", "", site)));
        assert!(!is_teaser(&statement("t", "A whole statement.", site)));
        // Without a link there is no site to send anyone to.
        assert!(!is_teaser(&statement("t", "The first lines…", None)));
        let mut admin = statement("t", "An admin's words…", site);
        admin.source_key = crate::domain::SourceKey::admin(crate::domain::ChatId(1), 2);
        assert!(!is_teaser(&admin));
    }

    #[test]
    fn english_card_and_missing_link() {
        let a = statement("Title", "", None);
        let card = announcement_card(&a, Lang::En);
        assert_eq!(card, format!("{RLM}<b>Title</b>\n{RLM}19 May 2017 · #12"));
        assert!(!card.contains("<a"));
        assert_eq!(read_more_label(Lang::En), "Read more");
    }

    #[test]
    fn links_telegram_would_refuse_are_left_out() {
        let a = statement("t", "b", Some("javascript:alert(1)"));
        assert!(!announcement_card(&a, Lang::Fa).contains("<a"));
    }

    #[test]
    fn card_excerpt_is_short() {
        let a = statement("t", &"کلمه ".repeat(1000), None);
        let card = announcement_card(&a, Lang::Fa);
        assert!(visible_len(&card) < 400);
    }

    #[test]
    fn short_statement_is_one_message() {
        let a = statement(
            "عنوان",
            "پاراگراف اول\n\nپاراگراف دوم",
            Some("https://x.org"),
        );
        let parts = full_statement(&a, Lang::Fa);
        assert_eq!(
            parts,
            vec![format!(
                "<b>عنوان</b>\n{RLM}۲۹ اردیبهشت ۱۳۹۶ · x.org · #12\n\nپاراگراف اول\n\nپاراگراف دوم\n\n\
                 <a href=\"https://x.org\">ادامه مطلب</a>"
            )]
        );
    }

    #[test]
    fn long_statement_is_split_with_header_first_and_link_last() {
        let paragraph = "این یک جمله است. ".repeat(40);
        let body = vec![paragraph.trim(); 30].join("\n\n");
        let a = statement("عنوان", &body, Some("https://x.org"));
        let parts = full_statement(&a, Lang::Fa);
        assert!(parts.len() >= 5, "{} parts", parts.len());
        assert!(parts[0].starts_with("<b>عنوان</b>"));
        assert!(parts.last().is_some_and(|p| p.ends_with("</a>")));
        assert_eq!(parts.iter().filter(|p| p.contains("<a href")).count(), 1);
        assert_eq!(parts.iter().filter(|p| p.contains("<b>")).count(), 1);
        for part in &parts {
            assert!(within_limits(part), "{} units", visible_len(part));
        }
    }

    #[test]
    fn a_very_long_statement_stops_at_ten_messages_with_a_link_to_the_rest() {
        let paragraph = "این یک جمله است. ".repeat(200);
        let body = vec![paragraph.trim(); 40].join("\n\n");
        let a = statement("عنوان", &body, Some("https://x.org"));
        let parts = full_statement(&a, Lang::Fa);
        assert_eq!(parts.len(), MAX_STATEMENT_MESSAGES);
        let last = parts.last().unwrap();
        assert!(
            last.contains("متن کامل") && last.ends_with("</a>"),
            "{last}"
        );
        for part in &parts {
            assert!(within_limits(part), "{} units", visible_len(part));
        }
        let unlinked = statement("عنوان", &body, None);
        let parts = full_statement(&unlinked, Lang::En);
        assert_eq!(parts.len(), MAX_STATEMENT_MESSAGES);
        assert!(parts.last().unwrap().contains("longer than ten messages"));
    }

    #[test]
    fn many_short_latin_lines_still_fit() {
        // Each line gets an RLM, which counts: 4,000 one-letter lines need re-splitting.
        let body = "a\n".repeat(4000) + &"<&>\n".repeat(2000);
        let a = statement(&"T".repeat(2000), &body, Some("https://x.org"));
        for part in full_statement(&a, Lang::En) {
            assert!(within_limits(&part), "{} units", visible_len(&part));
        }
    }

    #[test]
    fn visible_length_counts_entities_once() {
        assert_eq!(visible_len("<b>a&amp;b</b> &lt;&gt;&quot;"), 7);
        assert_eq!(visible_len("&#128512;&#x41;"), 3);
        assert_eq!(visible_len("😀"), 2);
    }

    #[test]
    fn validity_checker() {
        let valid = [
            "plain",
            "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins>",
            "<s>a</s><strike>b</strike><del>c</del><tg-spoiler>d</tg-spoiler>",
            "<span class=\"tg-spoiler\">x</span><blockquote>q</blockquote>",
            "<pre><code class=\"language-rust\">x</code></pre>",
            "<a href=\"https://x.org/?a=1&amp;b=2\">l</a> &lt; &#1587; &#x41; a > b",
            "<b><i>nested</i></b>",
        ];
        for html in valid {
            assert!(is_valid_telegram_html(html), "{html}");
        }
        let invalid = [
            "<p>x</p>",
            "<b>x",
            "x</b>",
            "<b><i>x</b></i>",
            "<a>x</a>",
            "<a href=x>x</a>",
            "<a href=\"x\" onclick=\"y\">x</a>",
            "<span>x</span>",
            "a < b",
            "a & b",
            "&nbsp;",
            "<b",
            "<script>x</script>",
        ];
        for html in invalid {
            assert!(!is_valid_telegram_html(html), "{html}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn cards_are_valid_and_fit(
            title in mixed_text(600),
            body in mixed_text(800),
            link in prop::option::of(mixed_text(40)),
            https in any::<bool>(),
            id in any::<i64>(),
        ) {
            let link = link.map(|l| if https { format!("https://x.org/{l}") } else { l });
            let mut a = statement(&title, &body, link.as_deref());
            a.id = StatementId(id);
            let terms: Vec<QueryTerm> = crate::text::fold::query_words(&body)
                .iter()
                .take(2)
                .map(|w| QueryTerm::from_folded(w))
                .collect();
            for lang in Lang::ALL {
                for card in [announcement_card(&a, lang), search_card(&a, lang, &terms)] {
                    prop_assert!(is_valid_telegram_html(&card), "{:?}", card);
                    prop_assert!(visible_len(&card) <= TELEGRAM_TEXT_LIMIT);
                }
            }
        }

        #[test]
        fn escaped_text_is_valid_html(s in mixed_text(300)) {
            prop_assert!(is_valid_telegram_html(&escape(&s)));
            prop_assert_eq!(visible_len(&escape(&s)), utf16_len(&s));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn every_part_of_a_long_statement_is_valid_and_fits(
            title in mixed_text(600),
            body in mixed_text(20_000),
            link in prop::option::of("[a-z0-9/&\"<>?=]{0,60}"),
        ) {
            let link = link.map(|l| format!("https://x.org/{l}"));
            let a = statement(&title, &body, link.as_deref());
            for lang in Lang::ALL {
                let parts = full_statement(&a, lang);
                prop_assert!(!parts.is_empty());
                for part in &parts {
                    prop_assert!(is_valid_telegram_html(part), "{:?}", part);
                    prop_assert!(visible_len(part) <= TELEGRAM_TEXT_LIMIT);
                }
                prop_assert!(parts.len() <= MAX_STATEMENT_MESSAGES);
                if parts.len() < MAX_STATEMENT_MESSAGES {
                    let shown: String = parts.concat().chars().filter(|c| !c.is_whitespace() && *c != RLM).collect();
                    let expected: String = a.body_text.chars().filter(|c| !c.is_whitespace() && *c != RLM).collect();
                    prop_assert!(shown.contains(&escape(&expected)));
                }
            }
        }
    }
}
