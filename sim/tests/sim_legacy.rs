//! HTTP-level tests of the 1.7 and 2.x simulator flavours and of the console emulation
//! (`/_sim/console`, `sim::console::console_main`).

mod support;

use pim_sim::{console, PimVersion, SimHandle};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::http::{bapid, http, input_value, post_login, sim_of};

struct Session {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

async fn login_page(sim: &SimHandle) -> (String, String, String) {
    let r = http()
        .get(format!("{}/user/login", sim.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = bapid(r.headers()).unwrap();
    let html = r.text().await.unwrap();
    let csrf = input_value(&html, "_csrf_token");
    (cookie, csrf, html)
}

async fn try_login(sim: &SimHandle, user: &str, password: &str) -> (reqwest::Response, String) {
    let (cookie, csrf, _) = login_page(sim).await;
    (
        post_login(sim, &cookie, user, password, &csrf).await,
        cookie,
    )
}

impl Session {
    async fn login(sim: &SimHandle, user: &str, password: &str) -> Session {
        let (r, _) = try_login(sim, user, password).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(r.headers()[LOCATION], "/");
        Session {
            base: sim.url().to_string(),
            http: http(),
            cookie: bapid(r.headers()).unwrap(),
        }
    }

    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .header(COOKIE, format!("BAPID={}", self.cookie))
    }

    /// A 1.7 hash-navigation GET: the JSON page.
    async fn hash_get(&self, path: &str) -> Value {
        let r = self
            .req(Method::GET, path)
            .header("X-Requested-With", "XMLHttpRequest")
            .header("x-oro-hash-navigation", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.unwrap()
    }

    async fn page(&self, path: &str, xhr: bool) -> (StatusCode, String) {
        let mut b = self.req(Method::GET, path);
        if xhr {
            b = b.header("X-Requested-With", "XMLHttpRequest");
        }
        let r = b.send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }
}

async fn run_console(sim: &SimHandle, argv: &[&str]) -> (i64, String, String) {
    let r = http()
        .post(format!("{}/_sim/console", sim.url()))
        .json(&json!({ "argv": argv }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    (
        v["exit_code"].as_i64().unwrap(),
        v["stdout"].as_str().unwrap().to_string(),
        v["stderr"].as_str().unwrap().to_string(),
    )
}

async fn token(sim: &SimHandle, client_id: &str, secret: &str, user: &str, pw: &str) -> StatusCode {
    http()
        .post(format!("{}/api/oauth/v1/token", sim.url()))
        .basic_auth(client_id, Some(secret))
        .json(&json!({"grant_type": "password", "username": user, "password": pw}))
        .send()
        .await
        .unwrap()
        .status()
}

fn user_form(token: &str, username: &str, enabled: &str, roles: &[u64]) -> Vec<(String, String)> {
    let f = |k: &str, v: &str| (format!("pim_user_user_form{k}"), v.to_string());
    let mut p = vec![
        f("[enabled]", enabled),
        f("[username]", username),
        f("[plainPassword][first]", "Secret-pw1"),
        f("[plainPassword][second]", "Secret-pw1"),
        f("[firstName]", "Api"),
        f("[lastName]", "User"),
        f("[email]", &format!("{username}@example.com")),
        f("[_token]", token),
    ];
    for r in roles {
        p.push(f("[rolesCollection][]", &r.to_string()));
    }
    p
}

// ---------------------------------------------------------------------------------- console

#[tokio::test]
async fn console_1_7_create_client_prints_the_exact_output_and_the_client_works() {
    let sim = sim_of(PimVersion::V1_7).await;
    let (code, out, err) = run_console(
        &sim,
        &[
            "pim:oauth-server:create-client",
            "--label=My very first API connection",
            "--grant_type=password",
            "--grant_type",
            "refresh_token",
            "--env=prod",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0], "A new client has been added.");
    let client_id = lines[1].strip_prefix("client_id: ").unwrap();
    let secret = lines[2].strip_prefix("secret: ").unwrap();
    assert_eq!(lines[3], "label: My very first API connection");
    assert!(
        client_id.starts_with("1_") && client_id.len() == 52,
        "{client_id}"
    );
    assert_eq!(secret.len(), 50);
    assert_eq!(
        sim.state()["api_clients"][0]["label"],
        "My very first API connection"
    );
    assert_eq!(
        token(&sim, client_id, secret, "admin", "admin").await,
        StatusCode::OK
    );

    // Without --label: three lines; list and revoke.
    let (code, out, _) = run_console(&sim, &["pim:oauth-server:create-client"]).await;
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(!out.contains("label:"));
    let (code, out, _) = run_console(&sim, &["pim:oauth-server:list-clients"]).await;
    assert_eq!(code, 0);
    assert!(
        out.contains("| client id ") && out.contains(client_id),
        "{out}"
    );
    let (code, out, _) = run_console(&sim, &["pim:oauth-server:revoke-client", client_id]).await;
    assert_eq!(code, 0);
    assert!(out.contains(&format!(
        "Client with public id {client_id} and secret {secret} has been revoked."
    )));
    assert_ne!(
        token(&sim, client_id, secret, "admin", "admin").await,
        StatusCode::OK
    );

    // 1.7 has no positional label; unknown commands fail.
    let (code, _, err) = run_console(&sim, &["pim:oauth-server:create-client", "x"]).await;
    assert_eq!(code, 1);
    assert!(err.contains("Too many arguments."), "{err}");
    let (code, _, err) = run_console(&sim, &["pim:nope"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("Command \"pim:nope\" is not defined."),
        "{err}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn console_2x_takes_the_label_as_a_required_argument() {
    let sim = sim_of(PimVersion::V2).await;
    let (code, out, _) = run_console(
        &sim,
        &["pim:oauth-server:create-client", "My API", "--env=prod"],
    )
    .await;
    assert_eq!(code, 0);
    assert!(out.starts_with("A new client has been added.\nclient_id: 1_"));
    assert!(out.ends_with("label: My API\n"), "{out}");
    let (code, out, err) = run_console(&sim, &["pim:oauth-server:create-client"]).await;
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(
        err.contains(r#"Not enough arguments (missing: "label")."#),
        "{err}"
    );
    let (code, _, err) =
        run_console(&sim, &["pim:oauth-server:create-client", "--label=x", "y"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains(r#"The "--label" option does not exist."#),
        "{err}"
    );
    // Only the password grant: a refresh is then refused.
    let (_, out, _) = run_console(
        &sim,
        &[
            "pim:oauth-server:create-client",
            "--grant_type=password",
            "P",
        ],
    )
    .await;
    assert!(out.contains("client_id: 2_"));
    let clients = sim.state()["api_clients"].as_array().unwrap().len();
    assert_eq!(clients, 2);
    sim.stop().await;
}

#[tokio::test]
async fn console_main_talks_to_a_running_simulator() {
    let sim = sim_of(PimVersion::V1_7).await;
    let argv: Vec<String> = ["pim:oauth-server:create-client", "--label=Via main"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(console::console_main(sim.url(), &argv).await, 0);
    assert_eq!(sim.state()["api_clients"][0]["label"], "Via main");
    let bad = vec![
        "pim:oauth-server:create-client".to_string(),
        "x".to_string(),
    ];
    assert_eq!(console::console_main(sim.url(), &bad).await, 1);
    let url = sim.url().to_string();
    sim.stop().await;
    assert_eq!(console::console_main(&url, &argv).await, 1, "unreachable");
}

// ---------------------------------------------------------------------------------- 1.7

#[tokio::test]
async fn v17_login_layout_redirect_dashboard_and_no_api_connections() {
    let sim = sim_of(PimVersion::V1_7).await;
    let (_, _, html) = login_page(&sim).await;
    for hook in [
        r#"<body class="AknLogin">"#,
        r#"<div id="page" style="display:none;">"#,
        "<fieldset>",
        r#"class="AknLogin-formInput" type="text" id="prependedInput""#,
        r#"AknButton--uppercase" type="submit" id="_submit""#,
        "/bundles/pimui/v17/app.js",
    ] {
        assert!(html.contains(hook), "1.7 login lacks {hook}");
    }
    // Not logged in: a 302 to the login page (no use_forward in 1.7).
    let r = http().get(format!("{}/", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/user/login");

    let s = Session::login(&sim, "admin", "admin").await;
    let (status, html) = s.page("/", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"class="AknDashboardButtons""#));
    assert!(html.contains(r#"<ul id="main-menu""#));
    assert!(html.contains(r#"href="/user/role">Roles</a>"#));
    assert!(!html.contains("API connections"));
    assert!(html.contains(r#"<div id="page" style="display:none;">"#));
    // Hash navigation: JSON with the page content.
    let j = s.hash_get("/user/role").await;
    assert!(j["title"].as_str().unwrap().starts_with("Roles"));
    assert!(j["content"]
        .as_str()
        .unwrap()
        .contains("grid-pim-role-grid"));
    assert!(j["content"]
        .as_str()
        .unwrap()
        .contains(r#"href="/user/role/create" title="Create role""#));
    // No API connections page nor endpoint.
    assert_eq!(s.page("/client", false).await.0, StatusCode::NOT_FOUND);
    let r = s
        .req(Method::POST, "/client/rest")
        .header("X-Requested-With", "XMLHttpRequest")
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    sim.stop().await;
}

#[tokio::test]
async fn v17_user_form_requires_status_and_a_role_then_redirects_with_a_flash() {
    let sim = sim_of(PimVersion::V1_7).await;
    let s = Session::login(&sim, "admin", "admin").await;
    let (status, html) = s.page("/user/create", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<form id="pim_user_user_form""#));
    assert!(html.contains(r#"<option value="">Please select</option><option value="0">Inactive</option><option value="1">Active</option>"#));
    assert!(html.contains(r##"href="#pim_user-user-tab-group_and_role""##));
    assert!(html.contains(r#"id="pim_user_user_form_rolesCollection""#));
    assert!(html.contains("<title>New user | Akeneo PIM</title>"));
    let token = input_value(&html, "pim_user_user_form[_token]");

    // Status left on "Please select" and no role: the form again, with tooltips (full page).
    let r = s
        .req(Method::POST, "/user/create")
        .form(&user_form(&token, "api_user", "", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(r#"validation-tooltip" data-placement="right" data-toggle="tooltip" data-original-title="You must select at least 1 role""#));
    assert!(html.contains(r#"data-original-title="This value should not be blank.""#));
    assert!(html.contains("AknHorizontalNavtab-link--errored"));
    assert_eq!(sim.state()["users"].as_array().unwrap().len(), 4);

    // Multipart through hash navigation: JSON redirect, user Active with the role.
    let boundary = "----WebKitFormBoundaryx1y2z3";
    let mut body = String::new();
    let mut fields = user_form(&token, "api_user", "1", &[2]);
    fields.push(("x-oro-hash-navigation".into(), "true".into()));
    for (k, v) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"pim_user_user_form[imageFile]\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
    ));
    let r = s
        .req(Method::POST, "/user/create")
        .header("X-Requested-With", "XMLHttpRequest")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["redirect"], true);
    assert_eq!(j["fullRedirect"], false);
    let location = j["location"].as_str().unwrap().to_string();
    assert!(location.starts_with("/user/update/"), "{location}");
    let user = &sim.state()["users"][4];
    assert_eq!(user["username"], "api_user");
    assert_eq!(user["enabled"], true);
    assert_eq!(user["roles"], json!(["User"]));
    let j = s.hash_get(&location).await;
    assert_eq!(j["flashMessages"]["success"], json!(["User saved"]));
    assert!(j["title"]
        .as_str()
        .unwrap()
        .starts_with("Edit user - Api User"));

    // An Inactive user cannot log in.
    let r = s
        .req(Method::POST, "/user/create")
        .form(&user_form(&token, "sleepy", "0", &[2]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let (r, cookie) = try_login(&sim, "sleepy", "Secret-pw1").await;
    assert_eq!(r.headers()[LOCATION], "/user/login");
    let r = http()
        .get(format!("{}/user/login", sim.url()))
        .header(COOKIE, format!("BAPID={cookie}"))
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Account is disabled."));
    sim.stop().await;
}

#[tokio::test]
async fn v17_role_form_has_icon_toggles_and_saves_grants_and_users() {
    let sim = sim_of(PimVersion::V1_7).await;
    let s = Session::login(&sim, "admin", "admin").await;
    let j = s.hash_get("/user/role/create").await;
    let html = j["content"].as_str().unwrap().to_string();
    assert_eq!(j["title"], "Create role | Akeneo PIM");
    for hook in [
        r#"<form id="oro_user_role_form""#,
        r##"href="#rights-api" data-toggle="tab">Web API permissions</a>"##,
        r#"id="rights-api""#,
        r#"id="users""#,
        r#"class="AknVerticalNavtab AknVerticalNavtab--condensed nav nav-list""#,
        r#"<i class="AknAcl-icon acl-group-permission-toggle icon-remove"></i><span>Overall Web API access</span>"#,
        r#"<a class="AknAcl-icon icon-remove AknAcl-icon--nonGranted non-granted acl-permission-toggle"></a>"#,
        r#"id="grid-pim-role-user-grid""#,
        r#"name="oro_user_role_form[appendUsers]""#,
        r#"value="action:pim_api_overall_access""#,
    ] {
        assert!(html.contains(hook), "1.7 role form lacks {hook}");
    }
    assert!(!html.contains("AknSelectButton"));
    let token = input_value(&html, "oro_user_role_form[_token]");
    // The index of the API privilege, from its identity input.
    let at = html
        .find("value=\"action:pim_api_overall_access\"")
        .unwrap();
    let before = &html[..at];
    let name_at = before.rfind("name=\"oro_user_role_form[api][").unwrap();
    let idx: String = before[name_at + 30..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let pairs = vec![
        (
            "oro_user_role_form[label]".to_string(),
            "My API user role".to_string(),
        ),
        (
            format!("oro_user_role_form[api][{idx}][identity][id]"),
            "action:pim_api_overall_access".into(),
        ),
        (
            format!("oro_user_role_form[api][{idx}][permissions][EXECUTE][accessLevel]"),
            "1".into(),
        ),
        ("oro_user_role_form[appendUsers]".into(), "2".into()),
        ("oro_user_role_form[removeUsers]".into(), "".into()),
        ("oro_user_role_form[_token]".into(), token.clone()),
        ("x-oro-hash-navigation".into(), "true".into()),
    ];
    let r = s
        .req(Method::POST, "/user/role/create")
        .header("X-Requested-With", "XMLHttpRequest")
        .form(&pairs)
        .send()
        .await
        .unwrap();
    let j: Value = r.json().await.unwrap();
    assert_eq!(j["redirect"], true);
    assert_eq!(j["location"], "/user/role/update/3");
    let role = &sim.state()["roles"][2];
    assert_eq!(role["role"], "MY_API_USER_ROLE");
    assert_eq!(role["acls"], json!(["pim_api_overall_access"]));
    assert_eq!(role["users"], json!(["user01"]));
    let j = s.hash_get("/user/role/update/3").await;
    assert_eq!(j["flashMessages"]["success"], json!(["Role saved"]));
    assert!(j["content"]
        .as_str()
        .unwrap()
        .contains("Edit role - My API user role"));
    assert!(j["content"].as_str().unwrap().contains(
        r#"<a class="AknAcl-icon icon-ok AknAcl-icon--granted granted acl-permission-toggle"></a>"#
    ));
    // Full-page POST without hash navigation: a 302; a blank label re-renders the page.
    let mut blank = pairs.clone();
    blank[0].1 = String::new();
    blank.pop();
    let r = s
        .req(Method::POST, "/user/role/create")
        .form(&blank)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"data-original-title="This value should not be blank.""#));
    sim.stop().await;
}

// ---------------------------------------------------------------------------------- 2.x

#[tokio::test]
async fn v2_user_form_fragment_creates_a_user_and_shows_its_edit_form() {
    let sim = sim_of(PimVersion::V2).await;
    let s = Session::login(&sim, "admin", "admin").await;
    let (status, shell) = s.page("/", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shell.contains(r#"window.PIM_VERSION = "2""#));
    assert!(shell.contains("/bundles/pimui/v2/app.js"));
    let (status, html) = s.page("/user/create", true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("<html"), "a fragment");
    assert!(html.contains(r#"<form id="pim_user_user_form""#));
    assert!(html.contains(r#"novalidate="""#));
    assert!(!html.contains(r#"required="required""#));
    let token = input_value(&html, "pim_user_user_form[_token]");
    let r = s
        .req(Method::POST, "/user/create")
        .header("X-Requested-With", "XMLHttpRequest")
        .form(&user_form(&token, "api_user", "1", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains(r#"data-original-title="You must select at least 1 role""#));
    let r = s
        .req(Method::POST, "/user/create")
        .header("X-Requested-With", "XMLHttpRequest")
        .form(&user_form(&token, "api_user", "1", &[2]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()[LOCATION].to_str().unwrap().to_string();
    assert_eq!(location, "/user/update/5");
    let (_, html) = s.page(&location, true).await;
    assert!(html.contains("Edit user - Api User"));
    assert_eq!(sim.state()["users"][4]["enabled"], true);
    sim.stop().await;

    // 3.x has no such route.
    let sim = sim_of(PimVersion::V3).await;
    let s = Session::login(&sim, "admin", "admin").await;
    assert_eq!(s.page("/user/create", true).await.0, StatusCode::NOT_FOUND);
    sim.stop().await;
}

#[tokio::test]
async fn v2_role_form_uses_the_oro_names_and_answers_the_oro_route() {
    let sim = sim_of(PimVersion::V2).await;
    let s = Session::login(&sim, "admin", "admin").await;
    let (_, html) = s.page("/user/role/create", true).await;
    for hook in [
        r#"<form id="oro_user_role_form""#,
        r#"id="oro_user_role_form_label" name="oro_user_role_form[label]""#,
        r##"href="#general""##,
        r##"href="#rights-action""##,
        r##"href="#rights-api""##,
        r##"href="#users""##,
        r#"<div class="AknTitleContainer-title">Create role</div>"#,
        "select-button AknAcl-icon AknSelectButton non-granted acl-permission-toggle",
    ] {
        assert!(html.contains(hook), "2.x role form lacks {hook}");
    }
    assert!(!html.contains("pim_user_role_form"));
    let token = input_value(&html, "oro_user_role_form[_token]");
    let r = s
        .req(Method::POST, "/user/role/create")
        .header("X-Requested-With", "XMLHttpRequest")
        .form(&[
            ("oro_user_role_form[label]", "My API user role"),
            ("oro_user_role_form[_token]", token.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let j: Value = r.json().await.unwrap();
    assert_eq!(
        j,
        json!({"route": "oro_user_role_update", "params": {"id": 3}})
    );
    let (_, html) = s.page("/user/role/update/3", true).await;
    assert!(html.contains("Edit role - My API user role"));
    // The API connections endpoint keeps the 2.0.22+ XHR rule.
    let r = s
        .req(Method::POST, "/client/rest")
        .json(&json!({"label": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()[LOCATION], "/");
    sim.stop().await;
}
