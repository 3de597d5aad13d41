//! The API user: found and reused, its password reset (3.x), or created (1.7 to 3.x).

use std::sync::Mutex;

use super::config::{Ctx, ProvisionConfig, GENERATED_PASSWORD_LEN};
use super::keep;
use crate::error::Error;
use crate::model::Step;
use crate::pim::known::{Ask, Known};
use crate::pim::{self, Generation, NewUser, UsersPage};
use crate::secrets::Secret;
use crate::vault::Subject;

/// 4.x+: the connection creates its own API user; says what of the options does not apply.
pub(crate) fn connection_user_note(cfg: &ProvisionConfig, generation: Generation) -> String {
    format!(
        "{generation}: --api-user does not apply: the connection creates its own hidden API \
         user (read from the Credentials section){}",
        if cfg.api_password.is_some() || cfg.reset_password {
            "; the given API password and --reset-password are ignored"
        } else {
            ""
        }
    )
}

/// Step `ensure user`: returns the API user's password when known. `known`: the 3.x lookup
/// of the user by the Users grid's username filter made with the permission check (see
/// [`crate::pim::known`]), used by the first try; `None`: not looked up.
pub(crate) async fn ensure_user(
    ctx: Ctx<'_>,
    known: Option<Option<u64>>,
) -> crate::Result<Option<Secret>> {
    // The password of a creation this run attempted: a save that failed after being
    // committed leaves a user this run made, with this password.
    let attempt: &Mutex<Option<Secret>> = &Mutex::new(None);
    let known: &Mutex<Option<Option<u64>>> = &Mutex::new(known);
    ctx.recovering(Step::EnsureUser, move || once(ctx, attempt, known))
        .await
}

/// Where the user is: `(found, users page)`. On 3.x by the Users grid's own request with a
/// username filter, in page (the lookup made with the permission check on a first try, a new
/// one on a retry), without opening the grid, unless the password is to be reset (its row
/// is clicked); else (or when the grid does not answer) by paging through the Users grid.
async fn locate<'a>(
    ctx: Ctx<'a>,
    known: &Mutex<Option<Option<u64>>>,
) -> crate::Result<(Option<String>, Option<UsersPage<'a>>)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let taken = known.lock().unwrap().take();
    let looked_up = match taken {
        Some(k) => Some(k),
        None if pim.generation() == Generation::V3 => {
            let ask = Ask {
                user: Some(&cfg.api_user),
                ..Ask::default()
            };
            Known::ask(&pim, &ask).await?.user
        }
        None => None,
    };
    match looked_up {
        Some(None) => return Ok((None, None)),
        Some(Some(_)) if !cfg.reset_password => {
            let how = "found by the Users grid's username filter".to_string();
            return Ok((Some(how), None));
        }
        _ => {}
    }
    let users = UsersPage::open(pim).await?;
    let page = users.find(&cfg.api_user).await?;
    Ok((page.map(|p| format!("Users grid page {p}")), Some(users)))
}

/// One try of `ensure user`.
async fn once(
    ctx: Ctx<'_>,
    attempt: &Mutex<Option<Secret>>,
    known: &Mutex<Option<Option<u64>>>,
) -> crate::Result<(Option<Secret>, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let (found, users) = locate(ctx, known).await?;
    let Some(page) = found else {
        let users = match users {
            Some(u) => u,
            None => UsersPage::open(pim).await?,
        };
        return create(ctx, users, attempt).await;
    };
    if let Some(password) = attempt.lock().unwrap().clone() {
        ctx.created.lock().unwrap().confirm("user");
        return Ok((
            Some(password),
            format!("created (found after a failed save, {page})"),
        ));
    }
    if let (true, Some(users)) = (cfg.reset_password, users) {
        let (password, how) = reset_password(ctx, users, pim.generation()).await?;
        ctx.progress.note(&format!(
            "user {} exists: its password was reset ({how})",
            cfg.api_user
        ));
        return Ok((Some(password), format!("password reset ({page})")));
    }
    if cfg.api_password.is_none() {
        // A password an earlier run generated and saved, then stopped before delivering it.
        let subject = Subject::User(cfg.api_user.clone());
        if let Some(found) = keep::pick_up(ctx, &subject, |_| true) {
            let password = found.record.password;
            if let Some(p) = &password {
                pim.browser.add_secret(p.expose());
            }
            return Ok((
                password,
                format!("reused with the password saved by an earlier run ({page})"),
            ));
        }
    }
    ctx.progress.note(&format!(
        "user {} exists: reused, its password left unchanged",
        cfg.api_user
    ));
    Ok((cfg.api_password.clone(), format!("reused ({page})")))
}

