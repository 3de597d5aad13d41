//! The driver's one error type. Every variant maps to a documented exit code and carries enough
//! context (step, selector, URL, what was expected) for a user to act on it.

use std::time::Duration;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// Anything else (also: credentials that could not be delivered; they stay in the state
    /// folder).
    pub const OTHER: i32 = 1;
    /// Bad usage or input, or another run is provisioning the same PIM: nothing was changed.
    pub const USAGE: i32 = 2;
    /// The PIM refused (login, validation, permissions).
    pub const PIM_REFUSED: i32 = 3;
    /// Verification of the credentials failed, or a value of them is unknown.
    pub const VERIFY: i32 = 4;
    /// Browser or WebDriver failure.
    pub const BROWSER: i32 = 5;
    /// The browser cannot reach the PIM (connection refused, timed out, DNS, TLS).
    pub const UNREACHABLE: i32 = 6;
    /// Interrupted by Ctrl-C (SIGINT): 128 + 2, the shell's convention for a signal.
    pub const INTERRUPTED: i32 = 130;
    /// Stopped by SIGHUP (the terminal or SSH session went away): 128 + 1.
    pub const HANGUP: i32 = 129;
    /// Stopped by SIGTERM (CI cancellation, `timeout`, `kill`): 128 + 15.
    pub const TERMINATED: i32 = 143;

    use std::sync::atomic::{AtomicI32, Ordering};

    /// The signal that stopped this run (0: none yet).
    static STOPPED_BY: AtomicI32 = AtomicI32::new(0);

    /// Records the signal that stops the run (SIGINT, SIGTERM or SIGHUP); the first one
    /// recorded wins (a second Ctrl-C during teardown does not change the exit code).
    pub fn record_signal(signal: i32) {
        let _ = STOPPED_BY.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The exit code of an interrupted run: 128 + the signal that stopped it (130 for
    /// SIGINT, 143 for SIGTERM, 129 for SIGHUP); 130 when no signal was recorded.
    pub fn interrupted() -> i32 {
        match STOPPED_BY.load(Ordering::SeqCst) {
            s if s > 0 => 128 + s,
            _ => INTERRUPTED,
        }
    }
}

/// A cause kept in an error's source chain.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias used across the driver.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, in terms a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad command-line usage or input (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The PIM refused something: login, validation, permissions (exit 3).
    #[error("step '{step}': the PIM refused: {message}")]
    PimRefused {
        /// Flow step.
        step: String,
        /// The PIM's own message where there is one.
        message: String,
    },
    /// An element never met the condition an action needed (exit 5).
    #[error("step '{step}': `{selector}` never became {condition} within {waited:?} at {url} (last seen: {last_seen})")]
    Timeout {
        /// Flow step.
        step: String,
        /// Locator that was waited on.
        selector: String,
        /// Condition that never held (visible, enabled, not covered, ...).
        condition: String,
        /// How long it waited.
        waited: Duration,
        /// The page URL when it gave up.
        url: String,
        /// What the last poll saw.
        last_seen: String,
    },
    /// The page did not look like what the step expected (exit 1 unless mapped otherwise).
    #[error("step '{step}': {message}")]
    Unexpected {
        /// Flow step.
        step: String,
        /// What was expected and what was seen.
        message: String,
    },
    /// The browser or the WebDriver server failed or died (exit 5).
    #[error("browser/WebDriver: {message}")]
    Browser {
        /// What failed and where (step, command, program).
        message: String,
        /// The underlying cause (a WebDriver or I/O error), kept for the error's source chain.
        #[source]
        source: Option<Cause>,
    },
    /// The browser could not reach the PIM: connection refused, timed out, DNS, TLS (exit 6).
    #[error("{0}")]
    Unreachable(String),
    /// Credentials were obtained but did not pass verification (exit 4).
    #[error("verification failed: {0}")]
    Verify(String),
    /// The PIM session ended mid-step (the login form came back); the flow logs in again.
    #[error("step '{step}': the PIM session expired (the login form came back)")]
    SessionExpired {
        /// Flow step.
        step: String,
    },
    /// The run was interrupted (Ctrl-C, SIGTERM or SIGHUP; exit 128 + the signal).
    #[error("interrupted")]
    Interrupted,
    /// Anything else (exit 1).
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Error {
    /// A browser/WebDriver failure without an underlying error value.
    pub fn browser(message: impl Into<String>) -> Self {
        Error::Browser {
            message: message.into(),
            source: None,
        }
    }

    /// A browser/WebDriver failure caused by `cause` (kept as the error's source).
    pub fn browser_caused(
        message: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Browser {
            message: message.into(),
            source: Some(Box::new(cause)),
        }
    }

    /// The documented exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => exit::USAGE,
            Error::PimRefused { .. } | Error::SessionExpired { .. } => exit::PIM_REFUSED,
            Error::Timeout { .. } | Error::Browser { .. } => exit::BROWSER,
            Error::Verify(_) => exit::VERIFY,
            Error::Unreachable(_) => exit::UNREACHABLE,
            Error::Interrupted => exit::interrupted(),
            Error::Unexpected { .. } | Error::Other(_) => exit::OTHER,
        }
    }
}
