//! The 4.x and 6.x Connections screens in real headless Chromium against the simulator (150 ms
//! XHR latency): log in, open the connections page from the menu, create a connection in the
//! modal (Select2 flow type in 4.x, design-system SelectInput in 6.x), read the credentials
//! shown, set the connection's role to one with Overall Web API access, get a token with the
//! scraped credentials and call the API; after a reload the password is hidden; regenerating it
//! shows a new one that works while the old one is refused (422).

mod support;

use std::time::Duration;

use fantoccini::Locator;
use pim_sim::{self as sim, PimVersion, SimConfig};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::browser::{click, type_into};
use support::http::{api_get, token};
use support::Chrome;

/// One browser at a time: the machine has two cores.
static BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const LABEL: &str = "My ERP";
const CODE: &str = "myerp";

/// The `<span>` text of the value div that follows the label div whose text is `label`.
async fn credential(c: &Chrome, label: &str) -> String {
    let script = format!(
        "const l = [...document.querySelectorAll('div')].find(d => d.children.length === 0 && d.textContent.trim() === {});\
         return l && l.nextElementSibling && l.nextElementSibling.querySelector('span') ? l.nextElementSibling.querySelector('span').textContent : null;",
        json!(label)
    );
    let v = c.js(&script).await;
    v.as_str()
        .unwrap_or_else(|| panic!("no credential {label}: {v}"))
        .to_string()
}

/// Clicks the button titled `title` in the actions div of the credential row `label`.
async fn click_row_button(c: &Chrome, label: &str, title: &str) {
    c.idle().await;
    let script = format!(
        "const l = [...document.querySelectorAll('div')].find(d => d.children.length === 0 && d.textContent.trim() === {});\
         const b = l && l.nextElementSibling.nextElementSibling.querySelector('button[title={}]');\
         if (b) {{ b.click(); }} return !!b;",
        json!(label),
        json!(title)
    );
    assert_eq!(
        c.js(&script).await,
        Value::Bool(true),
        "button {title} on {label}"
    );
}

/// Chooses `text` in a single select: Select2 (4.x/5.x) or the design-system SelectInput.
async fn choose(c: &Chrome, v: PimVersion, id: &str, search: &str, text: &str) {
    if v >= PimVersion::V6 {
        click(c, &format!("input#{id}")).await;
        let options = c
            .client
            .find_all(Locator::Css(".AknSelectInput-overlay div[data-testid]"))
            .await
            .unwrap();
        let mut done = false;
        for o in options {
            if o.text().await.unwrap().trim() == text {
                o.click().await.unwrap();
                done = true;
                break;
            }
        }
        assert!(done, "option {text} in #{id}");
    } else {
        // Akeneo's Behat: type into the Select2 search, then mouseup on the result label.
        click(c, &format!("#s2id_{id} .select2-choice")).await;
        type_into(
            c,
            &format!("#s2id_{id} .select2-drop-active input.select2-input"),
            search,
        )
        .await;
        let results = c
            .client
            .find_all(Locator::Css(&format!("#s2id_{id} .select2-result-label")))
            .await
            .unwrap();
        assert_eq!(results.len(), 1, "the search filters the options");
        assert_eq!(results[0].text().await.unwrap().trim(), text);
        results[0].click().await.unwrap();
        let hidden = c
            .js(&format!(
                "return document.querySelector('input[type=hidden]#{id}').value"
            ))
            .await;
        assert!(
            hidden.as_str().is_some_and(|s| !s.is_empty()),
            "hidden input set"
        );
    }
}

