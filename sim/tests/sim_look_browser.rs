//! The 3.x simulator looks like the product in the regions of the published tutorial images, in
//! real headless Chromium (30 users, 150 ms latency): Lato really loaded, green apply buttons,
//! square blue checkboxes, title-case tabs and grid headers, the header's user menu icons and the
//! illustrations of the API connections pages. The driver's hooks (ids, classes, texts) still
//! work: the role is created through them and checked in the simulator's state. 2.x shares the
//! look and keeps working.

mod support;

use pim_sim::{self, PimVersion, SimConfig, SimHandle};
use serde_json::{json, Value};
use support::browser::{click, login, type_into};
use support::Chrome;

const GREEN: &str = "rgb(103, 179, 115)";
const BLUE: &str = "rgb(89, 146, 199)";
const NAVY: &str = "rgb(17, 50, 77)";
const PURPLE: &str = "rgb(148, 82, 186)";

async fn goto(c: &Chrome, sim: &SimHandle, hash: &str) {
    c.client
        .goto(&format!("{}/{hash}", sim.url()))
        .await
        .unwrap();
    c.idle().await;
}

/// A computed style property of the first match of `css`.
async fn style(c: &Chrome, css: &str, prop: &str) -> String {
    c.visible(css).await;
    let v = c
        .js(&format!(
            "return getComputedStyle(document.querySelector({}))[{}];",
            json!(css),
            json!(prop)
        ))
        .await;
    v.as_str().unwrap_or_default().to_string()
}

/// Waits (bounded) until the computed `prop` of the first match of `css` is `want`: colours
/// fade in over a short CSS transition after a hover or a click.
async fn expect_style(c: &Chrome, css: &str, prop: &str, want: &str) {
    c.visible(css).await;
    c.until(
        &format!("{css} {prop} = {want}"),
        &format!(
            "getComputedStyle(document.querySelector({}))[{}] === {}",
            json!(css),
            json!(prop),
            json!(want)
        ),
    )
    .await;
}

/// Loads the Lato faces for `font` (a CSS font shorthand) through `document.fonts` and returns
/// `(faces found, all loaded, document.fonts.check)`.
async fn lato(c: &Chrome, font: &str) -> (usize, bool, bool) {
    let key = format!(
        "__lato_{}",
        font.replace(|ch: char| !ch.is_alphanumeric(), "_")
    );
    c.js(&format!(
        "document.fonts.load({f}).then(fs => window.{key} = fs.map(x => x.status + '|' + x.family), \
         e => window.{key} = ['error|' + e]); return true;",
        f = json!(font)
    ))
    .await;
    c.until("fonts loaded", &format!("window.{key}")).await;
    let faces = c.js(&format!("return window.{key};")).await;
    let faces: Vec<String> = serde_json::from_value(faces).unwrap();
    let loaded = !faces.is_empty()
        && faces
            .iter()
            .all(|f| f.starts_with("loaded|") && f.contains("Lato"));
    let check = c
        .js(&format!("return document.fonts.check({});", json!(font)))
        .await;
    (faces.len(), loaded, check == Value::Bool(true))
}

/// The header's user menu: avatar image loaded, megaphone and bell buttons, the bell's red dot.
async fn assert_user_menu(c: &Chrome) {
    let menu = ".user-menu[data-drop-zone=\"user-menu\"] .AknTitleContainer-userMenu";
    c.visible(&format!("{menu} img.AknTitleContainer-avatar"))
        .await;
    c.until(
        "avatar loaded",
        "(document.querySelector('.AknTitleContainer-avatar')||{}).naturalWidth > 0",
    )
    .await;
    let megaphone = style(
        c,
        &format!("{menu} .AknNotificationMenu-button--announcements"),
        "backgroundImage",
    )
    .await;
    assert!(megaphone.contains("megaphone.svg"), "{megaphone}");
    let bell = style(
        c,
        &format!("{menu} .AknNotificationMenu-button--notifications"),
        "backgroundImage",
    )
    .await;
    assert!(bell.contains("bell.svg"), "{bell}");
    expect_style(
        c,
        &format!("{menu} .AknNotificationMenu-count"),
        "backgroundColor",
        "rgb(212, 96, 79)",
    )
    .await;
}

