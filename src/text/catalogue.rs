//! Every sentence a user reads. The words live in `locales/<code>.ftl`, one Project Fluent
//! file per language, embedded in the binary and parsed once; handlers hold no user-facing
//! literals: they name a [`Phrase`] or call one of the functions below, which look their
//! messages up by id. All messages are valid Telegram HTML, and every parameter is escaped in
//! one place, [`message`]. Digits are the reader's: Persian texts get Persian digits here, as
//! they did before the words moved out of Rust.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use crate::domain::{
    BroadcastFigures, FeedHealth, FeedNotice, FeedRefusal, FeedStatus, HeldStatements, Lang, Stats,
    SubscriberSettings, WaitingHold,
};
use crate::domain::{LatePublish, ScheduledStatement};
use crate::text::dates::format_time;
use crate::text::dates::jalali_date;
use crate::text::when::WhenError;
use crate::text::{JalaliMonth, format_date};
use crate::text::{escape, localize_digits};

mod approvals;
pub use approvals::*;
mod reader;
pub use reader::*;
mod topics;
pub use topics::*;

/// Every language's file, by its code (`Lang::code`). Adding a language adds its code here
/// (and to `domain::Lang`); the tests check that the two lists agree.
macro_rules! locales {
    ($($code:literal),* $(,)?) => {
        &[$(($code, include_str!(concat!("../../locales/", $code, ".ftl")))),*]
    };
}
pub(crate) const LOCALES: &[(&str, &str)] = locales!("fa", "en");

/// Declares [`Phrase`]: the messages without parameters, each with its id in the files.
macro_rules! phrases {
    ($($name:ident = $id:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Phrase {
            $($name,)*
        }

        impl Phrase {
            pub const ALL: &[Phrase] = &[$(Phrase::$name),*];

            /// The message's id in `locales/*.ftl`.
            pub fn id(self) -> &'static str {
                match self {
                    $(Phrase::$name => $id,)*
                }
            }
        }
    };
}

phrases! {
    Welcome = "welcome",
    AlreadySubscribed = "already-subscribed",
    Stopped = "stopped",
    NotSubscribed = "not-subscribed",
    LatestEmpty = "latest-empty",
    LatestUsage = "latest-usage",
    SearchUsage = "search-usage",
    SearchNoTerms = "search-no-terms",
    ShowUsage = "show-usage",
    UnknownCommand = "unknown-command",
    SomethingWentWrong = "something-went-wrong",
    HelpIntro = "help-intro",
    AdminHelp = "admin-help",
    AdminOnly = "admin-only",
    PostAskTitle = "post-ask-title",
    PostAskBody = "post-ask-body",
    PostAskLink = "post-ask-link",
    PostBadLink = "post-bad-link",
    PostEmptyText = "post-empty-text",
    PostConfirm = "post-confirm",
    PostCancelled = "post-cancelled",
    NothingToCancel = "nothing-to-cancel",
    DraftGone = "draft-gone",
    ButtonSend = "button-send",
    ButtonCancel = "button-cancel",
    EditUsage = "edit-usage",
    DeleteUsage = "delete-usage",
    // ----- subscriber experience: paging, languages, settings (issue 5) -----
    ButtonPrevious = "button-previous",
    ButtonNext = "button-next",
    PageGone = "page-gone",
    ButtonUnknown = "button-unknown",
    StatementGone = "statement-gone",
    LangUsage = "lang-usage",
    LangChanged = "lang-changed",
    SettingsNeedSubscription = "settings-need-subscription",
    ButtonPreviewsOn = "button-previews-on",
    ButtonPreviewsOff = "button-previews-off",
    ButtonLanguage = "button-language",
    ButtonQuietHours = "button-quiet-hours",
    ButtonNoQuietHours = "button-no-quiet-hours",
    ButtonBack = "button-back",
    QuietAskStart = "quiet-ask-start",
    QuietAskEnd = "quiet-ask-end",
    SettingsSaved = "settings-saved",
    // ---- feeds (issue 4: ingest) ----
    FeedsEmpty = "feeds-empty",
    AddFeedUsage = "add-feed-usage",
    RemoveFeedUsage = "remove-feed-usage",
    // ---- a feed cannot flood (issue 9) ----
    ButtonReleaseHold = "button-release-hold",
    HoldAlreadyReleased = "hold-already-released",
    HoldNotFound = "hold-not-found",
    // ---- fair use (issue 9) ----
    SlowDown = "slow-down",
    GroupAdminsOnly = "group-admins-only",
    // ---- the archive by the calendar (issue 14) ----
    ArchiveChooseYear = "archive-choose-year",
    // ---- publishing as the staff publish: formatting and forwards (issue 12) ----
    ForwardMediaLater = "forward-media-later",
    // ---- a second pair of eyes, and the audit trail (issue 12: approvals) ----
    ButtonApprove = "button-approve",
    ButtonWithdraw = "button-withdraw",
    ApprovalNoOtherAdmin = "approval-no-other-admin",
    ApprovalOwnRequest = "approval-own-request",
    ApprovalNotAuthor = "approval-not-author",
    ApprovalAlreadyApproved = "approval-already-approved",
    ApprovalAlreadyWithdrawn = "approval-already-withdrawn",
    ApprovalNotFound = "approval-not-found",
    AuditEmpty = "audit-empty",
    // ---- schedule (issue 12) ----
    ButtonSendLater = "button-send-later",
    ScheduleAskWhen = "schedule-ask-when",
    ScheduleUnreadable = "schedule-unreadable",
    SchedulePast = "schedule-past",
    ScheduleTooFar = "schedule-too-far",
    ScheduledEmpty = "scheduled-empty",
    ScheduledHeading = "scheduled-heading",
    ScheduleGone = "schedule-gone",
    // ---- readers: the whole statement, sharing, the daily digest (issue 13) ----
    ButtonFullText = "button-full-text",
    ButtonFullTextOnSite = "button-full-text-on-site",
    ButtonShare = "button-share",
    ButtonDigest = "button-digest",
    ButtonEachAsItComes = "button-each-as-it-comes",
    DigestAskHour = "digest-ask-hour",
    // ---- media-intake (issue 12): files in the guided /post, albums, media forwards ----
    ButtonAddFile = "button-add-file",
    PostAskAttachment = "post-ask-attachment",
    PostFilesRefused = "post-files-refused",
    // ---- topics (issue 13) ----
    ButtonTopics = "button-topics",
    ButtonAllTopics = "button-all-topics",
    TopicsUsage = "topics-usage",
    TopicAddHow = "topic-add-how",
    ButtonTopicAdd = "button-topic-add",
    TopicBadSlug = "topic-bad-slug",
    TopicBadName = "topic-bad-name",
    TopicSlugTaken = "topic-slug-taken",
    TopicDefaultStays = "topic-default-stays",
    TopicGone = "topic-gone",
    FeedTopicUsage = "feed-topic-usage",
    FeedTopicNotFound = "feed-topic-not-found",
}

