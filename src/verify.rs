//! `verify`: checks saved credentials (a file written by `provision`, or environment variables)
//! by getting a token and calling the API from a browser on the PIM's origin.

use std::path::Path;

use serde_json::Value;

use crate::pim::api::Credentials;
use crate::secrets::Secret;

/// The five values `verify` needs.
#[derive(Debug, Clone)]
pub struct Saved {
    /// PIM base URL.
    pub pim_url: String,
    /// The four credentials.
    pub creds: Credentials,
}

/// Reads credentials from the text of a file written by `provision` in any of its formats.
pub fn parse_saved(text: &str) -> Result<Saved, String> {
    use std::collections::HashMap;
    // Every format is read into the JSON output's key names.
    let values: HashMap<String, String> = if text.trim_start().starts_with('{') {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        match v["values"].as_array() {
            // A Postman environment.
            Some(vars) => vars
                .iter()
                .filter_map(|x| {
                    let key = match x["key"].as_str()? {
                        "url" => "pim_url",
                        "clientId" => "client_id",
                        other => other,
                    };
                    Some((key.to_string(), x["value"].as_str()?.to_string()))
                })
                .collect(),
            None => v
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
        }
    } else {
        parse_dotenv(text)
            .into_iter()
            .filter_map(|(k, v)| {
                let key = match k.as_str() {
                    "PIM_URL" => "pim_url".to_string(),
                    other => other.strip_prefix("PIM_")?.to_ascii_lowercase(),
                };
                Some((key, v))
            })
            .collect()
    };
    let need = |k: &str| {
        values
            .get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| format!("no {k} in the credentials"))
    };
    Ok(Saved {
        pim_url: need("pim_url")?.trim_end_matches('/').to_string(),
        creds: Credentials {
            client_id: need("client_id")?,
            secret: Secret::new(need("secret")?),
            username: need("username")?,
            password: Some(Secret::new(need("password")?)),
        },
    })
}

/// `KEY=value` lines (dotenvy: the single quoting `output::to_env` writes, double quotes,
/// `export`, comments). Lines it cannot read are skipped.
fn parse_dotenv(text: &str) -> std::collections::HashMap<String, String> {
    dotenvy::from_read_iter(text.as_bytes())
        .filter_map(Result::ok)
        .collect()
}

fn from_env() -> Result<Saved, String> {
    let mut text = String::new();
    for k in [
        "PIM_URL",
        "PIM_CLIENT_ID",
        "PIM_SECRET",
        "PIM_USERNAME",
        "PIM_PASSWORD",
    ] {
        let v =
            std::env::var(k).map_err(|_| format!("no --credentials FILE and ${k} is not set"))?;
        text.push_str(&format!("{k}='{}'\n", v.replace('\'', "'\\''")));
    }
    parse_saved(&text)
}

/// Reads the saved credentials from `path`, or without it from the environment.
pub fn load(path: Option<&Path>) -> Result<Saved, String> {
    match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            parse_saved(&text).map_err(|e| format!("{}: {e}", p.display()))
        }
        None => from_env(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::sample;
    use crate::output::{self, Format};

    #[test]
    fn reads_back_every_output_format() {
        for f in [Format::Json, Format::Env, Format::Postman] {
            let text = output::render(&sample(), f);
            let s = parse_saved(&text).unwrap_or_else(|e| panic!("{f:?}: {e}"));
            assert_eq!(s.pim_url, "http://127.0.0.1:8080", "{f:?}");
            assert_eq!(s.creds.client_id, "1_abc", "{f:?}");
            assert_eq!(s.creds.secret.expose(), "s3cr3t", "{f:?}");
            assert_eq!(s.creds.username, "myAPIuser", "{f:?}");
            assert_eq!(
                s.creds.password.as_ref().map(Secret::expose),
                Some("pa ss'word$"),
                "{f:?}"
            );
        }
    }

    #[test]
    fn missing_values_are_named() {
        assert!(parse_saved("PIM_URL=http://x\n")
            .unwrap_err()
            .contains("client_id"));
        assert!(parse_saved("{\"pim_url\":\"http://x\"}")
            .unwrap_err()
            .contains("client_id"));
    }
}
