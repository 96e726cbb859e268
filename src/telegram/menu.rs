use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::TelegramBot;
use crate::config::Settings;
use crate::domain::Lang;
use crate::text::catalogue::{admin_menu, command_menu};

/// Publishes the command menu: Persian for `fa` clients, English for `en`, the operator's
/// default language for every other client, and the admin commands in admins' own chats.
pub async fn set_command_menus(
    bot: &TelegramBot,
    settings: &Settings,
) -> Result<(), teloxide::RequestError> {
    for lang in Lang::ALL {
        bot.set_my_commands(menu(command_menu(lang)))
            .language_code(lang.code())
            .await?;
    }
    bot.set_my_commands(menu(command_menu(settings.default_lang)))
        .await?;
    let mut admin_commands = command_menu(settings.default_lang);
    admin_commands.extend(admin_menu(settings.default_lang));
    for admin in &settings.admin_ids {
        let Some(chat) = crate::domain::UserId(*admin).private_chat() else {
            continue;
        };
        let scoped = bot
            .set_my_commands(menu(admin_commands.clone()))
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

fn menu(commands: Vec<(&'static str, &'static str)>) -> Vec<BotCommand> {
    commands
        .into_iter()
        .map(|(command, description)| BotCommand::new(command, description))
        .collect()
}
