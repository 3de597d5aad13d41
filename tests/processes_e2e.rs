//! The processes a run starts (chromedriver, Chromium, the guardian) against the ways the tool
//! can end: SIGKILL (they go with it, the profile too), SIGKILL of the tool and its guardian
//! (the next run removes the stale profile and what still uses it), SIGTERM and SIGHUP (like
//! Ctrl-C: teardown; exit 128 + the signal, 143 and 129). And the environment they get: a
//! fleet file's password variable never reaches chromedriver's or Chromium's
//! `/proc/<pid>/environ`.
//!
//! Each run gets its own `TMPDIR`, so its profile folders and processes are told apart from any
//! other run on the machine. Tests run one at a time (a shared lock).

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;
use support::provision::{counter, processes_with, users_named, API_USER};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");

/// The simulator with its defaults (30 users, 150 ms).
async fn start_sim() -> SimHandle {
    sim::start(SimConfig::default()).await.unwrap()
}

async fn state(sim: &SimHandle) -> Value {
    reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A run of the binary in the background, its stderr read by a thread.
struct Running {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: String,
}

impl Running {
    /// `pim-credentials provision` with `args`, `TMPDIR=tmp` and `envs`.
    fn start(args: &[&str], tmp: &Path, envs: &[(&str, &str)]) -> Running {
        let mut cmd = Command::new(BIN);
        cmd.arg("provision")
            .args(args)
            .env("TMPDIR", tmp)
            .env_remove("PIM_URL")
            .env_remove("WEBDRIVER_URL")
            .env_remove("PIM_ADMIN_PASSWORD")
            .env_remove("PIM_API_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: String::new(),
        }
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits (bounded) until stderr has a line containing `needle`.
    fn wait_line(&mut self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => {
                    self.seen.push_str(&l);
                    self.seen.push('\n');
                    if l.contains(needle) {
                        return;
                    }
                }
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => break,
            }
        }
        panic!("no line with {needle:?} on stderr:\n{}", self.seen);
    }

    fn signal(&self, sig: i32) {
        // SAFETY: a signal to the child this test spawned.
        unsafe {
            libc::kill(self.pid(), sig);
        }
    }

    /// Waits (bounded, off the async threads) for the exit; returns the code and all stderr.
    async fn finish(mut self) -> (Option<i32>, String) {
        let mut child = self.child;
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap());
        let status = tokio::time::timeout(Duration::from_secs(120), status)
            .await
            .expect("the run ended")
            .unwrap();
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(500)) {
            self.seen.push_str(&l);
            self.seen.push('\n');
        }
        (status.code(), self.seen)
    }
}

/// `/proc/<pid>/stat`: (command name, state, parent pid).
fn stat(pid: i32) -> Option<(String, char, i32)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let comm = s[open + 1..close].to_string();
    let mut rest = s[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((comm, state, ppid))
}

/// True while `pid` runs (a zombie no longer runs).
fn alive(pid: i32) -> bool {
    matches!(stat(pid), Some((_, state, _)) if state != 'Z' && state != 'X')
}

/// The children of `parent` whose command name is `comm`.
fn children(parent: i32, comm: &str) -> Vec<i32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(
            |pid| matches!(stat(*pid), Some((c, s, pp)) if pp == parent && c == comm && s != 'Z'),
        )
        .collect()
}

/// The processes of a run: chromedriver (the tool's child) and every process naming the run's
/// temp folder (Chromium and its helpers).
fn run_processes(tool: i32, tmp: &Path) -> Vec<i32> {
    let mut pids = children(tool, "chromedriver");
    for (pid, _) in processes_with(tmp.to_str().unwrap()) {
        if !pids.contains(&pid) {
            pids.push(pid);
        }
    }
    pids.retain(|p| alive(*p));
    pids
}

/// Waits (bounded) until the run's browser is up: chromedriver and at least one Chromium.
fn wait_browser_up(tool: i32, tmp: &Path) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // One snapshot for the test and the answer: a Chromium that starts between two reads
        // of /proc must not be missing from the list returned (it was, once, in CI).
        let drivers = children(tool, "chromedriver");
        let named = processes_with(tmp.to_str().unwrap());
        let chromium = named.iter().any(|(_, c)| c.contains("--user-data-dir"));
        if !drivers.is_empty() && chromium {
            let mut pids = drivers;
            for (pid, _) in named {
                if !pids.contains(&pid) {
                    pids.push(pid);
                }
            }
            pids.retain(|p| alive(*p));
            return pids;
        }
        assert!(Instant::now() < deadline, "no browser for the run");
        std::thread::sleep(Duration::from_millis(50)); // allow-sleep: poll interval (test)
    }
}

