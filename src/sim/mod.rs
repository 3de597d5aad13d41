//! The embedded Akeneo PIM simulator: a faithful look-alike of the back office and REST API,
//! served by the binary for tests, the demo and the tutorial screenshots.
//!
//! It shares no code with the driver: a driver that reused the simulator's selectors would prove
//! nothing about the real PIM.

pub mod api;
pub mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

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
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            port: 0,
            admin_password: "admin".into(),
            latency: Duration::from_millis(150),
            users: 30,
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
}

impl AppState {
    /// Sleeps the configured XHR latency (the simulator may sleep; the driver may not).
    pub async fn latency(&self) {
        if !self.cfg.latency.is_zero() {
            tokio::time::sleep(self.cfg.latency).await;
        }
    }
}
