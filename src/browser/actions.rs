//! Actions built on the waiting primitive: navigate, click, type, read, run scripts.
//!
//! A click or a keystroke is sent only once the element is actionable, and retried only when
//! WebDriver proves it did not fire (stale element, intercepted, not interactable: those are
//! checked before any event is dispatched).

use std::time::{Duration, Instant};

use fantoccini::error::{CmdError, ErrorStatus};
use serde_json::Value;

use super::{is_fatal, Browser, Cond, ElementInfo, Locator};
use crate::error::Error;

/// The in-page part of [`Browser::fill`] (a `then` script of the waiting primitive: it runs in
/// `poll.js`'s scope, with its `resolve`, `visible`, `enabled` and `uncovered`). Answers
/// `{filled: n}`: the first `n` fields were filled.
const FILL_JS: &str = include_str!("fill.js");

/// The Tab key, as WebDriver expects it in `send_keys`.
const TAB: char = '\u{e004}';

/// Errors after which the action provably did not happen: retry within the deadline.
fn did_not_fire(e: &CmdError) -> bool {
    match e {
        CmdError::Standard(w) => matches!(
            w.error,
            ErrorStatus::StaleElementReference
                | ErrorStatus::ElementClickIntercepted
                | ErrorStatus::ElementNotInteractable
                | ErrorStatus::NoSuchElement
                | ErrorStatus::InvalidElementState
        ),
        _ => false,
    }
}

/// How to type into a field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Typing {
    /// The text is a secret: never echo it in errors.
    pub secret: bool,
    /// Press Tab afterwards (for models that update on `change`, i.e. on blur).
    pub tab_after: bool,
}

impl Browser {
    /// Navigates to `url` (bounded by the command deadline).
    ///
    /// A hash route of the document already shown (same origin, path and query, another
    /// fragment) is followed by the next wait in its own round trip, in the page, as WebDriver
    /// would (a same-document navigation); any other command first makes it.
    pub async fn goto(&self, url: &str) -> Result<(), Error> {
        {
            let mut o = self.origins.lock().unwrap();
            if url.contains('#') && o.last.is_some() {
                o.navigate = Some(url.to_string());
                return Ok(());
            }
        }
        self.goto_native(url).await
    }

    /// Navigates with WebDriver's Navigate To (one command: fantoccini's `goto` first asks for
    /// the current URL to resolve relative ones; ours are absolute).
    pub(super) async fn goto_native(&self, url: &str) -> Result<(), Error> {
        self.origins.lock().unwrap().navigate = None;
        self.flush_typed().await?;
        self.navigate_cmd(url).await
    }

    /// The Navigate To command itself.
    pub(super) async fn navigate_cmd(&self, url: &str) -> Result<(), Error> {
        let cmd = Navigate(url.to_string());
        self.traced(
            "navigate",
            || super::trace::safe_url(url),
            self.client.issue_cmd(cmd),
        )
        .await
        .map(|_| ())
        .map_err(|e| self.browser_error(&format!("goto {url}"), e))
    }

    /// Reloads the page from the server (a new navigation, which also supersedes any reload the
    /// page itself scheduled). Nothing read afterwards comes from the old document: every wait
    /// refuses it (by its `performance.timeOrigin`, which each poll reports) until it is
    /// replaced, and an old document no poll has seen yet is marked first.
    pub async fn reload(&self) -> Result<(), Error> {
        self.flush_typed().await?;
        let last = self.origins.lock().unwrap().last;
        let Some(old) = last else {
            self.script(
                "document.documentElement.setAttribute('data-pimcred-stale', '1');",
                vec![],
            )
            .await?;
            self.traced("refresh", String::new, self.client.refresh())
                .await
                .map_err(|e| self.browser_error("refresh", e))?;
            self.wait(
                &Locator::css("html:not([data-pimcred-stale]) body"),
                Cond::Present,
            )
            .await?;
            return Ok(());
        };
        self.origins.lock().unwrap().stale = Some(old);
        self.traced("refresh", String::new, self.client.refresh())
            .await
            .map_err(|e| self.browser_error("refresh", e))?;
        Ok(())
    }

