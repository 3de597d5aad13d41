//! Step 3 of the tutorial: the Roles grid (`#/user/role/`) and the role form (Twig fragment:
//! `#pim_user_role_form_label`, tabs "Web API permissions" and "Users", ACL toggles, the
//! role's Users grid with its numbered pager, Save).

use crate::browser::{Cond, Filter, Locator, Shot, Typing};
use crate::error::Error;

use super::api_permissions::{self, ApiPermission, ApiPermissions};
use super::grid::Grid;
use super::{refused_or, Pim};

/// An ACL the flow grants, identified as the reference does: vertical group, resource text
/// and privilege identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acl {
    /// "Overall Web API access" > "Web API permissions" (`action:pim_api_overall_access`).
    OverallWebApiAccess,
}

impl Acl {
    /// The vertical tab (group) pane id, without `#`.
    fn group_pane(self) -> &'static str {
        match self {
            Acl::OverallWebApiAccess => "tabs-pim_api-acl_group-overall_access",
        }
    }
    /// The group's label.
    fn group_label(self) -> &'static str {
        match self {
            Acl::OverallWebApiAccess => "Overall Web API access",
        }
    }
    /// The resource row's text.
    fn resource_label(self) -> &'static str {
        match self {
            Acl::OverallWebApiAccess => "Web API permissions",
        }
    }
    /// The privilege identity (`action:<acl id>`).
    pub fn identity(self) -> &'static str {
        match self {
            Acl::OverallWebApiAccess => "action:pim_api_overall_access",
        }
    }
}

impl std::fmt::Display for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.group_label(), self.identity())
    }
}

/// The role label input (3.x id, 1.7/2.x id).
const LABEL: &str = "#pim_user_role_form_label, #oro_user_role_form_label";
/// The role form (the form holding the label input).
const FORM: &str = "form:has(#pim_user_role_form_label), form:has(#oro_user_role_form_label)";
/// The "Web API permissions" tab link.
const API_TAB: &str = "a[href=\"#pim_user-roles-tab-api\"], a[href=\"#rights-api\"]";
/// The "Users" tab link.
const USERS_TAB: &str = "a[href=\"#pim_user-roles-tab-users\"], a[href=\"#users\"]";
/// The "Users" tab pane.
const USERS_PANE: &str = "#pim_user-roles-tab-users, #users";
/// The Roles index's "Create role" button (2.x/3.x button, 1.7 link).
fn create_role_button() -> Locator {
    Locator::css(".AknButton--apply")
        .filter(Filter::Visible)
        .text("Create role")
}
/// The "Web API permissions" tab pane.
const API_PANE: &str = "#pim_user-roles-tab-api, #rights-api";
/// The first tab of the role form's tab strip (the tutorial images start at it).
fn first_tab() -> Locator {
    Locator::css("#form-navbar .AknHorizontalNavtab-item, .AknHorizontalNavtab-item")
        .filter(Filter::Visible)
        .nth(0)
}
/// The form's Save button.
const SAVE: &str = "button[type=\"submit\"].AknButton--apply";

/// The Roles index page.
pub struct RolesPage<'a> {
    pim: Pim<'a>,
    grid: Grid,
}

impl<'a> RolesPage<'a> {
    /// Opens `#/user/role/` and waits for the grid ("Label" column).
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        pim.open_route("#/user/role/").await?;
        let grid = Grid::new(None, "Label");
        grid.wait_shown(pim.browser).await?;
        pim.browser
            .snapshot(
                // The header strip, at DPR 2 in a window as narrow as the published one's.
                Shot::new("role-creation")
                    .region(Locator::css("header.AknTitleContainer").filter(Filter::Visible))
                    .viewport(1040, 800)
                    .dpr(2.0)
                    .size(1340, 188)
                    .highlight(create_role_button()),
            )
            .await?;
        Ok(RolesPage { pim, grid })
    }

    /// True when a role with exactly this label is listed (pages through the grid; stays on
    /// the page where it was found).
    pub async fn find(&self, label: &str) -> Result<bool, Error> {
        let hit = self
            .grid
            .find(self.pim.browser, |p| {
                (!p.rows_where("Label", label).is_empty()).then_some(())
            })
            .await?;
        Ok(hit.is_some())
    }

    /// Opens the role with this label (row click = "Update"); call after `find` returned true.
    pub async fn edit(self, label: &str) -> Result<RoleForm<'a>, Error> {
        let cell = self.grid.row(label).find("td").text(label);
        self.pim.browser.click(&cell).await?;
        RoleForm::wait_loaded(self.pim, label).await
    }
}

