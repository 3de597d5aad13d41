//! Console emulation: the `pim:oauth-server:*` commands of `app/console` (1.7) / `bin/console`
//! (2.x and later), run against a running simulator.
//!
//! Server side: `POST /_sim/console` with `{"argv": [...]}` (simulator-only, like `/_sim/state`;
//! the simulator only listens on 127.0.0.1) answers `{"exit_code", "stdout", "stderr"}`.
//! Client side: [`console_main`], behind `pim-credentials sim-console --pim-url URL -- ARGV...`,
//! prints exactly what the real command prints and returns its exit code.
//!
//! Commands (as in `CreateClientCommand`, `ListClientsCommand`, `RevokeClientCommand`):
//! * `pim:oauth-server:create-client [--redirect_uri=..]* [--grant_type=..]* --label=LABEL` (1.7),
//!   `pim:oauth-server:create-client [options] LABEL` (2.x and later: the label is a required
//!   argument, `--label` does not exist);
//! * `pim:oauth-server:list-clients`;
//! * `pim:oauth-server:revoke-client CLIENT_ID` (the confirmation takes its default, yes).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{AppState, PimVersion};

/// What a console command printed and returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleOutput {
    /// Process exit code.
    pub exit_code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

const CREATE: &str = "pim:oauth-server:create-client";
const LIST: &str = "pim:oauth-server:list-clients";
const REVOKE: &str = "pim:oauth-server:revoke-client";

/// Options every Symfony console command accepts: `(long, short, takes a value)`.
const GLOBAL_OPTIONS: &[(&str, &str, bool)] = &[
    ("env", "e", true),
    ("no-debug", "", false),
    ("verbose", "v", false),
    ("quiet", "q", false),
    ("no-interaction", "n", false),
    ("ansi", "", false),
    ("no-ansi", "", false),
    ("help", "h", false),
    ("version", "V", false),
];

/// A command's own options: `(name, array)`; all of them require a value.
fn command_options(cmd: &str, v: PimVersion) -> Vec<(&'static str, bool)> {
    match cmd {
        CREATE if v == PimVersion::V1_7 => {
            vec![
                ("redirect_uri", true),
                ("grant_type", true),
                ("label", false),
            ]
        }
        CREATE => vec![("redirect_uri", true), ("grant_type", true)],
        _ => vec![],
    }
}

/// A command's arguments (all required).
fn command_arguments(cmd: &str, v: PimVersion) -> Vec<&'static str> {
    match cmd {
        CREATE if v == PimVersion::V1_7 => vec![],
        CREATE => vec!["label"],
        REVOKE => vec!["client_id"],
        _ => vec![],
    }
}

fn synopsis(cmd: &str, v: PimVersion) -> String {
    let mut s = cmd.to_string();
    for (name, _) in command_options(cmd, v) {
        s.push_str(&format!(" [--{name} {}]", name.to_uppercase()));
    }
    let args = command_arguments(cmd, v);
    if !args.is_empty() {
        s.push_str(" [--]");
        for a in args {
            s.push_str(&format!(" <{a}>"));
        }
    }
    s
}

/// Symfony's exception block on stderr, then the command synopsis.
fn failure(v: PimVersion, message: &str, cmd: Option<&str>) -> ConsoleOutput {
    let class = if v == PimVersion::V1_7 {
        "[RuntimeException]".to_string()
    } else if cmd.is_none() {
        "[Symfony\\Component\\Console\\Exception\\CommandNotFoundException]".to_string()
    } else {
        "[Symfony\\Component\\Console\\Exception\\RuntimeException]".to_string()
    };
    let width = class.chars().count().max(message.chars().count()) + 4;
    let pad = |s: &str| format!("  {s}{}", " ".repeat(width - 2 - s.chars().count()));
    let blank = " ".repeat(width);
    let mut err = format!("\n{blank}\n{}\n{}\n{blank}\n\n", pad(&class), pad(message));
    if let Some(cmd) = cmd {
        err.push_str(&synopsis(cmd, v));
        err.push_str("\n\n");
    }
    ConsoleOutput {
        exit_code: 1,
        stdout: String::new(),
        stderr: err,
    }
}

/// The parsed command line of one command.
#[derive(Debug, Default)]
struct Parsed {
    options: Vec<(String, String)>,
    arguments: Vec<String>,
}

