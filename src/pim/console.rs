//! 1.7 has no API UI: OAuth clients come from the PIM's console (`php app/console …`), reached
//! through a user-given prefix (`docker exec pim php app/console`, `ssh pim@host php
//! /srv/pim/app/console`, …). The prefix is split like a shell would (quotes honoured) and the
//! command runs WITHOUT a shell.
//!
//! Commands and output from the reference (`ui-1.7-to-3.x.md` §7.1):
//! `pim:oauth-server:create-client --label=… --grant_type=password --grant_type=refresh_token
//! --env=prod` prints `A new client has been added.` (the tutorial spells it "added:"), then
//! `client_id: …`, `secret: …`, `label: …`; `pim:oauth-server:list-clients` prints a table
//! `client id | secret | label`, or "No client is currently registered.".

use std::process::Stdio;
use std::time::Duration;

use crate::error::Error;

use super::ClientCredentials;

const CREATE: &str = "pim:oauth-server:create-client";
const LIST: &str = "pim:oauth-server:list-clients";

/// The PIM's console, behind a prefix.
#[derive(Debug, Clone)]
pub struct Console {
    prefix: Vec<String>,
    timeout: Duration,
}

/// One row of `list-clients`.
#[derive(Clone, PartialEq, Eq)]
pub struct ListedClient {
    /// Public id.
    pub client_id: String,
    /// Secret.
    pub secret: String,
    /// Label (empty when none).
    pub label: String,
}

impl std::fmt::Debug for ListedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListedClient")
            .field("client_id", &self.client_id)
            .field("secret", &"***")
            .field("label", &self.label)
            .finish()
    }
}

/// The arguments of the create command for `label` (after the prefix).
pub fn create_args(label: &str) -> Vec<String> {
    vec![
        CREATE.to_string(),
        format!("--label={label}"),
        "--grant_type=password".into(),
        "--grant_type=refresh_token".into(),
        "--env=prod".into(),
    ]
}

/// The create command as a user would type it, for `prefix` (or the tutorial's
/// `php app/console` when there is none).
pub fn create_command_line(prefix: Option<&str>, label: &str) -> String {
    let prefix = prefix.unwrap_or("php app/console");
    format!("{prefix} {}", join(create_args(label)))
}

/// Joins arguments for display, quoting (POSIX single quotes) only those that need it.
fn join<I, S>(args: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-=./:@,+%".contains(c);
    args.into_iter()
        .map(|a| {
            let a = a.as_ref();
            if !a.is_empty() && a.chars().all(safe) {
                a.to_string()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Console {
    /// Splits `prefix` like a shell would. An empty prefix or unbalanced quotes are
    /// `Error::Usage`.
    // `Error` is the crate-wide error type; boxing it is not this module's call.
    #[allow(clippy::result_large_err)]
    pub fn new(prefix: &str, timeout: Duration) -> Result<Self, Error> {
        let parts = shell_words::split(prefix)
            .map_err(|e| Error::Usage(format!("--console {prefix:?}: {e}")))?;
        if parts.is_empty() {
            return Err(Error::Usage("--console: the prefix is empty".into()));
        }
        Ok(Console {
            prefix: parts,
            timeout,
        })
    }

    /// Runs the prefix plus `args` (no shell); returns stdout, or an error naming the command
    /// (without secrets: none are in the arguments) with its stderr.
    async fn run(&self, args: &[String]) -> Result<String, Error> {
        let shown = join(self.prefix.iter().chain(args.iter()));
        let mut cmd = tokio::process::Command::new(&self.prefix[0]);
        for var in crate::browser::secret_env_names() {
            cmd.env_remove(var);
        }
        let child = cmd
            .args(&self.prefix[1..])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                Error::Usage(format!(
                    "--console: cannot run {:?}: {e} (command: {shown})",
                    self.prefix[0]
                ))
            })?;
        let out = tokio::time::timeout(self.timeout, child.wait_with_output())
            .await
            .map_err(|_| {
                Error::Other(anyhow::anyhow!(
                    "the PIM console did not finish within {:?}: {shown}",
                    self.timeout
                ))
            })?
            .map_err(|e| Error::Other(anyhow::anyhow!("the PIM console failed: {e}: {shown}")))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let msg = strip_ansi(stderr.trim());
            return Err(Error::PimRefused {
                step: "ensure connection".into(),
                message: format!(
                    "the console command failed ({}): {shown}\n{}",
                    out.status,
                    if msg.is_empty() {
                        // stdout may list clients with their secrets: mask them.
                        mask_tokens(&strip_ansi(stdout.trim()))
                    } else {
                        msg
                    }
                ),
            });
        }
        Ok(stdout)
    }

    /// `pim:oauth-server:list-clients`.
    pub async fn list_clients(&self) -> Result<Vec<ListedClient>, Error> {
        let out = self.run(&[LIST.to_string(), "--env=prod".into()]).await?;
        Ok(parse_list(&out))
    }

    /// `pim:oauth-server:create-client --label=… --grant_type=password
    /// --grant_type=refresh_token --env=prod`, parsed.
    pub async fn create_client(&self, label: &str) -> Result<ClientCredentials, Error> {
        let out = self.run(&create_args(label)).await?;
        parse_created(&out).ok_or_else(|| {
            Error::Other(anyhow::anyhow!(
                "the console's create-client output has no 'client_id:' / 'secret:' lines (first \
                 line: {:?})",
                out.lines().next().unwrap_or_default()
            ))
        })
    }
}

/// Removes ANSI colour sequences (`<info>` tags become them on a terminal).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// Parses create-client's output: `client_id: X` and `secret: Y` lines (the first line, "A new
/// client has been added." or the tutorial's "added:", is not needed).
pub fn parse_created(out: &str) -> Option<ClientCredentials> {
    let clean = strip_ansi(out);
    let value = |key: &str| {
        clean.lines().find_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix(key)?.trim();
            (!rest.is_empty() && !rest.contains(char::is_whitespace)).then(|| rest.to_string())
        })
    };
    Some(ClientCredentials {
        client_id: value("client_id:")?,
        secret: value("secret:")?,
    })
}

