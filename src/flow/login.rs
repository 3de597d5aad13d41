//! Logging in, telling the generation, and checking the administrator's permissions.

use super::config::{Ctx, ProvisionConfig};
use super::step::step;
use crate::error::Error;
use crate::model::Step;
use crate::pim::generation::LoginLayout;
use crate::pim::known::{Ask, Known};
use crate::pim::{
    self, ApiConnectionsPage, Generation, GenerationChoice, LoginPage, Pim, RolesPage,
};
use crate::progress::Progress;
use crate::secrets::Secret;

/// What the back office is asked in one in-page call on 3.x: the security context and the
/// user and role lookups (and the version when it is to be detected).
fn ask(cfg: &ProvisionConfig, version: bool) -> Ask<'_> {
    Ask {
        version,
        security: true,
        user: Some(&cfg.api_user),
        role: Some(&cfg.role),
    }
}

/// The administrator may not do `what`: nothing was created, said with what to do.
fn refused(cfg: &ProvisionConfig, what: &str, e: Error) -> Error {
    match e {
        Error::PimRefused { step, message } => Error::PimRefused {
            step,
            message: format!(
                "{} may not {what} ({message}); nothing was created: use an administrator \
                 whose role has that permission",
                cfg.admin_user
            ),
        },
        e => e,
    }
}

/// The permissions as the security context tells them; `None`: it does not tell. A denied
/// permission opens that screen, for the PIM's own words (its 403 page), as the check without
/// the security context does.
async fn permissions_from(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    known: &Known,
) -> Option<crate::Result<()>> {
    let what = match known.permissions()? {
        Ok(()) => return Some(Ok(())),
        Err(what) => what,
    };
    let opened = if what == "manage roles" {
        RolesPage::open(pim).await.map(|_| ())
    } else {
        ApiConnectionsPage::open(pim).await.map(|_| ())
    };
    let e = opened.err().unwrap_or_else(|| Error::PimRefused {
        step: pim.browser.step(),
        message: "denied by the security context of /rest/security/".into(),
    });
    Some(Err(refused(cfg, what, e)))
}

/// Logs in (step `log in`), then tells the generation: given, or detected (step `detect
/// version`): on the SPA first from what the back office already knows (`pim_version`, asked
/// with the security context and the lookups in one in-page call: on 3.x the permissions are
/// then checked in this step and the lookups returned), else from the landing page and the
/// System menu.
pub(crate) async fn log_in_and_detect(
    pim: Pim<'_>,
    cfg: &ProvisionConfig,
    progress: &Progress,
) -> crate::Result<(Generation, Option<Known>)> {
    let b = pim.browser;
    let layout = step(b, progress, Step::LogIn, async {
        let layout = log_in(pim, &cfg.admin_user, &cfg.admin_password).await?;
        Ok((layout, format!("as {}", cfg.admin_user)))
    })
    .await?;
    step(b, progress, Step::DetectVersion, async {
        if cfg.generation.pim_version == GenerationChoice::Auto && layout == LoginLayout::Modern {
            // System > Users: the next step's screen (and the fallback detection's); its
            // grid loads while the back office is asked.
            pim.open_route("#/user/").await?;
            let known = Known::ask(&pim, &ask(cfg, true)).await?;
            let allowed = match known.generation() {
                Some(_) => permissions_from(pim, cfg, &known).await,
                None => None,
            };
            if let (Some(g), Some(allowed)) = (known.generation(), allowed) {
                allowed?;
                let why = format!(
                    "{g}: pim_version {} (/analytics/collect_data); roles and API connections \
                     can be managed (/rest/security/)",
                    known.version.as_deref().unwrap_or_default()
                );
                return Ok(((g, Some(known)), why));
            }
        }
        let (g, why) = generation(pim, cfg.generation.pim_version, layout).await?;
        Ok(((g, None), why))
    })
    .await
}

/// The action of step `log in` (provision's and check's): opens the login page and logs in;
/// answers the page's layout, which tells 1.7 apart.
pub(crate) async fn log_in(
    pim: Pim<'_>,
    user: &str,
    password: &Secret,
) -> crate::Result<LoginLayout> {
    let page = LoginPage::open(pim).await?;
    let layout = page.layout();
    page.log_in(user, password).await?;
    Ok(layout)
}

/// The generation (given, or detected on the landing page after logging in) and how it was
/// told, for the progress line.
pub(crate) async fn generation(
    pim: Pim<'_>,
    choice: GenerationChoice,
    layout: LoginLayout,
) -> crate::Result<(Generation, String)> {
    match choice {
        GenerationChoice::Fixed(g) => Ok((g, format!("{g} (--pim-version)"))),
        GenerationChoice::Auto => {
            let (g, why) = pim::generation::detect(&pim, layout).await?;
            Ok((g, format!("{g} detected: {why}")))
        }
    }
}

/// Before creating anything: can this admin manage roles and API connections? On 3.x its
/// security context tells (asked with the user and role lookups, returned); else, or when it
/// does not tell, the pages are opened (a role without the permission gets the 403 page).
pub(crate) async fn check_permissions(ctx: Ctx<'_>) -> crate::Result<Option<Known>> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    step(pim.browser, ctx.progress, Step::CheckPermissions, async {
        let known = if pim.generation() == Generation::V3 {
            let known = Known::ask(&pim, &ask(cfg, false)).await?;
            if let Some(allowed) = permissions_from(pim, cfg, &known).await {
                allowed?;
                let why = "roles and API connections can be managed (/rest/security/)";
                return Ok((Some(known), why.to_string()));
            }
            Some(known)
        } else {
            None
        };
        RolesPage::open(pim)
            .await
            .map_err(|e| refused(cfg, "manage roles", e))?;
        ApiConnectionsPage::open(pim)
            .await
            .map_err(|e| refused(cfg, "manage API connections", e))?;
        Ok((
            known,
            "roles and API connections can be managed".to_string(),
        ))
    })
    .await
}