/// The ids of the messages the functions below fill in; `ALL` lets a test find each one in
/// every language.
mod id {
    macro_rules! ids {
        ($($name:ident = $id:literal,)*) => {
            $(pub const $name: &str = $id;)*
            #[cfg(test)]
            pub const ALL: &[&str] = &[$($name),*];
        };
    }

    ids! {
        SEARCH_NO_RESULTS = "search-no-results",
        SHOW_NOT_FOUND = "show-not-found",
        PUBLISHED = "published",
        ALREADY_PUBLISHED = "already-published",
        REVISED = "revised",
        RETRACTED = "retracted",
        BROADCAST_REPORT = "broadcast-report",
        STATS = "stats",
        STATS_TELEGRAM_UNREACHABLE = "stats-telegram-unreachable",
        STATS_LAST_BROADCAST = "stats-last-broadcast",
        STATS_LAST_ERROR = "stats-last-error",
        SETTINGS_SUMMARY = "settings-summary",
        ARCHIVE_YEAR_HEADING = "archive-year-heading",
        ARCHIVE_MONTH_HEADING = "archive-month-heading",
        FEED_LIST_HEADING = "feed-list-heading",
        FEED_LIST_FEED = "feed-list-feed",
        FEED_LIST_FOUND = "feed-list-found",
        FEED_LIST_STATE = "feed-list-state",
        FEED_LIST_SKIPPED = "feed-list-skipped",
        FEED_LIST_LAST_SUCCESS = "feed-list-last-success",
        FEED_LIST_NEVER_SUCCEEDED = "feed-list-never-succeeded",
        FEED_LIST_FOOTER = "feed-list-footer",
        FEED_ADDED = "feed-added",
        FEED_ALREADY_FOLLOWED = "feed-already-followed",
        FEED_REMOVED = "feed-removed",
        FEED_NOT_FOUND = "feed-not-found",
        FEED_REFUSED = "feed-refused",
        FEED_FAILING = "feed-failing",
        FEED_RECOVERED = "feed-recovered",
        HELD_NOTICE = "held-notice",
        HELD_TITLE = "held-title",
        HELD_MORE = "held-more",
        HELD_ADVICE = "held-advice",
        WAITING_HOLD = "waiting-hold",
        HOLD_RELEASED = "hold-released",
        // ---- a second pair of eyes, and the audit trail (issue 12: approvals) ----
        APPROVAL_REQUESTED = "approval-requested",
        APPROVAL_ASKED = "approval-asked",
        APPROVAL_APPROVED = "approval-approved",
        APPROVAL_WITHDRAWN = "approval-withdrawn",
        AUDIT_HEADING = "audit-heading",
        AUDIT_LINE = "audit-line",
        SCHEDULED_FOR = "scheduled-for",
        SCHEDULED_ITEM = "scheduled-item",
        BUTTON_CANCEL_SCHEDULE = "button-cancel-schedule",
        SCHEDULE_CANCELLED = "schedule-cancelled",
        PUBLISHED_LATE = "published-late",
        // ---- readers: the daily digest (issue 13) ----
        DIGEST_HEADING = "digest-heading",
        DIGEST_ITEM = "digest-item",
        // ---- media-intake (issue 12): "Send later" with a second pair of eyes ----
        APPROVAL_DUE = "approval-due",
        // ---- topics (issue 13) ----
        TOPICS_HEADING = "topics-heading",
        TOPICS_LINE = "topics-line",
        TOPIC_ADDED = "topic-added",
        TOPIC_RENAMED = "topic-renamed",
        TOPIC_RENAME_HOW = "topic-rename-how",
        TOPIC_REMOVE_ASK = "topic-remove-ask",
        TOPIC_REMOVED = "topic-removed",
        BUTTON_TOPIC_RENAME = "button-topic-rename",
        BUTTON_TOPIC_REMOVE = "button-topic-remove",
        BUTTON_TOPIC_MOVE = "button-topic-move",
        TOPIC_CHOICE = "topic-choice",
        POST_TOPIC = "post-topic",
        POST_UNKNOWN_TOPIC = "post-unknown-topic",
        LATEST_UNKNOWN_TOPIC = "latest-unknown-topic",
        STATS_TOPICS_HEADING = "stats-topics-heading",
        STATS_TOPIC = "stats-topic",
        STATS_TOPIC_DIGEST = "stats-topic-digest",
        STATS_HELD = "stats-held",
        FEED_TOPICS_HEADING = "feed-topics-heading",
        FEED_TOPICS_DEFAULT = "feed-topics-default",
        FEED_TOPICS_CATEGORY = "feed-topics-category",
        FEED_TOPIC_SET = "feed-topic-set",
        FEED_TOPIC_MAPPED = "feed-topic-mapped",
        FEED_TOPIC_UNMAPPED = "feed-topic-unmapped",
    }
}

