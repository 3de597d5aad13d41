//! 4.x to 7.x: Connections (`#/connections`, 6.0+ `#/connect/connection-settings`), per the
//! reference (`connections-4.x-to-7.x-and-api.md` §1): the list (cards `[title="<label>"]`,
//! a "Create" button), the create modal (`input[name="label"]`, code generated from the label,
//! flow type through Select2 in 4.x/5.x or the design-system select in 6.x+, "Save"), the edit
//! page with the Credentials section (values next to the labels "Client ID", "Secret",
//! "Username", "Password"; the password is shown only right after creation or regeneration)
//! and the Permissions section (Role select), saved with the header's "Save".

use std::fmt;
use std::str::FromStr;

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator, Shot, Typing};
use crate::error::Error;
use crate::model::Credentials;
use crate::secrets::Secret;

use super::{refused_or, Generation, Pim};

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
    /// The value sent to the PIM (`data_source`, …).
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

/// A CSS attribute value, quoted.
fn css_str(s: &str) -> String {
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

/// The label element of a credential row (exact text).
fn credential_label(name: &str) -> Locator {
    Locator::css("div, span, dt, label")
        .text(name)
        .filter(Filter::Visible)
}

/// The Credentials section's heading.
fn creds_heading() -> Locator {
    Locator::css("header, h2, div")
        .text("Credentials")
        .filter(Filter::Visible)
        .nth(0)
}

/// The Credentials block's info line ("Here are the credentials to use in your …").
fn creds_info() -> Locator {
    Locator::css("div:has(> .AknSubsection)")
        .filter(Filter::Contains("Here are the credentials".into()))
        .filter(Filter::Visible)
        .nth(0)
}

/// The Credentials block's grid of four rows (label, value, icons), right after its info line.
fn creds_grid() -> Locator {
    Locator::css("div:has(> .AknSubsection) + div")
        .filter(Filter::Visible)
        .nth(0)
}

/// Reads the value next to each credential label (the element following the label; its span).
const CREDENTIALS_JS: &str = r#"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const out = {};
for (const name of ['Client ID', 'Secret', 'Username', 'Password']) {
  const labels = [...document.querySelectorAll('div, span, dt, label')]
    .filter((e) => norm(e.textContent) === name && e.children.length === 0 && e.nextElementSibling);
  const l = labels[labels.length - 1];
  if (!l) { out[name] = null; continue; }
  const v = l.nextElementSibling;
  const span = v.querySelector('span') || v;
  out[name] = norm(span.textContent);
}
return out;
"#;

/// The Connections list page.
pub struct ConnectionsPage<'a> {
    pim: Pim<'a>,
}