/// Parses list-clients' table (`| client id | secret | label |` rows between `+---+` rules).
pub fn parse_list(out: &str) -> Vec<ListedClient> {
    let clean = strip_ansi(out);
    let mut rows = Vec::new();
    for line in clean.lines() {
        let l = line.trim();
        if !l.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
        if cells.len() < 2 || cells[0].eq_ignore_ascii_case("client id") {
            continue;
        }
        rows.push(ListedClient {
            client_id: cells[0].to_string(),
            secret: cells[1].to_string(),
            label: cells.get(2..).map(|c| c.join("|")).unwrap_or_default(),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_create_output_with_either_first_line() {
        for first in [
            "A new client has been added.",
            "A new client has been added:",
        ] {
            let out = format!(
                "{first}\nclient_id: 1_4gm4rnoizp8gskgkk080ssoo80040g44ksowwgw844k44sc00s\nsecret: 5dyvo1z6y34so4ogkgksw88ookoows00cgoc488kcs8wk4c40s\nlabel: My very first API connection\n"
            );
            let c = parse_created(&out).unwrap();
            assert_eq!(
                c.client_id,
                "1_4gm4rnoizp8gskgkk080ssoo80040g44ksowwgw844k44sc00s"
            );
            assert_eq!(
                c.secret,
                "5dyvo1z6y34so4ogkgksw88ookoows00cgoc488kcs8wk4c40s"
            );
        }
        let coloured =
            "\u{1b}[32mA new client has been added.\u{1b}[39m\nclient_id: 2_a\nsecret: b\n";
        assert_eq!(parse_created(coloured).unwrap().client_id, "2_a");
        assert!(parse_created("No client found").is_none());
    }

    #[test]
    fn parses_the_list_table() {
        let out = "+----------+--------+------------------------------+\n\
                   | client id | secret | label                        |\n\
                   +----------+--------+------------------------------+\n\
                   | 1_abc    | s1     | My very first API connection |\n\
                   | 2_def    | s2     |                              |\n\
                   +----------+--------+------------------------------+\n";
        let l = parse_list(out);
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].client_id, "1_abc");
        assert_eq!(l[0].label, "My very first API connection");
        assert_eq!(l[1].label, "");
        assert!(parse_list("No client is currently registered.\n").is_empty());
    }

    #[test]
    fn splits_the_prefix_like_a_shell() {
        let c = Console::new(
            "ssh pim@host 'php /srv/my pim/app/console'",
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(c.prefix, ["ssh", "pim@host", "php /srv/my pim/app/console"]);
        assert!(Console::new("docker exec 'pim", Duration::from_secs(1)).is_err());
        assert!(Console::new("  ", Duration::from_secs(1)).is_err());
        assert_eq!(
            create_command_line(None, "My very first API connection"),
            "php app/console pim:oauth-server:create-client '--label=My very first API connection' \
             --grant_type=password --grant_type=refresh_token --env=prod"
        );
    }
}

/// Replaces every run of 20 or more `[0-9A-Za-z_]` characters (client ids, secrets, tokens)
/// with `***`, for console output shown in an error.
fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 20 {
            out.push_str("***");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod mask_tests {
    #[test]
    fn long_tokens_are_masked_and_words_kept() {
        let t = "client_id: 1_4gm4rnoizp8gskgkk080ssoo80040g44ksowwgw844k44sc00s\nsecret: 5dyvo1z6y34so4ogkgksw88ookoows00cgoc488kcs8wk4c40s\nlabel: My API";
        assert_eq!(
            super::mask_tokens(t),
            "client_id: ***\nsecret: ***\nlabel: My API"
        );
    }
}