/// The parsed files, and every [`Phrase`] already formatted (they take no parameters, so
/// handlers get a `&'static str` as before).
struct Catalogue {
    bundles: Vec<(&'static str, FluentBundle<FluentResource>)>,
    phrases: HashMap<(Lang, Phrase), String>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::load);

impl Catalogue {
    fn load() -> Self {
        let mut catalogue = Catalogue {
            bundles: LOCALES
                .iter()
                .map(|&(code, source)| (code, bundle(code, source)))
                .collect(),
            phrases: HashMap::new(),
        };
        for lang in Lang::ALL {
            for &phrase in Phrase::ALL {
                let text = catalogue
                    .format(phrase.id(), None, lang, None)
                    .unwrap_or_else(|| phrase.id().to_string());
                catalogue.phrases.insert((lang, phrase), text);
            }
        }
        catalogue
    }

    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(code, _)| *code == lang.code())
            .or(self.bundles.first())
            .map(|(_, bundle)| bundle)
    }

    /// Message `id`, or its `attribute`, in `lang`; `None` if the file lacks it (the tests
    /// make sure that no id the code uses is missing).
    fn format(
        &self,
        id: &str,
        attribute: Option<&str>,
        lang: Lang,
        args: Option<&FluentArgs>,
    ) -> Option<String> {
        let bundle = self.bundle(lang)?;
        let message = bundle.get_message(id)?;
        let pattern = match attribute {
            None => message.value()?,
            Some(name) => message.get_attribute(name)?.value(),
        };
        let mut errors = Vec::new();
        Some(
            bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned(),
        )
    }
}

fn bundle(code: &str, source: &str) -> FluentBundle<FluentResource> {
    // A file with a syntax error still yields the messages around it; the tests make sure
    // that no file has one.
    let resource =
        FluentResource::try_new(source.to_string()).unwrap_or_else(|(partial, _errors)| partial);
    let mut bundle = FluentBundle::new_concurrent(vec![code.parse().unwrap_or_default()]);
    // Fluent would wrap every parameter in FSI/PDI marks (U+2068, U+2069): every text with a
    // parameter would change, and text::bidi already places the marks right-to-left needs.
    bundle.set_use_isolating(false);
    // A duplicate id keeps its first text; the tests reject duplicates.
    let _ = bundle.add_resource(resource);
    bundle
}

/// Message `id` in `lang` with its parameters filled in. The one place a parameter enters a
/// text: each is HTML-escaped here, so callers pass plain text.
fn message(id: &str, lang: Lang, args: &[(&str, String)]) -> String {
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fluent_args.set(*name, escape(value));
    }
    CATALOGUE
        .format(id, None, lang, Some(&fluent_args))
        .unwrap_or_else(|| id.to_string())
}

pub fn phrase(p: Phrase, lang: Lang) -> &'static str {
    CATALOGUE
        .phrases
        .get(&(lang, p))
        .map_or(p.id(), String::as_str)
}

// ---- commands: the table in telegram/commands.rs names each one's message ----

/// A command's line in the menu of `setMyCommands`: plain text, as Telegram shows it.
pub fn command_description(key: &str, lang: Lang) -> String {
    CATALOGUE
        .format(key, None, lang, None)
        .unwrap_or_else(|| key.to_string())
}

