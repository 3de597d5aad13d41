//! The simulator's in-memory data: users, roles, API clients, tokens, sessions and counters.
//! Shared by the back-office routes and the REST API routes behind one mutex.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use rand::distr::Alphanumeric;
use rand::Rng;
use serde_json::{json, Value};

/// ACL that grants access to the web API (`action:pim_api_overall_access`).
pub const ACL_API_OVERALL: &str = "pim_api_overall_access";

/// Every ACL the simulator knows, with its label and group, in display order.
/// `(id, permission_group ("action" or "api"), group label, resource label)`.
pub const ACLS: &[(&str, &str, &str, &str)] = &[
    (
        "pim_enrich_api_connection_manage",
        "action",
        "System",
        "Manage the API connections",
    ),
    ("pim_user_user_index", "action", "System", "List users"),
    ("pim_user_user_create", "action", "System", "Create a user"),
    ("pim_user_user_edit", "action", "System", "Edit users"),
    ("pim_user_role_index", "action", "System", "List roles"),
    ("pim_user_role_create", "action", "System", "Create a role"),
    ("pim_user_role_edit", "action", "System", "Edit roles"),
    ("pim_user_role_remove", "action", "System", "Remove a role"),
    (
        "pim_enrich_product_index",
        "action",
        "Products",
        "List products",
    ),
    (
        "pim_api_overall_access",
        "api",
        "Overall Web API access",
        "Web API permissions",
    ),
    (
        "pim_api_attribute_list",
        "api",
        "Attributes",
        "List attributes",
    ),
    (
        "pim_api_attribute_edit",
        "api",
        "Attributes",
        "Create and update attributes",
    ),
    (
        "pim_api_category_list",
        "api",
        "Categories",
        "List categories",
    ),
    (
        "pim_api_category_edit",
        "api",
        "Categories",
        "Create and update categories",
    ),
    ("pim_api_family_list", "api", "Families", "List families"),
    (
        "pim_api_family_edit",
        "api",
        "Families",
        "Create and update families",
    ),
    ("pim_api_channel_list", "api", "Channels", "List channels"),
    (
        "pim_api_channel_edit",
        "api",
        "Channels",
        "Create and update channels",
    ),
    ("pim_api_locale_list", "api", "Locales", "List locales"),
    // 6.0+ (PR #14978): products need their own List ACL; shown in the role form and enforced
    // by the API only for V6+.
    ("pim_api_product_list", "api", "Products", "List products"),
    (
        "pim_api_currency_list",
        "api",
        "Currencies",
        "List currencies",
    ),
];

/// A back-office or API user.
#[derive(Debug, Clone)]
pub struct User {
    /// Database id.
    pub id: u64,
    /// Login name (unique).
    pub username: String,
    /// E-mail (unique).
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Clear password (this is a simulator).
    pub password: String,
    /// Status: only enabled users can log in or get tokens.
    pub enabled: bool,
    /// Role ids.
    pub roles: Vec<u64>,
    /// UI user, or the API user of a connection (4.x+, hidden from the user grids).
    pub kind: UserKind,
}

/// `oro_user.type`: an ordinary (UI) user, or the API user auto-created with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserKind {
    /// `user`: listed in System > Users and in the role form's Users tab.
    #[default]
    Ui,
    /// `api` (`defineAsApiUser()`): hidden from the user grids.
    Api,
}

/// A 4.x+ connection (`akeneo_connectivity_connection`): links a code to a client and a user.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Code (unique, `[0-9a-zA-Z_]`, 3–100 chars).
    pub code: String,
    /// Label (3–100 chars).
    pub label: String,
    /// `data_source`, `data_destination` or `other`.
    pub flow_type: String,
    /// Database id of its OAuth client.
    pub client: u64,
    /// Id of its API user.
    pub user: u64,
    /// "Track in the dashboard" (5.0+).
    pub auditable: bool,
    /// Image path, or none.
    pub image: Option<String>,
}

/// A role with its granted ACLs.
#[derive(Debug, Clone)]
pub struct Role {
    /// Database id.
    pub id: u64,
    /// Code, e.g. `ROLE_ADMINISTRATOR`, `MY_API_USER_ROLE`.
    pub role: String,
    /// Label shown in the UI (max 25 chars, unique).
    pub label: String,
    /// Granted ACL ids.
    pub acls: BTreeSet<String>,
}

