//! Every sentence a user reads, in Persian and English. Handlers hold no user-facing
//! literals: they name a [`Phrase`] or call one of the functions below.
//! All phrases are valid Telegram HTML; parameters are escaped here.

use crate::domain::{
    BroadcastFigures, FeedHealth, FeedNotice, FeedRefusal, FeedStatus, HeldStatements, Lang, Stats,
    SubscriberSettings, WaitingHold,
};
use crate::text::dates::format_time;
use crate::text::{JalaliMonth, format_date};
use crate::text::{escape, localize_digits};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    Welcome,
    AlreadySubscribed,
    Stopped,
    NotSubscribed,
    LatestEmpty,
    LatestUsage,
    SearchUsage,
    SearchNoTerms,
    ShowUsage,
    UnknownCommand,
    SomethingWentWrong,
    HelpIntro,
    AdminHelp,
    AdminOnly,
    PostAskTitle,
    PostAskBody,
    PostAskLink,
    PostBadLink,
    PostEmptyText,
    PostConfirm,
    PostCancelled,
    NothingToCancel,
    DraftGone,
    ButtonSend,
    ButtonCancel,
    EditUsage,
    DeleteUsage,
    // ----- subscriber experience: paging, languages, settings (issue 5) -----
    ButtonPrevious,
    ButtonNext,
    PageGone,
    ButtonUnknown,
    StatementGone,
    LangUsage,
    LangChanged,
    SettingsNeedSubscription,
    ButtonPreviewsOn,
    ButtonPreviewsOff,
    ButtonLanguage,
    ButtonQuietHours,
    ButtonNoQuietHours,
    ButtonBack,
    QuietAskStart,
    QuietAskEnd,
    SettingsSaved,
    // ---- feeds (issue 4: ingest) ----
    FeedsEmpty,
    AddFeedUsage,
    RemoveFeedUsage,
    // ---- a feed cannot flood (issue 9) ----
    ButtonReleaseHold,
    HoldAlreadyReleased,
    HoldNotFound,
    // ---- fair use (issue 9) ----
    SlowDown,
    GroupAdminsOnly,
    // ---- the archive by the calendar (issue 14) ----
    ArchiveChooseYear,
}

