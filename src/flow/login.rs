//! Logging in, telling the generation, and checking the administrator's permissions.

use super::config::{Ctx, ProvisionConfig};
use super::step::step;
use crate::error::Error;
use crate::model::Step;
use crate::pim::{
    self, ApiConnectionsPage, Generation, GenerationChoice, LoginPage, Pim, RolesPage,
};
use crate::progress::Progress;

/// Logs in (step `log in`), then tells the generation: given, or detected on the landing page
/// (step `detect version`).
pub(crate) async fn log_in_and_detect(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    progress: &Progress,
) -> crate::Result<Generation> {
    let b = pim.browser;
    let layout = step(b, progress, Step::LogIn, async {
        let page = LoginPage::open(pim).await?;
        let layout = page.layout();
        page.log_in(&cfg.admin_user, &cfg.admin_password).await?;
        Ok((layout, format!("as {}", cfg.admin_user)))
    })
    .await?;
    step(b, progress, Step::DetectVersion, async {
        match cfg.generation.pim_version {
            GenerationChoice::Fixed(g) => Ok((g, format!("{g} (--pim-version)"))),
            GenerationChoice::Auto => {
                let (g, why) = pim::generation::detect(&pim, layout).await?;
                Ok((g, format!("{g}: {why}")))
            }
        }
    })
    .await
}

/// Before creating anything: can this admin open the pages the flow needs? (A role without
/// the roles or API-connections permissions gets the 403 error page.)
pub(crate) async fn check_permissions(ctx: Ctx<'_>) -> crate::Result<()> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    step(pim.browser, ctx.progress, Step::CheckPermissions, async {
        let refused = |what: &str, e: Error| match e {
            Error::PimRefused { step, message } => Error::PimRefused {
                step,
                message: format!(
                    "{} may not {what} ({message}); nothing was created: use an \
                     administrator whose role has that permission",
                    cfg.admin_user
                ),
            },
            e => e,
        };
        RolesPage::open(pim)
            .await
            .map_err(|e| refused("manage roles", e))?;
        ApiConnectionsPage::open(pim)
            .await
            .map_err(|e| refused("manage API connections", e))?;
        Ok(((), "roles and API connections can be managed".to_string()))
    })
    .await
}
