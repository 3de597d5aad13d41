//! The one waiting primitive: resolve locators and check their condition in ONE asynchronous
//! script per round trip, re-checked in the page on every animation frame, until a deadline.
//! Everything else is built on it.

use std::fmt;
use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ElementRef};
use serde_json::{json, Value};

use fantoccini::error::CmdError;

use super::{is_fatal, Browser, Locator};
use crate::error::Error;

/// Pause between two round trips when a slice ended without the condition (the page itself
/// re-checks on every animation frame within a slice).
const POLL_EVERY: Duration = Duration::from_millis(10);

/// How long one round trip keeps re-checking in the page before it reports back.
const SLICE: Duration = Duration::from_secs(3);

/// How many times one wait types again the text a re-rendered field lost.
const MAX_RETYPES: u32 = 2;

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
    /// Visible, enabled, not covered at its centre, with a rect stable over two animation
    /// frames.
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
    /// The poll clicked the element itself (see `Browser::wait_click`).
    pub(super) clicked: bool,
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
        Ok(self.poll(alts, deadline, Extra::default()).await?.0)
    }

    /// Waits until `loc` meets `cond`, then runs `js` (a synchronous script body reading
    /// `arguments`, given `args`) in the same round trip and returns its value with what held.
    pub async fn wait_then(
        &self,
        loc: &Locator,
        cond: Cond,
        js: &str,
        args: Vec<Value>,
    ) -> Result<(Found, Value), Error> {
        let extra = Extra {
            then: Some((js, args)),
            ..Extra::default()
        };
        self.poll(&[(loc.clone(), cond)], self.timeout, extra).await
    }

    /// Waits until `loc` is actionable and clicks it in the same round trip (see `poll.js`,
    /// `fire`); the click happens only once every check passed. Text fields, selects and
    /// editable regions are not clicked there (`Found::clicked` false).
    pub(super) async fn wait_click(
        &self,
        loc: &Locator,
        deadline: Duration,
    ) -> Result<Found, Error> {
        let extra = Extra {
            click: true,
            ..Extra::default()
        };
        Ok(self
            .poll(&[(loc.clone(), Cond::Actionable)], deadline, extra)
            .await?
            .0)
    }

    /// Checks the values typed since the last poll, and makes a deferred hash-route navigation,
    /// now (before a command that is not a poll).
    pub(super) async fn flush_typed(&self) -> Result<(), Error> {
        if self.typed.lock().unwrap().is_empty() && self.origins.lock().unwrap().navigate.is_none()
        {
            return Ok(());
        }
        self.wait_any(&[(Locator::css("html"), Cond::Present)], self.timeout)
            .await
            .map(|_| ())
    }

    /// The loop under every wait: one asynchronous script per round trip, which re-checks in
    /// the page on every animation frame for up to [`SLICE`], so a wait usually costs one
    /// WebDriver command.
    async fn poll(
        &self,
        alts: &[(Locator, Cond)],
        deadline: Duration,
        extra: Extra<'_>,
    ) -> Result<(Found, Value), Error> {
        let start = Instant::now();
        let plan = PollPlan::new(self, alts, &extra);
        let mut url = String::new();
        let mut last_seen: String;
        let mut retyped = 0;
        loop {
            let typed: Vec<TypedCheck> = self.typed.lock().unwrap().clone();
            let left = deadline.saturating_sub(start.elapsed());
            let nav = self.origins.lock().unwrap().navigate.take();
            let res = self
                .round_trip(&plan, alts, &extra, &typed, left, nav.clone())
                .await;
            if let Some(nav) = nav {
                if self.after_navigation(nav, &res).await? {
                    continue;
                }
            }
            self.note_origin(&res);
            match res {
                Ok(v) if v.get("typedMismatch").is_some_and(|i| !i.is_null()) => {
                    self.typed_mismatch(&v, &typed, &mut retyped).await?;
                    continue;
                }
                Ok(v)
                    if v["ok"] == true
                        && (v["alt"].as_u64().unwrap_or(0) as usize) < plan.offset() =>
                {
                    return Err(self.sentinel_error(&v, &plan));
                }
                Ok(v) if v["ok"] == true => return Ok(self.found(&v, typed.len(), plan.offset())),
                Ok(v) => {
                    if let Some(u) = v["url"].as_str() {
                        url = u.to_string();
                    }
                    last_seen = texts(&v["states"], false).join("; ");
                }
                Err(e) if is_fatal(&e) => return Err(self.browser_error("execute (poll)", e)),
                // Navigation in progress (the document unloaded under the script), a dismissed
                // alert, a stale argument: not yet.
                Err(e) => last_seen = format!("script error: {e}"),
            }
            if start.elapsed() >= deadline {
                return Err(self.timed_out(alts, start, url, last_seen).await);
            }
            tokio::time::sleep(POLL_EVERY).await; // allow-sleep: poll interval of a deadline-bounded wait
        }
    }

    /// One round trip: the poll script with this round's options.
    async fn round_trip(
        &self,
        plan: &PollPlan,
        alts: &[(Locator, Cond)],
        extra: &Extra<'_>,
        typed: &[TypedCheck],
        left: Duration,
        nav: Option<String>,
    ) -> Result<Value, CmdError> {
        let stale = self.origins.lock().unwrap().stale;
        let opts = json!({
            "navigate": nav,
            "slice": left.min(SLICE).as_millis() as u64,
            "staleOrigin": stale,
            "click": extra.click,
            "then": extra.then.is_some(),
            "thenArgs": plan.then_args,
            "typed": typed.iter().map(|t| json!({"loc": t.loc.to_json(), "value": t.value})).collect::<Vec<_>>(),
        });
        let args = vec![plan.alts.clone(), opts];
        let name = if extra.click {
            "execute_async+click"
        } else {
            "execute_async"
        };
        self.traced(
            name,
            || format!("poll {}", describe(alts)),
            self.client.execute_async(&plan.script, args),
        )
        .await
    }

    /// After a round trip that was to navigate to `url`: `true` when a real navigation was
    /// made instead and the round must be done again.
    async fn after_navigation(
        &self,
        url: String,
        res: &Result<Value, CmdError>,
    ) -> Result<bool, Error> {
        match res {
            Ok(v) if v["navigateRefused"] == true => {
                // Another document (or typed values to check first): a real navigation.
                self.navigate_cmd(&url).await?;
                Ok(true)
            }
            Ok(v) if v["ok"] == true || v["navigated"] == true => Ok(false),
            // Not done yet (a script error, an old document): do it next round trip.
            _ => {
                self.origins.lock().unwrap().navigate.get_or_insert(url);
                Ok(false)
            }
        }
    }

    /// Remembers which document answered (a new one clears a stale origin).
    fn note_origin(&self, res: &Result<Value, CmdError>) {
        if let Ok(o) = res.as_ref().map(|v| v["origin"].as_f64()) {
            let mut origins = self.origins.lock().unwrap();
            if o.is_some() && o != origins.stale {
                origins.stale = None;
            }
            origins.last = o.or(origins.last);
        }
    }

    /// A field re-rendered after it was typed into (a form drawn again, a password input
    /// re-shown empty) lost its text: typing is no side effect on the PIM, so it is typed again,
    /// a bounded number of times; then the mismatch is an error.
    async fn typed_mismatch(
        &self,
        v: &Value,
        typed: &[TypedCheck],
        retyped: &mut u32,
    ) -> Result<(), Error> {
        let i = v["typedMismatch"].as_u64().unwrap_or(0) as usize;
        self.typed.lock().unwrap().clear();
        if *retyped < MAX_RETYPES && i < typed.len() {
            *retyped += 1;
            for t in &typed[i..] {
                let how = super::Typing {
                    secret: t.secret,
                    tab_after: t.tab_after,
                };
                Box::pin(self.type_text(&t.loc, &t.value, how)).await?;
            }
            return Ok(());
        }
        let Some(t) = typed.get(i) else {
            return Err(self.unexpected("a typed value changed".into()));
        };
        let shown = |x: &str| {
            if t.secret {
                "***".to_string()
            } else {
                format!("{x:?}")
            }
        };
        Err(self.unexpected(format!(
            "typed {} into `{}` but it holds {}",
            shown(&t.value),
            t.loc,
            v["typedValue"]
                .as_str()
                .map(shown)
                .unwrap_or_else(|| "no value".into())
        )))
    }

    /// A sentinel matched: the session ended, or the PIM refused (its messages).
    fn sentinel_error(&self, v: &Value, plan: &PollPlan) -> Error {
        let (_, session_end) = &plan.sentinels[v["alt"].as_u64().unwrap_or(0) as usize];
        if *session_end {
            return Error::SessionExpired { step: self.step() };
        }
        Error::PimRefused {
            step: self.step(),
            message: texts(&v["texts"], true).join("; "),
        }
    }

    /// The condition held: what was found, and the `then` script's answer.
    fn found(&self, v: &Value, typed: usize, offset: usize) -> (Found, Value) {
        if v["typedOk"] == true {
            let mut pending = self.typed.lock().unwrap();
            let n = typed.min(pending.len());
            pending.drain(..n);
        }
        let alt = (v["alt"].as_u64().unwrap_or(0) as usize).saturating_sub(offset);
        let element = v["el"].get(ELEMENT_KEY).and_then(Value::as_str).map(|id| {
            Element::from_element_id(self.client.clone(), ElementRef::from(id.to_string()))
        });
        let found = Found {
            alt,
            info: parse_info(&v["info"]),
            texts: texts(&v["texts"], false),
            element,
            clicked: v["clicked"] == true,
        };
        (found, v.get("then").cloned().unwrap_or(Value::Null))
    }

    /// The deadline passed: what was awaited, where, and what the last round trip saw.
    async fn timed_out(
        &self,
        alts: &[(Locator, Cond)],
        start: Instant,
        mut url: String,
        last_seen: String,
    ) -> Error {
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
        Error::Timeout {
            step: self.step(),
            selector,
            condition,
            waited: start.elapsed(),
            url,
            last_seen,
        }
    }
}

