//! The driver's one error type. Every variant maps to a documented exit code and carries enough
//! context (step, selector, URL, what was expected) for a user to act on it.

use std::time::Duration;

/// Exit codes, documented in `--help` and the README.
pub mod exit {
    /// Done.
    pub const OK: i32 = 0;
    /// Anything else.
    pub const OTHER: i32 = 1;
    /// Bad usage or input.
    pub const USAGE: i32 = 2;
    /// The PIM refused (login, validation, permissions).
    pub const PIM_REFUSED: i32 = 3;
    /// Verification of the credentials failed.
    pub const VERIFY: i32 = 4;
    /// Browser or WebDriver failure.
    pub const BROWSER: i32 = 5;
    /// Interrupted (Ctrl-C).
    pub const INTERRUPTED: i32 = 130;
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
    /// Credentials were obtained but did not pass verification (exit 4).
    #[error("verification failed: {0}")]
    Verify(String),
    /// The PIM session ended mid-step (the login form came back); the flow logs in again.
    #[error("step '{step}': the PIM session expired (the login form came back)")]
    SessionExpired {
        /// Flow step.
        step: String,
    },
    /// The run was interrupted (Ctrl-C).
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
            Error::Interrupted => exit::INTERRUPTED,
            Error::Unexpected { .. } | Error::Other(_) => exit::OTHER,
        }
    }
}
