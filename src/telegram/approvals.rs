//! A second pair of eyes (`PUBLISH_APPROVALS=2`) and `/audit`. Every admin publish, edit
//! and delete goes through [`submit`]: with one approval it is carried out at once; with
//! two it becomes a request that every other admin gets with an Approve button, and the
//! author a note with a Withdraw button. A forward to publish calls [`submit`] too.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, User};

use super::callback::{ApprovalButton, button};
use super::reply::{
    Preview, ReplyTo, edit_page, edit_text, say, send_html, send_html_with_keyboard, toast,
};
use super::{Context, HandlerError, HandlerResult, JarchiBot};
use crate::config::Approvals;
use crate::domain::{
    AdminAction, Approval, ApprovalRequest, ChatId as DomainChatId, Lang, RequestStatus, UserId,
    Withdrawal,
};
use crate::text::catalogue::{self, Phrase, phrase};
use crate::text::preview_card;

/// `/audit` shows this many of the newest lines.
const AUDIT_LINES: u32 = 20;

/// What the author is told about an action: a sentence, and the Withdraw button while it
/// waits for a second admin.
pub struct Answer {
    pub text: String,
    pub keyboard: Option<InlineKeyboardMarkup>,
}

impl Answer {
    pub fn said(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            keyboard: None,
        }
    }

    /// As a new message in the author's chat.
    pub async fn send(self, bot: &JarchiBot, to: &ReplyTo) -> HandlerResult {
        match self.keyboard {
            None => say(bot, to, self.text).await,
            Some(keyboard) => {
                send_html_with_keyboard(bot, to.chat, self.text, keyboard).await?;
                Ok(())
            }
        }
    }

    /// In place of a message (the dialogue's Send / Cancel question).
    pub async fn replace(self, bot: &JarchiBot, message: &Message) -> HandlerResult {
        match self.keyboard {
            None => edit_text(bot, message.chat.id, message.id, self.text).await?,
            Some(keyboard) => {
                edit_page(bot, message.chat.id, message.id, self.text, keyboard).await?
            }
        }
        Ok(())
    }
}

/// The one path for an admin's publish, edit or delete (and, later, a forward to publish):
/// done now with `PUBLISH_APPROVALS=1`, held for a second admin with 2.
pub async fn submit(
    bot: &JarchiBot,
    ctx: &Context,
    author: &User,
    chat: DomainChatId,
    action: AdminAction,
    lang: Lang,
) -> Result<Answer, HandlerError> {
    let author_id = UserId::from(author.id);
    if ctx.settings.publish_approvals == Approvals::One {
        let outcome = ctx.publisher.carry_out(author_id, &action).await?;
        return Ok(Answer::said(catalogue::action_outcome(outcome, lang)));
    }
    let reviewers = other_admins(ctx, &[author_id]);
    if reviewers.is_empty() {
        return Ok(Answer::said(phrase(Phrase::ApprovalNoOtherAdmin, lang)));
    }
    // An edit or a delete of a statement that is not there needs nobody's approval.
    let title = match action.statement() {
        Some(id) => match ctx.storage.announcement(id).await? {
            Some(statement) => statement.title,
            None => return Ok(Answer::said(catalogue::show_not_found(id.0, lang))),
        },
        None => String::new(),
    };
    let request = ctx
        .publisher
        .request_approval(author_id, chat, &action)
        .await?;
    for reviewer in reviewers {
        let asked = ask_to_approve(
            bot,
            ctx,
            reviewer,
            &request,
            &action,
            &author.full_name(),
            &title,
        )
        .await;
        if let Err(error) = asked {
            // An admin who never opened a chat with the bot cannot be asked; the others can.
            tracing::warn!(%error, request = request.id, "an admin could not be asked to approve");
        }
    }
    let withdraw = button(
        phrase(Phrase::ButtonWithdraw, lang),
        ApprovalButton::Withdraw {
            request: request.id,
        },
    );
    Ok(Answer {
        text: with_due(catalogue::approval_requested(&request, lang), &action, lang),
        keyboard: Some(InlineKeyboardMarkup::new([[withdraw]])),
    })
}

/// The admins in `ADMIN_IDS` but those named, by their private chats.
fn other_admins(ctx: &Context, but: &[UserId]) -> Vec<DomainChatId> {
    ctx.settings
        .admin_ids
        .iter()
        .map(|id| UserId(*id))
        .filter(|id| !but.contains(id))
        .filter_map(UserId::private_chat)
        .collect()
}

/// An admin's language: their subscription's, else the operator's default.
async fn lang_of(ctx: &Context, chat: DomainChatId) -> Result<Lang, HandlerError> {
    Ok(ctx
        .storage
        .subscriber(chat)
        .await?
        .map_or(ctx.settings.default_lang, |s| s.lang))
}