pub fn phrase(p: Phrase, lang: Lang) -> &'static str {
    use Phrase::*;
    match (p, lang) {
        (Welcome, Lang::Fa) => {
            "به جارچی خوش آمدید! از این پس اطلاعیه‌های تازه همین‌جا به دستتان می‌رسد.\n\nآخرین اطلاعیه‌ها: /latest\nجست‌وجو: /search\nراهنما: /help"
        }
        (Welcome, Lang::En) => {
            "Welcome to Jarchi! New statements will reach you here from now on.\n\nLatest statements: /latest\nSearch: /search\nHelp: /help"
        }
        (AlreadySubscribed, Lang::Fa) => {
            "شما پیش‌تر عضو شده‌اید و اطلاعیه‌های تازه را دریافت می‌کنید. برای لغو عضویت /stop را بفرستید."
        }
        (AlreadySubscribed, Lang::En) => {
            "You are already subscribed and will receive new statements. Send /stop to unsubscribe."
        }
        (Stopped, Lang::Fa) => {
            "عضویت شما لغو شد و آنچه از این گفتگو نگه داشته بودیم پاک شد. هر وقت خواستید با /start برگردید."
        }
        (Stopped, Lang::En) => {
            "You are unsubscribed, and what we kept about this chat has been erased. Send /start whenever you want to come back."
        }
        (NotSubscribed, Lang::Fa) => {
            "شما عضو نیستید و چیزی از این گفتگو نزد ما نیست. برای عضویت /start را بفرستید."
        }
        (NotSubscribed, Lang::En) => {
            "You are not subscribed, and we keep nothing about this chat. Send /start to subscribe."
        }
        (LatestEmpty, Lang::Fa) => "هنوز اطلاعیه‌ای در بایگانی نیست.",
        (LatestEmpty, Lang::En) => "There are no statements in the archive yet.",
        (LatestUsage, Lang::Fa) => "تعداد را با عدد بنویسید، مثلاً /latest 3 (حداکثر ۱۰).",
        (LatestUsage, Lang::En) => "Give the number as digits, for example /latest 3 (at most 10).",
        (SearchUsage, Lang::Fa) => "پس از /search کلمه‌ای بنویسید، مثلاً:\n/search اعتصاب",
        (SearchUsage, Lang::En) => "Write a word after /search, for example:\n/search strike",
        (SearchNoTerms, Lang::Fa) => "در جست‌وجوی شما کلمه‌ای نبود. لطفاً دست‌کم یک کلمه بنویسید.",
        (SearchNoTerms, Lang::En) => {
            "Your search has no words in it. Please type at least one word."
        }
        (ShowUsage, Lang::Fa) => {
            "شمارهٔ اطلاعیه را بنویسید، مثلاً /show 12. شماره کنار هر اطلاعیه با # آمده است."
        }
        (ShowUsage, Lang::En) => {
            "Give the statement's number, for example /show 12. Each statement shows its number after #."
        }
        (UnknownCommand, Lang::Fa) => "این فرمان را نمی‌شناسم. فهرست فرمان‌ها: /help",
        (UnknownCommand, Lang::En) => "I don't know that command. The list of commands: /help",
        (SomethingWentWrong, Lang::Fa) => {
            "متأسفیم، مشکلی پیش آمد. لطفاً کمی بعد دوباره امتحان کنید."
        }
        (SomethingWentWrong, Lang::En) => {
            "Sorry, something went wrong. Please try again in a little while."
        }
        (HelpIntro, Lang::Fa) => {
            "جارچی اطلاعیه‌های تازه را به شما می‌رساند و بایگانی آن‌ها را در دسترستان می‌گذارد."
        }
        (HelpIntro, Lang::En) => {
            "Jarchi brings you new statements as they are published, and keeps their archive at hand."
        }
        (AdminHelp, Lang::Fa) => {
            "فرمان‌های مدیران:\n/post — انتشار اطلاعیه (بی‌متن: گام‌به‌گام با پیش‌نمایش؛ یا در سطر اول عنوان، سپس متن و در سطر آخر نشانی)\n/edit شماره — ویرایش اطلاعیه و نسخه‌های فرستاده‌شده\n/delete شماره — حذف اطلاعیه و نسخه‌های فرستاده‌شده\n/stats — آمار\n/cancel — انصراف از پیش‌نویس\n/feeds — خوراک‌ها؛ /addfeed نشانی — افزودن؛ /removefeed شماره — حذف"
        }
        (AdminHelp, Lang::En) => {
            "Admin commands:\n/post — publish a statement (alone: step by step with a preview; or the title on the first line, then the text, then the link on the last line)\n/edit id — revise a statement and its delivered copies\n/delete id — delete a statement and its delivered copies\n/stats — figures\n/cancel — discard the draft\n/feeds — the feeds; /addfeed url — follow one; /removefeed id — stop"
        }
        (AdminOnly, Lang::Fa) => "این فرمان ویژهٔ مدیران است.",
        (AdminOnly, Lang::En) => "Sorry, this command is for admins only.",
        (PostAskTitle, Lang::Fa) => "عنوان اطلاعیه را بفرستید. (انصراف: /cancel)",
        (PostAskTitle, Lang::En) => "Send the statement's title. (/cancel to stop)",
        (PostAskBody, Lang::Fa) => "حالا متن اطلاعیه را بفرستید.",
        (PostAskBody, Lang::En) => "Now send the text of the statement.",
        (PostAskLink, Lang::Fa) => "نشانی «ادامه مطلب» را بفرستید، یا اگر پیوندی ندارد /skip را.",
        (PostAskLink, Lang::En) => "Send the read-more link, or /skip if there is none.",
        (PostBadLink, Lang::Fa) => {
            "این نشانی پذیرفته نیست؛ باید با http:// یا https:// آغاز شود. دوباره بفرستید یا /skip."
        }
        (PostBadLink, Lang::En) => {
            "That is not a link I can use; it must start with http:// or https://. Send it again, or /skip."
        }
        (PostEmptyText, Lang::Fa) => "پیام خالی بود. لطفاً متن بفرستید.",
        (PostEmptyText, Lang::En) => "That message had no text. Please send text.",
        (PostConfirm, Lang::Fa) => "☝️ پیش‌نمایش: مشترکان اطلاعیه را همین‌گونه خواهند دید. بفرستم؟",
        (PostConfirm, Lang::En) => "☝️ Preview: this is how subscribers will see it. Send it?",
        (PostCancelled, Lang::Fa) => "پیش‌نویس کنار گذاشته شد؛ چیزی فرستاده نشد.",
        (PostCancelled, Lang::En) => "Draft discarded; nothing was sent.",
        (NothingToCancel, Lang::Fa) => "پیش‌نویسی در کار نیست.",
        (NothingToCancel, Lang::En) => "There is no draft to cancel.",
        (DraftGone, Lang::Fa) => "این پیش‌نویس دیگر در دسترس نیست.",
        (DraftGone, Lang::En) => "This draft is no longer there.",
        (ButtonSend, Lang::Fa) => "✅ ارسال",
        (ButtonSend, Lang::En) => "✅ Send",
        (ButtonCancel, Lang::Fa) => "✖️ انصراف",
        (ButtonCancel, Lang::En) => "✖️ Cancel",
        (EditUsage, Lang::Fa) => "چنین بنویسید:\n/edit شماره\nعنوان\nمتن\nhttps://نشانی (اختیاری)",
        (EditUsage, Lang::En) => {
            "Write it like this:\n/edit id\ntitle\ntext\nhttps://link (optional)"
        }
        (DeleteUsage, Lang::Fa) => "شمارهٔ اطلاعیه را بنویسید، مثلاً /delete 12",
        (DeleteUsage, Lang::En) => "Give the statement's number, for example /delete 12",
        // ----- subscriber experience (issue 5) -----
        (ButtonPrevious, Lang::Fa) => "◀ قبلی",
        (ButtonPrevious, Lang::En) => "◀ Previous",
        (ButtonNext, Lang::Fa) => "بعدی ▶",
        (ButtonNext, Lang::En) => "Next ▶",
        (PageGone, Lang::Fa) => "این فهرست کهنه شده است؛ دوباره /latest یا /search را بفرستید.",
        (PageGone, Lang::En) => "This list is out of date; send /latest or /search again.",
        (ButtonUnknown, Lang::Fa) => "این دکمه دیگر کار نمی‌کند.",
        (ButtonUnknown, Lang::En) => "This button no longer works.",
        (StatementGone, Lang::Fa) => "این اطلاعیه دیگر در بایگانی نیست.",
        (StatementGone, Lang::En) => "This statement is no longer in the archive.",
        (LangUsage, Lang::Fa) => "زبان را انتخاب کنید: /lang fa برای فارسی، /lang en برای انگلیسی.",
        (LangUsage, Lang::En) => "Choose a language: /lang fa for Persian, /lang en for English.",
        (LangChanged, Lang::Fa) => "از این پس به فارسی با شما سخن می‌گویم.",
        (LangChanged, Lang::En) => "From now on I will speak English with you.",
        (SettingsNeedSubscription, Lang::Fa) => {
            "تنظیمات برای مشترکان است. نخست با /start عضو شوید."
        }
        (SettingsNeedSubscription, Lang::En) => {
            "Settings are for subscribers. Send /start to subscribe first."
        }
        (ButtonPreviewsOn, Lang::Fa) => "🔗 پیش‌نمایش پیوند: روشن",
        (ButtonPreviewsOn, Lang::En) => "🔗 Link previews: on",
        (ButtonPreviewsOff, Lang::Fa) => "🔗 پیش‌نمایش پیوند: خاموش",
        (ButtonPreviewsOff, Lang::En) => "🔗 Link previews: off",
        (ButtonLanguage, Lang::Fa) => "🌐 زبان: فارسی",
        (ButtonLanguage, Lang::En) => "🌐 Language: English",
        (ButtonQuietHours, Lang::Fa) => "🌙 ساعت‌های سکوت",
        (ButtonQuietHours, Lang::En) => "🌙 Quiet hours",
        (ButtonNoQuietHours, Lang::Fa) => "بدون ساعت سکوت",
        (ButtonNoQuietHours, Lang::En) => "No quiet hours",
        (ButtonBack, Lang::Fa) => "بازگشت",
        (ButtonBack, Lang::En) => "Back",
        (QuietAskStart, Lang::Fa) => {
            "🌙 از چه ساعتی (به وقت تهران) اطلاعیه‌ها نرسند؟ آنچه در این ساعت‌ها منتشر شود، پس از پایانشان می‌رسد."
        }
        (QuietAskStart, Lang::En) => {
            "🌙 From what hour (Tehran time) should statements wait? What is published meanwhile arrives when the quiet hours end."
        }
        (QuietAskEnd, Lang::Fa) => "🌙 تا چه ساعتی (به وقت تهران)؟",
        (QuietAskEnd, Lang::En) => "🌙 Until what hour (Tehran time)?",
        (SettingsSaved, Lang::Fa) => "ذخیره شد.",
        (SettingsSaved, Lang::En) => "Saved.",
        // ---- feeds (issue 4: ingest) ----
        (FeedsEmpty, Lang::Fa) => {
            "هیچ خوراکی دنبال نمی‌شود. با /addfeed نشانی خوراک یا صفحهٔ سایت را بدهید."
        }
        (FeedsEmpty, Lang::En) => {
            "No feed is followed. Give a feed or the site's address with /addfeed."
        }
        (AddFeedUsage, Lang::Fa) => {
            "نشانی خوراک یا صفحهٔ سایت را بنویسید، مثلاً:\n/addfeed https://example.org/feed/"
        }
        (AddFeedUsage, Lang::En) => {
            "Give the feed's or the site's address, for example:\n/addfeed https://example.org/feed/"
        }
        (RemoveFeedUsage, Lang::Fa) => "شمارهٔ خوراک را از /feeds بنویسید، مثلاً /removefeed 2",
        (RemoveFeedUsage, Lang::En) => {
            "Give the feed's number from /feeds, for example /removefeed 2"
        }
        (ButtonReleaseHold, Lang::Fa) => "📣 برای همه بفرست",
        (ButtonReleaseHold, Lang::En) => "📣 Broadcast them",
        (HoldAlreadyReleased, Lang::Fa) => "این اطلاعیه‌ها پیش‌تر فرستاده شده‌اند.",
        (HoldAlreadyReleased, Lang::En) => "These statements were already broadcast.",
        (HoldNotFound, Lang::Fa) => "این دکمه دیگر به چیزی اشاره نمی‌کند.",
        (HoldNotFound, Lang::En) => "This button no longer leads anywhere.",
        (SlowDown, Lang::Fa) => {
            "کمی آهسته‌تر لطفاً: پیام‌های پشت‌سرهم شما تا چند ثانیهٔ دیگر بی‌پاسخ می‌مانند."
        }
        (SlowDown, Lang::En) => {
            "A little slower, please: your next messages go unanswered for a few seconds."
        }
        (GroupAdminsOnly, Lang::Fa) => "در گروه، فقط مدیران گروه می‌توانند این کار را بکنند.",
        (GroupAdminsOnly, Lang::En) => "In a group, only the group's administrators can do this.",
        // ---- the archive by the calendar (issue 14) ----
        (ArchiveChooseYear, Lang::Fa) => "📚 بایگانی اطلاعیه‌ها: سالی را برگزینید.",
        (ArchiveChooseYear, Lang::En) => {
            "📚 The archive of statements: choose a year (Solar Hijri)."
        }
    }
}

