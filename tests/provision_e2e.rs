//! End-to-end: the real driver in real headless Chromium against the embedded simulator.
//!
//! Tests run one at a time (a shared lock): each starts its own chromedriver + Chromium, and
//! the machine has 2 cores.

mod support;

use std::time::{Duration, Instant};

use pim_credentials::flow::provision;
use pim_credentials::progress::Progress;
use pim_credentials::secrets::Secret;
use pim_credentials::Error;
use pim_sim::{self as sim, SimConfig};

use support::provision::{
    config, counter, leftover_browser_processes, role, users_named, API_USER, CONNECTION, ROLE,
};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A fresh run creates all three and verifies; the API user is the 32nd user (30 others +
/// admin), so it is found on page 2 of the role's Users grid. A second run (same API password)
/// reuses all three (the user found by the Users grid's username filter), gets the same client id and
/// creates nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_run_creates_all_three_then_second_run_reuses_them_with_30_other_users() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig {
        users: 30,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = config(sim.url(), artifacts.path().to_path_buf());

    let t = Instant::now();
    let progress = Progress::silent();
    let first = provision(&cfg, &progress).await.expect("first run");
    let wall = t.elapsed();
    // The new user sorts last (32nd of 32): the role's Users grid was paged to page 2.
    let detail = |p: &Progress, name: &str| {
        p.steps()
            .into_iter()
            .find(|s| s.name == name)
            .map(|s| s.detail)
            .unwrap_or_default()
    };
    let role_step = detail(&progress, "ensure role");
    assert!(role_step.contains("page 2"), "{role_step}");
    eprintln!("provision wall time (fresh run, default latency): {wall:?}");
    assert!(
        leftover_browser_processes().is_empty(),
        "{:?}",
        leftover_browser_processes()
    );

    assert!(first.created.user && first.created.role && first.created.connection);
    assert!(first.verified, "notes: {:?}", first.notes);
    assert_eq!(first.pim_version, "3.x");
    let password = first
        .credentials
        .password
        .clone()
        .expect("a generated password");
    assert_eq!(password.expose().len(), 24);

    let state = sim.state();
    let api = users_named(&state, API_USER);
    assert_eq!(api.len(), 1, "{state}");
    assert!(
        api[0]["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == ROLE),
        "{state}"
    );
    let r = role(&state, ROLE);
    assert!(r["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    assert!(r["users"].as_array().unwrap().iter().any(|u| u == API_USER));
    let clients = state["api_clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{state}");
    assert_eq!(clients[0]["label"], CONNECTION);
    assert_eq!(
        clients[0]["client_id"],
        first.credentials.client_id.as_str()
    );
    assert_eq!(clients[0]["secret"], first.credentials.secret.expose());
    assert!(
        counter(&state, "token") >= 1,
        "verification asked for a token: {state}"
    );

    // Second run, with the password the first run generated (PIM_API_PASSWORD).
    let mut again = cfg.clone();
    again.api_password = Some(password.clone());
    let progress = Progress::silent();
    let second = provision(&again, &progress).await.expect("second run");
    let user_step = detail(&progress, "ensure user");
    // Found by the Users grid's own request with a username filter (not by paging).
    assert!(
        user_step.contains("reused (found by the Users grid's username filter)"),
        "{user_step}"
    );
    assert!(leftover_browser_processes().is_empty());
    assert_eq!(
        second.created,
        Default::default(),
        "nothing created the second time"
    );
    assert_eq!(second.credentials.client_id, first.credentials.client_id);
    assert_eq!(second.credentials.secret, first.credentials.secret);
    assert!(second.verified);
    assert_eq!(second.credentials.password.as_ref(), Some(&password));
    let after = sim.state();
    for c in ["user_create", "role_create", "client_create"] {
        assert_eq!(
            counter(&after, c),
            counter(&state, c),
            "{c} changed: {after}"
        );
    }
    assert_eq!(users_named(&after, API_USER).len(), 1);
    assert_eq!(after["api_clients"].as_array().unwrap().len(), 1);
    sim.stop().await;
}

/// An existing user whose password is unknown is reused, its password left alone, and the
/// verification is skipped with a note.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reused_user_without_known_password_skips_verification() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    {
        let mut db = sim.app().lock();
        db.add_user(
            API_USER,
            "api@example.com",
            "Api",
            "User",
            "pre-existing-1",
            vec![],
        );
    }
    let artifacts = tempfile::tempdir().unwrap();
    let cfg = config(sim.url(), artifacts.path().to_path_buf());
    let p = provision(&cfg, &Progress::silent()).await.expect("run");
    assert!(!p.created.user);
    assert!(p.created.role && p.created.connection);
    assert!(p.credentials.password.is_none());
    assert!(!p.verified);
    assert!(
        p.notes.iter().any(|n| n.contains("verification skipped")),
        "{:?}",
        p.notes
    );
    let state = sim.state();
    assert_eq!(counter(&state, "user_create"), 0);
    assert_eq!(counter(&state, "token"), 0, "no verification was attempted");
    assert!(role(&state, ROLE)["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == API_USER));
    assert!(leftover_browser_processes().is_empty());
    sim.stop().await;
}

/// A wrong admin password is the PIM refusing: exit code 3 with "Invalid credentials.", a
/// failure artifact folder, and no browser left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_admin_password_is_refused_with_exit_code_3() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.admin_password = Secret::new("not-the-password");
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("must be refused");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(
        matches!(&err, Error::PimRefused { message, .. } if message.contains("Invalid credentials.")),
        "{err}"
    );
    assert!(leftover_browser_processes().is_empty());
    // The failed step left a screenshot, the page and its URL, with the password masked.
    let dirs: Vec<_> = std::fs::read_dir(artifacts.path())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(dirs.len(), 1);
    let files: Vec<String> = std::fs::read_dir(dirs[0].path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().any(|f| f.ends_with(".png")), "{files:?}");
    let html = files
        .iter()
        .find(|f| f.ends_with(".html"))
        .expect("page html");
    let html = std::fs::read_to_string(dirs[0].path().join(html)).unwrap();
    assert!(html.contains("Invalid credentials."));
    assert!(!html.contains("not-the-password"));
    let state = sim.state();
    assert_eq!(counter(&state, "user_create"), 0);
    sim.stop().await;
}

/// Ctrl-C in the middle of a run (the real binary, provisioning its embedded simulator): the
/// run stops with the "interrupted" exit code and no chromedriver or Chromium is left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_mid_run_leaves_no_browser_behind() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let _serial = SERIAL.lock().await;
    let artifacts = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pim-credentials"))
        .arg("provision")
        .env("PIM_ADMIN_PASSWORD", "admin")
        .env_remove("PIM_URL")
        .env_remove("WEBDRIVER_URL")
        .current_dir(artifacts.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let needle = format!("pim-credentials-{pid}-");
    let browser_alive = || {
        std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            std::fs::read(e.path().join("cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(&needle))
                .unwrap_or(false)
        })
    };
    // Read stderr in a thread (to the end: a closed pipe would make the child's prints fail)
    // and learn when the run has logged in, i.e. the browser is busy.
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut seen = String::new();
        let mut tx = Some(tx);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            seen.push_str(&line);
            seen.push('\n');
            if line.contains("log in") {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(seen.clone());
                }
            }
        }
        seen
    });
    let seen = tokio::time::timeout(Duration::from_secs(60), rx)
        .await
        .unwrap()
        .unwrap();
    assert!(seen.contains("log in"), "{seen}");
    assert!(browser_alive(), "Chromium should be running mid-run");
    // SAFETY: sending SIGINT to the child we spawned.
    unsafe {
        libc::kill(pid as i32, libc::SIGINT);
    }
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(30), status)
        .await
        .unwrap()
        .unwrap();
    let seen = reader.join().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}: {seen}");
    assert!(!browser_alive(), "a browser process outlived the run");
    assert!(seen.contains("interrupted"), "{seen}");
}

