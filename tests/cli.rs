//! The command line end to end: the real binary, real headless Chromium, the in-process simulator.
//! Each test checks the simulator's state, not only the tool's output.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;

mod support;
use support::provision::counter;

const BIN: &str = env!("CARGO_BIN_EXE_pim-credentials");

fn tool(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL");
    cmd.env_remove("PIM_ADMIN_PASSWORD")
        .env_remove("PIM_API_PASSWORD");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).output().expect("run the binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_before_touching_the_pim() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("creds.json");
    std::fs::write(&existing, "keep me").unwrap();
    let long_role = "A role label that is far too long";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--role", long_role], "25 characters"),
        (vec!["--output", existing.to_str().unwrap()], "--force"),
        (
            vec!["--output", "/nonexistent-dir/creds.json"],
            "does not exist",
        ),
        (vec!["--format", "yaml"], "invalid value"),
        (vec!["--timeout", "soon"], "duration"),
        (vec!["--timeout", "99999999999999"], "too long"),
        (vec!["--timeout", "2h"], "too long"),
        (vec!["--pim-version", "9"], "unknown PIM version"),
        (
            vec!["--api-permissions", "some"],
            "unknown API permission set",
        ),
        (vec!["--webdriver", "not a url"], "not a URL"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["provision", "--pim-url", sim.url()];
        args.extend(extra.iter().copied());
        let out = tool(&args, &[("PIM_ADMIN_PASSWORD", "admin")]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err}"
        );
    }
    // No admin password and no terminal: a usage error, not a hang.
    let out = tool(&["provision", "--pim-url", sim.url()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("PIM_ADMIN_PASSWORD"));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    let state = sim.state();
    assert_eq!(
        counter(&state, "login"),
        0,
        "nothing may reach the PIM: {state}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn formats_files_and_reruns_against_the_same_pim() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("pim.env");
    let envs = [
        ("PIM_ADMIN_PASSWORD", "admin"),
        ("PIM_API_PASSWORD", "Api-Passw0rd.1"),
    ];
    let (dotenv, client) = dotenv_into_a_file(&sim, &env_file, &envs);
    verify_reads_the_file_back(&sim, dir.path(), &env_file, &dotenv, &client);
    // 2. The same file again without --force: refused, file untouched.
    let out = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--format",
            "env",
            "--output",
            env_file.to_str().unwrap(),
        ],
        &envs,
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&env_file).unwrap(), dotenv);

    rerun_as_postman_reuses_everything(&sim, &envs, &client);
    quiet_json_on_stdout(&sim, &envs, &client);
    sim.stop().await;
}

type Envs<'a> = [(&'a str, &'a str); 2];

/// Step 1 of `formats_files_and_reruns_against_the_same_pim`: returns the file's text and the
/// PIM's client.
fn dotenv_into_a_file(sim: &SimHandle, env_file: &Path, envs: &Envs<'_>) -> (String, Value) {
    // 1. dotenv into a file: created, 0600, values equal to what the PIM holds.
    let out = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--format",
            "env",
            "--output",
            env_file.to_str().unwrap(),
        ],
        envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        out.stdout.is_empty(),
        "with --output nothing goes to stdout"
    );
    let mode = std::fs::metadata(env_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dotenv = std::fs::read_to_string(env_file).unwrap();
    let state = sim.state();
    let client = &state["api_clients"][0];
    assert_eq!(state["api_clients"].as_array().unwrap().len(), 1);
    for line in [
        format!("PIM_URL={}", sim.url()),
        format!("PIM_CLIENT_ID={}", client["client_id"].as_str().unwrap()),
        format!("PIM_SECRET={}", client["secret"].as_str().unwrap()),
        "PIM_USERNAME=myAPIuser".to_string(),
        "PIM_PASSWORD=Api-Passw0rd.1".to_string(),
    ] {
        assert!(
            dotenv.lines().any(|l| l == line),
            "missing {line:?} in {dotenv}"
        );
    }

    (dotenv, client.clone())
}