/// The public command menu: `(command, description)`, as `setMyCommands` and `/help` show it.
pub fn command_menu(lang: Lang) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::Fa => vec![
            ("latest", "آخرین اطلاعیه‌ها"),
            ("search", "جست‌وجو در اطلاعیه‌ها؛ با ماه: /search خرداد ۱۳۹۶"),
            ("archive", "بایگانی به ترتیب سال و ماه"),
            ("show", "متن کامل یک اطلاعیه"),
            ("start", "عضویت و دریافت اطلاعیه‌ها"),
            ("stop", "لغو عضویت و پاک کردن داده‌ها"),
            ("settings", "تنظیمات: پیش‌نمایش، زبان، ساعت‌های سکوت"),
            ("lang", "تغییر زبان: /lang fa یا /lang en"),
            ("help", "راهنما"),
        ],
        Lang::En => vec![
            ("latest", "The latest statements"),
            (
                "search",
                "Search the statements; by month: /search khordad 1396",
            ),
            ("archive", "Browse the archive by year and month"),
            ("show", "Show a whole statement"),
            ("start", "Subscribe to new statements"),
            ("stop", "Unsubscribe and erase your data"),
            ("settings", "Settings: previews, language, quiet hours"),
            ("lang", "Change language: /lang fa or /lang en"),
            ("help", "Help"),
        ],
    }
}

