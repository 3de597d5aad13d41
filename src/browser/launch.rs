//! Launch and teardown: find chromedriver and Chromium, start chromedriver on a free loopback
//! port in its own process group with a fresh profile, connect, and always clean up (async
//! close, then kill the process group and delete the profile; a `Drop` guard does the killing
//! and deleting when the async teardown never ran).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use serde_json::{json, Map, Value};

use super::Browser;
use crate::error::Error;

/// The command that installs what a local run needs (Debian/Ubuntu).
pub const INSTALL_HINT: &str = "apt-get install chromium chromium-driver";

/// How to get a browser.
#[derive(Debug, Clone)]
pub struct LaunchOptions {
    /// A running WebDriver server (chromedriver, Selenium Grid); `None`: start chromedriver.
    pub webdriver: Option<String>,
    /// Show the window instead of running headless.
    pub headful: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
}

/// A chromedriver we started: its process group and the temp folder holding the profile.
struct Driver {
    child: Child,
    pgid: i32,
    dir: PathBuf,
}

impl Driver {
    /// Kills chromedriver's process group (Chromium is in it), any straggler still using our
    /// profile, reaps chromedriver and deletes the temp folder. Idempotent.
    fn kill(&mut self) {
        if self.pgid > 0 {
            // SAFETY: kill(2) on a process group we created; no memory is involved.
            unsafe {
                libc::kill(-self.pgid, libc::SIGKILL);
            }
            self.pgid = 0;
        }
        kill_profile_users(&self.dir);
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Kills any process whose command line mentions our temp folder (a Chromium that left the
/// process group). Linux only; elsewhere a no-op.
fn kill_profile_users(dir: &Path) {
    let Some(needle) = dir.to_str().filter(|s| !s.is_empty()) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid as u32 == me {
            continue;
        }
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmd).contains(needle) {
            // SAFETY: kill(2) on a pid that runs with our profile dir; no memory involved.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }
}

/// A browser session and whatever was started for it. Call [`BrowserSession::close`] at the
/// end; if it is dropped instead (panic), the chromedriver process group is still killed.
pub struct BrowserSession {
    browser: Browser,
    driver: Option<Driver>,
}

impl BrowserSession {
    /// The browser.
    pub fn browser(&self) -> &Browser {
        &self.browser
    }

    /// Ends the WebDriver session (bounded), then kills chromedriver and Chromium and deletes
    /// the profile.
    pub async fn close(mut self) {
        let client = self.browser.client.clone();
        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
        if let Some(mut d) = self.driver.take() {
            d.kill();
        }
    }
}

/// Finds an executable: absolute candidates as given, bare names on `PATH`.
fn find_executable(candidates: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for c in candidates {
        let p = Path::new(c);
        if p.is_absolute() {
            if is_executable(p) {
                return Some(p.to_path_buf());
            }
            continue;
        }
        for dir in std::env::split_paths(&path) {
            let full = dir.join(c);
            if is_executable(&full) {
                return Some(full);
            }
        }
    }
    None
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// The Chromium flags of a run: headless unless `headful`, quiet on the network, 1280x800.
fn chrome_args(headful: bool, profile: Option<&Path>) -> Vec<String> {
    let mut args: Vec<String> = [
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,800",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if !headful {
        args.insert(0, "--headless=new".into());
    }
    if let Some(p) = profile {
        args.push(format!("--user-data-dir={}", p.display()));
    }
    args
}

/// The capabilities: `browserName` and `goog:chromeOptions` (Grid routes on them).
fn capabilities(args: Vec<String>, binary: Option<&Path>) -> Map<String, Value> {
    let mut opts = json!({ "args": args });
    if let Some(b) = binary {
        opts["binary"] = json!(b.display().to_string());
    }
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), opts);
    caps
}

// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
fn free_port() -> Result<u16, Error> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error::Browser(format!("no free loopback port: {e}")))?;
    Ok(l.local_addr()
        .map_err(|e| Error::Browser(e.to_string()))?
        .port())
}

// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
fn temp_dir() -> Result<PathBuf, Error> {
    let name = format!(
        "pim-credentials-{}-{:016x}",
        std::process::id(),
        rand::random::<u64>()
    );
    let dir = std::env::temp_dir().join(name);
    std::fs::create_dir_all(dir.join("profile"))
        .map_err(|e| Error::Browser(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("chromedriver.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// Starts chromedriver on a free port in a new process group and waits for `/status` to say
/// ready (polled with a deadline).
async fn start_chromedriver(deadline: Duration) -> Result<(Driver, String, PathBuf), Error> {
    use std::os::unix::process::CommandExt;
    let chromedriver = find_executable(&[
        "chromedriver",
        "/usr/bin/chromedriver",
        "/usr/lib/chromium/chromedriver",
    ])
    .ok_or_else(|| {
        Error::Browser(format!(
            "chromedriver not found; install it: {INSTALL_HINT}"
        ))
    })?;
    let chromium = find_executable(&[
        "/usr/bin/chromium",
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ])
    .ok_or_else(|| Error::Browser(format!("Chromium not found; install it: {INSTALL_HINT}")))?;
    let dir = temp_dir()?;
    let port = free_port()?;
    let log = std::fs::File::create(dir.join("chromedriver.log"))
        .map_err(|e| Error::Browser(format!("cannot write chromedriver log: {e}")))?;
    let log2 = log.try_clone().map_err(|e| Error::Browser(e.to_string()))?;
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0)
        .spawn()
        .map_err(|e| Error::Browser(format!("cannot start {}: {e}", chromedriver.display())))?;
    let pgid = child.id() as i32;
    let mut driver = Driver {
        child,
        pgid,
        dir: dir.clone(),
    };
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| Error::Browser(e.to_string()))?;
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = driver.child.try_wait() {
            let tail = log_tail(&dir);
            driver.kill();
            return Err(Error::Browser(format!(
                "chromedriver exited at start ({status}): {tail}"
            )));
        }
        if let Ok(r) = http.get(format!("{url}/status")).send().await {
            if let Ok(v) = r.json::<Value>().await {
                if v["value"]["ready"] == true {
                    return Ok((driver, url, chromium));
                }
            }
        }
        if start.elapsed() >= deadline {
            let tail = log_tail(&dir);
            driver.kill();
            return Err(Error::Browser(format!(
                "chromedriver did not answer {url}/status within {deadline:?}: {tail}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts (or connects to) a WebDriver server and opens a Chromium session.
pub async fn launch(opts: &LaunchOptions) -> Result<BrowserSession, Error> {
    let deadline = opts.timeout.max(Duration::from_secs(20));
    let (driver, url, caps) = match &opts.webdriver {
        Some(url) => (
            None,
            url.clone(),
            capabilities(chrome_args(opts.headful, None), None),
        ),
        None => {
            let (driver, url, chromium) = start_chromedriver(deadline).await?;
            let profile = driver.dir.join("profile");
            let caps = capabilities(chrome_args(opts.headful, Some(&profile)), Some(&chromium));
            (Some(driver), url, caps)
        }
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let mut builder = ClientBuilder::new(connector);
    builder.capabilities(caps);
    let connect = builder.connect(&url);
    let client = match tokio::time::timeout(deadline, connect).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let tail = driver
                .as_ref()
                .map(|d| log_tail(&d.dir))
                .unwrap_or_default();
            return Err(Error::Browser(format!(
                "cannot open a browser session at {url}: {e}{}{tail}",
                if tail.is_empty() {
                    ""
                } else {
                    "; chromedriver says: "
                }
            )));
        }
        Err(_) => {
            return Err(Error::Browser(format!(
                "WebDriver at {url} did not open a session within {deadline:?}"
            )))
        }
    };
    let browser = Browser::new(client, opts.timeout, opts.artifacts_dir.clone());
    Ok(BrowserSession { browser, driver })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_name_chrome_and_carry_options() {
        let caps = capabilities(chrome_args(false, None), None);
        assert_eq!(caps["browserName"], "chrome");
        let args = caps["goog:chromeOptions"]["args"].as_array().unwrap();
        assert_eq!(args[0], "--headless=new");
        assert!(args.iter().any(|a| a == "--no-sandbox"));
        assert!(caps["goog:chromeOptions"].get("binary").is_none());
        let headful = chrome_args(true, Some(Path::new("/tmp/p")));
        assert!(!headful.iter().any(|a| a.starts_with("--headless")));
        assert!(headful.iter().any(|a| a == "--user-data-dir=/tmp/p"));
    }

    #[test]
    fn find_executable_searches_path_and_absolutes() {
        assert!(find_executable(&["sh"]).is_some());
        assert!(find_executable(&["/bin/sh"]).is_some());
        assert!(find_executable(&["surely-not-a-binary-xyz", "/nope/x"]).is_none());
    }
}
