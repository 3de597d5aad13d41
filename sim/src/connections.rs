//! Connections (4.x → 7.x): the internal REST endpoints behind System > Connections (4.x/5.x)
//! and Connect > Connection settings (6.x/7.x), as `../shared/akeneo/connections-4.x-to-7.x-and-api.md`
//! §1.5/§1.6 describe them, plus `GET /rest/user_role/` and `GET /rest/user_group/`.
//!
//! Every route answers 404 before 4.x (the feature does not exist there). Creating a connection
//! creates an OAuth client (grants `password` + `refresh_token`) and a hidden API user
//! `{code}_{NNNN}` with a 9-character password, role "User" and group "All".

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rand::seq::SliceRandom;
use rand::Rng;
use serde_json::{json, Map, Value};

use super::session::{found, is_xhr, json_error};
use super::state::{random_token, Connection, State as Db, UserKind, ACCESS_TOKEN_LIFETIME};
use super::{AppState, PimVersion};

/// Connections (plus connected apps) an instance may hold.
pub const MAX_CONNECTIONS: usize = 50;
/// `message` of every 422 body.
pub const VIOLATIONS: &str = "akeneo_connectivity.connection.constraint_violation_list_exception";
/// Prefix of the translation keys sent as `reason`.
pub const REASON_PREFIX: &str = "akeneo_connectivity.connection.connection.constraint.";
/// The flow types, in display order: `(value, label)`.
pub const FLOW_TYPES: [(&str, &str); 3] = [
    ("data_source", "Data source"),
    ("data_destination", "Data destination"),
    ("other", "Other"),
];

/// The routes, with full paths; they need the back-office session (merged under the login
/// guard and the XHR latency by `sim::router`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rest/connections", get(list).post(create))
        .route(
            "/rest/connections/wrong-credentials-combination",
            get(wrong_credentials),
        )
        .route(
            "/rest/connections/max-limit-reached",
            get(max_limit_reached),
        )
        .route(
            "/rest/connections/{code}",
            get(show).post(update).delete(remove),
        )
        .route(
            "/rest/connections/{code}/regenerate-secret",
            post(regenerate_secret),
        )
        .route(
            "/rest/connections/{code}/regenerate-password",
            post(regenerate_password),
        )
        .route("/rest/user_role/", get(user_roles))
        .route("/rest/user_group/", get(user_groups))
}

/// What a route whose controller service was removed answers (the 3.x `/client/rest` routes
/// in 4.0+: the route is still declared, `pim_enrich.controller.rest.api_client` is gone).
pub fn removed_controller(headers: &HeaderMap) -> Response {
    if is_xhr(headers) {
        json_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    } else {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html("<!DOCTYPE html><html><head><title>An Error Occurred: Internal Server Error</title></head><body><h1>Oops! An Error Occurred</h1><h2>The server returned a \"500 Internal Server Error\".</h2></body></html>"),
        )
            .into_response()
    }
}

fn version(app: &AppState) -> PimVersion {
    app.cfg.pim_version
}

/// 404 (the route does not exist) before 4.x.
fn unavailable(app: &AppState, headers: &HeaderMap) -> Option<Response> {
    (version(app) < PimVersion::V4).then(|| not_found(headers))
}

fn not_found(headers: &HeaderMap) -> Response {
    if is_xhr(headers) {
        json_error(StatusCode::NOT_FOUND, "Not Found")
    } else {
        (
            StatusCode::NOT_FOUND,
            Html("<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>"),
        )
            .into_response()
    }
}

fn unknown_connection(code: &str) -> Response {
    json_error(
        StatusCode::NOT_FOUND,
        &format!("Connection with code \"{code}\" does not exist."),
    )
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response()
}

/// A 422 `{"message":…,"errors":[{name,reason}]}`; `reason` is the key after [`REASON_PREFIX`].
fn violations(errors: &[(&str, String)]) -> Response {
    let errors: Vec<Value> = errors
        .iter()
        .map(|(name, reason)| json!({"name": name, "reason": reason}))
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"message": VIOLATIONS, "errors": errors})),
    )
        .into_response()
}

fn reason(key: &str) -> String {
    format!("{REASON_PREFIX}{key}")
}

/// `ConnectionCode`: required, 3–100 chars, `^[0-9a-zA-Z_]+$`.
fn code_error(code: &str) -> Option<String> {
    let n = code.chars().count();
    if code.is_empty() {
        Some(reason("code.required"))
    } else if n < 3 {
        Some(reason("code.too_short"))
    } else if n > 100 {
        Some(reason("code.too_long"))
    } else if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Some(reason("code.invalid"))
    } else {
        None
    }
}

