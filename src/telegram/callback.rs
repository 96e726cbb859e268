//! What a button asks for, in one format. Every inline button jarchi makes carries a
//! [`Callback`] in its callback data, and the handler tree decodes it once and routes on it.
//!
//! The wire strings are the ones jarchi has always written, so that buttons already sitting
//! in people's chats keep working after an upgrade. A button carries numbers, never the text
//! of a query, and every one stays within Telegram's 64 bytes (the test below checks both):
//! - browsing: `l:<size>:<offset>`, `q:<search id>:<offset>`, `m:<year>:<month>:<offset>`
//!   (pages of /latest, /search and a Jalali month; `l:<size>:<offset>:<topic slug>` a
//!   page of /latest in one topic), `v:<statement id>` (the whole
//!   statement), `a` (the archive's years), `y:<year>` (its months);
//! - settings: `s:p` previews on/off, `s:l` the other language, `s:q` pick quiet hours,
//!   `s:qs:<start>` then `s:qe:<start>:<end>`, `s:qo` no quiet hours, `s:b` back;
//! - the /post dialogue: `post:send`, `post:cancel`;
//! - feed items held back by a poll: `hold:<hold id>`;
//! - a request awaiting a second admin: `approve:<request id>`, `withdraw:<request id>`.
//! - the schedule: `post:later` (Send later, under a preview), `sched:x:<schedule id>`
//!   (cancel a held statement, under /scheduled).
//! - under every broadcast card: `t:<statement id>` (the whole statement in the chat); the
//!   daily digest's buttons are `v:<statement id>`, the list buttons' own; in /settings,
//!   `s:d` (choose the digest), `s:dh:<hour>` (one digest a day then), `s:dn` (each as it
//!   comes).
//! - topics (issue 13): `tp:c` a subscriber's topics, `tp:a` all of them, `tp:t:<slug>` one
//!   on or off; `tp:p:<slug>` the topic under a /post preview; under /topics `tp:n` add,
//!   `tp:r:<slug>` rename, `tp:x:<slug>` remove, then `tp:m:<slug>:<slug>` where its
//!   statements go.

use teloxide::types::InlineKeyboardButton;

use crate::domain::{DigestHour, QuietHours, StatementId, TopicSlug};
use crate::text::JalaliMonth;

/// Telegram refuses callback data longer than this many bytes.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Offsets beyond this come from forged buttons, not from paging through any real archive.
const MAX_OFFSET: u32 = 100_000;

/// The most statements one page of /latest shows.
pub const LATEST_MAX: u32 = 10;

/// What a pressed button asks for, by the room that answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    Browse(BrowseButton),
    Settings(SettingsButton),
    Draft(DraftButton),
    ReleaseHold(ReleaseHold),
    Approval(ApprovalButton),
    Schedule(ScheduleButton),
    Reader(ReaderButton),
    Topic(TopicButton),
}

/// Buttons under a broadcast card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderButton {
    /// The whole statement, sent into the chat as /show sends it.
    FullText { id: StatementId },
}

/// Topics: a subscriber's checkbuttons, the topic under a /post preview, and /topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicButton {
    /// /settings → the topic checkbuttons.
    Choose,
    /// Every topic, those added later too.
    All,
    Toggle(TopicSlug),
    /// The topic of the draft under the /post preview.
    Pick(TopicSlug),
    /// /topics: how to add, how to rename, and removing (then where its statements go).
    Add,
    Rename(TopicSlug),
    Remove(TopicSlug),
    MoveTo {
        from: TopicSlug,
        to: TopicSlug,
    },
}

/// Buttons under lists and the archive's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowseButton {
    Page { listing: Listing, offset: u32 },
    Show { id: StatementId },
    Years,
    Months { year: i32 },
}

/// Which list a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    Latest {
        size: u32,
    },
    /// `/latest news`: the newest of one topic (issue 13).
    LatestIn {
        size: u32,
        topic: TopicSlug,
    },
    /// A search remembered by storage under this id.
    Search {
        id: i64,
    },
    /// The statements of one Jalali month.
    Month(JalaliMonth),
}

