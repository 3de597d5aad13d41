//! 1.7 role pages: the roles grid (`/user/role`) and the role form `oro_user_role_form`
//! (`/user/role/create`, `/user/role/update/{id}`) as full pages or hash-navigation JSON; a
//! successful POST redirects to `/user/role/update/{id}` with the flash "Role saved".

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Extension;

use super::super::roles::{form_html, process};
use super::super::session::CurrentUser;
use super::super::{shell, AppState};
use super::{body_pairs, grid_container, index_header, post_hash, redirect, respond, Page};

/// `GET /user/role`: the roles grid with the "Create role" button.
pub async fn index(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let grid = grid_container(&app.lock(), "pim-role-grid", None);
    let content = format!(
        "{}{grid}",
        index_header("Roles", "Roles", Some(("/user/role/create", "Create role")))
    );
    let hash = super::hash_of(&headers, &q);
    respond(
        &app,
        &headers,
        hash,
        &me,
        Page {
            title: "Roles".into(),
            content,
            system: true,
        },
    )
}

async fn page(
    app: &AppState,
    me: &CurrentUser,
    headers: HeaderMap,
    q: Option<String>,
    id: Option<u64>,
) -> Response {
    let hash = super::hash_of(&headers, &q);
    match form_html(app, &me.session, id) {
        Some((title, content)) => respond(
            app,
            &headers,
            hash,
            me,
            Page {
                title,
                content,
                system: true,
            },
        ),
        None => shell::not_found(headers).await,
    }
}

/// `GET /user/role/create`.
pub async fn create(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    page(&app, &me, headers, q, None).await
}

/// `GET /user/role/update/{id}`.
pub async fn update(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    page(&app, &me, headers, q, Some(id)).await
}

fn submit(
    app: &AppState,
    me: &CurrentUser,
    headers: &HeaderMap,
    q: &Option<String>,
    id: Option<u64>,
    body: &[u8],
) -> Response {
    let pairs = body_pairs(headers, body);
    let hash = post_hash(headers, q, &pairs);
    match process(app, me, id, &pairs) {
        Ok(id) => redirect(hash, &format!("/user/role/update/{id}")),
        Err((title, content)) => respond(
            app,
            headers,
            hash,
            me,
            Page {
                title,
                content,
                system: true,
            },
        ),
    }
}

/// `POST /user/role/create`.
pub async fn create_post(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    app.lock().counters.role_create += 1;
    submit(&app, &me, &headers, &q, None, &body)
}

/// `POST /user/role/update/{id}`.
pub async fn update_post(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    app.lock().counters.role_update += 1;
    if app.lock().role(id).is_none() {
        return shell::not_found(headers).await;
    }
    submit(&app, &me, &headers, &q, Some(id), &body)
}
