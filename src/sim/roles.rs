//! Roles (3.x): the role form as an HTML fragment (`GET /user/role/create`,
//! `GET /user/role/update/{id}`), loaded by XHR into the SPA, and its urlencoded submission,
//! answered with `{"route":"pim_user_role_update","params":{"id":N}}` or the fragment again with
//! `.validation-tooltip` icons.

use std::collections::{BTreeMap, BTreeSet};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::json;

use super::datagrid::{metadata, page, GridQuery};
use super::html::{esc, form_pairs, form_value};
use super::session::{json_error, session_data, CurrentUser};
use super::state::{role_code, State as Db, ACLS};
use super::users::{ALREADY_USED, NOT_BLANK};
use super::AppState;

/// Name (and id prefix) of the 3.x role form.
pub const FORM: &str = "pim_user_role_form";
/// Maximum label length.
pub const LABEL_MAX: usize = 25;
/// Flash stored in the session after a successful save.
pub const SAVED_FLASH: &str = "Role saved";
/// Symfony's form CSRF error.
pub const CSRF_ERROR: &str = "The CSRF token is invalid. Please try to resubmit the form.";

/// What the form shows: stored values, or the submitted ones when re-rendered with errors.
struct FormView {
    role_id: Option<u64>,
    title: String,
    label: String,
    label_error: Option<String>,
    global_error: Option<String>,
    granted: BTreeSet<String>,
    append_users: String,
    remove_users: String,
    token: String,
}

/// The vertical-group key of an ACL group label (`pim_api.acl_group.overall_access`, ...).
fn group_key(permission_group: &str, group: &str) -> String {
    let bundle = if permission_group == "api" {
        "pim_api"
    } else {
        "pim_enrich"
    };
    let name = match group {
        "Overall Web API access" => "overall_access".to_string(),
        other => {
            let lower = other.to_lowercase().replace(' ', "_");
            lower
                .strip_suffix("ies")
                .map(|s| format!("{s}y"))
                .unwrap_or_else(|| {
                    lower
                        .strip_suffix('s')
                        .map(str::to_string)
                        .unwrap_or(lower.clone())
                })
        }
    };
    format!("{bundle}.acl_group.{name}")
}

/// `tabs-` + the group key with `.` and spaces turned into `-`.
fn pane_id(key: &str) -> String {
    format!("tabs-{}", key.replace(['.', ' '], "-").to_lowercase())
}

fn select_button_class(granted: usize, total: usize) -> &'static str {
    if total > 0 && granted == total {
        "AknSelectButton--selected granted"
    } else if granted > 0 {
        "AknSelectButton--partial partial"
    } else {
        "non-granted"
    }
}

/// One ACL row of a group: (privilege index in its collection, ACL id, label).
type Resource = (usize, &'static str, &'static str);

