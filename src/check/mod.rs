//! `check`: the tutorial's flow as an acceptance test of a PIM's back office (2.x/3.x, and the
//! Connections flow of 4.x and later, see [`STEPS_4X`]). Each step is
//! a test case with assertions on what the UI shows and on what the API answers; the result is a
//! per-step table, optionally a JUnit XML file and an HTML report; `--cleanup` removes what the
//! run created, through the UI, in reverse order, and checks it is gone.
//!
//! Names are unique per run (`--run-id`), so a check never touches entities that existed
//! before it: the run fails rather than reuse one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::browser::{Browser, BrowserKind, Capture};
use crate::error::Error;
use crate::flow::{finish, guarded, start_browser, BrowserConfig};
use crate::junit::{self, Case, Outcome};
use crate::model::{defaults, Step};
use crate::pim::{Generation, GenerationChoice, Pim};
use crate::progress::{Progress, Status, StepRecord};

mod cleanup;
mod config;
mod steps;

pub use config::CheckConfig;
use config::Created;

/// The steps of the check, in order (each one a JUnit test case).
pub const STEPS: [&str; 11] = [
    Step::LogIn.name(),
    Step::CreateUser.name(),
    Step::OpenRoles.name(),
    Step::CreateRole.name(),
    Step::GrantWebApi.name(),
    Step::AssignUser.name(),
    Step::SaveRole.name(),
    Step::CreateApiConnection.name(),
    Step::ReadCredentials.name(),
    Step::GetToken.name(),
    Step::CallApi.name(),
];

/// The cleanup steps (`--cleanup`), in order.
pub const CLEANUP_STEPS: [&str; 3] = [
    Step::RevokeApiConnection.name(),
    Step::DeleteRole.name(),
    Step::DeleteUser.name(),
];

/// The steps of the check on 4.x and later, in order: the connection creates its own API user,
/// which gets the role in the connection's Permissions section.
pub const STEPS_4X: [&str; 10] = [
    Step::LogIn.name(),
    Step::OpenRoles.name(),
    Step::CreateRole.name(),
    Step::GrantWebApi.name(),
    Step::SaveRole.name(),
    Step::CreateConnection.name(),
    Step::ReadCredentials.name(),
    Step::SetConnectionRole.name(),
    Step::GetToken.name(),
    Step::CallApi.name(),
];

/// The cleanup steps on 4.x and later (deleting the connection deletes its user and client).
pub const CLEANUP_STEPS_4X: [&str; 2] = [Step::DeleteConnection.name(), Step::DeleteRole.name()];

/// The steps of the check on a PIM of generation `g`.
pub fn steps_for(g: Generation) -> &'static [&'static str] {
    if g.has_connections() {
        &STEPS_4X
    } else {
        &STEPS
    }
}

/// The cleanup steps on a PIM of generation `g`.
pub fn cleanup_steps_for(g: Generation) -> &'static [&'static str] {
    if g.has_connections() {
        &CLEANUP_STEPS_4X
    } else {
        &CLEANUP_STEPS
    }
}

/// The names a run uses: `(username, role label, connection label)`. The role label stays
/// within Akeneo's 25 characters for run ids of up to 8 characters.
pub fn names(run_id: &str) -> (String, String, String) {
    (
        format!("{}_{run_id}", defaults::API_USER),
        format!("{} {run_id}", defaults::ROLE),
        format!("{} {run_id}", defaults::CONNECTION),
    )
}

/// A random run id: 4 lowercase hex digits.
pub fn new_run_id() -> String {
    format!("{:04x}", rand::random::<u16>())
}

/// Checks a user-given run id: 1 to 8 characters of `[A-Za-z0-9]`.
pub fn check_run_id(id: &str) -> Result<(), String> {
    if id.is_empty() || id.len() > 8 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "--run-id {id:?}: use 1 to 8 letters or digits (it suffixes the role label, 25 characters at most)"
        ));
    }
    Ok(())
}

