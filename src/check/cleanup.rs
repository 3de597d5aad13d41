//! `check --cleanup`: removes what the run created, through the UI, in reverse order.

use super::config::Created;
use super::steps::Names;
use crate::browser::Browser;
use crate::error::Error;
use crate::flow::step;
use crate::model::Step;
use crate::pim::{self, Pim};
use crate::progress::Progress;

/// Removes what this run created, in reverse order; what it did not create is never touched.
/// Every removal is tried; the first error is returned.
pub(super) async fn cleanup(
    pim: Pim<'_>,
    progress: &Progress,
    names: &Names<'_>,
    created: &Created,
) -> crate::Result<()> {
    let b = pim.browser;
    let (user, role, connection) = (names.user, names.role, names.connection);
    let connections = pim.generation().has_connections();
    let conn_step = if connections {
        Step::DeleteConnection
    } else {
        Step::RevokeApiConnection
    };
    let mut errors = vec![
        undo(b, progress, conn_step, created.connection, async {
            if connections {
                pim::check::delete_connection(pim, connection).await?;
                Ok(format!(
                    "'{connection}' deleted (with its user and client); gone from the list"
                ))
            } else {
                pim::check::revoke_connection(pim, connection).await?;
                Ok(format!("'{connection}' revoked; gone from the grid"))
            }
        })
        .await,
        undo(b, progress, Step::DeleteRole, created.role, async {
            pim::check::delete_role(pim, role).await?;
            Ok(format!("'{role}' deleted; gone from the grid"))
        })
        .await,
    ];
    // 4.x+: deleting the connection deleted its user.
    if !connections {
        errors.push(
            undo(b, progress, Step::DeleteUser, created.user, async {
                pim::check::delete_user(pim, user).await?;
                Ok(format!("'{user}' deleted; gone from the grid"))
            })
            .await,
        );
    }
    errors.into_iter().flatten().next().map_or(Ok(()), Err)
}

/// One cleanup step: runs `remove` when this run created the entity, else records the step as
/// skipped (an entity that existed before the run is never touched). Returns its error.
async fn undo(
    b: &Browser,
    progress: &Progress,
    name: Step,
    created_by_this_run: bool,
    remove: impl std::future::Future<Output = crate::Result<String>>,
) -> Option<Error> {
    if !created_by_this_run {
        progress.skip(name.name(), "not created by this run: left alone");
        return None;
    }
    step(b, progress, name, async { Ok(((), remove.await?)) })
        .await
        .err()
}