/// The admin commands, added to the menu in admins' own chats.
pub fn admin_menu(lang: Lang) -> Vec<(&'static str, &'static str)> {
    match lang {
        Lang::Fa => vec![
            ("post", "انتشار اطلاعیه"),
            ("edit", "ویرایش اطلاعیه"),
            ("delete", "حذف اطلاعیه"),
            ("stats", "آمار"),
            ("cancel", "انصراف از پیش‌نویس"),
            ("feeds", "خوراک‌ها و وضعیتشان"),
            ("addfeed", "افزودن خوراک یا سایت"),
            ("removefeed", "حذف خوراک"),
        ],
        Lang::En => vec![
            ("post", "Publish a statement"),
            ("edit", "Revise a statement"),
            ("delete", "Delete a statement"),
            ("stats", "Figures"),
            ("cancel", "Discard the draft"),
            ("feeds", "Feeds and their state"),
            ("addfeed", "Follow a feed or a site"),
            ("removefeed", "Stop following a feed"),
        ],
    }
}

pub fn help(lang: Lang) -> String {
    let mut out = String::from(phrase(Phrase::HelpIntro, lang));
    out.push_str("\n\n");
    for (command, description) in command_menu(lang) {
        out.push_str(&format!("/{command} — {}\n", escape(description)));
    }
    out.trim_end().to_string()
}

