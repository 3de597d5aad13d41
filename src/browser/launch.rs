//! Launch and teardown: find chromedriver and Chromium, start chromedriver on a free loopback
//! port in its own process group with a fresh profile, connect, and always clean up (async
//! close, then kill the process group and delete the profile; a `Drop` guard does the killing
//! and deleting when the async teardown never ran; when the tool itself is killed, the driver's
//! parent-death signal and its guardian do it, see `procs.rs`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use serde_json::{json, Map, Value};

use super::{procs, remote, Browser};
use crate::error::Error;

/// The command that installs what a local run needs (Debian/Ubuntu).
pub const INSTALL_HINT: &str = "apt-get install chromium chromium-driver";

/// The command that installs Firefox support (firefox-esr from apt, geckodriver from crates.io).
pub const FIREFOX_INSTALL_HINT: &str =
    "webdriver/install-firefox.sh (apt-get install firefox-esr; cargo install geckodriver --locked)";

/// Which browser to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum BrowserKind {
    /// Chromium (chromedriver; `browserName: chrome` + `goog:chromeOptions`).
    #[default]
    Chromium,
    /// Firefox ESR (geckodriver, one per session; `browserName: firefox` + `moz:firefoxOptions`).
    Firefox,
}

impl BrowserKind {
    /// The driver program's name.
    pub fn driver_name(self) -> &'static str {
        match self {
            BrowserKind::Chromium => "chromedriver",
            BrowserKind::Firefox => "geckodriver",
        }
    }
}

impl std::fmt::Display for BrowserKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BrowserKind::Chromium => "Chromium",
            BrowserKind::Firefox => "Firefox",
        })
    }
}

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
    /// Which browser (a local driver is started for it, or the Grid routes on it).
    pub browser: BrowserKind,
    /// Environment variables the driver and the browser must not inherit (names; the
    /// standard secret variables are always removed too). Usually
    /// [`super::secret_env_names`], which adds what the run registered (fleet variables).
    pub env_remove: Vec<String>,
}

/// A driver (chromedriver or geckodriver) we started: its process group and the temp folder
/// holding the profile and its log.
struct Driver {
    child: Child,
    pgid: i32,
    dir: PathBuf,
    log: &'static str,
    /// Cleans up if the tool dies before `kill` runs (see `procs.rs`).
    guardian: Option<procs::Guardian>,
}

impl Driver {
    /// Kills chromedriver's process group (Chromium is in it) and any straggler of our browser
    /// (see `procs::kill_profile_users`), waits until they are gone, reaps chromedriver and
    /// deletes the temp folder. Idempotent.
    fn kill(&mut self) {
        if let Some(mut g) = self.guardian.take() {
            g.dismiss();
        }
        let pgid = self.pgid;
        if pgid > 0 {
            // SAFETY: kill(2) on a process group we created; no memory is involved.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
            self.pgid = 0;
        }
        // Then the stragglers, until none runs (bounded): the tool's exit means they are gone.
        procs::kill_profile_users(&self.dir, pgid, Duration::from_secs(2));
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

    /// Ends the session. A driver this run started is killed with its browser (process group)
    /// and its profile deleted at once: nothing of a throw-away profile needs a graceful quit,
    /// which costs Chromium about 100 ms. A remote session (`--webdriver`) is ended with
    /// WebDriver's Delete Session (bounded).
    pub async fn close(mut self) {
        if let Some(mut d) = self.driver.take() {
            d.kill();
            return;
        }
        let client = self.browser.client.clone();
        let _ = tokio::time::timeout(Duration::from_secs(5), client.close()).await;
    }
}

/// Environment variable naming the chromedriver to use (overrides the PATH lookup).
pub const CHROMEDRIVER_ENV: &str = "PIMCRED_CHROMEDRIVER";

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

/// The Firefox arguments: headless unless `headful`, 1280x800, our own profile folder (so that
/// teardown can find and delete it; geckodriver writes its prefs into it).
fn firefox_args(headful: bool, profile: Option<&Path>) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "-width".into(),
        "1280".into(),
        "-height".into(),
        "800".into(),
    ];
    if !headful {
        args.insert(0, "-headless".into());
    }
    if let Some(p) = profile {
        args.push("-profile".into());
        args.push(p.display().to_string());
    }
    args
}

