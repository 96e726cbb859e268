//! Logging. Every line passes through [`RedactingWriter`], so the bot token can never reach
//! a log, whichever library formats the error that carries it.

use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber. `secrets` are replaced by `***` in every line.
/// `LOG_FORMAT=json` switches to JSON lines for log collectors.
pub fn init(secrets: Vec<String>) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = RedactingMakeWriter::new(secrets);
    redact_panics(Arc::clone(&writer.secrets));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    // A second init (tests start several apps in one process) is harmless: keep the first.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.with_target(false).try_init()
    };
}

/// The default panic hook writes straight to stderr; a message that quotes a secret (a URL
/// in an `expect`, say) must be masked there too.
fn redact_panics(secrets: Arc<Vec<String>>) {
    std::panic::set_hook(Box::new(move |info| {
        let mut message = info.to_string();
        for secret in secrets.iter() {
            message = message.replace(secret.as_str(), "***");
        }
        eprintln!("{message}");
    }));
}

#[derive(Clone)]
pub struct RedactingMakeWriter {
    secrets: Arc<Vec<String>>,
}

impl RedactingMakeWriter {
    pub fn new(secrets: Vec<String>) -> Self {
        let secrets = secrets.into_iter().filter(|s| s.len() >= 6).collect();
        Self {
            secrets: Arc::new(secrets),
        }
    }
}

impl<'a> MakeWriter<'a> for RedactingMakeWriter {
    type Writer = RedactingWriter<io::Stderr>;
    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter {
            inner: io::stderr(),
            secrets: Arc::clone(&self.secrets),
        }
    }
}

/// tracing-subscriber formats a whole event before writing it, so one `write` call is one
/// line and a secret is never split across two calls.
pub struct RedactingWriter<W> {
    inner: W,
    secrets: Arc<Vec<String>>,
}

impl<W: Write> RedactingWriter<W> {
    pub fn wrap(inner: W, secrets: Vec<String>) -> Self {
        Self {
            inner,
            secrets: Arc::new(secrets),
        }
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        if self.secrets.iter().any(|s| text.contains(s.as_str())) {
            let mut clean = text.into_owned();
            for secret in self.secrets.iter() {
                clean = clean.replace(secret.as_str(), "***");
            }
            self.inner.write_all(clean.as_bytes())?;
        } else {
            self.inner.write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::wrap(&mut out, vec!["123:SECRETTOKEN".into()]);
            write!(
                w,
                "GET https://api.telegram.org/bot123:SECRETTOKEN/GetMe failed"
            )
            .unwrap();
        }
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out, "GET https://api.telegram.org/bot***/GetMe failed");
    }
}
