//! `GET /api/rest/v1` (public) and the resources: products (Overall Web API access only, as in
//! 2.x–5.x), channels and currencies (plus their own List ACL). Lists use Akeneo's offset HAL
//! pagination (`OffsetHalPaginator`), parameters checked by `PaginationParametersValidator`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::auth::authorize;
use super::catalog::{self, Ordered};
use super::error;
use crate::AppState;

/// Items per page when `limit` is absent (`pagination.limit_by_default`).
pub const LIMIT_BY_DEFAULT: usize = 10;
/// Largest accepted `limit` (`pagination.limit_max`).
pub const LIMIT_MAX: i64 = 100;

/// 403 for `/channels` with overall access but without `pim_api_channel_list`.
pub const MSG_CHANNEL_LIST_DENIED: &str = "Access forbidden. You are not allowed to list channels.";
/// 403 for `/currencies` with overall access but without `pim_api_currency_list`.
pub const MSG_CURRENCY_LIST_DENIED: &str =
    "Access forbidden. You are not allowed to list currencies.";

const CHANNEL_ACL: (&str, &str) = ("pim_api_channel_list", MSG_CHANNEL_LIST_DENIED);
const CURRENCY_ACL: (&str, &str) = ("pim_api_currency_list", MSG_CURRENCY_LIST_DENIED);

/// 403 for `/products` (6.0+) with overall access but without `pim_api_product_list`.
pub const MSG_PRODUCT_LIST_DENIED: &str = "Access forbidden. You are not allowed to list products.";

/// The products' own List ACL, checked from 6.0 only ("until the 5.0 version, users with
/// Overall Web API were able to make requests on products").
fn product_acl(app: &AppState) -> Option<(&'static str, &'static str)> {
    (app.cfg.pim_version >= crate::PimVersion::V6)
        .then_some(("pim_api_product_list", MSG_PRODUCT_LIST_DENIED))
}

#[derive(Serialize)]
struct RouteInfo {
    route: &'static str,
    methods: Vec<&'static str>,
}

#[derive(Serialize)]
struct RootBody {
    host: String,
    authentication: Ordered<RouteInfo>,
    routes: Ordered<RouteInfo>,
}

/// `scheme://host` of the request (`Request::getSchemeAndHttpHost()`).
fn host(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// `GET /api/rest/v1`: public, the token is ignored.
pub async fn root(State(app): State<AppState>, headers: HeaderMap) -> Response {
    app.latency().await;
    let body = RootBody {
        host: host(&headers),
        authentication: Ordered(vec![(
            "fos_oauth_server_token".into(),
            RouteInfo {
                route: "/api/oauth/v1/token",
                methods: vec!["POST"],
            },
        )]),
        routes: Ordered(
            catalog::ROUTES
                .iter()
                .map(|&(name, route, method)| {
                    (
                        name.to_string(),
                        RouteInfo {
                            route,
                            methods: vec![method],
                        },
                    )
                })
                .collect(),
        ),
    };
    Json(body).into_response()
}

#[derive(Serialize)]
struct Href {
    href: String,
}

#[derive(Serialize)]
struct ItemLinks {
    #[serde(rename = "self")]
    self_: Href,
}

#[derive(Serialize)]
struct Item<T> {
    _links: ItemLinks,
    #[serde(flatten)]
    item: T,
}

#[derive(Serialize)]
struct PageLinks {
    #[serde(rename = "self")]
    self_: Href,
    first: Href,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous: Option<Href>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<Href>,
}

#[derive(Serialize)]
struct Embedded<T> {
    items: Vec<Item<T>>,
}

#[derive(Serialize)]
struct PageBody<T> {
    _links: PageLinks,
    current_page: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    items_count: Option<usize>,
    _embedded: Embedded<T>,
}

/// PHP's `strval($p) === strval(intval($p))`.
fn php_integer(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| n.to_string() == s)
}

/// `PaginationParametersValidator`: page, then limit. Errors are the 422 messages.
fn validate(query: &[(String, String)]) -> Result<(), String> {
    let get = |k: &str| {
        query
            .iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if let Some(page) = get("page") {
        if php_integer(page).is_none_or(|p| p < 1) {
            return Err(format!("\"{page}\" is not a valid page number."));
        }
    }
    if let Some(limit) = get("limit") {
        match php_integer(limit) {
            Some(l) if l >= 1 => {
                if l > LIMIT_MAX {
                    return Err(format!("You cannot request more than {LIMIT_MAX} items."));
                }
            }
            _ => return Err(format!("\"{limit}\" is not a valid limit number.")),
        }
    }
    Ok(())
}

/// PHP `array_merge` of string-keyed arrays: existing keys keep their place.
fn merge(mut base: Vec<(String, String)>, over: &[(String, String)]) -> Vec<(String, String)> {
    for (k, v) in over {
        match base.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.clone(),
            None => base.push((k.clone(), v.clone())),
        }
    }
    base
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `OffsetHalPaginator::paginate` over `all`, with the merged query parameters `params`.
fn paginate<T: Serialize + Clone>(
    base: &str,
    list_path: &str,
    params: Vec<(String, String)>,
    all: &[T],
    id: impl Fn(&T) -> &str,
) -> Response {
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let page: i64 = get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let limit: usize = get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(LIMIT_BY_DEFAULT);
    let with_count = get("with_count").as_deref() == Some("true");
    let offset = (page as usize - 1).saturating_mul(limit);
    let items: Vec<T> = all.iter().skip(offset).take(limit).cloned().collect();

    let link = |page: i64| {
        let mut p = params.clone();
        if let Some(slot) = p.iter_mut().find(|(k, _)| k == "page") {
            slot.1 = page.to_string();
        }
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&p)
            .finish();
        Href {
            href: format!("{base}{list_path}?{query}"),
        }
    };
    let links = PageLinks {
        self_: link(page),
        first: link(1),
        previous: (page >= 2).then(|| link(page - 1)),
        // Akeneo's rule: a full page always links to a next one, even if it is empty.
        next: (items.len() >= limit).then(|| link(page + 1)),
    };
    let items = items
        .into_iter()
        .map(|item| Item {
            _links: ItemLinks {
                self_: Href {
                    href: format!("{base}{list_path}/{}", encode_segment(id(&item))),
                },
            },
            item,
        })
        .collect();
    Json(PageBody {
        _links: links,
        current_page: page,
        items_count: with_count.then_some(all.len()),
        _embedded: Embedded { items },
    })
    .into_response()
}

