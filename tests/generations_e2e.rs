//! End-to-end, every generation: the real driver in real headless Chromium against each
//! simulator flavour, with `--pim-version auto`. Checks the detected generation, verified
//! credentials, the simulator's state (`/_sim/state`), and what a second run does.
//!
//! Tests run one at a time (a shared lock): each starts its own chromedriver + Chromium.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use pim_credentials::flow::{provision, ProvisionConfig, Provisioned};
use pim_credentials::pim::{FlowType, GenerationChoice};
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_credentials::Error;
use pim_sim::{self as sim, PimVersion, SimConfig, SimHandle};
use serde_json::Value;
use support::provision::{role, API_USER, CONNECTION, ROLE};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const API_PASSWORD: &str = "s3cret-API-passw0rd";

/// The base config with an API password (so a second run can verify a reused user).
fn config(pim_url: &str, artifacts: PathBuf) -> ProvisionConfig {
    ProvisionConfig {
        api_password: Some(Secret::new(API_PASSWORD)),
        ..support::provision::config(pim_url, artifacts)
    }
}

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

/// `GET /_sim/state`.
async fn state(sim: &SimHandle) -> Value {
    reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn count(state: &Value, list: &str, key: &str, value: &str) -> usize {
    state[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x[key] == value)
        .count()
}

/// The role exists once and grants Overall Web API access.
fn assert_role_granted(st: &Value) {
    assert_eq!(count(st, "roles", "label", ROLE), 1, "{st}");
    let r = role(st, ROLE);
    assert!(
        r["acls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "pim_api_overall_access"),
        "{r}"
    );
}

/// The default `--api-permissions read`: every "List …" API permission, no edit one; the
/// result reports what the role grants.
fn assert_read_permissions(st: &Value, p: &Provisioned) {
    let acls = role(st, ROLE)["acls"].clone();
    let has = |a: &str| acls.as_array().unwrap().iter().any(|x| x == a);
    assert!(
        has("pim_api_channel_list") && has("pim_api_locale_list"),
        "{acls}"
    );
    assert!(!has("pim_api_family_edit"), "{acls}");
    for a in ["pim_api_overall_access", "pim_api_channel_list"] {
        assert!(
            p.api_permissions.iter().any(|x| x == a),
            "{:?}",
            p.api_permissions
        );
    }
}

/// The simulator's REST API, with the returned credentials: a token, then
/// `GET /api/rest/v1/products?limit=1` answers 200.
async fn assert_lists_products(sim: &SimHandle, p: &Provisioned) {
    let c = &p.credentials;
    let http = reqwest::Client::new();
    let t: Value = http
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(&c.client_id, Some(c.secret.expose()))
        .json(
            &serde_json::json!({"grant_type": "password", "username": c.username,
            "password": c.password.as_ref().expect("a password").expose()}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = t["access_token"].as_str().expect("a token");
    let r = http
        .get(format!("{}/api/rest/v1/products?limit=1", sim.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

fn secret(p: &Provisioned) -> &str {
    p.credentials.secret.expose()
}

/// 1.7 to 3.x: user, role (granted, user ticked), and client (by UI or console) exist once;
/// the second run reuses all three and returns the same client.
async fn legacy_flavour(v: PimVersion, expected: &str) {
    let _serial = SERIAL.lock().await;
    let sim = start(v).await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    if v == PimVersion::V1_7 {
        let prefix = format!(
            "{} sim-console --pim-url {} --",
            env!("CARGO_BIN_EXE_pim-credentials"),
            sim.url()
        );
        cfg.generation.console = Some(prefix);
    }
    let first = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} first run: {e}"));
    assert_eq!(first.pim_version, expected);
    assert!(first.verified);
    assert_eq!(first.credentials.username, API_USER);
    assert!(first.created.user && first.created.role && first.created.connection);

    let st = state(&sim).await;
    assert_eq!(count(&st, "users", "username", API_USER), 1, "{st}");
    assert_role_granted(&st);
    assert_read_permissions(&st, &first);
    assert_lists_products(&sim, &first).await;
    assert!(
        role(&st, ROLE)["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u == API_USER),
        "{st}"
    );
    let user = st["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == API_USER)
        .unwrap();
    assert_eq!(user["enabled"], true, "{user}");
    assert_eq!(count(&st, "api_clients", "label", CONNECTION), 1, "{st}");
    let client = st["api_clients"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == CONNECTION)
        .unwrap();
    assert_eq!(client["client_id"], first.credentials.client_id.as_str());
    assert_eq!(client["secret"], secret(&first));

    let second = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} second run: {e}"));
    assert_eq!(second.pim_version, expected);
    assert!(second.verified);
    assert_eq!(second.credentials.client_id, first.credentials.client_id);
    assert!(!second.created.user && !second.created.role && !second.created.connection);
    let st = state(&sim).await;
    assert_eq!(count(&st, "users", "username", API_USER), 1);
    assert_eq!(count(&st, "roles", "label", ROLE), 1);
    assert_eq!(count(&st, "api_clients", "label", CONNECTION), 1);
    sim.stop().await;
}

/// 4.x to 7.x: the role is created and granted, the connection created with the flow type,
/// its hidden user given the role, the four credentials verified. A second run without
/// --regenerate-password is refused (exit 3) and changes nothing; with it, the password is
/// regenerated, the old one stops working, and the new one verifies.
async fn connections_flavour(v: PimVersion, expected: &str) {
    let _serial = SERIAL.lock().await;
    let sim = start(v).await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.generation.flow_type = FlowType::DataSource;
    let first = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} first run: {e}"));
    assert_eq!(first.pim_version, expected);
    assert!(first.verified);
    assert!(first.created.role && first.created.connection && !first.created.user);
    assert_ne!(
        first.credentials.username, API_USER,
        "the connection's own user"
    );
    assert!(first.credentials.password.is_some());

    let st = state(&sim).await;
    assert_role_granted(&st);
    assert_read_permissions(&st, &first);
    assert_lists_products(&sim, &first).await;
    assert_eq!(count(&st, "connections", "label", CONNECTION), 1, "{st}");
    let conn = st["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"] == CONNECTION)
        .unwrap();
    assert_eq!(conn["flow_type"], "data_source", "{conn}");
    assert_eq!(conn["role"], ROLE, "{conn}");
    assert_eq!(conn["client_id"], first.credentials.client_id.as_str());
    assert_eq!(conn["username"], first.credentials.username.as_str());
    assert_eq!(
        count(&st, "users", "username", API_USER),
        0,
        "no UI user on 4.x+"
    );

    // Second run: the password cannot be read again.
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("an existing connection without --regenerate-password");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(err.to_string().contains("--regenerate-password"), "{err}");
    assert!(matches!(err, Error::PimRefused { .. }));
    let st2 = state(&sim).await;
    assert_eq!(count(&st2, "connections", "label", CONNECTION), 1);

    // With --regenerate-password: a new password that works.
    cfg.generation.regenerate_password = true;
    let third = provision(&cfg, &Progress::silent())
        .await
        .unwrap_or_else(|e| panic!("{expected} regenerate run: {e}"));
    assert!(third.verified);
    assert!(!third.created.connection && !third.created.role);
    assert_eq!(third.credentials.client_id, first.credentials.client_id);
    assert_eq!(third.credentials.username, first.credentials.username);
    assert_ne!(
        third.credentials.password.as_ref().unwrap().expose(),
        first.credentials.password.as_ref().unwrap().expose()
    );
    let st3 = state(&sim).await;
    assert_eq!(count(&st3, "connections", "label", CONNECTION), 1);
    assert_eq!(count(&st3, "roles", "label", ROLE), 1);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_7_console_client_via_sim_console() {
    legacy_flavour(PimVersion::V1_7, "1.7").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_twig_user_form_and_api_connections() {
    legacy_flavour(PimVersion::V2, "2.x").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_detected_and_provisioned() {
    legacy_flavour(PimVersion::V3, "3.x").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_connections_select2() {
    connections_flavour(PimVersion::V4, "4.x").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_connections_select2() {
    connections_flavour(PimVersion::V5, "5.x").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v6_connect_menu_design_system_select() {
    connections_flavour(PimVersion::V6, "6.x").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v7_connect_menu_max_limit_endpoint() {
    connections_flavour(PimVersion::V7, "7.x").await;
}

/// 1.7 without --console: the user and the role are ensured, then a clear stop with the
/// exact command to run; no client is created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_7_without_console_prints_the_command() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V1_7).await;
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = config(sim.url(), artifacts.path().to_path_buf());
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("no --console");
    let msg = err.to_string();
    assert!(
        msg.contains("php app/console pim:oauth-server:create-client '--label=My very first API connection' --grant_type=password --grant_type=refresh_token --env=prod"),
        "{msg}"
    );
    assert!(msg.contains("--console"), "{msg}");
    let st = state(&sim).await;
    assert_eq!(count(&st, "users", "username", API_USER), 1);
    assert_role_granted(&st);
    assert_eq!(st["api_clients"].as_array().unwrap().len(), 0, "{st}");
    sim.stop().await;
}

/// A page that is not an Akeneo PIM: refused with exit code 2 (through the binary).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_is_not_a_pim_is_refused_with_exit_2() {
    let _serial = SERIAL.lock().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(|| async {
        axum::response::Html(
            "<!doctype html><html><head><title>Welcome to nginx!</title></head>\
             <body><h1>Welcome to nginx!</h1><form class=\"form-signin\"><input name=\"q\"></form></body></html>",
        )
    });
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    let artifacts = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pim-credentials"))
        .args([
            "provision",
            "--pim-url",
            &format!("http://127.0.0.1:{port}"),
            "--timeout",
            "10s",
            "--artifacts-dir",
        ])
        .arg(artifacts.path())
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .output()
        .await
        .unwrap();
    server.abort();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not an Akeneo PIM"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// A forced generation is trusted and reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_generation_is_reported() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3).await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.generation.pim_version = "3".parse::<GenerationChoice>().unwrap();
    let p = provision(&cfg, &Progress::silent()).await.unwrap();
    assert_eq!(p.pim_version, "3.x");
    assert!(p.verified);
    sim.stop().await;
}

/// 4.x+: a connection label the create form would never accept (3 to 100 characters) is a usage
/// error before anything is sent for the connection, not a timeout on a disabled Save.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_connection_label_outside_3_to_100_characters_is_refused() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V4).await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.connection = "AB".into();
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("label too short");
    assert_eq!(err.exit_code(), 2, "{err}");
    assert!(err.to_string().contains("3 to 100 characters"), "{err}");
    let st = state(&sim).await;
    assert!(st["connections"].as_array().unwrap().is_empty(), "{st}");
    sim.stop().await;
}