/// The ACL tab of one permission group (`action` or `api`).
fn acl_tab(collection: &str, granted: &BTreeSet<String>) -> String {
    let mut groups: Vec<(&str, Vec<Resource>)> = Vec::new();
    for (i, (id, _, group, label)) in ACLS.iter().filter(|a| a.1 == collection).enumerate() {
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) => list.push((i, id, label)),
            None => groups.push((group, vec![(i, id, label)])),
        }
    }
    let mut nav = String::from(
        r#"<ul class="AknVerticalNavtab AknVerticalNavtab--condensed"><li class="AknVerticalNavtab-item AknVerticalNavtab-header"></li>"#,
    );
    let mut panes = String::new();
    for (n, (group, list)) in groups.iter().enumerate() {
        let pane = pane_id(&group_key(collection, group));
        let count = list
            .iter()
            .filter(|(_, id, _)| granted.contains(*id))
            .count();
        nav.push_str(&format!(
            r##"<li class="AknVerticalNavtab-item tab{active}"><a class="AknVerticalNavtab-link" href="#{pane}" data-toggle="tab"><span class="AknAcl"><div class="select-button AknAcl-icon AknSelectButton {cls}"></div><span>{label}</span></span></a></li>"##,
            active = if n == 0 { " active" } else { "" },
            cls = select_button_class(count, list.len()),
            label = esc(group),
        ));
        panes.push_str(&format!(
            r#"<div id="{pane}" class="tab-pane fullheight"><div class="AknTabHeader"><h3 class="AknTabHeader-title">{label}</h3></div><div class="AknFormContainer AknFormContainer--withPadding acl-group">"#,
            label = esc(group)
        ));
        for (i, id, label) in list {
            let base = format!("{FORM}_{collection}_{i}");
            let name = format!("{FORM}[{collection}][{i}]");
            let on = granted.contains(*id);
            // One line, no whitespace: strip_tags(outerHTML) must equal the label.
            panes.push_str(&format!(
                concat!(
                    r#"<div class="AknAcl AknAcl-item acl-permission">"#,
                    r#"<input type="hidden" id="{base}_permissions_EXECUTE_name" name="{name}[permissions][EXECUTE][name]" value="EXECUTE"/>"#,
                    r#"<div class="select-button AknAcl-icon AknSelectButton {cls} acl-permission-toggle"></div>"#,
                    r#"<input type="checkbox" id="{base}_permissions_EXECUTE_accessLevel" name="{name}[permissions][EXECUTE][accessLevel]" class="hide" value="1"{checked}/>"#,
                    r#"<div id="{base}_identity"><input type="hidden" id="{base}_identity_id" name="{name}[identity][id]" value="action:{id}"/><span>{label}</span></div>"#,
                    "</div>"
                ),
                base = base,
                name = name,
                cls = if on { "AknSelectButton--selected granted" } else { "non-granted" },
                checked = if on { r#" checked="checked""# } else { "" },
                id = id,
                label = esc(label),
            ));
        }
        panes.push_str("</div></div>");
    }
    nav.push_str("</ul>");
    format!(
        r#"<div class="tabs-left">{nav}<div class="AknTabContainer-content tab-content">{panes}</div></div>"#
    )
}

