//! The fake's media methods: sendPhoto, sendVideo, sendAudio, sendVoice, sendAnimation,
//! sendDocument, sendMediaGroup, editMessageCaption, deleteMessages and copyMessage, with
//! the rules Telegram applies that the spec only describes in prose: a caption of at most
//! 1024 UTF-16 units after entity parsing, albums of 2–10 items of kinds that may mix.

use serde_json::{Value, json};

use super::{
    Rejection, ServerState, StoredMessage, chat_id_of, chat_not_found, inline_keyboard_of,
    message_json, message_to_edit, replace_content, shown_text, telegram_html,
};

/// Telegram's limit on a caption, in UTF-16 code units after entity parsing.
pub const MAX_CAPTION_UTF16_LEN: usize = 1024;

/// The file a media message shows, as the bot sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMedia {
    /// `photo`, `video`, `audio`, `voice`, `animation` or `document`.
    pub kind: String,
    /// The `file_id` or URL the bot passed.
    pub file: String,
    /// Shared by the messages of one `sendMediaGroup`.
    pub media_group_id: Option<String>,
}

/// The send method of each kind, and the parameter that carries its file.
pub(super) fn media_method(method: &str) -> Option<&'static str> {
    Some(match method {
        "sendPhoto" => "photo",
        "sendVideo" => "video",
        "sendAudio" => "audio",
        "sendVoice" => "voice",
        "sendAnimation" => "animation",
        "sendDocument" => "document",
        _ => return None,
    })
}

/// What a caption shows, after checking Telegram's limits; empty for none.
fn visible_caption(params: &Value) -> Result<String, Rejection> {
    let Some(raw) = params.get("caption").filter(|c| !c.is_null()) else {
        return Ok(String::new());
    };
    let Some(raw) = raw.as_str() else {
        return Err(Rejection::contract(
            "Bad Request: parameter \"caption\" must be a string",
        ));
    };
    let text = shown_text(raw, params)?;
    if telegram_html::utf16_len(&text) > MAX_CAPTION_UTF16_LEN {
        return Err(Rejection::contract(
            "Bad Request: message caption is too long",
        ));
    }
    Ok(text)
}

/// Checks a media request before it is carried out (what `check_method_rules` does for text).
pub(super) fn check_media_rules(method: &str, params: &Value) -> Result<(), Rejection> {
    if let Some(kind) = media_method(method) {
        file_of(params, kind)?;
        return visible_caption(params).map(drop);
    }
    match method {
        "sendMediaGroup" => album_items(params).map(drop),
        "editMessageCaption" => visible_caption(params).map(drop),
        "deleteMessages" => message_ids(params).map(drop),
        _ => Ok(()),
    }
}

fn file_of(params: &Value, kind: &str) -> Result<String, Rejection> {
    match params.get(kind) {
        Some(Value::String(file)) if !file.trim().is_empty() => Ok(file.clone()),
        _ => Err(Rejection::contract(format!(
            "Bad Request: there is no {kind} in the request"
        ))),
    }
}

/// The items of a `sendMediaGroup`: 2–10, of kinds that may share an album, each with a
/// caption Telegram accepts.
fn album_items(params: &Value) -> Result<Vec<Value>, Rejection> {
    let parsed;
    let media = match &params["media"] {
        Value::String(serialised) => {
            parsed = serde_json::from_str::<Value>(serialised)
                .map_err(|_| Rejection::contract("Bad Request: can't parse media JSON array"))?;
            &parsed
        }
        other => other,
    };
    let items = media
        .as_array()
        .ok_or_else(|| Rejection::contract("Bad Request: media must be an Array"))?;
    if !(2..=10).contains(&items.len()) {
        return Err(Rejection::contract(
            "Bad Request: media group must include 2-10 items",
        ));
    }
    let family = |kind: &str| match kind {
        "photo" | "video" => Some("visual"),
        "audio" => Some("audio"),
        "document" => Some("document"),
        _ => None,
    };
    let first = family(items[0]["type"].as_str().unwrap_or_default());
    for item in items {
        let kind = item["type"].as_str().unwrap_or_default();
        if family(kind).is_none() || family(kind) != first {
            return Err(Rejection::contract(format!(
                "Bad Request: {kind} can't be mixed with other media types in an album"
            )));
        }
        if item["media"].as_str().is_none_or(str::is_empty) {
            return Err(Rejection::contract(
                "Bad Request: media item without a file",
            ));
        }
        visible_caption(item)?;
    }
    Ok(items.clone())
}

fn message_ids(params: &Value) -> Result<Vec<i64>, Rejection> {
    let parsed;
    let ids = match &params["message_ids"] {
        Value::String(serialised) => {
            parsed = serde_json::from_str::<Value>(serialised).unwrap_or(Value::Null);
            &parsed
        }
        other => other,
    };
    let ids: Vec<i64> = ids
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if !(1..=100).contains(&ids.len()) {
        return Err(Rejection::contract(
            "Bad Request: message_ids must hold 1-100 message identifiers",
        ));
    }
    Ok(ids)
}