/// An OAuth client ("API connection" in 2.x/3.x).
#[derive(Debug, Clone)]
pub struct ApiClient {
    /// Database id.
    pub id: u64,
    /// FOSOAuth random id (50 chars of [0-9a-z]).
    pub random_id: String,
    /// Secret (50 chars of [0-9a-z]).
    pub secret: String,
    /// Label.
    pub label: String,
    /// Allowed grant types.
    pub grant_types: Vec<String>,
}

impl ApiClient {
    /// The public id `<id>_<random_id>` used as `client_id`.
    pub fn public_id(&self) -> String {
        format!("{}_{}", self.id, self.random_id)
    }
}

/// An issued access token with its refresh token.
#[derive(Debug, Clone)]
pub struct Token {
    /// Access token.
    pub access: String,
    /// Refresh token (rotated on refresh).
    pub refresh: String,
    /// Client public id.
    pub client_id: String,
    /// User id.
    pub user_id: u64,
    /// Access token expiry.
    pub expires_at: Instant,
}

/// Counters of create/update requests, for tests to assert what really happened.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counters {
    /// Logins attempted (POST /user/login-check).
    pub login: u64,
    /// POST /rest/user/ requests.
    pub user_create: u64,
    /// Password changes committed by POST /rest/user/{id} (the edit form's Password tab).
    pub user_password_change: u64,
    /// Role form POSTs on /user/role/create.
    pub role_create: u64,
    /// Role form POSTs on /user/role/update/{id}.
    pub role_update: u64,
    /// POST /client/rest requests.
    pub client_create: u64,
    /// DELETE /client/rest/{id} requests.
    pub client_revoke: u64,
    /// POST /api/oauth/v1/token requests.
    pub token: u64,
}

/// The whole simulated database.
#[derive(Debug, Default)]
pub struct State {
    /// Users by insertion (id) order.
    pub users: Vec<User>,
    /// Roles by id order.
    pub roles: Vec<Role>,
    /// API clients.
    pub clients: Vec<ApiClient>,
    /// Issued tokens.
    pub tokens: Vec<Token>,
    /// Session id (cookie `BAPID`) → user id.
    pub sessions: HashMap<String, u64>,
    /// Request counters.
    pub counters: Counters,
    /// Back-office session data (cookie `BAPID` → CSRF tokens, login error, pending flashes),
    /// for anonymous and authenticated sessions alike.
    pub session_data: HashMap<String, SessionData>,
    /// Connections (4.x+), by creation order.
    pub connections: Vec<Connection>,
    /// Drawn at every start: the seed of the 5.x+ front end's hashed (styled-components) class
    /// names, so that nothing can lean on them. Not part of `/_sim/state`.
    pub style_salt: String,
}

/// What the back office keeps in a session besides the logged-in user.
#[derive(Debug, Clone, Default)]
pub struct SessionData {
    /// CSRF token of the login form (token id `authenticate`).
    pub login_csrf: String,
    /// CSRF token of the back-office forms (`pim_user_role_form[_token]`).
    pub form_csrf: String,
    /// Error of the last failed login, shown once on the login page.
    pub last_error: Option<String>,
    /// Username of the last login attempt (pre-fills the login form).
    pub last_username: String,
    /// Flash messages waiting for the next full page load: `(type, message)`.
    pub flashes: Vec<(String, String)>,
}

/// Role code from a label, as the real role handler does: uppercase, non-`[\w-]` → `_`.
pub fn role_code(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .to_uppercase()
}

/// Random string of `n` chars of `[0-9a-z]`, like FOSOAuth's `Random::generateToken()`.
pub fn random_token(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| {
            let c = rng.sample(Alphanumeric) as char;
            c.to_ascii_lowercase()
        })
        .collect()
}

/// Access tokens live this long (oauth2-php default).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

