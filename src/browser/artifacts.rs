//! Failure artifacts: a screenshot, the page HTML (known secrets masked) and the URL, saved
//! into `<artifacts_dir>/<timestamp>/` when a step fails.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde_json::Value;

use super::Browser;
use crate::secrets::mask;

/// Replaces every known secret in the page's text nodes and input values by `***` (the page is
/// about to be torn down; the screenshot and the HTML must not show them), then returns the
/// document's HTML. The secrets come in as arguments.
const MASK_JS: &str = r#"
const secrets = arguments[0];
const mask = (s) => { for (const x of secrets) { s = s.split(x).join('***'); } return s; };
const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (secrets.some((x) => n.nodeValue.includes(x))) n.nodeValue = mask(n.nodeValue);
}
for (const i of document.querySelectorAll('input, textarea')) {
  if (secrets.some((x) => i.value.includes(x))) i.value = mask(i.value);
}
// Other integrations' secrets shown by the 2.x/3.x API connections grid (credentials cells:
// "Client ID: ...", "Secret: ..."): the tool does not know them, so mask every secret value.
for (const l of document.querySelectorAll('.AknGrid-bodyCell--credentials .AknGrid-label')) {
  if (!/secret/i.test(l.textContent)) continue;
  for (let n = l.nextSibling; n; n = n.nextSibling) {
    if (n.nodeType === Node.TEXT_NODE) n.nodeValue = n.nodeValue.replace(/\S+/g, '***');
    else n.textContent = '***';
  }
}
return '<!-- ' + location.href + ' -->\n' + document.documentElement.outerHTML;
"#;

/// `YYYYMMDDTHHMMSS.mmmZ` in UTC, for folder names that sort by time (humantime's RFC 3339
/// form without its separators).
pub(crate) fn timestamp(now: SystemTime) -> String {
    humantime::format_rfc3339_millis(now)
        .to_string()
        .replace(['-', ':'], "")
}

impl Browser {
    /// Saves the screenshot, the masked HTML and the URL of the current page for a failed
    /// step; returns the folder. Best effort: whatever can be captured is written.
    pub async fn save_failure_artifacts(&self) -> Option<PathBuf> {
        // What was typed last is not checked any more: the step failed already.
        self.typed.lock().unwrap().clear();
        let step = self.step();
        let dir = self.artifacts_dir.join(timestamp(SystemTime::now()));
        // Private: a page can show personal data even with the secrets masked.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .ok()?;
        let name = super::slug(&step);
        let secrets = self.secrets.lock().unwrap().clone();
        let url = self
            .url()
            .await
            .unwrap_or_else(|e| format!("(unknown: {e})"));
        let html = self
            .script(MASK_JS, vec![Value::from(secrets.clone())])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        let png = self
            .traced("screenshot", String::new, self.client.screenshot())
            .await
            .ok();
        write(
            &dir.join(format!("{name}.url.txt")),
            mask(&url, &secrets).as_bytes(),
        );
        if let Some(h) = html {
            write(
                &dir.join(format!("{name}.html")),
                mask(&h, &secrets).as_bytes(),
            );
        }
        if let Some(p) = png {
            write(&dir.join(format!("{name}.png")), &p);
        }
        Some(dir)
    }
}

/// Writes a private (0600) artifact file; best effort.
fn write(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path);
    if let Ok(mut f) = file {
        let _ = f.write_all(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn timestamps_are_utc_civil_dates() {
        let t = UNIX_EPOCH + Duration::from_millis(1_764_412_502_123);
        assert_eq!(timestamp(t), "20251129T103502.123Z");
        assert_eq!(timestamp(UNIX_EPOCH), "19700101T000000.000Z");
        // A leap day.
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(timestamp(t), "20000229T000000.000Z");
    }

    #[test]
    fn mask_hides_every_secret() {
        let s = vec!["s3cr3t".to_string(), "abc123".to_string()];
        assert_eq!(mask("x s3cr3t y abc123 s3cr3t", &s), "x *** y *** ***");
    }

    #[test]
    fn slugs_are_file_names() {
        assert_eq!(super::super::slug("ensure role"), "ensure-role");
    }
}
