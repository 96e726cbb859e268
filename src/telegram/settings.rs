//! /settings and /lang: link previews, language and quiet hours, chosen with buttons.
//! Buttons: `s:p` previews on/off, `s:l` the other language, `s:q` pick quiet hours,
//! `s:qs:<start>` then `s:qe:<start>:<end>`, `s:qo` no quiet hours, `s:b` back.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::public::say;
use super::reply::{edit_page, send_html_with_keyboard};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{Lang, QuietHours, SubscriberSettings};
use crate::text::catalogue::{Phrase, hour_button, phrase, settings_summary};

/// Every settings button starts with this; the handler tree routes on it.
pub const BUTTON_PREFIX: &str = "s:";

const HOURS_PER_ROW: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Button {
    TogglePreviews,
    OtherLanguage,
    PickQuietStart,
    QuietStart(u8),
    QuietHours(QuietHours),
    NoQuietHours,
    Back,
}

fn parse_button(data: &str) -> Option<Button> {
    let hour = |s: &str| s.parse::<u8>().ok().filter(|h| *h < 24);
    let rest = data.strip_prefix(BUTTON_PREFIX)?;
    let parts: Vec<&str> = rest.split(':').collect();
    match parts.as_slice() {
        ["p"] => Some(Button::TogglePreviews),
        ["l"] => Some(Button::OtherLanguage),
        ["q"] => Some(Button::PickQuietStart),
        ["qs", start] => Some(Button::QuietStart(hour(start)?)),
        ["qe", start, end] => Some(Button::QuietHours(QuietHours::new(
            hour(start)?,
            hour(end)?,
        )?)),
        ["qo"] => Some(Button::NoQuietHours),
        ["b"] => Some(Button::Back),
        _ => None,
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::Fa => Lang::En,
        Lang::En => Lang::Fa,
    }
}

fn main_keyboard(settings: &SubscriberSettings) -> InlineKeyboardMarkup {
    let lang = settings.lang;
    let previews = if settings.link_previews {
        Phrase::ButtonPreviewsOn
    } else {
        Phrase::ButtonPreviewsOff
    };
    let mut rows = vec![
        vec![InlineKeyboardButton::callback(
            phrase(previews, lang),
            "s:p",
        )],
        // The button names the language in use; pressing it switches to the other one.
        vec![InlineKeyboardButton::callback(
            phrase(Phrase::ButtonLanguage, lang),
            "s:l",
        )],
        vec![InlineKeyboardButton::callback(
            phrase(Phrase::ButtonQuietHours, lang),
            "s:q",
        )],
    ];
    if settings.quiet_hours.is_some() {
        rows.push(vec![InlineKeyboardButton::callback(
            phrase(Phrase::ButtonNoQuietHours, lang),
            "s:qo",
        )]);
    }
    InlineKeyboardMarkup::new(rows)
}

/// 24 hour buttons; `data` makes each one's callback data.
fn hours_keyboard(lang: Lang, data: impl Fn(u8) -> String) -> InlineKeyboardMarkup {
    let hours: Vec<InlineKeyboardButton> = (0..24u8)
        .map(|h| InlineKeyboardButton::callback(hour_button(h, lang), data(h)))
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        hours.chunks(HOURS_PER_ROW).map(<[_]>::to_vec).collect();
    rows.push(vec![InlineKeyboardButton::callback(
        phrase(Phrase::ButtonBack, lang),
        "s:b",
    )]);
    InlineKeyboardMarkup::new(rows)
}

pub async fn show(bot: &JarchiBot, msg: &Message, ctx: &Context, lang: Lang) -> HandlerResult {
    let Some(settings) = ctx.storage.subscriber_settings(msg.chat.id.into()).await? else {
        return say(bot, msg, phrase(Phrase::SettingsNeedSubscription, lang)).await;
    };
    send_html_with_keyboard(
        bot,
        msg.chat.id,
        settings_summary(&settings, settings.lang),
        main_keyboard(&settings),
    )
    .await?;
    Ok(())
}