async fn walk(v: PimVersion) {
    let _one = BROWSER.lock().await;
    let sim = sim::start(SimConfig {
        pim_version: v,
        users: 3,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = Chrome::start().await;
    let base = if v >= PimVersion::V6 {
        "#/connect/connection-settings"
    } else {
        "#/connections"
    };

    // Log in.
    c.client.goto(&format!("{}/", sim.url())).await.unwrap();
    type_into(&c, "#prependedInput", "admin").await;
    type_into(&c, "#prependedInput2", "admin").await;
    click(&c, "#_submit").await;
    c.visible(".AknHeader").await;
    c.idle().await;

    // Reach the page through the menu.
    if v >= PimVersion::V6 {
        click(&c, r#"[data-tab="pim-menu-connect"] a"#).await;
    } else {
        click(&c, r#"[data-tab="pim-menu-system"] a"#).await;
        click(&c, r#"a[data-code="pim-menu-system-connection-settings"]"#).await;
    }
    c.until("list route", &format!("location.hash === {}", json!(base)))
        .await;
    c.idle().await;
    let title = if v >= PimVersion::V6 {
        "Connection settings"
    } else {
        "Connections"
    };
    assert_eq!(
        c.js("return document.querySelector('.AknTitleContainer-title').textContent")
            .await,
        json!(title)
    );
    assert!(c
        .js("return document.body.textContent")
        .await
        .as_str()
        .unwrap()
        .contains("No connection declared yet."));
    // The 3.x API connections page is gone from the menu.
    assert_eq!(
        c.js("return !!document.querySelector('a[href=\"#/client\"]')")
            .await,
        json!(false)
    );

    // Create.
    click(&c, ".AknTitleContainer .AknButton--apply").await;
    c.visible(r#".AknFullPage form[data-testid="create-connection"]"#)
        .await;
    c.until(
        "create route",
        &format!("location.hash === '{base}/create'"),
    )
    .await;
    let save = r#"form[data-testid="create-connection"] .AknButton--apply"#;
    assert!(!c.visible(save).await.is_enabled().await.unwrap());
    type_into(&c, "input[name=label]", LABEL).await;
    let code = c.visible("input[name=code]").await;
    assert_eq!(code.prop("value").await.unwrap().as_deref(), Some(CODE));
    choose(&c, v, "flow_type", "destination", "Data destination").await;
    click(&c, save).await;
    c.until(
        "edit route",
        &format!("location.hash === '{base}/{CODE}/edit'"),
    )
    .await;
    c.idle().await;
    c.visible(".AknCredentialList").await;
    let client_id = credential(&c, "Client ID").await;
    let secret = credential(&c, "Secret").await;
    let username = credential(&c, "Username").await;
    let password = credential(&c, "Password").await;
    assert!(
        username.starts_with("myerp_") && username.len() == 10,
        "{username}"
    );
    assert_eq!(password.chars().count(), 9, "{password}");
    let state = sim.state();
    assert_eq!(state["connections"][0]["client_id"], json!(client_id));
    assert_eq!(
        state["connections"][0]["flow_type"],
        json!("data_destination")
    );

    // Role "User" lacks Overall Web API access: token yes, API no.
    let (s, t) = token(&sim, &client_id, &secret, &username, &password).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let (s, body) = api_get(&sim, "/api/rest/v1/products", &access).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        body["message"],
        "You are not allowed to access the web API."
    );

    // Permissions: role Administrator, header Save.
    choose(&c, v, "user_role", "Admin", "Administrator").await;
    click(&c, ".AknTitleContainer .AknButton--apply").await;
    c.until(
        "update flash",
        "[...document.querySelectorAll('.AknFlash-messageContent')].some(m => m.textContent === 'Connection successfully updated.')",
    )
    .await;
    assert_eq!(
        sim.state()["connections"][0]["role"],
        json!("Administrator")
    );
    let (s, t) = token(&sim, &client_id, &secret, &username, &password).await;
    assert_eq!(s, StatusCode::OK);
    let access = t["access_token"].as_str().unwrap().to_string();
    let (s, body) = api_get(&sim, "/api/rest/v1/products?limit=1", &access).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    if v >= PimVersion::V6 {
        let (s, body) = api_get(&sim, "/api/rest/v1/system-information", &access).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["edition"], "CE");
    }

    // The list shows the card in its flow-type section.
    c.client
        .goto(&format!("{}/{base}", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    click(
        &c,
        &format!(r#"[data-testid="data_destination"] [title="{LABEL}"]"#),
    )
    .await;
    c.until(
        "edit route again",
        &format!("location.hash === '{base}/{CODE}/edit'"),
    )
    .await;

    // After a reload the password is hidden, with Regenerate.
    c.client.refresh().await.unwrap();
    c.idle().await;
    c.visible(".AknCredentialList").await;
    assert_eq!(credential(&c, "Password").await, "••••••••");
    assert_eq!(
        credential(&c, "Secret").await,
        secret,
        "secret always shown"
    );
    click_row_button(&c, "Password", "Regenerate").await;
    c.until(
        "regenerate route",
        &format!("location.hash === '{base}/{CODE}/regenerate-password'"),
    )
    .await;
    c.visible(".AknFullPage .AknButton--important").await;
    assert_eq!(
        c.js("return document.querySelector('.AknFullPage-title').textContent")
            .await,
        json!("Confirm regeneration")
    );
    click(&c, ".AknFullPage .AknButton--important").await;
    c.until(
        "back on edit",
        &format!("location.hash === '{base}/{CODE}/edit'"),
    )
    .await;
    c.idle().await;
    c.visible(".AknCredentialList").await;
    let fresh = credential(&c, "Password").await;
    assert_eq!(fresh.chars().count(), 9);
    assert_ne!(fresh, password);
    let (s, _) = token(&sim, &client_id, &secret, &username, &fresh).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = token(&sim, &client_id, &secret, &username, &password).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "No user found for the given username and password"
    );

    if v >= PimVersion::V6 {
        // `#/connections` does not exist there.
        c.client
            .goto(&format!("{}/#/connections", sim.url()))
            .await
            .unwrap();
        c.idle().await;
        assert_eq!(c.js("return document.title").await, json!("Page not found"));
    }

    c.close().await;
    tokio::time::timeout(Duration::from_secs(10), sim.stop())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_4x_create_set_role_call_api_and_regenerate_password() {
    walk(PimVersion::V4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_settings_6x_create_set_role_call_api_and_regenerate_password() {
    walk(PimVersion::V6).await;
}

async fn shot(c: &Chrome, dir: &str, name: String) {
    c.idle().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let png = c.client.screenshot().await.unwrap();
    std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
}

/// Screenshots of the 4.x and 6.x screens into `$SHOT_DIR` (default /tmp), for eyeballing the
/// look: `cargo test --test sim_connections_browser -- --ignored`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn screenshots() {
    let _one = BROWSER.lock().await;
    let dir = std::env::var("SHOT_DIR").unwrap_or_else(|_| "/tmp".into());
    for v in [PimVersion::V4, PimVersion::V6] {
        let sim = sim::start(SimConfig {
            pim_version: v,
            users: 3,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let c = Chrome::start().await;
        c.client.goto(&format!("{}/", sim.url())).await.unwrap();
        type_into(&c, "#prependedInput", "admin").await;
        type_into(&c, "#prependedInput2", "admin").await;
        click(&c, "#_submit").await;
        c.visible(".AknHeader").await;
        let base = if v >= PimVersion::V6 {
            "#/connect/connection-settings"
        } else {
            "#/connections"
        };
        c.client
            .goto(&format!("{}/{base}/create", sim.url()))
            .await
            .unwrap();
        c.idle().await;
        type_into(&c, "input[name=label]", LABEL).await;
        shot(&c, &dir, format!("connections-v{}-create", v.arg())).await;
        click(
            &c,
            r#"form[data-testid="create-connection"] .AknButton--apply"#,
        )
        .await;
        c.visible(".AknCredentialList").await;
        shot(&c, &dir, format!("connections-v{}-edit", v.arg())).await;
        c.client
            .goto(&format!("{}/{base}", sim.url()))
            .await
            .unwrap();
        shot(&c, &dir, format!("connections-v{}-list", v.arg())).await;
        c.close().await;
        sim.stop().await;
    }
}
