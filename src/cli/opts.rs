//! Option groups shared by several subcommands (`#[command(flatten)]`), and their parsers.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::Args;

use crate::browser::BrowserKind;
use crate::flow::BrowserConfig;
use crate::model::defaults;
use crate::progress::Progress;

/// Where the PIM is and who logs in: `--pim-url`, `--admin-user`, `--admin-password-file`.
#[derive(Debug, Clone, Args)]
pub struct TargetOpts {
    /// PIM base URL. Without it, the embedded simulator is started and used (the flavour of
    /// --pim-version; 3.x with auto).
    #[arg(long, env = "PIM_URL")]
    pub pim_url: Option<String>,
    /// Administrator login.
    #[arg(long, default_value = defaults::ADMIN_USER)]
    pub admin_user: String,
    /// File holding the administrator password (else $PIM_ADMIN_PASSWORD, else a prompt).
    #[arg(long, value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,
}

/// How to get a browser: `--webdriver`, `--browser`, `--headful`, `--timeout`,
/// `--artifacts-dir`.
#[derive(Debug, Clone, Args)]
pub struct BrowserOpts {
    /// WebDriver URL (chromedriver, Selenium Grid). Without it, chromedriver and headless Chromium
    /// are started and stopped by the tool.
    #[arg(long, env = "WEBDRIVER_URL", value_name = "URL", value_parser = webdriver_url)]
    pub webdriver: Option<String>,
    /// Browser: chromium (chromedriver) or firefox (firefox-esr + geckodriver, one per session).
    /// With --webdriver, the Grid or driver is asked for this browser.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: BrowserKind,
    /// Show the browser window instead of running headless.
    #[arg(long)]
    pub headful: bool,
    /// Deadline of every wait (e.g. 30s, 1500ms, 2m; at most 1h).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Folder for failure artifacts (screenshot, page HTML, URL).
    #[arg(long, default_value = "artifacts", value_name = "DIR")]
    pub artifacts_dir: PathBuf,
}

impl BrowserOpts {
    /// The browser configuration for the PIM at `pim_url`.
    pub fn config(&self, pim_url: &str) -> BrowserConfig {
        BrowserConfig {
            pim_url: pim_url.trim_end_matches('/').to_string(),
            webdriver: self.webdriver.clone(),
            browser: self.browser,
            headful: self.headful,
            timeout: self.timeout,
            artifacts_dir: self.artifacts_dir.clone(),
        }
    }
}

/// `-v` / `-q`, accepted before or after the subcommand.
#[derive(Debug, Clone, Copy, Args)]
pub struct VerbosityOpts {
    /// More output on stderr (-v details, -vv debug). Secrets are never printed.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

impl VerbosityOpts {
    /// -1 quiet, 0 normal, 1 details, 2 debug.
    pub fn level(&self) -> i8 {
        if self.quiet {
            -1
        } else {
            self.verbose.min(2) as i8
        }
    }

    /// The progress printer of this verbosity.
    pub fn progress(&self) -> Progress {
        Progress::new(self.level())
    }
}

/// Prints a usage error; returns the usage exit code (2).
pub fn usage(msg: impl std::fmt::Display) -> i32 {
    eprintln!("error: {msg}");
    crate::error::exit::USAGE
}

/// The longest accepted duration: larger values are a usage error.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// Parses `30s`, `1500ms`, `2m`, `1m30s` (humantime) or a bare number of seconds; positive, at
/// most [`MAX_DURATION`] (a larger value is a usage error, never an overflow).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let d = if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse::<u64>().map(Duration::from_secs).map_err(|_| {
            format!(
                "the duration {s:?} is too long (at most {}s)",
                MAX_DURATION.as_secs()
            )
        })?
    } else {
        humantime::parse_duration(s)
            .map_err(|e| format!("not a duration: {s:?} ({e}; try 30s, 1500ms, 2m)"))?
    };
    if d.is_zero() {
        return Err("the duration must be positive".into());
    }
    if d > MAX_DURATION {
        return Err(format!(
            "the duration {s:?} is too long (at most {}s)",
            MAX_DURATION.as_secs()
        ));
    }
    Ok(d)
}

/// Checks an http(s) URL given to `flag`.
pub fn check_url(url: &str, flag: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(format!(
            "{flag} {url:?}: expected an http:// or https:// URL"
        )),
        Err(e) => Err(format!("{flag} {url:?} is not a URL: {e}")),
    }
}

/// The value parser of `--webdriver`: an http(s) URL.
fn webdriver_url(s: &str) -> Result<String, String> {
    check_url(s, "--webdriver").map(|()| s.to_string())
}

/// A value parser for a type read with [`FromStr`] whose usual values are listed in `--help`
/// (it may accept more spellings, e.g. `3.x` for `3`).
#[derive(Clone)]
pub struct Listed<T> {
    values: &'static [&'static str],
    _t: PhantomData<fn() -> T>,
}

impl<T> Listed<T> {
    /// Lists `values` in `--help`.
    pub const fn new(values: &'static [&'static str]) -> Self {
        Self {
            values,
            _t: PhantomData,
        }
    }
}

impl<T> TypedValueParser for Listed<T>
where
    T: FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        let text = value.to_string_lossy();
        text.parse::<T>().map_err(|msg| {
            let name = arg.map(|a| a.to_string()).unwrap_or_default();
            clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!("invalid value '{text}' for '{name}': {msg}\n"),
            )
            .with_cmd(cmd)
        })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.values.iter().map(|v| PossibleValue::new(*v))))
    }
}

/// The values of `--pim-version` listed in `--help`.
pub const PIM_VERSIONS: &[&str] = &["auto", "1.7", "2", "3", "4", "5", "6", "7"];

/// The values of `--flow-type`.
pub const FLOW_TYPES: &[&str] = &["data_destination", "data_source", "other"];

/// The values of `--api-permissions`.
pub const API_PERMISSIONS: &[&str] = &["read", "overall", "all"];

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
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("99999999999999999999999999999").is_err());
        assert!(parse_duration("61m").is_err());
    }
}
