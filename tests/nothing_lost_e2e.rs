//! Nothing lost (issue 18): a generated secret survives any stop, a re-run never reports false
//! success, and what can be checked before touching the PIM is checked first.
//!
//! The real binary, real headless Chromium, the in-process simulator with its defaults (30
//! users, 150 ms latency); the state folder (`XDG_STATE_HOME`) is a temporary directory per
//! test. Each test checks the simulator's state (`/_sim/state`) and the exit code. Tests run
//! one at a time (each starts chromedriver + Chromium; the machine has 2 cores).

mod support;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use pim_sim::{self as sim, PimVersion, SimConfig, SimHandle};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use support::provision::{counter, role, users_named, API_USER, CONNECTION, ROLE};

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A simulator with the defaults (30 users, 150 ms latency) of `version`, plus `faults`.
async fn start(version: PimVersion, faults: &[&str]) -> SimHandle {
    sim::start(SimConfig {
        pim_version: version,
        faults: faults.iter().map(|f| f.parse().unwrap()).collect(),
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// The binary with `args`, the admin password in the environment, the state folder in
/// `state_home`, nothing inherited that could point elsewhere.
fn tool(args: &[&str], state_home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .env_remove("PIM_API_PASSWORD")
        .env_remove("PIM_API_CURRENT_PASSWORD")
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env("XDG_STATE_HOME", state_home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    cmd
}

/// Runs `provision --pim-url URL <extra>` to the end.
async fn provision(sim: &SimHandle, state_home: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["provision", "--pim-url", sim.url()];
    args.extend_from_slice(extra);
    run(tool(&args, state_home)).await
}

/// Runs `cmd` to the end with the standard streams it was given (tokio's `output()` would
/// replace them with pipes).
async fn run(mut cmd: Command) -> Output {
    let child = cmd.spawn().expect("run the binary");
    tokio::time::timeout(Duration::from_secs(180), child.wait_with_output())
        .await
        .expect("the run ends within 180 s")
        .expect("wait for the binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The status of `POST /api/oauth/v1/token` (password grant) with the JSON credentials `c`.
async fn token_status(sim: &SimHandle, c: &Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(
            c["client_id"].as_str().unwrap(),
            Some(c["secret"].as_str().unwrap()),
        )
        .json(&json!({"grant_type": "password", "username": c["username"], "password": c["password"]}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The state folder of the tool under `state_home`.
fn vault_dir(state_home: &Path) -> PathBuf {
    state_home.join("pim-credentials")
}

/// The saved records (JSON files) in the state folder.
fn records(state_home: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(vault_dir(state_home)) {
        Ok(d) => d
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => vec![],
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// Polls the simulator's state until `cond` holds (60 s at most).
async fn until(sim: &SimHandle, what: &str, cond: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if cond(&sim.state()) {
            return;
        }
        assert!(Instant::now() < deadline, "never saw: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn signal(child: &Child, sig: i32) {
    let pid = child.id().expect("still running") as i32;
    // SAFETY: kill(2) on the child this test started.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}

/// A run interrupted by `sig` once `cond` holds in the PIM; returns its output.
async fn interrupted_run(
    sim: &SimHandle,
    state_home: &Path,
    sig: i32,
    what: &str,
    cond: impl Fn(&Value) -> bool,
) -> Output {
    let mut child = tool(&["provision", "--pim-url", sim.url()], state_home)
        .spawn()
        .unwrap();
    until(sim, what, cond).await;
    signal(&child, sig);
    let out = tokio::time::timeout(Duration::from_secs(60), async {
        let mut o = Vec::new();
        let mut e = Vec::new();
        let (mut so, mut se) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
        use tokio::io::AsyncReadExt;
        let (_, _, status) =
            tokio::join!(so.read_to_end(&mut o), se.read_to_end(&mut e), child.wait());
        Output {
            status: status.unwrap(),
            stdout: o,
            stderr: e,
        }
    })
    .await
    .expect("the interrupted run ends within 60 s");
    out
}

/// A re-run after an interruption: exit 0, the password the first run generated is
/// delivered, verified, works against the PIM; no second user; the record is gone.
async fn rerun_delivers(sim: &SimHandle, state_home: &Path) -> Value {
    let out = provision(sim, state_home, &[]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let c: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(c["verified"], true, "{c}");
    assert_eq!(c["created"]["user"], false, "{c}");
    assert_eq!(c["password"].as_str().map(str::len), Some(24), "{c}");
    assert_eq!(
        token_status(sim, &c).await,
        200,
        "the delivered password works"
    );
    let state = sim.state();
    assert_eq!(users_named(&state, API_USER).len(), 1, "{state}");
    assert_eq!(
        counter(&state, "user_create"),
        1,
        "one user creation in all"
    );
    assert!(records(state_home).is_empty(), "{:?}", records(state_home));
    assert!(
        err.contains("saved by an earlier run"),
        "the re-run says where the password came from: {err}"
    );
    c
}

/// Ctrl-C once the PIM holds the user with its generated password, then SIGTERM on a second
/// PIM: the runs exit 130 and 143 (128 + the signal), the password is in the state folder (0700/0600), and the re-run
/// delivers it verified without creating a second user.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_stopped_once_the_user_exists_leaves_its_password_for_the_rerun() {
    let _serial = SERIAL.lock().await;
    for sig in [libc::SIGINT, libc::SIGTERM] {
        let sim = start(PimVersion::V3, &[]).await;
        let home = tempfile::tempdir().unwrap();
        let out = interrupted_run(&sim, home.path(), sig, "the API user", |s| {
            !users_named(s, API_USER).is_empty()
        })
        .await;
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(128 + sig), "signal {sig}: {err}");
        assert!(out.stdout.is_empty());
        assert_eq!(mode(&vault_dir(home.path())), 0o700);
        let saved = records(home.path());
        assert_eq!(saved.len(), 1, "{saved:?}");
        assert_eq!(mode(&saved[0]), 0o600);
        assert!(
            err.contains(&vault_dir(home.path()).display().to_string()),
            "the interrupted run says where the password is: {err}"
        );
        assert!(!err.contains(
            serde_json::from_str::<Value>(&std::fs::read_to_string(&saved[0]).unwrap()).unwrap()
                ["password"]
                .as_str()
                .unwrap()
        ));
        rerun_delivers(&sim, home.path()).await;
        sim.stop().await;
    }
}

/// The children of `pid` whose command name is `comm` (from /proc/*/stat).
fn children_named(pid: u32, comm: &str) -> Vec<i32> {
    let mut found = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...".
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let name = head.split_once('(').map(|(_, n)| n).unwrap_or("");
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if name == comm && ppid == Some(pid) {
            if let Ok(p) = e.file_name().to_string_lossy().parse() {
                found.push(p);
            }
        }
    }
    found
}

/// chromedriver killed once the PIM holds the user: the run fails as a browser failure (exit
/// 5), the password stays, and the re-run delivers it.
#[tokio::test(flavor = "multi_thread")]
async fn chromedriver_killed_once_the_user_exists_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let child = tool(&["provision", "--pim-url", sim.url()], home.path())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    until(&sim, "the API user", |s| {
        !users_named(s, API_USER).is_empty()
    })
    .await;
    let drivers = children_named(pid, "chromedriver");
    assert_eq!(
        drivers.len(),
        1,
        "one chromedriver under the run: {drivers:?}"
    );
    // SAFETY: kill(2) on the chromedriver the run under test started.
    assert_eq!(unsafe { libc::kill(drivers[0], libc::SIGKILL) }, 0);
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the run ends")
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert_eq!(records(home.path()).len(), 1, "{err}");
    assert!(err.contains("run the same command again"), "{err}");
    rerun_delivers(&sim, home.path()).await;
    sim.stop().await;
}

/// Ctrl-C while the token request is in flight (verification): the re-run still delivers.
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_verify_keeps_the_password() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &["token-slow:3000"]).await;
    let home = tempfile::tempdir().unwrap();
    let out = interrupted_run(&sim, home.path(), libc::SIGINT, "a token request", |s| {
        counter(s, "token") >= 1
    })
    .await;
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert_eq!(records(home.path()).len(), 1);
    rerun_delivers(&sim, home.path()).await;
    sim.stop().await;
}

/// 4.x: the connection's password is shown once; a run stopped right after the creation keeps
/// it, and the re-run reads the same connection, picks the password up and verifies it.
#[tokio::test(flavor = "multi_thread")]
async fn a_4x_run_stopped_after_the_connection_exists_keeps_its_password() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V4, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let out = interrupted_run(&sim, home.path(), libc::SIGTERM, "the connection", |s| {
        !s["connections"].as_array().unwrap().is_empty()
    })
    .await;
    assert_eq!(out.status.code(), Some(143), "{}", text(&out.stderr));
    let out = provision(&sim, home.path(), &[]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["verified"], true, "{c}");
    assert_eq!(token_status(&sim, &c).await, 200);
    let state = sim.state();
    let conns = state["connections"].as_array().unwrap();
    assert_eq!(conns.len(), 1, "{state}");
    assert_eq!(conns[0]["client_id"], c["client_id"]);
    assert_eq!(conns[0]["role"], ROLE);
    assert!(records(home.path()).is_empty());
    sim.stop().await;
}

/// A re-run that cannot know the password (no record, none given) never exits 0: it says
/// which value is unknown and what to do.
#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_with_an_unknown_password_is_not_a_success() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let first = provision(&sim, home.path(), &[]).await;
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    // Delivered: nothing left in the state folder; a second machine (another state folder)
    // knows no password.
    assert!(records(home.path()).is_empty());
    let other = tempfile::tempdir().unwrap();
    let out = provision(&sim, other.path(), &[]).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("password of myAPIuser is unknown"), "{err}");
    assert!(err.contains("PIM_API_PASSWORD"), "{err}");
    let state = sim.state();
    assert_eq!(users_named(&state, API_USER).len(), 1);
    assert_eq!(counter(&state, "user_create"), 1);
    sim.stop().await;
}

/// Two runs started together on one PIM (one machine, one state folder): one delivers working
/// credentials, the other says another run is at work and exits 2 having changed nothing; the
/// PIM holds one user, one role, one connection, nothing revoked.
#[tokio::test(flavor = "multi_thread")]
async fn two_runs_started_together_one_delivers_the_other_says_so() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let (a, b) = tokio::join!(
        provision(&sim, home.path(), &[]),
        provision(&sim, home.path(), &[])
    );
    let mut outs = [a, b];
    outs.sort_by_key(|o| o.status.code());
    let [winner, loser] = outs;
    assert_eq!(winner.status.code(), Some(0), "{}", text(&winner.stderr));
    let lerr = text(&loser.stderr);
    assert_eq!(loser.status.code(), Some(2), "{lerr}");
    assert!(lerr.contains("another pim-credentials run"), "{lerr}");
    assert!(loser.stdout.is_empty(), "the loser prints no credentials");
    let c: Value = serde_json::from_slice(&winner.stdout).unwrap();
    assert_eq!(
        c["created"],
        json!({"user": true, "role": true, "connection": true})
    );
    assert_eq!(token_status(&sim, &c).await, 200);
    let state = sim.state();
    assert_eq!(users_named(&state, API_USER).len(), 1, "{state}");
    assert_eq!(state["api_clients"].as_array().unwrap().len(), 1, "{state}");
    assert_eq!(counter(&state, "client_revoke"), 0);
    assert_eq!(counter(&state, "user_create"), 1);
    assert_eq!(role(&state, ROLE)["users"], json!([API_USER]), "{state}");
    sim.stop().await;
}

/// Two runs started together from two machines (two state folders: no shared lock, no shared
/// records): the PIM ends with one of each; the run that created the user delivers working
/// credentials; the other cannot know the password and exits 4 saying so, never 0; no run
/// claims a connection that is not the one kept.
#[tokio::test(flavor = "multi_thread")]
async fn two_machines_at_once_never_report_false_success() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let (home_a, home_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = tokio::join!(
        provision(&sim, home_a.path(), &[]),
        provision(&sim, home_b.path(), &[])
    );
    let mut outs = [a, b];
    outs.sort_by_key(|o| o.status.code());
    let [winner, loser] = outs;
    let (werr, lerr) = (text(&winner.stderr), text(&loser.stderr));
    assert_eq!(winner.status.code(), Some(0), "{werr}\n---\n{lerr}");
    assert_eq!(loser.status.code(), Some(4), "{lerr}\n---\n{werr}");
    assert!(lerr.contains("password of myAPIuser is unknown"), "{lerr}");
    let w: Value = serde_json::from_slice(&winner.stdout).unwrap();
    let l: Value = serde_json::from_slice(&loser.stdout).unwrap();
    assert_eq!(w["created"]["user"], true);
    assert_eq!(l["created"]["user"], false);
    assert_eq!(l["password"], Value::Null);
    assert_eq!(token_status(&sim, &w).await, 200);
    let state = sim.state();
    assert_eq!(users_named(&state, API_USER).len(), 1, "{state}");
    let clients = state["api_clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{state}");
    let claims: Vec<&Value> = [&w, &l]
        .into_iter()
        .filter(|c| c["created"]["connection"] == true)
        .collect();
    assert!(claims.len() <= 1, "{w} {l}");
    for c in claims {
        assert_eq!(
            c["client_id"], clients[0]["client_id"],
            "claimed a revoked row"
        );
    }
    sim.stop().await;
}

/// Standard output closed (`| true`), then a full device (`> /dev/full`): each run is an error
/// with a message and exit 1, never a panic, and the generated password stays in the state
/// folder; a third run prints it, verified, and the PIM still holds one user.
#[tokio::test(flavor = "multi_thread")]
async fn output_failures_are_errors_and_the_secret_stays_recoverable() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();

    // 1. `| true`: the reader is gone before anything is written.
    let mut cmd = tool(&["provision", "--pim-url", sim.url()], home.path());
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    cmd.stdout(writer);
    let out = run(cmd).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(records(home.path()).len(), 1, "the password is kept");
    assert_eq!(users_named(&sim.state(), API_USER).len(), 1);

    // 2. `> /dev/full`: the re-run picks the password up, verifies it, cannot write it.
    let mut cmd = tool(&["provision", "--pim-url", sim.url()], home.path());
    cmd.stdout(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    );
    let out = run(cmd).await;
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(records(home.path()).len(), 1, "still kept");

    // 3. A working stdout: delivered, verified, one user in all.
    rerun_delivers(&sim, home.path()).await;
    sim.stop().await;
}

/// `--pim-url http://user:pass@host`: refused with exit 2 before any login, for `provision`
/// and `check`; the URL's password is printed nowhere, and no report holds it.
#[tokio::test(flavor = "multi_thread")]
async fn url_credentials_are_refused_before_login() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let url = sim.url().replace("http://", "http://admin:Url-S3cret@");
    let junit = home.path().join("junit.xml");
    let report = home.path().join("report");
    for args in [
        vec!["provision", "--pim-url", &url],
        vec![
            "check",
            "--pim-url",
            &url,
            "--junit",
            junit.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
        ],
    ] {
        let out = run(tool(&args, home.path())).await;
        let (o, e) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("PIM_ADMIN_PASSWORD"), "a hint: {e}");
        assert!(
            !o.contains("Url-S3cret") && !e.contains("Url-S3cret"),
            "{o}{e}"
        );
    }
    assert!(!junit.exists() && !report.exists());
    let state = sim.state();
    assert_eq!(counter(&state, "login"), 0, "{state}");
    assert!(users_named(&state, API_USER).is_empty());
    sim.stop().await;
}

/// `--output` naming a device, a FIFO or a folder is refused with exit 2 even with --force,
/// before any login; the device is still a device.
#[tokio::test(flavor = "multi_thread")]
async fn output_to_a_device_fifo_or_folder_is_refused_even_with_force() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for (target, kind) in [
        ("/dev/null", "device"),
        (fifo.to_str().unwrap(), "not a regular file"),
        (home.path().to_str().unwrap(), "folder"),
    ] {
        let out = provision(&sim, home.path(), &["--output", target, "--force"]).await;
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {e}");
        assert!(e.contains(kind), "{e}");
    }
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(counter(&sim.state(), "login"), 0);
    sim.stop().await;
}

