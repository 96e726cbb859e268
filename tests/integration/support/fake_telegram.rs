//! A fake Telegram Bot API server for the integration tests.
//!
//! It speaks the real wire protocol (`POST /bot{TOKEN}/{method}` with a JSON body, answers
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…}`), so the bot runs
//! unmodified against it through teloxide, with only the API URL changed.
//!
//! Every request is checked against the published Bot API contract (`bot_api_spec`) and
//! Telegram's HTML rules (`telegram_html`); requests that break it are rejected like Telegram
//! would and listed by [`FakeTelegram::contract_violations`], which tests assert is empty.
//!
//! Faults (blocked users, rate limits, migrated groups, server errors, slowness) can be injected
//! per chat to exercise the bot's error handling, and every call is recorded for assertions.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context as TaskContext, Poll},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header::CONTENT_TYPE},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::Notify,
    task::AbortHandle,
};

use super::{
    bot_api_spec::{MethodSpec, bot_api_spec},
    telegram_html,
};

mod media;
pub use media::StoredMedia;

/// Longest a `getUpdates` call waits for updates, whatever `timeout` the bot asks for, so that a
/// bot shutting down at the end of a test is never stuck behind a long poll.
const LONG_POLL_CAP: Duration = Duration::from_secs(2);

/// Telegram's limit on message text, in UTF-16 code units after entity parsing.
const MAX_MESSAGE_UTF16_LEN: usize = 4096;

/// Supergroup (and channel) ids are `-100` followed by the id: anything at or below this is one.
const SUPERGROUP_ID_BOUNDARY: i64 = -1_000_000_000_000;

/// A failure the fake can be told to produce for requests that target a chat.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 403 "Forbidden: bot was blocked by the user" (teloxide: `ApiError::BotBlocked`).
    Blocked,
    /// 403 "Forbidden: user is deactivated" (teloxide: `ApiError::UserDeactivated`).
    Deactivated,
    /// 403 "Forbidden: bot was kicked from the group chat". teloxide 0.17 only knows the older
    /// "Unauthorized: bot was kicked from a chat" text, so this arrives as `ApiError::Unknown`.
    Kicked,
    /// 403 "Forbidden: bot can't initiate conversation with a user". teloxide 0.17 only knows the
    /// older "Unauthorized: …" text, so this arrives as `ApiError::Unknown`.
    CantInitiate,
    /// 400 "Bad Request: chat not found" (teloxide: `ApiError::ChatNotFound`).
    ChatNotFound,
    /// 429 "Too Many Requests: retry after N" with `parameters.retry_after`
    /// (teloxide: `RequestError::RetryAfter`).
    RetryAfter(u32),
    /// 400 "Bad Request: group chat was upgraded to a supergroup chat" with
    /// `parameters.migrate_to_chat_id` (teloxide: `RequestError::MigrateToChatId`).
    Migrate(i64),
    /// 500 "Internal Server Error". Note: teloxide sleeps 10 s after any 5xx before returning
    /// the error (`ApiError::Unknown("Internal Server Error")`).
    ServerError,
    /// Answer normally, but only after this delay.
    Slow(Duration),
    /// Carry the request out (a message is delivered), then answer `{"ok":true}` with a result
    /// teloxide cannot read, as when Telegram adds a field of a type the library does not know.
    UnreadableReply,
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct Call {
    /// Canonical spec name (`sendMessage`), or the name as sent when it is not in the spec.
    pub method: String,
    /// The JSON parameters (`Value::Null` when the body was not JSON).
    pub params: Value,
    pub accepted: bool,
    /// The `description` of the error response, when rejected.
    pub error: Option<String>,
    /// When the request arrived.
    pub at: Instant,
}

/// The current state of a message the bot sent.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredMessage {
    pub chat_id: i64,
    pub message_id: i64,
    /// What the user sees: tags stripped and entities decoded for HTML; the raw text otherwise
    /// (MarkdownV2/Markdown are not parsed by the fake).
    pub text: String,
    /// The `text` parameter as the bot sent it.
    pub raw_text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Value>,
    pub deleted: bool,
    /// How many successful `editMessageText` calls changed it.
    pub edit_count: u32,
    /// The file of a media message (its caption is `text`); None for a text message.
    pub media: Option<StoredMedia>,
}

/// The fake server. Cheap to clone: clones share the same server and state. The server stops
/// when the last clone is dropped (or when the test's runtime ends).
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
    address: SocketAddr,
    _server: Arc<AbortOnDrop>,
}

struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

struct Shared {
    state: Mutex<ServerState>,
    /// Wakes long-polling `getUpdates` calls when an update is pushed.
    update_pushed: Notify,
    /// While set, the server drops every connection: new ones at once, open ones at their next
    /// read or write (see [`OutageListener`]).
    outage: Arc<AtomicBool>,
}

#[derive(Default)]
struct ServerState {
    last_update_id: i64,
    /// Updates not yet confirmed by a `getUpdates` with a higher offset; each has its `update_id`.
    pending_updates: VecDeque<Value>,
    calls: Vec<Call>,
    contract_violations: Vec<String>,
    chats: HashMap<i64, ChatState>,
    known_callback_query_ids: HashSet<String>,
    known_inline_query_ids: HashSet<String>,
    last_query_number: u64,
    queued_faults: HashMap<i64, VecDeque<Fault>>,
    persistent_faults: HashMap<i64, Fault>,
    method_faults: HashMap<String, Fault>,
    /// (chat id, arrival) of every accepted `sendMessage`, for rate-limit assertions.
    sent_message_log: Vec<(i64, Instant)>,
    /// `setMyCommands` results keyed by (scope JSON, language code).
    commands: HashMap<(String, String), Value>,
    /// Users who administer a group, by group chat id (`getChatMember` answers from here).
    chat_admins: HashMap<i64, HashSet<i64>>,
    /// When on, a `sendMessage` beyond 30 in the last second gets 429 like Telegram's.
    flood_check: bool,
    /// `sendMessage` calls refused by the flood check.
    flood_refusals: usize,
}

#[derive(Default)]
struct ChatState {
    /// Message ids are per chat and shared by the users' and the bot's messages, like Telegram.
    last_message_id: i64,
    bot_messages: Vec<StoredMessage>,
    user_message_ids: HashSet<i64>,
}

impl ChatState {
    fn next_message_id(&mut self) -> i64 {
        self.last_message_id += 1;
        self.last_message_id
    }

    fn bot_message_mut(&mut self, message_id: i64) -> Option<&mut StoredMessage> {
        self.bot_messages
            .iter_mut()
            .find(|message| message.message_id == message_id)
    }
}

/// An error response, and whether it means our request broke the Bot API contract (as opposed
/// to an injected fault or a condition a correct bot may meet at run time).
struct Rejection {
    http_status: u16,
    description: String,
    parameters: Option<Value>,
    breaks_contract: bool,
}

impl Rejection {
    fn contract(description: impl Into<String>) -> Self {
        Self {
            http_status: 400,
            description: description.into(),
            parameters: None,
            breaks_contract: true,
        }
    }

    fn fault(http_status: u16, description: impl Into<String>) -> Self {
        Self {
            http_status,
            description: description.into(),
            parameters: None,
            breaks_contract: false,
        }
    }

    fn with_parameters(mut self, parameters: Value) -> Self {
        self.parameters = Some(parameters);
        self
    }

    fn body(&self) -> Value {
        let mut body = json!({
            "ok": false,
            "error_code": self.http_status,
            "description": self.description,
        });
        if let Some(parameters) = &self.parameters {
            body["parameters"] = parameters.clone();
        }
        body
    }
}

impl Fault {
    fn rejection(&self) -> Option<Rejection> {
        Some(match self {
            Fault::Blocked => Rejection::fault(403, "Forbidden: bot was blocked by the user"),
            Fault::Deactivated => Rejection::fault(403, "Forbidden: user is deactivated"),
            Fault::Kicked => Rejection::fault(403, "Forbidden: bot was kicked from the group chat"),
            Fault::CantInitiate => Rejection::fault(
                403,
                "Forbidden: bot can't initiate conversation with a user",
            ),
            Fault::ChatNotFound => Rejection::fault(400, "Bad Request: chat not found"),
            Fault::RetryAfter(seconds) => {
                Rejection::fault(429, format!("Too Many Requests: retry after {seconds}"))
                    .with_parameters(json!({ "retry_after": seconds }))
            }
            Fault::Migrate(new_chat_id) => Rejection::fault(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
            )
            .with_parameters(json!({ "migrate_to_chat_id": new_chat_id })),
            Fault::ServerError => Rejection::fault(500, "Internal Server Error"),
            Fault::Slow(_) | Fault::UnreadableReply => return None,
        })
    }
}

impl FakeTelegram {
    /// The only token the fake accepts; any other gets 401 "Unauthorized".
    pub const TOKEN: &'static str = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz";
    pub const BOT_USERNAME: &'static str = "jarchi_test_bot";
    pub const BOT_FIRST_NAME: &'static str = "Jarchi Test";
    /// The bot's user id: the number before the ':' of the token, as with real tokens.
    pub const BOT_USER_ID: i64 = 123456;

    /// Binds 127.0.0.1 on a free port and serves in a background task.
    pub async fn start() -> FakeTelegram {
        let outage = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            state: Mutex::new(ServerState::default()),
            update_pushed: Notify::new(),
            outage: Arc::clone(&outage),
        });
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake Telegram server");
        let address = listener.local_addr().expect("local address");
        let listener = OutageListener { listener, outage };
        let app = Router::new()
            .fallback(handle_request)
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake Telegram server failed");
        });
        FakeTelegram {
            shared,
            address,
            _server: Arc::new(AbortOnDrop(server.abort_handle())),
        }
    }

    /// `http://127.0.0.1:PORT/`, for `TELOXIDE_API_URL` or `Bot::set_api_url`.
    pub fn api_url(&self) -> String {
        format!("http://{}/", self.address)
    }

    /// A teloxide bot with the fake's token, talking to the fake.
    pub fn bot(&self) -> teloxide::Bot {
        teloxide::Bot::new(Self::TOKEN)
            .set_api_url(self.api_url().parse().expect("the API URL is a valid URL"))
    }

    fn state(&self) -> MutexGuard<'_, ServerState> {
        self.shared.lock_state()
    }

    // ----- updates ---------------------------------------------------------------------------

    /// Queues an update for `getUpdates`; `update_id` is assigned here.
    pub fn push_update(&self, update_without_id: Value) -> i64 {
        let Value::Object(mut update) = update_without_id else {
            panic!("an update must be a JSON object, got {update_without_id}");
        };
        let update_id = {
            let mut state = self.state();
            state.last_update_id += 1;
            let update_id = state.last_update_id;
            update.insert("update_id".into(), json!(update_id));
            state.pending_updates.push_back(Value::Object(update));
            update_id
        };
        self.shared.update_pushed.notify_waiters();
        update_id
    }

    /// A private text message from `user_id` (chat id == user id). A leading `/command` gets a
    /// `bot_command` entity like Telegram adds. Returns the message id.
    pub fn push_private_text(&self, user_id: i64, text: &str, language_code: Option<&str>) -> i64 {
        let (message_id, update) = self.private_text(user_id, text, language_code);
        self.push_update(update);
        message_id
    }

    /// A private message from `user_id` like [`FakeTelegram::push_private_text`], with `extra`
    /// fields merged in: `entities` are added after the leading command's (offsets in UTF-16
    /// units, as Telegram counts them), a `null` removes the field (`"text": null` for a
    /// photo), anything else (`forward_origin`, `photo`, `caption`) is set. Returns the
    /// message id.
    pub fn push_private_message(&self, user_id: i64, text: &str, extra: Value) -> i64 {
        let (message_id, mut update) = self.private_text(user_id, text, Some("fa"));
        let message = &mut update["message"];
        if let Value::Object(fields) = extra {
            for (key, value) in fields {
                match (key.as_str(), value) {
                    (_, Value::Null) => {
                        message.as_object_mut().map(|m| m.remove(&key));
                    }
                    ("entities", Value::Array(more)) => {
                        let mut all = message["entities"].as_array().cloned().unwrap_or_default();
                        all.extend(more);
                        message["entities"] = Value::Array(all);
                    }
                    (_, value) => message[key.as_str()] = value,
                }
            }
        }
        self.push_update(update);
        message_id
    }

    /// A private photo, video, animation, audio, voice message or document (`kind`) from
    /// `user_id` with this caption: a leading `/command` gets its `bot_command` caption entity
    /// like Telegram adds, then `caption_entities` (UTF-16 offsets). Returns the message id.
    pub fn push_private_media(
        &self,
        user_id: i64,
        kind: &str,
        file_id: &str,
        caption: &str,
        caption_entities: Value,
    ) -> i64 {
        let (message_id, update) =
            self.private_media(user_id, kind, file_id, caption, caption_entities);
        self.push_update(update);
        message_id
    }

    /// The update [`FakeTelegram::push_private_media`] pushes, for builders that add to it
    /// (albums, forwards: see `incoming_media.rs`).
    pub(super) fn private_media(
        &self,
        user_id: i64,
        kind: &str,
        file_id: &str,
        caption: &str,
        caption_entities: Value,
    ) -> (i64, Value) {
        let (message_id, mut update) = self.private_text(user_id, caption, Some("fa"));
        let message = update["message"].as_object_mut().expect("a message");
        message.remove("text");
        let mut entities = message
            .remove("entities")
            .and_then(|e| e.as_array().cloned())
            .unwrap_or_default();
        entities.extend(caption_entities.as_array().cloned().unwrap_or_default());
        let file = json!({ "file_id": file_id, "file_unique_id": format!("unique-{file_id}") });
        let sized = |mut v: Value| {
            v["width"] = json!(1280);
            v["height"] = json!(720);
            v
        };
        // teloxide cannot read these kinds without a MIME type; Telegram always gives one.
        let timed = |mut v: Value| {
            v["duration"] = json!(7);
            v["mime_type"] = json!(if kind == "audio" || kind == "voice" {
                "audio/ogg"
            } else {
                "video/mp4"
            });
            v
        };
        let value = match kind {
            "photo" => json!([sized(file.clone())]),
            "video" | "animation" => timed(sized(file.clone())),
            "audio" | "voice" => timed(file.clone()),
            _ => file.clone(),
        };
        message.insert(kind.to_owned(), value);
        if kind == "animation" {
            message.insert("document".into(), file);
        }
        if !caption.is_empty() {
            message.insert("caption".into(), json!(caption));
        }
        if !entities.is_empty() {
            message.insert("caption_entities".into(), Value::Array(entities));
        }
        (message_id, update)
    }

    /// The same message as [`FakeTelegram::push_private_text`], as a whole update (with its
    /// `update_id`) for the test to post to a bot's webhook instead of queuing it.
    pub fn webhook_private_text(
        &self,
        user_id: i64,
        text: &str,
        language_code: Option<&str>,
    ) -> Value {
        let (_, mut update) = self.private_text(user_id, text, language_code);
        let mut state = self.state();
        state.last_update_id += 1;
        update["update_id"] = json!(state.last_update_id);
        update
    }

    fn private_text(&self, user_id: i64, text: &str, language_code: Option<&str>) -> (i64, Value) {
        assert!(user_id > 0, "user ids are positive, got {user_id}");
        let message_id = self.next_user_message_id(user_id);
        let message = user_text_message(
            message_id,
            private_chat_json(user_id),
            user_json(user_id, language_code),
            text,
        );
        (message_id, json!({ "message": message }))
    }

    /// A text message from `user_id` in the group `chat_id` (negative; at or below
    /// -1_000_000_000_000 it is a supergroup). Returns the message id.
    pub fn push_group_text(&self, chat_id: i64, user_id: i64, text: &str) -> i64 {
        assert!(chat_id < 0, "group chat ids are negative, got {chat_id}");
        let message_id = self.next_user_message_id(chat_id);
        let message = user_text_message(
            message_id,
            chat_json(chat_id),
            user_json(user_id, None),
            text,
        );
        self.push_update(json!({ "message": message }));
        message_id
    }

    /// `user_id` pressed an inline button with `data` under message `message_id` in `chat_id`.
    /// The update carries the message as it currently is (or as inaccessible if the bot never
    /// sent it or deleted it). Returns the callback query id, which `answerCallbackQuery` accepts.
    pub fn push_callback(&self, user_id: i64, chat_id: i64, message_id: i64, data: &str) -> String {
        self.push_callback_in(user_id, chat_id, message_id, data, false)
    }

    /// Like [`push_callback`](Self::push_callback), for a button under a post in a channel
    /// (the fake's chats are otherwise private chats, groups and supergroups).
    pub fn push_channel_callback(
        &self,
        user_id: i64,
        chat_id: i64,
        message_id: i64,
        data: &str,
    ) -> String {
        self.push_callback_in(user_id, chat_id, message_id, data, true)
    }

    fn push_callback_in(
        &self,
        user_id: i64,
        chat_id: i64,
        message_id: i64,
        data: &str,
        channel: bool,
    ) -> String {
        let (query_id, mut message) = {
            let mut state = self.state();
            let query_id = state.new_query_id();
            state.known_callback_query_ids.insert(query_id.clone());
            let current = state
                .chats
                .get(&chat_id)
                .and_then(|chat| {
                    chat.bot_messages
                        .iter()
                        .find(|message| message.message_id == message_id && !message.deleted)
                })
                .map(|message| message_json(message, false));
            // Telegram marks messages it can no longer show with date 0.
            let message = current.unwrap_or_else(
                || json!({ "message_id": message_id, "date": 0, "chat": chat_json(chat_id) }),
            );
            (query_id, message)
        };
        if channel {
            let chat = json!({ "id": chat_id, "type": "channel", "title": "Channel" });
            message["chat"] = chat.clone();
            // A channel post is signed by the channel, not by a user.
            if let Some(fields) = message.as_object_mut() {
                fields.remove("from");
                fields.insert("sender_chat".into(), chat);
            }
        }
        self.push_update(json!({
            "callback_query": {
                "id": query_id,
                "from": user_json(user_id, None),
                "message": message,
                "chat_instance": format!("{}", chat_id.unsigned_abs()),
                "data": data,
            }
        }));
        query_id
    }

    /// An inline query from `user_id`. Returns its id, which `answerInlineQuery` accepts.
    pub fn push_inline_query(&self, user_id: i64, query: &str) -> String {
        let query_id = {
            let mut state = self.state();
            let query_id = state.new_query_id();
            state.known_inline_query_ids.insert(query_id.clone());
            query_id
        };
        self.push_update(json!({
            "inline_query": {
                "id": query_id,
                "from": user_json(user_id, None),
                "query": query,
                "offset": "",
            }
        }));
        query_id
    }

    fn next_user_message_id(&self, chat_id: i64) -> i64 {
        let mut state = self.state();
        let chat = state.chats.entry(chat_id).or_default();
        let message_id = chat.next_message_id();
        chat.user_message_ids.insert(message_id);
        message_id
    }

    // ----- recording -------------------------------------------------------------------------

    /// Every call, accepted or rejected, in order of completion.
    pub fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    /// Parameters of the accepted calls to `method` (case-insensitive), in order.
    pub fn calls_to(&self, method: &str) -> Vec<Value> {
        self.state()
            .calls
            .iter()
            .filter(|call| call.accepted && call.method.eq_ignore_ascii_case(method))
            .map(|call| call.params.clone())
            .collect()
    }

    /// Waits until at least `count` accepted calls to `method` were made and returns all of them.
    /// Panics, listing the calls seen, if that takes longer than `timeout`.
    pub async fn wait_for(&self, method: &str, count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= count {
                return calls;
            }
            if Instant::now() >= deadline {
                panic!(
                    "waited {timeout:?} for {count} accepted {method} call(s), saw {}.\n{}",
                    calls.len(),
                    self.describe_calls()
                );
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// A readable list of the calls so far (long polls summarised), for failure messages.
    pub fn describe_calls(&self) -> String {
        let state = self.state();
        let mut description = String::from("Calls to the fake Telegram server");
        let polls = state
            .calls
            .iter()
            .filter(|call| call.method == "getUpdates")
            .count();
        description.push_str(&format!(" ({polls} getUpdates calls not shown):\n"));
        for call in state
            .calls
            .iter()
            .filter(|call| call.method != "getUpdates")
        {
            let outcome = match &call.error {
                None => "ok".to_owned(),
                Some(error) => format!("REJECTED: {error}"),
            };
            description.push_str(&format!("  {} {} -> {outcome}\n", call.method, call.params));
        }
        if !state.contract_violations.is_empty() {
            description.push_str("Contract violations:\n");
            for violation in &state.contract_violations {
                description.push_str(&format!("  {violation}\n"));
            }
        }
        description
    }

    /// The text (as the user sees it, after edits) of every message the bot sent to `chat_id`,
    /// deleted ones included, in the order they were sent.
    pub fn texts_to(&self, chat_id: i64) -> Vec<String> {
        self.messages_in(chat_id)
            .into_iter()
            .map(|message| message.text)
            .collect()
    }

    /// The current state of every message the bot sent to `chat_id`, in the order they were sent.
    pub fn messages_in(&self, chat_id: i64) -> Vec<StoredMessage> {
        self.state()
            .chats
            .get(&chat_id)
            .map(|chat| chat.bot_messages.clone())
            .unwrap_or_default()
    }

    /// Requests rejected because they broke the Bot API contract, as
    /// "method: description (params: …)". Tests should assert this is empty.
    pub fn contract_violations(&self) -> Vec<String> {
        self.state().contract_violations.clone()
    }

    /// Panics with the list of violations (and calls) if there is any.
    pub fn assert_no_contract_violations(&self) {
        let violations = self.contract_violations();
        assert!(
            violations.is_empty(),
            "the bot broke the Bot API contract:\n{}",
            self.describe_calls()
        );
    }

    /// The most accepted `sendMessage` calls that arrived within any `window` (e.g. 1 s), over
    /// all chats (`None`) or to one chat.
    pub fn max_in_window(&self, window: Duration, chat: Option<i64>) -> usize {
        let mut arrivals: Vec<Instant> = self
            .state()
            .sent_message_log
            .iter()
            .filter(|(chat_id, _)| chat.is_none_or(|wanted| *chat_id == wanted))
            .map(|(_, at)| *at)
            .collect();
        // Slow requests complete out of order, so sort by arrival, then slide a window whose
        // first message is arrivals[first].
        arrivals.sort();
        let mut most = 0;
        let mut first = 0;
        for (last, at) in arrivals.iter().enumerate() {
            while at.duration_since(arrivals[first]) >= window {
                first += 1;
            }
            most = most.max(last - first + 1);
        }
        most
    }

    /// The commands last set with `setMyCommands` for the default scope and `language_code`.
    pub fn my_commands(&self, language_code: Option<&str>) -> Vec<Value> {
        let key = (
            Value::Null.to_string(),
            language_code.unwrap_or("").to_owned(),
        );
        match self.state().commands.get(&key) {
            Some(Value::Array(commands)) => commands.clone(),
            _ => Vec::new(),
        }
    }

    // ----- outages, floods and group admins -------------------------------------------------

    /// From now on every connection is dropped, as when Telegram, the network or a proxy is
    /// down: requests fail with a connection error and nothing is recorded.
    pub fn begin_outage(&self) {
        self.shared.outage.store(true, Ordering::SeqCst);
    }

    pub fn end_outage(&self) {
        self.shared.outage.store(false, Ordering::SeqCst);
    }

    /// Refuses, with 429 and `retry_after` 1, any `sendMessage` that would make more than 30
    /// in one second, the way Telegram answers a bot that floods it.
    pub fn enable_flood_check(&self) {
        self.state().flood_check = true;
    }

    /// How many `sendMessage` calls the flood check refused.
    pub fn flood_refusals(&self) -> usize {
        self.state().flood_refusals
    }

    /// Makes `user_id` an administrator of the group `chat_id` for `getChatMember`; anyone else
    /// is an ordinary member.
    pub fn make_group_admin(&self, chat_id: i64, user_id: i64) {
        self.state()
            .chat_admins
            .entry(chat_id)
            .or_default()
            .insert(user_id);
    }

    /// Arrival times of the accepted `sendMessage` calls, oldest first.
    pub fn send_arrivals(&self) -> Vec<Instant> {
        let mut arrivals: Vec<Instant> = self
            .state()
            .sent_message_log
            .iter()
            .map(|(_, at)| *at)
            .collect();
        arrivals.sort();
        arrivals
    }

    // ----- fault injection -------------------------------------------------------------------

    /// Queues `fault` for `chat_id`: the next request targeting that chat consumes it.
    pub fn inject(&self, chat_id: i64, fault: Fault) {
        self.state()
            .queued_faults
            .entry(chat_id)
            .or_default()
            .push_back(fault);
    }

    /// Applies `fault` to every request targeting `chat_id` (after any queued ones) until
    /// `clear_faults`.
    pub fn inject_persistent(&self, chat_id: i64, fault: Fault) {
        self.state().persistent_faults.insert(chat_id, fault);
    }

    /// Applies `fault` to every call of `method` (such as `getUpdates`, which targets no
    /// chat) until `clear_faults`.
    pub fn inject_for_method(&self, method: &str, fault: Fault) {
        self.state().method_faults.insert(method.to_string(), fault);
    }

    pub fn clear_faults(&self) {
        let mut state = self.state();
        state.queued_faults.clear();
        state.persistent_faults.clear();
        state.method_faults.clear();
    }
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, ServerState> {
        // A panicking test thread must not hide the state from the others.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl ServerState {
    fn new_query_id(&mut self) -> String {
        self.last_query_number += 1;
        // Real query ids are long decimal strings.
        format!("{}", 4_000_000_000_000_000_000 + self.last_query_number)
    }

    fn take_fault(&mut self, chat_id: i64) -> Option<Fault> {
        if let Some(fault) = self
            .queued_faults
            .get_mut(&chat_id)
            .and_then(VecDeque::pop_front)
        {
            return Some(fault);
        }
        self.persistent_faults.get(&chat_id).cloned()
    }
}

// ----- request handling ----------------------------------------------------------------------

async fn handle_request(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let arrived_at = Instant::now();
    let (method_as_sent, token) = split_path(uri.path());
    let spec = bot_api_spec().method(&method_as_sent);
    let method = spec.map_or_else(|| method_as_sent.clone(), |spec| spec.name.clone());
    let params = parse_params(&headers, &body);

    let outcome = match (&token, spec, &params) {
        // Like Telegram: 404 for a path that is not /bot<token>/…, 401 for a wrong token.
        (None, _, _) => Err(Rejection::fault(404, "Not Found")),
        (Some(token), _, _) if token != FakeTelegram::TOKEN => {
            Err(Rejection::fault(401, "Unauthorized"))
        }
        (_, None, _) => Err(Rejection {
            http_status: 404,
            description: "Not Found".into(),
            parameters: None,
            breaks_contract: true,
        }),
        (_, Some(_), Err(rejection)) => Err(Rejection::contract(rejection.clone())),
        (_, Some(spec), Ok(params)) => process(&shared, spec, params, arrived_at).await,
    };

    let params = params.unwrap_or(Value::Null);
    let (status, body) = {
        let mut state = shared.lock_state();
        let (status, body, error) = match outcome {
            Ok(result) => (200, json!({ "ok": true, "result": result }), None),
            Err(rejection) => {
                if rejection.breaks_contract {
                    state.contract_violations.push(format!(
                        "{method}: {} (params: {params})",
                        rejection.description
                    ));
                }
                (
                    rejection.http_status,
                    rejection.body(),
                    Some(rejection.description),
                )
            }
        };
        state.calls.push(Call {
            method,
            params,
            accepted: error.is_none(),
            error,
            at: arrived_at,
        });
        (status, body)
    };
    let status = StatusCode::from_u16(status).expect("valid HTTP status");
    (status, axum::Json(body)).into_response()
}

/// `/bot<token>/<method>` → (method, token).
fn split_path(path: &str) -> (String, Option<String>) {
    let path = percent_decode(path);
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let token = segments
        .next()
        .and_then(|segment| segment.strip_prefix("bot"))
        .map(str::to_owned);
    let method = segments
        .next()
        .unwrap_or("")
        .trim_end_matches('/')
        .to_owned();
    (method, token)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The request's JSON object of parameters, or why it cannot be read.
fn parse_params(headers: &HeaderMap, body: &Bytes) -> Result<Value, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/") {
        return parse_multipart_fields(content_type, body);
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(object @ Value::Object(_)) => Ok(object),
        Ok(other) => Err(format!(
            "Bad Request: parameters must be a JSON object, got {other}"
        )),
        Err(error) => Err(format!("Bad Request: body is not valid JSON: {error}")),
    }
}

/// teloxide sends some methods (setWebhook, because it may carry a certificate) as
/// multipart/form-data even without a file. Text fields become JSON values the way Telegram
/// reads them (a field that parses as JSON, such as `40` or `true`, is that value); file
/// uploads stay unsupported.
fn parse_multipart_fields(content_type: &str, body: &Bytes) -> Result<Value, String> {
    let boundary = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"').to_string())
        .ok_or("Bad Request: multipart body without a boundary")?;
    let text = std::str::from_utf8(body).map_err(|_| "Bad Request: multipart body is not UTF-8")?;
    let mut fields = Map::new();
    for part in text.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (head, value) = part
            .split_once("\r\n\r\n")
            .ok_or("Bad Request: malformed multipart part")?;
        if head.contains("filename=") {
            return Err(
                "Bad Request: multipart file uploads are not supported by the fake server".into(),
            );
        }
        let name = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .ok_or("Bad Request: multipart part without a name")?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        fields.insert(name.to_string(), value);
    }
    Ok(Value::Object(fields))
}

