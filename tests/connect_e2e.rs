//! End-to-end, 4.x to 7.x: the real driver in headless Chromium against each Connections
//! flavour of the simulator (30 users, 150 ms latency), `--pim-version auto`. Every test
//! checks the simulator's state (`/_sim/state`) and calls the simulator's REST API with the
//! credentials the tool returned.
//!
//! Tests run one at a time (a shared lock): each starts its own chromedriver + Chromium.

mod support;

use std::time::Duration;

use pim_credentials::flow::{provision, ProvisionConfig, Provisioned};
use pim_credentials::pim::ApiPermissions;
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_credentials::Error;
use pim_sim::{self as sim, PimVersion, SimConfig, SimHandle};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use support::provision::{role, CONNECTION, ROLE};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start(v: PimVersion) -> SimHandle {
    sim::start(SimConfig {
        users: 30,
        latency: Duration::from_millis(150),
        pim_version: v,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn config(sim: &SimHandle, dir: &tempfile::TempDir) -> ProvisionConfig {
    support::provision::config(sim.url(), dir.path().to_path_buf())
}

async fn state(sim: &SimHandle) -> Value {
    reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The connections of the state labelled `label`.
fn connections<'a>(st: &'a Value, label: &str) -> Vec<&'a Value> {
    st["connections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["label"] == label)
        .collect()
}

fn acls(st: &Value, label: &str) -> Vec<String> {
    role(st, label)["acls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// The simulator's REST API with these credentials: (token status, products status).
async fn api_products(sim: &SimHandle, id: &str, secret: &str, user: &str, pw: &str) -> (u16, u16) {
    let http = reqwest::Client::new();
    let t = http
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(id, Some(secret))
        .json(&json!({"grant_type": "password", "username": user, "password": pw}))
        .send()
        .await
        .unwrap();
    let status = t.status().as_u16();
    let body: Value = t.json().await.unwrap_or(Value::Null);
    let Some(token) = body["access_token"].as_str() else {
        return (status, 0);
    };
    let p = http
        .get(format!("{}/api/rest/v1/products?limit=1", sim.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (status, p.status().as_u16())
}

async fn products_with(sim: &SimHandle, p: &Provisioned) -> (u16, u16) {
    let c = &p.credentials;
    let pw = c.password.as_ref().expect("a password").expose();
    api_products(sim, &c.client_id, c.secret.expose(), &c.username, pw).await
}

/// Fresh run (role with the `read` set, connection, verified, products listed with the
/// returned credentials), a re-run that creates nothing (exit 3, same client id), then a
/// re-run regenerating password and secret (same client id, the old secret refused).
async fn lifecycle(v: PimVersion, expected: &str) {
    let _serial = SERIAL.lock().await;
    let sim = start(v).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, &dir);
    let first = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} first run: {e}"));
    assert_eq!(first.pim_version, expected);
    assert!(first.verified && first.verify_error.is_none());
    assert!(first.created.connection && first.created.role);
    // "List products" exists from 6.0 on; "List channels" in every version.
    let products_acl = v >= PimVersion::V6;
    let reported = |a: &str| first.api_permissions.iter().any(|x| x == a);
    assert_eq!(reported("pim_api_product_list"), products_acl);
    assert!(reported("pim_api_channel_list") && !reported("pim_api_family_edit"));
    let st = state(&sim).await;
    let granted = acls(&st, ROLE);
    for a in [
        "pim_api_overall_access",
        "pim_api_channel_list",
        "pim_api_locale_list",
    ] {
        assert!(granted.iter().any(|g| g == a), "{a} in {granted:?}");
    }
    assert_eq!(
        granted.iter().any(|g| g == "pim_api_product_list"),
        products_acl,
        "{granted:?}"
    );
    assert!(
        !granted.iter().any(|g| g == "pim_api_family_edit"),
        "{granted:?}"
    );
    let conns = connections(&st, CONNECTION);
    assert_eq!(conns.len(), 1, "{st}");
    assert_eq!(conns[0]["role"], ROLE);
    assert_eq!(conns[0]["client_id"], first.credentials.client_id.as_str());
    assert_eq!(products_with(&sim, &first).await, (200, 200));

    // Re-run: found and reused, nothing created, the password cannot be read again.
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("a re-run without --regenerate-password");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(
        err.to_string().contains(&first.credentials.client_id),
        "{err}"
    );
    let st2 = state(&sim).await;
    assert_eq!(st2["connections"], st["connections"], "nothing changed");
    assert_eq!(st2["roles"], st["roles"]);

    // Regenerate both.
    cfg.generation.regenerate_password = true;
    cfg.generation.regenerate_secret = true;
    let third = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} regenerate run: {e}"));
    assert!(third.verified);
    assert!(!third.created.connection && !third.created.role);
    assert_eq!(third.credentials.client_id, first.credentials.client_id);
    assert_ne!(third.credentials.secret, first.credentials.secret);
    assert_ne!(third.credentials.password, first.credentials.password);
    let st3 = state(&sim).await;
    let conns = connections(&st3, CONNECTION);
    assert_eq!(conns.len(), 1);
    let client = st3["api_clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["client_id"] == conns[0]["client_id"])
        .unwrap();
    assert_eq!(client["secret"], third.credentials.secret.expose());
    assert_eq!(products_with(&sim, &third).await, (200, 200));
    let old = api_products(
        &sim,
        &first.credentials.client_id,
        first.credentials.secret.expose(),
        &first.credentials.username,
        third.credentials.password.as_ref().unwrap().expose(),
    )
    .await;
    assert_ne!(old.0, 200, "the old secret must be refused");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_lifecycle() {
    lifecycle(PimVersion::V4, "4.x").await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_lifecycle() {
    lifecycle(PimVersion::V5, "5.x").await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_lifecycle() {
    lifecycle(PimVersion::V6, "6.x").await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v7_lifecycle() {
    lifecycle(PimVersion::V7, "7.x").await;
}

/// An admin session over HTTP (login form, CSRF token): the `BAPID` cookie.
async fn admin_session(sim: &SimHandle) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http
        .get(format!("{}/user/login", sim.url()))
        .send()
        .await
        .unwrap();
    let cookie = |r: &reqwest::Response| {
        r.headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("BAPID="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())
    };
    let mut bapid = cookie(&r).unwrap();
    let html = r.text().await.unwrap();
    let at = html.find("name=\"_csrf_token\"").unwrap();
    let v = html[at..].find("value=\"").unwrap() + at + 7;
    let csrf = &html[v..v + html[v..].find('"').unwrap()];
    let r = http
        .post(format!("{}/user/login-check", sim.url()))
        .header(COOKIE, format!("BAPID={bapid}"))
        .form(&[
            ("_username", "admin"),
            ("_password", "admin"),
            ("_csrf_token", csrf),
        ])
        .send()
        .await
        .unwrap();
    if let Some(c) = cookie(&r) {
        bapid = c;
    }
    bapid
}

/// Creates a connection as the page would (`POST /rest/connections`).
async fn seed_connection(sim: &SimHandle, bapid: &str, code: &str, label: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/rest/connections", sim.url()))
        .header(COOKIE, format!("BAPID={bapid}"))
        .json(&json!({"code": code, "label": label, "flow_type": "other"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The PIM's refusals, each exit 3 with its own words and nothing created: a wrong admin
/// password (the login page's message, not a wait running out: 30 s timeout), a code already
/// used by another connection, the limit of 50 connections.
async fn refusals(v: PimVersion) {
    let _serial = SERIAL.lock().await;
    let sim = start(v).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, &dir);
    cfg.timeout = Duration::from_secs(30);
    cfg.admin_password = Secret::new("wrong-password");
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("wrong password");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(matches!(err, Error::PimRefused { .. }), "{err:?}");
    assert!(err.to_string().contains("Invalid credentials."), "{err}");
    cfg.admin_password = Secret::new("admin");

    // The code the label generates is taken by a connection with another label.
    let bapid = admin_session(&sim).await;
    let code = "myveryfirstapiconnection";
    assert_eq!(
        seed_connection(&sim, &bapid, code, "Someone else's").await,
        201
    );
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("duplicate code");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(
        err.to_string().contains("Connection code must be unique."),
        "{err}"
    );
    let st = state(&sim).await;
    assert_eq!(connections(&st, CONNECTION).len(), 0, "{st}");

    // 50 connections: Create is disabled (7.x: the server says so).
    for i in 1..50 {
        let c = format!("seeded_{i:02}");
        assert_eq!(seed_connection(&sim, &bapid, &c, &c).await, 201, "{c}");
    }
    cfg.connection = "Connection fifty one".into();
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("limit");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(err.to_string().contains("50"), "{err}");
    let st = state(&sim).await;
    assert_eq!(st["connections"].as_array().unwrap().len(), 50, "{st}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_refusals() {
    refusals(PimVersion::V4).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_refusals() {
    refusals(PimVersion::V5).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_refusals() {
    refusals(PimVersion::V6).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v7_refusals() {
    refusals(PimVersion::V7).await;
}

/// `window.STYLE_SALT` of the app shell (the seed of the hashed classes).
async fn salt(sim: &SimHandle) -> String {
    let bapid = admin_session(sim).await;
    let html = reqwest::Client::new()
        .get(format!("{}/", sim.url()))
        .header(COOKIE, format!("BAPID={bapid}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let at = html.find("STYLE_SALT = \"").expect("salt") + 14;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Two simulators of the same version serve different class hashes; the same driver
/// provisions both (it relies on no hashed class), with `--api-permissions all`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_class_hashes_change_nothing() {
    let _serial = SERIAL.lock().await;
    for v in [PimVersion::V6, PimVersion::V5] {
        let (a, b) = (start(v).await, start(v).await);
        assert_ne!(salt(&a).await, salt(&b).await, "two starts, two salts");
        for sim in [&a, &b] {
            let dir = tempfile::tempdir().unwrap();
            let mut cfg = config(sim, &dir);
            cfg.api_permissions = ApiPermissions::All;
            let p = provision(&cfg, &Progress::silent())
                .await
                .unwrap_or_else(|e| panic!("{v:?}: {e}"));
            assert!(p.verified);
            let st = state(sim).await;
            assert!(acls(&st, ROLE).iter().any(|a| a == "pim_api_family_edit"));
            assert_eq!(connections(&st, CONNECTION).len(), 1);
            assert_eq!(products_with(sim, &p).await, (200, 200));
        }
        a.stop().await;
        b.stop().await;
    }
}

/// `--api-permissions overall` on 6.x: only Overall Web API access is granted; the products
/// call answers 403, which is then only a note (verified), not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_overall_only_is_reported_not_failed() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V6).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, &dir);
    cfg.api_permissions = ApiPermissions::Overall;
    let p = provision(&cfg, &Progress::silent()).await.unwrap();
    assert!(p.verified, "{:?}", p.verify_error);
    assert_eq!(
        p.api_permissions,
        vec!["pim_api_overall_access".to_string()]
    );
    assert!(
        p.notes.iter().any(|n| n.contains("Access forbidden")),
        "{:?}",
        p.notes
    );
    let st = state(&sim).await;
    assert_eq!(acls(&st, ROLE), vec!["pim_api_overall_access".to_string()]);
    assert_eq!(products_with(&sim, &p).await, (200, 403));
    sim.stop().await;
}

/// A reused connection whose role grants more API permissions than the tool's role keeps its
/// role (and the run says so); once the tool's role grants at least as much
/// (`--api-permissions all`), the connection gets it. Same client id throughout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_reused_connection_never_loses_api_permissions() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V6).await;
    let bapid = admin_session(&sim).await;
    let code = "myveryfirstapiconnection";
    assert_eq!(seed_connection(&sim, &bapid, code, CONNECTION).await, 201);
    let before = state(&sim).await;
    let seeded = connections(&before, CONNECTION)[0].clone();
    assert_eq!(seeded["role"], "User", "the PIM's default role: {seeded}");

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, &dir);
    cfg.generation.regenerate_password = true;
    let kept = provision(&cfg, &Progress::silent()).await.unwrap();
    assert!(kept.verified && !kept.created.connection);
    assert_eq!(
        kept.credentials.client_id,
        seeded["client_id"].as_str().unwrap()
    );
    assert!(
        kept.notes
            .iter()
            .any(|n| n.contains("kept the connection's role 'User'")),
        "{:?}",
        kept.notes
    );
    let st = state(&sim).await;
    assert_eq!(connections(&st, CONNECTION)[0]["role"], "User");

    cfg.api_permissions = ApiPermissions::All;
    let switched = provision(&cfg, &Progress::silent()).await.unwrap();
    assert!(switched.verified);
    assert_eq!(switched.credentials.client_id, kept.credentials.client_id);
    let st = state(&sim).await;
    assert_eq!(connections(&st, CONNECTION)[0]["role"], ROLE);
    assert_eq!(products_with(&sim, &switched).await, (200, 200));
    sim.stop().await;
}

/// A reused 6.x connection keeps a role that lacks "List products" but grants what the tool's
/// role lacks: the credentials get a token, but `GET /api/rest/v1/products?limit=1` answers
/// 403, a verification failure (exit 4) with the PIM's message, the credentials still returned.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_products_403_fails_verification() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V6).await;
    let bapid = admin_session(&sim).await;
    let code = "myveryfirstapiconnection";
    assert_eq!(seed_connection(&sim, &bapid, code, CONNECTION).await, 201);
    let editor = sim.app().lock().add_role(
        "ROLE_FAMILIES_EDITOR",
        "Families editor",
        ["pim_api_overall_access", "pim_api_family_edit"]
            .map(String::from)
            .into(),
    );
    let status = reqwest::Client::new()
        .post(format!("{}/rest/connections/{code}", sim.url()))
        .header(COOKIE, format!("BAPID={bapid}"))
        .json(
            &json!({"code": code, "label": CONNECTION, "flow_type": "other", "image": null,
            "auditable": false, "user_role_id": editor.to_string(), "user_group_id": null}),
        )
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 204);

    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&sim, &dir);
    cfg.generation.regenerate_password = true;
    let p = provision(&cfg, &Progress::silent()).await.unwrap();
    assert!(!p.verified);
    let why = p.verify_error.clone().expect("a verification error");
    assert!(
        why.contains("Access forbidden. You are not allowed to list products."),
        "{why}"
    );
    assert!(
        p.credentials.password.is_some(),
        "the new password is still returned"
    );
    let st = state(&sim).await;
    assert_eq!(connections(&st, CONNECTION)[0]["role"], "Families editor");
    assert_eq!(products_with(&sim, &p).await, (200, 403));
    sim.stop().await;
}
