//! The API connection and its credentials, per generation: 2.x/3.x System > API connections
//! (here), 4.x+ Connections ([`super::connection4`]), 1.7 the console ([`super::console`]).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::config::Ctx;
use super::step::step;
use super::{connection4, console};
use crate::error::Error;
use crate::model::{Credentials, Step};
use crate::pim::{ApiConnectionsPage, ClientCredentials};
use crate::secrets::Secret;

/// Steps `ensure connection` (and on 2.x/3.x `read credentials`): the four credentials, with
/// the API user's `password` (when known) up to 3.x, the connection's own user on 4.x+.
pub(crate) async fn ensure_connection(
    ctx: Ctx<'_>,
    password: Option<Secret>,
) -> crate::Result<Credentials> {
    let b = ctx.pim.browser;
    let generation = ctx.pim.generation();
    let client = if generation.has_connections() {
        return step(b, ctx.progress, Step::EnsureConnection, async {
            connection4::ensure(ctx).await
        })
        .await;
    } else if generation.console_only() {
        let c = step(b, ctx.progress, Step::EnsureConnection, async {
            console::ensure(ctx).await
        })
        .await?;
        b.add_secret(&c.secret);
        c
    } else {
        let page = ensure_api_connection(ctx).await?;
        read_credentials(ctx, &page).await?
    };
    Ok(Credentials {
        client_id: client.client_id,
        secret: Secret::new(client.secret),
        username: ctx.cfg.api_user.clone(),
        password,
    })
}

/// 2.x/3.x step `ensure connection`: the API connections page, with the connection.
async fn ensure_api_connection(ctx: Ctx<'_>) -> crate::Result<ApiConnectionsPage<'_>> {
    let attempt: &AtomicBool = &AtomicBool::new(false);
    let refused: &AtomicBool = &AtomicBool::new(false);
    ctx.recovering(Step::EnsureConnection, move || {
        create_once(ctx, attempt, refused)
    })
    .await
}

/// One try of `ensure connection` on 2.x/3.x.
async fn create_once<'a>(
    ctx: Ctx<'a>,
    attempt: &AtomicBool,
    refused: &AtomicBool,
) -> crate::Result<(ApiConnectionsPage<'a>, String)> {
    let label = &ctx.cfg.connection;
    let page = ApiConnectionsPage::open(ctx.pim).await?;
    let before = page.all_labelled(label).await?;
    if !before.is_empty() {
        if attempt.load(Ordering::SeqCst) {
            ctx.created.lock().unwrap().confirm("connection");
            return Ok((page, "created (found after a failed save)".to_string()));
        }
        return Ok((page, "reused".to_string()));
    }
    attempt.store(true, Ordering::SeqCst);
    ctx.created.lock().unwrap().sending("connection");
    match page.create(label).await {
        // The CLI already checked the label (1-255 characters), so a first refusal is more
        // likely a failed save shown in the popin ("An error occurred."): look again once; a
        // second refusal is the PIM's answer.
        Err(Error::PimRefused { step, message }) if !refused.swap(true, Ordering::SeqCst) => {
            return Err(Error::Unexpected {
                step,
                message: format!("the PIM answered: {message}"),
            });
        }
        other => other?,
    }
    ctx.created.lock().unwrap().confirm("connection");
    // Labels are not unique: a concurrent run with the same label may have created one too.
    // Keep the oldest of the rows that appeared meanwhile, revoke the others (the other run, by
    // the same rule, keeps the same one); rows that existed before are never touched.
    let after = page.all_labelled(label).await?;
    let new: Vec<_> = after
        .iter()
        .filter(|c| !before.iter().any(|o| o.client_id == c.client_id))
        .collect();
    if new.len() <= 1 {
        return Ok((page, "created".to_string()));
    }
    for dup in &new[1..] {
        page.revoke(&dup.client_id).await?;
    }
    ctx.progress.note(&format!(
        "another run created connection '{label}' at the same time: kept the oldest ({}), \
         revoked {} duplicate(s)",
        new[0].client_id,
        new.len() - 1
    ));
    let detail = format!("created; {} concurrent duplicate(s) revoked", new.len() - 1);
    Ok((page, detail))
}

/// 2.x/3.x step `read credentials`: the client id and secret of the connection's row.
async fn read_credentials(
    ctx: Ctx<'_>,
    page: &ApiConnectionsPage<'_>,
) -> crate::Result<ClientCredentials> {
    let tries: &AtomicU32 = &AtomicU32::new(0);
    ctx.recovering(Step::ReadCredentials, move || async move {
        // A retry (after the session expired ...) re-opens the page.
        let fresh;
        let page = if tries.fetch_add(1, Ordering::SeqCst) == 0 {
            page
        } else {
            fresh = ApiConnectionsPage::open(ctx.pim).await?;
            &fresh
        };
        let c = page.read_credentials(&ctx.cfg.connection).await?;
        ctx.pim.browser.add_secret(&c.secret);
        let detail = format!("client id {}", c.client_id);
        Ok((c, detail))
    })
    .await
}
