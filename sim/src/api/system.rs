//! `GET /api/rest/v1/system-information` (6.0+, route `pim_analytics_external_api_system_info_get`):
//! Overall Web API access only, `{"version":"…","edition":"CE"}`. Before 6.0 the route does not
//! exist: Symfony's router answers 404 before the firewall.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::auth::authorize;
use super::error;
use crate::{AppState, PimVersion};

/// The version string a generation reports (the last public CE patch of that line).
pub fn version_string(v: PimVersion) -> Option<&'static str> {
    match v {
        PimVersion::V6 => Some("6.0.90"),
        PimVersion::V7 => Some("7.0.22"),
        _ => None,
    }
}

/// Handler of `GET /api/rest/v1/system-information`.
pub async fn system_information(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    app.latency().await;
    let Some(version) = version_string(app.cfg.pim_version) else {
        return error(
            StatusCode::NOT_FOUND,
            "No route found for \"GET /api/rest/v1/system-information\"",
        );
    };
    let query: Vec<(String, String)> = raw
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    if let Err((status, message)) = authorize(&app, &headers, &query, None) {
        return error(status, message);
    }
    Json(json!({"version": version, "edition": "CE"})).into_response()
}
