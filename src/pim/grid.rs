//! The Oro/Akeneo datagrid (backgrid table + numbered pager), read in one script per page.
//!
//! Columns are found by their header text, never by position (the order changed between
//! versions). The pager is a row of numbered links (`.AknGridToolbar-center a`), the current
//! one highlighted; a page change reloads the rows by XHR.

use serde::Deserialize;
use serde_json::{json, Value};

use crate::browser::{Browser, Cond, Filter, Locator};
use crate::error::Error;

/// Reads the first visible table under `scope` whose header has `header`, plus the pager.
const GRID_JS: &str = r#"
const [scopeCss, header] = arguments;
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
const visible = (el) => {
  if (el.checkVisibility && !el.checkVisibility({ visibilityProperty: true })) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const scopes = scopeCss ? [...document.querySelectorAll(scopeCss)] : [document];
let found = null;
for (const s of scopes) {
  for (const t of s.querySelectorAll('table')) {
    if (!visible(t)) continue;
    const heads = [...t.querySelectorAll('thead th')].map((th) => norm(th.textContent));
    if (!heads.some((h) => h.toLowerCase() === header.toLowerCase())) continue;
    const rows = [...t.querySelectorAll('tbody tr')]
      .filter((tr) => visible(tr) && !tr.classList.contains('no-data'))
      .map((tr) => {
        const cb = tr.querySelector('td.boolean-cell input[type="checkbox"]');
        // innerText keeps the line breaks between block children ("Client ID: …" / "Secret: …").
        return { cells: [...tr.children].map((td) => norm(td.innerText)), checked: cb ? cb.checked : null };
      });
    found = { scope: s, headers: heads, rows };
    break;
  }
  if (found) break;
}
if (!found) return null;
const pagerIn = (root) => [...root.querySelectorAll('.AknGridToolbar-center a')].filter(visible);
let links = found.scope === document ? [] : pagerIn(found.scope);
if (links.length === 0) links = pagerIn(document);
const pages = [];
let current = null;
for (const a of links) {
  const n = parseInt(norm(a.textContent), 10);
  if (!Number.isInteger(n) || String(n) !== norm(a.textContent)) continue;
  pages.push(n);
  if (a.classList.contains('active') || a.classList.contains('AknActionButton--highlight')) current = n;
}
if (pages.length === 0) {
  // 1.7 (Oro): Prev / page input / Next, "of N | M records".
  const inputIn = (root) => [...root.querySelectorAll('.AknGridToolbar-pageInput, .pagination input[type="text"]')].filter(visible)[0];
  const input = (found.scope === document ? null : inputIn(found.scope)) || inputIn(document);
  const box = input && input.closest('.pagination, .AknGridToolbar-left, .AknGridToolbar');
  const total = box && /of\s+(\d+)/.exec(norm(box.textContent));
  if (input && total) {
    current = parseInt(input.value, 10) || 1;
    for (let n = 1; n <= parseInt(total[1], 10); n++) pages.push(n);
  }
}
return { headers: found.headers, rows: found.rows, pages, current };
"#;

/// One row: the text of each cell, and the state of its `Has role`-style checkbox.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Row {
    /// Normalised text of every cell, in column order.
    pub cells: Vec<String>,
    /// The boolean cell's checkbox, when the row has one.
    pub checked: Option<bool>,
}

/// One page of a grid.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct GridPage {
    /// Header texts.
    pub headers: Vec<String>,
    /// Visible rows.
    pub rows: Vec<Row>,
    /// Page numbers the pager shows (empty: a single page).
    pub pages: Vec<u32>,
    /// The highlighted page.
    pub current: Option<u32>,
}

impl GridPage {
    /// Index of the column whose header is `name` (case-insensitive).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The rows whose cell under `column` equals `value`.
    pub fn rows_where<'a>(&'a self, column: &str, value: &'a str) -> Vec<&'a Row> {
        let Some(c) = self.column(column) else {
            return vec![];
        };
        self.rows
            .iter()
            .filter(|r| r.cells.get(c).map(String::as_str) == Some(value))
            .collect()
    }

    /// The cell of `row` under `column`.
    pub fn cell<'a>(&self, row: &'a Row, column: &str) -> Option<&'a str> {
        self.column(column)
            .and_then(|c| row.cells.get(c))
            .map(String::as_str)
    }

    /// The page after the current one, when the pager shows it.
    pub fn next_page(&self) -> Option<u32> {
        let cur = self.current.unwrap_or(1);
        self.pages.iter().copied().find(|p| *p == cur + 1)
    }
}

/// A grid on the current page: the CSS scope it lives in and a header that identifies it.
#[derive(Debug, Clone)]
pub struct Grid {
    scope: Option<String>,
    header: String,
}

