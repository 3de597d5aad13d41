//! The embedded Akeneo PIM simulator: a faithful look-alike of the back office and REST API,
//! served by the binary for tests, the demo and the tutorial screenshots.
//!
//! It shares no code with the driver: a driver that reused the simulator's selectors would prove
//! nothing about the real PIM.
//!
//! Layout: [`session`] (cookies, login guard, XHR rules, latency), [`login`], [`shell`] (the SPA
//! page and its embedded assets), [`users`], [`roles`], [`clients`] (API connections),
//! [`datagrid`] (grid JSON), [`api`] (the REST API), [`state`] (the database).

pub mod acl;
pub mod api;
pub mod boot;
pub mod clients;
pub mod connections;
pub mod console;
pub mod datagrid;
pub mod faults;
mod html;
pub mod login;
pub mod reqlog;
pub mod roles;
pub mod session;
pub mod shell;
pub mod state;
pub mod users;
pub mod v17;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::routing::{get, post};
use axum::{middleware, Router};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// TCP port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Password of the `admin` user.
    pub admin_password: String,
    /// Added to every XHR/JSON response, so that loading masks really show.
    pub latency: Duration,
    /// Number of pre-existing ordinary users (role "User").
    pub users: usize,
    /// Which generation of the back office to imitate.
    pub pim_version: PimVersion,
    /// Injected faults (`--fault SPEC`), see [`faults`].
    pub faults: Vec<faults::Fault>,
    /// Adds the built-in user `julia` / `julia` (role "Catalog manager"): can log in, cannot
    /// manage roles nor API connections (see [`acl`]).
    pub restricted_admin: bool,
}

/// A generation of the Akeneo PIM back office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PimVersion {
    /// 1.7: full-page Twig pages, `#url=` hash navigation, no API connections page.
    V1_7,
    /// 2.x: the Backbone SPA with Twig fragments; System > API connections.
    V2,
    /// 3.x: the SPA with the user creation modal; System > API connections.
    V3,
    /// 4.x: System > Connections.
    V4,
    /// 5.x: System > Connections.
    V5,
    /// 6.x: Connect > Connection settings.
    V6,
    /// 7.x: Connect > Connection settings, server-side connection limit.
    V7,
}

impl PimVersion {
    /// Every generation, oldest first.
    pub const ALL: [PimVersion; 7] = [
        PimVersion::V1_7,
        PimVersion::V2,
        PimVersion::V3,
        PimVersion::V4,
        PimVersion::V5,
        PimVersion::V6,
        PimVersion::V7,
    ];

    /// The form used on the command line: `1.7`, `2` ... `7`.
    pub fn arg(self) -> &'static str {
        match self {
            PimVersion::V1_7 => "1.7",
            PimVersion::V2 => "2",
            PimVersion::V3 => "3",
            PimVersion::V4 => "4",
            PimVersion::V5 => "5",
            PimVersion::V6 => "6",
            PimVersion::V7 => "7",
        }
    }
}

impl std::fmt::Display for PimVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PimVersion::V1_7 => f.write_str("1.7"),
            v => write!(f, "{}.x", v.arg()),
        }
    }
}

impl std::str::FromStr for PimVersion {
    type Err = String;

    /// Accepts `1.7`, `2`, `3.x`, `3.2.18` ...: the major version decides (1 must be 1.7).
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let mut parts = t.split('.');
        let major = parts.next().unwrap_or("");
        let key = if major == "1" && parts.next() == Some("7") {
            "1.7"
        } else {
            major
        };
        PimVersion::ALL
            .into_iter()
            .find(|v| v.arg() == key && key != "1")
            .ok_or_else(|| {
                format!("unknown PIM version {s:?}: expected one of 1.7, 2, 3, 4, 5, 6, 7")
            })
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            admin_password: "admin".into(),
            latency: Duration::from_millis(150),
            users: 30,
            pim_version: PimVersion::V3,
            faults: Vec::new(),
            restricted_admin: false,
        }
    }
}

/// State shared by every route: the database and the configuration.
#[derive(Clone)]
pub struct AppState {
    /// The simulated database.
    pub db: Arc<Mutex<state::State>>,
    /// The configuration the server was started with.
    pub cfg: Arc<SimConfig>,
    /// What the injected faults already did.
    pub fault_runtime: Arc<faults::Runtime>,
    /// Every request answered, with its timing (`/_sim/requests`).
    pub requests: Arc<reqlog::Log>,
}

impl AppState {
    /// A fresh database built from `cfg`.
    pub fn new(cfg: SimConfig) -> Self {
        let mut db = state::State::new(&cfg.admin_password, cfg.users);
        // 4.0+ installs give every fixture role, "User" included, full access on the root ACL
        // (`RoleUpdater::loadAcls`, 6.0+ `AddDefaultPrivilegesSubscriber`): a fresh connection
        // (role "User") can call the API at once. A role made in the UI still gets nothing.
        if cfg.pim_version >= PimVersion::V4 {
            for role in db.roles.iter_mut().filter(|r| r.role == "ROLE_USER") {
                role.acls.insert(state::ACL_API_OVERALL.to_string());
            }
        }
        if cfg.restricted_admin {
            acl::add_restricted_admin(&mut db);
        }
        AppState {
            db: Arc::new(Mutex::new(db)),
            cfg: Arc::new(cfg),
            fault_runtime: Arc::default(),
            requests: Arc::default(),
        }
    }