/// Buttons of /settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsButton {
    TogglePreviews,
    OtherLanguage,
    PickQuietStart,
    QuietStart(u8),
    QuietHours(QuietHours),
    NoQuietHours,
    Back,
    PickDigest,
    Digest(DigestHour),
    NoDigest,
}

/// Send / Cancel under the preview of an admin's draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftButton {
    Send,
    Cancel,
    /// "📎 Add or change a file": the draft's attachment step.
    AddFile,
}

/// "Broadcast them after all" under a notice of feed items a poll held back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleaseHold {
    pub hold_id: i64,
}

/// Approve (another admin) or Withdraw (the author) under a request awaiting a second admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalButton {
    Approve { request: i64 },
    Withdraw { request: i64 },
}

/// "Send later" under a preview, and Cancel under each statement /scheduled lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleButton {
    SendLater,
    Cancel { schedule_id: i64 },
}

impl Callback {
    pub fn encode(self) -> String {
        match self {
            Callback::Browse(button) => button.encode(),
            Callback::Settings(button) => button.encode(),
            Callback::Draft(DraftButton::Send) => "post:send".into(),
            Callback::Draft(DraftButton::Cancel) => "post:cancel".into(),
            Callback::Draft(DraftButton::AddFile) => "post:file".into(),
            Callback::ReleaseHold(ReleaseHold { hold_id }) => format!("hold:{hold_id}"),
            Callback::Approval(ApprovalButton::Approve { request }) => {
                format!("approve:{request}")
            }
            Callback::Approval(ApprovalButton::Withdraw { request }) => {
                format!("withdraw:{request}")
            }
            Callback::Schedule(ScheduleButton::SendLater) => "post:later".into(),
            Callback::Schedule(ScheduleButton::Cancel { schedule_id }) => {
                format!("sched:x:{schedule_id}")
            }
            Callback::Reader(ReaderButton::FullText { id }) => format!("t:{id}"),
            Callback::Topic(button) => button.encode(),
        }
    }

    /// `None` for anything jarchi does not make: garbage, a forged button, or numbers out of
    /// range. Whether what a good button names still exists is for its room to find out.
    pub fn decode(data: &str) -> Option<Self> {
        let parts: Vec<&str> = data.split(':').collect();
        match parts.as_slice() {
            ["s", rest @ ..] => SettingsButton::decode(rest).map(Callback::Settings),
            ["post", "send"] => Some(Callback::Draft(DraftButton::Send)),
            ["post", "cancel"] => Some(Callback::Draft(DraftButton::Cancel)),
            ["post", "file"] => Some(Callback::Draft(DraftButton::AddFile)),
            ["hold", id] => Some(Callback::ReleaseHold(ReleaseHold {
                hold_id: id.parse().ok()?,
            })),
            ["approve", id] => Some(Callback::Approval(ApprovalButton::Approve {
                request: id.parse().ok()?,
            })),
            ["withdraw", id] => Some(Callback::Approval(ApprovalButton::Withdraw {
                request: id.parse().ok()?,
            })),
            ["post", "later"] => Some(Callback::Schedule(ScheduleButton::SendLater)),
            ["sched", "x", id] => Some(Callback::Schedule(ScheduleButton::Cancel {
                schedule_id: id.parse().ok()?,
            })),
            ["t", id] => Some(Callback::Reader(ReaderButton::FullText {
                id: StatementId(id.parse().ok().filter(|id| *id > 0)?),
            })),
            ["tp", rest @ ..] => TopicButton::decode(rest).map(Callback::Topic),
            browse => BrowseButton::decode(browse).map(Callback::Browse),
        }
    }
}

/// An inline button that asks for `pressed`.
pub fn button(label: impl Into<String>, pressed: impl Into<Callback>) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, pressed.into().encode())
}

