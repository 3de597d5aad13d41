//! The steps of every run, by one name that the progress line, the report, JUnit and the
//! failure artifacts share.

use std::fmt;

macro_rules! steps {
    ($($(#[$doc:meta])* $v:ident => $name:literal,)*) => {
        /// A step of `provision`, `verify` or `check`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Step {
            $($(#[$doc])* $v,)*
        }

        impl Step {
            /// Every step.
            pub const ALL: &'static [Step] = &[$(Step::$v,)*];

            /// The name shown on the progress line and in reports (e.g. `ensure role`).
            pub const fn name(self) -> &'static str {
                match self {
                    $(Step::$v => $name,)*
                }
            }
        }
    };
}

steps! {
    /// Start the WebDriver session.
    StartBrowser => "start browser",
    /// Log in to the back office.
    LogIn => "log in",
    /// Log in again after the PIM session expired.
    LogInAgain => "log in again",
    /// Tell the PIM's generation.
    DetectVersion => "detect version",
    /// Check the administrator may open the pages the flow needs.
    CheckPermissions => "check permissions",
    /// Create or reuse the API user.
    EnsureUser => "ensure user",
    /// Create or reuse the role, granted and with the user ticked.
    EnsureRole => "ensure role",
    /// Create or reuse the API connection (or 1.7 console client).
    EnsureConnection => "ensure connection",
    /// Read the client id and secret.
    ReadCredentials => "read credentials",
    /// Get a token and call the API.
    Verify => "verify",
    /// check: create the user.
    CreateUser => "create user",
    /// check: open the Roles grid.
    OpenRoles => "open roles",
    /// check: open the role form and type the label.
    CreateRole => "create role",
    /// check: grant Overall Web API access.
    GrantWebApi => "grant Web API access",
    /// check: tick the user in the role's Users tab.
    AssignUser => "assign user",
    /// check: save and re-open the role.
    SaveRole => "save role",
    /// check 2.x/3.x: create the API connection.
    CreateApiConnection => "create API connection",
    /// check 4.x+: create the connection.
    CreateConnection => "create connection",
    /// check 4.x+: set the connection's role.
    SetConnectionRole => "set connection role",
    /// check: get a token.
    GetToken => "get token",
    /// check: call the API.
    CallApi => "call the API",
    /// check --cleanup 2.x/3.x: revoke the API connection.
    RevokeApiConnection => "revoke API connection",
    /// check --cleanup 4.x+: delete the connection.
    DeleteConnection => "delete connection",
    /// check --cleanup: delete the role.
    DeleteRole => "delete role",
    /// check --cleanup 2.x/3.x: delete the user.
    DeleteUser => "delete user",
}

impl Step {
    /// The step of this name, if any (`detect` is an older name of `detect version`).
    pub fn from_name(name: &str) -> Option<Step> {
        if name == "detect" {
            return Some(Step::DetectVersion);
        }
        Step::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The file-name form of the name (`grant-web-api-access`), as the artifacts use it.
    pub fn slug(self) -> String {
        slug(self.name())
    }

    /// The tutorial's words for the step (API tutorial, "Step 1: create credentials").
    pub fn tutorial_text(self) -> &'static str {
        match self {
            Step::StartBrowser => "Open a browser on the PIM.",
            Step::DetectVersion => "Find out which PIM version this is.",
            Step::LogIn => "Log in to the PIM back office as an administrator.",
            Step::EnsureUser => {
                "Create a dedicated user for the API: System > Users > Create user \
                 (username, first and last name, e-mail, password)."
            }
            Step::EnsureRole => {
                "Create a role for your API user: System > Roles > Create role, name it, grant \
                 Overall Web API access in the Web API permissions tab, and tick your user in the \
                 Users tab; save."
            }
            Step::EnsureConnection => {
                "Create an API connection: System > API connections > Create, give it a label \
                 and save (4.x and later: Connect > Connections > Create, with a flow type)."
            }
            Step::ReadCredentials => {
                "Copy the client ID and the secret shown for your connection; with the API user's \
                 username and password they are the four values of the token request."
            }
            Step::Verify => {
                "Ask for a token (POST /api/oauth/v1/token) and make your first API call \
                 (GET /api/rest/v1/products?limit=1)."
            }
            _ => "",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The one slugifier: lowercase ASCII words joined by `-` (`Grant Web API` → `grant-web-api`).
pub fn slug(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for s in Step::ALL {
            assert_eq!(Step::from_name(s.name()), Some(*s));
        }
        assert_eq!(Step::GrantWebApi.slug(), "grant-web-api-access");
        assert_eq!(Step::from_name("detect"), Some(Step::DetectVersion));
    }
}