/// `ConnectionLabel`: required, 3–100 chars.
fn label_error(label: &str) -> Option<String> {
    let n = label.trim().chars().count();
    if label.trim().is_empty() {
        Some(reason("label.required"))
    } else if n < 3 {
        Some(reason("label.too_short"))
    } else if n > 100 {
        Some(reason("label.too_long"))
    } else {
        None
    }
}

fn flow_type_error(flow: &str) -> Option<String> {
    (!FLOW_TYPES.iter().any(|(v, _)| *v == flow)).then(|| reason("flow_type.invalid"))
}

/// A JSON body as PHP's `json_decode(…, true)` sees it: anything but an object is empty.
fn body_object(body: &[u8]) -> Map<String, Value> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn text(m: &Map<String, Value>, key: &str) -> String {
    match m.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(true)) => "1".into(),
        _ => String::new(),
    }
}

/// An id sent as a JSON number or string; `Ok(None)` for null/absent, `Err` for junk.
fn opt_id(m: &Map<String, Value>, key: &str) -> Result<Option<u64>, ()> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_u64().map(Some).ok_or(()),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ()),
        _ => Err(()),
    }
}

/// The list normalization (`flowType` in camelCase; `auditable` 5.0+, `type` 6.0+).
fn normalize_item(v: PimVersion, c: &Connection) -> Value {
    let mut o = json!({
        "code": c.code, "label": c.label, "flowType": c.flow_type, "image": c.image,
    });
    if v >= PimVersion::V5 {
        o["auditable"] = json!(c.auditable);
    }
    if v >= PimVersion::V6 {
        o["type"] = json!("default");
    }
    o
}

/// `ConnectionWithCredentials::normalize()`; `password` only in the create response.
fn normalize_full(v: PimVersion, db: &Db, c: &Connection, password: Option<&str>) -> Value {
    let client = db.clients.iter().find(|k| k.id == c.client);
    let user = db.users.iter().find(|u| u.id == c.user);
    let mut o = json!({
        "code": c.code, "label": c.label, "flow_type": c.flow_type, "image": c.image,
        "client_id": client.map(|k| k.public_id()),
        "secret": client.map(|k| k.secret.clone()),
        "username": user.map(|u| u.username.clone()),
        "password": password,
        "user_role_id": user.and_then(|u| u.roles.first()).map(|r| r.to_string()),
        // Null while only the default group "All" is assigned (the only group of the simulator).
        "user_group_id": null,
    });
    if v >= PimVersion::V5 {
        o["auditable"] = json!(c.auditable);
    }
    if v >= PimVersion::V6 {
        o["type"] = json!("default");
    }
    o
}

/// `GET /rest/connections` (6.0+: `?search={"types":["default"]}`).
pub async fn list(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let v = version(&app);
    // Every connection of the simulator has the type `default` (no connected apps).
    let wanted = if v >= PimVersion::V6 {
        match q.get("search").map(|s| serde_json::from_str::<Value>(s)) {
            None => true,
            Some(Ok(search)) => match search.get("types").and_then(Value::as_array) {
                Some(types) => types.iter().any(|t| t == "default"),
                None => true,
            },
            Some(Err(_)) => return bad_request("Invalid search parameter."),
        }
    } else {
        true
    };
    let db = app.lock();
    let items: Vec<Value> = if wanted {
        db.connections
            .iter()
            .map(|c| normalize_item(v, c))
            .collect()
    } else {
        Vec::new()
    };
    Json(items).into_response()
}

/// `{code}_{NNNN}`: a random number 1–9999, zero-padded; unique.
fn api_username(db: &Db, code: &str) -> String {
    let mut rng = rand::rng();
    loop {
        let candidate = format!("{code}_{:04}", rng.random_range(1..=9999));
        if db.user_by_name(&candidate).is_none() {
            return candidate;
        }
    }
}

/// `str_shuffle(ucfirst(substr(uniqid(), 0, 9)))`: 9 hex digits, at most one upper-case letter.
pub fn api_password() -> String {
    let mut rng = rand::rng();
    let hex = b"0123456789abcdef";
    let mut chars: Vec<char> = (0..9)
        .map(|_| hex[rng.random_range(0..16)] as char)
        .collect();
    chars[0] = chars[0].to_ascii_uppercase();
    chars.shuffle(&mut rng);
    chars.into_iter().collect()
}

