//! Back-office permissions of the 2.x/3.x XHR endpoints: a user whose roles lack the ACL of
//! a page gets 403 (the SPA then shows its error page). With `--restricted-admin`, the
//! built-in user `julia` (password `julia`, role "Catalog manager") can log in and manage
//! users, but not roles nor API connections.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

use super::session::{json_error, CurrentUser};
use super::AppState;

/// Login of the restricted administrator (`--restricted-admin`).
pub const RESTRICTED_USER: &str = "julia";
/// Its password.
pub const RESTRICTED_PASSWORD: &str = "julia";
/// Label of its role.
pub const RESTRICTED_ROLE: &str = "Catalog manager";
/// The message of the 403 answers.
pub const FORBIDDEN: &str = "You are not allowed to access this page.";

/// The ACL an XHR path needs, if any.
fn required(path: &str) -> Option<&'static str> {
    if path.starts_with("/datagrid/pim-role-grid") {
        Some("pim_user_role_index")
    } else if path.starts_with("/user/role/create") {
        Some("pim_user_role_create")
    } else if path.starts_with("/user/role/update/") {
        Some("pim_user_role_edit")
    } else if path.starts_with("/datagrid/api-connection-grid") || path.starts_with("/client/rest")
    {
        Some("pim_enrich_api_connection_manage")
    } else {
        None
    }
}

/// Middleware (inside the login guard): 403 when the current user lacks the path's ACL.
pub async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let me = req.extensions().get::<CurrentUser>().map(|u| u.user_id);
    if let (Some(acl), Some(user)) = (required(req.uri().path()), me) {
        if !app.lock().user_has_acl(user, acl) {
            return json_error(StatusCode::FORBIDDEN, FORBIDDEN);
        }
    }
    next.run(req).await
}

/// Adds the restricted administrator and its role to a fresh database.
pub fn add_restricted_admin(db: &mut super::state::State) {
    let acls = super::state::ACLS
        .iter()
        .map(|a| a.0)
        .filter(|id| {
            !id.starts_with("pim_user_role_")
                && *id != "pim_enrich_api_connection_manage"
                && *id != super::state::ACL_API_OVERALL
        })
        .map(str::to_string)
        .collect();
    let role = db.add_role("ROLE_CATALOG_MANAGER", RESTRICTED_ROLE, acls);
    db.add_user(
        RESTRICTED_USER,
        "julia@example.com",
        "Julia",
        "Stark",
        RESTRICTED_PASSWORD,
        vec![role],
    );
}
