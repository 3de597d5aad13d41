//! Command-line interface: parses arguments, reads secrets, maps errors to exit codes.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::{exit, Error};
use crate::flow::{ProvisionConfig, Provisioned};
use crate::output::{self, Format};
use crate::progress::Progress;
use crate::secrets::{self, Secret};
use pim_sim::{self as sim, SimConfig};

const EXIT_CODES: &str = "\
Exit codes:
  0    done
  1    anything else
  2    bad usage or input (nothing was changed)
  3    the PIM refused (login, validation, permissions)
  4    verification failed (token or API call)
  5    browser or WebDriver failure
  6    the browser cannot reach the PIM (connection refused, timed out, DNS, TLS)
  130  interrupted (Ctrl-C)";

/// Creates Akeneo PIM REST API credentials through the real back office, in a real browser.
#[derive(Debug, Parser)]
#[command(name = "pim-credentials", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create (or reuse) the API user, its role and an API connection, and print verified credentials.
    #[command(after_help = EXIT_CODES)]
    Provision(ProvisionArgs),
    /// Check saved credentials: get an OAuth token and call the API, from a browser on the PIM.
    #[command(after_help = EXIT_CODES)]
    Verify(crate::verify::VerifyArgs),
    /// Run the embedded Akeneo PIM simulator until SIGINT/SIGTERM.
    Sim(SimArgs),
    /// Emulate the PIM's console (`app/console` / `bin/console`) against a running simulator:
    /// `sim-console --pim-url URL -- pim:oauth-server:create-client --label=LABEL`.
    SimConsole(SimConsoleArgs),
    /// Run the tutorial flow and write the tutorial's screenshots (role-creation.png, ...);
    /// --compare a reference folder, --report an HTML report.
    Screenshots(crate::screenshots::ScreenshotsArgs),
    /// Run the tutorial flow as an acceptance test of the PIM's UI: a table of steps, --junit FILE,
    /// --report DIR, --cleanup. Exit 0 only when every step passed.
    #[command(after_help = EXIT_CODES)]
    Check(crate::check::CheckArgs),
}

/// Options of `sim-console`.
#[derive(Debug, Args)]
struct SimConsoleArgs {
    /// URL of the running simulator.
    #[arg(long, env = "PIM_URL")]
    pim_url: String,
    /// The console command and its arguments, after `--`.
    #[arg(last = true, required = true)]
    argv: Vec<String>,
}

