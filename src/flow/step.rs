//! Running one named step (progress line, artifacts on failure), and the recovery policy that
//! re-runs a step after what a real back office does.

use std::future::Future;

use crate::browser::Browser;
use crate::error::Error;
use crate::model::Step;
use crate::pim::{LoginPage, Pim};
use crate::progress::Progress;
use crate::secrets::Secret;

/// Runs one named step: reports it, and on failure saves the page's artifacts and says where.
pub(crate) async fn step<T>(
    b: &Browser,
    progress: &Progress,
    name: Step,
    fut: impl Future<Output = crate::Result<(T, String)>>,
) -> crate::Result<T> {
    let name = name.name();
    progress.begin(name);
    b.set_step(name);
    match fut.await {
        Ok((v, detail)) => {
            progress.pass(&detail);
            b.step_snapshot(name).await;
            Ok(v)
        }
        Err(e) => {
            let artifacts = match e {
                Error::Verify(_) | Error::Interrupted => None,
                _ => b.save_failure_artifacts().await,
            };
            match artifacts {
                Some(dir) => progress.fail_with_artifacts(&e.to_string(), dir),
                None => progress.fail(&e.to_string()),
            }
            b.step_snapshot(name).await;
            Err(e)
        }
    }
}

/// How a step recovers from what a real back office does: after the PIM session expired it
/// logs in again and re-runs the step (up to `relogins` times); after another retryable
/// failure ([`Recovery::retryable`]) it reloads the page and re-runs it (up to `retries` times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recovery {
    /// How often a step is re-run after the PIM session expired.
    pub relogins: u32,
    /// How often a step is re-run after another retryable failure.
    pub retries: u32,
}

impl Recovery {
    /// `provision`'s policy: 3 log-ins again, 1 retry.
    pub const PROVISION: Recovery = Recovery {
        relogins: 3,
        retries: 1,
    };

    /// No recovery: the first failure is the step's.
    pub const NONE: Recovery = Recovery {
        relogins: 0,
        retries: 0,
    };

    /// Failures worth one more look: a wait that timed out, a page not as expected (a save
    /// that answered an error), and the one refusal a look can resolve: "This value is already
    /// used." (Symfony's UniqueEntity message: a concurrent run created the same name
    /// meanwhile; the retry finds and reuses it). Not other refusals (the same input would be
    /// refused again), bad input, a dead browser or Ctrl-C.
    pub fn retryable(e: &Error) -> bool {
        match e {
            Error::Timeout { .. } | Error::Unexpected { .. } => true,
            Error::PimRefused { message, .. } => message.contains("already used"),
            _ => false,
        }
    }

    /// Runs a step like [`step`], recovering by this policy. The steps are idempotent and LOOK
    /// before they act (re-open the grid, find the entity), so a save that failed after being
    /// committed is found, not repeated.
    pub(crate) async fn run<T, Fut>(
        self,
        pim: Pim<'_>,
        login: (&str, &Secret),
        progress: &Progress,
        name: Step,
        mut body: impl FnMut() -> Fut,
    ) -> crate::Result<T>
    where
        Fut: Future<Output = crate::Result<(T, String)>>,
    {
        let b = pim.browser;
        let (mut relogins, mut retries) = (0, 0);
        loop {
            match step(b, progress, name, body()).await {
                Ok(v) => return Ok(v),
                Err(Error::SessionExpired { .. }) if relogins < self.relogins => {
                    relogins += 1;
                    progress.note(&format!(
                        "step '{name}': the PIM session expired; logging in again and resuming"
                    ));
                    log_in_again(pim, login, progress).await?;
                }
                Err(e) if retries < self.retries && Self::retryable(&e) => {
                    retries += 1;
                    progress.note(&format!(
                        "step '{name}' failed ({e}); looking at the PIM again before retrying"
                    ));
                    // Start over from a fresh document: a modal or a half-filled form left by
                    // the failure must not survive (re-opening the same #route would not reload).
                    b.reload().await?;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

async fn log_in_again(
    pim: Pim<'_>,
    (user, password): (&str, &Secret),
    progress: &Progress,
) -> crate::Result<()> {
    step(pim.browser, progress, Step::LogInAgain, async {
        LoginPage::open(pim).await?.log_in(user, password).await?;
        Ok(((), format!("as {user}")))
    })
    .await
}