/// `verify_credentials` reads the PIM's answers: a wrong secret is the token endpoint's 422
/// message; a user whose role lacks Overall Web API access gets a token but a 403 "You are not
/// allowed to access the web API." (exit 4); a user with it passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_credentials_reads_token_and_403_errors() {
    use pim_credentials::flow::{verify_credentials, BrowserConfig};
    use pim_credentials::pim::{Credentials, Verified};
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let (client_id, secret, user_role, admin_role) = {
        let mut db = sim.app().lock();
        let role_id = |label: &str| db.roles.iter().find(|r| r.label == label).unwrap().id;
        let (user_role, admin_role) = (role_id("User"), role_id("Administrator"));
        let id = db.add_client("verify test");
        let secret = db
            .clients
            .iter()
            .find(|c| c.public_id() == id)
            .unwrap()
            .secret
            .clone();
        (id, secret, user_role, admin_role)
    };
    {
        let mut db = sim.app().lock();
        db.add_user(
            "plain",
            "plain@example.com",
            "P",
            "U",
            "plain-pass-1",
            vec![user_role],
        );
        db.add_user(
            "apiok",
            "apiok@example.com",
            "A",
            "O",
            "apiok-pass-1",
            vec![admin_role],
        );
    }
    let artifacts = tempfile::tempdir().unwrap();
    let bc = BrowserConfig {
        pim_url: sim.url().to_string(),
        webdriver: None,
        browser: Default::default(),
        headful: false,
        timeout: Duration::from_secs(20),
        artifacts_dir: artifacts.path().to_path_buf(),
    };
    let creds = |user: &str, pass: &str, secret: &str| Credentials {
        client_id: client_id.clone(),
        secret: Secret::new(secret),
        username: user.into(),
        password: Some(Secret::new(pass)),
    };
    let p = Progress::silent();

    let ok = verify_credentials(&bc, &creds("apiok", "apiok-pass-1", &secret), &p).await;
    assert_eq!(ok.expect("valid credentials"), Verified::Ok);

    let e = verify_credentials(&bc, &creds("apiok", "apiok-pass-1", "wrong-secret"), &p)
        .await
        .expect_err("wrong secret");
    assert_eq!(e.exit_code(), 4);
    assert!(e.to_string().contains("client_id"), "{e}");

    let e = verify_credentials(&bc, &creds("plain", "plain-pass-1", &secret), &p)
        .await
        .expect_err("no web API access");
    assert_eq!(e.exit_code(), 4);
    assert!(
        e.to_string()
            .contains("You are not allowed to access the web API."),
        "{e}"
    );
    assert!(
        e.to_string().contains("lacks Overall Web API access"),
        "{e}"
    );
    assert!(leftover_browser_processes().is_empty());
    sim.stop().await;
}

