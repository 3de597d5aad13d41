//! Page objects of the Akeneo PIM back office (3.x), named after the API tutorial's words.
//!
//! Selectors and waits come from the reference (`shared/akeneo/ui-1.7-to-3.x.md`), never from
//! the simulator; where the reference is unsure, both readings are accepted (CSS selector
//! lists, text-or-identity filters). Nothing above this module knows a selector.

pub mod api;
pub mod connections;
pub mod grid;
pub mod login;
pub mod roles;
pub mod users;

pub use api::{verify_credentials, Credentials, Verified};
pub use connections::{ApiConnectionsPage, ClientCredentials};
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
}

impl<'a> Pim<'a> {
    /// The PIM at `base` (no trailing slash) in `browser`.
    pub fn new(browser: &'a Browser, base: &'a str) -> Self {
        Pim {
            browser,
            base: base.trim_end_matches('/'),
        }
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
    /// requires for 2.x/3.x.
    pub async fn open_route(&self, hash: &str) -> Result<(), Error> {
        self.browser.goto(&self.url(&format!("/{hash}"))).await
    }

    /// The visible validation messages of the page (tooltips, field errors, error boxes).
    pub async fn validation_errors(&self) -> Result<Vec<String>, Error> {
        let v = self.browser.script(VALIDATION_JS, vec![]).await?;
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
const VALIDATION_JS: &str = r#"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const out = [];
for (const el of document.querySelectorAll('.validation-tooltip, .validation-errors .error-message, .AknFieldContainer-validationError, .error-message, .AknMessageBox--error')) {
  if (!shown(el)) continue;
  const t = norm(el.getAttribute('data-original-title') || el.textContent || el.getAttribute('title'));
  if (t && !out.includes(t)) out.push(t);
}
return out;
"#;

/// A locator of the visible validation messages (any of them).
pub(crate) fn validation_locator() -> Locator {
    Locator::css(
        ".validation-tooltip, .validation-errors .error-message, \
         .AknFieldContainer-validationError, .AknMessageBox--error",
    )
    .filter(Filter::Any(vec![
        Filter::NonEmpty,
        Filter::Has("[data-original-title]".into()),
    ]))
    .many()
}

/// Waits for the visible validation messages or `done`, whichever comes first. `Ok(())` when
/// `done` held; `Error::PimRefused` with the PIM's messages otherwise.
pub(crate) async fn refused_or(
    pim: &Pim<'_>,
    errors: Locator,
    done: (Locator, Cond),
) -> Result<(), Error> {
    let b = pim.browser;
    let found = b
        .wait_any(&[(errors, Cond::Visible), done], b.timeout())
        .await?;
    if found.alt == 1 {
        return Ok(());
    }
    let mut msgs = pim.validation_errors().await.unwrap_or_default();
    if msgs.is_empty() {
        msgs = found.texts.into_iter().filter(|t| !t.is_empty()).collect();
    }
    Err(Error::PimRefused {
        step: b.step(),
        message: msgs.join("; "),
    })
}
