//! Users: the 3.x creation endpoint `POST /rest/user/` and `GET /rest/user/{id}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::session::{json_error, xhr_or_redirect};
use super::state::{State as Db, User};
use super::AppState;

/// Symfony's NotBlank message.
pub const NOT_BLANK: &str = "This value should not be blank.";
/// Message of the password-repeat check.
pub const PASSWORDS_DO_NOT_MATCH: &str = "Passwords do not match";
/// UniqueEntity message.
pub const ALREADY_USED: &str = "This value is already used.";

/// A 400 `{"values":[{path,message,global}]}` body (the internal_api violation normalizer).
pub fn violations(list: &[(&str, String)]) -> Response {
    let values: Vec<Value> = list
        .iter()
        .map(|(path, message)| json!({"path": path, "message": message, "global": false}))
        .collect();
    (StatusCode::BAD_REQUEST, Json(json!({ "values": values }))).into_response()
}

/// The `internal_api` normalization of a user.
pub fn normalize(db: &Db, u: &User) -> Value {
    let roles: Vec<String> = u
        .roles
        .iter()
        .filter_map(|r| db.role(*r))
        .map(|r| r.role.clone())
        .collect();
    json!({
        "code": u.username, "enabled": u.enabled, "username": u.username, "email": u.email,
        "first_name": u.first_name, "last_name": u.last_name, "name_prefix": null,
        "middle_name": null, "name_suffix": null, "phone": null, "birthday": null,
        "user_default_locale": "en_US", "catalog_default_locale": "en_US",
        "catalog_default_scope": "ecommerce", "default_category_tree": "master",
        "timezone": "UTC", "roles": roles, "groups": ["All"],
        "meta": {"id": u.id, "form": "pim-user-edit-form", "image": {"filePath": null}},
    })
}

fn text(body: &Map<String, Value>, key: &str) -> String {
    match body.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// `POST /rest/user/`: creates an enabled user with the role "User".
pub async fn create(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    app.lock().counters.user_create += 1;
    if let Err(redirect) = xhr_or_redirect(&headers) {
        return *redirect;
    }
    // A body that is not a JSON object decodes to nothing, as `json_decode` does in PHP:
    // every field is then blank.
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let username = text(&body, "username");
    let password = text(&body, "password");
    let repeat = text(&body, "password_repeat");
    let first = text(&body, "first_name");
    let last = text(&body, "last_name");
    let email = text(&body, "email");

    let mut db = app.lock();
    let mut errors: Vec<(&str, String)> = Vec::new();
    if username.trim().is_empty() {
        errors.push(("username", NOT_BLANK.into()));
    } else if username.chars().count() < 3 {
        errors.push((
            "username",
            "This value is too short. It should have 3 characters or more.".into(),
        ));
    } else if db.users.iter().any(|u| u.username == username) {
        errors.push(("username", ALREADY_USED.into()));
    }
    if password.is_empty() {
        errors.push(("password", NOT_BLANK.into()));
    } else if password != repeat {
        errors.push(("password_repeat", PASSWORDS_DO_NOT_MATCH.into()));
    }
    for (path, value) in [("first_name", &first), ("last_name", &last)] {
        if value.trim().is_empty() {
            errors.push((path, NOT_BLANK.into()));
        }
    }
    if email.trim().is_empty() {
        errors.push(("email", NOT_BLANK.into()));
    } else if !valid_email(&email) {
        errors.push(("email", "This value is not a valid email address.".into()));
    } else if db.users.iter().any(|u| u.email == email) {
        errors.push(("email", ALREADY_USED.into()));
    }
    if !errors.is_empty() {
        return violations(&errors);
    }
    let user_role = db
        .roles
        .iter()
        .find(|r| r.role == "ROLE_USER")
        .map(|r| r.id);
    let fault = app.save_fault("user");
    if fault == Some(super::faults::SaveFault::Before) {
        return super::faults::save_error();
    }
    let id = db.add_user(
        &username,
        &email,
        &first,
        &last,
        &password,
        user_role.into_iter().collect(),
    );
    if fault.is_some() {
        return super::faults::save_error();
    }
    let user = db.users.iter().find(|u| u.id == id).cloned();
    match user {
        Some(u) => Json(normalize(&db, &u)).into_response(),
        None => json_error(StatusCode::INTERNAL_SERVER_ERROR, "user not stored"),
    }
}

fn valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// `GET /rest/user/{id}`: the normalized user, 404 when unknown.
pub async fn get(State(app): State<AppState>, Path(id): Path<u64>) -> Response {
    let db = app.lock();
    match db.users.iter().find(|u| u.id == id) {
        Some(u) => Json(normalize(&db, u)).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("Username with id \"{id}\" not found"),
        ),
    }
}

