//! 1.7: the OAuth client through the PIM's console.

use std::time::Duration;

use super::config::Ctx;
use crate::error::Error;
use crate::pim::{self, ClientCredentials};

/// Reuses a client with the connection's label (`list-clients`) or creates one (`--console
/// PREFIX`). Without `--console`, stops with the command to run (the user and the role are
/// ensured by then).
pub(crate) async fn ensure(ctx: Ctx<'_>) -> crate::Result<(ClientCredentials, String)> {
    let cfg = ctx.cfg;
    let Some(prefix) = cfg.generation.console.as_deref() else {
        return Err(Error::Other(anyhow::anyhow!(
            "1.7 has no API connections page: API clients are created with the PIM's console. \
             The user '{}' and the role '{}' are ready. Rerun with --console \"PREFIX\" (e.g. \
             --console \"docker exec pim php app/console\"), or run this on the PIM server and \
             use the client_id and secret it prints:\n  {}",
            cfg.api_user,
            cfg.role,
            pim::console::create_command_line(None, &cfg.connection)
        )));
    };
    let console = pim::console::Console::new(prefix, cfg.timeout.max(Duration::from_secs(60)))?;
    if let Some(c) = console
        .list_clients()
        .await?
        .into_iter()
        .find(|c| c.label == cfg.connection)
    {
        let detail = format!("reused console client {}", c.client_id);
        return Ok((
            ClientCredentials {
                client_id: c.client_id,
                secret: c.secret,
            },
            detail,
        ));
    }
    let c = console.create_client(&cfg.connection).await?;
    ctx.created.lock().unwrap().connection = true;
    let detail = format!("created with the console: client id {}", c.client_id);
    Ok((c, detail))
}
