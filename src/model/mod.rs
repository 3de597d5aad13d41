//! The results of a run, shared by the flow, the output formats and the commands; the
//! tutorial's default names; the names of the steps.

use crate::secrets::Secret;

mod step;
pub use step::{slug, Step};

/// The four values of the tutorial's step 2 (the only credentials type): what a connection
/// shows, what `provision` reports, what `verify` reads back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// OAuth client id (`<n>_<random>`).
    pub client_id: String,
    /// OAuth secret.
    pub secret: Secret,
    /// API username.
    pub username: String,
    /// API password; `None` when unknown (a reused user, a masked connection password).
    pub password: Option<Secret>,
}

/// The tutorial's names, the defaults of every command and of fleet files.
pub mod defaults {
    /// The administrator login.
    pub const ADMIN_USER: &str = "admin";
    /// The API user.
    pub const API_USER: &str = "myAPIuser";
    /// The role granting Overall Web API access.
    pub const ROLE: &str = "My API user role";
    /// The API connection.
    pub const CONNECTION: &str = "My very first API connection";
}

/// Which of the three entities this run created (false: reused).
#[derive(Debug, Clone, Default, serde::Serialize, PartialEq, Eq)]
pub struct Created {
    /// The API user was created.
    pub user: bool,
    /// The role was created.
    pub role: bool,
    /// The API connection was created.
    pub connection: bool,
    /// Creations sent to the PIM but not (yet) confirmed ("user", "role", "connection"): a
    /// run that stops then says the PIM may hold them.
    #[serde(skip)]
    pub unconfirmed: Vec<&'static str>,
}

impl Created {
    /// Records a creation sent to the PIM, not yet confirmed.
    pub fn sending(&mut self, what: &'static str) {
        if !self.unconfirmed.contains(&what) {
            self.unconfirmed.push(what);
        }
    }

    /// Records a confirmed creation.
    pub fn confirm(&mut self, what: &'static str) {
        self.unconfirmed.retain(|w| *w != what);
        match what {
            "user" => self.user = true,
            "role" => self.role = true,
            _ => self.connection = true,
        }
    }
}

/// The result of a provision run.
#[derive(Debug, Clone)]
pub struct Provisioned {
    /// PIM base URL.
    pub pim_url: String,
    /// Detected generation, e.g. "3.x".
    pub pim_version: String,
    /// The credentials; the password is `None` when an existing user was reused and its
    /// password is unknown.
    pub credentials: Credentials,
    /// Role label.
    pub role: String,
    /// Connection label.
    pub connection: String,
    /// A token was obtained and an API call succeeded.
    pub verified: bool,
    /// What this run created.
    pub created: Created,
    /// Notes worth telling the user (e.g. "the role lacks the channel list ACL").
    pub notes: Vec<String>,
    /// The API permissions the tool's role grants after the run (ACL ids,
    /// `pim_api_overall_access` …), as read back from its Web API permissions tab.
    pub api_permissions: Vec<String>,
    /// Why verification failed, when it did: the credentials were created all the same and are
    /// still reported (a generated or once-shown password must not be lost); the command then
    /// exits with the verification code (4).
    pub verify_error: Option<String>,
}
