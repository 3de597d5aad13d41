//! The one place every WebDriver command goes through: it bounds the command by the command
//! deadline, counts it, and, when tracing, records the flow step, the command's name, a short
//! non-secret description (a locator, a URL without credentials), its start and its duration.
//!
//! Never recorded: script arguments (they may hold secrets) and typed text.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::error::CmdError;
use serde::Serialize;
use serde_json::{json, Value};

use super::Browser;

/// One WebDriver command as the trace records it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceEntry {
    /// The flow step it ran in (`log in`, `ensure role`, ...).
    pub step: String,
    /// The WebDriver command (`navigate`, `execute`, `execute_async`, `click`, `send_keys`, ...).
    pub command: &'static str,
    /// What it was about: a locator, a URL, "poll" ... never a script argument or typed text.
    pub what: String,
    /// Start, in milliseconds since the browser session opened.
    pub at_ms: f64,
    /// Duration in milliseconds.
    pub ms: f64,
    /// False when WebDriver answered an error (or did not answer in time).
    pub ok: bool,
}

/// Per-session counters and the trace.
pub(super) struct Meter {
    count: AtomicU64,
    tracing: AtomicBool,
    entries: Mutex<Vec<TraceEntry>>,
    origin: Instant,
}

impl Meter {
    pub(super) fn new() -> Self {
        Meter {
            count: AtomicU64::new(0),
            tracing: AtomicBool::new(false),
            entries: Mutex::new(Vec::new()),
            origin: Instant::now(),
        }
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// A URL without user info, query or fragment beyond the route (a URL may carry a password as
/// `user:pass@`; query strings may carry tokens).
pub(crate) fn safe_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.set_query(None);
            u.to_string()
        }
        Err(_) => "(not a URL)".into(),
    }
}

impl Browser {
    /// Runs one WebDriver command under the command deadline, counts it and, when tracing,
    /// records it with `what()` (called only when tracing; it must return nothing secret).
    /// A command that overruns is reported as `CmdError::WaitTimeout` (see `browser_error`).
    pub(super) async fn traced<T>(
        &self,
        command: &'static str,
        what: impl FnOnce() -> String,
        fut: impl Future<Output = Result<T, CmdError>>,
    ) -> Result<T, CmdError> {
        self.meter.count.fetch_add(1, Ordering::Relaxed);
        let start = Instant::now();
        let res = tokio::time::timeout(self.cmd_timeout, fut)
            .await
            .unwrap_or(Err(CmdError::WaitTimeout));
        if self.meter.tracing.load(Ordering::Relaxed) {
            let entry = TraceEntry {
                step: self.step(),
                command,
                what: what(),
                at_ms: ms(start.duration_since(self.meter.origin)),
                ms: ms(start.elapsed()),
                ok: res.is_ok(),
            };
            self.meter.entries.lock().unwrap().push(entry);
        }
        res
    }

    /// The number of WebDriver commands this session issued so far (polls included; the
    /// session's creation and deletion excluded).
    pub fn command_count(&self) -> u64 {
        self.meter.count.load(Ordering::Relaxed)
    }

    /// Starts or stops recording each command in the trace (counting is always on).
    pub fn set_tracing(&self, on: bool) {
        self.meter.tracing.store(on, Ordering::Relaxed);
    }

    /// Returns the commands recorded so far and empties the trace.
    pub fn take_trace(&self) -> Vec<TraceEntry> {
        std::mem::take(&mut *self.meter.entries.lock().unwrap())
    }
}

/// One step's totals: name, commands, milliseconds, commands per name.
type StepTotals = (String, u64, f64, Vec<(&'static str, u64)>);

/// The trace as a JSON document: totals, then per-step totals (in the order the steps ran,
/// with a count per command name), then every command.
pub fn trace_document(entries: &[TraceEntry]) -> Value {
    let mut steps: Vec<StepTotals> = Vec::new();
    for e in entries {
        // Steps in the order they first ran (a step seen again is added to its first entry).
        let i = match steps.iter().position(|s| s.0 == e.step) {
            Some(i) => i,
            None => {
                steps.push((e.step.clone(), 0, 0.0, Vec::new()));
                steps.len() - 1
            }
        };
        let s = &mut steps[i];
        s.1 += 1;
        s.2 += e.ms;
        match s.3.iter_mut().find(|(c, _)| *c == e.command) {
            Some((_, n)) => *n += 1,
            None => s.3.push((e.command, 1)),
        }
    }
    let total_ms: f64 = entries.iter().map(|e| e.ms).sum();
    json!({
        "commands": entries.len(),
        "command_ms": (total_ms * 1e3).round() / 1e3,
        "steps": steps.iter().map(|(name, n, t, by)| json!({
            "step": name,
            "commands": n,
            "command_ms": (t * 1e3).round() / 1e3,
            "by_command": by.iter().map(|(c, k)| (c.to_string(), json!(k))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "entries": entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(step: &str, command: &'static str, ms: f64) -> TraceEntry {
        TraceEntry {
            step: step.into(),
            command,
            what: String::new(),
            at_ms: 0.0,
            ms,
            ok: true,
        }
    }

    #[test]
    fn document_totals_per_step_in_order() {
        let d = trace_document(&[
            e("log in", "navigate", 10.0),
            e("log in", "execute", 2.5),
            e("log in", "execute", 2.5),
            e("ensure user", "click", 4.0),
        ]);
        assert_eq!(d["commands"], 4);
        assert_eq!(d["command_ms"], 19.0);
        assert_eq!(d["steps"][0]["step"], "log in");
        assert_eq!(d["steps"][0]["commands"], 3);
        assert_eq!(d["steps"][0]["by_command"]["execute"], 2);
        assert_eq!(d["steps"][1]["step"], "ensure user");
        assert_eq!(d["entries"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn urls_lose_credentials_and_queries() {
        assert_eq!(
            safe_url("https://u:p@pim.example/api?token=x#/user/"),
            "https://pim.example/api#/user/"
        );
        assert_eq!(safe_url("nope"), "(not a URL)");
    }
}
