//! `POST /api/oauth/v1/token`: Akeneo's `TokenController` over FOS oauth2-php.
//!
//! Checks in the real order: Content-Type (415), body size (413), body decoding (400), then
//! oauth2-php's `grantAccessToken` (grant type syntax, client, grant allowed for the client,
//! then the grant itself), every OAuth error being a 422 with `TokenController`'s message.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;
use serde_json::Value;

use super::error;
use crate::state::{Token, ACCESS_TOKEN_LIFETIME};
use crate::AppState;

/// Largest accepted body (`CheckApiRequestContentSizeListener`, PIM-9648).
pub const MAX_CONTENT_SIZE: usize = 300;

/// 422 for oauth2-php `invalid_request` (any grant but `refresh_token`).
pub const MSG_INVALID_REQUEST: &str =
    "Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid";
/// 422 for oauth2-php `invalid_client`.
pub const MSG_INVALID_CLIENT: &str =
    "Parameter \"client_id\" is missing or does not match any client, or secret is invalid";
/// 422 for oauth2-php `unauthorized_client`.
pub const MSG_UNAUTHORIZED_CLIENT: &str = "This grant type is not authorized for this client";
/// 422 for oauth2-php `invalid_grant` (password grant).
pub const MSG_INVALID_GRANT: &str = "No user found for the given username and password";
/// 422 for `invalid_request` when `grant_type` is `refresh_token`.
pub const MSG_REFRESH_INVALID_REQUEST: &str =
    "Parameter \"grant_type\" or \"refresh_token\" is missing or empty";
/// 422 for `invalid_grant` when `grant_type` is `refresh_token`.
pub const MSG_REFRESH_INVALID_GRANT: &str = "Refresh token is invalid or has expired";

/// The content types the token route accepts (`ContentTypeNegotiator`).
const ALLOWED_CONTENT_TYPES: [&str; 2] = ["application/json", "application/x-www-form-urlencoded"];

/// oauth2-php error codes, mapped to messages by [`message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OAuthError {
    InvalidRequest,
    InvalidClient,
    UnauthorizedClient,
    InvalidGrant,
}

/// `TokenController::getErrorMessage`: the text depends on the raw `grant_type`.
fn message(err: OAuthError, grant_type: Option<&str>) -> &'static str {
    let refresh = grant_type == Some("refresh_token");
    match err {
        OAuthError::InvalidRequest if refresh => MSG_REFRESH_INVALID_REQUEST,
        OAuthError::InvalidRequest => MSG_INVALID_REQUEST,
        OAuthError::InvalidClient => MSG_INVALID_CLIENT,
        OAuthError::UnauthorizedClient => MSG_UNAUTHORIZED_CLIENT,
        OAuthError::InvalidGrant if refresh => MSG_REFRESH_INVALID_GRANT,
        OAuthError::InvalidGrant => MSG_INVALID_GRANT,
    }
}

/// The 200 body; field order is oauth2-php's `createAccessToken()`.
#[derive(Debug, Serialize)]
struct Granted {
    access_token: String,
    expires_in: u64,
    token_type: &'static str,
    scope: Option<String>,
    refresh_token: String,
}

/// Handler of `POST /api/oauth/v1/token`.
pub async fn token(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    app.latency().await;
    app.token_delay().await;
    app.lock().counters.token += 1;

    // CheckHeadersRequestSubscriber: `trim(strtok($contentType, ';'))`.
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    let content_type = content_type
        .split(';')
        .find(|s| !s.is_empty())
        .unwrap_or("")
        .trim();
    if content_type.is_empty() {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "The \"Content-Type\" header is missing. \"{}\" has to be specified as value.",
                ALLOWED_CONTENT_TYPES.join("\" or \"")
            ),
        );
    }
    if !ALLOWED_CONTENT_TYPES.contains(&content_type) {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "\"{content_type}\" in \"Content-Type\" header is not valid. Only \"{}\" are allowed.",
                ALLOWED_CONTENT_TYPES.join("\" or \"")
            ),
        );
    }
    if body.len() > MAX_CONTENT_SIZE {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Request content exceeded the maximum allowed size of {MAX_CONTENT_SIZE} bytes"
            ),
        );
    }
    let input = if content_type == "application/json" {
        match decode_json(&body) {
            Some(input) => input,
            None => return error(StatusCode::BAD_REQUEST, "Invalid json message received"),
        }
    } else {
        decode_form(&body)
    };

    let grant_type = input.get("grant_type").cloned().flatten();
    match grant(&app, &headers, &input) {
        Ok(granted) => {
            let mut response = (StatusCode::OK, Json(granted)).into_response();
            let h = response.headers_mut();
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            response
        }
        Err(e) => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            message(e, grant_type.as_deref()),
        ),
    }
}

/// Request parameters: `None` for a value that is not a scalar (PHP's `FILTER_REQUIRE_SCALAR`).
type Input = HashMap<String, Option<String>>;