/// `/help`: what jarchi does, then one line per `(command, description key)`.
pub fn help(commands: &[(&str, &str)], lang: Lang) -> String {
    format!(
        "{}\n{}",
        phrase(Phrase::HelpIntro, lang),
        command_lines(commands, lang)
    )
}

/// The admins' part of `/help`.
pub fn admin_help(commands: &[(&str, &str)], lang: Lang) -> String {
    format!(
        "{}{}",
        phrase(Phrase::AdminHelp, lang),
        command_lines(commands, lang)
    )
}

/// `\n/command usage — description` for each command: its arguments (`.usage`) if it has
/// any, and its longer description (`.help`) if it has one, else the menu's line.
fn command_lines(commands: &[(&str, &str)], lang: Lang) -> String {
    let mut out = String::new();
    for &(command, key) in commands {
        let usage = CATALOGUE
            .format(key, Some("usage"), lang, None)
            .map(|usage| format!(" {usage}"))
            .unwrap_or_default();
        let description = CATALOGUE
            .format(key, Some("help"), lang, None)
            .unwrap_or_else(|| command_description(key, lang));
        out.push_str(&format!("\n/{command}{usage} — {}", escape(&description)));
    }
    out
}

/// Quoting a 5,000-character query back would drown the answer; a glimpse is enough.
const QUOTED_QUERY_CHARS: usize = 40;

pub fn search_no_results(query: &str, lang: Lang) -> String {
    let glimpse = shortened(&one_line(query), QUOTED_QUERY_CHARS);
    message(id::SEARCH_NO_RESULTS, lang, &[("query", glimpse)])
}

pub fn show_not_found(id: i64, lang: Lang) -> String {
    message(id::SHOW_NOT_FOUND, lang, &[("id", id.to_string())])
}

pub fn published(id: i64, recipients: u64, lang: Lang) -> String {
    let args = [
        ("id", id.to_string()),
        ("recipients", recipients.to_string()),
    ];
    in_digits_of(id::PUBLISHED, lang, &args)
}

pub fn already_published(id: i64, lang: Lang) -> String {
    in_digits_of(id::ALREADY_PUBLISHED, lang, &[("id", id.to_string())])
}

pub fn revised(id: i64, copies: u64, lang: Lang) -> String {
    let args = [("id", id.to_string()), ("copies", copies.to_string())];
    in_digits_of(id::REVISED, lang, &args)
}

pub fn retracted(id: i64, copies: u64, lang: Lang) -> String {
    let args = [("id", id.to_string()), ("copies", copies.to_string())];
    in_digits_of(id::RETRACTED, lang, &args)
}

/// Message `id` with every digit in it the reader's, those of the parameters too (a title's
/// digits included): for messages without addresses in them (see [`number`]).
fn in_digits_of(id: &str, lang: Lang, args: &[(&str, String)]) -> String {
    localize_digits(&message(id, lang, args), lang)
}

pub fn broadcast_report(figures: &BroadcastFigures, lang: Lang) -> String {
    let args = [
        ("id", figures.announcement_id.to_string()),
        ("title", figures.title.clone()),
        ("sent", figures.sent.to_string()),
        ("failed", figures.failed.to_string()),
        ("gone", figures.gone.to_string()),
        (
            "seconds",
            format!("{:.0}", figures.duration_secs.unwrap_or(0.0)),
        ),
        ("rate", format!("{:.1}", figures.rate.unwrap_or(0.0))),
    ];
    in_digits_of(id::BROADCAST_REPORT, lang, &args)
}

pub fn stats(stats: &Stats, lang: Lang) -> String {
    let mut parts = vec![in_digits_of(
        id::STATS,
        lang,
        &[
            ("active", stats.active.to_string()),
            ("stopped", stats.stopped.to_string()),
            ("gone", stats.gone.to_string()),
            ("statements", stats.statements.to_string()),
            ("queued", stats.queue_depth.to_string()),
        ],
    )];
    if let Some(since) = stats.telegram_unreachable_since {
        let args = [
            ("date", format_date(since, lang)),
            ("time", format_time(since)),
        ];
        parts.push(String::from("\n"));
        parts.push(in_digits_of(id::STATS_TELEGRAM_UNREACHABLE, lang, &args));
    }
    if let Some(b) = &stats.broadcast {
        let args = [
            ("id", b.announcement_id.to_string()),
            ("title", b.title.clone()),
            ("sent", b.sent.to_string()),
            ("failed", b.failed.to_string()),
            ("pending", b.pending.to_string()),
            ("gone", b.gone.to_string()),
            ("rate", format!("{:.1}", b.rate.unwrap_or(0.0))),
        ];
        parts.push(String::from("\n\n"));
        parts.push(in_digits_of(id::STATS_LAST_BROADCAST, lang, &args));
        if let Some(error) = &b.last_error {
            parts.push(String::from("\n"));
            parts.push(in_digits_of(
                id::STATS_LAST_ERROR,
                lang,
                &[("error", error.clone())],
            ));
        }
    }
    parts.concat()
}

