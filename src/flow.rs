//! The tutorial as idempotent steps: log in, ensure user, ensure role, ensure connection,
//! read credentials, verify.

use std::path::PathBuf;
use std::time::Duration;

use crate::secrets::Secret;

/// Everything `provision` needs, already validated by the CLI.
#[derive(Debug, Clone)]
pub struct ProvisionConfig {
    /// Base URL of the PIM, without trailing slash (e.g. `http://127.0.0.1:8080`).
    pub pim_url: String,
    /// Administrator login.
    pub admin_user: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The API user to ensure (tutorial: `myAPIuser`).
    pub api_user: String,
    /// Its password; `None`: generate one (24 characters) when the user must be created.
    pub api_password: Option<Secret>,
    /// Reset the password of an existing API user (needs `api_password` or generates one).
    pub reset_password: bool,
    /// Role label (tutorial: "My API user role", max 25 characters).
    pub role: String,
    /// API connection label (tutorial: "My very first API connection").
    pub connection: String,
    /// WebDriver URL; `None`: start chromedriver + headless Chromium.
    pub webdriver: Option<String>,
    /// Show the browser window.
    pub headful: bool,
    /// Get a token and call the API at the end.
    pub verify: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
}

/// Which of the three entities this run created (false: reused).
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq, Eq)]
pub struct Created {
    /// The API user was created.
    pub user: bool,
    /// The role was created.
    pub role: bool,
    /// The API connection was created.
    pub connection: bool,
}

/// The result of a provision run.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// PIM base URL.
    pub pim_url: String,
    /// Detected generation, e.g. "3.x".
    pub pim_version: String,
    /// OAuth client id (`<n>_<random>`).
    pub client_id: String,
    /// OAuth secret.
    pub secret: Secret,
    /// API username.
    pub username: String,
    /// API password; `None` when an existing user was reused and its password is unknown.
    pub password: Option<Secret>,
    /// Role label.
    pub role: String,
    /// Connection label.
    pub connection: String,
    /// A token was obtained and an API call succeeded.
    pub verified: bool,
    /// What this run created.
    pub created: Created,
    /// Notes worth telling the user (e.g. "the role lacks the channel list ACL").
    pub notes: Vec<String>,
}
