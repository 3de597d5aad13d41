//! `pim-credentials screenshots`: runs the tutorial flow with a capture sink and writes the
//! tutorial's images under its own file names; `--compare` regenerates and compares them with a
//! reference folder; `--report` writes the HTML report of the run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::browser::{Capture, CaptureRecord};
use crate::compare;
use crate::error::exit;
use crate::flow::ProvisionConfig;
use crate::pim::{Generation, GenerationChoice};
use crate::progress::Progress;

use pim_sim as sim;

/// The tutorial's images for 2.x/3.x, in the order the flow takes them.
pub const TUTORIAL_3X: &[&str] = &[
    "role-creation",
    "role-naming",
    "permission-activation",
    "permission-assignation",
    "api-connections-empty-screen",
    "api-connection-creation-popin",
    "my-very-first-api-connection",
];

/// The tutorial's images for 4.x and later.
pub const TUTORIAL_4X: &[&str] = &[
    "connection-creation-button",
    "connection-creation-popin",
    "flow-type-selection",
];

/// Options of `screenshots`.
#[derive(Debug, clap::Args)]
pub struct ScreenshotsArgs {
    /// PIM base URL. Without it, the embedded simulator is started and used (the flavour of
    /// --pim-version; 3.x with auto).
    #[arg(long, env = "PIM_URL")]
    pub pim_url: Option<String>,
    /// Folder for the images (default `screenshots`, or `screenshots-compare` with --compare).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// PIM generation: auto (detect), 2, 3, 4, 5, 6 or 7 (1.7 has no API connections UI).
    #[arg(long, default_value = "auto", value_name = "VERSION")]
    pub pim_version: crate::pim::GenerationChoice,
    /// Do not mask secrets in the images.
    #[arg(long)]
    pub no_mask: bool,
    /// Regenerate, then compare with the images of this folder (exit 1 when one differs beyond
    /// --threshold or is missing). Diff images go to OUT/diff/.
    #[arg(long, value_name = "REFERENCE_DIR")]
    pub compare: Option<PathBuf>,
    /// Largest changed-pixel ratio (0..1) for an image to compare as unchanged.
    #[arg(long, default_value_t = compare::DEFAULT_MAX_RATIO)]
    pub threshold: f64,
    /// Write a self-contained HTML report (index.html) of the run into DIR.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Administrator login.
    #[arg(long, default_value = "admin")]
    pub admin_user: String,
    /// File holding the administrator password (else $PIM_ADMIN_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,
    /// The API user of the tutorial.
    #[arg(long, default_value = "myAPIuser")]
    pub api_user: String,
    /// The role of the tutorial.
    #[arg(long, default_value = "My API user role")]
    pub role: String,
    /// The API connection of the tutorial.
    #[arg(long, default_value = "My very first API connection")]
    pub connection: String,
    /// WebDriver URL; without it chromedriver and headless Chromium are started.
    #[arg(long, env = "WEBDRIVER_URL")]
    pub webdriver: Option<String>,
    /// Show the browser window.
    #[arg(long)]
    pub headful: bool,
    /// Deadline of every wait (e.g. 30s, 1500ms).
    #[arg(long, default_value = "30s", value_parser = crate::cli::parse_duration)]
    pub timeout: Duration,
    /// Folder for failure artifacts.
    #[arg(long, default_value = "artifacts", value_name = "DIR")]
    pub artifacts_dir: PathBuf,
    /// More output on stderr.
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    exit::USAGE
}

