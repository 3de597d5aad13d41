//! Every subcommand's options fed their worst values (issue 15, item 3): empty, huge numbers,
//! negative numbers, control characters, non-UTF-8 bytes, a 120 000-character string, bad URLs,
//! folders, devices and missing files for file options, unknown enum values. Each run must exit 2
//! (never 101, a panic), say on its first line which option was wrong (a short message: the
//! value shortened), and change nothing on the
//! simulator it points at: all of them are refused before any browser or simulator starts.
//!
//! NUL cannot be passed at all (argv and the environment are C strings), and a single argument
//! is at most 128 KiB on Linux (MAX_ARG_STRLEN), hence 120 000 characters rather than 1 MB; the
//! files to read get a 2 MiB file instead.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};

use std::time::{Duration, Instant};

use pim_sim::{self as sim, SimConfig};

mod support;
use support::provision::counter;

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");

/// A WebDriver URL on loopback where nothing listens: a value that slipped through would fail
/// fast there (exit 5), never start a browser.
const DEAD_WEBDRIVER: &str = "http://127.0.0.1:9";

/// What every text option refuses.
fn text_worst() -> Vec<OsString> {
    vec![
        "".into(),
        "\u{1}".into(),
        "a\nb".into(),
        "\u{1b}[31mred".into(),
        "x".repeat(120_000).into(),
        OsStr::from_bytes(b"\xff\xfe").into(),
    ]
}

/// What every number or duration option refuses.
fn number_worst() -> Vec<OsString> {
    ["99999999999999999999999", "-1", "abc", "", "1e400", "\u{1}"]
        .iter()
        .map(OsString::from)
        .chain([OsStr::from_bytes(b"\xff").into()])
        .collect()
}

fn url_worst() -> Vec<OsString> {
    let mut v: Vec<OsString> = ["http://", "ftp://x", "http://[::1", "not a url", ""]
        .iter()
        .map(OsString::from)
        .collect();
    v.push(format!("http://{}", "a".repeat(120_000)).into());
    v.push(OsStr::from_bytes(b"http://\xff").into());
    v
}

fn enum_worst() -> Vec<OsString> {
    vec!["nope".into(), "".into(), OsStr::from_bytes(b"\xff").into()]
}

/// Files to read: a folder, devices, a missing file, an empty path, a file over 1 MiB.
fn input_file_worst(huge: &Path) -> Vec<OsString> {
    vec![
        "/".into(),
        "/dev/zero".into(),
        "/dev/null".into(),
        "/nonexistent/secret".into(),
        "".into(),
        huge.into(),
    ]
}

/// Files to write: a folder, a device, a missing folder, an empty path.
fn output_file_worst() -> Vec<OsString> {
    ["/", "/dev/null", "/nonexistent/out.json", ""]
        .iter()
        .map(OsString::from)
        .collect()
}

/// Folders to write into: a device, under a device, an empty path.
fn output_dir_worst() -> Vec<OsString> {
    ["/dev/null", "/dev/null/x", ""]
        .iter()
        .map(OsString::from)
        .collect()
}

/// One option with its worst values.
struct Case {
    option: &'static str,
    values: Vec<OsString>,
}

fn case(option: &'static str, values: Vec<OsString>) -> Case {
    Case { option, values }
}

/// The options shared by provision, check and screenshots (target and browser).
fn target_and_browser(huge: &Path) -> Vec<Case> {
    vec![
        case("--pim-url", url_worst()),
        case("--admin-user", text_worst()),
        case("--admin-password-file", input_file_worst(huge)),
        case("--webdriver", url_worst()),
        case("--browser", enum_worst()),
        case(
            "--timeout",
            [number_worst(), vec!["0s".into(), "2h".into()]].concat(),
        ),
        case("--artifacts-dir", output_dir_worst()),
        case("--pim-version", [enum_worst(), vec!["8".into()]].concat()),
    ]
}

fn provision_cases(huge: &Path) -> Vec<Case> {
    let mut v = target_and_browser(huge);
    let mut role = text_worst();
    role.push("r".repeat(26).into());
    v.extend([
        case("--api-user", text_worst()),
        case("--api-password-file", input_file_worst(huge)),
        case("--api-current-password-file", input_file_worst(huge)),
        case("--role", role),
        case("--connection", text_worst()),
        case("--format", enum_worst()),
        case("--output", output_file_worst()),
        case("--trace", output_file_worst()),
        case("--console", text_worst()),
        case("--flow-type", enum_worst()),
        case("--screenshots", output_dir_worst()),
        case("--report", output_dir_worst()),
        case("--fleet", input_file_worst(huge)),
    ]);
    v
}

/// `provision --pim-version 4`: connection labels 4.x refuses (3 to 100 characters).
fn provision_4x_cases() -> Vec<Case> {
    vec![case(
        "--connection",
        vec!["ab".into(), "c".repeat(101).into()],
    )]
}