    /// The current URL.
    pub async fn url(&self) -> Result<String, Error> {
        let pending = self.origins.lock().unwrap().navigate.take();
        if let Some(u) = pending {
            self.navigate_cmd(&u).await?;
        }
        self.traced("current_url", String::new, self.client.current_url())
            .await
            .map(|u| u.to_string())
            .map_err(|e| self.browser_error("current url", e))
    }

    /// Waits until the current URL satisfies `pred`, within `deadline`.
    pub async fn wait_url(
        &self,
        what: &str,
        deadline: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Result<String, Error> {
        let start = Instant::now();
        loop {
            let url = self.url().await?;
            if pred(&url) {
                return Ok(url);
            }
            if start.elapsed() >= deadline {
                return Err(Error::Timeout {
                    step: self.step(),
                    selector: "location".into(),
                    condition: what.into(),
                    waited: start.elapsed(),
                    url: url.clone(),
                    last_seen: url,
                });
            }
            tokio::time::sleep(Duration::from_millis(25)).await; // allow-sleep: poll interval of a deadline-bounded wait
        }
    }

    /// Clicks the element once it is actionable, in the same round trip as the last check:
    /// the page dispatches what a mouse click at the element's centre produces (pointer and
    /// mouse down/up, focus, click with its default action) on what that point hits. For
    /// pages that need trusted input events, see [`Browser::click_native`].
    pub async fn click(&self, loc: &Locator) -> Result<(), Error> {
        if !self
            .inpage_clicks
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return self.click_native(loc).await;
        }
        let found = self.wait_click(loc, self.timeout).await?;
        if found.clicked {
            return Ok(());
        }
        // A text field, a select...: WebDriver's own click.
        self.click_native(loc).await
    }