fn store(
    state: &mut ServerState,
    chat_id: i64,
    caption: String,
    params: &Value,
    media: Option<StoredMedia>,
) -> Value {
    let chat = state.chats.entry(chat_id).or_default();
    let message = StoredMessage {
        chat_id,
        message_id: chat.next_message_id(),
        text: caption,
        raw_text: params["caption"].as_str().unwrap_or_default().to_owned(),
        parse_mode: params["parse_mode"].as_str().map(str::to_owned),
        reply_markup: inline_keyboard_of(params),
        deleted: false,
        edit_count: 0,
        media,
    };
    let result = message_json(&message, false);
    chat.bot_messages.push(message);
    result
}

/// sendPhoto, sendVideo, sendAudio, sendVoice, sendAnimation and sendDocument.
pub(super) fn send_media(
    state: &mut ServerState,
    method: &str,
    params: &Value,
) -> Result<Value, Rejection> {
    let kind = media_method(method).expect("a media method");
    let chat_id = params["chat_id"].as_i64().ok_or_else(chat_not_found)?;
    let file = file_of(params, kind)?;
    let caption = visible_caption(params)?;
    let media = StoredMedia {
        kind: kind.to_owned(),
        file,
        media_group_id: None,
    };
    Ok(store(state, chat_id, caption, params, Some(media)))
}

pub(super) fn send_media_group(
    state: &mut ServerState,
    params: &Value,
) -> Result<Value, Rejection> {
    let chat_id = params["chat_id"].as_i64().ok_or_else(chat_not_found)?;
    let items = album_items(params)?;
    state.last_query_number += 1;
    let group = format!("album-{}", state.last_query_number);
    let mut sent = Vec::new();
    for item in &items {
        let caption = visible_caption(item)?;
        let media = StoredMedia {
            kind: item["type"].as_str().unwrap_or_default().to_owned(),
            file: item["media"].as_str().unwrap_or_default().to_owned(),
            media_group_id: Some(group.clone()),
        };
        sent.push(store(state, chat_id, caption, item, Some(media)));
    }
    Ok(Value::Array(sent))
}

pub(super) fn edit_message_caption(
    state: &mut ServerState,
    params: &Value,
) -> Result<Value, Rejection> {
    let caption = visible_caption(params)?;
    let Some(message) = message_to_edit(state, params)? else {
        return Ok(json!(true));
    };
    if message.media.is_none() {
        return Err(Rejection::contract(
            "Bad Request: there is no caption in the message to edit",
        ));
    }
    let raw = params["caption"].as_str().unwrap_or_default().to_owned();
    replace_content(message, caption, raw, params)
}

/// Deletes what it finds and skips the rest, as Telegram does.
pub(super) fn delete_messages(state: &mut ServerState, params: &Value) -> Result<Value, Rejection> {
    let chat_id = params
        .get("chat_id")
        .and_then(chat_id_of)
        .ok_or_else(chat_not_found)?;
    let ids = message_ids(params)?;
    if let Some(chat) = state.chats.get_mut(&chat_id) {
        for id in ids {
            chat.user_message_ids.remove(&id);
            if let Some(message) = chat.bot_message_mut(id) {
                message.deleted = true;
            }
        }
    }
    Ok(json!(true))
}

/// A copy of a message the bot may see: answered with the copy's id. The fake keeps no
/// users' messages, so the copy is stored as a caption-less document placeholder.
pub(super) fn copy_message(state: &mut ServerState, params: &Value) -> Result<Value, Rejection> {
    let chat_id = params
        .get("chat_id")
        .and_then(chat_id_of)
        .ok_or_else(chat_not_found)?;
    let caption = visible_caption(params)?;
    let copy = store(state, chat_id, caption, params, None);
    Ok(json!({ "message_id": copy["message_id"] }))
}

/// The fields a media message has in Telegram's answer, in place of `text`.
pub(super) fn media_json(message: &StoredMessage, media: &StoredMedia, json: &mut Value) {
    let file = json!({
        "file_id": media.file,
        "file_unique_id": format!("u-{}", media.file.len()),
    });
    let sized = |mut v: Value| {
        v["width"] = json!(640);
        v["height"] = json!(480);
        v
    };
    // teloxide cannot read these kinds without a MIME type; Telegram always gives one.
    let kind = media.kind.as_str();
    let timed = |mut v: Value| {
        v["duration"] = json!(3);
        v["mime_type"] = json!(if kind == "audio" || kind == "voice" {
            "audio/ogg"
        } else {
            "video/mp4"
        });
        v
    };
    let object = json.as_object_mut().expect("a message is an object");
    object.remove("text");
    match media.kind.as_str() {
        "photo" => {
            object.insert("photo".into(), json!([sized(file)]));
        }
        "video" | "animation" => {
            object.insert(media.kind.clone(), timed(sized(file.clone())));
            if media.kind == "animation" {
                object.insert("document".into(), file);
            }
        }
        "audio" | "voice" => {
            object.insert(media.kind.clone(), timed(file));
        }
        _ => {
            object.insert("document".into(), file);
        }
    }
    if !message.text.is_empty() {
        object.insert("caption".into(), json!(message.text));
    }
    if let Some(group) = &media.media_group_id {
        object.insert("media_group_id".into(), json!(group));
    }
}
