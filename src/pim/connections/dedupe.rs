//! Concurrent runs with the same connection label: API connection labels are not unique in
//! 2.x/3.x, so two runs that both saw "no row" both create one. The flow re-reads the grid
//! after creating, keeps the OLDEST row with the label (the lowest numeric part of the client
//! id, an auto-increment id) and revokes the rows that appeared during its own creation
//! besides that one: the concurrent run, following the same rule, keeps the same row.

use crate::browser::{Cond, Filter, Locator};
use crate::error::Error;

use super::{ApiConnectionsPage, ClientCredentials};

/// The numeric part of a client id (`<n>_<random>`); unknown shapes sort last.
pub fn age_key(client_id: &str) -> u64 {
    client_id
        .split('_')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(u64::MAX)
}

impl ApiConnectionsPage<'_> {
    /// Every connection labelled `label` on every grid page, oldest first.
    pub async fn all_labelled(&self, label: &str) -> Result<Vec<ClientCredentials>, Error> {
        let b = self.pim.browser;
        let mut all = Vec::new();
        if self.wait_grid().await? {
            self.grid
                .find(b, |page| {
                    for row in page.rows_where("Label", label) {
                        if let Some(c) = page
                            .cell(row, "Credentials")
                            .and_then(super::parse_credentials)
                        {
                            all.push(c);
                        }
                    }
                    None::<()>
                })
                .await?;
        }
        for c in &all {
            b.add_secret(&c.secret);
        }
        all.sort_by_key(|c| age_key(&c.client_id));
        all.dedup_by(|a, b| a.client_id == b.client_id);
        Ok(all)
    }

    /// Revokes the connection with this client id ("Revoke", then the confirmation's OK) and
    /// waits until its row is gone. A row already gone (revoked by someone else meanwhile) is
    /// fine: the PIM answers 404 and the grid reloads without it.
    pub async fn revoke(&self, client_id: &str) -> Result<(), Error> {
        let b = self.pim.browser;
        // From page 1, page through the grid to the row.
        self.pim.open_route("#/client").await?;
        if !self.wait_grid().await? {
            return Ok(());
        }
        let found = self
            .grid
            .find(b, |page| {
                page.rows
                    .iter()
                    .any(|r| r.cells.iter().any(|c| c.contains(client_id)))
                    .then_some(())
            })
            .await?;
        if found.is_none() {
            return Ok(());
        }
        let row = Locator::css("table")
            .filter(Filter::HasText("thead th".into(), "Credentials".into()))
            .filter(Filter::Visible)
            .find("tbody tr")
            .filter(Filter::Contains(client_id.into()));
        b.click(
            &row.clone()
                .find("a[title=\"Revoke\"]")
                .filter(Filter::Visible),
        )
        .await?;
        let ok = Locator::css(".modal")
            .filter(Filter::Visible)
            .find(".ok")
            .filter(Filter::Visible);
        // WebDriver's own click: the confirmation removes itself synchronously on click, and
        // the in-poll click (`Browser::click`) then fails to return the detached element.
        b.click_native(&ok).await?;
        b.wait(&row.many(), Cond::Hidden).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::age_key;

    #[test]
    fn client_ids_sort_by_their_numeric_id() {
        assert!(age_key("2_abc") < age_key("10_abc"));
        assert_eq!(age_key("nonsense"), u64::MAX);
    }
}
