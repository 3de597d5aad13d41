//! Which generation of the Akeneo back office a PIM is, and how to tell from what its pages show.
//!
//! Markers (from the references, `shared/akeneo/`):
//! * login page: an Akeneo login is `form.form-signin` with `_username` / `_password` and `Akn*`
//!   classes; 1.7 styles its inputs `AknLogin-formInput`, 2.x+ wrap them in `AknLogin-formCell`;
//! * after login: 1.7 is a full-page Twig dashboard (`.AknDashboardButtons`, server-rendered
//!   `#main-menu`, no SPA menu drop zone); 2.x+ is the SPA (`[data-drop-zone="menu"]`);
//! * 4.x–7.x (`connect-4.x-to-7.x-dom.md` §2.5): the React main menu
//!   (`[data-testid=pim-main-menu-item]`) from 6.0; `pim_version` from `GET
//!   /analytics/collect_data` (3.2+, the app's own boot request), else the Help link's
//!   `/pim/v<major>/`;
//! * the System column lists "API connections" in 2.x/3.x (and "Connections" in 4.x/5.x); its
//!   user-group item is "Groups" in 2.x and "User groups" from 3.x.

use std::fmt;
use std::str::FromStr;

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator};
use crate::error::Error;

use super::Pim;

/// A generation of the Akeneo PIM back office, as the driver sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    /// 1.7: full-page Twig pages, `#url=` hash navigation, API clients by console only.
    V1_7,
    /// 2.x: SPA with Twig fragments (user form at `#/user/create`), System > API connections.
    V2,
    /// 3.x: SPA with the user creation modal, System > API connections.
    V3,
    /// 4.x: System > Connections (Select2 widgets).
    V4,
    /// 5.x: System > Connections (Select2 widgets).
    V5,
    /// 6.x: Connect > Connection settings (design-system selects).
    V6,
    /// 7.x: Connect > Connection settings, server-side connection limit.
    V7,
}

impl Generation {
    /// True from 4.0 on: the Connections feature (and its hidden auto-created API user).
    pub fn has_connections(self) -> bool {
        self >= Generation::V4
    }

    /// True for 2.x/3.x: System > API connections.
    pub fn has_api_connections_page(self) -> bool {
        matches!(self, Generation::V2 | Generation::V3)
    }

    /// True for 1.7: no API UI at all, clients come from the console.
    pub fn console_only(self) -> bool {
        self == Generation::V1_7
    }

    /// The API call `check` makes with its temporary credentials: 6.0+ `system-information`
    /// (needs no specific ACL), before that the tutorial's `products?limit=1`.
    pub fn probe(self) -> &'static str {
        if self >= Generation::V6 {
            super::api::PROBE_6X
        } else {
            super::api::PROBE_3X
        }
    }

    /// The API call `provision` verifies its credentials with, on every generation: the
    /// tutorial's first request, `GET /api/rest/v1/products?limit=1` (6.0+ needs "List
    /// products" for it).
    pub fn verify_probe(self) -> &'static str {
        super::api::PROBE_3X
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Generation::V1_7 => "1.7",
            Generation::V2 => "2.x",
            Generation::V3 => "3.x",
            Generation::V4 => "4.x",
            Generation::V5 => "5.x",
            Generation::V6 => "6.x",
            Generation::V7 => "7.x",
        })
    }
}

/// `--pim-version`: `auto` (detect) or a generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GenerationChoice {
    /// Detect from the pages.
    #[default]
    Auto,
    /// Trust the user.
    Fixed(Generation),
}

impl FromStr for GenerationChoice {
    type Err = String;

    /// `auto`, `1.7`, `2` … `7`, also `3.x` or a full version (`3.2.18`): the major decides.
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim().to_ascii_lowercase();
        if t == "auto" {
            return Ok(GenerationChoice::Auto);
        }
        let mut parts = t.split('.');
        let major = parts.next().unwrap_or("");
        let g = match major {
            "1" if parts.next() == Some("7") => Generation::V1_7,
            "2" => Generation::V2,
            "3" => Generation::V3,
            "4" => Generation::V4,
            "5" => Generation::V5,
            "6" => Generation::V6,
            "7" => Generation::V7,
            _ => {
                return Err(format!(
                    "unknown PIM version {s:?}: expected auto, 1.7, 2, 3, 4, 5, 6 or 7"
                ))
            }
        };
        Ok(GenerationChoice::Fixed(g))
    }
}

impl fmt::Display for GenerationChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerationChoice::Auto => f.write_str("auto"),
            GenerationChoice::Fixed(g) => g.fmt(f),
        }
    }
}

/// What the login page showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginLayout {
    /// 1.7: `input.AknLogin-formInput`.
    V1_7,
    /// 2.x and later.
    Modern,
}