/// The preview as subscribers would get it (for a publish or an edit), then the question
/// with the Approve button.
async fn ask_to_approve(
    bot: &JarchiBot,
    ctx: &Context,
    reviewer: DomainChatId,
    request: &ApprovalRequest,
    action: &AdminAction,
    author: &str,
    title: &str,
) -> Result<(), HandlerError> {
    let lang = lang_of(ctx, reviewer).await?;
    let chat = ChatId::from(reviewer);
    let card = match action {
        AdminAction::Publish(new) | AdminAction::PublishAt { statement: new, .. } => {
            let id = ctx.storage.next_announcement_id().await?;
            Some((preview_card(id, new.content(), lang), new.media()))
        }
        AdminAction::Edit { id, revised } => Some((preview_card(*id, revised, lang), &[][..])),
        AdminAction::Delete { .. } => None,
    };
    if let Some((card, media)) = card {
        super::media::send_preview(bot, chat, card, media).await?;
    }
    let approve = button(
        phrase(Phrase::ButtonApprove, lang),
        ApprovalButton::Approve {
            request: request.id,
        },
    );
    send_html_with_keyboard(
        bot,
        chat,
        with_due(
            catalogue::approval_asked(request, author, title, lang),
            action,
            lang,
        ),
        InlineKeyboardMarkup::new([[approve]]),
    )
    .await?;
    Ok(())
}

/// A request's sentence, and for "Send later" the time it would go out.
fn with_due(text: String, action: &AdminAction, lang: Lang) -> String {
    match action.due() {
        Some(due) => format!("{text}\n{}", catalogue::approval_due(due, lang)),
        None => text,
    }
}

/// Tells these admins something, each in their language; one who cannot be reached is
/// logged, not a failure of the button.
async fn tell(
    bot: &JarchiBot,
    ctx: &Context,
    chats: impl IntoIterator<Item = DomainChatId>,
    text: impl Fn(Lang) -> String,
) -> HandlerResult {
    for chat in chats {
        let lang = lang_of(ctx, chat).await?;
        if let Err(error) = send_html(bot, chat.into(), text(lang), Preview::Off).await {
            tracing::warn!(%error, "an admin could not be told how a request ended");
        }
    }
    Ok(())
}

/// Approve and Withdraw under a request.
pub async fn button_pressed(
    bot: JarchiBot,
    query: CallbackQuery,
    ctx: Context,
    to: ReplyTo,
    pressed: ApprovalButton,
) -> HandlerResult {
    if !ctx.settings.is_admin(query.from.id.0) {
        tracing::warn!("an approval button from someone who is not an admin was refused");
        return toast(&bot, &query, phrase(Phrase::AdminOnly, to.lang)).await;
    }
    let pressed_by = UserId::from(query.from.id);
    match pressed {
        ApprovalButton::Approve { request } => {
            match ctx.publisher.approve(request, pressed_by).await? {
                Approval::CarriedOut { request, outcome } => {
                    bot.answer_callback_query(query.id.clone()).await?;
                    let approver = query.from.full_name();
                    let told =
                        |lang| catalogue::approval_approved(&request, &approver, outcome, lang);
                    if let Some(message) = query.regular_message() {
                        // The question loses its button, so it cannot be pressed again.
                        edit_text(&bot, message.chat.id, message.id, told(to.lang)).await?;
                    }
                    let others = other_admins(&ctx, &[pressed_by, request.author]);
                    let author = std::iter::once(request.author_chat);
                    tell(&bot, &ctx, author.chain(others), told).await
                }
                Approval::OwnRequest => {
                    toast(&bot, &query, phrase(Phrase::ApprovalOwnRequest, to.lang)).await
                }
                Approval::AlreadyDecided(status) => {
                    toast(&bot, &query, phrase(already(status), to.lang)).await
                }
                Approval::NotFound => {
                    toast(&bot, &query, phrase(Phrase::ApprovalNotFound, to.lang)).await
                }
            }
        }
        ApprovalButton::Withdraw { request } => {
            match ctx.publisher.withdraw(request, pressed_by).await? {
                Withdrawal::Withdrawn(request) => {
                    bot.answer_callback_query(query.id.clone()).await?;
                    if let Some(message) = query.regular_message() {
                        let note = catalogue::approval_withdrawn(&request, to.lang);
                        edit_text(&bot, message.chat.id, message.id, note).await?;
                    }
                    let others = other_admins(&ctx, &[pressed_by]);
                    tell(&bot, &ctx, others, |lang| {
                        catalogue::approval_withdrawn(&request, lang)
                    })
                    .await
                }
                Withdrawal::NotAuthor => {
                    toast(&bot, &query, phrase(Phrase::ApprovalNotAuthor, to.lang)).await
                }
                Withdrawal::AlreadyDecided(status) => {
                    toast(&bot, &query, phrase(already(status), to.lang)).await
                }
                Withdrawal::NotFound => {
                    toast(&bot, &query, phrase(Phrase::ApprovalNotFound, to.lang)).await
                }
            }
        }
    }
}

fn already(status: RequestStatus) -> Phrase {
    match status {
        RequestStatus::Approved => Phrase::ApprovalAlreadyApproved,
        RequestStatus::Withdrawn => Phrase::ApprovalAlreadyWithdrawn,
        RequestStatus::Pending => Phrase::ApprovalNotFound,
    }
}

/// `/audit`: the newest lines of the audit trail.
pub async fn audit(bot: &JarchiBot, ctx: &Context, to: &ReplyTo) -> HandlerResult {
    let entries = ctx.storage.audit_log(AUDIT_LINES).await?;
    say(bot, to, catalogue::audit_log(&entries, to.lang)).await
}