// ----- subscriber experience: paging, languages, settings (issue 5) -----

/// Button labels are plain text, and Telegram cuts long ones anyway; a glimpse is enough.
const BUTTON_TITLE_CHARS: usize = 28;

/// The button under a list that opens one statement: its number and the start of its title.
pub fn show_button(id: i64, title: &str, lang: Lang) -> String {
    let glimpse = shortened(&one_line(title), BUTTON_TITLE_CHARS);
    localize_digits(&format!("#{id} {glimpse}"), lang)
}

/// An hour of the day on a button, `۲۲:۰۰` or `22:00`.
pub fn hour_button(hour: u8, lang: Lang) -> String {
    localize_digits(&format!("{hour:02}:00"), lang)
}

/// The settings message: what is chosen now.
pub fn settings_summary(settings: &SubscriberSettings, lang: Lang) -> String {
    let previews = if settings.link_previews { "on" } else { "off" };
    let (quiet, start, end) = match settings.quiet_hours {
        Some(q) => (
            "yes",
            format!("{:02}", q.start()),
            format!("{:02}", q.end()),
        ),
        None => ("no", String::new(), String::new()),
    };
    let (digest, hour) = match settings.digest {
        Some(d) => ("yes", format!("{:02}", d.hour())),
        None => ("no", String::new()),
    };
    let args = [
        ("previews", previews.to_string()),
        ("quiet", quiet.to_string()),
        ("start", start),
        ("end", end),
        ("digest", digest.to_string()),
        ("hour", hour),
    ];
    in_digits_of(id::SETTINGS_SUMMARY, lang, &args)
}

// ---- the archive by the calendar (issue 14) ----

/// A year under /archive, with how many statements it holds: `۱۳۹۶ · ۴۲۰`.
pub fn year_button(year: i32, statements: i64, lang: Lang) -> String {
    localize_digits(&format!("{year} · {statements}"), lang)
}

/// A month under its year: `خرداد · ۳۰`.
pub fn month_button(month: JalaliMonth, statements: i64, lang: Lang) -> String {
    localize_digits(&format!("{} · {statements}", month.name(lang)), lang)
}

pub fn archive_year_heading(year: i32, lang: Lang) -> String {
    in_digits_of(
        id::ARCHIVE_YEAR_HEADING,
        lang,
        &[("year", year.to_string())],
    )
}

/// The line above a month's statements.
pub fn archive_month_heading(month: JalaliMonth, lang: Lang) -> String {
    message(
        id::ARCHIVE_MONTH_HEADING,
        lang,
        &[("month", month.label(lang))],
    )
}

// ---- feeds (issue 4: ingest) ----

/// A moment as admins read it in a status line: the date, and the time in UTC.
fn moment(at: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let time = localize_digits(&at.format("%H:%M").to_string(), lang);
    format!("{} {time} UTC", format_date(at, lang))
}

/// Our own numbers in the reader's digits. Whole messages with URLs in them must not go
/// through `localize_digits`: `?p=4391` with Persian digits is another address.
fn number(n: i64, lang: Lang) -> String {
    localize_digits(&n.to_string(), lang)
}

/// A count (of titles, of statements) as [`number`] shows it.
fn count(n: usize, lang: Lang) -> String {
    number(i64::try_from(n).unwrap_or(i64::MAX), lang)
}

/// Feed errors can be long (a URL and a reason); a status line needs the gist.
const FEED_ERROR_CHARS: usize = 200;

fn short_error(error: &str) -> String {
    shortened(error, FEED_ERROR_CHARS)
}

/// Words separated by single spaces: a glimpse of a query or a title.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `chars` characters of `text`, and `…` if that is not all of it.
fn shortened(text: &str, chars: usize) -> String {
    let mut short: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        short.push('…');
    }
    short
}

pub fn feed_list(feeds: &[FeedStatus], lang: Lang) -> String {
    if feeds.is_empty() {
        return phrase(Phrase::FeedsEmpty, lang).to_string();
    }
    let mut out = message(id::FEED_LIST_HEADING, lang, &[]);
    for feed in feeds {
        let id = number(feed.id, lang);
        out.push_str("\n\n");
        out.push_str(&message(
            id::FEED_LIST_FEED,
            lang,
            &[("id", id), ("url", feed.url.clone())],
        ));
        if let Some(found) = &feed.feed_url {
            out.push('\n');
            out.push_str(&message(
                id::FEED_LIST_FOUND,
                lang,
                &[("url", found.clone())],
            ));
        }
        let (state, failures, error) = match &feed.health {
            FeedHealth::Waiting => ("waiting", String::new(), String::new()),
            FeedHealth::Ok => ("ok", String::new(), String::new()),
            FeedHealth::Failing { failures, error } => {
                ("failing", number(*failures, lang), short_error(error))
            }
        };
        let args = [
            ("state", state.to_string()),
            ("failures", failures),
            ("error", error),
        ];
        out.push('\n');
        out.push_str(&message(id::FEED_LIST_STATE, lang, &args));
        if feed.skipped_entries > 0 {
            let skipped = number(feed.skipped_entries, lang);
            out.push('\n');
            out.push_str(&message(
                id::FEED_LIST_SKIPPED,
                lang,
                &[("skipped", skipped)],
            ));
        }
        out.push('\n');
        out.push_str(&match feed.last_success {
            Some(at) => message(
                id::FEED_LIST_LAST_SUCCESS,
                lang,
                &[("when", moment(at, lang))],
            ),
            None => message(id::FEED_LIST_NEVER_SUCCEEDED, lang, &[]),
        });
    }
    out.push_str("\n\n");
    out.push_str(&message(id::FEED_LIST_FOOTER, lang, &[]));
    out
}

