//! What reaches the log when something goes wrong between Telegram and the handlers.
//! teloxide's own reporting writes whole updates and whole replies (names, texts, chat ids)
//! at ERROR; these say only what kind of thing went wrong.

use std::future::Ready;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FilterMap;
use teloxide::RequestError;
use teloxide::error_handlers::ErrorHandler;
use teloxide::stop::StopToken;
use teloxide::types::{AllowedUpdate, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};

use super::HandlerError;

/// An update listener that takes out the updates teloxide could not read, before the
/// dispatcher sees them: the dispatcher would log each one whole at ERROR. Each is logged
/// here by its kind only (`message`, `business_message` …) and skipped.
pub struct SkipUnreadable<L>(pub L);

type Screened<E> = Option<Result<Update, E>>;

impl<'a, L> AsUpdateStream<'a> for SkipUnreadable<L>
where
    L: UpdateListener + 'static,
    L::Err: Send + 'static,
{
    type StreamErr = L::Err;
    #[allow(clippy::type_complexity)]
    type Stream = FilterMap<
        <L as AsUpdateStream<'a>>::Stream,
        Ready<Screened<L::Err>>,
        fn(Result<Update, L::Err>) -> Ready<Screened<L::Err>>,
    >;

    fn as_stream(&'a mut self) -> Self::Stream {
        self.0.as_stream().filter_map(screen::<L::Err>)
    }
}

impl<L> UpdateListener for SkipUnreadable<L>
where
    L: UpdateListener + 'static,
    L::Err: Send + 'static,
{
    type Err = L::Err;

    fn stop_token(&mut self) -> StopToken {
        self.0.stop_token()
    }

    fn hint_allowed_updates(&mut self, hint: &mut dyn Iterator<Item = AllowedUpdate>) {
        self.0.hint_allowed_updates(hint);
    }
}

fn screen<E>(update: Result<Update, E>) -> Ready<Screened<E>> {
    std::future::ready(match update {
        Ok(Update {
            kind: UpdateKind::Error(raw),
            ..
        }) => {
            tracing::warn!(
                kind = unreadable_kind(&raw),
                "skipped an update this version cannot read"
            );
            None
        }
        other => Some(other),
    })
}

/// The update's field name (Telegram's word for its kind), never its contents.
fn unreadable_kind(raw: &serde_json::Value) -> &str {
    raw.as_object()
        .and_then(|fields| fields.keys().find(|k| *k != "update_id"))
        .map(String::as_str)
        .filter(|k| k.len() <= 64 && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .unwrap_or("unknown")
}

/// The dispatcher's error handler: the kind of failure, and Telegram's own description
/// when it refused a request; never a reply body.
pub fn error_handler() -> Arc<dyn ErrorHandler<HandlerError> + Send + Sync> {
    Arc::new(|error: HandlerError| async move {
        match &error {
            HandlerError::Telegram(request) => {
                tracing::error!(error = %summary(request), "a handler failed")
            }
            HandlerError::Storage(e) => tracing::error!(error = %e, "a handler failed"),
        }
    })
}

/// What the log may say about a failed `getUpdates`: for teloxide's `RequestError` the
/// [`summary`] (its Debug would quote an unreadable reply, every update in it included),
/// for any other listener error its Debug.
pub fn listener_error_summary<E: std::fmt::Debug + 'static>(error: &E) -> String {
    match (error as &dyn std::any::Any).downcast_ref::<RequestError>() {
        Some(request) => summary(request),
        None => format!("{error:?}"),
    }
}

/// The kind of a failed request, with Telegram's own description when it refused it and
/// the network error's (teloxide strips the URL, and with it the token).
fn summary(error: &RequestError) -> String {
    match error {
        RequestError::Api(api) => format!("telegram refused: {api}"),
        RequestError::MigrateToChatId(_) => "group migrated".into(),
        RequestError::RetryAfter(wait) => format!("rate limited for {}s", wait.seconds()),
        RequestError::Network(e) => format!("network: {e}"),
        RequestError::InvalidJson { .. } => "unreadable reply".into(),
        RequestError::Io(e) => format!("i/o: {}", e.kind()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_of_an_unreadable_update_is_its_field_name_only() {
        let raw = serde_json::json!({
            "update_id": 7,
            "business_message": {"from": {"first_name": "Maryam"}, "text": "secret"}
        });
        assert_eq!(unreadable_kind(&raw), "business_message");
        assert_eq!(
            unreadable_kind(&serde_json::json!({"Maryam <x>": 1})),
            "unknown"
        );
        assert_eq!(unreadable_kind(&serde_json::Value::Null), "unknown");
    }

    #[test]
    fn an_unreadable_reply_is_summarised_without_its_body() {
        let raw = r#"{"ok":true,"result":[{"message":{"from":{"first_name":"Maryam"}"#;
        let source = serde_json::from_str::<serde_json::Value>(raw).unwrap_err();
        let error = RequestError::InvalidJson {
            source: Arc::new(source),
            raw: raw.into(),
        };
        assert!(
            format!("{error:?}").contains("Maryam"),
            "what teloxide would log"
        );
        assert_eq!(listener_error_summary(&error), "unreadable reply");
        assert_eq!(listener_error_summary(&"other"), "\"other\"");
    }
}