/// Quoting a 5,000-character query back would drown the answer; a glimpse is enough.
const QUOTED_QUERY_CHARS: usize = 40;

pub fn search_no_results(query: &str, lang: Lang) -> String {
    let mut glimpse: String = query.split_whitespace().collect::<Vec<_>>().join(" ");
    if glimpse.chars().count() > QUOTED_QUERY_CHARS {
        glimpse = glimpse.chars().take(QUOTED_QUERY_CHARS).collect::<String>() + "…";
    }
    let glimpse = escape(&glimpse);
    match lang {
        Lang::Fa => format!("برای «{glimpse}» اطلاعیه‌ای پیدا نشد. کلمهٔ دیگری را امتحان کنید."),
        Lang::En => format!("No statement matches “{glimpse}”. Try another word."),
    }
}

pub fn show_not_found(id: i64, lang: Lang) -> String {
    match lang {
        Lang::Fa => format!("اطلاعیه‌ای با شمارهٔ {id} پیدا نشد."),
        Lang::En => format!("There is no statement number {id}."),
    }
}

pub fn published(id: i64, recipients: u64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!("اطلاعیهٔ #{id} منتشر شد و برای {recipients} مشترک در صف ارسال است."),
        Lang::En => {
            format!("Statement #{id} is published and queued for {recipients} subscribers.")
        }
    };
    localize_digits(&text, lang)
}

pub fn already_published(id: i64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!("این پیام پیش‌تر منتشر شده است (#{id})؛ دوباره فرستاده نشد."),
        Lang::En => format!("This was published before (#{id}); nothing was sent again."),
    };
    localize_digits(&text, lang)
}

pub fn revised(id: i64, copies: u64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!("اطلاعیهٔ #{id} ویرایش شد؛ {copies} نسخهٔ فرستاده‌شده هم ویرایش می‌شود."),
        Lang::En => {
            format!("Statement #{id} is revised; {copies} delivered copies will be edited.")
        }
    };
    localize_digits(&text, lang)
}

pub fn retracted(id: i64, copies: u64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!(
            "اطلاعیهٔ #{id} از بایگانی حذف شد؛ {copies} نسخهٔ فرستاده‌شده هم تا جایی که تلگرام اجازه دهد پاک می‌شود."
        ),
        Lang::En => format!(
            "Statement #{id} is removed from the archive; {copies} delivered copies will be deleted where Telegram still allows."
        ),
    };
    localize_digits(&text, lang)
}

pub fn broadcast_report(figures: &BroadcastFigures, lang: Lang) -> String {
    let title = escape(&figures.title);
    let seconds = figures.duration_secs.unwrap_or(0.0);
    let rate = figures.rate.unwrap_or(0.0);
    let text = match lang {
        Lang::Fa => format!(
            "📣 گزارش ارسال اطلاعیهٔ #{} «{title}»\nفرستاده شد: {}\nناموفق: {}\nمشترکانی که دیگر در دسترس نیستند: {}\nزمان: {seconds:.0} ثانیه ({rate:.1} پیام در ثانیه)",
            figures.announcement_id, figures.sent, figures.failed, figures.gone
        ),
        Lang::En => format!(
            "📣 Broadcast of #{} “{title}” finished\nsent: {}\nfailed: {}\nno longer reachable: {}\ntime: {seconds:.0} s ({rate:.1} messages/s)",
            figures.announcement_id, figures.sent, figures.failed, figures.gone
        ),
    };
    localize_digits(&text, lang)
}

pub fn stats(stats: &Stats, lang: Lang) -> String {
    let mut text = match lang {
        Lang::Fa => format!(
            "📊 آمار\nمشترکان فعال: {}\nلغو عضویت: {}\nدر دسترس نیستند: {}\nاطلاعیه‌ها: {}\nدر صف ارسال: {}",
            stats.active, stats.stopped, stats.gone, stats.statements, stats.queue_depth
        ),
        Lang::En => format!(
            "📊 Figures\nactive subscribers: {}\nunsubscribed: {}\nno longer reachable: {}\nstatements: {}\nqueued deliveries: {}",
            stats.active, stats.stopped, stats.gone, stats.statements, stats.queue_depth
        ),
    };
    if let Some(since) = stats.telegram_unreachable_since {
        let (date, time) = (format_date(since, lang), format_time(since));
        text.push_str(&match lang {
            Lang::Fa => format!(
                "\n⚠️ تلگرام از {date} ساعت {time} (به وقت تهران) در دسترس نیست؛ ارسال‌ها منتظر می‌مانند."
            ),
            Lang::En => format!(
                "\n⚠️ Telegram unreachable since {date} {time} (Tehran time); deliveries are waiting."
            ),
        });
    }
    if let Some(b) = &stats.broadcast {
        let rate = b.rate.unwrap_or(0.0);
        text.push_str(&match lang {
            Lang::Fa => format!(
                "\n\nآخرین ارسال: #{} «{}»\nفرستاده شد: {}، ناموفق: {}، در انتظار: {}، از دست رفته: {}\nسرعت: {rate:.1} پیام در ثانیه",
                b.announcement_id, escape(&b.title), b.sent, b.failed, b.pending, b.gone
            ),
            Lang::En => format!(
                "\n\nlast broadcast: #{} “{}”\nsent: {}, failed: {}, pending: {}, unreachable: {}\nrate: {rate:.1} messages/s",
                b.announcement_id, escape(&b.title), b.sent, b.failed, b.pending, b.gone
            ),
        });
        if let Some(error) = &b.last_error {
            text.push_str(&match lang {
                Lang::Fa => format!("\nآخرین خطا: {}", escape(error)),
                Lang::En => format!("\nlast error: {}", escape(error)),
            });
        }
    }
    localize_digits(&text, lang)
}