/// Waits (bounded) until none of `pids` runs; returns those still running at the deadline.
fn wait_all_gone(pids: &[i32]) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50)); // allow-sleep: poll interval (test)
    }
}

/// The profile folders in `tmp`.
fn profiles(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with("pim-credentials-"))
        })
        .map(|e| e.path())
        .collect()
}

/// Waits (bounded) until `tmp` holds no profile folder.
fn wait_no_profiles(tmp: &Path) -> Vec<PathBuf> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = profiles(tmp);
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50)); // allow-sleep: poll interval (test)
    }
}

fn provision_args<'a>(sim: &'a SimHandle, artifacts: &'a str) -> Vec<&'a str> {
    vec!["--pim-url", sim.url(), "--artifacts-dir", artifacts]
}

/// SIGKILL of the tool mid-run: chromedriver (parent-death signal) and Chromium (the
/// guardian kills the driver's group and whatever uses the profile) go with it, and the
/// profile folder is deleted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_of_the_tool_takes_driver_browser_and_profile_with_it() {
    let _serial = SERIAL.lock().await;
    let sim = start_sim().await;
    let tmp = tempfile::tempdir().unwrap();
    let art = tempfile::tempdir().unwrap();
    let args = provision_args(&sim, art.path().to_str().unwrap());
    let mut run = Running::start(&args, tmp.path(), &[("PIM_ADMIN_PASSWORD", "admin")]);
    run.wait_line("log in");
    let pids = wait_browser_up(run.pid(), tmp.path());
    assert!(pids.len() >= 2, "chromedriver and Chromium: {pids:?}");
    assert_eq!(profiles(tmp.path()).len(), 1);
    run.signal(libc::SIGKILL);
    let (code, stderr) = run.finish().await;
    assert_eq!(code, None, "killed by a signal: {stderr}");
    let left = wait_all_gone(&pids);
    assert!(
        left.is_empty(),
        "processes of the killed run still running: {:?}",
        left.iter().map(|p| stat(*p)).collect::<Vec<_>>()
    );
    // The guardian deletes the profile last, after its kills: then nothing may name it.
    let left = wait_no_profiles(tmp.path());
    assert!(left.is_empty(), "profile left behind: {left:?}");
    let rest = run_processes(0, tmp.path());
    assert!(
        rest.is_empty(),
        "{:?}",
        rest.iter().map(|p| stat(*p)).collect::<Vec<_>>()
    );
    // The simulator saw the login, and nothing more finished than what the run got to.
    let st = state(&sim).await;
    assert!(counter(&st, "login") >= 1, "{st}");
    sim.stop().await;
}

/// SIGKILL of the tool and of its guardian (nothing cleans up): chromedriver still dies (its
/// parent-death signal); the next run kills what still uses the stale profile, deletes it, and
/// provisions normally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_run_removes_a_stale_profile_and_its_processes() {
    let _serial = SERIAL.lock().await;
    let sim = start_sim().await;
    let tmp = tempfile::tempdir().unwrap();
    let art = tempfile::tempdir().unwrap();
    let args = provision_args(&sim, art.path().to_str().unwrap());
    let mut run = Running::start(&args, tmp.path(), &[("PIM_ADMIN_PASSWORD", "admin")]);
    run.wait_line("log in");
    let pids = wait_browser_up(run.pid(), tmp.path());
    let driver = children(run.pid(), "chromedriver");
    let guardian = children(run.pid(), "sh");
    assert_eq!(driver.len(), 1, "{driver:?}");
    assert_eq!(guardian.len(), 1, "the guardian: {guardian:?}");
    let stale = profiles(tmp.path());
    assert_eq!(stale.len(), 1, "{stale:?}");
    // SAFETY: signals to processes this test's run started.
    unsafe {
        libc::kill(guardian[0], libc::SIGKILL);
    }
    run.signal(libc::SIGKILL);
    let _ = run.finish().await;
    assert!(
        wait_all_gone(&driver).is_empty(),
        "chromedriver outlived the tool"
    );
    assert!(stale[0].exists(), "nobody cleaned up yet");

    let mut next = Running::start(&args, tmp.path(), &[("PIM_ADMIN_PASSWORD", "admin")]);
    next.wait_line("start browser");
    let (code, stderr) = next.finish().await;
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stale[0].exists(), "the stale profile is still there");
    let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "stale browser processes: {left:?}");
    assert!(
        profiles(tmp.path()).is_empty(),
        "{:?}",
        profiles(tmp.path())
    );
    let st = state(&sim).await;
    assert_eq!(users_named(&st, API_USER).len(), 1, "{st}");
    sim.stop().await;
}

