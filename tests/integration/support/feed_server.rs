//! A local HTTP server for feeds, with the conditional-GET behaviour (ETag / Last-Modified → 304)
//! the bot's poller relies on, plus error statuses, delays and redirects on demand.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    net::SocketAddr,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use tokio::task::AbortHandle;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::fixtures::{TLS_SERVER_KEY, TLS_SERVER_PEM};

/// One request the server received for a path.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedRequest {
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
    pub user_agent: Option<String>,
    pub status_sent: u16,
    pub at: Instant,
}

/// The feed server. Cheap to clone: clones share the same server and content. The server stops
/// when the last clone is dropped (or when the test's runtime ends).
#[derive(Clone)]
pub struct FeedServer {
    shared: Arc<Shared>,
    address: SocketAddr,
    scheme: &'static str,
    _server: Arc<AbortOnDrop>,
}

struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    requests: Mutex<HashMap<String, Vec<FeedRequest>>>,
}

/// What a path serves. Precedence: redirect, then error status, then content, else 404.
#[derive(Default)]
struct Route {
    content: Option<Content>,
    status_override: Option<u16>,
    redirect: Option<(String, u16)>,
    delay: Duration,
}

struct Content {
    content_type: String,
    body: Vec<u8>,
    etag: String,
    last_modified: DateTime<Utc>,
}

impl FeedServer {
    /// Binds 127.0.0.1 on a free port and serves in a background task.
    pub async fn start() -> FeedServer {
        Self::start_on([127, 0, 0, 1].into()).await
    }

    /// Binds `ip` (any 127.x.y.z works on Linux) on a free port: a second loopback address
    /// lets a test tell a "public" site from an inside one.
    pub async fn start_on(ip: std::net::IpAddr) -> FeedServer {
        Self::start_with(ip, None).await
    }

    /// Like [`start_on`](Self::start_on), over https with the certificate of
    /// `tests/fixtures/tls` (for localhost, 127.0.0.1 and 127.0.0.2; clients must trust
    /// `fixtures::TLS_CA_PEM`).
    pub async fn start_https(ip: std::net::IpAddr) -> FeedServer {
        Self::start_with(ip, Some(tls_acceptor())).await
    }

    async fn start_with(ip: std::net::IpAddr, tls: Option<TlsAcceptor>) -> FeedServer {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind((ip, 0))
            .await
            .expect("bind the feed server");
        let address = listener.local_addr().expect("local address");
        let app = Router::new().fallback(serve).with_state(shared.clone());
        let scheme = if tls.is_some() { "https" } else { "http" };
        let server = tokio::spawn(async move {
            match tls {
                None => axum::serve(listener, app).await,
                Some(acceptor) => axum::serve(TlsListener { listener, acceptor }, app).await,
            }
            .expect("feed server failed");
        });
        FeedServer {
            shared,
            address,
            scheme,
            _server: Arc::new(AbortOnDrop(server.abort_handle())),
        }
    }

