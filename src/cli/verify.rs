//! `verify`: options and output around [`crate::verify`].

use std::path::PathBuf;

use clap::Args;

use super::opts::BrowserOpts;
use crate::error::{exit, Error};
use crate::pim::api::Verified;
use crate::progress::Progress;

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Credentials file written by `provision` (JSON, dotenv or Postman environment; the format
    /// is detected). Without it: $PIM_URL, $PIM_CLIENT_ID, $PIM_SECRET, $PIM_USERNAME,
    /// $PIM_PASSWORD.
    #[arg(long, value_name = "FILE")]
    credentials: Option<PathBuf>,
    #[command(flatten)]
    browser: BrowserOpts,
}

/// Runs `verify`; returns the exit code.
pub async fn run(args: VerifyArgs, progress: &Progress) -> i32 {
    let saved = match crate::verify::load(args.credentials.as_deref()) {
        Ok(s) => s,
        Err(msg) => return super::opts::usage(msg),
    };
    let bc = args.browser.config(&saved.pim_url);
    match crate::flow::verify_credentials(&bc, &saved.creds, progress).await {
        Ok(v) => {
            let detail = match v {
                Verified::Ok => "token obtained and the API answered".to_string(),
                Verified::ResourceAclMissing(m) => {
                    format!("token obtained and Overall Web API access works; {m}")
                }
            };
            println!(
                "verified: {} at {}: {detail}",
                saved.creds.username, saved.pim_url
            );
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            if let Error::Verify(_) = e {
                eprintln!("hint: the credentials do not work; re-run `provision` (with --reset-password or --regenerate-password where needed)");
            }
            e.exit_code()
        }
    }
}
