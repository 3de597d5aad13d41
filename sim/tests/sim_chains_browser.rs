//! The request chains of the 3.x screens, as the real product fires them (app boot after login,
//! grids through `/datagrid/{grid}/load`, the role form's security calls, the user form's
//! lists, the role save and its reload), checked from the simulator's request log
//! (`/_sim/requests`) while real headless Chromium walks the tutorial (30 users, 150 ms).
//!
//! "A → B" is checked as: B arrived after A was answered; "A ∥ B" as: their times overlap.

mod support;

use pim_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;
use support::browser::{click, login, type_into};
use support::Chrome;

/// One logged request.
#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    xhr: bool,
    start: f64,
    end: f64,
}

/// The log since the last [`clear`].
async fn log(sim: &SimHandle) -> Vec<Req> {
    let v: Value = reqwest::get(format!("{}/_sim/requests", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| Req {
            method: e["method"].as_str().unwrap().into(),
            path: e["path"].as_str().unwrap().into(),
            xhr: e["xhr"].as_bool().unwrap(),
            start: e["start_ms"].as_f64().unwrap(),
            end: e["end_ms"].as_f64().unwrap(),
        })
        .collect()
}

async fn clear(sim: &SimHandle) {
    let r = reqwest::Client::new()
        .delete(format!("{}/_sim/requests", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

/// The `nth` (0-based) request `METHOD path-prefix` of `log`.
fn find<'a>(log: &'a [Req], what: &str, nth: usize) -> &'a Req {
    let (method, prefix) = what.split_once(' ').unwrap();
    log.iter()
        .filter(|r| r.method == method && r.path.starts_with(prefix))
        .nth(nth)
        .unwrap_or_else(|| panic!("no {what} #{nth} in {:#?}", paths(log)))
}

fn paths(log: &[Req]) -> Vec<String> {
    log.iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// `b` was sent once `a` had been answered.
fn after(a: &Req, b: &Req) {
    assert!(
        b.start >= a.end,
        "{} {} should wait for {} {} (started {:.0} ms, answered {:.0} ms)",
        b.method,
        b.path,
        a.method,
        a.path,
        b.start,
        a.end
    );
}

/// `a` and `b` were in flight together.
fn parallel(a: &Req, b: &Req) {
    assert!(
        a.start < b.end && b.start < a.end,
        "{} and {} should be in flight together ({:.0}-{:.0} / {:.0}-{:.0})",
        a.path,
        b.path,
        a.start,
        a.end,
        b.start,
        b.end
    );
}

/// Every XHR of `log` (jQuery header), as `METHOD path` without the query.
fn xhrs(log: &[Req]) -> Vec<String> {
    log.iter()
        .filter(|r| r.xhr)
        .map(|r| format!("{} {}", r.method, r.path.split('?').next().unwrap()))
        .collect()
}

async fn goto(c: &Chrome, sim: &SimHandle, hash: &str) {
    c.client
        .goto(&format!("{}/{hash}", sim.url()))
        .await
        .unwrap();
    c.idle().await;
}

/// 3.2 app boot: extensions ∥ security → security ∥ current user ∥ date format →
/// translations → analytics; all after the shell page, each with the latency.
fn assert_boot(log: &[Req], doc: &Req) {
    let ext = find(log, "GET /js/extensions.json", 0);
    let sec1 = find(log, "GET /rest/security/", 0);
    parallel(ext, sec1);
    after(doc, ext);
    after(doc, sec1);
    let level2 = [
        find(log, "GET /rest/security/", 1),
        find(log, "GET /rest/user/", 0),
        find(log, "GET /localization/format/date", 0),
    ];
    for r in &level2 {
        after(ext, r);
        after(sec1, r);
        assert!(r.end - r.start >= 140.0, "{} without latency", r.path);
    }
    parallel(level2[0], level2[1]);
    parallel(level2[1], level2[2]);
    let tr = find(log, "GET /js/translation/en_US.js", 0);
    for r in &level2 {
        after(r, tr);
    }
    after(tr, find(log, "GET /analytics/collect_data", 0));
}

async fn create_user(c: &Chrome, sim: &SimHandle) -> u64 {
    clear(sim).await;
    goto(c, sim, "#/user/").await;
    let l = log(sim).await;
    assert_eq!(
        xhrs(&l),
        ["GET /datagrid/pim-user-grid/load"],
        "users grid: one grid load"
    );
    assert!(find(&l, "GET /datagrid/pim-user-grid/load", 0)
        .path
        .contains("alias=pim-user-grid"));

    click(c, "#create-button-extension").await;
    c.visible(".modal input[name=username]").await;
    for (name, value) in [
        ("username", "chain_user"),
        ("password", "Chain-user-pw1"),
        ("password_repeat", "Chain-user-pw1"),
        ("first_name", "Chain"),
        ("last_name", "User"),
        ("email", "chain_user@example.com"),
    ] {
        type_into(c, &format!(".modal input[name={name}]"), value).await;
    }
    clear(sim).await;
    click(c, ".modal .AknButton--apply.ok").await;
    c.until(
        "user edit page",
        "/^#\\/user\\/\\d+\\/edit$/.test(location.hash)",
    )
    .await;
    c.idle().await;
    let id: u64 = c
        .js("return location.hash.split('/')[2]")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // POST → GET /rest/user/{id} → the form's lists, in parallel.
    let l = log(sim).await;
    let post = find(&l, "POST /rest/user/", 0);
    let get = find(&l, &format!("GET /rest/user/{id}"), 0);
    after(post, get);
    let lists: Vec<&Req> = [
        "GET /rest/user_role/",
        "GET /rest/user_group/",
        "GET /configuration/channel/rest",
        "GET /configuration/locale/rest",
        "GET /enrich/product-category-tree/list-tree.json",
    ]
    .iter()
    .map(|w| find(&l, w, 0))
    .collect();
    for r in &lists {
        after(get, r);
        parallel(lists[0], r);
    }
    id
}

/// Role create: fragment → inline security; the Users tab's page 2 by the pager (`href="#"`,
/// the route stays); save → (security → update fragment → security).
async fn create_role(c: &Chrome, sim: &SimHandle, user_id: u64) -> u64 {
    clear(sim).await;
    goto(c, sim, "#/user/role/").await;
    assert_eq!(xhrs(&log(sim).await), ["GET /datagrid/pim-role-grid/load"]);
    clear(sim).await;
    click(c, "[data-drop-zone=buttons] .AknButton--apply").await;
    c.visible("#pim_user_role_form_label").await;
    c.idle().await;
    let l = log(sim).await;
    assert_eq!(
        xhrs(&l),
        ["GET /user/role/create", "GET /rest/security/"],
        "role create chain"
    );
    after(&l[0], &l[1]);

    type_into(c, "#pim_user_role_form_label", "Chain role").await;
    click(c, "a[href='#pim_user-roles-tab-api']").await;
    click(c, "a[href='#tabs-pim_api-acl_group-overall_access']").await;
    click(
        c,
        "#pim_user-roles-tab-api .acl-permission .acl-permission-toggle",
    )
    .await;
    click(c, "a[href='#pim_user-roles-tab-users']").await;
    // Every pager handle is a link (`href="#"`, as pim/template/datagrid/pagination).
    let hrefs = c
        .js("return [...document.querySelectorAll('#grid-pim-role-user-grid .AknGridToolbar-center a')].map(a => a.getAttribute('href'))")
        .await;
    let hrefs = hrefs.as_array().unwrap();
    assert!(
        hrefs.len() >= 2 && hrefs.iter().all(|h| h == "#"),
        "{hrefs:?}"
    );
    clear(sim).await;
    click(
        c,
        "#grid-pim-role-user-grid .AknGridToolbar-center a[title='No. 2']",
    )
    .await;
    c.until(
        "page 2",
        "document.querySelector('#grid-pim-role-user-grid .AknActionButton--highlight').textContent.trim() === '2'",
    )
    .await;
    c.idle().await;
    assert_eq!(
        c.js("return location.hash").await,
        "#/user/role/create",
        "a pager click stays on the route"
    );
    assert_eq!(xhrs(&log(sim).await), ["GET /datagrid/pim-role-user-grid"]);
    let tick = "[...document.querySelectorAll('#grid-pim-role-user-grid tbody tr')].find(tr => tr.textContent.includes('chain_user')).querySelector('td.boolean-cell input').click()";
    c.js(tick).await;
    c.until(
        "user appended",
        &format!(
            "document.querySelector('#roleAppendUsers').value.split(',').includes('{user_id}')"
        ),
    )
    .await;

    clear(sim).await;
    click(c, "button[type=submit].AknButton--apply").await;
    c.until(
        "role update route",
        "/^#\\/user\\/role\\/update\\/\\d+$/.test(location.hash)",
    )
    .await;
    c.visible("#pim_user_role_form_label").await;
    c.idle().await;
    let role_id: u64 = c
        .js("return location.hash.split('/').pop()")
        .await
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let l = log(sim).await;
    let names = xhrs(&l);
    assert_eq!(
        names,
        [
            "POST /user/role/create".to_string(),
            "GET /rest/security/".into(),
            format!("GET /user/role/update/{role_id}"),
            "GET /rest/security/".into()
        ]
    );
    for w in l.windows(2) {
        after(&w[0], &w[1]);
    }
    role_id
}

/// Saving an existing role: security refresh and a full reload, so the app boots again and
/// the route's chain runs once more.
async fn save_role_again(c: &Chrome, sim: &SimHandle, role_id: u64) {
    clear(sim).await;
    c.js("window.__before_reload = 1").await;
    click(c, "button[type=submit].AknButton--apply").await;
    c.until("page reloaded", "window.__before_reload === undefined")
        .await;
    c.visible("#pim_user_role_form_label").await;
    c.idle().await;
    let l = log(sim).await;
    let post = find(&l, &format!("POST /user/role/update/{role_id}"), 0);
    let doc = l
        .iter()
        .find(|r| r.method == "GET" && r.path == "/" && !r.xhr)
        .expect("the reload's GET /");
    after(post, doc);
    let boot: Vec<Req> = l.iter().filter(|r| r.start >= doc.end).cloned().collect();
    assert_boot(&boot, doc);
    let tr = find(&boot, "GET /js/translation/en_US.js", 0);
    let form = find(&boot, &format!("GET /user/role/update/{role_id}"), 0);
    after(tr, form);
}

async fn create_connection(c: &Chrome, sim: &SimHandle) {
    clear(sim).await;
    goto(c, sim, "#/client").await;
    assert_eq!(
        xhrs(&log(sim).await),
        ["GET /datagrid/api-connection-grid/load"]
    );
    click(c, "#create-button-extension").await;
    type_into(c, "#creation_label", "Chain connection").await;
    c.js("document.querySelector('#creation_label').dispatchEvent(new Event('change'))")
        .await;
    clear(sim).await;
    click(c, ".modal .AknButton--apply.ok").await;
    c.until("modal closed", "!document.querySelector('.modal')")
        .await;
    c.idle().await;
    let l = log(sim).await;
    assert_eq!(
        xhrs(&l),
        ["POST /client/rest", "GET /datagrid/api-connection-grid"]
    );
    after(&l[0], &l[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_3x_screens_chain_their_requests_like_the_real_product() {
    let sim = sim::start(SimConfig::default()).await.unwrap();
    let c = Chrome::start().await;

    // Login, then the app boot before the dashboard renders.
    login(&c, &sim, ".AknWidget").await;
    let l = log(&sim).await;
    let check = find(&l, "POST /user/login-check", 0);
    let doc = l
        .iter()
        .find(|r| r.method == "GET" && r.path == "/" && r.start >= check.end)
        .expect("GET / after the login");
    assert_boot(&l, doc);
    assert!(
        c.js("return !!document.querySelector('[data-drop-zone=menu] .AknHeader-menuItem')")
            .await
            == Value::Bool(true),
        "menu rendered after boot"
    );

    let user_id = create_user(&c, &sim).await;
    let role_id = create_role(&c, &sim, user_id).await;
    save_role_again(&c, &sim, role_id).await;
    create_connection(&c, &sim).await;

    // What the screens did is in the database.
    let state = sim.state();
    let role = state["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "Chain role")
        .expect("role saved")
        .clone();
    assert!(role["acls"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "pim_api_overall_access"));
    assert!(role["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u == "chain_user"));
    assert!(state["api_clients"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["label"] == "Chain connection"));
    c.close().await;
    sim.stop().await;
}