/// Checks and executes one request whose token and method are valid.
async fn process(
    shared: &Shared,
    spec: &MethodSpec,
    params: &Value,
    arrived_at: Instant,
) -> Result<Value, Rejection> {
    check_fields_against_spec(spec, params)?;
    check_method_rules(&spec.name, params)?;

    // Faults apply to a method, or to requests that target a chat; Slow only delays the
    // normal answer.
    let method_fault = shared.lock_state().method_faults.get(&spec.name).cloned();
    if let Some(fault) = method_fault {
        match fault {
            Fault::Slow(delay) => tokio::time::sleep(delay).await,
            fault => return Err(fault.rejection().expect("not Slow")),
        }
    }
    let mut unreadable_reply = false;
    if let Some(chat_id) = params.get("chat_id").and_then(chat_id_of) {
        let fault = shared.lock_state().take_fault(chat_id);
        match fault {
            Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
            Some(Fault::UnreadableReply) => unreadable_reply = true,
            Some(fault) => {
                return Err(fault.rejection().expect("neither Slow nor UnreadableReply"));
            }
            None => {}
        }
    }

    if spec.name == "getUpdates" {
        return Ok(get_updates(shared, params).await);
    }
    let result = execute(&mut shared.lock_state(), &spec.name, params, arrived_at)?;
    if unreadable_reply {
        return Ok(json!({ "message_id": "not a number", "novelty": [] }));
    }
    Ok(result)
}