// ----- subscriber experience: paging, languages, settings (issue 5) -----

/// Button labels are plain text, and Telegram cuts long ones anyway; a glimpse is enough.
const BUTTON_TITLE_CHARS: usize = 28;

/// The button under a list that opens one statement: its number and the start of its title.
pub fn show_button(id: i64, title: &str, lang: Lang) -> String {
    let mut glimpse: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if glimpse.chars().count() > BUTTON_TITLE_CHARS {
        glimpse = glimpse.chars().take(BUTTON_TITLE_CHARS).collect::<String>() + "…";
    }
    localize_digits(&format!("#{id} {glimpse}"), lang)
}

/// An hour of the day on a button, `۲۲:۰۰` or `22:00`.
pub fn hour_button(hour: u8, lang: Lang) -> String {
    localize_digits(&format!("{hour:02}:00"), lang)
}

/// The settings message: what is chosen now.
pub fn settings_summary(settings: &SubscriberSettings, lang: Lang) -> String {
    let previews = match (settings.link_previews, lang) {
        (true, Lang::Fa) => "روشن",
        (false, Lang::Fa) => "خاموش",
        (true, Lang::En) => "on",
        (false, Lang::En) => "off",
    };
    let quiet = match (settings.quiet_hours, lang) {
        (None, Lang::Fa) => "ندارد".to_string(),
        (None, Lang::En) => "none".to_string(),
        (Some(q), Lang::Fa) => format!("از {:02}:۰۰ تا {:02}:۰۰ به وقت تهران", q.start(), q.end()),
        (Some(q), Lang::En) => format!("{:02}:00 to {:02}:00 Tehran time", q.start(), q.end()),
    };
    let text = match lang {
        Lang::Fa => {
            format!("⚙️ تنظیمات\nپیش‌نمایش پیوند: {previews}\nزبان: فارسی\nساعت‌های سکوت: {quiet}")
        }
        Lang::En => format!(
            "⚙️ Settings\nlink previews: {previews}\nlanguage: English\nquiet hours: {quiet}"
        ),
    };
    localize_digits(&text, lang)
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
    let text = match lang {
        Lang::Fa => format!("📚 اطلاعیه‌های سال {year}: ماهی را برگزینید."),
        Lang::En => format!("📚 Statements of {year}: choose a month."),
    };
    localize_digits(&text, lang)
}

