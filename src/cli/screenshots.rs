//! `screenshots`: options, `--compare` and output around [`crate::screenshots`].

use std::path::{Path, PathBuf};

use clap::Args;

use super::opts::usage;
use super::opts::{BrowserOpts, Listed, TargetOpts, PIM_VERSIONS};
use super::target;
use super::values::{self, Checked, Text};
use crate::browser::{BrowserKind, ShotKind};
use crate::compare;
use crate::error::exit;
use crate::flow::{GenerationOptions, ProvisionConfig};
use crate::pim::{Generation, GenerationChoice};
use crate::progress::Progress;
use crate::screenshots::{TakeOptions, Tutorial};

/// Options of `screenshots`.
#[derive(Debug, Args)]
pub struct ScreenshotsArgs {
    #[command(flatten)]
    target: TargetOpts,
    #[command(flatten)]
    browser: BrowserOpts,
    /// Folder for the images (default `screenshots`, or `screenshots-compare` with --compare).
    #[arg(long, value_name = "DIR", value_parser = Checked(values::output_dir))]
    out: Option<PathBuf>,
    /// PIM generation: auto (detect), 2, 3, 4, 5, 6 or 7 (1.7 has no API connections UI).
    #[arg(long, default_value = "auto", value_name = "VERSION",
          value_parser = Listed::<GenerationChoice>::new(PIM_VERSIONS))]
    pim_version: GenerationChoice,
    /// Keep the real secrets (and client id) in the images; by default they are replaced in
    /// the page, before the capture, by placeholders of the same length.
    #[arg(long)]
    no_mask: bool,
    /// Draw a box around what the reader must click.
    #[arg(long)]
    highlight: bool,
    /// Which getting-started tutorial: its names (role, user, connection, flow type) and its
    /// published image file names.
    #[arg(long, value_enum, default_value_t = Tutorial::YourFirst)]
    tutorial: Tutorial,
    /// Regenerate, then compare with the images of this folder (exit 1 when one differs beyond
    /// --threshold or is missing). Diff images go to OUT/diff/.
    #[arg(long, value_name = "REFERENCE_DIR", value_parser = Checked(values::existing_dir))]
    compare: Option<PathBuf>,
    /// Largest changed-pixel ratio (0..1) for an image to compare as unchanged.
    #[arg(long, default_value_t = compare::DEFAULT_MAX_RATIO, value_parser = Text(values::ratio))]
    threshold: f64,
    /// Smallest likeness (SSIM over the regions with content, after the best alignment, -1..1)
    /// for an image that is not pixel-identical to pass, its size within 20 % (published
    /// images: colour profile applied, other pixel ratios scaled).
    #[arg(long, default_value_t = compare::DEFAULT_MIN_LIKENESS)]
    min_likeness: f64,
    /// Write a self-contained HTML report (index.html) of the run into DIR.
    #[arg(long, value_name = "DIR", value_parser = Checked(values::output_dir))]
    report: Option<PathBuf>,
    /// The API user (default: the tutorial's).
    #[arg(long, value_parser = Text(values::name))]
    api_user: Option<String>,
    /// The role (default: the tutorial's).
    #[arg(long, value_parser = Text(values::role))]
    role: Option<String>,
    /// The API connection (default: the tutorial's for the generation).
    #[arg(long, value_parser = Text(values::name))]
    connection: Option<String>,
}

/// Checks the options; returns the output folder.
fn validate(args: &ScreenshotsArgs) -> Result<PathBuf, String> {
    if args.pim_version == GenerationChoice::Fixed(Generation::V1_7) {
        return Err("--pim-version 1.7: the 1.7 tutorial creates the client by console; it has no images to take".into());
    }
    if args.browser.browser != BrowserKind::Chromium {
        return Err("--browser: screenshots need chromium (the viewport is set through chromedriver's CDP endpoint)".into());
    }
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err("--threshold: a ratio between 0 and 1 (0.01 = 1% of the pixels)".into());
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
            return Err(format!("--compare {}: not a folder", reference.display()));
        }
        if same_dir(reference, &out) {
            return Err(
                "--compare: the reference folder cannot be the output folder (--out)".into(),
            );
        }
    }
    Ok(out)
}