/// Missing required parameters and parameters the method does not have.
fn check_fields_against_spec(spec: &MethodSpec, params: &Value) -> Result<(), Rejection> {
    let params = params.as_object().expect("params are an object");
    for field in spec.fields.iter().filter(|field| field.required) {
        if params.get(&field.name).is_none_or(Value::is_null) {
            return Err(Rejection::contract(format!(
                "Bad Request: required parameter \"{}\" is missing",
                field.name
            )));
        }
    }
    if let Some(unknown) = params.keys().find(|name| spec.field(name).is_none()) {
        return Err(Rejection::contract(format!(
            "Bad Request: unknown parameter \"{unknown}\" for method {}",
            spec.name
        )));
    }
    Ok(())
}

/// Rules that the spec describes only in prose: text limits, HTML, keyboards, commands.
fn check_method_rules(method: &str, params: &Value) -> Result<(), Rejection> {
    if let Some(parse_mode) = params.get("parse_mode").filter(|mode| !mode.is_null())
        && !matches!(
            parse_mode.as_str(),
            Some("HTML" | "MarkdownV2" | "Markdown")
        )
    {
        return Err(Rejection::contract(format!(
            "Bad Request: unsupported parse_mode {parse_mode}"
        )));
    }
    if let Some(markup) = params.get("reply_markup") {
        check_reply_markup(markup)?;
    }
    match method {
        "sendMessage" | "editMessageText" => {
            if method == "editMessageText" && params.get("text").is_none() {
                if params.get("rich_message").is_none() {
                    return Err(Rejection::contract("Bad Request: message text is empty"));
                }
                return Ok(());
            }
            visible_text(method, params).map(drop)
        }
        "answerInlineQuery" => {
            let results = params["results"].as_array().map_or(0, Vec::len);
            if results > 50 {
                return Err(Rejection::contract("Bad Request: RESULTS_TOO_MUCH"));
            }
            // Each result may carry the keyboard of the message it drops into a chat.
            for result in params["results"].as_array().into_iter().flatten() {
                if let Some(markup) = result.get("reply_markup") {
                    check_reply_markup(markup)?;
                }
            }
            Ok(())
        }
        "setMyCommands" | "deleteMyCommands" | "getMyCommands" => check_commands(params),
        // Outside games, only links that open a bot with a parameter: t.me/<bot>?start=…
        "answerCallbackQuery" => match params.get("url").and_then(Value::as_str) {
            Some(url)
                if !["https://t.me/", "http://t.me/", "t.me/"]
                    .iter()
                    .any(|prefix| url.starts_with(prefix))
                    || !url.contains("?start=") =>
            {
                Err(Rejection::contract("Bad Request: URL_INVALID"))
            }
            _ => Ok(()),
        },
        _ => media::check_media_rules(method, params),
    }
}

