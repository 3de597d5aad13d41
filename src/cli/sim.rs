//! `sim` and `sim-console`: the embedded simulator and its console.

use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::Args;
use pim_sim::{self as sim, SimConfig};

use super::values::{self, Text, Utf8};
use crate::error::exit;

/// The largest `--latency-ms` (a minute per XHR).
pub const MAX_LATENCY_MS: u64 = 60_000;
/// The largest `--users`.
pub const MAX_USERS: u64 = 10_000;
/// The largest count of a fault (`logout-after:N`).
const MAX_FAULT_COUNT: u64 = 1_000_000;

/// `--pim-version` of `sim`.
fn pim_version(s: &str) -> Result<sim::PimVersion, String> {
    s.parse()
}

/// `--fault`: a fault spec, its durations at most [`super::MAX_DURATION`].
fn fault(s: &str) -> Result<sim::faults::Fault, String> {
    use sim::faults::Fault;
    let f: Fault = s.parse()?;
    match f {
        Fault::Slow(d) | Fault::MaskLinger(d) | Fault::TokenSlow(d) if d > super::MAX_DURATION => {
            Err(format!(
                "the fault's duration is too long (at most {}ms)",
                super::MAX_DURATION.as_millis()
            ))
        }
        Fault::LogoutAfter(n) if n > MAX_FAULT_COUNT => Err(format!(
            "the fault's count is too large (at most {MAX_FAULT_COUNT})"
        )),
        f => Ok(f),
    }
}

/// Options of `sim-console`.
#[derive(Debug, Args)]
pub struct SimConsoleArgs {
    /// URL of the running simulator.
    #[arg(long, env = "PIM_URL", value_name = "URL", value_parser = Text(values::http_url))]
    pim_url: String,
    /// The console command and its arguments, after `--`.
    #[arg(last = true, required = true, value_parser = Text(values::command))]
    argv: Vec<String>,
}

/// Options of `sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0, value_parser = Utf8(clap::value_parser!(u16)))]
    port: u16,
    /// Password of the `admin` user (a simulator: a plain flag is fine here).
    #[arg(long, default_value = "admin", value_parser = Text(values::name))]
    admin_password: String,
    /// Latency added to every XHR/JSON response, in milliseconds.
    #[arg(long, default_value_t = 150, value_parser = Utf8(clap::value_parser!(u64).range(0..=MAX_LATENCY_MS)))]
    latency_ms: u64,
    /// Number of pre-existing ordinary users.
    #[arg(long, default_value_t = 30, value_parser = Utf8(RangedU64ValueParser::<usize>::new().range(0..=MAX_USERS)))]
    users: usize,
    /// Which generation to imitate: 1.7, 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "3", value_parser = Text(pim_version))]
    pim_version: sim::PimVersion,
    /// Inject a fault (repeatable): slow:MS, mask-linger:MS, rerender, logout-after:N,
    /// save-500-before, save-500-after, flash-late, token-slow:MS, twin-create (see
    /// sim/src/faults.rs).
    #[arg(long = "fault", value_name = "SPEC", value_parser = Text(fault))]
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
