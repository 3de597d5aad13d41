//! The 4.x-7.x flavours against the DOM fact sheet (connect-4.x-to-7.x-dom.md), in real
//! headless Chromium, simulator with 30 users and 150 ms latency: the login page of each
//! version and its "Invalid credentials." markup, the Backbone (4.x/5.x) or React (6.x/7.x)
//! main menu, the Help link built from `/analytics/collect_data`, the Connections list (no
//! `.AknTitleContainer`, empty state while its fetch is in flight, its XHRs in order), the
//! create screen (Save disabled until valid, the duplicate-code helper), the edit page (Save
//! disabled until dirty), the 50-connection limit, and hashed class names that change at every
//! start.

mod support;

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use pim_sim::{self as sim, connections, PimVersion, SimConfig, SimHandle};
use serde_json::{json, Value};
use support::browser::{click, login, type_into};
use support::Chrome;

/// One browser at a time: the machine has two cores.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start(v: PimVersion) -> SimHandle {
    sim::start(SimConfig {
        pim_version: v,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

/// Creates a connection straight through the handler (no browser, no HTTP).
async fn seed(sim: &SimHandle, code: &str, flow: &str) {
    let body = json!({"code": code, "label": format!("Label {code}"), "flow_type": flow});
    let r = connections::create(
        State(sim.app().clone()),
        HeaderMap::new(),
        Bytes::from(body.to_string()),
    )
    .await;
    assert_eq!(r.status(), 201, "seed {code}");
}

fn base(v: PimVersion) -> &'static str {
    if v >= PimVersion::V6 {
        "#/connect/connection-settings"
    } else {
        "#/connections"
    }
}

/// Login page hooks of the version, "Invalid credentials." markup, then a real login.
async fn check_login(c: &Chrome, sim: &SimHandle, v: PimVersion) {
    c.client.goto(&format!("{}/", sim.url())).await.unwrap();
    c.visible("form.form-signin").await;
    let (user, pass) = if v >= PimVersion::V6 {
        ("#username_input", "#password_input")
    } else {
        ("#prependedInput", "#prependedInput2")
    };
    let button = c
        .js("return document.querySelector('#_submit').textContent.trim()")
        .await;
    assert_eq!(
        button,
        json!(if v == PimVersion::V4 {
            "Log in"
        } else {
            "Login"
        })
    );
    if v >= PimVersion::V5 {
        assert_eq!(
            c.js("return document.querySelector('#_submit').disabled")
                .await,
            json!(true),
            "5.0+: disabled until both fields fire input"
        );
        assert_eq!(
            c.js(&format!(
                "return !!document.querySelector('label[for={}]')",
                &user[1..]
            ))
            .await,
            json!(true)
        );
    }
    type_into(c, user, "admin").await;
    type_into(c, pass, "not-the-password").await;
    click(c, "#_submit").await;
    let error = if v == PimVersion::V4 {
        "div.AknMessageBox.AknMessageBox--error"
    } else {
        "div.Helper > span.Text"
    };
    c.visible(error).await;
    assert_eq!(
        c.js(&format!(
            "return document.querySelector('{error}').textContent.trim()"
        ))
        .await,
        json!("Invalid credentials.")
    );
    if v >= PimVersion::V5 {
        assert_eq!(
            c.js("return document.querySelectorAll('.AknMessageBox').length")
                .await,
            json!(0)
        );
    }
    assert_eq!(sim.state()["counters"]["login"], json!(1));
    // The page keeps the last username.
    c.visible(user).await.clear().await.unwrap();
    type_into(c, user, "admin").await;
    type_into(c, pass, "admin").await;
    click(c, "#_submit").await;
    let marker = if v >= PimVersion::V6 {
        "[data-testid=pim-main-menu-item]"
    } else {
        "a.AknHeader-menuItem"
    };
    c.visible(marker).await;
    c.idle().await;
}

/// Main menu hooks and the Help link of the version.
async fn check_menu(c: &Chrome, v: PimVersion) {
    let major = v.arg();
    c.until(
        "help link",
        &format!("[...document.querySelectorAll('a.AknHeader-menuItem')].some(a => a.href.includes('/pim/v{major}/'))"),
    )
    .await;
    let react = c
        .js("return document.querySelectorAll('a[role=menuitem][data-testid=pim-main-menu-item]').length")
        .await;
    if v >= PimVersion::V6 {
        assert!(react.as_u64().unwrap() >= 5, "{react}");
        assert_eq!(
            c.js("return document.querySelector('#pim-menu-connect').textContent.trim()")
                .await,
            json!("Connect")
        );
        // The only `.AknHeader-menuItem` left is Help; no Backbone column.
        assert_eq!(
            c.js("return [...document.querySelectorAll('.AknHeader-menuItem')].map(a => a.id)")
                .await,
            json!(["pim-menu-help"])
        );
        assert_eq!(
            c.js("return document.querySelectorAll('.AknColumn-navigationLink').length")
                .await,
            json!(0)
        );
        click(c, "#pim-menu-connect").await;
        c.until("data flows", "location.hash === '#/connect/data-flows'")
            .await;
        c.visible("[role=menu][data-testid=pim-sub-menu]").await;
        click(c, "#pim-menu-connect-connection-settings").await;
    } else {
        assert_eq!(react, json!(0));
        assert_eq!(
            c.js("return document.querySelector('#pim-menu-help')")
                .await,
            Value::Null,
            "no id on the 4.x/5.x Help link"
        );
        click(c, "a.AknHeader-menuItem[href='#/system/']").await;
        c.until("system", "location.hash === '#/system/'").await;
        c.client
            .find(fantoccini::Locator::XPath(
                "//a[contains(@class,'AknColumn-navigationLink')][normalize-space()='Connections']",
            ))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    c.until("list route", &format!("location.hash === '{}'", base(v)))
        .await;
}

/// The list: loading = empty state, no `.AknTitleContainer`, XHRs in order, sections.
async fn check_list(c: &Chrome, v: PimVersion) {
    // Leave and come back, then look at the first frames of the page.
    c.client
        .execute("location.hash = '#/user/'", vec![])
        .await
        .unwrap();
    c.idle().await;
    let seen = c
        .client
        .execute_async(
            &format!(
                "const done = arguments[arguments.length - 1]; performance.clearResourceTimings();\
                 location.hash = '{}';\
                 const t0 = Date.now();\
                 (function poll() {{\
                   const title = document.querySelector('.AknConnectivityConnection-view .AknTitleContainer-title');\
                   if (title) {{ done({{empty: document.body.textContent.includes('No connection declared yet.'),\
                     cards: document.querySelectorAll('[data-testid^=data_]').length}}); return; }}\
                   if (Date.now() - t0 > 5000) {{ done(null); return; }}\
                   requestAnimationFrame(poll);\
                 }})();",
                base(v)
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        seen,
        json!({"empty": true, "cards": 0}),
        "empty state while loading"
    );
    c.visible("[data-testid=data_source]").await;
    c.idle().await;
    assert_eq!(
        c.js("return document.querySelectorAll('.AknTitleContainer').length")
            .await,
        json!(0)
    );
    assert_eq!(
        c.js("return document.querySelector('.AknTitleContainer-title').textContent")
            .await,
        json!(if v >= PimVersion::V6 {
            "Connection settings"
        } else {
            "Connections"
        })
    );
    let xhrs = c
        .js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname + new URL(e.name).search).filter(p => p.startsWith('/rest/'))")
        .await;
    let search = "?search=%7B%22types%22%3A%5B%22default%22%5D%7D";
    let expected = match v {
        PimVersion::V4 => json!(["/rest/connections"]),
        PimVersion::V5 => json!([
            "/rest/connections",
            "/rest/connections/wrong-credentials-combination"
        ]),
        PimVersion::V6 => json!([
            format!("/rest/connections{search}"),
            "/rest/connections/wrong-credentials-combination"
        ]),
        _ => json!([
            "/rest/connections/max-limit-reached",
            format!("/rest/connections{search}"),
            "/rest/connections/wrong-credentials-combination"
        ]),
    };
    assert_eq!(xhrs, expected);
    let create_class = c
        .js("return document.querySelector('.AknTitleContainer-actionsContainer .AknButton--apply').className")
        .await;
    let prefix = if v == PimVersion::V4 {
        ""
    } else {
        "undefined "
    };
    assert_eq!(
        create_class,
        json!(format!(
            "{prefix}AknButtonList-item AknButton--apply AknButton"
        ))
    );
}

/// Create: Save disabled until valid, then the duplicate code's inline helper.
async fn check_create(c: &Chrome, v: PimVersion) {
    click(c, ".AknTitleContainer-actionsContainer .AknButton--apply").await;
    c.visible("form[data-testid=create-connection]").await;
    let save = "form[data-testid=create-connection] > button";
    assert!(!c.visible(save).await.is_enabled().await.unwrap());
    type_into(c, "input#label", "Existing").await;
    assert_eq!(
        c.js("return document.querySelector('input#code').value")
            .await,
        json!("existing")
    );
    assert!(c.visible(save).await.is_enabled().await.unwrap());
    click(c, save).await;
    let text = "Connection code must be unique.";
    c.until(
        "duplicate helper",
        &format!("document.querySelector('input#code').closest('.AknFieldContainer').textContent.includes('{text}')"),
    )
    .await;
    let hook = c
        .js("const f = document.querySelector('input#code').closest('.AknFieldContainer');\
             return {legacy: f.querySelectorAll('.AknFieldContainer-validationError').length,\
                     role: f.querySelectorAll('[role]').length, footer: f.querySelectorAll('.AknFieldContainer-footer').length}")
        .await;
    if v == PimVersion::V4 {
        assert_eq!(hook["legacy"], json!(1));
    } else {
        assert_eq!(
            hook,
            json!({"legacy": 0, "role": 0, "footer": 1}),
            "DSM Helper: no class or role hook"
        );
    }
    assert!(
        !c.visible(save).await.is_enabled().await.unwrap(),
        "disabled until the code changes"
    );
    assert_eq!(
        c.js("return document.querySelectorAll('.AknFullPage ~ .AknFullPage-cancel').length")
            .await,
        json!(1)
    );
}

/// Edit: Save disabled until the form is dirty.
async fn check_edit(c: &Chrome, sim: &SimHandle, v: PimVersion) {
    c.client
        .goto(&format!("{}/{}/existing/edit", sim.url(), base(v)))
        .await
        .unwrap();
    // Only the hash changed: reload for a cold start of the page.
    c.client.refresh().await.unwrap();
    c.visible("input#label").await;
    c.idle().await;
    let save = ".AknTitleContainer-actionsContainer .AknButton--apply";
    assert!(
        !c.visible(save).await.is_enabled().await.unwrap(),
        "clean form"
    );
    type_into(c, "input#label", " v2").await;
    assert!(
        c.visible(save).await.is_enabled().await.unwrap(),
        "dirty form"
    );
    c.visible(".AknTitleContainer-state .AknState").await;
    click(c, save).await;
    let flash = if v == PimVersion::V4 {
        "[...document.querySelectorAll('.flash-messages-holder .AknFlash')].some(m => m.textContent.includes('Connection successfully updated.'))"
    } else {
        "[...document.querySelectorAll('#flash-messages [role=status]')].some(m => m.textContent.includes('Connection successfully updated.'))"
    };
    c.until("updated flash", flash).await;
    assert_eq!(
        sim.state()["connections"][0]["label"],
        json!("Label existing v2")
    );
    assert!(
        !c.visible(save).await.is_enabled().await.unwrap(),
        "clean again"
    );

    // Cold load (the reload above): wrong-credentials (5.0+) and the connection, then roles and
    // groups once it is known (§5.1). Same-tick requests may share a start time: compare sets.
    let wrong = "/rest/connections/wrong-credentials-combination";
    let calls = rest_calls(c).await;
    let first: usize = if v >= PimVersion::V5 { 2 } else { 1 };
    let mut head: Vec<String> = calls[..first].to_vec();
    let mut tail: Vec<String> = calls[first..first + 2].to_vec();
    head.sort();
    tail.sort();
    let mut want_head = vec!["/rest/connections/existing".to_string()];
    if v >= PimVersion::V5 {
        want_head.push(wrong.to_string());
    }
    assert_eq!(head, want_head, "cold edit: {calls:?}");
    assert_eq!(
        tail,
        ["/rest/user_group/", "/rest/user_role/"],
        "cold edit: {calls:?}"
    );
    // From the list: roles and groups start first (initiation order, recorded by wrapping fetch).
    c.client
        .execute(&format!("location.hash = '{}'", base(v)), vec![])
        .await
        .unwrap();
    c.visible("[data-testid=data_source]").await;
    c.idle().await;
    c.js("window.__started = []; const f = window.fetch; window.fetch = function (u) { window.__started.push(String(u)); return f.apply(this, arguments); };")
        .await;
    click(c, "[data-testid=data_source] [title='Label existing v2']").await;
    c.visible("input#label").await;
    c.idle().await;
    let warm = if v >= PimVersion::V5 {
        json!([
            "/rest/user_role/",
            "/rest/user_group/",
            wrong,
            "/rest/connections/existing"
        ])
    } else {
        json!([
            "/rest/user_role/",
            "/rest/user_group/",
            "/rest/connections/existing"
        ])
    };
    assert_eq!(
        c.js("return window.__started").await,
        warm,
        "edit from the list"
    );
}

/// The connection screens' XHR paths since the page loaded, by start time.
async fn rest_calls(c: &Chrome) -> Vec<String> {
    let all = c
        .js("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.startsWith('/rest/connections') || p.startsWith('/rest/user_'))")
        .await;
    all.as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_string())
        .collect()
}

/// 50 connections: Create disabled (7.x: from `max-limit-reached`, with its title).
async fn check_limit(c: &Chrome, sim: &SimHandle, v: PimVersion) {
    for i in 1..50 {
        seed(sim, &format!("conn_{i:02}"), "data_destination").await;
    }
    assert_eq!(sim.state()["connections"].as_array().unwrap().len(), 50);
    c.client
        .goto(&format!("{}/{}", sim.url(), base(v)))
        .await
        .unwrap();
    c.visible("[data-testid=data_destination]").await;
    c.idle().await;
    let create = c
        .js("const b = document.querySelector('.AknTitleContainer-actionsContainer .AknButton--apply');\
             return {disabled: b.disabled, cls: b.classList.contains('AknButton--disabled'), title: b.getAttribute('title')}")
        .await;
    assert_eq!(create["disabled"], json!(true));
    assert_eq!(create["cls"], json!(true));
    if v >= PimVersion::V7 {
        assert_eq!(
            create["title"],
            json!("You reached the limit of 50 connections and connected Apps.")
        );
    } else {
        assert_eq!(create["title"], Value::Null);
    }
}

/// System > Roles (§7): the 3.x Twig screens, reached through the System landing page and its
/// IconCards (6.x+) or the System column (4.x/5.x); the role pages keep `.AknTitleContainer`.
async fn check_roles(c: &Chrome, v: PimVersion) {
    if v >= PimVersion::V6 {
        click(c, "#pim-menu-system").await;
        c.until("landing", "location.hash === '#/system'").await;
        assert_eq!(
            c.js("return document.querySelector('[data-testid=pim-sub-menu]')")
                .await,
            Value::Null,
            "the landing page hides the sub-menu"
        );
        click(c, "div#pim-system-user-role").await;
        c.until("roles", "location.hash === '#/user/role/'").await;
        c.visible("[data-testid=pim-sub-menu] a#pim-menu-system-user-role[role=menuitem]")
            .await;
    } else {
        click(c, "a.AknHeader-menuItem[href='#/system/']").await;
        click(c, "a.AknColumn-navigationLink[href='#/user/role/']").await;
        c.until("roles", "location.hash === '#/user/role/'").await;
    }
    c.idle().await;
    c.visible("header.AknTitleContainer").await;
    assert!(c
        .js("return document.body.textContent")
        .await
        .as_str()
        .unwrap()
        .contains("Administrator"));
}

async fn walk(v: PimVersion) {
    let _one = BROWSER.lock().await;
    let sim = start(v).await;
    seed(&sim, "existing", "data_source").await;
    let c = Chrome::start().await;
    check_login(&c, &sim, v).await;
    check_menu(&c, v).await;
    check_list(&c, v).await;
    check_create(&c, v).await;
    check_edit(&c, &sim, v).await;
    check_limit(&c, &sim, v).await;
    check_roles(&c, v).await;
    c.close().await;
    tokio::time::timeout(Duration::from_secs(10), sim.stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dom_4x() {
    walk(PimVersion::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dom_5x() {
    walk(PimVersion::V5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dom_6x() {
    walk(PimVersion::V6).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dom_7x() {
    walk(PimVersion::V7).await;
}

/// styled-components classes are hashed anew at every start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_classes_differ_between_two_starts() {
    let _one = BROWSER.lock().await;
    let c = Chrome::start().await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let sim = start(PimVersion::V7).await;
        login(&c, &sim, "[data-testid=pim-main-menu-item]").await;
        let classes = c
            .js("return [document.querySelector('#pim-menu-connect').className, document.querySelector('nav[aria-label=\"Main navigation\"]').className]")
            .await;
        assert!(classes[0].as_str().unwrap().starts_with("sc-"), "{classes}");
        seen.push(classes);
        c.client
            .goto(&format!("{}/user/logout", sim.url()))
            .await
            .unwrap();
        sim.stop().await;
    }
    assert_ne!(seen[0][0], seen[1][0]);
    assert_ne!(seen[0][1], seen[1][1]);
    c.close().await;
}
