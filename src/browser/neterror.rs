//! Network failures of a navigation, named as such: the browser could not reach the address
//! (connection refused, timed out, name not resolved, TLS/certificate), as opposed to a page
//! that answered but is not what was expected.
//!
//! Two ways a browser reports them: the Navigate command fails with the network error code
//! (chromedriver: `unknown error: net::ERR_CONNECTION_REFUSED`; geckodriver: `Reached error
//! page: about:neterror?e=connectionFailure…`), or the navigation "succeeds" and shows the
//! browser's own error page (Chromium: `chrome-error://chromewebdata/` with the code in
//! `.error-code`; Firefox: `about:neterror?e=…`). [`NETERROR_FACTS_JS`] reads the latter in a
//! script that the caller may merge into one it already runs.

use crate::error::Error;

/// What kind of network failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetFailure {
    /// Nothing listens at the address (closed port, server down).
    Refused,
    /// No answer in time (firewall, wrong host, server hung).
    TimedOut,
    /// The host name does not resolve.
    Dns,
    /// TLS handshake or certificate failure (untrusted, expired, wrong name).
    Tls,
    /// Another network failure (reset, address unreachable, …).
    Other,
}

impl NetFailure {
    /// Classifies a Chromium `ERR_*` code or a Firefox `about:neterror` `e=` value.
    pub fn classify(code: &str) -> NetFailure {
        let c = code.trim().trim_start_matches("net::").to_ascii_uppercase();
        let c = c.as_str();
        if c == "ERR_CONNECTION_REFUSED" || c == "CONNECTIONFAILURE" {
            NetFailure::Refused
        } else if c.contains("TIMED_OUT") || c == "NETTIMEOUT" {
            NetFailure::TimedOut
        } else if c == "ERR_NAME_NOT_RESOLVED"
            || c == "ERR_NAME_RESOLUTION_FAILED"
            || c == "DNSNOTFOUND"
        {
            NetFailure::Dns
        } else if c.starts_with("ERR_CERT_")
            || c.starts_with("ERR_SSL_")
            || c.contains("TLS")
            || c == "NSSFAILURE2"
            || c == "NSSBADCERT"
        {
            NetFailure::Tls
        } else {
            NetFailure::Other
        }
    }

    /// The failure in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            NetFailure::Refused => "connection refused",
            NetFailure::TimedOut => "connection timed out",
            NetFailure::Dns => "host name not resolved (DNS)",
            NetFailure::Tls => "TLS/certificate error",
            NetFailure::Other => "network error",
        }
    }

    /// What to do about it.
    fn advice(self) -> &'static str {
        match self {
            NetFailure::Refused => {
                "is the PIM running, and is the port in --pim-url right? (the browser must reach \
                 that address: through a Grid, from the Grid's node)"
            }
            NetFailure::TimedOut => {
                "check the host in --pim-url, and that no firewall or proxy is between the \
                 browser and the PIM"
            }
            NetFailure::Dns => {
                "check the host name in --pim-url (the browser's machine must resolve it)"
            }
            NetFailure::Tls => {
                "the browser does not accept the PIM's certificate: check the https URL, the \
                 certificate's name and validity, or trust its authority on the browser's machine"
            }
            NetFailure::Other => "check --pim-url and the network between the browser and the PIM",
        }
    }

    /// The error to report for `url` (exit code [`crate::error::exit::UNREACHABLE`]).
    pub fn error(self, url: &str, code: &str) -> Error {
        Error::Unreachable(format!(
            "cannot reach the PIM at {url}: {} ({code}); {}",
            self.describe(),
            self.advice()
        ))
    }
}

/// The network error code in a failed Navigate's message, if it is one.
pub fn code_in_message(msg: &str) -> Option<String> {
    if let Some(i) = msg.find("net::ERR_") {
        let code: String = msg[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        return Some(code);
    }
    let i = msg.find("about:neterror?e=")?;
    let code: String = msg[i + "about:neterror?e=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (!code.is_empty()).then_some(code)
}

/// A script expression (no statement) that is the browser's error code when the document is
/// its network error page, else `null`.
pub const NETERROR_FACTS_JS: &str = r#"(() => {
  const href = String(location.href || '');
  const ff = /^about:neterror\?(?:.*&)?e=([A-Za-z0-9]+)/.exec(href);
  if (ff) return ff[1];
  const el = document.querySelector('#main-frame-error .error-code, .error-code');
  const chromeErr = href.startsWith('chrome-error://') || !!document.querySelector('#main-frame-error');
  if (!chromeErr) return null;
  const text = (el && el.textContent) || (document.body && document.body.innerText) || '';
  const m = /(?:net::)?ERR_[A-Z0-9_]+/.exec(text);
  return m ? m[0] : 'ERR_UNKNOWN';
})()"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_classified() {
        assert_eq!(
            NetFailure::classify("net::ERR_CONNECTION_REFUSED"),
            NetFailure::Refused
        );
        assert_eq!(
            NetFailure::classify("ERR_CONNECTION_TIMED_OUT"),
            NetFailure::TimedOut
        );
        assert_eq!(
            NetFailure::classify("ERR_NAME_NOT_RESOLVED"),
            NetFailure::Dns
        );
        assert_eq!(
            NetFailure::classify("ERR_CERT_AUTHORITY_INVALID"),
            NetFailure::Tls
        );
        assert_eq!(
            NetFailure::classify("ERR_SSL_PROTOCOL_ERROR"),
            NetFailure::Tls
        );
        assert_eq!(
            NetFailure::classify("connectionFailure"),
            NetFailure::Refused
        );
        assert_eq!(NetFailure::classify("dnsNotFound"), NetFailure::Dns);
        assert_eq!(
            NetFailure::classify("ERR_CONNECTION_RESET"),
            NetFailure::Other
        );
    }

    #[test]
    fn codes_are_found_in_navigate_errors() {
        assert_eq!(
            code_in_message("unknown error: net::ERR_CONNECTION_REFUSED\n  (Session info: …)")
                .as_deref(),
            Some("net::ERR_CONNECTION_REFUSED")
        );
        assert_eq!(
            code_in_message("Reached error page: about:neterror?e=dnsNotFound&u=http%3A//x/")
                .as_deref(),
            Some("dnsNotFound")
        );
        assert_eq!(code_in_message("no such element"), None);
    }

    #[test]
    fn the_message_names_the_failure_and_the_url() {
        let e = NetFailure::Refused.error("http://127.0.0.1:9", "net::ERR_CONNECTION_REFUSED");
        let m = e.to_string();
        assert!(m.contains("connection refused"), "{m}");
        assert!(m.contains("http://127.0.0.1:9"), "{m}");
        assert_eq!(e.exit_code(), crate::error::exit::UNREACHABLE);
    }
}
