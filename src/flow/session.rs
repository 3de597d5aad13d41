//! The browser session around a flow: start (as a step), Ctrl-C/SIGTERM and panics, teardown,
//! the trace file, and what a stopped run says it left in the PIM.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;

use super::config::BrowserConfig;
use crate::browser::{self, Browser, BrowserKind, BrowserSession, LaunchOptions};
use crate::error::Error;
use crate::model::{Created, Step};
use crate::progress::Progress;

/// Starts the browser (reporting it as a step).
pub(crate) async fn start_browser(
    bc: &BrowserConfig,
    progress: &Progress,
) -> crate::Result<BrowserSession> {
    let opts = LaunchOptions {
        webdriver: bc.webdriver.clone(),
        headful: bc.headful,
        timeout: bc.timeout,
        artifacts_dir: bc.artifacts_dir.clone(),
        browser: bc.browser,
    };
    progress.begin(Step::StartBrowser.name());
    // Raced against Ctrl-C/SIGTERM too: dropping a half-done launch kills what it started.
    let launched = tokio::select! {
        r = browser::launch(&opts) => r,
        _ = interrupted() => Err(Error::Interrupted),
    };
    match launched {
        Ok(s) => {
            progress.pass(&match (&bc.webdriver, bc.browser) {
                (Some(_), kind) => format!("{kind} session via --webdriver"),
                (None, BrowserKind::Chromium) => "chromedriver + Chromium".to_string(),
                (None, BrowserKind::Firefox) => "geckodriver + Firefox".to_string(),
            });
            Ok(s)
        }
        Err(e) => {
            progress.fail(&e.to_string());
            Err(e)
        }
    }
}

/// Resolves when the user interrupts the run: Ctrl-C (SIGINT) or SIGTERM (what CI
/// cancellation and `timeout` send). Never resolves when the handlers cannot be installed.
pub(crate) async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    let int = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        _ = term => {},
        _ = int => {},
    }
}

/// Runs `fut` caught against panics and raced against Ctrl-C/SIGTERM (`None`).
pub(crate) async fn guarded<T>(fut: impl Future<Output = T>) -> Option<std::thread::Result<T>> {
    let run = AssertUnwindSafe(fut).catch_unwind();
    tokio::select! {
        r = run => Some(r),
        _ = interrupted() => None,
    }
}

/// Tears the browser down, then turns the guarded outcome into the result: a panic is resumed,
/// Ctrl-C is `Error::Interrupted`.
pub(crate) async fn finish<T>(
    session: BrowserSession,
    outcome: Option<std::thread::Result<crate::Result<T>>>,
    progress: &Progress,
) -> crate::Result<T> {
    session.close().await;
    match outcome {
        Some(Ok(r)) => r,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => {
            progress.fail("interrupted");
            Err(Error::Interrupted)
        }
    }
}

/// Writes the trace document (commands per step, then each command) with the run's outcome
/// and the steps' wall times. A write failure is a note, never the run's failure.
pub(crate) fn write_trace<T>(
    path: &std::path::Path,
    b: &Browser,
    outcome: &Option<std::thread::Result<crate::Result<T>>>,
    progress: &Progress,
) {
    let mut doc = browser::trace_document(&b.take_trace());
    doc["outcome"] = serde_json::json!(match outcome {
        Some(Ok(Ok(_))) => "ok".to_string(),
        Some(Ok(Err(e))) => format!("failed in step '{}': {e}", b.step()),
        Some(Err(_)) => "panicked".to_string(),
        None => "interrupted".to_string(),
    });
    doc["step_wall_ms"] = progress
        .steps()
        .iter()
        .map(|s| (s.name.clone(), serde_json::json!(s.millis)))
        .collect::<serde_json::Map<_, _>>()
        .into();
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    match crate::output::write_atomic_0600(path, &text) {
        Ok(()) => progress.info(&format!("trace written to {}", path.display())),
        Err(e) => progress.note(&format!("cannot write the trace {}: {e}", path.display())),
    }
}

/// Whatever stopped the run: says what it left in the PIM.
pub(crate) fn report_left_behind(e: &Error, c: &Created, progress: &Progress) {
    let how = if matches!(e, Error::Interrupted) {
        "interrupted"
    } else {
        "stopped"
    };
    let maybe = if c.unconfirmed.is_empty() {
        String::new()
    } else {
        format!(
            "; sent but not confirmed (the PIM may hold it, check): {}",
            c.unconfirmed.join(", ")
        )
    };
    if !c.user && !c.role && !c.connection && c.unconfirmed.is_empty() {
        progress.note(&format!("{how}; nothing was created in the PIM"));
    } else {
        progress.note(&format!(
            "{how}; created so far: user {}, role {}, connection {}{maybe}",
            yes_no(c.user),
            yes_no(c.role),
            yes_no(c.connection)
        ));
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
