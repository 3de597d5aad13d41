//! API connections (2.x/3.x): `POST /client/rest` and `DELETE /client/rest/{publicId}`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::session::{json_error, xhr_or_redirect};
use super::users::{violations, NOT_BLANK};
use super::AppState;

/// `POST /client/rest` with a JSON body `{"label": ..}`: 200 `{}` or 400 violations.
pub async fn create(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    app.lock().counters.client_create += 1;
    if app.cfg.pim_version >= super::PimVersion::V4 {
        return super::connections::removed_controller(&headers);
    }
    if let Err(redirect) = xhr_or_redirect(&headers) {
        return *redirect;
    }
    // A body that is not a JSON object decodes to no label, as `json_decode` does in PHP.
    let label = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => match m.get("label") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    if label.is_empty() {
        return violations(&[("label", NOT_BLANK.into())]);
    }
    if label.chars().count() > 255 {
        return violations(&[(
            "label",
            "This value is too long. It should have 255 characters or less.".into(),
        )]);
    }
    let fault = app.save_fault("connection");
    if fault == Some(super::faults::SaveFault::Before) {
        return super::faults::save_error();
    }
    if app.twin_create() {
        app.lock().add_client(&label);
    }
    app.lock().add_client(&label);
    if fault.is_some() {
        return super::faults::save_error();
    }
    Json(json!({})).into_response()
}

/// `DELETE /client/rest/{publicId}`: 204, or 404 when no such client.
pub async fn revoke(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(public_id): Path<String>,
) -> Response {
    app.lock().counters.client_revoke += 1;
    if app.cfg.pim_version >= super::PimVersion::V4 {
        return super::connections::removed_controller(&headers);
    }
    if let Err(redirect) = xhr_or_redirect(&headers) {
        return *redirect;
    }
    let mut db = app.lock();
    match db.clients.iter().position(|c| c.public_id() == public_id) {
        Some(i) => {
            db.clients.remove(i);
            db.tokens.retain(|t| t.client_id != public_id);
            StatusCode::NO_CONTENT.into_response()
        }
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("Client with public id {public_id} does not exist."),
        ),
    }
}
