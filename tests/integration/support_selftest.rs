//! Tests of the test support itself: the fakes must behave like the real services, or the bot's
//! integration tests prove nothing.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use teloxide::{
    ApiError, RequestError,
    payloads::{EditMessageTextSetters, SendMessageSetters},
    prelude::*,
    types::{ChatId, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode, UpdateKind},
};

use crate::support::{
    fake_telegram::{FakeTelegram, Fault},
    feed_server::FeedServer,
    fixtures,
};

const USER: i64 = 1001;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Raw POST to the fake, for requests teloxide would never send.
async fn post(fake: &FakeTelegram, token: &str, method: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}bot{token}/{method}", fake.api_url()))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("the fake answers");
    let status = response.status().as_u16();
    let body = response.text().await.expect("a body");
    (status, serde_json::from_str(&body).expect("a JSON body"))
}

#[tokio::test]
async fn get_me_deserialises_into_teloxides_me() {
    let fake = FakeTelegram::start().await;
    let me = fake.bot().get_me().await.expect("getMe succeeds");
    assert_eq!(me.username(), FakeTelegram::BOT_USERNAME);
    assert!(me.is_bot);
    assert_eq!(fake.calls()[0].method, "getMe");
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn send_message_with_valid_html_returns_the_visible_text() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let first = bot
        .send_message(
            ChatId(USER),
            "<b>سلام</b> &amp; <a href=\"https://example.org\">خبر</a>",
        )
        .parse_mode(ParseMode::Html)
        .await
        .expect("valid HTML is accepted");
    assert_eq!(first.text(), Some("سلام & خبر"));
    assert_eq!(first.chat.id, ChatId(USER));
    assert!(first.chat.is_private());
    assert_eq!(first.from.as_ref().map(|user| user.is_bot), Some(true));

    let second = bot.send_message(ChatId(USER), "plain").await.unwrap();
    assert_eq!(second.id.0, first.id.0 + 1, "message ids increase per chat");

    let group = bot.send_message(ChatId(-42), "hi group").await.unwrap();
    assert!(group.chat.is_group());
    let supergroup = bot
        .send_message(ChatId(-1_001_234_567_890), "hi supergroup")
        .await
        .unwrap();
    assert!(supergroup.chat.is_supergroup());

    assert_eq!(fake.texts_to(USER), ["سلام & خبر", "plain"]);
    assert_eq!(fake.calls_to("SENDMESSAGE").len(), 4);
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn invalid_html_is_rejected_as_cant_parse_entities() {
    let fake = FakeTelegram::start().await;
    let error = fake
        .bot()
        .send_message(ChatId(USER), "<b>unclosed")
        .parse_mode(ParseMode::Html)
        .await
        .expect_err("unclosed tags are rejected");
    match error {
        RequestError::Api(ApiError::CantParseEntities(description)) => assert_eq!(
            description,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
        ),
        other => panic!("expected CantParseEntities, got {other:?}"),
    }
    let violations = fake.contract_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].starts_with("sendMessage: Bad Request: can't parse entities"));
    assert!(fake.texts_to(USER).is_empty());
    assert!(!fake.calls()[0].accepted);
}

#[tokio::test]
async fn text_limits_are_counted_in_utf16_after_entity_parsing() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    // 4096 visible characters wrapped in tags: fine.
    let at_limit = format!("<b>{}</b>", "ب".repeat(4096));
    bot.send_message(ChatId(USER), at_limit)
        .parse_mode(ParseMode::Html)
        .await
        .expect("4096 visible characters are allowed");
    // 2049 emoji are 4098 UTF-16 units.
    let error = bot
        .send_message(ChatId(USER), "👍".repeat(2049))
        .await
        .unwrap_err();
    assert!(
        matches!(error, RequestError::Api(ApiError::MessageIsTooLong)),
        "{error:?}"
    );
    let error = bot.send_message(ChatId(USER), "  ").await.unwrap_err();
    assert!(
        matches!(error, RequestError::Api(ApiError::MessageTextIsEmpty)),
        "{error:?}"
    );
    assert_eq!(fake.contract_violations().len(), 2);
}