fn encode_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// `GET /api/rest/v1/products`.
pub async fn list_products(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    app.latency().await;
    let query = query_pairs(raw);
    if let Err((status, message)) = authorize(&app, &headers, &query, product_acl(&app)) {
        return error(status, message);
    }
    if let Err(msg) = validate(&query) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, msg);
    }
    let defaults = pairs(&[("pagination_type", "page"), ("limit", "10")]);
    let params = merge(
        pairs(&[("page", "1"), ("with_count", "false")]),
        &merge(defaults, &query),
    );
    let params: Vec<_> = params
        .into_iter()
        .filter(|(k, _)| k != "access_token")
        .collect();
    paginate(
        &host(&headers),
        "/api/rest/v1/products",
        params,
        &catalog::products(),
        |p| p.identifier,
    )
}

/// `GET /api/rest/v1/channels`.
pub async fn list_channels(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    list_simple(
        app,
        headers,
        raw,
        CHANNEL_ACL,
        "/api/rest/v1/channels",
        &catalog::channels(),
        |c| c.code,
    )
    .await
}

/// `GET /api/rest/v1/currencies`.
pub async fn list_currencies(
    State(app): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let all = catalog::currencies();
    list_simple(
        app,
        headers,
        raw,
        CURRENCY_ACL,
        "/api/rest/v1/currencies",
        &all,
        |c| c.code,
    )
    .await
}

/// The list action of the simple resources (channels, currencies): defaults page, limit,
/// with_count, in that order.
async fn list_simple<T: Serialize + Clone>(
    app: AppState,
    headers: HeaderMap,
    raw: Option<String>,
    acl: (&str, &'static str),
    path: &str,
    all: &[T],
    id: impl Fn(&T) -> &str,
) -> Response {
    app.latency().await;
    let query = query_pairs(raw);
    if let Err((status, message)) = authorize(&app, &headers, &query, Some(acl)) {
        return error(status, message);
    }
    if let Err(msg) = validate(&query) {
        return error(StatusCode::UNPROCESSABLE_ENTITY, msg);
    }
    let defaults = pairs(&[("page", "1"), ("limit", "10"), ("with_count", "false")]);
    let params = merge(defaults, &query);
    let params: Vec<_> = params
        .into_iter()
        .filter(|(k, _)| k != "access_token")
        .collect();
    paginate(&host(&headers), path, params, all, id)
}

/// One item of a resource, or 404 `<Entity> "<code>" does not exist.`.
async fn get_one<T: Serialize>(
    app: AppState,
    headers: HeaderMap,
    raw: Option<String>,
    acl: Option<(&str, &'static str)>,
    entity: &str,
    code: &str,
    found: Option<T>,
) -> Response {
    app.latency().await;
    let query = query_pairs(raw);
    if let Err((status, message)) = authorize(&app, &headers, &query, acl) {
        return error(status, message);
    }
    match found {
        Some(item) => Json(item).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("{entity} \"{code}\" does not exist."),
        ),
    }
}

/// `GET /api/rest/v1/products/{code}`.
pub async fn get_product(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let found = catalog::products()
        .into_iter()
        .find(|p| p.identifier == code);
    let acl = product_acl(&app);
    get_one(app, headers, raw, acl, "Product", &code, found).await
}

/// `GET /api/rest/v1/channels/{code}`.
pub async fn get_channel(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let found = catalog::channels().into_iter().find(|c| c.code == code);
    get_one(
        app,
        headers,
        raw,
        Some(CHANNEL_ACL),
        "Channel",
        &code,
        found,
    )
    .await
}

/// `GET /api/rest/v1/currencies/{code}`.
pub async fn get_currency(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let found = catalog::currencies().into_iter().find(|c| c.code == code);
    get_one(
        app,
        headers,
        raw,
        Some(CURRENCY_ACL),
        "Currency",
        &code,
        found,
    )
    .await
}