/// The outcome of a check.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Every step, in order (including `start browser` and skipped ones).
    pub steps: Vec<StepRecord>,
    /// The exit code: 0 only when every step passed.
    pub exit_code: i32,
}

impl CheckResult {
    /// True when every step passed.
    pub fn passed(&self) -> bool {
        self.exit_code == 0
    }
}

/// Runs the check; the browser is always torn down. Never returns early on a failed step:
/// the remaining steps are recorded as skipped, and the cleanup still runs.
pub async fn run(cfg: &CheckConfig, progress: &Progress) -> CheckResult {
    let mut first_error: Option<i32> = None;
    let session = match start_browser(&cfg.browser, progress).await {
        Ok(s) => Some(s),
        Err(e) => {
            first_error = Some(e.exit_code());
            None
        }
    };
    let mut capture = None;
    if let Some(s) = &session {
        if cfg.screenshots.is_some() || cfg.report.is_some() {
            let dir = cfg.screenshots.clone().or_else(|| cfg.report.clone());
            let c = Arc::new(Capture::new(None, dir, true));
            if let Err(e) = s.browser().set_capture(c.clone()).await {
                progress.note(&format!("screenshots off: {e}"));
            } else {
                capture = Some(c);
            }
        }
    }
    let generation = std::sync::Mutex::new(match cfg.pim_version {
        GenerationChoice::Fixed(g) => g,
        GenerationChoice::Auto => Generation::V3,
    });
    if let Some(session) = session {
        let outcome = guarded(async {
            Ok::<_, Error>(flow(session.browser(), cfg, progress, &generation).await)
        })
        .await;
        match finish(session, outcome, progress).await {
            Ok(code) => first_error = first_error.or(code),
            Err(e) => first_error = first_error.or(Some(e.exit_code())),
        }
    }
    // Whatever did not run is recorded as skipped.
    let done: Vec<String> = progress.steps().into_iter().map(|s| s.name).collect();
    let g = *generation.lock().unwrap();
    let all: Vec<&str> = if cfg.cleanup {
        steps_for(g)
            .iter()
            .chain(cleanup_steps_for(g).iter())
            .copied()
            .collect()
    } else {
        steps_for(g).to_vec()
    };
    for name in all {
        if !done.iter().any(|d| d == name) {
            progress.skip(name, "not run: an earlier step failed");
        }
    }
    if let (Some(dir), Some(c)) = (&cfg.report, &capture) {
        crate::screenshots::write_report(dir, "pim-credentials check", progress, c);
    }
    let steps = progress.steps();
    let failed = steps.iter().any(|s| s.status != Status::Passed);
    CheckResult {
        exit_code: match (failed, first_error) {
            (false, _) => 0,
            (true, Some(code)) if code != 0 => code,
            (true, _) => crate::error::exit::OTHER,
        },
        steps,
    }
}

/// The steps proper. `Some(exit code)` of the first failure, `None` when all passed.
async fn flow(
    b: &Browser,
    cfg: &CheckConfig,
    progress: &Progress,
    generation: &std::sync::Mutex<Generation>,
) -> Option<i32> {
    let pim = Pim::new(b, &cfg.browser.pim_url);
    let (user, role, connection) = names(&cfg.run_id);
    let names = steps::Names {
        user: &user,
        role: &role,
        connection: &connection,
    };
    let password = crate::secrets::generate_password(crate::flow::GENERATED_PASSWORD_LEN);
    b.add_secret(cfg.admin_password.expose());
    b.add_secret(password.expose());
    let mut created = Created::default();
    let g = match steps::log_in(pim, cfg, progress).await {
        Ok(g) => g,
        Err(e) => return Some(e.exit_code()),
    };
    *generation.lock().unwrap() = g;
    let pim = pim.with_generation(g);
    // As provision: in-page clicks up to 5.x, WebDriver's own click on the 6.x+ pages.
    b.set_inpage_clicks(g < Generation::V6);
    let main = if g.has_connections() {
        steps::steps_4x(pim, progress, &names, &mut created).await
    } else {
        steps::steps_3x(pim, progress, &names, &password, &mut created).await
    };
    let mut code = main.err().map(|e| e.exit_code());
    if cfg.cleanup {
        if let Err(e) = cleanup::cleanup(pim, progress, &names, &created).await {
            code = code.or(Some(e.exit_code()));
        }
    }
    code
}

