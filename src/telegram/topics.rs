//! Topics (issue 13): `/topics` and `/feedtopic` for admins, the topic of a statement (`#topic`
//! in a one-shot /post, the buttons under a /post preview), and a subscriber's checkbuttons
//! in /settings. Every button is a [`TopicButton`].

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::callback::{SettingsButton, TopicButton, button};
use super::reply::{ReplyTo, edit_page, edit_text, say, send_page, toast};
use super::{Context, HandlerResult, JarchiBot};
use crate::domain::{
    DraftStep, Lang, Topic, TopicChoice, TopicError, TopicSlug, UserId, find_topic, fold_category,
};
use crate::storage::{AddTopicOutcome, RemoveTopicOutcome};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::to_ascii_digits;

/// Topic buttons side by side under a preview or in /settings.
const TOPICS_PER_ROW: usize = 2;

// ---- the topic of a statement ----

/// What the first word of a one-shot `/post` says about its topic.
pub(super) enum LeadingTopic<'a> {
    /// No `#word`: the whole text is the statement, in the house default topic.
    None,
    /// `#word` named a topic; the statement is the rest.
    Topic(TopicSlug, &'a str),
    /// `#word` named no topic: an error answer (already worded), not text.
    Unknown(String),
}

/// `#news Title…`: a `#` first word names the statement's topic.
pub(super) async fn leading_topic<'a>(
    ctx: &Context,
    text: &'a str,
    lang: Lang,
) -> Result<LeadingTopic<'a>, super::HandlerError> {
    let trimmed = text.trim_start();
    let Some(tagged) = trimmed.strip_prefix('#') else {
        return Ok(LeadingTopic::None);
    };
    let (word, rest) = tagged
        .split_once(char::is_whitespace)
        .unwrap_or((tagged, ""));
    // `#12` and a lone `#` are not topics: statements may begin with numbers.
    if word.is_empty() || to_ascii_digits(word).chars().all(|c| c.is_ascii_digit()) {
        return Ok(LeadingTopic::None);
    }
    let topics = ctx.storage.topics().await?;
    Ok(match find_topic(&topics, word) {
        Some(topic) => LeadingTopic::Topic(topic.slug, rest),
        None => LeadingTopic::Unknown(catalogue::post_unknown_topic(word, &topics, lang)),
    })
}

/// `/latest news 3`, `/latest 3 news`: a word that is not a number names a topic. Gives the
/// topic and the rest of the arguments, or the answer to an unknown topic.
pub(super) async fn latest_topic(
    ctx: &Context,
    arg: &str,
    lang: Lang,
) -> Result<Result<(Option<TopicSlug>, String), String>, super::HandlerError> {
    let is_number = |w: &str| to_ascii_digits(w).chars().all(|c| c.is_ascii_digit());
    let words: Vec<&str> = arg.split_whitespace().collect();
    let Some(word) = words.iter().find(|w| !is_number(w)) else {
        return Ok(Ok((None, arg.to_string())));
    };
    let topics = ctx.storage.topics().await?;
    let Some(topic) = find_topic(&topics, word.trim_start_matches('#')) else {
        return Ok(Err(catalogue::latest_unknown_topic(word, &topics, lang)));
    };
    let rest: Vec<&str> = words.iter().copied().filter(|w| w != word).collect();
    Ok(Ok((Some(topic.slug), rest.join(" "))))
}

/// The question under a /post preview and its buttons: `rows` (Send, Cancel…), then, when
/// there is more than one topic, the topic line and a button per topic, the chosen one
/// ticked (the house default until the admin taps another).
pub(super) async fn preview_question(
    ctx: &Context,
    user: UserId,
    mut rows: Vec<Vec<InlineKeyboardButton>>,
    lang: Lang,
) -> Result<(String, InlineKeyboardMarkup), super::HandlerError> {
    let question = phrase(Phrase::PostConfirm, lang).to_string();
    let topics = ctx.storage.topics().await?;
    if topics.len() < 2 {
        return Ok((question, InlineKeyboardMarkup::new(rows)));
    }
    let chosen = ctx
        .storage
        .draft_topic(user)
        .await?
        .filter(|slug| topics.iter().any(|t| t.slug == *slug))
        .unwrap_or_else(TopicSlug::default_topic);
    let buttons: Vec<InlineKeyboardButton> = topics
        .iter()
        .map(|t| {
            let label = catalogue::topic_checkbutton(t.name(lang), t.slug == chosen);
            button(label, TopicButton::Pick(t.slug))
        })
        .collect();
    rows.extend(buttons.chunks(TOPICS_PER_ROW).map(<[_]>::to_vec));
    let question = format!(
        "{question}\n{}",
        catalogue::post_topic(&topics, chosen, lang)
    );
    Ok((question, InlineKeyboardMarkup::new(rows)))
}