/// What a text or caption shows: parsed as HTML in parse mode HTML, as it is otherwise.
fn shown_text(raw: &str, params: &Value) -> Result<String, Rejection> {
    if params["parse_mode"].as_str() != Some("HTML") {
        return Ok(raw.to_owned());
    }
    telegram_html::parse(raw).map_err(|reason| {
        Rejection::contract(format!("Bad Request: can't parse entities: {reason}"))
    })
}

/// The message text as the user will see it, after checking Telegram's limits.
fn visible_text(method: &str, params: &Value) -> Result<String, Rejection> {
    let Some(raw_text) = params["text"].as_str() else {
        return Err(Rejection::contract(
            "Bad Request: parameter \"text\" must be a string",
        ));
    };
    let text = shown_text(raw_text, params)?;
    if text.trim().is_empty() {
        return Err(Rejection::contract("Bad Request: message text is empty"));
    }
    if telegram_html::utf16_len(&text) > MAX_MESSAGE_UTF16_LEN {
        // The two methods word it differently; teloxide maps each to its own variant.
        let description = if method == "editMessageText" {
            "Bad Request: MESSAGE_TOO_LONG"
        } else {
            "Bad Request: message is too long"
        };
        return Err(Rejection::contract(description));
    }
    Ok(text)
}

