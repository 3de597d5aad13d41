//! Datagrid JSON: `GET /datagrid/{grid}` (`{"data":[..],"options":{"totalRecords":N}}`) and
//! `GET /datagrid/{grid}/load` (`{"metadata":{..},"data":"<JSON string>"}`), for the grids
//! `pim-user-grid`, `pim-role-grid`, `pim-role-user-grid` and `api-connection-grid`.
//!
//! Parameters use the `pim/pageable-collection` names: `{grid}[_pager][_page]`,
//! `{grid}[_pager][_per_page]`, `{grid}[_sort_by][{column}]=ASC|DESC`, `{grid}[role_id]`,
//! `{grid}[_filter][label][value]`.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::session::json_error;
use super::state::{State as Db, UserKind};
use super::AppState;

/// Rows per page unless asked otherwise (Oro toolbar default).
pub const PAGE_SIZE: usize = 25;

/// The parsed grid parameters.
#[derive(Debug, Clone)]
pub struct GridQuery {
    /// 1-based page.
    pub page: usize,
    /// Rows per page.
    pub per_page: usize,
    /// `(column, descending)`.
    pub sort: Option<(String, bool)>,
    /// Role of the role-user grid (None on role creation).
    pub role_id: Option<u64>,
    /// Label search of the API-connection grid.
    pub label_filter: Option<String>,
    /// Oro string filters `{grid}[_filter][{column}][value]` (with `[type]`: `3` equals,
    /// otherwise contains), on the user grids' `username` and the role grid's `label`.
    pub filters: Vec<(String, String, bool)>,
}

impl GridQuery {
    /// Parses the query string of `grid`; a malformed number is an error message.
    pub fn parse(grid: &str, raw: Option<&str>) -> Result<Self, String> {
        let mut q = GridQuery {
            page: 1,
            per_page: PAGE_SIZE,
            sort: None,
            role_id: None,
            label_filter: None,
            filters: Vec::new(),
        };
        let mut exact: Vec<String> = Vec::new();
        let prefix = format!("{grid}[");
        for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let Some(rest) = k.strip_prefix(&prefix) else {
                continue;
            };
            let rest = rest.to_string();
            let num = |v: &str| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("invalid value for {k}: {v:?}"))
            };
            if rest == "_pager][_page]" {
                q.page = num(&v)?.max(1);
            } else if rest == "_pager][_per_page]" {
                q.per_page = num(&v)?.clamp(1, 500);
            } else if let Some(col) = rest
                .strip_prefix("_sort_by][")
                .and_then(|c| c.strip_suffix(']'))
            {
                q.sort = Some((col.to_string(), v.eq_ignore_ascii_case("DESC")));
            } else if rest == "role_id]" {
                if !v.is_empty() && v != "null" {
                    q.role_id = Some(num(&v)? as u64);
                }
            } else if let Some(col) = rest
                .strip_prefix("_filter][")
                .and_then(|c| c.strip_suffix("][value]"))
            {
                if col == "label" {
                    q.label_filter = Some(v.to_string()).filter(|s| !s.is_empty());
                }
                if !v.is_empty() {
                    q.filters.push((col.to_string(), v.to_string(), false));
                }
            } else if let Some(col) = rest
                .strip_prefix("_filter][")
                .and_then(|c| c.strip_suffix("][type]"))
            {
                if v == "3" {
                    exact.push(col.to_string());
                }
            }
        }
        for f in &mut q.filters {
            f.2 = exact.contains(&f.0);
        }
        Ok(q)
    }
}

