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
use crate::flow::{finish, guarded, start_browser, step, BrowserConfig};
use crate::junit::{self, Case, Outcome};
use crate::pim::{
    self, Acl, ApiConnectionsPage, ConnectionsPage, FlowType, Generation, GenerationChoice,
    LoginPage, NewUser, Pim, RoleForm, RolesPage, UsersPage,
};
use crate::progress::{Progress, Status, StepRecord};
use crate::secrets::Secret;

/// The steps of the check, in order (each one a JUnit test case).
pub const STEPS: [&str; 11] = [
    "log in",
    "create user",
    "open roles",
    "create role",
    "grant Web API access",
    "assign user",
    "save role",
    "create API connection",
    "read credentials",
    "get token",
    "call the API",
];

/// The cleanup steps (`--cleanup`), in order.
pub const CLEANUP_STEPS: [&str; 3] = ["revoke API connection", "delete role", "delete user"];

/// The steps of the check on 4.x and later, in order: the connection creates its own API user,
/// which gets the role in the connection's Permissions section.
pub const STEPS_4X: [&str; 10] = [
    "log in",
    "open roles",
    "create role",
    "grant Web API access",
    "save role",
    "create connection",
    "read credentials",
    "set connection role",
    "get token",
    "call the API",
];

/// The cleanup steps on 4.x and later (deleting the connection deletes its user and client).
pub const CLEANUP_STEPS_4X: [&str; 2] = ["delete connection", "delete role"];

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

/// Everything `check` needs, validated by the CLI.
#[derive(Debug, Clone)]
pub struct CheckConfig {
    /// Where the PIM is and how to get a browser.
    pub browser: BrowserConfig,
    /// Administrator login.
    pub admin_user: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The run id that suffixes every name.
    pub run_id: String,
    /// Remove what the run created, afterwards.
    pub cleanup: bool,
    /// Numbered per-step screenshots into this folder.
    pub screenshots: Option<PathBuf>,
    /// HTML report into this folder.
    pub report: Option<PathBuf>,
    /// PIM generation: detected after logging in, or given.
    pub pim_version: GenerationChoice,
}

