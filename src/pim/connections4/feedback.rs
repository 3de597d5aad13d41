//! What the 4.x–7.x Connections screens say back: flashes (4.0 legacy `.AknFlash`, 5.0+ DSM
//! MessageBar `[role=status|alert]` in `#flash-messages`, §5.6) and inline field errors (4.0
//! `span.AknFieldContainer-validationError`, 5.0+ DSM Helper in `.AknFieldContainer-footer`).

use serde_json::{json, Value};

use crate::browser::{Cond, Filter, Locator};
use crate::error::Error;

use super::super::Pim;

/// The text of error flashes: 4.0's `.AknFlash--error` message, 5.0+'s `[role=alert]` bar
/// without its countdown (the close button) and icon (`aria-hidden`).
pub(super) fn error_flash() -> Locator {
    Locator::css(
        "#flash-messages .AknFlash--error .AknFlash-messageContent, \
         #flash-messages [role=\"alert\"] > div:not([aria-hidden=\"true\"])",
    )
    .filter(Filter::NonEmpty)
    .many()
}

/// The text of success/info flashes (`[role=status]`, 4.0 `.AknFlash--success`).
pub(super) fn success_flash(text: &str) -> Locator {
    Locator::css(
        "#flash-messages .AknFlash--success .AknFlash-messageContent, \
         #flash-messages [role=\"status\"] > div:not([aria-hidden=\"true\"])",
    )
    .containing(text)
    .many()
}

/// Inline errors under the create form's Label and Code fields (the Flow type field's footer
/// holds an info helper, not an error).
pub(super) fn field_errors(form: &str) -> Locator {
    Locator::css(format!(
        "{form} .AknFieldContainer-validationError, \
         {form} .AknFieldContainer:has(#label) .AknFieldContainer-footer, \
         {form} .AknFieldContainer:has(#code) .AknFieldContainer-footer"
    ))
    .filter(Filter::NonEmpty)
    .many()
}

/// Waits until `done` holds, or an error flash shows (its words become `Error::PimRefused`).
pub(super) async fn done_or_flash(pim: &Pim<'_>, done: (Locator, Cond)) -> Result<(), Error> {
    let b = pim.browser;
    let found = b
        .wait_any(&[done, (error_flash(), Cond::Present)], b.timeout())
        .await?;
    if found.alt == 1 {
        return Err(refused(pim, found.texts));
    }
    Ok(())
}

/// `Error::PimRefused` with the PIM's messages (trimmed, without duplicates).
pub(super) fn refused(pim: &Pim<'_>, texts: Vec<String>) -> Error {
    let mut msgs: Vec<String> = Vec::new();
    for t in texts {
        let t = t.trim().to_string();
        if !t.is_empty() && !msgs.contains(&t) {
            msgs.push(t);
        }
    }
    Error::PimRefused {
        step: pim.browser.step(),
        message: msgs.join("; "),
    }
}

/// Runs `cond` (a JS function body reading `args`, returning `null` while not ready) in the
/// page until it returns something, within the browser's timeout; polls in the page (one
/// WebDriver round trip per 20 s at most). `what` names the condition in the timeout error.
pub(super) async fn wait_js(
    pim: &Pim<'_>,
    cond: &str,
    args: Value,
    what: &str,
) -> Result<Value, Error> {
    let b = pim.browser;
    let start = std::time::Instant::now();
    let js = format!(
        "const [args, limit, done] = arguments; const cond = (args) => {{ {cond} }};\n\
         const t0 = Date.now();\n\
         (function tick() {{ let v = null; try {{ v = cond(args); }} catch (e) {{ v = null; }}\n\
           if (v !== null && v !== undefined) return done({{ ok: true, v }});\n\
           if (Date.now() - t0 > limit) return done({{ ok: false, url: location.href }});\n\
           setTimeout(tick, 50); }})();"
    );
    loop {
        let left = b.timeout().saturating_sub(start.elapsed());
        let limit = left.min(std::time::Duration::from_secs(20)).as_millis() as u64;
        let r: Value = b
            .script_async(&js, vec![args.clone(), json!(limit)])
            .await?;
        if r["ok"].as_bool() == Some(true) {
            return Ok(r["v"].clone());
        }
        if start.elapsed() >= b.timeout() {
            return Err(Error::Timeout {
                step: b.step(),
                selector: what.to_string(),
                condition: "true".into(),
                waited: start.elapsed(),
                url: r["url"].as_str().unwrap_or_default().to_string(),
                last_seen: "not yet".into(),
            });
        }
    }
}
