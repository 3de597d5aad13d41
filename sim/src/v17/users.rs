//! The Twig user form `pim_user_user_form` of 1.7 and 2.x (`UserType`, `User/update.html.twig`):
//! tabs General / Additional / Groups and Roles / Interfaces, Status select ("Please select" by
//! default, must be set), at least one role, server-side `.validation-tooltip` icons, flash
//! "User saved" and a redirect to `/user/update/{id}`.
//!
//! 1.7 renders it inside full pages (see [`super::router`]); 2.x serves it as an HTML fragment
//! (`GET /user/create`, `GET /user/update/{id}`) loaded by `pim/controller/form`, whose
//! `ajaxSubmit` follows the 302 of a successful creation and injects the edit form.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;

use super::super::html::esc;
use super::super::session::{found, json_error, session_data, CurrentUser};
use super::super::users::{ALREADY_USED, NOT_BLANK};
use super::super::{AppState, PimVersion};
use super::body_pairs;

/// Name (and id prefix) of the user form.
pub const FORM: &str = "pim_user_user_form";
/// The roles collection's Count(min 1) message.
pub const ROLES_MIN: &str = "You must select at least 1 role";
/// Flash after a successful save.
pub const SAVED_FLASH: &str = "User saved";
/// The repeated password field's invalid message.
pub const PASSWORDS_MUST_MATCH: &str = "The password fields must match.";
/// Symfony's form CSRF error.
pub const CSRF_ERROR: &str = "The CSRF token is invalid. Please try to resubmit the form.";

/// Tabs: (pane id, label).
const TABS: [(&str, &str); 4] = [
    ("pim_user-user-tab-general", "General"),
    ("pim_user-user-tab-additional", "Additional"),
    ("pim_user-user-tab-group_and_role", "Groups and Roles"),
    ("pim_user-user-tab-interfaces", "Interfaces"),
];

/// What the form shows.
struct View {
    version: PimVersion,
    user_id: Option<u64>,
    title: String,
    values: BTreeMap<String, String>,
    roles: Vec<u64>,
    errors: BTreeMap<String, String>,
    global_error: Option<String>,
    token: String,
}

impl View {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }
}

fn tooltip(msg: &str) -> String {
    format!(
        r#"<i class="AknIconButton AknIconButton--important icon-warning-sign validation-tooltip" data-placement="right" data-toggle="tooltip" data-original-title="{}"></i>"#,
        esc(msg)
    )
}

/// One `form_row_field`: label + input + icons container.
fn row(v: &View, key: &str, label: &str, required: bool, input: &str) -> String {
    let error = v.errors.get(key);
    format!(
        r#"<div class="AknFieldContainer"><div class="AknFieldContainer-header"><label class="AknFieldContainer-label control-label{req}" for="{FORM}_{key}">{label}{em}</label></div><div class="AknFieldContainer-inputContainer field-input{err}">{input}<div class="AknFieldContainer-iconsContainer icons-container">{icon}</div></div></div>"#,
        req = if required { " required" } else { "" },
        em = if required { " <em>(required)</em>" } else { "" },
        label = esc(label),
        err = if error.is_some() {
            " validation-error"
        } else {
            ""
        },
        icon = error.map(|m| tooltip(m)).unwrap_or_default(),
    )
}

fn text_input(v: &View, key: &str, name: &str, ty: &str, required: bool) -> String {
    let value = if ty == "password" { "" } else { v.value(key) };
    format!(
        r#"<input type="{ty}" id="{FORM}_{key}" name="{FORM}{name}" class="AknTextField" value="{value}"{req}/>"#,
        value = esc(value),
        req = if required && v.version == PimVersion::V1_7 {
            r#" required="required""#
        } else {
            ""
        },
    )
}