fn render(db: &Db, v: &FormView) -> String {
    let action = match v.role_id {
        Some(id) => format!("/user/role/update/{id}"),
        None => "/user/role/create".to_string(),
    };
    let q = GridQuery {
        page: 1,
        per_page: super::datagrid::PAGE_SIZE,
        sort: None,
        role_id: v.role_id,
        label_filter: None,
    };
    let grid_data = page(db, "pim-role-user-grid", &q).unwrap_or_default();
    let grid_meta = metadata("pim-role-user-grid", &q);
    let (err_class, err_icon) = match &v.label_error {
        Some(m) => (
            " validation-error",
            format!(
                r#"<i class="AknIconButton AknIconButton--important icon-warning-sign validation-tooltip" data-placement="right" data-toggle="tooltip" data-original-title="{}"></i>"#,
                esc(m)
            ),
        ),
        None => ("", String::new()),
    };
    let global = v
        .global_error
        .as_ref()
        .map(|m| format!(r#"<div class="AknMessageBox AknMessageBox--error AknMessageBox--withIcon">{}</div>"#, esc(m)))
        .unwrap_or_default();
    let delete = match v.role_id {
        Some(id) => format!(
            r#"<div class="AknSecondaryActions AknDropdown AknButtonList-item"><div class="AknSecondaryActions-button dropdown-button" data-toggle="dropdown"></div><div class="AknDropdown-menu AknDropdown-menu--right"><div class="AknDropdown-menuTitle">Other actions</div><a class="AknDropdown-menuLink" data-url="/user/role/delete/{id}">Delete</a></div></div>"#
        ),
        None => String::new(),
    };
    let tab = |id: &str, label: &str, active: bool| {
        format!(
            r##"<li class="AknHorizontalNavtab-item{a}"><a class="AknHorizontalNavtab-link" href="#{id}" data-toggle="tab">{label}</a></li>"##,
            a = if active {
                " AknHorizontalNavtab-item--active active"
            } else {
                ""
            }
        )
    };
    format!(
        r##"<div class="entity-edit-form edit-form">
<form id="{FORM}" method="post" action="{action}" class="form-tabbed form-horizontal" data-updated-title="Are you sure you want to leave this page?" data-updated-message="You will lose changes to the role if you leave the page.">
<header class="AknTitleContainer navigation">
 <div class="AknTitleContainer-line">
  <div class="AknTitleContainer-imageContainer"><img class="AknTitleContainer-image" src="/bundles/pimui/common/role.svg" alt=""/></div>
  <div class="AknTitleContainer-mainContainer">
   <div class="AknTitleContainer-line">
    <div class="AknTitleContainer-breadcrumbs"><div class="AknBreadcrumb"><a class="AknBreadcrumb-item AknBreadcrumb-item--routable" href="#/user/">System</a><a class="AknBreadcrumb-item AknBreadcrumb-item--routable AknBreadcrumb-item--final" href="#/user/role/">Roles</a></div></div>
    <div class="AknTitleContainer-buttonsContainer"><div class="AknButtonList">{delete}<button type="submit" class="AknButton AknButton--apply AknButtonList-item" title="Save">Save</button></div></div>
   </div>
   <div class="AknTitleContainer-line"><div class="AknTitleContainer-title">{title}</div></div>
   <div class="AknTitleContainer-line"><div class="AknTitleContainer-state"><div class="updated-status" id="entity-updated"><span class="AknState">There are unsaved changes.</span></div></div></div>
  </div>
 </div>
</header>
{global}
<div id="form-navbar" class="AknHorizontalNavtab scrollspy-nav"><div class="navbar-inner"><div class="row-fluid"><ul class="AknHorizontalNavtab-list nav nav-tabs">{t1}{t2}{t3}{t4}</ul></div></div></div>
<div class="AknTabContainer-content tab-content oro-tab-form">
 <div class="tab-pane active" id="pim_user-roles-tab-general"><div class="AknFormContainer AknFormContainer--withPadding">
  <div class="AknFieldContainer">
   <div class="AknFieldContainer-header"><label class="AknFieldContainer-label control-label required" for="{FORM}_label">Role <em>(required)</em></label></div>
   <div class="AknFieldContainer-inputContainer field-input{err_class}"><input type="text" id="{FORM}_label" name="{FORM}[label]" class="AknTextField" value="{label}"/><div class="AknFieldContainer-iconsContainer icons-container">{err_icon}</div></div>
  </div>
 </div></div>
 <div class="tab-pane" id="pim_user-roles-tab-action">{action_tab}</div>
 <div class="tab-pane" id="pim_user-roles-tab-api">{api_tab}</div>
 <div class="AknTabContainer-content tab-pane" id="pim_user-roles-tab-users">
  <div id="grid-pim-role-user-grid" data-type="datagrid" data-data="{grid_data}" data-metadata="{grid_meta}"></div>
  <input type="hidden" id="roleAppendUsers" name="{FORM}[appendUsers]" value="{append}"/>
  <input type="hidden" id="roleRemoveUsers" name="{FORM}[removeUsers]" value="{remove}"/>
 </div>
</div>
<input type="hidden" id="{FORM}__token" name="{FORM}[_token]" value="{token}"/>
</form>
</div>"##,
        title = esc(&v.title),
        t1 = tab("pim_user-roles-tab-general", "General", true),
        t2 = tab("pim_user-roles-tab-action", "Permissions", false),
        t3 = tab("pim_user-roles-tab-api", "Web API permissions", false),
        t4 = tab("pim_user-roles-tab-users", "Users", false),
        label = esc(&v.label),
        action_tab = acl_tab("action", &v.granted),
        api_tab = acl_tab("api", &v.granted),
        grid_data = esc(&grid_data.to_string()),
        grid_meta = esc(&grid_meta.to_string()),
        append = esc(&v.append_users),
        remove = esc(&v.remove_users),
        token = esc(&v.token),
    )
}

fn form_token(app: &AppState, session: &str) -> String {
    session_data(&mut app.lock(), session).form_csrf.clone()
}

/// `GET /user/role/create`: the empty role form.
pub async fn create_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Response {
    let token = form_token(&app, &me.session);
    let db = app.lock();
    let view = FormView {
        role_id: None,
        title: "Create".into(),
        label: String::new(),
        label_error: None,
        global_error: None,
        granted: BTreeSet::new(),
        append_users: String::new(),
        remove_users: String::new(),
        token,
    };
    Html(render(&db, &view)).into_response()
}

/// `GET /user/role/update/{id}`: the form of an existing role (404 when unknown).
pub async fn update_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
) -> Response {
    let token = form_token(&app, &me.session);
    let db = app.lock();
    let Some(role) = db.role(id) else {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("Role with id {id} not found"),
        );
    };
    let view = FormView {
        role_id: Some(id),
        title: format!("Edit - {}", role.label),
        label: role.label.clone(),
        label_error: None,
        global_error: None,
        granted: role.acls.clone(),
        append_users: String::new(),
        remove_users: String::new(),
        token,
    };
    Html(render(&db, &view)).into_response()
}

