//! What the 3.x back office already knows, asked in ONE in-page call with the session's
//! cookies instead of opening screens to probe (issue 17): the version the SPA's Help menu
//! reads at boot (`GET /analytics/collect_data`: `pim_version`, 3.2+), the administrator's
//! security context the SPA boots with (`GET /rest/security/`: every ACL, granted or not), and
//! the API user and the role looked up with the back office's own datagrid requests and their
//! string filters (`/datagrid/pim-user-grid?pim-user-grid[_filter][username][value]=…`,
//! `/datagrid/pim-role-grid?pim-role-grid[_filter][label][value]=…`, type `3` = "is equal
//! to"). Reading only: every creation and grant is still done through the screens.

use serde_json::{json, Map, Value};

use crate::error::Error;

use super::{Generation, Pim};

/// The ACL that lists roles (the Roles grid, `pim_user_role_index`).
const ACL_ROLES: &str = "pim_user_role_index";
/// The ACL of System > API connections (`pim_enrich_api_connection_manage`).
const ACL_API_CONNECTIONS: &str = "pim_enrich_api_connection_manage";

/// The requests, all at once (`Promise.all`): one round trip of latency for the lot. Each
/// answers `{status, body}`; a request that fails answers status 0.
const KNOWN_JS: &str = r#"
const [base, wants, done] = arguments;
const get = (path) => fetch(base + path, { credentials: 'same-origin', cache: 'no-store',
    headers: { 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' } })
  .then(async (r) => {
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    return { status: r.status, body };
  }, () => ({ status: 0, body: null }));
const grid = (name, column, value) => {
  const p = new URLSearchParams();
  p.set(name + '[_filter][' + column + '][value]', value);
  p.set(name + '[_filter][' + column + '][type]', '3');
  p.set(name + '[_pager][_page]', '1');
  p.set(name + '[_pager][_per_page]', '25');
  return get('/datagrid/' + name + '?' + p.toString());
};
const none = Promise.resolve(null);
Promise.all([
  wants.version ? get('/analytics/collect_data') : none,
  wants.security ? get('/rest/security/') : none,
  wants.user !== null ? grid('pim-user-grid', 'username', wants.user) : none,
  wants.role !== null ? grid('pim-role-grid', 'label', wants.role) : none,
]).then(([version, security, user, role]) => done({ version, security, user, role }),
        (e) => done({ error: String(e) }));
"#;

/// What to ask.
#[derive(Debug, Clone, Default)]
pub struct Ask<'s> {
    /// The version (`/analytics/collect_data`).
    pub version: bool,
    /// The security context (`/rest/security/`).
    pub security: bool,
    /// Look up the user with this username.
    pub user: Option<&'s str>,
    /// Look up the role with this label.
    pub role: Option<&'s str>,
}

/// The answers. A lookup is `None` when the grid did not answer (then the caller falls back to
/// the screens), `Some(None)` when it answered without the entity, `Some(Some(id))` when found.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// `pim_version` of `/analytics/collect_data` (3.2+), e.g. `3.2.84`.
    pub version: Option<String>,
    /// The security context (ACL id -> granted), when it answered.
    acl: Option<Map<String, Value>>,
    /// The user's id, looked up by username.
    pub user: Option<Option<u64>>,
    /// The role's id, looked up by label.
    pub role: Option<Option<u64>>,
}

/// The id of the row whose `column` is exactly `value`, from a datagrid answer
/// (`{"data":[…]}`); `None` when the answer is not a grid page.
fn grid_id(answer: &Value, column: &str, value: &str) -> Option<Option<u64>> {
    if answer["status"].as_u64() != Some(200) {
        return None;
    }
    let rows = answer["body"]["data"].as_array()?;
    Some(
        rows.iter()
            .find(|r| r[column].as_str() == Some(value))
            .and_then(|r| r["id"].as_u64()),
    )
}

impl Known {
    /// Asks the back office, in one in-page call (the browser is logged in, on the SPA).
    pub async fn ask(pim: &Pim<'_>, ask: &Ask<'_>) -> Result<Known, Error> {
        let wants = json!({
            "version": ask.version,
            "security": ask.security,
            "user": ask.user,
            "role": ask.role,
        });
        let v = pim
            .browser
            .script_async(KNOWN_JS, vec![json!(pim.base()), wants])
            .await?;
        if let Some(e) = v["error"].as_str() {
            return Err(pim
                .browser
                .unexpected(format!("the in-page lookup failed: {e}")));
        }
        let ok = |k: &str| v[k]["status"].as_u64() == Some(200);
        Ok(Known {
            version: ok("version")
                .then(|| {
                    v["version"]["body"]["pim_version"]
                        .as_str()
                        .map(str::to_string)
                })
                .flatten(),
            acl: ok("security")
                .then(|| v["security"]["body"].as_object().cloned())
                .flatten(),
            user: ask.user.and_then(|u| grid_id(&v["user"], "username", u)),
            role: ask.role.and_then(|r| grid_id(&v["role"], "label", r)),
        })
    }

    /// The generation `pim_version` says, for the generations read this way (3.x).
    pub fn generation(&self) -> Option<Generation> {
        let v = self.version.as_deref()?;
        (v.split('.').next() == Some("3")).then_some(Generation::V3)
    }

    /// What the security context says the administrator may not do (`Some(Ok(()))`: roles
    /// and API connections may be managed); `None` when it does not tell (no answer, or an
    /// ACL it does not list): the caller then opens the screens.
    pub fn permissions(&self) -> Option<Result<(), &'static str>> {
        let acl = self.acl.as_ref()?;
        let roles = acl.get(ACL_ROLES)?.as_bool()?;
        let clients = acl.get(ACL_API_CONNECTIONS)?.as_bool()?;
        Some(if !roles {
            Err("manage roles")
        } else if !clients {
            Err("manage API connections")
        } else {
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_rows_match_exactly() {
        let a = json!({"status": 200, "body": {"data": [
            {"id": 4, "username": "myAPIuser2"}, {"id": 7, "username": "myAPIuser"}
        ]}});
        assert_eq!(grid_id(&a, "username", "myAPIuser"), Some(Some(7)));
        assert_eq!(grid_id(&a, "username", "other"), Some(None));
        assert_eq!(
            grid_id(&json!({"status": 404, "body": null}), "username", "x"),
            None
        );
        assert_eq!(
            grid_id(&json!({"status": 200, "body": {}}), "username", "x"),
            None
        );
    }

    #[test]
    fn permissions_from_the_security_context() {
        let k = |m: Value| Known {
            acl: m.as_object().cloned(),
            ..Known::default()
        };
        let all = json!({ACL_ROLES: true, ACL_API_CONNECTIONS: true});
        assert_eq!(k(all).permissions(), Some(Ok(())));
        let no_roles = json!({ACL_ROLES: false, ACL_API_CONNECTIONS: true});
        assert_eq!(k(no_roles).permissions(), Some(Err("manage roles")));
        assert_eq!(k(json!({ACL_ROLES: true})).permissions(), None);
        let v = Known {
            version: Some("3.2.84".into()),
            ..Known::default()
        };
        assert_eq!(v.generation(), Some(Generation::V3));
        assert_eq!(Known::default().generation(), None);
    }
}
