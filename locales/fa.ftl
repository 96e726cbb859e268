### فارسی: زبان سازمان، و زبان هر کسی که تلگرامش فارسی است.
###
### Persian, the organisation's language. Every message is Telegram HTML: write &amp; &lt; &gt;
### for & < >. Variables ({ $name }) arrive escaped and, where the reader expects them, in
### Persian digits. The same message ids, with the same variables, must exist in every file.

## The command menu and /help: one message per command; its value is the menu's line.
## Plain text (Telegram's menu shows it as typed). .usage names the arguments and .help, where
## the menu's line is too short, is the line of the admins' /help.

command-start = عضویت و دریافت اطلاعیه‌ها
command-stop = لغو عضویت و پاک کردن داده‌ها
command-latest = آخرین اطلاعیه‌ها
command-search = جست‌وجو در اطلاعیه‌ها؛ با ماه: /search خرداد ۱۳۹۶
command-archive = بایگانی به ترتیب سال و ماه
command-show = متن کامل یک اطلاعیه
command-settings = تنظیمات: پیش‌نمایش، زبان، ساعت‌های سکوت
command-lang = تغییر زبان: /lang fa یا /lang en
command-help = راهنما
command-post = انتشار اطلاعیه
    .help = انتشار اطلاعیه (بی‌متن: گام‌به‌گام با پیش‌نمایش؛ یا در سطر اول عنوان، سپس متن و در سطر آخر نشانی)
command-edit = ویرایش اطلاعیه
    .usage = شماره
    .help = ویرایش اطلاعیه و نسخه‌های فرستاده‌شده
command-delete = حذف اطلاعیه
    .usage = شماره
    .help = حذف اطلاعیه و نسخه‌های فرستاده‌شده
command-stats = آمار
command-cancel = انصراف از پیش‌نویس
command-skip = ادامه بدون پیوند
    .help = ادامهٔ گفت‌وگوی /post بدون پیوند «ادامه مطلب»
command-feeds = خوراک‌ها و وضعیتشان
command-addfeed = افزودن خوراک یا سایت
    .usage = نشانی
command-removefeed = حذف خوراک
    .usage = شماره

## Subscribing and reading

welcome =
    به جارچی خوش آمدید! از این پس اطلاعیه‌های تازه همین‌جا به دستتان می‌رسد.

    آخرین اطلاعیه‌ها: /latest
    جست‌وجو: /search
    راهنما: /help
already-subscribed = شما پیش‌تر عضو شده‌اید و اطلاعیه‌های تازه را دریافت می‌کنید. برای لغو عضویت /stop را بفرستید.
stopped = عضویت شما لغو شد و آنچه از این گفتگو نگه داشته بودیم پاک شد. هر وقت خواستید با /start برگردید.
not-subscribed = شما عضو نیستید و چیزی از این گفتگو نزد ما نیست. برای عضویت /start را بفرستید.
latest-empty = هنوز اطلاعیه‌ای در بایگانی نیست.
latest-usage = تعداد را با عدد بنویسید، مثلاً /latest 3 (حداکثر ۱۰).
search-usage =
    پس از /search کلمه‌ای بنویسید، مثلاً:
    /search اعتصاب
search-no-terms = در جست‌وجوی شما کلمه‌ای نبود. لطفاً دست‌کم یک کلمه بنویسید.
show-usage = شمارهٔ اطلاعیه را بنویسید، مثلاً /show 12. شماره کنار هر اطلاعیه با # آمده است.
unknown-command = این فرمان را نمی‌شناسم. فهرست فرمان‌ها: /help
something-went-wrong = متأسفیم، مشکلی پیش آمد. لطفاً کمی بعد دوباره امتحان کنید.
help-intro = جارچی اطلاعیه‌های تازه را به شما می‌رساند و بایگانی آن‌ها را در دسترستان می‌گذارد.
admin-help = فرمان‌های مدیران:
admin-only = این فرمان ویژهٔ مدیران است.

## /post, /edit and /delete

