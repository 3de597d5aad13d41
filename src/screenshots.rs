//! `pim-credentials screenshots`: runs the tutorial flow with a capture sink and writes the
//! tutorial's images under its own file names; `--compare` regenerates and compares them with a
//! reference folder; `--report` writes the HTML report of the run.

use std::path::Path;
use std::sync::Arc;

use crate::browser::{Capture, CaptureRecord, ShotKind};
use crate::error::exit;
use crate::flow::ProvisionConfig;
use crate::pim::{FlowType, Generation, GenerationChoice};
use crate::progress::Progress;

use pim_sim as sim;

/// The your-first tutorial's images for 2.x/3.x, in the order the flow takes them.
pub const TUTORIAL_3X: &[&str] = &[
    "role-creation",
    "role-naming",
    "permission-activation",
    "permission-assignation",
    "api-connections-empty-screen",
    "api-connection-creation-popin",
    "my-very-first-api-connection",
];

/// The your-first tutorial's images for 4.x and later.
pub const TUTORIAL_4X: &[&str] = &[
    "connection-creation-button",
    "connection-creation-popin",
    "flow-type-selection",
    "credentials-in-the-pim",
];

/// The connect-the-PIM tutorial's images for 2.x/3.x: `(shot, published file name)`.
const CONNECT_3X: &[(&str, &str)] = &[
    ("role-creation", "role-creation"),
    ("role-naming", "role-naming-my-erp-connector"),
    ("permission-activation", "permission-activation"),
    (
        "permission-assignation",
        "permission-assignation-my-erp-user",
    ),
    (
        "api-connections-empty-screen",
        "api-connections-empty-screen",
    ),
    (
        "api-connection-creation-popin",
        "api-connection-creation-popin",
    ),
    ("my-very-first-api-connection", "my-erp-connection"),
];

/// The connect-the-PIM tutorial's images for 4.x and later: `(shot, published file name)`.
const CONNECT_4X: &[(&str, &str)] = &[
    ("connection-creation-button", "connection-creation-button"),
    ("connection-creation-popin", "connection-creation-erp-popin"),
    ("flow-type-selection", "source-flow-type-selection"),
    ("connection-credentials", "connection-credentials"),
    (
        "connection-credentials-copy-icon",
        "connection-credentials-copy-icon",
    ),
];

/// Which of Akeneo's two getting-started tutorials the images illustrate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Tutorial {
    /// "Your first tutorial": myAPIuser, "My API user role", "My very first API connection"
    /// (3.x) / "My very first connection", Data destination (4.x+).
    #[default]
    YourFirst,
    /// "Connect the PIM": myERPuser, "My ERP connector role", "ERP" (3.x) / "My ERP",
    /// Source (4.x+).
    ConnectThePim,
}

impl Tutorial {
    /// The API user the tutorial creates.
    pub fn api_user(self) -> &'static str {
        match self {
            Tutorial::YourFirst => "myAPIuser",
            Tutorial::ConnectThePim => "myERPuser",
        }
    }

    /// The role the tutorial creates.
    pub fn role(self) -> &'static str {
        match self {
            Tutorial::YourFirst => "My API user role",
            Tutorial::ConnectThePim => "My ERP connector role",
        }
    }

    /// The API connection (3.x) or Connection (4.x+) the tutorial creates.
    pub fn connection(self, four_x: bool) -> &'static str {
        match (self, four_x) {
            (Tutorial::YourFirst, false) => "My very first API connection",
            (Tutorial::YourFirst, true) => "My very first connection",
            (Tutorial::ConnectThePim, false) => "ERP",
            (Tutorial::ConnectThePim, true) => "My ERP",
        }
    }

    /// The flow type of the 4.x+ connection.
    pub fn flow_type(self) -> FlowType {
        match self {
            Tutorial::YourFirst => FlowType::DataDestination,
            Tutorial::ConnectThePim => FlowType::DataSource,
        }
    }

    /// The tutorial's images on a generation: `(shot, published file name)`.
    pub fn files(self, four_x: bool) -> Vec<(&'static str, &'static str)> {
        match (self, four_x) {
            (Tutorial::YourFirst, false) => TUTORIAL_3X.iter().map(|n| (*n, *n)).collect(),
            (Tutorial::YourFirst, true) => TUTORIAL_4X.iter().map(|n| (*n, *n)).collect(),
            (Tutorial::ConnectThePim, false) => CONNECT_3X.to_vec(),
            (Tutorial::ConnectThePim, true) => CONNECT_4X.to_vec(),
        }
    }

    /// Every file name of both tutorials on both generations (cleared before a run).
    pub fn all_files() -> Vec<&'static str> {
        let mut v: Vec<&str> = [Tutorial::YourFirst, Tutorial::ConnectThePim]
            .iter()
            .flat_map(|t| [t.files(false), t.files(true)])
            .flatten()
            .map(|(_, f)| f)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// What a screenshots run takes.
#[derive(Debug, Clone, Copy)]
pub struct TakeOptions {
    /// Replace secrets by placeholders.
    pub mask: bool,
    /// Draw the highlight boxes.
    pub highlight: bool,
    /// Which tutorial.
    pub tutorial: Tutorial,
    /// 4.x or later (which file names); `None` when detected during the run (both lists are
    /// armed, and the images of the other generation are removed afterwards).
    pub four_x: Option<bool>,
}

/// Runs the flow with a capture sink: tutorial images into `out`, and with `report`, numbered
/// per-step images and `index.html` into the report folder. Returns whether the flow passed and
/// the records; prints what was skipped.
pub async fn take(
    cfg: &ProvisionConfig,
    progress: &Progress,
    out: &Path,
    opts: TakeOptions,
    report: Option<&Path>,
) -> Result<(bool, Vec<CaptureRecord>), i32> {
    // Images of an earlier run must not pass for this run's.
    for name in Tutorial::all_files() {
        let _ = std::fs::remove_file(out.join(format!("{name}.png")));
    }
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return Err(exit::OTHER);
    }
    let capture = Arc::new(
        Capture::new(
            Some(out.to_path_buf()),
            report.map(Path::to_path_buf),
            opts.mask,
        )
        .with_highlight(opts.highlight)
        .with_names(&match opts.four_x {
            Some(four) => opts.tutorial.files(four),
            None => [opts.tutorial.files(false), opts.tutorial.files(true)].concat(),
        }),
    );
    let result = crate::flow::provision_with_capture(cfg, progress, Some(capture.clone())).await;
    let mut records = capture.records();
    if opts.four_x.is_none() {
        prune_other_generation(&mut records, opts.tutorial);
    }
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

/// After a run whose generation was detected: the images of the other generation's list go
/// (a 4.x+ run also passes the role screens of the 3.x list).
fn prune_other_generation(records: &mut Vec<CaptureRecord>, tutorial: Tutorial) {
    let four: Vec<&str> = tutorial.files(true).iter().map(|(_, f)| *f).collect();
    let is_four = records
        .iter()
        .any(|r| r.kind == ShotKind::Tutorial && four.contains(&r.name.as_str()));
    let keep: Vec<&str> = tutorial.files(is_four).iter().map(|(_, f)| *f).collect();
    records.retain(|r| {
        let other = r.kind == ShotKind::Tutorial && !keep.contains(&r.name.as_str());
        if other {
            if let Some(f) = &r.file {
                let _ = std::fs::remove_file(f);
            }
        }
        !other
    });
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