/// The line above a month's statements.
pub fn archive_month_heading(month: JalaliMonth, lang: Lang) -> String {
    format!("📚 <b>{}</b>", escape(&month.label(lang)))
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

/// Feed errors can be long (a URL and a reason); a status line needs the gist.
const FEED_ERROR_CHARS: usize = 200;

fn short_error(error: &str) -> String {
    let mut short: String = error.chars().take(FEED_ERROR_CHARS).collect();
    if error.chars().count() > FEED_ERROR_CHARS {
        short.push('…');
    }
    escape(&short)
}

pub fn feed_list(feeds: &[FeedStatus], lang: Lang) -> String {
    if feeds.is_empty() {
        return phrase(Phrase::FeedsEmpty, lang).to_string();
    }
    let mut out = String::from(match lang {
        Lang::Fa => "📡 خوراک‌ها",
        Lang::En => "📡 Feeds",
    });
    for feed in feeds {
        out.push_str(&format!(
            "\n\n{}. {}",
            number(feed.id, lang),
            escape(&feed.url)
        ));
        if let Some(found) = &feed.feed_url {
            out.push_str(&match lang {
                Lang::Fa => format!("\nخوراک: {}", escape(found)),
                Lang::En => format!("\nfeed: {}", escape(found)),
            });
        }
        out.push_str(&match (&feed.health, lang) {
            (FeedHealth::Waiting, Lang::Fa) => "\nوضعیت: در انتظار نخستین دریافت".to_string(),
            (FeedHealth::Waiting, Lang::En) => "\nstate: waiting for the first fetch".to_string(),
            (FeedHealth::Ok, Lang::Fa) => "\nوضعیت: سالم".to_string(),
            (FeedHealth::Ok, Lang::En) => "\nstate: ok".to_string(),
            (FeedHealth::Failing { failures, error }, Lang::Fa) => format!(
                "\nوضعیت: {} بار پیاپی ناموفق — {}",
                number(*failures, lang),
                short_error(error)
            ),
            (FeedHealth::Failing { failures, error }, Lang::En) => format!(
                "\nstate: failed {failures} times in a row — {}",
                short_error(error)
            ),
        });
        if feed.skipped_entries > 0 {
            let skipped = number(feed.skipped_entries, lang);
            out.push_str(&match lang {
                Lang::Fa => format!("\nمدخل‌های ناخوانای آخرین دریافت: {skipped}"),
                Lang::En => format!("\nunreadable entries skipped in the last fetch: {skipped}"),
            });
        }
        out.push_str(&match (feed.last_success, lang) {
            (Some(at), Lang::Fa) => format!("\nآخرین دریافت موفق: {}", moment(at, lang)),
            (Some(at), Lang::En) => format!("\nlast success: {}", moment(at, lang)),
            (None, Lang::Fa) => "\nآخرین دریافت موفق: هنوز نه".to_string(),
            (None, Lang::En) => "\nlast success: never".to_string(),
        });
    }
    out.push_str(match lang {
        Lang::Fa => "\n\nافزودن: /addfeed نشانی — حذف: /removefeed شماره",
        Lang::En => "\n\nadd: /addfeed url — remove: /removefeed id",
    });
    out
}

pub fn feed_added(id: i64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!(
            "خوراک {id} افزوده شد. نخستین دریافت فقط بایگانی می‌کند و چیزی نمی‌فرستد؛ از آن پس هر اطلاعیهٔ تازه برای مشترکان فرستاده می‌شود. وضعیت: /feeds"
        ),
        Lang::En => format!(
            "Feed {id} is added. Its first fetch only fills the archive and sends nothing; every new statement after that goes to subscribers. State: /feeds"
        ),
    };
    localize_digits(&text, lang)
}

pub fn feed_already_followed(id: i64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!("این نشانی پیش‌تر افزوده شده است (خوراک {id})."),
        Lang::En => format!("That address is already followed (feed {id})."),
    };
    localize_digits(&text, lang)
}

pub fn feed_removed(id: i64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!(
            "خوراک {id} دیگر دنبال نمی‌شود؛ اطلاعیه‌هایش در بایگانی می‌مانند. اگر در FEED_URLS است، با راه‌اندازی دوباره برمی‌گردد."
        ),
        Lang::En => format!(
            "Feed {id} is no longer followed; its statements stay in the archive. If it is in FEED_URLS, it comes back at the next start."
        ),
    };
    localize_digits(&text, lang)
}

pub fn feed_not_found(id: i64, lang: Lang) -> String {
    let text = match lang {
        Lang::Fa => format!("خوراکی با شمارهٔ {id} نیست. فهرست: /feeds"),
        Lang::En => format!("There is no feed number {id}. The list: /feeds"),
    };
    localize_digits(&text, lang)
}

/// What admins are told when a feed has been failing for long, and when it is back.
pub fn feed_notice(notice: &FeedNotice, lang: Lang) -> String {
    match (notice, lang) {
        (
            FeedNotice::Failing {
                id,
                url,
                since,
                error,
            },
            Lang::Fa,
        ) => format!(
            "⚠️ خوراک {} ({}) از {} دریافت نمی‌شود.\nآخرین خطا: {}\nجارچی با فاصلهٔ بیشتر دوباره تلاش می‌کند و پس از بازگشت خبر می‌دهد.",
            number(*id, lang),
            escape(url),
            moment(*since, lang),
            short_error(error)
        ),
        (
            FeedNotice::Failing {
                id,
                url,
                since,
                error,
            },
            Lang::En,
        ) => format!(
            "⚠️ Feed {id} ({}) has been failing since {}.\nlast error: {}\nJarchi keeps trying, less often, and will tell you when it is back.",
            escape(url),
            moment(*since, lang),
            short_error(error)
        ),
        (FeedNotice::Recovered { id, url }, Lang::Fa) => {
            format!(
                "✅ خوراک {} ({}) دوباره دریافت می‌شود.",
                number(*id, lang),
                escape(url)
            )
        }
        (FeedNotice::Recovered { id, url }, Lang::En) => {
            format!("✅ Feed {id} ({}) is back.", escape(url))
        }
        (FeedNotice::Held(held), lang) => held_notice(held, lang),
    }
}

