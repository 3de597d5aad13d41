//! HTTP-level tests of the simulator's REST API (`sim::api::router()`), served on a loopback
//! port by each test with its own database: OAuth token endpoint, public root, firewall
//! (401/403), resources, pagination and unknown routes, with Akeneo's exact texts.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use pim_sim::state::{State, ACL_API_OVERALL};
use pim_sim::{api, AppState, SimConfig};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A running API with its database and the credentials of one API connection.
struct Api {
    base: String,
    app: AppState,
    client_id: String,
    secret: String,
    http: reqwest::Client,
}

/// Password of every user the tests add.
const PW: &str = "secret-pw";

async fn start_with_latency(latency: Duration) -> Api {
    let mut db = State::new("admin", 3);
    let client_id = db.add_client("My very first API connection");
    let secret = db.clients.last().unwrap().secret.clone();
    let user_role = db.roles.iter().find(|r| r.label == "User").unwrap().id;
    let admin_role = db
        .roles
        .iter()
        .find(|r| r.label == "Administrator")
        .unwrap()
        .id;
    let api_role = db.add_role("ROLE_API", "API", [ACL_API_OVERALL.to_string()].into());
    db.add_user(
        "api_user",
        "api@example.com",
        "Api",
        "User",
        PW,
        vec![api_role],
    );
    db.add_user(
        "plain",
        "plain@example.com",
        "Plain",
        "User",
        PW,
        vec![user_role],
    );
    db.add_user(
        "boss",
        "boss@example.com",
        "Big",
        "Boss",
        PW,
        vec![admin_role],
    );
    let off = db.add_user(
        "gone",
        "gone@example.com",
        "Gone",
        "User",
        PW,
        vec![admin_role],
    );
    db.users.iter_mut().find(|u| u.id == off).unwrap().enabled = false;

    let app = AppState {
        db: Arc::new(Mutex::new(db)),
        cfg: Arc::new(SimConfig {
            latency,
            ..SimConfig::default()
        }),
        fault_runtime: Default::default(),
        requests: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = api::router().with_state(app.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    Api {
        base,
        app,
        client_id,
        secret,
        http: reqwest::Client::new(),
    }
}

async fn start() -> Api {
    start_with_latency(Duration::ZERO).await
}

/// A response reduced to what the tests look at.
struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }

    /// Asserts an API error: status and exact `{"code":N,"message":"…"}` body.
    fn assert_error(&self, status: u16, message: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert_eq!(self.json(), json!({"code": status, "message": message}));
    }
}

async fn reply(rb: reqwest::RequestBuilder) -> Reply {
    let r = rb.send().await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    Reply {
        status,
        headers,
        text: r.text().await.unwrap(),
    }
}

