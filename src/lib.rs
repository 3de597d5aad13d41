//! pim-credentials: drives the Akeneo PIM back office through a real browser over WebDriver and
//! comes back with working REST API credentials, verified with a real OAuth token and API call.
//!
//! Layers (see `../shared/notes/design.md`):
//! `cli` (all clap code; nothing imports it) → `check`, `screenshots`, `verify`, `fleet` →
//! `flow` → `pim` (page objects) → `browser` (fantoccini wrapper); `model` (results, default
//! names) and `output` (formats, atomic secret files) below them. The simulator is the separate
//! `pim-sim` crate and shares no code with the driver.

pub mod browser;
pub mod check;
pub mod cli;
pub mod compare;
pub mod error;
pub mod fleet;
pub mod flow;
pub mod junit;
pub mod model;
pub mod output;
pub mod pim;
pub mod progress;
pub mod report;
pub mod screenshots;
pub mod secrets;
pub mod verify;

pub use error::{Error, Result};
