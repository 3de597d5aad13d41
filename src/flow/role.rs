//! The role: found or created, granted Overall Web API access and the chosen API permissions
//! (`--api-permissions`, never revoking one), the user ticked (up to 3.x), saved and checked on
//! the page the save leads to (3.x creation: the update page the SPA opens; else the role
//! re-opened).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::config::Ctx;
use crate::error::Error;
use crate::model::Step;
use crate::pim::known::{Ask, Known};
use crate::pim::{
    Acl, ApiConnectionsPage, ApiPermission, ApiPermissions, Generation, RoleForm, RolesPage,
};

/// Step `ensure role`. Returns the API permissions (ACL ids) the role grants afterwards.
/// `known`: the 3.x lookup of the role by the Roles grid's label filter made with the
/// permission check, used by the first try; `None`: not looked up.
pub(crate) async fn ensure_role(
    ctx: Ctx<'_>,
    known: Option<Option<u64>>,
) -> crate::Result<Vec<String>> {
    // A creation of this run was sent: finding the role then means it was committed.
    let attempt: &AtomicBool = &AtomicBool::new(false);
    let known: &Mutex<Option<Option<u64>>> = &Mutex::new(known);
    ctx.recovering(Step::EnsureRole, move || once(ctx, attempt, known))
        .await
}

/// Opens the role's form: `(form, existed)`. On 3.x the role is looked up by the Roles grid's
/// own request with a label filter, in page (with the permission check on a first try, anew on
/// a retry), then its route is opened directly (`#/user/role/update/<id>` or
/// `#/user/role/create`); else (when the grid does not answer, or when the tutorial's
/// role-creation image is being captured) through the Roles grid.
async fn open_form<'a>(
    ctx: Ctx<'a>,
    known: &Mutex<Option<Option<u64>>>,
) -> crate::Result<(RoleForm<'a>, bool)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let taken = known.lock().unwrap().take();
    // `screenshots`: the tutorial's "role-creation" image is the Roles grid with its Create
    // role button, so that run goes through the grid as a person would.
    let through_grid = pim.browser.wants_shot("role-creation");
    let looked_up = match taken {
        _ if through_grid => None,
        Some(k) => Some(k),
        None if pim.generation() == Generation::V3 => {
            let ask = Ask {
                role: Some(&cfg.role),
                ..Ask::default()
            };
            Known::ask(&pim, &ask).await?.role
        }
        None => None,
    };
    match looked_up {
        Some(Some(id)) => Ok((RoleForm::open_by_id(pim, id, &cfg.role).await?, true)),
        Some(None) => Ok((RoleForm::create(pim, &cfg.role).await?, false)),
        None => {
            let roles = RolesPage::open(pim).await?;
            if roles.find(&cfg.role).await? {
                Ok((roles.edit(&cfg.role).await?, true))
            } else {
                Ok((RoleForm::create(pim, &cfg.role).await?, false))
            }
        }
    }
}

/// One try of `ensure role`.
async fn once(
    ctx: Ctx<'_>,
    attempt: &AtomicBool,
    known: &Mutex<Option<Option<u64>>>,
) -> crate::Result<(Vec<String>, String)> {
    let connections = ctx.pim.generation().has_connections();
    let cfg = ctx.cfg;
    let (form, existed) = open_form(ctx, known).await?;
    if existed && attempt.load(Ordering::SeqCst) {
        // A creation of this run that failed after being committed.
        ctx.created.lock().unwrap().confirm("role");
    }
    let granted = form.grant(Acl::OverallWebApiAccess).await?;
    // `overall`: the set is the permission just granted; the others are read from the tab.
    let added = if cfg.api_permissions == ApiPermissions::Overall {
        Vec::new()
    } else {
        form.grant_api(cfg.api_permissions).await?
    };
    // 4.x+: the connection's API user is hidden from the role's Users tab; the role is
    // given to it in the connection's Permissions section instead.
    let (ticked, page) = if connections {
        (false, 0)
    } else {
        form.tick_user(&cfg.api_user).await?
    };
    if existed && !granted && !ticked && added.is_empty() {
        let now = acl_ids(&form.expect_api(cfg.api_permissions).await?);
        return Ok((
            now.clone(),
            format!(
                "reused (already granted: {}; user already ticked, page {page})",
                now.join(", ")
            ),
        ));
    }
    let (now, checked) = save(ctx, form, existed, attempt).await?;
    let mut did = Vec::new();
    if granted {
        did.push("granted Overall Web API access".to_string());
    }
    if !added.is_empty() {
        let labels: Vec<&str> = added.iter().map(|p| p.label.as_str()).collect();
        did.push(format!(
            "granted API permissions ({}): {}",
            cfg.api_permissions,
            labels.join(", ")
        ));
    }
    if ticked {
        did.push(format!("ticked the user (Users tab page {page})"));
    }
    let what = if existed { "reused" } else { "created" };
    Ok((
        now,
        format!("{what}; {}; checked {checked}", did.join(", ")),
    ))
}