impl BrowseButton {
    fn encode(self) -> String {
        match self {
            BrowseButton::Page {
                listing: Listing::Latest { size },
                offset,
            } => format!("l:{size}:{offset}"),
            BrowseButton::Page {
                listing: Listing::LatestIn { size, topic },
                offset,
            } => format!("l:{size}:{offset}:{topic}"),
            BrowseButton::Page {
                listing: Listing::Search { id },
                offset,
            } => format!("q:{id}:{offset}"),
            BrowseButton::Page {
                listing: Listing::Month(m),
                offset,
            } => format!("m:{}:{}:{offset}", m.year(), m.month()),
            BrowseButton::Show { id } => format!("v:{id}"),
            BrowseButton::Years => "a".into(),
            BrowseButton::Months { year } => format!("y:{year}"),
        }
    }

    fn decode(parts: &[&str]) -> Option<Self> {
        let offset = |s: &str| s.parse::<u32>().ok().filter(|o| *o <= MAX_OFFSET);
        let page = |listing, o: &str| {
            Some(BrowseButton::Page {
                listing,
                offset: offset(o)?,
            })
        };
        match parts {
            ["v", id] => Some(BrowseButton::Show {
                id: StatementId(id.parse().ok().filter(|id| *id > 0)?),
            }),
            ["l", size, o] => {
                let size = size
                    .parse::<u32>()
                    .ok()
                    .filter(|s| (1..=LATEST_MAX).contains(s))?;
                page(Listing::Latest { size }, o)
            }
            ["l", size, o, topic] => {
                let size = size
                    .parse::<u32>()
                    .ok()
                    .filter(|s| (1..=LATEST_MAX).contains(s))?;
                let topic = TopicSlug::new(topic).ok()?;
                page(Listing::LatestIn { size, topic }, o)
            }
            ["q", id, o] => page(
                Listing::Search {
                    id: id.parse().ok()?,
                },
                o,
            ),
            ["a"] => Some(BrowseButton::Years),
            ["y", year] => {
                let year = year.parse().ok()?;
                JalaliMonth::new(year, 1)?;
                Some(BrowseButton::Months { year })
            }
            ["m", year, month, o] => {
                let month = JalaliMonth::new(year.parse().ok()?, month.parse().ok()?)?;
                page(Listing::Month(month), o)
            }
            _ => None,
        }
    }
}

impl SettingsButton {
    fn encode(self) -> String {
        match self {
            SettingsButton::TogglePreviews => "s:p".into(),
            SettingsButton::OtherLanguage => "s:l".into(),
            SettingsButton::PickQuietStart => "s:q".into(),
            SettingsButton::QuietStart(start) => format!("s:qs:{start}"),
            SettingsButton::QuietHours(quiet) => format!("s:qe:{}:{}", quiet.start(), quiet.end()),
            SettingsButton::NoQuietHours => "s:qo".into(),
            SettingsButton::Back => "s:b".into(),
            SettingsButton::PickDigest => "s:d".into(),
            SettingsButton::Digest(hour) => format!("s:dh:{}", hour.hour()),
            SettingsButton::NoDigest => "s:dn".into(),
        }
    }

    /// The parts after `s`.
    fn decode(parts: &[&str]) -> Option<Self> {
        let hour = |s: &str| s.parse::<u8>().ok().filter(|h| *h < 24);
        match parts {
            ["p"] => Some(SettingsButton::TogglePreviews),
            ["l"] => Some(SettingsButton::OtherLanguage),
            ["q"] => Some(SettingsButton::PickQuietStart),
            ["qs", start] => Some(SettingsButton::QuietStart(hour(start)?)),
            ["qe", start, end] => Some(SettingsButton::QuietHours(QuietHours::new(
                hour(start)?,
                hour(end)?,
            )?)),
            ["qo"] => Some(SettingsButton::NoQuietHours),
            ["b"] => Some(SettingsButton::Back),
            ["d"] => Some(SettingsButton::PickDigest),
            ["dh", h] => Some(SettingsButton::Digest(DigestHour::new(hour(h)?)?)),
            ["dn"] => Some(SettingsButton::NoDigest),
            _ => None,
        }
    }
}

