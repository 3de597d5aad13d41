//! `provision`: options, validation before touching the PIM, output of the credentials.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use super::opts::usage;
use super::opts::{BrowserOpts, Listed, TargetOpts, API_PERMISSIONS, FLOW_TYPES, PIM_VERSIONS};
use super::target;
use crate::error::{exit, Error};
use crate::flow::{GenerationOptions, ProvisionConfig};
use crate::model::{defaults, Provisioned};
use crate::output::{self, Format};
use crate::pim::{ApiPermissions, FlowType, GenerationChoice};
use crate::progress::Progress;
use crate::secrets::{self, Secret};

/// Options of `provision`.
#[derive(Debug, Args)]
pub struct ProvisionArgs {
    #[command(flatten)]
    target: TargetOpts,
    #[command(flatten)]
    browser: BrowserOpts,
    /// Provision every instance listed in this TOML file (url, admin_user, admin_password_env,
    /// optional api_user, api_password_env, role, connection, generation); prints a JSON array
    /// (or one file per instance with --output-dir) and a summary table on stderr.
    #[arg(long, value_name = "FILE.toml", conflicts_with_all = ["output", "admin_password_file", "api_password_file"])]
    fleet: Option<PathBuf>,
    /// With --fleet: how many instances at once (browser sessions; a Grid queues the rest).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64), requires = "fleet")]
    parallel: u16,
    /// With --fleet: write one file per instance here (mode 0600) instead of stdout.
    #[arg(long, value_name = "DIR", requires = "fleet")]
    output_dir: Option<PathBuf>,
    /// The API user to create or reuse.
    #[arg(long, default_value = defaults::API_USER)]
    api_user: String,
    /// File holding the API user's password (else $PIM_API_PASSWORD, else generated).
    #[arg(long, value_name = "FILE")]
    api_password_file: Option<PathBuf>,
    /// Set a new password on an existing API user (the given one, or a generated one). 3.x
    /// requires the user's current password ($PIM_API_CURRENT_PASSWORD or
    /// --api-current-password-file); 1.7/2.x cannot change another user's password.
    #[arg(long)]
    reset_password: bool,
    /// File holding the existing API user's current password, for --reset-password on 3.x
    /// (else $PIM_API_CURRENT_PASSWORD).
    #[arg(long, value_name = "FILE")]
    api_current_password_file: Option<PathBuf>,
    /// Label of the role granting Overall Web API access (25 characters at most).
    #[arg(long, default_value = defaults::ROLE)]
    role: String,
    /// Label of the API connection.
    #[arg(long, default_value = defaults::CONNECTION)]
    connection: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Write the credentials to FILE (atomically, mode 0600) instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Overwrite an existing --output file.
    #[arg(long)]
    force: bool,
    /// Skip getting a token and calling the API at the end.
    #[arg(long)]
    no_verify: bool,
    /// Write a trace of every WebDriver command (step, command, locator, duration; never
    /// secrets) with per-step totals to FILE as JSON, at the end of the run even when it fails.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// PIM generation: auto (detect from the pages), 1.7, 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "auto", value_name = "VERSION",
          value_parser = Listed::<GenerationChoice>::new(PIM_VERSIONS))]
    pim_version: GenerationChoice,
    /// 1.7 only: the command prefix that runs the PIM's console, split like a shell would and run
    /// without a shell (e.g. "docker exec pim php app/console").
    #[arg(long, value_name = "PREFIX")]
    console: Option<String>,
    /// 4.x and later: the flow type of a new connection.
    #[arg(long, default_value = "data_destination", value_name = "TYPE",
          value_parser = Listed::<FlowType>::new(FLOW_TYPES))]
    flow_type: FlowType,
    /// 4.x and later: regenerate the password of an existing connection (its old password stops
    /// working), since the PIM shows a password only once.
    #[arg(long)]
    regenerate_password: bool,
    /// 4.x and later: regenerate the secret of an existing connection (its old secret stops
    /// working); the password must be known too, so a re-run also needs --regenerate-password.
    #[arg(long)]
    regenerate_secret: bool,
    /// The API permissions the role gets, on every generation with a Web API permissions tab:
    /// read (Overall Web API access and every "List …" permission), overall (Overall Web API
    /// access only, as in the 3.x tutorial), all (every API permission). Never revokes one.
    #[arg(long, default_value = "read", value_name = "SET",
          value_parser = Listed::<ApiPermissions>::new(API_PERMISSIONS))]
    api_permissions: ApiPermissions,
    /// Keep one numbered screenshot per step in DIR (01-log-in.png, ...; secrets masked).
    #[arg(long, value_name = "DIR", conflicts_with = "fleet")]
    screenshots: Option<PathBuf>,
    /// Write a self-contained HTML report of the run (index.html, every step with its
    /// screenshot, duration and status) into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "fleet")]
    report: Option<PathBuf>,
}

