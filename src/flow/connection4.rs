//! 4.x and later: the Connection, its four credentials and its role.

use super::config::Ctx;
use super::keep;
use crate::error::Error;
use crate::model::Credentials;
use crate::pim::ConnectionsPage;
use crate::vault::{Record, Subject};

/// Ensures the connection and returns its four credentials: creates it (the password is read
/// right after creation), or reuses it (its password cannot be read again: regenerated with
/// `--regenerate-password`, else a clear error); then sets its role (Permissions) and saves.
pub(crate) async fn ensure(ctx: Ctx<'_>) -> crate::Result<(Credentials, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let b = pim.browser;
    let mut section = None;
    let page = ConnectionsPage::open(pim).await?;
    let (edit, mut what) = if page.exists(&cfg.connection).await? {
        (page.edit(&cfg.connection).await?, "reused".to_string())
    } else {
        // From Save on, the PIM may hold it even if the edit page never shows: say so on failure.
        // Its password shows once: an interrupt waits until it is on disk.
        section = Some(super::critical::enter());
        ctx.created.lock().unwrap().sending("connection");
        let edit = page
            .create(&cfg.connection, cfg.generation.flow_type)
            .await?;
        ctx.created.lock().unwrap().confirm("connection");
        (
            edit,
            format!("created (flow type {})", cfg.generation.flow_type),
        )
    };
    let mut creds = edit.credentials().await?;
    let subject = Subject::Connection(cfg.connection.clone());
    if creds.password.is_some() {
        // Shown once: on disk before anything else happens (older records are of a connection
        // that no longer exists).
        keep::drop_others(ctx, &subject, None);
        keep::received(
            ctx,
            &record(ctx, subject.clone(), &creds, "shown once at creation"),
        );
        drop(section.take());
    } else if !cfg.generation.regenerate_password {
        // A password an earlier run read at creation, then stopped before delivering it.
        let same = |r: &Record| r.client_id.as_deref() == Some(creds.client_id.as_str());
        if let Some(found) = keep::pick_up(ctx, &subject, same) {
            creds.password = found.record.password;
            if let Some(p) = &creds.password {
                b.add_secret(p.expose());
            }
            what.push_str("; password saved by an earlier run");
        }
    }
    if creds.password.is_none() {
        if !cfg.generation.regenerate_password {
            return Err(Error::PimRefused {
                step: b.step(),
                message: format!(
                    "connection '{}' exists and {} shows its password only once, at creation: \
                     it cannot be read again. Rerun with --regenerate-password to get a new one \
                     (the old password stops working for every integration using it), or use \
                     another --connection label to create a new connection",
                    cfg.connection,
                    pim.generation()
                ),
            });
        }
        creds = edit.regenerate_password().await?;
        keep::drop_others(ctx, &subject, None);
        keep::received(ctx, &record(ctx, subject, &creds, "regenerated"));
        what.push_str("; password regenerated (the old one no longer works)");
    }
    if edit.set_role(&cfg.role).await? {
        what.push_str(&format!("; role set to '{}' and saved", cfg.role));
    } else {
        what.push_str(&format!("; role already '{}'", cfg.role));
    }
    what.push_str(&format!(
        "; client id {}, user {}",
        creds.client_id, creds.username
    ));
    Ok((creds, what))
}

/// The record of a connection's credentials as read from its page.
fn record(ctx: Ctx<'_>, subject: Subject, creds: &Credentials, why: &str) -> Record {
    Record {
        pim_url: ctx.cfg.pim_url.clone(),
        subject,
        username: Some(creds.username.clone()),
        password: creds.password.clone(),
        client_id: Some(creds.client_id.clone()),
        secret: Some(creds.secret.clone()),
        why: format!("connection password {why}"),
    }
}