/// `true` when an image URL of the page answers 200 with an SVG.
async fn svg_served(sim: &SimHandle, path: &str) -> bool {
    let r = reqwest::get(format!("{}{path}", sim.url())).await.unwrap();
    let ty = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    r.status().is_success() && ty.starts_with("image/svg+xml") && {
        let body = r.text().await.unwrap();
        body.starts_with("<svg") && body.len() > 400
    }
}

/// Roles index and role form: font, green button, user menu, title-case tabs, square checkboxes;
/// the role is saved through the usual hooks and checked in the state.
async fn roles_look(c: &Chrome, sim: &SimHandle) {
    goto(c, sim, "#/user/role/").await;
    c.visible("#grid-pim-role-grid table.grid").await;
    let family = style(c, ".AknTitleContainer-title", "fontFamily").await;
    assert!(family.contains("Lato"), "title font: {family}");
    for font in ["15px Lato", "bold 15px Lato", "italic 15px Lato"] {
        let (faces, loaded, check) = lato(c, font).await;
        assert!(
            faces > 0 && loaded && check,
            "{font}: {faces} faces, loaded {loaded}, check {check}"
        );
    }
    let create = "[data-drop-zone=\"buttons\"] .AknButton--apply";
    expect_style(c, create, "backgroundColor", GREEN).await;
    assert_eq!(style(c, create, "textTransform").await, "uppercase");
    assert_user_menu(c).await;
    // Grid headers: title case with a sort caret.
    assert_eq!(
        style(
            c,
            "#grid-pim-role-grid th.AknGrid-headerCell",
            "textTransform"
        )
        .await,
        "none"
    );

    click(c, create).await;
    c.visible("#pim_user_role_form").await;
    c.idle().await;
    type_into(c, "#pim_user_role_form_label", "My API user role").await;
    // Tabs: rendered in title case (innerText follows text-transform).
    let tab = r##"a[href="#pim_user-roles-tab-api"]"##;
    let shown = c
        .js(&format!(
            "return document.querySelector({}).innerText;",
            json!(tab)
        ))
        .await;
    assert_eq!(shown, json!("Web API permissions"));
    click(c, tab).await;
    expect_style(c, tab, "borderBottomColor", PURPLE).await;
    click(
        c,
        r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknAcl > span"##,
    )
    .await;
    let toggle = "#tabs-pim_api-acl_group-overall_access .acl-permission .acl-permission-toggle";
    assert_eq!(style(c, toggle, "borderRadius").await, "2px", "square");
    assert_eq!(
        style(c, toggle, "width").await,
        style(c, toggle, "height").await
    );
    expect_style(c, toggle, "backgroundColor", "rgb(249, 249, 251)").await;
    click(c, toggle).await;
    expect_style(c, toggle, "backgroundColor", BLUE).await;
    let group = r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknSelectButton"##;
    expect_style(c, group, "backgroundColor", BLUE).await;

    click(c, r##"a[href="#pim_user-roles-tab-users"]"##).await;
    let header = "#grid-pim-role-user-grid th.has_role-column .AknGrid-headerCellInner";
    let shown = c
        .js(&format!(
            "return document.querySelector({}).innerText;",
            json!(header)
        ))
        .await;
    assert_eq!(shown, json!("Has role"));
    let first = "#grid-pim-role-user-grid tbody tr:first-child";
    let username = c
        .js(&format!(
            "return document.querySelector({}).cells[1].textContent.trim();",
            json!(first)
        ))
        .await;
    let box_css = format!("{first} td.boolean-cell input[type=checkbox]");
    assert_eq!(style(c, &box_css, "appearance").await, "none");
    assert_eq!(style(c, &box_css, "borderRadius").await, "2px");
    click(c, &box_css).await;
    assert!(c.visible(&box_css).await.is_selected().await.unwrap());
    expect_style(c, &box_css, "backgroundColor", BLUE).await;

    let save = "#pim_user_role_form button[type=submit].AknButton--apply";
    expect_style(c, save, "backgroundColor", GREEN).await;
    click(c, save).await;
    c.until(
        "role update page",
        "/^#\\/user\\/role\\/update\\/\\d+$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "My API user role")
        .expect("role saved")
        .clone();
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .contains(&json!("pim_api_overall_access")));
    assert_eq!(role["users"], json!([username]));
}

/// API connections: empty state illustration and title, green Create, the popin's switch
/// illustration, purple divider, navy title, grey Cancel and green Save; then a creation.
async fn connections_look(c: &Chrome, sim: &SimHandle) {
    goto(c, sim, "#/client").await;
    c.visible(".AknGridContainer-noData").await;
    assert_user_menu(c).await;
    let image = style(c, ".AknGridContainer-noDataImage", "backgroundImage").await;
    assert!(image.contains("empty-api-connections.svg"), "{image}");
    assert!(svg_served(sim, "/bundles/pimui/common/empty-api-connections.svg").await);
    expect_style(c, ".AknGridContainer-noDataTitle", "color", NAVY).await;
    let placeholder = c
        .js("return document.querySelector('.AknFilterBox-search').placeholder;")
        .await;
    assert_eq!(placeholder, json!("Search on Label"));
    // The pointer may still rest where the role's Save was: move it off the buttons (:hover).
    click(c, ".AknTitleContainer-title").await;
    expect_style(c, "#create-button-extension", "backgroundColor", GREEN).await;

    click(c, "#create-button-extension").await;
    c.visible(".modal #creation_label").await;
    c.until(
        "popin illustration loaded",
        "(document.querySelector('.modal .AknFullPage-image')||{}).naturalWidth > 0",
    )
    .await;
    assert!(svg_served(sim, "/bundles/pimui/common/api.svg").await);
    let divider = ".modal .AknFullPage-content > div:last-child";
    expect_style(c, divider, "borderLeftColor", PURPLE).await;
    assert_eq!(style(c, divider, "borderLeftStyle").await, "solid");
    expect_style(c, ".modal .AknFullPage-title", "color", NAVY).await;
    expect_style(c, ".modal .AknFullPage-subTitle", "color", PURPLE).await;
    expect_style(
        c,
        ".modal .AknButton--grey.cancel",
        "backgroundColor",
        "rgb(161, 169, 183)",
    )
    .await;
    expect_style(c, ".modal .AknButton--apply.ok", "backgroundColor", GREEN).await;
    type_into(c, ".modal #creation_label", "My very first API connection").await;
    // The label reaches the model on `change` (blur): click the title first.
    click(c, ".modal .AknFullPage-title").await;
    click(c, ".modal .AknButton--apply.ok").await;
    c.visible("#grid-api-connection-grid td.AknGrid-bodyCell--credentials")
        .await;
    let label = style(
        c,
        "#grid-api-connection-grid td.AknGrid-bodyCell--highlight",
        "fontStyle",
    )
    .await;
    assert_eq!(label, "italic");
    let clients = sim.state()["api_clients"].as_array().unwrap().clone();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["label"], "My very first API connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_looks_like_the_product_and_keeps_its_hooks() {
    let sim = pim_sim::start(SimConfig::default()).await.unwrap();
    let chrome = Chrome::start().await;
    login(&chrome, &sim, ".AknWidget").await;
    roles_look(&chrome, &sim).await;
    connections_look(&chrome, &sim).await;
    chrome.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_shares_the_look() {
    let sim = pim_sim::start(SimConfig {
        pim_version: PimVersion::V2,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let c = Chrome::start().await;
    login(&c, &sim, ".AknWidget").await;
    goto(&c, &sim, "#/user/role/").await;
    c.visible("#grid-pim-role-grid table.grid").await;
    let create = "[data-drop-zone=\"buttons\"] .AknButton--apply";
    expect_style(&c, create, "backgroundColor", GREEN).await;
    assert_user_menu(&c).await;
    click(&c, create).await;
    c.visible("#oro_user_role_form").await;
    c.idle().await;
    type_into(&c, "#oro_user_role_form_label", "My API user role").await;
    click(&c, r##"a[href="#rights-api"]"##).await;
    click(
        &c,
        r##"a[href="#tabs-pim_api-acl_group-overall_access"] .AknAcl > span"##,
    )
    .await;
    let toggle = "#tabs-pim_api-acl_group-overall_access .acl-permission .acl-permission-toggle";
    click(&c, toggle).await;
    expect_style(&c, toggle, "backgroundColor", BLUE).await;
    click(
        &c,
        "#oro_user_role_form button[type=submit].AknButton--apply",
    )
    .await;
    c.until(
        "role update page",
        "/^#\\/user\\/role\\/update\\/\\d+$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "My API user role")
        .expect("2.x role saved")
        .clone();
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .contains(&json!("pim_api_overall_access")));
    c.close().await;
}