#[tokio::test]
async fn faults_map_to_teloxides_error_variants() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let send = |chat: i64| bot.send_message(ChatId(chat), "x").into_future();

    fake.inject(1, Fault::Blocked);
    fake.inject(1, Fault::RetryAfter(7));
    fake.inject(1, Fault::Migrate(-1_009_876_543_210));
    fake.inject(1, Fault::Deactivated);
    fake.inject(1, Fault::ChatNotFound);
    fake.inject(1, Fault::Kicked);
    fake.inject(1, Fault::CantInitiate);

    assert!(matches!(
        send(1).await,
        Err(RequestError::Api(ApiError::BotBlocked))
    ));
    match send(1).await {
        Err(RequestError::RetryAfter(seconds)) => assert_eq!(seconds.seconds(), 7),
        other => panic!("expected RetryAfter, got {other:?}"),
    }
    assert!(matches!(
        send(1).await,
        Err(RequestError::MigrateToChatId(ChatId(-1_009_876_543_210)))
    ));
    assert!(matches!(
        send(1).await,
        Err(RequestError::Api(ApiError::UserDeactivated))
    ));
    assert!(matches!(
        send(1).await,
        Err(RequestError::Api(ApiError::ChatNotFound))
    ));
    // teloxide 0.17 predates the "Forbidden: …" wording of these two, so they arrive as Unknown.
    match send(1).await {
        Err(RequestError::Api(ApiError::Unknown(text))) => {
            assert_eq!(text, "Forbidden: bot was kicked from the group chat")
        }
        other => panic!("expected Unknown(kicked), got {other:?}"),
    }
    match send(1).await {
        Err(RequestError::Api(ApiError::Unknown(text))) => {
            assert_eq!(
                text,
                "Forbidden: bot can't initiate conversation with a user"
            )
        }
        other => panic!("expected Unknown(can't initiate), got {other:?}"),
    }
    // The queue is used up: the next request goes through.
    send(1).await.expect("no fault left");
    // Other chats were never affected.
    send(2).await.expect("chat 2 has no faults");

    fake.inject_persistent(3, Fault::Blocked);
    for _ in 0..3 {
        assert!(matches!(
            send(3).await,
            Err(RequestError::Api(ApiError::BotBlocked))
        ));
    }
    fake.clear_faults();
    send(3).await.expect("faults cleared");

    let rejected: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|call| !call.accepted)
        .collect();
    assert_eq!(rejected.len(), 10);
    assert_eq!(
        rejected[1].error.as_deref(),
        Some("Too Many Requests: retry after 7")
    );
    assert_eq!(fake.texts_to(1), ["x"]);
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn error_responses_have_telegrams_shape() {
    let fake = FakeTelegram::start().await;
    fake.inject(5, Fault::RetryAfter(3));
    let (status, body) = post(
        &fake,
        FakeTelegram::TOKEN,
        "sendMessage",
        json!({"chat_id": 5, "text": "x"}),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 3",
               "parameters": {"retry_after": 3}})
    );
}

