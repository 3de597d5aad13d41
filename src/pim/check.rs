//! What `check` needs beyond provisioning (3.x): assertions on what the role page shows, the
//! token and the API call as two separate steps, and the cleanup actions through the UI
//! (revoke an API connection, delete a role, delete a user), each confirmed and checked gone.
//!
//! Selectors (ui-1.7-to-3.x.md and akeneo/pim-community-dev 3.x `datagrid/user.yml`,
//! `datagrid/role.yml`): grid row actions `a[title="Revoke"]` (api-connection-grid) and
//! `a[title="Delete"]` (pim-user-grid, pim-role-grid, launcher `AknIconButton--trash`), each
//! followed by a `pim/dialog` confirmation whose OK button is `.ok`.

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator};
use crate::error::Error;

use super::grid::Grid;
use super::{ApiConnectionsPage, ConnectionsPage, Pim, RolesPage, UsersPage};

/// The role form (3.x id, 1.7/2.x id).
const ROLE_FORM: &str = "form:has(#pim_user_role_form_label), form:has(#oro_user_role_form_label)";
/// The page title of an index or edit page.
const TITLE: &str = ".AknTitleContainer-title";

/// Checks the re-opened role page: its title names the role ("Edit - {label}" in 3.x, "Edit
/// role - {label}" in 2.x) and no validation message is shown. Returns the title.
pub async fn expect_role_page(pim: Pim<'_>, label: &str) -> Result<String, Error> {
    let b = pim.browser;
    let title = Locator::css(ROLE_FORM)
        .filter(Filter::Visible)
        .find(TITLE)
        .filter(Filter::Visible);
    let info = b.read(&title).await?;
    if !info.text.ends_with(&format!("- {label}")) {
        return Err(b.unexpected(format!(
            "the role page's title `{TITLE}` is {:?}, expected \"Edit - {label}\"",
            info.text
        )));
    }
    let errors = pim.validation_errors(ROLE_FORM).await?;
    if !errors.is_empty() {
        return Err(b.unexpected(format!(
            "the saved role form shows validation messages (`.validation-tooltip`): {}",
            errors.join("; ")
        )));
    }
    Ok(info.text)
}

/// Clicks the row action `title` ("Delete", "Revoke") in the row of `value` of `grid`, accepts
/// the confirmation, and waits until the dialog is gone and the grid settled.
async fn row_action(pim: Pim<'_>, grid: &Grid, value: &str, title: &str) -> Result<(), Error> {
    let b = pim.browser;
    let action = grid
        .row(value)
        .find(format!("a[title=\"{title}\"]"))
        .filter(Filter::Visible);
    b.click(&action).await?;
    let modal = Locator::css(".modal").filter(Filter::Visible);
    b.click(&modal.clone().find(".ok").filter(Filter::Visible))
        .await?;
    b.wait(&Locator::css(".modal").many(), Cond::Hidden).await?;
    b.wait(&grid.row(value).many(), Cond::Hidden).await?;
    Ok(())
}

/// Revokes the API connection `label` (row action "Revoke", confirmation "Confirm
/// revocation"), then re-opens the page and checks it is gone.
pub async fn revoke_connection(pim: Pim<'_>, label: &str) -> Result<(), Error> {
    let page = ApiConnectionsPage::open(pim).await?;
    if page.find(label).await?.is_none() {
        return Err(pim
            .browser
            .unexpected(format!("connection '{label}' is not in the grid")));
    }
    row_action(pim, &Grid::new(None, "Credentials"), label, "Revoke").await?;
    if ApiConnectionsPage::open(pim)
        .await?
        .find(label)
        .await?
        .is_some()
    {
        return Err(pim.browser.unexpected(format!(
            "connection '{label}' is still listed after revoking it"
        )));
    }
    Ok(())
}

/// 4.x and later: deletes the connection `label` (its edit page, "Other actions" > "Delete" +
/// confirmation; the PIM deletes its API user and client with it), then re-opens the list and
/// checks it is gone.
pub async fn delete_connection(pim: Pim<'_>, label: &str) -> Result<(), Error> {
    let page = ConnectionsPage::open(pim).await?;
    if !page.exists(label).await? {
        return Err(pim.browser.unexpected(format!(
            "connection '{label}' is not in the Connections list"
        )));
    }
    page.edit(label).await?.delete().await?;
    if ConnectionsPage::open(pim).await?.exists(label).await? {
        return Err(pim.browser.unexpected(format!(
            "connection '{label}' is still listed after deleting it"
        )));
    }
    Ok(())
}