impl<'a> ConnectionsPage<'a> {
    /// Opens the list and waits until its connections (or the empty state) are shown.
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        pim.open_route(base_route(pim.generation())).await?;
        let b = pim.browser;
        let sections = Locator::css(
            "[data-testid=\"data_source\"], [data-testid=\"data_destination\"], \
             [data-testid=\"data_other\"]",
        )
        .filter(Filter::Visible)
        .many();
        let empty = Locator::css("div, span, p")
            .containing("No connection declared yet.")
            .filter(Filter::Visible)
            .many();
        b.wait_any(
            &[(sections, Cond::Visible), (empty, Cond::Visible)],
            b.timeout(),
        )
        .await?;
        Ok(ConnectionsPage { pim })
    }

    fn card(label: &str) -> Locator {
        Locator::css(format!("[title={}]", css_str(label))).filter(Filter::Visible)
    }

    /// True when a connection card with this label is listed.
    pub async fn exists(&self, label: &str) -> Result<bool, Error> {
        let v = self
            .pim
            .browser
            .script(
                "return [...document.querySelectorAll('[title]')].some((e) => e.getAttribute('title') === arguments[0] && e.getClientRects().length > 0);",
                vec![json!(label)],
            )
            .await?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Opens the connection `label` (card click) and waits for its Credentials section.
    pub async fn edit(self, label: &str) -> Result<ConnectionEdit<'a>, Error> {
        self.pim.browser.click(&Self::card(label).nth(0)).await?;
        ConnectionEdit::wait_loaded(self.pim).await
    }

    /// Creates the connection through the modal: label (the code is generated from it), flow
    /// type, Save. The PIM's validation messages become `Error::PimRefused`. Lands on the edit
    /// page, where the password is still readable.
    pub async fn create(self, label: &str, flow: FlowType) -> Result<ConnectionEdit<'a>, Error> {
        let b = self.pim.browser;
        let create =
            Locator::css(".AknTitleContainer button.AknButton--apply, button.AknButton--apply")
                .text("Create")
                .filter(Filter::Visible)
                .nth(0);
        // The page header and the welcome banner, shrunk as published (808x248 to 698x214).
        b.snapshot(
            Shot::new("connection-creation-button")
                .region(create.clone())
                .region(Locator::css(".AknDescriptionHeader").filter(Filter::Visible))
                .dpr(698.0 / 808.0)
                .size(698, 214)
                .highlight(create.clone()),
        )
        .await?;
        b.click(&create).await?;
        let form = ".AknFullPage";
        let input = Locator::css(format!("{form} input[name=\"label\"]")).filter(Filter::Visible);
        b.type_text(&input, label, Typing::default()).await?;
        if self.pim.generation() >= Generation::V6 {
            select_dsm(&self.pim, "flow_type", flow.label()).await?;
        } else {
            let field = Locator::css(
                ".select2-container.flowType, #s2id_flow_type, \
                 .AknFieldContainer:has(label[for=\"flow_type\"]) .select2-container",
            )
            .filter(Filter::Visible)
            .nth(0);
            select2(&self.pim, field, flow.label()).await?;
        }
        snapshot_create_form(&self.pim, &input).await?;
        let save = Locator::css(format!("{form} button.AknButton--apply"))
            .text("Save")
            .filter(Filter::Visible);
        b.click(&save).await?;
        refused_or(
            &self.pim,
            form,
            (credential_label("Client ID"), Cond::Visible),
        )
        .await?;
        ConnectionEdit::wait_loaded(self.pim).await
    }
}

/// The create modal's content (illustration, titles, form).
fn create_form() -> Locator {
    Locator::css(".AknFullPage-content")
        .filter(Filter::Visible)
        .nth(0)
}

/// Takes the tutorial images of the filled create form: the whole popin (shrunk as
/// published, 797x528 to 698x462) and the closed Flow type field with its help line.
async fn snapshot_create_form(pim: &Pim<'_>, input: &Locator) -> Result<(), Error> {
    let b = pim.browser;
    b.snapshot(
        Shot::new("connection-creation-popin")
            .region(create_form())
            .dpr(698.0 / 797.0)
            .size(698, 462)
            .highlight(input.clone()),
    )
    .await?;
    let field = Locator::css(".select2-container.flowType, #s2id_flow_type, input#flow_type")
        .filter(Filter::Visible)
        .nth(0);
    let help = Locator::css("a")
        .text("We can help you right here!")
        .filter(Filter::Visible)
        .nth(0);
    b.snapshot(
        Shot::new("flow-type-selection")
            .region(field.clone())
            .region(help)
            .size(483, 111)
            .lead(4)
            .highlight(field),
    )
    .await
}

/// Picks `option` in a Select2 widget: open it (mousedown on `.select2-choice`), click the
/// result whose text is `option`, check the chosen text.
async fn select2(pim: &Pim<'_>, container: Locator, option: &str) -> Result<(), Error> {
    let b = pim.browser;
    let chosen = container.clone().find(".select2-chosen");
    if b.read(&chosen).await?.text == option {
        return Ok(());
    }
    b.click(&container.clone().find(".select2-choice")).await?;
    let result = Locator::css(
        ".select2-drop-active .select2-result-label, .select2-drop .select2-result-label",
    )
    .text(option)
    .filter(Filter::Visible)
    .nth(0);
    b.click(&result).await?;
    b.wait(&chosen.text(option), Cond::Visible).await?;
    Ok(())
}

