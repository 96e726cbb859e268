use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::TelegramBot;
use super::commands;
use crate::config::Settings;
use crate::domain::Lang;

/// Publishes the command menu: Persian for `fa` clients, English for `en`, the operator's
/// default language for every other client, and the admin commands in admins' own chats.
pub async fn set_command_menus(
    bot: &TelegramBot,
    settings: &Settings,
) -> Result<(), teloxide::RequestError> {
    for lang in Lang::ALL {
        bot.set_my_commands(public_menu(lang))
            .language_code(lang.code())
            .await?;
    }
    bot.set_my_commands(public_menu(settings.default_lang))
        .await?;
    let admin_commands = admin_menu(settings.default_lang);
    for admin in &settings.admin_ids {
        let Some(chat) = crate::domain::UserId(*admin).private_chat() else {
            continue;
        };
        let scoped = bot
            .set_my_commands(admin_commands.clone())
            .scope(BotCommandScope::Chat {
                chat_id: Recipient::Id(chat.into()),
            })
            .await;
        if scoped.is_err() {
            // An admin who has not opened a chat with the bot yet cannot get a menu.
            tracing::debug!("an admin's command menu could not be set yet");
        }
    }
    Ok(())
}

fn public_menu(lang: Lang) -> Vec<BotCommand> {
    bot_commands(commands::menu(false, lang))
}

/// Everyone's commands, then the admins' own.
fn admin_menu(lang: Lang) -> Vec<BotCommand> {
    let mut menu = commands::menu(false, lang);
    menu.extend(commands::menu(true, lang));
    bot_commands(menu)
}

fn bot_commands(commands: Vec<(&'static str, String)>) -> Vec<BotCommand> {
    commands
        .into_iter()
        .map(|(command, description)| BotCommand::new(command, description))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_find_skip_in_their_menu_and_others_do_not() {
        for lang in Lang::ALL {
            let names = |menu: Vec<BotCommand>| -> Vec<String> {
                menu.into_iter().map(|c| c.command).collect()
            };
            let public = names(public_menu(lang));
            let admin = names(admin_menu(lang));
            assert!(admin.iter().any(|c| c == "skip"), "{admin:?}");
            assert!(!public.iter().any(|c| c == "skip" || c == "post"));
            assert!(admin.starts_with(&public));
        }
    }
}
