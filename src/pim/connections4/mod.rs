//! 4.x to 7.x: Connections (`#/connections`, 6.0+ `#/connect/connection-settings`), driven only
//! by what is stable in the real product (`shared/akeneo/connect-4.x-to-7.x-dom.md`): ids,
//! `data-testid`, roles, `title`/`aria` attributes, texts, the non-hashed `Akn*` classes the
//! fact sheet lists, and the internal REST endpoints the pages call. Hashed styled-components
//! classes are never used.
//!
//! * list: "loaded" once `GET /rest/connections` answered (the driver asks the same endpoint
//!   from the page and compares): the empty state also shows while the page's fetch is in
//!   flight (§3.4);
//! * create: the `AknFullPage` screen, `form[data-testid=create-connection]`, `input#label`,
//!   flow type through Select2 (4.x/5.x) or the design-system `SelectInput` (6.x+);
//! * edit: credentials by label text (§5.4), Permissions' Role select, the header's Save.

mod create;
mod edit;
mod feedback;
mod roles;
mod select;

use std::fmt;
use std::str::FromStr;

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator};
use crate::error::Error;

use super::{Generation, Pim};

pub use edit::ConnectionEdit;
pub use roles::role_api_acls;

/// The flow type of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FlowType {
    /// "Data source".
    DataSource,
    /// "Data destination" (the 4.x tutorial's choice).
    #[default]
    DataDestination,
    /// "Other".
    Other,
}

impl FlowType {
    /// The value sent to the PIM (`data_source`, …), also the 6.x+ option's `data-testid`.
    pub fn value(self) -> &'static str {
        match self {
            FlowType::DataSource => "data_source",
            FlowType::DataDestination => "data_destination",
            FlowType::Other => "other",
        }
    }
    /// The option's visible text.
    pub fn label(self) -> &'static str {
        match self {
            FlowType::DataSource => "Data source",
            FlowType::DataDestination => "Data destination",
            FlowType::Other => "Other",
        }
    }
}

impl FromStr for FlowType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "data_source" => Ok(FlowType::DataSource),
            "data_destination" => Ok(FlowType::DataDestination),
            "other" => Ok(FlowType::Other),
            _ => Err(format!(
                "unknown flow type {s:?}: expected data_source, data_destination or other"
            )),
        }
    }
}

impl fmt::Display for FlowType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.value())
    }
}

/// The list route of this generation (hash, with `#`).
fn base_route(g: Generation) -> &'static str {
    if g >= Generation::V6 {
        "#/connect/connection-settings"
    } else {
        "#/connections"
    }
}

/// The internal endpoint the list page fetches (§3.5): 6.0+ adds the `search` parameter.
fn list_endpoint(g: Generation) -> &'static str {
    if g >= Generation::V6 {
        "/rest/connections?search=%7B%22types%22%3A%5B%22default%22%5D%7D"
    } else {
        "/rest/connections"
    }
}

/// A CSS attribute value, quoted.
pub(crate) fn css_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\a "),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One connection as `GET /rest/connections` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its code (the edit route's key).
    pub code: String,
    /// Its label (the card's `title`).
    pub label: String,
}

/// Fetches an internal endpoint from the page (session cookie), as the React pages do.
/// Resolves to `{status, body}` (`body` null when not JSON).
pub(crate) const FETCH_JS: &str = r#"
const [url, headers, done] = arguments;
fetch(url, { credentials: 'include', cache: 'no-store', headers: Object.assign({ Accept: 'application/json' }, headers) })
  .then(async (r) => {
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    done({ status: r.status, body });
  }, (e) => done({ status: 0, body: null, error: String(e) }));
"#;

/// The connections section elements (one per non-empty flow type, §3.3).
const SECTIONS: &str = "[data-testid=\"data_source\"], [data-testid=\"data_destination\"], \
                        [data-testid=\"data_other\"]";

