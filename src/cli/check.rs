//! `check`: options and output (the table, the JUnit file) around [`crate::check`].

use std::path::PathBuf;

use clap::Args;

use super::opts::usage;
use super::opts::{BrowserOpts, Listed, TargetOpts, PIM_VERSIONS};
use super::target;
use crate::check::{self, CheckConfig};
use crate::error::exit;
use crate::pim::GenerationChoice;
use crate::progress::Progress;

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    target: TargetOpts,
    #[command(flatten)]
    browser: BrowserOpts,
    /// PIM generation: auto (detect after logging in), 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "auto", value_name = "VERSION",
          value_parser = Listed::<GenerationChoice>::new(PIM_VERSIONS))]
    pim_version: GenerationChoice,
    /// Write a JUnit XML report (one testsuite, one testcase per step) to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report (index.html, with a screenshot per step) into DIR.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Keep one numbered screenshot per step in DIR (secrets masked).
    #[arg(long, value_name = "DIR")]
    screenshots: Option<PathBuf>,
    /// Afterwards, remove what the run created through the UI (revoke the API connection,
    /// delete the role, delete the user; on 4.x and later delete the connection, which takes
    /// its user and client with it, and the role) and check it is gone.
    #[arg(long)]
    cleanup: bool,
    /// Suffix of the names this run creates (1 to 8 letters or digits; default: random).
    #[arg(long, value_name = "ID")]
    run_id: Option<String>,
}

/// Runs the check, prints the table on stdout, writes the JUnit file; returns the exit code
/// (0 only when every step passed).
pub async fn run(args: CheckArgs, progress: &Progress) -> i32 {
    let run_id = match &args.run_id {
        Some(id) => match check::check_run_id(id) {
            Ok(()) => id.clone(),
            Err(m) => return usage(m),
        },
        None => check::new_run_id(),
    };
    let target = match target::resolve(&args.target, args.pim_version, progress).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let pim_url = target.pim_url.clone();
    let cfg = CheckConfig {
        browser: args.browser.config(&pim_url),
        admin_user: args.target.admin_user.clone(),
        admin_password: target.admin_password.clone(),
        run_id: run_id.clone(),
        cleanup: args.cleanup,
        screenshots: args.screenshots.clone(),
        report: args.report.clone(),
        pim_version: args.pim_version,
    };
    progress.note(&format!("run id {run_id}"));
    let result = check::run(&cfg, progress).await;
    target.stop().await;
    print!("{}", check::table(&result.steps));
    if let Some(path) = &args.junit {
        let xml = check::junit_xml(&pim_url, &result.steps);
        if let Err(e) = std::fs::write(path, xml) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::OTHER;
        }
        progress.note(&format!("JUnit report written to {}", path.display()));
    }
    result.exit_code
}