/// Facts about the login page, read in one script.
const LOGIN_FACTS_JS: &str = r#"
const f = document.querySelector('form.form-signin');
return {
  akeneo: !!document.querySelector('[class*="Akn"]'),
  user: !!(f && f.querySelector('input[name="_username"]')),
  pass: !!(f && f.querySelector('input[name="_password"]')),
  v17: !!(f && f.querySelector('input.AknLogin-formInput')) && !(f && f.querySelector('.AknLogin-formCell')),
  title: (document.title || '').trim().slice(0, 80),
};
"#;

/// Waits for the login page to settle and tells whether it is an Akeneo login. A page that is
/// not one is refused as `Error::Usage` ("not an Akeneo PIM: …", exit 2).
pub async fn check_login_page(pim: &Pim<'_>) -> Result<LoginLayout, Error> {
    let b = pim.browser;
    let form =
        Locator::css("form.form-signin").filter(Filter::Has("input[name=\"_username\"]".into()));
    let other = Locator::css("body:not(:has(form.form-signin input[name=\"_username\"]))");
    let found = b
        .wait_any(
            &[(form, Cond::Present), (other, Cond::Visible)],
            b.timeout(),
        )
        .await?;
    let facts = b.script(LOGIN_FACTS_JS, vec![]).await?;
    let flag = |k: &str| facts[k].as_bool().unwrap_or(false);
    if found.alt == 1 || !flag("user") || !flag("pass") || !flag("akeneo") {
        let url = b.url().await.unwrap_or_default();
        let title = facts["title"].as_str().unwrap_or_default();
        let why = if found.alt == 1 || !flag("user") {
            "it shows no Akeneo login form (form.form-signin with _username/_password)"
        } else {
            "its login form carries none of Akeneo's Akn* classes"
        };
        return Err(Error::Usage(format!(
            "not an Akeneo PIM: {url} {why} (page title {title:?}); check --pim-url"
        )));
    }
    Ok(if flag("v17") {
        LoginLayout::V1_7
    } else {
        LoginLayout::Modern
    })
}

/// Facts about the page after login (the landing page, or the System page of the SPA).
const APP_FACTS_JS: &str = r#"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const texts = (css) => [...document.querySelectorAll(css)].map((e) => norm(e.textContent)).filter(Boolean);
return {
  spa: !!document.querySelector('[data-drop-zone="menu"]'),
  dashboard17: !!document.querySelector('.AknDashboardButtons, #main-menu'),
  header: texts('.AknHeader-menuItem'),
  column: texts('.AknColumn-navigationLink'),
  createUser: !!document.querySelector('#create-button-extension'),
  reactMenu: !!document.querySelector('[data-testid="pim-main-menu-item"]'),
  help: (document.querySelector('a#pim-menu-help, a.AknHeader-menuItem[title="Akeneo Help center"]') || {}).href || '',
};
"#;

/// Asks an internal REST endpoint (XHR, session cookie) whether it exists: true on a 200 JSON
/// object holding `key` (or any object when `key` is empty).
const ENDPOINT_JS: &str = r#"
const [url, key, done] = arguments;
fetch(url, { credentials: 'same-origin', cache: 'no-store',
  headers: { 'X-Requested-With': 'XMLHttpRequest', 'Accept': 'application/json' } })
  .then(async (r) => {
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    const obj = body !== null && typeof body === 'object' && !Array.isArray(body);
    done({ status: r.status, ok: r.status === 200 && obj && (key === '' || key in body) });
  }, (e) => done({ status: 0, ok: false }));
"#;

async fn endpoint_exists(pim: &Pim<'_>, path: &str, key: &str) -> Result<bool, Error> {
    let v: Value = pim
        .browser
        .script_async(ENDPOINT_JS, vec![json!(pim.url(path)), json!(key)])
        .await?;
    Ok(v["ok"].as_bool().unwrap_or(false))
}

/// `GET /analytics/collect_data` (3.2+, the session's own request at every app boot): the
/// major of its `pim_version`, if it answers one.
async fn collected_major(pim: &Pim<'_>) -> Result<Option<u32>, Error> {
    let v: Value = pim
        .browser
        .script_async(
            super::connections4::FETCH_JS,
            vec![json!(pim.url("/analytics/collect_data")), json!({})],
        )
        .await?;
    let version = v["body"]["pim_version"].as_str().unwrap_or_default();
    Ok(version
        .split('.')
        .next()
        .and_then(|m| m.trim().parse().ok()))
}

