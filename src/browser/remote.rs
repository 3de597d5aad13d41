//! Remote WebDriver servers (`--webdriver`, Selenium Grid, cloud grids): http or https, the
//! account in the URL's user info.
//!
//! * TLS: rustls (ring), trusting the system's roots plus `SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   (a private CA or a corporate proxy's).
//! * User info (`https://user:key@hub.example.com/wd/hub`): sent by fantoccini as HTTP basic
//!   auth on every command; never shown: [`mask_url`] is what errors, logs and notes print, and
//!   the key is registered as a secret of the session (artifacts and traces mask it).

use std::path::Path;
use std::sync::Arc;

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;

use crate::error::Error;

/// Where Linux distributions keep the system's CA bundle (loaded even when `SSL_CERT_FILE`
/// is set, which otherwise replaces them).
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/ssl/cert.pem",
];

/// `url` with its user info replaced by `***` (`https://***@hub/wd/hub`), for anything shown.
/// A string that does not parse as a URL is masked from `//` to the last `@` before the path.
pub fn mask_url(url: &str) -> String {
    if let Ok(mut u) = url::Url::parse(url) {
        if u.username().is_empty() && u.password().is_none() {
            return url.to_string();
        }
        let _ = u.set_password(None);
        let _ = u.set_username("***");
        return u.to_string();
    }
    let Some(start) = url.find("//").map(|i| i + 2) else {
        return url.to_string();
    };
    let end = url[start..]
        .find('/')
        .map(|i| start + i)
        .unwrap_or(url.len());
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
        None => url.to_string(),
    }
}

/// The user name and the key (password) in `url`'s user info, percent-decoded, for masking.
pub fn user_info_secrets(url: &str) -> Vec<String> {
    let Ok(u) = url::Url::parse(url) else {
        return vec![];
    };
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let mut out = vec![];
    for raw in [Some(u.username()), u.password()].into_iter().flatten() {
        if !raw.is_empty() {
            out.push(raw.to_string());
            let d = decode(raw);
            if d != raw {
                out.push(d);
            }
        }
    }
    out
}

/// Replaces every user-info secret of `url` in `text` (an error from below may quote it).
pub fn mask_in(text: &str, url: &str) -> String {
    let mut t = text.replace(url, &mask_url(url));
    for s in user_info_secrets(url) {
        if s.len() >= 3 {
            t = t.replace(&s, "***");
        }
    }
    t
}

/// `e` and its causes, `: `-joined (a TLS failure is only named by a cause).
// fantoccini's errors name their cause through the deprecated `cause` only.
#[allow(deprecated)]
pub(super) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.cause();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.cause();
    }
    out
}

/// Adds the PEM certificates of `file` to `roots`; returns how many were added.
fn add_pem_file(roots: &mut RootCertStore, file: &Path) -> usize {
    let Ok(iter) = CertificateDer::pem_file_iter(file) else {
        return 0;
    };
    let (added, _) = roots.add_parsable_certificates(iter.flatten());
    added
}

/// The trusted roots: the platform's (or `SSL_CERT_FILE` / `SSL_CERT_DIR`'s, as
/// rustls-native-certs reads them) plus the system bundle and `SSL_CERT_FILE` explicitly, so
/// that one added CA does not drop the public ones.
fn root_store() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(bundle) = SYSTEM_BUNDLES.iter().map(Path::new).find(|p| p.is_file()) {
        add_pem_file(&mut roots, bundle);
    }
    if let Some(f) = std::env::var_os("SSL_CERT_FILE").filter(|f| !f.is_empty()) {
        add_pem_file(&mut roots, Path::new(&f));
    }
    roots
}

/// The connector for WebDriver commands: plain http, or https with rustls and the roots above
/// (`https`: the URL is https, so no trusted root is an error).
// `Error` is the crate-wide error type (error.rs); boxing it is not this module's call.
#[allow(clippy::result_large_err)]
pub(super) fn connector(https: bool) -> Result<HttpsConnector<HttpConnector>, Error> {
    let roots = if https {
        root_store()
    } else {
        RootCertStore::empty()
    };
    if https && roots.is_empty() {
        return Err(Error::browser(
            "no trusted root certificate for an https WebDriver URL: install the system's CA \
             bundle (apt-get install ca-certificates) or set SSL_CERT_FILE to a PEM file",
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::browser_caused(format!("TLS setup failed: {e}"), e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_masked() {
        assert_eq!(
            mask_url("https://alice:s3cr%40t-key@hub.example.com:4444/wd/hub"),
            "https://***@hub.example.com:4444/wd/hub"
        );
        assert_eq!(
            mask_url("http://127.0.0.1:4444/wd/hub"),
            "http://127.0.0.1:4444/wd/hub"
        );
        assert_eq!(
            mask_url("https://u:p w@hub example/x"),
            "https://***@hub example/x"
        );
        let url = "https://alice:s3cr%40t-key@hub.example.com/wd/hub";
        let secrets = user_info_secrets(url);
        assert!(secrets.contains(&"s3cr@t-key".to_string()), "{secrets:?}");
        let msg = format!("cannot reach {url}: key s3cr@t-key refused for alice");
        let masked = mask_in(&msg, url);
        assert!(!masked.contains("s3cr"), "{masked}");
        assert!(!masked.contains("alice"), "{masked}");
        assert!(
            masked.contains("https://***@hub.example.com/wd/hub"),
            "{masked}"
        );
    }

    #[test]
    fn system_roots_are_loaded() {
        // Debian's ca-certificates is installed where the tests run.
        if Path::new(SYSTEM_BUNDLES[0]).is_file() {
            assert!(!root_store().is_empty());
        }
    }
}
