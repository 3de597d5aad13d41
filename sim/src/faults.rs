//! Injected faults (`pim-credentials sim --fault SPEC`, repeatable): the ways a real back office
//! misbehaves, so that the driver's recovery can be tested.
//!
//! | SPEC | effect |
//! |---|---|
//! | `slow:MS` | every XHR/JSON/API response takes MS longer |
//! | `mask-linger:MS` | the loading masks stay MS after the content is there |
//! | `rerender` | grids and forms re-render once shortly after loading (stale elements) |
//! | `logout-after:N` | each session expires after N authenticated requests (login form in place, XHRs 401) |
//! | `save-500-before` | the first save of each kind (user, role, connection) fails with 500, nothing committed |
//! | `save-500-after` | the first save of each kind is committed, then answers 500 |
//! | `flash-late` | flash messages show on the next page instead of this one |
//! | `token-slow:MS` | the OAuth token endpoint takes MS longer |
//! | `twin-create` | a concurrent run creates the same API connection just before the first creation |
//! | `no-api-tab` | the role form has no "Web API permissions" tab (a broken build, for `check`) |
//! | `api-forbidden` | every resource call answers 403 "You are not allowed to access the web API." whatever the role grants (a misconfigured firewall) |

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use super::AppState;

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Every XHR/JSON/API response takes this much longer.
    Slow(Duration),
    /// Loading masks stay this long after the content is there.
    MaskLinger(Duration),
    /// Grids and forms re-render once after loading.
    Rerender,
    /// Each session expires after this many authenticated requests.
    LogoutAfter(u64),
    /// The first save of each kind fails with 500 before the change is committed.
    Save500Before,
    /// The first save of each kind is committed, then answers 500.
    Save500After,
    /// Flash messages show on the next page instead of this one.
    FlashLate,
    /// The token endpoint takes this much longer.
    TokenSlow(Duration),
    /// The role form lacks its "Web API permissions" tab and pane (a broken build, for `check`).
    NoApiTab,
    /// Another run creates an API connection with the same label just before the first
    /// creation is committed (so the other one is older).
    TwinCreate,
    /// Every `/api/rest/v1/...` resource call answers 403 "You are not allowed to access the web
    /// API." whatever the role grants (a misconfigured firewall): verification must fail.
    ApiForbidden,
}

/// Every accepted SPEC form, for error messages and `--help`.
pub const SPECS: &str = "slow:MS, mask-linger:MS, rerender, logout-after:N, save-500-before, \
                         save-500-after, flash-late, token-slow:MS, no-api-tab, twin-create, \
                         api-forbidden";

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s, None),
        };
        let number = |what: &str| -> Result<u64, String> {
            arg.ok_or_else(|| format!("fault {name:?} needs a value: {name}:{what}"))?
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("fault {s:?}: {what} must be a whole number"))
        };
        let ms = |n: u64| Duration::from_millis(n);
        let no_arg = |f: Fault| match arg {
            None => Ok(f),
            Some(_) => Err(format!("fault {name:?} takes no value")),
        };
        match name {
            "slow" => Ok(Fault::Slow(ms(number("MS")?))),
            "mask-linger" => Ok(Fault::MaskLinger(ms(number("MS")?))),
            "token-slow" => Ok(Fault::TokenSlow(ms(number("MS")?))),
            "logout-after" => match number("N")? {
                0 => Err("logout-after:N needs N >= 1".into()),
                n => Ok(Fault::LogoutAfter(n)),
            },
            "rerender" => no_arg(Fault::Rerender),
            "save-500-before" => no_arg(Fault::Save500Before),
            "save-500-after" => no_arg(Fault::Save500After),
            "flash-late" => no_arg(Fault::FlashLate),
            "no-api-tab" => no_arg(Fault::NoApiTab),
            "twin-create" => no_arg(Fault::TwinCreate),
            "api-forbidden" => no_arg(Fault::ApiForbidden),
            _ => Err(format!("unknown fault {s:?}: expected one of {SPECS}")),
        }
    }
}

/// When a save fails with 500: before or after the change is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveFault {
    /// Nothing committed.
    Before,
    /// Committed, then 500.
    After,
}

