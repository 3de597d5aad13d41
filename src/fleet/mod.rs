//! Fleets: provision many PIM instances from one TOML file, up to N browser sessions at once
//! (tokio tasks; locally one driver per session, or through a Selenium Grid that queues what it
//! cannot serve yet). One instance failing does not stop the others; every instance gets one
//! result.
//!
//! ```toml
//! [defaults]                       # optional; every key below may also be set per instance
//! admin_user = "admin"
//! api_user = "myAPIuser"
//! role = "My API user role"
//! connection = "My very first API connection"
//!
//! [[instances]]
//! name = "eu-prod"                 # optional (default: host-port); file name with --output-dir
//! url = "https://pim-eu.example.com"
//! admin_password_env = "PIM_EU_ADMIN_PASSWORD"   # the NAME of the variable, never the value
//! api_password_env = "PIM_EU_API_PASSWORD"       # optional; else a password is generated
//! generation = "3"                 # optional: auto (default), 1.7, 2, 3, 4, 5, 6, 7
//! console = "ssh pim@host php /srv/pim/app/console"   # optional, 1.7 only (see --console)
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;

use crate::browser::BrowserKind;

mod file;
mod results;
use crate::error::Error;
use crate::flow::{GenerationOptions, ProvisionConfig, Provisioned};
use crate::progress::{fmt_duration, Progress, Status};
use crate::secrets::Secret;
pub use file::{Fleet, Instance};
pub use results::{exit_code, output_file, summary, to_json_array, write_dir, InstanceOutcome};

/// How a fleet is run (the browser options of `provision`, plus the parallelism).
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Sessions at once (at least 1).
    pub parallel: usize,
    /// WebDriver URL (a Selenium Grid, typically); `None`: one local driver per session.
    pub webdriver: Option<String>,
    /// Which browser.
    pub browser: BrowserKind,
    /// Show the browser windows.
    pub headful: bool,
    /// Get a token and call the API at the end of each instance.
    pub verify: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Failure artifacts go to `<artifacts_dir>/<instance name>/`.
    pub artifacts_dir: PathBuf,
}

/// Runs the fleet, reading the passwords from the process environment.
pub async fn run(fleet: &Fleet, opts: &FleetOptions, progress: &Progress) -> Vec<InstanceOutcome> {
    run_with_env(
        fleet,
        opts,
        progress,
        Arc::new(|k: &str| std::env::var(k).ok()),
    )
    .await
}

/// A lookup of environment variables (tests pass their own).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Runs the fleet: up to `opts.parallel` instances at once, each in its own tokio task with its
/// own browser session; results in file order. Ctrl-C: running instances stop (their browsers
/// torn down by the flow), waiting ones are not started; each says so in its result.
pub async fn run_with_env(
    fleet: &Fleet,
    opts: &FleetOptions,
    progress: &Progress,
    env: EnvLookup,
) -> Vec<InstanceOutcome> {
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.parallel.max(1)));
    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = {
        let interrupted = interrupted.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                interrupted.store(true, Ordering::SeqCst);
            }
        })
    };
    let verbosity = progress.verbosity();
    let total = fleet.instances.len();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, inst) in fleet.instances.iter().cloned().enumerate() {
        let slots = slots.clone();
        let interrupted = interrupted.clone();
        let env = env.clone();
        let opts = opts.clone();
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore never closed");
            let start = Instant::now();
            let (result, failed_step) = if interrupted.load(Ordering::SeqCst) {
                (Err(Error::Interrupted), Some("not started".to_string()))
            } else {
                if verbosity >= 1 {
                    eprintln!("  · {}: started ({})", inst.name, inst.url);
                }
                let fut = std::panic::AssertUnwindSafe(provision_one(&inst, &opts, env));
                match fut.catch_unwind().await {
                    Ok(r) => r,
                    Err(_) => (
                        Err(Error::Other(anyhow::anyhow!("the run panicked (a bug)"))),
                        None,
                    ),
                }
            };
            let outcome = InstanceOutcome {
                name: inst.name.clone(),
                pim_url: inst.url.clone(),
                result,
                failed_step,
                elapsed: start.elapsed(),
            };
            if verbosity >= 0 {
                let line = match &outcome.result {
                    Ok(p) => format!("client id {}", p.credentials.client_id),
                    Err(e) => e.to_string(),
                };
                eprintln!(
                    "[{}] {:<22} {:>7}  {}",
                    if outcome.ok() { "ok  " } else { "FAIL" },
                    outcome.name,
                    fmt_duration(outcome.elapsed),
                    line
                );
            }
            (index, outcome)
        });
    }
    let mut outcomes: Vec<Option<InstanceOutcome>> = (0..total).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        // The task body catches panics itself, so a join error means it was cancelled.
        if let Ok((i, o)) = joined {
            outcomes[i] = Some(o);
        }
    }
    watcher.abort();
    outcomes
        .into_iter()
        .zip(&fleet.instances)
        .map(|(o, inst)| {
            o.unwrap_or_else(|| InstanceOutcome {
                name: inst.name.clone(),
                pim_url: inst.url.clone(),
                result: Err(Error::Other(anyhow::anyhow!(
                    "the instance's task was lost"
                ))),
                failed_step: None,
                elapsed: Duration::ZERO,
            })
        })
        .collect()
}