/// Picks `option` in a design-system `SelectInput` (`input#<id>` opens an overlay of
/// `[role=option]`/`[data-testid]` options).
async fn select_dsm(pim: &Pim<'_>, id: &str, option: &str) -> Result<(), Error> {
    let b = pim.browser;
    b.click(&Locator::css(format!("#{id}")).filter(Filter::Visible))
        .await?;
    let opt = Locator::css("[role=\"option\"], [data-testid]")
        .text(option)
        .filter(Filter::Visible)
        .filter(Filter::NotClass("AknConnectivityConnection-section".into()))
        .nth(0);
    b.click(&opt).await?;
    b.wait(&opt, Cond::Hidden).await?;
    Ok(())
}

/// The edit ("Connection settings") page of one connection.
pub struct ConnectionEdit<'a> {
    pim: Pim<'a>,
}

impl<'a> ConnectionEdit<'a> {
    async fn wait_loaded(pim: Pim<'a>) -> Result<Self, Error> {
        pim.browser
            .wait(&credential_label("Password"), Cond::Visible)
            .await?;
        Ok(ConnectionEdit { pim })
    }

    /// The four credentials as shown (the password `None` when masked).
    pub async fn credentials(&self) -> Result<Credentials, Error> {
        let b = self.pim.browser;
        let v: Value = b.script(CREDENTIALS_JS, vec![]).await?;
        let get = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let (client_id, secret, username, password) = (
            get("Client ID"),
            get("Secret"),
            get("Username"),
            get("Password"),
        );
        b.add_secret(&secret);
        if !password.contains('•') {
            b.add_secret(&password);
        }
        if client_id.is_empty() || secret.is_empty() || username.is_empty() {
            return Err(b.unexpected(
                "the Credentials section does not show Client ID, Secret and Username".into(),
            ));
        }
        if b.capture().is_some() && !password.contains('•') {
            // As shown once after creation: the heading, the info line and the credentials.
            b.snapshot(
                Shot::new("credentials-in-the-pim")
                    .region(creds_heading())
                    .region(creds_info())
                    .region(creds_grid())
                    // A window as wide as the published one's: the block about 410 px wide.
                    .viewport(1460, 900)
                    .size(520, 329)
                    .lead(18)
                    .blank_text(client_id.clone()),
            )
            .await?;
        }
        let password = (!password.is_empty() && !password.contains('•')).then_some(password);
        Ok(Credentials {
            client_id,
            secret: Secret::new(secret),
            username,
            password: password.map(Secret::new),
        })
    }

    /// The connect-the-PIM tutorial's images of the Credentials block after a reload (password
    /// hidden, with its help line): taken only when the capture sink wants them.
    pub async fn snapshot_reloaded(&self, client_id: &str) -> Result<(), Error> {
        let b = self.pim.browser;
        let names = ["connection-credentials", "connection-credentials-copy-icon"];
        if !names.iter().any(|n| b.wants_shot(n)) {
            return Ok(());
        }
        b.reload().await?;
        b.wait(&credential_label("Password"), Cond::Visible).await?;
        b.snapshot(
            Shot::new(names[0])
                .region(creds_heading())
                .region(creds_info())
                .region(creds_grid())
                .blank_text(client_id),
        )
        .await?;
        b.snapshot(
            Shot::new(names[1])
                .region(creds_grid())
                .blank_text(client_id),
        )
        .await
    }

