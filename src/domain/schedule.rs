//! Statements held for later: an admin's "Send later", until its time comes.

use chrono::{DateTime, Utc};

use super::{ChatId, NewAnnouncement, StatementId, UserId};

/// A statement whose admin pressed "Send later" and has not yet typed the time: their
/// next message in `chat_id` is the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitingSchedule {
    pub id: i64,
    pub chat_id: ChatId,
}

/// A held statement as `/scheduled` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledStatement {
    /// What its Cancel button names.
    pub id: i64,
    pub title: String,
    pub due: DateTime<Utc>,
}

/// A held statement whose time has come: what to publish, under the key it was given
/// when it was scheduled, so that publishing it twice finds the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueStatement {
    pub id: i64,
    /// The admin who held it: the audit line of its publish is theirs.
    pub author: UserId,
    pub statement: NewAnnouncement,
    pub due: DateTime<Utc>,
}

/// A held statement that went out well after its time (jarchi was not running): the
/// admins are told, since followers got it late.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatePublish {
    pub id: StatementId,
    pub title: String,
    pub due: DateTime<Utc>,
    pub published: DateTime<Utc>,
}
