//! The API tutorial on the 1.7 and 2.x simulator flavours, walked in real headless Chromium
//! (30 pre-existing users, 150 ms latency): log in, create the user in the Twig user form
//! (Status Active through the select2 widget, a role in "Groups and Roles"), create the role
//! with Overall Web API access and the user ticked on page 2 of its Users tab, then get the
//! client (1.7: the console, through `console_main`; 2.x: the API connections modal), a token,
//! and call `/api/rest/v1/products`.

mod support;

use fantoccini::Locator;
use pim_sim::{self as sim, console, PimVersion, SimConfig, SimHandle};
use serde_json::json;
use support::browser::{click, login, text, type_into};
use support::http::call_products;
use support::Chrome;

const USER: &str = "api_user";
const PASSWORD: &str = "Api-user-pw1";
const ROLE: &str = "My API user role";

async fn click_xpath(c: &Chrome, xpath: &str) {
    c.idle().await;
    let el = c
        .client
        .wait()
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("find {xpath}: {e}"));
    el.click()
        .await
        .unwrap_or_else(|e| panic!("click {xpath}: {e}"));
}

/// Fills the Twig user form (same ids in 1.7 and 2.x) and submits it.
async fn fill_user_form(c: &Chrome, sim: &SimHandle, old: bool) {
    c.visible("#pim_user_user_form_username").await;
    for (field, value) in [
        ("username", USER),
        ("plainPassword_first", PASSWORD),
        ("plainPassword_second", PASSWORD),
        ("firstName", "Api"),
        ("lastName", "User"),
        ("email", "api_user@example.com"),
    ] {
        type_into(c, &format!("#pim_user_user_form_{field}"), value).await;
    }
    // The native Status select is off screen (select2): it cannot be clicked.
    let native = c
        .client
        .find(Locator::Css("#pim_user_user_form_enabled"))
        .await
        .unwrap();
    assert!(!native.is_displayed().await.unwrap_or(true) || native.click().await.is_err());
    if old {
        // 1.7 JSFV: Status still "Please select" blocks the submission on the client.
        click(
            c,
            "#pim_user_user_form button[type=submit].AknButton--apply",
        )
        .await;
        c.visible(r#"#pim_user_user_form .validation-tooltip[data-original-title="This value should not be blank."]"#)
            .await;
        assert_eq!(sim.state()["counters"]["user_create"], 0);
    }
    click(c, "#s2id_pim_user_user_form_enabled .select2-choice").await;
    click_xpath(
        c,
        "//div[@id='select2-drop']//div[contains(@class,'select2-result-label')][normalize-space()='Active']",
    )
    .await;
    assert_eq!(
        text(c, "#s2id_pim_user_user_form_enabled .select2-chosen").await,
        "Active"
    );
    assert_eq!(
        c.js("return document.querySelector('#pim_user_user_form_enabled').value")
            .await,
        json!("1")
    );
    click(c, r##"a[href="#pim_user-user-tab-group_and_role"]"##).await;
    click_xpath(
        c,
        "//div[@id='pim_user_user_form_rolesCollection']//label[normalize-space()='User']",
    )
    .await;
    click(
        c,
        "#pim_user_user_form button[type=submit].AknButton--apply",
    )
    .await;
}

/// Creates the role with the grant and the user ticked on page 2 of its Users tab.
async fn create_role(c: &Chrome, user_id: u64, old: bool) {
    c.visible("#oro_user_role_form_label").await;
    type_into(c, "#oro_user_role_form_label", ROLE).await;
    click(c, r##"a[href="#rights-api"]"##).await;
    let toggle_css =
        "#tabs-pim_api-acl_group-overall_access .acl-permission .acl-permission-toggle";
    let hidden = c.client.find(Locator::Css(toggle_css)).await.unwrap();
    assert!(!hidden.is_displayed().await.unwrap(), "pane hidden first");
    click(
        c,
        r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknAcl > span"##,
    )
    .await;
    let toggle = c.visible(toggle_css).await;
    assert!(toggle
        .attr("class")
        .await
        .unwrap()
        .unwrap()
        .contains("non-granted"));
    toggle.click().await.unwrap();
    let class = toggle.attr("class").await.unwrap().unwrap();
    assert!(class.contains(" granted"), "{class}");
    if old {
        assert!(class.contains("icon-ok"), "1.7 icon toggle: {class}");
        let group = text(
            c,
            r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknAcl > span"##,
        )
        .await;
        assert_eq!(group, "Overall Web API access");
    }
    click(c, r##"a[href="#users"]"##).await;
    c.visible("#grid-pim-role-user-grid table.grid tbody tr")
        .await;
    let row = format!("//div[@id='grid-pim-role-user-grid']//tr[td[normalize-space()='{USER}']]");
    let on_first = c.client.find_all(Locator::XPath(&row)).await.unwrap().len();
    assert_eq!(on_first, 0, "the new user is past row 25");
    if old {
        click(c, r#"#grid-pim-role-user-grid [data-action="next-page"]"#).await;
    } else {
        click(
            c,
            r#"#grid-pim-role-user-grid .AknGridToolbar-center a[title="No. 2"]"#,
        )
        .await;
    }
    c.idle().await;
    click_xpath(
        c,
        &format!("{row}//td[contains(@class,'boolean-cell')]/input"),
    )
    .await;
    assert_eq!(
        c.js("return document.querySelector('#roleAppendUsers').value")
            .await,
        json!(user_id.to_string())
    );
    click(
        c,
        "#oro_user_role_form button[type=submit].AknButton--apply",
    )
    .await;
}

fn created_user_id(sim: &SimHandle) -> u64 {
    let state = sim.state();
    let user = state["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == USER)
        .expect("user saved")
        .clone();
    assert_eq!(user["enabled"], true);
    assert_eq!(user["roles"], json!(["User"]));
    user["id"].as_u64().unwrap()
}

fn check_role(sim: &SimHandle) {
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == ROLE)
        .expect("role saved")
        .clone();
    assert_eq!(role["users"], json!([USER]));
    assert_eq!(role["acls"], json!(["pim_api_overall_access"]));
}

#[tokio::test]
async fn tutorial_on_1_7_with_the_console_client() {
    let sim = sim::start(SimConfig {
        pim_version: PimVersion::V1_7,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = Chrome::start().await;
    login(&c, &sim, ".AknDashboardButtons").await;

    // Users through the menu's hash navigation, then the creation page.
    c.client
        .goto(&format!("{}/user/create", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    fill_user_form(&c, &sim, true).await;
    c.until(
        "user update page",
        "/^#url=\\/user\\/update\\/\\d+$/.test(location.hash) && document.title.indexOf('Edit user - Api User') === 0",
    )
    .await;
    c.idle().await;
    assert!(text(&c, "#flash-messages .message")
        .await
        .contains("User saved"));
    let user_id = created_user_id(&sim);

    c.client
        .goto(&format!("{}/user/role", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    click(&c, ".AknTitleContainer .AknButton--apply").await;
    c.until(
        "role creation by hash",
        "location.hash === '#url=/user/role/create'",
    )
    .await;
    create_role(&c, user_id, true).await;
    c.until(
        "role update page",
        "/^#url=\\/user\\/role\\/update\\/\\d+$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    assert_eq!(
        text(&c, ".AknTitleContainer-title").await,
        format!("Edit role - {ROLE}")
    );
    check_role(&sim);

    // No API connections page in 1.7: the console registers the client.
    let argv: Vec<String> = [
        "pim:oauth-server:create-client",
        "--label=My very first API connection",
        "--grant_type=password",
        "--grant_type=refresh_token",
        "--env=prod",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(console::console_main(sim.url(), &argv).await, 0);
    let state = sim.state();
    let client = &state["api_clients"][0];
    let status = call_products(
        &sim,
        client["client_id"].as_str().unwrap(),
        client["secret"].as_str().unwrap(),
        USER,
        PASSWORD,
    )
    .await
    .0;
    assert_eq!(status, 200);
    c.close().await;
    sim.stop().await;
}

#[tokio::test]
async fn tutorial_on_2x_with_the_api_connections_modal() {
    let sim = sim::start(SimConfig {
        pim_version: PimVersion::V2,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = Chrome::start().await;
    login(&c, &sim, ".AknWidget").await;

    c.client
        .goto(&format!("{}/#/user/", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    assert_eq!(
        text(
            &c,
            r#".AknColumn-navigationLink[data-code="pim-menu-system-user-group"]"#
        )
        .await,
        "Groups"
    );
    click(&c, r#"[data-drop-zone="buttons"] .AknButton--apply"#).await;
    c.until("user creation", "location.hash === '#/user/create'")
        .await;
    fill_user_form(&c, &sim, false).await;
    c.until(
        "edit form injected",
        "(document.querySelector('.AknTitleContainer-title')||{}).textContent === 'Edit user - Api User'",
    )
    .await;
    assert_eq!(c.js("return location.hash").await, json!("#/user/create"));
    assert_eq!(
        c.js("return document.querySelectorAll('.validation-tooltip').length")
            .await,
        json!(0)
    );
    let user_id = created_user_id(&sim);

    c.client
        .goto(&format!("{}/#/user/role/create", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    create_role(&c, user_id, false).await;
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
            json!(format!("Edit role - {ROLE}"))
        ),
    )
    .await;
    check_role(&sim);

    // The API connection through the 2.x modal.
    c.client
        .goto(&format!("{}/#/client", sim.url()))
        .await
        .unwrap();
    c.idle().await;
    assert_eq!(
        text(&c, ".AknGridContainer-noDataTitle").await,
        "No records found"
    );
    click(&c, "#create-button-extension").await;
    c.visible(".modal.modal--fullPage #creation_label").await;
    assert_eq!(text(&c, ".modal .modal-header h3").await, "Create");
    type_into(&c, "#creation_label", "My very first API connection\t").await;
    click(&c, ".modal .modal-footer a.AknButton--apply.ok").await;
    c.until("modal closed", "document.querySelector('.modal') === null")
        .await;
    c.idle().await;
    let cell = text(&c, "td.AknGrid-bodyCell--credentials").await;
    let client_id = cell
        .split("Client ID:")
        .nth(1)
        .unwrap()
        .split("Secret:")
        .next()
        .unwrap()
        .trim()
        .to_string();
    let secret = cell.split("Secret:").nth(1).unwrap().trim().to_string();
    assert_eq!(
        call_products(&sim, &client_id, &secret, USER, PASSWORD)
            .await
            .0,
        200
    );
    c.close().await;
    sim.stop().await;
}