/// The major in the Help link (`…/pim/v<major>/…`, 4.0+), once the app built it.
fn help_major(href: &str) -> Option<u32> {
    let i = href.find("/pim/v")? + "/pim/v".len();
    let digits: String = href[i..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The fact sheet's version signals (§2.5): the React main menu
/// (`[data-testid=pim-main-menu-item]`: 6.x/7.x), then `pim_version` from
/// `/analytics/collect_data`, then the Help link's `/pim/v<major>/`. `None` when they name no
/// 4.x+ version (2.x/3.x are told apart by their System menu).
async fn detect_by_version(
    pim: &Pim<'_>,
    react_menu: bool,
) -> Result<Option<(Generation, String)>, Error> {
    let (major, source) = match collected_major(pim).await? {
        Some(m) => (Some(m), "pim_version from /analytics/collect_data"),
        None => {
            let facts = pim.browser.script(APP_FACTS_JS, vec![]).await?;
            (
                help_major(facts["help"].as_str().unwrap_or_default()),
                "the Help link's /pim/v<major>/",
            )
        }
    };
    let menu = if react_menu {
        "React main menu ([data-testid=pim-main-menu-item])"
    } else {
        "Backbone main menu"
    };
    let g = match (major, react_menu) {
        (Some(7), _) => Generation::V7,
        (Some(6), _) => Generation::V6,
        (Some(5), false) => Generation::V5,
        (Some(4), false) => Generation::V4,
        (Some(m), false) if m >= 8 => Generation::V7,
        (_, true) => Generation::V6,
        _ => return Ok(None),
    };
    let why = match major {
        Some(m) => format!("{menu}; {source} is {m}.x"),
        None => format!("{menu}; no version answered, taken as the oldest with that menu"),
    };
    Ok(Some((g, why)))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Detects the generation of a PIM the browser is logged into (it is on the landing page).
/// Returns the generation and the evidence, for the step's detail.
pub async fn detect(pim: &Pim<'_>, login: LoginLayout) -> Result<(Generation, String), Error> {
    let b = pim.browser;
    let facts = b.script(APP_FACTS_JS, vec![]).await?;
    let spa = facts["spa"].as_bool().unwrap_or(false);
    if !spa && (facts["dashboard17"].as_bool().unwrap_or(false) || login == LoginLayout::V1_7) {
        return Ok((
            Generation::V1_7,
            "full-page dashboard without the SPA menu".into(),
        ));
    }
    if let Some(found) =
        detect_by_version(pim, facts["reactMenu"].as_bool().unwrap_or(false)).await?
    {
        return Ok(found);
    }
    // The System column: open the Users page of System.
    pim.open_route("#/user/").await?;
    let links = Locator::css(".AknColumn-navigationLink")
        .filter(Filter::Visible)
        .many();
    b.wait(&links, Cond::Visible).await?;
    let facts = b.script(APP_FACTS_JS, vec![]).await?;
    let column = strings(&facts["column"]);
    let has = |t: &str| column.iter().any(|c| c == t);
    if has("API connections") {
        let (g, why) = if has("User groups") {
            (
                Generation::V3,
                "System > API connections; menu item \"User groups\"",
            )
        } else if has("Groups") {
            (
                Generation::V2,
                "System > API connections; menu item \"Groups\"",
            )
        } else if facts["createUser"].as_bool().unwrap_or(false) {
            (
                Generation::V3,
                "System > API connections; user creation modal button",
            )
        } else {
            (
                Generation::V2,
                "System > API connections; no user creation modal button",
            )
        };
        return Ok((g, why.into()));
    }
    if has("Connections") {
        let g =
            if endpoint_exists(pim, "/rest/connections/wrong-credentials-combination", "").await? {
                Generation::V5
            } else {
                Generation::V4
            };
        let why = if g == Generation::V5 {
            "System > Connections; /rest/connections/wrong-credentials-combination answers"
        } else {
            "System > Connections; no /rest/connections/wrong-credentials-combination"
        };
        return Ok((g, why.into()));
    }
    Err(Error::Usage(format!(
        "not an Akeneo PIM this tool knows: logged in, but the System menu shows neither \"API \
         connections\" (2.x/3.x) nor \"Connections\" (4.x/5.x) and the header has no \"Connect\" \
         tab (6.x+); it shows {column:?}. Pass --pim-version to force a generation"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_choices() {
        assert_eq!("auto".parse(), Ok(GenerationChoice::Auto));
        assert_eq!("1.7".parse(), Ok(GenerationChoice::Fixed(Generation::V1_7)));
        assert_eq!("3.x".parse(), Ok(GenerationChoice::Fixed(Generation::V3)));
        assert_eq!(
            "7.0.22".parse(),
            Ok(GenerationChoice::Fixed(Generation::V7))
        );
        assert!("1".parse::<GenerationChoice>().is_err());
        assert!("8".parse::<GenerationChoice>().is_err());
    }

    #[test]
    fn displays_and_probes() {
        assert_eq!(Generation::V1_7.to_string(), "1.7");
        assert_eq!(Generation::V5.to_string(), "5.x");
        assert!(Generation::V6.probe().contains("system-information"));
        assert!(Generation::V6.verify_probe().contains("products?limit=1"));
        assert!(Generation::V5.probe().contains("products"));
        assert!(Generation::V4.has_connections() && !Generation::V3.has_connections());
    }

    #[test]
    fn help_link_major() {
        assert_eq!(
            help_major("https://help.akeneo.com/pim/v7/index.html?utm_campaign=CE7.0.22"),
            Some(7)
        );
        assert_eq!(help_major("https://help.akeneo.com/"), None);
    }
}