/// `GET /rest/user/` (`pim_user_user_rest_get_current`, `pim/user-context` at app boot): the
/// logged-in user.
pub async fn current(
    State(app): State<AppState>,
    axum::Extension(me): axum::Extension<super::session::CurrentUser>,
) -> Response {
    get(State(app), Path(me.user_id)).await
}

/// `DELETE /rest/user/{id}` (`pim_user_user_rest_delete`, the `delete_link` of `pim-user-grid`
/// in akeneo/pim-community-dev 3.x `datagrid/user.yml`; row action "Delete" with a
/// confirmation): 204; 404 when unknown; 403 for one's own account [I]. XHR only.
pub async fn delete(
    State(app): State<AppState>,
    axum::Extension(me): axum::Extension<super::session::CurrentUser>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    if let Err(redirect) = xhr_or_redirect(&headers) {
        return *redirect;
    }
    if me.user_id == id {
        return json_error(
            StatusCode::FORBIDDEN,
            "You can not delete your own account.",
        );
    }
    let mut db = app.lock();
    let Some(i) = db.users.iter().position(|u| u.id == id) else {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("Username with id \"{id}\" not found"),
        );
    };
    db.users.remove(i);
    db.tokens.retain(|t| t.user_id != id);
    db.sessions.retain(|_, u| *u != id);
    StatusCode::NO_CONTENT.into_response()
}

/// Message of the current-password check of the 3.x user edit form
/// (`pim_user.user.fields_errors.current_password.wrong`; the controller's fallback text).
pub const WRONG_PASSWORD: &str = "Wrong password";
/// Message of the new-password repeat check (`…new_password_repeat.not_match`).
pub const PASSWORD_DOES_NOT_MATCH: &str = "Password does not match";
/// Message of the new-password length check (`…new_password.minimum_length`, 2 characters).
pub const PASSWORD_TOO_SHORT: &str = "Password must contains at least 2 characters";

/// `POST /rest/user/{id}` (`pim_user_user_rest_post`, 3.x `UserController::postAction` →
/// `updateUser`): the edit form posts its whole model. A password change happens when any of
/// `current_password`, `new_password`, `new_password_repeat` is non-empty, and is validated
/// as `validatePassword` does: `current_password` must be the EDITED user's own current
/// password (not the administrator's), the two new ones must match, and the new one must
/// have 2 characters or more. Violations: 400 with a bare JSON array of
/// `{path, message, global}` (no `values` wrapper, unlike creation). 200: the normalized
/// user. Other fields are left unchanged by the simulator. XHR only.
pub async fn update(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    if let Err(redirect) = xhr_or_redirect(&headers) {
        return *redirect;
    }
    let body = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let current = text(&body, "current_password");
    let new = text(&body, "new_password");
    let repeat = text(&body, "new_password_repeat");
    let mut db = app.lock();
    let Some(i) = db.users.iter().position(|u| u.id == id) else {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("Username with id \"{id}\" not found"),
        );
    };
    if !(current.is_empty() && new.is_empty() && repeat.is_empty()) {
        let mut errors: Vec<(&str, String)> = Vec::new();
        if current.is_empty() || current != db.users[i].password {
            errors.push(("current_password", WRONG_PASSWORD.into()));
        }
        if !new.is_empty() && !repeat.is_empty() && new != repeat {
            errors.push(("new_password_repeat", PASSWORD_DOES_NOT_MATCH.into()));
        }
        if new.len() < 2 {
            errors.push(("new_password", PASSWORD_TOO_SHORT.into()));
        }
        if !errors.is_empty() {
            let list: Vec<Value> = errors
                .iter()
                .map(|(p, m)| json!({"path": p, "message": m, "global": false}))
                .collect();
            return (StatusCode::BAD_REQUEST, Json(Value::Array(list))).into_response();
        }
        db.users[i].password = new;
        db.counters.user_password_change += 1;
    }
    let user = db.users[i].clone();
    Json(normalize(&db, &user)).into_response()
}