impl State {
    /// A fresh database: roles Administrator (every ACL) and User (every ACL but
    /// `pim_api_overall_access`), the admin user, and `extra_users` ordinary users with role User.
    pub fn new(admin_password: &str, extra_users: usize) -> Self {
        let mut s = State {
            style_salt: random_token(8),
            ..State::default()
        };
        let all: BTreeSet<String> = ACLS.iter().map(|a| a.0.to_string()).collect();
        let admin_role = s.add_role("ROLE_ADMINISTRATOR", "Administrator", all.clone());
        let mut user_acls = all;
        user_acls.remove(ACL_API_OVERALL);
        let user_role = s.add_role("ROLE_USER", "User", user_acls);
        s.add_user(
            "admin",
            "admin@example.com",
            "John",
            "Doe",
            admin_password,
            vec![admin_role],
        );
        for i in 1..=extra_users {
            s.add_user(
                &format!("user{i:02}"),
                &format!("user{i:02}@example.com"),
                "Ordinary",
                &format!("User {i:02}"),
                &random_token(12),
                vec![user_role],
            );
        }
        s
    }

    /// Adds a role and returns its id.
    pub fn add_role(&mut self, code: &str, label: &str, acls: BTreeSet<String>) -> u64 {
        let id = self.roles.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        self.roles.push(Role {
            id,
            role: code.into(),
            label: label.into(),
            acls,
        });
        id
    }

    /// Adds an enabled user and returns its id.
    pub fn add_user(
        &mut self,
        username: &str,
        email: &str,
        first: &str,
        last: &str,
        password: &str,
        roles: Vec<u64>,
    ) -> u64 {
        let id = self.users.iter().map(|u| u.id).max().unwrap_or(0) + 1;
        self.users.push(User {
            id,
            username: username.into(),
            email: email.into(),
            first_name: first.into(),
            last_name: last.into(),
            password: password.into(),
            enabled: true,
            roles,
            kind: UserKind::Ui,
        });
        id
    }

    /// Adds an API client with the password and refresh_token grants, returns its public id.
    pub fn add_client(&mut self, label: &str) -> String {
        let id = self.clients.iter().map(|c| c.id).max().unwrap_or(0) + 1;
        let c = ApiClient {
            id,
            random_id: random_token(50),
            secret: random_token(50),
            label: label.into(),
            grant_types: vec!["password".into(), "refresh_token".into()],
        };
        let public = c.public_id();
        self.clients.push(c);
        public
    }

    /// The user with this username, if any.
    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The role with this id.
    pub fn role(&self, id: u64) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    /// True when one of the user's roles grants `acl`.
    pub fn user_has_acl(&self, user_id: u64, acl: &str) -> bool {
        self.users
            .iter()
            .find(|u| u.id == user_id)
            .map(|u| {
                u.roles
                    .iter()
                    .filter_map(|r| self.role(*r))
                    .any(|r| r.acls.contains(acl))
            })
            .unwrap_or(false)
    }

    /// JSON for `GET /_sim/state`.
    pub fn to_json(&self) -> Value {
        let role_label = |id: &u64| self.role(*id).map(|r| r.label.clone()).unwrap_or_default();
        json!({
            "users": self.users.iter().map(|u| json!({
                "id": u.id, "username": u.username, "email": u.email,
                "first_name": u.first_name, "last_name": u.last_name,
                "enabled": u.enabled, "roles": u.roles.iter().map(role_label).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "roles": self.roles.iter().map(|r| json!({
                "id": r.id, "role": r.role, "label": r.label,
                "acls": r.acls.iter().collect::<Vec<_>>(),
                "users": self.users.iter().filter(|u| u.roles.contains(&r.id))
                    .map(|u| u.username.clone()).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "api_clients": self.clients.iter().map(|c| json!({
                "id": c.id, "label": c.label, "client_id": c.public_id(), "secret": c.secret,
            })).collect::<Vec<_>>(),
            "connections": self.connections.iter().map(|c| json!({
                "code": c.code, "label": c.label, "flow_type": c.flow_type,
                "client_id": self.clients.iter().find(|k| k.id == c.client).map(|k| k.public_id()),
                "username": self.users.iter().find(|u| u.id == c.user).map(|u| u.username.clone()),
                "role": self.users.iter().find(|u| u.id == c.user)
                    .and_then(|u| u.roles.first()).map(role_label),
            })).collect::<Vec<_>>(),
            "counters": self.counters,
        })
    }
}
