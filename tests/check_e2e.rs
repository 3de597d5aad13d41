//! `check` end to end: real headless Chromium against the in-process simulator.

use pim_credentials::check::{self, CheckConfig, CLEANUP_STEPS, CLEANUP_STEPS_4X, STEPS, STEPS_4X};
use pim_credentials::pim::{Generation, GenerationChoice};
use pim_credentials::progress::{Progress, Status};
use pim_credentials::secrets::Secret;
use pim_sim::{self as sim, faults::Fault, SimConfig};
use serde_json::Value;
use std::time::Duration;
use tokio::sync::Mutex;

/// One browser at a time (2 cores).
static SERIAL: Mutex<()> = Mutex::const_new(());

fn config(url: &str, artifacts: &std::path::Path, run_id: &str, cleanup: bool) -> CheckConfig {
    CheckConfig {
        browser: check::browser_config(url, Duration::from_secs(20), artifacts.to_path_buf()),
        admin_user: "admin".into(),
        admin_password: Secret::new("admin"),
        run_id: run_id.into(),
        cleanup,
        screenshots: None,
        report: None,
        pim_version: GenerationChoice::Auto,
    }
}

/// `users`, `roles` and `api_clients` of `/_sim/state` (counters and sessions excepted).
async fn entities(url: &str) -> Value {
    let s: Value = reqwest::get(format!("{url}/_sim/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    serde_json::json!({"users": s["users"], "roles": s["roles"], "api_clients": s["api_clients"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_check_writes_a_valid_junit_file_with_one_testcase_per_step() {
    let _g = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        latency: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let progress = Progress::silent();
    let result = check::run(&config(sim.url(), dir.path(), "t1a", false), &progress).await;
    assert!(result.passed(), "{}", check::table(&result.steps));
    assert_eq!(result.exit_code, 0);

    // The PIM really has what the check says it made.
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "My API user role t1a")
        .expect("role");
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    assert_eq!(role["users"], serde_json::json!(["myAPIuser_t1a"]));
    assert!(state["api_clients"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["label"] == "My very first API connection t1a"));

    let xml = check::junit_xml(sim.url(), &result.steps);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let cases: Vec<_> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    let mut expected = vec!["start browser"];
    expected.extend(STEPS.map(|s| s.name()));
    assert_eq!(names, expected);
    assert_eq!(suites[0].attribute("failures"), Some("0"));
    assert!(cases.iter().all(|c| c
        .children()
        .all(|k| !k.has_tag_name("failure") && !k.has_tag_name("skipped"))));
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_build_without_the_web_api_tab_fails_at_that_step() {
    let _g = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        latency: Duration::from_millis(20),
        faults: vec![Fault::NoApiTab],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), dir.path(), "t2b", false);
    cfg.browser.timeout = Duration::from_secs(3);
    let progress = Progress::silent();
    let result = check::run(&cfg, &progress).await;
    assert_ne!(result.exit_code, 0);
    let failed: Vec<_> = result
        .steps
        .iter()
        .filter(|s| s.status == Status::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{}", check::table(&result.steps));
    assert_eq!(failed[0].name, "grant Web API access");
    assert!(
        failed[0].detail.contains("pim_user-roles-tab-api"),
        "{}",
        failed[0].detail
    );
    // Everything after it was not run.
    let after: Vec<_> = result
        .steps
        .iter()
        .skip_while(|s| s.name != "grant Web API access")
        .skip(1)
        .collect();
    assert_eq!(after.len(), 6);
    assert!(after.iter().all(|s| s.status == Status::Skipped));

    let xml = check::junit_xml(sim.url(), &result.steps);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(
        failure.parent().unwrap().attribute("name"),
        Some("grant Web API access")
    );
    let msg = failure.attribute("message").unwrap();
    assert!(msg.contains("a[href=\"#pim_user-roles-tab-api\"]"), "{msg}");
    let shot = msg
        .rsplit("screenshot: ")
        .next()
        .unwrap()
        .trim_end_matches(')');
    assert!(
        std::path::Path::new(shot).is_file(),
        "screenshot {shot} missing"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_leaves_the_pim_as_it_was() {
    let _g = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        latency: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let before = entities(sim.url()).await;
    let dir = tempfile::tempdir().unwrap();
    let progress = Progress::silent();
    let result = check::run(&config(sim.url(), dir.path(), "t3c", true), &progress).await;
    assert!(result.passed(), "{}", check::table(&result.steps));
    let names: Vec<&str> = result.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(&names[names.len() - 3..], &CLEANUP_STEPS.map(|s| s.name()));
    let after = entities(sim.url()).await;
    assert_eq!(before, after);
    let counters = &sim.state()["counters"];
    assert_eq!(counters["client_revoke"], 1);
    sim.stop().await;
}

/// `users`, `roles`, `api_clients` and `connections` of `/_sim/state`.
async fn entities_4x(url: &str) -> Value {
    let s: Value = reqwest::get(format!("{url}/_sim/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    serde_json::json!({
        "users": s["users"], "roles": s["roles"], "api_clients": s["api_clients"],
        "connections": s["connections"],
    })
}

/// 4.x and later: a passing check (the PIM holds what it says; a JUnit testcase per step),
/// then a check with `--cleanup` on the same PIM leaves its entities as they were.
async fn check_4x(v: sim::PimVersion, choice: GenerationChoice, probe: &str) {
    let _g = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        latency: Duration::from_millis(20),
        pim_version: v,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), dir.path(), "k1", false);
    cfg.pim_version = choice;
    let result = check::run(&cfg, &Progress::silent()).await;
    assert!(result.passed(), "{}", check::table(&result.steps));
    let names: Vec<&str> = result.steps.iter().map(|s| s.name.as_str()).collect();
    let mut expected = vec!["start browser"];
    expected.extend(STEPS_4X.map(|s| s.name()));
    assert_eq!(names, expected);
    let call = result
        .steps
        .iter()
        .find(|s| s.name == "call the API")
        .unwrap();
    assert!(call.detail.contains(probe), "{}", call.detail);

    // The PIM holds the role (with the API ACL) and the connection whose user has that role.
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "My API user role k1")
        .expect("role");
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    let conns = state["connections"].as_array().unwrap();
    let conn = conns
        .iter()
        .find(|c| c["label"] == "My very first API connection k1")
        .expect("connection");
    assert_eq!(conn["role"], "My API user role k1", "{conn}");
    assert_eq!(conn["flow_type"], "data_destination");

    let xml = check::junit_xml(sim.url(), &result.steps);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let cases: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| c.attribute("name").unwrap())
        .collect();
    assert_eq!(cases, expected);

    // --cleanup: what the run made is deleted through the UI; the first run's data is not.
    let before = entities_4x(sim.url()).await;
    let mut cfg = config(sim.url(), dir.path(), "k2", true);
    cfg.pim_version = choice;
    let result = check::run(&cfg, &Progress::silent()).await;
    assert!(result.passed(), "{}", check::table(&result.steps));
    let names: Vec<&str> = result.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        &names[names.len() - 2..],
        &CLEANUP_STEPS_4X.map(|s| s.name())
    );
    let after = entities_4x(sim.url()).await;
    assert_eq!(before, after);
    assert_eq!(after["connections"].as_array().unwrap().len(), 1);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_on_4x_detected_passes_and_cleanup_restores_the_state() {
    check_4x(
        sim::PimVersion::V4,
        GenerationChoice::Auto,
        "/api/rest/v1/products",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_on_6x_passes_calls_system_information_and_cleanup_restores_the_state() {
    check_4x(
        sim::PimVersion::V6,
        GenerationChoice::Fixed(Generation::V6),
        "/api/rest/v1/system-information",
    )
    .await;
}
