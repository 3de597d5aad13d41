//! 4.x and later: the Connection, its four credentials and its role.

use super::config::Ctx;
use super::keep;
use crate::error::Error;
use crate::model::Credentials;
use crate::pim::connections4::{role_api_acls, ConnectionEdit};
use crate::pim::ConnectionsPage;
use crate::vault::{Record, Subject};

/// The record of a password shown once at the connection's creation.
const CREATED: &str = "shown once at creation";

/// Ensures the connection and returns its four credentials: creates it (the password is read
/// right after creation), or reuses it (same client ID; its password cannot be read again:
/// regenerated with `--regenerate-password`, else a clear error before anything changes);
/// regenerates its secret with `--regenerate-secret`; then sets its role (Permissions) and
/// saves, unless that would leave a reused connection with fewer API permissions.
pub(crate) async fn ensure(ctx: Ctx<'_>) -> crate::Result<(Credentials, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let b = pim.browser;
    let mut section = None;
    let page = ConnectionsPage::open(pim).await?;
    let reused = page.exists(&cfg.connection).await?;
    let (edit, mut what) = if reused {
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
    let mut created_by_us = !reused;
    if creds.password.is_some() {
        // Shown once: on disk before anything else happens (older records are of a connection
        // that no longer exists).
        keep::drop_others(ctx, &subject, None);
        keep::received(ctx, &record(ctx, subject.clone(), &creds, CREATED));
        drop(section.take());
    } else if !cfg.generation.regenerate_password {
        // A password an earlier run read at creation, then stopped before delivering it.
        let same = |r: &Record| r.client_id.as_deref() == Some(creds.client_id.as_str());
        if let Some(found) = keep::pick_up(ctx, &subject, same) {
            // Created by an earlier run of the tool: its role is the PIM's default, not a choice.
            created_by_us = found.record.why == why(CREATED);
            creds.password = found.record.password;
            if let Some(p) = &creds.password {
                b.add_secret(p.expose());
            }
            what.push_str("; password saved by an earlier run");
        }
    }
    if creds.password.is_none() && !cfg.generation.regenerate_password {
        return Err(Error::PimRefused {
            step: b.step(),
            message: format!(
                "connection '{}' exists (client id {}) and {} shows its password only once, at \
                 creation: it cannot be read again. Rerun with --regenerate-password to get a new \
                 one (the old password stops working for every integration using it), or use \
                 another --connection label to create a new connection; nothing was changed",
                cfg.connection,
                creds.client_id,
                pim.generation()
            ),
        });
    }
    if reused && cfg.generation.regenerate_secret {
        let (old, known) = (creds.client_id.clone(), creds.password.take());
        creds = edit.regenerate_secret().await?;
        if creds.client_id != old {
            return Err(b.unexpected(format!(
                "the client id changed from {old} to {} when regenerating the secret",
                creds.client_id
            )));
        }
        // A password picked up from an earlier run still works with the new secret.
        if creds.password.is_none() {
            creds.password = known;
        }
        // The new secret: on disk before anything else happens (the old records hold a secret
        // that no longer works).
        keep::drop_others(ctx, &subject, None);
        keep::received(
            ctx,
            &record(ctx, subject.clone(), &creds, "kept, secret regenerated"),
        );
        what.push_str("; secret regenerated (the old one no longer works)");
    }
    if creds.password.is_none() {
        let secret = creds.secret.clone();
        creds = edit.regenerate_password().await?;
        if cfg.generation.regenerate_secret && creds.secret != secret {
            return Err(b.unexpected("the secret changed when regenerating the password".into()));
        }
        keep::drop_others(ctx, &subject, None);
        keep::received(ctx, &record(ctx, subject, &creds, "regenerated"));
        what.push_str("; password regenerated (the old one no longer works)");
    }
    // Tutorial screenshots only: the Credentials block after a reload.
    edit.snapshot_reloaded(&creds.client_id).await?;
    what.push_str(&set_role(ctx, &edit, !created_by_us).await?);
    what.push_str(&format!(
        "; client id {}, user {}",
        creds.client_id, creds.username
    ));
    Ok((creds, what))
}

/// Gives the connection the tool's role, unless the connection was reused (not created by this
/// run or an earlier one of the tool) and its current role grants API permissions the tool's
/// role lacks (then it is kept, and said).
async fn set_role(ctx: Ctx<'_>, edit: &ConnectionEdit<'_>, reused: bool) -> crate::Result<String> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let current = edit.role().await?;
    if current == cfg.role {
        return Ok(format!("; role already '{}'", cfg.role));
    }
    if reused {
        let had = role_api_acls(&pim, &current).await?.unwrap_or_default();
        let ours = role_api_acls(&pim, &cfg.role).await?.unwrap_or_default();
        let lost: Vec<&String> = had.iter().filter(|a| !ours.contains(a)).collect();
        if !lost.is_empty() {
            let lost: Vec<&str> = lost.iter().map(|s| s.as_str()).collect();
            let note = format!(
                "kept the connection's role '{current}': '{}' lacks API permissions it grants \
                 ({}); rerun with --api-permissions all, or grant them to '{}'",
                cfg.role,
                lost.join(", "),
                cfg.role
            );
            ctx.progress.note(&note);
            ctx.notes.lock().unwrap().push(note.clone());
            return Ok(format!("; {note}"));
        }
    }
    edit.set_role(&cfg.role).await?;
    Ok(format!("; role set to '{}' and saved", cfg.role))
}

/// The record of a connection's credentials as read from its page.
fn record(ctx: Ctx<'_>, subject: Subject, creds: &Credentials, what: &str) -> Record {
    Record {
        pim_url: ctx.cfg.pim_url.clone(),
        subject,
        username: Some(creds.username.clone()),
        password: creds.password.clone(),
        client_id: Some(creds.client_id.clone()),
        secret: Some(creds.secret.clone()),
        why: why(what),
    }
}

/// Why a record of a connection was kept; [`CREATED`] for the password shown at creation.
fn why(what: &str) -> String {
    format!("connection password {what}")
}