impl TopicButton {
    fn encode(self) -> String {
        match self {
            TopicButton::Choose => "tp:c".into(),
            TopicButton::All => "tp:a".into(),
            TopicButton::Toggle(slug) => format!("tp:t:{slug}"),
            TopicButton::Pick(slug) => format!("tp:p:{slug}"),
            TopicButton::Add => "tp:n".into(),
            TopicButton::Rename(slug) => format!("tp:r:{slug}"),
            TopicButton::Remove(slug) => format!("tp:x:{slug}"),
            TopicButton::MoveTo { from, to } => format!("tp:m:{from}:{to}"),
        }
    }

    /// The parts after `tp`.
    fn decode(parts: &[&str]) -> Option<Self> {
        let slug = |s: &str| TopicSlug::new(s).ok();
        match parts {
            ["c"] => Some(TopicButton::Choose),
            ["a"] => Some(TopicButton::All),
            ["t", s] => Some(TopicButton::Toggle(slug(s)?)),
            ["p", s] => Some(TopicButton::Pick(slug(s)?)),
            ["n"] => Some(TopicButton::Add),
            ["r", s] => Some(TopicButton::Rename(slug(s)?)),
            ["x", s] => Some(TopicButton::Remove(slug(s)?)),
            ["m", from, to] => Some(TopicButton::MoveTo {
                from: slug(from)?,
                to: slug(to)?,
            }),
            _ => None,
        }
    }
}

impl From<TopicButton> for Callback {
    fn from(button: TopicButton) -> Self {
        Callback::Topic(button)
    }
}

impl From<BrowseButton> for Callback {
    fn from(button: BrowseButton) -> Self {
        Callback::Browse(button)
    }
}

impl From<SettingsButton> for Callback {
    fn from(button: SettingsButton) -> Self {
        Callback::Settings(button)
    }
}

impl From<DraftButton> for Callback {
    fn from(button: DraftButton) -> Self {
        Callback::Draft(button)
    }
}

impl From<ApprovalButton> for Callback {
    fn from(button: ApprovalButton) -> Self {
        Callback::Approval(button)
    }
}

impl From<ScheduleButton> for Callback {
    fn from(button: ScheduleButton) -> Self {
        Callback::Schedule(button)
    }
}

impl From<ReaderButton> for Callback {
    fn from(button: ReaderButton) -> Self {
        Callback::Reader(button)
    }
}