/// `POST /user/role/create`.
pub async fn create_submit(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    body: Bytes,
) -> Response {
    app.lock().counters.role_create += 1;
    submit(&app, &me, None, &body)
}

/// `POST /user/role/update/{id}`.
pub async fn update_submit(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
    body: Bytes,
) -> Response {
    app.lock().counters.role_update += 1;
    if app.lock().role(id).is_none() {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("Role with id {id} not found"),
        );
    }
    submit(&app, &me, Some(id), &body)
}

/// Comma-separated ids; anything that is not an id is ignored.
fn ids(s: &str) -> Vec<u64> {
    s.split(',').filter_map(|p| p.trim().parse().ok()).collect()
}

fn submit(app: &AppState, me: &CurrentUser, role_id: Option<u64>, body: &[u8]) -> Response {
    let pairs = form_pairs(body);
    let field = |n: &str| {
        form_value(&pairs, &format!("{FORM}[{n}]"))
            .unwrap_or("")
            .to_string()
    };
    let label = field("label").trim().to_string();
    let append = field("appendUsers");
    let remove = field("removeUsers");
    let token = field("_token");

    // Privileges: (collection, index) -> (acl id, granted).
    let mut privileges: BTreeMap<(String, String), (Option<String>, bool)> = BTreeMap::new();
    for (k, v) in &pairs {
        let Some(rest) = k.strip_prefix(&format!("{FORM}[")) else {
            continue;
        };
        let parts: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
        if let [coll @ ("action" | "api"), i, tail @ ..] = parts.as_slice() {
            let entry = privileges
                .entry((coll.to_string(), i.to_string()))
                .or_default();
            match tail {
                ["identity", "id"] => entry.0 = v.strip_prefix("action:").map(str::to_string),
                ["permissions", "EXECUTE", "accessLevel"] => entry.1 = v == "1" || v == "5",
                _ => {}
            }
        }
    }

    let mut db = app.lock();
    let expected = session_data(&mut db, &me.session).form_csrf.clone();
    let stored = role_id
        .and_then(|id| db.role(id))
        .map(|r| r.acls.clone())
        .unwrap_or_default();
    let mut granted = stored;
    for (acl, on) in privileges.values() {
        let Some(acl) = acl
            .as_ref()
            .filter(|a| ACLS.iter().any(|x| x.0 == a.as_str()))
        else {
            continue;
        };
        if *on {
            granted.insert(acl.clone());
        } else {
            granted.remove(acl);
        }
    }

    let global_error = (token.is_empty() || token != expected).then(|| CSRF_ERROR.to_string());
    let label_error = if label.is_empty() {
        Some(NOT_BLANK.to_string())
    } else if label.chars().count() > LABEL_MAX {
        Some(format!(
            "This value is too long. It should have {LABEL_MAX} characters or less."
        ))
    } else if db
        .roles
        .iter()
        .any(|r| Some(r.id) != role_id && (r.label == label || r.role == role_code(&label)))
    {
        Some(ALREADY_USED.to_string())
    } else {
        None
    };
    if global_error.is_some() || label_error.is_some() {
        let title = match role_id.and_then(|id| db.role(id)) {
            Some(r) => format!("Edit - {}", r.label),
            None => "Create".to_string(),
        };
        let view = FormView {
            role_id,
            title,
            label,
            label_error,
            global_error,
            granted,
            append_users: append,
            remove_users: remove,
            token: expected,
        };
        return Html(render(&db, &view)).into_response();
    }

    let id = match role_id {
        Some(id) => {
            if let Some(r) = db.roles.iter_mut().find(|r| r.id == id) {
                // The code is set once, at creation; a renamed role keeps it.
                r.label = label.clone();
                r.acls = granted;
            }
            id
        }
        None => db.add_role(&role_code(&label), &label, granted),
    };
    let (append, remove) = (ids(&append), ids(&remove));
    for u in db.users.iter_mut() {
        if append.contains(&u.id) && !u.roles.contains(&id) {
            u.roles.push(id);
        }
        if remove.contains(&u.id) {
            u.roles.retain(|r| *r != id);
        }
    }
    session_data(&mut db, &me.session)
        .flashes
        .push(("success".into(), SAVED_FLASH.into()));
    Json(json!({"route": "pim_user_role_update", "params": {"id": id}})).into_response()
}
