//! 4.x and later: the Connection, its four credentials and its role.

use super::config::Ctx;
use crate::error::Error;
use crate::model::Credentials;
use crate::pim::ConnectionsPage;

/// Ensures the connection and returns its four credentials: creates it (the password is read
/// right after creation), or reuses it (its password cannot be read again: regenerated with
/// `--regenerate-password`, else a clear error); then sets its role (Permissions) and saves.
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
    let (edit, mut what) = if page.exists(&cfg.connection).await? {
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
        what.push_str("; password regenerated (the old one no longer works)");
    }
    // Tutorial screenshots only: the Credentials block after a reload.
    edit.snapshot_reloaded(&creds.client_id).await?;
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
