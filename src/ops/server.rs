//! The ops listener: `GET /healthz` and `GET /metrics`. It binds when the app is built, so a
//! taken port is a startup error, not a surprise later, and tests can ask the real address.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::health::Health;
use super::metrics::{BUILD_INFO, QUEUE_DEPTH, STATEMENTS, SUBSCRIBERS, UPTIME};
use crate::storage::Storage;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error("OPS_LISTEN: cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
    #[error("cannot set up the metrics registry: {0}")]
    Metrics(String),
}

/// A bound, not yet serving, ops listener.
pub struct OpsServer {
    listener: TcpListener,
    metrics: PrometheusHandle,
}

#[derive(Clone)]
struct OpsState {
    storage: Storage,
    health: Arc<Health>,
    metrics: PrometheusHandle,
}

/// The registry is shared by every app in the process (tests run several): refreshing the
/// database gauges and rendering happen under one lock so that a scrape shows one database.
static SCRAPE: Mutex<()> = Mutex::const_new(());

impl OpsServer {
    pub async fn bind(addr: SocketAddr) -> Result<Self, OpsError> {
        let metrics = super::install_recorder().map_err(OpsError::Metrics)?;
        let listener = TcpListener::bind(addr).await.map_err(|e| OpsError::Bind {
            addr,
            reason: e.to_string(),
        })?;
        Ok(Self { listener, metrics })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    pub async fn serve(self, storage: Storage, health: Arc<Health>, shutdown: CancellationToken) {
        let state = OpsState {
            storage,
            health,
            metrics: self.metrics,
        };
        let app = Router::new()
            .route("/healthz", get(healthz))
            .route("/metrics", get(metrics))
            .with_state(state);
        let served = axum::serve(self.listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the ops listener stopped");
        }
    }
}

async fn healthz(State(state): State<OpsState>) -> Response {
    let database = state.storage.ping().await.map_err(|e| e.to_string());
    let report = state.health.report(database);
    let status = if report.healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(report)).into_response()
}

async fn metrics(State(state): State<OpsState>) -> Response {
    let _one_scrape_at_a_time = SCRAPE.lock().await;
    if let Err(e) = refresh_gauges(&state).await {
        // Counters and histograms are still worth serving; the gauges keep their last values.
        tracing::warn!(error = %e, "cannot read the figures for /metrics");
    }
    metrics::gauge!(UPTIME).set(state.health.uptime().as_secs_f64());
    metrics::gauge!(BUILD_INFO, "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn refresh_gauges(state: &OpsState) -> Result<(), crate::storage::StorageError> {
    let subscribers = state.storage.subscriber_counts().await?;
    for (status, count) in [
        ("active", subscribers.active),
        ("gone", subscribers.gone),
        ("stopped", subscribers.stopped),
    ] {
        metrics::gauge!(SUBSCRIBERS, "status" => status).set(count as f64);
    }
    metrics::gauge!(STATEMENTS).set(state.storage.count_announcements().await? as f64);
    metrics::gauge!(QUEUE_DEPTH).set(state.storage.queue_depth().await? as f64);
    Ok(())
}
