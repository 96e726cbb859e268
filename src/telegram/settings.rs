//! /settings and /lang: link previews, language, quiet hours and the daily digest, chosen with buttons (see
//! `callback` for what they carry).

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::{SettingsButton, button};
use super::reply::{ReplyTo, edit_page, say, send_html_with_keyboard, toast};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{DigestHour, Lang, QuietHours, SubscriberSettings};
use crate::text::catalogue::{Phrase, hour_button, phrase, settings_summary};

const HOURS_PER_ROW: usize = 6;

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
        vec![button(
            phrase(previews, lang),
            SettingsButton::TogglePreviews,
        )],
        // The button names the language in use; pressing it switches to the other one.
        vec![button(
            phrase(Phrase::ButtonLanguage, lang),
            SettingsButton::OtherLanguage,
        )],
        vec![button(
            phrase(Phrase::ButtonQuietHours, lang),
            SettingsButton::PickQuietStart,
        )],
    ];
    if settings.quiet_hours.is_some() {
        rows.push(vec![button(
            phrase(Phrase::ButtonNoQuietHours, lang),
            SettingsButton::NoQuietHours,
        )]);
    }
    rows.push(vec![button(
        phrase(Phrase::ButtonDigest, lang),
        SettingsButton::PickDigest,
    )]);
    rows.push(super::topics::settings_row(lang));
    InlineKeyboardMarkup::new(rows)
}

/// 24 hour buttons; `pressed` says what each one asks for.
fn hours_keyboard(
    lang: Lang,
    pressed: impl Fn(u8) -> Option<SettingsButton>,
) -> InlineKeyboardMarkup {
    let hours: Vec<InlineKeyboardButton> = (0..24u8)
        .filter_map(|h| Some(button(hour_button(h, lang), pressed(h)?)))
        .collect();
    let mut rows: Vec<Vec<InlineKeyboardButton>> =
        hours.chunks(HOURS_PER_ROW).map(<[_]>::to_vec).collect();
    rows.push(vec![button(
        phrase(Phrase::ButtonBack, lang),
        SettingsButton::Back,
    )]);
    InlineKeyboardMarkup::new(rows)
}

pub async fn show(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let Some(settings) = ctx.storage.subscriber_settings(to.chat.into()).await? else {
        return say(bot, to, phrase(Phrase::SettingsNeedSubscription, to.lang)).await;
    };
    send_html_with_keyboard(
        bot,
        to.chat,
        settings_summary(&settings, settings.lang),
        main_keyboard(&settings),
    )
    .await?;
    Ok(())
}

/// `/lang fa`, `/lang en`: the answer comes in the language chosen.
pub async fn switch_lang(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, arg: &str) -> HandlerResult {
    let Ok(chosen) = arg.parse::<Lang>() else {
        return say(bot, to, phrase(Phrase::LangUsage, to.lang)).await;
    };
    let Some(mut settings) = ctx.storage.subscriber_settings(to.chat.into()).await? else {
        return say(bot, to, phrase(Phrase::SettingsNeedSubscription, chosen)).await;
    };
    settings.lang = chosen;
    ctx.storage
        .save_subscriber_settings(to.chat.into(), &settings)
        .await?;
    tracing::info!(lang = %chosen, "language switched");
    say(bot, to, phrase(Phrase::LangChanged, chosen)).await
}

/// A pressed settings button: change, save, and show the settings again in place.
pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: SettingsButton,
) -> HandlerResult {
    let Some(message) = query.regular_message() else {
        return toast(&bot, &query, phrase(Phrase::ButtonUnknown, to.lang)).await;
    };
    if !ctx
        .group_admins
        .may_change(&bot, &message.chat, Some(&query.from), None)
        .await?
    {
        return toast(&bot, &query, phrase(Phrase::GroupAdminsOnly, to.lang)).await;
    }
    let Some(mut settings) = ctx.storage.subscriber_settings(to.chat.into()).await? else {
        return toast(
            &bot,
            &query,
            phrase(Phrase::SettingsNeedSubscription, to.lang),
        )
        .await;
    };
    let (html, keyboard) = match pressed {
        SettingsButton::PickQuietStart => (
            phrase(Phrase::QuietAskStart, to.lang).to_string(),
            hours_keyboard(to.lang, |h| Some(SettingsButton::QuietStart(h))),
        ),
        SettingsButton::PickDigest => {
            let mut keyboard =
                hours_keyboard(to.lang, |h| DigestHour::new(h).map(SettingsButton::Digest));
            keyboard.inline_keyboard.insert(
                0,
                vec![button(
                    phrase(Phrase::ButtonEachAsItComes, to.lang),
                    SettingsButton::NoDigest,
                )],
            );
            (phrase(Phrase::DigestAskHour, to.lang).to_string(), keyboard)
        }
        SettingsButton::QuietStart(start) => (
            phrase(Phrase::QuietAskEnd, to.lang).to_string(),
            hours_keyboard(to.lang, |h| {
                QuietHours::new(start, h).map(SettingsButton::QuietHours)
            }),
        ),
        changed => {
            match changed {
                SettingsButton::TogglePreviews => settings.link_previews = !settings.link_previews,
                SettingsButton::OtherLanguage => settings.lang = other(settings.lang),
                SettingsButton::QuietHours(quiet) => settings.quiet_hours = Some(quiet),
                SettingsButton::NoQuietHours => settings.quiet_hours = None,
                SettingsButton::Digest(hour) => settings.digest = Some(hour),
                SettingsButton::NoDigest => settings.digest = None,
                SettingsButton::Back
                | SettingsButton::PickQuietStart
                | SettingsButton::QuietStart(_)
                | SettingsButton::PickDigest => {}
            }
            ctx.storage
                .save_subscriber_settings(to.chat.into(), &settings)
                .await?;
            (
                settings_summary(&settings, settings.lang),
                main_keyboard(&settings),
            )
        }
    };
    toast(&bot, &query, phrase(Phrase::SettingsSaved, settings.lang)).await?;
    edit_page(&bot, to.chat, message.id, html, keyboard).await?;
    Ok(())
}
