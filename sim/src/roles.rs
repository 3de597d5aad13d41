//! Roles: the role form as an HTML fragment (`GET /user/role/create`,
//! `GET /user/role/update/{id}`), loaded by XHR into the SPA, and its urlencoded submission,
//! answered with `{"route":"pim_user_role_update","params":{"id":N}}` (2.x:
//! `oro_user_role_update`) or the fragment again with `.validation-tooltip` icons.
//!
//! The markup follows the generation: 3.x+ `pim_user_role_form` and `#pim_user-roles-tab-*`;
//! 1.7/2.x `oro_user_role_form`, `#general` `#rights-action` `#rights-api` `#users` and the
//! "Create role" / "Edit role - label" titles; 1.7 has the icon toggles (`icon-ok granted` /
//! `icon-remove non-granted`, `.acl-group-permission-toggle`). 1.7 pages wrap [`form_html`] and
//! [`process`] (see `v17::roles`).

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
use super::{AppState, PimVersion};

/// Name (and id prefix) of the 3.x role form.
pub const FORM: &str = "pim_user_role_form";
/// Name (and id prefix) of the 1.7/2.x role form.
pub const FORM_OLD: &str = "oro_user_role_form";

/// The role form's name in this generation.
pub fn form_name(v: PimVersion) -> &'static str {
    if v <= PimVersion::V2 {
        FORM_OLD
    } else {
        FORM
    }
}

/// Pane ids of the horizontal tabs (general, permissions, web API permissions, users).
pub fn tab_ids(v: PimVersion) -> [&'static str; 4] {
    if v <= PimVersion::V2 {
        ["general", "rights-action", "rights-api", "users"]
    } else {
        [
            "pim_user-roles-tab-general",
            "pim_user-roles-tab-action",
            "pim_user-roles-tab-api",
            "pim_user-roles-tab-users",
        ]
    }
}

/// Header title: creation, or edition of the role `label`.
pub fn title(v: PimVersion, label: Option<&str>) -> String {
    match (v <= PimVersion::V2, label) {
        (true, None) => "Create role".into(),
        (true, Some(l)) => format!("Edit role - {l}"),
        (false, None) => "Create".into(),
        (false, Some(l)) => format!("Edit - {l}"),
    }
}
/// Maximum label length.
pub const LABEL_MAX: usize = 25;
/// Flash stored in the session after a successful save.
pub const SAVED_FLASH: &str = "Role saved";
/// Symfony's form CSRF error.
pub const CSRF_ERROR: &str = "The CSRF token is invalid. Please try to resubmit the form.";

/// What the form shows: stored values, or the submitted ones when re-rendered with errors.
struct FormView {
    version: PimVersion,
    role_id: Option<u64>,
    title: String,
    label: String,
    label_error: Option<String>,
    global_error: Option<String>,
    granted: BTreeSet<String>,
    append_users: String,
    remove_users: String,
    token: String,
    /// Fault `no-api-tab`: render neither the "Web API permissions" tab nor its pane.
    no_api_tab: bool,
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

/// 1.7 icon of a group toggle / of a resource toggle.
fn icon_class(granted: usize, total: usize) -> &'static str {
    if total > 0 && granted == total {
        "icon-ok"
    } else if granted > 0 {
        "icon-circle"
    } else {
        "icon-remove"
    }
}

