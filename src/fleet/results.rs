//! What a fleet run gives: one outcome per instance, the summary table, the exit code, the
//! result files.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use crate::error::{exit, Error};
use crate::model::Provisioned;
use crate::output::{self, Format};
use crate::progress::fmt_duration;

/// What happened to one instance.
#[derive(Debug)]
pub struct InstanceOutcome {
    /// The instance's name.
    pub name: String,
    /// Its URL.
    pub pim_url: String,
    /// Credentials, or why there are none.
    pub result: Result<Provisioned, Error>,
    /// The step that failed, if one did.
    pub failed_step: Option<String>,
    /// Wall time of this instance (from the moment its session slot was free).
    pub elapsed: Duration,
}

impl InstanceOutcome {
    /// True when the instance has working (or, with `--no-verify`, created) credentials.
    pub fn ok(&self) -> bool {
        matches!(&self.result, Ok(p) if p.verify_error.is_none())
    }

    /// The exit code this instance alone would give.
    pub fn exit_code(&self) -> i32 {
        match &self.result {
            Ok(p) if p.verify_error.is_some() => exit::VERIFY,
            Ok(_) => exit::OK,
            Err(e) => e.exit_code(),
        }
    }

    /// `verified`, `provisioned` (credentials not verified), `unverified` (created, but the
    /// verification failed: the credentials are kept) or `failed`.
    pub fn status(&self) -> &'static str {
        match &self.result {
            Ok(p) if p.verified => "verified",
            Ok(p) if p.verify_error.is_some() => "unverified",
            Ok(_) => "provisioned",
            Err(_) => "failed",
        }
    }

    /// The instance's result document: the `provision` JSON plus `instance` and `status`, or
    /// for a failure `instance`, `pim_url`, `status`, `error`, `failed_step`, `exit_code`.
    pub fn to_json(&self) -> Value {
        match &self.result {
            Ok(p) => {
                let mut v = output::to_json(p);
                v["instance"] = json!(self.name);
                v["status"] = json!(self.status());
                v
            }
            Err(e) => json!({
                "instance": self.name,
                "pim_url": self.pim_url,
                "status": "failed",
                "error": e.to_string(),
                "failed_step": self.failed_step,
                "exit_code": e.exit_code(),
            }),
        }
    }
}

/// The summary table (no secrets): instance, status, time, and the client id or the error.
pub fn summary(outcomes: &[InstanceOutcome], wall: Duration) -> String {
    let w = outcomes
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!(
        "{:<w$}  {:<11}  {:>7}  detail\n",
        "instance", "status", "time"
    );
    for o in outcomes {
        let detail = match &o.result {
            Ok(p) => format!("{}  client id {}", o.pim_url, p.credentials.client_id),
            Err(e) => match &o.failed_step {
                Some(s) if !e.to_string().contains(&format!("'{s}'")) => {
                    format!("{}  at step '{s}': {e}", o.pim_url)
                }
                _ => format!("{}  {e}", o.pim_url),
            },
        };
        out.push_str(&format!(
            "{:<w$}  {:<11}  {:>7}  {detail}\n",
            o.name,
            o.status(),
            fmt_duration(o.elapsed)
        ));
    }
    let failed = outcomes.iter().filter(|o| !o.ok()).count();
    out.push_str(&format!(
        "{} instance(s): {} ok, {failed} failed, wall time {}\n",
        outcomes.len(),
        outcomes.len() - failed,
        fmt_duration(wall)
    ));
    out
}

/// The exit code of a fleet: 0 when every instance succeeded; the failures' common code when
/// they share one; else 1.
pub fn exit_code(outcomes: &[InstanceOutcome]) -> i32 {
    let codes: HashSet<i32> = outcomes
        .iter()
        .map(InstanceOutcome::exit_code)
        .filter(|c| *c != exit::OK)
        .collect();
    match codes.len() {
        0 => exit::OK,
        1 => codes.into_iter().next().unwrap_or(exit::OTHER),
        _ => exit::OTHER,
    }
}

/// The file of one instance in `--output-dir`: `<name>.json|.env|.postman.json`, or
/// `<name>.failed.json` for a failure.
pub fn output_file(dir: &Path, o: &InstanceOutcome, format: Format) -> PathBuf {
    if !o.ok() {
        return dir.join(format!("{}.failed.json", o.name));
    }
    dir.join(match format {
        Format::Json => format!("{}.json", o.name),
        Format::Env => format!("{}.env", o.name),
        Format::Postman => format!("{}.postman.json", o.name),
    })
}

/// Writes one file per instance (mode 0600, atomically). A success removes the instance's
/// stale `.failed.json`; a failure leaves earlier credentials alone. Returns the files written,
/// or the first error (the caller shows the results on stderr so nothing is lost).
pub fn write_dir(
    dir: &Path,
    outcomes: &[InstanceOutcome],
    format: Format,
) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for o in outcomes {
        let path = output_file(dir, o, format);
        let text = match (&o.result, format) {
            (Ok(p), _) => output::render(p, format),
            (Err(_), _) => format!("{}\n", serde_json::to_string_pretty(&o.to_json()).unwrap()),
        };
        output::write_atomic_0600(&path, &text)?;
        if o.ok() {
            let _ = std::fs::remove_file(dir.join(format!("{}.failed.json", o.name)));
        }
        written.push(path);
    }
    Ok(written)
}

/// The results as one JSON array (file order).
pub fn to_json_array(outcomes: &[InstanceOutcome]) -> String {
    let arr: Vec<Value> = outcomes.iter().map(InstanceOutcome::to_json).collect();
    format!("{}\n", serde_json::to_string_pretty(&arr).unwrap())
}
