//! The API tutorial, walked by hand-written WebDriver steps in real headless Chromium against the
//! simulator (30 pre-existing users, 150 ms XHR latency): log in, create the user in the 3.x
//! modal, create the role, grant Overall Web API access, tick the user on page 2 of the Users
//! tab, save, create the API connection, scrape its credentials, then get a token and call
//! `/api/rest/v1/products`. Without the grant the call is refused with 403.

mod support;

use std::time::{Duration, Instant};

use fantoccini::Locator;
use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::{json, Value};
use support::browser::{click, login, text, type_into};
use support::http::call_products;
use support::Chrome;

const USER: &str = "api_user";
const PASSWORD: &str = "Api-user-pw1";
const ROLE: &str = "My API user role";
const CONNECTION: &str = "My very first API connection";

async fn goto(c: &Chrome, sim: &SimHandle, hash: &str) {
    c.client
        .goto(&format!("{}/{hash}", sim.url()))
        .await
        .unwrap();
    c.idle().await;
}

/// Waits for a datagrid row of `#grid` whose cells contain `needle`, across no pages.
async fn row_with(c: &Chrome, grid: &str, needle: &str) -> bool {
    let script = format!(
        "return [...document.querySelectorAll('{grid} tbody tr')].some(tr => [...tr.cells].some(td => td.textContent.trim() === {}));",
        json!(needle)
    );
    c.js(&script).await == Value::Bool(true)
}