/// The ACL tab of one permission group (`action` or `api`).
fn acl_tab(v: PimVersion, collection: &str, granted: &BTreeSet<String>) -> String {
    let form = form_name(v);
    let old = v == PimVersion::V1_7;
    let mut groups: Vec<(&str, Vec<Resource>)> = Vec::new();
    // "List products" (`pim_api_product_list`) exists from 6.0 on (fact sheet §7).
    let exists = |id: &str| v >= PimVersion::V6 || id != "pim_api_product_list";
    for (i, (id, _, group, label)) in ACLS
        .iter()
        .filter(|a| a.1 == collection && exists(a.0))
        .enumerate()
    {
        match groups.iter_mut().find(|(g, _)| g == group) {
            Some((_, list)) => list.push((i, id, label)),
            None => groups.push((group, vec![(i, id, label)])),
        }
    }
    let mut nav = format!(
        r#"<ul class="AknVerticalNavtab AknVerticalNavtab--condensed{}"><li class="AknVerticalNavtab-item AknVerticalNavtab-header"></li>"#,
        if old { " nav nav-list" } else { "" }
    );
    let mut panes = String::new();
    for (n, (group, list)) in groups.iter().enumerate() {
        let pane = pane_id(&group_key(collection, group));
        let count = list
            .iter()
            .filter(|(_, id, _)| granted.contains(*id))
            .count();
        let toggle = if old {
            format!(
                r#"<i class="AknAcl-icon acl-group-permission-toggle {}"></i>"#,
                icon_class(count, list.len())
            )
        } else {
            format!(
                r#"<div class="select-button AknAcl-icon AknSelectButton {}"></div>"#,
                select_button_class(count, list.len())
            )
        };
        nav.push_str(&format!(
            r##"<li class="AknVerticalNavtab-item tab{active}"><a class="AknVerticalNavtab-link" href="#{pane}" data-toggle="tab"><span class="AknAcl">{toggle}<span>{label}</span></span></a></li>"##,
            active = if n == 0 { " active" } else { "" },
            label = esc(group),
        ));
        panes.push_str(&format!(
            r#"<div id="{pane}" class="tab-pane fullheight"><div class="AknTabHeader"><h3 class="AknTabHeader-title">{label}</h3></div><div class="AknFormContainer AknFormContainer--withPadding acl-group">"#,
            label = esc(group)
        ));
        for (i, id, label) in list {
            let base = format!("{form}_{collection}_{i}");
            let name = format!("{form}[{collection}][{i}]");
            let on = granted.contains(*id);
            let (item, toggle) = match (old, on) {
                (true, true) => (
                    "AknAcl acl-permission",
                    r#"<a class="AknAcl-icon icon-ok AknAcl-icon--granted granted acl-permission-toggle"></a>"#,
                ),
                (true, false) => (
                    "AknAcl acl-permission",
                    r#"<a class="AknAcl-icon icon-remove AknAcl-icon--nonGranted non-granted acl-permission-toggle"></a>"#,
                ),
                (false, true) => (
                    "AknAcl AknAcl-item acl-permission",
                    r#"<div class="select-button AknAcl-icon AknSelectButton AknSelectButton--selected granted acl-permission-toggle"></div>"#,
                ),
                (false, false) => (
                    "AknAcl AknAcl-item acl-permission",
                    r#"<div class="select-button AknAcl-icon AknSelectButton non-granted acl-permission-toggle"></div>"#,
                ),
            };
            // One line, no whitespace: strip_tags(outerHTML) must equal the label.
            panes.push_str(&format!(
                concat!(
                    r#"<div class="{item}">"#,
                    r#"<input type="hidden" id="{base}_permissions_EXECUTE_name" name="{name}[permissions][EXECUTE][name]" value="EXECUTE"/>"#,
                    "{toggle}",
                    r#"<input type="checkbox" id="{base}_permissions_EXECUTE_accessLevel" name="{name}[permissions][EXECUTE][accessLevel]" class="hide" value="1"{checked}/>"#,
                    r#"<div id="{base}_identity"><input type="hidden" id="{base}_identity_id" name="{name}[identity][id]" value="action:{id}"/><span>{label}</span></div>"#,
                    "</div>"
                ),
                item = item,
                toggle = toggle,
                base = base,
                name = name,
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
    let version = v.version;
    let form = form_name(version);
    let [tab_general, tab_action, tab_api, tab_users] = tab_ids(version);
    let (crumb_system, crumb_roles) = if version == PimVersion::V1_7 {
        ("/user", "/user/role")
    } else {
        ("#/user/", "#/user/role/")
    };
    let save = if version == PimVersion::V1_7 {
        r#"<button type="submit" class="AknButton AknButton--apply AknButton--withIcon AknButtonList-item" title="Save"><i class="AknButton-icon icon-ok"></i>Save</button>"#
    } else {
        r#"<button type="submit" class="AknButton AknButton--apply AknButtonList-item" title="Save">Save</button>"#
    };
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
        filters: Vec::new(),
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
        Some(_) if version == PimVersion::V1_7 => String::new(),
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
<form id="{form}" method="post" action="{action}" class="form-tabbed form-horizontal" data-updated-title="Are you sure you want to leave this page?" data-updated-message="You will lose changes to the role if you leave the page.">
<header class="AknTitleContainer navigation">
 <div class="AknTitleContainer-line">
  <div class="AknTitleContainer-imageContainer"><img class="AknTitleContainer-image" src="/bundles/pimui/common/role.svg" alt=""/></div>
  <div class="AknTitleContainer-mainContainer">
   <div class="AknTitleContainer-line">
    <div class="AknTitleContainer-breadcrumbs"><div class="AknBreadcrumb"><a class="AknBreadcrumb-item AknBreadcrumb-item--routable" href="{crumb_system}">System</a><a class="AknBreadcrumb-item AknBreadcrumb-item--routable AknBreadcrumb-item--final" href="{crumb_roles}">Roles</a></div></div>
    <div class="AknTitleContainer-buttonsContainer"><div class="AknButtonList">{delete}{save}</div></div>
   </div>
   <div class="AknTitleContainer-line"><div class="AknTitleContainer-title">{title}</div></div>
   <div class="AknTitleContainer-line"><div class="AknTitleContainer-state"><div class="updated-status" id="entity-updated"><span class="AknState">There are unsaved changes.</span></div></div></div>
  </div>
 </div>
</header>
{global}
<div id="form-navbar" class="AknHorizontalNavtab scrollspy-nav"><div class="navbar-inner"><div class="row-fluid"><ul class="AknHorizontalNavtab-list nav nav-tabs">{t1}{t2}{t3}{t4}</ul></div></div></div>
<div class="AknTabContainer-content tab-content oro-tab-form">
 <div class="tab-pane active" id="{tab_general}"><div class="AknFormContainer AknFormContainer--withPadding">
  <div class="AknFieldContainer">
   <div class="AknFieldContainer-header"><label class="AknFieldContainer-label control-label required" for="{form}_label">Role <em>(required)</em></label></div>
   <div class="AknFieldContainer-inputContainer field-input{err_class}"><input type="text" id="{form}_label" name="{form}[label]" class="AknTextField" value="{label}"/><div class="AknFieldContainer-iconsContainer icons-container">{err_icon}</div></div>
  </div>
 </div></div>
 <div class="tab-pane" id="{tab_action}">{action_tab}</div>
 {api_pane}
 <div class="AknTabContainer-content tab-pane" id="{tab_users}">
  <div id="grid-pim-role-user-grid" data-type="datagrid" data-data="{grid_data}" data-metadata="{grid_meta}"></div>
  <input type="hidden" id="roleAppendUsers" name="{form}[appendUsers]" value="{append}"/>
  <input type="hidden" id="roleRemoveUsers" name="{form}[removeUsers]" value="{remove}"/>
 </div>
</div>
<input type="hidden" id="{form}__token" name="{form}[_token]" value="{token}"/>
</form>
</div>"##,
        title = esc(&v.title),
        t1 = tab(tab_general, "General", true),
        t2 = tab(tab_action, "Permissions", false),
        t3 = if v.no_api_tab {
            String::new()
        } else {
            tab(tab_api, "Web API permissions", false)
        },
        t4 = tab(tab_users, "Users", false),
        label = esc(&v.label),
        action_tab = acl_tab(version, "action", &v.granted),
        api_pane = if v.no_api_tab {
            String::new()
        } else {
            format!(
                r#"<div class="tab-pane" id="{tab_api}">{}</div>"#,
                acl_tab(version, "api", &v.granted)
            )
        },
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

/// The role form of this generation: `(title, HTML)`, empty (`role_id` None) or of an existing
/// role; None when the role does not exist.
pub fn form_html(app: &AppState, session: &str, role_id: Option<u64>) -> Option<(String, String)> {
    let token = form_token(app, session);
    let version = app.cfg.pim_version;
    let db = app.lock();
    let (label, granted) = match role_id {
        Some(id) => {
            let role = db.role(id)?;
            (role.label.clone(), role.acls.clone())
        }
        None => (String::new(), BTreeSet::new()),
    };
    let title = title(version, role_id.map(|_| label.as_str()));
    let view = FormView {
        version,
        role_id,
        title: title.clone(),
        label,
        label_error: None,
        global_error: None,
        granted,
        append_users: String::new(),
        remove_users: String::new(),
        token,
        no_api_tab: app.cfg.faults.contains(&super::faults::Fault::NoApiTab),
    };
    Some((title, render(&db, &view)))
}

/// `GET /user/role/create`: the empty role form.
pub async fn create_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Response {
    match form_html(&app, &me.session, None) {
        Some((_, html)) => Html(html).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// `GET /user/role/update/{id}`: the form of an existing role (404 when unknown).
pub async fn update_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
) -> Response {
    match form_html(&app, &me.session, Some(id)) {
        Some((_, html)) => Html(html).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("Role with id {id} not found"),
        ),
    }
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
    let route = if app.cfg.pim_version <= PimVersion::V2 {
        "oro_user_role_update"
    } else {
        "pim_user_role_update"
    };
    let fault = app.save_fault("role");
    if fault == Some(super::faults::SaveFault::Before) {
        return super::faults::save_error();
    }
    match process(app, me, role_id, &form_pairs(body)) {
        Ok(_) if fault.is_some() => super::faults::save_error(),
        Ok(id) => Json(json!({"route": route, "params": {"id": id}})).into_response(),
        Err((_, html)) => Html(html).into_response(),
    }
}

/// Validates and saves a submitted role form (urlencoded pairs): the role id, or the form
/// re-rendered with its errors as `(title, HTML)`. A success stores the "Role saved" flash.
pub fn process(
    app: &AppState,
    me: &CurrentUser,
    role_id: Option<u64>,
    pairs: &[(String, String)],
) -> Result<u64, (String, String)> {
    let version = app.cfg.pim_version;
    let form = form_name(version);
    let field = |n: &str| {
        form_value(pairs, &format!("{form}[{n}]"))
            .unwrap_or("")
            .to_string()
    };
    let label = field("label").trim().to_string();
    let append = field("appendUsers");
    let remove = field("removeUsers");
    let token = field("_token");

    // Privileges: (collection, index) -> (acl id, granted).
    let mut privileges: BTreeMap<(String, String), (Option<String>, bool)> = BTreeMap::new();
    for (k, v) in pairs {
        let Some(rest) = k.strip_prefix(&format!("{form}[")) else {
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
        let title = title(
            version,
            role_id.and_then(|id| db.role(id)).map(|r| r.label.as_str()),
        );
        let view = FormView {
            version,
            role_id,
            title,
            label,
            label_error,
            global_error,
            granted,
            append_users: append,
            remove_users: remove,
            token: expected,
            no_api_tab: app.cfg.faults.contains(&super::faults::Fault::NoApiTab),
        };
        return Err((view.title.clone(), render(&db, &view)));
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
    Ok(id)
}

/// `DELETE /user/role/delete/{id}` (`pim_user_role_delete`, ui-1.7-to-3.x.md §5.1), sent by the
/// roles grid's row action "Delete" and the role page's secondary action, after a confirmation:
/// 204; 404 when unknown. The users keep their other roles. XHR only (non-XHR: redirect to `/`).
/// [I] The real controller also refuses to remove the last role a user has; the simulator's
/// users always keep "User", so that case does not arise.
pub async fn delete(
    State(app): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    if let Err(redirect) = super::session::xhr_or_redirect(&headers) {
        return *redirect;
    }
    let mut db = app.lock();
    let Some(i) = db.roles.iter().position(|r| r.id == id) else {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("Role with id {id} not found"),
        );
    };
    db.roles.remove(i);
    for u in db.users.iter_mut() {
        u.roles.retain(|r| *r != id);
    }
    StatusCode::NO_CONTENT.into_response()
}