/// Titles a held-statements notice lists, and how much of each: the notice must stay one
/// message however many items a hacked site pours out.
const HELD_TITLES_SHOWN: usize = 20;
const HELD_TITLE_CHARS: usize = 90;

fn held_notice(held: &HeldStatements, lang: Lang) -> String {
    let count = held.titles.len();
    let total = i64::try_from(count + held.broadcast).unwrap_or(i64::MAX);
    let count_i = i64::try_from(count).unwrap_or(i64::MAX);
    let broadcast = i64::try_from(held.broadcast).unwrap_or(i64::MAX);
    let mut out = match lang {
        Lang::Fa => format!(
            "⏸ خوراک {} ({}) یک‌باره {} اطلاعیهٔ تازه آورد. {} اطلاعیهٔ تازه‌تر فرستاده شد و این {} اطلاعیه فقط بایگانی شد:",
            number(held.feed_id, lang),
            escape(&held.feed_url),
            number(total, lang),
            number(broadcast, lang),
            number(count_i, lang)
        ),
        Lang::En => format!(
            "⏸ Feed {} ({}) brought {total} new statements at once. The newest {broadcast} went out; these {count} were only archived:",
            held.feed_id,
            escape(&held.feed_url)
        ),
    };
    for title in held.titles.iter().take(HELD_TITLES_SHOWN) {
        let mut short: String = title.chars().take(HELD_TITLE_CHARS).collect();
        if title.chars().count() > HELD_TITLE_CHARS {
            short.push('…');
        }
        out.push_str("\n• ");
        out.push_str(&escape(&short));
    }
    if count > HELD_TITLES_SHOWN {
        let more = i64::try_from(count - HELD_TITLES_SHOWN).unwrap_or(i64::MAX);
        out.push_str(&match lang {
            Lang::Fa => format!("\n… و {} اطلاعیهٔ دیگر", number(more, lang)),
            Lang::En => format!("\n… and {more} more"),
        });
    }
    out.push_str(match lang {
        Lang::Fa => "\n\nاگر سایت به‌راستی این‌ها را منتشر کرده، با دکمهٔ زیر برای همهٔ مشترکان بفرستید؛ وگرنه کاری لازم نیست.",
        Lang::En => "\n\nIf the site really published them, broadcast them with the button below; otherwise there is nothing to do.",
    });
    out
}

/// Lines under `/feeds` for holds nobody has released, each with its button below.
pub fn waiting_holds(holds: &[WaitingHold], lang: Lang) -> String {
    let mut out = String::new();
    for hold in holds {
        out.push_str(&match lang {
            Lang::Fa => format!(
                "\n\n⏸ نگه‌داشته {}: {} اطلاعیه از خوراک {}، از {}",
                number(hold.hold_id, lang),
                number(hold.statements, lang),
                number(hold.feed_id, lang),
                moment(hold.since, lang)
            ),
            Lang::En => format!(
                "\n\n⏸ hold {}: {} statements from feed {}, since {}",
                hold.hold_id,
                hold.statements,
                hold.feed_id,
                moment(hold.since, lang)
            ),
        });
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
    let text = match lang {
        Lang::Fa => format!(
            "📣 {statements} اطلاعیهٔ نگه‌داشته برای ارسال در صف قرار گرفت ({deliveries} پیام)."
        ),
        Lang::En => format!(
            "📣 {statements} held statements are queued for broadcast ({deliveries} messages)."
        ),
    };
    localize_digits(&text, lang)
}

/// A notice (as the admin's client shows it: plain text) with the answer to its button
/// under it.
pub fn answered_notice(notice_text: &str, answer_html: &str) -> String {
    format!("{}\n\n{answer_html}", escape(notice_text))
}

/// Why `/addfeed` did not take an address. The reason is the operator's wording, in English.
pub fn feed_refused(refusal: &FeedRefusal, lang: Lang) -> String {
    match lang {
        Lang::Fa => format!("این نشانی پذیرفته نشد: {}", escape(&refusal.to_string())),
        Lang::En => format!("That address is refused: {}", escape(&refusal.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_list_the_same_commands_in_both_languages() {
        let fa: Vec<_> = command_menu(Lang::Fa).into_iter().map(|(c, _)| c).collect();
        let en: Vec<_> = command_menu(Lang::En).into_iter().map(|(c, _)| c).collect();
        assert_eq!(fa, en);
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
