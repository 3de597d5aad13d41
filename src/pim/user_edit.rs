//! The 3.x user edit form (`pim-user-edit-form`, `#/user/{id}/edit`) and its "Password" tab.
//!
//! Akeneo 3.x (`UserController::postAction` → `updateUser` → `validatePassword`, route
//! `pim_user_user_rest_post`) changes a password only when `current_password` is the EDITED
//! user's own current password, even for an administrator editing someone else ("Wrong
//! password" otherwise); the new one must be repeated identically and have 2 characters or
//! more. So resetting another user's password needs that user's current password.

use crate::browser::{Cond, Filter, Locator, Typing};
use crate::error::Error;
use crate::secrets::Secret;

use super::{refused_or, Pim};

/// The "Password" tab of the form tabs (`pim-user-edit-form-password-tab`).
fn password_tab() -> Locator {
    Locator::css(
        "#form-navbar .AknHorizontalNavtab-link, .AknHorizontalNavtab .AknHorizontalNavtab-link",
    )
    .filter(Filter::Visible)
    .text("Password")
}

fn field(name: &str) -> Locator {
    Locator::css(format!("input[name=\"{name}\"]")).filter(Filter::Visible)
}

/// The user edit form, loaded.
pub struct UserEditForm<'a> {
    pim: Pim<'a>,
}

impl<'a> UserEditForm<'a> {
    /// Waits until the edit form shows its tabs (the "Password" tab among them).
    pub async fn wait_loaded(pim: Pim<'a>) -> Result<Self, Error> {
        pim.browser.wait(&password_tab(), Cond::Visible).await?;
        Ok(UserEditForm { pim })
    }

    /// Sets `new` as the user's password through the "Password" tab (`current_password`,
    /// `new_password`, `new_password_repeat`, then Save). The PIM's validation messages
    /// ("Wrong password", "Password does not match", the minimum length) become
    /// `Error::PimRefused`.
    pub async fn change_password(self, current: &Secret, new: &Secret) -> Result<(), Error> {
        let b = self.pim.browser;
        b.add_secret(current.expose());
        b.add_secret(new.expose());
        b.click(&password_tab()).await?;
        let secret = Typing {
            secret: true,
            ..Default::default()
        };
        // The model updates on keyup (pim/form/common/fields/password): real keystrokes.
        b.type_text(&field("current_password"), current.expose(), secret)
            .await?;
        b.type_text(&field("new_password"), new.expose(), secret)
            .await?;
        b.type_text(&field("new_password_repeat"), new.expose(), secret)
            .await?;
        b.click(
            &Locator::css(".AknButton--apply.save, .AknButton--apply")
                .filter(Filter::Visible)
                .text("Save"),
        )
        .await?;
        // pim/form/common/save-form: a success flash once saved; on 400 the violations show
        // under the fields (and an error flash).
        let saved = Locator::css(".AknFlash--success, .alert-success")
            .filter(Filter::NonEmpty)
            .many();
        refused_or(&self.pim, "body", (saved, Cond::Present)).await
    }
}
