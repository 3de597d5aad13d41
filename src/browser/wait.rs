//! The one waiting primitive: resolve locators now and check their condition in ONE `execute`
//! per poll, at short intervals, until a deadline. Everything else is built on it.

use std::fmt;
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use serde_json::{json, Value};

use super::{is_fatal, Browser, Locator};
use crate::error::Error;

/// Interval between two polls (a poll costs one `execute`, about 10 ms).
const POLL_EVERY: Duration = Duration::from_millis(25);

const POLL_JS: &str = include_str!("poll.js");
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A condition on a located element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    /// In the DOM (unique unless the locator allows many).
    Present,
    /// Present, displayed, and the page is settled (document complete, no XHR in flight,
    /// no visible loading mask).
    Visible,
    /// Visible, enabled, not covered at its centre, with a rect stable over two polls.
    Actionable,
    /// No visible match (gone or hidden).
    Hidden,
}

impl Cond {
    fn js(self) -> &'static str {
        match self {
            Cond::Present => "present",
            Cond::Visible => "visible",
            Cond::Actionable => "actionable",
            Cond::Hidden => "hidden",
        }
    }
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cond::Present => "present",
            Cond::Visible => "visible (page settled)",
            Cond::Actionable => "actionable (visible, enabled, not covered, stable)",
            Cond::Hidden => "hidden",
        })
    }
}

/// What the page said about an element, read in the same script that found it.
#[derive(Clone, Default)]
pub struct ElementInfo {
    /// Whitespace-normalised text content.
    pub text: String,
    /// `value` of inputs (may be a secret: never logged, not in `Debug`).
    pub value: Option<String>,
    /// Class list.
    pub classes: Vec<String>,
    /// `checked` of checkboxes and radios.
    pub checked: Option<bool>,
    /// `data-original-title` or `title` (validation tooltips).
    pub tip: String,
}

impl ElementInfo {
    /// True when the element has this class.
    pub fn has_class(&self, c: &str) -> bool {
        self.classes.iter().any(|x| x == c)
    }
}

impl fmt::Debug for ElementInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ElementInfo")
            .field("text", &self.text)
            .field("classes", &self.classes)
            .field("checked", &self.checked)
            .finish_non_exhaustive()
    }
}

/// The alternative that held, with the element it resolved to.
#[derive(Debug, Clone)]
pub struct Found {
    /// Index of the alternative that held.
    pub alt: usize,
    /// The element's state (absent for `Hidden`).
    pub info: Option<ElementInfo>,
    /// Texts of every element the alternative matched (several with `Locator::many`).
    pub texts: Vec<String>,
    pub(super) element: Option<Element>,
}

impl Found {
    /// The element's info, or a default when the condition resolves no element.
    pub fn info(&self) -> ElementInfo {
        self.info.clone().unwrap_or_default()
    }
}

fn parse_info(v: &Value) -> Option<ElementInfo> {
    let o = v.as_object()?;
    Some(ElementInfo {
        text: o
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        value: o.get("value").and_then(Value::as_str).map(str::to_string),
        classes: o
            .get("classes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        checked: o.get("checked").and_then(Value::as_bool),
        tip: o
            .get("tip")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    })
}

impl Browser {
    /// Waits until `loc` meets `cond`, within the default deadline.
    pub async fn wait(&self, loc: &Locator, cond: Cond) -> Result<Found, Error> {
        self.wait_any(&[(loc.clone(), cond)], self.timeout).await
    }

    /// Waits until one of the alternatives holds (checked in order, in one script per poll),
    /// within `deadline`. On timeout: `Error::Timeout` naming every locator and condition,
    /// the elapsed time, the URL and what the last poll saw.
    pub async fn wait_any(
        &self,
        alts: &[(Locator, Cond)],
        deadline: Duration,
    ) -> Result<Found, Error> {
        let start = Instant::now();
        let mut arg: Vec<Value> = alts
            .iter()
            .map(|(l, c)| json!({"loc": l.to_json(), "cond": c.js()}))
            .collect();
        // The session-end sentinel goes first: once the login form is back, nothing else the
        // page shows (a modal gone, a grid empty) can be trusted.
        let sentinel = self.session_end.lock().unwrap().clone();
        let offset = usize::from(sentinel.is_some());
        if let Some(l) = &sentinel {
            arg.insert(0, json!({"loc": l.to_json(), "cond": Cond::Present.js()}));
        }
        let args = vec![Value::Array(arg)];
        let mut last_seen: String;
        let mut url = String::new();
        let mut last_rect: Option<(usize, Value)> = None;
        loop {
            match self
                .traced(
                    "execute",
                    || format!("poll {}", describe(alts)),
                    self.client.execute(POLL_JS, args.clone()),
                )
                .await
            {
                Ok(v) if v["ok"] == true && offset == 1 && v["alt"].as_u64() == Some(0) => {
                    return Err(Error::SessionExpired { step: self.step() });
                }
                Ok(v) if v["ok"] == true => {
                    let alt = (v["alt"].as_u64().unwrap_or(0) as usize).saturating_sub(offset);
                    let stable = match (&alts[alt].1, v.get("rect")) {
                        (Cond::Actionable, Some(rect)) => {
                            let same = matches!(&last_rect, Some((a, r)) if *a == alt && r == rect);
                            last_rect = Some((alt, rect.clone()));
                            same
                        }
                        _ => true,
                    };
                    if stable {
                        let element = v["el"].get(ELEMENT_KEY).and_then(Value::as_str).map(|id| {
                            Element::from_element_id(
                                self.client.clone(),
                                ElementRef::from(id.to_string()),
                            )
                        });
                        return Ok(Found {
                            alt,
                            info: parse_info(&v["info"]),
                            texts: v["texts"]
                                .as_array()
                                .map(|a| {
                                    a.iter()
                                        .filter_map(|t| t.as_str().map(str::to_string))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            element,
                        });
                    }
                    last_seen = "moving (rect changed between two polls)".into();
                }
                Ok(v) => {
                    last_rect = None;
                    if let Some(u) = v["url"].as_str() {
                        url = u.to_string();
                    }
                    let states: Vec<String> = v["states"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|s| s.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    last_seen = states.join("; ");
                }
                Err(e) if is_fatal(&e) => return Err(self.browser_error("execute (poll)", e)),
                // Navigation in progress, a dismissed alert, a stale argument: not yet.
                Err(e) => last_seen = format!("script error: {e}"),
            }
            if start.elapsed() >= deadline {
                let selector = alts
                    .iter()
                    .map(|(l, _)| l.to_string())
                    .collect::<Vec<_>>()
                    .join("  OR  ");
                let condition = alts
                    .iter()
                    .map(|(_, c)| c.to_string())
                    .collect::<Vec<_>>()
                    .join(" / ");
                if url.is_empty() {
                    url = self.url().await.unwrap_or_default();
                }
                return Err(Error::Timeout {
                    step: self.step(),
                    selector,
                    condition,
                    waited: start.elapsed(),
                    url,
                    last_seen,
                });
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }
}

/// `locator: condition` of each alternative, for the trace.
fn describe(alts: &[(Locator, Cond)]) -> String {
    alts.iter()
        .map(|(l, c)| format!("{l}: {}", c.js()))
        .collect::<Vec<_>>()
        .join("  OR  ")
}
