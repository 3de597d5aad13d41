//! The request log: every back-office and API request the simulator answered, with its start
//! and end times, so that tests can check the order and the dependencies of a screen's request
//! chain (`GET /_sim/requests`; `DELETE /_sim/requests` empties it).
//!
//! Not logged: `/_sim/...` itself and the static assets under `/bundles/`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::session::is_xhr;
use super::AppState;

/// At most this many entries are kept (the oldest go first).
pub const CAPACITY: usize = 10_000;

/// One answered request.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Order of arrival, from 1.
    pub seq: u64,
    /// HTTP method.
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Sent with `X-Requested-With: XMLHttpRequest` (jQuery).
    pub xhr: bool,
    /// Response status.
    pub status: u16,
    /// Milliseconds since the simulator started, when the request arrived.
    pub start_ms: f64,
    /// Milliseconds since the simulator started, when the response was ready.
    pub end_ms: f64,
}

/// The log itself (shared by every route).
#[derive(Debug)]
pub struct Log {
    origin: Instant,
    inner: Mutex<(u64, VecDeque<Entry>)>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            origin: Instant::now(),
            inner: Mutex::new((0, VecDeque::new())),
        }
    }
}

impl Log {
    fn ms(&self, t: Instant) -> f64 {
        (t - self.origin).as_secs_f64() * 1000.0
    }

    /// The next sequence number (taken when a request arrives).
    fn next_seq(&self) -> u64 {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        g.0 += 1;
        g.0
    }

    fn push(&self, e: Entry) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.1.len() >= CAPACITY {
            g.1.pop_front();
        }
        g.1.push_back(e);
    }

    /// Every entry kept (answered requests), in order of arrival.
    pub fn entries(&self) -> Vec<Entry> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<Entry> = g.1.iter().cloned().collect();
        v.sort_by_key(|e| e.seq);
        v
    }

    /// Forgets every entry (sequence numbers go on).
    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .clear();
    }
}

/// Middleware of the whole router: records each request once answered (a request whose client
/// went away before the answer is not recorded). The sequence number is the order of arrival.
pub async fn record(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/_sim/") || path.starts_with("/bundles/") {
        return next.run(req).await;
    }
    let log = app.requests.clone();
    let start = Instant::now();
    let seq = log.next_seq();
    let method = req.method().to_string();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let xhr = is_xhr(req.headers());
    let resp = next.run(req).await;
    log.push(Entry {
        seq,
        method,
        path,
        xhr,
        status: resp.status().as_u16(),
        start_ms: log.ms(start),
        end_ms: log.ms(Instant::now()),
    });
    resp
}

/// `GET /_sim/requests`: `{"requests":[{seq,method,path,xhr,status,start_ms,end_ms}..]}`.
pub async fn list(State(app): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "requests": app.requests.entries() }))
}

/// `DELETE /_sim/requests`: empties the log (204).
pub async fn clear(State(app): State<AppState>) -> Response {
    app.requests.clear();
    StatusCode::NO_CONTENT.into_response()
}
