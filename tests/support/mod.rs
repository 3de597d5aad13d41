//! Test helpers shared by the driver's test crates that declare `mod support;`:
//! [`provision`] (end-to-end provisioning: the tutorial's names, the base config, the
//! simulator's state and the browser processes a run may leave behind). Each crate uses only some
//! of it, hence `dead_code` is allowed.

#![allow(dead_code)]

pub mod provision;