/// The Firefox capabilities: `browserName` and `moz:firefoxOptions` (Grid routes on them), with
/// prefs that keep a locked-down machine quiet (no update, telemetry or captive-portal checks).
fn firefox_capabilities(args: Vec<String>, binary: Option<&Path>) -> Map<String, Value> {
    let mut opts = json!({
        "args": args,
        "prefs": {
            "app.update.disabledForTesting": true,
            "network.captive-portal-service.enabled": false,
            "datareporting.policy.dataSubmissionEnabled": false,
            "toolkit.telemetry.reportingpolicy.firstRun": false,
            "browser.shell.checkDefaultBrowser": false,
        },
    });
    if let Some(b) = binary {
        opts["binary"] = json!(b.display().to_string());
    }
    let mut caps = Map::new();
    caps.insert("browserName".into(), json!("firefox"));
    caps.insert("moz:firefoxOptions".into(), opts);
    caps
}

/// The capabilities of `kind` for a remote WebDriver (Grid): no binary, no profile (the node's
/// stereotype and driver decide those).
fn remote_capabilities(kind: BrowserKind, headful: bool) -> Map<String, Value> {
    match kind {
        BrowserKind::Chromium => capabilities(chrome_args(headful, None), None),
        BrowserKind::Firefox => firefox_capabilities(firefox_args(headful, None), None),
    }
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
        .map_err(|e| Error::browser_caused(format!("no free loopback port: {e}"), e))?;
    Ok(l.local_addr()
        .map_err(|e| Error::browser_caused(e.to_string(), e))?
        .port())
}

// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
fn temp_dir() -> Result<PathBuf, Error> {
    let tmp = std::env::temp_dir();
    // What a killed run left (its owner is gone) goes before this run adds its own.
    procs::remove_stale_profiles(&tmp);
    // A fresh private folder (tempfile: random name, mode 0700) named after this process, with
    // an `owner` file; `Driver::kill` deletes it after the processes using it are gone.
    let dir = tempfile::Builder::new()
        .prefix(&format!("{}{}-", procs::PROFILE_PREFIX, std::process::id()))
        .rand_bytes(procs::PROFILE_RANDOM_LEN)
        .tempdir_in(&tmp)
        .map_err(|e| Error::browser_caused(format!("cannot create a temporary folder: {e}"), e))?
        .keep();
    std::fs::create_dir_all(dir.join("profile"))
        .and_then(|_| procs::mark_owner(&dir))
        .map_err(|e| Error::browser_caused(format!("cannot create {}: {e}", dir.display()), e))?;
    Ok(dir)
}

fn log_tail(dir: &Path, log: &str) -> String {
    let log = std::fs::read_to_string(dir.join(log)).unwrap_or_default();
    let lines: Vec<&str> = log.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
}

/// geckodriver's places: PATH, then cargo's bin folder (`cargo install geckodriver`).
fn geckodriver_candidates() -> Vec<String> {
    let mut c = vec!["geckodriver".to_string()];
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        c.push(
            Path::new(&home)
                .join("bin/geckodriver")
                .display()
                .to_string(),
        );
    }
    if let Some(home) = std::env::var_os("HOME") {
        c.push(
            Path::new(&home)
                .join(".cargo/bin/geckodriver")
                .display()
                .to_string(),
        );
    }
    c.push("/usr/local/bin/geckodriver".into());
    c
}

