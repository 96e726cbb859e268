//! The Telegram Bot API contract, loaded from the machine-readable spec in
//! `tests/fixtures/telegram-bot-api/api.min.json`.

use std::{collections::HashMap, sync::OnceLock};

use serde::Deserialize;

use super::fixtures::BOT_API_SPEC_JSON;

/// One Bot API method, e.g. `sendMessage`.
#[derive(Debug, Deserialize)]
pub struct MethodSpec {
    /// Canonical name, e.g. `sendMessage`.
    pub name: String,
    /// Parameters; absent in the JSON for methods without any (e.g. `getMe`).
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    /// Return types, e.g. `["Message"]` or `["Message", "Boolean"]`.
    #[serde(default)]
    pub returns: Vec<String>,
}

impl MethodSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// One parameter of a method or one field of a type.
#[derive(Debug, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    /// e.g. `["Integer", "String"]` or `["Array of BotCommand"]`.
    pub types: Vec<String>,
    pub required: bool,
    #[serde(default)]
    pub description: String,
}

/// One Bot API type, e.g. `Message`. Union types (`MaybeInaccessibleMessage`) have `subtypes`
/// instead of `fields`.
#[derive(Debug, Deserialize)]
pub struct TypeSpec {
    pub name: String,
    #[serde(default)]
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub subtypes: Vec<String>,
}

#[derive(Deserialize)]
struct SpecFile {
    version: String,
    methods: HashMap<String, MethodSpec>,
    types: HashMap<String, TypeSpec>,
}

/// The whole Bot API description.
pub struct BotApiSpec {
    /// e.g. "Bot API 10.1".
    pub version: String,
    /// Keyed by the lower-cased method name: Telegram matches method names case-insensitively
    /// (teloxide sends `SendMessage`, the docs say `sendMessage`).
    methods_by_lowercase_name: HashMap<String, MethodSpec>,
    pub types: HashMap<String, TypeSpec>,
}

impl BotApiSpec {
    /// Looks a method up case-insensitively.
    pub fn method(&self, name: &str) -> Option<&MethodSpec> {
        self.methods_by_lowercase_name
            .get(&name.to_ascii_lowercase())
    }

    pub fn methods(&self) -> impl Iterator<Item = &MethodSpec> {
        self.methods_by_lowercase_name.values()
    }
}

/// The spec, parsed once per test binary.
pub fn bot_api_spec() -> &'static BotApiSpec {
    static SPEC: OnceLock<BotApiSpec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let file: SpecFile = serde_json::from_str(BOT_API_SPEC_JSON)
            .expect("tests/fixtures/telegram-bot-api/api.min.json is not a valid Bot API spec");
        BotApiSpec {
            version: file.version,
            methods_by_lowercase_name: file
                .methods
                .into_values()
                .map(|method| (method.name.to_ascii_lowercase(), method))
                .collect(),
            types: file.types,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_spec_and_finds_methods_case_insensitively() {
        let spec = bot_api_spec();
        assert_eq!(spec.version, "Bot API 10.1");
        let send_message = spec
            .method("SendMessage")
            .expect("sendMessage is in the spec");
        assert_eq!(send_message.name, "sendMessage");
        assert!(send_message.field("chat_id").unwrap().required);
        assert!(!send_message.field("parse_mode").unwrap().required);
        assert!(spec.method("getMe").unwrap().fields.is_empty());
        assert!(spec.method("sendTelepathy").is_none());
        assert!(spec.types.contains_key("Message"));
    }
}
