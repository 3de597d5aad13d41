//! Step 4 of the tutorial: System > API connections (`#/client`): the grid ("Label",
//! "Credentials"), the creation popin (`#creation_label`, updated on `change`), and the
//! credentials cell ("Client ID: …", "Secret: …").

use crate::browser::{Cond, Filter, Locator, Shot, Typing};
use crate::error::Error;

use super::grid::{Grid, GridPage};
use super::{refused_or, Pim};

mod dedupe;

/// Client id and secret read from the credentials cell.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// The public id (`<n>_<random>`).
    pub client_id: String,
    /// The secret.
    pub secret: String,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &"***")
            .finish()
    }
}

/// Parses the credentials cell text: the token after "Client ID:" and the one after "Secret:".
pub fn parse_credentials(cell: &str) -> Option<ClientCredentials> {
    let after = |label: &str| -> Option<String> {
        let i = cell.find(label)? + label.len();
        // The value ends at the next label (the cell text may lack a separator) or a space.
        let rest = &cell[i..];
        let rest = rest.find("Secret:").map_or(rest, |j| &rest[..j]);
        let t = rest.split_whitespace().next()?;
        (!t.is_empty() && !t.ends_with(':')).then(|| t.to_string())
    };
    Some(ClientCredentials {
        client_id: after("Client ID:")?,
        secret: after("Secret:")?,
    })
}

/// The API connections page.
pub struct ApiConnectionsPage<'a> {
    pim: Pim<'a>,
    grid: Grid,
}

/// The page's "Create" button.
fn create_button() -> Locator {
    Locator::css("#create-button-extension").filter(Filter::Visible)
}

/// The grid's empty state (3.x "No api connection found").
fn no_data() -> Locator {
    Locator::css(".AknGridContainer-noData, .no-data")
        .filter(Filter::Visible)
        .many()
}

impl<'a> ApiConnectionsPage<'a> {
    /// Sends the browser to System > API connections (`#/client`) without waiting: its grid
    /// loads while the caller does something else (an in-page read), and [`Self::open`] then
    /// finds it loaded. The navigation itself is made by the next browser command.
    pub async fn start_loading(pim: Pim<'a>) -> Result<(), Error> {
        pim.open_route("#/client").await
    }

