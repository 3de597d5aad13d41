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

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::BrowserKind;
use crate::error::{exit, Error};
use crate::flow::{GenerationOptions, ProvisionConfig, Provisioned};
use crate::output::{self, Format};
use crate::pim::GenerationChoice;
use crate::progress::{fmt_duration, Progress, Status};
use crate::secrets::Secret;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    admin_user: Option<String>,
    admin_password_env: Option<String>,
    api_user: Option<String>,
    api_password_env: Option<String>,
    role: Option<String>,
    connection: Option<String>,
    generation: Option<String>,
    console: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpec {
    name: Option<String>,
    url: String,
    #[serde(flatten)]
    settings: Settings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    defaults: Settings,
    #[serde(alias = "instance", default)]
    instances: Vec<InstanceSpec>,
}

/// One PIM instance of a fleet, with the defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Unique name (letters, digits, `.`, `_`, `-`): the label in the summary and the file name
    /// with `--output-dir`.
    pub name: String,
    /// PIM base URL, without trailing slash.
    pub url: String,
    /// Administrator login.
    pub admin_user: String,
    /// Name of the environment variable holding the administrator password.
    pub admin_password_env: String,
    /// API user to create or reuse.
    pub api_user: String,
    /// Name of the environment variable holding the API user's password (else generated).
    pub api_password_env: Option<String>,
    /// Role label.
    pub role: String,
    /// API connection label.
    pub connection: String,
    /// Declared generation (`auto` when not given: detected).
    pub generation: GenerationChoice,
    /// 1.7: the prefix that runs the PIM's console (as `--console`).
    pub console: Option<String>,
}

/// A parsed and validated fleet file.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The instances, in file order.
    pub instances: Vec<Instance>,
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(|c| c == '-' || c == '.')
        .to_string()
}

impl Fleet {
    /// Reads and validates a fleet file.
    pub fn load(path: &Path) -> Result<Fleet, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read fleet file {}: {e}", path.display()))?;
        Fleet::parse(&text).map_err(|e| format!("fleet file {}: {e}", path.display()))
    }

    /// Parses and validates a fleet file's text: every instance has a URL and the name of the
    /// variable holding its admin password; names are unique; labels fit Akeneo's limits.
    pub fn parse(text: &str) -> Result<Fleet, String> {
        let file: FleetFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.instances.is_empty() {
            return Err("no [[instances]] listed".into());
        }
        let d = &file.defaults;
        let mut names = HashSet::new();
        let mut instances = Vec::new();
        for (i, spec) in file.instances.iter().enumerate() {
            let n = i + 1;
            let s = &spec.settings;
            let url = spec.url.trim().trim_end_matches('/').to_string();
            match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => {
                    return Err(format!(
                        "instance {n}: url {:?} is not an http(s) URL",
                        spec.url
                    ))
                }
            }
            let name = match &spec.name {
                Some(x) => {
                    let safe = safe_name(x);
                    if safe != *x || x.is_empty() {
                        return Err(format!(
                            "instance {n}: name {x:?} may only hold letters, digits, '.', '_' and '-'"
                        ));
                    }
                    safe
                }
                None => {
                    let u = url::Url::parse(&url).expect("checked above");
                    let host = u.host_str().unwrap_or("pim");
                    match u.port() {
                        Some(p) => safe_name(&format!("{host}-{p}")),
                        None => safe_name(host),
                    }
                }
            };
            if !names.insert(name.clone()) {
                return Err(format!(
                    "instance {n}: name {name:?} is used twice (set distinct `name`s)"
                ));
            }
            let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
            let admin_password_env = pick(&s.admin_password_env, &d.admin_password_env)
                .ok_or_else(|| {
                    format!(
                        "instance {name}: admin_password_env missing (the NAME of the environment \
                         variable holding its admin password)"
                    )
                })?;
            let role = pick(&s.role, &d.role).unwrap_or_else(|| "My API user role".into());
            let role_chars = role.chars().count();
            if role.trim().is_empty() || role_chars > 25 {
                return Err(format!(
                    "instance {name}: role {role:?} must have 1 to 25 characters (Akeneo's limit), it has {role_chars}"
                ));
            }
            let connection = pick(&s.connection, &d.connection)
                .unwrap_or_else(|| "My very first API connection".into());
            if connection.trim().is_empty() || connection.chars().count() > 255 {
                return Err(format!(
                    "instance {name}: connection label must have 1 to 255 characters"
                ));
            }
            let api_user = pick(&s.api_user, &d.api_user).unwrap_or_else(|| "myAPIuser".into());
            if api_user.trim().is_empty() {
                return Err(format!("instance {name}: api_user must not be empty"));
            }
            let generation: GenerationChoice = pick(&s.generation, &d.generation)
                .unwrap_or_else(|| "auto".into())
                .parse()
                .map_err(|e| format!("instance {name}: generation: {e}"))?;
            instances.push(Instance {
                name,
                url,
                admin_user: pick(&s.admin_user, &d.admin_user).unwrap_or_else(|| "admin".into()),
                admin_password_env,
                api_user,
                api_password_env: pick(&s.api_password_env, &d.api_password_env),
                role,
                connection,
                generation,
                console: pick(&s.console, &d.console),
            });
        }
        Ok(Fleet { instances })
    }
}

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
        pim_url: inst.url.clone(),
        admin_user: inst.admin_user.clone(),
        admin_password,
        api_user: inst.api_user.clone(),
        api_password,
        reset_password: false,
        role: inst.role.clone(),
        connection: inst.connection.clone(),
        webdriver: opts.webdriver.clone(),
        browser: opts.browser,
        headful: opts.headful,
        verify: opts.verify,
        timeout: opts.timeout,
        artifacts_dir: opts.artifacts_dir.join(&inst.name),
        trace: None,
        generation: GenerationOptions {
            pim_version: inst.generation,
            console: inst.console.clone(),
            ..Default::default()
        },
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

#[cfg(test)]
mod tests {
    use super::*;

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