/// With `webdriver` set, the driver connects to that server (as it would to a Grid) instead of
/// starting its own, and the flow works the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provision_through_an_existing_webdriver_server() {
    use std::process::{Command, Stdio};
    let _serial = SERIAL.lock().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut driver = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let t = Instant::now();
    while reqwest::get(format!("{url}/status")).await.is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.webdriver = Some(url);
    let res = provision(&cfg, &Progress::silent()).await;
    let _ = driver.kill();
    let _ = driver.wait();
    let p = res.expect("provision through an external WebDriver");
    assert!(p.verified && p.created.connection);
    let state = sim.state();
    assert_eq!(
        state["api_clients"][0]["client_id"],
        p.credentials.client_id.as_str()
    );
    sim.stop().await;
}

/// The waiting primitive on a page built to trip it: a click waits for the overlay covering
/// the button and for the loading mask, and fires exactly once; an ambiguous locator, a hidden
/// element and a covered one time out with the step, the selector and what was seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actionable_waits_on_a_tricky_page() {
    use pim_credentials::browser::{launch, Cond, LaunchOptions, Locator};
    let _serial = SERIAL.lock().await;
    let artifacts = tempfile::tempdir().unwrap();
    let session = launch(&LaunchOptions {
        webdriver: None,
        headful: false,
        timeout: Duration::from_secs(5),
        artifacts_dir: artifacts.path().to_path_buf(),
        browser: Default::default(),
        env_remove: Vec::new(),
    })
    .await
    .unwrap();
    let b = session.browser();
    b.set_step("tricky page");
    let page = r#"<html><body>
      <div class="loading-mask" style="position:fixed;inset:0;background:#eee8"></div>
      <button id="btn" onclick="window.clicks=(window.clicks||0)+1;window.clickedAt=window.clickedAt||performance.now()" style="margin:50px">Go</button>
      <div id="cover" style="position:absolute;top:0;left:0;width:400px;height:200px;background:#f00"></div>
      <p class="dup">a</p><p class="dup">b</p>
      <div id="hidden" style="display:none">x</div>
      <div id="wrap"><span>Hello</span></div>
      <script>
        setTimeout(() => document.querySelector('.loading-mask').style.display = 'none', 300);
        setTimeout(() => { document.getElementById('cover').remove(); window.coverGoneAt = performance.now(); }, 600);
      </script></body></html>"#;
    let url = format!(
        "data:text/html,{}",
        page.replace('#', "%23").replace('\n', " ")
    );
    let result = async {
        b.goto(&url).await?;
        b.click(&Locator::css("#btn")).await?;
        // Page-clock times, so a slow machine cannot make the click look early or late.
        let waited = b
            .script(
                "return window.coverGoneAt === undefined ? -1 : window.clickedAt - window.coverGoneAt;",
                vec![],
            )
            .await?;
        let clicks = b.script("return window.clicks || 0;", vec![]).await?;
        let text = b.wait(&Locator::css("div, span").text("Hello"), Cond::Visible).await?;
        let short = Duration::from_millis(300);
        let dup = b.wait_any(&[(Locator::css(".dup"), Cond::Visible)], short).await;
        let hidden = b.wait_any(&[(Locator::css("#hidden"), Cond::Visible)], short).await;
        b.script("document.body.insertAdjacentHTML('beforeend', '<div id=\"c2\" style=\"position:absolute;top:0;left:0;width:400px;height:200px\"></div>')", vec![]).await?;
        let covered = b.wait_any(&[(Locator::css("#btn"), Cond::Actionable)], short).await;
        Ok::<_, Error>((waited, clicks, text, dup, hidden, covered))
    }
    .await;
    session.close().await;
    let (waited, clicks, text, dup, hidden, covered) = result.unwrap();
    let waited = waited.as_f64().unwrap();
    assert!(
        waited >= 0.0,
        "clicked {waited} ms after the cover went (negative: before it went, or it never went)"
    );
    assert_eq!(clicks, 1, "the click fired exactly once");
    assert_eq!(text.texts, vec!["Hello".to_string()]);
    let msg = |r: Result<_, Error>| match r {
        Err(e @ Error::Timeout { .. }) => e.to_string(),
        other => panic!(
            "expected a timeout, got {:?}",
            other.map(|f: pim_credentials::browser::Found| f.texts)
        ),
    };
    let dup = msg(dup);
    assert!(
        dup.contains("2 matches") && dup.contains("tricky page") && dup.contains(".dup"),
        "{dup}"
    );
    assert!(msg(hidden).contains("not visible"));
    assert!(msg(covered).contains("covered by div#c2"));
    assert!(leftover_browser_processes().is_empty());
}

