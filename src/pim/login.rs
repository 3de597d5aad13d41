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

/// What the app shows once logged in: 6.x/7.x React main menu, 2.x–5.x header menu or
/// dashboard widgets, 1.7 dashboard.
fn logged_in() -> Locator {
    Locator::css(
        "[data-testid=\"pim-main-menu-item\"], [data-drop-zone=\"menu\"] .AknHeader-menuItem, \
         .AknHeader-menuItem, .AknWidget, .AknDashboardButtons",
    )
    .filter(Filter::Visible)
    .many()
}

/// The login page.
pub struct LoginPage<'a> {
    pim: Pim<'a>,
    layout: super::generation::LoginLayout,
}

impl<'a> LoginPage<'a> {
    /// Opens `/user/login` and waits for the login form. A page that is not an Akeneo login
    /// is refused (`Error::Usage`, "not an Akeneo PIM: …"); an address the browser cannot
    /// reach is `Error::Unreachable` ("cannot reach the PIM at …: connection refused …").
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        // Here the login form is expected, not a sign that the session ended.
        pim.browser.watch_session_end(None);
        pim.browser.watch_refusal(None);
        pim.browser
            .goto(&pim.url("/user/login"))
            .await
            .map_err(|e| super::api::unreachable(&pim, e))?;
        let layout = super::generation::check_login_page(&pim).await?;
        pim.browser.wait(&form(), Cond::Visible).await?;
        Ok(LoginPage { pim, layout })
    }

    /// What the login page's layout says about the generation (1.7 or later).
    pub fn layout(&self) -> super::generation::LoginLayout {
        self.layout
    }

    /// Logs in. A refusal ("Invalid credentials.", "Account is disabled.") is
    /// `Error::PimRefused` with the PIM's message.
    pub async fn log_in(self, user: &str, password: &Secret) -> Result<(), Error> {
        let b = self.pim.browser;
        b.add_secret(password.expose());
        let field = |name: &str| form().find(format!("input[name=\"{name}\"]"));
        let secret = Typing {
            secret: true,
            ..Default::default()
        };
        b.fill(&[
            (field("_username"), user, Typing::default()),
            (field("_password"), password.expose(), secret),
        ])
        .await?;
        b.click(&form().find("button[type=\"submit\"], #_submit"))
            .await?;
        // 1.7–4.x `.AknMessageBox--error`; 5.0+ a design-system Helper (`div.Helper > span.Text`,
        // no modifier class for the login error; session flashes carry `Helper--<type>`).
        let error = Locator::css(
            ".AknMessageBox--error, .alert-error, .alert-danger, \
             div.Helper:not([class*=\"Helper--success\"]):not([class*=\"Helper--info\"]) > span.Text",
        )
            .filter(Filter::NonEmpty)
            .filter(Filter::Visible)
            .many();
        // Present (and shown): the app has rendered; requests it fires after rendering (the
        // Help menu's /analytics/collect_data) are not waited for.
        let found = b
            .wait_any(
                &[(logged_in(), Cond::Present), (error, Cond::Visible)],
                b.timeout().max(Duration::from_secs(5)),
            )
            .await?;
        if found.alt == 0 {
            // From now on, the login form showing anywhere (in place of a page, or after an
            // XHR answered 401) means the session expired: every wait fails fast with
            // `Error::SessionExpired` and the flow logs in again.
            b.watch_session_end(Some(form().many()));
            // An error page in place of the awaited one (403: the admin's role lacks a
            // permission) is a refusal, said at once rather than after a timeout.
            b.watch_refusal(Some(
                Locator::css(
                    ".error-page .AknMessageBox--error, .AknInfoBlock .AknMessageBox--error",
                )
                .filter(Filter::Visible)
                .filter(Filter::NonEmpty)
                .many(),
            ));
            return Ok(());
        }
        Err(Error::PimRefused {
            step: b.step(),
            message: found.texts.join("; "),
        })
    }
}
