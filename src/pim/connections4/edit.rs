//! The edit page of one connection (§5): the credentials (values next to their labels, §5.4),
//! the regenerate screens, the Permissions' Role select (§5.5) and the header's Save (enabled
//! only while the form is dirty, §5.2).

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator, Shot};
use crate::error::Error;
use crate::model::Credentials;
use crate::secrets::Secret;

use super::super::{Generation, Pim};
use super::feedback::{done_or_flash, success_flash, wait_js};
use super::select::Select;

/// Reads the value next to each credential label, by XPath as the fact sheet gives it
/// (`//div[normalize-space()='Client ID']/following-sibling::div[1]`); `null` until the
/// Client ID, Secret and Username are known (the page first renders them empty, §5.1).
/// `args.not` (a secret, optional) must differ from the current secret.
const CREDENTIALS_COND: &str = r#"
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const cell = (name, n) => {
  const r = document.evaluate(`//div[normalize-space()='${name}']/following-sibling::div[${n}]`, document, null,
    XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
  return r.snapshotLength ? r.snapshotItem(r.snapshotLength - 1) : null;
};
const out = {};
for (const name of ['Client ID', 'Secret', 'Username', 'Password']) {
  const v = cell(name, 1);
  out[name] = v ? norm((v.querySelector('span') || v).textContent) : '';
}
if (!out['Client ID'] || !out['Secret'] || !out['Username']) return null;
if (args.not && out['Secret'] === args.not) return null;
if (args.password && (!out['Password'] || out['Password'].includes('•'))) return null;
return out;
"#;

/// The `Regenerate` button of a credential row (in its third cell, §5.4).
const REGENERATE_JS: &str = r#"
document.querySelectorAll('[data-pimcred-target]').forEach((e) => e.removeAttribute('data-pimcred-target'));
const r = document.evaluate(`//div[normalize-space()='${arguments[0]}']/following-sibling::div[2]//button[@title='Regenerate']`,
  document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
const b = r.snapshotLength ? r.snapshotItem(r.snapshotLength - 1) : null;
if (!b) return false;
b.scrollIntoView({ block: 'center' });
b.setAttribute('data-pimcred-target', '1');
return true;
"#;

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

/// The edit ("Connection settings") page of one connection.
pub struct ConnectionEdit<'a> {
    pim: Pim<'a>,
}

impl<'a> ConnectionEdit<'a> {
    pub(super) async fn wait_loaded(pim: Pim<'a>) -> Result<Self, Error> {
        let page = ConnectionEdit { pim };
        page.read(None, false).await?;
        Ok(page)
    }

    /// Waits for the credentials (with a secret other than `not`, with a clear password
    /// when `password`) and reads them.
    async fn read(&self, not: Option<&str>, password: bool) -> Result<Credentials, Error> {
        let b = self.pim.browser;
        let v = wait_js(
            &self.pim,
            CREDENTIALS_COND,
            json!({"not": not, "password": password}),
            "the Credentials section showing Client ID, Secret and Username",
        )
        .await?;
        let get = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let (client_id, secret, username, password) = (
            get("Client ID"),
            get("Secret"),
            get("Username"),
            get("Password"),
        );
        b.add_secret(&secret);
        let password = (!password.is_empty() && !password.contains('•')).then_some(password);
        if let Some(p) = &password {
            b.add_secret(p);
        }
        Ok(Credentials {
            client_id,
            secret: Secret::new(secret),
            username,
            password: password.map(Secret::new),
        })
    }

    /// The four credentials as shown (the password `None` when masked). With a capture sink,
    /// takes the tutorial image of the Credentials block as shown once after creation.
    pub async fn credentials(&self) -> Result<Credentials, Error> {
        let c = self.read(None, false).await?;
        if c.password.is_some() {
            self.pim
                .browser
                .snapshot(
                    Shot::new("credentials-in-the-pim")
                        .region(creds_heading())
                        .region(creds_info())
                        .region(creds_grid())
                        // A window as wide as the published one's: the block about 410 px wide.
                        .viewport(1460, 900)
                        .size(520, 329)
                        .lead(18)
                        .blank_text(c.client_id.clone()),
                )
                .await?;
        }
        Ok(c)
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
        self.read(None, false).await?;
        b.snapshot(
            Shot::new(names[0])
                .region(creds_heading())
                .region(creds_info())
                .region(creds_grid())
                .blank_text(client_id),
        )
        .await?;
        // The four rows only: from the Client ID label to the Password row's icons.
        let cell = |n: usize| {
            Locator::css(format!(
                "div:has(> .AknSubsection) + div > div:nth-child({n})"
            ))
            .filter(Filter::Visible)
            .nth(0)
        };
        b.snapshot(
            Shot::new(names[1])
                .region(cell(1))
                .region(cell(12))
                .size(428, 236)
                // Nothing around them: the info line above and the help line below hidden.
                .hide(".AknSubsection:has(.AknDescriptionHeader-link)")
                .hide("div:has(> .AknSubsection) + div > div:nth-child(n+13)")
                .blank_text(client_id),
        )
        .await
    }

    /// Clicks `Regenerate` on the `row` credential, confirms on the full-page screen
    /// ("Confirm regeneration", `Regenerate`), and waits for the flash `done`.
    async fn regenerate(&self, row: &str, done: &str) -> Result<(), Error> {
        let b = self.pim.browser;
        let found = b.script(REGENERATE_JS, vec![json!(row)]).await?;
        if found.as_bool() != Some(true) {
            return Err(b.unexpected(format!(
                "the {row} row of the Credentials section has no Regenerate button \
                 (button[title=Regenerate] in its third cell)"
            )));
        }
        b.click(&Locator::css("button[data-pimcred-target]").filter(Filter::Visible))
            .await?;
        let confirm = Locator::css(".AknFullPage .AknButton--important")
            .text("Regenerate")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&confirm).await?;
        done_or_flash(&self.pim, (success_flash(done), Cond::Present)).await
    }

    /// Regenerates the password and returns the credentials with the new password shown.
    pub async fn regenerate_password(&self) -> Result<Credentials, Error> {
        self.regenerate("Password", "Connection password successfully regenerated")
            .await?;
        self.read(None, true).await
    }

    /// Regenerates the secret and returns the credentials with the new secret (the password
    /// as shown: it survives the regenerate screen when it was known).
    pub async fn regenerate_secret(&self) -> Result<Credentials, Error> {
        let old = self.credentials().await?;
        self.regenerate("Secret", "Connection secret successfully regenerated")
            .await?;
        self.read(Some(old.secret.expose()), false).await
    }

    fn role_select(&self) -> Select {
        Select::field(self.pim.generation() >= Generation::V6, "user_role", "Role")
    }

    /// The role the Permissions section shows (it renders once the roles are loaded).
    pub async fn role(&self) -> Result<String, Error> {
        let b = self.pim.browser;
        if self.pim.generation() >= Generation::V6 {
            b.wait(&Locator::css("input#user_role"), Cond::Visible)
                .await?;
        }
        self.role_select().shown(&self.pim).await
    }

    /// The id of the role the connection has (the select's value, §5.5).
    pub async fn role_id(&self) -> Result<String, Error> {
        self.role().await?;
        let v: Value = self
            .pim
            .browser
            .script(
                ROLE_ID_JS,
                vec![json!(self.pim.generation() >= Generation::V6)],
            )
            .await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// Deletes the connection (with its API user and client): "Other actions" > "Delete", then
    /// the confirmation's "Delete"; returns the list page it lands on.
    pub async fn delete(self) -> Result<super::ConnectionsPage<'a>, Error> {
        let b = self.pim.browser;
        let more = Locator::css(".AknTitleContainer-actionsContainer .AknSecondaryActions-button")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&more).await?;
        let entry = Locator::css(".AknDropdown-menuLink")
            .text("Delete")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&entry).await?;
        let confirm = Locator::css(".AknFullPage .AknButton--important")
            .text("Delete")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&confirm).await?;
        done_or_flash(
            &self.pim,
            (
                success_flash("Connection successfully deleted"),
                Cond::Present,
            ),
        )
        .await?;
        super::ConnectionsPage::open(self.pim).await
    }

    /// Sets the connection's role in the Permissions section and saves (the header's Save,
    /// enabled once the form is dirty); waits for "Connection successfully updated." and
    /// checks the select. Returns false when the role was already selected.
    pub async fn set_role(&self, role: &str) -> Result<bool, Error> {
        let b = self.pim.browser;
        if self.role().await? == role {
            return Ok(false);
        }
        self.role_select()
            .choose(&self.pim, role, None, None)
            .await?;
        let save = Locator::css(".AknTitleContainer-actionsContainer .AknButton--apply")
            .text("Save")
            .filter(Filter::Visible)
            .nth(0);
        b.click(&save).await?;
        done_or_flash(
            &self.pim,
            (
                success_flash("Connection successfully updated"),
                Cond::Present,
            ),
        )
        .await?;
        let shown = self.role().await?;
        if shown != role {
            return Err(b.unexpected(format!(
                "saved the connection with role '{role}' but its Permissions show '{shown}'"
            )));
        }
        Ok(true)
    }
}

/// The Role select's value: 6.x+ the chosen `span[value]` before `input#user_role`; 4.x/5.x
/// the hidden input after the Select2 container in the field labelled "Role".
const ROLE_ID_JS: &str = r#"
if (arguments[0]) {
  const i = document.getElementById('user_role');
  const s = i && i.parentElement && i.parentElement.previousElementSibling;
  const v = s && s.querySelector('[value]');
  return v ? v.getAttribute('value') : '';
}
for (const f of document.querySelectorAll('.AknFieldContainer')) {
  const l = f.querySelector('.AknFieldContainer-label');
  if (!l || (l.textContent || '').trim() !== 'Role') continue;
  const h = f.querySelector('.select2-container + input[type=hidden]');
  return h ? h.value : '';
}
return '';
"#;
