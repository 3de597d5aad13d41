//! Failure artifacts on the API connections page: the screenshot and page HTML must not show
//! the secrets of OTHER integrations (which the tool never registered), and the files are private.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use pim_credentials::browser::{self, BrowserKind, LaunchOptions};
use pim_credentials::pim::{ApiConnectionsPage, LoginPage, Pim};
use pim_credentials::secrets::Secret;
use pim_sim::{self as sim, SimConfig};

#[tokio::test(flavor = "multi_thread")]
async fn artifacts_mask_every_secret_of_the_connections_grid_and_are_private() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let other_secret = {
        let mut db = sim.app().lock();
        db.add_client("Another integration");
        db.clients[0].secret.clone()
    };
    let dir = tempfile::tempdir().unwrap();
    let session = browser::launch(&LaunchOptions {
        webdriver: None,
        headful: false,
        timeout: Duration::from_secs(20),
        artifacts_dir: dir.path().to_path_buf(),
        browser: BrowserKind::Chromium,
        env_remove: Vec::new(),
    })
    .await
    .unwrap();
    let b = session.browser();
    let pim = Pim::new(b, sim.url());
    let saved = async {
        LoginPage::open(pim)
            .await?
            .log_in("admin", &Secret::new("admin"))
            .await?;
        let page = ApiConnectionsPage::open(pim).await?;
        assert!(
            page.find("Another integration").await?.is_some(),
            "the other row is shown"
        );
        Ok::<_, pim_credentials::Error>(b.save_failure_artifacts().await)
    }
    .await;
    session.close().await;
    let folder = saved.unwrap().expect("artifacts saved");
    assert_eq!(
        std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777,
        0o700
    );
    let mut html = String::new();
    for f in std::fs::read_dir(&folder).unwrap().flatten() {
        assert_eq!(
            f.metadata().unwrap().permissions().mode() & 0o777,
            0o600,
            "{:?}",
            f.path()
        );
        if f.path().extension().is_some_and(|e| e == "html") {
            html = std::fs::read_to_string(f.path()).unwrap();
        }
    }
    assert!(
        html.contains("Another integration"),
        "the page was the connections grid"
    );
    assert!(
        !html.contains(&other_secret),
        "another integration's secret leaked into the HTML"
    );
    sim.stop().await;
}