/// Deletes the role `label` (roles grid row action "Delete" + confirmation), then re-opens the
/// grid and checks it is gone.
pub async fn delete_role(pim: Pim<'_>, label: &str) -> Result<(), Error> {
    let roles = RolesPage::open(pim).await?;
    if !roles.find(label).await? {
        return Err(pim
            .browser
            .unexpected(format!("role '{label}' is not in the Roles grid")));
    }
    row_action(pim, &Grid::new(None, "Label"), label, "Delete").await?;
    if RolesPage::open(pim).await?.find(label).await? {
        return Err(pim
            .browser
            .unexpected(format!("role '{label}' is still listed after deleting it")));
    }
    Ok(())
}

/// Deletes the user `username` (users grid row action "Delete" + confirmation), then re-opens
/// the grid and checks it is gone.
pub async fn delete_user(pim: Pim<'_>, username: &str) -> Result<(), Error> {
    let users = UsersPage::open(pim).await?;
    if users.find(username).await?.is_none() {
        return Err(pim
            .browser
            .unexpected(format!("user '{username}' is not in the Users grid")));
    }
    row_action(pim, &Grid::new(None, "Username"), username, "Delete").await?;
    if UsersPage::open(pim).await?.find(username).await?.is_some() {
        return Err(pim.browser.unexpected(format!(
            "user '{username}' is still listed after deleting it"
        )));
    }
    Ok(())
}

const TOKEN_JS: &str = r#"
const [tokenUrl, clientId, secret, username, password, done] = arguments;
(async () => {
  const t = await fetch(tokenUrl, {
    method: 'POST', credentials: 'omit', cache: 'no-store',
    headers: { 'Content-Type': 'application/json', 'Authorization': 'Basic ' + btoa(clientId + ':' + secret) },
    body: JSON.stringify({ grant_type: 'password', username, password }),
  });
  let b = {};
  try { b = await t.json(); } catch (e) {}
  const ok = t.status === 200 && typeof b.access_token === 'string';
  window.__pimCheckToken = ok ? b.access_token : null;
  return { status: t.status, ok, message: typeof b.message === 'string' ? b.message : '',
           type: typeof b.token_type === 'string' ? b.token_type : '', refresh: typeof b.refresh_token === 'string' };
})().then(done, (e) => done({ status: 0, ok: false, message: String(e) }));
"#;

const CALL_JS: &str = r#"
const [url, done] = arguments;
(async () => {
  const a = await fetch(url, {
    credentials: 'omit', cache: 'no-store',
    headers: { 'Authorization': 'Bearer ' + window.__pimCheckToken, 'Accept': 'application/json' },
  });
  let b = {};
  try { b = await a.json(); } catch (e) {}
  return { status: a.status, message: typeof b.message === 'string' ? b.message : '' };
})().then(done, (e) => done({ status: 0, message: String(e) }));
"#;

/// `POST /api/oauth/v1/token` from the page (PIM origin). The access token stays in the page
/// for [`call_api`]. Returns a description of the answer (no secret in it).
pub async fn get_token(
    pim: Pim<'_>,
    client_id: &str,
    secret: &str,
    username: &str,
    password: &str,
) -> Result<String, Error> {
    let b = pim.browser;
    b.add_secret(secret);
    b.add_secret(password);
    let v: Value = b
        .script_async(
            TOKEN_JS,
            vec![
                json!(pim.url("/api/oauth/v1/token")),
                json!(client_id),
                json!(secret),
                json!(username),
                json!(password),
            ],
        )
        .await?;
    let status = v["status"].as_u64().unwrap_or(0);
    if v["ok"].as_bool() != Some(true) {
        return Err(Error::Verify(format!(
            "POST /api/oauth/v1/token answered {status}: {}",
            v["message"]
                .as_str()
                .filter(|m| !m.is_empty())
                .unwrap_or("(no message)")
        )));
    }
    if v["refresh"].as_bool() != Some(true) {
        return Err(Error::Verify(
            "POST /api/oauth/v1/token answered 200 without a refresh_token".into(),
        ));
    }
    Ok(format!(
        "200, {} token and refresh token",
        v["type"].as_str().unwrap_or("")
    ))
}

/// Calls `probe` with the token [`get_token`] left in the page. A 2xx passes; a 403 "Access
/// forbidden. …" also passes (overall access works, only the resource's own ACL is missing);
/// anything else fails with the PIM's message.
pub async fn call_api(pim: Pim<'_>, probe: &str) -> Result<String, Error> {
    let v: Value = pim
        .browser
        .script_async(CALL_JS, vec![json!(pim.url(probe))])
        .await?;
    let status = v["status"].as_u64().unwrap_or(0);
    let message = v["message"].as_str().unwrap_or_default();
    match status {
        200..=299 => Ok(format!("GET {probe}: {status}")),
        403 if message.starts_with("Access forbidden.") => {
            Ok(format!("GET {probe}: 403, access ok; {message}"))
        }
        _ => Err(Error::Verify(format!(
            "GET {probe} answered {status}: {}",
            if message.is_empty() {
                "(no message)"
            } else {
                message
            }
        ))),
    }
}
