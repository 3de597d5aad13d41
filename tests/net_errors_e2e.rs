//! Network failures at the first navigation, in real headless Chromium: named as such
//! (`Error::Unreachable`, exit 6), never as "not an Akeneo PIM". A closed loopback port is
//! "connection refused"; https to a plain-HTTP server (the simulator) is a TLS error. The
//! simulator proves nothing reached it over TLS (no login counted).

use std::time::Duration;

use pim_credentials::browser::{self, BrowserKind, LaunchOptions};
use pim_credentials::error::exit;
use pim_credentials::pim::{LoginPage, Pim};
use pim_credentials::Error;
use pim_sim::{self as sim, SimConfig};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_port_and_tls_failures_are_named() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
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

    let e = LoginPage::open(Pim::new(b, &closed)).await.err().unwrap();
    let msg = e.to_string();
    assert!(matches!(e, Error::Unreachable(_)), "{e:?}");
    assert_eq!(e.exit_code(), exit::UNREACHABLE);
    assert!(msg.contains("connection refused"), "{msg}");
    assert!(msg.contains("ERR_CONNECTION_REFUSED"), "{msg}");
    assert!(msg.contains(&closed), "{msg}");
    assert!(!msg.contains("not an Akeneo PIM"), "{msg}");

    let tls = sim.url().replacen("http://", "https://", 1);
    let e = LoginPage::open(Pim::new(b, &tls)).await.err().unwrap();
    let msg = e.to_string();
    assert!(matches!(e, Error::Unreachable(_)), "{e:?}");
    assert!(msg.contains("TLS/certificate error"), "{msg}");
    assert!(msg.contains(&tls), "{msg}");

    // And the same browser still reaches the PIM over http: the login page opens.
    LoginPage::open(Pim::new(b, sim.url())).await.unwrap();
    session.close().await;
    let st: Value = reqwest::get(format!("{}/_sim/state", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(st["counters"]["login"].as_u64().unwrap_or(0), 0, "{st}");
    sim.stop().await;
}