/// What stays the same over the round trips of one wait: the script, the alternatives with the
/// sentinels first, the `then` script's arguments.
struct PollPlan {
    script: String,
    alts: Value,
    sentinels: Vec<(Locator, bool)>,
    then_args: Vec<Value>,
}

impl PollPlan {
    fn new(b: &Browser, alts: &[(Locator, Cond)], extra: &Extra<'_>) -> Self {
        // The session-end sentinel goes first: once the login form is back, nothing else the
        // page shows (a modal gone, a grid empty) can be trusted.
        // Then the refusal sentinel (an error page in place of the awaited one).
        let sentinels: Vec<(Locator, bool)> = [
            (b.session_end.lock().unwrap().clone(), true),
            (b.refusal.lock().unwrap().clone(), false),
        ]
        .into_iter()
        .filter_map(|(l, end)| l.map(|l| (l, end)))
        .collect();
        let arg: Vec<Value> = sentinels
            .iter()
            .map(|(l, _)| json!({"loc": l.to_json(), "cond": Cond::Present.js(), "sentinel": true}))
            .chain(
                alts.iter()
                    .map(|(l, c)| json!({"loc": l.to_json(), "cond": c.js()})),
            )
            .collect();
        let script = match &extra.then {
            Some((js, _)) => format!("const __then = function () {{\n{js}\n}};\n{POLL_JS}"),
            None => POLL_JS.to_string(),
        };
        PollPlan {
            script,
            alts: Value::Array(arg),
            sentinels,
            then_args: extra
                .then
                .as_ref()
                .map(|(_, a)| a.clone())
                .unwrap_or_default(),
        }
    }

