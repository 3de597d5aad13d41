//! The role: found or created, granted Overall Web API access and the chosen API permissions
//! (`--api-permissions`, never revoking one), the user ticked (up to 3.x), saved and checked
//! after re-opening.

use std::sync::atomic::{AtomicBool, Ordering};

use super::config::Ctx;
use crate::error::Error;
use crate::model::Step;
use crate::pim::{Acl, ApiPermission, RoleForm, RolesPage};

/// Step `ensure role`. Returns the API permissions (ACL ids) the role grants afterwards.
pub(crate) async fn ensure_role(ctx: Ctx<'_>) -> crate::Result<Vec<String>> {
    // A creation of this run was sent: finding the role then means it was committed.
    let attempt: &AtomicBool = &AtomicBool::new(false);
    ctx.recovering(Step::EnsureRole, move || once(ctx, attempt))
        .await
}

/// One try of `ensure role`.
async fn once(ctx: Ctx<'_>, attempt: &AtomicBool) -> crate::Result<(Vec<String>, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let connections = pim.generation().has_connections();
    let roles = RolesPage::open(pim).await?;
    let existed = roles.find(&cfg.role).await?;
    if existed && attempt.load(Ordering::SeqCst) {
        // A creation of this run that failed after being committed.
        ctx.created.lock().unwrap().confirm("role");
    }
    let form = if existed {
        roles.edit(&cfg.role).await?
    } else {
        RoleForm::create(pim, &cfg.role).await?
    };
    let granted = form.grant(Acl::OverallWebApiAccess).await?;
    let added = form.grant_api(cfg.api_permissions).await?;
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
    let now = save(ctx, form, existed, attempt).await?;
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
        format!("{what}; {}; checked after re-opening", did.join(", ")),
    ))
}

/// The ACL ids of these permissions.
fn acl_ids(perms: &[ApiPermission]) -> Vec<String> {
    perms.iter().map(|p| p.acl().to_string()).collect()
}

/// Saves the role form, re-opens the role and checks what was saved.
async fn save(
    ctx: Ctx<'_>,
    form: RoleForm<'_>,
    existed: bool,
    attempt: &AtomicBool,
) -> crate::Result<Vec<String>> {
    if !existed {
        attempt.store(true, Ordering::SeqCst);
        ctx.created.lock().unwrap().sending("role");
    }
    let saved = match form.save().await {
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
    let reopened = saved.reopen().await?;
    if !existed {
        ctx.created.lock().unwrap().confirm("role");
    }
    reopened.expect_granted(Acl::OverallWebApiAccess).await?;
    let now = reopened.expect_api(ctx.cfg.api_permissions).await?;
    if !ctx.pim.generation().has_connections() {
        reopened.expect_user_ticked(&ctx.cfg.api_user).await?;
    }
    Ok(acl_ids(&now))
}
