//! A second pair of eyes (`PUBLISH_APPROVALS=2`) and the audit trail: what an admin asks
//! for, what became of it, and who did what.

use chrono::{DateTime, Utc};

use super::{
    ChatId, NewAnnouncement, PublishOutcome, StatementContent, StatementId, UnknownValue, UserId,
};

/// What an admin asks jarchi to do to the archive: the actions a second admin may have to
/// approve before they happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAction {
    Publish(NewAnnouncement),
    /// "Send later" under `PUBLISH_APPROVALS=2`: approving it holds the statement for its
    /// time, and the schedule task publishes it then.
    PublishAt {
        statement: NewAnnouncement,
        due: DateTime<Utc>,
    },
    Edit {
        id: StatementId,
        revised: StatementContent,
    },
    Delete {
        id: StatementId,
    },
}

impl AdminAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            AdminAction::Publish(_) | AdminAction::PublishAt { .. } => ActionKind::Publish,
            AdminAction::Edit { .. } => ActionKind::Edit,
            AdminAction::Delete { .. } => ActionKind::Delete,
        }
    }

    /// The statement an edit or a delete is about; none for a publish, which has no number yet.
    pub fn statement(&self) -> Option<StatementId> {
        match self {
            AdminAction::Publish(_) | AdminAction::PublishAt { .. } => None,
            AdminAction::Edit { id, .. } | AdminAction::Delete { id } => Some(*id),
        }
    }

    /// When a publish held for later goes out; None for what happens at once.
    pub fn due(&self) -> Option<DateTime<Utc>> {
        match self {
            AdminAction::PublishAt { due, .. } => Some(*due),
            _ => None,
        }
    }
}

/// An [`AdminAction`] without its content: what a request or an audit line names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Publish,
    Edit,
    Delete,
}

impl ActionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Publish => "publish",
            ActionKind::Edit => "edit",
            ActionKind::Delete => "delete",
        }
    }
}

impl TryFrom<&str> for ActionKind {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "publish" => Ok(ActionKind::Publish),
            "edit" => Ok(ActionKind::Edit),
            "delete" => Ok(ActionKind::Delete),
            _ => Err(UnknownValue::new("requested action", s)),
        }
    }
}

/// What carrying out an [`AdminAction`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionOutcome {
    Published(PublishOutcome),
    /// `copies`: delivered copies to be edited; None when there is no such statement.
    Revised {
        id: StatementId,
        copies: Option<u64>,
    },
    /// `copies`: delivered copies to be deleted; None when there is no such statement.
    Retracted {
        id: StatementId,
        copies: Option<u64>,
    },
    /// Held for `due` as schedule `schedule_id` (a [`AdminAction::PublishAt`]).
    Scheduled {
        schedule_id: i64,
        due: DateTime<Utc>,
    },
}

impl ActionOutcome {
    /// Whether anything was queued for the broadcast worker.
    pub fn queued_work(self) -> bool {
        match self {
            ActionOutcome::Published(outcome) => {
                matches!(outcome, PublishOutcome::Published { .. })
            }
            ActionOutcome::Revised { copies, .. } | ActionOutcome::Retracted { copies, .. } => {
                copies.is_some()
            }
            // The schedule task's work, not the broadcast worker's.
            ActionOutcome::Scheduled { .. } => false,
        }
    }
}

/// A stored request waiting for a second admin, as its buttons and notes need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalRequest {
    pub id: i64,
    pub kind: ActionKind,
    pub author: UserId,
    pub author_chat: ChatId,
    pub statement: Option<StatementId>,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestStatus {
    Pending,
    Approved,
    Withdrawn,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }
}

impl TryFrom<&str> for RequestStatus {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "pending" => Ok(RequestStatus::Pending),
            "approved" => Ok(RequestStatus::Approved),
            "withdrawn" => Ok(RequestStatus::Withdrawn),
            _ => Err(UnknownValue::new("request status", s)),
        }
    }
}

/// What pressing Approve did. Decided in one transaction: of two admins pressing at once,
/// or one pressing twice, exactly one carries the action out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    CarriedOut {
        request: ApprovalRequest,
        outcome: ActionOutcome,
    },
    /// The author pressed their own Approve: nothing happens.
    OwnRequest,
    /// Approved or withdrawn before: nothing happens.
    AlreadyDecided(RequestStatus),
    NotFound,
}

/// What pressing Withdraw did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    Withdrawn(ApprovalRequest),
    /// Only the author may withdraw.
    NotAuthor,
    AlreadyDecided(RequestStatus),
    NotFound,
}

/// One line of the audit trail's action column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Publish,
    Edit,
    Delete,
    Approve,
    Withdraw,
    /// Broadcasting a feed hold.
    Release,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Publish => "publish",
            AuditAction::Edit => "edit",
            AuditAction::Delete => "delete",
            AuditAction::Approve => "approve",
            AuditAction::Withdraw => "withdraw",
            AuditAction::Release => "release",
        }
    }
}

impl From<ActionKind> for AuditAction {
    fn from(kind: ActionKind) -> Self {
        match kind {
            ActionKind::Publish => AuditAction::Publish,
            ActionKind::Edit => AuditAction::Edit,
            ActionKind::Delete => AuditAction::Delete,
        }
    }
}

impl TryFrom<&str> for AuditAction {
    type Error = UnknownValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        match s {
            "publish" => Ok(AuditAction::Publish),
            "edit" => Ok(AuditAction::Edit),
            "delete" => Ok(AuditAction::Delete),
            "approve" => Ok(AuditAction::Approve),
            "withdraw" => Ok(AuditAction::Withdraw),
            "release" => Ok(AuditAction::Release),
            _ => Err(UnknownValue::new("audit action", s)),
        }
    }
}

/// Who did what to which statement, and when. Staff data: the admin's id, no subscriber's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditEntry {
    pub admin: UserId,
    pub action: AuditAction,
    pub statement: Option<StatementId>,
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_read_back() {
        for kind in [ActionKind::Publish, ActionKind::Edit, ActionKind::Delete] {
            assert_eq!(ActionKind::try_from(kind.as_str()), Ok(kind));
            let audited = AuditAction::from(kind);
            assert_eq!(AuditAction::try_from(audited.as_str()), Ok(audited));
        }
        for action in [
            AuditAction::Approve,
            AuditAction::Withdraw,
            AuditAction::Release,
        ] {
            assert_eq!(AuditAction::try_from(action.as_str()), Ok(action));
        }
        for status in [
            RequestStatus::Pending,
            RequestStatus::Approved,
            RequestStatus::Withdrawn,
        ] {
            assert_eq!(RequestStatus::try_from(status.as_str()), Ok(status));
        }
        assert!(AuditAction::try_from("post").is_err());
    }
}
