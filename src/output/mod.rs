//! Output formats (JSON, dotenv, Postman environment) and atomic 0600 file writing.

use serde_json::{json, Value};

use crate::model::Provisioned;

mod file;
pub use file::{check_writable, write_atomic_0600};

/// How the credentials are printed or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object (default).
    Json,
    /// `PIM_URL=`, `PIM_CLIENT_ID=`, `PIM_SECRET=`, `PIM_USERNAME=`, `PIM_PASSWORD=` lines.
    Env,
    /// A Postman environment with the variables the API tutorial's collection uses.
    Postman,
}

/// The JSON document: `pim_url, pim_version, client_id, secret, username, password, role,
/// connection, verified, created{user, role, connection}, api_permissions` (+ `notes` when there
/// are some).
pub fn to_json(p: &Provisioned) -> Value {
    let mut v = json!({
        "pim_url": p.pim_url,
        "pim_version": p.pim_version,
        "client_id": p.credentials.client_id,
        "secret": p.credentials.secret.expose(),
        "username": p.credentials.username,
        "password": p.credentials.password.as_ref().map(|s| s.expose()),
        "role": p.role,
        "connection": p.connection,
        "verified": p.verified,
        "created": p.created,
        "api_permissions": p.api_permissions,
    });
    if !p.notes.is_empty() {
        v["notes"] = json!(p.notes);
    }
    if let Some(e) = &p.verify_error {
        v["verify_error"] = json!(e);
    }
    v
}

/// Quotes a dotenv value when it needs it (spaces, quotes, `#`, `$`, backslashes...).
fn env_value(s: &str) -> String {
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-.:/@+,%".contains(c));
    if plain && !s.is_empty() {
        s.to_string()
    } else {
        // Single quotes: no interpolation in dotenv, docker --env-file keeps them, POSIX sh too.
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The dotenv lines.
pub fn to_env(p: &Provisioned) -> String {
    let pw = p
        .credentials
        .password
        .as_ref()
        .map(|s| s.expose())
        .unwrap_or("");
    let mut out = String::new();
    for (k, v) in [
        ("PIM_URL", p.pim_url.as_str()),
        ("PIM_CLIENT_ID", p.credentials.client_id.as_str()),
        ("PIM_SECRET", p.credentials.secret.expose()),
        ("PIM_USERNAME", p.credentials.username.as_str()),
        ("PIM_PASSWORD", pw),
    ] {
        out.push_str(&format!("{k}={}\n", env_value(v)));
    }
    out
}

/// A Postman environment (`_postman_variable_scope: environment`) with `url`, `clientId`,
/// `secret`, `username`, `password`, as step 2 of the API tutorial imports.
pub fn to_postman(p: &Provisioned) -> Value {
    let var = |key: &str, value: &str, secret: bool| json!({"key": key, "value": value, "type": if secret { "secret" } else { "default" }, "enabled": true});
    let pw = p
        .credentials
        .password
        .as_ref()
        .map(|s| s.expose())
        .unwrap_or("");
    json!({
        "id": uuid_v4(),
        "name": format!("Akeneo PIM {}", p.pim_url),
        "values": [
            var("url", &p.pim_url, false),
            var("clientId", &p.credentials.client_id, false),
            var("secret", p.credentials.secret.expose(), true),
            var("username", &p.credentials.username, false),
            var("password", pw, true),
        ],
        "_postman_variable_scope": "environment",
        "_postman_exported_using": concat!("pim-credentials/", env!("CARGO_PKG_VERSION")),
    })
}

fn uuid_v4() -> String {
    let b: [u8; 16] = rand::random();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-4{}-{:x}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        (b[8] & 0x3) | 0x8,
        &h[17..20],
        &h[20..32]
    )
}

/// Renders the result in `format`, ending with a newline.
pub fn render(p: &Provisioned, format: Format) -> String {
    match format {
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&to_json(p)).unwrap()),
        Format::Env => to_env(p),
        Format::Postman => format!(
            "{}\n",
            serde_json::to_string_pretty(&to_postman(p)).unwrap()
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Created, Credentials};
    use crate::secrets::Secret;

    /// A provision result for tests of the output formats and of what reads them back.
    pub(crate) fn sample() -> Provisioned {
        Provisioned {
            pim_url: "http://127.0.0.1:8080".into(),
            pim_version: "3.x".into(),
            credentials: Credentials {
                client_id: "1_abc".into(),
                secret: Secret::new("s3cr3t"),
                username: "myAPIuser".into(),
                password: Some(Secret::new("pa ss'word$")),
            },
            role: "My API user role".into(),
            connection: "My very first API connection".into(),
            verified: true,
            created: Created {
                user: true,
                role: false,
                connection: true,
                ..Default::default()
            },
            notes: vec![],
            api_permissions: vec!["pim_api_overall_access".into()],
            verify_error: None,
        }
    }

    #[test]
    fn json_has_every_documented_key() {
        let v = to_json(&sample());
        for k in [
            "pim_url",
            "pim_version",
            "client_id",
            "secret",
            "username",
            "password",
            "role",
            "connection",
            "verified",
            "created",
            "api_permissions",
        ] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(
            v["created"],
            json!({"user": true, "role": false, "connection": true})
        );
        assert_eq!(v["secret"], "s3cr3t");
    }

    #[test]
    fn env_quotes_what_a_shell_would_misread() {
        let e = to_env(&sample());
        assert!(e.contains("PIM_CLIENT_ID=1_abc\n"));
        assert!(e.contains("PIM_URL=http://127.0.0.1:8080\n"));
        assert!(e.contains("PIM_PASSWORD='pa ss'\\''word$'\n"), "{e}");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{e}\nprintf %s \"$PIM_PASSWORD\""))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "pa ss'word$");
    }

    #[test]
    fn postman_has_the_tutorial_variables() {
        let v = to_postman(&sample());
        let keys: Vec<&str> = v["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["url", "clientId", "secret", "username", "password"]);
        assert_eq!(v["_postman_variable_scope"], "environment");
        assert_eq!(v["values"][2]["value"], "s3cr3t");
        assert_eq!(v["id"].as_str().unwrap().len(), 36);
    }

    #[test]
    fn atomic_write_is_0600_and_refuses_existing_without_force() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("creds.json");
        assert!(check_writable(&p, false).is_ok());
        write_atomic_0600(&p, "x").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(check_writable(&p, false).unwrap_err().contains("--force"));
        assert!(check_writable(&p, true).is_ok());
        write_atomic_0600(&p, "y").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "y");
        assert!(check_writable(&dir.path().join("nope/creds.json"), false).is_err());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}