impl Api {
    fn basic(&self) -> String {
        let raw = format!("{}:{}", self.client_id, self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }

    /// POST to the token endpoint with an optional Content-Type and optional Basic auth.
    async fn token_raw(&self, content_type: Option<&str>, body: &str, basic: bool) -> Reply {
        let mut rb = self.http.post(format!("{}/api/oauth/v1/token", self.base));
        if let Some(ct) = content_type {
            rb = rb.header(CONTENT_TYPE, ct);
        }
        if basic {
            rb = rb.header(AUTHORIZATION, self.basic());
        }
        reply(rb.body(body.to_string())).await
    }

    /// JSON body, Basic client auth.
    async fn token_json(&self, body: Value) -> Reply {
        self.token_raw(Some("application/json"), &body.to_string(), true)
            .await
    }

    /// Password grant for `username`, returns `(access, refresh)`.
    async fn login(&self, username: &str) -> (String, String) {
        let r = self
            .token_json(json!({"grant_type": "password", "username": username, "password": PW}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let v = r.json();
        (
            v["access_token"].as_str().unwrap().into(),
            v["refresh_token"].as_str().unwrap().into(),
        )
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut rb = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        reply(rb).await
    }
}

/// Asserts that `keys` appear in this order in the raw JSON text.
fn assert_key_order(text: &str, keys: &[&str]) {
    let positions: Vec<usize> = keys
        .iter()
        .map(|k| {
            text.find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("no key {k}: {text}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "key order {keys:?} in {text}"
    );
}

const INVALID_REQUEST: &str =
    "Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid";
const INVALID_CLIENT: &str =
    "Parameter \"client_id\" is missing or does not match any client, or secret is invalid";
const UNAUTHORIZED_CLIENT: &str = "This grant type is not authorized for this client";
const INVALID_GRANT: &str = "No user found for the given username and password";
const REFRESH_MISSING: &str = "Parameter \"grant_type\" or \"refresh_token\" is missing or empty";
const REFRESH_INVALID: &str = "Refresh token is invalid or has expired";
const NO_API_ACCESS: &str = "You are not allowed to access the web API.";

#[tokio::test]
async fn token_with_json_body_and_basic_auth_has_akeneo_shape_and_headers() {
    let api = start().await;
    let r = api
        .token_json(json!({"grant_type":"password","username":"api_user","password":PW}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_key_order(
        &r.text,
        &[
            "access_token",
            "expires_in",
            "token_type",
            "scope",
            "refresh_token",
        ],
    );
    let v = r.json();
    assert_eq!(v.as_object().unwrap().len(), 5);
    assert_eq!(v["expires_in"], json!(3600));
    assert_eq!(v["token_type"], json!("bearer"));
    assert_eq!(v["scope"], Value::Null);
    let access = v["access_token"].as_str().unwrap();
    assert!(access.len() >= 40 && access != v["refresh_token"].as_str().unwrap());
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["pragma"], "no-cache");
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));

    let db = api.app.lock();
    assert_eq!(db.counters.token, 1);
    let stored = db
        .tokens
        .iter()
        .find(|t| t.access == access)
        .expect("token stored");
    assert_eq!(stored.client_id, api.client_id);
    assert_eq!(stored.user_id, db.user_by_name("api_user").unwrap().id);
}

#[tokio::test]
async fn token_accepts_form_body_and_client_credentials_in_body() {
    let api = start().await;
    // Form body, client in the body.
    let form = format!(
        "grant_type=password&username=api_user&password={PW}&client_id={}&client_secret={}",
        api.client_id, api.secret
    );
    let r = api
        .token_raw(Some("application/x-www-form-urlencoded"), &form, false)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["token_type"], "bearer");
    // Form body, Basic auth, charset parameter on the content type.
    let form = format!("grant_type=password&username=api_user&password={PW}");
    let r = api
        .token_raw(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            &form,
            true,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // JSON body, client in the body.
    let body = json!({"grant_type":"password","username":"api_user","password":PW,
        "client_id": api.client_id, "client_secret": api.secret});
    let r = api
        .token_raw(Some("application/json"), &body.to_string(), false)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(api.app.lock().counters.token, 3);
    assert_eq!(api.app.lock().tokens.len(), 3);
}

#[tokio::test]
async fn token_rejects_other_or_missing_content_type_with_415() {
    let api = start().await;
    let body = json!({"grant_type":"password","username":"api_user","password":PW}).to_string();
    api.token_raw(Some("application/xml"), &body, true).await.assert_error(
        415,
        "\"application/xml\" in \"Content-Type\" header is not valid. Only \"application/json\" or \"application/x-www-form-urlencoded\" are allowed.",
    );
    api.token_raw(Some("text/plain; charset=utf-8"), &body, true).await.assert_error(
        415,
        "\"text/plain\" in \"Content-Type\" header is not valid. Only \"application/json\" or \"application/x-www-form-urlencoded\" are allowed.",
    );
    api.token_raw(None, &body, true).await.assert_error(
        415,
        "The \"Content-Type\" header is missing. \"application/json\" or \"application/x-www-form-urlencoded\" has to be specified as value.",
    );
    assert!(api.app.lock().tokens.is_empty());
    assert_eq!(api.app.lock().counters.token, 3);
}

#[tokio::test]
async fn token_body_over_300_bytes_is_413_and_300_bytes_pass() {
    let api = start().await;
    let with_pad = |n: usize| {
        let mut body =
            json!({"grant_type":"password","username":"api_user","password":PW,"x":""}).to_string();
        let pad = "a".repeat(n - body.len());
        body = body.replace("\"x\":\"\"", &format!("\"x\":\"{pad}\""));
        assert_eq!(body.len(), n);
        body
    };
    api.token_raw(Some("application/json"), &with_pad(301), true)
        .await
        .assert_error(
            413,
            "Request content exceeded the maximum allowed size of 300 bytes",
        );
    let r = api
        .token_raw(Some("application/json"), &with_pad(300), true)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // Form bodies are limited too.
    let form = format!(
        "grant_type=password&username=api_user&password={PW}&x={}",
        "b".repeat(300)
    );
    api.token_raw(Some("application/x-www-form-urlencoded"), &form, true)
        .await
        .assert_error(
            413,
            "Request content exceeded the maximum allowed size of 300 bytes",
        );
}

#[tokio::test]
async fn token_invalid_json_is_400() {
    let api = start().await;
    api.token_raw(Some("application/json"), "{\"grant_type\":", true)
        .await
        .assert_error(400, "Invalid json message received");
}

#[tokio::test]
async fn token_errors_are_422_with_token_controller_messages() {
    let api = start().await;
    let pw = |user: &str, password: &str| json!({"grant_type":"password","username":user,"password":password});
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"grant_type":"passwordd","username":"api_user","password":PW}),
            INVALID_REQUEST,
        ),
        (
            json!({"username":"api_user","password":PW}),
            INVALID_REQUEST,
        ),
        (
            json!({"grant_type":"","username":"api_user","password":PW}),
            INVALID_REQUEST,
        ),
        (
            json!({"grant_type":"password","password":PW}),
            INVALID_REQUEST,
        ),
        (
            json!({"grant_type":"password","username":"api_user","password":""}),
            INVALID_REQUEST,
        ),
        (
            json!({"grant_type":"token","username":"api_user","password":PW}),
            UNAUTHORIZED_CLIENT,
        ),
        (
            json!({"grant_type":"client_credentials"}),
            UNAUTHORIZED_CLIENT,
        ),
        (pw("api_user", "wrong"), INVALID_GRANT),
        (pw("nobody", PW), INVALID_GRANT),
        (pw("gone", PW), INVALID_GRANT),
        (json!({"grant_type":"refresh_token"}), REFRESH_MISSING),
        (
            json!({"grant_type":"refresh_token","refresh_token":""}),
            REFRESH_MISSING,
        ),
        (
            json!({"grant_type":"refresh_token","refresh_token":"nope"}),
            REFRESH_INVALID,
        ),
    ];
    for (body, message) in cases {
        let r = api.token_json(body.clone()).await;
        assert_eq!(r.status.as_u16(), 422, "{body}: {}", r.text);
        assert_eq!(
            r.json(),
            json!({"code":422,"message":message}),
            "for {body}"
        );
    }
    assert!(api.app.lock().tokens.is_empty());
}