/// Runs the command; returns the exit code.
pub async fn run(args: ScreenshotsArgs, progress: &Progress) -> i32 {
    let out = match validate(&args) {
        Ok(out) => out,
        Err(msg) => return usage(msg),
    };
    let target = match target::resolve(&args.target, args.pim_version, progress).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let four_x = match args.pim_version {
        GenerationChoice::Fixed(g) => Some(g >= Generation::V4),
        GenerationChoice::Auto if args.target.pim_url.is_none() => Some(false),
        GenerationChoice::Auto => None,
    };
    let t = args.tutorial;
    let base = ProvisionConfig::new(
        &target.pim_url,
        &args.target.admin_user,
        target.admin_password.clone(),
    );
    let cfg = ProvisionConfig {
        api_user: args.api_user.clone().unwrap_or(t.api_user().into()),
        role: args.role.clone().unwrap_or(t.role().into()),
        // Detected generation: the 3.x label (4.x+ runs with --pim-version get theirs).
        connection: args
            .connection
            .clone()
            .unwrap_or(t.connection(four_x.unwrap_or(false)).into()),
        // Chromium: the viewport is set through chromedriver's CDP endpoint.
        browser: BrowserKind::Chromium,
        generation: GenerationOptions {
            pim_version: args.pim_version,
            flow_type: t.flow_type(),
            ..Default::default()
        },
        ..base.with_browser(args.browser.config(&target.pim_url))
    };
    let opts = TakeOptions {
        mask: !args.no_mask,
        highlight: args.highlight,
        tutorial: t,
        four_x,
    };
    let result = crate::screenshots::take(&cfg, progress, &out, opts, args.report.as_deref()).await;
    target.stop().await;
    let (ok, records) = match result {
        Ok(r) => r,
        Err(code) => return code,
    };
    let code = if ok { exit::OK } else { exit::OTHER };
    match &args.compare {
        Some(reference) => {
            let limits = compare::Limits {
                max_ratio: args.threshold,
                min_likeness: args.min_likeness,
            };
            let names = compared_names(&records, reference);
            let masked = !args.no_mask;
            compare_with(reference, &out, limits, &names, masked).unwrap_or(code)
        }
        None => {
            for f in records.iter().filter_map(|r| r.file.as_ref()) {
                println!("{}", f.display());
            }
            code
        }
    }
}

/// Compares `out` with `reference`, prints the table; `Some(exit code)` when they differ or
/// cannot be compared.
fn compare_with(
    reference: &Path,
    out: &Path,
    limits: compare::Limits,
    names: &[String],
    masked: bool,
) -> Option<i32> {
    // The images this run takes (of the tutorial and generation), not every file of either.
    let rows = match compare::compare_dirs(reference, out, &out.join("diff"), limits, Some(names)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot compare: {e}");
            return Some(exit::OTHER);
        }
    };
    print!("{}", compare::table(&rows, limits));
    // Published and regenerated side by side.
    let page = out.join("compare.html");
    let html = crate::report::render_compare(&rows, reference, out, masked);
    match std::fs::write(&page, html) {
        Ok(()) => eprintln!("side-by-side report: {}", page.display()),
        Err(e) => eprintln!("error: cannot write {}: {e}", page.display()),
    }
    if rows.iter().any(|r| !r.ok) {
        eprintln!(
            "error: {} of {} images differ beyond the threshold or are missing (diffs in {})",
            rows.iter().filter(|r| !r.ok).count(),
            rows.len(),
            out.join("diff").display()
        );
        return Some(exit::OTHER);
    }
    None
}

/// The images to compare: this run's tutorial images, and the reference's PNGs that no
/// tutorial has (reported missing); the other generation's or tutorial's images are left out.
fn compared_names(records: &[crate::browser::CaptureRecord], reference: &Path) -> Vec<String> {
    let mut names: Vec<String> = records
        .iter()
        .filter(|r| r.kind == ShotKind::Tutorial)
        .map(|r| format!("{}.png", r.name))
        .collect();
    let known: Vec<String> = Tutorial::all_files()
        .iter()
        .map(|f| format!("{f}.png"))
        .collect();
    for e in std::fs::read_dir(reference).into_iter().flatten().flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.ends_with(".png") && !known.contains(&n) {
            names.push(n);
        }
    }
    names
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}