/// One instance: read its secrets, provision it with a silent progress (the steps are kept for
/// the failed step's name).
async fn provision_one(
    inst: &Instance,
    opts: &FleetOptions,
    env: EnvLookup,
) -> (Result<Provisioned, Error>, Option<String>) {
    let admin_password = match env(&inst.admin_password_env) {
        Some(v) if !v.is_empty() => Secret::new(v),
        _ => {
            return (
                Err(Error::Usage(format!(
                    "environment variable {} (admin password of {}) is not set",
                    inst.admin_password_env, inst.name
                ))),
                Some("read secrets".into()),
            )
        }
    };
    let api_password = match &inst.api_password_env {
        None => None,
        Some(var) => match env(var) {
            Some(v) if !v.is_empty() => Some(Secret::new(v)),
            _ => {
                return (
                    Err(Error::Usage(format!(
                        "environment variable {var} (API password of {}) is not set",
                        inst.name
                    ))),
                    Some("read secrets".into()),
                )
            }
        },
    };
    let cfg = ProvisionConfig {
        api_user: inst.api_user.clone(),
        api_password,
        role: inst.role.clone(),
        connection: inst.connection.clone(),
        webdriver: opts.webdriver.clone(),
        browser: opts.browser,
        headful: opts.headful,
        verify: opts.verify,
        timeout: opts.timeout,
        artifacts_dir: opts.artifacts_dir.join(&inst.name),
        generation: GenerationOptions {
            pim_version: inst.generation,
            console: inst.console.clone(),
            ..Default::default()
        },
        ..ProvisionConfig::new(&inst.url, &inst.admin_user, admin_password)
    };
    let progress = Progress::silent();
    let result = crate::flow::provision(&cfg, &progress).await;
    let failed_step = result.as_ref().err().and_then(|_| {
        progress
            .steps()
            .into_iter()
            .rev()
            .find(|s| s.status == Status::Failed)
            .map(|s| s.name)
    });
    (result, failed_step)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::exit;
    use crate::pim::GenerationChoice;

    const FILE: &str = r#"
[defaults]
admin_user = "root"
role = "API role"

[[instances]]
name = "eu"
url = "http://127.0.0.1:8080/"
admin_password_env = "EU_PW"

[[instances]]
url = "https://pim.example.com:8443"
admin_password_env = "OTHER_PW"
api_password_env = "OTHER_API_PW"
role = "Other role"
generation = "4"
"#;

    #[test]
    fn parses_defaults_names_and_overrides() {
        let f = Fleet::parse(FILE).unwrap();
        assert_eq!(f.instances.len(), 2);
        let (a, b) = (&f.instances[0], &f.instances[1]);
        assert_eq!(a.name, "eu");
        assert_eq!(a.url, "http://127.0.0.1:8080");
        assert_eq!(a.admin_user, "root");
        assert_eq!(a.role, "API role");
        assert_eq!(a.connection, "My very first API connection");
        assert_eq!(a.generation, GenerationChoice::Auto);
        assert_eq!(b.name, "pim.example.com-8443");
        assert_eq!(b.role, "Other role");
        assert_eq!(b.api_password_env.as_deref(), Some("OTHER_API_PW"));
        assert_eq!(b.generation.to_string(), "4.x");
    }

    #[test]
    fn rejects_bad_files_with_the_instance_named() {
        let e = Fleet::parse("[[instances]]\nurl = \"http://a\"\n").unwrap_err();
        assert!(e.contains("admin_password_env missing"), "{e}");
        let e = Fleet::parse("[[instances]]\nurl = \"ftp://a\"\nadmin_password_env=\"X\"\n")
            .unwrap_err();
        assert!(e.contains("not an http(s) URL"), "{e}");
        let two = "[[instances]]\nname=\"a\"\nurl=\"http://a\"\nadmin_password_env=\"X\"\n";
        let e = Fleet::parse(&format!("{two}{two}")).unwrap_err();
        assert!(e.contains("used twice"), "{e}");
        let e = Fleet::parse(
            "[[instances]]\nurl=\"http://a\"\nadmin_password_env=\"X\"\nrole=\"12345678901234567890123456\"\n",
        )
        .unwrap_err();
        assert!(e.contains("25 characters"), "{e}");
        let e =
            Fleet::parse("[[instances]]\nurl=\"http://a\"\nadmin_password=\"oops\"\n").unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
        let e = Fleet::parse(
            "[[instances]]\nname=\"../x\"\nurl=\"http://a\"\nadmin_password_env=\"X\"\n",
        )
        .unwrap_err();
        assert!(e.contains("may only hold"), "{e}");
        assert!(Fleet::parse("").unwrap_err().contains("no [[instances]]"));
        let e = Fleet::parse(
            "[[instances]]\nurl=\"http://a\"\nadmin_password_env=\"X\"\ngeneration=\"9\"\n",
        )
        .unwrap_err();
        assert!(e.contains("unknown PIM version"), "{e}");
    }

    #[test]
    fn exit_code_is_zero_only_when_all_succeeded() {
        let failed = |e: Error| InstanceOutcome {
            name: "x".into(),
            pim_url: "http://x".into(),
            result: Err(e),
            failed_step: None,
            elapsed: Duration::ZERO,
        };
        assert_eq!(exit_code(&[]), exit::OK);
        assert_eq!(exit_code(&[failed(Error::browser("b"))]), exit::BROWSER);
        assert_eq!(
            exit_code(&[
                failed(Error::browser("b")),
                failed(Error::Verify("v".into()))
            ]),
            exit::OTHER
        );
        let j = failed(Error::Verify("v".into())).to_json();
        assert_eq!(j["status"], "failed");
        assert_eq!(j["exit_code"], exit::VERIFY);
    }
}