    /// Opens `#/client` and waits for the grid or its empty state.
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        Self::start_loading(pim).await?;
        let page = ApiConnectionsPage {
            pim,
            grid: Grid::new(None, "Credentials"),
        };
        let has_rows = page.wait_grid().await?;
        let b = page.pim.browser;
        if has_rows {
            b.snapshot_skipped(
                "api-connections-empty-screen",
                "API connections exist already; the empty screen cannot be shown",
            );
        } else {
            // The content column, in a window as narrow as the published one's.
            b.snapshot(
                Shot::new("api-connections-empty-screen")
                    .region(Locator::css("header.AknTitleContainer").filter(Filter::Visible))
                    .region(no_data().nth(0))
                    .viewport(950, 640)
                    .size(585, 512)
                    .lead(18)
                    .highlight(create_button()),
            )
            .await?;
        }
        Ok(page)
    }

    async fn wait_grid(&self) -> Result<bool, Error> {
        let b = self.pim.browser;
        let table = Locator::css("table")
            .filter(Filter::HasText("thead th".into(), "Credentials".into()))
            .filter(Filter::Has("tbody tr td".into()))
            .filter(Filter::Visible);
        let found = b
            .wait_any(
                &[(table, Cond::Visible), (no_data(), Cond::Visible)],
                b.timeout(),
            )
            .await?;
        Ok(found.alt == 0)
    }

    fn pick(page: &GridPage, label: &str) -> Option<Option<ClientCredentials>> {
        // Several rows with the label (concurrent runs): the oldest one.
        let rows = page.rows_where("Label", label);
        let parsed: Vec<_> = rows
            .iter()
            .map(|r| page.cell(r, "Credentials").and_then(parse_credentials))
            .collect();
        if parsed.is_empty() {
            return None;
        }
        Some(
            parsed
                .iter()
                .flatten()
                .min_by_key(|c| dedupe::age_key(&c.client_id))
                .cloned(),
        )
    }

    /// The credentials of the first connection labelled `label`, if there is one.
    pub async fn find(&self, label: &str) -> Result<Option<ClientCredentials>, Error> {
        if !self.wait_grid().await? {
            return Ok(None);
        }
        match self
            .grid
            .find(self.pim.browser, |p| Self::pick(p, label))
            .await?
        {
            None => Ok(None),
            Some((Some(c), _)) => {
                self.pim.browser.add_secret(&c.secret);
                Ok(Some(c))
            }
            Some((None, _)) => Err(self.pim.browser.unexpected(format!(
                "the row of connection '{label}' has no readable 'Client ID:' / 'Secret:'"
            ))),
        }
    }

    /// Creates the connection: "Create", type the label then Tab (the model updates on
    /// `change`), Save; the PIM's validation messages become `Error::PimRefused`. Waits for
    /// the refreshed grid to list it.
    pub async fn create(&self, label: &str) -> Result<(), Error> {
        let b = self.pim.browser;
        b.click(&create_button()).await?;
        let input =
            Locator::css("#creation_label, .modal input[name=\"label\"]").filter(Filter::Visible);
        let modal = Locator::css(".modal").filter(Filter::Visible);
        let save = modal
            .clone()
            .find(".AknButton--apply.ok, .ok")
            .filter(Filter::Visible);
        // The popin's body as just opened: the label field still empty.
        b.wait(&input, Cond::Visible).await?;
        b.snapshot(
            Shot::new("api-connection-creation-popin")
                .region(
                    Locator::css(".AknFullPage-image")
                        .filter(Filter::Visible)
                        .nth(0),
                )
                .region(input.clone())
                .region(save.clone())
                .size(818, 300)
                .highlight(save.clone()),
        )
        .await?;
        let tab = Typing {
            tab_after: true,
            ..Default::default()
        };
        b.fill(&[(input.clone(), label, tab)]).await?;
        b.click(&save).await?;
        refused_or(&self.pim, ".modal", (Locator::css(".modal"), Cond::Hidden)).await?;
        let row = self.grid.row(label).many();
        b.wait(&row, Cond::Visible).await?;
        Ok(())
    }

    /// Reads the credentials of `label` (pages through the grid).
    pub async fn read_credentials(&self, label: &str) -> Result<ClientCredentials, Error> {
        let c = self.find(label).await?.ok_or_else(|| {
            self.pim
                .browser
                .unexpected(format!("connection '{label}' is not in the grid"))
        })?;
        // The secret is registered by `find`: the capture masks it.
        let cell = self
            .grid
            .row(label)
            .nth(0)
            .find("td")
            .filter(Filter::Contains("Client ID:".into()));
        self.pim
            .browser
            .snapshot(
                // The row's label and credentials cells; no header, no Revoke button.
                Shot::new("my-very-first-api-connection")
                    .region(self.grid.row(label).nth(0).find("td").nth(0))
                    .region(cell.clone())
                    .size(656, 67)
                    .lead(4)
                    .highlight(cell)
                    .blank_text(c.client_id.clone()),
            )
            .await?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_credentials_cell() {
        let c = parse_credentials(
            "Client ID: 1_4gm4rnoizp8gskgkk080ssoo80040g44ksowwgw844k44sc00s \
             Secret: 5dyvo1z6y34so4ogkgksw88ookoows00cgoc488kcs8wk4c40s",
        )
        .unwrap();
        assert_eq!(
            c.client_id,
            "1_4gm4rnoizp8gskgkk080ssoo80040g44ksowwgw844k44sc00s"
        );
        assert_eq!(
            c.secret,
            "5dyvo1z6y34so4ogkgksw88ookoows00cgoc488kcs8wk4c40s"
        );
        assert!(!format!("{c:?}").contains("5dyvo"));
        let glued = parse_credentials("Client ID: 1_abcSecret: xyz").unwrap();
        assert_eq!(
            (glued.client_id.as_str(), glued.secret.as_str()),
            ("1_abc", "xyz")
        );
        assert!(parse_credentials("Client ID: Secret:").is_none());
        assert!(parse_credentials("nothing here").is_none());
    }
}