fn select(v: &View, key: &str, options: &[(&str, &str)], placeholder: bool) -> String {
    let current = v.value(key);
    let mut out = format!(
        r#"<select id="{FORM}_{key}" name="{FORM}[{key}]" class="select2" data-placeholder="Please select">"#
    );
    if placeholder {
        out.push_str(r#"<option value="">Please select</option>"#);
    }
    for (value, label) in options {
        out.push_str(&format!(
            r#"<option value="{value}"{sel}>{label}</option>"#,
            sel = if *value == current {
                r#" selected="selected""#
            } else {
                ""
            },
            label = esc(label)
        ));
    }
    out.push_str("</select>");
    out
}

fn render(db: &super::super::state::State, v: &View) -> String {
    let old = v.version == PimVersion::V1_7;
    let action = match v.user_id {
        Some(id) => format!("/user/update/{id}"),
        None => "/user/create".to_string(),
    };
    let (crumb_system, crumb_users) = if old {
        ("/user", "/user")
    } else {
        ("#/user/", "#/user/")
    };
    let save = if old {
        r#"<button type="submit" class="AknButton AknButton--apply AknButton--withIcon AknButtonList-item" title="Save"><i class="AknButton-icon icon-ok"></i>Save</button>"#
    } else {
        r#"<button type="submit" class="AknButton AknButton--apply AknButtonList-item" title="Save">Save</button>"#
    };
    // General tab.
    let mut general = row(
        v,
        "enabled",
        "Status",
        true,
        &select(v, "enabled", &[("0", "Inactive"), ("1", "Active")], true),
    );
    general.push_str(&row(
        v,
        "username",
        "Username",
        true,
        &text_input(v, "username", "[username]", "text", true),
    ));
    if v.user_id.is_none() {
        general.push_str(&row(
            v,
            "plainPassword_first",
            "Password",
            true,
            &text_input(
                v,
                "plainPassword_first",
                "[plainPassword][first]",
                "password",
                true,
            ),
        ));
        general.push_str(&row(
            v,
            "plainPassword_second",
            "Re-enter password",
            true,
            &text_input(
                v,
                "plainPassword_second",
                "[plainPassword][second]",
                "password",
                true,
            ),
        ));
    }
    for (key, label, required) in [
        ("namePrefix", "Name prefix", false),
        ("firstName", "First name", true),
        ("middleName", "Middle name", false),
        ("lastName", "Last name", true),
        ("nameSuffix", "Name suffix", false),
    ] {
        general.push_str(&row(
            v,
            key,
            label,
            required,
            &text_input(v, key, &format!("[{key}]"), "text", required),
        ));
    }
    general.push_str(&row(
        v,
        "email",
        "E-mail",
        true,
        &text_input(v, "email", "[email]", "email", true),
    ));
    general.push_str(&row(
        v,
        "birthday",
        "Date of birth",
        false,
        &text_input(v, "birthday", "[birthday]", "text", false),
    ));
    general.push_str(&row(
        v,
        "imageFile",
        "Avatar",
        false,
        &format!(r#"<input type="file" id="{FORM}_imageFile" name="{FORM}[imageFile]"/>"#),
    ));
    // Additional tab.
    let mut additional = row(
        v,
        "catalogLocale",
        "Catalog locale",
        false,
        &select(
            v,
            "catalogLocale",
            &[("en_US", "en_US"), ("fr_FR", "fr_FR"), ("de_DE", "de_DE")],
            false,
        ),
    );
    additional.push_str(&row(
        v,
        "catalogScope",
        "Catalog scope",
        false,
        &select(
            v,
            "catalogScope",
            &[
                ("ecommerce", "Ecommerce"),
                ("mobile", "Mobile"),
                ("print", "Print"),
            ],
            false,
        ),
    ));
    additional.push_str(&row(
        v,
        "defaultTree",
        "Default tree",
        false,
        &select(v, "defaultTree", &[("master", "Master catalog")], false),
    ));
    // Groups and Roles tab.
    let mut groups =
        String::from(r#"<div id="pim_user_user_form_groups" class="horizontal AknChoicesField">"#);
    for (i, g) in ["IT support", "Manager", "Redactor"].iter().enumerate() {
        groups.push_str(&format!(
            r#"<div class="AknChoicesField-choiceItem"><input type="checkbox" id="{FORM}_groups_{n}" name="{FORM}[groups][]" value="{n}"/><label for="{FORM}_groups_{n}">{g}</label></div>"#,
            n = i + 2
        ));
    }
    groups.push_str("</div>");
    let mut roles = String::from(
        r#"<div id="pim_user_user_form_rolesCollection" class="horizontal validate-group AknChoicesField">"#,
    );
    for r in &db.roles {
        roles.push_str(&format!(
            r#"<div class="AknChoicesField-choiceItem"><input type="checkbox" id="{FORM}_rolesCollection_{id}" name="{FORM}[rolesCollection][]" value="{id}"{checked}/><label for="{FORM}_rolesCollection_{id}">{label}</label></div>"#,
            id = r.id,
            checked = if v.roles.contains(&r.id) {
                r#" checked="checked""#
            } else {
                ""
            },
            label = esc(&r.label),
        ));
    }
    roles.push_str("</div>");
    let group_and_role = format!(
        "{}{}",
        row(v, "groups", "Groups", false, &groups),
        row(v, "rolesCollection", "Roles", true, &roles)
    );
    let interfaces = row(
        v,
        "uiLocale",
        "UI locale",
        false,
        &select(
            v,
            "uiLocale",
            &[
                ("en_US", "English (United States)"),
                ("fr_FR", "French (France)"),
            ],
            false,
        ),
    );
    let pane_errors = |keys: &[&str]| keys.iter().any(|k| v.errors.contains_key(*k));
    let errored = [
        pane_errors(&[
            "enabled",
            "username",
            "plainPassword_first",
            "plainPassword_second",
            "firstName",
            "lastName",
            "email",
        ]),
        false,
        pane_errors(&["rolesCollection"]),
        false,
    ];
    let tabs: String = TABS
        .iter()
        .enumerate()
        .map(|(i, (id, label))| {
            format!(
                r##"<li class="AknHorizontalNavtab-item{a}"><a class="AknHorizontalNavtab-link{e}" href="#{id}" data-toggle="tab">{label}</a></li>"##,
                a = if i == 0 {
                    " AknHorizontalNavtab-item--active active"
                } else {
                    ""
                },
                e = if errored[i] {
                    " AknHorizontalNavtab-link--errored error"
                } else {
                    ""
                },
            )
        })
        .collect();
    let panes: String = TABS
        .iter()
        .zip([&general, &additional, &group_and_role, &interfaces])
        .enumerate()
        .map(|(i, ((id, _), body))| {
            format!(
                r#"<div class="tab-pane{a}" id="{id}"><div class="AknFormContainer AknFormContainer--withPadding">{body}</div></div>"#,
                a = if i == 0 { " active" } else { "" }
            )
        })
        .collect();
    let global = v
        .global_error
        .as_ref()
        .map(|m| {
            format!(
                r#"<div class="AknMessageBox AknMessageBox--error AknMessageBox--withIcon">{}</div>"#,
                esc(m)
            )
        })
        .unwrap_or_default();
    let meta = match v.user_id {
        Some(_) => {
            r#"<div class="AknTitleContainer-meta"><span class="AknTitleContainer-metaItem">Created: today</span><span class="AknTitleContainer-metaItem">Updated: today</span><span class="AknTitleContainer-metaItem">Last logged in: never</span><span class="AknTitleContainer-metaItem">Login count: 0</span></div>"#
        }
        None => "",
    };
    format!(
        r##"<div class="entity-edit-form edit-form">
<form id="{FORM}" name="{FORM}" method="post" action="{action}" enctype="multipart/form-data" class="form-horizontal"{novalidate} data-updated-title="Are you sure you want to leave this page?" data-updated-message="You will lose changes to the user if you leave the page.">
<header class="AknTitleContainer navigation">
 <div class="AknTitleContainer-line">
  <div class="AknTitleContainer-imageContainer"><img class="AknTitleContainer-image" src="/bundles/pimui/common/user.svg" alt=""/></div>
  <div class="AknTitleContainer-mainContainer">
   <div class="AknTitleContainer-line">
    <div class="AknTitleContainer-breadcrumbs"><div class="AknBreadcrumb"><a class="AknBreadcrumb-item AknBreadcrumb-item--routable" href="{crumb_system}">System</a><a class="AknBreadcrumb-item AknBreadcrumb-item--routable AknBreadcrumb-item--final" href="{crumb_users}">Users</a></div></div>
    <div class="AknTitleContainer-buttonsContainer"><div class="AknButtonList">{save}</div></div>
   </div>
   <div class="AknTitleContainer-line"><div class="AknTitleContainer-title">{title}</div></div>
   <div class="AknTitleContainer-line">{meta}<div class="AknTitleContainer-state"><div class="updated-status" id="entity-updated"><span class="AknState">There are unsaved changes.</span></div></div></div>
  </div>
 </div>
</header>
{global}
<div id="form-navbar" class="AknHorizontalNavtab scrollspy-nav"><div class="navbar-inner"><div class="row-fluid"><ul class="AknHorizontalNavtab-list nav nav-tabs">{tabs}</ul></div></div></div>
<div class="AknTabContainer-content tab-content oro-tab-form">{panes}</div>
<input type="hidden" id="{FORM}__token" name="{FORM}[_token]" value="{token}"/>
</form>
</div>"##,
        novalidate = if old { "" } else { r#" novalidate="""# },
        title = esc(&v.title),
        token = esc(&v.token),
    )
}

fn defaults() -> BTreeMap<String, String> {
    [
        ("catalogLocale", "en_US"),
        ("catalogScope", "ecommerce"),
        ("defaultTree", "master"),
        ("uiLocale", "en_US"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The user form: `(title, HTML)`, empty ("New user", Status "Please select") or of an existing
/// user; None when the user does not exist.
pub fn form_html(app: &AppState, session: &str, user_id: Option<u64>) -> Option<(String, String)> {
    let mut db = app.lock();
    let token = session_data(&mut db, session).form_csrf.clone();
    let mut values = defaults();
    let (title, roles) = match user_id {
        Some(id) => {
            let u = db.users.iter().find(|u| u.id == id)?;
            for (k, val) in [
                ("enabled", if u.enabled { "1" } else { "0" }),
                ("username", u.username.as_str()),
                ("firstName", u.first_name.as_str()),
                ("lastName", u.last_name.as_str()),
                ("email", u.email.as_str()),
            ] {
                values.insert(k.into(), val.into());
            }
            (
                format!("Edit user - {} {}", u.first_name, u.last_name),
                u.roles.clone(),
            )
        }
        None => ("New user".to_string(), Vec::new()),
    };
    let view = View {
        version: app.cfg.pim_version,
        user_id,
        title: title.clone(),
        values,
        roles,
        errors: BTreeMap::new(),
        global_error: None,
        token,
    };
    Some((title, render(&db, &view)))
}

fn valid_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// Validates and saves a submitted user form: the user id, or the form re-rendered with its
/// errors as `(title, HTML)`. A success stores the "User saved" flash.
pub fn process(
    app: &AppState,
    me: &CurrentUser,
    user_id: Option<u64>,
    pairs: &[(String, String)],
) -> Result<u64, (String, String)> {
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == &format!("{FORM}{name}"))
            .map(|(_, v)| v.clone())
    };
    let mut values = defaults();
    for key in [
        "enabled",
        "username",
        "namePrefix",
        "firstName",
        "middleName",
        "lastName",
        "nameSuffix",
        "email",
        "birthday",
        "catalogLocale",
        "catalogScope",
        "defaultTree",
        "uiLocale",
    ] {
        if let Some(v) = get(&format!("[{key}]")) {
            values.insert(key.to_string(), v.trim().to_string());
        }
    }
    let password = get("[plainPassword][first]").unwrap_or_default();
    let repeat = get("[plainPassword][second]").unwrap_or_default();
    let roles: Vec<u64> = pairs
        .iter()
        .filter(|(k, _)| k == &format!("{FORM}[rolesCollection][]"))
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let token = get("[_token]").unwrap_or_default();

    let mut db = app.lock();
    let expected = session_data(&mut db, &me.session).form_csrf.clone();
    let roles: Vec<u64> = roles
        .into_iter()
        .filter(|r| db.role(*r).is_some())
        .collect();
    let val = |k: &str| values.get(k).cloned().unwrap_or_default();
    let mut errors: BTreeMap<String, String> = BTreeMap::new();
    let mut err = |k: &str, m: &str| {
        errors.entry(k.to_string()).or_insert_with(|| m.to_string());
    };
    if !matches!(val("enabled").as_str(), "0" | "1") {
        err("enabled", NOT_BLANK);
    }
    let username = val("username");
    if username.is_empty() {
        err("username", NOT_BLANK);
    } else if username.chars().count() < 3 {
        err(
            "username",
            "This value is too short. It should have 3 characters or more.",
        );
    } else if db
        .users
        .iter()
        .any(|u| u.username == username && Some(u.id) != user_id)
    {
        err("username", ALREADY_USED);
    }
    if user_id.is_none() {
        if password.is_empty() {
            err("plainPassword_first", NOT_BLANK);
        } else if password != repeat {
            err("plainPassword_first", PASSWORDS_MUST_MATCH);
        } else if password.chars().count() < 2 {
            err(
                "plainPassword_first",
                "This value is too short. It should have 2 characters or more.",
            );
        }
    }
    for k in ["firstName", "lastName"] {
        if val(k).is_empty() {
            err(k, NOT_BLANK);
        }
    }
    let email = val("email");
    if email.is_empty() {
        err("email", NOT_BLANK);
    } else if !valid_email(&email) {
        err("email", "This value is not a valid email address.");
    } else if db
        .users
        .iter()
        .any(|u| u.email == email && Some(u.id) != user_id)
    {
        err("email", ALREADY_USED);
    }
    if roles.is_empty() {
        err("rolesCollection", ROLES_MIN);
    }
    let global_error = (token.is_empty() || token != expected).then(|| CSRF_ERROR.to_string());
    if !errors.is_empty() || global_error.is_some() {
        let title = match user_id.and_then(|id| db.users.iter().find(|u| u.id == id)) {
            Some(u) => format!("Edit user - {} {}", u.first_name, u.last_name),
            None => "New user".to_string(),
        };
        let view = View {
            version: app.cfg.pim_version,
            user_id,
            title: title.clone(),
            values,
            roles,
            errors,
            global_error,
            token: expected,
        };
        return Err((title, render(&db, &view)));
    }
    let enabled = val("enabled") == "1";
    let id = match user_id {
        Some(id) => {
            if let Some(u) = db.users.iter_mut().find(|u| u.id == id) {
                u.username = username;
                u.email = email;
                u.first_name = val("firstName");
                u.last_name = val("lastName");
                u.enabled = enabled;
                u.roles = roles;
            }
            id
        }
        None => {
            let id = db.add_user(
                &username,
                &email,
                &val("firstName"),
                &val("lastName"),
                &password,
                roles,
            );
            if let Some(u) = db.users.iter_mut().find(|u| u.id == id) {
                u.enabled = enabled;
            }
            id
        }
    };
    session_data(&mut db, &me.session)
        .flashes
        .push(("success".into(), SAVED_FLASH.into()));
    Ok(id)
}

fn only_v2(app: &AppState) -> Option<Response> {
    (app.cfg.pim_version != PimVersion::V2).then(|| json_error(StatusCode::NOT_FOUND, "Not Found"))
}

/// 2.x `GET /user/create`: the empty user form, as a fragment (404 in other generations).
pub async fn v2_create_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
) -> Response {
    if let Some(r) = only_v2(&app) {
        return r;
    }
    match form_html(&app, &me.session, None) {
        Some((_, html)) => Html(html).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "Not Found"),
    }
}

/// 2.x `POST /user/create` (urlencoded or multipart): 302 to `/user/update/{id}`, or the form
/// with its `.validation-tooltip` icons (200).
pub async fn v2_create_submit(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = only_v2(&app) {
        return r;
    }
    app.lock().counters.user_create += 1;
    match process(&app, &me, None, &body_pairs(&headers, &body)) {
        Ok(id) => found(&format!("/user/update/{id}")),
        Err((_, html)) => Html(html).into_response(),
    }
}

/// 2.x `GET /user/update/{id}`: the edit form, as a fragment.
pub async fn v2_update_form(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
) -> Response {
    if let Some(r) = only_v2(&app) {
        return r;
    }
    match form_html(&app, &me.session, Some(id)) {
        Some((_, html)) => Html(html).into_response(),
        None => json_error(
            StatusCode::NOT_FOUND,
            &format!("User with id {id} not found"),
        ),
    }
}

/// 2.x `POST /user/update/{id}`: 302 to the same page, or the form with its errors.
pub async fn v2_update_submit(
    State(app): State<AppState>,
    Extension(me): Extension<CurrentUser>,
    Path(id): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(r) = only_v2(&app) {
        return r;
    }
    if !app.lock().users.iter().any(|u| u.id == id) {
        return json_error(
            StatusCode::NOT_FOUND,
            &format!("User with id {id} not found"),
        );
    }
    match process(&app, &me, Some(id), &body_pairs(&headers, &body)) {
        Ok(id) => found(&format!("/user/update/{id}")),
        Err((_, html)) => Html(html).into_response(),
    }
}