#[tokio::test]
async fn token_client_errors_are_422_invalid_client() {
    let api = start().await;
    let body = json!({"grant_type":"password","username":"api_user","password":PW}).to_string();
    // No client authentication at all.
    api.token_raw(Some("application/json"), &body, false)
        .await
        .assert_error(422, INVALID_CLIENT);
    // Wrong secret, unknown client id: Basic and body.
    let bad = |id: &str, secret: &str| {
        let raw = format!("{id}:{secret}");
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    };
    for auth in [
        bad(&api.client_id, "wrong"),
        bad("99_unknown", &api.secret),
        "Basic !!!".into(),
    ] {
        let r = reply(
            api.http
                .post(format!("{}/api/oauth/v1/token", api.base))
                .header(CONTENT_TYPE, "application/json")
                .header(AUTHORIZATION, auth)
                .body(body.clone()),
        )
        .await;
        r.assert_error(422, INVALID_CLIENT);
    }
    let in_body = json!({"grant_type":"password","username":"api_user","password":PW,
        "client_id": api.client_id, "client_secret": "wrong"});
    api.token_raw(Some("application/json"), &in_body.to_string(), false)
        .await
        .assert_error(422, INVALID_CLIENT);
    // The grant type is checked before the client, as oauth2-php does.
    let r = api
        .token_raw(
            Some("application/json"),
            r#"{"grant_type":"passwordd"}"#,
            false,
        )
        .await;
    r.assert_error(422, INVALID_REQUEST);
    // Refresh grant with a bad client: the client message, not a refresh one.
    api.token_raw(
        Some("application/json"),
        r#"{"grant_type":"refresh_token"}"#,
        false,
    )
    .await
    .assert_error(422, INVALID_CLIENT);
}