/// `/lang fa`, `/lang en`.
pub async fn switch_lang(
    bot: &JarchiBot,
    msg: &Message,
    ctx: &Context,
    lang: Lang,
    arg: &str,
) -> HandlerResult {
    let Ok(chosen) = arg.parse::<Lang>() else {
        return say(bot, msg, phrase(Phrase::LangUsage, lang)).await;
    };
    let Some(mut settings) = ctx.storage.subscriber_settings(msg.chat.id.into()).await? else {
        return say(bot, msg, phrase(Phrase::SettingsNeedSubscription, chosen)).await;
    };
    settings.lang = chosen;
    ctx.storage
        .save_subscriber_settings(msg.chat.id.into(), &settings)
        .await?;
    tracing::info!(lang = %chosen, "language switched");
    say(bot, msg, phrase(Phrase::LangChanged, chosen)).await
}

/// A pressed settings button: change, save, and show the settings again in place.
pub async fn button(bot: JarchiBot, query: CallbackQuery, ctx: Context) -> HandlerResult {
    let code = query.from.language_code.as_deref();
    let Some((chat, message_id)) = query.regular_message().map(|m| (m.chat.id, m.id)) else {
        let lang = Lang::from_telegram(code, ctx.settings.default_lang);
        bot.answer_callback_query(query.id.clone())
            .text(phrase(Phrase::ButtonUnknown, lang))
            .await?;
        return Ok(());
    };
    let lang = ctx.lang_for_chat(chat, code).await?;
    if let Some(message) = query.regular_message()
        && !ctx
            .group_admins
            .may_change(&bot, &message.chat, Some(&query.from), None)
            .await?
    {
        bot.answer_callback_query(query.id.clone())
            .text(phrase(Phrase::GroupAdminsOnly, lang))
            .await?;
        return Ok(());
    }
    let pressed = query.data.as_deref().and_then(parse_button);
    let settings = ctx.storage.subscriber_settings(chat.into()).await?;
    let (Some(pressed), Some(mut settings)) = (pressed, settings) else {
        let refusal = if pressed.is_some() {
            Phrase::SettingsNeedSubscription
        } else {
            Phrase::ButtonUnknown
        };
        bot.answer_callback_query(query.id.clone())
            .text(phrase(refusal, lang))
            .await?;
        return Ok(());
    };
    let (html, keyboard) = match pressed {
        Button::PickQuietStart => (
            phrase(Phrase::QuietAskStart, lang).to_string(),
            hours_keyboard(lang, |h| format!("s:qs:{h}")),
        ),
        Button::QuietStart(start) => (
            phrase(Phrase::QuietAskEnd, lang).to_string(),
            hours_keyboard(lang, |h| format!("s:qe:{start}:{h}")),
        ),
        changed => {
            match changed {
                Button::TogglePreviews => settings.link_previews = !settings.link_previews,
                Button::OtherLanguage => settings.lang = other(settings.lang),
                Button::QuietHours(quiet) => settings.quiet_hours = Some(quiet),
                Button::NoQuietHours => settings.quiet_hours = None,
                Button::Back | Button::PickQuietStart | Button::QuietStart(_) => {}
            }
            ctx.storage
                .save_subscriber_settings(chat.into(), &settings)
                .await?;
            (
                settings_summary(&settings, settings.lang),
                main_keyboard(&settings),
            )
        }
    };
    bot.answer_callback_query(query.id.clone())
        .text(phrase(Phrase::SettingsSaved, settings.lang))
        .await?;
    edit_page(&bot, chat, message_id, html, keyboard).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_parse_and_garbage_does_not() {
        assert_eq!(parse_button("s:p"), Some(Button::TogglePreviews));
        assert_eq!(parse_button("s:qs:22"), Some(Button::QuietStart(22)));
        assert_eq!(
            parse_button("s:qe:22:7"),
            Some(Button::QuietHours(QuietHours::new(22, 7).unwrap()))
        );
        for garbage in [
            "s:",
            "s:qs:24",
            "s:qe:1",
            "s:qe:1:2:3",
            "s:x",
            "p",
            "s:qs:-1",
        ] {
            assert_eq!(parse_button(garbage), None, "{garbage:?}");
        }
    }
}