pub fn feed_added(id: i64, lang: Lang) -> String {
    in_digits_of(id::FEED_ADDED, lang, &[("id", id.to_string())])
}

pub fn feed_already_followed(id: i64, lang: Lang) -> String {
    in_digits_of(id::FEED_ALREADY_FOLLOWED, lang, &[("id", id.to_string())])
}

pub fn feed_removed(id: i64, lang: Lang) -> String {
    in_digits_of(id::FEED_REMOVED, lang, &[("id", id.to_string())])
}

pub fn feed_not_found(id: i64, lang: Lang) -> String {
    in_digits_of(id::FEED_NOT_FOUND, lang, &[("id", id.to_string())])
}

/// What admins are told when a feed has been failing for long, and when it is back.
pub fn feed_notice(notice: &FeedNotice, lang: Lang) -> String {
    match notice {
        FeedNotice::Failing {
            id,
            url,
            since,
            error,
        } => {
            let args = [
                ("id", number(*id, lang)),
                ("url", url.clone()),
                ("since", moment(*since, lang)),
                ("error", short_error(error)),
            ];
            message(id::FEED_FAILING, lang, &args)
        }
        FeedNotice::Recovered { id, url } => message(
            id::FEED_RECOVERED,
            lang,
            &[("id", number(*id, lang)), ("url", url.clone())],
        ),
        FeedNotice::Held(held) => held_notice(held, lang),
        FeedNotice::PublishedLate(late) => published_late(late, lang),
    }
}

/// Titles a held-statements notice lists, and how much of each: the notice must stay one
/// message however many items a hacked site pours out.
const HELD_TITLES_SHOWN: usize = 20;
const HELD_TITLE_CHARS: usize = 90;

fn held_notice(held: &HeldStatements, lang: Lang) -> String {
    let held_count = held.titles.len();
    let args = [
        ("feed", number(held.feed_id, lang)),
        ("url", held.feed_url.clone()),
        (
            "total",
            count(held_count.saturating_add(held.broadcast), lang),
        ),
        ("broadcast", count(held.broadcast, lang)),
        ("held", count(held_count, lang)),
    ];
    let mut out = message(id::HELD_NOTICE, lang, &args);
    for title in held.titles.iter().take(HELD_TITLES_SHOWN) {
        let short = shortened(title, HELD_TITLE_CHARS);
        out.push('\n');
        out.push_str(&message(id::HELD_TITLE, lang, &[("title", short)]));
    }
    if held_count > HELD_TITLES_SHOWN {
        let more = count(held_count - HELD_TITLES_SHOWN, lang);
        out.push('\n');
        out.push_str(&message(id::HELD_MORE, lang, &[("more", more)]));
    }
    out.push_str("\n\n");
    out.push_str(&message(id::HELD_ADVICE, lang, &[]));
    out
}

/// Lines under `/feeds` for holds nobody has released, each with its button below.
pub fn waiting_holds(holds: &[WaitingHold], lang: Lang) -> String {
    let mut out = String::new();
    for hold in holds {
        let args = [
            ("hold", number(hold.hold_id, lang)),
            ("statements", number(hold.statements, lang)),
            ("feed", number(hold.feed_id, lang)),
            ("since", moment(hold.since, lang)),
        ];
        out.push_str("\n\n");
        out.push_str(&message(id::WAITING_HOLD, lang, &args));
    }
    out
}

/// The button that releases hold `hold_id`, where several may stand together.
pub fn release_hold_label(hold_id: i64, lang: Lang) -> String {
    format!(
        "{} ({})",
        phrase(Phrase::ButtonReleaseHold, lang),
        number(hold_id, lang)
    )
}

/// The answer under a held-statements notice once its button was pressed.
pub fn hold_released(statements: u64, deliveries: u64, lang: Lang) -> String {
    let args = [
        ("statements", statements.to_string()),
        ("deliveries", deliveries.to_string()),
    ];
    in_digits_of(id::HOLD_RELEASED, lang, &args)
}

/// A notice (as the admin's client shows it: plain text) with the answer to its button
/// under it.
pub fn answered_notice(notice_text: &str, answer_html: &str) -> String {
    format!("{}\n\n{answer_html}", escape(notice_text))
}

/// Why `/addfeed` did not take an address. The reason is the operator's wording, in English.
pub fn feed_refused(refusal: &FeedRefusal, lang: Lang) -> String {
    message(id::FEED_REFUSED, lang, &[("reason", refusal.to_string())])
}