/// `POST /rest/connections` `{"code","label","flow_type"}`: 201 with the credentials, or 422.
pub async fn create(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let v = version(&app);
    let m = body_object(&body);
    let (code, label, flow) = (text(&m, "code"), text(&m, "label"), text(&m, "flow_type"));
    let mut db = app.lock();
    let mut errors: Vec<(&str, String)> = Vec::new();
    match code_error(&code) {
        Some(e) => errors.push(("code", e)),
        None if db.connections.iter().any(|c| c.code == code) => {
            errors.push(("code", reason("code.must_be_unique")))
        }
        None => {}
    }
    if let Some(e) = label_error(&label) {
        errors.push(("label", e));
    }
    if let Some(e) = flow_type_error(&flow) {
        errors.push(("flowType", e));
    }
    // 7.0+: the limit is checked server-side, a class-level violation (empty name).
    if v >= PimVersion::V7 && db.connections.len() >= MAX_CONNECTIONS {
        errors.push(("", reason("connections_number_limit_reached")));
    }
    if !errors.is_empty() {
        return violations(&errors);
    }
    let label = label.trim().to_string();
    let username = api_username(&db, &code);
    let password = api_password();
    let user_role: Vec<u64> = db
        .roles
        .iter()
        .find(|r| r.role == "ROLE_USER")
        .map(|r| r.id)
        .into_iter()
        .collect();
    let first_name: String = label
        .chars()
        .map(|c| if "<>&\"".contains(c) { '_' } else { c })
        .collect();
    let user = db.add_user(
        &username,
        &format!("{username}@example.com"),
        &first_name,
        " ",
        &password,
        user_role,
    );
    if let Some(u) = db.users.iter_mut().find(|u| u.id == user) {
        u.kind = UserKind::Api;
    }
    let public = db.add_client(&label);
    let client = db
        .clients
        .iter()
        .find(|c| c.public_id() == public)
        .map(|c| c.id)
        .unwrap_or_default();
    let connection = Connection {
        code,
        label,
        flow_type: flow,
        client,
        user,
        auditable: false,
        image: None,
    };
    let body = normalize_full(v, &db, &connection, Some(&password));
    db.connections.push(connection);
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `GET /rest/connections/{code}`: the connection with credentials, `"password": null`.
pub async fn show(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    show_code(&app, &code)
}

fn show_code(app: &AppState, code: &str) -> Response {
    let db = app.lock();
    match db.connections.iter().find(|c| c.code == code) {
        Some(c) => Json(normalize_full(version(app), &db, c, None)).into_response(),
        None => unknown_connection(code),
    }
}

/// `POST /rest/connections/{code}` `{code,label,flow_type,image,auditable,user_role_id,
/// user_group_id}`: 204; replaces the API user's roles with the selected role.
pub async fn update(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    body: Bytes,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let v = version(&app);
    let m = body_object(&body);
    let (label, flow) = (text(&m, "label"), text(&m, "flow_type"));
    let auditable = matches!(m.get("auditable"), Some(Value::Bool(true)));
    let mut db = app.lock();
    let Some(index) = db.connections.iter().position(|c| c.code == code) else {
        return bad_request(&format!("Connection with code \"{code}\" does not exist."));
    };
    let mut errors: Vec<(&str, String)> = Vec::new();
    if let Some(e) = label_error(&label) {
        errors.push(("label", e));
    }
    if let Some(e) = flow_type_error(&flow) {
        errors.push(("flowType", e));
    }
    if !errors.is_empty() {
        return violations(&errors);
    }
    let role = match opt_id(&m, "user_role_id") {
        Ok(Some(id)) if db.role(id).is_some() => id,
        Ok(Some(id)) => return bad_request(&format!("Role with id \"{id}\" not found.")),
        _ => return bad_request("The user role id is required."),
    };
    match opt_id(&m, "user_group_id") {
        // The simulator has one group, "All" (id 1).
        Ok(None) | Ok(Some(1)) => {}
        Ok(Some(id)) => return bad_request(&format!("Group with id \"{id}\" not found.")),
        Err(()) => return bad_request("Invalid user group id."),
    }
    let image = match m.get("image") {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let user = {
        let c = &mut db.connections[index];
        c.label = label.trim().to_string();
        c.flow_type = flow.clone();
        c.auditable = v >= PimVersion::V5 && auditable && flow != "other";
        c.image = image;
        c.user
    };
    if let Some(u) = db.users.iter_mut().find(|u| u.id == user) {
        u.roles = vec![role];
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `DELETE /rest/connections/{code}`: deletes the connection, its user and its client.
pub async fn remove(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let mut db = app.lock();
    let Some(index) = db.connections.iter().position(|c| c.code == code) else {
        return bad_request(&format!("Connection with code \"{code}\" does not exist."));
    };
    let c = db.connections.remove(index);
    let public = db
        .clients
        .iter()
        .find(|k| k.id == c.client)
        .map(|k| k.public_id());
    db.clients.retain(|k| k.id != c.client);
    db.users.retain(|u| u.id != c.user);
    db.sessions.retain(|_, u| *u != c.user);
    db.tokens
        .retain(|t| t.user_id != c.user && Some(&t.client_id) != public.as_ref());
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /rest/connections/{code}/regenerate-secret`: 204; the client's tokens are revoked.
pub async fn regenerate_secret(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let mut db = app.lock();
    let Some(client) = db
        .connections
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.client)
    else {
        return bad_request(&format!("Connection with code \"{code}\" does not exist."));
    };
    let mut public = None;
    if let Some(k) = db.clients.iter_mut().find(|k| k.id == client) {
        k.secret = random_token(50);
        public = Some(k.public_id());
    }
    db.tokens.retain(|t| Some(&t.client_id) != public.as_ref());
    StatusCode::NO_CONTENT.into_response()
}

/// `POST /rest/connections/{code}/regenerate-password`: 200 `{"password"}`; the user's tokens
/// are revoked.
pub async fn regenerate_password(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    let mut db = app.lock();
    let Some(user) = db
        .connections
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.user)
    else {
        return bad_request(&format!("Connection with code \"{code}\" does not exist."));
    };
    let password = api_password();
    if let Some(u) = db.users.iter_mut().find(|u| u.id == user) {
        u.password = password.clone();
    }
    db.tokens.retain(|t| t.user_id != user);
    Json(json!({ "password": password })).into_response()
}

/// `GET /rest/connections/wrong-credentials-combination` (5.0+; in 4.x the path is read as a
/// connection code): connections whose client got tokens for another user than their own.
pub async fn wrong_credentials(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    if version(&app) < PimVersion::V5 {
        return show_code(&app, "wrong-credentials-combination");
    }
    let db = app.lock();
    let now = Instant::now();
    let mut out = Map::new();
    for c in &db.connections {
        let Some(public) = db
            .clients
            .iter()
            .find(|k| k.id == c.client)
            .map(|k| k.public_id())
        else {
            continue;
        };
        let mut users: Vec<Value> = Vec::new();
        for t in db
            .tokens
            .iter()
            .filter(|t| t.client_id == public && t.user_id != c.user)
        {
            let Some(u) = db.users.iter().find(|u| u.id == t.user_id) else {
                continue;
            };
            if users.iter().any(|x| x["username"] == u.username.as_str()) {
                continue;
            }
            let age =
                ACCESS_TOKEN_LIFETIME.saturating_sub(t.expires_at.saturating_duration_since(now));
            users.push(json!({"username": u.username, "date": iso8601(SystemTime::now() - age)}));
        }
        if !users.is_empty() {
            out.insert(c.code.clone(), json!({"code": c.code, "users": users}));
        }
    }
    Json(Value::Object(out)).into_response()
}

/// `GET /rest/connections/max-limit-reached` (7.0+): `{"limitReached":bool}`; a request without
/// `X-Requested-With: XMLHttpRequest` is redirected to `/`.
pub async fn max_limit_reached(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(r) = unavailable(&app, &headers) {
        return r;
    }
    if version(&app) < PimVersion::V7 {
        return show_code(&app, "max-limit-reached");
    }
    if !is_xhr(&headers) {
        return found("/");
    }
    let reached = app.lock().connections.len() >= MAX_CONNECTIONS;
    Json(json!({ "limitReached": reached })).into_response()
}

/// `GET /rest/user_role/` (2.x+): `[{id, role, label}]`.
pub async fn user_roles(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if version(&app) < PimVersion::V2 {
        return not_found(&headers);
    }
    let db = app.lock();
    let roles: Vec<Value> = db
        .roles
        .iter()
        .map(|r| json!({"id": r.id, "role": r.role, "label": r.label}))
        .collect();
    Json(roles).into_response()
}

/// `GET /rest/user_group/` (2.x+): `[{name, meta:{id, default}}]`; the simulator has the
/// default group "All" only.
pub async fn user_groups(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if version(&app) < PimVersion::V2 {
        return not_found(&headers);
    }
    Json(json!([{"name": "All", "meta": {"id": 1, "default": true}}])).into_response()
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` (PHP's `DateTime::ATOM` in UTC).
fn iso8601(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_dates_have_the_real_shape() {
        for _ in 0..50 {
            let p = api_password();
            assert_eq!(p.len(), 9);
            assert!(p.chars().all(|c| c.is_ascii_hexdigit()));
            assert!(p.chars().filter(|c| c.is_ascii_uppercase()).count() <= 1);
        }
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            "2023-11-14T22:13:20+00:00"
        );
    }

    #[test]
    fn codes_and_labels_are_validated_like_the_value_objects() {
        assert_eq!(code_error(""), Some(reason("code.required")));
        assert_eq!(code_error("ab"), Some(reason("code.too_short")));
        assert_eq!(code_error("my-erp"), Some(reason("code.invalid")));
        assert_eq!(code_error(&"a".repeat(101)), Some(reason("code.too_long")));
        assert_eq!(code_error("my_erp"), None);
        assert_eq!(label_error("  "), Some(reason("label.required")));
        assert_eq!(label_error("ab"), Some(reason("label.too_short")));
        assert_eq!(
            flow_type_error("data_sink"),
            Some(reason("flow_type.invalid"))
        );
    }
}