#[tokio::test]
async fn server_error_is_a_500_like_telegrams() {
    // Checked on the wire: teloxide would wait 10 s after a 5xx before reporting it.
    let fake = FakeTelegram::start().await;
    fake.inject(5, Fault::ServerError);
    let (status, body) = post(
        &fake,
        FakeTelegram::TOKEN,
        "sendMessage",
        json!({"chat_id": 5, "text": "x"}),
    )
    .await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        json!({"ok": false, "error_code": 500, "description": "Internal Server Error"})
    );
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn get_chat_deserialises_into_teloxides_chat_full_info() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let private = bot.get_chat(ChatId(USER)).await.expect("getChat works");
    assert_eq!(private.id, ChatId(USER));
    assert!(private.is_private());
    let group = bot.get_chat(ChatId(-5)).await.unwrap();
    assert!(group.is_group());
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn slow_fault_delays_but_succeeds() {
    let fake = FakeTelegram::start().await;
    fake.inject(USER, Fault::Slow(Duration::from_millis(300)));
    let started = Instant::now();
    fake.bot().send_message(ChatId(USER), "x").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let fake = FakeTelegram::start().await;
    let bot = Bot::new("999:wrong").set_api_url(fake.api_url().parse().unwrap());
    let error = bot.get_me().await.unwrap_err();
    assert!(
        matches!(error, RequestError::Api(ApiError::InvalidToken)),
        "{error:?}"
    );
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn contract_breaches_are_rejected_and_recorded() {
    let fake = FakeTelegram::start().await;
    let token = FakeTelegram::TOKEN;

    let (status, body) = post(&fake, token, "sendTelepathy", json!({})).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (404, Some("Not Found"))
    );

    let (status, body) = post(&fake, token, "sendMessage", json!({"chat_id": 1})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "Bad Request: required parameter \"text\" is missing"
    );

    let (_, body) = post(
        &fake,
        token,
        "sendMessage",
        json!({"chat_id": 1, "text": "x", "disable_web_page_preview": true}),
    )
    .await;
    assert_eq!(
        body["description"],
        "Bad Request: unknown parameter \"disable_web_page_preview\" for method sendMessage"
    );

    let (_, body) = post(
        &fake,
        token,
        "sendMessage",
        json!({"chat_id": 1, "text": "x", "parse_mode": "html5"}),
    )
    .await;
    assert_eq!(
        body["description"],
        "Bad Request: unsupported parse_mode \"html5\""
    );

    let long_data = "d".repeat(65);
    let (_, body) = post(
        &fake,
        token,
        "sendMessage",
        json!({"chat_id": 1, "text": "x", "reply_markup":
            {"inline_keyboard": [[{"text": "b", "callback_data": long_data}]]}}),
    )
    .await;
    assert_eq!(body["description"], "Bad Request: BUTTON_DATA_INVALID");

    let (_, body) = post(
        &fake,
        token,
        "setMyCommands",
        json!({"commands": [{"command": "Start", "description": "x"}]}),
    )
    .await;
    assert!(
        body["description"]
            .as_str()
            .unwrap()
            .starts_with("Bad Request: BOT_COMMAND_INVALID")
    );

    let results: Vec<Value> = (0..51)
        .map(|i| {
            json!({"type": "article", "id": i.to_string(), "title": "t",
                        "input_message_content": {"message_text": "m"}})
        })
        .collect();
    let query_id = fake.push_inline_query(USER, "q");
    let (_, body) = post(
        &fake,
        token,
        "answerInlineQuery",
        json!({"inline_query_id": query_id, "results": results}),
    )
    .await;
    assert_eq!(body["description"], "Bad Request: RESULTS_TOO_MUCH");

    let violations = fake.contract_violations();
    assert_eq!(violations.len(), 7, "{violations:#?}");
    assert!(violations[0].starts_with("sendTelepathy: Not Found"));
    assert_eq!(fake.calls().len(), 7);
    assert!(
        fake.calls_to("sendMessage").is_empty(),
        "rejected calls are not 'calls_to'"
    );
}

#[tokio::test]
async fn set_my_commands_is_checked_and_remembered() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    bot.set_my_commands([teloxide::types::BotCommand::new("start", "شروع")])
        .language_code("fa")
        .await
        .expect("valid commands");
    assert_eq!(
        fake.my_commands(Some("fa")),
        [json!({"command": "start", "description": "شروع"})]
    );
    let commands = bot.get_my_commands().language_code("fa").await.unwrap();
    assert_eq!(commands[0].command, "start");
    assert!(bot.get_my_commands().await.unwrap().is_empty());
    fake.assert_no_contract_violations();
}

#[tokio::test]
async fn edit_and_delete_follow_telegrams_rules() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("بعدی", "page:2")]]);
    let sent = bot
        .send_message(ChatId(USER), "page 1")
        .reply_markup(keyboard.clone())
        .await
        .unwrap();

    let edited = bot
        .edit_message_text(ChatId(USER), sent.id, "<i>page 2</i>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard.clone())
        .await
        .expect("edit succeeds");
    assert_eq!(edited.text(), Some("page 2"));
    assert!(edited.edit_date().is_some());

    let same_again = bot
        .edit_message_text(ChatId(USER), sent.id, "<i>page 2</i>")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard)
        .await
        .unwrap_err();
    assert!(
        matches!(same_again, RequestError::Api(ApiError::MessageNotModified)),
        "{same_again:?}"
    );

    let missing = bot
        .edit_message_text(ChatId(USER), MessageId(999), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, RequestError::Api(ApiError::MessageToEditNotFound)),
        "{missing:?}"
    );

    bot.delete_message(ChatId(USER), sent.id)
        .await
        .expect("delete succeeds");
    let again = bot.delete_message(ChatId(USER), sent.id).await.unwrap_err();
    assert!(
        matches!(again, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{again:?}"
    );

    let messages = fake.messages_in(USER);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].text, "page 2");
    assert_eq!(messages[0].raw_text, "<i>page 2</i>");
    assert_eq!(messages[0].edit_count, 1);
    assert!(messages[0].deleted);
    assert_eq!(fake.texts_to(USER), ["page 2"]);
    assert_eq!(fake.contract_violations().len(), 3);
}

