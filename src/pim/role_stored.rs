//! What the PIM stored for a role, read in ONE in-page call right after a 3.x creation's save
//! answered (issue 17: confirm a save from the server instead of waiting for the SPA to render
//! the update page it opens): the role's form fragment `GET /user/role/update/<id>` (what the
//! update page is rendered from; its "Web API permissions" rows parsed in the page, never
//! shown) and the role's Users grid request `GET /datagrid/pim-role-user-grid?…[role_id]=<id>`
//! (sorted on "Has role", filtered on the username). Reading only.

use serde_json::{json, Value};

use crate::error::Error;

use super::api_permissions::{self, ApiPermission, ApiPermissions};
use super::Pim;

/// Both requests at once (`Promise.all`): one round trip of latency. The form is parsed with
/// `DOMParser` and read by [`api_permissions::READ_JS`] against the parsed document (`readIn`
/// shadows `document`), so the page's own form can never be read instead.
const STORED_JS: &str = r#"
const [base, id, user, pane, done] = arguments;
const get = (path) => fetch(base + path, { credentials: 'same-origin', cache: 'no-store',
    headers: { 'X-Requested-With': 'XMLHttpRequest' } });
const g = 'pim-role-user-grid';
const q = new URLSearchParams();
q.set(g + '[role_id]', String(id));
q.set(g + '[_pager][_page]', '1');
q.set(g + '[_pager][_per_page]', '25');
q.set(g + '[_sort_by][has_role]', 'DESC');
if (user !== null) {
  q.set(g + '[_filter][username][value]', user);
  q.set(g + '[_filter][username][type]', '3');
}
Promise.all([
  get('/user/role/update/' + id).then(async (r) => ({ status: r.status, html: await r.text() })),
  user === null ? Promise.resolve(null) : get('/datagrid/' + g + '?' + q.toString()).then(async (r) => {
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    return { status: r.status, body };
  }),
]).then(([form, grid]) => {
  let rows = null;
  if (form.status === 200) {
    const parsed = new DOMParser().parseFromString(form.html, 'text/html');
    rows = readIn(parsed).call(null, pane);
  }
  let ticked = null;
  if (grid && grid.status === 200 && grid.body && Array.isArray(grid.body.data)) {
    const row = grid.body.data.find((r) => r.username === user);
    ticked = row ? row.has_role === true || row.has_role === 1 || row.has_role === '1' : null;
  }
  done({ form: form.status, rows, ticked });
}, (e) => done({ error: String(e) }));
"#;

/// A role as the server stored it.
#[derive(Debug, Clone)]
pub struct StoredRole {
    /// Every row of its "Web API permissions" tab, with its stored grant.
    pub api: Vec<ApiPermission>,
    /// Whether the user has the role (`has_role` of its row in the role's Users grid);
    /// `None` when not asked.
    pub ticked: Option<bool>,
}

impl StoredRole {
    /// The API permissions of `set` the role does not grant (labels).
    pub fn missing(&self, set: ApiPermissions) -> Vec<&str> {
        self.api
            .iter()
            .filter(|p| set.wants(p) && !p.granted)
            .map(|p| p.label.as_str())
            .collect()
    }

    /// The API permissions it grants.
    pub fn granted(&self) -> Vec<ApiPermission> {
        self.api.iter().filter(|p| p.granted).cloned().collect()
    }
}

/// Reads role `id` as stored, with the `user`'s row of its Users grid when given. `None` when
/// the answers do not tell (the form did not answer 200 or lists no API permission, the grid
/// did not answer or does not list the user): the caller then checks on the screens.
pub async fn read(pim: &Pim<'_>, id: u64, user: Option<&str>) -> Result<Option<StoredRole>, Error> {
    // `READ_JS` reads `arguments[0]` in `document`: here it is the body of a function given
    // the pane, in a scope where `document` is the parsed form.
    let js = format!(
        "const readIn = function (document) {{ return function () {{\n{}\n}}; }};\n{}",
        api_permissions::READ_JS,
        STORED_JS
    );
    let pane = "#pim_user-roles-tab-api, #rights-api";
    let v: Value = pim
        .browser
        .script_async(
            &js,
            vec![json!(pim.base()), json!(id), json!(user), json!(pane)],
        )
        .await?;
    Ok(parse(&v, user.is_some()))
}

/// What [`read`]'s script answered, when it tells.
fn parse(v: &Value, with_user: bool) -> Option<StoredRole> {
    if v["form"].as_u64() != Some(200) {
        return None;
    }
    let api = api_permissions::parse(&v["rows"]);
    if api.is_empty() {
        return None;
    }
    let ticked = v["ticked"].as_bool();
    if with_user && ticked.is_none() {
        return None;
    }
    Some(StoredRole { api, ticked })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(identity: &str, label: &str, granted: bool) -> Value {
        json!({"identity": identity, "label": label, "group": "", "pane": "", "granted": granted})
    }

    #[test]
    fn tells_only_from_complete_answers() {
        let rows = json!([
            row(api_permissions::OVERALL, "Web API permissions", true),
            row("action:pim_api_product_list", "List products", false),
        ]);
        let s = parse(&json!({"form": 200, "rows": rows, "ticked": true}), true).unwrap();
        assert_eq!(s.ticked, Some(true));
        assert!(s.missing(ApiPermissions::Overall).is_empty());
        assert_eq!(s.missing(ApiPermissions::Read), vec!["List products"]);
        assert_eq!(s.granted().len(), 1);
        // The user's row not listed (a grid without the filter, the user past page 1).
        assert!(parse(&json!({"form": 200, "rows": rows, "ticked": null}), true).is_none());
        assert!(parse(&json!({"form": 200, "rows": rows, "ticked": null}), false).is_some());
        assert!(parse(&json!({"form": 404, "rows": rows, "ticked": true}), true).is_none());
        assert!(parse(&json!({"form": 200, "rows": [], "ticked": true}), true).is_none());
        assert!(parse(&json!({"error": "TypeError"}), true).is_none());
    }
}