/// The mutable side of the faults: what already fired.
#[derive(Debug, Default)]
pub struct Runtime {
    /// Save kinds ("user", "role", "connection") whose first save already failed.
    failed_saves: Mutex<HashSet<&'static str>>,
    /// Authenticated requests per session id.
    requests: Mutex<HashMap<String, u64>>,
}

impl AppState {
    fn faults(&self) -> &[Fault] {
        &self.cfg.faults
    }

    /// Extra latency of `slow:MS` (zero without the fault).
    pub fn slow_extra(&self) -> Duration {
        self.faults()
            .iter()
            .map(|f| match f {
                Fault::Slow(d) => *d,
                _ => Duration::ZERO,
            })
            .sum()
    }

    /// Sleeps `token-slow:MS` (the simulator may sleep; the driver may not).
    pub async fn token_delay(&self) {
        let d: Duration = self
            .faults()
            .iter()
            .map(|f| match f {
                Fault::TokenSlow(d) => *d,
                _ => Duration::ZERO,
            })
            .sum();
        if !d.is_zero() {
            tokio::time::sleep(d).await;
        }
    }

    /// `save-500-*`: whether this save of `kind` must fail, and when. Fires once per kind.
    pub fn save_fault(&self, kind: &'static str) -> Option<SaveFault> {
        let when = self.faults().iter().find_map(|f| match f {
            Fault::Save500Before => Some(SaveFault::Before),
            Fault::Save500After => Some(SaveFault::After),
            _ => None,
        })?;
        let mut fired = self
            .fault_runtime
            .failed_saves
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        fired.insert(kind).then_some(when)
    }

    /// `twin-create`: true (once) when a concurrent twin must be created before this creation.
    pub fn twin_create(&self) -> bool {
        self.faults().contains(&Fault::TwinCreate)
            && self
                .fault_runtime
                .failed_saves
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert("twin")
    }

    /// `logout-after:N`: counts an authenticated request of session `sid`; true when the session
    /// has just expired (it is then removed, so this request is treated as anonymous).
    pub fn session_expires(&self, sid: &str) -> bool {
        let Some(limit) = self.faults().iter().find_map(|f| match f {
            Fault::LogoutAfter(n) => Some(*n),
            _ => None,
        }) else {
            return false;
        };
        let expired = {
            let mut counts = self
                .fault_runtime
                .requests
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let n = counts.entry(sid.to_string()).or_insert(0);
            *n += 1;
            *n > limit
        };
        if expired {
            let mut db = self.lock();
            db.sessions.remove(sid);
            db.session_data.remove(sid);
        }
        expired
    }

    /// The browser-side faults as a `<script>` for the SPA shell (empty without any).
    pub fn fault_script(&self) -> String {
        let mut linger = 0u128;
        let mut rerender = false;
        let mut flash_late = false;
        for f in self.faults() {
            match f {
                Fault::MaskLinger(d) => linger += d.as_millis(),
                Fault::Rerender => rerender = true,
                Fault::FlashLate => flash_late = true,
                _ => {}
            }
        }
        if linger == 0 && !rerender && !flash_late {
            return String::new();
        }
        let cfg =
            json!({"maskLingerMs": linger as u64, "rerender": rerender, "flashLate": flash_late});
        format!("<script>window.PimSimFaults = {cfg};</script>")
    }
}

/// The 500 a failed save answers (Symfony's JSON error for XHRs).
pub fn save_error() -> axum::response::Response {
    super::session::json_error(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!(
            "slow:200".parse(),
            Ok(Fault::Slow(Duration::from_millis(200)))
        );
        assert_eq!("logout-after:12".parse(), Ok(Fault::LogoutAfter(12)));
        assert_eq!("rerender".parse(), Ok(Fault::Rerender));
        assert_eq!("save-500-after".parse(), Ok(Fault::Save500After));
        assert_eq!(
            "token-slow:1500".parse(),
            Ok(Fault::TokenSlow(Duration::from_millis(1500)))
        );
        assert!("slow".parse::<Fault>().is_err());
        assert!("rerender:3".parse::<Fault>().is_err());
        assert!("logout-after:0".parse::<Fault>().is_err());
        assert!("explode"
            .parse::<Fault>()
            .unwrap_err()
            .contains("mask-linger:MS"));
    }
}
