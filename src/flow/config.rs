//! What a provision run is given, and what every step works with.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use super::step::Recovery;
use crate::browser::BrowserKind;
use crate::model::{defaults, Created, Step};
use crate::pim::{self, Pim};
use crate::progress::Progress;
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
    /// Which browser (Chromium or Firefox; locally or through a Grid).
    pub browser: BrowserKind,
    /// Show the browser window.
    pub headful: bool,
    /// Get a token and call the API at the end.
    pub verify: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
    /// `--api-permissions`: the API permissions the role gets (every generation with a Web
    /// API permissions tab); `read` by default.
    pub api_permissions: pim::ApiPermissions,
    /// Generation options (`--pim-version`, `--console`, `--flow-type`, `--regenerate-password`).
    pub generation: GenerationOptions,
    /// Write a trace of every WebDriver command (per step, with durations) to this file at the
    /// end of the run, even when it fails.
    pub trace: Option<PathBuf>,
}

impl ProvisionConfig {
    /// The tutorial's run on `pim_url` as `admin_user`: the default names
    /// ([`crate::model::defaults`]), a generated API password, verified, in headless Chromium
    /// started by the tool, 30 s per wait, artifacts in `artifacts`, the generation detected.
    pub fn new(
        pim_url: impl Into<String>,
        admin_user: impl Into<String>,
        admin_password: Secret,
    ) -> Self {
        ProvisionConfig {
            pim_url: pim_url.into(),
            admin_user: admin_user.into(),
            admin_password,
            api_user: defaults::API_USER.into(),
            api_password: None,
            reset_password: false,
            role: defaults::ROLE.into(),
            connection: defaults::CONNECTION.into(),
            webdriver: None,
            browser: BrowserKind::default(),
            headful: false,
            verify: true,
            timeout: Duration::from_secs(30),
            artifacts_dir: PathBuf::from("artifacts"),
            api_permissions: pim::ApiPermissions::default(),
            generation: GenerationOptions::default(),
            trace: None,
        }
    }

    /// The same run with the browser settings of `bc` (WebDriver, browser, headful, timeout,
    /// artifacts; its `pim_url` is not used).
    pub fn with_browser(self, bc: BrowserConfig) -> Self {
        ProvisionConfig {
            webdriver: bc.webdriver,
            browser: bc.browser,
            headful: bc.headful,
            timeout: bc.timeout,
            artifacts_dir: bc.artifacts_dir,
            ..self
        }
    }
}

/// What the generations beyond 3.x need.
#[derive(Debug, Clone, Default)]
pub struct GenerationOptions {
    /// `--pim-version`: detect (default) or a forced generation.
    pub pim_version: pim::GenerationChoice,
    /// 1.7: the prefix that runs the PIM's console (`docker exec pim php app/console`), split
    /// like a shell would; `None`: stop and print the command to run.
    pub console: Option<String>,
    /// 4.x+: the flow type of a new connection.
    pub flow_type: pim::FlowType,
    /// 4.x+: regenerate the password of an existing connection (its old password stops working).
    pub regenerate_password: bool,
    /// 4.x+: regenerate the secret of an existing connection (its old secret stops working).
    pub regenerate_secret: bool,
    /// 3.x `--reset-password`: the existing API user's CURRENT password, which Akeneo 3.x
    /// requires to change it (`PIM_API_CURRENT_PASSWORD` / `--api-current-password-file`).
    pub current_api_password: Option<Secret>,
}

/// Length of a generated API password.
pub const GENERATED_PASSWORD_LEN: usize = 24;

/// What a browser run needs: where the PIM is and how to get a browser.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// Base URL of the PIM, without trailing slash.
    pub pim_url: String,
    /// WebDriver URL; `None`: start chromedriver + headless Chromium.
    pub webdriver: Option<String>,
    /// Which browser (Chromium or Firefox; locally or through a Grid).
    pub browser: BrowserKind,
    /// Show the browser window.
    pub headful: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
}

impl From<&ProvisionConfig> for BrowserConfig {
    fn from(c: &ProvisionConfig) -> Self {
        BrowserConfig {
            pim_url: c.pim_url.trim_end_matches('/').to_string(),
            webdriver: c.webdriver.clone(),
            browser: c.browser,
            headful: c.headful,
            timeout: c.timeout,
            artifacts_dir: c.artifacts_dir.clone(),
        }
    }
}

/// What every provision step works with.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    /// The PIM, of its known generation.
    pub pim: Pim<'a>,
    /// The run's configuration.
    pub cfg: &'a ProvisionConfig,
    /// Progress and step records.
    pub progress: &'a Progress,
    /// What the run created so far.
    pub created: &'a Mutex<Created>,
    /// Notes a step adds for the result (`Provisioned::notes`).
    pub notes: &'a Mutex<Vec<String>>,
    /// How a step recovers.
    pub recovery: Recovery,
}

impl Ctx<'_> {
    /// Runs step `name` under the recovery policy, logging in again as the administrator.
    pub(crate) async fn recovering<T, Fut>(
        self,
        name: Step,
        body: impl FnMut() -> Fut,
    ) -> crate::Result<T>
    where
        Fut: std::future::Future<Output = crate::Result<(T, String)>>,
    {
        let login = (self.cfg.admin_user.as_str(), &self.cfg.admin_password);
        self.recovery
            .run(self.pim, login, self.progress, name, body)
            .await
    }
}
