//! 1.7's datagrid pager (Oro pagination-input: Prev / page input / Next, "of N") in real
//! headless Chromium against the 1.7 simulator: the role form's Users grid, 61 users (3 pages
//! of 25). The grid page object pages forward (Next), back (Prev) and jumps (Next, Next), and
//! finds a user on whatever page the simulator's order puts it (read from `/_sim/state`).

use std::time::Duration;

use pim_credentials::browser::{self, BrowserKind, Filter, LaunchOptions, Locator};
use pim_credentials::pim::grid::{Grid, GridPage};
use pim_credentials::pim::{Generation, LoginPage, Pim};
use pim_credentials::secrets::Secret;
use pim_sim::{self as sim, PimVersion, SimConfig};
use serde_json::Value;

/// The row of `username` on this page, if any.
fn has(page: &GridPage, username: &str) -> Option<()> {
    (!page.rows_where("Username", username).is_empty()).then_some(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v1_7_pager_goes_forward_back_and_jumps() {
    // 60 users + admin: three pages of 25 (more than the default 30, for a page to jump to).
    let sim = sim::start(SimConfig {
        users: 60,
        pim_version: PimVersion::V1_7,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let st: Value = reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // On a new role nobody has it: the grid sorts by id.
    let mut users: Vec<(u64, String)> = st["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["id"].as_u64().unwrap(),
                u["username"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    users.sort();
    assert_eq!(users.len(), 61, "{st}");
    let (first, mid, last) = (&users[0].1, &users[30].1, &users[60].1);

    let artifacts = tempfile::tempdir().unwrap();
    let session = browser::launch(&LaunchOptions {
        webdriver: None,
        headful: false,
        timeout: Duration::from_secs(20),
        artifacts_dir: artifacts.path().to_path_buf(),
        browser: BrowserKind::Chromium,
        env_remove: browser::secret_env_names(),
    })
    .await
    .unwrap();
    let b = session.browser();
    let pim = Pim::new(b, sim.url()).with_generation(Generation::V1_7);
    LoginPage::open(pim)
        .await
        .unwrap()
        .log_in("admin", &Secret::new("admin"))
        .await
        .unwrap();
    pim.open_route("#/user/role/create").await.unwrap();
    b.click(&Locator::css("a[href=\"#users\"]").filter(Filter::Visible))
        .await
        .unwrap();
    let grid = Grid::new(Some("#users"), "Username");

    let start = grid.read(b).await.unwrap();
    assert!(start.stepper, "1.7's pager: {start:?}");
    assert_eq!(start.pages, vec![1, 2, 3]);
    assert_eq!(start.current, Some(1));

    // Forward: Next, Next.
    let hit = grid.find(b, |p| has(p, last)).await.unwrap();
    assert_eq!(hit.map(|h| h.1), Some(3), "{last}");
    // Back from the last page: Prev, Prev.
    let hit = grid.find(b, |p| has(p, first)).await.unwrap();
    assert_eq!(hit.map(|h| h.1), Some(1), "{first}");
    // Jump two pages ahead (Next, Next).
    let page = grid.read(b).await.unwrap();
    grid.go_to_page(b, &page, 3).await.unwrap();
    let page = grid.read(b).await.unwrap();
    assert_eq!(page.current, Some(3));
    assert_eq!(page.rows_where("Username", last).len(), 1, "{page:?}");
    assert_eq!(page.rows.len(), 11, "61 users: 25 + 25 + 11");
    // From the last page, a user of the middle one: found by going back.
    let hit = grid.find(b, |p| has(p, mid)).await.unwrap();
    assert_eq!(hit.map(|h| h.1), Some(2), "{mid}");
    // Someone who is not there: every page read, nothing found.
    assert!(grid
        .find(b, |p| has(p, "nobody-by-that-name"))
        .await
        .unwrap()
        .is_none());
    session.close().await;
    sim.stop().await;
}