fn check_reply_markup(markup: &Value) -> Result<(), Rejection> {
    // Telegram accepts the markup as an object or as a JSON-serialised string.
    let parsed;
    let markup = match markup {
        Value::String(serialised) => {
            parsed = serde_json::from_str::<Value>(serialised).map_err(|_| {
                Rejection::contract("Bad Request: can't parse reply keyboard markup JSON object")
            })?;
            &parsed
        }
        other => other,
    };
    let Some(rows) = markup.get("inline_keyboard") else {
        return Ok(());
    };
    let rows = rows.as_array().ok_or_else(|| {
        Rejection::contract("Bad Request: field \"inline_keyboard\" must be an Array")
    })?;
    let buttons: Vec<&Value> = rows
        .iter()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .collect();
    if buttons.len() > MAX_INLINE_KEYBOARD_BUTTONS {
        return Err(Rejection::contract("Bad Request: reply markup is too long"));
    }
    for button in buttons {
        if button["text"].as_str().is_none_or(str::is_empty) {
            return Err(Rejection::contract(
                "Bad Request: can't parse inline keyboard button: Text must be non-empty",
            ));
        }
        check_button_fields(button)?;
        if let Some(data) = button.get("callback_data") {
            let length = data.as_str().map_or(0, str::len);
            if !(1..=64).contains(&length) {
                return Err(Rejection::contract("Bad Request: BUTTON_DATA_INVALID"));
            }
        }
        if let Some(url) = button.get("url") {
            let url = url.as_str().unwrap_or_default();
            let scheme_ok = ["http://", "https://", "tg://"]
                .iter()
                .any(|scheme| url.starts_with(scheme));
            if !scheme_ok || url.len() <= "https://".len() {
                return Err(Rejection::contract(format!(
                    "Bad Request: inline keyboard button URL '{url}' is invalid: Unsupported URL protocol"
                )));
            }
        }
        for switch in ["switch_inline_query", "switch_inline_query_current_chat"] {
            if button.get(switch).is_some_and(|q| !q.is_string()) {
                return Err(Rejection::contract(format!(
                    "Bad Request: field \"{switch}\" must be of type String"
                )));
            }
        }
        if let Some(chosen) = button.get("switch_inline_query_chosen_chat") {
            check_chosen_chat(chosen)?;
        }
    }
    Ok(())
}

