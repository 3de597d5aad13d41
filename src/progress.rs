//! Progress reporting on stderr (one line per step with its duration) and the record of every
//! step, for reports.

use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How a step ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The step did what it had to.
    Passed,
    /// The step failed.
    Failed,
    /// The step was not run.
    Skipped,
}

/// One finished step.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StepRecord {
    /// Step name, e.g. `ensure role`.
    pub name: String,
    /// Outcome.
    pub status: Status,
    /// What it did ("created", "reused", ...) or the error.
    pub detail: String,
    /// Duration in milliseconds.
    pub millis: u128,
    /// Where the failure artifacts of a failed step were saved (screenshot, page HTML, URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifacts: Option<std::path::PathBuf>,
}

/// Reports progress on stderr according to the verbosity, and records the steps.
/// Verbosity: -1 quiet (errors only), 0 one line per step, 1 (`-v`) details, 2 (`-vv`) debug.
#[derive(Debug)]
pub struct Progress {
    verbosity: i8,
    steps: Mutex<Vec<StepRecord>>,
    current: Mutex<Option<(String, Instant)>>,
}

impl Progress {
    /// A reporter at this verbosity.
    pub fn new(verbosity: i8) -> Self {
        Progress {
            verbosity,
            steps: Mutex::new(Vec::new()),
            current: Mutex::new(None),
        }
    }

    /// A reporter that prints nothing (still records steps).
    pub fn silent() -> Self {
        Self::new(-2)
    }

    /// The verbosity level.
    pub fn verbosity(&self) -> i8 {
        self.verbosity
    }

    /// A step starts.
    pub fn begin(&self, step: &str) {
        *self.current.lock().unwrap() = Some((step.to_string(), Instant::now()));
        self.debug(&format!("{step}: started"));
    }

    /// The current step ends successfully with `detail` (e.g. "created", "reused").
    pub fn pass(&self, detail: &str) {
        self.finish(Status::Passed, detail, None);
    }

    /// The current step fails with `detail`.
    pub fn fail(&self, detail: &str) {
        self.finish(Status::Failed, detail, None);
    }

    /// The current step fails with `detail`; its failure artifacts are in `artifacts` (named
    /// on the progress line, kept in the record for JUnit and reports).
    pub fn fail_with_artifacts(&self, detail: &str, artifacts: std::path::PathBuf) {
        let line = format!("{detail} [artifacts: {}]", artifacts.display());
        self.finish(Status::Failed, &line, Some(artifacts));
    }

    fn finish(&self, status: Status, detail: &str, artifacts: Option<std::path::PathBuf>) {
        let Some((name, start)) = self.current.lock().unwrap().take() else {
            return;
        };
        let elapsed = start.elapsed();
        if self.verbosity >= 0 || (status == Status::Failed && self.verbosity >= -1) {
            let mark = if status == Status::Passed {
                "ok  "
            } else {
                "FAIL"
            };
            eprintln!("[{mark}] {name:<22} {:>7}  {detail}", fmt_duration(elapsed));
            let _ = std::io::stderr().flush();
        }
        self.steps.lock().unwrap().push(StepRecord {
            name,
            status,
            detail: detail.to_string(),
            millis: elapsed.as_millis(),
            artifacts,
        });
    }

    /// Records a step that was not run (e.g. after an earlier failure), with the reason.
    pub fn skip(&self, step: &str, reason: &str) {
        if self.verbosity >= 0 {
            eprintln!("[skip] {step:<22} {:>7}  {reason}", "-");
        }
        self.steps.lock().unwrap().push(StepRecord {
            name: step.to_string(),
            status: Status::Skipped,
            detail: reason.to_string(),
            millis: 0,
            artifacts: None,
        });
    }

    /// A note at normal verbosity (e.g. "user myAPIuser exists: reused").
    pub fn note(&self, msg: &str) {
        if self.verbosity >= 0 {
            eprintln!("       {msg}");
        }
    }

    /// A detail shown with `-v`.
    pub fn info(&self, msg: &str) {
        if self.verbosity >= 1 {
            eprintln!("  · {msg}");
        }
    }

    /// A debug line shown with `-vv`. Never pass secrets.
    pub fn debug(&self, msg: &str) {
        if self.verbosity >= 2 {
            eprintln!("  ·· {msg}");
        }
    }

    /// The steps recorded so far.
    pub fn steps(&self) -> Vec<StepRecord> {
        self.steps.lock().unwrap().clone()
    }
}

/// `1.23s` / `850ms`.
pub fn fmt_duration(d: Duration) -> String {
    if d.as_millis() >= 1000 {
        format!("{:.2}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}
