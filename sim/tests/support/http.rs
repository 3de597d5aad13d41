//! HTTP-level helpers for the simulator tests: a client that does not follow redirects, the
//! `BAPID` session cookie, form values out of HTML, the back-office login form and the REST API
//! (token, GET) as a client would call it.

use std::time::Duration;

use pim_sim::{self as sim, PimVersion, SimConfig, SimHandle};
use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A simulator of version `v` without latency and with 3 users besides the admin.
pub async fn sim_of(v: PimVersion) -> SimHandle {
    sim::start(SimConfig {
        latency: Duration::ZERO,
        users: 3,
        pim_version: v,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// A client that does not follow redirects (the tests check them); cookies are sent by hand.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `BAPID` session cookie a response sets, if any.
pub fn bapid(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("BAPID="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

/// Pulls `value="..."` of the input named `name` out of HTML.
pub fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no input {name}"));
    let rest = &html[at..];
    let v = rest.find("value=\"").unwrap() + 7;
    let end = rest[v..].find('"').unwrap();
    rest[v..v + end].to_string()
}

/// POSTs the login form (user name, password and CSRF token) within the session `cookie`.
pub async fn post_login(
    sim: &SimHandle,
    cookie: &str,
    user: &str,
    password: &str,
    csrf: &str,
) -> reqwest::Response {
    http()
        .post(format!("{}/user/login-check", sim.url()))
        .header(COOKIE, format!("BAPID={cookie}"))
        .form(&[
            ("_username", user),
            ("_password", password),
            ("_csrf_token", csrf),
        ])
        .send()
        .await
        .unwrap()
}

/// A password-grant token request with Basic auth: (status, JSON body).
pub async fn token(
    sim: &SimHandle,
    client_id: &str,
    secret: &str,
    user: &str,
    pw: &str,
) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(client_id, Some(secret))
        .json(&json!({"grant_type": "password", "username": user, "password": pw}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

/// `GET path` of the REST API with a bearer token: (status, JSON body or null).
pub async fn api_get(sim: &SimHandle, path: &str, access: &str) -> (StatusCode, Value) {
    let r = http()
        .get(format!("{}{path}", sim.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A token for `user` with the client's credentials (asserted to be granted), then
/// `GET /api/rest/v1/products`: (status, JSON body or null).
pub async fn call_products(
    sim: &SimHandle,
    client_id: &str,
    secret: &str,
    user: &str,
    password: &str,
) -> (u16, Value) {
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(client_id, Some(secret))
        .json(&json!({"grant_type": "password", "username": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token");
    let token: Value = r.json().await.unwrap();
    let access = token["access_token"].as_str().expect("access_token");
    let r = http
        .get(format!("{}/api/rest/v1/products", sim.url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}