/// Telegram shows at most this many buttons under one message.
const MAX_INLINE_KEYBOARD_BUTTONS: usize = 100;

/// A button's fields are the spec's, and it does exactly one thing: its text alone is not
/// allowed in an inline keyboard, and two actions on one button are refused.
fn check_button_fields(button: &Value) -> Result<(), Rejection> {
    let spec = bot_api_spec()
        .types
        .get("InlineKeyboardButton")
        .expect("InlineKeyboardButton is in the spec");
    let Some(fields) = button.as_object() else {
        return Err(Rejection::contract(
            "Bad Request: can't parse inline keyboard button: object expected",
        ));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|name| !spec.fields.iter().any(|f| &f.name == *name))
    {
        return Err(Rejection::contract(format!(
            "Bad Request: can't parse inline keyboard button: unknown field \"{unknown}\""
        )));
    }
    let looks = ["text", "icon_custom_emoji_id", "style"];
    let actions = fields
        .iter()
        .filter(|(name, value)| !looks.contains(&name.as_str()) && !value.is_null())
        .count();
    match actions {
        1 => Ok(()),
        0 => Err(Rejection::contract(
            "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        )),
        _ => Err(Rejection::contract(
            "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used",
        )),
    }
}

/// `switch_inline_query_chosen_chat`: an object of the spec's fields, with their types.
fn check_chosen_chat(chosen: &Value) -> Result<(), Rejection> {
    let spec = bot_api_spec()
        .types
        .get("SwitchInlineQueryChosenChat")
        .expect("SwitchInlineQueryChosenChat is in the spec");
    let fields = chosen.as_object().ok_or_else(|| {
        Rejection::contract(
            "Bad Request: field \"switch_inline_query_chosen_chat\" must be an Object",
        )
    })?;
    for (name, value) in fields {
        let Some(field) = spec.fields.iter().find(|f| &f.name == name) else {
            return Err(Rejection::contract(format!(
                "Bad Request: unknown field \"{name}\" in switch_inline_query_chosen_chat"
            )));
        };
        let typed = match field.types.first().map(String::as_str) {
            Some("Boolean") => value.is_boolean(),
            Some("String") => value.is_string(),
            _ => true,
        };
        if !typed {
            return Err(Rejection::contract(format!(
                "Bad Request: field \"{name}\" of switch_inline_query_chosen_chat has the wrong type"
            )));
        }
    }
    Ok(())
}

/// `setMyCommands`' command list and the language code shared by the *MyCommands methods.
fn check_commands(params: &Value) -> Result<(), Rejection> {
    if let Some(language_code) = params.get("language_code").and_then(Value::as_str) {
        let valid = language_code.is_empty()
            || (language_code.len() == 2 && language_code.chars().all(|c| c.is_ascii_lowercase()));
        if !valid {
            return Err(Rejection::contract(format!(
                "Bad Request: language_code must be empty or a two-letter ISO 639-1 code, got {language_code:?}"
            )));
        }
    }
    let Some(commands) = params.get("commands") else {
        return Ok(());
    };
    let commands = commands
        .as_array()
        .ok_or_else(|| Rejection::contract("Bad Request: commands must be an Array"))?;
    // The spec allows an empty list (it clears the commands) and at most 100.
    if commands.len() > 100 {
        return Err(Rejection::contract("Bad Request: too many commands"));
    }
    for command in commands {
        let name = command["command"].as_str().unwrap_or("");
        let name_is_valid = (1..=32).contains(&name.chars().count())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_is_valid {
            return Err(Rejection::contract(format!(
                "Bad Request: BOT_COMMAND_INVALID ({name:?}: 1-32 of a-z, 0-9 and _)"
            )));
        }
        let description = command["description"].as_str().unwrap_or("");
        if !(1..=256).contains(&description.chars().count()) {
            return Err(Rejection::contract(format!(
                "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID (/{name}: 1-256 characters)"
            )));
        }
    }
    Ok(())
}

/// Long polling: answers as soon as there are updates at or after `offset`, or after
/// min(timeout, LONG_POLL_CAP).
async fn get_updates(shared: &Shared, params: &Value) -> Value {
    let offset = params["offset"].as_i64();
    let limit = params["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
    let timeout = Duration::from_secs(params["timeout"].as_u64().unwrap_or(0)).min(LONG_POLL_CAP);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        // Register for wake-ups before looking, so a push in between is not missed.
        let update_pushed = shared.update_pushed.notified();
        tokio::pin!(update_pushed);
        update_pushed.as_mut().enable();
        {
            let mut state = shared.lock_state();
            forget_confirmed_updates(&mut state.pending_updates, offset);
            let batch: Vec<Value> = state.pending_updates.iter().take(limit).cloned().collect();
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
                return Value::Array(batch);
            }
        }
        let _ = tokio::time::timeout_at(deadline, update_pushed).await;
    }
}

/// An update is confirmed by a `getUpdates` with a higher offset; a negative offset keeps only
/// the last `-offset` updates.
fn forget_confirmed_updates(pending: &mut VecDeque<Value>, offset: Option<i64>) {
    match offset {
        Some(offset) if offset < 0 => {
            let keep = offset.unsigned_abs() as usize;
            while pending.len() > keep {
                pending.pop_front();
            }
        }
        Some(offset) => {
            while pending
                .front()
                .is_some_and(|update| update["update_id"].as_i64().unwrap_or(0) < offset)
            {
                pending.pop_front();
            }
        }
        None => {}
    }
}

/// The effect and result of a request that passed every check.
fn execute(
    state: &mut ServerState,
    method: &str,
    params: &Value,
    arrived_at: Instant,
) -> Result<Value, Rejection> {
    match method {
        "getMe" => Ok(bot_user_json(true)),
        "sendMessage" => send_message(state, params, arrived_at),
        "editMessageText" => edit_message_text(state, params),
        "deleteMessage" => delete_message(state, params),
        method if media::media_method(method).is_some() => media::send_media(state, method, params),
        "sendMediaGroup" => media::send_media_group(state, params),
        "editMessageCaption" => media::edit_message_caption(state, params),
        "deleteMessages" => media::delete_messages(state, params),
        "copyMessage" => media::copy_message(state, params),
        "answerCallbackQuery" => {
            let id = params["callback_query_id"].as_str().unwrap_or("");
            answer_query(&state.known_callback_query_ids, id)
        }
        "answerInlineQuery" => {
            let id = params["inline_query_id"].as_str().unwrap_or("");
            answer_query(&state.known_inline_query_ids, id)
        }
        "setMyCommands" => {
            state
                .commands
                .insert(commands_key(params), params["commands"].clone());
            Ok(json!(true))
        }
        "deleteMyCommands" => {
            state.commands.remove(&commands_key(params));
            Ok(json!(true))
        }
        "getMyCommands" => Ok(state
            .commands
            .get(&commands_key(params))
            .cloned()
            .unwrap_or_else(|| json!([]))),
        "getChat" => {
            let chat_id = params["chat_id"].as_i64().ok_or_else(chat_not_found)?;
            Ok(chat_full_info_json(chat_id))
        }
        "getChatMember" => chat_member(state, params),
        "getWebhookInfo" => Ok(json!({
            "url": "",
            "has_custom_certificate": false,
            "pending_update_count": state.pending_updates.len(),
        })),
        // Everything else in the spec (deleteWebhook, sendChatAction, …) succeeds.
        _ => Ok(json!(true)),
    }
}

fn send_message(
    state: &mut ServerState,
    params: &Value,
    arrived_at: Instant,
) -> Result<Value, Rejection> {
    let chat_id = params["chat_id"].as_i64().ok_or_else(chat_not_found)?;
    let text = visible_text("sendMessage", params)?;
    if state.flood_check {
        let in_last_second = state
            .sent_message_log
            .iter()
            .rev()
            .take_while(|(_, at)| arrived_at.duration_since(*at) < Duration::from_secs(1))
            .count();
        if in_last_second >= 30 {
            state.flood_refusals += 1;
            return Err(Rejection::fault(429, "Too Many Requests: retry after 1")
                .with_parameters(json!({ "retry_after": 1 })));
        }
    }
    let chat = state.chats.entry(chat_id).or_default();
    let message = StoredMessage {
        chat_id,
        message_id: chat.next_message_id(),
        text,
        raw_text: params["text"].as_str().unwrap_or_default().to_owned(),
        parse_mode: params["parse_mode"].as_str().map(str::to_owned),
        reply_markup: inline_keyboard_of(params),
        deleted: false,
        edit_count: 0,
        media: None,
    };
    let result = message_json(&message, false);
    chat.bot_messages.push(message);
    // The arrival time (before any Slow delay) is when the bot sent it: what rate limits count.
    state.sent_message_log.push((chat_id, arrived_at));
    Ok(result)
}

/// The bot's message an edit names; None for one sent via inline mode, which the fake does
/// not track (Telegram answers `true` for those).
fn message_to_edit<'s>(
    state: &'s mut ServerState,
    params: &Value,
) -> Result<Option<&'s mut StoredMessage>, Rejection> {
    if params.get("inline_message_id").is_some() {
        return Ok(None);
    }
    let (Some(chat_id), Some(message_id)) = (
        params.get("chat_id").and_then(chat_id_of),
        params["message_id"].as_i64(),
    ) else {
        return Err(Rejection::contract(
            "Bad Request: message identifier is not specified",
        ));
    };
    let not_found = || Rejection::contract("Bad Request: message to edit not found");
    let chat = state.chats.get_mut(&chat_id).ok_or_else(not_found)?;
    if chat.user_message_ids.contains(&message_id) {
        return Err(Rejection::contract("Bad Request: message can't be edited"));
    }
    chat.bot_message_mut(message_id)
        .filter(|message| !message.deleted)
        .map(Some)
        .ok_or_else(not_found)
}

