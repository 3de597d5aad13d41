//! Step `verify`: a token for the credentials and an API call, from the browser.

use super::config::Ctx;
use super::step::step;
use crate::error::Error;
use crate::model::{Credentials, Step};
use crate::pim::{self, ApiPermissions, Verified};

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
    let overall_only = ctx.cfg.api_permissions == ApiPermissions::Overall;
    let probe = pim.generation().verify_probe();
    let checked = step(pim.browser, progress, Step::Verify, async {
        match pim::verify_credentials(pim, creds, probe).await? {
            Verified::Ok => Ok(((), format!("token and GET {probe} ok"))),
            Verified::ResourceAclMissing(m) if !overall_only => Err(Error::Verify(format!(
                "the token works but GET {probe} answered 403 \"{m}\": the role '{}' lacks the \
                 API permission to list products although --api-permissions {} was asked; check \
                 the role's Web API permissions tab",
                ctx.cfg.role, ctx.cfg.api_permissions
            ))),
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