/// Step 1b.
fn verify_reads_the_file_back(
    sim: &SimHandle,
    dir: &Path,
    env_file: &Path,
    dotenv: &str,
    client: &Value,
) {
    // 1b. `verify` reads that file back and proves the credentials work; a wrong secret fails
    // with exit 4 and the PIM's own message.
    let out = tool(
        &["verify", "--credentials", env_file.to_str().unwrap()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("verified: myAPIuser"),
        "{}",
        text(&out.stdout)
    );
    let tokens_before = counter(&sim.state(), "token");
    let bad = dir.join("bad.env");
    let secret = client["secret"].as_str().unwrap();
    std::fs::write(&bad, dotenv.replace(secret, "not-the-secret")).unwrap();
    let out = tool(&["verify", "--credentials", bad.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("client_id"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        counter(&sim.state(), "token"),
        tokens_before + 1,
        "one token request"
    );
}

/// Step 3.
fn rerun_as_postman_reuses_everything(sim: &SimHandle, envs: &Envs<'_>, client: &Value) {
    // 3. A re-run as a Postman environment: everything reused, verified, nothing created.
    let before = sim.state();
    let out = tool(
        &["provision", "--pim-url", sim.url(), "--format", "postman"],
        envs,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let postman: Value = serde_json::from_slice(&out.stdout).expect("postman JSON");
    let vars: std::collections::HashMap<String, String> = postman["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap().into(),
                v["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(vars["clientId"], client["client_id"].as_str().unwrap());
    assert_eq!(vars["secret"], client["secret"].as_str().unwrap());
    assert_eq!(vars["url"], sim.url());
    assert_eq!(vars["username"], "myAPIuser");
    assert_eq!(vars["password"], "Api-Passw0rd.1");
    let after = sim.state();
    for c in ["user_create", "role_create", "client_create"] {
        assert_eq!(
            counter(&before, c),
            counter(&after, c),
            "{c} changed on a re-run"
        );
    }
    assert_eq!(after["api_clients"].as_array().unwrap().len(), 1);
}

/// Step 4.
fn quiet_json_on_stdout(sim: &SimHandle, envs: &Envs<'_>, client: &Value) {
    // 4. JSON on stdout with -q: the documented keys, created all false.
    let out = tool(&["provision", "--pim-url", sim.url(), "-q"], envs);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(json["verified"], true);
    assert_eq!(
        json["created"],
        serde_json::json!({"user": false, "role": false, "connection": false})
    );
    assert_eq!(json["client_id"], client["client_id"]);
    assert!(
        text(&out.stderr).trim().is_empty(),
        "-q prints nothing on success: {}",
        text(&out.stderr)
    );
}

#[test]
fn completions_man_page_and_listed_values() {
    let out = tool(&["completions", "bash"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    assert!(script.contains("complete -F"), "{script}");
    assert!(script.contains("--pim-version") && script.contains("provision"));
    let out = tool(&["man"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains(".TH pim-credentials 1"), "{page}");
    assert!(page.contains("provision"), "{page}");
    // Closed value sets are listed in --help; -q is accepted before the subcommand too.
    let out = tool(&["-q", "check", "--help"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    assert!(
        help.contains("[possible values: auto, 1.7, 2, 3, 4, 5, 6, 7]"),
        "{help}"
    );
    assert!(help.contains("--browser") && help.contains("--webdriver <URL>"));
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_admin_password_exits_3_and_creates_nothing() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let out = tool(
        &["provision", "--pim-url", sim.url()],
        &[("PIM_ADMIN_PASSWORD", "wrong")],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Invalid credentials."),
        "{}",
        text(&out.stderr)
    );
    assert!(
        !text(&out.stderr).contains("wrong"),
        "the password must not be echoed"
    );
    let state = sim.state();
    assert_eq!(
        counter(&state, "user_create") + counter(&state, "role_create"),
        0
    );
    assert!(state["api_clients"].as_array().unwrap().is_empty());
    sim.stop().await;
}

#[test]
fn without_pim_url_it_provisions_the_embedded_simulator() {
    let out = tool(&["provision"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(json["verified"], true);
    assert_eq!(
        json["created"],
        serde_json::json!({"user": true, "role": true, "connection": true})
    );
    assert!(json["client_id"].as_str().unwrap().contains('_'));
    assert_eq!(
        json["password"].as_str().unwrap().len(),
        24,
        "generated password"
    );
    assert!(json["pim_url"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
}

/// Processes (other than us) whose environment carries `marker`: the tool's chromedriver and the
/// Chromium it started inherit the tool's environment.
fn processes_with_env_marker(marker: &str) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.chars().all(|c| c.is_ascii_digit()) || pid == me {
            continue;
        }
        if let Ok(env) = std::fs::read(entry.path().join("environ")) {
            if String::from_utf8_lossy(&env).contains(marker) {
                let cmd = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                found.push(format!(
                    "{pid}: {}",
                    String::from_utf8_lossy(&cmd).replace('\0', " ")
                ));
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_chromedriver_and_chromium() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let marker = format!("PIM_CRED_TEST_MARKER_{}", std::process::id());
    let mut child = Command::new(BIN)
        .args(["provision", "--pim-url", sim.url()])
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env("PIM_CRED_MARKER", &marker)
        .env_remove("WEBDRIVER_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the browser is up and the login step is done, then press Ctrl-C.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("no step finished within 60 s: {seen:?}")
            });
        let done = line.contains("[ok");
        seen.push(line);
        if done {
            break;
        }
    }
    assert!(
        !processes_with_env_marker(&marker).is_empty(),
        "the browser should be running now"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!(status.code(), Some(130), "stderr: {seen:?} {rest:?}");
    let left = processes_with_env_marker(&marker);
    assert!(
        left.is_empty(),
        "processes left behind after Ctrl-C: {left:?}"
    );
    sim.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_verification_keeps_the_created_credentials_and_exits_4() {
    let sim = sim::start(SimConfig {
        faults: vec!["api-forbidden".parse().unwrap()],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("creds.json");
    let out = tool(
        &[
            "provision",
            "--pim-url",
            sim.url(),
            "--output",
            file.to_str().unwrap(),
        ],
        &[("PIM_ADMIN_PASSWORD", "admin")],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.contains("You are not allowed to access the web API."),
        "{err}"
    );
    // The generated password and the client exist only in this file now: it must be there.
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let state = sim.state();
    assert_eq!(json["verified"], false);
    assert_eq!(json["client_id"], state["api_clients"][0]["client_id"]);
    assert_eq!(json["secret"], state["api_clients"][0]["secret"]);
    assert_eq!(json["password"].as_str().unwrap().len(), 24);
    assert!(json["verify_error"].as_str().unwrap().contains("web API"));
    assert_eq!(
        json["created"],
        serde_json::json!({"user": true, "role": true, "connection": true})
    );
    sim.stop().await;
}
