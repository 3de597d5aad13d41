//! `provision --fleet`: the command-line glue around [`crate::fleet`].

use std::path::PathBuf;
use std::time::Instant;

use crate::error::exit;
use crate::fleet::{self, Fleet, FleetOptions};
use crate::output::Format;
use crate::progress::Progress;

/// What `provision --fleet` was given on the command line.
#[derive(Debug, Clone)]
pub struct FleetCli {
    /// The fleet file.
    pub file: PathBuf,
    /// One file per instance here instead of a JSON array on stdout.
    pub output_dir: Option<PathBuf>,
    /// Format of the files in `output_dir` (stdout is always a JSON array).
    pub format: Format,
    /// `--pim-url` / `$PIM_URL` was given too (it is ignored).
    pub pim_url_given: bool,
    /// How to run.
    pub options: FleetOptions,
}

/// `provision --fleet`: load, run, write the results, print the summary; returns the exit code.
pub async fn run(args: &FleetCli, progress: &Progress) -> i32 {
    if args.pim_url_given {
        progress.note("--fleet: --pim-url / PIM_URL is ignored (the fleet file lists the URLs)");
    }
    let loaded = match Fleet::load(&args.file) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("error: {msg}");
            return exit::USAGE;
        }
    };
    match &args.output_dir {
        Some(d) if !d.is_dir() => {
            eprintln!(
                "error: --output-dir {}: not an existing folder",
                d.display()
            );
            return exit::USAGE;
        }
        None if args.format != Format::Json => {
            eprintln!(
                "error: --fleet prints a JSON array on stdout; for --format env or postman pass \
                 --output-dir DIR (one file per instance)"
            );
            return exit::USAGE;
        }
        _ => {}
    }
    progress.note(&format!(
        "fleet: {} instance(s), up to {} at once, {}{}",
        loaded.instances.len(),
        args.options.parallel.max(1),
        args.options.browser,
        match &args.options.webdriver {
            Some(u) => format!(" via {u}"),
            None => String::new(),
        }
    ));
    let t = Instant::now();
    let outcomes = fleet::run(&loaded, &args.options, progress).await;
    let wall = t.elapsed();
    if progress.verbosity() >= -1 {
        eprint!("\n{}", fleet::summary(&outcomes, wall));
    }
    match &args.output_dir {
        None => print!("{}", fleet::to_json_array(&outcomes)),
        Some(dir) => match fleet::write_dir(dir, &outcomes, args.format) {
            Ok(files) => progress.note(&format!(
                "{} file(s) written to {} (mode 0600)",
                files.len(),
                dir.display()
            )),
            Err(e) => {
                eprintln!(
                    "error: cannot write into {}: {e}\nThe results, once:\n{}",
                    dir.display(),
                    fleet::to_json_array(&outcomes)
                );
                return exit::OTHER;
            }
        },
    }
    fleet::exit_code(&outcomes)
}
