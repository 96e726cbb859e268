### English, for followers whose Telegram is set to any language but Persian.
###
### Every message is Telegram HTML: write &amp; &lt; &gt; for & < >. Variables ({ $name })
### arrive escaped and, where the reader expects them, in the reader's digits.
### The same message ids, with the same variables, must exist in every file of locales/.

## The command menu and /help: one message per command; its value is the menu's line.
## Plain text (Telegram's menu shows it as typed). .usage names the arguments and .help, where
## the menu's line is too short, is the line of the admins' /help.

command-start = Subscribe to new statements
command-stop = Unsubscribe and erase your data
command-latest = The latest statements
command-search = Search the statements; by month: /search khordad 1396
command-archive = Browse the archive by year and month
command-show = Show a whole statement
command-settings = Settings: previews, language, quiet hours
command-lang = Change language: /lang fa or /lang en
command-help = Help
command-post = Publish a statement
    .help = Publish a statement (alone: step by step with a preview; or the title on the first line, then the text, then the link on the last line)
command-edit = Revise a statement
    .usage = id
    .help = Revise a statement and its delivered copies
command-delete = Delete a statement
    .usage = id
    .help = Delete a statement and its delivered copies
command-stats = Figures
command-cancel = Discard the draft
command-skip = Go on without a link
    .help = Go on without a read-more link in the /post dialogue
command-feeds = Feeds and their state
command-addfeed = Follow a feed or a site
    .usage = url
command-removefeed = Stop following a feed
    .usage = id

## Subscribing and reading

welcome =
    Welcome to Jarchi! New statements will reach you here from now on.

    Latest statements: /latest
    Search: /search
    Help: /help
already-subscribed = You are already subscribed and will receive new statements. Send /stop to unsubscribe.
stopped = You are unsubscribed, and what we kept about this chat has been erased. Send /start whenever you want to come back.
not-subscribed = You are not subscribed, and we keep nothing about this chat. Send /start to subscribe.
latest-empty = There are no statements in the archive yet.
latest-usage = Give the number as digits, for example /latest 3 (at most 10).
search-usage =
    Write a word after /search, for example:
    /search strike
search-no-terms = Your search has no words in it. Please type at least one word.
show-usage = Give the statement's number, for example /show 12. Each statement shows its number after #.
unknown-command = I don't know that command. The list of commands: /help
something-went-wrong = Sorry, something went wrong. Please try again in a little while.
help-intro = Jarchi brings you new statements as they are published, and keeps their archive at hand.
admin-help = Admin commands:
admin-only = Sorry, this command is for admins only.

## /post, /edit and /delete

post-ask-title = Send the statement's title. (/cancel to stop)
post-ask-body = Now send the text of the statement.
post-ask-link = Send the read-more link, or /skip if there is none.
post-bad-link = That is not a link I can use; it must start with http:// or https://. Send it again, or /skip.
post-empty-text = That message had no text. Please send text.
post-confirm = ☝️ Preview: this is how subscribers will see it. Send it?
post-cancelled = Draft discarded; nothing was sent.
nothing-to-cancel = There is no draft to cancel.
draft-gone = This draft is no longer there.
button-send = ✅ Send
button-cancel = ✖️ Cancel
edit-usage =
    Write it like this:
    /edit id
    title
    text
    https://link (optional)
delete-usage = Give the statement's number, for example /delete 12

## Paging, languages and settings

button-previous = ◀ Previous
button-next = Next ▶
page-gone = This list is out of date; send /latest or /search again.
button-unknown = This button no longer works.
statement-gone = This statement is no longer in the archive.
lang-usage = Choose a language: /lang fa for Persian, /lang en for English.
lang-changed = From now on I will speak English with you.
settings-need-subscription = Settings are for subscribers. Send /start to subscribe first.
button-previews-on = 🔗 Link previews: on
button-previews-off = 🔗 Link previews: off
button-language = 🌐 Language: English
button-quiet-hours = 🌙 Quiet hours
button-no-quiet-hours = No quiet hours
button-back = Back
quiet-ask-start = 🌙 From what hour (Tehran time) should statements wait? What is published meanwhile arrives when the quiet hours end.
quiet-ask-end = 🌙 Until what hour (Tehran time)?
settings-saved = Saved.