/// Finds the driver and the browser binary of `kind`.
// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
fn find_driver_and_browser(kind: BrowserKind) -> Result<(PathBuf, PathBuf), Error> {
    match kind {
        BrowserKind::Chromium => {
            // $PIMCRED_CHROMEDRIVER wins; else `chromedriver` on PATH, so that a PATH without it
            // means "not installed" (Debian's chromium-driver links /usr/bin/chromedriver).
            let driver = match std::env::var_os(CHROMEDRIVER_ENV) {
                Some(p) if !p.is_empty() => {
                    let p = PathBuf::from(p);
                    if !is_executable(&p) {
                        return Err(Error::browser(format!(
                            "${CHROMEDRIVER_ENV} is {}: not an executable file",
                            p.display()
                        )));
                    }
                    p
                }
                _ => find_executable(&["chromedriver"]).ok_or_else(|| {
                    Error::browser(format!(
                        "chromedriver not found on PATH (nor ${CHROMEDRIVER_ENV}); install \
                             it: {INSTALL_HINT}"
                    ))
                })?,
            };
            let browser = find_executable(&[
                "/usr/bin/chromium",
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ])
            .ok_or_else(|| {
                Error::browser(format!("Chromium not found; install it: {INSTALL_HINT}"))
            })?;
            Ok((driver, browser))
        }
        BrowserKind::Firefox => {
            let cands = geckodriver_candidates();
            let refs: Vec<&str> = cands.iter().map(String::as_str).collect();
            let driver = find_executable(&refs).ok_or_else(|| {
                Error::browser(format!(
                    "geckodriver not found; install it: {FIREFOX_INSTALL_HINT}"
                ))
            })?;
            let browser = find_executable(&[
                "/usr/bin/firefox-esr",
                "firefox-esr",
                "/usr/bin/firefox",
                "firefox",
            ])
            .ok_or_else(|| {
                Error::browser(format!(
                    "firefox-esr not found; install it: {FIREFOX_INSTALL_HINT}"
                ))
            })?;
            Ok((driver, browser))
        }
    }
}