/// Inline keyboard buttons are held to the spec's `InlineKeyboardButton`: known fields,
/// exactly one action, URLs Telegram opens, a well-formed chosen-chat object, and at most
/// 100 buttons under one message; inline results' keyboards too.
#[tokio::test]
async fn inline_keyboards_are_checked_against_the_spec() {
    let fake = FakeTelegram::start().await;
    let token = FakeTelegram::TOKEN;
    let send = |buttons: Value| json!({"chat_id": 1, "text": "x", "reply_markup": {"inline_keyboard": buttons}});
    let refused = [
        (json!([[{"text": "b"}]]), "Text buttons are unallowed"),
        (
            json!([[{"text": "b", "callback_data": "1", "url": "https://a.example"}]]),
            "exactly one of the optional fields",
        ),
        (
            json!([[{"text": "b", "callback_data": "1", "colour": "red"}]]),
            "unknown field \"colour\"",
        ),
        (
            json!([[{"text": "b", "url": "javascript:alert(1)"}]]),
            "Unsupported URL protocol",
        ),
        (
            json!([[{"text": "b", "switch_inline_query_chosen_chat": "#1"}]]),
            "must be an Object",
        ),
        (
            json!([[{"text": "b", "switch_inline_query_chosen_chat": {"query": "#1", "allow_pets": true}}]]),
            "unknown field \"allow_pets\"",
        ),
        (
            json!([[{"text": "b", "switch_inline_query_chosen_chat": {"query": 1}}]]),
            "wrong type",
        ),
        (
            Value::Array(
                (0..101)
                    .map(|i| json!([{"text": "b", "callback_data": i.to_string()}]))
                    .collect(),
            ),
            "reply markup is too long",
        ),
    ];
    for (buttons, reason) in &refused {
        let (status, body) = post(&fake, token, "sendMessage", send(buttons.clone())).await;
        assert_eq!(status, 400, "{buttons}");
        let description = body["description"].as_str().unwrap_or_default();
        assert!(description.contains(reason), "{description} for {buttons}");
    }
    let accepted = json!([[
        {"text": "📖", "callback_data": "t:1"},
        {"text": "↗️", "switch_inline_query_chosen_chat":
            {"query": "#1", "allow_user_chats": true, "allow_group_chats": true}},
        {"text": "🌐", "url": "https://example.org/1"}
    ]]);
    let (status, _) = post(&fake, token, "sendMessage", send(accepted)).await;
    assert_eq!(status, 200);

    let query_id = fake.push_inline_query(USER, "#1");
    let (_, body) = post(
        &fake,
        token,
        "answerInlineQuery",
        json!({"inline_query_id": query_id, "results": [{"type": "article", "id": "1",
            "title": "t", "input_message_content": {"message_text": "m"},
            "reply_markup": {"inline_keyboard": [[{"text": "b"}]]}}]}),
    )
    .await;
    assert!(
        body["description"]
            .as_str()
            .unwrap_or_default()
            .contains("Text buttons are unallowed"),
        "{body}"
    );

    // A button's answer may open only a bot, with a parameter.
    let pressed = fake.push_callback(USER, USER, 1, "t:1");
    let (_, body) = post(
        &fake,
        token,
        "answerCallbackQuery",
        json!({"callback_query_id": pressed, "url": "https://example.org/"}),
    )
    .await;
    assert_eq!(body["description"], "Bad Request: URL_INVALID");
    let (status, _) = post(
        &fake,
        token,
        "answerCallbackQuery",
        json!({"callback_query_id": pressed, "url": "https://t.me/jarchi_test_bot?start=full_1"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(fake.contract_violations().len(), refused.len() + 2);
}

#[tokio::test]
async fn pushed_updates_deserialise_into_teloxides_types() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let sent = bot.send_message(ChatId(USER), "menu").await.unwrap();

    let text_id = fake.push_private_text(USER, "/start@jarchi_test_bot now", Some("fa"));
    fake.push_group_text(-77, USER, "hello group");
    let callback_id = fake.push_callback(USER, USER, sent.id.0 as i64, "lang:fa");
    let stale_callback_id = fake.push_callback(USER, USER, 12345, "old");
    let inline_id = fake.push_inline_query(USER, "سلام");

    let updates = bot.get_updates().await.expect("updates deserialise");
    assert_eq!(updates.len(), 5);
    let ids: Vec<i64> = updates.iter().map(|update| update.id.0 as i64).collect();
    assert!(ids.windows(2).all(|pair| pair[1] == pair[0] + 1), "{ids:?}");

    let UpdateKind::Message(message) = &updates[0].kind else {
        panic!("expected a message, got {:?}", updates[0].kind);
    };
    assert_eq!(message.id.0 as i64, text_id);
    assert!(
        text_id > sent.id.0 as i64,
        "user and bot messages share the chat's id sequence"
    );
    assert_eq!(
        message.from.as_ref().unwrap().language_code.as_deref(),
        Some("fa")
    );
    let entities = message.entities().unwrap();
    assert_eq!(
        entities[0].kind,
        teloxide::types::MessageEntityKind::BotCommand
    );
    assert_eq!(entities[0].length, "/start@jarchi_test_bot".len());

    let UpdateKind::Message(group_message) = &updates[1].kind else {
        panic!("expected a group message");
    };
    assert!(group_message.chat.is_group());

    let UpdateKind::CallbackQuery(query) = &updates[2].kind else {
        panic!("expected a callback query");
    };
    assert_eq!(query.id.0, callback_id);
    assert_eq!(query.data.as_deref(), Some("lang:fa"));
    assert_eq!(
        query
            .message
            .as_ref()
            .and_then(|m| m.regular_message())
            .and_then(|m| m.text()),
        Some("menu")
    );
    let UpdateKind::CallbackQuery(stale) = &updates[3].kind else {
        panic!("expected a callback query");
    };
    assert!(stale.message.as_ref().unwrap().regular_message().is_none());

    let UpdateKind::InlineQuery(inline) = &updates[4].kind else {
        panic!("expected an inline query");
    };
    assert_eq!(inline.query, "سلام");

    bot.answer_callback_query(query.id.clone())
        .await
        .expect("known query id");
    bot.answer_callback_query(stale_callback_id.into())
        .await
        .expect("known query id");
    bot.answer_inline_query(inline_id.into(), [])
        .await
        .expect("known inline query id");
    let unknown = bot
        .answer_callback_query("no-such-query".to_owned().into())
        .await
        .unwrap_err();
    assert!(
        matches!(unknown, RequestError::Api(ApiError::InvalidQueryId)),
        "{unknown:?}"
    );

    // Confirming with a higher offset forgets the delivered updates.
    let next_offset = updates.last().unwrap().id.0 as i32 + 1;
    assert!(
        bot.get_updates()
            .offset(next_offset)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(bot.get_updates().await.unwrap().is_empty());
    assert_eq!(
        fake.contract_violations().len(),
        1,
        "only the unknown query id"
    );
}

#[tokio::test]
async fn long_poll_wakes_up_when_an_update_is_pushed() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    let poll = tokio::spawn(async move { bot.get_updates().timeout(30).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    fake.push_private_text(USER, "hi", None);
    let updates = poll.await.unwrap().unwrap();
    assert_eq!(updates.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(1), "woke up late");

    // With nothing to deliver, a long poll ends after at most two seconds.
    let started = Instant::now();
    let offset = updates[0].id.0 as i32 + 1;
    let empty = fake
        .bot()
        .get_updates()
        .offset(offset)
        .timeout(30)
        .await
        .unwrap();
    assert!(empty.is_empty());
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_teloxide_dispatcher_runs_against_the_fake() {
    let fake = FakeTelegram::start().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, message: Message| async move {
        let reply = format!("echo: {}", message.text().unwrap_or_default());
        bot.send_message(message.chat.id, reply).await?;
        Ok::<(), RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(fake.bot(), handler).build();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    fake.push_private_text(USER, "/start", Some("fa"));
    fake.wait_for("sendMessage", 1, TIMEOUT).await;
    assert_eq!(fake.texts_to(USER), ["echo: /start"]);
    running.abort();
    fake.assert_no_contract_violations();
}

#[tokio::test]
#[should_panic(expected = "waited")]
async fn wait_for_panics_with_the_calls_seen() {
    let fake = FakeTelegram::start().await;
    fake.wait_for("sendMessage", 1, Duration::from_millis(50))
        .await;
}

#[tokio::test]
async fn max_in_window_counts_sends_per_window() {
    let fake = FakeTelegram::start().await;
    let bot = fake.bot();
    for chat in [1, 1, 2] {
        bot.send_message(ChatId(chat), "x").await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    bot.send_message(ChatId(2), "y").await.unwrap();

    assert_eq!(fake.max_in_window(Duration::from_secs(1), None), 4);
    assert_eq!(fake.max_in_window(Duration::from_millis(200), None), 3);
    assert_eq!(fake.max_in_window(Duration::from_secs(1), Some(1)), 2);
    assert_eq!(fake.max_in_window(Duration::from_millis(200), Some(2)), 1);
    assert_eq!(fake.max_in_window(Duration::from_secs(1), Some(3)), 0);
}

#[tokio::test]
async fn feed_server_serves_conditional_gets() {
    let feeds = FeedServer::start().await;
    feeds.set("/feed.rss", "application/rss+xml", fixtures::FEED_RSS);
    let client = reqwest::Client::new();

    let first = client
        .get(feeds.url("/feed.rss"))
        .header("user-agent", "jarchi-test")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/rss+xml");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let last_modified = first.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(first.text().await.unwrap(), fixtures::FEED_RSS);
    assert_eq!(Some(etag.clone()), feeds.etag("feed.rss"));

    let by_etag = client
        .get(feeds.url("/feed.rss"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(by_etag.status(), 304);
    let by_date = client
        .get(feeds.url("/feed.rss"))
        .header("if-modified-since", &last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(by_date.status(), 304);

    // New content: new validators, and both old ones stop matching.
    feeds.set("/feed.rss", "application/rss+xml", fixtures::FEED_ATOM);
    assert_ne!(feeds.etag("/feed.rss").unwrap(), etag);
    for (name, value) in [
        ("if-none-match", &etag),
        ("if-modified-since", &last_modified),
    ] {
        let response = client
            .get(feeds.url("/feed.rss"))
            .header(name, value)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{name}");
    }

    let requests = feeds.requests("/feed.rss");
    let statuses: Vec<u16> = requests.iter().map(|request| request.status_sent).collect();
    assert_eq!(statuses, [200, 304, 304, 200, 200]);
    assert_eq!(requests[0].user_agent.as_deref(), Some("jarchi-test"));
    assert_eq!(requests[1].if_none_match.as_deref(), Some(etag.as_str()));
    assert_eq!(
        requests[2].if_modified_since.as_deref(),
        Some(last_modified.as_str())
    );
}

#[tokio::test]
async fn feed_server_errors_redirects_and_delays() {
    let feeds = FeedServer::start().await;
    let client = reqwest::Client::new();
    let status_of = |path: &str| {
        let request = client.get(feeds.url(path)).send();
        async move { request.await.unwrap().status().as_u16() }
    };

    assert_eq!(status_of("/missing").await, 404);
    assert_eq!(feeds.requests("/missing")[0].status_sent, 404);

    feeds.set("/atom", "application/atom+xml", fixtures::FEED_ATOM);
    feeds.set_status("/atom", 503);
    assert_eq!(status_of("/atom").await, 503);
    feeds.set_status("/atom", 200);
    assert_eq!(status_of("/atom").await, 200);

    feeds.set_redirect("/old", "/atom");
    let followed = client.get(feeds.url("/old")).send().await.unwrap();
    assert_eq!(followed.status(), 200);
    assert_eq!(followed.url().path(), "/atom");
    assert_eq!(feeds.requests("/old")[0].status_sent, 301);

    feeds.set_delay("/atom", Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(status_of("/atom").await, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}