fn check_cases(huge: &Path) -> Vec<Case> {
    let mut v = target_and_browser(huge);
    let mut run_id = text_worst();
    run_id.extend(["toolong12".into(), "a b".into()]);
    v.extend([
        case("--junit", output_file_worst()),
        case("--report", output_dir_worst()),
        case("--screenshots", output_dir_worst()),
        case("--run-id", run_id),
    ]);
    v
}

fn screenshots_cases(huge: &Path) -> Vec<Case> {
    let mut v = target_and_browser(huge);
    let mut threshold = number_worst();
    threshold.extend(["NaN".into(), "inf".into(), "1.5".into()]);
    v.extend([
        case("--out", output_dir_worst()),
        case(
            "--compare",
            ["/dev/null", "/nonexistent", ""]
                .map(OsString::from)
                .to_vec(),
        ),
        case("--threshold", threshold),
        case("--report", output_dir_worst()),
        case("--api-user", text_worst()),
        case("--role", text_worst()),
        case("--connection", text_worst()),
    ]);
    v
}

fn sim_cases() -> Vec<Case> {
    let mut latency = number_worst();
    latency.push("60001".into());
    let mut users = number_worst();
    users.push("10001".into());
    let mut faults = enum_worst();
    faults.extend(
        [
            "slow:99999999999999999999999",
            "slow:-1",
            "slow:3600001",
            "logout-after:0",
        ]
        .map(OsString::from),
    );
    vec![
        case("--port", [number_worst(), vec!["65536".into()]].concat()),
        case("--admin-password", text_worst()),
        case("--latency-ms", latency),
        case("--users", users),
        case(
            "--pim-version",
            [enum_worst(), vec!["8".into(), "1".into()]].concat(),
        ),
        case("--fault", faults),
    ]
}

/// The base arguments of a subcommand, each `(option, value)`; the option under test replaces
/// its own.
fn base(sub: &str, sim_url: &str, scratch: &Path) -> Vec<(&'static str, OsString)> {
    let mut v = vec![];
    if sub != "verify" {
        v.push(("--pim-url", sim_url.into()));
    }
    v.push(("--webdriver", DEAD_WEBDRIVER.into()));
    v.push(("--artifacts-dir", scratch.join("artifacts").into()));
    if sub == "screenshots" {
        v.push(("--out", scratch.join("shots").into()));
    }
    v
}

/// Runs the binary with a deadline (a value that slipped through to `sim` would serve forever);
/// its output goes to files, which never block it: `(exit code, stdout, stderr)`.
fn run(args: &[OsString], envs: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let err_file = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .env_remove("PIM_API_PASSWORD")
        .env("PIM_ADMIN_PASSWORD", "admin")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(out_file.reopen().unwrap())
        .stderr(err_file.reopen().unwrap());
    let mut child = cmd.spawn().expect("start the binary");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().expect("wait");
    let text = |f: &tempfile::NamedTempFile| {
        String::from_utf8_lossy(&std::fs::read(f.path()).unwrap()).into_owned()
    };
    (status.code(), text(&out_file), text(&err_file))
}

/// Feeds each case of `sub` its worst values; returns the failures (one line each).
fn feed(
    sub: &str,
    cases: &[Case],
    base: &[(&str, OsString)],
    envs: &[(&str, &str)],
) -> Vec<String> {
    let mut failures = vec![];
    for c in cases {
        for value in &c.values {
            let mut args: Vec<OsString> = vec![sub.into()];
            for (opt, v) in base.iter().filter(|(o, _)| *o != c.option) {
                args.extend([OsString::from(opt), v.clone()]);
            }
            if c.option == "--parallel" || c.option == "--output-dir" {
                args.extend(["--fleet".into(), base_fleet_file()]);
            }
            let mut pair = OsString::from(format!("{}=", c.option));
            pair.push(value);
            args.push(pair);
            let (code, stdout, stderr) = run(&args, envs);
            let first = first_line(&stderr);
            let shown: String = value.to_string_lossy().chars().take(40).collect();
            if code != Some(2)
                || !first.starts_with("error:")
                || !first.contains(c.option)
                || stderr.contains("panicked")
                || !stdout.is_empty()
            {
                failures.push(format!(
                    "{sub} {}={shown:?}: exit {code:?}, stderr first line {first:?}",
                    c.option
                ));
            }
        }
    }
    failures
}

/// A valid fleet file (its URL is never reached: the case's option is refused first).
fn base_fleet_file() -> OsString {
    let path = std::env::temp_dir().join(format!("worst-values-fleet-{}.toml", std::process::id()));
    std::fs::write(
        &path,
        "[[instance]]\nurl = \"http://127.0.0.1:9\"\nadmin_password_env = \"PIM_ADMIN_PASSWORD\"\n",
    )
    .unwrap();
    path.into()
}