/// Runs `provision`; returns the exit code.
pub async fn run(args: ProvisionArgs, progress: &Progress) -> i32 {
    if let Some(file) = &args.fleet {
        return super::fleet::run(&args.fleet_args(file.clone()), progress).await;
    }
    let (api_password, current_api_password) = match validate(&args) {
        Ok(v) => v,
        Err(msg) => return usage(msg),
    };
    let target = match target::resolve(&args.target, args.pim_version, progress).await {
        Ok(t) => t,
        Err(code) => return code,
    };
    let base = ProvisionConfig::new(
        &target.pim_url,
        &args.target.admin_user,
        target.admin_password.clone(),
    );
    let cfg = ProvisionConfig {
        api_user: args.api_user.clone(),
        api_password,
        reset_password: args.reset_password,
        role: args.role.clone(),
        connection: args.connection.clone(),
        verify: !args.no_verify,
        trace: args.trace.clone(),
        api_permissions: args.api_permissions,
        generation: GenerationOptions {
            pim_version: args.pim_version,
            console: args.console.clone(),
            flow_type: args.flow_type,
            regenerate_password: args.regenerate_password,
            regenerate_secret: args.regenerate_secret,
            current_api_password,
        },
        ..base.with_browser(args.browser.config(&target.pim_url))
    };
    // --screenshots / --report: numbered per-step images (the report embeds them).
    let capture = args
        .screenshots
        .clone()
        .or_else(|| args.report.clone())
        .map(|dir| Arc::new(crate::browser::Capture::new(None, Some(dir), true)));
    let result = crate::flow::provision_with_capture(&cfg, progress, capture.clone()).await;
    if let (Some(dir), Some(c)) = (&args.report, &capture) {
        crate::screenshots::write_report(dir, "pim-credentials provision", progress, c);
    }
    target.stop().await;
    match result {
        Ok(p) => emit(&p, &args, progress),
        Err(e) => report_error(&e),
    }
}

impl ProvisionArgs {
    fn fleet_args(&self, file: PathBuf) -> super::fleet::FleetCli {
        super::fleet::FleetCli {
            file,
            output_dir: self.output_dir.clone(),
            format: self.format,
            pim_url_given: self.target.pim_url.is_some(),
            options: crate::fleet::FleetOptions {
                parallel: usize::from(self.parallel),
                webdriver: self.browser.webdriver.clone(),
                browser: self.browser.browser,
                headful: self.browser.headful,
                verify: !self.no_verify,
                timeout: self.browser.timeout,
                artifacts_dir: self.browser.artifacts_dir.clone(),
            },
        }
    }
}

/// Validates everything that can be checked before touching the PIM; reads the API user's
/// password and, for --reset-password, its current one.
fn validate(args: &ProvisionArgs) -> Result<(Option<Secret>, Option<Secret>), String> {
    let role_chars = args.role.chars().count();
    if args.role.trim().is_empty() || role_chars > 25 {
        return Err(format!(
            "--role {:?}: a role label must have 1 to 25 characters (Akeneo's limit), it has {role_chars}",
            args.role
        ));
    }
    if args.connection.trim().is_empty() || args.connection.chars().count() > 255 {
        return Err("--connection: a label must have 1 to 255 characters".into());
    }
    if args.api_user.trim().is_empty() {
        return Err("--api-user must not be empty".into());
    }
    if let Some(out) = &args.output {
        output::check_writable(out, args.force)?;
    }
    // Never prompt for the API password: it is generated when not given.
    let api_password =
        secrets::read("PIM_API_PASSWORD", args.api_password_file.as_deref(), "")?.map(|(s, _)| s);
    // Only --reset-password (3.x) needs it; read only then (secrets::read prompts on a terminal).
    let current = if args.reset_password {
        secrets::read(
            "PIM_API_CURRENT_PASSWORD",
            args.api_current_password_file.as_deref(),
            "Current password of the API user",
        )?
        .map(|(s, _)| s)
    } else {
        None
    };
    Ok((api_password, current))
}

/// Prints or writes the credentials; if the file cannot be written, shows them once on stderr so
/// that nothing created is lost.
fn emit(p: &Provisioned, args: &ProvisionArgs, progress: &Progress) -> i32 {
    for note in &p.notes {
        progress.note(note);
    }
    let text = output::render(p, args.format);
    // Verification failed after everything was created: the credentials are still reported
    // (a generated or once-shown password must not be lost), then the run exits 4.
    let done = || match &p.verify_error {
        None => exit::OK,
        Some(msg) => {
            eprintln!("error: verification failed: {msg}");
            eprintln!(
                "hint: the credentials were created but do not work yet; fix the cause, then \
                 run `pim-credentials verify`"
            );
            exit::VERIFY
        }
    };
    let Some(path) = &args.output else {
        print!("{text}");
        return done();
    };
    match output::write_atomic_0600(path, &text) {
        Ok(()) => {
            progress.note(&format!(
                "credentials written to {} (mode 0600)",
                path.display()
            ));
            done()
        }
        Err(e) => {
            eprintln!(
                "error: cannot write {}: {e}\nThe credentials were created; here they are, once:\n{text}",
                path.display()
            );
            exit::OTHER
        }
    }
}

/// Prints an error with a hint; returns its exit code.
pub fn report_error(e: &Error) -> i32 {
    eprintln!("error: {e}");
    let hint = match e {
        Error::PimRefused { .. } => Some("check the login, the entered names, and the admin's permissions"),
        Error::Timeout { .. } => Some("the page did not reach the expected state; see the artifacts above, or raise --timeout"),
        Error::Browser { .. } => Some("check the WebDriver URL or the local chromium/chromedriver install"),
        Error::Verify(_) => Some("the credentials were created but do not work; see the message above"),
        _ => None,
    };
    if let Some(h) = hint {
        eprintln!("hint: {h}");
    }
    e.exit_code()
}