impl Grid {
    /// The grid under `scope` (CSS; `None`: the whole page) with a column titled `header`.
    pub fn new(scope: Option<&str>, header: &str) -> Self {
        Grid {
            scope: scope.map(str::to_string),
            header: header.to_string(),
        }
    }

    fn table(&self) -> Locator {
        let base = match &self.scope {
            Some(s) => Locator::css(s.clone())
                .filter(Filter::Visible)
                .find("table"),
            None => Locator::css("table"),
        };
        base.filter(Filter::HasText("thead th".into(), self.header.clone()))
            .filter(Filter::Visible)
    }

    /// A locator for the row whose cell text equals `value`, inside this grid.
    pub fn row(&self, value: &str) -> Locator {
        self.table()
            .find("tbody tr")
            .filter(Filter::HasText("td".into(), value.into()))
    }

    /// Waits until the grid is shown and the page settled.
    pub async fn wait_shown(&self, b: &Browser) -> Result<(), Error> {
        b.wait(&self.table(), Cond::Visible).await.map(|_| ())
    }

    /// Reads the current page in one script.
    pub async fn read(&self, b: &Browser) -> Result<GridPage, Error> {
        // One round trip: wait until shown and settled, then read.
        let (_, v) = b
            .wait_then(
                &self.table(),
                Cond::Visible,
                GRID_JS,
                vec![json!(self.scope), json!(self.header)],
            )
            .await?;
        parse_page(v).ok_or_else(|| {
            b.unexpected(format!(
                "the grid with a '{}' column vanished while reading it",
                self.header
            ))
        })
    }

    /// Clicks page `n` of the pager and waits until it is the highlighted page and the rows
    /// are loaded (page settled: the page change's request finished).
    pub async fn go_to_page(&self, b: &Browser, n: u32) -> Result<(), Error> {
        let link = Locator::css(".AknGridToolbar-center a")
            .filter(Filter::Visible)
            .text(n.to_string());
        let scope = self.scope.clone().unwrap_or_else(|| "body".into());
        let input = Locator::css(scope.clone())
            .filter(Filter::Visible)
            .find(".AknGridToolbar-pageInput")
            .filter(Filter::Visible);
        if b.script(
            "return !!document.querySelector('.AknGridToolbar-center a');",
            vec![],
        )
        .await?
        .as_bool()
            == Some(false)
        {
            // 1.7's Oro pager: Next, then the page input shows `n` once the rows loaded.
            let next = Locator::css(scope)
                .filter(Filter::Visible)
                .find("[data-action=\"next-page\"]")
                .filter(Filter::Visible)
                .nth(0);
            b.click(&next).await?;
            let shown = input.filter(Filter::Value(n.to_string())).nth(0);
            return b.wait(&shown, Cond::Visible).await.map(|_| ());
        }
        b.click(&link).await?;
        let current = link.filter(Filter::Any(vec![
            Filter::Class("active".into()),
            Filter::Class("AknActionButton--highlight".into()),
        ]));
        b.wait(&current, Cond::Visible).await.map(|_| ())
    }

    /// Pages through the grid from the current page until `pick` returns something; returns
    /// it with the page number it was found on.
    pub async fn find<T>(
        &self,
        b: &Browser,
        mut pick: impl FnMut(&GridPage) -> Option<T>,
    ) -> Result<Option<(T, u32)>, Error> {
        let mut page = self.read(b).await?;
        loop {
            if let Some(t) = pick(&page) {
                return Ok(Some((t, page.current.unwrap_or(1))));
            }
            match page.next_page() {
                Some(n) => {
                    self.go_to_page(b, n).await?;
                    page = self.read(b).await?;
                }
                None => return Ok(None),
            }
        }
    }
}

fn parse_page(v: Value) -> Option<GridPage> {
    if v.is_null() {
        return None;
    }
    serde_json::from_value(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> GridPage {
        parse_page(json!({
            "headers": ["Has role", "Username", "Email", "First name", "Last name"],
            "rows": [
                {"cells": ["", "admin", "admin@example.com", "John", "Doe"], "checked": true},
                {"cells": ["", "myAPIuser", "myapiuser@example.com", "API", "User"], "checked": false},
            ],
            "pages": [1, 2, 3],
            "current": 2,
        }))
        .unwrap()
    }

    #[test]
    fn finds_rows_by_column_header_not_position() {
        let p = page();
        let rows = p.rows_where("username", "myAPIuser");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].checked, Some(false));
        assert_eq!(p.cell(rows[0], "Email"), Some("myapiuser@example.com"));
        assert!(p.rows_where("Username", "nobody").is_empty());
        assert!(p.rows_where("No such column", "admin").is_empty());
    }

    #[test]
    fn next_page_follows_the_highlighted_one() {
        let mut p = page();
        assert_eq!(p.next_page(), Some(3));
        p.current = Some(3);
        assert_eq!(p.next_page(), None);
        p.pages.clear();
        p.current = None;
        assert_eq!(p.next_page(), None);
    }
}
