//! Page objects of the Akeneo PIM back office (3.x), named after the API tutorial's words.
//!
//! Selectors and waits come from the reference (`shared/akeneo/ui-1.7-to-3.x.md`), never from
//! the simulator; where the reference is unsure, both readings are accepted (CSS selector
//! lists, text-or-identity filters). Nothing above this module knows a selector.

pub mod api;
pub mod api_permissions;
pub mod check;
pub mod connections;
pub mod connections4;
pub mod console;
pub mod generation;
pub mod grid;
pub mod known;
pub mod legacy;
pub mod login;
pub mod role_stored;
pub mod roles;
pub mod user_edit;
pub mod users;

pub use api::{verify_credentials, Credentials, Verified};
pub use api_permissions::{ApiPermission, ApiPermissions};
pub use connections::{ApiConnectionsPage, ClientCredentials};
pub use connections4::{ConnectionsPage, FlowType};
pub use generation::{Generation, GenerationChoice};
pub use login::LoginPage;
pub use roles::{Acl, RoleForm, RolesPage};
pub use users::{NewUser, UserCreateModal, UsersPage};

use crate::browser::{Browser, Cond, Filter, Locator};
use crate::error::Error;

/// A PIM reached through a browser: the browser and the PIM's base URL.
#[derive(Clone, Copy)]
pub struct Pim<'a> {
    /// The browser.
    pub browser: &'a Browser,
    base: &'a str,
    generation: Generation,
}

impl<'a> Pim<'a> {
    /// The PIM at `base` (no trailing slash) in `browser`.
    pub fn new(browser: &'a Browser, base: &'a str) -> Self {
        Pim {
            browser,
            base: base.trim_end_matches('/'),
            generation: Generation::V3,
        }
    }

    /// The same PIM, known to be of generation `g` (page objects adapt to it; default 3.x).
    pub fn with_generation(self, g: Generation) -> Self {
        Pim {
            generation: g,
            ..self
        }
    }

    /// The generation the page objects work with.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// The base URL.
    pub fn base(&self) -> &str {
        self.base
    }

    /// An absolute URL on the PIM (`path` starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Opens an SPA route (`#/user/` …). Goes through the app shell `/`, as the reference
    /// requires for 2.x/3.x. On 1.7 (full pages, every page also served as a plain GET) the
    /// route becomes the plain path (`#/user/role/` -> `/user/role`).
    pub async fn open_route(&self, hash: &str) -> Result<(), Error> {
        if self.generation == Generation::V1_7 {
            let path = hash.trim_start_matches('#');
            let path = if path.len() > 1 {
                path.trim_end_matches('/')
            } else {
                path
            };
            return self.browser.goto(&self.url(path)).await;
        }
        self.browser.goto(&self.url(&format!("/{hash}"))).await
    }

    /// The validation messages under `scope` (CSS), shown or not: a Twig form re-rendered
    /// with errors may keep them in a tab that is not the active one.
    pub async fn validation_errors(&self, scope: &str) -> Result<Vec<String>, Error> {
        let v = self
            .browser
            .script(
                VALIDATION_JS,
                vec![serde_json::json!(scope), serde_json::json!(MESSAGES)],
            )
            .await?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }
}

/// Validation messages: 2.x/3.x Twig forms put them in `.validation-tooltip[data-original-title]`
/// icons; Backbone forms in `.error-message` / `.AknFieldContainer-validationError`; pages in
/// `.AknMessageBox--error`.
const MESSAGES: &str = ".validation-tooltip, .validation-errors .error-message, \
     .AknFieldContainer-validationError, .error-message, .AknMessageBox--error";

const VALIDATION_JS: &str = r#"
const [scope, sel] = arguments;
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const out = [];
for (const root of document.querySelectorAll(scope)) {
  for (const el of root.querySelectorAll(sel)) {
    const t = norm(el.getAttribute('data-original-title') || el.textContent || el.getAttribute('title'));
    if (t && !out.includes(t)) out.push(t);
  }
}
return out;
"#;

/// A locator of the validation messages under `scope`, shown or not (any of them).
pub(crate) fn validation_locator(scope: &str) -> Locator {
    Locator::css(scope)
        .find(MESSAGES)
        .filter(Filter::Any(vec![
            Filter::NonEmpty,
            Filter::Attr("data-original-title".into()),
        ]))
        .many()
}

/// Waits for validation messages under `scope` or for `done`, whichever comes first. `Ok(())`
/// when `done` held; `Error::PimRefused` with the PIM's messages otherwise. `done` should
/// include "page settled" (`Cond::Visible`), so that it holds only once the request finished.
pub(crate) async fn refused_or(
    pim: &Pim<'_>,
    scope: &str,
    done: (Locator, Cond),
) -> Result<(), Error> {
    let b = pim.browser;
    let errors = validation_locator(scope);
    // An error flash (a save answered 500 ...): the save may or may not have been committed;
    // the flow looks before it retries.
    // Present, not visible: a flash fades in, and the page may look settled before it shows.
    let flash = Locator::css(".AknFlash--error, .alert-error, .alert-danger")
        .filter(Filter::NonEmpty)
        .many();
    let found = b
        .wait_any(
            &[(errors, Cond::Present), (flash, Cond::Present), done],
            b.timeout(),
        )
        .await?;
    if found.alt == 2 {
        return Ok(());
    }
    if found.alt == 1 {
        return Err(Error::Unexpected {
            step: b.step(),
            message: format!(
                "the PIM answered an error while saving: {}",
                found
                    .texts
                    .iter()
                    .map(|t| t.trim_end_matches('×').trim())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        });
    }
    let mut msgs = pim.validation_errors(scope).await.unwrap_or_default();
    if msgs.is_empty() {
        msgs = found.texts.into_iter().filter(|t| !t.is_empty()).collect();
    }
    Err(Error::PimRefused {
        step: b.step(),
        message: msgs.join("; "),
    })
}
