//! The buttons that ride on what the broadcast worker sends: under every card, and under
//! the daily digest. One function each, so that a card sent as text, as a caption or as an
//! edit carries the same keyboard.

use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup,
    SwitchInlineQueryChosenChat,
};

use super::callback::{BrowseButton, ReaderButton, button};
use crate::domain::{Announcement, Lang, is_http_url};
use crate::text::catalogue::{Phrase, phrase};
use crate::text::{Digest, card_is_cut, is_teaser};

/// The inline query that stands for exactly one statement: `#12` (see `inline`).
pub fn share_query(a: &Announcement) -> String {
    format!("#{}", a.id)
}

/// The buttons under a statement's card: "Full text" when the card shows only part of it
/// ("Full text on the site", a link, when jarchi holds only the site's teaser), and Share,
/// which opens inline mode on this statement in a chat the reader picks. They name the
/// statement by its number, so they work on old cards, after restarts and on revised ones.
pub fn card_keyboard(a: &Announcement, lang: Lang) -> InlineKeyboardMarkup {
    let mut row = Vec::with_capacity(2);
    let site = a
        .link
        .as_deref()
        .filter(|link| is_http_url(link))
        .and_then(|link| reqwest::Url::parse(link).ok());
    match site {
        Some(url) if is_teaser(a) => row.push(InlineKeyboardButton::url(
            phrase(Phrase::ButtonFullTextOnSite, lang),
            url,
        )),
        _ if card_is_cut(a) => row.push(button(
            phrase(Phrase::ButtonFullText, lang),
            ReaderButton::FullText { id: a.id },
        )),
        _ => {}
    }
    row.push(InlineKeyboardButton::new(
        phrase(Phrase::ButtonShare, lang),
        InlineKeyboardButtonKind::SwitchInlineQueryChosenChat(SwitchInlineQueryChosenChat {
            query: Some(share_query(a)),
            allow_user_chats: true,
            allow_bot_chats: false,
            allow_group_chats: true,
            allow_channel_chats: true,
        }),
    ));
    InlineKeyboardMarkup::new(vec![row])
}

/// One button a statement under the digest, each opening it as /show does.
pub fn digest_keyboard(digest: &Digest) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        digest
            .buttons
            .iter()
            .map(|(id, label)| vec![button(label.clone(), BrowseButton::Show { id: *id })]),
    )
}
