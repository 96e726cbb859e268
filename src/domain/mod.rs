//! Plain types shared by every room. No I/O here.

mod announcement;
mod feed;
mod figures;
mod lang;
mod settings;

pub use announcement::{Announcement, AnnouncementError, NewAnnouncement, is_http_url};
pub use feed::{FeedHealth, FeedNotice, FeedStatus};
pub use figures::{BroadcastFigures, Stats};
pub use lang::Lang;
pub use settings::{QuietHours, SubscriberSettings, TEHRAN_OFFSET_SECONDS};