    /// Chooses how [`Browser::click`] clicks: in the page, in the round trip of its last
    /// check (the default: one command), or through WebDriver's Element Click (two). The
    /// in-page click is verified on the 1.7, 2.x and 3.x back offices (and 4.x/5.x); the 6.x/7.x
    /// design-system pages are driven with WebDriver's click.
    pub fn set_inpage_clicks(&self, on: bool) {
        self.inpage_clicks
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Clicks the element through WebDriver's Element Click (trusted input events) once it is
    /// actionable: one round trip to find it, one to click.
    pub async fn click_native(&self, loc: &Locator) -> Result<(), Error> {
        let start = Instant::now();
        loop {
            let left = self.timeout.saturating_sub(start.elapsed());
            let found = self
                .wait_any(&[(loc.clone(), Cond::Actionable)], left)
                .await?;
            let Some(el) = found.element else {
                return Err(self.unexpected(format!("`{loc}` resolved to no element")));
            };
            match self.traced("click", || loc.to_string(), el.click()).await {
                Ok(()) => return Ok(()),
                Err(e) if did_not_fire(&e) && start.elapsed() < self.timeout => continue,
                Err(e) if did_not_fire(&e) => {
                    return Err(Error::Timeout {
                        step: self.step(),
                        selector: loc.to_string(),
                        condition: "clickable".into(),
                        waited: start.elapsed(),
                        url: self.url().await.unwrap_or_default(),
                        last_seen: e.to_string(),
                    })
                }
                Err(e) => return Err(self.browser_error(&format!("click {loc}"), e)),
            }
        }
    }

    /// Types `text` into the field once it is actionable (replacing its content), with real
    /// keystrokes. That the field holds exactly `text` is checked by the next wait, in its
    /// first round trip and before anything else it does (click included), or before the
    /// next navigation or script.
    pub async fn type_text(&self, loc: &Locator, text: &str, how: Typing) -> Result<(), Error> {
        let start = Instant::now();
        loop {
            let left = self.timeout.saturating_sub(start.elapsed());
            let found = self
                .wait_any(&[(loc.clone(), Cond::Actionable)], left)
                .await?;
            let Some(el) = found.element.clone() else {
                return Err(self.unexpected(format!("`{loc}` resolved to no element")));
            };
            let current = found.info().value.unwrap_or_default();
            let mut keys = text.to_string();
            if how.tab_after {
                keys.push(TAB);
            }
            let res = async {
                if !current.is_empty() {
                    self.traced("clear", || loc.to_string(), el.clear()).await?;
                }
                // The locator only: typed text is never recorded.
                self.traced("send_keys", || loc.to_string(), el.send_keys(&keys))
                    .await
            };
            match res.await {
                Ok(()) => {}
                Err(e) if did_not_fire(&e) && start.elapsed() < self.timeout => continue,
                Err(e) if is_fatal(&e) || !did_not_fire(&e) => {
                    return Err(self.browser_error(&format!("type into {loc}"), e))
                }
                Err(e) => return Err(self.unexpected(format!("could not type into `{loc}`: {e}"))),
            }
            // Read back through the same locator (the element may have been re-rendered).
            self.typed.lock().unwrap().push(super::wait::TypedCheck {
                loc: loc.clone(),
                value: text.to_string(),
                secret: how.secret,
                tab_after: how.tab_after,
            });
            return Ok(());
        }
    }

    /// Fills a form's text fields, in order, as [`Browser::type_text`] would one by one (each
    /// field's content replaced, Tab after the ones that ask for it), and with the same check
    /// that every field holds its value by the next wait.
    ///
    /// With in-page input on (see [`Browser::set_inpage_clicks`]) this is one round trip: once
    /// the first field is actionable, each field that is unique, visible, enabled and not
    /// covered gets, in the page, focus, its value, then the events typing and leaving it
    /// fire (`input`, `keyup`, `change`, and `blur` for Tab): models that listen to `keyup`
    /// (3.x user form) or `change` (API connection label) follow it. A field the page does not
    /// offer yet is typed with real keystrokes, as are all of them with in-page input off.
    pub async fn fill(&self, fields: &[(Locator, &str, Typing)]) -> Result<(), Error> {
        let inpage = self
            .inpage_clicks
            .load(std::sync::atomic::Ordering::Relaxed);
        let mut done = 0;
        if inpage && !fields.is_empty() {
            let list: Vec<Value> = fields
                .iter()
                .map(|(loc, text, how)| {
                    serde_json::json!({"loc": loc.to_json(), "value": text, "tab": how.tab_after})
                })
                .collect();
            let (_, out) = self
                .wait_then(
                    &fields[0].0,
                    Cond::Actionable,
                    FILL_JS,
                    vec![Value::Array(list)],
                )
                .await?;
            done = (out["filled"].as_u64().unwrap_or(0) as usize).min(fields.len());
            let mut typed = self.typed.lock().unwrap();
            for (loc, text, how) in &fields[..done] {
                typed.push(super::wait::TypedCheck {
                    loc: loc.clone(),
                    value: text.to_string(),
                    secret: how.secret,
                    tab_after: how.tab_after,
                });
            }
        }
        for (loc, text, how) in &fields[done..] {
            self.type_text(loc, text, *how).await?;
        }
        Ok(())
    }

    /// Reads an element once it is visible and the page is settled.
    pub async fn read(&self, loc: &Locator) -> Result<ElementInfo, Error> {
        Ok(self.wait(loc, Cond::Visible).await?.info())
    }

    /// Runs a script (arguments as JSON values; secrets go here, never in the script text).
    pub async fn script(&self, js: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.flush_typed().await?;
        self.traced("execute", || "script".into(), self.client.execute(js, args))
            .await
            .map_err(|e| self.browser_error("execute script", e))
    }

    /// Runs an asynchronous script; the callback is the last argument.
    pub async fn script_async(&self, js: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.flush_typed().await?;
        self.traced(
            "execute_async",
            || "script".into(),
            self.client.execute_async(js, args),
        )
        .await
        .map_err(|e| self.browser_error("execute async script", e))
    }

    /// An `Error::Unexpected` in the current step.
    pub fn unexpected(&self, message: String) -> Error {
        Error::Unexpected {
            step: self.step(),
            message,
        }
    }
}

/// WebDriver "Navigate To" as a single command.
#[derive(Debug)]
struct Navigate(String);

impl fantoccini::wd::WebDriverCompatibleCommand for Navigate {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/url", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(serde_json::json!({ "url": self.0 }).to_string()),
        )
    }
}