/// The role form, open on a role (new or existing).
pub struct RoleForm<'a> {
    pim: Pim<'a>,
    label: String,
}

impl<'a> RoleForm<'a> {
    /// Opens `#/user/role/create` and types the label.
    pub async fn create(pim: Pim<'a>, label: &str) -> Result<Self, Error> {
        pim.open_route("#/user/role/create").await?;
        // Typing waits until the label input is actionable (the form fragment loaded).
        let input = Locator::css(LABEL).filter(Filter::Visible);
        let tab = Typing {
            tab_after: true,
            ..Default::default()
        };
        pim.browser.fill(&[(input.clone(), label, tab)]).await?;
        pim.browser
            .snapshot(
                // The tab strip and the Role field.
                Shot::new("role-naming")
                    .region(first_tab())
                    .region(input.clone())
                    .size(485, 138)
                    .lead(4)
                    .highlight(input),
            )
            .await?;
        Ok(RoleForm {
            pim,
            label: label.to_string(),
        })
    }

    /// Opens an existing role by its edit route (`#/user/role/update/<id>`, the route its
    /// grid row leads to) and waits until the form shows it.
    pub async fn open_by_id(pim: Pim<'a>, id: u64, label: &str) -> Result<Self, Error> {
        pim.open_route(&format!("#/user/role/update/{id}")).await?;
        Self::wait_loaded(pim, label).await
    }

    /// Waits until the form shows the role `label`.
    async fn wait_loaded(pim: Pim<'a>, label: &str) -> Result<Self, Error> {
        let input = Locator::css(LABEL).filter(Filter::Value(label.to_string()));
        pim.browser.wait(&input, Cond::Visible).await?;
        Ok(RoleForm {
            pim,
            label: label.to_string(),
        })
    }

    async fn open_tab(&self, tab: &str) -> Result<(), Error> {
        self.pim
            .browser
            .click(&Locator::css(tab).filter(Filter::Visible))
            .await
    }

    /// The resource row of `acl` (by its text or by its identity input).
    fn permission(acl: Acl) -> Locator {
        Locator::css(".acl-permission").filter(Filter::Any(vec![
            Filter::Text(acl.resource_label().into()),
            Filter::Has(format!("input[value=\"{}\"]", acl.identity())),
        ]))
    }

    /// Opens the "Web API permissions" tab and the ACL's vertical group (by clicking the
    /// group's text, not its toggle), and returns the resource's toggle once visible.
    async fn show_acl(&self, acl: Acl) -> Result<(Locator, bool), Error> {
        let b = self.pim.browser;
        self.open_tab(API_TAB).await?;
        let group = Locator::css(format!(
            "a[href=\"#{}\"] span, .AknVerticalNavtab .tab a span",
            acl.group_pane()
        ))
        .filter(Filter::Visible)
        .text(acl.group_label());
        b.click(&group).await?;
        let toggle = Self::permission(acl).find(".acl-permission-toggle");
        let info = b.read(&toggle).await?;
        let granted = info.has_class("granted") && !info.has_class("non-granted");
        Ok((toggle, granted))
    }

    /// Grants the ACL (clicks its toggle only when it is not granted). Returns true when it
    /// had to be granted.
    pub async fn grant(&self, acl: Acl) -> Result<bool, Error> {
        let b = self.pim.browser;
        let (toggle, granted) = self.show_acl(acl).await?;
        // The tab strip, the group list and the pane with the ticked permission.
        let shot = Shot::new("permission-activation")
            .region(first_tab())
            .region(Self::permission(acl))
            .size(504, 196)
            .lead(4)
            .highlight(toggle.clone());
        if granted {
            b.snapshot(shot).await?;
            return Ok(false);
        }
        b.click(&toggle).await?;
        b.wait(
            &toggle.filter(Filter::Class("granted".into())),
            Cond::Visible,
        )
        .await?;
        b.snapshot(shot).await?;
        Ok(true)
    }

    /// Checks that the ACL is granted in the form as shown.
    pub async fn expect_granted(&self, acl: Acl) -> Result<(), Error> {
        let (_, granted) = self.show_acl(acl).await?;
        if granted {
            Ok(())
        } else {
            Err(self.pim.browser.unexpected(format!(
                "role '{}' was saved but {acl} is not granted after re-opening it",
                self.label
            )))
        }
    }