/// The ACL ids of these permissions.
fn acl_ids(perms: &[ApiPermission]) -> Vec<String> {
    perms.iter().map(|p| p.acl().to_string()).collect()
}

/// Saves the role form and checks what was saved: a 3.x creation from what the server stored,
/// read in one in-page call as soon as the save answered (the role's form and its Users grid;
/// when those answers do not tell, on the update page the save opens); else the role is
/// re-opened (an update reloads the whole app anyway). Returns the API permissions (ACL ids)
/// it grants and where it was checked.
async fn save(
    ctx: Ctx<'_>,
    form: RoleForm<'_>,
    existed: bool,
    attempt: &AtomicBool,
) -> crate::Result<(Vec<String>, &'static str)> {
    if !existed {
        attempt.store(true, Ordering::SeqCst);
        ctx.created.lock().unwrap().sending("role");
    }
    let creation_3x = !existed && ctx.pim.generation() == Generation::V3;
    let saved = if creation_3x {
        form.save_created().await.map(|(s, id)| (s, Some(id)))
    } else {
        form.save().await.map(|s| (s, None))
    };
    let (saved, id) = match saved {
        Err(e @ Error::PimRefused { .. }) => {
            // Refused by validation (label already used by a concurrent run): nothing
            // committed; a retry finds the role and completes it.
            attempt.store(false, Ordering::SeqCst);
            ctx.created
                .lock()
                .unwrap()
                .unconfirmed
                .retain(|w| *w != "role");
            return Err(e);
        }
        other => other?,
    };
    let (cfg, connections) = (ctx.cfg, ctx.pim.generation().has_connections());
    let user = (!connections).then_some(cfg.api_user.as_str());
    if let Some(id) = id {
        // The save answered with the new role's update route: it is committed.
        ctx.created.lock().unwrap().confirm("role");
        // The next step's screen (System > API connections) loads while the stored role is
        // read; its update page, which the SPA was opening, is not needed.
        ApiConnectionsPage::start_loading(ctx.pim).await?;
        if let Some(stored) = saved.stored(id, user).await? {
            let missing = stored.missing(cfg.api_permissions);
            if !missing.is_empty() {
                return Err(ctx.pim.browser.unexpected(format!(
                    "role '{}' was saved but the PIM stored it without these API permissions \
                     ({}): {}",
                    cfg.role,
                    cfg.api_permissions,
                    missing.join(", ")
                )));
            }
            if stored.ticked == Some(false) {
                return Err(ctx.pim.browser.unexpected(format!(
                    "role '{}' was saved but '{}' does not have it (its row in the role's \
                     Users grid, as the PIM answers it)",
                    cfg.role, cfg.api_user
                )));
            }
            return Ok((
                acl_ids(&stored.granted()),
                "in what the PIM stored (the role's form and Users grid)",
            ));
        }
    }
    let (reopened, checked) = if let Some(id) = id {
        // The answers did not tell: the role's update page, opened again.
        (
            RoleForm::open_by_id(ctx.pim, id, saved.label()).await?,
            "on its update page",
        )
    } else {
        (saved.reopen().await?, "after re-opening")
    };
    if !existed {
        ctx.created.lock().unwrap().confirm("role");
    }
    reopened.expect_granted(Acl::OverallWebApiAccess).await?;
    let now = reopened.expect_api(cfg.api_permissions).await?;
    if let Some(user) = user {
        reopened.expect_user_ticked(user).await?;
    }
    Ok((acl_ids(&now), checked))
}
