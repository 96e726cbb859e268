//! The words of a second pair of eyes (`PUBLISH_APPROVALS=2`) and of `/audit`.

use super::{
    already_published, id, in_digits_of, message, published, retracted, revised, show_not_found,
};
use crate::domain::{
    ActionOutcome, ApprovalRequest, AuditEntry, Lang, PublishOutcome, StatementId,
};
use crate::text::dates::format_time;
use crate::text::format_date;

/// What an admin's publish, edit or delete did, as the admin is told: the sentences `/post`,
/// `/edit` and `/delete` have always answered with.
pub fn action_outcome(outcome: ActionOutcome, lang: Lang) -> String {
    match outcome {
        ActionOutcome::Published(PublishOutcome::Published { id, recipients }) => {
            published(id.0, recipients, lang)
        }
        ActionOutcome::Published(PublishOutcome::Duplicate { id }) => already_published(id.0, lang),
        ActionOutcome::Revised {
            id,
            copies: Some(copies),
        } => revised(id.0, copies, lang),
        ActionOutcome::Retracted {
            id,
            copies: Some(copies),
        } => retracted(id.0, copies, lang),
        ActionOutcome::Revised { id, copies: None }
        | ActionOutcome::Retracted { id, copies: None } => show_not_found(id.0, lang),
        ActionOutcome::Scheduled { schedule_id, due } => {
            super::scheduled_for(schedule_id, due, lang)
        }
    }
}

fn request_args(request: &ApprovalRequest) -> Vec<(&'static str, String)> {
    vec![
        ("request", request.id.to_string()),
        ("action", request.kind.as_str().to_string()),
        ("id", request.statement.unwrap_or_default().to_string()),
    ]
}

/// The note the author gets, above the Withdraw button.
pub fn approval_requested(request: &ApprovalRequest, lang: Lang) -> String {
    in_digits_of(id::APPROVAL_REQUESTED, lang, &request_args(request))
}

/// The question every other admin gets, above the Approve button (and under the card for a
/// publish or an edit; a delete names the statement by its title here).
pub fn approval_asked(request: &ApprovalRequest, author: &str, title: &str, lang: Lang) -> String {
    let mut args = request_args(request);
    args.push(("author", author.to_string()));
    args.push(("title", title.to_string()));
    in_digits_of(id::APPROVAL_ASKED, lang, &args)
}

/// What the author and the admins hear once a request was approved: who approved, and what
/// it did.
pub fn approval_approved(
    request: &ApprovalRequest,
    approver: &str,
    outcome: ActionOutcome,
    lang: Lang,
) -> String {
    let args = [
        ("request", request.id.to_string()),
        ("approver", approver.to_string()),
    ];
    format!(
        "{}\n{}",
        in_digits_of(id::APPROVAL_APPROVED, lang, &args),
        action_outcome(outcome, lang)
    )
}

pub fn approval_withdrawn(request: &ApprovalRequest, lang: Lang) -> String {
    in_digits_of(
        id::APPROVAL_WITHDRAWN,
        lang,
        &[("request", request.id.to_string())],
    )
}

/// `/audit`: a heading, then one line per entry as given (newest first), with the date in
/// the reader's calendar and the Tehran time.
pub fn audit_log(entries: &[AuditEntry], lang: Lang) -> String {
    if entries.is_empty() {
        return super::phrase(super::Phrase::AuditEmpty, lang).to_string();
    }
    let mut out = message(id::AUDIT_HEADING, lang, &[]);
    for entry in entries {
        let when = format!("{} {}", format_date(entry.at, lang), format_time(entry.at));
        let args = [
            ("when", when),
            ("admin", entry.admin.to_string()),
            ("action", entry.action.as_str().to_string()),
            ("statement", statement_label(entry.statement)),
        ];
        out.push('\n');
        out.push_str(&in_digits_of(id::AUDIT_LINE, lang, &args));
    }
    out
}

fn statement_label(statement: Option<StatementId>) -> String {
    statement.map_or_else(String::new, |id| format!("#{id}"))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::{ActionKind, AuditAction, ChatId, UserId};

    fn request(kind: ActionKind, statement: Option<i64>) -> ApprovalRequest {
        ApprovalRequest {
            id: 12,
            kind,
            author: UserId(9001),
            author_chat: ChatId(9001),
            statement: statement.map(StatementId),
        }
    }

    #[test]
    fn requests_name_their_action_and_escape_names() {
        for lang in Lang::ALL {
            for (kind, statement) in [
                (ActionKind::Publish, None),
                (ActionKind::Edit, Some(7)),
                (ActionKind::Delete, Some(7)),
            ] {
                let r = request(kind, statement);
                for text in [
                    approval_requested(&r, lang),
                    approval_asked(&r, "<Ali>", "<b>title</b>", lang),
                    approval_withdrawn(&r, lang),
                ] {
                    assert!(crate::text::is_valid_telegram_html(&text), "{text}");
                    assert!(
                        !text.contains("<Ali>") && !text.contains("<b>title"),
                        "{text}"
                    );
                }
            }
        }
        let delete = approval_asked(
            &request(ActionKind::Delete, Some(7)),
            "Ali",
            "Strike",
            Lang::En,
        );
        assert!(delete.contains("delete #7 “Strike”"), "{delete}");
        let fa = approval_requested(&request(ActionKind::Edit, Some(7)), Lang::Fa);
        assert!(fa.contains("۱۲") && fa.contains("#۷"), "{fa}");
    }

    #[test]
    fn the_audit_log_reads_newest_first_in_the_readers_calendar() {
        let at = chrono::Utc.with_ymd_and_hms(2017, 5, 19, 10, 0, 0).unwrap();
        let entries = [
            AuditEntry {
                admin: UserId(9002),
                action: AuditAction::Approve,
                statement: Some(StatementId(3)),
                at,
            },
            AuditEntry {
                admin: UserId(9001),
                action: AuditAction::Release,
                statement: None,
                at,
            },
        ];
        let fa = audit_log(&entries, Lang::Fa);
        assert!(fa.contains("۲۹ اردیبهشت ۱۳۹۶ ۱۳:۳۰"), "{fa}");
        assert!(fa.contains("۹۰۰۲") && fa.contains("#۳"), "{fa}");
        assert!(fa.find("۹۰۰۲") < fa.find("۹۰۰۱"));
        let en = audit_log(&entries, Lang::En);
        assert!(
            en.contains("19 May 2017 13:30 · admin 9002 · approved #3"),
            "{en}"
        );
        assert!(crate::text::is_valid_telegram_html(&en));
        assert_ne!(audit_log(&[], Lang::En), "");
    }
}
