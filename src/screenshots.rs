//! `pim-credentials screenshots`: runs the tutorial flow with a capture sink and writes the
//! tutorial's images under its own file names; `--compare` regenerates and compares them with a
//! reference folder; `--report` writes the HTML report of the run.

use std::path::Path;
use std::sync::Arc;

use crate::browser::{Capture, CaptureRecord};
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
