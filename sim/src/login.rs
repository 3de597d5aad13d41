//! Login (`/user/login`, `POST /user/login-check`) and logout: the 2.x/3.x page, or the 1.7
//! layout (`body.AknLogin`, `#page` shown by the page script, `fieldset`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::html::{esc, form_pairs, form_value};
use super::session::{clear_cookie, found, new_session_id, session_data, session_id, set_cookie};
use super::{AppState, PimVersion};

/// Symfony's message for a wrong username or password.
pub const INVALID_CREDENTIALS: &str = "Invalid credentials.";
/// Symfony's message for a bad login CSRF token.
pub const INVALID_CSRF: &str = "Invalid CSRF token.";
/// Symfony's message for an inactive user.
pub const ACCOUNT_DISABLED: &str = "Account is disabled.";

/// `GET /user/login`.
pub async fn page(State(app): State<AppState>, headers: HeaderMap) -> Response {
    render_page(&app, &headers)
}

/// The login page for this request's session (a session is started when there is none); the
/// last login error is shown once.
pub fn render_page(app: &AppState, headers: &HeaderMap) -> Response {
    let known = session_id(headers).filter(|s| app.lock().session_data.contains_key(s));
    let (sid, fresh) = match known {
        Some(s) => (s, false),
        None => (new_session_id(), true),
    };
    let (csrf, error, last_username) = {
        let mut db = app.lock();
        let data = session_data(&mut db, &sid);
        (
            data.login_csrf.clone(),
            data.last_error.take(),
            data.last_username.clone(),
        )
    };
    let v = app.cfg.pim_version;
    let body = if v >= PimVersion::V5 {
        modern_page(v, error.as_deref(), &last_username, &csrf)
    } else {
        legacy_page(app, &sid, error.as_deref(), &last_username, &csrf)
    };
    let mut resp = Html(body).into_response();
    if fresh {
        resp.headers_mut()
            .insert(header::SET_COOKIE, set_cookie(&sid));
    }
    resp
}

/// 1.7 to 4.x: `div.AknLogin-mainContainer`, error in `div.AknMessageBox--error`.
fn legacy_page(
    app: &AppState,
    sid: &str,
    error: Option<&str>,
    last_username: &str,
    csrf: &str,
) -> String {
    let error_box = error
        .map(|e| {
            format!(
                r#"<div class="AknMessageBox AknMessageBox--error">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    let template = match app.cfg.pim_version {
        PimVersion::V1_7 => include_str!("assets/v17/login.html"),
        _ => include_str!("assets/v3/login.html"),
    };
    // 2.x: the login layout prints the session's leftover flash messages (e.g. "Role saved").
    let leftovers = if app.cfg.pim_version == PimVersion::V2 {
        let mut db = app.lock();
        std::mem::take(&mut session_data(&mut db, sid).flashes)
            .iter()
            .map(|(t, m)| format!(r#"<div class="alert alert-{}">{}</div>"#, esc(t), esc(m)))
            .collect::<String>()
    } else {
        String::new()
    };
    template
        .replacen(
            r#"<div id="page"><div id="top-page">"#,
            &format!(r#"<div id="page"><div id="top-page">{leftovers}"#),
            1,
        )
        .replace("{{error}}", &error_box)
        .replace("{{last_username}}", &esc(last_username))
        .replace("{{csrf}}", &esc(csrf))
}

/// 5.0+ (`div.AuthenticationWrapper`): the error is a `div.Helper > span.Icon + span.Text`
/// without modifier class; 6.0+ inputs are `#username_input` / `#password_input`.
fn modern_page(v: PimVersion, error: Option<&str>, last_username: &str, csrf: &str) -> String {
    let (user_id, password_id) = if v >= PimVersion::V6 {
        ("username_input", "password_input")
    } else {
        ("prependedInput", "prependedInput2")
    };
    let messages = error
        .map(|e| {
            format!(
                r#"<div class="Helper"><span class="Icon"></span><span class="Text">{}</span></div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    include_str!("assets/v5/login.html")
        .replace("{{messages}}", &messages)
        .replace("{{user_id}}", user_id)
        .replace("{{password_id}}", password_id)
        .replace("{{last_username}}", &esc(last_username))
        .replace("{{csrf}}", &esc(csrf))
}

/// `POST /user/login-check`: 302 to `/` with a new session on success, 302 back to the login
/// page (which then shows the error) on failure.
pub async fn check(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let username = form_value(&pairs, "_username")
        .unwrap_or("")
        .trim()
        .to_string();
    let password = form_value(&pairs, "_password").unwrap_or("");
    let token = form_value(&pairs, "_csrf_token").unwrap_or("");
    let sid = session_id(&headers);

    let mut db = app.lock();
    db.counters.login += 1;
    let expected = sid
        .as_ref()
        .and_then(|s| db.session_data.get(s))
        .map(|d| d.login_csrf.clone());
    let outcome = if expected
        .as_deref()
        .is_none_or(|e| e.is_empty() || e != token)
    {
        Err(INVALID_CSRF)
    } else {
        match db
            .users
            .iter()
            .find(|u| u.username == username || u.email == username)
        {
            Some(u) if u.password == password && !password.is_empty() => {
                if u.enabled {
                    Ok(u.id)
                } else {
                    Err(ACCOUNT_DISABLED)
                }
            }
            _ => Err(INVALID_CREDENTIALS),
        }
    };
    match outcome {
        Ok(user_id) => {
            // Session migration on login: a new id, the old anonymous session is dropped.
            if let Some(old) = &sid {
                db.session_data.remove(old);
                db.sessions.remove(old);
            }
            let new_sid = new_session_id();
            db.sessions.insert(new_sid.clone(), user_id);
            session_data(&mut db, &new_sid);
            let mut resp = found("/");
            resp.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&new_sid));
            resp
        }
        Err(message) => {
            let (sid, fresh) = match sid.filter(|s| db.session_data.contains_key(s)) {
                Some(s) => (s, false),
                None => (new_session_id(), true),
            };
            let data = session_data(&mut db, &sid);
            data.last_error = Some(message.to_string());
            data.last_username = username;
            let mut resp = found("/user/login");
            if fresh {
                resp.headers_mut()
                    .insert(header::SET_COOKIE, set_cookie(&sid));
            }
            resp
        }
    }
}

/// `GET /user/logout`: ends the session, 302 to the login page.
pub async fn logout(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(sid) = session_id(&headers) {
        let mut db = app.lock();
        db.sessions.remove(&sid);
        db.session_data.remove(&sid);
    }
    let mut resp = found("/user/login");
    resp.headers_mut()
        .insert(header::SET_COOKIE, clear_cookie());
    resp
}

/// Status used for the in-place login page of protected URLs.
pub const IN_PLACE_STATUS: StatusCode = StatusCode::UNAUTHORIZED;