/// FOSRest's body listener: an empty body is no parameters; anything but a JSON object or
/// array is "Invalid json message received" (`None`).
fn decode_json(body: &[u8]) -> Option<Input> {
    if body.is_empty() {
        return Some(Input::new());
    }
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(map.into_iter().map(|(k, v)| (k, scalar(v))).collect()),
        Value::Array(_) => Some(Input::new()),
        _ => None,
    }
}

/// A JSON value as PHP sees a scalar parameter.
fn scalar(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("1".into()),
        Value::Bool(false) => Some(String::new()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// `application/x-www-form-urlencoded`, last value wins as in PHP.
fn decode_form(body: &[u8]) -> Input {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), Some(v.into_owned())))
        .collect()
}

/// PHP's truthiness of a parameter: missing, non-scalar, `""` and `"0"` are false.
fn truthy<'a>(input: &'a Input, key: &str) -> Option<&'a str> {
    input
        .get(key)
        .and_then(|v| v.as_deref())
        .filter(|v| !v.is_empty() && *v != "0")
}

/// oauth2-php `GRANT_TYPE_REGEXP`.
fn valid_grant_type(g: &str) -> bool {
    matches!(
        g,
        "authorization_code" | "token" | "password" | "client_credentials" | "refresh_token"
    ) || ["http://", "https://", "urn:"]
        .iter()
        .any(|p| g.len() > p.len() && g.starts_with(p))
}

/// Client credentials: HTTP Basic first (as Symfony's `ServerBag` decodes it), else the body's
/// `client_id` / `client_secret`.
fn client_credentials(headers: &HeaderMap, input: &Input) -> Option<(String, Option<String>)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() > 6 && v[..6].eq_ignore_ascii_case("basic "))
        .and_then(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v[6..].trim())
                .ok()
        })
        .map(|raw| String::from_utf8_lossy(&raw).into_owned())
        .and_then(|s| {
            s.split_once(':')
                .map(|(u, p)| (u.to_string(), p.to_string()))
        });
    if let Some((user, pw)) = basic {
        if !user.is_empty() && user != "0" {
            return Some((user, Some(pw)));
        }
    }
    let id = truthy(input, "client_id")?.to_string();
    let secret = input.get("client_secret").cloned().flatten();
    Some((id, secret))
}

/// oauth2-php `grantAccessToken`: validates and issues a token pair.
fn grant(app: &AppState, headers: &HeaderMap, input: &Input) -> Result<Granted, OAuthError> {
    let grant_type = truthy(input, "grant_type")
        .filter(|g| valid_grant_type(g))
        .ok_or(OAuthError::InvalidRequest)?;
    let (client_id, secret) =
        client_credentials(headers, input).ok_or(OAuthError::InvalidClient)?;

    let mut db = app.lock();
    let client = db
        .clients
        .iter()
        .find(|c| c.public_id() == client_id)
        .ok_or(OAuthError::InvalidClient)?;
    if secret.as_deref() != Some(client.secret.as_str()) {
        return Err(OAuthError::InvalidClient);
    }
    if !client.grant_types.iter().any(|g| g == grant_type) {
        return Err(OAuthError::UnauthorizedClient);
    }

    let user_id = match grant_type {
        "password" => {
            let (Some(username), Some(password)) =
                (truthy(input, "username"), truthy(input, "password"))
            else {
                return Err(OAuthError::InvalidRequest);
            };
            // A disabled user is not loaded by the user provider: same as no user.
            db.users
                .iter()
                .find(|u| u.username == username && u.enabled && u.password == password)
                .map(|u| u.id)
                .ok_or(OAuthError::InvalidGrant)?
        }
        "refresh_token" => {
            let refresh = truthy(input, "refresh_token").ok_or(OAuthError::InvalidRequest)?;
            let old = db
                .tokens
                .iter_mut()
                .find(|t| t.refresh == refresh && t.client_id == client_id)
                .ok_or(OAuthError::InvalidGrant)?;
            // "If we've granted a new refresh token, expire the old one": the old access
            // token stays valid until it expires.
            old.refresh.clear();
            old.user_id
        }
        // Grants the simulator's clients never allow (authorization_code, client_credentials,
        // token, extensions): oauth2-php would need more than Akeneo configures.
        _ => return Err(OAuthError::UnauthorizedClient),
    };

    let token = Token {
        access: gen_token(),
        refresh: gen_token(),
        client_id,
        user_id,
        expires_at: Instant::now() + ACCESS_TOKEN_LIFETIME,
    };
    let granted = Granted {
        access_token: token.access.clone(),
        expires_in: ACCESS_TOKEN_LIFETIME.as_secs(),
        token_type: "bearer",
        scope: None,
        refresh_token: token.refresh.clone(),
    };
    db.tokens.push(token);
    Ok(granted)
}

/// oauth2-php `genAccessToken()`: base64 of a SHA-256 hex digest, `+/` → `-_`, no padding
/// (86 chars). The digest is stood in for by 32 random bytes in hex.
fn gen_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hex)
}