/// The up-front checks: a username with a space, a 10 MB password file, a 26-character role,
/// a 4.x connection label over 100 characters (given generation: before login; detected: after
/// login, before any change). Each exits 2 and the PIM is unchanged.
#[tokio::test(flavor = "multi_thread")]
async fn what_can_be_checked_first_is_checked_before_any_change() {
    let _serial = SERIAL.lock().await;
    let sim = start(PimVersion::V3, &[]).await;
    let home = tempfile::tempdir().unwrap();
    // 10 MB: refused by the option's parser (1 MiB for any file to read); 8 KB: by the password
    // reader (a password is a line: 4096 bytes at most), never typed into the browser.
    let big = home.path().join("big-password");
    std::fs::write(&big, vec![b'p'; 10 * 1024 * 1024]).unwrap();
    let mid = home.path().join("8k-password");
    std::fs::write(&mid, vec![b'p'; 8 * 1024]).unwrap();
    let (big, mid) = (big.to_str().unwrap(), mid.to_str().unwrap());
    let long_role = "r".repeat(26);
    let cases: [(Vec<&str>, &str); 6] = [
        (vec!["--api-user", "my API user"], "space"),
        (vec!["--api-password-file", big], "bytes"),
        (vec!["--admin-password-file", big], "bytes"),
        (vec!["--api-password-file", mid], "4096 bytes"),
        (vec!["--admin-password-file", mid], "4096 bytes"),
        (vec!["--role", &long_role], "25 characters"),
    ];
    for (extra, expected) in cases {
        let out = provision(&sim, home.path(), &extra).await;
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {e}");
        assert!(e.contains(expected), "{extra:?}: {e}");
    }
    assert_eq!(counter(&sim.state(), "login"), 0);
    sim.stop().await;

    let sim = start(PimVersion::V4, &[]).await;
    let long = "c".repeat(101);
    let out = provision(
        &sim,
        home.path(),
        &["--connection", &long, "--pim-version", "4"],
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(counter(&sim.state(), "login"), 0, "refused before login");
    // Detected generation: refused after login and detection, before the role.
    let out = provision(&sim, home.path(), &["--connection", &long]).await;
    let e = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{e}");
    assert!(e.contains("3 to 100"), "{e}");
    let state = sim.state();
    assert_eq!(counter(&state, "role_create"), 0, "{state}");
    assert!(state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["label"] != ROLE));
    assert!(state["connections"].as_array().unwrap().is_empty());
    let _ = CONNECTION;
    sim.stop().await;
}
