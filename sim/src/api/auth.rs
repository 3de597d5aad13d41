//! The API firewall: bearer token → user, then Overall Web API access, then the resource ACL.

use std::time::Instant;

use crate::faults::Fault;
use crate::state::ACL_API_OVERALL;
use crate::AppState;
use axum::http::{header, HeaderMap, StatusCode};

/// 401 without any token (Akeneo's documented text).
pub const MSG_AUTH_REQUIRED: &str = "Authentication is required";
/// 401 for an unknown or revoked token (oauth2-php).
pub const MSG_TOKEN_INVALID: &str = "The access token provided is invalid.";
/// 401 for an expired token (oauth2-php).
pub const MSG_TOKEN_EXPIRED: &str = "The access token provided has expired.";
/// 403 when no role of the user grants `pim_api_overall_access` (`AccessDeniedHandler`).
pub const MSG_NO_API_ACCESS: &str = "You are not allowed to access the web API.";

/// The access token of a request, as oauth2-php's `getBearerToken` finds it: the
/// `Authorization: Bearer <token>` header, else the `access_token` query parameter.
fn bearer_token(headers: &HeaderMap, query: &[(String, String)]) -> Option<String> {
    if let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(rest) = value.strip_prefix("Bearer") {
            if rest.starts_with(char::is_whitespace) {
                if let Some(token) = rest.split_whitespace().next() {
                    return Some(token.to_string());
                }
            }
        }
    }
    query
        .iter()
        .rev()
        .find(|(k, _)| k == "access_token")
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

/// Authenticates a resource call and checks the Overall Web API access, then `acl` when given
/// (with `denied` as the 403 message). Returns the user id, or the status and message of the
/// error to send (see [`super::error`]).
pub fn authorize(
    app: &AppState,
    headers: &HeaderMap,
    query: &[(String, String)],
    acl: Option<(&str, &'static str)>,
) -> Result<u64, (StatusCode, &'static str)> {
    let Some(access) = bearer_token(headers, query) else {
        return Err((StatusCode::UNAUTHORIZED, MSG_AUTH_REQUIRED));
    };
    let db = app.lock();
    let token = db.tokens.iter().find(|t| t.access == access).filter(|t| {
        db.clients.iter().any(|c| c.public_id() == t.client_id)
            && db.users.iter().any(|u| u.id == t.user_id)
    });
    let Some(token) = token else {
        return Err((StatusCode::UNAUTHORIZED, MSG_TOKEN_INVALID));
    };
    if Instant::now() >= token.expires_at {
        return Err((StatusCode::UNAUTHORIZED, MSG_TOKEN_EXPIRED));
    }
    let user = token.user_id;
    if !db.user_has_acl(user, ACL_API_OVERALL) || app.cfg.faults.contains(&Fault::ApiForbidden) {
        return Err((StatusCode::FORBIDDEN, MSG_NO_API_ACCESS));
    }
    if let Some((acl, denied)) = acl {
        if !db.user_has_acl(user, acl) {
            return Err((StatusCode::FORBIDDEN, denied));
        }
    }
    Ok(user)
}