impl Parsed {
    fn all(&self, name: &str) -> Vec<String> {
        self.options
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn last(&self, name: &str) -> Option<String> {
        self.all(name).pop()
    }
}

/// Splits `argv` into the command name and its options/arguments, Symfony style.
fn parse(argv: &[String], v: PimVersion) -> Result<(String, Parsed), ConsoleOutput> {
    // The command name is the first token that is not a global option (or its value).
    let mut command: Option<String> = None;
    let mut rest: Vec<&String> = Vec::new();
    let mut i = 0;
    let mut only_args = false;
    while i < argv.len() {
        let a = &argv[i];
        if !only_args && a == "--" {
            only_args = true;
            rest.push(a);
        } else if command.is_none() && !only_args && a.starts_with('-') {
            let takes_value = GLOBAL_OPTIONS.iter().any(|(l, s, val)| {
                *val && (a == &format!("--{l}") || (!s.is_empty() && a == &format!("-{s}")))
            });
            if takes_value {
                i += 1;
            }
        } else if command.is_none() {
            command = Some(a.clone());
        } else {
            rest.push(a);
        }
        i += 1;
    }
    let Some(cmd) = command else {
        return Err(ConsoleOutput {
            exit_code: 0,
            stdout: format!(
                "Akeneo PIM (simulator {v})\n\nAvailable commands for the \"pim:oauth-server\" namespace:\n  {CREATE}\n  {LIST}\n  {REVOKE}\n"
            ),
            stderr: String::new(),
        });
    };
    if ![CREATE, LIST, REVOKE].contains(&cmd.as_str()) {
        return Err(failure(
            v,
            &format!("Command \"{cmd}\" is not defined."),
            None,
        ));
    }
    let own = command_options(&cmd, v);
    let mut parsed = Parsed::default();
    let mut only_args = false;
    let mut j = 0;
    while j < rest.len() {
        let a = rest[j].as_str();
        j += 1;
        if only_args || !a.starts_with('-') || a == "-" {
            parsed.arguments.push(a.to_string());
            continue;
        }
        if a == "--" {
            only_args = true;
            continue;
        }
        let (name, inline) = match a.strip_prefix("--") {
            Some(long) => match long.split_once('=') {
                Some((n, val)) => (n.to_string(), Some(val.to_string())),
                None => (long.to_string(), None),
            },
            None => {
                // Short options: only the global ones exist.
                let short = &a[1..2.min(a.len())];
                match GLOBAL_OPTIONS.iter().find(|(_, s, _)| *s == short) {
                    Some((_, _, true)) => {
                        if a.len() == 2 {
                            j += 1;
                        }
                        continue;
                    }
                    Some(_) if a.chars().skip(1).all(|c| c == 'v') || a.len() == 2 => continue,
                    _ => {
                        return Err(failure(
                            v,
                            &format!("The \"-{short}\" option does not exist."),
                            Some(&cmd),
                        ))
                    }
                }
            }
        };
        if let Some((_, _, takes)) = GLOBAL_OPTIONS.iter().find(|(l, _, _)| *l == name) {
            if *takes && inline.is_none() {
                j += 1;
            }
            continue;
        }
        if !own.iter().any(|(n, _)| *n == name) {
            return Err(failure(
                v,
                &format!("The \"--{name}\" option does not exist."),
                Some(&cmd),
            ));
        }
        let value = match inline {
            Some(val) => val,
            None => match rest.get(j) {
                Some(next) if !next.starts_with('-') => {
                    j += 1;
                    next.to_string()
                }
                _ => {
                    return Err(failure(
                        v,
                        &format!("The \"--{name}\" option requires a value."),
                        Some(&cmd),
                    ))
                }
            },
        };
        parsed.options.push((name, value));
    }
    let expected = command_arguments(&cmd, v);
    if parsed.arguments.len() > expected.len() {
        return Err(failure(v, "Too many arguments.", Some(&cmd)));
    }
    if parsed.arguments.len() < expected.len() {
        let missing = expected[parsed.arguments.len()..]
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(failure(
            v,
            &format!("Not enough arguments (missing: {missing})."),
            Some(&cmd),
        ));
    }
    Ok((cmd, parsed))
}

/// Runs one console command against the simulator's database.
pub fn run_command(app: &AppState, argv: &[String]) -> ConsoleOutput {
    let v = app.cfg.pim_version;
    let (cmd, p) = match parse(argv, v) {
        Ok(x) => x,
        Err(out) => return out,
    };
    let ok = |stdout: String| ConsoleOutput {
        exit_code: 0,
        stdout,
        stderr: String::new(),
    };
    let mut db = app.lock();
    match cmd.as_str() {
        CREATE => {
            let label = if v == PimVersion::V1_7 {
                p.last("label")
            } else {
                p.arguments.first().cloned()
            };
            let mut grants = p.all("grant_type");
            if grants.is_empty() {
                grants = vec!["password".into(), "refresh_token".into()];
            }
            let public = db.add_client(label.as_deref().unwrap_or(""));
            let Some(client) = db.clients.iter_mut().find(|c| c.public_id() == public) else {
                return failure(v, "The client could not be stored.", Some(&cmd));
            };
            client.grant_types = grants;
            let mut out = format!(
                "A new client has been added.\nclient_id: {public}\nsecret: {}\n",
                client.secret
            );
            if let Some(label) = label {
                out.push_str(&format!("label: {label}\n"));
            }
            ok(out)
        }
        LIST => {
            if db.clients.is_empty() {
                return ok("No client is currently registered.\n".into());
            }
            let rows: Vec<[String; 3]> = db
                .clients
                .iter()
                .map(|c| [c.public_id(), c.secret.clone(), c.label.clone()])
                .collect();
            ok(table(["client id", "secret", "label"], &rows))
        }
        _ => {
            let id = p.arguments.first().cloned().unwrap_or_default();
            let question = "This operation is irreversible. Are you sure you want to revoke this client? (Y/n)";
            match db.clients.iter().position(|c| c.public_id() == id) {
                Some(i) => {
                    let c = db.clients.remove(i);
                    db.tokens.retain(|t| t.client_id != id);
                    ok(format!(
                        "{question}Client with public id {id} and secret {} has been revoked.\n",
                        c.secret
                    ))
                }
                None => ConsoleOutput {
                    exit_code: 1,
                    stdout: format!("{question}No client found for this id.\n"),
                    stderr: String::new(),
                },
            }
        }
    }
}

/// A Symfony console table (`+---+` borders, cells padded to the widest one).
fn table(headers: [&str; 3], rows: &[[String; 3]]) -> String {
    let mut widths = headers.map(|h| h.chars().count());
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    let border = format!(
        "+{}+\n",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let line = |cells: Vec<&str>| {
        format!(
            "|{}|\n",
            cells
                .iter()
                .zip(widths.iter())
                .map(|(c, w)| format!(" {c}{} ", " ".repeat(w - c.chars().count())))
                .collect::<Vec<_>>()
                .join("|")
        )
    };
    let mut out = border.clone();
    out.push_str(&line(headers.to_vec()));
    out.push_str(&border);
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out.push_str(&border);
    out
}

/// `POST /_sim/console` with `{"argv": ["pim:oauth-server:create-client", ...]}`.
pub async fn endpoint(State(app): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let local = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            let host = h.rsplit_once(':').map(|(h, _)| h).unwrap_or(h);
            matches!(host, "127.0.0.1" | "localhost" | "[::1]")
        })
        .unwrap_or(true);
    if !local {
        return (StatusCode::FORBIDDEN, "loopback only").into_response();
    }
    let argv: Vec<String> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(m)) => match m.get("argv") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect(),
            _ => return (StatusCode::BAD_REQUEST, "expected {\"argv\": [..]}").into_response(),
        },
        _ => return (StatusCode::BAD_REQUEST, "expected {\"argv\": [..]}").into_response(),
    };
    let out = run_command(&app, &argv);
    Json(json!({"exit_code": out.exit_code, "stdout": out.stdout, "stderr": out.stderr}))
        .into_response()
}