/// Creates the user (3.x: the Create user modal; 1.7/2.x: the Twig form).
async fn create(
    ctx: Ctx<'_>,
    users: UsersPage<'_>,
    attempt: &Mutex<Option<Secret>>,
) -> crate::Result<(Option<Secret>, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let (password, record) = match cfg.api_password.clone() {
        Some(p) => (p, None),
        None => {
            let p = crate::secrets::generate_password(GENERATED_PASSWORD_LEN);
            // Write-ahead: on disk before the PIM has it.
            let why = "generated password, sent to create the user";
            let saved = keep::before_sending(ctx, Subject::User(cfg.api_user.clone()), &p, why)?;
            (p, saved)
        }
    };
    pim.browser.add_secret(password.expose());
    *attempt.lock().unwrap() = Some(password.clone());
    let email = format!("{}@example.com", email_local_part(&cfg.api_user));
    let user = NewUser {
        username: &cfg.api_user,
        password: &password,
        first_name: "API",
        last_name: "User",
        email: &email,
    };
    ctx.created.lock().unwrap().sending("user");
    let saved = if pim.generation() == Generation::V3 {
        users.create().await?.save(&user).await
    } else {
        pim::legacy::TwigUserForm::open(pim)
            .await?
            .save(&user)
            .await
    };
    if let Err(e) = saved {
        if matches!(e, Error::PimRefused { .. }) {
            // Refused by validation ("This value is already used.": a concurrent run
            // created it): nothing of ours was committed; a retry finds and reuses it.
            *attempt.lock().unwrap() = None;
            keep::discard(record);
            ctx.created
                .lock()
                .unwrap()
                .unconfirmed
                .retain(|w| *w != "user");
        }
        return Err(e);
    }
    ctx.created.lock().unwrap().confirm("user");
    // The user did not exist: records older runs left for it hold passwords it never had.
    keep::drop_others(ctx, &Subject::User(cfg.api_user.clone()), record.as_deref());
    Ok((Some(password), "created".to_string()))
}

/// `--reset-password` on an existing API user (1.7 to 3.x). Akeneo 3.x changes a password in
/// the user edit form's "Password" tab only with the EDITED user's current password
/// (`UserController::validatePassword`); 1.7/2.x show that tab only on one's own account (the
/// user form's password fields exist only on creation). Returns the new password and how it
/// was set.
async fn reset_password(
    ctx: Ctx<'_>,
    users: UsersPage<'_>,
    generation: Generation,
) -> crate::Result<(Secret, &'static str)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    if generation != Generation::V3 {
        return Err(Error::Usage(format!(
            "--reset-password: Akeneo {generation} lets an administrator set a password only \
             when creating a user (the Password tab is shown on one's own account only); \
             delete {} in System > Users and run again to create it with a new password, or \
             pass its current password in PIM_API_PASSWORD without --reset-password",
            cfg.api_user
        )));
    }
    let Some(current) = cfg.generation.current_api_password.clone() else {
        return Err(Error::Usage(format!(
            "--reset-password: Akeneo 3.x changes a user's password only with that user's \
             current password (\"Wrong password\" otherwise, even for an administrator): pass \
             the current password of {} in PIM_API_CURRENT_PASSWORD or \
             --api-current-password-file, or delete the user in System > Users and run again; \
             nothing was changed",
            cfg.api_user
        )));
    };
    let (password, how, saved) = match cfg.api_password.clone() {
        Some(p) => (p, "the given password", None),
        None => {
            let p = crate::secrets::generate_password(GENERATED_PASSWORD_LEN);
            let why = "generated password, sent to reset the user's password";
            let saved = keep::before_sending(ctx, Subject::User(cfg.api_user.clone()), &p, why)?;
            (p, "a generated password", saved)
        }
    };
    pim.browser.add_secret(password.expose());
    let changed = async {
        users
            .edit(&cfg.api_user)
            .await?
            .change_password(&current, &password)
            .await
    }
    .await;
    if let Err(e) = changed {
        if matches!(e, Error::PimRefused { .. }) {
            // Refused ("Wrong password", too short): the old password is still the one.
            keep::discard(saved);
        }
        return Err(e);
    }
    Ok((password, how))
}

/// A safe e-mail local part for a username.
fn email_local_part(username: &str) -> String {
    let s: String = username
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "api-user".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_local_parts_are_safe() {
        assert_eq!(email_local_part("myAPIuser"), "myapiuser");
        assert_eq!(email_local_part("a b@c"), "a-b-c");
        assert_eq!(email_local_part(""), "api-user");
    }
}