/// The PIM's own validation message comes back as a refusal (exit 3): a role label longer than
/// the 25 characters the role form allows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pim_validation_message_is_a_refusal() {
    let _serial = SERIAL.lock().await;
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let mut cfg = config(sim.url(), artifacts.path().to_path_buf());
    cfg.role = "A role label far too long for Akeneo".into();
    let err = provision(&cfg, &Progress::silent())
        .await
        .expect_err("refused");
    assert_eq!(err.exit_code(), 3, "{err}");
    assert!(
        matches!(&err, Error::PimRefused { step, message } if step == "ensure role" && message.contains("too long")),
        "{err}"
    );
    // The PIM got the POST and refused it: no such role exists.
    let state = sim.state();
    assert_eq!(counter(&state, "role_create"), 1);
    assert_eq!(state["roles"].as_array().unwrap().len(), 2, "{state}");
    assert!(leftover_browser_processes().is_empty());
    sim.stop().await;
}

/// A field drawn again (empty) right after it was typed into, as a re-rendering form does: the
/// next wait notices the lost text and types it again, instead of failing the step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_lost_to_a_rerendered_field_is_typed_again() {
    use pim_credentials::browser::{launch, Cond, LaunchOptions, Locator, Typing};
    let _serial = SERIAL.lock().await;
    let artifacts = tempfile::tempdir().unwrap();
    let session = launch(&LaunchOptions {
        webdriver: None,
        headful: false,
        timeout: Duration::from_secs(5),
        artifacts_dir: artifacts.path().to_path_buf(),
        browser: Default::default(),
        env_remove: Vec::new(),
    })
    .await
    .unwrap();
    let b = session.browser();
    b.set_step("rerendered field");
    // The first input is replaced by a fresh, empty one as soon as it is typed into (once).
    let page = r#"<html><body><div id="form"><input name="password" type="password"></div>
      <button id="next">Next</button>
      <script>
        let redrawn = false;
        document.getElementById('form').addEventListener('keyup', () => {
          if (redrawn) return;
          redrawn = true;
          setTimeout(() => { document.getElementById('form').innerHTML = '<input name="password" type="password">'; }, 0);
        });
      </script></body></html>"#;
    let url = format!(
        "data:text/html,{}",
        page.replace('#', "%23").replace('\n', " ")
    );
    let result = async {
        b.goto(&url).await?;
        let field = Locator::css("input[name=\"password\"]");
        let how = Typing {
            secret: true,
            ..Default::default()
        };
        b.type_text(&field, "s3cret-value", how).await?;
        // The next wait checks (and, here, restores) what was typed before anything else.
        b.wait(&Locator::css("#next"), Cond::Visible).await?;
        b.script(
            "return [window.redrawn, document.querySelector('input[name=\"password\"]').value];",
            vec![],
        )
        .await
    }
    .await;
    session.close().await;
    let v = result.expect("the lost text is typed again");
    assert_eq!(v[1], "s3cret-value", "{v}");
}