/// The first line of `stderr`, at most 300 characters (for the failure list).
fn first_line(stderr: &str) -> &str {
    let line = stderr.lines().next().unwrap_or("");
    match line.char_indices().nth(300) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

fn assert_nothing_changed(before: &serde_json::Value, after: &serde_json::Value) {
    for name in [
        "login",
        "user_create",
        "role_create",
        "role_update",
        "client_create",
        "token",
    ] {
        assert_eq!(
            counter(before, name),
            counter(after, name),
            "counter {name} moved"
        );
    }
    assert_eq!(before, after, "the simulator's state changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_option_refuses_its_worst_values_with_exit_2_and_nothing_changed() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let huge = scratch.path().join("huge");
    std::fs::write(&huge, vec![b'p'; 2 << 20]).unwrap();
    let before = sim.state();
    let url = sim.url().to_string();
    let mut failures = vec![];
    let subs: Vec<(&str, Vec<Case>)> = vec![
        ("provision", provision_cases(&huge)),
        ("check", check_cases(&huge)),
        ("screenshots", screenshots_cases(&huge)),
    ];
    for (sub, cases) in &subs {
        failures.extend(feed(sub, cases, &base(sub, &url, scratch.path()), &[]));
    }
    let mut base_4x = base("provision", &url, scratch.path());
    base_4x.push(("--pim-version", "4".into()));
    failures.extend(feed("provision", &provision_4x_cases(), &base_4x, &[]));
    failures.extend(verify_and_fleet(&url, &huge, scratch.path()));
    failures.extend(feed("sim", &sim_cases(), &[], &[]));
    failures.extend(sim_console(&url));
    assert!(
        failures.is_empty(),
        "{} worst values not refused as they should:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_nothing_changed(&before, &sim.state());
    sim.stop().await;
}

/// `verify` (credentials from the environment) and `provision --fleet` (its own options, and
/// fleet files whose content is bad).
fn verify_and_fleet(url: &str, huge: &Path, scratch: &Path) -> Vec<String> {
    let envs = [
        ("PIM_URL", url),
        ("PIM_CLIENT_ID", "1_abc"),
        ("PIM_SECRET", "secret"),
        ("PIM_USERNAME", "myAPIuser"),
        ("PIM_PASSWORD", "password"),
    ];
    let mut verify = target_and_browser(huge);
    verify.retain(|c| {
        ![
            "--pim-url",
            "--admin-user",
            "--admin-password-file",
            "--pim-version",
        ]
        .contains(&c.option)
    });
    verify.push(case("--credentials", input_file_worst(huge)));
    let mut failures = feed("verify", &verify, &base("verify", url, scratch), &envs);
    let fleet = [
        case(
            "--parallel",
            [number_worst(), vec!["0".into(), "65".into()]].concat(),
        ),
        case(
            "--output-dir",
            ["/dev/null", "/nonexistent", ""]
                .map(OsString::from)
                .to_vec(),
        ),
    ];
    failures.extend(feed("provision", &fleet, &[], &[]));
    failures.extend(bad_fleet_files(scratch));
    failures
}

/// Fleet files that are read but wrong: empty, not TOML, a bad URL, no password variable.
fn bad_fleet_files(scratch: &Path) -> Vec<String> {
    let contents = [
        "",
        "\u{1}\u{2}",
        "[[instance]]\nurl = \"ftp://x\"\nadmin_password_env = \"PIM_ADMIN_PASSWORD\"\n",
        "[[instance]]\nurl = \"http://[::1\"\nadmin_password_env = \"PIM_ADMIN_PASSWORD\"\n",
        "[[instance]]\nurl = \"http://127.0.0.1:9\"\n",
    ];
    let mut failures = vec![];
    for (i, text) in contents.iter().enumerate() {
        let path = scratch.join(format!("fleet-{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let args = [
            "provision".into(),
            "--fleet".into(),
            path.clone().into_os_string(),
        ];
        let (code, stdout, stderr) = run(&args, &[]);
        let first = first_line(&stderr);
        if code != Some(2) || !first.contains("fleet") || !stdout.is_empty() {
            failures.push(format!("fleet file {text:?}: exit {code:?}, {first:?}"));
        }
    }
    failures
}

/// `sim-console`: its URL, and console arguments with control characters or non-UTF-8 bytes.
fn sim_console(url: &str) -> Vec<String> {
    let mut failures = feed("sim-console", &[case("--pim-url", url_worst())], &[], &[]);
    let argv_worst: Vec<OsString> = vec![
        "--label=a\u{1}b".into(),
        OsStr::from_bytes(b"--label=\xff").into(),
        "".into(),
    ];
    for bad in argv_worst {
        let args: Vec<OsString> = vec![
            "sim-console".into(),
            "--pim-url".into(),
            url.into(),
            "--".into(),
            "pim:oauth-server:create-client".into(),
            bad.clone(),
        ];
        let (code, _, stderr) = run(&args, &[]);
        let first = first_line(&stderr);
        if code != Some(2) || !first.contains("ARGV") {
            failures.push(format!("sim-console -- {bad:?}: exit {code:?}, {first:?}"));
        }
    }
    failures
}
