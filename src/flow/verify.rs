//! Step `verify`: a token for the credentials and an API call, from the browser.

use super::config::Ctx;
use super::step::step;
use crate::error::Error;
use crate::model::{Credentials, Step};
use crate::pim::{self, Verified};

/// What verification found: `(verified, why it failed)`; notes go to `notes`. A failed
/// verification keeps what was created (the caller reports the credentials and exits 4).
pub(crate) async fn verify(
    ctx: Ctx<'_>,
    creds: &Credentials,
    notes: &mut Vec<String>,
) -> crate::Result<(bool, Option<String>)> {
    let (pim, progress) = (ctx.pim, ctx.progress);
    if !ctx.cfg.verify {
        progress.begin(Step::Verify.name());
        progress.pass("skipped (--no-verify)");
        return Ok((false, None));
    }
    if creds.password.is_none() {
        let note = format!(
            "verification skipped: user {} was reused and its password is unknown (pass it in \
             PIM_API_PASSWORD to verify)",
            ctx.cfg.api_user
        );
        progress.begin(Step::Verify.name());
        progress.pass("skipped (password unknown)");
        progress.note(&note);
        notes.push(note);
        return Ok((false, None));
    }
    let checked = step(pim.browser, progress, Step::Verify, async {
        match pim::verify_credentials(pim, creds, pim.generation().probe()).await? {
            Verified::Ok => Ok(((), "token and API call ok".to_string())),
            Verified::ResourceAclMissing(m) => {
                notes.push(format!(
                    "credentials and Overall Web API access work; the probe said: {m}"
                ));
                Ok(((), format!("access ok; {m}")))
            }
        }
    })
    .await;
    match checked {
        Ok(()) => Ok((true, None)),
        Err(Error::Verify(m)) => Ok((false, Some(m))),
        Err(e) => Err(e),
    }
}