/// Options of `provision`.
#[derive(Debug, Args)]
struct ProvisionArgs {
    /// PIM base URL. Without it, the embedded simulator is started and provisioned (a demo).
    #[arg(long, env = "PIM_URL")]
    pim_url: Option<String>,
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
    /// Administrator login.
    #[arg(long, default_value = "admin")]
    admin_user: String,
    /// File holding the administrator password (else $PIM_ADMIN_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    admin_password_file: Option<PathBuf>,
    /// The API user to create or reuse.
    #[arg(long, default_value = "myAPIuser")]
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
    #[arg(long, default_value = "My API user role")]
    role: String,
    /// Label of the API connection.
    #[arg(long, default_value = "My very first API connection")]
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
    /// WebDriver URL (chromedriver, Selenium Grid). Without it, chromedriver and headless Chromium
    /// are started and stopped by the tool.
    #[arg(long, env = "WEBDRIVER_URL")]
    webdriver: Option<String>,
    /// Browser: chromium (chromedriver) or firefox (firefox-esr + geckodriver, one per session).
    /// With --webdriver, the Grid or driver is asked for this browser.
    #[arg(long, value_enum, default_value = "chromium")]
    browser: crate::browser::BrowserKind,
    /// Show the browser window instead of running headless.
    #[arg(long)]
    headful: bool,
    /// Skip getting a token and calling the API at the end.
    #[arg(long)]
    no_verify: bool,
    /// Deadline of every wait (e.g. 30s, 1500ms, 2m).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,
    /// Folder for failure artifacts (screenshot, page HTML, URL).
    #[arg(long, default_value = "artifacts", value_name = "DIR")]
    artifacts_dir: PathBuf,
    /// Write a trace of every WebDriver command (step, command, locator, duration; never
    /// secrets) with per-step totals to FILE as JSON, at the end of the run even when it fails.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// PIM generation: auto (detect from the pages), 1.7, 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "auto", value_name = "VERSION")]
    pim_version: crate::pim::GenerationChoice,
    /// 1.7 only: the command prefix that runs the PIM's console, split like a shell would and run
    /// without a shell (e.g. "docker exec pim php app/console").
    #[arg(long, value_name = "PREFIX")]
    console: Option<String>,
    /// 4.x and later: the flow type of a new connection.
    #[arg(long, default_value = "data_destination", value_name = "TYPE")]
    flow_type: crate::pim::FlowType,
    /// 4.x and later: regenerate the password of an existing connection (its old password stops
    /// working), since the PIM shows a password only once.
    #[arg(long)]
    regenerate_password: bool,
    /// Keep one numbered screenshot per step in DIR (01-log-in.png, ...; secrets masked).
    #[arg(long, value_name = "DIR", conflicts_with = "fleet")]
    screenshots: Option<PathBuf>,
    /// Write a self-contained HTML report of the run (index.html, every step with its
    /// screenshot, duration and status) into DIR.
    #[arg(long, value_name = "DIR", conflicts_with = "fleet")]
    report: Option<PathBuf>,
    /// More output on stderr (-v details, -vv debug). Secrets are never printed.
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// Options of `sim`.
#[derive(Debug, Args)]
struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Password of the `admin` user (a simulator: a plain flag is fine here).
    #[arg(long, default_value = "admin")]
    admin_password: String,
    /// Latency added to every XHR/JSON response, in milliseconds.
    #[arg(long, default_value_t = 150)]
    latency_ms: u64,
    /// Number of pre-existing ordinary users.
    #[arg(long, default_value_t = 30)]
    users: usize,
    /// Which generation to imitate: 1.7, 2, 3, 4, 5, 6 or 7.
    #[arg(long, default_value = "3")]
    pim_version: sim::PimVersion,
    /// Inject a fault (repeatable): slow:MS, mask-linger:MS, rerender, logout-after:N,
    /// save-500-before, save-500-after, flash-late, token-slow:MS, twin-create (see
    /// src/sim/faults.rs).
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<sim::faults::Fault>,
    /// Add the built-in user julia (password julia, role "Catalog manager"): it can log in and
    /// manage users, but not roles nor API connections.
    #[arg(long)]
    restricted_admin: bool,
}

/// Parses `30s`, `1500ms`, `2m` or a bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .parse()
        .map_err(|_| format!("not a duration: {s:?} (try 30s, 1500ms, 2m)"))?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" | "min" => n * 60.0,
        _ => return Err(format!("unknown unit in {s:?} (use ms, s or m)")),
    };
    if secs <= 0.0 {
        return Err("the duration must be positive".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Entry point: parses arguments, runs the command, returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::OTHER;
        }
    };
    rt.block_on(async {
        match cli.command {
            Command::Provision(args) => provision(args).await,
            Command::Verify(args) => crate::verify::main(args).await,
            Command::Sim(args) => run_sim(args).await,
            Command::SimConsole(args) => {
                sim::console::console_main(&args.pim_url, &args.argv).await
            }
            Command::Screenshots(args) => crate::screenshots::main(args).await,
            Command::Check(args) => crate::check::main(args).await,
        }
    })
}

async fn run_sim(args: SimArgs) -> i32 {
    let cfg = SimConfig {
        port: args.port,
        admin_password: args.admin_password,
        latency: Duration::from_millis(args.latency_ms),
        users: args.users,
        pim_version: args.pim_version,
        faults: args.faults,
        restricted_admin: args.restricted_admin,
    };
    match sim::run(cfg).await {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: {e:#}");
            exit::OTHER
        }
    }
}

fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    exit::USAGE
}

async fn provision(args: ProvisionArgs) -> i32 {
    let verbosity: i8 = if args.quiet {
        -1
    } else {
        args.verbose.min(2) as i8
    };
    let progress = Progress::new(verbosity);

    if let Some(file) = &args.fleet {
        if let Some(url) = &args.webdriver {
            if let Err(msg) = check_url(url, "--webdriver") {
                return usage(msg);
            }
        }
        if args.pim_url.is_some() {
            progress
                .note("--fleet: --pim-url / PIM_URL is ignored (the fleet file lists the URLs)");
        }
        let fleet_args = crate::fleet::FleetCli {
            file: file.clone(),
            output_dir: args.output_dir.clone(),
            format: args.format,
            options: crate::fleet::FleetOptions {
                parallel: usize::from(args.parallel),
                webdriver: args.webdriver.clone(),
                browser: args.browser,
                headful: args.headful,
                verify: !args.no_verify,
                timeout: args.timeout,
                artifacts_dir: args.artifacts_dir.clone(),
            },
        };
        return crate::fleet::cli_main(fleet_args, &progress).await;
    }

    // Validate everything that can be checked before touching the PIM.
    let role_chars = args.role.chars().count();
    if args.role.trim().is_empty() || role_chars > 25 {
        return usage(format!(
            "--role {:?}: a role label must have 1 to 25 characters (Akeneo's limit), it has {role_chars}",
            args.role
        ));
    }
    if args.connection.trim().is_empty() || args.connection.chars().count() > 255 {
        return usage("--connection: a label must have 1 to 255 characters");
    }
    if args.api_user.trim().is_empty() {
        return usage("--api-user must not be empty");
    }
    if let Some(out) = &args.output {
        if let Err(msg) = output::check_writable(out, args.force) {
            return usage(msg);
        }
    }
    let api_password =
        match secrets::read("PIM_API_PASSWORD", args.api_password_file.as_deref(), "") {
            // Never prompt for the API password: it is generated when not given.
            Ok(v) => v.map(|(s, _)| s),
            Err(msg) => return usage(msg),
        };
    // Only --reset-password (3.x) needs it; read only then (secrets::read prompts on a terminal).
    let current_api_password = if args.reset_password {
        match secrets::read(
            "PIM_API_CURRENT_PASSWORD",
            args.api_current_password_file.as_deref(),
            "Current password of the API user",
        ) {
            Ok(v) => v.map(|(s, _)| s),
            Err(msg) => return usage(msg),
        }
    } else {
        None
    };
    if let Some(url) = &args.webdriver {
        if let Err(msg) = check_url(url, "--webdriver") {
            return usage(msg);
        }
    }

    let Target {
        pim_url,
        admin_password,
        embedded,
    } = match target(
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

    let cfg = ProvisionConfig {
        pim_url,
        admin_user: args.admin_user.clone(),
        admin_password,
        api_user: args.api_user.clone(),
        api_password,
        reset_password: args.reset_password,
        role: args.role.clone(),
        connection: args.connection.clone(),
        webdriver: args.webdriver.clone(),
        browser: args.browser,
        headful: args.headful,
        verify: !args.no_verify,
        timeout: args.timeout,
        artifacts_dir: args.artifacts_dir.clone(),
        trace: args.trace.clone(),
        generation: crate::flow::GenerationOptions {
            pim_version: args.pim_version,
            console: args.console.clone(),
            flow_type: args.flow_type,
            regenerate_password: args.regenerate_password,
            current_api_password,
        },
    };
    // --screenshots / --report: numbered per-step images (the report embeds them).
    let capture = args
        .screenshots
        .clone()
        .or_else(|| args.report.clone())
        .map(|dir| std::sync::Arc::new(crate::browser::Capture::new(None, Some(dir), true)));
    let result = crate::flow::provision_with_capture(&cfg, &progress, capture.clone()).await;
    if let (Some(dir), Some(c)) = (&args.report, &capture) {
        crate::screenshots::write_report(dir, "pim-credentials provision", &progress, c);
    }
    if let Some(handle) = embedded {
        handle.stop().await;
    }
    match result {
        Ok(p) => emit(&p, &args, &progress),
        Err(e) => report_error(&e),
    }
}

/// Where a command runs: the PIM given by `--pim-url` (URL checked, administrator password read
/// from `--admin-password-file`, `$PIM_ADMIN_PASSWORD` or a prompt), or without it the embedded
/// simulator of `flavour` (admin/admin), which lives as long as `embedded`.
pub(crate) struct Target {
    /// PIM base URL, without trailing slash.
    pub pim_url: String,
    /// Administrator password.
    pub admin_password: Secret,
    /// The embedded simulator, when one was started: stop it when the command ends.
    pub embedded: Option<sim::SimHandle>,
}

/// Resolves the [`Target`] of a command; on bad input prints the message and returns the exit
/// code to end with.
pub(crate) async fn target(
    pim_url: Option<&str>,
    admin_user: &str,
    admin_password_file: Option<&std::path::Path>,
    flavour: crate::pim::GenerationChoice,
    progress: &Progress,
) -> Result<Target, i32> {
    if let Some(url) = pim_url {
        check_url(url, "--pim-url").map_err(usage)?;
        let prompt = format!("Password of PIM user {admin_user}");
        return match secrets::read("PIM_ADMIN_PASSWORD", admin_password_file, &prompt) {
            Ok(Some((s, _))) => Ok(Target {
                pim_url: url.trim_end_matches('/').to_string(),
                admin_password: s,
                embedded: None,
            }),
            Ok(None) => Err(usage(
                "no administrator password: set PIM_ADMIN_PASSWORD, pass --admin-password-file FILE, \
                 or run in a terminal to be prompted",
            )),
            Err(msg) => Err(usage(msg)),
        };
    }
    let cfg = SimConfig {
        pim_version: crate::screenshots::sim_version(flavour),
        ..SimConfig::default()
    };
    let admin_password = Secret::new(cfg.admin_password.clone());
    let version = cfg.pim_version;
    match sim::start(cfg).await {
        Ok(handle) => {
            let url = handle.url().to_string();
            progress.note(&format!(
                "no --pim-url: using the embedded PIM simulator ({version}) at {url} (it stops when this command ends)"
            ));
            Ok(Target {
                pim_url: url,
                admin_password,
                embedded: Some(handle),
            })
        }
        Err(e) => {
            eprintln!("error: cannot start the embedded simulator: {e:#}");
            Err(exit::OTHER)
        }
    }
}

fn check_url(url: &str, flag: &str) -> Result<(), String> {
    let shown = crate::browser::mask_url(url);
    match url::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!(
            "{flag} {shown:?}: expected an http:// or https:// URL"
        )),
        Err(e) => Err(format!("{flag} {shown:?} is not a URL: {e}")),
    }
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
    match &args.output {
        None => {
            print!("{text}");
            done()
        }
        Some(path) => match output::write_atomic_0600(path, &text) {
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
        },
    }
}

fn report_error(e: &Error) -> i32 {
    eprintln!("error: {e}");
    let hint = match e {
        Error::PimRefused { .. } => Some("check the login, the entered names, and the admin's permissions"),
        Error::Timeout { .. } => Some("the page did not reach the expected state; see the artifacts above, or raise --timeout"),
        Error::Browser(_) => Some("check the WebDriver URL or the local chromium/chromedriver install"),
        Error::Verify(_) => Some("the credentials were created but do not work; see the message above"),
        _ => None,
    };
    if let Some(h) = hint {
        eprintln!("hint: {h}");
    }
    e.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(
            parse_duration("1500ms").unwrap(),
            Duration::from_millis(1500)
        );
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("5").unwrap(), Duration::from_secs(5));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("3h").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
