//! The feed client's [`FeedPolicy`] at the three places a connection can be steered: the
//! address a request starts from, every redirect, and every DNS answer. reqwest resolves
//! each connection's host through the resolver below, whether the host came from the
//! first URL, a redirect or a feed a page announced; hosts written as IP addresses skip
//! DNS (hyper-util connects to them at once), so the URL checks cover those.

use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::domain::{FeedPolicy, FeedRefusal};

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 5;

/// Resolves with the system resolver, then keeps only the addresses the policy allows, so
/// that the connection is made to an address that was checked (no gap for DNS rebinding
/// between a check and the connect).
pub struct GuardedResolver {
    policy: Arc<FeedPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<FeedPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|addr| match policy.check_address(&host, addr.ip()) {
                    Ok(()) => true,
                    Err(refused) => {
                        refusal.get_or_insert(refused);
                        false
                    }
                })
                .collect();
            match (allowed.is_empty(), refusal) {
                (true, Some(refused)) => Err(Box::new(refused) as Box<dyn Error + Send + Sync>),
                _ => Ok(Box::new(allowed.into_iter()) as Addrs),
            }
        })
    }
}

/// Follows up to [`MAX_REDIRECTS`] redirects, each under the policy: never from https to
/// http, never to a refused scheme or an inside IP address.
pub fn redirect_policy(policy: Arc<FeedPolicy>) -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(TooManyRedirects);
        }
        let from = attempt
            .previous()
            .last()
            .map(|u| u.as_str().to_string())
            .unwrap_or_default();
        match policy.check_redirect(&from, attempt.url().as_str()) {
            Ok(()) => attempt.follow(),
            Err(refusal) => attempt.error(refusal),
        }
    })
}

#[derive(Debug, thiserror::Error)]
#[error("more than {MAX_REDIRECTS} redirects")]
struct TooManyRedirects;

/// The policy's refusal somewhere in a request error's causes, if that is what stopped it.
pub fn refusal_in(error: &reqwest::Error) -> Option<FeedRefusal> {
    let mut cause: Option<&(dyn Error + 'static)> = error.source();
    while let Some(current) = cause {
        if let Some(refusal) = current.downcast_ref::<FeedRefusal>() {
            return Some(refusal.clone());
        }
        cause = current.source();
    }
    None
}
