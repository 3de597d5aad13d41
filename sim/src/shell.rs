//! The SPA shell at `/` and the embedded static assets under `/bundles/`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use serde_json::json;

use super::html::esc;
use super::session::{is_xhr, json_error, session_data, CurrentUser};
use super::AppState;

/// Embedded files: URL path under `/bundles/` → (content type, bytes). One folder per
/// generation (`v3/`), shared bits in `common/`.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "pimui/v3/app.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/v3/app.css"),
    ),
    (
        "pimui/v3/app.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/v3/app.js"),
    ),
    (
        "pimui/v2/app.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/v2/app.js"),
    ),
    (
        "pimui/v17/app.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/v17/app.js"),
    ),
    (
        "pimui/v17/app.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/v17/app.css"),
    ),
    (
        "pimui/common/twig-forms.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/common/twig-forms.js"),
    ),
    (
        "pimui/v4/connections.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/v4/connections.js"),
    ),
    (
        "pimui/v4/shell.js",
        "application/javascript; charset=utf-8",
        include_bytes!("assets/v4/shell.js"),
    ),
    (
        "pimui/v5/login.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/v5/login.css"),
    ),
    (
        "pimui/v4/connections.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/v4/connections.css"),
    ),
    (
        "pimui/v4/connection.svg",
        "image/svg+xml",
        include_bytes!("assets/v4/connection.svg"),
    ),
    (
        "pimui/common/base.css",
        "text/css; charset=utf-8",
        include_bytes!("assets/common/base.css"),
    ),
    (
        "pimui/common/logo.svg",
        "image/svg+xml",
        include_bytes!("assets/common/logo.svg"),
    ),
    (
        "pimui/common/user.svg",
        "image/svg+xml",
        include_bytes!("assets/common/user.svg"),
    ),
    (
        "pimui/common/role.svg",
        "image/svg+xml",
        include_bytes!("assets/common/role.svg"),
    ),
    (
        "pimui/common/api.svg",
        "image/svg+xml",
        include_bytes!("assets/common/api.svg"),
    ),
    (
        "pimui/common/avatar.svg",
        "image/svg+xml",
        include_bytes!("assets/common/avatar.svg"),
    ),
    (
        "pimui/common/megaphone.svg",
        "image/svg+xml",
        include_bytes!("assets/common/megaphone.svg"),
    ),
    (
        "pimui/common/bell.svg",
        "image/svg+xml",
        include_bytes!("assets/common/bell.svg"),
    ),
    (
        "pimui/common/empty-api-connections.svg",
        "image/svg+xml",
        include_bytes!("assets/common/empty-api-connections.svg"),
    ),
];

/// `GET /bundles/{path}`: an embedded asset, 404 otherwise.
pub async fn asset(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|(p, _, _)| *p == path) {
        Some((_, ty, bytes)) => (
            [
                (header::CONTENT_TYPE, *ty),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Not Found").into_response(),
    }
}

/// `GET /` (logged in): the SPA shell, with the session's pending flash messages.
pub async fn index(State(app): State<AppState>, Extension(me): Extension<CurrentUser>) -> Response {
    let (flashes, username, full_name) = {
        let mut db = app.lock();
        let (username, full_name) = db
            .users
            .iter()
            .find(|u| u.id == me.user_id)
            .map(|u| {
                (
                    u.username.clone(),
                    format!("{} {}", u.first_name, u.last_name),
                )
            })
            .unwrap_or_default();
        let flashes = std::mem::take(&mut session_data(&mut db, &me.session).flashes);
        (flashes, username, full_name)
    };
    let flashes: Vec<_> = flashes
        .iter()
        .map(|(t, m)| json!({"type": t, "message": m}))
        .collect();
    // `</` cannot end the script element from inside a JSON string.
    let flashes = serde_json::Value::from(flashes)
        .to_string()
        .replace("</", "<\\/");
    // 4.x-7.x: their own shell page (Connections / Connect menu), told its generation.
    let template = if app.cfg.pim_version >= super::PimVersion::V4 {
        include_str!("assets/v4/index.html")
    } else {
        include_str!("assets/v3/index.html")
    };
    // 4.0 keeps the legacy holder at the top of `#page`; 5.0+ mounts the MessageBar root in
    // `#flash-messages`, the last child of `#page`.
    let (flash_top, flash_bottom) = if app.cfg.pim_version >= super::PimVersion::V5 {
        ("", r#"<div id="flash-messages"></div>"#)
    } else {
        (
            r#"<div id="flash-messages" class="AknFlashContainer"><div class="flash-messages-holder"></div></div>"#,
            "",
        )
    };
    let salt = app.lock().style_salt.clone();
    let page = template
        .replace("{{flash_top}}", flash_top)
        .replace("{{flash_bottom}}", flash_bottom)
        .replace("{{salt}}", &salt)
        .replace("{{full_version}}", full_version(app.cfg.pim_version))
        .replace("{{pim_version}}", app.cfg.pim_version.arg())
        .replace("{{flashes}}", &flashes)
        .replace("{{username}}", &esc(&username))
        .replace("{{full_name}}", &esc(&full_name))
        .replacen(
            "<script src=\"/bundles/pimui/v3/app.js\"></script>",
            &format!(
                "{}<script src=\"/bundles/pimui/v3/app.js\"></script>",
                app.fault_script()
            ),
            1,
        );
    // 2.x: the same SPA, told its generation, plus the 2.x controllers (Twig user form ...).
    let page = if app.cfg.pim_version == super::PimVersion::V2 {
        page.replace(
            r#"<script src="/bundles/pimui/v3/app.js"></script>"#,
            concat!(
                r#"<script>window.PIM_VERSION = "2";</script>"#,
                r#"<script src="/bundles/pimui/v3/app.js"></script>"#,
                r#"<script src="/bundles/pimui/common/twig-forms.js"></script>"#,
                r#"<script src="/bundles/pimui/v2/app.js"></script>"#
            ),
        )
    } else {
        page
    };
    Html(page).into_response()
}

/// The full version string of a generation (last release of each line, fact sheet §2.4).
pub fn full_version(v: super::PimVersion) -> &'static str {
    use super::PimVersion::*;
    match v {
        V1_7 => "1.7.41",
        V2 => "2.3.80",
        V3 => "3.2.84",
        V4 => "4.0.125",
        V5 => "5.0.118",
        V6 => "6.0.90",
        V7 => "7.0.22",
    }
}

/// `GET /analytics/collect_data` (3.2+; fired at every app boot by the Help menu item): the
/// version collector's keys.
pub async fn collect_data(State(app): State<AppState>) -> Response {
    axum::Json(json!({
        "pim_edition": "CE",
        "pim_version": full_version(app.cfg.pim_version),
        "pim_environment": "prod",
        "pim_install_time": "2024-01-15T09:30:00+00:00",
        "server_version": "Apache/2.4",
    }))
    .into_response()
}

/// Anything else: 404 (JSON for XHRs).
pub async fn not_found(headers: HeaderMap) -> Response {
    if is_xhr(&headers) {
        json_error(StatusCode::NOT_FOUND, "Not Found")
    } else {
        (
            StatusCode::NOT_FOUND,
            Html("<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>"),
        )
            .into_response()
    }
}