/// SIGTERM (CI cancellation, `timeout`) and SIGHUP (terminal or SSH session gone) are handled
/// like Ctrl-C: "interrupted", the browser and the driver stopped, the profile deleted; the
/// exit code is the shell's 128 + the signal (143, 129), so the caller sees which one it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sighup_stop_the_run_with_128_plus_the_signal() {
    let _serial = SERIAL.lock().await;
    let sim = start_sim().await;
    for (sig, expected) in [(libc::SIGTERM, 143), (libc::SIGHUP, 129)] {
        let tmp = tempfile::tempdir().unwrap();
        let art = tempfile::tempdir().unwrap();
        let args = provision_args(&sim, art.path().to_str().unwrap());
        let mut run = Running::start(&args, tmp.path(), &[("PIM_ADMIN_PASSWORD", "admin")]);
        run.wait_line("log in");
        let pids = wait_browser_up(run.pid(), tmp.path());
        run.signal(sig);
        let (code, stderr) = run.finish().await;
        assert_eq!(code, Some(expected), "signal {sig}: {stderr}");
        assert!(stderr.contains("interrupted"), "signal {sig}: {stderr}");
        let left: Vec<i32> = pids.iter().copied().filter(|p| alive(*p)).collect();
        assert!(left.is_empty(), "signal {sig}: still running {left:?}");
        assert!(profiles(tmp.path()).is_empty(), "signal {sig}");
    }
    let st = state(&sim).await;
    assert!(counter(&st, "login") >= 2, "{st}");
    sim.stop().await;
}

/// The variable a fleet file names in `admin_password_env` is in the tool's environment but
/// reaches neither chromedriver's nor Chromium's `/proc/<pid>/environ`; the fleet provisions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_password_variable_does_not_reach_the_driver() {
    let _serial = SERIAL.lock().await;
    let sim = start_sim().await;
    let tmp = tempfile::tempdir().unwrap();
    let art = tempfile::tempdir().unwrap();
    // Not in TMPDIR: the processes naming TMPDIR are the browser's.
    let file = art.path().join("fleet.toml");
    std::fs::write(
        &file,
        format!(
            "[[instances]]\nname = \"eu\"\nurl = \"{}\"\nadmin_password_env = \"PIMCRED_FLEET_EU_PW\"\n",
            sim.url()
        ),
    )
    .unwrap();
    let value = "admin";
    let run = Running::start(
        &[
            "--fleet",
            file.to_str().unwrap(),
            "--artifacts-dir",
            art.path().to_str().unwrap(),
        ],
        tmp.path(),
        &[("PIMCRED_FLEET_EU_PW", value)],
    );
    let tool = run.pid();
    let pids = wait_browser_up(tool, tmp.path());
    // Read once the browser is up: right after the spawn, before exec, /proc shows the test's
    // own environment.
    let tool_env = std::fs::read(format!("/proc/{tool}/environ")).unwrap();
    assert!(
        String::from_utf8_lossy(&tool_env).contains("PIMCRED_FLEET_EU_PW="),
        "the tool has the variable (else the test proves nothing)"
    );
    let mut checked = 0;
    for pid in &pids {
        let Ok(env) = std::fs::read(format!("/proc/{pid}/environ")) else {
            continue;
        };
        let env = String::from_utf8_lossy(&env);
        assert!(
            !env.split('\0')
                .any(|kv| kv.starts_with("PIMCRED_FLEET_EU_PW=")),
            "process {pid} ({:?}) has the fleet password variable",
            stat(*pid)
        );
        checked += 1;
    }
    assert!(checked >= 2, "chromedriver and Chromium read: {checked}");
    let (code, stderr) = run.finish().await;
    assert_eq!(code, Some(0), "{stderr}");
    let st = state(&sim).await;
    assert_eq!(users_named(&st, API_USER).len(), 1, "{st}");
    sim.stop().await;
}
