//! The REST API: OAuth token endpoint and `/api/rest/v1/...`.

use axum::Router;

use super::AppState;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
}