/// Starts the driver of `kind` (chromedriver, or one geckodriver for this one session) on a
/// free loopback port in a new process group and waits for `/status` to say ready (polled with
/// a deadline). Returns the driver, its URL and the browser binary.
async fn start_driver(
    kind: BrowserKind,
    deadline: Duration,
    env_remove: &[String],
) -> Result<(Driver, String, PathBuf), Error> {
    use std::os::unix::process::CommandExt;
    let (driver_bin, browser_bin) = find_driver_and_browser(kind)?;
    let name = kind.driver_name();
    let log_name: &'static str = match kind {
        BrowserKind::Chromium => "chromedriver.log",
        BrowserKind::Firefox => "geckodriver.log",
    };
    let dir = temp_dir()?;
    let port = free_port()?;
    let log = std::fs::File::create(dir.join(log_name))
        .map_err(|e| Error::browser_caused(format!("cannot write {name} log: {e}"), e))?;
    let log2 = log
        .try_clone()
        .map_err(|e| Error::browser_caused(e.to_string(), e))?;
    let mut cmd = Command::new(&driver_bin);
    match kind {
        BrowserKind::Chromium => {
            cmd.arg(format!("--port={port}"));
        }
        BrowserKind::Firefox => {
            cmd.args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--log",
                "warn",
            ]);
        }
    }
    // The driver and the browser need none of the tool's secrets in their environment
    // (readable in /proc/PID/environ by the same user).
    for var in crate::secrets::ENV_VARS {
        cmd.env_remove(var);
    }
    for var in env_remove {
        cmd.env_remove(var);
    }
    // Chromium and its crash handler inherit it: the teardown finds them by it.
    cmd.env(procs::DRIVER_DIR_ENV, &dir);
    // It dies with the tool, and its guardian takes Chromium and the profile with it.
    procs::die_with_parent(&mut cmd);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2)
        .process_group(0)
        .spawn()
        .map_err(|e| {
            Error::browser_caused(format!("cannot start {}: {e}", driver_bin.display()), e)
        })?;
    let pgid = child.id() as i32;
    let mut driver = Driver {
        child,
        pgid,
        dir: dir.clone(),
        log: log_name,
        guardian: procs::Guardian::start(pgid, &dir),
    };
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| Error::browser_caused(e.to_string(), e))?;
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = driver.child.try_wait() {
            let tail = log_tail(&dir, log_name);
            driver.kill();
            return Err(Error::browser(format!(
                "{name} exited at start ({status}): {tail}"
            )));
        }
        if let Ok(r) = http.get(format!("{url}/status")).send().await {
            if let Ok(v) = r.json::<Value>().await {
                if v["value"]["ready"] == true {
                    return Ok((driver, url, browser_bin));
                }
            }
        }
        if start.elapsed() >= deadline {
            let tail = log_tail(&dir, log_name);
            driver.kill();
            return Err(Error::browser(format!(
                "{name} did not answer {url}/status within {deadline:?}: {tail}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await; // allow-sleep: poll interval until /status answers (deadline above)
    }
}

/// Starts (or connects to) a WebDriver server and opens a session of `opts.browser`. A remote
/// server (chromedriver, geckodriver, Selenium Grid 4) gets `browserName` and the vendor
/// options; Grid routes on them. Locally, one driver is started per session.
pub async fn launch(opts: &LaunchOptions) -> Result<BrowserSession, Error> {
    let deadline = opts.timeout.max(super::MIN_START_TIMEOUT);
    let (driver, url, caps) = match &opts.webdriver {
        Some(url) => (
            None,
            url.trim_end_matches('/').to_string(),
            remote_capabilities(opts.browser, opts.headful),
        ),
        None => {
            let (driver, url, bin) = start_driver(opts.browser, deadline, &opts.env_remove).await?;
            let profile = driver.dir.join("profile");
            let caps = match opts.browser {
                BrowserKind::Chromium => {
                    capabilities(chrome_args(opts.headful, Some(&profile)), Some(&bin))
                }
                BrowserKind::Firefox => {
                    firefox_capabilities(firefox_args(opts.headful, Some(&profile)), Some(&bin))
                }
            };
            (Some(driver), url, caps)
        }
    };
    let https = url.starts_with("https://");
    let mut builder = ClientBuilder::new(remote::connector(https)?);
    builder.capabilities(caps);
    let connect = builder.connect(&url);
    // The URL's user info (a Grid account) never shows: errors print it masked.
    let shown = remote::mask_url(&url);
    let client = match tokio::time::timeout(deadline, connect).await {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            let tail = driver
                .as_ref()
                .map(|d| log_tail(&d.dir, d.log))
                .unwrap_or_default();
            let cause = remote::mask_in(&remote::chain(&e), &url);
            return Err(Error::browser(format!(
                "cannot open a {} session at {shown}: {cause}{}{tail}",
                opts.browser,
                if tail.is_empty() {
                    ""
                } else {
                    "; the driver says: "
                }
            )));
        }
        Err(_) => {
            return Err(Error::browser(format!(
                "WebDriver at {shown} did not open a session within {deadline:?}"
            )))
        }
    };
    let browser = Browser::new(client, opts.timeout, opts.artifacts_dir.clone());
    for s in remote::user_info_secrets(&url) {
        browser.add_secret(&s);
    }
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
    fn firefox_capabilities_name_firefox_and_carry_options() {
        let caps = remote_capabilities(BrowserKind::Firefox, false);
        assert_eq!(caps["browserName"], "firefox");
        let args = caps["moz:firefoxOptions"]["args"].as_array().unwrap();
        assert_eq!(args[0], "-headless");
        assert!(caps["moz:firefoxOptions"].get("binary").is_none());
        assert!(caps.get("goog:chromeOptions").is_none());
        let local = firefox_args(true, Some(Path::new("/tmp/p")));
        assert!(!local.iter().any(|a| a == "-headless"));
        assert!(local
            .windows(2)
            .any(|w| w[0] == "-profile" && w[1] == "/tmp/p"));
        assert_eq!(
            remote_capabilities(BrowserKind::Chromium, false)["browserName"],
            "chrome"
        );
    }

    #[test]
    fn find_executable_searches_path_and_absolutes() {
        assert!(find_executable(&["sh"]).is_some());
        assert!(find_executable(&["/bin/sh"]).is_some());
        assert!(find_executable(&["surely-not-a-binary-xyz", "/nope/x"]).is_none());
    }
}
