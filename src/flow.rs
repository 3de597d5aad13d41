//! The tutorial as idempotent steps: log in, ensure user, ensure role, ensure connection,
//! read credentials, verify.

use std::path::PathBuf;
use std::time::Duration;

use crate::secrets::Secret;

/// Everything `provision` needs, already validated by the CLI.
#[derive(Debug, Clone)]
pub struct ProvisionConfig {
    /// Base URL of the PIM, without trailing slash (e.g. `http://127.0.0.1:8080`).
    pub pim_url: String,
    /// Administrator login.
    pub admin_user: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The API user to ensure (tutorial: `myAPIuser`).
    pub api_user: String,
    /// Its password; `None`: generate one (24 characters) when the user must be created.
    pub api_password: Option<Secret>,
    /// Reset the password of an existing API user (needs `api_password` or generates one).
    pub reset_password: bool,
    /// Role label (tutorial: "My API user role", max 25 characters).
    pub role: String,
    /// API connection label (tutorial: "My very first API connection").
    pub connection: String,
    /// WebDriver URL; `None`: start chromedriver + headless Chromium.
    pub webdriver: Option<String>,
    /// Which browser (Chromium or Firefox; locally or through a Grid).
    pub browser: BrowserKind,
    /// Show the browser window.
    pub headful: bool,
    /// Get a token and call the API at the end.
    pub verify: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
    /// Generation options (`--pim-version`, `--console`, `--flow-type`, `--regenerate-password`).
    pub generation: GenerationOptions,
    /// Write a trace of every WebDriver command (per step, with durations) to this file at the
    /// end of the run, even when it fails.
    pub trace: Option<PathBuf>,
}

/// What the generations beyond 3.x need.
#[derive(Debug, Clone, Default)]
pub struct GenerationOptions {
    /// `--pim-version`: detect (default) or a forced generation.
    pub pim_version: pim::GenerationChoice,
    /// 1.7: the prefix that runs the PIM's console (`docker exec pim php app/console`), split
    /// like a shell would; `None`: stop and print the command to run.
    pub console: Option<String>,
    /// 4.x+: the flow type of a new connection.
    pub flow_type: pim::FlowType,
    /// 4.x+: regenerate the password of an existing connection (its old password stops working).
    pub regenerate_password: bool,
    /// 3.x `--reset-password`: the existing API user's CURRENT password, which Akeneo 3.x
    /// requires to change it (`PIM_API_CURRENT_PASSWORD` / `--api-current-password-file`).
    pub current_api_password: Option<Secret>,
}

/// Which of the three entities this run created (false: reused).
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq, Eq)]
pub struct Created {
    /// The API user was created.
    pub user: bool,
    /// The role was created.
    pub role: bool,
    /// The API connection was created.
    pub connection: bool,
    /// Creations sent to the PIM but not (yet) confirmed ("user", "role", "connection"): a
    /// run that stops then says the PIM may hold them.
    #[serde(skip)]
    pub unconfirmed: Vec<&'static str>,
}

impl Created {
    fn sending(&mut self, what: &'static str) {
        if !self.unconfirmed.contains(&what) {
            self.unconfirmed.push(what);
        }
    }

    fn confirm(&mut self, what: &'static str) {
        self.unconfirmed.retain(|w| *w != what);
        match what {
            "user" => self.user = true,
            "role" => self.role = true,
            _ => self.connection = true,
        }
    }
}

/// The result of a provision run.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// PIM base URL.
    pub pim_url: String,
    /// Detected generation, e.g. "3.x".
    pub pim_version: String,
    /// OAuth client id (`<n>_<random>`).
    pub client_id: String,
    /// OAuth secret.
    pub secret: Secret,
    /// API username.
    pub username: String,
    /// API password; `None` when an existing user was reused and its password is unknown.
    pub password: Option<Secret>,
    /// Role label.
    pub role: String,
    /// Connection label.
    pub connection: String,
    /// A token was obtained and an API call succeeded.
    pub verified: bool,
    /// What this run created.
    pub created: Created,
    /// Notes worth telling the user (e.g. "the role lacks the channel list ACL").
    pub notes: Vec<String>,
    /// Why verification failed, when it did: the credentials were created all the same and are
    /// still reported (a generated or once-shown password must not be lost); the command then
    /// exits with the verification code (4).
    pub verify_error: Option<String>,
}

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

use futures::FutureExt;