/// A topic tapped under a preview: remembered with the draft, the question redrawn.
async fn pick(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    topic: TopicSlug,
) -> HandlerResult {
    let user = UserId::from(query.from.id);
    let draft = match ctx.settings.is_admin(query.from.id.0) {
        true => ctx.storage.draft(user).await?,
        false => None,
    }
    .filter(|d| d.step == DraftStep::Preview);
    let (Some(draft), Some(message)) = (draft, query.regular_message()) else {
        return toast(bot, query, phrase(Phrase::DraftGone, to.lang)).await;
    };
    if !ctx.storage.set_draft_topic(user, topic).await? {
        return toast(bot, query, phrase(Phrase::DraftGone, to.lang)).await;
    }
    let rows = super::admin::preview_rows(to.lang);
    let (question, keyboard) = preview_question(ctx, draft.user_id, rows, to.lang).await?;
    bot.answer_callback_query(query.id.clone()).await?;
    edit_page(bot, message.chat.id, message.id, question, keyboard).await?;
    Ok(())
}

// ---- /topics ----

/// `/topics` lists; `/topics add slug fa | en` and `/topics rename slug fa | en` change.
pub async fn command(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, args: &str) -> HandlerResult {
    let args = args.trim();
    let (verb, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    match verb {
        "" => list(bot, ctx, to).await,
        "add" | "rename" => {
            let topic = match topic_from(rest) {
                Ok(topic) => topic,
                Err(TopicError::BadSlug) => {
                    return say(bot, to, phrase(Phrase::TopicBadSlug, to.lang)).await;
                }
                Err(TopicError::BadName) => {
                    return say(bot, to, phrase(Phrase::TopicBadName, to.lang)).await;
                }
            };
            let answer = if verb == "add" {
                match ctx.storage.add_topic(&topic).await? {
                    AddTopicOutcome::Added => {
                        tracing::info!("an admin added a topic");
                        catalogue::topic_added(&topic, to.lang)
                    }
                    AddTopicOutcome::SlugTaken => {
                        phrase(Phrase::TopicSlugTaken, to.lang).to_string()
                    }
                }
            } else if ctx.storage.rename_topic(&topic).await? {
                tracing::info!("an admin renamed a topic");
                catalogue::topic_renamed(&topic, to.lang)
            } else {
                phrase(Phrase::TopicGone, to.lang).to_string()
            };
            say(bot, to, answer).await
        }
        _ => say(bot, to, phrase(Phrase::TopicsUsage, to.lang)).await,
    }
}

/// `slug Persian name | English name`.
fn topic_from(args: &str) -> Result<Topic, TopicError> {
    let args = args.trim();
    let (slug, names) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
    let slug = TopicSlug::new(slug)?;
    let (fa, en) = names.split_once('|').ok_or(TopicError::BadName)?;
    Topic::new(slug, fa, en)
}

/// Every topic, and under the list: add, then rename and remove for each.
async fn list(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let topics = ctx.storage.topics().await?;
    let mut rows = vec![vec![button(
        phrase(Phrase::ButtonTopicAdd, to.lang),
        TopicButton::Add,
    )]];
    for topic in &topics {
        let mut row = vec![button(
            catalogue::topic_rename_button(topic, to.lang),
            TopicButton::Rename(topic.slug),
        )];
        if !topic.slug.is_default() {
            row.push(button(
                catalogue::topic_remove_button(topic, to.lang),
                TopicButton::Remove(topic.slug),
            ));
        }
        rows.push(row);
    }
    let text = catalogue::topics_list(&topics, to.lang);
    send_page(bot, to.chat, text, InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// The buttons under /topics. Add and rename answer with the line to send (a tap copies
/// it); remove asks where the statements go, and that button removes.
async fn manage(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    pressed: TopicButton,
) -> HandlerResult {
    if !ctx.settings.is_admin(query.from.id.0) {
        tracing::warn!("a topics button from someone who is not an admin was refused");
        return toast(bot, query, phrase(Phrase::AdminOnly, to.lang)).await;
    }
    let topics = ctx.storage.topics().await?;
    let find = |slug: TopicSlug| topics.iter().find(|t| t.slug == slug);
    match pressed {
        TopicButton::Add => {
            bot.answer_callback_query(query.id.clone()).await?;
            say(bot, to, phrase(Phrase::TopicAddHow, to.lang)).await
        }
        TopicButton::Rename(slug) => {
            let Some(topic) = find(slug) else {
                return toast(bot, query, phrase(Phrase::TopicGone, to.lang)).await;
            };
            bot.answer_callback_query(query.id.clone()).await?;
            say(bot, to, catalogue::topic_rename_how(topic, to.lang)).await
        }
        TopicButton::Remove(slug) if slug.is_default() => {
            toast(bot, query, phrase(Phrase::TopicDefaultStays, to.lang)).await
        }
        TopicButton::Remove(slug) => {
            let Some(topic) = find(slug) else {
                return toast(bot, query, phrase(Phrase::TopicGone, to.lang)).await;
            };
            let statements = ctx.storage.statements_in_topic(slug).await?;
            let rows = topics.iter().filter(|t| t.slug != slug).map(|other| {
                vec![button(
                    catalogue::topic_move_button(other, to.lang),
                    TopicButton::MoveTo {
                        from: slug,
                        to: other.slug,
                    },
                )]
            });
            bot.answer_callback_query(query.id.clone()).await?;
            let question = catalogue::topic_remove_ask(topic, statements, to.lang);
            send_page(bot, to.chat, question, InlineKeyboardMarkup::new(rows)).await?;
            Ok(())
        }
        TopicButton::MoveTo { from, to: target } => {
            let answer = match ctx.storage.remove_topic(from, target).await? {
                RemoveTopicOutcome::Removed { moved } => {
                    tracing::info!(moved, "an admin removed a topic");
                    match find(target) {
                        Some(target) => catalogue::topic_removed(from, target, moved, to.lang),
                        None => phrase(Phrase::TopicGone, to.lang).to_string(),
                    }
                }
                RemoveTopicOutcome::IsDefault => {
                    phrase(Phrase::TopicDefaultStays, to.lang).to_string()
                }
                RemoveTopicOutcome::NotFound | RemoveTopicOutcome::NoSuchTarget => {
                    return toast(bot, query, phrase(Phrase::TopicGone, to.lang)).await;
                }
            };
            bot.answer_callback_query(query.id.clone()).await?;
            // The question loses its buttons, so that nothing is removed twice.
            match query.regular_message() {
                Some(message) => edit_text(bot, message.chat.id, message.id, answer).await?,
                None => say(bot, to, answer).await?,
            }
            Ok(())
        }
        _ => toast(bot, query, phrase(Phrase::ButtonUnknown, to.lang)).await,
    }
}

// ---- /feedtopic ----

/// `/feedtopic 1 news` (the feed's default), `/feedtopic 1 sport news` (a category), and
/// `/feedtopic 1 sport -` (drop that mapping). A category may be several words.
pub async fn feed_topic(bot: &JarchiBot, ctx: &Context, to: &ReplyTo, args: &str) -> HandlerResult {
    let words: Vec<&str> = args.split_whitespace().collect();
    let usage = || say(bot, to, phrase(Phrase::FeedTopicUsage, to.lang));
    let Some((feed, rest)) = words.split_first() else {
        return usage().await;
    };
    let Ok(feed_id) = to_ascii_digits(feed).trim_start_matches('#').parse::<i64>() else {
        return usage().await;
    };
    let Some((last, category)) = rest.split_last() else {
        return usage().await;
    };
    let category = fold_category(&category.join(" "));
    let not_found = || say(bot, to, phrase(Phrase::FeedTopicNotFound, to.lang));
    if *last == "-" {
        if category.is_empty() {
            return usage().await;
        }
        return match ctx
            .storage
            .map_feed_category(feed_id, &category, None)
            .await?
        {
            true => {
                say(
                    bot,
                    to,
                    catalogue::feed_topic_unmapped(feed_id, &category, to.lang),
                )
                .await
            }
            false => not_found().await,
        };
    }
    let topics = ctx.storage.topics().await?;
    let Some(topic) = find_topic(&topics, last.trim_start_matches('#')) else {
        return not_found().await;
    };
    let answer = if category.is_empty() {
        if !ctx
            .storage
            .set_feed_default_topic(feed_id, topic.slug)
            .await?
        {
            return not_found().await;
        }
        catalogue::feed_topic_set(feed_id, topic, to.lang)
    } else {
        if !ctx
            .storage
            .map_feed_category(feed_id, &category, Some(topic.slug))
            .await?
        {
            return not_found().await;
        }
        catalogue::feed_topic_mapped(feed_id, &category, topic, to.lang)
    };
    tracing::info!(feed = feed_id, "an admin set a feed's topic");
    say(bot, to, answer).await
}

/// The topics' part of /feeds.
pub(super) async fn feeds_section(
    ctx: &Context,
    lang: Lang,
) -> Result<String, super::HandlerError> {
    let feeds = ctx.storage.all_feed_topics().await?;
    if feeds.is_empty() {
        return Ok(String::new());
    }
    let topics = ctx.storage.topics().await?;
    Ok(catalogue::feed_topics(&feeds, &topics, lang))
}

/// The topics' part of /stats.
pub(super) async fn stats_section(
    ctx: &Context,
    lang: Lang,
) -> Result<String, super::HandlerError> {
    let figures = ctx.storage.topic_figures().await?;
    let held = ctx.storage.held_share_of_last_broadcast().await?;
    Ok(catalogue::stats_topics(&figures, held, lang))
}

// ---- a subscriber's topics (/settings) ----

/// The row /settings adds for topics.
pub(super) fn settings_row(lang: Lang) -> Vec<InlineKeyboardButton> {
    vec![button(
        phrase(Phrase::ButtonTopics, lang),
        TopicButton::Choose,
    )]
}

/// "All" and a checkbutton per topic, then Back to the settings.
fn choice_keyboard(choice: &TopicChoice, topics: &[Topic], lang: Lang) -> InlineKeyboardMarkup {
    let all = choice == &TopicChoice::All;
    let mut rows = vec![vec![button(
        catalogue::topic_checkbutton(phrase(Phrase::ButtonAllTopics, lang), all),
        TopicButton::All,
    )]];
    let buttons: Vec<InlineKeyboardButton> = topics
        .iter()
        .map(|t| {
            let on = choice.includes(&t.slug);
            button(
                catalogue::topic_checkbutton(t.name(lang), on),
                TopicButton::Toggle(t.slug),
            )
        })
        .collect();
    rows.extend(buttons.chunks(TOPICS_PER_ROW).map(<[_]>::to_vec));
    rows.push(vec![button(
        phrase(Phrase::ButtonBack, lang),
        SettingsButton::Back,
    )]);
    InlineKeyboardMarkup::new(rows)
}

/// The subscriber's buttons: show the choice, "all", or one topic on or off.
async fn choose(
    bot: &JarchiBot,
    query: &CallbackQuery,
    ctx: &Context,
    to: &ReplyTo,
    pressed: TopicButton,
) -> HandlerResult {
    let Some(message) = query.regular_message() else {
        return toast(bot, query, phrase(Phrase::ButtonUnknown, to.lang)).await;
    };
    if !ctx
        .group_admins
        .may_change(bot, &message.chat, Some(&query.from), None)
        .await?
    {
        return toast(bot, query, phrase(Phrase::GroupAdminsOnly, to.lang)).await;
    }
    let Some(choice) = ctx.storage.topic_choice(to.chat.into()).await? else {
        return toast(
            bot,
            query,
            phrase(Phrase::SettingsNeedSubscription, to.lang),
        )
        .await;
    };
    let topics = ctx.storage.topics().await?;
    let choice = match pressed {
        TopicButton::All => TopicChoice::All,
        TopicButton::Toggle(slug) if topics.iter().any(|t| t.slug == slug) => {
            choice.toggled(slug, &topics)
        }
        TopicButton::Toggle(_) => {
            return toast(bot, query, phrase(Phrase::TopicGone, to.lang)).await;
        }
        _ => choice,
    };
    if pressed != TopicButton::Choose {
        ctx.storage
            .save_topic_choice(to.chat.into(), &choice)
            .await?;
    }
    let text = catalogue::topic_choice(choice == TopicChoice::All, to.lang);
    let keyboard = choice_keyboard(&choice, &topics, to.lang);
    if pressed == TopicButton::Choose {
        bot.answer_callback_query(query.id.clone()).await?;
    } else {
        toast(bot, query, phrase(Phrase::SettingsSaved, to.lang)).await?;
    }
    edit_page(bot, to.chat, message.id, text, keyboard).await?;
    Ok(())
}

/// Every topic button, routed by who it is for.
pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: TopicButton,
) -> HandlerResult {
    match pressed {
        TopicButton::Choose | TopicButton::All | TopicButton::Toggle(_) => {
            choose(&bot, &query, &ctx, &to, pressed).await
        }
        TopicButton::Pick(topic) => pick(&bot, &query, &ctx, &to, topic).await,
        TopicButton::Add
        | TopicButton::Rename(_)
        | TopicButton::Remove(_)
        | TopicButton::MoveTo { .. } => manage(&bot, &query, &ctx, &to, pressed).await,
    }
}