/// Runs the command; returns the exit code.
pub async fn main(args: ScreenshotsArgs) -> i32 {
    let verbosity: i8 = if args.quiet {
        -1
    } else {
        args.verbose.min(2) as i8
    };
    let progress = Progress::new(verbosity);
    if args.pim_version == GenerationChoice::Fixed(Generation::V1_7) {
        return usage("--pim-version 1.7: the 1.7 tutorial creates the client by console; it has no images to take");
    }
    if !(0.0..=1.0).contains(&args.threshold) {
        return usage("--threshold: a ratio between 0 and 1 (0.01 = 1% of the pixels)");
    }
    let out = args.out.clone().unwrap_or_else(|| {
        PathBuf::from(if args.compare.is_some() {
            "screenshots-compare"
        } else {
            "screenshots"
        })
    });
    if let Some(reference) = &args.compare {
        if !reference.is_dir() {
            return usage(format!("--compare {}: not a folder", reference.display()));
        }
        if same_dir(reference, &out) {
            return usage("--compare: the reference folder cannot be the output folder (--out)");
        }
    }

    let crate::cli::Target {
        pim_url,
        admin_password,
        embedded,
    } = match crate::cli::target(
        args.pim_url.as_deref(),
        &args.admin_user,
        args.admin_password_file.as_deref(),
        args.pim_version,
        &progress,
    )
    .await
    {
        Ok(t) => t,
        Err(code) => return code,
    };

    let cfg = ProvisionConfig {
        pim_url,
        admin_user: args.admin_user.clone(),
        admin_password,
        api_user: args.api_user.clone(),
        api_password: None,
        reset_password: false,
        role: args.role.clone(),
        connection: args.connection.clone(),
        webdriver: args.webdriver.clone(),
        // Chromium: the viewport is set through chromedriver's CDP endpoint.
        browser: crate::browser::BrowserKind::Chromium,
        headful: args.headful,
        verify: true,
        timeout: args.timeout,
        artifacts_dir: args.artifacts_dir.clone(),
        trace: None,
        generation: crate::flow::GenerationOptions {
            pim_version: args.pim_version,
            ..Default::default()
        },
    };
    let result = take(&cfg, &progress, &out, !args.no_mask, args.report.as_deref()).await;
    if let Some(h) = embedded {
        h.stop().await;
    }
    let (ok, records) = match result {
        Ok(r) => r,
        Err(code) => return code,
    };
    let mut code = if ok { exit::OK } else { exit::OTHER };
    if let Some(reference) = &args.compare {
        let rows =
            match compare::compare_dirs(reference, &out, &out.join("diff"), args.threshold, None) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot compare: {e}");
                    return exit::OTHER;
                }
            };
        print!("{}", compare::table(&rows, args.threshold));
        if rows.iter().any(|r| !r.ok) {
            eprintln!(
                "error: {} of {} images differ beyond the threshold or are missing (diffs in {})",
                rows.iter().filter(|r| !r.ok).count(),
                rows.len(),
                out.join("diff").display()
            );
            code = exit::OTHER;
        }
    } else {
        for r in &records {
            if let Some(f) = &r.file {
                println!("{}", f.display());
            }
        }
    }
    code
}

/// Runs the flow with a capture sink: tutorial images into `out`, and with `report`, numbered
/// per-step images and `index.html` into the report folder. Returns whether the flow passed and
/// the records; prints what was skipped.
pub async fn take(
    cfg: &ProvisionConfig,
    progress: &Progress,
    out: &Path,
    mask: bool,
    report: Option<&Path>,
) -> Result<(bool, Vec<CaptureRecord>), i32> {
    // Images of an earlier run must not pass for this run's.
    for name in TUTORIAL_3X.iter().chain(TUTORIAL_4X) {
        let _ = std::fs::remove_file(out.join(format!("{name}.png")));
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return Err(exit::OTHER);
    }
    let capture = Arc::new(Capture::new(
        Some(out.to_path_buf()),
        report.map(Path::to_path_buf),
        mask,
    ));
    let result = crate::flow::provision_with_capture(cfg, progress, Some(capture.clone())).await;
    let records = capture.records();
    for r in &records {
        if let Some(why) = &r.skipped {
            progress.note(&format!("skipped {}.png: {why}", r.name));
        }
    }
    if let Some(dir) = report {
        write_report(dir, "pim-credentials screenshots", progress, &capture);
    }
    match result {
        Ok(_) => Ok((true, records)),
        Err(e) => {
            eprintln!("error: {e}");
            if records.is_empty() {
                return Err(e.exit_code());
            }
            Ok((false, records))
        }
    }
}

/// Writes the HTML report of a run from its progress records and capture sink.
pub fn write_report(dir: &Path, title: &str, progress: &Progress, capture: &Capture) {
    match crate::report::write(
        dir,
        title,
        &progress.steps(),
        &capture.records(),
        &capture.secrets(),
    ) {
        Ok(p) => progress.note(&format!("report written to {}", p.display())),
        Err(e) => eprintln!("error: cannot write the report into {}: {e}", dir.display()),
    }
}

/// The simulator flavour imitating the chosen generation (3.x when detecting).
pub fn sim_version(choice: GenerationChoice) -> sim::PimVersion {
    match choice {
        GenerationChoice::Auto => sim::PimVersion::V3,
        GenerationChoice::Fixed(g) => match g {
            Generation::V1_7 => sim::PimVersion::V1_7,
            Generation::V2 => sim::PimVersion::V2,
            Generation::V3 => sim::PimVersion::V3,
            Generation::V4 => sim::PimVersion::V4,
            Generation::V5 => sim::PimVersion::V5,
            Generation::V6 => sim::PimVersion::V6,
            Generation::V7 => sim::PimVersion::V7,
        },
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