## Feeds

feeds-empty = No feed is followed. Give a feed or the site's address with /addfeed.
add-feed-usage =
    Give the feed's or the site's address, for example:
    /addfeed https://example.org/feed/
remove-feed-usage = Give the feed's number from /feeds, for example /removefeed 2
button-release-hold = 📣 Broadcast them
hold-already-released = These statements were already broadcast.
hold-not-found = This button no longer leads anywhere.

## Fair use

slow-down = A little slower, please: your next messages go unanswered for a few seconds.
group-admins-only = In a group, only the group's administrators can do this.

## The archive by the calendar

archive-choose-year = 📚 The archive of statements: choose a year (Solar Hijri).

## Answers with details

search-no-results = No statement matches “{ $query }”. Try another word.
show-not-found = There is no statement number { $id }.
published = Statement #{ $id } is published and queued for { $recipients } subscribers.
already-published = This was published before (#{ $id }); nothing was sent again.
revised = Statement #{ $id } is revised; { $copies } delivered copies will be edited.
retracted = Statement #{ $id } is removed from the archive; { $copies } delivered copies will be deleted where Telegram still allows.
broadcast-report =
    📣 Broadcast of #{ $id } “{ $title }” finished
    sent: { $sent }
    failed: { $failed }
    no longer reachable: { $gone }
    time: { $seconds } s ({ $rate } messages/s)

## /stats

stats =
    📊 Figures
    active subscribers: { $active }
    unsubscribed: { $stopped }
    no longer reachable: { $gone }
    statements: { $statements }
    queued deliveries: { $queued }
stats-telegram-unreachable = ⚠️ Telegram unreachable since { $date } { $time } (Tehran time); deliveries are waiting.
stats-last-broadcast =
    last broadcast: #{ $id } “{ $title }”
    sent: { $sent }, failed: { $failed }, pending: { $pending }, unreachable: { $gone }
    rate: { $rate } messages/s
stats-last-error = last error: { $error }

## /settings

settings-summary =
    ⚙️ Settings
    link previews: { $previews ->
        [on] on
       *[off] off
    }
    language: English
    quiet hours: { $quiet ->
        [yes] { $start }:00 to { $end }:00 Tehran time
       *[no] none
    }
    delivery: { $digest ->
        [yes] one digest a day at { $hour }:00 Tehran time
       *[no] each statement as it comes
    }

## /archive

archive-year-heading = 📚 Statements of { $year }: choose a month.
archive-month-heading = 📚 <b>{ $month }</b>

## Feeds, for admins

feed-list-heading = 📡 Feeds
feed-list-feed = { $id }. { $url }
feed-list-found = feed: { $url }
feed-list-state = state: { $state ->
        [waiting] waiting for the first fetch
        [ok] ok
       *[failing] failed { $failures } times in a row — { $error }
    }
feed-list-skipped = unreadable entries skipped in the last fetch: { $skipped }
feed-list-last-success = last success: { $when }
feed-list-never-succeeded = last success: never
feed-list-footer = add: /addfeed url — remove: /removefeed id
feed-added = Feed { $id } is added. Its first fetch only fills the archive and sends nothing; every new statement after that goes to subscribers. State: /feeds
feed-already-followed = That address is already followed (feed { $id }).
feed-removed = Feed { $id } is no longer followed; its statements stay in the archive. If it is in FEED_URLS, it comes back at the next start.
feed-not-found = There is no feed number { $id }. The list: /feeds
feed-refused = That address is refused: { $reason }
feed-failing =
    ⚠️ Feed { $id } ({ $url }) has been failing since { $since }.
    last error: { $error }
    Jarchi keeps trying, less often, and will tell you when it is back.
feed-recovered = ✅ Feed { $id } ({ $url }) is back.
held-notice = ⏸ Feed { $feed } ({ $url }) brought { $total } new statements at once. The newest { $broadcast } went out; these { $held } were only archived:
held-title = • { $title }
held-more = … and { $more } more
held-advice = If the site really published them, broadcast them with the button below; otherwise there is nothing to do.
waiting-hold = ⏸ hold { $hold }: { $statements } statements from feed { $feed }, since { $since }
hold-released = 📣 { $statements } held statements are queued for broadcast ({ $deliveries } messages).

# ---- publishing as the staff publish: formatting and forwards (issue 12) ----
forward-media-later = This kind of message cannot be published: forward a text, or a photo, video, animation, audio, voice message or document with its caption.

## A second pair of eyes, and the audit trail (issue 12: approvals)

command-audit = The last 20 admin actions
button-approve = ✅ Approve
button-withdraw = ↩️ Withdraw
approval-no-other-admin = PUBLISH_APPROVALS=2 needs a second admin in ADMIN_IDS to approve, and there is none; nothing was done.
approval-own-request = This is your own request: a different admin must approve it.
approval-not-author = Only the admin who asked may withdraw this request.
approval-already-approved = Already approved; nothing more happens.
approval-already-withdrawn = Withdrawn by its author; nothing happens.
approval-not-found = There is no such request.
audit-empty = The audit trail is empty.
approval-requested = ⏳ Request { $request }: { $action ->
        [publish] this statement
        [edit] this edit of #{ $id }
       *[delete] the deletion of #{ $id }
    } happens only when a different admin approves it. The other admins have the preview.
approval-asked = 👀 { $author } asks to { $action ->
        [publish] publish the statement above
        [edit] replace #{ $id } with the card above
       *[delete] delete #{ $id } “{ $title }”
    } (request { $request }). It happens only when a different admin approves it.
approval-approved = ✅ Request { $request } was approved by { $approver }.
approval-withdrawn = ↩️ Request { $request } was withdrawn by its author; nothing was done.
audit-heading = 🧾 The last admin actions, newest first:
audit-line = { $when } · admin { $admin } · { $action ->
        [publish] published
        [edit] edited
        [delete] deleted
        [approve] approved
        [withdraw] withdrew a request
       *[release] released held feed statements
    } { $statement }

## Schedule: "Send later" and /scheduled (issue 12)

command-scheduled = statements held to go out later
button-send-later = ⏰ Send later
schedule-ask-when =
    ⏰ When should it go out? Type a Tehran time, for example:
    18:30 (today, or tomorrow if it has passed)
    tomorrow 9 or tomorrow 9:30
    1405/09/10 08:00 (Jalali)
    2026-12-01T08:00
    To leave: /cancel
schedule-unreadable =
    I could not read that time. For example:
    18:30 — tomorrow 9 — 1405/09/10 08:00 — 2026-12-01T08:00
    To leave: /cancel
schedule-past = That time has passed; type a time in the future.
schedule-too-far = That is more than a year ahead; type a time within a year.
scheduled-for = ⏰ Scheduled: it goes out on { $date } at { $time } Tehran time (schedule { $id }). The list: /scheduled
scheduled-empty = Nothing is scheduled.
scheduled-heading = ⏰ Scheduled statements (Tehran time):
scheduled-item = { $id }. { $date } at { $time } — { $title }
button-cancel-schedule = ✖️ Cancel { $id }
schedule-cancelled = Schedule { $id } is cancelled; nothing was sent.
schedule-gone = That schedule is no longer waiting (it was sent or cancelled).
published-late = ⏰ Statement #{ $id } “{ $title }” was due on { $date } at { $due } Tehran time but went out late, at { $time }: jarchi was not running then.

## Readers: the whole statement, sharing, the daily digest (issue 13)

button-full-text = 📖 Full text
button-full-text-on-site = 🌐 Full text on the site
button-share = ↗️ Share
button-digest = 🗞 Daily digest
button-each-as-it-comes = Each statement as it comes
digest-ask-hour = 🗞 At what hour (Tehran time) should the day's statements come, in one message? Or each as it comes:
digest-heading = 🗞 <b>Your daily digest</b>: { $count } statements. Tap one to read it.
digest-item = • <b>{ $title }</b> — { $date } · #{ $id }
## media-intake (issue 12): "Send later" with a second pair of eyes
approval-due = ⏰ Once approved, it is held to go out on { $date } at { $time } Tehran time.

## media-intake (issue 12): files in the guided /post, albums, media forwards
button-add-file = 📎 Add or change a file
post-ask-attachment =
    📎 Send the file: a photo, video, animation, audio, voice message or document (a PDF), or an album of 2–10 photos and videos sent together. Its caption is not used; the text stays as it is.
    To go on without a file: /skip
post-files-refused = These files cannot go out together: an album holds 2–10 photos and videos, or only audio files, or only documents. Send them again, or /skip.

## Topics (issue 13)

command-topics = Topics: add, rename, remove
    .usage = [add slug fa-name | en-name]
    .help = List the topics with their buttons; /topics add slug fa-name | en-name adds one, /topics rename slug fa-name | en-name renames one
command-feedtopic = A feed's topic, or a category's
    .usage = feed topic | feed category topic
    .help = Where a feed's items go: /feedtopic 1 news (the feed's default topic), /feedtopic 1 sport news (items of category “sport” go to news), /feedtopic 1 sport - (drop that mapping)
