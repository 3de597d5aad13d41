//! The API permissions of a role as the PIM stores them, read from the page without leaving
//! it: `GET /rest/user_role/` (the Permissions select's own request: `{id, role, label}`) for
//! the id, then the role's form fragment `GET /user/role/update/<id>` (§7: the 3.x Twig form in
//! every version), parsed in the page, its "Web API permissions" rows read.

use serde_json::{json, Value};

use crate::error::Error;

use super::super::api_permissions;
use super::super::Pim;

const ROLE_ACLS_JS: &str = r#"
const [label, pane, done] = arguments;
(async () => {
  const h = { 'X-Requested-With': 'XMLHttpRequest' };
  const roles = await (await fetch('/rest/user_role/', { credentials: 'include', headers: h })).json();
  const role = (Array.isArray(roles) ? roles : []).find((r) => r.label === label);
  if (!role) return { found: false };
  const html = await (await fetch(`/user/role/update/${role.id}`, { credentials: 'include', headers: h })).text();
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const holder = document.createElement('div');
  holder.hidden = true;
  holder.append(...doc.body.childNodes);
  document.body.appendChild(holder);
  try { return { found: true, rows: read.call(null, pane) }; } finally { holder.remove(); }
})().then(done, (e) => done({ found: false, error: String(e) }));
"#;

/// The API permissions (ACL ids) role `label` grants, or `None` when the PIM lists no such
/// role or its form cannot be read.
pub async fn role_api_acls(pim: &Pim<'_>, label: &str) -> Result<Option<Vec<String>>, Error> {
    let pane = "#pim_user-roles-tab-api, #rights-api";
    // `READ_JS` reads `arguments[0]`: here it is the body of `read`, given the pane.
    let js = format!(
        "const read = function () {{\n{}\n}};\n{}",
        api_permissions::READ_JS,
        ROLE_ACLS_JS
    );
    let v: Value = pim
        .browser
        .script_async(&js, vec![json!(label), json!(pane)])
        .await?;
    if v["found"].as_bool() != Some(true) || v["rows"].is_null() {
        return Ok(None);
    }
    Ok(Some(
        api_permissions::parse(&v["rows"])
            .into_iter()
            .filter(|p| p.granted)
            .map(|p| p.acl().to_string())
            .collect(),
    ))
}
