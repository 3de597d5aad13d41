//! Akeneo PIM 1.7: full-page Twig-style pages (`PimUIBundle:Default:index.html.twig` layout,
//! `#page` hidden until the page script shows it, server-rendered `#main-menu`), Oro hash
//! navigation and no API connections page at all (`/client` is a 404; clients come from the
//! console, see [`super::console`]).
//!
//! Every page works as a plain full-page GET (`/`, `/user`, `/user/create`,
//! `/user/update/{id}`, `/user/role`, `/user/role/create`, `/user/role/update/{id}`) and as an
//! Oro hash-navigation request (`x-oro-hash-navigation: true` header, query or form field),
//! answered with the JSON of `hashNavAjax.html.twig` (`title`, `content`, `flashMessages`, ...);
//! redirects of hash requests become `{"redirect":true,"fullRedirect":false,"location":..}`,
//! which the page script turns into `#url=/path`. Forms POST urlencoded (role) or multipart
//! (user) and redirect to the update page with the flash "User saved" / "Role saved".
//! Not logged in: 302 to `/user/login` (no `use_forward` in 1.7).

pub mod roles;
pub mod users;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::datagrid::{metadata, page, GridQuery, PAGE_SIZE};
use super::html::{esc, form_pairs};
use super::session::{found, is_xhr, session_data, session_id, CurrentUser};
use super::{api, console, login, shell, AppState};

/// The 1.7 application: pages, hash navigation, grids, login, REST API and `/_sim/*`.
pub fn router(app: AppState) -> Router {
    let pages = Router::new()
        .route("/", get(dashboard))
        .route("/user", get(users_index))
        .route("/user/", get(users_index))
        .route("/user/create", get(user_create).post(user_create_post))
        .route("/user/update/{id}", get(user_update).post(user_update_post))
        .route("/user/group", get(groups_index))
        .route("/user/group/", get(groups_index))
        .route("/user/role", get(roles::index))
        .route("/user/role/", get(roles::index))
        .route(
            "/user/role/create",
            get(roles::create).post(roles::create_post),
        )
        .route(
            "/user/role/update/{id}",
            get(roles::update).post(roles::update_post),
        )
        .route("/datagrid/{grid}", get(super::datagrid::index))
        .layer(middleware::from_fn_with_state(app.clone(), latency))
        .layer(middleware::from_fn_with_state(app.clone(), require_login));
    Router::new()
        .route("/user/login", get(login::page))
        .route("/user/login-check", post(login::check))
        .route("/user/logout", get(login::logout))
        .route("/_sim/state", get(super::sim_state))
        .route("/_sim/console", post(console::endpoint))
        .route(
            "/_sim/requests",
            get(super::reqlog::list).delete(super::reqlog::clear),
        )
        .route("/bundles/{*path}", get(shell::asset))
        .merge(pages)
        .merge(api::router())
        .fallback(shell::not_found)
        .layer(middleware::from_fn_with_state(
            app.clone(),
            super::reqlog::record,
        ))
        .with_state(app)
}

/// True for Oro hash-navigation requests (header or query parameter `x-oro-hash-navigation`).
pub fn is_hash_nav(headers: &HeaderMap, query: Option<&str>) -> bool {
    headers.contains_key("x-oro-hash-navigation")
        || query.is_some_and(|q| {
            url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "x-oro-hash-navigation")
        })
}

fn request_is_hash_nav(req: &Request) -> bool {
    is_hash_nav(req.headers(), req.uri().query())
}

/// Login guard: hash requests get a full redirect to the login page, other XHRs a 401, pages a
/// 302 to `/user/login`.
async fn require_login(State(app): State<AppState>, mut req: Request, next: Next) -> Response {
    let sid = session_id(req.headers());
    let user = sid.as_ref().and_then(|s| {
        let db = app.lock();
        let uid = *db.sessions.get(s)?;
        db.users
            .iter()
            .find(|u| u.id == uid && u.enabled)
            .map(|u| u.id)
    });
    match (user, sid) {
        (Some(user_id), Some(session)) => {
            req.extensions_mut()
                .insert(CurrentUser { user_id, session });
            next.run(req).await
        }
        _ if request_is_hash_nav(&req) => {
            Json(json!({"redirect": true, "fullRedirect": true, "location": "/user/login"}))
                .into_response()
        }
        _ if is_xhr(req.headers()) => super::session::json_error(
            StatusCode::UNAUTHORIZED,
            "Full authentication is required to access this resource.",
        ),
        _ => found("/user/login"),
    }
}

