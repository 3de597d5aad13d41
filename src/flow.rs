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
}

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;

use futures::FutureExt;

use crate::browser::{self, Browser, BrowserKind, BrowserSession, LaunchOptions};
use crate::error::Error;
use crate::pim::{
    self, Acl, ApiConnectionsPage, Credentials, LoginPage, NewUser, Pim, RoleForm, RolesPage,
    UsersPage, Verified,
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
    let bc = BrowserConfig::from(cfg);
    let created = Mutex::new(Created::default());
    let session = start_browser(&bc, progress).await?;
    let outcome = guarded(run(session.browser(), cfg, progress, &created)).await;
    let res = finish(session, outcome, progress).await;
    if matches!(res, Err(Error::Interrupted)) {
        let c = created.lock().unwrap().clone();
        progress.note(&format!(
            "interrupted; created so far: user {}, role {}, connection {}",
            yes_no(c.user),
            yes_no(c.role),
            yes_no(c.connection)
        ));
    }
    res
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
async fn start_browser(bc: &BrowserConfig, progress: &Progress) -> crate::Result<BrowserSession> {
    let opts = LaunchOptions {
        webdriver: bc.webdriver.clone(),
        headful: bc.headful,
        timeout: bc.timeout,
        artifacts_dir: bc.artifacts_dir.clone(),
        browser: bc.browser,
    };
    progress.begin("start browser");
    match browser::launch(&opts).await {
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

/// Runs `fut` caught against panics and raced against Ctrl-C (`None`).
async fn guarded<T>(fut: impl Future<Output = T>) -> Option<std::thread::Result<T>> {
    let run = AssertUnwindSafe(fut).catch_unwind();
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        r = run => Some(r),
        _ = interrupt => None,
    }
}

/// Tears the browser down, then turns the guarded outcome into the result: a panic is resumed,
/// Ctrl-C is `Error::Interrupted`.
async fn finish<T>(
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
async fn step<T>(
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
            Err(e)
        }
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

    step(b, progress, "log in", async {
        LoginPage::open(pim)
            .await?
            .log_in(&cfg.admin_user, &cfg.admin_password)
            .await?;
        Ok(((), format!("as {}", cfg.admin_user)))
    })
    .await?;

    let password = step(b, progress, "ensure user", async {
        let users = UsersPage::open(pim).await?;
        if let Some(page) = users.find(&cfg.api_user).await? {
            if cfg.reset_password {
                return Err(Error::Usage(
                    "--reset-password: resetting an existing user's password is not supported \
                     on this PIM generation (3.x); delete the user or pass its password in \
                     PIM_API_PASSWORD"
                        .into(),
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
        let email = format!("{}@example.com", email_local_part(&cfg.api_user));
        let user = NewUser {
            username: &cfg.api_user,
            password: &password,
            first_name: "API",
            last_name: "User",
            email: &email,
        };
        users.create().await?.save(&user).await?;
        created.lock().unwrap().user = true;
        Ok((Some(password), "created".to_string()))
    })
    .await?;

    step(b, progress, "ensure role", async {
        let roles = RolesPage::open(pim).await?;
        let existed = roles.find(&cfg.role).await?;
        let form = if existed {
            roles.edit(&cfg.role).await?
        } else {
            RoleForm::create(pim, &cfg.role).await?
        };
        let granted = form.grant(Acl::OverallWebApiAccess).await?;
        let (ticked, page) = form.tick_user(&cfg.api_user).await?;
        if existed && !granted && !ticked {
            return Ok((
                (),
                format!("reused (already granted; user already ticked, page {page})"),
            ));
        }
        let reopened = form.save().await?.reopen().await?;
        if !existed {
            created.lock().unwrap().role = true;
        }
        reopened.expect_granted(Acl::OverallWebApiAccess).await?;
        reopened.expect_user_ticked(&cfg.api_user).await?;
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

    let page = step(b, progress, "ensure connection", async {
        let page = ApiConnectionsPage::open(pim).await?;
        if page.find(&cfg.connection).await?.is_some() {
            return Ok((page, "reused".to_string()));
        }
        page.create(&cfg.connection).await?;
        created.lock().unwrap().connection = true;
        Ok((page, "created".to_string()))
    })
    .await?;

    let client = step(b, progress, "read credentials", async {
        let c = page.read_credentials(&cfg.connection).await?;
        b.add_secret(&c.secret);
        let detail = format!("client id {}", c.client_id);
        Ok((c, detail))
    })
    .await?;

    let verified = if !cfg.verify {
        progress.begin("verify");
        progress.pass("skipped (--no-verify)");
        false
    } else if let Some(password) = &password {
        let creds = Credentials {
            client_id: client.client_id.clone(),
            secret: Secret::new(client.secret.clone()),
            username: cfg.api_user.clone(),
            password: password.clone(),
        };
        step(b, progress, "verify", async {
            match pim::verify_credentials(pim, &creds, pim::api::PROBE_3X).await? {
                Verified::Ok => Ok(((), "token and API call ok".to_string())),
                Verified::ResourceAclMissing(m) => {
                    notes.push(format!(
                        "credentials and Overall Web API access work; the probe said: {m}"
                    ));
                    Ok(((), format!("access ok; {m}")))
                }
            }
        })
        .await?;
        true
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
        pim_version: "3.x".into(),
        client_id: client.client_id,
        secret: Secret::new(client.secret),
        username: cfg.api_user.clone(),
        password,
        role: cfg.role.clone(),
        connection: cfg.connection.clone(),
        verified,
        created,
        notes,
    })
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
