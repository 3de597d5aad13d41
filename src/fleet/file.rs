//! The fleet file: TOML with `[defaults]` and `[[instances]]`, validated into [`Fleet`].

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

use crate::model::defaults;
use crate::pim::GenerationChoice;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    admin_user: Option<String>,
    admin_password_env: Option<String>,
    api_user: Option<String>,
    api_password_env: Option<String>,
    role: Option<String>,
    connection: Option<String>,
    generation: Option<String>,
    console: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceSpec {
    name: Option<String>,
    url: String,
    #[serde(flatten)]
    settings: Settings,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetFile {
    #[serde(default)]
    defaults: Settings,
    #[serde(alias = "instance", default)]
    instances: Vec<InstanceSpec>,
}

/// One PIM instance of a fleet, with the defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Unique name (letters, digits, `.`, `_`, `-`): the label in the summary and the file name
    /// with `--output-dir`.
    pub name: String,
    /// PIM base URL, without trailing slash.
    pub url: String,
    /// Administrator login.
    pub admin_user: String,
    /// Name of the environment variable holding the administrator password.
    pub admin_password_env: String,
    /// API user to create or reuse.
    pub api_user: String,
    /// Name of the environment variable holding the API user's password (else generated).
    pub api_password_env: Option<String>,
    /// Role label.
    pub role: String,
    /// API connection label.
    pub connection: String,
    /// Declared generation (`auto` when not given: detected).
    pub generation: GenerationChoice,
    /// 1.7: the prefix that runs the PIM's console (as `--console`).
    pub console: Option<String>,
}

/// A parsed and validated fleet file.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The instances, in file order.
    pub instances: Vec<Instance>,
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect::<String>()
        .trim_matches(|c| c == '-' || c == '.')
        .to_string()
}

impl Fleet {
    /// Reads and validates a fleet file.
    pub fn load(path: &Path) -> Result<Fleet, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read fleet file {}: {e}", path.display()))?;
        Fleet::parse(&text).map_err(|e| format!("fleet file {}: {e}", path.display()))
    }

    /// Parses and validates a fleet file's text: every instance has a URL and the name of the
    /// variable holding its admin password; names are unique; labels fit Akeneo's limits.
    pub fn parse(text: &str) -> Result<Fleet, String> {
        let file: FleetFile = toml::from_str(text).map_err(|e| e.to_string())?;
        if file.instances.is_empty() {
            return Err("no [[instances]] listed".into());
        }
        let d = &file.defaults;
        let mut names = HashSet::new();
        let mut instances = Vec::new();
        for (i, spec) in file.instances.iter().enumerate() {
            let n = i + 1;
            let s = &spec.settings;
            let url = spec.url.trim().trim_end_matches('/').to_string();
            match url::Url::parse(&url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => {
                    return Err(format!(
                        "instance {n}: url {:?} is not an http(s) URL",
                        spec.url
                    ))
                }
            }
            let name = match &spec.name {
                Some(x) => {
                    let safe = safe_name(x);
                    if safe != *x || x.is_empty() {
                        return Err(format!(
                            "instance {n}: name {x:?} may only hold letters, digits, '.', '_' and '-'"
                        ));
                    }
                    safe
                }
                None => {
                    let u = url::Url::parse(&url).expect("checked above");
                    let host = u.host_str().unwrap_or("pim");
                    match u.port() {
                        Some(p) => safe_name(&format!("{host}-{p}")),
                        None => safe_name(host),
                    }
                }
            };
            if !names.insert(name.clone()) {
                return Err(format!(
                    "instance {n}: name {name:?} is used twice (set distinct `name`s)"
                ));
            }
            let pick = |a: &Option<String>, b: &Option<String>| a.clone().or_else(|| b.clone());
            let admin_password_env = pick(&s.admin_password_env, &d.admin_password_env)
                .ok_or_else(|| {
                    format!(
                        "instance {name}: admin_password_env missing (the NAME of the environment \
                         variable holding its admin password)"
                    )
                })?;
            let role = pick(&s.role, &d.role).unwrap_or_else(|| defaults::ROLE.into());
            let role_chars = role.chars().count();
            if role.trim().is_empty() || role_chars > 25 {
                return Err(format!(
                    "instance {name}: role {role:?} must have 1 to 25 characters (Akeneo's limit), it has {role_chars}"
                ));
            }
            let connection =
                pick(&s.connection, &d.connection).unwrap_or_else(|| defaults::CONNECTION.into());
            if connection.trim().is_empty() || connection.chars().count() > 255 {
                return Err(format!(
                    "instance {name}: connection label must have 1 to 255 characters"
                ));
            }
            let api_user =
                pick(&s.api_user, &d.api_user).unwrap_or_else(|| defaults::API_USER.into());
            if api_user.trim().is_empty() {
                return Err(format!("instance {name}: api_user must not be empty"));
            }
            let generation: GenerationChoice = pick(&s.generation, &d.generation)
                .unwrap_or_else(|| "auto".into())
                .parse()
                .map_err(|e| format!("instance {name}: generation: {e}"))?;
            instances.push(Instance {
                name,
                url,
                admin_user: pick(&s.admin_user, &d.admin_user).unwrap_or_else(|| "admin".into()),
                admin_password_env,
                api_user,
                api_password_env: pick(&s.api_password_env, &d.api_password_env),
                role,
                connection,
                generation,
                console: pick(&s.console, &d.console),
            });
        }
        Ok(Fleet { instances })
    }
}