/// `pim-credentials sim-console --pim-url URL -- ARGV...`: runs `argv` as a console command in
/// the simulator at `pim_url`, prints its stdout and stderr as is and returns its exit code
/// (1 when the simulator cannot be reached or is not a pim-credentials simulator).
pub async fn console_main(pim_url: &str, argv: &[String]) -> i32 {
    let base = pim_url.trim_end_matches('/');
    let url = format!("{base}/_sim/console");
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("sim-console: {e}");
            return 1;
        }
    };
    let resp = match client
        .post(&url)
        .json(&json!({ "argv": argv }))
        .send()
        .await
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("sim-console: cannot reach the simulator at {base}: {e}");
            return 1;
        }
    };
    if !resp.status().is_success() {
        eprintln!(
            "sim-console: {base} is not a pim-credentials simulator (POST /_sim/console: {})",
            resp.status()
        );
        return 1;
    }
    let body: Value = match resp.json().await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("sim-console: unexpected answer from {base}: {e}");
            return 1;
        }
    };
    use std::io::Write;
    let stdout = body["stdout"].as_str().unwrap_or("");
    let stderr = body["stderr"].as_str().unwrap_or("");
    {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(stdout.as_bytes());
        let _ = out.flush();
    }
    {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(stderr.as_bytes());
        let _ = err.flush();
    }
    body["exit_code"].as_i64().map(|c| c as i32).unwrap_or(1)
}