    /// The absolute URL of `path` ("/feed.xml" or "feed.xml"; a query string is part of the path).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{}", self.scheme, self.address, normalise(path))
    }

    /// Serves `body` at `path`. The ETag is a hash of the body; Last-Modified is now, but always
    /// at least a second after the previous version's, so that changes made within one second
    /// are still seen as newer by If-Modified-Since (HTTP dates have one-second resolution).
    pub fn set(&self, path: &str, content_type: &str, body: impl Into<String>) {
        self.set_bytes(path, content_type, body.into().into_bytes());
    }

    /// Like [`set`](Self::set) with a body in any encoding (UTF-16, windows-1256…).
    pub fn set_bytes(&self, path: &str, content_type: &str, body: Vec<u8>) {
        let mut routes = self.routes();
        let route = routes.entry(normalise(path)).or_default();
        let now = Utc::now().trunc_subsecs(0);
        let last_modified = match &route.content {
            Some(previous) if previous.last_modified >= now => {
                previous.last_modified + TimeDelta::seconds(1)
            }
            _ => now,
        };
        route.content = Some(Content {
            content_type: content_type.to_owned(),
            etag: etag_of(&body),
            body,
            last_modified,
        });
    }

    /// Serves `status` (with an empty body) instead of the content; 200 goes back to the content.
    pub fn set_status(&self, path: &str, status: u16) {
        StatusCode::from_u16(status).expect("a valid HTTP status");
        self.routes()
            .entry(normalise(path))
            .or_default()
            .status_override = (status != 200).then_some(status);
    }

    /// Waits `delay` before answering requests for `path` (to exercise the bot's timeouts).
    pub fn set_delay(&self, path: &str, delay: Duration) {
        self.routes().entry(normalise(path)).or_default().delay = delay;
    }

    /// Answers requests for `path` with a 301 redirect to `to` (a path on this server or an
    /// absolute URL).
    pub fn set_redirect(&self, path: &str, to: &str) {
        self.set_redirect_with_status(path, to, 301);
    }

    /// Like [`set_redirect`](Self::set_redirect) with another 3xx status (302, 307, 308).
    pub fn set_redirect_with_status(&self, path: &str, to: &str, status: u16) {
        assert!((300..400).contains(&status), "{status} is not a redirect");
        let location = if to.contains("://") {
            to.to_owned()
        } else {
            normalise(to)
        };
        self.routes().entry(normalise(path)).or_default().redirect = Some((location, status));
    }

    /// Stops redirecting `path`.
    pub fn clear_redirect(&self, path: &str) {
        self.routes().entry(normalise(path)).or_default().redirect = None;
    }

    /// Every request received, whatever the path.
    pub fn request_count(&self) -> usize {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .map(Vec::len)
            .sum()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The requests received for `path`, in order.
    pub fn requests(&self, path: &str) -> Vec<FeedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(&normalise(path))
            .cloned()
            .unwrap_or_default()
    }

    /// The ETag currently served for `path`, if it has content.
    pub fn etag(&self, path: &str) -> Option<String> {
        self.routes()
            .get(&normalise(path))
            .and_then(|route| route.content.as_ref())
            .map(|content| content.etag.clone())
    }

    fn routes(&self) -> MutexGuard<'_, HashMap<String, Route>> {
        self.shared
            .routes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn normalise(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

fn etag_of(body: &[u8]) -> String {
    // DefaultHasher::new() uses fixed keys, so the same body always gets the same ETag.
    let mut hasher = DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn http_date(time: DateTime<Utc>) -> String {
    time.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

async fn serve(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned());
    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let if_none_match = header_text(header::IF_NONE_MATCH);
    let if_modified_since = header_text(header::IF_MODIFIED_SINCE);
    let user_agent = header_text(header::USER_AGENT);

    let delay = shared
        .routes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&path)
        .map_or(Duration::ZERO, |route| route.delay);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let response = {
        let routes = shared
            .routes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        respond(
            routes.get(&path),
            if_none_match.as_deref(),
            if_modified_since.as_deref(),
        )
    };
    shared
        .requests
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(path)
        .or_default()
        .push(FeedRequest {
            if_none_match,
            if_modified_since,
            user_agent,
            status_sent: response.status().as_u16(),
            at: Instant::now(),
        });
    response
}

fn respond(
    route: Option<&Route>,
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
) -> Response {
    let Some(route) = route else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if let Some((location, status)) = &route.redirect {
        let mut response = StatusCode::from_u16(*status)
            .expect("checked in set_redirect")
            .into_response();
        response.headers_mut().insert(
            header::LOCATION,
            HeaderValue::from_str(location).expect("a valid Location"),
        );
        return response;
    }
    if let Some(status) = route.status_override {
        return StatusCode::from_u16(status)
            .expect("checked in set_status")
            .into_response();
    }
    let Some(content) = &route.content else {
        return StatusCode::NOT_FOUND.into_response();
    };

    let validators = [
        (header::ETAG, content.etag.clone()),
        (header::LAST_MODIFIED, http_date(content.last_modified)),
    ];
    let mut response = if is_not_modified(content, if_none_match, if_modified_since) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content.content_type.clone())],
            content.body.clone(),
        )
            .into_response()
    };
    for (name, value) in validators {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).expect("ASCII header"));
    }
    response
}

/// RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only otherwise.
fn is_not_modified(
    content: &Content,
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
) -> bool {
    if let Some(if_none_match) = if_none_match {
        // Weak comparison: `W/"x"` matches `"x"`; `*` matches any current representation.
        return if_none_match.split(',').map(str::trim).any(|tag| {
            tag == "*" || tag.trim_start_matches("W/") == content.etag.trim_start_matches("W/")
        });
    }
    if_modified_since
        .and_then(|date| DateTime::parse_from_rfc2822(date).ok())
        .is_some_and(|since| since >= content.last_modified)
}

fn tls_acceptor() -> TlsAcceptor {
    let chain =
        vec![CertificateDer::from_pem_slice(TLS_SERVER_PEM.as_bytes()).expect("certificate")];
    let key = PrivateKeyDer::from_pem_slice(TLS_SERVER_KEY.as_bytes()).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("a usable certificate");
    TlsAcceptor::from(Arc::new(config))
}

/// Accepts TCP connections and completes the TLS handshake before handing them to axum;
/// a failed handshake (a client that does not trust the test CA) just drops that client.
struct TlsListener {
    listener: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, peer)) = self.listener.accept().await else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}
