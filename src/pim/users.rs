//! Step 2 of the tutorial: the Users grid (`#/user/`) and, in 3.x, the "Create user" modal
//! (`#create-button-extension`, fields `input[name=username|password|…]`, Save `.modal .ok`).

use crate::browser::{Cond, Filter, Locator, Typing};
use crate::error::Error;
use crate::secrets::Secret;

use super::grid::Grid;
use super::{refused_or, Pim};

/// The Users index page.
pub struct UsersPage<'a> {
    pim: Pim<'a>,
    grid: Grid,
}

impl<'a> UsersPage<'a> {
    /// Opens `#/user/` and waits for the grid (identified by its "Username" column).
    pub async fn open(pim: Pim<'a>) -> Result<Self, Error> {
        pim.open_route("#/user/").await?;
        let grid = Grid::new(None, "Username");
        grid.wait_shown(pim.browser).await?;
        Ok(UsersPage { pim, grid })
    }

    /// The grid page where a user with exactly this username is listed, if any (pages
    /// through the grid).
    pub async fn find(&self, username: &str) -> Result<Option<u32>, Error> {
        let hit = self
            .grid
            .find(self.pim.browser, |page| {
                (!page.rows_where("Username", username).is_empty()).then_some(())
            })
            .await?;
        Ok(hit.map(|(_, page)| page))
    }

    /// Opens the edit form of `username` (3.x `#/user/{id}/edit`) by clicking its row; call
    /// after [`UsersPage::find`] found it (the grid stays on that page).
    pub async fn edit(self, username: &str) -> Result<super::user_edit::UserEditForm<'a>, Error> {
        let cell = self.grid.row(username).find("td").text(username);
        self.pim.browser.click(&cell).await?;
        super::user_edit::UserEditForm::wait_loaded(self.pim).await
    }

    /// Opens the creation modal ("Create user").
    pub async fn create(self) -> Result<UserCreateModal<'a>, Error> {
        let b = self.pim.browser;
        b.click(&Locator::css("#create-button-extension").filter(Filter::Visible))
            .await?;
        // No wait here: typing the first field waits until the modal's field is actionable.
        Ok(UserCreateModal { pim: self.pim })
    }
}

/// What the creation modal asks for.
#[derive(Debug, Clone)]
pub struct NewUser<'s> {
    /// Username.
    pub username: &'s str,
    /// Password (typed twice).
    pub password: &'s Secret,
    /// First name.
    pub first_name: &'s str,
    /// Last name.
    pub last_name: &'s str,
    /// E-mail.
    pub email: &'s str,
}

fn modal() -> Locator {
    Locator::css(".modal").filter(Filter::Visible)
}

fn field(name: &str) -> Locator {
    modal().find(format!("input[name=\"{name}\"]"))
}

/// The 3.x "Create user" modal (its model updates on keyup: real keystrokes).
pub struct UserCreateModal<'a> {
    pim: Pim<'a>,
}

impl UserCreateModal<'_> {
    /// Fills the modal and saves. The PIM's validation messages become `Error::PimRefused`.
    pub async fn save(self, user: &NewUser<'_>) -> Result<(), Error> {
        let b = self.pim.browser;
        b.add_secret(user.password.expose());
        let secret = Typing {
            secret: true,
            ..Default::default()
        };
        let plain = Typing::default();
        // The modal's model follows each input on `keyup` (text.js): `fill` sends it.
        b.fill(&[
            (field("username"), user.username, plain),
            (field("password"), user.password.expose(), secret),
            (field("password_repeat"), user.password.expose(), secret),
            (field("first_name"), user.first_name, plain),
            (field("last_name"), user.last_name, plain),
            (field("email"), user.email, plain),
        ])
        .await?;
        b.click(
            &modal()
                .find(".AknButton--apply.ok, .ok")
                .filter(Filter::Visible),
        )
        .await?;
        refused_or(&self.pim, ".modal", (Locator::css(".modal"), Cond::Hidden)).await
    }
}