fn edit_message_text(state: &mut ServerState, params: &Value) -> Result<Value, Rejection> {
    let Some(message) = message_to_edit(state, params)? else {
        return Ok(json!(true));
    };
    if message.media.is_some() {
        return Err(Rejection::contract(
            "Bad Request: there is no text in the message to edit",
        ));
    }
    let new_text = visible_text("editMessageText", params)?;
    let new_raw_text = params["text"].as_str().unwrap_or_default().to_owned();
    replace_content(message, new_text, new_raw_text, params)
}

/// An edit's new text (or caption), parse mode and keyboard, unless they change nothing.
fn replace_content(
    message: &mut StoredMessage,
    new_text: String,
    new_raw_text: String,
    params: &Value,
) -> Result<Value, Rejection> {
    let new_parse_mode = params["parse_mode"].as_str().map(str::to_owned);
    // Without reply_markup, Telegram removes the message's inline keyboard.
    let new_markup = inline_keyboard_of(params);
    if (&new_raw_text, &new_parse_mode, &new_markup)
        == (
            &message.raw_text,
            &message.parse_mode,
            &message.reply_markup,
        )
    {
        return Err(Rejection::contract(
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
        ));
    }
    message.text = new_text;
    message.raw_text = new_raw_text;
    message.parse_mode = new_parse_mode;
    message.reply_markup = new_markup;
    message.edit_count += 1;
    Ok(message_json(message, true))
}

fn delete_message(state: &mut ServerState, params: &Value) -> Result<Value, Rejection> {
    let chat_id = params.get("chat_id").and_then(chat_id_of);
    let message_id = params["message_id"].as_i64();
    let not_found = || Rejection::contract("Bad Request: message to delete not found");
    let chat = chat_id
        .and_then(|chat_id| state.chats.get_mut(&chat_id))
        .ok_or_else(not_found)?;
    let Some(message_id) = message_id else {
        return Err(not_found());
    };
    // Bots may delete incoming messages too (in private chats, or as group admins).
    if chat.user_message_ids.remove(&message_id) {
        return Ok(json!(true));
    }
    match chat
        .bot_message_mut(message_id)
        .filter(|message| !message.deleted)
    {
        Some(message) => {
            message.deleted = true;
            Ok(json!(true))
        }
        None => Err(not_found()),
    }
}

