//! Test helper: starts chromedriver on a free loopback port (own process group, fresh temp
//! profile) and connects a fantoccini client to a headless Chromium. Dropping the [`Chrome`]
//! kills chromedriver's process group (Chromium included) and deletes the profile.
//!
//! Shared by the simulator's test crates that declare `mod support;`: [`browser`] (WebDriver
//! steps) and [`http`] (the simulator over HTTP). Each crate
//! uses only some of it, hence `dead_code` is allowed.

#![allow(dead_code)]

pub mod browser;
pub mod http;

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Map, Value};

/// A headless Chromium session and the chromedriver serving it.
pub struct Chrome {
    /// The WebDriver client.
    pub client: Client,
    _driver: Driver,
}

/// chromedriver's process group and the profile folder; killed and deleted on drop.
struct Driver {
    child: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group we created for chromedriver.
        unsafe {
            libc::kill(-(self.child.id() as i32), libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Chrome {
    /// Starts chromedriver and a headless Chromium session.
    pub async fn start() -> Chrome {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver at /usr/bin/chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let profile_arg = format!("--user-data-dir={}", profile.path().display());
        let driver = Driver {
            child,
            _profile: profile,
        };
        let url = format!("http://127.0.0.1:{port}");
        // Wait until chromedriver answers /status.
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{url}/status")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--no-first-run".into(),
            "--disable-quic".into(),
            "--window-size=1280,900".into(),
            profile_arg,
        ];
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), json!({"args": args}));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("WebDriver session");
        Chrome {
            client,
            _driver: driver,
        }
    }

    /// Closes the session (bounded), then kills chromedriver's process group.
    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
    }

    /// Waits until `css` matches an element that is displayed.
    pub async fn visible(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(els) = self.client.find_all(Locator::Css(css)).await {
                for e in els {
                    if e.is_displayed().await.unwrap_or(false) {
                        return e;
                    }
                }
            }
            if Instant::now() > deadline {
                let url = self
                    .client
                    .current_url()
                    .await
                    .map(|u| u.to_string())
                    .unwrap_or_default();
                panic!("`{css}` never became visible (at {url})");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until a JS expression is truthy.
    pub async fn until(&self, what: &str, js: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self
                .client
                .execute(&format!("return !!({js});"), vec![])
                .await;
            if matches!(v, Ok(Value::Bool(true))) {
                return;
            }
            if Instant::now() > deadline {
                panic!("never true: {what} ({js}); last: {v:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the app to be idle: no XHR in flight, no visible loading mask.
    pub async fn idle(&self) {
        self.until(
            "app idle",
            "document.readyState == 'complete' && (!window.jQuery || !jQuery.active) && \
             ![...document.querySelectorAll('.loading-mask')].some(m => m.offsetWidth || m.offsetHeight)",
        )
        .await;
    }

    /// Runs a script and returns its value.
    pub async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script")
    }
}
