//! 4.x and later: the Connection, its four credentials and its role.

use super::config::Ctx;
use crate::error::Error;
use crate::model::Credentials;
use crate::pim::connections4::{role_api_acls, ConnectionEdit};
use crate::pim::ConnectionsPage;

/// Ensures the connection and returns its four credentials: creates it (the password is read
/// right after creation), or reuses it (same client ID; its password cannot be read again:
/// regenerated with `--regenerate-password`, else a clear error before anything changes);
/// regenerates its secret with `--regenerate-secret`; then sets its role (Permissions) and
/// saves, unless that would leave a reused connection with fewer API permissions.
pub(crate) async fn ensure(ctx: Ctx<'_>) -> crate::Result<(Credentials, String)> {
    let (pim, cfg) = (ctx.pim, ctx.cfg);
    let b = pim.browser;
    // The create form refuses (Save stays disabled) labels outside 3..=100 characters.
    let len = cfg.connection.chars().count();
    if !(3..=100).contains(&len) {
        return Err(Error::Usage(format!(
            "--connection {:?}: {} needs a connection label of 3 to 100 characters, it has {len}; \
             nothing was sent for the connection",
            cfg.connection,
            pim.generation()
        )));
    }
    let page = ConnectionsPage::open(pim).await?;
    let reused = page.exists(&cfg.connection).await?;
    let (edit, mut what) = if reused {
        (page.edit(&cfg.connection).await?, "reused".to_string())
    } else {
        // From Save on, the PIM may hold it even if the edit page never shows: say so on failure.
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
        let old = creds.client_id.clone();
        creds = edit.regenerate_secret().await?;
        if creds.client_id != old {
            return Err(b.unexpected(format!(
                "the client id changed from {old} to {} when regenerating the secret",
                creds.client_id
            )));
        }
        what.push_str("; secret regenerated (the old one no longer works)");
    }
    if creds.password.is_none() {
        let secret = creds.secret.clone();
        creds = edit.regenerate_password().await?;
        if cfg.generation.regenerate_secret && creds.secret != secret {
            return Err(b.unexpected("the secret changed when regenerating the password".into()));
        }
        what.push_str("; password regenerated (the old one no longer works)");
    }
    // Tutorial screenshots only: the Credentials block after a reload.
    edit.snapshot_reloaded(&creds.client_id).await?;
    what.push_str(&set_role(ctx, &edit, reused).await?);
    what.push_str(&format!(
        "; client id {}, user {}",
        creds.client_id, creds.username
    ));
    Ok((creds, what))
}

/// Gives the connection the tool's role, unless the connection was reused and its current
/// role grants API permissions the tool's role lacks (then it is kept, and said).
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