/// The per-step table (step, status, duration, detail).
pub fn table(steps: &[StepRecord]) -> String {
    let mut out = format!(
        "{:<24} {:<6} {:>9}  {}\n",
        "STEP", "STATUS", "DURATION", "DETAIL"
    );
    for s in steps {
        let status = match s.status {
            Status::Passed => "pass",
            Status::Failed => "FAIL",
            Status::Skipped => "skip",
        };
        out.push_str(&format!(
            "{:<24} {:<6} {:>9}  {}\n",
            s.name,
            status,
            crate::progress::fmt_duration(Duration::from_millis(s.millis as u64)),
            s.detail
        ));
    }
    let passed = steps.iter().filter(|s| s.status == Status::Passed).count();
    out.push_str(&format!("{passed}/{} steps passed\n", steps.len()));
    out
}

/// The JUnit XML of a check: one testsuite, one testcase per step; a failure carries the
/// error (with its selector) and the screenshot's path.
pub fn junit_xml(pim_url: &str, steps: &[StepRecord]) -> String {
    let cases: Vec<Case> = steps
        .iter()
        .map(|s| Case {
            name: s.name.clone(),
            classname: "pim-credentials.check".into(),
            seconds: s.millis as f64 / 1000.0,
            outcome: match s.status {
                Status::Passed => Outcome::Passed,
                Status::Skipped => Outcome::Skipped {
                    message: s.detail.clone(),
                },
                Status::Failed => {
                    let shot = s
                        .artifacts
                        .as_ref()
                        .map(|d| d.join(format!("{}.png", crate::model::slug(&s.name))));
                    let text = match &shot {
                        Some(p) => format!("{}\nscreenshot: {}", s.detail, p.display()),
                        None => s.detail.clone(),
                    };
                    let message = match &shot {
                        Some(p) => format!("{} (screenshot: {})", s.detail, p.display()),
                        None => s.detail.clone(),
                    };
                    Outcome::Failed { message, text }
                }
            },
        })
        .collect();
    junit::render(&format!("pim-credentials check {pim_url}"), &cases)
}

/// A default browser configuration for `pim_url` (chromedriver + headless Chromium).
pub fn browser_config(pim_url: &str, timeout: Duration, artifacts_dir: PathBuf) -> BrowserConfig {
    BrowserConfig {
        pim_url: pim_url.trim_end_matches('/').to_string(),
        webdriver: None,
        browser: BrowserKind::Chromium,
        headful: false,
        timeout,
        artifacts_dir,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_akeneo_limits() {
        let (u, r, c) = names("3f9a");
        assert_eq!(r, "My API user role 3f9a");
        assert!(names("abcdefgh").1.chars().count() <= 25);
        assert_eq!(u, "myAPIuser_3f9a");
        assert!(c.ends_with(" 3f9a"));
        assert!(check_run_id("3f9a").is_ok());
        assert!(check_run_id("toolong12").is_err());
        assert!(check_run_id("a b").is_err());
        assert_eq!(new_run_id().len(), 4);
    }

    #[test]
    fn failures_name_the_screenshot() {
        let steps = vec![StepRecord {
            name: "grant Web API access".into(),
            status: Status::Failed,
            detail: "step 'grant Web API access': `a[href=\"#x\"]` never became visible [artifacts: out/2026]".into(),
            millis: 1200,
            artifacts: Some(PathBuf::from("out/2026")),
        }];
        let xml = junit_xml("http://127.0.0.1:1", &steps);
        assert!(xml.contains("out/2026/grant-web-api-access.png"), "{xml}");
        assert!(xml.contains("a[href=&quot;#x&quot;]"), "{xml}");
    }
}
