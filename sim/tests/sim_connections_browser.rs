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
         const v = l && l.nextElementSibling; return v ? (v.querySelector('span') || v).textContent : null;",
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

/// Chooses `text` in a single select: Select2 (4.x/5.x, found by its field label) or the
/// design-system SelectInput (6.x+, `input#<id>` opening the `#input-overlay-root` portal).
async fn choose(c: &Chrome, v: PimVersion, id: &str, label: &str, search: &str, text: &str) {
    if v >= PimVersion::V6 {
        // The overlay opens under the input, even below the viewport (fact sheet §6.2).
        c.idle().await;
        c.js(&format!(
            "document.querySelector('input#{id}').scrollIntoView({{block: 'center'}})"
        ))
        .await;
        click(c, &format!("input#{id}")).await;
        c.until(
            "overlay faded in",
            "[...document.querySelectorAll('#input-overlay-root [data-testid=backdrop] + div')].some(o => getComputedStyle(o).opacity === '1')",
        )
        .await;
        let options = c
            .client
            .find_all(Locator::Css(
                "#input-overlay-root div[data-testid]:not([data-testid=backdrop])",
            ))
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
        let dump = c
            .js("return document.querySelector('#input-overlay-root').outerHTML")
            .await;
        assert!(done, "option {text} in #{id}: {dump}");
        c.until(
            "label shown beside the input",
            &format!(
                "document.querySelector('input#{id}').parentNode.previousElementSibling.textContent === {}",
                json!(text)
            ),
        )
        .await;
    } else {
        // Select2 3.4.1: mousedown on the choice opens `#select2-drop` in body; mouseup on a
        // result selects (a WebDriver click sends both).
        let choice = format!(
            "//div[contains(@class,'AknFieldContainer')][.//label[starts-with(normalize-space(),'{label}')]]//a[contains(@class,'select2-choice')]"
        );
        // In the middle of the viewport: the legacy flash at the top may cover it.
        c.idle().await;
        c.js(&format!(
            "document.evaluate({}, document, null, 9, null).singleNodeValue.scrollIntoView({{block: 'center'}})",
            json!(choice)
        ))
        .await;
        c.client
            .find(Locator::XPath(&choice))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.visible("#select2-drop").await;
        if !search.is_empty() {
            type_into(c, "#select2-drop input.select2-input", search).await;
        }
        let mut results = Vec::new();
        for r in c
            .client
            .find_all(Locator::Css("#select2-drop .select2-result-label"))
            .await
            .unwrap()
        {
            if r.text().await.unwrap().trim() == text {
                results.push(r);
            }
        }
        assert_eq!(results.len(), 1, "option {text}");
        results[0].click().await.unwrap();
        let chosen = c
            .js(&format!(
                "return document.evaluate({}, document, null, 9, null).singleNodeValue.querySelector('.select2-chosen').textContent",
                json!(choice)
            ))
            .await;
        assert_eq!(chosen, json!(text));
    }
}

/// Waits until the credentials grid shows a non-empty Client ID.
async fn credentials_shown(c: &Chrome) {
    c.until(
        "credentials",
        "(() => { const l = [...document.querySelectorAll('div')].find(d => d.children.length === 0 && d.textContent.trim() === 'Client ID');\
          return l && l.nextElementSibling.textContent.trim() !== ''; })()",
    )
    .await;
}

async fn walk(v: PimVersion) {
    let _one = BROWSER.lock().await;
    let sim = sim::start(SimConfig {
        pim_version: v,
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
    type_into(&c, "input[name=_username]", "admin").await;
    type_into(&c, "input[name=_password]", "admin").await;
    click(&c, "#_submit").await;
    c.visible(".AknHeader").await;
    c.idle().await;

    // Reach the page through the menu.
    if v >= PimVersion::V6 {
        click(&c, "#pim-menu-connect").await;
        click(&c, "#pim-menu-connect-connection-settings").await;
    } else {
        click(&c, "a.AknHeader-menuItem[href='#/system/']").await;
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
    click(&c, ".AknTitleContainer-actionsContainer .AknButton--apply").await;
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
    choose(&c, v, "flow_type", "Flow type", "", "Data destination").await;
    click(&c, save).await;
    c.until(
        "edit route",
        &format!("location.hash === '{base}/{CODE}/edit'"),
    )
    .await;
    c.idle().await;
    credentials_shown(&c).await;
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

    // 4.0+: the fixture role "User" has every ACL: the fresh credentials work at once.
    let (s, t) = token(&sim, &client_id, &secret, &username, &password).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let access = t["access_token"].as_str().unwrap().to_string();
    let (s, body) = api_get(&sim, "/api/rest/v1/products", &access).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Permissions: role Administrator, header Save.
    choose(&c, v, "user_role", "Role", "Admin", "Administrator").await;
    click(&c, ".AknTitleContainer-actionsContainer .AknButton--apply").await;
    c.until(
        "update flash",
        "[...document.querySelectorAll('.AknFlash-messageContent, #flash-messages [role=status]')].some(m => m.textContent.includes('Connection successfully updated.'))",
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
    credentials_shown(&c).await;
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
    credentials_shown(&c).await;
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
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let c = Chrome::start().await;
        c.client.goto(&format!("{}/", sim.url())).await.unwrap();
        type_into(&c, "input[name=_username]", "admin").await;
        type_into(&c, "input[name=_password]", "admin").await;
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
        credentials_shown(&c).await;
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