/// The names a run uses: `(username, role label, connection label)`. The role label stays
/// within Akeneo's 25 characters for run ids of up to 8 characters.
pub fn names(run_id: &str) -> (String, String, String) {
    (
        format!("myAPIuser_{run_id}"),
        format!("My API user role {run_id}"),
        format!("My very first API connection {run_id}"),
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

#[derive(Default)]
struct Created {
    user: bool,
    role: bool,
    connection: bool,
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
    let password = crate::secrets::generate_password(crate::flow::GENERATED_PASSWORD_LEN);
    b.add_secret(cfg.admin_password.expose());
    b.add_secret(password.expose());
    let mut created = Created::default();
    // Log in, then learn the generation (given, or detected on the landing page).
    let logged_in = step(b, progress, STEPS[0], async {
        let page = LoginPage::open(pim).await?;
        let layout = page.layout();
        page.log_in(&cfg.admin_user, &cfg.admin_password).await?;
        let (g, how) = match cfg.pim_version {
            GenerationChoice::Fixed(g) => (g, format!("{g} (--pim-version)")),
            GenerationChoice::Auto => {
                let (g, why) = pim::generation::detect(&pim, layout).await?;
                (g, format!("{g} detected: {why}"))
            }
        };
        if g == Generation::V1_7 || g.console_only() {
            return Err(Error::Usage(format!(
                "check drives 2.x and later; this PIM is {g} (its API clients are created by console)"
            )));
        }
        Ok((g, format!("as {}; {how}", cfg.admin_user)))
    })
    .await;
    let g = match logged_in {
        Ok(g) => g,
        Err(e) => return Some(e.exit_code()),
    };
    *generation.lock().unwrap() = g;
    let pim = pim.with_generation(g);
    // As provision: in-page clicks up to 5.x, WebDriver's own click on the 6.x+ pages.
    b.set_inpage_clicks(g < Generation::V6);
    let main = if g.has_connections() {
        steps_4x(pim, progress, (&role, &connection), &mut created).await
    } else {
        steps(
            pim,
            progress,
            (&user, &role, &connection),
            &password,
            &mut created,
        )
        .await
    };
    let mut code = main.err().map(|e| e.exit_code());
    if cfg.cleanup {
        if let Err(e) = cleanup(pim, progress, (&user, &role, &connection), &created).await {
            code = code.or(Some(e.exit_code()));
        }
    }
    code
}

/// 4.x and later, after logging in: the role (granted Overall Web API access, checked after
/// re-opening), the connection (its credentials read right after creation, its role set in
/// the Permissions section), a token for its API user and an API call.
async fn steps_4x(
    pim: Pim<'_>,
    progress: &Progress,
    (role, connection): (&str, &str),
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;
    let [_, open_roles, create_role, grant, save_role, create_conn, read, set_role, token, call] =
        STEPS_4X;
    step(b, progress, open_roles, async {
        let roles = RolesPage::open(pim).await?;
        if roles.find(role).await? {
            return Err(b.unexpected(format!(
                "role '{role}' already exists: a check never reuses data; pick another --run-id"
            )));
        }
        Ok(((), "Roles grid shown".to_string()))
    })
    .await?;

    let form = step(b, progress, create_role, async {
        let form = RoleForm::create(pim, role).await?;
        Ok((form, format!("label '{role}' typed")))
    })
    .await?;

    step(b, progress, grant, async {
        if !form.grant(Acl::OverallWebApiAccess).await? {
            return Err(b.unexpected(format!(
                "{} was already granted on a new role",
                Acl::OverallWebApiAccess
            )));
        }
        Ok(((), "toggle granted".to_string()))
    })
    .await?;

    step(b, progress, save_role, async {
        let saved = form.save().await?;
        created.role = true;
        let reopened = saved.reopen().await?;
        let title = pim::check::expect_role_page(pim, role).await?;
        reopened.expect_granted(Acl::OverallWebApiAccess).await?;
        Ok((
            (),
            format!("saved; re-opened: title \"{title}\", no validation message, toggle granted"),
        ))
    })
    .await?;

    let edit = step(b, progress, create_conn, async {
        let page = ConnectionsPage::open(pim).await?;
        if page.exists(connection).await? {
            return Err(b.unexpected(format!(
                "connection '{connection}' already exists: a check never reuses data; pick \
                 another --run-id"
            )));
        }
        let edit = page.create(connection, FlowType::default()).await?;
        created.connection = true;
        Ok((
            edit,
            format!(
                "created (flow type {}); its settings page shows the Credentials section",
                FlowType::default()
            ),
        ))
    })
    .await?;

    let creds = step(b, progress, read, async {
        let c = edit.credentials().await?;
        let well_formed = c
            .client_id
            .split_once('_')
            .is_some_and(|(n, r)| n.parse::<u64>().is_ok() && !r.is_empty());
        if !well_formed {
            return Err(b.unexpected(format!(
                "the Credentials section shows client id {:?}, expected <id>_<random>",
                c.client_id
            )));
        }
        if c.password.is_none() {
            return Err(b.unexpected(
                "the Credentials section of a new connection does not show its password".into(),
            ));
        }
        let detail = format!("client id {}, user {}", c.client_id, c.username);
        Ok((c, detail))
    })
    .await?;

    step(b, progress, set_role, async {
        if !edit.set_role(role).await? {
            return Err(b.unexpected(format!("the new connection's role was already '{role}'")));
        }
        let shown = edit.role().await?;
        if shown != role {
            return Err(b.unexpected(format!(
                "after saving, the Permissions section shows the role {shown:?}, expected {role:?}"
            )));
        }
        Ok((
            (),
            format!("role '{role}' saved; the Permissions section shows it"),
        ))
    })
    .await?;

    step(b, progress, token, async {
        let password = creds.password.as_deref().unwrap_or_default();
        let d = pim::check::get_token(
            pim,
            &creds.client_id,
            &creds.secret,
            &creds.username,
            password,
        )
        .await?;
        Ok(((), d))
    })
    .await?;

    step(b, progress, call, async {
        let d = pim::check::call_api(pim, pim.generation().probe()).await?;
        Ok(((), d))
    })
    .await?;
    Ok(())
}

async fn steps(
    pim: Pim<'_>,
    progress: &Progress,
    (user, role, connection): (&str, &str, &str),
    password: &Secret,
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;

    step(b, progress, STEPS[1], async {
        let users = UsersPage::open(pim).await?;
        if users.find(user).await?.is_some() {
            return Err(b.unexpected(format!(
                "user '{user}' already exists: a check never reuses data; pick another --run-id"
            )));
        }
        let email = format!("{}@example.com", user.to_ascii_lowercase());
        let new = NewUser {
            username: user,
            password,
            first_name: "API",
            last_name: "Check",
            email: &email,
        };
        users.create().await?.save(&new).await?;
        created.user = true;
        let page = UsersPage::open(pim).await?.find(user).await?;
        match page {
            Some(p) => Ok((
                (),
                format!("{user} created; listed in the Users grid (page {p})"),
            )),
            None => Err(b.unexpected(format!(
                "user '{user}' was saved but is not in the Users grid"
            ))),
        }
    })
    .await?;

    step(b, progress, STEPS[2], async {
        let roles = RolesPage::open(pim).await?;
        if roles.find(role).await? {
            return Err(b.unexpected(format!(
                "role '{role}' already exists: a check never reuses data; pick another --run-id"
            )));
        }
        Ok(((), "Roles grid shown".to_string()))
    })
    .await?;

    let form = step(b, progress, STEPS[3], async {
        let form = RoleForm::create(pim, role).await?;
        Ok((form, format!("label '{role}' typed")))
    })
    .await?;

    step(b, progress, STEPS[4], async {
        if !form.grant(Acl::OverallWebApiAccess).await? {
            return Err(b.unexpected(format!(
                "{} was already granted on a new role",
                Acl::OverallWebApiAccess
            )));
        }
        Ok(((), "toggle granted".to_string()))
    })
    .await?;

    step(b, progress, STEPS[5], async {
        let (_, page) = form.tick_user(user).await?;
        Ok(((), format!("{user} ticked (Users tab page {page})")))
    })
    .await?;

    step(b, progress, STEPS[6], async {
        let saved = form.save().await?;
        created.role = true;
        let reopened = saved.reopen().await?;
        let title = pim::check::expect_role_page(pim, role).await?;
        reopened.expect_granted(Acl::OverallWebApiAccess).await?;
        reopened.expect_user_ticked(user).await?;
        Ok((
            (),
            format!("saved; re-opened: title \"{title}\", no validation message, toggle granted, user ticked"),
        ))
    })
    .await?;

    let page = step(b, progress, STEPS[7], async {
        let page = ApiConnectionsPage::open(pim).await?;
        page.create(connection).await?;
        created.connection = true;
        Ok((page, "created; row shown in the grid".to_string()))
    })
    .await?;

    let client = step(b, progress, STEPS[8], async {
        let c = page.read_credentials(connection).await?;
        b.add_secret(&c.secret);
        let well_formed = c
            .client_id
            .split_once('_')
            .is_some_and(|(n, r)| n.parse::<u64>().is_ok() && !r.is_empty());
        if !well_formed || c.secret.is_empty() {
            return Err(b.unexpected(format!(
                "the credentials cell shows client id {:?}, expected <id>_<random> and a secret",
                c.client_id
            )));
        }
        let detail = format!("client id {}", c.client_id);
        Ok((c, detail))
    })
    .await?;

    step(b, progress, STEPS[9], async {
        let d = pim::check::get_token(
            pim,
            &client.client_id,
            &client.secret,
            user,
            password.expose(),
        )
        .await?;
        Ok(((), d))
    })
    .await?;

    step(b, progress, STEPS[10], async {
        let d = pim::check::call_api(pim, pim::api::PROBE_3X).await?;
        Ok(((), d))
    })
    .await?;
    Ok(())
}

/// Removes what this run created, in reverse order; what it did not create is never touched.
/// Every removal is tried; the first error is returned.
async fn cleanup(
    pim: Pim<'_>,
    progress: &Progress,
    (user, role, connection): (&str, &str, &str),
    created: &Created,
) -> crate::Result<()> {
    let b = pim.browser;
    let connections = pim.generation().has_connections();
    let (conn_step, role_step) = if connections {
        (CLEANUP_STEPS_4X[0], CLEANUP_STEPS_4X[1])
    } else {
        (CLEANUP_STEPS[0], CLEANUP_STEPS[1])
    };
    let mut errors = vec![
        undo(b, progress, conn_step, created.connection, async {
            if connections {
                pim::check::delete_connection(pim, connection).await?;
                Ok(format!(
                    "'{connection}' deleted (with its user and client); gone from the list"
                ))
            } else {
                pim::check::revoke_connection(pim, connection).await?;
                Ok(format!("'{connection}' revoked; gone from the grid"))
            }
        })
        .await,
        undo(b, progress, role_step, created.role, async {
            pim::check::delete_role(pim, role).await?;
            Ok(format!("'{role}' deleted; gone from the grid"))
        })
        .await,
    ];
    // 4.x+: deleting the connection deleted its user.
    if !connections {
        errors.push(
            undo(b, progress, CLEANUP_STEPS[2], created.user, async {
                pim::check::delete_user(pim, user).await?;
                Ok(format!("'{user}' deleted; gone from the grid"))
            })
            .await,
        );
    }
    errors.into_iter().flatten().next().map_or(Ok(()), Err)
}

/// One cleanup step: runs `remove` when this run created the entity, else records the step as
/// skipped (an entity that existed before the run is never touched). Returns its error.
async fn undo(
    b: &Browser,
    progress: &Progress,
    name: &str,
    created_by_this_run: bool,
    remove: impl std::future::Future<Output = crate::Result<String>>,
) -> Option<Error> {
    if !created_by_this_run {
        progress.skip(name, "not created by this run: left alone");
        return None;
    }
    step(b, progress, name, async { Ok(((), remove.await?)) })
        .await
        .err()
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

/// The failure artifacts folder named in a step's detail (`… [artifacts: DIR]`).
fn artifacts_dir(detail: &str) -> Option<PathBuf> {
    let i = detail.rfind("[artifacts: ")?;
    let rest = &detail[i + "[artifacts: ".len()..];
    Some(PathBuf::from(rest.strip_suffix(']').unwrap_or(rest)))
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
                    let shot = artifacts_dir(&s.detail)
                        .map(|d| d.join(format!("{}.png", crate::browser::slug(&s.name))));
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

/// Options of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// PIM base URL. Without it, the embedded simulator is started and checked (the flavour
    /// of --pim-version; 3.x with auto).
    #[arg(long, env = "PIM_URL")]
    pub pim_url: Option<String>,
    /// PIM generation: auto (detect after logging in), 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "auto", value_name = "VERSION")]
    pub pim_version: GenerationChoice,
    /// Write a JUnit XML report (one testsuite, one testcase per step) to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report (index.html, with a screenshot per step) into DIR.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Keep one numbered screenshot per step in DIR (secrets masked).
    #[arg(long, value_name = "DIR")]
    pub screenshots: Option<PathBuf>,
    /// Afterwards, remove what the run created through the UI (revoke the API connection,
    /// delete the role, delete the user; on 4.x and later delete the connection, which takes
    /// its user and client with it, and the role) and check it is gone.
    #[arg(long)]
    pub cleanup: bool,
    /// Suffix of the names this run creates (1 to 8 letters or digits; default: random).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
    /// Administrator login.
    #[arg(long, default_value = "admin")]
    pub admin_user: String,
    /// File holding the administrator password (else $PIM_ADMIN_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,
    /// WebDriver URL; without it chromedriver and headless Chromium are started.
    #[arg(long, env = "WEBDRIVER_URL")]
    pub webdriver: Option<String>,
    /// Show the browser window.
    #[arg(long)]
    pub headful: bool,
    /// Deadline of every wait (e.g. 30s, 1500ms).
    #[arg(long, default_value = "30s", value_parser = crate::cli::parse_duration)]
    pub timeout: Duration,
    /// Folder for failure artifacts (screenshot, page HTML, URL).
    #[arg(long, default_value = "artifacts", value_name = "DIR")]
    pub artifacts_dir: PathBuf,
    /// Only errors on stderr (the table is still printed on stdout).
    #[arg(short, long)]
    pub quiet: bool,
}

/// The `check` subcommand: runs the check, prints the table on stdout, writes the JUnit file;
/// returns the exit code (0 only when every step passed).
pub async fn main(args: CheckArgs) -> i32 {
    let usage = |msg: String| {
        eprintln!("error: {msg}");
        crate::error::exit::USAGE
    };
    let progress = Progress::new(if args.quiet { -1 } else { 0 });
    let run_id = match &args.run_id {
        Some(id) => match check_run_id(id) {
            Ok(()) => id.clone(),
            Err(m) => return usage(m),
        },
        None => new_run_id(),
    };
    if let Some(url) = &args.webdriver {
        if url::Url::parse(url).is_err() {
            return usage(format!(
                "--webdriver {:?} is not a URL",
                crate::browser::mask_url(url)
            ));
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
    let mut browser = browser_config(&pim_url, args.timeout, args.artifacts_dir.clone());
    browser.webdriver = args.webdriver.clone();
    browser.headful = args.headful;
    let cfg = CheckConfig {
        browser,
        admin_user: args.admin_user.clone(),
        admin_password,
        run_id: run_id.clone(),
        cleanup: args.cleanup,
        screenshots: args.screenshots.clone(),
        report: args.report.clone(),
        pim_version: args.pim_version,
    };
    progress.note(&format!("run id {run_id}"));
    let result = run(&cfg, &progress).await;
    if let Some(h) = embedded {
        h.stop().await;
    }
    print!("{}", table(&result.steps));
    if let Some(path) = &args.junit {
        let xml = junit_xml(&pim_url, &result.steps);
        if let Err(e) = std::fs::write(path, xml) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return crate::error::exit::OTHER;
        }
        progress.note(&format!("JUnit report written to {}", path.display()));
    }
    result.exit_code
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
        }];
        let xml = junit_xml("http://127.0.0.1:1", &steps);
        assert!(xml.contains("out/2026/grant-web-api-access.png"), "{xml}");
        assert!(xml.contains("a[href=&quot;#x&quot;]"), "{xml}");
    }
}
