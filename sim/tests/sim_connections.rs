//! HTTP-level tests of the simulator's 4.x-7.x Connections: every internal endpoint with its
//! statuses and bodies per version, the dead 3.x `/client/rest` routes, the hidden API user,
//! token revocation on regeneration, the 50-connection limit, `system-information` and the 6.0+
//! product ACL.

mod support;

use std::collections::BTreeSet;

use pim_sim::{PimVersion, SimHandle};
use reqwest::header::{COOKIE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::http::{api_get, bapid, http, input_value, post_login, sim_of, token};

/// A logged-in back-office session (admin/admin).
struct Session {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

impl Session {
    async fn admin(sim: &SimHandle) -> Session {
        let http = http();
        let r = http
            .get(format!("{}/user/login", sim.url()))
            .send()
            .await
            .unwrap();
        let cookie = bapid(r.headers()).unwrap();
        let page = r.text().await.unwrap();
        let csrf = input_value(&page, "_csrf_token");
        let r = post_login(sim, &cookie, "admin", "admin", &csrf).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        Session {
            base: sim.url().to_string(),
            cookie: bapid(r.headers()).unwrap(),
            http,
        }
    }

    /// A request as the React app sends it: session cookie, no `X-Requested-With`.
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{}", self.base, path))
            .header(COOKIE, format!("BAPID={}", self.cookie))
    }

    async fn send(&self, b: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let r = b.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(self.req(Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(self.req(Method::POST, path).json(&body)).await
    }

    async fn create(&self, code: &str, label: &str, flow: &str) -> Value {
        let (s, body) = self
            .post(
                "/rest/connections",
                json!({"code": code, "label": label, "flow_type": flow}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body
    }
}

async fn token_of(sim: &SimHandle, c: &Value, pw: &str) -> String {
    let (s, t) = token(
        sim,
        c["client_id"].as_str().unwrap(),
        c["secret"].as_str().unwrap(),
        c["username"].as_str().unwrap(),
        pw,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    t["access_token"].as_str().unwrap().to_string()
}

fn role_id(sim: &SimHandle, label: &str) -> u64 {
    sim.state()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == label)
        .unwrap()["id"]
        .as_u64()
        .unwrap()
}

/// Sets the connection's role through `POST /rest/connections/{code}` (the header Save).
async fn set_role(s: &Session, c: &Value, role: u64) {
    let (st, body) = s
        .post(
            &format!("/rest/connections/{}", c["code"].as_str().unwrap()),
            json!({"code": c["code"], "label": c["label"], "flow_type": c["flow_type"], "image": null,
                   "auditable": false, "user_role_id": role.to_string(), "user_group_id": null}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn connections_exist_from_4x_and_the_3x_client_routes_die() {
    let sim = sim_of(PimVersion::V3).await;
    let s = Session::admin(&sim).await;
    assert_eq!(s.get("/rest/connections").await.0, StatusCode::NOT_FOUND);
    let (st, _) = s
        .send(
            s.req(Method::POST, "/client/rest")
                .header("X-Requested-With", "XMLHttpRequest")
                .json(&json!({"label": "x"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "3.x keeps its API connections");

    for v in [
        PimVersion::V4,
        PimVersion::V5,
        PimVersion::V6,
        PimVersion::V7,
    ] {
        let sim = sim_of(v).await;
        let s = Session::admin(&sim).await;
        assert_eq!(
            s.get("/rest/connections").await,
            (StatusCode::OK, json!([]))
        );
        let (st, _) = s
            .send(
                s.req(Method::POST, "/client/rest")
                    .header("X-Requested-With", "XMLHttpRequest")
                    .json(&json!({"label": "x"})),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{v}: removed controller"
        );
        let (st, _) = s
            .send(
                s.req(Method::DELETE, "/client/rest/1_abc")
                    .header("X-Requested-With", "XMLHttpRequest"),
            )
            .await;
        assert_eq!(st, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(sim.state()["api_clients"].as_array().unwrap().is_empty());
        // Logged out: the login guard answers.
        let r = http()
            .get(format!("{}/rest/connections", sim.url()))
            .header("X-Requested-With", "XMLHttpRequest")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn create_returns_the_credentials_with_the_fields_of_each_version() {
    for v in [
        PimVersion::V4,
        PimVersion::V5,
        PimVersion::V6,
        PimVersion::V7,
    ] {
        let sim = sim_of(v).await;
        let s = Session::admin(&sim).await;
        let c = s.create("magento", "Magento", "data_destination").await;
        let user_role = role_id(&sim, "User");
        assert_eq!(c["code"], "magento");
        assert_eq!(c["label"], "Magento");
        assert_eq!(c["flow_type"], "data_destination");
        assert_eq!(c["image"], Value::Null);
        assert_eq!(c["user_role_id"], json!(user_role.to_string()));
        assert_eq!(c["user_group_id"], Value::Null);
        let username = c["username"].as_str().unwrap();
        let digits = username.strip_prefix("magento_").expect("{code}_NNNN");
        assert!(digits.len() == 4 && digits.chars().all(|d| d.is_ascii_digit()));
        let password = c["password"].as_str().unwrap();
        assert_eq!(password.len(), 9);
        let client_id = c["client_id"].as_str().unwrap();
        let (id, random) = client_id.split_once('_').unwrap();
        assert!(id.parse::<u64>().is_ok() && random.len() == 50);
        assert_eq!(c["secret"].as_str().unwrap().len(), 50);
        assert_eq!(c.get("auditable").is_some(), v >= PimVersion::V5, "{v}");
        assert_eq!(c.get("type").is_some(), v >= PimVersion::V6, "{v}");

        // The list (camelCase flowType) and the connection (password null).
        let list_path = if v >= PimVersion::V6 {
            "/rest/connections?search=%7B%22types%22%3A%5B%22default%22%5D%7D"
        } else {
            "/rest/connections"
        };
        let (st, list) = s.get(list_path).await;
        assert_eq!(st, StatusCode::OK);
        let mut expected = json!({"code": "magento", "label": "Magento", "flowType": "data_destination", "image": null});
        if v >= PimVersion::V5 {
            expected["auditable"] = json!(false);
        }
        if v >= PimVersion::V6 {
            expected["type"] = json!("default");
        }
        assert_eq!(list, json!([expected]));
        let (st, one) = s.get("/rest/connections/magento").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(one["password"], Value::Null);
        assert_eq!(one["client_id"], c["client_id"]);
        assert_eq!(one["username"], c["username"]);
        assert_eq!(
            s.get("/rest/connections/nope").await.0,
            StatusCode::NOT_FOUND
        );

        // /_sim/state and the hidden API user.
        let state = sim.state();
        assert_eq!(
            state["connections"],
            json!([{"code": "magento", "label": "Magento", "flow_type": "data_destination",
                    "client_id": client_id, "username": username, "role": "User"}])
        );
        assert!(state["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == username && u["first_name"] == "Magento"));
        for grid in ["pim-user-grid", "pim-role-user-grid"] {
            let (st, page) = s
                .get(&format!(
                    "/datagrid/{grid}?{grid}%5B_pager%5D%5B_per_page%5D=100&{grid}%5Brole_id%5D={user_role}"
                ))
                .await;
            assert_eq!(st, StatusCode::OK);
            let names: BTreeSet<&str> = page["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["username"].as_str())
                .collect();
            assert!(
                names.contains("admin") && names.contains("user01"),
                "{grid}"
            );
            assert!(!names.contains(username), "{grid} hides the API user");
            assert_eq!(page["options"]["totalRecords"], json!(4), "{grid}");
        }

        // 4.0+: the fixture role "User" has every ACL, products included (6.0+ own ACL).
        let access = token_of(&sim, &c, password).await;
        let (st, body) = api_get(&sim, "/api/rest/v1/products", &access).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        let roles = sim.state()["roles"].clone();
        let user = roles
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["label"] == "User")
            .unwrap();
        assert!(user["acls"]
            .as_array()
            .unwrap()
            .contains(&json!("pim_api_overall_access")));
    }
}

#[tokio::test]
async fn create_validation_errors_are_the_exact_422_json() {
    let sim = sim_of(PimVersion::V4).await;
    let s = Session::admin(&sim).await;
    let (st, body) = s
        .post(
            "/rest/connections",
            json!({"code": "my-erp", "label": "", "flow_type": "data_sink"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body,
        json!({"message": "akeneo_connectivity.connection.constraint_violation_list_exception",
               "errors": [
                   {"name": "code", "reason": "akeneo_connectivity.connection.connection.constraint.code.invalid"},
                   {"name": "label", "reason": "akeneo_connectivity.connection.connection.constraint.label.required"},
                   {"name": "flowType", "reason": "akeneo_connectivity.connection.connection.constraint.flow_type.invalid"}]})
    );
    let (_, body) = s
        .post(
            "/rest/connections",
            json!({"code": "ab", "label": "ab", "flow_type": "other"}),
        )
        .await;
    let reasons: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "akeneo_connectivity.connection.connection.constraint.code.too_short",
            "akeneo_connectivity.connection.connection.constraint.label.too_short"
        ]
    );
    s.create("erp", "ERP", "data_source").await;
    let (st, body) = s
        .post(
            "/rest/connections",
            json!({"code": "erp", "label": "ERP 2", "flow_type": "data_source"}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"],
        json!([{"name": "code", "reason": "akeneo_connectivity.connection.connection.constraint.code.must_be_unique"}])
    );
    assert_eq!(sim.state()["connections"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_limit_is_client_side_until_7x_and_max_limit_reached_needs_the_xhr_header() {
    for v in [PimVersion::V6, PimVersion::V7] {
        let sim = sim_of(v).await;
        let s = Session::admin(&sim).await;
        for i in 0..50 {
            s.create(
                &format!("conn_{i:02}"),
                &format!("Connection {i:02}"),
                "other",
            )
            .await;
        }
        let (st, body) = s
            .post(
                "/rest/connections",
                json!({"code": "one_more", "label": "One more", "flow_type": "other"}),
            )
            .await;
        if v == PimVersion::V7 {
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(
                body["errors"],
                json!([{"name": "", "reason": "akeneo_connectivity.connection.connection.constraint.connections_number_limit_reached"}])
            );
            let r = s
                .req(Method::GET, "/rest/connections/max-limit-reached")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FOUND);
            assert_eq!(r.headers()[LOCATION], "/");
            let (st, body) = s
                .send(
                    s.req(Method::GET, "/rest/connections/max-limit-reached")
                        .header("X-Requested-With", "XMLHttpRequest"),
                )
                .await;
            assert_eq!((st, body), (StatusCode::OK, json!({"limitReached": true})));
        } else {
            assert_eq!(st, StatusCode::CREATED, "6.x has no server-side limit");
            // The path is read as a connection code before 7.0.
            let (st, _) = s
                .send(
                    s.req(Method::GET, "/rest/connections/max-limit-reached")
                        .header("X-Requested-With", "XMLHttpRequest"),
                )
                .await;
            assert_eq!(st, StatusCode::NOT_FOUND);
        }
    }
    let sim = sim_of(PimVersion::V7).await;
    let s = Session::admin(&sim).await;
    let (st, body) = s
        .send(
            s.req(Method::GET, "/rest/connections/max-limit-reached")
                .header("X-Requested-With", "XMLHttpRequest"),
        )
        .await;
    assert_eq!((st, body), (StatusCode::OK, json!({"limitReached": false})));
}

#[tokio::test]
async fn update_replaces_the_roles_of_the_api_user() {
    let sim = sim_of(PimVersion::V5).await;
    let s = Session::admin(&sim).await;
    let c = s.create("erp", "ERP", "data_source").await;
    let pw = c["password"].as_str().unwrap().to_string();
    let admin = role_id(&sim, "Administrator");
    set_role(&s, &c, admin).await;
    assert_eq!(sim.state()["connections"][0]["role"], "Administrator");
    let user = sim.state()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == c["username"])
        .cloned()
        .unwrap();
    assert_eq!(
        user["roles"],
        json!(["Administrator"]),
        "replaced, not added"
    );
    let (_, one) = s.get("/rest/connections/erp").await;
    assert_eq!(one["user_role_id"], json!(admin.to_string()));

    // Now the API answers.
    let access = token_of(&sim, &c, &pw).await;
    assert_eq!(
        api_get(&sim, "/api/rest/v1/products", &access).await.0,
        StatusCode::OK
    );

    // Label, flow type and auditable are saved; "other" cannot be audited.
    let (st, _) = s
        .post(
            "/rest/connections/erp",
            json!({"code": "erp", "label": "ERP 2", "flow_type": "data_destination", "image": null,
                   "auditable": true, "user_role_id": admin, "user_group_id": null}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, one) = s.get("/rest/connections/erp").await;
    assert_eq!(
        (one["label"].as_str(), one["auditable"].as_bool()),
        (Some("ERP 2"), Some(true))
    );
    let (st, body) = s
        .post(
            "/rest/connections/erp",
            json!({"code": "erp", "label": "", "flow_type": "other", "user_role_id": admin}),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"],
        json!([{"name": "label", "reason": "akeneo_connectivity.connection.connection.constraint.label.required"}])
    );
    let (st, body) = s
        .post(
            "/rest/connections/erp",
            json!({"code": "erp", "label": "ERP", "flow_type": "other", "user_role_id": "999"}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body["message"].is_string());
    assert_eq!(sim.state()["connections"][0]["role"], "Administrator");
}

#[tokio::test]
async fn regenerating_the_secret_revokes_tokens_and_the_old_secret() {
    let sim = sim_of(PimVersion::V6).await;
    let s = Session::admin(&sim).await;
    let c = s.create("erp", "ERP", "data_source").await;
    let pw = c["password"].as_str().unwrap().to_string();
    set_role(&s, &c, role_id(&sim, "Administrator")).await;
    let access = token_of(&sim, &c, &pw).await;
    assert_eq!(
        api_get(&sim, "/api/rest/v1/products", &access).await.0,
        StatusCode::OK
    );

    let (st, body) = s
        .post("/rest/connections/erp/regenerate-secret", json!({}))
        .await;
    assert_eq!((st, body), (StatusCode::NO_CONTENT, Value::Null));
    let (st, body) = api_get(&sim, "/api/rest/v1/products", &access).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "The access token provided is invalid.");
    let (st, body) = token(
        &sim,
        c["client_id"].as_str().unwrap(),
        c["secret"].as_str().unwrap(),
        c["username"].as_str().unwrap(),
        &pw,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "Parameter \"client_id\" is missing or does not match any client, or secret is invalid"
    );
    let (_, fresh) = s.get("/rest/connections/erp").await;
    assert_ne!(fresh["secret"], c["secret"]);
    assert_eq!(fresh["client_id"], c["client_id"]);
    let mut c2 = c.clone();
    c2["secret"] = fresh["secret"].clone();
    token_of(&sim, &c2, &pw).await;
}

#[tokio::test]
async fn regenerating_the_password_revokes_tokens_and_the_old_password() {
    let sim = sim_of(PimVersion::V4).await;
    let s = Session::admin(&sim).await;
    let c = s.create("erp", "ERP", "data_source").await;
    let old = c["password"].as_str().unwrap().to_string();
    set_role(&s, &c, role_id(&sim, "Administrator")).await;
    let access = token_of(&sim, &c, &old).await;

    let (st, body) = s
        .post("/rest/connections/erp/regenerate-password", json!({}))
        .await;
    assert_eq!(st, StatusCode::OK);
    let new = body["password"].as_str().unwrap().to_string();
    assert_eq!(body, json!({"password": new}));
    assert_eq!(new.len(), 9);
    assert_ne!(new, old);
    assert_eq!(
        api_get(&sim, "/api/rest/v1/products", &access).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (st, body) = token(
        &sim,
        c["client_id"].as_str().unwrap(),
        c["secret"].as_str().unwrap(),
        c["username"].as_str().unwrap(),
        &old,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["message"],
        "No user found for the given username and password"
    );
    let access = token_of(&sim, &c, &new).await;
    assert_eq!(
        api_get(&sim, "/api/rest/v1/products", &access).await.0,
        StatusCode::OK
    );
    // Still `null` when read back.
    assert_eq!(
        s.get("/rest/connections/erp").await.1["password"],
        Value::Null
    );
    let (st, _) = s
        .post("/rest/connections/nope/regenerate-password", json!({}))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delete_removes_the_connection_its_user_and_its_client() {
    let sim = sim_of(PimVersion::V7).await;
    let s = Session::admin(&sim).await;
    let c = s.create("erp", "ERP", "data_source").await;
    let pw = c["password"].as_str().unwrap().to_string();
    let (st, _) = s.send(s.req(Method::DELETE, "/rest/connections/erp")).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let state = sim.state();
    assert_eq!(state["connections"], json!([]));
    assert_eq!(state["api_clients"], json!([]));
    assert!(!state["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == c["username"]));
    assert_eq!(
        s.get("/rest/connections/erp").await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _) = token(
        &sim,
        c["client_id"].as_str().unwrap(),
        c["secret"].as_str().unwrap(),
        c["username"].as_str().unwrap(),
        &pw,
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, _) = s.send(s.req(Method::DELETE, "/rest/connections/erp")).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn roles_groups_search_and_wrong_credentials() {
    let sim = sim_of(PimVersion::V6).await;
    let s = Session::admin(&sim).await;
    let (st, roles) = s.get("/rest/user_role/").await;
    assert_eq!(st, StatusCode::OK);
    let labels: Vec<&str> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Administrator", "User"]);
    assert_eq!(roles[1]["role"], "ROLE_USER");
    assert_eq!(
        s.get("/rest/user_group/").await,
        (
            StatusCode::OK,
            json!([{"name": "All", "meta": {"id": 1, "default": true}}])
        )
    );
    let c = s.create("erp", "ERP", "data_source").await;
    // Connected-app listing filters: no `app` connection in the simulator.
    let (_, apps) = s
        .get("/rest/connections?search=%7B%22types%22%3A%5B%22app%22%5D%7D")
        .await;
    assert_eq!(apps, json!([]));
    assert_eq!(
        s.get("/rest/connections").await.1.as_array().unwrap().len(),
        1
    );

    // 5.0+: the connection's client used with another user (admin) is reported.
    assert_eq!(
        s.get("/rest/connections/wrong-credentials-combination")
            .await,
        (StatusCode::OK, json!({}))
    );
    let (st, _) = token(
        &sim,
        c["client_id"].as_str().unwrap(),
        c["secret"].as_str().unwrap(),
        "admin",
        "admin",
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let (_, wrong) = s
        .get("/rest/connections/wrong-credentials-combination")
        .await;
    assert_eq!(wrong["erp"]["code"], "erp");
    assert_eq!(wrong["erp"]["users"][0]["username"], "admin");
    assert!(wrong["erp"]["users"][0]["date"]
        .as_str()
        .unwrap()
        .ends_with("+00:00"));

    let sim4 = sim_of(PimVersion::V4).await;
    let s4 = Session::admin(&sim4).await;
    assert_eq!(
        s4.get("/rest/connections/wrong-credentials-combination")
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn system_information_from_6x_and_the_product_acl() {
    for v in [PimVersion::V5, PimVersion::V6, PimVersion::V7] {
        let sim = sim_of(v).await;
        let s = Session::admin(&sim).await;
        let c = s.create("erp", "ERP", "data_source").await;
        let pw = c["password"].as_str().unwrap().to_string();
        // A role with Overall Web API access but without "List products".
        let api_only = {
            let mut db = sim.app().lock();
            db.add_role(
                "API_ONLY",
                "API only",
                ["pim_api_overall_access".to_string()].into(),
            )
        };
        set_role(&s, &c, api_only).await;
        let access = token_of(&sim, &c, &pw).await;
        let (st, body) = api_get(&sim, "/api/rest/v1/system-information", &access).await;
        let (pst, pbody) = api_get(&sim, "/api/rest/v1/products", &access).await;
        if v == PimVersion::V5 {
            assert_eq!(st, StatusCode::NOT_FOUND);
            assert_eq!(
                body["message"],
                "No route found for \"GET /api/rest/v1/system-information\""
            );
            assert_eq!(
                pst,
                StatusCode::OK,
                "5.x: overall access is enough for products"
            );
        } else {
            let version = if v == PimVersion::V6 {
                "6.0.90"
            } else {
                "7.0.22"
            };
            assert_eq!(
                (st, body),
                (StatusCode::OK, json!({"version": version, "edition": "CE"}))
            );
            assert_eq!(pst, StatusCode::FORBIDDEN);
            assert_eq!(
                pbody["message"],
                "Access forbidden. You are not allowed to list products."
            );
            let (st, _) = api_get(&sim, "/api/rest/v1/products/nope", &access).await;
            assert_eq!(st, StatusCode::FORBIDDEN);
        }
        // Without overall access: 403 with the firewall's message.
        let no_api = {
            let mut db = sim.app().lock();
            db.add_role("NO_API", "No API", BTreeSet::new())
        };
        set_role(&s, &c, no_api).await;
        let access = token_of(&sim, &c, &pw).await;
        if v >= PimVersion::V6 {
            let (st, body) = api_get(&sim, "/api/rest/v1/system-information", &access).await;
            assert_eq!(st, StatusCode::FORBIDDEN);
            assert_eq!(
                body["message"],
                "You are not allowed to access the web API."
            );
            let (st, _) = http()
                .get(format!("{}/api/rest/v1/system-information", sim.url()))
                .send()
                .await
                .map(|r| (r.status(), ()))
                .unwrap();
            assert_eq!(st, StatusCode::UNAUTHORIZED);
        }
    }
}

#[tokio::test]
async fn shell_page_tells_its_generation_and_serves_the_connections_app() {
    for v in [PimVersion::V4, PimVersion::V6] {
        let sim = sim_of(v).await;
        let s = Session::admin(&sim).await;
        let r = s.req(Method::GET, "/").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("window.PIM_VERSION = \"{}\"", v.arg())));
        assert!(page.contains("/bundles/pimui/v4/connections.js"));
        assert!(
            page.contains("/bundles/pimui/v4/shell.js"),
            "menus are drawn by JS"
        );
        let salt = sim.app().lock().style_salt.clone();
        assert!(page.contains(&format!("window.STYLE_SALT = \"{salt}\"")));
        let js = http()
            .get(format!("{}/bundles/pimui/v4/connections.js", sim.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(js.status(), StatusCode::OK);
        let js = js.text().await.unwrap();
        assert!(js.contains("/connect/connection-settings") && js.contains("'/connections'"));
    }
    // 3.x keeps its own shell.
    let sim = sim_of(PimVersion::V3).await;
    let s = Session::admin(&sim).await;
    let page = s
        .req(Method::GET, "/")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("connections.js"));
}

#[tokio::test]
async fn login_page_of_each_version_and_its_error_markup() {
    // (version, username input id, button text, error markup)
    let cases = [
        (PimVersion::V4, "prependedInput", ">Log in</button>", "AknMessageBox AknMessageBox--error"),
        (PimVersion::V5, "prependedInput", ">Login</button>", "<div class=\"Helper\"><span class=\"Icon\"></span><span class=\"Text\">Invalid credentials.</span></div>"),
        (PimVersion::V6, "username_input", ">Login</button>", "<div class=\"Helper\"><span class=\"Icon\"></span><span class=\"Text\">Invalid credentials.</span></div>"),
        (PimVersion::V7, "username_input", ">Login</button>", "<div class=\"Helper\"><span class=\"Icon\"></span><span class=\"Text\">Invalid credentials.</span></div>"),
    ];
    for (v, user_id, button, error) in cases {
        let sim = realistic(v).await;
        let r = http()
            .get(format!("{}/user/login", sim.url()))
            .send()
            .await
            .unwrap();
        let cookie = bapid(r.headers()).unwrap();
        let page = r.text().await.unwrap();
        assert!(page.contains(&format!("id=\"{user_id}\"")), "{v}");
        assert!(page.contains(button), "{v}");
        assert!(page.contains("form-signin"), "{v}");
        assert_eq!(
            page.contains("AuthenticationWrapper"),
            v >= PimVersion::V5,
            "{v}"
        );
        assert!(!page.contains("Invalid credentials."));
        let csrf = input_value(&page, "_csrf_token");
        let r = post_login(&sim, &cookie, "admin", "wrong", &csrf).await;
        assert_eq!(r.status(), StatusCode::FOUND);
        let page = http()
            .get(format!("{}/user/login", sim.url()))
            .header(reqwest::header::COOKIE, format!("BAPID={cookie}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(error), "{v}: {page}");
        if v >= PimVersion::V5 {
            assert!(!page.contains("AknMessageBox"), "{v}");
        }
        assert_eq!(sim.state()["counters"]["login"], json!(1));
    }
}

#[tokio::test]
async fn analytics_collect_data_exposes_the_full_version() {
    for (v, full) in [
        (PimVersion::V4, "4.0.125"),
        (PimVersion::V5, "5.0.118"),
        (PimVersion::V6, "6.0.90"),
        (PimVersion::V7, "7.0.22"),
    ] {
        let sim = realistic(v).await;
        let s = Session::admin(&sim).await;
        let (st, body) = s.get("/analytics/collect_data").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(body["pim_edition"], "CE");
        assert_eq!(body["pim_version"], full);
    }
}

/// A simulator with the realistic defaults (30 users, 150 ms latency).
async fn realistic(v: PimVersion) -> SimHandle {
    pim_sim::start(pim_sim::SimConfig {
        pim_version: v,
        ..pim_sim::SimConfig::default()
    })
    .await
    .unwrap()
}

/// The role form's "Web API permissions" tab lists "List products"
/// (`action:pim_api_product_list`) from 6.0 on only (fact sheet §7), "List channels" always.
#[tokio::test]
async fn role_form_lists_the_product_acl_from_6x_only() {
    for v in [
        PimVersion::V4,
        PimVersion::V5,
        PimVersion::V6,
        PimVersion::V7,
    ] {
        let sim = realistic(v).await;
        let s = Session::admin(&sim).await;
        let html = s
            .req(Method::GET, "/user/role/create")
            .header("X-Requested-With", "XMLHttpRequest")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("action:pim_api_channel_list"), "{v:?}");
        assert_eq!(
            html.contains("action:pim_api_product_list"),
            v >= PimVersion::V6,
            "{v:?}"
        );
        sim.stop().await;
    }
}
