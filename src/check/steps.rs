//! The check's steps: log in, then the 2.x/3.x or 4.x+ tutorial, each step asserting what the
//! UI shows. The role's steps and the token/API steps are shared by both generations.

use super::config::{CheckConfig, Created};
use crate::browser::Browser;
use crate::error::Error;
use crate::flow::step;
use crate::model::{Credentials, Step};
use crate::pim::{
    self, Acl, ApiConnectionsPage, ConnectionsPage, FlowType, Generation, GenerationChoice,
    LoginPage, NewUser, Pim, RoleForm, RolesPage, UsersPage,
};
use crate::progress::Progress;
use crate::secrets::Secret;

/// The names a run uses.
pub(super) struct Names<'a> {
    pub user: &'a str,
    pub role: &'a str,
    pub connection: &'a str,
}

/// Step `log in`, which also learns the generation (given, or detected on the landing page).
pub(super) async fn log_in(
    pim: Pim<'_>,
    cfg: &CheckConfig,
    progress: &Progress,
) -> crate::Result<Generation> {
    step(pim.browser, progress, Step::LogIn, async {
        let page = LoginPage::open(pim).await?;
        let layout = page.layout();
        page.log_in(&cfg.admin_user, &cfg.admin_password).await?;
        let (g, how) = match cfg.pim_version {
            GenerationChoice::Fixed(g) => (g, format!("{g} (--pim-version)")),
            GenerationChoice::Auto => {
                let (g, why) = pim::generation::detect(&pim, layout).await?;
                (g, format!("{g} detected: {why}"))
            }
        };
        if g == Generation::V1_7 || g.console_only() {
            return Err(Error::Usage(format!(
                "check drives 2.x and later; this PIM is {g} (its API clients are created by console)"
            )));
        }
        Ok((g, format!("as {}; {how}", cfg.admin_user)))
    })
    .await
}

fn already_exists(b: &Browser, what: &str, name: &str) -> Error {
    b.unexpected(format!(
        "{what} '{name}' already exists: a check never reuses data; pick another --run-id"
    ))
}

fn well_formed(client_id: &str) -> bool {
    client_id
        .split_once('_')
        .is_some_and(|(n, r)| n.parse::<u64>().is_ok() && !r.is_empty())
}

/// The role's steps: open roles, create role, grant Web API access, (2.x/3.x) assign user,
/// save role, each checked.
async fn role_steps(
    pim: Pim<'_>,
    progress: &Progress,
    role: &str,
    user: Option<&str>,
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;
    step(b, progress, Step::OpenRoles, async {
        if RolesPage::open(pim).await?.find(role).await? {
            return Err(already_exists(b, "role", role));
        }
        Ok(((), "Roles grid shown".to_string()))
    })
    .await?;
    let form = step(b, progress, Step::CreateRole, async {
        let form = RoleForm::create(pim, role).await?;
        Ok((form, format!("label '{role}' typed")))
    })
    .await?;
    step(b, progress, Step::GrantWebApi, async {
        if !form.grant(Acl::OverallWebApiAccess).await? {
            return Err(b.unexpected(format!(
                "{} was already granted on a new role",
                Acl::OverallWebApiAccess
            )));
        }
        Ok(((), "toggle granted".to_string()))
    })
    .await?;
    if let Some(user) = user {
        step(b, progress, Step::AssignUser, async {
            let (_, page) = form.tick_user(user).await?;
            Ok(((), format!("{user} ticked (Users tab page {page})")))
        })
        .await?;
    }
    step(b, progress, Step::SaveRole, async {
        let saved = form.save().await?;
        created.role = true;
        let reopened = saved.reopen().await?;
        let title = pim::check::expect_role_page(pim, role).await?;
        reopened.expect_granted(Acl::OverallWebApiAccess).await?;
        let mut detail =
            format!("saved; re-opened: title \"{title}\", no validation message, toggle granted");
        if let Some(user) = user {
            reopened.expect_user_ticked(user).await?;
            detail.push_str(", user ticked");
        }
        Ok(((), detail))
    })
    .await
}

/// Steps `get token` and `call the API` with the credentials.
async fn token_and_call(
    pim: Pim<'_>,
    progress: &Progress,
    creds: &Credentials,
    probe: &str,
) -> crate::Result<()> {
    let b = pim.browser;
    step(b, progress, Step::GetToken, async {
        let password = creds.password.as_ref().map_or("", Secret::expose);
        let (id, secret) = (&creds.client_id, creds.secret.expose());
        let d = pim::check::get_token(pim, id, secret, &creds.username, password).await?;
        Ok(((), d))
    })
    .await?;
    step(b, progress, Step::CallApi, async {
        Ok(((), pim::check::call_api(pim, probe).await?))
    })
    .await
}

