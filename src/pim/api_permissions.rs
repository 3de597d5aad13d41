//! The API permissions of a role (the role form's "Web API permissions" tab, every generation
//! that has it: `#pim_user-roles-tab-api` 3.x+, `#rights-api` 1.7/2.x): which set the tool
//! grants (`--api-permissions`), read from the tab's rows by their privilege identity
//! (`action:pim_api_…`) and text.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

/// `--api-permissions`: which API permissions the role gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiPermissions {
    /// Overall Web API access only (what the 3.x tutorial's screenshots show).
    Overall,
    /// Overall access and every "List …" permission (read-only connectors).
    #[default]
    Read,
    /// Every API permission of the tab.
    All,
}

impl ApiPermissions {
    /// The value on the command line.
    pub fn value(self) -> &'static str {
        match self {
            ApiPermissions::Overall => "overall",
            ApiPermissions::Read => "read",
            ApiPermissions::All => "all",
        }
    }

    /// True when this set includes the permission (identity `action:<acl>`, row text).
    pub fn wants(self, p: &ApiPermission) -> bool {
        p.identity == OVERALL
            || match self {
                ApiPermissions::Overall => false,
                ApiPermissions::Read => p.label.starts_with("List "),
                ApiPermissions::All => true,
            }
    }
}

impl FromStr for ApiPermissions {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "overall" => Ok(ApiPermissions::Overall),
            "read" => Ok(ApiPermissions::Read),
            "all" => Ok(ApiPermissions::All),
            _ => Err(format!(
                "unknown API permission set {s:?}: expected overall, read or all"
            )),
        }
    }
}

impl fmt::Display for ApiPermissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

/// The identity of Overall Web API access.
pub const OVERALL: &str = "action:pim_api_overall_access";

/// One row of the "Web API permissions" tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPermission {
    /// Privilege identity (`action:pim_api_product_list`).
    pub identity: String,
    /// Row text ("List products").
    pub label: String,
    /// Vertical group ("Products").
    pub group: String,
    /// The group's pane id (without `#`).
    pub pane: String,
    /// Granted in the form as shown.
    pub granted: bool,
}

impl ApiPermission {
    /// The ACL id (`pim_api_product_list`).
    pub fn acl(&self) -> &str {
        self.identity
            .strip_prefix("action:")
            .unwrap_or(&self.identity)
    }
}

/// Reads every row of the API tab (`arguments[0]`: the pane selector): identity input, text,
/// group (its pane's heading or nav link), granted (toggle class or hidden checkbox).
pub(crate) const READ_JS: &str = r##"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const tab = document.querySelector(arguments[0]);
if (!tab) return null;
return [...tab.querySelectorAll('.acl-permission')].map((row) => {
  const id = row.querySelector('input[id$="_identity_id"], input[name$="[identity][id]"]');
  const toggle = row.querySelector('.acl-permission-toggle');
  const box = row.querySelector('input[type=checkbox]');
  const pane = row.closest('.tab-pane');
  const link = pane && tab.querySelector(`a[href="#${pane.id}"]`);
  const label = row.querySelector('[id$="_identity"] span, span');
  const granted = toggle ? toggle.classList.contains('granted') && !toggle.classList.contains('non-granted') : !!(box && box.checked);
  return { identity: id ? id.value : '', label: norm(label ? label.textContent : row.textContent),
           group: norm(link ? link.textContent : ''), pane: pane ? pane.id : '', granted };
});
"##;

/// Parses what [`READ_JS`] returned.
pub(crate) fn parse(v: &Value) -> Vec<ApiPermission> {
    v.as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| ApiPermission {
                    identity: r["identity"].as_str().unwrap_or_default().to_string(),
                    label: r["label"].as_str().unwrap_or_default().to_string(),
                    group: r["group"].as_str().unwrap_or_default().to_string(),
                    pane: r["pane"].as_str().unwrap_or_default().to_string(),
                    granted: r["granted"].as_bool().unwrap_or(false),
                })
                .filter(|p| !p.identity.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(identity: &str, label: &str) -> ApiPermission {
        ApiPermission {
            identity: identity.into(),
            label: label.into(),
            group: String::new(),
            pane: String::new(),
            granted: false,
        }
    }

    #[test]
    fn sets() {
        let overall = p(OVERALL, "Web API permissions");
        let list = p("action:pim_api_product_list", "List products");
        let edit = p("action:pim_api_family_edit", "Create and update families");
        assert_eq!("read".parse(), Ok(ApiPermissions::Read));
        assert_eq!(ApiPermissions::default(), ApiPermissions::Read);
        assert!("some".parse::<ApiPermissions>().is_err());
        for s in [
            ApiPermissions::Overall,
            ApiPermissions::Read,
            ApiPermissions::All,
        ] {
            assert!(s.wants(&overall), "{s}");
        }
        assert!(!ApiPermissions::Overall.wants(&list));
        assert!(ApiPermissions::Read.wants(&list) && !ApiPermissions::Read.wants(&edit));
        assert!(ApiPermissions::All.wants(&edit));
        assert_eq!(list.acl(), "pim_api_product_list");
    }
}