button-topics = 🗂 Topics
button-all-topics = All topics, and those added later
topic-choice =
    🗂 Your topics: { $all ->
        [yes] all of them, and any added later
       *[no] only those ticked below
    }
    Tap to switch one on or off.
topics-heading = 🗂 Topics (slug — Persian name / English name):
topics-line = • <code>{ $slug }</code> — { $fa } / { $en }
topics-usage = Add one with the button or: <code>/topics add news اخبار | News</code>
topic-add-how =
    To add a topic, send (tap to copy, then change it):
    <code>/topics add news اخبار | News</code>
    The slug (here news) is a short Latin word: a-z, digits, - and _. Then the Persian name, a bar |, and the English name.
button-topic-add = ➕ Add a topic
button-topic-rename = ✏️ { $name }
button-topic-remove = 🗑 { $name }
button-topic-move = ➡️ { $name }
topic-rename-how =
    To rename it, send (tap to copy, then change the names):
    <code>/topics rename { $slug } { $fa } | { $en }</code>
topic-added = Topic “{ $name }” (<code>{ $slug }</code>) added. Subscribers who have all topics get it from now on.
topic-renamed = Renamed: { $fa } / { $en }
topic-bad-slug = The slug is 1 to 24 of a-z, 0-9, - and _, starting with a letter, for example <code>news</code>.
topic-bad-name = Give both names, Persian then English, separated by a bar |, each up to 40 characters: <code>/topics add news اخبار | News</code>
topic-slug-taken = There is a topic with that slug already; /topics lists them.
topic-default-stays = This is the default topic: statements without another topic belong to it. It can be renamed, not removed.
topic-gone = That topic is no longer there; /topics lists them.
topic-remove-ask = Remove “{ $name }”? Its { $statements } statements go to the topic you choose below, and the subscribers who chose it receive that topic instead.
topic-removed = Topic <code>{ $slug }</code> removed; { $moved } statements moved to “{ $name }”.
post-topic = 🗂 Topic: { $name } (tap another to change it)
post-unknown-topic = There is no topic “{ $word }”. The topics: { $topics }. Nothing was published.
stats-topics-heading = 🗂 By topic (subscribers · statements in 30 days):
stats-topic = { $name }: { $subscribers } · { $statements }
stats-topic-digest = {" "}· digest: { $digest }
stats-held = Of the last broadcast, { $percent }% ({ $held } of { $recipients }) waited for quiet hours to end or for a daily digest.
feed-topics-heading = 🗂 Topics of feeds:
feed-topics-default = feed { $id }: everything to “{ $name }”
feed-topics-category = feed { $id }: category “{ $category }” to “{ $name }”
feed-topic-usage =
    For example:
    /feedtopic 1 news — the feed's items go to the topic news
    /feedtopic 1 sport news — its items of category “sport” go to news
    /feedtopic 1 sport - — drop that mapping
feed-topic-not-found = No such feed or topic; /feeds and /topics list them.
feed-topic-set = Feed { $id }: its items go to “{ $name }”.
feed-topic-mapped = Feed { $id }: items of category “{ $category }” go to “{ $name }”.
feed-topic-unmapped = Feed { $id }: category “{ $category }” is no longer mapped.
latest-unknown-topic = There is no topic “{ $word }”. The topics: { $topics }. For example /latest 3, or /latest 3 news for one topic.
