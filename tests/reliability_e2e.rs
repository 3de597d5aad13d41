//! Reliability (issue 6): the real driver in real headless Chromium against the simulator with
//! injected faults, bad input and interruptions. Each test asserts the tool's outcome and the
//! simulator's state (`/_sim/state`): exactly one user, one role and one connection, or nothing.
//!
//! Tests run one at a time (a shared lock): each starts its own chromedriver + Chromium.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use pim_credentials::flow::{provision, Provisioned};
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_sim::faults::Fault;
use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;
use support::provision::{config, counter, processes_with, API_USER, CONNECTION, ROLE};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn sim_with(faults: &[&str]) -> SimHandle {
    sim::start(SimConfig {
        faults: faults.iter().map(|f| f.parse::<Fault>().unwrap()).collect(),
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// Exactly one API user (holding the role), one role (granting the API and listing the user)
/// and one API connection whose credentials are the ones the run reported.
fn assert_exactly_one_of_each(state: &Value, p: &Provisioned) {
    let users: Vec<_> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["username"] == API_USER)
        .collect();
    assert_eq!(users.len(), 1, "one API user: {state}");
    assert!(
        users[0]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == ROLE),
        "{state}"
    );
    let roles: Vec<_> = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["label"] == ROLE)
        .collect();
    assert_eq!(roles.len(), 1, "one role: {state}");
    assert!(roles[0]["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    let clients: Vec<_> = state["api_clients"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["label"] == CONNECTION)
        .collect();
    assert_eq!(clients.len(), 1, "one connection: {state}");
    assert_eq!(clients[0]["client_id"], p.credentials.client_id.as_str());
    assert_eq!(clients[0]["secret"], p.credentials.secret.expose());
}

/// Provisions a simulator started with `faults`; the run must end verified with exactly one of
/// each entity. Returns the final state.
async fn provision_through(faults: &[&str]) -> Value {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(faults).await;
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = config(sim.url(), artifacts.path().to_path_buf());
    let progress = Progress::silent();
    let result = provision(&cfg, &progress).await;
    let state = sim.state();
    let p = match result {
        Ok(p) => p,
        Err(e) => panic!(
            "faults {faults:?}: {e}\nsteps: {:#?}\nstate: {state}",
            progress.steps()
        ),
    };
    assert!(p.verified, "faults {faults:?}: not verified: {:?}", p.notes);
    assert!(counter(&state, "token") >= 1, "{state}");
    assert_exactly_one_of_each(&state, &p);
    sim.stop().await;
    state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_slow_xhrs() {
    provision_through(&["slow:400"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_mask_linger() {
    provision_through(&["mask-linger:700"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_rerender_stale_elements() {
    provision_through(&["rerender"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_flash_late() {
    provision_through(&["flash-late"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_token_slow() {
    let state = provision_through(&["token-slow:2500"]).await;
    assert!(counter(&state, "token") >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_save_500_before_commit() {
    let state = provision_through(&["save-500-before"]).await;
    // Every kind failed once and was saved again.
    assert!(counter(&state, "user_create") >= 2, "{state}");
    assert!(counter(&state, "client_create") >= 2, "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_save_500_after_commit() {
    let state = provision_through(&["save-500-after"]).await;
    // The committed-then-500 saves were found by looking, not saved twice.
    assert_eq!(counter(&state, "user_create"), 1, "{state}");
    assert_eq!(counter(&state, "client_create"), 1, "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_session_expires_mid_run() {
    // Each session lasts N authenticated requests: more than the longest step needs on a PIM
    // with 30 users (the role's Users grid is paged; 12 is too few), fewer than the whole run
    // (over 30), so the run logs in again at least once.
    let state = provision_through(&["logout-after:24"]).await;
    assert!(counter(&state, "login") >= 2, "re-logged in: {state}");
}

// ---------------------------------------------------------------------------- bad input

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");

/// What a run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary (off the async threads, so that the in-process simulator keeps serving).
async fn tool(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(args)
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .env_remove("PIM_ADMIN_PASSWORD")
        .env_remove("PIM_API_PASSWORD")
        // The write-ahead secrets of these runs stay under target/.
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/state"),
        )
        .stdin(std::process::Stdio::null());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().expect("run the binary"))
        .await
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A loopback port nobody listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Nothing of the three exists in the simulator.
fn assert_nothing_created(state: &Value) {
    let users = state["users"].as_array().unwrap();
    assert!(
        !users
            .iter()
            .any(|u| u["username"] == API_USER || u["username"] == "ab"),
        "{state}"
    );
    assert!(
        !state["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["label"] == ROLE),
        "{state}"
    );
    assert!(
        state["api_clients"].as_array().unwrap().is_empty(),
        "{state}"
    );
    assert_eq!(counter(state, "user_create"), 0, "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_unreachable_pim_url() {
    let _serial = SERIAL.lock().await;
    let url = format!("http://127.0.0.1:{}", closed_port());
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().to_str().unwrap();
    let run = tool(
        &["provision", "--pim-url", &url, "--artifacts-dir", art],
        &[("PIM_ADMIN_PASSWORD", "admin")],
    )
    .await;
    // Not bad usage: the PIM is unreachable, said as such (exit 6, "connection refused"),
    // never as "not an Akeneo PIM".
    assert_eq!(run.code, Some(6), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot reach the PIM"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("connection refused"), "{}", run.stderr);
    assert!(!run.stderr.contains("not an Akeneo PIM"), "{}", run.stderr);
    assert!(run.stderr.contains(&url), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_url_that_is_not_a_pim() {
    let _serial = SERIAL.lock().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(|| async {
        axum::response::Html("<!DOCTYPE html><html><head><title>Shop</title></head><body><h1>Welcome to our shop</h1></body></html>")
    });
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let dir = tempfile::tempdir().unwrap();
    let run = tool(
        &[
            "provision",
            "--pim-url",
            &url,
            "--artifacts-dir",
            dir.path().to_str().unwrap(),
        ],
        &[("PIM_ADMIN_PASSWORD", "admin")],
    )
    .await;
    server.abort();
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("not an Akeneo PIM"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_wrong_admin_password() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let run = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--artifacts-dir",
            dir.path().to_str().unwrap(),
        ],
        &[("PIM_ADMIN_PASSWORD", "not-the-password")],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("Invalid credentials."),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not-the-password"));
    let state = sim.state();
    assert_eq!(
        counter(&state, "login"),
        1,
        "no retry of a refused login: {state}"
    );
    assert_nothing_created(&state);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_role_label_over_25_characters() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let run = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--role",
            "A role label that is far too long",
        ],
        &[("PIM_ADMIN_PASSWORD", "admin")],
    )
    .await;
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("25 characters"), "{}", run.stderr);
    let state = sim.state();
    assert_eq!(counter(&state, "login"), 0, "{state}");
    assert_nothing_created(&state);
    sim.stop().await;
}

/// A username the PIM would refuse (under 3 characters, or with a space) is refused up front
/// with the PIM's rule, before any login (it used to be refused by the PIM after the login).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_username_the_pim_rejects_is_refused_before_login() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    for (name, expected) in [("ab", "3 to 255 characters"), ("my user", "space")] {
        let run = tool(
            &[
                "provision",
                "--pim-url",
                sim.url(),
                "--api-user",
                name,
                "--artifacts-dir",
                dir.path().to_str().unwrap(),
            ],
            &[("PIM_ADMIN_PASSWORD", "admin")],
        )
        .await;
        assert_eq!(run.code, Some(2), "{}", run.stderr);
        assert!(run.stderr.contains(expected), "{}", run.stderr);
    }
    let state = sim.state();
    assert_eq!(counter(&state, "login"), 0, "{state}");
    assert_nothing_created(&state);
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_unreachable_webdriver() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let wd = format!("http://127.0.0.1:{}", closed_port());
    let run = tool(
        &["provision", "--pim-url", sim.url(), "--webdriver", &wd],
        &[("PIM_ADMIN_PASSWORD", "admin")],
    )
    .await;
    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert!(run.stderr.contains(&wd), "{}", run.stderr);
    let state = sim.state();
    assert_eq!(counter(&state, "login"), 0, "{state}");
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_no_chromedriver_installed() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().to_str().unwrap();
    let run = tool(
        &["provision", "--pim-url", sim.url()],
        &[("PIM_ADMIN_PASSWORD", "admin"), ("PATH", path)],
    )
    .await;
    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert!(
        run.stderr.contains("chromedriver not found"),
        "{}",
        run.stderr
    );
    // The override is honoured (and checked).
    let run = tool(
        &["provision", "--pim-url", sim.url()],
        &[
            ("PIM_ADMIN_PASSWORD", "admin"),
            ("PATH", path),
            ("PIMCRED_CHROMEDRIVER", "/nonexistent/chromedriver"),
        ],
    )
    .await;
    assert_eq!(run.code, Some(5), "{}", run.stderr);
    assert!(
        run.stderr.contains("PIMCRED_CHROMEDRIVER"),
        "{}",
        run.stderr
    );
    assert_eq!(counter(&sim.state(), "login"), 0);
    sim.stop().await;
}

/// The output folder disappears during the run: the credentials were created, the file cannot
/// be written (exit 1); no secret goes to stderr: the generated password stays in the state
/// folder, and the next run delivers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_file_that_cannot_be_written_keeps_the_password_for_the_next_run() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let out_file = out_dir.join("creds.json");
    let state_home = dir.path().join("state");
    let envs = [
        ("PIM_ADMIN_PASSWORD", "admin"),
        ("XDG_STATE_HOME", state_home.to_str().unwrap()),
    ];
    let state_url = format!("{}/_sim/state", sim.url());
    // Remove the folder once the user exists (the file is written at the very end).
    let watcher = tokio::spawn({
        let out_dir = out_dir.clone();
        async move {
            let http = reqwest::Client::new();
            loop {
                let s: Value = http
                    .get(&state_url)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if s["users"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| u["username"] == API_USER)
                {
                    std::fs::remove_dir_all(&out_dir).unwrap();
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });
    let run = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--output",
            out_file.to_str().unwrap(),
            "--artifacts-dir",
            dir.path().join("art").to_str().unwrap(),
        ],
        &envs,
    )
    .await;
    watcher.await.unwrap();
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
    assert!(
        run.stderr.contains("run the same command again"),
        "{}",
        run.stderr
    );
    let state = sim.state();
    let secret = state["api_clients"][0]["secret"].as_str().unwrap();
    assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret));
    assert!(!out_file.exists());
    let kept: Vec<_> = std::fs::read_dir(state_home.join("pim-credentials"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(kept.len(), 1);
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(kept[0].path()).unwrap()).unwrap();
    let password = record["password"].as_str().unwrap().to_string();
    assert!(!run.stderr.contains(&password));
    // The next run (folder back) delivers that very password, verified; one user in all.
    std::fs::create_dir(&out_dir).unwrap();
    let args = [
        "provision",
        "--pim-url",
        sim.url(),
        "--output",
        out_file.to_str().unwrap(),
    ];
    let run = tool(&args, &envs).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let creds: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(creds["password"], password.as_str());
    assert_eq!(creds["verified"], true);
    let state = sim.state();
    assert_eq!(counter(&state, "user_create"), 1, "{state}");
    sim.stop().await;
}

/// An administrator whose role cannot manage roles nor API connections: refused before
/// anything is created, with the PIM's own words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_admin_without_role_and_connection_permissions() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        restricted_admin: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--admin-user",
            "julia",
            "--artifacts-dir",
            dir.path().to_str().unwrap(),
        ],
        &[("PIM_ADMIN_PASSWORD", "julia")],
    )
    .await;
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("julia may not manage roles"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("You are not allowed to access this page."),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was created"), "{}", run.stderr);
    let state = sim.state();
    assert_eq!(counter(&state, "login"), 1, "{state}");
    assert_nothing_created(&state);
    sim.stop().await;
}

// ---------------------------------------------------------------------------- interruptions

/// Chromium is killed mid-run (after the user was created): a clear browser error (exit 5)
/// that says what was created, and no chromedriver or Chromium left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_killed_mid_run_is_a_clear_error_without_orphans() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(BIN)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/state"),
        )
        .args([
            "provision",
            "--pim-url",
            sim.url(),
            "--artifacts-dir",
            dir.path().to_str().unwrap(),
        ])
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let needle = format!("pim-credentials-{}-", child.id());
    // Wait for the user to exist, then kill every Chromium process of this run.
    let mut killed = 0;
    for _ in 0..1500 {
        let st = sim.state();
        if st["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == API_USER)
        {
            for (pid, cmd) in processes_with(&needle) {
                if !cmd.contains("chromedriver") {
                    // SAFETY: kill(2) on a process of this test's own run.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    killed += 1;
                }
            }
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(killed > 0, "found Chromium to kill");
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("browser"), "{stderr}");
    // The user was saved before Chromium died: the run says so (confirmed, or sent but not
    // confirmed when the kill came between the save and its answer).
    assert!(
        stderr.contains("created so far: user yes")
            || stderr.contains("sent but not confirmed (the PIM may hold it, check): user"),
        "{stderr}"
    );
    let left = processes_with(&needle);
    assert!(left.is_empty(), "orphans: {left:?}");
    sim.stop().await;
}

// ---------------------------------------------------------------------------- concurrency

/// Two runs at the same time against one PIM with the same names: one user, one role, one
/// connection in the end, and both runs report the same (working) credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_runs_end_with_one_of_each_and_the_same_credentials() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&[]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), dir.path().to_path_buf());
    cfg.api_password = Some(Secret::new("Sh4red-API-passw0rd"));
    let (pa, pb) = (Progress::silent(), Progress::silent());
    let (a, b) = tokio::join!(provision(&cfg, &pa), provision(&cfg, &pb));
    let state = sim.state();
    let a = a.unwrap_or_else(|e| panic!("run A: {e}\n{:#?}\n{state}", pa.steps()));
    let b = b.unwrap_or_else(|e| panic!("run B: {e}\n{:#?}\n{state}", pb.steps()));
    assert_eq!(a.credentials.client_id, b.credentials.client_id, "{state}");
    assert_eq!(a.credentials.secret, b.credentials.secret);
    assert!(a.verified && b.verified);
    assert_exactly_one_of_each(&state, &a);
    eprintln!(
        "user_create {}, role_create {}, client_create {}, client_revoke {}",
        counter(&state, "user_create"),
        counter(&state, "role_create"),
        counter(&state, "client_create"),
        counter(&state, "client_revoke")
    );
    sim.stop().await;
}

/// A concurrent run created the same connection label just before this run's creation (the
/// other row is older): this run keeps the older row, revokes its own duplicate, and reports
/// the older row's credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_twin_connection_keeps_the_oldest_and_revokes_the_duplicate() {
    let _serial = SERIAL.lock().await;
    let sim = sim_with(&["twin-create"]).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(sim.url(), dir.path().to_path_buf());
    let progress = Progress::silent();
    let p = provision(&cfg, &progress)
        .await
        .unwrap_or_else(|e| panic!("{e}\n{:#?}\n{}", progress.steps(), sim.state()));
    let state = sim.state();
    assert!(p.verified);
    // The kept row is the twin's: this run does not claim it (created tells the truth).
    assert!(!p.created.connection, "{:?}", p.created);
    assert_eq!(counter(&state, "client_create"), 1, "{state}");
    assert_eq!(counter(&state, "client_revoke"), 1, "{state}");
    assert_exactly_one_of_each(&state, &p);
    // The survivor is the older (twin) one: id 1.
    assert!(
        p.credentials.client_id.starts_with("1_"),
        "{}",
        p.credentials.client_id
    );
    for s in progress.steps() {
        eprintln!("{:<20} {:>6} ms  {}", s.name, s.millis, s.detail);
    }
    sim.stop().await;
}

// ---------------------------------------------------------------------------- secrets

/// The process tree under `root` (itself included), by the parent ids in /proc/*/stat (read
/// without touching other processes' memory, so a dying process elsewhere cannot stall it).
fn descendants(root: i32) -> Vec<i32> {
    let mut parent = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces; split after the last ')'.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<i32>().ok());
        if let Some(ppid) = ppid {
            parent.insert(pid, ppid);
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(parent.iter().filter(|(_, pp)| **pp == p).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A run with `-vv` and `--artifacts-dir` that fails after the connection's secret exists
/// (the token endpoint never answers within WebDriver's command deadline, while the grid
/// showing the secret is on screen): the admin password, the API password and the secret appear in no stream, no file
/// the run wrote (artifacts: screenshot, masked HTML, URL) and no process argument list (the
/// tool, chromedriver, Chromium), read from /proc while the run goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_appear_in_no_stream_file_or_argument_list() {
    let _serial = SERIAL.lock().await;
    const ADMIN_PW: &str = "Adm1n-Pw-9f3k2q";
    const API_PW: &str = "Ap1-Pw-7x2m4v-zz";
    let sim = sim::start(SimConfig {
        admin_password: ADMIN_PW.into(),
        faults: vec!["token-slow:25000".parse().unwrap()],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("artifacts");
    let child = std::process::Command::new(BIN)
        .env(
            "XDG_STATE_HOME",
            concat!(env!("CARGO_TARGET_TMPDIR"), "/state"),
        )
        .args([
            "provision",
            "-vv",
            "--pim-url",
            sim.url(),
            "--timeout",
            "3s",
            "--artifacts-dir",
            art.to_str().unwrap(),
        ])
        .env("PIM_ADMIN_PASSWORD", ADMIN_PW)
        .env("PIM_API_PASSWORD", API_PW)
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let tool_pid = child.id() as i32;
    // Argument lists, read while the run goes on.
    let sampler = tokio::spawn(async move {
        let mut seen: Vec<String> = vec![];
        let mut browsers = 0;
        let until = std::time::Instant::now() + Duration::from_secs(180);
        while std::time::Instant::now() < until {
            let tool = std::fs::read(format!("/proc/{tool_pid}/cmdline"));
            let Ok(tool) = tool else { break };
            if tool.is_empty() {
                // Empty for a zombie (the tool exited), but also for a moment right after the
                // spawn returned: the kernel sets the new image's arguments after the exec has
                // closed the pipe `spawn` waits on.
                let stat = std::fs::read_to_string(format!("/proc/{tool_pid}/stat"));
                let zombie = stat.map_or(true, |s| {
                    s.rsplit_once(')')
                        .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
                });
                if zombie {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
            seen.push(String::from_utf8_lossy(&tool).replace('\0', " "));
            let tree = descendants(tool_pid);
            browsers = browsers.max(tree.len() - 1);
            for pid in &tree[1..] {
                if let Ok(c) = std::fs::read(format!("/proc/{pid}/cmdline")) {
                    seen.push(String::from_utf8_lossy(&c).replace('\0', " "));
                }
            }
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        (seen, browsers)
    });
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let (cmdlines, browsers) = sampler.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let state = sim.state();
    let secret = state["api_clients"][0]["secret"]
        .as_str()
        .unwrap_or_else(|| panic!("the connection exists: {state}\n{stderr}"))
        .to_string();
    // The run failed after the secret existed, and saved artifacts.
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(stderr.contains("step 'verify'"), "{stderr}");
    let files = files_under(&art);
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "html")),
        "artifacts: {files:?}\n{stderr}"
    );
    assert!(
        browsers >= 2,
        "saw chromedriver and Chromium under the tool: {browsers}"
    );
    for s in [ADMIN_PW, API_PW, secret.as_str()] {
        assert!(!stdout.contains(s), "stdout leaks a secret");
        assert!(!stderr.contains(s), "stderr leaks a secret:\n{stderr}");
        for f in files_under(dir.path()) {
            let bytes = std::fs::read(&f).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(s), "{} leaks a secret", f.display());
        }
        for c in &cmdlines {
            assert!(!c.contains(s), "an argument list leaks a secret: {c}");
        }
    }
    // The masked page HTML did hold the grid with the credentials.
    let html: String = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    assert!(html.contains("***"), "masked HTML");
    sim.stop().await;
}