/// `ChatMemberAdministrator` or `ChatMemberMember`, as the Bot API documents them; private
/// chats have one member, who may do anything there.
fn chat_member(state: &ServerState, params: &Value) -> Result<Value, Rejection> {
    let chat_id = params
        .get("chat_id")
        .and_then(chat_id_of)
        .ok_or_else(chat_not_found)?;
    let user_id = params["user_id"]
        .as_i64()
        .ok_or_else(|| Rejection::contract("Bad Request: user_id must be an Integer"))?;
    if chat_id > 0 && chat_id != user_id {
        return Err(Rejection::fault(400, "Bad Request: user not found"));
    }
    let user = user_json(user_id, None);
    let is_admin = state
        .chat_admins
        .get(&chat_id)
        .is_some_and(|admins| admins.contains(&user_id));
    if chat_id > 0 {
        return Ok(json!({ "status": "creator", "user": user, "is_anonymous": false }));
    }
    if !is_admin {
        return Ok(json!({ "status": "member", "user": user }));
    }
    Ok(json!({
        "status": "administrator",
        "user": user,
        "can_be_edited": false,
        "is_anonymous": false,
        "can_manage_chat": true,
        "can_delete_messages": true,
        "can_manage_video_chats": false,
        "can_restrict_members": true,
        "can_promote_members": false,
        "can_change_info": true,
        "can_invite_users": true,
        "can_post_stories": false,
        "can_edit_stories": false,
        "can_delete_stories": false,
    }))
}

fn answer_query(known_ids: &HashSet<String>, id: &str) -> Result<Value, Rejection> {
    if known_ids.contains(id) {
        Ok(json!(true))
    } else {
        Err(Rejection::contract(
            "Bad Request: query is too old and response timeout expired or query id is invalid",
        ))
    }
}

fn chat_not_found() -> Rejection {
    // Sending to "@username" targets are not modelled: the bot only talks to numeric chat ids.
    Rejection::fault(400, "Bad Request: chat not found")
}

fn commands_key(params: &Value) -> (String, String) {
    let scope = params.get("scope").cloned().unwrap_or(Value::Null);
    // {"type":"default"} is the same scope as no scope at all.
    let scope = if scope == json!({ "type": "default" }) {
        Value::Null
    } else {
        scope
    };
    let language_code = params["language_code"].as_str().unwrap_or("").to_owned();
    (scope.to_string(), language_code)
}

/// A numeric chat id, given as a JSON number or a numeric string.
fn chat_id_of(value: &Value) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_str().and_then(|text| text.parse().ok()))
}

/// The inline keyboard in `reply_markup`, if any (Telegram echoes only inline keyboards).
fn inline_keyboard_of(params: &Value) -> Option<Value> {
    let markup = match params.get("reply_markup")? {
        Value::String(serialised) => serde_json::from_str(serialised).ok()?,
        other => other.clone(),
    };
    markup.get("inline_keyboard").is_some().then_some(markup)
}

// ----- JSON shapes that teloxide deserialises --------------------------------------------------

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// The bot's `User`; `getMe` adds the bot-only capability flags teloxide's `Me` requires.
fn bot_user_json(with_capabilities: bool) -> Value {
    let mut user = json!({
        "id": FakeTelegram::BOT_USER_ID,
        "is_bot": true,
        "first_name": FakeTelegram::BOT_FIRST_NAME,
        "username": FakeTelegram::BOT_USERNAME,
    });
    if with_capabilities {
        user["can_join_groups"] = json!(true);
        user["can_read_all_group_messages"] = json!(false);
        user["supports_inline_queries"] = json!(true);
        user["can_connect_to_business"] = json!(false);
        user["has_main_web_app"] = json!(false);
    }
    user
}

fn user_json(user_id: i64, language_code: Option<&str>) -> Value {
    let mut user = json!({
        "id": user_id,
        "is_bot": false,
        "first_name": format!("Test User {user_id}"),
    });
    if let Some(language_code) = language_code {
        user["language_code"] = json!(language_code);
    }
    user
}

fn private_chat_json(user_id: i64) -> Value {
    json!({ "id": user_id, "type": "private", "first_name": format!("Test User {user_id}") })
}

/// A chat by its id: positive ids are private chats, ids at or below -10^12 supergroups, other
/// negative ids basic groups.
fn chat_json(chat_id: i64) -> Value {
    if chat_id > 0 {
        private_chat_json(chat_id)
    } else if chat_id <= SUPERGROUP_ID_BOUNDARY {
        json!({ "id": chat_id, "type": "supergroup", "title": format!("Supergroup {chat_id}") })
    } else {
        json!({ "id": chat_id, "type": "group", "title": format!("Group {chat_id}") })
    }
}

fn chat_full_info_json(chat_id: i64) -> Value {
    let mut chat = chat_json(chat_id);
    chat["accent_color_id"] = json!(0);
    chat["max_reaction_count"] = json!(11);
    chat["accepted_gift_types"] = json!({
        "unlimited_gifts": false,
        "limited_gifts": false,
        "unique_gifts": false,
        "premium_subscription": false,
        "gifts_from_channels": false,
    });
    chat
}

/// A message the bot sent, as Telegram returns it.
fn message_json(message: &StoredMessage, edited: bool) -> Value {
    let mut json = json!({
        "message_id": message.message_id,
        "from": bot_user_json(false),
        "chat": chat_json(message.chat_id),
        "date": unix_now(),
        "text": message.text,
    });
    if let Some(media) = &message.media {
        media::media_json(message, media, &mut json);
    }
    if let Some(markup) = &message.reply_markup {
        json["reply_markup"] = markup.clone();
    }
    if edited || message.edit_count > 0 {
        json["edit_date"] = json!(unix_now());
    }
    json
}

/// A user's text message, with the `bot_command` entity Telegram adds for a leading `/command`.
fn user_text_message(message_id: i64, chat: Value, from: Value, text: &str) -> Value {
    let mut message = json!({
        "message_id": message_id,
        "from": from,
        "chat": chat,
        "date": unix_now(),
        "text": text,
    });
    if let Some(command) = leading_bot_command(text) {
        message["entities"] = json!([{
            "type": "bot_command",
            "offset": 0,
            "length": telegram_html::utf16_len(command),
        }]);
    }
    message
}

/// `/start` or `/start@some_bot` at the start of `text`.
fn leading_bot_command(text: &str) -> Option<&str> {
    let token = text.split_whitespace().next()?;
    let name = token.strip_prefix('/')?;
    let command = name.split('@').next().unwrap_or("");
    let is_command = !command.is_empty()
        && command.len() <= 32
        && command
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    (is_command && text.starts_with('/')).then_some(token)
}

// ----- outages -------------------------------------------------------------------------------

/// Accepts connections like a `TcpListener`, except during an outage: then a new connection is
/// closed at once, and an open one fails at its next read or write, so the client sees the
/// connection errors of a network that is down.
struct OutageListener {
    listener: TcpListener,
    outage: Arc<AtomicBool>,
}

impl axum::serve::Listener for OutageListener {
    type Io = OutageStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            if self.outage.load(Ordering::SeqCst) {
                drop(stream);
                continue;
            }
            let outage = Arc::clone(&self.outage);
            return (OutageStream { stream, outage }, address);
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

struct OutageStream {
    stream: TcpStream,
    outage: Arc<AtomicBool>,
}

impl OutageStream {
    fn check(&self) -> io::Result<()> {
        if self.outage.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "the fake Telegram server is in an outage",
            ));
        }
        Ok(())
    }
}

impl AsyncRead for OutageStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        // What arrived during an outage never reaches the server.
        if polled.is_ready()
            && buf.filled().len() > before
            && let Err(e) = self.check()
        {
            return Poll::Ready(Err(e));
        }
        polled
    }
}

impl AsyncWrite for OutageStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check() {
            return Poll::Ready(Err(e));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