#[tokio::test]
async fn refresh_grant_rotates_and_invalidates_the_old_refresh_token() {
    let api = start().await;
    let (access1, refresh1) = api.login("api_user").await;
    let r = api
        .token_json(json!({"grant_type":"refresh_token","refresh_token":refresh1}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_key_order(
        &r.text,
        &[
            "access_token",
            "expires_in",
            "token_type",
            "scope",
            "refresh_token",
        ],
    );
    let v = r.json();
    let (access2, refresh2) = (
        v["access_token"].as_str().unwrap(),
        v["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(access2, access1);
    assert_ne!(refresh2, refresh1);
    // The new access token works and belongs to the same user.
    assert_eq!(
        api.get("/api/rest/v1/products", Some(access2)).await.status,
        StatusCode::OK
    );
    // The old refresh token is dead.
    api.token_json(json!({"grant_type":"refresh_token","refresh_token":refresh1}))
        .await
        .assert_error(422, REFRESH_INVALID);
    // The new one works once, form-encoded this time.
    let form = format!("grant_type=refresh_token&refresh_token={refresh2}");
    let r = api
        .token_raw(Some("application/x-www-form-urlencoded"), &form, true)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api
        .token_raw(Some("application/x-www-form-urlencoded"), &form, true)
        .await;
    r.assert_error(422, REFRESH_INVALID);
}

#[tokio::test]
async fn refresh_token_of_another_client_is_invalid() {
    let api = start().await;
    let (_, refresh) = api.login("api_user").await;
    let (other_id, other_secret) = {
        let mut db = api.app.lock();
        let id = db.add_client("Other");
        (id, db.clients.last().unwrap().secret.clone())
    };
    let body = json!({"grant_type":"refresh_token","refresh_token":refresh,
        "client_id": other_id, "client_secret": other_secret});
    api.token_raw(Some("application/json"), &body.to_string(), false)
        .await
        .assert_error(422, REFRESH_INVALID);
}

#[tokio::test]
async fn user_without_overall_access_gets_a_token_then_403() {
    let api = start().await;
    let (access, _) = api.login("plain").await;
    for path in [
        "/api/rest/v1/products",
        "/api/rest/v1/products/1111111171",
        "/api/rest/v1/products/no-such-product",
        "/api/rest/v1/channels",
        "/api/rest/v1/currencies",
        "/api/rest/v1/channels/ecommerce",
    ] {
        let r = api.get(path, Some(&access)).await;
        r.assert_error(403, NO_API_ACCESS);
    }
    // Granting the ACL to the role opens the API with the same token.
    {
        let mut db = api.app.lock();
        let role = db.roles.iter_mut().find(|r| r.label == "User").unwrap();
        role.acls.insert(ACL_API_OVERALL.to_string());
    }
    assert_eq!(
        api.get("/api/rest/v1/products", Some(&access)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn resources_without_token_are_401_authentication_required() {
    let api = start().await;
    for path in [
        "/api/rest/v1/products",
        "/api/rest/v1/channels",
        "/api/rest/v1/currencies",
        "/api/rest/v1/products/1111111171",
    ] {
        api.get(path, None)
            .await
            .assert_error(401, "Authentication is required");
    }
    // A non-Bearer Authorization is no token either.
    let r = reply(
        api.http
            .get(format!("{}/api/rest/v1/products", api.base))
            .header(AUTHORIZATION, api.basic()),
    )
    .await;
    r.assert_error(401, "Authentication is required");
}

#[tokio::test]
async fn unknown_expired_and_revoked_tokens_are_401() {
    let api = start().await;
    api.get("/api/rest/v1/products", Some("not-a-token"))
        .await
        .assert_error(401, "The access token provided is invalid.");

    let (access, _) = api.login("api_user").await;
    assert_eq!(
        api.get("/api/rest/v1/products", Some(&access)).await.status,
        StatusCode::OK
    );
    {
        let mut db = api.app.lock();
        let t = db.tokens.iter_mut().find(|t| t.access == access).unwrap();
        t.expires_at = Instant::now() - Duration::from_secs(1);
    }
    api.get("/api/rest/v1/products", Some(&access))
        .await
        .assert_error(401, "The access token provided has expired.");
    // Expiry is checked before the ACLs.
    api.get("/api/rest/v1/channels", Some(&access))
        .await
        .assert_error(401, "The access token provided has expired.");

    // Revoking the API connection kills its tokens.
    let (access, _) = api.login("api_user").await;
    api.app.lock().clients.clear();
    api.get("/api/rest/v1/products", Some(&access))
        .await
        .assert_error(401, "The access token provided is invalid.");
}

#[tokio::test]
async fn access_token_query_parameter_is_accepted() {
    let api = start().await;
    let (access, _) = api.login("api_user").await;
    let r = api
        .get(
            &format!("/api/rest/v1/products?limit=2&access_token={access}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["_embedded"]["items"].as_array().unwrap().len(), 2);
    assert!(
        !r.text.contains(&access),
        "the token must not leak into links"
    );
}

#[tokio::test]
async fn root_endpoint_is_public_and_lists_routes() {
    let api = start().await;
    for token in [None, Some("garbage")] {
        let r = api.get("/api/rest/v1", token).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_key_order(&r.text, &["host", "authentication", "routes"]);
        let v = r.json();
        assert_eq!(v["host"], json!(api.base));
        assert_eq!(
            v["authentication"],
            json!({"fos_oauth_server_token":{"route":"/api/oauth/v1/token","methods":["POST"]}})
        );
        assert_eq!(
            v["routes"]["pim_api_product_list"],
            json!({"route":"/api/rest/v1/products","methods":["GET"]})
        );
        assert_eq!(
            v["routes"]["pim_api_channel_list"]["route"],
            "/api/rest/v1/channels"
        );
        assert_eq!(
            v["routes"]["pim_api_currency_list"]["route"],
            "/api/rest/v1/currencies"
        );
    }
}

#[tokio::test]
async fn products_list_has_akeneo_hal_shape_and_pagination() {
    let api = start().await;
    let (access, _) = api.login("api_user").await;
    let r = api.get("/api/rest/v1/products", Some(&access)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_key_order(&r.text, &["_links", "current_page", "_embedded"]);
    let v = r.json();
    let list = format!("{}/api/rest/v1/products", api.base);
    assert_eq!(
        v["_links"]["self"]["href"],
        json!(format!(
            "{list}?page=1&with_count=false&pagination_type=page&limit=10"
        ))
    );
    assert_eq!(v["_links"]["first"], v["_links"]["self"]);
    assert_eq!(
        v["_links"]["next"]["href"],
        json!(format!(
            "{list}?page=2&with_count=false&pagination_type=page&limit=10"
        ))
    );
    assert!(v["_links"].get("previous").is_none());
    assert_eq!(v["current_page"], 1);
    assert!(v.get("items_count").is_none());
    let items = v["_embedded"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    let first = &items[0];
    let id = first["identifier"].as_str().unwrap();
    assert_eq!(
        first["_links"]["self"]["href"],
        json!(format!("{list}/{id}"))
    );
    for key in [
        "family",
        "groups",
        "categories",
        "enabled",
        "values",
        "created",
        "updated",
    ] {
        assert!(first.get(key).is_some(), "product has no {key}: {first}");
    }
    assert_eq!(first["values"]["sku"][0]["data"], json!(id));

    // Last page: fewer items than the limit, a previous link, no next.
    let r = api
        .get(
            "/api/rest/v1/products?limit=5&page=3&with_count=true",
            Some(&access),
        )
        .await;
    let v = r.json();
    assert_eq!(v["current_page"], 3);
    assert_eq!(v["items_count"], 12);
    assert_eq!(v["_embedded"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        v["_links"]["previous"]["href"],
        json!(format!(
            "{list}?page=2&with_count=true&pagination_type=page&limit=5"
        ))
    );
    assert!(v["_links"].get("next").is_none());
    assert_eq!(
        api.get("/api/rest/v1/products?limit=100", Some(&access))
            .await
            .json()["_embedded"]["items"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
}

#[tokio::test]
async fn products_bad_limit_or_page_is_422() {
    let api = start().await;
    let (access, _) = api.login("api_user").await;
    for (query, message) in [
        ("limit=0", "\"0\" is not a valid limit number."),
        ("limit=-3", "\"-3\" is not a valid limit number."),
        ("limit=abc", "\"abc\" is not a valid limit number."),
        ("limit=1.5", "\"1.5\" is not a valid limit number."),
        ("limit=101", "You cannot request more than 100 items."),
        ("page=0", "\"0\" is not a valid page number."),
        ("page=x&limit=101", "\"x\" is not a valid page number."),
    ] {
        api.get(&format!("/api/rest/v1/products?{query}"), Some(&access))
            .await
            .assert_error(422, message);
        api.get(
            &format!("/api/rest/v1/currencies?{query}"),
            Some(&api.login("boss").await.0),
        )
        .await
        .assert_error(422, message);
    }
    // Authentication comes before parameter validation.
    api.get("/api/rest/v1/products?limit=0", None)
        .await
        .assert_error(401, "Authentication is required");
}

#[tokio::test]
async fn channels_and_currencies_need_their_list_acl() {
    let api = start().await;
    let (access, _) = api.login("api_user").await; // overall access only
    api.get("/api/rest/v1/channels", Some(&access))
        .await
        .assert_error(
            403,
            "Access forbidden. You are not allowed to list channels.",
        );
    api.get("/api/rest/v1/channels/ecommerce", Some(&access))
        .await
        .assert_error(
            403,
            "Access forbidden. You are not allowed to list channels.",
        );
    api.get("/api/rest/v1/currencies", Some(&access))
        .await
        .assert_error(
            403,
            "Access forbidden. You are not allowed to list currencies.",
        );
    // Granting the channel ACL opens channels but not currencies.
    {
        let mut db = api.app.lock();
        let role = db.roles.iter_mut().find(|r| r.label == "API").unwrap();
        role.acls.insert("pim_api_channel_list".into());
    }
    assert_eq!(
        api.get("/api/rest/v1/channels", Some(&access)).await.status,
        StatusCode::OK
    );
    api.get("/api/rest/v1/currencies", Some(&access))
        .await
        .assert_error(
            403,
            "Access forbidden. You are not allowed to list currencies.",
        );
}

#[tokio::test]
async fn channels_and_currencies_lists_have_akeneo_shapes() {
    let api = start().await;
    let (access, _) = api.login("boss").await; // Administrator: every ACL
    let r = api.get("/api/rest/v1/channels", Some(&access)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_key_order(
        &r.text,
        &[
            "_links",
            "code",
            "currencies",
            "locales",
            "category_tree",
            "conversion_units",
            "labels",
        ],
    );
    let v = r.json();
    let list = format!("{}/api/rest/v1/channels", api.base);
    assert_eq!(
        v["_links"]["self"]["href"],
        json!(format!("{list}?page=1&limit=10&with_count=false"))
    );
    let items = v["_embedded"]["items"].as_array().unwrap();
    let codes: Vec<&str> = items.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["ecommerce", "mobile", "print"]);
    assert_eq!(
        items[0]["_links"]["self"]["href"],
        json!(format!("{list}/ecommerce"))
    );
    assert_eq!(items[0]["category_tree"], "master");
    assert!(items[0]["currencies"]
        .as_array()
        .unwrap()
        .contains(&json!("EUR")));
    assert!(items[0]["labels"]["en_US"].is_string());
    assert!(v["_links"].get("next").is_none());

    let r = api
        .get("/api/rest/v1/currencies?limit=100", Some(&access))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    let items = v["_embedded"]["items"].as_array().unwrap();
    let eur = items.iter().find(|c| c["code"] == "EUR").unwrap();
    assert_eq!(eur["enabled"], true);
    assert_eq!(
        eur.as_object().unwrap().len(),
        3,
        "_links, code, enabled: {eur}"
    );
    assert!(items.iter().any(|c| c["enabled"] == false));
}

#[tokio::test]
async fn single_items_and_their_404() {
    let api = start().await;
    let (access, _) = api.login("boss").await;
    let r = api
        .get("/api/rest/v1/products/1111111171", Some(&access))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_key_order(
        &r.text,
        &["identifier", "family", "values", "created", "updated"],
    );
    assert_eq!(r.json()["identifier"], "1111111171");
    api.get("/api/rest/v1/products/nope", Some(&access))
        .await
        .assert_error(404, "Product \"nope\" does not exist.");
    assert_eq!(
        api.get("/api/rest/v1/channels/print", Some(&access))
            .await
            .json()["code"],
        "print"
    );
    api.get("/api/rest/v1/channels/web", Some(&access))
        .await
        .assert_error(404, "Channel \"web\" does not exist.");
    api.get("/api/rest/v1/currencies/XXX", Some(&access))
        .await
        .assert_error(404, "Currency \"XXX\" does not exist.");
}

#[tokio::test]
async fn unknown_api_paths_are_404_no_route_and_wrong_methods_405() {
    let api = start().await;
    let (access, _) = api.login("api_user").await;
    for token in [None, Some(access.as_str())] {
        api.get("/api/rest/v1/unknown?limit=3", token)
            .await
            .assert_error(404, "No route found for \"GET /api/rest/v1/unknown\"");
        api.get("/api/rest/v1/", token)
            .await
            .assert_error(404, "No route found for \"GET /api/rest/v1/\"");
    }
    api.get("/api/oauth/v1/token", None).await.assert_error(
        405,
        "No route found for \"GET /api/oauth/v1/token\": Method Not Allowed (Allow: POST)",
    );
}

#[tokio::test]
async fn every_endpoint_sleeps_the_configured_latency() {
    let api = start_with_latency(Duration::from_millis(200)).await;
    for path in [
        "/api/rest/v1",
        "/api/rest/v1/products",
        "/api/rest/v1/nothing",
    ] {
        let t = Instant::now();
        api.get(path, None).await;
        assert!(
            t.elapsed() >= Duration::from_millis(200),
            "{path} answered too fast"
        );
    }
    let t = Instant::now();
    let r = api
        .token_json(json!({"grant_type":"password","username":"api_user","password":PW}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(t.elapsed() >= Duration::from_millis(200));
}
