//! `sim` and `sim-console`: the embedded simulator and its console.

use std::time::Duration;

use clap::Args;
use pim_sim::{self as sim, SimConfig};

use crate::error::exit;

/// Options of `sim-console`.
#[derive(Debug, Args)]
pub struct SimConsoleArgs {
    /// URL of the running simulator.
    #[arg(long, env = "PIM_URL")]
    pim_url: String,
    /// The console command and its arguments, after `--`.
    #[arg(last = true, required = true)]
    argv: Vec<String>,
}

/// Options of `sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Password of the `admin` user (a simulator: a plain flag is fine here).
    #[arg(long, default_value = "admin")]
    admin_password: String,
    /// Latency added to every XHR/JSON response, in milliseconds.
    #[arg(long, default_value_t = 150)]
    latency_ms: u64,
    /// Number of pre-existing ordinary users.
    #[arg(long, default_value_t = 30)]
    users: usize,
    /// Which generation to imitate: 1.7, 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "3")]
    pim_version: sim::PimVersion,
    /// Inject a fault (repeatable): slow:MS, mask-linger:MS, rerender, logout-after:N,
    /// save-500-before, save-500-after, flash-late, token-slow:MS, twin-create (see
    /// sim/src/faults.rs).
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<sim::faults::Fault>,
    /// Add the built-in user julia (password julia, role "Catalog manager"): it can log in and
    /// manage users, but not roles nor API connections.
    #[arg(long)]
    restricted_admin: bool,
}

/// Runs the simulator until SIGINT/SIGTERM; returns the exit code.
pub async fn run(args: SimArgs) -> i32 {
    let cfg = SimConfig {
        port: args.port,
        admin_password: args.admin_password,
        latency: Duration::from_millis(args.latency_ms),
        users: args.users,
        pim_version: args.pim_version,
        faults: args.faults,
        restricted_admin: args.restricted_admin,
    };
    match sim::run(cfg).await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::OTHER
        }
    }
}

/// Runs one console command against a running simulator; returns the exit code.
pub async fn console(args: SimConsoleArgs) -> i32 {
    sim::console::console_main(&args.pim_url, &args.argv).await
}
