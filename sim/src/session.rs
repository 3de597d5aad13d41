//! Sessions (cookie `BAPID`), the XHR-header rule and the XHR latency. The login guard of
//! protected routes is [`super::guard`].

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::state::{random_token, SessionData};
use super::AppState;

/// Name of the session cookie.
pub const COOKIE: &str = "BAPID";

/// The logged-in user of a request, put in the request extensions by
/// [`require_login`](super::guard::require_login).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// User id.
    pub user_id: u64,
    /// Session id (value of the `BAPID` cookie).
    pub session: String,
}

/// The `BAPID` cookie of a request, if any.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

/// True for jQuery-style XHRs (`X-Requested-With: XMLHttpRequest`).
pub fn is_xhr(headers: &HeaderMap) -> bool {
    headers
        .get("x-requested-with")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("XMLHttpRequest"))
}

/// `Set-Cookie` value for a session id.
pub fn set_cookie(session: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{COOKIE}={session}; path=/; HttpOnly; SameSite=Lax"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("BAPID=; path=/"))
}

/// `Set-Cookie` value that deletes the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static(
        "BAPID=deleted; path=/; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0",
    )
}

/// The session data of `sid`, created (with fresh CSRF tokens) when missing.
pub fn session_data<'a>(db: &'a mut super::state::State, sid: &str) -> &'a mut SessionData {
    db.session_data
        .entry(sid.to_string())
        .or_insert_with(|| SessionData {
            login_csrf: random_token(43),
            form_csrf: random_token(43),
            ..SessionData::default()
        })
}

/// A new session id.
pub fn new_session_id() -> String {
    random_token(26)
}

/// Adds the configured latency to every XHR/JSON endpoint.
pub async fn latency(State(app): State<AppState>, req: Request, next: Next) -> Response {
    app.latency().await;
    next.run(req).await
}

/// The anti-CSRF rule of `/rest/user/` and `/client/rest` (PIM-7116): requests without
/// `X-Requested-With: XMLHttpRequest` are redirected to `/`.
pub fn xhr_or_redirect(headers: &HeaderMap) -> Result<(), Box<Response>> {
    if is_xhr(headers) {
        Ok(())
    } else {
        Err(Box::new(found("/")))
    }
}

/// A JSON error body `{"code":N,"message":..}` with that status.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"code": status.as_u16(), "message": message})),
    )
        .into_response()
}

/// A `302 Found` redirect (Symfony's `RedirectResponse`; axum's `Redirect::to` is a 303).
pub fn found(location: &str) -> Response {
    let loc = HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    (StatusCode::FOUND, [(header::LOCATION, loc)]).into_response()
}
