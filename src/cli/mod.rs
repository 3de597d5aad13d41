//! Command-line interface: all clap code. Parses arguments, reads secrets, calls the plain
//! functions of the other modules with plain configs, maps errors to exit codes. Nothing
//! imports this module.

mod check;
mod fleet;
mod opts;
mod provision;
mod screenshots;
mod sim;
mod target;
mod verify;

use clap::{Parser, Subcommand};

use crate::error::exit;
pub use opts::{parse_duration, MAX_DURATION};

const EXIT_CODES: &str = "\
Exit codes:
  0    done
  1    anything else
  2    bad usage or input (nothing was changed)
  3    the PIM refused (login, validation, permissions)
  4    verification failed (token or API call)
  5    browser or WebDriver failure
  130  interrupted (Ctrl-C)";

/// Creates Akeneo PIM REST API credentials through the real back office, in a real browser.
#[derive(Debug, Parser)]
#[command(name = "pim-credentials", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    verbosity: opts::VerbosityOpts,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create (or reuse) the API user, its role and an API connection, and print verified credentials.
    #[command(after_help = EXIT_CODES)]
    Provision(provision::ProvisionArgs),
    /// Check saved credentials: get an OAuth token and call the API, from a browser on the PIM.
    #[command(after_help = EXIT_CODES)]
    Verify(verify::VerifyArgs),
    /// Run the embedded Akeneo PIM simulator until SIGINT/SIGTERM.
    Sim(sim::SimArgs),
    /// Emulate the PIM's console (`app/console` / `bin/console`) against a running simulator:
    /// `sim-console --pim-url URL -- pim:oauth-server:create-client --label=LABEL`.
    SimConsole(sim::SimConsoleArgs),
    /// Run the tutorial flow and write the tutorial's screenshots (role-creation.png, ...);
    /// --compare a reference folder, --report an HTML report.
    Screenshots(screenshots::ScreenshotsArgs),
    /// Run the tutorial flow as an acceptance test of the PIM's UI: a table of steps, --junit FILE,
    /// --report DIR, --cleanup. Exit 0 only when every step passed.
    #[command(after_help = EXIT_CODES)]
    Check(check::CheckArgs),
    /// Print a shell completion script (e.g. `pim-credentials completions bash >
    /// /etc/bash_completion.d/pim-credentials`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; e.g. `pim-credentials man > pim-credentials.1`).
    Man,
}

/// Writes the completion script of `shell` or the man page on stdout; returns the exit code.
fn print_docs(command: &Command) -> Option<i32> {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    match command {
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut cmd, "pim-credentials", &mut std::io::stdout());
            Some(exit::OK)
        }
        Command::Man => match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
            Ok(()) => Some(exit::OK),
            Err(e) => {
                eprintln!("error: cannot write the man page: {e}");
                Some(exit::OTHER)
            }
        },
        _ => None,
    }
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
    if let Some(code) = print_docs(&cli.command) {
        return code;
    }
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
    let progress = cli.verbosity.progress();
    rt.block_on(async {
        match cli.command {
            Command::Provision(args) => provision::run(args, &progress).await,
            Command::Verify(args) => verify::run(args, &progress).await,
            Command::Sim(args) => sim::run(args).await,
            Command::SimConsole(args) => sim::console(args).await,
            Command::Screenshots(args) => screenshots::run(args, &progress).await,
            Command::Check(args) => check::run(args, &progress).await,
            Command::Completions { .. } | Command::Man => exit::OK,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