    /// How many sentinels come before the awaited alternatives.
    fn offset(&self) -> usize {
        self.sentinels.len()
    }
}

/// The strings of a JSON array (`non_empty`: without the empty ones).
fn texts(v: &Value, non_empty: bool) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .filter(|t| !non_empty || !t.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// What a poll does besides checking: click the element, run a script on success.
#[derive(Default)]
struct Extra<'a> {
    click: bool,
    then: Option<(&'a str, Vec<Value>)>,
}

/// Which document the polls saw last, and which one they must not accept (replaced by a
/// reload).
#[derive(Debug, Default, Clone)]
pub(super) struct Origins {
    pub(super) last: Option<f64>,
    pub(super) stale: Option<f64>,
    /// A hash route `goto` deferred to the next poll (same document, another fragment).
    pub(super) navigate: Option<String>,
}

/// A value typed into a field, to be read back by the next poll.
#[derive(Clone)]
pub(super) struct TypedCheck {
    pub(super) loc: Locator,
    /// What was typed (may be a secret: sent only as a script argument, never shown).
    pub(super) value: String,
    pub(super) secret: bool,
    /// Tab was pressed after it (retyping does the same).
    pub(super) tab_after: bool,
}

/// `locator: condition` of each alternative, for the trace.
fn describe(alts: &[(Locator, Cond)]) -> String {
    alts.iter()
        .map(|(l, c)| format!("{l}: {}", c.js()))
        .collect::<Vec<_>>()
        .join("  OR  ")
}