impl From<ReleaseHold> for Callback {
    fn from(hold: ReleaseHold) -> Self {
        Callback::ReleaseHold(hold)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::text::dates::JALALI_YEARS;

    fn month() -> impl Strategy<Value = JalaliMonth> {
        (JALALI_YEARS, 1..=12u8).prop_map(|(y, m)| JalaliMonth::new(y, m).expect("in range"))
    }

    fn listing() -> impl Strategy<Value = Listing> {
        prop_oneof![
            (1..=LATEST_MAX).prop_map(|size| Listing::Latest { size }),
            (1..=LATEST_MAX, slug()).prop_map(|(size, topic)| Listing::LatestIn { size, topic }),
            any::<i64>().prop_map(|id| Listing::Search { id }),
            month().prop_map(Listing::Month),
        ]
    }

    /// Every button jarchi can make.
    fn callback() -> impl Strategy<Value = Callback> {
        let hour = 0..24u8;
        let browse = prop_oneof![
            (listing(), 0..=MAX_OFFSET)
                .prop_map(|(listing, offset)| BrowseButton::Page { listing, offset }),
            (1..=i64::MAX).prop_map(|id| BrowseButton::Show {
                id: StatementId(id)
            }),
            Just(BrowseButton::Years),
            JALALI_YEARS.prop_map(|year| BrowseButton::Months { year }),
        ];
        let settings = prop_oneof![
            Just(SettingsButton::TogglePreviews),
            Just(SettingsButton::OtherLanguage),
            Just(SettingsButton::PickQuietStart),
            hour.clone().prop_map(SettingsButton::QuietStart),
            (hour.clone(), hour).prop_map(|(start, end)| SettingsButton::QuietHours(
                QuietHours::new(start, end).expect("hours of the day")
            )),
            Just(SettingsButton::NoQuietHours),
            Just(SettingsButton::Back),
            Just(SettingsButton::PickDigest),
            (0..24u8).prop_map(|h| SettingsButton::Digest(DigestHour::new(h).expect("an hour"))),
            Just(SettingsButton::NoDigest),
        ];
        prop_oneof![
            browse.prop_map(Callback::Browse),
            settings.prop_map(Callback::Settings),
            prop_oneof![
                Just(DraftButton::Send),
                Just(DraftButton::Cancel),
                Just(DraftButton::AddFile)
            ]
            .prop_map(Callback::Draft),
            any::<i64>().prop_map(|hold_id| Callback::ReleaseHold(ReleaseHold { hold_id })),
            any::<i64>()
                .prop_map(|request| Callback::Approval(ApprovalButton::Approve { request })),
            any::<i64>()
                .prop_map(|request| Callback::Approval(ApprovalButton::Withdraw { request })),
            prop_oneof![
                Just(ScheduleButton::SendLater),
                any::<i64>().prop_map(|schedule_id| ScheduleButton::Cancel { schedule_id }),
            ]
            .prop_map(Callback::Schedule),
            (1..=i64::MAX).prop_map(|id| Callback::Reader(ReaderButton::FullText {
                id: StatementId(id)
            })),
            topic_button().prop_map(Callback::Topic),
        ]
    }

    /// Slugs up to the longest a topic may have.
    fn slug() -> impl Strategy<Value = TopicSlug> {
        "[a-z][a-z0-9_-]{0,23}".prop_map(|s| TopicSlug::new(&s).expect("a well-formed slug"))
    }

    fn topic_button() -> impl Strategy<Value = TopicButton> {
        prop_oneof![
            Just(TopicButton::Choose),
            Just(TopicButton::All),
            slug().prop_map(TopicButton::Toggle),
            slug().prop_map(TopicButton::Pick),
            Just(TopicButton::Add),
            slug().prop_map(TopicButton::Rename),
            slug().prop_map(TopicButton::Remove),
            (slug(), slug()).prop_map(|(from, to)| TopicButton::MoveTo { from, to }),
        ]
    }

    #[test]
    fn the_longest_topic_button_fits() {
        let longest = TopicSlug::new(&"z".repeat(crate::domain::MAX_SLUG_BYTES)).expect("valid");
        let data = Callback::from(TopicButton::MoveTo {
            from: longest,
            to: longest,
        })
        .encode();
        assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
        for garbage in ["tp", "tp:t", "tp:t:News", "tp:m:a", "tp:x:a:b", "tp:p:"] {
            assert_eq!(Callback::decode(garbage), None, "{garbage:?}");
        }
    }

    proptest! {
        #[test]
        fn every_button_round_trips_within_telegrams_limit(pressed in callback()) {
            let data = pressed.encode();
            prop_assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
            prop_assert_eq!(Callback::decode(&data), Some(pressed));
        }

        /// A page past the last offset jarchi reads back still fits on the wire.
        #[test]
        fn any_offset_fits(listing in listing(), offset in any::<u32>()) {
            let data = Callback::from(BrowseButton::Page { listing, offset }).encode();
            prop_assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
        }
    }

    #[test]
    fn the_wire_strings_stay_what_old_buttons_carry() {
        let khordad = JalaliMonth::new(1396, 3).expect("valid");
        for (data, pressed) in [
            (
                "l:5:10",
                Callback::Browse(BrowseButton::Page {
                    listing: Listing::Latest { size: 5 },
                    offset: 10,
                }),
            ),
            (
                "q:7:0",
                Callback::Browse(BrowseButton::Page {
                    listing: Listing::Search { id: 7 },
                    offset: 0,
                }),
            ),
            (
                "m:1396:3:5",
                Callback::Browse(BrowseButton::Page {
                    listing: Listing::Month(khordad),
                    offset: 5,
                }),
            ),
            (
                "v:12",
                Callback::Browse(BrowseButton::Show {
                    id: StatementId(12),
                }),
            ),
            ("a", Callback::Browse(BrowseButton::Years)),
            (
                "y:1396",
                Callback::Browse(BrowseButton::Months { year: 1396 }),
            ),
            ("s:p", Callback::Settings(SettingsButton::TogglePreviews)),
            ("s:l", Callback::Settings(SettingsButton::OtherLanguage)),
            ("s:q", Callback::Settings(SettingsButton::PickQuietStart)),
            (
                "s:qs:22",
                Callback::Settings(SettingsButton::QuietStart(22)),
            ),
            (
                "s:qe:22:7",
                Callback::Settings(SettingsButton::QuietHours(
                    QuietHours::new(22, 7).expect("valid"),
                )),
            ),
            ("s:qo", Callback::Settings(SettingsButton::NoQuietHours)),
            ("s:b", Callback::Settings(SettingsButton::Back)),
            ("post:send", Callback::Draft(DraftButton::Send)),
            ("post:cancel", Callback::Draft(DraftButton::Cancel)),
            ("post:file", Callback::Draft(DraftButton::AddFile)),
            (
                "hold:42",
                Callback::ReleaseHold(ReleaseHold { hold_id: 42 }),
            ),
            ("post:later", Callback::Schedule(ScheduleButton::SendLater)),
            (
                "sched:x:7",
                Callback::Schedule(ScheduleButton::Cancel { schedule_id: 7 }),
            ),
            (
                "t:12",
                Callback::Reader(ReaderButton::FullText {
                    id: StatementId(12),
                }),
            ),
            ("s:d", Callback::Settings(SettingsButton::PickDigest)),
            (
                "s:dh:20",
                Callback::Settings(SettingsButton::Digest(DigestHour::new(20).expect("valid"))),
            ),
            ("s:dn", Callback::Settings(SettingsButton::NoDigest)),
        ] {
            assert_eq!(pressed.encode(), data);
            assert_eq!(Callback::decode(data), Some(pressed), "{data}");
        }
        let held = Callback::ReleaseHold(ReleaseHold { hold_id: i64::MAX });
        assert!(held.encode().len() <= MAX_CALLBACK_BYTES);
    }

    #[test]
    fn approval_buttons_fit_and_garbage_is_refused() {
        for (data, pressed) in [
            ("approve:7", ApprovalButton::Approve { request: 7 }),
            ("withdraw:7", ApprovalButton::Withdraw { request: 7 }),
        ] {
            assert_eq!(Callback::from(pressed).encode(), data);
            assert_eq!(Callback::decode(data), Some(Callback::Approval(pressed)));
        }
        let longest = Callback::from(ApprovalButton::Withdraw { request: i64::MIN }).encode();
        assert!(longest.len() <= MAX_CALLBACK_BYTES);
        for garbage in [
            "approve",
            "approve:",
            "approve:x",
            "withdraw:1:2",
            "withdraw:",
        ] {
            assert_eq!(Callback::decode(garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn garbage_and_forged_buttons_are_refused() {
        for garbage in [
            "",
            "v",
            "v:",
            "v:-1",
            "v:x",
            "l:5",
            "l:0:0",
            "l:99:0",
            "l:5:-1",
            "l:5:999999999",
            "q:x:0",
            "q:1:0:0",
            "zz:1:2",
            "zz:top",
            "post:",
            "post:send:1",
            "a:1",
            "y",
            "y:2017",
            "y:x",
            "m:1396:13:0",
            "m:1396:0:0",
            "m:1396:3",
            "m:1396:3:-1",
            "s:",
            "s:qs:24",
            "s:qe:1",
            "s:qe:1:2:3",
            "s:qe:99:1",
            "s:x",
            "p",
            "s:qs:-1",
            "hold:x",
            "hold:",
            "post:later:1",
            "sched:x",
            "sched:x:",
            "sched:x:y",
            "sched:1",
            "t",
            "t:",
            "t:0",
            "t:-4",
            "t:x",
            "t:1:2",
            "s:dh:24",
            "s:dh:",
            "s:dh:x",
            "s:d:1",
        ] {
            assert_eq!(Callback::decode(garbage), None, "{garbage:?}");
        }
    }
}
