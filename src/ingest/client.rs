use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::guard::{GuardedResolver, redirect_policy, refusal_in};
use crate::config::DEFAULT_FEED_USER_AGENT;
use crate::domain::{FeedPolicy, FeedRefusal};

/// Feeds larger than this are refused: a statement feed is a few hundred kilobytes, and a
/// hostile or broken server must not make us buffer gigabytes.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("cannot fetch {url}: {reason}")]
    Request { url: String, reason: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} is larger than {MAX_FEED_BYTES} bytes")]
    TooLarge { url: String },
    /// Somewhere `FEED_ALLOW_HTTP` or `FEED_ALLOW_PRIVATE` does not allow.
    #[error("{refusal}")]
    Refused { url: String, refusal: FeedRefusal },
}

/// What the last 200 said about its version, sent back so that an unchanged feed costs a 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug)]
pub enum Fetched {
    NotModified,
    Document(Document),
}

#[derive(Debug)]
pub struct Document {
    pub body: Vec<u8>,
    /// Where the document came from after redirects: the base for its relative links.
    pub url: String,
    pub content_type: Option<String>,
    pub validators: Validators,
}

/// An HTTP client with the manners a feed reader owes a web site: a real User-Agent,
/// a timeout, a size cap, and conditional requests; and with the operator's
/// [`FeedPolicy`] on every connection it makes (see `guard`).
#[derive(Clone, Debug)]
pub struct FeedClient {
    http: reqwest::Client,
    policy: Arc<FeedPolicy>,
}

impl FeedClient {
    pub fn new(policy: FeedPolicy) -> Result<Self, FetchError> {
        Self::with(DEFAULT_FEED_USER_AGENT, DEFAULT_TIMEOUT, policy, &[])
    }

    /// `extra_roots`: PEM certificate authorities trusted besides the usual ones.
    pub fn with(
        user_agent: &str,
        timeout: Duration,
        policy: FeedPolicy,
        extra_roots: &[String],
    ) -> Result<Self, FetchError> {
        let policy = Arc::new(policy);
        let mut builder = reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(redirect_policy(Arc::clone(&policy)))
            .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(&policy))));
        for pem in extra_roots {
            let root =
                reqwest::Certificate::from_pem(pem.as_bytes()).map_err(FetchError::Client)?;
            builder = builder.add_root_certificate(root);
        }
        if !policy.allow_private {
            // A proxy from the environment (HTTPS_PROXY…) would connect on our behalf to
            // addresses the resolver never sees.
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(FetchError::Client)?;
        Ok(Self { http, policy })
    }

    /// Fetches a whole document, refusing non-2xx answers and bodies over the cap.
    pub async fn fetch_document(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        match self.fetch(url, &Validators::default()).await? {
            Fetched::Document(document) => Ok(document.body),
            // Without validators no server may answer 304; one that does is broken.
            Fetched::NotModified => Err(FetchError::Status {
                url: url.to_string(),
                status: 304,
            }),
        }
    }

    /// A conditional GET: `validators` from the previous answer turn "unchanged" into a 304.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let request_error = |e: reqwest::Error| match refusal_in(&e) {
            Some(refusal) => FetchError::Refused {
                url: url.to_string(),
                refusal,
            },
            None => FetchError::Request {
                url: url.to_string(),
                reason: reason(e),
            },
        };
        self.policy
            .check_url(url)
            .map_err(|refusal| FetchError::Refused {
                url: url.to_string(),
                refusal,
            })?;
        let mut request = self.http.get(url);
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(request_error)?;
        if response.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: response.status().as_u16(),
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_FEED_BYTES as u64)
        {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
            });
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let final_url = response.url().to_string();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Document(Document {
            body,
            url: final_url,
            content_type,
            validators,
        }))
    }
}

/// reqwest's own message for a timeout is "error sending request"; the operator reading
/// the log needs the kind of failure, and the cause below it.
fn reason(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "request failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail = cause.to_string();
        source = cause.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({detail})")
    }
}