/// The Connections list page.
pub struct ConnectionsPage<'a> {
    pim: Pim<'a>,
    listed: Vec<Listed>,
}

impl<'a> ConnectionsPage<'a> {
    /// Opens the list and waits until it is loaded: the driver fetches `GET /rest/connections`
    /// itself (the page's own request starts with the first render) and waits until the page
    /// shows what that answer holds (the sections and the last card), or, when it is empty,
    /// the Create button.
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        let b = pim.browser;
        pim.open_route(base_route(pim.generation())).await?;
        b.wait(&create_button(), Cond::Present).await?;
        let listed = fetch_list(&pim).await?;
        if let Some(last) = listed.last() {
            let card = Locator::css(SECTIONS)
                .find(format!("[title={}]", css_str(&last.label)))
                .filter(Filter::Visible)
                .many();
            b.wait(&card, Cond::Visible).await?;
        }
        Ok(ConnectionsPage { pim, listed })
    }

    /// The connections the PIM listed.
    pub fn listed(&self) -> &[Listed] {
        &self.listed
    }

    /// True when a connection with this label is listed.
    pub async fn exists(&self, label: &str) -> Result<bool, Error> {
        Ok(self.listed.iter().any(|c| c.label == label))
    }

    /// Opens the connection `label` (card click) and waits for its credentials.
    pub async fn edit(self, label: &str) -> Result<ConnectionEdit<'a>, Error> {
        let card = Locator::css(SECTIONS)
            .find(format!("[title={}]", css_str(label)))
            .filter(Filter::Visible)
            .nth(0);
        self.pim.browser.click(&card).await?;
        ConnectionEdit::wait_loaded(self.pim).await
    }

    /// Creates the connection: Create, label (the code is generated from it), flow type,
    /// Save. Refusals (the 50-connection limit, field errors, error flashes) become
    /// `Error::PimRefused` with the PIM's words. Lands on the edit page, where the password
    /// is still readable.
    pub async fn create(self, label: &str, flow: FlowType) -> Result<ConnectionEdit<'a>, Error> {
        create::create(self.pim, self.listed.len(), label, flow).await
    }
}

/// The list's Create button (§3.2: a legacy `AknButton` in the header's actions container).
fn create_button() -> Locator {
    Locator::css(".AknTitleContainer-actionsContainer .AknButton--apply")
        .text("Create")
        .nth(0)
}

/// `GET /rest/connections` from the page: the listed connections (code, label).
async fn fetch_list(pim: &Pim<'_>) -> Result<Vec<Listed>, Error> {
    let b = pim.browser;
    let url = pim.url(list_endpoint(pim.generation()));
    let v: Value = b
        .script_async(FETCH_JS, vec![json!(url), json!({})])
        .await?;
    let status = v["status"].as_u64().unwrap_or(0);
    let Some(items) = v["body"].as_array() else {
        return Err(b.unexpected(format!(
            "the Connections list's request GET {url} answered {status} without a JSON list; \
             check that the admin user may manage connections"
        )));
    };
    Ok(items
        .iter()
        .map(|c| Listed {
            code: c["code"].as_str().unwrap_or_default().to_string(),
            label: c["label"].as_str().unwrap_or_default().to_string(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_types() {
        assert_eq!("data_destination".parse(), Ok(FlowType::DataDestination));
        assert_eq!(FlowType::default(), FlowType::DataDestination);
        assert_eq!(FlowType::Other.label(), "Other");
        assert!("source".parse::<FlowType>().is_err());
    }

    #[test]
    fn css_strings_are_quoted() {
        assert_eq!(css_str("My \"ERP\""), "\"My \\\"ERP\\\"\"");
    }

    #[test]
    fn routes_per_generation() {
        assert_eq!(base_route(Generation::V5), "#/connections");
        assert_eq!(base_route(Generation::V7), "#/connect/connection-settings");
        assert!(list_endpoint(Generation::V6).contains("search="));
    }
}