/// All rows of a grid, in the requested order, as JSON objects (None for an unknown grid).
pub fn rows(db: &Db, grid: &str, q: &GridQuery) -> Option<Vec<Value>> {
    let mut rows: Vec<Value> = match grid {
        "pim-role-user-grid" => db
            .users
            .iter()
            // API users (connections, 4.x+) are hidden: the grids filter on `u.type = user`.
            .filter(|u| u.kind == UserKind::Ui)
            .map(|u| {
                json!({
                    "id": u.id, "username": u.username, "email": u.email,
                    "firstName": u.first_name, "lastName": u.last_name,
                    "has_role": q.role_id.is_some_and(|r| u.roles.contains(&r)),
                })
            })
            .collect(),
        "pim-user-grid" => db
            .users
            .iter()
            // API users (connections, 4.x+) are hidden: the grids filter on `u.type = user`.
            .filter(|u| u.kind == UserKind::Ui)
            .map(|u| {
                let roles: Vec<String> =
                    u.roles.iter().filter_map(|r| db.role(*r)).map(|r| r.label.clone()).collect();
                json!({
                    "id": u.id, "username": u.username, "email": u.email,
                    "firstName": u.first_name, "lastName": u.last_name,
                    "enabled": u.enabled, "roles": roles.join(", "),
                    "delete_link": format!("/rest/user/{}", u.id),
                })
            })
            .collect(),
        "pim-role-grid" => db
            .roles
            .iter()
            .map(|r| json!({"id": r.id, "label": r.label, "update_link": format!("#/user/role/update/{}", r.id), "delete_link": format!("/user/role/delete/{}", r.id)}))
            .collect(),
        "api-connection-grid" => db
            .clients
            .iter()
            .filter(|c| {
                q.label_filter
                    .as_ref()
                    .is_none_or(|f| c.label.to_lowercase().contains(&f.to_lowercase()))
            })
            .map(|c| {
                let public = c.public_id();
                json!({
                    "id": c.id, "label": c.label,
                    "credentials": format!("{public}|{}", c.secret),
                    "publicId": public, "delete_link": format!("/client/rest/{public}"),
                })
            })
            .collect(),
        _ => return None,
    };
    // String filters on the columns the grids declare filterable.
    for (col, value, exact) in &q.filters {
        let filterable = matches!(
            (grid, col.as_str()),
            ("pim-user-grid" | "pim-role-user-grid", "username") | ("pim-role-grid", "label")
        );
        if !filterable {
            continue;
        }
        let want = value.to_lowercase();
        rows.retain(|r| {
            let have = r[col.as_str()].as_str().unwrap_or("").to_lowercase();
            if *exact {
                have == want
            } else {
                have.contains(&want)
            }
        });
    }
    let default_sort = match grid {
        "pim-role-user-grid" => ("has_role".to_string(), true),
        "api-connection-grid" | "pim-role-grid" => ("label".to_string(), false),
        _ => ("id".to_string(), false),
    };
    let (col, desc) = q.sort.clone().unwrap_or(default_sort);
    let key = |v: &Value| -> (String, u64) {
        let id = v["id"].as_u64().unwrap_or(0);
        let k = match &v[col.as_str()] {
            Value::Bool(b) => (*b as u8).to_string(),
            Value::Number(n) => format!("{:020}", n.as_u64().unwrap_or(0)),
            Value::String(s) => s.to_lowercase(),
            _ => String::new(),
        };
        (k, id)
    };
    // Sort on the column, ties by id ascending (so a new user lands after the others).
    rows.sort_by(|a, b| {
        let (ka, ia) = key(a);
        let (kb, ib) = key(b);
        let ord = if desc { kb.cmp(&ka) } else { ka.cmp(&kb) };
        ord.then(ia.cmp(&ib))
    });
    Some(rows)
}

/// One page of a grid: `{"data":[..],"options":{"totalRecords":N}}`.
pub fn page(db: &Db, grid: &str, q: &GridQuery) -> Option<Value> {
    let all = rows(db, grid, q)?;
    let total = all.len();
    let data: Vec<Value> = all
        .into_iter()
        .skip((q.page - 1) * q.per_page)
        .take(q.per_page)
        .collect();
    Some(json!({"data": data, "options": {"totalRecords": total}}))
}

/// The grid's metadata (columns in display order, pager state).
pub fn metadata(grid: &str, q: &GridQuery) -> Value {
    let columns: &[(&str, &str, &str)] = match grid {
        "pim-role-user-grid" => &[
            ("has_role", "Has role", "boolean"),
            ("username", "Username", "string"),
            ("email", "Email", "string"),
            ("firstName", "First name", "string"),
            ("lastName", "Last name", "string"),
        ],
        "pim-user-grid" => &[
            ("username", "Username", "string"),
            ("firstName", "First name", "string"),
            ("lastName", "Last name", "string"),
            ("email", "Email", "string"),
            ("roles", "Roles", "string"),
        ],
        "pim-role-grid" => &[("label", "Label", "string")],
        "api-connection-grid" => &[
            ("label", "Label", "label"),
            ("credentials", "Credentials", "credentials"),
        ],
        _ => &[],
    };
    let cols: Vec<Value> = columns
        .iter()
        .map(|(name, label, ty)| json!({"name": name, "label": label, "type": ty, "frontend_type": ty, "editable": *name == "has_role"}))
        .collect();
    json!({
        "columns": cols,
        "options": {"gridName": grid, "toolbarOptions": {"pageSize": {"items": [10, 25, 50, 100], "default_per_page": PAGE_SIZE}}},
        "state": {"currentPage": q.page, "pageSize": q.per_page, "parameters": {"role_id": q.role_id}},
    })
}

/// `GET /datagrid/{grid}`.
pub async fn index(
    State(app): State<AppState>,
    Path(grid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match GridQuery::parse(&grid, raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e),
    };
    match page(&app.lock(), &grid, &q) {
        Some(v) => Json(v).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("Datagrid \"{grid}\" not found"),
        ),
    }
}

/// `GET /datagrid/{grid}/load`: metadata plus the page as a JSON string.
pub async fn load(
    State(app): State<AppState>,
    Path(grid): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = match GridQuery::parse(&grid, raw.as_deref()) {
        Ok(q) => q,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e),
    };
    match page(&app.lock(), &grid, &q) {
        Some(v) => {
            Json(json!({"metadata": metadata(&grid, &q), "data": v.to_string()})).into_response()
        }
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("Datagrid \"{grid}\" not found"),
        ),
    }
}
