//! HTTP-level tests of the simulator's back office (3.x): login, the in-place login page, XHR
//! rules, `/rest/user/`, the role form, datagrids, `/client/rest`, `/_sim/state` and the server's
//! lifecycle. Cookies are handled by hand (the session cookie is `BAPID`).

mod support;

use std::time::{Duration, Instant};

use pim_sim::{self as sim, SimConfig, SimHandle};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::http::{bapid, http, input_value};

/// A simulator without latency (one test checks the latency on its own).
async fn sim_fast() -> SimHandle {
    sim::start(SimConfig {
        latency: Duration::ZERO,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// A browser-like session: GET the login page, POST the form, keep the cookie.
struct Session {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

impl Session {
    async fn anonymous(sim: &SimHandle) -> (Session, String) {
        let http = http();
        let r = http
            .get(format!("{}/user/login", sim.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let cookie = bapid(r.headers()).expect("login page starts a session");
        let html = r.text().await.unwrap();
        let csrf = input_value(&html, "_csrf_token");
        (
            Session {
                base: sim.url().to_string(),
                http,
                cookie,
            },
            csrf,
        )
    }

    async fn login(sim: &SimHandle, user: &str, password: &str) -> Session {
        let (mut s, csrf) = Session::anonymous(sim).await;
        let r = s.post_login(user, password, &csrf).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()[LOCATION], "/");
        s.cookie = bapid(r.headers()).expect("new session id on login");
        s
    }

    async fn post_login(&self, user: &str, password: &str, csrf: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/user/login-check", self.base))
            .header(COOKIE, format!("BAPID={}", self.cookie))
            .form(&[
                ("_username", user),
                ("_password", password),
                ("_csrf_token", csrf),
                ("_target_path", ""),
                ("_submit", ""),
            ])
            .send()
            .await
            .unwrap()
    }

    fn req(&self, method: Method, path: &str, xhr: bool) -> reqwest::RequestBuilder {
        let b = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header(COOKIE, format!("BAPID={}", self.cookie));
        if xhr {
            b.header("X-Requested-With", "XMLHttpRequest")
        } else {
            b
        }
    }

    async fn get_xhr(&self, path: &str) -> (StatusCode, String) {
        let r = self.req(Method::GET, path, true).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn post_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .req(Method::POST, path, true)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn post_form(&self, path: &str, pairs: &[(String, String)]) -> reqwest::Response {
        self.req(Method::POST, path, true)
            .form(pairs)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn login_page_has_the_3x_form_and_starts_a_session() {
    let sim = sim_fast().await;
    let r = http()
        .get(format!("{}/user/login", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(bapid(r.headers()).is_some());
    let html = r.text().await.unwrap();
    for hook in [
        r#"class="form-signin form-inline""#,
        r#"action="/user/login-check""#,
        r#"id="prependedInput" autofocus name="_username""#,
        r#"id="prependedInput2" name="_password""#,
        r#"name="_csrf_token""#,
        r#"id="_submit" name="_submit">Log in</button>"#,
        r#"class="AknLogin-title""#,
    ] {
        assert!(html.contains(hook), "login page lacks {hook}");
    }
    assert!(!html.contains("AknMessageBox--error"));
    assert!(input_value(&html, "_csrf_token").len() > 20);
    sim.stop().await;
}

#[tokio::test]
async fn login_succeeds_with_a_new_session_and_serves_the_shell() {
    let sim = sim_fast().await;
    let (anon, _) = Session::anonymous(&sim).await;
    let s = Session::login(&sim, "admin", "admin").await;
    assert_ne!(anon.cookie, s.cookie, "session id migrates on login");
    let r = s.req(Method::GET, "/", false).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    for hook in [
        r#"<div class="hash-loading-mask"><div class="AknLoadingMask loading-mask""#,
        r#"id="flash-messages""#,
        r#"class="flash-messages-holder""#,
        r#"id="container""#,
        r#"data-drop-zone="menu""#,
        ">System</a>",
        "/bundles/pimui/v3/app.js",
    ] {
        assert!(html.contains(hook), "shell lacks {hook}");
    }
    // The old anonymous session is not logged in.
    let r = anon.req(Method::GET, "/", false).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Login by e-mail works too (Username or Email).
    Session::login(&sim, "admin@example.com", "admin").await;
    assert_eq!(sim.state()["counters"]["login"], 2);
    sim.stop().await;
}

#[tokio::test]
async fn bad_credentials_show_the_error_once_on_the_login_page() {
    let sim = sim_fast().await;
    let (s, csrf) = Session::anonymous(&sim).await;
    let r = s.post_login("admin", "wrong", &csrf).await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/user/login");
    let (_, html) = s.get_xhr("/user/login").await;
    assert!(html
        .contains(r#"<div class="AknMessageBox AknMessageBox--error">Invalid credentials.</div>"#));
    assert!(
        html.contains(r#"value="admin""#),
        "last username is pre-filled"
    );
    let (_, html) = s.get_xhr("/user/login").await;
    assert!(
        !html.contains("AknMessageBox--error"),
        "the error is shown once"
    );
    // Unknown user: same message.
    let r = s.post_login("nobody", "admin", &csrf).await;
    assert_eq!(r.headers()[LOCATION], "/user/login");
    let (_, html) = s.get_xhr("/user/login").await;
    assert!(html.contains("Invalid credentials."));
    assert_eq!(sim.state()["counters"]["login"], 2);
    sim.stop().await;
}

#[tokio::test]
async fn login_checks_the_csrf_token() {
    let sim = sim_fast().await;
    let (s, _) = Session::anonymous(&sim).await;
    let r = s.post_login("admin", "admin", "forged").await;
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/user/login");
    let (_, html) = s.get_xhr("/user/login").await;
    assert!(html.contains(r#"AknMessageBox--error">Invalid CSRF token.</div>"#));
    // Without any session cookie the token cannot match either.
    let r = http()
        .post(format!("{}/user/login-check", sim.url()))
        .form(&[
            ("_username", "admin"),
            ("_password", "admin"),
            ("_csrf_token", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/user/login");
    assert_eq!(
        sim.state()["counters"]["login"],
        2,
        "rejected logins are counted"
    );
    sim.stop().await;
}

#[tokio::test]
async fn unauthenticated_requests_get_the_login_page_in_place_or_401_json() {
    let sim = sim_fast().await;
    let h = http();
    for path in ["/", "/user/role/create"] {
        let r = h.get(format!("{}{path}", sim.url())).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        let html = r.text().await.unwrap();
        assert!(
            html.contains("form-signin"),
            "{path} answers the login page in place"
        );
    }
    let r = h
        .get(format!("{}/datagrid/pim-user-grid", sim.url()))
        .header("X-Requested-With", "XMLHttpRequest")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 401);
    let r = h
        .post(format!("{}/client/rest", sim.url()))
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(sim.state()["api_clients"].as_array().unwrap().is_empty());

    // Logout ends the session.
    let s = Session::login(&sim, "admin", "admin").await;
    let r = s
        .req(Method::GET, "/user/logout", false)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/user/login");
    let r = s.req(Method::GET, "/", false).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    sim.stop().await;
}

#[tokio::test]
async fn rest_user_validates_and_creates_users_with_role_user() {
    let sim = sim_fast().await;
    let s = Session::login(&sim, "admin", "admin").await;

    // Without the XHR header: 302 to /.
    let r = s
        .req(Method::POST, "/rest/user/", false)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/");

    let (status, body) = s.post_json("/rest/user/", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let values = body["values"].as_array().unwrap();
    for path in ["username", "password", "first_name", "last_name", "email"] {
        assert!(
            values
                .iter()
                .any(|v| v["path"] == path && v["message"] == "This value should not be blank."),
            "blank {path}: {body}"
        );
    }
    let good = json!({"username": "api_user", "password": "s3cret!", "password_repeat": "s3cret!",
        "first_name": "Api", "last_name": "User", "email": "api@example.com"});
    let mut mismatch = good.clone();
    mismatch["password_repeat"] = json!("other");
    let (status, body) = s.post_json("/rest/user/", mismatch).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["values"][0]["path"], "password_repeat");
    assert_eq!(body["values"][0]["message"], "Passwords do not match");
    let mut taken = good.clone();
    taken["username"] = json!("admin");
    let (status, body) = s.post_json("/rest/user/", taken).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["values"][0],
        json!({"path": "username", "message": "This value is already used.", "global": false})
    );
    // Not JSON at all: every field blank, still a 400, never a 500.
    let r = s
        .req(Method::POST, "/rest/user/", true)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let (status, body) = s.post_json("/rest/user/", good).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["meta"]["id"].as_u64().unwrap();
    assert_eq!(body["username"], "api_user");
    assert_eq!(body["roles"], json!(["ROLE_USER"]));
    let (status, text) = s.get_xhr(&format!("/rest/user/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap()["first_name"],
        "Api"
    );
    assert_eq!(s.get_xhr("/rest/user/9999").await.0, StatusCode::NOT_FOUND);

    let state = sim.state();
    let user = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "api_user")
        .unwrap();
    assert_eq!(user["roles"], json!(["User"]));
    assert_eq!(user["enabled"], true);
    assert_eq!(
        state["counters"]["user_create"], 6,
        "every request is counted, rejected ones too"
    );
    sim.stop().await;
}

/// The role form's fields from a fragment, with Overall Web API access granted.
fn role_form(fragment: &str, label: &str, grant_api: bool, append: &str) -> Vec<(String, String)> {
    let token = input_value(fragment, "pim_user_role_form[_token]");
    let mut pairs = vec![
        ("pim_user_role_form[label]".to_string(), label.to_string()),
        (
            "pim_user_role_form[appendUsers]".to_string(),
            append.to_string(),
        ),
        ("pim_user_role_form[removeUsers]".to_string(), String::new()),
        ("pim_user_role_form[_token]".to_string(), token),
    ];
    // Find the privilege index of action:pim_api_overall_access.
    let at = fragment
        .find(r#"value="action:pim_api_overall_access""#)
        .expect("api privilege rendered");
    let name_at = fragment[..at].rfind("name=\"").unwrap() + 6;
    let name = &fragment[name_at..fragment[name_at..].find('"').unwrap() + name_at];
    let base = name.strip_suffix("[identity][id]").unwrap().to_string();
    pairs.push((name.to_string(), "action:pim_api_overall_access".into()));
    pairs.push((
        format!("{base}[permissions][EXECUTE][name]"),
        "EXECUTE".into(),
    ));
    if grant_api {
        pairs.push((
            format!("{base}[permissions][EXECUTE][accessLevel]"),
            "1".into(),
        ));
    }
    pairs
}

fn tooltip(html: &str) -> Option<String> {
    let at = html.find("validation-tooltip")?;
    let rest = &html[at..];
    let v = rest.find("data-original-title=\"")? + 21;
    Some(rest[v..v + rest[v..].find('"')?].to_string())
}

#[tokio::test]
async fn role_form_fragment_and_submission() {
    let sim = sim_fast().await;
    let s = Session::login(&sim, "admin", "admin").await;
    let (status, fragment) = s.get_xhr("/user/role/create").await;
    assert_eq!(status, StatusCode::OK);
    for hook in [
        r#"<form id="pim_user_role_form" method="post" action="/user/role/create""#,
        r#"id="pim_user_role_form_label" name="pim_user_role_form[label]""#,
        r##"href="#pim_user-roles-tab-general""##,
        r##"href="#pim_user-roles-tab-action""##,
        r##"href="#pim_user-roles-tab-api" data-toggle="tab">Web API permissions</a>"##,
        r##"href="#pim_user-roles-tab-users""##,
        r##"href="#tabs-pim_api-acl_group-overall_access""##,
        r#"<div id="tabs-pim_api-acl_group-overall_access" class="tab-pane fullheight">"#,
        "<span>Overall Web API access</span>",
        r#"id="grid-pim-role-user-grid" data-type="datagrid" data-data=""#,
        r#"id="roleAppendUsers" name="pim_user_role_form[appendUsers]""#,
        r#"id="roleRemoveUsers" name="pim_user_role_form[removeUsers]""#,
        r#"<button type="submit" class="AknButton AknButton--apply AknButtonList-item" title="Save">Save</button>"#,
        r#"<div class="AknTitleContainer-title">Create</div>"#,
    ] {
        assert!(fragment.contains(hook), "fragment lacks {hook}");
    }
    // The resource row is spaceless: its text is exactly the label.
    let row_at = fragment
        .find(r#"value="action:pim_api_overall_access""#)
        .unwrap();
    let row_start = fragment[..row_at]
        .rfind(r#"<div class="AknAcl AknAcl-item acl-permission">"#)
        .unwrap();
    let row = &fragment[row_start..];
    let row = &row[..row.find("</div></div>").unwrap() + 12];
    let text: String = row
        .split('<')
        .filter_map(|p| p.split_once('>').map(|(_, t)| t))
        .collect();
    assert_eq!(text, "Web API permissions");
    assert!(row.contains("non-granted acl-permission-toggle"));
    assert!(!fragment.contains("validation-tooltip"));

    // Invalid: blank, too long, duplicate, bad CSRF token.
    for (label, message) in [
        ("", "This value should not be blank."),
        (
            "A label that is far too long",
            "This value is too long. It should have 25 characters or less.",
        ),
        ("Administrator", "This value is already used."),
    ] {
        let r = s
            .post_form("/user/role/create", &role_form(&fragment, label, true, ""))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = r.text().await.unwrap();
        assert_eq!(tooltip(&html).as_deref(), Some(message), "label {label:?}");
        assert!(
            html.contains("AknSelectButton--selected granted acl-permission-toggle"),
            "submitted grant kept"
        );
    }
    let mut forged = role_form(&fragment, "My API user role", true, "");
    forged.retain(|(k, _)| k != "pim_user_role_form[_token]");
    let html = s
        .post_form("/user/role/create", &forged)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("The CSRF token is invalid. Please try to resubmit the form."));

    // Valid: JSON route, role stored with its code, grant and user.
    let user_id = sim.state()["users"][30]["id"].as_u64().unwrap();
    let r = s
        .post_form(
            "/user/role/create",
            &role_form(&fragment, "My API user role", true, &user_id.to_string()),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["route"], "pim_user_role_update");
    let id = body["params"]["id"].as_u64().unwrap();
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(role["label"], "My API user role");
    assert_eq!(role["role"], "MY_API_USER_ROLE");
    assert_eq!(role["acls"], json!(["pim_api_overall_access"]));
    assert_eq!(role["users"], json!(["user30"]));

    // The update page: title, granted toggle; then remove the user and revoke.
    let (status, page) = s.get_xhr(&format!("/user/role/update/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<div class="AknTitleContainer-title">Edit - My API user role</div>"#));
    assert!(page.contains(&format!(r#"action="/user/role/update/{id}""#)));
    let mut pairs = role_form(&page, "My API user role", false, "");
    for p in pairs.iter_mut() {
        if p.0 == "pim_user_role_form[removeUsers]" {
            p.1 = user_id.to_string();
        }
    }
    let body: Value = s
        .post_form(&format!("/user/role/update/{id}"), &pairs)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        body,
        json!({"route": "pim_user_role_update", "params": {"id": id}})
    );
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(role["acls"], json!([]));
    assert_eq!(role["users"], json!([]));
    assert_eq!(
        s.get_xhr("/user/role/update/999").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(state["counters"]["role_create"], 5);
    assert_eq!(state["counters"]["role_update"], 1);

    // "Role saved" waits in the session for the next full page load.
    let html = s
        .req(Method::GET, "/", false)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"window.flashMessages = [{"message":"Role saved","type":"success"}"#),
        "{html}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn role_user_grid_pages_by_25_has_role_first_then_by_id() {
    let sim = sim_fast().await;
    let s = Session::login(&sim, "admin", "admin").await;
    let grid = |q: &str| format!("/datagrid/pim-role-user-grid?{q}");
    let p = |page: u32, role: &str| {
        grid(&format!(
            "pim-role-user-grid%5B_pager%5D%5B_page%5D={page}&pim-role-user-grid%5B_pager%5D%5B_per_page%5D=25\
             &pim-role-user-grid%5B_sort_by%5D%5Bhas_role%5D=DESC&pim-role-user-grid%5Brole_id%5D={role}"
        ))
    };
    // Role 1 = Administrator: admin first (has role), then the 30 others by id.
    let (status, text) = s.get_xhr(&p(1, "1")).await;
    assert_eq!(status, StatusCode::OK);
    let page1: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page1["options"]["totalRecords"], 31);
    let rows = page1["data"].as_array().unwrap();
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0]["username"], "admin");
    assert_eq!(rows[0]["has_role"], true);
    assert_eq!(rows[1]["username"], "user01");
    assert_eq!(rows[1]["has_role"], false);
    for key in [
        "id",
        "username",
        "email",
        "firstName",
        "lastName",
        "has_role",
    ] {
        assert!(rows[0].get(key).is_some(), "row lacks {key}");
    }
    let page2: Value = serde_json::from_str(&s.get_xhr(&p(2, "1")).await.1).unwrap();
    let rows2 = page2["data"].as_array().unwrap();
    assert_eq!(rows2.len(), 6);
    assert_eq!(rows2.last().unwrap()["username"], "user30");
    // New role (no id): nobody has it, pure id order.
    let new: Value = serde_json::from_str(&s.get_xhr(&p(1, "")).await.1).unwrap();
    assert_eq!(new["data"][0]["username"], "admin");
    assert_eq!(new["data"][0]["has_role"], false);
    // Bad input is a 400, an unknown grid a 404; the /load variant wraps the page as a string.
    assert_eq!(
        s.get_xhr(&grid("pim-role-user-grid%5B_pager%5D%5B_page%5D=abc"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        s.get_xhr("/datagrid/no-such-grid").await.0,
        StatusCode::NOT_FOUND
    );
    let (status, text) = s
        .get_xhr("/datagrid/pim-role-user-grid/load?pim-role-user-grid%5Brole_id%5D=2")
        .await;
    assert_eq!(status, StatusCode::OK);
    let load: Value = serde_json::from_str(&text).unwrap();
    let inner: Value = serde_json::from_str(load["data"].as_str().unwrap()).unwrap();
    assert_eq!(inner["options"]["totalRecords"], 31);
    assert_eq!(
        inner["data"][0]["username"], "user01",
        "role User: its 30 users first"
    );
    let labels: Vec<&str> = load["metadata"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Has role", "Username", "Email", "First name", "Last name"]
    );
    sim.stop().await;
}

#[tokio::test]
async fn client_rest_creates_lists_and_revokes_api_connections() {
    let sim = sim_fast().await;
    let s = Session::login(&sim, "admin", "admin").await;

    let r = s
        .req(Method::POST, "/client/rest", false)
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/");
    let (status, body) = s.post_json("/client/rest", json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"values": [{"path": "label", "message": "This value should not be blank.", "global": false}]})
    );
    let (status, body) = s
        .post_json(
            "/client/rest",
            json!({"label": "My very first API connection"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));

    let state = sim.state();
    let client = &state["api_clients"][0];
    assert_eq!(client["label"], "My very first API connection");
    let client_id = client["client_id"].as_str().unwrap().to_string();
    let secret = client["secret"].as_str().unwrap();
    let (n, random) = client_id.split_once('_').unwrap();
    assert!(n.parse::<u64>().is_ok());
    assert_eq!(random.len(), 50);
    assert!(random
        .chars()
        .chain(secret.chars())
        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase()));
    assert_eq!(secret.len(), 50);

    let (status, text) = s
        .get_xhr("/datagrid/api-connection-grid?api-connection-grid%5B_pager%5D%5B_page%5D=1")
        .await;
    assert_eq!(status, StatusCode::OK);
    let grid: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(grid["options"]["totalRecords"], 1);
    assert_eq!(
        grid["data"][0]["credentials"],
        format!("{client_id}|{secret}")
    );
    assert_eq!(
        grid["data"][0]["delete_link"],
        format!("/client/rest/{client_id}")
    );

    let path = format!("/client/rest/{client_id}");
    let r = s.req(Method::DELETE, &path, false).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND, "revoke without XHR header");
    let r = s.req(Method::DELETE, &path, true).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s.req(Method::DELETE, &path, true).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["message"],
        format!("Client with public id {client_id} does not exist.")
    );
    let state = sim.state();
    assert!(state["api_clients"].as_array().unwrap().is_empty());
    assert_eq!(state["counters"]["client_create"], 3);
    assert_eq!(state["counters"]["client_revoke"], 3);
    sim.stop().await;
}

#[tokio::test]
async fn sim_state_assets_latency_and_shutdown() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let url = sim.url().to_string();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with('/'));
    let state: Value = http()
        .get(format!("{url}/_sim/state"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state, sim.state());
    assert_eq!(state["users"].as_array().unwrap().len(), 31);
    assert_eq!(state["users"][0]["roles"], json!(["Administrator"]));
    let admin = &state["roles"][0];
    assert!(admin["acls"]
        .as_array()
        .unwrap()
        .contains(&json!("pim_api_overall_access")));
    assert!(!state["roles"][1]["acls"]
        .as_array()
        .unwrap()
        .contains(&json!("pim_api_overall_access")));
    for key in [
        "login",
        "user_create",
        "role_create",
        "role_update",
        "client_create",
        "client_revoke",
    ] {
        assert_eq!(state["counters"][key], 0, "{key}");
    }

    for (path, ty) in [
        ("/bundles/pimui/v3/app.js", "javascript"),
        ("/bundles/pimui/v3/app.css", "text/css"),
    ] {
        let r = http().get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().contains(ty));
    }
    assert_eq!(
        http()
            .get(format!("{url}/bundles/nope.js"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // 150 ms on XHR endpoints, none on the login page.
    let s = Session::login(&sim, "admin", "admin").await;
    let t = Instant::now();
    assert_eq!(s.get_xhr("/datagrid/pim-role-grid").await.0, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(150), "latency applied");

    sim.stop().await;
    let err = http()
        .get(format!("{url}/user/login"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(err.is_err(), "server stopped");
}

/// The grids' string filters (`{grid}[_filter][{column}][value]`, type `3` = is equal to, else
/// contains) on the Users grid's username and the Roles grid's label, and the version the Help
/// menu's `/analytics/collect_data` reports (3.2+).
#[tokio::test]
async fn grid_string_filters_and_the_version_collector() {
    let sim = sim_fast().await;
    let s = Session::login(&sim, "admin", "admin").await;
    let get = |path: String| {
        let s = &s;
        async move {
            let (status, text) = s.get_xhr(&path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {text}");
            serde_json::from_str::<Value>(&text).unwrap()
        }
    };
    let users = |value: &str, ty: &str| {
        format!(
            "/datagrid/pim-user-grid?pim-user-grid%5B_filter%5D%5Busername%5D%5Bvalue%5D={value}\
             &pim-user-grid%5B_filter%5D%5Busername%5D%5Btype%5D={ty}"
        )
    };
    // Equal: exactly one user; contains: user10..user19.
    let exact = get(users("user01", "3")).await;
    assert_eq!(exact["options"]["totalRecords"], 1);
    assert_eq!(exact["data"][0]["username"], "user01");
    let contains = get(users("user1", "1")).await;
    assert_eq!(contains["options"]["totalRecords"], 10);
    assert_eq!(get(users("nobody", "3")).await["data"], json!([]));
    let roles = get(
        "/datagrid/pim-role-grid?pim-role-grid%5B_filter%5D%5Blabel%5D%5Bvalue%5D=User\
         &pim-role-grid%5B_filter%5D%5Blabel%5D%5Btype%5D=3"
            .to_string(),
    )
    .await;
    assert_eq!(roles["options"]["totalRecords"], 1);
    assert_eq!(roles["data"][0]["label"], "User");
    assert!(roles["data"][0]["id"].as_u64().is_some());
    let version = get("/analytics/collect_data".to_string()).await;
    assert_eq!(version["pim_version"], "3.2.84");
    assert_eq!(version["pim_edition"], "CE");
    sim.stop().await;
}