/// The configured latency on XHR and hash-navigation requests.
async fn latency(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if is_xhr(req.headers()) || request_is_hash_nav(&req) {
        app.latency().await;
    }
    next.run(req).await
}

/// Form pairs of a urlencoded or `multipart/form-data` body (file parts are skipped).
pub fn body_pairs(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(boundary) = ct
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))
        .filter(|_| ct.starts_with("multipart/form-data"))
    else {
        return form_pairs(body);
    };
    let boundary = boundary.trim_matches('"');
    let delim = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut out = Vec::new();
    for part in text.split(delim.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .unwrap_or("");
        if disposition.contains("filename=") {
            continue;
        }
        let name = disposition.split(';').map(str::trim).find_map(|p| {
            p.strip_prefix("name=")
                .map(|n| n.trim_matches('"').to_string())
        });
        if let Some(name) = name {
            out.push((name, value.to_string()));
        }
    }
    out
}

/// A rendered page: its title, the `#container` content and the active menu tab.
pub struct Page {
    /// `document.title`.
    pub title: String,
    /// HTML of `#container`.
    pub content: String,
    /// `true` when the System tab is the active one.
    pub system: bool,
}

fn main_menu(system: bool) -> String {
    let tab = |label: &str, href: &str, active: bool, sub: &str| {
        format!(
            r#"<li class="AknHeader-menuItem dropdown{a}"><a href="{href}" class="AknHeader-menuItemLink dropdown-toggle">{label}</a>{sub}</li>"#,
            a = if active {
                " active AknHeader-menuItem--active"
            } else {
                ""
            }
        )
    };
    let system_menu = concat!(
        r#"<ul class="dropdown-menu AknDropdown-menu"><li class="dropdown-header AknDropdown-menuTitle">Users Management</li>"#,
        r#"<li><a class="AknDropdown-menuLink" href="/user">Users</a></li>"#,
        r#"<li><a class="AknDropdown-menuLink" href="/user/role">Roles</a></li>"#,
        r#"<li><a class="AknDropdown-menuLink" href="/user/group">Groups</a></li></ul>"#
    );
    let mut out = String::from(r#"<ul id="main-menu" class="AknHeader-menu nav">"#);
    out.push_str(&tab("Dashboard", "/", !system, ""));
    for label in ["Enrich", "Collect", "Spread", "Settings"] {
        out.push_str(&tab(label, "#", false, ""));
    }
    out.push_str(&tab("System", "/user", system, system_menu));
    out.push_str("</ul>");
    out
}

fn flash_html(flashes: &[(String, String)]) -> String {
    flashes
        .iter()
        .map(|(t, m)| {
            let ty = if t == "error" { "error" } else { t.as_str() };
            format!(
                r#"<div class="AknFlash alert alert-{ty} AknFlash--{ty} fade in top-messages"><a class="close" data-dismiss="alert">&times;</a><div class="message">{}</div></div>"#,
                esc(m)
            )
        })
        .collect()
}

/// Full-page layout, or the hash-navigation JSON, for `page`. Pending flashes are consumed.
pub fn respond(
    app: &AppState,
    headers: &HeaderMap,
    hash: bool,
    me: &CurrentUser,
    page: Page,
) -> Response {
    let (flashes, full_name) = {
        let mut db = app.lock();
        let full_name = db
            .users
            .iter()
            .find(|u| u.id == me.user_id)
            .map(|u| format!("{} {}", u.first_name, u.last_name))
            .unwrap_or_default();
        let flashes = std::mem::take(&mut session_data(&mut db, &me.session).flashes);
        (flashes, full_name)
    };
    let user_menu = format!(
        r#"<ul class="AknHeader-userMenu nav pull-right user-menu"><li class="dropdown"><a href="/user/update/{id}" class="dropdown-toggle">{name}</a><ul class="dropdown-menu"><li><a href="/user/logout" data-nohash="true" class="no-hash">Logout</a></li></ul></li></ul>"#,
        id = me.user_id,
        name = esc(&full_name),
    );
    if hash || is_hash_nav(headers, None) {
        let mut by_type: serde_json::Map<String, Value> = serde_json::Map::new();
        for (t, m) in &flashes {
            if let Some(list) = by_type
                .entry(t.clone())
                .or_insert_with(|| Value::Array(vec![]))
                .as_array_mut()
            {
                list.push(Value::String(m.clone()));
            }
        }
        let title_short = page.title.split(" - ").next().unwrap_or("").to_string();
        return Json(json!({
            "title": format!("{} | Akeneo PIM", page.title),
            "titleSerialized": json!({"template": page.title, "params": {}}).to_string(),
            "titleShort": title_short,
            "scripts": "",
            "mainMenu": main_menu(page.system),
            "userMenu": user_menu,
            "breadcrumb": "",
            "flashMessages": Value::Object(by_type),
            "history": [],
            "mostviewed": [],
            "content": page.content,
            "showPinButton": false,
        }))
        .into_response();
    }
    let html = format!(
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<title>{title} | Akeneo PIM</title>
<link rel="stylesheet" href="/bundles/pimui/common/base.css"/>
<link rel="stylesheet" href="/bundles/pimui/v17/app.css"/>
</head>
<body class="AknDefault">
<div id="progressbar" class="AknDefault-progressContainer"><h3>Loading ...</h3><div class="progress progress-striped active"><div class="bar" style="width: 100%;"></div></div></div>
<div id="page" style="display:none;">
 <div id="top-page">
  <header class="AknHeader navbar">
   <div class="AknHeader-logoContainer"><a class="AknHeader-logo" href="/" title="Dashboard"><img src="/bundles/pimui/common/logo.svg" alt="Akeneo"/></a></div>
   {menu}
   {user_menu}
  </header>
  <div id="flash-messages" class="AknFlashContainer"><div class="flash-messages-holder">{flashes}</div></div>
 </div>
 <div id="container" class="AknDefault-container scrollable-container">{content}</div>
</div>
<div class="hash-loading-mask"><div class="loading-mask" style="display: none;"><div id="loading-wrapper" class="AknLoadingMask-wrapper loading-wrapper"></div><div id="loading-frame" class="AknLoadingMask-frame loading-frame"><div class="box"><span>Loading...</span></div></div></div></div>
<script src="/bundles/pimui/common/twig-forms.js"></script>
<script src="/bundles/pimui/v17/app.js"></script>
</body>
</html>"##,
        title = esc(&page.title),
        menu = main_menu(page.system),
        flashes = flash_html(&flashes),
        content = page.content,
    );
    Html(html).into_response()
}

/// A redirect: hash-navigation JSON, or a 302.
pub fn redirect(hash: bool, location: &str) -> Response {
    if hash {
        Json(json!({"redirect": true, "fullRedirect": false, "location": location})).into_response()
    } else {
        found(location)
    }
}

/// The title block of a 1.7 index page, with an optional creation button.
pub(crate) fn index_header(crumb: &str, title: &str, button: Option<(&str, &str)>) -> String {
    let button = button
        .map(|(href, label)| {
            format!(
                r#"<a class="AknButton AknButton--apply AknButton--withIcon" href="{href}" title="{label}"><i class="AknButton-icon icon-plus"></i>{label}</a>"#,
                label = esc(label)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<div class="AknTitleContainer navigation"><div class="AknTitleContainer-line"><div class="AknTitleContainer-mainContainer"><div class="AknTitleContainer-line"><div class="AknTitleContainer-breadcrumbs"><div class="AknBreadcrumb"><span class="AknBreadcrumb-item">System</span><span class="AknBreadcrumb-item AknBreadcrumb-item--final">{crumb}</span></div></div><div class="AknTitleContainer-buttonsContainer"><div class="AknButtonList">{button}</div></div></div><div class="AknTitleContainer-line"><div class="AknTitleContainer-title">{title}</div></div></div></div></div>"#,
        crumb = esc(crumb),
        title = esc(title),
    )
}

/// A datagrid container with its first page embedded (`data-data`, `data-metadata`).
pub fn grid_container(db: &super::state::State, grid: &str, role_id: Option<u64>) -> String {
    let q = GridQuery {
        page: 1,
        per_page: PAGE_SIZE,
        sort: None,
        role_id,
        label_filter: None,
        filters: Vec::new(),
    };
    let data = page(db, grid, &q).unwrap_or_default();
    format!(
        r#"<div id="grid-{grid}" data-type="datagrid" data-data="{}" data-metadata="{}"></div>"#,
        esc(&data.to_string()),
        esc(&metadata(grid, &q).to_string())
    )
}

/// Query string of a request, for the hash-navigation test.
pub(crate) fn hash_of(headers: &HeaderMap, query: &Option<String>) -> bool {
    is_hash_nav(headers, query.as_deref())
}

async fn dashboard(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let content = concat!(
        r#"<div class="AknTitleContainer navigation"><div class="AknTitleContainer-line"><div class="AknTitleContainer-title">Dashboard</div></div></div>"#,
        r#"<div class="AknDashboardButtons">"#,
        r##"<a class="AknDashboardButtons-button" href="#"><span class="AknDashboardButtons-icon icon-plus"></span>Create a product</a>"##,
        r#"<a class="AknDashboardButtons-button" href="/user"><span class="AknDashboardButtons-icon icon-user"></span>Manage users</a>"#,
        r#"<a class="AknDashboardButtons-button" href="/user/role"><span class="AknDashboardButtons-icon icon-lock"></span>Manage roles</a>"#,
        r#"</div>"#,
        r#"<div class="AknDashboard"><div class="AknWidget"><div class="AknWidget-header">Last operations</div><div class="AknWidget-body">No operation found</div></div>"#,
        r#"<div class="AknWidget"><div class="AknWidget-header">Completeness over channels</div><div class="AknWidget-body">No channel to show</div></div></div>"#
    );
    let hash = hash_of(&headers, &q);
    respond(
        &app,
        &headers,
        hash,
        &me,
        Page {
            title: "Dashboard".into(),
            content: content.into(),
            system: false,
        },
    )
}

async fn users_index(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let grid = grid_container(&app.lock(), "pim-user-grid", None);
    let content = format!(
        "{}{grid}",
        index_header("Users", "Users", Some(("/user/create", "Create user")))
    );
    let hash = hash_of(&headers, &q);
    respond(
        &app,
        &headers,
        hash,
        &me,
        Page {
            title: "Users".into(),
            content,
            system: true,
        },
    )
}

async fn groups_index(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let content = format!(
        "{}{}",
        index_header("Groups", "Groups", Some(("#", "Create group"))),
        r#"<div class="AknGridContainer grid-container"><table class="AknGrid grid table-hover table table-bordered table-condensed"><thead><tr><th class="AknGrid-headerCell">Label</th></tr></thead><tbody><tr class="AknGrid-bodyRow"><td class="AknGrid-bodyCell">All</td></tr></tbody></table></div>"#
    );
    let hash = hash_of(&headers, &q);
    respond(
        &app,
        &headers,
        hash,
        &me,
        Page {
            title: "Groups".into(),
            content,
            system: true,
        },
    )
}

fn user_page(app: &AppState, me: &CurrentUser, id: Option<u64>) -> Option<Page> {
    let (title, html) = users::form_html(app, &me.session, id)?;
    Some(Page {
        title,
        content: html,
        system: true,
    })
}

async fn user_create(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let hash = hash_of(&headers, &q);
    match user_page(&app, &me, None) {
        Some(p) => respond(&app, &headers, hash, &me, p),
        None => shell::not_found(headers).await,
    }
}

async fn user_update(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    axum::extract::Path(id): axum::extract::Path<u64>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let hash = hash_of(&headers, &q);
    match user_page(&app, &me, Some(id)) {
        Some(p) => respond(&app, &headers, hash, &me, p),
        None => shell::not_found(headers).await,
    }
}

pub(crate) fn post_hash(
    headers: &HeaderMap,
    q: &Option<String>,
    pairs: &[(String, String)],
) -> bool {
    hash_of(headers, q) || pairs.iter().any(|(k, _)| k == "x-oro-hash-navigation")
}

async fn user_create_post(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    body: Bytes,
) -> Response {
    app.lock().counters.user_create += 1;
    let pairs = body_pairs(&headers, &body);
    let hash = post_hash(&headers, &q, &pairs);
    match users::process(&app, &me, None, &pairs) {
        Ok(id) => redirect(hash, &format!("/user/update/{id}")),
        Err((title, content)) => respond(
            &app,
            &headers,
            hash,
            &me,
            Page {
                title,
                content,
                system: true,
            },
        ),
    }
}

async fn user_update_post(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    axum::extract::Path(id): axum::extract::Path<u64>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
    body: Bytes,
) -> Response {
    if !app.lock().users.iter().any(|u| u.id == id) {
        return shell::not_found(headers).await;
    }
    let pairs = body_pairs(&headers, &body);
    let hash = post_hash(&headers, &q, &pairs);
    match users::process(&app, &me, Some(id), &pairs) {
        Ok(id) => redirect(hash, &format!("/user/update/{id}")),
        Err((title, content)) => respond(
            &app,
            &headers,
            hash,
            &me,
            Page {
                title,
                content,
                system: true,
            },
        ),
    }
}
