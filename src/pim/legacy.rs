//! 1.7 and 2.x: the Twig user form `pim_user_user_form` (reference `ui-1.7-to-3.x.md` §4.1):
//! `/user/create` (1.7, full page) or `#/user/create` (2.x, fragment); fields by id, Status set
//! to Active (a select enhanced by Select2: set through the select and its `change` event, as
//! the reference's recipe does), at least one role in the "Groups and Roles" tab, submit with
//! `button[type=submit].AknButton--apply`; success shows "Edit user - …", refusals show
//! `.validation-tooltip[data-original-title]` icons.

use serde_json::json;

use crate::browser::{Cond, Filter, Locator, Typing};
use crate::error::Error;

use super::{refused_or, NewUser, Pim};

const FORM: &str = "pim_user_user_form";

fn field(name: &str) -> Locator {
    Locator::css(format!("#{FORM}_{name}")).filter(Filter::Visible)
}

/// Sets a (possibly Select2-enhanced) `<select>` by value: through jQuery when the page has
/// it (so Select2 re-renders), else natively with a `change` event.
const SET_SELECT_JS: &str = r#"
const [id, value] = arguments;
const el = document.getElementById(id);
if (!el) return 'missing';
if (window.jQuery) { window.jQuery(el).val(value).trigger('change'); }
else { el.value = value; el.dispatchEvent(new Event('change', { bubbles: true })); }
return el.value;
"#;

/// The Twig user creation form (1.7, 2.x).
pub struct TwigUserForm<'a> {
    pim: Pim<'a>,
}

impl<'a> TwigUserForm<'a> {
    /// Opens the creation form (`#/user/create`; on 1.7 the plain page `/user/create`).
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        pim.open_route("#/user/create").await?;
        pim.browser.wait(&field("username"), Cond::Visible).await?;
        Ok(TwigUserForm { pim })
    }

    /// Fills the form (Status Active, role "User" so that the form validates; the API role is
    /// given to the user afterwards from the role's Users tab) and saves. The PIM's validation
    /// messages become `Error::PimRefused`.
    pub async fn save(self, user: &NewUser<'_>) -> Result<(), Error> {
        let b = self.pim.browser;
        b.add_secret(user.password.expose());
        let secret = Typing {
            secret: true,
            ..Default::default()
        };
        let plain = Typing::default();
        b.fill(&[
            (field("username"), user.username, plain),
            (field("plainPassword_first"), user.password.expose(), secret),
            (
                field("plainPassword_second"),
                user.password.expose(),
                secret,
            ),
            (field("firstName"), user.first_name, plain),
            (field("lastName"), user.last_name, plain),
            (field("email"), user.email, plain),
        ])
        .await?;
        let status = b
            .script(
                SET_SELECT_JS,
                vec![json!(format!("{FORM}_enabled")), json!("1")],
            )
            .await?;
        if status.as_str() != Some("1") {
            return Err(b.unexpected(format!(
                "could not set Status to Active (#{FORM}_enabled: {status})"
            )));
        }
        // "Groups and Roles": at least one role.
        b.click(
            &Locator::css("a[href=\"#pim_user-user-tab-group_and_role\"]").filter(Filter::Visible),
        )
        .await?;
        let roles = Locator::css(format!("#{FORM}_rolesCollection"));
        let any_checked = roles
            .clone()
            .find("input[type=\"checkbox\"]")
            .filter(Filter::Checked(true))
            .many();
        let ticked = b
            .wait_any(
                &[
                    (any_checked, Cond::Present),
                    (
                        roles.clone().find("label").filter(Filter::Visible).many(),
                        Cond::Visible,
                    ),
                ],
                b.timeout(),
            )
            .await?;
        if ticked.alt == 1 {
            let user_role = roles.find("label").text("User").filter(Filter::Visible);
            b.click(&user_role).await?;
        }
        b.click(
            &Locator::css("button[type=\"submit\"].AknButton--apply")
                .filter(Filter::Visible)
                .nth(0),
        )
        .await?;
        let edited = Locator::css("body *")
            .containing("Edit user")
            .filter(Filter::Visible)
            .many();
        refused_or(&self.pim, "form", (edited, Cond::Visible)).await
    }
}
