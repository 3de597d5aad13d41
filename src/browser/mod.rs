//! Browser layer: everything that touches WebDriver.
//!
//! Nothing above this module imports fantoccini. It offers one waiting primitive
//! ([`Browser::wait_any`]: resolve a locator, check a condition in one in-page script, poll until
//! a deadline), the actions built on it (click, type, read), scripts, failure artifacts, and
//! the launch/teardown of chromedriver + headless Chromium.

mod actions;
mod artifacts;
mod launch;
mod locator;
mod screenshot;
mod trace;
mod wait;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use fantoccini::error::CmdError;

pub use actions::Typing;
pub use launch::{
    launch, BrowserKind, BrowserSession, LaunchOptions, FIREFOX_INSTALL_HINT, INSTALL_HINT,
};
pub use locator::{Filter, Locator};
pub use screenshot::{
    draw_box, fill_rect, save_png, Capture, CaptureRecord, Rect, Shot, ShotKind, HIGHLIGHT,
    HIGHLIGHT_GAP, HIGHLIGHT_STROKE, MASK, VIEWPORT_HEIGHT, VIEWPORT_WIDTH,
};
pub use trace::{trace_document, TraceEntry};
pub use wait::{Cond, ElementInfo, Found};

use crate::error::Error;

/// A live WebDriver session with the driver's policies: deadlines on every command, actionable
/// waits, the current step name for errors, and the secrets to mask in artifacts.
pub struct Browser {
    client: fantoccini::Client,
    /// Deadline of each wait (the user's `--timeout`).
    timeout: Duration,
    /// Bound of a single WebDriver command.
    cmd_timeout: Duration,
    step: Mutex<String>,
    secrets: Mutex<Vec<String>>,
    artifacts_dir: PathBuf,
    /// Command counter and trace (see `trace.rs`).
    meter: trace::Meter,
    /// Documentation capture sink (see `screenshot.rs`); `None`: snapshots are no-ops.
    capture: Mutex<Option<std::sync::Arc<screenshot::Capture>>>,
    /// A locator whose appearance during any wait means the session ended (see
    /// [`Browser::watch_session_end`]).
    session_end: Mutex<Option<Locator>>,
    /// A locator whose appearance during any wait means the PIM refused the page (see
    /// [`Browser::watch_refusal`]).
    refusal: Mutex<Option<Locator>>,
    /// Values typed but not yet read back: the next poll checks them before anything else
    /// (see `Browser::type_text`).
    typed: Mutex<Vec<wait::TypedCheck>>,
    /// `performance.timeOrigin` of the document the last poll saw, and that of a document a
    /// reload replaced (polls refuse it; see `Browser::reload`).
    origins: Mutex<wait::Origins>,
    /// `click` clicks in the page, in the round trip of its last check (default; see
    /// [`Browser::set_inpage_clicks`]).
    inpage_clicks: std::sync::atomic::AtomicBool,
}

impl Browser {
    fn new(client: fantoccini::Client, timeout: Duration, artifacts_dir: PathBuf) -> Self {
        Browser {
            client,
            timeout,
            cmd_timeout: timeout.max(Duration::from_secs(10)) + Duration::from_secs(5),
            step: Mutex::new(String::from("start")),
            secrets: Mutex::new(Vec::new()),
            artifacts_dir,
            meter: trace::Meter::new(),
            capture: Mutex::new(None),
            session_end: Mutex::new(None),
            refusal: Mutex::new(None),
            typed: Mutex::new(Vec::new()),
            origins: Mutex::new(wait::Origins::default()),
            inpage_clicks: std::sync::atomic::AtomicBool::new(true),
        }
    }

    /// Names the current flow step; errors and artifacts carry it.
    pub fn set_step(&self, step: &str) {
        *self.step.lock().unwrap() = step.to_string();
    }

    /// The current flow step.
    pub fn step(&self) -> String {
        self.step.lock().unwrap().clone()
    }

    /// Registers a secret so that failure artifacts mask it.
    pub fn add_secret(&self, secret: &str) {
        if secret.len() >= crate::secrets::MIN_MASKED_LEN {
            let mut s = self.secrets.lock().unwrap();
            if !s.iter().any(|x| x == secret) {
                s.push(secret.to_string());
            }
        }
    }

    /// While set, every wait also watches for `loc` (e.g. the login form coming back in place)
    /// and fails fast with `Error::SessionExpired` when it shows. `None` stops watching.
    pub fn watch_session_end(&self, loc: Option<Locator>) {
        *self.session_end.lock().unwrap() = loc;
    }

    /// While set, every wait also watches for `loc` (e.g. the back office's 403 error page)
    /// and fails fast with `Error::PimRefused` carrying its text. `None` stops watching.
    pub fn watch_refusal(&self, loc: Option<Locator>) {
        *self.refusal.lock().unwrap() = loc;
    }

    /// The default deadline of a wait.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Runs one WebDriver command under the command deadline.
    /// A command that overruns is reported as `CmdError::WaitTimeout` (see `browser_error`).
    /// Counted and traced like every command (see [`Browser::traced`], which names it).
    async fn bounded<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, CmdError>>,
    ) -> Result<T, CmdError> {
        self.traced("command", String::new, fut).await
    }

    fn browser_error(&self, what: &str, e: CmdError) -> Error {
        if matches!(e, CmdError::WaitTimeout) {
            return Error::browser(format!(
                "step '{}': WebDriver did not answer `{what}` within {:?}",
                self.step(),
                self.cmd_timeout
            ));
        }
        let message = format!("step '{}': `{what}` failed: {e}", self.step());
        Error::browser_caused(message, e)
    }
}

/// True when a WebDriver error means the session or the driver is gone (no point retrying).
fn is_fatal(e: &CmdError) -> bool {
    match e {
        CmdError::Standard(w) => matches!(
            w.error,
            fantoccini::error::ErrorStatus::InvalidSessionId
                | fantoccini::error::ErrorStatus::NoSuchWindow
                | fantoccini::error::ErrorStatus::SessionNotCreated
        ),
        CmdError::Lost(_) | CmdError::Failed(_) | CmdError::FailedC(_) | CmdError::WaitTimeout => {
            true
        }
        _ => false,
    }
}

/// The file-name stem of a step or image name (failure artifacts, step screenshots and the
/// check's JUnit report all name files with it).
pub use crate::model::slug;
