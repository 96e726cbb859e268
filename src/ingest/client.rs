use std::time::Duration;

/// Feeds larger than this are refused: a statement feed is a few hundred kilobytes, and a
/// hostile or broken server must not make us buffer gigabytes.
pub const MAX_FEED_BYTES: usize = 5 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(30);
pub const USER_AGENT: &str = concat!(
    "jarchi/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/jarchi)"
);

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
}

/// An HTTP client with the manners a feed reader owes a web site: a real User-Agent,
/// a timeout and a size cap.
#[derive(Clone, Debug)]
pub struct FeedClient {
    http: reqwest::Client,
}

impl FeedClient {
    pub fn new() -> Result<Self, FetchError> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(FetchError::Client)?;
        Ok(Self { http })
    }

    /// Fetches a whole document, refusing non-2xx answers and bodies over the cap.
    pub async fn fetch_document(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let request_error = |e: reqwest::Error| FetchError::Request {
            url: url.to_string(),
            reason: e.without_url().to_string(),
        };
        let mut response = self.http.get(url).send().await.map_err(request_error)?;
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
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > MAX_FEED_BYTES {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