/// The whole tutorial through the UI; returns the scraped (client id, secret).
async fn tutorial(c: &Chrome, sim: &SimHandle, grant: bool) -> (String, String) {
    // Step 1: log in. An unauthenticated `/` shows the login form in place.
    login(c, sim, ".AknWidget").await;

    // Step 2: create the API user in the 3.x modal.
    goto(c, sim, "#/user/").await;
    assert_eq!(text(c, "#create-button-extension").await, "Create user");
    click(c, "#create-button-extension").await;
    c.visible(".modal .modal-body input[name=username]").await;
    for (name, value) in [
        ("username", USER),
        ("password", PASSWORD),
        ("password_repeat", PASSWORD),
        ("first_name", "Api"),
        ("last_name", "User"),
        ("email", "api_user@example.com"),
    ] {
        type_into(c, &format!(".modal input[name={name}]"), value).await;
    }
    click(c, ".modal .AknButton--apply.ok").await;
    c.until(
        "user edit page",
        "/^#\\/user\\/\\d+\\/edit$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    assert_eq!(text(c, ".AknTitleContainer-title").await, "Api User");
    assert!(
        c.js("return document.querySelector('.modal') === null")
            .await
            == Value::Bool(true)
    );
    assert!(
        text(c, "#flash-messages .AknFlash-messageContent")
            .await
            .contains("User successfully created."),
        "creation flash"
    );
    let user_id: u64 = c
        .js("return location.hash.split('/')[2]")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // Step 3: create the role.
    goto(c, sim, "#/user/role/create").await;
    type_into(c, "#pim_user_role_form_label", ROLE).await;
    if grant {
        click(c, r##"a[href="#pim_user-roles-tab-api"]"##).await;
        // The group pane stays hidden until its vertical tab is clicked.
        let toggle_css =
            "#tabs-pim_api-acl_group-overall_access .acl-permission .acl-permission-toggle";
        let hidden = c.client.find(Locator::Css(toggle_css)).await.unwrap();
        assert!(
            !hidden.is_displayed().await.unwrap(),
            "ACL pane must be hidden before its tab is clicked"
        );
        click(
            c,
            r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknAcl > span"##,
        )
        .await;
        // Locate the resource by its text, as a driver on the real PIM would.
        let rows = c
            .client
            .find_all(Locator::Css(".acl-permission"))
            .await
            .unwrap();
        let mut toggled = false;
        for row in rows {
            if row.text().await.unwrap().trim() == "Web API permissions" {
                let toggle = row
                    .find(Locator::Css(".acl-permission-toggle"))
                    .await
                    .unwrap();
                assert!(toggle
                    .attr("class")
                    .await
                    .unwrap()
                    .unwrap()
                    .contains("non-granted"));
                toggle.click().await.unwrap();
                let class = toggle.attr("class").await.unwrap().unwrap();
                assert!(class.contains(" granted"), "toggle now granted: {class}");
                let checkbox = row
                    .find(Locator::Css("input[type=checkbox]"))
                    .await
                    .unwrap();
                assert!(checkbox.is_selected().await.unwrap());
                toggled = true;
            }
        }
        assert!(toggled, "resource row 'Web API permissions' found");
    }
    click(c, r##"a[href="#pim_user-roles-tab-users"]"##).await;
    c.visible("#grid-pim-role-user-grid table.grid tbody tr")
        .await;
    assert!(
        !row_with(c, "#grid-pim-role-user-grid", USER).await,
        "the new user is past row 25"
    );
    click(
        c,
        r#"#grid-pim-role-user-grid .AknGridToolbar-center a[title="No. 2"]"#,
    )
    .await;
    c.idle().await;
    assert!(
        row_with(c, "#grid-pim-role-user-grid", USER).await,
        "the new user is on page 2"
    );
    let checkbox_css = format!(
        "#grid-pim-role-user-grid tr[data-id=\"{user_id}\"] td.boolean-cell input[type=checkbox]"
    );
    click(c, &checkbox_css).await;
    assert!(c.visible(&checkbox_css).await.is_selected().await.unwrap());
    let append = c
        .js("return document.querySelector('#roleAppendUsers').value")
        .await;
    assert_eq!(append, json!(user_id.to_string()));
    // The pending tick survives a round trip through page 1.
    click(
        c,
        r#"#grid-pim-role-user-grid .AknGridToolbar-center a[title="No. 1"]"#,
    )
    .await;
    c.idle().await;
    click(
        c,
        r#"#grid-pim-role-user-grid .AknGridToolbar-center a[title="No. 2"]"#,
    )
    .await;
    c.idle().await;
    assert!(
        c.visible(&checkbox_css).await.is_selected().await.unwrap(),
        "tick kept across pages"
    );

    click(
        c,
        "#pim_user_role_form button[type=submit].AknButton--apply",
    )
    .await;
    c.until(
        "role update page",
        "/^#\\/user\\/role\\/update\\/\\d+$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    c.until(
        "role title",
        &format!(
            "(document.querySelector('.AknTitleContainer-title')||{{}}).textContent === {}",
            json!(format!("Edit - {ROLE}"))
        ),
    )
    .await;
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == ROLE)
        .expect("role saved")
        .clone();
    assert_eq!(role["users"], json!([USER]));
    assert_eq!(
        role["acls"]
            .as_array()
            .unwrap()
            .contains(&json!("pim_api_overall_access")),
        grant,
        "grant as clicked"
    );

    // Step 4: the API connection.
    goto(c, sim, "#/client").await;
    c.until(
        "empty title",
        "document.querySelector('.AknTitleContainer-title').textContent === '0 API connection'",
    )
    .await;
    assert_eq!(
        text(c, ".AknGridContainer-noDataTitle").await,
        "No api connection found"
    );
    click(c, "#create-button-extension").await;
    type_into(c, "#creation_label", CONNECTION).await;
    // No Tab: the real click on Save blurs the input, which fires `change`.
    click(c, ".modal .AknButton--apply.ok").await;
    c.until("modal closed", "document.querySelector('.modal') === null")
        .await;
    c.idle().await;
    c.until(
        "title",
        "document.querySelector('.AknTitleContainer-title').textContent === '1 API connection'",
    )
    .await;
    assert!(row_with(c, "#grid-api-connection-grid", CONNECTION).await);
    // Rendered text: one line per credential.
    let cell = c
        .visible("#grid-api-connection-grid td.AknGrid-bodyCell--credentials")
        .await
        .text()
        .await
        .unwrap();
    let mut client_id = String::new();
    let mut secret = String::new();
    for line in cell.lines() {
        if let Some(v) = line.trim().strip_prefix("Client ID:") {
            client_id = v.trim().to_string();
        }
        if let Some(v) = line.trim().strip_prefix("Secret:") {
            secret = v.trim().to_string();
        }
    }
    let state = sim.state();
    assert_eq!(
        state["api_clients"][0]["client_id"],
        client_id.as_str(),
        "scraped client id"
    );
    assert_eq!(
        state["api_clients"][0]["secret"],
        secret.as_str(),
        "scraped secret"
    );
    assert_eq!(state["counters"]["client_create"], 1);
    assert_eq!(state["counters"]["user_create"], 1);
    assert_eq!(state["counters"]["role_create"], 1);
    (client_id, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tutorial_in_chromium_gives_working_credentials() {
    let started = Instant::now();
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let chrome = Chrome::start().await;
    let (client_id, secret) = tutorial(&chrome, &sim, true).await;

    // An update of the role reloads the whole page, then shows the pending "Role saved" flash.
    let role_id = sim.state()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == ROLE)
        .unwrap()["id"]
        .clone();
    goto(&chrome, &sim, "#/user/role/").await;
    click(
        &chrome,
        &format!("#grid-pim-role-grid tr[data-id=\"{role_id}\"] td"),
    )
    .await;
    chrome
        .until(
            "role form",
            "!!document.querySelector('#pim_user_role_form_label')",
        )
        .await;
    chrome.js("window.__marker = 1; return true").await;
    click(
        &chrome,
        "#pim_user_role_form button[type=submit].AknButton--apply",
    )
    .await;
    chrome
        .until(
            "full reload",
            "window.__marker === undefined && document.readyState === 'complete'",
        )
        .await;
    chrome.idle().await;
    assert!(text(&chrome, "#flash-messages .AknFlash-messageContent")
        .await
        .contains("Role saved"));

    let (status, body) = call_products(&sim, &client_id, &secret, USER, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    chrome.close().await;
    sim.stop().await;
    assert!(started.elapsed() < Duration::from_secs(120));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tutorial_without_the_grant_is_refused_then_the_connection_is_revoked() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let chrome = Chrome::start().await;
    let (client_id, secret) = tutorial(&chrome, &sim, false).await;
    let (status, body) = call_products(&sim, &client_id, &secret, USER, PASSWORD).await;
    assert_eq!(status, 403);
    assert_eq!(
        body,
        json!({"code": 403, "message": "You are not allowed to access the web API."})
    );

    // Revoke through the row action and its confirmation.
    click(
        &chrome,
        r#"#grid-api-connection-grid a.AknButton--important[title="Revoke"]"#,
    )
    .await;
    assert!(text(&chrome, ".modal")
        .await
        .contains("Are you sure you want to revoke this API connection?"));
    click(&chrome, ".modal .ok").await;
    chrome
        .until(
            "title",
            "document.querySelector('.AknTitleContainer-title').textContent === '0 API connection'",
        )
        .await;
    assert!(sim.state()["api_clients"].as_array().unwrap().is_empty());
    assert_eq!(sim.state()["counters"]["client_revoke"], 1);
    chrome.close().await;
    sim.stop().await;
}