    /// Sleeps the configured XHR latency (the simulator may sleep; the driver may not).
    pub async fn latency(&self) {
        let delay = self.cfg.latency + self.slow_extra();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }

    /// Locks the database. A panic in another handler never makes the simulator unusable:
    /// a poisoned lock is taken over as is.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, state::State> {
        self.db.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The whole application: back office, REST API and `/_sim/state`.
pub fn router(app: AppState) -> Router {
    // 1.7 is a different application (full-page Twig pages, `#url=` navigation, no API
    // connections): its own route table.
    if app.cfg.pim_version == PimVersion::V1_7 {
        return v17::router(app);
    }
    // XHR/JSON endpoints of the back office: login required (401 JSON for XHR), latency added.
    let xhr = Router::new()
        .route("/rest/user/", get(users::current).post(users::create))
        .route(
            "/rest/user/{id}",
            get(users::get).post(users::update).delete(users::delete),
        )
        .route(
            "/user/role/delete/{id}",
            axum::routing::delete(roles::delete),
        )
        .route("/datagrid/{grid}", get(datagrid::index))
        .route("/datagrid/{grid}/load", get(datagrid::load))
        .route(
            "/user/role/create",
            get(roles::create_form).post(roles::create_submit),
        )
        .route(
            "/user/role/update/{id}",
            get(roles::update_form).post(roles::update_submit),
        )
        .route(
            "/user/create",
            get(v17::users::v2_create_form).post(v17::users::v2_create_submit),
        )
        .route(
            "/user/update/{id}",
            get(v17::users::v2_update_form).post(v17::users::v2_update_submit),
        )
        .route("/client/rest", post(clients::create))
        .route(
            "/client/rest/{public_id}",
            axum::routing::delete(clients::revoke),
        )
        // 4.x+ Connections (`/rest/connections...`, `/rest/user_role/`, `/rest/user_group/`).
        .merge(connections::routes())
        // App boot (`/js/extensions.json`, `/rest/security/`, `/analytics/collect_data` ...)
        // and the user form's lists.
        .merge(boot::routes())
        .layer(middleware::from_fn_with_state(app.clone(), acl::guard))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            session::latency,
        ))
        .route("/", get(shell::index))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            session::require_login,
        ));

    Router::new()
        .route("/user/login", get(login::page))
        .route("/user/login-check", post(login::check))
        .route("/user/logout", get(login::logout))
        .route("/_sim/state", get(sim_state))
        .route("/_sim/console", post(console::endpoint))
        .route("/_sim/requests", get(reqlog::list).delete(reqlog::clear))
        .route("/bundles/{*path}", get(shell::asset))
        .merge(xhr)
        .merge(api::router())
        .fallback(shell::not_found)
        .layer(middleware::from_fn_with_state(app.clone(), reqlog::record))
        .with_state(app)
}

pub(crate) async fn sim_state(
    axum::extract::State(app): axum::extract::State<AppState>,
) -> axum::Json<serde_json::Value> {
    axum::Json(app.lock().to_json())
}

/// A running simulator. Dropping it without [`SimHandle::stop`] still asks the server to stop.
pub struct SimHandle {
    url: String,
    app: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// Base URL, `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The same JSON as `GET /_sim/state`.
    pub fn state(&self) -> serde_json::Value {
        self.app.lock().to_json()
    }

    /// Direct access to the database and configuration (for tests).
    pub fn app(&self) -> &AppState {
        &self.app
    }

    /// Graceful shutdown: stops accepting, lets in-flight requests finish (at most 5 s, then the
    /// remaining connections are dropped) and awaits the server task.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts a simulator on `127.0.0.1:cfg.port` (0 = a free port) and returns once it accepts.
pub async fn start(cfg: SimConfig) -> anyhow::Result<SimHandle> {
    let port = cfg.port;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
    let addr = listener.local_addr()?;
    let app = AppState::new(cfg);
    let (tx, rx) = oneshot::channel::<()>();
    let service = router(app.clone());
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, service).with_graceful_shutdown(async move {
            let _ = rx.await;
        });
        if let Err(e) = served.await {
            eprintln!("simulator: server error: {e}");
        }
    });
    Ok(SimHandle {
        url: format!("http://127.0.0.1:{}", addr.port()),
        app,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// The `sim` subcommand: start, print "listening on http://127.0.0.1:PORT" as the first stdout
/// line (flushed), serve until SIGINT/SIGTERM, then stop.
pub async fn run(cfg: SimConfig) -> anyhow::Result<()> {
    let handle = start(cfg).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}", handle.url())?;
        out.flush()?;
    }
    wait_for_signal().await;
    handle.stop().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod version_tests {
    use super::PimVersion;

    #[test]
    fn versions_parse_from_what_people_type() {
        assert_eq!("1.7".parse::<PimVersion>().unwrap(), PimVersion::V1_7);
        assert_eq!("1.7.41".parse::<PimVersion>().unwrap(), PimVersion::V1_7);
        assert_eq!("3".parse::<PimVersion>().unwrap(), PimVersion::V3);
        assert_eq!("3.2.18".parse::<PimVersion>().unwrap(), PimVersion::V3);
        assert_eq!("6.x".parse::<PimVersion>().unwrap(), PimVersion::V6);
        assert!("1".parse::<PimVersion>().is_err());
        assert!("1.6".parse::<PimVersion>().is_err());
        assert!("8".parse::<PimVersion>().is_err());
        assert_eq!(PimVersion::V1_7.to_string(), "1.7");
        assert_eq!(PimVersion::V4.to_string(), "4.x");
    }
}