/// 4.x and later, after logging in: the role (granted Overall Web API access, checked after
/// re-opening), the connection (its credentials read right after creation, its role set in
/// the Permissions section), a token for its API user and an API call.
pub(super) async fn steps_4x(
    pim: Pim<'_>,
    progress: &Progress,
    names: &Names<'_>,
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;
    let (role, connection) = (names.role, names.connection);
    role_steps(pim, progress, role, None, created).await?;
    let edit = step(b, progress, Step::CreateConnection, async {
        let page = ConnectionsPage::open(pim).await?;
        if page.exists(connection).await? {
            return Err(already_exists(b, "connection", connection));
        }
        let edit = page.create(connection, FlowType::default()).await?;
        created.connection = true;
        let detail = format!(
            "created (flow type {}); its settings page shows the Credentials section",
            FlowType::default()
        );
        Ok((edit, detail))
    })
    .await?;
    let creds = step(b, progress, Step::ReadCredentials, async {
        let c = edit.credentials().await?;
        if !well_formed(&c.client_id) {
            return Err(b.unexpected(format!(
                "the Credentials section shows client id {:?}, expected <id>_<random>",
                c.client_id
            )));
        }
        if c.password.is_none() {
            return Err(b.unexpected(
                "the Credentials section of a new connection does not show its password".into(),
            ));
        }
        let detail = format!("client id {}, user {}", c.client_id, c.username);
        Ok((c, detail))
    })
    .await?;
    step(b, progress, Step::SetConnectionRole, async {
        if !edit.set_role(role).await? {
            return Err(b.unexpected(format!("the new connection's role was already '{role}'")));
        }
        let shown = edit.role().await?;
        if shown != role {
            return Err(b.unexpected(format!(
                "after saving, the Permissions section shows the role {shown:?}, expected {role:?}"
            )));
        }
        let detail = format!("role '{role}' saved; the Permissions section shows it");
        Ok(((), detail))
    })
    .await?;
    token_and_call(pim, progress, &creds, pim.generation().probe()).await
}

/// 2.x/3.x, after logging in: the user, the role, the API connection, its credentials, a token
/// and an API call.
pub(super) async fn steps_3x(
    pim: Pim<'_>,
    progress: &Progress,
    names: &Names<'_>,
    password: &Secret,
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;
    let (user, connection) = (names.user, names.connection);
    create_user(pim, progress, user, password, created).await?;
    role_steps(pim, progress, names.role, Some(user), created).await?;
    let page = step(b, progress, Step::CreateApiConnection, async {
        let page = ApiConnectionsPage::open(pim).await?;
        page.create(connection).await?;
        created.connection = true;
        Ok((page, "created; row shown in the grid".to_string()))
    })
    .await?;
    let client = step(b, progress, Step::ReadCredentials, async {
        let c = page.read_credentials(connection).await?;
        b.add_secret(&c.secret);
        if !well_formed(&c.client_id) || c.secret.is_empty() {
            return Err(b.unexpected(format!(
                "the credentials cell shows client id {:?}, expected <id>_<random> and a secret",
                c.client_id
            )));
        }
        let detail = format!("client id {}", c.client_id);
        Ok((c, detail))
    })
    .await?;
    let creds = Credentials {
        client_id: client.client_id,
        secret: Secret::new(client.secret),
        username: user.to_string(),
        password: Some(password.clone()),
    };
    token_and_call(pim, progress, &creds, pim::api::PROBE_3X).await
}

/// Step `create user`: creates the user and finds it in the Users grid.
async fn create_user(
    pim: Pim<'_>,
    progress: &Progress,
    user: &str,
    password: &Secret,
    created: &mut Created,
) -> crate::Result<()> {
    let b = pim.browser;
    step(b, progress, Step::CreateUser, async {
        let users = UsersPage::open(pim).await?;
        if users.find(user).await?.is_some() {
            return Err(already_exists(b, "user", user));
        }
        let email = format!("{}@example.com", user.to_ascii_lowercase());
        let new = NewUser {
            username: user,
            password,
            first_name: "API",
            last_name: "Check",
            email: &email,
        };
        users.create().await?.save(&new).await?;
        created.user = true;
        match UsersPage::open(pim).await?.find(user).await? {
            Some(p) => Ok((
                (),
                format!("{user} created; listed in the Users grid (page {p})"),
            )),
            None => Err(b.unexpected(format!(
                "user '{user}' was saved but is not in the Users grid"
            ))),
        }
    })
    .await
}