post-ask-title = عنوان اطلاعیه را بفرستید. (انصراف: /cancel)
post-ask-body = حالا متن اطلاعیه را بفرستید.
post-ask-link = نشانی «ادامه مطلب» را بفرستید، یا اگر پیوندی ندارد /skip را.
post-bad-link = این نشانی پذیرفته نیست؛ باید با http:// یا https:// آغاز شود. دوباره بفرستید یا /skip.
post-empty-text = پیام خالی بود. لطفاً متن بفرستید.
post-confirm = ☝️ پیش‌نمایش: مشترکان اطلاعیه را همین‌گونه خواهند دید. بفرستم؟
post-cancelled = پیش‌نویس کنار گذاشته شد؛ چیزی فرستاده نشد.
nothing-to-cancel = پیش‌نویسی در کار نیست.
draft-gone = این پیش‌نویس دیگر در دسترس نیست.
button-send = ✅ ارسال
button-cancel = ✖️ انصراف
edit-usage =
    چنین بنویسید:
    /edit شماره
    عنوان
    متن
    https://نشانی (اختیاری)
delete-usage = شمارهٔ اطلاعیه را بنویسید، مثلاً /delete 12

## Paging, languages and settings

button-previous = ◀ قبلی
button-next = بعدی ▶
page-gone = این فهرست کهنه شده است؛ دوباره /latest یا /search را بفرستید.
button-unknown = این دکمه دیگر کار نمی‌کند.
statement-gone = این اطلاعیه دیگر در بایگانی نیست.
lang-usage = زبان را انتخاب کنید: /lang fa برای فارسی، /lang en برای انگلیسی.
lang-changed = از این پس به فارسی با شما سخن می‌گویم.
settings-need-subscription = تنظیمات برای مشترکان است. نخست با /start عضو شوید.
button-previews-on = 🔗 پیش‌نمایش پیوند: روشن
button-previews-off = 🔗 پیش‌نمایش پیوند: خاموش
button-language = 🌐 زبان: فارسی
button-quiet-hours = 🌙 ساعت‌های سکوت
button-no-quiet-hours = بدون ساعت سکوت
button-back = بازگشت
quiet-ask-start = 🌙 از چه ساعتی (به وقت تهران) اطلاعیه‌ها نرسند؟ آنچه در این ساعت‌ها منتشر شود، پس از پایانشان می‌رسد.
quiet-ask-end = 🌙 تا چه ساعتی (به وقت تهران)؟
settings-saved = ذخیره شد.

## Feeds

feeds-empty = هیچ خوراکی دنبال نمی‌شود. با /addfeed نشانی خوراک یا صفحهٔ سایت را بدهید.
add-feed-usage =
    نشانی خوراک یا صفحهٔ سایت را بنویسید، مثلاً:
    /addfeed https://example.org/feed/
remove-feed-usage = شمارهٔ خوراک را از /feeds بنویسید، مثلاً /removefeed 2
button-release-hold = 📣 برای همه بفرست
hold-already-released = این اطلاعیه‌ها پیش‌تر فرستاده شده‌اند.
hold-not-found = این دکمه دیگر به چیزی اشاره نمی‌کند.

## Fair use

slow-down = کمی آهسته‌تر لطفاً: پیام‌های پشت‌سرهم شما تا چند ثانیهٔ دیگر بی‌پاسخ می‌مانند.
group-admins-only = در گروه، فقط مدیران گروه می‌توانند این کار را بکنند.

## The archive by the calendar

archive-choose-year = 📚 بایگانی اطلاعیه‌ها: سالی را برگزینید.

## Answers with details

