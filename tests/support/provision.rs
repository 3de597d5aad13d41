//! Helpers for the end-to-end provisioning tests: the tutorial's names, the base
//! [`ProvisionConfig`], the simulator state (`/_sim/state`) and the browser processes a run may
//! leave behind.

use std::path::PathBuf;
use std::time::Duration;

use pim_credentials::flow::ProvisionConfig;
use pim_credentials::secrets::Secret;
use serde_json::Value;

pub const API_USER: &str = "myAPIuser";
pub const ROLE: &str = "My API user role";
pub const CONNECTION: &str = "My very first API connection";

/// admin/admin provisions [`API_USER`], [`ROLE`] and [`CONNECTION`] (no API password given) in
/// the default browser (Chromium), headless, verified, 20 s per wait.
pub fn plain_config(pim_url: &str, artifacts: PathBuf) -> ProvisionConfig {
    ProvisionConfig {
        timeout: Duration::from_secs(20),
        artifacts_dir: artifacts,
        ..ProvisionConfig::new(pim_url, "admin", Secret::new("admin"))
    }
}

/// [`plain_config`] with the failure artifacts in `$PIMCRED_TEST_ARTIFACTS` when it is set (to keep
/// them somewhere visible when debugging), else in `artifacts`.
pub fn config(pim_url: &str, artifacts: PathBuf) -> ProvisionConfig {
    let artifacts = std::env::var_os("PIMCRED_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or(artifacts);
    plain_config(pim_url, artifacts)
}

/// A counter of `/_sim/state` (0 when never counted).
pub fn counter(state: &Value, name: &str) -> u64 {
    state["counters"][name].as_u64().unwrap_or(0)
}

/// The role labelled `label` in `/_sim/state`; panics when there is none.
pub fn role<'a>(state: &'a Value, label: &str) -> &'a Value {
    state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap_or_else(|| panic!("role {label} missing in {state}"))
}

/// The users named `name` in `/_sim/state`.
pub fn users_named<'a>(state: &'a Value, name: &str) -> Vec<&'a Value> {
    state["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["username"] == name)
        .collect()
}

/// Live processes whose command line (NULs as spaces) contains `needle`: (pid, command line).
/// A zombie has an empty command line, so anything found is really running.
pub fn processes_with(needle: &str) -> Vec<(i32, String)> {
    let mut found = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.contains(needle) {
            found.push((pid, cmd));
        }
    }
    found
}

/// Processes of this test binary's browser sessions still alive (their profile lives in
/// `pim-credentials-<our pid>-…`), each command line cut to 160 characters.
pub fn leftover_browser_processes() -> Vec<String> {
    processes_with(&format!("pim-credentials-{}-", std::process::id()))
        .into_iter()
        .map(|(_, cmd)| cmd.chars().take(160).collect())
        .collect()
}