    /// Regenerates the password ("Regenerate" on the Password row, then confirm) and returns
    /// the credentials with the new password shown.
    pub async fn regenerate_password(&self) -> Result<Credentials, Error> {
        let b = self.pim.browser;
        let button = Locator::css("button[title=\"Regenerate\"]")
            .filter(Filter::Visible)
            .many();
        // The Password row's button: the last "Regenerate" (Secret's comes first).
        let n = b.wait(&button, Cond::Visible).await?.texts.len();
        let button = Locator::css("button[title=\"Regenerate\"]")
            .filter(Filter::Visible)
            .nth(n.saturating_sub(1));
        b.click(&button).await?;
        let confirm = Locator::css(".AknFullPage button, .modal button")
            .text("Regenerate")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&confirm).await?;
        b.wait(&confirm, Cond::Hidden).await?;
        let masked = Locator::css("span")
            .containing("••••")
            .filter(Filter::Visible)
            .many();
        b.wait(&masked, Cond::Hidden).await?;
        b.wait(&credential_label("Password"), Cond::Visible).await?;
        let c = self.credentials().await?;
        if c.password.is_none() {
            return Err(
                b.unexpected("the password was regenerated but the page does not show it".into())
            );
        }
        Ok(c)
    }

    /// The role the Permissions section shows.
    pub async fn role(&self) -> Result<String, Error> {
        let b = self.pim.browser;
        if self.pim.generation() >= Generation::V6 {
            let shown = b
                .script(
                    "const i = document.getElementById('user_role'); const box = i && i.closest('[data-select], .AknSelectInput, div'); return box ? (box.textContent || '').replace(/\\s+/g, ' ').trim() : '';",
                    vec![],
                )
                .await?;
            Ok(shown.as_str().unwrap_or_default().to_string())
        } else {
            let chosen = Locator::css(
                "#s2id_user_role, .AknFieldContainer:has(label[for=\"user_role\"]) .select2-container",
            )
            .filter(Filter::Visible)
            .nth(0)
            .find(".select2-chosen");
            Ok(b.read(&chosen).await?.text)
        }
    }

    /// Deletes the connection (with its API user and client): "Other actions" > "Delete", then
    /// the confirmation's "Delete"; returns the list page it lands on.
    pub async fn delete(self) -> Result<ConnectionsPage<'a>, Error> {
        let b = self.pim.browser;
        let more = Locator::css(".AknSecondaryActions-button, [title=\"Other actions\"]")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&more).await?;
        let entry = Locator::css(".AknDropdown-menuLink, [role=\"menuitem\"]")
            .text("Delete")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&entry).await?;
        let confirm = Locator::css(".AknFullPage button, .modal button")
            .text("Delete")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&confirm).await?;
        done_or_refused(&self.pim, (confirm.clone(), Cond::Hidden)).await?;
        ConnectionsPage::open(self.pim).await
    }

    /// Sets the connection's role in the Permissions section and saves; waits until the page
    /// has no unsaved changes. Returns false when the role was already selected.
    pub async fn set_role(&self, role: &str) -> Result<bool, Error> {
        let b = self.pim.browser;
        let changed = if self.pim.generation() >= Generation::V6 {
            let shown = b
                .script(
                    "const i = document.getElementById('user_role'); const box = i && i.closest('[data-select], .AknSelectInput, div'); return box ? (box.textContent || '').replace(/\\s+/g, ' ').trim() : '';",
                    vec![],
                )
                .await?;
            if shown.as_str() == Some(role) {
                false
            } else {
                select_dsm(&self.pim, "user_role", role).await?;
                true
            }
        } else {
            let field = Locator::css(
                "#s2id_user_role, .AknFieldContainer:has(label[for=\"user_role\"]) .select2-container",
            )
            .filter(Filter::Visible)
            .nth(0);
            let chosen = field.clone().find(".select2-chosen");
            if b.read(&chosen).await?.text == role {
                false
            } else {
                select2(&self.pim, field, role).await?;
                true
            }
        };
        if !changed {
            return Ok(false);
        }
        let save = Locator::css(".AknTitleContainer button.AknButton--apply")
            .text("Save")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&save).await?;
        // Not filtered on visibility: an ancestor holding only this text would match instead.
        let unsaved = Locator::css("span, div")
            .text("There are unsaved changes.")
            .many();
        done_or_refused(&self.pim, (unsaved, Cond::Hidden)).await?;
        Ok(true)
    }
}

/// Waits until `done` holds, or until the page shows the PIM's error ("Sorry, an error
/// occurred ..."), which becomes `Error::PimRefused` with its text.
async fn done_or_refused(pim: &Pim<'_>, done: (Locator, Cond)) -> Result<(), Error> {
    let b = pim.browser;
    let failed = Locator::css("div, span")
        .containing("error occurred")
        .filter(Filter::Visible)
        .many();
    let found = b
        .wait_any(&[done, (failed, Cond::Visible)], b.timeout())
        .await?;
    if found.alt == 1 {
        return Err(Error::PimRefused {
            step: b.step(),
            message: found.texts.join("; "),
        });
    }
    Ok(())
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
}