// ---- schedule (issue 12) ----

/// The Jalali date and the Tehran time of an instant, in the reader's digits.
fn tehran_day_and_time(at: chrono::DateTime<chrono::Utc>, lang: Lang) -> (String, String) {
    (
        jalali_date(at, lang),
        localize_digits(&format_time(at), lang),
    )
}

/// Why a typed time was not taken.
pub fn when_refused(error: WhenError, lang: Lang) -> &'static str {
    let answer = match error {
        WhenError::Unreadable => Phrase::ScheduleUnreadable,
        WhenError::Past => Phrase::SchedulePast,
        WhenError::TooFar => Phrase::ScheduleTooFar,
    };
    phrase(answer, lang)
}

/// The confirmation of "Send later": when, by the Jalali calendar and Tehran's clock.
pub fn scheduled_for(schedule: i64, due: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let (date, time) = tehran_day_and_time(due, lang);
    let args = [
        ("id", number(schedule, lang)),
        ("date", date),
        ("time", time),
    ];
    message(id::SCHEDULED_FOR, lang, &args)
}

/// Under an approval request for "Send later": when it would go out, once approved.
pub fn approval_due(due: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let (date, time) = tehran_day_and_time(due, lang);
    message(id::APPROVAL_DUE, lang, &[("date", date), ("time", time)])
}

/// A title in a list line: enough to recognise it.
const SCHEDULED_TITLE_CHARS: usize = 60;

/// `/scheduled`: one line per held statement, soonest first.
pub fn scheduled_list(held: &[ScheduledStatement], lang: Lang) -> String {
    if held.is_empty() {
        return phrase(Phrase::ScheduledEmpty, lang).to_string();
    }
    let mut out = phrase(Phrase::ScheduledHeading, lang).to_string();
    for statement in held {
        let (date, time) = tehran_day_and_time(statement.due, lang);
        let args = [
            ("id", number(statement.id, lang)),
            ("date", date),
            ("time", time),
            (
                "title",
                shortened(&one_line(&statement.title), SCHEDULED_TITLE_CHARS),
            ),
        ];
        out.push('\n');
        out.push_str(&message(id::SCHEDULED_ITEM, lang, &args));
    }
    out
}

/// The button that cancels schedule `schedule`.
pub fn cancel_schedule_label(schedule: i64, lang: Lang) -> String {
    message(
        id::BUTTON_CANCEL_SCHEDULE,
        lang,
        &[("id", number(schedule, lang))],
    )
}

pub fn schedule_cancelled(schedule: i64, lang: Lang) -> String {
    message(
        id::SCHEDULE_CANCELLED,
        lang,
        &[("id", number(schedule, lang))],
    )
}

