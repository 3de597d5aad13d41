//! The tutorial as idempotent steps, one module per entity (and per generation where they
//! differ): log in ([`login`]), ensure user ([`user`]), ensure role ([`role`]), ensure
//! connection and read credentials ([`connection`], [`connection4`], [`console`]), verify
//! ([`verify`]); [`step`] runs a named step under a [`Recovery`] policy; [`session`] owns the
//! browser around them.

use std::sync::Mutex;

use crate::browser::{Browser, BrowserSession};
use crate::error::Error;
use crate::model::{Credentials, Step};
use crate::pim::{self, Generation, Pim, Verified};
use crate::progress::Progress;

mod config;
mod connection;
mod connection4;
mod console;
mod critical;
mod keep;
mod login;
mod role;
mod session;
mod step;
mod user;
mod verify;

pub use crate::model::{Created, Provisioned};
use config::Ctx;
pub use config::{
    check_connection_label, BrowserConfig, GenerationOptions, ProvisionConfig,
    GENERATED_PASSWORD_LEN,
};
pub(crate) use login::{generation, log_in};
pub(crate) use session::{finish, guarded, start_browser};
pub(crate) use step::step;
pub use step::Recovery;

/// Runs the whole flow; owns the browser session and ALWAYS tears it down (end, error, panic via
/// catch_unwind, Ctrl-C via tokio::signal::ctrl_c raced against the flow -> Error::Interrupted
/// after teardown, with what was created so far reported through `progress.note`).
pub async fn provision(cfg: &ProvisionConfig, progress: &Progress) -> crate::Result<Provisioned> {
    provision_with_capture(cfg, progress, None).await
}

/// [`provision`] with a documentation capture sink installed in the browser (tutorial images
/// and/or numbered per-step images, see `browser::Capture`).
pub async fn provision_with_capture(
    cfg: &ProvisionConfig,
    progress: &Progress,
    capture: Option<std::sync::Arc<crate::browser::Capture>>,
) -> crate::Result<Provisioned> {
    provision_keeping(cfg, progress, capture, None).await
}

/// [`provision_with_capture`] that keeps what it generates or is shown once in `vault` before
/// sending it (see [`crate::vault`]), and picks up what an earlier run left there. The caller
/// removes the records once it has delivered the credentials
/// ([`crate::vault::Vault::forget_delivered`]).
pub async fn provision_keeping(
    cfg: &ProvisionConfig,
    progress: &Progress,
    capture: Option<std::sync::Arc<crate::browser::Capture>>,
    vault: Option<&crate::vault::Vault>,
) -> crate::Result<Provisioned> {
    let bc = BrowserConfig::from(cfg);
    let created = Mutex::new(Created::default());
    let session = start_browser(&bc, progress).await?;
    if let Some(c) = capture {
        if let Err(e) = session.browser().set_capture(c).await {
            session.close().await;
            return Err(e);
        }
    }
    session.browser().set_tracing(cfg.trace.is_some());
    let outcome = guarded(run(session.browser(), cfg, progress, &created, vault)).await;
    if let Some(path) = &cfg.trace {
        session::write_trace(path, session.browser(), &outcome, progress);
    }
    let res = finish(session, outcome, progress).await;
    if let Err(e) = &res {
        session::report_left_behind(e, &created.lock().unwrap(), progress);
    }
    res
}

/// Opens a browser as `provision` does (reported as the step "start browser"), for running
/// several flows on one session ([`provision_on`]); close it with `BrowserSession::close`.
pub async fn open_browser(
    bc: &BrowserConfig,
    progress: &Progress,
) -> crate::Result<BrowserSession> {
    start_browser(bc, progress).await
}

/// Runs the provision flow on a browser that is already open (warm: no chromedriver or
/// Chromium start, no teardown; the caller owns the session). `cfg.pim_url` is used, and
/// `cfg.webdriver` / `cfg.headful` / `cfg.trace` are ignored: the browser is given.
pub async fn provision_on(
    b: &Browser,
    cfg: &ProvisionConfig,
    progress: &Progress,
) -> crate::Result<Provisioned> {
    let created = Mutex::new(Created::default());
    run(b, cfg, progress, &created, None).await
}

/// Verifies credentials from a browser on the PIM's origin (token, then the 3.x probe call);
/// the browser is started and torn down like `provision` does. For a `verify` subcommand.
pub async fn verify_credentials(
    bc: &BrowserConfig,
    creds: &Credentials,
    progress: &Progress,
) -> crate::Result<Verified> {
    let session = start_browser(bc, progress).await?;
    let b = session.browser();
    let pim = Pim::new(b, &bc.pim_url);
    let outcome = guarded(step(b, progress, Step::Verify, async {
        let v = pim::verify_credentials(pim, creds, pim::api::PROBE_3X).await?;
        let detail = match &v {
            Verified::Ok => "token and API call ok".to_string(),
            Verified::ResourceAclMissing(m) => format!("access ok; {m}"),
        };
        Ok((v, detail))
    }))
    .await;
    finish(session, outcome, progress).await
}

/// The flow proper: log in, then each entity in turn.
async fn run(
    b: &Browser,
    cfg: &ProvisionConfig,
    progress: &Progress,
    created: &Mutex<Created>,
    vault: Option<&crate::vault::Vault>,
) -> crate::Result<Provisioned> {
    let base = cfg.pim_url.trim_end_matches('/');
    b.add_secret(cfg.admin_password.expose());
    if let Some(p) = &cfg.api_password {
        b.add_secret(p.expose());
    }
    let mut notes = Vec::new();
    let pim = Pim::new(b, base);
    let (generation, mut known) = login::log_in_and_detect(pim, cfg, progress).await?;
    config::check_connection_label(generation, &cfg.connection).map_err(Error::Usage)?;
    let pim = pim.with_generation(generation);
    // In-page clicks (one round trip per click) are verified up to 5.x; the 6.x/7.x
    // design-system pages get WebDriver's own click.
    b.set_inpage_clicks(generation < Generation::V6);
    let step_notes = Mutex::new(Vec::new());
    let ctx = Ctx {
        pim,
        cfg,
        progress,
        created,
        notes: &step_notes,
        recovery: Recovery::PROVISION,
        vault,
    };
    // Detected from what the 3.x back office knows: the permissions were checked with it.
    if !generation.has_connections() && !generation.console_only() && known.is_none() {
        known = login::check_permissions(ctx).await?;
    }
    let known = known.unwrap_or_default();
    let password = if generation.has_connections() {
        let note = user::connection_user_note(cfg, generation);
        progress.note(&note);
        notes.push(note);
        None
    } else {
        user::ensure_user(ctx, known.user).await?
    };
    let api_permissions = role::ensure_role(ctx, known.role).await?;
    let credentials = connection::ensure_connection(ctx, password).await?;
    notes.append(&mut step_notes.lock().unwrap());
    let (verified, verify_error) = verify::verify(ctx, &credentials, &mut notes).await?;
    let created = created.lock().unwrap().clone();
    Ok(Provisioned {
        pim_url: base.to_string(),
        pim_version: generation.to_string(),
        credentials,
        role: cfg.role.clone(),
        connection: cfg.connection.clone(),
        verified,
        created,
        notes,
        api_permissions,
        verify_error,
    })
}
