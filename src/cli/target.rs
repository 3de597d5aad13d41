//! Resolves where a command runs: a PIM given by URL, or the embedded simulator.

use pim_sim::{self as sim, SimConfig};

use super::opts::usage;
use super::opts::{check_url, TargetOpts};
use crate::error::exit;
use crate::pim::GenerationChoice;
use crate::progress::Progress;
use crate::secrets::{self, Secret};

/// Where a command runs: the PIM given by `--pim-url` (URL checked, administrator password read
/// from `--admin-password-file`, `$PIM_ADMIN_PASSWORD` or a prompt), or without it the embedded
/// simulator of `flavour` (admin/admin), which lives as long as `embedded`.
pub struct Target {
    /// PIM base URL, without trailing slash.
    pub pim_url: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The embedded simulator, when one was started: stop it when the command ends.
    pub embedded: Option<sim::SimHandle>,
}

impl Target {
    /// Stops the embedded simulator, if any.
    pub async fn stop(self) {
        if let Some(h) = self.embedded {
            h.stop().await;
        }
    }
}

/// Resolves the [`Target`] of a command; on bad input prints the message and returns the exit
/// code to end with.
pub async fn resolve(
    opts: &TargetOpts,
    flavour: GenerationChoice,
    progress: &Progress,
) -> Result<Target, i32> {
    if let Some(url) = &opts.pim_url {
        check_url(url, "--pim-url").map_err(usage)?;
        let prompt = format!("Password of PIM user {}", opts.admin_user);
        let file = opts.admin_password_file.as_deref();
        return match secrets::read("PIM_ADMIN_PASSWORD", file, &prompt) {
            Ok(Some((s, _))) => Ok(Target {
                pim_url: url.trim_end_matches('/').to_string(),
                admin_password: s,
                embedded: None,
            }),
            Ok(None) => Err(usage(
                "no administrator password: set PIM_ADMIN_PASSWORD, pass --admin-password-file FILE, \
                 or run in a terminal to be prompted",
            )),
            Err(msg) => Err(usage(msg)),
        };
    }
    let cfg = SimConfig {
        pim_version: crate::screenshots::sim_version(flavour),
        ..SimConfig::default()
    };
    let admin_password = Secret::new(cfg.admin_password.clone());
    let version = cfg.pim_version;
    match sim::start(cfg).await {
        Ok(handle) => {
            let url = handle.url().to_string();
            progress.note(&format!(
                "no --pim-url: using the embedded PIM simulator ({version}) at {url} (it stops when this command ends)"
            ));
            Ok(Target {
                pim_url: url,
                admin_password,
                embedded: Some(handle),
            })
        }
        Err(e) => {
            eprintln!("error: cannot start the embedded simulator: {e:#}");
            Err(exit::OTHER)
        }
    }
}
