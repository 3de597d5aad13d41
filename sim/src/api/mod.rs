//! The REST API of the simulator, as Akeneo 3.x answers it: the OAuth token endpoint
//! ([`token`]), the public root endpoint and a few resources ([`resources`], fed by the fixed
//! demo catalog in [`catalog`]), and the firewall every resource call goes through ([`auth`]).
//!
//! Error bodies are always `{"code":N,"message":"…"}`, with the texts of the real product
//! (`../shared/akeneo/connections-4.x-to-7.x-and-api.md` §2).
//!
//! Routing follows Symfony's order: the router runs before the firewall, so a path that matches
//! no API route answers 404 `No route found for "GET /api/…"` with or without a token; a known
//! route then checks the token (401), the Overall Web API access (403), the resource ACL (403),
//! and only then its parameters (422).

pub mod auth;
pub mod catalog;
pub mod resources;
pub mod system;
pub mod token;

use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, MethodRouter};
use axum::{Json, Router};
use serde::Serialize;

use super::AppState;

/// Routes under `/api`, with full paths; merged into the simulator's router by `sim::router`.
/// It sets no router fallback: unknown `/api/...` paths are caught by a wildcard route.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/oauth/v1/token", only(post(token::token), "POST"))
        .route("/api/rest/v1", only(get(resources::root), "GET"))
        .route(
            "/api/rest/v1/products",
            only(get(resources::list_products), "GET"),
        )
        .route(
            "/api/rest/v1/products/{code}",
            only(get(resources::get_product), "GET"),
        )
        .route(
            "/api/rest/v1/channels",
            only(get(resources::list_channels), "GET"),
        )
        .route(
            "/api/rest/v1/channels/{code}",
            only(get(resources::get_channel), "GET"),
        )
        .route(
            "/api/rest/v1/currencies",
            only(get(resources::list_currencies), "GET"),
        )
        .route(
            "/api/rest/v1/currencies/{code}",
            only(get(resources::get_currency), "GET"),
        )
        .route(
            "/api/rest/v1/system-information",
            only(get(system::system_information), "GET"),
        )
        .route("/api/{*rest}", any(no_route))
}

/// Adds the JSON 405 answer of Symfony's router for the other methods of a route.
fn only(route: MethodRouter<AppState>, allowed: &'static str) -> MethodRouter<AppState> {
    route.fallback(
        move |axum::extract::State(app): axum::extract::State<AppState>,
              method: Method,
              uri: Uri| async move {
            app.latency().await;
            let mut response = error(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "No route found for \"{method} {}\": Method Not Allowed (Allow: {allowed})",
                    uri.path()
                ),
            );
            if let Ok(value) = header::HeaderValue::from_str(allowed) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        },
    )
}

/// Any `/api/...` path that matches no route: Symfony's router answers before the firewall.
async fn no_route(
    axum::extract::State(app): axum::extract::State<AppState>,
    method: Method,
    uri: Uri,
) -> Response {
    app.latency().await;
    error(
        StatusCode::NOT_FOUND,
        format!("No route found for \"{method} {}\"", uri.path()),
    )
}

/// Body of every API error.
#[derive(Debug, Serialize)]
struct ApiError {
    code: u16,
    message: String,
}

/// An API error response: `status` with `{"code":status,"message":message}`.
pub fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(ApiError {
            code: status.as_u16(),
            message: message.into(),
        }),
    )
        .into_response()
}
