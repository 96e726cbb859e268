//! `jarchi healthcheck`: the client side of `/healthz`, for container images without curl.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error("no answer from http://{addr}/healthz: {reason}")]
    Unreachable { addr: SocketAddr, reason: String },
    #[error("unhealthy: {0}")]
    Unhealthy(String),
}

/// GETs `/healthz` on the ops listener; Ok with the JSON report when it says 200.
pub async fn check_health(listen: SocketAddr) -> Result<String, ProbeError> {
    // A listener on every interface is reached through loopback.
    let addr = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), listen.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), listen.port())
        }
        _ => listen,
    };
    let unreachable = |e: reqwest::Error| ProbeError::Unreachable {
        addr,
        reason: e.without_url().to_string(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(unreachable)?;
    let response = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .map_err(unreachable)?;
    let healthy = response.status().is_success();
    let body = response.text().await.map_err(unreachable)?;
    if healthy {
        Ok(body)
    } else {
        Err(ProbeError::Unhealthy(body))
    }
}
