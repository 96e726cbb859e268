//! Plain types shared by every room. No I/O here.

mod announcement;
mod feed;
mod feed_policy;
mod figures;
mod identity;
mod lang;
mod settings;

pub use announcement::{Announcement, AnnouncementError, NewAnnouncement, is_http_url};
pub use feed::{FeedHealth, FeedNotice, FeedStatus, HeldStatements, WaitingHold};
pub use feed_policy::{FeedPolicy, FeedRefusal, inside_kind};
pub use figures::{BroadcastFigures, Stats};
pub use identity::link_identity;
pub use lang::Lang;
pub use settings::{QuietHours, SubscriberSettings, TEHRAN_OFFSET_SECONDS};