    /// Every row of the "Web API permissions" tab as the form shows it.
    pub async fn api_permissions(&self) -> Result<Vec<ApiPermission>, Error> {
        let b = self.pim.browser;
        b.wait(
            &Locator::css(API_PANE).find(".acl-permission").many(),
            Cond::Present,
        )
        .await?;
        let v = b
            .script(api_permissions::READ_JS, vec![serde_json::json!(API_PANE)])
            .await?;
        let rows = api_permissions::parse(&v);
        if rows.is_empty() {
            return Err(b.unexpected(format!(
                "role '{}': the Web API permissions tab lists no permission \
                 (.acl-permission rows with an identity input)",
                self.label
            )));
        }
        Ok(rows)
    }

    /// Grants every API permission of `set` that is not granted yet (never revokes one):
    /// opens each vertical group and clicks the row's toggle. Returns what it granted.
    pub async fn grant_api(&self, set: ApiPermissions) -> Result<Vec<ApiPermission>, Error> {
        let b = self.pim.browser;
        self.open_tab(API_TAB).await?;
        let missing: Vec<ApiPermission> = self
            .api_permissions()
            .await?
            .into_iter()
            .filter(|p| set.wants(p) && !p.granted)
            .collect();
        for p in &missing {
            let group = Locator::css(format!("a[href=\"#{}\"]", p.pane))
                .filter(Filter::Visible)
                .nth(0);
            b.click(&group).await?;
            let toggle = Locator::css(format!("#{} .acl-permission", p.pane))
                .filter(Filter::Has(format!("input[value=\"{}\"]", p.identity)))
                .find(".acl-permission-toggle");
            b.click(&toggle).await?;
            b.wait(
                &toggle.filter(Filter::Class("granted".into())),
                Cond::Present,
            )
            .await?;
        }
        Ok(missing)
    }

    /// Checks that every API permission of `set` is granted in the form as shown; returns the
    /// granted API permissions (all of them, `set` or not).
    pub async fn expect_api(&self, set: ApiPermissions) -> Result<Vec<ApiPermission>, Error> {
        let rows = self.api_permissions().await?;
        let missing: Vec<&str> = rows
            .iter()
            .filter(|p| set.wants(p) && !p.granted)
            .map(|p| p.label.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(self.pim.browser.unexpected(format!(
                "role '{}' was saved but these API permissions ({set}) are not granted after \
                 re-opening it: {}",
                self.label,
                missing.join(", ")
            )));
        }
        Ok(rows.into_iter().filter(|p| p.granted).collect())
    }

    fn users_grid() -> Grid {
        Grid::new(Some(USERS_PANE), "Username")
    }

    /// Opens the Users tab and pages through the role's Users grid to the user's row.
    /// Returns the row's checkbox state and its page.
    async fn find_user_row(&self, username: &str) -> Result<(bool, u32), Error> {
        self.open_tab(USERS_TAB).await?;
        let grid = Self::users_grid();
        let checked = grid
            .find(self.pim.browser, |p| {
                p.rows_where("Username", username)
                    .first()
                    .map(|r| r.checked)
            })
            .await?;
        match checked {
            Some((Some(c), page)) => Ok((c, page)),
            Some((None, _)) => Err(self.pim.browser.unexpected(format!(
                "the row of '{username}' in the role's Users grid has no checkbox"
            ))),
            None => Err(self.pim.browser.unexpected(format!(
                "user '{username}' is not in the role's Users grid (all pages read)"
            ))),
        }
    }

    /// Ticks the user in the Users tab (paging as needed). Returns whether it had to tick,
    /// and the grid page the user was on.
    pub async fn tick_user(&self, username: &str) -> Result<(bool, u32), Error> {
        let b = self.pim.browser;
        let (ticked, page) = self.find_user_row(username).await?;
        let checkbox = Self::users_grid()
            .row(username)
            .find("td.boolean-cell input[type=\"checkbox\"]");
        // The "Has role" and "Username" headers and the user's row: two columns, one row.
        let header = |i: usize| {
            Locator::css("#pim_user-roles-tab-users th, #users th")
                .filter(Filter::Visible)
                .nth(i)
        };
        let shot = Shot::new("permission-assignation")
            .region(header(0))
            .region(header(1))
            .region(checkbox.clone())
            .size(218, 85)
            // As published: the grid sorted on "Has role", the ticked user first.
            .hide(
                "#pim_user-roles-tab-users tbody tr:not(:has(input:checked)), \
                 #users tbody tr:not(:has(input:checked))",
            )
            .highlight(checkbox.clone());
        if ticked {
            b.snapshot(shot).await?;
            return Ok((false, page));
        }
        b.click(&checkbox).await?;
        b.wait(&checkbox.filter(Filter::Checked(true)), Cond::Present)
            .await?;
        b.snapshot(shot).await?;
        Ok((true, page))
    }