fn published_late(late: &LatePublish, lang: Lang) -> String {
    let (date, due) = tehran_day_and_time(late.due, lang);
    let (_, time) = tehran_day_and_time(late.published, lang);
    let args = [
        ("id", number(late.id.0, lang)),
        (
            "title",
            shortened(&one_line(&late.title), SCHEDULED_TITLE_CHARS),
        ),
        ("date", date),
        ("due", due),
        ("time", time),
    ];
    message(id::PUBLISHED_LATE, lang, &args)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

    /// What a message asks of the code: the variables of its value and of its attributes
    /// (by attribute name, "" for the value).
    type Signature = BTreeMap<String, BTreeSet<String>>;

    /// Every message of one file with its signature; panics on a syntax error or a duplicate.
    fn messages(code: &str, source: &str) -> BTreeMap<String, Signature> {
        let resource = fluent_syntax::parser::parse(source)
            .unwrap_or_else(|(_, errors)| panic!("locales/{code}.ftl does not parse: {errors:?}"));
        let mut out = BTreeMap::new();
        for entry in &resource.body {
            match entry {
                Entry::Message(m) => {
                    let mut signature = Signature::new();
                    if let Some(value) = &m.value {
                        signature.insert(String::new(), variables(value));
                    }
                    for attribute in &m.attributes {
                        signature
                            .insert(attribute.id.name.to_string(), variables(&attribute.value));
                    }
                    let id = m.id.name.to_string();
                    assert!(
                        out.insert(id.clone(), signature).is_none(),
                        "{code}: {id} twice"
                    );
                }
                Entry::Junk { content } => panic!("locales/{code}.ftl: junk {content:?}"),
                _ => {}
            }
        }
        out
    }

    fn variables(pattern: &Pattern<&str>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        pattern_variables(pattern, &mut out);
        out
    }

    fn pattern_variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for variant in variants {
                    pattern_variables(&variant.value, out);
                }
            }
            Expression::Inline(inline) => inline_variables(inline, out),
        }
    }

    fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_string());
            }
            InlineExpression::Placeable { expression } => expression_variables(expression, out),
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_variables(argument, out);
                }
                for argument in &arguments.named {
                    inline_variables(&argument.value, out);
                }
            }
            _ => {}
        }
    }

    /// Every file's messages, by language code.
    pub(crate) fn every_locale() -> BTreeMap<&'static str, BTreeMap<String, Signature>> {
        LOCALES
            .iter()
            .map(|&(code, source)| (code, messages(code, source)))
            .collect()
    }

    /// The ids the functions and phrases of this module look up.
    pub(crate) fn ids_in_code() -> BTreeSet<&'static str> {
        Phrase::ALL
            .iter()
            .map(|p| p.id())
            .chain(id::ALL.iter().copied())
            .collect()
    }

    #[test]
    fn every_language_has_a_file_and_every_file_a_language() {
        let codes: BTreeSet<&str> = LOCALES.iter().map(|(code, _)| *code).collect();
        let langs: BTreeSet<&str> = Lang::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, langs);
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_variables() {
        let locales = every_locale();
        let (first, reference) = locales.iter().next().expect("at least one language");
        for (code, messages) in &locales {
            let ids: BTreeSet<_> = messages.keys().collect();
            let expected: BTreeSet<_> = reference.keys().collect();
            assert_eq!(ids, expected, "{code} and {first} name different messages");
            for (id, signature) in messages {
                assert_eq!(
                    signature, &reference[id],
                    "{id}: {code} and {first} differ in variables or attributes"
                );
            }
        }
    }

    #[test]
    fn every_id_the_code_uses_exists_in_every_language() {
        for (code, messages) in every_locale() {
            for id in ids_in_code() {
                assert!(messages.contains_key(id), "{id} is missing from {code}.ftl");
            }
            for phrase in Phrase::ALL {
                let signature = &messages[phrase.id()];
                assert!(
                    signature.values().all(BTreeSet::is_empty),
                    "{phrase:?} takes no parameters, but {code}.ftl gives it some"
                );
            }
        }
    }

    #[test]
    fn phrases_are_whole_and_carry_no_isolation_marks() {
        for lang in Lang::ALL {
            for &p in Phrase::ALL {
                let text = phrase(p, lang);
                assert_ne!(text, p.id(), "{p:?} in {lang}");
                assert!(
                    crate::text::is_valid_telegram_html(text),
                    "{p:?} in {lang}: {text}"
                );
            }
            let text = published(12, 3, lang);
            assert!(!text.contains(['\u{2068}', '\u{2069}']), "{text:?}");
        }
        assert_eq!(
            published(12, 3, Lang::Fa),
            "اطلاعیهٔ #۱۲ منتشر شد و برای ۳ مشترک در صف ارسال است."
        );
    }

    #[test]
    fn parameters_are_escaped_once() {
        let text = feed_refused(
            &FeedRefusal::NotWeb {
                url: "ftp://x/?a=1&b=<c>".into(),
            },
            Lang::En,
        );
        assert_eq!(
            text,
            "That address is refused: ftp://x/?a=1&amp;b=&lt;c&gt; is not an http(s) address"
        );
    }

    #[test]
    fn feed_lists_keep_urls_intact_in_persian() {
        let feeds = [FeedStatus {
            id: 12,
            url: "https://example.org/?p=4391&a=<b>".into(),
            feed_url: None,
            health: FeedHealth::Failing {
                failures: 3,
                error: "x".repeat(500),
            },
            last_success: None,
            skipped_entries: 2,
        }];
        let fa = feed_list(&feeds, Lang::Fa);
        assert!(
            fa.contains("?p=4391&amp;a=&lt;b&gt;") && fa.contains("۱۲.") && fa.contains("۳ بار")
        );
        assert!(fa.contains("ناخوانای آخرین دریافت: ۲"), "{fa}");
        assert!(fa.chars().count() < 500);
        let notice = FeedNotice::Recovered {
            id: 7,
            url: "https://example.org/feed/2".into(),
        };
        assert!(feed_notice(&notice, Lang::Fa).contains("feed/2"));
    }

    #[test]
    fn queries_are_escaped_and_shortened() {
        let reply = search_no_results(&format!("<b>{}", "x".repeat(5000)), Lang::En);
        assert!(reply.contains("&lt;b&gt;"));
        assert!(reply.chars().count() < 120);
    }

    #[test]
    fn held_notices_stay_one_message_however_much_is_held() {
        let held = HeldStatements {
            hold_id: 3,
            feed_id: 2,
            feed_url: "https://example.org/feed/?a=<b>".into(),
            broadcast: 5,
            titles: (0..500)
                .map(|n| format!("<{n}> {}", "ب".repeat(300)))
                .collect(),
        };
        for lang in [Lang::Fa, Lang::En] {
            let text = feed_notice(&FeedNotice::Held(held.clone()), lang);
            assert!(text.chars().count() < 3000, "{}", text.chars().count());
            assert!(text.contains("&lt;0&gt;") && !text.contains("<0>"));
            assert!(text.contains("?a=&lt;b&gt;"));
        }
        let en = feed_notice(&FeedNotice::Held(held), Lang::En);
        assert!(en.contains("brought 505 new statements") && en.contains("and 480 more"));
    }
}
