//! The login guard of protected routes: the logged-in user of a request, or the login page in
//! place (XHRs: a 401 JSON body). Apart from [`super::session`] (cookies, session data) and
//! [`super::login`] (the page), which both know nothing of it.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::login::render_page;
use super::session::{is_xhr, session_id, CurrentUser};
use super::AppState;

/// Status used for the in-place login page of protected URLs.
pub const IN_PLACE_STATUS: StatusCode = StatusCode::UNAUTHORIZED;

/// Guard of protected routes. Not logged in: XHRs get 401 JSON, anything else gets the login
/// page in place with status 401 (`use_forward: true` in 2.3.4+ and 3.x).
pub async fn require_login(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let sid = session_id(req.headers());
    let user = sid
        .as_ref()
        .filter(|s| !app.session_expires(s))
        .and_then(|s| {
            let db = app.lock();
            let uid = *db.sessions.get(s)?;
            db.users
                .iter()
                .find(|u| u.id == uid && u.enabled)
                .map(|u| u.id)
        });
    match (user, sid) {
        (Some(user_id), Some(session)) => {
            req.extensions_mut().insert(CurrentUser { user_id, session });
            next.run(req).await
        }
        _ if is_xhr(req.headers()) => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"code": 401, "message": "Full authentication is required to access this resource."})),
        )
            .into_response(),
        _ => {
            let mut resp = render_page(&app, req.headers());
            *resp.status_mut() = IN_PLACE_STATUS;
            resp
        }
    }
}
