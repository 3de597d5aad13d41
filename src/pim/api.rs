//! Verification of API credentials FROM THE BROWSER, on the PIM's own origin: `fetch` the
//! OAuth token (`POST /api/oauth/v1/token`, JSON body, Basic auth), then a call that needs only
//! "Overall Web API access". Works on https PIMs and through Grid without a TLS crate. The
//! secrets travel as script arguments only; the access token never leaves the page.

use serde_json::{json, Value};

use crate::error::Error;

use super::Pim;

pub use crate::model::Credentials;

/// A navigation the browser could not complete (`net::ERR_CONNECTION_REFUSED`,
/// `net::ERR_NAME_NOT_RESOLVED`, Firefox's `about:neterror` …) is named as a network failure
/// (`Error::Unreachable`), not as a page that is not a PIM.
pub(super) fn unreachable(pim: &Pim<'_>, e: Error) -> Error {
    let Error::Browser { message: msg, .. } = &e else {
        return e;
    };
    match crate::browser::code_in_message(msg) {
        Some(code) => crate::browser::NetFailure::classify(&code).error(pim.base(), &code),
        None => e,
    }
}

/// A successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    /// Token obtained and the probe call answered 2xx.
    Ok,
    /// Token obtained and overall access works; only the probed resource's own ACL is missing
    /// (the PIM's message).
    ResourceAclMissing(String),
}

/// 3.x (and 2.x–5.x) probe: the tutorial's own first request.
pub const PROBE_3X: &str = "/api/rest/v1/products?limit=1";

/// 6.0+ probe: needs only "Overall Web API access" (products got their own ACLs in 6.0).
pub const PROBE_6X: &str = "/api/rest/v1/system-information";

const VERIFY_JS: &str = r#"
const [tokenUrl, probeUrl, clientId, secret, username, password, done] = arguments;
const body = async (r) => { try { return await r.json(); } catch (e) { return {}; } };
(async () => {
  const t = await fetch(tokenUrl, {
    method: 'POST', credentials: 'omit', cache: 'no-store',
    headers: { 'Content-Type': 'application/json', 'Authorization': 'Basic ' + btoa(clientId + ':' + secret) },
    body: JSON.stringify({ grant_type: 'password', username, password }),
  });
  const tb = await body(t);
  if (t.status !== 200 || typeof tb.access_token !== 'string') {
    return { stage: 'token', status: t.status, message: typeof tb.message === 'string' ? tb.message : '' };
  }
  const a = await fetch(probeUrl, {
    credentials: 'omit', cache: 'no-store',
    headers: { 'Authorization': 'Bearer ' + tb.access_token, 'Accept': 'application/json' },
  });
  const ab = await body(a);
  return { stage: 'api', status: a.status, message: typeof ab.message === 'string' ? ab.message : '' };
})().then(done, (e) => done({ stage: 'network', status: 0, message: String(e) }));
"#;

/// What the verification script reported.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    stage: String,
    status: u64,
    message: String,
}

/// Reads the outcome: a 403 by its message (the reference, §2.5).
// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
fn judge(o: &Outcome, probe: &str) -> Result<Verified, Error> {
    match (o.stage.as_str(), o.status) {
        ("api", 200..=299) => Ok(Verified::Ok),
        ("api", 403) if o.message.starts_with("Access forbidden.") => {
            Ok(Verified::ResourceAclMissing(o.message.clone()))
        }
        ("api", 403) if o.message.contains("not allowed to access the web API") => {
            Err(Error::Verify(format!(
                "the PIM answered {probe} with 403 \"{}\": the role lacks Overall Web API access",
                o.message
            )))
        }
        ("token", s) => Err(Error::Verify(format!(
            "POST /api/oauth/v1/token answered {s}: {}",
            if o.message.is_empty() {
                "(no message)"
            } else {
                &o.message
            }
        ))),
        ("api", s) => Err(Error::Verify(format!(
            "GET {probe} answered {s}: {}",
            if o.message.is_empty() {
                "(no message)"
            } else {
                &o.message
            }
        ))),
        (_, _) => Err(Error::Verify(format!(
            "the verification request failed: {}",
            o.message
        ))),
    }
}

/// Gets a token with the credentials and calls `probe` (e.g. [`PROBE_3X`]) from the page, on
/// the PIM's origin. The browser must be on a page of that origin (any page, even the login
/// page); it navigates to the login page when it is not.
pub async fn verify_credentials(
    pim: Pim<'_>,
    creds: &Credentials,
    probe: &str,
) -> Result<Verified, Error> {
    let b = pim.browser;
    let Some(password) = &creds.password else {
        return Err(Error::Usage(format!(
            "no password for {}: the API password is needed to get a token",
            creds.username
        )));
    };
    b.add_secret(creds.secret.expose());
    b.add_secret(password.expose());
    let here = b.url().await.unwrap_or_default();
    if !same_origin(&here, pim.base()) {
        b.goto(&pim.url("/user/login"))
            .await
            .map_err(|e| unreachable(&pim, e))?;
        let code = b
            .script(
                &format!("return {};", crate::browser::NETERROR_FACTS_JS),
                vec![],
            )
            .await?;
        if let Some(code) = code.as_str() {
            return Err(crate::browser::NetFailure::classify(code).error(pim.base(), code));
        }
    }
    let args = vec![
        json!(pim.url("/api/oauth/v1/token")),
        json!(pim.url(probe)),
        json!(creds.client_id),
        json!(creds.secret.expose()),
        json!(creds.username),
        json!(password.expose()),
    ];
    let v: Value = b.script_async(VERIFY_JS, args).await?;
    let o = Outcome {
        stage: v["stage"].as_str().unwrap_or("network").to_string(),
        status: v["status"].as_u64().unwrap_or(0),
        message: v["message"].as_str().unwrap_or_default().to_string(),
    };
    judge(&o, probe)
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => x.origin() == y.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(stage: &str, status: u64, message: &str) -> Outcome {
        Outcome {
            stage: stage.into(),
            status,
            message: message.into(),
        }
    }

    #[test]
    fn reads_a_403_by_its_message() {
        assert_eq!(judge(&o("api", 200, ""), PROBE_3X).unwrap(), Verified::Ok);
        let missing = "Access forbidden. You are not allowed to list products.";
        assert_eq!(
            judge(&o("api", 403, missing), PROBE_3X).unwrap(),
            Verified::ResourceAclMissing(missing.into())
        );
        let e = judge(
            &o("api", 403, "You are not allowed to access the web API."),
            PROBE_3X,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 4);
        assert!(
            e.to_string().contains("lacks Overall Web API access"),
            "{e}"
        );
    }

    #[test]
    fn token_errors_carry_the_pims_message() {
        let msg = "No user found for the given username and password";
        let e = judge(&o("token", 422, msg), PROBE_3X).unwrap_err();
        assert!(matches!(&e, Error::Verify(m) if m.contains(msg)), "{e}");
        assert!(judge(
            &o("api", 401, "The access token provided is invalid."),
            PROBE_3X
        )
        .is_err());
        assert!(judge(&o("network", 0, "TypeError: Failed to fetch"), PROBE_3X).is_err());
    }

    #[test]
    fn origins() {
        assert!(same_origin(
            "http://127.0.0.1:8080/#/user/",
            "http://127.0.0.1:8080"
        ));
        assert!(!same_origin("data:,", "http://127.0.0.1:8080"));
        assert!(!same_origin(
            "http://127.0.0.1:8081/",
            "http://127.0.0.1:8080"
        ));
    }
}