use crate::browser::{self, Browser, BrowserKind, BrowserSession, LaunchOptions};
use crate::error::Error;
use crate::pim::{
    self, Acl, ApiConnectionsPage, ClientCredentials, ConnectionsPage, Credentials, Generation,
    GenerationChoice, LoginPage, NewUser, Pim, RoleForm, RolesPage, UsersPage, Verified,
};
use crate::progress::Progress;

/// Length of a generated API password.
pub const GENERATED_PASSWORD_LEN: usize = 24;

/// What a browser run needs: where the PIM is and how to get a browser.
#[derive(Debug, Clone)]
pub struct BrowserConfig {
    /// Base URL of the PIM, without trailing slash.
    pub pim_url: String,
    /// WebDriver URL; `None`: start chromedriver + headless Chromium.
    pub webdriver: Option<String>,
    /// Which browser (Chromium or Firefox; locally or through a Grid).
    pub browser: BrowserKind,
    /// Show the browser window.
    pub headful: bool,
    /// Deadline of each wait.
    pub timeout: Duration,
    /// Where failure artifacts go.
    pub artifacts_dir: PathBuf,
}

impl From<&ProvisionConfig> for BrowserConfig {
    fn from(c: &ProvisionConfig) -> Self {
        BrowserConfig {
            pim_url: c.pim_url.trim_end_matches('/').to_string(),
            webdriver: c.webdriver.clone(),
            browser: c.browser,
            headful: c.headful,
            timeout: c.timeout,
            artifacts_dir: c.artifacts_dir.clone(),
        }
    }
}

/// Runs the whole flow; owns the browser session and ALWAYS tears it down (end, error, panic via
/// catch_unwind, Ctrl-C via tokio::signal::ctrl_c raced against the flow -> Error::Interrupted
/// after teardown, with what was created so far reported through `progress.note`).
pub async fn provision(cfg: &ProvisionConfig, progress: &Progress) -> crate::Result<Provisioned> {
    provision_with_capture(cfg, progress, None).await
}

/// [`provision`] with a documentation capture sink installed in the browser (tutorial images
/// and/or numbered per-step images, see `browser::Capture`).
pub async fn provision_with_capture(
    cfg: &ProvisionConfig,
    progress: &Progress,
    capture: Option<std::sync::Arc<crate::browser::Capture>>,
) -> crate::Result<Provisioned> {
    let bc = BrowserConfig::from(cfg);
    let created = Mutex::new(Created::default());
    let session = start_browser(&bc, progress).await?;
    if let Some(c) = capture {
        if let Err(e) = session.browser().set_capture(c).await {
            session.close().await;
            return Err(e);
        }
    }
    session.browser().set_tracing(cfg.trace.is_some());
    let outcome = guarded(run(session.browser(), cfg, progress, &created)).await;
    if let Some(path) = &cfg.trace {
        write_trace(path, session.browser(), &outcome, progress);
    }
    let res = finish(session, outcome, progress).await;
    if let Err(e) = &res {
        // Whatever stopped the run: say what it left in the PIM.
        let c = created.lock().unwrap().clone();
        let how = if matches!(e, Error::Interrupted) {
            "interrupted"
        } else {
            "stopped"
        };
        let maybe = if c.unconfirmed.is_empty() {
            String::new()
        } else {
            format!(
                "; sent but not confirmed (the PIM may hold it, check): {}",
                c.unconfirmed.join(", ")
            )
        };
        if !c.user && !c.role && !c.connection && c.unconfirmed.is_empty() {
            progress.note(&format!("{how}; nothing was created in the PIM"));
        } else {
            progress.note(&format!(
                "{how}; created so far: user {}, role {}, connection {}{maybe}",
                yes_no(c.user),
                yes_no(c.role),
                yes_no(c.connection)
            ));
        }
    }
    res
}

/// Opens a browser as `provision` does (reported as the step "start browser"), for running
/// several flows on one session ([`provision_on`]); close it with `BrowserSession::close`.
pub async fn open_browser(
    bc: &BrowserConfig,
    progress: &Progress,
) -> crate::Result<BrowserSession> {
    start_browser(bc, progress).await
}

/// Runs the provision flow on a browser that is already open (warm: no chromedriver or
/// Chromium start, no teardown; the caller owns the session). `cfg.pim_url` is used, and
/// `cfg.webdriver` / `cfg.headful` / `cfg.trace` are ignored: the browser is given.
pub async fn provision_on(
    b: &Browser,
    cfg: &ProvisionConfig,
    progress: &Progress,
) -> crate::Result<Provisioned> {
    let created = Mutex::new(Created::default());
    run(b, cfg, progress, &created).await
}

