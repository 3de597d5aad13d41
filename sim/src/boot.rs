//! What the back-office SPA fetches before it renders anything, and the small catalog lists
//! of the user edit form: the app boot chain of 2.x/3.x (and 4.x+).
//!
//! 3.2 [V `UI/public/js/form/config-provider.js`, `pim-app.js`]: `GET /js/extensions.json` ∥
//! `GET /rest/security/` → `GET /rest/security/` ∥ `GET /rest/user/` ∥
//! `GET /localization/format/date` → `GET /js/translation/en_US.js` → render, then
//! `GET /analytics/collect_data` (menu Help) and the route's own chain. 7.0 adds
//! `GET /configuration/feature-flags` to the first level. The bodies are small stand-ins: the
//! clients only need the requests to happen, in that order, each with the latency.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use super::session::CurrentUser;
use super::{AppState, PimVersion};

/// The routes (login required, latency added by the caller's layers).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/js/extensions.json", get(extensions))
        .route("/rest/security/", get(security))
        .route("/localization/format/date", get(date_format))
        .route("/js/translation/{file}", get(translation))
        .route("/analytics/collect_data", get(analytics))
        .route("/configuration/feature-flags", get(feature_flags))
        .route("/configuration/channel/rest", get(channels))
        .route("/configuration/locale/rest", get(locales))
        .route("/enrich/product-category-tree/list-tree.json", get(trees))
}

/// `GET /js/extensions.json`: the form-extension configuration (`pim/form-config-provider`).
async fn extensions() -> Json<Value> {
    Json(json!({"extensions": {}, "attribute_fields": {}}))
}

/// `GET /rest/security/`: every ACL of the current user, granted or not
/// (`pim/security-context`).
async fn security(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Json<Value> {
    let db = app.lock();
    let map: Map<String, Value> = super::state::ACLS
        .iter()
        .map(|a| {
            (
                a.0.to_string(),
                Value::Bool(db.user_has_acl(me.user_id, a.0)),
            )
        })
        .collect();
    Json(Value::Object(map))
}

/// `GET /localization/format/date` (`pim/date-context`).
async fn date_format() -> Json<Value> {
    Json(json!({
        "date": {"format": "MM/dd/yyyy", "defaultFormat": "yyyy-MM-dd"},
        "time": {"format": "h:mm a", "defaultFormat": "HH:mm"},
        "language": "en_US"
    }))
}

/// `GET /js/translation/en_US.js` (`pim/init-translator`).
async fn translation() -> Response {
    (
        [(header::CONTENT_TYPE, "application/javascript; charset=utf-8")],
        r#"{"locale":"en_US","defaultDomain":"jsmessages","translations":{"en_US":{"jsmessages":{"pim_menu.tab.system":"System"}}}}"#,
    )
        .into_response()
}

/// `GET /analytics/collect_data` (the Help menu item): from 3.2 on the version collector's
/// `pim_edition` and `pim_version` (`AnalyticsBundle/DataCollector/VersionDataCollector.php`,
/// `shared/akeneo/connect-4.x-to-7.x-dom.md` §2.4); an empty object before.
async fn analytics(State(app): State<AppState>) -> Json<Value> {
    let version = match app.cfg.pim_version {
        PimVersion::V1_7 | PimVersion::V2 => return Json(json!({})),
        PimVersion::V3 => "3.2.84",
        PimVersion::V4 => "4.0.125",
        PimVersion::V5 => "5.0.56",
        PimVersion::V6 => "6.0.90",
        PimVersion::V7 => "7.0.22",
    };
    Json(json!({"pim_edition": "CE", "pim_version": version, "pim_environment": "prod"}))
}

/// `GET /configuration/feature-flags` (7.0).
async fn feature_flags() -> Json<Value> {
    Json(json!({}))
}

/// `GET /configuration/channel/rest` (user edit form, field "Default channel").
async fn channels() -> Json<Value> {
    Json(json!([{"code": "ecommerce", "labels": {"en_US": "Ecommerce"}}]))
}

/// `GET /configuration/locale/rest` (user edit form, locale fields).
async fn locales() -> Json<Value> {
    Json(json!([{"code": "en_US", "label": "English (United States)"}]))
}

/// `GET /enrich/product-category-tree/list-tree.json` (user edit form, "Default tree").
async fn trees() -> Json<Value> {
    Json(json!([{"id": 1, "code": "master", "label": "Master catalog"}]))
}
