//! What a check is given, and what it records while it runs.

use std::path::PathBuf;

use crate::flow::BrowserConfig;
use crate::pim::GenerationChoice;
use crate::secrets::Secret;

/// Everything `check` needs, validated by the CLI.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Where the PIM is and how to get a browser.
    pub browser: BrowserConfig,
    /// Administrator login.
    pub admin_user: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The run id that suffixes every name.
    pub run_id: String,
    /// Remove what the run created, afterwards.
    pub cleanup: bool,
    /// Numbered per-step screenshots into this folder.
    pub screenshots: Option<PathBuf>,
    /// HTML report into this folder.
    pub report: Option<PathBuf>,
    /// PIM generation: detected after logging in, or given.
    pub pim_version: GenerationChoice,
}

/// What this run created (the cleanup removes only that).
#[derive(Default)]
pub(super) struct Created {
    pub user: bool,
    pub role: bool,
    pub connection: bool,
}