    /// Checks that the user is ticked in the Users tab as shown.
    pub async fn expect_user_ticked(&self, username: &str) -> Result<(), Error> {
        if self.find_user_row(username).await?.0 {
            Ok(())
        } else {
            Err(self.pim.browser.unexpected(format!(
                "role '{}' was saved but '{username}' is not ticked in its Users tab after \
                 re-opening it",
                self.label
            )))
        }
    }

    /// Saves the role: waits for the save request to finish, reports the PIM's validation
    /// messages as `Error::PimRefused`, then waits for the update route
    /// (`#/user/role/update/<id>`).
    pub async fn save(self) -> Result<SavedRole<'a>, Error> {
        let b = self.pim.browser;
        b.click(&Locator::css(SAVE).filter(Filter::Visible)).await?;
        // The form itself (its header stays visible whichever tab is active) once the page is
        // settled, i.e. the save request finished; errors may sit in a tab not shown.
        let form = Locator::css(FORM).filter(Filter::Visible);
        refused_or(&self.pim, FORM, (form, Cond::Visible)).await?;
        b.wait_url(
            "the role's update page (#/user/role/update/<id>)",
            b.timeout(),
            |u| u.contains("/user/role/update/"),
        )
        .await?;
        Ok(SavedRole {
            pim: self.pim,
            label: self.label,
        })
    }
}

impl<'a> RoleForm<'a> {
    /// Saves a new role on 3.x: returns once the save answered with the new role's update
    /// route (`{"route":"pim_user_role_update","params":{"id":N}}`, which the SPA follows to
    /// `#/user/role/update/<id>`), without waiting for that page to render; the PIM's
    /// validation messages are `Error::PimRefused`. Returns the saved role and its id.
    pub async fn save_created(self) -> Result<(SavedRole<'a>, u64), Error> {
        let b = self.pim.browser;
        b.click(&Locator::css(SAVE).filter(Filter::Visible)).await?;
        let routed = Locator::css("html").filter(Filter::Location("/user/role/update/".into()));
        refused_or(&self.pim, FORM, (routed, Cond::Present)).await?;
        let url = b.url().await?;
        let id = role_id(&url).ok_or_else(|| {
            b.unexpected(format!(
                "the save of role '{}' opened {url}, a role update route without an id",
                self.label
            ))
        })?;
        let saved = SavedRole {
            pim: self.pim,
            label: self.label,
        };
        Ok((saved, id))
    }
}

/// The id in a role update route (`…#/user/role/update/12`).
fn role_id(url: &str) -> Option<u64> {
    let tail = url.rsplit_once("/user/role/update/")?.1;
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A role that was saved; re-open it to check what the PIM stored.
pub struct SavedRole<'a> {
    pim: Pim<'a>,
    label: String,
}

impl<'a> SavedRole<'a> {
    /// Role `id` as the server stored it (its form and, when given, the `user`'s row of its
    /// Users grid), read in one in-page call; `None` when the answers do not tell (see
    /// [`super::role_stored::read`]).
    pub async fn stored(
        &self,
        id: u64,
        user: Option<&str>,
    ) -> Result<Option<super::role_stored::StoredRole>, Error> {
        super::role_stored::read(&self.pim, id, user).await
    }

    /// The role's label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Re-opens the role from the server (a fresh load of its update page, which also
    /// supersedes the reload the PIM schedules after an update).
    pub async fn reopen(self) -> Result<RoleForm<'a>, Error> {
        self.pim.browser.reload().await?;
        RoleForm::wait_loaded(self.pim, &self.label).await
    }
}

#[cfg(test)]
mod tests {
    use super::role_id;

    #[test]
    fn the_id_of_an_update_route() {
        assert_eq!(role_id("http://h/#/user/role/update/12"), Some(12));
        assert_eq!(role_id("http://h/#/user/role/update/7?x=1"), Some(7));
        assert_eq!(role_id("http://h/#/user/role/create"), None);
        assert_eq!(role_id("http://h/#/user/role/update/"), None);
    }
}