/// Writes the trace document (commands per step, then each command) with the run's outcome
/// and the steps' wall times. A write failure is a note, never the run's failure.
fn write_trace<T>(
    path: &std::path::Path,
    b: &Browser,
    outcome: &Option<std::thread::Result<crate::Result<T>>>,
    progress: &Progress,
) {
    let mut doc = browser::trace_document(&b.take_trace());
    doc["outcome"] = serde_json::json!(match outcome {
        Some(Ok(Ok(_))) => "ok".to_string(),
        Some(Ok(Err(e))) => format!("failed in step '{}': {e}", b.step()),
        Some(Err(_)) => "panicked".to_string(),
        None => "interrupted".to_string(),
    });
    doc["step_wall_ms"] = progress
        .steps()
        .iter()
        .map(|s| (s.name.clone(), serde_json::json!(s.millis)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    match crate::output::write_atomic_0600(path, &text) {
        Ok(()) => progress.info(&format!("trace written to {}", path.display())),
        Err(e) => progress.note(&format!("cannot write the trace {}: {e}", path.display())),
    }
}

/// Verifies credentials from a browser on the PIM's origin (token, then the 3.x probe call);
/// the browser is started and torn down like `provision` does. For a `verify` subcommand.
pub async fn verify_credentials(
    bc: &BrowserConfig,
    creds: &Credentials,
    progress: &Progress,
) -> crate::Result<Verified> {
    let session = start_browser(bc, progress).await?;
    let b = session.browser();
    let pim = Pim::new(b, &bc.pim_url);
    let outcome = guarded(step(b, progress, "verify", async {
        let v = pim::verify_credentials(pim, creds, pim::api::PROBE_3X).await?;
        let detail = match &v {
            Verified::Ok => "token and API call ok".to_string(),
            Verified::ResourceAclMissing(m) => format!("access ok; {m}"),
        };
        Ok((v, detail))
    }))
    .await;
    finish(session, outcome, progress).await
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Starts the browser (reporting it as a step).
pub(crate) async fn start_browser(
    bc: &BrowserConfig,
    progress: &Progress,
) -> crate::Result<BrowserSession> {
    let opts = LaunchOptions {
        webdriver: bc.webdriver.clone(),
        headful: bc.headful,
        timeout: bc.timeout,
        artifacts_dir: bc.artifacts_dir.clone(),
        browser: bc.browser,
        env_remove: browser::secret_env_names(),
    };
    progress.begin("start browser");
    // Raced against Ctrl-C/SIGTERM too: dropping a half-done launch kills what it started.
    let launched = tokio::select! {
        r = browser::launch(&opts) => r,
        _ = interrupted() => Err(Error::Interrupted),
    };
    match launched {
        Ok(s) => {
            progress.pass(&match (&bc.webdriver, bc.browser) {
                (Some(_), kind) => format!("{kind} session via --webdriver"),
                (None, BrowserKind::Chromium) => "chromedriver + Chromium".to_string(),
                (None, BrowserKind::Firefox) => "geckodriver + Firefox".to_string(),
            });
            Ok(s)
        }
        Err(e) => {
            progress.fail(&e.to_string());
            Err(e)
        }
    }
}

/// Resolves when the user interrupts the run: Ctrl-C (SIGINT), SIGTERM (what CI
/// cancellation and `timeout` send) or SIGHUP. Never resolves when no handler can be installed.
pub(crate) async fn interrupted() {
    crate::browser::termination().await
}

/// Runs `fut` caught against panics and raced against Ctrl-C/SIGTERM (`None`).
pub(crate) async fn guarded<T>(fut: impl Future<Output = T>) -> Option<std::thread::Result<T>> {
    let run = AssertUnwindSafe(fut).catch_unwind();
    tokio::select! {
        r = run => Some(r),
        _ = interrupted() => None,
    }
}

/// Tears the browser down, then turns the guarded outcome into the result: a panic is resumed,
/// Ctrl-C is `Error::Interrupted`.
pub(crate) async fn finish<T>(
    session: BrowserSession,
    outcome: Option<std::thread::Result<crate::Result<T>>>,
    progress: &Progress,
) -> crate::Result<T> {
    session.close().await;
    match outcome {
        Some(Ok(r)) => r,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => {
            progress.fail("interrupted");
            Err(Error::Interrupted)
        }
    }
}

/// Runs one named step: reports it, and on failure saves the page's artifacts and says where.
pub(crate) async fn step<T>(
    b: &Browser,
    progress: &Progress,
    name: &str,
    fut: impl Future<Output = crate::Result<(T, String)>>,
) -> crate::Result<T> {
    progress.begin(name);
    b.set_step(name);
    match fut.await {
        Ok((v, detail)) => {
            progress.pass(&detail);
            b.step_snapshot(name).await;
            Ok(v)
        }
        Err(e) => {
            let artifacts = match e {
                Error::Verify(_) | Error::Interrupted => None,
                _ => b.save_failure_artifacts().await,
            };
            match artifacts {
                Some(dir) => progress.fail(&format!("{e} [artifacts: {}]", dir.display())),
                None => progress.fail(&e.to_string()),
            }
            b.step_snapshot(name).await;
            Err(e)
        }
    }
}

/// How often a step is re-run after the PIM session expired (each time after logging in again).
const MAX_RELOGINS: u32 = 3;
/// How often a step is re-run after another failure (a save answered 500, a re-render ...).
const MAX_RETRIES: u32 = 1;

/// `--reset-password` on an existing API user (1.7 to 3.x). Akeneo 3.x changes a password in
/// the user edit form's "Password" tab only with the EDITED user's current password
/// (`UserController::validatePassword`); 1.7/2.x show that tab only on one's own account (the
/// user form's password fields exist only on creation). Returns the new password and how it
/// was set.
async fn reset_password(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    users: UsersPage<'_>,
    generation: Generation,
) -> crate::Result<(Secret, &'static str)> {
    if generation != Generation::V3 {
        return Err(Error::Usage(format!(
            "--reset-password: Akeneo {generation} lets an administrator set a password only \
             when creating a user (the Password tab is shown on one's own account only); \
             delete {} in System > Users and run again to create it with a new password, or \
             pass its current password in PIM_API_PASSWORD without --reset-password",
            cfg.api_user
        )));
    }
    let Some(current) = cfg.generation.current_api_password.clone() else {
        return Err(Error::Usage(format!(
            "--reset-password: Akeneo 3.x changes a user's password only with that user's \
             current password (\"Wrong password\" otherwise, even for an administrator): pass \
             the current password of {} in PIM_API_CURRENT_PASSWORD or \
             --api-current-password-file, or delete the user in System > Users and run again; \
             nothing was changed",
            cfg.api_user
        )));
    };
    let (password, how) = match cfg.api_password.clone() {
        Some(p) => (p, "the given password"),
        None => (
            crate::secrets::generate_password(GENERATED_PASSWORD_LEN),
            "a generated password",
        ),
    };
    pim.browser.add_secret(password.expose());
    users
        .edit(&cfg.api_user)
        .await?
        .change_password(&current, &password)
        .await?;
    Ok((password, how))
}

/// Runs a step like [`step`], recovering from what a real back office does: when the session
/// expired (the login form came back), logs in again and re-runs the step; after another
/// recoverable failure, re-runs it once. The steps are idempotent and LOOK before they act
/// (re-open the grid, find the entity), so a save that failed after being committed is found,
/// not repeated.
async fn recovering<T, Fut>(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    progress: &Progress,
    name: &str,
    mut body: impl FnMut() -> Fut,
) -> crate::Result<T>
where
    Fut: Future<Output = crate::Result<(T, String)>>,
{
    let b = pim.browser;
    let (mut relogins, mut retries) = (0, 0);
    loop {
        match step(b, progress, name, body()).await {
            Ok(v) => return Ok(v),
            Err(Error::SessionExpired { .. }) if relogins < MAX_RELOGINS => {
                relogins += 1;
                progress.note(&format!(
                    "step '{name}': the PIM session expired; logging in again and resuming"
                ));
                step(b, progress, "log in again", async {
                    LoginPage::open(pim)
                        .await?
                        .log_in(&cfg.admin_user, &cfg.admin_password)
                        .await?;
                    Ok(((), format!("as {}", cfg.admin_user)))
                })
                .await?;
            }
            Err(e) if retries < MAX_RETRIES && retryable(&e) => {
                retries += 1;
                progress.note(&format!(
                    "step '{name}' failed ({e}); looking at the PIM again before retrying"
                ));
                // Start over from a fresh document: a modal or a half-filled form left by the
                // failure must not survive (re-opening the same #route would not reload).
                b.reload().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Failures worth one more look: a wait that timed out, a page not as expected (a save that
/// answered an error), and the one refusal a look can resolve: "This value is already used."
/// (Symfony's UniqueEntity message: a concurrent run created the same name meanwhile; the
/// retry finds and reuses it). Not other refusals (the same input would be refused again),
/// bad input, a dead browser or Ctrl-C.
fn retryable(e: &Error) -> bool {
    match e {
        Error::Timeout { .. } | Error::Unexpected { .. } => true,
        Error::PimRefused { message, .. } => message.contains("already used"),
        _ => false,
    }
}

/// The flow proper (3.x).
async fn run(
    b: &Browser,
    cfg: &ProvisionConfig,
    progress: &Progress,
    created: &Mutex<Created>,
) -> crate::Result<Provisioned> {
    let base = cfg.pim_url.trim_end_matches('/');
    let pim = Pim::new(b, base);
    b.add_secret(cfg.admin_password.expose());
    if let Some(p) = &cfg.api_password {
        b.add_secret(p.expose());
    }
    let mut notes = Vec::new();

    let layout = step(b, progress, "log in", async {
        let page = LoginPage::open(pim).await?;
        let layout = page.layout();
        page.log_in(&cfg.admin_user, &cfg.admin_password).await?;
        Ok((layout, format!("as {}", cfg.admin_user)))
    })
    .await?;

    let generation = step(b, progress, "detect version", async {
        match cfg.generation.pim_version {
            GenerationChoice::Fixed(g) => Ok((g, format!("{g} (--pim-version)"))),
            GenerationChoice::Auto => {
                let (g, why) = pim::generation::detect(&pim, layout).await?;
                Ok((g, format!("{g}: {why}")))
            }
        }
    })
    .await?;
    let pim = pim.with_generation(generation);
    // In-page clicks (one round trip per click) are verified up to 5.x; the 6.x/7.x
    // design-system pages get WebDriver's own click.
    b.set_inpage_clicks(generation < pim::generation::Generation::V6);

    // Before creating anything: can this admin open the pages the flow needs? (A role
    // without the roles or API-connections permissions gets the 403 error page.)
    if !generation.has_connections() && !generation.console_only() {
        step(b, progress, "check permissions", async {
            let refused = |what: &str, e: Error| match e {
                Error::PimRefused { step, message } => Error::PimRefused {
                    step,
                    message: format!(
                        "{} may not {what} ({message}); nothing was created: use an \
                         administrator whose role has that permission",
                        cfg.admin_user
                    ),
                },
                e => e,
            };
            RolesPage::open(pim)
                .await
                .map_err(|e| refused("manage roles", e))?;
            ApiConnectionsPage::open(pim)
                .await
                .map_err(|e| refused("manage API connections", e))?;
            Ok(((), "roles and API connections can be managed".to_string()))
        })
        .await?;
    }

    let password = if generation.has_connections() {
        let note = format!(
            "{generation}: --api-user does not apply: the connection creates its own hidden API \
             user (read from the Credentials section){}",
            if cfg.api_password.is_some() || cfg.reset_password {
                "; the given API password and --reset-password are ignored"
            } else {
                ""
            }
        );
        progress.note(&note);
        notes.push(note);
        None
    } else {
        // The password of a creation this run attempted: a save that failed after being
        // committed leaves a user this run made, with this password.
        let attempt: &Mutex<Option<Secret>> = &Mutex::new(None);
        recovering(pim, cfg, progress, "ensure user", move || async move {
            let users = UsersPage::open(pim).await?;
            if let Some(page) = users.find(&cfg.api_user).await? {
                if let Some(password) = attempt.lock().unwrap().clone() {
                    created.lock().unwrap().confirm("user");
                    return Ok((
                        Some(password),
                        format!("created (found after a failed save, Users grid page {page})"),
                    ));
                }
                if cfg.reset_password {
                    let (password, how) = reset_password(pim, cfg, users, generation).await?;
                    let note = format!(
                        "user {} exists: its password was reset ({how})",
                        cfg.api_user
                    );
                    progress.note(&note);
                    return Ok((
                        Some(password),
                        format!("password reset (Users grid page {page})"),
                    ));
                }
                progress.note(&format!(
                    "user {} exists: reused, its password left unchanged",
                    cfg.api_user
                ));
                return Ok((
                    cfg.api_password.clone(),
                    format!("reused (Users grid page {page})"),
                ));
            }
            let password = cfg
                .api_password
                .clone()
                .unwrap_or_else(|| crate::secrets::generate_password(GENERATED_PASSWORD_LEN));
            b.add_secret(password.expose());
            *attempt.lock().unwrap() = Some(password.clone());
            let email = format!("{}@example.com", email_local_part(&cfg.api_user));
            let user = NewUser {
                username: &cfg.api_user,
                password: &password,
                first_name: "API",
                last_name: "User",
                email: &email,
            };
            created.lock().unwrap().sending("user");
            let saved = if generation == Generation::V3 {
                users.create().await?.save(&user).await
            } else {
                pim::legacy::TwigUserForm::open(pim)
                    .await?
                    .save(&user)
                    .await
            };
            if let Err(e) = saved {
                if matches!(e, Error::PimRefused { .. }) {
                    // Refused by validation ("This value is already used.": a concurrent run
                    // created it): nothing of ours was committed; a retry finds and reuses it.
                    *attempt.lock().unwrap() = None;
                    created.lock().unwrap().unconfirmed.retain(|w| *w != "user");
                }
                return Err(e);
            }
            created.lock().unwrap().confirm("user");
            Ok((Some(password), "created".to_string()))
        })
        .await?
    };

    let role_attempt: &std::sync::atomic::AtomicBool = &Default::default();
    recovering(pim, cfg, progress, "ensure role", move || async move {
        let roles = RolesPage::open(pim).await?;
        let existed = roles.find(&cfg.role).await?;
        if existed && role_attempt.load(std::sync::atomic::Ordering::SeqCst) {
            // A creation of this run that failed after being committed.
            created.lock().unwrap().confirm("role");
        }
        let form = if existed {
            roles.edit(&cfg.role).await?
        } else {
            RoleForm::create(pim, &cfg.role).await?
        };
        let granted = form.grant(Acl::OverallWebApiAccess).await?;
        // 4.x+: the connection's API user is hidden from the role's Users tab; the role is
        // given to it in the connection's Permissions section instead.
        let (ticked, page) = if generation.has_connections() {
            (false, 0)
        } else {
            form.tick_user(&cfg.api_user).await?
        };
        if existed && !granted && !ticked {
            return Ok((
                (),
                format!("reused (already granted; user already ticked, page {page})"),
            ));
        }
        if !existed {
            role_attempt.store(true, std::sync::atomic::Ordering::SeqCst);
            created.lock().unwrap().sending("role");
        }
        let saved = match form.save().await {
            Err(e @ Error::PimRefused { .. }) => {
                // Refused by validation (label already used by a concurrent run): nothing
                // committed; a retry finds the role and completes it.
                role_attempt.store(false, std::sync::atomic::Ordering::SeqCst);
                created.lock().unwrap().unconfirmed.retain(|w| *w != "role");
                return Err(e);
            }
            other => other?,
        };
        let reopened = saved.reopen().await?;
        if !existed {
            created.lock().unwrap().confirm("role");
        }
        reopened.expect_granted(Acl::OverallWebApiAccess).await?;
        if !generation.has_connections() {
            reopened.expect_user_ticked(&cfg.api_user).await?;
        }
        let mut did = Vec::new();
        if granted {
            did.push("granted Overall Web API access".to_string());
        }
        if ticked {
            did.push(format!("ticked the user (Users tab page {page})"));
        }
        let what = if existed { "reused" } else { "created" };
        Ok((
            (),
            format!("{what}; {}; checked after re-opening", did.join(", ")),
        ))
    })
    .await?;

    let (client, conn_user) = if generation.has_connections() {
        let c = step(b, progress, "ensure connection", async {
            ensure_connection4(pim, cfg, created).await
        })
        .await?;
        (
            ClientCredentials {
                client_id: c.client_id,
                secret: c.secret,
            },
            Some((c.username, c.password.map(Secret::new))),
        )
    } else if generation.console_only() {
        let c = step(b, progress, "ensure connection", async {
            ensure_console_client(cfg, created).await
        })
        .await?;
        b.add_secret(&c.secret);
        (c, None)
    } else {
        let conn_attempt: &std::sync::atomic::AtomicBool = &Default::default();
        let conn_refused: &std::sync::atomic::AtomicBool = &Default::default();
        let page = recovering(
            pim,
            cfg,
            progress,
            "ensure connection",
            move || async move {
                let page = ApiConnectionsPage::open(pim).await?;
                let before = page.all_labelled(&cfg.connection).await?;
                if !before.is_empty() {
                    if conn_attempt.load(std::sync::atomic::Ordering::SeqCst) {
                        created.lock().unwrap().confirm("connection");
                        return Ok((page, "created (found after a failed save)".to_string()));
                    }
                    return Ok((page, "reused".to_string()));
                }
                conn_attempt.store(true, std::sync::atomic::Ordering::SeqCst);
                created.lock().unwrap().sending("connection");
                match page.create(&cfg.connection).await {
                    // The CLI already checked the label (1-255 characters), so a first refusal is
                    // more likely a failed save shown in the popin ("An error occurred."): look
                    // again once; a second refusal is the PIM's answer.
                    Err(Error::PimRefused { step, message })
                        if !conn_refused.swap(true, std::sync::atomic::Ordering::SeqCst) =>
                    {
                        return Err(Error::Unexpected {
                            step,
                            message: format!("the PIM answered: {message}"),
                        });
                    }
                    other => other?,
                }
                created.lock().unwrap().confirm("connection");
                // Labels are not unique: a concurrent run with the same label may have created
                // one too. Keep the oldest of the rows that appeared meanwhile, revoke the others
                // (the other run, by the same rule, keeps the same one); rows that existed
                // before are never touched.
                let after = page.all_labelled(&cfg.connection).await?;
                let new: Vec<_> = after
                    .iter()
                    .filter(|c| !before.iter().any(|o| o.client_id == c.client_id))
                    .collect();
                if new.len() > 1 {
                    for dup in &new[1..] {
                        page.revoke(&dup.client_id).await?;
                    }
                    progress.note(&format!(
                        "another run created connection '{}' at the same time: kept the oldest \
                     ({}), revoked {} duplicate(s)",
                        cfg.connection,
                        new[0].client_id,
                        new.len() - 1
                    ));
                    return Ok((
                        page,
                        format!("created; {} concurrent duplicate(s) revoked", new.len() - 1),
                    ));
                }
                Ok((page, "created".to_string()))
            },
        )
        .await?;

        let tries: &std::sync::atomic::AtomicU32 = &Default::default();
        let page = &page;
        let client = recovering(pim, cfg, progress, "read credentials", move || async move {
            // A retry (after the session expired ...) re-opens the page.
            let fresh;
            let page = if tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                page
            } else {
                fresh = ApiConnectionsPage::open(pim).await?;
                &fresh
            };
            let c = page.read_credentials(&cfg.connection).await?;
            b.add_secret(&c.secret);
            let detail = format!("client id {}", c.client_id);
            Ok((c, detail))
        })
        .await?;
        (client, None)
    };
    let (username, password) = match conn_user {
        Some((u, p)) => (u, p),
        None => (cfg.api_user.clone(), password),
    };

    let mut verify_error = None;
    let verified = if !cfg.verify {
        progress.begin("verify");
        progress.pass("skipped (--no-verify)");
        false
    } else if let Some(password) = &password {
        let creds = Credentials {
            client_id: client.client_id.clone(),
            secret: Secret::new(client.secret.clone()),
            username: username.clone(),
            password: password.clone(),
        };
        let checked = step(b, progress, "verify", async {
            match pim::verify_credentials(pim, &creds, generation.probe()).await? {
                Verified::Ok => Ok(((), "token and API call ok".to_string())),
                Verified::ResourceAclMissing(m) => {
                    notes.push(format!(
                        "credentials and Overall Web API access work; the probe said: {m}"
                    ));
                    Ok(((), format!("access ok; {m}")))
                }
            }
        })
        .await;
        match checked {
            Ok(()) => true,
            // Keep what was created: the caller reports the credentials and exits 4.
            Err(Error::Verify(m)) => {
                verify_error = Some(m);
                false
            }
            Err(e) => return Err(e),
        }
    } else {
        let note = format!(
            "verification skipped: user {} was reused and its password is unknown (pass it in \
             PIM_API_PASSWORD to verify)",
            cfg.api_user
        );
        progress.begin("verify");
        progress.pass("skipped (password unknown)");
        progress.note(&note);
        notes.push(note);
        false
    };

    let created = created.lock().unwrap().clone();
    Ok(Provisioned {
        pim_url: base.to_string(),
        pim_version: generation.to_string(),
        client_id: client.client_id,
        secret: Secret::new(client.secret),
        username,
        password,
        role: cfg.role.clone(),
        connection: cfg.connection.clone(),
        verified,
        created,
        notes,
        verify_error,
    })
}

/// 4.x+: ensures the connection and returns its four credentials: creates it (the password is
/// read right after creation), or reuses it (its password cannot be read again: regenerated
/// with `--regenerate-password`, else a clear error); then sets its role (Permissions) and saves.
async fn ensure_connection4(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    created: &Mutex<Created>,
) -> crate::Result<(pim::ConnectionCredentials, String)> {
    let b = pim.browser;
    // The create form refuses (Save stays disabled) labels outside 3..=100 characters.
    let len = cfg.connection.chars().count();
    if !(3..=100).contains(&len) {
        return Err(Error::Usage(format!(
            "--connection {:?}: {} needs a connection label of 3 to 100 characters, it has {len}; \
             nothing was sent for the connection",
            cfg.connection,
            pim.generation()
        )));
    }
    let page = ConnectionsPage::open(pim).await?;
    let (edit, mut what) = if page.exists(&cfg.connection).await? {
        (page.edit(&cfg.connection).await?, "reused".to_string())
    } else {
        // From Save on, the PIM may hold it even if the edit page never shows: say so on failure.
        created.lock().unwrap().sending("connection");
        let edit = page
            .create(&cfg.connection, cfg.generation.flow_type)
            .await?;
        created.lock().unwrap().confirm("connection");
        (
            edit,
            format!("created (flow type {})", cfg.generation.flow_type),
        )
    };
    let mut creds = edit.credentials().await?;
    if creds.password.is_none() {
        if !cfg.generation.regenerate_password {
            return Err(Error::PimRefused {
                step: b.step(),
                message: format!(
                    "connection '{}' exists and {} shows its password only once, at creation: \
                     it cannot be read again. Rerun with --regenerate-password to get a new one \
                     (the old password stops working for every integration using it), or use \
                     another --connection label to create a new connection",
                    cfg.connection,
                    pim.generation()
                ),
            });
        }
        creds = edit.regenerate_password().await?;
        what.push_str("; password regenerated (the old one no longer works)");
    }
    if edit.set_role(&cfg.role).await? {
        what.push_str(&format!("; role set to '{}' and saved", cfg.role));
    } else {
        what.push_str(&format!("; role already '{}'", cfg.role));
    }
    what.push_str(&format!(
        "; client id {}, user {}",
        creds.client_id, creds.username
    ));
    Ok((creds, what))
}

/// 1.7: the OAuth client through the PIM's console (`--console PREFIX`): reuses a client with
/// this label (`list-clients`) or creates one. Without `--console`, stops with the command to
/// run (the user and the role are ensured by then).
async fn ensure_console_client(
    cfg: &ProvisionConfig,
    created: &Mutex<Created>,
) -> crate::Result<(ClientCredentials, String)> {
    let Some(prefix) = cfg.generation.console.as_deref() else {
        return Err(Error::Other(anyhow::anyhow!(
            "1.7 has no API connections page: API clients are created with the PIM's console. \
             The user '{}' and the role '{}' are ready. Rerun with --console \"PREFIX\" (e.g. \
             --console \"docker exec pim php app/console\"), or run this on the PIM server and \
             use the client_id and secret it prints:\n  {}",
            cfg.api_user,
            cfg.role,
            pim::console::create_command_line(None, &cfg.connection)
        )));
    };
    let console = pim::console::Console::new(prefix, cfg.timeout.max(Duration::from_secs(60)))?;
    if let Some(c) = console
        .list_clients()
        .await?
        .into_iter()
        .find(|c| c.label == cfg.connection)
    {
        let detail = format!("reused console client {}", c.client_id);
        return Ok((
            ClientCredentials {
                client_id: c.client_id,
                secret: c.secret,
            },
            detail,
        ));
    }
    let c = console.create_client(&cfg.connection).await?;
    created.lock().unwrap().connection = true;
    let detail = format!("created with the console: client id {}", c.client_id);
    Ok((c, detail))
}

/// A safe e-mail local part for a username.
fn email_local_part(username: &str) -> String {
    let s: String = username
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "api-user".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_local_parts_are_safe() {
        assert_eq!(email_local_part("myAPIuser"), "myapiuser");
        assert_eq!(email_local_part("a b@c"), "a-b-c");
        assert_eq!(email_local_part(""), "api-user");
    }
}