search-no-results = برای «{ $query }» اطلاعیه‌ای پیدا نشد. کلمهٔ دیگری را امتحان کنید.
show-not-found = اطلاعیه‌ای با شمارهٔ { $id } پیدا نشد.
published = اطلاعیهٔ #{ $id } منتشر شد و برای { $recipients } مشترک در صف ارسال است.
already-published = این پیام پیش‌تر منتشر شده است (#{ $id })؛ دوباره فرستاده نشد.
revised = اطلاعیهٔ #{ $id } ویرایش شد؛ { $copies } نسخهٔ فرستاده‌شده هم ویرایش می‌شود.
retracted = اطلاعیهٔ #{ $id } از بایگانی حذف شد؛ { $copies } نسخهٔ فرستاده‌شده هم تا جایی که تلگرام اجازه دهد پاک می‌شود.
broadcast-report =
    📣 گزارش ارسال اطلاعیهٔ #{ $id } «{ $title }»
    فرستاده شد: { $sent }
    ناموفق: { $failed }
    مشترکانی که دیگر در دسترس نیستند: { $gone }
    زمان: { $seconds } ثانیه ({ $rate } پیام در ثانیه)

## /stats

stats =
    📊 آمار
    مشترکان فعال: { $active }
    لغو عضویت: { $stopped }
    در دسترس نیستند: { $gone }
    اطلاعیه‌ها: { $statements }
    در صف ارسال: { $queued }
stats-telegram-unreachable = ⚠️ تلگرام از { $date } ساعت { $time } (به وقت تهران) در دسترس نیست؛ ارسال‌ها منتظر می‌مانند.
stats-last-broadcast =
    آخرین ارسال: #{ $id } «{ $title }»
    فرستاده شد: { $sent }، ناموفق: { $failed }، در انتظار: { $pending }، از دست رفته: { $gone }
    سرعت: { $rate } پیام در ثانیه
stats-last-error = آخرین خطا: { $error }

## /settings

settings-summary =
    ⚙️ تنظیمات
    پیش‌نمایش پیوند: { $previews ->
        [on] روشن
       *[off] خاموش
    }
    زبان: فارسی
    ساعت‌های سکوت: { $quiet ->
        [yes] از { $start }:۰۰ تا { $end }:۰۰ به وقت تهران
       *[no] ندارد
    }
    دریافت: { $digest ->
        [yes] یک خلاصه در روز، ساعت { $hour }:۰۰ به وقت تهران
       *[no] هر اطلاعیه همان وقت که می‌رسد
    }

## /archive

archive-year-heading = 📚 اطلاعیه‌های سال { $year }: ماهی را برگزینید.
archive-month-heading = 📚 <b>{ $month }</b>

## Feeds, for admins

feed-list-heading = 📡 خوراک‌ها
feed-list-feed = { $id }. { $url }
feed-list-found = خوراک: { $url }
feed-list-state = وضعیت: { $state ->
        [waiting] در انتظار نخستین دریافت
        [ok] سالم
       *[failing] { $failures } بار پیاپی ناموفق — { $error }
    }
feed-list-skipped = مدخل‌های ناخوانای آخرین دریافت: { $skipped }
feed-list-last-success = آخرین دریافت موفق: { $when }
feed-list-never-succeeded = آخرین دریافت موفق: هنوز نه
feed-list-footer = افزودن: /addfeed نشانی — حذف: /removefeed شماره
feed-added = خوراک { $id } افزوده شد. نخستین دریافت فقط بایگانی می‌کند و چیزی نمی‌فرستد؛ از آن پس هر اطلاعیهٔ تازه برای مشترکان فرستاده می‌شود. وضعیت: /feeds
feed-already-followed = این نشانی پیش‌تر افزوده شده است (خوراک { $id }).
feed-removed = خوراک { $id } دیگر دنبال نمی‌شود؛ اطلاعیه‌هایش در بایگانی می‌مانند. اگر در FEED_URLS است، با راه‌اندازی دوباره برمی‌گردد.
feed-not-found = خوراکی با شمارهٔ { $id } نیست. فهرست: /feeds
feed-refused = این نشانی پذیرفته نشد: { $reason }
feed-failing =
    ⚠️ خوراک { $id } ({ $url }) از { $since } دریافت نمی‌شود.
    آخرین خطا: { $error }
    جارچی با فاصلهٔ بیشتر دوباره تلاش می‌کند و پس از بازگشت خبر می‌دهد.
feed-recovered = ✅ خوراک { $id } ({ $url }) دوباره دریافت می‌شود.
held-notice = ⏸ خوراک { $feed } ({ $url }) یک‌باره { $total } اطلاعیهٔ تازه آورد. { $broadcast } اطلاعیهٔ تازه‌تر فرستاده شد و این { $held } اطلاعیه فقط بایگانی شد:
held-title = • { $title }
held-more = … و { $more } اطلاعیهٔ دیگر
held-advice = اگر سایت به‌راستی این‌ها را منتشر کرده، با دکمهٔ زیر برای همهٔ مشترکان بفرستید؛ وگرنه کاری لازم نیست.
waiting-hold = ⏸ نگه‌داشته { $hold }: { $statements } اطلاعیه از خوراک { $feed }، از { $since }
hold-released = 📣 { $statements } اطلاعیهٔ نگه‌داشته برای ارسال در صف قرار گرفت ({ $deliveries } پیام).

# ---- publishing as the staff publish: formatting and forwards (issue 12) ----
forward-media-later = این گونه پیام را نمی‌توان منتشر کرد: متن، یا عکس، ویدیو، گیف، صدا، پیام صوتی یا سند را با زیرنویسش بازارسال کنید.

## A second pair of eyes, and the audit trail (issue 12: approvals)

command-audit = ۲۰ کار آخر مدیران
button-approve = ✅ تأیید
button-withdraw = ↩️ پس گرفتن
approval-no-other-admin = با PUBLISH_APPROVALS=2 مدیر دیگری از ADMIN_IDS باید تأیید کند، ولی مدیر دیگری نیست؛ کاری انجام نشد.
approval-own-request = این درخواست خودتان است؛ مدیر دیگری باید آن را تأیید کند.
approval-not-author = فقط مدیری که درخواست داده می‌تواند آن را پس بگیرد.
approval-already-approved = پیش‌تر تأیید شده است؛ کار دیگری انجام نمی‌شود.
approval-already-withdrawn = نویسنده آن را پس گرفته است؛ کاری انجام نمی‌شود.
approval-not-found = چنین درخواستی نیست.
audit-empty = هنوز کاری در دفتر مدیران ثبت نشده است.
approval-requested = ⏳ درخواست { $request }: { $action ->
        [publish] این اطلاعیه
        [edit] این ویرایش اطلاعیهٔ #{ $id }
       *[delete] حذف اطلاعیهٔ #{ $id }
    } تنها با تأیید مدیری دیگر انجام می‌شود. پیش‌نمایش برای مدیران دیگر فرستاده شد.
approval-asked = 👀 { $author } می‌خواهد { $action ->
        [publish] اطلاعیهٔ بالا را منتشر کند
        [edit] اطلاعیهٔ #{ $id } را با متن بالا جایگزین کند
       *[delete] اطلاعیهٔ #{ $id } «{ $title }» را حذف کند
    } (درخواست { $request }). این کار تنها با تأیید مدیری دیگر انجام می‌شود.
approval-approved = ✅ درخواست { $request } را { $approver } تأیید کرد.
approval-withdrawn = ↩️ درخواست { $request } را نویسنده‌اش پس گرفت؛ کاری انجام نشد.
audit-heading = 🧾 آخرین کارهای مدیران، تازه‌ترین در بالا:
audit-line = { $when } · مدیر { $admin } · { $action ->
        [publish] انتشار
        [edit] ویرایش
        [delete] حذف
        [approve] تأیید
        [withdraw] پس گرفتن درخواست
       *[release] انتشار اطلاعیه‌های نگه‌داشته‌شدهٔ خوراک
    } { $statement }

## Schedule: "Send later" and /scheduled (issue 12)

command-scheduled = اطلاعیه‌هایی که برای بعد زمان‌بندی شده‌اند
button-send-later = ⏰ ارسال در زمانی دیگر
schedule-ask-when =
    ⏰ کی فرستاده شود؟ زمان را به وقت تهران بنویسید، مثلاً:
    ۱۸:۳۰ (امروز، یا فردا اگر گذشته باشد)
    فردا ۹ یا فردا ۹:۳۰
    ۱۴۰۵/۰۹/۱۰ ۰۸:۰۰
    2026-12-01T08:00
    برای کنار گذاشتن: /cancel
schedule-unreadable =
    این زمان را نتوانستم بخوانم. نمونه‌ها:
    ۱۸:۳۰ — فردا ۹ — ۱۴۰۵/۰۹/۱۰ ۰۸:۰۰ — 2026-12-01T08:00
    برای کنار گذاشتن: /cancel
schedule-past = این زمان گذشته است؛ زمانی در آینده بنویسید.
schedule-too-far = این زمان بیش از یک سال دیگر است؛ زمانی تا یک سال آینده بنویسید.
scheduled-for = ⏰ زمان‌بندی شد: { $date } ساعت { $time } به وقت تهران فرستاده می‌شود (شمارهٔ زمان‌بندی { $id }). فهرست: /scheduled
scheduled-empty = اطلاعیه‌ای برای بعد زمان‌بندی نشده است.
scheduled-heading = ⏰ اطلاعیه‌های زمان‌بندی‌شده (به وقت تهران):
scheduled-item = { $id }. { $date } ساعت { $time } — { $title }
button-cancel-schedule = ✖️ لغو { $id }
schedule-cancelled = زمان‌بندی { $id } لغو شد؛ چیزی فرستاده نشد.
schedule-gone = این زمان‌بندی دیگر در انتظار نیست (فرستاده یا لغو شده است).
published-late = ⏰ اطلاعیهٔ #{ $id } «{ $title }» قرار بود { $date } ساعت { $due } به وقت تهران فرستاده شود، اما دیرتر، ساعت { $time }، رفت: جارچی در آن زمان در حال اجرا نبود.

## Readers: the whole statement, sharing, the daily digest (issue 13)

button-full-text = 📖 متن کامل
button-full-text-on-site = 🌐 متن کامل در سایت
button-share = ↗️ هم‌رسانی
button-digest = 🗞 خلاصهٔ روزانه
button-each-as-it-comes = هر اطلاعیه همان وقت که می‌رسد
digest-ask-hour = 🗞 اطلاعیه‌های روز در یک پیام، چه ساعتی (به وقت تهران) برسند؟ یا هر کدام همان وقت که می‌رسد:
digest-heading = 🗞 <b>خلاصهٔ روزانهٔ شما</b>: { $count } اطلاعیه. برای خواندن هر کدام، دکمه‌اش را بزنید.
digest-item = • <b>{ $title }</b> — { $date } · #{ $id }
## media-intake (issue 12): "Send later" with a second pair of eyes
approval-due = ⏰ پس از تأیید، نگه داشته می‌شود تا { $date } ساعت { $time } به وقت تهران فرستاده شود.

## media-intake (issue 12): files in the guided /post, albums, media forwards
button-add-file = 📎 افزودن یا تغییر پرونده
post-ask-attachment =
    📎 پرونده را بفرستید: عکس، ویدیو، گیف، صدا، پیام صوتی یا سند (PDF)، یا آلبومی از ۲ تا ۱۰ عکس و ویدیو که با هم فرستاده شوند. زیرنویس آن به کار نمی‌رود و متن همان می‌ماند.
    برای ادامه بدون پرونده: /skip
post-files-refused = این پرونده‌ها با هم فرستاده نمی‌شوند: یک آلبوم ۲ تا ۱۰ عکس و ویدیو دارد، یا فقط صدا، یا فقط سند. دوباره بفرستید، یا /skip.

## Topics (issue 13)

command-topics = موضوع‌ها: افزودن، تغییر نام، حذف
    .usage = [add نامک نام‌فارسی | نام‌انگلیسی]
    .help = فهرست موضوع‌ها با دکمه‌هایشان؛ /topics add نامک نام‌فارسی | نام‌انگلیسی یکی می‌افزاید و /topics rename نامک نام‌فارسی | نام‌انگلیسی نامش را عوض می‌کند
command-feedtopic = موضوع یک خوراک یا یک دسته
    .usage = خوراک موضوع | خوراک دسته موضوع
    .help = مطالب خوراک به کجا بروند: /feedtopic 1 news (موضوع پیش‌فرض خوراک)، /feedtopic 1 sport news (مطالب دستهٔ «sport» به news)، /feedtopic 1 sport - (برداشتن این نگاشت)
button-topics = 🗂 موضوع‌ها
button-all-topics = همهٔ موضوع‌ها، و آن‌ها که بعداً اضافه شوند
topic-choice =
    🗂 موضوع‌های شما: { $all ->
        [yes] همه، و هر موضوعی که بعداً اضافه شود
       *[no] فقط آن‌هایی که پایین تیک خورده‌اند
    }
    برای روشن یا خاموش کردن هر کدام بزنید.
topics-heading = 🗂 موضوع‌ها (نامک — نام فارسی / نام انگلیسی):
topics-line = • <code>{ $slug }</code> — { $fa } / { $en }
topics-usage = با دکمه یا این فرمان یکی بیفزایید: <code>/topics add news اخبار | News</code>
topic-add-how =
    برای افزودن موضوع این را بفرستید (با یک لمس کپی می‌شود؛ سپس تغییرش دهید):
    <code>/topics add news اخبار | News</code>
    نامک (این‌جا news) واژه‌ای کوتاه با حروف لاتین است: a-z، رقم، - و _. سپس نام فارسی، یک خط |، و نام انگلیسی.
button-topic-add = ➕ افزودن موضوع
button-topic-rename = ✏️ { $name }
button-topic-remove = 🗑 { $name }
button-topic-move = ➡️ { $name }
topic-rename-how =
    برای تغییر نام این را بفرستید (با یک لمس کپی می‌شود؛ سپس نام‌ها را عوض کنید):
    <code>/topics rename { $slug } { $fa } | { $en }</code>
topic-added = موضوع «{ $name }» (<code>{ $slug }</code>) افزوده شد. مشترکانی که همهٔ موضوع‌ها را دارند از این پس آن را هم می‌گیرند.
topic-renamed = نام تازه: { $fa } / { $en }
topic-bad-slug = نامک از ۱ تا ۲۴ نویسهٔ a-z، 0-9، - و _ است و با یک حرف آغاز می‌شود؛ مثلاً <code>news</code>.
topic-bad-name = هر دو نام را بدهید، اول فارسی و سپس انگلیسی، با خط | میانشان، هر کدام تا ۴۰ نویسه: <code>/topics add news اخبار | News</code>
topic-slug-taken = موضوعی با این نامک هست؛ فهرست: /topics
topic-default-stays = این موضوع پیش‌فرض است: اطلاعیه‌هایی که موضوع دیگری ندارند در آن‌اند. نامش را می‌شود عوض کرد، ولی حذفش نه.
topic-gone = این موضوع دیگر نیست؛ فهرست: /topics
topic-remove-ask = «{ $name }» حذف شود؟ { $statements } اطلاعیهٔ آن به موضوعی می‌رود که پایین برمی‌گزینید، و مشترکانی که این موضوع را برگزیده بودند از این پس آن موضوع را می‌گیرند.
topic-removed = موضوع <code>{ $slug }</code> حذف شد؛ { $moved } اطلاعیه به «{ $name }» رفت.
post-topic = 🗂 موضوع: { $name } (برای تغییر، موضوع دیگری را بزنید)
post-unknown-topic = موضوعی به نام «{ $word }» نیست. موضوع‌ها: { $topics }. چیزی منتشر نشد.
stats-topics-heading = 🗂 به تفکیک موضوع (مشترکان · اطلاعیه‌های ۳۰ روز):
stats-topic = { $name }: { $subscribers } · { $statements }
stats-topic-digest = {" "}· خلاصه: { $digest }
stats-held = از آخرین ارسال، { $percent }٪ ({ $held } از { $recipients }) منتظر پایان ساعت‌های سکوت یا خلاصهٔ روزانه ماند.
feed-topics-heading = 🗂 موضوع خوراک‌ها:
feed-topics-default = خوراک { $id }: همه به «{ $name }»
feed-topics-category = خوراک { $id }: دستهٔ «{ $category }» به «{ $name }»
feed-topic-usage =
    برای نمونه:
    /feedtopic 1 news — مطالب خوراک به موضوع news می‌روند
    /feedtopic 1 sport news — مطالب دستهٔ «sport» آن به news می‌روند
    /feedtopic 1 sport - — برداشتن این نگاشت
feed-topic-not-found = چنین خوراک یا موضوعی نیست؛ فهرست‌ها: /feeds و /topics
feed-topic-set = خوراک { $id }: مطالبش به «{ $name }» می‌روند.
feed-topic-mapped = خوراک { $id }: مطالب دستهٔ «{ $category }» به «{ $name }» می‌روند.
feed-topic-unmapped = خوراک { $id }: دستهٔ «{ $category }» دیگر نگاشته نیست.
latest-unknown-topic = موضوعی به نام «{ $word }» نیست. موضوع‌ها: { $topics }. برای نمونه /latest 3، یا برای یک موضوع /latest 3 news
