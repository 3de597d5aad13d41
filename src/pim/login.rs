//! Step 1 of the tutorial: log in (`/user/login`, `form.form-signin`).

use std::time::Duration;

use crate::browser::{Cond, Filter, Locator, Typing};
use crate::error::Error;
use crate::secrets::Secret;

use super::Pim;

/// The login form, detected by its DOM (3.x answers protected URLs with the login page in
/// place, so the URL proves nothing).
fn form() -> Locator {
    Locator::css("form.form-signin")
}

/// What the app shows once logged in: 2.x/3.x header menu or dashboard widgets, 1.7 dashboard.
fn logged_in() -> Locator {
    Locator::css(
        "[data-drop-zone=\"menu\"] .AknHeader-menuItem, .AknHeader-menuItem, .AknWidget, \
         .AknDashboardButtons",
    )
    .filter(Filter::Visible)
    .many()
}

/// The login page.
pub struct LoginPage<'a> {
    pim: Pim<'a>,
}

impl<'a> LoginPage<'a> {
    /// Opens `/user/login` and waits for the login form.
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        pim.browser.goto(&pim.url("/user/login")).await?;
        pim.browser.wait(&form(), Cond::Visible).await?;
        Ok(LoginPage { pim })
    }

    /// Logs in. A refusal ("Invalid credentials.", "Account is disabled.") is
    /// `Error::PimRefused` with the PIM's message.
    pub async fn log_in(self, user: &str, password: &Secret) -> Result<(), Error> {
        let b = self.pim.browser;
        b.add_secret(password.expose());
        let field = |name: &str| form().find(format!("input[name=\"{name}\"]"));
        b.type_text(&field("_username"), user, Typing::default())
            .await?;
        b.type_text(
            &field("_password"),
            password.expose(),
            Typing {
                secret: true,
                ..Default::default()
            },
        )
        .await?;
        b.click(&form().find("button[type=\"submit\"], #_submit"))
            .await?;
        let error = Locator::css(".AknMessageBox--error, .alert-error, .alert-danger")
            .filter(Filter::NonEmpty)
            .filter(Filter::Visible)
            .many();
        let found = b
            .wait_any(
                &[(logged_in(), Cond::Visible), (error, Cond::Visible)],
                b.timeout().max(Duration::from_secs(5)),
            )
            .await?;
        if found.alt == 0 {
            return Ok(());
        }
        Err(Error::PimRefused {
            step: b.step(),
            message: found.texts.join("; "),
        })
    }
}
